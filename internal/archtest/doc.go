// Package archtest holds the test that guards srtwire's dependency rules:
// the library packages (reject, handshake, packet, crypt, listener,
// session, capture) use only the standard library and the packages below
// them, gopacket stays in package pcap, and srtdump links neither. README's package table lists the same
// arrows.
package archtest
