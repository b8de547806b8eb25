package srtfuzz

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"regexp"
	"slices"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/srtwire/srtwire/handshake"
	"github.com/srtwire/srtwire/listener"
	"github.com/srtwire/srtwire/packet"
)

var testTarget = netip.MustParseAddrPort("127.0.0.1:9000")

func testEnv(t testing.TB, mod func(*listener.Config)) *Env {
	t.Helper()
	b, err := listener.NewCookieBaker(testStart, 0, nil)
	require.NoError(t, err)
	cfg := listener.LiveConfig(b)
	if mod != nil {
		mod(&cfg)
	}
	e, err := NewEnv(testTarget, &cfg, "", 7)
	require.NoError(t, err)
	return e
}

// decodeHS decodes a CONCLUSION datagram with the codec. A block whose
// length lies leaves Decode's error (handshake.ErrExtLength) to look at.
func decodeHS(t *testing.T, b []byte) (*packet.Packet, error) {
	t.Helper()
	var p packet.Packet
	err := p.Decode(b)
	require.Equal(t, packet.KindHandshake, p.Kind(), "%x", b)
	require.GreaterOrEqual(t, len(b), packet.HeaderSize+handshake.CIFSize)
	if err != nil {
		require.ErrorIs(t, err, handshake.ErrExtLength)
	}
	return &p, err
}

type walked struct {
	typ   handshake.ExtType
	words int
	value []byte
}

func walk(hs *handshake.Handshake) (bs []walked, trailing int, err error) {
	it := hs.Extensions()
	for it.Next() {
		bs = append(bs, walked{it.Type(), it.Words(), it.Value()})
	}
	return bs, it.Trailing(), it.Err()
}

func types(bs []walked) []handshake.ExtType {
	var ts []handshake.ExtType
	for _, b := range bs {
		ts = append(ts, b.typ)
	}
	return ts
}

// mutateOne runs class c's mutation on a fresh base and returns the
// encoded datagram, the model and what the mutator said.
func mutateOne(t *testing.T, e *Env, c *Class, seed uint64) (Conclusion, Conclusion, []byte, string) {
	t.Helper()
	r := rand.New(rand.NewPCG(seed, 99))
	caller := newCaller(r)
	base := e.Base(r, caller, 0xC00C1E, seed)
	m := base
	m.Blocks = slices.Clone(base.Blocks)
	what := c.Mutate(r, &m, e)
	require.NotEmpty(t, what)
	return base, m, m.Encode(nil, nil), what
}

// TestConclusionClassesDoWhatTheySay: every conclusion-phase class, run
// many times, produces a datagram that srtwire's decoder reads as the
// mutation the class claims, and keeps what makes the listener parse it
// (a HANDSHAKE to socket 0 with the cookie).
func TestConclusionClassesDoWhatTheySay(t *testing.T) {
	envs := map[string]*Env{
		"live":       testEnv(t, nil),
		"passphrase": testEnv(t, func(c *listener.Config) { c.Passphrase = "0123456789abc"; c.PBKeyLen = 16 }),
	}
	lenRE := regexp.MustCompile(`SID of (\d+) bytes`)
	for name, e := range envs {
		for _, c := range Classes() {
			if c.Phase != PhaseConclusion {
				continue
			}
			t.Run(name+"/"+c.Name, func(t *testing.T) {
				seen := map[string]bool{}
				for seed := uint64(0); seed < 300; seed++ {
					base, m, b, what := mutateOne(t, e, c, seed)
					p, derr := decodeHS(t, b)
					hs := &p.Handshake
					if c.Name != "fixed" || !regexp.MustCompile("cookie").MatchString(what) {
						assert.Equal(t, uint32(0xC00C1E), hs.Cookie, what)
					}
					assert.Zero(t, p.DstSocket)
					bs, trailing, werr := walk(hs)
					switch c.Name {
					case "ext-types":
						strange := false
						for _, x := range bs {
							strange = strange || !IsCallerType(x.typ)
						}
						assert.True(t, strange, "%s: %v", what, types(bs))
					case "ext-order":
						assert.NoError(t, derr)
						assert.ElementsMatch(t, typesOf(m.Blocks), types(bs), what)
						assert.False(t, slices.IsSortedFunc(types(bs), func(a, b handshake.ExtType) int { return rank(a) - rank(b) }),
							"%s: %v still in the caller's order", what, types(bs))
					case "ext-dup":
						counts := map[handshake.ExtType]int{}
						dup := false
						for _, x := range bs {
							counts[x.typ]++
							dup = dup || counts[x.typ] > 1
						}
						assert.True(t, dup, "%s: %v", what, types(bs))
					case "ext-flags":
						assert.NotEqual(t, honestFlags(m.Blocks), hs.Extension, what)
						assert.Equal(t, m.Flags, hs.Extension)
					case "ext-len":
						// The decoder sees another block structure than the
						// one encoded: a length error, or other blocks.
						var honest []walked
						for _, x := range m.Blocks {
							honest = append(honest, walked{typ: x.Type, words: x.honestWords()})
						}
						same := werr == nil && len(bs) == len(honest)
						for i := 0; same && i < len(bs); i++ {
							same = bs[i].typ == honest[i].typ && bs[i].words == honest[i].words
						}
						assert.False(t, same, "%s: the decoder reads the honest blocks", what)
						if errors.Is(derr, handshake.ErrExtLength) {
							seen["longer"] = true
						}
					case "stray-cif":
						assert.Empty(t, bs, what)
						assert.NoError(t, werr)
						assert.True(t, len(hs.Ext) >= 1 && len(hs.Ext) <= 3, "%s: %d bytes after the CIF", what, len(hs.Ext))
						assert.NotZero(t, hs.Extension, what)
						seen[strconv.Itoa(len(hs.Ext))] = true
					case "stray-ext":
						assert.NoError(t, werr)
						assert.NotEmpty(t, bs)
						assert.True(t, trailing >= 1 && trailing <= 3, "%s: %d trailing", what, trailing)
						seen[strconv.Itoa(trailing)] = true
					case "sid":
						v, ok := hs.Find(handshake.ExtSID)
						require.True(t, ok, what)
						mm := lenRE.FindStringSubmatch(what)
						require.NotNil(t, mm, what)
						n, _ := strconv.Atoi(mm[1])
						assert.Equal(t, 4*handshake.StringWords(n), len(v), what)
						assert.True(t, bytes.Equal(m.Blocks[m.Index(handshake.ExtSID)].Value, v), what)
						seen[mm[1]] = true
					case "km":
						i := slices.IndexFunc(bs, func(x walked) bool {
							return x.typ == handshake.ExtKMReq || x.typ == handshake.ExtKMRsp
						})
						require.GreaterOrEqual(t, i, 0, what)
					case "filter", "congestion":
						typ := map[string]handshake.ExtType{"filter": handshake.ExtFilter, "congestion": handshake.ExtCongestion}[c.Name]
						v, ok := hs.Find(typ)
						require.True(t, ok, what)
						assert.True(t, bytes.Equal(m.Blocks[m.Index(typ)].Value, v), what)
					case "group":
						n := 0
						for _, x := range bs {
							if x.typ != handshake.ExtGroup {
								continue
							}
							n++
							if len(x.value) >= handshake.GroupSize {
								var g handshake.Group
								require.NoError(t, g.Decode(x.value))
								assert.GreaterOrEqual(t, int(g.Type), 3, what)
							} else {
								seen["short"] = true
							}
						}
						assert.NotZero(t, n, what)
					case "hsreq":
						got, err := hs.SRTOptions()
						require.NoError(t, err, what)
						assert.NotEqual(t, e.hsreq(), got, what)
						if got.Version < handshake.MakeSRTVersion(1, 3, 0) {
							seen["old"] = true
						}
					case "encryption":
						assert.NotEqual(t, base.HS.Encryption, hs.Encryption, what)
						seen[strconv.Itoa(int(hs.Encryption))] = true
					case "fixed":
						f := func(h *handshake.Handshake) [10]any {
							return [10]any{h.Version, h.Encryption, h.Extension, h.ISN, h.MTU, h.FlowWindow, h.Type, h.SocketID, h.Cookie, h.PeerIP}
						}
						bh := base.HS
						if bh.Extension == 0 {
							bh.Extension = honestFlags(base.Blocks)
						}
						assert.NotEqual(t, f(&bh), f(hs), what)
					}
				}
				switch c.Name {
				case "stray-cif", "stray-ext":
					assert.Len(t, seen, 3, "1, 2 and 3 stray bytes")
				case "sid":
					for _, n := range []string{"0", "512", "513", "4000"} {
						assert.True(t, seen[n], "a SID of %s bytes", n)
					}
				case "encryption":
					for _, n := range []string{"1", "5", "7"} {
						assert.True(t, seen[n], "Encryption %s", n)
					}
				case "hsreq":
					assert.True(t, seen["old"], "versions below 1.3.0")
				case "group":
					assert.True(t, seen["short"], "a short GROUP block")
				case "ext-len":
					assert.True(t, seen["longer"], "a length longer than the rest")
				}
			})
		}
	}
}

func typesOf(bs []Block) []handshake.ExtType {
	var ts []handshake.ExtType
	for _, b := range bs {
		ts = append(ts, b.Type)
	}
	return ts
}

// rank is the order in which a libsrt caller writes its blocks (and Base
// adds them).
func rank(t handshake.ExtType) int {
	return slices.Index([]handshake.ExtType{handshake.ExtHSReq, handshake.ExtKMReq, handshake.ExtSID,
		handshake.ExtCongestion, handshake.ExtFilter, handshake.ExtGroup}, t)
}

// TestKMVariants: the km class writes the header fields it says into the
// key material, with every length from 4 to 1400, and the codec's decoder
// accepts exactly the consistent ones.
func TestKMVariants(t *testing.T) {
	e := testEnv(t, nil)
	lens := map[int]bool{}
	fields := map[string]map[int]bool{"slen": {}, "klen": {}, "kk": {}, "cipher": {}, "auth": {}, "se": {}}
	decoded := 0
	for seed := uint64(0); seed < 3000; seed++ {
		r := rand.New(rand.NewPCG(seed, 5))
		s, v := kmVariant(r, e)
		require.Equal(t, s.Len, len(v))
		require.True(t, s.Len >= 4 && s.Len <= 1400, s.Len)
		lens[s.Len] = true
		if s.Len >= 16 {
			assert.Equal(t, s.Version<<4|s.PT&0xF, v[0])
			assert.Equal(t, s.Sign, uint16(v[1])<<8|uint16(v[2]))
			assert.Equal(t, s.KK, v[3]&3)
			assert.Equal(t, []byte{s.Cipher, s.Auth, s.SE}, v[8:11])
			assert.Equal(t, []byte{byte(s.SLen / 4), byte(s.KLen / 4)}, v[14:16])
			for k, x := range map[string]int{"slen": s.SLen, "klen": s.KLen, "kk": int(s.KK), "cipher": int(s.Cipher), "auth": int(s.Auth), "se": int(s.SE)} {
				fields[k][x] = true
			}
		}
		var km handshake.KeyMaterial
		err := km.Decode(v)
		consistent := s.Len >= 16 && s.Version == 1 && s.PT == 2 && s.Sign == handshake.KMSign && s.KK != 0 &&
			s.SLen <= 16 && (s.KLen == 16 || s.KLen == 24 || s.KLen == 32) &&
			s.Len == handshake.KMLen(s.SLen, s.KLen, handshake.KeyFlags(s.KK))
		assert.Equal(t, consistent, err == nil, "%+v: %v", s, err)
		if err == nil {
			decoded++
		}
	}
	assert.NotZero(t, decoded, "some key material stays valid")
	for _, n := range []int{4, 104, 105, 1400} {
		assert.True(t, lens[n], "total length %d", n)
	}
	assert.Greater(t, len(lens), 100, "lengths spread over 4..1400")
	for _, n := range []int{0, 4, 8, 12, 16, 20, 32, 60} {
		assert.True(t, fields["slen"][n], "SLen %d", n)
	}
	for _, n := range []int{0, 16, 24, 32, 36, 64} {
		assert.True(t, fields["klen"][n], "KLen %d", n)
	}
	for k, want := range map[string][]int{"kk": {0, 1, 2, 3}, "cipher": {0, 1, 2, 3, 4, 5, 255}, "auth": {0, 1, 2, 255}, "se": {0, 1, 2, 3, 255}} {
		for _, n := range want {
			assert.True(t, fields[k][n], "%s %d", k, n)
		}
	}
}

// TestPostClassesDoWhatTheySay: the post-handshake classes build packets
// to the accepted socket that the codec reads as claimed.
func TestPostClassesDoWhatTheySay(t *testing.T) {
	e := testEnv(t, nil)
	for _, c := range Classes() {
		if c.Phase != PhasePost {
			continue
		}
		t.Run(c.Name, func(t *testing.T) {
			seen := map[string]bool{}
			for seed := uint64(0); seed < 400; seed++ {
				r := rand.New(rand.NewPCG(seed, 3))
				s := Session{Peer: 0x0BADCAFE, Caller: newCaller(r), MSS: 1500, Timestamp: 77}
				if c.Mutate != nil {
					m := e.Base(r, s.Caller, 1, 1)
					what := c.Mutate(r, &m, e)
					if c.Name == "mss" {
						assert.True(t, m.HS.MTU >= 32 && m.HS.MTU <= 76, what)
					}
				}
				pkts, what := c.Post(r, &s, e)
				require.NotEmpty(t, pkts, what)
				isn := s.isn()
				var ps []packet.Packet
				var errs []error
				for _, b := range pkts {
					var p packet.Packet
					err := p.Decode(b)
					if err != nil && !errors.Is(err, packet.ErrTruncated) && !errors.Is(err, packet.ErrNAKBadRange) &&
						!errors.Is(err, packet.ErrNAKDanglingRange) && !errors.Is(err, handshake.ErrExtLength) {
						t.Fatalf("%s: %x: %v", what, b, err)
					}
					require.Equal(t, uint32(0x0BADCAFE), p.DstSocket, what)
					ps = append(ps, p)
					errs = append(errs, err)
				}
				last := ps[len(ps)-1]
				switch c.Name {
				case "umsg-km-long":
					require.Equal(t, packet.KindUserDefined, last.Kind())
					assert.Contains(t, []packet.Subtype{packet.SubtypeKMReq, packet.SubtypeKMRsp}, last.Subtype)
					assert.Greater(t, len(last.CIF), handshake.KMMaxSize, what)
					assert.LessOrEqual(t, len(last.CIF), 1400, what)
				case "umsg-kmrsp":
					for _, p := range ps {
						require.Equal(t, packet.KindUserDefined, p.Kind())
						assert.Equal(t, packet.SubtypeKMRsp, p.Subtype)
						assert.LessOrEqual(t, len(p.CIF), handshake.KMMaxSize, what)
					}
				case "umsg-kmreq":
					for _, p := range ps {
						require.Equal(t, packet.KindUserDefined, p.Kind())
						assert.Equal(t, packet.SubtypeKMReq, p.Subtype)
						assert.LessOrEqual(t, len(p.CIF), handshake.KMMaxSize, what)
					}
				case "umsg-other":
					require.Equal(t, packet.KindUserDefined, last.Kind())
					assert.NotContains(t, []packet.Subtype{packet.SubtypeKMReq, packet.SubtypeKMRsp}, last.Subtype, what)
				case "ack":
					past := false
					for i, p := range ps {
						switch {
						case p.Kind() == packet.KindACKACK:
							past = true
						case p.Kind() == packet.KindACK && errs[i] != nil:
							past = true // a CIF too short for an ACK
						case p.Kind() == packet.KindACK:
							past = past || p.ACK.LastAckSeq&(1<<31) != 0 || isn.Distance(p.ACK.LastAckSeq&packet.MaxSeqNumber) != 0
							if isn.Distance(p.ACK.LastAckSeq) > 1 {
								seen["past"] = true
							}
						}
					}
					assert.True(t, past, what)
				case "nak":
					require.Equal(t, packet.KindNAK, last.Kind(), what)
					err := errs[len(errs)-1]
					switch {
					case regexp.MustCompile("^NAK reversed").MatchString(what):
						assert.ErrorIs(t, err, packet.ErrNAKBadRange, what)
						seen["reversed"] = true
					case regexp.MustCompile("^NAK dangling").MatchString(what):
						assert.ErrorIs(t, err, packet.ErrNAKDanglingRange, what)
						seen["dangling"] = true
					case regexp.MustCompile("^NAK huge").MatchString(what):
						assert.GreaterOrEqual(t, len(last.NAK.List), 200, what)
						seen["huge"] = true
					}
				case "dropreq":
					require.Equal(t, packet.KindDropReq, last.Kind(), what)
					for i, p := range ps[:len(ps)-1] {
						require.Equal(t, packet.KindData, p.Kind())
						assert.Equal(t, isn.Add(int32(i)), p.Seq)
					}
					if errs[len(errs)-1] == nil {
						d := last.DropReq
						if d.Last.Less(d.First) {
							seen["reversed"] = true
						}
						if isn.Distance(d.First) < 0 || isn.Distance(d.First) > int32(len(ps)) {
							seen["outside"] = true
						}
					} else {
						seen["short"] = true
					}
				case "mss":
					assert.Equal(t, packet.KindKeepalive, last.Kind())
					assert.Equal(t, packet.KindNAK, ps[len(ps)-2].Kind())
				}
			}
			switch c.Name {
			case "nak":
				assert.Len(t, seen, 3, "reversed, dangling and huge lists")
			case "dropreq":
				assert.Len(t, seen, 3, "reversed, outside the window, short")
			case "ack":
				assert.True(t, seen["past"], "ACKs past the window")
			}
		})
	}
}

// TestMutateBytesKeepsWhatItMust: byte-level mutation never touches the
// kept bytes nor cuts below the floor, and always changes something.
func TestMutateBytesKeepsWhatItMust(t *testing.T) {
	e := testEnv(t, nil)
	for seed := uint64(0); seed < 2000; seed++ {
		r := rand.New(rand.NewPCG(seed, 11))
		m := e.Base(r, newCaller(r), 0x11223344, 1)
		b := m.Encode(nil, nil)
		got, what := MutateBytes(r, b, conclusionMin, conclusionKeep)
		require.NotEmpty(t, what)
		require.GreaterOrEqual(t, len(got), conclusionMin, what)
		assert.False(t, bytes.Equal(b, got), what)
		for i := 0; i < conclusionMin; i++ {
			if conclusionKeep(i) {
				require.Equal(t, b[i], got[i], "%s: byte %d", what, i)
			}
		}
		var p packet.Packet
		_ = p.Decode(got)
		require.Equal(t, packet.KindHandshake, p.Kind())
		require.Equal(t, uint32(0x11223344), p.Handshake.Cookie)
		require.Equal(t, handshake.Conclusion, p.Handshake.Type)
	}
}

// TestEncodeLies: the model's lies reach the wire exactly.
func TestEncodeLies(t *testing.T) {
	m := Conclusion{Header: packet.Header{Control: true, Type: packet.TypeHandshake},
		HS: handshake.Handshake{Version: 5, Type: handshake.Conclusion, MTU: 1500, FlowWindow: 8192}}
	m.Blocks = []Block{{Type: handshake.ExtHSReq, Value: hsreqValue(handshake.HSReq{Version: 0x010501})},
		{Type: handshake.ExtSID, Value: stringValue("abcde"), Lie: true, Words: 9}}
	m.SetFlags, m.Flags = true, 0x4A17
	m.Tail = []byte{1, 2}
	var offs []int
	b := m.Encode(nil, &offs)
	require.Equal(t, []int{64, 80}, offs)
	assert.Equal(t, []byte{0, 5, 0, 9}, b[80:84])
	assert.Equal(t, []byte{0x4A, 0x17}, b[22:24])
	assert.Equal(t, []byte{1, 2}, b[len(b)-2:])
	assert.Equal(t, 16+48+4+12+4+8+2, len(b))
}

func TestPlanIsDeterministic(t *testing.T) {
	e := testEnv(t, nil)
	x := &runner{env: e, seed: 42, classes: Classes(), bytes: 0.5}
	for n := uint64(1); n < 200; n++ {
		var out [2][]byte
		for k := range out {
			cls, wb, r := Plan(x.seed, n, x.classes, x.bytes)
			_, b, _ := x.conclusion(r, cls, wb, newCaller(r), 0xABCDEF01, 5, n)
			out[k] = b
		}
		require.Equal(t, out[0], out[1], "case %d", n)
	}
	c1, _, _ := Plan(1, 5, Classes(), 0)
	seen := map[string]bool{}
	for n := uint64(0); n < 500; n++ {
		c, _, _ := Plan(1, n, Classes(), 0)
		seen[c.Name] = true
	}
	assert.NotNil(t, c1)
	assert.Len(t, seen, len(Classes()), "every class is drawn")
}

func TestClampFields(t *testing.T) {
	e := testEnv(t, nil)
	r := rand.New(rand.NewPCG(1, 1))
	m := e.Base(r, newCaller(r), 1, 1)
	m.HS.MTU, m.HS.FlowWindow = 40, 1<<29
	b := clampFields(m.Encode(nil, nil), 108, 25600)
	var p packet.Packet
	require.NoError(t, p.Decode(b))
	assert.Equal(t, uint32(108), p.Handshake.MTU)
	assert.Equal(t, uint32(25600), p.Handshake.FlowWindow)
	assert.Contains(t, Contents(b), "MSS 108, flow window 25600, HSREQ")
}

func TestClassNames(t *testing.T) {
	names := map[string]bool{}
	for _, c := range Classes() {
		assert.False(t, names[c.Name], c.Name)
		names[c.Name] = true
		assert.Equal(t, c, ClassByName(c.Name))
		assert.NotEmpty(t, c.Doc)
		if c.Phase == PhasePost {
			assert.NotNil(t, c.Post, c.Name)
		} else {
			assert.NotNil(t, c.Mutate, c.Name)
		}
	}
	assert.Nil(t, ClassByName("nope"))
	assert.Equal(t, "post-handshake conclusion", fmt.Sprint(PhasePost, " ", PhaseConclusion))
}
