package org

import (
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/oktaemu/oktaemu/emulator/internal/okta"
)

// Factor is an enrolled factor as callers see it (a copy; secrets stay in
// the org). The Factors API, authn and the authenticator-enrollments view
// all read this one model.
type Factor struct {
	ID          string
	UserID      string
	Type        okta.FactorType
	Provider    string
	VendorName  string
	Status      okta.FactorStatus
	Created     time.Time
	LastUpdated time.Time
	// Profile is the factor profile (phoneNumber, email, question,
	// credentialId, device fields…), without write-only fields. It is
	// shared with the org: read it, do not modify it.
	Profile map[string]any
	// HasSecret says a TOTP/HOTP shared secret is stored.
	HasSecret bool
	// EnrollmentID is the authenticator enrollment the factor belongs to:
	// the Okta Verify enrollment shared by push, totp and signed_nonce, or
	// the factor's own id.
	EnrollmentID string
	// Auto marks a factor the org lists by itself: the verified primary
	// email or the recovery question (Identity Engine).
	Auto bool
}

// factor is the stored record.
type factor struct {
	Factor
	secret    string // base32 TOTP/HOTP shared secret
	answer    digest // security-question answer
	passCodes []string
	// lastStep is the last TOTP time step accepted: a code is good once.
	lastStep int64
	// otp is the outstanding one-time code of an sms/call/email factor.
	otp        digest
	otpExpires time.Time
	// usedCodes are hardware/RSA/Symantec passcodes already accepted.
	usedCodes []string
	// enrollment groups the push, totp and signed_nonce factors of one Okta
	// Verify enrollment (its authenticator-enrollment id); "" otherwise.
	enrollment string
	// auto marks a factor the org synthesised: the verified primary email
	// (autoEmail) or the recovery question (autoRecovery).
	autoEmail, autoRecovery bool
	// activation is a pending Okta Verify push activation.
	activation *pushActivation
	// challenge is the outstanding u2f/webauthn nonce.
	challenge string
}

// view is the caller's copy of f. Its Profile map is shared, not copied
// (every factor list renders it): stored profiles are never changed in
// place (setProfile replaces the map), and callers only read views.
func (f *factor) view() Factor {
	v := f.Factor
	v.HasSecret = f.secret != ""
	v.EnrollmentID = f.ID
	if f.enrollment != "" {
		v.EnrollmentID = f.enrollment
	}
	v.Auto = f.autoEmail || f.autoRecovery
	return v
}

// setProfile sets profile attributes given as key, value pairs on a copy
// of f's profile: views handed out earlier share the old map.
func (f *factor) setProfile(kv ...any) {
	p := maps.Clone(f.Profile)
	if p == nil {
		p = map[string]any{}
	}
	for i := 0; i+1 < len(kv); i += 2 {
		p[kv[i].(string)] = kv[i+1]
	}
	f.Profile = p
}

// FactorIDPrefix gives the id prefix Okta uses per factor type and provider
// (factors.md §2.2).
func FactorIDPrefix(t okta.FactorType, provider string) string {
	switch t {
	case okta.FactorQuestion:
		return "ufs"
	case okta.FactorSMS:
		return "sms"
	case okta.FactorCall:
		return "clf"
	case okta.FactorEmail:
		return "emf"
	case okta.FactorTOTP:
		return "ostf"
	case okta.FactorPush:
		return "opf"
	case okta.FactorToken:
		if provider == "SYMANTEC" {
			return "ufv"
		}
		return "rsa"
	case okta.FactorHardware:
		return "ykf"
	case okta.FactorU2F:
		return "fuf"
	case okta.FactorWebAuthn:
		return "fwf"
	case okta.FactorHOTP:
		return "chf"
	case okta.FactorSignedNonce:
		return "osn"
	case okta.FactorWeb:
		return "dsf"
	}
	return "fac"
}

// DefaultProvider is the provider a factor type gets when none is named.
func DefaultProvider(t okta.FactorType) string {
	switch t {
	case okta.FactorHardware:
		return "YUBICO"
	case okta.FactorU2F, okta.FactorWebAuthn:
		return "FIDO"
	case okta.FactorToken:
		return "RSA"
	case okta.FactorHOTP:
		return "CUSTOM"
	case okta.FactorWeb:
		return "DUO"
	}
	return "OKTA"
}

// NewFactor is a factor as fixtures and enrollment create it.
type NewFactor struct {
	ID        string
	Type      okta.FactorType
	Provider  string
	Status    okta.FactorStatus
	Profile   map[string]any
	Secret    string
	Answer    string
	PassCodes []string
	// Enrollment groups the Okta Verify factors of one device (push, totp,
	// signed_nonce); "" leaves the factor on its own.
	Enrollment string
}

// addFactor stores a factor for u; the caller holds o.mu.
func (o *Org) addFactor(u *user, in NewFactor) *factor {
	now := o.clock.Now()
	if in.Provider == "" {
		in.Provider = DefaultProvider(in.Type)
	}
	if in.ID == "" {
		in.ID = o.ids.New(FactorIDPrefix(in.Type, in.Provider))
	}
	if in.Status == "" {
		in.Status = okta.FactorActive
	}
	profile := maps.Clone(in.Profile)
	if profile == nil {
		profile = map[string]any{}
	}
	delete(profile, "answer")
	if in.Type == okta.FactorQuestion {
		if q, _ := profile["question"].(string); q != "" {
			if _, ok := profile["questionText"]; !ok {
				profile["questionText"] = QuestionText(q)
			}
		}
	}
	if in.Type == okta.FactorTOTP {
		if _, ok := profile["credentialId"]; !ok {
			profile["credentialId"] = u.Login()
		}
	}
	f := &factor{Factor: Factor{ID: in.ID, UserID: u.ID, Type: in.Type, Provider: in.Provider, VendorName: in.Provider,
		Status: in.Status, Created: now, LastUpdated: now, Profile: profile},
		secret: in.Secret, passCodes: slices.Clone(in.PassCodes), enrollment: in.Enrollment}
	if in.Answer != "" {
		f.answer = o.hash(normalizeAnswer(in.Answer))
	}
	u.factors = append(u.factors, f)
	return f
}

// AddFactor stores a factor for user uid without any enrollment rule: the
// primitive under fixtures and the control plane.
func (o *Org) AddFactor(uid string, in NewFactor) (Factor, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	u, err := o.lookupUser(uid)
	if err != nil {
		return Factor{}, err
	}
	return o.addFactor(u, in).view(), nil
}

// Factors lists a user's factors in enrollment order, including the ones
// the org lists by itself (FactorRules.AutoEmailFactor,
// RecoveryQuestionFactor). GET /users/{id}/factors is this list, not
// filtered by the MFA enrollment policy.
func (o *Org) Factors(uid string) ([]Factor, error) {
	return userRead(o, uid, func(u *user, shared bool) ([]Factor, error) {
		if err := o.syncFactorsIn(u, shared); err != nil {
			return nil, err
		}
		out := make([]Factor, len(u.factors))
		for i, f := range u.factors {
			out[i] = f.view()
		}
		return out, nil
	})
}

// TOTPOptions are the RFC 6238 parameters Okta Verify and Google
// Authenticator use: SHA-1, 6 digits, 30-second steps, one step of skew.
var TOTPOptions = totp.ValidateOpts{Period: 30, Skew: 1, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}

// checkTOTP verifies code against f's secret at now, accepting each time
// step once. It reports ok and whether the code was a replay.
func checkTOTP(f *factor, code string, now time.Time) (ok, replayed bool) {
	if f.secret == "" || len(code) != 6 {
		return false, false
	}
	step := now.Unix() / 30
	for _, d := range []int64{0, -1, 1} {
		t := time.Unix((step+d)*30, 0)
		want, err := totp.GenerateCodeCustom(f.secret, t, TOTPOptions)
		if err != nil || want != code {
			continue
		}
		if step+d <= f.lastStep {
			return false, true
		}
		f.lastStep = step + d
		return true, false
	}
	return false, false
}

// Security questions Okta offers (GET /users/{id}/factors/questions).
var securityQuestions = []struct{ Key, Text string }{
	{"disliked_food", "What is the food you least liked as a child?"},
	{"name_of_first_plush_toy", "What is the name of your first stuffed animal?"},
	{"first_award", "What did you earn your first medal or award for?"},
	{"favorite_security_question", "What is your favorite security question?"},
	{"favorite_toy", "What is the toy/stuffed animal you liked the most as a kid?"},
	{"first_computer_game", "What was the first computer game you played?"},
	{"favorite_movie_quote", "What is your favorite movie quote?"},
	{"first_sports_team_mascot", "What was the mascot of the first sports team you played on?"},
	{"first_music_purchase", "What music album or song did you first purchase?"},
	{"favorite_art_piece", "What is your favorite piece of art?"},
	{"grandmother_favorite_desert", "What was your grandmother's favorite dessert?"},
	{"first_thing_cooked", "What was the first thing you learned to cook?"},
	{"childhood_dream_job", "What was your dream job as a child?"},
	{"first_kiss_location", "Where did you have your first kiss?"},
	{"place_where_significant_other_was_met", "Where did you meet your spouse/significant other?"},
	{"favorite_vacation_location", "Where did you go for your favorite vacation?"},
	{"new_years_two_thousand", "Where were you on New Year's Eve in the year 2000?"},
	{"favorite_speaker_actor", "Who is your favorite speaker/orator?"},
	{"favorite_book_movie_character", "Who is your favorite book/movie character?"},
	{"favorite_sports_player", "Who is your favorite sports player?"},
}

// SecurityQuestion is a question key and its text.
type SecurityQuestion struct{ Key, Text string }

// SecurityQuestions returns the catalogue of security questions.
func SecurityQuestions() []SecurityQuestion {
	out := make([]SecurityQuestion, len(securityQuestions))
	for i, q := range securityQuestions {
		out[i] = SecurityQuestion{q.Key, q.Text}
	}
	return out
}

// QuestionText returns the text of a question key, or the key itself for a
// custom question.
func QuestionText(key string) string {
	for _, q := range securityQuestions {
		if q.Key == key {
			return q.Text
		}
	}
	return key
}

// hasFactorType reports whether u holds a factor of type t from provider
// (any provider when empty).
func hasFactorType(u *user, t okta.FactorType, provider string) bool {
	for _, f := range u.factors {
		if f.Type == t && (provider == "" || strings.EqualFold(f.Provider, provider)) {
			return true
		}
	}
	return false
}
