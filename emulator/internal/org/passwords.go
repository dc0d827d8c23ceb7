package org

import (
	"fmt"
	"reflect"
	"strings"
	"time"
	"unicode"

	"github.com/oktaemu/oktaemu/emulator/internal/okta"
)

// PasswordPolicy is the typed view of a PASSWORD policy's settings that
// authentication needs (policy settings.password.{complexity,age,lockout}).
type PasswordPolicy struct {
	MinLength         int
	MinLowerCase      int
	MinUpperCase      int
	MinNumber         int
	MinSymbol         int
	ExcludeUsername   bool
	ExcludeAttributes []string
	MaxAgeDays        int
	ExpireWarnDays    int
	MinAgeMinutes     int
	HistoryCount      int
	MaxAttempts       int
	AutoUnlockMinutes int
	ShowLockout       bool
	// Settings is the raw settings object (recovery factors and the rest).
	Settings map[string]any
}

// defaultPasswordPolicy is Okta's out-of-the-box policy, used when an org has
// no PASSWORD policy at all.
var defaultPasswordPolicy = PasswordPolicy{MinLength: 8, MinLowerCase: 1, MinUpperCase: 1, MinNumber: 1,
	ExcludeUsername: true, MaxAttempts: 10}

// ParsePasswordPolicy reads a PASSWORD policy's settings.
func ParsePasswordPolicy(settings map[string]any) PasswordPolicy {
	d := defaultPasswordPolicy
	p := PasswordPolicy{
		MinLength:         LookupInt(settings, d.MinLength, "password", "complexity", "minLength"),
		MinLowerCase:      LookupInt(settings, d.MinLowerCase, "password", "complexity", "minLowerCase"),
		MinUpperCase:      LookupInt(settings, d.MinUpperCase, "password", "complexity", "minUpperCase"),
		MinNumber:         LookupInt(settings, d.MinNumber, "password", "complexity", "minNumber"),
		MinSymbol:         LookupInt(settings, d.MinSymbol, "password", "complexity", "minSymbol"),
		ExcludeUsername:   LookupBool(settings, d.ExcludeUsername, "password", "complexity", "excludeUsername"),
		MaxAgeDays:        LookupInt(settings, 0, "password", "age", "maxAgeDays"),
		ExpireWarnDays:    LookupInt(settings, 0, "password", "age", "expireWarnDays"),
		MinAgeMinutes:     LookupInt(settings, 0, "password", "age", "minAgeMinutes"),
		HistoryCount:      LookupInt(settings, 0, "password", "age", "historyCount"),
		MaxAttempts:       LookupInt(settings, d.MaxAttempts, "password", "lockout", "maxAttempts"),
		AutoUnlockMinutes: LookupInt(settings, 0, "password", "lockout", "autoUnlockMinutes"),
		ShowLockout:       LookupBool(settings, false, "password", "lockout", "showLockoutFailures"),
		Settings:          settings,
	}
	if v, ok := Lookup(settings, "password", "complexity", "excludeAttributes"); ok {
		if list, ok := v.([]any); ok {
			for _, a := range list {
				if s, ok := a.(string); ok {
					p.ExcludeAttributes = append(p.ExcludeAttributes, s)
				}
			}
		}
	}
	return p
}

// PasswordPolicyFor returns the password policy that applies to user uid.
func (o *Org) PasswordPolicyFor(uid string) PasswordPolicy {
	o.mu.RLock()
	defer o.mu.RUnlock()
	return o.passwordPolicyFor(uid)
}

func (o *Org) passwordPolicyFor(uid string) PasswordPolicy {
	p, _, ok := o.effectivePolicyRef(okta.PolicyPassword, uid)
	if !ok {
		return defaultPasswordPolicy
	}
	// Parsed once per stored policy: a sign-in reads it twice. Stored
	// policies get new settings maps when they change (putPolicy), so the
	// map's identity tells a stale entry.
	if v, ok := o.parsedPasswords.Load(p); ok {
		if c := v.(parsedPassword); sameMap(c.settings, p.Settings) {
			return c.policy
		}
	}
	pp := ParsePasswordPolicy(p.Settings)
	if o.parsedCount.Add(1) > 256 {
		o.parsedPasswords.Clear()
		o.parsedCount.Store(0)
	}
	o.parsedPasswords.Store(p, parsedPassword{settings: p.Settings, policy: pp})
	return pp
}

// parsedPassword is a cached ParsePasswordPolicy of one stored policy.
type parsedPassword struct {
	settings map[string]any // the map it was parsed from
	policy   PasswordPolicy
}

func sameMap(a, b map[string]any) bool {
	return reflect.ValueOf(a).UnsafePointer() == reflect.ValueOf(b).UnsafePointer()
}

// Requirements is the policy's requirement list in Okta's wording and order
// (authn.md §5.3), e.g. "at least 8 characters, a lowercase letter, …".
func (p PasswordPolicy) Requirements() string {
	var r []string
	if p.MinLength > 0 {
		r = append(r, fmt.Sprintf("at least %d characters", p.MinLength))
	}
	if p.MinLowerCase > 0 {
		r = append(r, "a lowercase letter")
	}
	if p.MinUpperCase > 0 {
		r = append(r, "an uppercase letter")
	}
	if p.MinNumber > 0 {
		r = append(r, "a number")
	}
	if p.MinSymbol > 0 {
		r = append(r, "a symbol")
	}
	if p.ExcludeUsername {
		r = append(r, "no parts of your username")
	}
	for _, a := range p.ExcludeAttributes {
		switch a {
		case "firstName":
			r = append(r, "does not include your first name")
		case "lastName":
			r = append(r, "does not include your last name")
		}
	}
	s := strings.Join(r, ", ") + "."
	if p.HistoryCount > 0 {
		s += fmt.Sprintf(" Your password cannot be any of your last %d passwords.", p.HistoryCount)
	}
	return s
}

// RequirementsNotMet is the cause text Okta gives for a password the policy
// refuses.
func (p PasswordPolicy) RequirementsNotMet() string {
	return "Password requirements were not met. Password requirements: " + p.Requirements()
}

// Check reports whether password satisfies the complexity rules for u.
func (p PasswordPolicy) Check(u *User, password string) bool {
	var lower, upper, number, symbol int
	for _, r := range password {
		switch {
		case unicode.IsLower(r):
			lower++
		case unicode.IsUpper(r):
			upper++
		case unicode.IsDigit(r):
			number++
		default:
			symbol++
		}
	}
	if len([]rune(password)) < p.MinLength || lower < p.MinLowerCase || upper < p.MinUpperCase ||
		number < p.MinNumber || symbol < p.MinSymbol {
		return false
	}
	lp := strings.ToLower(password)
	if p.ExcludeUsername && u != nil {
		// Okta refuses any part of the login (split on . , - _ # @) of 3 or
		// more characters.
		for _, part := range strings.FieldsFunc(strings.ToLower(u.Login()), func(r rune) bool { return strings.ContainsRune(".,-_#@", r) }) {
			if len(part) >= 3 && strings.Contains(lp, part) {
				return false
			}
		}
	}
	for _, a := range p.ExcludeAttributes {
		if u == nil {
			continue
		}
		if v, _ := u.Profile[a].(string); len(v) >= 3 && strings.Contains(lp, strings.ToLower(v)) {
			return false
		}
	}
	return true
}

// checkPasswordPolicy validates a new password for u as the Users API does:
// 400 E0000001 "Api validation failed: password" with the requirements.
func (o *Org) checkPasswordPolicy(u *User, password string) error {
	p := o.passwordPolicyFor(u.ID)
	if !p.Check(u, password) {
		return okta.Validation("password", "password: "+p.RequirementsNotMet())
	}
	return nil
}

// PasswordExpired reports whether the password of u has outlived the
// policy's maxAgeDays at now, and how many days remain before it does.
func (p PasswordPolicy) PasswordExpired(changed, now time.Time) (expired bool, daysLeft int) {
	if p.MaxAgeDays <= 0 || changed.IsZero() {
		return false, -1
	}
	expiry := changed.Add(time.Duration(p.MaxAgeDays) * 24 * time.Hour)
	if !now.Before(expiry) {
		return true, 0
	}
	return false, int(expiry.Sub(now).Hours() / 24)
}
