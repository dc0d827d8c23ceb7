package engine

import (
	"log/slog"

	"github.com/gin-gonic/gin"

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

func (classicEngine) Kind() okta.Engine       { return okta.Classic }
func (classicEngine) Profile() Profile        { return Classic }
func (classicEngine) Mount(gin.IRouter, Deps) {}

type identityEngine struct{}

func (identityEngine) Kind() okta.Engine       { return okta.Identity }
func (identityEngine) Profile() Profile        { return Identity }
func (identityEngine) Mount(gin.IRouter, Deps) {}

var (
	_ Engine = classicEngine{}
	_ Engine = identityEngine{}
)
