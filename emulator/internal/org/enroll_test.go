package org

import (
	"slices"
	"sort"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/oktaemu/oktaemu/emulator/internal/okta"
)

func factorKinds(t *testing.T, o *Org, uid string) []string {
	t.Helper()
	fs, err := o.Factors(uid)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, f := range fs {
		out = append(out, string(f.Type)+"/"+string(f.Status))
	}
	sort.Strings(out)
	return out
}

func causeOf(err error) string {
	if e, ok := okta.As(err); ok && len(e.Causes) == 1 {
		return e.Causes[0]
	}
	return ""
}

// TestFactorRulesBothWays runs each engine-dependent rule with the Classic
// and the Identity Engine rule set.
func TestFactorRulesBothWays(t *testing.T) {
	for _, tc := range []struct {
		name  string
		rules FactorRules
	}{{"classic", classicRules}, {"identity", identityRules}} {
		ie := tc.rules.AutoEmailFactor
		t.Run(tc.name, func(t *testing.T) {
			t.Run("auto factors and reset", func(t *testing.T) {
				o, u := newFactorOrg(t, tc.rules)
				var want []string
				if ie {
					want = []string{"email/ACTIVE", "question/ACTIVE"}
				}
				if diff := cmp.Diff(want, factorKinds(t, o, u.ID)); diff != "" {
					t.Fatalf("listed (-want +got):\n%s", diff)
				}
				// The recovery question verifies with the recovery answer.
				if ie {
					fs, _ := o.Factors(u.ID)
					i := slices.IndexFunc(fs, func(f Factor) bool { return f.Type == okta.FactorQuestion })
					if _, err := o.VerifyFactor(u.ID, fs[i].ID, Verify{Answer: "Nobody Really"}); err != nil {
						t.Fatalf("recovery answer: %v", err)
					}
				}
				if _, err := o.EnrollFactor(u.ID, Enroll{Type: okta.FactorQuestion, Profile: map[string]any{
					"question": "favorite_toy", "answer": "lego bricks"}}); err != nil {
					t.Fatal(err)
				}
				if err := o.ResetFactors(u.ID); err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(want, factorKinds(t, o, u.ID)); diff != "" {
					t.Fatalf("after 1st reset (-want +got):\n%s", diff)
				}
				if err := o.ResetFactors(u.ID); err != nil {
					t.Fatal(err)
				}
				want = nil
				if ie {
					want = []string{"email/ACTIVE"}
				}
				if diff := cmp.Diff(want, factorKinds(t, o, u.ID)); diff != "" {
					t.Fatalf("after 2nd reset (-want +got):\n%s", diff)
				}
				if usr, _ := o.User(u.ID); (usr.RecoveryQuestion == "") != ie {
					t.Errorf("recovery question %q after two resets", usr.RecoveryQuestion)
				}
			})
			t.Run("email", func(t *testing.T) {
				o, u := newFactorOrg(t, tc.rules)
				_, err := o.EnrollFactor(u.ID, Enroll{Type: okta.FactorEmail, Profile: map[string]any{"email": "ann2@example.com"}})
				if (err == nil) == ie {
					t.Fatalf("secondary email: %v", err)
				}
				_, err = o.EnrollFactor(u.ID, Enroll{Type: okta.FactorEmail, Profile: map[string]any{"email": "x@example.com"}})
				if e, _ := okta.As(err); e == nil || e.Summary != "Api validation failed: "+SummaryEmailNotFound || len(e.Causes) != 0 {
					t.Fatalf("unknown email: %v", err)
				}
			})
			t.Run("phones", func(t *testing.T) {
				o, u := newFactorOrg(t, tc.rules)
				if _, err := o.EnrollFactor(u.ID, Enroll{Type: okta.FactorSMS, Activate: true,
					Profile: map[string]any{"phoneNumber": "+15550001111"}}); err != nil {
					t.Fatal(err)
				}
				_, err := o.EnrollFactor(u.ID, Enroll{Type: okta.FactorSMS, Activate: true,
					Profile: map[string]any{"phoneNumber": "+15550002222"}})
				if ie != (err == nil) {
					t.Fatalf("second sms: %v", err)
				}
				if !ie && causeOf(err) != CauseVerifiedPhone {
					t.Fatalf("cause %q", causeOf(err))
				}
			})
			t.Run("okta verify", func(t *testing.T) {
				o, u := newFactorOrg(t, tc.rules)
				res, err := o.EnrollFactor(u.ID, Enroll{Type: okta.FactorPush})
				if err != nil {
					t.Fatal(err)
				}
				_, err = o.EnrollFactor(u.ID, Enroll{Type: okta.FactorPush})
				if causeOf(err) != tc.rules.SecondPushCause {
					t.Fatalf("second push: %v", err)
				}
				n := len(factorKinds(t, o, u.ID))
				if err := o.DeleteFactor(u.ID, res.Factor.ID); err != nil {
					t.Fatal(err)
				}
				removed := n - len(factorKinds(t, o, u.ID))
				if want := map[bool]int{false: 1, true: 3}[ie]; removed != want {
					t.Fatalf("deleting push removed %d factors, want %d", removed, want)
				}
				_, err = o.EnrollFactor(u.ID, Enroll{Type: okta.FactorSignedNonce})
				if causeOf(err) == "" || !okta.Is(err, okta.E0000001) {
					t.Fatalf("signed_nonce: %v", err)
				}
			})
		})
	}
}

func TestEnrollmentsAgreeWithFactors(t *testing.T) {
	o, u := newFactorOrg(t, identityRules)
	e1, _ := o.AddOktaVerifyEnrollment(u.ID, Device{Name: "a"})
	if _, err := o.AddOktaVerifyEnrollment(u.ID, Device{Name: "b"}); err != nil {
		t.Fatal(err)
	}
	sms := mustAdd(t, o, u.ID, NewFactor{Type: okta.FactorSMS, Profile: map[string]any{"phoneNumber": "+15550001111"}})
	es, err := o.Enrollments(u.ID)
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	covered := 0
	for _, e := range es {
		keys = append(keys, e.Key)
		covered += len(e.FactorIDs)
	}
	sort.Strings(keys)
	want := []string{"okta_email", "okta_password", "okta_verify", "okta_verify", "phone_number", "security_question"}
	if diff := cmp.Diff(want, keys); diff != "" {
		t.Fatalf("enrollments (-want +got):\n%s", diff)
	}
	fs, _ := o.Factors(u.ID)
	if covered != len(fs) {
		t.Fatalf("enrollments cover %d factors of %d", covered, len(fs))
	}
	if err := o.DeleteEnrollment(u.ID, e1.ID); err != nil {
		t.Fatal(err)
	}
	if err := o.DeleteEnrollment(u.ID, sms.ID); err != nil {
		t.Fatal(err)
	}
	fs2, _ := o.Factors(u.ID)
	if len(fs2) != len(fs)-4 {
		t.Fatalf("factors %d -> %d", len(fs), len(fs2))
	}
	if err := o.DeleteEnrollment(u.ID, "nope"); !okta.Is(err, okta.E0000007) {
		t.Fatalf("unknown enrollment: %v", err)
	}
}

func TestFactorQRContent(t *testing.T) {
	o, u := newFactorOrg(t, classicRules)
	res, err := o.EnrollFactor(u.ID, Enroll{Type: okta.FactorTOTP, Provider: "GOOGLE"})
	if err != nil {
		t.Fatal(err)
	}
	got, err := o.FactorQRContent(u.ID, res.Factor.ID, res.Factor.ID)
	want := "otpauth://totp/t:ann@example.com?algorithm=SHA1&digits=6&issuer=t&period=30&secret=" + res.Secret
	if err != nil || got != want {
		t.Fatalf("totp qr = %q, %v; want %q", got, err, want)
	}
	push, _ := o.EnrollFactor(u.ID, Enroll{Type: okta.FactorPush})
	got, err = o.FactorQRContent(u.ID, push.Factor.ID, push.Activation.Token)
	if err != nil || got != "oktaemu-okta-verify://activate?token="+push.Activation.Token {
		t.Fatalf("push qr = %q, %v", got, err)
	}
	if _, err := o.FactorQRContent(u.ID, push.Factor.ID, "wrong"); !okta.Is(err, okta.E0000007) {
		t.Fatalf("wrong token: %v", err)
	}
	o.Clock().Advance(PushActivationLifetime)
	if _, err := o.FactorQRContent(u.ID, push.Factor.ID, push.Activation.Token); !okta.Is(err, okta.E0000007) {
		t.Fatalf("expired: %v", err)
	}
}
