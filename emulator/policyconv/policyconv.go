package policyconv

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Schema names the two settings schemas.
type Schema string

// The schemas. SchemaNone is settings with neither factors nor
// authenticators.
const (
	SchemaNone           Schema = ""
	SchemaFactors        Schema = "factors"
	SchemaAuthenticators Schema = "authenticators"
)

// ParseSchema accepts "factors" or "authenticators" (any case).
func ParseSchema(s string) (Schema, bool) {
	switch strings.ToLower(s) {
	case "factors", "factor":
		return SchemaFactors, true
	case "authenticators", "authenticator":
		return SchemaAuthenticators, true
	}
	return SchemaNone, false
}

// Enrollment requirements (enroll.self).
const (
	NotAllowed = "NOT_ALLOWED"
	Optional   = "OPTIONAL"
	Required   = "REQUIRED"
)

// strength orders requirements for merging.
func strength(s string) int {
	switch s {
	case Required:
		return 2
	case Optional:
		return 1
	}
	return 0
}

// ValidRequirement reports whether s is a valid enroll.self value.
func ValidRequirement(s string) bool { return s == NotAllowed || s == Optional || s == Required }

// Options tune a conversion.
type Options struct {
	// APIKeys maps rsa_token, symantec_vip and yubikey_token to the
	// same-named authenticator keys that the Policies API enum accepts,
	// instead of treating them as having no authenticator ("n/a" in the
	// guide's table).
	APIKeys bool
	// DropUnmapped drops keys with no counterpart instead of failing.
	DropUnmapped bool
}

// UnmappedError names the keys that have no counterpart in the target
// schema.
type UnmappedError struct {
	To   Schema   // the schema converted to
	Keys []string // the keys with no counterpart, in input order
}

func (e *UnmappedError) Error() string {
	noun, what := "factor", "authenticator"
	if e.To == SchemaFactors {
		noun, what = "authenticator", "factor"
	}
	if len(e.Keys) == 1 {
		return fmt.Sprintf("%s %s has no %s", noun, e.Keys[0], what)
	}
	return fmt.Sprintf("%ss %s have no %s", noun, strings.Join(e.Keys, ", "), what)
}

// factorToAuthenticator is the guide's mapping with the API's keys.
var factorToAuthenticator = map[string]string{
	"okta_sms":      "phone_number",
	"okta_call":     "phone_number",
	"okta_otp":      "okta_verify",
	"okta_push":     "okta_verify",
	"okta_question": "security_question",
	"okta_email":    "okta_email",
	"fido_webauthn": "webauthn",
	"duo":           "duo",
	"google_otp":    "google_otp",
	"okta_password": "okta_password",
}

// apiOnlyKeys are factors the guide maps to "n/a" but whose keys the API
// enum accepts as authenticator keys.
var apiOnlyKeys = []string{"rsa_token", "symantec_vip", "yubikey_token"}

// FactorKeys lists the factors-schema keys Okta documents, in the order of
// its "Policy Factors Configuration object".
var FactorKeys = []string{"okta_otp", "okta_push", "okta_sms", "okta_call", "okta_question", "okta_email",
	"okta_password", "google_otp", "duo", "fido_u2f", "fido_webauthn", "rsa_token", "symantec_vip", "yubikey_token"}

// AuthenticatorKeys lists the authenticator keys of the Policies API enum.
var AuthenticatorKeys = []string{"okta_email", "okta_password", "okta_verify", "phone_number", "security_question",
	"google_otp", "webauthn", "duo", "custom_app", "custom_otp", "external_idp", "onprem_mfa", "rsa_token",
	"symantec_vip", "yubikey_token", "okta_verify_push", "okta_verify_totp", "okta_verify_fastpass"}

// NormalizeFactorKey maps the guide's okta_voice to the API's okta_call.
func NormalizeFactorKey(k string) string {
	if k == "okta_voice" {
		return "okta_call"
	}
	return k
}

// IsFactorKey reports whether k (after NormalizeFactorKey) is a documented
// factors-schema key.
func IsFactorKey(k string) bool { return slices.Contains(FactorKeys, NormalizeFactorKey(k)) }

// IsAuthenticatorKey reports whether k is in the API's authenticator key
// enum.
func IsAuthenticatorKey(k string) bool { return slices.Contains(AuthenticatorKeys, k) }

// AuthenticatorFor returns the authenticator key of factor key k.
func AuthenticatorFor(k string, opt Options) (string, bool) {
	k = NormalizeFactorKey(k)
	if a, ok := factorToAuthenticator[k]; ok {
		return a, true
	}
	if opt.APIKeys && slices.Contains(apiOnlyKeys, k) {
		return k, true
	}
	return "", false
}

// FactorsFor returns the factor keys of authenticator key k, in
// FactorKeys order. The split Okta Verify keys map to one factor each.
// rsa_token, symantec_vip and yubikey_token map to the same-named factors
// (the factors schema has them) whatever the options.
func FactorsFor(k string) []string {
	switch k {
	case "okta_verify_push":
		return []string{"okta_push"}
	case "okta_verify_totp":
		return []string{"okta_otp"}
	}
	if slices.Contains(apiOnlyKeys, k) {
		return []string{k}
	}
	var out []string
	for _, f := range FactorKeys {
		if factorToAuthenticator[f] == k {
			out = append(out, f)
		}
	}
	return out
}

// SchemaOf reports which schema settings use. Settings with both (which
// Okta refuses) report SchemaAuthenticators.
func SchemaOf(settings map[string]any) Schema {
	if _, ok := settings["authenticators"]; ok {
		return SchemaAuthenticators
	}
	if t, _ := settings["type"].(string); t == "AUTHENTICATORS" {
		return SchemaAuthenticators
	}
	if _, ok := settings["factors"]; ok {
		return SchemaFactors
	}
	return SchemaNone
}

// enrollSelf reads enroll.self of a factor or authenticator entry.
func enrollSelf(v any) string {
	m, _ := v.(map[string]any)
	e, _ := m["enroll"].(map[string]any)
	s, _ := e["self"].(string)
	if s == "" {
		return NotAllowed
	}
	return s
}

// ToAuthenticators converts factors-schema settings to the authenticators
// schema, ordering authenticators by the first factor that produced each
// (factors in FactorKeys order). Settings already in the authenticators
// schema are returned as they are. Keys of settings other than factors and
// type are kept.
func ToAuthenticators(settings map[string]any, opt Options) (map[string]any, error) {
	factors, _ := settings["factors"].(map[string]any)
	return toAuthenticators(settings, factors, orderOf(factors, FactorKeys), opt)
}

func toAuthenticators(settings, factors map[string]any, order []string, opt Options) (map[string]any, error) {
	if SchemaOf(settings) == SchemaAuthenticators {
		return settings, nil
	}
	var keys []string
	req := map[string]string{}
	var unmapped []string
	for _, fk := range order {
		a, ok := AuthenticatorFor(fk, opt)
		if !ok {
			unmapped = append(unmapped, fk)
			continue
		}
		s := enrollSelf(factors[fk])
		if _, seen := req[a]; !seen {
			keys = append(keys, a)
			req[a] = s
		} else if strength(s) > strength(req[a]) {
			req[a] = s
		}
	}
	if len(unmapped) > 0 && !opt.DropUnmapped {
		return nil, &UnmappedError{To: SchemaAuthenticators, Keys: unmapped}
	}
	list := make([]any, 0, len(keys))
	for _, k := range keys {
		list = append(list, map[string]any{"key": k, "enroll": map[string]any{"self": req[k]}})
	}
	out := map[string]any{}
	for k, v := range settings {
		if k != "factors" && k != "type" {
			out[k] = v
		}
	}
	out["type"] = "AUTHENTICATORS"
	out["authenticators"] = list
	return out, nil
}

// ToFactors converts authenticators-schema settings to the factors schema;
// each factor gets consent {"type":"NONE"}, as Okta echoes. Settings
// already in the factors schema are returned as they are.
func ToFactors(settings map[string]any, opt Options) (map[string]any, error) {
	if SchemaOf(settings) != SchemaAuthenticators {
		return settings, nil
	}
	list, _ := settings["authenticators"].([]any)
	factors := map[string]any{}
	var unmapped []string
	for _, e := range list {
		m, _ := e.(map[string]any)
		key, _ := m["key"].(string)
		fs := FactorsFor(key)
		if len(fs) == 0 {
			unmapped = append(unmapped, key)
			continue
		}
		s := enrollSelf(m)
		for _, f := range fs {
			if old, ok := factors[f]; ok && strength(enrollSelf(old)) >= strength(s) {
				continue
			}
			factors[f] = map[string]any{"enroll": map[string]any{"self": s}, "consent": map[string]any{"type": "NONE"}}
		}
	}
	if len(unmapped) > 0 && !opt.DropUnmapped {
		return nil, &UnmappedError{To: SchemaFactors, Keys: unmapped}
	}
	out := map[string]any{}
	for k, v := range settings {
		if k != "authenticators" && k != "type" {
			out[k] = v
		}
	}
	out["factors"] = factors
	return out, nil
}

// orderOf lists the keys of m: those of canon first in canon's order, then
// the rest sorted.
func orderOf(m map[string]any, canon []string) []string {
	var out []string
	for _, k := range canon {
		if _, ok := m[k]; ok {
			out = append(out, k)
		}
	}
	var rest []string
	for k := range m {
		if !slices.Contains(canon, k) {
			rest = append(rest, k)
		}
	}
	slices.Sort(rest)
	return append(out, rest...)
}

// ErrNoSettings is returned by Convert for JSON holding no MFA_ENROLL
// settings.
var ErrNoSettings = errors.New("no MFA_ENROLL settings found: expected a policy, a list of policies, or settings with factors or authenticators")

// Convert converts JSON holding an MFA_ENROLL policy, a JSON array of
// policies, or bare settings (an object with "factors" or "authenticators")
// to schema to; with to == SchemaNone each is converted to the schema it
// does not use. Policies of other types in an array are copied unchanged.
// The output is indented JSON ending in a newline.
func Convert(in []byte, to Schema, opt Options) ([]byte, error) {
	in = bytes.TrimSpace(in)
	if len(in) == 0 {
		return nil, ErrNoSettings
	}
	var out any
	if in[0] == '[' {
		var raws []json.RawMessage
		if err := json.Unmarshal(in, &raws); err != nil {
			return nil, fmt.Errorf("reading JSON: %w", err)
		}
		list := make([]any, 0, len(raws))
		converted := 0
		for i, raw := range raws {
			v, n, err := convertDoc(raw, to, opt)
			if err != nil {
				return nil, fmt.Errorf("item %d: %w", i, err)
			}
			converted += n
			list = append(list, v)
		}
		if converted == 0 {
			return nil, ErrNoSettings
		}
		out = list
	} else {
		v, n, err := convertDoc(in, to, opt)
		if err != nil {
			return nil, err
		}
		if n == 0 {
			return nil, ErrNoSettings
		}
		out = v
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// convertDoc converts one policy or settings object; n is 1 when it held
// settings to convert.
func convertDoc(raw json.RawMessage, to Schema, opt Options) (doc any, n int, err error) {
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, 0, fmt.Errorf("reading JSON: %w", err)
	}
	if m == nil {
		return nil, 0, fmt.Errorf("reading JSON: expected an object")
	}
	if _, isSettings := m["factors"]; isSettings || m["authenticators"] != nil {
		s, err := convertSettings(m, raw, to, opt)
		return s, 1, err
	}
	settings, ok := m["settings"].(map[string]any)
	if !ok || SchemaOf(settings) == SchemaNone {
		if t, _ := m["type"].(string); t == "MFA_ENROLL" {
			return nil, 0, errors.New("MFA_ENROLL policy has no factors or authenticators in settings")
		}
		return m, 0, nil
	}
	var wrapper struct {
		Settings json.RawMessage `json:"settings"`
	}
	_ = json.Unmarshal(raw, &wrapper)
	s, err := convertSettings(settings, wrapper.Settings, to, opt)
	if err != nil {
		return nil, 0, err
	}
	m["settings"] = s
	return m, 1, nil
}

func convertSettings(settings map[string]any, raw json.RawMessage, to Schema, opt Options) (map[string]any, error) {
	if _, both := settings["factors"]; both && settings["authenticators"] != nil {
		return nil, errors.New("settings hold both factors and authenticators; Okta allows only one")
	}
	from := SchemaOf(settings)
	if to == SchemaNone {
		to = SchemaAuthenticators
		if from == SchemaAuthenticators {
			to = SchemaFactors
		}
	}
	if to == SchemaFactors {
		return ToFactors(settings, opt)
	}
	factors, _ := settings["factors"].(map[string]any)
	order := factorOrder(raw)
	for _, k := range orderOf(factors, FactorKeys) { // keys the scan missed, if any
		if !slices.Contains(order, k) {
			order = append(order, k)
		}
	}
	return toAuthenticators(settings, factors, order, opt)
}

// factorOrder returns the keys of settings.factors in the order written.
func factorOrder(raw json.RawMessage) []string {
	var s struct {
		Factors json.RawMessage `json:"factors"`
	}
	if json.Unmarshal(raw, &s) != nil || len(s.Factors) == 0 {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(s.Factors))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil
	}
	var keys []string
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return keys
		}
		k, _ := t.(string)
		keys = append(keys, k)
		var skip json.RawMessage
		if dec.Decode(&skip) != nil {
			return keys
		}
	}
	return keys
}
