package emulator_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/oktaemu/oktaemu/emulator"
)

// Users of the default fixtures.
const (
	authnAliceID = "00ualice000000000000"
	authnBobID   = "00ubob00000000000000"
	authnCarolID = "00ucarol000000000000"
)

func TestAuthnPrimaryAuth(t *testing.T) {
	authnBothEngines(t, func(t *testing.T, a *authnEnv) {
		// Password only: SUCCESS with a sessionToken and the user, no
		// stateToken, no links.
		r := a.login("alice@example.com", authnPassword)
		a.wantStatus(r, "SUCCESS")
		if !strings.HasPrefix(r.str("sessionToken"), "20111") || r.str("stateToken") != "" || r.get("_links") != nil {
			t.Fatalf("SUCCESS body %s", r.Raw)
		}
		if got := r.str("_embedded.user.id"); got != authnAliceID {
			t.Fatalf("user id %q", got)
		}
		if got := r.str("_embedded.user.profile.login"); got != "alice@example.com" {
			t.Fatalf("login %q", got)
		}
		if r.str("expiresAt") != "2026-03-02T10:05:00.000Z" {
			t.Fatalf("expiresAt %q, want the sessionToken expiry (5 min)", r.str("expiresAt"))
		}
		// Short name.
		a.s.Org().Advance(time.Second)
		a.wantStatus(a.login("alice", authnPassword), "SUCCESS")

		// No enumeration: unknown user and wrong password answer alike.
		wrong := a.login("alice@example.com", "nope")
		unknown := a.login("nobody@example.com", authnPassword)
		a.want(wrong, 401, "E0000004")
		a.want(unknown, 401, "E0000004")
		strip := func(m map[string]any) map[string]any { delete(m, "errorId"); return m }
		if diff := cmp.Diff(strip(wrong.Body), strip(unknown.Body)); diff != "" {
			t.Fatalf("unknown user differs from wrong password:\n%s", diff)
		}
		// STAGED user.
		a.want(a.login("erin@example.com", authnPassword), 401, "E0000004")
		// Missing password.
		r = a.post("/api/v1/authn", map[string]any{"username": "alice@example.com"})
		a.want(r, 400, "E0000001")
		if r.str("errorSummary") != "Api validation failed: authRequest" ||
			r.str("errorCauses.0.errorSummary") != "The 'username' and 'password' attributes are required in this context." {
			t.Fatalf("missing password: %s", r.Raw)
		}
		// Malformed body.
		a.want(a.post("/api/v1/authn", "not an object"), 400, "E0000003")
	})
}

func TestAuthnMFARequiredTOTP(t *testing.T) {
	authnBothEngines(t, func(t *testing.T, a *authnEnv) {
		r := a.login("bob@example.com", authnPassword)
		a.wantStatus(r, "MFA_REQUIRED")
		st := r.str("stateToken")
		if len(st) != 42 || !strings.HasPrefix(st, "00") {
			t.Fatalf("stateToken %q", st)
		}
		if r.str("_embedded.factors.0.id") != "ostfbob0000000000000" || r.str("_embedded.factors.0.factorType") != "token:software:totp" {
			t.Fatalf("factors %s", r.Raw)
		}
		if a.href(r, "_links.cancel.href") != "/api/v1/authn/cancel" || r.get("_links.next") != nil {
			t.Fatalf("links %s", r.Raw)
		}
		if r.get("_embedded.policy.allowRememberDevice") != false {
			t.Fatalf("policy %s", r.Raw)
		}
		verify := a.href(r, "_embedded.factors.0._links.verify.href")
		// Wrong code: 403 E0000068, state unchanged.
		bad := a.post(verify, map[string]any{"stateToken": st, "passCode": "000000"})
		a.want(bad, 403, "E0000068")
		if bad.str("errorCauses.0.errorSummary") != "Your passcode doesn't match our records. Please try again." {
			t.Fatalf("cause %s", bad.Raw)
		}
		a.wantStatus(a.post("/api/v1/authn/introspect", map[string]any{"stateToken": st}), "MFA_REQUIRED")
		code := a.totpCode(authnBobSecret, 0)
		ok := a.post(verify, map[string]any{"stateToken": st, "passCode": code})
		a.wantStatus(ok, "SUCCESS")
		session := ok.str("sessionToken")
		// The state token is dead after SUCCESS.
		a.want(a.post("/api/v1/authn", map[string]any{"stateToken": st}), 401, "E0000011")

		// The same code cannot be used twice.
		a.s.Org().Advance(time.Second)
		r = a.login("bob@example.com", authnPassword)
		a.want(a.post(verify, map[string]any{"stateToken": r.str("stateToken"), "passCode": code}), 403, "E0000068")

		// The sessionToken opens a session once.
		s := a.post("/api/v1/sessions", map[string]any{"sessionToken": session})
		a.want(s, 200, "")
		if s.str("userId") != authnBobID {
			t.Fatalf("session %s", s.Raw)
		}
		a.want(a.post("/api/v1/sessions", map[string]any{"sessionToken": session}), 401, "E0000004")
	})
}

func TestAuthnStrictTransitions(t *testing.T) {
	authnBothEngines(t, func(t *testing.T, a *authnEnv) {
		r := a.login("bob@example.com", authnPassword)
		st := r.str("stateToken")
		body := map[string]any{"stateToken": st}
		for _, path := range []string{"/api/v1/authn/previous", "/api/v1/authn/skip", "/api/v1/authn/credentials/change_password",
			"/api/v1/authn/credentials/reset_password", "/api/v1/authn/factors", "/api/v1/authn/recovery/answer",
			"/api/v1/authn/recovery/factors/SMS/verify"} {
			r := a.post(path, body)
			a.want(r, 403, "E0000079")
			if r.str("errorCauses.0.errorSummary") != "This operation is not allowed in the current authentication state." {
				t.Fatalf("%s: %s", path, r.Raw)
			}
		}
		// State reads slide the expiry: 4 + 4 minutes with a read between.
		a.s.Org().Advance(4 * time.Minute)
		r = a.post("/api/v1/authn", body)
		a.wantStatus(r, "MFA_REQUIRED")
		if r.str("expiresAt") != "2026-03-02T10:09:00.000Z" {
			t.Fatalf("expiresAt %q", r.str("expiresAt"))
		}
		a.s.Org().Advance(4 * time.Minute)
		a.wantStatus(a.post("/api/v1/authn/introspect", body), "MFA_REQUIRED")
		// Cancel, then any use is 401 E0000011.
		c := a.post("/api/v1/authn/cancel", body)
		a.want(c, 200, "")
		for _, path := range []string{"/api/v1/authn", "/api/v1/authn/introspect", "/api/v1/authn/cancel",
			"/api/v1/authn/factors/ostfbob0000000000000/verify"} {
			a.want(a.post(path, body), 401, "E0000011")
		}
		// Expiry by the clock.
		r = a.login("bob@example.com", authnPassword)
		a.s.Org().Advance(5 * time.Minute)
		a.want(a.post("/api/v1/authn", map[string]any{"stateToken": r.str("stateToken")}), 401, "E0000011")
		// Unknown and missing tokens.
		a.want(a.post("/api/v1/authn/introspect", map[string]any{"stateToken": "00nope"}), 401, "E0000011")
		a.want(a.post("/api/v1/authn/previous", map[string]any{}), 401, "E0000011")
	})
}

func TestAuthnPerUsernameRateLimit(t *testing.T) {
	authnBothEngines(t, func(t *testing.T, a *authnEnv) {
		for i := range 4 {
			r := a.login("alice@example.com", "wrong")
			a.want(r, 401, "E0000004")
			if i == 3 && r.Header.Get("X-Rate-Limit-Limit") == "" {
				t.Fatal("no rate-limit headers")
			}
		}
		r := a.login("ALICE@example.com", authnPassword)
		a.want(r, 429, "E0000047")
		want := map[string]string{"X-Rate-Limit-Limit": "4", "X-Rate-Limit-Remaining": "0",
			"X-Rate-Limit-Reset": "1772445601"}
		for k, v := range want {
			if got := r.Header.Get(k); got != v {
				t.Errorf("%s = %q, want %q", k, got, v)
			}
		}
		// Another user is not affected; the same one is after a second.
		a.wantStatus(a.login("bob@example.com", authnPassword), "MFA_REQUIRED")
		a.s.Org().Advance(time.Second)
		a.wantStatus(a.login("alice@example.com", authnPassword), "SUCCESS")

		// The control plane lifts the limit for load tests (authnPerUsername
		// 0), and a PUT without it restores Okta's.
		a.s.Org().Advance(time.Second)
		lift := map[string]any{"default": 0, "byPrefix": map[string]int{}, "authnPerUsername": 0}
		if r := a.do("PUT", "/_emulator/orgs/default/ratelimits", "", lift); r.Status != 200 || !strings.Contains(string(r.Raw), `"authnPerUsername":0`) {
			t.Fatalf("lifting: %d %s", r.Status, r.Raw)
		}
		for range 6 {
			a.wantStatus(a.login("alice@example.com", authnPassword), "SUCCESS")
		}
		a.s.Org().Advance(time.Second)
		if r := a.do("PUT", "/_emulator/orgs/default/ratelimits", "", map[string]any{"default": 0, "byPrefix": map[string]int{}}); r.Status != 200 || !strings.Contains(string(r.Raw), `"authnPerUsername":4`) {
			t.Fatalf("restoring: %d %s", r.Status, r.Raw)
		}
		for range 4 {
			a.wantStatus(a.login("alice@example.com", authnPassword), "SUCCESS")
		}
		a.want(a.login("alice@example.com", authnPassword), 429, "E0000047")
		if r := a.do("PUT", "/_emulator/orgs/default/ratelimits", "", map[string]any{"default": 0, "byPrefix": map[string]int{}, "authnPerUsername": -1}); r.Status != 400 {
			t.Errorf("negative authnPerUsername: %d %s, want 400", r.Status, r.Raw)
		}
	})
}

func TestAuthnLockout(t *testing.T) {
	authnBothEngines(t, func(t *testing.T, a *authnEnv) {
		a.record()
		// The default password policy locks after 10 failures and hides
		// lockout failures.
		for range 10 {
			a.want(a.login("alice@example.com", "wrong"), 401, "E0000004")
			a.s.Org().Advance(time.Second)
		}
		a.want(a.login("alice@example.com", authnPassword), 401, "E0000004")
		u := a.do("GET", "/api/v1/users/"+authnAliceID, "SSWS "+a.s.Token, nil)
		if u.str("status") != "LOCKED_OUT" {
			t.Fatalf("user %s", u.Raw)
		}
		// Self-service unlock by email, then the recovery question.
		r := a.post("/api/v1/authn/recovery/unlock", map[string]any{"username": "alice@example.com", "factorType": "EMAIL"})
		a.wantStatus(r, "RECOVERY_CHALLENGE")
		if r.str("recoveryType") != "UNLOCK" || r.str("factorResult") != "WAITING" || r.str("stateToken") != "" {
			t.Fatalf("unlock challenge %s", r.Raw)
		}
		var token string
		for _, m := range a.s.Org().Outbox(authnAliceID) {
			if m.Kind == "unlock" {
				token = m.Token
			}
		}
		if token == "" {
			t.Fatal("no unlock email")
		}
		r = a.post("/api/v1/authn/recovery/token", map[string]any{"recoveryToken": token})
		a.wantStatus(r, "RECOVERY")
		if r.str("_embedded.user.recovery_question.question") != "What is the name of your first pet?" {
			t.Fatalf("recovery %s", r.Raw)
		}
		r = a.post(a.href(r, "_links.next.href"), map[string]any{"stateToken": r.str("stateToken"), "answer": "Rex the dog"})
		a.wantStatus(r, "SUCCESS")
		if r.str("recoveryType") != "UNLOCK" || r.str("sessionToken") != "" {
			t.Fatalf("unlock success %s", r.Raw)
		}
		a.wantStatus(a.login("alice@example.com", authnPassword), "SUCCESS")
		a.golden("lockout-unlock-" + string(a.engine))
	})
}

func TestAuthnPasswordExpired(t *testing.T) {
	authnBothEngines(t, func(t *testing.T, a *authnEnv) {
		a.want(a.do("POST", "/api/v1/users/"+authnAliceID+"/lifecycle/expire_password", "SSWS "+a.s.Token, nil), 200, "")
		a.record()
		r := a.login("alice@example.com", authnPassword)
		a.wantStatus(r, "PASSWORD_EXPIRED")
		if r.get("_links.skip") != nil || r.str("_links.next.name") != "changePassword" ||
			r.get("_embedded.policy.complexity.minLength") != float64(8) {
			t.Fatalf("PASSWORD_EXPIRED %s", r.Raw)
		}
		st := r.str("stateToken")
		change := a.href(r, "_links.next.href")
		bad := a.post(change, map[string]any{"stateToken": st, "oldPassword": "wrong", "newPassword": "N3wPassword!"})
		a.want(bad, 403, "E0000014")
		if bad.str("errorCauses.0.errorSummary") != "oldPassword: The credentials provided were incorrect." {
			t.Fatalf("%s", bad.Raw)
		}
		weak := a.post(change, map[string]any{"stateToken": st, "oldPassword": authnPassword, "newPassword": "short"})
		a.want(weak, 403, "E0000014")
		if !strings.HasPrefix(weak.str("errorCauses.0.errorSummary"), "Password requirements were not met. Password requirements: at least 8 characters") {
			t.Fatalf("%s", weak.Raw)
		}
		a.wantStatus(a.post(change, map[string]any{"stateToken": st, "oldPassword": authnPassword, "newPassword": "N3wPassword!"}), "SUCCESS")
		a.s.Org().Advance(time.Second)
		a.want(a.login("alice@example.com", authnPassword), 401, "E0000004")
		a.wantStatus(a.login("alice@example.com", "N3wPassword!"), "SUCCESS")
		a.golden("password-expired-" + string(a.engine))
	})
}

func TestAuthnGoldenTOTP(t *testing.T) {
	authnBothEngines(t, func(t *testing.T, a *authnEnv) {
		a.record()
		r := a.login("bob@example.com", authnPassword)
		a.wantStatus(r, "MFA_REQUIRED")
		r = a.post(a.href(r, "_embedded.factors.0._links.verify.href"),
			map[string]any{"stateToken": r.str("stateToken"), "passCode": a.totpCode(authnBobSecret, -30*time.Second)})
		a.wantStatus(r, "SUCCESS")
		a.golden("totp-" + string(a.engine))
	})
}

func TestAuthnCancelReuse(t *testing.T) {
	authnBothEngines(t, func(t *testing.T, a *authnEnv) {
		a.record()
		r := a.login("bob@example.com", authnPassword)
		st := r.str("stateToken")
		a.want(a.post("/api/v1/authn/cancel", map[string]any{"stateToken": st}), 200, "")
		a.want(a.post("/api/v1/authn", map[string]any{"stateToken": st}), 401, "E0000011")
		a.golden("cancel-reuse-" + string(a.engine))
	})
}

func TestAuthnPush(t *testing.T) {
	authnBothEngines(t, func(t *testing.T, a *authnEnv) {
		a.record()
		r := a.login("carol@example.com", authnPassword)
		a.wantStatus(r, "MFA_REQUIRED")
		st := r.str("stateToken")
		verify := authnFactorVerify(a, r, "push")
		// Send: WAITING with the poll link.
		r = a.post(verify+"?autoPush=true&rememberDevice=false", map[string]any{"stateToken": st})
		a.wantStatus(r, "MFA_CHALLENGE")
		if r.str("factorResult") != "WAITING" || r.str("_links.next.name") != "poll" || r.str("_links.resend.0.name") != "push" {
			t.Fatalf("push sent %s", r.Raw)
		}
		poll := a.href(r, "_links.next.href")
		a.wantStatus(a.post(poll, map[string]any{"stateToken": st}), "MFA_CHALLENGE")
		// Rejected, reported once; the next verify sends a new push.
		if _, err := a.s.Org().RejectAuthnPush(st); err != nil {
			t.Fatal(err)
		}
		r = a.post(poll, map[string]any{"stateToken": st})
		if r.str("factorResult") != "REJECTED" || r.str("_links.next.name") != "verify" {
			t.Fatalf("rejected %s", r.Raw)
		}
		r = a.post(poll, map[string]any{"stateToken": st})
		if r.str("factorResult") != "WAITING" {
			t.Fatalf("new push %s", r.Raw)
		}
		// Unanswered past its 5 minutes: TIMEOUT (the stateToken slides).
		a.s.Org().Advance(4 * time.Minute)
		a.post(poll, map[string]any{"stateToken": st})
		a.s.Org().Advance(2 * time.Minute)
		r = a.post(poll, map[string]any{"stateToken": st})
		if r.str("factorResult") != "TIMEOUT" {
			t.Fatalf("timeout %s", r.Raw)
		}
		// Number challenge, approved with the right number.
		a.s.Org().SetAuthnNumberChallenge(true)
		r = a.post(poll, map[string]any{"stateToken": st})
		n, _ := r.get("_embedded.factor._embedded.challenge.correctAnswer").(float64)
		if r.str("factorResult") != "WAITING" || n < 10 {
			t.Fatalf("number challenge %s", r.Raw)
		}
		if _, err := a.s.Org().ApproveAuthnPush(st, int(n)); err != nil {
			t.Fatal(err)
		}
		r = a.post(poll+"?autoPush=true", map[string]any{"stateToken": st})
		a.wantStatus(r, "SUCCESS")
		a.golden("push-" + string(a.engine))

		// The autoPush preference is reported next time.
		a.s.Org().Advance(time.Second)
		r = a.login("carol@example.com", authnPassword)
		if r.get("_embedded.policy.factorsPolicyInfo.opfcarol000000000000.autoPushEnabled") != true {
			t.Fatalf("autoPush %s", r.Raw)
		}
		// A wrong number rejects the push.
		st = r.str("stateToken")
		r = a.post(authnFactorVerify(a, r, "push"), map[string]any{"stateToken": st})
		n, _ = r.get("_embedded.factor._embedded.challenge.correctAnswer").(float64)
		if _, err := a.s.Org().ApproveAuthnPush(st, int(n)+1); err != nil {
			t.Fatal(err)
		}
		r = a.post(a.href(r, "_links.next.href"), map[string]any{"stateToken": st})
		if r.str("factorResult") != "REJECTED" {
			t.Fatalf("wrong number %s", r.Raw)
		}
	})
}

// authnFactorVerify is the verify path of the MFA_REQUIRED factor of type typ.
func authnFactorVerify(a *authnEnv, r authnResp, typ string) string {
	a.t.Helper()
	fs, _ := r.get("_embedded.factors").([]any)
	for i, f := range fs {
		if m, _ := f.(map[string]any); m["factorType"] == typ {
			return a.href(r, "_embedded.factors."+strconv.Itoa(i)+"._links.verify.href")
		}
	}
	a.t.Fatalf("no %s factor in %s", typ, r.Raw)
	return ""
}

func TestAuthnSMSAndQuestion(t *testing.T) {
	authnBothEngines(t, func(t *testing.T, a *authnEnv) {
		r := a.login("carol@example.com", authnPassword)
		st := r.str("stateToken")
		verify := authnFactorVerify(a, r, "sms")
		question := authnFactorVerify(a, r, "question")
		r = a.post(verify, map[string]any{"stateToken": st})
		a.wantStatus(r, "MFA_CHALLENGE")
		if r.get("factorResult") != nil || r.str("_links.resend.0.name") != "sms" || r.str("_links.next.name") != "verify" ||
			r.str("_embedded.factor.profile.phoneNumber") != "+1 XXX-XXX-0102" {
			t.Fatalf("sms challenge %s", r.Raw)
		}
		resend := a.href(r, "_links.resend.0.href")
		a.want(a.post(resend, map[string]any{"stateToken": st}), 429, "E0000109")
		a.s.Org().Advance(31 * time.Second)
		a.wantStatus(a.post(resend, map[string]any{"stateToken": st}), "MFA_CHALLENGE")
		a.want(a.post(verify, map[string]any{"stateToken": st, "passCode": "12345"}), 403, "E0000068")
		// A different factor may be verified from MFA_CHALLENGE.
		bad := a.post(question, map[string]any{"stateToken": st, "answer": "spinach"})
		a.want(bad, 403, "E0000068")
		if bad.str("errorCauses.0.errorSummary") != "Your answer doesn't match our records. Please try again." {
			t.Fatalf("%s", bad.Raw)
		}
		a.wantStatus(a.post(verify, map[string]any{"stateToken": st, "passCode": a.lastCode(authnCarolID)}), "SUCCESS")

		a.s.Org().Advance(time.Second)
		r = a.login("carol@example.com", authnPassword)
		a.wantStatus(a.post(question, map[string]any{"stateToken": r.str("stateToken"), "answer": "Brussels Sprouts"}), "SUCCESS")
		// previous from MFA_CHALLENGE goes back.
		a.s.Org().Advance(time.Second)
		r = a.login("carol@example.com", authnPassword)
		st = r.str("stateToken")
		r = a.post(authnFactorVerify(a, r, "push"), map[string]any{"stateToken": st})
		a.wantStatus(a.post(a.href(r, "_links.prev.href"), map[string]any{"stateToken": st}), "MFA_REQUIRED")
	})
}

func TestAuthnRecoveryEmailQuestion(t *testing.T) {
	authnBothEngines(t, func(t *testing.T, a *authnEnv) {
		a.record()
		r := a.post("/api/v1/authn/recovery/password", map[string]any{"username": "alice@example.com", "factorType": "EMAIL"})
		a.wantStatus(r, "RECOVERY_CHALLENGE")
		// No enumeration: an unknown user gets the same answer, no email.
		u := a.post("/api/v1/authn/recovery/password", map[string]any{"username": "ghost@example.com", "factorType": "email"})
		if diff := cmp.Diff(r.Body, u.Body); diff != "" {
			t.Fatalf("unknown user differs:\n%s", diff)
		}
		if r.str("stateToken") != "" || r.get("_links") != nil || r.str("factorType") != "EMAIL" || r.str("recoveryType") != "PASSWORD" {
			t.Fatalf("email challenge %s", r.Raw)
		}
		var token string
		for _, m := range a.s.Org().Outbox(authnAliceID) {
			if m.Kind == "recovery" {
				token = m.Token
			}
		}
		r = a.post("/api/v1/authn/recovery/token", map[string]any{"recoveryToken": token})
		a.wantStatus(r, "RECOVERY")
		st := r.str("stateToken")
		answer := a.href(r, "_links.next.href")
		bad := a.post(answer, map[string]any{"stateToken": st, "answer": "a cat"})
		a.want(bad, 403, "E0000087")
		if len(bad.get("errorCauses").([]any)) != 0 {
			t.Fatalf("%s", bad.Raw)
		}
		r = a.post(answer, map[string]any{"stateToken": st, "answer": "rex the dog"})
		a.wantStatus(r, "PASSWORD_RESET")
		if r.str("_links.next.name") != "resetPassword" {
			t.Fatalf("%s", r.Raw)
		}
		reset := a.href(r, "_links.next.href")
		a.want(a.post(reset, map[string]any{"stateToken": st, "newPassword": "password"}), 403, "E0000080")
		r = a.post(reset, map[string]any{"stateToken": st, "newPassword": "Rec0vered!Pw"})
		a.wantStatus(r, "SUCCESS")
		// The recovery token was single-use.
		a.want(a.post("/api/v1/authn/recovery/token", map[string]any{"recoveryToken": token}), 401, "E0000011")
		a.golden("recovery-email-question-" + string(a.engine))
		a.s.Org().Advance(time.Second)
		a.wantStatus(a.login("alice@example.com", "Rec0vered!Pw"), "SUCCESS")
	})
}

func TestAuthnRecoverySMS(t *testing.T) {
	authnBothEngines(t, func(t *testing.T, a *authnEnv) {
		r := a.post("/api/v1/authn/recovery/password", map[string]any{"username": "carol@example.com", "factorType": "SMS"})
		a.wantStatus(r, "RECOVERY_CHALLENGE")
		st := r.str("stateToken")
		if st == "" || r.str("_links.resend.name") != "sms" || r.str("factorType") != "SMS" {
			t.Fatalf("sms recovery %s", r.Raw)
		}
		verify := a.href(r, "_links.next.href")
		if verify != "/api/v1/authn/recovery/factors/SMS/verify" {
			t.Fatalf("verify %s", verify)
		}
		bad := a.post(verify, map[string]any{"stateToken": st, "passCode": "000000"})
		a.want(bad, 403, "E0000068")
		if bad.str("errorCauses.0.errorSummary") != "Your token doesn't match our records. Please try again." {
			t.Fatalf("%s", bad.Raw)
		}
		a.want(a.post("/api/v1/authn/recovery/factors/SMS/resend", map[string]any{"stateToken": st}), 429, "E0000109")
		r = a.post("/api/v1/authn/recovery/factors/sms/verify", map[string]any{"stateToken": st, "passCode": a.lastCode(authnCarolID)})
		a.wantStatus(r, "RECOVERY")
		a.wantStatus(a.post("/api/v1/authn/recovery/answer", map[string]any{"stateToken": st, "answer": "Ultramarine"}), "PASSWORD_RESET")

		// Unknown user: a transaction that looks the same and never verifies.
		r = a.post("/api/v1/authn/recovery/password", map[string]any{"username": "ghost@example.com", "factorType": "SMS"})
		a.wantStatus(r, "RECOVERY_CHALLENGE")
		a.want(a.post(verify, map[string]any{"stateToken": r.str("stateToken"), "passCode": "123456"}), 403, "E0000068")
		// Public callers must name a factor.
		a.want(a.post("/api/v1/authn/recovery/password", map[string]any{"username": "alice@example.com"}), 400, "E0000001")
	})
}

func TestAuthnRecoveryTrusted(t *testing.T) {
	authnBothEngines(t, func(t *testing.T, a *authnEnv) {
		r := a.trusted("/api/v1/authn/recovery/password", map[string]any{"username": "alice@example.com"})
		a.wantStatus(r, "RECOVERY")
		if r.str("recoveryToken") == "" || r.str("stateToken") != "" || r.str("_links.next.name") != "recovery" {
			t.Fatalf("trusted recovery %s", r.Raw)
		}
		a.want(a.trusted("/api/v1/authn/recovery/password", map[string]any{"username": "ghost@example.com"}), 403, "E0000095")
		a.wantStatus(a.post("/api/v1/authn/recovery/token", map[string]any{"recoveryToken": r.str("recoveryToken")}), "RECOVERY")
		// The admin reset_password token works the same way.
		reset := a.do("POST", "/api/v1/users/"+authnBobID+"/lifecycle/reset_password?sendEmail=false", "SSWS "+a.s.Token, nil)
		a.want(reset, 200, "")
		tok := reset.str("resetPasswordUrl")
		tok = tok[strings.LastIndex(tok, "/")+1:]
		r = a.post("/api/v1/authn/recovery/token", map[string]any{"recoveryToken": tok})
		a.wantStatus(r, "PASSWORD_RESET") // bob has no recovery question
		a.wantStatus(a.post("/api/v1/authn/credentials/reset_password",
			map[string]any{"stateToken": r.str("stateToken"), "newPassword": "Adm1nReset!Pw"}), "SUCCESS")
		a.want(a.post("/api/v1/authn/recovery/token", map[string]any{"recoveryToken": "VJnotatoken"}), 401, "E0000011")
	})
}

func TestAuthnAudienceAndRelayState(t *testing.T) {
	for _, tc := range []struct {
		engine emulator.Engine
		// known SAML app: the status, or the error code
		samlStatus, samlError string
		relayEchoed           bool
	}{
		{emulator.Classic, "SUCCESS", "", true},
		{emulator.Identity, "", "E0000001", false},
	} {
		t.Run(string(tc.engine), func(t *testing.T) {
			a := newAuthnEnv(t, tc.engine)
			a.record()
			r := a.post("/api/v1/authn", map[string]any{"username": "alice@example.com", "password": authnPassword, "audience": "0oasamlapp0000000000"})
			if tc.samlStatus != "" {
				a.wantStatus(r, tc.samlStatus)
				if r.str("type") != "SESSION_STEP_UP" || r.str("sessionToken") != "" || r.str("_links.next.name") != "original" ||
					r.str("_embedded.authentication.protocol") != "SAML2.0" {
					t.Fatalf("step-up %s", r.Raw)
				}
			} else {
				a.want(r, 400, tc.samlError)
				if r.str("errorCauses.0.errorSummary") != "Invalid or unknown audience '0oasamlapp0000000000'." {
					t.Fatalf("%s", r.Raw)
				}
			}
			a.s.Org().Advance(time.Second)
			r = a.post("/api/v1/authn", map[string]any{"username": "alice@example.com", "password": authnPassword, "audience": "0oanope"})
			a.want(r, 400, "E0000001")
			if r.str("errorCauses.0.errorSummary") != "Invalid or unknown audience '0oanope'." {
				t.Fatalf("%s", r.Raw)
			}
			a.golden("audience-" + string(tc.engine))

			r = a.post("/api/v1/authn", map[string]any{"username": "bob@example.com", "password": authnPassword, "relayState": "/app/42"})
			a.wantStatus(r, "MFA_REQUIRED")
			c := a.post("/api/v1/authn/cancel", map[string]any{"stateToken": r.str("stateToken")})
			if tc.relayEchoed != (r.str("relayState") == "/app/42") || tc.relayEchoed != (c.str("relayState") == "/app/42") {
				t.Fatalf("relayState: %s / %s", r.Raw, c.Raw)
			}
		})
	}
	a := newAuthnEnv(t, emulator.Classic)
	r := a.post("/api/v1/authn", map[string]any{"username": "alice@example.com", "password": authnPassword, "audience": "0oaoidcapp0000000000"})
	a.want(r, 400, "E0000001")
	if r.str("errorCauses.0.errorSummary") != "Sign in not allowed for app '0oaoidcapp0000000000'." {
		t.Fatalf("%s", r.Raw)
	}
}

func TestAuthnChangePasswordRevokesSessions(t *testing.T) {
	authnBothEngines(t, func(t *testing.T, a *authnEnv) {
		r := a.login("alice@example.com", authnPassword)
		s := a.post("/api/v1/sessions", map[string]any{"sessionToken": r.str("sessionToken")})
		a.want(s, 200, "")
		sid := s.str("id")
		change := func(old, new string, revoke bool) {
			t.Helper()
			a.want(a.do("POST", "/api/v1/users/"+authnAliceID+"/lifecycle/expire_password", "SSWS "+a.s.Token, nil), 200, "")
			a.s.Org().Advance(time.Second)
			r := a.login("alice@example.com", old)
			a.wantStatus(r, "PASSWORD_EXPIRED")
			a.wantStatus(a.post("/api/v1/authn/credentials/change_password", map[string]any{"stateToken": r.str("stateToken"),
				"oldPassword": old, "newPassword": new, "revokeSessions": revoke}), "SUCCESS")
		}
		change(authnPassword, "N3wPassword!", false)
		a.want(a.do("GET", "/api/v1/sessions/"+sid, "SSWS "+a.s.Token, nil), 200, "")
		change("N3wPassword!", "N3werPassword!", true)
		a.want(a.do("GET", "/api/v1/sessions/"+sid, "SSWS "+a.s.Token, nil), 404, "E0000007")
	})
}

func TestAuthnCORS(t *testing.T) {
	authnBothEngines(t, func(t *testing.T, a *authnEnv) {
		for _, path := range []string{"/api/v1/authn", "/api/v1/authn/factors/ostfbob0000000000000/verify"} {
			req, _ := http.NewRequest("OPTIONS", a.s.URL+path, nil)
			req.Header.Set("Origin", "https://app.example.com")
			req.Header.Set("Access-Control-Request-Method", "POST")
			res, err := a.c.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if res.StatusCode != 204 || res.Header.Get("Access-Control-Allow-Origin") != "https://app.example.com" ||
				res.Header.Get("Access-Control-Allow-Credentials") != "true" ||
				!strings.Contains(res.Header.Get("Access-Control-Allow-Headers"), "X-Okta-User-Agent-Extended") {
				t.Fatalf("%s preflight: %d %v", path, res.StatusCode, res.Header)
			}
		}
		req, _ := http.NewRequest("POST", a.s.URL+"/api/v1/authn", strings.NewReader(`{"username":"alice@example.com","password":"`+authnPassword+`"}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Origin", "https://app.example.com")
		res, err := a.c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != 200 || res.Header.Get("Access-Control-Allow-Origin") != "https://app.example.com" {
			t.Fatalf("POST: %d %v", res.StatusCode, res.Header)
		}
	})
}
