// Command oktaemu runs an emulated Okta org (Classic or Identity Engine) as
// a local HTTP server, and carries the small tools around it.
//
//	oktaemu serve [--addr 127.0.0.1:8080] [--engine classic|identity] [--fixture NAME|PATH]
//	oktaemu health [--url URL]
//	oktaemu fixtures [validate FILE...]
//	oktaemu version
//	oktaemu help [COMMAND]
//
// Layout (after github.com/benbjohnson/wtf): main.go holds a tiny main, the
// in-process entry point run and the table of subcommands; every subcommand
// lives in its own file as a func runXxx(ctx, args, stdin, stdout, stderr)
// error. run never calls os.Exit and takes its writers as arguments, so
// main_test.go drives the whole command in-process.
//
// Flags map onto emulator.Options; every flag of serve also reads an
// OKTAEMU_* environment variable, and a flag given on the command line wins
// over the environment. Exit codes: 0 success, 1 failure, 2 usage error
// (bad flag, unknown engine or fixture).
//
// This package only wires the public emulator and fixtures packages; it must
// not import emulator/internal/...
package main
