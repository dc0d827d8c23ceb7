package org

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/oktaemu/oktaemu/emulator/internal/okta"
)

// Expr is a parsed filter or search expression of the Users and Groups APIs
// (SCIM-like: `status eq "ACTIVE" and profile.lastName sw "Sm"`).
type Expr interface {
	match(attr func(string) (any, bool)) bool
}

type cmpExpr struct {
	attr, op string
	value    any // string, float64, bool or nil
}

type boolExpr struct {
	op          string // and, or
	left, right Expr
}

type notExpr struct{ e Expr }

// ParseExpr parses an expression; a syntax error is 400 E0000031 "Invalid
// search criteria." as Okta answers.
func ParseExpr(s string) (Expr, error) {
	p := &exprParser{toks: tokenize(s)}
	e, err := p.or()
	if err == nil && p.i < len(p.toks) {
		err = fmt.Errorf("unexpected %q", p.toks[p.i])
	}
	if err != nil {
		return nil, okta.Errorf(okta.E0000031).WithCauses(err.Error())
	}
	return e, nil
}

func tokenize(s string) []string {
	var toks []string
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case unicode.IsSpace(rune(c)):
			i++
		case c == '(' || c == ')':
			toks = append(toks, string(c))
			i++
		case c == '"':
			j := i + 1
			for j < len(s) && s[j] != '"' {
				if s[j] == '\\' {
					j++
				}
				j++
			}
			if j >= len(s) {
				toks = append(toks, s[i:])
				return toks
			}
			toks = append(toks, s[i:j+1])
			i = j + 1
		default:
			j := i
			for j < len(s) && !unicode.IsSpace(rune(s[j])) && s[j] != '(' && s[j] != ')' {
				j++
			}
			toks = append(toks, s[i:j])
			i = j
		}
	}
	return toks
}

type exprParser struct {
	toks []string
	i    int
}

func (p *exprParser) peek() string {
	if p.i < len(p.toks) {
		return p.toks[p.i]
	}
	return ""
}

func (p *exprParser) next() string { t := p.peek(); p.i++; return t }

func (p *exprParser) or() (Expr, error) {
	l, err := p.and()
	for err == nil && strings.EqualFold(p.peek(), "or") {
		p.next()
		var r Expr
		if r, err = p.and(); err == nil {
			l = boolExpr{"or", l, r}
		}
	}
	return l, err
}

func (p *exprParser) and() (Expr, error) {
	l, err := p.unary()
	for err == nil && strings.EqualFold(p.peek(), "and") {
		p.next()
		var r Expr
		if r, err = p.unary(); err == nil {
			l = boolExpr{"and", l, r}
		}
	}
	return l, err
}

func (p *exprParser) unary() (Expr, error) {
	switch t := p.peek(); {
	case strings.EqualFold(t, "not"):
		p.next()
		e, err := p.unary()
		return notExpr{e}, err
	case t == "(":
		p.next()
		e, err := p.or()
		if err != nil {
			return nil, err
		}
		if p.next() != ")" {
			return nil, fmt.Errorf("missing )")
		}
		return e, nil
	}
	attr := p.next()
	if attr == "" || attr == ")" || strings.HasPrefix(attr, `"`) {
		return nil, fmt.Errorf("expected an attribute, got %q", attr)
	}
	op := strings.ToLower(p.next())
	switch op {
	case "pr":
		return cmpExpr{attr: attr, op: op}, nil
	case "eq", "ne", "sw", "co", "ew", "gt", "ge", "lt", "le":
	default:
		return nil, fmt.Errorf("unknown operator %q", op)
	}
	raw := p.next()
	var v any
	switch {
	case len(raw) >= 2 && raw[0] == '"' && raw[len(raw)-1] == '"':
		s, err := strconv.Unquote(raw)
		if err != nil {
			s = raw[1 : len(raw)-1]
		}
		v = s
	case raw == "true" || raw == "false":
		v = raw == "true"
	case raw == "null":
		v = nil
	default:
		n, err := strconv.ParseFloat(raw, 64)
		if err != nil {
			return nil, fmt.Errorf("bad value %q", raw)
		}
		v = n
	}
	return cmpExpr{attr: attr, op: op, value: v}, nil
}

func (e boolExpr) match(attr func(string) (any, bool)) bool {
	if e.op == "and" {
		return e.left.match(attr) && e.right.match(attr)
	}
	return e.left.match(attr) || e.right.match(attr)
}

func (e notExpr) match(attr func(string) (any, bool)) bool { return !e.e.match(attr) }

func (e cmpExpr) match(attr func(string) (any, bool)) bool {
	got, ok := attr(e.attr)
	if e.op == "pr" {
		return ok && got != nil && got != ""
	}
	if !ok || got == nil {
		return e.op == "ne" && e.value != nil
	}
	switch want := e.value.(type) {
	case string:
		var g string
		switch t := got.(type) {
		case string:
			g = t
		case time.Time:
			return cmpTime(t, want, e.op)
		default:
			g = fmt.Sprint(t)
		}
		gl, wl := strings.ToLower(g), strings.ToLower(want)
		switch e.op {
		case "eq":
			return gl == wl
		case "ne":
			return gl != wl
		case "sw":
			return strings.HasPrefix(gl, wl)
		case "ew":
			return strings.HasSuffix(gl, wl)
		case "co":
			return strings.Contains(gl, wl)
		case "gt":
			return g > want
		case "ge":
			return g >= want
		case "lt":
			return g < want
		case "le":
			return g <= want
		}
	case float64:
		var g float64
		switch t := got.(type) {
		case float64:
			g = t
		case int:
			g = float64(t)
		default:
			return false
		}
		switch e.op {
		case "eq":
			return g == want
		case "ne":
			return g != want
		case "gt":
			return g > want
		case "ge":
			return g >= want
		case "lt":
			return g < want
		case "le":
			return g <= want
		}
	case bool:
		g, ok := got.(bool)
		return ok && (e.op == "eq") == (g == want)
	}
	return false
}

func cmpTime(t time.Time, want, op string) bool {
	w, err := time.Parse(time.RFC3339Nano, want)
	if err != nil {
		return false
	}
	switch op {
	case "eq":
		return t.Equal(w)
	case "ne":
		return !t.Equal(w)
	case "gt":
		return t.After(w)
	case "ge":
		return !t.Before(w)
	case "lt":
		return t.Before(w)
	case "le":
		return !t.After(w)
	}
	return false
}

// userAttr resolves an attribute name of a user for expressions.
func userAttr(u *User) func(string) (any, bool) {
	return func(name string) (any, bool) {
		if p, ok := strings.CutPrefix(name, "profile."); ok {
			v, ok := u.Profile[p]
			return v, ok
		}
		switch name {
		case "id":
			return u.ID, true
		case "status":
			return string(u.Status), true
		case "created":
			return u.Created, true
		case "activated":
			return u.Activated, !u.Activated.IsZero()
		case "statusChanged":
			return u.StatusChanged, true
		case "lastUpdated":
			return u.LastUpdated, true
		case "lastLogin":
			return u.LastLogin, !u.LastLogin.IsZero()
		case "passwordChanged":
			return u.PasswordChanged, !u.PasswordChanged.IsZero()
		case "type.id":
			return "default", true
		}
		return nil, false
	}
}

// UserQuery selects users for GET /api/v1/users.
type UserQuery struct {
	// Q matches the start of firstName, lastName, email or login.
	Q string
	// Filter and Search are expressions; either may be nil.
	Filter Expr
	Search Expr
	// After is the id of the last user of the previous page.
	After string
	Limit int
}

// ListUsers returns one page of users in creation order, and whether more
// follow.
func (o *Org) ListUsers(q UserQuery) (page []User, more bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	started := q.After == ""
	ql := strings.ToLower(q.Q)
	for _, id := range o.userOrder {
		if !started {
			started = id == q.After
			continue
		}
		u := o.users[id]
		if q.Q == "" && q.Filter == nil && q.Search == nil && u.Status == okta.UserDeprovisioned {
			// Okta leaves DEPROVISIONED users out of an unfiltered list.
			continue
		}
		if ql != "" && !userMatchesQ(&u.User, ql) {
			continue
		}
		if q.Filter != nil && !q.Filter.match(userAttr(&u.User)) {
			continue
		}
		if q.Search != nil && !q.Search.match(userAttr(&u.User)) {
			continue
		}
		if q.Limit > 0 && len(page) == q.Limit {
			return page, true
		}
		page = append(page, u.view(o))
	}
	return page, false
}

func userMatchesQ(u *User, ql string) bool {
	for _, k := range []string{"firstName", "lastName", "email", "login"} {
		if s, _ := u.Profile[k].(string); strings.HasPrefix(strings.ToLower(s), ql) {
			return true
		}
	}
	return false
}

// GroupQuery selects groups for GET /api/v1/groups.
type GroupQuery struct {
	Q      string // name prefix
	Search Expr
	Filter Expr
	After  string
	Limit  int
}

func groupAttr(g *Group) func(string) (any, bool) {
	return func(name string) (any, bool) {
		switch name {
		case "id":
			return g.ID, true
		case "type":
			return g.Type, true
		case "profile.name":
			return g.Name, true
		case "profile.description":
			return g.Description, true
		case "created":
			return g.Created, true
		case "lastUpdated":
			return g.LastUpdated, true
		case "lastMembershipUpdated":
			return g.LastMembershipUpdated, true
		}
		return nil, false
	}
}

// ListGroups returns one page of groups and whether more follow.
func (o *Org) ListGroups(q GroupQuery) (page []Group, more bool) {
	o.mu.RLock()
	defer o.mu.RUnlock()
	started := q.After == ""
	for _, id := range o.groupOrder {
		if !started {
			started = id == q.After
			continue
		}
		g := o.groups[id]
		if q.Q != "" && !strings.HasPrefix(strings.ToLower(g.Name), strings.ToLower(q.Q)) {
			continue
		}
		if q.Search != nil && !q.Search.match(groupAttr(g)) {
			continue
		}
		if q.Filter != nil && !q.Filter.match(groupAttr(g)) {
			continue
		}
		if q.Limit > 0 && len(page) == q.Limit {
			return page, true
		}
		page = append(page, g.view())
	}
	return page, false
}

// GroupMembers returns one page of a group's members in user creation
// order.
func (o *Org) GroupMembers(gid, after string, limit int) (page []User, more bool, err error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	g, ok := o.groups[gid]
	if !ok {
		return nil, false, okta.NotFound(gid, "UserGroup")
	}
	started := after == ""
	for _, id := range o.userOrder {
		if !started {
			started = id == after
			continue
		}
		if !g.members[id] {
			continue
		}
		if limit > 0 && len(page) == limit {
			return page, true, nil
		}
		page = append(page, o.users[id].view(o))
	}
	return page, false, nil
}

// UserGroups returns the groups of a user.
func (o *Org) UserGroups(uid string) ([]Group, error) {
	o.mu.RLock()
	defer o.mu.RUnlock()
	u, err := o.lookupUser(uid)
	if err != nil {
		return nil, err
	}
	var out []Group
	for _, gid := range o.groupIDsOf(u.ID) {
		out = append(out, o.groups[gid].view())
	}
	return out, nil
}
