package org

import (
	"slices"
	"strings"
	"time"

	"github.com/oktaemu/oktaemu/emulator/internal/okta"
)

// Factor challenge and verification: the one model the Factors API, authn
// and IDX all use.
//
//	ChallengeFactor(uid, fid, Challenge) (ChallengeResult, error)
//	    sms/call/email: a new OTP to the outbox (throttled: sms 30 s E0000109,
//	    call 30 s E0000133, email 5 s E0000118); push: a WAITING
//	    PushTransaction (number challenge optional, TIMEOUT by clock);
//	    u2f/webauthn: a nonce. Other types need no challenge (400 E0000001).
//	VerifyFactor(uid, fid, Verify) (VerifyResult, error)
//	    passCode (TOTP RFC 6238 ±1 step, single use; outstanding OTP;
//	    hardware/RSA/Symantec passcodes), answer (question), push transaction
//	    status (Verify.TransactionID), u2f/webauthn assertion (not
//	    crypto-checked). Wrong → 403 E0000068; factor not ACTIVE → 410
//	    E0000154.
//	ActivateFactor(uid, fid, Verify) (Factor, error)
//	    OTP factors with a passCode (5 attempts / 5 min per user → 429
//	    E0000047), u2f/webauthn with registration data. Push: PollPushActivation.
//	PushTransaction, ApprovePush, RejectPush, CancelPush, PendingPushes,
//	PollPushActivation, ActivateOktaVerify(ByToken), SendOktaVerifyActivation,
//	AddOktaVerifyEnrollment: push.go.
//	EnrollFactor, FactorCatalog, Factor, DeleteFactor, ResetFactors,
//	ResendFactor, DeleteEnrollment: enroll.go. Enrollments, Authenticators,
//	OrgFactors, FactorEnrollment (MFA_ENROLL level): authenticators.go.
//	Engine differences arrive once, as Options.Factors (FactorRules,
//	factorstate.go).

// FactorResult is a verify factorResult.
type FactorResult string

// factorResult values (factors.md §8.4).
const (
	ResultSuccess   FactorResult = "SUCCESS"
	ResultChallenge FactorResult = "CHALLENGE"
	ResultWaiting   FactorResult = "WAITING"
	ResultRejected  FactorResult = "REJECTED"
	ResultTimeout   FactorResult = "TIMEOUT"
)

// Cause texts of 403 E0000068 (factors.md §6, §8).
const (
	CausePasscode = "Your passcode doesn't match our records. Please try again."
	CauseAnswer   = "Your answer doesn't match our records. Please try again."
)

func errPasscode() error { return okta.Errorf(okta.E0000068).WithCauses(CausePasscode) }
func errAnswer() error   { return okta.Errorf(okta.E0000068).WithCauses(CauseAnswer) }

// Challenge is what a challenge request carries.
type Challenge struct {
	// TokenLifetime is the email OTP's lifetime (tokenLifetimeSeconds);
	// zero means 300 s.
	TokenLifetime time.Duration
	// Push carries the push options (number challenge, client context).
	Push PushOptions
	// Kind is the outbox kind of the OTP message (KindOTP when empty).
	Kind MessageKind
}

// ChallengeResult is what a challenge produced.
type ChallengeResult struct {
	Factor Factor
	// Message is the OTP sent, for sms/call/email.
	Message *Message
	// Push is the push transaction created, for push.
	Push *PushTransaction
	// Nonce is the u2f/webauthn challenge.
	Nonce string
}

// userFactor returns factor fid of user uid after syncing the factors the
// org lists by itself; the caller holds o.mu (write).
func (o *Org) userFactor(uid, fid string) (*factor, error) {
	u, err := o.lookupUser(uid)
	if err != nil {
		return nil, err
	}
	o.syncAutoFactors(u)
	return factorIn(u, fid)
}

// factorIn is u's factor fid, or 404 E0000007.
func factorIn(u *user, fid string) (*factor, error) {
	if f := factorByID(u, fid); f != nil {
		return f, nil
	}
	return nil, okta.NotFound(fid, "UserFactor")
}

// ChallengeFactor issues a challenge for factor fid of user uid.
func (o *Org) ChallengeFactor(uid, fid string, in Challenge) (ChallengeResult, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	f, err := o.userFactor(uid, fid)
	if err != nil {
		return ChallengeResult{}, err
	}
	if f.Type == okta.FactorSignedNonce && o.opts.Factors.SignedNonceCause != "" {
		return ChallengeResult{}, okta.Validation("factorVerifyRequest", o.opts.Factors.SignedNonceCause)
	}
	if f.Status != okta.FactorActive {
		return ChallengeResult{}, okta.Errorf(okta.E0000154)
	}
	return o.challenge(f, in)
}

// challenge sends f's challenge; the caller holds o.mu and checked status.
func (o *Org) challenge(f *factor, in Challenge) (ChallengeResult, error) {
	switch f.Type {
	case okta.FactorSMS, okta.FactorCall, okta.FactorEmail:
		m, err := o.sendOTP(f, in)
		if err != nil {
			return ChallengeResult{}, err
		}
		return ChallengeResult{Factor: f.view(), Message: &m}, nil
	case okta.FactorPush:
		t := o.newPush(f, in.Push)
		return ChallengeResult{Factor: f.view(), Push: &t}, nil
	case okta.FactorU2F, okta.FactorWebAuthn:
		f.challenge = o.ids.Random(20)
		return ChallengeResult{Factor: f.view(), Nonce: f.challenge}, nil
	}
	return ChallengeResult{}, okta.Validation("factorVerifyRequest", "This factor does not need a challenge.")
}

// otpTarget is the channel and address of an OTP factor.
func otpTarget(f *factor) (Channel, string) {
	switch f.Type {
	case okta.FactorSMS:
		s, _ := f.Profile["phoneNumber"].(string)
		return ChannelSMS, s
	case okta.FactorCall:
		s, _ := f.Profile["phoneNumber"].(string)
		return ChannelVoice, s
	}
	s, _ := f.Profile["email"].(string)
	return ChannelEmail, s
}

// sendOTP mints a 6-digit OTP for f and sends it, throttled per address;
// the caller holds o.mu.
func (o *Org) sendOTP(f *factor, in Challenge) (Message, error) {
	ch, to := otpTarget(f)
	now := o.clock.Now()
	key := string(ch) + "|" + to
	throttle, code := SMSThrottle, okta.E0000109
	switch ch {
	case ChannelVoice:
		throttle, code = CallThrottle, okta.E0000133
	case ChannelEmail:
		throttle, code = EmailThrottle, okta.E0000118
	}
	if last, ok := o.fxs().lastSent[key]; ok && now.Sub(last) < throttle {
		return Message{}, okta.Errorf(code)
	}
	o.fxs().lastSent[key] = now
	life := PhoneOTPLifetime
	if ch == ChannelEmail {
		life = DefaultEmailOTPLifetime
		if in.TokenLifetime > 0 {
			life = in.TokenLifetime
		}
	}
	otp := o.ids.Digits(6)
	f.otp, f.otpExpires = o.hash(otp), now.Add(life)
	kind := in.Kind
	if kind == "" {
		kind = KindOTP
	}
	return o.send(Message{UserID: f.UserID, Channel: ch, To: to, Kind: kind, Code: otp, FactorID: f.ID}), nil
}

// Verify is what a verify (or activate) request carries.
type Verify struct {
	PassCode     string
	NextPassCode string
	Answer       string
	// TransactionID names the push transaction whose result to report.
	TransactionID string
	// U2F/WebAuthn assertion or registration; presence is checked, the
	// cryptography is not.
	ClientData, SignatureData, AuthenticatorData string
	RegistrationData, Attestation                string
}

// VerifyResult is the outcome of a verify call that did not fail.
type VerifyResult struct {
	Factor Factor
	Result FactorResult
	// Push is the transaction, for a push verify.
	Push *PushTransaction
}

// VerifyFactor checks a verification of factor fid of user uid. On success
// the factor's lastUpdated moves (lastVerified in Okta's terms).
func (o *Org) VerifyFactor(uid, fid string, in Verify) (VerifyResult, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	f, err := o.userFactor(uid, fid)
	if err != nil {
		return VerifyResult{}, err
	}
	if f.Type == okta.FactorSignedNonce && o.opts.Factors.SignedNonceCause != "" {
		return VerifyResult{}, okta.Validation("factorVerifyRequest", o.opts.Factors.SignedNonceCause)
	}
	if f.Status != okta.FactorActive {
		return VerifyResult{}, okta.Errorf(okta.E0000154)
	}
	now := o.clock.Now()
	if f.Type == okta.FactorPush {
		t, ok := o.fxs().pushes[in.TransactionID]
		if !ok || t.FactorID != f.ID {
			return VerifyResult{}, okta.NotFound(in.TransactionID, "Transaction")
		}
		t.settle(now)
		tx := t.PushTransaction
		return VerifyResult{Factor: f.view(), Result: FactorResult(t.Result), Push: &tx}, nil
	}
	if err := o.check(f, in, now); err != nil {
		return VerifyResult{}, err
	}
	f.LastUpdated = now
	return VerifyResult{Factor: f.view(), Result: ResultSuccess}, nil
}

// check verifies in against f at now; the caller holds o.mu (a shared
// TOTP verify: for reading, with f's user's signin lock).
func (o *Org) check(f *factor, in Verify, now time.Time) error {
	switch f.Type {
	case okta.FactorQuestion:
		if f.autoRecovery {
			if u := o.users[f.UserID]; u != nil && o.matches(u.recoveryAnswer, normalizeAnswer(in.Answer)) {
				return nil
			}
			return errAnswer()
		}
		if !o.matches(f.answer, normalizeAnswer(in.Answer)) {
			return errAnswer()
		}
		return nil
	case okta.FactorTOTP, okta.FactorHOTP:
		if ok, _ := checkTOTP(f, strings.TrimSpace(in.PassCode), now); !ok {
			return errPasscode()
		}
		return nil
	case okta.FactorSMS, okta.FactorCall, okta.FactorEmail:
		if in.PassCode == "" || !f.otp.set() || !now.Before(f.otpExpires) || !o.matches(f.otp, in.PassCode) {
			return errPasscode()
		}
		f.otp = digest{} // single use
		return nil
	case okta.FactorToken, okta.FactorHardware:
		return checkTokenCode(f, strings.TrimSpace(in.PassCode))
	case okta.FactorU2F, okta.FactorWebAuthn:
		// Not crypto-checked: an assertion is accepted when a challenge is
		// outstanding and the client sent its data.
		if f.challenge == "" || in.ClientData == "" || in.SignatureData == "" {
			return errPasscode()
		}
		f.challenge = ""
		return nil
	}
	return okta.Validation("factorVerifyRequest", "This factor cannot be verified.")
}

// checkTokenCode checks a hardware, RSA or Symantec passcode: one of the
// token's configured passcodes when it has some (fixtures), else any code
// of at least 6 characters; each code is accepted once.
func checkTokenCode(f *factor, code string) error {
	if len(code) < 6 || slices.Contains(f.usedCodes, code) {
		return errPasscode()
	}
	if len(f.passCodes) > 0 && !slices.Contains(f.passCodes, code) {
		return errPasscode()
	}
	f.usedCodes = append(f.usedCodes, code)
	return nil
}

// ActivateFactor activates a PENDING_ACTIVATION factor with the user's
// proof: an OTP or TOTP passCode (sms, call, email, token:software:totp),
// or u2f/webauthn registration data (not crypto-checked). OTP activation
// attempts are limited to 5 per 5 minutes per user (429 E0000047). An
// ACTIVE factor is 400 E0000001. Push factors activate through
// PollPushActivation/ActivateOktaVerify.
func (o *Org) ActivateFactor(uid, fid string, in Verify) (Factor, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	f, err := o.userFactor(uid, fid)
	if err != nil {
		return Factor{}, err
	}
	if f.Type == okta.FactorSignedNonce && o.opts.Factors.SignedNonceCause != "" {
		return Factor{}, okta.Validation("factorActivateRequest", o.opts.Factors.SignedNonceCause)
	}
	if f.Status == okta.FactorActive {
		return Factor{}, okta.Validation("factorActivateRequest", "The factor is already active.")
	}
	now := o.clock.Now()
	switch f.Type {
	case okta.FactorSMS, okta.FactorCall, okta.FactorEmail, okta.FactorTOTP:
		if o.activationLimited(f.UserID, now) {
			return Factor{}, okta.Errorf(okta.E0000047)
		}
		o.fxs().attempts[f.UserID] = append(o.fxs().attempts[f.UserID], now)
		if err := o.check(f, Verify{PassCode: in.PassCode}, now); err != nil {
			return Factor{}, err
		}
	case okta.FactorU2F:
		if in.RegistrationData == "" || in.ClientData == "" {
			return Factor{}, errPasscode()
		}
		f.setProfile("credentialId", o.ids.Random(43), "version", "U2F_V2")
	case okta.FactorWebAuthn:
		if in.Attestation == "" || in.ClientData == "" {
			return Factor{}, errPasscode()
		}
		f.setProfile("credentialId", o.ids.Random(43))
		if _, ok := f.Profile["authenticatorName"]; !ok {
			f.setProfile("authenticatorName", "Security Key")
		}
	case okta.FactorPush:
		return Factor{}, okta.Validation("factorActivateRequest", "Okta Verify activates from the app.")
	default:
		return Factor{}, okta.Validation("factorActivateRequest", "This factor cannot be activated.")
	}
	f.Status, f.LastUpdated = okta.FactorActive, now
	f.challenge = ""
	return f.view(), nil
}

// activationLimited reports whether user uid used its 5 OTP activation
// attempts in the last 5 minutes; the caller holds o.mu.
func (o *Org) activationLimited(uid string, now time.Time) bool {
	recent := slices.DeleteFunc(o.fxs().attempts[uid], func(t time.Time) bool { return now.Sub(t) >= ActivationWindow })
	o.fxs().attempts[uid] = recent
	return len(recent) >= ActivationAttempts
}

// ActivationLimited reports whether user uid exhausted its OTP activation
// attempts (after which resend is refused too).
func (o *Org) ActivationLimited(uid string) bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.activationLimited(uid, o.clock.Now())
}

// syncAutoFactors adds or removes the factors the org lists by itself
// (FactorRules.AutoEmailFactor, RecoveryQuestionFactor) and groups loose
// Okta Verify factors into one enrollment; the caller holds o.mu (write),
// or o.mu for reading and u.signin when autoFactorsInSync(u) holds (then
// there is nothing to change). Their ids are stable per user.
func (o *Org) syncAutoFactors(u *user) { o.autoFactorSync(u, true) }

// syncFactorsIn syncs u's synthesised factors (syncAutoFactors) where the
// caller holds o.mu exclusively; in shared mode they must be in sync
// already, or it returns errExclusive.
func (o *Org) syncFactorsIn(u *user, shared bool) error {
	if !shared {
		o.syncAutoFactors(u)
	} else if !o.autoFactorsInSync(u) {
		return errExclusive
	}
	return nil
}

// autoFactorsInSync reports whether syncAutoFactors(u) would change
// nothing; it only reads.
func (o *Org) autoFactorsInSync(u *user) bool { return !o.autoFactorSync(u, false) }

// autoFactorSync reports whether u's synthesised factors need a change and,
// when apply is set, makes it.
func (o *Org) autoFactorSync(u *user, apply bool) (change bool) {
	rules := o.opts.Factors
	if rules.OktaVerifySiblings && o.groupOktaVerify(u, apply) {
		change = true
	}
	if rules.AutoEmailFactor && u.EmailVerified && u.Email() != "" &&
		!slices.ContainsFunc(u.factors, func(f *factor) bool { return f.Type == okta.FactorEmail }) {
		switch {
		case !apply && (o.fx == nil || o.fx.auths == nil):
			// Whether the email authenticator is active needs the
			// authenticators, which the org makes on first use: a
			// read-only check makes nothing, the exclusive sync will.
			return true
		case o.authenticatorActive("okta_email"):
			if apply {
				f := o.addFactor(u, NewFactor{ID: stableID("emf", u.ID), Type: okta.FactorEmail,
					Profile: map[string]any{"email": u.Email()}})
				f.autoEmail = true
				f.Created, f.LastUpdated = time.Time{}, time.Time{}
			}
			change = true
		}
	}
	if rules.RecoveryQuestionFactor {
		hasMFAQuestion := slices.ContainsFunc(u.factors, func(f *factor) bool {
			return f.Type == okta.FactorQuestion && !f.autoRecovery
		})
		idx := slices.IndexFunc(u.factors, func(f *factor) bool { return f.autoRecovery })
		switch {
		case (hasMFAQuestion || u.recoveryQuestion == "") && idx >= 0:
			if apply {
				u.factors = slices.Delete(u.factors, idx, idx+1)
			}
			change = true
		case !hasMFAQuestion && u.recoveryQuestion != "" && idx < 0:
			if apply {
				f := o.addFactor(u, NewFactor{ID: stableID("ufs", u.ID), Type: okta.FactorQuestion,
					Profile: map[string]any{"question": "custom", "questionText": u.recoveryQuestion}})
				f.autoRecovery = true
			}
			change = true
		case idx >= 0 && u.factors[idx].Profile["questionText"] != u.recoveryQuestion:
			if apply {
				u.factors[idx].setProfile("questionText", u.recoveryQuestion)
			}
			change = true
		}
	}
	return change
}

// stableID derives a 20-character factor id from a user id.
func stableID(prefix, uid string) string {
	s := prefix + strings.TrimPrefix(uid, "00u")
	for len(s) < 20 {
		s += "0"
	}
	return s[:20]
}

// groupOktaVerify puts Okta Verify factors that belong to no enrollment
// (fixtures, the Classic-era model) into one enrollment, as Identity
// Engine sees one Okta Verify authenticator, when apply is set; it reports
// whether there were any. The caller holds o.mu.
func (o *Org) groupOktaVerify(u *user, apply bool) bool {
	var loose []*factor
	for _, f := range u.factors {
		ov := f.Type == okta.FactorPush || f.Type == okta.FactorSignedNonce || (f.Type == okta.FactorTOTP && f.Provider == "OKTA")
		if ov && f.enrollment == "" {
			loose = append(loose, f)
		}
	}
	if len(loose) == 0 || !apply {
		return len(loose) > 0
	}
	id := stableID("pfd", u.ID)
	for _, f := range loose {
		f.enrollment = id
	}
	return true
}
