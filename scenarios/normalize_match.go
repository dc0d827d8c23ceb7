package scenarios

import (
	"net/url"
	"strings"
)

// Matcher aligns an actual response with an expected one before they are
// compared: where the expectation holds a placeholder (<stateToken:1>), or
// — for a recorded expectation — a value the server minted (an id, a
// token, a link, a date), the actual value is accepted and replaced by the
// expected one, provided the pairing stays one-to-one over the whole run:
// the same placeholder must stand for the same value everywhere, and two
// placeholders for two different values. Anything else is left for the
// diff to report. Use one Matcher per run.
type Matcher struct {
	// Recorded treats minted-looking literal values as placeholders (a
	// recording made against another org).
	Recorded  bool
	fwd, back map[string]string
	keep      map[string]bool
}

// Keep makes values match only themselves (the starting fixture's ids,
// the same on both sides).
func (m *Matcher) Keep(values ...string) {
	if m.keep == nil {
		m.keep = map[string]bool{}
	}
	for _, v := range values {
		if v != "" {
			m.keep[v] = true
		}
	}
}

// NewMatcher returns an empty Matcher.
func NewMatcher(recorded bool) *Matcher {
	return &Matcher{Recorded: recorded, fwd: map[string]string{}, back: map[string]string{}}
}

// bind pairs expected e with actual a; false when either is already paired
// with something else.
func (m *Matcher) bind(e, a string) bool {
	if x, ok := m.fwd[e]; ok {
		return x == a
	}
	if x, ok := m.back[a]; ok {
		return x == e
	}
	m.fwd[e], m.back[a] = a, e
	return true
}

// Align returns a copy of actual in which matched values are replaced by
// the expected ones. Headers are aligned for the names expected lists.
func (m *Matcher) Align(expected, actual *Response) *Response {
	if expected == nil || actual == nil {
		return actual
	}
	out := &Response{Status: actual.Status, Headers: actual.Headers}
	if len(expected.Headers) > 0 {
		out.Headers = make(map[string]string, len(actual.Headers))
		for k, v := range actual.Headers {
			out.Headers[k] = v
		}
		for k, ev := range expected.Headers {
			if av, ok := out.Headers[k]; ok {
				out.Headers[k] = m.header(k, ev, av)
			}
		}
	}
	out.Body = m.value("", expected.Body, actual.Body)
	return out
}

func (m *Matcher) value(key string, e, a any) any {
	switch ev := e.(type) {
	case map[string]any:
		av, ok := a.(map[string]any)
		if !ok {
			return a
		}
		out := make(map[string]any, len(av))
		for k, x := range av {
			if y, ok := ev[k]; ok {
				out[k] = m.value(k, y, x)
			} else {
				out[k] = x
			}
		}
		return out
	case []any:
		av, ok := a.([]any)
		if !ok {
			return a
		}
		out := make([]any, len(av))
		pair := pairElements(ev, av)
		for i, x := range av {
			if j := pair[i]; j >= 0 {
				out[i] = m.value(key, ev[j], x)
			} else {
				out[i] = x
			}
		}
		return out
	case string:
		as, ok := a.(string)
		if !ok || as == ev {
			return a
		}
		return m.str(key, ev, as)
	}
	return a
}

// str matches one expected string with the actual one.
func (m *Matcher) str(key, e, a string) string {
	if e == "<any>" {
		return e
	}
	if e == "<date>" || (m.Recorded && dateRE.MatchString(e)) {
		if dateRE.MatchString(a) {
			return e
		}
		return a
	}
	if e == "<id>" && IsOktaID(a) {
		return e
	}
	if _, ok := IsPlaceholder(e); ok {
		if m.bind(e, a) {
			return e
		}
		return a
	}
	if strings.HasPrefix(e, "http://") || strings.HasPrefix(e, "https://") {
		if m.url(e, a) {
			return e
		}
		return a
	}
	if !m.Recorded {
		return a
	}
	if m.keep[e] || m.keep[a] {
		return a
	}
	if (tokenKeys[key] || IsOktaID(e) || fixedKeys[key] != "") && m.bind(e, a) {
		return e
	}
	return a
}

// url matches two links: the same path (after the org prefix), with
// minted segments and query values bound one-to-one.
func (m *Matcher) url(e, a string) bool {
	eu, err1 := url.Parse(e)
	au, err2 := url.Parse(a)
	if err1 != nil || err2 != nil {
		return false
	}
	es := strings.Split(stripOrgPrefix(eu.Path), "/")
	as := strings.Split(stripOrgPrefix(au.Path), "/")
	if len(es) != len(as) {
		return false
	}
	for i := range es {
		if es[i] == as[i] {
			continue
		}
		if m.keep[es[i]] || m.keep[as[i]] {
			return false
		}
		if _, ph := IsPlaceholder(es[i]); !(ph || (m.Recorded && IsOktaID(es[i]))) || !m.bind(es[i], as[i]) {
			return false
		}
	}
	eq, aq := eu.Query(), au.Query()
	if len(eq) != len(aq) {
		return false
	}
	for k, evs := range eq {
		avs := aq[k]
		if len(avs) != len(evs) {
			return false
		}
		for i := range evs {
			_, ph := IsPlaceholder(evs[i])
			if evs[i] != avs[i] && (!(ph || m.Recorded) || !m.bind(evs[i], avs[i])) {
				return false
			}
		}
	}
	return true
}

// header matches a header value: Set-Cookie values by cookie name,
// Location as a link, volatile headers always.
func (m *Matcher) header(name, e, a string) string {
	switch {
	case e == a:
		return a
	case volatileHeaders[name] || e == "<any>":
		return e
	case name == "Location":
		return m.str("", e, a)
	case name == "Set-Cookie":
		ec, ac := cookies(e), cookies(a)
		if len(ec) != len(ac) {
			return a
		}
		for n, ev := range ec {
			av, ok := ac[n]
			if !ok {
				return a
			}
			if ev == av || ev == "<any>" {
				continue
			}
			if _, ph := IsPlaceholder(ev); !(ph || m.Recorded) || !m.bind(ev, av) {
				return a
			}
		}
		return e
	case name == "Content-Type":
		if mediaType(e) == mediaType(a) {
			return e
		}
	}
	return a
}

func mediaType(v string) string {
	mt, _, _ := strings.Cut(v, ";")
	return strings.ToLower(strings.TrimSpace(mt))
}

// pairElements pairs the elements of actual with those of expected: by
// index when the lengths are equal; otherwise objects are paired by their
// kind (factorType, type, name, key, login), in order, so that an element
// one side adds (Identity's auto-enrolled email factor) does not shift the
// pairing of the others. pair[i] is the expected index for actual[i], or -1.
func pairElements(expected, actual []any) []int {
	pair := make([]int, len(actual))
	if len(expected) == len(actual) {
		for i := range pair {
			pair[i] = i
		}
		return pair
	}
	for i := range pair {
		pair[i] = -1
	}
	used := make([]bool, len(expected))
	for i, x := range actual {
		sig, ok := signature(x)
		if !ok {
			if i < len(expected) && !used[i] {
				pair[i], used[i] = i, true
			}
			continue
		}
		for j, y := range expected {
			if s, ok := signature(y); ok && !used[j] && s == sig {
				pair[i], used[j] = j, true
				break
			}
		}
	}
	return pair
}

// signature is what kind of object an array element is.
func signature(v any) (string, bool) {
	m, ok := v.(map[string]any)
	if !ok {
		return "", false
	}
	for _, k := range []string{"factorType", "type", "name", "key", "login"} {
		if s, ok := m[k].(string); ok {
			return k + "=" + s, true
		}
	}
	if p, ok := m["profile"].(map[string]any); ok {
		if s, ok := p["login"].(string); ok {
			return "login=" + s, true
		}
		if s, ok := p["name"].(string); ok {
			return "name=" + s, true
		}
	}
	return "", false
}
