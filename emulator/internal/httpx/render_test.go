package httpx

import (
	"io"
	"net/http"
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

// TestWriteJSONFraming: answers carry Content-Type and Content-Length, as
// gin's c.Data set them (net/http alone sends a body over its 2 KiB buffer
// chunked), and a status without a body sends none.
func TestWriteJSONFraming(t *testing.T) {
	gin.SetMode(gin.TestMode)
	r := gin.New()
	big := map[string]string{"filler": strings.Repeat("x", 10000)}
	r.GET("/big", func(c *gin.Context) { WriteJSON(c, http.StatusOK, big) })
	r.GET("/created", func(c *gin.Context) { WriteJSON(c, http.StatusCreated, map[string]int{"n": 1}) })
	r.GET("/none", func(c *gin.Context) { WriteJSON(c, http.StatusNoContent, map[string]int{"n": 1}) })
	srv := httptest.NewServer(r)
	defer srv.Close()
	tests := []struct {
		path   string
		status int
		body   string
	}{
		{"/big", http.StatusOK, `{"filler":"` + strings.Repeat("x", 10000) + `"}`},
		{"/created", http.StatusCreated, `{"n":1}`},
		{"/none", http.StatusNoContent, ""},
	}
	for _, tt := range tests {
		resp, err := http.Get(srv.URL + tt.path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tt.status || string(body) != tt.body {
			t.Errorf("%s: %d %q, want %d %q", tt.path, resp.StatusCode, body, tt.status, tt.body)
		}
		if tt.body != "" && (resp.ContentLength != int64(len(tt.body)) || len(resp.TransferEncoding) > 0) {
			t.Errorf("%s: Content-Length %d, Transfer-Encoding %v; want %d, none", tt.path, resp.ContentLength, resp.TransferEncoding, len(tt.body))
		}
		if ct := resp.Header.Get("Content-Type"); ct != JSONContentType {
			t.Errorf("%s: Content-Type %q", tt.path, ct)
		}
	}
}
