package emulatortest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"

	"github.com/oktaemu/oktaemu/emulator"
	"github.com/oktaemu/oktaemu/spec"
)

// validation configures the spec validation of a Server's responses.
type validation struct {
	// allowUnspecified accepts requests to routes the spec does not
	// describe, as long as they are answered with an Okta 4xx error.
	allowUnspecified bool
	// requests also validates requests (off by default: tests send bad
	// requests on purpose).
	requests bool
}

// AllowUnspecifiedRoutes is for tests that deliberately call routes the
// spec does not describe (unknown paths, unsupported methods, garbage):
// those requests must then be answered with a 4xx Okta error object
// (validated against #/components/schemas/Error) instead of failing the
// test. Every response on a described route is still validated. Use it only
// in such tests.
func AllowUnspecifiedRoutes() Option {
	return func(c *config) { c.validation.allowUnspecified = true }
}

// WithRequestValidation also validates every request against the spec
// (parameters and bodies), reporting invalid ones with t.Errorf. Off by
// default, because tests send invalid requests on purpose.
func WithRequestValidation() Option {
	return func(c *config) { c.validation.requests = true }
}

// ValidatingHandler wraps h so that every response it sends is validated
// against the spec, as NewServer's are, failing t. It is for tests that
// drive a handler directly (fuzz targets with httptest.NewRecorder); only
// the validation options (AllowUnspecifiedRoutes, WithRequestValidation)
// apply.
func ValidatingHandler(t testing.TB, h http.Handler, opts ...Option) http.Handler {
	t.Helper()
	var c config
	for _, fn := range opts {
		fn(&c)
	}
	v, err := newValidator(t, h, c.validation)
	if err != nil {
		t.Fatalf("emulatortest: spec: %v", err)
	}
	return v
}

// universalErrorStatuses may answer any operation, whether or not its spec
// lists them: SSWS auth (401 E0000011, 403 E0000005), rate limits (429
// E0000047), internal errors and injected faults (5xx). Their body must
// still be Okta's error object.
var universalErrorStatuses = map[int]bool{401: true, 403: true, 429: true, 500: true, 502: true, 503: true, 504: true}

// Text media types the emulator serves (the console's page and assets)
// decode as plain strings.
func init() {
	for _, ct := range []string{"text/html", "text/javascript", "text/css", "application/javascript"} {
		if openapi3filter.RegisteredBodyDecoder(ct) == nil {
			openapi3filter.RegisterBodyDecoder(ct, openapi3filter.PlainBodyDecoder)
		}
	}
}

// maxReportedBody bounds the response body quoted in a failure.
const maxReportedBody = 2048

// validator wraps a handler and validates every exchange against the
// merged spec. It holds no mutable state: safe for concurrent requests.
type validator struct {
	t    testing.TB
	doc  *spec.Document
	next http.Handler
	cfg  validation
	opts *openapi3filter.Options
}

func newValidator(t testing.TB, next http.Handler, cfg validation) (*validator, error) {
	doc, err := spec.Load()
	if err != nil {
		return nil, err
	}
	opts := &openapi3filter.Options{
		IncludeResponseStatus: true,
		AuthenticationFunc:    openapi3filter.NoopAuthenticationFunc,
	}
	opts.WithCustomSchemaErrorFunc(schemaError)
	return &validator{t: t, doc: doc, next: next, cfg: cfg, opts: opts}, nil
}

// schemaError is a short kin schema error: where, and why (without the
// schema dump).
func schemaError(err *openapi3.SchemaError) string {
	return "/" + strings.Join(err.JSONPointer(), "/") + ": " + err.Reason
}

func (v *validator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var reqBody []byte
	if v.cfg.requests && r.Body != nil {
		reqBody, _ = io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(reqBody))
	}
	rec := &recorder{ResponseWriter: w}
	v.next.ServeHTTP(rec, r)
	if rec.header == nil { // nothing written: net/http answers 200 with no body
		rec.snapshot(http.StatusOK)
	}
	for _, problem := range v.check(r, reqBody, rec) {
		body := rec.body.String()
		if len(body) > maxReportedBody {
			body = body[:maxReportedBody] + "…"
		}
		v.t.Errorf("spec: %s %s -> %d: %s\n\tbody: %s", r.Method, r.URL.RequestURI(), rec.status, problem, body)
	}
}

// specPath is the path the spec describes for r: the org prefix
// /_org/<name> removed, as the server routes it.
func specPath(r *http.Request) string {
	p := r.URL.EscapedPath()
	if strings.HasPrefix(p, emulator.ControlPrefix) {
		return p
	}
	if rest, ok := strings.CutPrefix(p, emulator.OrgPathPrefix); ok {
		_, path, _ := strings.Cut(rest, "/")
		return "/" + path
	}
	return p
}

// check returns what is wrong with one exchange.
func (v *validator) check(r *http.Request, reqBody []byte, rec *recorder) []string {
	var problems []string
	path := specPath(r)
	control := strings.HasPrefix(path, emulator.ControlPrefix)
	if !control && rec.header.Get("X-Okta-Request-Id") == "" {
		problems = append(problems, "no X-Okta-Request-Id header")
	}
	if rec.body.Len() > 0 && rec.header.Get("Content-Type") == "" {
		problems = append(problems, "a body without Content-Type")
	}

	route, params, err := v.doc.Find(r.Method, path)
	if err != nil {
		if !v.cfg.allowUnspecified {
			return append(problems, fmt.Sprintf("%s %s is not in spec/openapi (%v): describe it in its area's fragment, "+
				"or use emulatortest.AllowUnspecifiedRoutes() in a test that calls unknown routes on purpose", r.Method, path, err))
		}
		if rec.status < 400 || rec.status > 499 {
			return append(problems, fmt.Sprintf("a route not in the spec must answer 4xx, got %d", rec.status))
		}
		return append(problems, v.checkError(rec)...)
	}

	if rec.status == http.StatusNotFound && bytes.Contains(rec.body.Bytes(), []byte(`"E0000008"`)) {
		// A described path this org's engine does not serve (IDX in
		// Classic): gin's NoRoute answered, with Okta's error object.
		return append(problems, v.checkError(rec)...)
	}
	in := &openapi3filter.RequestValidationInput{Request: r, PathParams: params, Route: route, Options: v.opts}
	if v.cfg.requests {
		r2 := r.Clone(context.Background())
		r2.URL.Path = path
		r2.Body = io.NopCloser(bytes.NewReader(reqBody))
		rin := *in
		rin.Request = r2
		if err := openapi3filter.ValidateRequest(context.Background(), &rin); err != nil {
			problems = append(problems, "request: "+err.Error())
		}
	}

	resp := route.Operation.Responses.Status(rec.status)
	if resp == nil {
		resp = route.Operation.Responses.Default()
	}
	if resp == nil {
		if rec.status >= 400 && universalErrorStatuses[rec.status] {
			return append(problems, v.checkError(rec)...)
		}
		return append(problems, fmt.Sprintf("status %d is not among the responses of %s %s in %s",
			rec.status, route.Method, route.Path, v.doc.FragmentOf(route.Method, route.Path)))
	}
	if resp.Value == nil || len(resp.Value.Content) == 0 {
		if rec.body.Len() > 0 {
			problems = append(problems, "the spec declares no body for this status, but one was sent")
		}
		return append(problems, v.checkHeaders(resp.Value, route, rec)...)
	}
	if rec.body.Len() == 0 {
		return append(problems, "the spec declares a body for this status, but none was sent")
	}
	err = openapi3filter.ValidateResponse(context.Background(), &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in,
		Status:                 rec.status,
		Header:                 rec.header,
		Body:                   io.NopCloser(bytes.NewReader(rec.body.Bytes())),
		Options:                v.opts,
	})
	if err != nil {
		problems = append(problems, fmt.Sprintf("%s %s (%s): %s", route.Method, route.Path,
			v.doc.FragmentOf(route.Method, route.Path), describe(err)))
	}
	return problems
}

// checkHeaders validates declared headers when the response has no body
// (ValidateResponse does it otherwise).
func (v *validator) checkHeaders(resp *openapi3.Response, route *routers.Route, rec *recorder) []string {
	if resp == nil || len(resp.Headers) == 0 {
		return nil
	}
	in := &openapi3filter.RequestValidationInput{Route: route, Options: v.opts, Request: &http.Request{Method: route.Method}}
	err := openapi3filter.ValidateResponse(context.Background(), &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in, Status: rec.status, Header: rec.header,
		Body: io.NopCloser(bytes.NewReader(nil)), Options: &openapi3filter.Options{IncludeResponseStatus: true, ExcludeResponseBody: true},
	})
	if err != nil {
		return []string{describe(err)}
	}
	return nil
}

// checkError validates rec as Okta's error object.
func (v *validator) checkError(rec *recorder) []string {
	var problems []string
	if ct := rec.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		problems = append(problems, fmt.Sprintf("an error must be application/json, got %q", ct))
	}
	schema := v.doc.T.Components.Schemas["Error"]
	if schema == nil || schema.Value == nil {
		return append(problems, "spec has no #/components/schemas/Error")
	}
	var value any
	if err := json.Unmarshal(rec.body.Bytes(), &value); err != nil {
		return append(problems, "an error body must be JSON: "+err.Error())
	}
	if err := schema.Value.VisitJSON(value, openapi3.VisitAsResponse(),
		openapi3.SetSchemaErrorMessageCustomizer(schemaError)); err != nil {
		problems = append(problems, "not an Okta error object (#/components/schemas/Error): "+describe(err))
	}
	return problems
}

// describe shortens kin errors: the reason and the cause, no dumps.
func describe(err error) string {
	var re *openapi3filter.ResponseError
	if errors.As(err, &re) {
		s := re.Reason
		if re.Err != nil {
			s += ": " + describe(re.Err)
		}
		return s
	}
	var se *openapi3.SchemaError
	if errors.As(err, &se) {
		return schemaError(se)
	}
	var me openapi3.MultiError
	if errors.As(err, &me) {
		parts := make([]string, 0, len(me))
		for _, e := range me {
			parts = append(parts, describe(e))
		}
		return strings.Join(parts, "; ")
	}
	return err.Error()
}

// recorder passes a response through while keeping a copy of its status,
// headers (as of WriteHeader) and body.
type recorder struct {
	http.ResponseWriter
	status int
	header http.Header
	body   bytes.Buffer
}

func (r *recorder) snapshot(status int) {
	r.status = status
	r.header = r.ResponseWriter.Header().Clone()
}

func (r *recorder) WriteHeader(status int) {
	if r.header == nil {
		r.snapshot(status)
	}
	r.ResponseWriter.WriteHeader(status)
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.header == nil {
		r.snapshot(http.StatusOK)
	}
	r.body.Write(b)
	return r.ResponseWriter.Write(b)
}

// Flush passes flushes through (http.Flusher).
func (r *recorder) Flush() {
	if f, ok := r.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap lets http.ResponseController reach the real writer.
func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }
