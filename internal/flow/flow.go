// Package flow names a UDP flow regardless of direction, for the packages
// that keep per-flow state (capture's recogniser and session's tracker).
package flow

import "net/netip"

// Key identifies a UDP flow regardless of direction: the two endpoints in
// a fixed order.
type Key struct {
	A, B netip.AddrPort
}

// MakeKey returns the Key of the flow between src and dst; MakeKey(dst,
// src) is the same.
func MakeKey(src, dst netip.AddrPort) Key {
	if dst.Compare(src) < 0 {
		src, dst = dst, src
	}
	return Key{src, dst}
}
