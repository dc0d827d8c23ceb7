package idx

import (
	"errors"
	"net/http"
	"slices"
	"strings"

	"github.com/oktaemu/oktaemu/emulator/internal/okta"
	"github.com/oktaemu/oktaemu/emulator/internal/org"
)

// introspect returns the current state without advancing it; the first
// introspect of a fresh transaction computes its first step.
func (f *flow) introspect(req request) (int, error) {
	if f.t.Step.Kind == "" {
		f.advance()
	}
	if f.t.Step.Kind == stepTerminal {
		return f.terminalStatus(), nil
	}
	return http.StatusOK, nil
}

func (f *flow) expect(kinds ...string) bool { return slices.Contains(kinds, f.t.Step.Kind) }

// notAllowed answers a request the current step does not offer: the state
// again with an error (suggested; Okta's text for a remediation that is not
// available is not recorded).
func (f *flow) notAllowed() (int, error) {
	return f.fail(http.StatusBadRequest, errMsg("E0000009"))
}

// identify handles `identify` and `identify-recovery` (idx.md §5.2, §5.3,
// §5.9).
func (f *flow) identify(req request) (int, error) {
	if !f.expect(stepIdentify, stepIdentifyRecovery, "") {
		return f.notAllowed()
	}
	t := f.t
	identifier := strings.TrimSpace(req.str("identifier"))
	t.Identifier = identifier
	passwordFirst := t.Step.Kind == stepIdentify && f.o.PasswordFirst()
	u, found := f.o.IDXIdentify(identifier)
	if passwordFirst {
		pw := req.str("credentials", "passcode")
		if !found || pw == "" {
			return f.fail(http.StatusUnauthorized, errMsg("errors.E0000004"))
		}
		switch err := f.o.IDXVerifyPassword(u.ID, pw); {
		case errors.Is(err, org.ErrUserLocked):
			return f.fail(http.StatusUnauthorized, errMsg("errors.E0000004"))
		case err != nil:
			return f.fail(http.StatusUnauthorized, errMsg("errors.E0000004"))
		}
		t.UserID = u.ID
		f.record(keyPassword, "password")
		f.advance()
		return f.stepStatus(), nil
	}
	if !found || !signInStatus(u.Status) {
		if t.Flow == "recover" {
			return f.fail(http.StatusOK, warnMsg("idx.unknown.user", identifier))
		}
		return f.fail(http.StatusOK, warnMsg("idx.unknown.user", identifier))
	}
	t.UserID = u.ID
	f.advance()
	return f.stepStatus(), nil
}

func signInStatus(s okta.UserStatus) bool {
	switch s {
	case okta.UserActive, okta.UserPasswordExpired, okta.UserRecovery, okta.UserLockedOut:
		return true
	}
	return false
}

// stepStatus is the status of the state advance() landed in.
func (f *flow) stepStatus() int {
	if f.t.Step.Kind == stepTerminal {
		return f.terminalStatus()
	}
	if len(f.messages) > 0 && f.messages[0].Class == "ERROR" {
		return http.StatusTooManyRequests
	}
	return http.StatusOK
}

func (f *flow) terminalStatus() int {
	switch f.t.Step.Terminal {
	case "security.access_denied":
		return http.StatusForbidden
	case "oie.assurance.unsatisfiable", "oie.selfservice.reset.password.not.allowed", "oie.selfservice.user.unlock.not.allowed":
		return http.StatusBadRequest
	}
	return http.StatusOK
}

// challenge handles select-authenticator-authenticate,
// authenticator-verification-data and select-authenticator-unlock-account
// (all post to /idp/idx/challenge), and the Okta Verify push resend.
func (f *flow) challenge(req request) (int, error) {
	t := f.t
	if t.Step.Kind == stepUnlock {
		identifier := strings.TrimSpace(req.str("identifier"))
		u, found := f.o.IDXIdentify(identifier)
		if !found {
			return f.fail(http.StatusOK, warnMsg("idx.unknown.user", identifier))
		}
		t.UserID, t.Identifier = u.ID, identifier
		pol := f.policy()
		if !pol.SelfServiceUnlock {
			t.Step = org.Step{Kind: stepTerminal, Terminal: "oie.selfservice.user.unlock.not.allowed"}
			return http.StatusBadRequest, nil
		}
		key := f.keyOfID(req.str("authenticator", "id"))
		if !slices.Contains(unlockKeys(pol), key) {
			return f.fail(http.StatusBadRequest, errMsg("oie.selfservice.user.unlock.not.allowed"))
		}
		cands := unlockKeys(pol)
		return f.startChallenge(cands, key, req.str("authenticator", "methodType"), req.str("authenticator", "enrollmentId"))
	}
	if !f.expect(stepSelectAuth, stepVerificationData, stepChallenge, stepChallengePoll) {
		return f.notAllowed()
	}
	key := f.keyOfID(req.str("authenticator", "id"))
	cands := t.Step.Candidates
	if t.Step.Kind == stepVerificationData || (t.Step.Kind == stepChallengePoll && key == t.Step.Key) {
		cands = t.Step.Candidates
	}
	if !slices.Contains(cands, key) && !(key == t.Step.Key && t.Step.Key != "") {
		return f.fail(http.StatusBadRequest, errMsg("E0000009"))
	}
	enrollmentID := req.str("authenticator", "enrollmentId")
	if enrollmentID == "" && key == t.Step.Key {
		enrollmentID = t.Step.EnrollmentID
	}
	return f.startChallenge(cands, key, req.str("authenticator", "methodType"), enrollmentID)
}

// answer handles challenge-authenticator, enroll-authenticator,
// reset-authenticator and reenroll-authenticator (/idp/idx/challenge/answer).
func (f *flow) answer(req request) (int, error) {
	t := f.t
	switch t.Step.Kind {
	case stepChallenge:
		return f.answerChallenge(req)
	case stepEnroll:
		return f.answerEnroll(req)
	case stepResetPassword, stepReenrollPassword:
		pw := req.str("credentials", "passcode")
		if err := f.o.IDXSetPassword(t.UserID, pw); err != nil {
			var oe *okta.Error
			if errors.As(err, &oe) && len(oe.Causes) > 0 {
				return f.fieldFail(http.StatusBadRequest, "credentials.passcode", Message{Message: oe.Causes[0],
					I18n: I18n{Key: "password.passwordRequirementsNotMet"}, Class: "ERROR"})
			}
			return 0, err
		}
		if t.Flow == "recover" {
			t.Flow = ""
			t.Verified = append(t.Verified, org.Verification{Key: keyPassword, Method: "password", At: f.o.Now()})
		}
		f.advance()
		return f.stepStatus(), nil
	}
	return f.notAllowed()
}

func (f *flow) answerChallenge(req request) (int, error) {
	t := f.t
	uid := t.UserID
	u, _ := f.user()
	ens := userEnrollments(f.o, u)
	e, _ := findEnrollment(ens, t.Step.Key, t.Step.EnrollmentID)
	switch t.Step.Method {
	case "password":
		switch err := f.o.IDXVerifyPassword(uid, req.str("credentials", "passcode")); {
		case errors.Is(err, org.ErrUserLocked):
			return f.fail(http.StatusUnauthorized, errMsg("errors.E0000119"))
		case err != nil:
			return f.fail(http.StatusUnauthorized, errMsg("incorrectPassword"))
		}
	case "email", "sms", "voice":
		code := req.str("credentials", "passcode")
		if _, err := f.o.VerifyFactor(uid, e.Factors[t.Step.Method], org.Verify{PassCode: code}); err != nil {
			return f.fieldFail(http.StatusUnauthorized, "credentials.passcode", errMsg("api.authn.error.PASSCODE_INVALID"))
		}
	case "totp":
		code := req.str("credentials", "totp")
		if code == "" {
			code = req.str("credentials", "passcode")
		}
		if _, err := f.o.VerifyFactor(uid, e.Factors["totp"], org.Verify{PassCode: code}); err != nil {
			return f.fieldFail(http.StatusUnauthorized, "credentials.totp", errMsg("api.authn.error.PASSCODE_INVALID"))
		}
	case "otp":
		if _, err := f.o.VerifyFactor(uid, e.Factors["otp"], org.Verify{PassCode: req.str("credentials", "passcode")}); err != nil {
			return f.fieldFail(http.StatusUnauthorized, "credentials.passcode", errMsg("authfactor.challenge.soft_token.invalid_passcode"))
		}
	case "security_question":
		if _, err := f.o.VerifyFactor(uid, e.Factors["security_question"], org.Verify{Answer: req.str("credentials", "answer")}); err != nil {
			return f.fieldFail(http.StatusUnauthorized, "credentials.answer", errMsg("api.authn.error.PASSCODE_INVALID"))
		}
	default:
		return f.notAllowed()
	}
	f.record(t.Step.Key, t.Step.Method)
	f.advance()
	return f.stepStatus(), nil
}

// poll handles challenge-poll (push), enroll-poll (Okta Verify enrollment)
// and the email poll: the unchanged state while nothing happened.
func (f *flow) poll(req request) (int, error) {
	t := f.t
	switch t.Step.Kind {
	case stepChallengePoll:
		u, _ := f.user()
		ens := userEnrollments(f.o, u)
		e, _ := findEnrollment(ens, keyOktaVerify, t.Step.EnrollmentID)
		tx, err := f.o.PushTransaction(u.ID, e.Factors["push"], t.Step.Ref)
		if err != nil {
			return 0, err
		}
		switch tx.Result {
		case org.PushWaiting:
			return http.StatusOK, nil
		case org.PushSuccess:
			f.record(keyOktaVerify, "push")
			f.advance()
			return f.stepStatus(), nil
		case org.PushRejected:
			t.Step.Kind = stepChallenge
			t.Step.Method = "push"
			t.Step.Answer = ""
			return f.fail(http.StatusBadRequest, errMsg("api.authn.poll.error.push_rejected"))
		default:
			t.Step.Kind = stepChallenge
			t.Step.Method = "push"
			t.Step.Answer = ""
			return f.fail(http.StatusNotFound, errMsg("core.system.transaction_resource_not_found"))
		}
	case stepEnrollPoll:
		if t.Step.Answer == "done" {
			t.Enrolled = append(t.Enrolled, keyOktaVerify)
			f.record(keyOktaVerify, "push")
			f.advance()
			return f.stepStatus(), nil
		}
		return http.StatusOK, nil
	case stepChallenge:
		if t.Step.Method == "email" {
			if t.Step.Answer == "clicked" {
				f.record(keyEmail, "email")
				f.advance()
				return f.stepStatus(), nil
			}
			return http.StatusOK, nil
		}
	}
	return f.notAllowed()
}

// resend sends the pending code again (email, SMS, voice) or a new push.
func (f *flow) resend(req request) (int, error) {
	t := f.t
	if !f.expect(stepChallenge, stepChallengePoll) {
		return f.notAllowed()
	}
	method := t.Step.Method
	if method == "push" || t.Step.Kind == stepChallengePoll {
		method = "push"
	}
	switch method {
	case "email", "sms", "voice", "push":
		return f.startChallenge(t.Step.Candidates, t.Step.Key, method, t.Step.EnrollmentID)
	}
	return f.notAllowed()
}

// skip skips optional enrollments.
func (f *flow) skip(req request) (int, error) {
	if f.t.Step.Kind != stepSelectEnroll || !f.t.Step.CanSkip {
		return f.notAllowed()
	}
	f.t.SkippedEnrollment = true
	f.advance()
	return f.stepStatus(), nil
}

// recover starts password recovery, from the first screen (identify-
// recovery) or from the password challenge (idx.md §5.9).
func (f *flow) recover(req request) (int, error) {
	t := f.t
	pol := f.o.IDXPolicyFor(t.AppID, t.UserID)
	if len(pol.Recovery) == 0 {
		return f.fail(http.StatusBadRequest, errMsg("oie.selfservice.reset.password.not.allowed"))
	}
	t.Flow = "recover"
	t.Verified = nil
	f.advance()
	return f.stepStatus(), nil
}

// unlockAccount starts self-service unlock (idx.md §5.11).
func (f *flow) unlockAccount(req request) (int, error) {
	if f.t.UserID != "" || f.t.Step.Kind != stepIdentify {
		return f.notAllowed()
	}
	f.t.Flow = "unlock"
	f.t.Step = org.Step{Kind: stepUnlock}
	return http.StatusOK, nil
}

// register answers self-registration, which no emulated org enables.
func (f *flow) register(req request) (int, error) {
	return f.fail(http.StatusBadRequest, errMsg("idx.error.registration.unavailable"))
}
