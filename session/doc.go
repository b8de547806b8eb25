// Package session understands SRT connections seen in traffic: it folds
// datagrams, in the order they were seen, into connection attempts, says
// how each went, measures each direction and names what went wrong.
//
// The input is a small Frame value (time, source and destination address,
// the decoded packet.Packet and the raw datagram), so the same Tracker
// serves a capture file (capture.Reader), a live socket or a test. The
// package uses only the standard library and srtwire's codec packages.
//
//   - [Tracker] keeps one [Attempt] per caller's INDUCTION (or rendezvous
//     WAVEAHAND pair, or session whose handshake was not captured): mode,
//     caller and listener (inferred, and marked so, for a session whose
//     handshake was not captured), Stream ID, congestion and filter, the
//     key length asked for and negotiated and the KMRSP state, latency,
//     SRT version, outcome (established, rejected with its reason, no
//     answer, incomplete), handshake RTT, PEERERROR, and packet counts.
//   - [Direction] holds the statistics of each direction (Attempt.Directions):
//     data packets (original, retransmitted, retransmitted n times), lost,
//     recovered and unrecovered packets (the definitions of
//     lib-tcpdump-processing's capture report, and libsrt's own loss
//     count), late packets against the negotiated latency, FEC packets,
//     DROPREQ drops, ACK variants, ACKACK and NAK counts, RTT from ACKs
//     and from ACK→ACKACK pairs, RFC 3550 jitter, bandwidth and receiving
//     rate, rates and overhead, key events and, with passphrases,
//     decryption. [Bin] is one second of it, streamed to Tracker.OnBin.
//   - [Attempt.Findings] names the problems, each with a [Level], a code
//     and one sentence with the numbers; [Grouper] folds a caller's
//     repeated attempts into one [Group] (a retry storm).
//
// A figure the capture cannot tell is an [Opt] (or a [Summary]) whose
// Known is false, never 0: a writer omits it or prints "-".
//
// A Tracker is fed by one goroutine; it keeps no slice of the frames it is
// given, so frames may reuse their buffers. Its memory is bounded whatever
// the input (see Tracker).
package session
