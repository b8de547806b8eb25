package handshake

import (
	"strconv"

	"github.com/srtwire/srtwire/reject"
)

// Type is the Handshake Type field (libsrt's m_iReqType), a signed 32-bit
// value. Values from 1000 up are rejections: 1000 + the rejection reason.
type Type int32

// Handshake Type values (libsrt UDTRequestType).
const (
	// Induction is the first phase of a caller-listener handshake.
	Induction Type = 1
	// WaveAHand is the first phase of a rendezvous handshake.
	WaveAHand Type = 0
	// Conclusion is the second phase of both handshake modes.
	Conclusion Type = -1
	// Agreement ends a rendezvous handshake.
	Agreement Type = -2
	// Done is an internal libsrt state ("send nothing"); it is never sent,
	// but the draft lists it.
	Done Type = -3
	// FailureBase is the first rejection value (URQ_FAILURE_TYPES): a
	// Handshake Type of FailureBase + r rejects with reason r.
	FailureBase Type = reject.WireOffset
)

// IsRejection reports whether t carries a rejection reason (t >= 1000).
func (t Type) IsRejection() bool { return t >= FailureBase }

// Reason returns the rejection reason carried by t, and false when t is
// not a rejection. It never loses the number: codes libsrt does not know
// come back as a [reject.Reason] that says so. The mapping lives in
// [reject.FromWire].
func (t Type) Reason() (reject.Reason, bool) { return reject.FromWire(int32(t)) }

// RejectionType returns the Handshake Type that rejects with r
// (1000 + r, from [reject.Reason.Wire]).
func RejectionType(r reject.Reason) Type { return Type(r.Wire()) }

// String returns the libsrt name of t ("CONCLUSION"), "REJECT(" + reason
// name + ")" for rejections, or the number for other values.
func (t Type) String() string {
	switch t {
	case Induction:
		return "INDUCTION"
	case WaveAHand:
		return "WAVEAHAND"
	case Conclusion:
		return "CONCLUSION"
	case Agreement:
		return "AGREEMENT"
	case Done:
		return "DONE"
	}
	if s, ok := rejectNames[t]; ok {
		return s
	}
	if r, ok := t.Reason(); ok {
		return "REJECT(" + r.Name() + ")"
	}
	return "Type(" + strconv.FormatInt(int64(t), 10) + ")"
}

// rejectNames holds the String of every known rejection type, so naming
// them does not allocate.
var rejectNames = func() map[Type]string {
	m := make(map[Type]string)
	for _, r := range reject.All() {
		m[RejectionType(r)] = "REJECT(" + r.Name() + ")"
	}
	return m
}()
