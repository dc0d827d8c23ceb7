package emulator_test

import (
	"net/http/httptest"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/oktaemu/oktaemu/emulator"
)

// TestErrorEnvelope checks the errors every route shares, in both engines:
// unknown routes, wrong methods, missing or wrong SSWS tokens, bad JSON.
// It uses a bare server (not emulatortest) because unknown routes are, by
// design, outside spec/.
func TestErrorEnvelope(t *testing.T) {
	type envelope struct {
		ErrorCode    string `json:"errorCode"`
		ErrorSummary string `json:"errorSummary"`
		ErrorLink    string `json:"errorLink"`
		ErrorID      string `json:"errorId"`
		ErrorCauses  []any  `json:"errorCauses"`
	}
	type want struct {
		Status  int
		Code    string
		Summary string
	}
	for _, eng := range []emulator.Engine{emulator.Classic, emulator.Identity} {
		t.Run(string(eng), func(t *testing.T) {
			e, err := emulator.New(emulator.Options{Engine: eng, APIToken: "00errors-test-token"})
			if err != nil {
				t.Fatal(err)
			}
			hs := httptest.NewServer(e.Handler())
			defer hs.Close()
			const tok = "SSWS 00errors-test-token"
			for _, tc := range []struct {
				name, method, path, auth, body string
				want                           want
			}{
				{"unknown route", "GET", "/api/v1/nosuchthing", tok, "", want{404, "E0000008", "The requested path was not found"}},
				{"unknown route without token", "GET", "/nope", "", "", want{404, "E0000008", "The requested path was not found"}},
				{"wrong method", "PATCH", "/api/v1/users", tok, "", want{405, "E0000022", "The endpoint does not support the provided HTTP method"}},
				{"missing token", "GET", "/api/v1/users", "", "", want{403, "E0000005", "Invalid session"}},
				{"wrong token", "GET", "/api/v1/users", "SSWS 00wrong", "", want{401, "E0000011", "Invalid token provided"}},
				{"malformed JSON", "POST", "/api/v1/users", tok, `{"profile":`, want{400, "E0000003", "The request body was not well-formed."}},
				{"unknown user", "GET", "/api/v1/users/00unope", tok, "", want{404, "E0000007", "Not found: Resource not found: 00unope (User)"}},
			} {
				t.Run(tc.name, func(t *testing.T) {
					var got envelope
					st, h := call(t, hs.Client(), tc.method, hs.URL+tc.path, "", tc.auth, tc.body, &got)
					if diff := cmp.Diff(tc.want, want{st, got.ErrorCode, got.ErrorSummary}); diff != "" {
						t.Errorf("(-want +got):\n%s", diff)
					}
					if got.ErrorID == "" || got.ErrorLink != got.ErrorCode || got.ErrorCauses == nil {
						t.Errorf("envelope incomplete: %+v", got)
					}
					if ct := h.Get("Content-Type"); ct != "application/json" {
						t.Errorf("Content-Type %q", ct)
					}
				})
			}
		})
	}
}
