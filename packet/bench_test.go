package packet

import (
	"encoding/binary"
	"testing"
)

// benchNAK is a NAK with 2 single losses and 2 ranges.
var benchNAK = hx("80030000 00000000 00031eb6 2687b9b4 | 00000064 800000c8 000000d2 0000012c 80000190 00000191")

// benchData is a full-size live data packet (1316-byte payload).
var benchData = func() []byte {
	b := append([]byte(nil), goldenData[:HeaderSize]...)
	return append(b, make([]byte, 1316)...)
}()

var sinkU32 uint32

// BenchmarkFloor is the floor the decoders are measured against: a raw
// load of the four header words.
func BenchmarkFloor(b *testing.B) {
	in := benchData
	b.ReportAllocs()
	b.SetBytes(int64(len(in)))
	for b.Loop() {
		sinkU32 += binary.BigEndian.Uint32(in[0:]) ^ binary.BigEndian.Uint32(in[4:]) ^
			binary.BigEndian.Uint32(in[8:]) ^ binary.BigEndian.Uint32(in[12:])
	}
}

func BenchmarkDecode(b *testing.B) {
	cases := []struct {
		name string
		in   []byte
	}{
		{"data", benchData},
		{"ack-full", goldenACKFull},
		{"ack-light", goldenACKLight},
		{"nak", benchNAK},
		{"keepalive", goldenKeepalive},
		{"kmreq", goldenKMReq},
		{"handshake", goldenConclusion},
		{"invalid", goldenData[:10]},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			var p Packet
			b.ReportAllocs()
			b.SetBytes(int64(len(c.in)))
			for b.Loop() {
				_ = p.Decode(c.in)
			}
		})
	}
	// Decode and walk the loss list.
	b.Run("nak-walk", func(b *testing.B) {
		var p Packet
		b.ReportAllocs()
		b.SetBytes(int64(len(benchNAK)))
		for b.Loop() {
			if p.Decode(benchNAK) != nil {
				b.Fatal("decode")
			}
			c := p.NAK.Losses()
			for c.Next() {
				lo, hi := c.Range()
				sinkU32 += uint32(lo) ^ uint32(hi)
			}
		}
	})
	b.Run("header", func(b *testing.B) {
		var h Header
		b.ReportAllocs()
		for b.Loop() {
			_, _ = h.Decode(benchData)
		}
	})
}

func BenchmarkAppend(b *testing.B) {
	cases := []struct {
		name string
		in   []byte
	}{
		{"data", benchData},
		{"ack-full", goldenACKFull},
		{"nak", benchNAK},
		{"keepalive", goldenKeepalive},
		{"handshake", goldenConclusion},
	}
	buf := make([]byte, 0, 2048)
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			var p Packet
			if err := p.Decode(c.in); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.SetBytes(int64(len(c.in)))
			for b.Loop() {
				_, _ = p.AppendBinary(buf[:0])
			}
		})
	}
	b.Run("loss-list", func(b *testing.B) {
		seqs := []SeqNumber{100, 200, 201, 202, 300, 400, 401}
		b.ReportAllocs()
		for b.Loop() {
			_, _ = AppendLossList(buf[:0], seqs...)
		}
	})
}
