package org

import (
	"strings"

	"github.com/oktaemu/oktaemu/emulator/internal/okta"
)

// Self-service recovery through the authn API (authn.md §8): forgot
// password and unlock by email, SMS or call, the recovery token, the
// recovery question.

// Recovery is the body of POST /api/v1/authn/recovery/{password,unlock}.
type Recovery struct {
	Username string
	// FactorType is EMAIL, SMS or CALL (any case); a trusted caller may
	// leave it empty to get a recoveryToken.
	FactorType string
	// Type is RecoveryTypePassword or RecoveryTypeUnlock.
	Type       string
	RelayState string
	Trusted    bool
}

// Cause of a wrong recovery SMS/call code (authn.md §1.5).
const CauseRecoveryToken = "Your token doesn't match our records. Please try again."

// AuthnRecover starts a recovery. Public callers always get a
// RECOVERY_CHALLENGE, whether or not the user exists or may recover (no
// enumeration); a trusted caller gets 403 E0000095 for an unknown user and a
// recoveryToken when it names no factor.
func (o *Org) AuthnRecover(in Recovery, eng AuthnEngine) (AuthnTransaction, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.authnInit()
	ft := strings.ToUpper(strings.TrimSpace(in.FactorType))
	switch ft {
	case "", "EMAIL", "SMS", "CALL":
	default:
		return AuthnTransaction{}, okta.Validation("factorType", "factorType: Invalid factor type "+in.FactorType)
	}
	if ft == "" && !in.Trusted {
		return AuthnTransaction{}, okta.Validation("factorType", "factorType: The field cannot be left blank")
	}
	if strings.TrimSpace(in.Username) == "" {
		return AuthnTransaction{}, okta.Validation("username", "username: The field cannot be left blank")
	}
	u := o.lookupLogin(in.Username)
	if u == nil && in.Trusted {
		return AuthnTransaction{}, okta.Errorf(okta.E0000095)
	}
	relay := ""
	if eng.KeepRelayState {
		relay = in.RelayState
	}
	allowed, denied := false, false
	if u != nil {
		rp := o.authnRecoveryPolicy(u.ID)
		denied = eng.DenyIEOnlyRecovery && rp.ieOnly
		switch in.Type {
		case RecoveryTypeUnlock:
			allowed = rp.unlockAllowed
		default:
			allowed = rp.resetAllowed
		}
		allowed = allowed && (ft == "" || rp.allows(ft)) && !denied
		switch u.Status {
		case okta.UserActive, okta.UserPasswordExpired, okta.UserRecovery, okta.UserLockedOut:
		default:
			allowed = false
		}
	}
	if in.Trusted && !allowed {
		switch {
		case denied:
			return AuthnTransaction{}, okta.Errorf(okta.E0000006)
		case in.Type == RecoveryTypeUnlock:
			return AuthnTransaction{}, okta.Errorf(okta.E0000032)
		default:
			return AuthnTransaction{}, okta.Errorf(okta.E0000034)
		}
	}
	kind := TokenRecovery
	if in.Type == RecoveryTypeUnlock {
		kind = TokenUnlock
	}
	switch ft {
	case "":
		token := o.mintRecoveryToken(u, kind)
		uv := u.view(o)
		return AuthnTransaction{Status: AuthnRecovery, RecoveryType: in.Type, RecoveryToken: token,
			ExpiresAt: u.tokens[token].ExpiresAt, User: &uv, RelayState: relay, PasswordExpireDays: -1}, nil
	case "EMAIL":
		if allowed {
			token := o.mintRecoveryToken(u, kind)
			path, mk := "/signin/reset-password/"+token, KindRecovery
			if kind == TokenUnlock {
				path, mk = "/signin/unlock/"+token, KindUnlock
			}
			for _, to := range []string{u.Email(), anyString(u.Profile["secondEmail"])} {
				if to != "" {
					o.send(Message{UserID: u.ID, Channel: ChannelEmail, To: to, Kind: mk, Token: token, Path: path})
				}
			}
		}
		return AuthnTransaction{Status: AuthnRecoveryChallenge, FactorResult: string(ResultWaiting), FactorType: ft,
			RecoveryType: in.Type, RelayState: relay, PasswordExpireDays: -1}, nil
	}
	// SMS or CALL: a transaction in every case; one that cannot succeed
	// when the user is unknown, has no phone or may not recover.
	uid := ""
	if u != nil {
		uid = u.ID
	}
	tx, token := o.newTx(uid)
	tx.status, tx.recoveryType, tx.recoveryFactor, tx.relayState = AuthnRecoveryChallenge, in.Type, ft, relay
	tx.trusted = in.Trusted
	tx.fake = !allowed
	tx.denied = denied
	if allowed {
		tx.recoveryTo = recoveryPhone(u, ft)
		tx.fake = tx.recoveryTo == ""
	}
	if !tx.fake {
		if err := o.sendRecoveryOTP(tx); err != nil {
			o.endTx(tx)
			return AuthnTransaction{}, err
		}
	}
	return o.renderRecovery(tx, token), nil
}

// renderRecovery renders tx without touching its (possibly absent) user.
func (o *Org) renderRecovery(tx *authnTx, token string) AuthnTransaction {
	if tx.fake {
		return AuthnTransaction{StateToken: token, ExpiresAt: tx.expiresAt, Status: tx.status, RelayState: tx.relayState,
			RecoveryType: tx.recoveryType, FactorType: tx.recoveryFactor, PasswordExpireDays: -1}
	}
	return o.render(tx, token)
}

// recoveryPhone is the number a recovery code goes to: the user's active
// sms (or call) factor, else the profile's mobilePhone.
func recoveryPhone(u *user, ft string) string {
	want := okta.FactorSMS
	if ft == "CALL" {
		want = okta.FactorCall
	}
	for _, f := range u.factors {
		if f.Type == want && f.Status == okta.FactorActive {
			if p := anyString(f.Profile["phoneNumber"]); p != "" {
				return p
			}
		}
	}
	return anyString(u.Profile["mobilePhone"])
}

// sendRecoveryOTP sends a recovery code to tx's phone, throttled with the
// factor OTPs of the same number (30 s, E0000109 / E0000133).
func (o *Org) sendRecoveryOTP(tx *authnTx) error {
	ch, throttle, code := ChannelSMS, SMSThrottle, okta.E0000109
	if tx.recoveryFactor == "CALL" {
		ch, throttle, code = ChannelVoice, CallThrottle, okta.E0000133
	}
	now := o.clock.Now()
	key := string(ch) + "|" + tx.recoveryTo
	if last, ok := o.fxs().lastSent[key]; ok && now.Sub(last) < throttle {
		return okta.Errorf(code)
	}
	o.fxs().lastSent[key] = now
	otp := o.ids.Digits(6)
	tx.recoveryOTP, tx.recoveryOTPExp = o.hash(otp), now.Add(PhoneOTPLifetime)
	o.send(Message{UserID: tx.userID, Channel: ch, To: tx.recoveryTo, Kind: KindRecovery, Code: otp})
	return nil
}

// recoveryTx checks that tx is a RECOVERY_CHALLENGE by factorType.
func (o *Org) recoveryTx(stateToken, factorType string) (*authnTx, error) {
	tx, err := o.liveTx(stateToken)
	if err != nil {
		return nil, err
	}
	if tx.status != AuthnRecoveryChallenge || !strings.EqualFold(tx.recoveryFactor, factorType) {
		return nil, notAllowed()
	}
	return tx, nil
}

// AuthnRecoveryVerify is POST /api/v1/authn/recovery/factors/{SMS|CALL}/verify.
func (o *Org) AuthnRecoveryVerify(stateToken, factorType, passCode string) (AuthnTransaction, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	tx, err := o.recoveryTx(stateToken, factorType)
	if err != nil {
		return AuthnTransaction{}, err
	}
	if tx.denied {
		return AuthnTransaction{}, okta.Errorf(okta.E0000006)
	}
	now := o.clock.Now()
	if tx.fake || passCode == "" || !tx.recoveryOTP.set() || !now.Before(tx.recoveryOTPExp) ||
		!o.matches(tx.recoveryOTP, strings.TrimSpace(passCode)) {
		return AuthnTransaction{}, okta.Errorf(okta.E0000068).WithCauses(CauseRecoveryToken)
	}
	tx.recoveryOTP = digest{}
	return o.recoveryProven(tx, stateToken), nil
}

// AuthnRecoveryResend is POST /api/v1/authn/recovery/factors/{SMS|CALL}/resend.
func (o *Org) AuthnRecoveryResend(stateToken, factorType string) (AuthnTransaction, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	tx, err := o.recoveryTx(stateToken, factorType)
	if err != nil {
		return AuthnTransaction{}, err
	}
	if !tx.fake {
		if err := o.sendRecoveryOTP(tx); err != nil {
			return AuthnTransaction{}, err
		}
	}
	return o.renderRecovery(tx, stateToken), nil
}

// recoveryProven continues a recovery once the user proved control of a
// recovery factor: RECOVERY when the recovery question must be answered,
// else PASSWORD_RESET (password) or the unlock.
func (o *Org) recoveryProven(tx *authnTx, token string) AuthnTransaction {
	u := o.users[tx.userID]
	rp := o.authnRecoveryPolicy(u.ID)
	if rp.question && u.recoveryQuestion != "" && u.recoveryAnswer.set() {
		tx.status = AuthnRecovery
		return o.render(tx, token)
	}
	return o.recoveryAnswered(tx, token)
}

// recoveryAnswered finishes the proof: PASSWORD_RESET, or unlock SUCCESS.
func (o *Org) recoveryAnswered(tx *authnTx, token string) AuthnTransaction {
	u := o.users[tx.userID]
	if tx.recoveryType == RecoveryTypeUnlock {
		if u.Status == okta.UserLockedOut {
			o.setStatus(u, okta.UserActive)
		}
		u.failedPasswords = 0
		o.endTx(tx)
		tx.status = AuthnSuccess
		v := o.render(tx, "")
		return v
	}
	tx.status = AuthnPasswordReset
	return o.render(tx, token)
}

// AuthnRecoveryToken is POST /api/v1/authn/recovery/token: a recovery token
// from the email link, a trusted app, or the admin reset_password call
// becomes a transaction. The token is single-use; unknown, used or expired
// is 401 E0000011.
func (o *Org) AuthnRecoveryToken(recoveryToken string, multiOptionalFactorEnroll bool) (AuthnTransaction, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.authnInit()
	now := o.clock.Now()
	for _, id := range o.userOrder {
		u := o.users[id]
		t, ok := u.tokens[recoveryToken]
		if !ok || (t.Kind != TokenRecovery && t.Kind != TokenUnlock) {
			continue
		}
		delete(u.tokens, recoveryToken)
		if now.After(t.ExpiresAt) {
			break
		}
		tx, token := o.newTx(u.ID)
		tx.recoveryType = RecoveryTypePassword
		if t.Kind == TokenUnlock {
			tx.recoveryType = RecoveryTypeUnlock
		}
		tx.multiEnrol = multiOptionalFactorEnroll
		return o.recoveryProven(tx, token), nil
	}
	return AuthnTransaction{}, okta.Errorf(okta.E0000011)
}

// AuthnRecoveryAnswer is POST /api/v1/authn/recovery/answer in RECOVERY. A
// wrong answer is 403 E0000087 without causes.
func (o *Org) AuthnRecoveryAnswer(stateToken, answer string) (AuthnTransaction, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	tx, err := o.liveTx(stateToken)
	if err != nil {
		return AuthnTransaction{}, err
	}
	if tx.status != AuthnRecovery {
		return AuthnTransaction{}, notAllowed()
	}
	u := o.users[tx.userID]
	if !o.matches(u.recoveryAnswer, normalizeAnswer(answer)) {
		return AuthnTransaction{}, okta.Errorf(okta.E0000087)
	}
	return o.recoveryAnswered(tx, stateToken), nil
}
