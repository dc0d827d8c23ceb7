package org

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/oktaemu/oktaemu/emulator/internal/okta"
	"github.com/oktaemu/oktaemu/fixtures"
)

var spEpoch = time.Date(2026, 1, 15, 10, 0, 0, 0, time.UTC)

func seedDefault(t *testing.T, e okta.Engine) *Org {
	t.Helper()
	fx, err := fixtures.Load(string(e) + "-default")
	if err != nil {
		t.Fatal(err)
	}
	o, err := Seed(fx, Options{Name: "t", Engine: e, Clock: NewFrozenClock(spEpoch)})
	if err != nil {
		t.Fatal(err)
	}
	return o
}

const (
	spAlice = "00ualice000000000000"
	spBob   = "00ubob00000000000000"
)

// TestMFAEnrollmentForBothSchemas: the reader answers in both vocabularies
// whatever schema the default policy uses.
func TestMFAEnrollmentForBothSchemas(t *testing.T) {
	classic := seedDefault(t, okta.Classic).MFAEnrollmentFor(spAlice)
	if classic.Schema != "factors" || classic.PolicyID != "00pmfaenrolldefault0" || classic.Action != "CHALLENGE" {
		t.Errorf("classic = %+v", classic)
	}
	// okta_sms OPTIONAL and okta_call NOT_ALLOWED merge to phone_number OPTIONAL.
	if got := classic.Authenticators["phone_number"]; got != "OPTIONAL" {
		t.Errorf("classic phone_number = %q", got)
	}
	if !classic.Allowed(okta.FactorSMS, "OKTA") || classic.Allowed(okta.FactorCall, "OKTA") || classic.Allowed(okta.FactorHOTP, "CUSTOM") {
		t.Errorf("classic requirements: %v", classic.Factors)
	}

	ie := seedDefault(t, okta.Identity).MFAEnrollmentFor(spAlice)
	want := map[string]string{"okta_password": "REQUIRED", "okta_email": "REQUIRED", "okta_otp": "OPTIONAL", "okta_push": "OPTIONAL",
		"google_otp": "OPTIONAL", "okta_sms": "OPTIONAL", "okta_call": "OPTIONAL", "okta_question": "OPTIONAL"}
	if diff := cmp.Diff(want, ie.Factors); diff != "" || ie.Schema != "authenticators" {
		t.Errorf("identity factors (-want +got)\n%s", diff)
	}
	if ie.Requirement(okta.FactorPush, "OKTA") != "OPTIONAL" || ie.Requirement(okta.FactorEmail, "OKTA") != "REQUIRED" {
		t.Errorf("identity requirements: %v", ie.Factors)
	}
}

func TestReadersWithoutPolicies(t *testing.T) {
	o := New(Options{Engine: okta.Classic, Clock: NewFrozenClock(spEpoch)})
	e := o.MFAEnrollmentFor("00unobody")
	if e.PolicyID != "" || !e.Allowed(okta.FactorSMS, "OKTA") || e.Requirement(okta.FactorTOTP, "GOOGLE") != "OPTIONAL" || e.Factors["okta_password"] != "" {
		t.Errorf("no MFA_ENROLL policy: %+v", e)
	}
	if s := o.SignOnFor("00unobody"); s.RequireFactor || s.Access != "ALLOW" || s.MaxSessionIdle != DefaultSessionIdle {
		t.Errorf("no sign-on policy: %+v", s)
	}
}

func TestSignOnAndRecoveryReaders(t *testing.T) {
	o := seedDefault(t, okta.Classic)
	bob, alice := o.SignOnFor(spBob), o.SignOnFor(spAlice)
	if !bob.RequireFactor || bob.RuleID != "0prsignonmfa00000000" || bob.MaxSessionIdle != 2*time.Hour {
		t.Errorf("bob = %+v", bob)
	}
	if alice.RequireFactor || alice.RuleID != "0prsignondefault0000" || alice.Access != "ALLOW" {
		t.Errorf("alice = %+v", alice)
	}
	rec := o.PasswordRecoveryFor(spAlice, false)
	want := PasswordRecovery{PolicyID: "00ppassworddefault00", RuleID: "0prpassworddefault00", QuestionActive: true, QuestionMinLength: 4,
		EmailActive: true, EmailTokenLifetime: time.Hour, SMSActive: true, CallActive: false,
		ResetAccess: "ALLOW", UnlockAccess: "ALLOW", ChangeAccess: "ALLOW"}
	if diff := cmp.Diff(want, rec); diff != "" {
		t.Errorf("recovery (-want +got)\n%s", diff)
	}

	// A rule-level requirement (Identity Engine, row 32) is read only when
	// asked for.
	p, _ := o.Policy("00ppassworddefault00")
	p.Rules[0].Actions["selfServicePasswordReset"] = map[string]any{"access": "ALLOW", "requirement": map[string]any{
		"primary": map[string]any{"methods": []any{"EMAIL", "otp"},
			"methodConstraints": []any{map[string]any{"method": "otp", "allowedAuthenticators": []any{map[string]any{"key": "google_otp"}}}}},
		"stepUp": map[string]any{"required": true, "methods": []any{"security_question"}}}}
	o.PutPolicy(p)
	if got := o.PasswordRecoveryFor(spAlice, false); got.RuleRequirement || got.Methods != nil {
		t.Errorf("Classic read the rule requirement: %+v", got)
	}
	got := o.PasswordRecoveryFor(spAlice, true)
	if !got.RuleRequirement || !cmp.Equal(got.Methods, []string{"email", "otp"}) || !cmp.Equal(got.OTPAuthenticators, []string{"google_otp"}) ||
		!got.StepUpRequired || !cmp.Equal(got.StepUpMethods, []string{"security_question"}) {
		t.Errorf("rule requirement = %+v", got)
	}
}

func TestSessionLifecycle(t *testing.T) {
	o := seedDefault(t, okta.Classic)
	// A sign-on rule with a 3-hour idle time capped at 4 hours in all.
	p, _ := o.Policy("00psignondefault0000")
	p.Rules = append(p.Rules, Rule{Name: "capped", Priority: 1, Actions: map[string]any{"signon": map[string]any{"access": "ALLOW",
		"session": map[string]any{"maxSessionIdleMinutes": 180, "maxSessionLifetimeMinutes": 240}}}})
	p.Rules[0].Priority, p.Rules[1].Priority = 2, 3
	o.PutPolicy(p)

	tok, err := o.IssueSessionToken(SessionGrant{UserID: spAlice, AMR: []string{"pwd"}, PasswordVerified: spEpoch})
	if err != nil {
		t.Fatal(err)
	}
	s, err := o.CreateSessionFromToken(tok)
	if err != nil {
		t.Fatal(err)
	}
	if !s.ExpiresAt.Equal(spEpoch.Add(3*time.Hour)) || s.Cookie != CookieSID || s.Login != "alice@example.com" {
		t.Errorf("session = %+v", s)
	}
	if _, err := o.CreateSessionFromToken(tok); !okta.Is(err, okta.E0000004) {
		t.Errorf("second redemption: %v", err)
	}
	o.Clock().Advance(2 * time.Hour)
	r, err := o.RefreshSession(s.ID)
	if err != nil || !r.ExpiresAt.Equal(spEpoch.Add(4*time.Hour)) { // capped by the lifetime
		t.Errorf("refresh: %v %v", r.ExpiresAt, err)
	}

	ct, err := o.IssueCookieToken(s.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := o.RedeemCookieToken(ct); err != nil || got.ID != s.ID {
		t.Errorf("cookieToken: %v %v", got.ID, err)
	}
	if _, err := o.RedeemCookieToken(ct); !okta.Is(err, okta.E0000004) {
		t.Errorf("second cookieToken redemption: %v", err)
	}

	o.Clock().Advance(2 * time.Hour)
	if _, err := o.Session(s.ID); !okta.Is(err, okta.E0000007) {
		t.Errorf("after the lifetime: %v", err)
	}
}

func TestEndUserSessionsForgetsDevices(t *testing.T) {
	o := seedDefault(t, okta.Identity)
	o.mu.Lock()
	o.authnInit()
	o.authn.remembered[spBob+"\x00cookie:a"] = time.Time{}
	o.authn.remembered[spAlice+"\x00cookie:b"] = time.Time{}
	o.mu.Unlock()
	tok, _ := o.IssueSessionToken(SessionGrant{UserID: spBob, PasswordVerified: spEpoch})
	s, err := o.CreateSessionFromToken(tok)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"pwd"}, s.AMR); diff != "" {
		t.Errorf("amr (-want +got)\n%s", diff)
	}
	if err := o.EndUserSessions(spBob, false); err != nil {
		t.Fatal(err)
	}
	if _, err := o.Session(s.ID); !okta.Is(err, okta.E0000007) || len(o.authn.remembered) != 2 || !o.DevicesForgottenAt(spBob).IsZero() {
		t.Errorf("forgetDevices=false: session err %v, remembered %v", err, o.authn.remembered)
	}
	if err := o.EndUserSessions("bob@example.com", true); err != nil {
		t.Fatal(err)
	}
	if _, still := o.authn.remembered[spAlice+"\x00cookie:b"]; !still || len(o.authn.remembered) != 1 || !o.DevicesForgottenAt(spBob).Equal(spEpoch) {
		t.Errorf("forgetDevices=true: remembered %v", o.authn.remembered)
	}
	if err := o.EndUserSessions("nobody", true); !okta.Is(err, okta.E0000007) {
		t.Errorf("unknown user: %v", err)
	}
}

func TestPolicyAdminPriorities(t *testing.T) {
	o := seedDefault(t, okta.Classic)
	opts := PolicyOptions{Types: []okta.PolicyType{okta.PolicyPassword, okta.PolicyMFAEnroll}}
	a, err := o.CreatePolicy(Policy{Type: okta.PolicyPassword, Name: "A"}, true, opts)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := o.CreatePolicy(Policy{Type: okta.PolicyPassword, Name: "B", Priority: 1}, true, opts)
	order := func() []string {
		var out []string
		for _, p := range o.Policies(okta.PolicyPassword) {
			out = append(out, p.Name+"@"+string(rune('0'+p.Priority)))
		}
		return out
	}
	if diff := cmp.Diff([]string{"B@1", "A@2", "Default Policy@3"}, order()); diff != "" {
		t.Errorf("after insert at 1 (-want +got)\n%s", diff)
	}
	if _, err := o.ReplacePolicy(a.ID, Policy{Name: "A", Priority: 1}, opts); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"A@1", "B@2", "Default Policy@3"}, order()); diff != "" {
		t.Errorf("after move (-want +got)\n%s", diff)
	}
	if err := o.DeletePolicy(a.ID); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"B@1", "Default Policy@2"}, order()); diff != "" {
		t.Errorf("after delete (-want +got)\n%s", diff)
	}
	if _, err := o.ReplacePolicy(b.ID, Policy{Type: okta.PolicyMFAEnroll, Name: "B"}, opts); !okta.Is(err, okta.E0000001) {
		t.Errorf("type change: %v", err)
	}
	if _, err := o.CreatePolicy(Policy{Type: okta.PolicySignOn, Name: "S"}, true, opts); !okta.Is(err, okta.E0000002) {
		t.Errorf("type not offered: %v", err)
	}
}

// appliesTo reads people.groups include/exclude as groupsCondition lists
// them: a missing or empty include list means everyone.
func TestAppliesToGroupConditions(t *testing.T) {
	o := New(Options{IDSeed: 5})
	u, err := o.CreateUser(NewUser{Activate: true, Profile: map[string]any{"login": "g@example.com", "email": "g@example.com", "firstName": "G", "lastName": "H"}})
	if err != nil {
		t.Fatal(err)
	}
	in, err := o.CreateGroup("", "in", "")
	if err != nil {
		t.Fatal(err)
	}
	if err := o.AddGroupMember(in.ID, u.ID); err != nil {
		t.Fatal(err)
	}
	groups := func(kv ...any) map[string]any {
		g := map[string]any{}
		for i := 0; i < len(kv); i += 2 {
			g[kv[i].(string)] = kv[i+1]
		}
		return map[string]any{"people": map[string]any{"groups": g}}
	}
	for _, tc := range []struct {
		name string
		cond map[string]any
		want bool
	}{
		{"no conditions", nil, true},
		{"empty include", groups("include", []any{}), true},
		{"include names the group", groups("include", []any{in.ID}), true},
		{"include names another group", groups("include", []any{"00gother"}), false},
		{"include as []string", groups("include", []string{in.ID}), true},
		{"exclude names the group", groups("include", []any{in.ID}, "exclude", []any{in.ID}), false},
		{"exclude names another group", groups("exclude", []any{"00gother"}), true},
		{"include not a list", groups("include", "oops"), true},
	} {
		o.mu.RLock()
		got := o.appliesTo(tc.cond, u.ID)
		o.mu.RUnlock()
		if got != tc.want {
			t.Errorf("%s: appliesTo = %v, want %v", tc.name, got, tc.want)
		}
	}
}

// TestSignOnCacheFollowsChanges: signOnFor caches a user's sign-on settings
// in shared mode; a change of membership or of a rule (made under the
// write lock) is seen by the next read.
func TestSignOnCacheFollowsChanges(t *testing.T) {
	o := seedDefault(t, okta.Classic)
	if s := o.SignOnFor(spAlice); s.RequireFactor {
		t.Fatalf("alice before = %+v", s)
	}
	if s := o.SignOnFor(spAlice); s.RequireFactor || s.RuleID != "0prsignondefault0000" {
		t.Fatalf("alice read again = %+v", s)
	}
	if err := o.AddGroupMember("00gmfarequired000000", spAlice); err != nil {
		t.Fatal(err)
	}
	if s := o.SignOnFor(spAlice); !s.RequireFactor || s.RuleID != "0prsignonmfa00000000" {
		t.Errorf("alice in mfa-required = %+v", s)
	}
	p, err := o.Policy("00psignondefault0000")
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range p.Rules {
		if r.ID == "0prsignonmfa00000000" {
			p.Rules[i].Actions = map[string]any{"signon": map[string]any{"access": "DENY"}}
		}
	}
	o.PutPolicy(p)
	if s := o.SignOnFor(spAlice); s.Access != "DENY" || s.RequireFactor {
		t.Errorf("after the rule denies = %+v", s)
	}
}

// TestOrgLockGenerations: a writer makes the generation odd while it holds
// the lock (no caching) and moves it on when it lets go.
func TestOrgLockGenerations(t *testing.T) {
	var l orgLock
	g0, ok := l.cacheGen()
	if !ok {
		t.Fatal("fresh lock: no caching")
	}
	l.Lock()
	if _, ok := l.cacheGen(); ok {
		t.Error("writer holding the lock may cache")
	}
	l.Unlock()
	l.RLock()
	g1, ok := l.cacheGen()
	l.RUnlock()
	if !ok || g1 == g0 {
		t.Errorf("after a writer: generation %d (was %d), cache %v", g1, g0, ok)
	}
}

// TestEnrollCacheFollowsChanges: enrollStateOf caches what enrollNeeded
// reads in shared mode; a policy change (under the write lock) is seen by
// the next shared read, and the write lock's holder never reads the cache.
func TestEnrollCacheFollowsChanges(t *testing.T) {
	o := seedDefault(t, okta.Classic)
	shared := func() enrollState {
		o.mu.RLock()
		defer o.mu.RUnlock()
		return o.enrollStateOf(o.users[spAlice])
	}
	before := shared()
	if before.requiredMissing || before.action != "CHALLENGE" || before.options == 0 {
		t.Fatalf("before = %+v", before)
	}
	if again := shared(); again != before {
		t.Fatalf("read again = %+v, want %+v", again, before)
	}
	p, err := o.Policy("00pmfaenrolldefault0")
	if err != nil {
		t.Fatal(err)
	}
	p.Settings["factors"].(map[string]any)["okta_question"] = map[string]any{"enroll": map[string]any{"self": "REQUIRED"}}
	p.Rules[0].Actions = map[string]any{"enroll": map[string]any{"self": "LOGIN"}}
	o.PutPolicy(p)
	after := shared()
	if !after.requiredMissing || after.action != "LOGIN" { // alice holds no question factor
		t.Errorf("after the policy requires a question and LOGIN = %+v", after)
	}
	o.mu.Lock()
	o.users[spAlice].enroll.Store(&memo[enrollState]{gen: o.mu.gen.Load(), v: enrollState{action: "stale"}})
	if e := o.enrollStateOf(o.users[spAlice]); e.action != "LOGIN" {
		t.Errorf("the writer read the cache: %+v", e)
	}
	o.mu.Unlock()
}
