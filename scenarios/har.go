package scenarios

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// HAR 1.2 (http://www.softwareishard.com/blog/har-12-spec/), the format
// browsers' developer tools and proxies export. Only the fields a scenario
// needs are decoded; unknown fields are ignored, as the spec asks.
type harFile struct {
	Log harLog `json:"log"`
}

type harLog struct {
	Version string     `json:"version"`
	Creator harCreator `json:"creator"`
	Entries []harEntry `json:"entries"`
}

type harCreator struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

type harEntry struct {
	StartedDateTime string      `json:"startedDateTime"`
	Request         harRequest  `json:"request"`
	Response        harResponse `json:"response"`
}

type harNV struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

type harRequest struct {
	Method      string       `json:"method"`
	URL         string       `json:"url"`
	HTTPVersion string       `json:"httpVersion"`
	Headers     []harNV      `json:"headers"`
	Cookies     []harNV      `json:"cookies"`
	PostData    *harPostData `json:"postData"`
}

type harPostData struct {
	MimeType string  `json:"mimeType"`
	Text     string  `json:"text"`
	Params   []harNV `json:"params"`
}

type harResponse struct {
	Status      int        `json:"status"`
	StatusText  string     `json:"statusText"`
	Headers     []harNV    `json:"headers"`
	Content     harContent `json:"content"`
	RedirectURL string     `json:"redirectURL"`
}

type harContent struct {
	MimeType string `json:"mimeType"`
	Text     string `json:"text"`
	Encoding string `json:"encoding"`
}

// HAROptions tune ImportHAR.
type HAROptions struct {
	// Name of the scenario; "har-import" when empty.
	Name string
	// Host keeps only entries for this host (host or host:port); empty
	// means the host of the first Okta API entry.
	Host string
	// All keeps entries that are not Okta API calls (pages, scripts);
	// by default only /api/v1, /oauth2, /idp, /login/sessionCookieRedirect,
	// /login/step-up and /.well-known calls are kept.
	All bool
	// KeepSecrets skips redaction (for HAR files already scrubbed).
	KeepSecrets bool
	// Redactor numbers placeholders; a fresh one when nil.
	Redactor *Redactor
}

// oktaAPIPrefixes are the paths a HAR import keeps by default.
var oktaAPIPrefixes = []string{"/api/v1/", "/oauth2/", "/idp/", "/login/sessionCookieRedirect", "/login/step-up/", "/.well-known/"}

// requestHeadersKept are the request headers a recording keeps: those that
// change what Okta answers. Browser noise (sec-*, accept-encoding, referer,
// HTTP/2 pseudo headers) is dropped.
var requestHeadersKept = map[string]string{
	"authorization":        "Authorization",
	"cookie":               "Cookie",
	"x-forwarded-for":      "X-Forwarded-For",
	"x-device-fingerprint": "X-Device-Fingerprint",
	"prefer":               "Prefer",
	"accept-language":      "Accept-Language",
}

// responseHeadersKept are the response headers a recording keeps: cookies
// (so correlation links a Set-Cookie to the Cookie sent later) and
// redirects.
var responseHeadersKept = map[string]string{
	"set-cookie": "Set-Cookie",
	"location":   "Location",
}

// ImportHAR converts a HAR 1.2 log into one recorded scenario: one exchange
// per kept entry, in order, with secrets redacted into placeholders. The
// engine of the org that answered is taken from a recorded
// /.well-known/okta-organization (pipeline v1 or idx) or from IDX calls.
func ImportHAR(data []byte, opts HAROptions) (*Scenario, error) {
	var f harFile
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, fmt.Errorf("har: %w", err)
	}
	if f.Log.Version != "" && !strings.HasPrefix(f.Log.Version, "1.") {
		return nil, fmt.Errorf("har: version %q: want 1.x", f.Log.Version)
	}
	host := opts.Host
	s := &Scenario{Name: opts.Name, Source: Source{Kind: Recorded}}
	if s.Name == "" {
		s.Name = "har-import"
	}
	var origin string
	for i, e := range harEntriesSorted(f.Log.Entries) {
		u, err := url.Parse(e.Request.URL)
		if err != nil || u.Host == "" {
			return nil, fmt.Errorf("har: entries[%d]: url %q: want an absolute URL", i, e.Request.URL)
		}
		if e.Request.Method == "OPTIONS" || e.Response.Status == 0 {
			continue // CORS preflight, or a request that never got an answer
		}
		api := isOktaAPI(u.Path)
		if !api && !opts.All {
			continue
		}
		if host == "" {
			if !api {
				continue
			}
			host = u.Host
		}
		if !strings.EqualFold(u.Host, host) {
			continue
		}
		if origin == "" {
			origin = u.Scheme + "://" + u.Host
			if t, err := time.Parse(time.RFC3339Nano, e.StartedDateTime); err == nil {
				t = t.UTC()
				s.Source.RecordedAt = &t
			}
		}
		x, err := harExchange(e, u)
		if err != nil {
			return nil, fmt.Errorf("har: entries[%d] (%s %s): %w", i, e.Request.Method, u.Path, err)
		}
		if eng := engineShown(x); eng != "" && s.Source.Engine == "" {
			s.Source.Engine = eng
		}
		s.Exchanges = append(s.Exchanges, x)
	}
	if len(s.Exchanges) == 0 {
		return nil, errors.New("har: no Okta API call in the log")
	}
	s.Source.Origin = origin
	if f.Log.Creator.Name != "" {
		s.Description = fmt.Sprintf("Imported from a HAR file written by %s %s.", f.Log.Creator.Name, f.Log.Creator.Version)
	}
	if !opts.KeepSecrets {
		r := opts.Redactor
		if r == nil {
			r = NewRedactor()
		}
		r.Redact(s)
	}
	if err := s.Validate(); err != nil {
		return nil, fmt.Errorf("har: %w", err)
	}
	return s, nil
}

func isOktaAPI(p string) bool {
	for _, pre := range oktaAPIPrefixes {
		if strings.HasPrefix(p, pre) {
			return true
		}
	}
	return false
}

func harExchange(e harEntry, u *url.URL) (Exchange, error) {
	path := u.EscapedPath()
	if u.RawQuery != "" {
		path += "?" + u.RawQuery
	}
	x := Exchange{Request: Request{Method: strings.ToUpper(e.Request.Method), Path: path}}
	hdr := map[string]string{}
	hasCookie := false
	for _, h := range e.Request.Headers {
		name, ok := requestHeadersKept[strings.ToLower(h.Name)]
		if !ok {
			continue
		}
		if name == "Cookie" {
			hasCookie = true
		}
		addHeader(hdr, name, h.Value, "; ")
	}
	// Some tools list cookies only in request.cookies.
	if !hasCookie && len(e.Request.Cookies) > 0 {
		var cs []string
		for _, c := range e.Request.Cookies {
			cs = append(cs, c.Name+"="+c.Value)
		}
		hdr["Cookie"] = strings.Join(cs, "; ")
	}
	if len(hdr) > 0 {
		x.Request.Headers = hdr
	}
	if pd := e.Request.PostData; pd != nil && (pd.Text != "" || len(pd.Params) > 0) {
		mime := strings.ToLower(pd.MimeType)
		switch {
		case strings.Contains(mime, "x-www-form-urlencoded"):
			form := map[string]string{}
			if len(pd.Params) > 0 {
				for _, p := range pd.Params {
					v, err := url.QueryUnescape(p.Value)
					if err != nil {
						v = p.Value
					}
					form[p.Name] = v
				}
			} else {
				vals, err := url.ParseQuery(pd.Text)
				if err != nil {
					return x, fmt.Errorf("form body: %w", err)
				}
				for k, v := range vals {
					form[k] = v[0]
				}
			}
			x.Request.Form = form
		default:
			x.Request.Body = decodeBody(pd.Text, mime)
			if _, isString := x.Request.Body.(string); isString && mime != "" {
				x.Request.Headers = setHeader(x.Request.Headers, "Content-Type", pd.MimeType)
			}
		}
	}
	resp := &Response{Status: e.Response.Status}
	rh := map[string]string{}
	for _, h := range e.Response.Headers {
		if name, ok := responseHeadersKept[strings.ToLower(h.Name)]; ok {
			addHeader(rh, name, h.Value, "\n")
		}
	}
	if len(rh) > 0 {
		resp.Headers = rh
	}
	text := e.Response.Content.Text
	if e.Response.Content.Encoding == "base64" && text != "" {
		b, err := base64.StdEncoding.DecodeString(text)
		if err != nil {
			return x, fmt.Errorf("response content: %w", err)
		}
		text = string(b)
	}
	if text != "" {
		resp.Body = decodeBody(text, strings.ToLower(e.Response.Content.MimeType))
	}
	x.Response = resp
	return x, nil
}

// decodeBody decodes JSON text (whatever the declared type says, Okta's
// errors are JSON); anything else stays a string.
func decodeBody(text, mime string) any {
	t := strings.TrimSpace(text)
	if strings.HasPrefix(t, "{") || strings.HasPrefix(t, "[") || strings.Contains(mime, "json") {
		var v any
		if err := json.Unmarshal([]byte(t), &v); err == nil {
			return v
		}
	}
	return text
}

func addHeader(h map[string]string, name, value, sep string) {
	if old, ok := h[name]; ok {
		h[name] = old + sep + value
		return
	}
	h[name] = value
}

func setHeader(h map[string]string, name, value string) map[string]string {
	if h == nil {
		h = map[string]string{}
	}
	h[name] = value
	return h
}

// engineShown returns the engine an exchange proves the org runs: the
// pipeline of /.well-known/okta-organization, or an IDX call.
func engineShown(x Exchange) string {
	p, _, _ := strings.Cut(x.Request.Path, "?")
	if strings.HasPrefix(p, "/idp/idx/") && x.Response != nil && x.Response.Status < 400 {
		return Identity
	}
	if p != "/.well-known/okta-organization" || x.Response == nil {
		return ""
	}
	if m, ok := x.Response.Body.(map[string]any); ok {
		switch m["pipeline"] {
		case "v1":
			return Classic
		case "idx":
			return Identity
		}
	}
	return ""
}

// harEntriesSorted orders entries by startedDateTime (stable: tools that
// write equal times keep their order).
func harEntriesSorted(es []harEntry) []harEntry {
	out := append([]harEntry(nil), es...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].StartedDateTime < out[j].StartedDateTime })
	return out
}

// LoadHAR imports a HAR file (ImportHAR) and names the scenario after the
// file.
func LoadHAR(file string, opts HAROptions) (*Scenario, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("har: %w", err)
	}
	if opts.Name == "" {
		opts.Name = strings.TrimSuffix(filepath.Base(file), filepath.Ext(file))
	}
	s, err := ImportHAR(data, opts)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	s.File = file
	if s.Source.Origin == "" {
		s.Source.Origin = file
	}
	return s, nil
}

// LoadAny reads scenarios from a scenario file, a directory of them, or a
// HAR file (*.har), for commands that accept all three (`oktaemu diff
// FILE|DIR|HAR`).
func LoadAny(path string) ([]*Scenario, error) {
	if strings.HasSuffix(strings.ToLower(path), ".har") {
		s, err := LoadHAR(path, HAROptions{})
		if err != nil {
			return nil, err
		}
		return []*Scenario{s}, nil
	}
	return Load(path)
}
