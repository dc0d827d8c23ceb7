package emulator

import (
	"fmt"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/oktaemu/oktaemu/spec"
)

// ginParam matches a gin path parameter (":userId") or catch-all ("*rest").
var ginParam = regexp.MustCompile(`[:*]([A-Za-z0-9_]+)`)

// specParam matches an OpenAPI path parameter ("{userId}").
var specParam = regexp.MustCompile(`\{[^}]+\}`)

// ginToSpec turns a gin route path into an OpenAPI template.
func ginToSpec(p string) string { return ginParam.ReplaceAllString(p, "{$1}") }

// shape is a template with parameter names erased, so /users/{id} and
// /users/{userId} are the same route.
func shape(method, template string) string {
	return method + " " + specParam.ReplaceAllString(template, "{}")
}

// fragmentFor guesses which fragment should describe a route nobody
// describes yet: the fragment of another operation on the same path, else
// by path prefix (most specific first).
func fragmentFor(d *spec.Document, path string) string {
	for _, op := range d.Operations() {
		if specParam.ReplaceAllString(op.Path, "{}") == specParam.ReplaceAllString(path, "{}") {
			return op.Fragment
		}
	}
	norm := specParam.ReplaceAllString(path, "{}")
	for _, p := range []struct{ prefix, frag string }{
		{"/_emulator/ui", "console.yaml"},
		{"/_emulator/", "control.yaml"},
		{"/.well-known/okta-organization", "wellknown.yaml"},
		{"/api/v1/authn", "authn.yaml"},
		{"/api/v1/sessions", "sessions.yaml"},
		{"/api/v1/users/me", "sessions.yaml"},
		{"/api/v1/users/{}/sessions", "sessions.yaml"},
		{"/api/v1/users/{}/factors", "factors.yaml"},
		{"/api/v1/users/{}/authenticator-enrollments", "factors.yaml"},
		{"/api/v1/org/factors", "factors.yaml"},
		{"/api/v1/authenticators", "factors.yaml"},
		{"/api/v1/policies", "policies.yaml"},
		{"/idp/", "idx.yaml"},
		{"/oauth2/", "idx.yaml"},
		{"/.well-known/", "idx.yaml"},
		{"/api/v1/users", "users.yaml"},
		{"/api/v1/groups", "groups.yaml"},
	} {
		if strings.HasPrefix(norm, p.prefix) {
			return p.frag + " (guessed from the path)"
		}
	}
	return "no fragment claims this path yet"
}

// mountedRoutes lists the gin routes of the default org of each engine
// and of the control plane, as OpenAPI templates, by shape, with the
// engines (or "control") that mount them.
func mountedRoutes(t *testing.T) map[string]routeInfo {
	t.Helper()
	out := map[string]routeInfo{}
	add := func(h http.Handler, where string) {
		g, ok := h.(*gin.Engine)
		if !ok {
			t.Fatalf("%s: handler is %T, not *gin.Engine: the coverage test cannot list its routes", where, h)
		}
		for _, r := range g.Routes() {
			tmpl := ginToSpec(r.Path)
			k := shape(r.Method, tmpl)
			ri := out[k]
			ri.method, ri.path = r.Method, tmpl
			ri.where = append(ri.where, where)
			out[k] = ri
		}
	}
	for _, e := range Engines() {
		s, err := New(Options{Engine: e})
		if err != nil {
			t.Fatal(err)
		}
		add(s.lookup(s.defaultName).handler, string(e))
		if e == Classic {
			add(s.control, "control plane")
		}
	}
	return out
}

type routeInfo struct {
	method, path string
	where        []string
}

// TestEveryRouteHasASpecAndEverySpecARoute: every route mounted for an org
// (of either engine) or by the control plane has an operation in spec/, and
// every operation of spec/ is mounted somewhere. The failure lists what is
// missing, per fragment.
func TestEveryRouteHasASpecAndEverySpecARoute(t *testing.T) {
	d, err := spec.Load()
	if err != nil {
		t.Fatalf("spec: %v", err)
	}
	mounted := mountedRoutes(t)
	described := map[string]spec.Operation{}
	for _, op := range d.Operations() {
		described[shape(op.Method, op.Path)] = op
	}

	missingSpec := map[string][]string{} // fragment -> routes
	for k, r := range mounted {
		if _, ok := described[k]; !ok {
			f := fragmentFor(d, r.path)
			missingSpec[f] = append(missingSpec[f], fmt.Sprintf("%s %s (mounted by %s)", r.method, r.path, strings.Join(r.where, ", ")))
		}
	}
	missingRoute := map[string][]string{}
	for k, op := range described {
		if _, ok := mounted[k]; !ok {
			missingRoute[op.Fragment] = append(missingRoute[op.Fragment], op.Method+" "+op.Path)
		}
	}
	if msg := report(missingSpec); msg != "" {
		t.Errorf("mounted routes with no operation in spec/openapi, by fragment that should describe them:\n%s", msg)
	}
	if msg := report(missingRoute); msg != "" {
		t.Errorf("operations in spec/openapi that no org or control plane mounts, by fragment:\n%s", msg)
	}
}

func report(byFrag map[string][]string) string {
	frags := make([]string, 0, len(byFrag))
	for f := range byFrag {
		frags = append(frags, f)
	}
	sort.Strings(frags)
	var b strings.Builder
	for _, f := range frags {
		list := byFrag[f]
		sort.Strings(list)
		fmt.Fprintf(&b, "  %s:\n", f)
		for _, r := range list {
			fmt.Fprintf(&b, "    %s\n", r)
		}
	}
	return b.String()
}

// TestSpecShapeHelpers pins the conversions the coverage test relies on.
func TestSpecShapeHelpers(t *testing.T) {
	for in, want := range map[string]string{
		"/api/v1/users/:userId/factors/:factorId": "/api/v1/users/{userId}/factors/{factorId}",
		"/_emulator/ui/*file":                     "/_emulator/ui/{file}",
		"/api/v1/users":                           "/api/v1/users",
	} {
		if got := ginToSpec(in); got != want {
			t.Errorf("ginToSpec(%q) = %q, want %q", in, got, want)
		}
	}
	if a, b := shape("GET", "/users/{id}/x"), shape("GET", ginToSpec("/users/:userId/x")); a != b {
		t.Errorf("shapes differ: %q vs %q", a, b)
	}
}
