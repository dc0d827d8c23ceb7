package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/oktaemu/oktaemu/emulator"
	"github.com/oktaemu/oktaemu/fixtures"
)

// serveConfig is what the serve flags and OKTAEMU_* variables set.
type serveConfig struct {
	addr            string
	engine          engineValue
	fixture         string
	org             string    // the default org's name
	orgs            orgsValue // --org: sets org, and adds orgs
	state           string
	apiToken        string
	adminToken      string
	logLevel        slog.Level
	logFormat       choiceValue
	shutdownTimeout time.Duration
	cpuprofile      string
	mutexprofile    string
}

// serveEnv lists the environment variable of every serve flag.
var serveEnv = []envVar{
	{"addr", "OKTAEMU_ADDR"},
	{"engine", "OKTAEMU_ENGINE"},
	{"fixture", "OKTAEMU_FIXTURE"},
	{"org", "OKTAEMU_ORG"},
	{"state", "OKTAEMU_STATE"},
	{"api-token", "OKTAEMU_API_TOKEN"},
	{"admin-token", "OKTAEMU_ADMIN_TOKEN"},
	{"log-level", "OKTAEMU_LOG_LEVEL"},
	{"log-format", "OKTAEMU_LOG_FORMAT"},
	{"shutdown-timeout", "OKTAEMU_SHUTDOWN_TIMEOUT"},
	{"cpuprofile", "OKTAEMU_CPUPROFILE"},
	{"mutexprofile", "OKTAEMU_MUTEXPROFILE"},
}

const defaultAddr = "127.0.0.1:8080"

func serveFlags() (*flag.FlagSet, *serveConfig) {
	c := &serveConfig{}
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.StringVar(&c.addr, "addr", defaultAddr, "`host:port` to listen on; port 0 picks a free port")
	fs.Var(&c.engine, "engine", "`engine` of the default org: classic or identity (default: the fixture's, else classic)")
	fs.StringVar(&c.fixture, "fixture", "", "embedded fixture `name` or path to a YAML fixture (default: <engine>-default)")
	c.org = "default"
	c.orgs = orgsValue{defaultName: &c.org}
	fs.Var(&c.orgs, "org", "`name` of the default org (its Host label and /_org/<name>/ prefix), or name=engine[:fixture] for one more org; repeatable, or comma-separated (default \"default\")")
	fs.StringVar(&c.state, "state", "", "`file` the orgs are restored from at start (when it exists) and saved to on shutdown, atomically")
	fs.StringVar(&c.apiToken, "api-token", "", "extra SSWS API `token` every org accepts (besides the fixture's)")
	fs.StringVar(&c.adminToken, "admin-token", "", "`token` required by the control plane under /_emulator/ (default: none required)")
	fs.TextVar(&c.logLevel, "log-level", slog.LevelInfo, "log `level`: debug (logs every request), info, warn or error")
	c.logFormat = choiceValue{value: "text", choices: []string{"text", "json"}}
	fs.Var(&c.logFormat, "log-format", "log `format`: text or json")
	fs.StringVar(&c.cpuprofile, "cpuprofile", "", "write a CPU profile (pprof) of the whole run to `file`, for performance work")
	fs.StringVar(&c.mutexprofile, "mutexprofile", "", "write a lock contention profile (pprof) of the whole run to `file` at shutdown, for performance work")
	fs.DurationVar(&c.shutdownTimeout, "shutdown-timeout", 10*time.Second, "how long in-flight requests may run after SIGINT/SIGTERM")
	fs.Usage = func() {
		w := fs.Output()
		fmt.Fprint(w, `Usage: oktaemu serve [flags]

Serve an emulated Okta org over HTTP until SIGINT or SIGTERM, then let
in-flight requests finish. The startup log line prints the base URL and the
SSWS token to use (the fixture's first API token, or --api-token).

Other orgs are addressed by Host (<org>.localhost:8080) or by path prefix
(/_org/<org>/api/v1/...); start them with --org name=engine[:fixture], or
create them on the control plane (POST /_emulator/orgs).

With --state FILE the orgs are saved to FILE on shutdown (temporary file,
fsync, rename) and restored from it at the next start; while FILE exists
it wins over --engine, --fixture and --org.

Examples:

	oktaemu serve
	oktaemu serve --engine identity
	oktaemu serve --addr 0.0.0.0:8080 --fixture ./my-org.yaml --api-token 00my-token
	oktaemu serve --org acme=identity --org beta=classic:./beta.yaml   # three orgs
	oktaemu serve --state ./oktaemu-state.json                         # keep orgs across restarts
	OKTAEMU_ENGINE=identity OKTAEMU_LOG_LEVEL=debug oktaemu serve

Flags (a flag given on the command line beats its environment variable):

`)
		env := map[string]string{}
		for _, v := range serveEnv {
			env[v.flag] = v.key
		}
		fs.VisitAll(func(f *flag.Flag) {
			name, usage := flag.UnquoteUsage(f)
			fmt.Fprintf(w, "  --%s %s\n    \t%s", f.Name, name, usage)
			if f.DefValue != "" && !strings.Contains(usage, "(default") {
				fmt.Fprintf(w, " (default %s)", f.DefValue)
			}
			if key := env[f.Name]; key != "" {
				fmt.Fprintf(w, " [$%s]", key)
			}
			fmt.Fprintln(w)
		})
	}
	return fs, c
}

// parseServe reads the serve flags and environment and checks them.
func parseServe(args []string, stdout io.Writer) (*serveConfig, error) {
	fs, c := serveFlags()
	if err := parseFlags(fs, args, stdout); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, usageErrorf("serve", "unexpected arguments %q", fs.Args())
	}
	if err := applyEnv(fs, serveEnv); err != nil {
		return nil, err
	}
	if _, _, err := net.SplitHostPort(c.addr); err != nil {
		return nil, usageErrorf("serve", "--addr %q: %v", c.addr, err)
	}
	return c, nil
}

// parseEngine accepts the name of one of emulator.Engines, in any case.
func parseEngine(s string) (emulator.Engine, error) {
	var names []string
	for _, e := range emulator.Engines() {
		if strings.EqualFold(s, string(e)) {
			return e, nil
		}
		names = append(names, string(e))
	}
	return "", fmt.Errorf("unknown engine %q (want %s)", s, strings.Join(names, " or "))
}

// engineValue is a flag.Value holding an engine; empty means unset.
type engineValue struct{ engine emulator.Engine }

func (v *engineValue) String() string { return string(v.engine) }

// Set accepts the name of one of emulator.Engines.
func (v *engineValue) Set(s string) error {
	e, err := parseEngine(s)
	if err != nil {
		return err
	}
	v.engine = e
	return nil
}

// choiceValue is a flag.Value restricted to a fixed set of strings.
type choiceValue struct {
	value   string
	choices []string
}

func (v *choiceValue) String() string { return v.value }

// Set accepts one of the choices.
func (v *choiceValue) Set(s string) error {
	if !slices.Contains(v.choices, s) {
		return fmt.Errorf("want %s", strings.Join(v.choices, " or "))
	}
	v.value = s
	return nil
}

// options maps the configuration onto emulator.Options, loading the
// fixture so that a bad name or file is reported before listening.
func (c *serveConfig) options(logger *slog.Logger) (emulator.Options, error) {
	opts := emulator.Options{Name: c.org, Engine: c.engine.engine, APIToken: c.apiToken, AdminToken: c.adminToken,
		Logger: logger}
	if c.fixture != "" {
		fx, err := fixtures.Load(c.fixture)
		if err != nil {
			return opts, usageErrorf("serve", "--fixture: %v", err)
		}
		opts.Seed = fx
	}
	return opts, nil
}

func (c *serveConfig) logger(stderr io.Writer) *slog.Logger {
	ho := &slog.HandlerOptions{Level: c.logLevel}
	if c.logFormat.value == "json" {
		return slog.New(slog.NewJSONHandler(stderr, ho))
	}
	return slog.New(slog.NewTextHandler(stderr, ho))
}

// runServe is `oktaemu serve`.
func runServe(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
	c, err := parseServe(args, stdout)
	if err != nil {
		return err
	}
	logger := c.logger(stderr)
	opts, err := c.options(logger)
	if err != nil {
		return err
	}
	emu, err := emulator.New(opts)
	if err != nil {
		return usageErrorf("serve", "%v", err)
	}
	if err := c.orgs.addOrgs(emu); err != nil {
		return err
	}
	if c.state != "" {
		restored, err := loadState(emu, c.state)
		if err != nil {
			return err
		}
		// Written once now, so an unwritable path fails at start rather than
		// at shutdown (a restored state is rewritten byte for byte).
		if err := saveState(emu, c.state); err != nil {
			return err
		}
		logger.Info("state", "file", c.state, "restored", restored, "orgs", emu.OrgNames())
	}
	for _, p := range []struct {
		flag, path string
		start      func(string) (func() error, error)
	}{{"--cpuprofile", c.cpuprofile, startCPUProfile}, {"--mutexprofile", c.mutexprofile, startMutexProfile}} {
		if p.path == "" {
			continue
		}
		stop, err := p.start(p.path)
		if err != nil {
			return fmt.Errorf("serve: %s: %w", p.flag, err)
		}
		defer func() {
			if err := stop(); err != nil {
				logger.Error("profile not written", "flag", p.flag, "file", p.path, "err", err)
			}
		}()
	}
	if pct := tuneGC(); pct > 0 {
		logger.Debug("gc", "gogc", pct)
	}
	ln, err := net.Listen("tcp", c.addr)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	handler := logRequests(emu.Handler(), logger)
	if wrapForTest != nil {
		handler = wrapForTest(handler)
	}
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()

	org := emu.DefaultOrg()
	fx := org.Fixture()
	token, tokenFrom := c.apiToken, "--api-token"
	if token == "" {
		tokenFrom = "fixture"
		if toks := fx.APITokens; len(toks) > 0 {
			token = toks[0].Token
		}
	}
	// The one log line that shows a token's value: what a user needs to
	// start calling the emulator.
	logger.Info("oktaemu serving",
		"url", baseURL(ln.Addr()), "engine", string(org.Engine()), "org", org.Name(),
		"fixture", fx.Name, "token", token, "token_from", tokenFrom,
		"admin_token_required", c.adminToken != "", "orgs", emu.OrgNames())

	select {
	case err := <-served:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	logger.Info("shutting down", "timeout", c.shutdownTimeout.String())
	sctx, cancel := context.WithTimeout(context.Background(), c.shutdownTimeout)
	defer cancel()
	shutdownErr := srv.Shutdown(sctx)
	if shutdownErr == nil {
		if err := <-served; !errors.Is(err, http.ErrServerClosed) {
			shutdownErr = err
		}
	}
	// Saved after in-flight requests finished (or the grace period ran
	// out), so the file holds their effects.
	if c.state != "" {
		if err := saveState(emu, c.state); err != nil {
			return errors.Join(err, shutdownErr)
		}
		logger.Info("state saved", "file", c.state, "orgs", emu.OrgNames())
	}
	if shutdownErr != nil {
		return fmt.Errorf("serve: shutdown: %w", shutdownErr)
	}
	logger.Info("stopped")
	return nil
}

// wrapForTest, when a test sets it, wraps serve's handler (to hold a request
// in flight across a shutdown). Nil outside tests.
var wrapForTest func(http.Handler) http.Handler

// baseURL is the URL a local client reaches addr at: an unspecified host
// (0.0.0.0, ::) becomes 127.0.0.1.
func baseURL(addr net.Addr) string {
	host, port, err := net.SplitHostPort(addr.String())
	if err != nil {
		return "http://" + addr.String()
	}
	return "http://" + net.JoinHostPort(localHost(host), port)
}

// localHost maps an unspecified listen host to the loopback address.
func localHost(host string) string {
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		return "127.0.0.1"
	}
	return host
}

// logRequests logs every request at debug level: method, host, path,
// status, duration and the X-Okta-Request-Id answered (the errorId of an
// error body is separate). Never request headers or query strings, which may
// carry secrets.
func logRequests(next http.Handler, logger *slog.Logger) http.Handler {
	if !logger.Enabled(context.Background(), slog.LevelDebug) {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		logger.Debug("request", "method", r.Method, "host", r.Host, "path", r.URL.Path,
			"status", rec.status, "duration", time.Since(start).String(),
			"request_id", rec.Header().Get("X-Okta-Request-Id"))
	})
}

// statusRecorder remembers the status code a handler wrote.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }
