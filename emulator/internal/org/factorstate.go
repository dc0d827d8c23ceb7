package org

import "time"

// FactorRules are the engine differences of the factor model, fixed when the
// org is built (engine.Profile.FactorRules fills them from the profile; each
// field there cites its engines.md row). The domain never asks which engine
// it runs: it reads these.
type FactorRules struct {
	// AutoEmailFactor: a verified primary email is an ACTIVE email factor
	// (auto-enrolled, re-appears after deletion or reset). Rows 2, 5.
	AutoEmailFactor bool
	// RecoveryQuestionFactor: the forgot-password question is listed as a
	// question factor while no MFA security question is enrolled, and
	// reset_factors needs a second call to clear it. Rows 3, 4.
	RecoveryQuestionFactor bool
	// OktaVerifySiblings: enrolling Okta Verify push also enrolls its TOTP
	// and signed_nonce (and TOTP enrolls push); deleting push or
	// signed_nonce deletes the whole Okta Verify enrollment. Rows 7, 8, 9, 14.
	OktaVerifySiblings bool
	// MultiplePhones: several sms and call factors per user. Row 6.
	MultiplePhones bool
	// PrimaryEmailOnly: only the primary email can be enrolled as an email
	// factor (Classic also accepts the secondary email). Row 12.
	PrimaryEmailOnly bool
	// SecondPushCause is the errorCauses text refusing a second Okta Verify
	// through the Factors API. Row 10.
	SecondPushCause string
	// SignedNonceCause is the errorCauses text refusing to enroll, activate
	// or verify signed_nonce through the Factors API. Row 13.
	SignedNonceCause string
}

// Lifetimes and throttles of the factor model (factors.md §6-8, §11; the
// push and sms/call values are suggested there, Okta does not document
// them).
const (
	PushActivationLifetime  = 10 * time.Minute
	PushTransactionLifetime = 5 * time.Minute
	PhoneOTPLifetime        = 5 * time.Minute
	DefaultEmailOTPLifetime = 300 * time.Second
	SMSThrottle             = 30 * time.Second
	CallThrottle            = 30 * time.Second
	EmailThrottle           = 5 * time.Second
	ActivationWindow        = 5 * time.Minute
	ActivationAttempts      = 5
)

// factorState is the org-wide part of the factor model. Every field is read
// and written under o.mu.
type factorState struct {
	// lastSent is when an OTP last went to a channel+address (throttles).
	lastSent map[string]time.Time
	// attempts are the OTP activation attempts per user (rate limit).
	attempts map[string][]time.Time
	// pushes are the push verify transactions by id.
	pushes     map[string]*pushTx
	pushOrder  []string
	orgFactors []*orgFactor
	auths      []*authenticator
}

func newFactorState() *factorState {
	return &factorState{lastSent: map[string]time.Time{}, attempts: map[string][]time.Time{},
		pushes: map[string]*pushTx{}}
}

// Rules returns the org's factor rules.
func (o *Org) Rules() FactorRules { return o.opts.Factors }

// fxs returns the factor state, creating it for an org built without New
// (Restore); the caller holds o.mu (write), or reads in a shared sign-in
// step once storesReady (signin.go).
func (o *Org) fxs() *factorState {
	if o.fx == nil {
		o.fx = newFactorState()
	}
	return o.fx
}
