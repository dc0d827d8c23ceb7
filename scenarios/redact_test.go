package scenarios

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestRedactPlaceholdersStableAndDistinct(t *testing.T) {
	s := &Scenario{Exchanges: []Exchange{
		{Request: Request{Method: "POST", Path: "/api/v1/users?activate=true",
			Headers: map[string]string{"Authorization": "SSWS tok-aaaaaaaaaaaaaaaa"},
			Body: map[string]any{"profile": map[string]any{"login": "a@example.com"},
				"credentials": map[string]any{"password": map[string]any{"value": "Secret-One-1"},
					"recovery_question": map[string]any{"question": "color?", "answer": "blue"}}}},
			Response: &Response{Status: 200, Body: map[string]any{"id": "00uaaaaaaaaaaaaaaaaa", "profile": map[string]any{"favoriteColor": "blue sky"}}}},
		{Request: Request{Method: "POST", Path: "/api/v1/authn",
			Body: map[string]any{"username": "a@example.com", "password": "Secret-One-1"}},
			Response: &Response{Status: 200, Body: map[string]any{"stateToken": "00stateAAAAAAAAAAAAAAAAAAAAAAA", "status": "MFA_REQUIRED"}}},
		{Request: Request{Method: "POST", Path: "/api/v1/authn/credentials/change_password",
			Body: map[string]any{"stateToken": "00stateAAAAAAAAAAAAAAAAAAAAAAA", "oldPassword": "Secret-One-1", "newPassword": "Secret-Two-2"}},
			Response: &Response{Status: 200, Body: map[string]any{"status": "SUCCESS", "sessionToken": "20111sessionBBBBBBBBBBBBBBBB"}}},
		{Request: Request{Method: "GET", Path: "/login/sessionCookieRedirect?token=20111sessionBBBBBBBBBBBBBBBB&redirectUrl=https%3A%2F%2Fapp%2F"},
			Response: &Response{Status: 302, Headers: map[string]string{"Set-Cookie": "sid=102sidCCCCCCCCCCCC; Path=/\nDT=devDDDDDDDDDDDDDDD; Path=/; HttpOnly\nxids=; Max-Age=0"}}},
		{Request: Request{Method: "POST", Path: "/api/v1/authn", Body: map[string]any{"token": "actEEEEEEEEEEEEEEEEE"}},
			Engines: map[string]*Response{Identity: {Status: 401}}},
		{Request: Request{Method: "POST", Path: "/oauth2/v1/token", Form: map[string]string{"grant_type": "password", "password": "Secret-Two-2", "client_secret": "cs-FFFFFFFFFFFFFFFF"}}},
	}}
	r := NewRedactor()
	r.Redact(s)
	want := []Exchange{
		{Request: Request{Method: "POST", Path: "/api/v1/users?activate=true",
			Headers: map[string]string{"Authorization": "SSWS <apiToken:1>"},
			Body: map[string]any{"profile": map[string]any{"login": "a@example.com"},
				"credentials": map[string]any{"password": map[string]any{"value": "<password:1>"},
					"recovery_question": map[string]any{"question": "color?", "answer": "<answer:1>"}}}},
			// A short secret is not replaced inside other text.
			Response: &Response{Status: 200, Body: map[string]any{"id": "00uaaaaaaaaaaaaaaaaa", "profile": map[string]any{"favoriteColor": "blue sky"}}}},
		{Request: Request{Method: "POST", Path: "/api/v1/authn",
			Body: map[string]any{"username": "a@example.com", "password": "<password:1>"}},
			Response: &Response{Status: 200, Body: map[string]any{"stateToken": "<stateToken:1>", "status": "MFA_REQUIRED"}}},
		{Request: Request{Method: "POST", Path: "/api/v1/authn/credentials/change_password",
			Body: map[string]any{"stateToken": "<stateToken:1>", "oldPassword": "<password:1>", "newPassword": "<password:2>"}},
			Response: &Response{Status: 200, Body: map[string]any{"status": "SUCCESS", "sessionToken": "<sessionToken:1>"}}},
		{Request: Request{Method: "GET", Path: "/login/sessionCookieRedirect?token=<sessionToken:1>&redirectUrl=https%3A%2F%2Fapp%2F"},
			Response: &Response{Status: 302, Headers: map[string]string{"Set-Cookie": "sid=<cookie:sid:1>; Path=/\nDT=<cookie:DT:1>; Path=/; HttpOnly\nxids=; Max-Age=0"}}},
		{Request: Request{Method: "POST", Path: "/api/v1/authn", Body: map[string]any{"token": "<activationToken:1>"}},
			Engines: map[string]*Response{Identity: {Status: 401}}},
		{Request: Request{Method: "POST", Path: "/oauth2/v1/token", Form: map[string]string{"grant_type": "password", "password": "<password:2>", "client_secret": "<password:3>"}}},
	}
	if diff := cmp.Diff(want, s.Exchanges); diff != "" {
		t.Errorf("redacted (-want +got):\n%s", diff)
	}
	wantPH := []string{"<activationToken:1>", "<answer:1>", "<apiToken:1>", "<cookie:DT:1>", "<cookie:sid:1>",
		"<password:1>", "<password:2>", "<password:3>", "<sessionToken:1>", "<stateToken:1>"}
	if diff := cmp.Diff(wantPH, r.Placeholders()); diff != "" {
		t.Errorf("placeholders (-want +got):\n%s", diff)
	}

	// Redacting again changes nothing: placeholders are not secrets.
	before := jsonRound(t, s.Exchanges)
	NewRedactor().Redact(s)
	if diff := cmp.Diff(before, jsonRound(t, s.Exchanges)); diff != "" {
		t.Errorf("second redaction changed the scenario (-want +got):\n%s", diff)
	}
}

func TestRedactorNumbersAcrossScenarios(t *testing.T) {
	r := NewRedactor()
	mk := func(pw string) *Scenario {
		return &Scenario{Exchanges: []Exchange{{Request: Request{Method: "POST", Path: "/api/v1/authn",
			Body: map[string]any{"username": "u", "password": pw}}}}}
	}
	a, b, c := mk("first-pw"), mk("second-pw"), mk("first-pw")
	r.Redact(a)
	r.Redact(b)
	r.Redact(c)
	got := []any{a.Exchanges[0].Request.Body.(map[string]any)["password"], b.Exchanges[0].Request.Body.(map[string]any)["password"], c.Exchanges[0].Request.Body.(map[string]any)["password"]}
	if diff := cmp.Diff([]any{"<password:1>", "<password:2>", "<password:1>"}, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestRedactJSON(t *testing.T) {
	r := NewRedactor()
	out, err := r.RedactJSON([]byte(`{"stateToken":"00abcdefghijklmnopqrstuv","_links":{"next":{"href":"https://x/login/step-up/redirect?stateToken=00abcdefghijklmnopqrstuv"}}}`))
	if err != nil {
		t.Fatal(err)
	}
	want := `{"_links":{"next":{"href":"https://x/login/step-up/redirect?stateToken=<stateToken:1>"}},"stateToken":"<stateToken:1>"}`
	if diff := cmp.Diff(want, string(out)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
