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
// "EXT(n)" for a type libsrt does not define.
func (t ExtType) String() string {
	if t >= 1 && int(t) < len(extNames) {
		return extNames[t]
	}
	return "EXT(" + strconv.Itoa(int(t)) + ")"
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
	b     []byte // remaining bytes, starting at the next block header
	base  int    // CIF offset of b[0]
	index int
	typ   ExtType
	words int
	val   []byte
	off   int
	err   error
}

// Extensions returns a cursor over the extension blocks in h.Ext.
func (h *Handshake) Extensions() ExtIter { return NewExtIter(h.Ext, CIFSize) }

// NewExtIter returns a cursor over the extension blocks in b. offset is the
// position of b[0] in the CIF, used by Offset and Detail (48 for a
// handshake).
func NewExtIter(b []byte, offset int) ExtIter { return ExtIter{b: b, base: offset} }

// Next advances to the next block and reports whether there is one. It
// stops at the end of the input, when fewer than 4 bytes are left (stray
// bytes that libsrt ignores too, see Trailing), or at a block whose declared
// length exceeds what is left (Err then returns ErrExtLength).
func (it *ExtIter) Next() bool {
	b := it.b
	if it.err != nil || len(b) < 4 {
		it.val = nil
		return false
	}
	hdr := binary.BigEndian.Uint32(b)
	end := 4 + 4*int(hdr&0xFFFF)
	it.index++
	it.off = it.base
	it.typ = ExtType(hdr >> 16)
	it.words = int(hdr & 0xFFFF)
	if end > len(b) {
		return it.fail()
	}
	it.val = b[4:end:end]
	it.b = b[end:]
	it.base += end
	return true
}

func (it *ExtIter) fail() bool {
	it.err = ErrExtLength
	it.val = nil
	return false
}

// Type returns the current block's type.
func (it *ExtIter) Type() ExtType { return it.typ }

// Words returns the current block's declared length in 32-bit words.
func (it *ExtIter) Words() int { return it.words }

// Value returns the current block's content (4*Words bytes), a view into
// the decoded input.
func (it *ExtIter) Value() []byte { return it.val }

// Offset returns the CIF offset of the current block's 4-byte header (or,
// after a failure, of the faulty block's header).
func (it *ExtIter) Offset() int { return it.off }

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
	return len(it.b)
}

// Detail returns an *ExtError describing why the walk stopped, or nil. It
// allocates; use it for diagnostics, not on hot paths.
func (it *ExtIter) Detail() error {
	if it.err == nil {
		return nil
	}
	return &ExtError{Index: it.index, Type: it.typ, Words: it.words, Left: len(it.b) - 4, Offset: it.off, Err: it.err}
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

// SRTOptions decodes h's first HSREQ or HSRSP block. It reports false when
// there is none or it is shorter than 8 bytes.
func (h *Handshake) SRTOptions() (HSReq, bool) {
	var r HSReq
	it := h.Extensions()
	for it.Next() {
		if t := it.Type(); t == ExtHSReq || t == ExtHSRsp {
			return r, r.Decode(it.Value()) == nil
		}
	}
	return r, false
}

// KeyMaterial decodes h's first KMREQ or KMRSP block into k. It returns
// found = false when there is none. A one-word KMRSP carries a failure
// state instead of key material: state is then set, k is zeroed and
// isState is true.
func (h *Handshake) KeyMaterial(k *KeyMaterial) (state KMState, isState, found bool, err error) {
	it := h.Extensions()
	for it.Next() {
		t := it.Type()
		if t != ExtKMReq && t != ExtKMRsp {
			continue
		}
		if t == ExtKMRsp && len(it.Value()) == 4 {
			*k = KeyMaterial{}
			state, err = DecodeKMState(it.Value())
			return state, true, true, err
		}
		return 0, false, true, k.Decode(it.Value())
	}
	*k = KeyMaterial{}
	return 0, false, false, nil
}
