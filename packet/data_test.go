package packet

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestFEC(t *testing.T) {
	var p Packet
	require.NoError(t, p.Decode(goldenFEC))
	assert.True(t, p.IsFEC())
	assert.Equal(t, MsgNumberControl, p.MsgNo)
	h, xor, err := p.FEC()
	require.NoError(t, err)
	assert.Equal(t, FECHeader{Index: -1}, h, "a row FEC packet")
	assert.Equal(t, goldenFEC[HeaderSize+FECHeaderSize:], xor)
	assert.Equal(t, len(xor), cap(xor))

	// A column packet with a length and key XOR.
	b := hx("4a0800ea c0000000 0000a767 036fc9d9 | 03 02 0524 aabb")
	require.NoError(t, p.Decode(b))
	h, xor, err = p.FEC()
	require.NoError(t, err)
	assert.Equal(t, FECHeader{Index: 3, KeyXor: 2, LengthXor: 0x0524}, h)
	assert.Equal(t, []byte{0xaa, 0xbb}, xor)
	assert.Equal(t, b[HeaderSize:HeaderSize+FECHeaderSize], AppendFECHeader(nil, h))

	// Too short.
	require.NoError(t, p.Decode(b[:HeaderSize+3]))
	_, _, err = p.FEC()
	assert.ErrorIs(t, err, ErrTruncated)

	// Not FEC: msgno != 0, or not solo, or control.
	for _, g := range [][]byte{goldenData, goldenACKFull, hx("00000001 80000000 00000000 00000000 00000000")} {
		require.NoError(t, p.Decode(g))
		assert.False(t, p.IsFEC())
		_, _, err = p.FEC()
		assert.ErrorIs(t, err, ErrNotFEC)
	}
}
