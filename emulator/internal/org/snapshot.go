package org

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"encoding"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// SnapshotVersion is the version of the snapshot layout; Restore refuses
// any other.
const SnapshotVersion = 1

// Snapshot returns everything the org stores, as JSON. Restore(Snapshot())
// is an org that answers every request as this one would, and whose
// Snapshot is the same bytes.
//
// The snapshot is generic: it walks the Org value by reflection and saves
// every field, exported or not, of every record reachable from it (users,
// credentials' digests, factors, push and authn transactions, session
// tokens, IDX transactions and codes, groups, apps, policies, the outbox,
// and whatever record type is added later), so new state needs no change
// here. The layout is one JSON object per struct, keyed by Go field name;
// maps become objects with sorted keys; a pointer reached from two places
// (an IDX transaction indexed by two handles, the clock shared with the
// options) is written once as {"$id":n,"$v":…} and then as {"$ref":n}, and
// Restore rebuilds the sharing. Special values: a Clock is saved as its
// frozen instant or its offset from the base clock; the id generator as its
// exact position (so a restored org mints the same next ids); RSA/ECDSA
// keys as PKCS #8; times as RFC 3339 with nanoseconds; []byte as base64.
//
// Left out, by design: locks (sync.*), funcs and channels (Restore keeps
// what New sets for the top-level org; zero values below it), and the base
// clock function (Restore takes one). Values held in `any` fields
// (profiles, policy settings) are saved as JSON and come back as JSON
// values (numbers as float64), which is how the API stores them.
//
// The snapshot holds every secret the org keeps in clear (TOTP secrets,
// one-time tokens, outbox codes, signing keys) and the pepper of its
// digests: treat it as a credential store.
//
// Consistency: the snapshot is taken under the org's lock, and under the
// lock of every record that has its own (IDX transactions): those are
// taken with TryLock, never waiting while holding another lock, and the
// whole snapshot is retried when one is busy, so it cannot deadlock with a
// request that holds a record's lock and waits for the org's.
func (o *Org) Snapshot() ([]byte, error) {
	for attempt := 0; ; attempt++ {
		data, err := o.snapshotOnce()
		if !errors.Is(err, errSnapshotBusy) || attempt >= 100000 {
			return data, err
		}
		time.Sleep(time.Duration(min(attempt+1, 100)) * 10 * time.Microsecond)
	}
}

// errSnapshotBusy aborts a snapshot attempt that met a locked record.
var errSnapshotBusy = errors.New("snapshot: a record is locked")

func (o *Org) snapshotOnce() ([]byte, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	root := reflect.ValueOf(o).Elem()
	e := newEncoder(root.FieldByName("mu").Addr().Pointer()) // held already
	defer e.release()
	tree, err := e.tree(root, "org")
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(map[string]any{"version": SnapshotVersion, "org": tree}); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// RestoreOptions adjust Restore.
type RestoreOptions struct {
	// Base is the clock a running (not frozen) snapshot clock follows;
	// time.Now when nil.
	Base func() time.Time
	// Name, when set, renames the org (restoring a copy under another
	// name); the snapshot's otherwise.
	Name string
}

// Restore builds an org from a Snapshot. Unknown fields fail: a snapshot is
// read by a build that can represent it.
func Restore(data []byte, opts RestoreOptions) (*Org, error) {
	base := opts.Base
	if base == nil {
		base = time.Now
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var raw map[string]any
	if err := dec.Decode(&raw); err != nil {
		return nil, fmt.Errorf("snapshot: %w", err)
	}
	if dec.More() {
		return nil, fmt.Errorf("snapshot: trailing data")
	}
	for k := range raw {
		if k != "version" && k != "org" {
			return nil, fmt.Errorf("snapshot: unknown key %q", k)
		}
	}
	if numberInt(raw["version"]) != SnapshotVersion {
		return nil, fmt.Errorf("snapshot: version %v, want %d", raw["version"], SnapshotVersion)
	}
	root, _ := raw["org"].(map[string]any)
	if root == nil {
		return nil, fmt.Errorf("snapshot: no org")
	}
	// Start from what New builds, so fields a snapshot leaves out (locks,
	// funcs, fields newer than the snapshot) hold their usual values.
	o := New(Options{Clock: NewClock(base)})
	if err := decodeTree(reflect.ValueOf(o).Elem(), root, "org", base); err != nil {
		return nil, err
	}
	if o.id == "" || o.clock == nil || o.ids == nil {
		return nil, fmt.Errorf("snapshot: org id, clock or id generator missing")
	}
	if opts.Name != "" {
		o.name, o.opts.Name = opts.Name, opts.Name
	}
	return o, nil
}

var (
	typClock   = reflect.TypeFor[Clock]()
	typIDs     = reflect.TypeFor[IDs]()
	typRSA     = reflect.TypeFor[*rsa.PrivateKey]()
	typECDSA   = reflect.TypeFor[*ecdsa.PrivateKey]()
	typEd25519 = reflect.TypeFor[ed25519.PrivateKey]()
	typTextM   = reflect.TypeFor[encoding.TextMarshaler]()
	typTextU   = reflect.TypeFor[encoding.TextUnmarshaler]()
	typBinM    = reflect.TypeFor[encoding.BinaryMarshaler]()
	typBinU    = reflect.TypeFor[encoding.BinaryUnmarshaler]()
	typMutex   = reflect.TypeFor[sync.Mutex]()
	typRWMutex = reflect.TypeFor[sync.RWMutex]()
)

// skipped reports whether a field of type t is left out of snapshots:
// locks, funcs, channels.
func skipped(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Func, reflect.Chan, reflect.UnsafePointer:
		return true
	}
	return t.PkgPath() == "sync" || t.PkgPath() == "sync/atomic"
}

// snapFields returns the saved fields of struct type t, in declaration
// order. A field tagged `snapshot:"-"` is derived data filled in views, not
// state: it is left out.
func snapFields(t reflect.Type) []reflect.StructField {
	var out []reflect.StructField
	for i := range t.NumField() {
		f := t.Field(i)
		if f.Name == "_" || skipped(f.Type) || f.Tag.Get("snapshot") == "-" {
			continue
		}
		out = append(out, f)
	}
	return out
}

// readable returns v made readable and settable even when it was reached
// through an unexported field (the snapshot is the org's own code reading
// its own state).
func readable(v reflect.Value) reflect.Value {
	if v.CanSet() || !v.CanAddr() {
		return v
	}
	return reflect.NewAt(v.Type(), v.Addr().UnsafePointer()).Elem()
}

// special reports whether values of type t have their own representation.
func special(t reflect.Type) bool {
	switch t {
	case typClock, typIDs, typRSA, typECDSA, typEd25519:
		return true
	}
	if t.Kind() == reflect.Pointer {
		// A pointer to a value with its own form (*time.Time) is a plain
		// pointer; one that is itself the codec (*rand.ChaCha8) is special.
		return !special(t.Elem()) && t.Implements(typBinM) && t.Implements(typBinU)
	}
	return t.Implements(typTextM) && reflect.PointerTo(t).Implements(typTextU) ||
		t.Implements(typBinM) && reflect.PointerTo(t).Implements(typBinU)
}

// mapValue returns the value of map m at k as an addressable copy, so that
// its unexported parts can be read.
func mapValue(m reflect.Value, k reflect.Value) reflect.Value {
	c := reflect.New(m.Type().Elem()).Elem()
	c.Set(m.MapIndex(k))
	return c
}

// encodeTree returns the JSON tree of the struct v (addressable), taking
// the locks of the records it holds.
func encodeTree(v reflect.Value, path string) (any, error) {
	e := newEncoder(0)
	defer e.release()
	return e.tree(v, path)
}

func newEncoder(heldLock uintptr) *snapEncoder {
	return &snapEncoder{counts: map[uintptr]int{}, ids: map[uintptr]int{}, heldLock: heldLock}
}

func (e *snapEncoder) tree(v reflect.Value, path string) (any, error) {
	if err := e.count(v, path); err != nil {
		return nil, err
	}
	return e.encode(v, path)
}

// lockFields try-locks the sync.Mutex and sync.RWMutex fields of the
// struct v (addressable) until release; errSnapshotBusy when one is held.
func (e *snapEncoder) lockFields(v reflect.Value) error {
	if !v.CanAddr() {
		return nil
	}
	for i := range v.NumField() {
		f := v.Field(i)
		if !f.CanAddr() || f.Addr().Pointer() == e.heldLock {
			continue
		}
		switch m := f.Addr().UnsafePointer(); f.Type() {
		case typMutex:
			mu := (*sync.Mutex)(m)
			if !mu.TryLock() {
				return errSnapshotBusy
			}
			e.held = append(e.held, mu.Unlock)
		case typRWMutex:
			mu := (*sync.RWMutex)(m)
			if !mu.TryRLock() {
				return errSnapshotBusy
			}
			e.held = append(e.held, mu.RUnlock)
		}
	}
	return nil
}

// release unlocks what lockFields locked.
func (e *snapEncoder) release() {
	for i := len(e.held) - 1; i >= 0; i-- {
		e.held[i]()
	}
	e.held = nil
}

// decodeTree fills the struct v (addressable) from tree, leaving fields
// the tree lacks as they are.
func decodeTree(v reflect.Value, tree map[string]any, path string, base func() time.Time) error {
	d := &snapDecoder{base: base, refs: map[int]reflect.Value{}}
	return d.decodeStruct(v, tree, path, true)
}

type snapEncoder struct {
	counts   map[uintptr]int // times each pointer is reached
	ids      map[uintptr]int // $id given to shared pointers
	next     int
	heldLock uintptr  // the lock the caller holds (the org's)
	held     []func() // unlocks of the record locks taken
}

// count walks the graph once to find the pointers reached more than once.
func (e *snapEncoder) count(v reflect.Value, path string) error {
	v = readable(v)
	t := v.Type()
	if special(t) {
		return nil
	}
	switch t.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			return nil
		}
		p := v.Pointer()
		e.counts[p]++
		if e.counts[p] > 1 {
			return nil
		}
		return e.count(v.Elem(), path)
	case reflect.Struct:
		if err := e.lockFields(v); err != nil {
			return err
		}
		for _, f := range snapFields(t) {
			if err := e.count(v.FieldByIndex(f.Index), path+"."+f.Name); err != nil {
				return err
			}
		}
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 {
			return nil
		}
		for i := range v.Len() {
			if err := e.count(v.Index(i), path+"["+strconv.Itoa(i)+"]"); err != nil {
				return err
			}
		}
	case reflect.Map:
		keys, err := sortedKeys(v, path)
		if err != nil {
			return err
		}
		for _, k := range keys {
			if err := e.count(mapValue(v, k.v), path+"["+k.s+"]"); err != nil {
				return err
			}
		}
	}
	return nil
}

type mapKey struct {
	s string
	v reflect.Value
}

func sortedKeys(v reflect.Value, path string) ([]mapKey, error) {
	keys := make([]mapKey, 0, v.Len())
	for _, k := range v.MapKeys() {
		s, err := keyString(k)
		if err != nil {
			return nil, fmt.Errorf("snapshot %s: %w", path, err)
		}
		keys = append(keys, mapKey{s, k})
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i].s < keys[j].s })
	return keys, nil
}

// binaryPrefix marks a string saved as base64: one that is not valid
// UTF-8 (map keys made of digests), or that starts with the prefix itself.
const binaryPrefix = "$b64:"

func encodeString(s string) string {
	if utf8.ValidString(s) && !strings.HasPrefix(s, binaryPrefix) {
		return s
	}
	return binaryPrefix + base64.StdEncoding.EncodeToString([]byte(s))
}

func decodeString(s string) (string, error) {
	rest, ok := strings.CutPrefix(s, binaryPrefix)
	if !ok {
		return s, nil
	}
	b, err := base64.StdEncoding.DecodeString(rest)
	return string(b), err
}

func keyString(k reflect.Value) (string, error) {
	switch k.Kind() {
	case reflect.String:
		return encodeString(k.String()), nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.FormatInt(k.Int(), 10), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return strconv.FormatUint(k.Uint(), 10), nil
	case reflect.Bool:
		return strconv.FormatBool(k.Bool()), nil
	}
	return "", fmt.Errorf("map key of type %s cannot be saved", k.Type())
}

func (e *snapEncoder) encode(v reflect.Value, path string) (any, error) {
	v = readable(v)
	t := v.Type()
	if special(t) {
		return e.encodeSpecial(v, path)
	}
	switch t.Kind() {
	case reflect.Bool:
		return v.Bool(), nil
	case reflect.String:
		return encodeString(v.String()), nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return json.Number(strconv.FormatInt(v.Int(), 10)), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return json.Number(strconv.FormatUint(v.Uint(), 10)), nil
	case reflect.Float32, reflect.Float64:
		f := v.Float()
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return nil, fmt.Errorf("snapshot %s: %v cannot be saved", path, f)
		}
		return json.Number(strconv.FormatFloat(f, 'g', -1, 64)), nil
	case reflect.Pointer:
		if v.IsNil() {
			return nil, nil
		}
		p := v.Pointer()
		if id, ok := e.ids[p]; ok {
			return map[string]any{"$ref": id}, nil
		}
		if e.counts[p] > 1 {
			e.next++
			e.ids[p] = e.next
			inner, err := e.encode(v.Elem(), path)
			if err != nil {
				return nil, err
			}
			return map[string]any{"$id": e.ids[p], "$v": inner}, nil
		}
		return e.encode(v.Elem(), path)
	case reflect.Struct:
		out := map[string]any{}
		for _, f := range snapFields(t) {
			fv, err := e.encode(v.FieldByIndex(f.Index), path+"."+f.Name)
			if err != nil {
				return nil, err
			}
			out[f.Name] = fv
		}
		return out, nil
	case reflect.Slice:
		if v.IsNil() {
			return nil, nil
		}
		fallthrough
	case reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 {
			b := make([]byte, v.Len())
			reflect.Copy(reflect.ValueOf(b), v)
			return base64.StdEncoding.EncodeToString(b), nil
		}
		out := make([]any, v.Len())
		for i := range v.Len() {
			ev, err := e.encode(v.Index(i), path+"["+strconv.Itoa(i)+"]")
			if err != nil {
				return nil, err
			}
			out[i] = ev
		}
		return out, nil
	case reflect.Map:
		if v.IsNil() {
			return nil, nil
		}
		keys, err := sortedKeys(v, path)
		if err != nil {
			return nil, err
		}
		out := make(map[string]any, len(keys))
		for _, k := range keys {
			ev, err := e.encode(mapValue(v, k.v), path+"["+k.s+"]")
			if err != nil {
				return nil, err
			}
			out[k.s] = ev
		}
		return out, nil
	case reflect.Interface:
		if v.IsNil() {
			return nil, nil
		}
		return encodeJSONValue(v.Elem().Interface(), path)
	}
	return nil, fmt.Errorf("snapshot %s: a %s cannot be saved", path, t)
}

// encodeJSONValue saves a value held in an `any` field: it must be JSON.
func encodeJSONValue(x any, path string) (any, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(x); err != nil {
		return nil, fmt.Errorf("snapshot %s: %w", path, err)
	}
	return json.RawMessage(bytes.TrimSuffix(buf.Bytes(), []byte("\n"))), nil
}

func (e *snapEncoder) encodeSpecial(v reflect.Value, path string) (any, error) {
	t := v.Type()
	switch t {
	case typClock:
		c := v.Addr().Interface().(*Clock).state()
		if c.frozen {
			at, _ := c.at.MarshalText()
			return map[string]any{"frozen": true, "at": string(at)}, nil
		}
		return map[string]any{"frozen": false, "offset": json.Number(strconv.FormatInt(int64(c.offset), 10))}, nil
	case typIDs:
		g := v.Addr().Interface().(*IDs)
		g.mu.Lock()
		defer g.mu.Unlock()
		b, err := g.rng.MarshalBinary()
		if err != nil {
			return nil, fmt.Errorf("snapshot %s: %w", path, err)
		}
		return base64.StdEncoding.EncodeToString(b), nil
	case typRSA, typECDSA, typEd25519:
		if v.IsNil() {
			return nil, nil
		}
		der, err := x509.MarshalPKCS8PrivateKey(v.Interface())
		if err != nil {
			return nil, fmt.Errorf("snapshot %s: %w", path, err)
		}
		return base64.StdEncoding.EncodeToString(der), nil
	}
	if t.Kind() == reflect.Pointer && v.IsNil() {
		return nil, nil
	}
	if t.Implements(typTextM) && reflect.PointerTo(t).Implements(typTextU) {
		b, err := v.Interface().(encoding.TextMarshaler).MarshalText()
		if err != nil {
			return nil, fmt.Errorf("snapshot %s: %w", path, err)
		}
		return string(b), nil
	}
	b, err := v.Interface().(encoding.BinaryMarshaler).MarshalBinary()
	if err != nil {
		return nil, fmt.Errorf("snapshot %s: %w", path, err)
	}
	return base64.StdEncoding.EncodeToString(b), nil
}

type snapDecoder struct {
	base func() time.Time
	refs map[int]reflect.Value // $id -> the pointer
}

func (d *snapDecoder) decode(v reflect.Value, x any, path string) error {
	v = readable(v)
	t := v.Type()
	if special(t) {
		return d.decodeSpecial(v, x, path)
	}
	if x == nil {
		switch t.Kind() {
		case reflect.Pointer, reflect.Slice, reflect.Map, reflect.Interface:
			v.SetZero()
			return nil
		}
		return fmt.Errorf("snapshot %s: null for a %s", path, t)
	}
	bad := func() error { return fmt.Errorf("snapshot %s: %T for a %s", path, x, t) }
	switch t.Kind() {
	case reflect.Bool:
		b, ok := x.(bool)
		if !ok {
			return bad()
		}
		v.SetBool(b)
	case reflect.String:
		s, ok := x.(string)
		if !ok {
			return bad()
		}
		s, err := decodeString(s)
		if err != nil {
			return bad()
		}
		v.SetString(s)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, ok := x.(json.Number)
		if !ok {
			return bad()
		}
		i, err := strconv.ParseInt(string(n), 10, 64)
		if err != nil || v.OverflowInt(i) {
			return bad()
		}
		v.SetInt(i)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		n, ok := x.(json.Number)
		if !ok {
			return bad()
		}
		i, err := strconv.ParseUint(string(n), 10, 64)
		if err != nil || v.OverflowUint(i) {
			return bad()
		}
		v.SetUint(i)
	case reflect.Float32, reflect.Float64:
		n, ok := x.(json.Number)
		if !ok {
			return bad()
		}
		f, err := strconv.ParseFloat(string(n), 64)
		if err != nil {
			return bad()
		}
		v.SetFloat(f)
	case reflect.Pointer:
		if m, ok := x.(map[string]any); ok {
			if ref, ok := m["$ref"]; ok && len(m) == 1 {
				id := numberInt(ref)
				p, ok := d.refs[id]
				if !ok || p.Type() != t {
					return fmt.Errorf("snapshot %s: dangling $ref %v", path, ref)
				}
				v.Set(p)
				return nil
			}
			if id, ok := m["$id"]; ok && len(m) == 2 {
				p := reflect.New(t.Elem())
				d.refs[numberInt(id)] = p
				v.Set(p)
				return d.decode(p.Elem(), m["$v"], path)
			}
		}
		p := reflect.New(t.Elem())
		v.Set(p)
		return d.decode(p.Elem(), x, path)
	case reflect.Struct:
		m, ok := x.(map[string]any)
		if !ok {
			return bad()
		}
		return d.decodeStruct(v, m, path, false)
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 {
			s, ok := x.(string)
			if !ok {
				return bad()
			}
			b, err := base64.StdEncoding.DecodeString(s)
			if err != nil {
				return bad()
			}
			if t.Kind() == reflect.Array {
				if len(b) != v.Len() {
					return bad()
				}
				reflect.Copy(v, reflect.ValueOf(b))
				return nil
			}
			s2 := reflect.MakeSlice(t, len(b), len(b))
			reflect.Copy(s2, reflect.ValueOf(b))
			v.Set(s2)
			return nil
		}
		a, ok := x.([]any)
		if !ok {
			return bad()
		}
		if t.Kind() == reflect.Array {
			if len(a) != v.Len() {
				return bad()
			}
		} else {
			v.Set(reflect.MakeSlice(t, len(a), len(a)))
		}
		for i, e := range a {
			if err := d.decode(v.Index(i), e, path+"["+strconv.Itoa(i)+"]"); err != nil {
				return err
			}
		}
	case reflect.Map:
		m, ok := x.(map[string]any)
		if !ok {
			return bad()
		}
		out := reflect.MakeMapWithSize(t, len(m))
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		slices.Sort(keys) // the order Snapshot walked, for $id before $ref
		for _, k := range keys {
			kv := reflect.New(t.Key()).Elem()
			if err := parseKey(kv, k); err != nil {
				return fmt.Errorf("snapshot %s: %w", path, err)
			}
			ev := reflect.New(t.Elem()).Elem()
			if err := d.decode(ev, m[k], path+"["+k+"]"); err != nil {
				return err
			}
			out.SetMapIndex(kv, ev)
		}
		v.Set(out)
	case reflect.Interface:
		v.Set(reflect.ValueOf(jsonValue(x)))
	default:
		return bad()
	}
	return nil
}

// decodeStruct fills v's saved fields from m. keep leaves a field missing
// from m as it is (the top-level org, built by New); otherwise it is zero.
func (d *snapDecoder) decodeStruct(v reflect.Value, m map[string]any, path string, keep bool) error {
	fields := snapFields(v.Type())
	known := map[string]bool{}
	for _, f := range fields {
		known[f.Name] = true
	}
	for k := range m {
		if !known[k] {
			return fmt.Errorf("snapshot %s: unknown field %q", path, k)
		}
	}
	for _, f := range fields {
		x, ok := m[f.Name]
		fv := v.FieldByIndex(f.Index)
		if !ok {
			if !keep {
				readable(fv).SetZero()
			}
			continue
		}
		if err := d.decode(fv, x, path+"."+f.Name); err != nil {
			return err
		}
	}
	return nil
}

func parseKey(k reflect.Value, s string) error {
	switch k.Kind() {
	case reflect.String:
		s, err := decodeString(s)
		if err != nil {
			return err
		}
		k.SetString(s)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		i, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return err
		}
		k.SetInt(i)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		i, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			return err
		}
		k.SetUint(i)
	case reflect.Bool:
		b, err := strconv.ParseBool(s)
		if err != nil {
			return err
		}
		k.SetBool(b)
	default:
		return fmt.Errorf("map key of type %s", k.Type())
	}
	return nil
}

func numberInt(x any) int {
	n, _ := x.(json.Number)
	i, _ := n.Int64()
	return int(i)
}

// jsonValue turns decoded JSON (with json.Number) into what encoding/json
// gives for `any`: float64 numbers.
func jsonValue(x any) any {
	switch t := x.(type) {
	case json.Number:
		f, _ := t.Float64()
		return f
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, e := range t {
			out[k] = jsonValue(e)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = jsonValue(e)
		}
		return out
	}
	return x
}

func (d *snapDecoder) decodeSpecial(v reflect.Value, x any, path string) error {
	t := v.Type()
	bad := func(err error) error { return fmt.Errorf("snapshot %s: %v for a %s: %v", path, x, t, err) }
	switch t {
	case typClock:
		m, ok := x.(map[string]any)
		if !ok {
			return bad(nil)
		}
		c := clockState{base: d.base}
		if m["frozen"] == true {
			s, _ := m["at"].(string)
			if err := c.at.UnmarshalText([]byte(s)); err != nil {
				return bad(err)
			}
			c.frozen = true
		} else {
			n, _ := m["offset"].(json.Number)
			off, err := strconv.ParseInt(string(n), 10, 64)
			if err != nil {
				return bad(err)
			}
			c.offset = time.Duration(off)
		}
		v.Addr().Interface().(*Clock).update(func(s *clockState) { *s = c })
		return nil
	case typIDs:
		s, _ := x.(string)
		b, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			return bad(err)
		}
		g := NewIDs(0)
		if err := g.rng.UnmarshalBinary(b); err != nil {
			return bad(err)
		}
		v.Addr().Interface().(*IDs).rng = g.rng
		return nil
	}
	if x == nil {
		if t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice {
			v.SetZero()
			return nil
		}
		return bad(nil)
	}
	s, ok := x.(string)
	if !ok {
		return bad(nil)
	}
	switch t {
	case typRSA, typECDSA, typEd25519:
		der, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			return bad(err)
		}
		key, err := x509.ParsePKCS8PrivateKey(der)
		if err != nil {
			return bad(err)
		}
		kv := reflect.ValueOf(key)
		if kv.Type() != t {
			return bad(fmt.Errorf("key is a %T", key))
		}
		v.Set(kv)
		return nil
	}
	if t.Implements(typTextM) && reflect.PointerTo(t).Implements(typTextU) {
		p := reflect.New(t)
		if err := p.Interface().(encoding.TextUnmarshaler).UnmarshalText([]byte(s)); err != nil {
			return bad(err)
		}
		v.Set(p.Elem())
		return nil
	}
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return bad(err)
	}
	if t.Kind() == reflect.Pointer {
		p := reflect.New(t.Elem())
		if err := p.Interface().(encoding.BinaryUnmarshaler).UnmarshalBinary(b); err != nil {
			return bad(err)
		}
		v.Set(p)
		return nil
	}
	p := reflect.New(t)
	if err := p.Interface().(encoding.BinaryUnmarshaler).UnmarshalBinary(b); err != nil {
		return bad(err)
	}
	v.Set(p.Elem())
	return nil
}
