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
	dst = AppendStringBody(dst, s)
	return append(dst, '"')
}

const hexDigits = "0123456789abcdef"

// plainASCII reports whether s is ASCII written as is between quotes:
// eight bytes at a time, the last eight (overlapping) for the tail.
func plainASCII(s string) bool {
	n := len(s)
	if n < 8 {
		for i := 0; i < n; i++ {
			if b := s[i]; b < 0x20 || b == '"' || b == '\\' || b >= utf8.RuneSelf {
				return false
			}
		}
		return true
	}
	return plainRun(s, 0) >= n-7 && !special(load8(s, n-8))
}

// load8 is the eight bytes of s from i, little-endian (one load).
func load8(s string, i int) uint64 {
	return uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
		uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
}

// special reports whether one of the eight bytes in x needs a look: a
// control character, '"', '\\' or non-ASCII. (The "has less than" and
// "has zero byte" tricks: a byte's borrow may flag the bytes after it,
// but only after a real hit.)
func special(x uint64) bool {
	const lsb, msb = 0x0101010101010101, 0x8080808080808080
	quote, backslash := x^('"'*lsb), x^('\\'*lsb)
	return ((x-0x20*lsb)&^x|(quote-lsb)&^quote|(backslash-lsb)&^backslash|x)&msb != 0
}

// plainRun returns the length of the run of s from i, a multiple of 8
// bytes long, with no byte that needs a look: eight bytes at a time.
func plainRun(s string, i int) int {
	j := i
	for ; j+8 <= len(s) && !special(load8(s, j)); j += 8 {
	}
	return j - i
}

// AppendStringBody appends s escaped as AppendString does, without the
// quotes: a piece of a longer string (a link's href from the base URL and
// path pieces). Pieces escape as their concatenation would where each ends
// before an ASCII character (nothing else can complete its UTF-8).
func AppendStringBody(dst []byte, s string) []byte {
	if plainASCII(s) {
		return append(dst, s...)
	}
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
	type pair struct{ k, v string }
	var buf [8]pair
	pairs := buf[:0]
	for k, v := range m {
		s, ok := v.(string)
		if !ok || !plainASCII(k) {
			return dst, false
		}
		pairs = append(pairs, pair{k, s})
	}
	slices.SortFunc(pairs, func(a, b pair) int { return quotedCompare(a.k, b.k) })
	dst = append(dst, '{')
	for i, p := range pairs {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(append(append(dst, '"'), p.k...), `":`...)
		dst = AppendString(dst, p.v)
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
	if h.json != nil {
		return append(dst, h.json...)
	}
	return appendHints(dst, h)
}

func appendHints(dst []byte, h *Hints) []byte {
	dst = append(dst, `{"allow":[`...)
	for i, m := range h.Allow {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = AppendString(dst, m)
	}
	return append(dst, "]}"...)
}
