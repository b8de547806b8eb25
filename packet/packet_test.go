package packet

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/srtwire/srtwire/handshake"
)

func TestPacketRoundTripGoldens(t *testing.T) {
	for _, g := range goldens {
		t.Run(g.name, func(t *testing.T) {
			var p Packet
			require.NoError(t, p.Decode(g.b))
			assert.Equal(t, len(g.b), p.MarshalSize())
			out, err := p.AppendBinary(nil)
			require.NoError(t, err)
			assert.Equal(t, g.b, out)

			// Appending after existing bytes keeps them.
			out, err = p.AppendBinary([]byte("xy"))
			require.NoError(t, err)
			assert.Equal(t, append([]byte("xy"), g.b...), out)
		})
	}
}

func TestPacketDecodeData(t *testing.T) {
	var p Packet
	require.NoError(t, p.Decode(goldenData))
	assert.False(t, p.Control)
	assert.Equal(t, SeqNumber(1311403525), p.Seq)
	assert.Equal(t, PositionSolo, p.Position)
	assert.Equal(t, MsgNumber(1), p.MsgNo)
	assert.Equal(t, []byte("SRTCORPUS "), p.Payload)
	assert.Equal(t, len(p.Payload), cap(p.Payload), "payload is a three-index slice")
	assert.False(t, p.IsFEC())

	// The payload is a view: it sees changes to the input.
	b := append([]byte(nil), goldenData...)
	require.NoError(t, p.Decode(b))
	b[HeaderSize] = 'X'
	assert.Equal(t, byte('X'), p.Payload[0])

	// An empty payload is fine.
	require.NoError(t, p.Decode(goldenData[:HeaderSize]))
	assert.NotNil(t, p.Payload)
	assert.Empty(t, p.Payload)
}

func TestPacketDecodeHandshake(t *testing.T) {
	var p Packet
	require.NoError(t, p.Decode(goldenInduction))
	assert.Equal(t, TypeHandshake, p.Type)
	assert.Equal(t, uint32(4), p.Handshake.Version)
	assert.Equal(t, uint16(2), p.Handshake.Extension)
	assert.Equal(t, handshake.Type(1), p.Handshake.Type)
	assert.Equal(t, uint32(0x7838fe0d), p.Handshake.ISN)
	assert.Equal(t, uint32(0x0e0be340), p.Handshake.SocketID)
	assert.Equal(t, "127.0.0.1", p.Handshake.PeerAddr().String())
	assert.Empty(t, p.Handshake.Ext)

	require.NoError(t, p.Decode(goldenConclusion))
	assert.Equal(t, handshake.Type(-1), p.Handshake.Type)
	assert.Equal(t, goldenConclusion[HeaderSize+handshake.CIFSize:], p.Handshake.Ext)

	// A CIF shorter than 48 bytes: the handshake package's error, header kept.
	err := p.Decode(goldenInduction[:HeaderSize+47])
	assert.ErrorIs(t, err, handshake.ErrTruncated)
	assert.True(t, p.Control)
	assert.Equal(t, TypeHandshake, p.Type)
	assert.Equal(t, uint32(0xf6), p.Timestamp)

	// An extension block that claims more than is left.
	bad := append([]byte(nil), goldenConclusion...)
	bad[len(bad)-13] = 9 // HSREQ block length 3 -> 9 words
	err = p.Decode(bad)
	assert.ErrorIs(t, err, handshake.ErrExtLength)
	assert.Equal(t, handshake.Type(-1), p.Handshake.Type, "fixed part kept")
}

func TestPacketEmptyTypes(t *testing.T) {
	for _, ct := range []ControlType{TypeKeepalive, TypeCongestionWarning, TypeShutdown, TypeACKACK, TypePeerError} {
		t.Run(ct.String(), func(t *testing.T) {
			hdr := []byte{0x80, byte(ct), 0, 0, 0, 0, 0, 9, 0, 0, 0, 1, 0, 0, 0, 2}
			for _, cifLen := range []int{0, 4, 8, 3} {
				b := append(append([]byte(nil), hdr...), make([]byte, cifLen)...)
				var p Packet
				require.NoError(t, p.Decode(b))
				assert.Equal(t, ct, p.Type)
				assert.Equal(t, uint32(9), p.Info)
				require.NotNil(t, p.CIF)
				assert.Len(t, p.CIF, cifLen)
				out, err := p.AppendBinary(nil)
				require.NoError(t, err)
				assert.Equal(t, b, out, "CIF length %d round trip", cifLen)
			}
			// Built with a nil CIF: libsrt's 4 zero bytes.
			p := Packet{Header: Header{Control: true, Type: ct, Info: 9, Timestamp: 1, DstSocket: 2}}
			assert.Equal(t, 20, p.MarshalSize())
			out, err := p.AppendBinary(nil)
			require.NoError(t, err)
			assert.Equal(t, append(append([]byte(nil), hdr...), 0, 0, 0, 0), out)
			// Built with an empty non-nil CIF: no CIF at all.
			p.CIF = []byte{}
			assert.Equal(t, 16, p.MarshalSize())
			out, err = p.AppendBinary(nil)
			require.NoError(t, err)
			assert.Equal(t, hdr, out)
		})
	}
}

func TestPacketPeerError(t *testing.T) {
	var p Packet
	require.NoError(t, p.Decode(goldenPeerError))
	assert.Equal(t, TypePeerError, p.Type)
	assert.Equal(t, uint32(PeerErrorFile), p.Info)
	assert.Equal(t, []byte{0, 0, 0, 0}, p.CIF)
}

func TestPacketUnknownType(t *testing.T) {
	b := hx("80090000 00000001 00000002 00000003 | 01020304 05")
	var p Packet
	require.NoError(t, p.Decode(b))
	assert.Equal(t, ControlType(9), p.Type)
	assert.Equal(t, []byte{1, 2, 3, 4, 5}, p.CIF)
	assert.Equal(t, len(p.CIF), cap(p.CIF))
	out, err := p.AppendBinary(nil)
	require.NoError(t, err)
	assert.Equal(t, b, out)

	// A nil CIF on a non-empty type writes nothing.
	p.CIF = nil
	out, err = p.AppendBinary(nil)
	require.NoError(t, err)
	assert.Equal(t, b[:HeaderSize], out)
}

func TestPacketDecodeResets(t *testing.T) {
	var p Packet
	require.NoError(t, p.Decode(goldenACKFull))
	require.NoError(t, p.Decode(goldenNAKRange))
	assert.Equal(t, ACK{}, p.ACK)
	require.NoError(t, p.Decode(goldenConclusion))
	assert.Equal(t, NAK{}, p.NAK)
	require.NoError(t, p.Decode(goldenKeepalive))
	assert.Equal(t, handshake.Handshake{}, p.Handshake)
	require.NoError(t, p.Decode(goldenData))
	assert.Nil(t, p.CIF)
	assert.False(t, p.Control)
	assert.Zero(t, p.Type)
	require.NoError(t, p.Decode(goldenKeepalive))
	assert.Nil(t, p.Payload)
	assert.Zero(t, p.Seq)
	assert.ErrorIs(t, p.Decode(nil), ErrTruncated)
	assert.Equal(t, Packet{}, p)
}

func TestPacketClone(t *testing.T) {
	for _, g := range goldens {
		b := append([]byte(nil), g.b...)
		var p Packet
		require.NoError(t, p.Decode(b))
		c := p.Clone()
		require.Equal(t, &p, c, g.name)
		for i := range b {
			b[i] ^= 0xFF
		}
		out, err := c.AppendBinary(nil)
		require.NoError(t, err)
		assert.Equal(t, g.b, out, "%s: clone survives changes to the input", g.name)
	}
	// Nil stays nil, empty stays empty.
	p := Packet{Header: Header{Control: true, Type: TypeKeepalive}, CIF: []byte{}}
	c := p.Clone()
	assert.NotNil(t, c.CIF)
	assert.Nil(t, c.Payload)
	assert.Nil(t, c.Handshake.Ext)
}

// minLen is the shortest prefix of a golden datagram that can decode
// without error; every shorter prefix must fail.
func minLen(p *Packet) int {
	if !p.Control {
		return HeaderSize
	}
	switch p.Type {
	case TypeHandshake:
		return HeaderSize + handshake.CIFSize
	case TypeACK:
		return HeaderSize + 4
	case TypeDropReq:
		return HeaderSize + DropReqSize
	}
	return HeaderSize
}

// TestPrefixes decodes every prefix of every golden datagram.
func TestPrefixes(t *testing.T) {
	for _, g := range goldens {
		checkPrefixes(t, g.name, g.b)
	}
}

// checkPrefixes decodes every prefix of b, a datagram that decodes, with
// the capacity cut to the prefix so that a read past the end would panic.
// Prefixes shorter than the fixed part of the packet's kind must fail; the
// header of a prefix of 16 bytes or more must be kept even on error; a
// prefix that decodes must re-encode to exactly itself.
func checkPrefixes(t *testing.T, name string, full []byte) {
	t.Helper()
	var whole Packet
	require.NoError(t, whole.Decode(full), name)
	min := minLen(&whole)
	var p Packet
	for i := 0; i < len(full); i++ {
		b := append([]byte(nil), full[:i]...)
		b = b[:i:i]
		err := p.Decode(b)
		if i < min {
			require.Error(t, err, "%s: prefix %d must fail", name, i)
		}
		if i >= HeaderSize {
			require.Equal(t, whole.Header, p.Header, "%s: prefix %d: header kept", name, i)
		} else {
			require.ErrorIs(t, err, ErrTruncated, "%s: prefix %d", name, i)
		}
		if err != nil {
			continue
		}
		out, err := p.AppendBinary(nil)
		require.NoError(t, err, "%s: prefix %d", name, i)
		require.Equal(t, b, out, "%s: prefix %d", name, i)
		// The typed accessors reject a cut key-material message.
		if p.Type == TypeUserDefined && (p.Subtype == SubtypeKMReq || p.Subtype == SubtypeKMRsp) && len(p.CIF) != 4 {
			var km handshake.KeyMaterial
			require.Error(t, p.KeyMaterial(&km), "%s: prefix %d", name, i)
		}
	}
}

func TestPacketAppendErrorsLeaveBufferAlone(t *testing.T) {
	buf := []byte("abc")
	cases := []Packet{
		{Header: Header{Seq: MaxSeqNumber + 1}},
		{Header: Header{Control: true, Type: TypeACK}}, // no variant
		{Header: Header{Control: true, Type: TypeNAK}, NAK: NAK{List: hx("80000001")}},
		{Header: Header{Control: true, Type: TypeNAK}, NAK: NAK{List: hx("80000009 00000001")}},
	}
	for i, p := range cases {
		out, err := p.AppendBinary(buf)
		assert.Error(t, err, "case %d", i)
		assert.Equal(t, []byte("abc"), out, "case %d", i)
		assert.Equal(t, 3, len(out))
	}
}

func TestErrorsAreDistinct(t *testing.T) {
	errs := []error{ErrTruncated, ErrBadLength, ErrNAKDanglingRange, ErrNAKBadRange, ErrFieldRange, ErrWrongType, ErrNotFEC}
	for i, a := range errs {
		for j, b := range errs {
			assert.Equal(t, i == j, errors.Is(a, b))
		}
		if a != ErrTruncated {
			assert.Contains(t, a.Error(), "packet: ")
		}
	}
	// One ErrTruncated for both codec packages.
	assert.Same(t, handshake.ErrTruncated, ErrTruncated)
	var p Packet
	assert.ErrorIs(t, p.Decode(make([]byte, 10)), handshake.ErrTruncated)
	hs := []byte{0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5}
	assert.ErrorIs(t, p.Decode(hs), ErrTruncated, "a short handshake CIF")
}
