package org

import (
	"sync"
	"sync/atomic"
)

// orgLock is the org's read-write lock with a generation count, bumped when
// a writer takes the lock and again when it lets go: odd while a writer
// holds it. Readers holding it shared (sign-in steps and reads of users and
// their factors, signin.go) cache data derived from the org with the
// generation they read it at (cached): the cache is good while that
// generation is current, since any change to what it was derived from
// (policies, groups, memberships, factors, tokens) is made under the write
// lock. A writer, which may change those within its own critical section,
// neither reads nor fills caches.
type orgLock struct {
	sync.RWMutex
	gen atomic.Uint64
}

func (l *orgLock) Lock()   { l.RWMutex.Lock(); l.gen.Add(1) }
func (l *orgLock) Unlock() { l.gen.Add(1); l.RWMutex.Unlock() }

// cacheGen returns the generation derived data may be cached at, and
// false when the caller holds the write lock (the generation is odd).
func (l *orgLock) cacheGen() (uint64, bool) {
	g := l.gen.Load()
	return g, g%2 == 0
}

// memo is derived data as of a generation of the org lock. Memos live in
// sync/atomic pointers, which snapshots skip.
type memo[T any] struct {
	gen uint64
	v   T
}

// cached returns slot's value when it was made at the current generation,
// and otherwise eval(), kept in slot when the caller may cache. The caller
// holds o.mu.
func cached[T any](o *Org, slot *atomic.Pointer[memo[T]], eval func() T) T {
	gen, ok := o.mu.cacheGen()
	if !ok {
		return eval()
	}
	if m := slot.Load(); m != nil && m.gen == gen {
		return m.v
	}
	v := eval()
	slot.Store(&memo[T]{gen: gen, v: v})
	return v
}
