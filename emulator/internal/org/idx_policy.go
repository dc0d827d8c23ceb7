package org

import (
	"slices"
	"strings"

	"github.com/oktaemu/oktaemu/emulator/internal/okta"
)

// IDXPolicy is what the Identity Engine's policies say about one sign-in
// (idx.md §7): the global session policy, the app's authentication policy,
// the authenticator enrollment policy and the password policy, reduced to
// what decides the remediations.
type IDXPolicy struct {
	// Deny: the app's authentication policy denies access.
	Deny bool
	// Factors is how many distinct authenticators the sign-in needs (1FA
	// or 2FA).
	Factors int
	// PasswordRequired: the password must be one of them (global session
	// policy primaryFactor PASSWORD_IDP, or a knowledge constraint).
	PasswordRequired bool
	// Enroll lists the authenticator enrollment policy's authenticators
	// with their enroll.self value (REQUIRED, OPTIONAL, NOT_ALLOWED), in
	// policy order.
	Enroll []EnrollRequirement
	// EnrollAction is the enrollment rule's actions.enroll.self: CHALLENGE,
	// LOGIN or NEVER.
	EnrollAction string
	// Recovery lists the authenticator keys the password policy allows for
	// self-service password recovery (okta_email, phone_number, …); nil
	// when recovery is not allowed.
	Recovery []string
	// SelfServiceUnlock: the password policy allows self-service unlock.
	SelfServiceUnlock bool
}

// EnrollRequirement is one authenticator of the enrollment policy.
type EnrollRequirement struct {
	Key  string
	Self string
}

// PasswordFirst reports whether the first IDX step asks for the password
// with the identifier: the global session policy's rule that applies before
// anyone is identified (the first active rule without a people condition)
// says primaryFactor PASSWORD_IDP (idx.md §7.1; suggested, Okta documents
// no rule for the unidentified step). PASSWORD_IDP_ANY_FACTOR, or no such
// rule, means identifier first.
func (o *Org) PasswordFirst() bool {
	o.mu.RLock()
	defer o.mu.RUnlock()
	for _, p := range o.sortedPolicies(okta.PolicySignOn) {
		if p.Status != StatusActive || groupsCondition(p.Conditions, "include") != nil && !slices.ContainsFunc(groupsCondition(p.Conditions, "include"), o.isEveryone) {
			continue
		}
		for _, r := range sortedRules(p.Rules) {
			if r.Status != StatusActive || groupsCondition(r.Conditions, "include") != nil {
				continue
			}
			return LookupString(r.Actions, "signon", "primaryFactor") == "PASSWORD_IDP"
		}
	}
	return false
}

func (o *Org) isEveryone(gid string) bool {
	g, ok := o.groups[gid]
	return ok && g.Name == EveryoneGroup
}

func sortedRules(rules []Rule) []Rule {
	rs := slices.Clone(rules)
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

// appCondition reports whether cond's apps condition (conditions.app.include
// or conditions.apps.include, app ids) admits appID; no condition admits
// every app.
func appCondition(cond map[string]any, appID string) bool {
	for _, k := range []string{"app", "apps"} {
		v, ok := Lookup(cond, k, "include")
		if !ok {
			continue
		}
		list, _ := v.([]any)
		for _, e := range list {
			if s, _ := e.(string); s == appID {
				return true
			}
		}
		return false
	}
	return true
}

// IDXPolicyFor evaluates the policies for user uid signing in to app appID.
func (o *Org) IDXPolicyFor(appID, uid string) IDXPolicy {
	o.mu.RLock()
	defer o.mu.RUnlock()
	pol := IDXPolicy{Factors: 1}
	effective := o.effectivePolicy
	if uid == "" {
		effective = o.anonymousPolicy
	}
	// Global session policy.
	if _, r, ok := effective(okta.PolicySignOn, uid); ok {
		if LookupString(r.Actions, "signon", "access") == "DENY" {
			pol.Deny = true
		}
		pol.PasswordRequired = LookupString(r.Actions, "signon", "primaryFactor") != "PASSWORD_IDP_ANY_FACTOR"
		if LookupBool(r.Actions, false, "signon", "requireFactor") {
			pol.Factors = 2
		}
	} else {
		pol.PasswordRequired = true
	}
	// The app's authentication policy (ACCESS_POLICY) wins over the
	// global session policy's factor requirement when one applies.
	if r, ok := o.accessRule(appID, uid); ok {
		pol.Deny = pol.Deny || LookupString(r.Actions, "appSignOn", "access") == "DENY"
		switch LookupString(r.Actions, "appSignOn", "verificationMethod", "factorMode") {
		case "2FA":
			pol.Factors = 2
		case "1FA":
			pol.Factors = 1
		}
		if v, ok := Lookup(r.Actions, "appSignOn", "verificationMethod", "constraints"); ok {
			list, _ := v.([]any)
			for _, c := range list {
				cm, _ := c.(map[string]any)
				if types, ok := Lookup(cm, "knowledge", "types"); ok {
					for _, t := range types.([]any) {
						if s, _ := t.(string); strings.EqualFold(s, "password") {
							pol.PasswordRequired = true
						}
					}
				}
			}
		}
	}
	// Authenticator enrollment policy.
	if p, r, ok := effective(okta.PolicyMFAEnroll, uid); ok {
		pol.EnrollAction = ruleEnrollAction(r)
		if v, ok := Lookup(p.Settings, "authenticators"); ok {
			list, _ := v.([]any)
			for _, a := range list {
				am, _ := a.(map[string]any)
				key := LookupString(am, "key")
				self := LookupString(am, "enroll", "self")
				if key != "" {
					pol.Enroll = append(pol.Enroll, EnrollRequirement{Key: key, Self: self})
				}
			}
		}
	}
	// Password policy: recovery and unlock.
	if p, r, ok := effective(okta.PolicyPassword, uid); ok {
		if LookupString(r.Actions, "selfServicePasswordReset", "access") != "DENY" {
			for _, f := range []struct{ factor, key string }{{"okta_email", "okta_email"}, {"okta_sms", "phone_number"}, {"okta_call", "phone_number"}} {
				if LookupString(p.Settings, "recovery", "factors", f.factor, "status") == StatusActive && !slices.Contains(pol.Recovery, f.key) {
					pol.Recovery = append(pol.Recovery, f.key)
				}
			}
		}
		pol.SelfServiceUnlock = LookupString(r.Actions, "selfServiceUnlock", "access") == "ALLOW"
	}
	return pol
}

// accessRule returns the first matching rule of the first ACCESS_POLICY
// that applies to the app (the caller holds o.mu).
func (o *Org) accessRule(appID, uid string) (Rule, bool) {
	for _, p := range o.sortedPolicies(okta.PolicyAccess) {
		if p.Status != StatusActive || !appCondition(p.Conditions, appID) {
			continue
		}
		for _, r := range sortedRules(p.Rules) {
			if r.Status == StatusActive && o.appliesTo(r.Conditions, uid) && appCondition(r.Conditions, appID) {
				return r, true
			}
		}
	}
	return Rule{}, false
}

// anonymousPolicy is effectivePolicy before anyone is identified: the
// policies and rules for everyone (no people condition, or the Everyone
// group); the caller holds o.mu.
func (o *Org) anonymousPolicy(typ okta.PolicyType, _ string) (Policy, Rule, bool) {
	everyone := func(cond map[string]any) bool {
		inc := groupsCondition(cond, "include")
		return inc == nil || slices.ContainsFunc(inc, o.isEveryone)
	}
	for _, p := range o.sortedPolicies(typ) {
		if p.Status != StatusActive || !everyone(p.Conditions) {
			continue
		}
		for _, r := range sortedRules(p.Rules) {
			if r.Status == StatusActive && everyone(r.Conditions) {
				return clonePolicy(p), r, true
			}
		}
		if len(p.Rules) == 0 && (typ == okta.PolicyPassword || typ == okta.PolicyMFAEnroll) {
			return clonePolicy(p), Rule{}, true
		}
	}
	return Policy{}, Rule{}, false
}
