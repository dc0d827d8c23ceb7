package main

import (
	"fmt"
	"strings"

	"github.com/oktaemu/oktaemu/emulator"
	"github.com/oktaemu/oktaemu/fixtures"
)

// orgSpec is one extra org of --org name=engine[:fixture].
type orgSpec struct {
	name    string
	engine  emulator.Engine
	fixture string // embedded name or path; empty means <engine>-default
}

// orgsValue is the repeatable --org flag: a bare name renames the default
// org; name=engine[:fixture] adds an org. Items may also be
// comma-separated (OKTAEMU_ORG=default,acme=identity).
type orgsValue struct {
	defaultName *string
	extra       []orgSpec
}

func (v *orgsValue) String() string {
	if v == nil || v.defaultName == nil {
		return ""
	}
	items := []string{*v.defaultName}
	for _, o := range v.extra {
		item := o.name + "=" + string(o.engine)
		if o.fixture != "" {
			item += ":" + o.fixture
		}
		items = append(items, item)
	}
	return strings.Join(items, ",")
}

// Set accepts one or more comma-separated items.
func (v *orgsValue) Set(s string) error {
	for item := range strings.SplitSeq(s, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			return fmt.Errorf("empty org in %q", s)
		}
		name, spec, extra := strings.Cut(item, "=")
		if !validName(name) {
			return fmt.Errorf("org name %q: use lower-case letters, digits and '-' (at most 63)", name)
		}
		if !extra {
			*v.defaultName = name
			continue
		}
		eng, fixture, _ := strings.Cut(spec, ":")
		e, err := parseEngine(eng)
		if err != nil {
			return fmt.Errorf("org %s: %w", name, err)
		}
		for _, o := range v.extra {
			if o.name == name {
				return fmt.Errorf("org %s given twice", name)
			}
		}
		v.extra = append(v.extra, orgSpec{name: name, engine: e, fixture: fixture})
	}
	return nil
}

// validName mirrors the emulator's rule for org names, so a bad name is a
// usage error before anything starts.
func validName(name string) bool {
	if name == "" || len(name) > 63 {
		return false
	}
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
			return false
		}
	}
	return true
}

// addOrgs creates the extra orgs on emu.
func (v *orgsValue) addOrgs(emu *emulator.Server) error {
	for _, o := range v.extra {
		if o.name == *v.defaultName {
			return usageErrorf("serve", "--org %s: the default org has that name", o.name)
		}
		name := o.fixture
		if name == "" {
			name = fixtures.Default(string(o.engine))
		}
		fx, err := fixtures.Load(name)
		if err != nil {
			return usageErrorf("serve", "--org %s: %v", o.name, err)
		}
		if _, err := emu.AddOrg(o.name, o.engine, fx); err != nil {
			return usageErrorf("serve", "--org %s: %v", o.name, err)
		}
	}
	return nil
}
