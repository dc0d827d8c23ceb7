// Package idx serves Identity Engine's Interaction Code flow ("IDX",
// shared/reference/idx.md): the OAuth side ({as}/v1/interact, /v1/token
// with grant_type=interaction_code, /v1/keys, and /v1/authorize for
// prompt=enroll_authenticator) and the IDX API under /idp/idx/* in Okta's
// ION dialect (application/ion+json; okta-version=1.0.0).
//
// Layout: oauth.go (interact, token, keys, authorize; tokens signed RS256
// with go-jose), handler.go (routes, request decoding, the step adapter),
// steps.go and enroll.go (one function per remediation endpoint),
// engine.go (advance: the single place the policies decide the next
// remediation), render.go (the ION response of the current step), ion.go
// (wire types), messages.go (Okta's i18n keys and texts), enrollments.go
// (the user's factors grouped as authenticator enrollments), classic.go
// (what a Classic org answers on these routes).
//
// State lives in the org (org/idx.go: the Interaction, its handles and
// codes; org/idx_policy.go: the policy reader; org/idx_auth.go: password
// and factor entry points). Factor challenge and verification, push and
// Okta Verify enrollments are the org's one factor model (org/verify.go,
// org/push.go), shared with authn and the Factors API.
//
// Steps: every request runs under the transaction's lock, changes its Step
// (org.Step) and renders it; introspect re-renders without advancing.
//
//	identify ─┬─ (password in first step) ─┐
//	          └─ challenge(password) ──────┤
//	                                       ▼
//	      select-authenticator-authenticate / challenge-authenticator /
//	      challenge-poll (push)  ── until the app policy is satisfied
//	                                       ▼
//	      select-authenticator-enroll (+skip when only optional ones
//	      remain) → enroll-authenticator / enroll-poll
//	                                       ▼
//	      successWithInteractionCode → /v1/token
package idx
