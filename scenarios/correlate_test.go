package scenarios

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/oktaemu/oktaemu/fixtures"
)

// recordScenario plays an authored flow on an org whose ids come from
// another seed and turns what it saw into a recorded scenario, the way a
// recording of a real org looks: other ids, other tokens, another host,
// literal values in later requests and no captures.
func recordScenario(t *testing.T, engine string) *Scenario {
	t.Helper()
	auth := map[string]string{"Authorization": "SSWS {{token}}"}
	authored := &Scenario{Name: "flow", Setup: &fixtures.Org{IDSeed: 7}, Exchanges: []Exchange{
		{Request: Request{Method: "POST", Path: "/api/v1/users?activate=true", Headers: auth, Body: map[string]any{
			"profile":     map[string]any{"login": "dana@example.com", "email": "dana@example.com", "firstName": "Dana", "lastName": "Dunn"},
			"credentials": map[string]any{"password": map[string]any{"value": "Pa55word!Emu"}}}}, Captures: map[string]string{"uid": "body.id"}},
		{Request: Request{Method: "GET", Path: "/api/v1/users/{{uid}}", Headers: auth}},
		{Request: Request{Method: "POST", Path: "/api/v1/groups", Headers: auth, Body: map[string]any{"profile": map[string]any{"name": "g"}}},
			Captures: map[string]string{"gid": "body.id", "users": "body._links.users.href"}},
		{Request: Request{Method: "PUT", Path: "/api/v1/groups/{{gid}}/users/{{uid}}", Headers: auth}},
		{Request: Request{Method: "GET", Path: "{{users}}", Headers: auth}},
		{Request: Request{Method: "POST", Path: "/api/v1/authn", Body: map[string]any{"username": "dana@example.com", "password": "Pa55word!Emu"}},
			Captures: map[string]string{"st": "body.sessionToken"}},
		{Request: Request{Method: "POST", Path: "/api/v1/sessions", Headers: auth, Body: map[string]any{"sessionToken": "{{st}}"}},
			Captures: map[string]string{"sid": "body.id"}},
		{Request: Request{Method: "GET", Path: "/api/v1/sessions/{{sid}}", Headers: auth}},
		{Request: Request{Method: "DELETE", Path: "/api/v1/users/{{uid}}/groups", Headers: auth}},
	}}
	r := RunOne(context.Background(), authored, engine, Options{})
	if r.Err != "" {
		t.Fatalf("recording: %s", r.Err)
	}
	host := func(s string) string { return strings.ReplaceAll(s, "http://127.0.0.1", "https://acme.okta.com") }
	rec := &Scenario{Name: "recorded-flow", Engine: engine, Source: Source{Kind: Recorded, Origin: "https://acme.okta.com", Engine: engine}}
	for _, x := range r.Exchanges {
		req := mapRequest(x.Sent, host)
		if req.Headers["Authorization"] != "" {
			req.Headers["Authorization"] = "SSWS <apiToken:1>"
		}
		resp := &Response{Status: x.Actual.Status, Body: mapStrings(x.Actual.Body, host)}
		if ct, ok := x.Actual.Headers["Content-Type"]; ok {
			resp.Headers = map[string]string{"Content-Type": ct}
		}
		rec.Exchanges = append(rec.Exchanges, Exchange{Request: req, Response: resp})
	}
	return rec
}

// TestCorrelationGolden replays a recording made on an org with other ids
// and tokens: every id, token and link the recording's requests reuse is
// learned from the responses, and the replay matches exactly.
func TestCorrelationGolden(t *testing.T) {
	for _, e := range []string{Classic, Identity} {
		t.Run(e, func(t *testing.T) {
			rec := recordScenario(t, e)
			// The recording survives the file format.
			data, err := Marshal(rec)
			if err != nil {
				t.Fatal(err)
			}
			back, err := Parse("recorded.yaml", data)
			if err != nil {
				t.Fatalf("%v\n%s", err, data)
			}
			sc := back[0]
			r := RunOne(context.Background(), sc, e, Options{})
			if r.Failed() {
				t.Fatalf("replay of the recording failed:\n%s", summarise([]*Result{r}))
			}
			// Later requests carry the replay org's values, not the recording's.
			// The golden file shows them normalised (<id:N> numbered per side)
			// so that it does not depend on the id generator's sequence.
			var b strings.Builder
			nRec, nAct := NewNormalizer(), NewNormalizer()
			for i, x := range r.Exchanges {
				if rp := sc.Exchanges[i].Request.Path; rp != x.Sent.Path {
					if strings.Contains(x.Sent.Path, strings.Split(rp, "?")[0]) {
						t.Errorf("%d: recorded path %s kept in %s", i+1, rp, x.Sent.Path)
					}
					fmt.Fprintf(&b, "%d path %s -> %s\n", i+1, nRec.String("", rp), nAct.String("", x.Sent.Path))
				}
				sent, _ := x.Sent.Body.(map[string]any)
				rec, _ := sc.Exchanges[i].Request.Body.(map[string]any)
				if st, ok := sent["sessionToken"].(string); ok {
					if st == rec["sessionToken"] {
						t.Errorf("%d: recorded sessionToken sent as is", i+1)
					}
					fmt.Fprintf(&b, "%d sessionToken %v -> %v\n", i+1, nRec.String("sessionToken", rec["sessionToken"].(string)), nAct.String("sessionToken", st))
				}
			}
			golden(t, "correlation_"+e+".txt", b.String())
			// Without the correlation the same recording fails.
			if !strings.Contains(b.String(), "path") {
				t.Error("no path was rewritten: the recording and the replay share ids, the test proves nothing")
			}
		})
	}
}

func TestCorrelatorLearn(t *testing.T) {
	c := NewCorrelator()
	c.Learn(&Response{
		Headers: map[string]string{"Set-Cookie": "sid=<cookie:sid:1>; Path=/\nDT=dt1; Path=/", "Location": "https://acme.okta.com/login/sessionCookieRedirect?token=20111REC0000000000000&redirectUrl=x"},
		Body: map[string]any{"stateToken": "<stateToken:1>", "status": "MFA_REQUIRED", "_embedded": map[string]any{
			"factors": []any{map[string]any{"id": "uftRECORDED000000001", "_links": map[string]any{"verify": map[string]any{"href": "https://acme.okta.com/api/v1/authn/factors/uftRECORDED000000001/verify"}}}}}},
	}, &Response{
		Headers: map[string]string{"Set-Cookie": "sid=102abc; Path=/; HttpOnly\nDT=dt1", "Location": "http://127.0.0.1/_org/x/login/sessionCookieRedirect?token=20111ACTUAL&redirectUrl=x"},
		Body: map[string]any{"stateToken": "00actualstate", "status": "MFA_REQUIRED", "_embedded": map[string]any{
			"factors": []any{map[string]any{"id": "uftACTUAL00000000001", "_links": map[string]any{"verify": map[string]any{"href": "http://127.0.0.1/api/v1/authn/factors/uftACTUAL00000000001/verify"}}}}}},
	})
	got := c.Learned()
	want := map[string]string{
		"<cookie:sid:1>":        "102abc",
		"<stateToken:1>":        "00actualstate",
		"uftRECORDED000000001":  "uftACTUAL00000000001",
		"20111REC0000000000000": "20111ACTUAL",
		"https://acme.okta.com/api/v1/authn/factors/uftRECORDED000000001/verify":                      "http://127.0.0.1/api/v1/authn/factors/uftACTUAL00000000001/verify",
		"https://acme.okta.com/login/sessionCookieRedirect?token=20111REC0000000000000&redirectUrl=x": "http://127.0.0.1/_org/x/login/sessionCookieRedirect?token=20111ACTUAL&redirectUrl=x",
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Fatalf("learned (-want +got)\n%s", d)
	}
	req := c.Apply(Request{Method: "POST", Path: "/api/v1/authn/factors/uftRECORDED000000001/verify",
		Headers: map[string]string{"Cookie": "sid=<cookie:sid:1>"}, Body: map[string]any{"stateToken": "<stateToken:1>", "passCode": "<passCode:1>"}})
	wantReq := Request{Method: "POST", Path: "/api/v1/authn/factors/uftACTUAL00000000001/verify",
		Headers: map[string]string{"Cookie": "sid=102abc"}, Body: map[string]any{"stateToken": "00actualstate", "passCode": "<passCode:1>"}}
	if d := cmp.Diff(wantReq, req); d != "" {
		t.Errorf("applied (-want +got)\n%s", d)
	}
}
