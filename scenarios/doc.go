// Package scenarios replays recorded or authored HTTP exchanges against an
// emulated (or real) Okta org, learns the values the server mints and
// substitutes them into later requests, normalises what is volatile, and
// diffs the responses of the Classic and Identity engines.
//
// The file format is documented in README.md; Parse, Load and Marshal read
// and write it. Run replays scenarios; the diff and report subpackages
// classify and render differences.
package scenarios
