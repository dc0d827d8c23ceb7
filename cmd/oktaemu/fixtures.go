package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"text/tabwriter"

	"github.com/oktaemu/oktaemu/fixtures"
)

// runFixtures is `oktaemu fixtures` (list) and `oktaemu fixtures validate`.
func runFixtures(_ context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("fixtures", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), `Usage:

	oktaemu fixtures                    list the fixtures embedded in the binary
	oktaemu fixtures validate FILE...   check fixture files (strict: unknown keys fail with file:line)

A fixture is a YAML file describing an org's starting state; the format is
documented in fixtures/README.md. Serve one with 'oktaemu serve --fixture FILE'.

Examples:

	oktaemu fixtures
	oktaemu fixtures validate ./my-org.yaml
`)
	}
	if err := parseFlags(fs, args, stdout); err != nil {
		return err
	}
	switch {
	case fs.NArg() == 0:
		return listFixtures(stdout)
	case fs.Arg(0) == "validate":
		if fs.NArg() == 1 {
			return usageErrorf("fixtures", "validate needs at least one FILE")
		}
		return validateFixtures(fs.Args()[1:], stdout, stderr)
	default:
		return usageErrorf("fixtures", "unknown subcommand %q (want validate)", fs.Arg(0))
	}
}

func listFixtures(stdout io.Writer) error {
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tENGINE\tUSERS\tGROUPS\tAPI TOKEN")
	for _, name := range fixtures.Names() {
		fx, err := fixtures.Load(name)
		if err != nil {
			return fmt.Errorf("fixtures: %w", err)
		}
		engine := fx.Engine
		if engine == "" {
			engine = "any"
		}
		token := "-"
		if len(fx.APITokens) > 0 {
			token = fx.APITokens[0].Token
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%s\n", name, engine, len(fx.Users), len(fx.Groups), token)
	}
	return tw.Flush()
}

// validateFixtures parses every file strictly; every file is checked even
// after a failure.
func validateFixtures(files []string, stdout, stderr io.Writer) error {
	failed := 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err == nil {
			var fx *fixtures.Org
			if fx, err = fixtures.Parse(f, data); err == nil {
				engine := fx.Engine
				if engine == "" {
					engine = "any engine"
				}
				fmt.Fprintf(stdout, "%s: ok (%s; %d users, %d groups, %d apps, %d policies, %d API tokens)\n",
					f, engine, len(fx.Users), len(fx.Groups), len(fx.Apps), len(fx.Policies), len(fx.APITokens))
				continue
			}
		}
		failed++
		fmt.Fprintln(stderr, err)
	}
	if failed > 0 {
		return errors.New("fixtures: " + plural(failed, "invalid file"))
	}
	return nil
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}
