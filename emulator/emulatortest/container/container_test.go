package container_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/ory/dockertest/v3"

	"github.com/oktaemu/oktaemu/emulator"
	"github.com/oktaemu/oktaemu/emulator/emulatortest"
	"github.com/oktaemu/oktaemu/emulator/emulatortest/container"
)

// do sends one JSON request with the SSWS token and decodes the answer.
func do(t *testing.T, e *container.Emulator, method, path string, body, out any) int {
	t.Helper()
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, e.URL+path, r)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "SSWS "+e.Token)
	resp, err := e.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			t.Fatalf("%s %s: %v in %s", method, path, err, data)
		}
	}
	return resp.StatusCode
}

type user struct {
	ID      string            `json:"id"`
	Status  string            `json:"status"`
	Profile map[string]string `json:"profile"`
}

func TestUsersAPIInContainer(t *testing.T) {
	for _, eng := range emulator.Engines() {
		t.Run("engine="+string(eng), func(t *testing.T) {
			t.Parallel()
			e := container.Start(t, container.Options{Engine: eng})
			if !strings.HasPrefix(e.URL, "http://127.0.0.1:") {
				t.Errorf("URL %q: want a port published on 127.0.0.1", e.URL)
			}

			profile := map[string]string{"firstName": "Dana", "lastName": "Dunn", "email": "dana@example.com", "login": "dana@example.com"}
			var created user
			st := do(t, e, http.MethodPost, "/api/v1/users?activate=true", map[string]any{
				"profile":     profile,
				"credentials": map[string]any{"password": map[string]string{"value": "Pa55word!Emu"}},
			}, &created)
			if st != http.StatusOK || created.ID == "" {
				t.Fatalf("POST /api/v1/users: status %d, user %+v", st, created)
			}
			for _, key := range []string{created.ID, "dana@example.com"} {
				var got user
				if st := do(t, e, http.MethodGet, "/api/v1/users/"+key, nil, &got); st != http.StatusOK {
					t.Fatalf("GET /api/v1/users/%s: status %d", key, st)
				}
				want := user{ID: created.ID, Status: "ACTIVE", Profile: profile}
				for k := range got.Profile {
					if _, ok := profile[k]; !ok {
						delete(got.Profile, k) // nulls of the base schema
					}
				}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("GET /api/v1/users/%s (-want +got):\n%s", key, diff)
				}
			}

			var meta struct{ Pipeline string }
			do(t, e, http.MethodGet, "/.well-known/okta-organization", nil, &meta)
			want := map[emulator.Engine]string{emulator.Classic: "v1", emulator.Identity: "idx"}[eng]
			if meta.Pipeline != want {
				t.Errorf("pipeline %q, want %q: the container ignored the engine", meta.Pipeline, want)
			}
		})
	}
}

func TestFixtureFileInContainer(t *testing.T) {
	src, err := os.ReadFile(filepath.Join("..", "..", "..", "fixtures", "identity-default.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	src = bytes.Replace(src, []byte("name: identity-default"), []byte("name: mounted"), 1)
	path := filepath.Join(t.TempDir(), "mounted.yaml")
	if err := os.WriteFile(path, src, 0o644); err != nil {
		t.Fatal(err)
	}
	e := container.Start(t, container.Options{Fixture: path, APIToken: "00mounted-token"})
	if e.Token != "00mounted-token" {
		t.Errorf("Token = %q, want Options.APIToken", e.Token)
	}
	var users []user
	if st := do(t, e, http.MethodGet, "/api/v1/users", nil, &users); st != http.StatusOK || len(users) != 4 {
		t.Fatalf("GET /api/v1/users: status %d, %d users; want 200 and the fixture's 4", st, len(users))
	}
	var meta struct{ Pipeline string }
	if do(t, e, http.MethodGet, "/.well-known/okta-organization", nil, &meta); meta.Pipeline != "idx" {
		t.Errorf("pipeline %q, want idx from the mounted identity fixture", meta.Pipeline)
	}
}

// TestExternalURL points Start at a running emulator: no Docker involved.
func TestExternalURL(t *testing.T) {
	s := emulatortest.NewServer(t)
	t.Setenv(container.EnvURL, s.URL+"/")
	t.Setenv(container.EnvToken, s.Token)
	e := container.Start(t, container.Options{})
	got := []string{e.URL, e.Token, e.Image}
	if diff := cmp.Diff([]string{s.URL, s.Token, ""}, got); diff != "" {
		t.Errorf("URL, Token, Image (-want +got):\n%s", diff)
	}
	var users []user
	if st := do(t, e, http.MethodGet, "/api/v1/users", nil, &users); st != http.StatusOK || len(users) == 0 {
		t.Errorf("GET /api/v1/users: status %d, %d users", st, len(users))
	}
	e.Close() // a no-op for an external instance

	t.Setenv(container.EnvToken, "")
	if e := container.Start(t, container.Options{Engine: emulator.Classic}); e.Token != "00oktaemu-classic-default-api-token" {
		t.Errorf("Token without %s = %q, want the default fixture's", container.EnvToken, e.Token)
	}
}

// BenchmarkContainerStart measures container start to healthy, with the
// image already built, and reports the image size.
func BenchmarkContainerStart(b *testing.B) {
	first := container.Start(b, container.Options{}) // builds the image once
	first.Close()
	if first.Image == "" {
		b.Skipf("%s points at a running emulator: nothing to start", container.EnvURL)
	}
	pool, err := dockertest.NewPool("")
	if err != nil {
		b.Fatal(err)
	}
	img, err := pool.Client.InspectImage(first.Image)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		e := container.Start(b, container.Options{Image: first.Image})
		b.StopTimer()
		e.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(img.Size)/(1<<20), "image-MB")
}
