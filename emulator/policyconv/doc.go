// Package policyconv converts the settings of Okta MFA_ENROLL (multifactor /
// authenticator enrollment) policies between their two schemas:
//
//   - the factors schema of Classic Engine, and of policies created before an
//     org's upgrade to Identity Engine:
//     {"factors":{"okta_sms":{"enroll":{"self":"REQUIRED"},"consent":{"type":"NONE"}}}}
//   - the authenticators schema of Identity Engine:
//     {"type":"AUTHENTICATORS","authenticators":[{"key":"phone_number","enroll":{"self":"REQUIRED"}}]}
//
// The key mapping is the one of Okta's guide "Understand authenticator
// enrollment policy API changes after the upgrade" (okta/okta-developer-docs
// guides/oie-upgrade-mfa-enroll-policy, table "Policy Factors Configuration
// object and Authenticator keys mapping"), written with the keys the
// Policies API really accepts (Okta's management OpenAPI enum) where the
// guide's table names the authenticator type instead:
//
//	factors key                 authenticator key
//	okta_sms, okta_call         phone_number     (okta_voice is read as okta_call)
//	okta_otp, okta_push         okta_verify
//	okta_question               security_question
//	okta_email                  okta_email       (the guide writes "email")
//	fido_webauthn               webauthn         (the guide writes "security_key", the type)
//	duo                         duo
//	google_otp                  google_otp       (not in the guide's table; same key)
//	okta_password               okta_password
//	rsa_token, symantec_vip,    none: "n/a" in the guide. With Options.APIKeys they map to
//	yubikey_token               the same-named keys the API enum accepts.
//	fido_u2f                    none
//
// Two factors that map to one authenticator merge to the stronger
// requirement (REQUIRED > OPTIONAL > NOT_ALLOWED); an authenticator that
// maps to two factors sets both. A key with no counterpart is an
// *UnmappedError naming every such key, unless Options.DropUnmapped.
//
// ToAuthenticators and ToFactors work on decoded settings maps; Convert
// works on JSON text holding a policy, a list of policies, or bare settings,
// and keeps the order in which the factors or authenticators were written.
// The command `oktaemu policy convert` is Convert over stdin and stdout.
//
// The converter does not add okta_password: Identity Engine refuses an
// authenticators policy in which neither okta_password nor okta_email is
// REQUIRED ("At least one of Password or Email authenticator must be set to
// required."), so a converted Classic policy may need that entry added.
package policyconv
