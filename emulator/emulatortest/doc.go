// Package emulatortest starts an emulated Okta org in-process for a test,
// shaped like net/http/httptest: NewServer returns a running server with its
// URL, an HTTP client, the API token of its fixture, and the org itself for
// direct seeding and inspection; t.Cleanup closes it.
//
// Every response such a server sends is validated against the merged
// OpenAPI description in spec/ (validate.go): a response that does not match
// its operation (status, Content-Type, declared headers, body, strictly), or
// any request to a route spec/ does not describe, fails the test with the
// method, path, status and reason. Tests that call unknown routes on purpose
// use AllowUnspecifiedRoutes; WithRequestValidation also checks requests;
// ValidatingHandler applies the same checks to a handler driven directly.
package emulatortest
