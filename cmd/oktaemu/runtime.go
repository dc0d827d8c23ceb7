package main

import (
	"os"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
)

// gcHeadroom is the heap growth `serve` allows between collections when
// the orgs are small. An emulator's live heap is a few MiB, so Go's default
// (collect when the heap doubles) collects every few thousand requests and
// spends as much CPU in the collector as in the handlers; 64 MiB of
// headroom makes collections rare while resident memory stays small. A big
// org (a live heap above gcHeadroom) keeps the default.
const gcHeadroom = 64 << 20

// tuneGC sets the collector's target from the live heap once the orgs are
// built, unless the user chose one with GOGC. It returns the percentage in
// force (100 when left alone).
func tuneGC() int {
	if _, set := os.LookupEnv("GOGC"); set {
		return -1
	}
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	pct := gcPercent(m.HeapAlloc)
	debug.SetGCPercent(pct)
	return pct
}

// gcPercent is the GOGC value giving live bytes at least gcHeadroom of
// growth, and never less than Go's default of 100.
func gcPercent(live uint64) int {
	if live == 0 {
		live = 1
	}
	return int(max(100, min(2000, gcHeadroom*100/live)))
}

// startCPUProfile profiles the process into path until stop is called.
func startCPUProfile(path string) (stop func(), err error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}
