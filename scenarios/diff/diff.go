package diff

import (
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"github.com/google/go-cmp/cmp"
)

// Class is the kind of a difference.
type Class string

// Classes, in report order.
const (
	RequestRefused   Class = "request refused"
	StatusChanged    Class = "status changed"
	ErrorCodeChanged Class = "error code changed"
	FieldRemoved     Class = "field removed"
	FieldAdded       Class = "field added"
	ShapeChanged     Class = "shape changed"
	ValueChanged     Class = "value changed"
)

// Classes lists every class in report order.
func Classes() []Class {
	return []Class{RequestRefused, StatusChanged, ErrorCodeChanged, FieldRemoved, FieldAdded, ShapeChanged, ValueChanged}
}

// Side is one response in normal form: JSON body as decoded by
// encoding/json (map[string]any, []any, string, float64, bool, nil).
type Side struct {
	Status  int               `json:"status"`
	Headers map[string]string `json:"headers,omitempty"`
	Body    any               `json:"body,omitempty"`
}

// Difference is one classified difference between side A (the expected
// response, or Classic) and side B (the actual response, or Identity).
type Difference struct {
	Class Class `json:"class"`
	// Path locates it: "status", "header.Set-Cookie", "body.a.b[0].c".
	Path string `json:"path"`
	A    any    `json:"a,omitempty"`
	B    any    `json:"b,omitempty"`
	// Finding names the engines.md row or checklist item it matches.
	Finding *Finding `json:"finding,omitempty"`
}

func (d Difference) String() string {
	return fmt.Sprintf("%s %s: %s -> %s", d.Class, d.Path, d.ShortA(), d.ShortB())
}

// ShortA renders side A's value on one line ("(absent)" when the field is
// missing there).
func (d Difference) ShortA() string {
	if d.A == nil && (d.Class == FieldAdded || d.Class == ErrorCodeChanged) {
		return "(absent)"
	}
	return Short(d.A)
}

// ShortB renders side B's value on one line.
func (d Difference) ShortB() string {
	if d.B == nil && (d.Class == FieldRemoved || d.Class == ErrorCodeChanged) {
		return "(absent)"
	}
	return Short(d.B)
}

// Short renders a value on one line, truncated.
func Short(v any) string {
	if v == nil {
		return "null"
	}
	var s string
	switch x := v.(type) {
	case string:
		s = strconv.Quote(x)
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		s = "{" + strings.Join(keys, ",") + "}"
	case []any:
		s = "[" + strconv.Itoa(len(x)) + " items]"
	default:
		s = fmt.Sprint(x)
	}
	if len(s) > 80 {
		s = s[:77] + "..."
	}
	return s
}

// Options tune Compare.
type Options struct {
	// Subset compares only the keys of A's objects (an authored
	// expectation states what matters); B's extra keys are ignored.
	Subset bool
	// Headers compares only these headers (canonical names); nil compares
	// the headers present on A (A's listing is the expectation).
	Headers []string
	// Ignore holds paths excluded from comparison ("status",
	// "header.Name", "body.a.*.b"): a difference at or under a matching
	// path is dropped. "*" matches one key or index.
	Ignore []string
}

// Compare diffs two responses and classifies the differences.
func Compare(a, b Side, o Options) []Difference {
	var out []Difference
	ignored := func(p string) bool { return Ignored(o.Ignore, p) }
	if a.Status != 0 && b.Status != 0 && a.Status != b.Status && !ignored("status") {
		c := StatusChanged
		if (a.Status < 400) != (b.Status < 400) {
			c = RequestRefused
		}
		out = append(out, Difference{Class: c, Path: "status", A: a.Status, B: b.Status})
	}
	names := o.Headers
	if names == nil {
		for k := range a.Headers {
			names = append(names, k)
		}
		sort.Strings(names)
	}
	for _, h := range names {
		p := "header." + h
		av, aok := a.Headers[h]
		bv, bok := b.Headers[h]
		if ignored(p) || (aok && bok && av == bv) || (!aok && !bok) {
			continue
		}
		d := Difference{Class: ValueChanged, Path: p}
		if aok {
			d.A = av
		}
		if bok {
			d.B = bv
		}
		switch {
		case !bok:
			d.Class = FieldRemoved
		case !aok:
			d.Class = FieldAdded
		}
		out = append(out, d)
	}
	if refused(a, b) && !ignored("status") {
		// One side succeeded, the other answered an error: the bodies
		// differ entirely by nature. Report the error code, not every field.
		ea, eb := errorCode(a.Body), errorCode(b.Body)
		if ea != eb && !ignored("body.errorCode") {
			d := Difference{Class: ErrorCodeChanged, Path: "body.errorCode"}
			if ea != "" {
				d.A = ea
			}
			if eb != "" {
				d.B = eb
			}
			out = append(out, d)
		}
		return out
	}
	out = append(out, Bodies(a.Body, b.Body, o.Subset, ignored)...)
	return out
}

func refused(a, b Side) bool {
	return a.Status != 0 && b.Status != 0 && (a.Status < 400) != (b.Status < 400)
}

func errorCode(body any) string {
	m, _ := body.(map[string]any)
	s, _ := m["errorCode"].(string)
	return s
}

// Bodies diffs two JSON values with go-cmp.
func Bodies(a, b any, subset bool, ignored func(string) bool) []Difference {
	if ignored == nil {
		ignored = func(string) bool { return false }
	}
	if a == nil && subset {
		return nil
	}
	if jsonEqual(a, b, subset) {
		return nil
	}
	r := &reporter{subset: subset, ignored: ignored}
	opts := []cmp.Option{cmp.Reporter(r), byIndex}
	if subset {
		opts = append(opts, cmp.FilterPath(func(p cmp.Path) bool {
			if mi, ok := p.Last().(cmp.MapIndex); ok {
				vx, _ := mi.Values()
				return !vx.IsValid()
			}
			return false
		}, cmp.Ignore()))
	}
	cmp.Equal(a, b, opts...)
	return r.out
}

// byIndex compares arrays of equal length element by element (go-cmp's
// edit script would report a changed element as one removed and one
// added); arrays of different lengths keep the edit script, which finds
// the inserted or deleted elements.
var byIndex = cmp.FilterValues(func(x, y []any) bool { return len(x) == len(y) },
	cmp.Transformer("index", func(s []any) map[int]any {
		m := make(map[int]any, len(s))
		for i, v := range s {
			m[i] = v
		}
		return m
	}))

// jsonEqual is a fast equality for decoded JSON (the common case: no
// difference, no reflection).
func jsonEqual(a, b any, subset bool) bool {
	switch x := a.(type) {
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || (!subset && len(x) != len(y)) {
			return false
		}
		for k, v := range x {
			w, ok := y[k]
			if !ok || !jsonEqual(v, w, subset) {
				return false
			}
		}
		return true
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !jsonEqual(x[i], y[i], subset) {
				return false
			}
		}
		return true
	case string:
		y, ok := b.(string)
		return ok && x == y
	case float64:
		y, ok := b.(float64)
		return ok && x == y
	case bool:
		y, ok := b.(bool)
		return ok && x == y
	case nil:
		return b == nil
	default:
		return reflect.DeepEqual(a, b)
	}
}

// reporter collects go-cmp's unequal leaves as Differences.
type reporter struct {
	path    cmp.Path
	subset  bool
	ignored func(string) bool
	out     []Difference
}

func (r *reporter) PushStep(ps cmp.PathStep) { r.path = append(r.path, ps) }
func (r *reporter) PopStep()                 { r.path = r.path[:len(r.path)-1] }

func (r *reporter) Report(rs cmp.Result) {
	if rs.Equal() {
		return
	}
	p := jsonPath(r.path)
	if r.ignored(p) {
		return
	}
	vx, vy := r.path.Last().Values()
	var a, b any
	if vx.IsValid() {
		a = vx.Interface()
	}
	if vy.IsValid() {
		b = vy.Interface()
	}
	d := Difference{Path: p, A: a, B: b}
	switch {
	case !vy.IsValid():
		d.Class = FieldRemoved
	case !vx.IsValid():
		d.Class = FieldAdded
	case kind(a) != kind(b):
		d.Class = ShapeChanged
	default:
		d.Class = ValueChanged
	}
	if d.Path == "body.errorCode" && d.Class == ValueChanged {
		d.Class = ErrorCodeChanged
	}
	r.out = append(r.out, d)
}

// kind is the JSON type of a decoded value.
func kind(v any) string {
	switch v.(type) {
	case map[string]any:
		return "object"
	case []any:
		return "array"
	case string:
		return "string"
	case float64, int, int64, uint64:
		return "number"
	case bool:
		return "boolean"
	case nil:
		return "null"
	}
	return reflect.TypeOf(v).String()
}

// jsonPath renders a go-cmp path as body.a.b[0].
func jsonPath(p cmp.Path) string {
	var b strings.Builder
	b.WriteString("body")
	for _, s := range p {
		switch x := s.(type) {
		case cmp.MapIndex:
			if k, ok := x.Key().Interface().(int); ok {
				b.WriteString("[" + strconv.Itoa(k) + "]")
				continue
			}
			b.WriteByte('.')
			b.WriteString(fmt.Sprint(x.Key().Interface()))
		case cmp.SliceIndex:
			k := x.Key()
			if k < 0 {
				kx, ky := x.SplitKeys()
				k = kx
				if k < 0 {
					k = ky
				}
			}
			b.WriteString("[" + strconv.Itoa(k) + "]")
		}
	}
	return b.String()
}

// Ignored reports whether path p is at or under one of patterns. A "*"
// segment matches one key or index; "body.a.*" matches body.a.x and
// body.a[3].
func Ignored(patterns []string, p string) bool {
	if len(patterns) == 0 {
		return false
	}
	ps := splitPath(p)
	for _, pat := range patterns {
		qs := splitPath(pat)
		if len(qs) > len(ps) {
			continue
		}
		ok := true
		for i, q := range qs {
			if q != "*" && q != ps[i] {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

// splitPath splits body.a[0].b into body, a, 0, b.
func splitPath(p string) []string {
	p = strings.ReplaceAll(p, "[", ".")
	p = strings.ReplaceAll(p, "]", "")
	return strings.Split(p, ".")
}

// Summary counts differences by class, in report order.
func Summary(ds []Difference) map[Class]int {
	m := map[Class]int{}
	for _, d := range ds {
		m[d.Class]++
	}
	return m
}
