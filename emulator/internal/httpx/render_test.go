package httpx

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/oktaemu/oktaemu/emulator/internal/okta"
)

// Bind refuses what Okta refuses as not well-formed, including the inputs
// some fast JSON decoders let through.
func TestBindRefusesMalformedBodies(t *testing.T) {
	type body struct {
		N    int    `json:"n"`
		Name string `json:"name"`
	}
	for _, tc := range []struct{ name, body string }{
		{"int out of range", `{"n":-9223372036854775809}`},
		{"control character in a string", "{\"name\":\"a\x01b\"}"},
		{"trailing value", `{"n":1} {"n":2}`},
		{"trailing garbage", `{"n":1}x`},
		{"wrong type", `{"n":"1"}`},
		{"not JSON", `n=1`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, _ := gin.CreateTestContext(httptest.NewRecorder())
			c.Request = httptest.NewRequest("POST", "/", strings.NewReader(tc.body))
			c.Request.Header.Set("Content-Type", "application/json")
			var v body
			_, err := Bind(c, &v)
			if e, ok := okta.As(err); !ok || e.Code != okta.E0000003 {
				t.Errorf("Bind(%q) = %v, want E0000003", tc.body, err)
			}
		})
	}
	c, _ := gin.CreateTestContext(httptest.NewRecorder())
	c.Request = httptest.NewRequest("POST", "/", strings.NewReader("{\"name\":\"a\xffb\",\"n\":7}"))
	var v body
	if ok, err := Bind(c, &v); !ok || err != nil || v.Name != "a\uFFFDb" || v.N != 7 {
		t.Errorf("invalid UTF-8: %v %v %+v, want it replaced by U+FFFD", ok, err, v)
	}
}
