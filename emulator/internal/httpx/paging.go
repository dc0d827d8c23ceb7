package httpx

import (
	"net/url"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/oktaemu/oktaemu/emulator/internal/okta"
)

// Page is the paging request of a list call.
type Page struct {
	Limit int
	After string
}

// ParsePage reads `limit` and `after`. limit defaults to def and is capped
// at max; a non-numeric or negative limit is 400 E0000029 "Invalid paging
// request." (suggested).
func ParsePage(c *gin.Context, def, max int) (Page, error) {
	p := Page{Limit: def, After: c.Query("after")}
	if s := c.Query("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 {
			return p, okta.Errorf(okta.E0000029)
		}
		if n == 0 {
			n = def
		}
		p.Limit = min(n, max)
	}
	return p, nil
}

// SetPageLinks writes Okta's pagination headers: a `self` Link for this
// page and, when more follow, a `next` Link whose `after` is the last id of
// this page.
func SetPageLinks(c *gin.Context, more bool, lastID string) {
	u := *c.Request.URL
	self := Href(c, u.Path)
	if u.RawQuery != "" {
		self += "?" + u.RawQuery
	}
	c.Writer.Header().Add("Link", "<"+self+`>; rel="self"`)
	if more && lastID != "" {
		q := u.Query()
		q.Set("after", lastID)
		c.Writer.Header().Add("Link", "<"+Href(c, u.Path)+"?"+encodeQuery(q)+`>; rel="next"`)
	}
}

func encodeQuery(q url.Values) string { return q.Encode() }
