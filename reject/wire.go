package reject

import "math"

// WireOffset is what a rejection adds to a reason to make the Handshake
// Type on the wire (libsrt's URQ_FAILURE_TYPES). A Handshake Type below
// WireOffset is not a rejection.
const WireOffset = 1000

// MaxReason is the largest reason whose wire value, MaxReason + [WireOffset],
// still fits the int32 Handshake Type field.
const MaxReason Reason = math.MaxInt32 - WireOffset

// FromWire decodes a Handshake Type into a rejection reason. ok is false when
// handshakeType is below 1000, which means the packet is not a rejection
// (INDUCTION, WAVEAHAND, CONCLUSION, AGREEMENT, ...).
//
// Unlike libsrt, which collapses unknown internal codes to SRT_REJ_UNKNOWN,
// FromWire keeps every number: 1010 → [BadSecret], 1019 → Reason(19),
// 2403 → [Forbidden], 2410 → Reason(1410), 3005 → Reason(2005). Check
// [Reason.Known] or [Reason.Category] to see what kind of code it is.
func FromWire(handshakeType int32) (r Reason, ok bool) {
	if handshakeType < WireOffset {
		return 0, false
	}
	return Reason(handshakeType - WireOffset), true
}

// Wire returns the Handshake Type that rejects a connection with r:
// r + 1000. Put it in the Handshake Type field of the rejecting HANDSHAKE.
//
// A reason that is not [Reason.Valid] (negative, or above [MaxReason], whose
// sum would overflow int32) has no wire form; for those Wire returns 1000,
// the wire value of [Unknown], so the result is always a rejection and never
// a wrapped number. Check Valid first if that matters.
func (r Reason) Wire() int32 {
	if !r.Valid() {
		return WireOffset
	}
	return int32(r) + WireOffset
}

// LooksUnshifted reports whether r looks like an SRT_REJX code that the
// sender put on the wire without adding 1000, as datarhei/gosrt and
// zsiec/srtgo do (1403 on the wire for FORBIDDEN instead of 2403). That
// happens when r is in 400–599 and r + 1000 is a known SRT_REJX code, or r is
// 407 (gosrt's wrong value for SRT_REJX_CONFLICT). libsrt never assigns
// internal codes in 400–599, so a libsrt peer cannot send these.
//
// The unshifted forms of SRT_REJX 1000–1003 (wire 1000–1003) cannot be told
// apart from SRT_REJ 0–3 and are not detected.
func (r Reason) LooksUnshifted() bool {
	_, ok := r.Unshifted()
	return ok
}

// Unshifted returns the reason the sender most likely meant when
// [Reason.LooksUnshifted] is true: r + 1000, or [Conflict] for 407. ok is
// false, and r is returned unchanged, otherwise.
func (r Reason) Unshifted() (intended Reason, ok bool) {
	if r < 400 || r > 599 {
		return r, false
	}
	if r == 407 {
		return Conflict, true
	}
	if find(r+WireOffset) == nil {
		return r, false
	}
	return r + WireOffset, true
}
