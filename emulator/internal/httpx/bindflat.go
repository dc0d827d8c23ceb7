package httpx

import (
	"reflect"
	"strings"
	"sync"
	"unicode/utf8"
)

// bindFlat is json.Unmarshal(b, v) for the common request body: a flat
// object of plain strings ({"username":"…","password":"…"}, a stateToken
// and a passCode) whose keys each name a string field of the struct v
// points to, exactly as its json tag spells it. It decodes those without
// encoding/json's validating pass and per-field reflection, and reports
// false, v untouched, for anything else: other values, escapes, control
// characters or invalid UTF-8 in a string, keys it does not know exactly
// (json.Unmarshal also matches them case-insensitively), trailing data.
// Bind then decodes with json.Unmarshal, whose answer (and error) stands;
// FuzzBindFlat compares both.
func bindFlat(b []byte, v any) bool {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() || rv.Elem().Kind() != reflect.Struct {
		return false
	}
	fields := flatFieldsOf(rv.Elem().Type())
	if fields == nil {
		return false
	}
	type set struct{ field, start, end int }
	var buf [8]set
	sets := buf[:0]
	i := skipSpace(b, 0)
	if i == len(b) || b[i] != '{' {
		return false
	}
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == '}' {
		i++
	} else {
		for {
			start, end, next, ok := plainString(b, i)
			if !ok {
				return false
			}
			field, known := fields[string(b[start:end])]
			if !known {
				return false
			}
			i = skipSpace(b, next)
			if i == len(b) || b[i] != ':' {
				return false
			}
			start, end, next, ok = plainString(b, skipSpace(b, i+1))
			if !ok || len(sets) == cap(buf) {
				return false
			}
			sets = append(sets, set{field, start, end})
			i = skipSpace(b, next)
			if i == len(b) {
				return false
			}
			if b[i] == '}' {
				i++
				break
			}
			if b[i] != ',' {
				return false
			}
			i = skipSpace(b, i+1)
		}
	}
	if skipSpace(b, i) != len(b) {
		return false
	}
	st := rv.Elem()
	for _, s := range sets {
		st.Field(s.field).SetString(string(b[s.start:s.end]))
	}
	return true
}

// skipSpace returns the index of the first byte from i that is not JSON
// whitespace.
func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\n' || b[i] == '\r' || b[i] == '\t') {
		i++
	}
	return i
}

// plainString reads the JSON string at b[i:] when it needs no decoding (no
// escapes, no control characters, valid UTF-8): its contents are
// b[start:end], next is the index after its closing quote.
func plainString(b []byte, i int) (start, end, next int, ok bool) {
	if i == len(b) || b[i] != '"' {
		return 0, 0, 0, false
	}
	ascii := true
	for j := i + 1; j < len(b); j++ {
		switch c := b[j]; {
		case c == '"':
			if !ascii && !utf8.Valid(b[i+1:j]) {
				return 0, 0, 0, false
			}
			return i + 1, j, j + 1, true
		case c == '\\' || c < 0x20:
			return 0, 0, 0, false
		case c >= utf8.RuneSelf:
			ascii = false
		}
	}
	return 0, 0, 0, false
}

// flatFields maps json names to the indexes of a struct's string fields.
type flatFields map[string]int

var flatFieldCache sync.Map // reflect.Type -> flatFields (nil: not flat)

// flatFieldsOf returns t's string fields by the name in their json tag,
// or nil when bindFlat must leave t to json.Unmarshal: t embeds a struct
// (promotion rules), a tag carries options other than omitempty (",string"
// changes the encoding), or two fields share a name.
func flatFieldsOf(t reflect.Type) flatFields {
	if f, ok := flatFieldCache.Load(t); ok {
		return f.(flatFields)
	}
	fields, names := flatFields{}, map[string]bool{}
	for i := range t.NumField() {
		f := t.Field(i)
		name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "" {
			name = f.Name
		}
		if f.Anonymous || (opts != "" && opts != "omitempty") || names[name] {
			fields = nil
			break
		}
		names[name] = true
		if f.IsExported() && f.Type.Kind() == reflect.String && f.Tag.Get("json") != "" && name != "-" {
			fields[name] = i
		}
	}
	flatFieldCache.Store(t, fields)
	return fields
}
