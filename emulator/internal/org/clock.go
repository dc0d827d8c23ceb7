package org

import (
	"sync"
	"time"
)

// Clock is an org's clock. It either follows a base clock (the wall clock
// by default) shifted by an offset, or stands frozen at a set instant until
// it is set or advanced. Every expiry in the org (state tokens, sessions,
// pushes, one-time codes, passwords) reads it.
type Clock struct {
	mu     sync.Mutex
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
	return &Clock{base: base}
}

// NewFrozenClock returns a clock that stands at t until set or advanced.
func NewFrozenClock(t time.Time) *Clock {
	return &Clock{base: time.Now, frozen: true, at: t.UTC()}
}

// Now returns the org's current time, in UTC with millisecond precision
// (Okta's dates carry milliseconds).
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.frozen {
		return c.at
	}
	return c.base().Add(c.offset).UTC().Truncate(time.Millisecond)
}

// Set moves the clock to t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.frozen {
		c.at = t.UTC().Truncate(time.Millisecond)
		return
	}
	c.offset = t.Sub(c.base())
}

// Advance moves the clock forward by d (backward when d is negative).
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.frozen {
		c.at = c.at.Add(d)
		return
	}
	c.offset += d
}

// Frozen reports whether the clock stands still.
func (c *Clock) Frozen() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.frozen
}
