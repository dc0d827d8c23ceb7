package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// clearEnv unsets every OKTAEMU_* variable the commands read, so the
// developer's shell cannot leak into a test.
func clearEnv(t *testing.T) {
	t.Helper()
	for _, v := range serveEnv {
		t.Setenv(v.key, "")
	}
	t.Setenv("OKTAEMU_URL", "")
}

// logLines is a concurrency-safe writer collecting JSON log records and
// passing each on to records.
type logLines struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	lines   []string
	records chan map[string]any
}

func newLogLines() *logLines { return &logLines{records: make(chan map[string]any, 1000)} }

// waitFor returns the next record with message msg.
func (l *logLines) waitFor(msg string) map[string]any {
	for rec := range l.records {
		if rec["msg"] == msg {
			return rec
		}
	}
	return nil
}

func (l *logLines) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.buf.Write(p)
	for {
		line, err := l.buf.ReadString('\n')
		if err != nil {
			l.buf.WriteString(line) // incomplete; keep for the next Write
			return len(p), nil
		}
		l.lines = append(l.lines, line)
		var rec map[string]any
		if json.Unmarshal([]byte(line), &rec) == nil {
			l.records <- rec
		}
	}
}

func (l *logLines) all() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.lines...)
}

// startServe runs `oktaemu serve args...` in-process on 127.0.0.1:0 and
// returns the startup log record, a func that stops the server and returns
// run's error, and the log.
func startServe(t *testing.T, args ...string) (startup map[string]any, stop func() error, logs *logLines) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	logs = newLogLines()
	done := make(chan error, 1)
	args = append([]string{"serve", "--addr", "127.0.0.1:0", "--log-format", "json"}, args...)
	go func() { done <- run(ctx, args, strings.NewReader(""), io.Discard, logs) }()
	started := make(chan map[string]any, 1)
	go func() { started <- logs.waitFor("oktaemu serving") }()
	select {
	case startup = <-started:
	case err := <-done:
		cancel()
		t.Fatalf("serve exited before starting: %v\nlog:\n%s", err, strings.Join(logs.all(), ""))
	}
	var once sync.Once
	var err error
	stop = func() error {
		once.Do(func() { cancel(); err = <-done })
		return err
	}
	t.Cleanup(func() { _ = stop() })
	return startup, stop, logs
}

func get(t *testing.T, url, token string, out any) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "SSWS "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if out != nil {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			t.Fatalf("GET %s: %v", url, err)
		}
	}
	return resp.StatusCode
}

func TestServe(t *testing.T) {
	tests := []struct {
		engine       string
		wantToken    string
		wantPipeline string
	}{
		{engine: "classic", wantToken: "00oktaemu-classic-default-api-token", wantPipeline: "v1"},
		{engine: "identity", wantToken: "00oktaemu-identity-default-api-token", wantPipeline: "idx"},
	}
	for _, tt := range tests {
		t.Run("engine="+tt.engine, func(t *testing.T) {
			clearEnv(t)
			startup, stop, logs := startServe(t, "--engine", tt.engine, "--log-level", "debug")
			url, _ := startup["url"].(string)
			if !strings.HasPrefix(url, "http://127.0.0.1:") || strings.HasSuffix(url, ":0") {
				t.Fatalf("startup url = %q, want the bound 127.0.0.1 address", url)
			}
			got := map[string]any{"engine": startup["engine"], "org": startup["org"], "fixture": startup["fixture"], "token": startup["token"]}
			want := map[string]any{"engine": tt.engine, "org": "default", "fixture": tt.engine + "-default", "token": tt.wantToken}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("startup log (-want +got):\n%s", diff)
			}

			var out bytes.Buffer
			if err := run(context.Background(), []string{"health", "--url", url}, nil, &out, io.Discard); err != nil {
				t.Fatalf("health: %v", err)
			}
			var meta struct{ Pipeline string }
			if st := get(t, url+"/.well-known/okta-organization", "", &meta); st != http.StatusOK || meta.Pipeline != tt.wantPipeline {
				t.Errorf("well-known: status %d pipeline %q, want 200 %q", st, meta.Pipeline, tt.wantPipeline)
			}
			var users []struct{ ID string }
			if st := get(t, url+"/api/v1/users", tt.wantToken, &users); st != http.StatusOK || len(users) == 0 {
				t.Errorf("GET /api/v1/users: status %d, %d users; want 200 and the fixture's users", st, len(users))
			}
			if st := get(t, url+"/api/v1/users", "", nil); st != http.StatusForbidden {
				t.Errorf("GET /api/v1/users without a token: status %d, want 403", st)
			}

			if err := stop(); err != nil {
				t.Fatalf("run returned %v after cancel, want nil (clean shutdown)", err)
			}
			if _, err := net.DialTimeout("tcp", strings.TrimPrefix(url, "http://"), time.Second); err == nil {
				t.Error("still listening after shutdown")
			}
			lines := logs.all()
			if last := lines[len(lines)-1]; !strings.Contains(last, `"msg":"stopped"`) {
				t.Errorf("last log line = %s, want stopped", last)
			}
			requests := 0
			for _, l := range lines {
				if strings.Contains(l, `"msg":"request"`) {
					requests++
				}
				if strings.Contains(l, tt.wantToken) && !strings.Contains(l, `"msg":"oktaemu serving"`) {
					t.Errorf("token value logged outside the startup line: %s", l)
				}
			}
			if requests < 4 {
				t.Errorf("%d request log lines at --log-level debug, want at least 4", requests)
			}
		})
	}
}

// TestServeShutdownWaitsForInFlight holds a request in its handler, stops
// the server, and checks that the request still completes and run returns
// cleanly.
func TestServeShutdownWaitsForInFlight(t *testing.T) {
	clearEnv(t)
	entered, release := make(chan struct{}), make(chan struct{})
	wrapForTest = func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path != "/_test/slow" {
				next.ServeHTTP(w, r)
				return
			}
			close(entered)
			<-release
			io.WriteString(w, "finished")
		})
	}
	t.Cleanup(func() { wrapForTest = nil })
	startup, stop, logs := startServe(t)
	url := startup["url"].(string)

	type result struct {
		status int
		body   string
		err    error
	}
	got := make(chan result, 1)
	go func() {
		resp, err := http.Get(url + "/_test/slow")
		if err != nil {
			got <- result{err: err}
			return
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		got <- result{status: resp.StatusCode, body: string(b), err: err}
	}()
	<-entered
	stopped := make(chan error, 1)
	go func() { stopped <- stop() }()
	logs.waitFor("shutting down")
	close(release)

	if r := <-got; r.err != nil || r.status != http.StatusOK || r.body != "finished" {
		t.Errorf("in-flight request: status %d body %q err %v; want 200 finished", r.status, r.body, r.err)
	}
	if err := <-stopped; err != nil {
		t.Errorf("run returned %v, want nil", err)
	}
}

func TestServeAPIToken(t *testing.T) {
	clearEnv(t)
	t.Setenv("OKTAEMU_API_TOKEN", "00from-env")
	startup, _, _ := startServe(t, "--api-token", "00from-flag")
	url := startup["url"].(string)
	if startup["token"] != "00from-flag" {
		t.Errorf("startup token = %v, want the --api-token", startup["token"])
	}
	for token, want := range map[string]int{"00from-flag": 200, "00from-env": 401, "00oktaemu-classic-default-api-token": 200} {
		if st := get(t, url+"/api/v1/users", token, nil); st != want {
			t.Errorf("token %s: status %d, want %d", token, st, want)
		}
	}
}

func TestServeFlagsAndEnv(t *testing.T) {
	type resolved struct {
		Addr, Engine, Fixture, Org, APIToken, AdminToken, LogLevel, LogFormat string
		ShutdownTimeout                                                       time.Duration
	}
	defaults := resolved{Addr: "127.0.0.1:8080", Org: "default", LogLevel: "INFO", LogFormat: "text", ShutdownTimeout: 10 * time.Second}
	fullEnv := map[string]string{
		"OKTAEMU_ADDR": "0.0.0.0:9000", "OKTAEMU_ENGINE": "identity", "OKTAEMU_FIXTURE": "identity-default",
		"OKTAEMU_ORG": "acme", "OKTAEMU_API_TOKEN": "00env", "OKTAEMU_ADMIN_TOKEN": "admin-env",
		"OKTAEMU_LOG_LEVEL": "debug", "OKTAEMU_LOG_FORMAT": "json", "OKTAEMU_SHUTDOWN_TIMEOUT": "3s",
	}
	fromEnv := resolved{Addr: "0.0.0.0:9000", Engine: "identity", Fixture: "identity-default", Org: "acme",
		APIToken: "00env", AdminToken: "admin-env", LogLevel: "DEBUG", LogFormat: "json", ShutdownTimeout: 3 * time.Second}
	tests := []struct {
		name string
		env  map[string]string
		args []string
		want resolved
	}{
		{name: "case=defaults", want: defaults},
		{name: "case=env", env: fullEnv, want: fromEnv},
		{name: "case=flags-beat-env", env: fullEnv,
			args: []string{"--addr", "127.0.0.1:0", "--engine", "CLASSIC", "--fixture", "classic-default", "--org", "o2",
				"--api-token", "00flag", "--admin-token", "admin-flag", "--log-level", "warn", "--log-format", "text",
				"--shutdown-timeout", "1m"},
			want: resolved{Addr: "127.0.0.1:0", Engine: "classic", Fixture: "classic-default", Org: "o2", APIToken: "00flag",
				AdminToken: "admin-flag", LogLevel: "WARN", LogFormat: "text", ShutdownTimeout: time.Minute}},
		{name: "case=one-flag-rest-env", env: fullEnv, args: []string{"-engine=classic", "-fixture=classic-default"},
			want: func() resolved { r := fromEnv; r.Engine, r.Fixture = "classic", "classic-default"; return r }()},
		{name: "case=empty-env-is-unset", env: map[string]string{"OKTAEMU_ADDR": "", "OKTAEMU_ENGINE": ""}, want: defaults},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clearEnv(t)
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			c, err := parseServe(tt.args, io.Discard)
			if err != nil {
				t.Fatal(err)
			}
			got := resolved{Addr: c.addr, Engine: c.engine.String(), Fixture: c.fixture, Org: c.org, APIToken: c.apiToken,
				AdminToken: c.adminToken, LogLevel: c.logLevel.String(), LogFormat: c.logFormat.String(), ShutdownTimeout: c.shutdownTimeout}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("resolved configuration (-want +got):\n%s", diff)
			}
		})
	}
}

// freeAddr returns a 127.0.0.1 address nothing listens on.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

func TestExitCodes(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	dir := t.TempDir()
	badFixture := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(badFixture, []byte("name: bad\nusers:\n  - profile: {login: a@example.com}\n    pasword: x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	goodFixture := filepath.Join("..", "..", "fixtures", "classic-default.yaml")

	tests := []struct {
		name       string
		env        map[string]string
		args       []string
		wantCode   int
		wantStderr string // substring of what report prints
		wantStdout string // substring
	}{
		{name: "case=no-args", args: nil, wantCode: 2, wantStderr: "no command given"},
		{name: "case=unknown-command", args: []string{"frobnicate"}, wantCode: 2, wantStderr: `unknown command "frobnicate"`},
		{name: "case=help", args: []string{"help"}, wantCode: 0, wantStdout: "Commands:"},
		{name: "case=dash-h", args: []string{"-h"}, wantCode: 0, wantStdout: "oktaemu help serve"},
		{name: "case=help-serve", args: []string{"help", "serve"}, wantCode: 0, wantStdout: "[$OKTAEMU_ADDR]"},
		{name: "case=serve-dash-h", args: []string{"serve", "--help"}, wantCode: 0, wantStdout: "--engine engine"},
		{name: "case=help-unknown", args: []string{"help", "nope"}, wantCode: 2, wantStderr: `unknown command "nope"`},
		{name: "case=version", args: []string{"version"}, wantCode: 0, wantStdout: "oktaemu "},
		{name: "case=unknown-flag", args: []string{"serve", "--bogus"}, wantCode: 2, wantStderr: "flag provided but not defined: -bogus"},
		{name: "case=unknown-engine", args: []string{"serve", "--engine", "legacy"}, wantCode: 2,
			wantStderr: `unknown engine "legacy" (want classic or identity)`},
		{name: "case=unknown-engine-env", env: map[string]string{"OKTAEMU_ENGINE": "legacy"}, args: []string{"serve"}, wantCode: 2,
			wantStderr: `OKTAEMU_ENGINE="legacy": unknown engine`},
		{name: "case=unknown-fixture", args: []string{"serve", "--fixture", "nope"}, wantCode: 2,
			wantStderr: `fixture "nope": no such embedded fixture (have classic-default, identity-default)`},
		{name: "case=invalid-fixture-file", args: []string{"serve", "--fixture", badFixture}, wantCode: 2,
			wantStderr: badFixture + ":4"},
		{name: "case=engine-fixture-mismatch", args: []string{"serve", "--engine", "identity", "--fixture", "classic-default"},
			wantCode: 2, wantStderr: "is for the classic engine"},
		{name: "case=bad-addr", args: []string{"serve", "--addr", "8080"}, wantCode: 2, wantStderr: `--addr "8080"`},
		{name: "case=bad-duration-env", env: map[string]string{"OKTAEMU_SHUTDOWN_TIMEOUT": "soon"}, args: []string{"serve"},
			wantCode: 2, wantStderr: `OKTAEMU_SHUTDOWN_TIMEOUT="soon"`},
		{name: "case=bad-log-level", args: []string{"serve", "--log-level", "chatty"}, wantCode: 2, wantStderr: "-log-level"},
		{name: "case=serve-extra-args", args: []string{"serve", "now"}, wantCode: 2, wantStderr: "unexpected arguments"},
		{name: "case=addr-in-use", args: []string{"serve", "--addr", busy.Addr().String()}, wantCode: 1,
			wantStderr: "address already in use"},
		{name: "case=health-down", args: []string{"health", "--url", "http://" + freeAddr(t)}, wantCode: 1,
			wantStderr: "connection refused"},
		{name: "case=health-bad-url", args: []string{"health", "--url", "localhost:8080"}, wantCode: 2, wantStderr: "want http://"},
		{name: "case=fixtures-list", args: []string{"fixtures"}, wantCode: 0, wantStdout: "identity-default  identity"},
		{name: "case=fixtures-validate-ok", args: []string{"fixtures", "validate", goodFixture}, wantCode: 0,
			wantStdout: "classic-default.yaml: ok (classic; 4 users"},
		{name: "case=fixtures-validate-bad", args: []string{"fixtures", "validate", goodFixture, badFixture}, wantCode: 1,
			wantStderr: `unknown field "pasword"`},
		{name: "case=fixtures-validate-none", args: []string{"fixtures", "validate"}, wantCode: 2, wantStderr: "at least one FILE"},
		{name: "case=fixtures-unknown-sub", args: []string{"fixtures", "show"}, wantCode: 2, wantStderr: `unknown subcommand "show"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clearEnv(t)
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if len(tt.args) > 0 && tt.args[0] == "serve" {
				cancel() // a serve that got past its checks stops at once
			}
			var stdout, stderr bytes.Buffer
			code := report(run(ctx, tt.args, strings.NewReader(""), &stdout, &stderr), &stderr)
			if code != tt.wantCode {
				t.Errorf("exit code %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tt.wantCode, stdout.String(), stderr.String())
			}
			if !strings.Contains(stderr.String(), tt.wantStderr) {
				t.Errorf("stderr does not contain %q:\n%s", tt.wantStderr, stderr.String())
			}
			if !strings.Contains(stdout.String(), tt.wantStdout) {
				t.Errorf("stdout does not contain %q:\n%s", tt.wantStdout, stdout.String())
			}
			if tt.wantCode == 2 && !strings.Contains(stderr.String(), "Run 'oktaemu help") {
				t.Errorf("usage error without a pointer to help:\n%s", stderr.String())
			}
		})
	}
}

func TestHelpListsEveryCommand(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), []string{"help"}, nil, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	for _, c := range commands {
		if !strings.Contains(out.String(), "\t"+c.name+" ") {
			t.Errorf("help does not list %q:\n%s", c.name, out.String())
		}
		// Every command answers -h with its own usage and success.
		var usage bytes.Buffer
		if err := run(context.Background(), []string{c.name, "-h"}, nil, &usage, io.Discard); err != nil || !strings.Contains(usage.String(), "oktaemu "+c.name) {
			t.Errorf("%s -h: err %v, usage:\n%s", c.name, err, usage.String())
		}
	}
}

func TestHealthDefaultURL(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want string
	}{
		{name: "case=default", want: "http://127.0.0.1:8080"},
		{name: "case=container", env: map[string]string{"OKTAEMU_ADDR": "0.0.0.0:8080"}, want: "http://127.0.0.1:8080"},
		{name: "case=empty-host", env: map[string]string{"OKTAEMU_ADDR": ":9000"}, want: "http://127.0.0.1:9000"},
		{name: "case=ipv6-unspecified", env: map[string]string{"OKTAEMU_ADDR": "[::]:9000"}, want: "http://127.0.0.1:9000"},
		{name: "case=named-host", env: map[string]string{"OKTAEMU_ADDR": "localhost:9000"}, want: "http://localhost:9000"},
		{name: "case=url-wins", env: map[string]string{"OKTAEMU_ADDR": "0.0.0.0:8080", "OKTAEMU_URL": "http://emu:1"}, want: "http://emu:1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clearEnv(t)
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			if diff := cmp.Diff(tt.want, defaultHealthURL()); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestHealthUsesAddrEnv(t *testing.T) {
	clearEnv(t)
	startup, _, _ := startServe(t)
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(startup["url"].(string), "http://"))
	t.Setenv("OKTAEMU_ADDR", "0.0.0.0:"+port)
	var out bytes.Buffer
	if err := run(context.Background(), []string{"health"}, nil, &out, io.Discard); err != nil {
		t.Fatalf("health with OKTAEMU_ADDR=0.0.0.0:%s: %v", port, err)
	}
	if want := "ok: http://127.0.0.1:" + port + " org 00oclassic0000000000 pipeline v1\n"; out.String() != want {
		t.Errorf("health output %q, want %q", out.String(), want)
	}
}

func TestUsageErrorIs2(t *testing.T) {
	if got := report(errors.New("boom"), io.Discard); got != 1 {
		t.Errorf("plain error: exit %d, want 1", got)
	}
	if got := report(usageErrorf("serve", "bad"), io.Discard); got != 2 {
		t.Errorf("usage error: exit %d, want 2", got)
	}
	if got := report(nil, io.Discard); got != 0 {
		t.Errorf("nil: exit %d, want 0", got)
	}
}
