package packet

import (
	"encoding/binary"
	"strconv"
)

// Position is the PP field of a data packet: where the packet sits in its
// message.
type Position uint8

// Position values (libsrt PacketBoundary).
const (
	PositionMiddle Position = 0 // 00: a packet inside a message (PB_SUBSEQUENT)
	PositionLast   Position = 1 // 01: the last packet of a message
	PositionFirst  Position = 2 // 10: the first packet of a message
	PositionSolo   Position = 3 // 11: a message in a single packet
)

var positionNames = [...]string{"middle", "last", "first", "solo"}

// String returns "first", "middle", "last" or "solo".
func (p Position) String() string {
	if int(p) < len(positionNames) {
		return positionNames[p]
	}
	return "Position(" + strconv.Itoa(int(p)) + ")"
}

// FECHeader is the 4-byte header at the start of the payload of an FEC
// packet sent by libsrt's built-in "fec" packet filter (fec.cpp).
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|  Group Index  |   KK XOR      |          Length XOR           |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                    XOR of the group's payloads               ...
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
type FECHeader struct {
	// Index is the group index: -1 for a row group, otherwise the column
	// index.
	Index int8
	// KeyXor is the XOR of the KK flags of the group's packets.
	KeyXor uint8
	// LengthXor is the XOR of the payload lengths of the group's packets.
	LengthXor uint16
}

// FECHeaderSize is the size of the FEC header in an FEC packet's payload.
const FECHeaderSize = 4

// IsFEC reports whether p is an FEC packet of libsrt's packet filter: a data
// packet with message number 0 (SRT_MSGNO_CONTROL) and position solo. Its
// sequence number is that of the last data packet of the group.
func (p *Packet) IsFEC() bool {
	return !p.Control && p.MsgNo == MsgNumberControl && p.Position == PositionSolo
}

// FEC returns the FEC header of an FEC packet and the XOR-ed payload that
// follows it (a view into the decoded input). It returns ErrNotFEC when p is
// not an FEC packet and ErrTruncated when the payload is shorter than the
// 4-byte FEC header.
func (p *Packet) FEC() (h FECHeader, xor []byte, err error) {
	if !p.IsFEC() {
		return FECHeader{}, nil, ErrNotFEC
	}
	b := p.Payload
	if len(b) < FECHeaderSize {
		return FECHeader{}, nil, ErrTruncated
	}
	h = FECHeader{Index: int8(b[0]), KeyXor: b[1], LengthXor: binary.BigEndian.Uint16(b[2:4])}
	return h, b[FECHeaderSize:len(b):len(b)], nil
}

// AppendFECHeader appends the 4-byte encoding of h to b. Append the XOR-ed
// payload after it and use the result as the Payload of a data packet with
// MsgNo 0 and Position PositionSolo.
func AppendFECHeader(b []byte, h FECHeader) []byte {
	b = append(b, byte(h.Index), h.KeyXor)
	return binary.BigEndian.AppendUint16(b, h.LengthXor)
}
