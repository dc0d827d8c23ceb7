package scenarios

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/oktaemu/oktaemu/emulator/emulatortest"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

// golden compares got with testdata/golden/name (rewritten with -update).
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./scenarios -update to create it)", err)
	}
	if d := cmp.Diff(string(want), got); d != "" {
		t.Errorf("%s (-want +got):\n%s", path, d)
	}
}

// summarise renders results compactly and deterministically.
func summarise(rs []*Result) string {
	var b strings.Builder
	for _, r := range rs {
		fmt.Fprintf(&b, "== %s/%s failed=%v notRun=%d\n", r.Name, r.Engine, r.Failed(), r.NotRun)
		if r.Err != "" {
			fmt.Fprintf(&b, "   stopped: %s\n", r.Err)
		}
		for _, x := range r.Exchanges {
			status := 0
			if x.Actual != nil {
				status = x.Actual.Status
			}
			fmt.Fprintf(&b, "%d. %s -> %d\n", x.Index+1, x.Label, status)
			if x.Err != "" {
				fmt.Fprintf(&b, "   error: %s\n", x.Err)
			}
			for _, d := range x.Diffs {
				fmt.Fprintf(&b, "   %s", d)
				if d.Finding != nil {
					fmt.Fprintf(&b, " [%s]", d.Finding.Ref())
				}
				b.WriteString("\n")
			}
		}
	}
	return b.String()
}

func TestRunnerGolden(t *testing.T) {
	scs, err := Load("testdata/runner")
	if err != nil {
		t.Fatal(err)
	}
	for _, sc := range scs {
		for _, e := range sc.Engines() {
			t.Run(sc.Name+"/"+e, func(t *testing.T) {
				r := RunOne(context.Background(), sc, e, Options{Values: map[string]string{"<password:1>": "Pa55word!Emu"}})
				golden(t, "runner_"+sc.Name+"_"+e+".txt", summarise([]*Result{r}))
				if want := sc.Name == "mismatch"; r.Failed() != want {
					t.Errorf("Failed() = %v, want %v", r.Failed(), want)
				}
			})
		}
	}
}

func TestRunnerStopOnMismatch(t *testing.T) {
	scs, err := Load("testdata/runner/mismatch.yaml")
	if err != nil {
		t.Fatal(err)
	}
	r := RunOne(context.Background(), scs[0], Classic, Options{StopOnMismatch: true})
	if len(r.Exchanges) != 1 || r.NotRun != len(scs[0].Exchanges)-1 {
		t.Errorf("ran %d exchanges, %d not run; want 1 and %d", len(r.Exchanges), r.NotRun, len(scs[0].Exchanges)-1)
	}
}

func TestRunnerUnresolvedPlaceholderIsHard(t *testing.T) {
	sc := &Scenario{Name: "x", Exchanges: []Exchange{
		{Request: Request{Method: "POST", Path: "/api/v1/authn", Body: map[string]any{"username": "alice@example.com", "password": "<password:1>"}}},
		{Request: Request{Method: "GET", Path: "/.well-known/okta-organization"}},
	}}
	r := RunOne(context.Background(), sc, Classic, Options{})
	if !strings.Contains(r.Err, "unresolved placeholder <password:1>") || r.NotRun != 1 {
		t.Fatalf("Err = %q, NotRun = %d", r.Err, r.NotRun)
	}
	r = RunOne(context.Background(), sc, Classic, Options{Values: map[string]string{"<password:1>": "Pa55word!Emu"}})
	if r.Failed() || r.Exchanges[0].Actual.Status != 200 {
		t.Fatalf("with Values: %s", summarise([]*Result{r}))
	}
	// A resolver is asked for what Values lacks, with the target.
	var asked []string
	r = RunOne(context.Background(), sc, Identity, Options{Resolve: func(_ context.Context, tg *Target, ph string) (string, bool, error) {
		asked = append(asked, tg.Engine+" "+ph)
		return "Pa55word!Emu", tg.Org != nil, nil
	}})
	if d := cmp.Diff([]string{"identity <password:1>"}, asked); d != "" || r.Failed() {
		t.Errorf("resolver calls (-want +got) %s; failed %v", d, r.Failed())
	}
}

// TestSubtestsNamedByScenarioAndEngine replays through Test: the subtests
// are users-groups/classic and users-groups/identity (see go test -v).
func TestSubtestsNamedByScenarioAndEngine(t *testing.T) {
	scs, err := Load("testdata/runner/users.yaml")
	if err != nil {
		t.Fatal(err)
	}
	Test(t, scs, Options{})
}

// TestAdvanceMovesTheOrgClock: a sessionToken expires (5 minutes); the
// exchange's advance moves the clock in-process and through a server's
// control plane alike.
func TestAdvanceMovesTheOrgClock(t *testing.T) {
	sc := &Scenario{Name: "expiry", Exchanges: []Exchange{
		{Request: Request{Method: "POST", Path: "/api/v1/authn", Body: map[string]any{"username": "alice@example.com", "password": "Pa55word!Emu"}},
			Response: &Response{Status: 200, Body: map[string]any{"sessionToken": "<sessionToken:1>"}}},
		{Advance: "6m", Request: Request{Method: "POST", Path: "/api/v1/sessions", Headers: map[string]string{"Authorization": "SSWS {{token}}"},
			Body: map[string]any{"sessionToken": "<sessionToken:1>"}},
			Response: &Response{Status: 401}},
	}}
	srv := emulatortest.NewServer(t)
	for name, b := range map[string]Backend{"in-process": InProcess{}, "server": Server{URL: srv.URL}} {
		t.Run(name, func(t *testing.T) {
			r := RunOne(context.Background(), sc, Classic, Options{Backend: b})
			if r.Failed() {
				t.Fatal(summarise([]*Result{r}))
			}
		})
	}
	// Without the advance the token is still good: the test can fail.
	sc.Exchanges[1].Advance = ""
	if r := RunOne(context.Background(), sc, Classic, Options{}); !r.Failed() {
		t.Error("the sessionToken was refused without advancing the clock")
	}
}
