package idx

import (
	"net/url"
	"strconv"
	"strings"

	"github.com/oktaemu/oktaemu/emulator/internal/org"
)

// render builds the ION response of the transaction's current step
// (idx.md §3). Every form ends with the hidden stateHandle; every href is
// absolute on the caller's host; relatesTo indexes match the arrays of the
// same response.
func (f *flow) render() Response {
	t := f.t
	r := Response{Version: Version, StateHandle: t.StateHandle,
		ExpiresAt: t.ExpiresAt.UTC().Format("2006-01-02T15:04:05.000Z"), Intent: t.Intent}
	u, identified := f.user()
	var ens []enrollment
	if identified {
		ens = userEnrollments(f.o, u)
	}
	var forms []Form
	step := t.Step
	switch step.Kind {
	case stepIdentify, "":
		forms = append(forms, f.identifyForm())
		if pol := f.o.IDXPolicyFor(t.AppID, ""); pol.SelfServiceUnlock {
			forms = append(forms, f.form("unlock-account", "/unlock-account"))
		}
		if f.o.PasswordFirst() && len(f.o.IDXPolicyFor(t.AppID, "").Recovery) > 0 {
			a := f.authenticator(keyPassword, nil)
			a.Recover = f.action("recover", "/recover")
			r.CurrentAuthenticator = objectOf(a)
		}
	case stepIdentifyRecovery:
		forms = append(forms, f.form("identify-recovery", "/identify",
			Field{Name: "identifier", Label: "Username", Required: true}))
	case stepUnlock:
		auths := f.authenticatorList(unlockKeys(f.o.IDXPolicyFor(t.AppID, "")), nil)
		r.Authenticators = arrayOf(auths...)
		forms = append(forms, f.form("select-authenticator-unlock-account", "/challenge",
			Field{Name: "identifier", Label: "Username", Required: true},
			Field{Name: "authenticator", Type: "object", Required: true, Options: f.authOptions(auths, nil, false)}))
	case stepSelectAuth:
		auths := f.authenticatorList(step.Candidates, ens)
		r.Authenticators = arrayOf(auths...)
		r.AuthenticatorEnrollments = arrayOf(f.enrollmentList(ens)...)
		forms = append(forms, f.selectAuthForm(auths, ens))
	case stepVerificationData, stepChallenge, stepChallengePoll:
		e, _ := findEnrollment(ens, step.Key, step.EnrollmentID)
		auths := f.authenticatorList(step.Candidates, ens)
		withSelect := len(step.Candidates) > 1 || (step.Kind == stepChallenge && step.Method == "push")
		cur := f.enrollmentObject(e)
		switch {
		case step.Kind == stepVerificationData:
			var opts []Option
			methods := e.Methods
			if step.Key == keyOktaVerify {
				methods = methodsOf(f.authenticator(step.Key, ens))
			}
			for _, m := range methods {
				opts = append(opts, Option{Label: methodLabel(m), Value: m})
			}
			forms = append(forms, f.relForm("authenticator-verification-data", "/challenge", "$.currentAuthenticatorEnrollment",
				Field{Name: "authenticator", Type: "object", Required: true, Form: &SubForm{Value: []Field{
					fixed("id", f.authenticatorID(step.Key)),
					{Name: "methodType", Type: "string", Required: true, Options: opts}}}}))
			r.CurrentAuthenticatorEnrollment = objectOf(cur)
		case step.Kind == stepChallengePoll:
			a := f.authenticator(keyOktaVerify, ens)
			a.ID = f.authenticatorID(keyOktaVerify)
			a.Methods = []Method{{Type: "push"}}
			if step.Answer != "" {
				a.ContextualData = map[string]any{"correctAnswer": step.Answer}
			}
			a.Resend = f.action("resend", "/challenge/resend")
			poll := f.relForm("challenge-poll", "/challenge/poll", "$.currentAuthenticator")
			poll.Refresh = 4000
			forms = append(forms, poll)
			r.CurrentAuthenticator = objectOf(a)
		case step.Method == "push":
			a := f.authenticator(keyOktaVerify, ens)
			a.Methods = []Method{{Type: "push"}}
			a.Resend = f.action("resend", "/challenge/resend")
			r.CurrentAuthenticator = objectOf(a)
		default:
			cur.Methods = []Method{{Type: step.Method}}
			switch step.Method {
			case "email":
				cur.Resend = f.action("resend", "/challenge/resend")
				p := f.action("poll", "/challenge/poll")
				p.Refresh = 4000
				cur.Poll = p
			case "sms", "voice":
				cur.Resend = f.action("resend", "/challenge/resend")
			case "password":
				if len(f.policy().Recovery) > 0 && t.Flow == "" {
					cur.Recover = f.action("recover", "/recover")
				}
			case "security_question":
				cur.ContextualData = map[string]any{"enrolledQuestion": map[string]any{
					"questionKey": e.QuestionKey, "question": e.Question}}
			}
			forms = append(forms, f.relForm("challenge-authenticator", "/challenge/answer", "$.currentAuthenticatorEnrollment",
				f.credentialsField(step, e)))
			r.CurrentAuthenticatorEnrollment = objectOf(cur)
		}
		if withSelect {
			r.Authenticators = arrayOf(auths...)
			r.AuthenticatorEnrollments = arrayOf(f.enrollmentList(ens)...)
			forms = append(forms, f.selectAuthForm(auths, ens))
		}
		if t.Flow == "recover" {
			r.RecoveryAuthenticator = objectOf(f.authenticator(keyPassword, nil))
		}
	case stepSelectEnroll, stepEnroll, stepEnrollPoll, stepEnrollmentData:
		auths := f.authenticatorList(step.Candidates, nil)
		if step.Kind == stepEnrollmentData {
			a := f.authenticator(step.Key, nil)
			forms = append(forms, f.relForm("authenticator-enrollment-data", "/credential/enroll", "$.currentAuthenticator",
				Field{Name: "authenticator", Type: "object", Required: true, Form: &SubForm{Value: []Field{
					fixed("id", a.ID),
					{Name: "methodType", Type: "string", Required: true, Options: []Option{
						{Label: methodLabel("sms"), Value: "sms"}, {Label: methodLabel("voice"), Value: "voice"}}},
					{Name: "phoneNumber", Label: "Phone number", Required: true}}}}))
			r.CurrentAuthenticator = objectOf(a)
		} else if step.Kind != stepSelectEnroll {
			cur := f.enrollingAuthenticator(step)
			name, path := "enroll-authenticator", "/challenge/answer"
			if step.Kind == stepEnrollPoll {
				poll := f.relForm("enroll-poll", "/challenge/poll", "$.currentAuthenticator")
				poll.Refresh = 4000
				forms = append(forms, poll)
			} else {
				forms = append(forms, f.relForm(name, path, "$.currentAuthenticator", f.enrollCredentialsField(step)))
			}
			r.CurrentAuthenticator = objectOf(cur)
			r.EnrollmentAuthenticator = objectOf(cur)
		}
		if step.Kind == stepSelectEnroll || len(step.Candidates) > 1 {
			r.Authenticators = arrayOf(auths...)
			forms = append(forms, f.form("select-authenticator-enroll", "/credential/enroll",
				Field{Name: "authenticator", Type: "object", Required: true, Options: f.authOptions(auths, nil, true)}))
		}
		if identified {
			r.AuthenticatorEnrollments = arrayOf(f.enrollmentList(ens)...)
		}
		if step.CanSkip {
			forms = append(forms, f.form("skip", "/skip"))
		}
	case stepResetPassword, stepReenrollPassword:
		name := "reset-authenticator"
		if step.Kind == stepReenrollPassword {
			name = "reenroll-authenticator"
		}
		a := f.authenticator(keyPassword, nil)
		a.Settings = f.passwordSettings()
		forms = append(forms, f.relForm(name, "/challenge/answer", "$.currentAuthenticator",
			Field{Name: "credentials", Type: "object", Required: true, Form: &SubForm{Value: []Field{
				{Name: "passcode", Label: "New password", Secret: true},
				{Name: "revokeSessions", Type: "boolean", Label: "Sign me out of all other devices"}}}}))
		r.CurrentAuthenticator = objectOf(a)
		r.RecoveryAuthenticator = objectOf(f.authenticator(keyPassword, nil))
	case stepSuccess:
		if t.Hosted {
			target := t.RedirectURI
			q := url.Values{"state": {t.State}}
			if strings.Contains(target, "?") {
				target += "&" + q.Encode()
			} else {
				target += "?" + q.Encode()
			}
			r.Success = &Form{Rel: []string{"create-form"}, Name: "success-redirect", Href: target, Method: "GET", Value: []Field{}}
		} else {
			r.SuccessWithInteractionCode = &Form{Rel: []string{"create-form"}, Name: "issue", Href: f.tokenURL(),
				Method: "POST", Accepts: "application/x-www-form-urlencoded", Value: []Field{
					{Name: "grant_type", Required: true, Value: "interaction_code"},
					{Name: "interaction_code", Required: true, Value: t.Code},
					{Name: "client_id", Required: true, Value: t.ClientID},
					{Name: "code_verifier", Required: true}}}
		}
	case stepTerminal:
		cls := "ERROR"
		if strings.HasPrefix(step.Terminal, "oie.selfservice.unlock_user.success") {
			cls = "INFO"
		}
		var params []string
		if step.Terminal == "oie.assurance.unsatisfiable" {
			if a, err := f.o.App(t.AppID); err == nil {
				params = []string{a.Label}
			}
		}
		f.messages = append([]Message{msg(cls, step.Terminal, params...)}, f.messages...)
	}
	if len(forms) > 0 {
		f.applyFieldErrors(forms)
		r.Remediation = arrayOf(forms...)
	}
	if len(f.messages) > 0 {
		r.Messages = arrayOf(f.messages...)
	}
	if identified {
		profile := map[string]any{}
		for _, k := range []string{"firstName", "lastName", "timeZone", "locale"} {
			if v, ok := u.Profile[k]; ok && v != nil {
				profile[k] = v
			}
		}
		r.User = objectOf(User{ID: u.ID, Identifier: u.Login(), Profile: profile})
	}
	if a, err := f.o.App(t.AppID); err == nil {
		r.App = objectOf(App{Name: a.Name, Label: a.Label, ID: a.ID})
	}
	if step.Kind != stepSuccess && step.Kind != stepTerminal {
		r.Cancel = f.action("cancel", "/cancel")
	}
	return r
}

func (f *flow) href(path string) string { return f.base + "/idp/idx" + path }

// form is a remediation posting to /idp/idx{path} with fields and the
// hidden stateHandle.
func (f *flow) form(name, path string, fields ...Field) Form {
	return Form{Rel: []string{"create-form"}, Name: name, Href: f.href(path), Method: "POST",
		Produces: ContentType, Accepts: acceptsJSON, Value: append(fields, hidden("stateHandle", f.t.StateHandle))}
}

func (f *flow) relForm(name, path, relatesTo string, fields ...Field) Form {
	fm := f.form(name, path, fields...)
	fm.RelatesTo = []string{relatesTo}
	return fm
}

func (f *flow) action(name, path string) *Form {
	fm := f.form(name, path)
	return &fm
}

func (f *flow) tokenURL() string {
	if f.t.AuthServerID == "" {
		return f.base + "/oauth2/v1/token"
	}
	return f.base + "/oauth2/" + f.t.AuthServerID + "/v1/token"
}

func (f *flow) identifyForm() Form {
	fields := []Field{{Name: "identifier", Label: "Username", Required: true}}
	if f.o.PasswordFirst() {
		fields = append(fields, Field{Name: "credentials", Type: "object", Required: true,
			Form: &SubForm{Value: []Field{{Name: "passcode", Label: "Password", Secret: true}}}})
	}
	fields = append(fields, Field{Name: "rememberMe", Type: "boolean", Label: "Keep me signed in"})
	return f.form("identify", "/identify", fields...)
}

var displayNames = map[string]string{
	keyPassword: "Password", keyEmail: "Email", keyPhone: "Phone", keyOktaVerify: "Okta Verify",
	keyGoogle: "Google Authenticator", keyQuestion: "Security Question",
}

var authTypes = map[string]string{
	keyPassword: "password", keyEmail: "email", keyPhone: "phone", keyOktaVerify: "app",
	keyGoogle: "app", keyQuestion: "security_question",
}

func methodLabel(m string) string {
	switch m {
	case "sms":
		return "SMS"
	case "voice":
		return "Voice call"
	case "push":
		return "Get a push notification"
	case "totp":
		return "Enter a code"
	case "signed_nonce":
		return "Use Okta FastPass"
	}
	return m
}

// authenticator is the authenticator object of key: the org's id; methods
// are the user's enrolled ones when ens is given, else the authenticator's.
func (f *flow) authenticator(key string, ens []enrollment) Authenticator {
	a := Authenticator{Type: authTypes[key], Key: key, ID: f.authenticatorID(key), DisplayName: displayNames[key]}
	var methods []string
	if ens != nil {
		for _, e := range ens {
			if e.Key != key {
				continue
			}
			for _, m := range e.Methods {
				if !contains(methods, m) {
					methods = append(methods, m)
				}
			}
		}
	}
	if methods == nil {
		if oa, ok := f.o.AuthenticatorByKey(key); ok {
			for _, m := range oa.Methods {
				if m.Status == org.StatusActive && m.Type != "signed_nonce" {
					methods = append(methods, m.Type)
				}
			}
		}
	}
	for _, m := range methods {
		a.Methods = append(a.Methods, Method{Type: m})
	}
	return a
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func (f *flow) authenticatorList(keys []string, ens []enrollment) []Authenticator {
	out := make([]Authenticator, 0, len(keys))
	for _, k := range keys {
		out = append(out, f.authenticator(k, ens))
	}
	return out
}

func (f *flow) enrollmentObject(e enrollment) Authenticator {
	a := Authenticator{Type: authTypes[e.Key], Key: e.Key, ID: e.ID, DisplayName: displayNames[e.Key]}
	for _, m := range e.Methods {
		a.Methods = append(a.Methods, Method{Type: m})
	}
	if len(e.Profile) > 0 {
		a.Profile = e.Profile
	}
	return a
}

func (f *flow) enrollmentList(ens []enrollment) []Authenticator {
	out := make([]Authenticator, 0, len(ens))
	for _, e := range ens {
		out = append(out, f.enrollmentObject(e))
	}
	return out
}

// selectAuthForm is select-authenticator-authenticate: one option per
// enrollment of each offered authenticator, Okta Verify aggregated into
// one option relating to $.authenticators (idx.md §3.6, §4).
func (f *flow) selectAuthForm(auths []Authenticator, ens []enrollment) Form {
	var opts []Option
	for i, a := range auths {
		var mine []int
		for j, e := range ens {
			if e.Key == a.Key {
				mine = append(mine, j)
			}
		}
		if a.Key == keyOktaVerify || len(mine) == 0 {
			opts = append(opts, Option{Label: a.DisplayName, Value: OptionForm{Form: SubForm{Value: f.optionFields(a.ID, methodsOf(a), "")}},
				RelatesTo: "$.authenticators.value[" + strconv.Itoa(i) + "]"})
			continue
		}
		for _, j := range mine {
			e := ens[j]
			enrollmentID := ""
			if len(mine) > 1 {
				enrollmentID = e.ID
			}
			opts = append(opts, Option{Label: a.DisplayName, Value: OptionForm{Form: SubForm{Value: f.optionFields(a.ID, e.Methods, enrollmentID)}},
				RelatesTo: "$.authenticatorEnrollments.value[" + strconv.Itoa(j) + "]"})
		}
	}
	return f.form("select-authenticator-authenticate", "/challenge",
		Field{Name: "authenticator", Type: "object", Required: true, Options: opts})
}

func methodsOf(a Authenticator) []string {
	var out []string
	for _, m := range a.Methods {
		out = append(out, m.Type)
	}
	return out
}

// optionFields are an authenticator option's fields: the fixed id, the
// method type (fixed for one method, a choice for several) and, when the
// user has several enrollments of it, the fixed enrollment id.
func (f *flow) optionFields(id string, methods []string, enrollmentID string) []Field {
	fields := []Field{fixed("id", id)}
	switch len(methods) {
	case 0:
	case 1:
		fields = append(fields, Field{Name: "methodType", Required: false, Value: methods[0], Mutable: boolp(false)})
	default:
		var opts []Option
		for _, m := range methods {
			opts = append(opts, Option{Label: methodLabel(m), Value: m})
		}
		fields = append(fields, Field{Name: "methodType", Type: "string", Required: false, Options: opts})
	}
	if enrollmentID != "" {
		fields = append(fields, fixed("enrollmentId", enrollmentID))
	}
	return fields
}

// authOptions are enroll (or unlock) options, one per authenticator.
func (f *flow) authOptions(auths []Authenticator, _ []enrollment, enrolling bool) []Option {
	var opts []Option
	for i, a := range auths {
		fields := []Field{fixed("id", a.ID)}
		switch {
		case enrolling && a.Key == keyOktaVerify:
			fields = append(fields, Field{Name: "channel", Type: "string", Required: false,
				Options: []Option{{Label: "QRCODE", Value: "qrcode"}}})
		case len(a.Methods) == 1:
			fields = append(fields, Field{Name: "methodType", Required: false, Value: a.Methods[0].Type, Mutable: boolp(false)})
		case len(a.Methods) > 1:
			var mo []Option
			for _, m := range a.Methods {
				mo = append(mo, Option{Label: methodLabel(m.Type), Value: m.Type})
			}
			fields = append(fields, Field{Name: "methodType", Type: "string", Required: false, Options: mo})
		}
		opts = append(opts, Option{Label: a.DisplayName, Value: OptionForm{Form: SubForm{Value: fields}},
			RelatesTo: "$.authenticators.value[" + strconv.Itoa(i) + "]"})
	}
	return opts
}

// credentialsField is the credentials field of challenge-authenticator.
func (f *flow) credentialsField(step org.Step, e enrollment) Field {
	var inner []Field
	switch step.Method {
	case "password":
		inner = []Field{{Name: "passcode", Label: "Password", Secret: true}}
	case "totp":
		inner = []Field{{Name: "totp", Label: "Enter code from Okta Verify app", Required: true}}
	case "security_question":
		inner = []Field{{Name: "questionKey", Label: e.Question, Required: true, Value: e.QuestionKey,
			Visible: boolp(false), Mutable: boolp(false)}, {Name: "answer", Label: "answer", Required: true}}
	default:
		inner = []Field{{Name: "passcode", Label: "Enter code"}}
	}
	return Field{Name: "credentials", Type: "object", Required: true, Form: &SubForm{Value: inner}}
}

// enrollingAuthenticator is currentAuthenticator while enrolling.
func (f *flow) enrollingAuthenticator(step org.Step) Authenticator {
	a := f.authenticator(step.Key, nil)
	switch step.Key {
	case keyPassword:
		a.Settings = f.passwordSettings()
	case keyPhone:
		a.Methods = []Method{{Type: step.Method}}
		a.Profile = map[string]any{"phoneNumber": maskPhone(step.Phone)}
	case keyGoogle:
		u, _ := f.user()
		uri := totpURI(f.orgLabel(), u.Login(), step.Secret)
		a.ContextualData = map[string]any{
			"qrcode":       map[string]any{"method": "embedded", "href": qrDataURI(uri), "type": "image/png"},
			"sharedSecret": step.Secret,
		}
	case keyOktaVerify:
		a.ContextualData = map[string]any{
			"qrcode":          map[string]any{"method": "embedded", "href": qrDataURI(f.oktaVerifyURI(step.Ref)), "type": "image/png"},
			"selectedChannel": "qrcode",
		}
	case keyQuestion:
		var qs []any
		for _, q := range org.SecurityQuestions() {
			qs = append(qs, map[string]any{"questionKey": q.Key, "question": q.Text})
		}
		a.ContextualData = map[string]any{"questions": qs, "questionKeys": []any{"custom"}}
	}
	return a
}

func (f *flow) orgLabel() string {
	if u, err := url.Parse(f.base); err == nil && u.Host != "" {
		return u.Host
	}
	return "oktaemu"
}

// enrollCredentialsField is the credentials field of enroll-authenticator.
func (f *flow) enrollCredentialsField(step org.Step) Field {
	switch step.Key {
	case keyPassword:
		return Field{Name: "credentials", Type: "object", Required: true,
			Form: &SubForm{Value: []Field{{Name: "passcode", Label: "Enter password", Secret: true}}}}
	case keyQuestion:
		var qopts []Option
		for _, q := range org.SecurityQuestions() {
			qopts = append(qopts, Option{Label: q.Text, Value: q.Key})
		}
		return Field{Name: "credentials", Type: "object", Required: true, Options: []Option{
			{Label: "Choose a security question", Value: OptionForm{Form: SubForm{Value: []Field{
				{Name: "questionKey", Type: "string", Label: "Choose a security question", Required: true, Options: qopts},
				{Name: "answer", Label: "Answer", Required: true}}}}},
			{Label: "Create my own security question", Value: OptionForm{Form: SubForm{Value: []Field{
				{Name: "questionKey", Required: true, Value: "custom", Mutable: boolp(false)},
				{Name: "question", Label: "Create a security question", Required: true},
				{Name: "answer", Label: "Answer", Required: true}}}}},
		}}
	}
	return Field{Name: "credentials", Type: "object", Required: true,
		Form: &SubForm{Value: []Field{{Name: "passcode", Label: "Enter code"}}}}
}

// passwordSettings is the password authenticator's settings from the
// user's password policy (idx.md §3.6).
func (f *flow) passwordSettings() map[string]any {
	p := f.o.PasswordPolicyFor(f.t.UserID)
	excl := []any{}
	for _, a := range p.ExcludeAttributes {
		excl = append(excl, a)
	}
	return map[string]any{
		"complexity": map[string]any{"minLength": p.MinLength, "minLowerCase": p.MinLowerCase, "minUpperCase": p.MinUpperCase,
			"minNumber": p.MinNumber, "minSymbol": p.MinSymbol, "excludeUsername": p.ExcludeUsername, "excludeAttributes": excl},
		"age": map[string]any{"minAgeMinutes": p.MinAgeMinutes, "historyCount": p.HistoryCount},
	}
}

// applyFieldErrors puts field messages on the fields of the first form
// that has them ("credentials.passcode" → the passcode field inside
// credentials).
func (f *flow) applyFieldErrors(forms []Form) {
	for path, m := range f.fieldErrors {
		parts := strings.Split(path, ".")
		for i := range forms {
			if setFieldMessage(forms[i].Value, parts, m) {
				break
			}
		}
	}
}

func setFieldMessage(fields []Field, path []string, m Message) bool {
	for i := range fields {
		if fields[i].Name != path[0] {
			continue
		}
		if len(path) == 1 {
			fields[i].Messages = arrayOf(m)
			return true
		}
		if fields[i].Form != nil {
			return setFieldMessage(fields[i].Form.Value, path[1:], m)
		}
	}
	return false
}
