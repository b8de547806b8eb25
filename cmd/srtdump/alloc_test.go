package main

import (
	"bufio"
	"io"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/srtwire/srtwire/internal/testcorpus"
	"github.com/srtwire/srtwire/packet"
	"github.com/srtwire/srtwire/pcap"
)

// TestWalkAllocs: writing a frame, as text or as JSON, allocates nothing,
// for every frame of every corpus capture. The exception is a HANDSHAKE
// in text, whose extension flags and long string blocks are spelled by
// allocating String methods (a handful of frames per connection).
func TestWalkAllocs(t *testing.T) {
	caps, err := testcorpus.Captures()
	require.NoError(t, err)
	out := bufio.NewWriterSize(io.Discard, 64<<10)
	for _, json := range []bool{false, true} {
		d := newDumper(&config{json: json}, out, io.Discard)
		for _, c := range caps {
			r, err := pcap.Open(testcorpus.Path(c.Name+".pcap"), nil)
			require.NoError(t, err)
			for r.Next() {
				f := r.Frame()
				n := testing.AllocsPerRun(10, func() { d.walk.frame(f) })
				if n != 0 && (json || f.Packet.Kind() != packet.KindHandshake) {
					t.Errorf("json=%v %s#%d (%s): %v allocs per frame", json, c.Name, f.Number, f.Packet.Kind(), n)
				}
			}
			require.NoError(t, r.Err())
			r.Close()
		}
	}
}
