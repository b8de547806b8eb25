package packet

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/srtwire/srtwire/handshake"
)

// TestDecodeAllocs: decoding every kind of packet, the accessors and the
// NAK walk allocate nothing; nor does rejecting garbage.
func TestDecodeAllocs(t *testing.T) {
	var p Packet
	var h Header
	inputs := make([][]byte, 0, len(goldens)+4)
	for _, g := range goldens {
		inputs = append(inputs, g.b)
	}
	inputs = append(inputs,
		hx("80070000 00000007 00000100 00000042 | 0000000a 0000000c"),             // DROPREQ
		hx("ffff0004 00000000 00000010 00000020 | 04000000"),                      // KMRSP state
		hx("80030000 00000000 00000000 00000000 | 00000001 80000005"),             // dangling NAK
		hx("80030000 00000000 00000000 00000000 | 00000064 800000c8 000000d2 05"), // NAK
		hx("80020000 00000000 00000000 00000000 | 0102"),                          // truncated ACK
		hx("800000"), // truncated header
		hx("80000000 00000000 00000000 00000000 | 0000"), // truncated handshake
	)
	for _, in := range inputs {
		allocs := testing.AllocsPerRun(100, func() {
			_ = p.Decode(in)
			_, _ = h.Decode(in)
			c := p.NAK.Losses()
			for c.Next() {
				_, _ = c.Range()
			}
			_ = c.Err()
			_ = p.NAK.Count()
			_ = p.IsFEC()
			_, _, _ = p.FEC()
			_ = p.DropMsgNo()
			var km handshake.KeyMaterial
			_ = p.KeyMaterial(&km)
			var r handshake.HSReq
			_ = p.HSReq(&r)
			_, _ = p.KMState()
		})
		require.Zero(t, allocs, "%x", in)
	}
}

// TestEncodeAllocs: encoding every kind into a buffer with room allocates
// nothing; nor do the loss-list builders.
func TestEncodeAllocs(t *testing.T) {
	buf := make([]byte, 0, 2048)
	var p Packet
	for _, g := range goldens {
		require.NoError(t, p.Decode(g.b))
		allocs := testing.AllocsPerRun(100, func() {
			out, err := p.AppendBinary(buf[:0])
			if err != nil || len(out) != len(g.b) {
				panic("encode")
			}
			_, _ = p.Header.AppendBinary(buf[:0])
			_ = p.MarshalSize()
		})
		require.Zero(t, allocs, g.name)
	}
	built := []Packet{
		{Header: Header{Control: true, Type: TypeKeepalive}},
		{Header: Header{Control: true, Type: TypeACK, Info: 1}, ACK: ACK{Variant: ACKFull, LastAckSeq: 5}},
		{Header: Header{Control: true, Type: TypeDropReq, Info: 1}, DropReq: DropReq{First: 1, Last: 2}},
	}
	for _, q := range built {
		allocs := testing.AllocsPerRun(100, func() {
			_, _ = q.AppendBinary(buf[:0])
		})
		require.Zero(t, allocs, q.Type.String())
	}
	seqs := []SeqNumber{1, 2, 3, 7, 9, 10}
	allocs := testing.AllocsPerRun(100, func() {
		out, _ := AppendLossList(buf[:0], seqs...)
		out, _ = AppendLossList(out, 100, 101, 200)
		_, _ = AppendLossRange(out, 300, 310)
		_ = AppendFECHeader(buf[:0], FECHeader{Index: -1})
	})
	require.Zero(t, allocs)
}

// TestStringAllocs: the String methods of the enums of known values do not
// allocate either.
func TestStringAllocs(t *testing.T) {
	allocs := testing.AllocsPerRun(100, func() {
		_ = TypeACK.String()
		_ = TypeUserDefined.String()
		_ = PositionSolo.String()
		_ = handshake.KeyOdd.String()
		_ = SubtypeKMRsp.String()
		_ = ACKFull.String()
	})
	require.Zero(t, allocs)
}
