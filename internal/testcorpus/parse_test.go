package testcorpus

import (
	"encoding/binary"
	"math"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// ---- synthetic pcap builders ----

func udpHdr(sport, dport uint16, payload []byte) []byte {
	b := make([]byte, 8, 8+len(payload))
	binary.BigEndian.PutUint16(b[0:], sport)
	binary.BigEndian.PutUint16(b[2:], dport)
	binary.BigEndian.PutUint16(b[4:], uint16(8+len(payload)))
	return append(b, payload...)
}

func ipv4(proto byte, src, dst netip.Addr, l4 []byte, options int) []byte {
	ihl := 20 + options
	b := make([]byte, ihl, ihl+len(l4))
	b[0] = 0x40 | byte(ihl/4)
	binary.BigEndian.PutUint16(b[2:], uint16(ihl+len(l4)))
	binary.BigEndian.PutUint16(b[6:], 0x4000) // DF
	b[8], b[9] = 64, proto
	s, d := src.As4(), dst.As4()
	copy(b[12:], s[:])
	copy(b[16:], d[:])
	return append(b, l4...)
}

func ipv6(src, dst netip.Addr, l4 []byte, hopByHop bool) []byte {
	b := make([]byte, 40)
	b[0] = 0x60
	next := byte(17)
	if hopByHop {
		ext := make([]byte, 8)
		ext[0] = 17 // next header: UDP
		l4 = append(ext, l4...)
		next = 0
	}
	binary.BigEndian.PutUint16(b[4:], uint16(len(l4)))
	b[6], b[7] = next, 64
	s, d := src.As16(), dst.As16()
	copy(b[8:], s[:])
	copy(b[24:], d[:])
	return append(b, l4...)
}

func ether(ethertype uint16, p []byte, vlan bool) []byte {
	b := make([]byte, 12, 18+len(p))
	if vlan {
		b = binary.BigEndian.AppendUint16(b, 0x8100)
		b = binary.BigEndian.AppendUint16(b, 42)
	}
	b = binary.BigEndian.AppendUint16(b, ethertype)
	b = append(b, p...)
	for len(b) < 60 { // Ethernet minimum frame: padding after the IP packet
		b = append(b, 0xee)
	}
	return b
}

func sll(ethertype uint16, p []byte) []byte {
	b := make([]byte, 16, 16+len(p))
	binary.BigEndian.PutUint16(b[14:], ethertype)
	return append(b, p...)
}

type rec struct {
	sec, frac uint32
	data      []byte
	orig      int
}

// byteOrder is implemented by binary.LittleEndian and binary.BigEndian.
type byteOrder interface {
	binary.ByteOrder
	binary.AppendByteOrder
}

func pcapFile(bo byteOrder, nsec bool, link uint32, recs []rec) []byte {
	magic := uint32(0xa1b2c3d4)
	if nsec {
		magic = 0xa1b23c4d
	}
	b := bo.AppendUint32(nil, magic)
	b = bo.AppendUint16(b, 2)
	b = bo.AppendUint16(b, 4)
	b = bo.AppendUint32(b, 0)
	b = bo.AppendUint32(b, 0)
	b = bo.AppendUint32(b, 262144)
	b = bo.AppendUint32(b, link)
	for _, r := range recs {
		orig := r.orig
		if orig == 0 {
			orig = len(r.data)
		}
		b = bo.AppendUint32(b, r.sec)
		b = bo.AppendUint32(b, r.frac)
		b = bo.AppendUint32(b, uint32(len(r.data)))
		b = bo.AppendUint32(b, uint32(orig))
		b = append(b, r.data...)
	}
	return b
}

func writeTemp(t *testing.T, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(p, data, 0o644))
	return p
}

var (
	lo4  = netip.MustParseAddr("127.0.0.1")
	lo4b = netip.MustParseAddr("10.1.2.3")
	lo6  = netip.IPv6Loopback()
	v6b  = netip.MustParseAddr("2001:db8::7")
)

func TestReadPcapSynthetic(t *testing.T) {
	srtPayload := []byte("\x80\x05\x00\x00SRT-control-ish")
	tcp := ipv4(6, lo4, lo4, make([]byte, 20), 0)
	v4 := ipv4(17, lo4, lo4b, udpHdr(1234, 41001, []byte("abc")), 0)
	v4opt := ipv4(17, lo4b, lo4, udpHdr(41001, 1234, srtPayload), 4)
	v6 := ipv6(lo6, v6b, udpHdr(5000, 41002, srtPayload), false)
	v6hbh := ipv6(v6b, lo6, udpHdr(41002, 5000, []byte{1, 2, 3, 4}), true)
	frag := ipv4(17, lo4, lo4, udpHdr(1, 2, []byte("x")), 0)
	binary.BigEndian.PutUint16(frag[6:], 0x2000) // MF: first fragment

	type want struct {
		number   int
		src, dst netip.AddrPort
		payload  []byte
	}
	wants := []want{
		{2, netip.AddrPortFrom(lo4, 1234), netip.AddrPortFrom(lo4b, 41001), []byte("abc")},
		{3, netip.AddrPortFrom(lo4b, 41001), netip.AddrPortFrom(lo4, 1234), srtPayload},
		{4, netip.AddrPortFrom(lo6, 5000), netip.AddrPortFrom(v6b, 41002), srtPayload},
		{5, netip.AddrPortFrom(v6b, 41002), netip.AddrPortFrom(lo6, 5000), []byte{1, 2, 3, 4}},
	}
	ips := [][]byte{tcp, v4, v4opt, v6, v6hbh, frag}
	ethTypes := []uint16{0x0800, 0x0800, 0x0800, 0x86dd, 0x86dd, 0x0800}

	cases := []struct {
		name string
		link uint32
		wrap func(i int, ip []byte) []byte
	}{
		{"en10mb", 1, func(i int, ip []byte) []byte { return ether(ethTypes[i], ip, false) }},
		{"en10mb-vlan", 1, func(i int, ip []byte) []byte { return ether(ethTypes[i], ip, true) }},
		{"null", 0, func(i int, ip []byte) []byte {
			af := uint32(2)
			if ethTypes[i] == 0x86dd {
				af = 30 // macOS AF_INET6
			}
			return append(binary.LittleEndian.AppendUint32(nil, af), ip...)
		}},
		{"raw", 101, func(_ int, ip []byte) []byte { return ip }},
		{"sll", 113, func(i int, ip []byte) []byte { return sll(ethTypes[i], ip) }},
		{"sll2", 276, func(i int, ip []byte) []byte {
			b := binary.BigEndian.AppendUint16(nil, ethTypes[i])
			return append(append(b, make([]byte, 18)...), ip...)
		}},
	}
	for _, tc := range cases {
		for _, bo := range []byteOrder{binary.LittleEndian, binary.BigEndian} {
			for _, nsec := range []bool{false, true} {
				name := tc.name + "/" + bo.String()
				if nsec {
					name += "/nsec"
				}
				t.Run(name, func(t *testing.T) {
					var recs []rec
					for i, ip := range ips {
						data := tc.wrap(i, ip)
						recs = append(recs, rec{sec: 1700000000 + uint32(i), frac: 123456, data: data, orig: len(data) + 100*i})
					}
					frames, err := ReadPcap(writeTemp(t, "x.pcap", pcapFile(bo, nsec, tc.link, recs)))
					require.NoError(t, err)
					require.Len(t, frames, len(wants))
					for i, w := range wants {
						f := frames[i]
						require.Equal(t, w.number, f.Number)
						require.Equal(t, w.src, f.Src)
						require.Equal(t, w.dst, f.Dst)
						require.Equal(t, w.payload, f.Payload)
						require.Equal(t, recs[w.number-1].orig, f.OrigLen)
						frac := time.Duration(123456) * time.Microsecond
						if nsec {
							frac = 123456
						}
						require.Equal(t, time.Unix(int64(1700000000+w.number-1), 0).Add(frac).UTC(), f.Time)
					}
				})
			}
		}
	}
}

func TestReadPcapErrors(t *testing.T) {
	_, err := ReadPcap(filepath.Join(t.TempDir(), "missing.pcap"))
	require.Error(t, err)

	for name, data := range map[string][]byte{
		"short":    {0xd4, 0xc3, 0xb2},
		"magic":    make([]byte, 24),
		"pcapng":   append([]byte{0x0a, 0x0d, 0x0d, 0x0a}, make([]byte, 28)...),
		"linktype": pcapFile(binary.LittleEndian, false, 147, nil),
		"truncated": func() []byte {
			b := pcapFile(binary.LittleEndian, false, 101, []rec{{data: ipv4(17, lo4, lo4, udpHdr(1, 2, nil), 0)}})
			return b[:len(b)-3]
		}(),
	} {
		t.Run(name, func(t *testing.T) {
			_, err := ReadPcap(writeTemp(t, "x.pcap", data))
			require.Error(t, err)
		})
	}

	frames, err := ReadPcap(writeTemp(t, "empty.pcap", pcapFile(binary.BigEndian, true, 1, nil)))
	require.NoError(t, err)
	require.Empty(t, frames)
}

func TestParseRawLine(t *testing.T) {
	l, err := ParseRawLine("17\t36368>41024\tDATA\tseq=2108894074 pb=PB_SOLO o=0 kk=1 r=0 msgno=5 ts=89727 dst=0x27042b43 payload=1316 head=..R.W | \"x=y\" .-4.")
	require.NoError(t, err)
	require.Equal(t, 17, l.Frame)
	require.Equal(t, uint16(36368), l.SrcPort)
	require.Equal(t, uint16(41024), l.DstPort)
	require.Equal(t, "DATA", l.Kind)
	require.Equal(t, "..R.W | \"x=y\" .-4.", l.Fields["head"])
	require.Empty(t, l.Exts)
	seq, ok := l.Uint("seq")
	require.True(t, ok)
	require.EqualValues(t, 2108894074, seq)
	dst, ok := l.Int("dst")
	require.True(t, ok)
	require.EqualValues(t, 0x27042b43, dst)
	_, ok = l.Int("pb")
	require.False(t, ok)
	_, ok = l.Int("missing")
	require.False(t, ok)

	l, err = ParseRawLine("3\t1>2\tHANDSHAKE\tts=1 type=1010(REJECT:SRT_REJ_BADSECRET(10)) x=a(b c) | HSREQ(3w) v=1.5.1 | SID(4w) \"a \"b\" c|d\" | KMRSP(1w) kmstate(le)=4 | FILTER(2w) \"\"")
	require.NoError(t, err)
	require.Equal(t, "1010(REJECT:SRT_REJ_BADSECRET(10))", l.Fields["type"])
	require.Equal(t, "a(b c)", l.Fields["x"])
	typ, ok := l.Int("type")
	require.True(t, ok)
	require.EqualValues(t, 1010, typ)
	require.Len(t, l.Exts, 4)
	require.Equal(t, "HSREQ", l.Exts[0].Name)
	require.Equal(t, 3, l.Exts[0].Words)
	require.Equal(t, "1.5.1", l.Exts[0].Fields["v"])
	require.Equal(t, RawExt{Name: "SID", Words: 4, Fields: map[string]string{}, Str: `a "b" c|d`}, l.Exts[1])
	require.Equal(t, "4", l.Exts[2].Fields["kmstate(le)"])
	require.Equal(t, "", l.Exts[3].Str)
	_, ok = l.Ext("GROUP")
	require.False(t, ok)

	l, err = ParseRawLine("9\t41063>41062\tNAK\tts=1 dst=0x1 lost=5,7-9")
	require.NoError(t, err)
	lost, ok := l.Lost()
	require.True(t, ok)
	require.Equal(t, []LossRange{{5, 5}, {7, 9}}, lost)

	l, err = ParseRawLine("7\t1>2\tSHUTDOWN")
	require.NoError(t, err)
	require.Empty(t, l.Fields)

	for _, bad := range []string{
		"x\t1>2\tDATA\ta=1",
		"0\t1>2\tDATA\ta=1",
		"1\t1-2\tDATA\ta=1",
		"1\t1>70000\tDATA\ta=1",
		"1\t1>2",
		"1\t1>2\tDATA\tnovalue",
		"1\t1>2\tHANDSHAKE\ta=1 \"str\"",
		"1\t1>2\tHANDSHAKE\ta=1 | SID(1w) \"open",
	} {
		_, err := ParseRawLine(bad)
		require.Error(t, err, bad)
	}
}

func TestReadRawDuplicate(t *testing.T) {
	p := writeTemp(t, "x.raw.tsv", []byte("1\t1>2\tACKACK\tackno=1\n\n1\t1>2\tACKACK\tackno=2\n"))
	_, err := ReadRaw(p)
	require.ErrorContains(t, err, "twice")
}

func TestParseInt(t *testing.T) {
	for s, want := range map[string]int64{
		"0": 0, "1316": 1316, "-1": -1, "-2(AGREEMENT)": -2, "0x4a17": 0x4a17, "0X00000000": 0,
		"1(INDUCTION)": 1, "2403(REJECT:SRT_REJX(1403))": 2403, "3(KMREQ)": 3, "-0x10": -16,
		"9223372036854775807": math.MaxInt64, "-9223372036854775808": math.MinInt64,
	} {
		got, ok := ParseInt(s)
		require.True(t, ok, s)
		require.Equal(t, want, got, s)
	}
	for _, s := range []string{"", "-", "0x", "abc", "1.5.1", "PB_SOLO", "1-2", "+1", "--1", "1(", "9223372036854775808", "(1)", "0x-1"} {
		_, ok := ParseInt(s)
		require.False(t, ok, s)
	}
	u, ok := ParseUint("0xffffffffffffffff")
	require.True(t, ok)
	require.Equal(t, uint64(math.MaxUint64), u)
	_, ok = ParseUint("-1")
	require.False(t, ok)
}

const tsharkSample = `[
 {"_source": {"layers": {
   "frame": {"frame.time_epoch": "1795548355.5", "frame.number": "7"},
   "eth": {"eth.type": "0x0800"},
   "udp": {"udp.srcport": "41071", "udp.dstport": "52151", "udp.payload": "80:03:00:00"},
   "srt": {
     "srt.iscontrol": "1",
     "srt.hs.version": ["5", "0x00010501"],
     "srt.hs.extfield_tree": {"srt.hs.extfield.hsreq": "1"},
     "srt.hs.reqtype": "-1",
     "Loss sequence: 10": {"_ws.expert": {"srt.nak_seqno": "", "_ws.expert.message": "Loss sequence: 10"}},
     "Loss sequence range: 12-14": [
       {"_ws.expert": {"_ws.expert.message": "Loss sequence range: 12-14"}},
       {"_ws.expert": {"_ws.expert.message": "Loss sequence range: 12-14"}}
     ],
     "Ext Type value is 7": {"_ws.expert": {"_ws.expert.message": "Ext Type value is 7"}}
   }
 }}},
 {"_source": {"layers": {"frame": {"frame.number": "8"}, "udp": {"udp.srcport": "1"}}}}
]`

func TestDecodeTShark(t *testing.T) {
	pkts, err := decodeTShark(strings.NewReader(tsharkSample))
	require.NoError(t, err)
	require.Len(t, pkts, 2)
	p := pkts[0]
	require.Equal(t, 7, p.Frame)
	require.Equal(t, time.Unix(1795548355, 500_000_000).UTC(), p.Time)
	require.Equal(t, uint16(41071), p.SrcPort)
	require.Equal(t, uint16(52151), p.DstPort)
	require.Equal(t, []byte{0x80, 0x03, 0, 0}, p.UDPPayload)
	require.Equal(t, []string{"5", "0x00010501"}, p.All("srt.hs.version"))
	require.Equal(t, []any{"5", "0x00010501"}, p.SRT["srt.hs.version"])
	v, ok := p.Uint("srt.hs.version")
	require.True(t, ok)
	require.EqualValues(t, 5, v)
	s, ok := p.Str("srt.hs.extfield.hsreq")
	require.True(t, ok)
	require.Equal(t, "1", s)
	rt, ok := p.Int("srt.hs.reqtype")
	require.True(t, ok)
	require.EqualValues(t, -1, rt)
	_, ok = p.Uint("srt.hs.reqtype")
	require.False(t, ok)
	require.Equal(t, []string{"Loss sequence: 10", "Loss sequence range: 12-14", "Loss sequence range: 12-14", "Ext Type value is 7"}, p.Expert)
	require.Equal(t, []LossRange{{10, 10}, {12, 14}, {12, 14}}, p.Loss())

	// A packet built by hand (no document order) still answers from SRT.
	hand := TSharkPacket{SRT: p.SRT}
	require.Equal(t, []string{"5", "0x00010501"}, hand.All("srt.hs.version"))
	s, ok = hand.Str("srt.hs.extfield.hsreq")
	require.True(t, ok)
	require.Equal(t, "1", s)

	q := pkts[1]
	require.Equal(t, 8, q.Frame)
	require.Nil(t, q.SRT)
	require.Nil(t, q.UDPPayload)
	require.True(t, q.Time.IsZero())
	_, ok = q.Str("srt.iscontrol")
	require.False(t, ok)

	for _, bad := range []string{
		`{}`,
		`[{"_source": {"layers": {"frame": {"frame.number": "x"}}}}]`,
		`[{"_source": {"layers": {"frame": {"frame.number": "1"}, "udp": {"udp.payload": "zz"}}}}]`,
		`[{"_source": {"layers": {"frame": {"frame.number": "1", "frame.time_epoch": "x"}}}}]`,
		`[{"_source": {"layers": {"frame": {"frame.number": "1"}}}}`,
	} {
		_, err := decodeTShark(strings.NewReader(bad))
		require.Error(t, err, bad)
	}
}
