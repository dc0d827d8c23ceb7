package scenarios

import (
	"context"
	"runtime"
	"testing"
)

// benchScenario is n exchanges that read seeded data, each with an
// expectation to diff against.
func benchScenario(n int) *Scenario {
	auth := map[string]string{"Authorization": "SSWS {{token}}"}
	kinds := []Exchange{
		{Request: Request{Method: "GET", Path: "/.well-known/okta-organization"},
			Response: &Response{Status: 200, Body: map[string]any{"id": "<orgId:1>", "_links": map[string]any{"organization": map[string]any{"href": "<any>"}}}}},
		{Request: Request{Method: "GET", Path: "/api/v1/users/alice@example.com", Headers: auth},
			Response: &Response{Status: 200, Body: map[string]any{"id": "00ualice000000000000", "status": "ACTIVE", "profile": map[string]any{"login": "alice@example.com"}}}},
		{Request: Request{Method: "GET", Path: "/api/v1/groups/00gmfarequired000000", Headers: auth},
			Response: &Response{Status: 200, Body: map[string]any{"id": "00gmfarequired000000", "type": "OKTA_GROUP"}}},
		{Request: Request{Method: "GET", Path: "/api/v1/users/nobody@example.com", Headers: auth},
			Response: &Response{Status: 404, Body: map[string]any{"errorCode": "E0000007", "errorId": "<any>"}}},
	}
	sc := &Scenario{Name: "bench"}
	for i := 0; i < n; i++ {
		sc.Exchanges = append(sc.Exchanges, kinds[i%len(kinds)])
	}
	return sc
}

// BenchmarkReplayDiff replays and diffs 10,000 exchanges in-process per
// iteration and reports exchanges per second (goal: ≥ 20,000/s). The
// sequential variant is one scenario of 10,000 exchanges on one org; the
// parallel one is 2 scenarios of 2,500 exchanges on both engines, one run
// per core at a time (what `oktaemu replay DIR` does).
func BenchmarkReplayDiff(b *testing.B) {
	const n = 10000
	b.Run("sequential", func(b *testing.B) {
		sc := benchScenario(n)
		o := Options{Backend: InProcess{Unlimited: true}}
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			r := RunOne(context.Background(), sc, Classic, o)
			if r.Failed() || len(r.Exchanges) != n {
				b.Fatalf("run failed: %s (%d exchanges)", r.Err, len(r.Exchanges))
			}
		}
		b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "exchanges/s")
	})
	b.Run("sequential-lean", func(b *testing.B) {
		sc := benchScenario(n)
		o := Options{Backend: InProcess{Unlimited: true}, Lean: true}
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			r := RunOne(context.Background(), sc, Classic, o)
			if r.Failed() || len(r.Exchanges) != n {
				b.Fatalf("run failed: %s (%d exchanges)", r.Err, len(r.Exchanges))
			}
		}
		b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "exchanges/s")
	})
	b.Run("parallel", func(b *testing.B) {
		var scs []*Scenario
		for i := 0; i < 2; i++ {
			scs = append(scs, benchScenario(n/4))
		}
		o := Options{Backend: InProcess{Unlimited: true}, Parallel: runtime.GOMAXPROCS(0), Lean: true}
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			total := 0
			for _, r := range Run(context.Background(), scs, o) {
				if r.Failed() {
					b.Fatalf("run failed: %s", r.Err)
				}
				total += len(r.Exchanges)
			}
			if total != n {
				b.Fatalf("%d exchanges, want %d", total, n)
			}
		}
		b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "exchanges/s")
	})
}

// TestBenchScenarioPasses keeps the benchmark honest: its scenario passes
// on both engines (no timing asserted).
func TestBenchScenarioPasses(t *testing.T) {
	sc := benchScenario(40)
	for _, e := range []string{Classic, Identity} {
		r := RunOne(context.Background(), sc, e, Options{Backend: InProcess{Unlimited: true}})
		if r.Failed() {
			t.Fatalf("%s: %s", e, summarise([]*Result{r}))
		}
	}
}
