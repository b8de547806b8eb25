package capture_test

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"testing"
	"time"

	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"
	"github.com/google/gopacket/pcapgo"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/srtwire/srtwire/capture"
	"github.com/srtwire/srtwire/internal/testcorpus"
	"github.com/srtwire/srtwire/packet"
)

type rawCapture struct {
	link   layers.LinkType
	frames [][]byte
	cis    []gopacket.CaptureInfo
}

func readRaw(t testing.TB, path string) rawCapture {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	r, err := pcapgo.NewReader(f)
	require.NoError(t, err)
	rc := rawCapture{link: r.LinkType()}
	for {
		data, ci, err := r.ReadPacketData()
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
		rc.frames = append(rc.frames, data)
		rc.cis = append(rc.cis, ci)
	}
	return rc
}

func (rc rawCapture) pcap(t testing.TB) []byte {
	var buf bytes.Buffer
	w := pcapgo.NewWriter(&buf)
	require.NoError(t, w.WriteFileHeader(262144, rc.link))
	for i, f := range rc.frames {
		require.NoError(t, w.WritePacket(rc.cis[i], f))
	}
	return buf.Bytes()
}

func (rc rawCapture) pcapng(t testing.TB) []byte {
	var buf bytes.Buffer
	w, err := pcapgo.NewNgWriter(&buf, rc.link)
	require.NoError(t, err)
	for i, f := range rc.frames {
		ci := rc.cis[i]
		ci.InterfaceIndex = 0
		require.NoError(t, w.WritePacket(ci, f))
	}
	require.NoError(t, w.Flush())
	return buf.Bytes()
}

// readAll reads every SRT frame and returns their numbers, checking that
// each one decodes and matches a direct decode of its bytes.
func readAll(t testing.TB, in io.Reader, opts *capture.Options) ([]int, *capture.Reader) {
	t.Helper()
	r, err := capture.NewReader(in, opts)
	require.NoError(t, err)
	var nums []int
	for r.Next() {
		f := r.Frame()
		nums = append(nums, f.Number)
		if f.Err != nil || f.Fragment {
			continue
		}
		var want packet.Packet
		require.NoError(t, want.Decode(f.Data))
		require.Equal(t, want.Header, f.Packet.Header, "frame %d", f.Number)
		require.Equal(t, f.Len, len(f.Data))
	}
	return nums, r
}

func corpusSRTFrames(t testing.TB, name string) []int {
	raw, err := testcorpus.Raw(name)
	require.NoError(t, err)
	var nums []int
	for n := range raw {
		nums = append(nums, n)
	}
	sort.Ints(nums)
	return nums
}

// TestCorpusWithoutPortHint reads every corpus capture with the heuristic
// alone: every SRT frame must be found (the raw decode lists them all),
// nothing else, in capture order, and every one must decode.
func TestCorpusWithoutPortHint(t *testing.T) {
	caps, err := testcorpus.Captures()
	require.NoError(t, err)
	for _, c := range caps {
		f, err := os.Open(testcorpus.Path(c.Name + ".pcap"))
		require.NoError(t, err)
		got, r := readAll(t, f, nil)
		f.Close()
		require.NoError(t, r.Err(), c.Name)
		assert.Equal(t, corpusSRTFrames(t, c.Name), got, c.Name)
		assert.Zero(t, r.Stats().Errors, c.Name)
	}
}

func TestCorpusWithPorts(t *testing.T) {
	caps, err := testcorpus.Captures()
	require.NoError(t, err)
	for _, c := range caps {
		f, err := os.Open(testcorpus.Path(c.Name + ".pcap"))
		require.NoError(t, err)
		got, r := readAll(t, f, &capture.Options{Ports: c.Ports, PortsOnly: true})
		f.Close()
		require.NoError(t, r.Err())
		assert.Equal(t, corpusSRTFrames(t, c.Name), got, c.Name)
	}
}

// TestMidSession cuts the first frames off each capture, so that it starts
// with no handshake: every remaining SRT frame must still be found.
func TestMidSession(t *testing.T) {
	caps, err := testcorpus.Captures()
	require.NoError(t, err)
	for _, c := range caps {
		rc := readRaw(t, testcorpus.Path(c.Name+".pcap"))
		for _, cut := range []int{4, 7, 20, 51} {
			if cut >= len(rc.frames)-2 {
				continue
			}
			part := rawCapture{link: rc.link, frames: rc.frames[cut:], cis: rc.cis[cut:]}
			got, r := readAll(t, bytes.NewReader(part.pcap(t)), nil)
			require.NoError(t, r.Err())
			sort.Ints(got)
			var want []int
			for _, n := range corpusSRTFrames(t, c.Name) {
				if n > cut {
					want = append(want, n-cut)
				}
			}
			assert.Equal(t, want, got, "%s without its first %d frames", c.Name, cut)
		}
	}
}

func TestFormats(t *testing.T) {
	rc := readRaw(t, testcorpus.Path("s02_enc_aes128.pcap"))
	want := corpusSRTFrames(t, "s02_enc_aes128")
	plain := rc.pcap(t)
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	_, _ = zw.Write(plain)
	require.NoError(t, zw.Close())
	ng := rc.pcapng(t)
	var gzng bytes.Buffer
	zw = gzip.NewWriter(&gzng)
	_, _ = zw.Write(ng)
	require.NoError(t, zw.Close())

	for name, b := range map[string][]byte{"pcap": plain, "pcap.gz": gz.Bytes(), "pcapng": ng, "pcapng.gz": gzng.Bytes()} {
		got, r := readAll(t, bytes.NewReader(b), nil)
		require.NoError(t, r.Err(), name)
		assert.Equal(t, want, got, name)
		assert.Equal(t, name == "pcap.gz" || name == "pcapng.gz", r.Compressed(), name)
	}
}

// TestRealCapturesOtherFormats reads captures made with tcpdump -i any
// (Linux cooked v2) and dumpcap (pcapng) by testdata/extra/make.sh and
// checks them against Wireshark's decode of the same files.
func TestRealCapturesOtherFormats(t *testing.T) {
	for _, name := range []string{"sid_km_sll2.pcap", "sid_km_lo.pcapng"} {
		path := filepath.Join(testcorpus.Dir(), "..", "extra", name)
		ts, err := testcorpus.ReadTShark(path[:len(path)-len(filepath.Ext(path))] + ".tshark.json.gz")
		require.NoError(t, err)
		var want []int
		payload := map[int][]byte{}
		for _, p := range ts {
			if p.SRT != nil {
				want = append(want, p.Frame)
				payload[p.Frame] = p.UDPPayload
			}
		}
		r, err := capture.Open(path, nil)
		require.NoError(t, err)
		var got []int
		conclusions := 0
		for r.Next() {
			f := r.Frame()
			require.NoError(t, f.Err, "%s frame %d", name, f.Number)
			got = append(got, f.Number)
			if pl := payload[f.Number]; pl != nil {
				assert.Equal(t, pl, f.Data, "%s frame %d", name, f.Number)
			}
			if f.Packet.Control && f.Packet.Type == packet.TypeHandshake && f.Packet.Handshake.StreamID() != "" {
				conclusions++
				assert.Equal(t, "#!::r=live/extra,m=publish,u=carol", f.Packet.Handshake.StreamID())
			}
		}
		require.NoError(t, r.Err())
		require.NoError(t, r.Close())
		assert.Equal(t, want, got, name)
		assert.Equal(t, 1, conclusions, name)
		assert.NotEmpty(t, got)
	}
}

func TestBadInput(t *testing.T) {
	_, err := capture.NewReader(bytes.NewReader(nil), nil)
	assert.ErrorIs(t, err, capture.ErrEmpty)
	_, err = capture.NewReader(bytes.NewReader([]byte("hello, this is not a capture file")), nil)
	assert.ErrorIs(t, err, capture.ErrNotCapture)
	_, err = capture.NewReader(bytes.NewReader([]byte{0x1f, 0x8b, 1, 2, 3}), nil)
	assert.Error(t, err)
	_, err = capture.Open("/nonexistent/file.pcap", nil)
	assert.ErrorIs(t, err, os.ErrNotExist)
}

// TestTruncatedFile cuts a capture at every byte: every frame whose record
// is complete is delivered, then a Error names the damage.
func TestTruncatedFile(t *testing.T) {
	whole, err := os.ReadFile(testcorpus.Path("s03_reject_badsecret.pcap"))
	require.NoError(t, err)
	for cut := 24; cut < len(whole); cut++ {
		got, r := readAll(t, bytes.NewReader(whole[:cut]), nil)
		// Records start at 24; each is 16 + caplen bytes.
		complete, off := 0, 24
		for off+16 <= cut {
			n := 16 + int(uint32(whole[off+8])|uint32(whole[off+9])<<8|uint32(whole[off+10])<<16|uint32(whole[off+11])<<24)
			if off+n > cut {
				break
			}
			complete++
			off += n
		}
		assert.Len(t, got, complete, "cut at %d", cut)
		if off == cut {
			assert.NoError(t, r.Err(), "cut at a record boundary %d", cut)
			continue
		}
		var ce *capture.Error
		require.ErrorAs(t, r.Err(), &ce, "cut at %d", cut)
		assert.Equal(t, complete+1, ce.Frame)
		assert.EqualValues(t, off, ce.Offset, "cut at %d", cut)
		assert.Contains(t, ce.Error(), "byte offset")
	}
}

// Synthetic traffic for what the corpus lacks.

func udpFrame(t testing.TB, src, dst string, sport, dport uint16, payload []byte, v6, vlan bool) []byte {
	t.Helper()
	eth := &layers.Ethernet{SrcMAC: net.HardwareAddr{0, 1, 2, 3, 4, 5}, DstMAC: net.HardwareAddr{0, 1, 2, 3, 4, 6}, EthernetType: layers.EthernetTypeIPv4}
	var ls []gopacket.SerializableLayer
	ls = append(ls, eth)
	if vlan {
		eth.EthernetType = layers.EthernetTypeDot1Q
		ls = append(ls, &layers.Dot1Q{VLANIdentifier: 42, Type: layers.EthernetTypeIPv4})
	}
	udp := &layers.UDP{SrcPort: layers.UDPPort(sport), DstPort: layers.UDPPort(dport)}
	if v6 {
		if vlan {
			ls[1].(*layers.Dot1Q).Type = layers.EthernetTypeIPv6
		} else {
			eth.EthernetType = layers.EthernetTypeIPv6
		}
		ip := &layers.IPv6{Version: 6, HopLimit: 64, NextHeader: layers.IPProtocolUDP, SrcIP: net.ParseIP(src), DstIP: net.ParseIP(dst)}
		require.NoError(t, udp.SetNetworkLayerForChecksum(ip))
		ls = append(ls, ip)
	} else {
		ip := &layers.IPv4{Version: 4, TTL: 64, Protocol: layers.IPProtocolUDP, SrcIP: net.ParseIP(src).To4(), DstIP: net.ParseIP(dst).To4()}
		require.NoError(t, udp.SetNetworkLayerForChecksum(ip))
		ls = append(ls, ip)
	}
	ls = append(ls, udp, gopacket.Payload(payload))
	buf := gopacket.NewSerializeBuffer()
	require.NoError(t, gopacket.SerializeLayers(buf, gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true}, ls...))
	return append([]byte(nil), buf.Bytes()...)
}

func ipFrame(t testing.TB, ls ...gopacket.SerializableLayer) []byte {
	buf := gopacket.NewSerializeBuffer()
	all := append([]gopacket.SerializableLayer{&layers.Ethernet{SrcMAC: net.HardwareAddr{0, 1, 2, 3, 4, 5}, DstMAC: net.HardwareAddr{0, 1, 2, 3, 4, 6}, EthernetType: layers.EthernetTypeIPv4}}, ls...)
	require.NoError(t, gopacket.SerializeLayers(buf, gopacket.SerializeOptions{FixLengths: true}, all...))
	return append([]byte(nil), buf.Bytes()...)
}

func dnsQuery(id uint16, name string) []byte {
	b := []byte{byte(id >> 8), byte(id), 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0}
	for _, label := range bytes.Split([]byte(name), []byte(".")) {
		b = append(b, byte(len(label)))
		b = append(b, label...)
	}
	return append(b, 0, 0, 1, 0, 1)
}

func rtp(pt byte, seq uint16, ts uint32, n int) []byte {
	b := []byte{0x80, pt, byte(seq >> 8), byte(seq), byte(ts >> 24), byte(ts >> 16), byte(ts >> 8), byte(ts), 0x12, 0x34, 0x56, 0x78}
	return append(b, bytes.Repeat([]byte{0xD5}, n)...)
}

// TestMixedTraffic mixes an SRT session with DNS, RTP, QUIC, TCP and ICMP
// errors quoting SRT datagrams: only the SRT datagrams may be claimed.
func TestMixedTraffic(t *testing.T) {
	srtFrames, err := testcorpus.Frames("s08_loss_pattern")
	require.NoError(t, err)
	var rc rawCapture
	rc.link = layers.LinkTypeEthernet
	var want []int
	ts := time.Unix(1700000000, 0)
	add := func(frame []byte, isSRT bool) {
		rc.frames = append(rc.frames, frame)
		ts = ts.Add(time.Millisecond)
		rc.cis = append(rc.cis, gopacket.CaptureInfo{Timestamp: ts, CaptureLength: len(frame), Length: len(frame)})
		if isSRT {
			want = append(want, len(rc.frames))
		}
	}
	for i, f := range srtFrames {
		// The SRT session, over IPv6 with a VLAN tag for variety on odd frames.
		v6 := i%2 == 1
		src, dst := "10.0.0.1", "10.0.0.2" // caller, listener
		if v6 {
			src, dst = "fd00::1", "fd00::2"
		}
		if f.Src.Port() < f.Dst.Port() { // from the listener
			src, dst = dst, src
		}
		add(udpFrame(t, src, dst, f.Src.Port(), f.Dst.Port(), f.Payload, v6, v6), true)
		// DNS queries and answers from random ports.
		add(udpFrame(t, "10.0.0.1", "10.0.0.53", uint16(30000+i), 53, dnsQuery(uint16(i*7919), "example.com"), false, false), false)
		// RTP (PT 0 and 96) between fixed ports.
		add(udpFrame(t, "10.0.0.3", "10.0.0.4", 5004, 5006, rtp(0, uint16(i), uint32(i*160), 160), false, false), false)
		add(udpFrame(t, "10.0.0.3", "10.0.0.4", 5008, 5010, rtp(96, uint16(i), uint32(i*3000), 1200), false, false), false)
		// QUIC: a long-header Initial and short-header packets.
		quicLong := append([]byte{0xC3, 0, 0, 0, 1, 8}, bytes.Repeat([]byte{byte(i)}, 1200)...)
		add(udpFrame(t, "10.0.0.5", "10.0.0.6", 50000, 443, quicLong, false, false), false)
		quicShort := append([]byte{0x43, 1, 2, 3, 4, 5, 6, 7, 8}, bytes.Repeat([]byte{byte(i * 31), byte(i * 17)}, 600)...)
		add(udpFrame(t, "10.0.0.6", "10.0.0.5", 443, 50000, quicShort, false, false), false)
		// ICMP port unreachable quoting the SRT datagram.
		if i%10 == 0 {
			quoted := udpFrame(t, "10.0.0.1", "10.0.0.2", f.Src.Port(), f.Dst.Port(), f.Payload, false, false)[14:]
			add(ipFrame(t,
				&layers.IPv4{Version: 4, TTL: 64, Protocol: layers.IPProtocolICMPv4, SrcIP: net.IP{10, 0, 0, 2}, DstIP: net.IP{10, 0, 0, 1}},
				&layers.ICMPv4{TypeCode: layers.CreateICMPv4TypeCode(3, 3)}, gopacket.Payload(quoted)), false)
			// And a TCP segment.
			add(ipFrame(t,
				&layers.IPv4{Version: 4, TTL: 64, Protocol: layers.IPProtocolTCP, SrcIP: net.IP{10, 0, 0, 7}, DstIP: net.IP{10, 0, 0, 8}},
				&layers.TCP{SrcPort: 1234, DstPort: 80, Seq: 1, ACK: true, Window: 100}, gopacket.Payload(f.Payload)), false)
		}
	}
	got, r := readAll(t, bytes.NewReader(rc.pcap(t)), nil)
	require.NoError(t, r.Err())
	assert.Equal(t, want, got)
	assert.Equal(t, len(rc.frames), r.Stats().Frames)
}

func TestSnaplenTruncatedAndFragments(t *testing.T) {
	frames, err := testcorpus.Frames("s01_live_plain")
	require.NoError(t, err)
	var rc rawCapture
	rc.link = layers.LinkTypeEthernet
	add := func(frame []byte, caplen int) {
		rc.frames = append(rc.frames, frame[:caplen])
		rc.cis = append(rc.cis, gopacket.CaptureInfo{Timestamp: time.Unix(1, 0), CaptureLength: caplen, Length: len(frame)})
	}
	for _, f := range frames[:4] { // the handshakes confirm the flow
		b := udpFrame(t, "10.0.0.1", "10.0.0.2", f.Src.Port(), f.Dst.Port(), f.Payload, false, false)
		add(b, len(b))
	}
	data := frames[4]
	b := udpFrame(t, "10.0.0.1", "10.0.0.2", data.Src.Port(), data.Dst.Port(), data.Payload, false, false)
	add(b, 14+20+8+40) // snaplen 82: header and 24 bytes of payload

	// An IPv4 fragment pair of an SRT datagram.
	full := udpFrame(t, "10.0.0.1", "10.0.0.2", data.Src.Port(), data.Dst.Port(), data.Payload, false, false)
	ipudp := full[14:]
	first := ipFrame(t, &layers.IPv4{Version: 4, TTL: 64, Protocol: layers.IPProtocolUDP, Flags: layers.IPv4MoreFragments,
		SrcIP: net.IP{10, 0, 0, 1}, DstIP: net.IP{10, 0, 0, 2}}, gopacket.Payload(ipudp[20:20+800]))
	second := ipFrame(t, &layers.IPv4{Version: 4, TTL: 64, Protocol: layers.IPProtocolUDP, FragOffset: 100,
		SrcIP: net.IP{10, 0, 0, 1}, DstIP: net.IP{10, 0, 0, 2}}, gopacket.Payload(ipudp[20+800:]))
	add(first, len(first))
	add(second, len(second))

	r, err := capture.NewReader(bytes.NewReader(rc.pcap(t)), nil)
	require.NoError(t, err)
	var fs []capture.Frame
	for r.Next() {
		f := *r.Frame()
		f.Data = append([]byte(nil), f.Data...)
		fs = append(fs, f)
	}
	require.NoError(t, r.Err())
	require.Len(t, fs, 7)
	tr := fs[4]
	assert.True(t, tr.Truncated)
	assert.ErrorIs(t, tr.Err, capture.ErrSnapTruncated)
	assert.Len(t, tr.Data, 40)
	assert.Equal(t, len(data.Payload), tr.Len)
	assert.Equal(t, data.Payload[:8], func() []byte { b, _ := tr.Packet.Header.AppendBinary(nil); return b[:8] }(), "the header still decodes")
	for _, f := range fs[5:] {
		assert.True(t, f.Fragment)
		assert.ErrorIs(t, f.Err, capture.ErrFragment)
	}
	assert.Equal(t, data.Dst.Port(), fs[5].Dst.Port(), "first fragment has the ports")
	assert.Equal(t, 2, r.Stats().Fragments)
}

// TestLinkTypes wraps the same SRT datagrams in every supported link layer.
func TestLinkTypes(t *testing.T) {
	frames, err := testcorpus.Frames("s05_app_reject_1403")
	require.NoError(t, err)
	wrap := map[layers.LinkType]func(ipPacket []byte, v6 bool) []byte{
		layers.LinkTypeNull: func(p []byte, v6 bool) []byte {
			if v6 {
				return append([]byte{30, 0, 0, 0}, p...)
			}
			return append([]byte{2, 0, 0, 0}, p...)
		},
		layers.LinkTypeLoop: func(p []byte, v6 bool) []byte {
			if v6 {
				return append([]byte{0, 0, 0, 24}, p...)
			}
			return append([]byte{0, 0, 0, 2}, p...)
		},
		layers.LinkTypeRaw: func(p []byte, _ bool) []byte { return p },
		layers.LinkTypeLinuxSLL: func(p []byte, v6 bool) []byte {
			h := []byte{0, 0, 3, 4, 0, 6, 0, 0, 0, 0, 0, 0, 0, 0, 0x08, 0x00}
			if v6 {
				h[14], h[15] = 0x86, 0xDD
			}
			return append(h, p...)
		},
	}
	for lt, w := range wrap {
		for _, v6 := range []bool{false, true} {
			var rc rawCapture
			rc.link = lt
			for _, f := range frames {
				src, dst := "127.0.0.1", "127.0.0.1"
				if v6 {
					src, dst = "::1", "::1"
				}
				eth := udpFrame(t, src, dst, f.Src.Port(), f.Dst.Port(), f.Payload, v6, false)
				b := w(eth[14:], v6)
				rc.frames = append(rc.frames, b)
				rc.cis = append(rc.cis, gopacket.CaptureInfo{Timestamp: time.Unix(1, 0), CaptureLength: len(b), Length: len(b)})
			}
			got, r := readAll(t, bytes.NewReader(rc.pcap(t)), nil)
			require.NoError(t, r.Err())
			assert.Equal(t, []int{1, 2, 3, 4}, got, "%v v6=%v", lt, v6)
		}
	}
}

func TestCaptureErrorUnwrap(t *testing.T) {
	e := &capture.Error{Frame: 3, Offset: 100, Err: io.ErrUnexpectedEOF}
	assert.True(t, errors.Is(e, io.ErrUnexpectedEOF))
	assert.Equal(t, "pcap: capture damaged at frame 3, byte offset 100: unexpected EOF", e.Error())
}

// TestSteadyStateAllocs: reading a capture held in memory allocates
// nothing per packet once the buffers have grown.
func TestSteadyStateAllocs(t *testing.T) {
	b, err := os.ReadFile(testcorpus.Path("s08_loss_pattern.pcap"))
	require.NoError(t, err)
	var br bytes.Reader
	br.Reset(b)
	r, err := capture.NewReader(&br, nil)
	require.NoError(t, err)
	for i := 0; i < 50; i++ {
		require.True(t, r.Next())
	}
	allocs := testing.AllocsPerRun(200, func() {
		if !r.Next() {
			t.Fatal("capture too short")
		}
	})
	assert.Zero(t, allocs, "allocs per packet")

	// The same in place, through NewReaderBytes.
	r, err = capture.NewReaderBytes(b, nil)
	require.NoError(t, err)
	for i := 0; i < 50; i++ {
		require.True(t, r.Next())
	}
	allocs = testing.AllocsPerRun(200, func() {
		if !r.Next() {
			t.Fatal("capture too short")
		}
	})
	assert.Zero(t, allocs, "allocs per packet, NewReaderBytes")
}

func BenchmarkCaptureRead(b *testing.B) {
	data, err := os.ReadFile(testcorpus.Path("s02_enc_kmrefresh.pcap"))
	require.NoError(b, err)
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	pkts := 0
	for b.Loop() {
		r, _ := capture.NewReader(bytes.NewReader(data), nil)
		for r.Next() {
			pkts++
		}
	}
	b.ReportMetric(float64(pkts)/b.Elapsed().Seconds(), "pkts/s")
}

// TestPcapngLyingLengths: a pcapng whose interface claims a 4 GiB snap
// length and whose packet claims a 4 GiB capture length must fail cleanly
// without allocating from those numbers.
func TestPcapngLyingLengths(t *testing.T) {
	rc := readRaw(t, testcorpus.Path("s05_app_reject_1403.pcap"))
	ng := rc.pcapng(t)
	// Find the IDB (type 1) and the first EPB (type 6) and lie in them.
	off := 0
	var idb, epb int = -1, -1
	for off+8 <= len(ng) {
		typ := int(ng[off]) | int(ng[off+1])<<8
		n := int(ng[off+4]) | int(ng[off+5])<<8 | int(ng[off+6])<<16 | int(ng[off+7])<<24
		if typ == 1 && idb < 0 {
			idb = off
		}
		if typ == 6 && epb < 0 {
			epb = off
		}
		off += n
	}
	require.True(t, idb >= 0 && epb >= 0)
	huge := append([]byte(nil), ng...)
	copy(huge[idb+12:], []byte{0xff, 0xff, 0xff, 0xff}) // snaplen
	got, r := readAll(t, bytes.NewReader(huge), nil)
	require.NoError(t, r.Err(), "a huge snap length alone is harmless")
	assert.Len(t, got, 4)

	lying := append([]byte(nil), ng...)
	copy(lying[epb+20:], []byte{0xff, 0xff, 0xff, 0x7f}) // capture length
	var ms1, ms2 runtime.MemStats
	runtime.ReadMemStats(&ms1)
	got, r = readAll(t, bytes.NewReader(lying), nil)
	runtime.ReadMemStats(&ms2)
	assert.Empty(t, got)
	assert.ErrorIs(t, r.Err(), capture.ErrBadBlock)
	assert.Less(t, ms2.TotalAlloc-ms1.TotalAlloc, uint64(8<<20), "no allocation sized by the lying length")
}
