package okta

// Engine is the kind of org: Classic Engine or Identity Engine.
type Engine string

// The two engines. Only the engine layer and emulator/engines.go compare an
// org's engine with these; everything else reads the engine's profile.
const (
	Classic  Engine = "classic"
	Identity Engine = "identity"
)

// Engines lists the engines in a fixed order, for table tests and the CLI.
var Engines = []Engine{Classic, Identity}

// ParseEngine accepts the names users type.
func ParseEngine(s string) (Engine, bool) {
	switch s {
	case "classic", "Classic", "CLASSIC", "ce", "CE":
		return Classic, true
	case "identity", "Identity", "IDENTITY", "oie", "OIE", "ie", "IE":
		return Identity, true
	}
	return "", false
}

// UserStatus is a user's lifecycle status.
type UserStatus string

// User statuses (Users API).
const (
	UserStaged          UserStatus = "STAGED"
	UserProvisioned     UserStatus = "PROVISIONED"
	UserActive          UserStatus = "ACTIVE"
	UserRecovery        UserStatus = "RECOVERY"
	UserPasswordExpired UserStatus = "PASSWORD_EXPIRED"
	UserLockedOut       UserStatus = "LOCKED_OUT"
	UserSuspended       UserStatus = "SUSPENDED"
	UserDeprovisioned   UserStatus = "DEPROVISIONED"
)

// UserStatuses lists every user status.
var UserStatuses = []UserStatus{UserStaged, UserProvisioned, UserActive, UserRecovery,
	UserPasswordExpired, UserLockedOut, UserSuspended, UserDeprovisioned}

// FactorType is a factorType on the wire.
type FactorType string

// Factor types (factors.md §2.1).
const (
	FactorQuestion    FactorType = "question"
	FactorSMS         FactorType = "sms"
	FactorCall        FactorType = "call"
	FactorEmail       FactorType = "email"
	FactorTOTP        FactorType = "token:software:totp"
	FactorPush        FactorType = "push"
	FactorToken       FactorType = "token"
	FactorHardware    FactorType = "token:hardware"
	FactorHOTP        FactorType = "token:hotp"
	FactorU2F         FactorType = "u2f"
	FactorWebAuthn    FactorType = "webauthn"
	FactorWeb         FactorType = "web"
	FactorSignedNonce FactorType = "signed_nonce"
)

// FactorStatus is a factor's status.
type FactorStatus string

// Factor statuses used by the emulator.
const (
	FactorNotSetup          FactorStatus = "NOT_SETUP"
	FactorPendingActivation FactorStatus = "PENDING_ACTIVATION"
	FactorActive            FactorStatus = "ACTIVE"
	FactorInactive          FactorStatus = "INACTIVE"
)

// PolicyType is a policy's type.
type PolicyType string

// Policy types the emulator knows.
const (
	PolicySignOn            PolicyType = "OKTA_SIGN_ON"
	PolicyPassword          PolicyType = "PASSWORD"
	PolicyMFAEnroll         PolicyType = "MFA_ENROLL"
	PolicyAccess            PolicyType = "ACCESS_POLICY"
	PolicyProfileEnrollment PolicyType = "PROFILE_ENROLLMENT"
	PolicyPostAuthSession   PolicyType = "POST_AUTH_SESSION"
	PolicyEntityRisk        PolicyType = "ENTITY_RISK"
	PolicyIDPDiscovery      PolicyType = "IDP_DISCOVERY"
)
