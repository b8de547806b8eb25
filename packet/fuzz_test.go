package packet

import (
	"bytes"
	"testing"

	"github.com/srtwire/srtwire/handshake"
)

// FuzzDecode checks, for any input: no panic; an input that decodes
// re-encodes to exactly itself, MarshalSize agrees, and the decoded NAK
// walks without error; the accessors do not panic either.
func FuzzDecode(f *testing.F) {
	for _, g := range goldens {
		f.Add(g.b)
	}
	f.Add(hx("80070000 00000007 00000100 00000042 | 0000000a 0000000c"))
	f.Add(hx("ffff0004 00000000 00000010 00000020 | 04000000"))
	f.Add(hx("80030000 00000000 00000000 00000000 | 00000001 80000005"))
	f.Fuzz(func(t *testing.T, b []byte) {
		b = b[:len(b):len(b)]
		var p Packet
		err := p.Decode(b)
		var km handshake.KeyMaterial
		var r handshake.HSReq
		_ = p.KeyMaterial(&km)
		_ = p.HSReq(&r)
		_, _ = p.KMState()
		_, _, _ = p.FEC()
		c := p.NAK.Losses()
		for c.Next() {
		}
		if err != nil {
			return
		}
		if c.Err() != nil {
			t.Fatalf("decoded NAK does not walk: %v", c.Err())
		}
		out, err := p.AppendBinary(nil)
		if err != nil {
			t.Fatalf("re-encode: %v", err)
		}
		if !bytes.Equal(out, b) {
			t.Fatalf("re-encode differs:\n in %x\nout %x", b, out)
		}
		if p.MarshalSize() != len(b) {
			t.Fatalf("MarshalSize %d, want %d", p.MarshalSize(), len(b))
		}
		var h Header
		if _, err := h.Decode(b); err != nil || h != p.Header {
			t.Fatalf("Header.Decode disagrees with Packet.Decode: %+v vs %+v (%v)", h, p.Header, err)
		}
	})
}
