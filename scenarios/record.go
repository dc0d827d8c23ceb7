package scenarios

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"time"
)

// RecordControlPrefix is the recorder's own path prefix (never proxied):
// POST /_record/save?name=NAME writes what was recorded so far as a
// scenario and starts a new one; GET /_record/status tells how many
// exchanges are pending.
const RecordControlPrefix = "/_record/"

// maxRecordedBody bounds what the recorder keeps of one body.
const maxRecordedBody = 8 << 20

// Recorder is a reverse proxy to an Okta org (or an emulator) that records
// every Okta API exchange going through it and writes them as scenarios,
// with secrets redacted into placeholders that still correlate. Links in
// the answers are rewritten to point at the proxy, so clients that follow
// `_links` (okta-auth-js, the sign-in widget) stay on it.
type Recorder struct {
	// Upstream is the org's base URL.
	Upstream *url.URL
	// Dir is where Save writes scenario files ("." when empty).
	Dir string
	// All records every request, not only Okta API calls.
	All bool
	// KeepSecrets writes secrets as they are (no redaction).
	KeepSecrets bool
	// Now is the clock for recordedAt (time.Now when nil).
	Now func() time.Time
	// Transport reaches the upstream (http.DefaultTransport when nil).
	Transport http.RoundTripper

	proxy  *httputil.ReverseProxy
	once   sync.Once
	mu     sync.Mutex
	xs     []Exchange
	start  time.Time
	engine string
	red    *Redactor
	saved  []string
}

// NewRecorder returns a recorder for the org at upstream.
func NewRecorder(upstream string) (*Recorder, error) {
	u, err := url.Parse(strings.TrimRight(upstream, "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("record: upstream %q: want an http:// or https:// URL", upstream)
	}
	return &Recorder{Upstream: u}, nil
}

func (rec *Recorder) init() {
	rec.once.Do(func() {
		rec.red = NewRedactor()
		rt := rec.Transport
		if rt == nil {
			rt = http.DefaultTransport
		}
		rec.proxy = &httputil.ReverseProxy{
			Rewrite: func(pr *httputil.ProxyRequest) {
				pr.SetURL(rec.Upstream)
				pr.Out.Host = rec.Upstream.Host
				// Bodies are recorded in clear: no compression.
				pr.Out.Header.Del("Accept-Encoding")
			},
			Transport: rt,
			ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
				http.Error(w, "oktaemu record: upstream: "+err.Error(), http.StatusBadGateway)
			},
		}
	})
}

func (rec *Recorder) now() time.Time {
	if rec.Now != nil {
		return rec.Now()
	}
	return time.Now()
}

// ServeHTTP proxies one request and records the exchange.
func (rec *Recorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rec.init()
	if strings.HasPrefix(r.URL.Path, RecordControlPrefix) {
		rec.control(w, r)
		return
	}
	var reqBody []byte
	if r.Body != nil {
		var err error
		reqBody, err = io.ReadAll(io.LimitReader(r.Body, maxRecordedBody))
		r.Body.Close()
		if err != nil {
			http.Error(w, "oktaemu record: reading the request: "+err.Error(), http.StatusBadRequest)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(reqBody))
		r.ContentLength = int64(len(reqBody))
	}
	upstreamPath := strings.TrimRight(rec.Upstream.Path, "/")
	cw := &captured{}
	proxyOrigin := "http://" + r.Host
	if r.TLS != nil {
		proxyOrigin = "https://" + r.Host
	}
	upstreamOrigin := rec.Upstream.Scheme + "://" + rec.Upstream.Host + upstreamPath
	proxy := *rec.proxy
	proxy.ModifyResponse = func(resp *http.Response) error {
		data, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return err
		}
		cw.upstreamBody = data
		cw.status = resp.StatusCode
		cw.upstreamHeader = resp.Header.Clone()
		// Point links and redirects at the proxy.
		if upstreamOrigin != proxyOrigin {
			data = bytes.ReplaceAll(data, []byte(upstreamOrigin), []byte(proxyOrigin))
			if loc := resp.Header.Get("Location"); loc != "" {
				resp.Header.Set("Location", strings.Replace(loc, upstreamOrigin, proxyOrigin, 1))
			}
		}
		resp.Body = io.NopCloser(bytes.NewReader(data))
		resp.ContentLength = int64(len(data))
		resp.Header.Set("Content-Length", fmt.Sprint(len(data)))
		return nil
	}
	proxy.ServeHTTP(w, r)
	if cw.status == 0 || r.Method == http.MethodOptions {
		return // the upstream never answered (ErrorHandler), or a preflight
	}
	p := r.URL.EscapedPath()
	if !rec.All && !isOktaAPI(p) {
		return
	}
	if r.URL.RawQuery != "" {
		p += "?" + r.URL.RawQuery
	}
	x := recordedExchange(r.Method, p, r.Header, reqBody, cw.status, cw.upstreamHeader, cw.upstreamBody)
	rec.mu.Lock()
	if len(rec.xs) == 0 {
		rec.start = rec.now().UTC()
	}
	if e := engineShown(x); e != "" {
		rec.engine = e
	}
	rec.xs = append(rec.xs, x)
	rec.mu.Unlock()
}

// captured carries what ModifyResponse saw of the upstream's answer.
type captured struct {
	status         int
	upstreamHeader http.Header
	upstreamBody   []byte
}

// recordedExchange builds an exchange from one proxied request and the
// upstream's answer, keeping the headers that matter (as HAR import does).
func recordedExchange(method, path string, reqHeader http.Header, reqBody []byte, status int, respHeader http.Header, respBody []byte) Exchange {
	x := Exchange{Request: Request{Method: method, Path: path}}
	hdr := map[string]string{}
	for k, vs := range reqHeader {
		if name, ok := requestHeadersKept[strings.ToLower(k)]; ok {
			hdr[name] = strings.Join(vs, "; ")
		}
	}
	if len(hdr) > 0 {
		x.Request.Headers = hdr
	}
	if len(reqBody) > 0 {
		ct := strings.ToLower(reqHeader.Get("Content-Type"))
		if strings.Contains(ct, "x-www-form-urlencoded") {
			if vals, err := url.ParseQuery(string(reqBody)); err == nil {
				x.Request.Form = map[string]string{}
				for k, v := range vals {
					x.Request.Form[k] = v[0]
				}
			}
		}
		if x.Request.Form == nil {
			x.Request.Body = decodeBody(string(reqBody), ct)
			if _, isString := x.Request.Body.(string); isString && ct != "" {
				x.Request.Headers = setHeader(x.Request.Headers, "Content-Type", reqHeader.Get("Content-Type"))
			}
		}
	}
	resp := &Response{Status: status}
	rh := map[string]string{}
	for k, vs := range respHeader {
		if name, ok := responseHeadersKept[strings.ToLower(k)]; ok {
			rh[name] = strings.Join(vs, "\n")
		}
	}
	if len(rh) > 0 {
		resp.Headers = rh
	}
	if len(bytes.TrimSpace(respBody)) > 0 {
		resp.Body = decodeBody(string(respBody), strings.ToLower(respHeader.Get("Content-Type")))
	}
	x.Response = resp
	return x
}

// Pending returns how many exchanges were recorded since the last save.
func (rec *Recorder) Pending() int {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return len(rec.xs)
}

// Saved lists the files written so far.
func (rec *Recorder) Saved() []string {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return append([]string(nil), rec.saved...)
}

// Take returns what was recorded since the last take as a scenario
// (redacted unless KeepSecrets) and starts a new one; nil when nothing
// was recorded.
func (rec *Recorder) Take(name string) *Scenario {
	rec.init()
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if len(rec.xs) == 0 {
		return nil
	}
	start := rec.start
	s := &Scenario{Name: name, Exchanges: rec.xs,
		Source: Source{Kind: Recorded, Origin: rec.Upstream.String(), Engine: rec.engine, RecordedAt: &start}}
	if s.Name == "" {
		s.Name = "recording-" + start.Format("20060102-150405")
	}
	rec.xs = nil
	if !rec.KeepSecrets {
		rec.red.Redact(s)
	}
	return s
}

var fileNameRE = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// Save writes what was recorded since the last save to Dir/NAME.yaml and
// returns the file ("" when nothing was recorded).
func (rec *Recorder) Save(name string) (string, error) {
	s := rec.Take(name)
	if s == nil {
		return "", nil
	}
	data, err := Marshal(s)
	if err != nil {
		return "", fmt.Errorf("record: %w", err)
	}
	dir := rec.Dir
	if dir == "" {
		dir = "."
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("record: %w", err)
	}
	file := filepath.Join(dir, fileNameRE.ReplaceAllString(s.Name, "-")+".yaml")
	if err := os.WriteFile(file, data, 0o644); err != nil {
		return "", fmt.Errorf("record: %w", err)
	}
	rec.mu.Lock()
	rec.saved = append(rec.saved, file)
	rec.mu.Unlock()
	return file, nil
}

func (rec *Recorder) control(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	switch {
	case r.URL.Path == RecordControlPrefix+"save" && r.Method == http.MethodPost:
		file, err := rec.Save(r.URL.Query().Get("name"))
		if err != nil {
			w.WriteHeader(http.StatusInternalServerError)
			_ = json.NewEncoder(w).Encode(map[string]string{"error": err.Error()})
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"file": file})
	case r.URL.Path == RecordControlPrefix+"status" && r.Method == http.MethodGet:
		_ = json.NewEncoder(w).Encode(map[string]any{"pending": rec.Pending(), "saved": rec.Saved(), "upstream": rec.Upstream.String()})
	default:
		w.WriteHeader(http.StatusNotFound)
		_ = json.NewEncoder(w).Encode(map[string]string{"error": "unknown recorder endpoint " + r.Method + " " + r.URL.Path})
	}
}

// DetectEngine asks the upstream which engine it runs (the pipeline of
// /.well-known/okta-organization): classic, identity, or "" if unknown.
func DetectEngine(ctx context.Context, client *http.Client, base string) string {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimRight(base, "/")+"/.well-known/okta-organization", nil)
	if err != nil {
		return ""
	}
	req.Header.Set("Accept", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return ""
	}
	defer resp.Body.Close()
	var body struct {
		Pipeline string `json:"pipeline"`
	}
	if json.NewDecoder(resp.Body).Decode(&body) != nil {
		return ""
	}
	switch body.Pipeline {
	case "v1":
		return Classic
	case "idx":
		return Identity
	}
	return ""
}

// SetEngine states the engine of the upstream (from DetectEngine) for the
// scenarios written from now on.
func (rec *Recorder) SetEngine(e string) {
	rec.mu.Lock()
	rec.engine = e
	rec.mu.Unlock()
}
