package capture

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Hostile captures, generated at test time (a streaming generator, so a
// test can feed hundreds of megabytes without holding them), and the
// memory bounds the Reader keeps against them.

// genPcap streams a classic pcap (link type raw IP, 101) of n records,
// record i built by rec into the buffer it is given.
type genPcap struct {
	n, i    int
	rec     func(i int, b []byte) []byte
	buf     []byte
	pos     int
	origLen func(i, capLen int) uint32
}

func (g *genPcap) Read(p []byte) (int, error) {
	if g.pos >= len(g.buf) {
		if g.buf == nil {
			g.buf = make([]byte, 0, 300<<10)
			var h [24]byte
			binary.LittleEndian.PutUint32(h[0:], 0xa1b2c3d4)
			binary.LittleEndian.PutUint16(h[4:], 2)
			binary.LittleEndian.PutUint16(h[6:], 4)
			binary.LittleEndian.PutUint32(h[16:], 262144)
			binary.LittleEndian.PutUint32(h[20:], 101)
			g.buf = append(g.buf, h[:]...)
		} else {
			if g.i >= g.n {
				return 0, io.EOF
			}
			g.buf = append(g.buf[:0], make([]byte, 16)...)
			g.buf = g.rec(g.i, g.buf)
			capLen := len(g.buf) - 16
			orig := uint32(capLen)
			if g.origLen != nil {
				orig = g.origLen(g.i, capLen)
			}
			binary.LittleEndian.PutUint32(g.buf[0:], uint32(g.i))
			binary.LittleEndian.PutUint32(g.buf[8:], uint32(capLen))
			binary.LittleEndian.PutUint32(g.buf[12:], orig)
			g.i++
		}
		g.pos = 0
	}
	n := copy(p, g.buf[g.pos:])
	g.pos += n
	return n, nil
}

// ipv4UDP appends an IPv4/UDP datagram from 10.0.x.y:port to 10.1.0.1:9000.
func ipv4UDP(b []byte, flow int, payload []byte) []byte {
	tot := 20 + 8 + len(payload)
	ip := []byte{0x45, 0, byte(tot >> 8), byte(tot), 0, 0, 0x40, 0, 64, 17, 0, 0,
		10, 0, byte(flow >> 16), byte(flow >> 8), 10, 1, 0, 1}
	b = append(b, ip...)
	ulen := 8 + len(payload)
	b = append(b, byte(4000+flow%50000>>8), byte(4000+flow%50000), 0x23, 0x28, byte(ulen>>8), byte(ulen), 0, 0)
	return append(b, payload...)
}

// dataShaped returns an n-byte payload that Recognize takes for SRT data.
func dataShaped(n int, seq uint32) []byte {
	p := make([]byte, n)
	binary.BigEndian.PutUint32(p[0:], seq&0x7FFFFFFF)
	binary.BigEndian.PutUint32(p[4:], 0xC0000001) // solo, msgno 1
	binary.BigEndian.PutUint32(p[12:], 0x12345678)
	return p
}

// heapWatch samples the live heap while a Reader runs.
type heapWatch struct{ peak uint64 }

func (h *heapWatch) sample() {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	h.peak = max(h.peak, ms.HeapAlloc)
}

func drain(t *testing.T, r *Reader, every int, h *heapWatch) int {
	n := 0
	for r.Next() {
		n++
		if n%every == 0 {
			h.sample()
		}
	}
	h.sample()
	return n
}

// TestHostileUnconfirmedFlows: thousands of flows, each sending one
// data-shaped datagram, do not make the Reader hold their datagrams: big
// ones are never copied, small ones only within the 8 MiB budget.
func TestHostileUnconfirmedFlows(t *testing.T) {
	if testing.Short() {
		t.Skip("streams 300 MB")
	}
	for _, c := range []struct {
		name  string
		flows int
		size  int
	}{
		{"3000 flows x 60 KB", 3000, 60 << 10},
		{"60000 flows x 2000 B", 60000, 2000},
	} {
		t.Run(c.name, func(t *testing.T) {
			payload := dataShaped(c.size, 1)
			g := &genPcap{n: c.flows, rec: func(i int, b []byte) []byte { return ipv4UDP(b, i, payload) }}
			r, err := NewReader(g, nil)
			require.NoError(t, err)
			var h heapWatch
			h.sample()
			base := h.peak
			n := drain(t, r, 500, &h)
			require.NoError(t, r.Err())
			assert.Zero(t, n, "no flow was confirmed")
			assert.Equal(t, c.flows, r.Stats().Frames, "every record was read")
			assert.LessOrEqual(t, r.held, maxHeldBytes)
			grew := int64(h.peak) - int64(base)
			t.Logf("%s: heap grew %.1f MB (input %d MB)", c.name, float64(grew)/(1<<20), c.flows*c.size>>20)
			assert.Less(t, grew, int64(48<<20), "heap growth")
		})
	}
}

// TestHostileHeldDatagramDelivered: a small held-back datagram is still
// handed out when its flow is confirmed; a big one is counted as dropped.
func TestHostileHeldDatagramDelivered(t *testing.T) {
	for _, c := range []struct {
		size    int
		want    int
		dropped int
	}{{1316, 2, 0}, {4000, 1, 1}} {
		g := &genPcap{n: 2, rec: func(i int, b []byte) []byte {
			p := dataShaped(c.size, uint32(100+i))
			binary.BigEndian.PutUint32(p[8:], uint32(i)*1_000_000) // the sender's clock follows the capture's (records 1 s apart)
			return ipv4UDP(b, 7, p)
		}}
		r, err := NewReader(g, nil)
		require.NoError(t, err)
		n := 0
		for r.Next() {
			n++
			assert.Equal(t, c.size, len(r.Frame().Data))
		}
		require.NoError(t, r.Err())
		assert.Equal(t, c.want, n, "size %d", c.size)
		assert.Equal(t, c.dropped, r.Stats().Dropped, "size %d", c.size)
		assert.Zero(t, r.held, "nothing held once confirmed")
	}
}

// TestHostileIPv6ZeroLengths: IPv6 payload length 0 and UDP length 0 make
// the datagram the whole (256 KiB) frame; it is not held either.
func TestHostileIPv6ZeroLengths(t *testing.T) {
	if testing.Short() {
		t.Skip("streams 125 MB")
	}
	payload := dataShaped(250<<10, 1)
	g := &genPcap{n: 500, rec: func(i int, b []byte) []byte {
		ip := make([]byte, 40)
		ip[0] = 0x60
		ip[6] = 17
		ip[8], ip[23] = 0xfd, byte(i)
		ip[22] = byte(i >> 8)
		ip[24], ip[39] = 0xfd, 1
		b = append(b, ip...)
		b = append(b, byte(i>>8), byte(i), 0x23, 0x28, 0, 0, 0, 0)
		return append(b, payload...)
	}}
	r, err := NewReader(g, nil)
	require.NoError(t, err)
	var h heapWatch
	h.sample()
	base := h.peak
	drain(t, r, 50, &h)
	require.NoError(t, r.Err())
	assert.Equal(t, 500, r.Stats().Frames)
	assert.Zero(t, r.held)
	assert.Less(t, int64(h.peak)-int64(base), int64(32<<20))
}

// TestHostileInterfaceBlocks: a pcapng section with more interface
// description blocks than any real capture is refused with ErrBadBlock
// before the reader keeps them all.
func TestHostileInterfaceBlocks(t *testing.T) {
	var b bytes.Buffer
	shb := []byte{0x0A, 0x0D, 0x0D, 0x0A, 28, 0, 0, 0, 0x4D, 0x3C, 0x2B, 0x1A, 1, 0, 0, 0,
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 28, 0, 0, 0}
	b.Write(shb)
	idb := []byte{1, 0, 0, 0, 20, 0, 0, 0, 101, 0, 0, 0, 0, 0, 4, 0, 20, 0, 0, 0}
	for range 200000 {
		b.Write(idb)
	}
	r, err := NewReader(bytes.NewReader(b.Bytes()), nil)
	if err == nil {
		var h heapWatch
		h.sample()
		base := h.peak
		for r.Next() {
		}
		err = r.Err()
		h.sample()
		assert.Less(t, int64(h.peak)-int64(base), int64(16<<20))
	}
	require.Error(t, err)
	assert.True(t, errors.Is(err, ErrBadBlock) || errors.Is(err, ErrNotCapture), "%v", err)
	assert.Contains(t, err.Error(), "more than 4096 interfaces")
}

// TestCompleteDatagramNotTruncated: a record whose original length claims
// 4 GB but which holds the whole UDP datagram is not reported truncated.
func TestCompleteDatagramNotTruncated(t *testing.T) {
	p := append(dataShaped(64, 5), []byte{}...)
	g := &genPcap{n: 2, rec: func(i int, b []byte) []byte {
		return ipv4UDP(b, 1, append([]byte{0x80, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x12, 0x34, 0x56, 0x78}, 0, 0, 0, 0))
	}, origLen: func(int, int) uint32 { return 0xFFFFFFF0 }}
	_ = p
	r, err := NewReader(g, nil)
	require.NoError(t, err)
	n := 0
	for r.Next() {
		n++
		f := r.Frame()
		assert.False(t, f.Truncated)
		assert.NoError(t, f.Err)
	}
	assert.Equal(t, 2, n)
}

// TestManyIPv6ExtensionHeaders: SRT behind ten IPv6 extension headers is
// still found and decoded.
func TestManyIPv6ExtensionHeaders(t *testing.T) {
	keepalive := []byte{0x80, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x12, 0x34, 0x56, 0x78, 0, 0, 0, 0}
	g := &genPcap{n: 1, rec: func(i int, b []byte) []byte {
		const nExt = 10
		ulen := 8 + len(keepalive)
		plen := nExt*8 + ulen
		ip := make([]byte, 40)
		ip[0] = 0x60
		ip[4], ip[5] = byte(plen>>8), byte(plen)
		ip[6] = 60 // destination options
		ip[8], ip[23], ip[24], ip[39] = 0xfd, 2, 0xfd, 1
		b = append(b, ip...)
		for e := range nExt {
			next := byte(60)
			if e == nExt-1 {
				next = 17
			}
			b = append(b, next, 0, 1, 4, 0, 0, 0, 0) // PadN option filling the 8 bytes
		}
		b = append(b, 0x0f, 0xa0, 0x23, 0x28, byte(ulen>>8), byte(ulen), 0, 0)
		return append(b, keepalive...)
	}}
	r, err := NewReader(g, nil)
	require.NoError(t, err)
	require.True(t, r.Next(), "the frame is found: %v", r.Err())
	assert.NoError(t, r.Frame().Err)
	assert.Equal(t, 9000, int(r.Frame().Dst.Port()))
}
