package httpx

import (
	"cmp"
	"slices"
	"strings"
	"unicode/utf8"
)

// JSONAppender is an answer that writes its own JSON: WriteJSON appends it
// to the answer's buffer instead of encoding it by reflection. It must
// write byte for byte what the encoder writes for the same data (the
// appenders' tests compare both): hot answers (factor lists) save the
// reflection and the intermediate strings (link hrefs, dates) that way.
type JSONAppender interface {
	AppendJSON(dst []byte) ([]byte, error)
}

// AppendString appends s as a JSON string, escaped as the answers' encoder
// (goccy/go-json without HTML escaping) escapes it: `"`, `\` and control
// characters (\n, \r and \t by name, the others as \u00XX), invalid UTF-8
// as \ufffd, U+2028 and U+2029 as \u2028 and \u2029.
func AppendString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	dst = appendStringBody(dst, s)
	return append(dst, '"')
}

// AppendStrings appends the concatenation of parts as one JSON string (a
// link's href from the base URL and path pieces, without building it).
func AppendStrings(dst []byte, parts ...string) []byte {
	for _, p := range parts {
		if !plainASCII(p) {
			// Escapes to write, or a character spanning two parts:
			// escape the whole.
			return AppendString(dst, strings.Join(parts, ""))
		}
	}
	dst = append(dst, '"')
	for _, p := range parts {
		dst = append(dst, p...)
	}
	return append(dst, '"')
}

const hexDigits = "0123456789abcdef"

// plainASCII reports whether s is ASCII written as is between quotes.
func plainASCII(s string) bool {
	for i := plainRun(s, 0); i < len(s); i++ {
		if b := s[i]; b < 0x20 || b == '"' || b == '\\' || b >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// load8 is the eight bytes of s from i, little-endian (one load).
func load8(s string, i int) uint64 {
	return uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
		uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
}

// plainRun returns the length of the run of s from i, a multiple of 8
// bytes long, with no byte that needs a look (control characters, '"',
// '\\', non-ASCII): eight bytes at a time.
func plainRun(s string, i int) int {
	const lsb, msb = 0x0101010101010101, 0x8080808080808080
	j := i
	for ; j+8 <= len(s); j += 8 {
		x := load8(s, j)
		quote, backslash := x^('"'*lsb), x^('\\'*lsb)
		// A byte below 0x20, equal to '"' or '\\', or from 0x80 sets its
		// high bit in the mask (the "has less than" and "has zero byte"
		// tricks; they may flag bytes after a real hit, never miss one).
		mask := (x-0x20*lsb)&^x | (quote-lsb)&^quote | (backslash-lsb)&^backslash | x
		if mask&msb != 0 {
			break
		}
	}
	return j - i
}

func appendStringBody(dst []byte, s string) []byte {
	start := 0
	for i := 0; i < len(s); {
		i += plainRun(s, i)
		// Byte by byte through the eight that stopped the run (or the
		// tail shorter than eight).
		for end := min(i+8, len(s)); i < end; {
			b := s[i]
			if b < utf8.RuneSelf {
				if b >= 0x20 && b != '"' && b != '\\' {
					i++
					continue
				}
				dst = append(dst, s[start:i]...)
				switch b {
				case '"', '\\':
					dst = append(dst, '\\', b)
				case '\n':
					dst = append(dst, '\\', 'n')
				case '\r':
					dst = append(dst, '\\', 'r')
				case '\t':
					dst = append(dst, '\\', 't')
				default:
					dst = append(dst, '\\', 'u', '0', '0', hexDigits[b>>4], hexDigits[b&0xF])
				}
				i++
				start = i
				continue
			}
			c, size := utf8.DecodeRuneInString(s[i:])
			switch {
			case c == utf8.RuneError && size == 1:
				dst = append(append(dst, s[start:i]...), `\ufffd`...)
			case c == '\u2028' || c == '\u2029':
				dst = append(append(dst, s[start:i]...), '\\', 'u', '2', '0', '2', hexDigits[c&0xF])
			default:
				i += size
				continue
			}
			i += size
			start = i
		}
	}
	return append(dst, s[start:]...)
}

// AppendValue appends v as the answers' encoder writes it, for values
// without an appender of their own (arbitrary profile values, _embedded).
// A map of strings, the common profile, is written here: keys in order, as
// the encoder sorts them.
func AppendValue(dst []byte, v any) ([]byte, error) {
	if m, ok := v.(map[string]any); ok && m != nil && len(m) <= 8 {
		if out, ok := appendStringMap(dst, m); ok {
			return out, nil
		}
	}
	e := getEncoder()
	defer e.put()
	b, err := e.encode(v)
	if err != nil {
		return dst, err
	}
	return append(dst, b...), nil
}

// appendStringMap appends m when all its values are strings and its keys
// plain ASCII (false, and dst unchanged, otherwise): the encoder sorts keys
// by their escaped form, which is then the key itself.
func appendStringMap(dst []byte, m map[string]any) ([]byte, bool) {
	var buf [8]string
	keys := buf[:0]
	for k, v := range m {
		if _, ok := v.(string); !ok || !plainASCII(k) {
			return dst, false
		}
		keys = append(keys, k)
	}
	slices.SortFunc(keys, quotedCompare)
	dst = append(dst, '{')
	for i, k := range keys {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(AppendString(dst, k), ':')
		dst = AppendString(dst, m[k].(string))
	}
	return append(dst, '}'), true
}

// quotedCompare orders keys as the encoder does: by their encoded form
// with its closing quote, so "a b" comes before "a" (' ' < '"').
func quotedCompare(a, b string) int {
	n := min(len(a), len(b))
	if c := strings.Compare(a[:n], b[:n]); c != 0 || len(a) == len(b) {
		return c
	}
	if len(a) < len(b) {
		return cmp.Compare('"', b[n])
	}
	return cmp.Compare(a[n], '"')
}

// AppendHints appends a link's hints object.
func AppendHints(dst []byte, h *Hints) []byte {
	dst = append(dst, `{"allow":[`...)
	for i, m := range h.Allow {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = AppendString(dst, m)
	}
	return append(dst, "]}"...)
}
