package emulator_test

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/oktaemu/oktaemu/emulator"
	"github.com/oktaemu/oktaemu/emulator/emulatortest"
	"github.com/oktaemu/oktaemu/spec"
)

// secLog is a goroutine-safe log sink.
type secLog struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *secLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *secLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// secClient sends requests and keeps every answer (headers and body).
type secClient struct {
	t       *testing.T
	s       *emulatortest.Server
	answers []string
}

func (c *secClient) do(method, path, auth, body string) (int, map[string]any) {
	c.t.Helper()
	req, err := http.NewRequest(method, c.s.URL+path, strings.NewReader(body))
	if err != nil {
		c.t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := c.s.Client().Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var hdr strings.Builder
	_ = resp.Header.Write(&hdr)
	c.answers = append(c.answers, method+" "+path+"\n"+hdr.String()+"\n"+string(b))
	var out map[string]any
	_ = json.Unmarshal(b, &out)
	return resp.StatusCode, out
}

// TestNoUserEnumeration: signing in as an unknown user and with a wrong
// password get the same answer (status and error object, but its errorId).
func TestNoUserEnumeration(t *testing.T) {
	for _, e := range emulator.Engines() {
		t.Run(string(e), func(t *testing.T) {
			s := emulatortest.NewServer(t, emulatortest.WithEngine(e))
			c := &secClient{t: t, s: s}
			st1, unknown := c.do("POST", "/api/v1/authn", "", `{"username":"nobody@example.com","password":"Pa55word!Emu"}`)
			st2, wrong := c.do("POST", "/api/v1/authn", "", `{"username":"alice@example.com","password":"not-her-password"}`)
			delete(unknown, "errorId")
			delete(wrong, "errorId")
			if st1 != st2 || !cmp.Equal(unknown, wrong) {
				t.Errorf("unknown user -> %d %v\nwrong password -> %d %v\nwant the same answer", st1, unknown, st2, wrong)
			}
			if st1 != 401 {
				t.Errorf("bad credentials -> %d, want 401", st1)
			}
		})
	}
}

// TestSecretsNeverLeak runs a session of management and sign-in calls with
// debug logging (the emulator logs errors; the CLI adds the request lines,
// which carry no headers or bodies) and checks that no answer and no log line holds a password,
// a recovery answer, an API token or a TOTP secret.
func TestSecretsNeverLeak(t *testing.T) {
	const (
		password    = "Zq9!Vault-Horse-7"
		newPassword = "Zq9!Vault-Horse-8"
		answer      = "leakcheck recovery answer"
		totpSecret  = "JBSWY3DPEHPK3PXP" // bob's fixed TOTP secret (README)
	)
	for _, e := range emulator.Engines() {
		t.Run(string(e), func(t *testing.T) {
			logs := &secLog{}
			logger := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
			s := emulatortest.NewServer(t, emulatortest.WithOptions(emulator.Options{Engine: e, Logger: logger}))
			c := &secClient{t: t, s: s}
			token := s.Org().Fixture().APITokens[0].Token
			ssws := "SSWS " + token
			st, u := c.do("POST", "/api/v1/users?activate=true", ssws,
				`{"profile":{"firstName":"L","lastName":"K","email":"leak@example.com","login":"leak@example.com"},`+
					`"credentials":{"password":{"value":"`+password+`"},"recovery_question":{"question":"Which?","answer":"`+answer+`"}}}`)
			if st != 200 {
				t.Fatalf("create: %d %v", st, u)
			}
			id, _ := u["id"].(string)
			c.do("GET", "/api/v1/users/"+id, ssws, "")
			c.do("GET", "/api/v1/users?q=leak", ssws, "")
			c.do("POST", "/api/v1/users/"+id, ssws, `{"credentials":{"password":{"value":"`+newPassword+`"}}}`)
			c.do("POST", "/api/v1/authn", "", `{"username":"leak@example.com","password":"`+newPassword+`"}`)
			c.do("POST", "/api/v1/authn", "", `{"username":"leak@example.com","password":"`+password+`"}`)
			c.do("POST", "/api/v1/authn", ssws, `{"username":"bob@example.com","password":"Pa55word!Emu"}`)
			c.do("GET", "/api/v1/users/00ubob00000000000000/factors", ssws, "")
			c.do("GET", "/api/v1/users/00ucarol000000000000/factors", ssws, "")
			c.do("GET", "/api/v1/users", "SSWS "+token+"x", "")
			c.do("GET", "/_emulator/orgs/default/snapshot", "", "")
			secrets := map[string]string{"password": password, "changed password": newPassword, "recovery answer": answer,
				"API token": token, "TOTP secret": totpSecret}
			for what, secret := range secrets {
				for _, a := range c.answers {
					if strings.HasPrefix(a, "GET /_emulator/") {
						continue // the control plane's snapshot is the operator's full state dump
					}
					if strings.Contains(a, secret) {
						t.Errorf("the %s appears in an answer:\n%.600s", what, a)
					}
				}
				if strings.Contains(logs.String(), secret) {
					t.Errorf("the %s appears in the logs", what)
				}
			}
		})
	}
}

// TestControlPlaneToken: with an admin token configured, every control
// call but health (and the console's anonymous page and assets) refuses
// callers without it (403 E0000005) or with a wrong one (401 E0000011).
func TestControlPlaneToken(t *testing.T) {
	d, err := spec.Load()
	if err != nil {
		t.Fatal(err)
	}
	s := emulatortest.NewServer(t, emulatortest.WithOptions(emulator.Options{AdminToken: "admin-secret-token"}))
	c := &secClient{t: t, s: s}
	checked := 0
	for _, op := range d.Operations() {
		if !strings.HasPrefix(op.Path, emulator.ControlPrefix) {
			continue
		}
		o := d.T.Paths.Value(op.Path).GetOperation(op.Method)
		if o.Security != nil && len(*o.Security) == 0 || op.Path == "/_emulator/health" {
			continue // declared anonymous
		}
		if strings.HasPrefix(op.Path, "/_emulator/ui") && op.Method == "GET" && !strings.Contains(op.Path, "/api") {
			if st, _ := c.do("GET", biPath(op.Path), "", ""); st == 200 {
				continue // the console page and assets are anonymous (the page asks for the token)
			}
		}
		path := biPath(op.Path)
		body := ""
		if o.RequestBody != nil {
			body = "{}"
		}
		for _, a := range []struct {
			auth string
			code string
			st   int
		}{{"", "E0000005", 403}, {"SSWS wrong-admin-token", "E0000011", 401}, {"Bearer wrong-admin-token", "E0000011", 401}} {
			st, got := c.do(op.Method, path, a.auth, body)
			if st != a.st || got["errorCode"] != a.code {
				t.Errorf("%s %s with %q: %d %v, want %d %s", op.Method, path, a.auth, st, got["errorCode"], a.st, a.code)
			}
		}
		checked++
	}
	if checked < 10 {
		t.Errorf("only %d control operations checked", checked)
	}
	if st, _ := c.do("GET", "/_emulator/orgs", "Bearer admin-secret-token", ""); st != 200 {
		t.Errorf("the admin token itself is refused: %d", st)
	}
	if st, _ := c.do("GET", "/_emulator/health", "", ""); st != 200 {
		t.Errorf("health needs no token, got %d", st)
	}
}

// TestOrgsAreIsolated: what one org holds is invisible from another, by
// path prefix and by Host, and its token opens nothing there.
func TestOrgsAreIsolated(t *testing.T) {
	s := emulatortest.NewServer(t, emulatortest.WithEngine(emulator.Classic))
	c := &secClient{t: t, s: s}
	st, _ := c.do("POST", "/_emulator/orgs", "", `{"name":"acme","engine":"identity"}`)
	if st != 201 {
		t.Fatalf("creating org acme: %d", st)
	}
	classic := "SSWS " + s.Org().Fixture().APITokens[0].Token
	acmeOrg, _ := s.Emulator.Org("acme")
	acme := "SSWS " + acmeOrg.Fixture().APITokens[0].Token
	st, u := c.do("POST", "/_org/acme/api/v1/users?activate=false", acme,
		`{"profile":{"firstName":"I","lastName":"So","email":"iso@example.com","login":"iso@example.com"}}`)
	if st != 200 {
		t.Fatalf("create in acme: %d %v", st, u)
	}
	id, _ := u["id"].(string)
	if st, _ := c.do("GET", "/_org/acme/api/v1/users/"+id, acme, ""); st != 200 {
		t.Fatalf("acme cannot read its own user: %d", st)
	}
	if st, got := c.do("GET", "/api/v1/users/"+id, classic, ""); st != 404 || got["errorCode"] != "E0000007" {
		t.Errorf("the default org sees acme's user: %d %v", st, got)
	}
	if st, got := c.do("GET", "/api/v1/users/iso@example.com", classic, ""); st != 404 || got["errorCode"] != "E0000007" {
		t.Errorf("the default org finds acme's user by login: %d %v", st, got)
	}
	if st, got := c.do("GET", "/_org/acme/api/v1/users", classic, ""); st != 401 || got["errorCode"] != "E0000011" {
		t.Errorf("the default org's token opens acme: %d %v", st, got)
	}
	if st, got := c.do("GET", "/api/v1/users", acme, ""); st != 401 || got["errorCode"] != "E0000011" {
		t.Errorf("acme's token opens the default org: %d %v", st, got)
	}
	// By Host: acme.localhost reaches acme, not the default org.
	req, _ := http.NewRequest("GET", s.URL+"/api/v1/users/"+id, nil)
	req.Host = "acme.localhost"
	req.Header.Set("Authorization", classic)
	resp, err := s.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 401 {
		t.Errorf("the default org's token on acme by Host: %d, want 401", resp.StatusCode)
	}
}
