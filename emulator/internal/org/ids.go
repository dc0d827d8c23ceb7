package org

import (
	"math/rand/v2"
	"sync"
)

const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

// IDs mints Okta-shaped identifiers from a seeded generator, so an org built
// from the same fixture and driven by the same requests mints the same ids.
type IDs struct {
	mu  sync.Mutex
	rng *rand.ChaCha8
}

// NewIDs returns a generator seeded with seed.
func NewIDs(seed uint64) *IDs {
	var s [32]byte
	for i := range 8 {
		s[i] = byte(seed >> (8 * i))
	}
	copy(s[8:], "oktaemu-ids-seed-00000000")
	return &IDs{rng: rand.NewChaCha8(s)}
}

// Random returns n characters from [a-zA-Z0-9].
func (g *IDs) Random(n int) string { return g.prefixed("", n) }

// prefixed returns prefix and n characters from [a-zA-Z0-9], built in one
// allocation (ids and request ids are minted on every request): nine
// characters from each number the generator draws, its base-62 digits
// (62^9 divides into 2^64 1,362 times and a bit: the bias is below 0.1 %,
// and nothing here is a secret: the generator is seeded).
func (g *IDs) prefixed(prefix string, n int) string {
	b := make([]byte, len(prefix)+n)
	copy(b, prefix)
	g.mu.Lock()
	var x uint64
	for i, k := len(prefix), 0; i < len(b); i, k = i+1, k-1 {
		if k == 0 {
			x, k = g.rng.Uint64(), 9
		}
		b[i] = alphabet[x%uint64(len(alphabet))]
		x /= uint64(len(alphabet))
	}
	g.mu.Unlock()
	return string(b)
}

// Digits returns n decimal digits (one-time codes).
func (g *IDs) Digits(n int) string {
	b := make([]byte, n)
	g.mu.Lock()
	for i := range b {
		b[i] = '0' + byte(g.rng.Uint64()%10)
	}
	g.mu.Unlock()
	return string(b)
}

// Intn returns a number in [0, n).
func (g *IDs) Intn(n int) int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return int(g.rng.Uint64() % uint64(n))
}

// New returns a 20-character Okta id starting with prefix, the length of
// 00u…, 00g…, 0oa… and factor ids in Okta's examples.
func (g *IDs) New(prefix string) string {
	return g.prefixed(prefix, 20-len(prefix))
}

// Id prefixes Okta uses (users 00u, groups 00g, apps 0oa, orgs 00o,
// policies 00p, rules 0pr, API tokens 00T, sessions 102).
const (
	PrefixUser    = "00u"
	PrefixGroup   = "00g"
	PrefixApp     = "0oa"
	PrefixOrg     = "00o"
	PrefixPolicy  = "00p"
	PrefixRule    = "0pr"
	PrefixToken   = "00T"
	PrefixMessage = "msg"
)

// ErrorID returns an errorId: "oae" and 22 characters, as Okta's are.
func (g *IDs) ErrorID() string { return g.prefixed("oae", 22) }

// RequestID returns an X-Okta-Request-Id value.
func (g *IDs) RequestID() string { return g.prefixed("req", 22) }
