package scenarios

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/oktaemu/oktaemu/emulator/emulatortest"
)

func getJSON(t *testing.T, url, token string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	req.Header.Set("Accept", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "SSWS "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	var m map[string]any
	_ = json.Unmarshal(data, &m)
	return resp.StatusCode, m
}

func TestRecorderOrgPrefixAndControl(t *testing.T) {
	up := emulatortest.NewServer(t, emulatortest.AllowUnspecifiedRoutes())
	rec, err := NewRecorder(up.URL + "/_org/default/")
	if err != nil {
		t.Fatal(err)
	}
	proxy := httptest.NewServer(rec)
	defer proxy.Close()

	st, user := getJSON(t, proxy.URL+"/api/v1/users/bob@example.com", up.Token)
	if st != 200 {
		t.Fatalf("GET through the proxy: %d %v", st, user)
	}
	// Links name the proxy, without the upstream's org prefix.
	if href, _ := lookupString(user, "_links", "self", "href"); href != proxy.URL+"/api/v1/users/00ubob00000000000000" {
		t.Errorf("self link %q", href)
	}
	// Not an Okta call: proxied, not recorded.
	if st, _ := getJSON(t, proxy.URL+"/favicon.ico", ""); st == 0 {
		t.Errorf("favicon not proxied")
	}
	st, status := getJSON(t, proxy.URL+"/_record/status", "")
	if st != 200 || status["pending"] != 1.0 {
		t.Errorf("status = %d %v, want 1 pending", st, status)
	}
	if st, _ := getJSON(t, proxy.URL+"/_record/nope", ""); st != 404 {
		t.Errorf("unknown recorder endpoint: %d", st)
	}
	sc := rec.Take("bob")
	if sc == nil || len(sc.Exchanges) != 1 {
		t.Fatalf("took %+v", sc)
	}
	x := sc.Exchanges[0]
	got := map[string]any{"path": x.Request.Path, "auth": x.Request.Headers["Authorization"], "status": x.Response.Status,
		"id": x.Response.Body.(map[string]any)["id"], "origin": sc.Source.Origin}
	want := map[string]any{"path": "/api/v1/users/bob@example.com", "auth": "SSWS <apiToken:1>", "status": 200,
		"id": "00ubob00000000000000", "origin": up.URL + "/_org/default"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("recorded (-want +got):\n%s", diff)
	}
	if rec.Take("again") != nil {
		t.Errorf("a second take returned the same exchanges")
	}
}

func TestRecorderUpstreamDown(t *testing.T) {
	dead := httptest.NewServer(http.NotFoundHandler())
	url := dead.URL
	dead.Close()
	rec, err := NewRecorder(url)
	if err != nil {
		t.Fatal(err)
	}
	proxy := httptest.NewServer(rec)
	defer proxy.Close()
	if st, _ := getJSON(t, proxy.URL+"/api/v1/users", "x"); st != http.StatusBadGateway {
		t.Errorf("status %d, want 502", st)
	}
	if rec.Pending() != 0 {
		t.Errorf("a failed proxy call was recorded")
	}
	for _, bad := range []string{"", "ftp://x", "acme.okta.com"} {
		if _, err := NewRecorder(bad); err == nil || !strings.Contains(err.Error(), "upstream") {
			t.Errorf("NewRecorder(%q) = %v", bad, err)
		}
	}
}
