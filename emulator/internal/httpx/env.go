package httpx

import (
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gin-gonic/gin"
)

// IDSource mints the per-request ids of an org.
type IDSource interface {
	ErrorID() string
	RequestID() string
}

// Env is what httpx needs to know about the org serving a request.
type Env struct {
	IDs    IDSource
	Now    func() time.Time
	Logger *slog.Logger
	// Prefix is the path prefix the org is addressed by ("/_org/acme"), or
	// "" when it is addressed by Host or is the default org.
	Prefix string
}

// request is what httpx keeps about the request being served: one entry
// of the gin context's keys, read and written without gin's lock (a
// read-write mutex whose atomics showed in profiles, taken for every
// link's base URL): the handlers of a request never hand its context to
// another goroutine.
type request struct {
	env       *Env
	base      string // BaseURL, computed on first use
	errorCode string // Okta's errorCode of the answer, for the request log
	trusted   bool   // the request carried a valid SSWS token
}

const requestKey = "oktaemu.request"

// lookup returns c's request state, nil when none was made.
func lookup(c *gin.Context) *request {
	r, _ := c.Keys[requestKey].(*request)
	return r
}

// state returns c's request state, making it when no WithEnv did
// (requests outside an org's routes).
func state(c *gin.Context) *request {
	if r := lookup(c); r != nil {
		return r
	}
	r := new(request)
	c.Set(requestKey, r)
	return r
}

// WithEnv installs e for the requests of an org and stamps every response
// with X-Okta-Request-Id and Date (from the org's clock, so recordings are
// reproducible).
func WithEnv(e *Env) gin.HandlerFunc {
	return func(c *gin.Context) {
		// The request's state and gin's keys map are recycled: gin makes
		// a new map for every request that sets a key, and every request
		// does. Nothing reads them once the handlers have returned.
		p := requests.Get().(*pooledRequest)
		for k, v := range c.Keys {
			p.keys[k] = v
		}
		p.req = request{env: e}
		p.keys[requestKey] = &p.req
		c.Keys = p.keys
		h := c.Writer.Header()
		v := []string{e.IDs.RequestID(), httpDate(e.Now())} // one allocation for both
		h["X-Okta-Request-Id"], h["Date"] = v[0:1:1], v[1:2:2]
		c.Next()
		c.Keys = nil
		clear(p.keys)
		p.req = request{}
		requests.Put(p)
	}
}

type pooledRequest struct {
	keys map[any]any
	req  request
}

var requests = sync.Pool{New: func() any { return &pooledRequest{keys: make(map[any]any, 4)} }}

// httpDate is the Date header for t, formatted once per second: every
// response carries one.
func httpDate(t time.Time) string {
	sec := t.Unix()
	if d := lastDate.Load(); d != nil && d.sec == sec {
		return d.text
	}
	d := &dateText{sec: sec, text: t.UTC().Format(http.TimeFormat)}
	lastDate.Store(d)
	return d.text
}

type dateText struct {
	sec  int64
	text string
}

var lastDate atomic.Pointer[dateText]

// EnvOf returns the Env of the org serving c.
func EnvOf(c *gin.Context) *Env {
	if r := lookup(c); r != nil && r.env != nil {
		return r.env
	}
	return &Env{IDs: fallbackIDs{}, Now: time.Now, Logger: slog.Default()}
}

type fallbackIDs struct{}

func (fallbackIDs) ErrorID() string   { return "oae0000000000000000000000" }
func (fallbackIDs) RequestID() string { return "req0000000000000000000000" }

// BaseURL is the org's base URL as the client addressed it: scheme and Host
// of the request (X-Forwarded-Proto and X-Forwarded-Host when a proxy set
// them), plus the org's path prefix. Every `_links` href starts with it.
func BaseURL(c *gin.Context) string {
	r := state(c)
	if r.base == "" {
		r.base = baseURL(c)
	}
	return r.base
}

// header is r's first value of key, a canonical name, looked up without
// Header.Get canonicalizing it again (the server's requests carry
// canonical names).
func header(r *http.Request, key string) string {
	if v := r.Header[key]; len(v) > 0 {
		return v[0]
	}
	return ""
}

func baseURL(c *gin.Context) string {
	r := c.Request
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	if p := header(r, "X-Forwarded-Proto"); p == "http" || p == "https" {
		scheme = p
	}
	host := r.Host
	if h := header(r, "X-Forwarded-Host"); h != "" {
		host = h
	}
	if host == "" {
		host = "localhost"
	}
	return scheme + "://" + host + EnvOf(c).Prefix
}
