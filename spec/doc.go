// Package spec is the OpenAPI 3.0 description of everything oktaemu serves.
//
// The description is split into fragments, one per area, in spec/openapi/*.yaml
// (users.yaml, groups.yaml, wellknown.yaml, control.yaml, authn.yaml, ...),
// embedded in the binary. Load merges them into one document and validates it
// with kin-openapi:
//
//   - paths: a path may appear in several fragments only with different
//     methods; an operation (method + path) is defined once; path-level
//     parameters of a path shared by fragments must be identical;
//   - components: every name (schemas, responses, parameters, requestBodies,
//     headers, examples, securitySchemes, links, callbacks) is unique across
//     fragments, so each area prefixes its names (AuthnTransaction,
//     FactorBody, ...); the shared ones live in common.yaml
//     (#/components/schemas/Error, #/components/responses/Error...);
//   - a fragment's top-level `security` is copied onto its operations that
//     declare none; fragments declare no `servers`;
//   - references are local to the merged document ("#/components/..."), so a
//     fragment may use the components of another (common.yaml above all).
//
// The emulatortest package validates every response of its in-process
// servers against the merged document (see emulatortest.NewServer), and
// emulator/spec_test.go checks that every mounted route has an operation and
// every operation a route.
package spec
