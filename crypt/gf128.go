package crypt

import "encoding/binary"

// gfElem is an element of GCM's field GF(2^128) in the bit order of NIST
// SP 800-38D §6.3: hi holds bytes 0-7 of the block and lo bytes 8-15, both
// big-endian, and the most significant bit of hi is the coefficient of x^0.
//
// The arithmetic here is plain bit-by-bit code. It runs only when a
// PayloadCipher is made (about 260 multiplications), never per packet, and
// takes the same time for every key.
type gfElem struct{ hi, lo uint64 }

// gfOne is the multiplicative identity (the polynomial 1).
var gfOne = gfElem{hi: 1 << 63}

func gfLoad(b []byte) gfElem {
	return gfElem{binary.BigEndian.Uint64(b[:8]), binary.BigEndian.Uint64(b[8:16])}
}

func (x gfElem) store(b []byte) {
	binary.BigEndian.PutUint64(b[:8], x.hi)
	binary.BigEndian.PutUint64(b[8:16], x.lo)
}

func (x gfElem) xor(y gfElem) gfElem { return gfElem{x.hi ^ y.hi, x.lo ^ y.lo} }

// gfMul returns x·y (SP 800-38D Algorithm 1), without branches on the
// operands' bits.
func gfMul(x, y gfElem) gfElem {
	var z gfElem
	v := y
	for _, w := range [2]uint64{x.hi, x.lo} {
		for range 64 {
			m := -(w >> 63) // all ones if the bit of x is set
			w <<= 1
			z.hi ^= v.hi & m
			z.lo ^= v.lo & m
			v = gfMulX(v)
		}
	}
	return z
}

// gfMulX returns x·v: a shift towards higher powers (right, in this bit
// order), reduced by R = 11100001 || 0^120.
func gfMulX(v gfElem) gfElem {
	r := -(v.lo & 1) & (0xE1 << 56)
	return gfElem{v.hi>>1 ^ r, v.lo>>1 | v.hi<<63}
}

// gfInv returns x^-1 = x^(2^128-2) for x != 0 (and 0 for x = 0).
func gfInv(x gfElem) gfElem {
	// 2^128-2 is 127 one bits followed by a zero bit.
	r, p := gfOne, gfMul(x, x)
	for i := 1; i < 128; i++ {
		r = gfMul(r, p)
		p = gfMul(p, p)
	}
	return r
}
