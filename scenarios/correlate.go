package scenarios

import (
	"net/url"
	"sort"
	"strings"
)

// Correlator learns the values a server minted — by comparing the
// response a scenario recorded with the one the replay target actually
// sent — and substitutes them into later recorded requests. It needs no
// hand-written captures: a recorded stateToken, sessionToken, object id,
// cookie or link that reappears in a later request is replaced by the
// value the target minted at the same place of the corresponding response.
type Correlator struct {
	subst    map[string]string
	replacer *strings.Replacer
}

// NewCorrelator returns an empty Correlator.
func NewCorrelator() *Correlator { return &Correlator{subst: map[string]string{}} }

// Learned returns the substitutions learned so far (recorded -> actual).
func (c *Correlator) Learned() map[string]string {
	out := make(map[string]string, len(c.subst))
	for k, v := range c.subst {
		out[k] = v
	}
	return out
}

// Set records one substitution explicitly.
func (c *Correlator) Set(recorded, actual string) {
	if recorded == "" || recorded == actual {
		return
	}
	if old, ok := c.subst[recorded]; ok && old == actual {
		return
	}
	c.subst[recorded] = actual
	c.replacer = nil
}

// minted reports whether a recorded string at key is a value the server
// minted (and so may differ at replay).
func minted(key, s string) bool {
	if _, ok := IsPlaceholder(s); ok {
		return true
	}
	if tokenKeys[key] || IsOktaID(s) {
		return true
	}
	return strings.HasPrefix(s, "http://") || strings.HasPrefix(s, "https://")
}

// Learn aligns a recorded response with the actual one.
func (c *Correlator) Learn(recorded, actual *Response) {
	if recorded == nil || actual == nil {
		return
	}
	c.learnValue("", recorded.Body, actual.Body)
	for name, rv := range recorded.Headers {
		av, ok := headerValue(actual.Headers, name)
		if !ok {
			continue
		}
		switch strings.ToLower(name) {
		case "set-cookie":
			ac := cookies(av)
			for cname, cval := range cookies(rv) {
				if a, ok := ac[cname]; ok && cval != "" {
					c.Set(cval, a)
				}
			}
		case "location":
			c.learnURL(rv, av)
		}
	}
}

func (c *Correlator) learnValue(key string, r, a any) {
	switch rv := r.(type) {
	case map[string]any:
		av, ok := a.(map[string]any)
		if !ok {
			return
		}
		for k, x := range rv {
			if y, ok := av[k]; ok {
				c.learnValue(k, x, y)
			}
		}
	case []any:
		av, ok := a.([]any)
		if !ok {
			return
		}
		for i := range rv {
			if i < len(av) {
				c.learnValue(key, rv[i], av[i])
			}
		}
	case string:
		as, ok := a.(string)
		if !ok || rv == as || !minted(key, rv) {
			return
		}
		if strings.HasPrefix(rv, "http://") || strings.HasPrefix(rv, "https://") {
			c.learnURL(rv, as)
			return
		}
		c.Set(rv, as)
	}
}

// learnURL learns a link: the whole URL, its path segments that differ
// (ids) and its query values that differ (tokens).
func (c *Correlator) learnURL(r, a string) {
	c.Set(r, a)
	ru, err1 := url.Parse(r)
	au, err2 := url.Parse(a)
	if err1 != nil || err2 != nil {
		return
	}
	rs := strings.Split(ru.Path, "/")
	as := strings.Split(stripOrgPrefix(au.Path), "/")
	if len(rs) == len(as) {
		for i := range rs {
			if rs[i] != as[i] && minted("", rs[i]) {
				c.Set(rs[i], as[i])
			}
		}
	}
	aq := au.Query()
	for k, vs := range ru.Query() {
		if len(vs) == 1 && len(aq[k]) == 1 && vs[0] != aq[k][0] && len(vs[0]) >= 8 {
			c.Set(vs[0], aq[k][0])
		}
	}
}

// Replace substitutes every learned value in s (longest first).
func (c *Correlator) Replace(s string) string {
	if len(c.subst) == 0 || s == "" {
		return s
	}
	if c.replacer == nil {
		keys := make([]string, 0, len(c.subst))
		for k := range c.subst {
			keys = append(keys, k)
		}
		sort.Slice(keys, func(i, j int) bool {
			if len(keys[i]) != len(keys[j]) {
				return len(keys[i]) > len(keys[j])
			}
			return keys[i] < keys[j]
		})
		pairs := make([]string, 0, 2*len(keys))
		for _, k := range keys {
			pairs = append(pairs, k, c.subst[k])
		}
		c.replacer = strings.NewReplacer(pairs...)
	}
	return c.replacer.Replace(s)
}

// Apply returns req with learned values substituted into its path,
// headers, body strings and form.
func (c *Correlator) Apply(req Request) Request {
	return mapRequest(req, c.Replace)
}

// mapRequest applies f to every string of req.
func mapRequest(req Request, f func(string) string) Request {
	out := req
	out.Path = f(req.Path)
	if req.Headers != nil {
		out.Headers = make(map[string]string, len(req.Headers))
		for k, v := range req.Headers {
			out.Headers[k] = f(v)
		}
	}
	if req.Form != nil {
		out.Form = make(map[string]string, len(req.Form))
		for k, v := range req.Form {
			out.Form[k] = f(v)
		}
	}
	out.Body = mapStrings(req.Body, f)
	return out
}

func mapStrings(v any, f func(string) string) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = mapStrings(e, f)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = mapStrings(e, f)
		}
		return out
	case string:
		return f(x)
	default:
		return v
	}
}

// cookies parses a Set-Cookie value (several joined by "\n") or a Cookie
// header into name -> value.
func cookies(v string) map[string]string {
	out := map[string]string{}
	for _, line := range strings.Split(v, "\n") {
		nv, _, _ := strings.Cut(line, ";")
		name, val, ok := strings.Cut(strings.TrimSpace(nv), "=")
		if ok {
			out[name] = val
		}
	}
	return out
}

// headerValue looks a header up case-insensitively.
func headerValue(h map[string]string, name string) (string, bool) {
	if v, ok := h[name]; ok {
		return v, true
	}
	for k, v := range h {
		if strings.EqualFold(k, name) {
			return v, true
		}
	}
	return "", false
}
