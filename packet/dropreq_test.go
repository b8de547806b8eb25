package packet

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDropReq(t *testing.T) {
	// DROPREQ, msgno 7 in Info, first 10, last 12. (The corpus has none:
	// libsrt 1.5.1 did not send one in any capture.)
	b := hx("80070000 00000007 00000100 00000042 | 0000000a 0000000c")
	var p Packet
	require.NoError(t, p.Decode(b))
	assert.Equal(t, TypeDropReq, p.Type)
	assert.Equal(t, MsgNumber(7), p.DropMsgNo())
	assert.Equal(t, DropReq{First: 10, Last: 12}, p.DropReq)
	out, err := p.AppendBinary(nil)
	require.NoError(t, err)
	assert.Equal(t, b, out)

	// The message number is read with the 26-bit data mask.
	p.Info = 0xFC000005
	assert.Equal(t, MsgNumber(5), p.DropMsgNo())

	// Extra bytes are kept.
	b2 := append(append([]byte(nil), b...), 1, 2, 3)
	require.NoError(t, p.Decode(b2))
	assert.Equal(t, []byte{1, 2, 3}, p.DropReq.Extra)
	assert.Equal(t, len(b2), p.MarshalSize())
	out, err = p.AppendBinary(nil)
	require.NoError(t, err)
	assert.Equal(t, b2, out)

	// Fewer than 8 bytes: truncated, header kept.
	for n := HeaderSize; n < HeaderSize+DropReqSize; n++ {
		err := p.Decode(b[:n])
		assert.ErrorIs(t, err, ErrTruncated)
		assert.Equal(t, TypeDropReq, p.Type)
		assert.Equal(t, uint32(7), p.Info)
		assert.Equal(t, DropReq{}, p.DropReq)
	}
}
