package testcorpus

import (
	"net/netip"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestDir(t *testing.T) {
	d := Dir()
	require.True(t, filepath.IsAbs(d), d)
	require.Equal(t, filepath.Join("testdata", "corpus"), filepath.Join(filepath.Base(filepath.Dir(d)), filepath.Base(d)))
	_, err := os.Stat(filepath.Join(d, "ports.tsv"))
	require.NoError(t, err)
	_, err = os.Stat(filepath.Join(filepath.Dir(filepath.Dir(d)), "go.mod"))
	require.NoError(t, err)
}

func TestCaptures(t *testing.T) {
	caps, err := Captures()
	require.NoError(t, err)
	require.NotEmpty(t, caps)
	require.True(t, sort.SliceIsSorted(caps, func(i, j int) bool { return caps[i].Name < caps[j].Name }))
	for _, c := range caps {
		require.NotEmpty(t, c.Ports, c.Name)
		for _, ext := range []string{".pcap", ".raw.tsv", ".tshark.json.gz"} {
			_, err := os.Stat(Path(c.Name + ext))
			require.NoError(t, err, "capture %s listed in ports.tsv", c.Name)
		}
	}
	c, err := CaptureByName("s07_rendezvous")
	require.NoError(t, err)
	require.Equal(t, []uint16{41062, 41063}, c.Ports)
	_, err = CaptureByName("no_such_capture")
	require.Error(t, err)
}

// TestCorpusConsistency checks, for every capture, that the pcap, the raw
// decode and the tshark decode describe the same frames.
func TestCorpusConsistency(t *testing.T) {
	caps, err := Captures()
	require.NoError(t, err)
	for _, c := range caps {
		t.Run(c.Name, func(t *testing.T) {
			t.Parallel()
			frames, err := Frames(c.Name)
			require.NoError(t, err)
			rawLines, err := RawLines(c.Name)
			require.NoError(t, err)
			raw, err := Raw(c.Name)
			require.NoError(t, err)
			require.Len(t, raw, len(rawLines))
			ts, err := TShark(c.Name)
			require.NoError(t, err)

			var srt []Frame
			for _, f := range frames {
				if c.IsSRT(f) {
					srt = append(srt, f)
				}
			}
			require.NotEmpty(t, srt)
			require.Len(t, srt, len(raw), "SRT-port UDP frames vs raw.tsv lines")

			tsBy := make(map[int]TSharkPacket, len(ts))
			srtLayers := 0
			for _, p := range ts {
				_, dup := tsBy[p.Frame]
				require.False(t, dup, "tshark frame %d twice", p.Frame)
				tsBy[p.Frame] = p
				if p.SRT != nil {
					srtLayers++
				}
			}
			require.Equal(t, len(raw), srtLayers, "tshark packets with an srt layer vs raw.tsv lines")

			prev := 0
			for _, f := range srt {
				require.Greater(t, f.Number, prev)
				prev = f.Number

				l, ok := raw[f.Number]
				require.True(t, ok, "frame %d has no raw.tsv line", f.Number)
				require.Equal(t, f.Src.Port(), l.SrcPort, "frame %d", f.Number)
				require.Equal(t, f.Dst.Port(), l.DstPort, "frame %d", f.Number)
				require.True(t, f.Src.Addr().IsLoopback() && f.Dst.Addr().IsLoopback(), "frame %d: %v > %v", f.Number, f.Src, f.Dst)
				require.GreaterOrEqual(t, len(f.Payload), 16, "frame %d", f.Number)
				require.Greater(t, f.OrigLen, len(f.Payload), "frame %d", f.Number)

				p, ok := tsBy[f.Number]
				require.True(t, ok, "frame %d missing from tshark json", f.Number)
				require.NotNil(t, p.SRT, "frame %d: no srt layer", f.Number)
				if p.UDPPayload != nil {
					require.Equal(t, f.Payload, p.UDPPayload, "frame %d: pcap payload vs udp.payload", f.Number)
				}
				require.Equal(t, f.Src.Port(), p.SrcPort, "frame %d", f.Number)
				require.Equal(t, f.Dst.Port(), p.DstPort, "frame %d", f.Number)
				require.True(t, f.Time.Equal(p.Time), "frame %d: pcap time %v, tshark %v", f.Number, f.Time, p.Time)

				checkRawVsTShark(t, f, l, p)
			}
		})
	}
}

// checkRawVsTShark spot-checks the helpers on fields both decodes agree on.
func checkRawVsTShark(t *testing.T, f Frame, l RawLine, p TSharkPacket) {
	t.Helper()
	ctl, ok := p.Uint("srt.iscontrol")
	require.True(t, ok, "frame %d", f.Number)
	require.Equal(t, l.Kind != "DATA", ctl == 1, "frame %d: kind %s", f.Number, l.Kind)
	require.Equal(t, ctl == 1, f.Payload[0]&0x80 != 0, "frame %d: F bit", f.Number)

	ts, ok := l.Int("ts")
	require.True(t, ok, "frame %d", f.Number)
	tts, ok := p.Int("srt.timestamp")
	require.True(t, ok, "frame %d", f.Number)
	require.Equal(t, ts, tts, "frame %d: timestamp", f.Number)

	dst, ok := l.Uint("dst")
	require.True(t, ok, "frame %d", f.Number)
	tdst, ok := p.Uint("srt.id")
	require.True(t, ok, "frame %d", f.Number)
	require.Equal(t, dst, tdst, "frame %d: destination socket id", f.Number)

	switch l.Kind {
	case "DATA":
		seq, ok := l.Uint("seq")
		require.True(t, ok)
		tseq, ok := p.Uint("srt.seqno")
		require.True(t, ok)
		require.Equal(t, seq, tseq, "frame %d: seq", f.Number)
		msgno, _ := l.Uint("msgno")
		tmsgno, _ := p.Uint("srt.msgno")
		require.Equal(t, msgno, tmsgno, "frame %d: msgno", f.Number)
		n, ok := l.Int("payload")
		require.True(t, ok)
		require.Equal(t, int(n), len(f.Payload)-16, "frame %d: payload length", f.Number)
		_, ok = l.Fields["head"]
		require.True(t, ok, "frame %d: head", f.Number)
		if n > 0 {
			data, ok := p.Bytes("data.data")
			require.True(t, ok, "frame %d: data.data", f.Number)
			require.Equal(t, f.Payload[16:], data, "frame %d: data.data", f.Number)
		}
	case "HANDSHAKE":
		typ, ok := l.Int("type")
		require.True(t, ok, "frame %d: type=%s", f.Number, l.Fields["type"])
		ttyp, ok := p.Int("srt.hs.reqtype")
		require.True(t, ok)
		require.Equal(t, typ, ttyp, "frame %d: handshake type", f.Number)
		isn, _ := l.Uint("isn")
		tisn, _ := p.Uint("srt.hs.isn")
		require.Equal(t, isn, tisn, "frame %d: isn", f.Number)
		// tshark lists one srt.hs.blocktype per extension block it saw.
		require.Len(t, p.All("srt.hs.blocktype"), len(l.Exts), "frame %d: blocks", f.Number)
		for _, e := range l.Exts {
			require.GreaterOrEqual(t, e.Words, 1, "frame %d: %s", f.Number, e.Name)
		}
	case "ACK", "ACKACK":
		ackno, _ := l.Uint("ackno")
		tackno, ok := p.Uint("srt.ackno")
		require.True(t, ok, "frame %d", f.Number)
		require.Equal(t, ackno, tackno, "frame %d: ackno", f.Number)
	case "NAK":
		lost, ok := l.Lost()
		require.True(t, ok, "frame %d: lost=%s", f.Number, l.Fields["lost"])
		require.Equal(t, lost, p.Loss(), "frame %d: loss list", f.Number)
	}
}

func TestIPv6Capture(t *testing.T) {
	frames, err := Frames("s01_live_ipv6")
	require.NoError(t, err)
	require.NotEmpty(t, frames)
	lo := netip.IPv6Loopback()
	for _, f := range frames {
		require.Equal(t, lo, f.Src.Addr())
		require.Equal(t, lo, f.Dst.Addr())
	}
	raw, err := Raw("s01_live_ipv6")
	require.NoError(t, err)
	require.Equal(t, "::1", raw[1].Fields["peerip"])
}

func TestKnownFacts(t *testing.T) {
	// MANIFEST: s03_reject_badsecret f3 has HSREQ(3w) + KMREQ(14w); f4 is the 1010 rejection.
	raw, err := Raw("s03_reject_badsecret")
	require.NoError(t, err)
	l3 := raw[3]
	require.Equal(t, "HANDSHAKE", l3.Kind)
	require.Equal(t, "-1(CONCLUSION)", l3.Fields["type"])
	typ, ok := l3.Int("type")
	require.True(t, ok)
	require.EqualValues(t, -1, typ)
	require.Len(t, l3.Exts, 2)
	require.Equal(t, RawExt{Name: "HSREQ", Words: 3, Fields: map[string]string{
		"v": "1.5.1", "flags": "0xbf", "lat_rcv": "120", "lat_snd": "0",
	}}, l3.Exts[0])
	km, ok := l3.Ext("KMREQ")
	require.True(t, ok)
	require.Equal(t, 14, km.Words)
	require.Equal(t, "12202901", km.Fields["km[0..3]"])
	kl, ok := km.Int("keylen")
	require.True(t, ok)
	require.EqualValues(t, 16, kl)
	typ, ok = raw[4].Int("type")
	require.True(t, ok)
	require.EqualValues(t, 1010, typ)
	ext, ok := raw[3].Uint("ext")
	require.True(t, ok)
	require.EqualValues(t, 3, ext)

	ts, err := TShark("s03_reject_badsecret")
	require.NoError(t, err)
	p := ts[2]
	require.Equal(t, 3, p.Frame)
	require.Equal(t, []string{"5", "0x00010501"}, p.All("srt.hs.version"))
	v, ok := p.Str("srt.hs.version")
	require.True(t, ok)
	require.Equal(t, "5", v)
	require.Equal(t, []string{"0x0001", "0x0003"}, p.All("srt.hs.blocktype"))
	hsreq, ok := p.Str("srt.hs.extfield.hsreq")
	require.True(t, ok)
	require.Equal(t, "1", hsreq)
	id, ok := p.Uint("srt.hs.id")
	require.True(t, ok)
	require.EqualValues(t, 0x06bb9a65, id)
	msg, ok := p.Bytes("srt.km.msg")
	require.True(t, ok)
	require.Equal(t, []byte{0x12, 0x20, 0x29, 0x01}, msg[:4])
	_, ok = p.Str("no.such.field")
	require.False(t, ok)
	require.Nil(t, p.All("no.such.field"))
	require.Empty(t, p.Expert)

	// s03_badsecret_noenforce f4: 1-word KMRSP with the KM state in little-endian order.
	raw, err = Raw("s03_badsecret_noenforce")
	require.NoError(t, err)
	kmrsp, ok := raw[4].Ext("KMRSP")
	require.True(t, ok)
	require.Equal(t, 1, kmrsp.Words)
	st, ok := kmrsp.Int("kmstate(le)")
	require.True(t, ok)
	require.EqualValues(t, 4, st)

	// s09_file_transfer f3: SID and CONGESTION strings.
	raw, err = Raw("s09_file_transfer")
	require.NoError(t, err)
	sid, ok := raw[3].Ext("SID")
	require.True(t, ok)
	require.Equal(t, 4, sid.Words)
	require.Equal(t, "corpus-file.bin", sid.Str)
	cong, ok := raw[3].Ext("CONGESTION")
	require.True(t, ok)
	require.Equal(t, "file", cong.Str)

	// s08_loss_pattern f52: NAK range, shown by Wireshark only as expert text.
	raw, err = Raw("s08_loss_pattern")
	require.NoError(t, err)
	lost, ok := raw[52].Lost()
	require.True(t, ok)
	require.Equal(t, []LossRange{{2095720817, 2095720819}}, lost)
	ts, err = TShark("s08_loss_pattern")
	require.NoError(t, err)
	p = ts[51]
	require.Equal(t, 52, p.Frame)
	require.Equal(t, []string{"Loss sequence range: 2095720817-2095720819"}, p.Expert)
	require.Equal(t, lost, p.Loss())

	// s07_fec f4: Wireshark does not know FILTER (7).
	ts, err = TShark("s07_fec")
	require.NoError(t, err)
	require.Contains(t, ts[3].Expert, "Ext Type value is 7")
	raw, err = Raw("s07_fec")
	require.NoError(t, err)
	filter, ok := raw[4].Ext("FILTER")
	require.True(t, ok)
	require.Equal(t, "fec,arq:onreq,cols:4,layout:staircase,rows:2", filter.Str)
}

func TestCachedResultsAreCopies(t *testing.T) {
	a, err := Frames("s05_app_reject_2005")
	require.NoError(t, err)
	a[0].Payload[0] ^= 0xff
	b, err := Frames("s05_app_reject_2005")
	require.NoError(t, err)
	require.NotEqual(t, a[0].Payload[0], b[0].Payload[0])

	t1, err := TShark("s05_app_reject_2005")
	require.NoError(t, err)
	t1[0].UDPPayload[0] ^= 0xff
	t2, err := TShark("s05_app_reject_2005")
	require.NoError(t, err)
	require.Equal(t, b[0].Payload, t2[0].UDPPayload)

	_, err = Frames("no_such_capture")
	require.Error(t, err)
	_, err = Raw("no_such_capture")
	require.Error(t, err)
	_, err = TShark("no_such_capture")
	require.Error(t, err)
}
