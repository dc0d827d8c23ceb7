package org

import (
	"slices"
	"strings"
	"time"

	"github.com/oktaemu/oktaemu/emulator/internal/okta"
)

// Readers of the sign-on, MFA enrollment and password policies as the
// authn state machine needs them (authn.md §3.3), over the helpers of
// policies.go. The caller holds o.mu.

func (o *Org) signOnDenied(uid string) bool {
	return strings.EqualFold(o.signOnFor(uid).Access, "DENY")
}

// remembered reports whether tx's device holds a live remember-device grant
// for u.
func (o *Org) remembered(u *user, tx *authnTx) bool {
	o.hot.Lock()
	defer o.hot.Unlock()
	for _, d := range tx.devices {
		until, ok := o.authn.remembered[u.ID+"\x00"+d]
		if ok && (until.IsZero() || o.clock.Now().Before(until)) {
			return true
		}
	}
	return false
}

// mfaRequired: the sign-on rule requires a factor and the device is not
// remembered under a DEVICE or SESSION prompt mode.
func (o *Org) mfaRequired(u *user, tx *authnTx) bool {
	s := o.signOnFor(u.ID)
	if !s.RequireFactor {
		return false
	}
	if !strings.EqualFold(s.FactorPromptMode, "ALWAYS") && o.remembered(u, tx) {
		return false
	}
	return true
}

// rememberPolicy is `_embedded.policy` of MFA_REQUIRED / MFA_CHALLENGE
// (authn.md §2.2).
func (o *Org) rememberPolicy(u *user, tx *authnTx) *RememberPolicy {
	s := o.signOnFor(u.ID)
	p := &RememberPolicy{AutoPush: map[string]bool{}}
	switch strings.ToUpper(s.FactorPromptMode) {
	case "DEVICE":
		p.AllowRememberDevice = true
	case "SESSION":
		p.AllowRememberDevice = true
		p.RememberDeviceLifetimeInMinutes = int(s.FactorLifetime / time.Minute)
	}
	p.RememberDeviceByDefault = s.RememberDeviceByDefault
	o.hot.Lock()
	defer o.hot.Unlock()
	for _, d := range tx.devices {
		if _, seen := o.authn.remembered[u.ID+"\x00"+d]; seen {
			p.RememberDeviceByDefault = true
		}
	}
	for _, f := range u.factors {
		if f.Type == okta.FactorPush && f.Status == okta.FactorActive {
			p.AutoPush[f.ID] = o.authn.autoPush[f.ID]
		}
	}
	return p
}

// rememberGrant is the end of the grant a rememberDevice=true verify earns:
// zero (until the device changes) for DEVICE, now+factorLifetime for
// SESSION, and no grant when the rule prompts every time.
func (o *Org) rememberGrant(u *user) (time.Time, bool) {
	s := o.signOnFor(u.ID)
	switch strings.ToUpper(s.FactorPromptMode) {
	case "DEVICE":
		return time.Time{}, true
	case "SESSION":
		return o.clock.Now().Add(s.FactorLifetime), true
	}
	return time.Time{}, false
}

// verifiableFactors are the user's ACTIVE factors authn can verify, in
// enrollment order (the factors the org lists by itself included).
func (o *Org) verifiableFactors(u *user) []Factor {
	o.syncAutoFactors(u)
	var out []Factor
	for _, f := range u.factors {
		if verifiable(f) {
			out = append(out, f.view())
		}
	}
	return out
}

// hasVerifiableFactor reports whether verifiableFactors(u) is non-empty,
// without building the views.
func (o *Org) hasVerifiableFactor(u *user) bool {
	o.syncAutoFactors(u)
	return slices.ContainsFunc(u.factors, verifiable)
}

// verifiable: an ACTIVE factor other than Okta Verify's signed nonce.
func verifiable(f *factor) bool {
	return f.Status == okta.FactorActive && f.Type != okta.FactorSignedNonce
}

// hasActive reports whether u holds an ACTIVE factor of type t from
// provider.
func hasActive(u *user, t okta.FactorType, provider string) bool {
	for _, f := range u.factors {
		if f.Type == t && f.Status == okta.FactorActive && strings.EqualFold(f.Provider, provider) {
			return true
		}
	}
	return false
}

// enrollOptions is the MFA_ENROLL list for u: what the org enables and the
// user's MFA_ENROLL policy allows (the Factors API catalog's rule,
// enroll.go), without Custom OTP which authn cannot enroll.
func (o *Org) enrollOptions(u *user) []EnrollOption {
	var out []EnrollOption
	o.eachEnrollOption(u, func(t okta.FactorType, provider, lvl string, active bool) {
		opt := EnrollOption{FactorType: t, Provider: provider, Enrollment: lvl, Status: okta.FactorNotSetup}
		if active {
			opt.Status = okta.FactorActive
		}
		if t == okta.FactorSMS || t == okta.FactorCall {
			for _, f := range u.factors {
				if f.Type == t && f.Status == okta.FactorActive {
					opt.Phones = append(opt.Phones, f.view())
				}
			}
		}
		out = append(out, opt)
	})
	return out
}

// eachEnrollOption calls fn for each entry of u's MFA_ENROLL list, in
// order, with its level and whether u holds an active factor of it.
func (o *Org) eachEnrollOption(u *user, fn func(t okta.FactorType, provider, lvl string, active bool)) {
	o.syncAutoFactors(u)
	ep := o.enrollPolicyFor(u.ID)
	for _, e := range enrollable {
		if e.Type == okta.FactorHOTP {
			continue
		}
		if lvl, ok := o.allowedBy(ep, e.Type, e.Provider); ok {
			fn(e.Type, e.Provider, lvl, hasActive(u, e.Type, e.Provider))
		}
	}
}

// enrollAction is the enroll.self action of u's MFA_ENROLL rule
// (CHALLENGE when no rule applies).
func (o *Org) enrollAction(uid string) string {
	_, r, _ := o.effectivePolicy(okta.PolicyMFAEnroll, uid)
	return ruleEnrollAction(r)
}

// ruleEnrollAction is an MFA_ENROLL rule's enroll.self action: CHALLENGE,
// LOGIN or NEVER, CHALLENGE when the rule sets none (policies.md §3).
func ruleEnrollAction(r Rule) string {
	if a := LookupString(r.Actions, "enroll", "self"); a != "" {
		return a
	}
	return "CHALLENGE"
}

// enrollNeeded decides step 4 of §3.3.
func (o *Org) enrollNeeded(u *user, tx *authnTx) bool {
	e := o.enrollStateOf(u)
	if strings.EqualFold(e.action, "NEVER") {
		return false
	}
	switch {
	case e.requiredMissing:
		return true
	case !tx.mfaDone && e.options > 0:
		// MFA required and nothing to verify: enroll first.
		return true
	case tx.multiEnrol && tx.enrolledHere && e.optionalMissing:
		return true
	case strings.EqualFold(e.action, "LOGIN") && e.optionalMissing && u.LastLogin.IsZero() && !o.hasVerifiableFactor(u):
		return true
	}
	return false
}

// enrollState is what enrollNeeded reads of u's MFA_ENROLL policy and
// factors: the rule's action and the list's options, and whether a
// required or an optional one lacks an active factor. It changes only
// under the write lock (policies, factors and their status), so readers
// in shared mode cache it per user, as signOnFor does.
type enrollState struct {
	action                           string
	options                          int
	requiredMissing, optionalMissing bool
}

func (o *Org) enrollStateOf(u *user) enrollState {
	return cached(o, &u.enroll, func() enrollState {
		e := enrollState{action: o.enrollAction(u.ID)}
		if strings.EqualFold(e.action, "NEVER") {
			return e
		}
		o.eachEnrollOption(u, func(_ okta.FactorType, _, lvl string, active bool) {
			e.options++
			switch {
			case active:
			case lvl == EnrollRequired:
				e.requiredMissing = true
			default:
				e.optionalMissing = true
			}
		})
		return e
	})
}

// canSkipEnroll: no REQUIRED factor is left and the user either holds a
// factor already or is not required to verify one (authn.md §6.1).
func (o *Org) canSkipEnroll(u *user, tx *authnTx, opts []EnrollOption) bool {
	for _, opt := range opts {
		if opt.Enrollment == "REQUIRED" && opt.Status != okta.FactorActive {
			return false
		}
	}
	return o.hasVerifiableFactor(u) || !o.mfaRequired(u, tx)
}

// recoveryPolicy is what the password policy says about self-service
// recovery for a user (policies.md, engines.md rows 32, 34).
type recoveryPolicy struct {
	email, sms, call bool
	question         bool
	resetAllowed     bool
	unlockAllowed    bool
	// ieOnly: the rule's reset requirement names only options the authn
	// API cannot offer.
	ieOnly bool
}

func (o *Org) authnRecoveryPolicy(uid string) recoveryPolicy {
	p, r, ok := o.effectivePolicy(okta.PolicyPassword, uid)
	if !ok {
		return recoveryPolicy{email: true, resetAllowed: true, unlockAllowed: true}
	}
	active := func(k string) bool {
		return strings.EqualFold(LookupString(p.Settings, "recovery", "factors", k, "status"), "ACTIVE")
	}
	rp := recoveryPolicy{email: active("okta_email"), sms: active("okta_sms"), call: active("okta_call"),
		question:      active("recovery_question"),
		resetAllowed:  r.ID == "" || strings.EqualFold(LookupString(r.Actions, "selfServicePasswordReset", "access"), "ALLOW"),
		unlockAllowed: strings.EqualFold(LookupString(r.Actions, "selfServiceUnlock", "access"), "ALLOW")}
	if v, ok := Lookup(r.Actions, "selfServicePasswordReset", "requirement", "primary", "methods"); ok {
		methods, _ := v.([]any)
		classic := false
		for _, m := range methods {
			switch s, _ := m.(string); s {
			case "email", "sms", "voice":
				classic = true
			}
		}
		if !classic {
			rp.ieOnly = true
		}
	}
	if LookupBool(r.Actions, false, "selfServicePasswordReset", "requirement", "stepUp", "required") {
		v, _ := Lookup(r.Actions, "selfServicePasswordReset", "requirement", "stepUp", "methods")
		methods, _ := v.([]any)
		if !slices.Contains(methods, any("security_question")) {
			rp.ieOnly = true
		}
	}
	return rp
}

// allows reports whether factorType (EMAIL, SMS, CALL) may recover.
func (rp recoveryPolicy) allows(factorType string) bool {
	switch factorType {
	case "EMAIL":
		return rp.email
	case "SMS":
		return rp.sms
	case "CALL":
		return rp.call
	}
	return false
}
