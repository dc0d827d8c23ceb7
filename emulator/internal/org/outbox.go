package org

import (
	"slices"
	"time"
)

// Channel is how a message reached the user.
type Channel string

// Channels of the outbox.
const (
	ChannelSMS   Channel = "sms"
	ChannelVoice Channel = "voice"
	ChannelEmail Channel = "email"
)

// MessageKind says what a message carries.
type MessageKind string

// Kinds of message.
const (
	KindOTP        MessageKind = "otp"
	KindActivation MessageKind = "activation"
	KindRecovery   MessageKind = "recovery"
	KindUnlock     MessageKind = "unlock"
	KindVerify     MessageKind = "factor-activation"
)

// Message is something a real org would have sent by SMS, voice or email:
// a one-time code, or a link carrying a token. Tests and the control plane
// read it from the outbox to finish a flow a phone or an inbox would.
type Message struct {
	ID      string
	UserID  string
	Channel Channel
	To      string
	Kind    MessageKind
	// Code is the one-time code, for KindOTP.
	Code string
	// Token is the one-time token a link carries.
	Token string
	// Path is the link's path on the org ("/welcome/<token>"); the HTTP
	// layer makes it absolute.
	Path     string
	FactorID string
	Sent     time.Time
}

// send appends m to the outbox; the caller holds o.mu.
func (o *Org) send(m Message) Message {
	m.ID = o.ids.New(PrefixMessage)
	m.Sent = o.clock.Now()
	o.outbox = append(o.outbox, m)
	return m
}

// Outbox returns the messages sent to userID (all users when empty), oldest
// first.
func (o *Org) Outbox(userID string) []Message {
	o.mu.RLock()
	defer o.mu.RUnlock()
	if userID == "" {
		return slices.Clone(o.outbox)
	}
	var out []Message
	for _, m := range o.outbox {
		if m.UserID == userID {
			out = append(out, m)
		}
	}
	return out
}
