package org

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/pquerna/otp/totp"

	"github.com/oktaemu/oktaemu/emulator/internal/okta"
)

var t0 = time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC)

// classicRules and identityRules mirror the engine profiles' factor rules
// (engine.Profile.FactorRules); the org package cannot import engine.
var (
	classicRules  = FactorRules{SecondPushCause: "A factor of this type is already set up."}
	identityRules = FactorRules{AutoEmailFactor: true, RecoveryQuestionFactor: true, OktaVerifySiblings: true,
		MultiplePhones: true, PrimaryEmailOnly: true,
		SecondPushCause:  "Maximum number of enrollments reached for factorType push.",
		SignedNonceCause: "Factor type signed_nonce cannot be enrolled, activated or verified through the Factors API."}
)

func newFactorOrg(t *testing.T, rules FactorRules) (*Org, User) {
	t.Helper()
	o := New(Options{Name: "t", Clock: NewFrozenClock(t0), IDSeed: 7, Factors: rules,
		VerifiedEmailOnCreate: rules.AutoEmailFactor})
	u, err := o.seedUser(NewUser{Profile: map[string]any{"login": "ann@example.com", "email": "ann@example.com",
		"secondEmail": "ann2@example.com", "firstName": "Ann", "lastName": "Lee"},
		Password: "Pa55word!Emu", Status: okta.UserActive, RecoveryQuestion: "Who?", RecoveryAnswer: "nobody really"})
	if err != nil {
		t.Fatal(err)
	}
	return o, u
}

func mustAdd(t *testing.T, o *Org, uid string, in NewFactor) Factor {
	t.Helper()
	f, err := o.AddFactor(uid, in)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func wantCode(t *testing.T, err error, code okta.Code) {
	t.Helper()
	if !okta.Is(err, code) {
		t.Fatalf("err = %v, want %s", err, code)
	}
}

func TestVerifyTOTPWindowAndReplay(t *testing.T) {
	o, u := newFactorOrg(t, classicRules)
	const secret = "JBSWY3DPEHPK3PXP"
	f := mustAdd(t, o, u.ID, NewFactor{Type: okta.FactorTOTP, Provider: "GOOGLE", Secret: secret})
	code := func(at time.Time) string {
		c, err := totp.GenerateCodeCustom(secret, at, TOTPOptions)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	// Previous step is accepted (skew 1), then replay of it is refused.
	prev := code(t0.Add(-30 * time.Second))
	if r, err := o.VerifyFactor(u.ID, f.ID, Verify{PassCode: prev}); err != nil || r.Result != ResultSuccess {
		t.Fatalf("previous step: %v %v", r.Result, err)
	}
	_, err := o.VerifyFactor(u.ID, f.ID, Verify{PassCode: prev})
	wantCode(t, err, okta.E0000068)
	// Current step still good once.
	cur := code(t0)
	if _, err := o.VerifyFactor(u.ID, f.ID, Verify{PassCode: cur}); err != nil {
		t.Fatalf("current step: %v", err)
	}
	// Two steps ahead is outside the window.
	_, err = o.VerifyFactor(u.ID, f.ID, Verify{PassCode: code(t0.Add(90 * time.Second))})
	wantCode(t, err, okta.E0000068)
	// After the clock moves two steps, the next code works.
	o.Clock().Advance(60 * time.Second)
	if _, err := o.VerifyFactor(u.ID, f.ID, Verify{PassCode: code(o.Now())}); err != nil {
		t.Fatalf("after advance: %v", err)
	}
	e, _ := okta.As(func() error { _, err := o.VerifyFactor(u.ID, f.ID, Verify{PassCode: "000000"}); return err }())
	if diff := cmp.Diff([]string{CausePasscode}, e.Causes); diff != "" {
		t.Errorf("causes (-want +got):\n%s", diff)
	}
}

func TestChallengeOTPOutboxAndThrottle(t *testing.T) {
	tests := []struct {
		typ      okta.FactorType
		profile  map[string]any
		channel  Channel
		throttle time.Duration
		code     okta.Code
	}{
		{okta.FactorSMS, map[string]any{"phoneNumber": "+15551230001"}, ChannelSMS, SMSThrottle, okta.E0000109},
		{okta.FactorCall, map[string]any{"phoneNumber": "+15551230002"}, ChannelVoice, CallThrottle, okta.E0000133},
		{okta.FactorEmail, map[string]any{"email": "ann@example.com"}, ChannelEmail, EmailThrottle, okta.E0000118},
	}
	for _, tt := range tests {
		t.Run(string(tt.typ), func(t *testing.T) {
			o, u := newFactorOrg(t, classicRules)
			f := mustAdd(t, o, u.ID, NewFactor{Type: tt.typ, Profile: tt.profile})
			r, err := o.ChallengeFactor(u.ID, f.ID, Challenge{})
			if err != nil {
				t.Fatal(err)
			}
			m := r.Message
			if m == nil || m.Channel != tt.channel || m.FactorID != f.ID || len(m.Code) != 6 || m.Kind != KindOTP {
				t.Fatalf("message = %+v", m)
			}
			if out := o.Outbox(u.ID); len(out) != 1 || out[0].Code != m.Code {
				t.Fatalf("outbox = %+v", out)
			}
			_, err = o.ChallengeFactor(u.ID, f.ID, Challenge{})
			wantCode(t, err, tt.code)
			o.Clock().Advance(tt.throttle - time.Second)
			_, err = o.ChallengeFactor(u.ID, f.ID, Challenge{})
			wantCode(t, err, tt.code)
			o.Clock().Advance(time.Second)
			r2, err := o.ChallengeFactor(u.ID, f.ID, Challenge{})
			if err != nil {
				t.Fatalf("after throttle: %v", err)
			}
			// The first code was replaced by the second.
			if r2.Message.Code != m.Code {
				_, err = o.VerifyFactor(u.ID, f.ID, Verify{PassCode: m.Code})
				wantCode(t, err, okta.E0000068)
			}
			if _, err := o.VerifyFactor(u.ID, f.ID, Verify{PassCode: r2.Message.Code}); err != nil {
				t.Fatalf("verify: %v", err)
			}
			// Single use.
			_, err = o.VerifyFactor(u.ID, f.ID, Verify{PassCode: r2.Message.Code})
			wantCode(t, err, okta.E0000068)
		})
	}
}

func TestOTPExpires(t *testing.T) {
	o, u := newFactorOrg(t, classicRules)
	f := mustAdd(t, o, u.ID, NewFactor{Type: okta.FactorEmail, Profile: map[string]any{"email": "ann@example.com"}})
	r, err := o.ChallengeFactor(u.ID, f.ID, Challenge{TokenLifetime: 60 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	o.Clock().Advance(61 * time.Second)
	_, err = o.VerifyFactor(u.ID, f.ID, Verify{PassCode: r.Message.Code})
	wantCode(t, err, okta.E0000068)
}

func TestVerifyQuestionTokensAndStatus(t *testing.T) {
	o, u := newFactorOrg(t, classicRules)
	q := mustAdd(t, o, u.ID, NewFactor{Type: okta.FactorQuestion, Profile: map[string]any{"question": "disliked_food"},
		Answer: "Mayonnaise"})
	if _, err := o.VerifyFactor(u.ID, q.ID, Verify{Answer: " mayonnaise "}); err != nil {
		t.Fatalf("answer: %v", err)
	}
	_, err := o.VerifyFactor(u.ID, q.ID, Verify{Answer: "ketchup"})
	e, _ := okta.As(err)
	if e == nil || e.Code != okta.E0000068 || len(e.Causes) != 1 || e.Causes[0] != CauseAnswer {
		t.Fatalf("wrong answer: %v", err)
	}
	yk := mustAdd(t, o, u.ID, NewFactor{Type: okta.FactorHardware, PassCodes: []string{"cccccceukngdfgkukfctkcvfidnetljjiknckkcjulji"}})
	_, err = o.VerifyFactor(u.ID, yk.ID, Verify{PassCode: "cccccceukngdfgkukfctkcvfidnetljjiknckkcjulxx"})
	wantCode(t, err, okta.E0000068)
	if _, err := o.VerifyFactor(u.ID, yk.ID, Verify{PassCode: "cccccceukngdfgkukfctkcvfidnetljjiknckkcjulji"}); err != nil {
		t.Fatalf("yubikey: %v", err)
	}
	_, err = o.VerifyFactor(u.ID, yk.ID, Verify{PassCode: "cccccceukngdfgkukfctkcvfidnetljjiknckkcjulji"})
	wantCode(t, err, okta.E0000068)
	pending := mustAdd(t, o, u.ID, NewFactor{Type: okta.FactorSMS, Status: okta.FactorPendingActivation,
		Profile: map[string]any{"phoneNumber": "+15551230009"}})
	_, err = o.VerifyFactor(u.ID, pending.ID, Verify{PassCode: "123456"})
	wantCode(t, err, okta.E0000154)
	_, err = o.VerifyFactor(u.ID, "nosuchfactor", Verify{})
	wantCode(t, err, okta.E0000007)
}

func TestActivateOTPAndRateLimit(t *testing.T) {
	o, u := newFactorOrg(t, classicRules)
	f := mustAdd(t, o, u.ID, NewFactor{Type: okta.FactorTOTP, Status: okta.FactorPendingActivation, Secret: "JBSWY3DPEHPK3PXP"})
	for i := range ActivationAttempts {
		_, err := o.ActivateFactor(u.ID, f.ID, Verify{PassCode: "000000"})
		wantCode(t, err, okta.E0000068)
		_ = i
	}
	good, _ := totp.GenerateCodeCustom("JBSWY3DPEHPK3PXP", o.Now(), TOTPOptions)
	_, err := o.ActivateFactor(u.ID, f.ID, Verify{PassCode: good})
	wantCode(t, err, okta.E0000047)
	if !o.ActivationLimited(u.ID) {
		t.Fatal("ActivationLimited = false")
	}
	o.Clock().Advance(ActivationWindow)
	good, _ = totp.GenerateCodeCustom("JBSWY3DPEHPK3PXP", o.Now(), TOTPOptions)
	got, err := o.ActivateFactor(u.ID, f.ID, Verify{PassCode: good})
	if err != nil || got.Status != okta.FactorActive {
		t.Fatalf("activate: %v %v", got.Status, err)
	}
	_, err = o.ActivateFactor(u.ID, f.ID, Verify{PassCode: good})
	wantCode(t, err, okta.E0000001)
}

func TestPushTransactions(t *testing.T) {
	o, u := newFactorOrg(t, classicRules)
	f := mustAdd(t, o, u.ID, NewFactor{Type: okta.FactorPush, Profile: map[string]any{"credentialId": "ann@example.com"}})

	// Approve.
	r, err := o.ChallengeFactor(u.ID, f.ID, Challenge{Push: PushOptions{UserAgent: "ua"}})
	if err != nil {
		t.Fatal(err)
	}
	tx := r.Push
	want := PushTransaction{ID: tx.ID, UserID: u.ID, FactorID: f.ID, Result: PushWaiting, Created: t0,
		ExpiresAt: t0.Add(PushTransactionLifetime), CredentialID: "ann@example.com", UserAgent: "ua"}
	if diff := cmp.Diff(want, *tx); diff != "" {
		t.Fatalf("tx (-want +got):\n%s", diff)
	}
	if p := o.PendingPushes(u.ID); len(p) != 1 || p[0].ID != tx.ID {
		t.Fatalf("pending = %+v", p)
	}
	if _, err := o.ApprovePush(tx.ID, 0); err != nil {
		t.Fatal(err)
	}
	got, err := o.PushTransaction(u.ID, f.ID, tx.ID)
	if err != nil || got.Result != PushSuccess {
		t.Fatalf("poll: %v %v", got.Result, err)
	}
	vr, err := o.VerifyFactor(u.ID, f.ID, Verify{TransactionID: tx.ID})
	if err != nil || vr.Result != ResultSuccess {
		t.Fatalf("verify: %v %v", vr.Result, err)
	}
	// Another factor's or user's path does not find it.
	_, err = o.PushTransaction(u.ID, "opfother000000000000", tx.ID)
	wantCode(t, err, okta.E0000007)

	// Reject.
	r, _ = o.ChallengeFactor(u.ID, f.ID, Challenge{})
	if _, err := o.RejectPush(r.Push.ID); err != nil {
		t.Fatal(err)
	}
	if got, _ := o.PushTransaction(u.ID, f.ID, r.Push.ID); got.Result != PushRejected {
		t.Fatalf("reject: %v", got.Result)
	}

	// Timeout by clock; approving afterwards changes nothing.
	r, _ = o.ChallengeFactor(u.ID, f.ID, Challenge{})
	o.Clock().Advance(PushTransactionLifetime - time.Millisecond)
	if got, _ := o.PushTransaction(u.ID, f.ID, r.Push.ID); got.Result != PushWaiting {
		t.Fatalf("before expiry: %v", got.Result)
	}
	o.Clock().Advance(time.Millisecond)
	if got, _ := o.ApprovePush(r.Push.ID, 0); got.Result != PushTimeout {
		t.Fatalf("after expiry: %v", got.Result)
	}
	if p := o.PendingPushes(u.ID); len(p) != 0 {
		t.Fatalf("pending after expiry = %+v", p)
	}

	// Number challenge: wrong number rejects, right number approves.
	r, _ = o.ChallengeFactor(u.ID, f.ID, Challenge{Push: PushOptions{NumberChallenge: true}})
	if r.Push.CorrectAnswer < 10 || r.Push.CorrectAnswer > 99 {
		t.Fatalf("correctAnswer = %d", r.Push.CorrectAnswer)
	}
	if got, _ := o.ApprovePush(r.Push.ID, r.Push.CorrectAnswer+1); got.Result != PushRejected {
		t.Fatalf("wrong number: %v", got.Result)
	}
	r, _ = o.ChallengeFactor(u.ID, f.ID, Challenge{Push: PushOptions{NumberChallenge: true}})
	if got, _ := o.ApprovePush(r.Push.ID, r.Push.CorrectAnswer); got.Result != PushSuccess {
		t.Fatalf("right number: %v", got.Result)
	}
	// Cancel forgets it.
	r, _ = o.ChallengeFactor(u.ID, f.ID, Challenge{})
	if err := o.CancelPush(u.ID, f.ID, r.Push.ID); err != nil {
		t.Fatal(err)
	}
	_, err = o.PushTransaction(u.ID, f.ID, r.Push.ID)
	wantCode(t, err, okta.E0000007)
}

func TestPushActivationByApp(t *testing.T) {
	for _, rules := range []FactorRules{classicRules, identityRules} {
		o, u := newFactorOrg(t, rules)
		res, err := o.EnrollFactor(u.ID, Enroll{Type: okta.FactorPush, Provider: "OKTA"})
		if err != nil {
			t.Fatal(err)
		}
		f := res.Factor
		a, err := o.PollPushActivation(u.ID, f.ID)
		if err != nil || a.Result != PushWaiting || a.Token == "" || !a.ExpiresAt.Equal(t0.Add(PushActivationLifetime)) {
			t.Fatalf("poll: %+v %v", a, err)
		}
		// Timeout, then a new QR code.
		o.Clock().Advance(PushActivationLifetime)
		if _, err := o.ActivateOktaVerify(u.ID, f.ID, a.Token, Device{}); !okta.Is(err, okta.E0000011) {
			t.Fatalf("expired activate: %v", err)
		}
		a2, _ := o.PollPushActivation(u.ID, f.ID)
		if a2.Result != PushTimeout {
			t.Fatalf("poll after expiry: %v", a2.Result)
		}
		a3, _ := o.PollPushActivation(u.ID, f.ID)
		if a3.Result != PushWaiting || a3.Token == a.Token {
			t.Fatalf("restart: %+v", a3)
		}
		got, err := o.ActivateOktaVerifyByToken(a3.Token, Device{Name: "Gibson"})
		if err != nil || got.Status != okta.FactorActive || got.Profile["name"] != "Gibson" {
			t.Fatalf("activate: %+v %v", got, err)
		}
		a4, _ := o.PollPushActivation(u.ID, f.ID)
		if a4.Result != PushSuccess {
			t.Fatalf("poll after activation: %v", a4.Result)
		}
		fs, _ := o.Factors(u.ID)
		for _, x := range fs {
			if x.EnrollmentID == got.EnrollmentID && x.Status != okta.FactorActive {
				t.Errorf("sibling %s still %s", x.Type, x.Status)
			}
		}
	}
}

func TestAddOktaVerifyEnrollment(t *testing.T) {
	o, u := newFactorOrg(t, identityRules)
	e1, err := o.AddOktaVerifyEnrollment(u.ID, Device{Name: "Phone 1"})
	if err != nil {
		t.Fatal(err)
	}
	e2, err := o.AddOktaVerifyEnrollment(u.ID, Device{Name: "Phone 2"})
	if err != nil {
		t.Fatal(err)
	}
	if e1.ID == e2.ID || len(e1.Factors) != 3 {
		t.Fatalf("enrollments %+v %+v", e1, e2)
	}
	var types []okta.FactorType
	for _, f := range e2.Factors {
		types = append(types, f.Type)
		if f.EnrollmentID != e2.ID || f.Status != okta.FactorActive {
			t.Errorf("factor %+v", f)
		}
	}
	if diff := cmp.Diff([]okta.FactorType{okta.FactorPush, okta.FactorTOTP, okta.FactorSignedNonce}, types); diff != "" {
		t.Error(diff)
	}
	code, _ := totp.GenerateCodeCustom(e2.Secret, o.Now(), TOTPOptions)
	if _, err := o.VerifyFactor(u.ID, e2.Factors[1].ID, Verify{PassCode: code}); err != nil {
		t.Fatalf("verify totp of second enrollment: %v", err)
	}
	// The Factors API still refuses another push.
	_, err = o.EnrollFactor(u.ID, Enroll{Type: okta.FactorPush, Provider: "OKTA"})
	e, _ := okta.As(err)
	if e == nil || e.Code != okta.E0000001 || len(e.Causes) != 1 || e.Causes[0] != identityRules.SecondPushCause {
		t.Fatalf("second push: %v", err)
	}
}
