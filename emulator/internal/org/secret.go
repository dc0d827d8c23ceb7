package org

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"hash"
	"io"
)

// digest is a salted HMAC-SHA256 of a secret. It is cheap to check (an
// emulator must not spend bcrypt time on every sign-in) and does not reveal
// the secret. The zero digest matches nothing.
type digest struct {
	salt string
	sum  []byte
}

func (o *Org) hash(secret string) digest {
	salt := o.ids.Random(16)
	return digest{salt: salt, sum: o.mac(salt, secret)}
}

func (o *Org) mac(salt, secret string) []byte { return []byte(o.macKey(salt, secret)) }

// macKey is string(o.mac(salt, secret)) in one allocation: map keys of
// tokens are minted and looked up on every sign-in.
func (o *Org) macKey(salt, secret string) string {
	m := o.macer()
	defer o.macs.Put(m)
	return string(m.sum(salt, secret))
}

// macer is a pooled HMAC keyed with the org's pepper, with its input and
// output buffers: the hash is behind an interface, so buffers on the
// caller's stack would escape on every call.
type macer struct {
	h   hash.Hash
	in  [256]byte
	out [sha256.Size]byte
}

func (o *Org) macer() *macer {
	if m, _ := o.macs.Get().(*macer); m != nil {
		return m
	}
	return &macer{h: hmac.New(sha256.New, o.pepper)}
}

// sum is the HMAC of salt, a zero byte and secret, valid until m is reused.
func (m *macer) sum(salt, secret string) []byte {
	m.h.Reset()
	if len(salt)+1+len(secret) <= len(m.in) {
		n := copy(m.in[:], salt)
		m.in[n] = 0
		n += 1 + copy(m.in[n+1:], secret)
		m.h.Write(m.in[:n])
	} else {
		io.WriteString(m.h, salt)
		m.h.Write([]byte{0})
		io.WriteString(m.h, secret)
	}
	return m.h.Sum(m.out[:0])
}

func (o *Org) matches(d digest, secret string) bool {
	if len(d.sum) == 0 {
		return false
	}
	m := o.macer()
	defer o.macs.Put(m)
	return subtle.ConstantTimeCompare(d.sum, m.sum(d.salt, secret)) == 1
}

func (d digest) set() bool { return len(d.sum) > 0 }
