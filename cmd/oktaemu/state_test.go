package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// oktaemuBin is the oktaemu binary built once by TestMain for the tests that
// run it as a process (signals, restarts).
var oktaemuBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "oktaemu-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	bin := filepath.Join(dir, "oktaemu")
	if runtime.GOOS == "windows" {
		bin += ".exe"
	}
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		fmt.Fprintf(os.Stderr, "building oktaemu: %v\n%s", err, out)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	oktaemuBin = bin
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// proc is a running `oktaemu serve` process.
type proc struct {
	cmd    *exec.Cmd
	url    string
	logs   *logLines
	exited chan error
}

// startProc runs `oktaemu serve args...` on a free port and waits until it
// answers its health endpoint.
func startProc(t *testing.T, args ...string) *proc {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("needs SIGTERM")
	}
	p := &proc{logs: newLogLines(), exited: make(chan error, 1)}
	p.cmd = exec.Command(oktaemuBin, append([]string{"serve", "--addr", "127.0.0.1:0", "--log-format", "json"}, args...)...)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "OKTAEMU_") {
			p.cmd.Env = append(p.cmd.Env, kv)
		}
	}
	p.cmd.Stderr = p.logs
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.exited <- p.cmd.Wait() }()
	t.Cleanup(func() {
		_ = p.cmd.Process.Kill()
	})
	rec := p.waitLog(t, "oktaemu serving")
	p.url, _ = rec["url"].(string)
	// Ready means answering: poll the health endpoint, no fixed sleep.
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	deadline := time.After(30 * time.Second)
	for {
		resp, err := http.Get(p.url + "/_emulator/health")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return p
			}
		}
		select {
		case <-tick.C:
		case err := <-p.exited:
			t.Fatalf("oktaemu exited before answering: %v\n%s", err, strings.Join(p.logs.all(), ""))
		case <-deadline:
			t.Fatalf("oktaemu never answered %s", p.url)
		}
	}
}

// waitLog returns the next log record with message msg; it fails the test
// if the process exits first.
func (p *proc) waitLog(t *testing.T, msg string) map[string]any {
	t.Helper()
	got := make(chan map[string]any, 1)
	go func() { got <- p.logs.waitFor(msg) }()
	select {
	case rec := <-got:
		return rec
	case err := <-p.exited:
		p.exited <- err
		t.Fatalf("oktaemu exited (%v) before logging %q:\n%s", err, msg, strings.Join(p.logs.all(), ""))
	case <-time.After(time.Minute): // a safety net, not a wait
		t.Fatalf("no %q log record in a minute:\n%s", msg, strings.Join(p.logs.all(), ""))
	}
	return nil
}

// stop sends SIGTERM and returns the exit error (nil for status 0).
func (p *proc) stop(t *testing.T) error {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	return p.wait(t)
}

func (p *proc) wait(t *testing.T) error {
	t.Helper()
	select {
	case err := <-p.exited:
		return err
	case <-time.After(time.Minute):
		t.Fatal("oktaemu did not exit within a minute of SIGTERM")
	}
	return nil
}

func (p *proc) do(t *testing.T, method, path, auth, body string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, p.url+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept", "application/json")
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if auth != "" {
		req.Header.Set("Authorization", "SSWS "+auth)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

// TestStateSurvivesSIGTERM stops oktaemu with SIGTERM while a request is in
// flight, restarts it from its --state file, and compares snapshots.
func TestStateSurvivesSIGTERM(t *testing.T) {
	dir := t.TempDir()
	state := filepath.Join(dir, "state.json")
	args := []string{"--state", state, "--org", "acme=identity"}
	const classic, identity = "00oktaemu-classic-default-api-token", "00oktaemu-identity-default-api-token"

	p := startProc(t, args...)
	user := func(login string) string {
		return `{"profile":{"login":"` + login + `","email":"` + login + `","firstName":"D","lastName":"D"},"credentials":{"password":{"value":"Pa55word!Emu"}}}`
	}
	if st, b := p.do(t, "POST", "/api/v1/users?activate=true", classic, user("dana@example.com")); st != 200 {
		t.Fatalf("create user: %d %s", st, b)
	}
	if st, b := p.do(t, "POST", "/_org/acme/api/v1/users?activate=true", identity, user("ivy@example.com")); st != 200 {
		t.Fatalf("create user in acme: %d %s", st, b)
	}
	if st, b := p.do(t, "POST", "/api/v1/users/erin@example.com/lifecycle/activate?sendEmail=true", classic, ""); st != 200 {
		t.Fatalf("activate: %d %s", st, b)
	}
	p.do(t, "PUT", "/_emulator/orgs/acme/clock", "", `{"now":"2030-01-01T00:00:00.000Z"}`)
	before := map[string][]byte{}
	for _, org := range []string{"default", "acme"} {
		st, b := p.do(t, "GET", "/_emulator/orgs/"+org+"/snapshot", "", "")
		if st != 200 {
			t.Fatalf("snapshot %s: %d %s", org, st, b)
		}
		before[org] = b
	}

	// An in-flight request: PUT a copy of acme as "inflight", with
	// Expect: 100-continue. The server answers 100 once the handler reads
	// the body; the test then sends SIGTERM, waits for the shutdown to
	// begin, and only then sends the body.
	pr, pw := io.Pipe()
	got100 := make(chan struct{})
	req, _ := http.NewRequest("PUT", p.url+"/_emulator/orgs/inflight/snapshot", pr)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Expect", "100-continue")
	req = req.WithContext(httptrace.WithClientTrace(req.Context(), &httptrace.ClientTrace{
		Got100Continue: func() { close(got100) },
	}))
	client := &http.Client{Transport: &http.Transport{ExpectContinueTimeout: time.Minute}}
	type result struct {
		status int
		err    error
	}
	done := make(chan result, 1)
	go func() {
		resp, err := client.Do(req)
		if err != nil {
			done <- result{err: err}
			return
		}
		resp.Body.Close()
		done <- result{status: resp.StatusCode}
	}()
	select {
	case <-got100:
	case r := <-done:
		t.Fatalf("in-flight request ended early: %+v", r)
	case <-time.After(time.Minute):
		t.Fatal("no 100 Continue")
	}
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	p.waitLog(t, "shutting down")
	if _, err := pw.Write(before["acme"]); err != nil {
		t.Fatal(err)
	}
	pw.Close()
	if r := <-done; r.err != nil || r.status != http.StatusCreated {
		t.Fatalf("in-flight request: %+v, want 201: it must finish during the shutdown", r)
	}
	if err := p.wait(t); err != nil {
		t.Fatalf("exit after SIGTERM: %v, want status 0\n%s", err, strings.Join(p.logs.all(), ""))
	}

	// The file: private, and no temporary file left behind.
	fi, err := os.Stat(state)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("state file mode %v, want 0600 (it holds secrets)", fi.Mode().Perm())
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("state directory holds %d entries, want only the state file", len(entries))
	}

	q := startProc(t, args...)
	for _, org := range []string{"default", "acme"} {
		_, after := q.do(t, "GET", "/_emulator/orgs/"+org+"/snapshot", "", "")
		if !bytes.Equal(before[org], after) {
			t.Errorf("org %s after restart differs from before SIGTERM:\n%s\n%s", org, before[org], after)
		}
	}
	var names []string
	_, b := q.do(t, "GET", "/_emulator/orgs", "", "")
	var orgs []struct{ Name string }
	_ = json.Unmarshal(b, &orgs)
	for _, o := range orgs {
		names = append(names, o.Name)
	}
	if diff := cmp.Diff([]string{"acme", "default", "inflight"}, names); diff != "" {
		t.Errorf("orgs after restart (-want +got):\n%s", diff)
	}
	if st, _ := q.do(t, "GET", "/_org/inflight/api/v1/users/ivy@example.com", identity, ""); st != 200 {
		t.Errorf("the in-flight request's org lost its user: %d", st)
	}
	if err := q.stop(t); err != nil {
		t.Errorf("second exit: %v", err)
	}
}

func TestWriteFileAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "f.json")
	for _, content := range []string{"first", "second, longer than the first"} {
		if err := writeFileAtomic(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(path)
		if err != nil || string(got) != content {
			t.Errorf("read back %q, %v; want %q", got, err, content)
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("%d entries, want 1: temporary files left behind", len(entries))
	}
	if err := writeFileAtomic(filepath.Join(dir, "missing", "f.json"), []byte("x"), 0o600); err == nil {
		t.Error("writing into a missing directory succeeded")
	}
}

func TestServeExtraOrgs(t *testing.T) {
	clearEnv(t)
	startup, _, _ := startServe(t, "--org", "main", "--org", "acme=identity", "--org", "beta=classic:classic-default")
	url, _ := startup["url"].(string)
	if diff := cmp.Diff([]any{"acme", "beta", "main"}, startup["orgs"]); diff != "" {
		t.Errorf("orgs in the startup line (-want +got):\n%s", diff)
	}
	if startup["org"] != "main" {
		t.Errorf("default org %v, want main", startup["org"])
	}
	for _, tt := range []struct{ org, pipeline string }{{"acme", "idx"}, {"beta", "v1"}, {"main", "v1"}} {
		var meta struct{ Pipeline string }
		if st := get(t, url+"/_org/"+tt.org+"/.well-known/okta-organization", "", &meta); st != 200 || meta.Pipeline != tt.pipeline {
			t.Errorf("org %s: %d pipeline %q, want 200 %q", tt.org, st, meta.Pipeline, tt.pipeline)
		}
	}
}

func TestServeOrgFlagErrors(t *testing.T) {
	for _, args := range [][]string{
		{"--org", "Bad"},
		{"--org", "acme=nope"},
		{"--org", "acme=identity", "--org", "acme=classic"},
		{"--org", "acme=classic:no-such-fixture"},
		{"--org", "default=identity"},
		{"--org", "acme=classic:identity-default"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			clearEnv(t)
			err := run(t.Context(), append([]string{"serve", "--addr", "127.0.0.1:0"}, args...), nil, io.Discard, io.Discard)
			if report(err, io.Discard) != 2 {
				t.Errorf("exit status %d (%v), want 2", report(err, io.Discard), err)
			}
		})
	}
}

func TestServeStateEnvAndBadFile(t *testing.T) {
	clearEnv(t)
	path := filepath.Join(t.TempDir(), "state.json")
	t.Setenv("OKTAEMU_STATE", path)
	c, err := parseServe(nil, io.Discard)
	if err != nil || c.state != path {
		t.Fatalf("OKTAEMU_STATE: state %q, %v", c.state, err)
	}
	if err := os.WriteFile(path, []byte(`{"format":"something else"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	err = run(t.Context(), []string{"serve", "--addr", "127.0.0.1:0"}, nil, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "state") {
		t.Errorf("a bad state file: %v, want an error naming it", err)
	}
	// An unwritable place fails at start, not at shutdown.
	t.Setenv("OKTAEMU_STATE", filepath.Join(t.TempDir(), "missing-dir", "state.json"))
	err = run(t.Context(), []string{"serve", "--addr", "127.0.0.1:0"}, nil, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "state") {
		t.Errorf("an unwritable state path: %v, want an error at start", err)
	}
}
