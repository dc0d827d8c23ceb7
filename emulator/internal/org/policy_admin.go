package org

import (
	"fmt"
	"slices"
	"time"

	"github.com/oktaemu/oktaemu/emulator/internal/okta"
	"github.com/oktaemu/oktaemu/emulator/policyconv"
)

// PolicyOptions are the engine-dependent rules of the Policies API
// (policies.md §1-4); the handler fills them from engine.Profile.
type PolicyOptions struct {
	// Types are the policy types the org accepts; others are 400 E0000002
	// "Invalid policy type specified." (engines.md row 30).
	Types []okta.PolicyType
	// AuthenticatorsSchema: MFA_ENROLL settings may use the authenticators
	// schema (row 24). Without it they are refused with 400 E0000001.
	AuthenticatorsSchema bool
	// RequirePasswordOrEmail: an authenticators-schema MFA_ENROLL policy
	// must set okta_password or okta_email REQUIRED (row 26).
	RequirePasswordOrEmail bool
	// EditableDefaultRules are the policy types whose default (system)
	// rule may be replaced over the API (row 31); default rules can never
	// be deleted.
	EditableDefaultRules []okta.PolicyType
}

// ruleTypeFor is the rule type Okta gives rules of a policy type.
func ruleTypeFor(t okta.PolicyType) string {
	switch t {
	case okta.PolicySignOn:
		return "SIGN_ON"
	case okta.PolicyIDPDiscovery:
		return "IDP_DISCOVERY"
	}
	return string(t)
}

// RuleType is the wire type of rule r of a policy of type t: the stored one,
// or the type Okta gives rules of that policy type (OKTA_SIGN_ON policies
// have SIGN_ON rules).
func RuleType(t okta.PolicyType, r Rule) string {
	if r.Type == "" || r.Type == string(t) {
		return ruleTypeFor(t)
	}
	return r.Type
}

// CreatePolicy validates and stores a new policy of p.Type with no rules.
// activate=false creates it INACTIVE (callers pass true where the engine
// ignores ?activate, engines.md row 27). A zero Priority puts it last
// before the default policy; otherwise it is inserted at Priority.
func (o *Org) CreatePolicy(p Policy, activate bool, opts PolicyOptions) (Policy, error) {
	if err := checkPolicy(&p, opts); err != nil {
		return Policy{}, err
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	p.ID, p.System, p.Rules = "", false, nil
	p.Created = time.Time{}
	p.Status = StatusActive
	if !activate {
		p.Status = StatusInactive
	}
	want := p.Priority
	p.Priority = 1 << 30
	stored := o.putPolicy(p)
	o.reorderPolicies(stored.Type, stored.ID, want)
	return clonePolicy(o.policies[stored.ID]), nil
}

// ReplacePolicy is PUT /api/v1/policies/{id}: a full replace of name,
// description, priority, conditions and settings, keeping id, type, system,
// status, created and rules. MFA_ENROLL settings sent in the other schema
// convert the policy (the old schema is dropped, policies.md §3.3).
func (o *Org) ReplacePolicy(id string, p Policy, opts PolicyOptions) (Policy, error) {
	o.mu.RLock()
	old, ok := o.policies[id]
	var typ okta.PolicyType
	if ok {
		typ = old.Type
	}
	o.mu.RUnlock()
	if !ok {
		return Policy{}, okta.NotFound(id, "Policy")
	}
	if p.Type == "" {
		p.Type = typ
	}
	if p.Type != typ {
		return Policy{}, okta.Validation("type", "type: The policy type cannot be changed.")
	}
	if err := checkPolicy(&p, opts); err != nil {
		return Policy{}, err
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	old, ok = o.policies[id]
	if !ok {
		return Policy{}, okta.NotFound(id, "Policy")
	}
	n := clonePolicy(old)
	n.Name, n.Description, n.Conditions, n.Settings = p.Name, p.Description, deepClone(p.Conditions), deepClone(p.Settings)
	want := p.Priority
	stored := o.putPolicy(n)
	if !stored.System && want > 0 {
		o.reorderPolicies(stored.Type, stored.ID, want)
	}
	return clonePolicy(o.policies[id]), nil
}

// ClonePolicy copies policy id with its rules (new ids, the same
// statuses), named "<name> (copy)" (suggested: Okta documents no name), as
// the last policy before the default. Only types in cloneable can be
// cloned: others are 400 E0000001 (suggested).
func (o *Org) ClonePolicy(id string, cloneable []okta.PolicyType) (Policy, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	p, ok := o.policies[id]
	if !ok {
		return Policy{}, okta.NotFound(id, "Policy")
	}
	if !slices.Contains(cloneable, p.Type) {
		return Policy{}, okta.Validation("policy", fmt.Sprintf("Policies of type %s cannot be cloned.", p.Type))
	}
	c := clonePolicy(p)
	c.ID, c.System, c.Name, c.Created, c.Priority = "", false, p.Name+" (copy)", time.Time{}, 1<<30
	for i := range c.Rules {
		c.Rules[i].ID, c.Rules[i].Created, c.Rules[i].LastUpdated = "", time.Time{}, time.Time{}
	}
	stored := o.putPolicy(c)
	o.reorderPolicies(stored.Type, stored.ID, 0)
	return clonePolicy(o.policies[stored.ID]), nil
}

// SetPolicyStatus activates or deactivates a policy. The default policy
// cannot be deactivated (403 E0000006, suggested).
func (o *Org) SetPolicyStatus(id, status string) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	p, ok := o.policies[id]
	if !ok {
		return okta.NotFound(id, "Policy")
	}
	if p.System && status != StatusActive {
		return okta.Errorf(okta.E0000006).WithCauses("The default policy cannot be deactivated.")
	}
	if p.Status != status {
		p.Status, p.LastUpdated = status, o.clock.Now()
	}
	return nil
}

// reorderPolicies moves policy id to priority want (0: keep its place) among
// the non-default policies of type typ and renumbers them 1..n, the default
// policy n+1 (Okta keeps priorities dense and the default last).
func (o *Org) reorderPolicies(typ okta.PolicyType, id string, want int) {
	var regular []*Policy
	var moved *Policy
	for _, p := range o.sortedPolicies(typ) {
		switch {
		case p.ID == id && !p.System:
			moved = p
		case !p.System:
			regular = append(regular, p)
		}
	}
	if moved != nil {
		at := len(regular)
		if want > 0 && want-1 < at {
			at = want - 1
		}
		regular = slices.Insert(regular, at, moved)
	}
	for i, p := range regular {
		p.Priority = i + 1
	}
	for _, p := range o.sortedPolicies(typ) {
		if p.System {
			p.Priority = len(regular) + 1
		}
	}
}

// checkPolicy validates a policy body and normalizes its settings.
func checkPolicy(p *Policy, opts PolicyOptions) error {
	if p.Type == "" {
		return okta.Validation("type", "type: The field cannot be left blank")
	}
	if !slices.Contains(opts.Types, p.Type) {
		return okta.Errorf(okta.E0000002, "Invalid policy type specified.")
	}
	if p.Name == "" {
		return okta.Validation("name", "name: The field cannot be left blank")
	}
	if p.Type == okta.PolicyMFAEnroll {
		s, err := CheckMFAEnrollSettings(p.Settings, opts)
		if err != nil {
			return err
		}
		p.Settings = s
	}
	return nil
}

// CheckMFAEnrollSettings validates MFA_ENROLL settings (policies.md §3) and
// returns them normalized: factors keys as the API writes them (okta_voice
// read as okta_call), each factor with consent {"type":"NONE"}; the
// authenticators schema with "type":"AUTHENTICATORS". Errors are 400
// E0000001 (the texts are suggested except the Identity Engine rule's, which
// is Okta's).
func CheckMFAEnrollSettings(settings map[string]any, opts PolicyOptions) (map[string]any, error) {
	fail := func(cause string) error { return okta.Validation("settings", cause) }
	_, hasFactors := settings["factors"]
	_, hasAuths := settings["authenticators"]
	typ, _ := settings["type"].(string)
	if hasFactors && (hasAuths || typ == "AUTHENTICATORS") {
		return nil, fail("settings: factors and authenticators cannot be used together.")
	}
	out := map[string]any{}
	for k, v := range settings {
		if k != "factors" && k != "authenticators" && k != "type" {
			out[k] = cloneValue(v)
		}
	}
	if hasAuths || typ == "AUTHENTICATORS" {
		if !opts.AuthenticatorsSchema {
			return nil, fail("settings.authenticators: Authenticators are not supported in this org; use factors.")
		}
		raw, _ := settings["authenticators"].([]any)
		if _, isList := settings["authenticators"].([]any); hasAuths && !isList {
			return nil, fail("settings.authenticators: must be a list.")
		}
		list := make([]any, 0, len(raw))
		seen := map[string]bool{}
		passwordOrEmail := false
		for _, e := range raw {
			m, _ := e.(map[string]any)
			key, _ := m["key"].(string)
			if !policyconv.IsAuthenticatorKey(key) {
				return nil, fail(fmt.Sprintf("settings.authenticators.key: Invalid authenticator key: %q", key))
			}
			if seen[key] && m["id"] == nil {
				return nil, fail(fmt.Sprintf("settings.authenticators: Duplicate authenticator key: %s", key))
			}
			seen[key] = true
			self := LookupString(m, "enroll", "self")
			if !policyconv.ValidRequirement(self) {
				return nil, fail(fmt.Sprintf("settings.authenticators.enroll.self: Invalid value %q for %s", self, key))
			}
			if self == policyconv.Required && (key == "okta_password" || key == "okta_email") {
				passwordOrEmail = true
			}
			entry := map[string]any{"key": key, "enroll": enrollOf(m, self)}
			for _, k := range []string{"id", "constraints"} {
				if v, ok := m[k]; ok {
					entry[k] = cloneValue(v)
				}
			}
			list = append(list, entry)
		}
		if opts.RequirePasswordOrEmail && !passwordOrEmail {
			return nil, fail("At least one of Password or Email authenticator must be set to required.")
		}
		out["type"] = "AUTHENTICATORS"
		out["authenticators"] = list
		return out, nil
	}
	if typ != "" && typ != "FACTORS" {
		return nil, fail(fmt.Sprintf("settings.type: Invalid value %q", typ))
	}
	raw, isMap := settings["factors"].(map[string]any)
	if hasFactors && !isMap {
		return nil, fail("settings.factors: must be an object.")
	}
	factors := map[string]any{}
	for k, v := range raw {
		if !policyconv.IsFactorKey(k) {
			return nil, fail(fmt.Sprintf("settings.factors: Invalid factor key: %s", k))
		}
		m, _ := v.(map[string]any)
		self := LookupString(m, "enroll", "self")
		if self == "" {
			self = policyconv.NotAllowed
		}
		if !policyconv.ValidRequirement(self) {
			return nil, fail(fmt.Sprintf("settings.factors.%s.enroll.self: Invalid value %q", k, self))
		}
		// Okta echoes consent NONE; anything else is ignored (policies.md §3.1).
		factors[policyconv.NormalizeFactorKey(k)] = map[string]any{"enroll": enrollOf(m, self),
			"consent": map[string]any{"type": "NONE"}}
	}
	out["factors"] = factors
	return out, nil
}

// enrollOf is the normalized enroll object of a factor or authenticator
// entry: self, and gracePeriod when given.
func enrollOf(entry map[string]any, self string) map[string]any {
	e := map[string]any{"self": self}
	if g, ok := Lookup(entry, "enroll", "gracePeriod"); ok {
		e["gracePeriod"] = cloneValue(g)
	}
	return e
}

// PolicyRule returns rule rid of policy pid.
func (o *Org) PolicyRule(pid, rid string) (Rule, error) {
	o.mu.RLock()
	defer o.mu.RUnlock()
	_, r, err := o.lookupRule(pid, rid)
	if err != nil {
		return Rule{}, err
	}
	return cloneRule(*r), nil
}

// PolicyRules lists the rules of policy pid by priority, the default rule
// last.
func (o *Org) PolicyRules(pid string) ([]Rule, error) {
	o.mu.RLock()
	defer o.mu.RUnlock()
	p, ok := o.policies[pid]
	if !ok {
		return nil, okta.NotFound(pid, "Policy")
	}
	out := make([]Rule, 0, len(p.Rules))
	for _, r := range rulesByPriority(p.Rules) {
		out = append(out, cloneRule(r))
	}
	return out, nil
}

func rulesByPriority(rs []Rule) []Rule {
	rs = slices.Clone(rs)
	slices.SortStableFunc(rs, func(a, b Rule) int {
		if a.System != b.System {
			if a.System {
				return 1
			}
			return -1
		}
		return a.Priority - b.Priority
	})
	return rs
}

func cloneRule(r Rule) Rule {
	r.Conditions = deepClone(r.Conditions)
	r.Actions = deepClone(r.Actions)
	return r
}

func (o *Org) lookupRule(pid, rid string) (*Policy, *Rule, error) {
	p, ok := o.policies[pid]
	if !ok {
		return nil, nil, okta.NotFound(pid, "Policy")
	}
	for i := range p.Rules {
		if p.Rules[i].ID == rid {
			return p, &p.Rules[i], nil
		}
	}
	return nil, nil, okta.NotFound(rid, "PolicyRule")
}

// checkRule validates a rule body for a policy of type t.
func checkRule(t okta.PolicyType, r *Rule) error {
	if r.Name == "" {
		return okta.Validation("name", "name: The field cannot be left blank")
	}
	if r.Type != "" && r.Type != ruleTypeFor(t) && r.Type != string(t) {
		return okta.Validation("type", fmt.Sprintf("type: Rule type %s does not match policy type %s", r.Type, t))
	}
	r.Type = ruleTypeFor(t)
	if t == okta.PolicyMFAEnroll {
		if v := LookupString(r.Actions, "enroll", "self"); v != "" && v != "CHALLENGE" && v != "LOGIN" && v != "NEVER" {
			return okta.Validation("actions", fmt.Sprintf("actions.enroll.self: Invalid value %q", v))
		}
	}
	return nil
}

// CreateRule adds a rule to policy pid (INACTIVE when activate is false). A
// zero Priority puts it last before the default rule.
func (o *Org) CreateRule(pid string, r Rule, activate bool) (Rule, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	p, ok := o.policies[pid]
	if !ok {
		return Rule{}, okta.NotFound(pid, "Policy")
	}
	if err := checkRule(p.Type, &r); err != nil {
		return Rule{}, err
	}
	now := o.clock.Now()
	r.ID, r.System, r.Created, r.LastUpdated = o.ids.New(PrefixRule), false, now, now
	r.Status = StatusActive
	if !activate {
		r.Status = StatusInactive
	}
	r.Conditions, r.Actions = deepClone(r.Conditions), deepClone(r.Actions)
	want := r.Priority
	p.Rules = append(p.Rules, r)
	reorderRules(p, r.ID, want)
	p.LastUpdated = now
	_, stored, _ := o.lookupRule(pid, r.ID)
	return cloneRule(*stored), nil
}

// ReplaceRule is PUT …/rules/{rid}: replaces name, priority, conditions and
// actions. The default rule is read-only unless the policy type is in
// opts.EditableDefaultRules (403 E0000006, suggested).
func (o *Org) ReplaceRule(pid, rid string, r Rule, opts PolicyOptions) (Rule, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	p, old, err := o.lookupRule(pid, rid)
	if err != nil {
		return Rule{}, err
	}
	if old.System && !slices.Contains(opts.EditableDefaultRules, p.Type) {
		return Rule{}, okta.Errorf(okta.E0000006).WithCauses("The default rule cannot be modified.")
	}
	if err := checkRule(p.Type, &r); err != nil {
		return Rule{}, err
	}
	old.Name, old.Type = r.Name, r.Type
	old.Conditions, old.Actions = deepClone(r.Conditions), deepClone(r.Actions)
	old.LastUpdated = o.clock.Now()
	if !old.System && r.Priority > 0 {
		reorderRules(p, rid, r.Priority)
	}
	_, stored, _ := o.lookupRule(pid, rid)
	return cloneRule(*stored), nil
}

// DeleteRule removes a rule; the default rule cannot be deleted (403
// E0000006, suggested).
func (o *Org) DeleteRule(pid, rid string) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	p, r, err := o.lookupRule(pid, rid)
	if err != nil {
		return err
	}
	if r.System {
		return okta.Errorf(okta.E0000006).WithCauses("The default rule cannot be deleted.")
	}
	p.Rules = slices.DeleteFunc(p.Rules, func(x Rule) bool { return x.ID == rid })
	reorderRules(p, "", 0)
	return nil
}

// SetRuleStatus activates or deactivates a rule; the default rule cannot be
// deactivated (403 E0000006, suggested).
func (o *Org) SetRuleStatus(pid, rid, status string) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	_, r, err := o.lookupRule(pid, rid)
	if err != nil {
		return err
	}
	if r.System && status != StatusActive {
		return okta.Errorf(okta.E0000006).WithCauses("The default rule cannot be deactivated.")
	}
	if r.Status != status {
		r.Status, r.LastUpdated = status, o.clock.Now()
	}
	return nil
}

// reorderRules moves rule id to priority want (0: keep its place) and
// renumbers the rules densely, the default rule last.
func reorderRules(p *Policy, id string, want int) {
	sorted := rulesByPriority(p.Rules)
	var regular, system []string
	moved := ""
	for _, r := range sorted {
		switch {
		case r.ID == id && !r.System:
			moved = r.ID
		case r.System:
			system = append(system, r.ID)
		default:
			regular = append(regular, r.ID)
		}
	}
	if moved != "" {
		at := len(regular)
		if want > 0 && want-1 < at {
			at = want - 1
		}
		regular = slices.Insert(regular, at, moved)
	}
	prio := map[string]int{}
	for i, rid := range append(regular, system...) {
		prio[rid] = i + 1
	}
	for i := range p.Rules {
		p.Rules[i].Priority = prio[p.Rules[i].ID]
	}
}
