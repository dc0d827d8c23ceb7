package org

import "time"

// authnState is the org's part of the Classic authentication API: live
// transactions (keyed by the digest of their stateToken), one-time session
// and recovery-transaction tokens, remembered devices and the per-username
// rate-limit windows. Every field is read and written under o.mu; shared
// sign-in steps (signin.go) hold o.hot too for txs, sessionTokens,
// remembered and autoPush.
type authnState struct {
	txs           map[string]*authnTx
	sessionTokens map[string]*sessionTokenRec
	// remembered maps user+device to the end of a remember-device grant
	// (zero time: until the device changes).
	remembered map[string]time.Time
	// autoPush is the saved auto-push preference per push factor id.
	autoPush map[string]bool
	// userRate are the per-username windows of POST /api/v1/authn.
	userRate map[string]*rateWindow
	// userLimit is the per-username limit set on the control plane: 0
	// for Okta's AuthnUsernameLimit, -1 for none.
	userLimit int
	// numberChallenge makes every authn push a number challenge.
	numberChallenge bool
	// txSweep and tokenSweep are the sizes of txs and sessionTokens at
	// which expired entries are next swept: sweeping when a map has
	// doubled keeps the cost per sign-in constant.
	txSweep, tokenSweep int
}

// minSweep is the smallest map size at which expired entries are swept.
const minSweep = 256

// sweepExpired deletes the entries of m that expired says are over, once
// m has doubled since the last sweep (*at holds the size at which the next
// one is due): the cost per insert stays constant. Readers still refuse an
// expired entry found between sweeps.
func sweepExpired[V any](m map[string]V, at *int, expired func(V) bool) {
	if len(m) < max(*at, minSweep) {
		return
	}
	for k, v := range m {
		if expired(v) {
			delete(m, k)
		}
	}
	*at = max(minSweep, 2*len(m))
}

type rateWindow struct {
	start time.Time
	count int
}

// authnInit makes the maps; the caller holds o.mu (write; in a shared
// sign-in step, storesReady says they exist).
func (o *Org) authnInit() {
	if o.authn.txs != nil {
		return
	}
	o.authn = authnState{txs: map[string]*authnTx{}, sessionTokens: map[string]*sessionTokenRec{},
		remembered: map[string]time.Time{}, autoPush: map[string]bool{}, userRate: map[string]*rateWindow{}}
}
