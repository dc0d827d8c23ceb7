package org

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/oktaemu/oktaemu/emulator/internal/okta"
	"github.com/oktaemu/oktaemu/fixtures"
)

// snapshotCmp compares two orgs field by field, unexported fields
// included: what a snapshot must carry.
func snapshotCmp() cmp.Options {
	return cmp.Options{
		cmp.Exporter(func(reflect.Type) bool { return true }),
		cmpopts.IgnoreTypes(sync.Mutex{}, orgLock{}, sync.Pool{}, sync.Map{}, atomic.Int64{}, atomic.Pointer[memo[SignOn]]{}, atomic.Pointer[memo[enrollState]]{}, atomic.Pointer[memo[tokenMemo]]{}),
		cmp.Comparer(func(a, b *Clock) bool {
			if a == nil || b == nil {
				return a == b
			}
			return a.Frozen() == b.Frozen() && a.Now().Equal(b.Now())
		}),
		cmp.Comparer(func(a, b *rsa.PrivateKey) bool {
			if a == nil || b == nil {
				return a == b
			}
			return a.Equal(b)
		}),
		cmp.Comparer(func(a, b *IDs) bool {
			x, _ := a.rng.MarshalBinary()
			y, _ := b.rng.MarshalBinary()
			return bytes.Equal(x, y)
		}),
		// `any` values come back as JSON values (numbers as float64).
		cmp.Transformer("json", func(m map[string]any) string {
			b, _ := json.Marshal(m)
			return string(b)
		}),
	}
}

// busyOrg is the classic default fixture after enough traffic to fill every
// kind of record.
func busyOrg(t *testing.T, clock *Clock) *Org {
	t.Helper()
	fx, err := fixtures.Load("classic-default")
	if err != nil {
		t.Fatal(err)
	}
	o, err := Seed(fx, Options{Name: "busy", Engine: okta.Classic, Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	dana, err := o.CreateUser(NewUser{Profile: map[string]any{"login": "dana@example.com", "email": "dana@example.com",
		"firstName": "Dana", "lastName": "Dunn", "nickName": "<d&d>", "age": 41.5, "tags": []any{"a", 2.0}},
		Password: "Pa55word!Emu", Activate: true, RecoveryQuestion: "Favourite colour?", RecoveryAnswer: "blue sky"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := o.AddFactor(dana.ID, NewFactor{Type: okta.FactorTOTP, Secret: "JBSWY3DPEHPK3PXP"}); err != nil {
		t.Fatal(err)
	}
	if _, err := o.AddFactor(dana.ID, NewFactor{Type: okta.FactorQuestion, Profile: map[string]any{"question": "disliked_food"}, Answer: "pizza"}); err != nil {
		t.Fatal(err)
	}
	g, err := o.CreateGroup("", "engineers", "")
	if err != nil {
		t.Fatal(err)
	}
	if err := o.AddGroupMember(g.ID, dana.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := o.ActivateUser("erin@example.com", true); err != nil {
		t.Fatal(err)
	}
	if _, err := o.ResetPassword("alice@example.com", false); err != nil {
		t.Fatal(err)
	}
	o.AddAPIToken("extra", "00extra-token")
	// Transactions of other areas: an IDX interaction (indexed by two
	// handles: shared pointers) and a session token.
	o.StartInteraction(Interaction{ClientID: "0oaoidcclient0000000", Scopes: []string{"openid"}})
	tok, err := o.IssueSessionToken(SessionGrant{UserID: dana.ID, AMR: []string{"pwd"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := o.CreateSessionFromToken(tok); err != nil {
		t.Fatal(err)
	}
	if _, err := o.IssueSessionToken(SessionGrant{UserID: dana.ID, AMR: []string{"pwd"}}); err != nil {
		t.Fatal(err)
	}
	// A pending push (number challenge) and an SMS one-time code.
	if _, err := o.ChallengeFactor("00ucarol000000000000", "opfcarol000000000000", Challenge{Push: PushOptions{NumberChallenge: true}}); err != nil {
		t.Fatal(err)
	}
	if _, err := o.ChallengeFactor("00ucarol000000000000", "smscarol000000000000", Challenge{}); err != nil {
		t.Fatal(err)
	}
	// An authn transaction waiting for MFA.
	if _, err := o.Authenticate(PrimaryAuth{Username: "bob@example.com", Password: "Pa55word!Emu"}, AuthnEngine{}); err != nil {
		t.Fatal(err)
	}
	o.Clock().Advance(90 * time.Second)
	return o
}

func TestSnapshotRoundTrip(t *testing.T) {
	tests := []struct {
		name  string
		clock *Clock
	}{
		{"frozen clock", NewFrozenClock(time.Date(2026, 3, 4, 5, 6, 7, 8e6, time.UTC))},
		{"running clock", NewClock(func() time.Time { return time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC) })},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := busyOrg(t, tt.clock)
			snap, err := o.Snapshot()
			if err != nil {
				t.Fatal(err)
			}
			r, err := Restore(snap, RestoreOptions{Base: func() time.Time { return time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC) }})
			if err != nil {
				t.Fatal(err)
			}
			again, err := r.Snapshot()
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(snap, again) {
				t.Errorf("Snapshot(Restore(s)) != s: %s", firstDiff(snap, again))
			}
			if diff := cmp.Diff(o, r, snapshotCmp()); diff != "" {
				t.Errorf("restored org (-orig +restored):\n%s", diff)
			}

			// Behaviour, not only data: the same next ids, the same digests
			// (so passwords still check), the same clock.
			if a, b := o.IDs().New("00u"), r.IDs().New("00u"); a != b {
				t.Errorf("next id: orig %s, restored %s", a, b)
			}
			dana, _ := r.lookupUser("dana@example.com")
			if dana == nil || !r.matches(dana.password, "Pa55word!Emu") || r.matches(dana.password, "wrong") {
				t.Error("restored digest does not check the password")
			}
			if len(r.idx.byID) != 1 {
				t.Fatalf("restored %d IDX interactions, want 1", len(r.idx.byID))
			}
			for _, rec := range r.idx.byID {
				if r.idx.byState[rec.StateHandle] != rec {
					t.Error("an interaction indexed twice came back as two records")
				}
			}
			if _, ok := r.CheckAPIToken("00extra-token"); !ok {
				t.Error("restored org refuses its API token")
			}
			if !o.Now().Equal(r.Now()) {
				t.Errorf("clock: orig %s, restored %s", o.Now(), r.Now())
			}
			r.Clock().Advance(time.Hour)
			if o.Now().Equal(r.Now()) {
				t.Error("restored org shares its clock with the original")
			}
		})
	}
}

func TestSnapshotRestoredOrgIsIndependent(t *testing.T) {
	o := busyOrg(t, NewFrozenClock(time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)))
	snap, err := o.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	r, err := Restore(snap, RestoreOptions{Name: "copy"})
	if err != nil {
		t.Fatal(err)
	}
	if r.Name() != "copy" {
		t.Errorf("restored name %q, want copy", r.Name())
	}
	if _, err := r.UpdateUser("dana@example.com", UserUpdate{Profile: map[string]any{"nickName": "changed"}}); err != nil {
		t.Fatal(err)
	}
	u, _ := o.User("dana@example.com")
	if u.Profile["nickName"] != "<d&d>" {
		t.Errorf("original changed through the restored org: %v", u.Profile["nickName"])
	}
	after, _ := o.Snapshot()
	if !bytes.Equal(snap, after) {
		t.Error("snapshotting changed the original org")
	}
}

func TestRestoreRejects(t *testing.T) {
	o := busyOrg(t, nil)
	good, err := o.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	tests := map[string]string{
		"not json":      `{`,
		"wrong version": strings.Replace(string(good), `"version":1`, `"version":99`, 1),
		"unknown field": strings.Replace(string(good), `"org":{`, `"org":{"bogus":1,`, 1),
		"no org":        `{"version":1}`,
		"wrong type":    strings.Replace(string(good), `"userOrder":[`, `"userOrder":[7,`, 1),
		"trailing data": string(good) + `{}`,
	}
	for name, data := range tests {
		t.Run(name, func(t *testing.T) {
			if data == string(good) {
				t.Fatal("the test's edit did not apply")
			}
			if _, err := Restore([]byte(data), RestoreOptions{}); err == nil {
				t.Error("Restore succeeded")
			}
		})
	}
}

// probe exercises every shape the snapshot codec handles, beyond what an
// org holds today.
type probe struct {
	mu       sync.Mutex
	a, b     *probeRec // the same record
	byName   map[string]*probeRec
	byNum    map[int]*probeRec
	times    map[string]time.Time
	when     *time.Time
	key      *rsa.PrivateKey
	clock    *Clock
	clock2   *Clock
	ids      *IDs
	raw      []byte
	empty    []string
	none     []string
	arr      [2]int8
	any      any
	fn       func() int
	skipped  chan int
	dur      time.Duration
	f        float64
	u        uint64
	embedded // unexported embedded struct
}

type probeRec struct {
	name  string
	bin   map[string]string
	next  *probeRec
	attrs map[string]any
}

type embedded struct{ deep struct{ n int } }

func TestSnapshotCodecShapes(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	rec := &probeRec{name: "r1", bin: map[string]string{"\xff\x00": "$b64:x", "ok": "\xfe"}, attrs: map[string]any{"n": 1.5, "list": []any{"x", true, nil}}}
	rec2 := &probeRec{name: "r2", next: rec}
	rec.next = rec2 // a cycle
	when := time.Date(2026, 1, 2, 3, 4, 5, 6, time.FixedZone("X", 3600))
	clock := NewFrozenClock(when)
	in := probe{a: rec, b: rec, byName: map[string]*probeRec{"r1": rec, "r2": rec2}, byNum: map[int]*probeRec{7: rec2},
		times: map[string]time.Time{"t": when}, when: &when, key: key, clock: clock, clock2: clock, ids: NewIDs(9),
		raw: []byte{0, 1, 2}, empty: []string{}, arr: [2]int8{-1, 1}, any: map[string]any{"k": "v"},
		fn: func() int { return 1 }, dur: 90 * time.Second, f: 0.1, u: 1<<64 - 1}
	in.deep.n = 5
	in.ids.Random(3)

	tree, err := encodeTree(reflect.ValueOf(&in).Elem(), "probe")
	if err != nil {
		t.Fatal(err)
	}
	data, err := json.Marshal(tree)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&m); err != nil {
		t.Fatal(err)
	}
	var out probe
	if err := decodeTree(reflect.ValueOf(&out).Elem(), m, "probe", nil); err != nil {
		t.Fatal(err)
	}
	if out.a != out.b || out.byName["r1"] != out.a || out.a.next != out.byName["r2"] || out.a.next.next != out.a ||
		out.byNum[7] != out.a.next || out.clock != out.clock2 {
		t.Error("pointer sharing or cycles were not rebuilt")
	}
	if out.fn != nil || out.skipped != nil {
		t.Error("funcs and channels should be left out")
	}
	if !out.key.Equal(in.key) {
		t.Error("RSA key differs")
	}
	if !out.when.Equal(when) || !out.times["t"].Equal(when) || !out.clock.Now().Equal(clock.Now()) {
		t.Errorf("times: %v %v %v", out.when, out.times["t"], out.clock.Now())
	}
	opts := cmp.Options{cmp.Exporter(func(reflect.Type) bool { return true }),
		cmpopts.IgnoreTypes(sync.Mutex{}, &Clock{}, &IDs{}, &rsa.PrivateKey{}), cmpopts.IgnoreFields(probe{}, "fn", "skipped")}
	if diff := cmp.Diff(&in, &out, opts); diff != "" {
		t.Errorf("decoded (-in +out):\n%s", diff)
	}
	tree2, err := encodeTree(reflect.ValueOf(&out).Elem(), "probe")
	if err != nil {
		t.Fatal(err)
	}
	data2, _ := json.Marshal(tree2)
	if !bytes.Equal(data, data2) {
		t.Errorf("re-encoded differs: %s", firstDiff(data, data2))
	}
	if a, b := in.ids.Random(10), out.ids.Random(10); a != b {
		t.Errorf("id generator position: %s vs %s", a, b)
	}
}

func TestSnapshotRefusesUnsavable(t *testing.T) {
	type withBadKey struct{ m map[[2]int]string }
	v := withBadKey{m: map[[2]int]string{{1, 2}: "x"}}
	if _, err := encodeTree(reflect.ValueOf(&v).Elem(), "v"); err == nil {
		t.Error("a map with array keys was saved")
	}
	type withNaN struct{ f float64 }
	n := withNaN{f: nan()}
	if _, err := encodeTree(reflect.ValueOf(&n).Elem(), "v"); err == nil {
		t.Error("NaN was saved")
	}
}

func nan() float64 { var z float64; return z / z }

// firstDiff shows where two byte strings first differ.
func firstDiff(a, b []byte) string {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	from := max(0, i-80)
	return fmt.Sprintf("at byte %d:\n  %s\n  %s", i, a[from:min(len(a), i+80)], b[from:min(len(b), i+80)])
}

// TestSnapshotUnderLoad takes snapshots while IDX transactions change under
// their own locks and, holding them, take the org's lock (as
// UpdateInteraction's callbacks do): no data race, no deadlock, and every
// snapshot restores.
func TestSnapshotUnderLoad(t *testing.T) {
	o := busyOrg(t, NewFrozenClock(time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)))
	var handles []string
	for range 4 {
		handles = append(handles, o.StartInteraction(Interaction{ClientID: "c"}).Handle)
	}
	var wg sync.WaitGroup
	for i, h := range handles {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := range 50 {
				_, _ = o.UpdateInteraction(h, "", func(t *Interaction) error {
					t.Scopes = append(t.Scopes, "s")
					o.AddAPIToken("load", fmt.Sprintf("tok-%d-%d", i, n)) // the org's lock, inside the record's
					return nil
				})
				o.StartInteraction(Interaction{ClientID: "d"})
			}
		}()
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	for finished := false; !finished; {
		select {
		case <-done:
			finished = true // one more snapshot, of the final state
		default:
		}
		snap, err := o.Snapshot()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Restore(snap, RestoreOptions{}); err != nil {
			t.Fatal(err)
		}
	}
}

// TestSnapshotSupportsEveryStoredType walks every type reachable from Org
// and fails on a field the snapshot cannot carry, so whoever adds one hears
// of it here, not when a --state save fails: map keys must be strings,
// integers or booleans; interfaces only `any` holding JSON; funcs and
// channels only on Org itself (Restore takes them from New).
func TestSnapshotSupportsEveryStoredType(t *testing.T) {
	seen := map[reflect.Type]bool{}
	var walk func(typ reflect.Type, path string, top bool)
	walk = func(typ reflect.Type, path string, top bool) {
		if seen[typ] || special(typ) {
			return
		}
		seen[typ] = true
		switch typ.Kind() {
		case reflect.Pointer, reflect.Slice, reflect.Array:
			walk(typ.Elem(), path+"[]", false)
		case reflect.Map:
			switch typ.Key().Kind() {
			case reflect.String, reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
				reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
			default:
				t.Errorf("%s: map key %s cannot be saved (snapshot.go)", path, typ.Key())
			}
			walk(typ.Elem(), path+"[]", false)
		case reflect.Interface:
			if typ.NumMethod() != 0 {
				t.Errorf("%s: interface %s cannot be restored (snapshot.go saves only `any` holding JSON)", path, typ)
			}
		case reflect.Complex64, reflect.Complex128:
			t.Errorf("%s: %s cannot be saved", path, typ)
		case reflect.Struct:
			for i := range typ.NumField() {
				f := typ.Field(i)
				switch f.Type.Kind() {
				case reflect.Func, reflect.Chan, reflect.UnsafePointer:
					if !top {
						t.Errorf("%s.%s: a %s is not saved, and Restore leaves it nil (snapshot.go)", path, f.Name, f.Type.Kind())
					}
					continue
				}
				if !skipped(f.Type) {
					walk(f.Type, path+"."+f.Name, false)
				}
			}
		}
	}
	walk(reflect.TypeFor[Org](), "Org", true)
	if len(seen) < 20 {
		t.Errorf("walked %d types: the walk is broken", len(seen))
	}
}
