// Package pcap finds and decodes SRT traffic in packet captures, and plugs
// SRT into gopacket.
//
//   - [Reader] reads pcap and pcapng files (gzip-compressed or not, from a
//     file or any io.Reader) and hands out every SRT datagram it finds,
//     decoded, with its frame number, time and addresses. It recognises SRT
//     on any UDP port (with packet.Recognize and a per-flow confirmation),
//     even in captures that start mid-session, or only on the ports you
//     name. Memory stays constant whatever the file size.
//   - [SRT] is a gopacket layer ([LayerTypeSRT]) for gopacket's
//     DecodingLayerParser, NewPacket and SerializeLayers.
//
// To fold the frames into connection attempts, feed them to a
// session.Tracker (see the Reader example). This is the only package of
// srtwire that imports gopacket.
package pcap
