package packet

import (
	"encoding"
	"encoding/binary"
	"slices"

	"github.com/srtwire/srtwire/handshake"
	"github.com/srtwire/srtwire/internal/clone"
)

// PeerErrorFile is the only PEERERROR code libsrt sends (SRT_EFILE): a
// disk write failed in srt_recvfile. The code is in the header's Info.
const PeerErrorFile = 4000

// emptyPad is the CIF libsrt puts in the "empty" control packets.
var emptyPad [4]byte

// Packet is one SRT datagram: the header and the payload or CIF of its
// kind. It is caller-owned; reuse one Packet for many Decode calls.
//
// Which field holds the body depends on the kind:
//
//	data packet (Control false)   Payload
//	HANDSHAKE                     Handshake
//	ACK                           ACK (the ACK number is Info)
//	NAK                           NAK
//	DROPREQ                       DropReq (the message number is in Info, see DropMsgNo)
//	KEEPALIVE, SHUTDOWN, ACKACK,  CIF (the ACK number of an ACKACK and the
//	CGWARNING, PEERERROR          error code of a PEERERROR are Info)
//	UMSG_EXT and unknown types    CIF (see HSReq, KeyMaterial, KMState)
//
// Decode sets the body of the new packet's kind and zeroes the body of the
// kind p held before (the one its header named), so a Packet used with
// Decode has the bodies of the other kinds zero. (Decode does not clear
// every body: zeroing all six on every call was a third of the cost of
// decoding a data packet. A body of another kind than the header's, filled
// by hand, is left as it is; write p = Packet{} to reuse such a Packet.)
// AppendBinary ignores the bodies of the other kinds. Slices are views into
// the decoded input; see the package documentation and Clone.
type Packet struct {
	Header

	// Payload is the payload of a data packet.
	Payload []byte

	// Handshake is the CIF of a HANDSHAKE packet.
	Handshake handshake.Handshake

	// ACK is the CIF of an ACK packet.
	ACK ACK

	// NAK is the CIF of a NAK packet.
	NAK NAK

	// DropReq is the CIF of a DROPREQ packet.
	DropReq DropReq

	// CIF is the raw CIF of the other control packets. For the types that
	// carry no information (KEEPALIVE, CGWARNING, SHUTDOWN, ACKACK,
	// PEERERROR; see ControlType.IsEmpty) libsrt sends 4 zero bytes and so
	// does AppendBinary when CIF is nil; a non-nil CIF, even an empty one,
	// is written as it is. Decode sets CIF to the bytes received (4 zero
	// bytes for a libsrt packet, an empty non-nil slice for none).
	CIF []byte
}

// bodyField names a body field of Packet.
type bodyField uint8

const (
	bodyPayload bodyField = iota
	bodyHandshake
	bodyACK
	bodyNAK
	bodyDropReq
	bodyCIF
)

// bodyOf returns the body field that belongs to a header's kind.
func bodyOf(h *Header) bodyField {
	if !h.Control {
		return bodyPayload
	}
	return bodyOfControl(h.Type)
}

// bodyOfControl returns the body field of a control packet of type t.
func bodyOfControl(t ControlType) bodyField {
	switch t {
	case TypeHandshake:
		return bodyHandshake
	case TypeACK:
		return bodyACK
	case TypeNAK:
		return bodyNAK
	case TypeDropReq:
		return bodyDropReq
	}
	return bodyCIF
}

// clearBody zeroes the body field of the kind p's header says.
func (p *Packet) clearBody() { p.clearPrev(bodyOf(&p.Header)) }

// clearPrev zeroes the body field b.
func (p *Packet) clearPrev(b bodyField) {
	switch b {
	case bodyPayload:
		p.Payload = nil
	case bodyHandshake:
		p.Handshake = handshake.Handshake{}
	case bodyACK:
		p.ACK = ACK{}
	case bodyNAK:
		p.NAK = NAK{}
	case bodyDropReq:
		p.DropReq = DropReq{}
	case bodyCIF:
		p.CIF = nil
	}
}

var (
	_ encoding.BinaryAppender = (*Packet)(nil)
	_ encoding.BinaryAppender = (*Header)(nil)
	_ encoding.BinaryAppender = (*ACK)(nil)
	_ encoding.BinaryAppender = (*NAK)(nil)
	_ encoding.BinaryAppender = (*DropReq)(nil)
)

// Decode decodes the datagram b (a UDP payload) into p, overwriting every
// field. It returns ErrTruncated for a datagram shorter than the 16-byte
// header, and the error of the CIF decoder of the packet's type otherwise:
// ErrTruncated for an ACK or DROPREQ CIF too short for its fixed fields,
// ErrNAKDanglingRange or ErrNAKBadRange for a malformed NAK, the handshake
// package's sentinels for a malformed HANDSHAKE CIF. On error the header
// and whatever else was decoded before the fault stay set.
//
// The types without a fixed CIF (KEEPALIVE, SHUTDOWN, ACKACK, CGWARNING,
// PEERERROR, UMSG_EXT, and types libsrt does not know) accept a CIF of any
// length. Data packets may have an empty payload.
//
// Decode does not copy: the slices in p are views into b, valid until b is
// reused.
func (p *Packet) Decode(b []byte) error {
	// The header is decoded here rather than by Header.Decode (which does
	// the same): the call and the zeroing of the body fields before it
	// would double the cost of decoding a data packet. (Sharing the field
	// stores through a helper was measured too: it is not inlined and
	// costs a data packet about 15%.)
	if len(b) < HeaderSize {
		p.clearBody()
		p.Header = Header{}
		return ErrTruncated
	}
	prev := bodyOf(&p.Header)
	w0 := binary.BigEndian.Uint32(b[0:4])
	w1 := binary.BigEndian.Uint32(b[4:8])
	p.Timestamp = binary.BigEndian.Uint32(b[8:12])
	p.DstSocket = binary.BigEndian.Uint32(b[12:16])
	body := b[HeaderSize:len(b):len(b)]
	if w0&controlBit == 0 {
		p.Control = false
		p.Seq = SeqNumber(w0)
		p.Position = Position(w1 >> positionShft)
		p.InOrder = w1&inOrderBit != 0
		p.Key = handshake.KeyFlags(w1 >> keyShift & 3)
		p.Retransmitted = w1&rexmitBit != 0
		p.MsgNo = MsgNumber(w1 & msgNoMask)
		p.Type, p.Subtype, p.Info = 0, 0, 0
		if prev != bodyPayload {
			p.clearPrev(prev)
		}
		p.Payload = body
		return nil
	}
	// The control half stays in this function: a call of its own cost
	// the control kinds 5-10 % and saved data packets nothing measurable.
	typ := ControlType(w0 >> typeShift & typeMask)
	p.Control = true
	p.Seq, p.Position, p.InOrder, p.Key, p.Retransmitted, p.MsgNo = 0, 0, false, 0, false, 0
	p.Type = typ
	p.Subtype = Subtype(w0)
	p.Info = w1
	// The kind comes from typ, not from p.Type just stored: reading it
	// back put a store-to-load round trip on the branch.
	next := bodyOfControl(typ)
	if prev != next {
		p.clearPrev(prev)
	}
	switch next {
	case bodyHandshake:
		return p.Handshake.Decode(body)
	case bodyACK:
		return p.ACK.Decode(body)
	case bodyNAK:
		return p.NAK.Decode(body)
	case bodyDropReq:
		return p.DropReq.Decode(body)
	}
	p.CIF = body
	return nil
}

// MarshalSize returns the length of the encoded datagram.
func (p *Packet) MarshalSize() int {
	n := HeaderSize
	if !p.Control {
		return n + len(p.Payload)
	}
	switch p.Type {
	case TypeHandshake:
		return n + p.Handshake.MarshalSize()
	case TypeACK:
		return n + p.ACK.MarshalSize()
	case TypeNAK:
		return n + p.NAK.MarshalSize()
	case TypeDropReq:
		return n + p.DropReq.MarshalSize()
	}
	if p.CIF == nil && p.Type.IsEmpty() {
		return n + len(emptyPad)
	}
	return n + len(p.CIF)
}

// AppendBinary appends the encoded datagram to b and returns the extended
// buffer. It does not allocate when b has MarshalSize bytes of spare
// capacity. On error it returns b unchanged and ErrFieldRange (a header
// field or the ACK variant out of range), ErrNAKDanglingRange or
// ErrNAKBadRange (a malformed NAK list), or the error of the handshake
// encoder.
func (p *Packet) AppendBinary(b []byte) ([]byte, error) {
	w0, w1, err := p.Header.words()
	if err != nil {
		return b, err
	}
	if !p.Control {
		return p.appendRaw(b, w0, w1, p.Payload), nil
	}
	// The kinds with a typed body grow b once for the whole datagram and
	// may fail; the others append their CIF as it is, which sizes
	// itself (going through MarshalSize and the error path as well cost
	// KEEPALIVE's encode a third of its time).
	var size int
	switch p.Type {
	case TypeHandshake:
		size = p.Handshake.MarshalSize()
	case TypeACK:
		size = p.ACK.MarshalSize()
	case TypeNAK:
		size = p.NAK.MarshalSize()
	case TypeDropReq:
		size = p.DropReq.MarshalSize()
	default:
		cif := p.CIF
		if cif == nil && p.Type.IsEmpty() {
			cif = emptyPad[:]
		}
		return p.appendRaw(b, w0, w1, cif), nil
	}
	orig := len(b)
	b = slices.Grow(b, HeaderSize+size)
	out := b[:orig+HeaderSize]
	p.Header.put(out[orig:], w0, w1)
	switch p.Type {
	case TypeHandshake:
		out, err = p.Handshake.AppendBinary(out)
	case TypeACK:
		out, err = p.ACK.AppendBinary(out)
	case TypeNAK:
		out, err = p.NAK.AppendBinary(out)
	default:
		out, err = p.DropReq.AppendBinary(out)
	}
	if err != nil {
		return b[:orig], err
	}
	return out, nil
}

// appendRaw appends the header, with its first words w0 and w1, and body.
func (p *Packet) appendRaw(b []byte, w0, w1 uint32, body []byte) []byte {
	b = slices.Grow(b, HeaderSize+len(body))
	n := len(b)
	b = b[:n+HeaderSize]
	p.Header.put(b[n:], w0, w1)
	return append(b, body...)
}

// Clone returns a deep copy of p whose slices do not alias the decoded
// input (one allocation for all of them, plus the Packet). Nil slices stay
// nil and empty ones stay empty, as for every Clone of srtwire.
func (p *Packet) Clone() *Packet {
	c := new(Packet)
	*c = *p
	n := len(p.Payload) + len(p.Handshake.Ext) + len(p.ACK.Extra) + len(p.NAK.List) + len(p.DropReq.Extra) + len(p.CIF)
	buf := make([]byte, 0, n)
	c.Payload = clone.Into(&buf, p.Payload)
	c.Handshake.Ext = clone.Into(&buf, p.Handshake.Ext)
	c.ACK.Extra = clone.Into(&buf, p.ACK.Extra)
	c.NAK.List = clone.Into(&buf, p.NAK.List)
	c.DropReq.Extra = clone.Into(&buf, p.DropReq.Extra)
	c.CIF = clone.Into(&buf, p.CIF)
	return c
}
