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

// TestImage checks the image the helper builds from the Dockerfile: one
// layer (the static binary), at most 20 MB, a HEALTHCHECK through
// `oktaemu health`, not root.
func TestImage(t *testing.T) {
	if os.Getenv(container.EnvURL) != "" {
		t.Skipf("%s points at a running emulator: no image", container.EnvURL)
	}
	e := container.Start(t, container.Options{})
	pool, err := dockertest.NewPool("")
	if err != nil {
		t.Fatal(err)
	}
	img, err := pool.Client.InspectImage(e.Image)
	if err != nil {
		t.Fatal(err)
	}
	const maxSize = 20 << 20
	t.Logf("image %s: %d bytes (%.1f MB), %d layer(s)", e.Image, img.Size, float64(img.Size)/(1<<20), len(img.RootFS.Layers))
	if img.Size > maxSize {
		t.Errorf("image is %d bytes, want at most %d", img.Size, maxSize)
	}
	if len(img.RootFS.Layers) != 1 {
		t.Errorf("image has %d layers, want 1 (the binary)", len(img.RootFS.Layers))
	}
	var health []string
	if img.Config != nil && img.Config.Healthcheck != nil {
		health = img.Config.Healthcheck.Test
	}
	if diff := cmp.Diff([]string{"CMD", "/oktaemu", "health"}, health); diff != "" {
		t.Errorf("HEALTHCHECK (-want +got):\n%s", diff)
	}
	if img.Config == nil || img.Config.User != "65532:65532" {
		t.Errorf("image user %q, want 65532:65532", img.Config.User)
	}
}

// TestStateInContainer: a container stopped with `docker stop` (SIGTERM)
// saves its orgs to the mounted state file, and a new container started on
// the same file serves them.
func TestStateInContainer(t *testing.T) {
	if os.Getenv(container.EnvURL) != "" {
		t.Skipf("%s points at a running emulator: no container to restart", container.EnvURL)
	}
	state := filepath.Join(t.TempDir(), "orgs.json")
	first := container.Start(t, container.Options{Engine: emulator.Identity, StateFile: state})
	profile := map[string]string{"firstName": "Sam", "lastName": "Stone", "email": "sam@example.com", "login": "sam@example.com"}
	var created user
	if st := do(t, first, http.MethodPost, "/api/v1/users?activate=false", map[string]any{"profile": profile}, &created); st != http.StatusOK {
		t.Fatalf("create user: %d", st)
	}
	if err := first.Stop(); err != nil {
		t.Fatalf("docker stop: %v", err)
	}
	if fi, err := os.Stat(state); err != nil || fi.Size() == 0 {
		t.Fatalf("state file after docker stop: %v", err)
	}
	second := container.Start(t, container.Options{StateFile: state})
	var got user
	if st := do(t, second, http.MethodGet, "/api/v1/users/sam@example.com", nil, &got); st != http.StatusOK || got.ID != created.ID {
		t.Errorf("user after restart: %d %+v, want %s", st, got, created.ID)
	}
	var meta struct{ Pipeline string }
	if do(t, second, http.MethodGet, "/.well-known/okta-organization", nil, &meta); meta.Pipeline != "idx" {
		t.Errorf("pipeline %q after restart, want the saved org's idx", meta.Pipeline)
	}
}
