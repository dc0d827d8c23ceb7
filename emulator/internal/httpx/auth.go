package httpx

import (
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/oktaemu/oktaemu/emulator/internal/okta"
)

// TokenChecker reports whether an SSWS token is valid for an org.
type TokenChecker func(token string) bool

// RequireAPIToken guards management routes with SSWS API-token auth
// (errors.md §4): a valid `Authorization: SSWS <token>` passes; an invalid
// token, or any other scheme, is 401 E0000011 "Invalid token provided"; no
// Authorization header at all is 403 E0000005 "Invalid session" (Okta falls
// back to cookie-session auth, and finds none).
func RequireAPIToken(check TokenChecker) gin.HandlerFunc {
	return func(c *gin.Context) {
		h := header(c.Request, "Authorization")
		if h == "" {
			WriteError(c, okta.Errorf(okta.E0000005))
			return
		}
		token, ok := ssws(h)
		if !ok || !check(token) {
			WriteError(c, okta.Errorf(okta.E0000011))
			return
		}
		state(c).trusted = true
		c.Next()
	}
}

// OptionalAPIToken marks requests that carry a valid SSWS token as coming
// from a trusted app (authn §1.3) and refuses an invalid one with 401
// E0000011; anonymous requests pass.
func OptionalAPIToken(check TokenChecker) gin.HandlerFunc {
	return func(c *gin.Context) {
		h := header(c.Request, "Authorization")
		if h == "" {
			c.Next()
			return
		}
		token, ok := ssws(h)
		if !ok || !check(token) {
			WriteError(c, okta.Errorf(okta.E0000011))
			return
		}
		state(c).trusted = true
		c.Next()
	}
}

// Trusted reports whether the request carried a valid SSWS token.
func Trusted(c *gin.Context) bool {
	r := lookup(c)
	return r != nil && r.trusted
}

func ssws(h string) (string, bool) {
	scheme, token, ok := strings.Cut(strings.TrimSpace(h), " ")
	if !ok || !strings.EqualFold(scheme, "SSWS") {
		return "", false
	}
	token = strings.TrimSpace(token)
	return token, token != ""
}
