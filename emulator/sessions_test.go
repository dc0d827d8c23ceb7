package emulator_test

import (
	"encoding/json"
	"image/gif"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/oktaemu/oktaemu/emulator"
	"github.com/oktaemu/oktaemu/emulator/emulatortest"
)

// spReq is one request of the sessions and policies tests.
type spReq struct {
	method, path string
	auth         bool   // send the server's SSWS token
	body         string // JSON
	header       http.Header
}

// spDo sends r with client c and decodes a JSON answer into out (when not
// nil); it returns the response with its body read.
func spDo(t *testing.T, s *emulatortest.Server, c *http.Client, r spReq, out any) *http.Response {
	t.Helper()
	u := r.path
	if !strings.HasPrefix(u, "http") {
		u = s.URL + r.path
	}
	req, err := http.NewRequest(r.method, u, strings.NewReader(r.body))
	if err != nil {
		t.Fatal(err)
	}
	for k, vs := range r.header {
		req.Header[k] = vs
	}
	req.Header.Set("Accept", "application/json")
	if r.body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if r.auth {
		req.Header.Set("Authorization", "SSWS "+s.Token)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if out != nil && len(b) > 0 {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s %s: decoding %q: %v", r.method, r.path, b, err)
		}
	}
	return resp
}

// spError is Okta's error object.
type spError struct {
	ErrorCode    string `json:"errorCode"`
	ErrorSummary string `json:"errorSummary"`
	ErrorCauses  []struct {
		ErrorSummary string `json:"errorSummary"`
	} `json:"errorCauses"`
}

// wantError checks an error answer's status and code.
func wantError(t *testing.T, what string, resp *http.Response, e spError, status int, code string) {
	t.Helper()
	if resp.StatusCode != status || e.ErrorCode != code {
		t.Errorf("%s: %d %s (%s), want %d %s", what, resp.StatusCode, e.ErrorCode, e.ErrorSummary, status, code)
	}
}

// signIn runs primary authentication for a fixture user with no MFA and
// returns the one-time sessionToken of the SUCCESS transaction.
func signIn(t *testing.T, s *emulatortest.Server, login string) string {
	t.Helper()
	var tx struct {
		Status       string `json:"status"`
		SessionToken string `json:"sessionToken"`
	}
	resp := spDo(t, s, s.Client(), spReq{method: "POST", path: "/api/v1/authn",
		body: `{"username":"` + login + `","password":"Pa55word!Emu"}`}, &tx)
	if resp.StatusCode != 200 || tx.Status != "SUCCESS" || tx.SessionToken == "" {
		t.Fatalf("authn %s: %d %+v", login, resp.StatusCode, tx)
	}
	return tx.SessionToken
}

type sessionJSON struct {
	ID                       string   `json:"id"`
	Login                    string   `json:"login"`
	UserID                   string   `json:"userId"`
	CreatedAt                string   `json:"createdAt"`
	ExpiresAt                string   `json:"expiresAt"`
	Status                   string   `json:"status"`
	LastPasswordVerification *string  `json:"lastPasswordVerification"`
	LastFactorVerification   *string  `json:"lastFactorVerification"`
	AMR                      []string `json:"amr"`
	IdP                      *struct {
		ID   string `json:"id"`
		Type string `json:"type"`
	} `json:"idp"`
	MFAActive      bool   `json:"mfaActive"`
	CookieToken    string `json:"cookieToken"`
	CookieTokenURL string `json:"cookieTokenUrl"`
	Links          map[string]struct {
		Href string `json:"href"`
		Name string `json:"name"`
	} `json:"_links"`
}

// spServer starts an emulator whose clock stands still unless the test
// advances it, so dates compare exactly.
func spServer(t *testing.T, eng emulator.Engine) *emulatortest.Server {
	t.Helper()
	at := time.Date(2026, 1, 15, 10, 0, 0, 0, time.UTC)
	return emulatortest.NewServer(t, emulatortest.WithOptions(emulator.Options{Engine: eng, Now: func() time.Time { return at }}))
}

const spAliceID = "00ualice000000000000" // alice@example.com in both default fixtures

func okDate(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

func TestSessionsByID(t *testing.T) {
	for _, eng := range emulator.Engines() {
		t.Run(string(eng), func(t *testing.T) {
			s := spServer(t, eng)
			c := s.Client()
			token := signIn(t, s, "alice@example.com")
			now := s.Org().Now()

			var sess sessionJSON
			resp := spDo(t, s, c, spReq{method: "POST", path: "/api/v1/sessions", body: `{"sessionToken":"` + token + `"}`}, &sess)
			if resp.StatusCode != 200 {
				t.Fatalf("create: %d", resp.StatusCode)
			}
			if got := resp.Header.Values("Set-Cookie"); len(got) != 0 {
				t.Errorf("POST /api/v1/sessions set cookies %v; Okta sets none", got)
			}
			if sess.UserID != spAliceID || sess.Login != "alice@example.com" || sess.Status != "ACTIVE" ||
				!slices.Contains(sess.AMR, "pwd") || sess.LastPasswordVerification == nil || sess.LastFactorVerification != nil ||
				sess.IdP == nil || sess.IdP.Type != "OKTA" || sess.IdP.ID != s.Org().ID() ||
				// mfaActive: alice has no factor in Classic; in Identity
				// Engine her verified email is an ACTIVE email factor (row 2).
				sess.MFAActive != (eng == emulator.Identity) {
				t.Errorf("session = %+v", sess)
			}
			// Lifetime: the default sign-on rule's maxSessionIdleMinutes (120).
			if sess.CreatedAt != okDate(now) || sess.ExpiresAt != okDate(now.Add(2*time.Hour)) {
				t.Errorf("createdAt %s expiresAt %s, want %s and +2h", sess.CreatedAt, sess.ExpiresAt, okDate(now))
			}
			if got, want := sess.Links["user"].Href, s.URL+"/api/v1/users/"+spAliceID; got != want || sess.Links["user"].Name != "Alice Anders" {
				t.Errorf("user link = %+v", sess.Links["user"])
			}
			if got, want := sess.Links["refresh"].Href, s.URL+"/api/v1/sessions/"+sess.ID+"/lifecycle/refresh"; got != want {
				t.Errorf("refresh link = %s, want %s", got, want)
			}

			// The sessionToken is single use.
			var e spError
			resp = spDo(t, s, c, spReq{method: "POST", path: "/api/v1/sessions", body: `{"sessionToken":"` + token + `"}`}, &e)
			wantError(t, "reused sessionToken", resp, e, 401, "E0000004")
			e = spError{}
			resp = spDo(t, s, c, spReq{method: "POST", path: "/api/v1/sessions", body: `{}`}, &e)
			wantError(t, "no sessionToken", resp, e, 400, "E0000001")

			// By id: SSWS only.
			e = spError{}
			resp = spDo(t, s, c, spReq{method: "GET", path: "/api/v1/sessions/" + sess.ID}, &e)
			wantError(t, "GET without token", resp, e, 403, "E0000005")
			var got sessionJSON
			if resp = spDo(t, s, c, spReq{method: "GET", path: "/api/v1/sessions/" + sess.ID, auth: true}, &got); resp.StatusCode != 200 {
				t.Fatalf("get: %d", resp.StatusCode)
			}
			if diff := cmp.Diff(sess, got); diff != "" {
				t.Errorf("GET differs from POST (-post +get)\n%s", diff)
			}

			// Refresh moves expiresAt to now + idle lifetime; verification
			// times stay.
			s.Org().Advance(30 * time.Minute)
			var ref sessionJSON
			if resp = spDo(t, s, c, spReq{method: "POST", path: "/api/v1/sessions/" + sess.ID + "/lifecycle/refresh", auth: true}, &ref); resp.StatusCode != 200 {
				t.Fatalf("refresh: %d", resp.StatusCode)
			}
			if ref.ExpiresAt != okDate(now.Add(150*time.Minute)) || *ref.LastPasswordVerification != *sess.LastPasswordVerification {
				t.Errorf("refreshed = %+v", ref)
			}
			// Prefer: return=minimal.
			resp = spDo(t, s, c, spReq{method: "POST", path: "/api/v1/sessions/" + sess.ID + "/lifecycle/refresh", auth: true,
				header: http.Header{"Prefer": {"return=minimal"}}}, nil)
			if resp.StatusCode != 204 || resp.Header.Get("Preference-Applied") != "return=minimal" {
				t.Errorf("minimal refresh: %d %v", resp.StatusCode, resp.Header)
			}

			if resp = spDo(t, s, c, spReq{method: "DELETE", path: "/api/v1/sessions/" + sess.ID, auth: true}, nil); resp.StatusCode != 204 {
				t.Fatalf("delete: %d", resp.StatusCode)
			}
			e = spError{}
			resp = spDo(t, s, c, spReq{method: "GET", path: "/api/v1/sessions/" + sess.ID, auth: true}, &e)
			wantError(t, "deleted session", resp, e, 404, "E0000007")

			// Expiry by the org clock.
			var second sessionJSON
			spDo(t, s, c, spReq{method: "POST", path: "/api/v1/sessions", body: `{"sessionToken":"` + signIn(t, s, "alice@example.com") + `"}`}, &second)
			s.Org().Advance(2*time.Hour + time.Second)
			e = spError{}
			resp = spDo(t, s, c, spReq{method: "POST", path: "/api/v1/sessions/" + second.ID + "/lifecycle/refresh", auth: true}, &e)
			wantError(t, "expired session", resp, e, 404, "E0000007")

			// An expired sessionToken (5 minutes).
			late := signIn(t, s, "alice@example.com")
			s.Org().Advance(5 * time.Minute)
			e = spError{}
			resp = spDo(t, s, c, spReq{method: "POST", path: "/api/v1/sessions", body: `{"sessionToken":"` + late + `"}`}, &e)
			wantError(t, "expired sessionToken", resp, e, 401, "E0000004")
		})
	}
}

// TestSessionsCookieToken: additionalFields=cookieToken,cookieTokenUrl in
// Classic; ignored in Identity Engine (engines.md row 19). The cookieTokenUrl
// sets the sid cookie once.
func TestSessionsCookieToken(t *testing.T) {
	for _, eng := range emulator.Engines() {
		t.Run(string(eng), func(t *testing.T) {
			s := spServer(t, eng)
			c := s.Client()
			var sess sessionJSON
			resp := spDo(t, s, c, spReq{method: "POST", path: "/api/v1/sessions?additionalFields=cookieToken,cookieTokenUrl",
				body: `{"sessionToken":"` + signIn(t, s, "alice@example.com") + `"}`}, &sess)
			if resp.StatusCode != 200 {
				t.Fatalf("create: %d", resp.StatusCode)
			}
			if eng == emulator.Identity {
				if sess.CookieToken != "" || sess.CookieTokenURL != "" {
					t.Errorf("Identity Engine returned cookieToken %q / %q", sess.CookieToken, sess.CookieTokenURL)
				}
				return
			}
			if sess.CookieToken == "" || sess.CookieTokenURL != s.URL+"/login/sessionCookie?token="+url.QueryEscape(sess.CookieToken) {
				t.Fatalf("cookieToken %q cookieTokenUrl %q", sess.CookieToken, sess.CookieTokenURL)
			}
			// The cookieTokenUrl sets the cookie and renders a 1x1 pixel.
			req, _ := http.NewRequest("GET", sess.CookieTokenURL, nil)
			resp, err := c.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			img, err := gif.Decode(resp.Body)
			resp.Body.Close()
			ck := findCookie(resp, "sid")
			if resp.StatusCode != 200 || err != nil || img.Bounds().Dx() != 1 || ck == nil || ck.Value != sess.ID || ck.Path != "/" || !ck.HttpOnly || ck.MaxAge != 7200 {
				t.Errorf("cookieTokenUrl: %d (%v) cookie %+v", resp.StatusCode, err, ck)
			}
			var e spError
			resp = spDo(t, s, c, spReq{method: "GET", path: sess.CookieTokenURL}, &e)
			wantError(t, "reused cookieToken", resp, e, 401, "E0000004")
		})
	}
}

func findCookie(resp *http.Response, name string) *http.Cookie {
	for _, ck := range resp.Cookies() {
		if ck.Name == name {
			return ck
		}
	}
	return nil
}

// TestSessionsMeCookieJar drives /api/v1/sessions/me like a browser: the
// session-cookie redirect sets sid in a cookie jar, /me reads, refreshes and
// ends it.
func TestSessionsMeCookieJar(t *testing.T) {
	for _, eng := range emulator.Engines() {
		t.Run(string(eng), func(t *testing.T) {
			s := spServer(t, eng)
			jar, err := cookiejar.New(nil)
			if err != nil {
				t.Fatal(err)
			}
			browser := &http.Client{Transport: s.Client().Transport, Jar: jar,
				CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
			base, _ := url.Parse(s.URL)

			// No cookie yet: 404 "me (Session)", even with an API token.
			var e spError
			resp := spDo(t, s, browser, spReq{method: "GET", path: "/api/v1/sessions/me", auth: true}, &e)
			wantError(t, "me without cookie", resp, e, 404, "E0000007")
			if e.ErrorSummary != "Not found: Resource not found: me (Session)" {
				t.Errorf("summary = %q", e.ErrorSummary)
			}

			token := signIn(t, s, "alice@example.com")
			resp = spDo(t, s, browser, spReq{method: "GET",
				path: "/login/sessionCookieRedirect?token=" + url.QueryEscape(token) + "&redirectUrl=" + url.QueryEscape("http://app.example/after")}, nil)
			if resp.StatusCode != 302 || resp.Header.Get("Location") != "http://app.example/after" {
				t.Fatalf("redirect: %d %q", resp.StatusCode, resp.Header.Get("Location"))
			}
			var sid string
			for _, ck := range jar.Cookies(base) {
				if ck.Name == "sid" {
					sid = ck.Value
				}
			}
			if sid == "" {
				t.Fatalf("no sid cookie in the jar: %v", jar.Cookies(base))
			}

			var me sessionJSON
			if resp = spDo(t, s, browser, spReq{method: "GET", path: "/api/v1/sessions/me"}, &me); resp.StatusCode != 200 {
				t.Fatalf("me: %d", resp.StatusCode)
			}
			if me.ID != sid || me.UserID != spAliceID || me.Links["self"].Href != s.URL+"/api/v1/sessions/me" ||
				me.Links["refresh"].Href != s.URL+"/api/v1/sessions/me/lifecycle/refresh" || me.Links["user"].Href != s.URL+"/api/v1/users/me" {
				t.Errorf("me = %+v", me)
			}
			// Row 20: idp on /me in Classic only.
			if (me.IdP != nil) != (eng == emulator.Classic) {
				t.Errorf("idp on /me = %+v", me.IdP)
			}

			s.Org().Advance(time.Hour)
			var ref sessionJSON
			resp = spDo(t, s, browser, spReq{method: "POST", path: "/api/v1/sessions/me/lifecycle/refresh"}, &ref)
			ck := findCookie(resp, "sid")
			if resp.StatusCode != 200 || ref.ExpiresAt != okDate(s.Org().Now().Add(2*time.Hour)) || ck == nil || ck.Value != sid || ck.MaxAge != 7200 {
				t.Errorf("refresh me: %d %s cookie %+v", resp.StatusCode, ref.ExpiresAt, ck)
			}

			// Row 21: the idx cookie names the session in Identity Engine only.
			e = spError{}
			resp = spDo(t, s, s.Client(), spReq{method: "GET", path: "/api/v1/sessions/me", header: http.Header{"Cookie": {"idx=" + sid}}}, &e)
			if eng == emulator.Identity && resp.StatusCode != 200 || eng == emulator.Classic && resp.StatusCode != 404 {
				t.Errorf("idx cookie: %d %s", resp.StatusCode, e.ErrorCode)
			}

			if resp = spDo(t, s, browser, spReq{method: "DELETE", path: "/api/v1/sessions/me"}, nil); resp.StatusCode != 204 {
				t.Fatalf("delete me: %d", resp.StatusCode)
			}
			if ck := findCookie(resp, "sid"); ck == nil || ck.MaxAge >= 0 || ck.Value != "" {
				t.Errorf("sid not cleared: %+v", ck)
			}
			if got := jar.Cookies(base); len(got) != 0 {
				t.Errorf("jar still holds %v", got)
			}
			e = spError{}
			resp = spDo(t, s, s.Client(), spReq{method: "GET", path: "/api/v1/sessions/" + sid, auth: true}, &e)
			wantError(t, "session after DELETE /me", resp, e, 404, "E0000007")
			e = spError{}
			resp = spDo(t, s, browser, spReq{method: "GET", path: "/api/v1/sessions/me"}, &e)
			wantError(t, "me after delete", resp, e, 404, "E0000007")

			// A used sessionToken cannot set a cookie again; redirectUrl is
			// required.
			e = spError{}
			resp = spDo(t, s, browser, spReq{method: "GET", path: "/login/sessionCookieRedirect?token=" + url.QueryEscape(token) + "&redirectUrl=http://app.example/"}, &e)
			wantError(t, "reused token on redirect", resp, e, 401, "E0000004")
			e = spError{}
			resp = spDo(t, s, browser, spReq{method: "GET", path: "/login/sessionCookieRedirect?token=" + url.QueryEscape(signIn(t, s, "alice@example.com"))}, &e)
			wantError(t, "no redirectUrl", resp, e, 400, "E0000028")
		})
	}
}

// TestSessionsMeBothCookies: in Identity Engine, DELETE /sessions/me with
// sid and idx ends both sessions and clears both cookies (row 21).
func TestSessionsMeBothCookies(t *testing.T) {
	s := spServer(t, emulator.Identity)
	c := s.Client()
	var a, b sessionJSON
	spDo(t, s, c, spReq{method: "POST", path: "/api/v1/sessions", body: `{"sessionToken":"` + signIn(t, s, "alice@example.com") + `"}`}, &a)
	spDo(t, s, c, spReq{method: "POST", path: "/api/v1/sessions", body: `{"sessionToken":"` + signIn(t, s, "alice@example.com") + `"}`}, &b)
	resp := spDo(t, s, c, spReq{method: "DELETE", path: "/api/v1/sessions/me", header: http.Header{"Cookie": {"sid=" + a.ID + "; idx=" + b.ID}}}, nil)
	if resp.StatusCode != 204 {
		t.Fatalf("delete me: %d", resp.StatusCode)
	}
	var cleared []string
	for _, ck := range resp.Cookies() {
		if ck.MaxAge < 0 {
			cleared = append(cleared, ck.Name)
		}
	}
	slices.Sort(cleared)
	if diff := cmp.Diff([]string{"idx", "sid"}, cleared); diff != "" {
		t.Errorf("cleared cookies (-want +got)\n%s", diff)
	}
	for _, id := range []string{a.ID, b.ID} {
		var e spError
		resp := spDo(t, s, c, spReq{method: "GET", path: "/api/v1/sessions/" + id, auth: true}, &e)
		wantError(t, "session "+id, resp, e, 404, "E0000007")
	}
}

// TestUserSessionsRevoke: DELETE /api/v1/users/{id}/sessions ends every
// session of the user and no one else's.
func TestUserSessionsRevoke(t *testing.T) {
	for _, eng := range emulator.Engines() {
		t.Run(string(eng), func(t *testing.T) {
			s := spServer(t, eng)
			c := s.Client()
			var ids []string
			for range 2 {
				var sess sessionJSON
				spDo(t, s, c, spReq{method: "POST", path: "/api/v1/sessions", body: `{"sessionToken":"` + signIn(t, s, "alice@example.com") + `"}`}, &sess)
				ids = append(ids, sess.ID)
			}
			var e spError
			resp := spDo(t, s, c, spReq{method: "DELETE", path: "/api/v1/users/00unobody00000000000/sessions", auth: true}, &e)
			wantError(t, "unknown user", resp, e, 404, "E0000007")
			if resp = spDo(t, s, c, spReq{method: "DELETE", path: "/api/v1/users/alice@example.com/sessions?oauthTokens=true", auth: true}, nil); resp.StatusCode != 204 {
				t.Fatalf("revoke: %d", resp.StatusCode)
			}
			for _, id := range ids {
				e = spError{}
				resp := spDo(t, s, c, spReq{method: "GET", path: "/api/v1/sessions/" + id, auth: true}, &e)
				wantError(t, "revoked session", resp, e, 404, "E0000007")
			}
		})
	}
}

// TestSessionsEndWithUser: a suspended user's sessions stop answering.
func TestSessionsEndWithUser(t *testing.T) {
	s := spServer(t, emulator.Classic)
	c := s.Client()
	var sess sessionJSON
	spDo(t, s, c, spReq{method: "POST", path: "/api/v1/sessions", body: `{"sessionToken":"` + signIn(t, s, "alice@example.com") + `"}`}, &sess)
	if resp := spDo(t, s, c, spReq{method: "POST", path: "/api/v1/users/" + spAliceID + "/lifecycle/suspend", auth: true}, nil); resp.StatusCode != 200 {
		t.Fatalf("suspend: %d", resp.StatusCode)
	}
	var e spError
	resp := spDo(t, s, c, spReq{method: "GET", path: "/api/v1/sessions/" + sess.ID, auth: true}, &e)
	wantError(t, "suspended user's session", resp, e, 404, "E0000007")
}

// TestUserSessionsForgetDevices: forgetDevices defaults to false in Classic
// and true in Identity Engine (row 23). bob remembers his browser after a
// TOTP verification under a DEVICE prompt mode; revoking his sessions with
// the engine's default forgets it or not; forgetDevices=true always does.
func TestUserSessionsForgetDevices(t *testing.T) {
	for _, eng := range emulator.Engines() {
		for _, query := range []string{"", "?forgetDevices=true", "?forgetDevices=false"} {
			t.Run(string(eng)+query, func(t *testing.T) {
				s := spServer(t, eng)
				c := s.Client()
				resp := spDo(t, s, c, spReq{method: "PUT", path: "/api/v1/policies/00psignondefault0000/rules/0prsignonmfa00000000", auth: true,
					body: `{"name":"MFA for mfa-required","conditions":{"people":{"groups":{"include":["` + mfaGroupID + `"]}}},
					  "actions":{"signon":{"access":"ALLOW","requireFactor":true,"factorPromptMode":"DEVICE","factorLifetime":15}}}`}, nil)
				if resp.StatusCode != 200 {
					t.Fatalf("PUT sign-on rule: %d", resp.StatusCode)
				}
				jar, _ := cookiejar.New(nil)
				browser := &http.Client{Transport: c.Transport, Jar: jar}
				type tx struct {
					Status       string `json:"status"`
					StateToken   string `json:"stateToken"`
					SessionToken string `json:"sessionToken"`
				}
				authn := func() tx {
					var out tx
					spDo(t, s, browser, spReq{method: "POST", path: "/api/v1/authn", body: `{"username":"bob@example.com","password":"Pa55word!Emu"}`}, &out)
					return out
				}
				first := authn()
				if first.Status != "MFA_REQUIRED" {
					t.Fatalf("first sign-in: %+v", first)
				}
				code, err := totp.GenerateCodeCustom("JBSWY3DPEHPK3PXP", s.Org().Now(), totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
				if err != nil {
					t.Fatal(err)
				}
				var done tx
				spDo(t, s, browser, spReq{method: "POST", path: "/api/v1/authn/factors/ostfbob0000000000000/verify?rememberDevice=true",
					body: `{"stateToken":"` + first.StateToken + `","passCode":"` + code + `"}`}, &done)
				if done.Status != "SUCCESS" {
					t.Fatalf("verify: %+v", done)
				}
				if query == "" {
					// The session records the MFA: amr and lastFactorVerification.
					var sess sessionJSON
					spDo(t, s, c, spReq{method: "POST", path: "/api/v1/sessions", body: `{"sessionToken":"` + done.SessionToken + `"}`}, &sess)
					if !slices.Contains(sess.AMR, "pwd") || !slices.Contains(sess.AMR, "otp") || !slices.Contains(sess.AMR, "mfa") ||
						sess.LastFactorVerification == nil || *sess.LastFactorVerification != okDate(s.Org().Now()) || !sess.MFAActive {
						t.Errorf("session after MFA = %+v", sess)
					}
				}
				if again := authn(); again.Status != "SUCCESS" {
					t.Fatalf("remembered device: %+v", again)
				}
				if resp := spDo(t, s, c, spReq{method: "DELETE", path: "/api/v1/users/bob@example.com/sessions" + query, auth: true}, nil); resp.StatusCode != 204 {
					t.Fatalf("revoke: %d", resp.StatusCode)
				}
				forget := query == "?forgetDevices=true" || query == "" && eng == emulator.Identity
				want := map[bool]string{true: "MFA_REQUIRED", false: "SUCCESS"}[forget]
				if after := authn(); after.Status != want {
					t.Errorf("after DELETE /users/bob/sessions%s: %s, want %s", query, after.Status, want)
				}
			})
		}
	}
}

// TestDeleteMySessions: POST /api/v1/users/me/lifecycle/delete_sessions ends
// the cookie user's other sessions, and with keepCurrent false the current
// one too (clearing its cookie).
func TestDeleteMySessions(t *testing.T) {
	for _, eng := range emulator.Engines() {
		t.Run(string(eng), func(t *testing.T) {
			s := spServer(t, eng)
			c := s.Client()
			var cur, other sessionJSON
			spDo(t, s, c, spReq{method: "POST", path: "/api/v1/sessions", body: `{"sessionToken":"` + signIn(t, s, "alice@example.com") + `"}`}, &cur)
			spDo(t, s, c, spReq{method: "POST", path: "/api/v1/sessions", body: `{"sessionToken":"` + signIn(t, s, "alice@example.com") + `"}`}, &other)
			cookie := http.Header{"Cookie": {"sid=" + cur.ID}}
			live := func(id string) bool {
				return spDo(t, s, c, spReq{method: "GET", path: "/api/v1/sessions/" + id, auth: true}, nil).StatusCode == 200
			}
			if resp := spDo(t, s, c, spReq{method: "POST", path: "/api/v1/users/me/lifecycle/delete_sessions", header: cookie}, nil); resp.StatusCode != 204 {
				t.Fatalf("delete_sessions: %d", resp.StatusCode)
			}
			if !live(cur.ID) || live(other.ID) {
				t.Errorf("keepCurrent default: current live %v, other live %v", live(cur.ID), live(other.ID))
			}
			resp := spDo(t, s, c, spReq{method: "POST", path: "/api/v1/users/me/lifecycle/delete_sessions", header: cookie, body: `{"keepCurrent":false}`}, nil)
			if ck := findCookie(resp, "sid"); resp.StatusCode != 204 || live(cur.ID) || ck == nil || ck.MaxAge >= 0 {
				t.Errorf("keepCurrent false: %d, cookie %+v", resp.StatusCode, ck)
			}
		})
	}
}

// TestSessionsMeCORS: /me answers cross-origin calls with credentials, as
// Okta does for its Trusted Origins.
func TestSessionsMeCORS(t *testing.T) {
	s := spServer(t, emulator.Identity)
	c := s.Client()
	origin := http.Header{"Origin": {"http://spa.example:3000"}}
	pre := spDo(t, s, c, spReq{method: "OPTIONS", path: "/api/v1/sessions/me", header: http.Header{"Origin": origin["Origin"],
		"Access-Control-Request-Method": {"GET"}, "Access-Control-Request-Headers": {"x-okta-user-agent-extended"}}}, nil)
	h := pre.Header
	if pre.StatusCode != 204 || h.Get("Access-Control-Allow-Origin") != "http://spa.example:3000" || h.Get("Access-Control-Allow-Credentials") != "true" ||
		h.Get("Access-Control-Allow-Methods") != "GET, DELETE" || h.Get("Access-Control-Allow-Headers") != "x-okta-user-agent-extended" {
		t.Errorf("preflight: %d %v", pre.StatusCode, h)
	}
	var e spError
	resp := spDo(t, s, c, spReq{method: "GET", path: "/api/v1/sessions/me", header: origin}, &e)
	if resp.StatusCode != 404 || resp.Header.Get("Access-Control-Allow-Origin") != "http://spa.example:3000" {
		t.Errorf("GET /me cross-origin: %d %v", resp.StatusCode, resp.Header)
	}
}
