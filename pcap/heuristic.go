package pcap

import (
	"encoding/binary"
	"net/netip"

	"github.com/srtwire/srtwire/handshake"
	"github.com/srtwire/srtwire/packet"
)

// Confidence is how sure the heuristic is that a UDP payload is SRT.
type Confidence uint8

// Confidence levels returned by Recognize.
const (
	// NotSRT: the payload cannot be an SRT datagram.
	NotSRT Confidence = iota
	// MaybeSRT: the payload is shaped like an SRT data packet. Data
	// packets carry no signature, so one is accepted only on a flow that
	// something else has confirmed (see Reader).
	MaybeSRT
	// SureSRT: the payload is an SRT control packet whose fields are all
	// consistent (type, subtype, CIF length, handshake version, ...).
	SureSRT
)

// String returns "not SRT", "maybe SRT" or "SRT".
func (c Confidence) String() string {
	switch c {
	case MaybeSRT:
		return "maybe SRT"
	case SureSRT:
		return "SRT"
	}
	return "not SRT"
}

// Recognize judges whether a UDP payload is an SRT datagram from its bytes
// alone. It is strict for control packets, whose header and CIF must match
// what libsrt sends, and returns MaybeSRT for anything shaped like a data
// packet (F = 0, a valid key field, a destination socket ID, a message
// number other than 0 unless it is an FEC packet). It does not allocate.
//
// RTP, DNS, QUIC and other common UDP protocols do not pass as control
// packets; some of them do look like SRT data, which is why Reader only
// accepts data on confirmed flows.
func Recognize(b []byte) Confidence {
	if len(b) < 16 {
		return NotSRT
	}
	w0 := binary.BigEndian.Uint32(b[0:])
	w1 := binary.BigEndian.Uint32(b[4:])
	dst := binary.BigEndian.Uint32(b[12:])
	if dst&0x80000000 != 0 { // socket IDs never use bit 31
		return NotSRT
	}
	if w0&0x80000000 == 0 {
		// Data packet.
		if len(b) == 16 || dst == 0 {
			return NotSRT
		}
		kk := w1 >> 27 & 3
		if kk == 3 {
			return NotSRT
		}
		if w1&0x03FFFFFF == 0 && w1>>30 != 3 { // msgno 0 only on FEC packets (solo)
			return NotSRT
		}
		return MaybeSRT
	}
	typ := w0 >> 16 & 0x7FFF
	sub := w0 & 0xFFFF
	cif := b[16:]
	if typ != 0x7FFF && sub != 0 {
		return NotSRT
	}
	switch typ {
	case 0: // HANDSHAKE
		if w1 != 0 || !plausibleHandshake(cif) {
			return NotSRT
		}
		return SureSRT
	case 1, 4, 5, 6, 8: // KEEPALIVE, CGWARNING, SHUTDOWN, ACKACK, PEERERROR
		if dst == 0 || len(cif) > 4 || (typ != 6 && typ != 8 && w1 != 0) {
			return NotSRT
		}
		if len(cif) == 4 && binary.BigEndian.Uint32(cif) != 0 {
			return NotSRT
		}
		return SureSRT
	case 2: // ACK
		switch len(cif) {
		case 4, 16, 24, 28, 32:
		default:
			return NotSRT
		}
		if dst == 0 || binary.BigEndian.Uint32(cif)&0x80000000 != 0 || (len(cif) == 4 && w1 != 0) {
			return NotSRT
		}
		return SureSRT
	case 3: // NAK
		var nak packet.NAK
		if dst == 0 || w1 != 0 || len(cif) == 0 || len(cif)%4 != 0 || len(cif) > 1456 || nak.Decode(cif) != nil {
			return NotSRT
		}
		return SureSRT
	case 7: // DROPREQ
		if dst == 0 || len(cif) != 8 || cif[0]&0x80 != 0 || cif[4]&0x80 != 0 {
			return NotSRT
		}
		return SureSRT
	case 0x7FFF: // UMSG_EXT
		if dst == 0 || sub < 1 || sub > 4 || len(cif) < 4 || len(cif) > 104 || len(cif)%4 != 0 {
			return NotSRT
		}
		if (sub == 3 || sub == 4) && len(cif) > 4 && (cif[0] != 0x12 || cif[1] != 0x20 || cif[2] != 0x29) {
			return NotSRT
		}
		return SureSRT
	}
	return NotSRT
}

func plausibleHandshake(cif []byte) bool {
	if len(cif) < 48 {
		return false
	}
	ver := binary.BigEndian.Uint32(cif[0:])
	typeWord := binary.BigEndian.Uint32(cif[4:])
	isn := binary.BigEndian.Uint32(cif[8:])
	mss := binary.BigEndian.Uint32(cif[12:])
	win := binary.BigEndian.Uint32(cif[16:])
	req := int32(binary.BigEndian.Uint32(cif[20:]))
	switch ver {
	case 4:
		if typeWord != 1 && typeWord != 2 || len(cif) != 48 {
			return false
		}
	case 5:
	default:
		return false
	}
	if isn&0x80000000 != 0 || mss < 32 || mss > 65536 || win < 2 {
		return false
	}
	if !(req >= -3 && req <= 1) && !(req >= 1000 && req < 1<<24) {
		return false
	}
	// Extension blocks, when present, must tile the rest of the CIF.
	it := handshake.NewExtIter(cif[handshake.CIFSize:], handshake.CIFSize)
	for it.Next() {
	}
	return it.Err() == nil && it.Trailing() == 0
}

// flowKey identifies a UDP flow regardless of direction.
type flowKey struct {
	a, b netip.AddrPort
}

func makeFlowKey(src, dst netip.AddrPort) flowKey {
	if lessAddrPort(dst, src) {
		src, dst = dst, src
	}
	return flowKey{src, dst}
}

func lessAddrPort(x, y netip.AddrPort) bool {
	if c := x.Addr().Compare(y.Addr()); c != 0 {
		return c < 0
	}
	return x.Port() < y.Port()
}

// flowState is what the Reader remembers about a UDP flow.
type flowState struct {
	confirmed bool
	// The last data-shaped datagram seen on an unconfirmed flow, kept
	// (copied) until the flow is confirmed or another one replaces it.
	pending      []byte
	pendingValid bool
	pendingInfo  frameInfo // its Data lives in pending
}

// consistentData reports whether two data-shaped datagrams sent in the same
// direction look like consecutive packets of one SRT stream: the same
// destination socket and sequence numbers within 4096 of each other.
func consistentData(prev, cur []byte) bool {
	if len(prev) < 16 || len(cur) < 16 {
		return false
	}
	if binary.BigEndian.Uint32(prev[12:]) != binary.BigEndian.Uint32(cur[12:]) {
		return false
	}
	p := binary.BigEndian.Uint32(prev[0:]) & 0x7FFFFFFF
	c := binary.BigEndian.Uint32(cur[0:]) & 0x7FFFFFFF
	d := (c - p) & 0x7FFFFFFF
	return d <= 4096 || d >= 0x80000000-4096
}
