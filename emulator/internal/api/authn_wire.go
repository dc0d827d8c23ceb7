package api

import (
	"maps"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/oktaemu/oktaemu/emulator/internal/httpx"
	"github.com/oktaemu/oktaemu/emulator/internal/okta"
	"github.com/oktaemu/oktaemu/emulator/internal/org"
)

// authnBody is the authn transaction object (authn.md §2).
type authnBody struct {
	StateToken    string         `json:"stateToken,omitempty"`
	Type          string         `json:"type,omitempty"`
	ExpiresAt     *string        `json:"expiresAt,omitempty"`
	Status        string         `json:"status"`
	RelayState    *string        `json:"relayState,omitempty"`
	FactorResult  string         `json:"factorResult,omitempty"`
	ChallengeType string         `json:"challengeType,omitempty"`
	FactorType    string         `json:"factorType,omitempty"`
	RecoveryType  string         `json:"recoveryType,omitempty"`
	RecoveryToken string         `json:"recoveryToken,omitempty"`
	SessionToken  string         `json:"sessionToken,omitempty"`
	Embedded      *authnEmbedded `json:"_embedded,omitempty"`
	Links         httpx.Links    `json:"_links,omitempty"`
}

// authnEmbedded is a transaction's `_embedded`. Its fields are in the order
// of their names, the order a map of them was encoded in: answers stay
// byte for byte what they were, and a struct costs no map per answer.
type authnEmbedded struct {
	Authentication any `json:"authentication,omitempty"`
	Challenge      any `json:"challenge,omitempty"`
	Factor         any `json:"factor,omitempty"`
	FactorTypes    any `json:"factorTypes,omitempty"`
	Factors        any `json:"factors,omitempty"`
	Policy         any `json:"policy,omitempty"`
	Target         any `json:"target,omitempty"`
	User           any `json:"user,omitempty"`
}

const authnBase = "/api/v1/authn"

func authnPost(c *gin.Context, path string) httpx.Link { return httpx.NewLink(c, path, "POST") }

func authnNamedPost(c *gin.Context, name, path string) httpx.Link {
	l := authnPost(c, path)
	l.Name = name
	return l
}

// renderAuthn turns a transaction into Okta's JSON, with exactly the links
// authn.md §2.4 publishes for its status.
func renderAuthn(c *gin.Context, tx org.AuthnTransaction) authnBody {
	b := authnBody{StateToken: tx.StateToken, Status: string(tx.Status), FactorResult: tx.FactorResult,
		FactorType: tx.FactorType, RecoveryType: tx.RecoveryType, RecoveryToken: tx.RecoveryToken,
		SessionToken: tx.SessionToken, Embedded: &authnEmbedded{}, Links: httpx.Links{}}
	if !tx.ExpiresAt.IsZero() && (tx.StateToken != "" || tx.SessionToken != "" || tx.RecoveryToken != "") {
		b.ExpiresAt = date(tx.ExpiresAt)
	}
	if tx.RelayState != "" {
		rs := tx.RelayState
		b.RelayState = &rs
	}
	if tx.User != nil {
		b.Embedded.User = authnUser(*tx.User, tx.Status == org.AuthnRecovery)
	}
	if tx.StepUp != nil {
		b.Type = "SESSION_STEP_UP"
		b.Embedded.Target = map[string]any{"type": "APP", "name": tx.StepUp.App.Name, "label": tx.StepUp.App.Label,
			"_links": map[string]any{"logo": httpx.Link{Name: "medium", Type: "image/png",
				Href: httpx.Href(c, "/assets/img/logos/default.6770228fb0dab49a1695ef440a5279bb.png")}}}
		protocol := "SAML2.0"
		switch tx.StepUp.App.SignOnMode {
		case "SAML_1_1":
			protocol = "SAML1.1"
		case "WS_FEDERATION":
			protocol = "WS-FED"
		}
		b.Embedded.Authentication = map[string]any{"protocol": protocol,
			"issuer": map[string]any{"id": tx.StepUp.App.ID, "name": tx.StepUp.App.Label, "uri": "exk" + strings.TrimPrefix(tx.StepUp.App.ID, "0oa")}}
	}
	cancel := authnPost(c, authnBase+"/cancel")
	prev := authnPost(c, authnBase+"/previous")
	switch tx.Status {
	case org.AuthnLockedOut:
		b.Links["next"] = authnNamedPost(c, "unlock", authnBase+"/recovery/unlock")
	case org.AuthnPasswordExpired, org.AuthnPasswordWarn:
		b.Embedded.Policy = authnPasswordPolicy(tx)
		b.Links["next"] = authnNamedPost(c, "changePassword", authnBase+"/credentials/change_password")
		if tx.CanSkip {
			b.Links["skip"] = authnNamedPost(c, "skip", authnBase+"/skip")
		}
		b.Links["cancel"] = cancel
	case org.AuthnPasswordReset:
		b.Embedded.Policy = authnPasswordPolicy(tx)
		b.Links["next"] = authnNamedPost(c, "resetPassword", authnBase+"/credentials/reset_password")
		b.Links["cancel"] = cancel
	case org.AuthnMFARequired:
		fs := make([]any, 0, len(tx.Factors))
		for _, f := range tx.Factors {
			fb := authnFactor(f)
			fb.Links = &authnVerifyLinks{Verify: authnPost(c, authnBase+"/factors/"+f.ID+"/verify")}
			fs = append(fs, fb)
		}
		b.Embedded.Factors = fs
		if tx.ByType != "" {
			b.Embedded.FactorTypes = []any{map[string]any{"factorType": tx.ByType,
				"_links": map[string]any{"next": authnNamedPost(c, "verify", authnBase+"/factors/"+tx.ByType+"/verify")}}}
		}
		if tx.Remember != nil {
			b.Embedded.Policy = authnRemember(tx.Remember)
		}
		b.Links["cancel"] = cancel
	case org.AuthnMFAChallenge:
		if tx.ByType != "" {
			// Verify by factor type (authn.md §7.4).
			b.ChallengeType, b.FactorType = "FACTOR_TYPE", tx.ByType
			fs := make([]any, 0, len(tx.Factors))
			for _, f := range tx.Factors {
				fs = append(fs, authnFactor(f))
			}
			b.Embedded.Factors = fs
			b.Embedded.Challenge = map[string]any{"challenge": tx.Nonce, "extensions": map[string]any{}}
			b.Links["next"] = authnNamedPost(c, "verify", authnBase+"/factors/"+tx.ByType+"/verify")
		}
		if tx.Factor != nil {
			f := *tx.Factor
			fb := authnFactor(f)
			verify := authnBase + "/factors/" + f.ID + "/verify"
			switch {
			case f.Type == okta.FactorPush && tx.FactorResult == string(org.PushWaiting):
				b.Links["next"] = authnNamedPost(c, "poll", verify)
				if tx.CorrectAnswer != 0 {
					fb.Embedded = map[string]any{"challenge": map[string]any{"correctAnswer": tx.CorrectAnswer}}
				}
			default:
				b.Links["next"] = authnNamedPost(c, "verify", verify)
			}
			switch f.Type {
			case okta.FactorSMS, okta.FactorCall, okta.FactorEmail, okta.FactorPush:
				b.Links["resend"] = []httpx.Link{authnNamedPost(c, string(f.Type), verify+"/resend")}
			case okta.FactorWebAuthn:
				b.ChallengeType = "FACTOR"
				fb.Embedded = map[string]any{"challenge": map[string]any{"challenge": tx.Nonce,
					"userVerification": "preferred", "extensions": map[string]any{}}}
			case okta.FactorU2F:
				fb.Embedded = map[string]any{"challenge": map[string]any{"nonce": tx.Nonce, "timeoutSeconds": 20}}
			}
			if f.Type == okta.FactorEmail {
				b.ChallengeType = "FACTOR"
			}
			b.Embedded.Factor = fb
		}
		if tx.Remember != nil {
			b.Embedded.Policy = authnRemember(tx.Remember)
		}
		b.Links["prev"] = prev
		b.Links["cancel"] = cancel
	case org.AuthnMFAEnroll:
		fs := make([]any, 0, len(tx.Enroll))
		for _, e := range tx.Enroll {
			fs = append(fs, authnEnrollEntry(c, tx, e))
		}
		b.Embedded.Factors = fs
		if tx.CanSkip {
			b.Links["skip"] = authnPost(c, authnBase+"/skip")
		}
		b.Links["cancel"] = cancel
	case org.AuthnMFAEnrollActivate:
		if tx.Factor != nil {
			f := *tx.Factor
			fb := authnFactor(f)
			base := authnBase + "/factors/" + f.ID + "/lifecycle"
			if a := authnActivationBody(c, tx, f); a != nil {
				fb.Embedded = map[string]any{"activation": a}
			}
			if f.Type == okta.FactorPush && tx.FactorResult == string(org.PushWaiting) {
				b.Links["next"] = authnNamedPost(c, "poll", base+"/activate/poll")
			} else {
				b.Links["next"] = authnNamedPost(c, "activate", base+"/activate")
			}
			switch f.Type {
			case okta.FactorSMS, okta.FactorCall, okta.FactorEmail:
				b.Links["resend"] = []httpx.Link{authnNamedPost(c, string(f.Type), base+"/resend")}
			}
			b.Embedded.Factor = fb
		}
		b.Links["prev"] = prev
		b.Links["cancel"] = cancel
	case org.AuthnRecoveryChallenge:
		if tx.StateToken != "" {
			seg := strings.ToUpper(tx.FactorType)
			b.Links["next"] = authnNamedPost(c, "verify", authnBase+"/recovery/factors/"+seg+"/verify")
			b.Links["cancel"] = cancel
			b.Links["resend"] = authnNamedPost(c, strings.ToLower(seg), authnBase+"/recovery/factors/"+seg+"/resend")
		}
	case org.AuthnRecovery:
		if tx.RecoveryToken != "" {
			b.Links["next"] = authnNamedPost(c, "recovery", authnBase+"/recovery/token")
		} else {
			b.Links["next"] = authnNamedPost(c, "answer", authnBase+"/recovery/answer")
		}
		b.Links["cancel"] = cancel
	case org.AuthnSuccess:
		if tx.StepUp != nil && tx.StateToken != "" {
			b.Links["next"] = httpx.Link{Name: "original", Href: httpx.Href(c, "/login/step-up/redirect?stateToken="+url.QueryEscape(tx.StateToken)),
				Hints: &httpx.Hints{Allow: []string{"GET"}}}
		}
	}
	if *b.Embedded == (authnEmbedded{}) {
		b.Embedded = nil
	}
	if len(b.Links) == 0 {
		b.Links = nil
	}
	return b
}

// authnUserBody is `_embedded.user` (fields in name order, see
// authnEmbedded).
type authnUserBody struct {
	ID               string             `json:"id"`
	PasswordChanged  *string            `json:"passwordChanged"`
	Profile          authnUserProfile   `json:"profile"`
	RecoveryQuestion *authnUserQuestion `json:"recovery_question,omitempty"`
}

type authnUserProfile struct {
	FirstName any    `json:"firstName"`
	LastName  any    `json:"lastName"`
	Locale    string `json:"locale"`
	Login     string `json:"login"`
	TimeZone  string `json:"timeZone"`
}

type authnUserQuestion struct {
	Question string `json:"question"`
}

// authnUser renders u as a transaction's `_embedded.user`; withQuestion adds
// its recovery question (RECOVERY).
func authnUser(u org.User, withQuestion bool) *authnUserBody {
	p := authnUserProfile{Login: u.Login(), FirstName: u.Profile["firstName"], LastName: u.Profile["lastName"],
		Locale: "en_US", TimeZone: "America/Los_Angeles"}
	if s, ok := u.Profile["locale"].(string); ok && s != "" {
		p.Locale = s
	}
	if s, ok := u.Profile["timezone"].(string); ok && s != "" {
		p.TimeZone = s
	}
	m := &authnUserBody{ID: u.ID, PasswordChanged: date(u.PasswordChanged), Profile: p}
	if withQuestion && u.RecoveryQuestion != "" {
		m.RecoveryQuestion = &authnUserQuestion{Question: u.RecoveryQuestion}
	}
	return m
}

// authnMaskPhone keeps the last four digits: "+1 XXX-XXX-1337".
func authnMaskPhone(s string) string {
	var d []byte
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			d = append(d, s[i])
		}
	}
	if len(d) < 4 {
		return s
	}
	return "+1 XXX-XXX-" + string(d[len(d)-4:])
}

// authnMaskEmail keeps the first and last characters of the local part:
// "d...y@example.com".
func authnMaskEmail(s string) string {
	local, domain, ok := strings.Cut(s, "@")
	if !ok || local == "" {
		return s
	}
	return local[:1] + "..." + local[len(local)-1:] + "@" + domain
}

// authnFactorBody is a factor inside a transaction: masked profile, no
// secrets (fields in name order, see authnEmbedded).
type authnFactorBody struct {
	Embedded   any               `json:"_embedded,omitempty"`
	Links      *authnVerifyLinks `json:"_links,omitempty"`
	FactorType string            `json:"factorType"`
	ID         string            `json:"id"`
	Profile    map[string]any    `json:"profile"`
	Provider   string            `json:"provider"`
	VendorName string            `json:"vendorName"`
}

// authnVerifyLinks are the `_links` of a factor in MFA_REQUIRED.
type authnVerifyLinks struct {
	Verify httpx.Link `json:"verify"`
}

func authnFactor(f org.Factor) *authnFactorBody {
	// The stored profile is shared read-only (views never change it): only
	// a profile with something to mask is copied.
	profile := f.Profile
	switch f.Type {
	case okta.FactorSMS, okta.FactorCall:
		if s, ok := profile["phoneNumber"].(string); ok {
			profile = maps.Clone(profile)
			profile["phoneNumber"] = authnMaskPhone(s)
		}
	case okta.FactorEmail:
		if s, ok := profile["email"].(string); ok {
			profile = maps.Clone(profile)
			profile["email"] = authnMaskEmail(s)
		}
	}
	if profile == nil {
		profile = map[string]any{}
	}
	return &authnFactorBody{ID: f.ID, FactorType: string(f.Type), Provider: f.Provider, VendorName: f.VendorName,
		Profile: profile}
}

// authnRememberBody is `_embedded.policy` of MFA_REQUIRED and
// MFA_CHALLENGE (fields in name order, see authnEmbedded).
type authnRememberBody struct {
	AllowRememberDevice             bool           `json:"allowRememberDevice"`
	FactorsPolicyInfo               map[string]any `json:"factorsPolicyInfo,omitempty"`
	RememberDeviceByDefault         bool           `json:"rememberDeviceByDefault"`
	RememberDeviceLifetimeInMinutes int            `json:"rememberDeviceLifetimeInMinutes"`
}

func authnRemember(p *org.RememberPolicy) *authnRememberBody {
	m := &authnRememberBody{AllowRememberDevice: p.AllowRememberDevice,
		RememberDeviceLifetimeInMinutes: p.RememberDeviceLifetimeInMinutes,
		RememberDeviceByDefault:         p.RememberDeviceByDefault}
	if len(p.AutoPush) > 0 {
		m.FactorsPolicyInfo = make(map[string]any, len(p.AutoPush))
		for id, on := range p.AutoPush {
			m.FactorsPolicyInfo[id] = map[string]any{"autoPushEnabled": on}
		}
	}
	return m
}

func authnPasswordPolicy(tx org.AuthnTransaction) map[string]any {
	p := tx.Password
	if p == nil {
		return map[string]any{}
	}
	complexity := map[string]any{"minLength": p.MinLength, "minLowerCase": p.MinLowerCase,
		"minUpperCase": p.MinUpperCase, "minNumber": p.MinNumber, "minSymbol": p.MinSymbol,
		"excludeUsername": p.ExcludeUsername}
	if len(p.ExcludeAttributes) > 0 {
		complexity["excludeAttributes"] = p.ExcludeAttributes
	}
	m := map[string]any{"complexity": complexity,
		"age": map[string]any{"minAgeMinutes": p.MinAgeMinutes, "historyCount": p.HistoryCount}}
	if tx.PasswordExpireDays >= 0 {
		m["expiration"] = map[string]any{"passwordExpireDays": tx.PasswordExpireDays}
	}
	return m
}

// authnEnrollEntry is one MFA_ENROLL list item (authn.md §6.1).
func authnEnrollEntry(c *gin.Context, tx org.AuthnTransaction, e org.EnrollOption) map[string]any {
	m := map[string]any{"factorType": string(e.FactorType), "provider": e.Provider, "vendorName": e.Provider,
		"enrollment": e.Enrollment, "status": string(e.Status)}
	links := map[string]any{"enroll": authnPost(c, authnBase+"/factors")}
	if e.FactorType == okta.FactorQuestion && tx.User != nil {
		links["questions"] = httpx.NewLink(c, "/api/v1/users/"+tx.User.ID+"/factors/questions", "GET")
	}
	m["_links"] = links
	switch e.FactorType {
	case okta.FactorSMS, okta.FactorCall:
		phones := make([]any, 0, len(e.Phones))
		for _, f := range e.Phones {
			phones = append(phones, map[string]any{"id": f.ID, "status": string(f.Status),
				"profile": map[string]any{"phoneNumber": authnMaskPhone(authnStr(f.Profile["phoneNumber"]))}})
		}
		if len(phones) > 0 {
			m["_embedded"] = map[string]any{"phones": phones}
		}
	case okta.FactorEmail:
		m["_embedded"] = map[string]any{"emails": []any{}}
	}
	return m
}

func authnStr(v any) string { s, _ := v.(string); return s }

// authnActivationBody is `_embedded.activation` of MFA_ENROLL_ACTIVATE.
func authnActivationBody(c *gin.Context, tx org.AuthnTransaction, f org.Factor) map[string]any {
	a := tx.Activation
	uid := f.UserID
	switch f.Type {
	case okta.FactorTOTP:
		if a == nil {
			return nil
		}
		return map[string]any{"timeStep": 30, "sharedSecret": a.SharedSecret, "encoding": "base32", "keyLength": 6,
			"_links": map[string]any{"qrcode": httpx.Link{Type: "image/png",
				Href: httpx.Href(c, "/api/v1/users/"+uid+"/factors/"+f.ID+"/qr/"+a.QRToken)}}}
	case okta.FactorPush:
		base := authnBase + "/factors/" + f.ID + "/lifecycle/activate"
		send := []httpx.Link{authnNamedPost(c, "email", base+"/email"), authnNamedPost(c, "sms", base+"/sms")}
		m := map[string]any{"factorResult": tx.FactorResult}
		links := map[string]any{"send": send}
		if a != nil && tx.FactorResult == string(org.PushWaiting) {
			m["expiresAt"] = date(a.ExpiresAt)
			links["qrcode"] = httpx.Link{Type: "image/png",
				Href: httpx.Href(c, "/api/v1/users/"+uid+"/factors/"+f.ID+"/qr/"+a.QRToken)}
		}
		m["_links"] = links
		return m
	case okta.FactorWebAuthn:
		name := ""
		if tx.User != nil {
			name = tx.User.Login()
		}
		display := ""
		if tx.User != nil {
			display = tx.User.DisplayName()
		}
		return map[string]any{"attestation": "direct",
			"authenticatorSelection": map[string]any{"userVerification": "preferred", "requireResidentKey": false},
			"challenge":              tx.Nonce, "excludeCredentials": []any{},
			"pubKeyCredParams": []any{map[string]any{"type": "public-key", "alg": -7}, map[string]any{"type": "public-key", "alg": -257}},
			"rp":               map[string]any{"name": "oktaemu"},
			"user":             map[string]any{"displayName": display, "name": name, "id": uid}}
	case okta.FactorU2F:
		return map[string]any{"version": "U2F_V2", "appId": httpx.BaseURL(c), "nonce": tx.Nonce, "timeoutSeconds": 20}
	}
	return nil
}
