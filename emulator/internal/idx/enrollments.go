package idx

import (
	"slices"
	"strings"

	"github.com/oktaemu/oktaemu/emulator/internal/okta"
	"github.com/oktaemu/oktaemu/emulator/internal/org"
)

// enrollment is one authenticator enrollment of the user as IDX shows it:
// the org's factors grouped by authenticator (one phone, one Okta Verify
// device, the password…).
type enrollment struct {
	Key string
	// ID is the enrollment id IDX shows (the factor's, or the Okta Verify
	// enrollment's).
	ID string
	// Methods are the method types in Okta's order.
	Methods []string
	// Factors maps a method type to the factor that verifies it.
	Factors map[string]string
	Profile map[string]any
	// Question is the security question key and text.
	QuestionKey, Question string
}

// userEnrollments lists user u's ACTIVE enrollments in authenticator order
// (password, email, phone, Okta Verify, Google Authenticator, security
// question), in enrollment order within each. It is a view of the org's
// one enrollment model (org.Enrollments, which the authenticator
// enrollments API lists too): the same ids and grouping.
func userEnrollments(o *org.Org, u org.User) []enrollment {
	enrs, err := o.Enrollments(u.ID)
	if err != nil {
		return nil
	}
	factors, _ := o.IDXFactors(u.ID)
	byID := map[string]org.Factor{}
	for _, f := range factors {
		byID[f.ID] = f
	}
	byKey := map[string][]enrollment{}
	for _, en := range enrs {
		if en.Status != string(okta.FactorActive) {
			continue
		}
		e := enrollment{Key: en.Key, ID: en.ID, Factors: map[string]string{}}
		if en.Key == keyPassword {
			e.Methods = []string{"password"}
			byKey[e.Key] = append(byKey[e.Key], e)
			continue
		}
		skip := false
		for _, fid := range en.FactorIDs {
			f, ok := byID[fid]
			if !ok || f.Status != okta.FactorActive {
				continue
			}
			switch f.Type {
			case okta.FactorEmail:
				e.Factors["email"] = f.ID
				e.Profile = map[string]any{"email": maskEmail(str(f.Profile["email"]))}
			case okta.FactorSMS:
				e.Factors["sms"] = f.ID
				e.Profile = map[string]any{"phoneNumber": maskPhone(str(f.Profile["phoneNumber"]))}
			case okta.FactorCall:
				e.Factors["voice"] = f.ID
				e.Profile = map[string]any{"phoneNumber": maskPhone(str(f.Profile["phoneNumber"]))}
			case okta.FactorPush, okta.FactorSignedNonce:
				e.Factors[methodOf(f.Type)] = f.ID
				if name := str(f.Profile["name"]); name != "" && f.Type == okta.FactorPush {
					e.Profile = map[string]any{"deviceName": name}
				}
			case okta.FactorTOTP:
				if en.Key == keyGoogle {
					e.Factors["otp"] = f.ID
				} else {
					e.Factors["totp"] = f.ID
				}
			case okta.FactorQuestion:
				if f.Auto {
					skip = true // the recovery question is not a security question enrollment
					continue
				}
				qk := str(f.Profile["question"])
				qt := str(f.Profile["questionText"])
				if qt == "" {
					qt = org.QuestionText(qk)
				}
				e.Factors["security_question"] = f.ID
				e.QuestionKey, e.Question = qk, qt
				e.Profile = map[string]any{"questionKey": qk, "question": qt}
			}
		}
		// signed_nonce (FastPass) is not emulated: never offered.
		for _, m := range []string{"email", "sms", "voice", "push", "totp", "otp", "security_question"} {
			if _, ok := e.Factors[m]; ok {
				e.Methods = append(e.Methods, m)
			}
		}
		if skip || len(e.Methods) == 0 {
			continue
		}
		byKey[e.Key] = append(byKey[e.Key], e)
	}
	var out []enrollment
	for _, key := range authenticatorOrder {
		out = append(out, byKey[key]...)
	}
	return out
}

func methodOf(t okta.FactorType) string {
	switch t {
	case okta.FactorPush:
		return "push"
	case okta.FactorSignedNonce:
		return "signed_nonce"
	}
	return "totp"
}

// Authenticator keys the IDX engine handles.
const (
	keyPassword   = "okta_password"
	keyEmail      = "okta_email"
	keyPhone      = "phone_number"
	keyOktaVerify = "okta_verify"
	keyGoogle     = "google_otp"
	keyQuestion   = "security_question"
)

// authenticatorOrder is the order authenticators are listed in.
var authenticatorOrder = []string{keyPassword, keyEmail, keyPhone, keyOktaVerify, keyGoogle, keyQuestion}

// amrOf is the amr value of a verified method (RFC 8176 as Okta uses it).
func amrOf(method string) string {
	switch method {
	case "password":
		return "pwd"
	case "email":
		return "email"
	case "sms":
		return "sms"
	case "voice":
		return "tel"
	case "push", "signed_nonce":
		return "swk"
	case "totp", "otp":
		return "otp"
	case "security_question":
		return "kba"
	}
	return method
}

// maskEmail keeps the first and last character of the local part
// ("t***t@idx.com", idx.md §8).
func maskEmail(email string) string {
	local, domain, ok := strings.Cut(email, "@")
	if !ok || len(local) == 0 {
		return email
	}
	if len(local) <= 2 {
		return local[:1] + "***@" + domain
	}
	return local[:1] + "***" + local[len(local)-1:] + "@" + domain
}

// maskPhone shows the last four digits ("+1 XXX-XXX-5555").
func maskPhone(phone string) string {
	var digits []byte
	for i := range len(phone) {
		if phone[i] >= '0' && phone[i] <= '9' {
			digits = append(digits, phone[i])
		}
	}
	if len(digits) < 4 {
		return phone
	}
	return "+1 XXX-XXX-" + string(digits[len(digits)-4:])
}

// findEnrollmentFor is findEnrollment preferring an enrollment that has
// method (Okta Verify factors seeded without a shared enrollment are
// separate enrollments).
func findEnrollmentFor(es []enrollment, key, id, method string) (enrollment, bool) {
	if method != "" && id == "" {
		for _, e := range es {
			if e.Key == key && slices.Contains(e.Methods, method) {
				return e, true
			}
		}
	}
	return findEnrollment(es, key, id)
}

func findEnrollment(es []enrollment, key, id string) (enrollment, bool) {
	i := slices.IndexFunc(es, func(e enrollment) bool { return e.Key == key && (id == "" || e.ID == id) })
	if i < 0 {
		return enrollment{}, false
	}
	return es[i], true
}
