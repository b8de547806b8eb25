package handshake_test

import (
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/srtwire/srtwire/handshake"
	"github.com/srtwire/srtwire/internal/testcorpus"
)

// corpusHandshake is one HANDSHAKE datagram from a libsrt capture.
type corpusHandshake struct {
	capture string
	frame   int
	pkt     []byte // the whole UDP payload
}

func (c corpusHandshake) String() string { return fmt.Sprintf("%s#%d", c.capture, c.frame) }

func isHandshake(p []byte) bool {
	return len(p) >= 16 && p[0] == 0x80 && p[1] == 0x00 && p[2] == 0 && p[3] == 0
}

// corpusHandshakes returns every HANDSHAKE packet of every corpus capture.
func corpusHandshakes(t testing.TB) []corpusHandshake {
	t.Helper()
	caps, err := testcorpus.Captures()
	require.NoError(t, err)
	var out []corpusHandshake
	for _, c := range caps {
		frames, err := testcorpus.Frames(c.Name)
		require.NoError(t, err)
		for _, f := range frames {
			if c.IsSRT(f) && isHandshake(f.Payload) {
				out = append(out, corpusHandshake{c.Name, f.Number, f.Payload})
			}
		}
	}
	require.NotEmpty(t, out)
	return out
}

func num(t *testing.T, s string) int64 {
	t.Helper()
	if i := strings.IndexByte(s, '('); i >= 0 {
		s = s[:i]
	}
	v, err := strconv.ParseInt(s, 0, 64)
	require.NoError(t, err, "number %q", s)
	return v
}

// TestCorpusAgainstRawDecode decodes every handshake in the corpus and
// checks each field against the independent raw-byte decode (raw.tsv).
func TestCorpusAgainstRawDecode(t *testing.T) {
	seenTypes := map[handshake.Type]int{}
	seenExt := map[handshake.ExtType]int{}
	for _, c := range corpusHandshakes(t) {
		raws, err := testcorpus.Raw(c.capture)
		require.NoError(t, err)
		raw, ok := raws[c.frame]
		require.True(t, ok, "%v: no raw line", c)
		require.Equal(t, "HANDSHAKE", raw.Kind, "%v", c)
		f := raw.Fields

		var hs handshake.Handshake
		require.NoError(t, hs.Decode(c.pkt[16:]), "%v", c)
		seenTypes[hs.Type]++

		assert.EqualValues(t, num(t, f["ver"]), hs.Version, "%v ver", c)
		if st, ok := f["socktype"]; ok {
			assert.EqualValues(t, num(t, st), hs.TypeWord(), "%v socktype", c)
		} else {
			assert.EqualValues(t, num(t, f["enc"]), hs.Encryption, "%v enc", c)
			assert.EqualValues(t, num(t, f["ext"]), hs.Extension, "%v ext", c)
		}
		assert.EqualValues(t, num(t, f["isn"]), hs.ISN, "%v isn", c)
		assert.EqualValues(t, num(t, f["mss"]), hs.MTU, "%v mss", c)
		assert.EqualValues(t, num(t, f["fw"]), hs.FlowWindow, "%v fw", c)
		assert.EqualValues(t, num(t, f["type"]), hs.Type, "%v type", c)
		assert.EqualValues(t, num(t, f["sockid"]), hs.SocketID, "%v sockid", c)
		assert.EqualValues(t, num(t, f["cookie"]), hs.Cookie, "%v cookie", c)
		assert.Equal(t, f["peerip"], hs.PeerAddr().String(), "%v peerip", c)

		// Rejections: the raw decode names the reason, e.g. 1010(REJECT:SRT_REJ_BADSECRET(10)).
		if r, isRej := hs.Type.Reason(); isRej {
			assert.Contains(t, f["type"], fmt.Sprintf("(%d))", int32(r)), "%v", c)
			assert.Equal(t, int32(hs.Type), r.Wire(), "%v", c)
		}

		// Extensions, in wire order.
		it := hs.Extensions()
		i := 0
		for it.Next() {
			require.Less(t, i, len(raw.Exts), "%v: more blocks than the raw decode", c)
			re := raw.Exts[i]
			i++
			seenExt[it.Type()]++
			assert.Equal(t, re.Name, it.Type().String(), "%v block %d", c, i)
			assert.Equal(t, re.Words, it.Words(), "%v block %d words", c, i)
			switch it.Type() {
			case handshake.ExtHSReq, handshake.ExtHSRsp:
				var r handshake.HSReq
				require.NoError(t, r.Decode(it.Value()))
				assert.Equal(t, re.Fields["v"], r.Version.String(), "%v", c)
				assert.EqualValues(t, num(t, re.Fields["flags"]), r.Flags, "%v", c)
				assert.EqualValues(t, num(t, re.Fields["lat_rcv"]), r.RecvDelay, "%v", c)
				assert.EqualValues(t, num(t, re.Fields["lat_snd"]), r.SendDelay, "%v", c)
			case handshake.ExtSID, handshake.ExtCongestion, handshake.ExtFilter:
				assert.Equal(t, re.Str, handshake.DecodeString(it.Value()), "%v", c)
			case handshake.ExtKMReq, handshake.ExtKMRsp:
				if it.Words() == 1 {
					st, err := handshake.DecodeKMState(it.Value())
					require.NoError(t, err)
					assert.EqualValues(t, num(t, re.Fields["kmstate(le)"]), st, "%v", c)
					continue
				}
				var km handshake.KeyMaterial
				require.NoError(t, km.Decode(it.Value()), "%v", c)
				assert.EqualValues(t, num(t, re.Fields["keylen"]), km.KeyLen, "%v", c)
				assert.Equal(t, re.Fields["km[0..3]"], hex.EncodeToString(it.Value()[:4]), "%v", c)
			}
		}
		require.NoError(t, it.Err(), "%v", c)
		assert.Zero(t, it.Trailing(), "%v", c)
		assert.Equal(t, len(raw.Exts), i, "%v: block count", c)
	}
	// The corpus must exercise what the issue promises.
	for _, ty := range []handshake.Type{handshake.Induction, handshake.WaveAHand, handshake.Conclusion, handshake.Agreement, 1000, 1010, 1011, 1012, 1014, 2403, 3005} {
		assert.Positive(t, seenTypes[ty], "no %v handshake in the corpus", ty)
	}
	for _, e := range []handshake.ExtType{handshake.ExtHSReq, handshake.ExtHSRsp, handshake.ExtKMReq, handshake.ExtKMRsp, handshake.ExtSID, handshake.ExtCongestion, handshake.ExtFilter} {
		assert.Positive(t, seenExt[e], "no %v block in the corpus", e)
	}
}

// TestCorpusAgainstWireshark checks the same handshakes against
// Wireshark 4.0's decode, except where Wireshark is known to be wrong
// (IPv6 peer IP, FILTER, the 1-word KMRSP; see testdata/corpus/MANIFEST.md).
func TestCorpusAgainstWireshark(t *testing.T) {
	byCapture := map[string]map[int]testcorpus.TSharkPacket{}
	n := 0
	for _, c := range corpusHandshakes(t) {
		m, ok := byCapture[c.capture]
		if !ok {
			pkts, err := testcorpus.TShark(c.capture)
			require.NoError(t, err)
			m = map[int]testcorpus.TSharkPacket{}
			for _, p := range pkts {
				m[p.Frame] = p
			}
			byCapture[c.capture] = m
		}
		ts, ok := m[c.frame]
		require.True(t, ok, "%v: not in tshark output", c)
		var hs handshake.Handshake
		require.NoError(t, hs.Decode(c.pkt[16:]))

		u := func(key string) uint64 {
			v, ok := ts.Uint(key)
			require.True(t, ok, "%v: tshark has no %s", c, key)
			return v
		}
		assert.EqualValues(t, u("srt.hs.version"), hs.Version, "%v", c)
		if hs.Version == handshake.Version4 {
			assert.EqualValues(t, u("srt.hs.socktype"), hs.TypeWord(), "%v", c)
		} else {
			assert.EqualValues(t, u("srt.hs.encfield"), hs.Encryption, "%v", c)
			assert.EqualValues(t, u("srt.hs.extfield"), hs.Extension, "%v", c)
		}
		assert.EqualValues(t, u("srt.hs.isn"), hs.ISN, "%v", c)
		assert.EqualValues(t, u("srt.hs.mtu"), hs.MTU, "%v", c)
		assert.EqualValues(t, u("srt.hs.flow_window"), hs.FlowWindow, "%v", c)
		rt, _ := ts.Str("srt.hs.reqtype")
		assert.Equal(t, rt, strconv.Itoa(int(hs.Type)), "%v", c)
		assert.EqualValues(t, u("srt.hs.id"), hs.SocketID, "%v", c)
		assert.EqualValues(t, u("srt.hs.cookie"), hs.Cookie, "%v", c)
		if hs.PeerAddr().Is4() { // Wireshark 4.0 shows ::1 as 0.0.0.0
			pip, _ := ts.Str("srt.hs.peerip")
			assert.Equal(t, pip, hs.PeerAddr().String(), "%v", c)
		}

		types, lens := ts.All("srt.hs.blocktype"), ts.All("srt.hs.blocklen")
		it := hs.Extensions()
		i := 0
		for it.Next() {
			require.Less(t, i, len(types), "%v", c)
			assert.EqualValues(t, num(t, types[i]), it.Type(), "%v", c)
			assert.EqualValues(t, num(t, lens[i]), it.Words(), "%v", c)
			i++
			v := it.Value()
			switch it.Type() {
			case handshake.ExtHSReq, handshake.ExtHSRsp:
				var r handshake.HSReq
				require.NoError(t, r.Decode(v))
				vers := ts.All("srt.hs.version")
				require.Len(t, vers, 2, "%v", c)
				assert.EqualValues(t, num(t, vers[1]), r.Version, "%v", c)
				assert.EqualValues(t, u("srt.hs.srtflags"), r.Flags, "%v", c)
				assert.EqualValues(t, u("srt.hs.peer_latency"), r.RecvDelay, "%v", c)
				assert.EqualValues(t, u("srt.hs.agent_latency"), r.SendDelay, "%v", c)
			case handshake.ExtSID:
				s, _ := ts.Str("srt.hs.sid")
				assert.Equal(t, s, handshake.DecodeString(v), "%v", c)
			case handshake.ExtCongestion:
				s, _ := ts.Str("srt.hs.conjestctrl")
				assert.Equal(t, s, handshake.DecodeString(v), "%v", c)
			case handshake.ExtKMReq, handshake.ExtKMRsp:
				if it.Words() == 1 { // Wireshark reads the state big-endian: 4 shows as 67108864
					e := u("srt.km.error")
					st, _ := handshake.DecodeKMState(v)
					assert.EqualValues(t, e, binary.BigEndian.Uint32(v), "%v", c)
					assert.NotEqualValues(t, e, st, "%v: Wireshark's big-endian reading should differ", c)
					continue
				}
				msg, _ := ts.Str("srt.km.msg")
				assert.Equal(t, msg, colonHex(v), "%v", c)
			}
		}
		assert.Equal(t, len(types), i, "%v", c)
		n++
	}
	t.Logf("%d handshakes compared with Wireshark", n)
}

func colonHex(b []byte) string {
	var sb strings.Builder
	for i, x := range b {
		if i > 0 {
			sb.WriteByte(':')
		}
		fmt.Fprintf(&sb, "%02x", x)
	}
	return sb.String()
}

// TestCorpusRoundTrip re-encodes every corpus handshake: the bytes must be
// identical, and rebuilding each one with the Builder from its decoded
// blocks must give the same bytes too.
func TestCorpusRoundTrip(t *testing.T) {
	for _, c := range corpusHandshakes(t) {
		cif := c.pkt[16:]
		var hs handshake.Handshake
		require.NoError(t, hs.Decode(cif))
		assert.Equal(t, len(cif), hs.MarshalSize(), "%v", c)
		out, err := hs.AppendBinary(nil)
		require.NoError(t, err)
		assert.Equal(t, cif, out, "%v", c)

		// Rebuild through the typed encoders.
		fixed := hs
		fixed.Ext = nil
		b := handshake.NewBuilder(nil, &fixed)
		it := hs.Extensions()
		for it.Next() {
			v := it.Value()
			switch it.Type() {
			case handshake.ExtHSReq, handshake.ExtHSRsp:
				var r handshake.HSReq
				require.NoError(t, r.Decode(v))
				b.AddHSReq(it.Type(), r)
			case handshake.ExtSID, handshake.ExtCongestion, handshake.ExtFilter:
				b.AddString(it.Type(), handshake.DecodeString(v))
			case handshake.ExtKMReq, handshake.ExtKMRsp:
				if len(v) == 4 {
					st, _ := handshake.DecodeKMState(v)
					b.AddKMState(st)
					continue
				}
				var km handshake.KeyMaterial
				require.NoError(t, km.Decode(v))
				b.AddKM(it.Type(), km)
			default:
				b.AddRaw(it.Type(), v)
			}
		}
		rebuilt, err := b.Finish()
		require.NoError(t, err)
		assert.Equal(t, cif, rebuilt, "%v: builder output", c)
	}
}

// TestCorpusPrefixes decodes every prefix of every corpus handshake. Short
// ones must fail with ErrTruncated; the others either decode or report a
// block that overruns the input. Nothing may panic, and the typed decoders
// must cope with every block value the walk hands out.
func TestCorpusPrefixes(t *testing.T) {
	for _, c := range corpusHandshakes(t) {
		cif := c.pkt[16:]
		for n := 0; n <= len(cif); n++ {
			var hs handshake.Handshake
			// A fresh copy with no spare capacity catches reads past the end.
			p := append([]byte(nil), cif[:n]...)
			err := hs.Decode(p)
			if n < handshake.CIFSize {
				require.ErrorIs(t, err, handshake.ErrTruncated, "%v len %d", c, n)
				continue
			}
			if err != nil {
				require.ErrorIs(t, err, handshake.ErrExtLength, "%v len %d", c, n)
			}
			walkAll(t, &hs)
		}
	}
}

func walkAll(t *testing.T, hs *handshake.Handshake) {
	it := hs.Extensions()
	for it.Next() {
		v := it.Value()
		var r handshake.HSReq
		_ = r.Decode(v)
		var km handshake.KeyMaterial
		_ = km.Decode(v)
		_, _ = handshake.DecodeKMState(v)
		var g handshake.Group
		_ = g.Decode(v)
		_ = handshake.DecodeString(v)
	}
	if it.Err() != nil {
		var e *handshake.ExtError
		require.ErrorAs(t, it.Detail(), &e)
		require.ErrorIs(t, e, handshake.ErrExtLength)
		require.NotEmpty(t, e.Error())
	}
	_ = hs.PeerAddr()
	_ = hs.StreamID()
}
