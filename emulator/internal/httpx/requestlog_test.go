package httpx

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/oktaemu/oktaemu/emulator/internal/okta"
)

type fixedIDs struct{}

func (fixedIDs) ErrorID() string   { return "oaeTEST" }
func (fixedIDs) RequestID() string { return "reqTEST" }

func TestRequestLog(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	l := NewRequestLog()
	r := gin.New()
	r.Use(WithEnv(&Env{IDs: fixedIDs{}, Now: func() time.Time { return now }}), LogRequests(l))
	r.POST("/api/v1/authn", func(c *gin.Context) {
		b, _ := ReadBody(c)
		if !strings.Contains(string(b), "secret") {
			t.Errorf("handler saw body %q", b)
		}
		WriteError(c, okta.Errorf(okta.E0000004))
	})
	r.GET("/ok", func(c *gin.Context) { c.Status(204) })

	send := func(method, target, body string) {
		req := httptest.NewRequest(method, target, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		r.ServeHTTP(httptest.NewRecorder(), req)
	}
	send("POST", "/api/v1/authn", `{"username":"a","password":"secret"}`)
	send("GET", "/ok?token=abc&limit=2", "")

	got := l.Recent()
	want := []LoggedRequest{
		{ID: 2, Time: now, Method: "GET", Path: "/ok", Query: "limit=2&token=%2A%2A%2A%2A", Status: 204, ContentType: "application/json"},
		{ID: 1, Time: now, Method: "POST", Path: "/api/v1/authn", Status: http.StatusUnauthorized, ErrorCode: "E0000004",
			Body: []byte(`{"username":"a","password":"secret"}`), ContentType: "application/json"},
	}
	if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if e, ok := l.Get(1); !ok || e.ErrorCode != "E0000004" {
		t.Errorf("Get(1) = %+v, %v", e, ok)
	}

	// The ring keeps the last RequestLogSize requests.
	for i := range RequestLogSize + 5 {
		send("GET", "/ok?n="+strconv.Itoa(i), "")
	}
	got = l.Recent()
	if len(got) != RequestLogSize || got[0].ID != RequestLogSize+7 || got[len(got)-1].ID != 8 {
		t.Errorf("ring: %d entries, newest %d, oldest %d", len(got), got[0].ID, got[len(got)-1].ID)
	}
	if _, ok := l.Get(7); ok {
		t.Error("Get(7) found an evicted entry")
	}
}
