package packet

import (
	"testing"

	"github.com/srtwire/srtwire/handshake"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestHeaderDecode(t *testing.T) {
	tests := []struct {
		name string
		data []byte
		want Header
	}{
		{
			name: "data solo",
			data: goldenData,
			want: Header{Seq: 1311403525, Position: PositionSolo, MsgNo: 1, Timestamp: 1292, DstSocket: 0x1e75ff63},
		},
		{
			name: "data first in-order",
			data: goldenDataFirst,
			want: Header{Seq: 1061932407, Position: PositionFirst, InOrder: true, MsgNo: 1, Timestamp: 1896, DstSocket: 0x342119fc},
		},
		{
			name: "data retransmitted",
			data: goldenDataRexmit,
			want: Header{Seq: 2095720805, Position: PositionSolo, Retransmitted: true, MsgNo: 6, Timestamp: 52315, DstSocket: 0x03b09030},
		},
		{
			name: "data odd key",
			data: goldenDataOdd,
			want: Header{Seq: 1250402378, Position: PositionSolo, Key: handshake.KeyOdd, MsgNo: 130, Timestamp: 669161, DstSocket: 0x2205a53f},
		},
		{
			name: "every data bit",
			// seq 0x7FFFFFFF | PP=01 O=1 KK=11 R=1 msgno=0x3FFFFFF
			data: hx("7fffffff 7fffffff ffffffff ffffffff"),
			want: Header{Seq: MaxSeqNumber, Position: PositionLast, InOrder: true, Key: 3, Retransmitted: true,
				MsgNo: MaxMsgNumber, Timestamp: 0xffffffff, DstSocket: 0xffffffff},
		},
		{
			name: "middle",
			data: hx("00000000 00000000 00000000 00000000"),
			want: Header{Position: PositionMiddle},
		},
		{
			name: "full ACK",
			data: goldenACKFull,
			want: Header{Control: true, Type: TypeACK, Info: 2, Timestamp: 0x0002ed9d, DstSocket: 0x0e0be340},
		},
		{
			name: "UMSG_EXT KMREQ",
			data: goldenKMReq,
			want: Header{Control: true, Type: TypeUserDefined, Subtype: SubtypeKMReq, Timestamp: 0x0007a327, DstSocket: 0x2205a53f},
		},
		{
			name: "unknown type with subtype",
			// F=1, type 0x1234, subtype 0xabcd, info 0xdeadbeef
			data: hx("9234abcd deadbeef 00000001 00000002"),
			want: Header{Control: true, Type: 0x1234, Subtype: 0xabcd, Info: 0xdeadbeef, Timestamp: 1, DstSocket: 2},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := Header{Seq: 99, Type: 5, Info: 7, Key: 1} // junk that Decode must clear
			n, err := h.Decode(tt.data)
			require.NoError(t, err)
			assert.Equal(t, HeaderSize, n)
			assert.Equal(t, tt.want, h)

			out, err := h.AppendBinary(nil)
			require.NoError(t, err)
			assert.Equal(t, tt.data[:HeaderSize], out)
			assert.Equal(t, HeaderSize, h.MarshalSize())
		})
	}
}

func TestHeaderDecodeTruncated(t *testing.T) {
	for i := 0; i < HeaderSize; i++ {
		h := Header{Seq: 5, Control: true}
		n, err := h.Decode(goldenData[:i])
		assert.ErrorIs(t, err, ErrTruncated, "len %d", i)
		assert.Zero(t, n)
		assert.Equal(t, Header{}, h, "Decode must reset h")
	}
}

func TestHeaderAppendFieldRange(t *testing.T) {
	bad := []Header{
		{Seq: MaxSeqNumber + 1},
		{MsgNo: MaxMsgNumber + 1},
		{Position: 4},
		{Key: 4},
		{Control: true, Type: 0x8000},
	}
	prefix := []byte("keep")
	for _, h := range bad {
		out, err := h.AppendBinary(prefix)
		assert.ErrorIs(t, err, ErrFieldRange, "%+v", h)
		assert.Equal(t, []byte("keep"), out, "output unchanged on error")
	}
	// Fields of the other kind are ignored.
	h := Header{Control: true, Type: TypeKeepalive, Seq: MaxSeqNumber + 7, MsgNo: 0xFFFFFFFF}
	out, err := h.AppendBinary(nil)
	require.NoError(t, err)
	assert.Equal(t, hx("80010000 00000000 00000000 00000000"), out)
	h = Header{Seq: 1, Type: 0xFFFF, Info: 9, Subtype: 3}
	out, err = h.AppendBinary(nil)
	require.NoError(t, err)
	assert.Equal(t, hx("00000001 00000000 00000000 00000000"), out)
}

func TestEnumStrings(t *testing.T) {
	assert.Equal(t, "first", PositionFirst.String())
	assert.Equal(t, "middle", PositionMiddle.String())
	assert.Equal(t, "last", PositionLast.String())
	assert.Equal(t, "solo", PositionSolo.String())
	assert.Equal(t, "Position(4)", Position(4).String())

	assert.Equal(t, "none", handshake.KeyNone.String())
	assert.Equal(t, "even", handshake.KeyEven.String())
	assert.Equal(t, "odd", handshake.KeyOdd.String())
	assert.Equal(t, "both", handshake.KeyFlags(3).String(), "one key-flag type for data headers and KM messages")

	names := map[ControlType]string{
		TypeHandshake: "HANDSHAKE", TypeKeepalive: "KEEPALIVE", TypeACK: "ACK", TypeNAK: "NAK",
		TypeCongestionWarning: "CGWARNING", TypeShutdown: "SHUTDOWN", TypeACKACK: "ACKACK",
		TypeDropReq: "DROPREQ", TypePeerError: "PEERERROR", TypeUserDefined: "UMSG_EXT",
		9: "ControlType(9)", 0x7ffe: "ControlType(32766)",
	}
	for ct, s := range names {
		assert.Equal(t, s, ct.String())
	}

	assert.Equal(t, "NONE", Subtype(0).String())
	assert.Equal(t, "HSREQ", SubtypeHSReq.String())
	assert.Equal(t, "HSRSP", SubtypeHSRsp.String())
	assert.Equal(t, "KMREQ", SubtypeKMReq.String())
	assert.Equal(t, "KMRSP", SubtypeKMRsp.String())
	assert.Equal(t, "Subtype(5)", Subtype(5).String())

	for v, s := range map[ACKVariant]string{
		ACKLight: "light", ACKSmall: "small", ACKFull24: "full24", ACKFull: "full", ACKFull32: "full32",
		0: "ACKVariant(0)", 6: "ACKVariant(6)",
	} {
		assert.Equal(t, s, v.String())
	}
}

func TestControlTypeIsEmpty(t *testing.T) {
	for ct := ControlType(0); ct <= 9; ct++ {
		want := ct == TypeKeepalive || ct == TypeCongestionWarning || ct == TypeShutdown || ct == TypeACKACK || ct == TypePeerError
		assert.Equal(t, want, ct.IsEmpty(), ct.String())
	}
	assert.False(t, TypeUserDefined.IsEmpty())
}
