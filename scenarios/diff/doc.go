// Package diff compares two normalised HTTP responses with go-cmp and
// classifies every difference (status changed, error code changed, field
// removed or added, shape changed, value changed, request refused). Where
// a difference matches a row of the engine-differences table
// (shared/reference/engines.md) or an item of Okta's upgrade checklist
// ("API changes after the upgrade", seed 000), Explain names it and the
// action to take.
package diff
