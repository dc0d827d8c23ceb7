package scenarios

import (
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// placeholderRE matches a scenario placeholder such as <stateToken:1> or
// <cookie:sid:2>; group 1 is the kind ("stateToken", "cookie:sid").
var placeholderRE = regexp.MustCompile(`^<([A-Za-z]+(?::[A-Za-z0-9_.-]+)?):(\d+)>$`)

// placeholderInRE finds placeholders inside a longer string.
var placeholderInRE = regexp.MustCompile(`<([A-Za-z]+(?::[A-Za-z0-9_.-]+)?):(\d+)>`)

// IsPlaceholder reports whether s is exactly one placeholder, and its kind.
func IsPlaceholder(s string) (kind string, ok bool) {
	if len(s) < 5 || s[0] != '<' || s[len(s)-1] != '>' {
		return "", false
	}
	m := placeholderRE.FindStringSubmatch(s)
	if m == nil {
		return "", false
	}
	return m[1], true
}

// tokenKeys are body keys whose string values the server mints and that
// correlation and normalisation treat as tokens (the placeholder kind is
// the key).
var tokenKeys = map[string]bool{
	"stateToken": true, "sessionToken": true, "recoveryToken": true, "activationToken": true,
	"cookieToken": true, "interactionHandle": true, "interaction_code": true, "code": false,
	"transactionId": true, "factorResult": false,
}

// fixedKeys are body keys whose values are always different and carry no
// meaning across runs: replaced by a constant.
var fixedKeys = map[string]string{
	"errorId": "<errorId>",
}

// dateRE matches RFC 3339 timestamps as Okta writes them.
var dateRE = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})$`)

// IsOktaID reports whether s looks like an Okta object id: 20 to 25
// letters and digits, at least one of each (00u…, 00g…, 0oa…, mfa…, and
// 25-character session ids 102…).
func IsOktaID(s string) bool {
	if len(s) < 20 || len(s) > 25 {
		return false
	}
	digit, letter := false, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			digit = true
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z':
			letter = true
		default:
			return false
		}
	}
	return digit && letter
}

// Normalizer rewrites responses into a comparable form: server-minted
// values become equality-preserving placeholders (<stateToken:1> stays
// equal to itself and different from <stateToken:2>), ids become <id:N>,
// dates <date>, the scheme and host of links <base>. Use one Normalizer per
// run (one scenario on one engine), fed the exchanges in order, so that two
// runs that behave alike yield equal normal forms.
type Normalizer struct {
	tables map[string]map[string]string
	counts map[string]int
	keep   map[string]bool
}

// Keep makes values stay as they are: ids of the starting fixture, the
// same on every engine, need no placeholder (and numbering only minted
// ids keeps the numbers aligned when one engine mints more than the
// other).
func (n *Normalizer) Keep(values ...string) {
	if n.keep == nil {
		n.keep = map[string]bool{}
	}
	for _, v := range values {
		if v != "" {
			n.keep[v] = true
		}
	}
}

// NewNormalizer returns an empty Normalizer.
func NewNormalizer() *Normalizer {
	return &Normalizer{tables: map[string]map[string]string{}, counts: map[string]int{}}
}

// placeholder returns the placeholder standing for raw within kind.
func (n *Normalizer) placeholder(kind, raw string) string {
	t := n.tables[kind]
	if t == nil {
		t = map[string]string{}
		n.tables[kind] = t
	}
	if p, ok := t[raw]; ok {
		return p
	}
	n.counts[kind]++
	p := "<" + kind + ":" + strconv.Itoa(n.counts[kind]) + ">"
	t[raw] = p
	return p
}

// Response returns a normalised copy of r (nil for nil).
func (n *Normalizer) Response(r *Response) *Response {
	if r == nil {
		return nil
	}
	out := &Response{Status: r.Status}
	if r.Headers != nil {
		out.Headers = make(map[string]string, len(r.Headers))
		keys := make([]string, 0, len(r.Headers))
		for k := range r.Headers {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			out.Headers[k] = n.Header(k, r.Headers[k])
		}
	}
	out.Body = n.Value("", r.Body)
	return out
}

// Value normalises a JSON value found under key.
func (n *Normalizer) Value(key string, v any) any {
	switch x := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		out := make(map[string]any, len(x))
		for _, k := range keys {
			out[k] = n.Value(k, x[k])
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = n.Value(key, e)
		}
		return out
	case string:
		return n.String(key, x)
	default:
		return v
	}
}

// String normalises one string value found under key.
func (n *Normalizer) String(key, s string) string {
	if s == "" {
		return s
	}
	if kind, ok := IsPlaceholder(s); ok {
		return n.placeholder(kind, s)
	}
	if c, ok := fixedKeys[key]; ok {
		return c
	}
	if tokenKeys[key] {
		return n.placeholder(key, s)
	}
	if n.keep[s] {
		return s
	}
	if IsOktaID(s) {
		return n.placeholder("id", s)
	}
	if dateRE.MatchString(s) {
		return "<date>"
	}
	if strings.HasPrefix(s, "http://") || strings.HasPrefix(s, "https://") {
		return n.URL(s)
	}
	if strings.HasPrefix(s, "/") && strings.Contains(s, "/api/") {
		// a path as in a request or a relative link
		return strings.TrimPrefix(n.URL("http://h"+s), "<base>")
	}
	return s
}

// URL normalises a link: scheme and host become <base>, an /_org/<name>
// prefix is dropped, id path segments become <id:N>, token-like query
// values become placeholders.
func (n *Normalizer) URL(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		return s
	}
	p := stripOrgPrefix(u.EscapedPath())
	segs := strings.Split(p, "/")
	for i, seg := range segs {
		if n.keep[seg] {
			continue
		}
		if IsOktaID(seg) {
			segs[i] = n.placeholder("id", seg)
		} else if kind, ok := IsPlaceholder(seg); ok {
			segs[i] = n.placeholder(kind, seg)
		}
	}
	out := "<base>" + strings.Join(segs, "/")
	if u.RawQuery != "" {
		q := u.Query()
		keys := make([]string, 0, len(q))
		for k := range q {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var parts []string
		for _, k := range keys {
			for _, v := range q[k] {
				switch {
				case k == "token" || tokenKeys[k] || k == "after" || k == "state" || k == "nonce":
					v = n.placeholder(queryKind(k), v)
				default:
					v = n.String(k, v)
				}
				parts = append(parts, k+"="+v)
			}
		}
		out += "?" + strings.Join(parts, "&")
	}
	return out
}

func queryKind(k string) string {
	if k == "after" {
		return "cursor"
	}
	return k
}

// stripOrgPrefix removes the emulator's /_org/<name> path prefix.
func stripOrgPrefix(p string) string {
	if rest, ok := strings.CutPrefix(p, "/_org/"); ok {
		if i := strings.IndexByte(rest, '/'); i >= 0 {
			return rest[i:]
		}
		return "/"
	}
	return p
}

// volatileHeaders are replaced by a constant (their presence still counts).
var volatileHeaders = map[string]bool{
	"Date": true, "X-Okta-Request-Id": true, "X-Rate-Limit-Reset": true, "X-Rate-Limit-Remaining": true,
	"Content-Length": true, "Expires": true, "Last-Modified": true, "Etag": true,
}

// Header normalises a header value (canonical name).
func (n *Normalizer) Header(name, v string) string {
	switch {
	case volatileHeaders[name]:
		return "<" + strings.ToLower(name) + ">"
	case name == "Set-Cookie":
		var out []string
		for _, c := range strings.Split(v, "\n") {
			nv, _, _ := strings.Cut(c, ";")
			cname, cval, _ := strings.Cut(strings.TrimSpace(nv), "=")
			if cval == "" || cval == `""` {
				out = append(out, cname+"=")
				continue
			}
			if _, ok := IsPlaceholder(cval); ok {
				out = append(out, cname+"="+n.placeholder("cookie:"+cname, cval))
				continue
			}
			out = append(out, cname+"="+n.placeholder("cookie:"+cname, cval))
		}
		sort.Strings(out)
		return strings.Join(out, "\n")
	case name == "Location":
		return n.String("", v)
	case name == "Link":
		parts := strings.Split(v, "\n")
		for i, l := range parts {
			if a, b, ok := strings.Cut(l, ">"); ok && strings.HasPrefix(a, "<") {
				parts[i] = "<" + n.URL(a[1:]) + ">" + b
			}
		}
		return strings.Join(parts, "\n")
	case name == "Content-Type":
		// charset spelling varies between servers; the media type matters.
		mt, _, _ := strings.Cut(v, ";")
		return strings.ToLower(strings.TrimSpace(mt))
	}
	return v
}
