package container_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"
	"time"

	okta "github.com/okta/okta-sdk-golang/v5/okta"
	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/oktaemu/oktaemu/emulator"
	"github.com/oktaemu/oktaemu/emulator/emulatortest"
	"github.com/oktaemu/oktaemu/emulator/emulatortest/container"
)

// sdk is an okta-sdk-golang v5 client for e: no cache, plain HTTP, and the
// Host with its port (NewConfiguration keeps only the host name).
func sdk(t *testing.T, e *container.Emulator) *okta.APIClient {
	t.Helper()
	cfg, err := okta.NewConfiguration(okta.WithOrgUrl(e.URL), okta.WithToken(e.Token), okta.WithCache(false),
		okta.WithTestingDisableHttpsCheck(true), okta.WithHttpClientPtr(e.Client()), okta.WithRequestTimeout(30))
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(e.URL)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Host = u.Host
	return okta.NewAPIClient(cfg)
}

// orgNow reads the emulator's clock from the control plane: one-time codes
// are computed at the org's time, not the test machine's.
func orgNow(t *testing.T, e *container.Emulator) time.Time {
	t.Helper()
	var clock struct{ Now string }
	if st := do(t, e, http.MethodGet, "/_emulator/orgs/default/clock", nil, &clock); st != http.StatusOK {
		t.Fatalf("GET clock: %d", st)
	}
	now, err := time.Parse(time.RFC3339, clock.Now)
	if err != nil {
		t.Fatal(err)
	}
	return now
}

func totpAt(t *testing.T, secret string, at time.Time) string {
	t.Helper()
	code, err := totp.GenerateCodeCustom(secret, at, totp.ValidateOpts{Period: 30, Skew: 1, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		t.Fatal(err)
	}
	return code
}

// signInWithTOTP is the end-to-end scenario: the official Go SDK sets up a
// user in the MFA group with a TOTP factor (activated with a code computed
// from the enrollment's shared secret) and an SMS factor (activated with
// the code read from the outbox); then plain HTTP signs the user in through
// /api/v1/authn with password and TOTP, and gets a sessionToken.
func signInWithTOTP(t *testing.T, e *container.Emulator) {
	ctx := context.Background()
	client := sdk(t, e)
	login, password := "dana@example.com", "Pa55word!Emu"
	user, _, err := client.UserAPI.CreateUser(ctx).Activate(true).Body(okta.CreateUserRequest{
		Profile: okta.UserProfile{FirstName: *okta.NewNullableString(okta.PtrString("Dana")),
			LastName: *okta.NewNullableString(okta.PtrString("Dunn")), Email: &login, Login: &login},
		Credentials: &okta.UserCredentials{Password: &okta.PasswordCredential{Value: &password}},
		GroupIds:    []string{"00gmfarequired000000"},
	}).Execute()
	if err != nil {
		t.Fatalf("SDK CreateUser: %v", err)
	}
	uid := user.GetId()

	// TOTP: enroll, read the shared secret, activate with a code.
	enrolled, _, err := client.UserFactorAPI.EnrollFactor(ctx, uid).Body(okta.UserFactorTOTPAsListFactors200ResponseInner(
		&okta.UserFactorTOTP{FactorType: "token:software:totp", Provider: okta.PtrString("OKTA")})).Execute()
	if err != nil {
		t.Fatalf("SDK EnrollFactor totp: %v", err)
	}
	f := enrolled.UserFactorTOTP
	if f == nil {
		t.Fatalf("SDK EnrollFactor totp: decoded as %+v", enrolled)
	}
	secret, _ := f.Embedded["activation"]["sharedSecret"].(string)
	if f.GetId() == "" || secret == "" {
		t.Fatalf("TOTP enrollment without id or shared secret: %+v", f)
	}
	totpID := f.GetId()
	if _, _, err := client.UserFactorAPI.ActivateFactor(ctx, uid, totpID).
		Body(map[string]any{"passCode": totpAt(t, secret, orgNow(t, e))}).Execute(); err != nil {
		t.Fatalf("SDK ActivateFactor totp: %v", err)
	}

	// SMS: enroll, read the code the org "sent" from the outbox, activate.
	phone := "+15551230000"
	if _, _, err := client.UserFactorAPI.EnrollFactor(ctx, uid).Body(okta.UserFactorSMSAsListFactors200ResponseInner(
		&okta.UserFactorSMS{FactorType: "sms", Provider: okta.PtrString("OKTA"),
			Profile: &okta.UserFactorSMSProfile{PhoneNumber: &phone}})).Execute(); err != nil {
		t.Fatalf("SDK EnrollFactor sms: %v", err)
	}
	var outbox []struct{ Channel, To, Code, FactorID string }
	if st := do(t, e, http.MethodGet, "/_emulator/orgs/default/outbox?channel=sms&login="+login, nil, &outbox); st != http.StatusOK || len(outbox) == 0 {
		t.Fatalf("outbox: %d %+v, want the SMS activation code", st, outbox)
	}
	sms := outbox[len(outbox)-1]
	if sms.Code == "" || sms.FactorID == "" {
		t.Fatalf("SMS in the outbox: %+v", sms)
	}
	if _, _, err := client.UserFactorAPI.ActivateFactor(ctx, uid, sms.FactorID).
		Body(map[string]any{"passCode": sms.Code}).Execute(); err != nil {
		t.Fatalf("SDK ActivateFactor sms with the outbox code: %v", err)
	}

	// Sign in over plain HTTP: password, then TOTP. The code must be of a
	// later time step than the activation's (codes are single use), so
	// move the org's clock on.
	var primary struct {
		Status     string
		StateToken string
		Embedded   struct {
			Factors []struct{ ID, FactorType string }
		} `json:"_embedded"`
	}
	if st := do(t, e, http.MethodPost, "/api/v1/authn", map[string]string{"username": login, "password": password}, &primary); st != http.StatusOK {
		t.Fatalf("POST /api/v1/authn: %d %+v", st, primary)
	}
	if primary.Status != "MFA_REQUIRED" || primary.StateToken == "" {
		t.Fatalf("authn: status %q, want MFA_REQUIRED with a stateToken", primary.Status)
	}
	found := false
	for _, f := range primary.Embedded.Factors {
		found = found || f.ID == totpID
	}
	if !found {
		t.Fatalf("MFA_REQUIRED factors %+v lack the TOTP factor %s", primary.Embedded.Factors, totpID)
	}
	var clock struct{ Now string }
	if st := do(t, e, http.MethodPost, "/_emulator/orgs/default/clock/advance", map[string]string{"duration": "30s"}, &clock); st != http.StatusOK {
		t.Fatalf("advance clock: %d", st)
	}
	var done struct {
		Status       string
		SessionToken string
	}
	body := map[string]string{"stateToken": primary.StateToken, "passCode": totpAt(t, secret, orgNow(t, e))}
	if st := do(t, e, http.MethodPost, "/api/v1/authn/factors/"+totpID+"/verify", body, &done); st != http.StatusOK {
		t.Fatalf("verify TOTP: %d %+v", st, done)
	}
	if done.Status != "SUCCESS" || done.SessionToken == "" {
		t.Errorf("after TOTP: status %q sessionToken %q, want SUCCESS and a token", done.Status, done.SessionToken)
	}
}

// TestEndToEndInContainer runs the scenario against the Docker image.
func TestEndToEndInContainer(t *testing.T) {
	signInWithTOTP(t, container.Start(t, container.Options{Engine: emulator.Classic}))
}

// TestEndToEndInProcess runs the same scenario through OKTAEMU_URL against
// an in-process server (no Docker): the helper's external mode, and a
// check that the scenario itself holds wherever Docker is missing.
func TestEndToEndInProcess(t *testing.T) {
	s := emulatortest.NewServer(t)
	t.Setenv(container.EnvURL, s.URL)
	t.Setenv(container.EnvToken, s.Token)
	signInWithTOTP(t, container.Start(t, container.Options{}))
}
