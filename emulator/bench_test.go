package emulator_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/oktaemu/oktaemu/emulator"
	"github.com/oktaemu/oktaemu/fixtures"
	"github.com/oktaemu/oktaemu/fixtures/synth"
)

// The hot paths, served straight by the handler (no network), so ns/op and
// allocs/op are the emulator's own cost. Run with
//
//	go test -run '^$' -bench . -benchmem ./emulator
//
// cmd/oktaemu-load measures the same paths over TCP against a bare
// baseline; BENCHMARKS.md has the numbers.

const benchToken = "00bench-token"

// benchPasswordUsers is the pool of password-only users (pw%06d).
const benchPasswordUsers = 256

// benchServer is the classic-default org plus synthetic users: "three"
// holds three factors, "pw%06d" have a password alone, "mfa%06d" are
// members of mfa-required with TOTP.
func benchServer(b *testing.B, mfaUsers int) *emulator.Server {
	b.Helper()
	fx, err := fixtures.Load(fixtures.Default("classic"))
	if err != nil {
		b.Fatal(err)
	}
	fx.Users = append(fx.Users, synth.ThreeFactors("three", 0))
	for i := range benchPasswordUsers {
		fx.Users = append(fx.Users, synth.PasswordUser("pw", i))
	}
	for i := range mfaUsers {
		fx.Users = append(fx.Users, synth.MFAUser("mfa", i, "mfa-required"))
	}
	s, err := emulator.New(emulator.Options{Seed: fx, APIToken: benchToken})
	if err != nil {
		b.Fatal(err)
	}
	// Lift the rate limits: the benchmark measures the served path.
	if w := serve(s, "PUT", "/_emulator/orgs/default/ratelimits", `{"default":1073741824,"byPrefix":{"/api/v1/authn":1073741824}}`); w.Code != 200 {
		b.Fatalf("rate limits: %d %s", w.Code, w.Body)
	}
	return s
}

func serve(s *emulator.Server, method, path, body string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, "http://127.0.0.1"+path, strings.NewReader(body))
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Authorization", "SSWS "+benchToken)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	w := httptest.NewRecorder()
	s.Handler().ServeHTTP(w, req)
	return w
}

func benchUserID(b *testing.B, s *emulator.Server, login string) string {
	w := serve(s, "GET", "/api/v1/users/"+login, "")
	var u struct {
		ID string `json:"id"`
	}
	if w.Code != 200 || json.Unmarshal(w.Body.Bytes(), &u) != nil {
		b.Fatalf("user %s: %d %s", login, w.Code, w.Body)
	}
	return u.ID
}

func BenchmarkGetUser(b *testing.B) {
	s := benchServer(b, 0)
	path := "/api/v1/users/" + benchUserID(b, s, synth.Login("three", 0))
	b.ReportAllocs()
	for b.Loop() {
		if w := serve(s, "GET", path, ""); w.Code != 200 {
			b.Fatalf("%d %s", w.Code, w.Body)
		}
	}
}

func BenchmarkListFactors(b *testing.B) {
	s := benchServer(b, 0)
	path := "/api/v1/users/" + benchUserID(b, s, synth.Login("three", 0)) + "/factors"
	b.ReportAllocs()
	for b.Loop() {
		if w := serve(s, "GET", path, ""); w.Code != 200 {
			b.Fatalf("%d %s", w.Code, w.Body)
		}
	}
}

// BenchmarkAuthnPassword is POST /api/v1/authn with a password alone ->
// SUCCESS. Okta allows 4 authn calls per second per username: the users
// rotate and the clock moves a second a lap.
func BenchmarkAuthnPassword(b *testing.B) {
	const pool = benchPasswordUsers
	s := benchServer(b, 0)
	o := s.DefaultOrg()
	bodies := make([]string, pool)
	for i := range bodies {
		bodies[i] = `{"username":"` + synth.Login("pw", i) + `","password":"` + synth.Password + `"}`
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if i%pool == 0 {
			o.Advance(time.Second)
		}
		if w := serve(s, "POST", "/api/v1/authn", bodies[i%pool]); w.Code != 200 || !strings.Contains(w.Body.String(), `"SUCCESS"`) {
			b.Fatalf("%d %s", w.Code, w.Body)
		}
		i++
	}
}

// BenchmarkMFASignIn is one full sign-in per op: authn -> MFA_REQUIRED ->
// TOTP verify -> SUCCESS -> POST /api/v1/sessions. A TOTP code is good once
// per user and step, so the users rotate and the clock moves 30 s a lap.
func BenchmarkMFASignIn(b *testing.B) {
	const pool = 512
	s := benchServer(b, pool)
	o := s.DefaultOrg()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if i%pool == 0 {
			o.Advance(30 * time.Second)
		}
		if err := benchSignIn(s, i%pool, o.Now()); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

func benchSignIn(s *emulator.Server, i int, now time.Time) error {
	w := serve(s, "POST", "/api/v1/authn", `{"username":"`+synth.Login("mfa", i)+`","password":"`+synth.Password+`"}`)
	var tx struct {
		Status       string `json:"status"`
		StateToken   string `json:"stateToken"`
		SessionToken string `json:"sessionToken"`
		Embedded     struct {
			Factors []struct {
				ID         string `json:"id"`
				FactorType string `json:"factorType"`
			} `json:"factors"`
		} `json:"_embedded"`
	}
	if w.Code != 200 || json.Unmarshal(w.Body.Bytes(), &tx) != nil || tx.Status != "MFA_REQUIRED" || len(tx.Embedded.Factors) == 0 {
		return &benchErr{"authn", w}
	}
	code, err := totp.GenerateCode(synth.Secret(i), now)
	if err != nil {
		return err
	}
	w = serve(s, "POST", "/api/v1/authn/factors/"+tx.Embedded.Factors[0].ID+"/verify", `{"stateToken":"`+tx.StateToken+`","passCode":"`+code+`"}`)
	if w.Code != 200 || json.Unmarshal(w.Body.Bytes(), &tx) != nil || tx.Status != "SUCCESS" {
		return &benchErr{"verify", w}
	}
	if w = serve(s, "POST", "/api/v1/sessions", `{"sessionToken":"`+tx.SessionToken+`"}`); w.Code != http.StatusOK {
		return &benchErr{"session", w}
	}
	return nil
}

type benchErr struct {
	step string
	w    *httptest.ResponseRecorder
}

func (e *benchErr) Error() string {
	return e.step + ": " + e.w.Result().Status + " " + e.w.Body.String()
}
