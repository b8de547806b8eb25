// Package capture finds and decodes SRT traffic in packet captures.
//
// [Reader] reads pcap and pcapng files (gzip-compressed or not, from a file,
// any io.Reader or bytes in memory) and hands out every SRT datagram it
// finds, decoded, with its frame number, time and addresses. It recognises
// SRT on any UDP port (with packet.Recognize and a per-flow confirmation),
// even in captures that start mid-session, or only on the ports you name.
// Memory stays bounded whatever the file: one frame buffer, a bounded flow
// table, and no allocation sized by a length read from the file.
//
// To fold the frames into connection attempts, feed them to a
// session.Tracker (see the Reader example).
//
// The package uses the standard library only (its pcap and pcapng readers
// are its own), so a program that reads captures does not link gopacket,
// whose layer tables cost about 8 ms at every start of a process and 5 MB
// that every garbage collection scans. The gopacket layer for SRT is in
// package pcap, which also keeps this package's names for the code written
// before it moved here.
package capture
