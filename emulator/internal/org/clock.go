package org

import (
	"sync"
	"sync/atomic"
	"time"
)

// Clock is an org's clock. It either follows a base clock (the wall clock
// by default) shifted by an offset, or stands frozen at a set instant until
// it is set or advanced. Every expiry in the org (state tokens, sessions,
// pushes, one-time codes, passwords) reads it.
type Clock struct {
	mu sync.Mutex // serializes writers; readers load st
	st atomic.Pointer[clockState]
}

// clockState is one immutable setting of a Clock: Now reads it without a
// lock (every request reads the clock several times).
type clockState struct {
	base   func() time.Time
	offset time.Duration
	frozen bool
	at     time.Time
}

// NewClock returns a clock following base (time.Now when nil).
func NewClock(base func() time.Time) *Clock {
	if base == nil {
		base = time.Now
	}
	c := &Clock{}
	c.st.Store(&clockState{base: base})
	return c
}

// NewFrozenClock returns a clock that stands at t until set or advanced.
func NewFrozenClock(t time.Time) *Clock {
	c := &Clock{}
	c.st.Store(&clockState{base: time.Now, frozen: true, at: t.UTC()})
	return c
}

// state is the current setting (the wall clock for a zero Clock).
func (c *Clock) state() clockState {
	if s := c.st.Load(); s != nil {
		return *s
	}
	return clockState{base: time.Now}
}

// update changes the setting with fn, one writer at a time.
func (c *Clock) update(fn func(*clockState)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.state()
	fn(&s)
	c.st.Store(&s)
}

// Now returns the org's current time, in UTC with millisecond precision
// (Okta's dates carry milliseconds).
func (c *Clock) Now() time.Time {
	s := c.st.Load()
	switch {
	case s == nil:
		return time.Now().UTC().Truncate(time.Millisecond)
	case s.frozen:
		return s.at
	}
	return s.base().Add(s.offset).UTC().Truncate(time.Millisecond)
}

// Set moves the clock to t.
func (c *Clock) Set(t time.Time) {
	c.update(func(s *clockState) {
		if s.frozen {
			s.at = t.UTC().Truncate(time.Millisecond)
			return
		}
		s.offset = t.Sub(s.base())
	})
}

// Advance moves the clock forward by d (backward when d is negative).
func (c *Clock) Advance(d time.Duration) {
	c.update(func(s *clockState) {
		if s.frozen {
			s.at = s.at.Add(d)
			return
		}
		s.offset += d
	})
}

// Frozen reports whether the clock stands still.
func (c *Clock) Frozen() bool { return c.state().frozen }
