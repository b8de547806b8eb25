// Package gopacketsrt plugs SRT into github.com/gopacket/gopacket, the
// maintained fork of gopacket: SRT is a layer (LayerTypeSRT, number 1880)
// for gopacket's DecodingLayerParser, NewPacket and SerializeLayers, and
// RegisterUDPPort binds UDP ports to it.
//
// It is the same layer as package pcap of github.com/srtwire/srtwire,
// which plugs SRT into the original github.com/google/gopacket: the two
// modules' layer types do not mix (a layer of one cannot be given to a
// parser of the other), so use the package that matches your gopacket:
//
//	github.com/google/gopacket   → github.com/srtwire/srtwire/pcap
//	github.com/gopacket/gopacket → github.com/srtwire/srtwire/gopacketsrt
//
// Both layers pass one test table (srtwire's internal/layertest):
// the same datagrams decode to the same fields, errors and layer chains,
// and serialize back to the same bytes.
//
// This is a module of its own (github.com/gopacket/gopacket v1.7 needs Go
// 1.25), so that srtwire itself does not depend on the fork:
//
//	go get github.com/srtwire/srtwire/gopacketsrt
//
// The decoded datagram is a packet.Packet of github.com/srtwire/srtwire/packet;
// fold packets into connections with github.com/srtwire/srtwire/session.
package gopacketsrt
