// Package pcap plugs SRT into gopacket: [SRT] is a gopacket layer
// ([LayerTypeSRT]) for gopacket's DecodingLayerParser, NewPacket and
// SerializeLayers, and [RegisterUDPPort] makes gopacket decode a UDP port
// as SRT. This is the only package of srtwire that imports gopacket (for
// github.com/gopacket/gopacket, the maintained fork, see the nested module
// github.com/srtwire/srtwire/gopacketsrt).
//
// To read capture files, use package capture: it needs no gopacket. The
// names it had here (Reader, Open, Frame, ...) are kept as aliases of
// capture's.
package pcap
