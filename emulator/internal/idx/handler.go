package idx

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/oktaemu/oktaemu/emulator/internal/httpx"
	"github.com/oktaemu/oktaemu/emulator/internal/org"
)

// Handler serves the Interaction Code flow of an Identity Engine org: the
// OAuth endpoints and the IDX API.
// Its emulator extensions (not Okta) are switched per org with
// org.SetIDXExtensions.
type Handler struct {
	Org *org.Org
}

// Mount adds the Identity Engine's Interaction Code routes.
func (h Handler) Mount(r gin.IRouter) {
	for _, base := range []string{"/oauth2/v1", "/oauth2/:as/v1"} {
		r.POST(base+"/interact", h.interact)
		r.POST(base+"/token", h.token)
		r.GET(base+"/keys", h.keys)
		r.GET(base+"/authorize", h.authorize)
	}
	steps := map[string]stepFunc{
		"/introspect":        (*flow).introspect,
		"/identify":          (*flow).identify,
		"/challenge":         (*flow).challenge,
		"/challenge/answer":  (*flow).answer,
		"/challenge/poll":    (*flow).poll,
		"/challenge/resend":  (*flow).resend,
		"/credential/enroll": (*flow).enrollSelect,
		"/skip":              (*flow).skip,
		"/recover":           (*flow).recover,
		"/unlock-account":    (*flow).unlockAccount,
		"/enroll":            (*flow).register,
		"/enroll/new":        (*flow).register,
	}
	for path, fn := range steps {
		r.POST("/idp/idx"+path, h.step(fn))
	}
	r.POST("/idp/idx/cancel", h.cancel)
}

// request is an IDX request body. Values are read leniently: okta-idx-golang
// sends every value as a string ("false"), null counts as absent.
type request map[string]any

func (r request) str(keys ...string) string {
	var cur any = map[string]any(r)
	for _, k := range keys {
		m, ok := cur.(map[string]any)
		if !ok {
			return ""
		}
		cur = m[k]
	}
	switch v := cur.(type) {
	case string:
		return v
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(v)
	}
	return ""
}

func (r request) has(key string) bool {
	v, ok := r[key]
	return ok && v != nil
}

func (r request) flag(keys ...string) bool {
	b, _ := strconv.ParseBool(r.str(keys...))
	return b
}

// readRequest decodes the JSON body; any JSON media type is accepted
// (application/json, application/ion+json, application/vnd.okta.v1+json,
// with or without okta-version; idx.md §3.1).
func readRequest(c *gin.Context) (request, error) {
	b, err := httpx.ReadBody(c)
	if err != nil {
		return nil, err
	}
	req := request{}
	if len(bytes.TrimSpace(b)) == 0 {
		return req, nil
	}
	if err := json.Unmarshal(b, &req); err != nil {
		return nil, errBadBody
	}
	return req, nil
}

var errBadBody = errors.New("idx: body is not a JSON object")

// writeION writes an IDX body with Okta's media type.
func writeION(c *gin.Context, status int, body any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(body); err != nil {
		status = http.StatusInternalServerError
		buf.Reset()
		fmt.Fprintf(&buf, `{"version":"1.0.0","messages":{"type":"array","value":[{"message":"Internal Server Error","i18n":{"key":"E0000009"},"class":"ERROR"}]}}`)
	}
	c.Data(status, ContentType, bytes.TrimSuffix(buf.Bytes(), []byte("\n")))
}

// expired is the answer for an unknown or expired transaction (idx.md §3.8).
func expired() (int, Response) {
	return http.StatusUnauthorized, Response{Version: Version,
		Messages: arrayOf(errMsg("idx.session.expired"))}
}

type stepFunc func(f *flow, req request) (int, error)

// step adapts a step to gin: it finds the transaction by its stateHandle
// (introspect also by interactionHandle or stateToken), runs the step under
// the transaction's lock and renders the resulting state.
func (h Handler) step(fn stepFunc) gin.HandlerFunc {
	return func(c *gin.Context) {
		req, err := readRequest(c)
		if err != nil {
			if errors.Is(err, errBadBody) {
				writeION(c, http.StatusBadRequest, Response{Version: Version,
					Messages: arrayOf(Message{Message: "The request body was not well-formed.", I18n: I18n{Key: "E0000003"}, Class: "ERROR"})})
				return
			}
			httpx.WriteError(c, err)
			return
		}
		ih := req.str("interactionHandle")
		sh := req.str("stateHandle")
		if sh == "" {
			sh = req.str("stateToken")
		}
		if ih == "" && sh == "" {
			status, body := expired()
			writeION(c, status, body)
			return
		}
		f := &flow{h: h, o: h.Org, base: httpx.BaseURL(c), c: c}
		var status int
		var stepErr error
		t, err := h.Org.UpdateInteraction(ih, sh, func(t *org.Interaction) error {
			f.t = t
			status, stepErr = fn(f, req)
			return stepErr
		})
		if errors.Is(err, org.ErrInteractionExpired) {
			status, body := expired()
			writeION(c, status, body)
			return
		}
		if stepErr != nil {
			httpx.WriteError(c, stepErr)
			return
		}
		f.t = &t
		writeION(c, status, f.render())
	}
}

// cancel ends the transaction and answers with the first step of a new one
// for the same client (idx.md §5.13).
func (h Handler) cancel(c *gin.Context) {
	req, err := readRequest(c)
	if err != nil {
		status, body := expired()
		writeION(c, status, body)
		return
	}
	sh := req.str("stateHandle")
	var old org.Interaction
	_, err = h.Org.UpdateInteraction("", sh, func(t *org.Interaction) error {
		old = *t
		t.Done = true
		return nil
	})
	if err != nil || sh == "" {
		status, body := expired()
		writeION(c, status, body)
		return
	}
	h.Org.EndInteraction(old.Handle)
	fresh := org.Interaction{AppID: old.AppID, ClientID: old.ClientID, AuthServerID: old.AuthServerID,
		RedirectURI: old.RedirectURI, State: old.State, Nonce: old.Nonce, Scopes: old.Scopes,
		CodeChallenge: old.CodeChallenge, Intent: old.Intent, Hosted: old.Hosted, EnrollAMR: old.EnrollAMR}
	nt := h.Org.StartInteraction(fresh)
	f := &flow{h: h, o: h.Org, base: httpx.BaseURL(c), c: c}
	t, _ := h.Org.UpdateInteraction(nt.Handle, "", func(t *org.Interaction) error {
		f.t = t
		f.advance()
		return nil
	})
	f.t = &t
	writeION(c, http.StatusOK, f.render())
}
