// Package archtest holds the test that guards srtwire's dependency rules
// (DESIGN.md): the codec packages use only the standard library and the
// packages below them, and gopacket stays in package pcap.
package archtest
