package scenarios

import (
	"context"
	"sort"

	"github.com/oktaemu/oktaemu/scenarios/diff"
)

// CompareHeaders are the headers compared between two runs: the ones an
// integration reads.
var CompareHeaders = []string{"Content-Type", "Location", "Set-Cookie", "Www-Authenticate"}

// EngineDiff is one scenario run on Classic and on Identity Engine, with
// the classified differences between the two.
type EngineDiff struct {
	Scenario  *Scenario      `json:"-"`
	Name      string         `json:"scenario"`
	A         string         `json:"a"`
	B         string         `json:"b"`
	Exchanges []ExchangeDiff `json:"exchanges"`
	// ErrA and ErrB are the hard failures that stopped a side.
	ErrA string `json:"errorA,omitempty"`
	ErrB string `json:"errorB,omitempty"`
	// Noise is what differed between two runs on the same engine (ignored).
	Noise map[int][]string `json:"noise,omitempty"`
}

// ExchangeDiff is one exchange on both engines.
type ExchangeDiff struct {
	Index   int               `json:"index"`
	Label   string            `json:"label"`
	Request Request           `json:"request"`
	A       *Response         `json:"a,omitempty"`
	B       *Response         `json:"b,omitempty"`
	Diffs   []diff.Difference `json:"diffs,omitempty"`
	// NotRun says the exchange did not run on a side (after a hard
	// failure there); it is not compared.
	NotRun string `json:"notRun,omitempty"`
}

// Count returns the number of differences.
func (d *EngineDiff) Count() int {
	n := 0
	for _, x := range d.Exchanges {
		n += len(x.Diffs)
	}
	return n
}

// DiffEngines runs sc on engines a and b (Classic and Identity) with o,
// and classifies what differs. With learnNoise, each engine first runs
// the scenario twice: whatever differs between two runs on one engine is
// noise and is not reported.
func DiffEngines(ctx context.Context, sc *Scenario, a, b string, o Options, learnNoise bool) *EngineDiff {
	out := &EngineDiff{Scenario: sc, Name: sc.Name, A: a, B: b}
	o.Engines = nil
	o.normalize = true
	if learnNoise {
		noise := map[int][]string{}
		for _, e := range []string{a, b} {
			for i, ps := range LearnNoise(ctx, sc, e, o) {
				noise[i] = append(noise[i], ps...)
			}
		}
		for i := range noise {
			sort.Strings(noise[i])
			noise[i] = dedupe(noise[i])
		}
		if len(noise) > 0 {
			out.Noise = noise
		}
	}
	progress := o.Progress
	o.Progress = nil
	ra := RunOne(ctx, sc, a, o)
	rb := RunOne(ctx, sc, b, o)
	out.ErrA, out.ErrB = ra.Err, rb.Err
	al := newAligner(ra, rb)
	for i := range sc.Exchanges {
		x := &sc.Exchanges[i]
		xd := ExchangeDiff{Index: i, Label: x.Label(), Request: x.Request}
		var xa, xb *ExchangeResult
		if i < len(ra.Exchanges) {
			xa = &ra.Exchanges[i]
			xd.Request = xa.Sent
		}
		if i < len(rb.Exchanges) {
			xb = &rb.Exchanges[i]
		}
		switch {
		case xa == nil && xb == nil:
			xd.NotRun = "both"
		case xa == nil || xa.Actual == nil:
			xd.NotRun = a
		case xb == nil || xb.Actual == nil:
			xd.NotRun = b
		}
		if xd.NotRun == "" {
			ignore := append(append([]string(nil), x.Ignore...), out.Noise[i]...)
			var ds []diff.Difference
			xd.A, xd.B, ds = al.compare(xa.Actual, xb.Actual, ignore)
			xd.Diffs = ds
			diff.ExplainAll(diff.Request{Method: xa.Sent.Method, Path: xa.Sent.Path, Body: xa.Sent.Body}, xd.Diffs)
		} else {
			if xa != nil {
				xd.A = xa.Normal
			}
			if xb != nil {
				xd.B = xb.Normal
			}
		}
		out.Exchanges = append(out.Exchanges, xd)
		if progress != nil {
			progress()
		}
	}
	return out
}

// LearnNoise runs sc twice on engine and returns, per exchange index, the
// paths whose normalised values differed between the two runs.
func LearnNoise(ctx context.Context, sc *Scenario, engine string, o Options) map[int][]string {
	o.Progress = nil
	o.normalize = true
	r1 := RunOne(ctx, sc, engine, o)
	r2 := RunOne(ctx, sc, engine, o)
	noise := map[int][]string{}
	al := newAligner(r1, r2)
	for i := range r1.Exchanges {
		if i >= len(r2.Exchanges) {
			break
		}
		a, b := r1.Exchanges[i].Actual, r2.Exchanges[i].Actual
		if a == nil || b == nil {
			continue
		}
		_, _, ds := al.compare(a, b, nil)
		for _, d := range ds {
			noise[i] = append(noise[i], d.Path)
		}
	}
	return noise
}

func dedupe(s []string) []string {
	out := s[:0]
	for i, x := range s {
		if i == 0 || x != s[i-1] {
			out = append(out, x)
		}
	}
	return out
}

// aligner compares two runs of one scenario exchange by exchange: side B's
// minted values (ids, tokens, links, cookies, dates) are paired one-to-one
// with side A's at the same place (Matcher), then both are normalised by
// one Normalizer, so equal pairs get equal placeholders and an element
// only one side has keeps its own. The pairing lasts the whole run.
type aligner struct {
	m *Matcher
	n *Normalizer
}

func newAligner(a, b *Result) *aligner {
	al := &aligner{m: NewMatcher(true), n: NewNormalizer()}
	keep := append(append([]string(nil), a.keep...), b.keep...)
	al.m.Keep(keep...)
	al.n.Keep(keep...)
	return al
}

func (al *aligner) compare(a, b *Response, ignore []string) (*Response, *Response, []diff.Difference) {
	ac := &Response{Status: a.Status, Headers: pick(a.Headers, CompareHeaders), Body: a.Body}
	bc := &Response{Status: b.Status, Headers: pick(b.Headers, CompareHeaders), Body: b.Body}
	na := al.n.Response(ac)
	nb := al.n.Response(al.m.Align(ac, bc))
	return na, nb, diff.Compare(side(na), side(nb), diff.Options{Headers: CompareHeaders, Ignore: ignore})
}

// pick keeps the named headers.
func pick(h map[string]string, names []string) map[string]string {
	out := map[string]string{}
	for _, n := range names {
		if v, ok := h[n]; ok {
			out[n] = v
		}
	}
	return out
}
