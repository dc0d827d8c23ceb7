package org

import (
	"slices"
	"strings"
	"time"

	"github.com/oktaemu/oktaemu/emulator/internal/okta"
)

// Session is an Okta session (sessions.md §3) as callers see it.
type Session struct {
	ID     string
	UserID string
	Login  string
	// UserName is the user's "firstName lastName" (the name of the
	// session's user link), filled in views; stored sessions leave it out.
	UserName string `snapshot:"-"`
	// Status is ACTIVE: sessions are made from sessionTokens, which authn
	// mints only once every required factor is verified.
	Status    string
	Created   time.Time
	ExpiresAt time.Time
	// LastPasswordVerification and LastFactorVerification are zero when
	// the sign-in verified no password or no factor.
	LastPasswordVerification time.Time
	LastFactorVerification   time.Time
	AMR                      []string
	// IdPID and IdPType are the identity provider: the org itself, OKTA.
	IdPID, IdPType string
	// MFAActive: the user has an ACTIVE factor.
	MFAActive bool
	// Cookie names the session cookie that carries the session: "sid" for
	// sessions made through the Sessions API, "idx" for Identity Engine
	// sign-ins (sessions.md §4).
	Cookie string
}

// Session cookie names (sessions.md §4).
const (
	CookieSID = "sid"
	CookieIDX = "idx"
)

// CookieTokenLifetime is how long a cookieToken can be redeemed
// (suggested: Okta documents it only as one-time and short-lived).
const CookieTokenLifetime = SessionTokenLifetime

type sessionRec struct {
	Session
	idle, lifetime time.Duration
}

type cookieTokenRec struct {
	sessionID string
	expiresAt time.Time
}

// sessionStore is the Sessions API's state; every field is read and written
// under o.mu (a shared sign-in step adds to sessions under o.hot too:
// signin.go).
type sessionStore struct {
	sessions map[string]*sessionRec
	// cookieTokens maps the digest of a one-time cookieToken to its session.
	cookieTokens map[string]cookieTokenRec
	// forgotten is when DELETE /users/{id}/sessions?forgetDevices=true last
	// ran for each user.
	forgotten map[string]time.Time
}

func (o *Org) sessInit() {
	if o.sess.sessions == nil {
		o.sess = sessionStore{sessions: map[string]*sessionRec{}, cookieTokens: map[string]cookieTokenRec{},
			forgotten: map[string]time.Time{}}
	}
}

// SessionIDPrefix starts every session id; ids look like Okta's
// ("102" and 22 url-safe characters, 25 in all).
const SessionIDPrefix = "102"

// CreateSessionFromToken is POST /api/v1/sessions: it redeems a
// sessionToken (RedeemSessionToken: single use; unknown, used or expired is
// 401 E0000004) and opens a sid session for the grant.
func (o *Org) CreateSessionFromToken(token string) (Session, error) {
	key := o.sessionTokenKey(token)
	return signInStep(o, func(bool) (Session, error) { return o.sessionFromToken(token, key) })
}

// sessionFromToken is CreateSessionFromToken under o.mu, shared or
// exclusive (signin.go): it changes only the sign-in stores, and once the
// token is redeemed nothing turns back.
func (o *Org) sessionFromToken(token, key string) (Session, error) {
	g, err := o.redeemSessionToken(token, key)
	if err != nil {
		return Session{}, err
	}
	return o.createSession(g, CookieSID)
}

// CreateSession opens a session for a sign-in grant, carried by cookie
// (CookieSID or CookieIDX). Its expiry comes from the sign-on policy in
// force for the user (SignOnFor: idle lifetime, capped by the maximum
// lifetime). A user who is no longer ACTIVE gets 401 E0000004.
func (o *Org) CreateSession(g SessionGrant, cookie string) (Session, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.createSession(g, cookie)
}

func (o *Org) createSession(g SessionGrant, cookie string) (Session, error) {
	o.sessInit()
	u, ok := o.users[g.UserID]
	if !ok || u.Status != okta.UserActive {
		return Session{}, okta.Errorf(okta.E0000004)
	}
	if cookie == "" {
		cookie = CookieSID
	}
	now := o.clock.Now()
	so := o.signOnFor(u.ID)
	rec := &sessionRec{Session: Session{ID: SessionIDPrefix + o.ids.Random(22), UserID: u.ID, Status: StatusActive,
		Created: now, LastPasswordVerification: g.PasswordVerified, LastFactorVerification: g.FactorVerified,
		AMR: slices.Clone(g.AMR), IdPID: o.id, IdPType: "OKTA", Cookie: cookie},
		idle: so.MaxSessionIdle, lifetime: so.MaxSessionLifetime}
	if len(rec.AMR) == 0 && !g.PasswordVerified.IsZero() {
		rec.AMR = []string{"pwd"}
	}
	rec.ExpiresAt = rec.expiry(now)
	o.hot.Lock()
	o.sess.sessions[rec.ID] = rec
	o.hot.Unlock()
	return o.sessionView(rec), nil
}

func (r *sessionRec) expiry(now time.Time) time.Time {
	exp := now.Add(r.idle)
	if r.lifetime > 0 && r.Created.Add(r.lifetime).Before(exp) {
		exp = r.Created.Add(r.lifetime)
	}
	return exp
}

// liveSession returns session id if it exists, has not expired and its user
// is still ACTIVE (a deactivated, suspended or deleted user's sessions
// end); the caller holds o.mu.
func (o *Org) liveSession(id string) (*sessionRec, bool) {
	if o.sess.sessions == nil {
		return nil, false
	}
	r, ok := o.sess.sessions[id]
	if !ok {
		return nil, false
	}
	u, uok := o.users[r.UserID]
	if !o.clock.Now().Before(r.ExpiresAt) || !uok || u.Status != okta.UserActive {
		return nil, false
	}
	return r, true
}

func (o *Org) sessionView(r *sessionRec) Session {
	s := r.Session
	s.AMR = slices.Clone(r.AMR)
	if u, ok := o.users[r.UserID]; ok {
		s.Login = u.Login()
		s.UserName = u.DisplayName()
		for _, f := range u.factors {
			if f.Status == okta.FactorActive {
				s.MFAActive = true
				break
			}
		}
	}
	return s
}

// Session returns a live session by id; unknown or expired is 404
// E0000007 "Resource not found: <id> (Session)".
func (o *Org) Session(id string) (Session, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	r, ok := o.liveSession(id)
	if !ok {
		return Session{}, okta.NotFound(id, "Session")
	}
	return o.sessionView(r), nil
}

// RefreshSession extends a live session: expiresAt becomes now plus its
// idle lifetime (capped by its maximum lifetime); verification times are
// unchanged (sessions.md §6.3).
func (o *Org) RefreshSession(id string) (Session, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	r, ok := o.liveSession(id)
	if !ok {
		return Session{}, okta.NotFound(id, "Session")
	}
	r.ExpiresAt = r.expiry(o.clock.Now())
	return o.sessionView(r), nil
}

// EndSession closes a live session (DELETE /api/v1/sessions/{id}).
func (o *Org) EndSession(id string) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if _, ok := o.liveSession(id); !ok {
		return okta.NotFound(id, "Session")
	}
	delete(o.sess.sessions, id)
	return nil
}

// EndUserSessions is DELETE /api/v1/users/{uid}/sessions: it closes every
// session of the user. forgetDevices also forgets the devices the user
// asked to remember in authn (their MFA prompt comes back) and records the
// time, see DevicesForgottenAt. An unknown user is 404.
func (o *Org) EndUserSessions(uid string, forgetDevices bool) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	u, err := o.lookupUser(uid)
	if err != nil {
		return err
	}
	o.sessInit()
	for id, r := range o.sess.sessions {
		if r.UserID == u.ID {
			delete(o.sess.sessions, id)
		}
	}
	if forgetDevices {
		o.sess.forgotten[u.ID] = o.clock.Now()
		// authn keys remembered devices by user id, NUL, device token.
		for k := range o.authn.remembered {
			if strings.HasPrefix(k, u.ID+"\x00") {
				delete(o.authn.remembered, k)
			}
		}
	}
	return nil
}

// DevicesForgottenAt is when the user's remembered devices were last
// forgotten by DELETE /users/{id}/sessions?forgetDevices=true; zero if
// never. A remembered-device grant older than this no longer counts.
func (o *Org) DevicesForgottenAt(uid string) time.Time {
	o.mu.RLock()
	defer o.mu.RUnlock()
	return o.sess.forgotten[uid]
}

// UserSessions lists the live sessions of user uid, oldest first.
func (o *Org) UserSessions(uid string) []Session {
	o.mu.Lock()
	defer o.mu.Unlock()
	var out []Session
	for id := range o.sess.sessions {
		if r, ok := o.liveSession(id); ok && r.UserID == uid {
			out = append(out, o.sessionView(r))
		}
	}
	slices.SortFunc(out, func(a, b Session) int {
		if c := a.Created.Compare(b.Created); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return out
}

// IssueCookieToken mints a one-time cookieToken for live session sid
// (POST /api/v1/sessions?additionalFields=cookieToken, Classic).
func (o *Org) IssueCookieToken(sid string) (string, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if _, ok := o.liveSession(sid); !ok {
		return "", okta.NotFound(sid, "Session")
	}
	token := "20111" + o.ids.Random(38)
	o.sess.cookieTokens[o.macKey("cookieToken", token)] = cookieTokenRec{sessionID: sid,
		expiresAt: o.clock.Now().Add(CookieTokenLifetime)}
	return token, nil
}

// RedeemCookieToken consumes a cookieToken and returns its live session.
// Unknown, used or expired tokens, or a session that has ended, are 401
// E0000004.
func (o *Org) RedeemCookieToken(token string) (Session, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.sessInit()
	key := o.macKey("cookieToken", token)
	rec, ok := o.sess.cookieTokens[key]
	if !ok || token == "" {
		return Session{}, okta.Errorf(okta.E0000004)
	}
	delete(o.sess.cookieTokens, key)
	r, live := o.liveSession(rec.sessionID)
	if !live || !o.clock.Now().Before(rec.expiresAt) {
		return Session{}, okta.Errorf(okta.E0000004)
	}
	return o.sessionView(r), nil
}
