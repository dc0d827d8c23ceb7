package emulator_test

import (
	"testing"
	"time"

	"github.com/oktaemu/oktaemu/emulator"
)

// newMFAUser creates an active-by-token user in the mfa-required group,
// without a password, and returns its id and activation token.
func newMFAUser(a *authnEnv, login string) (string, string) {
	a.t.Helper()
	u := a.do("POST", "/api/v1/users?activate=false", "SSWS "+a.s.Token, map[string]any{
		"profile":  map[string]any{"login": login, "email": login, "firstName": "Dana", "lastName": "Dunn"},
		"groupIds": []string{"00gmfarequired000000"},
	})
	a.want(u, 200, "")
	id := u.str("id")
	act := a.do("POST", "/api/v1/users/"+id+"/lifecycle/activate?sendEmail=false", "SSWS "+a.s.Token, nil)
	a.want(act, 200, "")
	return id, act.str("activationToken")
}

// authnEnrollEntry finds the MFA_ENROLL entry of typ/provider and its enroll
// link.
func authnEnrollEntry(a *authnEnv, r authnResp, typ, provider string) map[string]any {
	a.t.Helper()
	fs, _ := r.get("_embedded.factors").([]any)
	for _, f := range fs {
		m, _ := f.(map[string]any)
		if m["factorType"] == typ && m["provider"] == provider {
			return m
		}
	}
	a.t.Fatalf("no %s/%s in %s", typ, provider, r.Raw)
	return nil
}

func TestAuthnActivationAndEnrollTOTP(t *testing.T) {
	for _, tc := range []struct {
		engine emulator.Engine
		// after the TOTP enrollment: SUCCESS, or MFA_ENROLL when the
		// policy requires more (Identity Engine's default enrollment
		// policy requires the email authenticator, engines.md rows 24-25)
		afterTOTP string
	}{
		{emulator.Classic, "SUCCESS"},
		{emulator.Identity, "MFA_ENROLL"},
	} {
		t.Run(string(tc.engine), func(t *testing.T) {
			a := newAuthnEnv(t, tc.engine)
			id, token := newMFAUser(a, "dana@example.com")
			r := a.post("/api/v1/authn", map[string]any{"token": token})
			a.wantStatus(r, "PASSWORD_RESET")
			if r.str("recoveryType") != "ACCOUNT_ACTIVATION" || r.str("_links.next.name") != "resetPassword" {
				t.Fatalf("activation %s", r.Raw)
			}
			st := r.str("stateToken")
			// The activation token is single-use.
			a.want(a.post("/api/v1/authn", map[string]any{"token": token}), 401, "E0000004")
			r = a.post("/api/v1/authn/credentials/reset_password", map[string]any{"stateToken": st, "newPassword": "Secr3t!Pa55"})
			a.wantStatus(r, "MFA_ENROLL")
			if r.get("_links.skip") != nil || r.get("recoveryType") != nil {
				t.Fatalf("first MFA_ENROLL with MFA required: no skip, no recoveryType: %s", r.Raw)
			}
			e := authnEnrollEntry(a, r, "token:software:totp", "GOOGLE")
			if e["status"] != "NOT_SETUP" {
				t.Fatalf("entry %v", e)
			}
			// Enrolling a type the policy does not allow is refused.
			bad := a.post("/api/v1/authn/factors", map[string]any{"stateToken": st, "factorType": "token:hotp", "provider": "CUSTOM"})
			a.want(bad, 400, "E0000001")
			r = a.post("/api/v1/authn/factors", map[string]any{"stateToken": st, "factorType": "token:software:totp", "provider": "GOOGLE"})
			a.wantStatus(r, "MFA_ENROLL_ACTIVATE")
			secret := r.str("_embedded.factor._embedded.activation.sharedSecret")
			if len(secret) != 16 || r.str("_links.next.name") != "activate" || r.get("_links.prev") == nil ||
				r.str("_embedded.factor._embedded.activation._links.qrcode.type") != "image/png" {
				t.Fatalf("activate %s", r.Raw)
			}
			activate := a.href(r, "_links.next.href")
			// previous goes back to MFA_ENROLL; enrolling again replaces
			// the pending factor.
			a.wantStatus(a.post("/api/v1/authn/previous", map[string]any{"stateToken": st}), "MFA_ENROLL")
			r = a.post("/api/v1/authn/factors", map[string]any{"stateToken": st, "factorType": "token:software:totp", "provider": "GOOGLE"})
			a.wantStatus(r, "MFA_ENROLL_ACTIVATE")
			// The replaced factor's activate link is dead.
			a.want(a.post(activate, map[string]any{"stateToken": st, "passCode": "000000"}), 403, "E0000079")
			secret = r.str("_embedded.factor._embedded.activation.sharedSecret")
			activate = a.href(r, "_links.next.href")
			a.want(a.post(activate, map[string]any{"stateToken": st, "passCode": "000000"}), 403, "E0000068")
			r = a.post(activate, map[string]any{"stateToken": st, "passCode": a.totpCode(secret, 0)})
			a.wantStatus(r, tc.afterTOTP)
			if tc.afterTOTP == "MFA_ENROLL" {
				e := authnEnrollEntry(a, r, "email", "OKTA")
				if e["enrollment"] != "REQUIRED" || e["status"] != "NOT_SETUP" || r.get("_links.skip") != nil {
					t.Fatalf("email required %s", r.Raw)
				}
				r = a.post("/api/v1/authn/factors", map[string]any{"stateToken": st, "factorType": "email", "provider": "OKTA"})
				a.wantStatus(r, "MFA_ENROLL_ACTIVATE")
				if r.str("_links.resend.0.name") != "email" {
					t.Fatalf("email activate %s", r.Raw)
				}
				r = a.post(a.href(r, "_links.next.href"), map[string]any{"stateToken": st, "passCode": a.lastCode(id)})
				a.wantStatus(r, "SUCCESS")
			}
			if r.str("sessionToken") == "" {
				t.Fatalf("%s", r.Raw)
			}
			// Next sign-in: MFA_REQUIRED with the new factor.
			a.s.Org().Advance(time.Second)
			r = a.login("dana@example.com", "Secr3t!Pa55")
			a.wantStatus(r, "MFA_REQUIRED")
			a.wantStatus(a.post(authnFactorVerify(a, r, "token:software:totp"),
				map[string]any{"stateToken": r.str("stateToken"), "passCode": a.totpCode(secret, 30*time.Second)}), "SUCCESS")
		})
	}
}

func TestAuthnEnrollMultiOptionalAndSkip(t *testing.T) {
	authnBothEngines(t, func(t *testing.T, a *authnEnv) {
		id, token := newMFAUser(a, "dana@example.com")
		r := a.post("/api/v1/authn", map[string]any{"token": token})
		st := r.str("stateToken")
		a.wantStatus(a.post("/api/v1/authn/credentials/reset_password", map[string]any{"stateToken": st, "newPassword": "Secr3t!Pa55"}), "MFA_ENROLL")
		a.s.Org().Advance(time.Second)
		r = a.post("/api/v1/authn", map[string]any{"username": "dana@example.com", "password": "Secr3t!Pa55",
			"options": map[string]any{"multiOptionalFactorEnroll": true}})
		a.wantStatus(r, "MFA_ENROLL")
		st = r.str("stateToken")
		// A question completes at once; with multiOptionalFactorEnroll the
		// user comes back to MFA_ENROLL, now with skip (unless a REQUIRED
		// factor is missing).
		bad := a.post("/api/v1/authn/factors", map[string]any{"stateToken": st, "factorType": "question", "provider": "OKTA",
			"profile": map[string]any{"question": "disliked_food"}})
		a.want(bad, 400, "E0000001")
		r = a.post("/api/v1/authn/factors", map[string]any{"stateToken": st, "factorType": "question", "provider": "OKTA",
			"profile": map[string]any{"question": "disliked_food", "answer": "okra okra"}})
		a.wantStatus(r, "MFA_ENROLL")
		if authnEnrollEntry(a, r, "question", "OKTA")["status"] != "ACTIVE" {
			t.Fatalf("question not active: %s", r.Raw)
		}
		required := false
		for _, f := range r.get("_embedded.factors").([]any) {
			m := f.(map[string]any)
			required = required || (m["enrollment"] == "REQUIRED" && m["status"] == "NOT_SETUP")
		}
		if required == (r.get("_links.skip") != nil) {
			t.Fatalf("skip link with required=%v: %s", required, r.Raw)
		}
		if required {
			// Identity Engine: the email authenticator is required.
			r = a.post("/api/v1/authn/factors", map[string]any{"stateToken": st, "factorType": "email", "provider": "OKTA"})
			r = a.post(a.href(r, "_links.next.href"), map[string]any{"stateToken": st, "passCode": a.lastCode(id)})
			a.wantStatus(r, "MFA_ENROLL")
		}
		a.wantStatus(a.post(a.href(r, "_links.skip.href"), map[string]any{"stateToken": st}), "SUCCESS")
	})
}

func TestAuthnEnrollPushAndSMS(t *testing.T) {
	authnBothEngines(t, func(t *testing.T, a *authnEnv) {
		id, token := newMFAUser(a, "dana@example.com")
		r := a.post("/api/v1/authn", map[string]any{"token": token})
		st := r.str("stateToken")
		r = a.post("/api/v1/authn/credentials/reset_password", map[string]any{"stateToken": st, "newPassword": "Secr3t!Pa55"})
		a.wantStatus(r, "MFA_ENROLL")
		// SMS: OTP sent, resend throttled, bad number refused.
		a.want(a.post("/api/v1/authn/factors", map[string]any{"stateToken": st, "factorType": "sms", "provider": "OKTA",
			"profile": map[string]any{"phoneNumber": "12"}}), 400, "E0000098")
		r = a.post("/api/v1/authn/factors", map[string]any{"stateToken": st, "factorType": "sms", "provider": "OKTA",
			"profile": map[string]any{"phoneNumber": "+1-555-415-1337"}})
		a.wantStatus(r, "MFA_ENROLL_ACTIVATE")
		if r.str("_links.resend.0.name") != "sms" || r.str("_embedded.factor.profile.phoneNumber") != "+1 XXX-XXX-1337" {
			t.Fatalf("sms activate %s", r.Raw)
		}
		a.want(a.post(a.href(r, "_links.resend.0.href"), map[string]any{"stateToken": st}), 429, "E0000109")
		a.wantStatus(a.post("/api/v1/authn/previous", map[string]any{"stateToken": st}), "MFA_ENROLL")
		// Push: WAITING with expiresAt, poll, TIMEOUT, restart, activation.
		r = a.post("/api/v1/authn/factors", map[string]any{"stateToken": st, "factorType": "push", "provider": "OKTA"})
		a.wantStatus(r, "MFA_ENROLL_ACTIVATE")
		if r.str("factorResult") != "WAITING" || r.str("_links.next.name") != "poll" ||
			r.str("_embedded.factor._embedded.activation.expiresAt") == "" {
			t.Fatalf("push enroll %s", r.Raw)
		}
		fid := r.str("_embedded.factor.id")
		poll := a.href(r, "_links.next.href")
		a.wantStatus(a.post(poll, map[string]any{"stateToken": st}), "MFA_ENROLL_ACTIVATE")
		for range 3 { // the activation outlives a state token: keep polling
			a.s.Org().Advance(4 * time.Minute)
			r = a.post(poll, map[string]any{"stateToken": st})
		}
		if r.str("factorResult") != "TIMEOUT" || r.str("_links.next.name") != "activate" {
			t.Fatalf("push timeout %s", r.Raw)
		}
		r = a.post(a.href(r, "_links.next.href"), map[string]any{"stateToken": st})
		if r.str("factorResult") != "WAITING" || r.str("_links.next.name") != "poll" {
			t.Fatalf("push restart %s", r.Raw)
		}
		if err := a.s.Org().ActivateOktaVerifyFactor(id, fid); err != nil {
			t.Fatal(err)
		}
		r = a.post(poll, map[string]any{"stateToken": st})
		if r.str("status") == "MFA_ENROLL" {
			// Identity Engine still requires the email authenticator.
			r = a.post("/api/v1/authn/factors", map[string]any{"stateToken": st, "factorType": "email", "provider": "OKTA"})
			r = a.post(a.href(r, "_links.next.href"), map[string]any{"stateToken": st, "passCode": a.lastCode(id)})
		}
		a.wantStatus(r, "SUCCESS")
	})
}

func TestAuthnEmailFactor(t *testing.T) {
	for _, tc := range []struct {
		engine emulator.Engine
		// a verified primary email is an active email factor in Identity
		// Engine only (engines.md row 2)
		emailListed bool
	}{
		{emulator.Classic, false},
		{emulator.Identity, true},
	} {
		t.Run(string(tc.engine), func(t *testing.T) {
			a := newAuthnEnv(t, tc.engine)
			r := a.login("bob@example.com", authnPassword)
			a.wantStatus(r, "MFA_REQUIRED")
			listed := false
			for _, f := range r.get("_embedded.factors").([]any) {
				listed = listed || f.(map[string]any)["factorType"] == "email"
			}
			if listed != tc.emailListed {
				t.Fatalf("email listed = %v: %s", listed, r.Raw)
			}
			if !listed {
				return
			}
			st := r.str("stateToken")
			verify := authnFactorVerify(a, r, "email")
			r = a.post(verify, map[string]any{"stateToken": st})
			a.wantStatus(r, "MFA_CHALLENGE")
			if r.str("factorResult") != "CHALLENGE" || r.str("challengeType") != "FACTOR" || r.str("_links.resend.0.name") != "email" ||
				r.str("_embedded.factor.profile.email") != "b...b@example.com" {
				t.Fatalf("email challenge %s", r.Raw)
			}
			a.want(a.post(a.href(r, "_links.resend.0.href"), map[string]any{"stateToken": st}), 429, "E0000118")
			a.wantStatus(a.post(verify, map[string]any{"stateToken": st, "passCode": a.lastCode(authnBobID)}), "SUCCESS")
		})
	}
}

func TestAuthnPushActivationLinksAndUnlockBySMS(t *testing.T) {
	authnBothEngines(t, func(t *testing.T, a *authnEnv) {
		id, token := newMFAUser(a, "dana@example.com")
		r := a.post("/api/v1/authn", map[string]any{"token": token})
		st := r.str("stateToken")
		a.post("/api/v1/authn/credentials/reset_password", map[string]any{"stateToken": st, "newPassword": "Secr3t!Pa55"})
		r = a.post("/api/v1/authn/factors", map[string]any{"stateToken": st, "factorType": "push", "provider": "OKTA"})
		a.wantStatus(r, "MFA_ENROLL_ACTIVATE")
		sends, _ := r.get("_embedded.factor._embedded.activation._links.send").([]any)
		if len(sends) != 2 {
			t.Fatalf("send links %s", r.Raw)
		}
		before := len(a.s.Org().Outbox(id))
		a.wantStatus(a.post(a.href(r, "_embedded.factor._embedded.activation._links.send.0.href"), map[string]any{"stateToken": st}), "MFA_ENROLL_ACTIVATE")
		a.wantStatus(a.post(a.href(r, "_embedded.factor._embedded.activation._links.send.1.href"),
			map[string]any{"stateToken": st, "profile": map[string]any{"phoneNumber": "+1-555-415-1337"}}), "MFA_ENROLL_ACTIVATE")
		msgs := a.s.Org().Outbox(id)[before:]
		if len(msgs) != 2 || msgs[0].Channel != "email" || msgs[1].Channel != "sms" || msgs[0].Token == "" {
			t.Fatalf("activation links sent: %+v", msgs)
		}
		// resend of an OTP is refused for push.
		a.want(a.post("/api/v1/authn/factors/"+r.str("_embedded.factor.id")+"/lifecycle/resend", map[string]any{"stateToken": st}), 403, "E0000079")

		// Unlock by SMS: carol is locked out, proves her phone, answers.
		for range 10 {
			a.login("carol@example.com", "wrong")
			a.s.Org().Advance(time.Second)
		}
		r = a.post("/api/v1/authn/recovery/unlock", map[string]any{"username": "carol@example.com", "factorType": "SMS", "relayState": "/x"})
		a.wantStatus(r, "RECOVERY_CHALLENGE")
		st = r.str("stateToken")
		r = a.post(a.href(r, "_links.next.href"), map[string]any{"stateToken": st, "passCode": a.lastCode(authnCarolID)})
		a.wantStatus(r, "RECOVERY")
		r = a.post("/api/v1/authn/recovery/answer", map[string]any{"stateToken": st, "answer": "ultramarine"})
		a.wantStatus(r, "SUCCESS")
		if r.str("recoveryType") != "UNLOCK" {
			t.Fatalf("%s", r.Raw)
		}
		a.wantStatus(a.login("carol@example.com", authnPassword), "MFA_REQUIRED")
		// A trusted app unlocking without a factor gets a recoveryToken.
		r = a.trusted("/api/v1/authn/recovery/unlock", map[string]any{"username": "carol@example.com"})
		a.wantStatus(r, "RECOVERY")
		if r.str("recoveryType") != "UNLOCK" || r.str("recoveryToken") == "" {
			t.Fatalf("%s", r.Raw)
		}
	})
}
