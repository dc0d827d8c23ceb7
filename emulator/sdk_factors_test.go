package emulator_test

import (
	"context"
	"net/url"
	"testing"
	"time"

	oktav2 "github.com/okta/okta-sdk-golang/v2/okta"
	oktav5 "github.com/okta/okta-sdk-golang/v5/okta"

	"github.com/oktaemu/oktaemu/emulator"
	"github.com/oktaemu/oktaemu/emulator/emulatortest"
)

// fxSDKv5 is an okta-sdk-golang v5 client for s (no cache, plain HTTP; Host
// must carry the port, NewConfiguration keeps only the host name).
func fxSDKv5(t *testing.T, s *emulatortest.Server) *oktav5.APIClient {
	t.Helper()
	cfg, err := oktav5.NewConfiguration(oktav5.WithOrgUrl(s.URL), oktav5.WithToken(s.Token), oktav5.WithCache(false),
		oktav5.WithTestingDisableHttpsCheck(true), oktav5.WithHttpClientPtr(s.Client()), oktav5.WithRequestTimeout(30))
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(s.URL)
	cfg.Host = u.Host
	return oktav5.NewAPIClient(cfg)
}

// fxSDKv2 is an okta-sdk-golang v2 client for s.
func fxSDKv2(t *testing.T, s *emulatortest.Server) (context.Context, *oktav2.Client) {
	t.Helper()
	ctx, c, err := oktav2.NewClient(context.Background(), oktav2.WithOrgUrl(s.URL), oktav2.WithToken(s.Token),
		oktav2.WithCache(false), oktav2.WithTestingDisableHttpsCheck(true), oktav2.WithHttpClientPtr(s.Client()),
		oktav2.WithRequestTimeout(30))
	if err != nil {
		t.Fatal(err)
	}
	return ctx, c
}

// TestSDKv5UserFactors: the v5 SDK enrolls Google Authenticator for alice,
// activates it with a code computed from the returned shared secret, lists,
// gets, verifies and deletes it, in both engines.
func TestSDKv5UserFactors(t *testing.T) {
	fxEngines(t, func(t *testing.T, e emulator.Engine) {
		a := factorServer(t, e, false)
		client := fxSDKv5(t, a.s)
		ctx := context.Background()
		org := a.s.Org()

		body := oktav5.UserFactorTOTPAsListFactors200ResponseInner(&oktav5.UserFactorTOTP{
			UserFactor: oktav5.UserFactor{FactorType: oktav5.PtrString("token:software:totp")},
			Provider:   oktav5.PtrString("GOOGLE")})
		enrolled, _, err := client.UserFactorAPI.EnrollFactor(ctx, fxAlice).Body(body).Execute()
		if err != nil {
			t.Fatalf("EnrollFactor: %v", err)
		}
		f := enrolled.UserFactorTOTP
		if f == nil || f.GetStatus() != "PENDING_ACTIVATION" {
			t.Fatalf("enrolled %+v", enrolled)
		}
		secret, _ := f.GetEmbedded()["activation"]["sharedSecret"].(string)
		if secret == "" {
			t.Fatalf("no shared secret in %+v", f.GetEmbedded())
		}
		fid := f.GetId()

		activated, _, err := client.UserFactorAPI.ActivateFactor(ctx, fxAlice, fid).
			Body(map[string]interface{}{"passCode": fxTOTP(t, secret, org.Now())}).Execute()
		if err != nil {
			t.Fatalf("ActivateFactor: %v", err)
		}
		if activated.UserFactorTOTP == nil || activated.UserFactorTOTP.GetStatus() != "ACTIVE" {
			t.Fatalf("activated %+v", activated)
		}

		list, _, err := client.UserFactorAPI.ListFactors(ctx, fxAlice).Execute()
		if err != nil {
			t.Fatalf("ListFactors: %v", err)
		}
		found := 0
		for _, x := range list {
			if x.UserFactorTOTP != nil && x.UserFactorTOTP.GetId() == fid && x.UserFactorTOTP.GetProvider() == "GOOGLE" {
				found++
			}
		}
		if found != 1 {
			t.Fatalf("ListFactors: enrolled factor found %d times in %d factors", found, len(list))
		}
		got, _, err := client.UserFactorAPI.GetFactor(ctx, fxAlice, fid).Execute()
		if err != nil || got.UserFactorTOTP == nil || got.UserFactorTOTP.GetStatus() != "ACTIVE" {
			t.Fatalf("GetFactor: %+v %v", got, err)
		}

		org.Advance(30 * time.Second)
		res, _, err := client.UserFactorAPI.VerifyFactor(ctx, fxAlice, fid).
			Body(map[string]interface{}{"passCode": fxTOTP(t, secret, org.Now())}).Execute()
		if err != nil || res.GetFactorResult() != "SUCCESS" {
			t.Fatalf("VerifyFactor: %+v %v", res, err)
		}
		if _, resp, err := client.UserFactorAPI.VerifyFactor(ctx, fxAlice, fid).
			Body(map[string]interface{}{"passCode": "000000"}).Execute(); err == nil || resp.StatusCode != 403 {
			t.Fatalf("VerifyFactor with a wrong code: %v", err)
		}

		if _, err := client.UserFactorAPI.UnenrollFactor(ctx, fxAlice, fid).Execute(); err != nil {
			t.Fatalf("UnenrollFactor: %v", err)
		}
		if _, resp, err := client.UserFactorAPI.GetFactor(ctx, fxAlice, fid).Execute(); err == nil || resp.StatusCode != 404 {
			t.Fatalf("GetFactor after delete: %v", err)
		}
	})
}

// TestSDKv2UserFactors: the same with okta-sdk-golang v2.
func TestSDKv2UserFactors(t *testing.T) {
	fxEngines(t, func(t *testing.T, e emulator.Engine) {
		a := factorServer(t, e, false)
		ctx, client := fxSDKv2(t, a.s)
		org := a.s.Org()

		enrolled, _, err := client.UserFactor.EnrollFactor(ctx, fxAlice,
			&oktav2.TotpUserFactor{FactorType: "token:software:totp", Provider: "GOOGLE"}, nil)
		if err != nil {
			t.Fatalf("EnrollFactor: %v", err)
		}
		f := enrolled.(*oktav2.TotpUserFactor)
		emb, _ := f.Embedded.(map[string]interface{})
		act, _ := emb["activation"].(map[string]interface{})
		secret, _ := act["sharedSecret"].(string)
		if f.Status != "PENDING_ACTIVATION" || secret == "" {
			t.Fatalf("enrolled %+v", f)
		}

		activated, _, err := client.UserFactor.ActivateFactor(ctx, fxAlice, f.Id,
			oktav2.ActivateFactorRequest{PassCode: fxTOTP(t, secret, org.Now())}, &oktav2.TotpUserFactor{})
		if err != nil {
			t.Fatalf("ActivateFactor: %v", err)
		}
		if got := activated.(*oktav2.TotpUserFactor); got.Status != "ACTIVE" {
			t.Fatalf("activated %+v", got)
		}

		list, _, err := client.UserFactor.ListFactors(ctx, fxAlice)
		if err != nil {
			t.Fatalf("ListFactors: %v", err)
		}
		found := 0
		for _, x := range list {
			if uf, ok := x.(*oktav2.UserFactor); ok && uf.Id == f.Id && uf.Status == "ACTIVE" && uf.Provider == "GOOGLE" {
				found++
			}
		}
		if found != 1 {
			t.Fatalf("ListFactors: enrolled factor found %d times", found)
		}

		org.Advance(30 * time.Second)
		res, _, err := client.UserFactor.VerifyFactor(ctx, fxAlice, f.Id,
			oktav2.VerifyFactorRequest{PassCode: fxTOTP(t, secret, org.Now())}, &oktav2.TotpUserFactor{}, nil)
		if err != nil || res.FactorResult != "SUCCESS" {
			t.Fatalf("VerifyFactor: %+v %v", res, err)
		}

		if _, err := client.UserFactor.DeleteFactor(ctx, fxAlice, f.Id); err != nil {
			t.Fatalf("DeleteFactor: %v", err)
		}
		if _, resp, err := client.UserFactor.GetFactor(ctx, fxAlice, f.Id, &oktav2.TotpUserFactor{}); err == nil || resp.StatusCode != 404 {
			t.Fatalf("GetFactor after delete: %v", err)
		}
	})
}
