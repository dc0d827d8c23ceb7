package emulator_test

import (
	"fmt"
	"net/http"
	"slices"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/oktaemu/oktaemu/emulator"
	"github.com/oktaemu/oktaemu/emulator/emulatortest"
	"github.com/oktaemu/oktaemu/fixtures/synth"
)

// TestSoakConcurrency is the concurrency soak (issue 9, item 2): 64
// clients on one org, for a bounded number of rounds, mix sign-ins
// (password-only and TOTP MFA users), wrong passwords and passcodes,
// Factors API enrollments, activations, verifications and deletions,
// concurrent Okta Verify enrollments for the same users, session
// create/get/refresh/delete and policy changes; then it checks the
// invariants: at most one Okta Verify per user through the Factors API, no
// session from a wrong password, exact lockout counters, no factor lost or
// duplicated, single-use state and session tokens (sessionTokens and
// passCodes are also sent twice at once: exactly one wins). Run it under
// -race (-short runs one round instead of two):
//
//	go test -race ./emulator -run TestSoakConcurrency
//
// The org's clock is frozen and moves 31 s between rounds (a new TOTP step
// and a new per-username authn window of Okta's 4/s): the schedule never
// needs more than 4 authn calls per username per round, so a 429 is a
// finding. The org-wide per-minute budgets are lifted (not under test).
// The policies the togglers edit belong to an empty group: they must never
// apply to the soak's users (the lockout and Okta Verify checks would see
// it).
func TestSoakConcurrency(t *testing.T) {
	for _, e := range emulator.Engines() {
		t.Run(string(e), func(t *testing.T) {
			t.Parallel()
			soakRun(t, e)
		})
	}
}

const (
	soakClients   = 64
	soakOVUsers   = 8  // shared users, each the target of soakClients/soakOVUsers/2 enrollers per round
	soakLockUsers = 12 // users that only ever get wrong passwords
	soakPerWindow = 4  // Okta's authn limit per username and second
)

// soakRecord is what the clients saw succeed, for the final invariants.
type soakRecord struct {
	mu sync.Mutex
	// ovEnrolled and ovDeleted count the Okta Verify enrollments and
	// deletions the Factors API confirmed, by user id.
	ovEnrolled, ovDeleted map[string]int
	// lockWrong counts the wrong passwords each lockout user was sent.
	lockWrong map[string]int
}

// soakClient is one client's own users and what it holds across rounds.
type soakClient struct {
	n          int
	pw, mf, en soakUser
	// kept are the sessions the client created and did not delete, by
	// user id.
	kept map[string][]string
	// enFactors are the factors of en it enrolled and did not delete:
	// factor id -> type.
	enFactors  map[string]string
	enTOTP     string
	enSecret   string
	enQuestion string
}

func soakRun(t *testing.T, e emulator.Engine) {
	// Each client runs half of the flows per round, alternating, so two
	// rounds run every flow once per client; -short runs one round.
	rounds := 2
	if testing.Short() {
		rounds = 1
	}
	start := time.Now()
	fx := soakFixture(t, e, soakClients, soakOVUsers, soakLockUsers)
	s := emulatortest.NewServer(t, emulatortest.WithOptions(emulator.Options{Engine: e, Seed: fx,
		Now: func() time.Time { return soakT0 }}))
	tr := &http.Transport{MaxIdleConns: 2 * soakClients, MaxIdleConnsPerHost: 2 * soakClients}
	t.Cleanup(tr.CloseIdleConnections)
	env := &soakEnv{t: t, s: s, hc: &http.Client{Transport: tr, Timeout: time.Minute}, engine: e, maxErr: 40}

	// The org-wide per-minute budgets are not under test: lift them. The
	// per-username authn limit stays.
	if r := env.do("PUT", "/_emulator/orgs/"+s.Org().Name()+"/ratelimits", false,
		map[string]any{"default": 0, "byPrefix": map[string]int{}}); r.Status != http.StatusOK {
		t.Fatalf("rate limits: %s", r)
	}
	maxAttempts := soakReadMaxAttempts(t, env)
	secondPushCause := "A factor of this type is already set up."
	if e == emulator.Identity {
		secondPushCause = "Maximum number of enrollments reached for factorType push."
	}

	clients := make([]*soakClient, soakClients)
	for c := range clients {
		clients[c] = &soakClient{n: c, pw: soakMakeUser("pw", c), mf: soakMakeUser("mf", c), en: soakMakeUser("en", c),
			kept: map[string][]string{}, enFactors: map[string]string{}}
	}
	ov := make([]soakUser, soakOVUsers)
	for k := range ov {
		ov[k] = soakMakeUser("ov", k)
	}
	lock := make([]soakUser, soakLockUsers)
	lockWant := map[string]int{}
	ks := []int{1, maxAttempts - 1, maxAttempts, maxAttempts + 1, maxAttempts + 3, soakPerWindow * rounds}
	for j := range lock {
		lock[j] = soakMakeUser("lk", j)
		lockWant[lock[j].ID] = min(ks[j%len(ks)], soakPerWindow*rounds)
	}
	// schedule[round][client] lists the lockout users the client sends a
	// wrong password to in that round: at most soakPerWindow per user and
	// round, spread over the clients.
	schedule := make([][][]soakUser, rounds)
	for r := range schedule {
		schedule[r] = make([][]soakUser, soakClients)
	}
	for j, u := range lock {
		for a := range lockWant[u.ID] {
			r, c := a/soakPerWindow, (j*5+a*3)%soakClients
			schedule[r][c] = append(schedule[r][c], u)
		}
	}

	// Factors before the soak (Identity Engine lists an email factor of
	// its own), to compare the final factors with.
	before := env.consoleUsers()
	for _, cl := range clients {
		for _, f := range before[cl.en.ID].Factors {
			cl.enFactors[f.ID] = f.FactorType
		}
	}
	for _, u := range ov {
		if n := soakCount(before[u.ID], "push"); n != 0 {
			t.Fatalf("%s starts with %d push factors", u.Login, n)
		}
	}

	setup := time.Since(start)
	rec := &soakRecord{ovEnrolled: map[string]int{}, ovDeleted: map[string]int{}, lockWrong: map[string]int{}}
	for r := range rounds {
		var wg sync.WaitGroup
		for _, cl := range clients {
			wg.Add(1)
			go func() {
				defer wg.Done()
				flows := []func(){
					func() { soakLockFlow(env, rec, schedule[r][cl.n]) },
					func() { soakPolicyFlow(env, rec, cl, r) },
				}
				if (cl.n+r)%2 == 0 {
					flows = append(flows, func() { soakPasswordFlow(env, rec, cl) }, func() { soakMFAFlow(env, rec, cl) })
				} else {
					flows = append(flows, func() { soakEnrollFlow(env, rec, cl) },
						func() { soakOVFlow(env, rec, cl, ov[(cl.n/2)%soakOVUsers], secondPushCause) })
				}
				for i := range flows {
					flows[(i+cl.n/2)%len(flows)]()
				}
			}()
		}
		wg.Wait()
		// Between rounds: never a second Okta Verify, and the count is
		// what the clients saw succeed.
		now := env.consoleUsers()
		rec.mu.Lock()
		for _, u := range ov {
			got, want := soakCount(now[u.ID], "push"), rec.ovEnrolled[u.ID]-rec.ovDeleted[u.ID]
			if got > 1 || got != want {
				t.Errorf("round %d: %s has %d push factors; clients saw %d enrolled, %d deleted", r, u.Login, got,
					rec.ovEnrolled[u.ID], rec.ovDeleted[u.ID])
			}
			if e == emulator.Identity && soakCountProvider(now[u.ID], "token:software:totp", "OKTA") > 1 {
				t.Errorf("round %d: %s has more than one Okta Verify TOTP", r, u.Login)
			}
		}
		rec.mu.Unlock()
		s.Org().Advance(31 * time.Second)
	}

	soakCheckFinal(t, env, rec, clients, ov, lock, lockWant, maxAttempts)
	t.Logf("%s: %d clients × %d rounds, %d requests; setup %v, total %v", e, soakClients, rounds, env.ops.Load(),
		setup.Round(time.Millisecond), time.Since(start).Round(time.Millisecond))
}

// soakReadMaxAttempts is maxAttempts of the default password policy.
func soakReadMaxAttempts(t *testing.T, env *soakEnv) int {
	r := env.do("GET", "/api/v1/policies?type=PASSWORD", true, nil)
	if r.Status != http.StatusOK {
		t.Fatalf("password policies: %s", r)
	}
	for _, p := range r.List {
		p, _ := p.(map[string]any)
		if sys, _ := p["system"].(bool); !sys {
			continue
		}
		pw, _ := p["settings"].(map[string]any)["password"].(map[string]any)
		lo, _ := pw["lockout"].(map[string]any)
		if n, ok := lo["maxAttempts"].(float64); ok {
			if int(n) != soakMaxAttempts {
				t.Fatalf("default password policy: maxAttempts %v, want the soak fixture's %d", n, soakMaxAttempts)
			}
			return int(n)
		}
	}
	t.Fatalf("no default password policy with lockout.maxAttempts: %s", r)
	return 0
}

func soakCount(u soakConsoleUser, factorType string) int {
	n := 0
	for _, f := range u.Factors {
		if f.FactorType == factorType {
			n++
		}
	}
	return n
}

func soakCountProvider(u soakConsoleUser, factorType, provider string) int {
	n := 0
	for _, f := range u.Factors {
		if f.FactorType == factorType && f.Provider == provider {
			n++
		}
	}
	return n
}

// soakRace sends the same request from n goroutines at once and returns
// the answers.
func soakRace(env *soakEnv, n int, method, path string, ssws bool, body any) []soakResp {
	out := make([]soakResp, n)
	var wg sync.WaitGroup
	for i := range out {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out[i] = env.do(method, path, ssws, body)
		}()
	}
	wg.Wait()
	return out
}

// soakExactlyOne checks that exactly one of rs has status ok and every
// other is the error status/code.
func soakExactlyOne(env *soakEnv, what string, rs []soakResp, ok, errStatus int, errCode string) {
	n := 0
	for _, r := range rs {
		if r.Status == ok {
			n++
			continue
		}
		env.expect(what, r, errStatus, errCode)
	}
	if n != 1 {
		env.errorf("soak: %s: %d of %d concurrent requests got %d, want exactly 1: %v", what, n, len(rs), ok, rs)
	}
}

// soakCreateSession redeems a sessionToken from two goroutines at once:
// exactly one gets the user's session, the others 401 E0000004; a later
// replay is 401 E0000004 too. It returns the session id.
func soakCreateSession(env *soakEnv, rec *soakRecord, u soakUser, token string) string {
	body := map[string]any{"sessionToken": token}
	rs := soakRace(env, 2, "POST", "/api/v1/sessions", false, body)
	sid := ""
	for _, r := range rs {
		switch {
		case r.Status == http.StatusOK && sid == "":
			sid = r.Str("id")
			if got := r.Str("userId"); got != u.ID {
				env.errorf("soak: session %s from %s's sessionToken belongs to %s", sid, u.Login, got)
			}
		case r.Status == http.StatusOK:
			env.errorf("soak: %s's sessionToken redeemed twice: sessions %s and %s", u.Login, sid, r.Str("id"))
		default:
			env.expect("concurrent redemption of "+u.Login+"'s sessionToken", r, http.StatusUnauthorized, "E0000004")
		}
	}
	if sid == "" {
		env.errorf("soak: %s's sessionToken redeemed by none of %d concurrent requests", u.Login, len(rs))
	}
	env.expect("replayed sessionToken of "+u.Login, env.do("POST", "/api/v1/sessions", false, body), http.StatusUnauthorized, "E0000004")
	return sid
}

// soakPasswordFlow: a wrong password (401, no token), a correct one
// (SUCCESS), a session from it, read and refreshed; odd clients delete it.
func soakPasswordFlow(env *soakEnv, rec *soakRecord, cl *soakClient) {
	u := cl.pw
	r := env.do("POST", "/api/v1/authn", false, map[string]any{"username": u.Login, "password": "Wrong-" + synth.Password})
	env.expect("wrong password for "+u.Login, r, http.StatusUnauthorized, "E0000004")
	if r.Str("sessionToken") != "" || r.Str("stateToken") != "" {
		env.errorf("soak: wrong password for %s answered a token: %s", u.Login, r)
	}
	r = env.do("POST", "/api/v1/authn", false, map[string]any{"username": u.Login, "password": synth.Password})
	if !env.expect("sign-in of "+u.Login, r, http.StatusOK, "") || r.Str("status") != "SUCCESS" || r.Str("sessionToken") == "" {
		env.errorf("soak: sign-in of %s: %s", u.Login, r)
		return
	}
	sid := soakCreateSession(env, rec, u, r.Str("sessionToken"))
	if sid == "" {
		return
	}
	r = env.do("GET", "/api/v1/sessions/"+sid, true, nil)
	if env.expect("get session of "+u.Login, r, http.StatusOK, "") && (r.Str("userId") != u.ID || r.Str("status") != "ACTIVE") {
		env.errorf("soak: session %s of %s: %s", sid, u.Login, r)
	}
	env.expect("refresh session of "+u.Login, env.do("POST", "/api/v1/sessions/"+sid+"/lifecycle/refresh", true, nil), http.StatusOK, "")
	if cl.n%2 == 0 {
		cl.kept[u.ID] = append(cl.kept[u.ID], sid)
		return
	}
	soakExactlyOne(env, "delete session of "+u.Login, soakRace(env, 2, "DELETE", "/api/v1/sessions/"+sid, true, nil),
		http.StatusNoContent, http.StatusNotFound, "E0000007")
	env.expect("get deleted session of "+u.Login, env.do("GET", "/api/v1/sessions/"+sid, true, nil), http.StatusNotFound, "E0000007")
}

// soakMFAFlow: password, a wrong TOTP (403 E0000068), the right TOTP
// (SUCCESS); the stateToken is then dead (401 E0000011) and the
// sessionToken single-use. The session is kept.
func soakMFAFlow(env *soakEnv, rec *soakRecord, cl *soakClient) {
	u := cl.mf
	r := env.do("POST", "/api/v1/authn", false, map[string]any{"username": u.Login, "password": synth.Password})
	if !env.expect("sign-in of "+u.Login, r, http.StatusOK, "") || r.Str("status") != "MFA_REQUIRED" || r.Str("stateToken") == "" {
		env.errorf("soak: sign-in of %s: %s", u.Login, r)
		return
	}
	st := r.Str("stateToken")
	fid := ""
	emb, _ := r.Body["_embedded"].(map[string]any)
	fs, _ := emb["factors"].([]any)
	for _, f := range fs {
		f, _ := f.(map[string]any)
		if f["factorType"] == "token:software:totp" && f["provider"] == "GOOGLE" {
			fid, _ = f["id"].(string)
		}
	}
	if fid == "" {
		env.errorf("soak: %s: MFA_REQUIRED lists no Google TOTP: %s", u.Login, r)
		return
	}
	now := env.s.Org().Now()
	wrong, err := soakWrongCode(now, u.Secret)
	if err != nil {
		env.errorf("soak: totp: %v", err)
		return
	}
	path := "/api/v1/authn/factors/" + fid + "/verify"
	env.expect("wrong passCode of "+u.Login, env.do("POST", path, false, map[string]any{"stateToken": st, "passCode": wrong}),
		http.StatusForbidden, "E0000068")
	// The right passCode, twice at once: one SUCCESS; the other finds the
	// transaction done (401 E0000011) or the code used (403 E0000068).
	code, _ := soakCode(now, u.Secret)
	rs := soakRace(env, 2, "POST", path, false, map[string]any{"stateToken": st, "passCode": code})
	tok := ""
	for _, r := range rs {
		switch {
		case r.Status == http.StatusOK && r.Str("status") == "SUCCESS" && r.Str("sessionToken") != "" && tok == "":
			tok = r.Str("sessionToken")
		case r.Status == http.StatusOK:
			env.errorf("soak: concurrent verify of %s: a second answer %s", u.Login, r)
		case (r.Status == http.StatusUnauthorized && r.ErrorCode() == "E0000011") ||
			(r.Status == http.StatusForbidden && r.ErrorCode() == "E0000068"):
		default:
			env.errorf("soak: concurrent verify of %s: %s, want 200, 401 E0000011 or 403 E0000068", u.Login, r)
		}
	}
	if tok == "" {
		env.errorf("soak: verify of %s: no SUCCESS among %v", u.Login, rs)
		return
	}
	env.expect("used stateToken of "+u.Login, env.do("POST", "/api/v1/authn", false, map[string]any{"stateToken": st}),
		http.StatusUnauthorized, "E0000011")
	env.expect("verify with used stateToken of "+u.Login, env.do("POST", path, false, map[string]any{"stateToken": st, "passCode": code}),
		http.StatusUnauthorized, "E0000011")
	if sid := soakCreateSession(env, rec, u, tok); sid != "" {
		cl.kept[u.ID] = append(cl.kept[u.ID], sid)
	}
}

// soakEnrollFlow drives the client's own en user through the Factors API:
// Google TOTP enrolled, activated and verified; a security question
// enrolled and verified, deleted by odd clients; a second factor of a type
// already set up is refused.
func soakEnrollFlow(env *soakEnv, rec *soakRecord, cl *soakClient) {
	u := cl.en
	base := "/api/v1/users/" + u.ID + "/factors"
	now := env.s.Org().Now()
	totpBody := map[string]any{"factorType": "token:software:totp", "provider": "GOOGLE"}
	r := env.do("POST", base, true, totpBody)
	if !env.expect("enroll Google TOTP for "+u.Login, r, http.StatusOK, "") {
		return
	}
	emb, _ := r.Body["_embedded"].(map[string]any)
	act, _ := emb["activation"].(map[string]any)
	secret, _ := act["sharedSecret"].(string)
	if r.Str("status") != "PENDING_ACTIVATION" || secret == "" {
		env.errorf("soak: enroll Google TOTP for %s: %s", u.Login, r)
		return
	}
	fid := r.Str("id")
	cl.enFactors[fid] = "token:software:totp"
	code, _ := soakCode(now, secret)
	r = env.do("POST", base+"/"+fid+"/lifecycle/activate", true, map[string]any{"passCode": code})
	if env.expect("activate Google TOTP of "+u.Login, r, http.StatusOK, "") && r.Str("status") != "ACTIVE" {
		env.errorf("soak: activate Google TOTP of %s: %s", u.Login, r)
	}
	// The activation used this step's code: the same code is a replay,
	// the next step's (within the ±1 skew) is good once.
	env.expect("replayed TOTP of "+u.Login, env.do("POST", base+"/"+fid+"/verify", true, map[string]any{"passCode": code}),
		http.StatusForbidden, "E0000068")
	next, _ := soakCode(now.Add(30*time.Second), secret)
	r = env.do("POST", base+"/"+fid+"/verify", true, map[string]any{"passCode": next})
	if env.expect("verify Google TOTP of "+u.Login, r, http.StatusOK, "") && r.Str("factorResult") != "SUCCESS" {
		env.errorf("soak: verify Google TOTP of %s: %s", u.Login, r)
	}
	env.expect("second Google TOTP for "+u.Login, env.do("POST", base, true, totpBody), http.StatusBadRequest, "E0000001")

	answer := fmt.Sprintf("soak answer %d", cl.n)
	question := map[string]any{"factorType": "question", "provider": "OKTA",
		"profile": map[string]any{"question": "disliked_food", "answer": answer}}
	r = env.do("POST", base, true, question)
	if !env.expect("enroll question for "+u.Login, r, http.StatusOK, "") {
		return
	}
	if r.Str("status") != "ACTIVE" || r.Str("id") == "" {
		env.errorf("soak: enroll question for %s: %s", u.Login, r)
		return
	}
	qid := r.Str("id")
	cl.enFactors[qid] = "question"
	r = env.do("POST", base+"/"+qid+"/verify", true, map[string]any{"answer": answer})
	if env.expect("verify question of "+u.Login, r, http.StatusOK, "") && r.Str("factorResult") != "SUCCESS" {
		env.errorf("soak: verify question of %s: %s", u.Login, r)
	}
	env.expect("second question for "+u.Login, env.do("POST", base, true, question), http.StatusBadRequest, "E0000001")
	if cl.n%2 == 0 {
		return
	}
	soakExactlyOne(env, "delete question of "+u.Login, soakRace(env, 2, "DELETE", base+"/"+qid, true, nil),
		http.StatusNoContent, http.StatusNotFound, "E0000007")
	delete(cl.enFactors, qid)
	env.expect("get deleted question of "+u.Login, env.do("GET", base+"/"+qid, true, nil), http.StatusNotFound, "E0000007")
}

// soakOVFlow: every client tries to enroll Okta Verify (push) for its
// shared user, racing the others; half of them first delete the push
// factor they find, racing the enrollers and each other (204 or 404).
func soakOVFlow(env *soakEnv, rec *soakRecord, cl *soakClient, u soakUser, secondCause string) {
	base := "/api/v1/users/" + u.ID + "/factors"
	if (cl.n/(2*soakOVUsers))%2 == 1 {
		r := env.do("GET", base, true, nil)
		if !env.expect("list factors of "+u.Login, r, http.StatusOK, "") {
			return
		}
		for _, f := range r.List {
			f, _ := f.(map[string]any)
			if f["factorType"] != "push" {
				continue
			}
			id, _ := f["id"].(string)
			d := env.do("DELETE", base+"/"+id, true, nil)
			switch {
			case d.Status == http.StatusNoContent:
				rec.mu.Lock()
				rec.ovDeleted[u.ID]++
				rec.mu.Unlock()
			case d.Status != http.StatusNotFound || d.ErrorCode() != "E0000007":
				env.errorf("soak: delete Okta Verify of %s: %s", u.Login, d)
			}
		}
	}
	r := env.do("POST", base, true, map[string]any{"factorType": "push", "provider": "OKTA"})
	switch r.Status {
	case http.StatusOK:
		if r.Str("factorType") != "push" || r.Str("status") != "PENDING_ACTIVATION" {
			env.errorf("soak: enroll Okta Verify for %s: %s", u.Login, r)
		}
		rec.mu.Lock()
		rec.ovEnrolled[u.ID]++
		rec.mu.Unlock()
	case http.StatusBadRequest:
		causes, _ := r.Body["errorCauses"].([]any)
		var got []string
		for _, c := range causes {
			c, _ := c.(map[string]any)
			s, _ := c["errorSummary"].(string)
			got = append(got, s)
		}
		if r.ErrorCode() != "E0000001" || !slices.Contains(got, secondCause) {
			env.errorf("soak: second Okta Verify for %s: %s, want 400 E0000001 cause %q", u.Login, r, secondCause)
		}
	default:
		env.errorf("soak: enroll Okta Verify for %s: %s", u.Login, r)
	}
}

// soakLockFlow sends the scheduled wrong passwords: each is 401 E0000004,
// with no token, whether or not the user is locked yet.
func soakLockFlow(env *soakEnv, rec *soakRecord, users []soakUser) {
	for _, u := range users {
		r := env.do("POST", "/api/v1/authn", false, map[string]any{"username": u.Login, "password": "Wrong-" + synth.Password})
		if env.expect("wrong password for "+u.Login, r, http.StatusUnauthorized, "E0000004") {
			rec.mu.Lock()
			rec.lockWrong[u.ID]++
			rec.mu.Unlock()
		}
		if r.Str("sessionToken") != "" || r.Str("stateToken") != "" {
			env.errorf("soak: wrong password for %s answered a token: %s", u.Login, r)
		}
	}
}

// soakPolicyFlow: an eighth of the clients edit the policies of the empty
// group (lockout after 1-3 failures, Okta Verify not allowed) and switch
// them and their rules off and on, while everyone else signs in and
// enrolls under the default policies.
func soakPolicyFlow(env *soakEnv, rec *soakRecord, cl *soakClient, round int) {
	if cl.n%8 != 1 {
		return
	}
	const pw, mfa = "/api/v1/policies/00psoakpassword00000", "/api/v1/policies/00psoakmfaenroll0000"
	r := env.do("GET", pw, true, nil)
	if !env.expect("get soak password policy", r, http.StatusOK, "") {
		return
	}
	settings, _ := r.Body["settings"].(map[string]any)
	p, _ := settings["password"].(map[string]any)
	lo, _ := p["lockout"].(map[string]any)
	if lo == nil {
		env.errorf("soak: soak password policy has no lockout: %s", r)
		return
	}
	lo["maxAttempts"] = 1 + (cl.n+round)%3
	put := map[string]any{"type": r.Body["type"], "name": r.Body["name"], "priority": r.Body["priority"],
		"conditions": r.Body["conditions"], "settings": settings}
	env.expect("replace soak password policy", env.do("PUT", pw, true, put), http.StatusOK, "")
	verb := []string{"deactivate", "activate"}[(cl.n/8+round)%2]
	soakExpectAnyOf(env, "policy "+verb, env.do("POST", mfa+"/lifecycle/"+verb, true, nil), http.StatusOK, http.StatusNoContent)
	soakExpectAnyOf(env, "rule "+verb, env.do("POST", pw+"/rules/0prsoakpassword00000/lifecycle/"+verb, true, nil),
		http.StatusOK, http.StatusNoContent)
	soakExpectAnyOf(env, "rule "+verb, env.do("POST", mfa+"/rules/0prsoakmfaenroll0000/lifecycle/"+verb, true, nil),
		http.StatusOK, http.StatusNoContent)
}

func soakExpectAnyOf(env *soakEnv, what string, r soakResp, statuses ...int) {
	if !slices.Contains(statuses, r.Status) {
		env.errorf("soak: %s: got %s, want one of %v", what, r, statuses)
	}
}

// soakCheckFinal checks the invariants on the org's final state.
func soakCheckFinal(t *testing.T, env *soakEnv, rec *soakRecord, clients []*soakClient, ov, lock []soakUser,
	lockWant map[string]int, maxAttempts int) {
	t.Helper()
	final := env.consoleUsers()

	// Sessions: exactly the ones the clients kept, each from a correct
	// sign-in of its user; nobody else has one.
	wantSessions := map[string][]string{}
	for _, cl := range clients {
		for uid, ids := range cl.kept {
			wantSessions[uid] = append(wantSessions[uid], ids...)
		}
	}
	gotSessions := map[string][]string{}
	for uid, u := range final {
		for _, se := range u.Sessions {
			gotSessions[uid] = append(gotSessions[uid], se.ID)
		}
	}
	for _, m := range []map[string][]string{wantSessions, gotSessions} {
		for _, ids := range m {
			sort.Strings(ids)
		}
	}
	if diff := cmp.Diff(wantSessions, gotSessions); diff != "" {
		t.Errorf("live sessions by user (-kept by clients +org):\n%s", diff)
	}

	// Factors of the en users: what they had plus what the clients
	// enrolled minus what they deleted; none lost, none duplicated.
	for _, cl := range clients {
		got := map[string]string{}
		for _, f := range final[cl.en.ID].Factors {
			if _, dup := got[f.ID]; dup {
				t.Errorf("%s: factor %s listed twice", cl.en.Login, f.ID)
			}
			got[f.ID] = f.FactorType
			if f.Status != "ACTIVE" {
				t.Errorf("%s: factor %s (%s) is %s", cl.en.Login, f.ID, f.FactorType, f.Status)
			}
		}
		if diff := cmp.Diff(cl.enFactors, got); diff != "" {
			t.Errorf("%s factors (-recorded +org):\n%s", cl.en.Login, diff)
		}
	}

	// Okta Verify: never two, and the count is what the clients saw.
	for _, u := range ov {
		got, want := soakCount(final[u.ID], "push"), rec.ovEnrolled[u.ID]-rec.ovDeleted[u.ID]
		if got > 1 || got != want {
			t.Errorf("%s: %d push factors; clients saw %d enrolled, %d deleted", u.Login, got, rec.ovEnrolled[u.ID], rec.ovDeleted[u.ID])
		}
		if rec.ovEnrolled[u.ID] == 0 {
			t.Errorf("%s: no Okta Verify enrollment succeeded", u.Login)
		}
	}

	// Lockout: exactly K wrong passwords; locked iff K >= maxAttempts. The
	// users with other flows never lock (their successes reset the count).
	gotWrong := map[string]int{}
	for _, u := range lock {
		gotWrong[u.ID] = rec.lockWrong[u.ID]
	}
	if diff := cmp.Diff(lockWant, gotWrong); diff != "" {
		t.Errorf("wrong passwords sent (-scheduled +answered 401):\n%s", diff)
	}
	env.s.Org().Advance(31 * time.Second)
	for _, u := range lock {
		want := "ACTIVE"
		if lockWant[u.ID] >= maxAttempts {
			want = "LOCKED_OUT"
		}
		if got := final[u.ID].Status; got != want {
			t.Errorf("%s got %d wrong passwords (maxAttempts %d): status %s, want %s", u.Login, lockWant[u.ID], maxAttempts, got, want)
		}
		r := env.do("POST", "/api/v1/authn", false, map[string]any{"username": u.Login, "password": synth.Password})
		if want == "ACTIVE" && (r.Status != http.StatusOK || r.Str("status") != "SUCCESS") {
			t.Errorf("%s after %d wrong passwords: correct password got %s, want SUCCESS", u.Login, lockWant[u.ID], r)
		}
		if want == "LOCKED_OUT" && (r.Status != http.StatusUnauthorized || r.ErrorCode() != "E0000004") {
			t.Errorf("%s (locked) with the correct password: got %s, want 401 E0000004", u.Login, r)
		}
	}
	for _, cl := range clients {
		for _, u := range []soakUser{cl.pw, cl.mf, cl.en} {
			if got := final[u.ID].Status; got != "ACTIVE" {
				t.Errorf("%s: status %s, want ACTIVE", u.Login, got)
			}
		}
	}
}
