package org

import (
	"maps"
	"slices"
	"time"

	"github.com/oktaemu/oktaemu/emulator/internal/okta"
)

// OrgFactor is a factor as the org enables it (Org Factors API,
// factors.md §10).
type OrgFactor struct {
	ID         string // factor name: okta_sms, google_otp…
	Provider   string
	FactorType okta.FactorType
	Status     string // NOT_SETUP, ACTIVE, INACTIVE
}

type orgFactor struct{ OrgFactor }

// Org factor statuses.
const (
	OrgFactorNotSetup = "NOT_SETUP"
	OrgFactorActive   = "ACTIVE"
	OrgFactorInactive = "INACTIVE"
)

// defaultOrgFactors are the org factors every org starts with: the ones a
// default org enables, and the hardware/third-party ones NOT_SETUP.
var defaultOrgFactors = []OrgFactor{
	{"google_otp", "GOOGLE", okta.FactorTOTP, OrgFactorActive},
	{"okta_otp", "OKTA", okta.FactorTOTP, OrgFactorActive},
	{"okta_push", "OKTA", okta.FactorPush, OrgFactorActive},
	{"okta_question", "OKTA", okta.FactorQuestion, OrgFactorActive},
	{"okta_sms", "OKTA", okta.FactorSMS, OrgFactorActive},
	{"okta_call", "OKTA", okta.FactorCall, OrgFactorActive},
	{"okta_email", "OKTA", okta.FactorEmail, OrgFactorActive},
	{"fido_webauthn", "FIDO", okta.FactorWebAuthn, OrgFactorActive},
	{"fido_u2f", "FIDO", okta.FactorU2F, OrgFactorActive},
	{"custom_otp", "CUSTOM", okta.FactorHOTP, OrgFactorActive},
	{"rsa_token", "RSA", okta.FactorToken, OrgFactorActive},
	{"symantec_vip", "SYMANTEC", okta.FactorToken, OrgFactorActive},
	{"yubikey_token", "YUBICO", okta.FactorHardware, OrgFactorActive},
	{"duo", "DUO", okta.FactorWeb, OrgFactorNotSetup},
}

// FactorKey is the MFA_ENROLL factors-schema key (and org factor name) of a
// factor type and provider (policies.md §3.1); "" when none.
func FactorKey(t okta.FactorType, provider string) string {
	switch t {
	case okta.FactorQuestion:
		return "okta_question"
	case okta.FactorSMS:
		return "okta_sms"
	case okta.FactorCall:
		return "okta_call"
	case okta.FactorEmail:
		return "okta_email"
	case okta.FactorTOTP:
		if provider == "GOOGLE" {
			return "google_otp"
		}
		return "okta_otp"
	case okta.FactorPush:
		return "okta_push"
	case okta.FactorToken:
		if provider == "SYMANTEC" {
			return "symantec_vip"
		}
		return "rsa_token"
	case okta.FactorHardware:
		return "yubikey_token"
	case okta.FactorU2F:
		return "fido_u2f"
	case okta.FactorWebAuthn:
		return "fido_webauthn"
	case okta.FactorHOTP:
		return "custom_otp"
	case okta.FactorWeb:
		return "duo"
	}
	return ""
}

// AuthenticatorKey is the authenticator key of a factor type and provider
// (policies.md §3.4, authenticators.md §2).
func AuthenticatorKey(t okta.FactorType, provider string) string {
	switch t {
	case okta.FactorQuestion:
		return "security_question"
	case okta.FactorSMS, okta.FactorCall:
		return "phone_number"
	case okta.FactorEmail:
		return "okta_email"
	case okta.FactorTOTP:
		if provider == "GOOGLE" {
			return "google_otp"
		}
		return "okta_verify"
	case okta.FactorPush, okta.FactorSignedNonce:
		return "okta_verify"
	case okta.FactorToken:
		if provider == "SYMANTEC" {
			return "symantec_vip"
		}
		return "rsa_token"
	case okta.FactorHardware:
		return "yubikey_token"
	case okta.FactorU2F, okta.FactorWebAuthn:
		return "webauthn"
	case okta.FactorHOTP:
		return "custom_otp"
	case okta.FactorWeb:
		return "duo"
	}
	return ""
}

func (s *factorState) orgFactorList() []*orgFactor {
	if s.orgFactors == nil {
		for _, f := range defaultOrgFactors {
			s.orgFactors = append(s.orgFactors, &orgFactor{f})
		}
	}
	return s.orgFactors
}

// OrgFactors lists the org factors.
func (o *Org) OrgFactors() []OrgFactor {
	o.mu.Lock()
	defer o.mu.Unlock()
	var out []OrgFactor
	for _, f := range o.fxs().orgFactorList() {
		out = append(out, f.OrgFactor)
	}
	return out
}

// OrgFactorByID returns one org factor.
func (o *Org) OrgFactorByID(id string) (OrgFactor, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, f := range o.fxs().orgFactorList() {
		if f.ID == id {
			return f.OrgFactor, nil
		}
	}
	return OrgFactor{}, okta.NotFound(id, "OrgFactor")
}

// SetOrgFactorStatus activates (ACTIVE) or deactivates (INACTIVE) an org
// factor.
func (o *Org) SetOrgFactorStatus(id string, active bool) (OrgFactor, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, f := range o.fxs().orgFactorList() {
		if f.ID == id {
			f.Status = OrgFactorInactive
			if active {
				f.Status = OrgFactorActive
			}
			return f.OrgFactor, nil
		}
	}
	return OrgFactor{}, okta.NotFound(id, "OrgFactor")
}

// orgFactorActive reports whether the org factor key is ACTIVE; the caller
// holds o.mu (write), or reads in a shared sign-in step once storesReady.
func (o *Org) orgFactorActive(key string) bool {
	for _, f := range o.fxs().orgFactorList() {
		if f.ID == key {
			return f.Status == OrgFactorActive
		}
	}
	return false
}

// Authenticator is an authenticator of the org (Identity Engine's
// Authenticators API, authenticators.md §1).
type Authenticator struct {
	ID          string
	Key         string
	Type        string
	Name        string
	Status      string // ACTIVE, INACTIVE
	Created     time.Time
	LastUpdated time.Time
	Settings    map[string]any
	Methods     []AuthenticatorMethod
}

// AuthenticatorMethod is one method of an authenticator.
type AuthenticatorMethod struct {
	Type     string
	Status   string
	Settings map[string]any
}

type authenticator struct{ Authenticator }

func (a *authenticator) view() Authenticator {
	v := a.Authenticator
	v.Settings = deepClone(a.Settings)
	v.Methods = slices.Clone(a.Methods)
	for i := range v.Methods {
		v.Methods[i].Settings = deepClone(v.Methods[i].Settings)
	}
	return v
}

// defaultAuthenticators is the suggested seed set (authenticators.md §1).
func defaultAuthenticators(now time.Time) []*authenticator {
	m := func(t string, settings map[string]any) AuthenticatorMethod {
		return AuthenticatorMethod{Type: t, Status: StatusActive, Settings: settings}
	}
	mk := func(id, key, typ, name, status string, settings map[string]any, methods ...AuthenticatorMethod) *authenticator {
		return &authenticator{Authenticator{ID: id, Key: key, Type: typ, Name: name, Status: status, Created: now,
			LastUpdated: now, Settings: settings, Methods: methods}}
	}
	totp := map[string]any{"timeIntervalInSeconds": 30, "encoding": "Base32", "algorithm": "HMACSHA1", "passCodeLength": 6}
	keys := map[string]any{"algorithms": []any{"RS256", "ES256"}, "keyProtection": "ANY"}
	return []*authenticator{
		mk("autpassword000000000", "okta_password", "password", "Password", StatusActive, nil, m("password", nil)),
		mk("autemail000000000000", "okta_email", "email", "Email", StatusActive,
			map[string]any{"allowedFor": "any", "tokenLifetimeInMinutes": 5}, m("email", nil)),
		mk("autphone000000000000", "phone_number", "phone", "Phone", StatusActive,
			map[string]any{"allowedFor": "any"}, m("sms", nil), m("voice", nil)),
		mk("autquestion000000000", "security_question", "security_question", "Security Question", StatusActive,
			map[string]any{"allowedFor": "any"}, m("security_question", nil)),
		mk("autoktaverify0000000", "okta_verify", "app", "Okta Verify", StatusActive,
			map[string]any{"compliance": map[string]any{"fips": "OPTIONAL"},
				"channelBinding":   map[string]any{"style": "NUMBER_CHALLENGE", "required": "NEVER"},
				"userVerification": "PREFERRED"},
			m("push", maps.Clone(keys)), m("totp", totp), m("signed_nonce", map[string]any{"algorithms": []any{"RS256", "ES256"},
				"keyProtection": "ANY", "showSignInWithOV": "ALWAYS"})),
		mk("autgoogleotp00000000", "google_otp", "app", "Google Authenticator", StatusActive, nil, m("otp", nil)),
		mk("autwebauthn000000000", "webauthn", "security_key", "Security Key or Biometric", StatusActive, nil,
			m("webauthn", map[string]any{"userVerification": "DISCOURAGED", "attachment": "ANY"})),
	}
}

func (o *Org) authList() []*authenticator {
	s := o.fxs()
	if s.auths == nil {
		s.auths = defaultAuthenticators(o.clock.Now())
	}
	return s.auths
}

// authenticatorActive reports whether the authenticator key is ACTIVE (or
// unknown to the org, which then does not restrict it); the caller holds
// o.mu (write), or reads in a shared sign-in step once storesReady.
func (o *Org) authenticatorActive(key string) bool {
	for _, a := range o.authList() {
		if a.Key == key {
			return a.Status == StatusActive
		}
	}
	return true
}

// Authenticators lists the org's authenticators.
func (o *Org) Authenticators() []Authenticator {
	o.mu.Lock()
	defer o.mu.Unlock()
	var out []Authenticator
	for _, a := range o.authList() {
		out = append(out, a.view())
	}
	return out
}

// AuthenticatorByID returns one authenticator; 404 E0000007.
func (o *Org) AuthenticatorByID(id string) (Authenticator, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, a := range o.authList() {
		if a.ID == id {
			return a.view(), nil
		}
	}
	return Authenticator{}, okta.NotFound(id, "Authenticator")
}

// AuthenticatorByKey returns the authenticator with key.
func (o *Org) AuthenticatorByKey(key string) (Authenticator, bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, a := range o.authList() {
		if a.Key == key {
			return a.view(), true
		}
	}
	return Authenticator{}, false
}

// SetAuthenticatorStatus activates or deactivates an authenticator. The
// password authenticator cannot be deactivated, nor one an active
// MFA_ENROLL authenticators policy requires or allows (403 E0000148).
func (o *Org) SetAuthenticatorStatus(id string, active bool) (Authenticator, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, a := range o.authList() {
		if a.ID != id {
			continue
		}
		if !active {
			if a.Key == "okta_password" {
				return Authenticator{}, okta.Errorf(okta.E0000148, "The password authenticator cannot be disabled.")
			}
			if names := o.policiesUsing(a.Key); len(names) > 0 {
				e := okta.Errorf(okta.E0000148)
				e.Summary = "Cannot disable this authenticator because it is enabled in one or more policies. To continue, disable the authenticator in these policies."
				return Authenticator{}, e.WithCauses("Authenticator Enrollment Policies: " + joinNames(names))
			}
		}
		a.Status = StatusInactive
		if active {
			a.Status = StatusActive
		}
		a.LastUpdated = o.clock.Now()
		return a.view(), nil
	}
	return Authenticator{}, okta.NotFound(id, "Authenticator")
}

// SetAuthenticatorSettings replaces an authenticator's settings (the
// control plane and tests; the Factors API never enforces them, row 11).
func (o *Org) SetAuthenticatorSettings(key string, settings map[string]any) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, a := range o.authList() {
		if a.Key == key {
			a.Settings = deepClone(settings)
			a.LastUpdated = o.clock.Now()
			return nil
		}
	}
	return okta.NotFound(key, "Authenticator")
}

func joinNames(names []string) string {
	out := ""
	for i, n := range names {
		if i > 0 {
			out += ", "
		}
		out += n
	}
	return out
}

// policiesUsing names the active MFA_ENROLL policies whose authenticators
// settings enroll key as OPTIONAL or REQUIRED; the caller holds o.mu.
func (o *Org) policiesUsing(key string) []string {
	var names []string
	for _, p := range o.sortedPolicies(okta.PolicyMFAEnroll) {
		if p.Status != StatusActive {
			continue
		}
		list, _ := p.Settings["authenticators"].([]any)
		for _, item := range list {
			m, _ := item.(map[string]any)
			if LookupString(m, "key") == key {
				if e := LookupString(m, "enroll", "self"); e == "OPTIONAL" || e == "REQUIRED" {
					names = append(names, p.Name)
				}
			}
		}
	}
	return names
}

// Enrollment levels of an MFA_ENROLL policy.
const (
	EnrollNotAllowed = "NOT_ALLOWED"
	EnrollOptional   = "OPTIONAL"
	EnrollRequired   = "REQUIRED"
)

// FactorEnrollment returns how the effective MFA_ENROLL policy of user uid
// treats a factor type/provider: REQUIRED, OPTIONAL or NOT_ALLOWED. Both
// settings schemas are read (factors keys, or authenticators keys mapped
// per policies.md §3.4); an absent key is NOT_ALLOWED; with no policy at
// all everything enabled is OPTIONAL.
func (o *Org) FactorEnrollment(uid string, t okta.FactorType, provider string) string {
	o.mu.RLock()
	defer o.mu.RUnlock()
	return o.factorEnrollment(uid, t, provider)
}

func (o *Org) factorEnrollment(uid string, t okta.FactorType, provider string) string {
	return o.enrollPolicyFor(uid).level(t, provider)
}

// enrollPolicy is a user's effective MFA_ENROLL policy, looked up once for
// the many factor types a sign-in or a catalog asks about.
type enrollPolicy struct {
	p  Policy
	ok bool // false: the org has no MFA_ENROLL policy for the user
}

func (o *Org) enrollPolicyFor(uid string) enrollPolicy {
	p, _, ok := o.effectivePolicy(okta.PolicyMFAEnroll, uid)
	return enrollPolicy{p: p, ok: ok}
}

// level is how the policy treats t/provider: REQUIRED, OPTIONAL or
// NOT_ALLOWED.
func (ep enrollPolicy) level(t okta.FactorType, provider string) string {
	if !ep.ok {
		return EnrollOptional
	}
	p := ep.p
	if list, isList := p.Settings["authenticators"].([]any); isList {
		key := AuthenticatorKey(t, provider)
		for _, item := range list {
			m, _ := item.(map[string]any)
			if LookupString(m, "key") == key {
				return enrollLevel(LookupString(m, "enroll", "self"))
			}
		}
		return EnrollNotAllowed
	}
	key := FactorKey(t, provider)
	factors, _ := p.Settings["factors"].(map[string]any)
	if key == "okta_call" {
		if _, ok := factors[key]; !ok {
			key = "okta_voice"
		}
	}
	if v, ok := factors[key].(map[string]any); ok {
		return enrollLevel(LookupString(v, "enroll", "self"))
	}
	return EnrollNotAllowed
}

func enrollLevel(s string) string {
	switch s {
	case EnrollOptional, EnrollRequired:
		return s
	}
	return EnrollNotAllowed
}

// Enrollment is one authenticator enrollment of a user (User Authenticator
// Enrollments API, authenticators.md §2): a view of the same factors the
// Factors API lists, so the two always agree. An Okta Verify enrollment
// gathers its push, totp and signed_nonce factors; every other factor is
// its own enrollment with the factor's id; the password is one more.
type Enrollment struct {
	ID              string
	Key             string
	Type            string
	Name            string
	Status          string
	AuthenticatorID string
	Profile         map[string]any
	Created         time.Time
	LastUpdated     time.Time
	// FactorIDs are the factors the enrollment stands for.
	FactorIDs []string
}

// Enrollments lists user uid's authenticator enrollments.
func (o *Org) Enrollments(uid string) ([]Enrollment, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	u, err := o.lookupUser(uid)
	if err != nil {
		return nil, err
	}
	o.syncAutoFactors(u)
	auth := func(key string) *authenticator {
		for _, a := range o.authList() {
			if a.Key == key {
				return a
			}
		}
		return &authenticator{Authenticator{Key: key, Name: key, Type: "app"}}
	}
	var out []Enrollment
	if u.password.set() {
		a := auth("okta_password")
		out = append(out, Enrollment{ID: stableID("lae", u.ID), Key: a.Key, Type: a.Type, Name: a.Name,
			Status: string(okta.FactorActive), AuthenticatorID: a.ID, Created: u.Created, LastUpdated: u.PasswordChanged})
	}
	index := map[string]int{}
	for _, f := range u.factors {
		id := f.ID
		if f.enrollment != "" {
			id = f.enrollment
		}
		if i, ok := index[id]; ok {
			e := &out[i]
			e.FactorIDs = append(e.FactorIDs, f.ID)
			if f.Type == okta.FactorPush {
				e.Status = string(f.Status)
				e.Profile = deviceProfile(f)
			}
			continue
		}
		a := auth(AuthenticatorKey(f.Type, f.Provider))
		e := Enrollment{ID: id, Key: a.Key, Type: a.Type, Name: a.Name, Status: string(f.Status), AuthenticatorID: a.ID,
			Created: f.Created, LastUpdated: f.LastUpdated, FactorIDs: []string{f.ID}}
		switch f.Type {
		case okta.FactorSMS, okta.FactorCall:
			e.Profile = map[string]any{"phoneNumber": f.Profile["phoneNumber"]}
		case okta.FactorEmail:
			e.Profile = map[string]any{"email": f.Profile["email"]}
		case okta.FactorPush, okta.FactorSignedNonce:
			e.Profile = deviceProfile(f)
		}
		index[id] = len(out)
		out = append(out, e)
	}
	return out, nil
}

func deviceProfile(f *factor) map[string]any {
	p := map[string]any{}
	if n, ok := f.Profile["name"]; ok {
		p["deviceName"] = n
	}
	if n, ok := f.Profile["platform"]; ok {
		p["platform"] = n
	}
	if len(p) == 0 {
		return nil
	}
	return p
}

// PasswordEnrollmentID is the id of user uid's password enrollment.
func PasswordEnrollmentID(uid string) string { return stableID("lae", uid) }
