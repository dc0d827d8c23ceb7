// Package emulatortest starts an emulated Okta org in-process for a test,
// shaped like net/http/httptest: NewServer returns a running server with its
// URL, an HTTP client, the API token of its fixture, and the org itself for
// direct seeding and inspection; t.Cleanup closes it.
package emulatortest
