package emulator_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/oktaemu/oktaemu/emulator"
	"github.com/oktaemu/oktaemu/emulator/emulatortest"
	"github.com/oktaemu/oktaemu/fixtures"
)

// ctlCall sends one request and returns status and body.
func ctlCall(t *testing.T, c *http.Client, method, url, auth, body string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
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
	return resp.StatusCode, b
}

func TestControlSnapshot(t *testing.T) {
	for _, eng := range emulator.Engines() {
		t.Run("engine="+string(eng), func(t *testing.T) {
			s := emulatortest.NewServer(t, emulatortest.WithEngine(eng))
			c := s.Client()
			tok := "SSWS " + s.Token
			ctl := s.URL + "/_emulator/orgs/default"

			// Some traffic, so the snapshot holds more than the fixture.
			dana := `{"profile":{"login":"dana@example.com","email":"dana@example.com","firstName":"Dana","lastName":"Dunn"},"credentials":{"password":{"value":"Pa55word!Emu"}}}`
			if st, b := ctlCall(t, c, "POST", s.URL+"/api/v1/users?activate=true", tok, dana); st != 200 {
				t.Fatalf("create user: %d %s", st, b)
			}
			if st, b := ctlCall(t, c, "POST", s.URL+"/api/v1/users/erin@example.com/lifecycle/activate?sendEmail=true", tok, ""); st != 200 {
				t.Fatalf("activate: %d %s", st, b)
			}
			ctlCall(t, c, "PUT", ctl+"/clock", "", `{"now":"2031-05-06T07:08:09.000Z"}`)
			ctlCall(t, c, "PUT", ctl+"/ratelimits", "", `{"default":500,"byPrefix":{"/api/v1/users":7}}`)
			ctlCall(t, c, "PUT", ctl+"/faults", "", `{"seed":3,"faults":[{"method":"DELETE","path":"/api/v1/groups*","status":503,"probability":0.5}]}`)

			st, snap := ctlCall(t, c, "GET", ctl+"/snapshot", "", "")
			if st != 200 {
				t.Fatalf("GET snapshot: %d %s", st, snap)
			}
			var head struct {
				Format, Name, Engine string
				RateLimits           struct{ Default int }
			}
			if err := json.Unmarshal(snap, &head); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff("oktaemu.org-snapshot/v1 default "+string(eng)+" 500",
				strings.Join([]string{head.Format, head.Name, head.Engine}, " ")+" 500"); diff != "" || head.RateLimits.Default != 500 {
				t.Errorf("snapshot head %+v", head)
			}
			if !bytes.Contains(snap, []byte(`"dana@example.com"`)) {
				t.Error("snapshot lacks the user created by the API")
			}

			// Changes after the snapshot are undone by putting it back.
			later := `{"profile":{"login":"later@example.com","email":"later@example.com","firstName":"L","lastName":"L"}}`
			if st, b := ctlCall(t, c, "POST", s.URL+"/api/v1/users?activate=false", tok, later); st != 200 {
				t.Fatalf("create later user: %d %s", st, b)
			}
			s.Org().Advance(1e12)
			var org struct {
				Name string
			}
			st, b := ctlCall(t, c, "PUT", ctl+"/snapshot", "", string(snap))
			if st != 200 || json.Unmarshal(b, &org) != nil || org.Name != "default" {
				t.Fatalf("PUT snapshot: %d %s", st, b)
			}
			// Lossless: restore, then snapshot, gives the same bytes.
			if _, again := ctlCall(t, c, "GET", ctl+"/snapshot", "", ""); !bytes.Equal(snap, again) {
				t.Errorf("snapshot after restore differs: %s", byteDiff(snap, again))
			}
			// Reads and refused requests leave the state alone (request and
			// error ids are not the org's).
			ctlCall(t, c, "GET", s.URL+"/api/v1/users?limit=2", tok, "")
			ctlCall(t, c, "GET", s.URL+"/api/v1/users/nobody@example.com", tok, "")
			ctlCall(t, c, "POST", s.URL+"/api/v1/users", tok, "{not json")
			ctlCall(t, c, "GET", s.URL+"/api/v1/groups", "SSWS wrong-token", "")
			if _, again := ctlCall(t, c, "GET", ctl+"/snapshot", "", ""); !bytes.Equal(snap, again) {
				t.Errorf("reads and refused requests changed the snapshot: %s", byteDiff(snap, again))
			}
			if st, _ := ctlCall(t, c, "GET", s.URL+"/api/v1/users/later@example.com", tok, ""); st != 404 {
				t.Errorf("user created after the snapshot: %d, want 404 after restore", st)
			}
			if st, _ := ctlCall(t, c, "GET", s.URL+"/api/v1/users/dana@example.com", tok, ""); st != 200 {
				t.Errorf("user in the snapshot: %d, want 200", st)
			}
			if got := s.Org().Now().Format("2006-01-02T15:04"); got != "2031-05-06T07:08" {
				t.Errorf("clock after restore %s, want the snapshot's 2031-05-06T07:08", got)
			}

			// A snapshot put under another name is a copy: 201, its own
			// state, the same users and tokens.
			st, b = ctlCall(t, c, "PUT", s.URL+"/_emulator/orgs/copy/snapshot", "", string(snap))
			if st != 201 {
				t.Fatalf("PUT snapshot as a new org: %d %s", st, b)
			}
			if st, _ := ctlCall(t, c, "GET", s.URL+"/_org/copy/api/v1/users/dana@example.com", tok, ""); st != 200 {
				t.Errorf("user in the copy: %d, want 200", st)
			}
			if st, _ := ctlCall(t, c, "DELETE", s.URL+"/_org/copy/api/v1/users/dana@example.com", tok, ""); st != 204 {
				t.Errorf("deactivate in the copy: %d", st)
			}
			var u struct{ Status string }
			_, b = ctlCall(t, c, "GET", s.URL+"/api/v1/users/dana@example.com", tok, "")
			if json.Unmarshal(b, &u); u.Status != "ACTIVE" {
				t.Errorf("the copy shares state with the original: dana is %s in default", u.Status)
			}
			var rl struct{ Default int }
			_, b = ctlCall(t, c, "GET", s.URL+"/_emulator/orgs/copy/ratelimits", "", "")
			if json.Unmarshal(b, &rl); rl.Default != 500 {
				t.Errorf("copy's rate limits %+v, want the snapshot's", rl)
			}
			// Reset returns the copy to its fixture.
			ctlCall(t, c, "POST", s.URL+"/_emulator/orgs/copy/reset", "", "")
			if st, _ := ctlCall(t, c, "GET", s.URL+"/_org/copy/api/v1/users/dana@example.com", tok, ""); st != 404 {
				t.Errorf("copy after reset: dana %d, want 404", st)
			}
		})
	}
}

func TestControlSnapshotErrors(t *testing.T) {
	s := emulatortest.NewServer(t)
	c := s.Client()
	_, snap := ctlCall(t, c, "GET", s.URL+"/_emulator/orgs/default/snapshot", "", "")
	tests := []struct {
		name, method, path, body string
		status                   int
		code                     string
	}{
		{"unknown org", "GET", "/_emulator/orgs/nope/snapshot", "", 404, "E0000007"},
		{"not json", "PUT", "/_emulator/orgs/default/snapshot", "{", 400, "E0000001"},
		{"wrong format", "PUT", "/_emulator/orgs/default/snapshot", strings.Replace(string(snap), "org-snapshot/v1", "org-snapshot/v9", 1), 400, "E0000001"},
		{"unknown key", "PUT", "/_emulator/orgs/default/snapshot", strings.Replace(string(snap), `{"format"`, `{"x":1,"format"`, 1), 400, "E0000001"},
		{"bad state", "PUT", "/_emulator/orgs/default/snapshot", strings.Replace(string(snap), `"state":{"org":{`, `"state":{"org":{"nonsense":1,`, 1), 400, "E0000001"},
		{"engine mismatch", "PUT", "/_emulator/orgs/default/snapshot", strings.Replace(string(snap), `"engine":"classic"`, `"engine":"identity"`, 1), 400, "E0000001"},
		{"bad name", "PUT", "/_emulator/orgs/Bad_Name/snapshot", string(snap), 400, "E0000001"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.method == "PUT" && tt.body == string(snap) && tt.name != "bad name" {
				t.Fatal("the test's edit did not apply")
			}
			st, b := ctlCall(t, c, tt.method, s.URL+tt.path, "", tt.body)
			var e errBody
			_ = json.Unmarshal(b, &e)
			if st != tt.status || e.ErrorCode != tt.code {
				t.Errorf("%d %s, want %d %s (%s)", st, e.ErrorCode, tt.status, tt.code, b)
			}
		})
	}
	// A refused snapshot leaves the org as it was.
	if _, again := ctlCall(t, c, "GET", s.URL+"/_emulator/orgs/default/snapshot", "", ""); !bytes.Equal(snap, again) {
		t.Error("a refused PUT changed the org")
	}
}

func TestSaveAndLoadState(t *testing.T) {
	a, err := emulator.New(emulator.Options{})
	if err != nil {
		t.Fatal(err)
	}
	s := emulatortest.NewServer(t)
	if st, b := ctlCall(t, s.Client(), "POST", s.URL+"/_emulator/orgs", "", `{"name":"acme","engine":"identity"}`); st != 201 {
		t.Fatalf("create org: %d %s", st, b)
	}
	state, err := s.Emulator.SaveState()
	if err != nil {
		t.Fatal(err)
	}
	if err := a.LoadState(state); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(s.Emulator.OrgNames(), a.OrgNames()); diff != "" {
		t.Errorf("orgs (-saved +loaded):\n%s", diff)
	}
	again, err := a.SaveState()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(state, again) {
		t.Error("SaveState(LoadState(s)) differs from s")
	}
	if err := a.LoadState([]byte(`{"format":"oktaemu.state/v1","default":"x","orgs":[]}`)); err == nil {
		t.Error("a state without its default org was loaded")
	}
}

// byteDiff shows where two byte strings first differ.
func byteDiff(a, b []byte) string {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	from := max(0, i-100)
	return fmt.Sprintf("at byte %d:\n  %s\n  %s", i, a[from:min(len(a), i+100)], b[from:min(len(b), i+100)])
}

// ResetOrg rebuilds the org as it was made: byte-identical snapshot, and a
// caller's later change to the Seed value does not leak into the reset.
func TestResetOrgUsesFixtureAsGiven(t *testing.T) {
	fx, err := fixtures.Load(fixtures.Default("identity"))
	if err != nil {
		t.Fatal(err)
	}
	s, err := emulator.New(emulator.Options{Seed: fx, Now: func() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) }})
	if err != nil {
		t.Fatal(err)
	}
	before, err := s.SnapshotOrg("default")
	if err != nil {
		t.Fatal(err)
	}
	fx.Users = append(fx.Users, fixtures.User{Profile: map[string]any{"login": "late@example.com"}})
	fx.Users[0].Profile["firstName"] = "Changed"
	if err := s.ResetOrg("default"); err != nil {
		t.Fatal(err)
	}
	after, err := s.SnapshotOrg("default")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(before, after) {
		t.Errorf("snapshot after reset differs from the first (%d vs %d bytes)", len(before), len(after))
	}
	if got := s.DefaultOrg().Fixture(); len(got.Users) != len(fx.Users)-1 || got.Users[0].Profile["firstName"] == "Changed" {
		t.Errorf("Fixture() reflects the caller's later change: %d users, first %v", len(got.Users), got.Users[0].Profile)
	}
}
