package packet

import (
	"encoding/binary"
	"slices"
)

// DropReqSize is the CIF length of a DROPREQ control packet.
const DropReqSize = 8

// DropReq is the CIF of a DROPREQ (message drop request) control packet.
// The message number is in the header's Info field; read it with
// [Header.DropMsgNo].
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|0|              First Packet Sequence Number                   |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|0|              Last Packet Sequence Number                    |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
type DropReq struct {
	First SeqNumber // first sequence number to drop
	Last  SeqNumber // last sequence number to drop, inclusive
	// Extra holds CIF bytes after the 8 defined ones, as a view into the
	// decoded input; nil for the packets libsrt sends. AppendBinary writes
	// them back.
	Extra []byte
}

// Decode decodes a DROPREQ CIF into d, overwriting every field. It returns
// ErrTruncated when cif is shorter than 8 bytes (libsrt ignores such a
// DROPREQ).
func (d *DropReq) Decode(cif []byte) error {
	*d = DropReq{}
	if len(cif) < DropReqSize {
		return ErrTruncated
	}
	d.First = SeqNumber(binary.BigEndian.Uint32(cif[0:4]))
	d.Last = SeqNumber(binary.BigEndian.Uint32(cif[4:8]))
	if n := len(cif); n > DropReqSize {
		d.Extra = cif[DropReqSize:n:n]
	}
	return nil
}

// MarshalSize returns 8 + len(d.Extra).
func (d *DropReq) MarshalSize() int { return DropReqSize + len(d.Extra) }

// AppendBinary appends the encoded CIF to b.
func (d *DropReq) AppendBinary(b []byte) ([]byte, error) {
	n := len(b)
	b = slices.Grow(b, 8+len(d.Extra))[:n+8]
	binary.BigEndian.PutUint32(b[n:], uint32(d.First))
	binary.BigEndian.PutUint32(b[n+4:], uint32(d.Last))
	if len(d.Extra) == 0 {
		return b, nil
	}
	return append(b, d.Extra...), nil
}

// DropMsgNo returns the message number of a DROPREQ: the Info field masked
// to 26 bits, as libsrt reads it. 0 (MsgNumberControl) means "drop by
// sequence range only". Peers older than SRT 1.2.0 use 27 bits; read Info
// for them.
func (h *Header) DropMsgNo() MsgNumber { return MsgNumber(h.Info & msgNoMask) }
