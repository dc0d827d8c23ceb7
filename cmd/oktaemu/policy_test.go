package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestPolicyConvert(t *testing.T) {
	classic := `{"id":"00p1","type":"MFA_ENROLL","name":"Legacy","settings":{"factors":{
	  "okta_question":{"enroll":{"self":"OPTIONAL"},"consent":{"type":"NONE"}},
	  "okta_otp":{"enroll":{"self":"OPTIONAL"},"consent":{"type":"NONE"}}}}}`
	converted := `{"id":"00p1","type":"MFA_ENROLL","name":"Legacy","settings":{"type":"AUTHENTICATORS","authenticators":[
	  {"key":"security_question","enroll":{"self":"OPTIONAL"}},
	  {"key":"okta_verify","enroll":{"self":"OPTIONAL"}}]}}`
	withRSA := `{"factors":{"rsa_token":{"enroll":{"self":"REQUIRED"}},"okta_sms":{"enroll":{"self":"OPTIONAL"}}}}`
	tests := []struct {
		name     string
		args     []string
		stdin    string
		want     string // JSON on stdout
		wantErr  string // substring of the error
		wantCode int    // exit status from report
	}{
		{"default direction", []string{"convert"}, classic, converted, "", 0},
		{"explicit --to", []string{"convert", "--to", "authenticators"}, classic, converted, "", 0},
		{"back to factors", []string{"convert", "--to=factors"}, converted,
			`{"id":"00p1","type":"MFA_ENROLL","name":"Legacy","settings":{"factors":{
			  "okta_question":{"enroll":{"self":"OPTIONAL"},"consent":{"type":"NONE"}},
			  "okta_otp":{"enroll":{"self":"OPTIONAL"},"consent":{"type":"NONE"}},
			  "okta_push":{"enroll":{"self":"OPTIONAL"},"consent":{"type":"NONE"}}}}}`, "", 0},
		{"rsa_token has no authenticator", []string{"convert", "--to", "authenticators"}, withRSA, "",
			"policy convert: factor rsa_token has no authenticator", 1},
		// The input's order is kept.
		{"--api-keys", []string{"convert", "--api-keys"}, withRSA,
			`{"type":"AUTHENTICATORS","authenticators":[{"key":"rsa_token","enroll":{"self":"REQUIRED"}},{"key":"phone_number","enroll":{"self":"OPTIONAL"}}]}`, "", 0},
		{"--drop-unmapped", []string{"convert", "--drop-unmapped"}, withRSA,
			`{"type":"AUTHENTICATORS","authenticators":[{"key":"phone_number","enroll":{"self":"OPTIONAL"}}]}`, "", 0},
		{"bad --to", []string{"convert", "--to", "nope"}, classic, "", `--to: "nope" is not factors or authenticators`, 2},
		{"no subcommand", nil, classic, "", "no subcommand given", 2},
		{"unknown subcommand", []string{"explode"}, classic, "", `unknown subcommand "explode"`, 2},
		{"not JSON", []string{"convert"}, "{", "", "policy convert: reading JSON", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			err := run(context.Background(), append([]string{"policy"}, tt.args...), strings.NewReader(tt.stdin), &stdout, &stderr)
			if code := report(err, &bytes.Buffer{}); code != tt.wantCode {
				t.Fatalf("exit status %d, want %d (err %v)", code, tt.wantCode, err)
			}
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				if stdout.Len() != 0 {
					t.Errorf("stdout on error: %s", stdout.String())
				}
				return
			}
			var got, want any
			if err := json.Unmarshal(stdout.Bytes(), &got); err != nil {
				t.Fatalf("stdout is not JSON: %v\n%s", err, stdout.String())
			}
			if err := json.Unmarshal([]byte(tt.want), &want); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("(-want +got)\n%s", diff)
			}
		})
	}
}

func TestPolicyConvertFileAndHelp(t *testing.T) {
	f := filepath.Join(t.TempDir(), "p.json")
	if err := os.WriteFile(f, []byte(`{"factors":{"okta_email":{"enroll":{"self":"REQUIRED"}}}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	var stdout bytes.Buffer
	if err := run(context.Background(), []string{"policy", "convert", f}, strings.NewReader(""), &stdout, &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stdout.String(), `"key": "okta_email"`) {
		t.Errorf("stdout = %s", stdout.String())
	}
	stdout.Reset()
	if err := run(context.Background(), []string{"help", "policy"}, nil, &stdout, &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stdout.String(), "oktaemu policy convert") {
		t.Errorf("help = %s", stdout.String())
	}
}
