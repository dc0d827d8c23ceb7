package org

import (
	"fmt"

	"github.com/oktaemu/oktaemu/emulator/internal/okta"
	"github.com/oktaemu/oktaemu/fixtures"
)

// Seed builds an org from a fixture. opts.Engine must be set; the fixture's
// clock and id seed apply unless opts sets them.
func Seed(fx *fixtures.Org, opts Options) (*Org, error) {
	if opts.Clock == nil {
		if fx.Clock != nil {
			opts.Clock = NewFrozenClock(*fx.Clock)
		} else {
			opts.Clock = NewClock(nil)
		}
	}
	if opts.IDSeed == 0 {
		opts.IDSeed = fx.IDSeed
	}
	if opts.ID == "" {
		opts.ID = fx.OrgID
	}
	o := New(opts)
	o.settings.ShowLockoutFailures = fx.Settings.ShowLockoutFailures
	for _, t := range fx.APITokens {
		name := t.Name
		if name == "" {
			name = "fixture"
		}
		o.AddAPIToken(name, t.Token)
	}
	for _, a := range fx.Apps {
		if _, err := o.AddApp(App{ID: a.ID, Name: a.Name, Label: a.Label, SignOnMode: a.SignOnMode,
			ClientID: a.ClientID, ClientSecret: a.ClientSecret, RedirectURIs: a.RedirectURIs}); err != nil {
			return nil, fmt.Errorf("app %s: %w", a.Label, err)
		}
	}
	for _, g := range fx.Groups {
		if g.Name == EveryoneGroup {
			continue
		}
		if _, err := o.CreateGroup(g.ID, g.Name, g.Description); err != nil {
			return nil, fmt.Errorf("group %s: %w", g.Name, err)
		}
	}
	groupID := func(ref string) string {
		if _, err := o.Group(ref); err == nil {
			return ref
		}
		id, _ := o.GroupIDByName(ref)
		return id
	}
	// Policies first: a user's password is checked against the policy.
	for _, p := range fx.Policies {
		pol := Policy{ID: p.ID, Type: okta.PolicyType(p.Type), Name: p.Name, Description: p.Description,
			Status: p.Status, Priority: p.Priority, System: p.System, Settings: deepClone(p.Settings),
			Conditions: peopleCondition(p.Groups, groupID)}
		for _, r := range p.Rules {
			cond := deepClone(r.Conditions)
			if len(r.Groups) > 0 {
				if cond == nil {
					cond = map[string]any{}
				}
				cond["people"] = peopleCondition(r.Groups, groupID)["people"]
			}
			pol.Rules = append(pol.Rules, Rule{ID: r.ID, Name: r.Name, Status: r.Status, Priority: r.Priority,
				System: r.System, Type: p.Type, Conditions: cond, Actions: deepClone(r.Actions)})
		}
		o.PutPolicy(pol)
	}
	for _, fu := range fx.Users {
		in := NewUser{ID: fu.ID, Profile: fu.Profile, Password: fu.Password, Activate: true,
			Status: okta.UserStatus(fu.Status)}
		if fu.PasswordChanged != nil {
			in.PasswordChanged = *fu.PasswordChanged
		}
		if fu.RecoveryQuestion != nil {
			in.RecoveryQuestion, in.RecoveryAnswer = fu.RecoveryQuestion.Question, fu.RecoveryQuestion.Answer
		}
		if in.Status == "" {
			in.Status = okta.UserActive
			if fu.Password == "" {
				in.Status = okta.UserProvisioned
			}
		}
		for _, g := range fu.Groups {
			in.GroupIDs = append(in.GroupIDs, groupID(g))
		}
		u, err := o.seedUser(in)
		if err != nil {
			return nil, fmt.Errorf("user %v: %w", fu.Profile["login"], err)
		}
		for _, ff := range fu.Factors {
			if _, err := o.AddFactor(u.ID, NewFactor{ID: ff.ID, Type: okta.FactorType(ff.Type), Provider: ff.Provider,
				Status: okta.FactorStatus(ff.Status), Profile: ff.Profile, Secret: ff.Secret, Answer: ff.Answer,
				PassCodes: ff.PassCodes, Enrollment: ff.Enrollment}); err != nil {
				return nil, fmt.Errorf("user %s factor %s: %w", u.Login(), ff.Type, err)
			}
		}
	}
	return o, nil
}

// seedUser creates a fixture user; fixtures may hold passwords the policy
// would refuse (a user whose password predates the policy), so the policy is
// not checked.
func (o *Org) seedUser(in NewUser) (User, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	pw := in.Password
	in.Password = ""
	u, err := o.createUser(in)
	if err != nil || pw == "" {
		return u, err
	}
	rec := o.users[u.ID]
	rec.password = o.hash(pw)
	rec.PasswordChanged = o.clock.Now()
	if !in.PasswordChanged.IsZero() {
		rec.PasswordChanged = in.PasswordChanged
	}
	rec.EmailVerified = o.opts.VerifiedEmailOnCreate && rec.Status != okta.UserStaged && rec.Status != okta.UserProvisioned
	return rec.view(o), nil
}

func peopleCondition(groups []string, groupID func(string) string) map[string]any {
	if len(groups) == 0 {
		return nil
	}
	ids := make([]any, 0, len(groups))
	for _, g := range groups {
		ids = append(ids, groupID(g))
	}
	return map[string]any{"people": map[string]any{"groups": map[string]any{"include": ids}}}
}
