package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/oktaemu/oktaemu/scenarios"
)

// runRecord is `oktaemu record`: a reverse proxy to an Okta org (or an
// emulator) that writes the traffic going through it as scenarios, with
// secrets redacted into placeholders that still correlate.
func runRecord(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("record", flag.ContinueOnError)
	upstream := fs.String("upstream", "", "base `URL` of the org to record (required), e.g. https://acme.okta.com")
	out := fs.String("out", ".", "`directory` the scenario files are written to")
	addr := fs.String("addr", "127.0.0.1:8081", "`address` the proxy listens on; port 0 picks a free port")
	name := fs.String("name", "", "scenario `name` of the recording (default recording-<time>)")
	all := fs.Bool("all", false, "record every request, not only Okta API calls (/api/v1, /oauth2, /idp, /.well-known, /login/…)")
	keep := fs.Bool("keep-secrets", false, "write passwords, tokens and cookies as they are (no redaction)")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), `Usage: oktaemu record --upstream URL [--out DIR] [--addr HOST:PORT]

Run a reverse proxy to the org at URL and record every Okta API exchange
that goes through it. Point your integration (or browser) at the proxy.
On exit (Ctrl-C), or on POST /_record/save?name=NAME, what was recorded is
written to DIR/NAME.yaml as a scenario (scenarios/README.md): passwords,
API tokens, passCodes, answers, state/session/recovery/activation tokens
and cookies become placeholders such as <password:1> and <stateToken:1>;
equal placeholders stand for equal values. Links in the answers are
rewritten to point at the proxy. GET /_record/status tells what is pending.

Replay or diff what you recorded:

	oktaemu record --upstream https://acme.okta.com --out ./recorded
	oktaemu replay ./recorded --engine identity
	oktaemu diff ./recorded

Flags:

`)
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args, stdout); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageErrorf("record", "unexpected arguments %q", fs.Args())
	}
	if *upstream == "" {
		return usageErrorf("record", "--upstream is required")
	}
	rec, err := scenarios.NewRecorder(*upstream)
	if err != nil {
		return usageErrorf("record", "%v", err)
	}
	rec.Dir = *out
	rec.All = *all
	rec.KeepSecrets = *keep
	probe, cancel := context.WithTimeout(ctx, 5*time.Second)
	engine := scenarios.DetectEngine(probe, &http.Client{Timeout: 5 * time.Second}, *upstream)
	cancel()
	rec.SetEngine(engine)

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("record: %w", err)
	}
	srv := &http.Server{Handler: rec, ReadHeaderTimeout: 10 * time.Second}
	proxyURL := "http://" + ln.Addr().String()
	if engine == "" {
		engine = "unknown"
	}
	fmt.Fprintf(stderr, "oktaemu record: proxy %s -> %s (engine %s); writing to %s\n", proxyURL, rec.Upstream, engine, *out)
	fmt.Fprintf(stdout, "%s\n", proxyURL)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		if !errors.Is(err, http.ErrServerClosed) {
			return fmt.Errorf("record: %w", err)
		}
	case <-ctx.Done():
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		_ = srv.Shutdown(sctx)
		cancel()
	}
	file, err := rec.Save(*name)
	if err != nil {
		return err
	}
	saved := rec.Saved()
	if file == "" && len(saved) == 0 {
		fmt.Fprintln(stderr, "oktaemu record: nothing recorded")
		return nil
	}
	fmt.Fprintf(stderr, "oktaemu record: wrote %s\n", strings.Join(saved, ", "))
	return nil
}
