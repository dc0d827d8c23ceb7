package idx

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/oktaemu/oktaemu/emulator/internal/org"
)

// Classic is what a Classic Engine org answers on the Interaction Code
// routes (idx.md §2.2): /interact exists on Okta's authorization servers
// but the grant is not enabled, so every call is 400 access_denied with
// Okta's text; the token endpoint refuses grant_type=interaction_code as
// an unsupported grant; /idp/idx/* does not exist (404 E0000008 from the
// router).
type Classic struct {
	Org *org.Org
}

// Mount adds the Classic answers.
func (h Classic) Mount(r gin.IRouter) {
	for _, base := range []string{"/oauth2/v1", "/oauth2/:as/v1"} {
		r.POST(base+"/interact", h.interact)
		r.POST(base+"/token", h.token)
	}
}

func (h Classic) interact(c *gin.Context) {
	writeOAuthError(c, org.NewOAuthError(http.StatusBadRequest, "access_denied", org.OAuthInteractNotEnabled))
}

func (h Classic) token(c *gin.Context) {
	_ = c.Request.ParseForm()
	if c.Request.Form.Get("grant_type") == "interaction_code" {
		writeOAuthError(c, org.NewOAuthError(http.StatusBadRequest, "unsupported_grant_type",
			"The authorization grant type is not supported by the authorization server. Configured grant types: [authorization_code, implicit, refresh_token, password, client_credentials]."))
		return
	}
	writeOAuthError(c, org.NewOAuthError(http.StatusBadRequest, "invalid_request",
		"The token request must specify a 'grant_type'. Valid values: [authorization_code, implicit, refresh_token, password, client_credentials]"))
}
