package scenarios

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/oktaemu/oktaemu/scenarios/diff"
)

type finding struct {
	Exchange int
	Class    diff.Class
	Path     string
	Row      int
}

func findings(d *EngineDiff) []finding {
	out := []finding{}
	for _, x := range d.Exchanges {
		for _, df := range x.Diffs {
			f := finding{Exchange: x.Index + 1, Class: df.Class, Path: df.Path}
			if df.Finding != nil {
				f.Row = df.Finding.Row
			}
			out = append(out, f)
		}
	}
	return out
}

// TestDiffEngines runs the same authored scenario on both engines: the
// only differences are the documented ones (engines.md #1 here), nothing
// spurious from ids, dates, tokens or links.
func TestDiffEngines(t *testing.T) {
	scs, err := Load("testdata/runner/users.yaml")
	if err != nil {
		t.Fatal(err)
	}
	sc := scs[0]
	sc.Exchanges = append(sc.Exchanges,
		Exchange{Name: "authn with audience", Request: Request{Method: "POST", Path: "/api/v1/authn",
			Body: map[string]any{"username": "alice@example.com", "password": "Pa55word!Emu", "audience": "0oasamlapp0000000000"}}},
	)
	d := DiffEngines(context.Background(), sc, Classic, Identity, Options{}, true)
	got := findings(d)
	want := []finding{
		{1, diff.ValueChanged, "body.pipeline", 1},
		{8, diff.RequestRefused, "status", 35},
		{8, diff.ErrorCodeChanged, "body.errorCode", 35},
	}
	if d := cmp.Diff(want, got); d != "" {
		for _, x := range d2s(d) {
			t.Log(x)
		}
		t.Errorf("classified differences (-want +got)\n%s", d)
	}
	if len(d.Noise) != 0 {
		t.Errorf("noise on a deterministic emulator: %v", d.Noise)
	}
}

func d2s(s string) []string { return []string{s} }

// noisy wraps a backend and adds a field that changes on every request:
// learned noise must absorb it.
type noisy struct {
	Backend
	n *atomic.Int64
}

func (b noisy) Open(ctx context.Context, sc *Scenario, engine string) (*Target, error) {
	t, err := b.Backend.Open(ctx, sc, engine)
	if err != nil {
		return nil, err
	}
	inner := t.Client.Transport
	t.Client = &http.Client{Transport: rtFunc(func(r *http.Request) (*http.Response, error) {
		resp, err := inner.RoundTrip(r)
		if err != nil {
			return resp, err
		}
		data, _ := io.ReadAll(resp.Body)
		var m map[string]any
		if json.Unmarshal(data, &m) == nil {
			m["traceCounter"] = strconv.FormatInt(b.n.Add(1), 10)
			data, _ = json.Marshal(m)
		}
		resp.Body = io.NopCloser(bytes.NewReader(data))
		return resp, nil
	})}
	return t, nil
}

type rtFunc func(*http.Request) (*http.Response, error)

func (f rtFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestLearnedNoise(t *testing.T) {
	sc := &Scenario{Name: "noise", Exchanges: []Exchange{
		{Request: Request{Method: "GET", Path: "/.well-known/okta-organization"}},
		{Request: Request{Method: "GET", Path: "/api/v1/users/alice@example.com", Headers: map[string]string{"Authorization": "SSWS {{token}}"}}},
	}}
	o := Options{Backend: noisy{InProcess{}, new(atomic.Int64)}}
	noise := LearnNoise(context.Background(), sc, Classic, o)
	if d := cmp.Diff(map[int][]string{0: {"body.traceCounter"}, 1: {"body.traceCounter"}}, noise); d != "" {
		t.Fatalf("noise (-want +got)\n%s", d)
	}
	withNoise := DiffEngines(context.Background(), sc, Classic, Identity, o, true)
	without := DiffEngines(context.Background(), sc, Classic, Identity, o, false)
	if d := cmp.Diff([]finding{{1, diff.ValueChanged, "body.pipeline", 1}}, findings(withNoise)); d != "" {
		t.Errorf("with learned noise (-want +got)\n%s", d)
	}
	if n := len(findings(without)); n != 3 {
		t.Errorf("without learned noise: %d differences, want 3 (pipeline and two counters): %v", n, findings(without))
	}
}

// TestAlignerPairsMintedValues: Identity lists an extra factor first; the
// other ids still pair up, and later exchanges show no spurious id
// changes (numbering by order alone would shift every later id).
func TestAlignerPairsMintedValues(t *testing.T) {
	a := &Result{keep: []string{"00ualice000000000000"}}
	b := &Result{keep: []string{"00ualice000000000000"}}
	al := newAligner(a, b)
	list := func(items ...map[string]any) *Response {
		var out []any
		for _, i := range items {
			out = append(out, i)
		}
		return &Response{Status: 200, Body: out}
	}
	_, _, ds := al.compare(
		list(map[string]any{"factorType": "sms", "id": "smsAAAAAAAAAAAAAAAA1"}),
		list(map[string]any{"factorType": "email", "id": "emfBBBBBBBBBBBBBBBB9"}, map[string]any{"factorType": "sms", "id": "smsBBBBBBBBBBBBBBBB1"}),
		nil)
	if d := cmp.Diff([]string{"field added body[0]"}, diffStrings(ds)); d != "" {
		t.Errorf("list (-want +got)\n%s", d)
	}
	// Later: the sms factor by id, then a new session, then alice (a
	// fixture id: must match itself only).
	_, _, ds = al.compare(
		&Response{Status: 200, Body: map[string]any{"id": "smsAAAAAAAAAAAAAAAA1", "session": "102AAAAAAAAAAAAAAAAAAAAAA", "userId": "00ualice000000000000"}},
		&Response{Status: 200, Body: map[string]any{"id": "smsBBBBBBBBBBBBBBBB1", "session": "102BBBBBBBBBBBBBBBBBBBBBB", "userId": "00ubob00000000000000"}},
		nil)
	if d := cmp.Diff([]string{"value changed body.userId"}, diffStrings(ds)); d != "" {
		t.Errorf("later exchange (-want +got)\n%s", d)
	}
}

func diffStrings(ds []diff.Difference) []string {
	out := []string{}
	for _, d := range ds {
		out = append(out, string(d.Class)+" "+d.Path)
	}
	return out
}
