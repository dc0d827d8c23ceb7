package okta

import (
	"errors"
	"fmt"
	"strings"
)

// Code is an Okta error code such as "E0000004", the only field of an error
// object that clients may branch on.
type Code string

// Error codes used by the emulator. The comment on each names the status and
// the catalogue summary; the values themselves live in the codes table.
const (
	E0000001 Code = "E0000001" // 400 Api validation failed: {0}
	E0000002 Code = "E0000002" // 400 The request was not valid: {0}
	E0000003 Code = "E0000003" // 400 The request body was not well-formed.
	E0000004 Code = "E0000004" // 401 Authentication failed
	E0000005 Code = "E0000005" // 403 Invalid session
	E0000006 Code = "E0000006" // 403 You do not have permission to perform the requested action
	E0000007 Code = "E0000007" // 404 Not found: {0}
	E0000008 Code = "E0000008" // 404 The requested path was not found
	E0000009 Code = "E0000009" // 500 Internal Server Error
	E0000011 Code = "E0000011" // 401 Invalid token provided
	E0000014 Code = "E0000014" // 403 Update of credentials failed
	E0000015 Code = "E0000015" // 401 You do not have permission to access the feature you are requesting
	E0000016 Code = "E0000016" // 403 Activation failed because the user is already active
	E0000018 Code = "E0000018" // 400 Bad request.  Accept and/or Content-Type headers are likely not set.
	E0000021 Code = "E0000021" // 400 Bad request.  Accept and/or Content-Type headers likely do not match supported values.
	E0000022 Code = "E0000022" // 405 The endpoint does not support the provided HTTP method
	E0000028 Code = "E0000028" // 400 The request is missing a required parameter.
	E0000029 Code = "E0000029" // 400 Invalid paging request.
	E0000031 Code = "E0000031" // 400 Invalid search criteria.
	E0000032 Code = "E0000032" // 403 Unlock is not allowed for this user.
	E0000034 Code = "E0000034" // 403 Forgot password not allowed on specified user.
	E0000035 Code = "E0000035" // 403 Change password not allowed on specified user.
	E0000038 Code = "E0000038" // 403 This operation is not allowed in the user's current status.
	E0000047 Code = "E0000047" // 429 API call exceeded rate limit due to too many requests.
	E0000060 Code = "E0000060" // 501 Unsupported operation.
	E0000064 Code = "E0000064" // 401 Password is expired and must be changed.
	E0000067 Code = "E0000067" // 504 Factors Service Error.
	E0000068 Code = "E0000068" // 403 Invalid Passcode/Answer
	E0000069 Code = "E0000069" // 403 User Locked
	E0000070 Code = "E0000070" // 202 Waiting for ACK
	E0000073 Code = "E0000073" // 403 User rejected authentication
	E0000074 Code = "E0000074" // 400 Factor Service Error
	E0000079 Code = "E0000079" // 403 This operation is not allowed in the current authentication state.
	E0000080 Code = "E0000080" // 403 The password does not meet the complexity requirements of the current password policy.
	E0000082 Code = "E0000082" // 403 Each code can only be used once. Please wait for a new code and try again.
	E0000083 Code = "E0000083" // 403 PassCode is valid but exceeded time window.
	E0000086 Code = "E0000086" // 403 This policy cannot be activated at this time.
	E0000087 Code = "E0000087" // 403 The recovery question answer did not match our records.
	E0000095 Code = "E0000095" // 403 Recovery not allowed for unknown user.
	E0000097 Code = "E0000097" // 403 There is no verified phone number on file.
	E0000098 Code = "E0000098" // 400 This phone number is invalid.
	E0000099 Code = "E0000099" // 403 Only numbers located in US and Canada are allowed.  Contact your administrator if this is a problem.
	E0000102 Code = "E0000102" // 403 YubiKey cannot be deleted while assigned to an user. ...
	E0000105 Code = "E0000105" // 403 You have accessed an account recovery link that has expired or been previously used.
	E0000109 Code = "E0000109" // 429 An SMS message was recently sent. Please wait 30 seconds before trying again.
	E0000113 Code = "E0000113" // 409 {0}
	E0000118 Code = "E0000118" // 429 An email was recently sent. Please wait 5 seconds before trying again.
	E0000119 Code = "E0000119" // 403 Your account is locked. Please contact your administrator.
	E0000121 Code = "E0000121" // 400 Invalid phone extension. Please enter a valid phone extension.
	E0000122 Code = "E0000122" // 406 Accept Header did not contain supported media type 'application/json'
	E0000133 Code = "E0000133" // 429 A phone call was recently made. Please wait 30 seconds before trying again.
	E0000148 Code = "E0000148" // 403 Cannot modify/disable this authenticator because it is enabled in one or more policies. {0}
	E0000154 Code = "E0000154" // 410 Invalid factor id, it is not currently active.
	E0000157 Code = "E0000157" // 409 Another authenticator with key: {0} is already active.
	E0000158 Code = "E0000158" // 400 Invalid Enrollment. User verification required.
	E0000159 Code = "E0000159" // 400 Invalid Enrollment. FIPS compliance required.
	E0000180 Code = "E0000180" // 423 Factor id is currently not active.
	E0000207 Code = "E0000207" // 401 The username and/or the password you entered is incorrect. Please try again.
	E0000232 Code = "E0000232" // 400 Another authenticator enrollment already exists with the same nickname.
	E0000239 Code = "E0000239" // 423 Policy priorities are being reconciled. Please try again later.
	E0000247 Code = "E0000247" // 403 Your organization doesn't support SMS or Voice authentication at this time. Select another authentication method.
)

// codeInfo is one row of the catalogue.
type codeInfo struct {
	status  int
	summary string // may hold one "{0}" placeholder
}

// codes is the one table from error code to HTTP status and summary text
// (error-codes.json, release 2026.08.1). Nothing else in the project picks a
// status for an error.
var codes = map[Code]codeInfo{
	E0000001: {400, "Api validation failed: {0}"},
	E0000002: {400, "The request was not valid: {0}"},
	E0000003: {400, "The request body was not well-formed."},
	E0000004: {401, "Authentication failed"},
	E0000005: {403, "Invalid session"},
	E0000006: {403, "You do not have permission to perform the requested action"},
	E0000007: {404, "Not found: {0}"},
	E0000008: {404, "The requested path was not found"},
	E0000009: {500, "Internal Server Error"},
	E0000011: {401, "Invalid token provided"},
	E0000014: {403, "Update of credentials failed"},
	E0000015: {401, "You do not have permission to access the feature you are requesting"},
	E0000016: {403, "Activation failed because the user is already active"},
	E0000018: {400, "Bad request.  Accept and/or Content-Type headers are likely not set."},
	E0000021: {400, "Bad request.  Accept and/or Content-Type headers likely do not match supported values."},
	E0000022: {405, "The endpoint does not support the provided HTTP method"},
	E0000028: {400, "The request is missing a required parameter."},
	E0000029: {400, "Invalid paging request."},
	E0000031: {400, "Invalid search criteria."},
	E0000032: {403, "Unlock is not allowed for this user."},
	E0000034: {403, "Forgot password not allowed on specified user."},
	E0000035: {403, "Change password not allowed on specified user."},
	E0000038: {403, "This operation is not allowed in the user's current status."},
	E0000047: {429, "API call exceeded rate limit due to too many requests."},
	E0000060: {501, "Unsupported operation."},
	E0000064: {401, "Password is expired and must be changed."},
	E0000067: {504, "Factors Service Error."},
	E0000068: {403, "Invalid Passcode/Answer"},
	E0000069: {403, "User Locked"},
	E0000070: {202, "Waiting for ACK"},
	E0000073: {403, "User rejected authentication"},
	E0000074: {400, "Factor Service Error"},
	E0000079: {403, "This operation is not allowed in the current authentication state."},
	E0000080: {403, "The password does not meet the complexity requirements of the current password policy."},
	E0000082: {403, "Each code can only be used once. Please wait for a new code and try again."},
	E0000083: {403, "PassCode is valid but exceeded time window."},
	E0000086: {403, "This policy cannot be activated at this time."},
	E0000087: {403, "The recovery question answer did not match our records."},
	E0000095: {403, "Recovery not allowed for unknown user."},
	E0000097: {403, "There is no verified phone number on file."},
	E0000098: {400, "This phone number is invalid."},
	E0000099: {403, "Only numbers located in US and Canada are allowed.  Contact your administrator if this is a problem."},
	E0000102: {403, "YubiKey cannot be deleted while assigned to an user. Please deactivate YubiKey using reset MFA and try again"},
	E0000105: {403, "You have accessed an account recovery link that has expired or been previously used."},
	E0000109: {429, "An SMS message was recently sent. Please wait 30 seconds before trying again."},
	E0000113: {409, "{0}"},
	E0000118: {429, "An email was recently sent. Please wait 5 seconds before trying again."},
	E0000119: {403, "Your account is locked. Please contact your administrator."},
	E0000121: {400, "Invalid phone extension. Please enter a valid phone extension."},
	E0000122: {406, "Accept Header did not contain supported media type 'application/json'"},
	E0000133: {429, "A phone call was recently made. Please wait 30 seconds before trying again."},
	E0000148: {403, "Cannot modify/disable this authenticator because it is enabled in one or more policies. {0}"},
	E0000154: {410, "Invalid factor id, it is not currently active."},
	E0000157: {409, "Another authenticator with key: {0} is already active."},
	E0000158: {400, "Invalid Enrollment. User verification required."},
	E0000159: {400, "Invalid Enrollment. FIPS compliance required."},
	E0000180: {423, "Factor id is currently not active."},
	E0000207: {401, "The username and/or the password you entered is incorrect. Please try again."},
	E0000232: {400, "Another authenticator enrollment already exists with the same nickname."},
	E0000239: {423, "Policy priorities are being reconciled. Please try again later."},
	E0000247: {403, "Your organization doesn't support SMS or Voice authentication at this time. Select another authentication method."},
}

// Status returns the HTTP status Okta answers with for code, and 500 for a
// code missing from the table.
func (c Code) Status() int {
	if info, ok := codes[c]; ok {
		return info.status
	}
	return 500
}

// Known reports whether c is in the catalogue.
func (c Code) Known() bool {
	_, ok := codes[c]
	return ok
}

// Error is the one error type of the emulator: an Okta error code, its
// summary (the catalogue text with its placeholder filled in) and causes.
// Domain code returns it; internal/httpx renders it as Okta's error object.
type Error struct {
	Code    Code
	Summary string
	Causes  []string
	// Status overrides the catalogue status; zero means "from the table".
	// Only fault injection sets it, to answer with a status the user chose.
	Status int
}

func (e *Error) Error() string {
	if len(e.Causes) == 0 {
		return string(e.Code) + ": " + e.Summary
	}
	return string(e.Code) + ": " + e.Summary + " (" + strings.Join(e.Causes, "; ") + ")"
}

// HTTPStatus is the status to answer with.
func (e *Error) HTTPStatus() int {
	if e.Status != 0 {
		return e.Status
	}
	return e.Code.Status()
}

// Errorf builds an Error for code; args fill the catalogue's "{0}"
// placeholder (joined by ": " when several are given, as Okta's "Api
// validation failed: factorEnrollRequest" does). Causes are added with
// WithCauses.
func Errorf(code Code, args ...string) *Error {
	info, ok := codes[code]
	if !ok {
		panic(fmt.Sprintf("okta: error code %s is not in the catalogue", code))
	}
	summary := info.summary
	if strings.Contains(summary, "{0}") {
		summary = strings.Replace(summary, "{0}", strings.Join(args, ": "), 1)
		summary = strings.TrimSuffix(strings.TrimSpace(summary), ":")
	}
	return &Error{Code: code, Summary: summary}
}

// WithCauses returns a copy of e carrying causes as its errorCauses.
func (e *Error) WithCauses(causes ...string) *Error {
	c := *e
	c.Causes = append(append([]string(nil), e.Causes...), causes...)
	return &c
}

// As returns the *Error inside err, if any.
func As(err error) (*Error, bool) {
	var e *Error
	if errors.As(err, &e) {
		return e, true
	}
	return nil, false
}

// Is reports whether err carries Okta error code code.
func Is(err error, code Code) bool {
	e, ok := As(err)
	return ok && e.Code == code
}

// NotFound is E0000007 with Okta's "Resource not found: <id> (<Type>)"
// detail, as in "Not found: Resource not found: me (Session)".
func NotFound(id, typ string) *Error {
	return Errorf(E0000007, "Resource not found: "+id+" ("+typ+")")
}

// Validation is E0000001 "Api validation failed: <object>" with causes, the
// shape Okta uses for request bodies it understood but refused.
func Validation(object string, causes ...string) *Error {
	return Errorf(E0000001, object).WithCauses(causes...)
}
