package scenarios

import (
	"context"
	"testing"
)

// Test replays scenarios inside a Go test: one subtest per scenario and
// engine, named "scenario/engine", failing with the classified
// differences of each exchange that did not meet its expectation.
//
//	func TestMyIntegration(t *testing.T) {
//		scs, err := scenarios.Load("testdata/flows")
//		if err != nil {
//			t.Fatal(err)
//		}
//		scenarios.Test(t, scs, scenarios.Options{})
//	}
func Test(t *testing.T, scs []*Scenario, o Options) {
	t.Helper()
	for _, sc := range scs {
		engines := sc.Engines()
		if o.Engines != nil {
			engines = o.Engines
		}
		for _, e := range engines {
			t.Run(sc.Name+"/"+e, func(t *testing.T) {
				r := RunOne(context.Background(), sc, e, o)
				for _, x := range r.Exchanges {
					for _, d := range x.Diffs {
						msg := d.String()
						if d.Finding != nil {
							msg += " (" + d.Finding.Ref() + ": " + d.Finding.Title + ")"
						}
						t.Errorf("exchange %d %q: %s", x.Index+1, x.Label, msg)
					}
				}
				if r.Err != "" {
					t.Fatalf("stopped: %s (%d exchanges not run)", r.Err, r.NotRun)
				}
			})
		}
	}
}
