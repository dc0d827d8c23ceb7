package httpx

import (
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/oktaemu/oktaemu/emulator/internal/okta"
)

// RateLimits are per-minute request budgets by path prefix, the way Okta
// buckets its org-wide limits (longest prefix wins). A zero or missing
// Default means no limit beyond the headers.
type RateLimits struct {
	Default  int
	ByPrefix map[string]int
}

// DefaultRateLimits are of the order of a developer org's limits.
var DefaultRateLimits = RateLimits{
	Default: 1200,
	ByPrefix: map[string]int{
		"/api/v1/authn":    600,
		"/api/v1/users":    600,
		"/api/v1/groups":   500,
		"/api/v1/sessions": 750,
		"/api/v1/policies": 600,
	},
}

// Limiter counts requests per bucket in fixed one-minute windows of the
// org's clock.
type Limiter struct {
	mu      sync.Mutex
	limits  RateLimits
	now     func() time.Time
	buckets map[string]*window
}

type window struct {
	start time.Time
	count int
}

// NewLimiter returns a limiter over limits and clock now.
func NewLimiter(limits RateLimits, now func() time.Time) *Limiter {
	return &Limiter{limits: limits, now: now, buckets: map[string]*window{}}
}

// SetLimits replaces the limits (control plane).
func (l *Limiter) SetLimits(limits RateLimits) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.limits = limits
	l.buckets = map[string]*window{}
}

// Limits returns the limits in force.
func (l *Limiter) Limits() RateLimits {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.limits
}

func (l *Limiter) bucket(path string) (string, int) {
	best, limit := "", l.limits.Default
	for p, n := range l.limits.ByPrefix {
		if strings.HasPrefix(path, p) && len(p) > len(best) {
			best, limit = p, n
		}
	}
	return best, limit
}

// Take counts one request on path's bucket and returns the header values
// and whether the request is within the limit.
func (l *Limiter) Take(path string) (limit, remaining int, reset time.Time, ok bool) {
	return l.TakeKey(path, "")
}

// TakeKey is Take with an extra key: the same bucket counted apart per key
// (authn's per-username limit).
func (l *Limiter) TakeKey(path, key string) (limit, remaining int, reset time.Time, ok bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	name, limit := l.bucket(path)
	if limit <= 0 {
		return 0, 0, time.Time{}, true
	}
	now := l.now()
	w := l.buckets[name+"\x00"+key]
	if w == nil || now.Sub(w.start) >= time.Minute || now.Before(w.start) {
		w = &window{start: now.Truncate(time.Minute)}
		l.buckets[name+"\x00"+key] = w
	}
	reset = w.start.Add(time.Minute)
	if w.count >= limit {
		return limit, 0, reset, false
	}
	w.count++
	return limit, limit - w.count, reset, true
}

// RateLimit sets X-Rate-Limit-Limit, -Remaining and -Reset on every
// response and answers 429 E0000047 past the limit (errors.md §5).
func RateLimit(l *Limiter) gin.HandlerFunc {
	return func(c *gin.Context) {
		limit, remaining, reset, ok := l.Take(c.Request.URL.Path)
		if limit > 0 {
			WriteRateHeaders(c, limit, remaining, reset)
		}
		if !ok {
			WriteError(c, okta.Errorf(okta.E0000047))
			return
		}
		c.Next()
	}
}

// WriteRateHeaders sets the three rate-limit headers.
func WriteRateHeaders(c *gin.Context, limit, remaining int, reset time.Time) {
	h := c.Writer.Header()
	v := []string{strconv.Itoa(limit), strconv.Itoa(remaining), strconv.FormatInt(reset.Unix(), 10)}
	h["X-Rate-Limit-Limit"], h["X-Rate-Limit-Remaining"], h["X-Rate-Limit-Reset"] = v[0:1:1], v[1:2:2], v[2:3:3]
}
