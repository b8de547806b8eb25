package main

import (
	"io"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/srtwire/srtwire/capture"
	"github.com/srtwire/srtwire/internal/testcorpus"
	"github.com/srtwire/srtwire/packet"
)

// TestWalkAllocs: writing a frame, as text (with and without -x) or as
// JSON, with and without passphrases (whose verdict on a KM message is
// remembered), allocates nothing, for every frame of every corpus capture. The
// exception is a HANDSHAKE in text, whose extension flags and long string
// blocks are spelled by allocating String methods (a handful of frames per
// connection).
func TestWalkAllocs(t *testing.T) {
	caps, err := testcorpus.Captures()
	require.NoError(t, err)
	out := newOutput(io.Discard)
	pass := passList{"corpus-secret-16", "refresh-secret-1"}
	for _, cfg := range []config{{}, {hex: true}, {json: true}, {json: true, passphrases: pass}, {hex: true, passphrases: pass}} {
		json := cfg.json
		d := newDumper(&cfg, out, io.Discard)
		for _, c := range caps {
			r, err := capture.Open(testcorpus.Path(c.Name+".pcap"), nil)
			require.NoError(t, err)
			for r.Next() {
				f := r.Frame()
				n := testing.AllocsPerRun(10, func() {
					if cfg.hex {
						d.setHex(f, nil)
					}
					d.walk.frame(f)
				})
				if n != 0 && (json || f.Packet.Kind() != packet.KindHandshake) {
					t.Errorf("%+v %s#%d (%s): %v allocs per frame", cfg, c.Name, f.Number, f.Packet.Kind(), n)
				}
			}
			require.NoError(t, r.Err())
			r.Close()
		}
	}
}

// TestDecryptAllocs: -x -passphrase decrypts a data payload without
// allocating, across a key refresh.
func TestDecryptAllocs(t *testing.T) {
	r, err := capture.Open(testcorpus.Path("s02_enc_kmrefresh.pcap"), nil)
	require.NoError(t, err)
	defer r.Close()
	x := newDecryptor([]string{"refresh-secret-1"}, true)
	decrypted := 0
	for r.Next() {
		f := r.Frame()
		if f.Packet.Kind() != packet.KindData {
			x.frame(f)
			continue
		}
		var res decryptResult
		n := testing.AllocsPerRun(5, func() { _, res, _, _ = x.frame(f) })
		require.Equal(t, decOK, res, "frame %d", f.Number)
		decrypted++
		if n != 0 {
			t.Errorf("frame %d: %v allocs", f.Number, n)
		}
	}
	require.Equal(t, 420, decrypted)
}
