package scenarios

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/oktaemu/oktaemu/fixtures"
)

// adminScriptRecording is what an admin script recorded against a real
// org: it reads a user and his factors, reads the MFA_ENROLL policies and
// updates one it never created, enrolls an SMS factor, and answers a
// recovery question wrongly then rightly.
func adminScriptRecording() *Scenario {
	ssws := map[string]string{"Authorization": "SSWS <apiToken:1>"}
	pol := map[string]any{"id": "00prealmfaenroll0001", "type": "MFA_ENROLL", "name": "Contractors", "status": "ACTIVE", "priority": 1.0, "system": false,
		"conditions": map[string]any{"people": map[string]any{"groups": map[string]any{"include": []any{"00grealcontractors01"}}}},
		"settings":   map[string]any{"factors": map[string]any{"okta_otp": map[string]any{"enroll": map[string]any{"self": "REQUIRED"}, "consent": map[string]any{"type": "NONE"}}}}}
	put := cloneMap(pol)
	delete(put, "id")
	put["settings"] = map[string]any{"factors": map[string]any{"okta_sms": map[string]any{"enroll": map[string]any{"self": "OPTIONAL"}, "consent": map[string]any{"type": "NONE"}}}}
	return &Scenario{Name: "admin-script", Source: Source{Kind: Recorded, Engine: Classic}, Exchanges: []Exchange{
		{Request: Request{Method: "GET", Path: "/api/v1/users/00urealuser000000001", Headers: ssws},
			Response: &Response{Status: 200, Body: map[string]any{"id": "00urealuser000000001", "status": "ACTIVE",
				"profile": map[string]any{"login": "sam@real.example", "email": "sam@real.example", "firstName": "Sam", "lastName": "Stone"}}}},
		{Request: Request{Method: "GET", Path: "/api/v1/users/00urealuser000000001/factors", Headers: ssws},
			Response: &Response{Status: 200, Body: []any{
				map[string]any{"id": "ufsrealuser000000001", "factorType": "question", "provider": "OKTA", "status": "ACTIVE", "profile": map[string]any{"question": "favorite_art_piece"}},
				map[string]any{"id": "opfrealuser000000001", "factorType": "push", "provider": "OKTA", "status": "ACTIVE", "profile": map[string]any{"name": "Sam's phone", "platform": "ANDROID"}},
			}}},
		{Request: Request{Method: "GET", Path: "/api/v1/policies?type=MFA_ENROLL", Headers: ssws},
			Response: &Response{Status: 200, Body: []any{pol}}},
		{Request: Request{Method: "PUT", Path: "/api/v1/policies/00prealmfaenroll0001", Headers: ssws, Body: put},
			Response: &Response{Status: 200}},
		{Request: Request{Method: "POST", Path: "/api/v1/users/00urealuser000000001/factors", Headers: ssws,
			Body: map[string]any{"factorType": "sms", "provider": "OKTA", "profile": map[string]any{"phoneNumber": "+15551234567"}}},
			Response: &Response{Status: 200, Body: map[string]any{"id": "smsrealnew0000000001", "factorType": "sms", "status": "PENDING_ACTIVATION"}}},
		{Request: Request{Method: "GET", Path: "/api/v1/users/00urealuser000000001/factors", Headers: ssws},
			Response: &Response{Status: 200, Body: []any{
				map[string]any{"id": "smsrealnew0000000001", "factorType": "sms", "provider": "OKTA", "status": "PENDING_ACTIVATION"},
			}}},
		{Request: Request{Method: "POST", Path: "/api/v1/users/00urealuser000000001/factors/ufsrealuser000000001/verify", Headers: ssws,
			Body: map[string]any{"answer": "<answer:1>"}},
			Response: &Response{Status: 403, Body: map[string]any{"errorCode": "E0000068"}}},
		{Request: Request{Method: "POST", Path: "/api/v1/users/00urealuser000000001/factors/ufsrealuser000000001/verify", Headers: ssws,
			Body: map[string]any{"answer": "<answer:2>"}},
			Response: &Response{Status: 200, Body: map[string]any{"factorResult": "SUCCESS"}}},
	}}
}

func TestReconstructAdminScript(t *testing.T) {
	base, err := fixtures.Load("classic-default")
	if err != nil {
		t.Fatal(err)
	}
	rc := Reconstruct(adminScriptRecording(), base)

	if len(rc.Org.Users) != 1 {
		t.Fatalf("users = %+v", rc.Org.Users)
	}
	u := rc.Org.Users[0]
	var factors []string
	for _, f := range u.Factors {
		factors = append(factors, f.ID+" "+f.Type)
	}
	// The SMS factor the script enrolled is not part of the starting state.
	if diff := cmp.Diff([]string{"ufsrealuser000000001 question", "opfrealuser000000001 push"}, factors); diff != "" {
		t.Errorf("factors (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]any{"login": "sam@real.example", "email": "sam@real.example", "firstName": "Sam", "lastName": "Stone"}, u.Profile); diff != "" {
		t.Errorf("profile (-want +got):\n%s", diff)
	}
	// The accepted answer is the one the question factor holds; the refused
	// one differs from it.
	if got := rc.Secrets["<answer:2>"]; got == "" || got != u.Factors[0].Answer {
		t.Errorf("<answer:2> = %q, factor answer %q", got, u.Factors[0].Answer)
	}
	if rc.Secrets["<answer:1>"] == rc.Secrets["<answer:2>"] {
		t.Errorf("the refused answer equals the accepted one")
	}
	// The policy as first read (not as updated), with its group.
	if len(rc.Org.Policies) != 1 {
		t.Fatalf("policies = %+v", rc.Org.Policies)
	}
	p := rc.Org.Policies[0]
	got := map[string]any{"id": p.ID, "type": p.Type, "name": p.Name, "groups": p.Groups, "settings": jsonRound(t, p.Settings)}
	want := map[string]any{"id": "00prealmfaenroll0001", "type": "MFA_ENROLL", "name": "Contractors", "groups": []string{"00grealcontractors01"},
		"settings": map[string]any{"factors": map[string]any{"okta_otp": map[string]any{"enroll": map[string]any{"self": "REQUIRED"}, "consent": map[string]any{"type": "NONE"}}}}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("policy (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]fixtures.Group{{ID: "00grealcontractors01", Name: "reconstructed-00grealcontractors01"}}, rc.Org.Groups); diff != "" {
		t.Errorf("groups (-want +got):\n%s", diff)
	}
}

// TestReplayAdminScript replays the admin script on a default org: without
// reconstruction the user and the policy are missing; with it every
// exchange gets the recorded status on Classic.
func TestReplayAdminScript(t *testing.T) {
	sc := adminScriptRecording()
	ctx := context.Background()
	if res := RunOne(ctx, sc, Classic, Options{}); res.Err == "" {
		t.Errorf("replay without reconstruction did not fail")
	}
	res := RunOne(ctx, sc, Classic, WithReconstruction(Options{}))
	if res.Err != "" {
		t.Fatalf("replay: %s", res.Err)
	}
	var got, want []int
	for _, x := range res.Exchanges {
		got = append(got, x.Actual.Status)
		want = append(want, x.Expected.Status)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("statuses (-recorded +replayed):\n%s", diff)
	}
}

func TestMergeReconstructedSystemPolicyReplacesDefault(t *testing.T) {
	sc := &Scenario{Name: "x", Source: Source{Kind: Recorded}, Exchanges: []Exchange{
		{Request: Request{Method: "GET", Path: "/api/v1/policies?type=MFA_ENROLL"},
			Response: &Response{Status: 200, Body: []any{map[string]any{"id": "00prealdefault000001", "type": "MFA_ENROLL", "name": "Default Policy", "system": true,
				"settings": map[string]any{"factors": map[string]any{"okta_sms": map[string]any{"enroll": map[string]any{"self": "REQUIRED"}}}}}}}},
	}}
	rb := &Reconstructing{}
	tg, err := rb.Open(context.Background(), sc, Classic)
	if err != nil {
		t.Fatal(err)
	}
	defer tg.Close()
	var ids []string
	for _, p := range tg.Fixture.Policies {
		if p.Type == "MFA_ENROLL" {
			ids = append(ids, p.ID)
		}
	}
	if diff := cmp.Diff([]string{"00prealdefault000001"}, ids); diff != "" {
		t.Errorf("MFA_ENROLL policies (-want +got):\n%s", diff)
	}
}
