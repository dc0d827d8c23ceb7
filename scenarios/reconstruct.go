package scenarios

import (
	"crypto/sha1"
	"encoding/base32"
	"fmt"
	"net/url"
	"regexp"
	"sort"
	"strings"

	"github.com/oktaemu/oktaemu/fixtures"
)

// Reconstruction is what a recording shows about the org it ran against:
// the users it read, the apps it named as `audience`, the factors it
// listed, the policies it read or updated — entities the scenario never
// created but relies on. Replayed on a fresh emulated org, a recording
// would otherwise fail for want of the customer's data rather than
// because the engine differs.
type Reconstruction struct {
	// Org holds the entities to add to the starting fixture (never the
	// ones the scenario creates itself).
	Org *fixtures.Org
	// Secrets are values chosen for redacted client secrets that do not
	// change during a run: <password:N>, <answer:N> (the value the
	// reconstructed user holds, or one that differs when the recording
	// shows the secret was refused) and <apiToken:N> ({{token}}, the
	// runner's API token).
	Secrets map[string]string
	// PassCodes are the redacted one-time codes, computed at replay time
	// (TOTP from the factor's secret, or read from the org's outbox): the
	// value tells whether the recording shows the code was accepted.
	PassCodes map[string]bool
	// TOTPSecrets are the base32 secrets of the TOTP factors known before
	// the run (fixture and reconstructed), by factor id.
	TOTPSecrets map[string]string
	// FactorTypes are the factorType of every factor known before the run.
	FactorTypes map[string]string
}

// ReplayPassword is the password given to reconstructed users when the
// recording redacted theirs; it meets the default password policy.
const replayPasswordFmt = "Replay-Pa55word-%d!"

var (
	usersPathRE    = regexp.MustCompile(`^/api/v1/users/([^/?]+)`)
	factorPathRE   = regexp.MustCompile(`^/api/v1/users/([^/?]+)/factors/([^/?]+)`)
	authnFactorRE  = regexp.MustCompile(`^/api/v1/authn/factors/([^/?]+)`)
	policyPathRE   = regexp.MustCompile(`^/api/v1/policies/([^/?]+)`)
	appPathRE      = regexp.MustCompile(`^/api/v1/apps/([^/?]+)`)
	groupPathRE    = regexp.MustCompile(`^/api/v1/groups/([^/?]+)`)
	creationPathRE = regexp.MustCompile(`^/api/v1/(users|groups|apps|policies|users/[^/]+/factors|policies/[^/]+/rules|authn/factors)$`)
)

// recon is the state of one reconstruction walk.
type recon struct {
	base     *fixtures.Org
	eng      string
	created  map[string]bool // ids the scenario itself created
	users    map[string]*fixtures.User
	order    []string // user ids, in first-seen order
	apps     map[string]*fixtures.App
	appOrder []string
	groups   map[string]bool
	policies map[string]*fixtures.Policy
	polOrder []string
	mfa      map[string]bool // user ids the recording shows prompted for MFA
	enrolled map[string]bool // user ids the scenario enrolled a factor for

	// secrets by placeholder: accepted (true) or refused (false), and for
	// whom.
	passwordOK  map[string]bool
	passwordFor map[string]string // placeholder -> user id (accepted sign-in)
	answerOK    map[string]bool
	answerFor   map[string]answerUse
	passCodes   map[string]bool
	apiTokens   map[string]bool
	loginToID   map[string]string
}

type answerUse struct {
	uid, fid string // fid empty: the recovery question
}

// Reconstruct walks the recorded exchanges of s (the answers of the engine
// that recorded them) and derives the entities and secrets a replay needs
// on an org seeded from base. Entities already in base are not repeated;
// the scenario's own Setup is applied on top by the caller.
func Reconstruct(s *Scenario, base *fixtures.Org) *Reconstruction {
	r := &recon{base: base, eng: s.Source.Engine, created: map[string]bool{}, users: map[string]*fixtures.User{},
		apps: map[string]*fixtures.App{}, groups: map[string]bool{}, policies: map[string]*fixtures.Policy{}, mfa: map[string]bool{}, enrolled: map[string]bool{},
		passwordOK: map[string]bool{}, passwordFor: map[string]string{}, answerOK: map[string]bool{}, answerFor: map[string]answerUse{},
		passCodes: map[string]bool{}, apiTokens: map[string]bool{}, loginToID: map[string]string{}}
	if base != nil {
		for _, u := range base.Users {
			if login, _ := u.Profile["login"].(string); login != "" && u.ID != "" {
				r.loginToID[strings.ToLower(login)] = u.ID
			}
		}
	}
	flowUser := "" // the user the current authn/recovery transaction is about
	for i := range s.Exchanges {
		x := &s.Exchanges[i]
		resp := r.recorded(x)
		p, rawQuery, _ := strings.Cut(x.Request.Path, "?")
		if u, err := url.Parse(x.Request.Path); err == nil && u.Host != "" {
			p, rawQuery = u.Path, u.RawQuery
		}
		p = stripOrgPrefix(p)
		ok := resp != nil && resp.Status > 0 && resp.Status < 400
		body, _ := x.Request.Body.(map[string]any)

		for _, v := range x.Request.Headers {
			for _, m := range placeholderInRE.FindAllStringSubmatch(v, -1) {
				if m[1] == KindAPIToken {
					r.apiTokens[m[0]] = true
				}
			}
		}

		// Who is this exchange about?
		if m := usersPathRE.FindStringSubmatch(p); m != nil && m[1] != "me" {
			if !r.created[m[1]] {
				r.user(m[1], nil)
			}
		}
		if resp != nil {
			if emb, ok := lookupMap(resp.Body, "_embedded", "user"); ok {
				if id, _ := emb["id"].(string); id != "" {
					flowUser = id
					if !r.created[id] {
						r.user(id, emb)
					}
				}
			}
		}
		username, _ := body["username"].(string)
		if username != "" && (p == "/api/v1/authn" || strings.HasPrefix(p, "/api/v1/authn/recovery/")) {
			if id := r.idForLogin(username); id != "" {
				flowUser = id
			} else if strings.HasPrefix(p, "/api/v1/authn/recovery/") && ok {
				// A recovery that went on (RECOVERY_CHALLENGE with a
				// stateToken) shows the user exists.
				flowUser = r.syntheticUser(username)
			}
		}

		switch {
		case p == "/api/v1/authn" && x.Request.Method == "POST":
			if pw, _ := body["password"].(string); pw != "" {
				r.password(pw, ok, flowUser)
			}
			if aud, _ := body["audience"].(string); aud != "" && ok {
				// The step-up answer names the app (authn.md §4.4).
				var obj map[string]any
				if resp != nil {
					if tg, ok := lookupMap(resp.Body, "_embedded", "target"); ok {
						obj = map[string]any{"name": tg["name"], "label": tg["label"]}
					}
					if p, ok := lookupString(resp.Body, "_embedded", "authentication", "protocol"); ok && obj != nil {
						obj["signOnMode"] = map[string]string{"SAML2.0": "SAML_2_0", "SAML1.1": "SAML_1_1", "WS-FED": "WS_FEDERATION"}[p]
					}
				}
				r.app(aud, obj)
			}
			if resp != nil {
				if st, _ := lookupString(resp.Body, "status"); st == "MFA_REQUIRED" || st == "MFA_CHALLENGE" {
					r.mfa[flowUser] = true
				}
				r.authnFactors(flowUser, resp.Body)
			}
		case p == "/api/v1/authn/recovery/answer":
			if a, _ := body["answer"].(string); a != "" {
				r.answer(a, ok, answerUse{uid: flowUser})
			}
		case p == "/api/v1/authn/credentials/change_password" || p == "/api/v1/authn/credentials/reset_password":
			if pw, _ := body["oldPassword"].(string); pw != "" {
				r.password(pw, ok, flowUser)
			}
		}
		if m := authnFactorRE.FindStringSubmatch(p); m != nil && resp != nil {
			r.authnFactors(flowUser, resp.Body)
			if a, _ := body["answer"].(string); a != "" {
				r.answer(a, ok, answerUse{uid: flowUser, fid: m[1]})
			}
		}
		if m := factorPathRE.FindStringSubmatch(p); m != nil {
			if a, _ := body["answer"].(string); a != "" {
				r.answer(a, ok, answerUse{uid: m[1], fid: m[2]})
			}
		}
		for _, k := range []string{"passCode", "nextPassCode"} {
			if pc, _ := body[k].(string); pc != "" {
				if _, isPH := IsPlaceholder(pc); isPH {
					r.passCodes[pc] = r.passCodes[pc] || ok
				}
			}
		}
		if x.Request.Method == "POST" && (strings.HasSuffix(p, "/factors") && usersPathRE.MatchString(p) || p == "/api/v1/authn/factors") {
			// After an enrollment, factors not seen before are the
			// scenario's (Identity Engine enrolls Okta Verify TOTP and
			// FastPass along with push: engines.md row 8).
			uid := flowUser
			if m := usersPathRE.FindStringSubmatch(p); m != nil {
				uid = m[1]
			}
			r.enrolled[uid] = true
		}

		// What does the response show?
		if resp == nil || !ok {
			continue
		}
		if x.Request.Method == "POST" && creationPathRE.MatchString(p) {
			if id, _ := lookupString(resp.Body, "id"); id != "" {
				r.created[id] = true
			}
			if p == "/api/v1/users" {
				continue
			}
		}
		r.responseEntities(p, rawQuery, x.Request.Method, body, resp.Body)
	}
	// Client secrets that appear only where the outcome says nothing
	// (a password set by an admin, a new password) still need a value.
	for i := range s.Exchanges {
		mapRequest(s.Exchanges[i].Request, func(v string) string {
			for _, m := range placeholderInRE.FindAllStringSubmatch(v, -1) {
				switch m[1] {
				case KindPassword:
					r.passwordOK[m[0]] = r.passwordOK[m[0]] || false
				case KindAnswer:
					r.answerOK[m[0]] = r.answerOK[m[0]] || false
				case KindAPIToken:
					r.apiTokens[m[0]] = true
				}
			}
			return v
		})
	}
	return r.result()
}

// recorded picks the response the recording engine gave.
func (r *recon) recorded(x *Exchange) *Response {
	if r.eng != "" {
		if e, ok := x.Engines[r.eng]; ok && e != nil {
			return e
		}
	}
	if x.Response != nil {
		return x.Response
	}
	for _, k := range []string{Classic, Identity} {
		if e := x.Engines[k]; e != nil {
			return e
		}
	}
	return nil
}

func (r *recon) inBase(kind, id string) bool {
	if r.base == nil || id == "" {
		return false
	}
	switch kind {
	case "user":
		for _, u := range r.base.Users {
			if u.ID == id {
				return true
			}
		}
	case "app":
		for _, a := range r.base.Apps {
			if a.ID == id {
				return true
			}
		}
	case "policy":
		for _, p := range r.base.Policies {
			if p.ID == id {
				return true
			}
		}
	case "group":
		for _, g := range r.base.Groups {
			if g.ID == id || g.Name == id {
				return true
			}
		}
	}
	return false
}

func (r *recon) baseUser(id string) *fixtures.User {
	if r.base == nil {
		return nil
	}
	for i := range r.base.Users {
		if r.base.Users[i].ID == id {
			return &r.base.Users[i]
		}
	}
	return nil
}

func (r *recon) idForLogin(login string) string {
	if _, ph := IsPlaceholder(login); ph {
		return ""
	}
	if id, ok := r.loginToID[strings.ToLower(login)]; ok {
		return id
	}
	return ""
}

// syntheticUser adds a user known only by login.
func (r *recon) syntheticUser(login string) string {
	id := "00u" + shortHash(login, 17)
	r.user(id, map[string]any{"profile": map[string]any{"login": login}})
	return id
}

// user records a user (obj is a Users API object or an authn
// _embedded.user) unless the base fixture has it.
func (r *recon) user(id string, obj map[string]any) {
	if !strings.HasPrefix(id, "00u") || r.inBase("user", id) {
		if r.inBase("user", id) && obj != nil {
			if login, _ := lookupString(obj, "profile", "login"); login != "" {
				r.loginToID[strings.ToLower(login)] = id
			}
		}
		return
	}
	u := r.users[id]
	if u == nil {
		u = &fixtures.User{ID: id, Profile: map[string]any{}}
		r.users[id] = u
		r.order = append(r.order, id)
	}
	if obj == nil {
		return
	}
	if prof, ok := obj["profile"].(map[string]any); ok {
		for _, k := range []string{"login", "email", "firstName", "lastName", "mobilePhone", "secondEmail", "locale", "timeZone"} {
			if v, ok := prof[k].(string); ok && v != "" {
				u.Profile[k] = v
			}
		}
	}
	if st, _ := obj["status"].(string); st != "" && oneOfStr(st, "STAGED", "PROVISIONED", "ACTIVE", "RECOVERY", "PASSWORD_EXPIRED", "LOCKED_OUT", "SUSPENDED", "DEPROVISIONED") {
		u.Status = st
	}
	if login, _ := u.Profile["login"].(string); login != "" {
		r.loginToID[strings.ToLower(login)] = id
	}
}

func (r *recon) app(id string, obj map[string]any) {
	if r.inBase("app", id) || r.created[id] {
		return
	}
	a := r.apps[id]
	if a == nil {
		a = &fixtures.App{ID: id, Name: "reconstructed_" + strings.ToLower(id), Label: "Reconstructed " + id, SignOnMode: "SAML_2_0"}
		r.apps[id] = a
		r.appOrder = append(r.appOrder, id)
	}
	if obj != nil {
		if v, _ := obj["name"].(string); v != "" {
			a.Name = v
		}
		if v, _ := obj["label"].(string); v != "" {
			a.Label = v
		}
		if v, _ := obj["signOnMode"].(string); v != "" {
			a.SignOnMode = v
		}
	}
}

func (r *recon) password(v string, ok bool, uid string) {
	if _, ph := IsPlaceholder(v); !ph {
		// A literal password: the user holds it if the sign-in worked.
		if ok && uid != "" {
			if u := r.users[uid]; u != nil && u.Password == "" {
				u.Password = v
			}
		}
		return
	}
	r.passwordOK[v] = r.passwordOK[v] || ok
	if ok && uid != "" {
		if _, seen := r.passwordFor[v]; !seen {
			r.passwordFor[v] = uid
		}
	}
}

func (r *recon) answer(v string, ok bool, use answerUse) {
	if _, ph := IsPlaceholder(v); !ph {
		if ok {
			r.setAnswer(use, v)
		}
		return
	}
	r.answerOK[v] = r.answerOK[v] || ok
	if ok {
		if _, seen := r.answerFor[v]; !seen {
			r.answerFor[v] = use
		}
	}
}

func (r *recon) setAnswer(use answerUse, v string) {
	u := r.users[use.uid]
	if u == nil {
		return
	}
	if use.fid == "" {
		if u.RecoveryQuestion == nil {
			u.RecoveryQuestion = &fixtures.RecoveryQuestion{Question: "What is the answer to the reconstructed question?"}
		}
		u.RecoveryQuestion.Answer = v
		return
	}
	for i := range u.Factors {
		if u.Factors[i].ID == use.fid {
			u.Factors[i].Answer = v
		}
	}
}

// authnFactors records the factors an authn transaction lists for uid
// (MFA_REQUIRED: enrolled factors with ids; MFA_CHALLENGE: one factor).
func (r *recon) authnFactors(uid string, body any) {
	if uid == "" {
		return
	}
	if fs, ok := lookupSlice(body, "_embedded", "factors"); ok {
		for _, f := range fs {
			if fm, ok := f.(map[string]any); ok {
				r.factor(uid, fm)
			}
		}
	}
	if fm, ok := lookupMap(body, "_embedded", "factor"); ok {
		r.factor(uid, fm)
	}
}

// factor records an enrolled factor of uid, from a Factors API object or
// an authn factor. Factors without an id (enrollment offers) are skipped.
func (r *recon) factor(uid string, fm map[string]any) {
	id, _ := fm["id"].(string)
	typ, _ := fm["factorType"].(string)
	u := r.users[uid]
	if id == "" || typ == "" || u == nil || r.created[id] {
		return
	}
	known := false
	for _, f := range u.Factors {
		known = known || f.ID == id
	}
	if !known && r.enrolled[uid] {
		return
	}
	// In Identity Engine the verified primary email is listed as an email
	// factor without created/lastUpdated (engines.md row 2): the engine
	// adds it, the fixture must not.
	if typ == "email" {
		if _, has := fm["created"]; !has {
			return
		}
	}
	var f *fixtures.Factor
	for i := range u.Factors {
		if u.Factors[i].ID == id {
			f = &u.Factors[i]
		}
	}
	if f == nil {
		u.Factors = append(u.Factors, fixtures.Factor{ID: id, Type: typ})
		f = &u.Factors[len(u.Factors)-1]
	}
	if p, _ := fm["provider"].(string); p != "" {
		f.Provider = p
	}
	if st, _ := fm["status"].(string); st == "ACTIVE" || st == "PENDING_ACTIVATION" || st == "INACTIVE" {
		f.Status = st
	}
	prof, _ := fm["profile"].(map[string]any)
	switch typ {
	case "token:software:totp", "token:hotp":
		if f.Secret == "" {
			f.Secret = DerivedTOTPSecret(id)
		}
	case "sms", "call":
		phone, _ := prof["phoneNumber"].(string)
		if phone == "" || strings.ContainsAny(phone, "Xx*") {
			phone = "+1555" + digitsOf(shortHash(id, 12), 7)
		}
		f.Profile = map[string]any{"phoneNumber": phone}
	case "question":
		q, _ := prof["question"].(string)
		if q == "" {
			q = "disliked_food"
		}
		f.Profile = map[string]any{"question": q}
		if f.Answer == "" {
			f.Answer = "reconstructed answer " + shortHash(id, 6)
		}
	case "email":
		if e, _ := prof["email"].(string); e != "" && !strings.Contains(e, "...") {
			f.Profile = map[string]any{"email": e}
		}
	case "push":
		np := map[string]any{}
		for _, k := range []string{"credentialId", "deviceType", "name", "platform", "version"} {
			if v, _ := prof[k].(string); v != "" {
				np[k] = v
			}
		}
		if len(np) > 0 {
			f.Profile = np
		}
	}
}

// responseEntities records what a successful response shows.
func (r *recon) responseEntities(p, rawQuery, method string, reqBody map[string]any, body any) {
	switch {
	case p == "/api/v1/users" && method == "GET":
		for _, o := range slice(body) {
			if m, ok := o.(map[string]any); ok {
				if id, _ := m["id"].(string); id != "" && !r.created[id] {
					r.user(id, m)
				}
			}
		}
	case usersPathRE.MatchString(p) && !strings.Contains(strings.TrimPrefix(p, "/api/v1/users/"), "/"):
		if m, ok := body.(map[string]any); ok {
			if id, _ := m["id"].(string); id != "" && !r.created[id] {
				r.user(id, m)
			}
		}
	}
	if strings.HasSuffix(p, "/factors") && method == "GET" {
		if m := usersPathRE.FindStringSubmatch(p); m != nil && !r.created[m[1]] {
			r.user(m[1], nil)
			for _, o := range slice(body) {
				if fm, ok := o.(map[string]any); ok {
					r.factor(m[1], fm)
				}
			}
		}
	}
	if m := factorPathRE.FindStringSubmatch(p); m != nil && method == "GET" && !strings.Contains(p, "/transactions/") {
		if fm, ok := body.(map[string]any); ok {
			r.factor(m[1], fm)
		}
	}
	if m := appPathRE.FindStringSubmatch(p); m != nil {
		if am, ok := body.(map[string]any); ok {
			r.app(m[1], am)
		}
	}
	if m := groupPathRE.FindStringSubmatch(p); m != nil && !r.created[m[1]] && !r.inBase("group", m[1]) {
		r.groups[m[1]] = true
	}
	switch {
	case p == "/api/v1/policies" && method == "GET":
		for _, o := range slice(body) {
			if pm, ok := o.(map[string]any); ok {
				r.policy(pm, false)
			}
		}
	case policyPathRE.MatchString(p):
		m := policyPathRE.FindStringSubmatch(p)
		rest := strings.TrimPrefix(p, "/api/v1/policies/"+m[1])
		switch {
		case rest == "" && method == "GET":
			if pm, ok := body.(map[string]any); ok {
				r.policy(pm, false)
			}
		case rest == "" && method == "PUT":
			// The policy existed before the update; if the recording never
			// read it, its state before is best guessed from the update.
			if reqBody != nil {
				pm := cloneMap(reqBody)
				pm["id"] = m[1]
				r.policy(pm, true)
			}
		case rest == "/rules" && method == "GET":
			r.rules(m[1], slice(body))
		}
	}
}

// policy records a policy object unless the base or the scenario has it.
// fromUpdate marks a guess from a PUT body, which a read never overrides.
func (r *recon) policy(pm map[string]any, fromUpdate bool) {
	id, _ := pm["id"].(string)
	typ, _ := pm["type"].(string)
	if id == "" || typ == "" || r.created[id] || r.inBase("policy", id) {
		return
	}
	if _, seen := r.policies[id]; seen {
		return // the first sight is the starting state
	}
	name, _ := pm["name"].(string)
	if name == "" {
		name = "Reconstructed " + id
	}
	pol := &fixtures.Policy{ID: id, Type: typ, Name: name}
	pol.Description, _ = pm["description"].(string)
	pol.Status, _ = pm["status"].(string)
	if pr, ok := pm["priority"].(float64); ok {
		pol.Priority = int(pr)
	} else if pr, ok := pm["priority"].(uint64); ok {
		pol.Priority = int(pr)
	}
	pol.System, _ = pm["system"].(bool)
	if st, ok := pm["settings"].(map[string]any); ok {
		pol.Settings = cloneMap(st)
	}
	if pol.System {
		pol.Groups = []string{"Everyone"}
	} else if cond, ok := pm["conditions"].(map[string]any); ok {
		pol.Groups = r.groupRefs(groupsInclude(cond))
	}
	r.policies[id] = pol
	r.polOrder = append(r.polOrder, id)
}

func (r *recon) rules(pid string, items []any) {
	pol := r.policies[pid]
	if pol == nil || len(pol.Rules) > 0 {
		return
	}
	for _, o := range items {
		rm, ok := o.(map[string]any)
		if !ok {
			continue
		}
		rule := fixtures.Rule{}
		rule.ID, _ = rm["id"].(string)
		rule.Name, _ = rm["name"].(string)
		rule.Status, _ = rm["status"].(string)
		rule.System, _ = rm["system"].(bool)
		if pr, ok := rm["priority"].(float64); ok {
			rule.Priority = int(pr)
		}
		if a, ok := rm["actions"].(map[string]any); ok {
			rule.Actions = cloneMap(a)
		}
		if c, ok := rm["conditions"].(map[string]any); ok {
			rule.Groups = r.groupRefs(groupsInclude(c))
			rest := cloneMap(c)
			delete(rest, "people")
			if len(rest) > 0 {
				rule.Conditions = rest
			}
		}
		pol.Rules = append(pol.Rules, rule)
	}
}

// groupRefs makes every group a policy names exist.
func (r *recon) groupRefs(ids []string) []string {
	for _, g := range ids {
		if !r.inBase("group", g) {
			r.groups[g] = true
		}
	}
	return ids
}

func groupsInclude(cond map[string]any) []string {
	inc, _ := lookupSlice(cond, "people", "groups", "include")
	var out []string
	for _, v := range inc {
		if s, ok := v.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// result assembles the Reconstruction.
func (r *recon) result() *Reconstruction {
	out := &Reconstruction{Org: &fixtures.Org{}, Secrets: map[string]string{}, PassCodes: map[string]bool{},
		TOTPSecrets: map[string]string{}, FactorTypes: map[string]string{}}
	mfaGroup := ""
	if r.base != nil {
		for _, g := range r.base.Groups {
			if g.Name == "mfa-required" {
				mfaGroup = g.Name
			}
		}
	}

	// Passwords: the one a user signed in with is theirs; every other is
	// a distinct value the emulator refuses or accepts as a new password.
	n := 0
	for _, ph := range sortedPlaceholders(r.passwordOK) {
		n++
		val := fmt.Sprintf(replayPasswordFmt, n)
		if uid, ok := r.passwordFor[ph]; ok {
			if bu := r.baseUser(uid); bu != nil && bu.Password != "" {
				val = bu.Password
			} else if u := r.users[uid]; u != nil {
				if u.Password == "" {
					u.Password = val
				} else {
					val = u.Password
				}
			}
		}
		out.Secrets[ph] = val
	}
	for _, ph := range sortedPlaceholders(r.answerOK) {
		val := "replay answer " + strings.Trim(ph, "<>")
		if use, ok := r.answerFor[ph]; ok {
			if bu := r.baseUser(use.uid); bu != nil {
				if use.fid == "" && bu.RecoveryQuestion != nil {
					val = bu.RecoveryQuestion.Answer
				}
				for _, f := range bu.Factors {
					if f.ID == use.fid && f.Answer != "" {
						val = f.Answer
					}
				}
			} else {
				r.setAnswer(use, val)
			}
		}
		out.Secrets[ph] = val
	}
	for ph := range r.apiTokens {
		out.Secrets[ph] = "{{token}}"
	}
	for ph, ok := range r.passCodes {
		out.PassCodes[ph] = ok
	}

	groups := map[string]bool{}
	for _, id := range r.order {
		u := r.users[id]
		if login, _ := u.Profile["login"].(string); login == "" {
			u.Profile["login"] = id + "@reconstructed.example"
		}
		if _, ok := u.Profile["email"]; !ok {
			login := u.Profile["login"].(string)
			if strings.Contains(login, "@") {
				u.Profile["email"] = login
			} else {
				u.Profile["email"] = login + "@reconstructed.example"
			}
		}
		for _, k := range []string{"firstName", "lastName"} {
			if _, ok := u.Profile[k]; !ok {
				u.Profile[k] = "Reconstructed"
			}
		}
		if r.mfa[id] && mfaGroup != "" {
			u.Groups = append(u.Groups, mfaGroup)
		}
		for _, f := range u.Factors {
			out.FactorTypes[f.ID] = f.Type
			if f.Secret != "" {
				out.TOTPSecrets[f.ID] = f.Secret
			}
		}
		out.Org.Users = append(out.Org.Users, *u)
	}
	if r.base != nil {
		for _, u := range r.base.Users {
			for _, f := range u.Factors {
				out.FactorTypes[f.ID] = f.Type
				if f.Secret != "" {
					out.TOTPSecrets[f.ID] = f.Secret
				}
			}
		}
	}
	for _, id := range r.appOrder {
		out.Org.Apps = append(out.Org.Apps, *r.apps[id])
	}
	for g := range r.groups {
		groups[g] = true
	}
	for _, g := range sortedSet(groups) {
		out.Org.Groups = append(out.Org.Groups, fixtures.Group{ID: g, Name: "reconstructed-" + g})
	}
	for _, id := range r.polOrder {
		out.Org.Policies = append(out.Org.Policies, *r.policies[id])
	}
	return out
}

// DerivedTOTPSecret is the base32 TOTP secret given to a reconstructed
// factor: stable per factor id, so a scenario replays alike every time.
func DerivedTOTPSecret(factorID string) string {
	sum := sha1.Sum([]byte("oktaemu-replay-totp:" + factorID))
	return base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(sum[:])
}

func shortHash(s string, n int) string {
	sum := sha1.Sum([]byte(s))
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	out := make([]byte, n)
	for i := range out {
		out[i] = alphabet[int(sum[i%len(sum)])%len(alphabet)]
	}
	return string(out)
}

func digitsOf(s string, n int) string {
	var b strings.Builder
	for i := 0; b.Len() < n; i++ {
		b.WriteByte('0' + s[i%len(s)]%10)
	}
	return b.String()
}

func sortedPlaceholders[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Slice(out, func(i, j int) bool { return placeholderLess(out[i], out[j]) })
	return out
}

func sortedSet(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func oneOfStr(s string, list ...string) bool {
	for _, x := range list {
		if s == x {
			return true
		}
	}
	return false
}

func lookupAny(v any, keys ...string) (any, bool) {
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil, false
		}
		if v, ok = m[k]; !ok {
			return nil, false
		}
	}
	return v, true
}

func lookupMap(v any, keys ...string) (map[string]any, bool) {
	x, ok := lookupAny(v, keys...)
	m, ok2 := x.(map[string]any)
	return m, ok && ok2
}

func lookupSlice(v any, keys ...string) ([]any, bool) {
	x, ok := lookupAny(v, keys...)
	s, ok2 := x.([]any)
	return s, ok && ok2
}

func lookupString(v any, keys ...string) (string, bool) {
	x, ok := lookupAny(v, keys...)
	s, ok2 := x.(string)
	return s, ok && ok2
}

func slice(v any) []any {
	s, _ := v.([]any)
	return s
}

func cloneMap(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		switch x := v.(type) {
		case map[string]any:
			out[k] = cloneMap(x)
		case []any:
			c := make([]any, len(x))
			for i, e := range x {
				if em, ok := e.(map[string]any); ok {
					c[i] = cloneMap(em)
				} else {
					c[i] = e
				}
			}
			out[k] = c
		default:
			out[k] = v
		}
	}
	return out
}
