package packet

import "encoding/binary"

// rangeBit marks a loss-list word that starts a range (libsrt
// LOSSDATA_SEQNO_RANGE_FIRST).
const rangeBit = 0x80000000

// NAK is the CIF of a NAK (loss report) control packet: a list of lost
// sequence numbers, each entry either one word (bit 31 = 0, a single lost
// packet) or two words (the first with bit 31 = 1, the start of an
// inclusive range, then its end with bit 31 = 0).
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|0|                 Lost packet sequence number                 |  single
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|1|                 Range of lost packets from                  |  range
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|0|                    Up to (inclusive)                        |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// Walk the list with Losses; build one with AppendLossList or
// AppendLossRange.
type NAK struct {
	// List is the encoded loss list, as a view into the decoded input.
	// Bytes after the last whole word are ignored, as libsrt does, and
	// are written back by AppendBinary.
	List []byte
}

// Decode sets n.List to cif and validates it. It returns
// ErrNAKDanglingRange or ErrNAKBadRange for a malformed list (List stays
// set, and Losses yields the entries before the fault).
func (n *NAK) Decode(cif []byte) error {
	n.List = cif
	return validateLossList(cif)
}

// MarshalSize returns len(n.List).
func (n *NAK) MarshalSize() int { return len(n.List) }

// AppendBinary validates n.List and appends it to b. It returns b
// unchanged and ErrNAKDanglingRange or ErrNAKBadRange for a malformed
// list, which libsrt would answer by breaking the connection.
func (n *NAK) AppendBinary(b []byte) ([]byte, error) {
	if err := validateLossList(n.List); err != nil {
		return b, err
	}
	return append(b, n.List...), nil
}

// Losses returns a cursor over the entries of the loss list.
func (n *NAK) Losses() LossCursor { return LossCursor{list: n.List} }

// Count returns how many sequence numbers the list reports lost, counting
// the entries before any fault. It is the one count of a NAK's losses that
// srtwire uses (the session statistics and srtdump count with it).
func (n *NAK) Count() int {
	total := 0
	c := n.Losses()
	for c.Next() {
		lo, hi := c.Range()
		total += lo.Len(hi)
	}
	return total
}

// validateLossList checks a loss list in one tight pass. The rule for a
// range is rangeErr, which the cursor applies too, so Decode, AppendBinary
// and Losses agree by construction. (Walking the cursor here instead cost
// a NAK decode a quarter more.)
func validateLossList(b []byte) error {
	// Two words at a time: a pair of singles is one test, a single and the
	// range after it one step.
	for len(b) >= 8 {
		x := binary.BigEndian.Uint64(b)
		switch {
		case x&(rangeBit<<32|rangeBit) == 0: // two singles
			b = b[8:]
		case x&(rangeBit<<32) == 0: // a single, then a range
			if len(b) < 12 {
				return ErrNAKDanglingRange
			}
			if err := rangeErr(uint32(x), binary.BigEndian.Uint32(b[8:])); err != nil {
				return err
			}
			b = b[12:]
		default: // a range
			if err := rangeErr(uint32(x>>32), uint32(x)); err != nil {
				return err
			}
			b = b[8:]
		}
	}
	if len(b) >= 4 && b[0]&0x80 != 0 {
		return ErrNAKDanglingRange
	}
	return nil
}

// rangeErr checks a range entry, its first word (with the range bit) and
// its last: the last must not start a range too, and the first must not
// come after the last (wrap-aware). libsrt breaks the connection on either.
func rangeErr(first, last uint32) error {
	if last&rangeBit != 0 {
		return ErrNAKDanglingRange
	}
	if SeqNumber(first&^rangeBit).Cmp(SeqNumber(last)) > 0 {
		return ErrNAKBadRange
	}
	return nil
}

// LossCursor walks a loss list without allocating:
//
//	c := p.NAK.Losses()
//	for c.Next() {
//		lo, hi := c.Range()
//		...
//	}
//	if err := c.Err(); err != nil { ... }
//
// A LossCursor is a small value; copying it copies the position.
type LossCursor struct {
	list   []byte    // the whole list
	off    int       // offset of the next entry
	cur    int       // offset of the current entry, or of the malformed one
	lo, hi SeqNumber // the current entry
	err    error
}

// Next advances to the next entry and reports whether there is one. It
// returns false at the end of the list and at a malformed entry (see Err).
//
// The cursor keeps offsets rather than a slice, so that advancing stores
// no pointer, and Next is one function (not a short path and a call for
// ranges): a walk costs about half what it did.
func (c *LossCursor) Next() bool {
	i, l := c.off, c.list
	if i+4 > len(l) {
		if c.err == nil {
			c.cur = i
		}
		return false
	}
	w := binary.BigEndian.Uint32(l[i:])
	if w&rangeBit == 0 {
		c.lo, c.hi, c.cur, c.off = SeqNumber(w), SeqNumber(w), i, i+4
		return true
	}
	if i+8 > len(l) {
		return c.fail(i, ErrNAKDanglingRange)
	}
	last := binary.BigEndian.Uint32(l[i+4:])
	if err := rangeErr(w, last); err != nil {
		return c.fail(i, err)
	}
	c.lo, c.hi, c.cur, c.off = SeqNumber(w&^rangeBit), SeqNumber(last), i, i+8
	return true
}

// fail stops the walk at the entry at offset i.
func (c *LossCursor) fail(i int, err error) bool {
	c.err = err
	c.cur, c.off = i, len(c.list)
	c.lo, c.hi = 0, 0
	return false
}

// Range returns the current entry as an inclusive range; lo == hi for a
// single lost packet.
func (c *LossCursor) Range() (lo, hi SeqNumber) { return c.lo, c.hi }

// IsRange reports whether the current entry is encoded as a range (two
// words) rather than a single sequence number.
func (c *LossCursor) IsRange() bool { return c.err == nil && c.off-c.cur == 8 }

// Err returns ErrNAKDanglingRange or ErrNAKBadRange when the walk stopped
// at a malformed entry, or nil.
func (c *LossCursor) Err() error { return c.err }

// Offset returns the byte offset in the list of the current entry, or of
// the malformed entry once Err is set.
func (c *LossCursor) Offset() int { return c.cur }

// AppendLossList appends the loss-list encoding of seqs to b, as libsrt's
// receiver builds it: every run of two or more consecutive sequence numbers
// (wrap-aware, so MaxSeqNumber then 0 is a run) becomes a range, every
// other number a single entry. The numbers should be in increasing order;
// runs are only detected between neighbours. It returns b unchanged and
// ErrFieldRange when a number does not fit in 31 bits.
func AppendLossList(b []byte, seqs ...SeqNumber) ([]byte, error) {
	for _, s := range seqs {
		if s > MaxSeqNumber {
			return b, ErrFieldRange
		}
	}
	for i := 0; i < len(seqs); {
		lo, hi := seqs[i], seqs[i]
		i++
		for i < len(seqs) && seqs[i] == hi.Inc() {
			hi = seqs[i]
			i++
		}
		b = appendLossEntry(b, lo, hi)
	}
	return b, nil
}

// AppendLossRange appends one loss-list entry for the inclusive range
// lo..hi to b: a single word when lo == hi, a range otherwise. It returns b
// unchanged and ErrFieldRange when a number does not fit in 31 bits, or
// ErrNAKBadRange when lo comes after hi.
func AppendLossRange(b []byte, lo, hi SeqNumber) ([]byte, error) {
	if lo > MaxSeqNumber || hi > MaxSeqNumber {
		return b, ErrFieldRange
	}
	if lo.Cmp(hi) > 0 {
		return b, ErrNAKBadRange
	}
	return appendLossEntry(b, lo, hi), nil
}

func appendLossEntry(b []byte, lo, hi SeqNumber) []byte {
	if lo == hi {
		return binary.BigEndian.AppendUint32(b, uint32(lo))
	}
	b = binary.BigEndian.AppendUint32(b, uint32(lo)|rangeBit)
	return binary.BigEndian.AppendUint32(b, uint32(hi))
}
