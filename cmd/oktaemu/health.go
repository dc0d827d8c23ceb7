package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"
)

// healthPath is the anonymous Okta endpoint health probes: it answers on
// every org of both engines without a token.
const healthPath = "/.well-known/okta-organization"

// defaultHealthURL is where health looks when --url is not given: OKTAEMU_URL,
// else the address serve would listen on (OKTAEMU_ADDR, with an unspecified
// host such as 0.0.0.0 mapped to 127.0.0.1). In the Docker image this probes
// the server from inside the container.
func defaultHealthURL() string {
	if u := envOr("OKTAEMU_URL", ""); u != "" {
		return u
	}
	addr := envOr("OKTAEMU_ADDR", defaultAddr)
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "http://" + addr
	}
	return "http://" + net.JoinHostPort(localHost(host), port)
}

// runHealth is `oktaemu health`: GET <url>/.well-known/okta-organization,
// success on 200. It needs no curl, so it serves as the image's HEALTHCHECK.
func runHealth(ctx context.Context, args []string, _ io.Reader, stdout, _ io.Writer) error {
	fs := flag.NewFlagSet("health", flag.ContinueOnError)
	url := fs.String("url", "", "base `URL` of the emulator (default $OKTAEMU_URL, else http://$OKTAEMU_ADDR, else http://"+defaultAddr+")")
	timeout := fs.Duration("timeout", 3*time.Second, "give up after this `duration`")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), `Usage: oktaemu health [--url URL] [--timeout 3s]

Probe a running emulator with GET /.well-known/okta-organization. Exit status
0 when it answers 200, 1 otherwise. The Docker image uses it as HEALTHCHECK.

Examples:

	oktaemu health
	oktaemu health --url http://127.0.0.1:8080
	oktaemu health --url http://127.0.0.1:8080/_org/acme

Flags:

`)
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args, stdout); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageErrorf("health", "unexpected arguments %q", fs.Args())
	}
	base := *url
	if base == "" {
		base = defaultHealthURL()
	}
	if !strings.HasPrefix(base, "http://") && !strings.HasPrefix(base, "https://") {
		return usageErrorf("health", "--url %q: want http:// or https://", base)
	}
	target := strings.TrimRight(base, "/") + healthPath

	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return usageErrorf("health", "--url: %v", err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("health: %w", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("health: GET %s: %s", target, resp.Status)
	}
	var meta struct {
		ID       string `json:"id"`
		Pipeline string `json:"pipeline"`
	}
	if err := json.Unmarshal(body, &meta); err != nil || meta.ID == "" {
		return fmt.Errorf("health: GET %s: not an Okta org (%.80q)", target, body)
	}
	fmt.Fprintf(stdout, "ok: %s org %s pipeline %s\n", base, meta.ID, meta.Pipeline)
	return nil
}
