package pcap

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// ErrBadBlock reports a pcapng block whose length fields are inconsistent
// or larger than any real capture uses.
var ErrBadBlock = errors.New("pcap: malformed pcapng block")

// maxBlock bounds one pcapng block: a frame of maxSnaplen plus headers and
// generous options.
const maxBlock = maxSnaplen + 64<<10

// ngGuard sits between the input and gopacket's pcapng reader. It hands
// the reader one whole block at a time after checking its lengths, so that
// no length read from the file can make the reader allocate more than
// maxBlock bytes or read past a block: gopacket v1.1.19 trusts the
// interface snap length and the packet capture length.
type ngGuard struct {
	r      *bufio.Reader
	buf    []byte
	pos    int
	be     bool
	block  int
	ifaces int // interface description blocks in the current section
	err    error
}

// maxInterfaces bounds the interface description blocks of one pcapng
// section. gopacket's reader keeps every one (about 720 bytes each) for the
// rest of the section, so an unbounded count is unbounded memory; real
// captures have a few (dumpcap -i any: one per interface on the host).
const maxInterfaces = 4096

func (g *ngGuard) Read(p []byte) (int, error) {
	if g.pos >= len(g.buf) {
		if g.err != nil {
			return 0, g.err
		}
		g.next()
		if g.pos >= len(g.buf) {
			return 0, g.err
		}
	}
	n := copy(p, g.buf[g.pos:])
	g.pos += n
	return n, nil
}

func (g *ngGuard) u32(b []byte) uint32 {
	if g.be {
		return binary.BigEndian.Uint32(b)
	}
	return binary.LittleEndian.Uint32(b)
}

// next loads the next block into buf, or sets err.
func (g *ngGuard) next() {
	g.buf, g.pos = g.buf[:0], 0
	hdr, err := g.r.Peek(12)
	if len(hdr) == 0 {
		g.err = io.EOF
		if err != nil && err != io.EOF {
			g.err = err
		}
		return
	}
	if len(hdr) < 12 {
		// A cut block: nothing of it reaches the reader, which reports
		// the cut.
		g.err = io.ErrUnexpectedEOF
		return
	}
	g.block++
	typ := binary.LittleEndian.Uint32(hdr)
	if typ == 0x0A0D0D0A { // section header: its magic sets the byte order
		switch {
		case binary.LittleEndian.Uint32(hdr[8:]) == 0x1A2B3C4D:
			g.be = false
		case binary.BigEndian.Uint32(hdr[8:]) == 0x1A2B3C4D:
			g.be = true
		default:
			g.err = fmt.Errorf("%w: block %d: bad byte-order magic", ErrBadBlock, g.block)
			return
		}
	} else if g.be {
		typ = binary.BigEndian.Uint32(hdr)
	}
	n := g.u32(hdr[4:])
	if n < 12 || n%4 != 0 || n > maxBlock {
		g.err = fmt.Errorf("%w: block %d: length %d", ErrBadBlock, g.block, n)
		return
	}
	if cap(g.buf) < int(n) {
		g.buf = make([]byte, 0, max(int(n), 2*cap(g.buf), 4096))
	}
	g.buf = g.buf[:n]
	if _, err := io.ReadFull(g.r, g.buf); err != nil {
		// Unchecked bytes never reach the reader: a cut block is an error.
		g.buf = g.buf[:0]
		g.err = io.ErrUnexpectedEOF
		return
	}
	switch typ {
	case 0x0A0D0D0A: // section header: options from byte 24
		if n < 28 || !g.options(g.buf[24:n-4], nil, false) {
			g.bad("bad section header options")
			return
		}
		g.ifaces = 0
	case 1: // interface description: bound the snap length and the count
		if n < 20 || !g.options(g.buf[16:n-4], idbOptionMin, true) {
			g.bad("bad interface description")
			return
		}
		if g.ifaces++; g.ifaces > maxInterfaces {
			g.bad(fmt.Sprintf("more than %d interfaces in one section", maxInterfaces))
			return
		}
		if s := g.u32(g.buf[12:]); s == 0 || s > maxSnaplen {
			g.put(g.buf[12:], maxSnaplen)
		}
	case 5: // interface statistics: options from byte 20
		if n < 24 || !g.options(g.buf[20:n-4], isbOptionMin, false) {
			g.bad("bad interface statistics")
			return
		}
	case 2, 6: // packet, enhanced packet: the data must fit in the block
		if n < 32 || g.u32(g.buf[20:]) > n-32 {
			g.err = fmt.Errorf("%w: block %d: capture length exceeds the block", ErrBadBlock, g.block)
			g.buf = g.buf[:0]
			return
		}
	case 3: // simple packet
		if n < 16 {
			g.err = fmt.Errorf("%w: block %d: too short", ErrBadBlock, g.block)
			g.buf = g.buf[:0]
		}
	}
}

func (g *ngGuard) bad(why string) {
	g.err = fmt.Errorf("%w: block %d: %s", ErrBadBlock, g.block, why)
	g.buf = g.buf[:0]
}

// Minimum value lengths of the options gopacket's pcapng reader indexes
// without checking (a shorter one makes it panic).
var (
	idbOptionMin = map[uint16]int{9: 1, 11: 1, 14: 8} // if_tsresol, if_filter, if_tsoffset
	isbOptionMin = map[uint16]int{2: 8, 3: 8, 4: 8, 5: 8}
)

// options checks that the options in b tile it exactly, end with
// opt_endofopt (or with the block), and that the options in min have at
// least that many bytes; if_tsresol must also give a usable resolution.
func (g *ngGuard) options(b []byte, min map[uint16]int, idb bool) bool {
	for len(b) > 0 {
		if len(b) < 4 {
			return false
		}
		var code, n uint16
		if g.be {
			code, n = binary.BigEndian.Uint16(b), binary.BigEndian.Uint16(b[2:])
		} else {
			code, n = binary.LittleEndian.Uint16(b), binary.LittleEndian.Uint16(b[2:])
		}
		if code == 0 {
			return n == 0
		}
		padded := (int(n) + 3) &^ 3
		if 4+padded > len(b) {
			return false
		}
		if m, ok := min[code]; ok && int(n) < m {
			return false
		}
		if code == 9 && idb { // if_tsresol
			r := b[4]
			if (r&0x80 != 0 && r&0x7F > 63) || (r&0x80 == 0 && r > 18) {
				return false
			}
		}
		b = b[4+padded:]
	}
	return true
}

func (g *ngGuard) put(b []byte, v uint32) {
	if g.be {
		binary.BigEndian.PutUint32(b, v)
	} else {
		binary.LittleEndian.PutUint32(b, v)
	}
}
