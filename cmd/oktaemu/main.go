package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		<-ctx.Done()
		stop() // a second signal during the graceful shutdown kills at once
	}()
	err := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(report(err, os.Stderr))
}

// runFunc is the shape of every subcommand: it parses its own args, writes
// its output to stdout and diagnostics to stderr, and returns an error
// instead of exiting.
type runFunc func(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error

// command is one subcommand of oktaemu.
type command struct {
	name    string
	summary string
	run     runFunc
}

// commands is the dispatch table, in the order help lists it. To add a
// subcommand, write cmd/oktaemu/<name>.go with a runXxx func of type runFunc
// and add ONE line here.
var commands = []command{
	{"serve", "run the emulator (default: Classic Engine org on 127.0.0.1:8080)", runServe},
	{"health", "probe a running emulator; exit 0 when it answers, 1 otherwise", runHealth},
	{"fixtures", "list the embedded fixtures, or validate fixture files", runFixtures},
	{"version", "print the version", runVersion},
	{"replay", "replay scenarios and check the expected responses (exit 1 on a mismatch)", runReplay},
	{"diff", "run scenarios on both engines and classify the differences", runDiff},
	{"record", "record traffic to an org through a reverse proxy, as redacted scenarios", runRecord},
	{"policy", "convert MFA_ENROLL policy settings between factors and authenticators", runPolicy},
}

// run is oktaemu with its process dependencies passed in.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		printUsage(stderr)
		return usageErrorf("", "no command given")
	}
	name, rest := args[0], args[1:]
	switch name {
	case "help", "-h", "-help", "--help":
		return runHelp(ctx, rest, stdin, stdout, stderr)
	}
	cmd, ok := lookup(name)
	if !ok {
		return usageErrorf("", "unknown command %q (commands: %s)", name, strings.Join(commandNames(), ", "))
	}
	err := cmd.run(ctx, rest, stdin, stdout, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	return err
}

func lookup(name string) (command, bool) {
	for _, c := range commands {
		if c.name == name {
			return c, true
		}
	}
	return command{}, false
}

func commandNames() []string {
	var names []string
	for _, c := range commands {
		names = append(names, c.name)
	}
	return names
}

// runHelp prints the general usage, or a command's (`help serve`).
func runHelp(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		printUsage(stdout)
		return nil
	}
	cmd, ok := lookup(args[0])
	if !ok {
		return usageErrorf("help", "unknown command %q (commands: %s)", args[0], strings.Join(commandNames(), ", "))
	}
	err := cmd.run(ctx, []string{"-h"}, stdin, stdout, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	return err
}

func printUsage(w io.Writer) {
	fmt.Fprint(w, `oktaemu emulates an Okta org (Classic Engine or Identity Engine) in memory.

Usage:

	oktaemu <command> [flags]

Commands:

`)
	for _, c := range commands {
		fmt.Fprintf(w, "	%-10s %s\n", c.name, c.summary)
	}
	fmt.Fprintf(w, "	%-10s %s\n", "help", "show help for a command (oktaemu help serve)")
	fmt.Fprint(w, `
Examples:

	oktaemu serve                                          # Classic org on 127.0.0.1:8080
	oktaemu serve --engine identity --addr 127.0.0.1:9090  # Identity Engine org
	oktaemu serve --fixture ./my-org.yaml                  # your own seed data (fixtures/README.md)
	oktaemu health --url http://127.0.0.1:8080             # exit 0 when the emulator answers
	oktaemu fixtures validate ./my-org.yaml

	curl -H "Authorization: SSWS 00oktaemu-classic-default-api-token" http://127.0.0.1:8080/api/v1/users

Run 'oktaemu help <command>' for a command's flags.
`)
}

// usageError is a mistake in how oktaemu was invoked: exit status 2.
type usageError struct {
	cmd string
	msg string
}

func (e *usageError) Error() string {
	if e.cmd == "" {
		return e.msg
	}
	return e.cmd + ": " + e.msg
}

func usageErrorf(cmd, format string, args ...any) error {
	return &usageError{cmd: cmd, msg: fmt.Sprintf(format, args...)}
}

// report prints err (if any) and returns the process exit status.
func report(err error, stderr io.Writer) int {
	if err == nil {
		return 0
	}
	fmt.Fprintf(stderr, "oktaemu: %v\n", err)
	if ue := (*usageError)(nil); errors.As(err, &ue) {
		hint := "oktaemu help"
		if ue.cmd != "" {
			hint += " " + ue.cmd
		}
		fmt.Fprintf(stderr, "Run '%s' for usage.\n", hint)
		return 2
	}
	return 1
}

// parseFlags parses args into fs. -h prints the usage to stdout and returns
// flag.ErrHelp (run turns it into success); a bad flag is a usage error.
func parseFlags(fs *flag.FlagSet, args []string, stdout io.Writer) error {
	fs.SetOutput(io.Discard)
	err := fs.Parse(args)
	if errors.Is(err, flag.ErrHelp) {
		fs.SetOutput(stdout)
		fs.Usage()
		return flag.ErrHelp
	}
	if err != nil {
		return usageErrorf(fs.Name(), "%v", err)
	}
	return nil
}

// envOr returns the environment variable key, or def when it is unset or
// empty.
func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}

// envVar binds a flag to the environment variable that sets it when the
// flag is absent from the command line.
type envVar struct{ flag, key string }

// applyEnv sets every flag not given on the command line from its
// environment variable (when set and non-empty): a flag beats the
// environment, which beats the default. A bad value is a usage error naming
// the variable.
func applyEnv(fs *flag.FlagSet, vars []envVar) error {
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	for _, v := range vars {
		val := os.Getenv(v.key)
		if given[v.flag] || val == "" {
			continue
		}
		if err := fs.Set(v.flag, val); err != nil {
			return usageErrorf(fs.Name(), "%s=%q: %v", v.key, val, err)
		}
	}
	return nil
}
