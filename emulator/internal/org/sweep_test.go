package org

import (
	"testing"
	"time"
)

// Unredeemed sessionTokens and abandoned transactions are forgotten once
// expired, so a long-running org does not grow with every sign-in; live
// ones stay.
func TestExpiredTokensAndTransactionsAreSwept(t *testing.T) {
	o := authnOrg(t, "classic")
	uid := o.lookupLogin("alice@example.com").ID
	o.mu.Lock()
	defer o.mu.Unlock()
	for range 2 * minSweep {
		o.mintSessionToken(SessionGrant{UserID: uid})
		o.newTx(uid)
	}
	o.clock.Set(o.clock.Now().Add(SessionTokenLifetime + StateTokenLifetime + time.Second))
	live, _ := o.mintSessionToken(SessionGrant{UserID: uid})
	_, liveTx := o.newTx(uid)
	for range minSweep {
		o.mintSessionToken(SessionGrant{UserID: uid})
		o.newTx(uid)
	}
	if n := len(o.authn.sessionTokens); n > 2*minSweep {
		t.Errorf("%d sessionTokens kept after expiry, want at most %d", n, 2*minSweep)
	}
	if n := len(o.authn.txs); n > 2*minSweep {
		t.Errorf("%d transactions kept after expiry, want at most %d", n, 2*minSweep)
	}
	if _, ok := o.authn.sessionTokens[string(o.mac("sessionToken", live))]; !ok {
		t.Error("a live sessionToken was swept")
	}
	if _, ok := o.authn.txs[string(o.mac("stateToken", liveTx))]; !ok {
		t.Error("a live transaction was swept")
	}
}
