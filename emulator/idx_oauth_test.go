package emulator_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/oktaemu/oktaemu/emulator"
	"github.com/oktaemu/oktaemu/emulator/emulatortest"
)

// oauthPost posts a form and decodes the JSON answer.
func oauthPost(t *testing.T, d *idxDriver, path string, v url.Values) (int, map[string]any) {
	t.Helper()
	status, h, b := d.do("POST", d.s.URL+path, "application/x-www-form-urlencoded", v.Encode())
	if ct := h.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("%s: Content-Type %q", path, ct)
	}
	var out map[string]any
	if err := jsonUnmarshal(b, &out); err != nil {
		t.Fatalf("%s: %v %s", path, err, b)
	}
	return status, out
}

func interactParams(mod func(url.Values)) url.Values {
	v := url.Values{"client_id": {idxClient}, "scope": {"openid"}, "redirect_uri": {idxRedirect}, "state": {"s"},
		"code_challenge": {idxPKCE(idxVerifier)}, "code_challenge_method": {"S256"}}
	if mod != nil {
		mod(v)
	}
	return v
}

// TestIDXInteractErrors: each /interact refusal with Okta's error and text,
// on both engines (a Classic org answers access_denied to everything).
func TestIDXInteractErrors(t *testing.T) {
	const notEnabled = "The requested feature (Interaction Code flow) isn't enabled in this environment. Ensure that you have Okta Identity Engine enabled and the Interaction Code flow enabled for this application and authorization server."
	tests := []struct {
		name   string
		mod    func(url.Values)
		status map[emulator.Engine]int
		err    map[emulator.Engine][2]string
	}{
		{"ok", nil, map[emulator.Engine]int{emulator.Identity: 200, emulator.Classic: 400},
			map[emulator.Engine][2]string{emulator.Classic: {"access_denied", notEnabled}}},
		{"no challenge", func(v url.Values) { v.Del("code_challenge") }, nil,
			map[emulator.Engine][2]string{emulator.Identity: {"invalid_request", "PKCE code challenge is required to use the interaction code flow."}}},
		{"plain method", func(v url.Values) { v.Set("code_challenge_method", "plain") }, nil,
			map[emulator.Engine][2]string{emulator.Identity: {"invalid_request", "PKCE code challenge method is not supported. Valid values: [S256]"}}},
		{"illegal challenge", func(v url.Values) { v.Set("code_challenge", "a b+c") }, nil,
			map[emulator.Engine][2]string{emulator.Identity: {"invalid_request", "PKCE code challenge contains illegal characters."}}},
		{"unregistered redirect", func(v url.Values) { v.Set("redirect_uri", "http://evil.example/cb") }, nil,
			map[emulator.Engine][2]string{emulator.Identity: {"invalid_request", "The 'redirect_uri' parameter must be a Login redirect URI in the client app settings."}}},
		{"unknown client", func(v url.Values) { v.Set("client_id", "nope") }, map[emulator.Engine]int{emulator.Identity: 401},
			map[emulator.Engine][2]string{emulator.Identity: {"invalid_client", "The client_id provided is invalid."}}},
	}
	for _, eng := range []emulator.Engine{emulator.Classic, emulator.Identity} {
		s := emulatortest.NewServer(t, emulatortest.WithEngine(eng))
		d := newIDXDriver(t, s)
		for _, tc := range tests {
			t.Run(string(eng)+"/"+tc.name, func(t *testing.T) {
				want := 400
				if st, ok := tc.status[eng]; ok {
					want = st
				}
				e := tc.err[eng]
				if eng == emulator.Classic {
					e = [2]string{"access_denied", notEnabled}
				}
				status, out := oauthPost(t, d, "/oauth2/v1/interact", interactParams(tc.mod))
				if status != want {
					t.Fatalf("status %d, want %d: %v", status, want, out)
				}
				if want == 200 {
					if out["interaction_handle"] == "" {
						t.Errorf("no interaction_handle: %v", out)
					}
					return
				}
				if diff := cmp.Diff(map[string]any{"error": e[0], "error_description": e[1]}, out); diff != "" {
					t.Errorf("(-want +got):\n%s", diff)
				}
			})
		}
	}
	// A Classic org has no IDX API.
	s := emulatortest.NewServer(t, emulatortest.WithEngine(emulator.Classic))
	d := newIDXDriver(t, s)
	status, _, b := d.do("POST", s.URL+"/idp/idx/introspect", "application/json", `{"interactionHandle":"x"}`)
	if status != 404 || !strings.Contains(string(b), "E0000008") {
		t.Errorf("Classic introspect: %d %s", status, b)
	}
	status, out := oauthPost(t, d, "/oauth2/v1/token", url.Values{"grant_type": {"interaction_code"}})
	if status != 400 || out["error"] != "unsupported_grant_type" {
		t.Errorf("Classic token: %d %v", status, out)
	}
}

// TestIDXTokenExchange: PKCE enforced, codes single use, the verifier
// required, params read from the query string too.
func TestIDXTokenExchange(t *testing.T) {
	s := idxServer(t)
	code := func() string {
		d := newIDXDriver(t, s)
		return idxCode(t, d.step(d.start(nil), "identify", idxSignIn("alice@example.com"), 200))
	}
	d := newIDXDriver(t, s)
	invalid := map[string]any{"error": "invalid_grant", "error_description": "The interaction code is invalid or has expired."}

	c := code()
	status, out := d.token(c, "", false)
	if diff := cmp.Diff(map[string]any{"error": "invalid_request", "error_description": "PKCE code verifier is required by the application."}, out); status != 400 || diff != "" {
		t.Errorf("no verifier: %d %s", status, diff)
	}
	status, out = d.token(c, "wrong-verifier-wrong-verifier-wrong-verifier-00", false)
	if diff := cmp.Diff(map[string]any{"error": "invalid_grant", "error_description": "PKCE verification failed."}, out); status != 400 || diff != "" {
		t.Errorf("bad verifier: %d %s", status, diff)
	}
	// A failed attempt consumed the code.
	if status, out = d.token(c, idxVerifier, false); status != 400 || !cmp.Equal(invalid, out) {
		t.Errorf("code after a failed attempt: %d %v", status, out)
	}

	c = code()
	if status, out = d.token(c, idxVerifier, true); status != 200 || out["access_token"] == nil {
		t.Fatalf("query-string exchange: %d %v", status, out)
	}
	if status, out = d.token(c, idxVerifier, false); status != 400 || !cmp.Equal(invalid, out) {
		t.Errorf("reused code: %d %v", status, out)
	}

	c = code()
	s.Org().Advance(61e9)
	if status, out = d.token(c, idxVerifier, false); status != 400 || !cmp.Equal(invalid, out) {
		t.Errorf("expired code: %d %v", status, out)
	}

	status, out = oauthPost(t, d, "/oauth2/default/v1/token", url.Values{"grant_type": {"password"}, "client_id": {idxClient}})
	if status != 400 || out["error"] != "unsupported_grant_type" {
		t.Errorf("password grant: %d %v", status, out)
	}
	// The code is bound to the authorization server of /interact.
	c = code()
	if status, out = oauthPost(t, d, "/oauth2/v1/token", url.Values{"grant_type": {"interaction_code"}, "interaction_code": {c},
		"client_id": {idxClient}, "code_verifier": {idxVerifier}}); status != 400 || !cmp.Equal(invalid, out) {
		t.Errorf("other authorization server: %d %v", status, out)
	}
}

// TestIDXRequestMediaTypes: remediation requests are accepted as any JSON
// media type, with Go's string-typed values.
func TestIDXRequestMediaTypes(t *testing.T) {
	s := idxServer(t)
	for _, ct := range []string{"application/json", "application/ion+json; okta-version=1.0.0", "application/vnd.okta.v1+json"} {
		d := newIDXDriver(t, s)
		r := d.start(nil)
		sh := r["stateHandle"].(string)
		status, h, b := d.do("POST", s.URL+"/idp/idx/identify", ct,
			`{"identifier":"alice@example.com","credentials":{"passcode":"`+idxPassword+`"},"rememberMe":"false","stateHandle":"`+sh+`"}`)
		if status != 200 || h.Get("Content-Type") != "application/ion+json; okta-version=1.0.0" || !strings.Contains(string(b), "successWithInteractionCode") {
			t.Errorf("%s: %d %s %s", ct, status, h.Get("Content-Type"), b)
		}
	}
}
