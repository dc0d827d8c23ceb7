package httpx

import (
	"encoding"
	"encoding/json"
	"reflect"
	"strings"
	"sync"
	"unicode/utf8"
)

// bindFlat is json.Unmarshal(b, v) for the common request body: an
// object of plain strings, booleans, nulls and objects of those
// ({"username":"…","password":"…","options":{"warnBeforePasswordExpired":
// false}}) whose keys each name a field of the struct v points to exactly
// as its json tag spells it, of a matching kind (string, bool, struct). It
// decodes those without encoding/json's validating pass and per-field
// reflection, and reports false, v untouched, for anything else: numbers,
// arrays, escapes, control characters or invalid UTF-8 in a string, keys
// it does not know exactly (json.Unmarshal also matches them
// case-insensitively), trailing data. Bind then decodes with
// json.Unmarshal, whose answer (and error) stands; FuzzBindFlat compares
// both.
func bindFlat(b []byte, v any) bool {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() || rv.Elem().Kind() != reflect.Struct {
		return false
	}
	fields := flatFieldsOf(rv.Elem().Type())
	if fields == nil {
		return false
	}
	d := flatDecoders.Get().(*flatDecoder)
	defer func() {
		clear(d.sets) // no reflect.Values kept alive by the pool
		*d = flatDecoder{sets: d.sets[:0]}
		flatDecoders.Put(d)
	}()
	d.b = b
	i := skipSpace(b, 0)
	if i == len(b) || b[i] != '{' {
		return false
	}
	i, ok := d.object(i, rv.Elem(), fields)
	if !ok || skipSpace(b, i) != len(b) {
		return false
	}
	for _, s := range d.sets {
		if s.end < 0 {
			s.field.SetBool(s.start == 1)
		} else {
			s.field.SetString(string(b[s.start:s.end]))
		}
	}
	return true
}

// flatDecoder collects what bindFlat sets, to set it once the whole body
// has proved decodable.
type flatDecoder struct {
	b    []byte
	sets []flatSet // up to its capacity
}

var flatDecoders = sync.Pool{New: func() any { return &flatDecoder{sets: make([]flatSet, 0, 12)} }}

// flatSet is a string field's value b[start:end], or (end < 0) a bool
// field's, true when start is 1.
type flatSet struct {
	field      reflect.Value
	start, end int
}

// object reads the object at b[i] into st, the struct fields describes,
// and returns the index after it.
func (d *flatDecoder) object(i int, st reflect.Value, fields flatFields) (int, bool) {
	b := d.b
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == '}' {
		return i + 1, true
	}
	for {
		start, end, next, ok := plainString(b, i)
		if !ok {
			return 0, false
		}
		f, known := fields[string(b[start:end])]
		if !known {
			return 0, false
		}
		i = skipSpace(b, next)
		if i == len(b) || b[i] != ':' {
			return 0, false
		}
		if i, ok = d.value(skipSpace(b, i+1), st.Field(f.index), f); !ok {
			return 0, false
		}
		i = skipSpace(b, i)
		if i == len(b) {
			return 0, false
		}
		if b[i] == '}' {
			return i + 1, true
		}
		if b[i] != ',' {
			return 0, false
		}
		i = skipSpace(b, i+1)
	}
}

// value reads the value at b[i] into field f and returns the index after
// it. null leaves a string, bool or struct as it is, as json.Unmarshal
// does.
func (d *flatDecoder) value(i int, field reflect.Value, f flatField) (int, bool) {
	b := d.b
	if i == len(b) {
		return 0, false
	}
	lit := func(word string) bool { return len(b)-i >= len(word) && string(b[i:i+len(word)]) == word }
	switch {
	case b[i] == 'n' && lit("null"):
		return i + 4, true
	case f.sub != nil:
		if b[i] != '{' {
			return 0, false
		}
		return d.object(i, field, f.sub)
	case len(d.sets) == cap(d.sets):
		return 0, false
	case f.kind == reflect.String:
		start, end, next, ok := plainString(b, i)
		if ok {
			d.sets = append(d.sets, flatSet{field, start, end})
		}
		return next, ok
	case b[i] == 't' && lit("true"):
		d.sets = append(d.sets, flatSet{field, 1, -1})
		return i + 4, true
	case b[i] == 'f' && lit("false"):
		d.sets = append(d.sets, flatSet{field, 0, -1})
		return i + 5, true
	}
	return 0, false
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

// flatFields maps json names to a struct's fields bindFlat decodes.
type flatFields map[string]flatField

// flatField is a string or bool field, or a struct one whose fields are
// sub.
type flatField struct {
	index int
	kind  reflect.Kind
	sub   flatFields
}

// decodesItself reports whether json.Unmarshal hands t's values to their
// own UnmarshalJSON or UnmarshalText (time.Time, say).
func decodesItself(t reflect.Type) bool {
	p := reflect.PointerTo(t)
	return t.Implements(jsonUnmarshaler) || p.Implements(jsonUnmarshaler) || t.Implements(textUnmarshaler) ||
		p.Implements(textUnmarshaler)
}

// plainTagName reports whether name is letters, digits, '_' and '-' only:
// json.Unmarshal takes those as written (it ignores some other tag names
// and uses the field's name instead).
func plainTagName(name string) bool {
	for _, c := range name {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

var (
	jsonNumber      = reflect.TypeFor[json.Number]()
	jsonUnmarshaler = reflect.TypeFor[json.Unmarshaler]()
	textUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()
)

var flatFieldCache sync.Map // reflect.Type -> flatFields (nil: not flat)

// flatFieldsOf returns t's string, bool and (such) struct fields by the
// name in their json tag, leaving out types json.Unmarshal decodes their
// own way (json.Number, types with UnmarshalJSON or UnmarshalText). It
// returns nil when bindFlat must leave t to json.Unmarshal: t decodes
// itself, has an embedded field (promotion rules), a tag with options
// other than omitempty (",string" changes the encoding) or with a name
// json.Unmarshal would not take, or two fields sharing a name.
func flatFieldsOf(t reflect.Type) flatFields {
	if f, ok := flatFieldCache.Load(t); ok {
		return f.(flatFields)
	}
	fields, names := flatFields{}, map[string]bool{}
	if decodesItself(t) {
		fields = nil
	}
	for i := 0; fields != nil && i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		name, opts, _ := strings.Cut(tag, ",")
		if name == "" {
			name = f.Name
		}
		if f.Anonymous || (opts != "" && opts != "omitempty") || names[name] || !plainTagName(name) {
			fields = nil
			break
		}
		names[name] = true
		if !f.IsExported() || tag == "" || name == "-" {
			continue
		}
		switch k := f.Type.Kind(); {
		case decodesItself(f.Type) || f.Type == jsonNumber:
		case k == reflect.String || k == reflect.Bool:
			fields[name] = flatField{index: i, kind: k}
		case k == reflect.Struct:
			if sub := flatFieldsOf(f.Type); sub != nil {
				fields[name] = flatField{index: i, kind: k, sub: sub}
			}
		}
	}
	flatFieldCache.Store(t, fields)
	return fields
}
