package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/oktaemu/oktaemu/scenarios"
	scnreport "github.com/oktaemu/oktaemu/scenarios/report"
)

// scenarioFlags are the flags replay and diff share.
type scenarioFlags struct {
	url, token, adminToken string
	format, output         string
	parallel               int
	values                 setFlag
}

// setFlag collects --set placeholder=value.
type setFlag map[string]string

func (s setFlag) String() string { return "" }
func (s setFlag) Set(v string) error {
	k, val, ok := strings.Cut(v, "=")
	if !ok || k == "" {
		return fmt.Errorf("want <placeholder:N>=value")
	}
	s[k] = val
	return nil
}

func (f *scenarioFlags) register(fs *flag.FlagSet) {
	f.values = setFlag{}
	fs.StringVar(&f.url, "url", "", "replay against this base `URL`: an oktaemu server (a fresh org per run through its control plane) or any org such as a real one (default: in-process emulator)")
	fs.StringVar(&f.token, "token", "", "SSWS API `token` for --url when it is not an emulator (default $OKTAEMU_TOKEN)")
	fs.StringVar(&f.adminToken, "admin-token", "", "control-plane `token` of the --url emulator (default $OKTAEMU_ADMIN_TOKEN)")
	fs.StringVar(&f.format, "format", "table", "output `format`: "+strings.Join(scnreport.Formats, ", "))
	fs.StringVar(&f.output, "output", "", "write the report to `FILE` instead of stdout")
	fs.IntVar(&f.parallel, "parallel", runtime.GOMAXPROCS(0), "`N` runs at a time")
	fs.Var(f.values, "set", "`<placeholder:N>=value` for a request placeholder no response provides (repeatable)")
}

// options builds the run options (backend from --url).
func (f *scenarioFlags) options(ctx context.Context) scenarios.Options {
	// Table, Markdown and JUnit show only differences: drop the bodies of
	// the exchanges that passed (long runs stay small).
	lean := f.format != "json" && f.format != "html"
	o := scenarios.Options{Values: f.values, Parallel: f.parallel, Lean: lean}
	if f.url != "" {
		token := f.token
		if token == "" {
			token = os.Getenv("OKTAEMU_TOKEN")
		}
		admin := f.adminToken
		if admin == "" {
			admin = os.Getenv("OKTAEMU_ADMIN_TOKEN")
		}
		o.Backend = scenarios.Probe(ctx, f.url, token, admin)
	}
	return scenarios.WithReconstruction(o)
}

// load reads every FILE|DIR|HAR argument.
func loadScenarios(cmd string, args []string) ([]*scenarios.Scenario, error) {
	if len(args) == 0 {
		return nil, usageErrorf(cmd, "no scenario given (FILE, DIR or HAR)")
	}
	var out []*scenarios.Scenario
	for _, a := range args {
		ss, err := scenarios.LoadAny(a)
		if err != nil {
			return nil, err
		}
		out = append(out, ss...)
	}
	return out, nil
}

// write renders r to --output or stdout.
func (f *scenarioFlags) write(r *scnreport.Report, stdout io.Writer) error {
	w := stdout
	if f.output != "" {
		file, err := os.Create(f.output)
		if err != nil {
			return err
		}
		defer file.Close()
		w = file
	}
	return r.Write(w, f.format)
}

func (f *scenarioFlags) check(cmd string) error {
	for _, ff := range scnreport.Formats {
		if f.format == ff || (f.format == "md" && ff == "markdown") {
			return nil
		}
	}
	return usageErrorf(cmd, "--format %q: want one of %s", f.format, strings.Join(scnreport.Formats, ", "))
}

// runReplay is `oktaemu replay`: replay scenarios and check the expected
// responses; exit status 1 on a mismatch.
func runReplay(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("replay", flag.ContinueOnError)
	var f scenarioFlags
	f.register(fs)
	engine := fs.String("engine", "", "run on `ENGINE`: classic, identity or both (default: each scenario's own)")
	stop := fs.Bool("stop", false, "stop each run at its first mismatch (a hard failure always stops it)")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), `Usage: oktaemu replay [flags] FILE|DIR|HAR...

Replay scenarios (scenarios/README.md) and compare every response with the
expected one. Values the server minted (state and session tokens, ids,
cookies, links) are learned from the responses and substituted into later
requests; a recording's missing users, apps and factors are reconstructed.
Exit status 1 when an expectation is not met.

Examples:

	oktaemu replay scenarios/seed000
	oktaemu replay --engine identity my-flow.yaml
	oktaemu replay --url http://127.0.0.1:8080 --format junit --output replay.xml scenarios/
	oktaemu replay --url https://acme.okta.com --token $OKTA_TOKEN --engine classic flow.yaml

Flags:

`)
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args, stdout); err != nil {
		return err
	}
	if err := f.check("replay"); err != nil {
		return err
	}
	o := f.options(ctx)
	o.StopOnMismatch = *stop
	if *engine != "" {
		// The scenario format validates the name (one engine or both).
		probe := scenarios.Scenario{Engine: *engine, Exchanges: []scenarios.Exchange{{Request: scenarios.Request{Method: "GET", Path: "/"}}}}
		if err := probe.Validate(); err != nil {
			return usageErrorf("replay", "--engine %q: want classic, identity or both", *engine)
		}
		o.Engines = probe.Engines()
	}
	scs, err := loadScenarios("replay", fs.Args())
	if err != nil {
		return err
	}
	total := 0
	for _, sc := range scs {
		n := len(sc.Engines())
		if o.Engines != nil {
			n = len(o.Engines)
		}
		total += n * len(sc.Exchanges)
	}
	bar := newProgress(stdout, stderr, total)
	o.Progress = bar.step
	results := scenarios.Run(ctx, scs, o)
	bar.done()
	r := scnreport.FromReplay("oktaemu replay "+strings.Join(fs.Args(), " "), results)
	if err := f.write(r, stdout); err != nil {
		return err
	}
	if r.Failed() {
		return fmt.Errorf("replay: %d of %d runs failed", r.Sum.Failed, r.Sum.Cases)
	}
	return nil
}

// progress draws a bar on stderr while stdout is a terminal.
type progress struct {
	w     io.Writer
	total int64
	n     atomic.Int64
	mu    sync.Mutex
	last  time.Time
	shown bool
}

func newProgress(stdout, stderr io.Writer, total int) *progress {
	p := &progress{total: int64(total)}
	if isTerminal(stdout) && total > 0 {
		p.w = stderr
	}
	return p
}

func (p *progress) step() {
	n := p.n.Add(1)
	if p.w == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if time.Since(p.last) < 100*time.Millisecond && n < p.total {
		return
	}
	p.last = time.Now()
	const width = 30
	fill := int(int64(width) * n / p.total)
	if fill > width {
		fill = width
	}
	fmt.Fprintf(p.w, "\r[%s%s] %d/%d exchanges", strings.Repeat("#", fill), strings.Repeat("-", width-fill), n, p.total)
	p.shown = true
}

func (p *progress) done() {
	if p.w != nil && p.shown {
		fmt.Fprint(p.w, "\r\033[K")
	}
}

// isTerminal reports whether w is a character device (a terminal).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	if err != nil || st.Mode()&os.ModeCharDevice == 0 {
		return false
	}
	// /dev/null is a character device too, but no terminal.
	if null, err := os.Stat(os.DevNull); err == nil && os.SameFile(st, null) {
		return false
	}
	return true
}
