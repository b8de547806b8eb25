// Package session understands SRT connections seen in traffic: it folds
// datagrams, in the order they were seen, into connection attempts and
// says how each went.
//
// The input is a small Frame value (time, source and destination address,
// the decoded packet.Packet and the raw datagram), so the same Tracker
// serves a capture file (pcap.Reader), a live socket or a test. The
// package uses only the standard library and srtwire's codec packages.
//
//   - [Tracker] keeps one [Attempt] per caller's INDUCTION (or rendezvous
//     WAVEAHAND pair, or session whose handshake was not captured): mode,
//     caller and listener, Stream ID, congestion and filter, key length
//     and KMRSP state, latency, SRT version, outcome (established,
//     rejected with its reason, no answer, incomplete), handshake RTT, and
//     data, retransmission and loss counts.
//
// A Tracker is fed by one goroutine; it keeps no slice of the frames it is
// given, so frames may reuse their buffers.
package session
