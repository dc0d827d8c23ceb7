package httpx

import "testing"

// encoded is v as WriteJSON's encoder writes it.
func encoded(t *testing.T, v any) string {
	t.Helper()
	b, err := EncodeJSON(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// FuzzAppendString: AppendString escapes any string as the answers'
// encoder does, and AppendValue writes a map of strings as it does.
func FuzzAppendString(f *testing.F) {
	for _, s := range []string{"", "plain", `"\`, "\n\r\t\b\f\x00\x1f\x7f", "<>&", "é漢😀", "\xff\xfe", "\u2028\u2029", "a\xe2\x80",
		"abcdefgh\"", "abcdefghi\x01", "0123456789abcdef\\", "abcdefghijk\xe2\x80\xa8"} {
		f.Add(s, "k")
	}
	f.Fuzz(func(t *testing.T, s, k string) {
		if got, want := string(AppendString(nil, s)), encoded(t, s); got != want {
			t.Fatalf("AppendString(%q) = %s, want %s", s, got, want)
		}
		// Pieces separated by ASCII escape as their concatenation (link
		// hrefs are written so).
		pieces := append(AppendStringBody([]byte{'"'}, s), '/')
		pieces = append(AppendStringBody(pieces, k), '"')
		if want := encoded(t, s+"/"+k); string(pieces) != want {
			t.Fatalf("pieces %q, %q = %s, want %s", s, k, pieces, want)
		}
		m := map[string]any{k: s, s: k, "z": "last"}
		got, err := AppendValue(nil, m)
		if err != nil {
			t.Fatal(err)
		}
		if want := encoded(t, m); string(got) != want {
			t.Fatalf("AppendValue(%q) = %s, want %s", m, got, want)
		}
	})
}

func TestAppendValueNilMap(t *testing.T) {
	for _, v := range []any{map[string]any(nil), map[string]any{}, nil} {
		got, err := AppendValue(nil, v)
		if want := encoded(t, v); err != nil || string(got) != want {
			t.Errorf("AppendValue(%#v) = %s, %v; want %s", v, got, err, want)
		}
	}
}
