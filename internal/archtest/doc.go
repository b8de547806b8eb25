// Package archtest holds the test that guards srtwire's dependency rules:
// the library packages (reject, handshake, packet, crypt, listener,
// session) use only the standard library and the packages below them, and
// gopacket stays in package pcap. README's package table lists the same
// arrows.
package archtest
