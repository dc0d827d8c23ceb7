package scenarios

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// Placeholder kinds written by the redactor. A placeholder is "<kind:N>"
// (cookies: "<cookie:name:N>"); within one scenario equal placeholders
// stand for equal values, so correlation still links a stateToken in a
// response to the same token in the next request.
const (
	KindPassword        = "password"
	KindPassCode        = "passCode"
	KindAnswer          = "answer"
	KindAPIToken        = "apiToken"
	KindStateToken      = "stateToken"
	KindSessionToken    = "sessionToken"
	KindRecoveryToken   = "recoveryToken"
	KindActivationToken = "activationToken"
	// KindCookieToken, KindSharedSecret, KindAccessToken and KindToken
	// extend the brief's list: a cookieToken or a TOTP shared secret is as
	// much a credential as a sessionToken.
	KindCookieToken  = "cookieToken"
	KindSharedSecret = "sharedSecret"
	KindAccessToken  = "accessToken"
	KindToken        = "token"
)

// bodyKeyKinds maps JSON (and form) keys whose values are secrets to their
// placeholder kind.
var bodyKeyKinds = map[string]string{
	"password":        KindPassword,
	"newPassword":     KindPassword,
	"oldPassword":     KindPassword,
	"passCode":        KindPassCode,
	"nextPassCode":    KindPassCode,
	"answer":          KindAnswer,
	"stateToken":      KindStateToken,
	"sessionToken":    KindSessionToken,
	"recoveryToken":   KindRecoveryToken,
	"activationToken": KindActivationToken,
	"cookieToken":     KindCookieToken,
	"sharedSecret":    KindSharedSecret,
	"access_token":    KindAccessToken,
	"id_token":        KindAccessToken,
	"refresh_token":   KindAccessToken,
	"client_secret":   KindPassword,
}

// queryKeyKinds maps query parameters whose values are secrets.
var queryKeyKinds = map[string]string{
	"stateToken":    KindStateToken,
	"sessionToken":  KindSessionToken,
	"recoveryToken": KindRecoveryToken,
	"token":         KindToken,
}

// minSubstring is the length from which a known secret is also replaced
// inside longer strings (link hrefs, cookieTokenUrl…); shorter values (a
// short answer such as "rex") are replaced only where they are a whole
// value, so ordinary words are left alone.
const minSubstring = 12

// Redactor replaces secrets with stable placeholders. One Redactor keeps
// its numbering across calls, so every scenario it writes for one recording
// session shares it.
type Redactor struct {
	byValue map[string]string // value -> placeholder
	count   map[string]int    // kind -> last number
}

// NewRedactor returns an empty redactor.
func NewRedactor() *Redactor {
	return &Redactor{byValue: map[string]string{}, count: map[string]int{}}
}

// Placeholder returns the placeholder for value of the given kind, minting
// the next number the first time a value is seen. An empty value or a value
// that already is a placeholder is returned unchanged.
func (r *Redactor) Placeholder(kind, value string) string {
	if value == "" {
		return value
	}
	if _, ok := IsPlaceholder(value); ok {
		return value
	}
	if p, ok := r.byValue[value]; ok {
		return p
	}
	r.count[kind]++
	p := "<" + kind + ":" + strconv.Itoa(r.count[kind]) + ">"
	r.byValue[value] = p
	return p
}

// Redact replaces every secret of s (request and response, every engine's
// expectation) with placeholders: passwords, passCodes, answers, API
// tokens, state/session/recovery/activation tokens and cookies. Secrets are
// first collected from where Okta puts them, then every occurrence of a
// collected value is replaced, so a token also disappears from link hrefs,
// query strings and later headers.
func (r *Redactor) Redact(s *Scenario) {
	for i := range s.Exchanges {
		r.collectExchange(&s.Exchanges[i])
	}
	rep := r.replacer()
	for i := range s.Exchanges {
		x := &s.Exchanges[i]
		x.Request.Path = rep.path(x.Request.Path)
		x.Request.Headers = rep.headers(x.Request.Headers)
		x.Request.Body = rep.value(x.Request.Body)
		for k, v := range x.Request.Form {
			x.Request.Form[k] = rep.str(v)
		}
		rep.response(x.Response)
		for _, e := range x.Engines {
			rep.response(e)
		}
	}
}

func (r *Redactor) collectExchange(x *Exchange) {
	req := &x.Request
	p, q, _ := strings.Cut(req.Path, "?")
	r.collectQuery(p, q)
	for k, v := range req.Headers {
		r.collectHeader(k, v)
	}
	// POST /api/v1/authn {"token": …} is the activation-token sign-in
	// (authn.md §3.4).
	if m, ok := req.Body.(map[string]any); ok && strings.TrimSuffix(p, "/") == "/api/v1/authn" {
		if t, ok := m["token"].(string); ok {
			r.Placeholder(KindActivationToken, t)
		}
	}
	r.collectValue("", req.Body)
	for k, v := range req.Form {
		if kind, ok := bodyKeyKinds[k]; ok {
			r.Placeholder(kind, v)
		}
		if k == "code" || k == "interaction_code" {
			r.Placeholder(KindToken, v)
		}
	}
	resps := []*Response{x.Response}
	for _, name := range redactKeys(x.Engines) {
		resps = append(resps, x.Engines[name])
	}
	for _, resp := range resps {
		if resp == nil {
			continue
		}
		for k, v := range resp.Headers {
			r.collectHeader(k, v)
		}
		r.collectValue("", resp.Body)
	}
}

func (r *Redactor) collectQuery(path, rawQuery string) {
	if rawQuery == "" {
		return
	}
	vals, err := url.ParseQuery(rawQuery)
	if err != nil {
		return
	}
	for _, k := range redactKeys(vals) {
		kind, ok := queryKeyKinds[k]
		if !ok {
			continue
		}
		if k == "token" {
			switch {
			case strings.HasSuffix(path, "/login/sessionCookieRedirect"):
				kind = KindSessionToken
			case strings.HasSuffix(path, "/login/sessionCookie"):
				kind = KindCookieToken
			}
		}
		for _, v := range vals[k] {
			r.Placeholder(kind, v)
		}
	}
}

func (r *Redactor) collectHeader(name, value string) {
	switch strings.ToLower(name) {
	case "authorization":
		scheme, cred, ok := strings.Cut(strings.TrimSpace(value), " ")
		if !ok {
			return
		}
		switch strings.ToLower(scheme) {
		case "ssws":
			r.Placeholder(KindAPIToken, strings.TrimSpace(cred))
		case "bearer":
			r.Placeholder(KindAccessToken, strings.TrimSpace(cred))
		default:
			r.Placeholder(KindToken, strings.TrimSpace(cred))
		}
	case "cookie":
		for _, c := range strings.Split(value, ";") {
			if n, v, ok := strings.Cut(strings.TrimSpace(c), "="); ok && v != "" {
				r.Placeholder("cookie:"+n, v)
			}
		}
	case "set-cookie":
		for _, line := range strings.Split(value, "\n") {
			first, _, _ := strings.Cut(line, ";")
			if n, v, ok := strings.Cut(strings.TrimSpace(first), "="); ok && v != "" {
				r.Placeholder("cookie:"+n, v)
			}
		}
	case "location":
		p, q, _ := strings.Cut(value, "?")
		r.collectQuery(p, q)
	}
}

// collectValue walks a decoded JSON/YAML value; parent is the key of the
// enclosing object.
func (r *Redactor) collectValue(parent string, v any) {
	switch v := v.(type) {
	case map[string]any:
		for _, k := range redactKeys(v) {
			child := v[k]
			if s, ok := child.(string); ok {
				switch {
				case bodyKeyKinds[k] != "":
					r.Placeholder(bodyKeyKinds[k], s)
				case k == "value" && parent == "password":
					// credentials.password.value (Users API).
					r.Placeholder(KindPassword, s)
				case k == "resetPasswordUrl" || k == "activationUrl":
					// …/reset_password/{token}, …/welcome/{token}.
					if i := strings.LastIndex(s, "/"); i >= 0 {
						kind := KindRecoveryToken
						if k == "activationUrl" {
							kind = KindActivationToken
						}
						r.Placeholder(kind, s[i+1:])
					}
				case strings.Contains(s, "?"):
					if u, err := url.Parse(s); err == nil {
						r.collectQuery(u.Path, u.RawQuery)
					}
				}
				continue
			}
			r.collectValue(k, child)
		}
	case []any:
		for _, e := range v {
			r.collectValue(parent, e)
		}
	}
}

// replacer holds the collected secrets, longest first so that a token is
// never partly replaced by a shorter one it contains.
type replacer struct {
	exact map[string]string
	long  []string // values replaced inside longer strings
	by    map[string]string
}

func (r *Redactor) replacer() *replacer {
	rep := &replacer{exact: r.byValue, by: r.byValue}
	for v := range r.byValue {
		if len(v) >= minSubstring {
			rep.long = append(rep.long, v)
		}
	}
	sort.Slice(rep.long, func(i, j int) bool {
		if len(rep.long[i]) != len(rep.long[j]) {
			return len(rep.long[i]) > len(rep.long[j])
		}
		return rep.long[i] < rep.long[j]
	})
	return rep
}

// str replaces a whole value, or the long secrets inside it.
func (rep *replacer) str(s string) string {
	if p, ok := rep.exact[s]; ok {
		return p
	}
	for _, v := range rep.long {
		if strings.Contains(s, v) {
			s = strings.ReplaceAll(s, v, rep.by[v])
		}
		// A secret may also appear URL-escaped inside a link.
		if e := url.QueryEscape(v); e != v && strings.Contains(s, e) {
			s = strings.ReplaceAll(s, e, rep.by[v])
		}
	}
	return s
}

// long1 replaces only the long secrets inside s.
func (rep *replacer) long1(s string) string {
	for _, v := range rep.long {
		s = strings.ReplaceAll(s, v, rep.by[v])
	}
	return s
}

// path replaces secrets in path segments and query values.
func (rep *replacer) path(p string) string {
	pp, q, hasQ := strings.Cut(p, "?")
	segs := strings.Split(pp, "/")
	for i, s := range segs {
		// A short secret (an answer such as "rex") is not a path segment
		// worth replacing: only tokens travel in paths.
		if len(s) >= 8 || len(s) == 0 {
			segs[i] = rep.str(s)
		} else {
			segs[i] = rep.long1(s)
		}
	}
	out := strings.Join(segs, "/")
	if !hasQ {
		return out
	}
	parts := strings.Split(q, "&")
	for i, part := range parts {
		k, v, ok := strings.Cut(part, "=")
		if !ok {
			continue
		}
		dv, err := url.QueryUnescape(v)
		if err != nil {
			continue
		}
		if nv := rep.str(dv); nv != dv {
			parts[i] = k + "=" + nv
		}
	}
	return out + "?" + strings.Join(parts, "&")
}

func (rep *replacer) headers(h map[string]string) map[string]string {
	for k, v := range h {
		switch strings.ToLower(k) {
		case "authorization":
			scheme, cred, ok := strings.Cut(strings.TrimSpace(v), " ")
			if ok {
				h[k] = scheme + " " + rep.str(strings.TrimSpace(cred))
				continue
			}
		case "cookie":
			cs := strings.Split(v, ";")
			for i, c := range cs {
				if n, cv, ok := strings.Cut(strings.TrimSpace(c), "="); ok {
					cs[i] = n + "=" + rep.str(cv)
				}
			}
			h[k] = strings.Join(cs, "; ")
			continue
		case "set-cookie":
			lines := strings.Split(v, "\n")
			for i, line := range lines {
				first, rest, hasRest := strings.Cut(line, ";")
				if n, cv, ok := strings.Cut(strings.TrimSpace(first), "="); ok {
					first = n + "=" + rep.str(cv)
				}
				if hasRest {
					first += ";" + rest
				}
				lines[i] = first
			}
			h[k] = strings.Join(lines, "\n")
			continue
		case "location":
			h[k] = rep.path(v)
			continue
		}
		h[k] = rep.str(v)
	}
	return h
}

func (rep *replacer) value(v any) any {
	switch v := v.(type) {
	case map[string]any:
		for k, c := range v {
			v[k] = rep.value(c)
		}
		return v
	case []any:
		for i, c := range v {
			v[i] = rep.value(c)
		}
		return v
	case string:
		if strings.Contains(v, "?") || strings.HasPrefix(v, "http") {
			return rep.path(v)
		}
		return rep.str(v)
	default:
		return v
	}
}

func (rep *replacer) response(r *Response) {
	if r == nil {
		return
	}
	r.Headers = rep.headers(r.Headers)
	r.Body = rep.value(r.Body)
}

// Placeholders lists the placeholders the redactor minted, sorted, with the
// kind of each (for reports and tests; never the values).
func (r *Redactor) Placeholders() []string {
	var out []string
	for _, p := range r.byValue {
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return placeholderLess(out[i], out[j]) })
	return out
}

func placeholderLess(a, b string) bool {
	ma, mb := placeholderInRE.FindStringSubmatch(a), placeholderInRE.FindStringSubmatch(b)
	if ma == nil || mb == nil || ma[1] != mb[1] {
		return a < b
	}
	na, _ := strconv.Atoi(ma[2])
	nb, _ := strconv.Atoi(mb[2])
	return na < nb
}

// RedactJSON redacts a raw JSON document with r's known secrets, collecting
// new ones from it first. It is for bodies that are kept as text.
func (r *Redactor) RedactJSON(data []byte) ([]byte, error) {
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		return nil, fmt.Errorf("redact: %w", err)
	}
	r.collectValue("", v)
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(r.replacer().value(v)); err != nil {
		return nil, fmt.Errorf("redact: %w", err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

func redactKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
