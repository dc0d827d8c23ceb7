package org

import (
	"slices"
	"time"

	"github.com/oktaemu/oktaemu/emulator/internal/okta"
)

// SessionTokenLifetime is how long a sessionToken minted by a successful
// authn transaction can be redeemed (authn.md §1.7: 5 minutes, one-time).
const SessionTokenLifetime = 5 * time.Minute

// SessionGrant is what a sessionToken proves: who signed in, how, and when.
// The Sessions API (POST /api/v1/sessions), sessionCookieRedirect and OAuth
// `sessionToken` turn it into a session.
type SessionGrant struct {
	UserID string
	// AMR lists the authentication methods used, in RFC 8176 words
	// ("pwd", then "mfa" plus the factor's method: "otp", "sms", "tel",
	// "swk", "kba", "hwk", "email").
	AMR []string
	// PasswordVerified is when the password was checked (zero when the
	// transaction did not check one, e.g. recovery by token).
	PasswordVerified time.Time
	// FactorVerified is when a second factor was verified or enrolled;
	// zero when none was.
	FactorVerified time.Time
	// ExpiresAt is when the token stops being redeemable.
	ExpiresAt time.Time
}

type sessionTokenRec struct {
	grant SessionGrant
}

// mintSessionToken stores a one-time sessionToken for g; the caller holds
// o.mu (read or write: it stores the token under o.hot). Tokens look like
// Okta's ("20111" and 50 url-safe characters).
func (o *Org) mintSessionToken(g SessionGrant) (string, time.Time) {
	o.authnInit()
	token := "20111" + o.ids.Random(50)
	key := o.macKey("sessionToken", token)
	g.AMR = slices.Clone(g.AMR)
	g.ExpiresAt = o.clock.Now().Add(SessionTokenLifetime)
	o.hot.Lock()
	defer o.hot.Unlock()
	o.sweepSessionTokens()
	o.authn.sessionTokens[key] = &sessionTokenRec{grant: g}
	return token, g.ExpiresAt
}

// sweepSessionTokens forgets expired sessionTokens (sweepExpired): tokens
// a client never redeems would otherwise stay for the life of the org. The
// caller holds o.hot.
func (o *Org) sweepSessionTokens() {
	now := o.clock.Now()
	sweepExpired(o.authn.sessionTokens, &o.authn.tokenSweep, func(r *sessionTokenRec) bool { return !now.Before(r.grant.ExpiresAt) })
}

// IssueSessionToken mints a sessionToken for grant, as a successful authn
// transaction does; tests and the control plane use it to skip the
// sign-in dance. UserID must name an existing user.
func (o *Org) IssueSessionToken(g SessionGrant) (string, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if _, err := o.lookupUser(g.UserID); err != nil {
		return "", err
	}
	t, _ := o.mintSessionToken(g)
	return t, nil
}

// RedeemSessionToken consumes a sessionToken: it is good once, until
// SessionTokenLifetime after minting (org clock). An unknown, used or expired
// token is 401 E0000004 "Authentication failed" (errors.md: suggested for
// POST /api/v1/sessions with a bad sessionToken). The grant's user may have
// changed since; callers check its status.
func (o *Org) RedeemSessionToken(token string) (SessionGrant, error) {
	key := o.sessionTokenKey(token) // before locking: the pepper never changes
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.redeemSessionToken(token, key)
}

func (o *Org) sessionTokenKey(token string) string { return o.macKey("sessionToken", token) }

// redeemSessionToken is RedeemSessionToken under o.mu, key its
// sessionTokenKey.
func (o *Org) redeemSessionToken(token, key string) (SessionGrant, error) {
	o.authnInit()
	o.hot.Lock()
	rec, ok := o.authn.sessionTokens[key]
	if ok && token != "" {
		delete(o.authn.sessionTokens, key)
	}
	o.hot.Unlock()
	if !ok || token == "" {
		return SessionGrant{}, okta.Errorf(okta.E0000004)
	}
	if !o.clock.Now().Before(rec.grant.ExpiresAt) {
		return SessionGrant{}, okta.Errorf(okta.E0000004)
	}
	g := rec.grant
	g.AMR = slices.Clone(g.AMR)
	return g, nil
}
