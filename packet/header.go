package packet

import (
	"encoding/binary"
	"slices"

	"github.com/srtwire/srtwire/handshake"
)

// HeaderSize is the size of the common SRT packet header, in bytes.
const HeaderSize = 16

// Header bit layout (libsrt srtcore/packet.h, CPacket).
const (
	controlBit   = 0x80000000 // word 0, bit 31: F
	typeShift    = 16         // word 0: control type, bits 30..16
	typeMask     = 0x7FFF
	positionShft = 30         // word 1: PP, bits 31..30
	inOrderBit   = 0x20000000 // word 1, bit 29: O
	keyShift     = 27         // word 1: KK, bits 28..27
	rexmitBit    = 0x04000000 // word 1, bit 26: R
	msgNoMask    = 0x03FFFFFF // word 1: message number, bits 25..0
)

// Header is the common 16-byte header of every SRT packet.
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|0|                    Packet Sequence Number                   |  data
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|P P|O|K K|R|                   Message Number                  |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|1|        Control Type         |            Subtype            |  control
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                   Type-specific Information                   |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                           Timestamp                           |  both
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                 Destination SRT Socket ID                     |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// Control selects which group of fields is in use; the fields of the other
// group are zero after Decode and ignored by AppendBinary.
type Header struct {
	// Control is the F bit: true for a control packet, false for data.
	Control bool

	// Data packet fields.

	Seq           SeqNumber          // packet sequence number (31 bits)
	Position      Position           // PP: first, middle, last or solo
	InOrder       bool               // O: deliver in order
	Key           handshake.KeyFlags // KK: the key that encrypted the payload (KeyNone, KeyEven or KeyOdd; 3 is invalid but kept so the packet re-encodes exactly)
	Retransmitted bool               // R: the packet is a retransmission
	// MsgNo is the 26-bit message number. Peers older than SRT 1.2.0
	// (without the REXMITFLG option) use 27 bits, the upper one being the
	// R bit: for them the number is MsgNo | 1<<26 when Retransmitted.
	MsgNo MsgNumber

	// Control packet fields.

	Type    ControlType // 15-bit control type
	Subtype Subtype     // UMSG_EXT subtype; 0 for other types
	// Info is the type-specific information word: the ACK number of an ACK
	// or ACKACK, the message number of a DROPREQ (see DropReq.MsgNo), the
	// error code of a PEERERROR; 0 for the other types.
	Info uint32

	// Fields of both kinds.

	Timestamp uint32 // µs since the sender's socket started; wraps every ~71.6 min
	DstSocket uint32 // destination SRT socket ID; 0 in a connection request
}

// Decode decodes the 16-byte header at the start of b into h, overwriting
// every field, and returns the number of bytes consumed (HeaderSize). It
// returns ErrTruncated, with h zeroed, when b is shorter than HeaderSize.
func (h *Header) Decode(b []byte) (n int, err error) {
	if len(b) < HeaderSize {
		*h = Header{}
		return 0, ErrTruncated
	}
	w0 := binary.BigEndian.Uint32(b[0:4])
	w1 := binary.BigEndian.Uint32(b[4:8])
	h.Timestamp = binary.BigEndian.Uint32(b[8:12])
	h.DstSocket = binary.BigEndian.Uint32(b[12:16])
	// Fields are stored one by one: building a Header value and copying it
	// makes the CPU stall on store forwarding.
	if w0&controlBit != 0 {
		h.Control = true
		h.Seq, h.Position, h.InOrder, h.Key, h.Retransmitted, h.MsgNo = 0, 0, false, 0, false, 0
		h.Type = ControlType(w0 >> typeShift & typeMask)
		h.Subtype = Subtype(w0)
		h.Info = w1
	} else {
		h.Control = false
		h.Seq = SeqNumber(w0)
		h.Position = Position(w1 >> positionShft)
		h.InOrder = w1&inOrderBit != 0
		h.Key = handshake.KeyFlags(w1 >> keyShift & 3)
		h.Retransmitted = w1&rexmitBit != 0
		h.MsgNo = MsgNumber(w1 & msgNoMask)
		h.Type, h.Subtype, h.Info = 0, 0, 0
	}
	return HeaderSize, nil
}

// MarshalSize returns HeaderSize.
func (h *Header) MarshalSize() int { return HeaderSize }

// AppendBinary appends the 16-byte encoding of h to b. It returns b
// unchanged and ErrFieldRange when a field in use does not fit its wire
// width (Seq >= 2^31, MsgNo >= 2^26, Position or Key > 3, Type > 0x7FFF).
func (h *Header) AppendBinary(b []byte) ([]byte, error) {
	w0, w1, err := h.words()
	if err != nil {
		return b, err
	}
	n := len(b)
	b = slices.Grow(b, HeaderSize)[:n+HeaderSize]
	h.put(b[n:], w0, w1)
	return b, nil
}

// put writes the header, whose first two words are w0 and w1 (see words),
// to the first 16 bytes of out.
func (h *Header) put(out []byte, w0, w1 uint32) {
	_ = out[15]
	binary.BigEndian.PutUint32(out[0:], w0)
	binary.BigEndian.PutUint32(out[4:], w1)
	binary.BigEndian.PutUint32(out[8:], h.Timestamp)
	binary.BigEndian.PutUint32(out[12:], h.DstSocket)
}

// words returns the first two header words, checking the field ranges.
func (h *Header) words() (w0, w1 uint32, err error) {
	if h.Control {
		if h.Type > typeMask {
			return 0, 0, ErrFieldRange
		}
		return controlBit | uint32(h.Type)<<typeShift | uint32(h.Subtype), h.Info, nil
	}
	if h.Seq > MaxSeqNumber || h.MsgNo > MaxMsgNumber || h.Position > 3 || h.Key > 3 {
		return 0, 0, ErrFieldRange
	}
	w1 = uint32(h.Position)<<positionShft | uint32(h.Key)<<keyShift | uint32(h.MsgNo)
	if h.InOrder {
		w1 |= inOrderBit
	}
	if h.Retransmitted {
		w1 |= rexmitBit
	}
	return uint32(h.Seq), w1, nil
}
