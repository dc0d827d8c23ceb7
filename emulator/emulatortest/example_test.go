package emulatortest_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/oktaemu/oktaemu/emulator"
	"github.com/oktaemu/oktaemu/emulator/emulatortest"
)

// TestInProcessExample is what a test in your own module looks like: the
// server lives for the test (t.Cleanup closes it); s.URL, s.Token and
// s.Client() call it like Okta; s.Org() drives its clock and reads what it
// "sent".
func TestInProcessExample(t *testing.T) {
	for _, eng := range emulator.Engines() {
		t.Run(string(eng), func(t *testing.T) {
			s := emulatortest.NewServer(t, emulatortest.WithEngine(eng))

			req, _ := http.NewRequest(http.MethodPost, s.URL+"/api/v1/users/erin@example.com/lifecycle/activate?sendEmail=true", nil)
			req.Header.Set("Authorization", "SSWS "+s.Token)
			req.Header.Set("Accept", "application/json")
			resp, err := s.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("activate erin: %s", resp.Status)
			}

			// The activation email is in the outbox, dated by the org's clock.
			msgs := s.Org().Outbox("00uerin0000000000000")
			if len(msgs) != 1 || msgs[0].Kind != "activation" || msgs[0].Token == "" {
				t.Fatalf("outbox: %+v", msgs)
			}
			before := s.Org().Now()
			s.Org().Advance(8 * 24 * time.Hour) // past the 7-day activation link
			if got := s.Org().Now().Sub(before); got < 8*24*time.Hour {
				t.Errorf("clock moved %s, want 8 days", got)
			}
		})
	}
}
