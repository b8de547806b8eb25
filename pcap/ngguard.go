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
	r     *bufio.Reader
	buf   []byte
	pos   int
	be    bool
	block int
	err   error
}

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
		// A cut block: pass the bytes on; the reader reports the cut.
		g.buf = append(g.buf, hdr...)
		g.r.Discard(len(hdr))
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
		g.buf = make([]byte, 0, maxBlock)
	}
	g.buf = g.buf[:n]
	m, err := io.ReadFull(g.r, g.buf)
	g.buf = g.buf[:m]
	if err != nil {
		g.err = io.ErrUnexpectedEOF
		return
	}
	switch typ {
	case 1: // interface description: bound the snap length
		if n >= 20 {
			if s := g.u32(g.buf[12:]); s == 0 || s > maxSnaplen {
				g.put(g.buf[12:], maxSnaplen)
			}
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

func (g *ngGuard) put(b []byte, v uint32) {
	if g.be {
		binary.BigEndian.PutUint32(b, v)
	} else {
		binary.LittleEndian.PutUint32(b, v)
	}
}
