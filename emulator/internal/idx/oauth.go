package idx

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"html"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	jose "github.com/go-jose/go-jose/v4"

	"github.com/oktaemu/oktaemu/emulator/internal/httpx"
	"github.com/oktaemu/oktaemu/emulator/internal/org"
)

// writeOAuth writes an OAuth JSON body.
func writeOAuth(c *gin.Context, status int, body any) {
	c.Header("Cache-Control", "no-store")
	c.Header("Pragma", "no-cache")
	httpx.WriteJSON(c, status, body)
}

func writeOAuthError(c *gin.Context, e *org.OAuthError) {
	writeOAuth(c, e.Status, gin.H{"error": e.Code, "error_description": e.Description})
}

// authServer is the custom authorization server id of the path ("" for
// the org authorization server). Only "default" exists.
func authServer(c *gin.Context) (string, bool) {
	as := c.Param("as")
	return as, as == "" || as == "default"
}

func (f *flow) issuer() string { return issuerURL(f.base, f.t.AuthServerID) }

func issuerURL(base, as string) string {
	if as == "" {
		return base
	}
	return base + "/oauth2/" + as
}

var pkceChars = regexp.MustCompile(`^[A-Za-z0-9\-._~]+$`)

// interact is POST {as}/v1/interact (idx.md §2.2): client, redirect URI,
// state and S256 PKCE → an interaction handle.
func (h Handler) interact(c *gin.Context) {
	as, ok := authServer(c)
	if !ok {
		writeOAuthError(c, org.NewOAuthError(http.StatusNotFound, "not_found", "Not found: Resource not found: "+c.Param("as")+" (AuthorizationServer)"))
		return
	}
	_ = c.Request.ParseForm()
	p := c.Request.Form
	app, oerr := h.Org.OAuthClient(p.Get("client_id"))
	if oerr != nil {
		writeOAuthError(c, oerr)
		return
	}
	if oerr := org.CheckClientSecret(app, p.Get("client_secret")); oerr != nil && p.Get("client_secret") != "" {
		writeOAuthError(c, oerr)
		return
	}
	bad := func(desc string) {
		writeOAuthError(c, org.NewOAuthError(http.StatusBadRequest, "invalid_request", desc))
	}
	switch {
	case p.Get("scope") == "":
		bad("The authorization request is missing a required parameter: 'scope'.")
		return
	case p.Get("redirect_uri") == "" || !org.RedirectURIAllowed(app, p.Get("redirect_uri")):
		bad("The 'redirect_uri' parameter must be a Login redirect URI in the client app settings.")
		return
	case p.Get("state") == "":
		bad("The authorization request is missing a required parameter: 'state'.")
		return
	case p.Get("code_challenge") == "":
		bad("PKCE code challenge is required to use the interaction code flow.")
		return
	case p.Get("code_challenge_method") != "S256":
		bad("PKCE code challenge method is not supported. Valid values: [S256]")
		return
	case !pkceChars.MatchString(p.Get("code_challenge")):
		bad("PKCE code challenge contains illegal characters.")
		return
	}
	in := org.Interaction{AppID: app.ID, ClientID: app.ClientID, AuthServerID: as, RedirectURI: p.Get("redirect_uri"),
		State: p.Get("state"), Nonce: p.Get("nonce"), Scopes: strings.Fields(p.Get("scope")),
		CodeChallenge: p.Get("code_challenge")}
	if p.Get("activation_token") != "" {
		// Activation through IDX is not emulated beyond Okta's refusal for
		// public clients.
		if app.ClientSecret == "" {
			bad("Only confidential clients can use the activation token flow")
			return
		}
		bad("The activation token is invalid")
		return
	}
	if rt := p.Get("recovery_token"); rt != "" {
		u, kind, err := h.Org.RedeemUserToken(rt)
		if err != nil || kind != org.TokenRecovery {
			bad("The recovery token is invalid")
			return
		}
		// The emailed token proves the email authenticator: the first step
		// is the new password (idx.md §5.9).
		in.UserID, in.Identifier, in.Flow, in.Intent = u.ID, u.Login(), "recover", org.IntentCredentialRecovery
		in.Verified = []org.Verification{{Key: keyEmail, Method: "email", At: h.Org.Now()}}
	}
	if tok := p.Get("oktaemu_enroll_token"); tok != "" {
		if !h.Org.IDXExtensions().InAppCredentialEnrollment {
			bad("The 'oktaemu_enroll_token' parameter is an oktaemu extension that this server does not enable.")
			return
		}
		if p.Get("prompt") != "enroll_authenticator" {
			bad("'prompt' parameter must have the value 'enroll_authenticator' for request with 'oktaemu_enroll_token'.")
			return
		}
		amr, msg := enrollAMR(p.Get("enroll_amr_values"))
		if msg != "" {
			bad(msg)
			return
		}
		uid, ok := h.tokenUser(httpx.BaseURL(c), tok)
		if !ok {
			writeOAuthError(c, org.NewOAuthError(http.StatusBadRequest, "invalid_grant", "The access token is invalid or has expired."))
			return
		}
		in.Intent, in.EnrollAMR, in.UserID = org.IntentCredentialEnrollment, amr, uid
	}
	t := h.Org.StartInteraction(in)
	writeOAuth(c, http.StatusOK, gin.H{"interaction_handle": t.Handle})
}

// amrKeys maps enroll_amr_values to authenticator keys (idx.md §6).
var amrKeys = map[string]string{
	"pwd": keyPassword, "kba": keyQuestion, "email": keyEmail, "sms": keyPhone, "tel": keyPhone,
	"google_otp": keyGoogle, "okta_verify": keyOktaVerify,
}

func enrollAMR(values string) ([]string, string) {
	var keys []string
	for _, v := range strings.Fields(values) {
		k, ok := amrKeys[v]
		if !ok {
			continue
		}
		if !slices.Contains(keys, k) {
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		return nil, "'enroll_amr_values' parameter must have valid space delimited authenticators list for request with 'none' as response_type."
	}
	return keys, ""
}

// token is POST {as}/v1/token with grant_type=interaction_code (idx.md
// §2.3). Parameters come from the body or the query string (the Go SDK
// sends them in the query with an empty body).
func (h Handler) token(c *gin.Context) {
	as, ok := authServer(c)
	if !ok {
		writeOAuthError(c, org.NewOAuthError(http.StatusNotFound, "not_found", "Not found: Resource not found: "+c.Param("as")+" (AuthorizationServer)"))
		return
	}
	_ = c.Request.ParseForm()
	p := c.Request.Form
	clientID, secret := p.Get("client_id"), p.Get("client_secret")
	if id, sec, ok := c.Request.BasicAuth(); ok {
		clientID, secret = id, sec
	}
	app, oerr := h.Org.OAuthClient(clientID)
	if oerr != nil {
		writeOAuthError(c, oerr)
		return
	}
	if oerr := org.CheckClientSecret(app, secret); oerr != nil {
		writeOAuthError(c, oerr)
		return
	}
	switch gt := p.Get("grant_type"); gt {
	case "interaction_code":
	case "":
		writeOAuthError(c, org.NewOAuthError(http.StatusBadRequest, "invalid_request", "The token request must specify a 'grant_type'. Valid values: [interaction_code]"))
		return
	default:
		writeOAuthError(c, org.NewOAuthError(http.StatusBadRequest, "unsupported_grant_type", "The authorization grant type is not supported by the authorization server. Configured grant types: [interaction_code]."))
		return
	}
	t, oerr := h.Org.RedeemInteractionCode(p.Get("interaction_code"), app.ClientID, as, p.Get("code_verifier"))
	if oerr != nil {
		writeOAuthError(c, oerr)
		return
	}
	body, err := h.issueTokens(httpx.BaseURL(c), t)
	if err != nil {
		httpx.WriteError(c, err)
		return
	}
	h.Org.EndInteraction(t.Handle)
	writeOAuth(c, http.StatusOK, body)
}

// TokenLifetime is the access and ID token lifetime (Okta's default).
const TokenLifetime = time.Hour

// issueTokens signs the ID and access tokens of a finished transaction
// with the org's key (RS256, kid published at the keys endpoint).
func (h Handler) issueTokens(base string, t org.Interaction) (map[string]any, error) {
	key, kid, err := h.Org.SigningKey()
	if err != nil {
		return nil, err
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: key},
		(&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", kid))
	if err != nil {
		return nil, err
	}
	u, err := h.Org.User(t.UserID)
	if err != nil {
		return nil, err
	}
	now := h.Org.Now()
	iss := issuerURL(base, t.AuthServerID)
	aud := "api://default"
	if t.AuthServerID == "" {
		aud = base
	}
	var amr []string
	for _, v := range t.Verified {
		if a := amrOf(v.Method); !slices.Contains(amr, a) {
			amr = append(amr, a)
		}
	}
	if len(amr) > 1 {
		amr = append([]string{"mfa"}, amr...)
	}
	authTime := t.AuthTime
	if authTime.IsZero() {
		authTime = now
	}
	at := map[string]any{"ver": 1, "jti": "AT." + h.Org.IDs().Random(43), "iss": iss, "aud": aud,
		"iat": now.Unix(), "exp": now.Add(TokenLifetime).Unix(), "cid": t.ClientID, "uid": u.ID,
		"scp": t.Scopes, "auth_time": authTime.Unix(), "sub": u.Login()}
	access, err := sign(signer, at)
	if err != nil {
		return nil, err
	}
	body := map[string]any{"token_type": "Bearer", "expires_in": int(TokenLifetime.Seconds()),
		"access_token": access, "scope": strings.Join(t.Scopes, " ")}
	if slices.Contains(t.Scopes, "openid") {
		sum := sha256.Sum256([]byte(access))
		id := map[string]any{"sub": u.ID, "ver": 1, "iss": iss, "aud": t.ClientID, "iat": now.Unix(),
			"exp": now.Add(TokenLifetime).Unix(), "jti": "ID." + h.Org.IDs().Random(43), "amr": amr,
			"idp": h.Org.ID(), "auth_time": authTime.Unix(),
			"at_hash": base64.RawURLEncoding.EncodeToString(sum[:16])}
		if t.Nonce != "" {
			id["nonce"] = t.Nonce
		}
		if slices.Contains(t.Scopes, "profile") {
			id["name"] = u.DisplayName()
			id["preferred_username"] = u.Login()
		}
		if slices.Contains(t.Scopes, "email") {
			id["email"] = u.Email()
		}
		idt, err := sign(signer, id)
		if err != nil {
			return nil, err
		}
		body["id_token"] = idt
	}
	if slices.Contains(t.Scopes, "offline_access") {
		body["refresh_token"] = h.Org.IDs().Random(43)
	}
	return body, nil
}

func str(v any) string { s, _ := v.(string); return s }

func sign(s jose.Signer, claims map[string]any) (string, error) {
	b, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	jws, err := s.Sign(b)
	if err != nil {
		return "", err
	}
	return jws.CompactSerialize()
}

// tokenUser verifies an access token this org issued (signature, issuer on
// this host, expiry) and returns its uid claim.
func (h Handler) tokenUser(base, token string) (string, bool) {
	key, _, err := h.Org.SigningKey()
	if err != nil {
		return "", false
	}
	jws, err := jose.ParseSigned(token, []jose.SignatureAlgorithm{jose.RS256})
	if err != nil {
		return "", false
	}
	payload, err := jws.Verify(&key.PublicKey)
	if err != nil {
		return "", false
	}
	var claims struct {
		Iss string `json:"iss"`
		UID string `json:"uid"`
		Exp int64  `json:"exp"`
	}
	if json.Unmarshal(payload, &claims) != nil || claims.UID == "" || !strings.HasPrefix(claims.Iss, base) ||
		h.Org.Now().Unix() >= claims.Exp {
		return "", false
	}
	return claims.UID, true
}

// keys is GET {as}/v1/keys: the JWKS with the org's signing key.
func (h Handler) keys(c *gin.Context) {
	if _, ok := authServer(c); !ok {
		writeOAuthError(c, org.NewOAuthError(http.StatusNotFound, "not_found", "Not found: Resource not found: "+c.Param("as")+" (AuthorizationServer)"))
		return
	}
	key, kid, err := h.Org.SigningKey()
	if err != nil {
		httpx.WriteError(c, err)
		return
	}
	jwk := jose.JSONWebKey{Key: &key.PublicKey, KeyID: kid, Algorithm: string(jose.RS256), Use: "sig"}
	c.Header("Cache-Control", "max-age=3600, must-revalidate")
	httpx.WriteJSON(c, http.StatusOK, jose.JSONWebKeySet{Keys: []jose.JSONWebKey{jwk}})
}

// authorize is GET {as}/v1/authorize for prompt=enroll_authenticator, the
// documented way to enroll an authenticator for an existing user (idx.md
// §6): validated as Okta does, then the Okta-hosted sign-in page starts an
// IDX transaction with intent CREDENTIAL_ENROLLMENT. The page here is a
// stand-in for Okta's widget: it carries the transaction's stateToken
// (as `var stateToken = '…'`, the way Okta's hosted page embeds it) for the
// test or browser driving /idp/idx/introspect. Other /authorize requests
// (the authorization code flow) are not emulated.
func (h Handler) authorize(c *gin.Context) {
	as, ok := authServer(c)
	if !ok {
		writeOAuthError(c, org.NewOAuthError(http.StatusNotFound, "not_found", "Not found: Resource not found: "+c.Param("as")+" (AuthorizationServer)"))
		return
	}
	q := c.Request.URL.Query()
	app, oerr := h.Org.OAuthClient(q.Get("client_id"))
	if oerr != nil {
		writeOAuthError(c, oerr)
		return
	}
	if !org.RedirectURIAllowed(app, q.Get("redirect_uri")) {
		writeOAuthError(c, org.NewOAuthError(http.StatusBadRequest, "invalid_request",
			"The 'redirect_uri' parameter must be a Login redirect URI in the client app settings."))
		return
	}
	bad := func(desc string) {
		writeOAuthError(c, org.NewOAuthError(http.StatusBadRequest, "invalid_request", desc))
	}
	if q.Get("response_type") != "none" || q.Get("prompt") != "enroll_authenticator" {
		if q.Get("prompt") == "enroll_authenticator" || q.Get("response_type") == "none" {
			bad("'prompt' parameter must have the value 'enroll_authenticator' for request with 'none' as response_type.")
			return
		}
		writeOAuthError(c, org.NewOAuthError(http.StatusBadRequest, "unsupported_response_type",
			"The response type is not supported by the authorization server. Configured response types: [none]."))
		return
	}
	amr, msg := enrollAMR(q.Get("enroll_amr_values"))
	if msg != "" {
		bad(msg)
		return
	}
	if q.Get("acr_values") != "urn:okta:loa:2fa:any:ifpossible" {
		bad("'acr_values' parameter must have the value 'urn:okta:loa:2fa:any:ifpossible' for request with 'enroll_authenticator' as prompt.")
		return
	}
	if q.Get("max_age") != "0" {
		bad("'max_age' parameter must have the value '0' for request with 'enroll_authenticator' as prompt.")
		return
	}
	t := h.Org.StartInteraction(org.Interaction{AppID: app.ID, ClientID: app.ClientID, AuthServerID: as,
		RedirectURI: q.Get("redirect_uri"), State: q.Get("state"), Intent: org.IntentCredentialEnrollment,
		Hosted: true, EnrollAMR: amr})
	page := "<!DOCTYPE html>\n<html><head><title>oktaemu sign-in</title></head><body>\n" +
		"<p>oktaemu stands in for the Okta-hosted sign-in widget: drive /idp/idx/introspect with this stateToken.</p>\n" +
		"<script>var stateToken = '" + html.EscapeString(t.StateHandle) + "';</script>\n</body></html>\n"
	c.Header("Cache-Control", "no-store")
	c.Data(http.StatusOK, "text/html; charset=utf-8", []byte(page))
}
