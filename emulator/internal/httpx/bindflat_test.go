package httpx

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// flatBody is shaped like the authn request: string and bool fields, a
// named string type, nested structs, and fields bindFlat must leave to
// json.Unmarshal (a map, a pointer, a number, a time, a type decoding
// itself, an untagged field, an ignored one).
type flatBody struct {
	Username string         `json:"username"`
	Password string         `json:"password,omitempty"`
	Type     flatType       `json:"factorType"`
	Revoke   bool           `json:"revokeSessions"`
	Profile  map[string]any `json:"profile"`
	Options  struct {
		Warn  bool   `json:"warnBeforePasswordExpired"`
		Multi bool   `json:"multiOptionalFactorEnroll"`
		Name  string `json:"name"`
		Deep  struct {
			X string `json:"x"`
		} `json:"deep"`
		Untagged string
	} `json:"options"`
	Verify     *struct{ P string } `json:"verify"`
	N          int                 `json:"n"`
	Num        json.Number         `json:"num"`
	When       time.Time           `json:"when"`
	Upper      upperText           `json:"upper"`
	Untagged   string
	Ignored    string `json:"-"`
	unexported string
}

type flatType string

// upperText decodes itself: json.Unmarshal calls UnmarshalText.
type upperText string

func (u *upperText) UnmarshalText(b []byte) error {
	*u = upperText(strings.ToUpper(string(b)))
	return nil
}

// FuzzBindFlat: whatever bindFlat accepts, it decodes as json.Unmarshal
// does, and what it refuses it leaves untouched.
func FuzzBindFlat(f *testing.F) {
	for _, s := range []string{
		`{"username":"alice@example.com","password":"Pa55word!"}`,
		` { "username" : "a" , "factorType":"push" } `,
		`{}`, `{"username":"a","username":"b"}`, `{"Username":"a"}`, `{"USERNAME":"a"}`,
		`{"username":"a\"b"}`, `{"username":"é漢"}`, "{\"username\":\"\xff\"}", "{\"username\":\"a\x01\"}",
		`{"username":null}`, `{"username":1}`, `{"revokeSessions":true}`, `{"profile":{"a":"b"}}`,
		`{"Untagged":"x"}`, `{"Ignored":"x"}`, `{"-":"x"}`, `{"unexported":"x"}`, `{"username":"a"} x`,
		`{"username":"a",}`, `{"username":"a"`, `[]`, `"username"`, `{"username":"a"}{}`,
		`{"a":"1","b":"2","c":"3","d":"4","e":"5","f":"6","g":"7","h":"8","i":"9"}`,
		`{"username":"u","password":"p","options":{"multiOptionalFactorEnroll":false,"warnBeforePasswordExpired":true}}`,
		`{"options":{"deep":{"x":"1"},"name":null},"options":{"deep":{}}}`, `{"options":null,"username":null}`,
		`{"revokeSessions":tru}`, `{"revokeSessions":"true"}`, `{"options":{"Untagged":"x"}}`, `{"when":{}}`,
		`{"upper":"abc"}`, `{"num":"abc"}`, `{"num":"12"}`,
		`{"username":"1","username":"2","username":"3","username":"4","username":"5","username":"6","username":"7",` +
			`"username":"8","username":"9","username":"10","username":"11","username":"12","username":"13"}`, `{"n":1}`, `{"options":[]}`, `{"username":true}`, `{"options":{"warnBeforePasswordExpired":nul}}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		got := flatBody{Password: "before"}
		if !bindFlat([]byte(body), &got) {
			if diff := cmp.Diff(flatBody{Password: "before"}, got, cmp.AllowUnexported(flatBody{})); diff != "" {
				t.Fatalf("refused %q, changed the value (-want +got):\n%s", body, diff)
			}
			return
		}
		want := flatBody{Password: "before"}
		if err := json.Unmarshal([]byte(body), &want); err != nil {
			t.Fatalf("bindFlat accepted %q, json.Unmarshal refused it: %v", body, err)
		}
		if diff := cmp.Diff(want, got, cmp.AllowUnexported(flatBody{})); diff != "" {
			t.Fatalf("%q (-json.Unmarshal +bindFlat):\n%s", body, diff)
		}
	})
}

// bindFlat decodes the bodies it is for, and leaves the others to
// json.Unmarshal.
func TestBindFlatTakes(t *testing.T) {
	for body, want := range map[string]bool{
		`{"username":"alice@example.com","password":"Pa55word!"}`: true,
		"{\n \"factorType\" : \"push\"\n}\n":                      true,
		`{}`:                                                      true,
		`{"revokeSessions":true,"options":{"warnBeforePasswordExpired":false}}`: true,
		`{"n":1}`:                false,
		`{"Username":"a"}`:       false,
		`{"username":"a\u0041"}`: false,
	} {
		var v flatBody
		if got := bindFlat([]byte(body), &v); got != want {
			t.Errorf("bindFlat(%q) = %v, want %v", body, got, want)
		}
	}
	var m map[string]any
	if bindFlat([]byte(`{"a":"b"}`), &m) {
		t.Error("bindFlat decoded into a map")
	}
	var odd struct {
		A string `json:"a'b"` // json.Unmarshal ignores this name: the key is "A"
	}
	if bindFlat([]byte(`{"a'b":"x"}`), &odd) {
		t.Error("bindFlat took a tag name json.Unmarshal ignores")
	}
}
