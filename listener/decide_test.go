package listener_test

import (
	"encoding/binary"
	"net/netip"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/srtwire/srtwire/crypt"
	"github.com/srtwire/srtwire/handshake"
	"github.com/srtwire/srtwire/listener"
	"github.com/srtwire/srtwire/packet"
	"github.com/srtwire/srtwire/reject"
)

var (
	t0     = time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	caller = netip.MustParseAddrPort("127.0.0.1:40000")
)

// hsOpt shapes a caller's CONCLUSION.
type hsOpt struct {
	version  uint32
	typeWord *uint32
	noHSReq  bool
	hsreq    handshake.HSReq
	hsreqLen int // bytes of HSREQ content (12 by default)
	sid      string
	cong     string
	filter   string
	km       *handshake.KeyMaterial
	raw      [][2]any // extra raw blocks: {ExtType, []byte}
	flags    *handshake.ExtFlags
	cookie   *uint32
	isn, mss uint32
	flow     uint32
	dst      uint32
	trailing []byte
	reqType  handshake.Type
}

func liveHSReq() handshake.HSReq {
	return handshake.HSReq{Version: handshake.MakeSRTVersion(1, 5, 1), Flags: 0xBF, RecvDelay: 120}
}

// conclusion builds a caller's CONCLUSION datagram with the codec.
func conclusion(t testing.TB, cfg *listener.Config, o hsOpt) []byte {
	t.Helper()
	h := handshake.Handshake{Version: 5, ISN: 1000, MTU: 1500, FlowWindow: 8192, Type: handshake.Conclusion,
		SocketID: 0x1234567, Cookie: cfg.Cookies.Cookie(caller, t0)}
	if o.version != 0 {
		h.Version = o.version
	}
	if o.reqType != 0 {
		h.Type = o.reqType
	}
	if o.isn != 0 {
		h.ISN = o.isn
	}
	if o.mss != 0 {
		h.MTU = o.mss
	}
	if o.flow != 0 {
		h.FlowWindow = o.flow
	}
	if o.cookie != nil {
		h.Cookie = *o.cookie
	}
	require.NoError(t, h.SetPeerAddr(netip.MustParseAddr("127.0.0.1")))
	hdr := packet.Header{Control: true, Type: packet.TypeHandshake, DstSocket: o.dst, Timestamp: 500}
	b, err := hdr.AppendBinary(nil)
	require.NoError(t, err)
	if o.typeWord != nil {
		h.Encryption, h.Extension = uint16(*o.typeWord>>16), uint16(*o.typeWord)
	}
	bl := handshake.NewBuilder(b, &h)
	if h.Version == 5 && !o.noHSReq {
		r := o.hsreq
		if r == (handshake.HSReq{}) {
			r = liveHSReq()
		}
		if o.hsreqLen != 0 && o.hsreqLen != 12 {
			v, _ := r.AppendBinary(nil)
			bl.AddRaw(handshake.ExtHSReq, v[:o.hsreqLen])
		} else {
			bl.AddHSReq(handshake.ExtHSReq, r)
		}
	}
	if o.sid != "" {
		bl.AddString(handshake.ExtSID, o.sid)
	}
	if o.cong != "" {
		bl.AddString(handshake.ExtCongestion, o.cong)
	}
	if o.filter != "" {
		bl.AddString(handshake.ExtFilter, o.filter)
	}
	for _, r := range o.raw {
		bl.AddRaw(r[0].(handshake.ExtType), r[1].([]byte))
	}
	if o.km != nil {
		bl.AddKM(handshake.ExtKMReq, *o.km)
	}
	b, err = bl.Finish()
	require.NoError(t, err)
	if o.flags != nil {
		binary.BigEndian.PutUint16(b[packet.HeaderSize+6:], uint16(*o.flags))
	}
	return append(b, o.trailing...)
}

func newCfg(t testing.TB) listener.Config {
	b, err := listener.NewCookieBaker(t0.Add(-10*time.Second), 0, nil)
	require.NoError(t, err)
	return listener.LiveConfig(b)
}

func sealKM(t testing.TB, pass string, keyLen int) *handshake.KeyMaterial {
	keys, err := crypt.NewKeys(fixedRand{}, keyLen, handshake.KeyEven)
	require.NoError(t, err)
	km, err := crypt.SealPassphrase(fixedRand{}, pass, keys, handshake.CipherAESCTR)
	require.NoError(t, err)
	return &km
}

type fixedRand struct{}

func (fixedRand) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(i*7 + 3)
	}
	return len(p), nil
}

func u32(v uint32) *uint32                        { return &v }
func fl(v handshake.ExtFlags) *handshake.ExtFlags { return &v }

const secret = "listener-secret-A"

// TestRows has one case per check of a libsrt 1.5.1 listener that a
// datagram can reach, with the handshake built by the codec.
func TestRows(t *testing.T) {
	type tc struct {
		name   string
		cfg    func(c *listener.Config)
		opt    hsOpt
		raw    func(cfg *listener.Config) []byte // instead of opt
		action listener.Action
		reason reject.Reason
		row    listener.Row
	}
	cases := []tc{
		{name: "short datagram", raw: func(*listener.Config) []byte { return make([]byte, 15) },
			action: listener.ActionSilent, reason: reject.Rogue, row: listener.RowChannel},
		{name: "longer than the MSS", raw: func(c *listener.Config) []byte {
			return conclusion(t, c, hsOpt{raw: [][2]any{{handshake.ExtType(99), make([]byte, 1400)}}})
		}, action: listener.ActionSilent, row: listener.RowChannel, reason: reject.Rogue},
		{name: "addressed to a socket", opt: hsOpt{dst: 77}, action: listener.ActionSilent, row: listener.RowAddressed},
		{name: "row 1 closing", cfg: func(c *listener.Config) { c.Closing = true },
			action: listener.ActionSilent, reason: reject.Close, row: listener.RowClosing},
		{name: "row 2 short CIF", raw: func(c *listener.Config) []byte { return conclusion(t, c, hsOpt{})[:16+47] },
			action: listener.ActionSilent, reason: reject.Rogue, row: listener.RowNotHandshake},
		{name: "row 2 keepalive", raw: func(c *listener.Config) []byte {
			b := conclusion(t, c, hsOpt{})
			binary.BigEndian.PutUint32(b, 0x80010000)
			return b
		}, action: listener.ActionSilent, reason: reject.Rogue, row: listener.RowNotHandshake},
		{name: "row 2 data packet", raw: func(c *listener.Config) []byte {
			b := conclusion(t, c, hsOpt{})
			b[0] = 0
			return b
		}, action: listener.ActionSilent, reason: reject.Rogue, row: listener.RowNotHandshake},
		{name: "row 3 induction", opt: hsOpt{version: 4, reqType: handshake.Induction, typeWord: u32(2)},
			action: listener.ActionInduction, row: listener.RowInduction},
		{name: "row 4 ISN 0x7FFFFFFF", opt: hsOpt{isn: 0x7FFFFFFF}, action: listener.ActionSilent, reason: reject.Rogue, row: listener.RowInvalid},
		{name: "row 4 MSS 31", opt: hsOpt{mss: 31}, action: listener.ActionSilent, reason: reject.Rogue, row: listener.RowInvalid},
		{name: "row 4 flow window 1", opt: hsOpt{flow: 1}, action: listener.ActionSilent, reason: reject.Rogue, row: listener.RowInvalid},
		{name: "row 4 version 3", opt: hsOpt{version: 3}, action: listener.ActionSilent, reason: reject.Rogue, row: listener.RowInvalid},
		{name: "row 5 wrong cookie", opt: hsOpt{cookie: u32(12345)}, action: listener.ActionSilent, reason: reject.RdvCookie, row: listener.RowCookie},
		{name: "row 6 version 6", opt: hsOpt{version: 6, noHSReq: true}, action: listener.ActionReject, reason: reject.Version, row: listener.RowVersion},
		{name: "row 7 HSv4 stream socket", opt: hsOpt{version: 4, typeWord: u32(1)}, action: listener.ActionReject, reason: reject.Rogue, row: listener.RowSocketType},
		{name: "row 9 backlog", cfg: func(c *listener.Config) { c.BacklogFull = true }, action: listener.ActionReject, reason: reject.Backlog, row: listener.RowBacklog},
		{name: "row 11 empty SID with a callback", cfg: func(c *listener.Config) { c.Accept = peerCallback },
			opt: hsOpt{raw: [][2]any{{handshake.ExtSID, []byte{}}}}, action: listener.ActionReject, reason: reject.Unknown, row: listener.RowHookConfig},
		{name: "row 11 group while groups are off (bonding)", cfg: func(c *listener.Config) { c.Accept, c.Bonding = peerCallback, true },
			opt: hsOpt{raw: [][2]any{{handshake.ExtGroup, []byte{0x40, 0, 0, 1, 1, 0, 0, 0}}}}, action: listener.ActionReject, reason: reject.Unknown, row: listener.RowHookConfig},
		{name: "row 12 callback 1403", cfg: func(c *listener.Config) { c.Accept = peerCallback },
			opt: hsOpt{sid: "#!::r=forbidden"}, action: listener.ActionReject, reason: reject.Forbidden, row: listener.RowCallback},
		{name: "row 12 callback 2005", cfg: func(c *listener.Config) { c.Accept = peerCallback },
			opt: hsOpt{sid: "#!::r=user2005"}, action: listener.ActionReject, reason: 2005, row: listener.RowCallback},
		{name: "row 12 callback without reason (1.5.1: UNKNOWN)", cfg: func(c *listener.Config) { c.Accept = peerCallback },
			opt: hsOpt{sid: "#!::r=noreason"}, action: listener.ActionReject, reason: reject.Unknown, row: listener.RowCallback},
		{name: "row 12 callback without reason (1.5.2: FALLBACK)", cfg: func(c *listener.Config) {
			c.Accept, c.Version = peerCallback, handshake.MakeSRTVersion(1, 5, 2)
		}, opt: hsOpt{sid: "#!::r=noreason"}, action: listener.ActionReject, reason: reject.Fallback, row: listener.RowCallback},
		{name: "row 13 HSv4 with minversion 1.3.0", cfg: func(c *listener.Config) { c.MinVersion = 0x010300 },
			opt: hsOpt{version: 4, typeWord: u32(2)}, action: listener.ActionReject, reason: reject.Version, row: listener.RowHSv4MinVersion},
		{name: "row 14 no extensions", opt: hsOpt{noHSReq: true, typeWord: u32(1)}, action: listener.ActionReject, reason: reject.Rogue, row: listener.RowNoExtensions},
		{name: "row 14 flags 0", opt: hsOpt{flags: fl(0)}, action: listener.ActionReject, reason: reject.Rogue, row: listener.RowNoExtensions},
		{name: "row 14 HSREQ of 2 words", opt: hsOpt{hsreqLen: 8}, action: listener.ActionReject, reason: reject.Rogue, row: listener.RowNoExtensions},
		{name: "row 14 HSREQ flag, broken block", opt: hsOpt{noHSReq: true, flags: fl(handshake.FlagHSReq), trailing: []byte{0, 5, 0, 9}},
			action: listener.ActionReject, reason: reject.Rogue, row: listener.RowNoExtensions},
		{name: "row 15 HSv5 announcing 1.2.0", opt: hsOpt{hsreq: handshake.HSReq{Version: 0x010200, Flags: 0xBF}},
			action: listener.ActionReject, reason: reject.Rogue, row: listener.RowHSReqRogue},
		{name: "row 16 minversion", cfg: func(c *listener.Config) { c.MinVersion = 0x010502 },
			action: listener.ActionReject, reason: reject.Version, row: listener.RowMinVersion},
		{name: "row 17 stream caller, live listener", opt: hsOpt{hsreq: handshake.HSReq{Version: 0x010501, Flags: 0xE4}},
			action: listener.ActionReject, reason: reject.MessageAPI, row: listener.RowMessageAPI},
		{name: "row 18 KM, no passphrase, enforced", opt: hsOpt{km: sealKM(t, secret, 16)},
			action: listener.ActionReject, reason: reject.Unsecure, row: listener.RowNoSecretEnforced},
		{name: "row 19 KMREQ flag, broken block", cfg: func(c *listener.Config) { c.Passphrase = secret },
			opt:    hsOpt{flags: fl(handshake.FlagHSReq | handshake.FlagKMReq), trailing: []byte{0, 3, 0, 9}},
			action: listener.ActionReject, reason: reject.Rogue, row: listener.RowNoKMBlock},
		{name: "row 21 wrong passphrase", cfg: func(c *listener.Config) { c.Passphrase = secret },
			opt: hsOpt{km: sealKM(t, "caller-secret-BB", 16)}, action: listener.ActionReject, reason: reject.BadSecret, row: listener.RowKMFailed},
		{name: "row 21 AES-GCM key material (1.5.1: NOSECRET, so UNSECURE)", cfg: func(c *listener.Config) { c.Passphrase = secret },
			opt: hsOpt{km: func() *handshake.KeyMaterial {
				k := sealKM(t, secret, 16)
				k.Cipher, k.Auth = handshake.CipherAESGCM, 1
				return k
			}()},
			action: listener.ActionReject, reason: reject.Unsecure, row: listener.RowKMFailed},
		{name: "row 22 passphrase, caller has none", cfg: func(c *listener.Config) { c.Passphrase = secret },
			action: listener.ActionReject, reason: reject.Unsecure, row: listener.RowPeerNoKM},
		{name: "row 23 second CONGESTION", cfg: func(c *listener.Config) { c.Congestion = "file"; c.MessageAPI = true },
			opt:    hsOpt{cong: "file", raw: [][2]any{{handshake.ExtCongestion, []byte("elif")}}},
			action: listener.ActionReject, reason: reject.Rogue, row: listener.RowConfigRogue},
		{name: "row 23 short GROUP (bonding)", cfg: func(c *listener.Config) { c.Bonding, c.GroupsAllowed = true, true },
			opt: hsOpt{raw: [][2]any{{handshake.ExtGroup, []byte{0x40, 0, 0, 1}}}}, action: listener.ActionReject, reason: reject.Rogue, row: listener.RowConfigRogue},
		{name: "row 24 empty SID, no callback", opt: hsOpt{raw: [][2]any{{handshake.ExtSID, []byte{}}}},
			action: listener.ActionReject, reason: reject.Unknown, row: listener.RowConfigLength},
		{name: "row 24 CONGESTION of 20 bytes", opt: hsOpt{raw: [][2]any{{handshake.ExtCongestion, make([]byte, 20)}}},
			action: listener.ActionReject, reason: reject.Unknown, row: listener.RowConfigLength},
		{name: "row 25 file caller, live listener", opt: hsOpt{cong: "file"},
			action: listener.ActionReject, reason: reject.Congestion, row: listener.RowCongestion},
		{name: "row 25 file listener, caller sends none", cfg: func(c *listener.Config) { c.Congestion = "file" },
			action: listener.ActionReject, reason: reject.Congestion, row: listener.RowCongestion},
		{name: "row 26 FEC mismatch", cfg: func(c *listener.Config) { c.Filter = "fec,cols:4,rows:2" },
			opt: hsOpt{filter: "fec,cols:5,rows:2"}, action: listener.ActionReject, reason: reject.Filter, row: listener.RowFilter},
		{name: "row 26 unknown filter", opt: hsOpt{filter: "xor,cols:5"}, action: listener.ActionReject, reason: reject.Filter, row: listener.RowFilter},
		{name: "row 26 second FILTER", opt: hsOpt{filter: "fec,cols:4", raw: [][2]any{{handshake.ExtFilter, []byte("4:sloc,cef")}}},
			action: listener.ActionReject, reason: reject.Filter, row: listener.RowFilter},
		{name: "row 27 group type 3 (bonding)", cfg: func(c *listener.Config) { c.Bonding, c.GroupsAllowed = true, true },
			opt: hsOpt{raw: [][2]any{{handshake.ExtGroup, []byte{0x40, 0, 0, 1, 3, 0, 0, 0}}}}, action: listener.ActionReject, reason: reject.Group, row: listener.RowGroup},
		{name: "row 28 FEC with one column", opt: hsOpt{filter: "fec,cols:1"}, action: listener.ActionReject, reason: reject.Filter, row: listener.RowSetup},
		{name: "accept", action: listener.ActionAccept, row: listener.RowAccept},
		{name: "accept HSv4", opt: hsOpt{version: 4, typeWord: u32(2)}, action: listener.ActionAccept, row: listener.RowAccept},
		{name: "accept without HSREQ flag (bare answer)", cfg: func(c *listener.Config) { c.Accept = peerCallback },
			opt: hsOpt{noHSReq: true, sid: "#!::r=ok"}, action: listener.ActionAccept, row: listener.RowAccept},
		{name: "accept, wrong passphrase not enforced", cfg: func(c *listener.Config) { c.Passphrase, c.EnforcedEncryption = secret, false },
			opt: hsOpt{km: sealKM(t, "caller-secret-BB", 16)}, action: listener.ActionAccept, row: listener.RowAccept},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := newCfg(t)
			if c.cfg != nil {
				c.cfg(&cfg)
			}
			var in []byte
			if c.raw != nil {
				in = c.raw(&cfg)
			} else {
				in = conclusion(t, &cfg, c.opt)
			}
			d := listener.Decide(&cfg, in, caller, t0, nil)
			assert.Equal(t, c.action, d.Action, d.Why())
			assert.Equal(t, c.reason, d.Reason, d.Why())
			assert.Equal(t, c.row, d.Row, d.Why())
			assert.NotEmpty(t, d.Why())
			if d.Action == listener.ActionSilent {
				assert.Nil(t, d.Answer)
				return
			}
			var p packet.Packet
			require.NoError(t, p.Decode(d.Answer), "the answer decodes")
			if d.Action == listener.ActionReject && !d.Shutdown {
				got, ok := p.Handshake.Type.Reason()
				require.True(t, ok)
				assert.Equal(t, c.reason, got)
				assert.Equal(t, int32(reject.WireOffset)+int32(c.reason), int32(p.Handshake.Type))
				assert.Len(t, d.Answer, 64, "a rejection is a bare 48-byte handshake")
			}
		})
	}
}

// TestHSv4RejectIsShutdown: libsrt answers a refused HSv4 caller with a
// SHUTDOWN (processConnectRequest), except for rows 6 and 7, which send
// the handshake.
func TestHSv4RejectIsShutdown(t *testing.T) {
	cfg := newCfg(t)
	cfg.BacklogFull = true
	d := listener.Decide(&cfg, conclusion(t, &cfg, hsOpt{version: 4, typeWord: u32(2)}), caller, t0, nil)
	require.Equal(t, listener.ActionReject, d.Action)
	assert.True(t, d.Shutdown)
	var p packet.Packet
	require.NoError(t, p.Decode(d.Answer))
	assert.Equal(t, packet.KindShutdown, p.Kind())
}

func TestAnswerFields(t *testing.T) {
	cfg := newCfg(t)
	cfg.SetLatency(500)
	cfg.Filter = "fec,cols:4,rows:2"
	r := liveHSReq()
	r.RecvDelay, r.SendDelay = 20, 20
	d := listener.Decide(&cfg, conclusion(t, &cfg, hsOpt{hsreq: r, filter: "fec,cols:4,rows:2", mss: 1400}), caller, t0, nil)
	require.Equal(t, listener.ActionAccept, d.Action, d.Why())
	var p packet.Packet
	require.NoError(t, p.Decode(d.Answer))
	hs := &p.Handshake
	assert.Equal(t, uint32(0x1234567), p.DstSocket)
	assert.Equal(t, uint32(1400), hs.MTU, "the smaller MSS")
	assert.Equal(t, uint32(8192), hs.FlowWindow)
	assert.Equal(t, uint32(1000), hs.ISN, "the caller's ISN")
	assert.Equal(t, "", hs.StreamID(), "no SID in the answer")
	o, err := hs.SRTOptions()
	require.NoError(t, err)
	assert.Equal(t, uint16(500), o.RecvDelay)
	assert.Equal(t, uint16(500), o.SendDelay)
	assert.Equal(t, handshake.SRTFlags(0xBF), o.Flags)
	assert.Equal(t, "fec,arq:onreq,cols:4,layout:staircase,rows:2", hs.Filter())

	// The caller's latency wins when it is larger.
	cfg.SetLatency(20)
	r.RecvDelay, r.SendDelay = 500, 120
	d = listener.Decide(&cfg, conclusion(t, &cfg, hsOpt{hsreq: r, filter: "fec,cols:4,rows:2"}), caller, t0, nil)
	require.NoError(t, p.Decode(d.Answer))
	o, _ = p.Handshake.SRTOptions()
	assert.Equal(t, uint16(120), o.RecvDelay)
	assert.Equal(t, uint16(500), o.SendDelay)
}

func TestKMAnswers(t *testing.T) {
	for _, kl := range []int{16, 24, 32} {
		cfg := newCfg(t)
		cfg.Passphrase, cfg.PBKeyLen = secret, kl
		km := sealKM(t, secret, kl)
		d := listener.Decide(&cfg, conclusion(t, &cfg, hsOpt{km: km}), caller, t0, nil)
		require.Equal(t, listener.ActionAccept, d.Action, d.Why())
		assert.Equal(t, handshake.KMSecured, d.KMState)
		var p packet.Packet
		require.NoError(t, p.Decode(d.Answer))
		assert.Equal(t, uint16(kl/8), p.Handshake.Encryption)
		var got handshake.KeyMaterial
		require.NoError(t, p.Handshake.KeyMaterial(&got))
		want, _ := km.AppendBinary(nil)
		echo, _ := got.AppendBinary(nil)
		assert.Equal(t, want, echo, "KMRSP echoes the KMREQ")
	}
	// No passphrase, not enforced: accepted with NOSECRET.
	cfg := newCfg(t)
	cfg.EnforcedEncryption = false
	d := listener.Decide(&cfg, conclusion(t, &cfg, hsOpt{km: sealKM(t, secret, 16)}), caller, t0, nil)
	require.Equal(t, listener.ActionAccept, d.Action)
	assert.Equal(t, handshake.KMNoSecret, d.KMState)
	// Passphrase, caller without, not enforced: UNSECURED.
	cfg.Passphrase = secret
	d = listener.Decide(&cfg, conclusion(t, &cfg, hsOpt{}), caller, t0, nil)
	require.Equal(t, listener.ActionAccept, d.Action)
	assert.True(t, d.KMRSP)
	assert.Equal(t, handshake.KMUnsecured, d.KMState)
}

// TestRepeat: with a Peers table, a repeated CONCLUSION gets the first
// answer again, even after the callback would refuse it (newConnection).
func TestRepeat(t *testing.T) {
	cfg := newCfg(t)
	cfg.Peers = listener.NewPeers(0)
	refuse := false
	cfg.Accept = func(string, *listener.Request) (bool, reject.Reason) { return !refuse, reject.Forbidden }
	in := conclusion(t, &cfg, hsOpt{sid: "x"})
	d1 := listener.Decide(&cfg, in, caller, t0, nil)
	require.Equal(t, listener.ActionAccept, d1.Action)
	refuse = true
	d2 := listener.Decide(&cfg, in, caller, t0.Add(time.Second), nil)
	assert.Equal(t, listener.ActionAccept, d2.Action)
	assert.Equal(t, listener.RowRepeat, d2.Row)
	assert.Equal(t, d1.Answer, d2.Answer)
	cfg.Peers.Forget(caller, 0x1234567, 1000)
	d3 := listener.Decide(&cfg, in, caller, t0.Add(time.Second), nil)
	assert.Equal(t, listener.ActionReject, d3.Action)
}

func TestDecideAllocs(t *testing.T) {
	cfg := newCfg(t)
	in := conclusion(t, &cfg, hsOpt{sid: "#!::r=live/feed1,m=publish,u=alice"})
	out := make([]byte, 0, 1500)
	n := testing.AllocsPerRun(200, func() {
		if d := listener.Decide(&cfg, in, caller, t0, out); d.Action != listener.ActionAccept {
			t.Fatal(d.Why())
		}
	})
	assert.Zero(t, n)
}

func TestConfigCheck(t *testing.T) {
	cfg := newCfg(t)
	assert.NoError(t, cfg.Check())
	cfg.Filter = "fec,cols:1"
	assert.ErrorIs(t, cfg.Check(), listener.ErrFilter)
	cfg.Filter, cfg.PBKeyLen = "", 20
	assert.ErrorIs(t, cfg.Check(), listener.ErrKeyLen)
	cfg.PBKeyLen, cfg.Passphrase = 16, "short"
	assert.ErrorIs(t, cfg.Check(), crypt.ErrPassphraseLength)
	for r := listener.RowNone; r <= listener.RowAccept; r++ {
		assert.NotContains(t, r.String(), "Row(")
	}
	assert.Equal(t, 29, listener.RowAccept.Number())
	assert.Equal(t, 21, listener.RowKMFailed.Number())
}

func TestDecideHandshake(t *testing.T) {
	cfg := newCfg(t)
	in := conclusion(t, &cfg, hsOpt{})
	var p packet.Packet
	require.NoError(t, p.Decode(in))
	d1 := listener.DecideHandshake(&cfg, &p.Header, &p.Handshake, caller, t0, nil)
	d2 := listener.Decide(&cfg, in, caller, t0, nil)
	assert.Equal(t, d2, d1)
	p.DstSocket = 9
	assert.Equal(t, listener.RowAddressed, listener.DecideHandshake(&cfg, &p.Header, &p.Handshake, caller, t0, nil).Row)
}

func TestPeersBounded(t *testing.T) {
	cfg := newCfg(t)
	cfg.Peers = listener.NewPeers(3)
	for i := 0; i < 10; i++ {
		from := netip.AddrPortFrom(caller.Addr(), uint16(41000+i))
		h := handshake.Handshake{Version: 5, ISN: 1000, MTU: 1500, FlowWindow: 8192, Type: handshake.Conclusion,
			SocketID: uint32(100 + i), Cookie: cfg.Cookies.Cookie(from, t0)}
		hdr := packet.Header{Control: true, Type: packet.TypeHandshake}
		b, _ := hdr.AppendBinary(nil)
		bl := handshake.NewBuilder(b, &h)
		bl.AddHSReq(handshake.ExtHSReq, liveHSReq())
		in, err := bl.Finish()
		require.NoError(t, err)
		d := listener.Decide(&cfg, in, from, t0, nil)
		require.Equal(t, listener.ActionAccept, d.Action, d.Why())
		cfg.Peers.Forget(from, uint32(100+i-1), 1000) // forgetting an evicted or unknown caller is harmless
	}
	assert.LessOrEqual(t, cfg.Peers.Len(), 3)
}
