package packet

import (
	"encoding/binary"
	"errors"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/srtwire/srtwire/handshake"
	"github.com/srtwire/srtwire/internal/testcorpus"
)

// TestRecognizeCorpus: every control packet of every libsrt capture is
// recognised as SRT for sure, every data packet as maybe, and Kind agrees
// with the independent decode's type column.
func TestRecognizeCorpus(t *testing.T) {
	caps, err := testcorpus.Captures()
	require.NoError(t, err)
	n := 0
	for _, c := range caps {
		frames, err := testcorpus.Frames(c.Name)
		require.NoError(t, err)
		for _, f := range frames {
			var p Packet
			require.NoError(t, p.Decode(f.Payload), "%s frame %d", c.Name, f.Number)
			got := Recognize(f.Payload)
			if p.Control {
				assert.Equal(t, ConfidenceSure, got, "%s frame %d (%v)", c.Name, f.Number, p.Type)
			} else {
				assert.Equal(t, ConfidenceMaybe, got, "%s frame %d (data)", c.Name, f.Number)
			}
			n++
		}
	}
	assert.Greater(t, n, 2000)
}

func TestRecognizeNotSRT(t *testing.T) {
	dnsQuery := hx("12340100000100000000000003777777076578616d706c6503636f6d0000010001")
	rtp := hx("80e0000100000064deadbeef" + "00000000000000000000000000000000")
	quicLong := hx("c00000000108a1b2c3d4e5f6a7b8" + "00000000000000000000000000000000")
	// Common protocols may look like SRT data (only "maybe"), never like
	// an SRT control packet.
	for name, b := range map[string][]byte{"DNS query": dnsQuery, "RTP PT 96": rtp, "QUIC long header": quicLong} {
		assert.NotEqual(t, ConfidenceSure, Recognize(b), name)
	}
	cases := map[string][]byte{
		"empty":               nil,
		"15 bytes":            make([]byte, 15),
		"header only data":    hx("0000000180000001000000000000abcd"),
		"data to socket 0":    hx("00000001c000000100000000000000000102"),
		"data KK=3":           hx("00000001d800000100000000000000010102"),
		"data msgno 0 first":  hx("00000001800000000000000000000001" + "0102"),
		"ACK of 5 bytes":      hx("80020000000000010000000000000001" + "0000000100"),
		"NAK dangling range":  hx("80030000000000000000000000000001" + "80000005"),
		"KEEPALIVE with info": hx("80010000000000070000000000000001"),
		"handshake v3":        append(hx("80000000000000000000000000000000"), make([]byte, 48)...),
		"DROPREQ 4 bytes":     hx("80070000000000000000000000000001" + "00000001"),
		"UMSG subtype 9":      hx("ffff0009000000000000000000000001" + "00000000"),
		"KMREQ bad sign":      hx("ffff0003000000000000000000000001" + "12212900" + "0000000000000000"),
	}
	for name, b := range cases {
		assert.Equal(t, ConfidenceNone, Recognize(b), name)
	}
	// Random datagrams: a control packet by chance is all but impossible.
	r := rand.New(rand.NewPCG(1, 2))
	sure := 0
	for range 20000 {
		b := make([]byte, 16+r.IntN(200))
		for i := range b {
			b[i] = byte(r.Uint32())
		}
		if Recognize(b) == ConfidenceSure {
			sure++
		}
	}
	assert.Zero(t, sure, "random datagrams taken for SRT control packets")
}

// TestRecognizeHighSocketIDs: stacks that draw socket IDs from all 32 bits
// (gosrt) are recognised like libsrt.
func TestRecognizeHighSocketIDs(t *testing.T) {
	assert.Equal(t, ConfidenceSure, Recognize(hx("80010000000000000000000080000001"+"00000000")), "KEEPALIVE to 0x80000001")
	assert.Equal(t, ConfidenceSure, Recognize(hx("80020000"+"00000000"+"00000000"+"f2345678"+"00000005")), "light ACK to 0xf2345678")
	assert.Equal(t, ConfidenceMaybe, Recognize(hx("00000001c000000100000000c0000001"+"47")), "data to 0xc0000001")
}

func TestRecognizeAllocs(t *testing.T) {
	frames, err := testcorpus.Frames("s02_enc_kmrefresh")
	require.NoError(t, err)
	n := testing.AllocsPerRun(10, func() {
		for _, f := range frames {
			Recognize(f.Payload)
		}
	})
	assert.Zero(t, n)
}

func TestKind(t *testing.T) {
	cases := []struct {
		b    []byte
		want Kind
	}{
		{hx("00000001c00000010000000000000001" + "01"), KindData},
		{hx("00000001c00000000000000000000001" + "01020304"), KindFEC},
		{hx("80000000000000000000000000000001"), KindHandshake}, // a short CIF: Kind still says what it is
		{hx("80010000000000000000000000000001"), KindKeepalive},
		{hx("80020000000000010000000000000001" + "00000001"), KindACK},
		{hx("80030000000000000000000000000001" + "00000001"), KindNAK},
		{hx("80040000000000000000000000000001"), KindCGWarning},
		{hx("80050000000000000000000000000001"), KindShutdown},
		{hx("80060000000000010000000000000001"), KindACKACK},
		{hx("80070000000000010000000000000001" + "0000000100000002"), KindDropReq},
		{hx("80080000000000010000000000000001"), KindPeerError},
		{hx("ffff0001000000000000000000000001"), KindUserDefined},
		{hx("80090000000000000000000000000001"), KindUnknown},
	}
	for _, c := range cases {
		var p Packet
		_ = p.Decode(c.b)
		assert.Equal(t, c.want, p.Kind(), "%x", c.b)
		k, ok := ParseKind(c.want.String())
		assert.True(t, ok)
		assert.Equal(t, c.want, k)
	}
	assert.Len(t, Kinds(), 13)
	assert.Equal(t, "Kind(99)", Kind(99).String())
	// A data packet is never a handshake, although its Type field is 0.
	var p Packet
	require.NoError(t, p.Decode(cases[0].b))
	assert.Equal(t, TypeHandshake, p.Type)
	assert.NotEqual(t, KindHandshake, p.Kind())
}

func TestDetail(t *testing.T) {
	var p Packet
	assert.Nil(t, p.Detail(nil, nil))

	short := make([]byte, 9)
	e := p.Detail(short, p.Decode(short))
	require.NotNil(t, e)
	assert.Equal(t, "header", e.Field)
	assert.Equal(t, 9, e.Offset)
	assert.ErrorIs(t, e, ErrTruncated)
	assert.Contains(t, e.Error(), "9-byte datagram")

	// A handshake whose second extension claims 900 words.
	hs := handshake.Handshake{Version: 5, Type: handshake.Conclusion}
	cif, err := func() ([]byte, error) {
		b := handshake.NewBuilder(nil, &hs)
		b.AddString(handshake.ExtSID, "abcd")
		return b.Finish()
	}()
	require.NoError(t, err)
	cif = binary.BigEndian.AppendUint32(cif, uint32(handshake.ExtSID)<<16|900)
	cif = append(cif, make([]byte, 24)...)
	dg := append(hx("80000000000000000000000000000000"), cif...)
	e = p.Detail(dg, p.Decode(dg))
	require.NotNil(t, e)
	assert.Equal(t, "handshake extension", e.Field)
	assert.Equal(t, 16+48+8, e.Offset)
	assert.ErrorIs(t, e, handshake.ErrExtLength)
	assert.Equal(t, "handshake: extension 2 (SID): length 900 words exceeds the 24 bytes left", e.Error())
	var de *DecodeError
	assert.True(t, errors.As(error(e), &de))

	nak := hx("80030000000000000000000000000001" + "00000001" + "80000009" + "00000003")
	e = p.Detail(nak, p.Decode(nak))
	require.NotNil(t, e)
	assert.Equal(t, "NAK loss list", e.Field)
	assert.Equal(t, 20, e.Offset)
	assert.ErrorIs(t, e, ErrNAKBadRange)

	ack := hx("80020000000000010000000000000001" + "0000")
	e = p.Detail(ack, p.Decode(ack))
	require.NotNil(t, e)
	assert.Equal(t, "ACK CIF", e.Field)
	assert.ErrorIs(t, e, ErrTruncated)
}
