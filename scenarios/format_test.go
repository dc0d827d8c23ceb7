package scenarios

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestParseStrictNamesLine(t *testing.T) {
	for _, tc := range []struct {
		name, doc, want string
	}{
		{"unknown key", "name: x\nexchanges:\n  - request:\n      method: GET\n      path: /\n      bogus: 1\n", "x.yaml:6:"},
		{"bad engine", "engine: both-ish\nexchanges:\n  - request: {method: GET, path: /}\n", "engine \"both-ish\""},
		{"no exchanges", "name: x\n", "at least one"},
		{"body and form", "exchanges:\n  - request: {method: POST, path: /, body: {a: 1}, form: {b: c}}\n", "exclusive"},
		{"bad capture", "exchanges:\n  - request: {method: GET, path: /}\n    captures: {id: foo.bar}\n", "captures.id"},
		{"bad per-engine", "exchanges:\n  - request: {method: GET, path: /}\n    engines: {oie: {status: 200}}\n", "engines.oie"},
		{"bad advance", "exchanges:\n  - request: {method: GET, path: /}\n    advance: soon\n", "advance"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("x.yaml", []byte(tc.doc))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Parse error = %v, want it to contain %q", err, tc.want)
			}
		})
	}
}

func TestParseDefaultsAndMultiDoc(t *testing.T) {
	doc := "exchanges:\n  - request: {method: GET, path: /a}\n---\nname: second\nengine: identity\nexchanges:\n  - request: {method: GET, path: /b}\n    response: {status: 200}\n    engines:\n      identity: {status: 404}\n"
	ss, err := Parse("dir/two.yaml", []byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	type got struct {
		Name    string
		Engines []string
		File    string
	}
	var g []got
	for _, s := range ss {
		g = append(g, got{s.Name, s.Engines(), s.File})
	}
	want := []got{{"two", []string{"classic", "identity"}, "dir/two.yaml"}, {"second", []string{"identity"}, "dir/two.yaml"}}
	if d := cmp.Diff(want, g); d != "" {
		t.Fatalf("(-want +got)\n%s", d)
	}
	x := ss[1].Exchanges[0]
	if x.Expected("identity").Status != 404 || x.Expected("classic").Status != 200 {
		t.Errorf("per-engine expectation not chosen: identity %d classic %d", x.Expected("identity").Status, x.Expected("classic").Status)
	}
}

func TestMarshalRoundTrip(t *testing.T) {
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	s := &Scenario{
		Name: "round-trip", Engine: Both, Fixture: "classic-default",
		Source: Source{Kind: Recorded, Origin: "https://acme.okta.com", Engine: Classic, RecordedAt: &at},
		Exchanges: []Exchange{{
			Name:    "authn",
			Request: Request{Method: "POST", Path: "/api/v1/authn", Headers: map[string]string{"Accept": "application/json"}, Body: map[string]any{"username": "alice@example.com", "password": "<password:1>"}},
			Response: &Response{Status: 200, Body: map[string]any{"status": "SUCCESS", "sessionToken": "<sessionToken:1>",
				"_embedded": map[string]any{"factors": []any{map[string]any{"id": "uft1", "factorType": "token:software:totp"}}}}},
			Engines:  map[string]*Response{Identity: {Status: 401, Headers: map[string]string{"Set-Cookie": "a=1\nb=2"}}},
			Captures: map[string]string{"tok": "body.sessionToken"},
			Ignore:   []string{"body.expiresAt"},
		}},
	}
	data, err := Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	back, err := Parse("rt.yaml", data)
	if err != nil {
		t.Fatalf("%v\n%s", err, data)
	}
	back[0].File = ""
	// YAML numbers decode as uint64; normalise through JSON for comparison.
	if d := cmp.Diff(jsonRound(t, s), jsonRound(t, back[0])); d != "" {
		t.Errorf("round trip (-want +got)\n%s\n%s", d, data)
	}
}

func TestLoadDir(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "sub"), 0o755)
	os.WriteFile(filepath.Join(dir, "b.yaml"), []byte("exchanges:\n  - request: {method: GET, path: /b}\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "sub", "a.yml"), []byte("exchanges:\n  - request: {method: GET, path: /a}\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("ignored"), 0o644)
	ss, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, s := range ss {
		names = append(names, s.Name)
	}
	if d := cmp.Diff([]string{"b", "a"}, names); d != "" {
		t.Errorf("(-want +got)\n%s", d)
	}
	if _, err := Load(filepath.Join(dir, "missing.yaml")); err == nil {
		t.Error("Load of a missing file: no error")
	}
	if _, err := Load("testdata/users.yaml"); err != nil {
		t.Errorf("testdata: %v", err)
	}
}
