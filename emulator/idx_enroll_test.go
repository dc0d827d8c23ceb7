package emulator_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func enrollAuthorizeParams(mod func(url.Values)) url.Values {
	v := url.Values{"client_id": {idxClient}, "redirect_uri": {idxRedirect}, "state": {"enr0ll"},
		"response_type": {"none"}, "prompt": {"enroll_authenticator"}, "enroll_amr_values": {"okta_verify"},
		"acr_values": {"urn:okta:loa:2fa:any:ifpossible"}, "max_age": {"0"}}
	if mod != nil {
		mod(v)
	}
	return v
}

var stateTokenRE = regexp.MustCompile(`var stateToken = '([^']+)'`)

// TestIDXAuthorizeEnrollValidation: /authorize with prompt=
// enroll_authenticator refuses what Okta refuses, with Okta's texts.
func TestIDXAuthorizeEnrollValidation(t *testing.T) {
	s := idxServer(t)
	d := newIDXDriver(t, s)
	tests := []struct {
		name string
		mod  func(url.Values)
		desc string
	}{
		{"response_type code", func(v url.Values) { v.Set("response_type", "none"); v.Set("prompt", "login") },
			"'prompt' parameter must have the value 'enroll_authenticator' for request with 'none' as response_type."},
		{"no amr", func(v url.Values) { v.Del("enroll_amr_values") },
			"'enroll_amr_values' parameter must have valid space delimited authenticators list for request with 'none' as response_type."},
		{"acr", func(v url.Values) { v.Set("acr_values", "urn:okta:2fa:any:ifpossible") },
			"'acr_values' parameter must have the value 'urn:okta:loa:2fa:any:ifpossible' for request with 'enroll_authenticator' as prompt."},
		{"max_age", func(v url.Values) { v.Set("max_age", "300") },
			"'max_age' parameter must have the value '0' for request with 'enroll_authenticator' as prompt."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status, _, b := d.do("GET", s.URL+"/oauth2/default/v1/authorize?"+enrollAuthorizeParams(tc.mod).Encode(), "", "")
			var out map[string]any
			_ = jsonUnmarshal(b, &out)
			if diff := cmp.Diff(map[string]any{"error": "invalid_request", "error_description": tc.desc}, out); status != 400 || diff != "" {
				t.Errorf("%d (-want +got):\n%s", status, diff)
			}
		})
	}
}

// TestIDXAuthorizeEnrollOktaVerify: the documented way to add an
// authenticator for an existing user. The hosted page's stateToken drives
// IDX with intent CREDENTIAL_ENROLLMENT: sign in, then only the requested
// authenticator is offered (a second Okta Verify for carol), and the flow
// ends with the redirect to redirect_uri carrying only state. Carol then
// has two Okta Verify enrollments.
func TestIDXAuthorizeEnrollOktaVerify(t *testing.T) {
	s := idxServer(t)
	d := newIDXDriver(t, s)
	before := idxOVEnrollments(t, s, carolIDX)
	status, h, b := d.do("GET", s.URL+"/oauth2/default/v1/authorize?"+enrollAuthorizeParams(nil).Encode(), "", "")
	m := stateTokenRE.FindStringSubmatch(string(b))
	if status != 200 || !strings.HasPrefix(h.Get("Content-Type"), "text/html") || m == nil {
		t.Fatalf("authorize: %d %s %s", status, h.Get("Content-Type"), b)
	}
	status, r := d.introspect("stateToken", m[1])
	if status != 200 || r["intent"] != "CREDENTIAL_ENROLLMENT" {
		t.Fatalf("introspect: %d %v", status, r["intent"])
	}
	r = d.step(r, "identify", idxSignIn("carol@example.com"), 200)
	r = d.step(r, "select-authenticator-authenticate", d.selectAuth(r, "select-authenticator-authenticate", "okta_verify", "totp"), 200)
	r = d.step(r, "challenge-authenticator", map[string]any{"credentials": map[string]any{"totp": idxTOTP(t, s, carolOVSecret)}}, 200)
	var offered []string
	for _, a := range idxList(idxAt(map[string]any(r), "authenticators", "value")) {
		offered = append(offered, a.(map[string]any)["key"].(string))
	}
	if !cmp.Equal(offered, []string{"okta_verify"}) || r.form("skip") != nil {
		t.Fatalf("offered %v, remediations %v", offered, r.names())
	}
	r = d.step(r, "select-authenticator-enroll", d.selectAuth(r, "select-authenticator-enroll", "okta_verify", ""), 200)
	if err := s.Org().CompleteIDXOktaVerifyEnrollment(r["stateHandle"].(string), "Carol's iPad"); err != nil {
		t.Fatal(err)
	}
	r = d.step(r, "enroll-poll", nil, 200)
	if got := idxAt(map[string]any(r), "success", "href"); got != idxRedirect+"?state=enr0ll" {
		t.Errorf("success redirect %v (remediations %v)", got, r.names())
	}
	if r["successWithInteractionCode"] != nil {
		t.Error("hosted flow answered successWithInteractionCode")
	}
	if got := idxOVEnrollments(t, s, carolIDX); got != before+1 {
		t.Errorf("carol has %d Okta Verify enrollments, want %d", got, before+1)
	}
	d.golden("authorize-enroll-okta-verify-carol")
}

// TestIDXInAppCredentialEnrollment: the explicit non-Okta extension: an app
// holding carol's access token starts /interact with oktaemu_enroll_token,
// and enrolls a further Okta Verify in its own UI. Off by default.
func TestIDXInAppCredentialEnrollment(t *testing.T) {
	s := idxServer(t)
	d := newIDXDriver(t, s)
	r := d.start(nil)
	r = d.step(r, "identify", idxSignIn("carol@example.com"), 200)
	r = d.step(r, "select-authenticator-authenticate", d.selectAuth(r, "select-authenticator-authenticate", "okta_verify", "totp"), 200)
	r = d.step(r, "challenge-authenticator", map[string]any{"credentials": map[string]any{"totp": idxTOTP(t, s, carolOVSecret)}}, 200)
	r = d.step(r, "skip", nil, 200)
	_, tok := d.token(idxCode(t, r), idxVerifier, false)
	access := tok["access_token"].(string)

	ext := url.Values{"prompt": {"enroll_authenticator"}, "enroll_amr_values": {"okta_verify"}, "oktaemu_enroll_token": {access}}
	status, out := oauthPost(t, d, "/oauth2/default/v1/interact", interactParams(func(v url.Values) {
		for k, vs := range ext {
			v[k] = vs
		}
	}))
	if status != 400 || out["error"] != "invalid_request" {
		t.Fatalf("extension off: %d %v", status, out)
	}
	s.Org().SetIDXInAppCredentialEnrollment(true)
	before := idxOVEnrollments(t, s, carolIDX)
	d = newIDXDriver(t, s)
	r = d.start(ext)
	if r["intent"] != "CREDENTIAL_ENROLLMENT" || idxAt(map[string]any(r), "user", "value", "id") != carolIDX {
		t.Fatalf("first step: %v %v", r["intent"], r["user"])
	}
	r = d.step(r, "challenge-authenticator", map[string]any{"credentials": map[string]any{"passcode": idxPassword}}, 200)
	r = d.step(r, "select-authenticator-authenticate", d.selectAuth(r, "select-authenticator-authenticate", "okta_verify", "totp"), 200)
	s.Org().Advance(30e9)
	r = d.step(r, "challenge-authenticator", map[string]any{"credentials": map[string]any{"totp": idxTOTP(t, s, carolOVSecret)}}, 200)
	r = d.step(r, "select-authenticator-enroll", d.selectAuth(r, "select-authenticator-enroll", "okta_verify", ""), 200)
	// Out of band over HTTP this time: the control plane scans the QR code
	// of the transaction named by its stateHandle.
	scan := `{"stateHandle":"` + r["stateHandle"].(string) + `","device":{"name":"Carol's second phone"}}`
	st, body := ctlCall(t, http.DefaultClient, "POST", s.URL+"/_emulator/orgs/default/okta-verify/activate", "", scan)
	var f struct{ UserID, FactorType, Status string }
	if err := json.Unmarshal(body, &f); st != 200 || err != nil || f.UserID != carolIDX || f.FactorType != "push" || f.Status != "ACTIVE" {
		t.Fatalf("scanning the IDX QR code: %d %s", st, body)
	}
	if st, body := ctlCall(t, http.DefaultClient, "POST", s.URL+"/_emulator/orgs/default/okta-verify/activate", "", scan); st != 401 || !strings.Contains(string(body), "E0000011") {
		t.Errorf("scanning it twice: %d %s, want 401 E0000011", st, body)
	}
	r = d.step(r, "enroll-poll", nil, 200)
	d.finish(r)
	if got := idxOVEnrollments(t, s, carolIDX); got != before+1 {
		t.Errorf("carol has %d Okta Verify enrollments, want %d", got, before+1)
	}
}

// Scanning the QR code of an IDX transaction that has expired is refused
// like any expired state: 401 E0000011, not a server error.
func TestIDXOktaVerifyActivateExpired(t *testing.T) {
	s := idxServer(t)
	d := newIDXDriver(t, s)
	_, _, b := d.do("GET", s.URL+"/oauth2/default/v1/authorize?"+enrollAuthorizeParams(nil).Encode(), "", "")
	m := stateTokenRE.FindStringSubmatch(string(b))
	if m == nil {
		t.Fatalf("authorize: %s", b)
	}
	_, r := d.introspect("stateToken", m[1])
	r = d.step(r, "identify", idxSignIn("carol@example.com"), 200)
	r = d.step(r, "select-authenticator-authenticate", d.selectAuth(r, "select-authenticator-authenticate", "okta_verify", "totp"), 200)
	r = d.step(r, "challenge-authenticator", map[string]any{"credentials": map[string]any{"totp": idxTOTP(t, s, carolOVSecret)}}, 200)
	r = d.step(r, "select-authenticator-enroll", d.selectAuth(r, "select-authenticator-enroll", "okta_verify", ""), 200)
	s.Org().Advance(time.Hour)
	scan := `{"stateHandle":"` + r["stateHandle"].(string) + `"}`
	if st, body := ctlCall(t, http.DefaultClient, "POST", s.URL+"/_emulator/orgs/default/okta-verify/activate", "", scan); st != 401 || !strings.Contains(string(body), "E0000011") {
		t.Errorf("scanning an expired transaction's QR code: %d %s, want 401 E0000011", st, body)
	}
}
