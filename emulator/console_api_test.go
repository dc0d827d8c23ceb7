package emulator_test

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/oktaemu/oktaemu/emulator"
	"github.com/oktaemu/oktaemu/emulator/emulatortest"
)

// TestConsoleViews checks the console's read views in both engines: users
// without secrets, MFA_ENROLL policies in both schemas, the request log,
// and the both-engines comparison of a logged request.
func TestConsoleViews(t *testing.T) {
	for _, eng := range []emulator.Engine{emulator.Classic, emulator.Identity} {
		t.Run(string(eng), func(t *testing.T) {
			s := emulatortest.NewServer(t, emulatortest.WithEngine(eng))
			c := s.Client()
			base := s.URL + "/_emulator/orgs/default/console"
			auth := "SSWS " + s.Token

			var users []struct {
				Login       string `json:"login"`
				Enrollments []struct {
					Key string `json:"key"`
				} `json:"enrollments"`
				Status  string   `json:"status"`
				Groups  []string `json:"groups"`
				Factors []struct {
					FactorType string `json:"factorType"`
				} `json:"factors"`
			}
			if st, _ := call(t, c, "GET", base+"/users", "", "", "", &users); st != 200 {
				t.Fatalf("users: %d", st)
			}
			byLogin := map[string][]string{}
			for _, u := range users {
				for _, f := range u.Factors {
					byLogin[u.Login] = append(byLogin[u.Login], f.FactorType)
				}
			}
			if !strings.Contains(strings.Join(byLogin["bob@example.com"], ","), "token:software:totp") {
				t.Errorf("bob's factors: %v", byLogin["bob@example.com"])
			}
			// Authenticator enrollments exist in Identity Engine only.
			for _, u := range users {
				if u.Login != "bob@example.com" {
					continue
				}
				var keys []string
				for _, e := range u.Enrollments {
					keys = append(keys, e.Key)
				}
				if has := slices.Contains(keys, "google_otp"); has != (eng == emulator.Identity) {
					t.Errorf("bob's enrollments in %s: %v", eng, keys)
				}
			}
			var rawUsers json.RawMessage
			call(t, c, "GET", base+"/users", "", "", "", &rawUsers)
			for _, secret := range []string{"Pa55word!Emu", "JBSWY3DPEHPK3PXP", "ultramarine", "brussels sprouts", "rex the dog"} {
				if strings.Contains(string(rawUsers), secret) {
					t.Errorf("users view leaks %q", secret)
				}
			}

			var pols []struct {
				Type                   string         `json:"type"`
				FactorsSettings        map[string]any `json:"factorsSettings"`
				AuthenticatorsSettings map[string]any `json:"authenticatorsSettings"`
			}
			call(t, c, "GET", base+"/policies", "", "", "", &pols)
			found := false
			for _, p := range pols {
				if p.Type == "MFA_ENROLL" {
					found = true
					if p.FactorsSettings["type"] == "AUTHENTICATORS" || p.AuthenticatorsSettings["type"] != "AUTHENTICATORS" {
						t.Errorf("MFA_ENROLL schemas: factors %v, authenticators %v", p.FactorsSettings, p.AuthenticatorsSettings)
					}
				}
			}
			if !found {
				t.Error("no MFA_ENROLL policy listed")
			}

			// Two Okta calls, then the log lists them newest first.
			call(t, c, "GET", s.URL+"/api/v1/users/bob@example.com/factors", "", auth, "", nil)
			call(t, c, "GET", s.URL+"/api/v1/users/nobody@example.com", "", auth, "", nil)
			type logged struct {
				ID        int    `json:"id"`
				Method    string `json:"method"`
				Path      string `json:"path"`
				Status    int    `json:"status"`
				ErrorCode string `json:"errorCode"`
			}
			var log []logged
			call(t, c, "GET", base+"/requests", "", "", "", &log)
			if len(log) < 2 {
				t.Fatalf("request log: %v", log)
			}
			got := []logged{log[0], log[1]}
			want := []logged{
				{ID: log[0].ID, Method: "GET", Path: "/api/v1/users/nobody@example.com", Status: 404, ErrorCode: "E0000007"},
				{ID: log[0].ID - 1, Method: "GET", Path: "/api/v1/users/bob@example.com/factors", Status: 200},
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("request log (-want +got):\n%s", diff)
			}

			// The factors list differs between the engines (Identity Engine
			// lists the verified primary email): the comparison says so.
			var cmpBody struct {
				Classic     struct{ Status int } `json:"classic"`
				Identity    struct{ Status int } `json:"identity"`
				Differences []string             `json:"differences"`
			}
			if st, _ := call(t, c, "POST", base+"/requests/"+strconv.Itoa(log[1].ID)+"/compare", "", "", "", &cmpBody); st != 200 {
				t.Fatalf("compare: %d", st)
			}
			if cmpBody.Classic.Status != 200 || cmpBody.Identity.Status != 200 || len(cmpBody.Differences) != 1 ||
				!strings.Contains(cmpBody.Differences[0], "engines.md #2") {
				t.Errorf("compare: want one difference, engines.md row 2; got %+v", cmpBody)
			}
			if st, _ := call(t, c, "POST", base+"/requests/999999/compare", "", "", "", nil); st != 404 {
				t.Errorf("compare of an unknown request: %d, want 404", st)
			}
		})
	}
}
