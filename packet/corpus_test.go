package packet

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/srtwire/srtwire/handshake"
	"github.com/srtwire/srtwire/internal/testcorpus"
)

// TestCorpus decodes every SRT packet of every libsrt capture, compares it
// field by field with the independent decode (raw.tsv) and with Wireshark's
// (tshark.json.gz), and re-encodes it to the same bytes.
func TestCorpus(t *testing.T) {
	caps, err := testcorpus.Captures()
	require.NoError(t, err)
	require.NotEmpty(t, caps)
	counts := map[string]int{}
	total := 0
	prefixed := map[string]bool{} // kinds whose first packet had its prefixes checked
	for _, c := range caps {
		t.Run(c.Name, func(t *testing.T) {
			frames, err := testcorpus.Frames(c.Name)
			require.NoError(t, err)
			raw, err := testcorpus.Raw(c.Name)
			require.NoError(t, err)
			tsList, err := testcorpus.TShark(c.Name)
			require.NoError(t, err)
			ts := map[int]testcorpus.TSharkPacket{}
			for _, tp := range tsList {
				if tp.SRT != nil {
					ts[tp.Frame] = tp
				}
			}
			n := 0
			for _, f := range frames {
				if !c.IsSRT(f) {
					continue
				}
				n++
				where := fmt.Sprintf("%s frame %d", c.Name, f.Number)
				var p Packet
				require.NoError(t, p.Decode(f.Payload), where)

				rl, ok := raw[f.Number]
				require.True(t, ok, "%s: not in raw.tsv", where)
				checkRaw(t, where, &p, rl)
				tp, ok := ts[f.Number]
				require.True(t, ok, "%s: not in tshark.json", where)
				if tp.UDPPayload != nil {
					require.Equal(t, tp.UDPPayload, f.Payload, where)
				}
				checkTShark(t, where, &p, tp)

				out, err := p.AppendBinary(nil)
				require.NoError(t, err, where)
				require.Equal(t, f.Payload, out, "%s: re-encoding", where)
				require.Equal(t, len(f.Payload), p.MarshalSize(), where)
				// Clone keeps the same packet.
				require.Equal(t, &p, p.Clone(), where)

				for _, k := range kindsOf(&p) {
					counts[k]++
					if !prefixed[k] {
						prefixed[k] = true
						checkPrefixes(t, where+" ("+k+")", f.Payload)
					}
				}
			}
			assert.Equal(t, len(raw), n, "every raw.tsv line is a decoded frame")
			assert.Equal(t, len(ts), n, "every tshark SRT frame is a decoded frame")
			total += n
		})
	}
	var keys []string
	for k := range counts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var sb strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&sb, " %s=%d", k, counts[k])
	}
	t.Logf("corpus: %d SRT packets in %d captures:%s", total, len(caps), sb.String())
	assert.Equal(t, 2684, total, "all SRT packets of the corpus")
	// Every kind the issue names is covered by the corpus.
	for _, k := range []string{
		"DATA", "DATA/first", "DATA/middle", "DATA/solo", "DATA/R=1", "DATA/KK=even", "DATA/KK=odd", "DATA/O=1", "FEC",
		"HANDSHAKE", "ACK/light", "ACK/small", "ACK/full", "ACKACK", "NAK/single", "NAK/range",
		"KEEPALIVE", "SHUTDOWN", "PEERERROR", "UMSG_EXT/KMREQ", "UMSG_EXT/KMRSP",
	} {
		assert.Positive(t, counts[k], "the corpus has no %s packet", k)
	}
}

// kindsOf names the kinds a packet counts for in the coverage summary.
func kindsOf(p *Packet) []string {
	if !p.Control {
		k := []string{"DATA", "DATA/" + p.Position.String()}
		if p.Retransmitted {
			k = append(k, "DATA/R=1")
		}
		if p.Key != handshake.KeyNone {
			k = append(k, "DATA/KK="+p.Key.String())
		}
		if p.InOrder {
			k = append(k, "DATA/O=1")
		}
		if p.IsFEC() {
			k = append(k, "FEC")
		}
		return k
	}
	switch p.Type {
	case TypeACK:
		return []string{"ACK/" + p.ACK.Variant.String()}
	case TypeNAK:
		var k []string
		c := p.NAK.Losses()
		for c.Next() {
			if c.IsRange() {
				k = append(k, "NAK/range")
			} else {
				k = append(k, "NAK/single")
			}
		}
		return k
	case TypeUserDefined:
		return []string{"UMSG_EXT/" + p.Subtype.String()}
	case TypeHandshake:
		shape := "HANDSHAKE/v" + fmt.Sprint(p.Handshake.Version) + "/" + p.Handshake.Type.String()
		it := p.Handshake.Extensions()
		for it.Next() {
			shape += "+" + it.Type().String()
		}
		return []string{"HANDSHAKE", shape}
	}
	return []string{p.Type.String()}
}

func rawInt(t *testing.T, where string, l testcorpus.RawLine, key string) int64 {
	t.Helper()
	v, ok := l.Int(key)
	require.True(t, ok, "%s: raw.tsv has no number %q: %s", where, key, l.Line)
	return v
}

var rawPB = map[string]Position{"PB_SOLO": PositionSolo, "PB_FIRST": PositionFirst, "PB_LAST": PositionLast, "PB_SUBSEQUENT": PositionMiddle}

var rawKind = map[string]ControlType{
	"HANDSHAKE": TypeHandshake, "KEEPALIVE": TypeKeepalive, "ACK": TypeACK, "NAK": TypeNAK, "CGWARNING": TypeCongestionWarning,
	"SHUTDOWN": TypeShutdown, "ACKACK": TypeACKACK, "DROPREQ": TypeDropReq, "PEERERROR": TypePeerError, "EXT": TypeUserDefined,
}

// checkRaw compares p with its raw.tsv line.
func checkRaw(t *testing.T, where string, p *Packet, l testcorpus.RawLine) {
	t.Helper()
	where += ": " + l.Line
	assert.Equal(t, rawInt(t, where, l, "ts"), int64(p.Timestamp), where)
	assert.Equal(t, rawInt(t, where, l, "dst"), int64(p.DstSocket), where)
	if l.Kind == "DATA" {
		require.False(t, p.Control, where)
		assert.Equal(t, rawInt(t, where, l, "seq"), int64(p.Seq), where)
		pb, ok := rawPB[l.Fields["pb"]]
		require.True(t, ok, where)
		assert.Equal(t, pb, p.Position, where)
		assert.Equal(t, rawInt(t, where, l, "o") == 1, p.InOrder, where)
		assert.Equal(t, rawInt(t, where, l, "kk"), int64(p.Key), where)
		assert.Equal(t, rawInt(t, where, l, "r") == 1, p.Retransmitted, where)
		assert.Equal(t, rawInt(t, where, l, "msgno"), int64(p.MsgNo), where)
		assert.Equal(t, rawInt(t, where, l, "payload"), int64(len(p.Payload)), where)
		if p.IsFEC() {
			h, xor, err := p.FEC()
			require.NoError(t, err, where)
			assert.True(t, h.Index == -1 || h.Index >= 0, where)
			assert.Len(t, xor, len(p.Payload)-FECHeaderSize, where)
		}
		return
	}
	require.True(t, p.Control, where)
	ct, ok := rawKind[l.Kind]
	require.True(t, ok, "%s: unknown raw kind", where)
	assert.Equal(t, ct, p.Type, where)
	switch ct {
	case TypeHandshake:
		h := &p.Handshake
		assert.Equal(t, rawInt(t, where, l, "ver"), int64(h.Version), where)
		assert.Equal(t, rawInt(t, where, l, "isn"), int64(h.ISN), where)
		assert.Equal(t, rawInt(t, where, l, "type"), int64(h.Type), where)
		assert.Equal(t, rawInt(t, where, l, "sockid"), int64(h.SocketID), where)
		assert.Equal(t, rawInt(t, where, l, "cookie"), int64(h.Cookie), where)
		assert.Equal(t, rawInt(t, where, l, "mss"), int64(h.MTU), where)
		assert.Equal(t, rawInt(t, where, l, "fw"), int64(h.FlowWindow), where)
		if _, ok := l.Fields["socktype"]; ok {
			assert.Equal(t, rawInt(t, where, l, "socktype"), int64(h.TypeWord()), where)
		} else {
			assert.Equal(t, rawInt(t, where, l, "enc"), int64(h.Encryption), where)
			assert.Equal(t, rawInt(t, where, l, "ext"), int64(h.Extension), where)
		}
		assert.Equal(t, l.Fields["peerip"], h.PeerAddr().String(), where)
		// The extension blocks, by type name and length in words.
		var exts []string
		it := h.Extensions()
		for it.Next() {
			exts = append(exts, fmt.Sprintf("%s(%dw)", it.Type(), it.Words()))
		}
		require.NoError(t, it.Err(), where)
		var want []string
		for _, e := range l.Exts {
			want = append(want, fmt.Sprintf("%s(%dw)", e.Name, e.Words))
		}
		assert.Equal(t, want, exts, where)
	case TypeACK:
		assert.Equal(t, rawInt(t, where, l, "ackno"), int64(p.Info), where)
		assert.Equal(t, l.Fields["kind"], p.ACK.Variant.String(), where)
		assert.Equal(t, rawInt(t, where, l, "lastack"), int64(p.ACK.LastAckSeq), where)
		for key, v := range map[string]uint32{
			"rtt": p.ACK.RTT, "rttvar": p.ACK.RTTVar, "bufavail": p.ACK.AvailBuf,
			"pktrate": p.ACK.PktRate, "bw": p.ACK.Bandwidth, "rcvrate": p.ACK.RecvRate,
		} {
			if want, ok := l.Int(key); ok {
				assert.Equal(t, want, int64(v), "%s: %s", where, key)
			} else {
				assert.Zero(t, v, "%s: %s", where, key)
			}
		}
		assert.Nil(t, p.ACK.Extra, where)
	case TypeACKACK:
		assert.Equal(t, rawInt(t, where, l, "ackno"), int64(p.Info), where)
		assert.Equal(t, []byte{0, 0, 0, 0}, p.CIF, "%s: libsrt's 4 padding bytes", where)
	case TypeNAK:
		lost, ok := l.Lost()
		require.True(t, ok, where)
		assert.Equal(t, lost, lossRanges(t, where, &p.NAK), where)
		// libsrt encodes a run of two or more as a range: the raw
		// decode writes "A-B" exactly for the range entries.
		c := p.NAK.Losses()
		for c.Next() {
			lo, hi := c.Range()
			assert.Equal(t, lo != hi, c.IsRange(), where)
		}
	case TypeKeepalive, TypeShutdown, TypePeerError:
		assert.Equal(t, rawInt(t, where, l, "tsi"), int64(p.Info), where)
		assert.Equal(t, rawInt(t, where, l, "cif"), int64(len(p.CIF)), where)
		assert.Equal(t, []byte{0, 0, 0, 0}, p.CIF, "%s: libsrt's 4 padding bytes", where)
	case TypeUserDefined:
		assert.Equal(t, rawInt(t, where, l, "subtype"), int64(p.Subtype), where)
		assert.Equal(t, rawInt(t, where, l, "cif"), int64(len(p.CIF)), where)
		var km handshake.KeyMaterial
		require.NoError(t, p.KeyMaterial(&km), where)
		assert.Equal(t, handshake.KeyBoth, km.Keys, "%s: refresh KM carries both keys", where)
	case TypeDropReq:
		if v, ok := l.Int("msgno"); ok {
			assert.Equal(t, v, int64(p.DropMsgNo()), where)
		}
	}
}

func lossRanges(t *testing.T, where string, n *NAK) []testcorpus.LossRange {
	var out []testcorpus.LossRange
	c := n.Losses()
	for c.Next() {
		lo, hi := c.Range()
		out = append(out, testcorpus.LossRange{First: uint32(lo), Last: uint32(hi)})
	}
	require.NoError(t, c.Err(), where)
	return out
}

func tsUint(t *testing.T, where string, tp testcorpus.TSharkPacket, key string) uint64 {
	t.Helper()
	v, ok := tp.Uint(key)
	require.True(t, ok, "%s: tshark has no %s", where, key)
	return v
}

// checkTShark compares p with Wireshark's decode of the same frame.
func checkTShark(t *testing.T, where string, p *Packet, tp testcorpus.TSharkPacket) {
	t.Helper()
	assert.Equal(t, p.Control, tsUint(t, where, tp, "srt.iscontrol") == 1, where)
	assert.Equal(t, uint64(p.Timestamp), tsUint(t, where, tp, "srt.timestamp"), where)
	assert.Equal(t, uint64(p.DstSocket), tsUint(t, where, tp, "srt.id"), where)
	if !p.Control {
		assert.Equal(t, uint64(p.Seq), tsUint(t, where, tp, "srt.seqno"), where)
		assert.Equal(t, uint64(p.Position), tsUint(t, where, tp, "srt.pb"), where)
		assert.Equal(t, p.InOrder, tsUint(t, where, tp, "srt.msg.order") == 1, where)
		assert.Equal(t, uint64(p.Key), tsUint(t, where, tp, "srt.msg.enc"), where)
		assert.Equal(t, p.Retransmitted, tsUint(t, where, tp, "srt.msg.rexmit") == 1, where)
		assert.Equal(t, uint64(p.MsgNo), tsUint(t, where, tp, "srt.msgno"), where)
		if n, ok := tp.Uint("data.len"); ok {
			assert.Equal(t, uint64(len(p.Payload)), n, where)
		}
		if d, ok := tp.Bytes("data.data"); ok {
			assert.Equal(t, d, []byte(p.Payload), where)
		}
		return
	}
	assert.Equal(t, uint64(p.Type), tsUint(t, where, tp, "srt.type"), where)
	if p.Type == TypeUserDefined {
		assert.Equal(t, uint64(p.Subtype), tsUint(t, where, tp, "srt.exttype"), where)
	} else {
		assert.Equal(t, uint64(p.Subtype), tsUint(t, where, tp, "srt.exttype_none"), where)
	}
	switch p.Type {
	case TypeACK:
		assert.Equal(t, uint64(p.Info), tsUint(t, where, tp, "srt.ackno"), where)
		assert.Equal(t, uint64(p.ACK.LastAckSeq), tsUint(t, where, tp, "srt.ack_seqno"), where)
		for key, v := range map[string]uint32{
			"srt.rtt": p.ACK.RTT, "srt.rttvar": p.ACK.RTTVar, "srt.bufavail": p.ACK.AvailBuf,
			"srt.rate": p.ACK.PktRate, "srt.bw": p.ACK.Bandwidth, "srt.rcvrate": p.ACK.RecvRate,
		} {
			if want, ok := tp.Uint(key); ok {
				assert.Equal(t, want, uint64(v), "%s: %s", where, key)
			} else {
				assert.Zero(t, v, "%s: %s (absent in tshark)", where, key)
			}
		}
	case TypeACKACK:
		assert.Equal(t, uint64(p.Info), tsUint(t, where, tp, "srt.ackno"), where)
	case TypeNAK:
		assert.Equal(t, tp.Loss(), lossRanges(t, where, &p.NAK), where)
		assert.Equal(t, uint64(p.Info), tsUint(t, where, tp, "srt.addinfo"), where)
	case TypeKeepalive, TypeShutdown, TypePeerError, TypeCongestionWarning:
		// Wireshark shows the type-specific word and then the padding
		// word, both as srt.addinfo.
		ai := tp.All("srt.addinfo")
		require.Len(t, ai, 2, where)
		assert.Equal(t, fmt.Sprint(p.Info), ai[0], where)
		assert.Equal(t, "0", ai[1], where)
	case TypeUserDefined:
		assert.Equal(t, uint64(p.Info), tsUint(t, where, tp, "srt.addinfo"), where)
		km, ok := tp.Bytes("srt.km.msg")
		require.True(t, ok, where)
		assert.Equal(t, km, []byte(p.CIF), where)
	case TypeHandshake:
		h := &p.Handshake
		assert.Equal(t, fmt.Sprint(h.Version), tp.All("srt.hs.version")[0], where)
		assert.Equal(t, uint64(h.ISN), tsUint(t, where, tp, "srt.hs.isn"), where)
		assert.Equal(t, uint64(h.MTU), tsUint(t, where, tp, "srt.hs.mtu"), where)
		assert.Equal(t, uint64(h.FlowWindow), tsUint(t, where, tp, "srt.hs.flow_window"), where)
		rt, ok := tp.Int("srt.hs.reqtype")
		require.True(t, ok, where)
		assert.Equal(t, int64(h.Type), rt, where)
		assert.Equal(t, uint64(h.SocketID), tsUint(t, where, tp, "srt.hs.id"), where)
		assert.Equal(t, uint64(h.Cookie), tsUint(t, where, tp, "srt.hs.cookie"), where)
		if v, ok := tp.Uint("srt.hs.encfield"); ok {
			assert.Equal(t, uint64(h.Encryption), v, where)
			assert.Equal(t, uint64(h.Extension), tsUint(t, where, tp, "srt.hs.extfield"), where)
		}
	}
}
