package handshake

import (
	"encoding/binary"
	"strconv"
)

// ExtType is the type of a handshake extension block (libsrt SRT_CMD_*).
// The same values name the UMSG_EXT subtypes 1-4.
type ExtType uint16

// Extension block types.
const (
	ExtHSReq      ExtType = 1 // SRT_CMD_HSREQ: the initiator's SRT options and latency
	ExtHSRsp      ExtType = 2 // SRT_CMD_HSRSP: the responder's SRT options and latency
	ExtKMReq      ExtType = 3 // SRT_CMD_KMREQ: key material
	ExtKMRsp      ExtType = 4 // SRT_CMD_KMRSP: key material echoed, or a 1-word KM state
	ExtSID        ExtType = 5 // SRT_CMD_SID: Stream ID
	ExtCongestion ExtType = 6 // SRT_CMD_CONGESTION: congestion controller name ("file")
	ExtFilter     ExtType = 7 // SRT_CMD_FILTER: packet filter configuration ("fec,cols:4,rows:2")
	ExtGroup      ExtType = 8 // SRT_CMD_GROUP: socket group membership
)

var extNames = [...]string{"", "HSREQ", "HSRSP", "KMREQ", "KMRSP", "SID", "CONGESTION", "FILTER", "GROUP"}

// String returns the libsrt name without its prefix ("HSREQ", "SID"), or
// "ExtType(n)" for a type libsrt does not define.
func (t ExtType) String() string {
	if t >= 1 && int(t) < len(extNames) {
		return extNames[t]
	}
	return "ExtType(" + strconv.Itoa(int(t)) + ")"
}

// Flag returns the Extension-field flag that announces blocks of type t,
// or 0 for unknown types.
func (t ExtType) Flag() ExtFlags {
	switch t {
	case ExtHSReq, ExtHSRsp:
		return FlagHSReq
	case ExtKMReq, ExtKMRsp:
		return FlagKMReq
	case ExtSID, ExtCongestion, ExtFilter, ExtGroup:
		return FlagConfig
	}
	return 0
}

// MaxStringLen returns the longest string libsrt accepts in a block of
// type t, counting the NUL padding (SID 512, CONGESTION 16, FILTER 64), or
// 0 when t is not a string extension.
func (t ExtType) MaxStringLen() int {
	switch t {
	case ExtSID:
		return 512
	case ExtCongestion:
		return 16
	case ExtFilter:
		return 64
	}
	return 0
}

// ExtIter walks the extension blocks of a handshake without allocating.
// Blocks are yielded in wire order, whatever their type; unknown types are
// yielded too. The zero value yields nothing.
//
//	it := hs.Extensions()
//	for it.Next() {
//		switch it.Type() { ... it.Value() ... }
//	}
//	if err := it.Err(); err != nil { ... }
type ExtIter struct {
	b      []byte // the whole input
	origin int    // CIF offset of b[0]
	off    int    // offset in b of the next block header (len(b) after a failure)
	vs, ve int    // the current block's content is b[vs:ve] (vs < 0: none)
	fault  int    // after a failure: offset in b of the faulty block's header
	left   int    // after a failure: the bytes that were left after the faulty block's header
	index  int
	hdr    uint32 // the current block's header word: type<<16 | words
	err    error
}

// Extensions returns a cursor over the extension blocks in h.Ext.
func (h *Handshake) Extensions() ExtIter { return NewExtIter(h.Ext, CIFSize) }

// NewExtIter returns a cursor over the extension blocks in b. offset is the
// position of b[0] in the CIF, used by Offset and Detail (48 for a
// handshake).
func NewExtIter(b []byte, offset int) ExtIter { return ExtIter{b: b, origin: offset, vs: -1} }

// Next advances to the next block and reports whether there is one. It
// stops at the end of the input, when fewer than 4 bytes are left (stray
// bytes that libsrt ignores too, see Trailing), or at a block whose declared
// length exceeds what is left (Err then returns ErrExtLength). The cursor
// keeps offsets rather than slices, so advancing stores no pointer.
func (it *ExtIter) Next() bool {
	i := it.off
	if len(it.b)-i < 4 {
		it.vs = -1
		return false
	}
	hdr := binary.BigEndian.Uint32(it.b[i:])
	end := i + blockEnd(hdr)
	it.index++
	it.hdr = hdr
	if end > len(it.b) {
		it.err, it.fault, it.left = ErrExtLength, i, len(it.b)-i-4
		it.off, it.vs = len(it.b), -1
		return false
	}
	it.vs, it.ve, it.off = i+4, end, end
	return true
}

// blockEnd returns where the block whose 4-byte header word is hdr ends,
// counted from the start of its header: the one rule for reading a block's
// length, used by the cursor and by Handshake.Decode's framing check.
func blockEnd(hdr uint32) int { return 4 + int(hdr&0xFFFF)<<2 }

// Type returns the current block's type.
func (it *ExtIter) Type() ExtType { return ExtType(it.hdr >> 16) }

// Words returns the current block's declared length in 32-bit words.
func (it *ExtIter) Words() int { return int(it.hdr & 0xFFFF) }

// Value returns the current block's content (4*Words bytes), a view into
// the decoded input.
func (it *ExtIter) Value() []byte {
	if it.vs < 0 {
		return nil
	}
	return it.b[it.vs:it.ve:it.ve]
}

// Offset returns the CIF offset of the current block's 4-byte header (or,
// after a failure, of the faulty block's header).
func (it *ExtIter) Offset() int {
	if it.err != nil {
		return it.origin + it.fault
	}
	return it.origin + it.vs - 4
}

// Index returns the 1-based position of the current block.
func (it *ExtIter) Index() int { return it.index }

// Err returns ErrExtLength if the walk stopped at a block whose length
// exceeds the input, and nil otherwise.
func (it *ExtIter) Err() error { return it.err }

// Trailing returns the number of stray bytes (1 to 3) left after the last
// whole block once Next has returned false without error. libsrt ignores
// them; so does this package.
func (it *ExtIter) Trailing() int {
	if it.err != nil {
		return 0
	}
	return len(it.b) - it.off
}

// Detail returns an *ExtError describing why the walk stopped, or nil. It
// allocates; use it for diagnostics, not on hot paths.
func (it *ExtIter) Detail() error {
	if it.err == nil {
		return nil
	}
	return &ExtError{Index: it.index, Type: it.Type(), Words: it.Words(), Left: it.left, Offset: it.origin + it.fault, Err: it.err}
}

// Find returns the content of the first block of type t in h.Ext and
// whether there was one. It stops at a malformed block, like libsrt.
func (h *Handshake) Find(t ExtType) ([]byte, bool) {
	it := h.Extensions()
	for it.Next() {
		if it.Type() == t {
			return it.Value(), true
		}
	}
	return nil, false
}

// SRTOptions decodes h's first HSREQ or HSRSP block. It returns
// ErrNotFound when there is none, and the error of HSReq.Decode when the
// block is malformed.
func (h *Handshake) SRTOptions() (HSReq, error) {
	var r HSReq
	it := h.Extensions()
	for it.Next() {
		if t := it.Type(); t == ExtHSReq || t == ExtHSRsp {
			return r, r.Decode(it.Value())
		}
	}
	return r, ErrNotFound
}

// kmBlock returns the content and type of h's first KMREQ or KMRSP block.
func (h *Handshake) kmBlock() ([]byte, ExtType, bool) {
	it := h.Extensions()
	for it.Next() {
		if t := it.Type(); t == ExtKMReq || t == ExtKMRsp {
			return it.Value(), t, true
		}
	}
	return nil, 0, false
}

// IsKMState reports whether h's first key-material block is a KMRSP that
// reports a state (a refusal such as BADSECRET) instead of echoing key
// material. It is the handshake-level twin of packet.Packet.IsKMState;
// both apply the rule of the function IsKMState.
func (h *Handshake) IsKMState() bool {
	v, t, ok := h.kmBlock()
	return ok && t == ExtKMRsp && IsKMState(v)
}

// KMState returns the state reported by h's first key-material block when
// IsKMState is true. It returns ErrNotFound when there is no key-material
// block and ErrNotKM when the block carries key material instead.
func (h *Handshake) KMState() (KMState, error) {
	v, t, ok := h.kmBlock()
	switch {
	case !ok:
		return 0, ErrNotFound
	case t != ExtKMRsp || !IsKMState(v):
		return 0, ErrNotKM
	}
	return DecodeKMState(v)
}

// KeyMaterial decodes h's first KMREQ or KMRSP block into k. It returns
// ErrNotFound when there is none, ErrKMState when the block is a KMRSP
// reporting a state (see IsKMState and KMState), and the errors of
// KeyMaterial.Decode otherwise. k is zeroed unless a block was decoded.
func (h *Handshake) KeyMaterial(k *KeyMaterial) error {
	v, t, ok := h.kmBlock()
	switch {
	case !ok:
		*k = KeyMaterial{}
		return ErrNotFound
	case t == ExtKMRsp && IsKMState(v):
		*k = KeyMaterial{}
		return ErrKMState
	}
	return k.Decode(v)
}
