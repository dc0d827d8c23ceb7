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
	"strings"
	"sync"
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
	running.Delete(p)
}

// running holds the started processes, for closeAll.
var running sync.Map // *proc -> struct{}

// closeAll stops every process still running (on SIGINT/SIGTERM).
func closeAll() {
	running.Range(func(k, _ any) bool {
		k.(*proc).close()
		return true
	})
}

// childEnv is this process's environment without OKTAEMU_* variables: a
// user's OKTAEMU_STATE, OKTAEMU_ADMIN_TOKEN or OKTAEMU_FIXTURE must not
// reach the measured server (it would save over the user's state file, or
// refuse the control-plane calls).
func childEnv(extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "OKTAEMU_") {
			env = append(env, kv)
		}
	}
	return append(env, extra...)
}

// start runs cmd and waits until it answers 200 on probe.
func start(cmd *exec.Cmd, addr, probe, dir string) (*proc, error) {
	p := &proc{url: "http://" + addr, cmd: cmd, stderr: new(bytes.Buffer), dir: dir, done: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = io.Discard, p.stderr
	if err := cmd.Start(); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	running.Store(p, struct{}{})
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
			p.close()
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
// With c.emuProfile (c.emuMutex) set, the binary writes a CPU (lock
// contention) profile of its run to <emuProfile>.<measure>
// (<emuMutex>.<measure>).
func startBinary(c config, measure string, fx *fixtures.Org) (*proc, error) {
	data, err := yaml.Marshal(fx)
	if err != nil {
		return nil, err
	}
	dir, path, addr, err := prepare("load.yaml", data)
	if err != nil {
		return nil, err
	}
	args := []string{"serve", "--addr", addr, "--fixture", path, "--api-token", loadToken, "--log-level", "warn"}
	if c.emuMutex != "" {
		args = append(args, "--mutexprofile", c.emuMutex+"."+measure)
	}
	if c.emuProfile != "" {
		args = append(args, "--cpuprofile", c.emuProfile+"."+measure)
	}
	cmd := exec.Command(c.bin, args...)
	cmd.Env = childEnv()
	p, err := start(cmd, addr, "/.well-known/okta-organization", dir)
	if err != nil {
		return nil, err
	}
	if err := liftLimits(p.url); err != nil {
		p.close()
		return nil, err
	}
	return p, nil
}

// liftLimits lifts the default org's rate limits on the control plane.
func liftLimits(base string) error {
	const huge = 1 << 30
	body := fmt.Sprintf(`{"default":%d,"byPrefix":{"/api/v1/authn":%d,"/api/v1/users":%d,"/api/v1/sessions":%d},"authnPerUsername":0}`, huge, huge, huge, huge)
	if st, b, err := do(base, "PUT", "/_emulator/orgs/default/ratelimits", body); err != nil || st != 200 {
		return fmt.Errorf("lifting rate limits: %d %s %v", st, b, err)
	}
	return nil
}

// prepare writes data to a file named name in a new temporary directory
// (removed by proc.close) and picks a free address for a server process.
func prepare(name string, data []byte) (dir, path, addr string, err error) {
	if dir, err = os.MkdirTemp("", "oktaemu-load-"); err != nil {
		return "", "", "", err
	}
	if path, err = writeTemp(dir, name, data); err == nil {
		addr, err = freePort()
	}
	if err != nil {
		os.RemoveAll(dir)
		return "", "", "", err
	}
	return dir, path, addr, nil
}

// Environment of the re-executed baseline.
const (
	bareModeEnv   = "OKTAEMU_LOAD_BARE"        // "bytes" or "authn"
	bareAnswerEnv = "OKTAEMU_LOAD_BARE_FILE"   // the answer's bytes
	bareHeaderEnv = "OKTAEMU_LOAD_BARE_HEADER" // its header, as JSON
	bareAddrEnv   = "OKTAEMU_LOAD_BARE_ADDR"
	bareProbe     = "/_bare/ready"
)

// startBare runs the baseline: this executable as a bare net/http server
// answering the emulator's answer to every request, the same bytes: its
// body and its header (Date aside, which net/http writes). Mode "authn"
// first decodes the body as an authn request, the work any handler of
// that call does.
func startBare(mode string, answer []byte, header http.Header) (*proc, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	dir, file, addr, err := prepare("answer.json", answer)
	if err != nil {
		return nil, err
	}
	header = header.Clone()
	header.Del("Date")
	var hdrFile string
	hdr, err := json.Marshal(header)
	if err == nil {
		hdrFile, err = writeTemp(dir, "answer.header.json", hdr)
	}
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	cmd := exec.Command(exe)
	cmd.Env = childEnv(bareModeEnv+"="+mode, bareAnswerEnv+"="+file, bareHeaderEnv+"="+hdrFile, bareAddrEnv+"="+addr)
	return start(cmd, addr, bareProbe, dir)
}

// serveBare is the baseline process's main.
func serveBare() error {
	answer, err := os.ReadFile(os.Getenv(bareAnswerEnv))
	if err != nil {
		return err
	}
	var header http.Header
	if b, err := os.ReadFile(os.Getenv(bareHeaderEnv)); err != nil {
		return err
	} else if err := json.Unmarshal(b, &header); err != nil {
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
		h := w.Header()
		for k, v := range header {
			h[k] = v // read only by net/http
		}
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
