package api

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/oktaemu/oktaemu/emulator/internal/engine"
	"github.com/oktaemu/oktaemu/emulator/internal/httpx"
	"github.com/oktaemu/oktaemu/emulator/internal/okta"
	"github.com/oktaemu/oktaemu/emulator/internal/org"
)

// Sessions serves the Sessions API (sessions.md): sessions made from
// sessionTokens, managed by id with an API token or as /me with the session
// cookie, the user-sessions revocation, and the session-cookie redirects
// (cookieTokenUrl and sessionCookieRedirect).
type Sessions struct {
	Org     *org.Org
	Profile engine.Profile
}

// Mount adds the routes that take no API token: POST /api/v1/sessions
// (anonymous or SSWS; the token is not needed), the cookie-only /me routes
// and the browser redirects.
func (h Sessions) Mount(r gin.IRouter) {
	r.POST("/api/v1/sessions", httpx.Handle(h.create))
	// The /me operations support CORS (Okta: <SupportsCors />), with the
	// session cookie as credentials.
	r.GET("/api/v1/sessions/me", cors, httpx.Handle(h.getMe))
	r.DELETE("/api/v1/sessions/me", cors, httpx.Handle(h.deleteMe))
	r.OPTIONS("/api/v1/sessions/me", preflight("GET, DELETE"))
	r.POST("/api/v1/sessions/me/lifecycle/refresh", cors, httpx.Handle(h.refreshMe))
	r.OPTIONS("/api/v1/sessions/me/lifecycle/refresh", preflight("POST"))
	r.POST("/api/v1/sessions/me/refresh", cors, httpx.Handle(h.refreshMe)) // the short path of the Prefer example
	r.POST("/api/v1/users/me/lifecycle/delete_sessions", httpx.Handle(h.deleteMySessions))
	r.GET("/login/sessionCookieRedirect", httpx.Handle(h.cookieRedirect))
	r.GET("/login/sessionCookie", h.sessionCookie)
}

// cors lets a browser page on any origin call a /me operation with its
// cookies: Okta allows the org's Trusted Origins; the emulator has none and
// allows every origin.
func cors(c *gin.Context) {
	if origin := c.GetHeader("Origin"); origin != "" {
		h := c.Writer.Header()
		h.Set("Access-Control-Allow-Origin", origin)
		h.Set("Access-Control-Allow-Credentials", "true")
		h.Add("Vary", "Origin")
	}
}

// preflight answers a CORS preflight for methods: 204 allowing the
// requested headers.
func preflight(methods string) gin.HandlerFunc {
	return func(c *gin.Context) {
		cors(c)
		h := c.Writer.Header()
		h.Set("Access-Control-Allow-Methods", methods)
		if req := c.GetHeader("Access-Control-Request-Headers"); req != "" {
			h.Set("Access-Control-Allow-Headers", req)
		}
		h.Set("Access-Control-Max-Age", "600")
		c.Status(http.StatusNoContent)
		c.Writer.WriteHeaderNow()
	}
}

// MountManagement adds the SSWS routes (r is already behind SSWS auth).
func (h Sessions) MountManagement(r gin.IRouter) {
	r.GET("/api/v1/sessions/:sessionId", httpx.Handle(h.get))
	r.POST("/api/v1/sessions/:sessionId/lifecycle/refresh", httpx.Handle(h.refresh))
	r.PUT("/api/v1/sessions/:sessionId", httpx.Handle(h.refresh)) // deprecated "Extend Session"
	r.DELETE("/api/v1/sessions/:sessionId", httpx.Handle(h.delete))
	r.DELETE("/api/v1/users/:userId/sessions", httpx.Handle(h.deleteUserSessions))
}

type sessionIdP struct {
	ID   string `json:"id"`
	Type string `json:"type"`
}

// sessionBody is Okta's Session object (sessions.md §3).
type sessionBody struct {
	ID                       string      `json:"id"`
	Login                    string      `json:"login"`
	UserID                   string      `json:"userId"`
	CreatedAt                *string     `json:"createdAt"`
	ExpiresAt                *string     `json:"expiresAt"`
	Status                   string      `json:"status"`
	LastPasswordVerification *string     `json:"lastPasswordVerification"`
	LastFactorVerification   *string     `json:"lastFactorVerification"`
	AMR                      []string    `json:"amr"`
	IdP                      *sessionIdP `json:"idp,omitempty"`
	MFAActive                bool        `json:"mfaActive"`
	CookieToken              string      `json:"cookieToken,omitempty"`
	CookieTokenURL           string      `json:"cookieTokenUrl,omitempty"`
	Links                    httpx.Links `json:"_links"`
}

// newSession renders s; me renders the /me form (links through "me", and
// idp only where the engine returns it there, row 20).
func (h Sessions) newSession(c *gin.Context, s org.Session, me bool) sessionBody {
	amr := s.AMR
	if amr == nil {
		amr = []string{}
	}
	b := sessionBody{ID: s.ID, Login: s.Login, UserID: s.UserID, CreatedAt: date(s.Created), ExpiresAt: date(s.ExpiresAt),
		Status: s.Status, LastPasswordVerification: date(s.LastPasswordVerification),
		LastFactorVerification: date(s.LastFactorVerification), AMR: amr, MFAActive: s.MFAActive}
	if !me || h.Profile.SessionsMeIncludesIdP {
		b.IdP = &sessionIdP{ID: s.IdPID, Type: s.IdPType}
	}
	sid, uid := s.ID, s.UserID
	if me {
		sid, uid = "me", "me"
	}
	user := httpx.NewLink(c, "/api/v1/users/"+uid, "GET")
	user.Name = s.UserName
	b.Links = httpx.Links{
		"self":    httpx.NewLink(c, "/api/v1/sessions/"+sid, "GET", "DELETE"),
		"refresh": httpx.NewLink(c, "/api/v1/sessions/"+sid+"/lifecycle/refresh", "POST"),
		"user":    user,
	}
	return b
}

type createSessionRequest struct {
	SessionToken string `json:"sessionToken"`
	Username     string `json:"username"`
	Password     string `json:"password"`
}

// create is POST /api/v1/sessions.
func (h Sessions) create(c *gin.Context) (int, any, error) {
	var req createSessionRequest
	if _, err := httpx.Bind(c, &req); err != nil {
		return 0, nil, err
	}
	if req.SessionToken == "" {
		if req.Username != "" || req.Password != "" {
			// The deprecated username/password form (sessions.md §1 notes).
			return 0, nil, okta.Validation("sessionToken", "Creating a session with username and password is not supported; use a sessionToken from /api/v1/authn.")
		}
		return 0, nil, okta.Validation("sessionToken", "sessionToken: The field cannot be left blank")
	}
	s, err := h.Org.CreateSessionFromToken(req.SessionToken)
	if err != nil {
		return 0, nil, err
	}
	b := h.newSession(c, s, false)
	if h.Profile.SessionCookieToken { // row 19: Identity Engine ignores additionalFields
		fields := map[string]bool{}
		for _, v := range c.QueryArray("additionalFields") {
			for _, f := range strings.Split(v, ",") {
				fields[strings.TrimSpace(f)] = true
			}
		}
		if fields["cookieToken"] || fields["cookieTokenUrl"] {
			token, err := h.Org.IssueCookieToken(s.ID)
			if err != nil {
				return 0, nil, err
			}
			if fields["cookieToken"] {
				b.CookieToken = token
			}
			if fields["cookieTokenUrl"] {
				b.CookieTokenURL = httpx.Href(c, "/login/sessionCookie?token="+url.QueryEscape(token))
			}
		}
	}
	return http.StatusOK, b, nil
}

func (h Sessions) get(c *gin.Context) (int, any, error) {
	s, err := h.Org.Session(c.Param("sessionId"))
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, h.newSession(c, s, false), nil
}

// minimal reports a `Prefer: return=minimal` request and marks the answer.
func minimal(c *gin.Context) bool {
	for _, v := range c.Request.Header.Values("Prefer") {
		for _, p := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(p), "return=minimal") {
				c.Header("Preference-Applied", "return=minimal")
				return true
			}
		}
	}
	return false
}

func (h Sessions) refresh(c *gin.Context) (int, any, error) {
	s, err := h.Org.RefreshSession(c.Param("sessionId"))
	if err != nil {
		return 0, nil, err
	}
	if minimal(c) {
		return http.StatusNoContent, nil, nil
	}
	return http.StatusOK, h.newSession(c, s, false), nil
}

func (h Sessions) delete(c *gin.Context) (int, any, error) {
	if err := h.Org.EndSession(c.Param("sessionId")); err != nil {
		return 0, nil, err
	}
	return http.StatusNoContent, nil, nil
}

// deleteUserSessions is DELETE /api/v1/users/{id}/sessions; forgetDevices
// defaults per engine (row 23). oauthTokens is accepted; the emulator's
// OAuth tokens are not revoked by it.
func (h Sessions) deleteUserSessions(c *gin.Context) (int, any, error) {
	forget := queryFlag(c, "forgetDevices", h.Profile.ForgetDevicesDefault)
	if err := h.Org.EndUserSessions(c.Param("userId"), forget); err != nil {
		return 0, nil, err
	}
	return http.StatusNoContent, nil, nil
}

// meCookie is one session cookie of the request that names a live session.
type meCookie struct {
	name    string
	session org.Session
}

// meSessions returns the live sessions the request's session cookies name,
// in the engine's cookie order (row 21: sid in Classic; idx, then sid in
// Identity Engine). None is 404 "Resource not found: me (Session)".
func (h Sessions) meSessions(c *gin.Context) ([]meCookie, error) {
	var out []meCookie
	for _, name := range h.Profile.SessionCookies {
		v, err := c.Cookie(name)
		if err != nil || v == "" {
			continue
		}
		if s, err := h.Org.Session(v); err == nil {
			out = append(out, meCookie{name: name, session: s})
		}
	}
	if len(out) == 0 {
		return nil, okta.NotFound("me", "Session")
	}
	return out, nil
}

// setSessionCookie issues cookie name for s (host-only, Path=/, HttpOnly;
// Secure and SameSite=None over HTTPS). Max-Age is the session's remaining
// life on the org clock, so a renewed session renews its cookie and a
// fake clock does not expire it early in a real browser.
func (h Sessions) setSessionCookie(c *gin.Context, name string, s org.Session) {
	maxAge := int(s.ExpiresAt.Sub(h.Org.Now()).Seconds())
	if maxAge <= 0 {
		maxAge = -1
	}
	writeCookie(c, name, s.ID, maxAge)
}

func writeCookie(c *gin.Context, name, value string, maxAge int) {
	secure := c.Request.TLS != nil || strings.EqualFold(c.GetHeader("X-Forwarded-Proto"), "https")
	ck := &http.Cookie{Name: name, Value: value, Path: "/", MaxAge: maxAge, HttpOnly: true, Secure: secure}
	if secure {
		ck.SameSite = http.SameSiteNoneMode
	} else {
		ck.SameSite = http.SameSiteLaxMode
	}
	http.SetCookie(c.Writer, ck)
}

func (h Sessions) getMe(c *gin.Context) (int, any, error) {
	ms, err := h.meSessions(c)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, h.newSession(c, ms[0].session, true), nil
}

// refreshMe extends the cookie's session and re-issues the cookie with the
// new lifetime (sessions.md §4).
func (h Sessions) refreshMe(c *gin.Context) (int, any, error) {
	ms, err := h.meSessions(c)
	if err != nil {
		return 0, nil, err
	}
	var first org.Session
	refreshed := map[string]org.Session{}
	for i, m := range ms {
		s, ok := refreshed[m.session.ID]
		if !ok {
			if s, err = h.Org.RefreshSession(m.session.ID); err != nil {
				return 0, nil, err
			}
			refreshed[s.ID] = s
		}
		if i == 0 {
			first = s
		}
		h.setSessionCookie(c, m.name, s)
	}
	if minimal(c) {
		return http.StatusNoContent, nil, nil
	}
	return http.StatusOK, h.newSession(c, first, true), nil
}

// deleteMe ends the cookies' sessions (both sid and idx, row 21) and clears
// the cookies.
func (h Sessions) deleteMe(c *gin.Context) (int, any, error) {
	ms, err := h.meSessions(c)
	if err != nil {
		return 0, nil, err
	}
	for _, m := range ms {
		if err := h.Org.EndSession(m.session.ID); err != nil && !okta.Is(err, okta.E0000007) {
			return 0, nil, err
		}
	}
	for _, name := range h.Profile.SessionCookies {
		if _, err := c.Cookie(name); err == nil {
			writeCookie(c, name, "", -1)
		}
	}
	return http.StatusNoContent, nil, nil
}

// deleteMySessions is POST /api/v1/users/me/lifecycle/delete_sessions:
// ends the cookie user's sessions, all but the current one unless
// keepCurrent is false.
func (h Sessions) deleteMySessions(c *gin.Context) (int, any, error) {
	ms, err := h.meSessions(c)
	if err != nil {
		return 0, nil, err
	}
	var req struct {
		KeepCurrent *bool `json:"keepCurrent"`
	}
	if _, err := httpx.Bind(c, &req); err != nil {
		return 0, nil, err
	}
	keep := req.KeepCurrent == nil || *req.KeepCurrent
	current := map[string]bool{}
	for _, m := range ms {
		current[m.session.ID] = true
	}
	for _, s := range h.Org.UserSessions(ms[0].session.UserID) {
		if keep && current[s.ID] {
			continue
		}
		if err := h.Org.EndSession(s.ID); err != nil && !okta.Is(err, okta.E0000007) {
			return 0, nil, err
		}
	}
	if !keep {
		for _, m := range ms {
			writeCookie(c, m.name, "", -1)
		}
	}
	return http.StatusNoContent, nil, nil
}

// redeemToCookie redeems the `token` query parameter — a cookieToken
// (Classic) or a sessionToken — and sets the sid cookie for its session. It
// returns the checked redirectUrl ("" when none is given). The emulator has
// no Trusted Origins: any absolute http(s) redirectUrl is accepted. A bad,
// used or expired token is 401 E0000004.
func (h Sessions) redeemToCookie(c *gin.Context) (string, error) {
	token := c.Query("token")
	redirect := c.Query("redirectUrl")
	if redirect != "" {
		u, err := url.Parse(redirect)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return "", okta.Validation("redirectUrl", "redirectUrl: must be an absolute http or https URL")
		}
	}
	if token == "" {
		return "", okta.Errorf(okta.E0000028).WithCauses("token: The query parameter is required.")
	}
	var s org.Session
	var err error
	if h.Profile.SessionCookieToken {
		s, err = h.Org.RedeemCookieToken(token)
	}
	if !h.Profile.SessionCookieToken || err != nil {
		s, err = h.Org.CreateSessionFromToken(token)
	}
	if err != nil {
		return "", err
	}
	h.setSessionCookie(c, org.CookieSID, s)
	c.Header("Cache-Control", "no-store")
	return redirect, nil
}

// cookieRedirect is GET /login/sessionCookieRedirect?token=…&redirectUrl=…
// (okta-developer-docs guides/session-cookie): the cookie is set and the
// answer is 302 to redirectUrl, which is required.
func (h Sessions) cookieRedirect(c *gin.Context) (int, any, error) {
	if c.Query("redirectUrl") == "" {
		return 0, nil, okta.Errorf(okta.E0000028).WithCauses("redirectUrl: The query parameter is required.")
	}
	redirect, err := h.redeemToCookie(c)
	if err != nil {
		return 0, nil, err
	}
	c.Header("Location", redirect)
	return http.StatusFound, nil, nil
}

// transparentGIF is a 1x1 transparent GIF.
var transparentGIF = []byte("GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;")

// sessionCookie is GET /login/sessionCookie?token=<cookieToken>, the
// cookieTokenUrl: it sets the cookie and renders a transparent 1x1 pixel
// (the URL was meant for an <img>), or redirects when redirectUrl is given.
func (h Sessions) sessionCookie(c *gin.Context) {
	redirect, err := h.redeemToCookie(c)
	if err != nil {
		httpx.WriteError(c, err)
		return
	}
	if redirect != "" {
		c.Header("Location", redirect)
		c.Status(http.StatusFound)
		c.Writer.WriteHeaderNow()
		return
	}
	c.Data(http.StatusOK, "image/gif", transparentGIF)
}
