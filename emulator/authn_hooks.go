package emulator

import "github.com/oktaemu/oktaemu/emulator/internal/org"

// Out-of-band hooks for the authn API: what a user's phone would do while a
// Classic sign-in waits (authn.md §14). Tests and tools call them on an Org
// handle; the control plane may expose the same.

// AuthnPush is the Okta Verify push an authn MFA_CHALLENGE waits on.
type AuthnPush struct {
	ID, UserID, FactorID string
	// Result is WAITING, SUCCESS, REJECTED or TIMEOUT.
	Result string
	// CorrectAnswer is the number of a number challenge, 0 when none.
	CorrectAnswer int
}

func authnPush(p org.PushTransaction) AuthnPush {
	return AuthnPush{ID: p.ID, UserID: p.UserID, FactorID: p.FactorID, Result: string(p.Result), CorrectAnswer: p.CorrectAnswer}
}

// AuthnPush returns the push the transaction of stateToken waits on.
func (o *Org) AuthnPush(stateToken string) (AuthnPush, error) {
	p, err := o.inst().org.AuthnPushTransaction(stateToken)
	if err != nil {
		return AuthnPush{}, err
	}
	return authnPush(p), nil
}

// ApproveAuthnPush answers that push as tapping "Yes, it's me" (with the
// number picked, for a number challenge) would.
func (o *Org) ApproveAuthnPush(stateToken string, answer int) (AuthnPush, error) {
	p, err := o.inst().org.AuthnPushTransaction(stateToken)
	if err != nil {
		return AuthnPush{}, err
	}
	p, err = o.inst().org.ApprovePush(p.ID, answer)
	return authnPush(p), err
}

// RejectAuthnPush answers that push as tapping "No, it's not me" would.
func (o *Org) RejectAuthnPush(stateToken string) (AuthnPush, error) {
	p, err := o.inst().org.AuthnPushTransaction(stateToken)
	if err != nil {
		return AuthnPush{}, err
	}
	p, err = o.inst().org.RejectPush(p.ID)
	return authnPush(p), err
}

// SetAuthnNumberChallenge makes every authn push carry a number challenge.
func (o *Org) SetAuthnNumberChallenge(on bool) { o.inst().org.SetAuthnNumberChallenge(on) }

// ActivateOktaVerifyFactor completes a pending Okta Verify push enrollment of
// user uid's factor fid as the app does after scanning the QR code.
func (o *Org) ActivateOktaVerifyFactor(uid, fid string) error {
	_, err := o.inst().org.ActivateOktaVerify(uid, fid, "", org.Device{})
	return err
}
