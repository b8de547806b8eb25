package gopacketsrt

import (
	"errors"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"

	"github.com/srtwire/srtwire/packet"
)

// LayerTypeSRT is the gopacket layer type of [SRT], number 1880, named
// "SRT". Its decoder, used by gopacket.NewPacket and by UDP on the ports
// bound with [RegisterUDPPort], decodes a datagram into an [SRT] layer.
//
// Why 1880: gopacket reserves 0–999 for itself and recommends 1000–1999 for
// application layers (they are looked up in an array; other numbers go
// through a map), and gopacket.RegisterLayerType panics when a number is
// registered twice in one program. No public gopacket layer is known to use
// 1880, while the low numbers of the range are crowded (1000–1010 in many
// projects, 1010 for LayerTypeGTPv2 in github.com/gopacket/gopacket
// itself), as are 1800, 1812, 1818, 1819, 1894 and 1897. If another layer
// of github.com/gopacket/gopacket in your program registers 1880 anyway,
// the program panics at initialisation. (pcap.SRT registers the same
// number in github.com/google/gopacket, a registry of its own: both layers
// can be in one program.)
//
// The number also sizes gopacket.DecodingLayerSparse, a slice indexed by
// layer type (1881 entries once SRT is in it); prefer the default
// DecodingLayerMap container, or DecodingLayerArray, with this layer.
var LayerTypeSRT = gopacket.RegisterLayerType(layerTypeNumber, gopacket.LayerTypeMetadata{
	Name:    "SRT",
	Decoder: gopacket.DecodeFunc(decodeSRT),
})

// layerTypeNumber is LayerTypeSRT's number; see LayerTypeSRT for the choice.
const layerTypeNumber = 1880

// Compile-time checks that SRT is a complete gopacket layer.
var (
	_ gopacket.Layer             = (*SRT)(nil)
	_ gopacket.DecodingLayer     = (*SRT)(nil)
	_ gopacket.SerializableLayer = (*SRT)(nil)
)

// errSizeMismatch reports an encoder that wrote a different number of bytes
// than its MarshalSize announced: a bug in package packet, not bad input.
var errSizeMismatch = errors.New("gopacketsrt: SRT encoding length differs from MarshalSize")

// SRT is a gopacket layer holding one SRT datagram, the whole UDP payload.
//
// Packet is the decoded datagram (see package packet); SRT adds only
// gopacket's view of where the layer starts and ends:
//
//	control packet  Contents = the whole datagram (header and CIF)
//	                Payload = nil, NextLayerType = gopacket.LayerTypeZero:
//	                the layer chain ends here.
//	data packet     Contents = the 16-byte header
//	                Payload = the user data (the same bytes as Packet.Payload),
//	                NextLayerType = gopacket.LayerTypePayload.
//
// With gopacket.DecodingLayerParser, give the parser a gopacket.Payload
// layer (or set IgnoreUnsupported), or DecodeLayers returns
// gopacket.UnsupportedLayerType for every data packet that carries data:
//
//	var (
//		eth     layers.Ethernet
//		ip4     layers.IPv4
//		udp     layers.UDP
//		srt     gopacketsrt.SRT
//		payload gopacket.Payload
//	)
//	parser := gopacket.NewDecodingLayerParser(layers.LayerTypeEthernet, &eth, &ip4, &udp, &srt, &payload)
//
// UDP hands its payload to SRT only on ports bound with [RegisterUDPPort].
//
// # Buffer ownership
//
// DecodeFromBytes does not copy: Contents, Payload and every slice inside
// Packet (Packet.Payload, Packet.CIF, Packet.Handshake.Ext, ...) are views
// into the data it was given, valid until that buffer is reused or modified
// (with pcapgo's ZeroCopyReadPacketData, until the next read). Call
// Packet.Clone to keep the packet longer.
//
// An SRT value is reused across DecodeFromBytes calls and must not be used
// concurrently with one.
type SRT struct {
	layers.BaseLayer

	// Packet is the decoded datagram. Every DecodeFromBytes overwrites
	// every field. SerializeTo encodes it.
	Packet packet.Packet
}

// LayerType returns [LayerTypeSRT].
func (s *SRT) LayerType() gopacket.LayerType { return LayerTypeSRT }

// CanDecode returns [LayerTypeSRT], the only layer type SRT decodes.
func (s *SRT) CanDecode() gopacket.LayerClass { return LayerTypeSRT }

// NextLayerType returns gopacket.LayerTypeZero for a control packet, whose
// CIF is part of this layer, and gopacket.LayerTypePayload for a data
// packet, whose user data is the next layer.
func (s *SRT) NextLayerType() gopacket.LayerType {
	if s.Packet.Control {
		return gopacket.LayerTypeZero
	}
	return gopacket.LayerTypePayload
}

// DecodeFromBytes decodes data, one whole SRT datagram (a UDP payload), into
// s, overwriting every field, Contents and Payload included. The layer's
// slices alias data (see [SRT]); nothing is allocated.
//
// Errors are the unwrapped sentinels of package packet (or, for a malformed
// handshake CIF, of package handshake); compare them with errors.Is. When
// data is too short for what it claims to be (shorter than the 16-byte
// header, or than the fixed part of its CIF) DecodeFromBytes also calls
// df.SetTruncated. df may be nil. After an error, Contents is data, Payload
// is nil, and the fields of Packet hold what was decoded before the fault.
func (s *SRT) DecodeFromBytes(data []byte, df gopacket.DecodeFeedback) error {
	if err := s.Packet.Decode(data); err != nil {
		s.Contents = data
		s.Payload = nil
		if df != nil && (len(data) < packet.HeaderSize || errors.Is(err, packet.ErrTruncated)) {
			df.SetTruncated()
		}
		return err
	}
	if s.Packet.Control {
		s.Contents = data[:len(data):len(data)]
		s.Payload = nil
	} else {
		s.Contents = data[:packet.HeaderSize:packet.HeaderSize]
		s.Payload = s.Packet.Payload
	}
	return nil
}

// decodeSRT is the gopacket.Decoder of LayerTypeSRT, used by
// gopacket.NewPacket. It adds an SRT layer and, for a data packet, hands the
// user data on to a gopacket.Payload layer, which becomes the packet's
// application layer. A control packet ends the chain and leaves the packet
// without an application layer (SRT does not implement
// gopacket.ApplicationLayer: its Payload field would clash with the method).
// A decode error is returned as is, so gopacket records a DecodeFailure layer
// holding the datagram and the error.
func decodeSRT(data []byte, p gopacket.PacketBuilder) error {
	s := &SRT{}
	if err := s.DecodeFromBytes(data, p); err != nil {
		return err
	}
	p.AddLayer(s)
	if s.Packet.Control {
		return nil
	}
	return p.NextDecoder(gopacket.LayerTypePayload)
}

// SerializeTo writes s.Packet to the front of b, implementing
// gopacket.SerializableLayer. It prepends exactly the encoded length and
// writes every byte of it (the bytes PrependBytes returns are not zeroed).
//
// A control packet is written whole. A data packet is written whole (header
// and Packet.Payload) when b is empty, as when the SRT layer is the last one
// given to gopacket.SerializeLayers; when b already holds bytes, as when a
// gopacket.Payload layer follows SRT (the layers of a decoded data packet),
// those bytes are the user data and only the 16-byte header is written. Both
// ways, serializing a decoded packet reproduces the datagram.
//
// SRT has no length or checksum field, so opts changes nothing. Errors are
// those of Packet.AppendBinary (packet.ErrFieldRange for a field that does not
// fit its wire width, ...); after an error the contents of b are unspecified.
// Nothing is allocated beyond what b needs to grow.
func (s *SRT) SerializeTo(b gopacket.SerializeBuffer, opts gopacket.SerializeOptions) error {
	p := &s.Packet
	headerOnly := !p.Control && len(b.Bytes()) > 0
	n := p.MarshalSize()
	if headerOnly {
		n = p.Header.MarshalSize()
	}
	buf, err := b.PrependBytes(n)
	if err != nil {
		return err
	}
	// The capacity limit keeps a mis-sized encoding from writing over the
	// bytes of the layers after this one.
	var out []byte
	if headerOnly {
		out, err = p.Header.AppendBinary(buf[:0:n])
	} else {
		out, err = p.AppendBinary(buf[:0:n])
	}
	if err != nil {
		return err
	}
	if len(out) != n {
		return errSizeMismatch
	}
	return nil
}

// RegisterUDPPort makes gopacket's UDP layer hand the payload of every
// datagram to or from port to the SRT layer: it calls
// layers.RegisterUDPPortLayerType. port is a plain uint16 (the type of
// pcap.Options.Ports), so no gopacket import is needed to call it. SRT has
// no well-known port, so none is registered by default.
//
// UDP looks up the destination port first, then the source port, so
// registering a listener's port covers both directions of its connections.
// Register both ports of a rendezvous connection if they differ.
//
// gopacket's port table is global and unsynchronized: call RegisterUDPPort
// before any decoding starts (for example in an init function or at the top of
// main), never while packets are being decoded in other goroutines. The
// registration lasts for the life of the program and applies to every
// gopacket user in it; it replaces whatever layer type the port was bound
// to before (gopacket binds some well-known ports, such as 53 to DNS).
func RegisterUDPPort(port uint16) {
	layers.RegisterUDPPortLayerType(layers.UDPPort(port), LayerTypeSRT)
}
