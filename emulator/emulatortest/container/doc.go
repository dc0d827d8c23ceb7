// Package container starts oktaemu in a Docker container for a test, with
// github.com/ory/dockertest/v3: the same image a user runs, built the same
// way as scripts/build-image.sh (a static binary in a temporary build
// context plus the repository's FROM scratch Dockerfile).
//
// Start decides where the emulator comes from, in this order:
//
//  1. OKTAEMU_URL is set: that running instance is used (its token from
//     OKTAEMU_TOKEN) and Docker is not touched.
//  2. The Docker engine does not answer a ping: the test is skipped, with
//     the reason (set OKTAEMU_REQUIRE_DOCKER=1 to fail instead).
//  3. Options.Image or OKTAEMU_IMAGE names a prebuilt image: it is run.
//  4. Otherwise the image is built once per test process from the
//     repository's Dockerfile and reused.
//
// Published ports bind to 127.0.0.1 only. Every container is purged by
// t.Cleanup, and Resource.Expire stops it after Options.Expire in case the
// test process dies first. Emulator.Stop stops a container gracefully (SIGTERM), saving its orgs
// when Options.StateFile is set.
//
// For tests that need no container, emulator/emulatortest.NewServer runs
// the emulator in-process and is much faster. This package must not import
// emulator/internal/...
package container
