package engine

import "github.com/oktaemu/oktaemu/emulator/internal/okta"

// Profile is the data difference between the engines on endpoints both
// serve: one field per documented difference. Each field names its row of
// shared/reference/engines.md ("row N") and that row's sources. Add a field
// here, with its two values below, for every new difference; never branch on
// the engine elsewhere.
type Profile struct {
	// Engine is the engine this profile describes, for display only (the
	// pipeline name, logs, the console). Never branch on it.
	Engine okta.Engine

	// WellKnownPipeline is `pipeline` in GET /.well-known/okta-organization:
	// "v1" in Classic, "idx" in Identity Engine. Row 1 (SPEC26 examples
	// WellKnownOrgMetadataResponse*).
	WellKnownPipeline string

	// AdminCreatedEmailVerified: an admin-created, activated user's primary
	// email counts as verified, which in Identity Engine makes it an email
	// authenticator enrollment (listed as an ACTIVE email factor). Row 2
	// (S000 "Reset Factor API: email enrollment", LIM, FAC list example).
	AdminCreatedEmailVerified bool

	// Sessions API (sessions/policies engineer).

	// SessionCookieToken: POST /api/v1/sessions honours
	// additionalFields=cookieToken and cookieTokenUrl. Identity Engine does
	// not support them; the emulator then answers 200 with the Session
	// without them (the row's suggested default). Row 19 (S000, LIM, USES).
	SessionCookieToken bool
	// SessionsMeIncludesIdP: GET /api/v1/sessions/me returns `idp`; Identity
	// Engine omits it. Row 20 (S000; RN22I lists restoring it, kept as this
	// toggle).
	SessionsMeIncludesIdP bool
	// SessionCookies are the cookies /api/v1/sessions/me* accept, in the
	// order tried: "sid" in Classic; "idx" and "sid" in Identity Engine.
	// Row 21 (USES, SPEC24 `Cookie` parameter).
	SessionCookies []string
	// ForgetDevicesDefault is the default of `forgetDevices` on DELETE
	// /api/v1/users/{id}/sessions: false in Classic, true in Identity
	// Engine. Row 23 (SPEC26 revokeUserSessions).
	ForgetDevicesDefault bool

	// Policies API (sessions/policies engineer).

	// MFAEnrollAuthenticators: MFA_ENROLL settings may use the
	// authenticators schema (Classic: factors only). Row 24 (S002, POL).
	// The default policy's schema (row 25) is the fixture's.
	MFAEnrollAuthenticators bool
	// MFAEnrollRequirePasswordOrEmail: an authenticators-schema MFA_ENROLL
	// policy must set okta_password or okta_email REQUIRED. Row 26 (TF #1176).
	MFAEnrollRequirePasswordOrEmail bool
	// PolicyActivateParam: POST /api/v1/policies honours ?activate=false
	// (Identity Engine ignores it). Row 27 (SPEC24 createPolicy).
	PolicyActivateParam bool
	// PolicyExpandRules: GET /api/v1/policies/{id}?expand=rules embeds the
	// rules (Identity Engine ignores expand). Row 28 (POL, OKTA-622770).
	PolicyExpandRules bool
	// PolicyCloneTypes are the policy types POST
	// /api/v1/policies/{id}/clone copies: none in Classic (the operation
	// does not exist: 404 E0000008), ACCESS_POLICY in Identity Engine.
	// Row 29 (POL).
	PolicyCloneTypes []okta.PolicyType
	// PolicyTypes are the policy types the Policies API accepts; others are
	// 400 E0000002 "Invalid policy type specified.". Row 30 (POL, SPEC24,
	// TF #1311).
	PolicyTypes []okta.PolicyType
	// EditableDefaultRules are the policy types whose default rule can be
	// replaced over the API: none in Classic; in Identity Engine all but
	// MFA_ENROLL and IDP_DISCOVERY. Row 31 (POL).
	EditableDefaultRules []okta.PolicyType

	// Authn API (authn engineer).

	// AuthnAudience: POST /api/v1/authn honours `audience` (IdP-initiated
	// step-up for a SAML/WS-Fed app; an unknown id is 400 E0000001 "Invalid
	// or unknown audience"); Identity Engine refuses any audience with that
	// error. Row 35 (S000, LIM, AUTHN, S003).
	AuthnAudience bool
	// AuthnRelayState: relayState is persisted and echoed on every response
	// of the transaction (cancel included); Identity Engine accepts and
	// ignores it. Row 37 (AUTHN).
	AuthnRelayState bool
	// AuthnDeviceToken: a trusted app's context.deviceToken identifies the
	// device for remember-device; in Identity Engine it is not used for
	// device recognition (only the device cookie is). Row 36 (S000, AUTHN).
	AuthnDeviceToken bool
	// AuthnDenyIEOnlyRecovery: recovery through /api/v1/authn/recovery/* is
	// denied (403 E0000006) when the password-policy rule allows only
	// options the authn API cannot offer (Okta Verify push / OTP primary,
	// any-authenticator step-up). Row 34 (S000, LIM).
	AuthnDenyIEOnlyRecovery bool

	// Factors API (factors engineer). FactorRules (factorrules.go) hands
	// the domain ones to org.Options.Factors.

	// FactorsAutoEmail: the verified primary email is listed as an ACTIVE
	// email factor (no created/lastUpdated), re-appears after deletion and
	// after reset_factors. Rows 2, 5 (S000, LIM, FAC list example).
	FactorsAutoEmail bool
	// FactorsRecoveryQuestion: the forgot-password question is listed as a
	// question factor while no MFA question is enrolled; reset_factors
	// clears it only on a call that found nothing else. Rows 3, 4 (S000, LIM).
	FactorsRecoveryQuestion bool
	// FactorsMultiplePhones: several sms/call factors per user. Row 6 (FAC).
	FactorsMultiplePhones bool
	// FactorsOktaVerifySiblings: enrolling push also enrolls Okta Verify
	// totp and signed_nonce (totp also enrolls push); deleting push or
	// signed_nonce deletes all three. Rows 7, 8, 9, 14 (FAC, SPEC24, SPEC26).
	FactorsOktaVerifySiblings bool
	// FactorsSecondPushCause is the cause of 400 E0000001 refusing a second
	// Okta Verify push through the Factors API. Row 10 (S000, LIM, S001;
	// status/code suggested).
	FactorsSecondPushCause string
	// FactorsPrimaryEmailOnly: only the primary email can be enrolled as an
	// email factor (Classic: primary or secondary). Row 12 (FAC, SPEC26,
	// RN25I OKTA-1045693).
	FactorsPrimaryEmailOnly bool
	// FactorsSignedNonceCause is the cause of 400 E0000001 for enrolling,
	// activating or verifying signed_nonce through the Factors API. Row 13
	// (SPEC26; error suggested).
	FactorsSignedNonceCause string
	// OrgFactorsLocked are the org factors whose lifecycle
	// activate/deactivate the Org Factors API refuses (Identity Engine:
	// okta_sms, answered 501 E0000060, one of the row's suggestions). Row 16
	// (S000, LIM, FADM).
	OrgFactorsLocked []string
	// AuthenticatorsAPI: /api/v1/authenticators and
	// /api/v1/users/{id}/authenticator-enrollments are served; otherwise
	// 401 E0000015 (authenticators.md §0, suggested). Rows 17, 18 (ADM,
	// SPEC24, SPEC26, RN25I).
	AuthenticatorsAPI bool
	// ExtraOktaVerify: a user may hold several Okta Verify enrollments,
	// added by the app or IDX (the control plane's "add an Okta Verify
	// enrollment" does it); Classic keeps one per user. Rows 10, 18 (S000,
	// LIM, S001).
	ExtraOktaVerify bool
}

// policyTypesBoth are the policy types of both engines (row 30).
var policyTypesBoth = []okta.PolicyType{okta.PolicySignOn, okta.PolicyPassword, okta.PolicyMFAEnroll, okta.PolicyIDPDiscovery}

// Classic is Okta Classic Engine.
var Classic = Profile{
	Engine:                    okta.Classic,
	WellKnownPipeline:         "v1",
	AdminCreatedEmailVerified: false,

	// Sessions and policies, rows 19-31.
	SessionCookieToken:              true,
	SessionsMeIncludesIdP:           true,
	SessionCookies:                  []string{"sid"},
	ForgetDevicesDefault:            false,
	MFAEnrollAuthenticators:         false,
	MFAEnrollRequirePasswordOrEmail: false,
	PolicyActivateParam:             true,
	PolicyExpandRules:               true,
	PolicyCloneTypes:                nil,
	PolicyTypes:                     policyTypesBoth,
	EditableDefaultRules:            nil,

	// Authn, rows 34-37.
	AuthnAudience:           true,
	AuthnRelayState:         true,
	AuthnDeviceToken:        true,
	AuthnDenyIEOnlyRecovery: false,

	// Factors, rows 2-18.
	FactorsAutoEmail:          false,
	FactorsRecoveryQuestion:   false,
	FactorsMultiplePhones:     false,
	FactorsOktaVerifySiblings: false,
	FactorsSecondPushCause:    "A factor of this type is already set up.",
	FactorsPrimaryEmailOnly:   false,
	FactorsSignedNonceCause:   "Invalid factor type: signed_nonce.",
	OrgFactorsLocked:          nil,
	AuthenticatorsAPI:         false,
	ExtraOktaVerify:           false,
}

// Identity is Okta Identity Engine (an org upgraded from Classic keeps the
// Classic APIs with the limits recorded here).
var Identity = Profile{
	Engine:                    okta.Identity,
	WellKnownPipeline:         "idx",
	AdminCreatedEmailVerified: true,

	// Sessions and policies, rows 19-31.
	SessionCookieToken:              false,
	SessionsMeIncludesIdP:           false,
	SessionCookies:                  []string{"idx", "sid"},
	ForgetDevicesDefault:            true,
	MFAEnrollAuthenticators:         true,
	MFAEnrollRequirePasswordOrEmail: true,
	PolicyActivateParam:             false,
	PolicyExpandRules:               false,
	PolicyCloneTypes:                []okta.PolicyType{okta.PolicyAccess},
	PolicyTypes: append(policyTypesBoth[:len(policyTypesBoth):len(policyTypesBoth)],
		okta.PolicyAccess, okta.PolicyProfileEnrollment, okta.PolicyPostAuthSession, okta.PolicyEntityRisk),
	EditableDefaultRules: []okta.PolicyType{okta.PolicySignOn, okta.PolicyPassword, okta.PolicyAccess,
		okta.PolicyProfileEnrollment, okta.PolicyPostAuthSession, okta.PolicyEntityRisk},

	// Authn, rows 34-37.
	AuthnAudience:           false,
	AuthnRelayState:         false,
	AuthnDeviceToken:        false,
	AuthnDenyIEOnlyRecovery: true,

	// Factors, rows 2-18.
	FactorsAutoEmail:          true,
	FactorsRecoveryQuestion:   true,
	FactorsMultiplePhones:     true,
	FactorsOktaVerifySiblings: true,
	FactorsSecondPushCause:    "Maximum number of enrollments reached for factorType push.",
	FactorsPrimaryEmailOnly:   true,
	FactorsSignedNonceCause:   "The signed_nonce factor cannot be enrolled, activated or verified through the Factors API.",
	OrgFactorsLocked:          []string{"okta_sms"},
	AuthenticatorsAPI:         true,
	ExtraOktaVerify:           true,
}
