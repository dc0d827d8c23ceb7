package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/oktaemu/oktaemu/emulator/policyconv"
)

// runPolicy is `oktaemu policy convert`: the MFA_ENROLL settings converter
// (emulator/policyconv) over stdin and stdout.
func runPolicy(_ context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("policy", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), `Usage:

	oktaemu policy convert [--to factors|authenticators] [--api-keys] [--drop-unmapped] [FILE]

convert reads JSON from FILE (or stdin when FILE is absent or "-"): an
MFA_ENROLL policy, a list of policies (as GET /api/v1/policies?type=MFA_ENROLL
returns), or bare settings. It writes the same JSON to stdout with the
settings converted between the factors schema (Classic Engine) and the
authenticators schema (Identity Engine), using the key mapping of Okta's
upgrade guide with the keys the API accepts (okta_sms/okta_call ->
phone_number, okta_otp/okta_push -> okta_verify, okta_question ->
security_question, okta_email -> okta_email, fido_webauthn -> webauthn, …).
Without --to each policy is converted to the schema it does not use.

A factor with no authenticator (rsa_token, symantec_vip, yubikey_token,
fido_u2f) or an authenticator with no factor (custom_app, external_idp, …) is
an error naming it, exit status 1.

Flags:

	--to SCHEMA       factors or authenticators
	--api-keys        map rsa_token, symantec_vip and yubikey_token to the same-named
	                  authenticator keys of the API enum instead of failing
	--drop-unmapped   drop keys with no counterpart instead of failing

Examples:

	curl -s -H "Authorization: SSWS $TOKEN" "$URL/api/v1/policies?type=MFA_ENROLL" | oktaemu policy convert --to factors
	oktaemu policy convert --to authenticators < classic-policy.json
`)
	}
	if err := parseFlags(fs, args, stdout); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return usageErrorf("policy", "no subcommand given (want convert)")
	}
	if fs.Arg(0) != "convert" {
		return usageErrorf("policy", "unknown subcommand %q (want convert)", fs.Arg(0))
	}
	cfs := flag.NewFlagSet("policy", flag.ContinueOnError)
	cfs.Usage = fs.Usage
	to := cfs.String("to", "", "factors or authenticators")
	apiKeys := cfs.Bool("api-keys", false, "map rsa_token, symantec_vip, yubikey_token to the API's keys")
	drop := cfs.Bool("drop-unmapped", false, "drop keys with no counterpart")
	if err := parseFlags(cfs, fs.Args()[1:], stdout); err != nil {
		return err
	}
	schema := policyconv.SchemaNone
	if *to != "" {
		s, ok := policyconv.ParseSchema(*to)
		if !ok {
			return usageErrorf("policy", "--to: %q is not factors or authenticators", *to)
		}
		schema = s
	}
	if cfs.NArg() > 1 {
		return usageErrorf("policy", "convert takes at most one FILE")
	}
	in := stdin
	if f := cfs.Arg(0); f != "" && f != "-" {
		fh, err := os.Open(f)
		if err != nil {
			return fmt.Errorf("policy convert: %w", err)
		}
		defer fh.Close()
		in = fh
	}
	data, err := io.ReadAll(in)
	if err != nil {
		return fmt.Errorf("policy convert: reading input: %w", err)
	}
	out, err := policyconv.Convert(data, schema, policyconv.Options{APIKeys: *apiKeys, DropUnmapped: *drop})
	if err != nil {
		return fmt.Errorf("policy convert: %w", err)
	}
	_, err = stdout.Write(out)
	return err
}
