package scenarios

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/oktaemu/oktaemu/fixtures"
)

// Reconstructing is a Backend that seeds each org with what the recording
// shows (Reconstruct) before the scenario's own Setup, and resolves the
// client secrets the recording redacted. Use it with its Resolve:
//
//	rb := &scenarios.Reconstructing{Backend: scenarios.InProcess{}}
//	o := scenarios.Options{Backend: rb, Resolve: rb.Resolve}
//
// or simply o = scenarios.WithReconstruction(o).
type Reconstructing struct {
	// Backend opens the orgs (InProcess{} when nil).
	Backend Backend

	states sync.Map // *Target -> *replayState
}

// WithReconstruction returns o with its backend wrapped in Reconstructing
// and its Resolve answering redacted secrets first (then o's own Resolve).
func WithReconstruction(o Options) Options {
	rb := &Reconstructing{Backend: o.Backend}
	next := o.Resolve
	o.Backend = rb
	o.Resolve = func(ctx context.Context, t *Target, ph string) (string, bool, error) {
		v, ok, err := rb.Resolve(ctx, t, ph)
		if ok || err != nil || next == nil {
			return v, ok, err
		}
		return next(ctx, t, ph)
	}
	return o
}

// replayState is what the resolver knows during one run.
type replayState struct {
	mu  sync.Mutex
	rc  *Reconstruction
	t   *Target
	fx  *fixtures.Org
	val map[string]string // placeholder -> value given (equal placeholders, equal values)
	// secrets are TOTP secrets by factor id, from the starting state and
	// from enrollments seen during the run (_embedded.activation.sharedSecret).
	secrets  map[string]string
	lastStep map[string]int64
	owner    map[string]string // factor id -> user id
	flowUser string
}

// Open implements Backend.
func (b *Reconstructing) Open(ctx context.Context, sc *Scenario, engine string) (*Target, error) {
	base, err := sc.StartingState(engine)
	if err != nil {
		return nil, err
	}
	rc := Reconstruct(sc, base)
	inner := b.Backend
	if inner == nil {
		inner = InProcess{}
	}
	setup := &fixtures.Org{}
	MergeFixture(setup, rc.Org)
	if sc.Setup != nil {
		MergeFixture(setup, sc.Setup)
	}
	// A copy of the header with the reconstructed setup (field by field:
	// the scenario carries run state of its own that must not be copied).
	scr := &Scenario{Name: sc.Name, Description: sc.Description, Fixture: sc.Fixture, Engine: sc.Engine,
		Source: sc.Source, Setup: setup, Exchanges: sc.Exchanges, File: sc.File}
	t, err := inner.Open(ctx, scr, engine)
	if err != nil {
		return nil, err
	}
	st := &replayState{rc: rc, t: t, fx: t.Fixture, val: map[string]string{}, secrets: map[string]string{},
		lastStep: map[string]int64{}, owner: map[string]string{}}
	for id, s := range rc.TOTPSecrets {
		st.secrets[id] = s
	}
	if t.Fixture != nil {
		for _, u := range t.Fixture.Users {
			for _, f := range u.Factors {
				st.owner[f.ID] = u.ID
				if f.Secret != "" {
					st.secrets[f.ID] = f.Secret
				}
			}
		}
	}
	client := http.DefaultClient
	if t.Client != nil {
		client = t.Client
	}
	c := *client
	rt := c.Transport
	if rt == nil {
		rt = http.DefaultTransport
	}
	c.Transport = &replayTransport{base: rt, st: st}
	t.Client = &c
	b.states.Store(t, st)
	closeInner := t.close
	t.close = func() {
		b.states.Delete(t)
		if closeInner != nil {
			closeInner()
		}
	}
	return t, nil
}

// passCodeMarker stands for a one-time code in the prepared request
// ("@@oktaemu:passCode:1@@": no characters JSON escapes); the transport
// computes the code when it sends the request, because only then is the
// factor (its id after correlation) known.
const passCodeMarker = "@@oktaemu:"

var markerRE = regexp.MustCompile(`@@oktaemu:([A-Za-z]+:[0-9]+)@@`)

// Resolve answers the redacted client secrets of a run opened by b:
// passwords and answers from the reconstruction, one-time codes computed
// at send time (TOTP from the factor's secret, SMS/voice/email codes and
// recovery/activation tokens from the org's outbox).
func (b *Reconstructing) Resolve(ctx context.Context, t *Target, ph string) (string, bool, error) {
	v, ok := b.states.Load(t)
	if !ok {
		return "", false, nil
	}
	st := v.(*replayState)
	kind, isPH := IsPlaceholder(ph)
	if !isPH {
		return "", false, nil
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	if v, ok := st.val[ph]; ok {
		return v, true, nil
	}
	switch kind {
	case KindPassword, KindAnswer:
		v, ok := st.rc.Secrets[ph]
		if ok {
			st.val[ph] = v
		}
		return v, ok, nil
	case KindPassCode:
		return passCodeMarker + strings.Trim(ph, "<>") + "@@", true, nil
	case KindRecoveryToken, KindActivationToken, KindToken:
		msgs, err := outbox(ctx, t)
		if err != nil {
			return "", false, err
		}
		for i := len(msgs) - 1; i >= 0; i-- {
			if msgs[i].Token != "" && (kind != KindActivationToken || msgs[i].Kind == "activation") {
				st.val[ph] = msgs[i].Token
				return msgs[i].Token, true, nil
			}
		}
	}
	if serverMinted(kind) {
		// The recording shows the server minted this value, but this
		// engine did not (it refused the request that mints it): send the
		// placeholder as it is and let the engine answer — the integration
		// breaks here, which is what the diff must show.
		st.val[ph] = ph
		return ph, true, nil
	}
	return "", false, nil
}

// serverMinted reports whether a placeholder kind stands for a value the
// server mints (as opposed to a secret the client knows).
func serverMinted(kind string) bool {
	switch kind {
	case KindStateToken, KindSessionToken, KindCookieToken, KindRecoveryToken, KindActivationToken,
		KindToken, KindSharedSecret, KindAccessToken:
		return true
	}
	return strings.HasPrefix(kind, "cookie:")
}

// replayTransport fills one-time codes into outgoing requests and learns
// TOTP secrets and the transaction's user from responses.
type replayTransport struct {
	base http.RoundTripper
	st   *replayState
}

func (rt *replayTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	path := stripOrgPrefix(req.URL.Path)
	if strings.HasPrefix(path, "/_emulator/") {
		return rt.base.RoundTrip(req)
	}
	if req.Body != nil && req.Body != http.NoBody {
		data, err := io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, err
		}
		if bytes.Contains(data, []byte(passCodeMarker)) {
			var ferr error
			data = markerRE.ReplaceAllFunc(data, func(m []byte) []byte {
				ph := "<" + string(markerRE.FindSubmatch(m)[1]) + ">"
				code, err := rt.st.passCode(req.Context(), path, ph)
				if err != nil && ferr == nil {
					ferr = err
				}
				return []byte(code)
			})
			if ferr != nil {
				return nil, ferr
			}
		}
		req = req.Clone(req.Context())
		req.Body = io.NopCloser(bytes.NewReader(data))
		req.ContentLength = int64(len(data))
		req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }
	}
	resp, err := rt.base.RoundTrip(req)
	if err != nil || resp.Body == nil {
		return resp, err
	}
	data, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(data))
	var v any
	if json.Unmarshal(data, &v) == nil {
		rt.st.learn(path, v)
	}
	return resp, nil
}

// learn records TOTP secrets of factors enrolled during the run and the
// user an authn transaction is about.
func (st *replayState) learn(path string, v any) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if id, ok := lookupString(v, "_embedded", "user", "id"); ok {
		st.flowUser = id
	}
	var walk func(any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			if id, _ := x["id"].(string); id != "" {
				if s, ok := lookupString(x, "_embedded", "activation", "sharedSecret"); ok {
					st.secrets[id] = s
				}
				if m := usersPathRE.FindStringSubmatch(path); m != nil {
					if ft, _ := x["factorType"].(string); ft != "" {
						st.owner[id] = m[1]
					}
				}
			}
			for _, c := range x {
				walk(c)
			}
		case []any:
			for _, c := range x {
				walk(c)
			}
		}
	}
	walk(v)
}

var recoveryFactorRE = regexp.MustCompile(`^/api/v1/authn/recovery/factors/([A-Za-z]+)/verify`)

// passCode computes the code for placeholder ph sent to path.
func (st *replayState) passCode(ctx context.Context, path, ph string) (string, error) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if v, ok := st.val[ph]; ok {
		return v, nil
	}
	fid, uid := "", ""
	if m := factorPathRE.FindStringSubmatch(path); m != nil {
		uid, fid = m[1], m[2]
	} else if m := authnFactorRE.FindStringSubmatch(path); m != nil {
		fid = m[1]
	}
	if uid == "" {
		uid = st.owner[fid]
	}
	if uid == "" && !recoveryFactorRE.MatchString(path) {
		uid = st.flowUser
	}
	var good string
	if secret, ok := st.secrets[fid]; ok && fid != "" {
		now, err := orgNow(ctx, st.t)
		if err != nil {
			return "", err
		}
		step := now.Unix() / 30
		if last, ok := st.lastStep[fid]; ok && step <= last {
			step = last + 1 // a TOTP code is good once: take the next one (within the ±1 window)
		}
		code, err := totp.GenerateCodeCustom(secret, time.Unix(step*30, 0), totp.ValidateOpts{Period: 30, Skew: 1, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
		if err != nil {
			return "", fmt.Errorf("%s: TOTP for factor %s: %w", ph, fid, err)
		}
		if st.rc.PassCodes[ph] {
			st.lastStep[fid] = step
		}
		good = code
	} else {
		msgs, err := outbox(ctx, st.t)
		if err != nil {
			return "", err
		}
		for i := len(msgs) - 1; i >= 0; i-- {
			if msgs[i].Code != "" && (uid == "" || msgs[i].UserID == uid) {
				good = msgs[i].Code
				break
			}
		}
		if good == "" {
			// Nothing was sent (this engine refused earlier, or sends no
			// code): send a code anyway and let the engine answer; the
			// diff shows what it did.
			good = "000000"
		}
	}
	v := good
	if accepted, known := st.rc.PassCodes[ph]; known && !accepted {
		// The recording shows this code refused: send one that is wrong.
		v = "000000"
		if v == good {
			v = "000001"
		}
	}
	st.val[ph] = v
	return v, nil
}

// outboxMessage is a message of the org's outbox (control plane shape).
type outboxMessage struct {
	UserID string `json:"userId"`
	Kind   string `json:"kind"`
	Code   string `json:"code"`
	Token  string `json:"token"`
}

// outbox reads the target org's outbox, oldest first.
func outbox(ctx context.Context, t *Target) ([]outboxMessage, error) {
	if t.Org != nil {
		var out []outboxMessage
		for _, m := range t.Org.Outbox("") {
			out = append(out, outboxMessage{UserID: m.UserID, Kind: m.Kind, Code: m.Code, Token: m.Token})
		}
		return out, nil
	}
	if t.ControlURL == "" {
		return nil, fmt.Errorf("one-time codes: the target has no outbox (a real org); give the values with --value")
	}
	data, err := controlCall(ctx, t.Client, "", "GET", t.ControlURL+"/outbox", nil, http.StatusOK)
	if err != nil {
		return nil, err
	}
	var out []outboxMessage
	if err := json.Unmarshal(data, &out); err != nil {
		return nil, fmt.Errorf("outbox: %w", err)
	}
	return out, nil
}

// orgNow is the target org's time (TOTP codes follow the org's clock).
func orgNow(ctx context.Context, t *Target) (time.Time, error) {
	if t.Org != nil {
		return t.Org.Now(), nil
	}
	if t.ControlURL == "" {
		return time.Now(), nil
	}
	data, err := controlCall(ctx, t.Client, "", "GET", t.ControlURL+"/clock", nil, http.StatusOK)
	if err != nil {
		return time.Time{}, err
	}
	var c struct {
		Now string `json:"now"`
	}
	if err := json.Unmarshal(data, &c); err != nil {
		return time.Time{}, fmt.Errorf("clock: %w", err)
	}
	return time.Parse(time.RFC3339Nano, c.Now)
}
