package emulator_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"

	"github.com/oktaemu/oktaemu/emulator"
	"github.com/oktaemu/oktaemu/emulator/emulatortest"
	"github.com/oktaemu/oktaemu/spec"
)

// oktaSpecModule is the Go module that ships Okta's management OpenAPI spec
// (okta/api/openapi.yaml). It is read from the module cache, never copied.
const oktaSpecModule = "github.com/okta/okta-sdk-golang/v5"

// oktaDeviation is an intended difference between our responses and Okta's
// own management spec: a validation failure of operation Op (METHOD and
// Okta's path template; "*" for any) at status Status (0 for any) whose text
// contains Contains is accepted for Reason. A deviation that no longer
// matches anything on an operation the test exercised fails the test:
// remove it.
type oktaDeviation struct {
	Op       string
	Status   int
	Contains string
	Reason   string
}

// oktaDeviations lists every intended difference.
var oktaDeviations = []oktaDeviation{
	{"*", 401, "status is not supported",
		"a wrong SSWS token is 401 E0000011 on every management route (errors.md §4; Okta's own example " +
			"ErrorInvalidTokenProvided), and Identity-Engine-only APIs in a Classic org answer 401 E0000015 " +
			"(errors.md, suggested); Okta's spec lists 401 on few operations"},
	{"GET /api/v1/users/{userId}/factors/catalog", 200, "/_embedded/phones: value must be an object",
		"Okta's spec types every `_embedded` value of UserFactorSupported as an object; the Factors API docs show " +
			"the sms entry's `_embedded.phones` as an array of phones (factors.md, catalog), which we follow"},
	{"GET /api/v1/policies", 400, "status is not supported",
		"`type` is a required query parameter in Okta's spec; without it we answer 400 E0000028 " +
			"(errors.md §2), a status Okta's spec does not list"},
}

var (
	oktaDocOnce sync.Once
	oktaDoc     *spec.Document
	oktaDocErr  error
)

// loadOktaSpec finds okta/api/openapi.yaml in the module cache (go list -m)
// and indexes it. Okta's spec does not pass kin-openapi's document
// validation (invalid examples), so it is only loaded, not validated.
func loadOktaSpec(t *testing.T) *spec.Document {
	t.Helper()
	oktaDocOnce.Do(func() {
		out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", oktaSpecModule).Output()
		dir := strings.TrimSpace(string(out))
		if err != nil || dir == "" {
			oktaDocErr = fmt.Errorf("go list -m %s: %v (%s): run go mod download %s", oktaSpecModule, err, out, oktaSpecModule)
			return
		}
		raw, err := os.ReadFile(filepath.Join(dir, "okta", "api", "openapi.yaml"))
		if err != nil {
			oktaDocErr = err
			return
		}
		ours, err := spec.Load()
		if err != nil {
			oktaDocErr = err
			return
		}
		want := map[string]bool{}
		for _, op := range ours.Operations() {
			want[oktaShape(op.Path)] = true
		}
		pruned, err := pruneOktaSpec(raw, want)
		if err != nil {
			oktaDocErr = err
			return
		}
		loader := openapi3.NewLoader()
		loader.IsExternalRefsAllowed = false
		doc, err := loader.LoadFromData(pruned)
		if err != nil {
			oktaDocErr = fmt.Errorf("loading the pruned spec: %w", err)
			return
		}
		oktaDoc, oktaDocErr = spec.Index(doc, "okta")
	})
	if oktaDocErr != nil {
		t.Fatalf("Okta's management spec: %v", oktaDocErr)
	}
	return oktaDoc
}

var (
	oktaParam = regexp.MustCompile(`\{[^}]+\}`)
	oktaRef   = regexp.MustCompile(`#/components/([A-Za-z]+)/([A-Za-z0-9_.\-]+)`)
)

// oktaShape is a path template with parameter names erased.
func oktaShape(p string) string { return oktaParam.ReplaceAllString(p, "{}") }

// pruneOktaSpec cuts Okta's 2.6 MB spec down, as text, to the paths whose
// shape is in want and the components they reference (transitively), so
// that parsing it stays fast under -race (the whole file takes ~20 s). It
// relies on the file's layout: top-level keys at column 0, paths and
// component sections at indent 2, components at indent 4.
func pruneOktaSpec(raw []byte, want map[string]bool) ([]byte, error) {
	lines := strings.Split(string(raw), "\n")
	indent := func(l string) int { return len(l) - len(strings.TrimLeft(l, " ")) }
	// blocks maps "paths//api/v1/users" and "schemas/User" to their text.
	blocks := map[string]string{}
	var head []string
	top, section := "", ""
	for i := 0; i < len(lines); {
		l := lines[i]
		if strings.TrimSpace(l) == "" {
			i++
			continue
		}
		in := indent(l)
		key := strings.TrimSuffix(strings.TrimSpace(l), ":")
		switch {
		case in == 0:
			top, section = key, ""
			if top == "openapi" || top == "info" {
				head = append(head, l)
			}
			i++
			continue
		case top == "info":
			head = append(head, l)
			i++
			continue
		case top == "components" && in == 2:
			section = key
			i++
			continue
		}
		blockIndent := 2
		name := ""
		switch {
		case top == "paths" && in == 2:
			name = "paths/" + strings.Trim(key, `'"`)
		case top == "components" && in == 4 && section != "":
			name = section + "/" + strings.Trim(key, `'"`)
			blockIndent = 4
		default:
			i++
			continue
		}
		j := i + 1
		for j < len(lines) && (strings.TrimSpace(lines[j]) == "" || indent(lines[j]) > blockIndent) {
			j++
		}
		blocks[name] = strings.Join(lines[i:j], "\n")
		i = j
	}
	var paths []string
	for name := range blocks {
		if p, ok := strings.CutPrefix(name, "paths/"); ok && want[oktaShape(p)] {
			paths = append(paths, name)
		}
	}
	if len(paths) == 0 {
		return nil, fmt.Errorf("no path of Okta's spec matches ours: has its layout changed?")
	}
	sort.Strings(paths)
	need := map[string]bool{}
	queue := append([]string(nil), paths...)
	for name := range blocks {
		if strings.HasPrefix(name, "securitySchemes/") {
			queue = append(queue, name)
		}
	}
	for len(queue) > 0 {
		name := queue[0]
		queue = queue[1:]
		if need[name] {
			continue
		}
		need[name] = true
		for _, m := range oktaRef.FindAllStringSubmatch(dropExamples(blocks[name]), -1) {
			ref := m[1] + "/" + m[2]
			if _, ok := blocks[ref]; !ok {
				return nil, fmt.Errorf("Okta's spec: %s refers to the missing %s", name, ref)
			}
			queue = append(queue, ref)
		}
	}
	var b strings.Builder
	b.WriteString(strings.Join(head, "\n") + "\npaths:\n")
	for _, p := range paths {
		b.WriteString(dropExamples(blocks[p]) + "\n")
	}
	b.WriteString("components:\n")
	sections := map[string][]string{}
	for name := range need {
		if sec, _, ok := strings.Cut(name, "/"); ok && sec != "paths" {
			sections[sec] = append(sections[sec], name)
		}
	}
	for _, sec := range []string{"examples", "parameters", "requestBodies", "responses", "schemas", "securitySchemes", "headers", "links", "callbacks"} {
		names := sections[sec]
		if len(names) == 0 {
			continue
		}
		sort.Strings(names)
		b.WriteString("  " + sec + ":\n")
		for _, n := range names {
			b.WriteString(dropExamples(blocks[n]) + "\n")
		}
	}
	return []byte(b.String()), nil
}

// dropExamples removes `examples:` maps (named examples of media types and
// parameters): they weigh most of the spec and play no part in validation.
func dropExamples(block string) string {
	lines := strings.Split(block, "\n")
	out := lines[:0]
	skip := -1
	for _, l := range lines {
		in := len(l) - len(strings.TrimLeft(l, " "))
		if skip >= 0 {
			if strings.TrimSpace(l) == "" || in > skip {
				continue
			}
			skip = -1
		}
		if strings.TrimSpace(l) == "examples:" {
			skip = in
			continue
		}
		out = append(out, l)
	}
	return strings.Join(out, "\n")
}

// oktaChecker validates responses against Okta's spec, collecting failures
// and the deviations that matched.
type oktaChecker struct {
	t       *testing.T
	doc     *spec.Document
	mu      sync.Mutex
	used    map[int]bool
	checked map[string]bool // Okta operations exercised
}

// check validates one exchange when Okta's spec has the operation.
func (c *oktaChecker) check(req *http.Request, status int, header http.Header, body []byte) {
	c.t.Helper()
	path := req.URL.EscapedPath()
	if strings.HasPrefix(path, emulator.ControlPrefix) {
		return
	}
	route, params, err := c.doc.Find(req.Method, path)
	if err != nil {
		return // not an operation of Okta's management spec (authn, IDX, OIDC...)
	}
	op := route.Method + " " + route.Path
	c.mu.Lock()
	c.checked[op] = true
	c.mu.Unlock()
	opts := &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true,
		AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}
	err = openapi3filter.ValidateResponse(context.Background(), &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route, Options: opts},
		Status:                 status, Header: header, Body: io.NopCloser(bytes.NewReader(body)), Options: opts,
	})
	for _, problem := range flattenKin(err) {
		if i, ok := c.deviation(op, status, problem); ok {
			c.mu.Lock()
			c.used[i] = true
			c.mu.Unlock()
			continue
		}
		c.t.Errorf("Okta's spec: %s %s -> %d (Okta's %s): %s\n\tbody: %.1000s", req.Method, req.URL.RequestURI(), status, op, problem, body)
	}
}

func (c *oktaChecker) deviation(op string, status int, problem string) (int, bool) {
	for i, d := range oktaDeviations {
		if (d.Op == "*" || d.Op == op) && (d.Status == 0 || d.Status == status) && strings.Contains(problem, d.Contains) {
			return i, true
		}
	}
	return 0, false
}

// flattenKin lists the individual problems of a kin-openapi error.
func flattenKin(err error) []string {
	if err == nil {
		return nil
	}
	var me openapi3.MultiError
	if errors.As(err, &me) {
		var out []string
		prefix := ""
		var re *openapi3filter.ResponseError
		if errors.As(err, &re) {
			prefix = re.Reason + ": "
		}
		for _, e := range me {
			for _, p := range flattenKin(e) {
				out = append(out, prefix+p)
			}
		}
		return out
	}
	var se *openapi3.SchemaError
	if errors.As(err, &se) {
		return []string{"/" + strings.Join(se.JSONPointer(), "/") + ": " + se.Reason}
	}
	var re *openapi3filter.ResponseError
	if errors.As(err, &re) {
		if re.Err != nil {
			var out []string
			for _, p := range flattenKin(re.Err) {
				out = append(out, re.Reason+": "+p)
			}
			return out
		}
		return []string{re.Reason}
	}
	return []string{err.Error()}
}

// oktaCall sends one request and validates the answer against Okta's spec.
func (c *oktaChecker) call(s *emulatortest.Server, method, path, auth, body string) (int, []byte) {
	c.t.Helper()
	req, err := http.NewRequest(method, s.URL+path, strings.NewReader(body))
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
	resp, err := s.Client().Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	c.check(req, resp.StatusCode, resp.Header, b)
	return resp.StatusCode, b
}

func oktaID(t *testing.T, b []byte) string {
	t.Helper()
	var v struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(b, &v); err != nil || v.ID == "" {
		t.Fatalf("no id in %s", b)
	}
	return v.ID
}

// TestResponsesMatchOktasSpec drives the Users, Groups and well-known
// routes (and every parameterless GET both specs have) in both engines and
// validates each answer against Okta's own management spec, with the
// intended deviations above.
func TestResponsesMatchOktasSpec(t *testing.T) {
	doc := loadOktaSpec(t)
	ours, err := spec.Load()
	if err != nil {
		t.Fatal(err)
	}
	c := &oktaChecker{t: t, doc: doc, used: map[int]bool{}, checked: map[string]bool{}}
	for _, e := range emulator.Engines() {
		s := emulatortest.NewServer(t, emulatortest.WithEngine(e))
		ssws := "SSWS " + s.Token
		want := func(st, code int, what string) {
			t.Helper()
			if st != code {
				t.Fatalf("%s: %s: status %d, want %d", e, what, st, code)
			}
		}
		st, _ := c.call(s, "GET", "/.well-known/okta-organization", "", "")
		want(st, 200, "well-known")

		// Users.
		st, b := c.call(s, "POST", "/api/v1/users?activate=false", ssws,
			`{"profile":{"firstName":"Dana","lastName":"Dunn","email":"dana@example.com","login":"dana@example.com","mobilePhone":null},"credentials":{"password":{"value":"Pa55word!Emu"}}}`)
		want(st, 200, "create staged user")
		dana := oktaID(t, b)
		st, b = c.call(s, "POST", "/api/v1/groups", ssws, `{"profile":{"name":"okta-spec","description":"d"}}`)
		want(st, 200, "create group")
		group := oktaID(t, b)
		st, b = c.call(s, "POST", "/api/v1/users?activate=true", ssws,
			`{"profile":{"firstName":"Eve","lastName":"Eng","email":"eve@example.com","login":"eve@example.com"},`+
				`"credentials":{"password":{"value":"Pa55word!Emu"},"recovery_question":{"question":"Color?","answer":"blue sky"}},"groupIds":["`+group+`"]}`)
		want(st, 200, "create active user")
		eve := oktaID(t, b)
		for _, p := range []string{"/api/v1/users/" + dana, "/api/v1/users/eve@example.com", "/api/v1/users?limit=1",
			"/api/v1/users?filter=" + urlQuery(`status eq "ACTIVE"`), "/api/v1/users?q=eve", "/api/v1/users?search=" + urlQuery(`profile.login eq "eve@example.com"`),
			"/api/v1/users/" + eve + "/groups"} {
			st, _ = c.call(s, "GET", p, ssws, "")
			want(st, 200, "GET "+p)
		}
		st, _ = c.call(s, "POST", "/api/v1/users/"+eve, ssws, `{"profile":{"nickName":"evie"}}`)
		want(st, 200, "partial update")
		st, _ = c.call(s, "PUT", "/api/v1/users/"+eve, ssws, `{"profile":{"firstName":"Eve","lastName":"Eng","email":"eve@example.com","login":"eve@example.com"}}`)
		want(st, 200, "full update")
		st, _ = c.call(s, "POST", "/api/v1/users/"+dana+"/lifecycle/activate?sendEmail=false", ssws, "")
		want(st, 200, "activate")
		for _, op := range []string{"suspend", "unsuspend", "expire_password", "reset_password?sendEmail=false", "reset_password?sendEmail=true"} {
			st, _ = c.call(s, "POST", "/api/v1/users/"+eve+"/lifecycle/"+op, ssws, "")
			want(st, 200, op)
		}
		st, _ = c.call(s, "POST", "/api/v1/users/"+eve+"/lifecycle/unlock", ssws, "")
		if st != 200 && st != 403 {
			t.Errorf("%s: unlock: status %d", e, st)
		}
		st, _ = c.call(s, "POST", "/api/v1/users/"+dana+"/lifecycle/deactivate", ssws, "")
		want(st, 200, "deactivate")
		st, _ = c.call(s, "POST", "/api/v1/users/"+dana+"/lifecycle/reactivate?sendEmail=false", ssws, "")
		if st != 200 && st != 403 {
			t.Errorf("%s: reactivate: status %d", e, st)
		}

		// Groups.
		for _, p := range []string{"/api/v1/groups/" + group, "/api/v1/groups?q=okta", "/api/v1/groups?limit=1", "/api/v1/groups/" + group + "/users"} {
			st, _ = c.call(s, "GET", p, ssws, "")
			want(st, 200, "GET "+p)
		}
		st, _ = c.call(s, "PUT", "/api/v1/groups/"+group, ssws, `{"profile":{"name":"okta-spec-2","description":"d2"}}`)
		want(st, 200, "update group")
		st, _ = c.call(s, "PUT", "/api/v1/groups/"+group+"/users/"+dana, ssws, "")
		want(st, 204, "add member")
		st, _ = c.call(s, "DELETE", "/api/v1/groups/"+group+"/users/"+dana, ssws, "")
		want(st, 204, "remove member")

		// Errors.
		for _, x := range []struct {
			method, path, auth, body string
			status                   int
		}{
			{"GET", "/api/v1/users/00unknown0000000000", ssws, "", 404},
			{"GET", "/api/v1/users", "", "", 403},
			{"GET", "/api/v1/users", "SSWS wrong", "", 401},
			{"POST", "/api/v1/users", ssws, `{"profile":`, 400},
			{"POST", "/api/v1/users", ssws, `{"profile":{"login":"x@example.com"}}`, 400},
			{"GET", "/api/v1/groups/00gunknown0000000000", ssws, "", 404},
			{"POST", "/api/v1/groups", ssws, `{}`, 400},
		} {
			st, _ = c.call(s, x.method, x.path, x.auth, x.body)
			want(st, x.status, x.method+" "+x.path)
		}

		// Every GET both specs describe, whoever owns it, with fixture ids.
		for _, op := range ours.Operations() {
			if op.Method != "GET" || strings.HasPrefix(op.Path, emulator.ControlPrefix) {
				continue
			}
			if _, _, err := doc.Find("GET", biPath(op.Path)); err != nil {
				continue
			}
			c.call(s, "GET", biPath(op.Path), ssws, "")
		}

		// Deletes last.
		st, _ = c.call(s, "DELETE", "/api/v1/groups/"+group, ssws, "")
		want(st, 204, "delete group")
		for range 2 {
			st, _ = c.call(s, "DELETE", "/api/v1/users/"+dana, ssws, "")
			want(st, 204, "delete user")
		}
	}
	for i, d := range oktaDeviations {
		if !c.used[i] && (d.Op == "*" || c.checked[d.Op]) {
			t.Errorf("deviation no longer needed (remove it): %s %q (%s)", d.Op, d.Contains, d.Reason)
		}
	}
	if len(c.checked) < 15 {
		t.Errorf("only %d of Okta's operations were exercised: %v", len(c.checked), c.checked)
	}
}

func urlQuery(s string) string {
	r := strings.NewReplacer(" ", "%20", `"`, "%22")
	return r.Replace(s)
}
