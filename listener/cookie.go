package listener

import (
	"crypto/rand"
	"encoding/binary"
	"io"
	"math/bits"
	"net/netip"
	"time"
)

// DefaultCookieStep is the time step of libsrt's SYN cookies: a cookie is
// valid during the minute it was baked and the one after (srtcore/core.cpp,
// CUDT::bake with correction 0 and -1).
const DefaultCookieStep = time.Minute

// CookieBaker makes and checks SYN cookies the way libsrt's CUDT::bake
// does: a keyed hash of the peer's address and port and a time step
// counted from the listener's start, valid for the current step and the one
// before it. libsrt hashes "host:port:minutes" with MD5 and an unpredictable
// start time; CookieBaker uses SipHash-2-4 (Aumasson and Bernstein, the
// keyed hash built for short inputs) of (address, port, step) under a
// random 128-bit key: about 20 ns, no allocation.
//
// A CookieBaker is safe for concurrent use once made.
type CookieBaker struct {
	k0, k1 uint64
	start  time.Time
	step   time.Duration
}

// NewCookieBaker returns a CookieBaker keyed from rnd (crypto/rand.Reader
// when rnd is nil) whose steps of length step (DefaultCookieStep when 0)
// count from start.
func NewCookieBaker(start time.Time, step time.Duration, rnd io.Reader) (*CookieBaker, error) {
	if rnd == nil {
		rnd = rand.Reader
	}
	if step <= 0 {
		step = DefaultCookieStep
	}
	var key [16]byte
	if _, err := io.ReadFull(rnd, key[:]); err != nil {
		return nil, err
	}
	return &CookieBaker{k0: binary.LittleEndian.Uint64(key[:8]), k1: binary.LittleEndian.Uint64(key[8:]), start: start, step: step}, nil
}

func (b *CookieBaker) bake(addr netip.AddrPort, step int64) uint32 {
	a := addr.Addr().As16()
	m := [3]uint64{
		binary.LittleEndian.Uint64(a[:8]),
		binary.LittleEndian.Uint64(a[8:]),
		uint64(addr.Port())<<48 ^ uint64(step)&(1<<48-1),
	}
	c := uint32(sipHash24(b.k0, b.k1, m))
	if c == 0 { // libsrt callers treat 0 as "no cookie"
		c = 1
	}
	return c
}

// sipHash24 is SipHash-2-4 of a 24-byte message given as three
// little-endian words.
func sipHash24(k0, k1 uint64, m [3]uint64) uint64 {
	v0 := k0 ^ 0x736f6d6570736575
	v1 := k1 ^ 0x646f72616e646f6d
	v2 := k0 ^ 0x6c7967656e657261
	v3 := k1 ^ 0x7465646279746573
	round := func() {
		v0 += v1
		v1 = bits.RotateLeft64(v1, 13) ^ v0
		v0 = bits.RotateLeft64(v0, 32)
		v2 += v3
		v3 = bits.RotateLeft64(v3, 16) ^ v2
		v0 += v3
		v3 = bits.RotateLeft64(v3, 21) ^ v0
		v2 += v1
		v1 = bits.RotateLeft64(v1, 17) ^ v2
		v2 = bits.RotateLeft64(v2, 32)
	}
	const lenWord = uint64(24) << 56 // the final word: length, no tail bytes
	for _, w := range [4]uint64{m[0], m[1], m[2], lenWord} {
		v3 ^= w
		round()
		round()
		v0 ^= w
	}
	v2 ^= 0xff
	round()
	round()
	round()
	round()
	return v0 ^ v1 ^ v2 ^ v3
}

func (b *CookieBaker) stepAt(now time.Time) int64 { return int64(now.Sub(b.start) / b.step) }

// Cookie returns the cookie for a caller at addr at time now.
func (b *CookieBaker) Cookie(addr netip.AddrPort, now time.Time) uint32 {
	return b.bake(addr, b.stepAt(now))
}

// Valid reports whether cookie was baked for addr in the current time step
// or the one before, as libsrt accepts it. A CONCLUSION whose cookie is not
// valid is dropped silently by libsrt (CUDT::processConnectRequest).
func (b *CookieBaker) Valid(addr netip.AddrPort, cookie uint32, now time.Time) bool {
	s := b.stepAt(now)
	return cookie == b.bake(addr, s) || cookie == b.bake(addr, s-1)
}
