package idx

import (
	"bytes"
	"encoding/base64"
	"errors"
	"image/png"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/boombuler/barcode"
	"github.com/boombuler/barcode/qr"

	"github.com/oktaemu/oktaemu/emulator/internal/okta"
	"github.com/oktaemu/oktaemu/emulator/internal/org"
)

// enrollSelect handles select-authenticator-enroll (/idp/idx/credential/
// enroll): it starts enrolling the chosen authenticator (idx.md §5.8).
func (f *flow) enrollSelect(req request) (int, error) {
	t := f.t
	if !f.expect(stepSelectEnroll, stepEnroll, stepEnrollPoll, stepEnrollmentData) {
		return f.notAllowed()
	}
	key := f.keyOfID(req.str("authenticator", "id"))
	cands := t.Step.Candidates
	if !slices.Contains(cands, key) {
		return f.fail(http.StatusBadRequest, errMsg("E0000009"))
	}
	if t.Step.Kind == stepEnroll && (t.Step.Key == keyGoogle || t.Step.Key == keyPhone) && t.Step.Ref != "" {
		f.o.IDXDeleteFactor(t.UserID, t.Step.Ref) // abandoned pending enrollment
	}
	step := org.Step{Kind: stepEnroll, Candidates: cands, CanSkip: t.Step.CanSkip, Key: key}
	switch key {
	case keyPassword:
		step.Method = "password"
	case keyQuestion:
		step.Method = "security_question"
	case keyGoogle:
		fac, secret, err := f.o.IDXStartTOTPEnrollment(t.UserID, "GOOGLE")
		if err != nil {
			return 0, err
		}
		step.Method, step.Ref, step.Secret = "otp", fac.ID, secret
	case keyPhone:
		phone := strings.TrimSpace(req.str("authenticator", "phoneNumber"))
		method := req.str("authenticator", "methodType")
		if phone == "" {
			// Ask for the number (and the method) first.
			step.Kind = stepEnrollmentData
			t.Step = step
			return http.StatusOK, nil
		}
		if method != "voice" {
			method = "sms"
		}
		typ := okta.FactorSMS
		if method == "voice" {
			typ = okta.FactorCall
		}
		res, err := f.o.EnrollFactor(t.UserID, org.Enroll{Type: typ, Provider: "OKTA", Profile: map[string]any{"phoneNumber": phone}})
		if err != nil {
			if oe, ok := okta.As(err); ok && (oe.Code == okta.E0000098 || oe.Code == okta.E0000001) {
				step.Kind = stepEnrollmentData
				t.Step = step
				return f.fail(http.StatusBadRequest, errMsg("api.factors.error.sms.invalid_phone"))
			}
			return f.throttled(err)
		}
		step.Method, step.Ref, step.Phone = method, res.Factor.ID, phone
	case keyOktaVerify:
		if ch := req.str("authenticator", "channel"); ch != "" && ch != "qrcode" {
			// Only the QR code channel is emulated; sms/email links are not.
			return f.fail(http.StatusBadRequest, errMsg("E0000009"))
		}
		step.Kind, step.Method = stepEnrollPoll, "push"
		step.Ref = OktaVerifyTokenPrefix + f.o.IDs().Random(27)
	default:
		return f.fail(http.StatusBadRequest, errMsg("E0000009"))
	}
	t.Step = step
	return http.StatusOK, nil
}

func (f *flow) answerEnroll(req request) (int, error) {
	t := f.t
	switch t.Step.Key {
	case keyPassword:
		if err := f.o.IDXSetPassword(t.UserID, req.str("credentials", "passcode")); err != nil {
			return f.passwordRefused(err)
		}
		f.record(keyPassword, "password")
	case keyGoogle:
		if _, err := f.o.ActivateFactor(t.UserID, t.Step.Ref, org.Verify{PassCode: req.str("credentials", "passcode")}); err != nil {
			return f.fieldFail(http.StatusUnauthorized, "credentials.passcode", errMsg("api.authn.error.PASSCODE_INVALID"))
		}
		f.record(keyGoogle, "otp")
	case keyPhone:
		if _, err := f.o.ActivateFactor(t.UserID, t.Step.Ref, org.Verify{PassCode: req.str("credentials", "passcode")}); err != nil {
			if oe, ok := okta.As(err); ok && oe.Code == okta.E0000047 {
				return f.fail(http.StatusTooManyRequests, errMsg("tooManyRequests"))
			}
			return f.fieldFail(http.StatusUnauthorized, "credentials.passcode", errMsg("api.authn.error.PASSCODE_INVALID"))
		}
		f.record(keyPhone, t.Step.Method)
	case keyQuestion:
		qk := req.str("credentials", "questionKey")
		q := req.str("credentials", "question")
		a := req.str("credentials", "answer")
		if qk == "" || (qk == "custom" && strings.TrimSpace(q) == "") {
			return f.fieldFail(http.StatusBadRequest, "credentials.questionKey", errMsg("E0000009"))
		}
		if len(strings.TrimSpace(a)) < 4 {
			return f.fieldFail(http.StatusBadRequest, "credentials.answer", errMsg("securityQuestion.answer.tooShort.arg"))
		}
		if _, err := f.o.IDXEnrollQuestion(t.UserID, qk, q, a); err != nil {
			return 0, err
		}
		f.record(keyQuestion, "security_question")
	default:
		return f.notAllowed()
	}
	t.Enrolled = append(t.Enrolled, t.Step.Key)
	f.advance()
	return f.stepStatus(), nil
}

func (f *flow) passwordRefused(err error) (int, error) {
	var oe interface{ Error() string }
	if errors.As(err, &oe) {
		text := err.Error()
		if i := strings.Index(text, "Password requirements were not met"); i >= 0 {
			text = strings.TrimSuffix(text[i:], ")")
		}
		return f.fieldFail(http.StatusBadRequest, "credentials.passcode", Message{Message: text,
			I18n: I18n{Key: "password.passwordRequirementsNotMet"}, Class: "ERROR"})
	}
	return 0, err
}

// oktaVerifyURI is what the enrollment QR code carries (undocumented by
// Okta; an oktaverify:// URI with the one-time token, idx.md §5.8 sugg).
func (f *flow) oktaVerifyURI(token string) string {
	return "oktaverify://email@okta.com/?t=" + url.QueryEscape(token) + "&f=" + url.QueryEscape(f.base)
}

// qrDataURI renders content as a PNG QR code data URI.
func qrDataURI(content string) string {
	code, err := qr.Encode(content, qr.M, qr.Auto)
	if err == nil {
		code, err = barcode.Scale(code, 200, 200)
	}
	var buf bytes.Buffer
	if err == nil {
		err = png.Encode(&buf, code)
	}
	if err != nil {
		return "data:image/png;base64,"
	}
	return "data:image/png;base64," + base64.StdEncoding.EncodeToString(buf.Bytes())
}

// totpURI is the otpauth:// URI of a TOTP enrollment.
func totpURI(issuer, account, secret string) string {
	return "otpauth://totp/" + url.PathEscape(issuer+":"+account) + "?secret=" + secret + "&issuer=" + url.QueryEscape(issuer)
}

// CompleteOktaVerifyEnrollment does what the Okta Verify app does after
// scanning an IDX enrollment QR code: it enrolls one more Okta Verify device
// for the transaction's user (Identity Engine allows several), and the
// next enroll-poll moves on. token is the QR code's token (the `t`
// parameter of the oktaverify:// URI in contextualData). An emulator test
// hook, not an Okta API.
func CompleteOktaVerifyEnrollment(o *org.Org, token string, d org.Device) (org.OktaVerifyEnrollment, error) {
	sh, ok := o.InteractionByStepRef(token)
	if !ok {
		return org.OktaVerifyEnrollment{}, ErrNoPendingEnrollment
	}
	var enr org.OktaVerifyEnrollment
	_, err := o.UpdateInteraction("", sh, func(t *org.Interaction) error {
		if t.Step.Kind != stepEnrollPoll || t.Step.Ref != token || t.Step.Answer == "done" {
			return ErrNoPendingEnrollment
		}
		var err error
		if enr, err = o.AddOktaVerifyEnrollment(t.UserID, d); err != nil {
			return err
		}
		t.Step.Answer = "done"
		return nil
	})
	return enr, err
}

// OktaVerifyTokenPrefix starts the token of an IDX Okta Verify enrollment
// QR code (the `t` parameter of its oktaverify:// URI).
const OktaVerifyTokenPrefix = "idxov"

// ErrNoPendingEnrollment: no IDX transaction waits on an Okta Verify
// enrollment with this QR code token.
var ErrNoPendingEnrollment = errors.New("idx: no pending Okta Verify enrollment for this token")

// ClickEmailMagicLink does what the user clicking the link of the email
// challenge (in the same browser) does: the challenge counts as verified
// and the next poll moves on (idx.md §5.4). An emulator test hook, not an
// Okta API.
func ClickEmailMagicLink(o *org.Org, stateHandle string) error {
	_, err := o.UpdateInteraction("", stateHandle, func(t *org.Interaction) error {
		if t.Step.Kind != stepChallenge || t.Step.Method != "email" {
			return errNoEmailChallenge
		}
		t.Step.Answer = "clicked"
		return nil
	})
	return err
}

var errNoEmailChallenge = errors.New("idx: no pending email challenge")
