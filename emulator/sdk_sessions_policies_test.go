package emulator_test

import (
	"context"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	okta "github.com/okta/okta-sdk-golang/v5/okta"

	"github.com/oktaemu/oktaemu/emulator"
	"github.com/oktaemu/oktaemu/emulator/emulatortest"
)

// sdkV5 is an okta-sdk-golang v5 client for s: no cache, plain HTTP, and
// Host with the port (NewConfiguration keeps only the host name).
func sdkV5(t *testing.T, s *emulatortest.Server) *okta.APIClient {
	t.Helper()
	cfg, err := okta.NewConfiguration(okta.WithOrgUrl(s.URL), okta.WithToken(s.Token), okta.WithCache(false),
		okta.WithTestingDisableHttpsCheck(true), okta.WithHttpClientPtr(s.Client()), okta.WithRequestTimeout(30))
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(s.URL)
	cfg.Host = u.Host
	return okta.NewAPIClient(cfg)
}

// TestSDKv5Sessions: the official Go SDK creates, reads, refreshes and
// revokes sessions, and revokes a user's sessions.
func TestSDKv5Sessions(t *testing.T) {
	for _, eng := range emulator.Engines() {
		t.Run(string(eng), func(t *testing.T) {
			s := spServer(t, eng)
			client := sdkV5(t, s)
			ctx := context.Background()
			tok := signIn(t, s, "alice@example.com")
			created, _, err := client.SessionAPI.CreateSession(ctx).CreateSessionRequest(okta.CreateSessionRequest{SessionToken: &tok}).Execute()
			if err != nil {
				t.Fatalf("CreateSession: %v", err)
			}
			if created.GetUserId() != spAliceID || created.GetLogin() != "alice@example.com" || created.GetStatus() != "ACTIVE" ||
				!slices.Contains(created.GetAmr(), "pwd") || created.Idp == nil || created.Idp.GetType() != "OKTA" {
				t.Errorf("created = %+v", created)
			}
			if _, _, err := client.SessionAPI.CreateSession(ctx).CreateSessionRequest(okta.CreateSessionRequest{SessionToken: &tok}).Execute(); err == nil {
				t.Error("a used sessionToken made a second session")
			}

			got, _, err := client.SessionAPI.GetSession(ctx, created.GetId()).Execute()
			if err != nil {
				t.Fatalf("GetSession: %v", err)
			}
			if diff := cmp.Diff(created.GetExpiresAt(), got.GetExpiresAt()); diff != "" || got.GetId() != created.GetId() {
				t.Errorf("GetSession: id %s, expiresAt diff %s", got.GetId(), diff)
			}

			s.Org().Advance(10 * time.Minute)
			refreshed, _, err := client.SessionAPI.RefreshSession(ctx, created.GetId()).Execute()
			if err != nil {
				t.Fatalf("RefreshSession: %v", err)
			}
			if d := refreshed.GetExpiresAt().Sub(created.GetExpiresAt()); d != 10*time.Minute {
				t.Errorf("refresh moved expiresAt by %v, want 10m", d)
			}

			if _, err := client.SessionAPI.RevokeSession(ctx, created.GetId()).Execute(); err != nil {
				t.Fatalf("RevokeSession: %v", err)
			}
			if _, resp, err := client.SessionAPI.GetSession(ctx, created.GetId()).Execute(); err == nil || resp == nil || resp.StatusCode != 404 {
				t.Errorf("GetSession after revoke: err %v", err)
			}

			tok2 := signIn(t, s, "alice@example.com")
			second, _, err := client.SessionAPI.CreateSession(ctx).CreateSessionRequest(okta.CreateSessionRequest{SessionToken: &tok2}).Execute()
			if err != nil {
				t.Fatal(err)
			}
			if _, err := client.UserAPI.RevokeUserSessions(ctx, spAliceID).Execute(); err != nil {
				t.Fatalf("RevokeUserSessions: %v", err)
			}
			if _, resp, err := client.SessionAPI.GetSession(ctx, second.GetId()).Execute(); err == nil || resp == nil || resp.StatusCode != 404 {
				t.Errorf("GetSession after RevokeUserSessions: err %v", err)
			}
		})
	}
}

func sdkEnroll(self string) map[string]any {
	return map[string]any{"enroll": map[string]any{"self": self}, "consent": map[string]any{"type": "NONE"}}
}

// TestSDKv5MFAEnrollPolicies: the SDK creates, lists, updates and deletes
// MFA_ENROLL policies in the factors schema (both engines) and the
// authenticators schema (Identity Engine), converting one to the other.
func TestSDKv5MFAEnrollPolicies(t *testing.T) {
	for _, eng := range emulator.Engines() {
		t.Run(string(eng), func(t *testing.T) {
			s := spServer(t, eng)
			client := sdkV5(t, s)
			ctx := context.Background()

			// Factors schema: the SDK model has no `factors` field; it goes
			// through AdditionalProperties.
			p := okta.NewMultifactorEnrollmentPolicy()
			p.SetName("SDK factors")
			p.SetType("MFA_ENROLL")
			p.Conditions = &okta.PolicyRuleConditions{People: &okta.PolicyPeopleCondition{Groups: &okta.GroupCondition{Include: []string{mfaGroupID}}}}
			p.Settings = &okta.MultifactorEnrollmentPolicySettings{AdditionalProperties: map[string]any{
				"factors": map[string]any{"okta_otp": sdkEnroll("REQUIRED"), "okta_sms": sdkEnroll("OPTIONAL")}}}
			created, _, err := client.PolicyAPI.CreatePolicy(ctx).Policy(okta.MultifactorEnrollmentPolicyAsListPolicies200ResponseInner(p)).Execute()
			if err != nil {
				t.Fatalf("CreatePolicy: %v", err)
			}
			mp := created.MultifactorEnrollmentPolicy
			if mp == nil || mp.GetName() != "SDK factors" || mp.GetStatus() != "ACTIVE" || mp.Settings == nil {
				t.Fatalf("created = %+v", created)
			}
			wantFactors := map[string]any{"okta_otp": sdkEnroll("REQUIRED"), "okta_sms": sdkEnroll("OPTIONAL")}
			if diff := cmp.Diff(wantFactors, mp.Settings.AdditionalProperties["factors"]); diff != "" {
				t.Errorf("factors (-want +got)\n%s", diff)
			}
			if got := mp.Conditions.People.Groups.Include; !slices.Equal(got, []string{mfaGroupID}) {
				t.Errorf("groups = %v", got)
			}
			id := mp.GetId()

			list, _, err := client.PolicyAPI.ListPolicies(ctx).Type_("MFA_ENROLL").Execute()
			if err != nil {
				t.Fatalf("ListPolicies: %v", err)
			}
			var ids []string
			for _, it := range list {
				if it.MultifactorEnrollmentPolicy == nil {
					t.Fatalf("list item is not a MultifactorEnrollmentPolicy: %+v", it)
				}
				ids = append(ids, it.MultifactorEnrollmentPolicy.GetId())
			}
			if diff := cmp.Diff([]string{id, "00pmfaenrolldefault0"}, ids); diff != "" {
				t.Errorf("list ids (-want +got)\n%s", diff)
			}

			// Update: in Identity Engine to the authenticators schema
			// (converting the policy), in Classic within the factors schema.
			mp.SetName("SDK updated")
			if eng == emulator.Identity {
				key1, key2, req, opt := "okta_password", "okta_verify", "REQUIRED", "OPTIONAL"
				mp.Settings = &okta.MultifactorEnrollmentPolicySettings{Type: okta.PtrString("AUTHENTICATORS"),
					Authenticators: []okta.MultifactorEnrollmentPolicyAuthenticatorSettings{
						{Key: &key1, Enroll: &okta.MultifactorEnrollmentPolicyAuthenticatorSettingsEnroll{Self: &req}},
						{Key: &key2, Enroll: &okta.MultifactorEnrollmentPolicyAuthenticatorSettingsEnroll{Self: &opt}}}}
			} else {
				mp.Settings = &okta.MultifactorEnrollmentPolicySettings{AdditionalProperties: map[string]any{
					"factors": map[string]any{"google_otp": sdkEnroll("REQUIRED")}}}
			}
			updated, _, err := client.PolicyAPI.ReplacePolicy(ctx, id).Policy(okta.MultifactorEnrollmentPolicyAsListPolicies200ResponseInner(mp)).Execute()
			if err != nil {
				t.Fatalf("ReplacePolicy: %v", err)
			}
			up := updated.MultifactorEnrollmentPolicy
			if up == nil || up.GetName() != "SDK updated" {
				t.Fatalf("updated = %+v", updated)
			}
			if eng == emulator.Identity {
				var keys []string
				for _, a := range up.Settings.Authenticators {
					keys = append(keys, a.GetKey()+"="+a.Enroll.GetSelf())
				}
				if diff := cmp.Diff([]string{"okta_password=REQUIRED", "okta_verify=OPTIONAL"}, keys); diff != "" || up.Settings.GetType() != "AUTHENTICATORS" ||
					up.Settings.AdditionalProperties["factors"] != nil {
					t.Errorf("authenticators (-want +got)\n%s\nsettings %+v", diff, up.Settings)
				}
			} else if diff := cmp.Diff(map[string]any{"google_otp": sdkEnroll("REQUIRED")}, up.Settings.AdditionalProperties["factors"]); diff != "" {
				t.Errorf("factors (-want +got)\n%s", diff)
			}

			got, _, err := client.PolicyAPI.GetPolicy(ctx, id).Execute()
			if err != nil || got.MultifactorEnrollmentPolicy == nil || got.MultifactorEnrollmentPolicy.GetName() != "SDK updated" {
				t.Fatalf("GetPolicy: %v %+v", err, got)
			}

			if _, err := client.PolicyAPI.DeletePolicy(ctx, id).Execute(); err != nil {
				t.Fatalf("DeletePolicy: %v", err)
			}
			if _, resp, err := client.PolicyAPI.GetPolicy(ctx, id).Execute(); err == nil || resp == nil || resp.StatusCode != 404 {
				t.Errorf("GetPolicy after delete: %v", err)
			}
		})
	}
}
