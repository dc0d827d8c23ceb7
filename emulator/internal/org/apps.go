package org

import (
	"slices"
	"time"

	"github.com/oktaemu/oktaemu/emulator/internal/okta"
)

// App is an application. In Classic its id is a valid authn `audience`; with
// a client id it is an OIDC client of the Interaction Code flow.
type App struct {
	ID           string
	Name         string
	Label        string
	SignOnMode   string
	Status       string
	ClientID     string
	ClientSecret string
	RedirectURIs []string
	Created      time.Time
	LastUpdated  time.Time
}

// AddApp registers an app, minting its id when empty.
func (o *Org) AddApp(a App) (App, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if a.ID == "" {
		a.ID = o.ids.New(PrefixApp)
	}
	if _, dup := o.apps[a.ID]; dup {
		return App{}, okta.Validation("app", "id: An object with this field already exists in the current organization")
	}
	if a.Status == "" {
		a.Status = StatusActive
	}
	now := o.clock.Now()
	a.Created, a.LastUpdated = now, now
	a.RedirectURIs = slices.Clone(a.RedirectURIs)
	o.apps[a.ID] = &a
	o.appOrder = append(o.appOrder, a.ID)
	return a, nil
}

// App returns an app by id.
func (o *Org) App(id string) (App, error) {
	o.mu.RLock()
	defer o.mu.RUnlock()
	a, ok := o.apps[id]
	if !ok {
		return App{}, okta.NotFound(id, "AppInstance")
	}
	c := *a
	c.RedirectURIs = slices.Clone(a.RedirectURIs)
	return c, nil
}

// Apps lists the apps in creation order.
func (o *Org) Apps() []App {
	o.mu.RLock()
	defer o.mu.RUnlock()
	out := make([]App, 0, len(o.appOrder))
	for _, id := range o.appOrder {
		c := *o.apps[id]
		c.RedirectURIs = slices.Clone(c.RedirectURIs)
		out = append(out, c)
	}
	return out
}
