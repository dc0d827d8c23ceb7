package engine

import (
	"log/slog"

	"github.com/gin-gonic/gin"

	"github.com/oktaemu/oktaemu/emulator/internal/idx"
	"github.com/oktaemu/oktaemu/emulator/internal/okta"
	"github.com/oktaemu/oktaemu/emulator/internal/org"
)

// Engine is one of Okta's engines: its profile of data differences, and the
// routes only it serves.
type Engine interface {
	Kind() okta.Engine
	Profile() Profile
	// Mount adds the engine's own routes to r.
	Mount(r gin.IRouter, d Deps)
}

// Deps is what an engine's handlers need, set once at the mount point.
type Deps struct {
	Org    *org.Org
	Logger *slog.Logger
}

// For returns the engine of kind k.
func For(k okta.Engine) (Engine, bool) {
	switch k {
	case okta.Classic:
		return classicEngine{}, true
	case okta.Identity:
		return identityEngine{}, true
	}
	return nil, false
}

type classicEngine struct{}

func (classicEngine) Kind() okta.Engine { return okta.Classic }
func (classicEngine) Profile() Profile  { return Classic }

// Mount: a Classic org answers the Interaction Code routes as Classic
// does (idx.Classic: /interact 400 access_denied, interaction_code grant
// unsupported, /idp/idx/* unknown paths).
func (classicEngine) Mount(r gin.IRouter, d Deps) { idx.Classic{Org: d.Org}.Mount(r) }

type identityEngine struct{}

func (identityEngine) Kind() okta.Engine { return okta.Identity }
func (identityEngine) Profile() Profile  { return Identity }

// Mount adds the Identity Engine-only routes: the Interaction Code flow
// (/oauth2/{as}/v1/interact, token, keys, authorize; /idp/idx/*).
func (identityEngine) Mount(r gin.IRouter, d Deps) { idx.Handler{Org: d.Org}.Mount(r) }

var (
	_ Engine = classicEngine{}
	_ Engine = identityEngine{}
)
