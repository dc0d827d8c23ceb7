package main

import (
	"fmt"
	"net/http"
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestMain lets the test binary serve as the baseline, as the load command
// re-executes itself (startBare).
func TestMain(m *testing.M) {
	if os.Getenv(bareModeEnv) != "" {
		if err := serveBare(); err != nil {
			fmt.Fprintln(os.Stderr, "bare:", err)
			os.Exit(1)
		}
		return
	}
	os.Exit(m.Run())
}

// The baseline answers the bytes it was given: the body, and the header
// but for Date (net/http writes its own); in authn mode only to a body
// that decodes.
func TestBareAnswersTheSameBytes(t *testing.T) {
	body := []byte(`{"status":"SUCCESS","sessionToken":"20111abc"}`)
	header := http.Header{
		"Content-Type":       {"application/json"},
		"Content-Length":     {fmt.Sprint(len(body))},
		"Date":               {"Fri, 04 Dec 2026 16:00:35 GMT"},
		"X-Okta-Request-Id":  {"reqAbC"},
		"X-Rate-Limit-Limit": {"600"},
		"Set-Cookie":         {"DT=abc; Path=/; HttpOnly; SameSite=None"},
	}
	for _, mode := range []string{"bytes", "authn"} {
		t.Run(mode, func(t *testing.T) {
			bare, err := startBare(mode, body, header)
			if err != nil {
				t.Fatal(err)
			}
			defer bare.close()
			st, got, gotHdr, err := exchange(bare.url, "POST", "/api/v1/authn", `{"username":"a","password":"b"}`)
			if err != nil || st != http.StatusOK {
				t.Fatalf("%d %s %v", st, got, err)
			}
			if diff := cmp.Diff(string(body), string(got)); diff != "" {
				t.Errorf("body (-want +got):\n%s", diff)
			}
			if gotHdr.Get("Date") == "" || gotHdr.Get("Date") == header.Get("Date") {
				t.Errorf("Date %q: want net/http's own", gotHdr.Get("Date"))
			}
			want := header.Clone()
			want.Del("Date")
			gotHdr.Del("Date")
			if diff := cmp.Diff(want, gotHdr); diff != "" {
				t.Errorf("header (-want +got):\n%s", diff)
			}
			if mode == "authn" {
				if st, b, _, _ := exchange(bare.url, "POST", "/api/v1/authn", `{"password":"b"}`); st != http.StatusBadRequest {
					t.Errorf("no username: %d %s, want 400", st, b)
				}
			}
		})
	}
}
