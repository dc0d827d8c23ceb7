package emulator_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/oktaemu/oktaemu/emulator"
	"github.com/oktaemu/oktaemu/emulator/emulatortest"
)

// call sends one request and decodes a JSON answer into out (when not nil).
func call(t *testing.T, c *http.Client, method, url, host, auth, body string, out any) (int, http.Header) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if host != "" {
		req.Host = host
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if out != nil && len(b) > 0 {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s %s: decoding %q: %v", method, url, b, err)
		}
	}
	return resp.StatusCode, resp.Header
}

type errBody struct {
	ErrorCode string `json:"errorCode"`
}

func TestControlOrgs(t *testing.T) {
	s := emulatortest.NewServer(t)
	c := s.Client()

	var health struct {
		Status string `json:"status"`
		Orgs   int    `json:"orgs"`
	}
	if st, _ := call(t, c, "GET", s.URL+"/_emulator/health", "", "", "", &health); st != 200 || health.Orgs != 1 {
		t.Fatalf("health: %d %+v", st, health)
	}

	type orgInfo struct {
		Name, Engine, Fixture, OrgID, URL string
		Default                           bool
	}
	var created orgInfo
	st, _ := call(t, c, "POST", s.URL+"/_emulator/orgs", "", "", `{"name":"acme","engine":"identity"}`, &created)
	if st != 201 {
		t.Fatalf("create: %d", st)
	}
	if diff := cmp.Diff(orgInfo{Name: "acme", Engine: "identity", Fixture: "identity-default", OrgID: created.OrgID,
		URL: s.URL + "/_org/acme"}, created); diff != "" {
		t.Errorf("created org (-want +got):\n%s", diff)
	}

	var e errBody
	if st, _ := call(t, c, "POST", s.URL+"/_emulator/orgs", "", "", `{"name":"acme"}`, &e); st != 400 || e.ErrorCode != "E0000001" {
		t.Errorf("duplicate org: %d %s, want 400 E0000001", st, e.ErrorCode)
	}
	if st, _ := call(t, c, "POST", s.URL+"/_emulator/orgs", "", "", `{"name":"Bad Name"}`, &e); st != 400 {
		t.Errorf("bad name: %d, want 400", st)
	}
	if st, _ := call(t, c, "POST", s.URL+"/_emulator/orgs", "", "", `{"name":"x","fixture":"nope"}`, &e); st != 400 {
		t.Errorf("unknown fixture: %d, want 400", st)
	}

	// The new org answers by path prefix and by Host, with its own pipeline
	// and its own token; the default org's token is refused there.
	var meta struct{ Pipeline string }
	call(t, c, "GET", s.URL+"/_org/acme/.well-known/okta-organization", "", "", "", &meta)
	if meta.Pipeline != "idx" {
		t.Errorf("acme by prefix: pipeline %q, want idx", meta.Pipeline)
	}
	meta.Pipeline = ""
	call(t, c, "GET", s.URL+"/.well-known/okta-organization", "acme.localhost", "", "", &meta)
	if meta.Pipeline != "idx" {
		t.Errorf("acme by Host: pipeline %q, want idx", meta.Pipeline)
	}
	call(t, c, "GET", s.URL+"/.well-known/okta-organization", "", "", "", &meta)
	if meta.Pipeline != "v1" {
		t.Errorf("default org: pipeline %q, want v1", meta.Pipeline)
	}
	if st, _ := call(t, c, "GET", s.URL+"/_org/acme/api/v1/users", "", "SSWS 00oktaemu-classic-default-api-token", "", &e); st != 401 || e.ErrorCode != "E0000011" {
		t.Errorf("classic token on identity org: %d %s, want 401 E0000011", st, e.ErrorCode)
	}
	if st, _ := call(t, c, "GET", s.URL+"/_org/acme/api/v1/users", "", "SSWS 00oktaemu-identity-default-api-token", "", nil); st != 200 {
		t.Errorf("identity token on identity org: %d, want 200", st)
	}
	// An unknown org is the emulator's 404, on any path: no spec describes
	// it, so ask the server without the validating wrapper.
	plain := httptest.NewServer(s.Emulator.Handler())
	defer plain.Close()
	if st, _ := call(t, plain.Client(), "GET", plain.URL+"/_org/nope/api/v1/users", "", "", "", &e); st != 404 || e.ErrorCode != "E0000007" {
		t.Errorf("unknown org: %d %s, want 404 E0000007", st, e.ErrorCode)
	}

	var list []orgInfo
	call(t, c, "GET", s.URL+"/_emulator/orgs", "", "", "", &list)
	if len(list) != 2 || list[0].Name != "acme" || !list[1].Default {
		t.Errorf("list: %+v", list)
	}

	// Reset drops what was created since; delete removes the org.
	tok := "SSWS 00oktaemu-identity-default-api-token"
	user := `{"profile":{"login":"new@example.com","email":"new@example.com","firstName":"N","lastName":"U"}}`
	if st, _ := call(t, c, "POST", s.URL+"/_org/acme/api/v1/users?activate=false", "", tok, user, nil); st != 200 {
		t.Fatalf("create user: %d", st)
	}
	if st, _ := call(t, c, "POST", s.URL+"/_emulator/orgs/acme/reset", "", "", "", nil); st != 200 {
		t.Fatalf("reset: %d", st)
	}
	if st, _ := call(t, c, "GET", s.URL+"/_org/acme/api/v1/users/new@example.com", "", tok, "", &e); st != 404 {
		t.Errorf("user after reset: %d, want 404", st)
	}
	if st, _ := call(t, c, "DELETE", s.URL+"/_emulator/orgs/default", "", "", "", &e); st != 400 {
		t.Errorf("delete default org: %d, want 400", st)
	}
	if st, _ := call(t, c, "DELETE", s.URL+"/_emulator/orgs/acme", "", "", "", nil); st != 204 {
		t.Errorf("delete: %d, want 204", st)
	}
	if st, _ := call(t, c, "GET", s.URL+"/_emulator/orgs/acme", "", "", "", &e); st != 404 {
		t.Errorf("get deleted: %d, want 404", st)
	}
}

func TestControlInlineFixture(t *testing.T) {
	s := emulatortest.NewServer(t)
	body, _ := json.Marshal(map[string]string{"name": "tiny", "fixtureBody": "engine: classic\napiTokens:\n  - token: tiny-token\nusers:\n  - profile: {login: t@example.com, email: t@example.com, firstName: T, lastName: T}\n    password: Pa55word!Emu\n"})
	if st, _ := call(t, s.Client(), "POST", s.URL+"/_emulator/orgs", "", "", string(body), nil); st != 201 {
		t.Fatalf("create: %d", st)
	}
	var users []struct{ ID string }
	if st, _ := call(t, s.Client(), "GET", s.URL+"/_org/tiny/api/v1/users", "", "SSWS tiny-token", "", &users); st != 200 || len(users) != 1 {
		t.Errorf("users of tiny: %d %v", st, users)
	}
	var e errBody
	bad, _ := json.Marshal(map[string]string{"name": "bad", "fixtureBody": "engine: classic\nusres: []\n"})
	if st, _ := call(t, s.Client(), "POST", s.URL+"/_emulator/orgs", "", "", string(bad), &e); st != 400 || e.ErrorCode != "E0000001" {
		t.Errorf("unknown key in inline fixture: %d %s, want 400 E0000001", st, e.ErrorCode)
	}
}

func TestControlClockAndOutbox(t *testing.T) {
	s := emulatortest.NewServer(t)
	c := s.Client()
	type clock struct {
		Now    string
		Frozen bool
	}
	var got clock
	if st, _ := call(t, c, "PUT", s.URL+"/_emulator/orgs/default/clock", "", "", `{"now":"2030-01-02T03:04:05.000Z"}`, &got); st != 200 {
		t.Fatalf("set clock: %d", st)
	}
	if !strings.HasPrefix(got.Now, "2030-01-02T03:04:05") {
		t.Errorf("set clock: %+v", got)
	}
	call(t, c, "POST", s.URL+"/_emulator/orgs/default/clock/advance", "", "", `{"duration":"24h"}`, &got)
	if !strings.HasPrefix(got.Now, "2030-01-03T03:04:0") {
		t.Errorf("advance: %+v", got)
	}
	var e errBody
	if st, _ := call(t, c, "POST", s.URL+"/_emulator/orgs/default/clock/advance", "", "", `{"duration":"soon"}`, &e); st != 400 {
		t.Errorf("bad duration: %d", st)
	}
	if got := s.Org().Now().Format("2006-01-02"); got != "2030-01-03" {
		t.Errorf("org clock %s, want 2030-01-03", got)
	}

	// Activating a staged user with sendEmail puts the link in the outbox.
	tok := "SSWS " + s.Token
	if st, _ := call(t, c, "POST", s.URL+"/api/v1/users/erin@example.com/lifecycle/activate?sendEmail=true", "", tok, "", nil); st != 200 {
		t.Fatalf("activate: %d", st)
	}
	var msgs []struct {
		UserID, Channel, To, Kind, Token, Link string
	}
	call(t, c, "GET", s.URL+"/_emulator/orgs/default/outbox?login=erin@example.com", "", "", "", &msgs)
	if len(msgs) != 1 {
		t.Fatalf("outbox: %+v", msgs)
	}
	m := msgs[0]
	if m.Channel != "email" || m.Kind != "activation" || m.To != "erin@example.com" || m.Link != s.URL+"/_org/default/welcome/"+m.Token {
		t.Errorf("message: %+v", m)
	}
}

func TestControlFaultsAndRateLimits(t *testing.T) {
	s := emulatortest.NewServer(t)
	c := s.Client()
	tok := "SSWS " + s.Token
	var e errBody
	if st, _ := call(t, c, "PUT", s.URL+"/_emulator/orgs/default/faults", "", "",
		`{"seed":7,"faults":[{"method":"GET","path":"/api/v1/groups*","errorCode":"E0000047"}]}`, nil); st != 200 {
		t.Fatalf("set faults: %d", st)
	}
	if st, _ := call(t, c, "GET", s.URL+"/api/v1/groups", "", tok, "", &e); st != 429 || e.ErrorCode != "E0000047" {
		t.Errorf("faulted call: %d %s, want 429 E0000047", st, e.ErrorCode)
	}
	if st, _ := call(t, c, "GET", s.URL+"/api/v1/users", "", tok, "", nil); st != 200 {
		t.Errorf("unfaulted call: %d", st)
	}
	if st, _ := call(t, c, "PUT", s.URL+"/_emulator/orgs/default/faults", "", "", `{"faults":[{"errorCode":"E1234567"}]}`, &e); st != 400 {
		t.Errorf("unknown code: %d, want 400", st)
	}
	call(t, c, "PUT", s.URL+"/_emulator/orgs/default/faults", "", "", `{"faults":[]}`, nil)

	if st, _ := call(t, c, "PUT", s.URL+"/_emulator/orgs/default/ratelimits", "", "", `{"default":0,"byPrefix":{"/api/v1/users":2}}`, nil); st != 200 {
		t.Fatalf("set limits: %d", st)
	}
	var statuses []int
	var remaining []string
	for range 3 {
		st, h := call(t, c, "GET", s.URL+"/api/v1/users", "", tok, "", nil)
		statuses = append(statuses, st)
		remaining = append(remaining, h.Get("X-Rate-Limit-Remaining"))
	}
	if diff := cmp.Diff([]int{200, 200, 429}, statuses); diff != "" {
		t.Errorf("statuses (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"1", "0", "0"}, remaining); diff != "" {
		t.Errorf("X-Rate-Limit-Remaining (-want +got):\n%s", diff)
	}
}

func TestControlAdminToken(t *testing.T) {
	s := emulatortest.NewServer(t, emulatortest.WithOptions(emulator.Options{AdminToken: "admin-secret", APIToken: "x"}))
	c := s.Client()
	var e errBody
	if st, _ := call(t, c, "GET", s.URL+"/_emulator/orgs", "", "", "", &e); st != 403 || e.ErrorCode != "E0000005" {
		t.Errorf("no token: %d %s, want 403 E0000005", st, e.ErrorCode)
	}
	if st, _ := call(t, c, "GET", s.URL+"/_emulator/orgs", "", "SSWS wrong", "", &e); st != 401 || e.ErrorCode != "E0000011" {
		t.Errorf("wrong token: %d %s, want 401 E0000011", st, e.ErrorCode)
	}
	if st, _ := call(t, c, "GET", s.URL+"/_emulator/orgs", "", "Bearer admin-secret", "", nil); st != 200 {
		t.Errorf("admin token: %d, want 200", st)
	}
	if st, _ := call(t, c, "GET", s.URL+"/_emulator/health", "", "", "", nil); st != 200 {
		t.Errorf("health without token: %d, want 200", st)
	}
}

func TestControlReadEndpoints(t *testing.T) {
	s := emulatortest.NewServer(t)
	c := s.Client()
	ctl := s.URL + "/_emulator/orgs/default"

	var org struct {
		Name, Engine, Fixture, OrgID string
		Default                      bool
	}
	if st, _ := call(t, c, "GET", ctl, "", "", "", &org); st != 200 || org.Name != "default" || !org.Default || org.OrgID != s.Org().ID() {
		t.Errorf("GET org: %d %+v", st, org)
	}

	var clock struct {
		Now    string
		Frozen bool
	}
	call(t, c, "PUT", ctl+"/clock", "", "", `{"now":"2030-06-07T08:09:10.123Z"}`, nil)
	if st, _ := call(t, c, "GET", ctl+"/clock", "", "", "", &clock); st != 200 || !strings.HasPrefix(clock.Now, "2030-06-07T08:09") || clock.Frozen {
		t.Errorf("GET clock: %d %+v, want the set time, running", st, clock)
	}
	var e errBody
	if st, _ := call(t, c, "PUT", ctl+"/clock", "", "", `{"now":"yesterday"}`, &e); st != 400 || e.ErrorCode != "E0000001" {
		t.Errorf("PUT clock with a bad time: %d %s", st, e.ErrorCode)
	}

	var limits struct {
		Default  int
		ByPrefix map[string]int
	}
	if st, _ := call(t, c, "GET", ctl+"/ratelimits", "", "", "", &limits); st != 200 || limits.Default <= 0 {
		t.Errorf("GET ratelimits: %d %+v", st, limits)
	}
	var faults struct {
		Seed   uint64
		Faults []map[string]any
	}
	call(t, c, "PUT", ctl+"/faults", "", "", `{"seed":9,"faults":[{"path":"/api/v1/groups","status":503,"probability":0.25}]}`, nil)
	if st, _ := call(t, c, "GET", ctl+"/faults", "", "", "", &faults); st != 200 || faults.Seed != 9 || len(faults.Faults) != 1 || faults.Faults[0]["probability"] != 0.25 {
		t.Errorf("GET faults: %d %+v", st, faults)
	}
	for _, path := range []string{"/clock", "/ratelimits", "/faults", "/outbox", "/snapshot", "/pushes"} {
		if st, _ := call(t, c, "GET", s.URL+"/_emulator/orgs/nope"+path, "", "", "", &e); st != 404 || e.ErrorCode != "E0000007" {
			t.Errorf("GET %s of an unknown org: %d %s, want 404 E0000007", path, st, e.ErrorCode)
		}
	}
}

// TestControlFaultsSeeded: a probabilistic fault fails the same requests
// for the same seed, and only on its own org.
func TestControlFaultsSeeded(t *testing.T) {
	s := emulatortest.NewServer(t)
	c := s.Client()
	tok := "SSWS " + s.Token
	if st, _ := call(t, c, "POST", s.URL+"/_emulator/orgs", "", "", `{"name":"other"}`, nil); st != 201 {
		t.Fatalf("create org: %d", st)
	}
	run := func() []int {
		if st, _ := call(t, c, "PUT", s.URL+"/_emulator/orgs/default/faults", "", "",
			`{"seed":42,"faults":[{"method":"GET","path":"/api/v1/groups","status":503,"probability":0.5}]}`, nil); st != 200 {
			t.Fatalf("set faults: %d", st)
		}
		var statuses []int
		for range 24 {
			st, _ := call(t, c, "GET", s.URL+"/api/v1/groups", "", tok, "", nil)
			statuses = append(statuses, st)
		}
		return statuses
	}
	first, second := run(), run()
	if diff := cmp.Diff(first, second); diff != "" {
		t.Errorf("the same seed failed different requests (-first +second):\n%s", diff)
	}
	count := map[int]int{}
	for _, st := range first {
		count[st]++
	}
	if count[200] == 0 || count[503] == 0 || count[200]+count[503] != len(first) {
		t.Errorf("statuses %v: want a mix of 200 and 503 at probability 0.5", count)
	}
	for range 5 {
		if st, _ := call(t, c, "GET", s.URL+"/_org/other/api/v1/groups", "", "SSWS 00oktaemu-classic-default-api-token", "", nil); st != 200 {
			t.Fatalf("another org's request failed (%d): faults leak across orgs", st)
		}
	}
}
