// Package okta is Okta's protocol vocabulary: error codes with their HTTP
// status and exact summaries, the one Error type every layer returns, the
// engine kinds, and typed constants for the statuses and types that appear
// on the wire.
//
// It imports nothing from this project and nothing from net/http: the HTTP
// status of a code is a plain int here, and only internal/httpx writes it.
//
// Source of every code and summary: okta/okta-developer-docs
// packages/@okta/vuepress-site/data/error-codes.json, as gathered in
// shared/reference/errors.md §2.
package okta
