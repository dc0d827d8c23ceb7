package emulator

import "github.com/oktaemu/oktaemu/emulator/internal/org"

// Factor hooks: what a user's phone or authenticator app would do, for
// tests and tools driving the Factors API (factors.md §6, §8.3).

// FactorPush is a push sent to verify a factor.
type FactorPush struct {
	ID            string
	UserID        string
	FactorID      string
	Result        string // WAITING, SUCCESS, REJECTED, TIMEOUT
	CorrectAnswer int    // number challenge; 0 when none
}

func factorPush(p org.PushTransaction) FactorPush {
	return FactorPush{ID: p.ID, UserID: p.UserID, FactorID: p.FactorID, Result: string(p.Result), CorrectAnswer: p.CorrectAnswer}
}

// PendingFactorPushes lists the WAITING pushes of user uid (every user when
// empty), oldest first.
func (o *Org) PendingFactorPushes(uid string) []FactorPush {
	var out []FactorPush
	for _, p := range o.inst().org.PendingPushes(uid) {
		out = append(out, factorPush(p))
	}
	return out
}

// ApproveFactorPush answers push txid "Yes, it's me"; answer is the number
// picked for a number challenge (a wrong one rejects the push).
func (o *Org) ApproveFactorPush(txid string, answer int) (FactorPush, error) {
	p, err := o.inst().org.ApprovePush(txid, answer)
	return factorPush(p), err
}

// RejectFactorPush answers push txid "No, it's not me".
func (o *Org) RejectFactorPush(txid string) (FactorPush, error) {
	p, err := o.inst().org.RejectPush(txid)
	return factorPush(p), err
}

// OktaVerifyEnrollment is one Okta Verify device enrollment.
type OktaVerifyEnrollment struct {
	ID        string
	FactorIDs []string // push, token:software:totp, signed_nonce
	// Secret is the base32 TOTP secret of the enrollment.
	Secret string
}

// AddOktaVerifyEnrollment enrolls one more Okta Verify device for user uid,
// as enrolling through IDX or the app does in Identity Engine: it is not
// subject to the Factors API's one-Okta-Verify rule.
func (o *Org) AddOktaVerifyEnrollment(uid, deviceName string) (OktaVerifyEnrollment, error) {
	e, err := o.inst().org.AddOktaVerifyEnrollment(uid, org.Device{Name: deviceName})
	if err != nil {
		return OktaVerifyEnrollment{}, err
	}
	out := OktaVerifyEnrollment{ID: e.ID, Secret: e.Secret}
	for _, f := range e.Factors {
		out.FactorIDs = append(out.FactorIDs, f.ID)
	}
	return out, nil
}

// SetAuthenticatorSettings replaces the settings of the authenticator with
// key (okta_verify, okta_email…), as an admin would in its settings page.
func (o *Org) SetAuthenticatorSettings(key string, settings map[string]any) error {
	return o.inst().org.SetAuthenticatorSettings(key, settings)
}

// ActivateOktaVerifyByToken activates the pending Okta Verify enrollment
// whose QR code (or emailed/sms activation link) carries token, as the app
// does after scanning it.
func (o *Org) ActivateOktaVerifyByToken(token, deviceName string) error {
	_, err := o.inst().org.ActivateOktaVerifyByToken(token, org.Device{Name: deviceName})
	return err
}
