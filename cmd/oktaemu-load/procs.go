package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"

	"github.com/goccy/go-yaml"

	"github.com/oktaemu/oktaemu/fixtures"
)

// The throughput measures run each server in its own process, as wrk-style
// tools measure servers: the emulator is the oktaemu binary (with its own
// runtime settings and garbage collector), the baseline is this command
// re-executed as a bare net/http server, and the load generator stays here.

// proc is a server process the load command started.
type proc struct {
	url    string
	cmd    *exec.Cmd
	stderr *bytes.Buffer
	dir    string
	done   chan struct{} // closed when the process has exited
}

func (p *proc) close() {
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	<-p.done
	if p.dir != "" {
		_ = os.RemoveAll(p.dir)
	}
}

// start runs cmd and waits until it answers 200 on probe.
func start(cmd *exec.Cmd, addr, probe, dir string) (*proc, error) {
	p := &proc{url: "http://" + addr, cmd: cmd, stderr: new(bytes.Buffer), dir: dir, done: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = io.Discard, p.stderr
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	go func() { _ = cmd.Wait(); close(p.done) }()
	poll := &http.Client{Timeout: time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	for deadline := time.Now().Add(2 * time.Minute); time.Now().Before(deadline); {
		if resp, err := poll.Get(p.url + probe); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return p, nil
			}
		}
		select {
		case <-p.done:
			return nil, fmt.Errorf("%s exited: %s", filepath.Base(cmd.Path), p.stderr.String())
		case <-time.After(5 * time.Millisecond):
		}
	}
	p.close()
	return nil, fmt.Errorf("%s: no 200 from %s within 2 minutes: %s", filepath.Base(cmd.Path), probe, p.stderr.String())
}

// startBinary serves fx with the oktaemu binary bin, the fixture written
// to a file as `oktaemu serve --fixture PATH` reads it, with the org's rate
// limits lifted (headers are still sent; authn's per-username limit too) so
// the attack measures the server, not the 429 path.
// With c.emuProfile set, the binary writes a CPU profile of its run to
// <emuProfile>.<measure>.
func startBinary(c config, measure string, fx *fixtures.Org) (*proc, error) {
	dir, err := os.MkdirTemp("", "oktaemu-load-")
	if err != nil {
		return nil, err
	}
	data, err := yaml.Marshal(fx)
	if err != nil {
		return nil, err
	}
	path := filepath.Join(dir, "load.yaml")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		return nil, err
	}
	addr, err := freePort()
	if err != nil {
		return nil, err
	}
	args := []string{"serve", "--addr", addr, "--fixture", path, "--api-token", loadToken, "--log-level", "warn"}
	if c.emuProfile != "" {
		args = append(args, "--cpuprofile", c.emuProfile+"."+measure)
	}
	cmd := exec.Command(c.bin, args...)
	p, err := start(cmd, addr, "/.well-known/okta-organization", dir)
	if err != nil {
		return nil, err
	}
	const huge = 1 << 30
	body := fmt.Sprintf(`{"default":%d,"byPrefix":{"/api/v1/authn":%d,"/api/v1/users":%d,"/api/v1/sessions":%d},"authnPerUsername":0}`, huge, huge, huge, huge)
	if st, b, err := do(p.url, "PUT", "/_emulator/orgs/default/ratelimits", body); err != nil || st != 200 {
		p.close()
		return nil, fmt.Errorf("lifting rate limits: %d %s %v", st, b, err)
	}
	return p, nil
}

// Environment of the re-executed baseline.
const (
	bareModeEnv   = "OKTAEMU_LOAD_BARE"      // "bytes" or "authn"
	bareAnswerEnv = "OKTAEMU_LOAD_BARE_FILE" // the answer's bytes
	bareAddrEnv   = "OKTAEMU_LOAD_BARE_ADDR"
	bareProbe     = "/_bare/ready"
)

// startBare runs the baseline: this executable as a bare net/http server
// answering answer to every request. Mode "authn" first decodes the body
// as an authn request, the work any handler of that call does.
func startBare(mode string, answer []byte) (*proc, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "oktaemu-load-bare-")
	if err != nil {
		return nil, err
	}
	file := filepath.Join(dir, "answer.json")
	if err := os.WriteFile(file, answer, 0o600); err != nil {
		return nil, err
	}
	addr, err := freePort()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), bareModeEnv+"="+mode, bareAnswerEnv+"="+file, bareAddrEnv+"="+addr)
	return start(cmd, addr, bareProbe, dir)
}

// serveBare is the baseline process's main.
func serveBare() error {
	answer, err := os.ReadFile(os.Getenv(bareAnswerEnv))
	if err != nil {
		return err
	}
	authn := os.Getenv(bareModeEnv) == "authn"
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if authn && r.URL.Path != bareProbe {
			var req struct {
				Username string         `json:"username"`
				Password string         `json:"password"`
				Options  map[string]any `json:"options"`
			}
			if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.Username == "" {
				http.Error(w, "bad body", http.StatusBadRequest)
				return
			}
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(answer)
	})
	ln, err := net.Listen("tcp", os.Getenv(bareAddrEnv))
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
