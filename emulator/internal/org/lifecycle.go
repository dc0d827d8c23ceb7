package org

import (
	"time"

	"github.com/oktaemu/oktaemu/emulator/internal/okta"
)

// Lifetimes of one-time user tokens. Okta's defaults: activation links last
// 7 days, password-reset links 1 hour (configurable in the org).
const (
	ActivationTokenLifetime = 7 * 24 * time.Hour
	RecoveryTokenLifetime   = time.Hour
)

// LifecycleResult is what a lifecycle operation hands back besides the new
// status: the one-time token it minted, when the caller asked to see it
// rather than have it emailed.
type LifecycleResult struct {
	User  User
	Token string
}

// ActivateUser activates a STAGED or DEPROVISIONED user (or re-sends the
// activation of a PROVISIONED one): ACTIVE when the user has a password,
// PROVISIONED otherwise. With sendEmail the activation link goes to the
// outbox; without it the token is returned.
func (o *Org) ActivateUser(id string, sendEmail bool) (LifecycleResult, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	u, err := o.lookupUser(id)
	if err != nil {
		return LifecycleResult{}, err
	}
	switch u.Status {
	case okta.UserStaged, okta.UserDeprovisioned, okta.UserProvisioned:
	default:
		return LifecycleResult{}, okta.Errorf(okta.E0000016)
	}
	if u.password.set() || u.ProviderType == "FEDERATION" {
		o.setStatus(u, okta.UserActive)
	} else {
		o.setStatus(u, okta.UserProvisioned)
	}
	u.Activated = o.clock.Now()
	token := o.sendActivation(u, sendEmail)
	return LifecycleResult{User: u.view(o), Token: token}, nil
}

func (o *Org) sendActivation(u *user, sendEmail bool) string {
	token := o.ids.Random(20)
	u.tokens[token] = userToken{Kind: TokenActivation, ExpiresAt: o.clock.Now().Add(ActivationTokenLifetime)}
	if sendEmail {
		o.send(Message{UserID: u.ID, Channel: ChannelEmail, To: u.Email(), Kind: KindActivation, Token: token,
			Path: "/welcome/" + token})
	}
	return token
}

// DeactivateUser moves a user to DEPROVISIONED.
func (o *Org) DeactivateUser(id string) (User, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	u, err := o.lookupUser(id)
	if err != nil {
		return User{}, err
	}
	if u.Status != okta.UserDeprovisioned {
		o.deactivate(u)
	}
	return u.view(o), nil
}

// transition moves a user from one of the allowed statuses to to, or fails
// with code.
func (o *Org) transition(id string, to okta.UserStatus, code okta.Code, from ...okta.UserStatus) (User, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	u, err := o.lookupUser(id)
	if err != nil {
		return User{}, err
	}
	allowed := false
	for _, s := range from {
		allowed = allowed || u.Status == s
	}
	if !allowed {
		return User{}, okta.Errorf(code)
	}
	o.setStatus(u, to)
	if to == okta.UserActive {
		u.failedPasswords = 0
	}
	return u.view(o), nil
}

// SuspendUser suspends an ACTIVE user.
func (o *Org) SuspendUser(id string) (User, error) {
	return o.transition(id, okta.UserSuspended, okta.E0000038, okta.UserActive)
}

// UnsuspendUser returns a SUSPENDED user to ACTIVE.
func (o *Org) UnsuspendUser(id string) (User, error) {
	return o.transition(id, okta.UserActive, okta.E0000038, okta.UserSuspended)
}

// UnlockUser returns a LOCKED_OUT user to ACTIVE and clears the failure
// count.
func (o *Org) UnlockUser(id string) (User, error) {
	return o.transition(id, okta.UserActive, okta.E0000032, okta.UserLockedOut)
}

// ExpirePassword moves a user to PASSWORD_EXPIRED: the next sign-in must
// change the password.
func (o *Org) ExpirePassword(id string) (User, error) {
	return o.transition(id, okta.UserPasswordExpired, okta.E0000038,
		okta.UserActive, okta.UserPasswordExpired, okta.UserRecovery, okta.UserLockedOut)
}

// ResetPassword moves a user to RECOVERY and mints a recovery token (Users
// API reset_password). With sendEmail the reset link goes to the outbox;
// otherwise the token is returned for the caller's resetPasswordUrl.
func (o *Org) ResetPassword(id string, sendEmail bool) (LifecycleResult, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	u, err := o.lookupUser(id)
	if err != nil {
		return LifecycleResult{}, err
	}
	switch u.Status {
	case okta.UserActive, okta.UserPasswordExpired, okta.UserRecovery, okta.UserLockedOut:
	default:
		return LifecycleResult{}, okta.Errorf(okta.E0000034)
	}
	o.setStatus(u, okta.UserRecovery)
	token := o.mintRecoveryToken(u, TokenRecovery)
	if sendEmail {
		o.send(Message{UserID: u.ID, Channel: ChannelEmail, To: u.Email(), Kind: KindRecovery, Token: token,
			Path: "/reset_password/" + token})
	}
	return LifecycleResult{User: u.view(o), Token: token}, nil
}

func (o *Org) mintRecoveryToken(u *user, kind TokenKind) string {
	token := "VJ" + o.ids.Random(18)
	u.tokens[token] = userToken{Kind: kind, ExpiresAt: o.clock.Now().Add(RecoveryTokenLifetime)}
	return token
}

// RedeemUserToken consumes a one-time activation or recovery token and
// returns its user and kind. A used, expired or unknown token fails with
// E0000011.
func (o *Org) RedeemUserToken(token string) (User, TokenKind, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	now := o.clock.Now()
	for _, id := range o.userOrder {
		u := o.users[id]
		if t, ok := u.tokens[token]; ok {
			delete(u.tokens, token)
			if now.After(t.ExpiresAt) {
				break
			}
			return u.view(o), t.Kind, nil
		}
	}
	return User{}, "", okta.Errorf(okta.E0000011)
}
