package main

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/oktaemu/oktaemu/emulator"
	"github.com/oktaemu/oktaemu/emulator/emulatortest"
)

const (
	passing  = "../../scenarios/testdata/runner/users.yaml"
	failing  = "../../scenarios/testdata/runner/mismatch.yaml"
	runnerTD = "../../scenarios/testdata/runner"
)

func runCmd(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	clearEnv(t)
	t.Setenv("OKTAEMU_TOKEN", "")
	t.Setenv("OKTAEMU_ADMIN_TOKEN", "")
	var out, errb bytes.Buffer
	err := run(context.Background(), args, strings.NewReader(""), &out, &errb)
	return out.String(), errb.String(), err
}

func TestReplayCommand(t *testing.T) {
	out, _, err := runCmd(t, "replay", passing)
	if err != nil || !strings.Contains(out, "2 cases (0 failed), 14 exchanges, 0 differences") {
		t.Fatalf("replay of a passing scenario: err %v\n%s", err, out)
	}
	if strings.Contains(out, "\r[") {
		t.Error("progress bar drawn though stdout is not a terminal")
	}
	out, _, err = runCmd(t, "replay", "--engine", "identity", runnerTD)
	if err == nil || report(err, &bytes.Buffer{}) != 1 {
		t.Fatalf("replay with a mismatch: err %v, want exit status 1", err)
	}
	if !strings.Contains(out, "mismatch/identity") || !strings.Contains(out, "3 cases (1 failed), 18 exchanges") || strings.Contains(out, "/classic") {
		t.Errorf("--engine identity not applied:\n%s", out)
	}
	for _, bad := range [][]string{{"replay", "--engine", "oie", passing}, {"replay", "--format", "pdf", passing}, {"replay"}} {
		if _, _, err := runCmd(t, bad...); report(err, &bytes.Buffer{}) != 2 {
			t.Errorf("%v: err %v, want a usage error (exit 2)", bad, err)
		}
	}
}

func TestReplayJUnitToFile(t *testing.T) {
	file := filepath.Join(t.TempDir(), "replay.xml")
	_, _, err := runCmd(t, "replay", "--format", "junit", "--output", file, failing)
	if err == nil {
		t.Fatal("mismatch not reported")
	}
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Failures int `xml:"failures,attr"`
	}
	if err := xml.Unmarshal(data, &doc); err != nil || doc.Failures != 4 {
		t.Errorf("junit: err %v, failures %d, want 4\n%s", err, doc.Failures, data)
	}
}

// TestReplayAndDiffAgainstServer replays through a running emulator's
// control plane (the way a container is used), one fresh org per run.
func TestReplayAndDiffAgainstServer(t *testing.T) {
	s := emulatortest.NewServer(t, emulatortest.WithEngine(emulator.Classic))
	out, _, err := runCmd(t, "replay", "--url", s.URL, passing)
	if err != nil {
		t.Fatalf("replay --url: %v\n%s", err, out)
	}
	if n := len(s.Emulator.OrgNames()); n != 1 {
		t.Errorf("%d orgs left on the server, want only the default one (runs delete theirs)", n)
	}
	out, _, err = runCmd(t, "diff", "--url", s.URL, "--format", "markdown", passing)
	if err != nil || !strings.Contains(out, "| engines.md #1 | 1 |") {
		t.Errorf("diff --url: %v\n%s", err, out)
	}
}

func TestDiffCommand(t *testing.T) {
	out, _, err := runCmd(t, "diff", passing)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"value changed", "body.pipeline", "engines.md #1", "1 differences: 1 value changed"} {
		if !strings.Contains(out, want) {
			t.Errorf("diff output lacks %q:\n%s", want, out)
		}
	}
	_, _, err = runCmd(t, "diff", "--fail-on-diff", passing)
	if err == nil || errors.Is(err, context.Canceled) {
		t.Errorf("--fail-on-diff with a difference: err %v", err)
	}
	html := filepath.Join(t.TempDir(), "d.html")
	if _, _, err := runCmd(t, "diff", "--format", "html", "--output", html, passing); err != nil {
		t.Fatal(err)
	}
	if data, _ := os.ReadFile(html); !bytes.Contains(data, []byte("<!DOCTYPE html>")) {
		t.Error("no HTML written")
	}
}

func TestProgressBar(t *testing.T) {
	null, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer null.Close()
	if isTerminal(null) || isTerminal(&bytes.Buffer{}) {
		t.Error("/dev/null or a buffer taken for a terminal")
	}
	var errb bytes.Buffer
	p := &progress{w: &errb, total: 4}
	for i := 0; i < 4; i++ {
		p.step()
	}
	p.done()
	got := errb.String()
	if !strings.Contains(got, "[##############################] 4/4 exchanges") || !strings.HasSuffix(got, "\r\033[K") {
		t.Errorf("progress output %q", got)
	}
	q := newProgress(&bytes.Buffer{}, &errb, 10)
	if q.w != nil {
		t.Error("progress drawn though stdout is not a terminal")
	}
}
