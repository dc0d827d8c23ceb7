// Package fuzz holds the native fuzz targets (go test -fuzz) of the
// emulator's HTTP surface: one per spec fragment with request bodies. They
// live apart from the emulator's other tests so that a fuzzing build does
// not instrument the Okta SDKs those tests import. See FUZZING.md.
package fuzz
