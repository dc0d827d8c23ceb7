package emulator

import (
	"time"

	"github.com/oktaemu/oktaemu/fixtures"
)

// Org is a handle on one emulated org, for tests and tools that seed or
// inspect it directly (the way fakestorage exposes its backend).
type Org struct {
	s    *Server
	name string
}

// inst resolves the org now: a reset replaces the instance behind a name.
func (o *Org) inst() *orgInstance {
	if inst := o.s.lookup(o.name); inst != nil {
		return inst
	}
	panic("emulator: org " + o.name + " was deleted")
}

// Name is the org's name on this server.
func (o *Org) Name() string { return o.name }

// Engine is the org's engine.
func (o *Org) Engine() Engine { return Engine(o.inst().engine.Kind()) }

// ID is the org's 00o… id.
func (o *Org) ID() string { return o.inst().org.ID() }

// Fixture returns a copy of the fixture the org was built from.
func (o *Org) Fixture() *fixtures.Org {
	fx, err := o.inst().fixture.load()
	if err != nil {
		// The org stored it from a value it had just built with: a
		// failure here is a bug, not bad input.
		panic(err)
	}
	return fx
}

// Now is the org's current time.
func (o *Org) Now() time.Time { return o.inst().org.Now() }

// SetTime moves the org's clock to t.
func (o *Org) SetTime(t time.Time) { o.inst().org.Clock().Set(t) }

// Advance moves the org's clock forward by d.
func (o *Org) Advance(d time.Duration) { o.inst().org.Clock().Advance(d) }

// Message is something the org sent to a user by SMS, voice or email.
type Message struct {
	ID      string
	UserID  string
	Channel string // sms, voice, email
	To      string
	Kind    string // otp, activation, recovery, unlock, factor-activation
	Code    string
	Token   string
	Path    string
	Sent    time.Time
}

// Outbox returns what the org sent to a user (every user when userID is
// empty), oldest first.
func (o *Org) Outbox(userID string) []Message {
	var out []Message
	for _, m := range o.inst().org.Outbox(userID) {
		out = append(out, Message{ID: m.ID, UserID: m.UserID, Channel: string(m.Channel), To: m.To,
			Kind: string(m.Kind), Code: m.Code, Token: m.Token, Path: m.Path, Sent: m.Sent})
	}
	return out
}
