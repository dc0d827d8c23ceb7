package policyconv_test

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/oktaemu/oktaemu/emulator/policyconv"
)

func decode(t *testing.T, s string) any {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatalf("bad JSON %s: %v", s, err)
	}
	return v
}

// TestConvertGuideExample is the conversion example of Okta's upgrade guide.
func TestConvertGuideExample(t *testing.T) {
	in := `{"settings":{"factors":{
	  "okta_question":{"enroll":{"self":"OPTIONAL"},"consent":{"type":"NONE"}},
	  "okta_otp":{"enroll":{"self":"OPTIONAL"},"consent":{"type":"NONE"}}}}}`
	want := `{"settings":{"type":"AUTHENTICATORS","authenticators":[
	  {"key":"security_question","enroll":{"self":"OPTIONAL"}},
	  {"key":"okta_verify","enroll":{"self":"OPTIONAL"}}]}}`
	out, err := policyconv.Convert([]byte(in), policyconv.SchemaAuthenticators, policyconv.Options{})
	if err != nil {
		t.Fatal(err)
	}
	// Order matters: the guide keeps the order the factors were written in.
	if diff := cmp.Diff(decode(t, want), decode(t, string(out))); diff != "" {
		t.Errorf("(-want +got)\n%s", diff)
	}
}

func TestToAuthenticatorsMergesAndMaps(t *testing.T) {
	in := decode(t, `{"factors":{
	  "okta_sms":{"enroll":{"self":"OPTIONAL"}},
	  "okta_voice":{"enroll":{"self":"REQUIRED"}},
	  "okta_push":{"enroll":{"self":"NOT_ALLOWED"}},
	  "okta_otp":{"enroll":{"self":"OPTIONAL"}},
	  "okta_email":{"enroll":{"self":"REQUIRED"}},
	  "fido_webauthn":{"enroll":{"self":"OPTIONAL"}},
	  "google_otp":{"enroll":{"self":"NOT_ALLOWED"}},
	  "duo":{"enroll":{"self":"OPTIONAL"}},
	  "okta_password":{"enroll":{"self":"REQUIRED"}}}}`).(map[string]any)
	got, err := policyconv.ToAuthenticators(in, policyconv.Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := decode(t, `{"type":"AUTHENTICATORS","authenticators":[
	  {"key":"okta_verify","enroll":{"self":"OPTIONAL"}},
	  {"key":"phone_number","enroll":{"self":"REQUIRED"}},
	  {"key":"okta_email","enroll":{"self":"REQUIRED"}},
	  {"key":"okta_password","enroll":{"self":"REQUIRED"}},
	  {"key":"google_otp","enroll":{"self":"NOT_ALLOWED"}},
	  {"key":"duo","enroll":{"self":"OPTIONAL"}},
	  {"key":"webauthn","enroll":{"self":"OPTIONAL"}}]}`).(map[string]any)
	// okta_voice sorts after the documented keys but merges into
	// phone_number, raising it to REQUIRED.
	if diff := cmp.Diff(want, roundTrip(t, got)); diff != "" {
		t.Errorf("(-want +got)\n%s", diff)
	}
}

func roundTrip(t *testing.T, v any) any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return decode(t, string(b))
}

func TestUnmappedFactorsAreNamed(t *testing.T) {
	in := decode(t, `{"factors":{
	  "rsa_token":{"enroll":{"self":"OPTIONAL"}},
	  "okta_sms":{"enroll":{"self":"OPTIONAL"}},
	  "fido_u2f":{"enroll":{"self":"NOT_ALLOWED"}}}}`).(map[string]any)
	_, err := policyconv.ToAuthenticators(in, policyconv.Options{})
	var ue *policyconv.UnmappedError
	if !errors.As(err, &ue) {
		t.Fatalf("err = %v, want *UnmappedError", err)
	}
	if diff := cmp.Diff([]string{"fido_u2f", "rsa_token"}, ue.Keys); diff != "" {
		t.Errorf("keys (-want +got)\n%s", diff)
	}
	if got, want := err.Error(), "factors fido_u2f, rsa_token have no authenticator"; got != want {
		t.Errorf("message = %q, want %q", got, want)
	}

	// APIKeys: rsa_token maps to the API's rsa_token key; fido_u2f still has none.
	_, err = policyconv.ToAuthenticators(in, policyconv.Options{APIKeys: true})
	if err == nil || err.Error() != "factor fido_u2f has no authenticator" {
		t.Errorf("APIKeys: err = %v", err)
	}
	got, err := policyconv.ToAuthenticators(in, policyconv.Options{APIKeys: true, DropUnmapped: true})
	if err != nil {
		t.Fatal(err)
	}
	want := decode(t, `{"type":"AUTHENTICATORS","authenticators":[
	  {"key":"phone_number","enroll":{"self":"OPTIONAL"}},
	  {"key":"rsa_token","enroll":{"self":"OPTIONAL"}}]}`)
	if diff := cmp.Diff(want, roundTrip(t, got)); diff != "" {
		t.Errorf("(-want +got)\n%s", diff)
	}
}

func TestToFactors(t *testing.T) {
	in := decode(t, `{"type":"AUTHENTICATORS","authenticators":[
	  {"key":"okta_password","enroll":{"self":"REQUIRED"}},
	  {"key":"phone_number","enroll":{"self":"OPTIONAL"}},
	  {"key":"okta_verify","enroll":{"self":"REQUIRED"}},
	  {"key":"webauthn","enroll":{"self":"NOT_ALLOWED"}},
	  {"key":"security_question","enroll":{"self":"OPTIONAL"}}]}`).(map[string]any)
	got, err := policyconv.ToFactors(in, policyconv.Options{})
	if err != nil {
		t.Fatal(err)
	}
	f := func(s string) map[string]any {
		return map[string]any{"enroll": map[string]any{"self": s}, "consent": map[string]any{"type": "NONE"}}
	}
	want := map[string]any{"factors": map[string]any{
		"okta_password": f("REQUIRED"), "okta_sms": f("OPTIONAL"), "okta_call": f("OPTIONAL"),
		"okta_otp": f("REQUIRED"), "okta_push": f("REQUIRED"), "fido_webauthn": f("NOT_ALLOWED"),
		"okta_question": f("OPTIONAL"),
	}}
	if diff := cmp.Diff(want, roundTrip(t, got)); diff != "" {
		t.Errorf("(-want +got)\n%s", diff)
	}

	bad := decode(t, `{"type":"AUTHENTICATORS","authenticators":[{"key":"custom_app","enroll":{"self":"OPTIONAL"}}]}`).(map[string]any)
	if _, err := policyconv.ToFactors(bad, policyconv.Options{}); err == nil || err.Error() != "authenticator custom_app has no factor" {
		t.Errorf("err = %v", err)
	}
}

// TestRoundTrip: factors -> authenticators -> factors keeps every mapped
// requirement when no two factors share an authenticator with different
// requirements.
func TestRoundTrip(t *testing.T) {
	in := decode(t, `{"factors":{
	  "okta_sms":{"enroll":{"self":"REQUIRED"},"consent":{"type":"NONE"}},
	  "okta_call":{"enroll":{"self":"REQUIRED"},"consent":{"type":"NONE"}},
	  "okta_question":{"enroll":{"self":"OPTIONAL"},"consent":{"type":"NONE"}},
	  "google_otp":{"enroll":{"self":"OPTIONAL"},"consent":{"type":"NONE"}}}}`).(map[string]any)
	a, err := policyconv.ToAuthenticators(in, policyconv.Options{})
	if err != nil {
		t.Fatal(err)
	}
	back, err := policyconv.ToFactors(roundTrip(t, a).(map[string]any), policyconv.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(in, roundTrip(t, back)); diff != "" {
		t.Errorf("(-want +got)\n%s", diff)
	}
}

func TestConvertDocuments(t *testing.T) {
	tests := []struct {
		name, in string
		to       policyconv.Schema
		want     string // JSON, or "" when an error is expected
		wantErr  string
	}{
		{"bare settings, default direction", `{"factors":{"okta_email":{"enroll":{"self":"REQUIRED"}}}}`, policyconv.SchemaNone,
			`{"type":"AUTHENTICATORS","authenticators":[{"key":"okta_email","enroll":{"self":"REQUIRED"}}]}`, ""},
		{"authenticators back by default", `{"type":"AUTHENTICATORS","authenticators":[{"key":"duo","enroll":{"self":"OPTIONAL"}}]}`, policyconv.SchemaNone,
			`{"factors":{"duo":{"enroll":{"self":"OPTIONAL"},"consent":{"type":"NONE"}}}}`, ""},
		{"already in target schema", `{"factors":{"duo":{"enroll":{"self":"OPTIONAL"}}}}`, policyconv.SchemaFactors,
			`{"factors":{"duo":{"enroll":{"self":"OPTIONAL"}}}}`, ""},
		{"list of policies keeps other types", `[{"id":"a","type":"PASSWORD","settings":{"password":{}}},
		  {"id":"b","type":"MFA_ENROLL","name":"n","settings":{"factors":{"okta_push":{"enroll":{"self":"REQUIRED"}}}}}]`, policyconv.SchemaAuthenticators,
			`[{"id":"a","type":"PASSWORD","settings":{"password":{}}},
			  {"id":"b","type":"MFA_ENROLL","name":"n","settings":{"type":"AUTHENTICATORS","authenticators":[{"key":"okta_verify","enroll":{"self":"REQUIRED"}}]}}]`, ""},
		{"rsa_token named", `{"type":"MFA_ENROLL","settings":{"factors":{"rsa_token":{"enroll":{"self":"OPTIONAL"}}}}}`, policyconv.SchemaAuthenticators,
			"", "factor rsa_token has no authenticator"},
		{"both schemas", `{"factors":{},"authenticators":[]}`, policyconv.SchemaNone, "", "settings hold both factors and authenticators; Okta allows only one"},
		{"nothing to convert", `{"type":"PASSWORD","settings":{}}`, policyconv.SchemaNone, "", policyconv.ErrNoSettings.Error()},
		{"not JSON", `{nope`, policyconv.SchemaNone, "", "reading JSON: invalid character 'n' looking for beginning of object key string"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := policyconv.Convert([]byte(tt.in), tt.to, policyconv.Options{})
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(decode(t, tt.want), decode(t, string(out))); diff != "" {
				t.Errorf("(-want +got)\n%s", diff)
			}
		})
	}
}
