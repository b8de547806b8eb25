package fuzz

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

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
