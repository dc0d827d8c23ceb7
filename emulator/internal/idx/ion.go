package idx

// ION is the JSON dialect of the IDX API (idx.md §3): every response is a
// Response; remediation steps are Forms of Fields.

// ContentType is the media type of every IDX answer, success or error.
const ContentType = "application/ion+json; okta-version=1.0.0"

// acceptsJSON is what remediation forms accept (auth-js sends it back as
// its Accept header).
const acceptsJSON = "application/json; okta-version=1.0.0"

// Version is the IDX response version; auth-js knows no other.
const Version = "1.0.0"

// Array is an ION collection {"type":"array","value":[…]}.
type Array[T any] struct {
	Type  string `json:"type"`
	Value []T    `json:"value"`
}

// Object is an ION object {"type":"object","value":{…}}.
type Object[T any] struct {
	Type  string `json:"type"`
	Value T      `json:"value"`
}

func arrayOf[T any](v ...T) *Array[T] {
	if v == nil {
		v = []T{}
	}
	return &Array[T]{Type: "array", Value: v}
}

func objectOf[T any](v T) *Object[T] { return &Object[T]{Type: "object", Value: v} }

// Response is the top-level IDX object (idx.md §3.2). Field order is
// Okta's.
type Response struct {
	Version                        string                 `json:"version"`
	StateHandle                    string                 `json:"stateHandle,omitempty"`
	ExpiresAt                      string                 `json:"expiresAt,omitempty"`
	Intent                         string                 `json:"intent,omitempty"`
	Remediation                    *Array[Form]           `json:"remediation,omitempty"`
	Messages                       *Array[Message]        `json:"messages,omitempty"`
	CurrentAuthenticator           *Object[Authenticator] `json:"currentAuthenticator,omitempty"`
	CurrentAuthenticatorEnrollment *Object[Authenticator] `json:"currentAuthenticatorEnrollment,omitempty"`
	Authenticators                 *Array[Authenticator]  `json:"authenticators,omitempty"`
	AuthenticatorEnrollments       *Array[Authenticator]  `json:"authenticatorEnrollments,omitempty"`
	EnrollmentAuthenticator        *Object[Authenticator] `json:"enrollmentAuthenticator,omitempty"`
	RecoveryAuthenticator          *Object[Authenticator] `json:"recoveryAuthenticator,omitempty"`
	User                           *Object[User]          `json:"user,omitempty"`
	App                            *Object[App]           `json:"app,omitempty"`
	Cancel                         *Form                  `json:"cancel,omitempty"`
	SuccessWithInteractionCode     *Form                  `json:"successWithInteractionCode,omitempty"`
	Success                        *Form                  `json:"success,omitempty"`
}

// Form is a remediation or an action (idx.md §3.3).
type Form struct {
	Rel       []string `json:"rel"`
	Name      string   `json:"name"`
	RelatesTo []string `json:"relatesTo,omitempty"`
	Href      string   `json:"href"`
	Method    string   `json:"method"`
	Produces  string   `json:"produces,omitempty"`
	Accepts   string   `json:"accepts,omitempty"`
	// Refresh is the poll interval in milliseconds.
	Refresh int     `json:"refresh,omitempty"`
	Value   []Field `json:"value"`
}

// Field is one form field (idx.md §3.4).
type Field struct {
	Name     string          `json:"name"`
	Label    string          `json:"label,omitempty"`
	Type     string          `json:"type,omitempty"`
	Required bool            `json:"required,omitempty"`
	Secret   bool            `json:"secret,omitempty"`
	Visible  *bool           `json:"visible,omitempty"`
	Mutable  *bool           `json:"mutable,omitempty"`
	Value    any             `json:"value,omitempty"`
	Options  []Option        `json:"options,omitempty"`
	Form     *SubForm        `json:"form,omitempty"`
	Messages *Array[Message] `json:"messages,omitempty"`
}

// SubForm is a nested form.
type SubForm struct {
	Value []Field `json:"value"`
}

// Option is a choice: Value is a string, or an OptionForm for an object
// choice, whose RelatesTo is a plain string.
type Option struct {
	Label     string `json:"label"`
	Value     any    `json:"value"`
	RelatesTo string `json:"relatesTo,omitempty"`
}

// OptionForm is the value of an object option.
type OptionForm struct {
	Form SubForm `json:"form"`
}

// Message is an ION message (idx.md §3.7).
type Message struct {
	Message string `json:"message"`
	I18n    I18n   `json:"i18n"`
	Class   string `json:"class"`
}

// I18n is a message's translation key and parameters.
type I18n struct {
	Key    string `json:"key"`
	Params []any  `json:"params,omitempty"`
}

// Authenticator is an authenticator or an authenticator enrollment
// (idx.md §3.6).
type Authenticator struct {
	Type           string         `json:"type"`
	Key            string         `json:"key"`
	ID             string         `json:"id"`
	DisplayName    string         `json:"displayName"`
	Methods        []Method       `json:"methods,omitempty"`
	Profile        map[string]any `json:"profile,omitempty"`
	ContextualData map[string]any `json:"contextualData,omitempty"`
	Settings       map[string]any `json:"settings,omitempty"`
	Resend         *Form          `json:"resend,omitempty"`
	Poll           *Form          `json:"poll,omitempty"`
	Recover        *Form          `json:"recover,omitempty"`
}

// Method is an authenticator method.
type Method struct {
	Type string `json:"type"`
}

// User is the identified user.
type User struct {
	ID         string         `json:"id"`
	Identifier string         `json:"identifier,omitempty"`
	Profile    map[string]any `json:"profile,omitempty"`
}

// App is the OIDC app of the transaction.
type App struct {
	Name  string `json:"name"`
	Label string `json:"label"`
	ID    string `json:"id"`
}

func boolp(b bool) *bool { return &b }

// hidden is a fixed field the client must send back unchanged.
func hidden(name string, value any) Field {
	return Field{Name: name, Required: true, Value: value, Visible: boolp(false), Mutable: boolp(false)}
}

// fixed is a visible-by-default immutable field (an option's id).
func fixed(name string, value any) Field {
	return Field{Name: name, Required: true, Value: value, Mutable: boolp(false)}
}
