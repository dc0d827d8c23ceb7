package emulator_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/oktaemu/oktaemu/emulator"
	"github.com/oktaemu/oktaemu/emulator/emulatortest"
)

type ctlPush struct {
	ID, UserID, FactorID, Result, ExpiresAt string
	CorrectAnswer                           int
}

// ctlStartPush sends carol's Okta Verify a push through the Factors API and
// returns it as the control plane lists it.
func ctlStartPush(t *testing.T, s *emulatortest.Server, numberChallenge bool) ctlPush {
	t.Helper()
	body := `{}`
	if numberChallenge {
		body = `{"useNumberMatchingChallenge":true}`
	}
	st, b := ctlCall(t, s.Client(), "POST", s.URL+"/api/v1/users/00ucarol000000000000/factors/opfcarol000000000000/verify", "SSWS "+s.Token, body)
	if st != 201 {
		t.Fatalf("push verify: %d %s", st, b)
	}
	var pushes []ctlPush
	st, b = ctlCall(t, s.Client(), "GET", s.URL+"/_emulator/orgs/default/pushes?login=carol@example.com", "", "")
	if st != 200 || json.Unmarshal(b, &pushes) != nil || len(pushes) == 0 {
		t.Fatalf("pending pushes: %d %s", st, b)
	}
	p := pushes[len(pushes)-1]
	if p.Result != "WAITING" || p.UserID != "00ucarol000000000000" || p.FactorID != "opfcarol000000000000" {
		t.Fatalf("pending push %+v", p)
	}
	if got := p.CorrectAnswer != 0; got != numberChallenge {
		t.Fatalf("correctAnswer %d with number challenge %v", p.CorrectAnswer, numberChallenge)
	}
	return p
}

// ctlPollPush reads the push's result through the Factors API, as a client
// would.
func ctlPollPush(t *testing.T, s *emulatortest.Server, id string) string {
	t.Helper()
	st, b := ctlCall(t, s.Client(), "GET", s.URL+"/api/v1/users/00ucarol000000000000/factors/opfcarol000000000000/transactions/"+id, "SSWS "+s.Token, "")
	var r struct{ FactorResult string }
	if json.Unmarshal(b, &r); r.FactorResult == "" {
		t.Fatalf("poll: %d %s", st, b)
	}
	return r.FactorResult
}

func TestControlPushes(t *testing.T) {
	for _, eng := range emulator.Engines() {
		t.Run("engine="+string(eng), func(t *testing.T) {
			tests := []struct {
				name            string
				numberChallenge bool
				action          string
				answer          func(correct int) int
				want            string
			}{
				{name: "approve", action: "approve", want: "SUCCESS"},
				{name: "approve with the right number", numberChallenge: true, action: "approve", answer: func(n int) int { return n }, want: "SUCCESS"},
				{name: "approve with a wrong number", numberChallenge: true, action: "approve", answer: func(n int) int { return n%99 + 1 }, want: "REJECTED"},
				{name: "reject", action: "reject", want: "REJECTED"},
				{name: "expire", action: "expire", want: "TIMEOUT"},
			}
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					s := emulatortest.NewServer(t, emulatortest.WithEngine(eng))
					p := ctlStartPush(t, s, tt.numberChallenge)
					body := ""
					if tt.answer != nil {
						b, _ := json.Marshal(map[string]int{"answer": tt.answer(p.CorrectAnswer)})
						body = string(b)
					}
					st, b := ctlCall(t, s.Client(), "POST", s.URL+"/_emulator/orgs/default/pushes/"+p.ID+"/"+tt.action, "", body)
					var got ctlPush
					if st != 200 || json.Unmarshal(b, &got) != nil {
						t.Fatalf("%s: %d %s", tt.action, st, b)
					}
					if got.Result != tt.want {
						t.Errorf("%s answered %s, want %s", tt.action, got.Result, tt.want)
					}
					if r := ctlPollPush(t, s, p.ID); r != tt.want {
						t.Errorf("Factors API poll: %s, want %s", r, tt.want)
					}
					// Answered or expired, it is no longer pending.
					var pending []ctlPush
					_, b = ctlCall(t, s.Client(), "GET", s.URL+"/_emulator/orgs/default/pushes", "", "")
					if json.Unmarshal(b, &pending); len(pending) != 0 {
						t.Errorf("still pending: %+v", pending)
					}
					// The test server's clock runs: after expire it stands at
					// or just past the push's expiry, well before another
					// push lifetime.
					exp, _ := time.Parse(time.RFC3339, p.ExpiresAt)
					if now := s.Org().Now(); tt.action == "expire" && (now.Before(exp) || now.After(exp.Add(time.Minute))) {
						t.Errorf("clock %s after expire, want the push's expiry %s", now, p.ExpiresAt)
					}
				})
			}
		})
	}
}

func TestControlPushErrors(t *testing.T) {
	s := emulatortest.NewServer(t)
	for _, action := range []string{"approve", "reject", "expire"} {
		var e errBody
		st, b := ctlCall(t, s.Client(), "POST", s.URL+"/_emulator/orgs/default/pushes/v2mst.nope/"+action, "", "")
		if json.Unmarshal(b, &e); st != 404 || e.ErrorCode != "E0000007" {
			t.Errorf("%s unknown push: %d %s, want 404 E0000007", action, st, b)
		}
	}
	if st, _ := ctlCall(t, s.Client(), "GET", s.URL+"/_emulator/orgs/default/pushes?login=nobody@example.com", "", ""); st != 404 {
		t.Errorf("pushes of an unknown user: %d, want 404", st)
	}
	if st, _ := ctlCall(t, s.Client(), "POST", s.URL+"/_emulator/orgs/default/pushes/x/approve", "", `{"answer":"x"}`); st != 400 {
		t.Errorf("answer of the wrong type: %d, want 400", st)
	}
}

func TestControlActivateOktaVerify(t *testing.T) {
	for _, eng := range emulator.Engines() {
		t.Run("engine="+string(eng), func(t *testing.T) {
			s := emulatortest.NewServer(t, emulatortest.WithEngine(eng))
			c := s.Client()
			tok := "SSWS " + s.Token
			st, b := ctlCall(t, c, "POST", s.URL+"/api/v1/users/00ualice000000000000/factors", tok, `{"factorType":"push","provider":"OKTA"}`)
			var f struct {
				ID, Status string
				Embedded   struct {
					Activation struct {
						Links struct {
							Qrcode struct{ Href string }
						} `json:"_links"`
					}
				} `json:"_embedded"`
			}
			if st != 200 || json.Unmarshal(b, &f) != nil || f.Status != "PENDING_ACTIVATION" {
				t.Fatalf("enroll push: %d %s", st, b)
			}
			var e errBody
			st, b = ctlCall(t, c, "POST", s.URL+"/_emulator/orgs/default/okta-verify/activate", "", `{}`)
			if json.Unmarshal(b, &e); st != 400 || e.ErrorCode != "E0000001" {
				t.Errorf("activate naming nothing: %d %s", st, b)
			}
			st, b = ctlCall(t, c, "POST", s.URL+"/_emulator/orgs/default/okta-verify/activate", "", `{"token":"not-the-qr-token"}`)
			if st/100 != 4 {
				t.Errorf("activate with a wrong token: %d %s, want 4xx", st, b)
			}
			body := `{"userId":"alice@example.com","factorId":"` + f.ID + `","device":{"name":"Alice's Pixel","platform":"ANDROID"}}`
			st, b = ctlCall(t, c, "POST", s.URL+"/_emulator/orgs/default/okta-verify/activate", "", body)
			var got struct {
				ID, Status, FactorType string
				Profile                map[string]any
			}
			if st != 200 || json.Unmarshal(b, &got) != nil {
				t.Fatalf("activate: %d %s", st, b)
			}
			want := struct {
				ID, Status, FactorType string
				Profile                map[string]any
			}{ID: f.ID, Status: "ACTIVE", FactorType: "push", Profile: map[string]any{"name": "Alice's Pixel", "platform": "ANDROID",
				"credentialId": "alice@example.com", "deviceType": "SmartPhone_IPhone", "version": "17.4"}}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("activated factor (-want +got):\n%s", diff)
			}
			var api struct{ Status string }
			_, b = ctlCall(t, c, "GET", s.URL+"/api/v1/users/00ualice000000000000/factors/"+f.ID, tok, "")
			if json.Unmarshal(b, &api); api.Status != "ACTIVE" {
				t.Errorf("Factors API says %s after activation, want ACTIVE", api.Status)
			}
			st, _ = ctlCall(t, c, "POST", s.URL+"/_emulator/orgs/default/okta-verify/activate", "", body)
			if st != 400 {
				t.Errorf("activating twice: %d, want 400", st)
			}
		})
	}
}

func TestControlAddOktaVerify(t *testing.T) {
	tests := []struct {
		engine     emulator.Engine
		wantStatus int
	}{
		{emulator.Classic, 400},
		{emulator.Identity, 201},
	}
	for _, tt := range tests {
		t.Run("engine="+string(tt.engine), func(t *testing.T) {
			s := emulatortest.NewServer(t, emulatortest.WithEngine(tt.engine))
			st, b := ctlCall(t, s.Client(), "POST", s.URL+"/_emulator/orgs/default/users/carol@example.com/okta-verify", "", `{"device":{"name":"Second phone"}}`)
			if st != tt.wantStatus {
				t.Fatalf("add Okta Verify: %d %s, want %d", st, b, tt.wantStatus)
			}
			if st != 201 {
				return
			}
			var enr struct {
				ID, Secret string
				Factors    []struct{ ID, FactorType, Status string }
			}
			if err := json.Unmarshal(b, &enr); err != nil {
				t.Fatal(err)
			}
			var types []string
			for _, f := range enr.Factors {
				types = append(types, f.FactorType+":"+f.Status)
			}
			if diff := cmp.Diff([]string{"push:ACTIVE", "token:software:totp:ACTIVE", "signed_nonce:ACTIVE"}, types); diff != "" || enr.Secret == "" {
				t.Errorf("enrollment (-want +got):\n%s secret %q", diff, enr.Secret)
			}
			// The new push factor receives pushes: the user now has two phones.
			st, b = ctlCall(t, s.Client(), "POST", s.URL+"/api/v1/users/00ucarol000000000000/factors/"+enr.Factors[0].ID+"/verify", "SSWS "+s.Token, `{}`)
			if st != 201 {
				t.Errorf("push to the second Okta Verify: %d %s", st, b)
			}
			if st, _ := ctlCall(t, s.Client(), "POST", s.URL+"/_emulator/orgs/default/users/nobody@example.com/okta-verify", "", `{}`); st != 404 {
				t.Errorf("unknown user: %d, want 404", st)
			}
		})
	}
}
