package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/oktaemu/oktaemu/emulator/internal/engine"
	"github.com/oktaemu/oktaemu/emulator/internal/httpx"
	"github.com/oktaemu/oktaemu/emulator/internal/org"
)

// WellKnown serves GET /.well-known/okta-organization (anonymous).
type WellKnown struct {
	Org     *org.Org
	Profile engine.Profile
}

// Mount adds the route.
func (h WellKnown) Mount(r gin.IRouter) {
	r.GET("/.well-known/okta-organization", httpx.Handle(h.get))
}

type orgMetadata struct {
	ID       string         `json:"id"`
	Pipeline string         `json:"pipeline"`
	Links    map[string]any `json:"_links"`
}

func (h WellKnown) get(c *gin.Context) (int, any, error) {
	return http.StatusOK, orgMetadata{
		ID:       h.Org.ID(),
		Pipeline: h.Profile.WellKnownPipeline,
		Links:    map[string]any{"organization": httpx.Link{Href: httpx.BaseURL(c)}},
	}, nil
}
