package bench

import (
	"testing"

	"github.com/srtwire/srtwire/packet"
	"github.com/srtwire/srtwire/reject"
)

// TestZeroAllocs is the allocation gate: every Decode, Encode, Layer and
// Reject benchmark body allocates nothing.
func TestZeroAllocs(t *testing.T) {
	load(t)
	registerPorts()
	for _, name := range order {
		d := samples[name].datagram
		s := &state{sid: make([]byte, 0, 512)}
		if n := testing.AllocsPerRun(100, func() { s.decode(name, d) }); n != 0 {
			t.Errorf("decode %s: %v allocs", name, n)
		}
		var p packet.Packet
		_ = p.Decode(d)
		buf := make([]byte, 0, 2048)
		if n := testing.AllocsPerRun(100, func() { buf, _ = p.AppendBinary(buf[:0]) }); n != 0 {
			t.Errorf("encode %s: %v allocs", name, n)
		}
	}
	for _, name := range []string{"data", "handshake_conclusion"} {
		l := newLayerParser()
		fr := samples[name].frame
		if n := testing.AllocsPerRun(100, func() { _ = l.parser.DecodeLayers(fr, &l.decoded) }); n != 0 {
			t.Errorf("layer %s: %v allocs", name, n)
		}
	}
	if n := testing.AllocsPerRun(100, func() {
		r, _ := reject.FromWire(2403)
		_ = r.Name()
		_, _ = reject.Parse("SRT_REJX_FORBIDDEN")
	}); n != 0 {
		t.Errorf("reject: %v allocs", n)
	}
}
