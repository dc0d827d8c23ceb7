package spec

import (
	"context"
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"reflect"
	"sort"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/routers"
	"go.yaml.in/yaml/v4"
)

//go:embed openapi/*.yaml
var embedded embed.FS

// Fragment is one spec/openapi/*.yaml file.
type Fragment struct {
	// Name is the file name, "users.yaml".
	Name string
	// Data is the YAML text.
	Data []byte
}

// Fragments returns the embedded fragments, sorted by name.
func Fragments() ([]Fragment, error) {
	names, err := fs.Glob(embedded, "openapi/*.yaml")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	out := make([]Fragment, 0, len(names))
	for _, n := range names {
		b, err := embedded.ReadFile(n)
		if err != nil {
			return nil, err
		}
		out = append(out, Fragment{Name: path.Base(n), Data: b})
	}
	return out, nil
}

// Operation is one method of one path of the merged document.
type Operation struct {
	Method   string // upper case: GET, POST...
	Path     string // template: /api/v1/users/{userId}
	Fragment string // the fragment that defines it: "users.yaml"
}

// Document is the merged, validated description.
type Document struct {
	// T is the kin-openapi document. Treat it as read-only: it is shared.
	T *openapi3.T
	// Origins maps each component ("schemas/Error") to its fragment.
	Origins map[string]string

	ops    []Operation
	origin map[string]string // "GET /path" -> fragment
	root   *node
}

// Operations lists every operation, sorted by path then method.
func (d *Document) Operations() []Operation { return append([]Operation(nil), d.ops...) }

// FragmentOf names the fragment defining method on the path template p, or
// "".
func (d *Document) FragmentOf(method, p string) string { return d.origin[method+" "+p] }

var load = sync.OnceValues(func() (*Document, error) {
	frags, err := Fragments()
	if err != nil {
		return nil, err
	}
	return Merge(frags)
})

// Load returns the merged document of the embedded fragments. It is built
// once per process and shared: callers must not modify it.
func Load() (*Document, error) { return load() }

// MustLoad is Load for tests and init code: it panics on an invalid spec.
func MustLoad() *Document {
	d, err := Load()
	if err != nil {
		panic(err)
	}
	return d
}

// componentSections are the maps of `components` whose keys must be unique
// across fragments.
var componentSections = []string{"schemas", "responses", "parameters", "examples", "requestBodies",
	"headers", "securitySchemes", "links", "callbacks"}

var httpMethods = map[string]bool{"get": true, "put": true, "post": true, "delete": true,
	"options": true, "head": true, "patch": true, "trace": true}

// Merge merges fragments into one document, loads it with kin-openapi and
// validates it. Errors name the fragment(s) at fault.
func Merge(frags []Fragment) (*Document, error) {
	paths := map[string]any{}
	components := map[string]any{}
	var tags []any
	tagSeen := map[string]string{}
	origin := map[string]string{}
	pathOrigin := map[string]string{}
	compOrigin := map[string]string{}
	info := map[string]any{"title": "oktaemu", "version": "1",
		"description": "The emulated Okta surface and the emulator's control plane, merged from spec/openapi/*.yaml."}

	for _, f := range frags {
		raw, err := parseYAML(f)
		if err != nil {
			return nil, err
		}
		for k := range raw {
			switch k {
			case "openapi", "info", "paths", "components", "tags", "security":
			case "servers":
				return nil, fmt.Errorf("%s: fragments must not declare servers (routing is by path only)", f.Name)
			default:
				if !strings.HasPrefix(k, "x-") {
					return nil, fmt.Errorf("%s: unknown top-level key %q", f.Name, k)
				}
			}
		}
		if v, _ := raw["openapi"].(string); !strings.HasPrefix(v, "3.0.") {
			return nil, fmt.Errorf("%s: openapi must be 3.0.x, got %v", f.Name, raw["openapi"])
		}
		if f.Name == "common.yaml" {
			if in, ok := raw["info"].(map[string]any); ok {
				info = in
			}
		}
		security, hasSecurity := raw["security"]

		fpaths, err := asMap(raw["paths"], f.Name, "paths")
		if err != nil {
			return nil, err
		}
		for p, v := range fpaths {
			item, err := asMap(v, f.Name, "paths."+p)
			if err != nil {
				return nil, err
			}
			if !strings.HasPrefix(p, "/") {
				return nil, fmt.Errorf("%s: path %q must start with /", f.Name, p)
			}
			merged, _ := paths[p].(map[string]any)
			if merged == nil {
				merged = map[string]any{}
				paths[p] = merged
				pathOrigin[p] = f.Name
			}
			for k, v := range item {
				m := strings.ToLower(k)
				if !httpMethods[m] {
					if old, dup := merged[k]; dup && !reflect.DeepEqual(old, v) {
						return nil, fmt.Errorf("%s: path %s: %q differs from the one in %s", f.Name, p, k, pathOrigin[p])
					}
					merged[k] = v
					continue
				}
				key := strings.ToUpper(m) + " " + p
				if prev, dup := origin[key]; dup {
					return nil, fmt.Errorf("%s: operation %s is already defined in %s", f.Name, key, prev)
				}
				op, err := asMap(v, f.Name, "paths."+p+"."+k)
				if err != nil {
					return nil, err
				}
				if _, ok := op["security"]; !ok && hasSecurity {
					op["security"] = security
				}
				merged[m] = op
				origin[key] = f.Name
			}
		}

		fcomp, err := asMap(raw["components"], f.Name, "components")
		if err != nil {
			return nil, err
		}
		for section, v := range fcomp {
			if !contains(componentSections, section) && !strings.HasPrefix(section, "x-") {
				return nil, fmt.Errorf("%s: unknown components section %q", f.Name, section)
			}
			entries, err := asMap(v, f.Name, "components."+section)
			if err != nil {
				return nil, err
			}
			dst, _ := components[section].(map[string]any)
			if dst == nil {
				dst = map[string]any{}
				components[section] = dst
			}
			for name, c := range entries {
				key := section + "/" + name
				if prev, dup := compOrigin[key]; dup {
					return nil, fmt.Errorf("%s: component #/components/%s is already defined in %s (prefix component names with the area)", f.Name, key, prev)
				}
				compOrigin[key] = f.Name
				dst[name] = c
			}
		}

		if ts, ok := raw["tags"].([]any); ok {
			for _, t := range ts {
				tm, _ := t.(map[string]any)
				name, _ := tm["name"].(string)
				if prev, dup := tagSeen[name]; dup {
					if !reflect.DeepEqual(t, tagsByName(tags, name)) {
						return nil, fmt.Errorf("%s: tag %q differs from the one in %s", f.Name, name, prev)
					}
					continue
				}
				tagSeen[name] = f.Name
				tags = append(tags, t)
			}
		}
	}

	doc := map[string]any{"openapi": "3.0.3", "info": info, "paths": paths, "components": components}
	if len(tags) > 0 {
		doc["tags"] = tags
	}
	b, err := json.Marshal(doc)
	if err != nil {
		return nil, fmt.Errorf("spec: %w", err)
	}
	// JSON straight into the document, then references resolved: the
	// loader's LoadFromData would parse the JSON as YAML, several times
	// slower (it matters under -race, where every test binary loads this).
	t := &openapi3.T{}
	if err := t.UnmarshalJSON(b); err != nil {
		return nil, fmt.Errorf("spec: loading the merged fragments: %w", err)
	}
	loader := openapi3.NewLoader()
	loader.IsExternalRefsAllowed = false
	if err := loader.ResolveRefsIn(t, nil); err != nil {
		return nil, fmt.Errorf("spec: loading the merged fragments: %w", err)
	}
	if err := t.Validate(context.Background()); err != nil {
		return nil, fmt.Errorf("spec: the merged fragments are not a valid OpenAPI 3.0 document: %w", err)
	}

	d, err := index(t, origin, true)
	if err != nil {
		return nil, err
	}
	d.Origins = compOrigin
	return d, nil
}

// Index makes a Document of an OpenAPI document loaded elsewhere (Okta's
// own management spec, say), for FindRoute and Operations. Every operation
// is attributed to the fragment name. Parameter names may differ between
// paths at the same position, as in Okta's spec.
func Index(t *openapi3.T, name string) (*Document, error) {
	origin := map[string]string{}
	for p, item := range t.Paths.Map() {
		for m := range item.Operations() {
			origin[strings.ToUpper(m)+" "+p] = name
		}
	}
	return index(t, origin, false)
}

func index(t *openapi3.T, origin map[string]string, strictParams bool) (*Document, error) {
	d := &Document{T: t, origin: origin, root: &node{}}
	for key, frag := range origin {
		m, p, _ := strings.Cut(key, " ")
		d.ops = append(d.ops, Operation{Method: m, Path: p, Fragment: frag})
	}
	sort.Slice(d.ops, func(i, j int) bool {
		if d.ops[i].Path != d.ops[j].Path {
			return d.ops[i].Path < d.ops[j].Path
		}
		return d.ops[i].Method < d.ops[j].Method
	})
	for _, op := range d.ops {
		item := t.Paths.Value(op.Path)
		r := &routers.Route{Spec: t, Path: op.Path, PathItem: item, Method: op.Method,
			Operation: item.GetOperation(op.Method)}
		if err := d.root.add(op.Path, op.Method, r, strictParams); err != nil {
			return nil, fmt.Errorf("%s: %w", op.Fragment, err)
		}
	}
	return d, nil
}

func tagsByName(tags []any, name string) any {
	for _, t := range tags {
		if tm, _ := t.(map[string]any); tm["name"] == name {
			return t
		}
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func asMap(v any, frag, where string) (map[string]any, error) {
	if v == nil {
		return map[string]any{}, nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%s: %s must be a mapping", frag, where)
	}
	return m, nil
}

// parseYAML reads a fragment (duplicate keys fail) into JSON-like
// values with string keys.
func parseYAML(f Fragment) (map[string]any, error) {
	var v any
	if err := yaml.Unmarshal(f.Data, &v); err != nil {
		return nil, fmt.Errorf("%s: %w", f.Name, err)
	}
	v, err := normalize(v)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", f.Name, err)
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%s: not a YAML mapping", f.Name)
	}
	return m, nil
}

func normalize(v any) (any, error) {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			n, err := normalize(e)
			if err != nil {
				return nil, err
			}
			x[k] = n
		}
		return x, nil
	case map[any]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			n, err := normalize(e)
			if err != nil {
				return nil, err
			}
			out[fmt.Sprint(k)] = n
		}
		return out, nil
	case []any:
		for i, e := range x {
			n, err := normalize(e)
			if err != nil {
				return nil, err
			}
			x[i] = n
		}
		return x, nil
	}
	return v, nil
}

// FindRoute finds the operation serving req by method and path (host and
// scheme are ignored), with its path parameters. Literal segments win over
// parameters, per method, as in gin. The error is routers.ErrPathNotFound
// or routers.ErrMethodNotAllowed.
func (d *Document) FindRoute(req *http.Request) (*routers.Route, map[string]string, error) {
	return d.Find(req.Method, req.URL.EscapedPath())
}

// Find is FindRoute for a method and an escaped path.
func (d *Document) Find(method, escapedPath string) (*routers.Route, map[string]string, error) {
	segs := strings.Split(strings.TrimPrefix(escapedPath, "/"), "/")
	method = strings.ToUpper(method)
	var values []string
	n := d.root.match(segs, method, &values)
	if n == nil {
		if d.root.match(segs, "", new([]string)) != nil {
			return nil, nil, routers.ErrMethodNotAllowed
		}
		return nil, nil, routers.ErrPathNotFound
	}
	r := n.routes[method]
	params := map[string]string{}
	for i, name := range templateParams(r.Path) {
		if i < len(values) {
			params[name] = values[i]
		}
	}
	return r, params, nil
}

// templateParams lists the parameter names of a path template, in order.
func templateParams(template string) []string {
	var names []string
	for _, seg := range strings.Split(template, "/") {
		if strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}") {
			names = append(names, seg[1:len(seg)-1])
		}
	}
	return names
}

// node is a segment trie of path templates.
type node struct {
	literal   map[string]*node
	param     *node
	paramName string
	routes    map[string]*routers.Route
}

func (n *node) add(template, method string, r *routers.Route, strictParams bool) error {
	cur := n
	for _, seg := range strings.Split(strings.TrimPrefix(template, "/"), "/") {
		if strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}") {
			name := seg[1 : len(seg)-1]
			if cur.param == nil {
				cur.param = &node{paramName: name}
			} else if strictParams && cur.param.paramName != name {
				return fmt.Errorf("path %s: parameter {%s} conflicts with {%s} at the same position in another path (gin refuses it too)", template, name, cur.param.paramName)
			}
			cur = cur.param
			continue
		}
		if strings.ContainsAny(seg, "{}") {
			return fmt.Errorf("path %s: a parameter must be a whole segment", template)
		}
		if cur.literal == nil {
			cur.literal = map[string]*node{}
		}
		next := cur.literal[seg]
		if next == nil {
			next = &node{}
			cur.literal[seg] = next
		}
		cur = next
	}
	if cur.routes == nil {
		cur.routes = map[string]*routers.Route{}
	}
	cur.routes[method] = r
	return nil
}

// match finds the node of segs serving method (any method when method is
// ""), trying literal segments before parameters, per method as gin does;
// values collects the parameter values in order.
func (n *node) match(segs []string, method string, values *[]string) *node {
	if len(segs) == 0 {
		if n.routes == nil || method != "" && n.routes[method] == nil {
			return nil
		}
		return n
	}
	seg := segs[0]
	if next := n.literal[seg]; next != nil {
		if m := next.match(segs[1:], method, values); m != nil {
			return m
		}
	}
	if n.param != nil && seg != "" {
		mark := len(*values)
		v, err := url.PathUnescape(seg)
		if err != nil {
			v = seg
		}
		*values = append(*values, v)
		if m := n.param.match(segs[1:], method, values); m != nil {
			return m
		}
		*values = (*values)[:mark]
	}
	return nil
}
