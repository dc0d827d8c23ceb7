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
// the limit. Unknown usernames are counted too (no enumeration). It holds
// o.mu for reading and counts under o.hot (signin.go): every authn takes
// it, and under the write lock they queued behind each other.
func (o *Org) TakeAuthnUsername(username string) (limit, remaining int, reset time.Time, ok bool) {
	o.mu.RLock()
	if o.authn.txs == nil { // the authn stores are made under the write lock
		o.mu.RUnlock()
		o.mu.Lock()
		defer o.mu.Unlock()
		o.authnInit()
		return o.takeAuthnUsername(username)
	}
	defer o.mu.RUnlock()
	return o.takeAuthnUsername(username)
}

func (o *Org) takeAuthnUsername(username string) (limit, remaining int, reset time.Time, ok bool) {
	if limit = o.authnUsernameLimit(); limit == 0 {
		return 0, 0, time.Time{}, true
	}
	key := strings.ToLower(strings.TrimSpace(username))
	now := o.clock.Now()
	o.hot.Lock()
	defer o.hot.Unlock()
	w := o.authn.userRate[key]
	if w == nil || !now.Before(w.start.Add(AuthnUsernameWindow)) || now.Before(w.start) {
		if len(o.authn.userRate) > 10000 {
			o.authn.userRate = map[string]*rateWindow{}
		}
		w = &rateWindow{start: now.Truncate(AuthnUsernameWindow)}
		o.authn.userRate[key] = w
	}
	reset = w.start.Add(AuthnUsernameWindow)
	if w.count >= limit {
		return limit, 0, reset, false
	}
	w.count++
	return limit, limit - w.count, reset, true
}

// SetAuthnUsernameLimit changes the per-username authn limit (attempts per
// AuthnUsernameWindow); 0 lifts it, for load tests (control plane). It is
// not an Okta setting: real orgs keep AuthnUsernameLimit.
func (o *Org) SetAuthnUsernameLimit(n int) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.authnInit()
	o.authn.userLimit = n
	if n == 0 {
		o.authn.userLimit = -1
	}
	o.authn.userRate = map[string]*rateWindow{}
}

// AuthnUsernameLimit returns the per-username authn limit in force; 0
// means lifted.
func (o *Org) AuthnUsernameLimit() int {
	o.mu.RLock()
	defer o.mu.RUnlock()
	return o.authnUsernameLimit()
}

func (o *Org) authnUsernameLimit() int {
	switch n := o.authn.userLimit; {
	case n < 0:
		return 0
	case n == 0:
		return AuthnUsernameLimit
	default:
		return n
	}
}
