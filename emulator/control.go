package emulator

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/oktaemu/oktaemu/emulator/internal/httpx"
	"github.com/oktaemu/oktaemu/emulator/internal/okta"
	"github.com/oktaemu/oktaemu/emulator/internal/org"
	"github.com/oktaemu/oktaemu/fixtures"
)

// ControlPrefix is the reserved path prefix of the emulator's own endpoints.
// Nothing under it pretends to be Okta; it is described in spec/ with
// `x-emulator-control: true`.
const ControlPrefix = "/_emulator/"

// mountControl wires the control plane: the only routes that are not Okta's.
// The control plane lives in the façade because its subject is the server's
// set of orgs; per-org operations reach into the org model directly.
func (s *Server) mountControl() http.Handler {
	r := gin.New()
	r.HandleMethodNotAllowed = true
	r.RedirectTrailingSlash = false
	r.RedirectFixedPath = false
	r.NoRoute(httpx.NoRoute)
	r.NoMethod(httpx.NoMethod)
	env := &httpx.Env{IDs: org.NewIDs(0), Now: time.Now, Logger: s.logger.With("component", "control")}
	r.Use(httpx.WithEnv(env), httpx.Recover())

	r.GET("/_emulator/health", httpx.Handle(s.health))
	c := r.Group("/_emulator", s.requireAdmin)
	c.GET("/orgs", httpx.Handle(s.listOrgs))
	c.POST("/orgs", httpx.Handle(s.createOrg))
	c.GET("/orgs/:org", httpx.Handle(s.withOrg(s.getOrg)))
	c.DELETE("/orgs/:org", httpx.Handle(s.deleteOrg))
	c.POST("/orgs/:org/reset", httpx.Handle(s.resetOrg))
	c.GET("/orgs/:org/clock", httpx.Handle(s.withOrg(getClock)))
	c.PUT("/orgs/:org/clock", httpx.Handle(s.withOrg(setClock)))
	c.POST("/orgs/:org/clock/advance", httpx.Handle(s.withOrg(advanceClock)))
	c.GET("/orgs/:org/outbox", httpx.Handle(s.withOrg(getOutbox)))
	c.GET("/orgs/:org/ratelimits", httpx.Handle(s.withOrg(getRateLimits)))
	c.PUT("/orgs/:org/ratelimits", httpx.Handle(s.withOrg(setRateLimits)))
	c.GET("/orgs/:org/faults", httpx.Handle(s.withOrg(getFaults)))
	c.PUT("/orgs/:org/faults", httpx.Handle(s.withOrg(setFaults)))
	s.mountConsole(r, c)
	c.GET("/orgs/:org/snapshot", httpx.Handle(s.withOrg(s.getSnapshot)))
	c.PUT("/orgs/:org/snapshot", httpx.Handle(s.putSnapshot))
	s.mountOutOfBand(c)
	return r
}

// requireAdmin refuses control-plane callers without the admin token when
// one is configured: 401 E0000011 for a wrong token, 403 E0000005 for none
// (the same answers as Okta's SSWS auth).
func (s *Server) requireAdmin(c *gin.Context) {
	if s.opts.AdminToken == "" {
		c.Next()
		return
	}
	h := c.GetHeader("Authorization")
	if h == "" {
		httpx.WriteError(c, okta.Errorf(okta.E0000005))
		return
	}
	scheme, token, _ := strings.Cut(strings.TrimSpace(h), " ")
	if (!strings.EqualFold(scheme, "SSWS") && !strings.EqualFold(scheme, "Bearer")) || strings.TrimSpace(token) != s.opts.AdminToken {
		httpx.WriteError(c, okta.Errorf(okta.E0000011))
		return
	}
	c.Next()
}

type healthBody struct {
	Status string `json:"status"`
	Orgs   int    `json:"orgs"`
}

func (s *Server) health(*gin.Context) (int, any, error) {
	return http.StatusOK, healthBody{Status: "ok", Orgs: len(s.OrgNames())}, nil
}

// orgBody describes an org on the control plane.
type orgBody struct {
	Name    string `json:"name"`
	Engine  Engine `json:"engine"`
	Fixture string `json:"fixture"`
	OrgID   string `json:"orgId"`
	Default bool   `json:"default"`
	// URL addresses the org by path prefix on the host the caller used.
	URL string `json:"url"`
}

func (s *Server) orgBody(c *gin.Context, inst *orgInstance) orgBody {
	return orgBody{Name: inst.name, Engine: Engine(inst.engine.Kind()), Fixture: inst.fixture.name,
		OrgID: inst.org.ID(), Default: inst.name == s.defaultName,
		URL: httpx.BaseURL(c) + OrgPathPrefix + inst.name}
}

func (s *Server) listOrgs(c *gin.Context) (int, any, error) {
	out := []orgBody{}
	for _, n := range s.OrgNames() {
		if inst := s.lookup(n); inst != nil {
			out = append(out, s.orgBody(c, inst))
		}
	}
	return http.StatusOK, out, nil
}

type createOrgRequest struct {
	Name    string `json:"name"`
	Engine  string `json:"engine"`
	Fixture string `json:"fixture"`
	// FixtureBody is an inline fixture: YAML text, or the same as a JSON
	// object.
	FixtureBody json.RawMessage `json:"fixtureBody"`
}

func (s *Server) createOrg(c *gin.Context) (int, any, error) {
	var req createOrgRequest
	if _, err := httpx.Bind(c, &req); err != nil {
		return 0, nil, err
	}
	if req.Name == "" {
		return 0, nil, okta.Validation("org", "name: The field cannot be left blank")
	}
	if !validOrgName(req.Name) {
		return 0, nil, okta.Validation("org", "name: use lower-case letters, digits and '-', at most 63")
	}
	if s.lookup(req.Name) != nil {
		return 0, nil, okta.Validation("org", "name: An org with this name already exists")
	}
	var e Engine
	if req.Engine != "" {
		k, ok := okta.ParseEngine(req.Engine)
		if !ok {
			return 0, nil, okta.Validation("org", "engine: must be classic or identity")
		}
		e = Engine(k)
	}
	var fx *fixtures.Org
	var err error
	switch {
	case len(req.FixtureBody) > 0 && req.Fixture != "":
		return 0, nil, okta.Validation("org", "fixture: give fixture or fixtureBody, not both")
	case len(req.FixtureBody) > 0:
		data := []byte(req.FixtureBody)
		var text string
		if json.Unmarshal(data, &text) == nil {
			data = []byte(text)
		}
		fx, err = fixtures.Parse(req.Name+".yaml", data)
	default:
		if strings.ContainsAny(req.Fixture, `/\`) {
			return 0, nil, okta.Validation("org", "fixture: name an embedded fixture, or send fixtureBody")
		}
		fx, err = loadFixture(req.Fixture, e)
	}
	if err != nil {
		return 0, nil, okta.Validation("fixture", err.Error())
	}
	if _, err := s.AddOrg(req.Name, e, fx); err != nil {
		return 0, nil, okta.Validation("org", err.Error())
	}
	return http.StatusCreated, s.orgBody(c, s.lookup(req.Name)), nil
}

// orgHandler is a control handler for one org.
type orgHandler func(c *gin.Context, inst *orgInstance) (int, any, error)

func (s *Server) withOrg(h orgHandler) httpx.HandlerFunc {
	return func(c *gin.Context) (int, any, error) {
		inst := s.lookup(c.Param("org"))
		if inst == nil {
			return 0, nil, okta.NotFound(c.Param("org"), "Org")
		}
		return h(c, inst)
	}
}

func (s *Server) getOrg(c *gin.Context, inst *orgInstance) (int, any, error) {
	return http.StatusOK, s.orgBody(c, inst), nil
}

func (s *Server) deleteOrg(c *gin.Context) (int, any, error) {
	name := c.Param("org")
	if s.lookup(name) == nil {
		return 0, nil, okta.NotFound(name, "Org")
	}
	if err := s.DeleteOrg(name); err != nil {
		return 0, nil, okta.Validation("org", err.Error())
	}
	return http.StatusNoContent, nil, nil
}

func (s *Server) resetOrg(c *gin.Context) (int, any, error) {
	name := c.Param("org")
	if s.lookup(name) == nil {
		return 0, nil, okta.NotFound(name, "Org")
	}
	if err := s.ResetOrg(name); err != nil {
		return 0, nil, okta.Validation("org", err.Error())
	}
	return http.StatusOK, s.orgBody(c, s.lookup(name)), nil
}

type clockBody struct {
	Now    string `json:"now"`
	Frozen bool   `json:"frozen"`
}

func clockOf(inst *orgInstance) clockBody {
	cl := inst.org.Clock()
	return clockBody{Now: cl.Now().UTC().Format("2006-01-02T15:04:05.000Z"), Frozen: cl.Frozen()}
}

func getClock(_ *gin.Context, inst *orgInstance) (int, any, error) {
	return http.StatusOK, clockOf(inst), nil
}

type setClockRequest struct {
	Now string `json:"now"`
}

func setClock(c *gin.Context, inst *orgInstance) (int, any, error) {
	var req setClockRequest
	if _, err := httpx.Bind(c, &req); err != nil {
		return 0, nil, err
	}
	t, err := time.Parse(time.RFC3339Nano, req.Now)
	if err != nil {
		return 0, nil, okta.Validation("clock", "now: must be an RFC 3339 time such as 2026-01-02T15:04:05.000Z")
	}
	inst.org.Clock().Set(t)
	return http.StatusOK, clockOf(inst), nil
}

type advanceRequest struct {
	// Duration is a Go duration ("90s", "15m", "24h").
	Duration string `json:"duration"`
}

func advanceClock(c *gin.Context, inst *orgInstance) (int, any, error) {
	var req advanceRequest
	if _, err := httpx.Bind(c, &req); err != nil {
		return 0, nil, err
	}
	d, err := time.ParseDuration(req.Duration)
	if err != nil || d < 0 {
		return 0, nil, okta.Validation("clock", "duration: must be a non-negative duration such as 90s or 15m")
	}
	inst.org.Clock().Advance(d)
	return http.StatusOK, clockOf(inst), nil
}

// messageBody is one outbox message.
type messageBody struct {
	ID       string `json:"id"`
	UserID   string `json:"userId"`
	Channel  string `json:"channel"`
	To       string `json:"to"`
	Kind     string `json:"kind"`
	Code     string `json:"code,omitempty"`
	Token    string `json:"token,omitempty"`
	Link     string `json:"link,omitempty"`
	FactorID string `json:"factorId,omitempty"`
	Sent     string `json:"sent"`
}

func getOutbox(c *gin.Context, inst *orgInstance) (int, any, error) {
	uid := c.Query("userId")
	if login := c.Query("login"); login != "" && uid == "" {
		u, err := inst.org.User(login)
		if err != nil {
			return 0, nil, err
		}
		uid = u.ID
	}
	channel := c.Query("channel")
	base := httpx.BaseURL(c) + OrgPathPrefix + inst.name
	out := []messageBody{}
	for _, m := range inst.org.Outbox(uid) {
		if channel != "" && string(m.Channel) != channel {
			continue
		}
		b := messageBody{ID: m.ID, UserID: m.UserID, Channel: string(m.Channel), To: m.To, Kind: string(m.Kind),
			Code: m.Code, Token: m.Token, FactorID: m.FactorID, Sent: m.Sent.UTC().Format("2006-01-02T15:04:05.000Z")}
		if m.Path != "" {
			b.Link = base + m.Path
		}
		out = append(out, b)
	}
	return http.StatusOK, out, nil
}

type rateLimitsBody struct {
	Default  int            `json:"default"`
	ByPrefix map[string]int `json:"byPrefix"`
	// AuthnPerUsername is the per-username limit of POST /api/v1/authn per
	// second (Okta: 4); 0 lifts it. A PUT without it restores Okta's.
	// Snapshots carry it in the org's state instead.
	AuthnPerUsername *int `json:"authnPerUsername,omitempty"`
}

func getRateLimits(_ *gin.Context, inst *orgInstance) (int, any, error) {
	l := inst.limiter.Limits()
	perUser := inst.org.AuthnUsernameLimit()
	return http.StatusOK, rateLimitsBody{Default: l.Default, ByPrefix: l.ByPrefix, AuthnPerUsername: &perUser}, nil
}

func setRateLimits(c *gin.Context, inst *orgInstance) (int, any, error) {
	var req rateLimitsBody
	if _, err := httpx.Bind(c, &req); err != nil {
		return 0, nil, err
	}
	if req.Default < 0 {
		return 0, nil, okta.Validation("ratelimits", "default: must not be negative")
	}
	for p, n := range req.ByPrefix {
		if !strings.HasPrefix(p, "/") || n < 0 {
			return 0, nil, okta.Validation("ratelimits", "byPrefix: keys are paths starting with /, values non-negative")
		}
	}
	perUser := org.AuthnUsernameLimit
	if req.AuthnPerUsername != nil {
		if perUser = *req.AuthnPerUsername; perUser < 0 {
			return 0, nil, okta.Validation("ratelimits", "authnPerUsername: must not be negative")
		}
	}
	if req.ByPrefix == nil {
		req.ByPrefix = map[string]int{}
	}
	inst.limiter.SetLimits(httpx.RateLimits{Default: req.Default, ByPrefix: req.ByPrefix})
	inst.org.SetAuthnUsernameLimit(perUser)
	return getRateLimits(c, inst)
}

type faultBody struct {
	Method      string  `json:"method,omitempty"`
	Path        string  `json:"path,omitempty"`
	Status      int     `json:"status,omitempty"`
	ErrorCode   string  `json:"errorCode,omitempty"`
	Probability float64 `json:"probability,omitempty"`
	// LatencyMs delays matching requests.
	LatencyMs int `json:"latencyMs,omitempty"`
}

type faultsBody struct {
	Seed   uint64      `json:"seed"`
	Faults []faultBody `json:"faults"`
}

func getFaults(_ *gin.Context, inst *orgInstance) (int, any, error) {
	_, out := faultsOf(inst)
	return http.StatusOK, out, nil
}

func setFaults(c *gin.Context, inst *orgInstance) (int, any, error) {
	var req faultsBody
	if _, err := httpx.Bind(c, &req); err != nil {
		return 0, nil, err
	}
	if err := inst.faults.Set(faultRules(req), req.Seed); err != nil {
		return 0, nil, err
	}
	return getFaults(c, inst)
}
