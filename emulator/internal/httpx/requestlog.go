package httpx

import (
	"io"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
)

// LoggedRequest is one request an org served, as the console lists it: no
// headers, and query values of secret parameters masked. Body is kept
// server-side only (for replaying the request on the other engine) and is
// never rendered.
type LoggedRequest struct {
	ID        int       `json:"id"`
	Time      time.Time `json:"time"`
	Method    string    `json:"method"`
	Path      string    `json:"path"`
	Query     string    `json:"query,omitempty"`
	Status    int       `json:"status"`
	ErrorCode string    `json:"errorCode,omitempty"`
	Body      []byte    `json:"-"`
	// ContentType is the request's Content-Type, for replays.
	ContentType string `json:"-"`
}

// RequestLog keeps the last Size requests of an org.
type RequestLog struct {
	mu   sync.Mutex
	size int
	next int
	ring []LoggedRequest
}

// RequestLogSize is how many requests a RequestLog keeps.
const RequestLogSize = 200

// maxLoggedBody bounds the body kept per request.
const maxLoggedBody = 64 << 10

// NewRequestLog returns an empty log of RequestLogSize entries.
func NewRequestLog() *RequestLog { return &RequestLog{size: RequestLogSize} }

// secretParams are query parameters whose values never reach the log.
var secretParams = map[string]bool{"token": true, "sessiontoken": true, "statetoken": true, "code": true,
	"code_verifier": true, "password": true, "client_secret": true, "interaction_code": true}

func maskQuery(raw string) string {
	if raw == "" {
		return ""
	}
	q, err := url.ParseQuery(raw)
	if err != nil {
		return "(unparsable query)"
	}
	for k := range q {
		if secretParams[strings.ToLower(k)] {
			q[k] = []string{"****"}
		}
	}
	return q.Encode()
}

// LogRequests records every request of the org in l, with the org's clock.
func LogRequests(l *RequestLog) gin.HandlerFunc {
	return func(c *gin.Context) {
		var body *keptBody
		if r := c.Request; r.Body != nil && r.ContentLength != 0 && r.Method != "GET" {
			body = &keptBody{ReadCloser: r.Body}
			if r.ContentLength > 0 {
				body.kept = make([]byte, 0, min(r.ContentLength, maxLoggedBody))
			}
			r.Body = body
		}
		c.Next()
		e := LoggedRequest{Time: EnvOf(c).Now(), Method: c.Request.Method, Path: c.Request.URL.Path,
			Query: maskQuery(c.Request.URL.RawQuery), Status: c.Writer.Status(),
			ContentType: header(c.Request, "Content-Type")}
		if r := lookup(c); r != nil {
			e.ErrorCode = r.errorCode
		}
		if body != nil {
			e.Body = body.kept
		}
		l.add(e)
	}
}

// keptBody is a request body that keeps what the handlers read of it, up
// to maxLoggedBody bytes, for the log.
type keptBody struct {
	io.ReadCloser
	kept []byte
}

func (b *keptBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if room := maxLoggedBody - len(b.kept); room > 0 && n > 0 {
		b.kept = append(b.kept, p[:min(n, room)]...)
	}
	return n, err
}

func (l *RequestLog) add(e LoggedRequest) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.next++
	e.ID = l.next
	if len(l.ring) < l.size {
		l.ring = append(l.ring, e)
		return
	}
	l.ring[(l.next-1)%l.size] = e
}

// Recent returns the logged requests, newest first.
func (l *RequestLog) Recent() []LoggedRequest {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]LoggedRequest, 0, len(l.ring))
	for i := l.next; i > l.next-len(l.ring); i-- {
		out = append(out, l.ring[(i-1)%l.size])
	}
	return out
}

// Get returns logged request id, if it is still kept.
func (l *RequestLog) Get(id int) (LoggedRequest, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if id <= 0 || id > l.next || id <= l.next-len(l.ring) {
		return LoggedRequest{}, false
	}
	return l.ring[(id-1)%l.size], true
}
