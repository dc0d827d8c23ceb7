package org

import (
	"crypto/rand"
	"crypto/rsa"
	"slices"
	"strings"
)

// OAuthError is an OAuth 2.0 error answer: {"error","error_description"}
// with an HTTP status (idx.md §2.2, §2.3; texts from Okta's
// oauth2-error-codes.json).
type OAuthError struct {
	Status      int
	Code        string
	Description string
}

func (e *OAuthError) Error() string { return e.Code + ": " + e.Description }

// NewOAuthError builds an OAuthError.
func NewOAuthError(status int, code, description string) *OAuthError {
	return &OAuthError{Status: status, Code: code, Description: description}
}

// OAuth error texts Okta uses for the Interaction Code grant.
const (
	OAuthInteractNotEnabled = "The requested feature (Interaction Code flow) isn't enabled in this environment. Ensure that you have Okta Identity Engine enabled and the Interaction Code flow enabled for this application and authorization server."
	OAuthInvalidCode        = "The interaction code is invalid or has expired."
	OAuthPKCEFailed         = "PKCE verification failed."
	OAuthVerifierRequired   = "PKCE code verifier is required by the application."
	OAuthOtherClient        = "The grant was issued to another client. Please make sure the 'client_id' matches the one used at the authorize request."
	OAuthUnsatisfiable      = "Additional user authentication is required but the assurance requirements cannot be met with the allowed authenticators. Check the authenticator and assurance configuration for the user and client."
	OAuthInvalidClientText  = "Client authentication failed. Either the client or the client credentials are invalid."
)

// OAuthClient returns the active OIDC app whose client id is clientID (apps
// from the fixture with clientId and redirectUris).
func (o *Org) OAuthClient(clientID string) (App, *OAuthError) {
	if clientID == "" {
		return App{}, NewOAuthError(400, "invalid_request",
			"The request is missing a required parameter: client_id.")
	}
	o.mu.RLock()
	defer o.mu.RUnlock()
	for _, id := range o.appOrder {
		a := o.apps[id]
		if a.ClientID == clientID && a.Status == StatusActive {
			c := *a
			c.RedirectURIs = slices.Clone(a.RedirectURIs)
			return c, nil
		}
	}
	return App{}, NewOAuthError(401, "invalid_client", "The client_id provided is invalid.")
}

// CheckClientSecret authenticates a confidential client: a client with a
// secret must present it; a public client's secret parameter is ignored
// (okta-idx-java sends an empty one or the string "null", idx.md §2.2).
func CheckClientSecret(a App, secret string) *OAuthError {
	if a.ClientSecret == "" {
		return nil
	}
	if secret != a.ClientSecret {
		return NewOAuthError(401, "invalid_client", OAuthInvalidClientText)
	}
	return nil
}

// RedirectURIAllowed reports whether uri is one of a's login redirect URIs.
func RedirectURIAllowed(a App, uri string) bool {
	return slices.Contains(a.RedirectURIs, uri)
}

// SigningKey returns the org's RS256 signing key and its key id, generated
// on first use. The key id is seeded; the key itself comes from the
// system's randomness (Go ignores caller-supplied randomness for key
// generation), so tests compare token claims, never token bytes.
func (o *Org) SigningKey() (*rsa.PrivateKey, string, error) {
	o.idx.mu.Lock()
	defer o.idx.mu.Unlock()
	if o.idx.key == nil {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			return nil, "", err
		}
		o.idx.key = k
		o.idx.kid = strings.ReplaceAll(o.ids.Random(43), "0", "_")
	}
	return o.idx.key, o.idx.kid, nil
}
