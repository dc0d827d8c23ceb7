// Package emulator is oktaemu's façade: an in-memory Okta org, Classic or
// Identity Engine, served over HTTP.
//
// New builds a Server from Options (whose zero value serves the embedded
// Classic default fixture); Handler returns its http.Handler. A Server holds
// one or more orgs; each org has its own state, clock, ids, API tokens and
// routes, and is addressed by Host (`<org>.localhost:8080`), by path prefix
// (`/_org/<org>/api/v1/...`) or, for requests that name none, is the
// default org.
//
// Request path: Server.ServeHTTP picks the org, the org's gin engine
// (mount.go, the one place routes are wired) runs httpx middleware (request
// id, Date, rate limits, SSWS auth), then a thin handler in internal/api or
// an engine package makes one call into internal/org and renders the result.
//
// Where engine differences live: internal/engine/profiles.go (data, one
// field per documented difference), the engine packages (routes and
// transition tables that exist on one engine), and engines.go here (the one
// list of engines). Nothing else compares engines.
package emulator
