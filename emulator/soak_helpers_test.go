package emulator_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/oktaemu/oktaemu/emulator"
	"github.com/oktaemu/oktaemu/emulator/emulatortest"
	"github.com/oktaemu/oktaemu/fixtures"
	"github.com/oktaemu/oktaemu/fixtures/synth"
)

// soakT0 is where the soak orgs' clocks stand: they move only when the
// test advances them between rounds.
var soakT0 = time.Date(2026, 4, 1, 12, 0, 0, 0, time.UTC)

// soakNobodyGroup has no members: the soak's policy togglers edit policies
// assigned to it, which must never apply to the soak's users.
const soakNobodyGroup = "soak-nobody"

// soakMaxAttempts is the soak org's default password policy's
// lockout.maxAttempts.
const soakMaxAttempts = 3

// soakTOTPOpts are RFC 6238 as Google Authenticator uses it.
var soakTOTPOpts = totp.ValidateOpts{Period: 30, Skew: 1, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}

// soakUser is a soak user: kind (pw, mf, en, ov, lk) and index.
type soakUser struct {
	ID, Login string
	Secret    string // TOTP secret of "mf" users
}

func soakMakeUser(kind string, i int) soakUser {
	u := soakUser{ID: fmt.Sprintf("00u%s%015d", kind, i), Login: synth.Login("soak"+kind, i)}
	if kind == "mf" {
		u.Secret = synth.Secret(i)
	}
	return u
}

// soakFixture is the engine's default fixture plus the soak's users, an
// empty group and, assigned to it with the highest priority, a PASSWORD
// policy that locks after one failure and an MFA_ENROLL policy forbidding
// Okta Verify.
func soakFixture(t *testing.T, e emulator.Engine, clients, ovUsers, lockUsers int) *fixtures.Org {
	t.Helper()
	fx, err := fixtures.Load(fixtures.Default(string(e)))
	if err != nil {
		t.Fatal(err)
	}
	fx.Groups = append(fx.Groups, fixtures.Group{Name: soakNobodyGroup})
	// A small lockout threshold keeps the lockout schedule short.
	locked := false
	for _, p := range fx.Policies {
		if p.Type != "PASSWORD" || !p.System {
			continue
		}
		pw, _ := p.Settings["password"].(map[string]any)
		if lo, ok := pw["lockout"].(map[string]any); ok {
			lo["maxAttempts"] = soakMaxAttempts
			locked = true
		}
	}
	if !locked {
		t.Fatalf("fixture %s: no default password policy with a lockout", fx.Name)
	}
	add := func(kind string, i int, mk func(prefix string, i int) fixtures.User) {
		u := soakMakeUser(kind, i)
		fu := mk("soak"+kind, i)
		fu.ID = u.ID
		fx.Users = append(fx.Users, fu)
	}
	for c := range clients {
		add("pw", c, synth.PasswordUser)
		add("mf", c, func(p string, i int) fixtures.User { return synth.MFAUser(p, i, "mfa-required") })
		add("en", c, synth.PasswordUser)
	}
	for k := range ovUsers {
		add("ov", k, synth.PasswordUser)
	}
	for j := range lockUsers {
		add("lk", j, synth.PasswordUser)
	}
	mfaSettings := map[string]any{"factors": map[string]any{
		"okta_push":     map[string]any{"enroll": map[string]any{"self": "NOT_ALLOWED"}, "consent": map[string]any{"type": "NONE"}},
		"okta_question": map[string]any{"enroll": map[string]any{"self": "NOT_ALLOWED"}, "consent": map[string]any{"type": "NONE"}},
	}}
	if e == emulator.Identity {
		mfaSettings = map[string]any{"type": "AUTHENTICATORS", "authenticators": []any{
			map[string]any{"key": "okta_password", "enroll": map[string]any{"self": "REQUIRED"}},
			map[string]any{"key": "okta_email", "enroll": map[string]any{"self": "REQUIRED"}},
			map[string]any{"key": "okta_verify", "enroll": map[string]any{"self": "NOT_ALLOWED"}},
			map[string]any{"key": "security_question", "enroll": map[string]any{"self": "NOT_ALLOWED"}},
		}}
	}
	fx.Policies = append([]fixtures.Policy{
		{ID: "00psoakpassword00000", Type: "PASSWORD", Name: "Soak nobody password", Priority: 1, Groups: []string{soakNobodyGroup},
			Settings: map[string]any{"password": map[string]any{"lockout": map[string]any{"maxAttempts": 1, "autoUnlockMinutes": 0}}},
			Rules: []fixtures.Rule{{ID: "0prsoakpassword00000", Name: "Soak rule", Priority: 1,
				Actions: map[string]any{"passwordChange": map[string]any{"access": "DENY"}}}}},
		{ID: "00psoakmfaenroll0000", Type: "MFA_ENROLL", Name: "Soak nobody enroll", Priority: 1, Groups: []string{soakNobodyGroup},
			Settings: mfaSettings,
			Rules: []fixtures.Rule{{ID: "0prsoakmfaenroll0000", Name: "Soak rule", Priority: 1,
				Actions: map[string]any{"enroll": map[string]any{"self": "CHALLENGE"}}}}},
	}, fx.Policies...)
	return fx
}

// soakEnv is one emulator under soak.
type soakEnv struct {
	t      *testing.T
	s      *emulatortest.Server
	hc     *http.Client
	engine emulator.Engine

	ops atomic.Int64 // requests sent

	errMu  sync.Mutex
	errs   int
	maxErr int
}

// soakResp is one decoded answer.
type soakResp struct {
	Status int
	Body   map[string]any
	List   []any
	Raw    string
}

// ErrorCode is the Okta errorCode of an error answer.
func (r soakResp) ErrorCode() string { s, _ := r.Body["errorCode"].(string); return s }

// Str reads a string at a dotted path of the body.
func (r soakResp) Str(path string) string {
	var v any = r.Body
	for _, k := range strings.Split(path, ".") {
		m, ok := v.(map[string]any)
		if !ok {
			return ""
		}
		v = m[k]
	}
	s, _ := v.(string)
	return s
}

func (r soakResp) String() string {
	raw := r.Raw
	if len(raw) > 400 {
		raw = raw[:400] + "…"
	}
	return fmt.Sprintf("%d %s", r.Status, raw)
}

// errorf reports a finding from any goroutine, capping the output.
func (e *soakEnv) errorf(format string, args ...any) {
	e.errMu.Lock()
	defer e.errMu.Unlock()
	e.errs++
	if e.errs <= e.maxErr {
		e.t.Errorf(format, args...)
	} else if e.errs == e.maxErr+1 {
		e.t.Errorf("soak: more findings left out")
	}
}

// do sends a request; ssws adds the API token. Transport errors are
// reported and give Status 0.
func (e *soakEnv) do(method, path string, ssws bool, body any) soakResp {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			e.errorf("soak: marshal: %v", err)
			return soakResp{}
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, e.s.URL+path, rd)
	if err != nil {
		e.errorf("soak: %s %s: %v", method, path, err)
		return soakResp{}
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "oktaemu-soak")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if ssws {
		req.Header.Set("Authorization", "SSWS "+e.s.Token)
	}
	e.ops.Add(1)
	res, err := e.hc.Do(req)
	if err != nil {
		e.errorf("soak: %s %s: %v", method, path, err)
		return soakResp{}
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		e.errorf("soak: %s %s: read: %v", method, path, err)
	}
	r := soakResp{Status: res.StatusCode, Raw: string(raw)}
	if len(bytes.TrimSpace(raw)) > 0 {
		var v any
		if err := json.Unmarshal(raw, &v); err != nil {
			e.errorf("soak: %s %s: %d body is not JSON: %q", method, path, res.StatusCode, r.Raw)
		}
		switch v := v.(type) {
		case map[string]any:
			r.Body = v
		case []any:
			r.List = v
		}
	}
	return r
}

// expect reports a finding unless r has status want (and, for errors,
// errorCode code when code is not empty). It reports whether r matched.
func (e *soakEnv) expect(what string, r soakResp, want int, code string) bool {
	if r.Status != want || (code != "" && r.ErrorCode() != code) {
		e.errorf("soak: %s: got %s, want %d %s", what, r, want, code)
		return false
	}
	return true
}

// soakCode is the TOTP code of secret at t.
func soakCode(t time.Time, secret string) (string, error) {
	return totp.GenerateCodeCustom(secret, t, soakTOTPOpts)
}

// soakWrongCode is a 6-digit code that none of the steps the emulator
// accepts at t (±1) produces.
func soakWrongCode(t time.Time, secret string) (string, error) {
	valid := map[string]bool{}
	for d := -1; d <= 1; d++ {
		c, err := soakCode(t.Add(time.Duration(d)*30*time.Second), secret)
		if err != nil {
			return "", err
		}
		valid[c] = true
	}
	for d := 7; ; d++ {
		c, err := soakCode(t.Add(time.Duration(d)*30*time.Second), secret)
		if err != nil {
			return "", err
		}
		if !valid[c] {
			return c, nil
		}
	}
}

// soakConsoleUser is a user as the control plane's console lists it.
type soakConsoleUser struct {
	ID      string `json:"id"`
	Login   string `json:"login"`
	Status  string `json:"status"`
	Factors []struct {
		ID         string `json:"id"`
		FactorType string `json:"factorType"`
		Provider   string `json:"provider"`
		Status     string `json:"status"`
	} `json:"factors"`
	Sessions []struct {
		ID string `json:"id"`
	} `json:"sessions"`
}

// consoleUsers reads every user with factors (unfiltered by policy) and
// live sessions, through the control plane.
func (e *soakEnv) consoleUsers() map[string]soakConsoleUser {
	r := e.do("GET", "/_emulator/orgs/"+e.s.Org().Name()+"/console/users", false, nil)
	if r.Status != http.StatusOK {
		e.t.Fatalf("console users: %s", r)
	}
	var us []soakConsoleUser
	if err := json.Unmarshal([]byte(r.Raw), &us); err != nil {
		e.t.Fatalf("console users: %v", err)
	}
	out := map[string]soakConsoleUser{}
	for _, u := range us {
		out[u.ID] = u
	}
	return out
}
