package emulator

import (
	"errors"

	"github.com/oktaemu/oktaemu/emulator/internal/idx"
	"github.com/oktaemu/oktaemu/emulator/internal/org"
)

// Out-of-band hooks for the Identity Engine's IDX flow: what the user's
// phone or Okta Verify app would do while an IDX sign-in waits (idx.md §8
// "test hooks"). Not Okta APIs.

// ErrNoIDXTransaction is returned for an unknown or finished stateHandle.
var ErrNoIDXTransaction = errors.New("emulator: no live IDX transaction for this stateHandle")

// IDXPush is the Okta Verify push an IDX challenge-poll waits on.
type IDXPush struct {
	ID     string
	Result string // WAITING, SUCCESS, REJECTED, TIMEOUT
	// CorrectAnswer is the number of a number challenge, 0 when none.
	CorrectAnswer int
}

func (o *Org) idxPush(stateHandle string) (org.PushTransaction, error) {
	in := o.inst().org
	t, ok := in.InteractionByState(stateHandle)
	if !ok || t.Step.Ref == "" {
		return org.PushTransaction{}, ErrNoIDXTransaction
	}
	for _, p := range in.PendingPushes(t.UserID) {
		if p.ID == t.Step.Ref {
			return p, nil
		}
	}
	return org.PushTransaction{}, ErrNoIDXTransaction
}

// ApproveIDXPush answers the pending push of an IDX transaction as tapping
// "Yes, it's me" (with the number picked, for a number challenge) would.
func (o *Org) ApproveIDXPush(stateHandle string, answer int) (IDXPush, error) {
	p, err := o.idxPush(stateHandle)
	if err != nil {
		return IDXPush{}, err
	}
	p, err = o.inst().org.ApprovePush(p.ID, answer)
	return IDXPush{ID: p.ID, Result: string(p.Result), CorrectAnswer: p.CorrectAnswer}, err
}

// RejectIDXPush answers the pending push as "No, it's not me".
func (o *Org) RejectIDXPush(stateHandle string) (IDXPush, error) {
	p, err := o.idxPush(stateHandle)
	if err != nil {
		return IDXPush{}, err
	}
	p, err = o.inst().org.RejectPush(p.ID)
	return IDXPush{ID: p.ID, Result: string(p.Result), CorrectAnswer: p.CorrectAnswer}, err
}

// CompleteIDXOktaVerifyEnrollment does what Okta Verify does after scanning
// the enrollment QR code of an IDX transaction: a further Okta Verify
// device is enrolled for the user, and the next enroll-poll moves on.
func (o *Org) CompleteIDXOktaVerifyEnrollment(stateHandle, deviceName string) error {
	in := o.inst().org
	t, ok := in.InteractionByState(stateHandle)
	if !ok {
		return ErrNoIDXTransaction
	}
	_, err := idx.CompleteOktaVerifyEnrollment(in, t.Step.Ref, org.Device{Name: deviceName})
	return err
}

// SetIDXInAppCredentialEnrollment switches the non-Okta in-app
// CREDENTIAL_ENROLLMENT extension of /interact (org.IDXExtensions).
func (o *Org) SetIDXInAppCredentialEnrollment(on bool) {
	in := o.inst().org
	x := in.IDXExtensions()
	x.InAppCredentialEnrollment = on
	in.SetIDXExtensions(x)
}

// SetOktaVerifyNumberChallenge sets the Okta Verify authenticator's
// channelBinding.required to ALWAYS (number challenge on every push) or
// NEVER, as an admin would in the authenticator's settings.
func (o *Org) SetOktaVerifyNumberChallenge(on bool) error {
	in := o.inst().org
	a, ok := in.AuthenticatorByKey("okta_verify")
	if !ok {
		return errors.New("emulator: no okta_verify authenticator")
	}
	s := a.Settings
	if s == nil {
		s = map[string]any{}
	}
	req := "NEVER"
	if on {
		req = "ALWAYS"
	}
	s["channelBinding"] = map[string]any{"style": "NUMBER_CHALLENGE", "required": req}
	return in.SetAuthenticatorSettings("okta_verify", s)
}

// ClickIDXEmailMagicLink does what clicking the link of the pending email
// challenge would: the next poll moves on.
func (o *Org) ClickIDXEmailMagicLink(stateHandle string) error {
	return idx.ClickEmailMagicLink(o.inst().org, stateHandle)
}
