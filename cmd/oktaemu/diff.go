package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/oktaemu/oktaemu/scenarios"
	scnreport "github.com/oktaemu/oktaemu/scenarios/report"
)

// runDiff is `oktaemu diff`: run scenarios on Classic and on Identity
// Engine and print the classified differences.
func runDiff(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("diff", flag.ContinueOnError)
	var f scenarioFlags
	f.register(fs)
	noNoise := fs.Bool("no-noise", false, "do not learn noise (by default each engine runs the scenario twice first, and what differs between those runs is not reported)")
	failOnDiff := fs.Bool("fail-on-diff", false, "exit status 1 when a difference is found")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), `Usage: oktaemu diff [flags] FILE|DIR|HAR...

Run the same scenarios on a Classic Engine org and on an Identity Engine org
and classify every difference between the two engines' responses: request
refused, status changed, error code changed, field removed, field added,
shape changed, value changed. A difference that matches a documented engine
difference names it (engines.md row, Okta's upgrade checklist) and the
action to take. Volatile values (tokens, ids, dates, links) are normalised
into placeholders first, and noise is learned.

Examples:

	oktaemu diff scenarios/seed000
	oktaemu diff --format html --output diff.html my-app.har
	oktaemu diff --url http://127.0.0.1:8080 --format markdown scenarios/

Flags:

`)
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args, stdout); err != nil {
		return err
	}
	if err := f.check("diff"); err != nil {
		return err
	}
	scs, err := loadScenarios("diff", fs.Args())
	if err != nil {
		return err
	}
	o := f.options(ctx)
	if f.url != "" {
		if _, ok := scenarios.Probe(ctx, f.url, "", f.adminToken).(scenarios.Server); !ok {
			return usageErrorf("diff", "--url %s: not an oktaemu server (no control plane): diff needs orgs of both engines", f.url)
		}
	}
	total := 0
	for _, sc := range scs {
		total += len(sc.Exchanges)
	}
	bar := newProgress(stdout, stderr, total)
	o.Progress = bar.step
	out := make([]*scenarios.EngineDiff, len(scs))
	workers := f.parallel
	if workers < 1 {
		workers = 1
	}
	next := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < workers && w < len(scs); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				out[i] = scenarios.DiffEngines(ctx, scs[i], scenarios.Classic, scenarios.Identity, o, !*noNoise)
			}
		}()
	}
	for i := range scs {
		next <- i
	}
	close(next)
	wg.Wait()
	bar.done()
	r := scnreport.FromDiff("oktaemu diff "+strings.Join(fs.Args(), " "), out)
	if err := f.write(r, stdout); err != nil {
		return err
	}
	if *failOnDiff && r.Sum.Differences > 0 {
		return fmt.Errorf("diff: %d differences", r.Sum.Differences)
	}
	return nil
}
