// Package engine holds what differs between Okta's two engines.
//
// Small differences on endpoints both engines serve are data: the Profile
// type has one named field per documented difference, and profiles.go holds
// the two values, Classic and Identity, side by side, each field citing its
// row of shared/reference/engines.md. Shared handlers read a named field;
// they never ask which engine they serve.
//
// Behaviour that exists on one engine only (its own routes, its transition
// tables) lives in the engine's subpackage and is mounted through the
// Engine interface.
//
// This package and its subpackages are the only code that may compare an
// org's engine with okta.Classic or okta.Identity.
package engine
