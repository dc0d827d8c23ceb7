package emulatortest

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/oktaemu/oktaemu/emulator"
)

// Server is a running in-process emulator.
type Server struct {
	// URL is the base URL of the default org, http://127.0.0.1:port.
	URL string
	// Token is an SSWS token the default org accepts.
	Token string
	// Emulator is the server, for adding orgs.
	Emulator *emulator.Server
	httpSrv  *httptest.Server
}

// Option changes the emulator's Options or the server's spec validation
// (validate.go).
type Option func(*config)

// config is what the Options set.
type config struct {
	opts       emulator.Options
	validation validation
}

// WithEngine selects the engine (and its default fixture).
func WithEngine(e emulator.Engine) Option { return func(c *config) { c.opts.Engine = e } }

// WithFixture selects a fixture by embedded name or path.
func WithFixture(nameOrPath string) Option {
	return func(c *config) { c.opts.Fixture = nameOrPath }
}

// WithOptions sets every emulator option at once.
func WithOptions(opts emulator.Options) Option { return func(c *config) { c.opts = opts } }

// NewServer starts an emulator on 127.0.0.1 for the length of the test.
//
// Every response it sends is validated against the merged spec (spec/):
// status, headers and body, strictly; a response that does not match, or a
// request to a route the spec does not describe, fails t with the method,
// path, status and the reason (see validate.go, AllowUnspecifiedRoutes and
// WithRequestValidation).
func NewServer(t testing.TB, opts ...Option) *Server {
	t.Helper()
	var c config
	for _, fn := range opts {
		fn(&c)
	}
	o := c.opts
	if o.APIToken == "" {
		o.APIToken = "00emulatortest-api-token"
	}
	e, err := emulator.New(o)
	if err != nil {
		t.Fatalf("emulatortest: %v", err)
	}
	v, err := newValidator(t, e.Handler(), c.validation)
	if err != nil {
		t.Fatalf("emulatortest: spec: %v", err)
	}
	hs := httptest.NewServer(v)
	t.Cleanup(hs.Close)
	return &Server{URL: hs.URL, Token: o.APIToken, Emulator: e, httpSrv: hs}
}

// Client returns an HTTP client for the server.
func (s *Server) Client() *http.Client { return s.httpSrv.Client() }

// Org returns the default org.
func (s *Server) Org() *emulator.Org { return s.Emulator.DefaultOrg() }

// Close stops the server (t.Cleanup also does).
func (s *Server) Close() { s.httpSrv.Close() }
