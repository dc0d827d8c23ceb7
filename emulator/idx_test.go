package emulator_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/google/go-cmp/cmp"
	"github.com/pquerna/otp/totp"

	"github.com/oktaemu/oktaemu/emulator"
	"github.com/oktaemu/oktaemu/emulator/emulatortest"
)

var updateIDX = flag.Bool("update-idx", false, "rewrite emulator/testdata/idx golden files")

// idxEpoch is the frozen start of every IDX test's clock.
var idxEpoch = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)

const (
	idxClient   = "0oaoidcclient0000000"
	idxRedirect = "http://localhost:8081/callback"
	idxVerifier = "oktaemu-test-code-verifier-0123456789abcdefghijklmnop"
	idxPassword = "Pa55word!Emu"
)

func idxPKCE(v string) string {
	s := sha256.Sum256([]byte(v))
	return base64.RawURLEncoding.EncodeToString(s[:])
}

// idxServer starts an Identity Engine emulator on a frozen clock.
func idxServer(t *testing.T, opts ...emulatortest.Option) *emulatortest.Server {
	t.Helper()
	base := []emulatortest.Option{emulatortest.WithOptions(emulator.Options{Engine: emulator.Identity,
		Now: func() time.Time { return idxEpoch }})}
	return emulatortest.NewServer(t, append(base, opts...)...)
}

// idxION is a decoded IDX response.
type idxION map[string]any

// idxClient drives the IDX API the way the official clients do: it posts
// exactly what a form's href and fields say (idx.md §3.4) and records every
// idxExchange for the golden files.
type idxDriver struct {
	t   *testing.T
	s   *emulatortest.Server
	log []idxExchange
}

type idxExchange struct {
	Request  string `json:"request"`
	Body     any    `json:"body,omitempty"`
	Status   int    `json:"status"`
	Response any    `json:"response"`
}

func newIDXDriver(t *testing.T, s *emulatortest.Server) *idxDriver { return &idxDriver{t: t, s: s} }

func (d *idxDriver) do(method, rawURL, contentType, body string) (int, http.Header, []byte) {
	d.t.Helper()
	req, err := http.NewRequest(method, rawURL, strings.NewReader(body))
	if err != nil {
		d.t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := d.s.Client().Do(req)
	if err != nil {
		d.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, b
}

// interact starts a transaction on the default authorization server.
func (d *idxDriver) interact(extra url.Values) string {
	d.t.Helper()
	v := url.Values{"client_id": {idxClient}, "scope": {"openid profile email offline_access"},
		"redirect_uri": {idxRedirect}, "state": {"st4te"}, "code_challenge": {idxPKCE(idxVerifier)},
		"code_challenge_method": {"S256"}, "nonce": {"n0nce"}}
	for k, vs := range extra {
		v[k] = vs
	}
	status, _, b := d.do("POST", d.s.URL+"/oauth2/default/v1/interact", "application/x-www-form-urlencoded", v.Encode())
	var out map[string]string
	_ = json.Unmarshal(b, &out)
	if status != 200 || out["interaction_handle"] == "" {
		d.t.Fatalf("interact: %d %s", status, b)
	}
	return out["interaction_handle"]
}

// post sends an IDX request and decodes the ION answer; it checks the
// media type every IDX answer must have.
func (d *idxDriver) post(href string, body map[string]any) (int, idxION) {
	d.t.Helper()
	b, _ := json.Marshal(body)
	status, h, rb := d.do("POST", href, "application/json", string(b))
	if ct := h.Get("Content-Type"); ct != "application/ion+json; okta-version=1.0.0" {
		d.t.Fatalf("POST %s: Content-Type %q, body %s", href, ct, rb)
	}
	var out idxION
	if err := json.Unmarshal(rb, &out); err != nil {
		d.t.Fatalf("POST %s: %v: %s", href, err, rb)
	}
	if out["version"] != "1.0.0" {
		d.t.Fatalf("POST %s: no version: %s", href, rb)
	}
	d.log = append(d.log, idxExchange{Request: "POST " + strings.TrimPrefix(href, d.s.URL), Body: body, Status: status, Response: out})
	return status, out
}

func (d *idxDriver) introspect(key, value string) (int, idxION) {
	return d.post(d.s.URL+"/idp/idx/introspect", map[string]any{key: value})
}

// remediation returns the form named name, or fails.
func (r idxION) remediation(t *testing.T, name string) map[string]any {
	t.Helper()
	if f := r.form(name); f != nil {
		return f
	}
	t.Fatalf("no remediation %q in %v", name, r.names())
	return nil
}

func (r idxION) form(name string) map[string]any {
	rem, _ := r["remediation"].(map[string]any)
	list, _ := rem["value"].([]any)
	for _, f := range list {
		if m := f.(map[string]any); m["name"] == name {
			return m
		}
	}
	return nil
}

func (r idxION) names() []string {
	rem, _ := r["remediation"].(map[string]any)
	list, _ := rem["value"].([]any)
	var out []string
	for _, f := range list {
		out = append(out, f.(map[string]any)["name"].(string))
	}
	return out
}

// at walks a path of object keys.
func idxAt(v any, keys ...string) any {
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

func (r idxION) messageKeys() []string {
	var out []string
	list, _ := idxAt(map[string]any(r), "messages", "value").([]any)
	for _, m := range list {
		out = append(out, idxAt(m, "i18n", "key").(string))
	}
	return out
}

// submit posts form with values merged over the form's own values: every
// field with a value (the hidden stateHandle, fixed ids) is sent as the
// form says, as auth-js's immutable params are.
func (d *idxDriver) submit(form map[string]any, values map[string]any) (int, idxION) {
	d.t.Helper()
	body := map[string]any{}
	for _, f := range form["value"].([]any) {
		fm := f.(map[string]any)
		if v, ok := fm["value"]; ok && fm["mutable"] == false {
			body[fm["name"].(string)] = v
		}
	}
	for k, v := range values {
		body[k] = v
	}
	return d.post(form["href"].(string), body)
}

// choose picks the option of field "authenticator" whose authenticator key
// is key (resolved through relatesTo, as clients do) and returns its fixed
// values.
func idxChoose(t *testing.T, r idxION, form map[string]any, key string) map[string]any {
	t.Helper()
	for _, f := range form["value"].([]any) {
		fm := f.(map[string]any)
		if fm["name"] != "authenticator" {
			continue
		}
		for _, o := range fm["options"].([]any) {
			om := o.(map[string]any)
			obj := idxResolve(t, r, om["relatesTo"].(string))
			if obj["key"] != key {
				continue
			}
			out := map[string]any{}
			for _, in := range idxAt(om, "value", "form", "value").([]any) {
				im := in.(map[string]any)
				if v, ok := im["value"]; ok {
					out[im["name"].(string)] = v
				}
			}
			return out
		}
	}
	t.Fatalf("no option for %s in %v", key, form["name"])
	return nil
}

var idxRelRE = regexp.MustCompile(`^\$\.([A-Za-z]+)(?:\.value\[(\d+)\])?$`)

// resolve evaluates a relatesTo JSONPath against the response; it fails
// when the path does not resolve, as auth-js does.
func idxResolve(t *testing.T, r idxION, path string) map[string]any {
	t.Helper()
	m := idxRelRE.FindStringSubmatch(path)
	if m == nil {
		t.Fatalf("relatesTo %q is not a path clients resolve", path)
	}
	top, _ := r[m[1]].(map[string]any)
	if m[2] == "" {
		v, _ := top["value"].(map[string]any)
		if v == nil {
			t.Fatalf("relatesTo %q does not resolve", path)
		}
		return v
	}
	var i int
	fmt.Sscan(m[2], &i)
	list, _ := top["value"].([]any)
	if i >= len(list) {
		t.Fatalf("relatesTo %q out of range (%d)", path, len(list))
	}
	return list[i].(map[string]any)
}

// checkForms asserts the invariants of every form of a response: hidden
// stateHandle equal to the response's, absolute hrefs on the server's
// host, relatesTo that resolve.
func idxCheckForms(t *testing.T, s *emulatortest.Server, r idxION) {
	t.Helper()
	sh, _ := r["stateHandle"].(string)
	var forms []map[string]any
	rem, _ := r["remediation"].(map[string]any)
	list, _ := rem["value"].([]any)
	for _, f := range list {
		forms = append(forms, f.(map[string]any))
	}
	if c, ok := r["cancel"].(map[string]any); ok {
		forms = append(forms, c)
	}
	for _, k := range []string{"currentAuthenticator", "currentAuthenticatorEnrollment"} {
		for _, a := range []string{"resend", "poll", "recover"} {
			if f, ok := idxAt(map[string]any(r), k, "value", a).(map[string]any); ok {
				forms = append(forms, f)
			}
		}
	}
	for _, f := range forms {
		if !strings.HasPrefix(f["href"].(string), s.URL+"/") {
			t.Errorf("%s: href %s not absolute on %s", f["name"], f["href"], s.URL)
		}
		vals := f["value"].([]any)
		last := vals[len(vals)-1].(map[string]any)
		if last["name"] != "stateHandle" || last["value"] != sh || last["visible"] != false || last["mutable"] != false {
			t.Errorf("%s: last field is not the hidden stateHandle %q: %v", f["name"], sh, last)
		}
		for _, rel := range idxList(f["relatesTo"]) {
			idxResolve(t, r, rel.(string))
		}
		for _, v := range vals {
			for _, o := range idxList(v.(map[string]any)["options"]) {
				if rel, ok := o.(map[string]any)["relatesTo"].(string); ok {
					idxResolve(t, r, rel)
				}
			}
		}
	}
}

func idxList(v any) []any { l, _ := v.([]any); return l }

// token idxExchanges an interaction code; params go in the body, or in the
// query string with an empty body as okta-idx-golang sends them.
func (d *idxDriver) token(code, verifier string, inQuery bool) (int, map[string]any) {
	d.t.Helper()
	v := url.Values{"grant_type": {"interaction_code"}, "interaction_code": {code}, "client_id": {idxClient}}
	if verifier != "" {
		v.Set("code_verifier", verifier)
	}
	var status int
	var b []byte
	if inQuery {
		status, _, b = d.do("POST", d.s.URL+"/oauth2/default/v1/token?"+v.Encode(), "application/x-www-form-urlencoded", "")
	} else {
		status, _, b = d.do("POST", d.s.URL+"/oauth2/default/v1/token", "application/x-www-form-urlencoded", v.Encode())
	}
	var out map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		d.t.Fatalf("token: %v: %s", err, b)
	}
	return status, out
}

// interactionCode reads the code out of successWithInteractionCode.
func idxCode(t *testing.T, r idxION) string {
	t.Helper()
	for _, f := range idxList(idxAt(map[string]any(r), "successWithInteractionCode", "value")) {
		if fm := f.(map[string]any); fm["name"] == "interaction_code" {
			return fm["value"].(string)
		}
	}
	t.Fatalf("no successWithInteractionCode: %v %v", r.names(), r.messageKeys())
	return ""
}

// idTokenClaims verifies an ID token against the keys endpoint and returns
// its claims.
func idxClaims(t *testing.T, s *emulatortest.Server, token string) map[string]any {
	t.Helper()
	resp, err := s.Client().Get(s.URL + "/oauth2/default/v1/keys")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var set jose.JSONWebKeySet
	if err := json.NewDecoder(resp.Body).Decode(&set); err != nil {
		t.Fatal(err)
	}
	jws, err := jose.ParseSigned(token, []jose.SignatureAlgorithm{jose.RS256})
	if err != nil {
		t.Fatal(err)
	}
	keys := set.Key(jws.Signatures[0].Header.KeyID)
	if len(keys) != 1 {
		t.Fatalf("kid %q not published", jws.Signatures[0].Header.KeyID)
	}
	payload, err := jws.Verify(keys[0].Key)
	if err != nil {
		t.Fatalf("signature: %v", err)
	}
	var claims map[string]any
	_ = json.Unmarshal(payload, &claims)
	return claims
}

// golden compares the recorded idxExchanges with testdata/idx/<name>.json
// (hosts replaced by {org}); -update-idx rewrites it.
func (d *idxDriver) golden(name string) {
	d.t.Helper()
	b, err := json.MarshalIndent(d.log, "", "  ")
	if err != nil {
		d.t.Fatal(err)
	}
	got := strings.ReplaceAll(string(b), d.s.URL, "{org}")
	got = regexp.MustCompile(`data:image/png;base64,[A-Za-z0-9+/=]+`).ReplaceAllString(got, "data:image/png;base64,…")
	path := filepath.Join("testdata", "idx", name+".json")
	if *updateIDX {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			d.t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got+"\n"), 0o644); err != nil {
			d.t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		d.t.Fatalf("%v (run with -update-idx to create it)", err)
	}
	if diff := cmp.Diff(strings.TrimSpace(string(want)), strings.TrimSpace(got)); diff != "" {
		d.t.Errorf("%s differs (-want +got):\n%s", path, diff)
	}
}

// totpNow is the current code of a base32 secret at the org's time.
func idxTOTP(t *testing.T, s *emulatortest.Server, secret string) string {
	t.Helper()
	code, err := totp.GenerateCode(secret, s.Org().Now())
	if err != nil {
		t.Fatal(err)
	}
	return code
}

// lastCode is the last one-time code the org sent to user uid.
func idxLastCode(t *testing.T, s *emulatortest.Server, uid string) string {
	t.Helper()
	msgs := s.Org().Outbox(uid)
	for i := len(msgs) - 1; i >= 0; i-- {
		if msgs[i].Code != "" {
			return msgs[i].Code
		}
	}
	t.Fatalf("no code sent to %s", uid)
	return ""
}

var _ = bytes.NewReader
var _ = slices.Contains[[]string]

// idxAPI calls the management API with the server's SSWS token.
func idxAPI(t *testing.T, s *emulatortest.Server, method, path string, body any) (int, any) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, s.URL+path, rd)
	req.Header.Set("Authorization", "SSWS "+s.Token)
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := s.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

// idxIdentifierFirst switches the global session policy's default rule to
// PASSWORD_IDP_ANY_FACTOR through the Policies API: the identify form then
// asks for the identifier only.
func idxIdentifierFirst(t *testing.T, s *emulatortest.Server) {
	t.Helper()
	const path = "/api/v1/policies/00psignondefault0000/rules/0prsignondefault0000"
	status, rule := idxAPI(t, s, "GET", path, nil)
	if status != 200 {
		t.Fatalf("GET rule %d %v", status, rule)
	}
	rm := rule.(map[string]any)
	idxAt(rm, "actions", "signon").(map[string]any)["primaryFactor"] = "PASSWORD_IDP_ANY_FACTOR"
	body := map[string]any{"name": rm["name"], "type": rm["type"], "actions": rm["actions"]}
	if c, ok := rm["conditions"]; ok && c != nil {
		body["conditions"] = c
	}
	if status, out := idxAPI(t, s, "PUT", path, body); status != 200 {
		t.Fatalf("PUT rule %d %v", status, out)
	}
}

// start interacts and introspects.
func (d *idxDriver) start(extra url.Values) idxION {
	d.t.Helper()
	ih := d.interact(extra)
	status, r := d.introspect("interactionHandle", ih)
	if status != 200 {
		d.t.Fatalf("introspect %d %v", status, r)
	}
	idxCheckForms(d.t, d.s, r)
	return r
}

// step submits remediation name with values and checks the status and
// the response's form invariants.
func (d *idxDriver) step(r idxION, name string, values map[string]any, wantStatus int) idxION {
	d.t.Helper()
	status, out := d.submit(r.remediation(d.t, name), values)
	if status != wantStatus {
		d.t.Fatalf("%s: status %d, want %d; messages %v; remediations %v", name, status, wantStatus, out.messageKeys(), out.names())
	}
	idxCheckForms(d.t, d.s, out)
	return out
}

// action submits an embedded action (currentAuthenticator.resend, cancel…).
func (d *idxDriver) action(r idxION, wantStatus int, path ...string) idxION {
	d.t.Helper()
	f, ok := idxAt(map[string]any(r), path...).(map[string]any)
	if !ok {
		d.t.Fatalf("no action %v", path)
	}
	status, out := d.submit(f, nil)
	if status != wantStatus {
		d.t.Fatalf("%v: status %d, want %d; %v", path, status, wantStatus, out.messageKeys())
	}
	return out
}

// selectAuth chooses authenticator key on a select form, with methodType
// when given.
func (d *idxDriver) selectAuth(r idxION, form, key, method string) map[string]any {
	d.t.Helper()
	a := idxChoose(d.t, r, r.remediation(d.t, form), key)
	if method != "" {
		a["methodType"] = method
	}
	return map[string]any{"authenticator": a}
}

// finish exchanges the interaction code and returns the ID token claims.
func (d *idxDriver) finish(r idxION) map[string]any {
	d.t.Helper()
	status, tok := d.token(idxCode(d.t, r), idxVerifier, false)
	if status != 200 {
		d.t.Fatalf("token %d %v", status, tok)
	}
	return idxClaims(d.t, d.s, tok["id_token"].(string))
}

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }
