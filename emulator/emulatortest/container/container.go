package container

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ory/dockertest/v3"
	dc "github.com/ory/dockertest/v3/docker"

	"github.com/oktaemu/oktaemu/emulator"
	"github.com/oktaemu/oktaemu/fixtures"
)

// Environment variables read by Start.
const (
	// EnvURL points Start at an already running emulator (no Docker).
	EnvURL = "OKTAEMU_URL"
	// EnvToken is the SSWS token of the instance at EnvURL.
	EnvToken = "OKTAEMU_TOKEN"
	// EnvImage names a prebuilt image to run instead of building one.
	EnvImage = "OKTAEMU_IMAGE"
	// EnvRequireDocker, when "1", turns "Docker unavailable" from a skip
	// into a failure (for CI, where the container tests must run).
	EnvRequireDocker = "OKTAEMU_REQUIRE_DOCKER"
)

// DefaultAPIToken is the extra SSWS token (--api-token) every container
// started by Start accepts, unless Options.APIToken says otherwise.
const DefaultAPIToken = "00oktaemu-container-api-token"

// module is the import path whose Dockerfile and cmd/oktaemu are built.
const module = "github.com/oktaemu/oktaemu"

// containerPort is the port the image listens on (its EXPOSE).
const containerPort = "8080/tcp"

// Options configure the container. The zero value runs the Classic default
// fixture from an image built from this repository.
type Options struct {
	// Engine is the default org's engine (OKTAEMU_ENGINE); empty means the
	// fixture's, or Classic.
	Engine emulator.Engine
	// Fixture is an embedded fixture name, or a path on the host to a YAML
	// fixture, which is mounted read-only into the container
	// (OKTAEMU_FIXTURE).
	Fixture string
	// APIToken is an extra SSWS token the org accepts (OKTAEMU_API_TOKEN);
	// DefaultAPIToken when empty. Emulator.Token returns it.
	APIToken string
	// Env is extra container environment, "KEY=value" (for example
	// "OKTAEMU_LOG_LEVEL=debug").
	Env []string
	// Image is a prebuilt image ("oktaemu:dev"); empty means $OKTAEMU_IMAGE,
	// else build from the repository's Dockerfile.
	Image string
	// MaxWait bounds the wait for the container to answer health probes;
	// one minute when zero.
	MaxWait time.Duration
	// Expire is the safety net: the container is stopped (and, being
	// auto-removed, deleted) after this long even if the test process dies
	// before its cleanup; ten minutes when zero.
	Expire time.Duration
	// StateFile is a file on the host that keeps the orgs across
	// containers (OKTAEMU_STATE): its directory is mounted read-write and
	// the container runs as the calling user so it can write there. The
	// state is saved when the container stops gracefully (Stop).
	StateFile string
}

// Emulator is a running emulator reached over the network.
type Emulator struct {
	// URL is the base URL of the default org, http://127.0.0.1:port.
	URL string
	// Token is an SSWS token the default org accepts.
	Token string
	// Image is the image the container runs; empty for an instance given
	// by OKTAEMU_URL.
	Image string
	// Resource is the dockertest container; nil for OKTAEMU_URL.
	Resource *dockertest.Resource

	pool      *dockertest.Pool
	closeOnce sync.Once
}

// Client returns an HTTP client for the emulator.
func (e *Emulator) Client() *http.Client { return &http.Client{Timeout: 30 * time.Second} }

// Stop stops the container gracefully, as `docker stop` does with the
// image's own stop signal: SIGTERM, in-flight requests finish, the state is
// saved (Options.StateFile), then the container exits and is removed. A
// no-op for OKTAEMU_URL.
func (e *Emulator) Stop() error {
	if e.Resource == nil {
		return nil
	}
	// Not StopContainer: dockertest sets the container's stop signal to
	// SIGWINCH (see Expire), which oktaemu ignores.
	if err := e.pool.Client.KillContainer(dc.KillContainerOptions{ID: e.Resource.Container.ID, Signal: dc.SIGTERM}); err != nil {
		return err
	}
	code, err := e.pool.Client.WaitContainer(e.Resource.Container.ID)
	if err != nil {
		var nf *dc.NoSuchContainer
		if errors.As(err, &nf) {
			return nil // already auto-removed after a clean exit
		}
		return err
	}
	if code != 0 {
		return fmt.Errorf("container exited with status %d; logs:\n%s", code, logs(e.pool, e.Resource))
	}
	return nil
}

// Close stops and removes the container now; t.Cleanup also does. It is a
// no-op for an instance given by OKTAEMU_URL.
func (e *Emulator) Close() {
	e.closeOnce.Do(func() {
		if e.Resource != nil {
			// The container may already be gone (auto-removed after Expire).
			_ = e.pool.Purge(e.Resource)
		}
	})
}

// Start runs an emulator for the length of the test and waits until it
// answers. See the package documentation for where it comes from.
func Start(t testing.TB, opts Options) *Emulator {
	t.Helper()
	if url := os.Getenv(EnvURL); url != "" {
		return external(t, url, opts)
	}
	pool, err := dockertest.NewPool("")
	if err == nil {
		err = pool.Client.Ping()
	}
	if err != nil {
		msg := fmt.Sprintf("container: Docker engine not reachable (%v); set %s to use a running emulator", err, EnvURL)
		if os.Getenv(EnvRequireDocker) == "1" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	pool.MaxWait = opts.MaxWait
	if pool.MaxWait == 0 {
		pool.MaxWait = time.Minute
	}
	e, err := run(pool, opts)
	if err != nil {
		t.Fatalf("container: %v", err)
	}
	t.Cleanup(e.Close)
	if err := waitHealthy(e.URL, pool.MaxWait); err != nil {
		t.Fatalf("container: %s never answered %s: %v\nlogs:\n%s", e.Image, e.URL, err, logs(pool, e.Resource))
	}
	return e
}

// waitHealthy probes url every 20 ms until it answers or maxWait passes.
// (dockertest's Retry backs off exponentially, which alone costs about a
// second of a start that takes a few hundred milliseconds.)
func waitHealthy(url string, maxWait time.Duration) error {
	deadline := time.Now().Add(maxWait)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		err := probe(url)
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return err
		}
		<-tick.C
	}
}

// external returns the running emulator at url, after one probe.
func external(t testing.TB, url string, opts Options) *Emulator {
	t.Helper()
	url = strings.TrimRight(url, "/")
	token := os.Getenv(EnvToken)
	if token == "" {
		// The token of the fixture that instance most likely serves.
		name := opts.Fixture
		if name == "" {
			e := opts.Engine
			if e == "" {
				e = emulator.Classic
			}
			name = fixtures.Default(string(e))
		}
		if fx, err := fixtures.Load(name); err == nil && len(fx.APITokens) > 0 {
			token = fx.APITokens[0].Token
		}
	}
	if err := probe(url); err != nil {
		t.Fatalf("container: %s=%s does not answer: %v", EnvURL, url, err)
	}
	return &Emulator{URL: url, Token: token}
}

// probe is the health check: the anonymous org metadata answers 200.
func probe(url string) error {
	c := http.Client{Timeout: 2 * time.Second}
	resp, err := c.Get(url + "/.well-known/okta-organization")
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	var meta struct{ ID string }
	if err := json.NewDecoder(resp.Body).Decode(&meta); err != nil || resp.StatusCode != http.StatusOK || meta.ID == "" {
		return fmt.Errorf("GET /.well-known/okta-organization: %s", resp.Status)
	}
	return nil
}

// seq numbers containers within the process, for unique names.
var seq atomic.Int64

// built is the image this process built from the Dockerfile, reused by
// every later Start.
var built struct {
	sync.Mutex
	image string
}

// builtRepo is the name the built image keeps after the first build.
const builtRepo = "oktaemu-dockertest"

func run(pool *dockertest.Pool, opts Options) (*Emulator, error) {
	token := opts.APIToken
	if token == "" {
		token = DefaultAPIToken
	}
	ro := &dockertest.RunOptions{
		Name:         fmt.Sprintf("oktaemu-%d-%d", os.Getpid(), seq.Add(1)),
		Env:          append([]string{"OKTAEMU_API_TOKEN=" + token}, opts.Env...),
		ExposedPorts: []string{containerPort},
		PortBindings: map[dc.Port][]dc.PortBinding{containerPort: {{HostIP: "127.0.0.1", HostPort: ""}}},
		Labels:       map[string]string{"org.oktaemu.dockertest": "true"},
	}
	if opts.Engine != "" {
		ro.Env = append(ro.Env, "OKTAEMU_ENGINE="+string(opts.Engine))
	}
	if opts.StateFile != "" {
		abs, err := filepath.Abs(opts.StateFile)
		if err != nil {
			return nil, err
		}
		ro.Mounts = append(ro.Mounts, filepath.Dir(abs)+":/state")
		ro.Env = append(ro.Env, "OKTAEMU_STATE=/state/"+filepath.Base(abs))
		ro.User = fmt.Sprintf("%d:%d", os.Getuid(), os.Getgid())
	}
	if f := opts.Fixture; f != "" {
		if strings.ContainsRune(f, os.PathSeparator) || strings.HasSuffix(f, ".yaml") || strings.HasSuffix(f, ".yml") {
			abs, err := filepath.Abs(f)
			if err != nil {
				return nil, err
			}
			f = "/fixtures/" + filepath.Base(abs)
			ro.Mounts = append(ro.Mounts, abs+":"+f+":ro")
		}
		ro.Env = append(ro.Env, "OKTAEMU_FIXTURE="+f)
	}
	hostConfig := func(hc *dc.HostConfig) {
		hc.PublishAllPorts = false // only the 127.0.0.1 binding above
		hc.AutoRemove = true       // Expire's stop also deletes it
		hc.RestartPolicy = dc.RestartPolicy{Name: "no"}
	}

	image := opts.Image
	if image == "" {
		image = os.Getenv(EnvImage)
	}
	var res *dockertest.Resource
	var err error
	if image != "" {
		ro.Repository, ro.Tag = splitImage(image)
		res, err = pool.RunWithOptions(ro, hostConfig)
	} else {
		res, image, err = runBuilt(pool, ro, hostConfig)
	}
	if err != nil {
		return nil, err
	}
	e := &Emulator{Token: token, Image: image, Resource: res, pool: pool}
	expire := opts.Expire
	if expire == 0 {
		expire = 10 * time.Minute
	}
	// dockertest runs containers with StopSignal SIGWINCH, which oktaemu
	// ignores: Expire's `docker stop` kills the container after the
	// timeout (Stop sends SIGTERM itself).
	_ = res.Expire(uint(expire / time.Second))
	hp := res.GetHostPort(containerPort)
	if hp == "" {
		e.Close()
		return nil, fmt.Errorf("container %s publishes no %s", ro.Name, containerPort)
	}
	e.URL = "http://" + hp
	return e, nil
}

// runBuilt runs the image built from the repository, building it with
// BuildAndRunWithBuildOptions on the first call in this process.
func runBuilt(pool *dockertest.Pool, ro *dockertest.RunOptions, hc func(*dc.HostConfig)) (*dockertest.Resource, string, error) {
	built.Lock()
	defer built.Unlock()
	if built.image != "" {
		ro.Repository, ro.Tag = splitImage(built.image)
		res, err := pool.RunWithOptions(ro, hc)
		return res, built.image, err
	}
	dir, err := buildContext()
	if err != nil {
		return nil, "", err
	}
	defer os.RemoveAll(dir)
	// BuildAndRunWithBuildOptions names the image after the container;
	// retag it so later runs (and processes) share one name.
	res, err := pool.BuildAndRunWithBuildOptions(&dockertest.BuildOptions{ContextDir: dir, Dockerfile: "Dockerfile"}, ro, hc)
	if err != nil {
		return nil, "", fmt.Errorf("building the image from %s/Dockerfile: %w", dir, err)
	}
	if err := pool.Client.TagImage(ro.Name, dc.TagImageOptions{Repo: builtRepo, Tag: "latest", Force: true}); err != nil {
		_ = pool.Purge(res)
		return nil, "", err
	}
	_ = pool.Client.RemoveImage(ro.Name) // drops only the per-container tag
	built.image = builtRepo + ":latest"
	return res, built.image, nil
}

// buildContext makes a Docker build context the way scripts/build-image.sh
// does: the repository's Dockerfile and a static linux binary of
// cmd/oktaemu.
func buildContext() (string, error) {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", module).Output()
	if err != nil {
		return "", fmt.Errorf("locating module %s: %w", module, err)
	}
	root := strings.TrimSpace(string(out))
	dockerfile, err := os.ReadFile(filepath.Join(root, "Dockerfile"))
	if err != nil {
		return "", err
	}
	dir, err := os.MkdirTemp("", "oktaemu-image-")
	if err != nil {
		return "", err
	}
	if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), dockerfile, 0o644); err != nil {
		os.RemoveAll(dir)
		return "", err
	}
	cmd := exec.Command("go", "build", "-trimpath", "-tags", "nomsgpack", "-ldflags", "-s -w", "-o", filepath.Join(dir, "oktaemu"), module+"/cmd/oktaemu")
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+runtime.GOARCH)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		os.RemoveAll(dir)
		return "", fmt.Errorf("go build ./cmd/oktaemu: %v\n%s", err, stderr.String())
	}
	return dir, nil
}

// splitImage splits "repo:tag" ("latest" when untagged; a registry port is
// not a tag).
func splitImage(image string) (repo, tag string) {
	i := strings.LastIndexByte(image, ':')
	if i < 0 || strings.ContainsRune(image[i:], '/') {
		return image, "latest"
	}
	return image[:i], image[i+1:]
}

// logs returns the container's output, for failure messages.
func logs(pool *dockertest.Pool, res *dockertest.Resource) string {
	if res == nil {
		return ""
	}
	var buf bytes.Buffer
	_ = pool.Client.Logs(dc.LogsOptions{Container: res.Container.ID, OutputStream: &buf, ErrorStream: &buf,
		Stdout: true, Stderr: true})
	return buf.String()
}
