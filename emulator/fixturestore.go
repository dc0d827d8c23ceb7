package emulator

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"sync"

	"github.com/oktaemu/oktaemu/fixtures"
)

// storedFixture is the fixture an org was built from, kept for reset,
// snapshots and the console's engine comparison. It is kept as compressed
// JSON rather than as the parsed value: a fixture of 100,000 users would
// otherwise hold as much memory as the org built from it, and a copy also
// keeps a caller's later changes to an Options.Seed out of ResetOrg.
type storedFixture struct {
	name   string
	engine string
	gz     []byte
}

var gzipWriters = sync.Pool{New: func() any {
	w, _ := gzip.NewWriterLevel(io.Discard, gzip.BestSpeed)
	return w
}}

// storeFixture keeps fx (its JSON form, the one snapshots carry).
func storeFixture(fx *fixtures.Org) (storedFixture, error) {
	data, err := marshalJSON(fx)
	if err != nil {
		return storedFixture{}, fmt.Errorf("fixture %s: %w", fx.Name, err)
	}
	return storeFixtureJSON(fx.Name, fx.Engine, data)
}

func storeFixtureJSON(name, engine string, data []byte) (storedFixture, error) {
	var buf bytes.Buffer
	w := gzipWriters.Get().(*gzip.Writer)
	defer gzipWriters.Put(w)
	w.Reset(&buf)
	if _, err := w.Write(data); err != nil {
		return storedFixture{}, err
	}
	if err := w.Close(); err != nil {
		return storedFixture{}, err
	}
	return storedFixture{name: name, engine: engine, gz: buf.Bytes()}, nil
}

// json returns the fixture's JSON, as marshalJSON wrote it.
func (f storedFixture) json() ([]byte, error) {
	r, err := gzip.NewReader(bytes.NewReader(f.gz))
	if err != nil {
		return nil, err
	}
	return io.ReadAll(r)
}

// load returns a fresh copy of the fixture.
func (f storedFixture) load() (*fixtures.Org, error) {
	data, err := f.json()
	if err != nil {
		return nil, fmt.Errorf("fixture %s: %w", f.name, err)
	}
	var fx fixtures.Org
	if err := json.Unmarshal(data, &fx); err != nil {
		return nil, fmt.Errorf("fixture %s: %w", f.name, err)
	}
	return &fx, nil
}
