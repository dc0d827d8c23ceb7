package api

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/oktaemu/oktaemu/emulator/internal/engine"
	"github.com/oktaemu/oktaemu/emulator/internal/httpx"
	"github.com/oktaemu/oktaemu/emulator/internal/okta"
	"github.com/oktaemu/oktaemu/emulator/internal/org"
)

// Authn serves the Classic authentication API /api/v1/authn* (authn.md),
// in both engines with the Identity Engine limits of the profile.
type Authn struct {
	Org     *org.Org
	Profile engine.Profile
}

// DeviceCookie is the cookie the emulator keeps per browser to recognise a
// device for remember-device (Okta's own cookie name is not documented;
// authn.md §4.3 suggests DT).
const DeviceCookie = "DT"

// Mount adds the authn routes to r: anonymous, with an optional SSWS token
// marking a trusted app.
func (h Authn) Mount(r gin.IRouter) {
	g := r.Group(authnBase, authnCORS, httpx.OptionalAPIToken(func(t string) bool { _, ok := h.Org.CheckAPIToken(t); return ok }))
	post := func(path string, fn httpx.HandlerFunc) {
		g.POST(path, httpx.Handle(fn))
		g.OPTIONS(path, authnPreflight)
	}
	post("", h.primary)
	post("/introspect", h.introspect)
	post("/previous", h.withToken(h.Org.AuthnPrevious))
	post("/skip", h.withToken(h.Org.AuthnSkip))
	post("/cancel", h.cancel)
	post("/credentials/change_password", h.changePassword)
	post("/credentials/reset_password", h.resetPassword)
	post("/factors", h.enroll)
	post("/factors/:factorId/verify", h.verify)
	post("/factors/:factorId/verify/resend", h.verifyResend)
	post("/factors/:factorId/lifecycle/activate", h.activate)
	post("/factors/:factorId/lifecycle/activate/poll", h.activatePoll)
	post("/factors/:factorId/lifecycle/activate/email", h.activateSend("email"))
	post("/factors/:factorId/lifecycle/activate/sms", h.activateSend("sms"))
	post("/factors/:factorId/lifecycle/resend", h.activateSend(""))
	post("/recovery/password", h.recover(org.RecoveryTypePassword))
	post("/recovery/unlock", h.recover(org.RecoveryTypeUnlock))
	post("/recovery/factors/:factorType/verify", h.recoveryVerify)
	post("/recovery/factors/:factorType/resend", h.recoveryResend)
	post("/recovery/token", h.recoveryToken)
	post("/recovery/answer", h.recoveryAnswer)
}

// authnCORS lets browser clients (okta-auth-js, the sign-in widget) call
// authn with credentials from any origin: the emulator trusts every origin
// (authn.md §1.2, suggested).
func authnCORS(c *gin.Context) {
	if origin := c.GetHeader("Origin"); origin != "" {
		h := c.Writer.Header()
		h.Set("Access-Control-Allow-Origin", origin)
		h.Set("Access-Control-Allow-Credentials", "true")
		h.Add("Vary", "Origin")
	}
	c.Next()
}

// authnPreflight answers a CORS preflight: 204 with the allowed method and
// headers.
func authnPreflight(c *gin.Context) {
	h := c.Writer.Header()
	h.Set("Access-Control-Allow-Methods", "POST, OPTIONS")
	h.Set("Access-Control-Allow-Headers", "Content-Type, Accept, X-Okta-User-Agent-Extended, X-Device-Fingerprint, Authorization")
	h.Set("Access-Control-Max-Age", "600")
	c.Status(http.StatusNoContent)
	c.Writer.WriteHeaderNow()
}

// engineValues are the profile fields the state machine reads.
func (h Authn) engineValues() org.AuthnEngine {
	return org.AuthnEngine{AudienceSupported: h.Profile.AuthnAudience, KeepRelayState: h.Profile.AuthnRelayState,
		DeviceTokenRecognized: h.Profile.AuthnDeviceToken, DenyIEOnlyRecovery: h.Profile.AuthnDenyIEOnlyRecovery}
}

// authnRequest is the union of the bodies of every authn call.
type authnRequest struct {
	Username   string `json:"username"`
	Password   string `json:"password"`
	Token      string `json:"token"`
	StateToken string `json:"stateToken"`
	Audience   string `json:"audience"`
	RelayState string `json:"relayState"`
	Options    struct {
		MultiOptionalFactorEnroll bool `json:"multiOptionalFactorEnroll"`
		WarnBeforePasswordExpired bool `json:"warnBeforePasswordExpired"`
	} `json:"options"`
	Context struct {
		DeviceToken string `json:"deviceToken"`
	} `json:"context"`

	FactorType        string         `json:"factorType"`
	Provider          string         `json:"provider"`
	Profile           map[string]any `json:"profile"`
	PassCode          string         `json:"passCode"`
	NextPassCode      string         `json:"nextPassCode"`
	Answer            string         `json:"answer"`
	ClientData        string         `json:"clientData"`
	SignatureData     string         `json:"signatureData"`
	AuthenticatorData string         `json:"authenticatorData"`
	RegistrationData  string         `json:"registrationData"`
	Attestation       string         `json:"attestation"`
	Verify            *struct {
		PassCode string `json:"passCode"`
	} `json:"verify"`

	OldPassword    string `json:"oldPassword"`
	NewPassword    string `json:"newPassword"`
	RevokeSessions bool   `json:"revokeSessions"`
	RecoveryToken  string `json:"recoveryToken"`
}

func bindAuthn(c *gin.Context) (authnRequest, error) {
	var req authnRequest
	if _, err := httpx.Bind(c, &req); err != nil {
		return req, err
	}
	if req.PassCode == "" && req.Verify != nil {
		req.PassCode = req.Verify.PassCode
	}
	return req, nil
}

func (h Authn) ok(c *gin.Context, tx org.AuthnTransaction, err error) (int, any, error) {
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, renderAuthn(c, tx), nil
}

// deviceCookie returns the browser's device cookie, setting a new one when
// the request carries none.
func (h Authn) deviceCookie(c *gin.Context) string {
	if v, err := c.Cookie(DeviceCookie); err == nil && v != "" {
		return v
	}
	v := h.Org.IDs().Random(32)
	hdr := c.Writer.Header()
	hdr["Set-Cookie"] = append(hdr["Set-Cookie"], deviceCookieHeader(v, c.Request.TLS != nil))
	return v
}

// deviceCookieHeader is the Set-Cookie header http.SetCookie writes for
// the device cookie v (an alphanumeric id), without its validation pass
// and header name canonicalization (every primary authentication sets
// one).
func deviceCookieHeader(v string, secure bool) string {
	if secure {
		return DeviceCookie + "=" + v + "; Path=/; HttpOnly; Secure; SameSite=None"
	}
	return DeviceCookie + "=" + v + "; Path=/; HttpOnly; SameSite=None"
}

// limitUser applies Okta's per-username limit (429 E0000047 with the
// rate-limit headers of that limit).
func (h Authn) limitUser(c *gin.Context, username string) error {
	if strings.TrimSpace(username) == "" {
		return nil
	}
	limit, remaining, reset, ok := h.Org.TakeAuthnUsername(username)
	if !ok {
		httpx.WriteRateHeaders(c, limit, remaining, reset)
		return okta.Errorf(okta.E0000047)
	}
	return nil
}

// primary is POST /api/v1/authn: state read with a stateToken alone,
// primary auth, or activation-token auth.
func (h Authn) primary(c *gin.Context) (int, any, error) {
	req, err := bindAuthn(c)
	if err != nil {
		return 0, nil, err
	}
	if req.StateToken != "" {
		if req.Username != "" || req.Password != "" {
			// Step-up primary auth needs UNAUTHENTICATED, which this
			// emulator never produces (no SP-initiated step-up).
			if _, err := h.Org.AuthnState(req.StateToken); err != nil {
				return 0, nil, err
			}
			return 0, nil, okta.Errorf(okta.E0000079).WithCauses("This operation is not allowed in the current authentication state.")
		}
		tx, err := h.Org.AuthnState(req.StateToken)
		return h.ok(c, tx, err)
	}
	if err := h.limitUser(c, req.Username); err != nil {
		return 0, nil, err
	}
	tx, err := h.Org.Authenticate(org.PrimaryAuth{Username: req.Username, Password: req.Password, Token: req.Token,
		Audience: req.Audience, RelayState: req.RelayState,
		WarnBeforePasswordExpired: req.Options.WarnBeforePasswordExpired,
		MultiOptionalFactorEnroll: req.Options.MultiOptionalFactorEnroll,
		DeviceToken:               req.Context.DeviceToken, DeviceCookie: h.deviceCookie(c), Trusted: httpx.Trusted(c)},
		h.engineValues())
	return h.ok(c, tx, err)
}

func (h Authn) introspect(c *gin.Context) (int, any, error) {
	req, err := bindAuthn(c)
	if err != nil {
		return 0, nil, err
	}
	tx, err := h.Org.AuthnState(req.StateToken)
	return h.ok(c, tx, err)
}

func (h Authn) withToken(fn func(string) (org.AuthnTransaction, error)) httpx.HandlerFunc {
	return func(c *gin.Context) (int, any, error) {
		req, err := bindAuthn(c)
		if err != nil {
			return 0, nil, err
		}
		tx, err := fn(req.StateToken)
		return h.ok(c, tx, err)
	}
}

// cancel answers `{}`, plus relayState where the engine keeps it.
func (h Authn) cancel(c *gin.Context) (int, any, error) {
	req, err := bindAuthn(c)
	if err != nil {
		return 0, nil, err
	}
	relay, err := h.Org.AuthnCancel(req.StateToken)
	if err != nil {
		return 0, nil, err
	}
	body := map[string]any{}
	if relay != "" {
		body["relayState"] = relay
	}
	return http.StatusOK, body, nil
}

func (h Authn) changePassword(c *gin.Context) (int, any, error) {
	req, err := bindAuthn(c)
	if err != nil {
		return 0, nil, err
	}
	tx, err := h.Org.AuthnChangePassword(req.StateToken, req.OldPassword, req.NewPassword, req.RevokeSessions)
	return h.ok(c, tx, err)
}

func (h Authn) resetPassword(c *gin.Context) (int, any, error) {
	req, err := bindAuthn(c)
	if err != nil {
		return 0, nil, err
	}
	tx, err := h.Org.AuthnResetPassword(req.StateToken, req.NewPassword, req.RevokeSessions)
	return h.ok(c, tx, err)
}

func (h Authn) enroll(c *gin.Context) (int, any, error) {
	req, err := bindAuthn(c)
	if err != nil {
		return 0, nil, err
	}
	update, err := boolQuery(c, "updatePhone", false)
	if err != nil {
		return 0, nil, err
	}
	tx, err := h.Org.AuthnEnrollFactor(req.StateToken, org.AuthnEnroll{FactorType: okta.FactorType(req.FactorType),
		Provider: req.Provider, Profile: req.Profile, PassCode: req.PassCode, NextPassCode: req.NextPassCode, UpdatePhone: update})
	return h.ok(c, tx, err)
}

// authnVerifyInput reads the body and the rememberDevice / autoPush query.
func authnVerifyInput(c *gin.Context, req authnRequest) (org.AuthnVerify, error) {
	in := org.AuthnVerify{PassCode: req.PassCode, NextPassCode: req.NextPassCode, Answer: req.Answer,
		ClientData: req.ClientData, SignatureData: req.SignatureData, AuthenticatorData: req.AuthenticatorData,
		ClientIP: c.ClientIP(), UserAgent: c.Request.UserAgent()}
	var err error
	if in.RememberDevice, err = boolQuery(c, "rememberDevice", false); err != nil {
		return in, err
	}
	if s, ok := c.GetQuery("autoPush"); ok && s != "" {
		b, perr := strconv.ParseBool(s)
		if perr != nil {
			return in, okta.Validation("autoPush", "autoPush: must be a boolean")
		}
		in.AutoPush, in.AutoPushSet = b, true
	}
	return in, nil
}

func (h Authn) verify(c *gin.Context) (int, any, error) {
	return h.withVerifyInput(c, h.Org.AuthnVerifyFactor)
}

func (h Authn) verifyResend(c *gin.Context) (int, any, error) {
	return h.withVerifyInput(c, h.Org.AuthnResendVerify)
}

// withVerifyInput binds a factor verify (or resend) request and runs op on
// the path's factor.
func (h Authn) withVerifyInput(c *gin.Context, op func(stateToken, factorID string, in org.AuthnVerify) (org.AuthnTransaction, error)) (int, any, error) {
	req, err := bindAuthn(c)
	if err != nil {
		return 0, nil, err
	}
	in, err := authnVerifyInput(c, req)
	if err != nil {
		return 0, nil, err
	}
	tx, err := op(req.StateToken, c.Param("factorId"), in)
	return h.ok(c, tx, err)
}

func (h Authn) activate(c *gin.Context) (int, any, error) {
	req, err := bindAuthn(c)
	if err != nil {
		return 0, nil, err
	}
	tx, err := h.Org.AuthnActivateFactor(req.StateToken, c.Param("factorId"), org.Verify{PassCode: req.PassCode,
		ClientData: req.ClientData, RegistrationData: req.RegistrationData, Attestation: req.Attestation})
	return h.ok(c, tx, err)
}

func (h Authn) activatePoll(c *gin.Context) (int, any, error) {
	req, err := bindAuthn(c)
	if err != nil {
		return 0, nil, err
	}
	tx, err := h.Org.AuthnPollActivation(req.StateToken, c.Param("factorId"))
	return h.ok(c, tx, err)
}

func (h Authn) activateSend(via string) httpx.HandlerFunc {
	return func(c *gin.Context) (int, any, error) {
		req, err := bindAuthn(c)
		if err != nil {
			return 0, nil, err
		}
		phone, _ := req.Profile["phoneNumber"].(string)
		tx, err := h.Org.AuthnResendActivation(req.StateToken, c.Param("factorId"), via, phone)
		return h.ok(c, tx, err)
	}
}

func (h Authn) recover(kind string) httpx.HandlerFunc {
	return func(c *gin.Context) (int, any, error) {
		req, err := bindAuthn(c)
		if err != nil {
			return 0, nil, err
		}
		if err := h.limitUser(c, req.Username); err != nil {
			return 0, nil, err
		}
		tx, err := h.Org.AuthnRecover(org.Recovery{Username: req.Username, FactorType: req.FactorType, Type: kind,
			RelayState: req.RelayState, Trusted: httpx.Trusted(c)}, h.engineValues())
		return h.ok(c, tx, err)
	}
}

func (h Authn) recoveryVerify(c *gin.Context) (int, any, error) {
	req, err := bindAuthn(c)
	if err != nil {
		return 0, nil, err
	}
	tx, err := h.Org.AuthnRecoveryVerify(req.StateToken, c.Param("factorType"), req.PassCode)
	return h.ok(c, tx, err)
}

func (h Authn) recoveryResend(c *gin.Context) (int, any, error) {
	req, err := bindAuthn(c)
	if err != nil {
		return 0, nil, err
	}
	tx, err := h.Org.AuthnRecoveryResend(req.StateToken, c.Param("factorType"))
	return h.ok(c, tx, err)
}

func (h Authn) recoveryToken(c *gin.Context) (int, any, error) {
	req, err := bindAuthn(c)
	if err != nil {
		return 0, nil, err
	}
	tx, err := h.Org.AuthnRecoveryToken(req.RecoveryToken, req.Options.MultiOptionalFactorEnroll)
	return h.ok(c, tx, err)
}

func (h Authn) recoveryAnswer(c *gin.Context) (int, any, error) {
	req, err := bindAuthn(c)
	if err != nil {
		return 0, nil, err
	}
	tx, err := h.Org.AuthnRecoveryAnswer(req.StateToken, req.Answer)
	return h.ok(c, tx, err)
}
