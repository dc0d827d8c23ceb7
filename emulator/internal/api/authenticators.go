package api

import (
	"net/http"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/oktaemu/oktaemu/emulator/internal/engine"
	"github.com/oktaemu/oktaemu/emulator/internal/httpx"
	"github.com/oktaemu/oktaemu/emulator/internal/okta"
	"github.com/oktaemu/oktaemu/emulator/internal/org"
)

// Authenticators serves the Identity Engine Authenticators API and User
// Authenticator Enrollments API (authenticators.md). Where the profile does
// not offer them (Classic), every route answers 401 E0000015
// (authenticators.md §0, suggested).
type Authenticators struct {
	Org     *org.Org
	Profile engine.Profile
}

// Mount adds the routes to r (already behind SSWS auth).
func (h Authenticators) Mount(r gin.IRouter) {
	g := r.Group("", h.available)
	const a = "/api/v1/authenticators"
	g.GET(a, httpx.Handle(h.list))
	g.GET(a+"/:authenticatorId", httpx.Handle(h.get))
	g.POST(a+"/:authenticatorId/lifecycle/activate", httpx.Handle(h.lifecycle(true)))
	g.POST(a+"/:authenticatorId/lifecycle/deactivate", httpx.Handle(h.lifecycle(false)))
	g.GET(a+"/:authenticatorId/methods", httpx.Handle(h.methods))
	g.GET(a+"/:authenticatorId/methods/:methodType", httpx.Handle(h.method))
	const e = "/api/v1/users/:userId/authenticator-enrollments"
	g.GET(e, httpx.Handle(h.enrollments))
	g.GET(e+"/:enrollmentId", httpx.Handle(h.enrollment))
	g.DELETE(e+"/:enrollmentId", httpx.Handle(h.deleteEnrollment))
}

func (h Authenticators) available(c *gin.Context) {
	if !h.Profile.AuthenticatorsAPI {
		httpx.WriteError(c, okta.Errorf(okta.E0000015))
	}
}

// authenticatorBody is the Authenticator object.
type authenticatorBody struct {
	Type        string         `json:"type"`
	ID          string         `json:"id"`
	Key         string         `json:"key"`
	Status      string         `json:"status"`
	Name        string         `json:"name"`
	Created     *string        `json:"created"`
	LastUpdated *string        `json:"lastUpdated"`
	Settings    map[string]any `json:"settings,omitempty"`
	Links       httpx.Links    `json:"_links"`
}

func newAuthenticator(c *gin.Context, a org.Authenticator) authenticatorBody {
	p := "/api/v1/authenticators/" + a.ID
	self := httpx.NewLink(c, p, http.MethodGet, http.MethodPut)
	if a.Key == "security_question" {
		self = httpx.NewLink(c, p, http.MethodGet)
	}
	l := httpx.Links{"self": self, "methods": httpx.NewLink(c, p+"/methods", http.MethodGet)}
	if a.Key != "okta_password" {
		if a.Status == org.StatusActive {
			l["deactivate"] = httpx.NewLink(c, p+"/lifecycle/deactivate", http.MethodPost)
		} else {
			l["activate"] = httpx.NewLink(c, p+"/lifecycle/activate", http.MethodPost)
		}
	}
	return authenticatorBody{Type: a.Type, ID: a.ID, Key: a.Key, Status: a.Status, Name: a.Name,
		Created: date(a.Created), LastUpdated: date(a.LastUpdated), Settings: a.Settings, Links: l}
}

func (h Authenticators) list(c *gin.Context) (int, any, error) {
	as := h.Org.Authenticators()
	out := make([]authenticatorBody, 0, len(as))
	for _, a := range as {
		out = append(out, newAuthenticator(c, a))
	}
	return http.StatusOK, out, nil
}

func (h Authenticators) get(c *gin.Context) (int, any, error) {
	a, err := h.Org.AuthenticatorByID(c.Param("authenticatorId"))
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, newAuthenticator(c, a), nil
}

func (h Authenticators) lifecycle(active bool) httpx.HandlerFunc {
	return func(c *gin.Context) (int, any, error) {
		a, err := h.Org.SetAuthenticatorStatus(c.Param("authenticatorId"), active)
		if err != nil {
			return 0, nil, err
		}
		return http.StatusOK, newAuthenticator(c, a), nil
	}
}

// methodBody is an authenticator method.
type methodBody struct {
	Type     string         `json:"type"`
	Status   string         `json:"status"`
	Settings map[string]any `json:"settings,omitempty"`
	Links    httpx.Links    `json:"_links"`
}

func newMethod(c *gin.Context, a org.Authenticator, m org.AuthenticatorMethod) methodBody {
	p := "/api/v1/authenticators/" + a.ID + "/methods/" + m.Type
	l := httpx.Links{"self": httpx.NewLink(c, p, http.MethodGet, http.MethodPut)}
	if m.Status == org.StatusActive {
		l["deactivate"] = httpx.NewLink(c, p+"/lifecycle/deactivate", http.MethodPost)
	} else {
		l["activate"] = httpx.NewLink(c, p+"/lifecycle/activate", http.MethodPost)
	}
	return methodBody{Type: m.Type, Status: m.Status, Settings: m.Settings, Links: l}
}

func (h Authenticators) methods(c *gin.Context) (int, any, error) {
	a, err := h.Org.AuthenticatorByID(c.Param("authenticatorId"))
	if err != nil {
		return 0, nil, err
	}
	out := make([]methodBody, 0, len(a.Methods))
	for _, m := range a.Methods {
		out = append(out, newMethod(c, a, m))
	}
	return http.StatusOK, out, nil
}

func (h Authenticators) method(c *gin.Context) (int, any, error) {
	a, err := h.Org.AuthenticatorByID(c.Param("authenticatorId"))
	if err != nil {
		return 0, nil, err
	}
	i := slices.IndexFunc(a.Methods, func(m org.AuthenticatorMethod) bool { return m.Type == c.Param("methodType") })
	if i < 0 {
		return 0, nil, okta.NotFound(c.Param("methodType"), "AuthenticatorMethod")
	}
	return http.StatusOK, newMethod(c, a, a.Methods[i]), nil
}

// enrollmentBody is an authenticator enrollment (authenticators.md §2).
type enrollmentBody struct {
	Type        string         `json:"type"`
	ID          string         `json:"id"`
	Key         string         `json:"key"`
	Status      string         `json:"status"`
	Name        string         `json:"name"`
	Profile     map[string]any `json:"profile,omitempty"`
	Nickname    *string        `json:"nickname"`
	Created     *string        `json:"created"`
	LastUpdated *string        `json:"lastUpdated"`
	Links       httpx.Links    `json:"_links"`
}

// discloses reads discloseIdentifiers (array; only "phone").
func discloses(c *gin.Context, what string) bool {
	for _, v := range c.QueryArray("discloseIdentifiers") {
		for _, s := range strings.Split(v, ",") {
			if strings.TrimSpace(s) == what {
				return true
			}
		}
	}
	return false
}

// maskPhone hides all but the last four digits: "+1 XXX-XXX-6065" for a
// North American number, X for every hidden digit otherwise.
func maskPhone(p string) string {
	var digits []rune
	for _, r := range p {
		if r >= '0' && r <= '9' {
			digits = append(digits, r)
		}
	}
	if len(digits) == 11 && digits[0] == '1' {
		return "+1 XXX-XXX-" + string(digits[7:])
	}
	keep := max(len(digits)-4, 0)
	return "+" + strings.Repeat("X", keep) + string(digits[keep:])
}

func newEnrollment(c *gin.Context, uid string, e org.Enrollment) enrollmentBody {
	profile := e.Profile
	if ph, ok := profile["phoneNumber"].(string); ok && !discloses(c, "phone") {
		profile = map[string]any{"phoneNumber": maskPhone(ph)}
	}
	l := httpx.Links{
		"self": httpx.NewLink(c, "/api/v1/users/"+uid+"/authenticator-enrollments/"+e.ID, http.MethodGet, http.MethodDelete),
		"user": httpx.NewLink(c, "/api/v1/users/"+uid, http.MethodGet),
	}
	if e.AuthenticatorID != "" {
		l["authenticator"] = httpx.NewLink(c, "/api/v1/authenticators/"+e.AuthenticatorID, http.MethodGet)
	}
	return enrollmentBody{Type: e.Type, ID: e.ID, Key: e.Key, Status: e.Status, Name: e.Name, Profile: profile,
		Created: date(e.Created), LastUpdated: date(e.LastUpdated), Links: l}
}

func (h Authenticators) enrollments(c *gin.Context) (int, any, error) {
	u, err := h.Org.User(c.Param("userId"))
	if err != nil {
		return 0, nil, err
	}
	es, err := h.Org.Enrollments(u.ID)
	if err != nil {
		return 0, nil, err
	}
	out := make([]enrollmentBody, 0, len(es))
	for _, e := range es {
		out = append(out, newEnrollment(c, u.ID, e))
	}
	return http.StatusOK, out, nil
}

func (h Authenticators) findEnrollment(c *gin.Context) (string, org.Enrollment, error) {
	u, err := h.Org.User(c.Param("userId"))
	if err != nil {
		return "", org.Enrollment{}, err
	}
	es, err := h.Org.Enrollments(u.ID)
	if err != nil {
		return "", org.Enrollment{}, err
	}
	id := c.Param("enrollmentId")
	for _, e := range es {
		if e.ID == id {
			return u.ID, e, nil
		}
	}
	return "", org.Enrollment{}, okta.NotFound(id, "AuthenticatorEnrollment")
}

func (h Authenticators) enrollment(c *gin.Context) (int, any, error) {
	uid, e, err := h.findEnrollment(c)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, newEnrollment(c, uid, e), nil
}

func (h Authenticators) deleteEnrollment(c *gin.Context) (int, any, error) {
	uid, e, err := h.findEnrollment(c)
	if err != nil {
		return 0, nil, err
	}
	if e.Key == "okta_password" {
		return 0, nil, okta.Errorf(okta.E0000006)
	}
	if err := h.Org.DeleteEnrollment(uid, e.ID); err != nil {
		return 0, nil, err
	}
	return http.StatusNoContent, nil, nil
}
