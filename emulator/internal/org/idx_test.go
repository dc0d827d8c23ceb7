package org

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/oktaemu/oktaemu/emulator/internal/okta"
	"github.com/oktaemu/oktaemu/fixtures"
)

func TestPKCEChallenge(t *testing.T) {
	// RFC 7636 appendix B.
	if got := PKCEChallenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"); got != "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM" {
		t.Errorf("PKCEChallenge = %s", got)
	}
}

func TestRedeemInteractionCode(t *testing.T) {
	o := New(Options{Engine: okta.Identity, Clock: NewFrozenClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))})
	const verifier = "verifier-verifier-verifier-verifier-verifier-00"
	mint := func(as string) string {
		t0 := o.StartInteraction(Interaction{ClientID: "c1", AuthServerID: as, CodeChallenge: PKCEChallenge(verifier)})
		var code string
		if _, err := o.UpdateInteraction(t0.Handle, "", func(t *Interaction) error {
			code = o.MintInteractionCode(t)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		return code
	}
	tests := []struct {
		name                 string
		as, client, verifier string
		redeemAS             string
		advance              time.Duration
		wantCode, wantDesc   string
	}{
		{"ok", "default", "c1", verifier, "default", 0, "", ""},
		{"no verifier", "default", "c1", "", "default", 0, "invalid_request", OAuthVerifierRequired},
		{"bad verifier", "default", "c1", "nope", "default", 0, "invalid_grant", OAuthPKCEFailed},
		{"other client", "default", "c2", verifier, "default", 0, "invalid_grant", OAuthOtherClient},
		{"other server", "default", "c1", verifier, "", 0, "invalid_grant", OAuthInvalidCode},
		{"expired", "default", "c1", verifier, "default", InteractionCodeLifetime, "invalid_grant", OAuthInvalidCode},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code := mint(tc.as)
			o.Clock().Advance(tc.advance)
			_, err := o.RedeemInteractionCode(code, tc.client, tc.redeemAS, tc.verifier)
			var got [2]string
			if err != nil {
				got = [2]string{err.Code, err.Description}
			}
			if diff := cmp.Diff([2]string{tc.wantCode, tc.wantDesc}, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			if err == nil {
				if _, again := o.RedeemInteractionCode(code, tc.client, tc.redeemAS, tc.verifier); again == nil || again.Description != OAuthInvalidCode {
					t.Errorf("second redemption: %v", again)
				}
			}
		})
	}
}

func TestInteractionExpiry(t *testing.T) {
	o := New(Options{Engine: okta.Identity, Clock: NewFrozenClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))})
	t0 := o.StartInteraction(Interaction{ClientID: "c1"})
	o.Clock().Advance(InteractionLifetime - time.Second)
	if _, err := o.UpdateInteraction("", t0.StateHandle, func(*Interaction) error { return nil }); err != nil {
		t.Fatalf("live transaction: %v", err)
	}
	o.Clock().Advance(InteractionLifetime - time.Second) // slid by the step above
	if _, err := o.UpdateInteraction(t0.Handle, "", func(*Interaction) error { return nil }); err != nil {
		t.Fatalf("slid transaction: %v", err)
	}
	o.Clock().Advance(InteractionLifetime)
	if _, err := o.UpdateInteraction("", t0.StateHandle, func(*Interaction) error { return nil }); err != ErrInteractionExpired {
		t.Fatalf("idle transaction: %v", err)
	}
}

func TestIDXPolicyFor(t *testing.T) {
	fx, err := fixtures.Load("identity-default")
	if err != nil {
		t.Fatal(err)
	}
	o, err := Seed(fx, Options{Engine: okta.Identity})
	if err != nil {
		t.Fatal(err)
	}
	const app = "0oaoidcapp0000000000"
	summary := func(p IDXPolicy) []any {
		return []any{p.Deny, p.Factors, p.PasswordRequired, p.EnrollAction, p.Recovery, p.SelfServiceUnlock, len(p.Enroll)}
	}
	tests := []struct {
		uid  string
		want []any
	}{
		{"00ualice000000000000", []any{false, 1, true, "CHALLENGE", []string{"okta_email", "phone_number"}, true, 6}},
		{"00ubob00000000000000", []any{false, 2, true, "CHALLENGE", []string{"okta_email", "phone_number"}, true, 6}},
		{"", []any{false, 1, true, "CHALLENGE", []string{"okta_email", "phone_number"}, true, 6}},
	}
	for _, tc := range tests {
		if diff := cmp.Diff(tc.want, summary(o.IDXPolicyFor(app, tc.uid))); diff != "" {
			t.Errorf("%q (-want +got):\n%s", tc.uid, diff)
		}
	}
	if !o.PasswordFirst() {
		t.Error("default global session policy (PASSWORD_IDP) should put the password first")
	}
	// An app authentication policy wins over the global session policy.
	o.PutPolicy(Policy{Type: okta.PolicyAccess, Name: "App", Priority: 1,
		Conditions: map[string]any{"apps": map[string]any{"include": []any{app}}},
		Rules: []Rule{{Name: "2FA", Actions: map[string]any{"appSignOn": map[string]any{"access": "ALLOW",
			"verificationMethod": map[string]any{"factorMode": "2FA", "type": "ASSURANCE"}}}}}})
	if got := o.IDXPolicyFor(app, "00ualice000000000000").Factors; got != 2 {
		t.Errorf("with a 2FA app policy alice needs %d factors", got)
	}
	if got := o.IDXPolicyFor("0oaother", "00ualice000000000000").Factors; got != 1 {
		t.Errorf("another app needs %d factors", got)
	}
}
