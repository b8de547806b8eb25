package capture

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"path/filepath"
	"testing"
	"testing/iotest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/srtwire/srtwire/internal/testcorpus"
	"github.com/srtwire/srtwire/packet"
)

// The pcapng reader: what a real dumpcap file says, checked against
// Wireshark, and the block kinds and options real files use that the
// corpus does not have, built here block by block.

// TestPcapngTimesAgainstTShark: every SRT frame of a dumpcap capture gets
// the time Wireshark gives it, to the nanosecond.
func TestPcapngTimesAgainstTShark(t *testing.T) {
	path := filepath.Join(testcorpus.Dir(), "..", "extra", "sid_km_lo.pcapng")
	ts, err := testcorpus.ReadTShark(path[:len(path)-len(".pcapng")] + ".tshark.json.gz")
	require.NoError(t, err)
	want := map[int]time.Time{}
	for _, p := range ts {
		if p.SRT != nil {
			want[p.Frame] = p.Time
		}
	}
	r, err := Open(path, nil)
	require.NoError(t, err)
	defer r.Close()
	n := 0
	for r.Next() {
		f := r.Frame()
		w, ok := want[f.Number]
		require.True(t, ok, "frame %d is not SRT for Wireshark", f.Number)
		assert.True(t, w.Equal(f.Time), "frame %d: %v, Wireshark %v", f.Number, f.Time, w)
		n++
	}
	require.NoError(t, r.Err())
	assert.Equal(t, len(want), n)
	assert.Equal(t, "pcapng", r.Format())
}

// ngBlock returns a little-endian pcapng block of type typ around body
// (padded to 4 bytes).
func ngBlock(typ uint32, body ...[]byte) []byte {
	var b []byte
	for _, p := range body {
		b = append(b, p...)
	}
	for len(b)%4 != 0 {
		b = append(b, 0)
	}
	n := uint32(12 + len(b))
	out := binary.LittleEndian.AppendUint32(nil, typ)
	out = binary.LittleEndian.AppendUint32(out, n)
	out = append(out, b...)
	return binary.LittleEndian.AppendUint32(out, n)
}

func le16(v uint16) []byte { return binary.LittleEndian.AppendUint16(nil, v) }
func le32(v uint32) []byte { return binary.LittleEndian.AppendUint32(nil, v) }
func le64(v uint64) []byte { return binary.LittleEndian.AppendUint64(nil, v) }

// ngOption returns one option, padded.
func ngOption(code uint16, v []byte) []byte {
	b := append(le16(code), le16(uint16(len(v)))...)
	b = append(b, v...)
	for len(b)%4 != 0 {
		b = append(b, 0)
	}
	return b
}

func ngSection(major uint16) []byte {
	return ngBlock(0x0A0D0D0A, le32(0x1A2B3C4D), le16(major), le16(0), le64(^uint64(0)))
}

func ngInterface(link uint16, options ...[]byte) []byte {
	body := [][]byte{le16(link), le16(0), le32(0)}
	if len(options) > 0 {
		body = append(body, options...)
		body = append(body, ngOption(0, nil))
	}
	return ngBlock(1, body...)
}

func ngEnhanced(iface uint32, ts uint64, data []byte) []byte {
	return ngBlock(6, le32(iface), le32(uint32(ts>>32)), le32(uint32(ts)), le32(uint32(len(data))), le32(uint32(len(data))), data)
}

// keepalive returns an SRT keep-alive from 10.0.0.1:4000 to 10.1.0.1:9000,
// behind the link header of link type lt.
func keepalive(t *testing.T, lt linkType) []byte {
	p := packet.Packet{Header: packet.Header{Control: true, Type: packet.TypeKeepalive, DstSocket: 7}}
	srt, err := p.AppendBinary(nil)
	require.NoError(t, err)
	ip := ipv4UDP(nil, 0, srt)
	switch lt {
	case linkTypeEthernet:
		return append(append(make([]byte, 12), 0x08, 0x00), ip...)
	case linkTypeSLL2:
		h := make([]byte, 20)
		binary.BigEndian.PutUint16(h, 0x0800)
		return append(h, ip...)
	}
	return ip
}

// TestPcapngBlocks: interfaces of different link types in one section,
// among them LINKTYPE_LINUX_SLL2 (276, which gopacket's 8-bit link type
// could not hold), their time resolutions (ns, 2^-20 s) and offsets, the
// obsolete packet block and the simple packet block, unknown blocks
// skipped, and a second section that forgets the interfaces of the first.
func TestPcapngBlocks(t *testing.T) {
	var b bytes.Buffer
	b.Write(ngSection(1))
	b.Write(ngInterface(uint16(linkTypeRaw)))                                                                   // 0: µs
	b.Write(ngInterface(uint16(linkTypeSLL2), ngOption(9, []byte{9}), ngOption(14, le64(100))))                 // 1: ns, +100 s
	b.Write(ngInterface(uint16(linkTypeEthernet), ngOption(9, []byte{0x80 | 20}), ngOption(2, []byte("eth0")))) // 2: 2^-20 s
	b.Write(ngBlock(0x0BAD, []byte("a block of a kind nobody knows")))
	b.Write(ngEnhanced(0, 1_700_000_000_123_456, keepalive(t, linkTypeRaw)))
	b.Write(ngEnhanced(1, 1_700_000_000_123_456_789, keepalive(t, linkTypeSLL2)))
	b.Write(ngEnhanced(2, 3<<20|1<<19, keepalive(t, linkTypeEthernet))) // 3.5 s
	old := keepalive(t, linkTypeEthernet)
	b.Write(ngBlock(2, le16(2), le16(0), le32(0), le32(1_000_000), le32(uint32(len(old))), le32(uint32(len(old))), old))
	b.Write(ngBlock(3, le32(uint32(len(keepalive(t, linkTypeRaw)))), keepalive(t, linkTypeRaw)))
	b.Write(ngSection(1))
	b.Write(ngInterface(uint16(linkTypeSLL2)))
	b.Write(ngEnhanced(0, 2_000_000, keepalive(t, linkTypeSLL2)))
	b.Write(ngEnhanced(2, 0, keepalive(t, linkTypeEthernet))) // interface 2 was the first section's

	r, err := NewReader(bytes.NewReader(b.Bytes()), nil)
	require.NoError(t, err)
	want := []time.Time{
		time.Unix(1_700_000_000, 123_456_000),
		time.Unix(1_700_000_000+100, 123_456_789),
		time.Unix(3, 500_000_000),
		time.Unix(0, 1_000_000*1_000_000_000/(1<<20)), // the obsolete block, on interface 2
		{}, // a simple packet has no time
		time.Unix(2, 0),
	}
	var got []time.Time
	for r.Next() {
		f := r.Frame()
		require.NoError(t, f.Err, "frame %d", f.Number)
		assert.Equal(t, packet.TypeKeepalive, f.Packet.Type, "frame %d", f.Number)
		got = append(got, f.Time)
	}
	require.Len(t, got, len(want))
	for i := range want {
		assert.True(t, want[i].Equal(got[i]), "frame %d: %v, want %v", i+1, got[i], want[i])
	}
	require.ErrorIs(t, r.Err(), ErrBadBlock)
	assert.Contains(t, r.Err().Error(), "interface 2, which the section does not describe (it has 1)")
	var ce *Error
	require.ErrorAs(t, r.Err(), &ce)
	assert.Equal(t, int64(b.Len()-len(ngEnhanced(2, 0, keepalive(t, linkTypeEthernet)))), ce.Offset, "the offset of the bad block")
	assert.Equal(t, int64(b.Len()), r.Stats().Bytes)
}

// TestPcapngRefused: what a pcapng reader must not take, each with a
// clear error and nothing read past it: a version 2 section, a block whose
// trailing length differs from its leading one (as Wireshark refuses
// it), a simple packet before any interface.
func TestPcapngRefused(t *testing.T) {
	_, err := NewReader(bytes.NewReader(ngSection(2)), nil)
	require.ErrorIs(t, err, ErrNotCapture)
	assert.Contains(t, err.Error(), "pcapng version 2.0")

	ep := ngEnhanced(0, 0, keepalive(t, linkTypeRaw))
	binary.LittleEndian.PutUint32(ep[len(ep)-4:], uint32(len(ep)+4))
	in := append(append(append(ngSection(1), ngInterface(uint16(linkTypeRaw))...), ngEnhanced(0, 0, keepalive(t, linkTypeRaw))...), ep...)
	r, err := NewReader(bytes.NewReader(in), nil)
	require.NoError(t, err)
	n := 0
	for r.Next() {
		n++
	}
	assert.Equal(t, 1, n, "the frame before the bad block is delivered")
	require.ErrorIs(t, r.Err(), ErrBadBlock)
	assert.Contains(t, r.Err().Error(), "trailing length")

	sp := keepalive(t, linkTypeRaw)
	r, err = NewReader(bytes.NewReader(append(ngSection(1), ngBlock(3, le32(uint32(len(sp))), sp)...)), nil)
	require.NoError(t, err)
	require.False(t, r.Next())
	assert.ErrorIs(t, r.Err(), ErrBadBlock)
	assert.Contains(t, r.Err().Error(), "simple packet in a section without an interface")
}

// TestPcapngLargeBlocksSkipped: blocks the reader has no use for (a name
// resolution block, decryption secrets) are skipped whatever their size,
// without being held, and the frames after them delivered; a skipped
// block's trailing length is checked too.
func TestPcapngLargeBlocksSkipped(t *testing.T) {
	ka := keepalive(t, linkTypeRaw)
	big := ngBlock(4, make([]byte, 3*maxBlock)) // a name resolution block
	secrets := ngBlock(10, make([]byte, 1<<20))
	var b bytes.Buffer
	b.Write(ngSection(1))
	b.Write(ngInterface(uint16(linkTypeRaw)))
	b.Write(ngEnhanced(0, 0, ka))
	b.Write(big)
	b.Write(secrets)
	b.Write(ngEnhanced(0, 1, ka))
	var h heapWatch
	h.sample()
	base := h.peak
	r, err := NewReader(bytes.NewReader(b.Bytes()), nil)
	require.NoError(t, err)
	n := 0
	for r.Next() {
		n++
		h.sample()
	}
	require.NoError(t, r.Err())
	assert.Equal(t, 2, n)
	assert.Less(t, int64(h.peak)-int64(base), int64(maxBlock), "the skipped blocks were not held")
	assert.Equal(t, int64(b.Len()), r.Stats().Bytes)

	binary.LittleEndian.PutUint32(big[len(big)-4:], 12)
	in := append(append(append(ngSection(1), ngInterface(uint16(linkTypeRaw))...), big...), ngEnhanced(0, 1, ka)...)
	r, err = NewReader(bytes.NewReader(in), nil)
	require.NoError(t, err)
	require.False(t, r.Next())
	require.ErrorIs(t, r.Err(), ErrBadBlock)
	assert.Contains(t, r.Err().Error(), "trailing length")
}

// TestPcapngReadErrors: an error of the input inside a block is the
// Reader's error (not "unexpected EOF"), and a capture cut inside a block
// is: with Stats.Bytes counting the bytes read, the cut block's too.
func TestPcapngReadErrors(t *testing.T) {
	in := append(append(ngSection(1), ngInterface(uint16(linkTypeRaw))...), ngEnhanced(0, 0, keepalive(t, linkTypeRaw))...)
	errDisk := errors.New("disk on fire")
	r, err := NewReader(io.MultiReader(bytes.NewReader(in[:len(in)-10]), iotest.ErrReader(errDisk)), nil)
	require.NoError(t, err)
	require.False(t, r.Next())
	assert.ErrorIs(t, r.Err(), errDisk)

	r, err = NewReader(bytes.NewReader(in[:len(in)-10]), nil)
	require.NoError(t, err)
	require.False(t, r.Next())
	assert.ErrorIs(t, r.Err(), io.ErrUnexpectedEOF)
	assert.Equal(t, int64(len(in)-10), r.Stats().Bytes)
}
