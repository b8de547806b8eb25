package handshake_test

import (
	"bytes"
	"encoding/hex"
	"math/rand"
	"net/netip"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/srtwire/srtwire/handshake"
	"github.com/srtwire/srtwire/reject"
)

func mustHex(s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return b
}

// A real libsrt 1.5.1 caller INDUCTION CIF (s03_reject_badsecret frame 1).
var inductionCIF = mustHex("00000004" + "00000002" + "6a4acdb9" + "000005dc" + "00002000" + "00000001" + "06bb9a65" + "00000000" + "0100007f" + "000000000000000000000000")

func TestTypeNamesAndReasons(t *testing.T) {
	cases := []struct {
		t      handshake.Type
		name   string
		rej    bool
		reason reject.Reason
	}{
		{1, "INDUCTION", false, 0},
		{0, "WAVEAHAND", false, 0},
		{-1, "CONCLUSION", false, 0},
		{-2, "AGREEMENT", false, 0},
		{-3, "DONE", false, 0},
		{999, "Type(999)", false, 0},
		{1000, "REJECT(SRT_REJ_UNKNOWN)", true, reject.Unknown},
		{1010, "REJECT(SRT_REJ_BADSECRET)", true, reject.BadSecret},
		{2403, "REJECT(SRT_REJX_FORBIDDEN)", true, reject.Forbidden},
		{3005, "", true, 2005},
	}
	for _, c := range cases {
		r, ok := c.t.Reason()
		assert.Equal(t, c.rej, ok, "%d", c.t)
		assert.Equal(t, c.rej, c.t.IsRejection(), "%d", c.t)
		if c.rej {
			assert.Equal(t, c.reason, r, "%d", c.t)
			assert.Equal(t, c.t, handshake.RejectionType(r), "%d", c.t)
		}
		if c.name != "" {
			assert.Equal(t, c.name, c.t.String())
		}
	}
}

func TestDecodeInduction(t *testing.T) {
	var hs handshake.Handshake
	require.NoError(t, hs.Decode(inductionCIF))
	assert.EqualValues(t, 4, hs.Version)
	assert.EqualValues(t, handshake.SocketTypeDGRAM, hs.TypeWord())
	assert.EqualValues(t, 1783287225, hs.ISN)
	assert.EqualValues(t, 1500, hs.MTU)
	assert.EqualValues(t, 8192, hs.FlowWindow)
	assert.Equal(t, handshake.Induction, hs.Type)
	assert.EqualValues(t, 0x06bb9a65, hs.SocketID)
	assert.Zero(t, hs.Cookie)
	assert.Equal(t, netip.MustParseAddr("127.0.0.1"), hs.PeerAddr())
	assert.Empty(t, hs.Ext)
	assert.False(t, hs.HasMagic())
}

func TestDecodeResetsFields(t *testing.T) {
	var hs handshake.Handshake
	hs.Ext = []byte{1, 2, 3}
	hs.ISN = 7
	require.ErrorIs(t, hs.Decode(inductionCIF[:20]), handshake.ErrTruncated)
	assert.Equal(t, handshake.Handshake{}, hs)
}

func TestPeerAddr(t *testing.T) {
	cases := []struct {
		addr string
		wire string // the 16 bytes on the wire
	}{
		{"127.0.0.1", "0100007f" + "000000000000000000000000"},
		{"10.0.0.0", "0000000a" + "000000000000000000000000"}, // Wireshark misses this one
		{"192.168.1.0", "0001a8c0" + "000000000000000000000000"},
		{"0.0.0.0", "00000000000000000000000000000000"},
		{"::1", "000000000000000000000000" + "01000000"},
		{"::ffff:127.0.0.1", "0000000000000000ffff0000" + "0100007f"},
		{"2001:db8::10", "b80d0120" + "00000000" + "00000000" + "10000000"},
		{"fe80::1:2:3:4", "000080fe" + "00000000" + "02000100" + "04000300"},
	}
	for _, c := range cases {
		var hs handshake.Handshake
		require.NoError(t, hs.SetPeerAddr(netip.MustParseAddr(c.addr)))
		assert.Equal(t, c.wire, hex.EncodeToString(hs.PeerIP[:]), c.addr)
		copy(hs.PeerIP[:], mustHex(c.wire))
		assert.Equal(t, c.addr, hs.PeerAddr().String(), c.addr)
	}
	var hs handshake.Handshake
	assert.ErrorIs(t, hs.SetPeerAddr(netip.Addr{}), handshake.ErrBadValue)
}

// conclusion builds a caller CONCLUSION with HSREQ, SID and KMREQ, the shape
// of a real libsrt 1.5 caller's.
func conclusion(t testing.TB) []byte {
	hs := handshake.Handshake{
		Version: 5, Encryption: 2, ISN: 12345, MTU: 1500, FlowWindow: 8192,
		Type: handshake.Conclusion, SocketID: 0x1234, Cookie: 0xCAFE,
	}
	require.NoError(t, hs.SetPeerAddr(netip.MustParseAddr("127.0.0.1")))
	b := handshake.NewBuilder(nil, &hs)
	b.AddHSReq(handshake.ExtHSReq, handshake.HSReq{Version: handshake.MakeSRTVersion(1, 5, 1), Flags: 0xBF, RecvDelay: 120})
	b.AddString(handshake.ExtSID, "#!::r=live/feed1,m=publish")
	b.AddKM(handshake.ExtKMReq, *testKM(handshake.KeyEven, 16))
	out, err := b.Finish()
	require.NoError(t, err)
	return out
}

func testKM(keys handshake.KeyFlags, keyLen int) *handshake.KeyMaterial {
	salt := bytes.Repeat([]byte{0x5a}, 16)
	wrapped := bytes.Repeat([]byte{0xa5}, 8+keys.Count()*keyLen)
	return &handshake.KeyMaterial{Keys: keys, Cipher: handshake.CipherAESCTR, SE: 2, SaltLen: 16, KeyLen: keyLen, Salt: salt, WrappedKeys: wrapped}
}

func TestBuilderRoundTrip(t *testing.T) {
	cif := conclusion(t)
	var hs handshake.Handshake
	require.NoError(t, hs.Decode(cif))
	assert.Equal(t, handshake.FlagHSReq|handshake.FlagKMReq|handshake.FlagConfig, hs.Flags())
	assert.Equal(t, 16, hs.KeyLen())
	assert.Equal(t, "#!::r=live/feed1,m=publish", hs.StreamID())
	assert.Equal(t, "", hs.Congestion())

	it := hs.Extensions()
	var got []handshake.ExtType
	for it.Next() {
		got = append(got, it.Type())
		switch it.Type() {
		case handshake.ExtHSReq:
			var r handshake.HSReq
			require.NoError(t, r.Decode(it.Value()))
			assert.Equal(t, "1.5.1", r.Version.String())
			assert.EqualValues(t, 120, r.RecvDelay)
			assert.Equal(t, []string{"TSBPDSND", "TSBPDRCV", "CRYPT", "TLPKTDROP", "PERIODICNAK", "REXMITFLG", "FILTERCAP"}, r.Flags.Names(nil))
		case handshake.ExtSID:
			assert.Equal(t, 7, it.Words()) // 26 bytes -> 7 words
		case handshake.ExtKMReq:
			assert.Equal(t, 14, it.Words())
			var km handshake.KeyMaterial
			require.NoError(t, km.Decode(it.Value()))
			assert.Equal(t, *testKMDecoded(), km.Clone())
		}
	}
	require.NoError(t, it.Err())
	assert.Equal(t, []handshake.ExtType{handshake.ExtHSReq, handshake.ExtSID, handshake.ExtKMReq}, got)

	out, err := hs.AppendBinary(nil)
	require.NoError(t, err)
	assert.Equal(t, cif, out)
}

func testKMDecoded() *handshake.KeyMaterial {
	k := testKM(handshake.KeyEven, 16)
	k.Version, k.PacketType, k.Sign = 1, 2, handshake.KMSign
	return k
}

// TestStrayTrailingBytes is the regression test for the datarhei/gosrt
// one-datagram crash: 1-3 stray bytes after the fixed CIF or after the last
// extension. libsrt ignores bytes past the last whole word; so do we.
func TestStrayTrailingBytes(t *testing.T) {
	for _, base := range [][]byte{inductionCIF, conclusion(t)} {
		var want handshake.Handshake
		require.NoError(t, want.Decode(base))
		wantN := countExt(t, &want)
		for stray := 1; stray <= 3; stray++ {
			b := append(append([]byte(nil), base...), bytes.Repeat([]byte{0xEE}, stray)...)
			var hs handshake.Handshake
			require.NoError(t, hs.Decode(b), "stray %d", stray)
			it := hs.Extensions()
			n := 0
			for it.Next() {
				n++
			}
			require.NoError(t, it.Err())
			assert.Equal(t, wantN, n)
			assert.Equal(t, stray, it.Trailing())
			out, _ := hs.AppendBinary(nil)
			assert.Equal(t, b, out, "stray bytes survive a round trip")
		}
	}
}

func countExt(t *testing.T, hs *handshake.Handshake) int {
	it := hs.Extensions()
	n := 0
	for it.Next() {
		n++
	}
	require.NoError(t, it.Err())
	return n
}

// TestLyingExtensionLength: a block that claims more words than are left.
func TestLyingExtensionLength(t *testing.T) {
	cif := conclusion(t)
	// Second block (SID) header is at 48 + 4 + 12 = 64; claim 900 words.
	cif[66], cif[67] = 0x03, 0x84
	var hs handshake.Handshake
	err := hs.Decode(cif)
	require.ErrorIs(t, err, handshake.ErrExtLength)
	assert.Equal(t, handshake.Conclusion, hs.Type, "fields before the fault survive")
	it := hs.Extensions()
	require.True(t, it.Next())
	assert.Equal(t, handshake.ExtHSReq, it.Type())
	require.False(t, it.Next())
	require.ErrorIs(t, it.Err(), handshake.ErrExtLength)
	var e *handshake.ExtError
	require.ErrorAs(t, it.Detail(), &e)
	assert.Equal(t, 2, e.Index)
	assert.Equal(t, handshake.ExtSID, e.Type)
	assert.Equal(t, 900, e.Words)
	assert.Equal(t, 64, e.Offset)
	assert.Equal(t, "handshake: extension 2 (SID): length 900 words exceeds the 88 bytes left", e.Error())
}

func TestUnknownExtensionVisible(t *testing.T) {
	hs := handshake.Handshake{Version: 5, Type: handshake.Conclusion}
	b := handshake.NewBuilder(nil, &hs)
	b.AddRaw(42, []byte{1, 2, 3, 4, 5})
	b.AddString(handshake.ExtCongestion, "file")
	cif, err := b.Finish()
	require.NoError(t, err)
	require.NoError(t, hs.Decode(cif))
	it := hs.Extensions()
	require.True(t, it.Next())
	assert.Equal(t, handshake.ExtType(42), it.Type())
	assert.Equal(t, "ExtType(42)", it.Type().String())
	assert.Equal(t, []byte{1, 2, 3, 4, 5, 0, 0, 0}, it.Value())
	require.True(t, it.Next())
	assert.Equal(t, handshake.ExtCongestion, it.Type())
	assert.Equal(t, "file", hs.Congestion())
	assert.Equal(t, handshake.FlagConfig, hs.Flags(), "unknown types set no flag")
}

func TestStringEncoding(t *testing.T) {
	// libsrt reverses the bytes of each word (srtcore/utilities.h, HtoNLA):
	// "STREAM" -> E R T S \0 \0 M A.
	assert.Equal(t, []byte("ERTS\x00\x00MA"), handshake.AppendEncodedString(nil, "STREAM"))
	// MANIFEST: "feed1" is 64 65 65 66 00 00 00 31.
	assert.Equal(t, mustHex("6465656600000031"), handshake.AppendEncodedString(nil, "feed1"))
	assert.Equal(t, mustHex("3a3a2123"), handshake.AppendEncodedString(nil, "#!::"))
	for _, s := range []string{"a", "ab", "abc", "abcd", "abcde", "fec,cols:4,rows:2"} {
		enc := handshake.AppendEncodedString(nil, s)
		assert.Len(t, enc, 4*handshake.StringWords(len(s)))
		assert.Equal(t, s, handshake.DecodeString(enc))
	}
	var hs handshake.Handshake
	b := handshake.NewBuilder(nil, &hs)
	b.AddString(handshake.ExtCongestion, "12345678901234567") // 20 bytes padded > 16
	_, err := b.Finish()
	assert.ErrorIs(t, err, handshake.ErrStringTooLong)
	b = handshake.NewBuilder(nil, &hs)
	b.AddString(handshake.ExtSID, "")
	_, err = b.Finish()
	assert.ErrorIs(t, err, handshake.ErrEmptyString)
	b = handshake.NewBuilder(nil, &hs)
	b.AddString(handshake.ExtSID, string(bytes.Repeat([]byte("x"), 512)))
	_, err = b.Finish()
	assert.NoError(t, err, "512 bytes is libsrt's limit, inclusive")
}

func TestKeyMaterial(t *testing.T) {
	for _, kl := range []int{16, 24, 32} {
		for _, kk := range []handshake.KeyFlags{handshake.KeyEven, handshake.KeyOdd, handshake.KeyBoth} {
			km := testKM(kk, kl)
			enc, err := km.AppendBinary(nil)
			require.NoError(t, err)
			require.Len(t, enc, handshake.KMLen(16, kl, kk))
			assert.Equal(t, byte(0x12), enc[0])
			assert.Equal(t, []byte{0x20, 0x29}, enc[1:3])
			var got handshake.KeyMaterial
			require.NoError(t, got.Decode(enc))
			assert.Equal(t, kl*8, got.KeyBits())
			assert.Equal(t, kk, got.Keys)
			assert.Equal(t, handshake.CipherAESCTR, got.Cipher)
			// Length errors: one byte short, one word long.
			assert.ErrorIs(t, got.Decode(enc[:len(enc)-1]), handshake.ErrTruncated)
			assert.ErrorIs(t, got.Decode(append(enc, 0, 0, 0, 0)), handshake.ErrKMLength)
		}
	}
	// The lengths of haicrypt/hcrypt_msg.h: 16 + salt + 8 + n*key.
	assert.Equal(t, 56, handshake.KMLen(16, 16, handshake.KeyEven))
	assert.Equal(t, 104, handshake.KMLen(16, 32, handshake.KeyBoth))
	enc, _ := testKM(handshake.KeyEven, 16).AppendBinary(nil)
	var km handshake.KeyMaterial
	bad := append([]byte(nil), enc...)
	bad[1] = 0x21
	assert.ErrorIs(t, km.Decode(bad), handshake.ErrNotKM)
	bad = append([]byte(nil), enc...)
	bad[3] = 0
	assert.ErrorIs(t, km.Decode(bad), handshake.ErrKMKeyFlags)
	bad = append([]byte(nil), enc...)
	bad[15] = 5 // 20-byte key
	assert.ErrorIs(t, km.Decode(bad), handshake.ErrKMLength)
	assert.ErrorIs(t, km.Decode(enc[:10]), handshake.ErrTruncated)
}

func TestKMState(t *testing.T) {
	// libsrt on x86 writes BADSECRET as 04 00 00 00 (s03_badsecret_noenforce).
	st, err := handshake.DecodeKMState([]byte{4, 0, 0, 0})
	require.NoError(t, err)
	assert.Equal(t, handshake.KMBadSecret, st)
	assert.Equal(t, "BADSECRET", st.String())
	// A big-endian writer: fall back when only that reading is a known state.
	st, _ = handshake.DecodeKMState([]byte{0, 0, 0, 3})
	assert.Equal(t, handshake.KMNoSecret, st)
	st, _ = handshake.DecodeKMState([]byte{9, 9, 9, 9})
	assert.Equal(t, "KMState(151587081)", st.String())
	_, err = handshake.DecodeKMState([]byte{4, 0})
	assert.ErrorIs(t, err, handshake.ErrTruncated)
	assert.Equal(t, []byte{4, 0, 0, 0}, handshake.AppendKMState(nil, handshake.KMBadSecret))
}

func TestGroup(t *testing.T) {
	g := handshake.Group{ID: 0x40000001, Type: handshake.GroupBroadcast, Flags: handshake.GroupFlagSyncOnMsg, Weight: 7}
	hs := handshake.Handshake{Version: 5, Type: handshake.Conclusion}
	b := handshake.NewBuilder(nil, &hs)
	b.AddGroup(g)
	cif, err := b.Finish()
	require.NoError(t, err)
	require.NoError(t, hs.Decode(cif))
	v, ok := hs.Find(handshake.ExtGroup)
	require.True(t, ok)
	var got handshake.Group
	require.NoError(t, got.Decode(v))
	assert.Equal(t, g, got)
	assert.Equal(t, "broadcast", got.Type.String())
	assert.Equal(t, "backup", handshake.GroupMainBackup.String())
	assert.ErrorIs(t, got.Decode(v[:7]), handshake.ErrTruncated)
}

func TestHSReqShortForms(t *testing.T) {
	var r handshake.HSReq
	require.NoError(t, r.Decode([]byte{0, 1, 2, 0, 0, 0, 0, 0x24})) // UMSG_EXT 2-word form
	assert.Equal(t, "1.2.0", r.Version.String())
	assert.Zero(t, r.RecvDelay)
	assert.ErrorIs(t, r.Decode([]byte{0, 1, 2}), handshake.ErrTruncated)
	assert.Equal(t, "TSBPDSND|STREAM|0x100", (handshake.FlagTSBPDSnd | handshake.FlagStream | 0x100).String())
}

func TestExtFlagsString(t *testing.T) {
	assert.Equal(t, "HSREQ|KMREQ", (handshake.FlagHSReq | handshake.FlagKMReq).String())
	assert.Equal(t, "MAGIC", handshake.ExtFlags(handshake.MagicHSv5).String())
	assert.Equal(t, "0", handshake.ExtFlags(0).String())
}

// TestRandomRoundTrip builds random handshakes, encodes them and checks
// Decode(Encode(x)) == x.
func TestRandomRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	for i := 0; i < 2000; i++ {
		hs := handshake.Handshake{
			Version: rng.Uint32(), Encryption: uint16(rng.Uint32()), Extension: uint16(rng.Uint32()),
			ISN: rng.Uint32(), MTU: rng.Uint32(), FlowWindow: rng.Uint32(), Type: handshake.Type(rng.Uint32()),
			SocketID: rng.Uint32(), Cookie: rng.Uint32(),
		}
		rng.Read(hs.PeerIP[:])
		if rng.Intn(2) == 0 {
			hs.Ext = make([]byte, 4*rng.Intn(5))
			for j := 0; j+4 <= len(hs.Ext); j += 4 { // empty blocks of random types
				hs.Ext[j+1] = byte(rng.Intn(10))
			}
		}
		enc, err := hs.AppendBinary(nil)
		require.NoError(t, err)
		var got handshake.Handshake
		require.NoError(t, got.Decode(enc))
		if len(hs.Ext) == 0 {
			hs.Ext = got.Ext[:0]
		}
		require.Equal(t, hs, got)
	}
}

func TestClone(t *testing.T) {
	cif := conclusion(t)
	var hs handshake.Handshake
	require.NoError(t, hs.Decode(cif))
	c := hs.Clone()
	for i := range cif {
		cif[i] = 0
	}
	assert.Equal(t, "#!::r=live/feed1,m=publish", c.StreamID())
	assert.Equal(t, "", hs.StreamID())
}

// TestBlockAccessors: the typed shortcuts over the extension walk.
func TestBlockAccessors(t *testing.T) {
	var hs handshake.Handshake
	require.NoError(t, hs.Decode(conclusion(t)))
	r, err := hs.SRTOptions()
	require.NoError(t, err)
	assert.Equal(t, "1.5.1", r.Version.String())
	assert.EqualValues(t, 120, r.RecvDelay)
	var km handshake.KeyMaterial
	require.NoError(t, hs.KeyMaterial(&km))
	assert.False(t, hs.IsKMState())
	_, err = hs.KMState()
	assert.ErrorIs(t, err, handshake.ErrNotKM)
	assert.Equal(t, 16, km.KeyLen)

	// A KMRSP carrying a failure state instead of key material.
	rsp := handshake.Handshake{Version: 5, Type: handshake.Conclusion}
	b := handshake.NewBuilder(nil, &rsp)
	b.AddKMState(handshake.KMBadSecret)
	cif, err := b.Finish()
	require.NoError(t, err)
	require.NoError(t, rsp.Decode(cif))
	assert.True(t, rsp.IsKMState())
	st, err := rsp.KMState()
	require.NoError(t, err)
	assert.Equal(t, handshake.KMBadSecret, st)
	assert.ErrorIs(t, rsp.KeyMaterial(&km), handshake.ErrKMState)
	assert.Zero(t, km.KeyLen, "k is zeroed")
	_, err = rsp.SRTOptions()
	assert.ErrorIs(t, err, handshake.ErrNotFound)

	// No key material at all.
	empty := &handshake.Handshake{}
	assert.ErrorIs(t, empty.KeyMaterial(&km), handshake.ErrNotFound)
	_, err = empty.KMState()
	assert.ErrorIs(t, err, handshake.ErrNotFound)
	assert.False(t, empty.IsKMState())

	// A malformed HSREQ is reported, not dropped.
	bad := handshake.Handshake{Version: 5, Type: handshake.Conclusion}
	b = handshake.NewBuilder(nil, &bad)
	b.AddRaw(handshake.ExtHSReq, []byte{1, 2, 3, 4})
	cif, err = b.Finish()
	require.NoError(t, err)
	require.NoError(t, bad.Decode(cif))
	_, err = bad.SRTOptions()
	assert.ErrorIs(t, err, handshake.ErrTruncated)
}

func TestParseSRTVersion(t *testing.T) {
	for s, want := range map[string]handshake.SRTVersion{"1.5.1": 0x010501, "1.3.0": 0x010300, "": 0x010000, "0x010402": 0x010402, "66817": 0x010501} {
		v, err := handshake.ParseSRTVersion(s)
		require.NoError(t, err, s)
		assert.Equal(t, want, v, s)
		if s == "1.5.1" {
			assert.Equal(t, s, v.String(), "String and ParseSRTVersion round-trip")
		}
	}
	for _, s := range []string{"1.5", "1.5.256", "a.b.c", "v1.5.1", "-1"} {
		_, err := handshake.ParseSRTVersion(s)
		assert.ErrorIs(t, err, handshake.ErrBadValue, s)
	}
}
