package api

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/oktaemu/oktaemu/emulator/internal/engine"
	"github.com/oktaemu/oktaemu/emulator/internal/httpx"
	"github.com/oktaemu/oktaemu/emulator/internal/okta"
	"github.com/oktaemu/oktaemu/emulator/internal/org"
)

// Users serves the Users API and the user lifecycle.
type Users struct {
	Org     *org.Org
	Profile engine.Profile
}

// Mount adds the Users API routes to r (already behind SSWS auth).
func (h Users) Mount(r gin.IRouter) {
	r.POST("/api/v1/users", httpx.Handle(h.create))
	r.GET("/api/v1/users", httpx.Handle(h.list))
	r.GET("/api/v1/users/:userId", httpx.Handle(h.get))
	r.POST("/api/v1/users/:userId", httpx.Handle(h.update(false)))
	r.PUT("/api/v1/users/:userId", httpx.Handle(h.update(true)))
	r.DELETE("/api/v1/users/:userId", httpx.Handle(h.delete))
	r.GET("/api/v1/users/:userId/groups", httpx.Handle(h.groups))
	r.POST("/api/v1/users/:userId/lifecycle/activate", httpx.Handle(h.activate))
	r.POST("/api/v1/users/:userId/lifecycle/reactivate", httpx.Handle(h.activate))
	r.POST("/api/v1/users/:userId/lifecycle/deactivate", httpx.Handle(h.deactivate))
	r.POST("/api/v1/users/:userId/lifecycle/suspend", httpx.Handle(h.emptyOp(h.Org.SuspendUser)))
	r.POST("/api/v1/users/:userId/lifecycle/unsuspend", httpx.Handle(h.emptyOp(h.Org.UnsuspendUser)))
	r.POST("/api/v1/users/:userId/lifecycle/unlock", httpx.Handle(h.emptyOp(h.Org.UnlockUser)))
	r.POST("/api/v1/users/:userId/lifecycle/expire_password", httpx.Handle(h.expirePassword))
	r.POST("/api/v1/users/:userId/lifecycle/reset_password", httpx.Handle(h.resetPassword))
}

// createUserRequest is the body of POST /api/v1/users.
type createUserRequest struct {
	Profile     map[string]any `json:"profile"`
	Credentials *struct {
		Password *struct {
			Value string `json:"value"`
		} `json:"password"`
		RecoveryQuestion *struct {
			Question string `json:"question"`
			Answer   string `json:"answer"`
		} `json:"recovery_question"`
	} `json:"credentials"`
	GroupIDs []string `json:"groupIds"`
}

// boolQuery reads a boolean query parameter; a value that is not a boolean
// is 400 E0000001.
func boolQuery(c *gin.Context, name string, def bool) (bool, error) {
	s, ok := c.GetQuery(name)
	if !ok || s == "" {
		return def, nil
	}
	b, err := strconv.ParseBool(s)
	if err != nil {
		return false, okta.Validation(name, name+": must be a boolean")
	}
	return b, nil
}

func (h Users) create(c *gin.Context) (int, any, error) {
	var req createUserRequest
	ok, err := httpx.Bind(c, &req)
	if err != nil {
		return 0, nil, err
	}
	if !ok || req.Profile == nil {
		return 0, nil, okta.Validation("profile", "profile: The field cannot be left blank")
	}
	activate, err := boolQuery(c, "activate", true)
	if err != nil {
		return 0, nil, err
	}
	prov, err := boolQuery(c, "provider", false)
	if err != nil {
		return 0, nil, err
	}
	in := org.NewUser{Profile: req.Profile, Activate: activate, Provider: prov, GroupIDs: req.GroupIDs,
		ExpirePassword: c.Query("nextLogin") == "changePassword"}
	if cr := req.Credentials; cr != nil {
		if cr.Password != nil {
			in.Password = cr.Password.Value
		}
		if rq := cr.RecoveryQuestion; rq != nil {
			in.RecoveryQuestion, in.RecoveryAnswer = rq.Question, rq.Answer
		}
	}
	u, err := h.Org.CreateUser(in)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, newUser(c, u), nil
}

func (h Users) get(c *gin.Context) (int, any, error) {
	u, err := h.Org.User(c.Param("userId"))
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, newUser(c, u), nil
}

func (h Users) list(c *gin.Context) (int, any, error) {
	page, err := httpx.ParsePage(c, 200, 200)
	if err != nil {
		return 0, nil, err
	}
	q := org.UserQuery{Q: c.Query("q"), After: page.After, Limit: page.Limit}
	if s := c.Query("filter"); s != "" {
		if q.Filter, err = org.ParseExpr(s); err != nil {
			return 0, nil, err
		}
	}
	if s := c.Query("search"); s != "" {
		if q.Search, err = org.ParseExpr(s); err != nil {
			return 0, nil, err
		}
	}
	users, more := h.Org.ListUsers(q)
	out := make([]userBody, 0, len(users))
	last := ""
	for _, u := range users {
		out = append(out, newUser(c, u))
		last = u.ID
	}
	httpx.SetPageLinks(c, more, last)
	return http.StatusOK, out, nil
}

// updateUserRequest is the body of POST and PUT /api/v1/users/{id}.
type updateUserRequest struct {
	Profile     map[string]any `json:"profile"`
	Credentials *struct {
		Password *struct {
			Value *string `json:"value"`
		} `json:"password"`
		RecoveryQuestion *struct {
			Question *string `json:"question"`
			Answer   *string `json:"answer"`
		} `json:"recovery_question"`
	} `json:"credentials"`
}

func (h Users) update(replace bool) httpx.HandlerFunc {
	return func(c *gin.Context) (int, any, error) {
		var req updateUserRequest
		if _, err := httpx.Bind(c, &req); err != nil {
			return 0, nil, err
		}
		if replace && req.Profile == nil {
			return 0, nil, okta.Validation("profile", "profile: The field cannot be left blank")
		}
		in := org.UserUpdate{Profile: req.Profile, Replace: replace}
		if cr := req.Credentials; cr != nil {
			if cr.Password != nil {
				in.Password = cr.Password.Value
			}
			if rq := cr.RecoveryQuestion; rq != nil {
				in.RecoveryQuestion, in.RecoveryAnswer = rq.Question, rq.Answer
			}
		}
		u, err := h.Org.UpdateUser(c.Param("userId"), in)
		if err != nil {
			return 0, nil, err
		}
		return http.StatusOK, newUser(c, u), nil
	}
}

func (h Users) delete(c *gin.Context) (int, any, error) {
	if _, err := h.Org.DeleteUser(c.Param("userId")); err != nil {
		return 0, nil, err
	}
	return http.StatusNoContent, nil, nil
}

func (h Users) groups(c *gin.Context) (int, any, error) {
	groups, err := h.Org.UserGroups(c.Param("userId"))
	if err != nil {
		return 0, nil, err
	}
	out := make([]groupBody, 0, len(groups))
	for _, g := range groups {
		out = append(out, newGroup(c, g))
	}
	return http.StatusOK, out, nil
}

// activationBody is UserActivationToken.
type activationBody struct {
	ActivationURL   string `json:"activationUrl,omitempty"`
	ActivationToken string `json:"activationToken,omitempty"`
}

func (h Users) activate(c *gin.Context) (int, any, error) {
	send, err := boolQuery(c, "sendEmail", true)
	if err != nil {
		return 0, nil, err
	}
	res, err := h.Org.ActivateUser(c.Param("userId"), send)
	if err != nil {
		return 0, nil, err
	}
	if send {
		return http.StatusOK, struct{}{}, nil
	}
	return http.StatusOK, activationBody{ActivationURL: httpx.Href(c, "/welcome/"+res.Token), ActivationToken: res.Token}, nil
}

func (h Users) deactivate(c *gin.Context) (int, any, error) {
	if _, err := h.Org.DeactivateUser(c.Param("userId")); err != nil {
		return 0, nil, err
	}
	return http.StatusOK, nil, nil
}

// emptyOp serves a lifecycle operation that answers 200 with no body.
func (h Users) emptyOp(op func(string) (org.User, error)) httpx.HandlerFunc {
	return func(c *gin.Context) (int, any, error) {
		if _, err := op(c.Param("userId")); err != nil {
			return 0, nil, err
		}
		return http.StatusOK, nil, nil
	}
}

func (h Users) expirePassword(c *gin.Context) (int, any, error) {
	u, err := h.Org.ExpirePassword(c.Param("userId"))
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, newUser(c, u), nil
}

// resetPasswordBody is ResetPasswordToken.
type resetPasswordBody struct {
	ResetPasswordURL string `json:"resetPasswordUrl"`
}

func (h Users) resetPassword(c *gin.Context) (int, any, error) {
	if _, ok := c.GetQuery("sendEmail"); !ok {
		return 0, nil, okta.Errorf(okta.E0000028).WithCauses("sendEmail: The query parameter is required")
	}
	send, err := boolQuery(c, "sendEmail", true)
	if err != nil {
		return 0, nil, err
	}
	res, err := h.Org.ResetPassword(c.Param("userId"), send)
	if err != nil {
		return 0, nil, err
	}
	if send {
		return http.StatusOK, struct{}{}, nil
	}
	return http.StatusOK, resetPasswordBody{ResetPasswordURL: httpx.Href(c, "/reset_password/"+res.Token)}, nil
}
