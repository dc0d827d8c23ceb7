package org

import (
	"slices"
	"strings"
	"time"

	"github.com/oktaemu/oktaemu/emulator/internal/okta"
	"github.com/oktaemu/oktaemu/emulator/policyconv"
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

func (o *Org) sortedPolicies(typ okta.PolicyType) []*Policy { return o.sortedPoliciesInto(nil, typ) }

// sortedPoliciesInto is sortedPolicies appending to ps: a caller on the
// sign-in path passes a small array of its own and allocates nothing.
func (o *Org) sortedPoliciesInto(ps []*Policy, typ okta.PolicyType) []*Policy {
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

// DeletePolicy removes a policy. The default (system) policy cannot be
// deleted: 403 E0000006 (suggested, policies.md §1).
func (o *Org) DeletePolicy(id string) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	p, ok := o.policies[id]
	if !ok {
		return okta.NotFound(id, "Policy")
	}
	if p.System {
		return okta.Errorf(okta.E0000006).WithCauses("The default policy cannot be deleted.")
	}
	delete(o.policies, id)
	o.policyOrder = slices.DeleteFunc(o.policyOrder, func(s string) bool { return s == id })
	o.reorderPolicies(p.Type, "", 0)
	return nil
}

// groupsCondition returns conditions.people.groups.include of a policy or
// rule; nil means "no group condition".
func groupsCondition(cond map[string]any, key string) []string {
	var ids []string
	anyGroup(cond, key, func(gid string) bool { ids = append(ids, gid); return false })
	return ids
}

// appliesTo reports whether a policy's or rule's people condition matches
// user u (the caller holds o.mu).
func (o *Org) appliesTo(cond map[string]any, uid string) bool {
	member := func(gid string) bool { g, ok := o.groups[gid]; return ok && g.members[uid] }
	if excluded, _ := anyGroup(cond, "exclude", member); excluded {
		return false
	}
	included, listed := anyGroup(cond, "include", member)
	return included || !listed
}

// anyGroup reports whether pred holds for a group id of the conditions'
// people.groups.<key> list (ids in a []any or a []string; other values
// ignored), and whether the list names any group at all. It reads the list
// in place: appliesTo runs on every sign-in.
func anyGroup(cond map[string]any, key string, pred func(string) bool) (found, listed bool) {
	people, _ := cond["people"].(map[string]any)
	groups, _ := people["groups"].(map[string]any)
	switch t := groups[key].(type) {
	case []any:
		for _, v := range t {
			if s, ok := v.(string); ok {
				listed = true
				if pred(s) {
					return true, true
				}
			}
		}
	case []string:
		return slices.ContainsFunc(t, pred), len(t) > 0
	}
	return false, listed
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
	p, r, ok := o.effectivePolicy(typ, uid)
	if !ok {
		return Policy{}, Rule{}, false
	}
	r.Conditions, r.Actions = deepClone(r.Conditions), deepClone(r.Actions)
	return clonePolicy(&p), r, true
}

// ruleBefore orders rules for evaluation: by priority, system rules last.
func ruleBefore(a, b Rule) bool {
	if a.System != b.System {
		return !a.System
	}
	return a.Priority < b.Priority
}

// effectivePolicy is EffectivePolicy under o.mu, for readers inside the
// org: the policy and rule it returns share their maps with the stored
// policy (no copy on the hot path of every sign-in), so callers must only
// read them; EffectivePolicy hands out copies.
func (o *Org) effectivePolicy(typ okta.PolicyType, uid string) (Policy, Rule, bool) {
	p, i, ok := o.effectivePolicyRef(typ, uid)
	switch {
	case !ok:
		return Policy{}, Rule{}, false
	case i < 0:
		return *p, Rule{}, true
	}
	return *p, p.Rules[i], true
}

// effectivePolicyRef is effectivePolicy returning the stored policy and the
// index of its matching rule (-1: a policy without rules that applies).
func (o *Org) effectivePolicyRef(typ okta.PolicyType, uid string) (*Policy, int, bool) {
	var buf [16]*Policy
	for _, p := range o.sortedPoliciesInto(buf[:0], typ) {
		if p.Status != StatusActive || !o.appliesTo(p.Conditions, uid) {
			continue
		}
		// The first matching rule in priority order, system rules last
		// (ties keep their stored order): a scan, not a sorted copy.
		best := -1
		for i, r := range p.Rules {
			if r.Status != StatusActive || (best >= 0 && !ruleBefore(r, p.Rules[best])) || !o.appliesTo(r.Conditions, uid) {
				continue
			}
			best = i
		}
		if best >= 0 {
			return p, best, true
		}
		if len(p.Rules) == 0 && (typ == okta.PolicyPassword || typ == okta.PolicyMFAEnroll) {
			return p, -1, true
		}
	}
	return nil, 0, false
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

// --- Readers for the behaviour policies drive. Authn, IDX, the Factors API
// and the Sessions API read policies only through these (and
// EffectivePolicy / PasswordPolicyFor); their names and fields are stable.
// Each evaluates the policy in force now, so a change over the Policies API
// takes effect on the next request.

// MFAEnrollment is the MFA_ENROLL policy in force for a user (policies.md
// §5), in both vocabularies whatever schema the policy is written in.
type MFAEnrollment struct {
	PolicyID string // "" when no MFA_ENROLL policy applies
	RuleID   string // "" when the policy applies with no rule
	// Schema is the schema the policy is written in.
	Schema policyconv.Schema
	// Factors maps factors-schema keys (okta_sms, okta_otp, …) to
	// NOT_ALLOWED, OPTIONAL or REQUIRED. Authenticator policies are mapped
	// through policyconv.FactorsFor (okta_verify OPTIONAL ⇒ okta_otp and
	// okta_push OPTIONAL).
	Factors map[string]string
	// Authenticators maps authenticator keys to requirements. Factor
	// policies are mapped through policyconv.AuthenticatorFor (APIKeys),
	// merging to the stronger requirement.
	Authenticators map[string]string
	// Action is the rule's actions.enroll.self: CHALLENGE, LOGIN or NEVER;
	// CHALLENGE when the policy has no rule.
	Action string
}

// Requirement is what the policy says about enrolling a factor of type t
// from provider: NOT_ALLOWED, OPTIONAL or REQUIRED. A type the policy does
// not list, or with no key (FactorKey, authenticators.go), is NOT_ALLOWED.
func (e MFAEnrollment) Requirement(t okta.FactorType, provider string) string {
	if r, ok := e.Factors[FactorKey(t, provider)]; ok {
		return r
	}
	return policyconv.NotAllowed
}

// Allowed reports whether a factor of type t may be enrolled (OPTIONAL or
// REQUIRED).
func (e MFAEnrollment) Allowed(t okta.FactorType, provider string) bool {
	return e.Requirement(t, provider) != policyconv.NotAllowed
}

// MFAEnrollmentFor returns the MFA_ENROLL policy in force for user uid.
// With no such policy (a fixture without one: every Okta org has a default)
// every documented factor and authenticator is OPTIONAL, as the Factors API
// also treats it.
func (o *Org) MFAEnrollmentFor(uid string) MFAEnrollment {
	o.mu.RLock()
	defer o.mu.RUnlock()
	return o.mfaEnrollmentFor(uid)
}

func (o *Org) mfaEnrollmentFor(uid string) MFAEnrollment {
	e := MFAEnrollment{Factors: map[string]string{}, Authenticators: map[string]string{}, Action: "CHALLENGE"}
	p, r, ok := o.effectivePolicy(okta.PolicyMFAEnroll, uid)
	if !ok {
		for _, k := range policyconv.FactorKeys {
			if k != "okta_password" {
				e.Factors[k] = policyconv.Optional
			}
		}
		for _, k := range policyconv.AuthenticatorKeys {
			if k != "okta_password" {
				e.Authenticators[k] = policyconv.Optional
			}
		}
		return e
	}
	e.PolicyID, e.RuleID, e.Action = p.ID, r.ID, ruleEnrollAction(r)
	e.Schema = policyconv.SchemaOf(p.Settings)
	merge := func(m map[string]string, k, v string) {
		if old, ok := m[k]; !ok || rank(v) > rank(old) {
			m[k] = v
		}
	}
	if e.Schema == policyconv.SchemaAuthenticators {
		list, _ := p.Settings["authenticators"].([]any)
		for _, it := range list {
			m, _ := it.(map[string]any)
			key, _ := m["key"].(string)
			self := LookupString(m, "enroll", "self")
			merge(e.Authenticators, key, self)
			for _, f := range policyconv.FactorsFor(key) {
				merge(e.Factors, f, self)
			}
		}
		return e
	}
	factors, _ := p.Settings["factors"].(map[string]any)
	for k, v := range factors {
		m, _ := v.(map[string]any)
		self := LookupString(m, "enroll", "self")
		k = policyconv.NormalizeFactorKey(k)
		merge(e.Factors, k, self)
		if a, ok := policyconv.AuthenticatorFor(k, policyconv.Options{APIKeys: true}); ok {
			merge(e.Authenticators, a, self)
		}
	}
	return e
}

func rank(s string) int {
	switch s {
	case policyconv.Required:
		return 2
	case policyconv.Optional:
		return 1
	}
	return 0
}

// SignOn is the OKTA_SIGN_ON rule in force for a user: its
// actions.signon (policies.md, Okta sign-on policy rule actions).
type SignOn struct {
	PolicyID, RuleID string
	// Access is ALLOW or DENY.
	Access string
	// RequireFactor: the user must verify a second factor (authn
	// MFA_REQUIRED).
	RequireFactor bool
	// FactorPromptMode is ALWAYS, DEVICE or SESSION.
	FactorPromptMode string
	// FactorLifetime is how long a remembered device skips the prompt.
	FactorLifetime time.Duration
	// RememberDeviceByDefault pre-checks "remember device".
	RememberDeviceByDefault bool
	// PrimaryFactor is PASSWORD_IDP or PASSWORD_IDP_ANY_FACTOR.
	PrimaryFactor string
	// MaxSessionIdle is the session idle lifetime (default 2 h); a
	// session's expiresAt is now + MaxSessionIdle, refreshed on use.
	MaxSessionIdle time.Duration
	// MaxSessionLifetime caps a session's total lifetime; 0 is no cap.
	MaxSessionLifetime time.Duration
	// UsePersistentCookie makes the session cookie persistent.
	UsePersistentCookie bool
}

// DefaultSessionIdle is the idle lifetime of a session when no sign-on
// rule says otherwise (sessions.md §3, "suggest 2 h").
const DefaultSessionIdle = 2 * time.Hour

// SignOnFor returns the sign-on rule in force for user uid: the first
// active rule, by priority, of the first active OKTA_SIGN_ON policy whose
// people conditions match. With none, access is allowed without MFA.
func (o *Org) SignOnFor(uid string) SignOn {
	o.mu.RLock()
	defer o.mu.RUnlock()
	return o.signOnFor(uid)
}

func (o *Org) signOnFor(uid string) SignOn {
	u := o.users[uid]
	if u == nil {
		return o.evalSignOn(uid)
	}
	return cached(o, &u.signOn, func() SignOn { return o.evalSignOn(uid) })
}

func (o *Org) evalSignOn(uid string) SignOn {
	s := SignOn{Access: "ALLOW", FactorPromptMode: "ALWAYS", PrimaryFactor: "PASSWORD_IDP", MaxSessionIdle: DefaultSessionIdle}
	p, r, ok := o.effectivePolicy(okta.PolicySignOn, uid)
	if !ok {
		return s
	}
	s.PolicyID, s.RuleID = p.ID, r.ID
	a := r.Actions
	if v := LookupString(a, "signon", "access"); v != "" {
		s.Access = v
	}
	s.RequireFactor = LookupBool(a, false, "signon", "requireFactor")
	if v := LookupString(a, "signon", "factorPromptMode"); v != "" {
		s.FactorPromptMode = v
	}
	s.FactorLifetime = time.Duration(LookupInt(a, 0, "signon", "factorLifetime")) * time.Minute
	s.RememberDeviceByDefault = LookupBool(a, false, "signon", "rememberDeviceByDefault")
	if v := LookupString(a, "signon", "primaryFactor"); v != "" {
		s.PrimaryFactor = v
	}
	if n := LookupInt(a, 0, "signon", "session", "maxSessionIdleMinutes"); n > 0 {
		s.MaxSessionIdle = time.Duration(n) * time.Minute
	}
	s.MaxSessionLifetime = time.Duration(LookupInt(a, 0, "signon", "session", "maxSessionLifetimeMinutes")) * time.Minute
	s.UsePersistentCookie = LookupBool(a, false, "signon", "session", "usePersistentCookie")
	return s
}

// PasswordRecovery is the recovery part of the PASSWORD policy in force for
// a user (policies.md §6; engines.md row 32).
type PasswordRecovery struct {
	PolicyID, RuleID string
	// Policy-level settings.recovery.factors.
	QuestionActive     bool
	QuestionMinLength  int
	EmailActive        bool // always true in Okta (read-only)
	EmailTokenLifetime time.Duration
	SMSActive          bool
	CallActive         bool
	// Rule actions: ALLOW or DENY (DENY when absent).
	ResetAccess, UnlockAccess, ChangeAccess string
	// RuleRequirement: the rule's selfServicePasswordReset.requirement was
	// read (only when asked: Identity Engine, row 32) and is present. Then
	// Methods, OTPAuthenticators and StepUp* replace the policy-level
	// factors.
	RuleRequirement bool
	// Methods are requirement.primary.methods, lower-cased (push, sms,
	// voice, email, otp).
	Methods []string
	// OTPAuthenticators are the authenticator keys allowed for the otp
	// method (methodConstraints).
	OTPAuthenticators []string
	StepUpRequired    bool
	// StepUpMethods are stepUp.methods (only security_question is valid);
	// empty with StepUpRequired means "any enrolled authenticator".
	StepUpMethods []string
}

// PasswordRecoveryFor returns the recovery settings in force for user uid.
// ruleRequirements reads the rule-level selfServicePasswordReset
// requirement (Identity Engine, engines.md row 32); Classic passes false.
func (o *Org) PasswordRecoveryFor(uid string, ruleRequirements bool) PasswordRecovery {
	o.mu.RLock()
	defer o.mu.RUnlock()
	rec := PasswordRecovery{EmailActive: true, QuestionMinLength: 4, EmailTokenLifetime: 10080 * time.Minute,
		QuestionActive: true, ResetAccess: "DENY", UnlockAccess: "DENY", ChangeAccess: "DENY"}
	p, r, ok := o.effectivePolicy(okta.PolicyPassword, uid)
	if !ok {
		rec.ResetAccess, rec.ChangeAccess = "ALLOW", "ALLOW"
		return rec
	}
	rec.PolicyID, rec.RuleID = p.ID, r.ID
	s := p.Settings
	if _, ok := Lookup(s, "recovery", "factors", "recovery_question"); ok {
		rec.QuestionActive = LookupString(s, "recovery", "factors", "recovery_question", "status") == StatusActive
	}
	rec.QuestionMinLength = LookupInt(s, 4, "recovery", "factors", "recovery_question", "properties", "complexity", "minLength")
	rec.EmailTokenLifetime = time.Duration(LookupInt(s, 10080, "recovery", "factors", "okta_email", "properties", "recoveryToken", "tokenLifetimeMinutes")) * time.Minute
	rec.SMSActive = LookupString(s, "recovery", "factors", "okta_sms", "status") == StatusActive
	rec.CallActive = LookupString(s, "recovery", "factors", "okta_call", "status") == StatusActive
	a := r.Actions
	if r.ID == "" { // a policy with no rules: Okta's defaults allow reset and change
		rec.ResetAccess, rec.ChangeAccess = "ALLOW", "ALLOW"
	}
	for _, f := range []struct {
		dst *string
		key string
	}{{&rec.ResetAccess, "selfServicePasswordReset"}, {&rec.UnlockAccess, "selfServiceUnlock"}, {&rec.ChangeAccess, "passwordChange"}} {
		if v := LookupString(a, f.key, "access"); v != "" {
			*f.dst = v
		}
	}
	if !ruleRequirements {
		return rec
	}
	req, ok := Lookup(a, "selfServicePasswordReset", "requirement")
	reqMap, _ := req.(map[string]any)
	if !ok || reqMap == nil {
		return rec
	}
	rec.RuleRequirement = true
	for _, m := range stringList(reqMap, "primary", "methods") {
		rec.Methods = append(rec.Methods, strings.ToLower(m))
	}
	if cs, ok := Lookup(reqMap, "primary", "methodConstraints"); ok {
		list, _ := cs.([]any)
		for _, c := range list {
			cm, _ := c.(map[string]any)
			if !strings.EqualFold(LookupString(cm, "method"), "otp") {
				continue
			}
			auths, _ := cm["allowedAuthenticators"].([]any)
			for _, x := range auths {
				xm, _ := x.(map[string]any)
				if k := LookupString(xm, "key"); k != "" {
					rec.OTPAuthenticators = append(rec.OTPAuthenticators, k)
				}
			}
		}
	}
	rec.StepUpRequired = LookupBool(reqMap, false, "stepUp", "required")
	rec.StepUpMethods = stringList(reqMap, "stepUp", "methods")
	return rec
}

// stringList reads a list of strings at keys.
func stringList(m map[string]any, keys ...string) []string {
	v, _ := Lookup(m, keys...)
	var out []string
	switch t := v.(type) {
	case []any:
		for _, e := range t {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
	case []string:
		out = slices.Clone(t)
	}
	return out
}
