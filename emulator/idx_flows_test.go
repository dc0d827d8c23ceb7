package emulator_test

import (
	"net/url"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/oktaemu/oktaemu/emulator/emulatortest"
)

const (
	aliceIDX = "00ualice000000000000"
	bobIDX   = "00ubob00000000000000"
	carolIDX = "00ucarol000000000000"
	// carol's Okta Verify TOTP secret and bob's Google Authenticator one
	// (identity-default fixture).
	carolOVSecret = "KRSXG5CTMVRXEZLUKN2XAZLSKNSWG4TF"
	bobGASecret   = "JBSWY3DPEHPK3PXP"
)

func idxSignIn(user string) map[string]any {
	return map[string]any{"identifier": user, "credentials": map[string]any{"passcode": idxPassword}, "rememberMe": false}
}

// TestIDXPasswordFirstSignIn: the default global session policy
// (PASSWORD_IDP) puts the password on the identify form; alice (password
// only, 1FA) is done after it and exchanges the code for tokens.
func TestIDXPasswordFirstSignIn(t *testing.T) {
	s := idxServer(t)
	d := newIDXDriver(t, s)
	r := d.start(nil)
	if got, want := r.names(), []string{"identify", "unlock-account"}; !cmp.Equal(got, want) {
		t.Errorf("first step remediations %v, want %v", got, want)
	}
	r = d.step(r, "identify", idxSignIn("alice@example.com"), 200)
	status, tok := d.token(idxCode(t, r), idxVerifier, false)
	if status != 200 {
		t.Fatalf("token %d %v", status, tok)
	}
	claims := idxClaims(t, s, tok["id_token"].(string))
	got := map[string]any{"sub": claims["sub"], "aud": claims["aud"], "iss": claims["iss"], "amr": claims["amr"],
		"nonce": claims["nonce"], "email": claims["email"], "preferred_username": claims["preferred_username"]}
	want := map[string]any{"sub": aliceIDX, "aud": idxClient, "iss": s.URL + "/oauth2/default",
		"amr": []any{"pwd"}, "nonce": "n0nce", "email": "alice@example.com", "preferred_username": "alice@example.com"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("id token claims (-want +got):\n%s", diff)
	}
	at := idxClaims(t, s, tok["access_token"].(string))
	if at["uid"] != aliceIDX || at["cid"] != idxClient || at["aud"] != "api://default" {
		t.Errorf("access token claims %v", at)
	}
	if tok["refresh_token"] == nil || tok["token_type"] != "Bearer" || tok["scope"] != "openid profile email offline_access" {
		t.Errorf("token response %v", tok)
	}
	d.golden("password-first-alice")
}

// TestIDXWrongPasswordFirstStep: a wrong password (or unknown user) on the
// identify form is 401 errors.E0000004 with identify re-offered.
func TestIDXWrongPasswordFirstStep(t *testing.T) {
	s := idxServer(t)
	for _, user := range []string{"alice@example.com", "nobody@example.com"} {
		d := newIDXDriver(t, s)
		r := d.start(nil)
		in := idxSignIn(user)
		in["credentials"] = map[string]any{"passcode": "wrong"}
		r = d.step(r, "identify", in, 401)
		if got := r.messageKeys(); !cmp.Equal(got, []string{"errors.E0000004"}) {
			t.Errorf("%s: messages %v", user, got)
		}
		r.remediation(t, "identify")
	}
}

// TestIDXIdentifierFirst: with PASSWORD_IDP_ANY_FACTOR the identify form has
// no password and any enrolled authenticator may satisfy the 1FA policy, so
// alice selects among password and email; a wrong password is 401
// incorrectPassword with the challenge re-offered; an unknown user gets
// the idx.unknown.user warning.
func TestIDXIdentifierFirst(t *testing.T) {
	s := idxServer(t)
	idxIdentifierFirst(t, s)
	d := newIDXDriver(t, s)
	r := d.start(nil)
	for _, f := range idxList(r.remediation(t, "identify")["value"]) {
		if f.(map[string]any)["name"] == "credentials" {
			t.Fatal("identifier-first identify form carries credentials")
		}
	}
	r = d.step(r, "identify", map[string]any{"identifier": "nobody@example.com"}, 200)
	if got := r.messageKeys(); !cmp.Equal(got, []string{"idx.unknown.user"}) {
		t.Errorf("unknown user messages %v", got)
	}
	r = d.step(r, "identify", map[string]any{"identifier": "alice@example.com", "rememberMe": "false"}, 200)
	var keys []string
	for _, o := range idxList(idxList(r.remediation(t, "select-authenticator-authenticate")["value"])[0].(map[string]any)["options"]) {
		keys = append(keys, idxResolve(t, r, o.(map[string]any)["relatesTo"].(string))["key"].(string))
	}
	if !cmp.Equal(keys, []string{"okta_password", "okta_email"}) {
		t.Errorf("options %v", keys)
	}
	r = d.step(r, "select-authenticator-authenticate", d.selectAuth(r, "select-authenticator-authenticate", "okta_password", ""), 200)
	if got := idxAt(map[string]any(r), "currentAuthenticatorEnrollment", "value", "key"); got != "okta_password" {
		t.Fatalf("currentAuthenticatorEnrollment %v, remediations %v", got, r.names())
	}
	r = d.step(r, "challenge-authenticator", map[string]any{"credentials": map[string]any{"passcode": "nope"}}, 401)
	if got := r.messageKeys(); !cmp.Equal(got, []string{"incorrectPassword"}) {
		t.Errorf("messages %v", got)
	}
	r = d.step(r, "challenge-authenticator", map[string]any{"credentials": map[string]any{"passcode": idxPassword}}, 200)
	if claims := d.finish(r); !cmp.Equal(claims["amr"], []any{"pwd"}) {
		t.Errorf("amr %v", claims["amr"])
	}
	d.golden("identifier-first-alice")
}

// TestIDXGoogleAuthenticatorAndSkip: bob (mfa-required → 2FA) proves the
// password, picks Google Authenticator among his enrollments, fails once
// (401, field message), passes, then skips the optional enrollments the
// policy offers.
func TestIDXGoogleAuthenticatorAndSkip(t *testing.T) {
	s := idxServer(t)
	d := newIDXDriver(t, s)
	r := d.start(nil)
	r = d.step(r, "identify", idxSignIn("bob@example.com"), 200)
	r = d.step(r, "select-authenticator-authenticate", d.selectAuth(r, "select-authenticator-authenticate", "google_otp", ""), 200)
	r = d.step(r, "challenge-authenticator", map[string]any{"credentials": map[string]any{"passcode": "000000"}}, 401)
	field := idxAt(idxList(r.remediation(t, "challenge-authenticator")["value"])[0], "form", "value")
	if got := idxAt(idxList(field)[0], "messages", "value"); got == nil {
		t.Errorf("no field message on credentials.passcode: %v", field)
	}
	r = d.step(r, "challenge-authenticator", map[string]any{"credentials": map[string]any{"passcode": idxTOTP(t, s, bobGASecret)}}, 200)
	var offered []string
	for _, a := range idxList(idxAt(map[string]any(r), "authenticators", "value")) {
		offered = append(offered, a.(map[string]any)["key"].(string))
	}
	if want := []string{"okta_verify", "phone_number", "security_question"}; !cmp.Equal(offered, want) {
		t.Errorf("optional enrollments offered %v, want %v", offered, want)
	}
	r = d.step(r, "skip", nil, 200)
	if claims := d.finish(r); !cmp.Equal(claims["amr"], []any{"mfa", "pwd", "otp"}) {
		t.Errorf("amr %v", claims["amr"])
	}
	d.golden("google-authenticator-bob")
}

// TestIDXEmailCode: carol verifies with an email code read from the outbox;
// a wrong code is 401 with the field message; poll and resend keep the
// challenge.
func TestIDXEmailCode(t *testing.T) {
	s := idxServer(t)
	d := newIDXDriver(t, s)
	r := d.start(nil)
	r = d.step(r, "identify", idxSignIn("carol@example.com"), 200)
	r = d.step(r, "select-authenticator-authenticate", d.selectAuth(r, "select-authenticator-authenticate", "okta_email", ""), 200)
	if got := idxAt(map[string]any(r), "currentAuthenticatorEnrollment", "value", "profile", "email"); got != "c***l@example.com" {
		t.Errorf("masked email %v", got)
	}
	r = d.action(r, 200, "currentAuthenticatorEnrollment", "value", "poll")
	s.Org().Advance(10 * time.Second)
	r = d.action(r, 200, "currentAuthenticatorEnrollment", "value", "resend")
	r = d.step(r, "challenge-authenticator", map[string]any{"credentials": map[string]any{"passcode": "999999x"}}, 401)
	r = d.step(r, "challenge-authenticator", map[string]any{"credentials": map[string]any{"passcode": idxLastCode(t, s, carolIDX)}}, 200)
	r = d.step(r, "skip", nil, 200)
	if claims := d.finish(r); !cmp.Equal(claims["amr"], []any{"mfa", "pwd", "email"}) {
		t.Errorf("amr %v", claims["amr"])
	}
}

// TestIDXOktaVerifyPush: number challenge approved with the right number;
// a rejected push is 400 push_rejected with resend; a push nobody answers
// times out by the clock (404).
func TestIDXOktaVerifyPush(t *testing.T) {
	s := idxServer(t)
	if err := s.Org().SetOktaVerifyNumberChallenge(true); err != nil {
		t.Fatal(err)
	}
	push := func(d *idxDriver) idxION {
		r := d.start(nil)
		r = d.step(r, "identify", idxSignIn("carol@example.com"), 200)
		return d.step(r, "select-authenticator-authenticate", d.selectAuth(r, "select-authenticator-authenticate", "okta_verify", "push"), 200)
	}

	d := newIDXDriver(t, s)
	r := push(d)
	answer := idxAt(map[string]any(r), "currentAuthenticator", "value", "contextualData", "correctAnswer")
	if answer == nil {
		t.Fatalf("no number challenge: %v", r["currentAuthenticator"])
	}
	r = d.step(r, "challenge-poll", nil, 200)
	r.remediation(t, "challenge-poll")
	sh := r["stateHandle"].(string)
	var n int
	for _, c := range answer.(string) {
		n = n*10 + int(c-'0')
	}
	if p, err := s.Org().ApproveIDXPush(sh, n); err != nil || p.Result != "SUCCESS" {
		t.Fatalf("approve: %v %v", p, err)
	}
	r = d.step(r, "challenge-poll", nil, 200)
	r = d.step(r, "skip", nil, 200)
	if claims := d.finish(r); !cmp.Equal(claims["amr"], []any{"mfa", "pwd", "swk"}) {
		t.Errorf("amr %v", claims["amr"])
	}
	d.golden("okta-verify-push-number-challenge-carol")

	d = newIDXDriver(t, s)
	r = push(d)
	if _, err := s.Org().RejectIDXPush(r["stateHandle"].(string)); err != nil {
		t.Fatal(err)
	}
	r = d.step(r, "challenge-poll", nil, 400)
	if got := r.messageKeys(); !cmp.Equal(got, []string{"api.authn.poll.error.push_rejected"}) {
		t.Errorf("rejected messages %v", got)
	}
	r = d.action(r, 200, "currentAuthenticator", "value", "resend")
	r.remediation(t, "challenge-poll")

	d = newIDXDriver(t, s)
	r = push(d)
	s.Org().Advance(5*time.Minute + time.Second)
	r = d.step(r, "challenge-poll", nil, 404)
	if got := r.messageKeys(); !cmp.Equal(got, []string{"core.system.transaction_resource_not_found"}) {
		t.Errorf("timeout messages %v", got)
	}
}

// TestIDXOktaVerifyTOTP: auth-js sends only the authenticator id; Okta
// Verify has several methods, so authenticator-verification-data asks for
// one; the TOTP goes in credentials.totp.
func TestIDXOktaVerifyTOTP(t *testing.T) {
	s := idxServer(t)
	d := newIDXDriver(t, s)
	r := d.start(nil)
	r = d.step(r, "identify", idxSignIn("carol@example.com"), 200)
	a := idxChoose(t, r, r.remediation(t, "select-authenticator-authenticate"), "okta_verify")
	r = d.step(r, "select-authenticator-authenticate", map[string]any{"authenticator": map[string]any{"id": a["id"]}}, 200)
	r = d.step(r, "authenticator-verification-data", map[string]any{"authenticator": map[string]any{"id": a["id"], "methodType": "totp"}}, 200)
	r = d.step(r, "challenge-authenticator", map[string]any{"credentials": map[string]any{"totp": idxTOTP(t, s, carolOVSecret)}}, 200)
	r = d.step(r, "skip", nil, 200)
	if claims := d.finish(r); !cmp.Equal(claims["amr"], []any{"mfa", "pwd", "otp"}) {
		t.Errorf("amr %v", claims["amr"])
	}
}

// TestIDXSecurityQuestion: the enrolled question is the hidden questionKey.
func TestIDXSecurityQuestion(t *testing.T) {
	s := idxServer(t)
	d := newIDXDriver(t, s)
	r := d.start(nil)
	r = d.step(r, "identify", idxSignIn("carol@example.com"), 200)
	r = d.step(r, "select-authenticator-authenticate", d.selectAuth(r, "select-authenticator-authenticate", "security_question", ""), 200)
	if got := idxAt(map[string]any(r), "currentAuthenticatorEnrollment", "value", "contextualData", "enrolledQuestion", "questionKey"); got != "disliked_food" {
		t.Errorf("enrolled question %v", got)
	}
	r = d.step(r, "challenge-authenticator", map[string]any{"credentials": map[string]any{"questionKey": "disliked_food", "answer": "kale"}}, 401)
	r = d.step(r, "challenge-authenticator", map[string]any{"credentials": map[string]any{"questionKey": "disliked_food", "answer": "Brussels Sprouts"}}, 200)
	r.remediation(t, "skip")
}

// TestIDXEnrollOktaVerifyDuringSignIn: bob enrolls Okta Verify (optional)
// after his second factor: enroll-poll waits until the app scans the QR
// code (emulator hook), then the optional security question is offered
// again with skip. The new enrollment is listed by the authenticator
// enrollments API.
func TestIDXEnrollOktaVerifyDuringSignIn(t *testing.T) {
	s := idxServer(t)
	d := newIDXDriver(t, s)
	r := d.start(nil)
	r = d.step(r, "identify", idxSignIn("bob@example.com"), 200)
	r = d.step(r, "select-authenticator-authenticate", d.selectAuth(r, "select-authenticator-authenticate", "google_otp", ""), 200)
	r = d.step(r, "challenge-authenticator", map[string]any{"credentials": map[string]any{"passcode": idxTOTP(t, s, bobGASecret)}}, 200)
	r = d.step(r, "select-authenticator-enroll", d.selectAuth(r, "select-authenticator-enroll", "okta_verify", ""), 200)
	if got := idxAt(map[string]any(r), "currentAuthenticator", "value", "contextualData", "selectedChannel"); got != "qrcode" {
		t.Errorf("selectedChannel %v", got)
	}
	r = d.step(r, "enroll-poll", nil, 200)
	r.remediation(t, "enroll-poll")
	if err := s.Org().CompleteIDXOktaVerifyEnrollment(r["stateHandle"].(string), "Bob's Pixel"); err != nil {
		t.Fatal(err)
	}
	r = d.step(r, "enroll-poll", nil, 200)
	var offered []string
	for _, a := range idxList(idxAt(map[string]any(r), "authenticators", "value")) {
		offered = append(offered, a.(map[string]any)["key"].(string))
	}
	if !cmp.Equal(offered, []string{"phone_number", "security_question"}) {
		t.Errorf("after enrolling Okta Verify, offered %v", offered)
	}
	r = d.step(r, "skip", nil, 200)
	d.finish(r)
	d.golden("enroll-okta-verify-bob")
	if n := idxOVEnrollments(t, s, bobIDX); n != 1 {
		t.Errorf("bob has %d Okta Verify enrollments, want 1", n)
	}
}

// idxOVEnrollments counts the user's okta_verify authenticator enrollments.
func idxOVEnrollments(t *testing.T, s *emulatortest.Server, uid string) int {
	t.Helper()
	status, out := idxAPI(t, s, "GET", "/api/v1/users/"+uid+"/authenticator-enrollments", nil)
	if status != 200 {
		t.Fatalf("authenticator-enrollments %d %v", status, out)
	}
	n := 0
	for _, e := range idxList(out) {
		if e.(map[string]any)["key"] == "okta_verify" {
			n++
		}
	}
	return n
}

// TestIDXEnrollGoogleAndQuestion: carol enrolls Google Authenticator with
// the shared secret the response gives, then bob a security question
// (a too-short answer is refused on the field).
func TestIDXEnrollGoogleAndQuestion(t *testing.T) {
	s := idxServer(t)
	d := newIDXDriver(t, s)
	r := d.start(nil)
	r = d.step(r, "identify", idxSignIn("carol@example.com"), 200)
	r = d.step(r, "select-authenticator-authenticate", d.selectAuth(r, "select-authenticator-authenticate", "okta_verify", "totp"), 200)
	r = d.step(r, "challenge-authenticator", map[string]any{"credentials": map[string]any{"totp": idxTOTP(t, s, carolOVSecret)}}, 200)
	r = d.step(r, "select-authenticator-enroll", d.selectAuth(r, "select-authenticator-enroll", "google_otp", ""), 200)
	secret, _ := idxAt(map[string]any(r), "currentAuthenticator", "value", "contextualData", "sharedSecret").(string)
	if secret == "" {
		t.Fatalf("no sharedSecret: %v", r["currentAuthenticator"])
	}
	r = d.step(r, "enroll-authenticator", map[string]any{"credentials": map[string]any{"passcode": "123"}}, 401)
	r = d.step(r, "enroll-authenticator", map[string]any{"credentials": map[string]any{"passcode": idxTOTP(t, s, secret)}}, 200)
	d.finish(r)

	d = newIDXDriver(t, s)
	r = d.start(nil)
	r = d.step(r, "identify", idxSignIn("bob@example.com"), 200)
	r = d.step(r, "select-authenticator-authenticate", d.selectAuth(r, "select-authenticator-authenticate", "google_otp", ""), 200)
	s.Org().Advance(30 * time.Second)
	r = d.step(r, "challenge-authenticator", map[string]any{"credentials": map[string]any{"passcode": idxTOTP(t, s, bobGASecret)}}, 200)
	r = d.step(r, "select-authenticator-enroll", d.selectAuth(r, "select-authenticator-enroll", "security_question", ""), 200)
	r = d.step(r, "enroll-authenticator", map[string]any{"credentials": map[string]any{"questionKey": "custom", "question": "Best band?", "answer": "abc"}}, 400)
	r = d.step(r, "enroll-authenticator", map[string]any{"credentials": map[string]any{"questionKey": "custom", "question": "Best band?", "answer": "The Clash"}}, 200)
	r = d.step(r, "skip", nil, 200)
	d.finish(r)
}

// TestIDXRecovery: forgot password from the first screen: identify-
// recovery, the email code (the only recovery authenticator alice has),
// reset-authenticator (a weak password refused on the field), then the
// user is signed in and the new password works.
func TestIDXRecovery(t *testing.T) {
	s := idxServer(t)
	d := newIDXDriver(t, s)
	r := d.start(nil)
	r = d.action(r, 200, "currentAuthenticator", "value", "recover")
	r = d.step(r, "identify-recovery", map[string]any{"identifier": "alice@example.com"}, 200)
	r = d.step(r, "challenge-authenticator", map[string]any{"credentials": map[string]any{"passcode": idxLastCode(t, s, aliceIDX)}}, 200)
	r = d.step(r, "reset-authenticator", map[string]any{"credentials": map[string]any{"passcode": "short"}}, 400)
	r = d.step(r, "reset-authenticator", map[string]any{"credentials": map[string]any{"passcode": "N3w-Passw0rd!", "revokeSessions": true}}, 200)
	d.finish(r)
	d.golden("recovery-alice")

	d = newIDXDriver(t, s)
	r = d.start(nil)
	in := idxSignIn("alice@example.com")
	in["credentials"] = map[string]any{"passcode": "N3w-Passw0rd!"}
	d.finish(d.step(r, "identify", in, 200))
}

// TestIDXUnlock: ten wrong passwords lock alice (password policy lockout);
// unlock-account with the email authenticator unlocks her (INFO terminal)
// and she can sign in again.
func TestIDXUnlock(t *testing.T) {
	s := idxServer(t)
	d := newIDXDriver(t, s)
	r := d.start(nil)
	bad := idxSignIn("alice@example.com")
	bad["credentials"] = map[string]any{"passcode": "wrong"}
	for range 10 {
		r = d.step(r, "identify", bad, 401)
	}
	d.step(r, "identify", idxSignIn("alice@example.com"), 401) // locked
	r = d.step(r, "unlock-account", nil, 200)
	form := r.remediation(t, "select-authenticator-unlock-account")
	a := idxChoose(t, r, form, "okta_email")
	r = d.step(r, "select-authenticator-unlock-account", map[string]any{"identifier": "alice@example.com", "authenticator": a}, 200)
	r = d.step(r, "challenge-authenticator", map[string]any{"credentials": map[string]any{"passcode": idxLastCode(t, s, aliceIDX)}}, 200)
	if got := r.messageKeys(); !cmp.Equal(got, []string{"oie.selfservice.unlock_user.success.message"}) || r["remediation"] != nil {
		t.Errorf("unlock terminal: messages %v remediations %v", got, r.names())
	}
	d = newIDXDriver(t, s)
	d.finish(d.step(d.start(nil), "identify", idxSignIn("alice@example.com"), 200))
}

// TestIDXCancelAndExpiry: cancel answers with a new transaction; the old
// stateHandle is then 401 idx.session.expired, as is one left idle past
// its lifetime.
func TestIDXCancelAndExpiry(t *testing.T) {
	s := idxServer(t)
	d := newIDXDriver(t, s)
	r := d.start(nil)
	old := r["stateHandle"].(string)
	r2 := d.action(r, 200, "cancel")
	if r2["stateHandle"] == old || r2.form("identify") == nil {
		t.Errorf("cancel: %v %v", r2["stateHandle"], r2.names())
	}
	status, r3 := d.introspect("stateHandle", old)
	if status != 401 || !cmp.Equal(r3.messageKeys(), []string{"idx.session.expired"}) || r3["remediation"] != nil {
		t.Errorf("old stateHandle: %d %v", status, r3.messageKeys())
	}
	// auth-js resumes with stateToken.
	if status, _ := d.introspect("stateToken", r2["stateHandle"].(string)); status != 200 {
		t.Errorf("introspect by stateToken: %d", status)
	}
	s.Org().Advance(11 * time.Minute)
	if status, _ := d.introspect("stateHandle", r2["stateHandle"].(string)); status != 401 {
		t.Errorf("idle transaction: %d, want 401", status)
	}
}

// TestIDXExpiredPassword: after the password check an expired password
// must be changed (reenroll-authenticator), then the sign-in completes.
func TestIDXExpiredPassword(t *testing.T) {
	s := idxServer(t)
	if st, out := idxAPI(t, s, "POST", "/api/v1/users/"+aliceIDX+"/lifecycle/expire_password", nil); st != 200 {
		t.Fatalf("expire_password %d %v", st, out)
	}
	d := newIDXDriver(t, s)
	r := d.step(d.start(nil), "identify", idxSignIn("alice@example.com"), 200)
	r = d.step(r, "reenroll-authenticator", map[string]any{"credentials": map[string]any{"passcode": "alice"}}, 400)
	if r.remediation(t, "reenroll-authenticator") == nil {
		t.Fatal("reenroll not re-offered")
	}
	r = d.step(r, "reenroll-authenticator", map[string]any{"credentials": map[string]any{"passcode": "Fresh-Passw0rd"}}, 200)
	d.finish(r)
	if st, u := idxAPI(t, s, "GET", "/api/v1/users/"+aliceIDX, nil); st != 200 || u.(map[string]any)["status"] != "ACTIVE" {
		t.Errorf("user after reenroll: %v", u)
	}
}

// TestIDXRecoveryToken: /interact with the recovery_token of an emailed
// reset link starts at reset-authenticator (intent CREDENTIAL_RECOVERY); a
// used token is refused with Okta's text.
func TestIDXRecoveryToken(t *testing.T) {
	s := idxServer(t)
	if st, out := idxAPI(t, s, "POST", "/api/v1/users/"+aliceIDX+"/lifecycle/reset_password?sendEmail=true", nil); st != 200 {
		t.Fatalf("reset_password %d %v", st, out)
	}
	var token string
	for _, m := range s.Org().Outbox(aliceIDX) {
		if m.Token != "" {
			token = m.Token
		}
	}
	if token == "" {
		t.Fatal("no recovery token in the outbox")
	}
	d := newIDXDriver(t, s)
	r := d.start(url.Values{"recovery_token": {token}})
	if r["intent"] != "CREDENTIAL_RECOVERY" {
		t.Errorf("intent %v", r["intent"])
	}
	r = d.step(r, "reset-authenticator", map[string]any{"credentials": map[string]any{"passcode": "Rec0vered-Pass"}}, 200)
	d.finish(r)
	status, out := oauthPost(t, d, "/oauth2/default/v1/interact", interactParams(func(v url.Values) { v.Set("recovery_token", token) }))
	if status != 400 || out["error_description"] != "The recovery token is invalid" {
		t.Errorf("reused recovery token: %d %v", status, out)
	}
	status, out = oauthPost(t, d, "/oauth2/default/v1/interact", interactParams(func(v url.Values) { v.Set("activation_token", "abc") }))
	if status != 400 || out["error_description"] != "Only confidential clients can use the activation token flow" {
		t.Errorf("activation token from a public client: %d %v", status, out)
	}
}

// TestIDXEmailMagicLink: the email poll stays pending until the link is
// clicked (emulator hook), then moves on.
func TestIDXEmailMagicLink(t *testing.T) {
	s := idxServer(t)
	d := newIDXDriver(t, s)
	r := d.step(d.start(nil), "identify", idxSignIn("carol@example.com"), 200)
	r = d.step(r, "select-authenticator-authenticate", d.selectAuth(r, "select-authenticator-authenticate", "okta_email", ""), 200)
	r = d.action(r, 200, "currentAuthenticatorEnrollment", "value", "poll")
	r.remediation(t, "challenge-authenticator")
	if err := s.Org().ClickIDXEmailMagicLink(r["stateHandle"].(string)); err != nil {
		t.Fatal(err)
	}
	r = d.action(r, 200, "currentAuthenticatorEnrollment", "value", "poll")
	r.remediation(t, "skip")
}

// TestIDXEnrollPhone: bob enrolls a phone: authenticator-enrollment-data
// asks for the number (an invalid one is refused), the SMS code from the
// outbox activates it.
func TestIDXEnrollPhone(t *testing.T) {
	s := idxServer(t)
	d := newIDXDriver(t, s)
	r := d.step(d.start(nil), "identify", idxSignIn("bob@example.com"), 200)
	r = d.step(r, "select-authenticator-authenticate", d.selectAuth(r, "select-authenticator-authenticate", "google_otp", ""), 200)
	r = d.step(r, "challenge-authenticator", map[string]any{"credentials": map[string]any{"passcode": idxTOTP(t, s, bobGASecret)}}, 200)
	a := idxChoose(t, r, r.remediation(t, "select-authenticator-enroll"), "phone_number")
	r = d.step(r, "select-authenticator-enroll", map[string]any{"authenticator": map[string]any{"id": a["id"]}}, 200)
	r = d.step(r, "authenticator-enrollment-data", map[string]any{"authenticator": map[string]any{"id": a["id"], "methodType": "sms", "phoneNumber": "12"}}, 400)
	if got := r.messageKeys(); !cmp.Equal(got, []string{"api.factors.error.sms.invalid_phone"}) {
		t.Errorf("invalid phone: %v", got)
	}
	r = d.step(r, "authenticator-enrollment-data", map[string]any{"authenticator": map[string]any{"id": a["id"], "methodType": "sms", "phoneNumber": "+14155550123"}}, 200)
	r = d.step(r, "enroll-authenticator", map[string]any{"credentials": map[string]any{"passcode": idxLastCode(t, s, bobIDX)}}, 200)
	r = d.step(r, "skip", nil, 200)
	d.finish(r)
	status, out := idxAPI(t, s, "GET", "/api/v1/users/"+bobIDX+"/factors", nil)
	found := false
	for _, f := range idxList(out) {
		if fm := f.(map[string]any); fm["factorType"] == "sms" && fm["status"] == "ACTIVE" {
			found = true
		}
	}
	if status != 200 || !found {
		t.Errorf("bob's factors after enrolling a phone: %d %v", status, out)
	}
}
