package org

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/oktaemu/oktaemu/emulator/internal/okta"
)

func TestParseExprMatches(t *testing.T) {
	u := &User{ID: "00u1", Status: okta.UserActive, LastUpdated: time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC),
		Profile: map[string]any{"login": "Ann@Example.com", "lastName": "Smith", "age": 42.0, "vip": true}}
	tests := []struct {
		expr string
		want bool
	}{
		{`status eq "ACTIVE"`, true},
		{`status eq "STAGED"`, false},
		{`profile.login eq "ann@example.com"`, true},
		{`profile.lastName sw "Sm"`, true},
		{`profile.lastName sw "Jo"`, false},
		{`lastUpdated gt "2026-01-01T00:00:00.000Z"`, true},
		{`lastUpdated lt "2026-01-01T00:00:00.000Z"`, false},
		{`profile.age ge 42`, true},
		{`profile.vip eq true`, true},
		{`profile.missing pr`, false},
		{`profile.lastName pr`, true},
		{`status eq "STAGED" or profile.lastName eq "smith"`, true},
		{`status eq "ACTIVE" and (profile.lastName eq "x" or profile.age lt 50)`, true},
		{`not (status eq "ACTIVE")`, false},
	}
	for _, tt := range tests {
		e, err := ParseExpr(tt.expr)
		if err != nil {
			t.Fatalf("ParseExpr(%q): %v", tt.expr, err)
		}
		if got := e.match(userAttr(u)); got != tt.want {
			t.Errorf("%q matched %v, want %v", tt.expr, got, tt.want)
		}
	}
}

func TestParseExprErrors(t *testing.T) {
	for _, s := range []string{``, `status`, `status eq`, `status zz "x"`, `(status eq "x"`, `status eq "x" and`, `status eq "unterminated`, `"x" eq status`} {
		_, err := ParseExpr(s)
		if !okta.Is(err, okta.E0000031) {
			t.Errorf("ParseExpr(%q) = %v, want E0000031", s, err)
		}
	}
}

func TestPasswordPolicy(t *testing.T) {
	p := ParsePasswordPolicy(map[string]any{"password": map[string]any{
		"complexity": map[string]any{"minLength": 10.0, "minSymbol": 1.0, "excludeAttributes": []any{"firstName"}},
		"age":        map[string]any{"historyCount": 4.0, "maxAgeDays": 90.0},
	}})
	want := "Password requirements were not met. Password requirements: at least 10 characters, a lowercase letter, " +
		"an uppercase letter, a number, a symbol, no parts of your username, does not include your first name. " +
		"Your password cannot be any of your last 4 passwords."
	if diff := cmp.Diff(want, p.RequirementsNotMet()); diff != "" {
		t.Errorf("requirements (-want +got):\n%s", diff)
	}
	u := &User{Profile: map[string]any{"login": "jdoe@example.com", "firstName": "Jonathan"}}
	for pw, ok := range map[string]bool{
		"Abcdefgh1!":       true,
		"Abcdefgh1":        false, // no symbol
		"abcdefgh1!":       false, // no upper case
		"Ab1!":             false, // too short
		"Jdoe-Secret1!":    false, // part of the username
		"Jonathan-Secret1": false, // first name
		"Ümlauts-Pass1":    true,
	} {
		if got := p.Check(u, pw); got != ok {
			t.Errorf("Check(%q) = %v, want %v", pw, got, ok)
		}
	}
	changed := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	if exp, left := p.PasswordExpired(changed, changed.Add(80*24*time.Hour)); exp || left != 10 {
		t.Errorf("day 80: expired=%v left=%d, want false 10", exp, left)
	}
	if exp, _ := p.PasswordExpired(changed, changed.Add(90*24*time.Hour)); !exp {
		t.Errorf("day 90: not expired")
	}
}

func TestClock(t *testing.T) {
	start := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	c := NewFrozenClock(start)
	c.Advance(90 * time.Second)
	if got := c.Now(); !got.Equal(start.Add(90 * time.Second)) {
		t.Errorf("frozen+advance = %v", got)
	}
	base := start
	w := NewClock(func() time.Time { return base })
	w.Set(start.Add(time.Hour))
	base = base.Add(time.Minute)
	if got := w.Now(); !got.Equal(start.Add(time.Hour + time.Minute)) {
		t.Errorf("offset clock = %v, want it to keep running from the set time", got)
	}
}

func TestIDsAreSeededAndShaped(t *testing.T) {
	a, b := NewIDs(42), NewIDs(42)
	for range 5 {
		x, y := a.New(PrefixUser), b.New(PrefixUser)
		if x != y {
			t.Fatalf("same seed gave %s and %s", x, y)
		}
		if len(x) != 20 || x[:3] != "00u" {
			t.Fatalf("id %q: want 20 characters starting 00u", x)
		}
	}
	if NewIDs(1).New(PrefixUser) == NewIDs(2).New(PrefixUser) {
		t.Error("different seeds gave the same id")
	}
	if e := a.ErrorID(); len(e) != 25 || e[:3] != "oae" {
		t.Errorf("errorId %q", e)
	}
}

func TestSecretsAreNotStoredInClear(t *testing.T) {
	o := New(Options{IDSeed: 3})
	u, err := o.CreateUser(NewUser{Activate: true, Password: "Sup3r-Secret", RecoveryQuestion: "Favourite food?", RecoveryAnswer: "pizza napoletana",
		Profile: map[string]any{"login": "s@example.com", "email": "s@example.com", "firstName": "S", "lastName": "T"}})
	if err != nil {
		t.Fatal(err)
	}
	rec := o.users[u.ID]
	if string(rec.password.sum) == "Sup3r-Secret" || !o.matches(rec.password, "Sup3r-Secret") || o.matches(rec.password, "sup3r-secret") {
		t.Error("password digest does not behave")
	}
	if !o.matches(rec.recoveryAnswer, normalizeAnswer("  Pizza Napoletana ")) {
		t.Error("recovery answer is not matched case-insensitively")
	}
	o.AddAPIToken("t", "00tok")
	if _, ok := o.CheckAPIToken("00tok"); !ok {
		t.Error("token not accepted")
	}
	if _, ok := o.CheckAPIToken("00tok "); ok {
		t.Error("wrong token accepted")
	}
	// The last token found is remembered; other tokens are still looked up.
	for _, tok := range []string{"00tok", "00tok", "00other", "00tok"} {
		if got, ok := o.CheckAPIToken(tok); ok != (tok == "00tok") || (ok && got.Name != "t") {
			t.Errorf("CheckAPIToken(%q) = %+v, %v", tok, got, ok)
		}
	}
	o.AddAPIToken("other", "00other")
	if got, ok := o.CheckAPIToken("00other"); !ok || got.Name != "other" {
		t.Errorf("token added after a remembered one: %+v, %v", got, ok)
	}
}

func TestUserLifecycle(t *testing.T) {
	o := New(Options{IDSeed: 4})
	u, err := o.CreateUser(NewUser{Profile: map[string]any{"login": "l@example.com", "email": "l@example.com", "firstName": "L", "lastName": "C"}})
	if err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		name string
		op   func() (okta.UserStatus, error)
		want okta.UserStatus
		code okta.Code
	}{
		{"staged suspend refused", func() (okta.UserStatus, error) { x, err := o.SuspendUser(u.ID); return x.Status, err }, "", okta.E0000038},
		{"activate without password", func() (okta.UserStatus, error) { r, err := o.ActivateUser(u.ID, false); return r.User.Status, err }, okta.UserProvisioned, ""},
		{"set password", func() (okta.UserStatus, error) {
			pw := "Abcdefgh1"
			x, err := o.UpdateUser(u.ID, UserUpdate{Password: &pw})
			return x.Status, err
		}, okta.UserProvisioned, ""},
		{"deactivate", func() (okta.UserStatus, error) { x, err := o.DeactivateUser(u.ID); return x.Status, err }, okta.UserDeprovisioned, ""},
		{"reactivate with password", func() (okta.UserStatus, error) { r, err := o.ActivateUser(u.ID, true); return r.User.Status, err }, okta.UserActive, ""},
		{"activate active refused", func() (okta.UserStatus, error) { r, err := o.ActivateUser(u.ID, true); return r.User.Status, err }, "", okta.E0000016},
		{"suspend", func() (okta.UserStatus, error) { x, err := o.SuspendUser(u.ID); return x.Status, err }, okta.UserSuspended, ""},
		{"unlock refused", func() (okta.UserStatus, error) { x, err := o.UnlockUser(u.ID); return x.Status, err }, "", okta.E0000032},
		{"unsuspend", func() (okta.UserStatus, error) { x, err := o.UnsuspendUser(u.ID); return x.Status, err }, okta.UserActive, ""},
		{"expire password", func() (okta.UserStatus, error) { x, err := o.ExpirePassword(u.ID); return x.Status, err }, okta.UserPasswordExpired, ""},
		{"reset password", func() (okta.UserStatus, error) { r, err := o.ResetPassword(u.ID, false); return r.User.Status, err }, okta.UserRecovery, ""},
	}
	for _, s := range steps {
		got, err := s.op()
		if s.code != "" {
			if !okta.Is(err, s.code) {
				t.Errorf("%s: err %v, want %s", s.name, err, s.code)
			}
			continue
		}
		if err != nil || got != s.want {
			t.Errorf("%s: %s %v, want %s", s.name, got, err, s.want)
		}
	}
	if gone, err := o.DeleteUser(u.ID); gone || err != nil {
		t.Errorf("first delete: gone=%v err=%v, want deactivation", gone, err)
	}
	if gone, err := o.DeleteUser(u.ID); !gone || err != nil {
		t.Errorf("second delete: gone=%v err=%v, want deletion", gone, err)
	}
	if _, err := o.User("l@example.com"); !okta.Is(err, okta.E0000007) {
		t.Errorf("deleted user: %v, want E0000007", err)
	}
}

func TestUpdateUserRecoveryQuestion(t *testing.T) {
	ptr := func(s string) *string { return &s }
	cases := []struct {
		name      string
		in        UserUpdate
		wantErr   bool
		wantQ     string
		oldAnswer bool // the first answer still matches
	}{
		{"question read back without answer", UserUpdate{RecoveryQuestion: ptr("Favourite food?")}, false, "Favourite food?", true},
		{"new question without answer", UserUpdate{RecoveryQuestion: ptr("First pet?")}, true, "Favourite food?", true},
		{"new question and answer", UserUpdate{RecoveryQuestion: ptr("First pet?"), RecoveryAnswer: ptr("rex the dog")}, false, "First pet?", false},
		{"answer alone", UserUpdate{RecoveryAnswer: ptr("sushi rolls")}, false, "Favourite food?", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			o := New(Options{IDSeed: 3})
			u, err := o.CreateUser(NewUser{Activate: true, Password: "Sup3r-Secret", RecoveryQuestion: "Favourite food?", RecoveryAnswer: "pizza napoletana",
				Profile: map[string]any{"login": "s@example.com", "email": "s@example.com", "firstName": "S", "lastName": "T"}})
			if err != nil {
				t.Fatal(err)
			}
			_, err = o.UpdateUser(u.ID, tc.in)
			if (err != nil) != tc.wantErr {
				t.Fatalf("UpdateUser error = %v, want error %v", err, tc.wantErr)
			}
			rec := o.users[u.ID]
			got := []any{rec.recoveryQuestion, o.matches(rec.recoveryAnswer, normalizeAnswer("pizza napoletana"))}
			if diff := cmp.Diff([]any{tc.wantQ, tc.oldAnswer}, got); diff != "" {
				t.Errorf("question, old answer matches (-want +got):\n%s", diff)
			}
		})
	}
}
