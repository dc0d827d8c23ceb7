package org

import (
	"slices"
	"strings"
	"time"

	"github.com/oktaemu/oktaemu/emulator/internal/okta"
)

// AuthnStatus is the status of an authn transaction (authn.md §3.1).
type AuthnStatus string

// Authn statuses.
const (
	AuthnUnauthenticated          AuthnStatus = "UNAUTHENTICATED"
	AuthnPasswordWarn             AuthnStatus = "PASSWORD_WARN"
	AuthnPasswordExpired          AuthnStatus = "PASSWORD_EXPIRED"
	AuthnRecovery                 AuthnStatus = "RECOVERY"
	AuthnRecoveryChallenge        AuthnStatus = "RECOVERY_CHALLENGE"
	AuthnPasswordReset            AuthnStatus = "PASSWORD_RESET"
	AuthnLockedOut                AuthnStatus = "LOCKED_OUT"
	AuthnMFAEnroll                AuthnStatus = "MFA_ENROLL"
	AuthnMFAEnrollActivate        AuthnStatus = "MFA_ENROLL_ACTIVATE"
	AuthnMFARequired              AuthnStatus = "MFA_REQUIRED"
	AuthnMFAChallenge             AuthnStatus = "MFA_CHALLENGE"
	AuthnSuccess                  AuthnStatus = "SUCCESS"
	RecoveryTypePassword                      = "PASSWORD"
	RecoveryTypeUnlock                        = "UNLOCK"
	RecoveryTypeAccountActivation             = "ACCOUNT_ACTIVATION"
)

// StateTokenLifetime is how long a stateToken lives without use; every
// successful call slides it (authn.md §1.7, suggested 5 minutes).
const StateTokenLifetime = 5 * time.Minute

// AuthnEngine carries the engine's profile values the state machine reads
// (engine.Profile fields, each citing its engines.md row). The domain never
// asks which engine it runs.
type AuthnEngine struct {
	// AudienceSupported: `audience` names a SAML/WS-Fed app for IdP-initiated
	// step-up; otherwise any audience is refused (row 35).
	AudienceSupported bool
	// KeepRelayState: relayState is stored and echoed (row 37).
	KeepRelayState bool
	// DeviceTokenRecognized: a trusted app's context.deviceToken identifies
	// the device for remember-device (row 36); otherwise only the device
	// cookie does.
	DeviceTokenRecognized bool
	// DenyIEOnlyRecovery: recovery is denied when the password-policy rule's
	// self-service reset requirement names only options the authn API cannot
	// offer (Okta Verify push, OTP, any-authenticator step-up) (row 34).
	DenyIEOnlyRecovery bool
}

// PrimaryAuth is the body of POST /api/v1/authn that starts a transaction.
type PrimaryAuth struct {
	Username, Password string
	// Token is an activation token (user activation without a password).
	Token      string
	Audience   string
	RelayState string
	// Options of the request.
	WarnBeforePasswordExpired bool
	MultiOptionalFactorEnroll bool
	// DeviceToken is context.deviceToken; honoured for trusted callers only.
	DeviceToken string
	// DeviceCookie is the device cookie the HTTP layer keeps per browser.
	DeviceCookie string
	// Trusted: the request carried a valid SSWS token (authn.md §1.3).
	Trusted bool
}

// StepUp describes the app of an IdP-initiated step-up transaction.
type StepUp struct {
	App App
}

// AuthnTransaction is the state of a transaction as the API renders it.
type AuthnTransaction struct {
	// StateToken is empty when the status carries none (SUCCESS, LOCKED_OUT,
	// EMAIL RECOVERY_CHALLENGE, trusted RECOVERY).
	StateToken    string
	ExpiresAt     time.Time
	Status        AuthnStatus
	RelayState    string
	RecoveryType  string
	RecoveryToken string
	SessionToken  string
	// FactorResult is WAITING/REJECTED/TIMEOUT/CHALLENGE when set.
	FactorResult string
	// FactorType is the recovery factor (EMAIL, SMS, CALL) of
	// RECOVERY_CHALLENGE.
	FactorType string
	StepUp     *StepUp
	User       *User
	// RecoveryQuestion is the question to answer in RECOVERY.
	RecoveryQuestion string
	// Factors are the user's factors to verify (MFA_REQUIRED).
	Factors []Factor
	// Enroll lists what may be enrolled (MFA_ENROLL).
	Enroll []EnrollOption
	// Factor is the factor of MFA_CHALLENGE / MFA_ENROLL_ACTIVATE.
	Factor *Factor
	// Activation is the factor's pending activation (TOTP secret, push QR).
	Activation *AuthnActivation
	// CorrectAnswer is the push number challenge, 0 when none.
	CorrectAnswer int
	// Nonce is the outstanding u2f/webauthn challenge.
	Nonce string
	// ByType names the factor type verified by type (webauthn): in
	// MFA_REQUIRED, several WebAuthn factors (`_embedded.factorTypes`); in
	// MFA_CHALLENGE, a verify-by-type challenge of Factors.
	ByType string
	// Password is the user's password policy (PASSWORD_* states).
	Password *PasswordPolicy
	// PasswordExpireDays is the days left in PASSWORD_WARN, -1 otherwise.
	PasswordExpireDays int
	// Remember is the remember-device policy (MFA_REQUIRED, MFA_CHALLENGE).
	Remember *RememberPolicy
	// CanSkip publishes the skip link (PASSWORD_WARN, MFA_ENROLL).
	CanSkip bool
}

// AuthnActivation is a factor activation shown in MFA_ENROLL_ACTIVATE.
type AuthnActivation struct {
	// SharedSecret is the TOTP secret (base32).
	SharedSecret string
	// QRToken is the opaque part of the QR code link.
	QRToken   string
	ExpiresAt time.Time
	// FactorResult of a push activation: WAITING or TIMEOUT.
	FactorResult string
}

// RememberPolicy is `_embedded.policy` of MFA states.
type RememberPolicy struct {
	AllowRememberDevice             bool
	RememberDeviceLifetimeInMinutes int
	RememberDeviceByDefault         bool
	// AutoPush is the saved auto-push preference per push factor id.
	AutoPush map[string]bool
}

// EnrollOption is one entry of the MFA_ENROLL factor list.
type EnrollOption struct {
	FactorType okta.FactorType
	Provider   string
	// Enrollment is REQUIRED or OPTIONAL.
	Enrollment string
	// Status is NOT_SETUP or ACTIVE.
	Status okta.FactorStatus
	// Phones are the user's phones for sms/call (masked by the API).
	Phones []Factor
}

// authnTx is one authn transaction, guarded by o.mu, or in a shared
// sign-in step by its user's signin lock (expiresAt also by o.hot, which
// sweeps read; signin.go).
type authnTx struct {
	key        string
	userID     string
	status     AuthnStatus
	expiresAt  time.Time
	relayState string
	trusted    bool
	devices    []string // device identities: the cookie, a trusted deviceToken
	audience   string
	warn       bool
	multiEnrol bool

	pwdAt, factorAt time.Time
	amr             []string
	// Steps of §3.3 already passed.
	mfaDone, pwdDone, enrollDone, warnDone bool
	// enrolledHere: a factor was enrolled in this transaction.
	enrolledHere bool

	// factorID is the factor of MFA_CHALLENGE / MFA_ENROLL_ACTIVATE.
	factorID     string
	factorResult string
	pushID       string
	prev         AuthnStatus
	// rememberUntil is set when a factor was verified with rememberDevice.
	rememberUntil *time.Time

	// Recovery.
	recoveryType   string
	recoveryFactor string // EMAIL, SMS, CALL
	fake           bool   // unknown user: every verify fails
	denied         bool   // recovery denied by policy (engines.md row 34)
	recoveryOTP    digest
	recoveryOTPExp time.Time
	recoveryTo     string
	recoverySent   time.Time
	// questionRequired: RECOVERY must answer the recovery question.
	questionRequired bool
}

// newTx starts a transaction and returns it with its stateToken; the caller
// holds o.mu (read or write: it stores the transaction under o.hot).
func (o *Org) newTx(uid string) (*authnTx, string) {
	o.authnInit()
	token := "00" + o.ids.Random(40)
	tx := &authnTx{key: o.macKey("stateToken", token), userID: uid,
		expiresAt: o.clock.Now().Add(StateTokenLifetime)}
	o.hot.Lock()
	defer o.hot.Unlock()
	o.sweepTxs()
	o.authn.txs[tx.key] = tx
	return tx, token
}

// sweepTxs forgets expired transactions (sweepExpired); the caller holds
// o.hot.
func (o *Org) sweepTxs() {
	now := o.clock.Now()
	sweepExpired(o.authn.txs, &o.authn.txSweep, func(tx *authnTx) bool { return !now.Before(tx.expiresAt) })
}

// liveTx returns the live transaction of stateToken and slides its expiry,
// or 401 E0000011 for an unknown, expired, cancelled or finished one
// (authn.md §3.2). The caller holds o.mu.
func (o *Org) liveTx(stateToken string) (*authnTx, error) {
	return o.liveTxKey(stateToken, o.txKey(stateToken))
}

// txKey is the transaction map key of stateToken; it needs no lock, so hot
// callers compute it before taking o.mu.
func (o *Org) txKey(stateToken string) string { return o.macKey("stateToken", stateToken) }

// liveTxKey is liveTx with the key already computed (txKey). A shared
// step holds the transaction user's signin lock: the expiry it slides is
// read by renders under that lock and by sweeps under o.hot.
func (o *Org) liveTxKey(stateToken, key string) (*authnTx, error) {
	o.authnInit()
	if stateToken == "" {
		return nil, okta.Errorf(okta.E0000011)
	}
	o.hot.Lock()
	defer o.hot.Unlock()
	tx, ok := o.authn.txs[key]
	if !ok {
		return nil, okta.Errorf(okta.E0000011)
	}
	now := o.clock.Now()
	if !now.Before(tx.expiresAt) {
		delete(o.authn.txs, key)
		return nil, okta.Errorf(okta.E0000011)
	}
	if !tx.fake {
		if _, ok := o.users[tx.userID]; !ok {
			delete(o.authn.txs, key)
			return nil, okta.Errorf(okta.E0000011)
		}
	}
	tx.expiresAt = now.Add(StateTokenLifetime)
	return tx, nil
}

// endTx forgets a transaction: its stateToken is dead.
func (o *Org) endTx(tx *authnTx) {
	o.hot.Lock()
	defer o.hot.Unlock()
	delete(o.authn.txs, tx.key)
}

// txUser is the user of stateToken's transaction (key its txKey), nil for
// none; a shared verify locks it before touching the transaction.
func (o *Org) txUser(key string) *user {
	o.hot.Lock()
	defer o.hot.Unlock()
	if tx, ok := o.authn.txs[key]; ok {
		return o.users[tx.userID]
	}
	return nil
}

// notAllowed is 403 E0000079 with its cause (authn.md §1.5).
func notAllowed() error {
	return okta.Errorf(okta.E0000079).WithCauses("This operation is not allowed in the current authentication state.")
}

// authFailed is the one answer for bad credentials, unknown users and users
// who may not sign in: no user enumeration.
func authFailed() error { return okta.Errorf(okta.E0000004) }

// lookupLogin finds a user by the username of a sign-in: the login
// (case-insensitive), else the unique login whose part before "@" matches
// (Okta's short name). The caller holds o.mu.
func (o *Org) lookupLogin(username string) *user {
	username = strings.TrimSpace(username)
	if username == "" {
		return nil
	}
	if id, ok := o.usersByLogin[strings.ToLower(username)]; ok {
		return o.users[id]
	}
	if strings.Contains(username, "@") {
		return nil
	}
	var found *user
	for login, id := range o.usersByLogin {
		if short, _, ok := strings.Cut(login, "@"); ok && short == strings.ToLower(username) {
			if found != nil {
				return nil
			}
			found = o.users[id]
		}
	}
	return found
}

// Authenticate is POST /api/v1/authn without a stateToken: primary
// authentication with username and password, or with an activation token
// (authn.md §4, §3.4).
func (o *Org) Authenticate(in PrimaryAuth, eng AuthnEngine) (AuthnTransaction, error) {
	return signInStep(o, func(shared bool) (AuthnTransaction, error) {
		return o.authenticate(in, eng, shared)
	})
}

// authenticate is Authenticate under o.mu, shared or exclusive (signin.go).
func (o *Org) authenticate(in PrimaryAuth, eng AuthnEngine, shared bool) (AuthnTransaction, error) {
	if shared && (in.Token != "" || in.Audience != "") { // activation, step-up
		return AuthnTransaction{}, errExclusive
	}
	o.authnInit()
	var app *App
	if in.Audience != "" {
		if !eng.AudienceSupported {
			return AuthnTransaction{}, okta.Validation("authRequest", "Invalid or unknown audience '"+in.Audience+"'.")
		}
		a, ok := o.apps[in.Audience]
		if !ok || a.Status != StatusActive {
			return AuthnTransaction{}, okta.Validation("authRequest", "Invalid or unknown audience '"+in.Audience+"'.")
		}
		switch a.SignOnMode {
		case "SAML_2_0", "SAML_1_1", "WS_FEDERATION":
		default:
			return AuthnTransaction{}, okta.Validation("authRequest", "Sign in not allowed for app '"+in.Audience+"'.")
		}
		app = a
	}
	if in.Token != "" {
		return o.authenticateActivation(in, eng)
	}
	if strings.TrimSpace(in.Username) == "" || in.Password == "" {
		return AuthnTransaction{}, okta.Validation("authRequest",
			"The 'username' and 'password' attributes are required in this context.")
	}
	u := o.lookupLogin(in.Username)
	if u == nil {
		return AuthnTransaction{}, authFailed()
	}
	if shared {
		if u.Status == okta.UserLockedOut { // it may unlock by itself
			return AuthnTransaction{}, errExclusive
		}
		u.signin.Lock()
		defer u.signin.Unlock()
	}
	pp := o.passwordPolicyFor(u.ID)
	o.autoUnlock(u, pp)
	if u.Status == okta.UserLockedOut {
		if pp.ShowLockout || o.settings.ShowLockoutFailures {
			return AuthnTransaction{Status: AuthnLockedOut, PasswordExpireDays: -1}, nil
		}
		return AuthnTransaction{}, authFailed()
	}
	switch u.Status {
	case okta.UserActive, okta.UserPasswordExpired, okta.UserRecovery:
	default:
		return AuthnTransaction{}, authFailed()
	}
	if !o.matches(u.password, in.Password) {
		if shared {
			return AuthnTransaction{}, errExclusive
		}
		o.countFailure(u, pp)
		if u.Status == okta.UserLockedOut && (pp.ShowLockout || o.settings.ShowLockoutFailures) {
			return AuthnTransaction{Status: AuthnLockedOut, PasswordExpireDays: -1}, nil
		}
		return AuthnTransaction{}, authFailed()
	}
	if o.signOnDenied(u.ID) {
		return AuthnTransaction{}, authFailed()
	}
	if shared && !o.autoFactorsInSync(u) {
		return AuthnTransaction{}, errExclusive
	}
	u.failedPasswords = 0
	tx, token := o.newTx(u.ID)
	tx.trusted = in.Trusted
	tx.warn = in.WarnBeforePasswordExpired
	tx.multiEnrol = in.MultiOptionalFactorEnroll
	if eng.KeepRelayState {
		tx.relayState = in.RelayState
	}
	if in.DeviceCookie != "" {
		tx.devices = append(tx.devices, "cookie:"+in.DeviceCookie)
	}
	if in.Trusted && in.DeviceToken != "" && eng.DeviceTokenRecognized {
		tx.devices = append(tx.devices, "token:"+in.DeviceToken)
	}
	if app != nil {
		tx.audience = app.ID
	}
	tx.pwdAt = o.clock.Now()
	tx.amr = []string{"pwd"}
	return o.advance(tx, token), nil
}

// authenticateActivation is primary auth with an activation token:
// PASSWORD_RESET (ACCOUNT_ACTIVATION) for a user without a password, else
// the user is activated and the usual steps follow (authn.md §3.4).
func (o *Org) authenticateActivation(in PrimaryAuth, eng AuthnEngine) (AuthnTransaction, error) {
	now := o.clock.Now()
	var u *user
	for _, id := range o.userOrder {
		cand := o.users[id]
		if t, ok := cand.tokens[in.Token]; ok && t.Kind == TokenActivation {
			if now.After(t.ExpiresAt) {
				delete(cand.tokens, in.Token)
				return AuthnTransaction{}, authFailed()
			}
			u = cand
			break
		}
	}
	if u == nil {
		return AuthnTransaction{}, authFailed()
	}
	delete(u.tokens, in.Token)
	tx, token := o.newTx(u.ID)
	tx.trusted = in.Trusted
	tx.multiEnrol = in.MultiOptionalFactorEnroll
	if eng.KeepRelayState {
		tx.relayState = in.RelayState
	}
	if !u.password.set() {
		tx.status = AuthnPasswordReset
		tx.recoveryType = RecoveryTypeAccountActivation
		return o.render(tx, token), nil
	}
	if u.Status != okta.UserActive {
		o.setStatus(u, okta.UserActive)
		u.Activated = now
	}
	tx.amr = []string{"pwd"}
	tx.pwdAt = now
	return o.advance(tx, token), nil
}

// autoUnlock unlocks u when the policy's autoUnlockMinutes have passed.
func (o *Org) autoUnlock(u *user, pp PasswordPolicy) {
	if u.Status == okta.UserLockedOut && pp.AutoUnlockMinutes > 0 &&
		!o.clock.Now().Before(u.StatusChanged.Add(time.Duration(pp.AutoUnlockMinutes)*time.Minute)) {
		o.setStatus(u, okta.UserActive)
		u.failedPasswords = 0
	}
}

// countFailure counts a failed password or factor and locks the user at the
// password policy's maxAttempts (authn.md §4.1).
func (o *Org) countFailure(u *user, pp PasswordPolicy) {
	u.failedPasswords++
	if pp.MaxAttempts > 0 && u.failedPasswords >= pp.MaxAttempts && u.Status != okta.UserLockedOut {
		o.setStatus(u, okta.UserLockedOut)
	}
}

// advance evaluates §3.3 from where tx stands and renders the state it
// lands in; SUCCESS ends the transaction and mints the sessionToken.
func (o *Org) advance(tx *authnTx, token string) AuthnTransaction {
	u := o.users[tx.userID]
	tx.factorID, tx.factorResult, tx.pushID, tx.prev = "", "", "", ""
	if !tx.mfaDone {
		if o.mfaRequired(u, tx) {
			if o.hasVerifiableFactor(u) {
				tx.status = AuthnMFARequired
				return o.render(tx, token)
			}
		} else {
			tx.mfaDone = true
		}
	}
	pp := o.passwordPolicyFor(u.ID)
	if !tx.pwdDone {
		expired, _ := pp.PasswordExpired(u.PasswordChanged, o.clock.Now())
		if u.Status == okta.UserPasswordExpired || expired {
			tx.status = AuthnPasswordExpired
			return o.render(tx, token)
		}
		tx.pwdDone = true
	}
	if !tx.enrollDone {
		if o.enrollNeeded(u, tx) {
			tx.status = AuthnMFAEnroll
			return o.render(tx, token)
		}
		tx.enrollDone = true
	}
	if !tx.warnDone {
		tx.warnDone = true
		if tx.warn && pp.ExpireWarnDays > 0 {
			if _, left := pp.PasswordExpired(u.PasswordChanged, o.clock.Now()); left >= 0 && left <= pp.ExpireWarnDays {
				tx.warnDone = false
				tx.status = AuthnPasswordWarn
				return o.render(tx, token)
			}
		}
	}
	return o.succeed(tx, token)
}

// succeed ends tx with SUCCESS. A step-up transaction keeps its stateToken
// (for the `original` link) and gets no sessionToken (authn.md §4.4).
func (o *Org) succeed(tx *authnTx, token string) AuthnTransaction {
	u := o.users[tx.userID]
	now := o.clock.Now()
	tx.status = AuthnSuccess
	u.LastLogin = now
	u.failedPasswords = 0
	if tx.rememberUntil != nil {
		o.hot.Lock()
		for _, d := range tx.devices {
			o.authn.remembered[u.ID+"\x00"+d] = *tx.rememberUntil
		}
		o.hot.Unlock()
	}
	if tx.audience != "" {
		v := o.render(tx, token)
		o.endTx(tx)
		return v
	}
	o.endTx(tx)
	tx.recoveryType = "" // only an unlock's SUCCESS names its recovery type
	amr := slices.Clone(tx.amr)
	st, exp := o.mintSessionToken(SessionGrant{UserID: u.ID, AMR: amr, PasswordVerified: tx.pwdAt, FactorVerified: tx.factorAt})
	v := o.render(tx, "")
	v.SessionToken, v.ExpiresAt = st, exp
	return v
}

// render is the view of tx for the API; the caller holds o.mu (a shared
// step: for reading, with the user's signin lock).
func (o *Org) render(tx *authnTx, token string) AuthnTransaction {
	v := AuthnTransaction{StateToken: token, ExpiresAt: tx.expiresAt, Status: tx.status, RelayState: tx.relayState,
		FactorResult: tx.factorResult, PasswordExpireDays: -1}
	switch tx.status {
	case AuthnRecoveryChallenge, AuthnRecovery, AuthnPasswordReset, AuthnSuccess:
		// Only recovery states (and an unlock's SUCCESS) name the
		// recovery type (authn.md §2.1).
		v.RecoveryType = tx.recoveryType
	}
	u := o.users[tx.userID]
	if tx.audience != "" {
		if a, ok := o.apps[tx.audience]; ok {
			v.StepUp = &StepUp{App: *a}
		}
	}
	if u != nil && tx.status != AuthnRecoveryChallenge && tx.status != AuthnLockedOut {
		uv := u.view(o)
		v.User = &uv
	}
	switch tx.status {
	case AuthnMFARequired:
		v.Factors = o.verifiableFactors(u)
		v.Remember = o.rememberPolicy(u, tx)
		if len(activeOfType(u, okta.FactorWebAuthn)) > 1 {
			v.ByType = string(okta.FactorWebAuthn)
		}
	case AuthnMFAChallenge:
		v.Remember = o.rememberPolicy(u, tx)
		if tx.factorID == ByTypeWebAuthn {
			v.ByType = string(okta.FactorWebAuthn)
			for _, f := range activeOfType(u, okta.FactorWebAuthn) {
				v.Factors = append(v.Factors, f.view())
				v.Nonce = f.challenge
			}
			break
		}
		o.renderFactor(tx, u, &v)
	case AuthnMFAEnrollActivate:
		o.renderFactor(tx, u, &v)
	case AuthnMFAEnroll:
		v.Enroll = o.enrollOptions(u)
		v.CanSkip = o.canSkipEnroll(u, tx, v.Enroll)
	case AuthnPasswordExpired, AuthnPasswordReset:
		pp := o.passwordPolicyFor(u.ID)
		v.Password = &pp
	case AuthnPasswordWarn:
		pp := o.passwordPolicyFor(u.ID)
		v.Password = &pp
		_, v.PasswordExpireDays = pp.PasswordExpired(u.PasswordChanged, o.clock.Now())
		v.CanSkip = true
	case AuthnRecovery:
		v.RecoveryQuestion = u.recoveryQuestion
	case AuthnRecoveryChallenge:
		v.FactorType = tx.recoveryFactor
	}
	return v
}

// renderFactor fills the current factor of a challenge or activation.
func (o *Org) renderFactor(tx *authnTx, u *user, v *AuthnTransaction) {
	if u == nil {
		return
	}
	f := factorByID(u, tx.factorID)
	if f == nil {
		return
	}
	fv := f.view()
	v.Factor = &fv
	o.renderFactorExtra(tx, u, f, v)
}

// AuthnState is POST /api/v1/authn (or /authn/introspect) with a stateToken
// alone: the current state, read-only, sliding the expiry.
func (o *Org) AuthnState(stateToken string) (AuthnTransaction, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	tx, err := o.liveTx(stateToken)
	if err != nil {
		return AuthnTransaction{}, err
	}
	o.refreshFactorResult(tx)
	return o.render(tx, stateToken), nil
}

// AuthnCancel is POST /api/v1/authn/cancel: the stateToken dies. It returns
// the transaction's relayState (kept only where the engine keeps it).
func (o *Org) AuthnCancel(stateToken string) (string, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	tx, err := o.liveTx(stateToken)
	if err != nil {
		return "", err
	}
	o.endTx(tx)
	return tx.relayState, nil
}

// AuthnPrevious is POST /api/v1/authn/previous: MFA_CHALLENGE goes back to
// MFA_REQUIRED, MFA_ENROLL_ACTIVATE to MFA_ENROLL; anything else is 403
// E0000079.
func (o *Org) AuthnPrevious(stateToken string) (AuthnTransaction, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	tx, err := o.liveTx(stateToken)
	if err != nil {
		return AuthnTransaction{}, err
	}
	switch tx.status {
	case AuthnMFAChallenge:
		tx.status = AuthnMFARequired
	case AuthnMFAEnrollActivate:
		tx.status = AuthnMFAEnroll
	default:
		return AuthnTransaction{}, notAllowed()
	}
	tx.factorID, tx.factorResult, tx.pushID = "", "", ""
	return o.render(tx, stateToken), nil
}

// AuthnSkip is POST /api/v1/authn/skip: allowed in PASSWORD_WARN and in
// MFA_ENROLL when the skip link is published.
func (o *Org) AuthnSkip(stateToken string) (AuthnTransaction, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	tx, err := o.liveTx(stateToken)
	if err != nil {
		return AuthnTransaction{}, err
	}
	u := o.users[tx.userID]
	switch tx.status {
	case AuthnPasswordWarn:
		tx.warnDone = true
	case AuthnMFAEnroll:
		if !o.canSkipEnroll(u, tx, o.enrollOptions(u)) {
			return AuthnTransaction{}, notAllowed()
		}
		tx.enrollDone = true
		if !tx.mfaDone && o.hasVerifiableFactor(u) {
			tx.mfaDone = true
		}
	default:
		return AuthnTransaction{}, notAllowed()
	}
	return o.advance(tx, stateToken), nil
}

// AuthnChangePassword is POST /api/v1/authn/credentials/change_password in
// PASSWORD_EXPIRED or PASSWORD_WARN (authn.md §5).
// With revokeSessions the user's other sessions end.
func (o *Org) AuthnChangePassword(stateToken, oldPassword, newPassword string, revokeSessions bool) (AuthnTransaction, error) {
	v, err := o.authnChangePassword(stateToken, oldPassword, newPassword)
	if err == nil && revokeSessions && v.User != nil {
		err = o.EndUserSessions(v.User.ID, false)
	}
	return v, err
}

func (o *Org) authnChangePassword(stateToken, oldPassword, newPassword string) (AuthnTransaction, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	tx, err := o.liveTx(stateToken)
	if err != nil {
		return AuthnTransaction{}, err
	}
	if tx.status != AuthnPasswordExpired && tx.status != AuthnPasswordWarn {
		return AuthnTransaction{}, notAllowed()
	}
	u := o.users[tx.userID]
	if !o.matches(u.password, oldPassword) {
		return AuthnTransaction{}, okta.Errorf(okta.E0000014).WithCauses("oldPassword: The credentials provided were incorrect.")
	}
	pp := o.passwordPolicyFor(u.ID)
	if !pp.Check(&u.User, newPassword) || (pp.HistoryCount > 0 && o.matches(u.password, newPassword)) {
		return AuthnTransaction{}, okta.Errorf(okta.E0000014).WithCauses(pp.RequirementsNotMet())
	}
	o.setPassword(u, newPassword)
	tx.pwdDone, tx.warnDone = true, true
	return o.advance(tx, stateToken), nil
}

// setPassword stores a new password and makes the user ACTIVE.
func (o *Org) setPassword(u *user, pw string) {
	now := o.clock.Now()
	u.password = o.hash(pw)
	u.PasswordChanged, u.LastUpdated = now, now
	u.failedPasswords = 0
	switch u.Status {
	case okta.UserPasswordExpired, okta.UserRecovery, okta.UserLockedOut, okta.UserProvisioned:
		o.setStatus(u, okta.UserActive)
		if u.Activated.IsZero() {
			u.Activated = now
		}
	}
}

// AuthnResetPassword is POST /api/v1/authn/credentials/reset_password in
// PASSWORD_RESET (recovery or account activation, authn.md §8.5). A policy
// violation is 403 E0000080 with the requirements as cause.
// With revokeSessions the user's other sessions end.
func (o *Org) AuthnResetPassword(stateToken, newPassword string, revokeSessions bool) (AuthnTransaction, error) {
	v, err := o.authnResetPassword(stateToken, newPassword)
	if err == nil && revokeSessions && v.User != nil {
		err = o.EndUserSessions(v.User.ID, false)
	}
	return v, err
}

func (o *Org) authnResetPassword(stateToken, newPassword string) (AuthnTransaction, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	tx, err := o.liveTx(stateToken)
	if err != nil {
		return AuthnTransaction{}, err
	}
	if tx.status != AuthnPasswordReset {
		return AuthnTransaction{}, notAllowed()
	}
	u := o.users[tx.userID]
	pp := o.passwordPolicyFor(u.ID)
	if !pp.Check(&u.User, newPassword) || (pp.HistoryCount > 0 && o.matches(u.password, newPassword)) {
		return AuthnTransaction{}, okta.Errorf(okta.E0000080).WithCauses(pp.RequirementsNotMet())
	}
	o.setPassword(u, newPassword)
	for t, ut := range u.tokens {
		if ut.Kind == TokenRecovery || ut.Kind == TokenUnlock {
			delete(u.tokens, t)
		}
	}
	now := o.clock.Now()
	tx.pwdAt = now
	if !slices.Contains(tx.amr, "pwd") {
		tx.amr = append(tx.amr, "pwd")
	}
	tx.pwdDone, tx.warnDone = true, true
	if tx.recoveryType == RecoveryTypePassword {
		// Recovery proved the user's identity with a recovery factor: Okta
		// ends the transaction with SUCCESS (authn.md §8.5).
		tx.mfaDone, tx.enrollDone = true, true
	}
	return o.advance(tx, stateToken), nil
}
