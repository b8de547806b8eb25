package handshake

import "encoding/binary"

// Builder appends a handshake CIF with extension blocks to a buffer,
// writing each block's header and filling in its length in 32-bit words.
// It is a value type; it does not allocate when the destination buffer has
// room. Errors are sticky: the first one is returned by Finish.
//
//	b := handshake.NewBuilder(buf[:0], &hs)
//	b.AddHSReq(handshake.ExtHSReq, req)
//	b.AddString(handshake.ExtSID, "#!::r=live/feed1,m=publish")
//	cif, err := b.Finish()
type Builder struct {
	buf   []byte
	start int
	flags ExtFlags
	err   error
}

// NewBuilder starts a CIF at the end of dst with h's fixed part (h.Ext is
// ignored). Finish ORs the flags of the families added into the
// Extension field; it never clears flags h already has.
func NewBuilder(dst []byte, h *Handshake) Builder {
	start := len(dst)
	return Builder{buf: h.appendFixed(dst, 0), start: start}
}

func (b *Builder) block(t ExtType, words int) bool {
	if b.err != nil {
		return false
	}
	if words > 0xFFFF {
		b.err = ErrBadValue
		return false
	}
	b.buf = binary.BigEndian.AppendUint16(b.buf, uint16(t))
	b.buf = binary.BigEndian.AppendUint16(b.buf, uint16(words))
	b.flags |= t.Flag()
	return true
}

// AddRaw adds a block of type t with the given content, padded with zero
// bytes to a whole number of words.
func (b *Builder) AddRaw(t ExtType, value []byte) {
	if !b.block(t, (len(value)+3)/4) {
		return
	}
	b.buf = append(b.buf, value...)
	for i := len(value); i%4 != 0; i++ {
		b.buf = append(b.buf, 0)
	}
}

// AddHSReq adds an HSREQ or HSRSP block (t is ExtHSReq or ExtHSRsp).
func (b *Builder) AddHSReq(t ExtType, r HSReq) {
	if b.block(t, HSReqSize/4) {
		b.buf, _ = r.AppendBinary(b.buf)
	}
}

// AddKM adds a KMREQ or KMRSP block holding the key-material message k.
// Like the other Add methods it takes its block's value, not a pointer.
func (b *Builder) AddKM(t ExtType, k KeyMaterial) {
	if b.err != nil {
		return
	}
	n := k.MarshalSize()
	mark := len(b.buf)
	if !b.block(t, (n+3)/4) {
		return
	}
	var err error
	b.buf, err = k.AppendBinary(b.buf)
	if err != nil {
		b.buf = b.buf[:mark]
		b.err = err
		return
	}
	for i := n; i%4 != 0; i++ {
		b.buf = append(b.buf, 0)
	}
}

// AddKMState adds a one-word KMRSP block reporting the failure state s,
// written little-endian as libsrt does.
func (b *Builder) AddKMState(s KMState) {
	if b.block(ExtKMRsp, 1) {
		b.buf = AppendKMState(b.buf, s)
	}
}

// AddString adds a string block (ExtSID, ExtCongestion or ExtFilter),
// NUL-padded and byte-reversed per word. It fails with ErrEmptyString or
// ErrStringTooLong when libsrt would reject the string.
func (b *Builder) AddString(t ExtType, s string) {
	if b.err != nil {
		return
	}
	if len(s) == 0 {
		b.err = ErrEmptyString
		return
	}
	if max := t.MaxStringLen(); max > 0 && 4*StringWords(len(s)) > max {
		b.err = ErrStringTooLong
		return
	}
	if b.block(t, StringWords(len(s))) {
		b.buf = AppendEncodedString(b.buf, s)
	}
}

// AddGroup adds a GROUP block.
func (b *Builder) AddGroup(g Group) {
	if b.block(ExtGroup, GroupSize/4) {
		b.buf, _ = g.AppendBinary(b.buf)
	}
}

// Finish sets the Extension-field flags of the families added and returns
// the buffer with the complete CIF appended, or the first error met.
func (b *Builder) Finish() ([]byte, error) {
	if b.err != nil {
		return b.buf[:b.start], b.err
	}
	if b.flags != 0 {
		ext := b.buf[b.start+6:]
		binary.BigEndian.PutUint16(ext, binary.BigEndian.Uint16(ext)|uint16(b.flags))
	}
	return b.buf, nil
}
