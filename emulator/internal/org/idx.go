package org

import (
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"slices"
	"sync"
	"time"
)

// Lifetimes of the Interaction Code flow. Okta documents none of them
// (idx.md §2.3, §3.2 suggest these).
const (
	InteractionLifetime     = 10 * time.Minute // sliding: every step extends it
	InteractionCodeLifetime = 60 * time.Second
)

// Intents of an IDX transaction (idx.md §3.2).
const (
	IntentLogin                = "LOGIN"
	IntentCredentialEnrollment = "CREDENTIAL_ENROLLMENT"
	IntentCredentialRecovery   = "CREDENTIAL_RECOVERY"
)

// Interaction is one Interaction Code (IDX) transaction: what /interact (or
// the hosted /authorize) started and what every IDX step has proven since
// (idx.md §8). The idx engine reads and changes it inside
// UpdateInteraction; everything else gets copies.
type Interaction struct {
	Handle      string // interaction_handle
	StateHandle string // stateHandle, constant for the transaction
	AppID       string
	ClientID    string
	// AuthServerID is "" for the org authorization server, else the custom
	// one's id ("default").
	AuthServerID  string
	RedirectURI   string
	State         string
	Nonce         string
	Scopes        []string
	CodeChallenge string
	Intent        string
	// Hosted marks a transaction started by /authorize (Okta-hosted widget):
	// it ends with `success` (a redirect), not successWithInteractionCode.
	Hosted bool
	// EnrollAMR lists the authenticators to enroll (prompt=
	// enroll_authenticator, enroll_amr_values), in order.
	EnrollAMR []string
	Created   time.Time
	ExpiresAt time.Time

	// UserID is the identified user, or "".
	UserID     string
	Identifier string
	// Flow is "", "recover" or "unlock".
	Flow string
	// Verified lists what the user proved, in order (for amr and policy).
	Verified []Verification
	// Enrolled lists authenticator keys enrolled in this transaction.
	Enrolled []string
	// SkippedEnrollment says the user skipped optional enrollments.
	SkippedEnrollment bool
	// Step is the pending step; the ION response is rendered from it.
	Step Step
	// Done is set once the transaction succeeded (code minted) or ended.
	Done bool
	// Code is the interaction code minted on success.
	Code string
	// AuthTime is when the user completed authentication.
	AuthTime time.Time
}

// Verification is one authenticator the user proved.
type Verification struct {
	Key    string // authenticator key: okta_password, okta_email, …
	Method string // method type: password, email, sms, push, totp, …
	At     time.Time
}

// Step is the pending step of an interaction. Kind names it; the other
// fields are its data.
type Step struct {
	Kind string
	// Candidates are the authenticator keys a select step offers, in order.
	Candidates []string
	// CanSkip says the enrollment select offers skip.
	CanSkip bool
	// Key, Method and EnrollmentID say which authenticator the step
	// challenges or enrolls.
	Key          string
	Method       string
	EnrollmentID string
	// Ref is the factor-model reference of the challenge or enrollment (a
	// push transaction id, a pending factor id).
	Ref string
	// Secret is a pending TOTP shared secret (enrollment).
	Secret string
	// Code is a pending one-time code the step sent (email/sms), digest-free
	// because the outbox holds it anyway.
	Code     string
	CodeSent time.Time
	// Phone is the phone number of a phone step.
	Phone string
	// Answer is a pending number-challenge answer.
	Answer string
	// Terminal is the message key of a terminal step.
	Terminal string
	// Params are message parameters.
	Params []string
}

// interaction is the stored record with its own lock.
type interaction struct {
	mu sync.Mutex
	Interaction
}

// idxStore fields (the type is declared with the Org's state).
type idxStore struct {
	mu      sync.Mutex
	key     *rsa.PrivateKey
	kid     string
	byID    map[string]*interaction // interaction handle
	byState map[string]*interaction // state handle
	codes   map[string]*interactionCode
	ext     IDXExtensions
}

type interactionCode struct {
	handle    string
	expiresAt time.Time
}

func (s *idxStore) init() {
	if s.byID == nil {
		s.byID = map[string]*interaction{}
		s.byState = map[string]*interaction{}
		s.codes = map[string]*interactionCode{}
	}
}

func cloneInteraction(t *Interaction) Interaction {
	c := *t
	c.Scopes = slices.Clone(t.Scopes)
	c.EnrollAMR = slices.Clone(t.EnrollAMR)
	c.Verified = slices.Clone(t.Verified)
	c.Enrolled = slices.Clone(t.Enrolled)
	c.Step.Candidates = slices.Clone(t.Step.Candidates)
	c.Step.Params = slices.Clone(t.Step.Params)
	return c
}

// StartInteraction stores a new transaction, minting its handles, and
// returns a copy.
func (o *Org) StartInteraction(in Interaction) Interaction {
	now := o.clock.Now()
	in.Handle = o.ids.Random(43)
	in.StateHandle = "02" + o.ids.Random(40)
	in.Created = now
	in.ExpiresAt = now.Add(InteractionLifetime)
	if in.Intent == "" {
		in.Intent = IntentLogin
	}
	rec := &interaction{Interaction: cloneInteraction(&in)}
	o.idx.mu.Lock()
	defer o.idx.mu.Unlock()
	o.idx.init()
	o.idx.byID[rec.Handle] = rec
	o.idx.byState[rec.StateHandle] = rec
	return cloneInteraction(&rec.Interaction)
}

// ErrInteractionExpired is returned for an unknown, ended or expired
// transaction (idx.session.expired).
var ErrInteractionExpired = errors.New("idx: transaction unknown or expired")

func (o *Org) findInteraction(interactionHandle, stateHandle string) (*interaction, bool) {
	o.idx.mu.Lock()
	defer o.idx.mu.Unlock()
	o.idx.init()
	if interactionHandle != "" {
		t, ok := o.idx.byID[interactionHandle]
		return t, ok
	}
	t, ok := o.idx.byState[stateHandle]
	return t, ok
}

// UpdateInteraction runs fn on the live transaction named by its
// interaction handle or, when that is empty, its state handle, holding the
// transaction's lock (fn may call other org operations). An unknown or
// expired transaction yields ErrInteractionExpired without calling fn. A
// successful step slides the expiry.
func (o *Org) UpdateInteraction(interactionHandle, stateHandle string, fn func(t *Interaction) error) (Interaction, error) {
	rec, ok := o.findInteraction(interactionHandle, stateHandle)
	if !ok {
		return Interaction{}, ErrInteractionExpired
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	now := o.clock.Now()
	if !now.Before(rec.ExpiresAt) {
		return Interaction{}, ErrInteractionExpired
	}
	err := fn(&rec.Interaction)
	if !rec.Done {
		rec.ExpiresAt = o.clock.Now().Add(InteractionLifetime)
	}
	return cloneInteraction(&rec.Interaction), err
}

// EndInteraction forgets a transaction: its handles then answer
// idx.session.expired.
func (o *Org) EndInteraction(handle string) {
	o.idx.mu.Lock()
	defer o.idx.mu.Unlock()
	o.idx.init()
	if t, ok := o.idx.byID[handle]; ok {
		delete(o.idx.byID, handle)
		delete(o.idx.byState, t.StateHandle)
	}
}

// ExpireInteraction moves a transaction's expiry to now (a test hook).
func (o *Org) ExpireInteraction(stateHandle string) bool {
	rec, ok := o.findInteraction("", stateHandle)
	if !ok {
		return false
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	rec.ExpiresAt = o.clock.Now()
	return true
}

// MintInteractionCode returns a fresh single-use interaction code for the
// transaction t (the caller holds it inside UpdateInteraction).
func (o *Org) MintInteractionCode(t *Interaction) string {
	code := o.ids.Random(43)
	o.idx.mu.Lock()
	defer o.idx.mu.Unlock()
	o.idx.init()
	o.idx.codes[code] = &interactionCode{handle: t.Handle, expiresAt: o.clock.Now().Add(InteractionCodeLifetime)}
	t.Code = code
	return code
}

// PKCEChallenge is BASE64URL(SHA256(verifier)), the S256 method.
func PKCEChallenge(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// RedeemInteractionCode consumes an interaction code for the token
// endpoint: the code must be live and unused, issued to clientID on the
// same authorization server, and verifier must match the PKCE challenge
// (idx.md §2.3). A used code fails even when the second attempt is right.
func (o *Org) RedeemInteractionCode(code, clientID, authServerID, verifier string) (Interaction, *OAuthError) {
	bad := func(desc string) *OAuthError { return NewOAuthError(400, "invalid_grant", desc) }
	if verifier == "" {
		return Interaction{}, NewOAuthError(400, "invalid_request", OAuthVerifierRequired)
	}
	o.idx.mu.Lock()
	o.idx.init()
	c, ok := o.idx.codes[code]
	if ok {
		delete(o.idx.codes, code)
	}
	var rec *interaction
	if ok {
		rec = o.idx.byID[c.handle]
	}
	o.idx.mu.Unlock()
	if !ok || rec == nil || !o.clock.Now().Before(c.expiresAt) {
		return Interaction{}, bad(OAuthInvalidCode)
	}
	rec.mu.Lock()
	t := cloneInteraction(&rec.Interaction)
	rec.mu.Unlock()
	if t.AuthServerID != authServerID {
		return Interaction{}, bad(OAuthInvalidCode)
	}
	if t.ClientID != clientID {
		return Interaction{}, bad(OAuthOtherClient)
	}
	if PKCEChallenge(verifier) != t.CodeChallenge {
		return Interaction{}, bad(OAuthPKCEFailed)
	}
	return t, nil
}

// InteractionByStepRef returns the state handle of the live transaction
// whose pending step carries ref (a QR code token, a push id), for test
// hooks that act as the user's device.
func (o *Org) InteractionByStepRef(ref string) (string, bool) {
	if ref == "" {
		return "", false
	}
	o.idx.mu.Lock()
	recs := make([]*interaction, 0, len(o.idx.byID))
	for _, r := range o.idx.byID {
		recs = append(recs, r)
	}
	o.idx.mu.Unlock()
	for _, r := range recs {
		r.mu.Lock()
		hit := r.Step.Ref == ref
		sh := r.StateHandle
		r.mu.Unlock()
		if hit {
			return sh, true
		}
	}
	return "", false
}

// IDXExtensions are the org's IDX switches that are NOT Okta behaviour:
// each is an emulator extension, off unless a test or tool turns it on.
type IDXExtensions struct {
	// InAppCredentialEnrollment accepts, on /interact, the non-Okta
	// parameter oktaemu_enroll_token (an access token this org issued)
	// with prompt=enroll_authenticator and enroll_amr_values: the
	// transaction starts for that already signed-in user with intent
	// CREDENTIAL_ENROLLMENT, asks for the verification the app policy
	// needs, enrolls the listed authenticators (a further Okta Verify too)
	// and ends with successWithInteractionCode. Okta documents no such
	// thing; its only way is the hosted /authorize flow (idx.md §6).
	InAppCredentialEnrollment bool
}

// SetIDXExtensions switches the org's IDX emulator extensions.
func (o *Org) SetIDXExtensions(x IDXExtensions) {
	o.idx.mu.Lock()
	defer o.idx.mu.Unlock()
	o.idx.ext = x
}

// IDXExtensions returns the org's IDX emulator extensions.
func (o *Org) IDXExtensions() IDXExtensions {
	o.idx.mu.Lock()
	defer o.idx.mu.Unlock()
	return o.idx.ext
}

// InteractionByState returns a copy of the live transaction of stateHandle
// without touching it (test hooks, the console).
func (o *Org) InteractionByState(stateHandle string) (Interaction, bool) {
	rec, ok := o.findInteraction("", stateHandle)
	if !ok {
		return Interaction{}, false
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return cloneInteraction(&rec.Interaction), true
}
