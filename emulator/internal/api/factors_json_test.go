package api

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/oktaemu/oktaemu/emulator/internal/httpx"
	"github.com/oktaemu/oktaemu/emulator/internal/okta"
	"github.com/oktaemu/oktaemu/emulator/internal/org"
)

// encoderView is the struct factor answers were encoded from before
// factorBody wrote its own JSON: the encoder's output for it is the wire
// format AppendJSON must keep, byte for byte.
type encoderView struct {
	ID          string            `json:"id"`
	FactorType  okta.FactorType   `json:"factorType"`
	Provider    string            `json:"provider"`
	VendorName  string            `json:"vendorName"`
	Status      okta.FactorStatus `json:"status"`
	Created     *string           `json:"created,omitempty"`
	LastUpdated *string           `json:"lastUpdated,omitempty"`
	Profile     map[string]any    `json:"profile,omitempty"`
	Embedded    map[string]any    `json:"_embedded,omitempty"`
	Links       encoderLinks      `json:"_links"`
}

type encoderLinks struct {
	Activate  *httpx.Link  `json:"activate,omitempty"`
	Poll      *httpx.Link  `json:"poll,omitempty"`
	Questions *httpx.Link  `json:"questions,omitempty"`
	Resend    []httpx.Link `json:"resend,omitempty"`
	Self      *httpx.Link  `json:"self,omitempty"`
	User      *httpx.Link  `json:"user,omitempty"`
	Verify    *httpx.Link  `json:"verify,omitempty"`
}

func viewOf(b factorBody) encoderView {
	f := b.f
	v := encoderView{ID: f.ID, FactorType: f.Type, Provider: f.Provider, VendorName: f.VendorName, Status: f.Status,
		Created: date(f.Created), LastUpdated: date(f.LastUpdated), Profile: f.Profile, Embedded: b.embedded}
	if len(v.Profile) == 0 {
		v.Profile = nil
	}
	var buf [4]factorLink
	for _, l := range factorLinks(f, &buf) {
		href := b.base + "/api/v1/users/" + f.UserID
		if l.onFactor {
			href += "/factors/" + f.ID
		}
		href += l.suffix
		link := &httpx.Link{Name: l.name, Href: href, Hints: l.hints}
		if l.rel == "resend" {
			v.Links.Resend = []httpx.Link{*link}
			continue
		}
		slot, ok := map[string]**httpx.Link{"activate": &v.Links.Activate, "poll": &v.Links.Poll,
			"questions": &v.Links.Questions, "self": &v.Links.Self, "user": &v.Links.User, "verify": &v.Links.Verify}[l.rel]
		if !ok {
			panic("unknown rel " + l.rel)
		}
		*slot = link
	}
	return v
}

func encode(t *testing.T, v any) string {
	t.Helper()
	b, err := httpx.EncodeJSON(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestFactorJSONMatchesEncoder: every factor type in every status, with
// profiles of awkward strings and of non-string values, zero and set
// dates, an _embedded activation and a base URL needing escapes, is
// written byte for byte as the encoder wrote the struct.
func TestFactorJSONMatchesEncoder(t *testing.T) {
	types := []okta.FactorType{okta.FactorTOTP, okta.FactorHOTP, okta.FactorSMS, okta.FactorCall, okta.FactorEmail,
		okta.FactorPush, okta.FactorQuestion, okta.FactorSignedNonce, okta.FactorU2F, okta.FactorWebAuthn, okta.FactorToken}
	statuses := []okta.FactorStatus{okta.FactorActive, okta.FactorPendingActivation, okta.FactorInactive}
	profiles := []map[string]any{
		nil,
		{},
		{"credentialId": "dana@example.com"},
		{"phoneNumber": "+1 555 0100", "phoneExtension": ""},
		{"question": `quote " backslash \ <html> & tab	newline
 control  del  é漢😀 bad ` + "\xff\xfe" + " \u2028\u2029 \b\f"},
		{"b": "2", "a": "1", "c": "3", "é": "x", "A": "y", "_": "z"},
		{"nested": map[string]any{"z": 1, "a": []any{true, nil, 2.5, "s"}}, "n": 42, "f": 1.5e300},
	}
	created := time.Date(2026, 1, 2, 3, 4, 5, 6e6, time.UTC)
	var bodies factorList
	for i, typ := range types {
		for j, st := range statuses {
			f := org.Factor{ID: "fac" + string(rune('a'+i)) + string(rune('a'+j)), UserID: "00uuser", Type: typ,
				Provider: "OKTA", VendorName: "OKTA", Status: st, Profile: profiles[(i+j)%len(profiles)]}
			if (i+j)%3 != 0 {
				f.Created, f.LastUpdated = created, created.Add(time.Hour)
			}
			b := factorBody{f: f, base: "http://localhost:8080"}
			if st == okta.FactorPendingActivation && typ == okta.FactorU2F {
				b.embedded = map[string]any{"activation": map[string]any{"version": "U2F_V2", "nonce": "n<>", "timeoutSeconds": 20}}
			}
			if i == 0 {
				b.base = `https://we"ird\host` + "\u2028/_org/acme\xe2"
				b.f.UserID, b.f.ID = "00u\"\xe2\x80", "\x80\\fac\u2029\n"
			}
			bodies = append(bodies, b)
		}
	}
	for _, b := range bodies {
		got, err := b.AppendJSON(nil)
		if err != nil {
			t.Fatal(err)
		}
		if want := encode(t, viewOf(b)); string(got) != want {
			t.Errorf("%s %s:\n got %s\nwant %s", b.f.Type, b.f.Status, got, want)
		}
		if !json.Valid(got) {
			t.Errorf("%s %s: invalid JSON %s", b.f.Type, b.f.Status, got)
		}
	}
	// The list, and a factor inside an answer encoded by reflection.
	views := make([]encoderView, len(bodies))
	for i, b := range bodies {
		views[i] = viewOf(b)
	}
	got, err := bodies.AppendJSON(nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := encode(t, views); string(got) != want {
		t.Errorf("list differs from the encoder's")
	}
	if got, want := encode(t, map[string]any{"factor": bodies[4]}), encode(t, map[string]any{"factor": views[4]}); got != want {
		t.Errorf("embedded factor:\n got %s\nwant %s", got, want)
	}
	if got, _ := (factorList{}).AppendJSON(nil); string(got) != "[]" {
		t.Errorf("empty list = %s", got)
	}
}

// TestFactorLinksByState: a factor's `_links` in each state, written out
// as factors.md §2.3 lists them (independent of factorLinks, which
// viewOf above reuses).
func TestFactorLinksByState(t *testing.T) {
	const base = "http://localhost:8080"
	const user = base + "/api/v1/users/00uu1"
	link := func(href string, methods ...string) map[string]any {
		allow := make([]any, len(methods))
		for i, m := range methods {
			allow[i] = m
		}
		return map[string]any{"href": href, "hints": map[string]any{"allow": allow}}
	}
	self := func(id string) string { return user + "/factors/" + id }
	tests := []struct {
		typ    okta.FactorType
		status okta.FactorStatus
		want   map[string]any
	}{
		{okta.FactorSMS, okta.FactorPendingActivation, map[string]any{
			"activate": link(self("f1")+"/lifecycle/activate", "POST"),
			"resend":   []any{map[string]any{"name": "sms", "href": self("f1") + "/resend", "hints": map[string]any{"allow": []any{"POST"}}}},
			"self":     link(self("f1"), "GET"), "user": link(user, "GET")}},
		{okta.FactorEmail, okta.FactorPendingActivation, map[string]any{
			"activate": link(self("f1")+"/lifecycle/activate", "POST"),
			"resend":   []any{map[string]any{"name": "email", "href": self("f1") + "/resend", "hints": map[string]any{"allow": []any{"POST"}}}},
			"self":     link(self("f1"), "GET"), "user": link(user, "GET")}},
		{okta.FactorTOTP, okta.FactorPendingActivation, map[string]any{
			"activate": link(self("f1")+"/lifecycle/activate", "POST"), "self": link(self("f1"), "GET"), "user": link(user, "GET")}},
		{okta.FactorPush, okta.FactorPendingActivation, map[string]any{
			"poll": link(self("f1")+"/lifecycle/activate/poll", "POST"), "self": link(self("f1"), "GET"), "user": link(user, "GET")}},
		{okta.FactorTOTP, okta.FactorActive, map[string]any{
			"verify": link(self("f1")+"/verify", "POST"), "self": link(self("f1"), "GET", "DELETE"), "user": link(user, "GET")}},
		{okta.FactorQuestion, okta.FactorActive, map[string]any{
			"questions": link(user+"/factors/questions", "GET"), "self": link(self("f1"), "GET", "DELETE"), "user": link(user, "GET")}},
	}
	for _, tt := range tests {
		b := factorBody{f: org.Factor{ID: "f1", UserID: "00uu1", Type: tt.typ, Status: tt.status}, base: base}
		out, err := b.AppendJSON(nil)
		if err != nil {
			t.Fatal(err)
		}
		var got struct {
			Links map[string]any `json:"_links"`
		}
		if err := json.Unmarshal(out, &got); err != nil {
			t.Fatalf("%s: %v", out, err)
		}
		if diff := cmp.Diff(tt.want, got.Links); diff != "" {
			t.Errorf("%s %s _links (-want +got):\n%s", tt.typ, tt.status, diff)
		}
	}
}
