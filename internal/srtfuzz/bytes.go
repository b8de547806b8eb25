package srtfuzz

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/srtwire/srtwire/packet"
)

// interesting are byte values that tend to hit edge cases.
var interesting = []byte{0x00, 0x01, 0x02, 0x03, 0x04, 0x7F, 0x80, 0x81, 0xFE, 0xFF, 0x10, 0x20, 0x40}

// MutateBytes applies 1 to 4 byte-level mutations to b (bit flips, bytes
// set to edge values, bytes inserted, deleted or duplicated, the datagram
// cut or extended), never touching a byte for which keep is true, nor
// cutting the datagram below floor bytes. It returns the new datagram and
// what it did.
func MutateBytes(r *rand.Rand, b []byte, floor int, keep func(i int) bool) ([]byte, string) {
	var what []string
	free := func() int {
		for tries := 0; tries < 64; tries++ {
			if i := r.IntN(len(b)); !keep(i) {
				return i
			}
		}
		return -1
	}
	orig := b
	b = append([]byte(nil), b...)
	for k := 1 + r.IntN(4); k > 0; k-- {
		switch c := r.IntN(7); c {
		case 0:
			if i := free(); i >= 0 {
				bit := r.IntN(8)
				b[i] ^= 1 << bit
				what = append(what, fmt.Sprintf("bit %d of byte %d", bit, i))
			}
		case 1, 2:
			if i := free(); i >= 0 {
				v := byte(r.Uint32())
				if c == 1 {
					v = pick(r, interesting...)
				}
				if v == b[i] {
					v = ^v
				}
				b[i] = v
				what = append(what, fmt.Sprintf("byte %d=0x%02x", i, b[i]))
			}
		case 3: // insert bytes after floor, where no kept field can move
			i := floor + r.IntN(len(b)-floor+1)
			n := 1 + r.IntN(8)
			b = append(b[:i], append(randBytes(r, n), b[i:]...)...)
			what = append(what, fmt.Sprintf("%d bytes inserted at %d", n, i))
		case 4:
			if len(b) > floor {
				i := floor + r.IntN(len(b)-floor)
				n := 1 + r.IntN(min(8, len(b)-i))
				b = append(b[:i], b[i+n:]...)
				what = append(what, fmt.Sprintf("%d bytes deleted at %d", n, i))
			}
		case 5:
			if len(b) > floor {
				n := floor + r.IntN(len(b)-floor)
				what = append(what, fmt.Sprintf("cut to %d bytes", n))
				b = b[:n]
			}
		default:
			if len(b) > floor {
				i := floor + r.IntN(len(b)-floor)
				j := i + 1 + r.IntN(min(16, len(b)-i))
				chunk := append([]byte(nil), b[i:j]...)
				b = append(b, chunk...)
				what = append(what, fmt.Sprintf("%d bytes repeated at the end", len(chunk)))
			}
		}
	}
	if len(what) == 0 || bytes.Equal(b, orig) {
		b = append(b, byte(r.Uint32()))
		what = append(what, "1 byte appended")
	}
	return b, strings.Join(what, ", ")
}

// conclusionKeep keeps what makes a CONCLUSION reach the listener's
// parser: the packet header (a HANDSHAKE to socket 0), the Handshake Type
// and the cookie (CIF offsets 20 and 28).
func conclusionKeep(i int) bool {
	c := i - packet.HeaderSize
	return i < packet.HeaderSize || (c >= 20 && c < 24) || (c >= 28 && c < 32)
}

// conclusionMin is the shortest a byte-mutated CONCLUSION gets: the
// header and the whole fixed CIF.
const conclusionMin = packet.HeaderSize + 48

// postKeep keeps the destination socket ID and the F bit of a packet sent
// to the accepted socket.
func postKeep(i int) bool { return i == 0 || (i >= 12 && i < 16) }
