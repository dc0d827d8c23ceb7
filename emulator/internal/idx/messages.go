package idx

import (
	"fmt"
	"strings"
)

// Message keys and texts Okta's IDX responses carry (idx.md §3.7). "{0}"
// is filled from the params.
var messageTexts = map[string]string{
	"errors.E0000004":                                  "Authentication failed",
	"incorrectPassword":                                "Password is incorrect",
	"idx.unknown.user":                                 "There is no account with the Username {0}.",
	"api.authn.error.PASSCODE_INVALID":                 "Invalid code. Try again.",
	"authfactor.challenge.soft_token.invalid_passcode": "API error: Your code doesn't match our records. Please try again.",
	"authfactor.challenge.soft_token.used_passcode":    "API error: Each code can only be used once. Please wait for a new code and try again.",
	"authfactor.challenge.suspended_factor":            "This factor is suspended for your account due to too many failed attempts",
	"api.authn.poll.error.push_rejected":               "You have chosen to reject this login.",
	"idx.session.expired":                              "You have been logged out due to inactivity. Refresh or return to the sign in screen.",
	"security.access_denied":                           "You do not have permission to perform the requested action.",
	"idx.error.user.not.assigned.to.app":               "User is not assigned to this application.",
	"oie.assurance.unsatisfiable":                      "Unable to login to \"{0}\" at this time. For assistance, please contact your administrator.",
	"oie.selfservice.reset.password.not.allowed":       "Reset password is not allowed at this time. Please contact support for assistance.",
	"oie.selfservice.user.unlock.not.allowed":          "Self Service Unlock is not allowed at this time. Please contact support for assistance.",
	"password.passwordRequirementsNotMet":              "Password requirements were not met. Password requirements: {0}",
	"securityQuestion.answer.tooShort.arg":             "The security question answer must be at least 4 characters in length",
	"api.factors.error.sms.invalid_phone":              "Invalid Phone Number.",
	"errors.E0000150":                                  "You have reached the limit of sms requests, please try again later.",
	"errors.E0000151":                                  "You have reached the limit of call requests, please try again later.",
	"idx.error.registration.unavailable":               "Registration is currently unavailable.",
	"tooManyRequests":                                  "Too many requests",
	"oie.selfservice.unlock_user.success.message":      "You can log in using your existing username and password",
	"idx.password.expiring.message":                    "When your password expires, you will have to change your password before you can login to your {0} account.",
	"core.system.transaction_resource_not_found":       "Verification timed out. Please try again",
	"E0000009":        "Internal Server Error",
	"errors.E0000119": "Your account is locked. Please contact your administrator.",
}

// msg builds a message of class cls for key; params fill "{0}".
func msg(cls, key string, params ...string) Message {
	text, ok := messageTexts[key]
	if !ok {
		panic("idx: unknown message key " + key)
	}
	m := Message{Message: text, I18n: I18n{Key: key}, Class: cls}
	for i, p := range params {
		m.Message = strings.ReplaceAll(m.Message, fmt.Sprintf("{%d}", i), p)
		m.I18n.Params = append(m.I18n.Params, p)
	}
	return m
}

func errMsg(key string, params ...string) Message  { return msg("ERROR", key, params...) }
func infoMsg(key string, params ...string) Message { return msg("INFO", key, params...) }
func warnMsg(key string, params ...string) Message { return msg("WARNING", key, params...) }
