// Package srtfuzz is the engine of cmd/srtfuzz, a stateful, structure-aware
// network fuzzer for SRT listeners.
//
// # Cases
//
// A case is a function of the run's seed and its number (Plan): its
// mutation class, whether byte-level mutation is added, and every value it
// draws. It runs from a fresh UDP source port: an INDUCTION as a libsrt
// 1.5.1 caller sends it (srtcore/core.cpp CUDT::startConnect), then, once
// the listener has answered with its cookie,
//
//   - for a conclusion class, one CONCLUSION built on the typed model
//     (Conclusion: the header, the fixed CIF, the extension blocks, lies
//     about lengths and the Extension field, stray bytes) from the base a
//     caller configured like the target sends (Env.Base), changed by the
//     class and encoded with srtwire's encoder; byte-level mutation
//     (MutateBytes) keeps the header, the Handshake Type and the cookie, so
//     that the datagram still reaches the listener's parser;
//   - for a post-handshake class, the valid CONCLUSION (a class may change
//     one field, as mss does), and when it is accepted, mutated packets to
//     the accepted socket (Session): UMSG_EXT key material, ACK, NAK,
//     DROPREQ, data and other control packets.
//
// An accepted connection is closed with a SHUTDOWN, as a caller does.
//
// # Oracles
//
//   - Decide: every CONCLUSION is also given to listener.Decide, configured
//     as the target claims to be, with the target's cookie replaced by one
//     Decide's own baker finds valid; the answer (Classify) is compared
//     with Decide's (Expected). A difference is confirmed by running the
//     case again after a liveness probe.
//   - Liveness: a fresh, valid INDUCTION must still be answered, after
//     every Config.ProbeEvery cases.
//   - The process: with Config.Process (a target srtfuzz started), its exit
//     is a crash; the cases since the last good probe are then replayed one
//     by one against restarts to find the one that does it.
//
// A finding is written as a reproducer (WriteReproducer): the exact
// datagrams of its cases both ways, as a pcap (LINKTYPE_RAW) and as hex
// text. Replayer sends them again, with the cookie the target hands out
// then and the socket ID it accepts with.
//
// The package uses the standard library and srtwire's crypt, handshake,
// listener and packet packages only.
package srtfuzz
