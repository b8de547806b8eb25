package main

import (
	"bytes"
	"io"
	"os"
	"testing"

	"github.com/srtwire/srtwire/internal/testcorpus"
)

// benchCapture returns s02_enc_kmrefresh.pcap repeated n times as one
// classic pcap (the header once, then the records n times over), and its
// number of frames.
func benchCapture(b *testing.B, n int) ([]byte, int) {
	b.Helper()
	one, err := os.ReadFile(testcorpus.Path("s02_enc_kmrefresh.pcap"))
	if err != nil {
		b.Fatal(err)
	}
	frames := 0
	for off := 24; off+16 <= len(one); frames++ {
		off += 16 + int(uint32(one[off+8])|uint32(one[off+9])<<8|uint32(one[off+10])<<16|uint32(one[off+11])<<24)
	}
	out := append([]byte(nil), one[:24]...)
	for i := 0; i < n; i++ {
		out = append(out, one[24:]...)
	}
	return out, frames * n
}

// BenchmarkDump measures srtdump's writers over an in-memory capture
// (s02_enc_kmrefresh.pcap repeated 30 times, 25 530 SRT packets), from
// the capture's bytes to the formatted output discarded: the whole
// program but its start and the file system.
func BenchmarkDump(b *testing.B) {
	c, n := benchCapture(b, 30)
	for _, m := range []struct {
		name string
		args []string
	}{
		{"json", []string{"-json"}},
		{"text", nil},
		{"summary", []string{"-summary"}},
		{"stats", []string{"-stats"}},
	} {
		b.Run(m.name, func(b *testing.B) {
			args := append(append([]string{}, m.args...), "-")
			b.ReportAllocs()
			b.SetBytes(int64(len(c)))
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if st := run(args, bytes.NewReader(c), io.Discard, io.Discard); st != 0 {
					b.Fatalf("exit status %d", st)
				}
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "packets/s")
		})
	}
}
