package main

import (
	_ "embed"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/oktaemu/oktaemu/fixtures/synth"
)

// wrk (github.com/wg/wrk, Debian's package `wrk`) is the yardstick
// ("a bare handler serves about 70k requests/s here under a wrk-style
// load"). Written in C, it costs a fraction of the CPU per call that a Go
// client does, and on two cores shared by client and server that matters:
// vegeta's own cost is the same for the emulator and the baseline, which
// pulls their ratio towards 1, and whatever the client spends the server
// cannot. When wrk is installed the throughput measures run with it too,
// in extra rows; Lua scripts (embedded below) drive the POST bodies and the
// multi-step sign-ins.

var (
	//go:embed wrk_signin.lua
	wrkSignInScript []byte
	//go:embed wrk_bodies.lua
	wrkBodiesScript []byte
)

// wrkThreads is one wrk thread per core, as wrk's README advises.
func wrkThreads() int { return runtime.NumCPU() }

// findWrk resolves the -wrk flag: "" when wrk is not installed (its rows
// are skipped, with a note on stderr).
func findWrk(flagValue string) string {
	if flagValue == "" || flagValue == "none" {
		return ""
	}
	path, err := exec.LookPath(flagValue)
	if err != nil {
		fmt.Fprintf(os.Stderr, "wrk not found (%v): its rows are skipped; on Debian: apt-get install wrk\n", err)
		return ""
	}
	return path
}

// wrkRun runs wrk against url for d (rounded to whole seconds, wrk's
// unit, at least one) and returns what it printed. script,
// when not empty, is a Lua file given args.
func wrkRun(c config, url string, d time.Duration, headers []string, script string, args ...string) (string, error) {
	argv := []string{"-t", strconv.Itoa(wrkThreads()), "-c", strconv.Itoa(max(c.conns, wrkThreads())),
		"-d", fmt.Sprintf("%ds", max(1, int(d.Round(time.Second).Seconds()))), "--timeout", "10s"}
	for _, h := range headers {
		argv = append(argv, "-H", h)
	}
	if script != "" {
		argv = append(argv, "-s", script)
	}
	argv = append(argv, url)
	if len(args) > 0 {
		argv = append(append(argv, "--"), args...)
	}
	out, err := exec.Command(c.wrk, argv...).CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("wrk %s: %v: %s", strings.Join(argv, " "), err, out)
	}
	return string(out), nil
}

var (
	wrkRate      = regexp.MustCompile(`(?m)^Requests/sec:\s+([0-9.]+)`)
	wrkBadStatus = regexp.MustCompile(`(?m)^\s*Non-2xx or 3xx responses: (\d+)`)
	wrkSockErr   = regexp.MustCompile(`(?m)^\s*Socket errors: .*`)
)

// parseWrkRate reads requests per second from wrk's report; answers other
// than 2xx/3xx and socket errors fail the attack, as vegeta's errors do.
func parseWrkRate(out string) (float64, error) {
	if m := wrkBadStatus.FindStringSubmatch(out); m != nil {
		return 0, fmt.Errorf("wrk: %s answers were not 2xx/3xx", m[1])
	}
	if m := wrkSockErr.FindString(out); m != "" {
		return 0, fmt.Errorf("wrk: %s", strings.TrimSpace(m))
	}
	m := wrkRate.FindStringSubmatch(out)
	if m == nil {
		return 0, fmt.Errorf("wrk printed no rate: %s", out)
	}
	return strconv.ParseFloat(m[1], 64)
}

// wrkAttack is an attack (see compare) by wrk on url.
func wrkAttack(c config, url string, headers []string, script string, args ...string) func() (float64, error) {
	return func() (float64, error) {
		out, err := wrkRun(c, url, c.duration, headers, script, args...)
		if err != nil {
			return 0, err
		}
		return parseWrkRate(out)
	}
}

// writeTemp writes data to name in dir and returns the path.
func writeTemp(dir, name string, data []byte) (string, error) {
	path := filepath.Join(dir, name)
	return path, os.WriteFile(path, data, 0o600)
}

// wrkSignInRate is the highest rate wrk's sign-in run is sized for: it
// lasts c.signins / wrkSignInRate seconds (at most -duration), so the users
// last; a faster server exhausts them and the run fails, asking for more.
const wrkSignInRate = 15000

// wrkSignIns runs MFA sign-ins with wrk against base, the org's clock
// offset ahead of the wall clock, and returns sign-ins per second.
func wrkSignIns(c config, base string, offset time.Duration) (float64, error) {
	// wrk counts in whole seconds: round down, so the users last.
	d := min(c.duration, time.Duration(float64(c.signins)/wrkSignInRate*float64(time.Second))).Truncate(time.Second)
	if d < time.Second {
		return 0, fmt.Errorf("wrk sign-ins: %d users last less than a second at %d sign-ins/s; raise -signins", c.signins, wrkSignInRate)
	}
	r, err := runWrkSignIns(c, base, offset, d)
	if err != nil {
		return 0, err
	}
	return r.rate(c.signins)
}

// runWrkSignIns runs wrk_signin.lua for d with users 0..c.signins-1 of
// the load fixture, their TOTP codes computed for now+offset.
func runWrkSignIns(c config, base string, offset, d time.Duration) (wrkResult, error) {
	dir, err := os.MkdirTemp("", "oktaemu-load-wrk-")
	if err != nil {
		return wrkResult{}, err
	}
	defer os.RemoveAll(dir)
	script, err := writeTemp(dir, "signin.lua", wrkSignInScript)
	if err != nil {
		return wrkResult{}, err
	}
	codes, err := totpCodes(c.signins, time.Now().Add(offset))
	if err != nil {
		return wrkResult{}, err
	}
	var users strings.Builder
	for i, code := range codes {
		fmt.Fprintf(&users, "%s %s\n", synth.Login("load", i), code)
	}
	file, err := writeTemp(dir, "users.txt", []byte(users.String()))
	if err != nil {
		return wrkResult{}, err
	}
	out, err := wrkRun(c, base, d, nil, script, file, strconv.Itoa(wrkThreads()), loadPassword)
	if err != nil {
		return wrkResult{}, err
	}
	return parseWrkSignIns(out)
}

// wrkResult is what wrk_signin.lua's done() reports.
type wrkResult struct {
	completed  int     // sign-ins that reached an ACTIVE session
	seconds    float64 // the run's length
	failed     int     // calls answered otherwise than the flow expects
	exhausted  int     // calls made after the thread's users ran out
	firstError string  // status and start of the first failed answer
}

var (
	wrkSignInLine = regexp.MustCompile(`(?m)^oktaemu-signins (\d+) (\d+) (\d+) (\d+)$`)
	wrkFirstError = regexp.MustCompile(`(?m)^oktaemu-first-error (.*)$`)
)

func parseWrkSignIns(out string) (wrkResult, error) {
	m := wrkSignInLine.FindStringSubmatch(out)
	if m == nil {
		return wrkResult{}, fmt.Errorf("wrk sign-ins: no result line in: %s", out)
	}
	var r wrkResult
	var us int
	for i, p := range []*int{&r.completed, &us, &r.failed, &r.exhausted} {
		*p, _ = strconv.Atoi(m[i+1])
	}
	r.seconds = float64(us) / 1e6
	if e := wrkFirstError.FindStringSubmatch(out); e != nil {
		r.firstError = e[1]
	}
	if m := wrkSockErr.FindString(out); m != "" {
		// A call lost to a timeout or reset is a failed call too.
		r.failed++
		if r.firstError == "" {
			r.firstError = strings.TrimSpace(m)
		}
	}
	return r, nil
}

// rate is sign-ins per second of a clean run: no failed call, and users
// that lasted the run.
func (r wrkResult) rate(users int) (float64, error) {
	switch {
	case r.failed > 0:
		return 0, fmt.Errorf("wrk sign-ins: %d calls failed, first: %s", r.failed, r.firstError)
	case r.exhausted > 0:
		return 0, fmt.Errorf("wrk sign-ins: the %d users ran out (over %d sign-ins/s); raise -signins", users, wrkSignInRate)
	case r.completed == 0 || r.seconds == 0:
		return 0, fmt.Errorf("wrk sign-ins: none completed")
	}
	return float64(r.completed) / r.seconds, nil
}
