package fuzz_test

// Native fuzz targets for every request body the emulator parses. The
// routes come from spec/: every operation with a requestBody, grouped by
// fragment, so a route added with its fragment is fuzzed without touching
// this file. Each input picks an engine, a route and path parameters (from
// the default fixtures) and sends the body to an in-process server, whose
// answer must be below 500 and match the spec (an Okta-shaped 4xx when
// refused): emulatortest.ValidatingHandler fails the input otherwise. Long
// runs: FUZZING.md and scripts/fuzz.sh.

import (
	"bytes"
	"fmt"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/oktaemu/oktaemu/emulator"
	"github.com/oktaemu/oktaemu/emulator/emulatortest"
	"github.com/oktaemu/oktaemu/spec"
)

const fzToken = "00oktaemu-fuzz-api-token"

// fzResetEvery bounds the state's growth: every so many inputs the default
// org is rebuilt from its fixture and the other orgs are deleted (a long run
// creates many users and orgs).
const fzResetEvery = 512

// fzParams are the path parameter values inputs choose from: fixture ids
// shared by both default fixtures, and unknown ones.
var fzParams = map[string][]string{
	"userId":       {"00ucarol000000000000", "00ubob00000000000000", "00ualice000000000000", "00uerin0000000000000", "bob@example.com", "00uunknown0000000000"},
	"user":         {"00ucarol000000000000", "00ubob00000000000000", "nobody"},
	"groupId":      {"00gmfarequired000000", "00gunknown0000000000"},
	"factorId":     {"smscarol000000000000", "ostfcarol00000000000", "ufscarol000000000000", "opfcarol000000000000", "ostfbob0000000000000", "unknown"},
	"policyId":     {"00psignondefault0000", "00ppassworddefault00", "00pmfaenrolldefault0", "00punknown0000000000"},
	"ruleId":       {"0prsignonmfa00000000", "0prsignondefault0000", "0prpassworddefault00", "0prunknown0000000000"},
	"org":          {"default"},
	"factorType":   {"sms", "email", "call", "push"},
	"authServerId": {"default", "unknown"},
	"push":         {"unknown"},
	"file":         {"console.js", "console.css"},
}

// fzExcluded are body routes the fuzzers leave alone: injected faults answer
// 5xx by design.
var fzExcluded = map[string]bool{"PUT /_emulator/orgs/{org}/faults": true}

type fzRoute struct {
	method, path, contentType string
}

type fzEnv struct {
	mu      sync.Mutex
	servers map[emulator.Engine]*emulator.Server
	routes  map[string][]fzRoute // fragment -> body routes
	// unmounted lists the routes an engine does not serve (404 E0000008:
	// IDX in Classic, say), found by probing each route once.
	unmounted map[emulator.Engine]map[fzRoute]bool
	inputs    int
}

var (
	fzOnce  sync.Once
	fzState *fzEnv
	fzErr   error
)

func fzSetup(t *testing.T) *fzEnv {
	t.Helper()
	fzOnce.Do(func() {
		d, err := spec.Load()
		if err != nil {
			fzErr = err
			return
		}
		env := &fzEnv{servers: map[emulator.Engine]*emulator.Server{}, routes: map[string][]fzRoute{},
			unmounted: map[emulator.Engine]map[fzRoute]bool{}}
		for _, op := range d.Operations() {
			o := d.T.Paths.Value(op.Path).GetOperation(op.Method)
			if o.RequestBody == nil || o.RequestBody.Value == nil || fzExcluded[op.Method+" "+op.Path] {
				continue
			}
			ct := "application/json"
			if o.RequestBody.Value.Content.Get("application/json") == nil {
				for k := range o.RequestBody.Value.Content {
					ct = k
				}
			}
			env.routes[op.Fragment] = append(env.routes[op.Fragment], fzRoute{op.Method, op.Path, ct})
		}
		for _, e := range emulator.Engines() {
			s, err := emulator.New(emulator.Options{Engine: e, APIToken: fzToken})
			if err != nil {
				fzErr = err
				return
			}
			env.servers[e] = s
			if err := fzUnlimited(s); err != nil {
				fzErr = err
				return
			}
			env.unmounted[e] = map[fzRoute]bool{}
			for _, routes := range env.routes {
				for _, rt := range routes {
					w := httptest.NewRecorder()
					s.ServeHTTP(w, httptest.NewRequest(rt.method, fzPath(rt.path, 0), nil))
					if w.Code == 404 && strings.Contains(w.Body.String(), "E0000008") {
						env.unmounted[e][rt] = true
					}
				}
			}
		}
		fzState = env
	})
	if fzErr != nil {
		t.Fatal(fzErr)
	}
	return fzState
}

// fzUnlimited lifts the org's rate limits, so inputs reach the handlers.
func fzUnlimited(s *emulator.Server) error {
	w := httptest.NewRecorder()
	r := httptest.NewRequest("PUT", "/_emulator/orgs/default/ratelimits", strings.NewReader(`{"default":0,"byPrefix":{}}`))
	r.Header.Set("Content-Type", "application/json")
	s.ServeHTTP(w, r)
	if w.Code != 200 {
		return fmt.Errorf("lifting rate limits: %d %s", w.Code, w.Body)
	}
	return nil
}

// fzPath fills a template's parameters, choosing values with sel.
func fzPath(template string, sel uint16) string {
	segs := strings.Split(template, "/")
	for i, s := range segs {
		if strings.HasPrefix(s, "{") && strings.HasSuffix(s, "}") {
			vals := fzParams[s[1:len(s)-1]]
			if len(vals) == 0 {
				vals = []string{"unknown"}
			}
			segs[i] = vals[int(sel)%len(vals)]
			sel /= 7
		}
	}
	return strings.Join(segs, "/")
}

// fzBody runs one input against the routes of the given fragments.
func fzBody(t *testing.T, fragments []string, engineSel bool, route uint8, params uint16, body []byte) {
	env := fzSetup(t)
	e := emulator.Classic
	if engineSel {
		e = emulator.Identity
	}
	var routes []fzRoute
	for _, f := range fragments {
		for _, rt := range env.routes[f] {
			if !env.unmounted[e][rt] {
				routes = append(routes, rt)
			}
		}
	}
	if len(routes) == 0 {
		t.Skipf("no body route of %v in %s", fragments, e)
	}
	env.mu.Lock()
	defer env.mu.Unlock()
	s := env.servers[e]
	env.inputs++
	if env.inputs%fzResetEvery == 0 {
		for _, srv := range env.servers {
			for _, name := range srv.OrgNames() {
				if name != "default" { // orgs FuzzControlBody created
					_ = srv.DeleteOrg(name)
				}
			}
			if err := srv.ResetOrg("default"); err != nil {
				t.Fatal(err)
			}
			if err := fzUnlimited(srv); err != nil {
				t.Fatal(err)
			}
		}
	}
	rt := routes[int(route)%len(routes)]
	req := httptest.NewRequest(rt.method, fzPath(rt.path, params), bytes.NewReader(body))
	req.Header.Set("Content-Type", rt.contentType)
	req.Header.Set("Accept", "application/json")
	if !strings.HasPrefix(rt.path, emulator.ControlPrefix) {
		req.Header.Set("Authorization", "SSWS "+fzToken)
	}
	w := httptest.NewRecorder()
	emulatortest.ValidatingHandler(t, s).ServeHTTP(w, req)
	if w.Code >= 500 {
		t.Fatalf("%s %s %s -> %d: %s\n\tbody sent: %q", e, req.Method, req.URL, w.Code, w.Body, body)
	}
	if w.Code == 404 && strings.Contains(w.Body.String(), "E0000008") {
		t.Fatalf("%s %s %s: the route is not mounted (404 E0000008)", e, req.Method, req.URL)
	}
}

// fzSeeds adds inputs every target starts from: well-formed bodies of the
// area, then the usual malformations.
func fzSeeds(f *testing.F, bodies ...string) {
	bodies = append(bodies, ``, `{`, `null`, `[]`, `"x"`, `{"profile":null}`, `{"profile":[]}`, `{"a":`+strings.Repeat("[", 64)+`}`,
		"\xff\xfe", `{"profile":{"login":1e400}}`, `{"stateToken":{"$ne":1}}`, `{}{}`)
	for i, b := range bodies {
		f.Add(i%2 == 0, uint8(i), uint16(i*13), []byte(b))
		f.Add(i%2 == 1, uint8(i*3+1), uint16(i*5+2), []byte(b))
	}
}

func FuzzUsersBody(f *testing.F) {
	fzSeeds(f,
		`{"profile":{"firstName":"F","lastName":"Z","email":"fz@example.com","login":"fz@example.com"},"credentials":{"password":{"value":"Pa55word!Emu"}}}`,
		`{"profile":{"firstName":"F","lastName":"Z","email":"fz@example.com","login":"fz@example.com"},"credentials":{"recovery_question":{"question":"q?","answer":"long answer"}},"groupIds":["00gmfarequired000000"]}`,
		`{"profile":{"nickName":"n","custom":[1,2],"mobilePhone":null}}`,
		`{"credentials":{"password":{"value":"short"}}}`,
		`{"profile":{"email":"not an email","login":""}}`)
	f.Fuzz(func(t *testing.T, engine bool, route uint8, params uint16, body []byte) {
		fzBody(t, []string{"users.yaml"}, engine, route, params, body)
	})
}

func FuzzGroupsBody(f *testing.F) {
	fzSeeds(f, `{"profile":{"name":"fz","description":"d"}}`, `{"profile":{"name":""}}`, `{"profile":{"name":"mfa-required"}}`)
	f.Fuzz(func(t *testing.T, engine bool, route uint8, params uint16, body []byte) {
		fzBody(t, []string{"groups.yaml"}, engine, route, params, body)
	})
}

func FuzzAuthnBody(f *testing.F) {
	fzSeeds(f, `{"username":"bob@example.com","password":"Pa55word!Emu"}`, `{"username":"bob@example.com","password":"wrong"}`,
		`{"username":"carol@example.com","password":"Pa55word!Emu","options":{"warnBeforePasswordExpired":true,"multiOptionalFactorEnroll":true}}`,
		`{"stateToken":"00nope","passCode":"123456"}`, `{"username":"alice@example.com","factorType":"EMAIL","relayState":"/x"}`,
		`{"recoveryToken":"nope"}`, `{"stateToken":"x","answer":"y","newPassword":"Pa55word!Emu2"}`)
	f.Fuzz(func(t *testing.T, engine bool, route uint8, params uint16, body []byte) {
		fzBody(t, []string{"authn.yaml"}, engine, route, params, body)
	})
}

func FuzzSessionsBody(f *testing.F) {
	fzSeeds(f, `{"sessionToken":"nope"}`, `{"sessionToken":""}`)
	f.Fuzz(func(t *testing.T, engine bool, route uint8, params uint16, body []byte) {
		fzBody(t, []string{"sessions.yaml"}, engine, route, params, body)
	})
}

func FuzzFactorsBody(f *testing.F) {
	fzSeeds(f, `{"factorType":"sms","provider":"OKTA","profile":{"phoneNumber":"+1-555-415-1337"}}`,
		`{"factorType":"token:software:totp","provider":"GOOGLE"}`, `{"factorType":"push","provider":"OKTA"}`,
		`{"factorType":"question","provider":"OKTA","profile":{"question":"disliked_food","answer":"mayonnaise"}}`,
		`{"passCode":"123456"}`, `{"answer":"mayonnaise"}`, `{"factorType":"email","provider":"OKTA","profile":{"email":"carol@example.com"}}`)
	f.Fuzz(func(t *testing.T, engine bool, route uint8, params uint16, body []byte) {
		fzBody(t, []string{"factors.yaml", "authenticators.yaml"}, engine, route, params, body)
	})
}

func FuzzPoliciesBody(f *testing.F) {
	fzSeeds(f, `{"type":"OKTA_SIGN_ON","name":"fz","status":"ACTIVE","conditions":{"people":{"groups":{"include":["00gmfarequired000000"]}}}}`,
		`{"type":"PASSWORD","name":"fz","settings":{"password":{"complexity":{"minLength":4}}}}`,
		`{"type":"SIGN_ON","name":"r","actions":{"signon":{"access":"ALLOW","requireFactor":true}}}`, `{"type":"NOPE"}`, `{"priority":-1}`)
	f.Fuzz(func(t *testing.T, engine bool, route uint8, params uint16, body []byte) {
		fzBody(t, []string{"policies.yaml"}, engine, route, params, body)
	})
}

func FuzzIDXBody(f *testing.F) {
	fzSeeds(f, `{"stateHandle":"nope"}`, `{"stateHandle":"nope","identifier":"bob@example.com"}`,
		`{"interactionHandle":"nope"}`, `{"stateHandle":"x","credentials":{"passcode":"Pa55word!Emu"}}`,
		`{"stateHandle":"x","authenticator":{"id":"aut1","methodType":"sms"}}`)
	f.Fuzz(func(t *testing.T, engine bool, route uint8, params uint16, body []byte) {
		fzBody(t, []string{"idx.yaml"}, engine, route, params, body)
	})
}

func FuzzOAuthForm(f *testing.F) {
	fzSeeds(f, `client_id=0oaoidcapp0000000000&scope=openid&redirect_uri=http://localhost/cb&code_challenge=abc&code_challenge_method=S256&state=s`,
		`grant_type=interaction_code&client_id=x&interaction_code=nope&code_verifier=v`, `grant_type=password`, `%zz=%`, `a=1&a=2&a`)
	f.Fuzz(func(t *testing.T, engine bool, route uint8, params uint16, body []byte) {
		fzBody(t, []string{"oauth.yaml"}, engine, route, params, body)
	})
}

func FuzzControlBody(f *testing.F) {
	fzSeeds(f, `{"name":"fz","engine":"identity"}`, `{"name":"Bad Name"}`, `{"now":"2026-01-01T00:00:00Z"}`, `{"duration":"90s"}`,
		`{"duration":"-1h"}`, `{"default":10,"byPrefix":{"/api/v1/users":1}}`, `{"deviceName":"fz"}`, `{"answer":42}`)
	f.Fuzz(func(t *testing.T, engine bool, route uint8, params uint16, body []byte) {
		fzBody(t, []string{"control.yaml"}, engine, route, params, body)
	})
}

// TestFuzzTargetsCoverEveryBodyRoute: every fragment with a body route is
// fuzzed by one of the targets above.
func TestFuzzTargetsCoverEveryBodyRoute(t *testing.T) {
	covered := map[string]bool{"users.yaml": true, "groups.yaml": true, "authn.yaml": true, "sessions.yaml": true,
		"factors.yaml": true, "authenticators.yaml": true, "policies.yaml": true, "idx.yaml": true, "oauth.yaml": true, "control.yaml": true}
	env := fzSetup(t)
	for frag, routes := range env.routes {
		if !covered[frag] {
			t.Errorf("%s has body routes no fuzz target covers: %v (add a Fuzz target in emulator/fuzz/fuzz_test.go)", frag, routes)
		}
	}
}
