// Package api serves the management and authentication endpoints both
// engines share (users, groups, org metadata; later factors, sessions,
// policies). One Handler struct per area with explicit fields, and a Mount
// method that is the only place its routes are listed.
//
// Handlers are thin: bind and check the request's shape, make one call into
// internal/org, build the wire struct with a newXxx function from wire.go.
// Where Okta differs by engine a handler reads a named field of its
// engine.Profile; it never asks which engine it serves.
package api
