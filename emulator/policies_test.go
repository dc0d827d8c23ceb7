package emulator_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/oktaemu/oktaemu/emulator"
)

type policyJSON struct {
	ID          string          `json:"id"`
	Type        string          `json:"type"`
	Status      string          `json:"status"`
	Name        string          `json:"name"`
	Description *string         `json:"description"`
	Priority    int             `json:"priority"`
	System      bool            `json:"system"`
	Conditions  json.RawMessage `json:"conditions"`
	Settings    map[string]any  `json:"settings"`
	Embedded    *struct {
		Rules []ruleJSON `json:"rules"`
	} `json:"_embedded"`
	Links map[string]json.RawMessage `json:"_links"`
}

type ruleJSON struct {
	ID       string         `json:"id"`
	Type     string         `json:"type"`
	Status   string         `json:"status"`
	Name     string         `json:"name"`
	Priority int            `json:"priority"`
	System   bool           `json:"system"`
	Actions  map[string]any `json:"actions"`
}

func jsonOf(t *testing.T, s string) any {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatalf("bad JSON %s: %v", s, err)
	}
	return v
}

const mfaGroupID = "00gmfarequired000000"

// TestPoliciesMFAEnrollFactorsCRUD: the factors schema works in both
// engines: create (normalized: okta_voice is okta_call, consent NONE), list
// by type in priority order, get, replace, deactivate, activate, delete.
func TestPoliciesMFAEnrollFactorsCRUD(t *testing.T) {
	for _, eng := range emulator.Engines() {
		t.Run(string(eng), func(t *testing.T) {
			s := spServer(t, eng)
			c := s.Client()
			var p policyJSON
			resp := spDo(t, s, c, spReq{method: "POST", path: "/api/v1/policies", auth: true, body: `{"type":"MFA_ENROLL","name":"Phones",
			  "conditions":{"people":{"groups":{"include":["` + mfaGroupID + `"]}}},
			  "settings":{"factors":{"okta_sms":{"enroll":{"self":"REQUIRED"}},"okta_voice":{"enroll":{"self":"OPTIONAL"},"consent":{"type":"TERMS_OF_SERVICE"}}}}}`}, &p)
			if resp.StatusCode != 200 {
				t.Fatalf("create: %d", resp.StatusCode)
			}
			wantSettings := jsonOf(t, `{"factors":{"okta_sms":{"enroll":{"self":"REQUIRED"},"consent":{"type":"NONE"}},
			  "okta_call":{"enroll":{"self":"OPTIONAL"},"consent":{"type":"NONE"}}}}`)
			if diff := cmp.Diff(wantSettings, any(p.Settings)); diff != "" {
				t.Errorf("settings (-want +got)\n%s", diff)
			}
			if p.Status != "ACTIVE" || p.Priority != 1 || p.System || p.Description != nil || !strings.HasPrefix(p.ID, "00p") {
				t.Errorf("policy = %+v", p)
			}
			if diff := cmp.Diff(jsonOf(t, `{"people":{"groups":{"include":["`+mfaGroupID+`"]}}}`), jsonOf(t, string(p.Conditions))); diff != "" {
				t.Errorf("conditions (-want +got)\n%s", diff)
			}

			var list []policyJSON
			spDo(t, s, c, spReq{method: "GET", path: "/api/v1/policies?type=MFA_ENROLL", auth: true}, &list)
			if len(list) != 2 || list[0].ID != p.ID || list[0].Priority != 1 || !list[1].System || list[1].Priority != 2 {
				t.Fatalf("list = %+v", list)
			}

			var put policyJSON
			resp = spDo(t, s, c, spReq{method: "PUT", path: "/api/v1/policies/" + p.ID, auth: true, body: `{"type":"MFA_ENROLL","name":"Phones v2","description":"d",
			  "settings":{"factors":{"okta_otp":{"enroll":{"self":"OPTIONAL"}}}}}`}, &put)
			if resp.StatusCode != 200 || put.Name != "Phones v2" || put.Description == nil || *put.Description != "d" ||
				put.Settings["factors"].(map[string]any)["okta_sms"] != nil || put.Settings["factors"].(map[string]any)["okta_otp"] == nil {
				t.Errorf("put: %d %+v", resp.StatusCode, put)
			}

			for _, step := range []struct{ op, want string }{{"deactivate", "INACTIVE"}, {"activate", "ACTIVE"}} {
				if resp := spDo(t, s, c, spReq{method: "POST", path: "/api/v1/policies/" + p.ID + "/lifecycle/" + step.op, auth: true}, nil); resp.StatusCode != 204 {
					t.Fatalf("%s: %d", step.op, resp.StatusCode)
				}
				var got policyJSON
				spDo(t, s, c, spReq{method: "GET", path: "/api/v1/policies/" + p.ID, auth: true}, &got)
				if got.Status != step.want {
					t.Errorf("after %s: status %s", step.op, got.Status)
				}
				var inactive []policyJSON
				spDo(t, s, c, spReq{method: "GET", path: "/api/v1/policies?type=MFA_ENROLL&status=INACTIVE", auth: true}, &inactive)
				if (len(inactive) == 1) != (step.want == "INACTIVE") {
					t.Errorf("after %s: status=INACTIVE lists %d", step.op, len(inactive))
				}
			}

			if resp := spDo(t, s, c, spReq{method: "DELETE", path: "/api/v1/policies/" + p.ID, auth: true}, nil); resp.StatusCode != 204 {
				t.Fatalf("delete: %d", resp.StatusCode)
			}
			var e spError
			resp = spDo(t, s, c, spReq{method: "GET", path: "/api/v1/policies/" + p.ID, auth: true}, &e)
			wantError(t, "deleted policy", resp, e, 404, "E0000007")
			// The default policy can't be deleted.
			e = spError{}
			resp = spDo(t, s, c, spReq{method: "DELETE", path: "/api/v1/policies/00pmfaenrolldefault0", auth: true}, &e)
			wantError(t, "delete default policy", resp, e, 403, "E0000006")
		})
	}
}

// TestPoliciesMFAEnrollSchemas: rows 24-26 — authenticators refused in
// Classic; in Identity Engine accepted, validated (password or email
// REQUIRED), and PUT converts between the schemas.
func TestPoliciesMFAEnrollSchemas(t *testing.T) {
	authBody := `{"type":"MFA_ENROLL","name":"Authn","settings":{"type":"AUTHENTICATORS","authenticators":[
	  {"key":"okta_password","enroll":{"self":"REQUIRED"}},{"key":"phone_number","enroll":{"self":"OPTIONAL"}}]}}`
	for _, eng := range emulator.Engines() {
		t.Run(string(eng), func(t *testing.T) {
			s := spServer(t, eng)
			c := s.Client()
			var e spError
			resp := spDo(t, s, c, spReq{method: "POST", path: "/api/v1/policies", auth: true,
				body: `{"type":"MFA_ENROLL","name":"Both","settings":{"factors":{},"authenticators":[]}}`}, &e)
			wantError(t, "both schemas", resp, e, 400, "E0000001")

			var p policyJSON
			e = spError{}
			resp = spDo(t, s, c, spReq{method: "POST", path: "/api/v1/policies", auth: true, body: authBody}, &p)
			if eng == emulator.Classic {
				if resp.StatusCode != 400 {
					t.Errorf("Classic accepted authenticators: %d", resp.StatusCode)
				}
				// The default policy is in the factors schema (row 25).
				var def policyJSON
				spDo(t, s, c, spReq{method: "GET", path: "/api/v1/policies/00pmfaenrolldefault0", auth: true}, &def)
				if def.Settings["factors"] == nil || def.Settings["authenticators"] != nil {
					t.Errorf("Classic default settings = %v", def.Settings)
				}
				return
			}
			if resp.StatusCode != 200 {
				t.Fatalf("create authenticators: %d", resp.StatusCode)
			}
			if diff := cmp.Diff(jsonOf(t, `{"type":"AUTHENTICATORS","authenticators":[
			  {"key":"okta_password","enroll":{"self":"REQUIRED"}},{"key":"phone_number","enroll":{"self":"OPTIONAL"}}]}`), any(p.Settings)); diff != "" {
				t.Errorf("settings (-want +got)\n%s", diff)
			}
			// Row 26.
			e = spError{}
			resp = spDo(t, s, c, spReq{method: "POST", path: "/api/v1/policies", auth: true, body: `{"type":"MFA_ENROLL","name":"Weak",
			  "settings":{"type":"AUTHENTICATORS","authenticators":[{"key":"okta_email","enroll":{"self":"OPTIONAL"}}]}}`}, &e)
			wantError(t, "no password or email required", resp, e, 400, "E0000001")
			if len(e.ErrorCauses) != 1 || e.ErrorCauses[0].ErrorSummary != "At least one of Password or Email authenticator must be set to required." {
				t.Errorf("causes = %+v", e.ErrorCauses)
			}
			e = spError{}
			resp = spDo(t, s, c, spReq{method: "POST", path: "/api/v1/policies", auth: true, body: `{"type":"MFA_ENROLL","name":"Bad key",
			  "settings":{"type":"AUTHENTICATORS","authenticators":[{"key":"okta_password","enroll":{"self":"REQUIRED"}},{"key":"okta_phone","enroll":{"self":"OPTIONAL"}}]}}`}, &e)
			wantError(t, "okta_phone (the doc's wrong key)", resp, e, 400, "E0000001")

			// PUT with factors converts back; the authenticators are gone.
			var put policyJSON
			spDo(t, s, c, spReq{method: "PUT", path: "/api/v1/policies/" + p.ID, auth: true,
				body: `{"name":"Authn","settings":{"factors":{"okta_sms":{"enroll":{"self":"OPTIONAL"}}}}}`}, &put)
			if put.Settings["authenticators"] != nil || put.Settings["type"] != nil || put.Settings["factors"] == nil || put.Type != "MFA_ENROLL" {
				t.Errorf("PUT factors: %v", put.Settings)
			}
			// And PUT with authenticators converts again.
			put = policyJSON{}
			spDo(t, s, c, spReq{method: "PUT", path: "/api/v1/policies/" + p.ID, auth: true, body: authBody}, &put)
			if put.Settings["factors"] != nil || put.Settings["type"] != "AUTHENTICATORS" {
				t.Errorf("PUT authenticators: %v", put.Settings)
			}
			// The Identity Engine default policy uses authenticators (row 25).
			var def policyJSON
			spDo(t, s, c, spReq{method: "GET", path: "/api/v1/policies/00pmfaenrolldefault0", auth: true}, &def)
			if def.Settings["type"] != "AUTHENTICATORS" {
				t.Errorf("Identity default settings = %v", def.Settings)
			}
		})
	}
}

// TestPoliciesEngineDifferences: rows 27, 28, 30, 31.
func TestPoliciesEngineDifferences(t *testing.T) {
	for _, eng := range emulator.Engines() {
		classic := eng == emulator.Classic
		t.Run(string(eng), func(t *testing.T) {
			s := spServer(t, eng)
			c := s.Client()

			// Row 27: ?activate=false.
			var p policyJSON
			spDo(t, s, c, spReq{method: "POST", path: "/api/v1/policies?activate=false", auth: true,
				body: `{"type":"PASSWORD","name":"Strict","settings":{"password":{"complexity":{"minLength":12}}}}`}, &p)
			if want := map[bool]string{true: "INACTIVE", false: "ACTIVE"}[classic]; p.Status != want {
				t.Errorf("?activate=false: status %s, want %s", p.Status, want)
			}

			// Row 28: expand=rules.
			var got policyJSON
			spDo(t, s, c, spReq{method: "GET", path: "/api/v1/policies/00psignondefault0000?expand=rules", auth: true}, &got)
			if classic && (got.Embedded == nil || len(got.Embedded.Rules) != 2 || got.Embedded.Rules[0].Type != "SIGN_ON") {
				t.Errorf("Classic expand=rules: %+v", got.Embedded)
			}
			if !classic && got.Embedded != nil {
				t.Errorf("Identity expand=rules embedded %+v", got.Embedded)
			}

			// Row 30: Identity-only policy types.
			var e spError
			resp := spDo(t, s, c, spReq{method: "POST", path: "/api/v1/policies", auth: true, body: `{"type":"ACCESS_POLICY","name":"App"}`}, &e)
			if classic {
				wantError(t, "ACCESS_POLICY in Classic", resp, e, 400, "E0000002")
				if e.ErrorSummary != "The request was not valid: Invalid policy type specified." {
					t.Errorf("summary = %q", e.ErrorSummary)
				}
				e = spError{}
				resp = spDo(t, s, c, spReq{method: "GET", path: "/api/v1/policies?type=PROFILE_ENROLLMENT", auth: true}, &e)
				wantError(t, "list PROFILE_ENROLLMENT in Classic", resp, e, 400, "E0000002")
			} else if resp.StatusCode != 200 {
				t.Errorf("ACCESS_POLICY in Identity Engine: %d", resp.StatusCode)
			}

			// Row 29: clone, Identity Engine ACCESS_POLICY only.
			e = spError{}
			if classic {
				resp = spDo(t, s, c, spReq{method: "POST", path: "/api/v1/policies/00pmfaenrolldefault0/clone", auth: true}, &e)
				wantError(t, "clone in Classic", resp, e, 404, "E0000008")
			} else {
				resp = spDo(t, s, c, spReq{method: "POST", path: "/api/v1/policies/00pmfaenrolldefault0/clone", auth: true}, &e)
				wantError(t, "clone MFA_ENROLL", resp, e, 400, "E0000001")
				var app []policyJSON
				spDo(t, s, c, spReq{method: "GET", path: "/api/v1/policies?type=ACCESS_POLICY", auth: true}, &app)
				if len(app) != 1 {
					t.Fatalf("ACCESS_POLICY list = %+v", app)
				}
				var cl policyJSON
				resp = spDo(t, s, c, spReq{method: "POST", path: "/api/v1/policies/" + app[0].ID + "/clone", auth: true}, &cl)
				if resp.StatusCode != 200 || cl.Name != "App (copy)" || cl.ID == app[0].ID || cl.Type != "ACCESS_POLICY" || cl.Priority != 2 {
					t.Errorf("clone: %d %+v", resp.StatusCode, cl)
				}
			}

			// Row 31: default rules. Never deletable; PASSWORD default rule
			// editable in Identity Engine only; MFA_ENROLL's never.
			e = spError{}
			resp = spDo(t, s, c, spReq{method: "DELETE", path: "/api/v1/policies/00ppassworddefault00/rules/0prpassworddefault00", auth: true}, &e)
			wantError(t, "delete default rule", resp, e, 403, "E0000006")
			e = spError{}
			resp = spDo(t, s, c, spReq{method: "PUT", path: "/api/v1/policies/00ppassworddefault00/rules/0prpassworddefault00", auth: true,
				body: `{"name":"Default Rule","actions":{"passwordChange":{"access":"ALLOW"},"selfServicePasswordReset":{"access":"DENY"}}}`}, &e)
			if classic {
				wantError(t, "edit Classic default rule", resp, e, 403, "E0000006")
			} else if resp.StatusCode != 200 {
				t.Errorf("edit Identity PASSWORD default rule: %d", resp.StatusCode)
			}
			e = spError{}
			resp = spDo(t, s, c, spReq{method: "PUT", path: "/api/v1/policies/00pmfaenrolldefault0/rules/0prmfaenrolldefault0", auth: true,
				body: `{"name":"Default Rule","actions":{"enroll":{"self":"LOGIN"}}}`}, &e)
			wantError(t, "edit MFA_ENROLL default rule", resp, e, 403, "E0000006")

			e = spError{}
			resp = spDo(t, s, c, spReq{method: "GET", path: "/api/v1/policies", auth: true}, &e)
			wantError(t, "list without type", resp, e, 400, "E0000028")
		})
	}
}

// TestPolicyRulesCRUD: rules of a group-targeted policy.
func TestPolicyRulesCRUD(t *testing.T) {
	for _, eng := range emulator.Engines() {
		t.Run(string(eng), func(t *testing.T) {
			s := spServer(t, eng)
			c := s.Client()
			pid := "00psignondefault0000"
			var r ruleJSON
			resp := spDo(t, s, c, spReq{method: "POST", path: "/api/v1/policies/" + pid + "/rules?activate=false", auth: true,
				body: `{"name":"Short sessions","actions":{"signon":{"access":"ALLOW","requireFactor":false,"session":{"maxSessionIdleMinutes":30}}}}`}, &r)
			if resp.StatusCode != 200 || r.Status != "INACTIVE" || r.Type != "SIGN_ON" || r.Priority != 2 || r.System {
				t.Fatalf("create rule: %d %+v", resp.StatusCode, r)
			}
			var rules []ruleJSON
			spDo(t, s, c, spReq{method: "GET", path: "/api/v1/policies/" + pid + "/rules", auth: true}, &rules)
			var names []string
			for _, x := range rules {
				names = append(names, x.Name)
			}
			if diff := cmp.Diff([]string{"MFA for mfa-required", "Short sessions", "Default Rule"}, names); diff != "" {
				t.Errorf("rules (-want +got)\n%s", diff)
			}
			var put ruleJSON
			spDo(t, s, c, spReq{method: "PUT", path: "/api/v1/policies/" + pid + "/rules/" + r.ID, auth: true,
				body: `{"name":"Short sessions first","priority":1,"actions":{"signon":{"access":"ALLOW","session":{"maxSessionIdleMinutes":30}}}}`}, &put)
			if put.Name != "Short sessions first" || put.Priority != 1 {
				t.Errorf("put rule: %+v", put)
			}
			if resp := spDo(t, s, c, spReq{method: "POST", path: "/api/v1/policies/" + pid + "/rules/" + r.ID + "/lifecycle/activate", auth: true}, nil); resp.StatusCode != 204 {
				t.Fatalf("activate rule: %d", resp.StatusCode)
			}
			var got ruleJSON
			spDo(t, s, c, spReq{method: "GET", path: "/api/v1/policies/" + pid + "/rules/" + r.ID, auth: true}, &got)
			if got.Status != "ACTIVE" || got.Priority != 1 {
				t.Errorf("rule after activate: %+v", got)
			}
			// The rule drives session lifetime: alice's session now idles out
			// after 30 minutes.
			var sess sessionJSON
			spDo(t, s, c, spReq{method: "POST", path: "/api/v1/sessions", body: `{"sessionToken":"` + signIn(t, s, "alice@example.com") + `"}`}, &sess)
			if want := okDate(s.Org().Now().Add(30 * time.Minute)); sess.ExpiresAt != want {
				t.Errorf("expiresAt = %s, want %s", sess.ExpiresAt, want)
			}
			if resp := spDo(t, s, c, spReq{method: "POST", path: "/api/v1/policies/" + pid + "/rules/" + r.ID + "/lifecycle/deactivate", auth: true}, nil); resp.StatusCode != 204 {
				t.Fatalf("deactivate rule: %d", resp.StatusCode)
			}
			if resp := spDo(t, s, c, spReq{method: "DELETE", path: "/api/v1/policies/" + pid + "/rules/" + r.ID, auth: true}, nil); resp.StatusCode != 204 {
				t.Fatalf("delete rule: %d", resp.StatusCode)
			}
			var e spError
			resp = spDo(t, s, c, spReq{method: "GET", path: "/api/v1/policies/" + pid + "/rules/" + r.ID, auth: true}, &e)
			wantError(t, "deleted rule", resp, e, 404, "E0000007")
			e = spError{}
			resp = spDo(t, s, c, spReq{method: "POST", path: "/api/v1/policies/00pmfaenrolldefault0/rules", auth: true,
				body: `{"name":"Bad","actions":{"enroll":{"self":"SOMETIMES"}}}`}, &e)
			wantError(t, "bad enroll action", resp, e, 400, "E0000001")
		})
	}
}

// TestPoliciesDriveBehaviour: changes over the Policies API take effect on
// the next request — the password policy for the Users API, the sign-on
// policy for authn.
func TestPoliciesDriveBehaviour(t *testing.T) {
	for _, eng := range emulator.Engines() {
		t.Run(string(eng), func(t *testing.T) {
			s := spServer(t, eng)
			c := s.Client()
			newUser := func(login, pw string) int {
				return spDo(t, s, c, spReq{method: "POST", path: "/api/v1/users?activate=true", auth: true,
					body: `{"profile":{"firstName":"D","lastName":"D","email":"` + login + `","login":"` + login + `"},"credentials":{"password":{"value":"` + pw + `"}}}`}, nil).StatusCode
			}
			if st := newUser("dana@example.com", "Short1aa"); st != 200 {
				t.Fatalf("8-char password under the default policy: %d", st)
			}
			var def policyJSON
			spDo(t, s, c, spReq{method: "GET", path: "/api/v1/policies/00ppassworddefault00", auth: true}, &def)
			def.Settings["password"].(map[string]any)["complexity"].(map[string]any)["minLength"] = 12
			body, _ := json.Marshal(map[string]any{"type": "PASSWORD", "name": def.Name, "settings": def.Settings})
			if resp := spDo(t, s, c, spReq{method: "PUT", path: "/api/v1/policies/" + def.ID, auth: true, body: string(body)}, nil); resp.StatusCode != 200 {
				t.Fatalf("put password policy: %d", resp.StatusCode)
			}
			if st := newUser("eve@example.com", "Short1aa"); st != 400 {
				t.Errorf("8-char password under minLength 12: %d, want 400", st)
			}

			// The factor catalog follows the MFA_ENROLL policy: a new
			// higher-priority policy for everyone allowing only Okta Verify
			// TOTP (factors schema, legal in both engines).
			catalogOf := func(uid string) []string {
				var entries []struct {
					FactorType string `json:"factorType"`
					Provider   string `json:"provider"`
				}
				spDo(t, s, c, spReq{method: "GET", path: "/api/v1/users/" + uid + "/factors/catalog", auth: true}, &entries)
				var out []string
				for _, e := range entries {
					out = append(out, e.FactorType+"/"+e.Provider)
				}
				return out
			}
			catalog := func() []string { return catalogOf(spAliceID) }
			// Group targeting: a policy for mfa-required changes bob's
			// catalog, not alice's.
			var grp policyJSON
			spDo(t, s, c, spReq{method: "POST", path: "/api/v1/policies", auth: true, body: `{"type":"MFA_ENROLL","name":"Group",
			  "conditions":{"people":{"groups":{"include":["` + mfaGroupID + `"]}}},
			  "settings":{"factors":{"google_otp":{"enroll":{"self":"REQUIRED"}}}}}`}, &grp)
			if diff := cmp.Diff([]string{"token:software:totp/GOOGLE"}, catalogOf("00ubob00000000000000")); diff != "" {
				t.Errorf("bob's catalog under the group policy (-want +got)\n%s", diff)
			}
			if got := catalog(); !slices.Contains(got, "sms/OKTA") {
				t.Errorf("alice's catalog (the group policy does not apply to her): %v", got)
			}
			spDo(t, s, c, spReq{method: "DELETE", path: "/api/v1/policies/" + grp.ID, auth: true}, nil)
			var only policyJSON
			spDo(t, s, c, spReq{method: "POST", path: "/api/v1/policies", auth: true, body: `{"type":"MFA_ENROLL","name":"OTP only",
			  "settings":{"factors":{"okta_otp":{"enroll":{"self":"REQUIRED"}},"okta_sms":{"enroll":{"self":"NOT_ALLOWED"}}}}}`}, &only)
			if diff := cmp.Diff([]string{"token:software:totp/OKTA"}, catalog()); diff != "" {
				t.Errorf("catalog under the OTP-only policy (-want +got)\n%s", diff)
			}
			spDo(t, s, c, spReq{method: "POST", path: "/api/v1/policies/" + only.ID + "/lifecycle/deactivate", auth: true}, nil)
			if got := catalog(); !slices.Contains(got, "sms/OKTA") {
				t.Errorf("catalog after deactivating: %v", got)
			}

			// A sign-on rule requiring MFA for everyone: alice (no factors)
			// no longer gets SUCCESS.
			var r ruleJSON
			spDo(t, s, c, spReq{method: "POST", path: "/api/v1/policies/00psignondefault0000/rules", auth: true,
				body: `{"name":"MFA for all","priority":1,"actions":{"signon":{"access":"ALLOW","requireFactor":true,"factorPromptMode":"ALWAYS"}}}`}, &r)
			authn := func() string {
				var tx struct {
					Status string `json:"status"`
				}
				spDo(t, s, c, spReq{method: "POST", path: "/api/v1/authn", body: `{"username":"alice@example.com","password":"Pa55word!Emu"}`}, &tx)
				return tx.Status
			}
			if st := authn(); st == "SUCCESS" || st == "" {
				t.Errorf("authn with MFA required for everyone: %q", st)
			}
			spDo(t, s, c, spReq{method: "POST", path: "/api/v1/policies/00psignondefault0000/rules/" + r.ID + "/lifecycle/deactivate", auth: true}, nil)
			if st := authn(); st != "SUCCESS" {
				t.Errorf("authn after deactivating the rule: %q", st)
			}

			// MFA_ENROLL decides the enrollment step: a policy requiring SMS
			// sends alice (no factors) to MFA_ENROLL.
			var req policyJSON
			spDo(t, s, c, spReq{method: "POST", path: "/api/v1/policies", auth: true, body: `{"type":"MFA_ENROLL","name":"SMS required",
			  "settings":{"factors":{"okta_sms":{"enroll":{"self":"REQUIRED"}}}}}`}, &req)
			if st := authn(); st != "MFA_ENROLL" {
				t.Errorf("authn with SMS REQUIRED: %q", st)
			}
			spDo(t, s, c, spReq{method: "DELETE", path: "/api/v1/policies/" + req.ID, auth: true}, nil)
			if st := authn(); st != "SUCCESS" {
				t.Errorf("authn after deleting the enrollment policy: %q", st)
			}

			// The password policy's lockout: 2 attempts.
			def = policyJSON{}
			spDo(t, s, c, spReq{method: "GET", path: "/api/v1/policies/00ppassworddefault00", auth: true}, &def)
			def.Settings["password"].(map[string]any)["lockout"].(map[string]any)["maxAttempts"] = 2
			body, _ = json.Marshal(map[string]any{"name": def.Name, "settings": def.Settings})
			if resp := spDo(t, s, c, spReq{method: "PUT", path: "/api/v1/policies/" + def.ID, auth: true, body: string(body)}, nil); resp.StatusCode != 200 {
				t.Fatalf("PUT lockout: %d", resp.StatusCode)
			}
			s.Org().Advance(time.Minute) // a fresh per-username authn rate-limit window
			for range 2 {
				var e spError
				if resp := spDo(t, s, c, spReq{method: "POST", path: "/api/v1/authn", body: `{"username":"alice@example.com","password":"wrong"}`}, &e); resp.StatusCode != 401 {
					t.Errorf("wrong password: %d %s", resp.StatusCode, e.ErrorCode)
				}
			}
			var u struct {
				Status string `json:"status"`
			}
			spDo(t, s, c, spReq{method: "GET", path: "/api/v1/users/" + spAliceID, auth: true}, &u)
			if u.Status != "LOCKED_OUT" {
				t.Errorf("alice after 2 failures under maxAttempts 2: %s", u.Status)
			}
		})
	}
}
