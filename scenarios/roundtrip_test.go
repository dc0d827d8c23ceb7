package scenarios

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/oktaemu/oktaemu/emulator"
	"github.com/oktaemu/oktaemu/emulator/emulatortest"
	"github.com/oktaemu/oktaemu/fixtures"
	"github.com/oktaemu/oktaemu/scenarios/diff"
)

// customerOrg is "the customer's org": the Classic default fixture plus a
// user, a TOTP factor and a SAML app that no default fixture has. A replay
// on a fresh default org works only if reconstruction restores them.
const (
	danaID       = "00udanacustomer00001"
	danaLogin    = "dana@customer.example"
	danaPassword = "Cust0mer-Secret!"
	danaTOTPID   = "ostfdanacustomer0001"
	danaSecret   = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
	customerApp  = "0oacustomersaml00001"
)

func customerOrg(t *testing.T) *fixtures.Org {
	t.Helper()
	fx, err := fixtures.Load("classic-default")
	if err != nil {
		t.Fatal(err)
	}
	fx.Name = "customer"
	fx.Users = append(fx.Users, fixtures.User{ID: danaID, Password: danaPassword, Groups: []string{"mfa-required"},
		Profile: map[string]any{"login": danaLogin, "email": danaLogin, "firstName": "Dana", "lastName": "Diaz"},
		Factors: []fixtures.Factor{{ID: danaTOTPID, Type: "token:software:totp", Provider: "GOOGLE", Secret: danaSecret}}})
	fx.Apps = append(fx.Apps, fixtures.App{ID: customerApp, Name: "customer_saml", Label: "Customer SAML", SignOnMode: "SAML_2_0"})
	return fx
}

// proxyClient drives traffic through the recorder as an integration would.
type proxyClient struct {
	t     *testing.T
	url   string
	token string
}

func (c proxyClient) call(method, path string, ssws bool, body any) (int, map[string]any, []any) {
	c.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, c.url+path, rd)
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if ssws {
		req.Header.Set("Authorization", "SSWS "+c.token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	var obj map[string]any
	var arr []any
	if json.Unmarshal(data, &obj) != nil {
		_ = json.Unmarshal(data, &arr)
	}
	return resp.StatusCode, obj, arr
}

// recordCustomerTraffic records, through the proxy, a Classic integration
// signing a user in with TOTP, creating a session with a cookieToken,
// listing the user's factors and passing `audience` to /api/v1/authn.
func recordCustomerTraffic(t *testing.T) *Scenario {
	t.Helper()
	up := emulatortest.NewServer(t, emulatortest.WithOptions(emulator.Options{Engine: emulator.Classic, Seed: customerOrg(t)}))
	rec, err := NewRecorder(up.URL)
	if err != nil {
		t.Fatal(err)
	}
	rec.SetEngine(DetectEngine(context.Background(), http.DefaultClient, up.URL))
	proxy := httptest.NewServer(rec)
	t.Cleanup(proxy.Close)
	c := proxyClient{t: t, url: proxy.URL, token: up.Token}

	st, body, _ := c.call("POST", "/api/v1/authn", false, map[string]any{"username": danaLogin, "password": danaPassword})
	if st != 200 || body["status"] != "MFA_REQUIRED" {
		t.Fatalf("recording: primary auth: %d %v", st, body)
	}
	// Links point at the proxy, not the upstream.
	if href, _ := lookupString(body, "_links", "cancel", "href"); !strings.HasPrefix(href, proxy.URL) {
		t.Errorf("recording: cancel link %q does not point at the proxy %s", href, proxy.URL)
	}
	code, err := totp.GenerateCodeCustom(danaSecret, up.Org().Now(), totp.ValidateOpts{Period: 30, Skew: 1, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		t.Fatal(err)
	}
	st, body, _ = c.call("POST", "/api/v1/authn/factors/"+danaTOTPID+"/verify", false, map[string]any{"stateToken": body["stateToken"], "passCode": code})
	if st != 200 || body["status"] != "SUCCESS" {
		t.Fatalf("recording: verify TOTP: %d %v", st, body)
	}
	st, body, _ = c.call("POST", "/api/v1/sessions?additionalFields=cookieToken", true, map[string]any{"sessionToken": body["sessionToken"]})
	if st != 200 || body["cookieToken"] == nil {
		t.Fatalf("recording: create session: %d %v", st, body)
	}
	if st, _, arr := c.call("GET", "/api/v1/users/"+danaID+"/factors", true, nil); st != 200 || len(arr) != 1 {
		t.Fatalf("recording: list factors: %d %v", st, arr)
	}
	if st, body, _ := c.call("POST", "/api/v1/authn", false, map[string]any{"username": danaLogin, "password": "Wr0ng-Password!"}); st != 401 {
		t.Fatalf("recording: wrong password: %d %v", st, body)
	}
	st, body, _ = c.call("POST", "/api/v1/authn", false, map[string]any{"username": "alice@example.com", "password": "Pa55word!Emu"})
	if st != 200 || body["status"] != "SUCCESS" {
		t.Fatalf("recording: alice: %d %v", st, body)
	}
	// A browser: the session cookie from the redirect, then /sessions/me.
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noFollow.Get(proxy.URL + "/login/sessionCookieRedirect?token=" + body["sessionToken"].(string) + "&redirectUrl=https%3A%2F%2Fapp.customer.example%2F")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	var sid *http.Cookie
	for _, ck := range resp.Cookies() {
		if ck.Name == "sid" {
			sid = ck
		}
	}
	if resp.StatusCode != 302 || sid == nil {
		t.Fatalf("recording: sessionCookieRedirect: %d, cookies %v", resp.StatusCode, resp.Cookies())
	}
	req, _ := http.NewRequest("GET", proxy.URL+"/api/v1/sessions/me", nil)
	req.Header.Set("Accept", "application/json")
	req.AddCookie(sid)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("recording: sessions/me: %d", resp.StatusCode)
	}
	// Last: Identity Engine refuses it, which ends a replay there.
	if st, body, _ := c.call("POST", "/api/v1/authn", false, map[string]any{"username": "alice@example.com", "password": "Pa55word!Emu", "audience": customerApp}); st != 200 {
		t.Fatalf("recording: authn with audience: %d %v", st, body)
	}
	// The recorder's control plane writes the scenario.
	dir := t.TempDir()
	rec.Dir = dir
	resp, err = http.Post(proxy.URL+"/_record/save?name=customer-signin", "application/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	saved := rec.Saved()
	if len(saved) != 1 {
		t.Fatalf("saved %v, want one file", saved)
	}
	scs, err := Load(saved[0])
	if err != nil {
		t.Fatalf("the recorded file does not load: %v", err)
	}
	return scs[0]
}

func TestRecordReplayRoundTrip(t *testing.T) {
	sc := recordCustomerTraffic(t)
	ctx := context.Background()

	t.Run("case=recorded and redacted", func(t *testing.T) {
		if sc.Source.Kind != Recorded || sc.Source.Engine != Classic || sc.Source.RecordedAt == nil {
			t.Errorf("source = %+v", sc.Source)
		}
		data, _ := Marshal(sc)
		for _, secret := range []string{danaPassword, "Pa55word!Emu", emulatortest.NewServer(t).Token} {
			if strings.Contains(string(data), secret) {
				t.Errorf("secret %q written to the scenario", secret)
			}
		}
		var labels []string
		for _, x := range sc.Exchanges {
			labels = append(labels, x.Label())
		}
		want := []string{"POST /api/v1/authn", "POST /api/v1/authn/factors/" + danaTOTPID + "/verify",
			"POST /api/v1/sessions?additionalFields=cookieToken", "GET /api/v1/users/" + danaID + "/factors",
			"POST /api/v1/authn", "POST /api/v1/authn", "GET /login/sessionCookieRedirect?token=<sessionToken:2>&redirectUrl=https%3A%2F%2Fapp.customer.example%2F",
			"GET /api/v1/sessions/me", "POST /api/v1/authn"}
		if diff := cmp.Diff(want, labels); diff != "" {
			t.Errorf("exchanges (-want +got):\n%s", diff)
		}
	})

	t.Run("case=without reconstruction the customer's user is missing", func(t *testing.T) {
		res := RunOne(ctx, sc, Classic, Options{})
		if !res.Failed() {
			t.Fatalf("a replay on a default org without reconstruction passed; reconstruction would prove nothing")
		}
	})

	t.Run("case=replay on Classic after reconstruction", func(t *testing.T) {
		res := RunOne(ctx, sc, Classic, WithReconstruction(Options{}))
		if res.Err != "" {
			t.Fatalf("hard failure: %s", res.Err)
		}
		for _, x := range res.Exchanges {
			for _, d := range x.Diffs {
				t.Errorf("exchange %d %s: %s", x.Index, x.Label, d)
			}
		}
	})

	t.Run("case=diff Classic vs Identity shows the expected rows and nothing else", func(t *testing.T) {
		ed := DiffEngines(ctx, sc, Classic, Identity, WithReconstruction(Options{}), true)
		if ed.ErrA != "" {
			t.Fatalf("classic: %s", ed.ErrA)
		}
		got := map[int][]int{} // exchange -> rows
		for _, x := range ed.Exchanges {
			if x.NotRun != "" {
				t.Errorf("exchange %d %s did not run on %s", x.Index, x.Label, x.NotRun)
			}
			for _, d := range x.Diffs {
				switch {
				case d.Finding != nil:
					got[x.Index] = appendUnique(got[x.Index], d.Finding.Row)
				case isAutoEmailFactor(d):
					// authn.md §11: the auto-enrolled email factor (engines.md
					// #2) is also listed in MFA_REQUIRED, which the diff's
					// table names only for the Factors API.
					got[x.Index] = appendUnique(got[x.Index], 2)
				default:
					t.Errorf("exchange %d %s: unexplained difference %s", x.Index, x.Label, d)
				}
			}
		}
		want := map[int][]int{
			0: {2},  // the email factor listed in MFA_REQUIRED (seed 000 row 5)
			2: {19}, // cookieToken not returned (seed 000 row 3)
			3: {2},  // verified primary email listed as a factor (seed 000 row 5)
			// /sessions/me without idp (seed 000 row 4); the table names the
			// route's other differences (mfaActive, which the auto-enrolled
			// email factor turns true) after its cookie row.
			7: {20, 21},
			8: {35}, // audience refused (seed 000 row 1)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("engines.md rows by exchange (-want +got):\n%s", diff)
		}
	})
}

// isAutoEmailFactor reports whether d is an email factor that only
// Identity Engine lists (an element added to a factor list).
func isAutoEmailFactor(d diff.Difference) bool {
	m, ok := d.B.(map[string]any)
	return ok && d.A == nil && d.Class == diff.FieldAdded && m["factorType"] == "email" && strings.Contains(d.Path, "factors[")
}

func appendUnique(s []int, v int) []int {
	for _, x := range s {
		if x == v {
			return s
		}
	}
	s = append(s, v)
	sort.Ints(s)
	return s
}

func TestReconstructFromRecording(t *testing.T) {
	sc := recordCustomerTraffic(t)
	base, err := fixtures.Load("classic-default")
	if err != nil {
		t.Fatal(err)
	}
	rc := Reconstruct(sc, base)
	if len(rc.Org.Users) != 1 {
		t.Fatalf("users = %+v, want dana only", rc.Org.Users)
	}
	u := rc.Org.Users[0]
	got := map[string]any{"id": u.ID, "login": u.Profile["login"], "groups": u.Groups, "factors": len(u.Factors)}
	want := map[string]any{"id": danaID, "login": danaLogin, "groups": []string{"mfa-required"}, "factors": 1}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("user (-want +got):\n%s", diff)
	}
	f := u.Factors[0]
	if f.ID != danaTOTPID || f.Type != "token:software:totp" || f.Provider != "GOOGLE" || f.Secret != DerivedTOTPSecret(danaTOTPID) {
		t.Errorf("factor = %+v", f)
	}
	if len(rc.Org.Apps) != 1 || rc.Org.Apps[0].ID != customerApp {
		t.Errorf("apps = %+v, want the audience app", rc.Org.Apps)
	}
	// dana's redacted password is hers; alice's is the fixture's.
	var pws []string
	for _, ph := range sortedPlaceholders(rc.Secrets) {
		if strings.HasPrefix(ph, "<password:") {
			pws = append(pws, rc.Secrets[ph])
		}
	}
	// dana's wrong password gets a value nobody holds.
	if diff := cmp.Diff([]string{u.Password, "Replay-Pa55word-2!", "Pa55word!Emu"}, pws); diff != "" {
		t.Errorf("passwords (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]bool{"<passCode:1>": true}, rc.PassCodes); diff != "" {
		t.Errorf("passCodes (-want +got):\n%s", diff)
	}
	merged, err := (&Scenario{Name: "x", Setup: rc.Org}).StartingState(Classic)
	if err != nil {
		t.Fatalf("the reconstructed setup does not validate: %v", err)
	}
	if len(merged.Users) != len(base.Users)+1 {
		t.Errorf("merged users = %d, want %d", len(merged.Users), len(base.Users)+1)
	}

}
