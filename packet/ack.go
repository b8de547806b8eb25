package packet

import (
	"encoding/binary"
	"slices"
	"strconv"
)

// ACKVariant says which fields an ACK carries; it is told by the CIF length.
type ACKVariant uint8

// ACK variants (libsrt core.h ACKD_* sizes). The zero value is not a valid
// variant for encoding.
const (
	// ACKLight is the 4-byte "light" ACK: LastAckSeq only. libsrt sends it
	// every 64 packets between periodic ACKs, with ACK number 0, and does
	// not answer it with an ACKACK.
	ACKLight ACKVariant = 1
	// ACKSmall is the 16-byte ACK: LastAckSeq, RTT, RTTVar, AvailBuf.
	// libsrt numbers it and answers it with an ACKACK.
	ACKSmall ACKVariant = 2
	// ACKFull24 is the 24-byte full ACK sent to peers older than 1.0.3:
	// ACKSmall plus PktRate and Bandwidth.
	ACKFull24 ACKVariant = 3
	// ACKFull is the 28-byte full ACK libsrt sends every 10 ms: ACKFull24
	// plus RecvRate.
	ACKFull ACKVariant = 4
	// ACKFull32 is the 32-byte full ACK sent only to 1.0.2 peers: ACKFull
	// plus XmRate.
	ACKFull32 ACKVariant = 5
)

var ackSizes = [...]int{0, 4, 16, 24, 28, 32}

var ackNames = [...]string{"", "light", "small", "full24", "full", "full32"}

// Size returns the CIF length of the variant in bytes (4, 16, 24, 28 or
// 32), or 0 for an unknown variant.
func (v ACKVariant) Size() int {
	if int(v) < len(ackSizes) {
		return ackSizes[v]
	}
	return 0
}

// String returns "light", "small", "full", "full24", "full32", or
// "ACKVariant(n)".
func (v ACKVariant) String() string {
	if v != 0 && int(v) < len(ackNames) {
		return ackNames[v]
	}
	return "ACKVariant(" + strconv.Itoa(int(v)) + ")"
}

// ackVariantFor returns the largest variant whose fields fit in n bytes.
func ackVariantFor(n int) ACKVariant {
	switch {
	case n >= 32:
		return ACKFull32
	case n >= 28:
		return ACKFull
	case n >= 24:
		return ACKFull24
	case n >= 16:
		return ACKSmall
	}
	return ACKLight
}

// ACK is the CIF of an ACK control packet. The ACK number is in the
// header's Info field (0 in a light ACK).
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|0|            Last Acknowledged Packet Sequence Number         |  light (4)
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                              RTT                              |
//	|                          RTT Variance                         |
//	|                     Available Buffer Size                     |  small (16)
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                     Packets Receiving Rate                    |
//	|                     Estimated Link Capacity                   |  full24 (24)
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                         Receiving Rate                        |  full (28)
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                     XMRATE (1.0.2 peers)                      |  full32 (32)
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// Fields the variant does not carry are zero after Decode and are not
// written by AppendBinary.
type ACK struct {
	// Variant is decided by the CIF length when decoding (the largest
	// variant that fits) and says how many fields are encoded.
	Variant ACKVariant

	// LastAckSeq is the first sequence number not yet received (bit 31 is
	// 0; libsrt ignores an ACK whose bit 31 is set, and Decode keeps it).
	LastAckSeq SeqNumber
	RTT        uint32 // round-trip time, µs
	RTTVar     uint32 // round-trip time variance, µs
	AvailBuf   uint32 // available receiver buffer, packets
	PktRate    uint32 // packets receiving rate, packets/s
	Bandwidth  uint32 // estimated link capacity, packets/s
	RecvRate   uint32 // receiving rate, bytes/s
	XmRate     uint32 // 1.0.2 only: bandwidth × payload size, bytes/s

	// Extra holds CIF bytes after the last field of the variant, as a view
	// into the decoded input; nil for the lengths libsrt sends. libsrt
	// ignores such bytes. AppendBinary writes them back as they are.
	Extra []byte
}

// Decode decodes an ACK CIF into a, overwriting every field. The variant
// is the largest one whose fields fit in cif; remaining bytes go to Extra.
// It returns ErrTruncated when cif is shorter than 4 bytes.
func (a *ACK) Decode(cif []byte) error {
	n := len(cif)
	if n < 4 {
		*a = ACK{}
		return ErrTruncated
	}
	v := ackVariantFor(n)
	// Every field is stored once (rather than the whole ACK zeroed first),
	// the fields a variant lacks with zero.
	var rtt, rttVar, avail, pktRate, bw, recvRate, xmRate uint32
	if v >= ACKSmall {
		_ = cif[15]
		rtt = binary.BigEndian.Uint32(cif[4:8])
		rttVar = binary.BigEndian.Uint32(cif[8:12])
		avail = binary.BigEndian.Uint32(cif[12:16])
		if v >= ACKFull24 {
			_ = cif[23]
			pktRate = binary.BigEndian.Uint32(cif[16:20])
			bw = binary.BigEndian.Uint32(cif[20:24])
			if v >= ACKFull {
				recvRate = binary.BigEndian.Uint32(cif[24:28])
				if v >= ACKFull32 {
					xmRate = binary.BigEndian.Uint32(cif[28:32])
				}
			}
		}
	}
	a.Variant = v
	a.LastAckSeq = SeqNumber(binary.BigEndian.Uint32(cif[0:4]))
	a.RTT, a.RTTVar, a.AvailBuf = rtt, rttVar, avail
	a.PktRate, a.Bandwidth, a.RecvRate, a.XmRate = pktRate, bw, recvRate, xmRate
	if s := ackSizes[v]; s < n {
		a.Extra = cif[s:n:n]
	} else {
		a.Extra = nil
	}
	return nil
}

// MarshalSize returns the encoded CIF length: the variant's size plus
// len(Extra).
func (a *ACK) MarshalSize() int { return a.Variant.Size() + len(a.Extra) }

// AppendBinary appends the encoded CIF to b: the fields of the variant,
// then Extra. It returns b unchanged and ErrFieldRange for an unknown
// variant.
func (a *ACK) AppendBinary(b []byte) ([]byte, error) {
	v := a.Variant
	if v < ACKLight || v > ACKFull32 {
		return b, ErrFieldRange
	}
	size := v.Size()
	n := len(b)
	b = slices.Grow(b, size+len(a.Extra))[:n+size]
	out := b[n : n+size]
	binary.BigEndian.PutUint32(out[0:], uint32(a.LastAckSeq))
	if v >= ACKSmall {
		_ = out[15]
		binary.BigEndian.PutUint32(out[4:], a.RTT)
		binary.BigEndian.PutUint32(out[8:], a.RTTVar)
		binary.BigEndian.PutUint32(out[12:], a.AvailBuf)
		if v >= ACKFull24 {
			_ = out[23]
			binary.BigEndian.PutUint32(out[16:], a.PktRate)
			binary.BigEndian.PutUint32(out[20:], a.Bandwidth)
			if v >= ACKFull {
				binary.BigEndian.PutUint32(out[24:], a.RecvRate)
				if v >= ACKFull32 {
					binary.BigEndian.PutUint32(out[28:], a.XmRate)
				}
			}
		}
	}
	if len(a.Extra) == 0 {
		return b, nil
	}
	return append(b, a.Extra...), nil
}
