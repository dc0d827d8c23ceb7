package diff

import (
	"net/url"
	"regexp"
	"strconv"
	"strings"
)

// Finding names a documented engine difference: a row of
// shared/reference/engines.md and/or an item of the upgrade checklist of
// Okta's "API changes after the upgrade" guide (seed 000).
type Finding struct {
	// Row is the engines.md row number (0: none).
	Row int `json:"row,omitempty"`
	// Title summarises the row.
	Title string `json:"title"`
	// Checklist is the seed-000 summary row / checklist item, if any.
	Checklist string `json:"checklist,omitempty"`
	// Action is what to do about it.
	Action string `json:"action"`
}

// Ref renders "engines.md #N" (or the checklist item alone).
func (f *Finding) Ref() string {
	if f == nil {
		return ""
	}
	if f.Row > 0 {
		return "engines.md #" + strconv.Itoa(f.Row)
	}
	return "upgrade checklist"
}

// Request is what Explain needs to know about the request.
type Request struct {
	Method string
	// Path is the path and query, without the org prefix.
	Path string
	// Body is the decoded JSON request body (nil when none).
	Body any
}

// rule matches differences of one engines.md row.
type rule struct {
	method string         // "" any
	path   *regexp.Regexp // matched against the path without query
	// when further restricts the match (nil: any difference on the route).
	when    func(r Request, q url.Values, d Difference) bool
	finding Finding
}

var (
	cookieTokenChecklist = "cookieToken in the Sessions API (POST /api/v1/sessions): Not supported — Check whether you request cookieToken from the Sessions API."
	meChecklist          = "Sessions API (/api/v1/sessions/me): Response changed — Check whether you parse IdP information from /api/v1/sessions/me responses."
	emailChecklist       = "Factors API: reset email factor: Behavior changed — Review your Factors API usage for email reset, question reset, and SMS lifecycle operations."
	questionChecklist    = "Factors API: reset question factor: Behavior changed — Review your Factors API usage for email reset, question reset, and SMS lifecycle operations."
	smsChecklist         = "Factors API: SMS lifecycle operations: Not supported — Review your Factors API usage for email reset, question reset, and SMS lifecycle operations."
	audienceChecklist    = "audience parameter in the Authentication API (/api/v1/authn): Not supported — Audit your code for the audience parameter in /api/v1/authn calls."
	deviceChecklist      = "Authentication API device token: Behavior changed — Audit for device token passing to the Authentication API."
	recoveryChecklist    = "Classic Authentication API: password recovery: Limited — Review custom password recovery flows that are built on /api/v1/authn."
	featuresChecklist    = "Classic Engine APIs: Identity Engine features: Not supported — Plan an SDK migration for any features that require Identity Engine capabilities."
)

const uid = `[^/]+`

// rules is the table of documented differences, most specific first.
var rules = []rule{
	{"GET", regexp.MustCompile(`^/\.well-known/okta-organization$`), nil, Finding{Row: 1,
		Title:  "org metadata: pipeline is idx on Identity Engine (v1 on Classic)",
		Action: "Code that branches on `pipeline` must treat `idx` as Identity Engine (IDX/Interaction Code flows)."}},
	{"GET", regexp.MustCompile(`^/api/v1/users/` + uid + `/factors$`), elementHas("factorType", "email"), Finding{Row: 2,
		Title: "Factors list: the verified primary email is listed as an ACTIVE email factor (auto-enrolled)", Checklist: emailChecklist,
		Action: "Expect an `email` factor you did not enroll; do not reset or delete it to disable email (it re-appears); configure the Email authenticator instead."}},
	{"GET", regexp.MustCompile(`^/api/v1/users/` + uid + `/factors$`), elementHas("factorType", "question"), Finding{Row: 3,
		Title: "Factors list: the recovery question is listed as a `question` factor", Checklist: questionChecklist,
		Action: "Do not treat a listed `question` factor as an MFA enrollment; resetting both questions takes two reset_factors calls."}},
	{"GET", regexp.MustCompile(`^/api/v1/users/` + uid + `/factors$`), elementHas("factorType", "signed_nonce"), Finding{Row: 7,
		Title:  "Factors list: FastPass `signed_nonce` factors are listed",
		Action: "Ignore or handle `signed_nonce` factors when iterating factors; they cannot be enrolled or verified via the Factors API."}},
	{"GET", regexp.MustCompile(`^/api/v1/users/` + uid + `/factors$`), elementHas("factorType", "push", "token:software:totp"), Finding{Row: 8,
		Title:  "Factors list: Okta Verify push and TOTP come together (enrolling one creates the other, and signed_nonce)",
		Action: "Expect the companion Okta Verify factors in the list after enrolling push or Okta Verify TOTP (engines.md #8, #9)."}},
	{"GET", regexp.MustCompile(`^/api/v1/users/` + uid + `/factors$`), elementHas("factorType", "sms", "call"), Finding{Row: 6,
		Title:  "Factors list: every enrolled phone factor is listed (several sms/call possible)",
		Action: "Do not assume one sms and one call factor per user."}},
	{"POST", regexp.MustCompile(`^/api/v1/users/` + uid + `/lifecycle/reset_factors$`), nil, Finding{Row: 4,
		Title: "reset_factors leaves the recovery question (second call needed) and email re-appears", Checklist: questionChecklist,
		Action: "Call reset_factors twice to clear both questions; expect the email factor back."}},
	{"POST", regexp.MustCompile(`^/api/v1/users/` + uid + `/factors$`), bodyHas("factorType", "email"), Finding{Row: 12,
		Title:  "Factor enroll email: only the primary email can be enrolled",
		Action: "Enroll only the user's verified primary email."}},
	{"POST", regexp.MustCompile(`^/api/v1/users/` + uid + `/factors$`), bodyHas("factorType", "signed_nonce"), Finding{Row: 13,
		Title:  "signed_nonce cannot be enrolled through the Factors API",
		Action: "Enroll Okta Verify FastPass through the Okta Verify app (IDX)."}},
	{"POST", regexp.MustCompile(`^/api/v1/users/` + uid + `/factors$`), func(r Request, q url.Values, d Difference) bool {
		return bodyHas("factorType", "push")(r, q, d) && (d.Class == StatusChanged || d.Class == RequestRefused || d.Class == ErrorCodeChanged || strings.HasPrefix(d.Path, "body.errorCauses"))
	}, Finding{Row: 10,
		Title:  "Factors API enrolls only the first Okta Verify; a second push enrollment is refused",
		Action: "Enroll additional Okta Verify devices through the Okta Verify app (IDX); list them with authenticator-enrollments."}},
	{"POST", regexp.MustCompile(`^/api/v1/users/` + uid + `/factors$`), bodyHas("factorType", "push"), Finding{Row: 8,
		Title:  "Enrolling Okta Verify push also creates token:software:totp and signed_nonce",
		Action: "Expect extra Okta Verify factors after a push enrollment; do not delete them one by one."}},
	{"POST", regexp.MustCompile(`^/api/v1/users/` + uid + `/factors$`), bodyHas("factorType", "token:software:totp"), Finding{Row: 9,
		Title:  "Enrolling Okta Verify TOTP also creates push",
		Action: "Expect a push factor after an Okta Verify TOTP enrollment."}},
	{"DELETE", regexp.MustCompile(`^/api/v1/users/` + uid + `/factors/` + uid + `$`), nil, Finding{Row: 5,
		Title: "Deleting a factor: email re-appears as ACTIVE; deleting push cascades to Okta Verify totp/signed_nonce", Checklist: emailChecklist,
		Action: "Do not delete the email factor to disable email; expect Okta Verify factors to go together (engines.md #14)."}},
	{"", regexp.MustCompile(`^/api/v1/org/factors/[^/]+/lifecycle/(activate|deactivate)$`), nil, Finding{Row: 16,
		Title: "Org factor (SMS) lifecycle operations are not supported", Checklist: smsChecklist,
		Action: "Manage SMS/voice through the Authenticators API (/api/v1/authenticators) instead."}},
	{"", regexp.MustCompile(`^/api/v1/authenticators(/.*)?$`), nil, Finding{Row: 17,
		Title: "Authenticators API exists only on Identity Engine", Checklist: featuresChecklist,
		Action: "Use the Factors API (org factors) on Classic; the Authenticators API after the upgrade."}},
	{"", regexp.MustCompile(`^/api/v1/users/` + uid + `/authenticator-enrollments(/.*)?$`), nil, Finding{Row: 18,
		Title: "Authenticator enrollments exist only on Identity Engine", Checklist: featuresChecklist,
		Action: "Use the Factors API on Classic; authenticator-enrollments lists every Okta Verify enrollment on Identity Engine."}},
	{"POST", regexp.MustCompile(`^/api/v1/sessions$`), func(r Request, q url.Values, d Difference) bool {
		return strings.Contains(q.Get("additionalFields"), "cookieToken") &&
			(strings.HasPrefix(d.Path, "body.cookieToken") || outcome(d))
	}, Finding{Row: 19,
		Title: "cookieToken / cookieTokenUrl are not returned by POST /api/v1/sessions", Checklist: cookieTokenChecklist,
		Action: "Stop requesting additionalFields=cookieToken; redirect through /login/sessionCookieRedirect?token=<sessionToken> or move to OIDC."}},
	{"GET", regexp.MustCompile(`^/api/v1/sessions/me$`), func(r Request, q url.Values, d Difference) bool {
		return strings.HasPrefix(d.Path, "body.idp")
	}, Finding{Row: 20,
		Title: "/api/v1/sessions/me no longer returns idp", Checklist: meChecklist,
		Action: "Stop reading `idp` from the session; get the IdP from the user or the ID token."}},
	// Any other difference on /sessions/me: the session the cookie names
	// differs between the engines (sid vs idx).
	{"", regexp.MustCompile(`^/api/v1/sessions/me(/.*)?$`), nil, Finding{Row: 21,
		Title:  "Session cookies: idx is the Identity Engine session (sid still accepted)",
		Action: "Send the sid or idx cookie; do not rely on the cookie name."}},
	{"DELETE", regexp.MustCompile(`^/api/v1/users/` + uid + `/sessions$`), nil, Finding{Row: 23,
		Title:  "Revoking user sessions: forgetDevices defaults to true on Identity Engine",
		Action: "Pass forgetDevices explicitly."}},
	{"POST", regexp.MustCompile(`^/api/v1/policies$`), bodyHas("type", "ACCESS_POLICY", "PROFILE_ENROLLMENT", "POST_AUTH_SESSION", "ENTITY_RISK", "CONTINUOUS_ACCESS"), Finding{Row: 30,
		Title:  "Identity Engine policy types are rejected on Classic",
		Action: "Create these policy types only on Identity Engine orgs."}},
	{"", regexp.MustCompile(`^/api/v1/policies/[^/]+/clone$`), nil, Finding{Row: 29,
		Title:  "Policy clone exists only on Identity Engine (ACCESS_POLICY)",
		Action: "Copy the policy and its rules by hand on Classic."}},
	{"", regexp.MustCompile(`^/api/v1/policies(/.*)?$`), func(r Request, q url.Values, d Difference) bool {
		return q.Get("expand") == "rules"
	}, Finding{Row: 28,
		Title:  "Policy ?expand=rules is not supported on Identity Engine",
		Action: "Read rules with GET /api/v1/policies/{id}/rules."}},
	{"POST", regexp.MustCompile(`^/api/v1/policies$`), func(r Request, q url.Values, d Difference) bool {
		return q.Get("activate") == "false"
	}, Finding{Row: 27,
		Title:  "POST /api/v1/policies?activate=false is ignored on Identity Engine",
		Action: "Deactivate the policy with a lifecycle call after creating it."}},
	{"", regexp.MustCompile(`^/api/v1/policies(/.*)?$`), func(r Request, q url.Values, d Difference) bool {
		return strings.Contains(d.Path, "settings") || bodyHas("type", "MFA_ENROLL")(r, q, d) || strings.Contains(stringOf(d.A)+stringOf(d.B), "AUTHENTICATORS")
	}, Finding{Row: 24,
		Title:  "MFA_ENROLL policy settings: factors schema vs authenticators schema",
		Action: "Read and write `settings.type: AUTHENTICATORS` with `authenticators[]` on Identity Engine; a PUT with authenticators drops `factors`; okta_password or okta_email must be REQUIRED (engines.md #26)."}},
	{"POST", regexp.MustCompile(`^/api/v1/authn/recovery(/.*)?$`), func(r Request, q url.Values, d Difference) bool {
		return bodyHasKey("relayState")(r, q, d)
	}, Finding{Row: 37,
		Title: "Forgot password relayState is a Classic-only parameter", Checklist: recoveryChecklist,
		Action: "Stop passing relayState; redirect after recovery in your own page."}},
	{"", regexp.MustCompile(`^/api/v1/authn/recovery(/.*)?$`), nil, Finding{Row: 34,
		Title: "Identity Engine recovery options are not reachable through /api/v1/authn/recovery", Checklist: recoveryChecklist,
		Action: "Keep at least one Classic-compatible recovery option (email, SMS, question) or move to the IDX recovery flow."}},
	{"POST", regexp.MustCompile(`^/api/v1/authn$`), bodyHasKey("audience"), Finding{Row: 35,
		Title: "/api/v1/authn with `audience` fails on Identity Engine", Checklist: audienceChecklist,
		Action: "Remove the audience parameter; use app sign-on policies instead."}},
	{"POST", regexp.MustCompile(`^/api/v1/authn$`), bodyHasPath("context", "deviceToken"), Finding{Row: 36,
		Title: "Authn device token is not shared with Identity Engine", Checklist: deviceChecklist,
		Action: "Keep the global session policy for compatibility, or move to redirect sign-in / IDX SDKs."}},
}

// Explain returns the documented difference d matches for request r, or
// nil.
func Explain(r Request, d Difference) *Finding {
	p, rawq, _ := strings.Cut(r.Path, "?")
	p = stripOrg(p)
	q, _ := url.ParseQuery(rawq)
	for i := range rules {
		ru := &rules[i]
		if ru.method != "" && !strings.EqualFold(ru.method, r.Method) {
			continue
		}
		if !ru.path.MatchString(p) {
			continue
		}
		if ru.when != nil && !ru.when(r, q, d) {
			continue
		}
		f := ru.finding
		return &f
	}
	return nil
}

// ExplainAll sets Finding on every difference.
func ExplainAll(r Request, ds []Difference) {
	for i := range ds {
		ds[i].Finding = Explain(r, ds[i])
	}
}

// Findings returns the table rows (for documentation and tests).
func Findings() []Finding {
	out := make([]Finding, len(rules))
	for i, r := range rules {
		out[i] = r.finding
	}
	return out
}

func stripOrg(p string) string {
	if rest, ok := strings.CutPrefix(p, "/_org/"); ok {
		if i := strings.IndexByte(rest, '/'); i >= 0 {
			return rest[i:]
		}
	}
	return p
}

// outcome reports whether d is about the outcome of the request (status,
// refusal, error code) rather than a field of a successful response.
func outcome(d Difference) bool {
	return d.Class == RequestRefused || d.Class == StatusChanged || d.Class == ErrorCodeChanged
}

func stringOf(v any) string {
	s, _ := v.(string)
	return s
}

// elementHas matches a difference whose added/removed/changed value is an
// object with key set to one of values (a listed factor).
func elementHas(key string, values ...string) func(Request, url.Values, Difference) bool {
	return func(_ Request, _ url.Values, d Difference) bool {
		for _, v := range []any{d.A, d.B} {
			if m, ok := v.(map[string]any); ok {
				if s, ok := m[key].(string); ok && oneOf(s, values) {
					return true
				}
			}
			if arr, ok := v.([]any); ok {
				for _, e := range arr {
					if m, ok := e.(map[string]any); ok {
						if s, ok := m[key].(string); ok && oneOf(s, values) {
							return true
						}
					}
				}
			}
		}
		return false
	}
}

func bodyHas(key string, values ...string) func(Request, url.Values, Difference) bool {
	return func(r Request, _ url.Values, _ Difference) bool {
		m, _ := r.Body.(map[string]any)
		s, _ := m[key].(string)
		return s != "" && oneOf(s, values)
	}
}

func bodyHasKey(key string) func(Request, url.Values, Difference) bool {
	return func(r Request, _ url.Values, _ Difference) bool {
		m, _ := r.Body.(map[string]any)
		_, ok := m[key]
		return ok
	}
}

func bodyHasPath(keys ...string) func(Request, url.Values, Difference) bool {
	return func(r Request, _ url.Values, _ Difference) bool {
		var v any = r.Body
		for _, k := range keys {
			m, ok := v.(map[string]any)
			if !ok {
				return false
			}
			if v, ok = m[k]; !ok {
				return false
			}
		}
		return true
	}
}

func oneOf(s string, list []string) bool {
	for _, x := range list {
		if s == x {
			return true
		}
	}
	return false
}
