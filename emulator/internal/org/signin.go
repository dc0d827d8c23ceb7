package org

import "errors"

// The steps of an ordinary sign-in — primary authentication with a
// password (Authenticate), verifying a TOTP factor (AuthnVerifyFactor) and
// opening a session from the sessionToken (CreateSessionFromToken) — are
// what load on an org is made of. Under one exclusive org lock they queued
// behind each other (and behind a lock holder the OS had descheduled), so
// they run in shared mode:
//
//   - o.mu is held for reading: users, factors, policies, groups and apps
//     are only changed under the exclusive lock, so they stand still;
//   - the user's signin lock serializes shared steps on one user: its
//     failed-password count, LastLogin, its factors' last TOTP step and
//     LastUpdated, and its transactions' fields;
//   - o.hot guards the maps those steps share with each other: authn
//     transactions (and their expiry), sessionTokens, remembered devices,
//     auto-push settings and sessions, and the per-username authn counts
//     (TakeAuthnUsername, which runs in shared mode too).
//
// A shared step never changes anything else: where the exclusive code
// would (a wrong password or passcode counts towards lockout, a locked-out
// user may auto-unlock, the org synthesises a factor, an expired entry is
// forgotten, a push, SMS or WebAuthn factor, a first sign-in making the
// stores), it returns errExclusive before changing anything and the step
// runs again under the exclusive lock. Functions that read what shared
// steps change hold o.mu exclusively (sessions, snapshots), or for reading
// with the user's signin lock (user and factor views, userRead). Both
// modes run the same code; holding o.hot or the signin lock under the
// exclusive lock is harmless.
var errExclusive = errors.New("org: step needs the exclusive lock")

// signInStep runs step in shared mode and, if it returns errExclusive,
// again under the exclusive lock; a step that succeeds there prepares
// shared mode for the next ones (prepareSignIn).
func signInStep[T any](o *Org, step func(shared bool) (T, error)) (T, error) {
	if v, err := sharedStep(o, step); err != errExclusive {
		return v, err
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	v, err := step(false)
	if err == nil {
		o.prepareSignIn()
	}
	return v, err
}

// userRead runs read on user idOrLogin (an id or a login) with what
// shared steps change about the user standing still: first in shared mode,
// o.mu for reading and the user's signin lock, so reads (GET a user, its
// factors) run beside sign-ins and leave the org's generation, and with it
// the caches (cache.go), as it was. read returns errExclusive to run again
// under the exclusive lock. Unlike a sign-in step it needs no stores
// (storesReady) and makes none; the exclusive fallback makes only what
// syncing the org's own factors makes (syncAutoFactors).
func userRead[T any](o *Org, idOrLogin string, read func(u *user, shared bool) (T, error)) (T, error) {
	step := func(shared bool) (T, error) {
		u, err := o.lookupUser(idOrLogin)
		if err != nil {
			var zero T
			return zero, err
		}
		u.signin.Lock()
		defer u.signin.Unlock()
		return read(u, shared)
	}
	o.mu.RLock()
	v, err := step(true)
	o.mu.RUnlock()
	if err != errExclusive {
		return v, err
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	return step(false)
}

// sharedStep runs step in shared mode, o.mu held for reading, once the
// org has made what shared steps read (storesReady).
func sharedStep[T any](o *Org, step func(shared bool) (T, error)) (T, error) {
	o.mu.RLock()
	defer o.mu.RUnlock()
	if !o.storesReady() {
		var zero T
		return zero, errExclusive
	}
	return step(true)
}

// storesReady reports whether what the org makes on first use and a
// sign-in step reads exists: the authn and session stores, the factor
// state with its authenticators and org factors (prepareSignIn makes them
// under the exclusive lock).
func (o *Org) storesReady() bool {
	return o.authn.txs != nil && o.sess.sessions != nil && o.fx != nil && o.fx.auths != nil && o.fx.orgFactors != nil
}

// prepareSignIn makes what storesReady looks for, after a step that
// succeeded under the exclusive lock (a refused request leaves the org as
// it was); the caller holds o.mu exclusively.
func (o *Org) prepareSignIn() {
	o.authnInit()
	o.sessInit()
	o.authList()
	o.fxs().orgFactorList()
}
