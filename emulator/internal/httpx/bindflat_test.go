package httpx

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// flatBody is shaped like the authn request: string fields, a named string
// type, fields bindFlat must leave to json.Unmarshal (a bool, a map, a
// nested struct, a pointer, an untagged field, an ignored one).
type flatBody struct {
	Username   string              `json:"username"`
	Password   string              `json:"password,omitempty"`
	Type       flatType            `json:"factorType"`
	Revoke     bool                `json:"revokeSessions"`
	Profile    map[string]any      `json:"profile"`
	Options    struct{ A string }  `json:"options"`
	Verify     *struct{ P string } `json:"verify"`
	Untagged   string
	Ignored    string `json:"-"`
	unexported string
}

type flatType string

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
		`{"revokeSessions":true}`:                                 false,
		`{"Username":"a"}`:                                        false,
		`{"username":"a\u0041"}`:                                  false,
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
}
