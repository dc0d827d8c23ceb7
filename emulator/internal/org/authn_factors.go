package org

import (
	"encoding/hex"
	"slices"
	"strings"

	"github.com/oktaemu/oktaemu/emulator/internal/okta"
)

// Factor verification and enrollment inside an authn transaction
// (authn.md §6, §7). The checks themselves are the factor model's
// (verify.go, push.go): challenge, check, sendOTP, newPush,
// startPushActivation; this file only drives the transaction.

// AuthnVerify is the body and query of POST /api/v1/authn/factors/{id}/verify.
type AuthnVerify struct {
	PassCode, NextPassCode, Answer               string
	ClientData, SignatureData, AuthenticatorData string
	// RememberDevice and AutoPush are the query parameters; AutoPushSet
	// says autoPush was sent at all.
	RememberDevice bool
	AutoPush       bool
	AutoPushSet    bool
	// NumberChallenge asks for a push number challenge.
	NumberChallenge bool
	// ClientIP and UserAgent are shown on the phone for a push.
	ClientIP, UserAgent string
}

// amrOf is the RFC 8176 method of a factor type.
func amrOf(t okta.FactorType) string {
	switch t {
	case okta.FactorSMS:
		return "sms"
	case okta.FactorCall:
		return "tel"
	case okta.FactorEmail:
		return "email"
	case okta.FactorQuestion:
		return "kba"
	case okta.FactorPush:
		return "swk"
	case okta.FactorToken, okta.FactorHardware, okta.FactorU2F, okta.FactorWebAuthn:
		return "hwk"
	}
	return "otp"
}

// factorProven records a verified or enrolled factor on tx.
func (o *Org) factorProven(tx *authnTx, f *factor) {
	tx.mfaDone = true
	tx.factorAt = o.clock.Now()
	for _, m := range []string{"mfa", amrOf(f.Type)} {
		if !slices.Contains(tx.amr, m) {
			tx.amr = append(tx.amr, m)
		}
	}
}

// renderFactorExtra adds what a challenge or activation shows for f.
func (o *Org) renderFactorExtra(tx *authnTx, u *user, f *factor, v *AuthnTransaction) {
	if f.Type == okta.FactorU2F || f.Type == okta.FactorWebAuthn {
		v.Nonce = f.challenge
	}
	switch tx.status {
	case AuthnMFAChallenge:
		if f.Type == okta.FactorPush && tx.pushID != "" {
			if p, ok := o.fxs().pushes[tx.pushID]; ok && p.Result == PushWaiting {
				v.CorrectAnswer = p.CorrectAnswer
			}
		}
	case AuthnMFAEnrollActivate:
		switch f.Type {
		case okta.FactorTOTP:
			v.Activation = &AuthnActivation{SharedSecret: f.secret, QRToken: o.qrToken(f)}
		case okta.FactorPush:
			a := &AuthnActivation{FactorResult: tx.factorResult}
			if f.activation != nil {
				a.ExpiresAt, a.QRToken = f.activation.expiresAt, f.activation.token
			}
			v.Activation = a
		}
	}
}

// qrToken is the opaque QR link part of a TOTP activation.
func (o *Org) qrToken(f *factor) string {
	return "00" + hex.EncodeToString(o.mac("qr", f.ID+f.secret))[:38]
}

// refreshFactorResult settles a push challenge or activation against the
// clock for a read of the state (introspect): WAITING may have turned
// TIMEOUT.
func (o *Org) refreshFactorResult(tx *authnTx) {
	u := o.users[tx.userID]
	if u == nil {
		return
	}
	switch tx.status {
	case AuthnMFAChallenge:
		if p, ok := o.fxs().pushes[tx.pushID]; ok && tx.pushID != "" {
			p.settle(o.clock.Now())
			if p.Result == PushTimeout {
				tx.factorResult = string(PushTimeout)
			}
		}
	case AuthnMFAEnrollActivate:
		if f := factorByID(u, tx.factorID); f != nil && f.activation != nil {
			f.activation.settle(o.clock.Now())
			if f.activation.result == PushTimeout {
				tx.factorResult = string(PushTimeout)
			}
		}
	}
}

// txFactor finds factor fid of the transaction's user (404 E0000007 when
// unknown).
func (o *Org) txFactor(tx *authnTx, fid string) (*user, *factor, error) {
	u := o.users[tx.userID]
	o.syncAutoFactors(u)
	f := factorByID(u, fid)
	if f == nil {
		return u, nil, okta.NotFound(fid, "UserFactor")
	}
	return u, f, nil
}

// AuthnVerifyFactor is POST /api/v1/authn/factors/{factorId}/verify in
// MFA_REQUIRED or MFA_CHALLENGE: it challenges (sms, call, email, push,
// u2f, webauthn without an answer), polls a push, or checks an answer.
func (o *Org) AuthnVerifyFactor(stateToken, fid string, in AuthnVerify) (AuthnTransaction, error) {
	key := o.txKey(stateToken)
	return signInStep(o, func(shared bool) (AuthnTransaction, error) {
		return o.authnVerify(stateToken, key, fid, in, shared)
	})
}

// authnVerify is AuthnVerifyFactor under o.mu, shared or exclusive
// (signin.go). A shared step checks TOTP (and HOTP) passcodes only.
func (o *Org) authnVerify(stateToken, key, fid string, in AuthnVerify, shared bool) (AuthnTransaction, error) {
	if shared {
		u := o.txUser(key)
		if u == nil { // unknown or fake: the exclusive step answers
			return AuthnTransaction{}, errExclusive
		}
		u.signin.Lock()
		defer u.signin.Unlock()
		if !o.autoFactorsInSync(u) {
			return AuthnTransaction{}, errExclusive
		}
	}
	tx, err := o.liveTxKey(stateToken, key)
	if err != nil {
		return AuthnTransaction{}, err
	}
	if tx.status != AuthnMFARequired && tx.status != AuthnMFAChallenge {
		return AuthnTransaction{}, notAllowed()
	}
	if fid == string(okta.FactorWebAuthn) {
		if shared {
			return AuthnTransaction{}, errExclusive
		}
		return o.verifyWebAuthnByType(tx, stateToken, in)
	}
	u, f, err := o.txFactor(tx, fid)
	if err != nil {
		return AuthnTransaction{}, err
	}
	if f.Status != okta.FactorActive || f.Type == okta.FactorSignedNonce {
		return AuthnTransaction{}, okta.Errorf(okta.E0000154)
	}
	if shared && f.Type != okta.FactorTOTP && f.Type != okta.FactorHOTP {
		return AuthnTransaction{}, errExclusive
	}
	now := o.clock.Now()
	switch f.Type {
	case okta.FactorPush:
		return o.verifyPush(tx, stateToken, u, f, in)
	case okta.FactorSMS, okta.FactorCall, okta.FactorEmail:
		if in.PassCode == "" {
			if _, err := o.challenge(f, Challenge{}); err != nil {
				return AuthnTransaction{}, err
			}
			o.challenged(tx, f)
			return o.render(tx, stateToken), nil
		}
	case okta.FactorU2F, okta.FactorWebAuthn:
		if in.ClientData == "" {
			if _, err := o.challenge(f, Challenge{}); err != nil {
				return AuthnTransaction{}, err
			}
			o.challenged(tx, f)
			return o.render(tx, stateToken), nil
		}
	case okta.FactorWeb:
		return AuthnTransaction{}, okta.Validation("factorVerifyRequest", "Duo is not emulated.")
	}
	if err := o.check(f, Verify{PassCode: in.PassCode, NextPassCode: in.NextPassCode, Answer: in.Answer,
		ClientData: in.ClientData, SignatureData: in.SignatureData, AuthenticatorData: in.AuthenticatorData}, now); err != nil {
		if shared { // a wrong passcode counts towards lockout
			return AuthnTransaction{}, errExclusive
		}
		return AuthnTransaction{}, o.factorFailed(tx, u, err)
	}
	f.LastUpdated = now
	return o.verified(tx, stateToken, u, f, in), nil
}

// challenged moves tx to MFA_CHALLENGE on f.
func (o *Org) challenged(tx *authnTx, f *factor) {
	tx.status = AuthnMFAChallenge
	tx.factorID, tx.pushID, tx.factorResult = f.ID, "", ""
	switch f.Type {
	case okta.FactorEmail, okta.FactorWebAuthn:
		// Newer tenants answer CHALLENGE for email and WebAuthn (authn.md
		// §7.1); SMS and call challenges carry no factorResult.
		tx.factorResult = string(ResultChallenge)
	}
}

// factorFailed counts a wrong answer towards the lockout threshold: the
// user locked by it gets 403 E0000069 and the transaction ends.
func (o *Org) factorFailed(tx *authnTx, u *user, err error) error {
	pp := o.passwordPolicyFor(u.ID)
	o.countFailure(u, pp)
	if u.Status == okta.UserLockedOut {
		o.endTx(tx)
		return okta.Errorf(okta.E0000069)
	}
	return err
}

// verified continues §3.3 after f was verified.
func (o *Org) verified(tx *authnTx, token string, u *user, f *factor, in AuthnVerify) AuthnTransaction {
	o.factorProven(tx, f)
	u.failedPasswords = 0
	if in.RememberDevice {
		if until, ok := o.rememberGrant(u); ok {
			tx.rememberUntil = &until
		}
	}
	if f.Type == okta.FactorPush && in.AutoPushSet {
		o.hot.Lock()
		o.authn.autoPush[f.ID] = in.AutoPush
		o.hot.Unlock()
	}
	return o.advance(tx, token)
}

// verifyPush sends a push or reports the outstanding one (authn.md §7.2).
func (o *Org) verifyPush(tx *authnTx, token string, u *user, f *factor, in AuthnVerify) (AuthnTransaction, error) {
	now := o.clock.Now()
	if tx.status == AuthnMFAChallenge && tx.factorID == f.ID && tx.pushID != "" {
		if p, ok := o.fxs().pushes[tx.pushID]; ok {
			p.settle(now)
			switch p.Result {
			case PushWaiting:
				tx.factorResult = string(PushWaiting)
				return o.render(tx, token), nil
			case PushSuccess:
				delete(o.fxs().pushes, p.ID)
				return o.verified(tx, token, u, f, in), nil
			default:
				if tx.factorResult != string(p.Result) {
					// First report of REJECTED or TIMEOUT; the next verify
					// sends a new push.
					tx.factorResult = string(p.Result)
					return o.render(tx, token), nil
				}
			}
		}
	}
	p := o.newPush(f, PushOptions{NumberChallenge: in.NumberChallenge || o.authn.numberChallenge,
		ClientIP: in.ClientIP, UserAgent: in.UserAgent})
	tx.status = AuthnMFAChallenge
	tx.factorID, tx.pushID, tx.factorResult = f.ID, p.ID, string(PushWaiting)
	return o.render(tx, token), nil
}

// AuthnPushTransaction returns the push transaction an authn MFA_CHALLENGE
// waits on, for the out-of-band control plane (approve / reject). The
// stateToken is not slid.
func (o *Org) AuthnPushTransaction(stateToken string) (PushTransaction, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.authnInit()
	tx, ok := o.authn.txs[o.macKey("stateToken", stateToken)]
	if !ok || tx.pushID == "" || !o.clock.Now().Before(tx.expiresAt) {
		return PushTransaction{}, okta.Errorf(okta.E0000011)
	}
	p, ok := o.fxs().pushes[tx.pushID]
	if !ok {
		return PushTransaction{}, okta.Errorf(okta.E0000011)
	}
	p.settle(o.clock.Now())
	return p.PushTransaction, nil
}

// SetAuthnNumberChallenge makes every authn push carry a number challenge
// (Okta does so when it flags a sign-in as unusual, authn.md §7.2).
func (o *Org) SetAuthnNumberChallenge(on bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.authnInit()
	o.authn.numberChallenge = on
}

// AuthnResendVerify is POST /api/v1/authn/factors/{id}/verify/resend in
// MFA_CHALLENGE for the challenged factor: a new OTP (throttled) or push.
func (o *Org) AuthnResendVerify(stateToken, fid string, in AuthnVerify) (AuthnTransaction, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	tx, err := o.liveTx(stateToken)
	if err != nil {
		return AuthnTransaction{}, err
	}
	if tx.status != AuthnMFAChallenge || tx.factorID != fid {
		return AuthnTransaction{}, notAllowed()
	}
	_, f, err := o.txFactor(tx, fid)
	if err != nil {
		return AuthnTransaction{}, err
	}
	switch f.Type {
	case okta.FactorSMS, okta.FactorCall, okta.FactorEmail:
		if _, err := o.challenge(f, Challenge{}); err != nil {
			return AuthnTransaction{}, err
		}
		o.challenged(tx, f)
	case okta.FactorPush:
		p := o.newPush(f, PushOptions{NumberChallenge: in.NumberChallenge || o.authn.numberChallenge,
			ClientIP: in.ClientIP, UserAgent: in.UserAgent})
		tx.pushID, tx.factorResult = p.ID, string(PushWaiting)
	default:
		return AuthnTransaction{}, notAllowed()
	}
	return o.render(tx, stateToken), nil
}

// AuthnEnroll is the body of POST /api/v1/authn/factors.
type AuthnEnroll struct {
	FactorType   okta.FactorType
	Provider     string
	Profile      map[string]any
	PassCode     string
	NextPassCode string
	UpdatePhone  bool
}

// enrollingUser checks tx is in MFA_ENROLL and returns its user id; the
// caller holds o.mu.
func (o *Org) enrollingTx(stateToken string, want AuthnStatus) (*authnTx, error) {
	tx, err := o.liveTx(stateToken)
	if err != nil {
		return nil, err
	}
	if tx.status != want {
		return nil, notAllowed()
	}
	return tx, nil
}

// AuthnEnrollFactor is POST /api/v1/authn/factors in MFA_ENROLL (authn.md
// §6.2). The enrollment itself is the Factors API's (EnrollFactor, with the
// org's factor rules); factors that need no activation complete at once,
// the others go to MFA_ENROLL_ACTIVATE.
func (o *Org) AuthnEnrollFactor(stateToken string, in AuthnEnroll) (AuthnTransaction, error) {
	o.mu.Lock()
	tx, err := o.enrollingTx(stateToken, AuthnMFAEnroll)
	if err != nil {
		o.mu.Unlock()
		return AuthnTransaction{}, err
	}
	u := o.users[tx.userID]
	if in.Provider == "" {
		in.Provider = DefaultProvider(in.FactorType)
	}
	in.Provider = strings.ToUpper(in.Provider)
	listed := slices.ContainsFunc(o.enrollOptions(u), func(e EnrollOption) bool {
		return e.FactorType == in.FactorType && e.Provider == in.Provider
	})
	if !listed {
		o.mu.Unlock()
		return AuthnTransaction{}, okta.Validation("factorEnrollRequest", CauseNotAllowed)
	}
	// A factor left pending by an earlier enrollment of this transaction
	// (then `previous`) is replaced (authn.md §6.4).
	var pending []*factor
	for _, f := range u.factors {
		if f.Type == in.FactorType && f.Provider == in.Provider && f.Status == okta.FactorPendingActivation &&
			(in.FactorType != okta.FactorSMS && in.FactorType != okta.FactorCall || !in.UpdatePhone) {
			pending = append(pending, f)
		}
	}
	o.removeFactors(u, pending...)
	uid := u.ID
	o.mu.Unlock()

	res, err := o.EnrollFactor(uid, Enroll{Type: in.FactorType, Provider: in.Provider, Profile: in.Profile,
		UpdatePhone: in.UpdatePhone, PassCode: in.PassCode, NextPassCode: in.NextPassCode})
	if err != nil {
		return AuthnTransaction{}, err
	}

	o.mu.Lock()
	defer o.mu.Unlock()
	tx, err = o.enrollingTx(stateToken, AuthnMFAEnroll)
	if err != nil {
		return AuthnTransaction{}, err
	}
	u = o.users[tx.userID]
	f := factorByID(u, res.Factor.ID)
	if f == nil {
		return AuthnTransaction{}, okta.NotFound(res.Factor.ID, "UserFactor")
	}
	if f.Status == okta.FactorActive {
		return o.enrolled(tx, stateToken, f), nil
	}
	tx.status, tx.factorID, tx.factorResult = AuthnMFAEnrollActivate, f.ID, ""
	if f.Type == okta.FactorPush {
		tx.factorResult = string(PushWaiting)
	}
	return o.render(tx, stateToken), nil
}

func anyString(v any) string { s, _ := v.(string); return s }

// enrolled continues §3.3 after f became ACTIVE in this transaction.
func (o *Org) enrolled(tx *authnTx, token string, f *factor) AuthnTransaction {
	tx.enrolledHere = true
	o.factorProven(tx, f)
	return o.advance(tx, token)
}

// activatingFactor checks tx is activating fid and returns the user id;
// the caller holds o.mu.
func (o *Org) activatingFactor(stateToken, fid string) (*authnTx, *factor, error) {
	tx, err := o.enrollingTx(stateToken, AuthnMFAEnrollActivate)
	if err != nil {
		return nil, nil, err
	}
	if tx.factorID != fid {
		return nil, nil, notAllowed()
	}
	_, f, err := o.txFactor(tx, fid)
	if err != nil {
		return nil, nil, err
	}
	return tx, f, nil
}

// activationDone re-reads tx after a factor-model call and goes on when the
// factor became ACTIVE.
func (o *Org) activationDone(stateToken, fid, result string) (AuthnTransaction, error) {
	tx, f, err := o.activatingFactor(stateToken, fid)
	if err != nil {
		return AuthnTransaction{}, err
	}
	if f.Status == okta.FactorActive {
		return o.enrolled(tx, stateToken, f), nil
	}
	tx.factorResult = result
	return o.render(tx, stateToken), nil
}

// AuthnActivateFactor is POST /api/v1/authn/factors/{id}/lifecycle/activate
// in MFA_ENROLL_ACTIVATE: an OTP/TOTP passCode or WebAuthn/U2F registration
// completes the factor (ActivateFactor); for push it reports the activation
// and restarts it (new QR code) after a TIMEOUT (PollPushActivation).
func (o *Org) AuthnActivateFactor(stateToken, fid string, in Verify) (AuthnTransaction, error) {
	o.mu.Lock()
	tx, f, err := o.activatingFactor(stateToken, fid)
	if err != nil {
		o.mu.Unlock()
		return AuthnTransaction{}, err
	}
	uid, isPush := tx.userID, f.Type == okta.FactorPush
	o.mu.Unlock()
	result := ""
	if isPush {
		a, err := o.PollPushActivation(uid, fid)
		if err != nil {
			return AuthnTransaction{}, err
		}
		result = string(PushWaiting)
		if a.Result == PushSuccess {
			result = ""
		}
	} else if _, err := o.ActivateFactor(uid, fid, in); err != nil {
		return AuthnTransaction{}, err
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.activationDone(stateToken, fid, result)
}

// AuthnPollActivation is POST …/lifecycle/activate/poll for a push
// enrollment: WAITING until the app activates the factor (then the flow
// goes on), TIMEOUT once the QR code expired (the `activate` link then
// starts a new one).
func (o *Org) AuthnPollActivation(stateToken, fid string) (AuthnTransaction, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	tx, f, err := o.activatingFactor(stateToken, fid)
	if err != nil {
		return AuthnTransaction{}, err
	}
	if f.Type != okta.FactorPush {
		return AuthnTransaction{}, notAllowed()
	}
	if f.Status == okta.FactorActive {
		return o.enrolled(tx, stateToken, f), nil
	}
	if f.activation == nil {
		o.startPushActivation(f)
	}
	f.activation.settle(o.clock.Now())
	tx.factorResult = string(f.activation.result)
	return o.render(tx, stateToken), nil
}

// AuthnResendActivation is POST …/lifecycle/resend (a new OTP for an
// sms/call/email enrollment: ResendFactor, throttled) and
// …/lifecycle/activate/{email,sms} (the Okta Verify activation link by
// email or SMS). The state is unchanged.
func (o *Org) AuthnResendActivation(stateToken, fid, via, phone string) (AuthnTransaction, error) {
	o.mu.Lock()
	tx, f, err := o.activatingFactor(stateToken, fid)
	if err != nil {
		o.mu.Unlock()
		return AuthnTransaction{}, err
	}
	uid := tx.userID
	switch {
	case via == "" && (f.Type == okta.FactorSMS || f.Type == okta.FactorCall || f.Type == okta.FactorEmail):
		o.mu.Unlock()
		if _, err := o.ResendFactor(uid, fid, 0); err != nil {
			return AuthnTransaction{}, err
		}
		o.mu.Lock()
	case via != "" && f.Type == okta.FactorPush:
		u := o.users[uid]
		if f.activation == nil {
			o.startPushActivation(f)
		}
		m := Message{UserID: u.ID, Kind: KindVerify, Token: f.activation.token, FactorID: f.ID,
			Path: "/api/v1/users/" + u.ID + "/factors/" + f.ID + "/qr/" + f.activation.token}
		if via == "sms" {
			if !validPhone(phone) {
				o.mu.Unlock()
				return AuthnTransaction{}, okta.Errorf(okta.E0000098)
			}
			m.Channel, m.To = ChannelSMS, phone
		} else {
			m.Channel, m.To = ChannelEmail, u.Email()
		}
		o.send(m)
	default:
		o.mu.Unlock()
		return AuthnTransaction{}, notAllowed()
	}
	defer o.mu.Unlock()
	tx, _, err = o.activatingFactor(stateToken, fid)
	if err != nil {
		return AuthnTransaction{}, err
	}
	return o.render(tx, stateToken), nil
}

// ByTypeWebAuthn is the factor id of a verify-by-type WebAuthn challenge
// (POST /api/v1/authn/factors/webauthn/verify, authn.md §7.4).
const ByTypeWebAuthn = "webauthn"

// activeOfType lists u's ACTIVE factors of type t.
func activeOfType(u *user, t okta.FactorType) []*factor {
	var out []*factor
	for _, f := range u.factors {
		if f.Type == t && f.Status == okta.FactorActive {
			out = append(out, f)
		}
	}
	return out
}

// verifyWebAuthnByType challenges every enrolled WebAuthn factor at once
// with one challenge, or accepts an assertion for it: any of them may
// answer (authn.md §7.4). Assertions are not crypto-checked.
func (o *Org) verifyWebAuthnByType(tx *authnTx, token string, in AuthnVerify) (AuthnTransaction, error) {
	u := o.users[tx.userID]
	fs := activeOfType(u, okta.FactorWebAuthn)
	if len(fs) == 0 {
		return AuthnTransaction{}, okta.NotFound(ByTypeWebAuthn, "UserFactor")
	}
	if in.ClientData == "" {
		nonce := o.ids.Random(20)
		for _, f := range fs {
			f.challenge = nonce
		}
		tx.status, tx.factorID, tx.pushID, tx.factorResult = AuthnMFAChallenge, ByTypeWebAuthn, "", string(ResultChallenge)
		return o.render(tx, token), nil
	}
	now := o.clock.Now()
	for _, f := range fs {
		if f.challenge == "" {
			continue
		}
		if err := o.check(f, Verify{ClientData: in.ClientData, SignatureData: in.SignatureData,
			AuthenticatorData: in.AuthenticatorData}, now); err != nil {
			return AuthnTransaction{}, o.factorFailed(tx, u, err)
		}
		for _, g := range fs {
			g.challenge = ""
		}
		f.LastUpdated = now
		return o.verified(tx, token, u, f, in), nil
	}
	return AuthnTransaction{}, o.factorFailed(tx, u, errPasscode())
}
