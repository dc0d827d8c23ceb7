package org

import (
	"slices"
	"time"

	"github.com/oktaemu/oktaemu/emulator/internal/okta"
)

// Policy is a policy with its rules. Settings, conditions and rule actions
// keep Okta's JSON shape (maps decoded from JSON or YAML), so the Policies
// API returns exactly what was stored; typed readers such as
// PasswordSettings interpret them.
type Policy struct {
	ID          string
	Type        okta.PolicyType
	Name        string
	Description string
	Status      string // ACTIVE or INACTIVE
	Priority    int
	System      bool
	Created     time.Time
	LastUpdated time.Time
	// Conditions is Okta's conditions object; people.groups.include holds
	// group ids.
	Conditions map[string]any
	Settings   map[string]any
	Rules      []Rule
}

// Rule is a policy rule.
type Rule struct {
	ID          string
	Type        string
	Name        string
	Status      string
	Priority    int
	System      bool
	Created     time.Time
	LastUpdated time.Time
	Conditions  map[string]any
	Actions     map[string]any
}

// Policy statuses.
const (
	StatusActive   = "ACTIVE"
	StatusInactive = "INACTIVE"
)

func clonePolicy(p *Policy) Policy {
	c := *p
	c.Conditions = deepClone(p.Conditions)
	c.Settings = deepClone(p.Settings)
	c.Rules = make([]Rule, len(p.Rules))
	for i, r := range p.Rules {
		r.Conditions = deepClone(r.Conditions)
		r.Actions = deepClone(r.Actions)
		c.Rules[i] = r
	}
	return c
}

// deepClone copies a JSON-shaped map so callers cannot reach stored state.
func deepClone(m map[string]any) map[string]any {
	if m == nil {
		return nil
	}
	c := make(map[string]any, len(m))
	for k, v := range m {
		c[k] = cloneValue(v)
	}
	return c
}

func cloneValue(v any) any {
	switch t := v.(type) {
	case map[string]any:
		return deepClone(t)
	case []any:
		c := make([]any, len(t))
		for i, e := range t {
			c[i] = cloneValue(e)
		}
		return c
	case []string:
		return slices.Clone(t)
	default:
		return v
	}
}

// Policies returns the policies of type typ (all types when empty) in
// priority order.
func (o *Org) Policies(typ okta.PolicyType) []Policy {
	o.mu.RLock()
	defer o.mu.RUnlock()
	var out []Policy
	for _, p := range o.sortedPolicies(typ) {
		out = append(out, clonePolicy(p))
	}
	return out
}

// Policy returns one policy by id.
func (o *Org) Policy(id string) (Policy, error) {
	o.mu.RLock()
	defer o.mu.RUnlock()
	p, ok := o.policies[id]
	if !ok {
		return Policy{}, okta.NotFound(id, "Policy")
	}
	return clonePolicy(p), nil
}

func (o *Org) sortedPolicies(typ okta.PolicyType) []*Policy {
	var ps []*Policy
	for _, id := range o.policyOrder {
		if p := o.policies[id]; typ == "" || p.Type == typ {
			ps = append(ps, p)
		}
	}
	slices.SortStableFunc(ps, func(a, b *Policy) int {
		// The system (default) policy is always evaluated last.
		if a.System != b.System {
			if a.System {
				return 1
			}
			return -1
		}
		return a.Priority - b.Priority
	})
	return ps
}

// PutPolicy stores p, minting ids for it and its rules where missing. It is
// the storage primitive under fixtures and the Policies API; validation of
// the settings belongs to the caller.
func (o *Org) PutPolicy(p Policy) Policy {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.putPolicy(p)
}

func (o *Org) putPolicy(p Policy) Policy {
	now := o.clock.Now()
	if p.ID == "" {
		p.ID = o.ids.New(PrefixPolicy)
	}
	if old, ok := o.policies[p.ID]; ok {
		p.Created = old.Created
	} else {
		o.policyOrder = append(o.policyOrder, p.ID)
		if p.Created.IsZero() {
			p.Created = now
		}
	}
	if p.Status == "" {
		p.Status = StatusActive
	}
	p.LastUpdated = now
	for i := range p.Rules {
		r := &p.Rules[i]
		if r.ID == "" {
			r.ID = o.ids.New(PrefixRule)
		}
		if r.Status == "" {
			r.Status = StatusActive
		}
		if r.Created.IsZero() {
			r.Created = now
		}
		if r.LastUpdated.IsZero() {
			r.LastUpdated = now
		}
		if r.Priority == 0 {
			r.Priority = i + 1
		}
	}
	stored := clonePolicy(&p)
	o.policies[p.ID] = &stored
	return clonePolicy(&stored)
}

// DeletePolicy removes a policy.
func (o *Org) DeletePolicy(id string) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if _, ok := o.policies[id]; !ok {
		return okta.NotFound(id, "Policy")
	}
	delete(o.policies, id)
	o.policyOrder = slices.DeleteFunc(o.policyOrder, func(s string) bool { return s == id })
	return nil
}

// groupsCondition returns conditions.people.groups.include of a policy or
// rule; nil means "no group condition".
func groupsCondition(cond map[string]any, key string) []string {
	people, _ := cond["people"].(map[string]any)
	groups, _ := people["groups"].(map[string]any)
	raw, ok := groups[key]
	if !ok {
		return nil
	}
	var ids []string
	switch t := raw.(type) {
	case []any:
		for _, v := range t {
			if s, ok := v.(string); ok {
				ids = append(ids, s)
			}
		}
	case []string:
		ids = t
	}
	return ids
}

// appliesTo reports whether a policy's or rule's people condition matches
// user u (the caller holds o.mu).
func (o *Org) appliesTo(cond map[string]any, uid string) bool {
	for _, gid := range groupsCondition(cond, "exclude") {
		if g, ok := o.groups[gid]; ok && g.members[uid] {
			return false
		}
	}
	include := groupsCondition(cond, "include")
	if include == nil {
		return true
	}
	for _, gid := range include {
		if g, ok := o.groups[gid]; ok && g.members[uid] {
			return true
		}
	}
	return false
}

// EffectivePolicy returns the policy of type typ that applies to user uid and
// its first matching active rule: the highest-priority active policy whose
// people condition matches and that has such a rule (policies.md §2,
// "policies without rules are never applied"). For policy types whose
// settings alone matter (PASSWORD, MFA_ENROLL) a policy with no rules still
// applies, with a zero Rule.
func (o *Org) EffectivePolicy(typ okta.PolicyType, uid string) (Policy, Rule, bool) {
	o.mu.RLock()
	defer o.mu.RUnlock()
	return o.effectivePolicy(typ, uid)
}

func (o *Org) effectivePolicy(typ okta.PolicyType, uid string) (Policy, Rule, bool) {
	for _, p := range o.sortedPolicies(typ) {
		if p.Status != StatusActive || !o.appliesTo(p.Conditions, uid) {
			continue
		}
		rules := slices.Clone(p.Rules)
		slices.SortStableFunc(rules, func(a, b Rule) int {
			if a.System != b.System {
				if a.System {
					return 1
				}
				return -1
			}
			return a.Priority - b.Priority
		})
		for _, r := range rules {
			if r.Status == StatusActive && o.appliesTo(r.Conditions, uid) {
				return clonePolicy(p), Rule{ID: r.ID, Type: r.Type, Name: r.Name, Status: r.Status, Priority: r.Priority,
					System: r.System, Created: r.Created, LastUpdated: r.LastUpdated,
					Conditions: deepClone(r.Conditions), Actions: deepClone(r.Actions)}, true
			}
		}
		if len(p.Rules) == 0 && (typ == okta.PolicyPassword || typ == okta.PolicyMFAEnroll) {
			return clonePolicy(p), Rule{}, true
		}
	}
	return Policy{}, Rule{}, false
}

// Lookup walks a JSON-shaped map along keys and returns the value there.
func Lookup(m map[string]any, keys ...string) (any, bool) {
	var cur any = m
	for _, k := range keys {
		mm, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		cur, ok = mm[k]
		if !ok {
			return nil, false
		}
	}
	return cur, true
}

// LookupInt reads a number at keys, or def.
func LookupInt(m map[string]any, def int, keys ...string) int {
	v, ok := Lookup(m, keys...)
	if !ok {
		return def
	}
	switch n := v.(type) {
	case float64:
		return int(n)
	case int:
		return n
	case int64:
		return int(n)
	case uint64:
		return int(n)
	}
	return def
}

// LookupBool reads a boolean at keys, or def. The string "true" counts
// (one Okta doc example quotes excludeUsername).
func LookupBool(m map[string]any, def bool, keys ...string) bool {
	v, ok := Lookup(m, keys...)
	if !ok {
		return def
	}
	switch b := v.(type) {
	case bool:
		return b
	case string:
		return b == "true"
	}
	return def
}

// LookupString reads a string at keys, or "".
func LookupString(m map[string]any, keys ...string) string {
	v, _ := Lookup(m, keys...)
	s, _ := v.(string)
	return s
}
