package fuzz

import (
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/srtwire/srtwire/capture"
	"github.com/srtwire/srtwire/packet"
)

// Findings of the fuzz targets, each kept as a named test (the input is
// also a seed under testdata/fuzz).

// TestNAKRangeOfOne (FuzzNAK/eaf1ea1bbbd87811): a loss-list range whose
// first and last sequence numbers are equal. libsrt never sends one, but
// its sender accepts it (lo <= hi); the cursor yields it as a range of one
// packet, and the list re-encodes unchanged.
func TestNAKRangeOfOne(t *testing.T) {
	list := []byte{0xfc, 0xea, 0x29, 0xd3, 0x7c, 0xea, 0x29, 0xd3}
	var n packet.NAK
	require.NoError(t, n.Decode(list))
	c := n.Losses()
	require.True(t, c.Next())
	lo, hi := c.Range()
	assert.True(t, c.IsRange())
	assert.Equal(t, lo, hi)
	assert.Equal(t, 1, n.Count())
	require.False(t, c.Next())
	require.NoError(t, c.Err())
	out, err := n.AppendBinary(nil)
	require.NoError(t, err)
	assert.Equal(t, list, out)
}

// TestPcapngBadTimestampResolution (FuzzCapture/8716977058912502): a
// pcapng interface whose if_tsresol option made gopacket v1.1.19 divide by
// zero. The Reader must report a damaged capture, not panic: its section
// header's trailing length is wrong too, which the Reader (as Wireshark)
// refuses first.
func TestPcapngBadTimestampResolution(t *testing.T) {
	raw, err := os.ReadFile("testdata/fuzz/FuzzCapture/8716977058912502")
	require.NoError(t, err)
	lines := strings.SplitN(string(raw), "\n", 3)
	require.True(t, strings.HasPrefix(lines[1], "[]byte("))
	data, err := strconv.Unquote(strings.TrimSuffix(strings.TrimPrefix(lines[1], "[]byte("), ")"))
	require.NoError(t, err)
	r, err := capture.NewReader(strings.NewReader(data), nil)
	if err == nil {
		for r.Next() {
		}
		var ce *capture.Error
		require.ErrorAs(t, r.Err(), &ce)
		err = r.Err()
	}
	assert.ErrorIs(t, err, capture.ErrBadBlock)
}

// TestPcapngCutBlockLyingLength (FuzzCapture/2663200c25ffa73a): a pcapng
// cut inside an enhanced packet block whose capture length says 4 GB
// (gopacket's reader, which srtwire used then, allocated the 4 GB). The
// Reader reports a damaged capture and allocates nothing from the length.
func TestPcapngCutBlockLyingLength(t *testing.T) {
	raw, err := os.ReadFile("testdata/fuzz/FuzzCapture/2663200c25ffa73a")
	require.NoError(t, err)
	lines := strings.SplitN(string(raw), "\n", 3)
	data, err := strconv.Unquote(strings.TrimSuffix(strings.TrimPrefix(lines[1], "[]byte("), ")"))
	require.NoError(t, err)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	r, err := capture.NewReader(strings.NewReader(data), nil)
	require.NoError(t, err)
	for r.Next() {
	}
	runtime.ReadMemStats(&after)
	var ce *capture.Error
	require.ErrorAs(t, r.Err(), &ce)
	assert.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(4<<20))
}
