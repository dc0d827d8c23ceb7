package org

import (
	"slices"
	"strings"
	"time"

	"github.com/oktaemu/oktaemu/emulator/internal/okta"
)

// Group types.
const (
	GroupOkta    = "OKTA_GROUP"
	GroupBuiltIn = "BUILT_IN"
)

// Group is a group (a copy; members are read through GroupMembers).
type Group struct {
	ID                    string
	Type                  string
	Name                  string
	Description           string
	Created               time.Time
	LastUpdated           time.Time
	LastMembershipUpdated time.Time
	members               map[string]bool
}

func (g *Group) view() Group {
	v := *g
	v.members = nil
	return v
}

func (o *Org) groupByName(name string) *Group {
	for _, id := range o.groupOrder {
		if g := o.groups[id]; g.Name == name {
			return g
		}
	}
	return nil
}

// CreateGroup adds an OKTA_GROUP. Okta requires a name, unique in the org.
func (o *Org) CreateGroup(id, name, description string) (Group, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if strings.TrimSpace(name) == "" {
		return Group{}, okta.Validation("profile", "name: The field cannot be left blank")
	}
	if o.groupByName(name) != nil {
		return Group{}, okta.Validation("profile", "name: An object with this field already exists in the current organization")
	}
	if id == "" {
		id = o.ids.New(PrefixGroup)
	}
	now := o.clock.Now()
	g := &Group{ID: id, Type: GroupOkta, Name: name, Description: description, Created: now, LastUpdated: now,
		LastMembershipUpdated: now, members: map[string]bool{}}
	o.groups[id] = g
	o.groupOrder = append(o.groupOrder, id)
	return g.view(), nil
}

// Group returns a group by id.
func (o *Org) Group(id string) (Group, error) {
	o.mu.RLock()
	defer o.mu.RUnlock()
	g, ok := o.groups[id]
	if !ok {
		return Group{}, okta.NotFound(id, "UserGroup")
	}
	return g.view(), nil
}

// GroupIDByName returns the id of the group named name.
func (o *Org) GroupIDByName(name string) (string, bool) {
	o.mu.RLock()
	defer o.mu.RUnlock()
	if g := o.groupByName(name); g != nil {
		return g.ID, true
	}
	return "", false
}

// UpdateGroup replaces a group's profile. Built-in groups cannot change.
func (o *Org) UpdateGroup(id, name, description string) (Group, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	g, ok := o.groups[id]
	if !ok {
		return Group{}, okta.NotFound(id, "UserGroup")
	}
	if g.Type == GroupBuiltIn {
		return Group{}, okta.Errorf(okta.E0000006)
	}
	if strings.TrimSpace(name) == "" {
		return Group{}, okta.Validation("profile", "name: The field cannot be left blank")
	}
	if other := o.groupByName(name); other != nil && other.ID != id {
		return Group{}, okta.Validation("profile", "name: An object with this field already exists in the current organization")
	}
	g.Name, g.Description, g.LastUpdated = name, description, o.clock.Now()
	return g.view(), nil
}

// DeleteGroup removes an OKTA_GROUP.
func (o *Org) DeleteGroup(id string) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	g, ok := o.groups[id]
	if !ok {
		return okta.NotFound(id, "UserGroup")
	}
	if g.Type == GroupBuiltIn {
		return okta.Errorf(okta.E0000006)
	}
	delete(o.groups, id)
	o.groupOrder = slices.DeleteFunc(o.groupOrder, func(s string) bool { return s == id })
	return nil
}

func (o *Org) addMember(gid, uid string, now time.Time) {
	g := o.groups[gid]
	if !g.members[uid] {
		g.members[uid] = true
		g.LastMembershipUpdated = now
	}
}

// AddGroupMember puts a user in a group (idempotent).
func (o *Org) AddGroupMember(gid, uid string) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	g, ok := o.groups[gid]
	if !ok {
		return okta.NotFound(gid, "UserGroup")
	}
	u, err := o.lookupUser(uid)
	if err != nil {
		return err
	}
	if g.Type == GroupBuiltIn {
		return okta.Errorf(okta.E0000006)
	}
	o.addMember(gid, u.ID, o.clock.Now())
	return nil
}

// RemoveGroupMember takes a user out of a group.
func (o *Org) RemoveGroupMember(gid, uid string) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	g, ok := o.groups[gid]
	if !ok {
		return okta.NotFound(gid, "UserGroup")
	}
	u, err := o.lookupUser(uid)
	if err != nil {
		return err
	}
	if g.Type == GroupBuiltIn {
		return okta.Errorf(okta.E0000006)
	}
	if g.members[u.ID] {
		delete(g.members, u.ID)
		g.LastMembershipUpdated = o.clock.Now()
	}
	return nil
}

// IsMember reports whether user uid is in group gid.
func (o *Org) IsMember(gid, uid string) bool {
	o.mu.RLock()
	defer o.mu.RUnlock()
	g, ok := o.groups[gid]
	return ok && g.members[uid]
}
