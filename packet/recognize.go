package packet

import (
	"encoding/binary"

	"github.com/srtwire/srtwire/handshake"
)

// Confidence is how sure Recognize is that a UDP payload is SRT.
type Confidence uint8

// Confidence levels returned by Recognize.
const (
	// ConfidenceNone: the payload cannot be an SRT datagram.
	ConfidenceNone Confidence = iota
	// ConfidenceMaybe: the payload is shaped like an SRT data packet. Data
	// packets carry no signature, so a demultiplexer should accept one
	// only on a flow that something else has confirmed (a control packet,
	// or consecutive data packets of one stream; capture.Reader does this).
	ConfidenceMaybe
	// ConfidenceSure: the payload is an SRT control packet whose fields
	// are all consistent (type, subtype, CIF length, handshake version...).
	ConfidenceSure
)

// String returns "not SRT", "maybe SRT" or "SRT".
func (c Confidence) String() string {
	switch c {
	case ConfidenceMaybe:
		return "maybe SRT"
	case ConfidenceSure:
		return "SRT"
	}
	return "not SRT"
}

// Limits the recogniser applies. They are what libsrt sends, not what the
// wire format could carry.
const (
	// maxNAKCIF is the longest loss list that fits one datagram of a
	// 1500-byte MTU: 1500 - 20 (IPv4) - 8 (UDP) - 16 (SRT header).
	maxNAKCIF = 1456
	// kmFirstByte is the first byte of a key-material message: version 1,
	// packet type 2 (haicrypt/hcrypt_msg.h).
	kmFirstByte = 1<<4 | 2
	// minHandshakeMTU and maxHandshakeMTU bound the MTU field of a
	// plausible handshake; minFlowWindow its flow window.
	minHandshakeMTU = 32
	maxHandshakeMTU = 65536
	minFlowWindow   = 2
	// Handshake Type values a real handshake carries: WAVEAHAND (0) to
	// CONCLUSION (-1), AGREEMENT (-2), DONE (-3) and INDUCTION (1), or a
	// rejection (1000 + reason, below 2^24).
	minHandshakeType = -3
	maxHandshakeType = 1
	maxRejectionType = 1 << 24
	// udtSockDgram and udtSockStream are the socket types an HSv4
	// handshake carries in its Type word.
	udtSockStream = 1
	udtSockDgram  = 2
)

// Recognize judges whether a UDP payload is an SRT datagram from its bytes
// alone, the way a demultiplexer on a socket that carries several
// protocols would (as pion's demux
// does for DTLS/SRTP/STUN). It is strict for control packets, whose header
// and CIF must match what libsrt sends, and returns ConfidenceMaybe for
// anything shaped like a data packet (a valid key field, a destination
// socket ID, a message number other than 0 unless it is an FEC packet). It
// does not allocate.
//
// RTP, DNS, QUIC and other common UDP protocols do not pass as control
// packets; some of them do look like SRT data, which is why data is only
// "maybe". No socket ID is ruled out: libsrt draws them below 2^30
// (srtcore/api.cpp, CUDTUnited::generateSocketID), but other stacks, such
// as datarhei/gosrt, use all 32 bits.
func Recognize(b []byte) Confidence {
	var h Header
	if _, err := h.Decode(b); err != nil {
		return ConfidenceNone
	}
	cif := b[HeaderSize:]
	if !h.Control {
		if len(cif) == 0 || h.DstSocket == 0 || h.Key == handshake.KeyBoth {
			return ConfidenceNone
		}
		if h.MsgNo == MsgNumberControl && h.Position != PositionSolo { // message number 0 only on FEC packets
			return ConfidenceNone
		}
		return ConfidenceMaybe
	}
	if h.Type != TypeUserDefined && h.Subtype != 0 {
		return ConfidenceNone
	}
	if h.Type != TypeHandshake && h.DstSocket == 0 { // only a connection request goes to socket 0
		return ConfidenceNone
	}
	ok := false
	switch h.Type {
	case TypeHandshake:
		ok = h.Info == 0 && plausibleHandshake(cif)
	case TypeKeepalive, TypeCongestionWarning, TypeShutdown, TypeACKACK, TypePeerError:
		// Info is the ACK number of an ACKACK and the code of a PEERERROR,
		// 0 otherwise; the CIF is empty or libsrt's 4 zero bytes.
		infoOK := h.Info == 0 || h.Type == TypeACKACK || h.Type == TypePeerError
		ok = infoOK && (len(cif) == 0 || len(cif) == len(emptyPad) && binary.BigEndian.Uint32(cif) == 0)
	case TypeACK:
		v := ackVariantFor(len(cif))
		ok = v != 0 && v.Size() == len(cif) && SeqNumber(binary.BigEndian.Uint32(cif)) <= MaxSeqNumber &&
			(v != ACKLight || h.Info == 0)
	case TypeNAK:
		ok = h.Info == 0 && len(cif) > 0 && len(cif)%4 == 0 && len(cif) <= maxNAKCIF && validateLossList(cif) == nil
	case TypeDropReq:
		ok = len(cif) == DropReqSize && SeqNumber(binary.BigEndian.Uint32(cif)) <= MaxSeqNumber &&
			SeqNumber(binary.BigEndian.Uint32(cif[4:])) <= MaxSeqNumber
	case TypeUserDefined:
		ok = h.Subtype >= SubtypeHSReq && h.Subtype <= SubtypeKMRsp && len(cif) >= 4 &&
			len(cif) <= handshake.KMMaxSize && len(cif)%4 == 0
		if ok && (h.Subtype == SubtypeKMReq || h.Subtype == SubtypeKMRsp) && !handshake.IsKMState(cif) {
			ok = cif[0] == kmFirstByte && binary.BigEndian.Uint16(cif[1:]) == handshake.KMSign
		}
	}
	if ok {
		return ConfidenceSure
	}
	return ConfidenceNone
}

// plausibleHandshake reports whether cif is a handshake CIF libsrt could
// have sent: a known version, sane MTU and flow window, a known Type, and
// extension blocks that tile the rest of the CIF.
func plausibleHandshake(cif []byte) bool {
	var hs handshake.Handshake
	if hs.Decode(cif) != nil {
		return false
	}
	switch hs.Version {
	case handshake.Version4:
		if tw := hs.TypeWord(); tw != udtSockStream && tw != udtSockDgram || len(cif) != handshake.CIFSize {
			return false
		}
	case handshake.Version5:
	default:
		return false
	}
	if SeqNumber(hs.ISN) > MaxSeqNumber || hs.MTU < minHandshakeMTU || hs.MTU > maxHandshakeMTU || hs.FlowWindow < minFlowWindow {
		return false
	}
	if t := int32(hs.Type); !(t >= minHandshakeType && t <= maxHandshakeType) && !(t >= int32(handshake.FailureBase) && t < maxRejectionType) {
		return false
	}
	it := hs.Extensions()
	for it.Next() {
	}
	return it.Trailing() == 0
}
