package pcap

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"
	"github.com/google/gopacket/pcapgo"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/srtwire/srtwire/handshake"
	"github.com/srtwire/srtwire/internal/testcorpus"
	"github.com/srtwire/srtwire/packet"
)

// layerPortsOnce registers the SRT ports of every corpus capture in
// gopacket's global UDP port table, once per test binary and before any
// gopacket decoding in these tests.
var layerPortsOnce sync.Once

func layerRegisterCorpusPorts(tb testing.TB) {
	tb.Helper()
	var err error
	layerPortsOnce.Do(func() {
		var caps []testcorpus.Capture
		caps, err = testcorpus.Captures()
		for _, c := range caps {
			for _, p := range c.Ports {
				RegisterUDPPort(uint16(p))
			}
		}
	})
	require.NoError(tb, err)
}

// layerCaptures returns the corpus captures with their ports registered.
func layerCaptures(tb testing.TB) []testcorpus.Capture {
	tb.Helper()
	layerRegisterCorpusPorts(tb)
	caps, err := testcorpus.Captures()
	require.NoError(tb, err)
	require.NotEmpty(tb, caps)
	return caps
}

// layerReadFrames reads every record of the capture NAME.pcap with pcapgo,
// each in its own buffer (the capacity is the length, so a read past the end
// of a frame panics).
func layerReadFrames(tb testing.TB, name string) [][]byte {
	tb.Helper()
	f, err := os.Open(filepath.Join(testcorpus.Dir(), name+".pcap"))
	require.NoError(tb, err)
	defer f.Close()
	r, err := pcapgo.NewReader(f)
	require.NoError(tb, err)
	require.Equal(tb, layers.LinkTypeEthernet, r.LinkType(), name)
	var frames [][]byte
	for {
		data, ci, err := r.ReadPacketData()
		if errors.Is(err, io.EOF) {
			break
		}
		require.NoError(tb, err, "%s record %d", name, len(frames)+1)
		require.Equal(tb, ci.Length, len(data), "%s record %d is cut by the snaplen", name, len(frames)+1)
		frames = append(frames, data[:len(data):len(data)])
	}
	require.NotEmpty(tb, frames, name)
	return frames
}

// layerStack is a DecodingLayerParser over Ethernet, IPv4, IPv6, UDP, SRT
// and Payload, with panics left to crash the test.
type layerStack struct {
	eth     layers.Ethernet
	ip4     layers.IPv4
	ip6     layers.IPv6
	udp     layers.UDP
	srt     SRT
	payload gopacket.Payload
	parser  *gopacket.DecodingLayerParser
	decoded []gopacket.LayerType
}

func newLayerStack() *layerStack {
	s := &layerStack{decoded: make([]gopacket.LayerType, 0, 8)}
	s.parser = gopacket.NewDecodingLayerParser(layers.LayerTypeEthernet,
		&s.eth, &s.ip4, &s.ip6, &s.udp, &s.srt, &s.payload)
	s.parser.IgnorePanic = true
	return s
}

func (s *layerStack) decode(frame []byte) error {
	return s.parser.DecodeLayers(frame, &s.decoded)
}

// serializable returns the decoded layers in order, as serializable layers.
func (s *layerStack) serializable(tb testing.TB) []gopacket.SerializableLayer {
	tb.Helper()
	var out []gopacket.SerializableLayer
	for _, t := range s.decoded {
		switch t {
		case layers.LayerTypeEthernet:
			out = append(out, &s.eth)
		case layers.LayerTypeIPv4:
			out = append(out, &s.ip4)
		case layers.LayerTypeIPv6:
			out = append(out, &s.ip6)
		case layers.LayerTypeUDP:
			out = append(out, &s.udp)
		case LayerTypeSRT:
			out = append(out, &s.srt)
		case gopacket.LayerTypePayload:
			out = append(out, &s.payload)
		default:
			tb.Fatalf("unexpected layer %v", t)
		}
	}
	return out
}

// layerWantTypes is the layer chain a corpus frame must decode to.
func layerWantTypes(ip gopacket.LayerType, p *packet.Packet) []gopacket.LayerType {
	want := []gopacket.LayerType{layers.LayerTypeEthernet, ip, layers.LayerTypeUDP, LayerTypeSRT}
	if !p.Control && len(p.Payload) > 0 {
		want = append(want, gopacket.LayerTypePayload)
	}
	return want
}

// garbageBuffer returns a SerializeBuffer whose free prepend space is filled
// with 0xAA, so that a layer that leaves a byte unwritten is caught.
func garbageBuffer(tb testing.TB) gopacket.SerializeBuffer {
	tb.Helper()
	buf := gopacket.NewSerializeBuffer()
	b, err := buf.PrependBytes(4096)
	require.NoError(tb, err)
	for i := range b {
		b[i] = 0xAA
	}
	require.NoError(tb, buf.Clear())
	return buf
}

// layerUDPChecksumOK verifies the UDP checksum of an Ethernet frame whose UDP
// header starts at udpOff, over the IPv4 or IPv6 pseudo-header.
func layerUDPChecksumOK(frame []byte, udpOff int, v6 bool) bool {
	var sum uint32
	add := func(b []byte) {
		for i := 0; i+1 < len(b); i += 2 {
			sum += uint32(b[i])<<8 | uint32(b[i+1])
		}
		if len(b)%2 == 1 {
			sum += uint32(b[len(b)-1]) << 8
		}
	}
	udp := frame[udpOff:]
	if v6 {
		add(frame[14+8 : 14+40]) // source and destination addresses
	} else {
		add(frame[14+12 : 14+20])
	}
	sum += 17 + uint32(len(udp)) // protocol, UDP length
	add(udp)
	for sum > 0xFFFF {
		sum = sum>>16 + sum&0xFFFF
	}
	return sum == 0xFFFF
}

type truncFlag bool

func (f *truncFlag) SetTruncated() { *f = true }

func TestLayerTypeRegistration(t *testing.T) {
	assert.Equal(t, gopacket.LayerType(1880), LayerTypeSRT)
	assert.Equal(t, "SRT", LayerTypeSRT.String())
	var s SRT
	assert.Equal(t, LayerTypeSRT, s.LayerType())
	assert.Equal(t, gopacket.LayerClass(LayerTypeSRT), s.CanDecode())
	assert.True(t, s.CanDecode().Contains(LayerTypeSRT))
	assert.Equal(t, gopacket.LayerTypePayload, s.NextLayerType())
	s.Packet.Control = true
	assert.Equal(t, gopacket.LayerTypeZero, s.NextLayerType())
}

func TestRegisterUDPPort(t *testing.T) {
	caps := layerCaptures(t)
	for _, c := range caps {
		for _, p := range c.Ports {
			assert.Equal(t, LayerTypeSRT, layers.UDPPort(p).LayerType(), "%s port %d", c.Name, p)
		}
	}
	// UDP checks the destination port, then the source port: one
	// registration covers both directions.
	udp := layers.UDP{SrcPort: 50000, DstPort: layers.UDPPort(caps[0].Ports[0])}
	assert.Equal(t, LayerTypeSRT, udp.NextLayerType())
	udp.SrcPort, udp.DstPort = udp.DstPort, udp.SrcPort
	assert.Equal(t, LayerTypeSRT, udp.NextLayerType())
}

// TestLayerParserCorpus decodes every frame of every corpus capture through a
// DecodingLayerParser (IgnorePanic) and checks the SRT layer against a direct
// packet.Packet.Decode of the UDP payload.
func TestLayerParserCorpus(t *testing.T) {
	total := 0
	for _, c := range layerCaptures(t) {
		t.Run(c.Name, func(t *testing.T) {
			frames := layerReadFrames(t, c.Name)
			udpFrames, err := testcorpus.Frames(c.Name)
			require.NoError(t, err)
			require.Len(t, udpFrames, len(frames), "every record is a UDP datagram")

			s := newLayerStack()
			var want packet.Packet
			var nData, nControl int
			for i, frame := range frames {
				require.NoError(t, s.decode(frame), "frame %d", i+1)
				require.False(t, s.parser.Truncated, "frame %d", i+1)

				cf := udpFrames[i]
				require.Equal(t, i+1, cf.Number)
				require.True(t, c.IsSRT(cf), "frame %d %v > %v", i+1, cf.Src, cf.Dst)
				require.Equal(t, cf.Payload, []byte(s.udp.Payload), "frame %d", i+1)

				ip := layers.LayerTypeIPv4
				if cf.Src.Addr().Is6() && !cf.Src.Addr().Is4In6() {
					ip = layers.LayerTypeIPv6
				}
				require.NoError(t, want.Decode(s.udp.Payload), "frame %d", i+1)
				require.Equal(t, layerWantTypes(ip, &want), s.decoded, "frame %d", i+1)
				require.Equal(t, want, s.srt.Packet, "frame %d", i+1)

				dgram := s.udp.Payload
				if want.Control {
					nControl++
					assert.Equal(t, dgram, s.srt.Contents, "frame %d", i+1)
					assert.Nil(t, s.srt.Payload, "frame %d", i+1)
					assert.Equal(t, gopacket.LayerTypeZero, s.srt.NextLayerType())
				} else {
					nData++
					assert.Equal(t, dgram[:packet.HeaderSize], s.srt.Contents, "frame %d", i+1)
					assert.Equal(t, dgram[packet.HeaderSize:], s.srt.Payload, "frame %d", i+1)
					assert.Equal(t, gopacket.LayerTypePayload, s.srt.NextLayerType())
					if len(want.Payload) > 0 {
						assert.Equal(t, want.Payload, []byte(s.payload), "frame %d", i+1)
						// Zero copy: the layer's views alias the frame.
						assert.Same(t, &frame[len(frame)-len(dgram)+packet.HeaderSize], &s.srt.Payload[0])
					}
				}
				assert.Same(t, &frame[len(frame)-len(dgram)], &s.srt.Contents[0], "frame %d", i+1)
			}
			t.Logf("%d frames: %d control, %d data", len(frames), nControl, nData)
			total += len(frames)
		})
	}
	t.Logf("%d frames in all", total)
}

// layerFindFrame returns the first frame of capture name whose SRT packet
// satisfies pred.
func layerFindFrame(tb testing.TB, name string, pred func(p *packet.Packet) bool) []byte {
	tb.Helper()
	layerRegisterCorpusPorts(tb)
	s := newLayerStack()
	for _, frame := range layerReadFrames(tb, name) {
		require.NoError(tb, s.decode(frame))
		if pred(&s.srt.Packet) {
			return frame
		}
	}
	tb.Fatalf("%s: no such frame", name)
	return nil
}

func layerDataFrame(tb testing.TB) []byte {
	return layerFindFrame(tb, "s01_live_plain", func(p *packet.Packet) bool {
		return !p.Control && len(p.Payload) > 1000
	})
}

func layerConclusionFrame(tb testing.TB) []byte {
	return layerFindFrame(tb, "s01_live_plain", func(p *packet.Packet) bool {
		return p.Control && p.Type == packet.TypeHandshake &&
			p.Handshake.Type == handshake.Conclusion && len(p.Handshake.Ext) > 0
	})
}

func TestLayerParserAllocs(t *testing.T) {
	for _, tc := range []struct {
		name  string
		frame []byte
		want  []gopacket.LayerType
	}{
		{"data", layerDataFrame(t), []gopacket.LayerType{layers.LayerTypeEthernet, layers.LayerTypeIPv4, layers.LayerTypeUDP, LayerTypeSRT, gopacket.LayerTypePayload}},
		{"conclusion", layerConclusionFrame(t), []gopacket.LayerType{layers.LayerTypeEthernet, layers.LayerTypeIPv4, layers.LayerTypeUDP, LayerTypeSRT}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newLayerStack()
			var err error
			allocs := testing.AllocsPerRun(200, func() {
				err = s.decode(tc.frame)
			})
			require.NoError(t, err)
			require.Equal(t, tc.want, s.decoded)
			assert.Zero(t, allocs, "allocations per DecodeLayers")
		})
	}
}

func TestLayerSerializeAllocs(t *testing.T) {
	for _, frame := range [][]byte{layerDataFrame(t), layerConclusionFrame(t)} {
		s := newLayerStack()
		require.NoError(t, s.decode(frame))
		buf := gopacket.NewSerializeBufferExpectedSize(2048, 0)
		var err error
		allocs := testing.AllocsPerRun(200, func() {
			_ = buf.Clear()
			err = s.srt.SerializeTo(buf, gopacket.SerializeOptions{})
		})
		require.NoError(t, err)
		require.Equal(t, []byte(s.udp.Payload), buf.Bytes())
		assert.Zero(t, allocs, "allocations per SerializeTo")
	}
}

// TestLayerSerializeRoundTrip serializes the decoded layers of every corpus
// frame and compares the bytes with the frame.
func TestLayerSerializeRoundTrip(t *testing.T) {
	for _, c := range layerCaptures(t) {
		t.Run(c.Name, func(t *testing.T) {
			s := newLayerStack()
			var checksumDiffs, n int
			for i, frame := range layerReadFrames(t, c.Name) {
				require.NoError(t, s.decode(frame), "frame %d", i+1)
				dgram := []byte(s.udp.Payload)

				// The SRT layer alone writes the whole datagram, every byte.
				buf := garbageBuffer(t)
				require.NoError(t, s.srt.SerializeTo(buf, gopacket.SerializeOptions{}), "frame %d", i+1)
				require.Equal(t, dgram, buf.Bytes(), "frame %d: SRT layer alone", i+1)

				// SRT followed by its Payload layer (a decoded data packet):
				// the header, then the payload the next layer wrote.
				upper := s.serializable(t)[3:]
				buf = garbageBuffer(t)
				require.NoError(t, gopacket.SerializeLayers(buf, gopacket.SerializeOptions{}, upper...))
				require.Equal(t, dgram, buf.Bytes(), "frame %d: SRT layers", i+1)

				// The whole stack, lengths and checksums as decoded.
				stack := s.serializable(t)
				buf = garbageBuffer(t)
				require.NoError(t, gopacket.SerializeLayers(buf, gopacket.SerializeOptions{}, stack...), "frame %d", i+1)
				require.Equal(t, frame, buf.Bytes(), "frame %d: whole stack", i+1)

				// Lengths and checksums recomputed: same size and fields.
				// The UDP checksum of a loopback capture is a partial
				// (offloaded) one, so it alone may differ; the recomputed
				// one must be valid.
				if s.decoded[1] == layers.LayerTypeIPv4 {
					require.NoError(t, s.udp.SetNetworkLayerForChecksum(&s.ip4))
				} else {
					require.NoError(t, s.udp.SetNetworkLayerForChecksum(&s.ip6))
				}
				buf = garbageBuffer(t)
				require.NoError(t, gopacket.SerializeLayers(buf, gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true}, stack...), "frame %d", i+1)
				got := buf.Bytes()
				require.Len(t, got, len(frame), "frame %d", i+1)
				udpOff := len(frame) - len(dgram) - 8
				if !bytes.Equal(got[udpOff+6:udpOff+8], frame[udpOff+6:udpOff+8]) {
					checksumDiffs++
				}
				require.True(t, layerUDPChecksumOK(got, udpOff, s.decoded[1] == layers.LayerTypeIPv6), "frame %d: recomputed UDP checksum", i+1)
				fixed := append([]byte(nil), got...)
				copy(fixed[udpOff+6:udpOff+8], frame[udpOff+6:udpOff+8])
				require.Equal(t, frame, fixed, "frame %d: with FixLengths and ComputeChecksums", i+1)

				// Decoding the re-serialized frame gives the same packet.
				want := s.srt.Packet
				s2 := newLayerStack()
				require.NoError(t, s2.decode(got))
				require.Equal(t, want, s2.srt.Packet, "frame %d", i+1)
				n++
			}
			t.Logf("%d frames round-tripped; %d UDP checksums differ once recomputed", n, checksumDiffs)
		})
	}
}

func TestLayerSerializeError(t *testing.T) {
	var s SRT
	s.Packet.Seq = 1 << 31 // does not fit 31 bits
	s.Packet.Payload = []byte{1, 2, 3}
	err := s.SerializeTo(gopacket.NewSerializeBuffer(), gopacket.SerializeOptions{})
	require.ErrorIs(t, err, packet.ErrFieldRange)
}

// TestLayerNewPacket checks the allocating gopacket.NewPacket path on every
// corpus frame.
func TestLayerNewPacket(t *testing.T) {
	for _, c := range layerCaptures(t) {
		t.Run(c.Name, func(t *testing.T) {
			for i, frame := range layerReadFrames(t, c.Name) {
				pkt := gopacket.NewPacket(frame, layers.LayerTypeEthernet, gopacket.Default)
				require.Nil(t, pkt.ErrorLayer(), "frame %d", i+1)
				l := pkt.Layer(LayerTypeSRT)
				require.NotNil(t, l, "frame %d", i+1)
				srt, ok := l.(*SRT)
				require.True(t, ok)

				udp := pkt.Layer(layers.LayerTypeUDP).(*layers.UDP)
				var want packet.Packet
				require.NoError(t, want.Decode(udp.Payload))
				require.Equal(t, want, srt.Packet, "frame %d", i+1)

				types := make([]gopacket.LayerType, 0, 5)
				for _, l := range pkt.Layers() {
					types = append(types, l.LayerType())
				}
				ip := pkt.NetworkLayer().LayerType()
				require.Equal(t, layerWantTypes(ip, &want), types, "frame %d", i+1)
				if !want.Control && len(want.Payload) > 0 {
					app := pkt.ApplicationLayer()
					require.NotNil(t, app, "frame %d", i+1)
					require.Equal(t, want.Payload, app.Payload())
				} else {
					require.Nil(t, pkt.ApplicationLayer(), "frame %d", i+1)
				}
				require.False(t, pkt.Metadata().Truncated)

				// SerializePacket reproduces the frame.
				buf := garbageBuffer(t)
				require.NoError(t, gopacket.SerializePacket(buf, gopacket.SerializeOptions{}, pkt))
				require.Equal(t, frame, buf.Bytes(), "frame %d", i+1)
			}
		})
	}
}

func TestLayerNewPacketErrors(t *testing.T) {
	frame := layerConclusionFrame(t)
	s := newLayerStack()
	require.NoError(t, s.decode(frame))
	udpEnd := len(frame) - len(s.udp.Payload) // start of the SRT datagram

	for _, tc := range []struct {
		name      string
		frame     []byte
		want      error
		truncated bool
	}{
		{"header cut", frame[:udpEnd+10], packet.ErrTruncated, true},
		{"empty datagram", frame[:udpEnd], nil, true},
		{"CIF cut", frame[:udpEnd+packet.HeaderSize+20], handshake.ErrTruncated, true},
		{"extension too long", func() []byte {
			b := append([]byte(nil), frame...)
			ext := udpEnd + packet.HeaderSize + handshake.CIFSize
			b[ext+2], b[ext+3] = 0xFF, 0xFF // first block claims 65535 words
			return b
		}(), handshake.ErrExtLength, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var pkt gopacket.Packet
			require.NotPanics(t, func() {
				pkt = gopacket.NewPacket(tc.frame, layers.LayerTypeEthernet, gopacket.Default)
			})
			assert.Equal(t, tc.truncated, pkt.Metadata().Truncated)
			if tc.want == nil {
				// An empty UDP payload has no SRT layer at all.
				assert.Nil(t, pkt.Layer(LayerTypeSRT))
				assert.NotNil(t, pkt.Layer(layers.LayerTypeUDP))
				return
			}
			assert.Nil(t, pkt.Layer(LayerTypeSRT))
			el := pkt.ErrorLayer()
			require.NotNil(t, el)
			require.ErrorIs(t, el.Error(), tc.want)
			assert.Equal(t, tc.frame[udpEnd:], el.LayerContents())

			// The same through DecodingLayerParser: the error is the
			// sentinel, unwrapped, and the parser says truncated.
			s := newLayerStack()
			err := s.decode(tc.frame)
			require.Equal(t, tc.want, err)
			assert.Equal(t, tc.truncated, s.parser.Truncated)
			assert.Equal(t, []gopacket.LayerType{layers.LayerTypeEthernet, layers.LayerTypeIPv4, layers.LayerTypeUDP}, s.decoded)
		})
	}
}

// layerGoldens returns one datagram of each kind found in a few corpus
// captures: handshakes of every type, ACK variants, NAK, KM messages, data,
// FEC, PEERERROR, SHUTDOWN...
func layerGoldens(tb testing.TB) map[string][]byte {
	tb.Helper()
	layerRegisterCorpusPorts(tb)
	out := map[string][]byte{}
	s := newLayerStack()
	for _, name := range []string{"s01_live_plain", "s02_enc_kmrefresh", "s03_reject_badsecret", "s07_fec", "s07_rendezvous", "s08_loss_pattern", "s09_file_peererror"} {
		for _, frame := range layerReadFrames(tb, name) {
			require.NoError(tb, s.decode(frame))
			p := &s.srt.Packet
			key := "data"
			switch {
			case p.Control && p.Type == packet.TypeHandshake:
				key = "handshake " + p.Handshake.Type.String()
			case p.Control && p.Type == packet.TypeACK:
				key = "ACK " + p.ACK.Variant.String()
			case p.Control:
				key = p.Type.String()
				if p.Subtype != 0 {
					key += " " + p.Subtype.String()
				}
			case p.IsFEC():
				key = "FEC"
			}
			if _, ok := out[key]; !ok {
				out[key] = append([]byte(nil), s.udp.Payload...)
			}
		}
	}
	return out
}

// TestLayerPrefixes feeds every prefix of golden datagrams to
// DecodeFromBytes: an error or a consistent layer, never a panic.
func TestLayerPrefixes(t *testing.T) {
	goldens := layerGoldens(t)
	require.GreaterOrEqual(t, len(goldens), 8)
	var reused SRT
	for name, g := range goldens {
		t.Run(name, func(t *testing.T) {
			var nOK, nErr int
			for i := 0; i <= len(g); i++ {
				b := append([]byte(nil), g[:i]...) // capacity == length
				var trunc truncFlag
				var err error
				require.NotPanics(t, func() { err = reused.DecodeFromBytes(b, &trunc) }, "prefix %d", i)
				if i < packet.HeaderSize {
					require.ErrorIs(t, err, packet.ErrTruncated, "prefix %d", i)
					require.True(t, bool(trunc), "prefix %d", i)
				}
				if err != nil {
					nErr++
					assert.Equal(t, b, reused.Contents)
					assert.Nil(t, reused.Payload)
					// A nil feedback is allowed.
					require.NotPanics(t, func() { _ = new(SRT).DecodeFromBytes(b, nil) })
					continue
				}
				nOK++
				assert.False(t, bool(trunc), "prefix %d", i)
				assert.Equal(t, b, append(append([]byte(nil), reused.Contents...), reused.Payload...), "prefix %d", i)
				// The reused layer is fully reset: it equals a fresh decode.
				var fresh packet.Packet
				require.NoError(t, fresh.Decode(b))
				require.Equal(t, fresh, reused.Packet, "prefix %d", i)
			}
			require.NoError(t, reused.DecodeFromBytes(g, gopacket.NilDecodeFeedback), "whole datagram")
			t.Logf("%d bytes: %d prefixes decode, %d fail", len(g), nOK, nErr)
		})
	}
}

func benchmarkLayer(b *testing.B, frame []byte) {
	s := newLayerStack()
	s.parser.IgnorePanic = false
	b.ReportAllocs()
	b.SetBytes(int64(len(frame)))
	for b.Loop() {
		if err := s.decode(frame); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLayerData runs DecodingLayerParser over Ethernet/IPv4/UDP/SRT/
// Payload on a 1316-byte live data packet.
func BenchmarkLayerData(b *testing.B) { benchmarkLayer(b, layerDataFrame(b)) }

// BenchmarkLayerConclusion runs DecodingLayerParser over Ethernet/IPv4/UDP/
// SRT on a handshake CONCLUSION with extensions.
func BenchmarkLayerConclusion(b *testing.B) { benchmarkLayer(b, layerConclusionFrame(b)) }
