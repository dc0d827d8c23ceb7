package httpx

import (
	"math/rand/v2"
	"path"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/oktaemu/oktaemu/emulator/internal/okta"
)

// Fault is an injected failure or delay for the requests it matches, so
// users can test their retry paths.
type Fault struct {
	// Method matches the request method; empty matches any.
	Method string
	// Path is a path.Match pattern ("/api/v1/users/*") or, ending in "*",
	// a prefix ("/api/v1/authn*"); empty matches any path.
	Path string
	// Status and Code: the error to answer with. With Code alone the status
	// is the code's; with Status alone the code is E0000009.
	Status int
	Code   string
	// Probability in [0,1] that a matching request fails; 0 means 1.
	Probability float64
	// Latency delays matching requests (before any failure).
	Latency time.Duration
}

// Faults holds an org's fault rules and the seeded generator that decides
// probabilistic ones, so a run with the same seed fails the same requests.
type Faults struct {
	mu    sync.Mutex
	rules []Fault
	seed  uint64
	rng   *rand.Rand
	sleep func(time.Duration)
}

// NewFaults returns an empty fault set.
func NewFaults() *Faults { return &Faults{rng: rand.New(rand.NewPCG(0, 0)), sleep: time.Sleep} }

// Set replaces the rules and reseeds the generator.
func (f *Faults) Set(rules []Fault, seed uint64) error {
	for _, r := range rules {
		if r.Code != "" && !okta.Code(r.Code).Known() {
			return okta.Validation("faults", "code: unknown Okta error code "+r.Code)
		}
		if r.Probability < 0 || r.Probability > 1 {
			return okta.Validation("faults", "probability: must be between 0 and 1")
		}
		if r.Status != 0 && (r.Status < 400 || r.Status > 599) {
			return okta.Validation("faults", "status: must be a 4xx or 5xx status")
		}
		if r.Latency < 0 || r.Latency > time.Minute {
			return okta.Validation("faults", "latency: must be between 0 and 60s")
		}
		if r.Path != "" {
			if _, err := path.Match(strings.TrimSuffix(r.Path, "*"), "/"); err != nil {
				return okta.Validation("faults", "path: bad pattern "+r.Path)
			}
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.rules = append([]Fault(nil), rules...)
	f.seed = seed
	f.rng = rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	return nil
}

// Rules returns the rules and seed in force.
func (f *Faults) Rules() ([]Fault, uint64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Fault(nil), f.rules...), f.seed
}

func (r Fault) matches(method, p string) bool {
	if r.Method != "" && !strings.EqualFold(r.Method, method) {
		return false
	}
	switch {
	case r.Path == "":
		return true
	case strings.HasSuffix(r.Path, "*") && !strings.ContainsAny(strings.TrimSuffix(r.Path, "*"), "*?["):
		return strings.HasPrefix(p, strings.TrimSuffix(r.Path, "*"))
	default:
		ok, _ := path.Match(r.Path, p)
		return ok
	}
}

// pick returns the first matching rule's latency and the error to answer
// with, if the dice say so.
func (f *Faults) pick(method, p string) (time.Duration, *okta.Error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, r := range f.rules {
		if !r.matches(method, p) {
			continue
		}
		prob := r.Probability
		if prob == 0 {
			prob = 1
		}
		if r.Status == 0 && r.Code == "" {
			return r.Latency, nil
		}
		if f.rng.Float64() >= prob {
			return r.Latency, nil
		}
		code := okta.Code(r.Code)
		if code == "" {
			code = okta.E0000009
		}
		e := okta.Errorf(code)
		if code == okta.E0000001 || code == okta.E0000007 {
			e = &okta.Error{Code: code, Summary: strings.TrimSuffix(strings.SplitN(e.Summary, ":", 2)[0], ":")}
		}
		e.Status = r.Status
		return r.Latency, e
	}
	return 0, nil
}

// InjectFaults applies f to every request of an org.
func InjectFaults(f *Faults) gin.HandlerFunc {
	return func(c *gin.Context) {
		latency, err := f.pick(c.Request.Method, c.Request.URL.Path)
		if latency > 0 {
			f.sleep(latency)
		}
		if err != nil {
			WriteError(c, err)
			return
		}
		c.Next()
	}
}
