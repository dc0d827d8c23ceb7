package scenarios

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/goccy/go-yaml"

	"github.com/oktaemu/oktaemu/fixtures"
)

// Engine names used by scenarios.
const (
	Classic  = "classic"
	Identity = "identity"
	Both     = "both"
)

// Source kinds.
const (
	Authored = "authored"
	Recorded = "recorded"
)

// Scenario is one file (or one YAML document) of ordered HTTP exchanges
// replayed against an org.
type Scenario struct {
	// Name identifies the scenario in reports and subtest names; the file
	// name (without extension) when empty.
	Name string `yaml:"name" json:"name"`
	// Description is free text for humans.
	Description string `yaml:"description,omitempty" json:"description,omitempty"`
	// Fixture is the starting state: an embedded fixture name or a path
	// (relative paths are relative to the scenario file). Empty means the
	// engine's default fixture ("classic-default", "identity-default").
	Fixture string `yaml:"fixture,omitempty" json:"fixture,omitempty"`
	// Engine is classic, identity or both (the default): the engines the
	// scenario runs on.
	Engine string `yaml:"engine,omitempty" json:"engine,omitempty"`
	// Source says where the exchanges come from.
	Source Source `yaml:"source,omitempty" json:"source,omitempty"`
	// Setup is extra starting state merged onto the fixture before the
	// first exchange: its users, groups, apps, policies and API tokens
	// are added (an entry with the same id or name/login replaces the
	// fixture's).
	Setup *fixtures.Org `yaml:"setup,omitempty" json:"setup,omitempty"`
	// Exchanges run in order.
	Exchanges []Exchange `yaml:"exchanges" json:"exchanges"`

	// File is where the scenario was loaded from ("" when built in code).
	File string `yaml:"-" json:"file,omitempty"`

	cache *expectCache
}

// Source describes the origin of a scenario.
type Source struct {
	// Kind is authored (written by hand, the default) or recorded.
	Kind string `yaml:"kind,omitempty" json:"kind,omitempty"`
	// Origin is where the traffic was recorded: an org URL, a HAR file.
	Origin string `yaml:"origin,omitempty" json:"origin,omitempty"`
	// Engine is the engine of the org that answered the recording
	// (classic or identity), when known.
	Engine string `yaml:"engine,omitempty" json:"engine,omitempty"`
	// RecordedAt is when the recording started.
	RecordedAt *time.Time `yaml:"recordedAt,omitempty" json:"recordedAt,omitempty"`
}

// Exchange is one request and the response expected for it.
type Exchange struct {
	// Name labels the exchange in reports; "METHOD path" when empty.
	Name string `yaml:"name,omitempty" json:"name,omitempty"`
	// Advance moves the org's clock forward (a Go duration such as "5m")
	// before the request is sent; it needs the control plane.
	Advance string `yaml:"advance,omitempty" json:"advance,omitempty"`
	// Request is sent as written, after correlation and capture
	// substitution.
	Request Request `yaml:"request" json:"request"`
	// Response is the expected response on every engine, unless Engines
	// has an entry for the engine. Nil means "anything".
	Response *Response `yaml:"response,omitempty" json:"response,omitempty"`
	// Engines holds per-engine expectations ("classic", "identity"); an
	// entry wins over Response for its engine.
	Engines map[string]*Response `yaml:"engines,omitempty" json:"engines,omitempty"`
	// Captures name values of this exchange's actual response for use in
	// later requests as {{name}}: the value is "body.<path>" (dotted, with
	// numeric indexes: body._embedded.factors.0.id), "header.<Name>" or
	// "cookie.<name>". Correlation learns most values without them.
	Captures map[string]string `yaml:"captures,omitempty" json:"captures,omitempty"`
	// Ignore lists response paths excluded from comparison: "body.<path>"
	// (a "*" segment matches any key or index), "header.<Name>" or
	// "status".
	Ignore []string `yaml:"ignore,omitempty" json:"ignore,omitempty"`
}

// Request is an HTTP request relative to the org's base URL.
type Request struct {
	Method string `yaml:"method" json:"method"`
	// Path is the path and query ("/api/v1/users?limit=2"); an absolute
	// URL is reduced to its path and query at replay.
	Path string `yaml:"path" json:"path"`
	// Headers are sent as given; Content-Type and Accept default to
	// application/json when Body is set.
	Headers map[string]string `yaml:"headers,omitempty" json:"headers,omitempty"`
	// Body is sent as JSON (any YAML value). A string body is sent as is.
	Body any `yaml:"body,omitempty" json:"body,omitempty"`
	// Form is sent as application/x-www-form-urlencoded (OAuth token
	// endpoints); Body and Form are exclusive.
	Form map[string]string `yaml:"form,omitempty" json:"form,omitempty"`
}

// Response is an expected (or an actual) response.
type Response struct {
	// Status is the HTTP status; 0 means any.
	Status int `yaml:"status,omitempty" json:"status,omitempty"`
	// Headers lists the headers to compare (only those given are
	// compared). Several values of one header are joined with "\n".
	Headers map[string]string `yaml:"headers,omitempty" json:"headers,omitempty"`
	// Body is the JSON body (any YAML value); nil means not compared. A
	// response that is not JSON is a string.
	Body any `yaml:"body,omitempty" json:"body,omitempty"`
}

// Engines returns the engines the scenario runs on, in a stable order
// (engine names are data here: the scenario format validates them, it
// does not branch on engine behaviour).
func (s *Scenario) Engines() []string {
	if engineNames[s.Engine] {
		return []string{s.Engine}
	}
	return []string{Classic, Identity}
}

// engineNames are the engines a scenario may name.
var engineNames = map[string]bool{Classic: true, Identity: true}

// oneOf reports whether v is one of the allowed names ("" allowed too).
func oneOf(v string, names ...string) bool {
	if v == "" {
		return true
	}
	for _, n := range names {
		if v == n {
			return true
		}
	}
	return false
}

// Expected returns the response expected from engine (nil: anything).
func (x *Exchange) Expected(engine string) *Response {
	if r, ok := x.Engines[engine]; ok {
		return r
	}
	return x.Response
}

// Label names the exchange in reports.
func (x *Exchange) Label() string {
	if x.Name != "" {
		return x.Name
	}
	return x.Request.Method + " " + x.Request.Path
}

// Validate checks what strict decoding cannot.
func (s *Scenario) Validate() error {
	if !engineNames[s.Engine] && !oneOf(s.Engine, Both) {
		return fmt.Errorf("engine %q: want classic, identity or both", s.Engine)
	}
	if !oneOf(s.Source.Kind, Authored, Recorded) {
		return fmt.Errorf("source.kind %q: want authored or recorded", s.Source.Kind)
	}
	if s.Source.Engine != "" && !engineNames[s.Source.Engine] {
		return fmt.Errorf("source.engine %q: want classic or identity", s.Source.Engine)
	}
	if len(s.Exchanges) == 0 {
		return errors.New("exchanges: at least one is required")
	}
	for i, x := range s.Exchanges {
		at := fmt.Sprintf("exchanges[%d]", i)
		if x.Name != "" {
			at += " (" + x.Name + ")"
		}
		if x.Request.Method == "" || x.Request.Path == "" {
			return fmt.Errorf("%s: request.method and request.path are required", at)
		}
		if x.Request.Body != nil && x.Request.Form != nil {
			return fmt.Errorf("%s: request.body and request.form are exclusive", at)
		}
		if x.Advance != "" {
			if d, err := time.ParseDuration(x.Advance); err != nil || d < 0 {
				return fmt.Errorf("%s: advance %q: want a positive Go duration such as 5m", at, x.Advance)
			}
		}
		for e := range x.Engines {
			if !engineNames[e] {
				return fmt.Errorf("%s: engines.%s: want classic or identity", at, e)
			}
		}
		for name, from := range x.Captures {
			if !strings.HasPrefix(from, "body.") && !strings.HasPrefix(from, "header.") && !strings.HasPrefix(from, "cookie.") {
				return fmt.Errorf("%s: captures.%s: %q: want body.<path>, header.<Name> or cookie.<name>", at, name, from)
			}
		}
		for _, p := range x.Ignore {
			if p != "status" && !strings.HasPrefix(p, "body") && !strings.HasPrefix(p, "header.") {
				return fmt.Errorf("%s: ignore %q: want status, body.<path> or header.<Name>", at, p)
			}
		}
	}
	return nil
}

// Parse decodes the scenarios of one file strictly: an unknown key, a
// wrong type or a duplicate key is an error naming file and line. A file
// may hold several scenarios as YAML documents separated by "---".
func Parse(file string, data []byte) ([]*Scenario, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data), yaml.Strict())
	var out []*Scenario
	for i := 0; ; i++ {
		var s Scenario
		err := dec.Decode(&s)
		if err == io.EOF {
			break
		}
		if err != nil {
			msg := yaml.FormatError(err, false, false)
			if pos, rest, ok := strings.Cut(strings.TrimPrefix(msg, "["), "] "); ok && strings.HasPrefix(msg, "[") {
				msg = pos + ": " + rest
			}
			return nil, fmt.Errorf("%s:%s", file, msg)
		}
		if s.Name == "" {
			base := path.Base(filepath.ToSlash(file))
			s.Name = strings.TrimSuffix(strings.TrimSuffix(base, ".yaml"), ".yml")
			if i > 0 {
				s.Name = fmt.Sprintf("%s#%d", s.Name, i+1)
			}
		}
		s.File = file
		if err := s.Validate(); err != nil {
			return nil, fmt.Errorf("%s: scenario %s: %w", file, s.Name, err)
		}
		out = append(out, &s)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no scenario", file)
	}
	return out, nil
}

// Load reads one scenario file, or every *.yaml / *.yml file under a
// directory (recursively, in lexical order).
func Load(fileOrDir string) ([]*Scenario, error) {
	st, err := os.Stat(fileOrDir)
	if err != nil {
		return nil, fmt.Errorf("scenarios: %w", err)
	}
	var files []string
	if st.IsDir() {
		err := filepath.WalkDir(fileOrDir, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !d.IsDir() && (strings.HasSuffix(p, ".yaml") || strings.HasSuffix(p, ".yml")) {
				files = append(files, p)
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("scenarios: %w", err)
		}
		sort.Strings(files)
		if len(files) == 0 {
			return nil, fmt.Errorf("scenarios: no *.yaml file under %s", fileOrDir)
		}
	} else {
		files = []string{fileOrDir}
	}
	var out []*Scenario
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("scenarios: %w", err)
		}
		ss, err := Parse(f, data)
		if err != nil {
			return nil, err
		}
		out = append(out, ss...)
	}
	return out, nil
}

// Marshal encodes a scenario as YAML that Parse reads back.
func Marshal(s *Scenario) ([]byte, error) {
	return yaml.MarshalWithOptions(s, yaml.Indent(2), yaml.IndentSequence(true), yaml.UseLiteralStyleIfMultiline(true))
}

// FixturePath resolves the scenario's Fixture: a relative path is taken
// relative to the scenario file; an embedded name is returned as is.
func (s *Scenario) FixturePath() string {
	f := s.Fixture
	if f == "" || s.File == "" || filepath.IsAbs(f) {
		return f
	}
	if strings.ContainsRune(f, '/') || strings.HasSuffix(f, ".yaml") || strings.HasSuffix(f, ".yml") {
		return filepath.Join(filepath.Dir(s.File), filepath.FromSlash(f))
	}
	return f
}
