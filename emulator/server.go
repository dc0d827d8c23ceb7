package emulator

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/oktaemu/oktaemu/emulator/internal/engine"
	"github.com/oktaemu/oktaemu/emulator/internal/httpx"
	"github.com/oktaemu/oktaemu/emulator/internal/okta"
	"github.com/oktaemu/oktaemu/emulator/internal/org"
	"github.com/oktaemu/oktaemu/fixtures"
)

func init() { gin.SetMode(gin.ReleaseMode) }

// Options configure a Server. The zero value serves the embedded
// classic-default fixture on the wall clock.
type Options struct {
	// Name is the default org's name (its Host label and path prefix);
	// "default" when empty.
	Name string
	// Engine is the default org's engine; empty means the fixture's, or
	// Classic.
	Engine Engine
	// Fixture names an embedded fixture or a YAML file; empty means
	// "<engine>-default".
	Fixture string
	// Seed is a fixture given as data; it wins over Fixture.
	Seed *fixtures.Org
	// Now is the base clock (time.Now when nil). A fixture that sets
	// `clock` freezes the org's clock at that instant instead.
	Now func() time.Time
	// IDSeed seeds the id generator; zero means the fixture's.
	IDSeed uint64
	// APIToken is an extra SSWS token accepted by every org the server
	// creates (the CLI's --api-token).
	APIToken string
	// AdminToken, when set, is required (as `Authorization: SSWS <token>`
	// or `Bearer <token>`) by every control-plane call under /_emulator/.
	AdminToken string
	// Logger receives the server's logs; discarded when nil.
	Logger *slog.Logger
}

// Server serves one or more emulated orgs.
type Server struct {
	opts   Options
	logger *slog.Logger

	mu          sync.RWMutex
	orgs        map[string]*orgInstance
	defaultName string

	control http.Handler
}

// orgInstance is one org with everything that serves it.
type orgInstance struct {
	name    string
	engine  engine.Engine
	fixture storedFixture
	org     *org.Org
	limiter *httpx.Limiter
	faults  *httpx.Faults
	// requests is the org's request log (the console's "last requests").
	requests *httpx.RequestLog
	handler  http.Handler
}

// New builds a server with its default org.
func New(opts Options) (*Server, error) {
	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	s := &Server{opts: opts, logger: logger, orgs: map[string]*orgInstance{}}
	s.opts.Seed = nil // the org keeps its own copy (storedFixture)
	s.control = s.mountControl()
	name := opts.Name
	if name == "" {
		name = "default"
	}
	fx := opts.Seed
	if fx == nil {
		var err error
		if fx, err = loadFixture(opts.Fixture, opts.Engine); err != nil {
			return nil, err
		}
	}
	if _, err := s.AddOrg(name, opts.Engine, fx); err != nil {
		return nil, err
	}
	s.defaultName = name
	return s, nil
}

// loadFixture resolves a fixture name or path, defaulting by engine.
func loadFixture(nameOrPath string, e Engine) (*fixtures.Org, error) {
	if nameOrPath == "" {
		if e == "" {
			e = Classic
		}
		if _, err := engineFor(e); err != nil {
			return nil, err
		}
		nameOrPath = fixtures.Default(string(e))
	}
	return fixtures.Load(nameOrPath)
}

// AddOrg creates an org named name from fixture fx. engine may be empty to
// take the fixture's (Classic when the fixture names none); a fixture made
// for the other engine is refused.
func (s *Server) AddOrg(name string, e Engine, fx *fixtures.Org) (*Org, error) {
	if !validOrgName(name) {
		return nil, fmt.Errorf("org name %q: use lower-case letters, digits and '-'", name)
	}
	if e == "" {
		e = Engine(fx.Engine)
	}
	if e == "" {
		e = Classic
	}
	eng, err := engineFor(e)
	if err != nil {
		return nil, err
	}
	if fx.Engine != "" && fx.Engine != string(eng.Kind()) {
		return nil, fmt.Errorf("fixture %s is for the %s engine, not %s", fx.Name, fx.Engine, eng.Kind())
	}
	inst, err := s.build(name, eng, fx)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, dup := s.orgs[name]; dup {
		return nil, fmt.Errorf("org %q already exists", name)
	}
	s.orgs[name] = inst
	return &Org{s: s, name: name}, nil
}

func validOrgName(name string) bool {
	if name == "" || len(name) > 63 {
		return false
	}
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
			return false
		}
	}
	return true
}

func (s *Server) build(name string, eng engine.Engine, fx *fixtures.Org) (*orgInstance, error) {
	var clock *org.Clock
	if fx.Clock == nil {
		clock = org.NewClock(s.opts.Now)
	}
	o, err := org.Seed(fx, org.Options{Name: name, Engine: eng.Kind(), Clock: clock, IDSeed: s.opts.IDSeed,
		VerifiedEmailOnCreate: eng.Profile().AdminCreatedEmailVerified, Factors: eng.Profile().FactorRules()})
	if err != nil {
		return nil, fmt.Errorf("fixture %s: %w", fx.Name, err)
	}
	stored, err := storeFixture(fx)
	if err != nil {
		return nil, err
	}
	return s.serveOrg(name, eng, stored, o), nil
}

// serveOrg wires an org (seeded or restored from a snapshot) for serving:
// the server's extra API token, rate limiter, faults and routes.
func (s *Server) serveOrg(name string, eng engine.Engine, fx storedFixture, o *org.Org) *orgInstance {
	if _, ok := o.CheckAPIToken(s.opts.APIToken); s.opts.APIToken != "" && !ok {
		o.AddAPIToken("oktaemu --api-token", s.opts.APIToken)
	}
	inst := &orgInstance{name: name, engine: eng, fixture: fx, org: o,
		limiter: httpx.NewLimiter(httpx.DefaultRateLimits, o.Now), faults: httpx.NewFaults(),
		requests: httpx.NewRequestLog()}
	inst.handler = mount(inst, s.logger.With("org", name))
	return inst
}

// Org returns the org named name.
func (s *Server) Org(name string) (*Org, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if _, ok := s.orgs[name]; !ok {
		return nil, false
	}
	return &Org{s: s, name: name}, true
}

// ResetOrg rebuilds an org from the fixture it was made from: its state,
// clock, ids, rate limits and faults start over.
func (s *Server) ResetOrg(name string) error {
	old := s.lookup(name)
	if old == nil {
		return fmt.Errorf("no org %q", name)
	}
	fx, err := old.fixture.load()
	if err != nil {
		return err
	}
	inst, err := s.build(name, old.engine, fx)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.orgs[name] = inst
	return nil
}

// DeleteOrg removes an org. The default org cannot be deleted.
func (s *Server) DeleteOrg(name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.orgs[name]; !ok {
		return fmt.Errorf("no org %q", name)
	}
	if name == s.defaultName {
		return fmt.Errorf("org %q is the default org and cannot be deleted", name)
	}
	delete(s.orgs, name)
	return nil
}

// DefaultOrg returns the org that answers requests naming no org.
func (s *Server) DefaultOrg() *Org {
	o, _ := s.Org(s.defaultName)
	return o
}

// OrgNames lists the orgs, sorted.
func (s *Server) OrgNames() []string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	names := make([]string, 0, len(s.orgs))
	for n := range s.orgs {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Handler returns the server's HTTP handler.
func (s *Server) Handler() http.Handler { return s }

// OrgPathPrefix is the path prefix that addresses an org by name, for
// clients that cannot set Host: /_org/<name>/api/v1/users.
const OrgPathPrefix = "/_org/"

// ServeHTTP routes a request to its org: by path prefix /_org/<name>/, by
// the first label of Host (<name>.localhost:8080), or to the default org.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, ControlPrefix) {
		s.control.ServeHTTP(w, r)
		return
	}
	if rest, ok := strings.CutPrefix(r.URL.Path, OrgPathPrefix); ok {
		name, path, _ := strings.Cut(rest, "/")
		inst := s.lookup(name)
		if inst == nil {
			writeNoOrg(w, name)
			return
		}
		r2 := r.Clone(r.Context())
		r2.URL.Path = "/" + path
		r2.URL.RawPath = ""
		inst.handler.ServeHTTP(w, r2.WithContext(withPrefix(r2.Context(), OrgPathPrefix+name)))
		return
	}
	if inst := s.lookup(hostLabel(r.Host)); inst != nil {
		inst.handler.ServeHTTP(w, r)
		return
	}
	s.lookup(s.defaultName).handler.ServeHTTP(w, r)
}

func (s *Server) lookup(name string) *orgInstance {
	if name == "" {
		return nil
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.orgs[name]
}

// hostLabel returns the first label of a multi-label host ("acme" for
// "acme.localhost:8080"), or "".
func hostLabel(host string) string {
	if i := strings.LastIndexByte(host, ':'); i >= 0 && !strings.Contains(host[i:], "]") {
		host = host[:i]
	}
	label, rest, ok := strings.Cut(host, ".")
	if !ok || rest == "" {
		return ""
	}
	return strings.ToLower(label)
}

func writeNoOrg(w http.ResponseWriter, name string) {
	e := okta.NotFound(name, "Org")
	body := httpx.NewErrorBody(e, "oae0000000000000000000000")
	w.Header().Set("Content-Type", httpx.JSONContentType)
	w.Header().Set("X-Okta-Request-Id", "oae0000000000000000000000")
	w.WriteHeader(e.HTTPStatus())
	_ = jsonEncode(w, body)
}
