package idx

import (
	"net/http"
	"slices"

	"github.com/gin-gonic/gin"

	"github.com/oktaemu/oktaemu/emulator/internal/okta"
	"github.com/oktaemu/oktaemu/emulator/internal/org"
)

// Step kinds: the pending step of a transaction, from which every response
// is rendered (render.go). The remediation engine (advance) is the one
// place that decides the next step from the policies (idx.md §7).
const (
	stepIdentify         = "identify"
	stepIdentifyRecovery = "identify-recovery"
	stepSelectAuth       = "select-authenticate"
	stepVerificationData = "verification-data"
	stepChallenge        = "challenge"
	stepChallengePoll    = "challenge-poll"
	stepSelectEnroll     = "select-enroll"
	stepEnrollmentData   = "enrollment-data" // authenticator-enrollment-data (phone number)
	stepEnroll           = "enroll"
	stepEnrollPoll       = "enroll-poll"
	stepResetPassword    = "reset-password"
	stepReenrollPassword = "reenroll-password"
	stepUnlock           = "unlock"
	stepSuccess          = "success"
	stepTerminal         = "terminal"
)

// flow is one IDX request working on one transaction.
type flow struct {
	h    Handler
	o    *org.Org
	t    *org.Interaction
	base string
	c    *gin.Context
	// messages are the top-level messages of this response.
	messages []Message
	// fieldErrors are messages on form fields, keyed by field path
	// ("credentials.passcode", "identifier").
	fieldErrors map[string]Message
}

func (f *flow) fail(status int, m Message) (int, error) {
	f.messages = append(f.messages, m)
	return status, nil
}

func (f *flow) fieldFail(status int, path string, m Message) (int, error) {
	if f.fieldErrors == nil {
		f.fieldErrors = map[string]Message{}
	}
	f.fieldErrors[path] = m
	return status, nil
}

func (f *flow) user() (org.User, bool) {
	if f.t.UserID == "" {
		return org.User{}, false
	}
	u, err := f.o.User(f.t.UserID)
	return u, err == nil
}

func (f *flow) policy() org.IDXPolicy { return f.o.IDXPolicyFor(f.t.AppID, f.t.UserID) }

func (f *flow) verified(key string) bool {
	return slices.ContainsFunc(f.t.Verified, func(v org.Verification) bool { return v.Key == key })
}

func (f *flow) verifiedKeys() []string {
	var keys []string
	for _, v := range f.t.Verified {
		if !slices.Contains(keys, v.Key) {
			keys = append(keys, v.Key)
		}
	}
	return keys
}

func (f *flow) record(key, method string) {
	f.t.Verified = append(f.t.Verified, org.Verification{Key: key, Method: method, At: f.o.Now()})
}

// authenticatorID is the org's id of authenticator key.
func (f *flow) authenticatorID(key string) string {
	if a, ok := f.o.AuthenticatorByKey(key); ok {
		return a.ID
	}
	return ""
}

func (f *flow) authenticatorActive(key string) bool {
	a, ok := f.o.AuthenticatorByKey(key)
	return ok && a.Status == org.StatusActive
}

// keyOfID maps an authenticator id (or, leniently, a key) to its key.
func (f *flow) keyOfID(id string) string {
	for _, a := range f.o.Authenticators() {
		if a.ID == id || a.Key == id {
			return a.Key
		}
	}
	return ""
}

// advance decides the next step from where the transaction stands: the
// one place the policies shape the remediations (idx.md §7).
func (f *flow) advance() {
	t := f.t
	u, ok := f.user()
	if !ok {
		if t.Flow == "recover" {
			t.Step = org.Step{Kind: stepIdentifyRecovery}
		} else {
			t.Step = org.Step{Kind: stepIdentify}
		}
		return
	}
	ens := userEnrollments(f.o, u)
	switch t.Flow {
	case "recover":
		f.advanceRecovery(u, ens)
		return
	case "unlock":
		f.advanceUnlock(u, ens)
		return
	}
	pol := f.policy()
	if pol.Deny {
		t.Step = org.Step{Kind: stepTerminal, Terminal: "security.access_denied"}
		return
	}
	if f.verified(keyPassword) && u.Status == okta.UserPasswordExpired {
		t.Step = org.Step{Kind: stepReenrollPassword, Key: keyPassword}
		return
	}
	// Authentication: what the policies still require.
	if !f.satisfied(pol) {
		cands := f.authCandidates(pol, ens)
		if len(cands) == 0 {
			enrollable := f.enrollable(pol, ens, false)
			if len(enrollable) == 0 {
				t.Step = org.Step{Kind: stepTerminal, Terminal: "oie.assurance.unsatisfiable"}
				return
			}
			t.Step = org.Step{Kind: stepSelectEnroll, Candidates: enrollable}
			return
		}
		if len(cands) == 1 {
			f.startChallenge(cands, cands[0], "", "")
			return
		}
		t.Step = org.Step{Kind: stepSelectAuth, Candidates: cands}
		return
	}
	if t.AuthTime.IsZero() {
		t.AuthTime = f.o.Now()
	}
	// Enrolling on demand (prompt=enroll_authenticator).
	if t.Intent == org.IntentCredentialEnrollment {
		var remaining []string
		for _, k := range t.EnrollAMR {
			if !slices.Contains(t.Enrolled, k) && f.authenticatorActive(k) {
				remaining = append(remaining, k)
			}
		}
		if len(remaining) > 0 {
			t.Step = org.Step{Kind: stepSelectEnroll, Candidates: remaining}
			return
		}
		f.succeed()
		return
	}
	// The authenticator enrollment policy (idx.md §7.3).
	if pol.EnrollAction != "NEVER" {
		if req := f.missing(pol, ens, org.EnrollRequired); len(req) > 0 {
			t.Step = org.Step{Kind: stepSelectEnroll, Candidates: req}
			return
		}
		offerOptional := pol.EnrollAction == "LOGIN" || (pol.EnrollAction == "CHALLENGE" && pol.Factors > 1)
		if opt := f.missing(pol, ens, org.EnrollOptional); offerOptional && len(opt) > 0 && !t.SkippedEnrollment {
			t.Step = org.Step{Kind: stepSelectEnroll, Candidates: opt, CanSkip: true}
			return
		}
	}
	f.succeed()
}

// satisfied reports whether the verified authenticators meet the policy:
// as many distinct authenticators as the factor mode asks, the password
// among them when required.
func (f *flow) satisfied(pol org.IDXPolicy) bool {
	keys := f.verifiedKeys()
	if pol.PasswordRequired && !slices.Contains(keys, keyPassword) {
		if u, ok := f.user(); ok && u.HasPassword {
			return false
		}
	}
	return len(keys) >= pol.Factors
}

// authCandidates lists the authenticators (keys, in order) that can satisfy
// what remains: the password first when the policy requires it, else every
// enrolled authenticator not verified yet.
func (f *flow) authCandidates(pol org.IDXPolicy, ens []enrollment) []string {
	if pol.PasswordRequired && !f.verified(keyPassword) {
		if _, ok := findEnrollment(ens, keyPassword, ""); ok {
			return []string{keyPassword}
		}
	}
	var out []string
	for _, e := range ens {
		if f.verified(e.Key) || slices.Contains(out, e.Key) || !f.authenticatorActive(e.Key) {
			continue
		}
		out = append(out, e.Key)
	}
	return out
}

// enrollable lists the authenticators the enrollment policy allows and the
// user lacks (optionalToo false: only those that can help authentication,
// which is any allowed one).
func (f *flow) enrollable(pol org.IDXPolicy, ens []enrollment, _ bool) []string {
	var out []string
	for _, r := range pol.Enroll {
		if r.Self == org.EnrollNotAllowed || r.Key == keyPassword || !f.supported(r.Key) {
			continue
		}
		if _, has := findEnrollment(ens, r.Key, ""); has {
			continue
		}
		out = append(out, r.Key)
	}
	return out
}

// missing lists the authenticators at level the user has not enrolled.
func (f *flow) missing(pol org.IDXPolicy, ens []enrollment, level string) []string {
	var out []string
	for _, r := range pol.Enroll {
		if r.Self != level || !f.supported(r.Key) || !f.authenticatorActive(r.Key) {
			continue
		}
		if _, has := findEnrollment(ens, r.Key, ""); has {
			continue
		}
		out = append(out, r.Key)
	}
	return out
}

// supported reports whether the engine can enroll key through IDX.
func (f *flow) supported(key string) bool {
	switch key {
	case keyOktaVerify, keyGoogle, keyQuestion, keyPassword, keyPhone:
		return true
	}
	return false
}

// succeed ends authentication: an interaction code, or for a hosted
// transaction the redirect.
func (f *flow) succeed() {
	t := f.t
	if t.AuthTime.IsZero() {
		t.AuthTime = f.o.Now()
	}
	t.Step = org.Step{Kind: stepSuccess}
	if !t.Hosted && t.Code == "" {
		f.o.MintInteractionCode(t)
	}
	t.Done = true
}

// startChallenge begins verifying key (method and enrollment optional),
// sending what must be sent (email/SMS code, push). cands are the
// alternatives the response still offers.
func (f *flow) startChallenge(cands []string, key, method, enrollmentID string) (int, error) {
	t := f.t
	u, _ := f.user()
	ens := userEnrollments(f.o, u)
	e, ok := findEnrollmentFor(ens, key, enrollmentID, method)
	if ok && key == keyOktaVerify && method != "" && !slices.Contains(e.Methods, method) {
		// Okta Verify is one option over all its enrollments.
		e, ok = findEnrollmentFor(ens, key, "", method)
	}
	if !ok {
		return f.fail(http.StatusBadRequest, errMsg("E0000009"))
	}
	methods := e.Methods
	if key == keyOktaVerify {
		methods = methodsOf(f.authenticator(key, ens))
	}
	step := org.Step{Kind: stepChallenge, Candidates: cands, Key: key, EnrollmentID: e.ID}
	if method == "" || !slices.Contains(e.Methods, method) {
		if len(methods) > 1 && (key == keyPhone || key == keyOktaVerify) {
			step.Kind = stepVerificationData
			t.Step = step
			return http.StatusOK, nil
		}
		method = e.Methods[0]
	}
	step.Method = method
	switch method {
	case "email", "sms", "voice":
		res, err := f.o.ChallengeFactor(u.ID, e.Factors[method], org.Challenge{})
		if err != nil {
			t.Step = step
			return f.throttled(err)
		}
		step.Ref = res.Factor.ID
	case "push":
		numbers := false
		if a, ok := f.o.AuthenticatorByKey(keyOktaVerify); ok {
			numbers = org.LookupString(a.Settings, "channelBinding", "required") == "ALWAYS"
		}
		res, err := f.o.ChallengeFactor(u.ID, e.Factors["push"], org.Challenge{Push: org.PushOptions{
			NumberChallenge: numbers, ClientIP: f.c.ClientIP(), UserAgent: f.c.Request.UserAgent()}})
		if err != nil {
			return f.throttled(err)
		}
		step.Kind = stepChallengePoll
		step.Ref = res.Push.ID
		if res.Push.CorrectAnswer != 0 {
			step.Answer = itoa(res.Push.CorrectAnswer)
		}
	}
	t.Step = step
	return http.StatusOK, nil
}

// throttled renders a factor-model refusal to send (rate limits) as IDX
// messages.
func (f *flow) throttled(err error) (int, error) {
	e, ok := okta.As(err)
	if !ok {
		return 0, err
	}
	switch e.Code {
	case okta.E0000109:
		return f.fail(http.StatusTooManyRequests, errMsg("errors.E0000150"))
	case okta.E0000133:
		return f.fail(http.StatusTooManyRequests, errMsg("errors.E0000151"))
	case okta.E0000118, okta.E0000047:
		return f.fail(http.StatusTooManyRequests, errMsg("tooManyRequests"))
	}
	return 0, err
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for n > 0 {
		b = append([]byte{byte('0' + n%10)}, b...)
		n /= 10
	}
	return string(b)
}

// advanceRecovery: verify one recovery authenticator, then set a new
// password (idx.md §5.9).
func (f *flow) advanceRecovery(u org.User, ens []enrollment) {
	t := f.t
	pol := f.policy()
	for _, k := range pol.Recovery {
		if f.verified(k) {
			t.Step = org.Step{Kind: stepResetPassword, Key: keyPassword}
			return
		}
	}
	var cands []string
	for _, k := range pol.Recovery {
		if _, ok := findEnrollment(ens, k, ""); ok && f.authenticatorActive(k) {
			cands = append(cands, k)
		}
	}
	switch len(cands) {
	case 0:
		t.Step = org.Step{Kind: stepTerminal, Terminal: "oie.selfservice.reset.password.not.allowed"}
	case 1:
		f.startChallenge(cands, cands[0], "", "")
	default:
		t.Step = org.Step{Kind: stepSelectAuth, Candidates: cands}
	}
}

// advanceUnlock: after the user proved an unlock authenticator the account
// is unlocked and the sign-in goes on (idx.md §5.11).
func (f *flow) advanceUnlock(u org.User, ens []enrollment) {
	t := f.t
	pol := f.policy()
	for _, k := range unlockKeys(pol) {
		if f.verified(k) {
			if u.Status == okta.UserLockedOut {
				f.o.UnlockUser(u.ID)
			}
			t.Step = org.Step{Kind: stepTerminal, Terminal: "oie.selfservice.unlock_user.success.message"}
			t.Done = true
			return
		}
	}
	var cands []string
	for _, k := range unlockKeys(pol) {
		if _, ok := findEnrollment(ens, k, ""); ok && f.authenticatorActive(k) {
			cands = append(cands, k)
		}
	}
	if len(cands) == 0 {
		t.Step = org.Step{Kind: stepTerminal, Terminal: "oie.selfservice.user.unlock.not.allowed"}
		return
	}
	if len(cands) == 1 {
		f.startChallenge(cands, cands[0], "", "")
		return
	}
	t.Step = org.Step{Kind: stepSelectAuth, Candidates: cands}
}

// unlockKeys are the authenticators that may unlock an account: the
// password policy's recovery authenticators.
func unlockKeys(pol org.IDXPolicy) []string { return pol.Recovery }
