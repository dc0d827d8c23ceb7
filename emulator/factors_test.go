package emulator_test

import (
	"encoding/base32"
	"encoding/hex"
	"fmt"
	"image/png"
	"net/http"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/google/go-cmp/cmp"
	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/oktaemu/oktaemu/emulator"
	"github.com/oktaemu/oktaemu/emulator/emulatortest"
	"github.com/oktaemu/oktaemu/fixtures"
)

const (
	fxAlice = "00ualice000000000000"
	fxBob   = "00ubob00000000000000"
	fxCarol = "00ucarol000000000000"
)

func init() {
	// The QR code links answer image/png; validate them as binary bodies.
	if openapi3filter.RegisteredBodyDecoder("image/png") == nil {
		openapi3filter.RegisterBodyDecoder("image/png", openapi3filter.FileBodyDecoder)
	}
}

var fxTOTPOpts = totp.ValidateOpts{Period: 30, Skew: 1, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}

// fxAllKeys makes every factor type OPTIONAL in the default MFA_ENROLL
// policy (factors schema, legal in both engines: policies.md §3.3).
var fxAllKeys = []string{"okta_otp", "google_otp", "okta_push", "okta_sms", "okta_call", "okta_email",
	"okta_question", "rsa_token", "symantec_vip", "yubikey_token", "fido_u2f", "fido_webauthn", "custom_otp"}

// factorServer starts an emulator on e's default fixture; with allowAll the
// MFA enrollment policy allows every factor type.
func factorServer(t *testing.T, e emulator.Engine, allowAll bool) *fapi {
	t.Helper()
	fx, err := fixtures.Load(string(e) + "-default")
	if err != nil {
		t.Fatal(err)
	}
	if allowAll {
		factors := map[string]any{}
		for _, k := range fxAllKeys {
			factors[k] = map[string]any{"enroll": map[string]any{"self": "OPTIONAL"}, "consent": map[string]any{"type": "NONE"}}
		}
		for i := range fx.Policies {
			if fx.Policies[i].Type == "MFA_ENROLL" {
				fx.Policies[i].Settings = map[string]any{"factors": factors}
			}
		}
	}
	s := emulatortest.NewServer(t, emulatortest.WithOptions(emulator.Options{Engine: e, Seed: fx}))
	return &fapi{t: t, s: s}
}

type fapi struct {
	t *testing.T
	s *emulatortest.Server
}

func (a *fapi) do(method, path, body string, out any) int {
	a.t.Helper()
	st, _ := call(a.t, a.s.Client(), method, a.s.URL+path, "", "SSWS "+a.s.Token, body, out)
	return st
}

// must sends a request that must answer want.
func (a *fapi) must(want int, method, path, body string, out any) {
	a.t.Helper()
	var raw any
	if out == nil {
		out = &raw
	}
	v := reflect.ValueOf(out).Elem() // decode into a fresh value, not over the last answer
	v.Set(reflect.Zero(v.Type()))
	if st := a.do(method, path, body, out); st != want {
		a.t.Fatalf("%s %s %s: status %d, want %d (%v)", method, path, body, st, want, out)
	}
}

// wantErr sends a request that must fail with status and code (and causes
// when given).
func (a *fapi) wantErr(status int, code, method, path, body string, causes ...string) {
	a.t.Helper()
	var e struct {
		ErrorCode    string `json:"errorCode"`
		ErrorSummary string `json:"errorSummary"`
		ErrorCauses  []struct {
			ErrorSummary string `json:"errorSummary"`
		} `json:"errorCauses"`
	}
	st := a.do(method, path, body, &e)
	if st != status || e.ErrorCode != code {
		a.t.Fatalf("%s %s %s: %d %s (%s), want %d %s", method, path, body, st, e.ErrorCode, e.ErrorSummary, status, code)
	}
	if len(causes) > 0 {
		var got []string
		for _, c := range e.ErrorCauses {
			got = append(got, c.ErrorSummary)
		}
		if diff := cmp.Diff(causes, got); diff != "" {
			a.t.Fatalf("%s %s: causes (-want +got):\n%s", method, path, diff)
		}
	}
}

// wFactor is a Factor as the wire carries it.
type wFactor struct {
	ID          string         `json:"id"`
	FactorType  string         `json:"factorType"`
	Provider    string         `json:"provider"`
	VendorName  string         `json:"vendorName"`
	Status      string         `json:"status"`
	Created     *string        `json:"created"`
	LastUpdated *string        `json:"lastUpdated"`
	Profile     map[string]any `json:"profile"`
	Embedded    map[string]any `json:"_embedded"`
	Links       map[string]any `json:"_links"`
}

type wResult struct {
	ExpiresAt    string         `json:"expiresAt"`
	FactorResult string         `json:"factorResult"`
	Profile      map[string]any `json:"profile"`
	Embedded     map[string]any `json:"_embedded"`
	Links        map[string]any `json:"_links"`
}

// fxLinks summarises _links as "name: METHODS" lines (arrays as
// name[itemName]), sorted, so link sets compare exactly.
func fxLinks(links map[string]any) []string {
	var out []string
	one := func(key string, v any) {
		m, _ := v.(map[string]any)
		var allow []string
		if h, ok := m["hints"].(map[string]any); ok {
			for _, a := range h["allow"].([]any) {
				allow = append(allow, a.(string))
			}
		}
		if n, ok := m["name"].(string); ok {
			key += "[" + n + "]"
		}
		out = append(out, key+": "+strings.Join(allow, ","))
	}
	for k, v := range links {
		if arr, ok := v.([]any); ok {
			for _, item := range arr {
				one(k, item)
			}
			continue
		}
		one(k, v)
	}
	sort.Strings(out)
	return out
}

func (a *fapi) factors(uid string) []wFactor {
	a.t.Helper()
	var fs []wFactor
	a.must(200, "GET", "/api/v1/users/"+uid+"/factors", "", &fs)
	return fs
}

func fxTypes(fs []wFactor) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.FactorType+"/"+f.Provider+"/"+f.Status)
	}
	sort.Strings(out)
	return out
}

func (a *fapi) lastCode(uid, factorID string) string {
	a.t.Helper()
	msgs := a.s.Org().Outbox(uid)
	for i := len(msgs) - 1; i >= 0; i-- {
		if msgs[i].Code != "" {
			return msgs[i].Code
		}
	}
	a.t.Fatalf("no code in the outbox of %s", uid)
	return ""
}

func fxTOTP(t *testing.T, secret string, at time.Time) string {
	t.Helper()
	c, err := totp.GenerateCodeCustom(secret, at, fxTOTPOpts)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func fxEngines(t *testing.T, fn func(t *testing.T, e emulator.Engine)) {
	for _, e := range emulator.Engines() {
		t.Run(string(e), func(t *testing.T) { fn(t, e) })
	}
}

func TestFactorsEnrollActivateVerifyEveryType(t *testing.T) {
	fxEngines(t, func(t *testing.T, e emulator.Engine) {
		a := factorServer(t, e, true)
		org := a.s.Org()
		base := "/api/v1/users/" + fxBob + "/factors"
		verify := func(f wFactor, body string) {
			t.Helper()
			var r wResult
			a.must(200, "POST", base+"/"+f.ID+"/verify", body, &r)
			if r.FactorResult != "SUCCESS" {
				t.Fatalf("verify %s: %+v", f.FactorType, r)
			}
		}

		// question: ACTIVE at once; answer checked.
		var q wFactor
		a.must(200, "POST", base, `{"factorType":"question","provider":"OKTA","profile":{"question":"disliked_food","answer":"mayonnaise"}}`, &q)
		if q.Status != "ACTIVE" || q.Profile["questionText"] != "What is the food you least liked as a child?" || q.Profile["answer"] != nil {
			t.Fatalf("question: %+v", q)
		}
		verify(q, `{"answer":"Mayonnaise"}`)
		a.wantErr(403, "E0000068", "POST", base+"/"+q.ID+"/verify", `{"answer":"ketchup"}`,
			"Your answer doesn't match our records. Please try again.")

		// sms: pending, OTP in the outbox, activate, then challenge/verify.
		var sms wFactor
		a.must(200, "POST", base, `{"factorType":"sms","provider":"OKTA","profile":{"phoneNumber":"+1-555-415-1337"}}`, &sms)
		if sms.Status != "PENDING_ACTIVATION" {
			t.Fatalf("sms: %+v", sms)
		}
		a.wantErr(403, "E0000068", "POST", base+"/"+sms.ID+"/lifecycle/activate", `{"passCode":"000000"}`,
			"Your passcode doesn't match our records. Please try again.")
		a.must(200, "POST", base+"/"+sms.ID+"/lifecycle/activate", `{"passCode":"`+a.lastCode(fxBob, sms.ID)+`"}`, &sms)
		if sms.Status != "ACTIVE" {
			t.Fatalf("sms activate: %+v", sms)
		}
		org.Advance(30 * time.Second)
		var ch wResult
		a.must(200, "POST", base+"/"+sms.ID+"/verify", "", &ch)
		if ch.FactorResult != "CHALLENGE" || ch.Profile["phoneNumber"] != "+1-555-415-1337" {
			t.Fatalf("sms challenge: %+v", ch)
		}
		verify(sms, `{"passCode":"`+a.lastCode(fxBob, sms.ID)+`"}`)

		// call.
		var call wFactor
		a.must(200, "POST", base, `{"factorType":"call","provider":"OKTA","profile":{"phoneNumber":"+1-555-415-1338","phoneExtension":"1234"}}`, &call)
		a.must(200, "POST", base+"/"+call.ID+"/lifecycle/activate", `{"passCode":"`+a.lastCode(fxBob, call.ID)+`"}`, &call)
		org.Advance(30 * time.Second)
		a.must(200, "POST", base+"/"+call.ID+"/verify", `{}`, &ch)
		if ch.FactorResult != "CHALLENGE" || ch.Profile["phoneExtension"] != "1234" {
			t.Fatalf("call challenge: %+v", ch)
		}
		verify(call, `{"passCode":"`+a.lastCode(fxBob, call.ID)+`"}`)

		// Google Authenticator TOTP on carol (bob already has one).
		cbase := "/api/v1/users/" + fxCarol + "/factors"
		for _, f := range a.factors(fxCarol) {
			if f.FactorType == "token:software:totp" {
				a.must(204, "DELETE", cbase+"/"+f.ID, "", nil)
			}
		}
		var g wFactor
		a.must(200, "POST", cbase, `{"factorType":"token:software:totp","provider":"GOOGLE"}`, &g)
		act, _ := g.Embedded["activation"].(map[string]any)
		secret, _ := act["sharedSecret"].(string)
		if g.Status != "PENDING_ACTIVATION" || secret == "" || act["timeStep"] != 30.0 || act["encoding"] != "base32" {
			t.Fatalf("google totp: %+v", g)
		}
		// The QR code is a PNG (its content is checked in org's tests).
		qr := act["_links"].(map[string]any)["qrcode"].(map[string]any)["href"].(string)
		fxQR(t, a, qr)
		a.wantErr(403, "E0000068", "POST", cbase+"/"+g.ID+"/lifecycle/activate", `{"passCode":"000000"}`)
		a.must(200, "POST", cbase+"/"+g.ID+"/lifecycle/activate", `{"passCode":"`+fxTOTP(t, secret, org.Now())+`"}`, &g)
		if g.Status != "ACTIVE" || g.Embedded != nil {
			t.Fatalf("google activate: %+v", g)
		}
		org.Advance(30 * time.Second)
		c := fxTOTP(t, secret, org.Now())
		a.must(200, "POST", cbase+"/"+g.ID+"/verify", `{"passCode":"`+c+`"}`, &ch)
		a.wantErr(403, "E0000068", "POST", cbase+"/"+g.ID+"/verify", `{"passCode":"`+c+`"}`) // single use

		// RSA and Symantec tokens, YubiKey: verified at enrollment, ACTIVE.
		var rsa, sym, yk wFactor
		a.must(200, "POST", base, `{"factorType":"token","provider":"RSA","profile":{"credentialId":"bob@example.com"},"verify":{"passCode":"5275875498"}}`, &rsa)
		a.must(200, "POST", base, `{"factorType":"token","provider":"SYMANTEC","profile":{"credentialId":"VSMT14393584"},"verify":{"passCode":"875498","nextPassCode":"678195"}}`, &sym)
		a.must(200, "POST", base, `{"factorType":"token:hardware","provider":"YUBICO","verify":{"passCode":"cccccceukngdfgkukfctkcvfidnetljjiknckkcjulji"}}`, &yk)
		if rsa.Status != "ACTIVE" || sym.Status != "ACTIVE" || yk.Status != "ACTIVE" || yk.Profile["credentialId"] != "cccccceukngd" {
			t.Fatalf("tokens: %+v %+v %+v", rsa, sym, yk)
		}
		verify(rsa, `{"passCode":"1234567890"}`)
		a.wantErr(403, "E0000068", "POST", base+"/"+rsa.ID+"/verify", `{"passCode":"5275875498"}`) // used at enrollment
		verify(sym, `{"passCode":"112233"}`)
		verify(yk, `{"passCode":"cccccceukngdhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhh"}`)

		// U2F and WebAuthn: not crypto-checked, the data must be present.
		for _, typ := range []string{"u2f", "webauthn"} {
			var f wFactor
			a.must(200, "POST", base, `{"factorType":"`+typ+`","provider":"FIDO"}`, &f)
			act, _ := f.Embedded["activation"].(map[string]any)
			if f.Status != "PENDING_ACTIVATION" || act == nil {
				t.Fatalf("%s: %+v", typ, f)
			}
			reg := `{"registrationData":"cmVn","clientData":"Y2Q="}`
			if typ == "webauthn" {
				reg = `{"attestation":"YXR0","clientData":"Y2Q="}`
				if act["challenge"] == "" || act["rp"].(map[string]any)["name"] != org.Name() {
					t.Fatalf("webauthn options: %+v", act)
				}
			}
			a.wantErr(403, "E0000068", "POST", base+"/"+f.ID+"/lifecycle/activate", `{"clientData":"Y2Q="}`)
			a.must(200, "POST", base+"/"+f.ID+"/lifecycle/activate", reg, &f)
			if f.Status != "ACTIVE" || f.Profile["credentialId"] == nil {
				t.Fatalf("%s activate: %+v", typ, f)
			}
			a.must(200, "POST", base+"/"+f.ID+"/verify", "", &ch)
			if ch.FactorResult != "CHALLENGE" || ch.Embedded["challenge"] == nil {
				t.Fatalf("%s challenge: %+v", typ, ch)
			}
			verify(f, `{"clientData":"Y2Q=","signatureData":"c2ln","authenticatorData":"YWQ="}`)
		}

		// Custom TOTP (token:hotp): activate=true only; the hex secret drives
		// RFC 6238 codes.
		a.wantErr(400, "E0000001", "POST", base, `{"factorType":"token:hotp","provider":"CUSTOM","factorProfileId":"fpr20l2mDyaUGWGCa0g4","profile":{"sharedSecret":"484f97be3213b117e3a20438e291540a"}}`)
		var h wFactor
		a.must(200, "POST", base+"?activate=true", `{"factorType":"token:hotp","provider":"CUSTOM","factorProfileId":"fpr20l2mDyaUGWGCa0g4","profile":{"sharedSecret":"484f97be3213b117e3a20438e291540a"}}`, &h)
		raw, _ := hex.DecodeString("484f97be3213b117e3a20438e291540a")
		hs := base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(raw)
		if h.Status != "ACTIVE" {
			t.Fatalf("hotp: %+v", h)
		}
		verify(h, `{"passCode":"`+fxTOTP(t, hs, org.Now())+`"}`)

		// sms/call/email with activate=true: ACTIVE, nothing sent.
		before := len(org.Outbox(fxAlice))
		var em wFactor
		a.must(200, "POST", "/api/v1/users/"+fxAlice+"/factors?activate=true", `{"factorType":"call","provider":"OKTA","profile":{"phoneNumber":"+15554151399"}}`, &em)
		if em.Status != "ACTIVE" || len(org.Outbox(fxAlice)) != before {
			t.Fatalf("activate=true: %+v", em)
		}

		// Unknown combination, bad phone, unknown user.
		a.wantErr(400, "E0000001", "POST", base, `{"factorType":"push","provider":"GOOGLE"}`)
		a.wantErr(400, "E0000098", "POST", "/api/v1/users/"+fxAlice+"/factors", `{"factorType":"sms","provider":"OKTA","profile":{"phoneNumber":"12"}}`)
		a.wantErr(400, "E0000003", "POST", base, `{"factorType":`)
		a.wantErr(404, "E0000007", "POST", "/api/v1/users/00unobody00000000000/factors", `{"factorType":"sms"}`)
		a.wantErr(404, "E0000007", "GET", base+"/nosuchfactor", "")
	})
}

func TestFactorsLinksByStatus(t *testing.T) {
	fxEngines(t, func(t *testing.T, e emulator.Engine) {
		a := factorServer(t, e, true)
		base := "/api/v1/users/" + fxBob + "/factors"
		tests := []struct {
			body string
			want []string
		}{
			{`{"factorType":"sms","provider":"OKTA","profile":{"phoneNumber":"+15554151337"}}`,
				[]string{"activate: POST", "resend[sms]: POST", "self: GET", "user: GET"}},
			{`{"factorType":"call","provider":"OKTA","profile":{"phoneNumber":"+15554151338"}}`,
				[]string{"activate: POST", "resend[call]: POST", "self: GET", "user: GET"}},
			{`{"factorType":"email","provider":"OKTA","profile":{"email":"bob@example.com"}}`,
				[]string{"activate: POST", "resend[email]: POST", "self: GET", "user: GET"}},
			{`{"factorType":"webauthn","provider":"FIDO"}`, []string{"activate: POST", "self: GET", "user: GET"}},
			{`{"factorType":"push","provider":"OKTA"}`, []string{"poll: POST", "self: GET", "user: GET"}},
			{`{"factorType":"question","provider":"OKTA","profile":{"question":"first_award","answer":"spelling bee"}}`,
				[]string{"questions: GET", "self: GET,DELETE", "user: GET"}},
			{`{"factorType":"token","provider":"RSA","profile":{"credentialId":"bob"},"verify":{"passCode":"123456"}}`,
				[]string{"self: GET,DELETE", "user: GET", "verify: POST"}},
		}
		for _, tt := range tests {
			var f wFactor
			a.must(200, "POST", base, tt.body, &f)
			if e == emulator.Identity && f.FactorType == "email" {
				// Bob's verified primary email is already the auto-enrolled
				// ACTIVE email factor (row 2).
				if diff := cmp.Diff([]string{"self: GET,DELETE", "user: GET", "verify: POST"}, fxLinks(f.Links)); diff != "" {
					t.Errorf("email links (-want +got):\n%s", diff)
				}
				continue
			}
			if diff := cmp.Diff(tt.want, fxLinks(f.Links)); diff != "" {
				t.Errorf("%s links (-want +got):\n%s", tt.body, diff)
			}
			if href := f.Links["self"].(map[string]any)["href"]; href != a.s.URL+base+"/"+f.ID {
				t.Errorf("self href %v", href)
			}
		}
		// Pending push: _embedded.activation with send links and a QR code.
		for _, f := range a.factors(fxBob) {
			if f.FactorType != "push" {
				continue
			}
			act := f.Embedded["activation"].(map[string]any)
			if act["factorResult"] != "WAITING" || act["expiresAt"] == nil {
				t.Errorf("push activation %+v", act)
			}
			if diff := cmp.Diff([]string{"qrcode: ", "send[email]: POST", "send[sms]: POST"}, fxLinks(act["_links"].(map[string]any))); diff != "" {
				t.Errorf("push activation links (-want +got):\n%s", diff)
			}
		}
	})
}

func TestFactorsPushVerifyTransactions(t *testing.T) {
	fxEngines(t, func(t *testing.T, e emulator.Engine) {
		a := factorServer(t, e, false)
		org := a.s.Org()
		const push = "opfcarol000000000000"
		base := "/api/v1/users/" + fxCarol + "/factors/" + push
		start := func(body string) (wResult, string) {
			t.Helper()
			var r wResult
			a.must(201, "POST", base+"/verify", body, &r)
			poll := r.Links["poll"].(map[string]any)["href"].(string)
			return r, strings.TrimPrefix(poll, a.s.URL)
		}

		r, poll := start("")
		if r.FactorResult != "WAITING" || r.ExpiresAt == "" || r.Embedded != nil {
			t.Fatalf("push: %+v", r)
		}
		if diff := cmp.Diff([]string{"cancel: DELETE", "poll: GET"}, fxLinks(r.Links)); diff != "" {
			t.Fatalf("push links: %s", diff)
		}
		var w wResult
		a.must(200, "GET", poll, "", &w)
		if w.FactorResult != "WAITING" || w.Profile["credentialId"] != "carol@example.com" {
			t.Fatalf("poll waiting: %+v", w)
		}
		pending := org.PendingFactorPushes(fxCarol)
		if len(pending) != 1 || !strings.HasSuffix(poll, pending[0].ID) {
			t.Fatalf("pending %+v", pending)
		}
		if _, err := org.ApproveFactorPush(pending[0].ID, 0); err != nil {
			t.Fatal(err)
		}
		var s map[string]any
		a.must(200, "GET", poll, "", &s)
		if diff := cmp.Diff(map[string]any{"factorResult": "SUCCESS"}, s); diff != "" {
			t.Fatalf("poll success: %s", diff)
		}
		// Another user's path does not reach the transaction.
		txid := poll[strings.LastIndex(poll, "/")+1:]
		a.wantErr(404, "E0000007", "GET", "/api/v1/users/"+fxBob+"/factors/"+push+"/transactions/"+txid, "")

		// Rejected.
		_, poll = start(`{}`)
		txid = poll[strings.LastIndex(poll, "/")+1:]
		if _, err := org.RejectFactorPush(txid); err != nil {
			t.Fatal(err)
		}
		a.must(200, "GET", poll, "", &w)
		if w.FactorResult != "REJECTED" || w.Profile["credentialId"] != "carol@example.com" {
			t.Fatalf("rejected: %+v", w)
		}
		if diff := cmp.Diff([]string{"factor: GET,DELETE", "verify: POST"}, fxLinks(w.Links)); diff != "" {
			t.Fatalf("rejected links: %s", diff)
		}

		// Timeout by the clock (5 minutes).
		_, poll = start("")
		org.Advance(5 * time.Minute)
		a.must(200, "GET", poll, "", &w)
		if w.FactorResult != "TIMEOUT" {
			t.Fatalf("timeout: %+v", w)
		}

		// Number challenge.
		r, poll = start(`{"useNumberMatchingChallenge":true}`)
		n := int(r.Embedded["challenge"].(map[string]any)["correctAnswer"].(float64))
		txid = poll[strings.LastIndex(poll, "/")+1:]
		if _, err := org.ApproveFactorPush(txid, n); err != nil {
			t.Fatal(err)
		}
		a.must(200, "GET", poll, "", &w)
		if w.FactorResult != "SUCCESS" {
			t.Fatalf("number challenge: %+v", w)
		}

		// Cancel.
		_, poll = start("")
		a.must(204, "DELETE", poll, "", nil)
		a.wantErr(404, "E0000007", "GET", poll, "")
	})
}

func TestFactorsPushActivation(t *testing.T) {
	fxEngines(t, func(t *testing.T, e emulator.Engine) {
		a := factorServer(t, e, false)
		org := a.s.Org()
		base := "/api/v1/users/" + fxAlice + "/factors"
		var f wFactor
		a.must(200, "POST", base, `{"factorType":"push","provider":"OKTA"}`, &f)
		if f.Status != "PENDING_ACTIVATION" || f.Profile != nil {
			t.Fatalf("push enroll: %+v", f)
		}
		poll := strings.TrimPrefix(f.Links["poll"].(map[string]any)["href"].(string), a.s.URL)
		var w wResult
		a.must(200, "POST", poll, "", &w)
		if w.FactorResult != "WAITING" {
			t.Fatalf("poll: %+v", w)
		}
		if diff := cmp.Diff([]string{"poll: POST", "qrcode: ", "send[email]: POST", "send[sms]: POST"}, fxLinks(w.Links)); diff != "" {
			t.Fatalf("poll links: %s", diff)
		}
		fxQR(t, a, w.Links["qrcode"].(map[string]any)["href"].(string))
		// The QR code expires: TIMEOUT with an activate link.
		org.Advance(10 * time.Minute)
		a.must(200, "POST", base+"/"+f.ID+"/lifecycle/activate", "", &w)
		if w.FactorResult != "TIMEOUT" || !slices.Equal(fxLinks(w.Links), []string{"activate: POST"}) {
			t.Fatalf("timeout: %+v", w)
		}
		a.wantErr(404, "E0000007", "GET", base+"/"+f.ID+"/qr/not-the-token", "")
		// The next activate starts over; the app scans and activates.
		a.must(200, "POST", base+"/"+f.ID+"/lifecycle/activate", "", &w)
		if w.FactorResult != "WAITING" {
			t.Fatalf("restart: %+v", w)
		}
		// The activation goes out by email; the app activates with its token.
		a.must(200, "POST", base+"/"+f.ID+"/lifecycle/activate/email", "", &w)
		a.wantErr(429, "E0000118", "POST", base+"/"+f.ID+"/lifecycle/activate/email", "")
		msgs := org.Outbox(fxAlice)
		last := msgs[len(msgs)-1]
		if w.FactorResult != "WAITING" || last.Kind != "activation" || last.To != "alice@example.com" || last.Token == "" {
			t.Fatalf("send activation: %+v, message %+v", w, last)
		}
		if err := org.ActivateOktaVerifyByToken("not-the-token", "Gibson"); err == nil {
			t.Fatal("a wrong token activated Okta Verify")
		}
		if err := org.ActivateOktaVerifyByToken(last.Token, "Gibson"); err != nil {
			t.Fatal(err)
		}
		var done wFactor
		a.must(200, "POST", poll, "", &done)
		if done.Status != "ACTIVE" || done.Profile["name"] != "Gibson" || done.Profile["credentialId"] != "alice@example.com" {
			t.Fatalf("activated: %+v", done)
		}
	})
}

func TestFactorsThrottles(t *testing.T) {
	fxEngines(t, func(t *testing.T, e emulator.Engine) {
		a := factorServer(t, e, true)
		org := a.s.Org()
		base := "/api/v1/users/" + fxBob + "/factors"
		var sms, em wFactor
		a.must(200, "POST", base, `{"factorType":"sms","provider":"OKTA","profile":{"phoneNumber":"+15554151337"}}`, &sms)
		a.wantErr(429, "E0000109", "POST", base+"/"+sms.ID+"/resend", `{"factorType":"sms","provider":"OKTA","profile":{"phoneNumber":"+15554151337"}}`)
		org.Advance(30 * time.Second)
		a.must(200, "POST", base+"/"+sms.ID+"/resend", "", &sms)
		// Five wrong activations, then 429 E0000047, and resend refused.
		for range 5 {
			a.wantErr(403, "E0000068", "POST", base+"/"+sms.ID+"/lifecycle/activate", `{"passCode":"000000"}`)
		}
		a.wantErr(429, "E0000047", "POST", base+"/"+sms.ID+"/lifecycle/activate", `{"passCode":"`+a.lastCode(fxBob, sms.ID)+`"}`)
		org.Advance(30 * time.Second)
		a.wantErr(429, "E0000047", "POST", base+"/"+sms.ID+"/resend", "")
		org.Advance(5 * time.Minute)
		a.must(200, "POST", base+"/"+sms.ID+"/resend", "", &sms)
		a.must(200, "POST", base+"/"+sms.ID+"/lifecycle/activate", `{"passCode":"`+a.lastCode(fxBob, sms.ID)+`"}`, &sms)
		if sms.Status != "ACTIVE" {
			t.Fatalf("sms: %+v", sms)
		}
		org.Advance(30 * time.Second)
		// Challenges: sms 30 s.
		a.must(200, "POST", base+"/"+sms.ID+"/verify", "", nil)
		a.wantErr(429, "E0000109", "POST", base+"/"+sms.ID+"/verify", "")

		// Email 5 s (on a fresh user: in Identity Engine the primary email is
		// alice's auto-enrolled factor).
		abase := "/api/v1/users/" + fxAlice + "/factors"
		a.must(200, "POST", abase+"?activate=true", `{"factorType":"email","provider":"OKTA","profile":{"email":"alice@example.com"}}`, &em)
		a.must(200, "POST", abase+"/"+em.ID+"/verify?tokenLifetimeSeconds=600", "", nil)
		a.wantErr(429, "E0000118", "POST", abase+"/"+em.ID+"/verify", "")
		org.Advance(5 * time.Second)
		var ch wResult
		a.must(200, "POST", abase+"/"+em.ID+"/verify", "", &ch)
		if ch.FactorResult != "CHALLENGE" || ch.Profile != nil {
			t.Fatalf("email challenge: %+v", ch)
		}
		// Verify on a factor that is not active: 410 E0000154.
		var pend wFactor
		a.must(200, "POST", abase, `{"factorType":"webauthn","provider":"FIDO"}`, &pend)
		a.wantErr(410, "E0000154", "POST", abase+"/"+pend.ID+"/verify", `{"clientData":"a","signatureData":"b"}`)
	})
}

func TestFactorsCatalogAndQuestions(t *testing.T) {
	want := map[emulator.Engine][]string{
		// Classic default: okta_call NOT_ALLOWED.
		emulator.Classic: {"email/OKTA/OPTIONAL", "push/OKTA/OPTIONAL", "question/OKTA/OPTIONAL", "sms/OKTA/OPTIONAL",
			"token:software:totp/GOOGLE/OPTIONAL", "token:software:totp/OKTA/OPTIONAL"},
		// Identity default: authenticators schema; phone_number allows sms
		// and call, okta_email is REQUIRED.
		emulator.Identity: {"call/OKTA/OPTIONAL", "email/OKTA/REQUIRED", "push/OKTA/OPTIONAL", "question/OKTA/OPTIONAL",
			"sms/OKTA/OPTIONAL", "token:software:totp/GOOGLE/OPTIONAL", "token:software:totp/OKTA/OPTIONAL"},
	}
	fxEngines(t, func(t *testing.T, e emulator.Engine) {
		a := factorServer(t, e, false)
		var cat []struct {
			FactorType string         `json:"factorType"`
			Provider   string         `json:"provider"`
			Enrollment string         `json:"enrollment"`
			Status     string         `json:"status"`
			Embedded   map[string]any `json:"_embedded"`
			Links      map[string]any `json:"_links"`
		}
		a.must(200, "GET", "/api/v1/users/"+fxCarol+"/factors/catalog", "", &cat)
		var got []string
		for _, c := range cat {
			got = append(got, c.FactorType+"/"+c.Provider+"/"+c.Enrollment)
			if c.FactorType == "sms" {
				phones := c.Embedded["phones"].([]any)
				if len(phones) != 1 || phones[0].(map[string]any)["id"] != "smscarol000000000000" {
					t.Errorf("sms phones %v", phones)
				}
			}
			if c.FactorType == "question" && len(fxLinks(c.Links)) != 2 {
				t.Errorf("question links %v", fxLinks(c.Links))
			}
		}
		sort.Strings(got)
		if diff := cmp.Diff(want[e], got); diff != "" {
			t.Errorf("catalog (-want +got):\n%s", diff)
		}
		// The policy gates enrollment too.
		if e == emulator.Classic {
			a.wantErr(400, "E0000001", "POST", "/api/v1/users/"+fxAlice+"/factors",
				`{"factorType":"call","provider":"OKTA","profile":{"phoneNumber":"+15554151337"}}`,
				"Factor not allowed for the user based on the Multifactor policy.")
		}
		var qs []map[string]string
		a.must(200, "GET", "/api/v1/users/"+fxAlice+"/factors/questions", "", &qs)
		if len(qs) != 20 || qs[0]["question"] != "disliked_food" || qs[0]["questionText"] != "What is the food you least liked as a child?" {
			t.Errorf("questions %v", qs)
		}
	})
}

func TestFactorsEngineRows(t *testing.T) {
	const (
		second    = "A factor of this type is already set up."
		maxPush   = "Maximum number of enrollments reached for factorType push."
		phoneCase = "There is an existing verified phone number."
	)
	fxEngines(t, func(t *testing.T, e emulator.Engine) {
		ie := e == emulator.Identity
		t.Run("rows 2-3 alice's listed factors", func(t *testing.T) {
			a := factorServer(t, e, false)
			fs := a.factors(fxAlice)
			var want []string
			if ie {
				want = []string{"email/OKTA/ACTIVE", "question/OKTA/ACTIVE"}
			}
			if diff := cmp.Diff(want, fxTypes(fs)); diff != "" {
				t.Fatalf("factors (-want +got):\n%s", diff)
			}
			for _, f := range fs {
				if f.FactorType == "email" && (f.Created != nil || f.Profile["email"] != "alice@example.com") {
					t.Errorf("auto email %+v", f)
				}
				if f.FactorType == "question" && f.Profile["questionText"] != "What is the name of your first pet?" {
					t.Errorf("recovery question %+v", f)
				}
			}
		})
		t.Run("row 4 reset_factors", func(t *testing.T) {
			a := factorServer(t, e, false)
			a.must(200, "POST", "/api/v1/users/"+fxCarol+"/lifecycle/reset_factors", "", nil)
			var want []string
			if ie {
				want = []string{"email/OKTA/ACTIVE", "question/OKTA/ACTIVE"}
			}
			if diff := cmp.Diff(want, fxTypes(a.factors(fxCarol))); diff != "" {
				t.Fatalf("after 1st reset (-want +got):\n%s", diff)
			}
			a.must(200, "POST", "/api/v1/users/"+fxCarol+"/lifecycle/reset_factors", "", nil)
			want = nil
			if ie {
				want = []string{"email/OKTA/ACTIVE"}
			}
			if diff := cmp.Diff(want, fxTypes(a.factors(fxCarol))); diff != "" {
				t.Fatalf("after 2nd reset (-want +got):\n%s", diff)
			}
		})
		t.Run("row 5 delete email", func(t *testing.T) {
			a := factorServer(t, e, false)
			var em wFactor
			if ie {
				em = a.factors(fxBob)[1]
			} else {
				a.must(200, "POST", "/api/v1/users/"+fxBob+"/factors?activate=true", `{"factorType":"email","provider":"OKTA"}`, &em)
			}
			if em.FactorType != "email" {
				t.Fatalf("not the email factor: %+v", em)
			}
			a.must(204, "DELETE", "/api/v1/users/"+fxBob+"/factors/"+em.ID, "", nil)
			want := []string{"token:software:totp/GOOGLE/ACTIVE"}
			if ie {
				want = []string{"email/OKTA/ACTIVE", "token:software:totp/GOOGLE/ACTIVE"}
			}
			if diff := cmp.Diff(want, fxTypes(a.factors(fxBob))); diff != "" {
				t.Fatalf("after delete (-want +got):\n%s", diff)
			}
		})
		t.Run("row 6 phones", func(t *testing.T) {
			a := factorServer(t, e, false)
			base := "/api/v1/users/" + fxCarol + "/factors?activate=true"
			body := `{"factorType":"sms","provider":"OKTA","profile":{"phoneNumber":"+15554159999"}}`
			if !ie {
				a.wantErr(400, "E0000001", "POST", base, body, phoneCase)
				return
			}
			a.must(200, "POST", base, body, nil)
			n := 0
			for _, f := range a.factors(fxCarol) {
				if f.FactorType == "sms" {
					n++
				}
			}
			if n != 2 {
				t.Fatalf("%d sms factors, want 2", n)
			}
			a.wantErr(400, "E0000001", "POST", base, body, second) // same number twice
		})
		t.Run("rows 8-10, 14 Okta Verify", func(t *testing.T) {
			a := factorServer(t, e, false)
			var p wFactor
			a.must(200, "POST", "/api/v1/users/"+fxAlice+"/factors", `{"factorType":"push","provider":"OKTA"}`, &p)
			want := []string{"push/OKTA/PENDING_ACTIVATION"}
			if ie {
				want = []string{"email/OKTA/ACTIVE", "push/OKTA/PENDING_ACTIVATION", "question/OKTA/ACTIVE",
					"signed_nonce/OKTA/PENDING_ACTIVATION", "token:software:totp/OKTA/PENDING_ACTIVATION"}
			}
			if diff := cmp.Diff(want, fxTypes(a.factors(fxAlice))); diff != "" {
				t.Fatalf("after push enroll (-want +got):\n%s", diff)
			}
			cause := second
			if ie {
				cause = maxPush
			}
			a.wantErr(400, "E0000001", "POST", "/api/v1/users/"+fxAlice+"/factors", `{"factorType":"push","provider":"OKTA"}`, cause)
			a.must(204, "DELETE", "/api/v1/users/"+fxAlice+"/factors/"+p.ID, "", nil)
			want = nil
			if ie {
				want = []string{"email/OKTA/ACTIVE", "question/OKTA/ACTIVE"}
			}
			if diff := cmp.Diff(want, fxTypes(a.factors(fxAlice))); diff != "" {
				t.Fatalf("after push delete (-want +got):\n%s", diff)
			}
			// Row 9: OV TOTP also enrolls push in Identity Engine.
			a.must(200, "POST", "/api/v1/users/"+fxAlice+"/factors", `{"factorType":"token:software:totp","provider":"OKTA"}`, nil)
			hasPush := slices.ContainsFunc(a.factors(fxAlice), func(f wFactor) bool { return f.FactorType == "push" })
			if hasPush != ie {
				t.Fatalf("push after OV totp enroll: %v", hasPush)
			}
		})
		t.Run("row 11 Okta Verify settings not enforced", func(t *testing.T) {
			a := factorServer(t, e, false)
			if err := a.s.Org().SetAuthenticatorSettings("okta_verify", map[string]any{"compliance": map[string]any{"fips": "REQUIRED"},
				"userVerification": "REQUIRED"}); err != nil {
				t.Fatal(err)
			}
			a.must(200, "POST", "/api/v1/users/"+fxAlice+"/factors", `{"factorType":"push","provider":"OKTA"}`, nil)
		})
		t.Run("row 12 email rules", func(t *testing.T) {
			a := factorServer(t, e, false)
			body := `{"factorType":"email","provider":"OKTA","profile":{"email":"carol.backup@example.com"}}`
			if ie {
				a.wantErr(400, "E0000001", "POST", "/api/v1/users/"+fxCarol+"/factors", body)
			} else {
				var f wFactor
				a.must(200, "POST", "/api/v1/users/"+fxCarol+"/factors", body, &f)
				if f.Status != "PENDING_ACTIVATION" {
					t.Fatalf("secondary email: %+v", f)
				}
			}
			a.wantErr(400, "E0000001", "POST", "/api/v1/users/"+fxBob+"/factors",
				`{"factorType":"email","provider":"OKTA","profile":{"email":"someone@else.com"}}`)
		})
		t.Run("row 13 signed_nonce", func(t *testing.T) {
			a := factorServer(t, e, false)
			a.wantErr(400, "E0000001", "POST", "/api/v1/users/"+fxAlice+"/factors", `{"factorType":"signed_nonce","provider":"OKTA"}`)
			if !ie {
				return
			}
			en, err := a.s.Org().AddOktaVerifyEnrollment(fxAlice, "Phone")
			if err != nil {
				t.Fatal(err)
			}
			sn := en.FactorIDs[2]
			a.wantErr(400, "E0000001", "POST", "/api/v1/users/"+fxAlice+"/factors/"+sn+"/verify", "")
			// Deleting signed_nonce deletes the whole Okta Verify enrollment (row 14).
			a.must(204, "DELETE", "/api/v1/users/"+fxAlice+"/factors/"+sn, "", nil)
			if diff := cmp.Diff([]string{"email/OKTA/ACTIVE", "question/OKTA/ACTIVE"}, fxTypes(a.factors(fxAlice))); diff != "" {
				t.Fatal(diff)
			}
		})
		t.Run("row 16 org factor okta_sms", func(t *testing.T) {
			a := factorServer(t, e, false)
			if ie {
				a.wantErr(501, "E0000060", "POST", "/api/v1/org/factors/okta_sms/lifecycle/deactivate", "")
				return
			}
			var f map[string]any
			a.must(200, "POST", "/api/v1/org/factors/okta_sms/lifecycle/deactivate", "", &f)
			if f["status"] != "INACTIVE" {
				t.Fatalf("%v", f)
			}
		})
		t.Run("rows 17-18 authenticators", func(t *testing.T) {
			a := factorServer(t, e, false)
			for _, p := range []string{"/api/v1/authenticators", "/api/v1/users/" + fxAlice + "/authenticator-enrollments"} {
				if ie {
					a.must(200, "GET", p, "", nil)
				} else {
					a.wantErr(401, "E0000015", "GET", p, "")
				}
			}
		})
	})
}

func TestOrgFactors(t *testing.T) {
	fxEngines(t, func(t *testing.T, e emulator.Engine) {
		a := factorServer(t, e, false)
		var list []map[string]any
		a.must(200, "GET", "/api/v1/org/factors", "", &list)
		var f map[string]any
		a.must(200, "GET", "/api/v1/org/factors/google_otp", "", &f)
		if f["factorType"] != "token:software:totp" || f["provider"] != "GOOGLE" || f["status"] != "ACTIVE" {
			t.Fatalf("google_otp %v", f)
		}
		if diff := cmp.Diff([]string{"deactivate: POST", "self: GET"}, fxLinks(f["_links"].(map[string]any))); diff != "" {
			t.Fatal(diff)
		}
		a.must(200, "POST", "/api/v1/org/factors/google_otp/lifecycle/deactivate", "", &f)
		if f["status"] != "INACTIVE" || fxLinks(f["_links"].(map[string]any))[0] != "activate: POST" {
			t.Fatalf("deactivated %v", f)
		}
		var active []map[string]any
		a.must(200, "GET", `/api/v1/org/factors?filter=status+eq+"ACTIVE"`, "", &active)
		if len(active) != len(list)-2 { // google_otp and duo (NOT_SETUP)
			t.Fatalf("%d active of %d", len(active), len(list))
		}
		// An inactive org factor leaves the catalog and cannot be enrolled.
		a.wantErr(400, "E0000001", "POST", "/api/v1/users/"+fxAlice+"/factors", `{"factorType":"token:software:totp","provider":"GOOGLE"}`)
		a.must(200, "POST", "/api/v1/org/factors/google_otp/lifecycle/activate", "", &f)
		a.must(200, "POST", "/api/v1/users/"+fxAlice+"/factors", `{"factorType":"token:software:totp","provider":"GOOGLE"}`, nil)
		a.wantErr(404, "E0000007", "GET", "/api/v1/org/factors/nope", "")
		a.wantErr(400, "E0000031", "GET", "/api/v1/org/factors?filter=bogus", "")
	})
}

func TestAuthenticatorEnrollmentsAgreeWithFactors(t *testing.T) {
	a := factorServer(t, emulator.Identity, false)
	org := a.s.Org()
	var auths []map[string]any
	a.must(200, "GET", "/api/v1/authenticators", "", &auths)
	keys := map[string]string{}
	for _, x := range auths {
		keys[x["key"].(string)] = x["id"].(string)
	}
	ov := keys["okta_verify"]
	var methods []map[string]any
	a.must(200, "GET", "/api/v1/authenticators/"+ov+"/methods", "", &methods)
	if len(methods) != 3 {
		t.Fatalf("okta_verify methods %v", methods)
	}
	var pw map[string]any
	a.must(200, "GET", "/api/v1/authenticators/"+keys["okta_password"], "", &pw)
	if diff := cmp.Diff([]string{"methods: GET", "self: GET,PUT"}, fxLinks(pw["_links"].(map[string]any))); diff != "" {
		t.Errorf("password links: %s", diff)
	}
	// The default MFA_ENROLL policy enrolls okta_verify: deactivation refused.
	a.wantErr(403, "E0000148", "POST", "/api/v1/authenticators/"+ov+"/lifecycle/deactivate", "")
	a.must(200, "POST", "/api/v1/authenticators/"+keys["webauthn"]+"/lifecycle/deactivate", "", nil)

	// Two Okta Verify devices enrolled outside the Factors API.
	e1, err := org.AddOktaVerifyEnrollment(fxCarol, "iPhone")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := org.AddOktaVerifyEnrollment(fxCarol, "iPad"); err != nil {
		t.Fatal(err)
	}
	a.wantErr(400, "E0000001", "POST", "/api/v1/users/"+fxCarol+"/factors", `{"factorType":"push","provider":"OKTA"}`,
		"Maximum number of enrollments reached for factorType push.")

	type wEnr struct {
		ID      string         `json:"id"`
		Key     string         `json:"key"`
		Type    string         `json:"type"`
		Status  string         `json:"status"`
		Profile map[string]any `json:"profile"`
		Links   map[string]any `json:"_links"`
	}
	agree := func() []wEnr {
		t.Helper()
		var es []wEnr
		a.must(200, "GET", "/api/v1/users/"+fxCarol+"/authenticator-enrollments", "", &es)
		// Every factor belongs to exactly one enrollment; phones etc. share
		// the factor's id, Okta Verify groups push+totp+signed_nonce.
		var fromFactors, fromEnrollments []string
		counts := map[string]int{}
		for _, f := range a.factors(fxCarol) {
			counts[f.FactorType]++
		}
		for _, x := range es {
			fromEnrollments = append(fromEnrollments, x.Key)
		}
		for typ, n := range counts {
			key := map[string]string{"email": "okta_email", "sms": "phone_number", "question": "security_question",
				"token:software:totp": "", "push": "okta_verify", "signed_nonce": ""}[typ]
			for range n {
				if key != "" {
					fromFactors = append(fromFactors, key)
				}
			}
		}
		fromFactors = append(fromFactors, "okta_password")
		sort.Strings(fromFactors)
		sort.Strings(fromEnrollments)
		if diff := cmp.Diff(fromFactors, fromEnrollments); diff != "" {
			t.Fatalf("factors and enrollments disagree (-factors +enrollments):\n%s", diff)
		}
		return es
	}
	es := agree()
	ovCount := 0
	for _, x := range es {
		if x.Key == "okta_verify" && x.Profile["deviceName"] != nil {
			ovCount++
		}
		if x.Key == "phone_number" && x.Profile["phoneNumber"] != "+XXXX0102" {
			t.Errorf("masked phone %v", x.Profile)
		}
		if diff := cmp.Diff([]string{"authenticator: GET", "self: GET,DELETE", "user: GET"}, fxLinks(x.Links)); diff != "" {
			t.Errorf("%s links: %s", x.Key, diff)
		}
	}
	if ovCount != 3 { // the fixture's push and two devices
		t.Fatalf("%d Okta Verify device enrollments, want 3", ovCount)
	}
	var sms wEnr
	a.must(200, "GET", "/api/v1/users/"+fxCarol+"/authenticator-enrollments/smscarol000000000000?discloseIdentifiers=phone", "", &sms)
	if sms.Profile["phoneNumber"] != "+15550102" {
		t.Errorf("disclosed phone %v", sms.Profile)
	}
	// Deleting one Okta Verify enrollment removes its three factors.
	before := len(a.factors(fxCarol))
	a.must(204, "DELETE", "/api/v1/users/"+fxCarol+"/authenticator-enrollments/"+e1.ID, "", nil)
	if after := len(a.factors(fxCarol)); after != before-3 {
		t.Fatalf("factors %d -> %d", before, after)
	}
	for _, fid := range e1.FactorIDs {
		a.wantErr(404, "E0000007", "GET", "/api/v1/users/"+fxCarol+"/factors/"+fid, "")
	}
	// Deleting the sms factor removes its enrollment.
	a.must(204, "DELETE", "/api/v1/users/"+fxCarol+"/factors/smscarol000000000000", "", nil)
	a.wantErr(404, "E0000007", "GET", "/api/v1/users/"+fxCarol+"/authenticator-enrollments/smscarol000000000000", "")
	agree()
	a.wantErr(404, "E0000007", "GET", "/api/v1/authenticators/autnope", "")
}

// TestFactorsFixtureOktaVerifyEnrollments: a fixture may give an Identity
// Engine user several Okta Verify devices (factors grouped by enrollment);
// both views list them, and the Factors API still refuses another push.
func TestFactorsFixtureOktaVerifyEnrollments(t *testing.T) {
	fx, err := fixtures.Load("identity-default")
	if err != nil {
		t.Fatal(err)
	}
	for i := range fx.Users {
		if fx.Users[i].ID != fxAlice {
			continue
		}
		for _, dev := range []string{"phone", "tablet"} {
			for _, typ := range []string{"push", "token:software:totp", "signed_nonce"} {
				f := fixtures.Factor{Type: typ, Provider: "OKTA", Enrollment: "pfd" + dev,
					Profile: map[string]any{"name": dev, "platform": "IOS"}}
				if typ == "token:software:totp" {
					f.Secret, f.Profile = "JBSWY3DPEHPK3PXP", nil
				}
				fx.Users[i].Factors = append(fx.Users[i].Factors, f)
			}
		}
	}
	s := emulatortest.NewServer(t, emulatortest.WithOptions(emulator.Options{Engine: emulator.Identity, Seed: fx}))
	a := &fapi{t: t, s: s}
	var es []struct {
		ID      string         `json:"id"`
		Key     string         `json:"key"`
		Profile map[string]any `json:"profile"`
	}
	a.must(200, "GET", "/api/v1/users/"+fxAlice+"/authenticator-enrollments", "", &es)
	var devices []string
	for _, e := range es {
		if e.Key == "okta_verify" {
			devices = append(devices, e.ID+"="+fmt.Sprint(e.Profile["deviceName"]))
		}
	}
	if diff := cmp.Diff([]string{"pfdphone=phone", "pfdtablet=tablet"}, devices); diff != "" {
		t.Fatalf("okta_verify enrollments (-want +got):\n%s", diff)
	}
	pushes := 0
	for _, f := range a.factors(fxAlice) {
		if f.FactorType == "push" {
			pushes++
		}
	}
	if pushes != 2 {
		t.Fatalf("%d push factors, want 2", pushes)
	}
	a.wantErr(400, "E0000001", "POST", "/api/v1/users/"+fxAlice+"/factors", `{"factorType":"push","provider":"OKTA"}`,
		"Maximum number of enrollments reached for factorType push.")
}

// TestFactorsDeprovisionedUser: a deactivated user's factors cannot be
// enrolled or unenrolled (403 E0000038, SPEC26; code suggested).
func TestFactorsDeprovisionedUser(t *testing.T) {
	fxEngines(t, func(t *testing.T, e emulator.Engine) {
		a := factorServer(t, e, false)
		a.must(200, "POST", "/api/v1/users/"+fxBob+"/lifecycle/deactivate", "", nil)
		a.wantErr(403, "E0000038", "DELETE", "/api/v1/users/"+fxBob+"/factors/ostfbob0000000000000", "")
		a.wantErr(403, "E0000038", "POST", "/api/v1/users/"+fxBob+"/factors", `{"factorType":"question","provider":"OKTA","profile":{"question":"first_award","answer":"spelling bee"}}`)
	})
}

// fxQR fetches a QR code link: a 200x200 PNG.
func fxQR(t *testing.T, a *fapi, href string) {
	t.Helper()
	req, _ := http.NewRequest("GET", href, nil)
	req.Header.Set("Authorization", "SSWS "+a.s.Token)
	resp, err := a.s.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/png" {
		t.Fatalf("GET %s: %d %s", href, resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	img, err := png.Decode(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != 200 || b.Dy() != 200 {
		t.Fatalf("QR code %v", b)
	}
}
