// Package httpx is the only gin glue of the emulator: the adapter that
// renders handler results, Okta's error envelope, SSWS API-token auth,
// absolute `_links`, request ids and Date, rate-limit headers, pagination
// and body limits.
//
// Contract: handlers return (status, body, error) and Handle renders them.
// WriteError is the only place that turns an error into a status and Okta's
// error object; an error that is not an *okta.Error is logged and answered
// as 500 E0000009 without detail. It depends on internal/okta and gin only.
package httpx
