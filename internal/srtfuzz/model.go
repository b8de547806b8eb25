package srtfuzz

import (
	"encoding/binary"
	"math/rand/v2"
	"net/netip"

	"github.com/srtwire/srtwire/handshake"
	"github.com/srtwire/srtwire/packet"
)

// Conclusion is the typed model of a caller's CONCLUSION: the packet
// header, the fixed 48 bytes of the handshake CIF and the extension blocks.
// The mutators change it; Encode turns it into a datagram with srtwire's
// encoder (packet.Header.AppendBinary, handshake.NewBuilder), then applies
// the lies the model asks for (block lengths, Extension field, stray bytes).
type Conclusion struct {
	Header packet.Header
	// HS holds the fixed fields; HS.Ext is ignored.
	HS     handshake.Handshake
	Blocks []Block
	// SetFlags replaces the Extension field the Builder computes from the
	// blocks with Flags (a lie, or an Extension field without blocks).
	SetFlags bool
	Flags    uint16
	// Tail is appended after the last block: 1 to 3 stray bytes, or any
	// bytes a mutator wants after the blocks.
	Tail []byte
}

// Block is one extension block: its type, its content as the encoder of
// its type wrote it, and optionally a declared length that lies.
type Block struct {
	Type  handshake.ExtType
	Value []byte
	// Lie, when set, makes the block's length field Words instead of the
	// content's length in words.
	Lie   bool
	Words int
}

// honestWords is the length in words the encoder writes for b's content.
func (b *Block) honestWords() int { return (len(b.Value) + 3) / 4 }

// Encode appends the datagram to dst. offs receives the offset in the
// datagram of every block's 4-byte header, in order (nil to skip).
func (c *Conclusion) Encode(dst []byte, offs *[]int) []byte {
	start := len(dst)
	dst, err := c.Header.AppendBinary(dst)
	if err != nil {
		// Header fields out of range: write the 16 bytes by hand so that
		// the lie still reaches the wire.
		dst = appendRawHeader(dst[:start], &c.Header)
	}
	hs := c.HS
	hs.Ext = nil
	b := handshake.NewBuilder(dst, &hs)
	var marks []int
	for i := range c.Blocks {
		// The Builder appends at the end of its buffer: the block header
		// goes where the CIF so far ends. Block lengths never overflow
		// 0xFFFF words here (the largest block is a few KiB).
		marks = append(marks, start+packet.HeaderSize+handshake.CIFSize+blockBytes(c.Blocks[:i]))
		b.AddRaw(c.Blocks[i].Type, c.Blocks[i].Value)
	}
	out, err := b.Finish()
	if err != nil {
		// AddRaw fails only for a block over 0xFFFF words, which no
		// mutator builds; keep the fixed part.
		out, _ = hs.AppendBinary(dst)
	}
	for i := range c.Blocks {
		if c.Blocks[i].Lie {
			binary.BigEndian.PutUint16(out[marks[i]+2:], uint16(c.Blocks[i].Words))
		}
	}
	if c.SetFlags {
		binary.BigEndian.PutUint16(out[start+packet.HeaderSize+6:], c.Flags)
	}
	if offs != nil {
		*offs = marks
	}
	return append(out, c.Tail...)
}

// blockBytes is the encoded size of blocks.
func blockBytes(blocks []Block) int {
	n := 0
	for i := range blocks {
		n += 4 + 4*blocks[i].honestWords()
	}
	return n
}

// appendRawHeader writes a control header field by field, without the
// range checks of packet.Header.AppendBinary.
func appendRawHeader(b []byte, h *packet.Header) []byte {
	b = binary.BigEndian.AppendUint32(b, 1<<31|uint32(h.Type)<<16|uint32(h.Subtype))
	b = binary.BigEndian.AppendUint32(b, h.Info)
	b = binary.BigEndian.AppendUint32(b, h.Timestamp)
	return binary.BigEndian.AppendUint32(b, h.DstSocket)
}

// Index returns the position of the first block of type t, or -1.
func (c *Conclusion) Index(t handshake.ExtType) int {
	for i := range c.Blocks {
		if c.Blocks[i].Type == t {
			return i
		}
	}
	return -1
}

// Insert puts blk at position i (clamped to the list).
func (c *Conclusion) Insert(i int, blk Block) {
	i = max(0, min(i, len(c.Blocks)))
	c.Blocks = append(c.Blocks, Block{})
	copy(c.Blocks[i+1:], c.Blocks[i:])
	c.Blocks[i] = blk
}

// Caller are the values a case's caller keeps for the whole case: the
// socket ID and ISN of its INDUCTION and CONCLUSION.
type Caller struct {
	SocketID uint32
	ISN      uint32
}

// newCaller draws a caller as libsrt does: a socket ID below 2^30 (never 0)
// and a 31-bit ISN (srtcore/api.cpp CUDTUnited::generateSocketID,
// srtcore/core.cpp CUDT::startConnect).
func newCaller(r *rand.Rand) Caller {
	return Caller{SocketID: 1 + r.Uint32N(1<<30-1), ISN: r.Uint32N(1 << 31)}
}

// Induction returns the INDUCTION datagram a libsrt 1.5.1 caller sends first
// (srtcore/core.cpp CUDT::startConnect): HSv4-shaped (version 4, socket type
// DGRAM in the type word), no extension, cookie 0.
func Induction(c Caller, target netip.Addr, ts uint32) []byte {
	hs := handshake.Handshake{Version: handshake.Version4, Extension: handshake.SocketTypeDGRAM,
		ISN: c.ISN, MTU: 1500, FlowWindow: 8192, Type: handshake.Induction, SocketID: c.SocketID}
	_ = hs.SetPeerAddr(target)
	p := packet.Packet{Header: packet.Header{Control: true, Type: packet.TypeHandshake, Timestamp: ts}, Handshake: hs}
	b, _ := p.AppendBinary(make([]byte, 0, 64))
	return b
}

// hsreqValue encodes an HSREQ content.
func hsreqValue(r handshake.HSReq) []byte {
	b, _ := r.AppendBinary(make([]byte, 0, handshake.HSReqSize))
	return b
}

// stringValue encodes a string block's content as libsrt does (padded,
// byte-reversed per word), whatever its length.
func stringValue(s string) []byte {
	return handshake.AppendEncodedString(nil, s)
}

// groupValue encodes a GROUP block's content.
func groupValue(g handshake.Group) []byte {
	b, _ := g.AppendBinary(nil)
	return b
}
