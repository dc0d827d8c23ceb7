package emulator

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"

	"github.com/oktaemu/oktaemu/emulator/internal/httpx"
	"github.com/oktaemu/oktaemu/emulator/internal/org"
	"github.com/oktaemu/oktaemu/fixtures"
)

// requestIDSeed seeds each org's generator of X-Okta-Request-Id and
// errorId values (mount.go), which is not part of its snapshot.
const requestIDSeed = 0x6f6b7461

// OrgSnapshotFormat names the layout of an org snapshot.
const OrgSnapshotFormat = "oktaemu.org-snapshot/v1"

// StateFormat names the layout of a state file (every org of a server).
const StateFormat = "oktaemu.state/v1"

// orgSnapshot is one org as GET /_emulator/orgs/{org}/snapshot returns it:
// the org's complete stored state (org.Snapshot: users, credentials'
// digests, factors, transactions, tokens, sessions, policies, outbox,
// clock, id generator) plus what serves it here (engine, the fixture that
// reset returns to, rate limits and fault rules).
//
// Not included: rate-limit windows in progress (counters start over) and
// the position of the fault generator (it is reseeded with the saved seed).
type orgSnapshot struct {
	Format     string          `json:"format"`
	Name       string          `json:"name"`
	Engine     Engine          `json:"engine"`
	Fixture    json.RawMessage `json:"fixture"`
	RateLimits rateLimitsBody  `json:"rateLimits"`
	Faults     faultsBody      `json:"faults"`
	State      json.RawMessage `json:"state"`
}

// stateFile is every org of a server, as `oktaemu serve --state` keeps it.
type stateFile struct {
	Format  string            `json:"format"`
	Default string            `json:"default"`
	Orgs    []json.RawMessage `json:"orgs"`
}

// marshalJSON encodes v compactly without HTML escaping, so snapshots stay
// readable and byte-stable.
func marshalJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

func (s *Server) snapshot(inst *orgInstance) ([]byte, error) {
	state, err := inst.org.Snapshot()
	if err != nil {
		return nil, err
	}
	fx, err := inst.fixture.json()
	if err != nil {
		return nil, err
	}
	l := inst.limiter.Limits()
	snap := orgSnapshot{Format: OrgSnapshotFormat, Name: inst.name, Engine: Engine(inst.engine.Kind()), Fixture: fx,
		RateLimits: rateLimitsBody{Default: l.Default, ByPrefix: l.ByPrefix}, State: state}
	if snap.RateLimits.ByPrefix == nil {
		snap.RateLimits.ByPrefix = map[string]int{}
	}
	_, snap.Faults = faultsOf(inst)
	return marshalJSON(snap)
}

// SnapshotOrg returns the org's complete state as JSON. RestoreOrg of it,
// then SnapshotOrg again, gives the same bytes.
func (s *Server) SnapshotOrg(name string) ([]byte, error) {
	inst := s.lookup(name)
	if inst == nil {
		return nil, fmt.Errorf("no org %q", name)
	}
	return s.snapshot(inst)
}

// restore builds a served org from a snapshot, under name (the snapshot's
// when empty).
func (s *Server) restore(name string, data []byte) (*orgInstance, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var snap orgSnapshot
	if err := dec.Decode(&snap); err != nil {
		return nil, fmt.Errorf("org snapshot: %w", err)
	}
	if snap.Format != OrgSnapshotFormat {
		return nil, fmt.Errorf("org snapshot: format %q, want %q", snap.Format, OrgSnapshotFormat)
	}
	if name == "" {
		name = snap.Name
	}
	if !validOrgName(name) {
		return nil, fmt.Errorf("org snapshot: org name %q: use lower-case letters, digits and '-'", name)
	}
	eng, err := engineFor(snap.Engine)
	if err != nil {
		return nil, fmt.Errorf("org snapshot: %w", err)
	}
	var fx fixtures.Org
	if err := json.Unmarshal(snap.Fixture, &fx); err != nil {
		return nil, fmt.Errorf("org snapshot: fixture: %w", err)
	}
	o, err := org.Restore(snap.State, org.RestoreOptions{Base: s.opts.Now, Name: name})
	if err != nil {
		return nil, fmt.Errorf("org snapshot: %w", err)
	}
	if o.Engine() != eng.Kind() {
		return nil, fmt.Errorf("org snapshot: state of a %s org, engine says %s", o.Engine(), eng.Kind())
	}
	stored, err := storeFixtureJSON(fx.Name, fx.Engine, snap.Fixture)
	if err != nil {
		return nil, fmt.Errorf("org snapshot: fixture: %w", err)
	}
	inst := s.serveOrg(name, eng, stored, o)
	if snap.RateLimits.ByPrefix == nil {
		snap.RateLimits.ByPrefix = map[string]int{}
	}
	inst.limiter.SetLimits(httpx.RateLimits{Default: snap.RateLimits.Default, ByPrefix: snap.RateLimits.ByPrefix})
	if err := inst.faults.Set(faultRules(snap.Faults), snap.Faults.Seed); err != nil {
		return nil, fmt.Errorf("org snapshot: faults: %w", err)
	}
	return inst, nil
}

// RestoreOrg replaces the org named name (creating it when missing) with
// the state of a SnapshotOrg. An empty name takes the snapshot's.
func (s *Server) RestoreOrg(name string, data []byte) (created bool, err error) {
	inst, err := s.restore(name, data)
	if err != nil {
		return false, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	_, existed := s.orgs[inst.name]
	s.orgs[inst.name] = inst
	return !existed, nil
}

// SaveState returns every org of the server, for LoadState.
func (s *Server) SaveState() ([]byte, error) {
	st := stateFile{Format: StateFormat, Default: s.defaultName, Orgs: []json.RawMessage{}}
	for _, n := range s.OrgNames() {
		inst := s.lookup(n)
		if inst == nil {
			continue // deleted meanwhile
		}
		b, err := s.snapshot(inst)
		if err != nil {
			return nil, fmt.Errorf("org %s: %w", n, err)
		}
		st.Orgs = append(st.Orgs, b)
	}
	return marshalJSON(st)
}

// LoadState replaces every org of the server with those of a SaveState,
// and makes its default org the default.
func (s *Server) LoadState(data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var st stateFile
	if err := dec.Decode(&st); err != nil {
		return fmt.Errorf("state: %w", err)
	}
	if st.Format != StateFormat {
		return fmt.Errorf("state: format %q, want %q", st.Format, StateFormat)
	}
	orgs := map[string]*orgInstance{}
	for i, raw := range st.Orgs {
		inst, err := s.restore("", raw)
		if err != nil {
			return fmt.Errorf("state: org %d: %w", i, err)
		}
		if _, dup := orgs[inst.name]; dup {
			return fmt.Errorf("state: org %q twice", inst.name)
		}
		orgs[inst.name] = inst
	}
	if _, ok := orgs[st.Default]; !ok {
		return fmt.Errorf("state: default org %q is not in the file", st.Default)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.orgs, s.defaultName = orgs, st.Default
	return nil
}

func faultsOf(inst *orgInstance) ([]httpx.Fault, faultsBody) {
	rules, seed := inst.faults.Rules()
	out := faultsBody{Seed: seed, Faults: []faultBody{}}
	for _, r := range rules {
		out.Faults = append(out.Faults, faultBody{Method: r.Method, Path: r.Path, Status: r.Status, ErrorCode: r.Code,
			Probability: r.Probability, LatencyMs: int(r.Latency / time.Millisecond)})
	}
	return rules, out
}

func faultRules(b faultsBody) []httpx.Fault {
	rules := make([]httpx.Fault, 0, len(b.Faults))
	for _, f := range b.Faults {
		rules = append(rules, httpx.Fault{Method: f.Method, Path: f.Path, Status: f.Status, Code: f.ErrorCode,
			Probability: f.Probability, Latency: time.Duration(f.LatencyMs) * time.Millisecond})
	}
	return rules
}
