package emulator_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// fieldNames lists a form's top-level field names and, for object fields
// with a nested form, "name.inner".
func fieldNames(form map[string]any) []string {
	var out []string
	for _, f := range idxList(form["value"]) {
		fm := f.(map[string]any)
		out = append(out, fm["name"].(string))
		for _, in := range idxList(idxAt(fm, "form", "value")) {
			out = append(out, fm["name"].(string)+"."+in.(map[string]any)["name"].(string))
		}
	}
	return out
}

// TestIDXRemediations: every remediation the engine emits, reached through
// the API, with its href and fields (idx.md §4). Each row drives a fresh
// server to the step; responses are validated against spec/openapi/idx.yaml
// by emulatortest on the way.
func TestIDXRemediations(t *testing.T) {
	carolPwd := func(d *idxDriver) idxION {
		return d.step(d.start(nil), "identify", idxSignIn("carol@example.com"), 200)
	}
	bobAfterOTP := func(d *idxDriver) idxION {
		r := d.step(d.start(nil), "identify", idxSignIn("bob@example.com"), 200)
		r = d.step(r, "select-authenticator-authenticate", d.selectAuth(r, "select-authenticator-authenticate", "google_otp", ""), 200)
		return d.step(r, "challenge-authenticator", map[string]any{"credentials": map[string]any{"passcode": idxTOTP(d.t, d.s, bobGASecret)}}, 200)
	}
	carolSelect := func(key, method string) func(d *idxDriver) idxION {
		return func(d *idxDriver) idxION {
			r := carolPwd(d)
			return d.step(r, "select-authenticator-authenticate", d.selectAuth(r, "select-authenticator-authenticate", key, method), 200)
		}
	}
	tests := []struct {
		name, remediation, href string
		reach                   func(d *idxDriver) idxION
		fields                  []string
		// current is the key of currentAuthenticator(Enrollment), when the step has one.
		current string
	}{
		{"identify (password first)", "identify", "/idp/idx/identify", func(d *idxDriver) idxION { return d.start(nil) },
			[]string{"identifier", "credentials", "credentials.passcode", "rememberMe", "stateHandle"}, "okta_password"},
		{"unlock-account", "unlock-account", "/idp/idx/unlock-account", func(d *idxDriver) idxION { return d.start(nil) },
			[]string{"stateHandle"}, "okta_password"},
		{"identify-recovery", "identify-recovery", "/idp/idx/identify", func(d *idxDriver) idxION {
			return d.action(d.start(nil), 200, "currentAuthenticator", "value", "recover")
		}, []string{"identifier", "stateHandle"}, ""},
		{"select-authenticator-authenticate", "select-authenticator-authenticate", "/idp/idx/challenge", carolPwd,
			[]string{"authenticator", "stateHandle"}, ""},
		{"authenticator-verification-data", "authenticator-verification-data", "/idp/idx/challenge", func(d *idxDriver) idxION {
			r := carolPwd(d)
			a := idxChoose(d.t, r, r.remediation(d.t, "select-authenticator-authenticate"), "okta_verify")
			return d.step(r, "select-authenticator-authenticate", map[string]any{"authenticator": map[string]any{"id": a["id"]}}, 200)
		}, []string{"authenticator", "authenticator.id", "authenticator.methodType", "stateHandle"}, "okta_verify"},
		{"challenge-authenticator email", "challenge-authenticator", "/idp/idx/challenge/answer", carolSelect("okta_email", ""),
			[]string{"credentials", "credentials.passcode", "stateHandle"}, "okta_email"},
		{"challenge-authenticator sms", "challenge-authenticator", "/idp/idx/challenge/answer", carolSelect("phone_number", "sms"),
			[]string{"credentials", "credentials.passcode", "stateHandle"}, "phone_number"},
		{"challenge-authenticator totp", "challenge-authenticator", "/idp/idx/challenge/answer", carolSelect("okta_verify", "totp"),
			[]string{"credentials", "credentials.totp", "stateHandle"}, "okta_verify"},
		{"challenge-authenticator question", "challenge-authenticator", "/idp/idx/challenge/answer", carolSelect("security_question", ""),
			[]string{"credentials", "credentials.questionKey", "credentials.answer", "stateHandle"}, "security_question"},
		{"challenge-poll", "challenge-poll", "/idp/idx/challenge/poll", carolSelect("okta_verify", "push"),
			[]string{"stateHandle"}, "okta_verify"},
		{"select-authenticator-enroll", "select-authenticator-enroll", "/idp/idx/credential/enroll", bobAfterOTP,
			[]string{"authenticator", "stateHandle"}, ""},
		{"skip", "skip", "/idp/idx/skip", bobAfterOTP, []string{"stateHandle"}, ""},
		{"enroll-authenticator", "enroll-authenticator", "/idp/idx/challenge/answer", func(d *idxDriver) idxION {
			r := bobAfterOTP(d)
			return d.step(r, "select-authenticator-enroll", d.selectAuth(r, "select-authenticator-enroll", "security_question", ""), 200)
		}, []string{"credentials", "stateHandle"}, "security_question"},
		{"enroll-poll", "enroll-poll", "/idp/idx/challenge/poll", func(d *idxDriver) idxION {
			r := bobAfterOTP(d)
			return d.step(r, "select-authenticator-enroll", d.selectAuth(r, "select-authenticator-enroll", "okta_verify", ""), 200)
		}, []string{"stateHandle"}, "okta_verify"},
		{"reset-authenticator", "reset-authenticator", "/idp/idx/challenge/answer", func(d *idxDriver) idxION {
			r := d.action(d.start(nil), 200, "currentAuthenticator", "value", "recover")
			r = d.step(r, "identify-recovery", map[string]any{"identifier": "alice@example.com"}, 200)
			return d.step(r, "challenge-authenticator", map[string]any{"credentials": map[string]any{"passcode": idxLastCode(d.t, d.s, aliceIDX)}}, 200)
		}, []string{"credentials", "credentials.passcode", "credentials.revokeSessions", "stateHandle"}, "okta_password"},
		{"reenroll-authenticator", "reenroll-authenticator", "/idp/idx/challenge/answer", func(d *idxDriver) idxION {
			if st, out := idxAPI(d.t, d.s, "POST", "/api/v1/users/"+aliceIDX+"/lifecycle/expire_password", nil); st != 200 {
				d.t.Fatalf("expire_password %d %v", st, out)
			}
			return d.step(d.start(nil), "identify", idxSignIn("alice@example.com"), 200)
		}, []string{"credentials", "credentials.passcode", "credentials.revokeSessions", "stateHandle"}, "okta_password"},
		{"select-authenticator-unlock-account", "select-authenticator-unlock-account", "/idp/idx/challenge", func(d *idxDriver) idxION {
			return d.step(d.start(nil), "unlock-account", nil, 200)
		}, []string{"identifier", "authenticator", "stateHandle"}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := idxServer(t)
			d := newIDXDriver(t, s)
			r := tc.reach(d)
			form := r.remediation(t, tc.remediation)
			if form["href"] != s.URL+tc.href {
				t.Errorf("href %v, want %s", form["href"], s.URL+tc.href)
			}
			if diff := cmp.Diff(tc.fields, fieldNames(form)); diff != "" {
				t.Errorf("fields (-want +got):\n%s", diff)
			}
			cur := idxAt(map[string]any(r), "currentAuthenticatorEnrollment", "value", "key")
			if cur == nil {
				cur = idxAt(map[string]any(r), "currentAuthenticator", "value", "key")
			}
			if cur == nil {
				cur = ""
			}
			if cur != tc.current {
				t.Errorf("current authenticator %v, want %q", cur, tc.current)
			}
		})
	}
}
