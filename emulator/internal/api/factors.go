package api

import (
	"bytes"
	"image/png"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/pquerna/otp"

	"github.com/oktaemu/oktaemu/emulator/internal/engine"
	"github.com/oktaemu/oktaemu/emulator/internal/httpx"
	"github.com/oktaemu/oktaemu/emulator/internal/okta"
	"github.com/oktaemu/oktaemu/emulator/internal/org"
)

// Factors serves the User Factors API (factors.md §1-9) and
// POST /users/{id}/lifecycle/reset_factors.
type Factors struct {
	Org     *org.Org
	Profile engine.Profile
}

// Mount adds the User Factors API routes to r (already behind SSWS auth).
func (h Factors) Mount(r gin.IRouter) {
	const base = "/api/v1/users/:userId/factors"
	r.GET(base, httpx.Handle(h.list))
	r.POST(base, httpx.Handle(h.enroll))
	r.GET(base+"/catalog", httpx.Handle(h.catalog))
	r.GET(base+"/questions", httpx.Handle(h.questions))
	r.GET(base+"/:factorId", httpx.Handle(h.get))
	r.DELETE(base+"/:factorId", httpx.Handle(h.delete))
	r.POST(base+"/:factorId/lifecycle/activate", httpx.Handle(h.activate))
	r.POST(base+"/:factorId/lifecycle/activate/poll", httpx.Handle(h.activate))
	r.POST(base+"/:factorId/lifecycle/activate/email", httpx.Handle(h.sendActivation(org.ChannelEmail)))
	r.POST(base+"/:factorId/lifecycle/activate/sms", httpx.Handle(h.sendActivation(org.ChannelSMS)))
	r.POST(base+"/:factorId/resend", httpx.Handle(h.resend))
	r.GET(base+"/:factorId/qr/:token", h.qrcode)
	r.POST(base+"/:factorId/verify", httpx.Handle(h.verify))
	r.GET(base+"/:factorId/transactions/:transactionId", httpx.Handle(h.transaction))
	r.DELETE(base+"/:factorId/transactions/:transactionId", httpx.Handle(h.cancel))
	r.POST("/api/v1/users/:userId/lifecycle/reset_factors", httpx.Handle(h.reset))
}

// factorBody is the Factor object (factors.md §2). Factor lists are hot
// answers, so it writes its own JSON (AppendJSON), in the field order and
// with the omissions of the struct it replaced: id, factorType, provider,
// vendorName, status, created and lastUpdated (absent when zero), profile
// (absent when empty), _embedded (a pending factor's activation), _links.
type factorBody struct {
	f        org.Factor
	base     string         // the request's base URL, for _links
	embedded map[string]any // `_embedded` of a pending factor
}

// factorList is an answer listing factors.
type factorList []factorBody

func (l factorList) AppendJSON(dst []byte) ([]byte, error) {
	dst = append(dst, '[')
	for i, b := range l {
		if i > 0 {
			dst = append(dst, ',')
		}
		var err error
		if dst, err = b.AppendJSON(dst); err != nil {
			return dst, err
		}
	}
	return append(dst, ']'), nil
}

// MarshalJSON lets a factor sit inside answers encoded by reflection.
func (b factorBody) MarshalJSON() ([]byte, error) { return b.AppendJSON(nil) }

func (b factorBody) AppendJSON(dst []byte) ([]byte, error) {
	f := b.f
	dst = httpx.AppendString(append(dst, `{"id":`...), f.ID)
	dst = httpx.AppendString(append(dst, `,"factorType":`...), string(f.Type))
	dst = httpx.AppendString(append(dst, `,"provider":`...), f.Provider)
	dst = httpx.AppendString(append(dst, `,"vendorName":`...), f.VendorName)
	dst = httpx.AppendString(append(dst, `,"status":`...), string(f.Status))
	if !f.Created.IsZero() {
		dst = append(appendDate(append(dst, `,"created":"`...), f.Created), '"')
	}
	if !f.LastUpdated.IsZero() {
		dst = append(appendDate(append(dst, `,"lastUpdated":"`...), f.LastUpdated), '"')
	}
	var err error
	if len(f.Profile) > 0 {
		if dst, err = httpx.AppendValue(append(dst, `,"profile":`...), f.Profile); err != nil {
			return dst, err
		}
	}
	if len(b.embedded) > 0 {
		if dst, err = httpx.AppendValue(append(dst, `,"_embedded":`...), b.embedded); err != nil {
			return dst, err
		}
	}
	// The hrefs: the user's and the factor's, each escaped once; the
	// links add plain ASCII suffixes (a character split between pieces
	// cannot happen: every escaped piece ends before an ASCII one).
	var hb [256]byte
	hrefs := httpx.AppendStringBody(append(httpx.AppendStringBody(hb[:0], b.base), "/api/v1/users/"...), f.UserID)
	n := len(hrefs)
	hrefs = httpx.AppendStringBody(append(hrefs, "/factors/"...), f.ID)
	user, self := hrefs[:n], hrefs
	dst = append(dst, `,"_links":{`...)
	var buf [4]factorLink
	for i, l := range factorLinks(f, &buf) {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(append(append(dst, '"'), l.rel...), `":`...)
		href := user
		if l.onFactor {
			href = self
		}
		if l.name != "" {
			dst = append(l.appendJSON(append(dst, '['), href), ']')
		} else {
			dst = l.appendJSON(dst, href)
		}
	}
	return append(dst, "}}"...), nil
}

func factorPath(f org.Factor) string { return "/api/v1/users/" + f.UserID + "/factors/" + f.ID }

// factorLink is one of a factor's `_links`: its key, its href (the user's
// or, onFactor, the factor's, followed by suffix), the methods it allows,
// and for resend (an array of one named link) the name.
type factorLink struct {
	rel      string
	onFactor bool
	suffix   string // plain ASCII
	hints    *httpx.Hints
	name     string
}

var (
	allowGet       = httpx.Allow(http.MethodGet)
	allowPost      = httpx.Allow(http.MethodPost)
	allowGetDelete = httpx.Allow(http.MethodGet, http.MethodDelete)
)

// factorLinks are f's links in its status (factors.md §2.3), in key order,
// in buf.
func factorLinks(f org.Factor, buf *[4]factorLink) []factorLink {
	at := func(rel, suffix string) factorLink {
		return factorLink{rel: rel, onFactor: true, suffix: suffix, hints: allowPost}
	}
	user := factorLink{rel: "user", hints: allowGet}
	out := buf[:0]
	if f.Status != okta.FactorActive {
		switch f.Type {
		case okta.FactorPush:
			out = append(out, at("poll", "/lifecycle/activate/poll"))
		case okta.FactorSMS, okta.FactorCall, okta.FactorEmail:
			resend := at("resend", "/resend")
			resend.name = string(f.Type)
			out = append(out, at("activate", "/lifecycle/activate"), resend)
		case okta.FactorSignedNonce:
		default:
			out = append(out, at("activate", "/lifecycle/activate"))
		}
		return append(out, factorLink{rel: "self", onFactor: true, hints: allowGet}, user)
	}
	if f.Type == okta.FactorQuestion {
		out = append(out, factorLink{rel: "questions", suffix: "/factors/questions", hints: allowGet})
	}
	out = append(out, factorLink{rel: "self", onFactor: true, hints: allowGetDelete}, user)
	switch f.Type {
	case okta.FactorQuestion, okta.FactorSignedNonce:
	default:
		out = append(out, at("verify", "/verify"))
	}
	return out
}

// appendJSON writes l as httpx.Link encodes: name (when set), href, hints.
// href is the escaped base of l's href.
func (l factorLink) appendJSON(dst, href []byte) []byte {
	dst = append(dst, '{')
	if l.name != "" {
		dst = append(httpx.AppendString(append(dst, `"name":`...), l.name), ',')
	}
	dst = append(append(append(append(dst, `"href":"`...), href...), l.suffix...), '"')
	return append(httpx.AppendHints(append(dst, `,"hints":`...), l.hints), '}')
}

func (h Factors) newFactor(c *gin.Context, f org.Factor) factorBody {
	b := factorBody{f: f, base: httpx.BaseURL(c)}
	if f.Status == okta.FactorPendingActivation {
		switch f.Type {
		case okta.FactorTOTP:
			if secret, ok := h.Org.FactorSecret(f.UserID, f.ID); ok {
				b.embedded = map[string]any{"activation": totpActivation(c, f, secret)}
			}
		case okta.FactorPush:
			if a, ok := h.Org.PendingActivation(f.UserID, f.ID); ok {
				b.embedded = map[string]any{"activation": pushActivationBody(c, f, a)}
			}
		case okta.FactorU2F:
			b.embedded = map[string]any{"activation": map[string]any{"version": "U2F_V2",
				"nonce": h.Org.Nonce(f.UserID, f.ID), "timeoutSeconds": 20}}
		case okta.FactorWebAuthn:
			b.embedded = map[string]any{"activation": h.webauthnOptions(f)}
		}
	}
	return b
}

func totpActivation(c *gin.Context, f org.Factor, secret string) map[string]any {
	keyLength := 6
	if f.Provider == "GOOGLE" {
		keyLength = 16 // as factors.md §5's Google Authenticator example
	}
	return map[string]any{"timeStep": 30, "sharedSecret": secret, "encoding": "base32", "keyLength": keyLength,
		"_links": httpx.Links{"qrcode": httpx.Link{Href: httpx.Href(c, factorPath(f)+"/qr/"+f.ID), Type: "image/png"}}}
}

func pushLinks(c *gin.Context, f org.Factor, a org.PushActivation) httpx.Links {
	p := factorPath(f)
	send := []httpx.Link{httpx.NewLink(c, p+"/lifecycle/activate/email", http.MethodPost),
		httpx.NewLink(c, p+"/lifecycle/activate/sms", http.MethodPost)}
	send[0].Name, send[1].Name = "email", "sms"
	return httpx.Links{"send": send,
		"qrcode": httpx.Link{Href: httpx.Href(c, p+"/qr/"+a.Token), Type: "image/png"}}
}

func pushActivationBody(c *gin.Context, f org.Factor, a org.PushActivation) map[string]any {
	return map[string]any{"expiresAt": date(a.ExpiresAt), "factorResult": string(a.Result), "_links": pushLinks(c, f, a)}
}

func (h Factors) webauthnOptions(f org.Factor) map[string]any {
	u, _ := h.Org.User(f.UserID)
	return map[string]any{
		"attestation":            "direct",
		"authenticatorSelection": map[string]any{"userVerification": "preferred", "requireResidentKey": false},
		"challenge":              h.Org.Nonce(f.UserID, f.ID),
		"excludeCredentials":     []any{},
		"pubKeyCredParams":       []any{map[string]any{"type": "public-key", "alg": -7}, map[string]any{"type": "public-key", "alg": -257}},
		"rp":                     map[string]any{"name": h.Org.Name()},
		"user": map[string]any{"displayName": stringOf(u.Profile["firstName"]) + " " + stringOf(u.Profile["lastName"]),
			"name": u.Login(), "id": u.ID},
	}
}

func stringOf(v any) string { s, _ := v.(string); return s }

func (h Factors) list(c *gin.Context) (int, any, error) {
	fs, err := h.Org.Factors(c.Param("userId"))
	if err != nil {
		return 0, nil, err
	}
	out := make(factorList, 0, len(fs))
	for _, f := range fs {
		out = append(out, h.newFactor(c, f))
	}
	return http.StatusOK, out, nil
}

func (h Factors) get(c *gin.Context) (int, any, error) {
	f, err := h.Org.Factor(c.Param("userId"), c.Param("factorId"))
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, h.newFactor(c, f), nil
}

// catalogBody is one supported-factor stub (factors.md §4.2).
type catalogBody struct {
	FactorType okta.FactorType   `json:"factorType"`
	Provider   string            `json:"provider"`
	VendorName string            `json:"vendorName"`
	Enrollment string            `json:"enrollment"`
	Status     okta.FactorStatus `json:"status"`
	Embedded   map[string]any    `json:"_embedded,omitempty"`
	Links      httpx.Links       `json:"_links"`
}

func (h Factors) catalog(c *gin.Context) (int, any, error) {
	u, err := h.Org.User(c.Param("userId"))
	if err != nil {
		return 0, nil, err
	}
	entries, err := h.Org.FactorCatalog(u.ID)
	if err != nil {
		return 0, nil, err
	}
	base := "/api/v1/users/" + u.ID + "/factors"
	out := make([]catalogBody, 0, len(entries))
	for _, e := range entries {
		b := catalogBody{FactorType: e.Type, Provider: e.Provider, VendorName: e.Provider, Enrollment: e.Enrollment,
			Status: e.Status, Links: httpx.Links{"enroll": httpx.NewLink(c, base, http.MethodPost)}}
		if e.Type == okta.FactorQuestion {
			b.Links["questions"] = httpx.NewLink(c, base+"/questions", http.MethodGet)
		}
		if len(e.Phones) > 0 {
			phones := make([]map[string]any, 0, len(e.Phones))
			for _, p := range e.Phones {
				phones = append(phones, map[string]any{"id": p.ID, "profile": map[string]any{"phoneNumber": p.Profile["phoneNumber"]},
					"status": p.Status})
			}
			b.Embedded = map[string]any{"phones": phones}
		}
		out = append(out, b)
	}
	return http.StatusOK, out, nil
}

type questionBody struct {
	Question     string `json:"question"`
	QuestionText string `json:"questionText"`
}

func (h Factors) questions(c *gin.Context) (int, any, error) {
	if _, err := h.Org.User(c.Param("userId")); err != nil {
		return 0, nil, err
	}
	qs := org.SecurityQuestions()
	out := make([]questionBody, 0, len(qs))
	for _, q := range qs {
		out = append(out, questionBody{q.Key, q.Text})
	}
	return http.StatusOK, out, nil
}

// enrollRequest is the body of POST /users/{id}/factors.
type enrollRequest struct {
	FactorType      okta.FactorType `json:"factorType"`
	Provider        string          `json:"provider"`
	Profile         map[string]any  `json:"profile"`
	FactorProfileID string          `json:"factorProfileId"`
	Verify          *struct {
		PassCode     string `json:"passCode"`
		NextPassCode string `json:"nextPassCode"`
	} `json:"verify"`
}

// tokenLifetime reads tokenLifetimeSeconds (1-86400).
func tokenLifetime(c *gin.Context) (time.Duration, error) {
	s := c.Query("tokenLifetimeSeconds")
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > 86400 {
		return 0, okta.Validation("tokenLifetimeSeconds", "tokenLifetimeSeconds: must be between 1 and 86400")
	}
	return time.Duration(n) * time.Second, nil
}

func (h Factors) enroll(c *gin.Context) (int, any, error) {
	var req enrollRequest
	ok, err := httpx.Bind(c, &req)
	if err != nil {
		return 0, nil, err
	}
	if !ok || req.FactorType == "" {
		return 0, nil, okta.Validation("factorEnrollRequest", "factorType: The field cannot be left blank")
	}
	in := org.Enroll{Type: req.FactorType, Provider: req.Provider, Profile: req.Profile, FactorProfileID: req.FactorProfileID}
	if req.Verify != nil {
		in.PassCode, in.NextPassCode = req.Verify.PassCode, req.Verify.NextPassCode
	}
	if in.Activate, err = boolQuery(c, "activate", false); err != nil {
		return 0, nil, err
	}
	if in.UpdatePhone, err = boolQuery(c, "updatePhone", false); err != nil {
		return 0, nil, err
	}
	if in.TokenLifetime, err = tokenLifetime(c); err != nil {
		return 0, nil, err
	}
	res, err := h.Org.EnrollFactor(c.Param("userId"), in)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, h.newFactor(c, res.Factor), nil
}

// verifyRequest is the body of verify and activate.
type verifyRequest struct {
	PassCode                   string `json:"passCode"`
	NextPassCode               string `json:"nextPassCode"`
	Answer                     string `json:"answer"`
	ClientData                 string `json:"clientData"`
	SignatureData              string `json:"signatureData"`
	AuthenticatorData          string `json:"authenticatorData"`
	RegistrationData           string `json:"registrationData"`
	Attestation                string `json:"attestation"`
	UseNumberMatchingChallenge bool   `json:"useNumberMatchingChallenge"`
}

func (r verifyRequest) domain() org.Verify {
	return org.Verify{PassCode: r.PassCode, NextPassCode: r.NextPassCode, Answer: r.Answer, ClientData: r.ClientData,
		SignatureData: r.SignatureData, AuthenticatorData: r.AuthenticatorData, RegistrationData: r.RegistrationData,
		Attestation: r.Attestation}
}

func (h Factors) activate(c *gin.Context) (int, any, error) {
	uid, fid := c.Param("userId"), c.Param("factorId")
	f, err := h.Org.Factor(uid, fid)
	if err != nil {
		return 0, nil, err
	}
	var req verifyRequest
	if _, err := httpx.Bind(c, &req); err != nil {
		return 0, nil, err
	}
	if f.Type == okta.FactorPush {
		a, err := h.Org.PollPushActivation(uid, fid)
		if err != nil {
			return 0, nil, err
		}
		p := factorPath(f)
		switch a.Result {
		case org.PushSuccess:
			return http.StatusOK, h.newFactor(c, a.Factor), nil
		case org.PushWaiting:
			l := pushLinks(c, f, a)
			l["poll"] = httpx.NewLink(c, p+"/lifecycle/activate", http.MethodPost)
			return http.StatusOK, map[string]any{"expiresAt": date(a.ExpiresAt), "factorResult": string(a.Result), "_links": l}, nil
		default:
			return http.StatusOK, map[string]any{"factorResult": string(a.Result),
				"_links": httpx.Links{"activate": httpx.NewLink(c, p+"/lifecycle/activate", http.MethodPost)}}, nil
		}
	}
	got, err := h.Org.ActivateFactor(uid, fid, req.domain())
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, h.newFactor(c, got), nil
}

// sendActivation sends a pending Okta Verify activation by email or sms
// (the activation's `send` links) and answers as the activation poll does.
func (h Factors) sendActivation(ch org.Channel) httpx.HandlerFunc {
	return func(c *gin.Context) (int, any, error) {
		a, _, err := h.Org.SendOktaVerifyActivation(c.Param("userId"), c.Param("factorId"), ch)
		if err != nil {
			return 0, nil, err
		}
		l := pushLinks(c, a.Factor, a)
		l["poll"] = httpx.NewLink(c, factorPath(a.Factor)+"/lifecycle/activate", http.MethodPost)
		return http.StatusOK, map[string]any{"expiresAt": date(a.ExpiresAt), "factorResult": string(a.Result), "_links": l}, nil
	}
}

// qrcode serves the QR code of a pending TOTP or Okta Verify enrollment as
// a PNG (the `qrcode` links).
func (h Factors) qrcode(c *gin.Context) {
	content, err := h.Org.FactorQRContent(c.Param("userId"), c.Param("factorId"), c.Param("token"))
	if err != nil {
		httpx.WriteError(c, err)
		return
	}
	key, err := otp.NewKeyFromURL(content)
	if err != nil {
		httpx.WriteError(c, err)
		return
	}
	img, err := key.Image(200, 200)
	if err != nil {
		httpx.WriteError(c, err)
		return
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		httpx.WriteError(c, err)
		return
	}
	c.Data(http.StatusOK, "image/png", buf.Bytes())
}

func (h Factors) resend(c *gin.Context) (int, any, error) {
	var req enrollRequest
	if _, err := httpx.Bind(c, &req); err != nil {
		return 0, nil, err
	}
	life, err := tokenLifetime(c)
	if err != nil {
		return 0, nil, err
	}
	res, err := h.Org.ResendFactor(c.Param("userId"), c.Param("factorId"), life)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, h.newFactor(c, res.Factor), nil
}

// verifyResultBody is a verify answer (factors.md §8).
type verifyResultBody struct {
	ExpiresAt    *string        `json:"expiresAt,omitempty"`
	FactorResult string         `json:"factorResult"`
	Profile      map[string]any `json:"profile,omitempty"`
	Embedded     map[string]any `json:"_embedded,omitempty"`
	Links        httpx.Links    `json:"_links,omitempty"`
}

func verifyFactorLinks(c *gin.Context, f org.Factor) httpx.Links {
	p := factorPath(f)
	return httpx.Links{"verify": httpx.NewLink(c, p+"/verify", http.MethodPost),
		"factor": httpx.NewLink(c, p, http.MethodGet, http.MethodDelete)}
}

func (h Factors) verify(c *gin.Context) (int, any, error) {
	uid, fid := c.Param("userId"), c.Param("factorId")
	var req verifyRequest
	if _, err := httpx.Bind(c, &req); err != nil {
		return 0, nil, err
	}
	f, err := h.Org.Factor(uid, fid)
	if err != nil {
		return 0, nil, err
	}
	challenge := false
	switch f.Type {
	case okta.FactorSMS, okta.FactorCall, okta.FactorEmail:
		challenge = req.PassCode == ""
	case okta.FactorPush:
		challenge = true
	case okta.FactorU2F, okta.FactorWebAuthn:
		challenge = req.ClientData == ""
	}
	if !challenge {
		if _, err := h.Org.VerifyFactor(uid, fid, req.domain()); err != nil {
			return 0, nil, err
		}
		return http.StatusOK, verifyResultBody{FactorResult: string(org.ResultSuccess)}, nil
	}
	life, err := tokenLifetime(c)
	if err != nil {
		return 0, nil, err
	}
	res, err := h.Org.ChallengeFactor(uid, fid, org.Challenge{TokenLifetime: life, Push: org.PushOptions{
		NumberChallenge: req.UseNumberMatchingChallenge, ClientIP: c.ClientIP(), UserAgent: c.Request.UserAgent()}})
	if err != nil {
		return 0, nil, err
	}
	if res.Push != nil {
		return http.StatusCreated, pushTxBody(c, f, *res.Push, false), nil
	}
	b := verifyResultBody{FactorResult: string(org.ResultChallenge), Links: verifyFactorLinks(c, f)}
	switch f.Type {
	case okta.FactorSMS:
		b.Profile = map[string]any{"phoneNumber": f.Profile["phoneNumber"]}
	case okta.FactorCall:
		b.Profile = map[string]any{"phoneNumber": f.Profile["phoneNumber"]}
		if ext, ok := f.Profile["phoneExtension"]; ok {
			b.Profile["phoneExtension"] = ext
		}
	case okta.FactorU2F:
		b.Profile = f.Profile
		b.Embedded = map[string]any{"challenge": map[string]any{"nonce": res.Nonce, "timeoutSeconds": 20}}
	case okta.FactorWebAuthn:
		b.Profile = f.Profile
		b.Embedded = map[string]any{"challenge": map[string]any{"challenge": res.Nonce, "extensions": map[string]any{}}}
	}
	return http.StatusOK, b, nil
}

// pushTxBody renders a push transaction (factors.md §8.3); poll adds the
// profile of a WAITING transaction as the poll answer shows it.
func pushTxBody(c *gin.Context, f org.Factor, t org.PushTransaction, poll bool) verifyResultBody {
	p := factorPath(f) + "/transactions/" + t.ID
	b := verifyResultBody{FactorResult: string(t.Result)}
	switch t.Result {
	case org.PushWaiting:
		b.ExpiresAt = date(t.ExpiresAt)
		b.Links = httpx.Links{"poll": httpx.NewLink(c, p, http.MethodGet), "cancel": httpx.NewLink(c, p, http.MethodDelete)}
		if poll && t.CredentialID != "" {
			b.Profile = map[string]any{"credentialId": t.CredentialID}
		}
		if t.CorrectAnswer != 0 {
			b.Embedded = map[string]any{"challenge": map[string]any{"correctAnswer": t.CorrectAnswer}}
		}
	case org.PushSuccess:
	default:
		if t.CredentialID != "" {
			b.Profile = map[string]any{"credentialId": t.CredentialID}
		}
		b.Links = verifyFactorLinks(c, f)
	}
	return b
}

func (h Factors) transaction(c *gin.Context) (int, any, error) {
	uid, fid := c.Param("userId"), c.Param("factorId")
	f, err := h.Org.Factor(uid, fid)
	if err != nil {
		return 0, nil, err
	}
	t, err := h.Org.PushTransaction(f.UserID, f.ID, c.Param("transactionId"))
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, pushTxBody(c, f, t, true), nil
}

func (h Factors) cancel(c *gin.Context) (int, any, error) {
	f, err := h.Org.Factor(c.Param("userId"), c.Param("factorId"))
	if err != nil {
		return 0, nil, err
	}
	if err := h.Org.CancelPush(f.UserID, f.ID, c.Param("transactionId")); err != nil {
		return 0, nil, err
	}
	return http.StatusNoContent, nil, nil
}

func (h Factors) delete(c *gin.Context) (int, any, error) {
	if _, err := boolQuery(c, "removeRecoveryEnrollment", false); err != nil {
		return 0, nil, err
	}
	if err := h.Org.DeleteFactor(c.Param("userId"), c.Param("factorId")); err != nil {
		return 0, nil, err
	}
	return http.StatusNoContent, nil, nil
}

func (h Factors) reset(c *gin.Context) (int, any, error) {
	if _, err := boolQuery(c, "removeRecoveryEnrollment", false); err != nil {
		return 0, nil, err
	}
	if err := h.Org.ResetFactors(c.Param("userId")); err != nil {
		return 0, nil, err
	}
	return http.StatusOK, nil, nil
}
