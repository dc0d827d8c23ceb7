package org

import (
	"errors"

	"github.com/oktaemu/oktaemu/emulator/internal/okta"
)

// The IDX engine's entry points into users, passwords and factors. They
// reuse the authn and factor model's helpers (lookupLogin, countFailure,
// autoUnlock, setPassword, syncAutoFactors, newTOTPSecret): one model for
// the Classic and Identity Engine flows.

// Password check outcomes of IDXVerifyPassword.
var (
	ErrPasswordIncorrect = errors.New("idx: password incorrect")
	ErrUserLocked        = errors.New("idx: user locked out")
	ErrUserNotAllowed    = errors.New("idx: user may not sign in")
)

// IDXIdentify finds the user an IDX identifier names, as authn's username
// does (login, or the unique short name).
func (o *Org) IDXIdentify(identifier string) (User, bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	u := o.lookupLogin(identifier)
	if u == nil {
		return User{}, false
	}
	return u.view(o), true
}

// IDXVerifyPassword checks user uid's password, counting failures towards
// the password policy's lockout as authn does.
func (o *Org) IDXVerifyPassword(uid, password string) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	u, err := o.lookupUser(uid)
	if err != nil {
		return ErrUserNotAllowed
	}
	pp := o.passwordPolicyFor(u.ID)
	o.autoUnlock(u, pp)
	switch u.Status {
	case okta.UserLockedOut:
		return ErrUserLocked
	case okta.UserActive, okta.UserPasswordExpired, okta.UserRecovery:
	default:
		return ErrUserNotAllowed
	}
	if !o.matches(u.password, password) {
		o.countFailure(u, pp)
		if u.Status == okta.UserLockedOut {
			return ErrUserLocked
		}
		return ErrPasswordIncorrect
	}
	u.failedPasswords = 0
	now := o.clock.Now()
	u.LastLogin = now
	return nil
}

// IDXSetPassword sets a new password for user uid (recovery, expired
// password), checked against the password policy; a refused password is
// returned as PasswordPolicy.RequirementsNotMet's text in an E0000080.
func (o *Org) IDXSetPassword(uid, password string) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	u, err := o.lookupUser(uid)
	if err != nil {
		return err
	}
	pp := o.passwordPolicyFor(u.ID)
	if !pp.Check(&u.User, password) {
		return okta.Errorf(okta.E0000080).WithCauses(pp.RequirementsNotMet())
	}
	o.setPassword(u, password)
	return nil
}

// IDXFactors lists user uid's factors with those the org lists by itself
// (the verified primary email in Identity Engine) synced first.
func (o *Org) IDXFactors(uid string) ([]Factor, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	u, err := o.lookupUser(uid)
	if err != nil {
		return nil, err
	}
	o.syncAutoFactors(u)
	out := make([]Factor, len(u.factors))
	for i, f := range u.factors {
		out[i] = f.view()
	}
	return out, nil
}

// IDXStartTOTPEnrollment adds a PENDING_ACTIVATION token:software:totp
// factor from provider (GOOGLE) with a fresh shared secret, to be activated
// with ActivateFactor and a code; it returns the factor and the secret.
func (o *Org) IDXStartTOTPEnrollment(uid, provider string) (Factor, string, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	u, err := o.lookupUser(uid)
	if err != nil {
		return Factor{}, "", err
	}
	secret := o.newTOTPSecret()
	f := o.addFactor(u, NewFactor{Type: okta.FactorTOTP, Provider: provider, Status: okta.FactorPendingActivation,
		Secret: secret})
	return f.view(), secret, nil
}

// IDXEnrollQuestion adds an ACTIVE security question (questionKey or
// "custom" with its text) for user uid.
func (o *Org) IDXEnrollQuestion(uid, questionKey, question, answer string) (Factor, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	u, err := o.lookupUser(uid)
	if err != nil {
		return Factor{}, err
	}
	profile := map[string]any{"question": questionKey}
	if questionKey == "custom" {
		profile["questionText"] = question
	}
	f := o.addFactor(u, NewFactor{Type: okta.FactorQuestion, Status: okta.FactorActive, Profile: profile, Answer: answer})
	o.syncAutoFactors(u)
	return f.view(), nil
}

// IDXDeleteFactor removes a pending factor an abandoned IDX enrollment left.
func (o *Org) IDXDeleteFactor(uid, fid string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	u, err := o.lookupUser(uid)
	if err != nil {
		return
	}
	for i, f := range u.factors {
		if f.ID == fid && f.Status != okta.FactorActive {
			u.factors = append(u.factors[:i], u.factors[i+1:]...)
			return
		}
	}
}
