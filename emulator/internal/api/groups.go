package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/oktaemu/oktaemu/emulator/internal/httpx"
	"github.com/oktaemu/oktaemu/emulator/internal/okta"
	"github.com/oktaemu/oktaemu/emulator/internal/org"
)

// Groups serves the Groups API.
type Groups struct {
	Org *org.Org
}

// Mount adds the Groups API routes to r (already behind SSWS auth).
func (h Groups) Mount(r gin.IRouter) {
	r.POST("/api/v1/groups", httpx.Handle(h.create))
	r.GET("/api/v1/groups", httpx.Handle(h.list))
	r.GET("/api/v1/groups/:groupId", httpx.Handle(h.get))
	r.PUT("/api/v1/groups/:groupId", httpx.Handle(h.update))
	r.DELETE("/api/v1/groups/:groupId", httpx.Handle(h.delete))
	r.GET("/api/v1/groups/:groupId/users", httpx.Handle(h.members))
	r.PUT("/api/v1/groups/:groupId/users/:userId", httpx.Handle(h.addMember))
	r.DELETE("/api/v1/groups/:groupId/users/:userId", httpx.Handle(h.removeMember))
}

type groupRequest struct {
	Profile *struct {
		Name        string `json:"name"`
		Description string `json:"description"`
	} `json:"profile"`
}

func bindGroup(c *gin.Context) (name, description string, err error) {
	var req groupRequest
	if _, err := httpx.Bind(c, &req); err != nil {
		return "", "", err
	}
	if req.Profile == nil {
		return "", "", okta.Validation("profile", "profile: The field cannot be left blank")
	}
	return req.Profile.Name, req.Profile.Description, nil
}

func (h Groups) create(c *gin.Context) (int, any, error) {
	name, desc, err := bindGroup(c)
	if err != nil {
		return 0, nil, err
	}
	g, err := h.Org.CreateGroup("", name, desc)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, newGroup(c, g), nil
}

func (h Groups) get(c *gin.Context) (int, any, error) {
	g, err := h.Org.Group(c.Param("groupId"))
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, newGroup(c, g), nil
}

func (h Groups) list(c *gin.Context) (int, any, error) {
	page, err := httpx.ParsePage(c, 10000, 10000)
	if err != nil {
		return 0, nil, err
	}
	q := org.GroupQuery{Q: c.Query("q"), After: page.After, Limit: page.Limit}
	if s := c.Query("search"); s != "" {
		if q.Search, err = org.ParseExpr(s); err != nil {
			return 0, nil, err
		}
	}
	if s := c.Query("filter"); s != "" {
		if q.Filter, err = org.ParseExpr(s); err != nil {
			return 0, nil, err
		}
	}
	groups, more := h.Org.ListGroups(q)
	out := make([]groupBody, 0, len(groups))
	last := ""
	for _, g := range groups {
		out = append(out, newGroup(c, g))
		last = g.ID
	}
	httpx.SetPageLinks(c, more, last)
	return http.StatusOK, out, nil
}

func (h Groups) update(c *gin.Context) (int, any, error) {
	name, desc, err := bindGroup(c)
	if err != nil {
		return 0, nil, err
	}
	g, err := h.Org.UpdateGroup(c.Param("groupId"), name, desc)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, newGroup(c, g), nil
}

func (h Groups) delete(c *gin.Context) (int, any, error) {
	if err := h.Org.DeleteGroup(c.Param("groupId")); err != nil {
		return 0, nil, err
	}
	return http.StatusNoContent, nil, nil
}

func (h Groups) members(c *gin.Context) (int, any, error) {
	page, err := httpx.ParsePage(c, 1000, 1000)
	if err != nil {
		return 0, nil, err
	}
	users, more, err := h.Org.GroupMembers(c.Param("groupId"), page.After, page.Limit)
	if err != nil {
		return 0, nil, err
	}
	out := make([]userBody, 0, len(users))
	last := ""
	for _, u := range users {
		out = append(out, newUser(c, u))
		last = u.ID
	}
	httpx.SetPageLinks(c, more, last)
	return http.StatusOK, out, nil
}

func (h Groups) addMember(c *gin.Context) (int, any, error) {
	if err := h.Org.AddGroupMember(c.Param("groupId"), c.Param("userId")); err != nil {
		return 0, nil, err
	}
	return http.StatusNoContent, nil, nil
}

func (h Groups) removeMember(c *gin.Context) (int, any, error) {
	if err := h.Org.RemoveGroupMember(c.Param("groupId"), c.Param("userId")); err != nil {
		return 0, nil, err
	}
	return http.StatusNoContent, nil, nil
}
