package emulator

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/oktaemu/oktaemu/emulator/internal/api"
	"github.com/oktaemu/oktaemu/emulator/internal/engine"
	"github.com/oktaemu/oktaemu/emulator/internal/httpx"
	"github.com/oktaemu/oktaemu/emulator/internal/org"
)

// mount wires every route of one org: the single place routes are listed.
// Order: anonymous shared routes, SSWS-guarded management routes, then the
// engine's own surface.
func mount(inst *orgInstance, logger *slog.Logger) http.Handler {
	o := inst.org
	profile := inst.engine.Profile()
	r := gin.New()
	r.HandleMethodNotAllowed = true
	r.RedirectTrailingSlash = false
	r.RedirectFixedPath = false
	r.NoRoute(httpx.NoRoute)
	r.NoMethod(httpx.NoMethod)
	// Request and error ids come from their own seeded generator, not the
	// org's: answering a request (even refusing it) leaves the org's state,
	// and so its snapshot, unchanged.
	env := &httpx.Env{IDs: org.NewIDs(requestIDSeed), Now: o.Now, Logger: logger}
	r.Use(prefixEnv(env), httpx.LogRequests(inst.requests), httpx.Recover(), httpx.InjectFaults(inst.faults), httpx.RateLimit(inst.limiter))

	api.WellKnown{Org: o, Profile: profile}.Mount(r)
	api.Authn{Org: o, Profile: profile}.Mount(r)    // /api/v1/authn*: anonymous, SSWS marks a trusted app
	api.Sessions{Org: o, Profile: profile}.Mount(r) // cookie-only /me routes and anonymous POST /api/v1/sessions

	mgmt := r.Group("", httpx.RequireAPIToken(func(t string) bool { _, ok := o.CheckAPIToken(t); return ok }))
	api.Users{Org: o, Profile: profile}.Mount(mgmt)
	api.Groups{Org: o}.Mount(mgmt)
	api.Factors{Org: o, Profile: profile}.Mount(mgmt)
	api.OrgFactors{Org: o, Profile: profile}.Mount(mgmt)
	api.Authenticators{Org: o, Profile: profile}.Mount(mgmt)
	api.Sessions{Org: o, Profile: profile}.MountManagement(mgmt)
	api.Policies{Org: o, Profile: profile}.Mount(mgmt)

	inst.engine.Mount(r, engine.Deps{Org: o, Logger: logger})
	return r
}

type prefixKey struct{}

func withPrefix(ctx context.Context, prefix string) context.Context {
	return context.WithValue(ctx, prefixKey{}, prefix)
}

// prefixEnv installs the org's httpx.Env, carrying the path prefix the
// request addressed the org by.
func prefixEnv(base *httpx.Env) gin.HandlerFunc {
	plain := httpx.WithEnv(base)
	return func(c *gin.Context) {
		if p, _ := c.Request.Context().Value(prefixKey{}).(string); p != "" {
			e := *base
			e.Prefix = p
			httpx.WithEnv(&e)(c)
			return
		}
		plain(c)
	}
}

func jsonEncode(w io.Writer, v any) error { return json.NewEncoder(w).Encode(v) }
