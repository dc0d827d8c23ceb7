package api

import (
	"net/http"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/oktaemu/oktaemu/emulator/internal/engine"
	"github.com/oktaemu/oktaemu/emulator/internal/httpx"
	"github.com/oktaemu/oktaemu/emulator/internal/okta"
	"github.com/oktaemu/oktaemu/emulator/internal/org"
)

// Policies serves the Policies API (policies.md §1): policies and their
// rules for every type the engine accepts; the types that drive behaviour
// (OKTA_SIGN_ON, PASSWORD, MFA_ENROLL) are read through org's readers on
// the next request.
type Policies struct {
	Org     *org.Org
	Profile engine.Profile
}

// Mount adds the Policies API routes to r (already behind SSWS auth).
func (h Policies) Mount(r gin.IRouter) {
	r.GET("/api/v1/policies", httpx.Handle(h.list))
	r.POST("/api/v1/policies", httpx.Handle(h.create))
	r.GET("/api/v1/policies/:policyId", httpx.Handle(h.get))
	r.PUT("/api/v1/policies/:policyId", httpx.Handle(h.replace))
	r.DELETE("/api/v1/policies/:policyId", httpx.Handle(h.delete))
	r.POST("/api/v1/policies/:policyId/lifecycle/activate", httpx.Handle(h.setStatus(org.StatusActive)))
	r.POST("/api/v1/policies/:policyId/lifecycle/deactivate", httpx.Handle(h.setStatus(org.StatusInactive)))
	r.POST("/api/v1/policies/:policyId/clone", httpx.Handle(h.clone))
	r.GET("/api/v1/policies/:policyId/rules", httpx.Handle(h.listRules))
	r.POST("/api/v1/policies/:policyId/rules", httpx.Handle(h.createRule))
	r.GET("/api/v1/policies/:policyId/rules/:ruleId", httpx.Handle(h.getRule))
	r.PUT("/api/v1/policies/:policyId/rules/:ruleId", httpx.Handle(h.replaceRule))
	r.DELETE("/api/v1/policies/:policyId/rules/:ruleId", httpx.Handle(h.deleteRule))
	r.POST("/api/v1/policies/:policyId/rules/:ruleId/lifecycle/activate", httpx.Handle(h.setRuleStatus(org.StatusActive)))
	r.POST("/api/v1/policies/:policyId/rules/:ruleId/lifecycle/deactivate", httpx.Handle(h.setRuleStatus(org.StatusInactive)))
}

// options are the engine's Policies API rules (engines.md rows 24-31).
func (h Policies) options() org.PolicyOptions {
	return org.PolicyOptions{Types: h.Profile.PolicyTypes, AuthenticatorsSchema: h.Profile.MFAEnrollAuthenticators,
		RequirePasswordOrEmail: h.Profile.MFAEnrollRequirePasswordOrEmail, EditableDefaultRules: h.Profile.EditableDefaultRules}
}

// policyBody is Okta's Policy object.
type policyBody struct {
	ID          string         `json:"id"`
	Type        string         `json:"type"`
	Status      string         `json:"status"`
	Name        string         `json:"name"`
	Description *string        `json:"description"`
	Priority    int            `json:"priority"`
	System      bool           `json:"system"`
	Created     *string        `json:"created"`
	LastUpdated *string        `json:"lastUpdated"`
	Conditions  map[string]any `json:"conditions"`
	Settings    map[string]any `json:"settings,omitempty"`
	Embedded    map[string]any `json:"_embedded,omitempty"`
	Links       httpx.Links    `json:"_links"`
}

func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func newPolicy(c *gin.Context, p org.Policy) policyBody {
	base := "/api/v1/policies/" + p.ID
	self := []string{"GET", "PUT"}
	if !p.System {
		self = append(self, "DELETE")
	}
	links := httpx.Links{
		"self":     httpx.NewLink(c, base, self...),
		"rules":    httpx.NewLink(c, base+"/rules", "POST", "GET"),
		"mappings": httpx.NewLink(c, base+"/mappings", "GET", "POST"),
	}
	if p.Status == org.StatusActive {
		links["deactivate"] = httpx.NewLink(c, base+"/lifecycle/deactivate", "POST")
	} else {
		links["activate"] = httpx.NewLink(c, base+"/lifecycle/activate", "POST")
	}
	return policyBody{ID: p.ID, Type: string(p.Type), Status: p.Status, Name: p.Name, Description: nullable(p.Description),
		Priority: p.Priority, System: p.System, Created: date(p.Created), LastUpdated: date(p.LastUpdated),
		Conditions: p.Conditions, Settings: p.Settings, Links: links}
}

// ruleBody is Okta's PolicyRule object.
type ruleBody struct {
	ID          string  `json:"id"`
	Type        string  `json:"type"`
	Status      string  `json:"status"`
	Name        string  `json:"name"`
	Priority    int     `json:"priority"`
	System      bool    `json:"system"`
	Created     *string `json:"created"`
	LastUpdated *string `json:"lastUpdated"`
	// Conditions is left out when the rule has none: Okta's schema does
	// not allow null here.
	Conditions map[string]any `json:"conditions,omitempty"`
	Actions    map[string]any `json:"actions"`
	Links      httpx.Links    `json:"_links"`
}

func newRule(c *gin.Context, p org.Policy, r org.Rule) ruleBody {
	base := "/api/v1/policies/" + p.ID + "/rules/" + r.ID
	self := []string{"GET", "PUT"}
	if !r.System {
		self = append(self, "DELETE")
	}
	links := httpx.Links{"self": httpx.NewLink(c, base, self...)}
	if r.Status == org.StatusActive {
		links["deactivate"] = httpx.NewLink(c, base+"/lifecycle/deactivate", "POST")
	} else {
		links["activate"] = httpx.NewLink(c, base+"/lifecycle/activate", "POST")
	}
	return ruleBody{ID: r.ID, Type: org.RuleType(p.Type, r), Status: r.Status, Name: r.Name, Priority: r.Priority,
		System: r.System, Created: date(r.Created), LastUpdated: date(r.LastUpdated),
		Conditions: r.Conditions, Actions: r.Actions, Links: links}
}

// policyRequest is the body of POST and PUT /api/v1/policies.
type policyRequest struct {
	Type        string         `json:"type"`
	Name        string         `json:"name"`
	Description *string        `json:"description"`
	Priority    int            `json:"priority"`
	Status      string         `json:"status"`
	Conditions  map[string]any `json:"conditions"`
	Settings    map[string]any `json:"settings"`
}

func bindPolicy(c *gin.Context) (policyRequest, error) {
	var req policyRequest
	ok, err := httpx.Bind(c, &req)
	if err != nil {
		return req, err
	}
	if !ok {
		return req, okta.Validation("policy", "policy: The request body is required.")
	}
	return req, nil
}

func (req policyRequest) policy() org.Policy {
	p := org.Policy{Type: okta.PolicyType(req.Type), Name: req.Name, Priority: req.Priority,
		Conditions: req.Conditions, Settings: req.Settings}
	if req.Description != nil {
		p.Description = *req.Description
	}
	return p
}

// queryFlag reads a boolean query parameter; absent is def.
func queryFlag(c *gin.Context, name string, def bool) bool {
	v, ok := c.GetQuery(name)
	if !ok {
		return def
	}
	return !strings.EqualFold(v, "false")
}

func (h Policies) create(c *gin.Context) (int, any, error) {
	req, err := bindPolicy(c)
	if err != nil {
		return 0, nil, err
	}
	activate := req.Status != org.StatusInactive
	if h.Profile.PolicyActivateParam && !queryFlag(c, "activate", true) { // row 27
		activate = false
	}
	p, err := h.Org.CreatePolicy(req.policy(), activate, h.options())
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, newPolicy(c, p), nil
}

func (h Policies) list(c *gin.Context) (int, any, error) {
	typ := c.Query("type")
	if typ == "" {
		return 0, nil, okta.Errorf(okta.E0000028).WithCauses("type: The query parameter is required.")
	}
	if !slices.Contains(h.Profile.PolicyTypes, okta.PolicyType(typ)) {
		return 0, nil, okta.Errorf(okta.E0000002, "Invalid policy type specified.")
	}
	page, err := httpx.ParsePage(c, 1000, 1000)
	if err != nil {
		return 0, nil, err
	}
	status, q := c.Query("status"), strings.ToLower(c.Query("q"))
	var matched []org.Policy
	for _, p := range h.Org.Policies(okta.PolicyType(typ)) {
		if (status == "" || strings.EqualFold(status, p.Status)) && strings.HasPrefix(strings.ToLower(p.Name), q) {
			matched = append(matched, p)
		}
	}
	if c.Query("sortBy") == "name" {
		slices.SortStableFunc(matched, func(a, b org.Policy) int { return strings.Compare(a.Name, b.Name) })
	}
	if page.After != "" {
		i := slices.IndexFunc(matched, func(p org.Policy) bool { return p.ID == page.After })
		matched = matched[i+1:] // unknown cursor (-1) restarts from the top
	}
	more := len(matched) > page.Limit
	if more {
		matched = matched[:page.Limit]
	}
	out := make([]policyBody, 0, len(matched))
	last := ""
	expand := h.Profile.PolicyExpandRules && c.Query("expand") == "rules"
	for _, p := range matched {
		out = append(out, h.render(c, p, expand))
		last = p.ID
	}
	httpx.SetPageLinks(c, more, last)
	return http.StatusOK, out, nil
}

// maxExpandedRules is how many rules ?expand=rules embeds (policies.md §1).
const maxExpandedRules = 20

func (h Policies) render(c *gin.Context, p org.Policy, expand bool) policyBody {
	b := newPolicy(c, p)
	if expand {
		rules := make([]ruleBody, 0, len(p.Rules))
		all, _ := h.Org.PolicyRules(p.ID)
		for i, r := range all {
			if i == maxExpandedRules {
				break
			}
			rules = append(rules, newRule(c, p, r))
		}
		b.Embedded = map[string]any{"rules": rules}
	}
	return b
}

func (h Policies) get(c *gin.Context) (int, any, error) {
	p, err := h.Org.Policy(c.Param("policyId"))
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, h.render(c, p, h.Profile.PolicyExpandRules && c.Query("expand") == "rules"), nil // row 28
}

func (h Policies) replace(c *gin.Context) (int, any, error) {
	req, err := bindPolicy(c)
	if err != nil {
		return 0, nil, err
	}
	p, err := h.Org.ReplacePolicy(c.Param("policyId"), req.policy(), h.options())
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, newPolicy(c, p), nil
}

func (h Policies) delete(c *gin.Context) (int, any, error) {
	if err := h.Org.DeletePolicy(c.Param("policyId")); err != nil {
		return 0, nil, err
	}
	return http.StatusNoContent, nil, nil
}

// clone is POST /api/v1/policies/{id}/clone: Identity Engine, ACCESS_POLICY
// only (row 29); Classic has no such operation (404 E0000008, as for an
// unknown path).
func (h Policies) clone(c *gin.Context) (int, any, error) {
	if len(h.Profile.PolicyCloneTypes) == 0 {
		return 0, nil, okta.Errorf(okta.E0000008)
	}
	p, err := h.Org.ClonePolicy(c.Param("policyId"), h.Profile.PolicyCloneTypes)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, newPolicy(c, p), nil
}

func (h Policies) setStatus(status string) httpx.HandlerFunc {
	return func(c *gin.Context) (int, any, error) {
		if err := h.Org.SetPolicyStatus(c.Param("policyId"), status); err != nil {
			return 0, nil, err
		}
		return http.StatusNoContent, nil, nil
	}
}

// ruleRequest is the body of POST and PUT …/rules.
type ruleRequest struct {
	Type       string         `json:"type"`
	Name       string         `json:"name"`
	Priority   int            `json:"priority"`
	Status     string         `json:"status"`
	Conditions map[string]any `json:"conditions"`
	Actions    map[string]any `json:"actions"`
}

func bindRule(c *gin.Context) (ruleRequest, org.Rule, error) {
	var req ruleRequest
	ok, err := httpx.Bind(c, &req)
	if err != nil {
		return req, org.Rule{}, err
	}
	if !ok {
		return req, org.Rule{}, okta.Validation("rule", "rule: The request body is required.")
	}
	return req, org.Rule{Type: req.Type, Name: req.Name, Priority: req.Priority,
		Conditions: req.Conditions, Actions: req.Actions}, nil
}

func (h Policies) listRules(c *gin.Context) (int, any, error) {
	p, err := h.Org.Policy(c.Param("policyId"))
	if err != nil {
		return 0, nil, err
	}
	rules, err := h.Org.PolicyRules(p.ID)
	if err != nil {
		return 0, nil, err
	}
	out := make([]ruleBody, 0, len(rules))
	for _, r := range rules {
		out = append(out, newRule(c, p, r))
	}
	return http.StatusOK, out, nil
}

func (h Policies) createRule(c *gin.Context) (int, any, error) {
	req, r, err := bindRule(c)
	if err != nil {
		return 0, nil, err
	}
	activate := queryFlag(c, "activate", true) && req.Status != org.StatusInactive
	r, err = h.Org.CreateRule(c.Param("policyId"), r, activate)
	if err != nil {
		return 0, nil, err
	}
	return h.ruleResponse(c, r)
}

func (h Policies) ruleResponse(c *gin.Context, r org.Rule) (int, any, error) {
	p, err := h.Org.Policy(c.Param("policyId"))
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, newRule(c, p, r), nil
}

func (h Policies) getRule(c *gin.Context) (int, any, error) {
	r, err := h.Org.PolicyRule(c.Param("policyId"), c.Param("ruleId"))
	if err != nil {
		return 0, nil, err
	}
	return h.ruleResponse(c, r)
}

func (h Policies) replaceRule(c *gin.Context) (int, any, error) {
	_, r, err := bindRule(c)
	if err != nil {
		return 0, nil, err
	}
	r, err = h.Org.ReplaceRule(c.Param("policyId"), c.Param("ruleId"), r, h.options())
	if err != nil {
		return 0, nil, err
	}
	return h.ruleResponse(c, r)
}

func (h Policies) deleteRule(c *gin.Context) (int, any, error) {
	if err := h.Org.DeleteRule(c.Param("policyId"), c.Param("ruleId")); err != nil {
		return 0, nil, err
	}
	return http.StatusNoContent, nil, nil
}

func (h Policies) setRuleStatus(status string) httpx.HandlerFunc {
	return func(c *gin.Context) (int, any, error) {
		if err := h.Org.SetRuleStatus(c.Param("policyId"), c.Param("ruleId"), status); err != nil {
			return 0, nil, err
		}
		return http.StatusNoContent, nil, nil
	}
}
