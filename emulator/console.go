package emulator

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/oktaemu/oktaemu/emulator/internal/console"
	"github.com/oktaemu/oktaemu/emulator/internal/httpx"
	"github.com/oktaemu/oktaemu/emulator/internal/okta"
	"github.com/oktaemu/oktaemu/emulator/internal/org"
	"github.com/oktaemu/oktaemu/emulator/policyconv"
	"github.com/oktaemu/oktaemu/fixtures"
	"github.com/oktaemu/oktaemu/scenarios/diff"
)

// ConsolePath is where the web console is served.
const ConsolePath = "/_emulator/ui"

// mountConsole adds the web console: the page and its assets (anonymous:
// the page itself asks for the admin token), and the read-only views it
// needs beside the control plane's own endpoints (admin-guarded like them).
// Nothing here returns a password, an answer or a secret.
func (s *Server) mountConsole(r *gin.Engine, c *gin.RouterGroup) {
	r.GET(ConsolePath, s.consolePage)
	assets := console.Assets(ConsolePath + "/")
	r.GET(ConsolePath+"/:file", gin.WrapH(assets))
	c.GET("/orgs/:org/console/users", httpx.Handle(s.withOrg(consoleUsers)))
	c.GET("/orgs/:org/console/policies", httpx.Handle(s.withOrg(consolePolicies)))
	c.GET("/orgs/:org/console/activations", httpx.Handle(s.withOrg(consoleActivations)))
	c.GET("/orgs/:org/console/requests", httpx.Handle(s.withOrg(consoleRequests)))
	c.POST("/orgs/:org/console/requests/:id/compare", httpx.Handle(s.withOrg(s.consoleCompare)))
}

func (s *Server) consolePage(c *gin.Context) {
	console.Render(c.Writer, console.Page{Base: strings.TrimSuffix(ControlPrefix, "/"), Orgs: s.OrgNames(),
		TokenRequired: s.opts.AdminToken != ""})
}

const consoleTime = "2006-01-02T15:04:05.000Z"

func stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(consoleTime)
}

type consoleFactor struct {
	ID         string `json:"id"`
	FactorType string `json:"factorType"`
	Provider   string `json:"provider"`
	Status     string `json:"status"`
	// Detail is the factor's public label: phone number, email, question
	// key or device name.
	Detail string `json:"detail,omitempty"`
}

type consoleEnrollment struct {
	Key    string `json:"key"`
	Status string `json:"status"`
	Name   string `json:"name,omitempty"`
}

type consoleSession struct {
	ID        string   `json:"id"`
	Created   string   `json:"createdAt"`
	ExpiresAt string   `json:"expiresAt"`
	AMR       []string `json:"amr"`
}

type consoleUser struct {
	ID          string              `json:"id"`
	Login       string              `json:"login"`
	Name        string              `json:"name"`
	Status      string              `json:"status"`
	Groups      []string            `json:"groups"`
	Factors     []consoleFactor     `json:"factors"`
	Enrollments []consoleEnrollment `json:"enrollments,omitempty"`
	Sessions    []consoleSession    `json:"sessions"`
}

// factorDetail is the public label of a factor.
func factorDetail(f org.Factor) string {
	for _, k := range []string{"phoneNumber", "email", "question", "name", "credentialId"} {
		if v, ok := f.Profile[k].(string); ok && v != "" {
			return v
		}
	}
	return ""
}

func allUsers(o *org.Org) []org.User {
	var out []org.User
	q := org.UserQuery{Limit: 200}
	for {
		page, more := o.ListUsers(q)
		out = append(out, page...)
		if !more || len(page) == 0 {
			return out
		}
		q.After = page[len(page)-1].ID
	}
}

func consoleUsers(_ *gin.Context, inst *orgInstance) (int, any, error) {
	o := inst.org
	out := []consoleUser{}
	for _, u := range allUsers(o) {
		cu := consoleUser{ID: u.ID, Login: u.Login(), Name: u.DisplayName(), Status: string(u.Status),
			Groups: []string{}, Factors: []consoleFactor{}, Sessions: []consoleSession{}}
		if gs, err := o.UserGroups(u.ID); err == nil {
			for _, g := range gs {
				cu.Groups = append(cu.Groups, g.Name)
			}
		}
		fs, _ := o.Factors(u.ID)
		for _, f := range fs {
			cu.Factors = append(cu.Factors, consoleFactor{ID: f.ID, FactorType: string(f.Type), Provider: f.Provider,
				Status: string(f.Status), Detail: factorDetail(f)})
		}
		// Identity Engine's authenticator enrollments: a view over the
		// same factors, as /api/v1/users/{id}/authenticator-enrollments.
		if inst.engine.Profile().AuthenticatorsAPI {
			es, _ := o.Enrollments(u.ID)
			for _, e := range es {
				cu.Enrollments = append(cu.Enrollments, consoleEnrollment{Key: e.Key, Status: e.Status, Name: e.Name})
			}
		}
		for _, se := range o.UserSessions(u.ID) {
			cu.Sessions = append(cu.Sessions, consoleSession{ID: se.ID, Created: stamp(se.Created), ExpiresAt: stamp(se.ExpiresAt), AMR: se.AMR})
		}
		out = append(out, cu)
	}
	return http.StatusOK, out, nil
}

type consolePolicy struct {
	ID       string         `json:"id"`
	Type     string         `json:"type"`
	Name     string         `json:"name"`
	Status   string         `json:"status"`
	Priority int            `json:"priority"`
	Settings map[string]any `json:"settings,omitempty"`
	// FactorsSettings and AuthenticatorsSettings show an MFA_ENROLL
	// policy's settings in both schemas (converted with policyconv); the
	// Error fields say why one schema cannot express them.
	FactorsSettings        map[string]any `json:"factorsSettings,omitempty"`
	AuthenticatorsSettings map[string]any `json:"authenticatorsSettings,omitempty"`
	FactorsError           string         `json:"factorsError,omitempty"`
	AuthenticatorsError    string         `json:"authenticatorsError,omitempty"`
	Rules                  []consoleRule  `json:"rules,omitempty"`
}

type consoleRule struct {
	Name       string         `json:"name"`
	Status     string         `json:"status"`
	Priority   int            `json:"priority"`
	Conditions map[string]any `json:"conditions,omitempty"`
	Actions    map[string]any `json:"actions,omitempty"`
}

func consolePolicies(_ *gin.Context, inst *orgInstance) (int, any, error) {
	out := []consolePolicy{}
	for _, p := range inst.org.Policies("") {
		cp := consolePolicy{ID: p.ID, Type: string(p.Type), Name: p.Name, Status: p.Status, Priority: p.Priority, Settings: p.Settings}
		if p.Type == okta.PolicyMFAEnroll {
			var err error
			if cp.FactorsSettings, err = policyconv.ToFactors(p.Settings, policyconv.Options{}); err != nil {
				cp.FactorsError = err.Error()
			}
			if cp.AuthenticatorsSettings, err = policyconv.ToAuthenticators(p.Settings, policyconv.Options{}); err != nil {
				cp.AuthenticatorsError = err.Error()
			}
		}
		for _, r := range p.Rules {
			cp.Rules = append(cp.Rules, consoleRule{Name: r.Name, Status: r.Status, Priority: r.Priority, Conditions: r.Conditions, Actions: r.Actions})
		}
		out = append(out, cp)
	}
	return http.StatusOK, out, nil
}

type consoleActivation struct {
	UserID   string `json:"userId"`
	Login    string `json:"login"`
	FactorID string `json:"factorId"`
	Created  string `json:"created"`
}

// consoleActivations lists the Okta Verify push enrollments waiting for the
// app to scan their QR code (the control plane's okta-verify/activate
// completes them; pending pushes are the control plane's GET .../pushes).
func consoleActivations(_ *gin.Context, inst *orgInstance) (int, any, error) {
	o := inst.org
	out := []consoleActivation{}
	for _, u := range allUsers(o) {
		fs, _ := o.Factors(u.ID)
		for _, f := range fs {
			if f.Type == okta.FactorPush && f.Status == okta.FactorPendingActivation {
				out = append(out, consoleActivation{UserID: u.ID, Login: u.Login(), FactorID: f.ID, Created: stamp(f.Created)})
			}
		}
	}
	return http.StatusOK, out, nil
}

func consoleRequests(_ *gin.Context, inst *orgInstance) (int, any, error) {
	out := []httpx.LoggedRequest{}
	for _, r := range inst.requests.Recent() {
		if strings.HasPrefix(r.Path, ControlPrefix) {
			continue
		}
		out = append(out, r)
	}
	return http.StatusOK, out, nil
}

type compareSide struct {
	Status int `json:"status"`
	Body   any `json:"body"`
}

type compareBody struct {
	Method      string      `json:"method"`
	Path        string      `json:"path"`
	Classic     compareSide `json:"classic"`
	Identity    compareSide `json:"identity"`
	Differences []string    `json:"differences"`
}

// consoleCompare replays a logged request on two fresh orgs, one per
// engine, built from the org's fixture, and diffs the answers with the
// scenarios diff. Fresh orgs know none of the org's later state, so a
// request that needs a state token or a session from earlier calls is
// refused alike on both (the page says what it compares).
func (s *Server) consoleCompare(c *gin.Context, inst *orgInstance) (int, any, error) {
	id, err := strconv.Atoi(c.Param("id"))
	if err != nil {
		return 0, nil, okta.NotFound(c.Param("id"), "Request")
	}
	req, ok := inst.requests.Get(id)
	if !ok {
		return 0, nil, okta.NotFound(c.Param("id"), "Request")
	}
	out := compareBody{Method: req.Method, Path: req.Path, Differences: []string{}}
	sides := map[okta.Engine]*compareSide{okta.Classic: &out.Classic, okta.Identity: &out.Identity}
	now := inst.org.Now()
	for _, k := range []okta.Engine{okta.Classic, okta.Identity} {
		fx, err := fixtureFor(inst.fixture, k)
		if err != nil {
			return 0, nil, okta.Validation("compare", err.Error())
		}
		// Both fresh orgs start frozen at the org's time, with the same
		// seeded ids: what differs is the engine.
		frozen := *fx
		frozen.Clock = &now
		eng, _ := engineFor(Engine(k))
		tmp, err := s.build("compare-"+string(k), eng, &frozen)
		if err != nil {
			return 0, nil, okta.Validation("compare", err.Error())
		}
		*sides[k] = replay(tmp, req, fx)
	}
	ds := diff.Compare(diff.Side{Status: out.Classic.Status, Body: out.Classic.Body},
		diff.Side{Status: out.Identity.Status, Body: out.Identity.Body},
		diff.Options{Ignore: []string{"body.errorId", "body.id", "body.*.id", "body.created", "body.lastUpdated", "body.expiresAt", "body.stateToken", "body.sessionToken"}})
	diff.ExplainAll(diff.Request{Method: req.Method, Path: req.Path}, ds)
	for _, d := range ds {
		line := d.String()
		if d.Finding != nil {
			line += " — " + d.Finding.Ref() + ": " + d.Finding.Action
		}
		out.Differences = append(out.Differences, line)
	}
	return http.StatusOK, out, nil
}

// fixtureFor is the fixture an org of engine k would start from, for the
// same fixture family: "<engine>-default" maps to the other default; other
// fixtures are used as they are when they suit both engines.
func fixtureFor(fx storedFixture, k okta.Engine) (*fixtures.Org, error) {
	if fx.engine == "" || fx.engine == string(k) {
		return fx.load()
	}
	if fx.name == fixtures.Default(fx.engine) {
		return fixtures.Load(fixtures.Default(string(k)))
	}
	return nil, &fixtureEngineError{fx.name, fx.engine}
}

type fixtureEngineError struct{ name, engine string }

func (e *fixtureEngineError) Error() string {
	return "fixture " + e.name + " is for the " + e.engine + " engine only; the other engine cannot replay it"
}

// replay serves req on inst, authenticated with the fixture's first API
// token on management routes.
func replay(inst *orgInstance, req httpx.LoggedRequest, fx *fixtures.Org) compareSide {
	target := req.Path
	if req.Query != "" {
		target += "?" + req.Query
	}
	r := httptest.NewRequest(req.Method, "http://127.0.0.1"+target, bytes.NewReader(req.Body))
	r.Header.Set("Accept", "application/json")
	if req.ContentType != "" {
		r.Header.Set("Content-Type", req.ContentType)
	}
	if len(fx.APITokens) > 0 && strings.HasPrefix(req.Path, "/api/v1/") && !strings.HasPrefix(req.Path, "/api/v1/authn") {
		r.Header.Set("Authorization", "SSWS "+fx.APITokens[0].Token)
	}
	w := httptest.NewRecorder()
	inst.handler.ServeHTTP(w, r)
	side := compareSide{Status: w.Code}
	if w.Body.Len() > 0 {
		if err := json.Unmarshal(w.Body.Bytes(), &side.Body); err != nil {
			side.Body = w.Body.String()
		}
	}
	return side
}
