package packet

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/srtwire/srtwire/handshake"
)

func TestUserKMReq(t *testing.T) {
	var p Packet
	require.NoError(t, p.Decode(goldenKMReq))
	assert.Equal(t, TypeUserDefined, p.Type)
	assert.Equal(t, SubtypeKMReq, p.Subtype)
	assert.Len(t, p.CIF, 72)
	assert.False(t, p.IsKMState())

	var km handshake.KeyMaterial
	require.NoError(t, p.KeyMaterial(&km))
	assert.Equal(t, handshake.KeyBoth, km.Keys)
	assert.Equal(t, handshake.CipherAESCTR, km.Cipher)
	assert.Equal(t, 16, km.KeyLen)
	assert.Equal(t, 16, km.SaltLen)
	assert.Len(t, km.WrappedKeys, 8+2*16)

	_, err := p.KMState()
	assert.ErrorIs(t, err, ErrWrongType, "a KMREQ has no state")
	var r handshake.HSReq
	assert.ErrorIs(t, p.HSReq(&r), ErrWrongType)

	// The KMRSP echo decodes the same way.
	rsp := append([]byte(nil), goldenKMReq...)
	rsp[3] = byte(SubtypeKMRsp)
	require.NoError(t, p.Decode(rsp))
	require.NoError(t, p.KeyMaterial(&km))
	assert.Equal(t, handshake.KeyBoth, km.Keys)
	out, err := p.AppendBinary(nil)
	require.NoError(t, err)
	assert.Equal(t, rsp, out)
}

func TestUserKMState(t *testing.T) {
	// UMSG_EXT KMRSP carrying a failure: BADSECRET, little-endian as libsrt
	// writes it on x86.
	b := hx("ffff0004 00000000 00000010 00000020 | 04000000")
	var p Packet
	require.NoError(t, p.Decode(b))
	assert.True(t, p.IsKMState())
	st, err := p.KMState()
	require.NoError(t, err)
	assert.Equal(t, handshake.KMBadSecret, st)
	var km handshake.KeyMaterial
	assert.Error(t, p.KeyMaterial(&km))

	p.CIF = hx("04000000 00000000")
	_, err = p.KMState()
	assert.ErrorIs(t, err, ErrBadLength)
	assert.False(t, p.IsKMState())
}

func TestUserHSReq(t *testing.T) {
	for _, cif := range []string{"00010501 000000bf 00780000", "00010200 00000025"} {
		b := hx("ffff0001 00000000 00000001 00000002 |" + cif)
		var p Packet
		require.NoError(t, p.Decode(b))
		var r handshake.HSReq
		require.NoError(t, p.HSReq(&r))
		if len(p.CIF) == 12 {
			assert.Equal(t, uint16(120), r.RecvDelay)
		} else {
			assert.Zero(t, r.RecvDelay, "an 8-byte HSv4 HSREQ has no delays")
			assert.Equal(t, handshake.SRTFlags(0x25), r.Flags)
		}
		out, err := p.AppendBinary(nil)
		require.NoError(t, err)
		assert.Equal(t, b, out)
	}
	// HSRSP too.
	b := hx("ffff0002 00000000 00000001 00000002 | 00010501 000000bf 00780078")
	var p Packet
	require.NoError(t, p.Decode(b))
	var r handshake.HSReq
	require.NoError(t, p.HSReq(&r))
	assert.Equal(t, uint16(120), r.SendDelay)
	assert.Equal(t, handshake.SRTFlags(0xbf), r.Flags)

	// Too short, too long, wrong kind.
	p.CIF = hx("00010501")
	assert.ErrorIs(t, p.HSReq(&r), handshake.ErrTruncated)
	p.CIF = make([]byte, handshake.KMMaxSize+4)
	assert.ErrorIs(t, p.HSReq(&r), ErrBadLength)
	require.NoError(t, p.Decode(goldenData))
	assert.ErrorIs(t, p.HSReq(&r), ErrWrongType)
	var km handshake.KeyMaterial
	assert.ErrorIs(t, p.KeyMaterial(&km), ErrWrongType)
	_, err := p.KMState()
	assert.ErrorIs(t, err, ErrWrongType)
}

func TestUserUnknownSubtype(t *testing.T) {
	b := hx("ffff0009 00000000 00000001 00000002 | 0102")
	var p Packet
	require.NoError(t, p.Decode(b))
	assert.Equal(t, Subtype(9), p.Subtype)
	assert.Equal(t, []byte{1, 2}, p.CIF)
	out, err := p.AppendBinary(nil)
	require.NoError(t, err)
	assert.Equal(t, b, out)
}
