package emulatortest

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/oktaemu/oktaemu/emulator"
)

// recordingTB captures the failures the validator reports.
type recordingTB struct {
	testing.TB
	mu     sync.Mutex
	errors []string
}

func (r *recordingTB) Helper() {}

func (r *recordingTB) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}

func (r *recordingTB) Fatalf(format string, args ...any) { r.Errorf(format, args...) }

const (
	validUser = `{"id":"00u1234567890abcdefg","status":"ACTIVE","created":"2026-01-01T00:00:00.000Z",` +
		`"activated":null,"statusChanged":null,"lastLogin":null,"lastUpdated":"2026-01-01T00:00:00.000Z",` +
		`"passwordChanged":null,"type":{"id":"oty1"},"profile":{"login":"a@example.com","email":"a@example.com"},` +
		`"credentials":{"provider":{"type":"OKTA","name":"OKTA"}},"_links":{"self":{"href":"http://x/api/v1/users/00u1234567890abcdefg"}}}`
	validError = `{"errorCode":"E0000007","errorSummary":"Not found: x","errorLink":"E0000007",` +
		`"errorId":"oae1234567890123456789012","errorCauses":[]}`
)

// fake answers every request with a fixed status, headers and body.
func fake(status int, body string, headers ...string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Okta-Request-Id", "req1")
		for i := 0; i+1 < len(headers); i += 2 {
			if headers[i+1] == "" {
				h.Del(headers[i])
			} else {
				h.Set(headers[i], headers[i+1])
			}
		}
		if body != "" && h.Get("Content-Type") == "" {
			h.Set("Content-Type", "application/json")
		}
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	})
}

func TestValidatorReports(t *testing.T) {
	tests := []struct {
		name    string
		cfg     validation
		handler http.Handler
		method  string
		path    string
		want    []string // substrings, one per expected failure; none when valid
	}{
		{"valid user", validation{}, fake(200, validUser), "GET", "/api/v1/users/00u1", nil},
		{"valid user through an org prefix", validation{}, fake(200, validUser), "GET", "/_org/acme/api/v1/users/00u1", nil},
		{"extra field", validation{}, fake(200, strings.Replace(validUser, `"id"`, `"extra":1,"id"`, 1)), "GET", "/api/v1/users/00u1",
			[]string{`GET /api/v1/users/00u1 -> 200: GET /api/v1/users/{userId} (users.yaml): response body doesn't match schema`}},
		{"bad id pattern", validation{}, fake(200, strings.Replace(validUser, `00u1234567890abcdefg"`, `x"`, 1)), "GET", "/api/v1/users/00u1",
			[]string{"/id: string doesn't match the regular expression"}},
		{"wrong content type", validation{}, fake(200, validUser, "Content-Type", "text/plain"), "GET", "/api/v1/users/00u1",
			[]string{`header Content-Type has unexpected value: "text/plain"`}},
		{"no request id", validation{}, fake(200, validUser, "X-Okta-Request-Id", ""), "GET", "/api/v1/users/00u1",
			[]string{"no X-Okta-Request-Id header"}},
		{"declared error", validation{}, fake(404, validError), "GET", "/api/v1/users/00u1", nil},
		{"malformed error", validation{}, fake(404, `{"errorCode":"E7"}`), "GET", "/api/v1/users/00u1",
			[]string{"-> 404: GET /api/v1/users/{userId} (users.yaml): response body doesn't match schema"}},
		{"universal 401", validation{}, fake(401, validError), "GET", "/api/v1/users/00u1", nil},
		{"universal 429 must be an error object", validation{}, fake(429, `{}`), "GET", "/api/v1/users/00u1",
			[]string{"not an Okta error object"}},
		{"undeclared status", validation{}, fake(418, validError), "GET", "/api/v1/users/00u1",
			[]string{"status 418 is not among the responses of GET /api/v1/users/{userId} in users.yaml"}},
		{"body on a bodyless status", validation{}, fake(204, `{}`), "DELETE", "/api/v1/users/00u1",
			[]string{"the spec declares no body for this status, but one was sent"}},
		{"no body where one is declared", validation{}, fake(200, ""), "GET", "/api/v1/users/00u1",
			[]string{"the spec declares a body for this status, but none was sent"}},
		{"unknown route", validation{}, fake(404, validError), "GET", "/api/v1/nope",
			[]string{"GET /api/v1/nope is not in spec/openapi (no matching operation was found)"}},
		{"unknown method", validation{}, fake(405, validError), "PATCH", "/api/v1/users/00u1",
			[]string{"PATCH /api/v1/users/00u1 is not in spec/openapi (method not allowed)"}},
		{"unknown route allowed", validation{allowUnspecified: true}, fake(404, validError), "GET", "/api/v1/nope", nil},
		{"unknown route must still be a 4xx", validation{allowUnspecified: true}, fake(200, `{}`), "GET", "/api/v1/nope",
			[]string{"a route not in the spec must answer 4xx, got 200"}},
		{"unknown route must still be an error object", validation{allowUnspecified: true}, fake(404, `<html>`, "Content-Type", "text/html"), "GET", "/api/v1/nope",
			[]string{`an error must be application/json, got "text/html"`, "an error body must be JSON"}},
		{"a described path the engine does not serve", validation{}, fake(404, strings.ReplaceAll(validError, "E0000007", "E0000008")), "POST", "/idp/idx/introspect", nil},
		{"request validation off", validation{}, fake(200, validUser), "POST", "/api/v1/users?activate=maybe", nil},
		{"request validation on", validation{requests: true}, fake(200, validUser), "POST", "/api/v1/users?activate=maybe",
			[]string{"request: "}},
		{"control plane needs no request id", validation{}, fake(200, `{"status":"ok","orgs":1}`, "X-Okta-Request-Id", ""), "GET", "/_emulator/health", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &recordingTB{TB: t}
			v, err := newValidator(rec, tt.handler, tt.cfg)
			if err != nil {
				t.Fatal(err)
			}
			body := io.Reader(nil)
			if tt.method == "POST" {
				body = strings.NewReader(`{"profile":{}}`)
			}
			req := httptest.NewRequest(tt.method, tt.path, body)
			req.Header.Set("Content-Type", "application/json")
			v.ServeHTTP(httptest.NewRecorder(), req)
			if len(rec.errors) != len(tt.want) {
				t.Fatalf("got %d failures, want %d:\n%s", len(rec.errors), len(tt.want), strings.Join(rec.errors, "\n"))
			}
			for i, w := range tt.want {
				if !strings.Contains(rec.errors[i], w) {
					t.Errorf("failure %d = %q\nwant it to contain %q", i, rec.errors[i], w)
				}
			}
		})
	}
}

// TestValidatorPassesResponsesThrough: the client sees exactly what the
// handler wrote.
func TestValidatorPassesResponsesThrough(t *testing.T) {
	rec := &recordingTB{TB: t}
	v, err := newValidator(rec, fake(404, validError, "X-Extra", "1"), validation{})
	if err != nil {
		t.Fatal(err)
	}
	w := httptest.NewRecorder()
	v.ServeHTTP(w, httptest.NewRequest("GET", "/api/v1/users/00u1", nil))
	got := []string{fmt.Sprint(w.Code), w.Header().Get("X-Extra"), w.Body.String()}
	if diff := cmp.Diff([]string{"404", "1", validError}, got); diff != "" {
		t.Errorf("response (-want +got):\n%s", diff)
	}
	if len(rec.errors) != 0 {
		t.Errorf("unexpected failures: %v", rec.errors)
	}
}

// TestServerValidatesConcurrently drives a real server from many
// goroutines (run with -race): the validator shares the spec read-only.
func TestServerValidatesConcurrently(t *testing.T) {
	for _, e := range emulator.Engines() {
		t.Run(string(e), func(t *testing.T) {
			s := NewServer(t, WithEngine(e))
			var wg sync.WaitGroup
			for i := range 16 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					paths := []string{"/api/v1/users", "/api/v1/groups", "/api/v1/users/alice@example.com", "/.well-known/okta-organization", "/api/v1/users/00unope"}
					for _, p := range paths {
						req, _ := http.NewRequest("GET", s.URL+p, nil)
						if i%2 == 0 {
							req.Header.Set("Authorization", "SSWS "+s.Token)
						}
						resp, err := s.Client().Do(req)
						if err != nil {
							t.Error(err)
							return
						}
						_, _ = io.Copy(io.Discard, resp.Body)
						resp.Body.Close()
					}
				}()
			}
			wg.Wait()
		})
	}
}
