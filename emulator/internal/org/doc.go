// Package org is the in-memory state of one emulated Okta org: users,
// credentials, groups, apps, API tokens, factors, policies and the outbox of
// what the org "sent", with the clock and the id generator that make every
// answer reproducible.
//
// It has no transport: it imports neither net/http nor gin, and its types
// carry no JSON tags. Operations enforce Okta's invariants and fail with
// *okta.Error values; the HTTP layer only renders them.
//
// Concurrency: one read-write lock per Org (orgLock, cache.go) guards its
// state; writes hold it exclusively. Sign-in steps and reads of users and
// factors hold it for reading, with a lock per user and one for the maps
// sign-ins share (signin.go). Read methods return copies, so callers never
// hold references into guarded maps.
//
// Secrets (passwords, recovery answers, security-question answers, API
// tokens) are kept only as salted HMAC-SHA256 digests: cheap to check, as an
// emulator needs, and never readable back.
package org
