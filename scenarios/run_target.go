package scenarios

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"time"

	"github.com/goccy/go-yaml"

	"github.com/oktaemu/oktaemu/emulator"
	"github.com/oktaemu/oktaemu/fixtures"
)

// Target is one org a scenario runs against on one engine.
type Target struct {
	// Engine is classic or identity.
	Engine string
	// BaseURL is the org's base URL (no trailing slash).
	BaseURL string
	// Token is an SSWS API token the org accepts ({{token}} and
	// <apiToken:N> in requests).
	Token string
	// Client sends the requests.
	Client *http.Client
	// Org is the org itself when the target is in-process (nil
	// otherwise): resolvers read its outbox and clock.
	Org *emulator.Org
	// ControlURL is the org's control-plane base
	// (http://host/_emulator/orgs/<name>) when the target is an emulator
	// server ("" for a real org): …/outbox, …/clock/advance.
	ControlURL string
	// Fixture is the starting state the org was built from (nil for a real
	// org).
	Fixture *fixtures.Org

	close func()
}

// Close releases the target's org.
func (t *Target) Close() {
	if t.close != nil {
		t.close()
	}
}

// Advance moves the org's clock forward.
func (t *Target) Advance(ctx context.Context, d time.Duration) error {
	if t.Org != nil {
		t.Org.Advance(d)
		return nil
	}
	if t.ControlURL == "" {
		return fmt.Errorf("advance %s: the target has no control plane (a real org)", d)
	}
	body, _ := json.Marshal(map[string]string{"duration": d.String()})
	_, err := controlCall(ctx, t.Client, "", "POST", t.ControlURL+"/clock/advance", body, http.StatusOK)
	return err
}

// Backend opens a fresh org for one scenario on one engine.
type Backend interface {
	Open(ctx context.Context, sc *Scenario, engine string) (*Target, error)
}

// InProcess runs every scenario on a fresh in-process emulator; requests
// go straight to its handler (no socket), which makes it the fastest
// backend.
type InProcess struct {
	// Now is the org clock's base; zero means 2026-01-01T00:00:00Z (the
	// fixture's clock wins when it sets one). A fixed base makes two runs
	// alike.
	Now time.Time
	// Unlimited lifts the org's rate limits (benchmarks, long recordings).
	Unlimited bool
}

// DefaultNow is the clock base of in-process runs.
var DefaultNow = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

const inProcessToken = "00oktaemu-scenarios-api-token"

// Open implements Backend.
func (b InProcess) Open(_ context.Context, sc *Scenario, engine string) (*Target, error) {
	fx, err := sc.StartingState(engine)
	if err != nil {
		return nil, err
	}
	now := b.Now
	if now.IsZero() {
		now = DefaultNow
	}
	e, err := emulator.New(emulator.Options{Engine: emulator.Engine(engine), Seed: fx, APIToken: inProcessToken,
		Now: func() time.Time { return now }})
	if err != nil {
		return nil, fmt.Errorf("scenario %s on %s: %w", sc.Name, engine, err)
	}
	client := &http.Client{Transport: handlerTransport{e.Handler()}, CheckRedirect: noRedirect}
	if b.Unlimited {
		body := []byte(`{"default":1000000000,"byPrefix":{}}`)
		if _, err := controlCall(context.Background(), client, "", "PUT", "http://127.0.0.1/_emulator/orgs/"+e.DefaultOrg().Name()+"/ratelimits", body, http.StatusOK); err != nil {
			return nil, err
		}
	}
	return &Target{Engine: engine, BaseURL: "http://127.0.0.1", Token: inProcessToken, Client: client,
		Org: e.DefaultOrg(), Fixture: fx, ControlURL: "http://127.0.0.1/_emulator/orgs/" + e.DefaultOrg().Name()}, nil
}

// handlerTransport serves requests with a handler in-process.
type handlerTransport struct{ h http.Handler }

func (t handlerTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	rec := httptest.NewRecorder()
	if req.Body == nil {
		req.Body = http.NoBody
	}
	req.RequestURI = req.URL.RequestURI()
	if req.RemoteAddr == "" {
		req.RemoteAddr = "127.0.0.1:1"
	}
	t.h.ServeHTTP(rec, req)
	resp := rec.Result()
	resp.Request = req
	return resp, nil
}

func noRedirect(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// Server runs every scenario on a fresh org of a running emulator (the
// container image, `oktaemu serve`), created through its control plane and
// deleted afterwards.
type Server struct {
	// URL is the emulator's base URL.
	URL string
	// AdminToken is the control plane's token, when it requires one.
	AdminToken string
	// Client sends the requests (http.DefaultClient when nil).
	Client *http.Client
}

var orgSeq atomic.Int64

// Open implements Backend.
func (b Server) Open(ctx context.Context, sc *Scenario, engine string) (*Target, error) {
	fx, err := sc.StartingState(engine)
	if err != nil {
		return nil, err
	}
	fx.Name = ""
	text, err := yaml.Marshal(fx)
	if err != nil {
		return nil, err
	}
	client := b.Client
	if client == nil {
		client = &http.Client{Timeout: 30 * time.Second, CheckRedirect: noRedirect}
	}
	base := strings.TrimRight(b.URL, "/")
	name := fmt.Sprintf("scn-%d-%d", time.Now().UnixNano()%1e9, orgSeq.Add(1))
	body, _ := json.Marshal(map[string]any{"name": name, "engine": engine, "fixtureBody": string(text)})
	if _, err := controlCall(ctx, client, b.AdminToken, "POST", base+"/_emulator/orgs", body, http.StatusCreated); err != nil {
		return nil, fmt.Errorf("creating an org for %s on %s: %w", sc.Name, engine, err)
	}
	token := ""
	if len(fx.APITokens) > 0 {
		token = fx.APITokens[0].Token
	}
	ctl := base + "/_emulator/orgs/" + name
	return &Target{Engine: engine, BaseURL: base + emulator.OrgPathPrefix + name, Token: token, Client: client,
		ControlURL: ctl, Fixture: fx,
		close: func() {
			_, _ = controlCall(context.Background(), client, b.AdminToken, "DELETE", ctl, nil, 0)
		}}, nil
}

// URL runs scenarios against any base URL as it is — a real org: no fresh
// state, no clock control.
type URL struct {
	URL, Token string
	// Engine is the org's engine (what the report calls it).
	Engine string
	Client *http.Client
}

// Open implements Backend.
func (b URL) Open(_ context.Context, _ *Scenario, engine string) (*Target, error) {
	client := b.Client
	if client == nil {
		client = &http.Client{Timeout: 30 * time.Second, CheckRedirect: noRedirect}
	}
	e := b.Engine
	if e == "" {
		e = engine
	}
	return &Target{Engine: e, BaseURL: strings.TrimRight(b.URL, "/"), Token: b.Token, Client: client}, nil
}

// Probe returns the backend for a base URL: an emulator server when its
// control plane answers, else the URL as a real org.
func Probe(ctx context.Context, base, token, adminToken string) Backend {
	client := &http.Client{Timeout: 10 * time.Second, CheckRedirect: noRedirect}
	if _, err := controlCall(ctx, client, adminToken, "GET", strings.TrimRight(base, "/")+"/_emulator/health", nil, http.StatusOK); err == nil {
		return Server{URL: base, AdminToken: adminToken, Client: client}
	}
	return URL{URL: base, Token: token, Client: client}
}

func controlCall(ctx context.Context, c *http.Client, admin, method, url string, body []byte, want int) ([]byte, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		return nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if admin != "" {
		req.Header.Set("Authorization", "SSWS "+admin)
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if want != 0 && resp.StatusCode != want {
		return data, fmt.Errorf("%s %s: %s: %s", method, url, resp.Status, strings.TrimSpace(string(data)))
	}
	return data, nil
}

// StartingState returns the fixture a run of the scenario on engine starts
// from: the scenario's fixture (or the engine's default) with Setup
// merged in. The fixture's engine is cleared so that one fixture seeds
// both engines alike.
func (s *Scenario) StartingState(engine string) (*fixtures.Org, error) {
	name := s.FixturePath()
	if name == "" {
		name = fixtures.Default(engine)
	}
	fx, err := fixtures.Load(name)
	if err != nil {
		return nil, fmt.Errorf("scenario %s: %w", s.Name, err)
	}
	fx.Engine = ""
	if s.Setup != nil {
		MergeFixture(fx, s.Setup)
		if err := fx.Validate(); err != nil {
			return nil, fmt.Errorf("scenario %s: setup: %w", s.Name, err)
		}
	}
	return fx, nil
}

// MergeFixture adds extra's entities to fx; an entity with the same id
// (or user login, group/app/policy name) replaces fx's.
func MergeFixture(fx, extra *fixtures.Org) {
	if extra.OrgID != "" {
		fx.OrgID = extra.OrgID
	}
	if extra.IDSeed != 0 {
		fx.IDSeed = extra.IDSeed
	}
	if extra.Clock != nil {
		fx.Clock = extra.Clock
	}
	if extra.Settings.ShowLockoutFailures {
		fx.Settings.ShowLockoutFailures = true
	}
	fx.APITokens = mergeBy(fx.APITokens, extra.APITokens, func(t fixtures.APIToken) []string { return []string{t.ID, t.Token} })
	fx.Apps = mergeBy(fx.Apps, extra.Apps, func(a fixtures.App) []string { return []string{a.ID, "name:" + a.Label} })
	fx.Groups = mergeBy(fx.Groups, extra.Groups, func(g fixtures.Group) []string { return []string{g.ID, "name:" + g.Name} })
	fx.Users = mergeBy(fx.Users, extra.Users, func(u fixtures.User) []string {
		login, _ := u.Profile["login"].(string)
		return []string{u.ID, "login:" + strings.ToLower(login)}
	})
	fx.Policies = mergeBy(fx.Policies, extra.Policies, func(p fixtures.Policy) []string { return []string{p.ID, "name:" + p.Type + "/" + p.Name} })
}

func mergeBy[T any](base, extra []T, keys func(T) []string) []T {
	for _, e := range extra {
		ek := keys(e)
		replaced := false
		for i, b := range base {
			if sharesKey(ek, keys(b)) {
				base[i] = e
				replaced = true
				break
			}
		}
		if !replaced {
			base = append(base, e)
		}
	}
	return base
}

func sharesKey(a, b []string) bool {
	for _, x := range a {
		if x == "" || strings.HasSuffix(x, ":") {
			continue
		}
		for _, y := range b {
			if x == y {
				return true
			}
		}
	}
	return false
}
