package emulator_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"io"
	"net/http"
	"net/http/cookiejar"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/oktaemu/oktaemu/emulator"
	"github.com/oktaemu/oktaemu/emulator/emulatortest"
)

// authnT0 is the instant the authn tests' orgs start at: their clocks move
// only when a test advances them.
var authnT0 = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

// Fixture users (README "The default fixtures").
const (
	authnPassword  = "Pa55word!Emu"
	authnBobSecret = "JBSWY3DPEHPK3PXP"
	authnCarolTOTP = "KRSXG5CTMVRXEZLUKN2XAZLSKNSWG4TF"
)

// authnEnv is an in-process emulator and a browser-like client (with a
// cookie jar) for authn calls.
type authnEnv struct {
	t      *testing.T
	s      *emulatortest.Server
	c      *http.Client
	engine emulator.Engine
	rec    *authnRecorder
}

func newAuthnEnv(t *testing.T, e emulator.Engine) *authnEnv {
	t.Helper()
	s := emulatortest.NewServer(t, emulatortest.WithOptions(emulator.Options{Engine: e, Now: func() time.Time { return authnT0 }}))
	jar, _ := cookiejar.New(nil)
	c := s.Client()
	c.Jar = jar
	return &authnEnv{t: t, s: s, c: c, engine: e}
}

// authnResp is one decoded answer.
type authnResp struct {
	Status int
	Header http.Header
	Body   map[string]any
	Raw    []byte
}

// do sends a JSON POST (or another method) to path with an optional SSWS
// token.
func (a *authnEnv) do(method, path, auth string, body any) authnResp {
	a.t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			a.t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, a.s.URL+path, rd)
	if err != nil {
		a.t.Fatal(err)
	}
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	hr, err := a.c.Do(req)
	if err != nil {
		a.t.Fatal(err)
	}
	defer hr.Body.Close()
	raw, _ := io.ReadAll(hr.Body)
	r := authnResp{Status: hr.StatusCode, Header: hr.Header, Raw: raw}
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &r.Body); err != nil {
			a.t.Fatalf("%s %s: %q: %v", method, path, raw, err)
		}
	}
	a.recordExchange(method, path, body, r)
	if strings.HasPrefix(path, "/api/v1/authn") {
		checkOneMethod(a.t, path, r.Body)
	}
	return r
}

func (a *authnEnv) post(path string, body any) authnResp {
	a.t.Helper()
	return a.do("POST", path, "", body)
}

// trusted posts with the server's SSWS token.
func (a *authnEnv) trusted(path string, body any) authnResp {
	a.t.Helper()
	return a.do("POST", path, "SSWS "+a.s.Token, body)
}

// login is primary auth.
func (a *authnEnv) login(user, password string) authnResp {
	a.t.Helper()
	return a.post("/api/v1/authn", map[string]any{"username": user, "password": password})
}

// str reads a string at a dotted path of the body ("_embedded.user.id").
func (r authnResp) str(path string) string {
	v, _ := r.get(path).(string)
	return v
}

func (r authnResp) get(path string) any {
	var cur any = r.Body
	for _, k := range strings.Split(path, ".") {
		switch c := cur.(type) {
		case map[string]any:
			cur = c[k]
		case []any:
			i, err := strconv.Atoi(k)
			if err != nil || i < 0 || i >= len(c) {
				return nil
			}
			cur = c[i]
		default:
			return nil
		}
	}
	return cur
}

// href is the path (no scheme and host) of a link at a dotted path.
func (a *authnEnv) href(r authnResp, path string) string {
	a.t.Helper()
	h := r.str(path)
	if !strings.HasPrefix(h, a.s.URL) {
		a.t.Fatalf("link %s = %q, want an href on %s; body %s", path, h, a.s.URL, r.Raw)
	}
	return strings.TrimPrefix(h, a.s.URL)
}

// want checks status and, for errors, the errorCode.
func (a *authnEnv) want(r authnResp, status int, code string) {
	a.t.Helper()
	if r.Status != status {
		a.t.Fatalf("status %d, want %d; body %s", r.Status, status, r.Raw)
	}
	if code != "" && r.str("errorCode") != code {
		a.t.Fatalf("errorCode %q, want %s; body %s", r.str("errorCode"), code, r.Raw)
	}
}

// wantStatus checks a 200 transaction's status.
func (a *authnEnv) wantStatus(r authnResp, status string) {
	a.t.Helper()
	a.want(r, 200, "")
	if got := r.str("status"); got != status {
		a.t.Fatalf("transaction status %q, want %s; body %s", got, status, r.Raw)
	}
}

// totpCode is the RFC 6238 code of secret at the org's time plus offset.
func (a *authnEnv) totpCode(secret string, offset time.Duration) string {
	a.t.Helper()
	code, err := totp.GenerateCodeCustom(secret, a.s.Org().Now().Add(offset),
		totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		a.t.Fatal(err)
	}
	return code
}

// lastCode is the newest one-time code the org sent to uid.
func (a *authnEnv) lastCode(uid string) string {
	a.t.Helper()
	msgs := a.s.Org().Outbox(uid)
	for i := len(msgs) - 1; i >= 0; i-- {
		if msgs[i].Code != "" {
			return msgs[i].Code
		}
	}
	a.t.Fatalf("no code sent to %s", uid)
	return ""
}

// authnBothEngines runs fn once per engine.
func authnBothEngines(t *testing.T, fn func(t *testing.T, a *authnEnv)) {
	for _, e := range emulator.Engines() {
		t.Run(string(e), func(t *testing.T) { fn(t, newAuthnEnv(t, e)) })
	}
}

// updateAuthnGolden rewrites testdata/authn/*.json:
// go test ./emulator -run TestAuthnGolden -update-authn
var updateAuthnGolden = flag.Bool("update-authn", false, "rewrite the authn golden files")

// authnExchange is one recorded request and answer, with secrets and tokens
// replaced by the scenario placeholders (<stateToken:N>, <password:N>…).
type authnExchange struct {
	Request  map[string]any `json:"request"`
	Response map[string]any `json:"response"`
}

// authnRecorder collects exchanges for a golden file.
type authnRecorder struct {
	exchanges []authnExchange
	seen      map[string]map[string]string // kind -> value -> placeholder
}

// placeholder keys whose values are replaced, by JSON field name.
var authnPlaceholderKinds = map[string]string{
	"stateToken": "stateToken", "sessionToken": "sessionToken", "recoveryToken": "recoveryToken",
	"password": "password", "oldPassword": "password", "newPassword": "password", "passCode": "passCode",
	"answer": "answer", "token": "activationToken",
}

func (r *authnRecorder) placeholder(kind, v string) string {
	if r.seen[kind] == nil {
		r.seen[kind] = map[string]string{}
	}
	if p, ok := r.seen[kind][v]; ok {
		return p
	}
	p := "<" + kind + ":" + strconv.Itoa(len(r.seen[kind])+1) + ">"
	r.seen[kind][v] = p
	return p
}

// normalize rewrites v in place: org URLs become {org}, tokens and secrets
// placeholders, errorId a constant. Placeholders are numbered first (in
// key order), then substituted everywhere, so the result does not depend on
// map iteration order.
func (r *authnRecorder) normalize(v any, base string) any {
	r.collect(v)
	return r.replace(v, base)
}

func (r *authnRecorder) collect(v any) {
	switch t := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(t))
		for k := range t {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if s, ok := t[k].(string); ok {
				if kind, ok := authnPlaceholderKinds[k]; ok && s != "" && !strings.HasPrefix(s, "<") {
					r.placeholder(kind, s)
				}
				continue
			}
			r.collect(t[k])
		}
	case []any:
		for _, e := range t {
			r.collect(e)
		}
	}
}

func (r *authnRecorder) replace(v any, base string) any {
	switch t := v.(type) {
	case map[string]any:
		for k, e := range t {
			if k == "errorId" || k == "correctAnswer" {
				// Random by the org's seeded generator, whose sequence
				// other features consume too.
				t[k] = "<" + k + ">"
				continue
			}
			t[k] = r.replace(e, base)
		}
		return t
	case []any:
		for i, e := range t {
			t[i] = r.replace(e, base)
		}
		return t
	case string:
		s := strings.ReplaceAll(t, base, "{org}")
		for _, m := range r.seen {
			if p, ok := m[s]; ok {
				return p
			}
			for val, p := range m {
				if len(val) > 8 {
					s = strings.ReplaceAll(s, val, p)
				}
			}
		}
		return s
	}
	return v
}

// record starts recording a's exchanges.
func (a *authnEnv) record() { a.rec = &authnRecorder{seen: map[string]map[string]string{}} }

func (a *authnEnv) recordExchange(method, path string, body any, r authnResp) {
	if a.rec == nil {
		return
	}
	var reqBody any
	if body != nil {
		b, _ := json.Marshal(body)
		_ = json.Unmarshal(b, &reqBody)
	}
	req := map[string]any{"method": method, "path": path}
	if reqBody != nil {
		req["body"] = reqBody
	}
	var respBody any
	if len(r.Raw) > 0 {
		_ = json.Unmarshal(r.Raw, &respBody)
	}
	res := map[string]any{"status": r.Status}
	if respBody != nil {
		res["body"] = respBody
	}
	// Requests first, so tokens sent are numbered before echoes.
	ex := authnExchange{Request: a.rec.normalize(req, a.s.URL).(map[string]any), Response: a.rec.normalize(res, a.s.URL).(map[string]any)}
	a.rec.exchanges = append(a.rec.exchanges, ex)
}

// golden compares the recorded exchanges with testdata/authn/<name>.json.
func (a *authnEnv) golden(name string) {
	a.t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(a.rec.exchanges); err != nil {
		a.t.Fatal(err)
	}
	got := buf.Bytes()
	path := filepath.Join("testdata", "authn", name+".json")
	if *updateAuthnGolden {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			a.t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			a.t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		a.t.Fatalf("%v (run with -update-authn to create it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		a.t.Errorf("%s mismatch (-want +got):\n%s", path, diff)
	}
}

// checkOneMethod enforces authn.md §1.6: okta-auth-js only turns a link into
// a function when its hints.allow names exactly one method.
func checkOneMethod(t *testing.T, path string, v any) {
	t.Helper()
	switch x := v.(type) {
	case map[string]any:
		if h, ok := x["hints"].(map[string]any); ok {
			if allow, _ := h["allow"].([]any); len(allow) != 1 {
				t.Errorf("%s: link %v: hints.allow must hold exactly one method", path, x["href"])
			}
		}
		for _, e := range x {
			checkOneMethod(t, path, e)
		}
	case []any:
		for _, e := range x {
			checkOneMethod(t, path, e)
		}
	}
}
