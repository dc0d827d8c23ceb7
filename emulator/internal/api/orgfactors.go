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

// OrgFactors serves the Org Factors API /api/v1/org/factors (factors.md §10).
type OrgFactors struct {
	Org     *org.Org
	Profile engine.Profile
}

// Mount adds the Org Factors API routes to r (already behind SSWS auth).
func (h OrgFactors) Mount(r gin.IRouter) {
	r.GET("/api/v1/org/factors", httpx.Handle(h.list))
	r.GET("/api/v1/org/factors/:factorName", httpx.Handle(h.get))
	r.POST("/api/v1/org/factors/:factorName/lifecycle/activate", httpx.Handle(h.lifecycle(true)))
	r.POST("/api/v1/org/factors/:factorName/lifecycle/deactivate", httpx.Handle(h.lifecycle(false)))
}

// orgFactorBody is the org factor object.
type orgFactorBody struct {
	ID         string          `json:"id"`
	Provider   string          `json:"provider"`
	FactorType okta.FactorType `json:"factorType"`
	Status     string          `json:"status"`
	Links      httpx.Links     `json:"_links"`
}

func newOrgFactor(c *gin.Context, f org.OrgFactor) orgFactorBody {
	p := "/api/v1/org/factors/" + f.ID
	l := httpx.Links{"self": httpx.NewLink(c, p, http.MethodGet)}
	if f.Status == org.OrgFactorActive {
		l["deactivate"] = httpx.NewLink(c, p+"/lifecycle/deactivate", http.MethodPost)
	} else {
		l["activate"] = httpx.NewLink(c, p+"/lifecycle/activate", http.MethodPost)
	}
	return orgFactorBody{ID: f.ID, Provider: f.Provider, FactorType: f.FactorType, Status: f.Status, Links: l}
}

// statusFilter reads filter=status eq "X"; anything else is 400 E0000031.
func statusFilter(c *gin.Context) (string, error) {
	s := strings.TrimSpace(c.Query("filter"))
	if s == "" {
		return "", nil
	}
	rest, ok := strings.CutPrefix(s, "status eq ")
	if !ok || len(rest) < 2 || rest[0] != '"' || rest[len(rest)-1] != '"' {
		return "", okta.Errorf(okta.E0000031)
	}
	return rest[1 : len(rest)-1], nil
}

func (h OrgFactors) list(c *gin.Context) (int, any, error) {
	status, err := statusFilter(c)
	if err != nil {
		return 0, nil, err
	}
	out := []orgFactorBody{}
	for _, f := range h.Org.OrgFactors() {
		if status == "" || f.Status == status {
			out = append(out, newOrgFactor(c, f))
		}
	}
	return http.StatusOK, out, nil
}

func (h OrgFactors) get(c *gin.Context) (int, any, error) {
	f, err := h.Org.OrgFactorByID(c.Param("factorName"))
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, newOrgFactor(c, f), nil
}

func (h OrgFactors) lifecycle(active bool) httpx.HandlerFunc {
	return func(c *gin.Context) (int, any, error) {
		name := c.Param("factorName")
		if _, err := h.Org.OrgFactorByID(name); err != nil {
			return 0, nil, err
		}
		if slices.Contains(h.Profile.OrgFactorsLocked, name) {
			// Row 16: manage it through /api/v1/authenticators instead.
			return 0, nil, okta.Errorf(okta.E0000060)
		}
		f, err := h.Org.SetOrgFactorStatus(name, active)
		if err != nil {
			return 0, nil, err
		}
		return http.StatusOK, newOrgFactor(c, f), nil
	}
}
