//go:build interop

package interop

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"testing"

	"github.com/srtwire/srtwire/capture"
	"github.com/srtwire/srtwire/handshake"
	"github.com/srtwire/srtwire/internal/testcorpus"
	"github.com/srtwire/srtwire/packet"
)

// tally counts what was compared.
type tally struct {
	Packets int // SRT packets decoded by both
	TShark  int // fields compared with tshark
	Raw     int // fields compared with the raw bytes, where tshark 4.0 is wrong or silent
	Kinds   map[string]int
}

func (a *tally) add(b tally) {
	a.Packets += b.Packets
	a.TShark += b.TShark
	a.Raw += b.Raw
	if a.Kinds == nil {
		a.Kinds = map[string]int{}
	}
	for k, v := range b.Kinds {
		a.Kinds[k] += v
	}
}

// frameCmp compares one frame of our decode with tshark's.
type frameCmp struct {
	t     *testing.T
	where string
	tp    testcorpus.TSharkPacket
	data  []byte // the datagram
	n     *tally
	fails int
}

func (c *frameCmp) errorf(format string, args ...any) {
	c.t.Helper()
	c.fails++
	if c.fails <= 20 {
		c.t.Errorf("%s: %s", c.where, fmt.Sprintf(format, args...))
	}
}

// u compares an unsigned field with tshark's key.
func (c *frameCmp) u(key string, ours uint64) {
	c.t.Helper()
	v, ok := c.tp.Uint(key)
	if !ok {
		s, _ := c.tp.Str(key)
		c.errorf("tshark has no number %s (%q); ours is %d", key, s, ours)
		return
	}
	c.n.TShark++
	if v != ours {
		c.errorf("%s: tshark %d (0x%x), ours %d (0x%x)", key, v, v, ours, ours)
	}
}

// i compares a signed field.
func (c *frameCmp) i(key string, ours int64) {
	c.t.Helper()
	v, ok := c.tp.Int(key)
	if !ok {
		c.errorf("tshark has no number %s; ours is %d", key, ours)
		return
	}
	c.n.TShark++
	if v != ours {
		c.errorf("%s: tshark %d, ours %d", key, v, ours)
	}
}

// s compares a string field.
func (c *frameCmp) s(key, ours string) {
	c.t.Helper()
	v, ok := c.tp.Str(key)
	if !ok {
		c.errorf("tshark has no %s; ours is %q", key, ours)
		return
	}
	c.n.TShark++
	if v != ours {
		c.errorf("%s: tshark %q, ours %q", key, v, ours)
	}
}

// b compares a boolean (0/1) field.
func (c *frameCmp) b(key string, ours bool) {
	c.t.Helper()
	var o uint64
	if ours {
		o = 1
	}
	c.u(key, o)
}

// bytesEq compares a hex-bytes field.
func (c *frameCmp) bytesEq(key string, ours []byte) {
	c.t.Helper()
	v, ok := c.tp.Bytes(key)
	if !ok {
		c.errorf("tshark has no bytes %s", key)
		return
	}
	c.n.TShark++
	if !bytes.Equal(v, ours) {
		c.errorf("%s: tshark % x, ours % x", key, v, ours)
	}
}

// raw compares our decode with an independent reading of the bytes.
func (c *frameCmp) raw(name string, want, got any) {
	c.t.Helper()
	c.n.Raw++
	if fmt.Sprint(want) != fmt.Sprint(got) {
		c.errorf("%s (raw bytes): bytes say %v, ours %v", name, want, got)
	}
}

func be32(b []byte, off int) uint32 { return binary.BigEndian.Uint32(b[off:]) }

// rawPeerIP decodes the 16 Peer IP bytes independently: every 4-byte group
// reversed; IPv4 when the last three groups are zero.
func rawPeerIP(b []byte) netip.Addr {
	var a [16]byte
	for g := 0; g < 4; g++ {
		for k := 0; k < 4; k++ {
			a[4*g+k] = b[4*g+3-k]
		}
	}
	if bytes.Equal(a[4:], make([]byte, 12)) {
		return netip.AddrFrom4([4]byte(a[:4]))
	}
	return netip.AddrFrom16(a)
}

// rawString decodes a string extension independently: every 4-byte group
// reversed, NULs trimmed.
func rawString(v []byte) string {
	out := make([]byte, 0, len(v))
	for g := 0; g+4 <= len(v); g += 4 {
		out = append(out, v[g+3], v[g+2], v[g+1], v[g])
	}
	return strings.TrimRight(string(out), "\x00")
}

// kindOf names a packet's kind for the coverage summary.
func kindOf(p *packet.Packet) string {
	if !p.Control {
		switch {
		case p.IsFEC():
			return "DATA/FEC"
		case p.Retransmitted:
			return "DATA/R=1"
		case p.Key != handshake.KeyNone:
			return "DATA/encrypted"
		}
		return "DATA"
	}
	switch p.Type {
	case packet.TypeACK:
		return "ACK/" + p.ACK.Variant.String()
	case packet.TypeHandshake:
		if r, ok := p.Handshake.Type.Reason(); ok {
			return fmt.Sprintf("HANDSHAKE/REJECT(%d)", int32(r))
		}
		return "HANDSHAKE/" + p.Handshake.Type.String()
	case packet.TypeUserDefined:
		return "UMSG_EXT/" + p.Subtype.String()
	}
	return p.Type.String()
}

// compareFrame checks every field of one SRT frame against tshark's decode,
// and against the raw bytes where tshark 4.0 is wrong.
func compareFrame(t *testing.T, where string, f *capture.Frame, tp testcorpus.TSharkPacket, n *tally) {
	t.Helper()
	c := &frameCmp{t: t, where: where, tp: tp, data: f.Data, n: n}
	p := &f.Packet
	if f.Err != nil {
		c.errorf("our decode failed: %v", f.Err)
		return
	}
	n.Packets++
	if n.Kinds == nil {
		n.Kinds = map[string]int{}
	}
	n.Kinds[kindOf(p)]++
	if tp.UDPPayload != nil {
		c.n.TShark++
		if !bytes.Equal(tp.UDPPayload, f.Data) {
			c.errorf("udp.payload differs from the datagram the Reader handed out")
		}
	}
	c.b("srt.iscontrol", p.Control)
	c.u("srt.timestamp", uint64(p.Timestamp))
	c.u("srt.id", uint64(p.DstSocket))
	if !p.Control {
		c.u("srt.seqno", uint64(p.Seq))
		c.u("srt.pb", uint64(p.Position))
		c.b("srt.msg.order", p.InOrder)
		c.u("srt.msg.enc", uint64(p.Key))
		c.b("srt.msg.rexmit", p.Retransmitted)
		c.u("srt.msgno", uint64(p.MsgNo))
		if len(p.Payload) > 0 {
			c.u("data.len", uint64(len(p.Payload)))
			c.bytesEq("data.data", p.Payload)
		}
		if p.IsFEC() { // tshark shows FEC packets as plain data: check the FEC header on the bytes
			h, _, err := p.FEC()
			if err != nil {
				c.errorf("FEC: %v", err)
			} else {
				c.raw("FEC group index", int8(f.Data[16]), h.Index)
				c.raw("FEC length XOR", binary.BigEndian.Uint16(f.Data[18:]), h.LengthXor)
			}
		}
		return
	}
	c.u("srt.type", uint64(p.Type))
	if p.Type == packet.TypeUserDefined {
		c.u("srt.exttype", uint64(p.Subtype))
	} else {
		c.u("srt.exttype_none", uint64(p.Subtype))
	}
	ai := tp.All("srt.addinfo")
	switch p.Type {
	case packet.TypeACK:
		c.u("srt.ackno", uint64(p.Info))
		c.u("srt.ack_seqno", uint64(p.ACK.LastAckSeq))
		for _, f := range []struct {
			key  string
			v    uint32
			from packet.ACKVariant
		}{
			{"srt.rtt", p.ACK.RTT, packet.ACKSmall}, {"srt.rttvar", p.ACK.RTTVar, packet.ACKSmall},
			{"srt.bufavail", p.ACK.AvailBuf, packet.ACKSmall}, {"srt.rate", p.ACK.PktRate, packet.ACKFull24},
			{"srt.bw", p.ACK.Bandwidth, packet.ACKFull24}, {"srt.rcvrate", p.ACK.RecvRate, packet.ACKFull},
		} {
			if p.ACK.Variant >= f.from {
				c.u(f.key, uint64(f.v))
			} else if _, ok := tp.Str(f.key); ok {
				c.errorf("tshark has %s, which a %v ACK does not carry", f.key, p.ACK.Variant)
			}
		}
	case packet.TypeACKACK:
		c.u("srt.ackno", uint64(p.Info))
	case packet.TypeNAK:
		// tshark 4.0 shows the loss list only as expert messages.
		var ours []testcorpus.LossRange
		lc := p.NAK.Losses()
		for lc.Next() {
			lo, hi := lc.Range()
			ours = append(ours, testcorpus.LossRange{First: uint32(lo), Last: uint32(hi)})
		}
		c.n.TShark++
		if fmt.Sprint(ours) != fmt.Sprint(tp.Loss()) {
			c.errorf("NAK loss list: tshark %v, ours %v", tp.Loss(), ours)
		}
		c.u("srt.addinfo", uint64(p.Info))
	case packet.TypeKeepalive, packet.TypeShutdown, packet.TypePeerError, packet.TypeCongestionWarning:
		// tshark shows the type-specific word, then libsrt's padding word.
		c.n.TShark += 2
		if len(ai) != 2 || ai[0] != strconv.FormatUint(uint64(p.Info), 10) || ai[1] != "0" {
			c.errorf("srt.addinfo: tshark %q, ours [%d 0] (+ padding)", ai, p.Info)
		}
		c.raw("padding CIF", "[0 0 0 0]", fmt.Sprint(p.CIF))
	case packet.TypeDropReq:
		// tshark 4.0 decodes only part of a DROPREQ: check on the bytes.
		c.raw("DROPREQ msgno", be32(f.Data, 4)&0x03FFFFFF, uint32(p.DropMsgNo()))
		c.raw("DROPREQ first", be32(f.Data, 16), uint32(p.DropReq.First))
		c.raw("DROPREQ last", be32(f.Data, 20), uint32(p.DropReq.Last))
	case packet.TypeUserDefined:
		c.u("srt.addinfo", uint64(p.Info))
		if p.IsKMState() {
			st, err := p.KMState()
			if err != nil {
				c.errorf("KMSTATE: %v", err)
			}
			c.raw("UMSG_EXT KMRSP state (little-endian)", binary.LittleEndian.Uint32(f.Data[16:]), uint32(st))
		} else if p.Subtype == packet.SubtypeKMReq || p.Subtype == packet.SubtypeKMRsp {
			var km handshake.KeyMaterial
			if err := p.KeyMaterial(&km); err != nil {
				c.errorf("key material: %v", err)
			}
			c.bytesEq("srt.km.msg", p.CIF)
		}
	case packet.TypeHandshake:
		if len(ai) > 0 {
			c.n.TShark++
			if ai[0] != strconv.FormatUint(uint64(p.Info), 10) {
				c.errorf("srt.addinfo: tshark %q, ours %d", ai[0], p.Info)
			}
		}
		compareHandshake(c, &p.Handshake)
	}
}

func compareHandshake(c *frameCmp, hs *handshake.Handshake) {
	t := c.t
	t.Helper()
	cif := c.data[packet.HeaderSize:]
	vers := c.tp.All("srt.hs.version")
	c.n.TShark++
	if len(vers) == 0 || vers[0] != strconv.FormatUint(uint64(hs.Version), 10) {
		c.errorf("srt.hs.version: tshark %q, ours %d", vers, hs.Version)
	}
	if hs.Version == handshake.Version4 {
		c.u("srt.hs.socktype", uint64(hs.TypeWord()))
	} else {
		c.u("srt.hs.encfield", uint64(hs.Encryption))
		c.u("srt.hs.extfield", uint64(hs.Extension))
		if !hs.HasMagic() {
			if _, ok := c.tp.Str("srt.hs.extfield.hsreq"); ok {
				f := hs.Flags()
				c.b("srt.hs.extfield.hsreq", f&handshake.FlagHSReq != 0)
				c.b("srt.hs.extfield.kmreq", f&handshake.FlagKMReq != 0)
				c.b("srt.hs.extfield.config", f&handshake.FlagConfig != 0)
			}
		}
	}
	c.u("srt.hs.isn", uint64(hs.ISN))
	c.u("srt.hs.mtu", uint64(hs.MTU))
	c.u("srt.hs.flow_window", uint64(hs.FlowWindow))
	c.i("srt.hs.reqtype", int64(hs.Type))
	c.u("srt.hs.id", uint64(hs.SocketID))
	c.u("srt.hs.cookie", uint64(hs.Cookie))
	c.raw("Peer IP", rawPeerIP(cif[32:48]), hs.PeerAddr())
	if hs.PeerAddr().Is4() { // tshark 4.0 shows an IPv6 Peer IP as 0.0.0.0
		c.s("srt.hs.peerip", hs.PeerAddr().String())
	}

	types, lens := c.tp.All("srt.hs.blocktype"), c.tp.All("srt.hs.blocklen")
	it := hs.Extensions()
	i := 0
	for it.Next() {
		v := it.Value()
		off := it.Offset()
		c.raw("block type", be32(cif, off)>>16, uint32(it.Type()))
		c.raw("block length", be32(cif, off)&0xFFFF, uint32(it.Words()))
		if i >= len(types) || i >= len(lens) {
			c.errorf("tshark shows %d blocks, we find more", len(types))
			i++
			continue
		}
		c.n.TShark += 2
		if ty, _ := testcorpus.ParseUint(types[i]); ty != uint64(it.Type()) {
			c.errorf("srt.hs.blocktype[%d]: tshark %s, ours %v", i, types[i], it.Type())
		}
		if l, _ := testcorpus.ParseUint(lens[i]); l != uint64(it.Words()) {
			c.errorf("srt.hs.blocklen[%d]: tshark %s, ours %d", i, lens[i], it.Words())
		}
		i++
		switch it.Type() {
		case handshake.ExtHSReq, handshake.ExtHSRsp:
			var r handshake.HSReq
			if err := r.Decode(v); err != nil {
				c.errorf("HSREQ: %v", err)
				continue
			}
			c.n.TShark++
			if len(vers) < 2 || vers[1] != fmt.Sprintf("0x%08x", uint32(r.Version)) {
				c.errorf("srt.hs.version (SRT version): tshark %q, ours %v", vers, r.Version)
			}
			c.u("srt.hs.srtflags", uint64(r.Flags))
			for _, fl := range []struct {
				key string
				f   handshake.SRTFlags
			}{
				{"srt.hs.srtflags.tsbpd_snd", handshake.FlagTSBPDSnd}, {"srt.hs.srtflags.tsbpd_rcv", handshake.FlagTSBPDRcv},
				{"srt.hs.srtflags.haicrypt", handshake.FlagCrypt}, {"srt.hs.srtflags.tlpkt_drop", handshake.FlagTLPktDrop},
				{"srt.hs.srtflags.nak_report", handshake.FlagPeriodicNAK}, {"srt.hs.srtflags.rexmit", handshake.FlagRexmit},
				{"srt.hs.srtflags.stream", handshake.FlagStream},
			} {
				c.b(fl.key, r.Flags&fl.f != 0)
			}
			// tshark 4.0 does not decode FILTERCAP (0x80).
			c.raw("FILTERCAP flag", v[7]&0x80 != 0, r.Flags&handshake.FlagFilterCap != 0)
			c.u("srt.hs.peer_latency", uint64(r.RecvDelay))
			c.u("srt.hs.agent_latency", uint64(r.SendDelay))
		case handshake.ExtSID:
			c.s("srt.hs.sid", handshake.DecodeString(v))
			c.raw("SID", rawString(v), hs.StreamID())
		case handshake.ExtCongestion:
			c.s("srt.hs.conjestctrl", handshake.DecodeString(v))
			c.raw("CONGESTION", rawString(v), hs.Congestion())
		case handshake.ExtFilter:
			// tshark 4.0 does not know FILTER (type 7): raw bytes only.
			c.raw("FILTER", rawString(v), hs.Filter())
		case handshake.ExtKMReq, handshake.ExtKMRsp:
			if it.Words() == 1 {
				st, err := handshake.DecodeKMState(v)
				if err != nil {
					c.errorf("KM state: %v", err)
				}
				// libsrt writes the state little-endian; tshark 4.0
				// reads it big-endian (4 shows as 67108864).
				c.raw("KMRSP state (little-endian)", binary.LittleEndian.Uint32(v), uint32(st))
				if e, ok := c.tp.Uint("srt.km.error"); !ok || (e != uint64(binary.BigEndian.Uint32(v)) && e != uint64(st)) {
					c.errorf("srt.km.error: tshark %d, neither the big-endian reading %d nor the state %d", e, binary.BigEndian.Uint32(v), st)
				}
				c.n.TShark++
				continue
			}
			var km handshake.KeyMaterial
			if err := km.Decode(v); err != nil {
				c.errorf("key material: %v", err)
				continue
			}
			c.bytesEq("srt.km.msg", v)
			c.raw("KM key length", int(v[15])*4, km.KeyLen)
			c.raw("KM cipher", v[8], uint8(km.Cipher))
		default:
			c.errorf("unexpected extension block %v", it.Type())
		}
	}
	if err := it.Err(); err != nil {
		c.errorf("extension blocks: %v", err)
	}
	if i != len(types) {
		c.errorf("tshark shows %d blocks, we find %d", len(types), i)
	}
}
