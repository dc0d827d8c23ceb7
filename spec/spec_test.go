package spec

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/routers"
	"github.com/google/go-cmp/cmp"
)

func TestLoadMergesEveryFragment(t *testing.T) {
	d, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	frags, err := Fragments()
	if err != nil {
		t.Fatal(err)
	}
	withOps := map[string]bool{}
	for _, op := range d.Operations() {
		withOps[op.Fragment] = true
		if d.T.Paths.Value(op.Path).GetOperation(op.Method) == nil {
			t.Errorf("%s %s (%s) is listed but not in the document", op.Method, op.Path, op.Fragment)
		}
	}
	for _, f := range frags {
		if f.Name != "common.yaml" && !withOps[f.Name] {
			t.Errorf("fragment %s contributes no operation", f.Name)
		}
	}
	for _, want := range []struct{ method, path, frag string }{
		{"GET", "/.well-known/okta-organization", "wellknown.yaml"},
		{"POST", "/api/v1/users", "users.yaml"},
		{"GET", "/api/v1/groups/{groupId}/users", "groups.yaml"},
		{"GET", "/_emulator/health", "control.yaml"},
	} {
		if got := d.FragmentOf(want.method, want.path); got != want.frag {
			t.Errorf("FragmentOf(%s %s) = %q, want %q", want.method, want.path, got, want.frag)
		}
	}
	if d.T.Components.Schemas["Error"] == nil || d.Origins["schemas/Error"] != "common.yaml" {
		t.Errorf("#/components/schemas/Error must come from common.yaml; origins: %v", d.Origins["schemas/Error"])
	}
}

// TestResponseSchemasAreStrict: every object schema with properties in a
// response declares additionalProperties, so extra fields fail validation
// unless the fragment says they are allowed (profiles with custom
// attributes).
func TestResponseSchemasAreStrict(t *testing.T) {
	d, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	seen := map[*openapi3.Schema]bool{}
	problems := map[string]bool{}
	for _, op := range d.Operations() {
		o := d.T.Paths.Value(op.Path).GetOperation(op.Method)
		for status, r := range o.Responses.Map() {
			if r.Value == nil {
				continue
			}
			for ct, mt := range r.Value.Content {
				where := fmt.Sprintf("%s: %s %s %s %s body", op.Fragment, op.Method, op.Path, status, ct)
				walkStrict(d, mt.Schema, where, seen, problems)
			}
		}
	}
	var list []string
	for p := range problems {
		list = append(list, p)
	}
	sort.Strings(list)
	if len(list) > 0 {
		t.Errorf("response object schemas without additionalProperties (set false, or a schema/true when extra keys are legitimate):\n%s",
			strings.Join(list, "\n"))
	}
}

func walkStrict(d *Document, ref *openapi3.SchemaRef, where string, seen map[*openapi3.Schema]bool, problems map[string]bool) {
	if ref == nil || ref.Value == nil || seen[ref.Value] {
		return
	}
	s := ref.Value
	seen[s] = true
	if name, ok := strings.CutPrefix(ref.Ref, "#/components/schemas/"); ok {
		where = d.Origins["schemas/"+name] + ": " + ref.Ref
	}
	if len(s.Properties) > 0 && s.AdditionalProperties.Has == nil && s.AdditionalProperties.Schema == nil {
		problems[where] = true
	}
	for name, p := range s.Properties {
		walkStrict(d, p, where+"."+name, seen, problems)
	}
	walkStrict(d, s.Items, where+"[]", seen, problems)
	walkStrict(d, s.AdditionalProperties.Schema, where+".*", seen, problems)
	for _, list := range [][]*openapi3.SchemaRef{s.AllOf, s.OneOf, s.AnyOf} {
		for _, sub := range list {
			walkStrict(d, sub, where, seen, problems)
		}
	}
}

const fragHead = "openapi: 3.0.3\ninfo: {title: t, version: \"1\"}\n"

func TestMergeRefusesConflicts(t *testing.T) {
	errSchema := "components:\n  schemas:\n    Error: {type: object}\n"
	ping := func(method string) string {
		return "paths:\n  /ping:\n    " + method + ":\n      responses:\n        \"204\": {description: ok}\n"
	}
	tests := []struct {
		name  string
		frags []Fragment
		want  string // substring of the error
	}{
		{"duplicate component", []Fragment{
			{"a.yaml", []byte(fragHead + errSchema)},
			{"b.yaml", []byte(fragHead + errSchema)},
		}, "b.yaml: component #/components/schemas/Error is already defined in a.yaml"},
		{"duplicate operation", []Fragment{
			{"a.yaml", []byte(fragHead + ping("get"))},
			{"b.yaml", []byte(fragHead + ping("get"))},
		}, "b.yaml: operation GET /ping is already defined in a.yaml"},
		{"servers", []Fragment{
			{"a.yaml", []byte(fragHead + "servers: [{url: 'http://x'}]\n")},
		}, "a.yaml: fragments must not declare servers"},
		{"unknown key", []Fragment{
			{"a.yaml", []byte(fragHead + "pathz: {}\n")},
		}, `a.yaml: unknown top-level key "pathz"`},
		{"swagger 2", []Fragment{
			{"a.yaml", []byte("openapi: 2.0\ninfo: {title: t, version: \"1\"}\n")},
		}, "a.yaml: openapi must be 3.0.x"},
		{"duplicate YAML key", []Fragment{
			{"a.yaml", []byte(fragHead + "paths: {}\npaths: {}\n")},
		}, "a.yaml"},
		{"dangling reference", []Fragment{
			{"a.yaml", []byte(fragHead + "paths:\n  /x:\n    get:\n      responses:\n        \"200\": {$ref: '#/components/responses/Nope'}\n")},
		}, "Nope"},
		{"conflicting path parameters", []Fragment{
			{"a.yaml", []byte(fragHead + "paths:\n  /u/{id}:\n    parameters: [{name: id, in: path, required: true, schema: {type: string}}]\n    get:\n      responses: {\"204\": {description: ok}}\n")},
			{"b.yaml", []byte(fragHead + "paths:\n  /u/{id}:\n    parameters: [{name: id, in: path, required: true, schema: {type: integer}}]\n    put:\n      responses: {\"204\": {description: ok}}\n")},
		}, "b.yaml: path /u/{id}: \"parameters\" differs from the one in a.yaml"},
		{"parameter names conflict", []Fragment{
			{"a.yaml", []byte(fragHead + "paths:\n  /u/{id}:\n    get:\n      parameters: [{name: id, in: path, required: true, schema: {type: string}}]\n      responses: {\"204\": {description: ok}}\n")},
			{"b.yaml", []byte(fragHead + "paths:\n  /u/{userId}/x:\n    get:\n      parameters: [{name: userId, in: path, required: true, schema: {type: string}}]\n      responses: {\"204\": {description: ok}}\n")},
		}, "conflicts with {id}"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Merge(tt.frags)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Merge error = %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func TestMergeSharesPathsAndComponents(t *testing.T) {
	d, err := Merge([]Fragment{
		{"a.yaml", []byte(fragHead + "security: [{k: []}]\npaths:\n  /ping:\n    get:\n      responses:\n        \"200\": {$ref: '#/components/responses/Pong'}\n" +
			"components:\n  securitySchemes:\n    k: {type: apiKey, in: header, name: Authorization}\n")},
		{"b.yaml", []byte(fragHead + "paths:\n  /ping:\n    delete:\n      security: []\n      responses:\n        \"204\": {description: gone}\n" +
			"components:\n  responses:\n    Pong:\n      description: pong\n      content:\n        application/json:\n          schema: {type: object}\n")},
	})
	if err != nil {
		t.Fatal(err)
	}
	got := d.Operations()
	want := []Operation{{"DELETE", "/ping", "b.yaml"}, {"GET", "/ping", "a.yaml"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("operations (-want +got):\n%s", diff)
	}
	get := d.T.Paths.Value("/ping").Get
	if get.Security == nil || len(*get.Security) != 1 {
		t.Errorf("GET /ping security = %v, want the fragment's top-level security", get.Security)
	}
	if del := d.T.Paths.Value("/ping").Delete; del.Security == nil || len(*del.Security) != 0 {
		t.Errorf("DELETE /ping security = %v, want its own empty list", del.Security)
	}
}

func TestFind(t *testing.T) {
	d, err := Merge([]Fragment{{"a.yaml", []byte(fragHead + `paths:
  /users/{id}:
    parameters: [{name: id, in: path, required: true, schema: {type: string}}]
    get: {responses: {"200": {description: ok}}}
    delete: {responses: {"204": {description: ok}}}
  /users/me:
    get: {responses: {"200": {description: ok}}}
  /users/{id}/groups:
    parameters: [{name: id, in: path, required: true, schema: {type: string}}]
    get: {responses: {"200": {description: ok}}}
`)}})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		method, path string
		wantPath     string
		wantParams   map[string]string
		wantErr      error
	}{
		{"GET", "/users/me", "/users/me", map[string]string{}, nil},
		{"DELETE", "/users/me", "/users/{id}", map[string]string{"id": "me"}, nil},
		{"get", "/users/00u1", "/users/{id}", map[string]string{"id": "00u1"}, nil},
		{"GET", "/users/a%40b.com/groups", "/users/{id}/groups", map[string]string{"id": "a@b.com"}, nil},
		{"POST", "/users/00u1", "", nil, routers.ErrMethodNotAllowed},
		{"GET", "/users/", "", nil, routers.ErrPathNotFound},
		{"GET", "/users/00u1/apps", "", nil, routers.ErrPathNotFound},
		{"GET", "/nope", "", nil, routers.ErrPathNotFound},
	}
	for _, tt := range tests {
		r, params, err := d.Find(tt.method, tt.path)
		if !errors.Is(err, tt.wantErr) {
			t.Errorf("Find(%s %s) error = %v, want %v", tt.method, tt.path, err, tt.wantErr)
			continue
		}
		if err != nil {
			continue
		}
		if r.Path != tt.wantPath {
			t.Errorf("Find(%s %s) = %s, want %s", tt.method, tt.path, r.Path, tt.wantPath)
		}
		if diff := cmp.Diff(tt.wantParams, params); diff != "" {
			t.Errorf("Find(%s %s) params (-want +got):\n%s", tt.method, tt.path, diff)
		}
	}
}
