package main

import (
	"errors"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"runtime/pprof"
	"sync"
)

// The heap growth `serve` allows between collections: twice the live heap,
// at least gcMinHeadroom and at most gcMaxHeadroom, never less than Go's
// default (the live heap once more) and never more than GOGC 2000 (a live
// heap under 3.2 MiB gets 20 times itself). An emulator's live heap is a
// few MiB, so Go's default collects every few thousand requests and spends
// as much CPU in the collector as in the handlers; 64 MiB makes collections
// rare while resident memory stays small. An org of tens of thousands of
// users (a live heap of ~100 MiB) is marked whole by every collection:
// doubling its headroom halves that work under load (sign-ins against the
// binary +5-10 %, BENCHMARKS.md); the ceiling bounds what a very big org
// costs in memory.
const (
	gcMinHeadroom = 64 << 20
	gcMaxHeadroom = 256 << 20
)

var gcTunerOnce sync.Once

// tuneGC keeps the collector's target at the live heap plus the headroom
// above, unless the user chose one with GOGC. The target is recomputed
// after every collection, so a heap that grows (orgs added on the control
// plane, users created) does not keep a percentage chosen for a small one.
// It returns the percentage set now (-1 when GOGC is set).
func tuneGC() int {
	if _, set := os.LookupEnv("GOGC"); set {
		return -1
	}
	runtime.GC()
	pct := retuneGC()
	gcTunerOnce.Do(armGCTuner)
	return pct
}

// gcSentinel is garbage by construction: its cleanup runs after the next
// collection, retunes and arms the next sentinel.
type gcSentinel struct{ _ [32]byte } // not tiny-allocated: cleanups need their own object

func armGCTuner() {
	runtime.AddCleanup(new(gcSentinel), func(struct{}) {
		retuneGC()
		armGCTuner()
	}, struct{}{})
}

// retuneGC sets the percentage for the live heap the last collection left.
func retuneGC() int {
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	var live uint64
	if s[0].Value.Kind() == metrics.KindUint64 {
		live = s[0].Value.Uint64()
	}
	pct := gcPercent(live)
	debug.SetGCPercent(pct)
	return pct
}

// gcPercent is the GOGC value giving live bytes the headroom above.
func gcPercent(live uint64) int {
	if live == 0 {
		live = 1
	}
	headroom := min(max(2*live, gcMinHeadroom), gcMaxHeadroom)
	return int(max(100, min(2000, headroom*100/live)))
}

// startCPUProfile profiles the process into path until stop is called;
// stop reports a profile that could not be written out.
func startCPUProfile(path string) (stop func() error, err error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() error { pprof.StopCPUProfile(); return f.Close() }, nil
}

// mutexFraction samples one lock contention event in mutexFraction.
const mutexFraction = 5

// startMutexProfile samples lock contention until stop is called, which
// writes the profile to path (created now, so a bad path fails at start).
func startMutexProfile(path string) (stop func() error, err error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	runtime.SetMutexProfileFraction(mutexFraction)
	return func() error {
		defer runtime.SetMutexProfileFraction(0)
		return errors.Join(pprof.Lookup("mutex").WriteTo(f, 0), f.Close())
	}, nil
}
