package gopacketsrt

// The layer table tests: the table of github.com/srtwire/srtwire's
// internal/layertest, run against this package's layer. pcap/
// layer_table_test.go runs the same tests, line for line, against
// pcap.SRT (github.com/google/gopacket); keep the two files alike.

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"

	"github.com/srtwire/srtwire/internal/layertest"
	"github.com/srtwire/srtwire/packet"
)

var tablePortOnce sync.Once

// tableRegister binds the table's SRT port, once, before any decoding.
func tableRegister() { tablePortOnce.Do(func() { RegisterUDPPort(layertest.Port) }) }

type tableTrunc bool

func (f *tableTrunc) SetTruncated() { *f = true }

func TestSharedRegistration(t *testing.T) {
	if int(LayerTypeSRT) != layertest.LayerTypeNumber || LayerTypeSRT.String() != "SRT" {
		t.Fatalf("LayerTypeSRT = %d %q, want %d \"SRT\"", LayerTypeSRT, LayerTypeSRT, layertest.LayerTypeNumber)
	}
	tableRegister()
	if got := layers.UDPPort(layertest.Port).LayerType(); got != LayerTypeSRT {
		t.Fatalf("port %d is bound to %v", layertest.Port, got)
	}
	var s SRT
	if s.LayerType() != LayerTypeSRT || !s.CanDecode().Contains(LayerTypeSRT) {
		t.Fatal("SRT does not decode LayerTypeSRT")
	}
}

// TestSharedDecodeFromBytes decodes every datagram of the table with
// DecodeFromBytes, into a fresh layer and into one reused for every case.
func TestSharedDecodeFromBytes(t *testing.T) {
	var reused SRT
	for _, c := range layertest.Cases() {
		for _, s := range []*SRT{new(SRT), &reused} {
			var trunc tableTrunc
			err := s.DecodeFromBytes(c.Datagram, &trunc)
			if err != c.Err {
				t.Errorf("%s: DecodeFromBytes = %v, want %v", c.Name, err, c.Err)
				continue
			}
			if bool(trunc) != c.Truncated {
				t.Errorf("%s: truncated = %v, want %v", c.Name, trunc, c.Truncated)
			}
			if len(s.Contents) != c.ContentsLen() || (len(s.Contents) > 0 && &s.Contents[0] != &c.Datagram[0]) {
				t.Errorf("%s: Contents = %d bytes (not a view of the datagram?), want %d", c.Name, len(s.Contents), c.ContentsLen())
			}
			if c.NextIsPayload() {
				if string(s.Payload) != string(c.Datagram[packet.HeaderSize:]) || s.NextLayerType() != gopacket.LayerTypePayload {
					t.Errorf("%s: Payload %d bytes, next %v", c.Name, len(s.Payload), s.NextLayerType())
				}
			} else if s.Payload != nil {
				t.Errorf("%s: Payload = %x, want nil", c.Name, s.Payload)
			}
			if err != nil {
				// A nil feedback is allowed.
				if err2 := new(SRT).DecodeFromBytes(c.Datagram, nil); err2 != err {
					t.Errorf("%s: with a nil feedback: %v", c.Name, err2)
				}
				continue
			}
			if s.Packet.Control && s.NextLayerType() != gopacket.LayerTypeZero {
				t.Errorf("%s: next layer %v after a control packet", c.Name, s.NextLayerType())
			}
			if err := c.Check(&s.Packet); err != nil {
				t.Error(err)
			}
		}
	}
}

// tableStack is a DecodingLayerParser over Ethernet, IPv4, IPv6, UDP,
// SRT and Payload.
type tableStack struct {
	eth     layers.Ethernet
	ip4     layers.IPv4
	ip6     layers.IPv6
	udp     layers.UDP
	srt     SRT
	payload gopacket.Payload
	parser  *gopacket.DecodingLayerParser
	decoded []gopacket.LayerType
}

func newTableStack() *tableStack {
	s := &tableStack{}
	s.parser = gopacket.NewDecodingLayerParser(layers.LayerTypeEthernet, &s.eth, &s.ip4, &s.ip6, &s.udp, &s.srt, &s.payload)
	return s
}

func (s *tableStack) serializable() []gopacket.SerializableLayer {
	var out []gopacket.SerializableLayer
	for _, lt := range s.decoded {
		switch lt {
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
		}
	}
	return out
}

// tableFrame is a case's datagram in a frame, with the layer chain the
// frame must decode to.
type tableFrame struct {
	c     layertest.Case
	name  string
	frame []byte
	want  []gopacket.LayerType
}

// tableFrames returns every case that UDP hands to SRT (a non-empty
// datagram) in an IPv4 and an IPv6 frame.
func tableFrames() []tableFrame {
	var out []tableFrame
	for _, c := range layertest.Cases() {
		if len(c.Datagram) == 0 {
			continue
		}
		for _, v6 := range []bool{false, true} {
			ip := layers.LayerTypeIPv4
			if v6 {
				ip = layers.LayerTypeIPv6
			}
			want := []gopacket.LayerType{layers.LayerTypeEthernet, ip, layers.LayerTypeUDP}
			if c.Valid() {
				want = append(want, LayerTypeSRT)
			}
			if c.HasPayloadLayer() {
				want = append(want, gopacket.LayerTypePayload)
			}
			out = append(out, tableFrame{c, fmt.Sprintf("%s/%v", c.Name, ip), layertest.Frame(c.Datagram, v6), want})
		}
	}
	return out
}

// TestSharedParser decodes every case's frames through a
// DecodingLayerParser and serializes the decoded layers back.
func TestSharedParser(t *testing.T) {
	tableRegister()
	s := newTableStack()
	n := 0
	for _, f := range tableFrames() {
		c, name, frame, want := f.c, f.name, f.frame, f.want
		err := s.parser.DecodeLayers(frame, &s.decoded)
		if !slices.Equal(s.decoded, want) {
			t.Errorf("%s: layers %v, want %v", name, s.decoded, want)
			continue
		}
		if !c.Valid() {
			if err != c.Err || s.parser.Truncated != c.Truncated {
				t.Errorf("%s: DecodeLayers = %v (truncated %v), want %v (%v)", name, err, s.parser.Truncated, c.Err, c.Truncated)
			}
			continue
		}
		if c.HasPayloadLayer() {
			if err != nil {
				t.Errorf("%s: DecodeLayers = %v", name, err)
			}
		} else if err != nil {
			// A data packet without user data ends at SRT: the parser has
			// no Payload to decode.
			var unsupported gopacket.UnsupportedLayerType
			if !c.NextIsPayload() || !errors.As(err, &unsupported) {
				t.Errorf("%s: DecodeLayers = %v", name, err)
			}
		}
		if err := c.Check(&s.srt.Packet); err != nil {
			t.Errorf("%s: %v", name, err)
		}

		// The SRT layer alone writes the datagram; the whole stack the
		// frame (lengths and checksums as decoded).
		buf := gopacket.NewSerializeBuffer()
		if err := s.srt.SerializeTo(buf, gopacket.SerializeOptions{}); err != nil || string(buf.Bytes()) != string(c.Datagram) {
			t.Errorf("%s: SerializeTo = %x, %v; want %x", name, buf.Bytes(), err, c.Datagram)
		}
		buf = gopacket.NewSerializeBuffer()
		if err := gopacket.SerializeLayers(buf, gopacket.SerializeOptions{}, s.serializable()...); err != nil || string(buf.Bytes()) != string(frame) {
			t.Errorf("%s: SerializeLayers = %x, %v; want %x", name, buf.Bytes(), err, frame)
		}
		// And with the lengths and checksums recomputed.
		if s.decoded[1] == layers.LayerTypeIPv4 {
			s.udp.SetNetworkLayerForChecksum(&s.ip4)
		} else {
			s.udp.SetNetworkLayerForChecksum(&s.ip6)
		}
		buf = gopacket.NewSerializeBuffer()
		opts := gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true}
		if err := gopacket.SerializeLayers(buf, opts, s.serializable()...); err != nil || string(buf.Bytes()) != string(frame) {
			t.Errorf("%s: SerializeLayers(FixLengths, ComputeChecksums) = %x, %v; want %x", name, buf.Bytes(), err, frame)
		}
		n++
	}
	if n < 30 {
		t.Fatalf("only %d frames decoded", n)
	}
}

// TestSharedNewPacket decodes every case's frames with gopacket.NewPacket.
func TestSharedNewPacket(t *testing.T) {
	tableRegister()
	for _, f := range tableFrames() {
		c, name, frame, want := f.c, f.name, f.frame, f.want
		pkt := gopacket.NewPacket(frame, layers.LayerTypeEthernet, gopacket.Default)
		var got []gopacket.LayerType
		for _, l := range pkt.Layers() {
			if l.LayerType() != gopacket.LayerTypeDecodeFailure {
				got = append(got, l.LayerType())
			}
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s: layers %v, want %v", name, got, want)
			continue
		}
		if pkt.Metadata().Truncated != c.Truncated {
			t.Errorf("%s: truncated = %v, want %v", name, pkt.Metadata().Truncated, c.Truncated)
		}
		if !c.Valid() {
			el := pkt.ErrorLayer()
			if el == nil || !errors.Is(el.Error(), c.Err) || string(el.LayerContents()) != string(c.Datagram) {
				t.Errorf("%s: error layer %v, want %v", name, el, c.Err)
			}
			continue
		}
		if el := pkt.ErrorLayer(); el != nil {
			t.Errorf("%s: %v", name, el.Error())
			continue
		}
		srt, ok := pkt.Layer(LayerTypeSRT).(*SRT)
		if !ok {
			t.Errorf("%s: no SRT layer", name)
			continue
		}
		if err := c.Check(&srt.Packet); err != nil {
			t.Errorf("%s: %v", name, err)
		}
		app := pkt.ApplicationLayer()
		if c.HasPayloadLayer() != (app != nil) || (app != nil && string(app.Payload()) != string(c.Want.Payload)) {
			t.Errorf("%s: application layer %v", name, app)
		}
		buf := gopacket.NewSerializeBuffer()
		if err := gopacket.SerializePacket(buf, gopacket.SerializeOptions{}, pkt); err != nil || string(buf.Bytes()) != string(frame) {
			t.Errorf("%s: SerializePacket = %x, %v", name, buf.Bytes(), err)
		}
	}
}
