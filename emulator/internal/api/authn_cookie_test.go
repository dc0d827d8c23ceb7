package api

import (
	"net/http"
	"testing"
)

func TestDeviceCookieHeader(t *testing.T) {
	for _, secure := range []bool{false, true} {
		want := (&http.Cookie{Name: DeviceCookie, Value: "aB3dE5gH7jK9mN1pQ3sT5vW7yZ9bC1dF", Path: "/", HttpOnly: true,
			SameSite: http.SameSiteNoneMode, Secure: secure}).String()
		if got := deviceCookieHeader("aB3dE5gH7jK9mN1pQ3sT5vW7yZ9bC1dF", secure); got != want {
			t.Errorf("secure %v: %q, want %q (http.Cookie)", secure, got, want)
		}
	}
}
