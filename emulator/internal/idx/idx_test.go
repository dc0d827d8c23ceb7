package idx

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestMasking(t *testing.T) {
	for in, want := range map[string]string{"carol@example.com": "c***l@example.com", "ab@x.io": "a***@x.io", "nope": "nope"} {
		if got := maskEmail(in); got != want {
			t.Errorf("maskEmail(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{"+15550102": "+1 XXX-XXX-0102", "+1 (415) 555-1234": "+1 XXX-XXX-1234", "12": "12"} {
		if got := maskPhone(in); got != want {
			t.Errorf("maskPhone(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestEnrollAMR(t *testing.T) {
	tests := []struct {
		in      string
		want    []string
		wantErr bool
	}{
		{"okta_verify", []string{"okta_verify"}, false},
		{"pwd kba okta_verify sms tel", []string{"okta_password", "security_question", "okta_verify", "phone_number"}, false},
		{"", nil, true},
		{"yubikey", nil, true},
	}
	for _, tc := range tests {
		got, msg := enrollAMR(tc.in)
		if diff := cmp.Diff(tc.want, got); diff != "" || (msg != "") != tc.wantErr {
			t.Errorf("enrollAMR(%q) = %v %q (-want +got):\n%s", tc.in, got, msg, diff)
		}
	}
}

func TestAMR(t *testing.T) {
	for method, want := range map[string]string{"password": "pwd", "sms": "sms", "voice": "tel", "push": "swk",
		"totp": "otp", "otp": "otp", "security_question": "kba", "email": "email"} {
		if got := amrOf(method); got != want {
			t.Errorf("amrOf(%q) = %q, want %q", method, got, want)
		}
	}
}

func TestMessages(t *testing.T) {
	got := msg("WARNING", "idx.unknown.user", "x@y.z")
	want := Message{Message: "There is no account with the Username x@y.z.", I18n: I18n{Key: "idx.unknown.user", Params: []any{"x@y.z"}}, Class: "WARNING"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
