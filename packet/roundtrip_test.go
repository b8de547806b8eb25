package packet

import (
	"encoding/binary"
	"math/rand"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/srtwire/srtwire/handshake"
)

func randBytes(rng *rand.Rand, n int) []byte {
	b := make([]byte, n)
	rng.Read(b)
	return b
}

// randPacket builds a random valid packet. Slices are non-nil (an empty
// one where there are no bytes) exactly where Decode makes them so, so that
// Decode(Encode(p)) can be compared with p as a whole.
func randPacket(rng *rand.Rand) Packet {
	var p Packet
	p.Timestamp = rng.Uint32()
	p.DstSocket = rng.Uint32()
	kind := rng.Intn(10)
	if kind == 0 {
		p.Seq = SeqNumber(rng.Uint32()) & MaxSeqNumber
		p.Position = Position(rng.Intn(4))
		p.InOrder = rng.Intn(2) == 0
		p.Key = handshake.KeyFlags(rng.Intn(4))
		p.Retransmitted = rng.Intn(2) == 0
		p.MsgNo = MsgNumber(rng.Uint32()) & MaxMsgNumber
		p.Payload = randBytes(rng, rng.Intn(1500))
		return p
	}
	p.Control = true
	switch kind {
	case 1:
		p.Type = TypeHandshake
		h := &p.Handshake
		h.Version = rng.Uint32()
		h.Encryption = uint16(rng.Uint32())
		h.Extension = uint16(rng.Uint32())
		h.ISN = rng.Uint32()
		h.MTU = rng.Uint32()
		h.FlowWindow = rng.Uint32()
		h.Type = handshake.Type(rng.Int31())
		h.SocketID = rng.Uint32()
		h.Cookie = rng.Uint32()
		rng.Read(h.PeerIP[:])
		h.Ext = []byte{}
		for i := rng.Intn(4); i > 0; i-- {
			words := rng.Intn(8)
			h.Ext = binary.BigEndian.AppendUint16(h.Ext, uint16(rng.Intn(9)))
			h.Ext = binary.BigEndian.AppendUint16(h.Ext, uint16(words))
			h.Ext = append(h.Ext, randBytes(rng, 4*words)...)
		}
	case 2:
		p.Type = TypeACK
		p.Info = rng.Uint32()
		a := &p.ACK
		a.Variant = ACKVariant(1 + rng.Intn(5))
		a.LastAckSeq = SeqNumber(rng.Uint32())
		a.RTT, a.RTTVar, a.AvailBuf = rng.Uint32(), rng.Uint32(), rng.Uint32()
		a.PktRate, a.Bandwidth, a.RecvRate, a.XmRate = rng.Uint32(), rng.Uint32(), rng.Uint32(), rng.Uint32()
		// Zero what the variant does not carry; Decode leaves it zero.
		if a.Variant < ACKSmall {
			a.RTT, a.RTTVar, a.AvailBuf = 0, 0, 0
		}
		if a.Variant < ACKFull24 {
			a.PktRate, a.Bandwidth = 0, 0
		}
		if a.Variant < ACKFull {
			a.RecvRate = 0
		}
		if a.Variant < ACKFull32 {
			a.XmRate = 0
		}
		if a.Variant == ACKFull32 && rng.Intn(3) == 0 {
			a.Extra = randBytes(rng, 1+rng.Intn(16))
		}
	case 3:
		p.Type = TypeNAK
		var seqs []SeqNumber
		s := SeqNumber(rng.Uint32()) & MaxSeqNumber
		for i := rng.Intn(40); i > 0; i-- {
			seqs = append(seqs, s)
			s = s.Add(int32(1 + rng.Intn(3)))
		}
		list, err := AppendLossList([]byte{}, seqs...)
		if err != nil {
			panic(err)
		}
		p.NAK.List = list
	case 4:
		p.Type = TypeDropReq
		p.Info = rng.Uint32()
		p.DropReq.First = SeqNumber(rng.Uint32())
		p.DropReq.Last = SeqNumber(rng.Uint32())
		if rng.Intn(4) == 0 {
			p.DropReq.Extra = randBytes(rng, 1+rng.Intn(8))
		}
	case 5, 6:
		p.Type = []ControlType{TypeKeepalive, TypeCongestionWarning, TypeShutdown, TypeACKACK, TypePeerError}[rng.Intn(5)]
		p.Info = rng.Uint32()
		p.CIF = randBytes(rng, []int{0, 4, 4, 8, 3}[rng.Intn(5)])
	case 7, 8:
		p.Type = TypeUserDefined
		p.Subtype = Subtype(rng.Intn(6))
		p.Info = rng.Uint32()
		p.CIF = randBytes(rng, rng.Intn(handshake.KMMaxSize))
	default:
		p.Type = ControlType(9 + rng.Intn(0x7FFE-9))
		p.Subtype = Subtype(rng.Uint32())
		p.Info = rng.Uint32()
		p.CIF = randBytes(rng, rng.Intn(64))
	}
	return p
}

// TestRoundTripGenerated: Decode(Encode(p)) == p for generated packets.
func TestRoundTripGenerated(t *testing.T) {
	rng := rand.New(rand.NewSource(20241124))
	buf := make([]byte, 0, 2048)
	for i := 0; i < 20000; i++ {
		p := randPacket(rng)
		out, err := p.AppendBinary(buf[:0])
		require.NoError(t, err, "%d: %+v", i, p)
		require.Equal(t, p.MarshalSize(), len(out), "%d", i)
		var q Packet
		require.NoError(t, q.Decode(out), "%d: %x", i, out)
		require.Equal(t, p, q, "%d", i)
	}
}

// TestEncodeDecodeAnyBytes: any datagram that decodes without error
// re-encodes to exactly the same bytes. The inputs are random bytes and
// mutations of the golden datagrams.
func TestEncodeDecodeAnyBytes(t *testing.T) {
	rng := rand.New(rand.NewSource(7))
	var p Packet
	check := func(b []byte) {
		b = b[:len(b):len(b)]
		if err := p.Decode(b); err != nil {
			return
		}
		out, err := p.AppendBinary(nil)
		require.NoError(t, err, "%x", b)
		require.Equal(t, b, out, "%x", b)
		require.Equal(t, len(b), p.MarshalSize())
		var h Header
		_, err = h.Decode(b)
		require.NoError(t, err)
		require.Equal(t, h, p.Header, "Header.Decode and Packet.Decode agree")
		c := p.NAK.Losses()
		for c.Next() {
		}
		require.NoError(t, c.Err(), "a decoded NAK walks cleanly")
	}
	for i := 0; i < 20000; i++ {
		b := randBytes(rng, rng.Intn(120))
		if rng.Intn(2) == 0 && len(b) > 1 {
			b[0] |= 0x80 // control
			b[0] &= 0x80 | byte(rng.Intn(2))*0x7F
			b[1] = byte(rng.Intn(10))
		}
		check(b)
	}
	for _, g := range goldens {
		for i := 0; i < 3000; i++ {
			b := slices.Clone(g.b)
			for k := 1 + rng.Intn(4); k > 0; k-- {
				b[rng.Intn(len(b))] ^= byte(1 << rng.Intn(8))
			}
			if rng.Intn(3) == 0 {
				b = append(b, randBytes(rng, rng.Intn(9))...)
			}
			check(b)
		}
	}
}
