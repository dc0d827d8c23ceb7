package diff

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func js(t *testing.T, s string) any {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatal(err)
	}
	return v
}

type row struct {
	Class Class
	Path  string
	Row   int
}

func rows(ds []Difference) []row {
	out := []row{}
	for _, d := range ds {
		r := row{Class: d.Class, Path: d.Path}
		if d.Finding != nil {
			r.Row = d.Finding.Row
		}
		out = append(out, r)
	}
	return out
}

// TestClassify is the classifier's golden table: each case is a pair of
// responses (A = Classic / expected, B = Identity / actual) and the
// classified differences with the engines.md row they name.
func TestClassify(t *testing.T) {
	for _, tc := range []struct {
		name   string
		req    Request
		a, b   Side
		subset bool
		ignore []string
		want   []row
	}{
		{name: "equal", req: Request{Method: "GET", Path: "/api/v1/users/x"},
			a: Side{Status: 200, Body: `{"id":"<id:1>","status":"ACTIVE"}`}, b: Side{Status: 200, Body: `{"id":"<id:1>","status":"ACTIVE"}`},
			want: []row{}},
		{name: "pipeline value", req: Request{Method: "GET", Path: "/.well-known/okta-organization"},
			a: Side{Status: 200, Body: `{"pipeline":"v1"}`}, b: Side{Status: 200, Body: `{"pipeline":"idx","_links":{"alternate":{"href":"x"}}}`},
			want: []row{{FieldAdded, "body._links", 1}, {ValueChanged, "body.pipeline", 1}}},
		{name: "audience refused", req: Request{Method: "POST", Path: "/api/v1/authn", Body: map[string]any{"username": "a", "audience": "0oa1"}},
			a: Side{Status: 200, Body: `{"status":"SUCCESS","sessionToken":"<sessionToken:1>"}`}, b: Side{Status: 401, Body: `{"errorCode":"E0000004"}`},
			want: []row{{RequestRefused, "status", 35}, {ErrorCodeChanged, "body.errorCode", 35}}},
		{name: "error code changed", req: Request{Method: "POST", Path: "/api/v1/org/factors/okta_sms/lifecycle/deactivate"},
			a: Side{Status: 400, Body: `{"errorCode":"E0000001"}`}, b: Side{Status: 501, Body: `{"errorCode":"E0000060"}`},
			want: []row{{StatusChanged, "status", 16}, {ErrorCodeChanged, "body.errorCode", 16}}},
		{name: "email factor listed", req: Request{Method: "GET", Path: "/api/v1/users/00u1/factors"},
			a: Side{Status: 200, Body: `[{"factorType":"sms"}]`}, b: Side{Status: 200, Body: `[{"factorType":"sms"},{"factorType":"email","status":"ACTIVE"}]`},
			want: []row{{FieldAdded, "body[1]", 2}}},
		{name: "device token: a route rule wins over the factor-list rules", req: Request{Method: "POST", Path: "/api/v1/authn", Body: map[string]any{"username": "a", "context": map[string]any{"deviceToken": "d"}}},
			a:    Side{Status: 200, Body: `{"_embedded":{"factors":[{"factorType":"sms"}]},"status":"MFA_REQUIRED"}`},
			b:    Side{Status: 200, Body: `{"_embedded":{"factors":[{"factorType":"sms"},{"factorType":"email"}]},"status":"SUCCESS"}`},
			want: []row{{FieldAdded, "body._embedded.factors[1]", 36}, {ValueChanged, "body.status", 36}}},
		{name: "cookieToken row only for the cookieToken", req: Request{Method: "POST", Path: "/api/v1/sessions?additionalFields=cookieToken"},
			a: Side{Status: 200, Body: `{"amr":["pwd"]}`}, b: Side{Status: 200, Body: `{"amr":["otp"]}`},
			want: []row{{ValueChanged, "body.amr[0]", 0}}},
		{name: "shape changed", req: Request{Method: "GET", Path: "/api/v1/unknown"},
			a: Side{Status: 200, Body: `{"a":{"b":1}}`}, b: Side{Status: 200, Body: `{"a":[1]}`},
			want: []row{{ShapeChanged, "body.a", 0}}},
		{name: "idp removed from sessions/me", req: Request{Method: "GET", Path: "/_org/acme/api/v1/sessions/me"},
			a: Side{Status: 200, Body: `{"id":"<id:1>","idp":{"id":"<id:2>","type":"OKTA"}}`}, b: Side{Status: 200, Body: `{"id":"<id:1>"}`},
			want: []row{{FieldRemoved, "body.idp", 20}}},
		{name: "cookieToken", req: Request{Method: "POST", Path: "/api/v1/sessions?additionalFields=cookieToken"},
			a: Side{Status: 200, Body: `{"id":"<id:1>","cookieToken":"<cookieToken:1>"}`}, b: Side{Status: 200, Body: `{"id":"<id:1>"}`},
			want: []row{{FieldRemoved, "body.cookieToken", 19}}},
		{name: "subset ignores extra keys", req: Request{Method: "GET", Path: "/x"}, subset: true,
			a: Side{Status: 200, Body: `{"a":1}`}, b: Side{Status: 200, Body: `{"a":2,"b":3}`},
			want: []row{{ValueChanged, "body.a", 0}}},
		{name: "ignore paths", req: Request{Method: "GET", Path: "/x"}, ignore: []string{"body.list.*.t", "status"},
			a: Side{Status: 200, Body: `{"list":[{"t":1,"u":1}]}`}, b: Side{Status: 201, Body: `{"list":[{"t":2,"u":2}]}`},
			want: []row{{ValueChanged, "body.list[0].u", 0}}},
		{name: "headers", req: Request{Method: "GET", Path: "/x"},
			a:    Side{Status: 200, Headers: map[string]string{"Content-Type": "application/json", "Set-Cookie": "sid=<cookie:sid:1>"}},
			b:    Side{Status: 200, Headers: map[string]string{"Content-Type": "text/html"}},
			want: []row{{ValueChanged, "header.Content-Type", 0}, {FieldRemoved, "header.Set-Cookie", 0}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if s, ok := tc.a.Body.(string); ok {
				tc.a.Body = js(t, s)
			}
			if s, ok := tc.b.Body.(string); ok {
				tc.b.Body = js(t, s)
			}
			ds := Compare(tc.a, tc.b, Options{Subset: tc.subset, Ignore: tc.ignore})
			ExplainAll(tc.req, ds)
			if d := cmp.Diff(tc.want, rows(ds)); d != "" {
				t.Errorf("(-want +got)\n%s", d)
			}
		})
	}
}

func TestFindingsHaveActions(t *testing.T) {
	seen := map[int]bool{}
	for _, f := range Findings() {
		if f.Title == "" || f.Action == "" {
			t.Errorf("row %d: empty title or action", f.Row)
		}
		seen[f.Row] = true
	}
	// The nine rows of seed 000's summary table map to these engines.md rows.
	for _, r := range []int{35, 36, 19, 20, 2, 3, 16, 34, 17} {
		if !seen[r] {
			t.Errorf("no rule for engines.md #%d (a seed-000 summary row)", r)
		}
	}
}

func TestIgnored(t *testing.T) {
	for _, tc := range []struct {
		pats []string
		p    string
		want bool
	}{
		{[]string{"body.a"}, "body.a.b[0]", true},
		{[]string{"body.a.*.c"}, "body.a[3].c", true},
		{[]string{"body.a.*.c"}, "body.a[3].d", false},
		{[]string{"header.Date"}, "header.Date", true},
		{nil, "status", false},
	} {
		if got := Ignored(tc.pats, tc.p); got != tc.want {
			t.Errorf("Ignored(%v, %q) = %v, want %v", tc.pats, tc.p, got, tc.want)
		}
	}
}
