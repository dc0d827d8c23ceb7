package org

import (
	"strings"
	"time"
)

// Okta's per-username limit on POST /api/v1/authn: "Authenticate the same
// user: 4 per second" (developer.okta.com/docs/reference/rl2-limits,
// "Non-authenticated users"). Counted in fixed one-second windows of the
// org's clock.
const (
	AuthnUsernameLimit  = 4
	AuthnUsernameWindow = time.Second
)

// TakeAuthnUsername counts one authentication attempt for username and
// reports the rate-limit header values and whether the attempt is within
// the limit. Unknown usernames are counted too (no enumeration).
func (o *Org) TakeAuthnUsername(username string) (limit, remaining int, reset time.Time, ok bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.authnInit()
	key := strings.ToLower(strings.TrimSpace(username))
	now := o.clock.Now()
	w := o.authn.userRate[key]
	if w == nil || !now.Before(w.start.Add(AuthnUsernameWindow)) || now.Before(w.start) {
		if len(o.authn.userRate) > 10000 {
			o.authn.userRate = map[string]*rateWindow{}
		}
		w = &rateWindow{start: now.Truncate(AuthnUsernameWindow)}
		o.authn.userRate[key] = w
	}
	reset = w.start.Add(AuthnUsernameWindow)
	if w.count >= AuthnUsernameLimit {
		return AuthnUsernameLimit, 0, reset, false
	}
	w.count++
	return AuthnUsernameLimit, AuthnUsernameLimit - w.count, reset, true
}
