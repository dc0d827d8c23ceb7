package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	fastjson "github.com/goccy/go-json"
	"github.com/pquerna/otp/totp"
	vegeta "github.com/tsenart/vegeta/v12/lib"
	"github.com/valyala/fasthttp"

	"github.com/oktaemu/oktaemu/emulator"
	"github.com/oktaemu/oktaemu/fixtures"
	"github.com/oktaemu/oktaemu/fixtures/synth"
)

const (
	loadToken    = "00oktaemu-load-token"
	loadPassword = synth.Password
	// factorsLogin holds exactly three factors: the FACTORS measure.
	factorsLogin = "factors000000@example.com"
	// passwordLogin signs in with a password alone: the AUTHN measure.
	passwordLogin = "alice@example.com"
)

// target is a running server: the emulator or a baseline.
type target struct {
	url   string
	close func()
}

func listen(h http.Handler) (target, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return target{}, err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	return target{url: "http://" + ln.Addr().String(), close: func() { _ = srv.Close() }}, nil
}

// loadFixture is classic-default plus the factors user and n sign-in users
// (members of mfa-required, with a TOTP factor each).
func loadFixture(n int) (*fixtures.Org, error) {
	fx, err := fixtures.Load(fixtures.Default("classic"))
	if err != nil {
		return nil, err
	}
	fx.APITokens = append(fx.APITokens, fixtures.APIToken{Name: "load", Token: loadToken})
	fx.Users = append(fx.Users, synth.ThreeFactors("factors", 0))
	for i := range n {
		fx.Users = append(fx.Users, synth.MFAUser("load", i, "mfa-required"))
	}
	return fx, nil
}

var client = &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 256}}

func do(base, method, path, body string) (int, []byte, error) {
	st, b, _, err := exchange(base, method, path, body)
	return st, b, err
}

// exchange is do returning the answer's header too.
func exchange(base, method, path, body string) (int, []byte, http.Header, error) {
	req, err := http.NewRequest(method, base+path, strings.NewReader(body))
	if err != nil {
		return 0, nil, nil, err
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Authorization", "SSWS "+loadToken)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, nil, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, resp.Header, err
}

// attack drives t at full speed for c.duration over c.conns connections
// and returns successful requests per second.
func attack(c config, tgts []vegeta.Target) (float64, error) {
	atk := vegeta.NewAttacker(vegeta.Workers(uint64(c.conns)), vegeta.MaxWorkers(uint64(c.conns)),
		vegeta.Connections(c.conns), vegeta.MaxConnections(c.conns), vegeta.KeepAlive(true),
		vegeta.Timeout(10*time.Second), vegeta.Redirects(vegeta.NoFollow))
	var m vegeta.Metrics
	for res := range atk.Attack(vegeta.NewStaticTargeter(tgts...), vegeta.Rate{Freq: 0}, c.duration, "load") {
		m.Add(res)
	}
	m.Close()
	if len(m.Errors) > 0 {
		return 0, fmt.Errorf("%s %s: %d errors, first: %s", tgts[0].Method, tgts[0].URL, len(m.Errors), m.Errors[0])
	}
	if m.Success < 1 {
		return 0, fmt.Errorf("%s %s: status codes %v", tgts[0].Method, tgts[0].URL, m.StatusCodes)
	}
	return m.Throughput, nil
}

// compare runs the attacks on the emulator and on the baseline in
// alternation, c.rounds times each, and keeps the best of each side.
func compare(c config, name string, emu, base func() (float64, error), min float64) (row, error) {
	var bestE, bestB float64
	for range c.rounds {
		b, err := base()
		if err != nil {
			return row{}, err
		}
		e, err := emu()
		if err != nil {
			return row{}, err
		}
		bestE, bestB = max(bestE, e), max(bestB, b)
	}
	ratio := bestE / bestB
	return row{measure: name, emulator: rate(bestE), baseline: rate(bestB),
		ratio: fmt.Sprintf("%.2f", ratio), target: fmt.Sprintf(">= %.1f", min), ok: yesNo(ratio >= min)}, nil
}

// vegetaAttack is an attack (see compare) by vegeta on tgts.
func vegetaAttack(c config, tgts []vegeta.Target) func() (float64, error) {
	return func() (float64, error) { return attack(c, tgts) }
}

func measureFactors(c config) ([]row, error) {
	fx, err := loadFixture(0)
	if err != nil {
		return nil, err
	}
	emu, err := startBinary(c, "factors", fx)
	if err != nil {
		return nil, err
	}
	defer emu.close()
	u, err := userID(emu.url, factorsLogin)
	if err != nil {
		return nil, err
	}
	path := "/api/v1/users/" + u + "/factors"
	st, want, wantHdr, err := exchange(emu.url, "GET", path, "")
	if err != nil || st != 200 {
		return nil, fmt.Errorf("GET %s: %d %s %v", path, st, want, err)
	}
	base, err := startBare("bytes", want, wantHdr)
	if err != nil {
		return nil, err
	}
	defer base.close()
	const name = "GET /api/v1/users/{id}/factors (3 factors)"
	hdr := http.Header{"Authorization": {"SSWS " + loadToken}, "Accept": {"application/json"}}
	r, err := compare(c, name+", vegeta",
		vegetaAttack(c, []vegeta.Target{{Method: "GET", URL: emu.url + path, Header: hdr}}),
		vegetaAttack(c, []vegeta.Target{{Method: "GET", URL: base.url + path, Header: hdr}}), 0.8)
	if err != nil || c.wrk == "" {
		return []row{r}, err
	}
	wrkHdr := []string{"Authorization: SSWS " + loadToken, "Accept: application/json"}
	w, err := compare(c, name+", wrk",
		wrkAttack(c, emu.url+path, wrkHdr, ""), wrkAttack(c, base.url+path, wrkHdr, ""), 0.8)
	return []row{r, w}, err
}

// authnUsers is the number of password-only users the AUTHN measure
// rotates through. Okta limits authn to 4 per second per username, and so
// does the emulator: the measure lifts that limit on the control plane
// (authnPerUsername 0) rather than growing the org to 40,000 users.
const authnUsers = 1000

func measureAuthn(c config) ([]row, error) {
	fx, err := loadFixture(0)
	if err != nil {
		return nil, err
	}
	for i := range authnUsers {
		fx.Users = append(fx.Users, synth.PasswordUser("pw", i))
	}
	emu, err := startBinary(c, "authn", fx)
	if err != nil {
		return nil, err
	}
	defer emu.close()
	bodyOf := func(i int) string {
		return `{"username":"` + synth.Login("pw", i) + `","password":"` + loadPassword + `","options":{"multiOptionalFactorEnroll":false,"warnBeforePasswordExpired":false}}`
	}
	st, want, wantHdr, err := exchange(emu.url, "POST", "/api/v1/authn", bodyOf(0))
	if err != nil || st != 200 || !bytes.Contains(want, []byte(`"SUCCESS"`)) {
		return nil, fmt.Errorf("POST /api/v1/authn: %d %s %v", st, want, err)
	}
	// The baseline parses the same body and answers a transaction of the
	// same size, with the same headers.
	base, err := startBare("authn", want, wantHdr)
	if err != nil {
		return nil, err
	}
	defer base.close()
	const name = "POST /api/v1/authn password -> SUCCESS"
	hdr := http.Header{"Content-Type": {"application/json"}, "Accept": {"application/json"}}
	targets := func(url string) []vegeta.Target {
		ts := make([]vegeta.Target, authnUsers)
		for i := range ts {
			ts[i] = vegeta.Target{Method: "POST", URL: url + "/api/v1/authn", Body: []byte(bodyOf(i)), Header: hdr}
		}
		return ts
	}
	r, err := compare(c, name+", vegeta", vegetaAttack(c, targets(emu.url)), vegetaAttack(c, targets(base.url)), 0.6)
	if err != nil || c.wrk == "" {
		return []row{r}, err
	}
	var bodies strings.Builder
	for i := range authnUsers {
		bodies.WriteString(bodyOf(i) + "\n")
	}
	script, err := writeTemp(emu.dir, "bodies.lua", wrkBodiesScript)
	if err != nil {
		return nil, err
	}
	file, err := writeTemp(emu.dir, "bodies.txt", []byte(bodies.String()))
	if err != nil {
		return nil, err
	}
	threads := strconv.Itoa(wrkThreads())
	w, err := compare(c, name+", wrk", wrkAttack(c, emu.url, nil, script, file, "/api/v1/authn", threads),
		wrkAttack(c, base.url, nil, script, file, "/api/v1/authn", threads), 0.6)
	return []row{r, w}, err
}

// userID looks login up on the running emulator.
func userID(base, login string) (string, error) {
	st, b, err := do(base, "GET", "/api/v1/users/"+login, "")
	if err != nil || st != 200 {
		return "", fmt.Errorf("GET user %s: %d %s %v", login, st, b, err)
	}
	var u struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(b, &u); err != nil || u.ID == "" {
		return "", fmt.Errorf("GET user %s: %s", login, b)
	}
	return u.ID, nil
}

// authnFactor is a factor of an authn transaction's _embedded.factors.
type authnFactor struct {
	FactorType string `json:"factorType"`
	Links      struct {
		Verify struct {
			Href string `json:"href"`
		} `json:"verify"`
	} `json:"_links"`
}

// totpCodes are the TOTP codes of the load fixture's users 0..n-1 at now:
// computed before a round, as an authenticator app shows them, so the
// round times the server's work and the client's calls only.
func totpCodes(n int, now time.Time) ([]string, error) {
	codes := make([]string, n)
	for i := range codes {
		code, err := totp.GenerateCode(synth.Secret(i), now)
		if err != nil {
			return nil, err
		}
		codes[i] = code
	}
	return codes, nil
}

// signIn runs one full MFA sign-in of user i, code its TOTP code: authn
// -> MFA_REQUIRED -> TOTP verify -> SUCCESS -> POST /api/v1/sessions.
func signIn(base string, i int, code string) error {
	login := synth.Login("load", i)
	st, b, err := post(base, "/api/v1/authn", `{"username":"`+login+`","password":"`+loadPassword+`"}`)
	if err != nil || st != 200 {
		return fmt.Errorf("authn %s: %d %s %v", login, st, b, err)
	}
	var tx struct {
		Status       string `json:"status"`
		StateToken   string `json:"stateToken"`
		SessionToken string `json:"sessionToken"`
		Embedded     struct {
			Factors []authnFactor `json:"factors"`
		} `json:"_embedded"`
	}
	if err := fastjson.Unmarshal(b, &tx); err != nil || tx.Status != "MFA_REQUIRED" {
		return fmt.Errorf("authn %s: want MFA_REQUIRED, got %s", login, b)
	}
	i = slices.IndexFunc(tx.Embedded.Factors, func(f authnFactor) bool { return f.FactorType == "token:software:totp" })
	if i < 0 {
		return fmt.Errorf("no TOTP factor in %s", b)
	}
	href := tx.Embedded.Factors[i].Links.Verify.Href
	st, b, err = post(base, strings.TrimPrefix(href, base), `{"stateToken":"`+tx.StateToken+`","passCode":"`+code+`"}`)
	if err != nil || st != 200 {
		return fmt.Errorf("verify %s: %d %s %v", login, st, b, err)
	}
	tx.SessionToken = ""
	if err := fastjson.Unmarshal(b, &tx); err != nil || tx.Status != "SUCCESS" || tx.SessionToken == "" {
		return fmt.Errorf("verify %s: want SUCCESS, got %s", login, b)
	}
	st, b, err = post(base, "/api/v1/sessions", `{"sessionToken":"`+tx.SessionToken+`"}`)
	if err != nil || st != 200 {
		return fmt.Errorf("session %s: %d %s %v", login, st, b, err)
	}
	return nil
}

// signInClient drives the sign-in workers. fasthttp's client costs a
// fraction of net/http's per call (and goccy/go-json parses the answers),
// which matters here: the client shares the two cores with the server it
// measures (vegeta, for the single-call measures, uses net/http).
var signInClient = &fasthttp.Client{MaxConnsPerHost: 256, ReadTimeout: 10 * time.Second, WriteTimeout: 10 * time.Second}

// post sends a JSON body and returns status and a copy of the answer.
func post(base, path, body string) (int, []byte, error) {
	req, resp := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
	defer fasthttp.ReleaseRequest(req)
	defer fasthttp.ReleaseResponse(resp)
	req.SetRequestURI(base + path)
	req.Header.SetMethod(fasthttp.MethodPost)
	req.Header.SetContentType("application/json")
	req.Header.Set("Accept", "application/json")
	req.SetBodyString(body)
	if err := signInClient.Do(req, resp); err != nil {
		return 0, nil, err
	}
	return resp.StatusCode(), append([]byte(nil), resp.Body()...), nil
}

func measureSignIn(c config) ([]row, error) {
	fx, err := loadFixture(c.signins)
	if err != nil {
		return nil, err
	}
	emu, err := startBinary(c, "signin", fx)
	if err != nil {
		return nil, err
	}
	defer emu.close() // on early returns; close is idempotent
	clock := &orgClock{base: emu.url}
	perSec, err := signInRounds(c, clock, signIns)
	if err != nil {
		return nil, err
	}
	rows := []row{signInRow("MFA sign-in, oktaemu binary, Go client", perSec)}
	if c.wrk != "" {
		if perSec, err = signInRounds(c, clock, wrkSignIns); err != nil {
			return nil, err
		}
		rows = append(rows, signInRow("MFA sign-in, oktaemu binary, wrk", perSec))
	}
	emu.close() // now: the in-process measure needs the cores

	// The same org served in this process, as the in-process helper
	// (emulatortest, shaped like httptest) serves a Go test suite: client
	// and server goroutines share one scheduler instead of two processes
	// competing for the two cores.
	if fx, err = loadFixture(c.signins); err != nil {
		return nil, err
	}
	s, err := emulator.New(emulator.Options{Seed: fx, APIToken: loadToken})
	if err != nil {
		return nil, err
	}
	t, err := listen(s.Handler())
	if err != nil {
		return nil, err
	}
	defer t.close()
	if err := liftLimits(t.url); err != nil {
		return nil, err
	}
	if perSec, err = signInRounds(c, &orgClock{base: t.url}, signIns); err != nil {
		return nil, err
	}
	return append(rows, signInRow("MFA sign-in, in-process server, Go client", perSec)), nil
}

func signInRow(name string, perSec float64) row {
	return row{measure: name, emulator: rate(perSec), baseline: "-", ratio: "-", target: ">= 10000/s", ok: yesNo(perSec >= 10000)}
}

// orgClock keeps the sign-in measure's users signing in with fresh codes:
// a TOTP code is good once per user and 30-second step, so every round
// after the first moves the org's clock 30 s further (control plane) and
// the same users sign in again with codes for the org's time.
type orgClock struct {
	base   string
	offset time.Duration // the org's clock ahead of the wall clock
	used   bool
}

// next readies a round and returns the org clock's offset for it.
func (o *orgClock) next() (time.Duration, error) {
	if o.used {
		if st, b, err := do(o.base, "POST", "/_emulator/orgs/default/clock/advance", `{"duration":"30s"}`); err != nil || st != 200 {
			return 0, fmt.Errorf("advancing the org clock: %d %s %v", st, b, err)
		}
		o.offset += 30 * time.Second
	}
	o.used = true
	return o.offset, nil
}

// signInRounds runs c.rounds rounds of run (sign-ins against the org of
// clock) and returns the best, as the other measures keep the best of
// their rounds.
func signInRounds(c config, clock *orgClock, run func(c config, base string, offset time.Duration) (float64, error)) (float64, error) {
	var best float64
	for range max(1, c.rounds) {
		offset, err := clock.next()
		if err != nil {
			return 0, err
		}
		perSec, err := run(c, clock.base, offset)
		if err != nil {
			return 0, err
		}
		best = max(best, perSec)
	}
	return best, nil
}

// signIns runs c.signins MFA sign-ins against base with c.conns
// closed-loop workers and returns sign-ins per second. The fixture leaves
// the org on the wall clock, offset ahead: TOTP codes are computed for
// now+offset.
func signIns(c config, base string, offset time.Duration) (float64, error) {
	codesAt := time.Now()
	codes, err := totpCodes(c.signins, codesAt.Add(offset))
	if err != nil {
		return 0, err
	}
	// A code is good for its 30-second step and the next one: a slow round
	// (the race detector, a profiler) computes fresh codes past 30 s.
	code := func(i int) (string, error) {
		if time.Since(codesAt) < 30*time.Second {
			return codes[i], nil
		}
		return totp.GenerateCode(synth.Secret(i), time.Now().Add(offset))
	}
	if err := signIn(base, 0, codes[0]); err != nil {
		return 0, err
	}
	var next atomic.Int64
	next.Store(1)
	var firstErr atomic.Value
	var wg sync.WaitGroup
	start := time.Now()
	for range c.conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= c.signins || firstErr.Load() != nil {
					return
				}
				cd, err := code(i)
				if err == nil {
					err = signIn(base, i, cd)
				}
				if err != nil {
					firstErr.CompareAndSwap(nil, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	took := time.Since(start)
	if err, _ := firstErr.Load().(error); err != nil {
		return 0, err
	}
	return float64(c.signins-1) / took.Seconds(), nil
}

func freePort() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

func rssOf(pid int) (uint64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmRSS:" {
			kb, err := strconv.ParseUint(f[1], 10, 64)
			return kb << 10, err
		}
	}
	return 0, fmt.Errorf("no VmRSS")
}

// startOnce starts the binary, polls until the first 200, and returns the
// time it took and the process's RSS after 100 more requests.
func startOnce(bin string) (time.Duration, uint64, error) {
	addr, err := freePort()
	if err != nil {
		return 0, 0, err
	}
	cmd := exec.Command(bin, "serve", "--addr", addr, "--log-level", "warn")
	cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
	poll := &http.Client{Timeout: time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return 0, 0, err
	}
	defer func() { _ = cmd.Process.Signal(syscall.SIGTERM); _ = cmd.Wait() }()
	url := "http://" + addr + "/.well-known/okta-organization"
	var took time.Duration
	for {
		resp, err := poll.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				took = time.Since(start)
				break
			}
		}
		if time.Since(start) > 10*time.Second {
			return 0, 0, fmt.Errorf("%s: no 200 within 10s", bin)
		}
		time.Sleep(200 * time.Microsecond)
	}
	for range 100 {
		if st, _, err := do("http://"+addr, "GET", "/api/v1/users?limit=20", ""); err != nil || st != 401 && st != 200 {
			return 0, 0, fmt.Errorf("GET users: %d %v", st, err)
		}
	}
	rss, err := rssOf(cmd.Process.Pid)
	return took, rss, err
}

func measureStart(c config) ([]row, error) {
	var starts []time.Duration
	var rss uint64
	for range 7 {
		d, r, err := startOnce(c.bin)
		if err != nil {
			return nil, err
		}
		starts = append(starts, d)
		rss = max(rss, r)
	}
	slices.Sort(starts)
	med := starts[len(starts)/2]
	return []row{
		{measure: "process start -> first 200 (median of 7)", emulator: med.Round(100 * time.Microsecond).String(), baseline: "-", ratio: "-", target: "<= 60 ms", ok: yesNo(med <= 60*time.Millisecond)},
		{measure: "RSS, default fixture (max of 7)", emulator: mib(rss), baseline: "-", ratio: "-", target: "<= 30 MiB", ok: yesNo(rss <= 30<<20)},
	}, nil
}

func heapInUse() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse
}

func measureMemory(c config) ([]row, error) {
	fx := synth.Org("classic", loadToken, c.users, func(i int) fixtures.User { return synth.ThreeFactors("mem", i) })
	before := heapInUse()
	s, err := emulator.New(emulator.Options{Seed: fx, APIToken: loadToken})
	if err != nil {
		return nil, err
	}
	fx = nil
	after := heapInUse()
	if c.memprofile != "" {
		if err := writeHeapProfile(c.memprofile); err != nil {
			return nil, err
		}
	}
	runtime.KeepAlive(s)
	used := after - min(after, before)
	return []row{{measure: fmt.Sprintf("heap, %d users x 3 factors", c.users), emulator: mib(used), baseline: "-", ratio: "-",
		target: "<= 300 MiB", ok: yesNo(used <= 300<<20)}}, nil
}

func measureOrgs(c config) ([]row, error) {
	fx, err := fixtures.Load(fixtures.Default("classic"))
	if err != nil {
		return nil, err
	}
	before := heapInUse()
	s, err := emulator.New(emulator.Options{Seed: fx, APIToken: loadToken})
	if err != nil {
		return nil, err
	}
	for i := 1; i < c.orgs; i++ {
		if _, err := s.AddOrg(fmt.Sprintf("org%04d", i), "", fx); err != nil {
			return nil, err
		}
	}
	t, err := listen(s.Handler())
	if err != nil {
		return nil, err
	}
	defer t.close()
	last := fmt.Sprintf("/_org/org%04d/api/v1/users?limit=1", c.orgs-1)
	st, b, err := do(t.url, "GET", last, "")
	if err != nil || st != 200 {
		return nil, fmt.Errorf("GET %s: %d %s %v", last, st, b, err)
	}
	used := heapInUse() - before
	return []row{{measure: fmt.Sprintf("%d orgs in one process (heap)", c.orgs), emulator: mib(used), baseline: "-", ratio: "-",
		target: "1000 orgs serve", ok: yesNo(len(s.OrgNames()) >= 1000)}}, nil
}

func writeHeapProfile(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := pprof.WriteHeapProfile(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
