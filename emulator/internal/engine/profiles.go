package engine

import "github.com/oktaemu/oktaemu/emulator/internal/okta"

// Profile is the data difference between the engines on endpoints both
// serve: one field per documented difference. Each field names its row of
// shared/reference/engines.md ("row N") and that row's sources. Add a field
// here, with its two values below, for every new difference; never branch on
// the engine elsewhere.
type Profile struct {
	// Engine is the engine this profile describes, for display only (the
	// pipeline name, logs, the console). Never branch on it.
	Engine okta.Engine

	// WellKnownPipeline is `pipeline` in GET /.well-known/okta-organization:
	// "v1" in Classic, "idx" in Identity Engine. Row 1 (SPEC26 examples
	// WellKnownOrgMetadataResponse*).
	WellKnownPipeline string

	// AdminCreatedEmailVerified: an admin-created, activated user's primary
	// email counts as verified, which in Identity Engine makes it an email
	// authenticator enrollment (listed as an ACTIVE email factor). Row 2
	// (S000 "Reset Factor API: email enrollment", LIM, FAC list example).
	AdminCreatedEmailVerified bool
}

// Classic is Okta Classic Engine.
var Classic = Profile{
	Engine:                    okta.Classic,
	WellKnownPipeline:         "v1",
	AdminCreatedEmailVerified: false,
}

// Identity is Okta Identity Engine (an org upgraded from Classic keeps the
// Classic APIs with the limits recorded here).
var Identity = Profile{
	Engine:                    okta.Identity,
	WellKnownPipeline:         "idx",
	AdminCreatedEmailVerified: true,
}
