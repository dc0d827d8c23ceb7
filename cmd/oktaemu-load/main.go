package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime/pprof"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"
)

// config is what the flags set.
type config struct {
	duration time.Duration
	conns    int
	rounds   int
	signins  int
	bin      string
	only     string
	users    int
	orgs     int
	// memprofile, when set, receives a heap profile taken by the memory
	// measure while the big org is alive.
	memprofile string
	// cpuprofile, when set, receives a CPU profile of the whole run
	// (load generator and emulator share the process).
	cpuprofile string
	// wrk is the path of wrk, "" when it is not installed (wrk.go).
	wrk string
	// emuProfile and emuMutex, when set, make each emulator process write
	// a CPU profile to <emuProfile>.<measure> and a lock contention profile
	// to <emuMutex>.<measure>.
	emuProfile, emuMutex string
}

// row is one line of the report.
type row struct {
	measure  string
	emulator string
	baseline string
	ratio    string
	target   string
	ok       string
}

func main() {
	var c config
	fs := flag.NewFlagSet("oktaemu-load", flag.ExitOnError)
	fs.DurationVar(&c.duration, "duration", 3*time.Second, "length of each throughput attack")
	fs.IntVar(&c.conns, "conns", 32, "keep-alive connections (and workers) per attack")
	fs.IntVar(&c.rounds, "rounds", 2, "attacks per side (sign-in runs per server); the best of each is kept")
	fs.IntVar(&c.signins, "signins", 30000, "MFA sign-ins to complete (one fresh user each)")
	fs.StringVar(&c.bin, "bin", "", "path to the oktaemu binary to measure (default: go build it into a temporary directory)")
	fs.IntVar(&c.users, "users", 100000, "users (3 factors each) for the memory measure")
	fs.IntVar(&c.orgs, "orgs", 1000, "orgs in one process for the orgs measure")
	fs.StringVar(&c.memprofile, "memprofile", "", "write a heap profile of the memory measure's org to this file")
	fs.StringVar(&c.cpuprofile, "cpuprofile", "", "write a CPU profile of this process (the load generator) to this file")
	fs.StringVar(&c.emuProfile, "emu-cpuprofile", "", "make the emulator write a CPU profile of each measure to `prefix`.<measure>")
	fs.StringVar(&c.emuMutex, "emu-mutexprofile", "", "make the emulator write a lock contention profile of each measure to `prefix`.<measure>")
	fs.StringVar(&c.wrk, "wrk", "wrk", "wrk `command` for the extra wrk rows (\"none\": skip them; skipped too when not installed)")
	fs.StringVar(&c.only, "only", "", "comma-separated measures to run: factors,authn,signin,start,memory,orgs (default all)")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: oktaemu-load [flags]\n\nMeasure oktaemu against a bare net/http baseline and print ratios.\n\n")
		fs.PrintDefaults()
	}
	if os.Getenv(bareModeEnv) != "" {
		// Re-executed as the baseline server (procs.go).
		if err := serveBare(); err != nil {
			fmt.Fprintln(os.Stderr, "oktaemu-load bare:", err)
			os.Exit(1)
		}
		return
	}
	_ = fs.Parse(os.Args[1:])
	c.wrk = findWrk(c.wrk)
	os.Exit(measureAll(c))
}

// measureAll runs the measures and returns the exit code; its deferred
// cleanups (built binary, profile) run before the process exits, and an
// interrupt stops the servers it started.
func measureAll(c config) int {
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-sigs
		closeAll()
		os.Exit(130)
	}()
	fail := func(err error) int {
		fmt.Fprintln(os.Stderr, "oktaemu-load:", err)
		return 1
	}
	if c.bin == "" && c.needsBinary() {
		bin, cleanup, err := buildBinary()
		if err != nil {
			return fail(err)
		}
		defer cleanup()
		c.bin = bin
	}
	if c.cpuprofile != "" {
		f, err := os.Create(c.cpuprofile)
		if err == nil {
			err = pprof.StartCPUProfile(f)
		}
		if err != nil {
			return fail(err)
		}
		defer func() { pprof.StopCPUProfile(); f.Close() }()
	}
	if err := run(os.Stdout, c); err != nil {
		return fail(err)
	}
	return 0
}

// needsBinary reports whether a chosen measure runs the oktaemu binary.
func (c config) needsBinary() bool {
	for _, m := range []string{"factors", "authn", "signin", "start"} {
		if c.want(m) {
			return true
		}
	}
	return false
}

// buildBinary builds cmd/oktaemu as the release does (CGO_ENABLED=0).
func buildBinary() (string, func(), error) {
	dir, err := os.MkdirTemp("", "oktaemu-load-bin-")
	if err != nil {
		return "", nil, err
	}
	bin := filepath.Join(dir, "oktaemu")
	cmd := exec.Command("go", "build", "-o", bin, "github.com/oktaemu/oktaemu/cmd/oktaemu")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	cmd.Stderr = os.Stderr
	fmt.Fprintln(os.Stderr, "building oktaemu...")
	if err := cmd.Run(); err != nil {
		os.RemoveAll(dir)
		return "", nil, fmt.Errorf("go build: %w (or pass -bin)", err)
	}
	return bin, func() { os.RemoveAll(dir) }, nil
}

func (c config) want(name string) bool {
	if c.only == "" {
		return true
	}
	for _, n := range strings.Split(c.only, ",") {
		if strings.TrimSpace(n) == name {
			return true
		}
	}
	return false
}

func run(w io.Writer, c config) error {
	var rows []row
	type measure struct {
		name string
		fn   func(config) ([]row, error)
	}
	for _, m := range []measure{
		{"factors", measureFactors},
		{"authn", measureAuthn},
		{"signin", measureSignIn},
		{"start", measureStart},
		{"memory", measureMemory},
		{"orgs", measureOrgs},
	} {
		if !c.want(m.name) {
			continue
		}
		fmt.Fprintf(os.Stderr, "measuring %s...\n", m.name)
		r, err := m.fn(c)
		if err != nil {
			return fmt.Errorf("%s: %w", m.name, err)
		}
		rows = append(rows, r...)
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "measure\temulator\tbaseline\tratio\ttarget\tmet")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", r.measure, r.emulator, r.baseline, r.ratio, r.target, r.ok)
	}
	return tw.Flush()
}

func yesNo(ok bool) string {
	if ok {
		return "yes"
	}
	return "NO"
}

func rate(n float64) string { return fmt.Sprintf("%.0f/s", n) }

func mib(b uint64) string { return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20)) }
