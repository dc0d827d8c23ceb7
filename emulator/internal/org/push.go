package org

import (
	"slices"
	"strings"
	"time"

	"github.com/oktaemu/oktaemu/emulator/internal/okta"
)

// PushResult is the factorResult of a push transaction or activation.
type PushResult string

// Push results (factors.md §6, §8.3).
const (
	PushWaiting  PushResult = "WAITING"
	PushSuccess  PushResult = "SUCCESS"
	PushRejected PushResult = "REJECTED"
	PushTimeout  PushResult = "TIMEOUT"
)

// PushTransaction is one Okta Verify push sent to verify a factor: the
// Factors API polls it at .../transactions/{id}, authn and IDX poll it
// through their own state, the control plane approves or rejects it as the
// phone would.
type PushTransaction struct {
	ID       string
	UserID   string
	FactorID string
	Result   PushResult
	Created  time.Time
	// ExpiresAt is when a WAITING push turns TIMEOUT (5 min, suggested).
	ExpiresAt time.Time
	// CorrectAnswer is the number the user must pick in Okta Verify for a
	// number challenge; 0 when the push has none.
	CorrectAnswer int
	// CredentialID is the push factor's profile.credentialId.
	CredentialID string
	// Context is what the phone shows: client IP and User-Agent, as the
	// caller gave them.
	ClientIP, UserAgent string
}

type pushTx struct {
	PushTransaction
}

// status returns the transaction's result at now: WAITING turns TIMEOUT
// once expired.
func (t *pushTx) settle(now time.Time) {
	if t.Result == PushWaiting && !now.Before(t.ExpiresAt) {
		t.Result = PushTimeout
	}
}

// PushOptions are the caller's extras for a push challenge.
type PushOptions struct {
	// NumberChallenge asks for a number challenge (useNumberMatchingChallenge).
	NumberChallenge bool
	ClientIP        string
	UserAgent       string
}

// newPush creates a WAITING push transaction for f; the caller holds o.mu.
func (o *Org) newPush(f *factor, in PushOptions) PushTransaction {
	now := o.clock.Now()
	cred, _ := f.Profile["credentialId"].(string)
	t := &pushTx{PushTransaction{ID: "v2mst." + o.ids.Random(22), UserID: f.UserID, FactorID: f.ID, Result: PushWaiting,
		Created: now, ExpiresAt: now.Add(PushTransactionLifetime), CredentialID: cred,
		ClientIP: in.ClientIP, UserAgent: in.UserAgent}}
	if in.NumberChallenge {
		t.CorrectAnswer = 10 + o.ids.Intn(90) // two digits, as Okta Verify shows
	}
	o.fxs().pushes[t.ID] = t
	o.fxs().pushOrder = append(o.fxs().pushOrder, t.ID)
	return t.PushTransaction
}

// PushTransaction returns push transaction txid of factor fid of user uid,
// settled against the clock (WAITING past its expiry is TIMEOUT). A
// transaction of another user or factor is 404 E0000007 (OKTA-969072).
func (o *Org) PushTransaction(uid, fid, txid string) (PushTransaction, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	u, err := o.lookupUser(uid)
	if err != nil {
		return PushTransaction{}, err
	}
	t, ok := o.fxs().pushes[txid]
	if !ok || t.UserID != u.ID || t.FactorID != fid {
		return PushTransaction{}, okta.NotFound(txid, "Transaction")
	}
	t.settle(o.clock.Now())
	return t.PushTransaction, nil
}

// CancelPush ends a WAITING push as the client's cancel link does: the
// transaction is forgotten.
func (o *Org) CancelPush(uid, fid, txid string) error {
	if _, err := o.PushTransaction(uid, fid, txid); err != nil {
		return err
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	delete(o.fxs().pushes, txid)
	o.fxs().pushOrder = slices.DeleteFunc(o.fxs().pushOrder, func(s string) bool { return s == txid })
	return nil
}

// PendingPushes lists the WAITING push transactions of user uid (every user
// when empty), oldest first: what the user's phone would show.
func (o *Org) PendingPushes(uid string) []PushTransaction {
	o.mu.Lock()
	defer o.mu.Unlock()
	now := o.clock.Now()
	var out []PushTransaction
	for _, id := range o.fxs().pushOrder {
		t := o.fxs().pushes[id]
		t.settle(now)
		if t.Result == PushWaiting && (uid == "" || t.UserID == uid) {
			out = append(out, t.PushTransaction)
		}
	}
	return out
}

// ApprovePush answers push txid as the user tapping "Yes, it's me" would.
// For a number challenge answer must be the correct number, else the push
// is REJECTED (the user picked the wrong number). An expired push stays
// TIMEOUT and an answered one keeps its result; the transaction is returned
// either way. Unknown txid is 404 E0000007.
func (o *Org) ApprovePush(txid string, answer int) (PushTransaction, error) {
	return o.answerPush(txid, true, answer)
}

// RejectPush answers push txid as tapping "No, it's not me" would.
func (o *Org) RejectPush(txid string) (PushTransaction, error) {
	return o.answerPush(txid, false, 0)
}

func (o *Org) answerPush(txid string, approve bool, answer int) (PushTransaction, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	t, ok := o.fxs().pushes[txid]
	if !ok {
		return PushTransaction{}, okta.NotFound(txid, "Transaction")
	}
	now := o.clock.Now()
	t.settle(now)
	if t.Result != PushWaiting {
		return t.PushTransaction, nil
	}
	switch {
	case !approve:
		t.Result = PushRejected
	case t.CorrectAnswer != 0 && answer != t.CorrectAnswer:
		t.Result = PushRejected
	default:
		t.Result = PushSuccess
		if u, ok := o.users[t.UserID]; ok {
			if f := factorByID(u, t.FactorID); f != nil {
				f.LastUpdated = now
			}
		}
	}
	return t.PushTransaction, nil
}

// pushActivation is a pending Okta Verify activation: the QR code's token
// and its expiry.
type pushActivation struct {
	token     string
	expiresAt time.Time
	result    PushResult
}

// PushActivation is the state of an Okta Verify push enrollment as the
// activation poll reports it.
type PushActivation struct {
	Factor Factor
	// Result is WAITING while the QR code is valid, TIMEOUT after, SUCCESS
	// once the app activated the factor (Factor is then ACTIVE).
	Result    PushResult
	ExpiresAt time.Time
	// Token is the QR code's one-time token (the qr link carries it).
	Token string
}

// Device is what the Okta Verify app reports about its phone.
type Device struct {
	Name       string // "Gibson"
	Platform   string // IOS, ANDROID
	DeviceType string // SmartPhone_IPhone
	Version    string // OS version
}

func (d Device) withDefaults() Device {
	if d.Name == "" {
		d.Name = "Emulated Phone"
	}
	if d.Platform == "" {
		d.Platform = "IOS"
	}
	if d.DeviceType == "" {
		d.DeviceType = "SmartPhone_IPhone"
	}
	if d.Version == "" {
		d.Version = "17.4"
	}
	return d
}

// startPushActivation gives f a fresh QR code; the caller holds o.mu.
func (o *Org) startPushActivation(f *factor) {
	f.activation = &pushActivation{token: o.ids.Random(20), expiresAt: o.clock.Now().Add(PushActivationLifetime),
		result: PushWaiting}
}

func (a *pushActivation) settle(now time.Time) {
	if a.result == PushWaiting && !now.Before(a.expiresAt) {
		a.result = PushTimeout
	}
}

// PollPushActivation is POST .../lifecycle/activate (and .../activate/poll)
// on a push factor: it reports the pending activation. After a TIMEOUT the
// next call starts a new activation (new QR code), as the response's
// `activate` link does in Okta.
func (o *Org) PollPushActivation(uid, fid string) (PushActivation, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	f, err := o.userFactor(uid, fid)
	if err != nil {
		return PushActivation{}, err
	}
	if f.Type != okta.FactorPush {
		return PushActivation{}, okta.Errorf(okta.E0000001, "factorActivateRequest").WithCauses("The factor is not an Okta Verify push factor.")
	}
	if f.Status == okta.FactorActive {
		return PushActivation{Factor: f.view(), Result: PushSuccess}, nil
	}
	now := o.clock.Now()
	if f.activation == nil {
		o.startPushActivation(f)
	} else if f.activation.settle(now); f.activation.result == PushTimeout {
		res := PushActivation{Factor: f.view(), Result: PushTimeout, ExpiresAt: f.activation.expiresAt}
		o.startPushActivation(f)
		return res, nil
	}
	a := f.activation
	return PushActivation{Factor: f.view(), Result: a.result, ExpiresAt: a.expiresAt, Token: a.token}, nil
}

// ActivateOktaVerify does what the Okta Verify app does after scanning the
// QR code of a pending push enrollment: the push factor (and, where the
// rules enroll them together, its totp and signed_nonce siblings) turns
// ACTIVE with the device's profile. token is the QR code's token; "" means
// "the current one". An expired or wrong token is 401 E0000011 (invalid
// token); the activation stays pending and PollPushActivation restarts it.
func (o *Org) ActivateOktaVerify(uid, fid, token string, d Device) (Factor, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	f, err := o.userFactor(uid, fid)
	if err != nil {
		return Factor{}, err
	}
	if f.Type != okta.FactorPush || f.Status != okta.FactorPendingActivation {
		return Factor{}, okta.Errorf(okta.E0000001, "factorActivateRequest").WithCauses("No pending Okta Verify activation for this factor.")
	}
	if f.activation == nil {
		o.startPushActivation(f)
	}
	now := o.clock.Now()
	f.activation.settle(now)
	if f.activation.result != PushWaiting || (token != "" && token != f.activation.token) {
		return Factor{}, okta.Errorf(okta.E0000011)
	}
	u := o.users[f.UserID]
	d = d.withDefaults()
	for _, g := range o.oktaVerifyGroup(u, f) {
		g.Status, g.LastUpdated = okta.FactorActive, now
		switch g.Type {
		case okta.FactorPush, okta.FactorSignedNonce:
			setDevice(g, u, d)
		}
	}
	f.activation.result = PushSuccess
	f.activation = nil
	return f.view(), nil
}

// ActivateOktaVerifyByToken is ActivateOktaVerify addressed by the QR
// code's token alone, as the app knows it.
func (o *Org) ActivateOktaVerifyByToken(token string, d Device) (Factor, error) {
	o.mu.RLock()
	var uid, fid string
	for _, id := range o.userOrder {
		for _, f := range o.users[id].factors {
			if f.activation != nil && f.activation.token == token {
				uid, fid = id, f.ID
			}
		}
	}
	o.mu.RUnlock()
	if fid == "" || token == "" {
		return Factor{}, okta.Errorf(okta.E0000011)
	}
	return o.ActivateOktaVerify(uid, fid, token, d)
}

func setDevice(f *factor, u *user, d Device) {
	f.setProfile("credentialId", u.Login(), "deviceType", d.DeviceType, "name", d.Name,
		"platform", d.Platform, "version", d.Version)
}

// oktaVerifyGroup returns f and the factors of the same Okta Verify
// enrollment (the caller holds o.mu).
func (o *Org) oktaVerifyGroup(u *user, f *factor) []*factor {
	if f.enrollment == "" {
		return []*factor{f}
	}
	var out []*factor
	for _, g := range u.factors {
		if g.enrollment == f.enrollment {
			out = append(out, g)
		}
	}
	return out
}

// OktaVerifyEnrollment is one Okta Verify enrollment (one device): its push,
// totp and signed_nonce factors.
type OktaVerifyEnrollment struct {
	ID      string
	Factors []Factor
	// Secret is the base32 TOTP secret of the enrollment's totp factor.
	Secret string
}

// AddOktaVerifyEnrollment enrolls one more Okta Verify device for user uid,
// ACTIVE at once, as enrolling through IDX or the Okta Verify app does in
// Identity Engine (authenticators.md §2, S001): the Factors API's
// one-push rule does not apply. The enrollment holds push, totp and
// signed_nonce factors.
func (o *Org) AddOktaVerifyEnrollment(uid string, d Device) (OktaVerifyEnrollment, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	u, err := o.lookupUser(uid)
	if err != nil {
		return OktaVerifyEnrollment{}, err
	}
	enr := o.ids.New("pfd")
	secret := o.newTOTPSecret()
	d = d.withDefaults()
	var out OktaVerifyEnrollment
	out.ID, out.Secret = enr, secret
	for _, t := range []okta.FactorType{okta.FactorPush, okta.FactorTOTP, okta.FactorSignedNonce} {
		f := o.addFactor(u, NewFactor{Type: t, Provider: "OKTA", Status: okta.FactorActive})
		f.enrollment = enr
		switch t {
		case okta.FactorTOTP:
			f.secret = secret
		default:
			setDevice(f, u, d)
		}
		out.Factors = append(out.Factors, f.view())
	}
	return out, nil
}

// newTOTPSecret is a base32 shared secret of 16 characters (80 bits), the
// length Okta's examples show.
func (o *Org) newTOTPSecret() string {
	const b32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
	r := o.ids.Random(16)
	var sb strings.Builder
	for i := range len(r) {
		sb.WriteByte(b32[int(r[i])%32])
	}
	return sb.String()
}

// findFactor returns u's factor fid, or nil.
func factorByID(u *user, fid string) *factor {
	for _, f := range u.factors {
		if f.ID == fid {
			return f
		}
	}
	return nil
}

// SendOktaVerifyActivation sends the pending Okta Verify activation of push
// factor fid by email (the user's primary email) or sms (the user's
// mobilePhone), as the activation's `send` links do; the message carries
// the QR code's token (ActivateOktaVerifyByToken). The usual email and sms
// throttles apply. An activation that timed out restarts first.
func (o *Org) SendOktaVerifyActivation(uid, fid string, ch Channel) (PushActivation, Message, error) {
	if _, err := o.PollPushActivation(uid, fid); err != nil {
		return PushActivation{}, Message{}, err
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	f, err := o.userFactor(uid, fid)
	if err != nil {
		return PushActivation{}, Message{}, err
	}
	if f.Status != okta.FactorPendingActivation || f.activation == nil {
		return PushActivation{}, Message{}, okta.Validation("factorActivateRequest", "No pending Okta Verify activation for this factor.")
	}
	u := o.users[f.UserID]
	to := u.Email()
	throttle, code := EmailThrottle, okta.E0000118
	if ch == ChannelSMS {
		to, _ = u.Profile["mobilePhone"].(string)
		throttle, code = SMSThrottle, okta.E0000109
		if to == "" {
			return PushActivation{}, Message{}, okta.Errorf(okta.E0000097)
		}
	}
	now := o.clock.Now()
	key := string(ch) + "|" + to
	if last, ok := o.fxs().lastSent[key]; ok && now.Sub(last) < throttle {
		return PushActivation{}, Message{}, okta.Errorf(code)
	}
	o.fxs().lastSent[key] = now
	a := f.activation
	m := o.send(Message{UserID: u.ID, Channel: ch, To: to, Kind: KindActivation, Token: a.token, FactorID: f.ID})
	return PushActivation{Factor: f.view(), Result: a.result, ExpiresAt: a.expiresAt, Token: a.token}, m, nil
}
