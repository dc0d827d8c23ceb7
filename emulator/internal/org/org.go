package org

import (
	"crypto/sha256"
	"sync"
	"sync/atomic"
	"time"

	"github.com/oktaemu/oktaemu/emulator/internal/okta"
)

// Org is one emulated Okta org. Its zero value is not usable; build one
// with New or Seed.
type Org struct {
	// mu guards the org. Writers hold it exclusively; the steps of an
	// ordinary sign-in (primary authentication, a TOTP verify, the session
	// from its sessionToken) hold it for reading only, as readers do, and
	// serialize on hot and on the user's signin lock for what they change
	// (signin.go): sign-ins of different users run in parallel. Readers of
	// what those steps change take mu exclusively.
	mu  orgLock    `snapshot:"-"`
	hot sync.Mutex // the sign-in stores, for steps holding mu for reading (signin.go)

	id     string
	name   string
	engine okta.Engine
	clock  *Clock
	ids    *IDs
	pepper []byte
	macs   sync.Pool // HMACs keyed with pepper, reused by mac
	// parsedPasswords caches password policies parsed from stored
	// policies (passwordPolicyFor); parsedCount bounds it. Derived data:
	// snapshots leave sync types out.
	parsedPasswords sync.Map
	parsedCount     atomic.Int64
	// lastToken is the SSWS token CheckAPIToken last found, as of a
	// generation of the org lock (cache.go): clients send one token on
	// every call, and its HMAC showed in profiles. Derived data.
	lastToken atomic.Pointer[memo[tokenMemo]]

	settings Settings
	opts     Options

	users        map[string]*user
	userOrder    []string          // creation order; pagination walks it
	usersByLogin map[string]string // lower-case login -> id
	groups       map[string]*Group
	groupOrder   []string
	apps         map[string]*App
	appOrder     []string
	tokens       map[string]*APIToken // keyed by mac of the token
	policies     map[string]*Policy
	policyOrder  []string
	outbox       []Message
	fx           *factorState // factors: pushes, throttles, org factors, authenticators (factorstate.go)
	authn        authnState   // authn transactions, session tokens, per-username limits (authn*.go)
	idx          idxStore     // Interaction Code transactions, codes, OAuth signing key (idx.go, oauth.go)
	sess         sessionStore // Sessions API: sessions, cookieTokens, forgotten devices (sessions.go)
}

// Settings are org-wide switches.
type Settings struct {
	// ShowLockoutFailures answers LOCKED_OUT instead of 401 on authn.
	ShowLockoutFailures bool
}

// Options configure New.
type Options struct {
	ID     string
	Name   string
	Engine okta.Engine
	Clock  *Clock
	IDSeed uint64
	// VerifiedEmailOnCreate marks the primary email of users created by an
	// admin as verified (engine profile field AdminCreatedEmailVerified).
	VerifiedEmailOnCreate bool
	// Factors are the engine's factor rules (engine profile fields; see
	// FactorRules in factorstate.go).
	Factors FactorRules
}

// EveryoneGroup is the name of Okta's built-in group every user belongs to.
const EveryoneGroup = "Everyone"

// New returns an empty org with its built-in Everyone group.
func New(opts Options) *Org {
	if opts.Clock == nil {
		opts.Clock = NewClock(nil)
	}
	if opts.IDSeed == 0 {
		opts.IDSeed = 1
	}
	ids := NewIDs(opts.IDSeed)
	if opts.ID == "" {
		opts.ID = ids.New(PrefixOrg)
	}
	pepper := sha256.Sum256([]byte("oktaemu/" + opts.ID + "/" + ids.Random(32)))
	o := &Org{
		id:           opts.ID,
		name:         opts.Name,
		engine:       opts.Engine,
		clock:        opts.Clock,
		ids:          ids,
		pepper:       pepper[:],
		opts:         opts,
		users:        map[string]*user{},
		usersByLogin: map[string]string{},
		groups:       map[string]*Group{},
		apps:         map[string]*App{},
		tokens:       map[string]*APIToken{},
		policies:     map[string]*Policy{},
		fx:           newFactorState(),
	}
	now := o.clock.Now()
	everyone := &Group{ID: ids.New(PrefixGroup), Type: GroupBuiltIn, Name: EveryoneGroup,
		Description: "All users in your organization", Created: now, LastUpdated: now,
		LastMembershipUpdated: now, members: map[string]bool{}}
	o.groups[everyone.ID] = everyone
	o.groupOrder = append(o.groupOrder, everyone.ID)
	return o
}

// ID is the org's 00o… id.
func (o *Org) ID() string { return o.id }

// Name is the org's name in this emulator (the Host label or path prefix
// that addresses it).
func (o *Org) Name() string { return o.name }

// Engine is the kind of org. Only the engine layer may branch on it.
func (o *Org) Engine() okta.Engine { return o.engine }

// Clock is the org's clock.
func (o *Org) Clock() *Clock { return o.clock }

// IDs is the org's id generator.
func (o *Org) IDs() *IDs { return o.ids }

// Now is the org's current time.
func (o *Org) Now() time.Time { return o.clock.Now() }

// Settings returns the org-wide switches.
func (o *Org) Settings() Settings {
	o.mu.RLock()
	defer o.mu.RUnlock()
	return o.settings
}

// APIToken is an SSWS token; the org stores its digest (the last token
// found is remembered in memory, never in snapshots: lastToken).
type APIToken struct {
	ID      string
	Name    string
	Created time.Time
}

// AddAPIToken registers token as a valid SSWS token of this org.
func (o *Org) AddAPIToken(name, token string) APIToken {
	o.mu.Lock()
	defer o.mu.Unlock()
	t := &APIToken{ID: o.ids.New(PrefixToken), Name: name, Created: o.clock.Now()}
	o.tokens[o.macKey("", token)] = t
	return *t
}

// CheckAPIToken reports whether token is one of this org's SSWS tokens.
func (o *Org) CheckAPIToken(token string) (APIToken, bool) {
	if token == "" {
		return APIToken{}, false
	}
	o.mu.RLock()
	defer o.mu.RUnlock()
	gen, cache := o.mu.cacheGen()
	if m := o.lastToken.Load(); m != nil && m.gen == gen && sameSecret(m.v.token, token) {
		return m.v.t, true
	}
	t, ok := o.tokens[o.macKey("", token)]
	if !ok {
		return APIToken{}, false
	}
	if cache {
		o.lastToken.Store(&memo[tokenMemo]{gen: gen, v: tokenMemo{token: token, t: *t}})
	}
	return *t, true
}

// sameSecret compares two secrets in time that depends on their length
// only, as comparing their digests did.
func sameSecret(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	var d byte
	for i := range len(a) {
		d |= a[i] ^ b[i]
	}
	return d == 0
}

// tokenMemo is a valid token and its record (held in memory only:
// snapshots keep the digests). Unlike cached's memos it is keyed by the
// token too.
type tokenMemo struct {
	token string
	t     APIToken
}
