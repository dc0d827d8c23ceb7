package scenarios

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestNormalizerGolden normalises one response that holds every kind of
// volatile value.
func TestNormalizerGolden(t *testing.T) {
	data, err := os.ReadFile("testdata/normalize_in.json")
	if err != nil {
		t.Fatal(err)
	}
	var in Response
	if err := json.Unmarshal(data, &in); err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	enc := json.NewEncoder(&out)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(NewNormalizer().Response(&in)); err != nil {
		t.Fatal(err)
	}
	golden(t, "normalize_out.json", out.String())
}

// TestNormalizerEqualityPreserving: two runs that mint different values in
// the same pattern normalise alike; a different pattern does not.
func TestNormalizerEqualityPreserving(t *testing.T) {
	run := func(vals ...string) []any {
		n := NewNormalizer()
		var out []any
		for _, v := range vals {
			out = append(out, n.Value("", map[string]any{"stateToken": v, "id": v + "0000000000000000000"}))
		}
		return out
	}
	a := run("a", "b", "a")
	b := run("x", "y", "x")
	c := run("x", "y", "y")
	if d := cmp.Diff(a, b); d != "" {
		t.Errorf("same pattern normalised differently:\n%s", d)
	}
	if cmp.Equal(a, c) {
		t.Error("different patterns normalised alike")
	}
}

func TestMatcher(t *testing.T) {
	for _, tc := range []struct {
		name     string
		recorded bool
		exp, act []any // successive bodies of one run
		want     []any // aligned actual bodies
	}{
		{"placeholder binds once", false,
			[]any{map[string]any{"id": "<u:1>"}, map[string]any{"id": "<u:1>"}, map[string]any{"id": "<u:2>"}},
			[]any{map[string]any{"id": "A"}, map[string]any{"id": "B"}, map[string]any{"id": "A"}},
			[]any{map[string]any{"id": "<u:1>"}, map[string]any{"id": "B"}, map[string]any{"id": "A"}}},
		{"authored literals stay literal", false,
			[]any{map[string]any{"id": "00ualice000000000000", "at": "2026-01-01T00:00:00Z"}},
			[]any{map[string]any{"id": "00ubob00000000000000", "at": "2027-01-01T00:00:00Z"}},
			[]any{map[string]any{"id": "00ubob00000000000000", "at": "2027-01-01T00:00:00Z"}}},
		{"recorded ids, dates and links bind", true,
			[]any{map[string]any{"id": "00uREC00000000000001", "at": "2026-01-01T00:00:00Z",
				"href": "https://acme.okta.com/api/v1/users/00uREC00000000000001?x=1"}},
			[]any{map[string]any{"id": "00uACT00000000000001", "at": "2027-01-01T00:00:00.000Z",
				"href": "http://127.0.0.1/_org/o/api/v1/users/00uACT00000000000001?x=1"}},
			[]any{map[string]any{"id": "00uREC00000000000001", "at": "2026-01-01T00:00:00Z",
				"href": "https://acme.okta.com/api/v1/users/00uREC00000000000001?x=1"}}},
		{"recorded link with another path", true,
			[]any{map[string]any{"href": "https://acme.okta.com/api/v1/users/00uREC00000000000001"}},
			[]any{map[string]any{"href": "http://127.0.0.1/api/v1/groups/00uACT00000000000001"}},
			[]any{map[string]any{"href": "http://127.0.0.1/api/v1/groups/00uACT00000000000001"}}},
		{"wildcards", false,
			[]any{[]any{"<any>", "<date>", "<id>"}},
			[]any{[]any{"whatever", "2026-01-01T00:00:00Z", "00uANY00000000000000"}},
			[]any{[]any{"<any>", "<date>", "<id>"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := NewMatcher(tc.recorded)
			var got []any
			for i := range tc.exp {
				got = append(got, m.Align(&Response{Body: tc.exp[i]}, &Response{Body: tc.act[i]}).Body)
			}
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("(-want +got)\n%s", d)
			}
		})
	}
}
