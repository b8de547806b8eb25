// Package pcap finds and decodes SRT traffic in packet captures, and plugs
// SRT into gopacket.
//
//   - [Reader] reads pcap and pcapng files (gzip-compressed or not, from a
//     file or any io.Reader) and hands out every SRT datagram it finds,
//     decoded, with its frame number, time and addresses. It recognises SRT
//     on any UDP port, even in captures that start mid-session, or only on
//     the ports you name. Memory stays constant whatever the file size.
//   - [Tracker] folds the frames into connection attempts: who called whom,
//     the Stream ID, the negotiated encryption and latency, and the outcome
//     (established, rejected with its reason, no answer, incomplete).
//   - [SRT] is a gopacket layer ([LayerTypeSRT]) for gopacket's
//     DecodingLayerParser, NewPacket and SerializeLayers.
//
// This is the only package of srtwire that imports gopacket.
package pcap
