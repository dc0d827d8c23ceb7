package main

import (
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/oktaemu/oktaemu/emulator"
)

func TestParseWrkRate(t *testing.T) {
	const report = `Running 3s test @ http://127.0.0.1:1/
  2 threads and 32 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     1.10ms    1.72ms  24.76ms   88.28%
    Req/Sec    27.97k     5.37k   48.82k    70.30%
  281290 requests in 5.10s, 405.07MB read
`
	tests := []struct {
		name, out string
		want      float64
		err       string
	}{
		{"clean", report + "Requests/sec:  55132.81\nTransfer/sec:     79.39MB\n", 55132.81, ""},
		{"bad statuses", report + "  Non-2xx or 3xx responses: 12\nRequests/sec:  55132.81\n", 0, "12 answers were not 2xx/3xx"},
		{"socket errors", report + "  Socket errors: connect 0, read 3, write 0, timeout 0\nRequests/sec:  1.00\n", 0, "read 3"},
		{"no rate", "unable to connect to 127.0.0.1:1 Connection refused\n", 0, "no rate"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseWrkRate(tt.out)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want one containing %q", err, tt.err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("parseWrkRate = %v, %v; want %v", got, err, tt.want)
			}
		})
	}
}

func TestWrkSignInResult(t *testing.T) {
	tests := []struct {
		name, out string
		want      wrkResult
		rate      float64
		err       string
	}{
		{"clean", "noise\noktaemu-signins 15000 2000000 0 0\n",
			wrkResult{completed: 15000, seconds: 2}, 7500, ""},
		{"failed calls", "oktaemu-signins 10 1000000 2 0\noktaemu-first-error 401 {\"errorCode\":\"E0000004\"}\n",
			wrkResult{completed: 10, seconds: 1, failed: 2, firstError: `401 {"errorCode":"E0000004"}`}, 0, "2 calls failed, first: 401"},
		{"users ran out", "oktaemu-signins 300 1000000 0 7\n",
			wrkResult{completed: 300, seconds: 1, exhausted: 7}, 0, "users ran out"},
		{"none", "oktaemu-signins 0 1000000 0 0\n", wrkResult{seconds: 1}, 0, "none completed"},
		{"socket errors", "  Socket errors: connect 0, read 0, write 0, timeout 2\noktaemu-signins 10 1000000 0 0\n",
			wrkResult{completed: 10, seconds: 1, failed: 1, firstError: "Socket errors: connect 0, read 0, write 0, timeout 2"}, 0, "1 calls failed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseWrkSignIns(tt.out)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(wrkResult{})); diff != "" {
				t.Fatalf("parsed (-want +got)\n%s", diff)
			}
			rate, err := got.rate(300)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("rate err = %v, want one containing %q", err, tt.err)
				}
				return
			}
			if err != nil || rate != tt.rate {
				t.Fatalf("rate = %v, %v; want %v", rate, err, tt.rate)
			}
		})
	}
	if _, err := parseWrkSignIns("Requests/sec: 1\n"); err == nil {
		t.Error("a report without the script's line parsed")
	}
}

// TestWrkSignInScript runs wrk_signin.lua against an in-process emulator:
// every call of the flow must be answered as the script expects (a
// failed call or a script error fails the test). Skipped without wrk.
func TestWrkSignInScript(t *testing.T) {
	path, err := exec.LookPath("wrk")
	if err != nil {
		t.Skip("wrk is not installed (Debian: apt-get install wrk); the script is not exercised")
	}
	c := config{wrk: path, conns: 8, signins: 400, duration: time.Second}
	fx, err := loadFixture(c.signins)
	if err != nil {
		t.Fatal(err)
	}
	s, err := emulator.New(emulator.Options{Seed: fx, APIToken: loadToken})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := listen(s.Handler())
	if err != nil {
		t.Fatal(err)
	}
	defer srv.close()
	if err := liftLimits(srv.url); err != nil {
		t.Fatal(err)
	}
	r, err := runWrkSignIns(c, srv.url, 0, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	// The users may run out within the second (the rate check's concern,
	// not the script's); the script counts a sign-in when POST
	// /api/v1/sessions answered 200 with an ACTIVE session, and any other
	// answer of the flow as failed.
	if r.failed > 0 || r.completed == 0 {
		t.Fatalf("wrk sign-ins: %+v", r)
	}
}
