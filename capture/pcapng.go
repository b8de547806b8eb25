package capture

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/bits"
	"time"
)

// ErrBadBlock reports a pcapng block whose length fields are inconsistent
// or larger than any real capture uses.
var ErrBadBlock = errors.New("pcap: malformed pcapng block")

// maxBlock bounds a pcapng block the reader holds (section header,
// interface, statistics and packet blocks): a frame of maxSnaplen plus
// headers and generous options. Other blocks are skipped whatever their
// size.
const maxBlock = maxSnaplen + 64<<10

// ngReader reads a pcapng stream one whole block at a time: it checks a
// block's lengths before reading it, so that no length read from the file
// makes it allocate more than maxBlock bytes or read past a block, and it
// hands out a packet block's data as a view into the block. It keeps the
// interfaces of the current section (link type, time resolution and
// offset) for the packets that name them.
type ngReader struct {
	r      *bufio.Reader
	buf    []byte // the current block
	be     bool
	block  int   // blocks read
	pos    int64 // bytes consumed through the current block
	start  int64 // where the current block starts
	ifaces []ngIface
	err    error
}

// ngIface is what a packet needs of its interface description block.
type ngIface struct {
	link    linkType
	snaplen uint32
	perSec  uint64 // timestamp units a second: 10^n or 2^n (if_tsresol)
	offset  int64  // seconds added to every timestamp (if_tsoffset)
}

// record is what a capture record says of the frame it holds.
type record struct {
	time    time.Time
	capLen  int      // bytes of the frame in the capture
	origLen int      // bytes of the frame on the wire
	link    linkType // the file's (pcap) or the frame's interface's (pcapng)
}

// maxInterfaces bounds the interface description blocks of one pcapng
// section, each of which is kept for the rest of the section; real
// captures have a few (dumpcap -i any: one per interface on the host).
const maxInterfaces = 4096

// newNgReader reads the section header block that r starts with.
func newNgReader(r *bufio.Reader) (*ngReader, error) {
	g := &ngReader{r: r}
	if !g.load() {
		if g.err == io.EOF || g.err == io.ErrUnexpectedEOF {
			return nil, errors.New("section header cut short")
		}
		return nil, g.err
	}
	if err := g.section(); err != nil {
		return nil, err
	}
	return g, nil
}

func (g *ngReader) u16(b []byte) uint16 {
	if g.be {
		return binary.BigEndian.Uint16(b)
	}
	return binary.LittleEndian.Uint16(b)
}

func (g *ngReader) u32(b []byte) uint32 {
	if g.be {
		return binary.BigEndian.Uint32(b)
	}
	return binary.LittleEndian.Uint32(b)
}

func (g *ngReader) u64(b []byte) uint64 {
	if g.be {
		return binary.BigEndian.Uint64(b)
	}
	return binary.LittleEndian.Uint64(b)
}

// next returns the data of the next packet block (a view into the block,
// valid until the next call) and fills rec; io.EOF at the end.
func (g *ngReader) next(rec *record) ([]byte, error) {
	for g.load() {
		b := g.buf
		n := uint32(len(b))
		if n == 0 {
			continue // a block skipped
		}
		switch typ := g.u32(b); typ {
		case 0x0A0D0D0A:
			if err := g.section(); err != nil {
				return nil, g.bad(err.Error())
			}
		case 1: // interface description
			if len(g.ifaces) >= maxInterfaces {
				return nil, g.bad(fmt.Sprintf("more than %d interfaces in one section", maxInterfaces))
			}
			ifc := ngIface{link: linkType(g.u16(b[8:])), snaplen: min(g.u32(b[12:]), maxSnaplen), perSec: 1e6}
			if ifc.snaplen == 0 {
				ifc.snaplen = maxSnaplen
			}
			g.ifOptions(b[16:n-4], &ifc)
			g.ifaces = append(g.ifaces, ifc)
		case 6, 2: // enhanced packet, (obsolete) packet
			id := g.u32(b[8:])
			if typ == 2 {
				id = uint32(g.u16(b[8:]))
			}
			if int64(id) >= int64(len(g.ifaces)) {
				return nil, g.bad(fmt.Sprintf("packet of interface %d, which the section does not describe (it has %d)", id, len(g.ifaces)))
			}
			ifc := &g.ifaces[id]
			caplen := g.u32(b[20:]) // load checked that it fits in the block
			rec.time = ifc.time(uint64(g.u32(b[12:]))<<32 | uint64(g.u32(b[16:])))
			rec.capLen, rec.origLen, rec.link = int(caplen), int(g.u32(b[24:])), ifc.link
			return b[28 : 28+caplen : 28+caplen], nil
		case 3: // simple packet: no time; interface 0
			if len(g.ifaces) == 0 {
				return nil, g.bad("simple packet in a section without an interface")
			}
			ifc := &g.ifaces[0]
			orig := g.u32(b[8:])
			caplen := min(orig, n-16, ifc.snaplen)
			rec.time, rec.capLen, rec.origLen, rec.link = time.Time{}, int(caplen), int(orig), ifc.link
			return b[12 : 12+caplen : 12+caplen], nil
		}
	}
	return nil, g.err
}

// section reads the section header block in buf: its byte order was set
// by load; the version must be 1.x; the interfaces of the section before
// are forgotten.
func (g *ngReader) section() error {
	if v := g.u16(g.buf[12:]); v != 1 {
		return fmt.Errorf("pcapng version %d.%d", v, g.u16(g.buf[14:]))
	}
	g.ifaces = g.ifaces[:0]
	return nil
}

// ifOptions reads if_tsresol and if_tsoffset from an interface's options
// (load checked that they tile b and have a usable resolution).
func (g *ngReader) ifOptions(b []byte, ifc *ngIface) {
	for len(b) >= 4 {
		code, n := g.u16(b), int(g.u16(b[2:]))
		if code == 0 {
			return
		}
		v := b[4 : 4+n]
		switch {
		case code == 9 && n >= 1: // if_tsresol
			r := v[0]
			ifc.perSec = 1
			if r&0x80 != 0 {
				ifc.perSec <<= r & 0x7F
			} else {
				for range r {
					ifc.perSec *= 10
				}
			}
		case code == 14 && n >= 8: // if_tsoffset, seconds
			ifc.offset = int64(g.u64(v))
		}
		b = b[4+(n+3)&^3:]
	}
}

// time converts a timestamp in the interface's units to UTC time.
func (ifc *ngIface) time(ts uint64) time.Time {
	sec, frac := ts/ifc.perSec, ts%ifc.perSec
	var ns uint64
	switch {
	case ifc.perSec == 1e9:
		ns = frac
	case ifc.perSec < 1e9 && 1e9%ifc.perSec == 0: // µs, ms, ...
		ns = frac * (1e9 / ifc.perSec)
	default: // finer than ns, or binary: frac × 10^9 / perSec in 128 bits
		hi, lo := bits.Mul64(frac, 1e9)
		ns, _ = bits.Div64(hi, lo, ifc.perSec)
	}
	return time.Unix(int64(sec)+ifc.offset, int64(ns)).UTC()
}

// load reads the next block into buf after checking its lengths; false
// at the end (err io.EOF) or at damage (err set).
func (g *ngReader) load() bool {
	if g.err != nil {
		return false
	}
	g.buf = g.buf[:0]
	g.start = g.pos
	hdr, err := g.r.Peek(12)
	if len(hdr) == 0 {
		g.err = io.EOF
		if err != nil && err != io.EOF {
			g.err = err
		}
		return false
	}
	if len(hdr) < 12 {
		g.pos += int64(len(hdr))
		g.err = unexpected(err)
		return false
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
			g.bad("bad byte-order magic")
			return false
		}
	} else if g.be {
		typ = binary.BigEndian.Uint32(hdr)
	}
	n := g.u32(hdr[4:])
	if n < 12 || n%4 != 0 {
		g.bad(fmt.Sprintf("length %d", n))
		return false
	}
	switch typ {
	case 0x0A0D0D0A, 1, 2, 3, 5, 6:
	default:
		// A block the reader has no use for (name resolution, decryption
		// secrets, custom blocks) is skipped, whatever its size, without
		// being held.
		return g.skip(n)
	}
	if n > maxBlock {
		g.bad(fmt.Sprintf("length %d", n))
		return false
	}
	if cap(g.buf) < int(n) {
		g.buf = make([]byte, 0, max(int(n), 2*cap(g.buf), 4096))
	}
	g.buf = g.buf[:n]
	if k, err := io.ReadFull(g.r, g.buf); err != nil {
		g.pos += int64(k)
		g.buf = g.buf[:0]
		g.err = unexpected(err)
		return false
	}
	g.pos += int64(n)
	if g.u32(g.buf[n-4:]) != n {
		g.bad("trailing length differs")
		return false
	}
	switch typ {
	case 0x0A0D0D0A: // section header: options from byte 24
		if n < 28 || !g.options(g.buf[24:n-4], nil, false) {
			g.bad("bad section header options")
			return false
		}
	case 1: // interface description
		if n < 20 || !g.options(g.buf[16:n-4], idbOptionMin, true) {
			g.bad("bad interface description")
			return false
		}
	case 5: // interface statistics: options from byte 20
		if n < 24 || !g.options(g.buf[20:n-4], isbOptionMin, false) {
			g.bad("bad interface statistics")
			return false
		}
	case 2, 6: // packet, enhanced packet: the data must fit in the block
		if n < 32 || g.u32(g.buf[20:]) > n-32 {
			g.bad("capture length exceeds the block")
			return false
		}
	case 3: // simple packet
		if n < 16 {
			g.bad("too short")
			return false
		}
	}
	return true
}

// skip passes over a block of n bytes, checking its trailing length; it
// leaves buf empty, so that next ignores the block.
func (g *ngReader) skip(n uint32) bool {
	k, err := g.r.Discard(int(n) - 4)
	g.pos += int64(k)
	if err != nil {
		g.err = unexpected(err)
		return false
	}
	var tail [4]byte
	k, err = io.ReadFull(g.r, tail[:])
	g.pos += int64(k)
	if err != nil {
		g.err = unexpected(err)
		return false
	}
	if g.u32(tail[:]) != n {
		g.bad("trailing length differs")
		return false
	}
	return true
}

// bad sets, and returns, an ErrBadBlock for the current block.
func (g *ngReader) bad(why string) error {
	g.err = fmt.Errorf("%w: block %d: %s", ErrBadBlock, g.block, why)
	g.buf = g.buf[:0]
	return g.err
}

// Minimum value lengths of the options the reader reads, or that another
// reader of the same file may (a shorter one made gopacket v1.1.19's
// reader panic).
var (
	idbOptionMin = map[uint16]int{9: 1, 11: 1, 14: 8} // if_tsresol, if_filter, if_tsoffset
	isbOptionMin = map[uint16]int{2: 8, 3: 8, 4: 8, 5: 8}
)

// options checks that the options in b tile it exactly, end with
// opt_endofopt (or with the block), and that the options in min have at
// least that many bytes; if_tsresol must also give a usable resolution.
func (g *ngReader) options(b []byte, min map[uint16]int, idb bool) bool {
	for len(b) > 0 {
		if len(b) < 4 {
			return false
		}
		code, n := g.u16(b), g.u16(b[2:])
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
