package httpx

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/gin-gonic/gin"
	fastjson "github.com/goccy/go-json"

	"github.com/oktaemu/oktaemu/emulator/internal/okta"
)

// HandlerFunc is a handler that returns its result; Handle renders it.
// A nil body with status 204 (or any status) writes no body.
type HandlerFunc func(c *gin.Context) (status int, body any, err error)

// Handle adapts fn to gin: it renders the body as JSON, or the error as
// Okta's error object.
func Handle(fn HandlerFunc) gin.HandlerFunc {
	return func(c *gin.Context) {
		status, body, err := fn(c)
		if err != nil {
			WriteError(c, err)
			return
		}
		WriteJSON(c, status, body)
	}
}

// JSONContentType is the media type of every body the management API sends.
const JSONContentType = "application/json"

// WriteJSON writes body as JSON with status; a nil body writes only the
// status.
func WriteJSON(c *gin.Context, status int, body any) {
	if body == nil {
		c.Status(status)
		c.Writer.WriteHeaderNow()
		return
	}
	e := getEncoder()
	defer e.put()
	var b []byte
	var err error
	if a, ok := body.(JSONAppender); ok {
		e.raw, err = a.AppendJSON(e.raw[:0])
		b = e.raw
	} else {
		b, err = e.encode(body)
	}
	if err != nil {
		WriteError(c, err)
		return
	}
	writeBody(c, status, b)
}

// writeBody is what gin's c.Data does (Content-Type when none is set,
// Content-Length, the body when the status allows one), without its
// render value and Content-Type slice per answer: the Content-Type value
// is shared (net/http only reads it; Header.Set and Add replace or copy
// it).
func writeBody(c *gin.Context, status int, body []byte) {
	h := c.Writer.Header()
	if len(h["Content-Type"]) == 0 {
		h["Content-Type"] = jsonContentType
	}
	c.Status(status)
	if !bodyAllowed(status) {
		c.Writer.WriteHeaderNow()
		return
	}
	if len(body) > 0 {
		h["Content-Length"] = []string{strconv.Itoa(len(body))}
	}
	_, _ = c.Writer.Write(body)
}

var jsonContentType = []string{JSONContentType}[:1:1]

// bodyAllowed reports whether a response with status may have a body
// (RFC 9110: not 1xx, 204 or 304), as gin decides it.
func bodyAllowed(status int) bool {
	return (status < 100 || status >= 200) && status != http.StatusNoContent && status != http.StatusNotModified
}

// encoder is a JSON encoder writing into its own buffer, and a buffer for
// JSONAppenders; all are recycled, and buffers that grew past 1 MiB are
// dropped rather than kept.
type encoder struct {
	buf bytes.Buffer
	enc *fastjson.Encoder
	raw []byte
}

var encoders = sync.Pool{New: func() any {
	e := new(encoder)
	e.enc = fastjson.NewEncoder(&e.buf)
	e.enc.SetEscapeHTML(false)
	return e
}}

func getEncoder() *encoder { return encoders.Get().(*encoder) }

func (e *encoder) put() {
	if e.buf.Cap() <= 1<<20 && cap(e.raw) <= 1<<20 {
		encoders.Put(e)
	}
}

// EncodeJSON is v as WriteJSON encodes a body that does not write its own
// JSON (a copy): what JSONAppenders must write, byte for byte.
func EncodeJSON(v any) ([]byte, error) {
	e := getEncoder()
	defer e.put()
	b, err := e.encode(v)
	return bytes.Clone(b), err
}

// encode returns v's JSON without the encoder's trailing newline, valid
// until e is used again.
func (e *encoder) encode(v any) ([]byte, error) {
	e.buf.Reset()
	if err := e.enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(e.buf.Bytes(), []byte("\n")), nil
}

// Cause is one item of errorCauses.
type Cause struct {
	ErrorSummary string `json:"errorSummary"`
}

// ErrorBody is Okta's error object.
type ErrorBody struct {
	ErrorCode    string  `json:"errorCode"`
	ErrorSummary string  `json:"errorSummary"`
	ErrorLink    string  `json:"errorLink"`
	ErrorID      string  `json:"errorId"`
	ErrorCauses  []Cause `json:"errorCauses"`
}

// NewErrorBody renders e as Okta's error object with a fresh errorId.
func NewErrorBody(e *okta.Error, errorID string) ErrorBody {
	causes := make([]Cause, 0, len(e.Causes))
	for _, s := range e.Causes {
		causes = append(causes, Cause{ErrorSummary: s})
	}
	return ErrorBody{ErrorCode: string(e.Code), ErrorSummary: e.Summary, ErrorLink: string(e.Code),
		ErrorID: errorID, ErrorCauses: causes}
}

// WriteError answers with err as Okta's error object. Errors that are not
// *okta.Error are internal: logged, and answered 500 E0000009 without
// detail.
func WriteError(c *gin.Context, err error) {
	env := EnvOf(c)
	e, ok := okta.As(err)
	if !ok {
		env.Logger.Error("internal error", "method", c.Request.Method, "path", c.Request.URL.Path, "err", err)
		e = okta.Errorf(okta.E0000009)
	}
	state(c).errorCode = string(e.Code)
	WriteJSON(c, e.HTTPStatus(), NewErrorBody(e, env.IDs.ErrorID()))
	c.Abort()
}

// MaxBodyBytes bounds request bodies; Okta's own limit is of this order.
const MaxBodyBytes = 1 << 20

// ReadBody reads the request body within MaxBodyBytes. An oversized body is
// 400 E0000003 (suggested: Okta does not document its limit's answer).
func ReadBody(c *gin.Context) ([]byte, error) {
	var buf bytes.Buffer
	if err := readBodyInto(c, &buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func readBodyInto(c *gin.Context, buf *bytes.Buffer) error {
	if c.Request.Body == nil {
		return nil
	}
	if _, err := buf.ReadFrom(http.MaxBytesReader(c.Writer, c.Request.Body, MaxBodyBytes)); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return okta.Errorf(okta.E0000003).WithCauses("The request body exceeds the maximum size of 1 MiB.")
		}
		return okta.Errorf(okta.E0000003)
	}
	return nil
}

// bodyBuffers recycles the buffers Bind reads bodies into: decoding copies
// what it keeps. Buffers that grew past 64 KiB are dropped.
var bodyBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// Bind decodes a JSON body into v. An empty body leaves v as it is and
// reports false. A body that is not JSON, or JSON of the wrong shape, is
// 400 E0000003 "The request body was not well-formed.". A body sent with a
// Content-Type other than JSON is 415-like 400 E0000021.
func Bind(c *gin.Context, v any) (bool, error) {
	buf := bodyBuffers.Get().(*bytes.Buffer)
	defer func() {
		if buf.Cap() <= 64<<10 {
			bodyBuffers.Put(buf)
		}
	}()
	buf.Reset()
	if err := readBodyInto(c, buf); err != nil {
		return false, err
	}
	b := buf.Bytes()
	if len(bytes.TrimSpace(b)) == 0 {
		return false, nil
	}
	if ct := c.ContentType(); ct != "" && ct != JSONContentType && !strings.HasSuffix(ct, "+json") {
		return false, okta.Errorf(okta.E0000021)
	}
	// One JSON value: trailing data after it is an error too. Decoding
	// stays with encoding/json: goccy/go-json (used for encoding) wraps
	// out-of-range integers, accepts control characters in strings and
	// keeps invalid UTF-8, where Okta's answer is 400. It copies what it
	// keeps (strings, json.RawMessage), so the buffer is reused.
	// Most bodies, objects of plain strings and booleans, skip its
	// validating pass and per-field reflection (bindFlat).
	if bindFlat(b, v) {
		return true, nil
	}
	if err := json.Unmarshal(b, v); err != nil {
		return false, okta.Errorf(okta.E0000003)
	}
	return true, nil
}

// NoRoute answers unknown paths: 404 E0000008 "The requested path was not
// found", Okta's code for an unknown route (errors.md; Okta's error codes
// catalogue). Unknown resources on known routes stay E0000007.
func NoRoute(c *gin.Context) {
	WriteError(c, okta.Errorf(okta.E0000008))
}

// NoMethod answers a known path with a method it does not serve: 405
// E0000022.
func NoMethod(c *gin.Context) {
	WriteError(c, okta.Errorf(okta.E0000022))
}

// Recover turns a panic in a handler into 500 E0000009, logged with its
// value; the org's state is whatever the domain left, which never holds a
// lock across a panic (locks are released by defer).
func Recover() gin.HandlerFunc {
	return func(c *gin.Context) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				EnvOf(c).Logger.Error("panic", "method", c.Request.Method, "path", c.Request.URL.Path, "panic", v)
				WriteError(c, okta.Errorf(okta.E0000009))
			}
		}()
		c.Next()
	}
}
