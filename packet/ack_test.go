package packet

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestACKDecodeGolden(t *testing.T) {
	tests := []struct {
		name  string
		data  []byte
		ackNo uint32
		want  ACK
	}{
		{"light", goldenACKLight, 0, ACK{Variant: ACKLight, LastAckSeq: 1311403639}},
		{"small", goldenACKSmall, 3, ACK{Variant: ACKSmall, LastAckSeq: 1311403732, RTT: 203, RTTVar: 96, AvailBuf: 8034}},
		{"full", goldenACKFull, 2, ACK{Variant: ACKFull, LastAckSeq: 2017000983, RTT: 111, RTTVar: 55, AvailBuf: 8181,
			PktRate: 0, Bandwidth: 1000, RecvRate: 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var p Packet
			require.NoError(t, p.Decode(tt.data))
			assert.Equal(t, TypeACK, p.Type)
			assert.Equal(t, tt.ackNo, p.Info)
			assert.Equal(t, tt.want, p.ACK)
			assert.Equal(t, len(tt.data)-HeaderSize, p.ACK.Variant.Size())
			out, err := p.AppendBinary(nil)
			require.NoError(t, err)
			assert.Equal(t, tt.data, out)
		})
	}
}

func TestACKVariantsByLength(t *testing.T) {
	cif := make([]byte, 40)
	for i := range cif {
		cif[i] = byte(i + 1)
	}
	for n := 0; n <= len(cif); n++ {
		var a ACK
		err := a.Decode(cif[:n])
		if n < 4 {
			assert.ErrorIs(t, err, ErrTruncated, "len %d", n)
			assert.Equal(t, ACK{}, a)
			continue
		}
		require.NoError(t, err, "len %d", n)
		want := ACKLight
		switch {
		case n >= 32:
			want = ACKFull32
		case n >= 28:
			want = ACKFull
		case n >= 24:
			want = ACKFull24
		case n >= 16:
			want = ACKSmall
		}
		assert.Equal(t, want, a.Variant, "len %d", n)
		assert.Equal(t, n-want.Size(), len(a.Extra), "len %d", n)
		if n == want.Size() {
			assert.Nil(t, a.Extra, "len %d", n)
		}
		assert.Equal(t, n, a.MarshalSize())
		out, err := a.AppendBinary(nil)
		require.NoError(t, err)
		assert.Equal(t, cif[:n], out, "len %d round trip", n)
	}
}

func TestACKFieldsPerVariant(t *testing.T) {
	full := ACK{LastAckSeq: 1, RTT: 2, RTTVar: 3, AvailBuf: 4, PktRate: 5, Bandwidth: 6, RecvRate: 7, XmRate: 8}
	want := map[ACKVariant]ACK{
		ACKLight:  {Variant: ACKLight, LastAckSeq: 1},
		ACKSmall:  {Variant: ACKSmall, LastAckSeq: 1, RTT: 2, RTTVar: 3, AvailBuf: 4},
		ACKFull24: {Variant: ACKFull24, LastAckSeq: 1, RTT: 2, RTTVar: 3, AvailBuf: 4, PktRate: 5, Bandwidth: 6},
		ACKFull:   {Variant: ACKFull, LastAckSeq: 1, RTT: 2, RTTVar: 3, AvailBuf: 4, PktRate: 5, Bandwidth: 6, RecvRate: 7},
		ACKFull32: {Variant: ACKFull32, LastAckSeq: 1, RTT: 2, RTTVar: 3, AvailBuf: 4, PktRate: 5, Bandwidth: 6, RecvRate: 7, XmRate: 8},
	}
	for v, w := range want {
		a := full
		a.Variant = v
		out, err := a.AppendBinary(nil)
		require.NoError(t, err)
		require.Len(t, out, v.Size())
		var got ACK
		require.NoError(t, got.Decode(out))
		assert.Equal(t, w, got, v.String())
	}
}

func TestACKBadVariant(t *testing.T) {
	for _, v := range []ACKVariant{0, 6, 255} {
		a := ACK{Variant: v}
		out, err := a.AppendBinary([]byte{1})
		assert.ErrorIs(t, err, ErrFieldRange)
		assert.Equal(t, []byte{1}, out)
		assert.Zero(t, v.Size())
	}
	p := Packet{Header: Header{Control: true, Type: TypeACK}}
	out, err := p.AppendBinary([]byte{9})
	assert.ErrorIs(t, err, ErrFieldRange)
	assert.Equal(t, []byte{9}, out, "no partial header left behind")
}
