package org

import (
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/oktaemu/oktaemu/emulator/internal/okta"
)

// The ordinary sign-in steps complete in shared mode (o.mu held for
// reading, as a concurrent reader holds it): sharedStep answers without
// errExclusive while the test holds a read lock too. The org's first
// sign-in makes the stores, under the exclusive lock.
func TestSignInStepsRunShared(t *testing.T) {
	for _, engine := range []string{"classic", "identity"} {
		t.Run(engine, func(t *testing.T) {
			o := authnOrg(t, engine)
			eng := classicAuthn
			if engine == "identity" {
				eng = identityAuthn
			}
			alice := PrimaryAuth{Username: "alice@example.com", Password: "Pa55word!Emu"}
			first, err := o.Authenticate(alice, eng)
			if err != nil {
				t.Fatal(err)
			}
			// One sign-in, no session yet: password-only sign-ins run
			// shared from here on.
			authenticate := func(in PrimaryAuth) (AuthnTransaction, error) {
				return sharedStep(o, func(shared bool) (AuthnTransaction, error) { return o.authenticate(in, eng, shared) })
			}
			again, err := authenticate(alice)
			if err != nil || again.Status != AuthnSuccess {
				t.Fatalf("shared password-only sign-in: %v %+v", err, again)
			}
			if _, err := o.CreateSessionFromToken(first.SessionToken); err != nil {
				t.Fatal(err)
			}
			// bob's org-made factors (Identity Engine) are synthesised by
			// an exclusive step; later ones find them in place.
			if _, err := o.Authenticate(PrimaryAuth{Username: "bob@example.com", Password: "Pa55word!Emu"}, eng); err != nil {
				t.Fatal(err)
			}

			o.mu.RLock() // a reader in progress: an exclusive step would wait for it
			defer o.mu.RUnlock()
			tx, err := authenticate(PrimaryAuth{Username: "bob@example.com", Password: "Pa55word!Emu"})
			if err != nil || tx.Status != AuthnMFARequired {
				t.Fatalf("shared primary authentication: %v %+v", err, tx)
			}
			code := totpAt(t, "JBSWY3DPEHPK3PXP", o.clock.Now())
			done, err := sharedStep(o, func(shared bool) (AuthnTransaction, error) {
				return o.authnVerify(tx.StateToken, o.txKey(tx.StateToken), "ostfbob0000000000000", AuthnVerify{PassCode: code}, shared)
			})
			if err != nil || done.Status != AuthnSuccess {
				t.Fatalf("shared TOTP verify: %v %+v", err, done)
			}
			s, err := sharedStep(o, func(bool) (Session, error) {
				return o.sessionFromToken(done.SessionToken, o.sessionTokenKey(done.SessionToken))
			})
			if err != nil || s.UserID != "00ubob00000000000000" {
				t.Fatalf("shared session: %v %+v", err, s)
			}
			// What would change more than the sign-in stores turns back.
			if _, err := authenticate(PrimaryAuth{Username: "bob@example.com", Password: "wrong"}); err != errExclusive {
				t.Errorf("wrong password in shared mode: %v, want errExclusive (the failure is counted exclusively)", err)
			}
		})
	}
}

// Sign-ins of one user and of several run at once with readers and
// writers of the org: every sign-in gets its own session, a TOTP code is
// accepted once however many transactions present it together, and
// nothing races (go test -race).
func TestConcurrentSignIns(t *testing.T) {
	o := authnOrg(t, "classic")
	// bob: three transactions will present the same code at once.
	code := totpAt(t, "JBSWY3DPEHPK3PXP", o.Now())
	var bobTxs []string
	for range 3 {
		tx, err := o.Authenticate(PrimaryAuth{Username: "bob@example.com", Password: "Pa55word!Emu"}, classicAuthn)
		if err != nil || tx.Status != AuthnMFARequired {
			t.Fatalf("%v %+v", err, tx)
		}
		bobTxs = append(bobTxs, tx.StateToken)
	}
	const n = 16
	var wg sync.WaitGroup
	start := make(chan struct{})
	sessions := make([]string, n)
	errs := make(chan error, 4*n)
	for i := range n {
		wg.Go(func() {
			<-start
			tx, err := o.Authenticate(PrimaryAuth{Username: "alice@example.com", Password: "Pa55word!Emu"}, classicAuthn)
			if err != nil {
				errs <- err
				return
			}
			s, err := o.CreateSessionFromToken(tx.SessionToken)
			if err != nil {
				errs <- err
				return
			}
			sessions[i] = s.ID
		})
	}
	var mu sync.Mutex
	var accepted, refused int
	for _, st := range bobTxs {
		wg.Go(func() {
			<-start
			done, err := o.AuthnVerifyFactor(st, "ostfbob0000000000000", AuthnVerify{PassCode: code})
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil && done.Status == AuthnSuccess:
				accepted++
			case okta.Is(err, okta.E0000068):
				refused++
			default:
				errs <- err
			}
		})
	}
	// Readers alongside, and one writer.
	for range 4 {
		wg.Go(func() {
			<-start
			for range 8 {
				if _, err := o.User("alice@example.com"); err != nil {
					errs <- err
				}
				o.ListUsers(UserQuery{Limit: 10})
				o.UserSessions("00ualice000000000000")
			}
		})
	}
	wg.Go(func() {
		<-start
		if _, err := o.Snapshot(); err != nil {
			errs <- err
		}
		if _, err := o.UpdateUser("00ucarol000000000000", UserUpdate{Profile: map[string]any{"nickName": "c"}}); err != nil {
			errs <- err
		}
	})
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if diff := cmp.Diff([2]int{1, 2}, [2]int{accepted, refused}); diff != "" {
		t.Errorf("one code in three transactions: [accepted refused] (-want +got):\n%s", diff)
	}
	seen := map[string]bool{}
	for _, id := range sessions {
		if id == "" || seen[id] {
			t.Fatalf("sessions %v: want %d distinct", sessions, n)
		}
		seen[id] = true
	}
	if got := len(o.UserSessions("00ualice000000000000")); got != n {
		t.Errorf("alice has %d sessions, want %d", got, n)
	}
	if u, _ := o.User("alice@example.com"); !u.LastLogin.Equal(o.Now()) {
		t.Errorf("LastLogin %v, want %v", u.LastLogin, o.Now())
	}
}

// A session's view carries its user's name; the stored session does not
// (`snapshot:"-"`): snapshots keep the layout Restore reads.
func TestSnapshotLeavesViewFieldsOut(t *testing.T) {
	o := authnOrg(t, "classic")
	tx, err := o.Authenticate(PrimaryAuth{Username: "alice@example.com", Password: "Pa55word!Emu"}, classicAuthn)
	if err != nil {
		t.Fatal(err)
	}
	s, err := o.CreateSessionFromToken(tx.SessionToken)
	if err != nil || s.UserName == "" {
		t.Fatalf("%v %+v", err, s)
	}
	b, err := o.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), "UserName") {
		t.Errorf("snapshot stores the view field UserName")
	}
	if _, err := Restore(b, RestoreOptions{}); err != nil {
		t.Fatal(err)
	}
}

// The org makes its factor lists on first use; stores made by other calls
// (the per-username limit, ending sessions) do not make sign-ins shared
// before the lists exist, so concurrent first sign-ins of different users
// never build them twice (go test -race; the org factors stay the 14
// defaults).
func TestSharedSignInsWaitForOrgLists(t *testing.T) {
	for range 20 {
		o := authnOrg(t, "classic")
		logins := []string{"alice@example.com"}
		for _, name := range []string{"dan", "fay", "gus"} {
			login := name + "@example.com"
			if _, err := o.CreateUser(NewUser{Profile: map[string]any{"login": login, "email": login, "firstName": name, "lastName": "X"},
				Password: "Pa55word!Emu", Activate: true}); err != nil {
				t.Fatal(err)
			}
			logins = append(logins, login)
		}
		o.SetAuthnUsernameLimit(0)
		o.EndUserSessions("00ualice000000000000", false)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for _, login := range logins {
			wg.Go(func() {
				<-start
				if _, err := o.Authenticate(PrimaryAuth{Username: login, Password: "Pa55word!Emu"}, classicAuthn); err != nil {
					t.Error(err)
				}
			})
		}
		close(start)
		wg.Wait()
		if got := len(o.OrgFactors()); got != len(defaultOrgFactors) {
			t.Fatalf("%d org factors, want %d", got, len(defaultOrgFactors))
		}
	}
}

// TestConcurrentAuthnUsernameCounts: the per-username authn limit counts
// attempts made at once exactly, and counting takes the org lock for
// reading only (the generation stays: cached sign-on settings survive).
func TestConcurrentAuthnUsernameCounts(t *testing.T) {
	o := seedDefault(t, okta.Classic) // frozen clock: one window
	o.TakeAuthnUsername("warm-up@example.com")
	gen := o.mu.gen.Load()
	var accepted atomic.Int32
	var wg sync.WaitGroup
	for range 4 * AuthnUsernameLimit {
		wg.Go(func() {
			if _, _, _, ok := o.TakeAuthnUsername("Alice@Example.com "); ok {
				accepted.Add(1)
			}
		})
	}
	wg.Wait()
	if n := accepted.Load(); n != AuthnUsernameLimit {
		t.Errorf("%d attempts accepted in one window, want %d", n, AuthnUsernameLimit)
	}
	if g := o.mu.gen.Load(); g != gen {
		t.Errorf("counting took the write lock: generation %d -> %d", gen, g)
	}
}

// Reads of a user and its factors run in shared mode once the org's own
// factors are in place: they never take the exclusive lock, which would
// move the org's generation (and drop its caches). A change that calls for
// a synthesised factor sends the next read back to the exclusive lock,
// which makes it.
func TestUserReadsRunShared(t *testing.T) {
	// Classic synthesises no factors: reads of a fresh org are shared
	// from the first, and make nothing (no authenticators, no stores).
	// (Identity Engine's first read of a user syncs its factors under the
	// exclusive lock, below.)
	classic := authnOrg(t, "classic")
	gen := classic.mu.gen.Load()
	if _, err := classic.User("alice@example.com"); err != nil {
		t.Fatal(err)
	}
	if _, err := classic.Factors("alice@example.com"); err != nil {
		t.Fatal(err)
	}
	if g := classic.mu.gen.Load(); g != gen || classic.fx.auths != nil || classic.authn.txs != nil {
		t.Errorf("reads of a fresh org: generation %d (was %d), authenticators made %v, authn stores %v", g, gen,
			classic.fx.auths != nil, classic.authn.txs != nil)
	}

	o := authnOrg(t, "identity")
	const bob = "bob@example.com"
	// The read-only check of a fresh org (no authenticators yet) reports
	// the sync as needed rather than making them under a shared lock.
	o.mu.RLock()
	inSync := o.autoFactorsInSync(o.users[o.usersByLogin[bob]])
	o.mu.RUnlock()
	if inSync || o.fx.auths != nil {
		t.Fatalf("fresh org's shared check: in sync %v, authenticators made %v", inSync, o.fx.auths != nil)
	}
	first, err := o.Factors(bob) // synthesises bob's email and recovery question
	if o.authn.txs != nil {
		t.Error("a read made the authn stores")
	}
	if err != nil {
		t.Fatal(err)
	}
	types := func(fs []Factor) []okta.FactorType {
		var out []okta.FactorType
		for _, f := range fs {
			out = append(out, f.Type)
		}
		return out
	}
	if !slices.Contains(types(first), okta.FactorEmail) {
		t.Fatalf("bob's factors %v: no synthesised email", types(first))
	}
	gen = o.mu.gen.Load()
	again, err := o.Factors(bob)
	if err != nil {
		t.Fatal(err)
	}
	one, err := o.Factor(bob, first[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	u, err := o.User(bob)
	if err != nil {
		t.Fatal(err)
	}
	_, missing := o.Factor(bob, "nosuchfactor")
	if diff := cmp.Diff(first, again); diff != "" {
		t.Errorf("factors read again (-first +again):\n%s", diff)
	}
	if diff := cmp.Diff(first[0], one); diff != "" {
		t.Errorf("one factor (-listed +read):\n%s", diff)
	}
	if u.Profile["login"] != bob {
		t.Errorf("user read: %+v", u)
	}
	if !okta.Is(missing, okta.E0000007) {
		t.Errorf("unknown factor: %v", missing)
	}
	if g := o.mu.gen.Load(); g != gen {
		t.Errorf("generation %d after shared reads, was %d", g, gen)
	}

	// A new recovery question: the synthesised factor's text follows,
	// made under the exclusive lock.
	q := "Name of your first school?"
	if _, err := o.UpdateUser(u.ID, UserUpdate{RecoveryQuestion: &q, RecoveryAnswer: &q}); err != nil {
		t.Fatal(err)
	}
	gen = o.mu.gen.Load()
	after, err := o.Factors(bob)
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(after, func(f Factor) bool { return f.Type == okta.FactorQuestion })
	if i < 0 || after[i].Profile["questionText"] != q {
		t.Errorf("factors after the change: %+v", after)
	}
	if o.mu.gen.Load() == gen {
		t.Error("the synthesised factor's change was made without the exclusive lock")
	}
	// First reads of a fresh org's users at once: the read-only checks
	// make nothing, the exclusive syncs make the authenticators once (run
	// with -race).
	fresh := authnOrg(t, "identity")
	var wg sync.WaitGroup
	for _, login := range []string{"alice@example.com", "bob@example.com", "carol@example.com"} {
		for range 4 {
			wg.Go(func() {
				if _, err := fresh.Factors(login); err != nil {
					t.Error(err)
				}
				if _, err := fresh.User(login); err != nil {
					t.Error(err)
				}
			})
		}
	}
	wg.Wait()
}
