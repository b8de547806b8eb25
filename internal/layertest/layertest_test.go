package layertest

import (
	"testing"

	"github.com/srtwire/srtwire/packet"
)

// TestCases: every valid datagram decodes to its Want and re-encodes to
// itself; every malformed one fails with its error.
func TestCases(t *testing.T) {
	cases := Cases()
	if len(cases) < 20 {
		t.Fatalf("%d cases", len(cases))
	}
	names := map[string]bool{}
	for _, c := range cases {
		if names[c.Name] {
			t.Errorf("%s: two cases of that name", c.Name)
		}
		names[c.Name] = true
		var p packet.Packet
		err := p.Decode(c.Datagram)
		if err != c.Err {
			t.Errorf("%s: Decode = %v, want %v", c.Name, err, c.Err)
			continue
		}
		if err != nil {
			continue
		}
		if err := c.Check(&p); err != nil {
			t.Error(err)
		}
		b, err := p.AppendBinary(nil)
		if err != nil || string(b) != string(c.Datagram) {
			t.Errorf("%s: AppendBinary = %x, %v; want %x", c.Name, b, err, c.Datagram)
		}
		// The check catches a difference.
		p.Timestamp++
		if c.Check(&p) == nil {
			t.Errorf("%s: Check misses a wrong timestamp", c.Name)
		}
	}
}

func TestFrame(t *testing.T) {
	d := Find("data").Datagram
	for _, v6 := range []bool{false, true} {
		f := Frame(d, v6)
		hdr := 14 + 20 + 8
		if v6 {
			hdr = 14 + 40 + 8
		}
		if len(f) != hdr+len(d) || string(f[hdr:]) != string(d) || len(Frame(nil, v6)) != 60 && !v6 {
			t.Errorf("v6=%v: frame %x", v6, f)
		}
	}
}
