package api

import (
	"time"

	"github.com/gin-gonic/gin"

	"github.com/oktaemu/oktaemu/emulator/internal/httpx"
	"github.com/oktaemu/oktaemu/emulator/internal/okta"
	"github.com/oktaemu/oktaemu/emulator/internal/org"
)

// DateFormat is Okta's date format: ISO-8601 UTC with milliseconds.
const DateFormat = "2006-01-02T15:04:05.000Z"

// date renders t, or nil for the zero time (Okta sends null).
func date(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := formatDate(t)
	return &s
}

// formatDate is t.UTC().Format(DateFormat) without the layout parsing: it
// runs for every timestamp of every answer.
func formatDate(t time.Time) string {
	var b [24]byte
	return string(appendDate(b[:0], t))
}

// appendDate appends t.UTC().Format(DateFormat), from t's Unix seconds
// (days to a civil date as in Howard Hinnant's days_from_civil inverse):
// t.Date and t.Clock each redo the calendar arithmetic, and dates are
// written several times per factor.
func appendDate(dst []byte, t time.Time) []byte {
	const maxSec = 253402300800 // 10000-01-01T00:00:00Z
	sec := t.Unix()
	if sec < 0 || sec >= maxSec {
		return t.UTC().AppendFormat(dst, DateFormat)
	}
	days, s := sec/86400, int(sec%86400)
	z := days + 719468 // days since 0000-03-01
	era := z / 146097
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d := int(doy - (153*mp+2)/5 + 1)
	m := int(mp + 3)
	if m > 12 {
		m -= 12
	}
	y := int(yoe + era*400)
	if m <= 2 {
		y++
	}
	ms := t.Nanosecond() / 1e6
	var b [24]byte
	copy(b[0:], digits2[2*(y/100):2*(y/100)+2])
	copy(b[2:], digits2[2*(y%100):2*(y%100)+2])
	b[4] = '-'
	copy(b[5:], digits2[2*m:2*m+2])
	b[7] = '-'
	copy(b[8:], digits2[2*d:2*d+2])
	b[10] = 'T'
	copy(b[11:], digits2[2*(s/3600):2*(s/3600)+2])
	b[13] = ':'
	copy(b[14:], digits2[2*(s/60%60):2*(s/60%60)+2])
	b[16] = ':'
	copy(b[17:], digits2[2*(s%60):2*(s%60)+2])
	b[19] = '.'
	b[20] = byte('0' + ms/100)
	copy(b[21:], digits2[2*(ms%100):2*(ms%100)+2])
	b[23] = 'Z'
	return append(dst, b[:]...)
}

// digits2 is "00" to "99".
const digits2 = "00010203040506070809101112131415161718192021222324252627282930313233343536373839" +
	"40414243444546474849505152535455565758596061626364656667686970717273747576777879" +
	"8081828384858687888990919293949596979899"

// userLink is the kind of link Okta puts on users: href and method.
type userLink struct {
	Href   string `json:"href"`
	Method string `json:"method,omitempty"`
}

type userType struct {
	ID string `json:"id"`
}

type provider struct {
	Type string `json:"type"`
	Name string `json:"name"`
}

type recoveryQuestion struct {
	Question string `json:"question"`
}

type credentials struct {
	Password         *struct{}         `json:"password,omitempty"`
	RecoveryQuestion *recoveryQuestion `json:"recovery_question,omitempty"`
	Provider         provider          `json:"provider"`
}

// userBody is the User object of the Users API.
type userBody struct {
	ID                    string              `json:"id"`
	Status                okta.UserStatus     `json:"status"`
	TransitioningToStatus *okta.UserStatus    `json:"transitioningToStatus,omitempty"`
	Created               *string             `json:"created"`
	Activated             *string             `json:"activated"`
	StatusChanged         *string             `json:"statusChanged"`
	LastLogin             *string             `json:"lastLogin"`
	LastUpdated           *string             `json:"lastUpdated"`
	PasswordChanged       *string             `json:"passwordChanged"`
	Type                  userType            `json:"type"`
	Profile               map[string]any      `json:"profile"`
	Credentials           credentials         `json:"credentials"`
	Links                 map[string]userLink `json:"_links"`
}

// UserTypeID is the id of the org's default user type.
const UserTypeID = "oty1defaultusertype"

// userLinks lists the lifecycle links Okta offers for a user in each status.
var userLinks = map[okta.UserStatus][]string{
	okta.UserStaged:          {"activate", "deactivate"},
	okta.UserProvisioned:     {"reactivate", "resetPassword", "deactivate"},
	okta.UserActive:          {"suspend", "resetPassword", "expirePassword", "forgotPassword", "changeRecoveryQuestion", "changePassword", "deactivate"},
	okta.UserRecovery:        {"resetPassword", "expirePassword", "deactivate"},
	okta.UserPasswordExpired: {"resetPassword", "expirePassword", "deactivate"},
	okta.UserLockedOut:       {"unlock", "resetPassword", "expirePassword", "deactivate"},
	okta.UserSuspended:       {"unsuspend", "resetPassword", "deactivate"},
	okta.UserDeprovisioned:   {"activate"},
}

var linkPaths = map[string]string{
	"activate":               "/lifecycle/activate",
	"reactivate":             "/lifecycle/reactivate",
	"deactivate":             "/lifecycle/deactivate",
	"suspend":                "/lifecycle/suspend",
	"unsuspend":              "/lifecycle/unsuspend",
	"unlock":                 "/lifecycle/unlock",
	"resetPassword":          "/lifecycle/reset_password",
	"expirePassword":         "/lifecycle/expire_password",
	"forgotPassword":         "/credentials/forgot_password",
	"changeRecoveryQuestion": "/credentials/change_recovery_question",
	"changePassword":         "/credentials/change_password",
}

func newUser(c *gin.Context, u org.User) userBody {
	base := "/api/v1/users/" + u.ID
	links := map[string]userLink{
		"self":   {Href: httpx.Href(c, base)},
		"type":   {Href: httpx.Href(c, "/api/v1/meta/types/user/"+UserTypeID)},
		"schema": {Href: httpx.Href(c, "/api/v1/meta/schemas/user/"+UserTypeID)},
	}
	for _, name := range userLinks[u.Status] {
		links[name] = userLink{Href: httpx.Href(c, base+linkPaths[name]), Method: "POST"}
	}
	b := userBody{
		ID: u.ID, Status: u.Status,
		Created: date(u.Created), Activated: date(u.Activated), StatusChanged: date(u.StatusChanged),
		LastLogin: date(u.LastLogin), LastUpdated: date(u.LastUpdated), PasswordChanged: date(u.PasswordChanged),
		Type: userType{ID: UserTypeID}, Profile: u.Profile, Links: links,
		Credentials: credentials{Provider: provider{Type: u.ProviderType, Name: u.ProviderType}},
	}
	if u.TransitioningToStatus != "" {
		t := u.TransitioningToStatus
		b.TransitioningToStatus = &t
	}
	if u.HasPassword {
		b.Credentials.Password = &struct{}{}
	}
	if u.RecoveryQuestion != "" {
		b.Credentials.RecoveryQuestion = &recoveryQuestion{Question: u.RecoveryQuestion}
	}
	return b
}

type groupProfile struct {
	Name        string `json:"name"`
	Description string `json:"description"`
}

// groupBody is the Group object.
type groupBody struct {
	ID                    string         `json:"id"`
	Created               *string        `json:"created"`
	LastUpdated           *string        `json:"lastUpdated"`
	LastMembershipUpdated *string        `json:"lastMembershipUpdated"`
	ObjectClass           []string       `json:"objectClass"`
	Type                  string         `json:"type"`
	Profile               groupProfile   `json:"profile"`
	Links                 map[string]any `json:"_links"`
}

func newGroup(c *gin.Context, g org.Group) groupBody {
	base := "/api/v1/groups/" + g.ID
	return groupBody{
		ID: g.ID, Created: date(g.Created), LastUpdated: date(g.LastUpdated),
		LastMembershipUpdated: date(g.LastMembershipUpdated), ObjectClass: []string{"okta:user_group"},
		Type: g.Type, Profile: groupProfile{Name: g.Name, Description: g.Description},
		Links: map[string]any{
			"logo": []httpx.Link{
				{Name: "medium", Href: httpx.Href(c, "/assets/img/logos/groups/okta-medium.png"), Type: "image/png"},
				{Name: "large", Href: httpx.Href(c, "/assets/img/logos/groups/okta-large.png"), Type: "image/png"},
			},
			"users": httpx.Link{Href: httpx.Href(c, base+"/users")},
			"apps":  httpx.Link{Href: httpx.Href(c, base+"/apps")},
		},
	}
}
