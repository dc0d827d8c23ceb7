package org

import (
	"encoding/base32"
	"encoding/hex"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/oktaemu/oktaemu/emulator/internal/okta"
)

// Enrollment through the Factors API (factors.md §5, §7, §9).

// Cause texts of 400 E0000001 "Api validation failed: factorEnrollRequest".
const (
	CauseNotAllowed      = "Factor not allowed for the user based on the Multifactor policy."
	CauseAlreadySetUp    = "A factor of this type is already set up."
	CauseVerifiedPhone   = "There is an existing verified phone number."
	CauseInvalidType     = "The factor type and provider combination is not supported."
	SummaryEmailNotFound = "Only verified primary or secondary email can be enrolled."
)

func errEnroll(cause string) error { return okta.Validation("factorEnrollRequest", cause) }

// Enroll is a Factors API enrollment request.
type Enroll struct {
	Type     okta.FactorType
	Provider string
	// Profile carries phoneNumber, phoneExtension, email, question, answer,
	// credentialId, sharedSecret as the request sent them.
	Profile map[string]any
	// Activate is ?activate=true: sms, call, email and token:hotp enroll
	// ACTIVE without an OTP.
	Activate bool
	// UpdatePhone is ?updatePhone=true: a pending sms factor takes the new
	// number.
	UpdatePhone bool
	// TokenLifetime is ?tokenLifetimeSeconds (email OTP).
	TokenLifetime time.Duration
	// PassCode and NextPassCode are the request's verify object (token,
	// token:hardware).
	PassCode, NextPassCode string
	FactorProfileID        string
}

// EnrollResult is an enrolled factor with what the enrollment produced.
type EnrollResult struct {
	Factor Factor
	// Secret is the TOTP shared secret (token:software:totp).
	Secret string
	// Message is the activation OTP sent (sms, call, email).
	Message *Message
	// Activation is the pending Okta Verify activation (push).
	Activation *PushActivation
	// Nonce is the u2f nonce or webauthn challenge.
	Nonce string
}

// enrollable lists every factorType/provider the Factors API enrolls, in
// catalog order (factors.md §2.1, §4.2).
var enrollable = []struct {
	Type     okta.FactorType
	Provider string
}{
	{okta.FactorQuestion, "OKTA"},
	{okta.FactorTOTP, "OKTA"},
	{okta.FactorTOTP, "GOOGLE"},
	{okta.FactorPush, "OKTA"},
	{okta.FactorSMS, "OKTA"},
	{okta.FactorCall, "OKTA"},
	{okta.FactorEmail, "OKTA"},
	{okta.FactorToken, "RSA"},
	{okta.FactorToken, "SYMANTEC"},
	{okta.FactorHardware, "YUBICO"},
	{okta.FactorU2F, "FIDO"},
	{okta.FactorWebAuthn, "FIDO"},
	{okta.FactorHOTP, "CUSTOM"},
}

func isEnrollable(t okta.FactorType, provider string) bool {
	return slices.ContainsFunc(enrollable, func(e struct {
		Type     okta.FactorType
		Provider string
	}) bool {
		return e.Type == t && e.Provider == provider
	})
}

// allowed reports whether the org enables and the user's MFA_ENROLL policy
// allows t/provider, and at which level; the caller holds o.mu (write).
func (o *Org) allowed(uid string, t okta.FactorType, provider string) (string, bool) {
	return o.allowedBy(o.enrollPolicyFor(uid), t, provider)
}

// allowedBy is allowed under the user's already looked-up policy ep.
func (o *Org) allowedBy(ep enrollPolicy, t okta.FactorType, provider string) (string, bool) {
	if !o.orgFactorActive(FactorKey(t, provider)) || !o.authenticatorActive(AuthenticatorKey(t, provider)) {
		return EnrollNotAllowed, false
	}
	lvl := ep.level(t, provider)
	return lvl, lvl != EnrollNotAllowed
}

// CatalogEntry is one factor the user may enroll.
type CatalogEntry struct {
	Type       okta.FactorType
	Provider   string
	Enrollment string // OPTIONAL or REQUIRED
	// Status is ACTIVE when the user has an active factor of this kind,
	// NOT_SETUP otherwise.
	Status okta.FactorStatus
	// Phones are the user's sms factors (catalog sms entry).
	Phones []Factor
}

// FactorCatalog lists what user uid may enroll: the factors the org enables
// and the effective MFA_ENROLL policy allows.
func (o *Org) FactorCatalog(uid string) ([]CatalogEntry, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	u, err := o.lookupUser(uid)
	if err != nil {
		return nil, err
	}
	o.syncAutoFactors(u)
	var out []CatalogEntry
	ep := o.enrollPolicyFor(u.ID)
	for _, e := range enrollable {
		lvl, ok := o.allowedBy(ep, e.Type, e.Provider)
		if !ok {
			continue
		}
		c := CatalogEntry{Type: e.Type, Provider: e.Provider, Enrollment: lvl, Status: okta.FactorNotSetup}
		for _, f := range u.factors {
			if f.Type == e.Type && f.Provider == e.Provider && f.Status == okta.FactorActive {
				c.Status = okta.FactorActive
			}
			if e.Type == okta.FactorSMS && f.Type == okta.FactorSMS {
				c.Phones = append(c.Phones, f.view())
			}
		}
		out = append(out, c)
	}
	return out, nil
}

// EnrollFactor enrolls a factor for user uid as POST /users/{uid}/factors
// does, applying the org's FactorRules (one Okta Verify per user through
// this API, Okta Verify siblings, phones, email rules).
func (o *Org) EnrollFactor(uid string, in Enroll) (EnrollResult, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	u, err := o.lookupUser(uid)
	if err != nil {
		return EnrollResult{}, err
	}
	if u.Status == okta.UserDeprovisioned {
		return EnrollResult{}, okta.Errorf(okta.E0000038)
	}
	o.syncAutoFactors(u)
	rules := o.opts.Factors
	if in.Provider == "" {
		in.Provider = DefaultProvider(in.Type)
	}
	in.Provider = strings.ToUpper(in.Provider)
	if in.Type == okta.FactorSignedNonce {
		cause := rules.SignedNonceCause
		if cause == "" {
			cause = CauseInvalidType
		}
		return EnrollResult{}, errEnroll(cause)
	}
	if !isEnrollable(in.Type, in.Provider) {
		return EnrollResult{}, errEnroll(CauseInvalidType)
	}
	if _, ok := o.allowed(u.ID, in.Type, in.Provider); !ok {
		return EnrollResult{}, errEnroll(CauseNotAllowed)
	}
	profile := map[string]any{}
	for k, v := range in.Profile {
		profile[k] = v
	}
	str := func(k string) string { s, _ := profile[k].(string); return strings.TrimSpace(s) }
	now := o.clock.Now()
	same := func(t okta.FactorType, provider string) []*factor {
		var fs []*factor
		for _, f := range u.factors {
			if f.Type == t && (provider == "" || f.Provider == provider) {
				fs = append(fs, f)
			}
		}
		return fs
	}

	switch in.Type {
	case okta.FactorQuestion:
		if len(same(okta.FactorQuestion, "")) > 0 && !onlyAutoRecovery(same(okta.FactorQuestion, "")) {
			return EnrollResult{}, errEnroll(CauseAlreadySetUp)
		}
		if str("question") == "" {
			return EnrollResult{}, okta.Validation("factorEnrollRequest", "profile.question: The field cannot be left blank")
		}
		ans, _ := in.Profile["answer"].(string)
		if len(strings.TrimSpace(ans)) < 4 {
			return EnrollResult{}, okta.Validation("factorEnrollRequest",
				"profile.answer: The security question answer must be at least 4 characters in length")
		}
		f := o.addFactor(u, NewFactor{Type: in.Type, Provider: in.Provider, Profile: map[string]any{"question": str("question")},
			Answer: ans})
		o.syncAutoFactors(u)
		return EnrollResult{Factor: f.view()}, nil

	case okta.FactorSMS, okta.FactorCall:
		phone := str("phoneNumber")
		if phone == "" && in.Type == okta.FactorSMS {
			phone, _ = u.Profile["mobilePhone"].(string)
		}
		if !validPhone(phone) {
			return EnrollResult{}, okta.Errorf(okta.E0000098)
		}
		ext := str("phoneExtension")
		if in.Type == okta.FactorCall && ext != "" && (len(ext) > 15 || strings.Trim(ext, "0123456789") != "") {
			return EnrollResult{}, okta.Errorf(okta.E0000121)
		}
		existing := same(in.Type, "")
		var target *factor
		for _, f := range existing {
			samePhone := normPhone(f.Profile["phoneNumber"]) == normPhone(phone)
			switch {
			case f.Status == okta.FactorPendingActivation && (samePhone || (in.UpdatePhone && !rules.MultiplePhones)):
				target = f
			case samePhone:
				return EnrollResult{}, errEnroll(CauseAlreadySetUp)
			case rules.MultiplePhones:
			case in.Type == okta.FactorSMS && f.Status == okta.FactorActive:
				return EnrollResult{}, errEnroll(CauseVerifiedPhone)
			default:
				return EnrollResult{}, errEnroll(CauseAlreadySetUp)
			}
		}
		p := map[string]any{"phoneNumber": phone}
		if in.Type == okta.FactorCall && ext != "" {
			p["phoneExtension"] = ext
		}
		status := okta.FactorPendingActivation
		if in.Activate {
			status = okta.FactorActive
		}
		f := target
		if f == nil {
			f = o.addFactor(u, NewFactor{Type: in.Type, Provider: in.Provider, Status: status, Profile: p})
		} else {
			f.Profile, f.Status, f.LastUpdated = p, status, now
		}
		res := EnrollResult{}
		if !in.Activate {
			m, err := o.sendOTP(f, Challenge{Kind: KindVerify})
			if err != nil {
				if target == nil {
					o.removeFactors(u, f)
				}
				return EnrollResult{}, err
			}
			res.Message = &m
		}
		res.Factor = f.view()
		return res, nil

	case okta.FactorEmail:
		email := str("email")
		if email == "" {
			email = u.Email()
		}
		second, _ := u.Profile["secondEmail"].(string)
		ok := strings.EqualFold(email, u.Email()) || (!rules.PrimaryEmailOnly && second != "" && strings.EqualFold(email, second))
		if !ok {
			return EnrollResult{}, okta.Errorf(okta.E0000001, SummaryEmailNotFound)
		}
		for _, f := range same(okta.FactorEmail, "") {
			if f.autoEmail && strings.EqualFold(email, u.Email()) {
				// The verified primary email is enrolled already: the
				// auto-enrolled factor is the enrollment.
				return EnrollResult{Factor: f.view()}, nil
			}
			return EnrollResult{}, errEnroll(CauseAlreadySetUp)
		}
		status := okta.FactorPendingActivation
		if in.Activate {
			status = okta.FactorActive
		}
		f := o.addFactor(u, NewFactor{Type: in.Type, Provider: in.Provider, Status: status, Profile: map[string]any{"email": email}})
		res := EnrollResult{}
		if !in.Activate {
			m, err := o.sendOTP(f, Challenge{Kind: KindVerify, TokenLifetime: in.TokenLifetime})
			if err != nil {
				o.removeFactors(u, f)
				return EnrollResult{}, err
			}
			res.Message = &m
		}
		res.Factor = f.view()
		return res, nil

	case okta.FactorTOTP:
		if len(same(okta.FactorTOTP, in.Provider)) > 0 {
			return EnrollResult{}, errEnroll(CauseAlreadySetUp)
		}
		secret := o.newTOTPSecret()
		f := o.addFactor(u, NewFactor{Type: in.Type, Provider: in.Provider, Status: okta.FactorPendingActivation, Secret: secret})
		if in.Provider == "OKTA" && rules.OktaVerifySiblings {
			o.enrollOktaVerifySiblings(u, f)
		}
		return EnrollResult{Factor: f.view(), Secret: secret}, nil

	case okta.FactorPush:
		if len(same(okta.FactorPush, "")) > 0 {
			return EnrollResult{}, errEnroll(rules.SecondPushCause)
		}
		f := o.addFactor(u, NewFactor{Type: in.Type, Provider: in.Provider, Status: okta.FactorPendingActivation})
		if rules.OktaVerifySiblings {
			o.enrollOktaVerifySiblings(u, f)
		}
		o.startPushActivation(f)
		a := PushActivation{Factor: f.view(), Result: PushWaiting, ExpiresAt: f.activation.expiresAt, Token: f.activation.token}
		return EnrollResult{Factor: f.view(), Activation: &a}, nil

	case okta.FactorToken, okta.FactorHardware:
		if len(same(in.Type, in.Provider)) > 0 {
			return EnrollResult{}, errEnroll(CauseAlreadySetUp)
		}
		code := strings.TrimSpace(in.PassCode)
		cred := str("credentialId")
		if in.Type == okta.FactorHardware {
			if len(code) < 12 {
				return EnrollResult{}, errPasscode()
			}
			cred = code[:12] // the YubiKey's public id
		} else if cred == "" {
			return EnrollResult{}, okta.Validation("factorEnrollRequest", "profile.credentialId: The field cannot be left blank")
		}
		if len(code) < 6 {
			return EnrollResult{}, errPasscode()
		}
		f := o.addFactor(u, NewFactor{Type: in.Type, Provider: in.Provider, Profile: map[string]any{"credentialId": cred}})
		f.usedCodes = []string{code}
		if in.NextPassCode != "" {
			f.usedCodes = append(f.usedCodes, in.NextPassCode)
		}
		return EnrollResult{Factor: f.view()}, nil

	case okta.FactorU2F, okta.FactorWebAuthn:
		if in.Type == okta.FactorU2F && len(same(okta.FactorU2F, "")) > 0 {
			return EnrollResult{}, errEnroll(CauseAlreadySetUp)
		}
		f := o.addFactor(u, NewFactor{Type: in.Type, Provider: in.Provider, Status: okta.FactorPendingActivation})
		f.challenge = o.ids.Random(20)
		return EnrollResult{Factor: f.view(), Nonce: f.challenge}, nil

	case okta.FactorHOTP:
		if len(same(okta.FactorHOTP, "")) > 0 {
			return EnrollResult{}, errEnroll(CauseAlreadySetUp)
		}
		if !in.Activate {
			return EnrollResult{}, okta.Validation("factorEnrollRequest", "Custom TOTP factors are enrolled with activate=true.")
		}
		raw, err := hex.DecodeString(str("sharedSecret"))
		if err != nil || len(raw) < 10 {
			return EnrollResult{}, okta.Validation("factorEnrollRequest", "profile.sharedSecret: a hexadecimal secret of at least 10 bytes is required")
		}
		secret := base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(raw)
		f := o.addFactor(u, NewFactor{Type: in.Type, Provider: in.Provider, Secret: secret, Profile: map[string]any{}})
		if in.FactorProfileID != "" {
			f.VendorName = "Custom OTP"
		}
		return EnrollResult{Factor: f.view()}, nil
	}
	return EnrollResult{}, errEnroll(CauseInvalidType)
}

func onlyAutoRecovery(fs []*factor) bool {
	for _, f := range fs {
		if !f.autoRecovery {
			return false
		}
	}
	return true
}

// enrollOktaVerifySiblings gives an Okta Verify push or totp factor its
// missing siblings (push, totp, signed_nonce), all in one enrollment
// (rows 8, 9); the caller holds o.mu.
func (o *Org) enrollOktaVerifySiblings(u *user, f *factor) {
	enr := ""
	for _, g := range u.factors {
		if g != f && g.enrollment != "" && g.Provider == "OKTA" &&
			(g.Type == okta.FactorPush || g.Type == okta.FactorTOTP || g.Type == okta.FactorSignedNonce) {
			enr = g.enrollment // join the user's Okta Verify enrollment
		}
	}
	if enr == "" {
		enr = o.ids.New("pfd")
	}
	f.enrollment = enr
	for _, t := range []okta.FactorType{okta.FactorPush, okta.FactorTOTP, okta.FactorSignedNonce} {
		if t == f.Type || slices.ContainsFunc(u.factors, func(g *factor) bool { return g.Type == t && g.Provider == "OKTA" }) {
			continue
		}
		s := o.addFactor(u, NewFactor{Type: t, Provider: "OKTA", Status: okta.FactorPendingActivation})
		s.enrollment = enr
		if t == okta.FactorTOTP {
			s.secret = o.newTOTPSecret()
		}
	}
}

func validPhone(p string) bool {
	digits := 0
	for _, r := range p {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case strings.ContainsRune("+-() .", r):
		default:
			return false
		}
	}
	return digits >= 7 && digits <= 15
}

func normPhone(v any) string {
	s, _ := v.(string)
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// removeFactors deletes fs from u; the caller holds o.mu.
func (o *Org) removeFactors(u *user, fs ...*factor) {
	u.factors = slices.DeleteFunc(u.factors, func(f *factor) bool { return slices.Contains(fs, f) })
	for id, t := range o.fxs().pushes {
		if slices.ContainsFunc(fs, func(f *factor) bool { return f.ID == t.FactorID }) {
			delete(o.fxs().pushes, id)
			o.fxs().pushOrder = slices.DeleteFunc(o.fxs().pushOrder, func(s string) bool { return s == id })
		}
	}
}

// Factor returns factor fid of user uid.
func (o *Org) Factor(uid, fid string) (Factor, error) {
	return userRead(o, uid, func(u *user, shared bool) (Factor, error) {
		if err := o.syncFactorsIn(u, shared); err != nil {
			return Factor{}, err
		}
		f, err := factorIn(u, fid)
		if err != nil {
			return Factor{}, err
		}
		return f.view(), nil
	})
}

// DeleteFactor unenrolls factor fid of user uid (DELETE
// /users/{uid}/factors/{fid}). Deleting Okta Verify push or signed_nonce
// removes the whole Okta Verify enrollment where FactorRules say so
// (row 14); deleting the recovery-question factor clears the recovery
// question; a deleted auto-enrolled email comes back (row 5). A
// deprovisioned user is 403 E0000038.
func (o *Org) DeleteFactor(uid, fid string) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	f, err := o.userFactor(uid, fid)
	if err != nil {
		return err
	}
	u := o.users[f.UserID]
	if u.Status == okta.UserDeprovisioned {
		return okta.Errorf(okta.E0000038)
	}
	o.deleteFactor(u, f)
	return nil
}

func (o *Org) deleteFactor(u *user, f *factor) {
	victims := []*factor{f}
	if o.opts.Factors.OktaVerifySiblings && f.enrollment != "" && (f.Type == okta.FactorPush || f.Type == okta.FactorSignedNonce) {
		victims = o.oktaVerifyGroup(u, f)
	}
	if f.autoRecovery {
		u.recoveryQuestion, u.recoveryAnswer = "", digest{}
	}
	o.removeFactors(u, victims...)
	u.LastUpdated = o.clock.Now()
}

// DeleteEnrollment removes every factor of authenticator enrollment id (an
// Okta Verify enrollment is its push, totp and signed_nonce).
func (o *Org) DeleteEnrollment(uid, id string) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	u, err := o.lookupUser(uid)
	if err != nil {
		return err
	}
	o.syncAutoFactors(u)
	var victims []*factor
	for _, f := range u.factors {
		if f.ID == id || f.enrollment == id {
			victims = append(victims, f)
		}
	}
	if len(victims) == 0 {
		return okta.NotFound(id, "AuthenticatorEnrollment")
	}
	for _, f := range victims {
		if f.autoRecovery {
			u.recoveryQuestion, u.recoveryAnswer = "", digest{}
		}
	}
	o.removeFactors(u, victims...)
	return nil
}

// ResetFactors is POST /users/{uid}/lifecycle/reset_factors: every MFA
// enrollment goes. Where the recovery question is listed as a factor
// (row 4) it survives a call that removed other factors, and goes on the
// next call; the auto-enrolled email comes back (row 4).
func (o *Org) ResetFactors(uid string) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	u, err := o.lookupUser(uid)
	if err != nil {
		return err
	}
	o.syncAutoFactors(u)
	explicit := slices.ContainsFunc(u.factors, func(f *factor) bool { return !f.autoEmail && !f.autoRecovery })
	var victims []*factor
	for _, f := range u.factors {
		if f.autoRecovery && explicit {
			continue
		}
		victims = append(victims, f)
		if f.autoRecovery {
			u.recoveryQuestion, u.recoveryAnswer = "", digest{}
		}
	}
	o.removeFactors(u, victims...)
	u.LastUpdated = o.clock.Now()
	return nil
}

// ResendFactor sends a new activation OTP for a pending sms, call or email
// factor (POST .../resend), with the same throttles; refused (429
// E0000047) once the user exhausted the activation attempts.
func (o *Org) ResendFactor(uid, fid string, tokenLifetime time.Duration) (EnrollResult, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	f, err := o.userFactor(uid, fid)
	if err != nil {
		return EnrollResult{}, err
	}
	switch f.Type {
	case okta.FactorSMS, okta.FactorCall, okta.FactorEmail:
	default:
		return EnrollResult{}, okta.Validation("factorResendRequest", "Only sms, call and email factors can be resent.")
	}
	if f.Status != okta.FactorPendingActivation {
		return EnrollResult{}, okta.Validation("factorResendRequest", "The factor is not pending activation.")
	}
	if o.activationLimited(f.UserID, o.clock.Now()) {
		return EnrollResult{}, okta.Errorf(okta.E0000047)
	}
	m, err := o.sendOTP(f, Challenge{Kind: KindVerify, TokenLifetime: tokenLifetime})
	if err != nil {
		return EnrollResult{}, err
	}
	return EnrollResult{Factor: f.view(), Message: &m}, nil
}

// FactorSecret returns the TOTP secret of a pending TOTP factor, which the
// Factors API shows again while the factor awaits activation.
func (o *Org) FactorSecret(uid, fid string) (string, bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	f, err := o.userFactor(uid, fid)
	if err != nil || f.Status != okta.FactorPendingActivation || f.Type != okta.FactorTOTP {
		return "", false
	}
	return f.secret, true
}

// PendingActivation returns the pending Okta Verify activation of a push
// factor without starting one.
func (o *Org) PendingActivation(uid, fid string) (PushActivation, bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	f, err := o.userFactor(uid, fid)
	if err != nil || f.activation == nil || f.Status != okta.FactorPendingActivation {
		return PushActivation{}, false
	}
	f.activation.settle(o.clock.Now())
	return PushActivation{Factor: f.view(), Result: f.activation.result, ExpiresAt: f.activation.expiresAt,
		Token: f.activation.token}, true
}

// Nonce returns the outstanding u2f/webauthn challenge of a factor.
func (o *Org) Nonce(uid, fid string) string {
	o.mu.Lock()
	defer o.mu.Unlock()
	f, err := o.userFactor(uid, fid)
	if err != nil {
		return ""
	}
	return f.challenge
}

// FactorQRContent is what the QR code of a pending factor encodes (the
// `qrcode` link's .../qr/{token}): for Okta Verify/Google Authenticator
// TOTP (token = the factor id) the otpauth:// URL an authenticator app
// scans; for Okta Verify push (token = the activation's token) an
// emulator URL carrying the token ActivateOktaVerifyByToken takes. Anything
// else, or a factor no longer pending, is 404 E0000007.
func (o *Org) FactorQRContent(uid, fid, token string) (string, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	f, err := o.userFactor(uid, fid)
	if err != nil {
		return "", err
	}
	notFound := okta.NotFound(token, "QRCode")
	if f.Status != okta.FactorPendingActivation {
		return "", notFound
	}
	u := o.users[f.UserID]
	switch {
	case f.Type == okta.FactorTOTP && token == f.ID && f.secret != "":
		label := url.PathEscape(o.name + ":" + u.Login())
		q := url.Values{"secret": {f.secret}, "issuer": {o.name}, "algorithm": {"SHA1"}, "digits": {"6"}, "period": {"30"}}
		return "otpauth://totp/" + label + "?" + q.Encode(), nil
	case f.Type == okta.FactorPush && f.activation != nil && token == f.activation.token:
		f.activation.settle(o.clock.Now())
		if f.activation.result != PushWaiting {
			return "", notFound
		}
		return "oktaemu-okta-verify://activate?" + url.Values{"token": {token}}.Encode(), nil
	}
	return "", notFound
}
