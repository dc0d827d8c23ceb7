package org

import (
	"maps"
	"net/mail"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/oktaemu/oktaemu/emulator/internal/okta"
)

// User is a user as callers see it: a copy, with credentials reduced to what
// may be said about them (whether a password is set, the recovery question's
// text). Secrets stay inside the org.
type User struct {
	ID                    string
	Status                okta.UserStatus
	TransitioningToStatus okta.UserStatus
	Created               time.Time
	Activated             time.Time
	StatusChanged         time.Time
	LastLogin             time.Time
	LastUpdated           time.Time
	PasswordChanged       time.Time
	// Profile holds login, email, secondEmail, firstName, lastName,
	// mobilePhone and any custom attribute. It is shared with the org:
	// read it, do not modify it.
	Profile map[string]any
	// ProviderType is OKTA, or FEDERATION for users created with provider=true.
	ProviderType string
	HasPassword  bool
	// RecoveryQuestion is the forgot-password question's text, or "".
	RecoveryQuestion string
	// EmailVerified says the primary email is verified. Identity Engine
	// treats a verified primary email as an email authenticator enrollment.
	EmailVerified bool
	// GroupIDs lists the groups the user belongs to, Everyone included.
	GroupIDs []string
}

// Login is the user's profile.login.
func (u *User) Login() string { s, _ := u.Profile["login"].(string); return s }

// DisplayName is "firstName lastName" from the profile, trimmed.
func (u *User) DisplayName() string {
	first, _ := u.Profile["firstName"].(string)
	last, _ := u.Profile["lastName"].(string)
	return strings.TrimSpace(first + " " + last)
}

// Email is the user's profile.email.
func (u *User) Email() string { s, _ := u.Profile["email"].(string); return s }

// user is the stored record.
type user struct {
	User
	// signin serializes the sign-in steps that hold o.mu for reading on
	// this user: they change its failed-password count, LastLogin, its
	// factors' last TOTP step and LastUpdated, and its transactions
	// (signin.go).
	signin sync.Mutex
	// signOn and enroll cache signOnFor and enrollStateOf for this user
	// (cache.go).
	signOn           atomic.Pointer[memo[SignOn]]
	enroll           atomic.Pointer[memo[enrollState]]
	password         digest
	recoveryQuestion string
	recoveryAnswer   digest
	failedPasswords  int
	factors          []*factor
	// tokens maps one-time user tokens (activation, recovery) to their use.
	tokens map[string]userToken
}

// userToken is a one-time token minted for a user: an activation token or a
// password-recovery token.
type userToken struct {
	Kind      TokenKind
	ExpiresAt time.Time
}

// TokenKind says what a one-time user token was minted for.
type TokenKind string

// Kinds of one-time user tokens.
const (
	TokenActivation TokenKind = "activation"
	TokenRecovery   TokenKind = "recovery"
	TokenUnlock     TokenKind = "unlock"
)

func (u *user) view(o *Org) User {
	v := u.User // Profile is shared: UpdateUser replaces the map, never edits it
	v.HasPassword = u.password.set()
	v.RecoveryQuestion = u.recoveryQuestion
	v.GroupIDs = o.groupIDsOf(u.ID)
	return v
}

func (o *Org) groupIDsOf(uid string) []string {
	var ids []string
	for _, gid := range o.groupOrder {
		if o.groups[gid].members[uid] {
			ids = append(ids, gid)
		}
	}
	return ids
}

// NewUser is what creating a user takes.
type NewUser struct {
	Profile          map[string]any
	Password         string
	RecoveryQuestion string
	RecoveryAnswer   string
	// Activate creates the user ACTIVE (with a password) or PROVISIONED
	// (without); otherwise STAGED.
	Activate bool
	// Provider marks a federated user (credentials.provider FEDERATION):
	// active without a password.
	Provider bool
	GroupIDs []string
	// ID, Status and PasswordChanged are set by fixtures only.
	ID              string
	Status          okta.UserStatus
	PasswordChanged time.Time
	// NextLogin "changePassword" creates the user with an expired password.
	ExpirePassword bool
}

// Profile attributes Okta's default user schema requires.
var requiredProfile = []string{"login", "email", "firstName", "lastName"}

// baseStringAttributes are the string attributes of Okta's base user
// profile schema.
var baseStringAttributes = []string{"login", "email", "secondEmail", "firstName", "lastName", "middleName",
	"honorificPrefix", "honorificSuffix", "title", "displayName", "nickName", "profileUrl", "primaryPhone",
	"mobilePhone", "streetAddress", "city", "state", "zipCode", "countryCode", "postalAddress",
	"preferredLanguage", "locale", "timezone", "userType", "employeeNumber", "costCenter", "organization",
	"division", "department", "managerId", "manager"}

func validateProfile(p map[string]any) []string {
	var causes []string
	for _, k := range requiredProfile {
		if s, _ := p[k].(string); strings.TrimSpace(s) == "" {
			causes = append(causes, k+": The field cannot be left blank")
		}
	}
	for _, k := range []string{"email", "secondEmail"} {
		if s, ok := p[k].(string); ok && s != "" {
			if a, err := mail.ParseAddress(s); err != nil || a.Address != s {
				causes = append(causes, k+": Does not match required pattern")
			}
		}
	}
	for k, v := range p {
		switch v.(type) {
		case nil, string:
		case bool, float64, int, int64, []any, []string:
			// Okta's base profile attributes are strings; custom ones
			// may be other JSON types.
			if slices.Contains(baseStringAttributes, k) {
				causes = append(causes, k+": Property has an invalid type")
			}
		default:
			causes = append(causes, k+": Property has an invalid type")
		}
	}
	slices.Sort(causes)
	return causes
}

// CreateUser adds a user, as POST /api/v1/users does.
func (o *Org) CreateUser(in NewUser) (User, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.createUser(in)
}

func (o *Org) createUser(in NewUser) (User, error) {
	profile := maps.Clone(in.Profile)
	if profile == nil {
		profile = map[string]any{}
	}
	if causes := validateProfile(profile); len(causes) > 0 {
		return User{}, okta.Validation("login", causes...)
	}
	login := profile["login"].(string)
	if _, dup := o.usersByLogin[strings.ToLower(login)]; dup {
		return User{}, okta.Validation("login", "login: An object with this field already exists in the current organization")
	}
	for _, gid := range in.GroupIDs {
		if _, ok := o.groups[gid]; !ok {
			return User{}, okta.Validation("groupIds", "groupIds: Group "+gid+" does not exist")
		}
	}
	if in.RecoveryQuestion != "" || in.RecoveryAnswer != "" {
		if causes := checkRecoveryQuestion(in.RecoveryQuestion, in.RecoveryAnswer, in.Password); len(causes) > 0 {
			return User{}, okta.Validation("recovery_question", causes...)
		}
	}
	now := o.clock.Now()
	id := in.ID
	if id == "" {
		id = o.ids.New(PrefixUser)
	} else if _, dup := o.users[id]; dup {
		return User{}, okta.Validation("id", "id: An object with this field already exists in the current organization")
	}
	u := &user{User: User{ID: id, Created: now, LastUpdated: now, StatusChanged: now, Profile: profile, ProviderType: "OKTA"},
		tokens: map[string]userToken{}}
	if in.Password != "" {
		if err := o.checkPasswordPolicy(&u.User, in.Password); err != nil {
			return User{}, err
		}
		u.password = o.hash(in.Password)
		u.PasswordChanged = now
		if !in.PasswordChanged.IsZero() {
			u.PasswordChanged = in.PasswordChanged
		}
	}
	if in.RecoveryQuestion != "" {
		u.recoveryQuestion = in.RecoveryQuestion
		u.recoveryAnswer = o.hash(normalizeAnswer(in.RecoveryAnswer))
	}
	switch {
	case in.Status != "":
		u.Status = in.Status
	case in.Provider:
		u.ProviderType = "FEDERATION"
		u.Status = okta.UserActive
	case !in.Activate:
		u.Status = okta.UserStaged
	case u.password.set():
		u.Status = okta.UserActive
	default:
		u.Status = okta.UserProvisioned
	}
	if in.ExpirePassword && u.Status == okta.UserActive {
		u.Status = okta.UserPasswordExpired
	}
	if u.Status != okta.UserStaged {
		u.Activated = now
	}
	u.EmailVerified = o.opts.VerifiedEmailOnCreate && u.Status != okta.UserStaged && u.Status != okta.UserProvisioned
	o.users[id] = u
	o.userOrder = append(o.userOrder, id)
	o.usersByLogin[strings.ToLower(login)] = id
	o.groupByName(EveryoneGroup).members[id] = true
	for _, gid := range in.GroupIDs {
		o.addMember(gid, id, now)
	}
	if u.Status == okta.UserProvisioned && in.Status == "" {
		o.sendActivation(u, true)
	}
	return u.view(o), nil
}

func normalizeAnswer(a string) string { return strings.ToLower(strings.TrimSpace(a)) }

func checkRecoveryQuestion(q, a, password string) []string {
	var causes []string
	if strings.TrimSpace(q) == "" {
		causes = append(causes, "recovery_question.question: The field cannot be left blank")
	} else if len(q) < 4 {
		causes = append(causes, "recovery_question.question: The security question must be at least 4 characters in length")
	}
	if len(strings.TrimSpace(a)) < 4 {
		causes = append(causes, "recovery_question.answer: The security question answer must be at least 4 characters in length")
	} else if password != "" && strings.Contains(strings.ToLower(a), strings.ToLower(password)) {
		causes = append(causes, "recovery_question.answer: The answer to your security question cannot contain your password")
	}
	return causes
}

// lookupUser finds a user by id or by login (case-insensitive), as
// GET /api/v1/users/{idOrLogin} does.
func (o *Org) lookupUser(idOrLogin string) (*user, error) {
	if u, ok := o.users[idOrLogin]; ok {
		return u, nil
	}
	if id, ok := o.usersByLogin[strings.ToLower(idOrLogin)]; ok {
		return o.users[id], nil
	}
	return nil, okta.NotFound(idOrLogin, "User")
}

// User returns a user by id or login.
func (o *Org) User(idOrLogin string) (User, error) {
	return userRead(o, idOrLogin, func(u *user, _ bool) (User, error) { return u.view(o), nil })
}

// UserUpdate is a profile and credentials change.
type UserUpdate struct {
	// Profile replaces the profile (Replace) or is merged into it.
	Profile          map[string]any
	Replace          bool
	Password         *string
	RecoveryQuestion *string
	RecoveryAnswer   *string
}

// UpdateUser changes a user's profile or credentials: POST (partial) and PUT
// (full) /api/v1/users/{id}.
func (o *Org) UpdateUser(id string, in UserUpdate) (User, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	u, err := o.lookupUser(id)
	if err != nil {
		return User{}, err
	}
	profile := maps.Clone(u.Profile)
	if in.Replace && in.Profile != nil {
		profile = maps.Clone(in.Profile)
	} else {
		for k, v := range in.Profile {
			profile[k] = v
		}
	}
	if causes := validateProfile(profile); len(causes) > 0 {
		return User{}, okta.Validation("login", causes...)
	}
	newLogin := strings.ToLower(profile["login"].(string))
	if other, ok := o.usersByLogin[newLogin]; ok && other != u.ID {
		return User{}, okta.Validation("login", "login: An object with this field already exists in the current organization")
	}
	// A full update sends back what GET returned: the question without an
	// answer. That read-back changes nothing (okta-sdk-golang's UpdateUser
	// pattern); a new question still needs its answer.
	if in.RecoveryAnswer == nil && in.RecoveryQuestion != nil && *in.RecoveryQuestion == u.recoveryQuestion {
		in.RecoveryQuestion = nil
	}
	if in.RecoveryQuestion != nil || in.RecoveryAnswer != nil {
		q, a := u.recoveryQuestion, ""
		if in.RecoveryQuestion != nil {
			q = *in.RecoveryQuestion
		}
		if in.RecoveryAnswer != nil {
			a = *in.RecoveryAnswer
		}
		if causes := checkRecoveryQuestion(q, a, ""); len(causes) > 0 {
			return User{}, okta.Validation("recovery_question", causes...)
		}
	}
	now := o.clock.Now()
	if in.Password != nil {
		probe := u.User
		probe.Profile = profile
		if err := o.checkPasswordPolicy(&probe, *in.Password); err != nil {
			return User{}, err
		}
		u.password = o.hash(*in.Password)
		u.PasswordChanged = now
		if u.Status == okta.UserPasswordExpired || u.Status == okta.UserRecovery {
			u.Status, u.StatusChanged = okta.UserActive, now
		}
	}
	if in.RecoveryQuestion != nil {
		u.recoveryQuestion = *in.RecoveryQuestion
	}
	if in.RecoveryAnswer != nil {
		u.recoveryAnswer = o.hash(normalizeAnswer(*in.RecoveryAnswer))
	}
	delete(o.usersByLogin, strings.ToLower(u.Login()))
	u.Profile = profile
	o.usersByLogin[newLogin] = u.ID
	u.LastUpdated = now
	return u.view(o), nil
}

// DeleteUser deletes a user as DELETE /api/v1/users/{id} does: the first
// call deactivates (DEPROVISIONED), a call on a deprovisioned user deletes.
// It reports whether the user is gone.
func (o *Org) DeleteUser(id string) (deleted bool, err error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	u, err := o.lookupUser(id)
	if err != nil {
		return false, err
	}
	if u.Status != okta.UserDeprovisioned {
		o.deactivate(u)
		return false, nil
	}
	delete(o.users, u.ID)
	delete(o.usersByLogin, strings.ToLower(u.Login()))
	o.userOrder = slices.DeleteFunc(o.userOrder, func(s string) bool { return s == u.ID })
	for _, g := range o.groups {
		delete(g.members, u.ID)
	}
	return true, nil
}

func (o *Org) setStatus(u *user, s okta.UserStatus) {
	now := o.clock.Now()
	u.Status, u.StatusChanged, u.LastUpdated = s, now, now
}

func (o *Org) deactivate(u *user) {
	o.setStatus(u, okta.UserDeprovisioned)
	u.tokens = map[string]userToken{}
	u.failedPasswords = 0
}
