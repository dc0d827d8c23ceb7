package emulator

import (
	"errors"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/oktaemu/oktaemu/emulator/internal/httpx"
	"github.com/oktaemu/oktaemu/emulator/internal/idx"
	"github.com/oktaemu/oktaemu/emulator/internal/okta"
	"github.com/oktaemu/oktaemu/emulator/internal/org"
)

// The out-of-band control plane: what a user's phone would do, so a test
// can finish every flow (outbox reads are in control.go).
//
//	GET  /_emulator/orgs/{org}/pushes[?userId=|login=]      pending pushes
//	POST /_emulator/orgs/{org}/pushes/{id}/approve          {"answer": 42}
//	POST /_emulator/orgs/{org}/pushes/{id}/reject
//	POST /_emulator/orgs/{org}/pushes/{id}/expire           moves the org clock to its expiry
//	POST /_emulator/orgs/{org}/okta-verify/activate         the app scanning the QR code (Factors API or IDX)
//	POST /_emulator/orgs/{org}/users/{user}/okta-verify     one more Okta Verify (Identity Engine)
func (s *Server) mountOutOfBand(c *gin.RouterGroup) {
	c.GET("/orgs/:org/pushes", httpx.Handle(s.withOrg(listPushes)))
	c.POST("/orgs/:org/pushes/:push/approve", httpx.Handle(s.withOrg(approvePush)))
	c.POST("/orgs/:org/pushes/:push/reject", httpx.Handle(s.withOrg(rejectPush)))
	c.POST("/orgs/:org/pushes/:push/expire", httpx.Handle(s.withOrg(expirePush)))
	c.POST("/orgs/:org/okta-verify/activate", httpx.Handle(s.withOrg(activateOktaVerify)))
	c.POST("/orgs/:org/users/:user/okta-verify", httpx.Handle(s.withOrg(addOktaVerify)))
}

const controlTime = "2006-01-02T15:04:05.000Z"

// pushBody is a push transaction as the phone sees it.
type pushBody struct {
	ID       string `json:"id"`
	UserID   string `json:"userId"`
	FactorID string `json:"factorId"`
	// Result is WAITING, SUCCESS, REJECTED or TIMEOUT.
	Result    string `json:"result"`
	Created   string `json:"created"`
	ExpiresAt string `json:"expiresAt"`
	// CorrectAnswer is the number-challenge answer; absent without one.
	CorrectAnswer int    `json:"correctAnswer,omitempty"`
	ClientIP      string `json:"clientIp,omitempty"`
	UserAgent     string `json:"userAgent,omitempty"`
}

func pushOf(t org.PushTransaction) pushBody {
	return pushBody{ID: t.ID, UserID: t.UserID, FactorID: t.FactorID, Result: string(t.Result),
		Created: t.Created.UTC().Format(controlTime), ExpiresAt: t.ExpiresAt.UTC().Format(controlTime),
		CorrectAnswer: t.CorrectAnswer, ClientIP: t.ClientIP, UserAgent: t.UserAgent}
}

// queryUserID resolves ?userId= or ?login= to a user id ("" for none).
func queryUserID(c *gin.Context, inst *orgInstance) (string, error) {
	key := c.Query("userId")
	if key == "" {
		key = c.Query("login")
	}
	if key == "" {
		return "", nil
	}
	u, err := inst.org.User(key)
	if err != nil {
		return "", err
	}
	return u.ID, nil
}

func listPushes(c *gin.Context, inst *orgInstance) (int, any, error) {
	uid, err := queryUserID(c, inst)
	if err != nil {
		return 0, nil, err
	}
	out := []pushBody{}
	for _, t := range inst.org.PendingPushes(uid) {
		out = append(out, pushOf(t))
	}
	return http.StatusOK, out, nil
}

type approveRequest struct {
	// Answer is the number picked in a number challenge.
	Answer int `json:"answer"`
}

func approvePush(c *gin.Context, inst *orgInstance) (int, any, error) {
	var req approveRequest
	if _, err := httpx.Bind(c, &req); err != nil {
		return 0, nil, err
	}
	t, err := inst.org.ApprovePush(c.Param("push"), req.Answer)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, pushOf(t), nil
}

func rejectPush(c *gin.Context, inst *orgInstance) (int, any, error) {
	t, err := inst.org.RejectPush(c.Param("push"))
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, pushOf(t), nil
}

// expirePush lets a pending push expire the way it would: by time. The
// org's clock moves to the push's expiry (everything else due by then
// expires too); the push then answers TIMEOUT.
func expirePush(c *gin.Context, inst *orgInstance) (int, any, error) {
	id := c.Param("push")
	for _, t := range inst.org.PendingPushes("") {
		if t.ID != id {
			continue
		}
		if inst.org.Now().Before(t.ExpiresAt) {
			inst.org.Clock().Set(t.ExpiresAt)
		}
		t.Result = org.PushTimeout
		return http.StatusOK, pushOf(t), nil
	}
	return 0, nil, okta.NotFound(id, "Transaction")
}

// deviceBody is what the Okta Verify app reports about its phone; every
// field has a default.
type deviceBody struct {
	Name       string `json:"name"`
	Platform   string `json:"platform"`
	DeviceType string `json:"deviceType"`
	Version    string `json:"version"`
}

func (d deviceBody) device() org.Device {
	return org.Device{Name: d.Name, Platform: d.Platform, DeviceType: d.DeviceType, Version: d.Version}
}

// controlFactorBody is a factor as the control plane reports it.
type controlFactorBody struct {
	ID         string         `json:"id"`
	UserID     string         `json:"userId"`
	FactorType string         `json:"factorType"`
	Provider   string         `json:"provider"`
	Status     string         `json:"status"`
	Profile    map[string]any `json:"profile"`
}

func factorOf(f org.Factor) controlFactorBody {
	p := f.Profile
	if p == nil {
		p = map[string]any{}
	}
	return controlFactorBody{ID: f.ID, UserID: f.UserID, FactorType: string(f.Type), Provider: f.Provider,
		Status: string(f.Status), Profile: p}
}

type activateOVRequest struct {
	// Token is the QR code's token; alone it names the enrollment.
	Token string `json:"token"`
	// UserID (id or login) and FactorID name the pending push factor
	// instead; Token may then be empty (the current QR code).
	UserID   string `json:"userId"`
	FactorID string `json:"factorId"`
	// StateHandle names the IDX transaction whose Okta Verify enrollment
	// QR code is scanned (Identity Engine), instead of its token.
	StateHandle string     `json:"stateHandle"`
	Device      deviceBody `json:"device"`
}

// activateOktaVerify does what the Okta Verify app does after scanning the
// QR code of a pending enrollment.
func activateOktaVerify(c *gin.Context, inst *orgInstance) (int, any, error) {
	var req activateOVRequest
	if _, err := httpx.Bind(c, &req); err != nil {
		return 0, nil, err
	}
	var f org.Factor
	var err error
	if req.StateHandle != "" && req.Token == "" {
		if t, ok := inst.org.InteractionByState(req.StateHandle); ok && strings.HasPrefix(t.Step.Ref, idx.OktaVerifyTokenPrefix) {
			req.Token = t.Step.Ref
		} else {
			return 0, nil, okta.Errorf(okta.E0000011)
		}
	}
	switch {
	case req.UserID != "" && req.FactorID != "":
		f, err = inst.org.ActivateOktaVerify(req.UserID, req.FactorID, req.Token, req.Device.device())
	case strings.HasPrefix(req.Token, idx.OktaVerifyTokenPrefix):
		// The QR code of an Identity Engine (IDX) enrollment: one more
		// device, and the transaction's next enroll-poll moves on.
		var enr org.OktaVerifyEnrollment
		enr, err = idx.CompleteOktaVerifyEnrollment(inst.org, req.Token, req.Device.device())
		if errors.Is(err, idx.ErrNoPendingEnrollment) || errors.Is(err, org.ErrInteractionExpired) {
			err = okta.Errorf(okta.E0000011)
		}
		if err == nil {
			f = enr.Factors[0]
		}
	case req.Token != "":
		f, err = inst.org.ActivateOktaVerifyByToken(req.Token, req.Device.device())
	default:
		err = okta.Validation("activation", "token: give the QR code's token, userId and factorId, or an IDX stateHandle")
	}
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, factorOf(f), nil
}

type addOVRequest struct {
	Device deviceBody `json:"device"`
}

// oktaVerifyBody is one Okta Verify enrollment: its factors and the TOTP
// secret the app would hold.
type oktaVerifyBody struct {
	ID      string              `json:"id"`
	Secret  string              `json:"secret"`
	Factors []controlFactorBody `json:"factors"`
}

// addOktaVerify enrolls one more Okta Verify device, ACTIVE, as the app
// does through IDX in Identity Engine. Classic keeps one Okta Verify per
// user (enroll it through the Factors API): 400 E0000001.
func addOktaVerify(c *gin.Context, inst *orgInstance) (int, any, error) {
	if !inst.engine.Profile().ExtraOktaVerify {
		return 0, nil, okta.Validation("factor", "This engine allows one Okta Verify per user: enroll it through the Factors API.")
	}
	var req addOVRequest
	if _, err := httpx.Bind(c, &req); err != nil {
		return 0, nil, err
	}
	e, err := inst.org.AddOktaVerifyEnrollment(c.Param("user"), req.Device.device())
	if err != nil {
		return 0, nil, err
	}
	out := oktaVerifyBody{ID: e.ID, Secret: e.Secret, Factors: []controlFactorBody{}}
	for _, f := range e.Factors {
		out.Factors = append(out.Factors, factorOf(f))
	}
	return http.StatusCreated, out, nil
}
