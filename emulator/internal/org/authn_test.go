package org

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/pquerna/otp/totp"

	"github.com/oktaemu/oktaemu/emulator/internal/okta"
	"github.com/oktaemu/oktaemu/fixtures"
)

var authnT0 = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

// authnOrg seeds an org from a default fixture on a frozen clock.
func authnOrg(t *testing.T, engine string) *Org {
	t.Helper()
	fx, err := fixtures.Load(fixtures.Default(engine))
	if err != nil {
		t.Fatal(err)
	}
	opts := Options{Engine: okta.Engine(engine), Clock: NewFrozenClock(authnT0)}
	if engine == "identity" {
		// What the server passes for Identity Engine (engine.Profile:
		// AdminCreatedEmailVerified, FactorRules rows 2-3).
		opts.VerifiedEmailOnCreate = true
		opts.Factors = FactorRules{AutoEmailFactor: true, RecoveryQuestionFactor: true}
	}
	o, err := Seed(fx, opts)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// The two engines' authn values (engine.Profile fields AuthnAudience,
// AuthnRelayState, AuthnDeviceToken, AuthnDenyIEOnlyRecovery).
var (
	classicAuthn  = AuthnEngine{AudienceSupported: true, KeepRelayState: true, DeviceTokenRecognized: true}
	identityAuthn = AuthnEngine{DenyIEOnlyRecovery: true}
)

func TestSessionTokenSingleUseAndExpiry(t *testing.T) {
	o := authnOrg(t, "classic")
	tx, err := o.Authenticate(PrimaryAuth{Username: "alice@example.com", Password: "Pa55word!Emu"}, classicAuthn)
	if err != nil || tx.Status != AuthnSuccess {
		t.Fatalf("%v %+v", err, tx)
	}
	g, err := o.RedeemSessionToken(tx.SessionToken)
	if err != nil {
		t.Fatal(err)
	}
	want := SessionGrant{UserID: "00ualice000000000000", AMR: []string{"pwd"}, PasswordVerified: authnT0,
		ExpiresAt: authnT0.Add(SessionTokenLifetime)}
	if diff := cmp.Diff(want, g); diff != "" {
		t.Fatalf("grant (-want +got):\n%s", diff)
	}
	if _, err := o.RedeemSessionToken(tx.SessionToken); !okta.Is(err, okta.E0000004) {
		t.Fatalf("second redeem: %v", err)
	}
	// Expiry by the clock.
	o.Clock().Advance(time.Second)
	tx, _ = o.Authenticate(PrimaryAuth{Username: "alice@example.com", Password: "Pa55word!Emu"}, classicAuthn)
	o.Clock().Advance(SessionTokenLifetime)
	if _, err := o.RedeemSessionToken(tx.SessionToken); !okta.Is(err, okta.E0000004) {
		t.Fatalf("expired redeem: %v", err)
	}
	if _, err := o.RedeemSessionToken(""); !okta.Is(err, okta.E0000004) {
		t.Fatalf("empty: %v", err)
	}
}

func TestSessionTokenAfterMFA(t *testing.T) {
	o := authnOrg(t, "classic")
	tx, _ := o.Authenticate(PrimaryAuth{Username: "carol@example.com", Password: "Pa55word!Emu"}, classicAuthn)
	o.Clock().Advance(2 * time.Second)
	done, err := o.AuthnVerifyFactor(tx.StateToken, "ufscarol000000000000", AuthnVerify{Answer: "brussels sprouts"})
	if err != nil || done.Status != AuthnSuccess {
		t.Fatalf("%v %+v", err, done)
	}
	g, err := o.RedeemSessionToken(done.SessionToken)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"pwd", "mfa", "kba"}, g.AMR); diff != "" || !g.PasswordVerified.Equal(authnT0) ||
		!g.FactorVerified.Equal(authnT0.Add(2*time.Second)) {
		t.Fatalf("grant %+v %s", g, diff)
	}
}

// setRule replaces the actions of the first rule of the policy of type typ.
func setRule(t *testing.T, o *Org, typ okta.PolicyType, name string, actions map[string]any) {
	t.Helper()
	for _, p := range o.Policies(typ) {
		for i, r := range p.Rules {
			if r.Name == name {
				p.Rules[i].Actions = actions
				o.PutPolicy(p)
				return
			}
		}
	}
	t.Fatalf("no %s rule %q", typ, name)
}

func TestAuthnRecoveryDeniedForIEOnlyOptions(t *testing.T) {
	ieOnly := map[string]any{
		"passwordChange":           map[string]any{"access": "ALLOW"},
		"selfServiceUnlock":        map[string]any{"access": "ALLOW"},
		"selfServicePasswordReset": map[string]any{"access": "ALLOW", "requirement": map[string]any{"primary": map[string]any{"methods": []any{"push"}}}},
	}
	for _, tc := range []struct {
		name   string
		engine AuthnEngine
		denied bool
	}{
		{"classic", classicAuthn, false},
		{"identity", identityAuthn, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := authnOrg(t, tc.name)
			setRule(t, o, okta.PolicyPassword, "Default Rule", ieOnly)
			// Trusted: 403 E0000006 where denied, a recoveryToken otherwise.
			tr, err := o.AuthnRecover(Recovery{Username: "alice@example.com", Type: RecoveryTypePassword, Trusted: true}, tc.engine)
			if tc.denied != okta.Is(err, okta.E0000006) || (!tc.denied && tr.RecoveryToken == "") {
				t.Fatalf("trusted: %v %+v", err, tr)
			}
			// Public SMS: a challenge that looks the same; verify is denied.
			pub, err := o.AuthnRecover(Recovery{Username: "carol@example.com", FactorType: "sms", Type: RecoveryTypePassword}, tc.engine)
			if err != nil || pub.Status != AuthnRecoveryChallenge || pub.StateToken == "" {
				t.Fatalf("public: %v %+v", err, pub)
			}
			code := ""
			if msgs := o.Outbox("00ucarol000000000000"); len(msgs) > 0 {
				code = msgs[len(msgs)-1].Code
			}
			_, err = o.AuthnRecoveryVerify(pub.StateToken, "SMS", code)
			if tc.denied != okta.Is(err, okta.E0000006) || (!tc.denied && err != nil) {
				t.Fatalf("verify: %v (code %q)", err, code)
			}
		})
	}
}

func TestAuthnRememberDevice(t *testing.T) {
	for _, tc := range []struct {
		name   string
		engine AuthnEngine
		// a second sign-in with the same deviceToken (trusted app) but a
		// new browser cookie skips MFA only where deviceToken identifies
		// the device (engines.md row 36)
		tokenSkips bool
	}{
		{"classic", classicAuthn, true},
		{"identity", identityAuthn, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := authnOrg(t, tc.name)
			setRule(t, o, okta.PolicySignOn, "MFA for mfa-required", map[string]any{"signon": map[string]any{
				"access": "ALLOW", "requireFactor": true, "factorPromptMode": "SESSION", "factorLifetime": 15,
				"rememberDeviceByDefault": false}})
			signIn := func(cookie, deviceToken string) AuthnTransaction {
				t.Helper()
				o.Clock().Advance(time.Second)
				tx, err := o.Authenticate(PrimaryAuth{Username: "bob@example.com", Password: "Pa55word!Emu", DeviceCookie: cookie,
					DeviceToken: deviceToken, Trusted: true}, tc.engine)
				if err != nil {
					t.Fatal(err)
				}
				return tx
			}
			tx := signIn("cookie-1", "device-1")
			if tx.Status != AuthnMFARequired || !tx.Remember.AllowRememberDevice || tx.Remember.RememberDeviceLifetimeInMinutes != 15 {
				t.Fatalf("first: %+v", tx)
			}
			secret := "JBSWY3DPEHPK3PXP"
			code := totpAt(t, secret, o.Now())
			done, err := o.AuthnVerifyFactor(tx.StateToken, "ostfbob0000000000000", AuthnVerify{PassCode: code, RememberDevice: true})
			if err != nil || done.Status != AuthnSuccess {
				t.Fatalf("%v %+v", err, done)
			}
			if got := signIn("cookie-1", "").Status; got != AuthnSuccess {
				t.Fatalf("same cookie: %s", got)
			}
			if got := signIn("cookie-2", "device-1").Status; (got == AuthnSuccess) != tc.tokenSkips {
				t.Fatalf("same deviceToken, new cookie: %s", got)
			}
			if got := signIn("cookie-3", "").Status; got != AuthnMFARequired {
				t.Fatalf("new device: %s", got)
			}
			// The grant lasts factorLifetime.
			o.Clock().Advance(16 * time.Minute)
			if got := signIn("cookie-1", "").Status; got != AuthnMFARequired {
				t.Fatalf("after lifetime: %s", got)
			}
		})
	}
}

func TestAuthnPasswordWarn(t *testing.T) {
	o := authnOrg(t, "classic")
	for _, p := range o.Policies(okta.PolicyPassword) {
		pw := p.Settings["password"].(map[string]any)
		pw["age"] = map[string]any{"maxAgeDays": 30, "expireWarnDays": 5, "minAgeMinutes": 0, "historyCount": 0}
		o.PutPolicy(p)
	}
	o.Clock().Advance(26 * 24 * time.Hour) // 4 days left
	sign := func(warn bool) AuthnTransaction {
		t.Helper()
		o.Clock().Advance(time.Second)
		tx, err := o.Authenticate(PrimaryAuth{Username: "alice@example.com", Password: "Pa55word!Emu", WarnBeforePasswordExpired: warn}, classicAuthn)
		if err != nil {
			t.Fatal(err)
		}
		return tx
	}
	if got := sign(false).Status; got != AuthnSuccess {
		t.Fatalf("without the option: %s", got)
	}
	tx := sign(true)
	if tx.Status != AuthnPasswordWarn || !tx.CanSkip || tx.PasswordExpireDays != 3 {
		t.Fatalf("warn: %+v", tx)
	}
	if next, err := o.AuthnSkip(tx.StateToken); err != nil || next.Status != AuthnSuccess {
		t.Fatalf("skip: %v %+v", err, next)
	}
	o.Clock().Advance(5 * 24 * time.Hour)
	if got := sign(true).Status; got != AuthnPasswordExpired {
		t.Fatalf("expired: %s", got)
	}
}

func TestAuthnShowLockoutFailures(t *testing.T) {
	o := authnOrg(t, "classic")
	for _, p := range o.Policies(okta.PolicyPassword) {
		pw := p.Settings["password"].(map[string]any)
		pw["lockout"] = map[string]any{"maxAttempts": 3, "showLockoutFailures": true, "autoUnlockMinutes": 10}
		o.PutPolicy(p)
	}
	for i := range 3 {
		tx, err := o.Authenticate(PrimaryAuth{Username: "alice@example.com", Password: "bad"}, classicAuthn)
		if i < 2 && !okta.Is(err, okta.E0000004) {
			t.Fatalf("attempt %d: %v", i, err)
		}
		if i == 2 && (err != nil || tx.Status != AuthnLockedOut || tx.StateToken != "") {
			t.Fatalf("locking attempt: %v %+v", err, tx)
		}
	}
	tx, err := o.Authenticate(PrimaryAuth{Username: "alice@example.com", Password: "Pa55word!Emu"}, classicAuthn)
	if err != nil || tx.Status != AuthnLockedOut {
		t.Fatalf("locked: %v %+v", err, tx)
	}
	o.Clock().Advance(10 * time.Minute)
	tx, err = o.Authenticate(PrimaryAuth{Username: "alice@example.com", Password: "Pa55word!Emu"}, classicAuthn)
	if err != nil || tx.Status != AuthnSuccess {
		t.Fatalf("auto-unlocked: %v %+v", err, tx)
	}
}

func TestAuthnFactorFailuresLockUser(t *testing.T) {
	o := authnOrg(t, "classic")
	for _, p := range o.Policies(okta.PolicyPassword) {
		p.Settings["password"].(map[string]any)["lockout"] = map[string]any{"maxAttempts": 2}
		o.PutPolicy(p)
	}
	tx, _ := o.Authenticate(PrimaryAuth{Username: "bob@example.com", Password: "Pa55word!Emu"}, classicAuthn)
	if _, err := o.AuthnVerifyFactor(tx.StateToken, "ostfbob0000000000000", AuthnVerify{PassCode: "000000"}); !okta.Is(err, okta.E0000068) {
		t.Fatal(err)
	}
	if _, err := o.AuthnVerifyFactor(tx.StateToken, "ostfbob0000000000000", AuthnVerify{PassCode: "000000"}); !okta.Is(err, okta.E0000069) {
		t.Fatalf("second failure: %v", err)
	}
	if _, err := o.AuthnState(tx.StateToken); !okta.Is(err, okta.E0000011) {
		t.Fatalf("transaction after lockout: %v", err)
	}
	if u, _ := o.User("bob@example.com"); u.Status != okta.UserLockedOut {
		t.Fatalf("status %s", u.Status)
	}
}

func totpAt(t *testing.T, secret string, at time.Time) string {
	t.Helper()
	code, err := totp.GenerateCodeCustom(secret, at, TOTPOptions)
	if err != nil {
		t.Fatal(err)
	}
	return code
}

func TestAuthnHardwareAndWebAuthn(t *testing.T) {
	o := authnOrg(t, "classic")
	if _, err := o.AddFactor("00ubob00000000000000", NewFactor{ID: "ykfbob00000000000000", Type: okta.FactorHardware,
		Provider: "YUBICO", PassCodes: []string{"cccccbcdefghijkl"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := o.AddFactor("00ubob00000000000000", NewFactor{ID: "fwfbob00000000000000", Type: okta.FactorWebAuthn,
		Provider: "FIDO", Profile: map[string]any{"credentialId": "cred-1", "authenticatorName": "Key"}}); err != nil {
		t.Fatal(err)
	}
	login := func() AuthnTransaction {
		t.Helper()
		o.Clock().Advance(time.Second)
		tx, err := o.Authenticate(PrimaryAuth{Username: "bob@example.com", Password: "Pa55word!Emu"}, classicAuthn)
		if err != nil || tx.Status != AuthnMFARequired || len(tx.Factors) != 3 {
			t.Fatalf("%v %+v", err, tx)
		}
		return tx
	}
	// Hardware token: a fixture passcode, once.
	tx := login()
	if _, err := o.AuthnVerifyFactor(tx.StateToken, "ykfbob00000000000000", AuthnVerify{PassCode: "cccccbnotvalid00"}); !okta.Is(err, okta.E0000068) {
		t.Fatalf("bad yubikey code: %v", err)
	}
	if r, err := o.AuthnVerifyFactor(tx.StateToken, "ykfbob00000000000000", AuthnVerify{PassCode: "cccccbcdefghijkl"}); err != nil || r.Status != AuthnSuccess {
		t.Fatalf("%v %+v", err, r)
	}
	tx = login()
	if _, err := o.AuthnVerifyFactor(tx.StateToken, "ykfbob00000000000000", AuthnVerify{PassCode: "cccccbcdefghijkl"}); !okta.Is(err, okta.E0000068) {
		t.Fatalf("replayed yubikey code: %v", err)
	}
	// WebAuthn: a challenge, then any well-formed assertion.
	ch, err := o.AuthnVerifyFactor(tx.StateToken, "fwfbob00000000000000", AuthnVerify{})
	if err != nil || ch.Status != AuthnMFAChallenge || ch.FactorResult != "CHALLENGE" || ch.Nonce == "" {
		t.Fatalf("%v %+v", err, ch)
	}
	if _, err := o.AuthnVerifyFactor(tx.StateToken, "fwfbob00000000000000", AuthnVerify{ClientData: "e30"}); !okta.Is(err, okta.E0000068) {
		t.Fatalf("assertion without signature: %v", err)
	}
	ch, _ = o.AuthnVerifyFactor(tx.StateToken, "fwfbob00000000000000", AuthnVerify{})
	done, err := o.AuthnVerifyFactor(tx.StateToken, "fwfbob00000000000000", AuthnVerify{ClientData: "e30", SignatureData: "c2ln", AuthenticatorData: "YXV0aA"})
	if err != nil || done.Status != AuthnSuccess {
		t.Fatalf("%v %+v", err, done)
	}
}

func TestAuthnWebAuthnByType(t *testing.T) {
	o := authnOrg(t, "classic")
	for _, id := range []string{"fwfbob0000000000000a", "fwfbob0000000000000b"} {
		if _, err := o.AddFactor("00ubob00000000000000", NewFactor{ID: id, Type: okta.FactorWebAuthn, Provider: "FIDO",
			Profile: map[string]any{"credentialId": id}}); err != nil {
			t.Fatal(err)
		}
	}
	tx, err := o.Authenticate(PrimaryAuth{Username: "bob@example.com", Password: "Pa55word!Emu"}, classicAuthn)
	if err != nil || tx.Status != AuthnMFARequired || tx.ByType != "webauthn" {
		t.Fatalf("%v %+v", err, tx)
	}
	ch, err := o.AuthnVerifyFactor(tx.StateToken, ByTypeWebAuthn, AuthnVerify{})
	if err != nil || ch.Status != AuthnMFAChallenge || ch.ByType != "webauthn" || len(ch.Factors) != 2 || ch.Nonce == "" ||
		ch.FactorResult != "CHALLENGE" {
		t.Fatalf("%v %+v", err, ch)
	}
	if _, err := o.AuthnVerifyFactor(tx.StateToken, ByTypeWebAuthn, AuthnVerify{ClientData: "e30"}); !okta.Is(err, okta.E0000068) {
		t.Fatalf("no signature: %v", err)
	}
	ch, _ = o.AuthnVerifyFactor(tx.StateToken, ByTypeWebAuthn, AuthnVerify{})
	done, err := o.AuthnVerifyFactor(tx.StateToken, ByTypeWebAuthn, AuthnVerify{ClientData: "e30", SignatureData: "c2ln", AuthenticatorData: "YQ"})
	if err != nil || done.Status != AuthnSuccess {
		t.Fatalf("%v %+v", err, done)
	}
	g, _ := o.RedeemSessionToken(done.SessionToken)
	if diff := cmp.Diff([]string{"pwd", "mfa", "hwk"}, g.AMR); diff != "" {
		t.Fatal(diff)
	}
}

func TestAuthnRecoveryByCall(t *testing.T) {
	o := authnOrg(t, "classic")
	for _, p := range o.Policies(okta.PolicyPassword) {
		p.Settings["recovery"].(map[string]any)["factors"].(map[string]any)["okta_call"] = map[string]any{"status": "ACTIVE"}
		o.PutPolicy(p)
	}
	tx, err := o.AuthnRecover(Recovery{Username: "alice", FactorType: "call", Type: RecoveryTypePassword}, classicAuthn)
	if err != nil || tx.Status != AuthnRecoveryChallenge || tx.FactorType != "CALL" || tx.StateToken == "" {
		t.Fatalf("%v %+v", err, tx)
	}
	msgs := o.Outbox("00ualice000000000000")
	last := msgs[len(msgs)-1]
	if last.Channel != ChannelVoice || last.To != "+1-555-0100" || len(last.Code) != 6 {
		t.Fatalf("call %+v", last)
	}
	if _, err := o.AuthnRecoveryResend(tx.StateToken, "CALL"); !okta.Is(err, okta.E0000133) {
		t.Fatalf("resend within 30 s: %v", err)
	}
	if _, err := o.AuthnRecoveryVerify(tx.StateToken, "SMS", last.Code); !okta.Is(err, okta.E0000079) {
		t.Fatalf("wrong factor path: %v", err)
	}
	o.Clock().Advance(31 * time.Second)
	if _, err := o.AuthnRecoveryResend(tx.StateToken, "call"); err != nil {
		t.Fatal(err)
	}
	msgs = o.Outbox("00ualice000000000000")
	// The first code was replaced by the resend.
	if _, err := o.AuthnRecoveryVerify(tx.StateToken, "CALL", last.Code); !okta.Is(err, okta.E0000068) {
		t.Fatalf("old code: %v", err)
	}
	next, err := o.AuthnRecoveryVerify(tx.StateToken, "CALL", msgs[len(msgs)-1].Code)
	if err != nil || next.Status != AuthnRecovery || next.RecoveryQuestion != "What is the name of your first pet?" {
		t.Fatalf("%v %+v", err, next)
	}
}
