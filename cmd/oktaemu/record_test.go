package main

import (
	"bufio"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/oktaemu/oktaemu/scenarios"
)

func TestRecordThroughProxy(t *testing.T) {
	clearEnv(t)
	startup, _, _ := startServe(t)
	upstream, _ := startup["url"].(string)
	token, _ := startup["token"].(string)
	if upstream == "" || token == "" {
		t.Fatalf("startup record without url/token: %v", startup)
	}
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"record", "--upstream", upstream, "--addr", "127.0.0.1:0", "--out", dir, "--name", "users-read"},
			strings.NewReader(""), pw, io.Discard)
		pw.Close()
	}()
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		t.Fatalf("record printed no proxy URL: %v (%v)", err, <-done)
	}
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	proxy := strings.TrimSpace(line)

	var user map[string]any
	if st := get(t, proxy+"/api/v1/users/alice@example.com", token, &user); st != 200 || user["id"] != "00ualice000000000000" {
		t.Fatalf("GET through the proxy: %d %v", st, user)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("record: %v", err)
	}
	file := filepath.Join(dir, "users-read.yaml")
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("no scenario written: %v", err)
	}
	if strings.Contains(string(data), token) {
		t.Errorf("the API token was written to %s", file)
	}
	scs, err := scenarios.Load(file)
	if err != nil {
		t.Fatal(err)
	}
	sc := scs[0]
	got := map[string]any{"source": sc.Source.Kind + "/" + sc.Source.Engine, "n": len(sc.Exchanges),
		"path": sc.Exchanges[0].Request.Path, "auth": sc.Exchanges[0].Request.Headers["Authorization"], "status": sc.Exchanges[0].Response.Status}
	want := map[string]any{"source": "recorded/classic", "n": 1, "path": "/api/v1/users/alice@example.com", "auth": "SSWS <apiToken:1>", "status": 200}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("recorded scenario (-want +got):\n%s", diff)
	}
}

func TestRecordUsage(t *testing.T) {
	clearEnv(t)
	for _, args := range [][]string{{"record"}, {"record", "--upstream", "ftp://x"}, {"record", "--upstream", "http://x", "extra"}} {
		err := run(context.Background(), args, strings.NewReader(""), io.Discard, io.Discard)
		var ue *usageError
		if !errors.As(err, &ue) {
			t.Errorf("%v: err = %v, want a usage error", args, err)
		}
	}
}
