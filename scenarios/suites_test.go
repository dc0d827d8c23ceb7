package scenarios

import (
	"context"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/oktaemu/oktaemu/emulator/emulatortest"
)

// seed000Rows maps each shipped seed000 scenario (one per row of seed
// 000's summary table, in the table's order) to the engines.md rows its
// Classic-vs-Identity differences must all be explained by; the first row
// is the seed row's own and must appear.
var seed000Rows = map[string][]int{
	"seed000-01-authn-audience":            {35},
	"seed000-02-authn-device-token":        {36},
	"seed000-03-sessions-cookie-token":     {19},
	"seed000-04-sessions-me-idp":           {20, 21},
	"seed000-05-factors-reset-email":       {2, 4},
	"seed000-06-factors-reset-question":    {3, 2, 4},
	"seed000-07-org-factors-sms-lifecycle": {16},
	"seed000-08-authn-password-recovery":   {34},
	"seed000-09-ie-features":               {17, 18},
}

func loadSuite(t *testing.T, dir string) []*Scenario {
	t.Helper()
	scs, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	return scs
}

// TestSuitesReplay replays every shipped scenario on each of its engines:
// every expectation holds, nothing fails hard.
func TestSuitesReplay(t *testing.T) {
	ctx := context.Background()
	for _, dir := range []string{"seed000", "integrations"} {
		for _, sc := range loadSuite(t, dir) {
			for _, e := range sc.Engines() {
				t.Run("suite="+dir+"/scenario="+sc.Name+"/engine="+e, func(t *testing.T) {
					t.Parallel()
					res := RunOne(ctx, sc, e, WithReconstruction(Options{}))
					for _, x := range res.Exchanges {
						for _, d := range x.Diffs {
							t.Errorf("exchange %d %q: %s", x.Index+1, x.Label, d)
						}
						if x.Err != "" {
							t.Errorf("exchange %d %q: %s", x.Index+1, x.Label, x.Err)
						}
					}
					if res.Err != "" {
						t.Errorf("stopped: %s", res.Err)
					}
				})
			}
		}
	}
}

// TestSeed000Diff diffs each seed000 scenario between the engines: the
// scenario's row shows, and every difference is explained by one of its
// rows (nothing spurious).
func TestSeed000Diff(t *testing.T) {
	ctx := context.Background()
	scs := loadSuite(t, "seed000")
	var names []string
	for _, sc := range scs {
		names = append(names, sc.Name)
	}
	var want []string
	for n := range seed000Rows {
		want = append(want, n)
	}
	sort.Strings(want)
	if diff := cmp.Diff(want, names); diff != "" {
		t.Fatalf("seed000 scenarios (one per summary row) (-want +got):\n%s", diff)
	}
	for _, sc := range scs {
		t.Run("scenario="+sc.Name, func(t *testing.T) {
			t.Parallel()
			rows := seed000Rows[sc.Name]
			ed := DiffEngines(ctx, sc, Classic, Identity, WithReconstruction(Options{}), true)
			if ed.ErrA != "" || ed.ErrB != "" {
				t.Fatalf("hard failure: classic %q identity %q", ed.ErrA, ed.ErrB)
			}
			seen := map[int]bool{}
			for _, x := range ed.Exchanges {
				for _, d := range x.Diffs {
					if d.Finding == nil || !containsInt(rows, d.Finding.Row) {
						t.Errorf("exchange %d %q: spurious difference %s (finding %v, want one of rows %v)", x.Index+1, x.Label, d, d.Finding, rows)
						continue
					}
					seen[d.Finding.Row] = true
				}
			}
			if !seen[rows[0]] {
				t.Errorf("the diff does not show engines.md #%d (rows seen: %v)", rows[0], seen)
			}
		})
	}
}

// integrationRows maps each integration scenario to the engines.md rows
// its Classic-vs-Identity diff must show.
var integrationRows = map[string][]int{
	"integration-mfa-enroll-policies":     {24},
	"integration-okta-verify-factors-api": {2, 7, 8, 10},
	"integration-sso-cookie-token":        {19},
}

// TestIntegrationsDiff diffs the integration suites: the documented
// differences an integration meets show. Differences the engines.md table
// does not name (consequences such as a refused redirect after a missing
// cookieToken) are logged.
func TestIntegrationsDiff(t *testing.T) {
	ctx := context.Background()
	for _, sc := range loadSuite(t, "integrations") {
		t.Run("scenario="+sc.Name, func(t *testing.T) {
			t.Parallel()
			// No noise learning: this test only asks which rows show.
			ed := DiffEngines(ctx, sc, Classic, Identity, WithReconstruction(Options{}), false)
			if ed.ErrA != "" || ed.ErrB != "" {
				t.Fatalf("hard failure: classic %q identity %q", ed.ErrA, ed.ErrB)
			}
			seen := map[int]bool{}
			for _, x := range ed.Exchanges {
				for _, d := range x.Diffs {
					if d.Finding == nil {
						t.Logf("exchange %d %q: difference not in engines.md: %s", x.Index+1, x.Label, d)
						continue
					}
					seen[d.Finding.Row] = true
				}
			}
			for _, row := range integrationRows[sc.Name] {
				if !seen[row] {
					t.Errorf("the diff does not show engines.md #%d (rows seen: %v)", row, seen)
				}
			}
		})
	}
}

// TestSuitesDescribeTheirSource keeps the files honest: each names what it
// reproduces.
func TestSuitesDescribeTheirSource(t *testing.T) {
	for _, dir := range []string{"seed000", "integrations"} {
		for _, sc := range loadSuite(t, dir) {
			if !strings.Contains(sc.Description, "Seed") && !strings.Contains(sc.Description, "seed") && !strings.Contains(sc.Description, "engines.md") && !strings.Contains(sc.Description, ".md") {
				t.Errorf("%s (%s): the description names no source", sc.Name, filepath.Base(sc.File))
			}
		}
	}
}

func containsInt(s []int, v int) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// TestSuitesOnServer replays the sign-in page (TOTP from the fixture's
// secret at the org's clock, SMS code from the outbox) on a running
// emulator through its control plane, as `oktaemu replay --url` does.
func TestSuitesOnServer(t *testing.T) {
	srv := emulatortest.NewServer(t)
	scs, err := Load("integrations/mfa-signin-page.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range []string{Classic, Identity} {
		res := RunOne(context.Background(), scs[0], e, WithReconstruction(Options{Backend: Server{URL: srv.URL}}))
		if res.Err != "" {
			t.Errorf("%s: %s", e, res.Err)
		}
		for _, x := range res.Exchanges {
			for _, d := range x.Diffs {
				t.Errorf("%s: exchange %d %q: %s", e, x.Index+1, x.Label, d)
			}
		}
		if len(res.Exchanges) != len(scs[0].Exchanges) {
			t.Errorf("%s: ran %d of %d exchanges", e, len(res.Exchanges), len(scs[0].Exchanges))
		}
	}
}
