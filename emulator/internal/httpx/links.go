package httpx

import (
	"slices"

	"github.com/gin-gonic/gin"
)

// Hints is a link's hints object; Allow lists the methods valid for the
// resource in its current state.
type Hints struct {
	Allow []string `json:"allow"`
	json  []byte   // AppendHints's answer, for hints made by Allow
}

// Link is a HAL link object.
type Link struct {
	Name  string `json:"name,omitempty"`
	Href  string `json:"href"`
	Type  string `json:"type,omitempty"`
	Hints *Hints `json:"hints,omitempty"`
}

// Links is a `_links` object; values are Link or []Link.
type Links map[string]any

// Href makes path absolute on the org's base URL.
func Href(c *gin.Context, path string) string { return BaseURL(c) + path }

// NewLink is a link to path allowing methods (no hints when none given).
func NewLink(c *gin.Context, path string, methods ...string) Link {
	l := Link{Href: Href(c, path)}
	if len(methods) > 0 {
		l.Hints = hintsFor(methods)
	}
	return l
}

// commonHints are shared, read-only hints for the usual method sets, so
// building a link allocates no hints.
var commonHints = []*Hints{
	newHints([]string{"GET"}), newHints([]string{"POST"}), newHints([]string{"DELETE"}), newHints([]string{"PUT"}),
	newHints([]string{"GET", "DELETE"}), newHints([]string{"GET", "PUT"}), newHints([]string{"GET", "PUT", "DELETE"}),
}

// Allow returns the hints allowing methods, shared and read-only for the
// usual method sets.
func Allow(methods ...string) *Hints { return hintsFor(methods) }

func hintsFor(methods []string) *Hints {
	for _, h := range commonHints {
		if len(h.Allow) == len(methods) && h.Allow[0] == methods[0] && slices.Equal(h.Allow, methods) {
			return h
		}
	}
	return newHints(slices.Clone(methods))
}

func newHints(methods []string) *Hints {
	h := &Hints{Allow: methods}
	h.json = appendHints(nil, h)
	return h
}
