package scenarios

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/oktaemu/oktaemu/fixtures"
	"github.com/oktaemu/oktaemu/scenarios/diff"
)

// Options configure a run.
type Options struct {
	// Backend opens the org of each run (InProcess{} when nil).
	Backend Backend
	// Engines overrides the scenarios' engines (nil: each scenario's).
	Engines []string
	// StopOnMismatch stops a run at the first mismatch; a hard failure
	// (transport error, unresolved placeholder, a request refused that
	// the expectation says succeeds) always stops it.
	StopOnMismatch bool
	// Values resolves request placeholders (<password:1> ->
	// "Pa55word!Emu") that no earlier response taught.
	Values map[string]string
	// Resolve resolves the placeholders Values lacks (a TOTP computed from
	// a reconstructed secret, a code read from the outbox). ok=false
	// leaves the placeholder unresolved (a hard failure).
	Resolve func(ctx context.Context, t *Target, placeholder string) (value string, ok bool, err error)
	// Noise holds paths to ignore per exchange index (see LearnNoise).
	Noise map[int][]string
	// Progress is called after every exchange (nil: nothing); it must be
	// safe for concurrent use when Parallel > 1.
	Progress func()
	// Parallel is how many runs Run performs at a time (default 1). Each
	// run has its own org, so runs do not interfere.
	Parallel int

	// Lean drops the responses of the exchanges that met their
	// expectation from the results (long runs whose report shows only
	// differences: table, Markdown, JUnit).
	Lean bool

	// normalize fills ExchangeResult.Normal (engine diffs, noise).
	normalize bool
}

func (o *Options) backend() Backend {
	if o.Backend == nil {
		return InProcess{}
	}
	return o.Backend
}

// Result is one scenario run on one engine.
type Result struct {
	Scenario *Scenario `json:"-"`
	Name     string    `json:"scenario"`
	Engine   string    `json:"engine"`
	// Exchanges holds one entry per exchange that ran.
	Exchanges []ExchangeResult `json:"exchanges"`
	// NotRun counts the exchanges skipped after a stop.
	NotRun int `json:"notRun,omitempty"`
	// Err is the hard failure that stopped the run ("" when none).
	Err string `json:"error,omitempty"`

	// keep are the starting fixture's ids.
	keep []string
}

// Failed reports whether any exchange mismatched or the run failed hard.
func (r *Result) Failed() bool {
	if r.Err != "" {
		return true
	}
	for _, x := range r.Exchanges {
		if len(x.Diffs) > 0 || x.Err != "" {
			return true
		}
	}
	return false
}

// ExchangeResult is one exchange of a run.
type ExchangeResult struct {
	Index int    `json:"index"`
	Label string `json:"label"`
	// Sent is the request as sent (after substitution).
	Sent Request `json:"sent"`
	// Expected is the expectation for the engine (nil: anything).
	Expected *Response `json:"expected,omitempty"`
	// Actual is the response as received.
	Actual *Response `json:"actual,omitempty"`
	// Normal is Actual normalised by the run's Normalizer (for diffs
	// between runs and engines).
	Normal *Response `json:"-"`
	// Diffs are the classified differences from the expectation.
	Diffs []diff.Difference `json:"diffs,omitempty"`
	// Err is a hard failure of this exchange.
	Err      string        `json:"error,omitempty"`
	Duration time.Duration `json:"durationNs"`
}

// Run replays every scenario on each of its engines, o.Parallel runs at
// a time; results keep the scenarios' order.
func Run(ctx context.Context, scs []*Scenario, o Options) []*Result {
	type job struct {
		sc     *Scenario
		engine string
	}
	var jobs []job
	for _, sc := range scs {
		engines := sc.Engines()
		if o.Engines != nil {
			engines = o.Engines
		}
		for _, e := range engines {
			jobs = append(jobs, job{sc, e})
		}
	}
	out := make([]*Result, len(jobs))
	workers := o.Parallel
	if workers < 1 {
		workers = 1
	}
	next := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < workers && w < len(jobs); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				out[i] = RunOne(ctx, jobs[i].sc, jobs[i].engine, o)
			}
		}()
	}
	for i := range jobs {
		next <- i
	}
	close(next)
	wg.Wait()
	return out
}

// RunOne replays one scenario on one engine, on a fresh org of o.Backend.
func RunOne(ctx context.Context, sc *Scenario, engine string, o Options) *Result {
	res := &Result{Scenario: sc, Name: sc.Name, Engine: engine}
	t, err := o.backend().Open(ctx, sc, engine)
	if err != nil {
		res.Err = err.Error()
		res.NotRun = len(sc.Exchanges)
		return res
	}
	defer t.Close()
	r := &runner{sc: sc, t: t, o: &o, corr: NewCorrelator(), match: NewMatcher(sc.Source.Kind == Recorded),
		norm: NewNormalizer(), captures: map[string]string{}}
	res.keep = fixtureIDs(t.Fixture)
	r.norm.Keep(res.keep...)
	for i := range sc.Exchanges {
		if err := ctx.Err(); err != nil {
			res.Err = err.Error()
			res.NotRun = len(sc.Exchanges) - i
			break
		}
		xr, hard := r.exchange(ctx, i)
		if o.Lean && hard == "" && xr.Err == "" && len(xr.Diffs) == 0 && !o.normalize {
			xr.Actual, xr.Expected, xr.Sent.Body, xr.Sent.Headers = nil, nil, nil, nil
		}
		res.Exchanges = append(res.Exchanges, xr)
		if o.Progress != nil {
			o.Progress()
		}
		if hard != "" || (o.StopOnMismatch && len(xr.Diffs) > 0) {
			if hard != "" {
				res.Err = fmt.Sprintf("exchange %d (%s): %s", i+1, xr.Label, hard)
			}
			res.NotRun = len(sc.Exchanges) - i - 1
			break
		}
	}
	return res
}

type runner struct {
	sc       *Scenario
	t        *Target
	o        *Options
	corr     *Correlator
	match    *Matcher
	norm     *Normalizer
	captures map[string]string
}

var varRE = regexp.MustCompile(`\{\{\s*([A-Za-z0-9_.-]+)\s*\}\}`)

// exchange runs exchange i; hard is non-empty on a hard failure.
func (r *runner) exchange(ctx context.Context, i int) (xr ExchangeResult, hard string) {
	x := &r.sc.Exchanges[i]
	xr = ExchangeResult{Index: i, Label: x.Label()}
	expected := r.sc.expected(i, r.t.Engine)
	xr.Expected = expected
	if x.Advance != "" {
		d, _ := time.ParseDuration(x.Advance)
		if err := r.t.Advance(ctx, d); err != nil {
			xr.Err = err.Error()
			return xr, xr.Err
		}
	}
	req, err := r.prepare(ctx, x.Request)
	xr.Sent = req
	if err != nil {
		xr.Err = err.Error()
		return xr, xr.Err
	}
	start := time.Now()
	actual, err := r.send(ctx, req)
	xr.Duration = time.Since(start)
	if err != nil {
		xr.Err = err.Error()
		return xr, xr.Err
	}
	xr.Actual = actual
	if r.o.normalize {
		xr.Normal = r.norm.Response(actual)
	}
	for name, from := range x.Captures {
		if v, ok := capture(actual, from); ok {
			r.captures[name] = v
		}
	}
	r.corr.Learn(expected, actual)
	if expected != nil {
		aligned := r.match.Align(expected, actual)
		ignore := append(append([]string(nil), x.Ignore...), r.o.Noise[i]...)
		xr.Diffs = diff.Compare(side(expected), side(aligned), diff.Options{Subset: r.sc.Source.Kind != Recorded, Ignore: ignore})
		diff.ExplainAll(diff.Request{Method: req.Method, Path: req.Path, Body: req.Body}, xr.Diffs)
		if expected.Status != 0 && expected.Status < 400 && actual.Status >= 400 {
			return xr, fmt.Sprintf("expected %d, got %d", expected.Status, actual.Status)
		}
	}
	return xr, ""
}

func side(r *Response) diff.Side {
	if r == nil {
		return diff.Side{}
	}
	return diff.Side{Status: r.Status, Headers: r.Headers, Body: r.Body}
}

// SideOf converts a Response for the diff package.
func SideOf(r *Response) diff.Side { return side(r) }

// prepare substitutes captures, learned values and placeholders.
func (r *runner) prepare(ctx context.Context, req Request) (Request, error) {
	var missing []string
	req = mapRequest(req, func(s string) string {
		if !strings.Contains(s, "{{") {
			return s
		}
		return varRE.ReplaceAllStringFunc(s, func(m string) string {
			name := varRE.FindStringSubmatch(m)[1]
			if name == "token" {
				return r.t.Token
			}
			if v, ok := r.captures[name]; ok {
				return v
			}
			missing = append(missing, m)
			return m
		})
	})
	if len(missing) > 0 {
		return req, fmt.Errorf("no capture for %s", strings.Join(missing, ", "))
	}
	req = r.corr.Apply(req)
	var rerr error
	req = mapRequest(req, func(s string) string {
		if !strings.Contains(s, "<") {
			return s
		}
		return placeholderInRE.ReplaceAllStringFunc(s, func(ph string) string {
			if v, ok := r.o.Values[ph]; ok {
				return v
			}
			if strings.HasPrefix(ph, "<apiToken:") {
				return r.t.Token
			}
			if r.o.Resolve != nil {
				v, ok, err := r.o.Resolve(ctx, r.t, ph)
				if err != nil && rerr == nil {
					rerr = err
				}
				if ok {
					return v
				}
			}
			missing = append(missing, ph)
			return ph
		})
	})
	if rerr != nil {
		return req, rerr
	}
	if len(missing) > 0 {
		return req, fmt.Errorf("unresolved placeholder %s (no earlier response minted it and no value was given)", strings.Join(missing, ", "))
	}
	return req, nil
}

// send performs the request against the target.
func (r *runner) send(ctx context.Context, req Request) (*Response, error) {
	p := req.Path
	if u, err := url.Parse(p); err == nil && u.Host != "" {
		p = u.RequestURI()
	}
	var body io.Reader
	ctype := ""
	switch {
	case req.Form != nil:
		f := url.Values{}
		for k, v := range req.Form {
			f.Set(k, v)
		}
		body = strings.NewReader(f.Encode())
		ctype = "application/x-www-form-urlencoded"
	case req.Body != nil:
		if s, ok := req.Body.(string); ok {
			body = strings.NewReader(s)
		} else {
			b, err := json.Marshal(req.Body)
			if err != nil {
				return nil, err
			}
			body = bytes.NewReader(b)
			ctype = "application/json"
		}
	}
	hreq, err := http.NewRequestWithContext(ctx, req.Method, r.t.BaseURL+p, body)
	if err != nil {
		return nil, err
	}
	if ctype != "" {
		hreq.Header.Set("Content-Type", ctype)
	}
	hreq.Header.Set("Accept", "application/json")
	for k, v := range req.Headers {
		hreq.Header.Set(k, v)
	}
	resp, err := r.t.Client.Do(hreq)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	return ReadResponse(resp.StatusCode, resp.Header, data), nil
}

// ReadResponse builds a Response: headers by canonical name (several
// values joined by "\n"), a JSON body decoded, any other body as a string.
func ReadResponse(status int, h http.Header, data []byte) *Response {
	out := &Response{Status: status}
	if len(h) > 0 {
		out.Headers = make(map[string]string, len(h))
		for k, vs := range h {
			out.Headers[http.CanonicalHeaderKey(k)] = strings.Join(vs, "\n")
		}
	}
	if len(bytes.TrimSpace(data)) > 0 {
		var v any
		if json.Unmarshal(data, &v) == nil {
			out.Body = v
		} else {
			out.Body = string(data)
		}
	}
	return out
}

// capture reads body.<path>, header.<Name> or cookie.<name> from r.
func capture(r *Response, from string) (string, bool) {
	switch {
	case strings.HasPrefix(from, "header."):
		return headerValue(r.Headers, strings.TrimPrefix(from, "header."))
	case strings.HasPrefix(from, "cookie."):
		sc, _ := headerValue(r.Headers, "Set-Cookie")
		v, ok := cookies(sc)[strings.TrimPrefix(from, "cookie.")]
		return v, ok
	}
	v := r.Body
	for _, seg := range strings.Split(strings.TrimPrefix(from, "body."), ".") {
		switch x := v.(type) {
		case map[string]any:
			v = x[seg]
		case []any:
			var i int
			if _, err := fmt.Sscanf(seg, "%d", &i); err != nil || i < 0 || i >= len(x) {
				return "", false
			}
			v = x[i]
		default:
			return "", false
		}
	}
	switch x := v.(type) {
	case string:
		return x, true
	case nil:
		return "", false
	default:
		b, _ := json.Marshal(x)
		return string(b), true
	}
}

// jsonNormal returns r with its body as encoding/json would decode it
// (YAML decodes integers as uint64; responses decode them as float64).
func jsonNormal(r *Response) *Response {
	if r == nil || r.Body == nil {
		return r
	}
	if _, ok := r.Body.(string); ok {
		return r
	}
	b, err := json.Marshal(r.Body)
	if err != nil {
		return r
	}
	var v any
	if json.Unmarshal(b, &v) != nil {
		return r
	}
	out := *r
	out.Body = v
	return &out
}

// Engines lists the distinct engines of the results, in order.
func Engines(rs []*Result) []string {
	seen := map[string]bool{}
	var out []string
	for _, r := range rs {
		if !seen[r.Engine] {
			seen[r.Engine] = true
			out = append(out, r.Engine)
		}
	}
	sort.Strings(out)
	return out
}

// fixtureIDs lists the ids a fixture gives its entities (not the org id,
// which differs between the engines' fixtures).
func fixtureIDs(fx *fixtures.Org) []string {
	if fx == nil {
		return nil
	}
	var out []string
	for _, a := range fx.Apps {
		out = append(out, a.ID, a.ClientID)
	}
	for _, g := range fx.Groups {
		out = append(out, g.ID)
	}
	for _, u := range fx.Users {
		out = append(out, u.ID)
		for _, f := range u.Factors {
			out = append(out, f.ID)
		}
	}
	for _, p := range fx.Policies {
		out = append(out, p.ID)
		for _, r := range p.Rules {
			out = append(out, r.ID)
		}
	}
	for _, t := range fx.APITokens {
		out = append(out, t.ID)
	}
	return out
}

// expectCache holds a scenario's expectations as encoding/json decodes
// bodies, computed once per scenario and engine; it is valid while the
// scenario keeps the same Exchanges slice.
type expectCache struct {
	first *Exchange
	n     int
	m     map[string][]*Response
}

var expectMu sync.Mutex

// expected returns exchange i's expectation on engine in JSON form.
func (s *Scenario) expected(i int, engine string) *Response {
	expectMu.Lock()
	defer expectMu.Unlock()
	c := s.cache
	if c == nil || c.first != &s.Exchanges[0] || c.n != len(s.Exchanges) {
		c = &expectCache{first: &s.Exchanges[0], n: len(s.Exchanges), m: map[string][]*Response{}}
		s.cache = c
	}
	list, ok := c.m[engine]
	if !ok {
		list = make([]*Response, len(s.Exchanges))
		for j := range s.Exchanges {
			list[j] = jsonNormal(s.Exchanges[j].Expected(engine))
		}
		c.m[engine] = list
	}
	return list[i]
}
