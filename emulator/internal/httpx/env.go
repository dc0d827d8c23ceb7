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

const envKey = "oktaemu.env"

// WithEnv installs e for the requests of an org and stamps every response
// with X-Okta-Request-Id and Date (from the org's clock, so recordings are
// reproducible).
func WithEnv(e *Env) gin.HandlerFunc {
	return func(c *gin.Context) {
		// The request's keys (this Env, the base URL, the error code, the
		// token's trust) go into a recycled map: gin makes a new one for
		// every request, and every request sets some. Nothing reads them
		// once the handlers have returned.
		keys := keyMaps.Get().(map[any]any)
		for k, v := range c.Keys {
			keys[k] = v
		}
		keys[envKey] = e
		c.Keys = keys
		h := c.Writer.Header()
		v := []string{e.IDs.RequestID(), httpDate(e.Now())} // one allocation for both
		h["X-Okta-Request-Id"], h["Date"] = v[0:1:1], v[1:2:2]
		c.Next()
		c.Keys = nil
		clear(keys)
		keyMaps.Put(keys)
	}
}

var keyMaps = sync.Pool{New: func() any { return make(map[any]any, 4) }}

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
	if v, ok := c.Get(envKey); ok {
		return v.(*Env)
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
	if v, ok := c.Get(baseKey); ok {
		return v.(string)
	}
	base := baseURL(c)
	c.Set(baseKey, base)
	return base
}

// baseKey caches a request's base URL: an answer's links all start with it.
const baseKey = "oktaemu.base"

func baseURL(c *gin.Context) string {
	r := c.Request
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	if p := r.Header.Get("X-Forwarded-Proto"); p == "http" || p == "https" {
		scheme = p
	}
	host := r.Host
	if h := r.Header.Get("X-Forwarded-Host"); h != "" {
		host = h
	}
	if host == "" {
		host = "localhost"
	}
	return scheme + "://" + host + EnvOf(c).Prefix
}
