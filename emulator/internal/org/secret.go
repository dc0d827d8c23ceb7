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

func (o *Org) mac(salt, secret string) []byte {
	m, _ := o.macs.Get().(hash.Hash)
	if m == nil {
		m = hmac.New(sha256.New, o.pepper)
	}
	m.Reset()
	io.WriteString(m, salt)
	m.Write([]byte{0})
	io.WriteString(m, secret)
	sum := m.Sum(nil)
	o.macs.Put(m)
	return sum
}

func (o *Org) matches(d digest, secret string) bool {
	if len(d.sum) == 0 {
		return false
	}
	return subtle.ConstantTimeCompare(d.sum, o.mac(d.salt, secret)) == 1
}

func (d digest) set() bool { return len(d.sum) > 0 }
