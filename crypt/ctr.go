package crypt

import (
	"crypto/cipher"
	"crypto/subtle"
	"encoding/binary"
)

// ctrEngine computes libsrt's AES-CTR keystream without allocating.
//
// The obvious way, cipher.NewCTR per packet, allocates (the stream holds a
// copy of the expanded key), and a loop over cipher.Block.Encrypt, one
// block at a time, runs at a fifth of the speed of Go's pipelined assembly.
// The only allocation-free way into that assembly is AES-GCM, whose
// encryption is CTR mode over the counter blocks inc32(J0), inc32²(J0), ...
// where inc32 increments the last 32 bits. For a 16-byte nonce N, GCM
// derives (NIST SP 800-38D §7.1)
//
//	J0 = GHASH_H(N || L) = (N·H ⊕ L)·H,  L = 0^64 || [128]_64,  H = AES_K(0^128)
//
// which inverts to N = J0·H⁻² ⊕ L·H⁻¹. So for each packet we pick J0 one
// below libsrt's first counter block B0 (in GCM's 32-bit counter), compute
// the N that yields it, and let GCM's Seal XOR the keystream E(B0), E(B0+1),
// ... into the payload; the tag it computes is thrown away. B0 + i agrees
// with inc32^(i+1)(J0) as long as libsrt's 16-bit block counter does not
// wrap, which MaxPayloadSize guarantees.
//
// Since N depends linearly on J0 and only J0's last six bytes change from
// packet to packet (the sequence number and the counter), N is K ⊕ the
// XOR of 12 table entries, one per nibble of those bytes: 3 KB of tables
// per key, 12 lookups per packet.
//
// Seal writes its 16-byte tag after the text it encrypts, so it is given
// all but the last 16 to 31 bytes of the payload (a whole number of
// blocks); those are saved first and XORed afterwards with one or two
// keystream blocks made by cipher.Block.Encrypt. Short payloads, and builds
// where GCM with 16-byte nonces is refused (FIPS 140-only mode), use that
// block-by-block loop for everything. The tests check both paths against
// cipher.NewCTR.
type ctrEngine struct {
	block cipher.Block
	salt  [14]byte    // the nonce bytes of the counter block (112 bits)
	fast  cipher.AEAD // AES-GCM with 16-byte nonces; nil: block loop only
	k     gfElem      // N for J0 = salt[0:10] || 0^48
	t     [12][16]gfElem

	// scratch
	nonce [16]byte
	ctr   [16]byte
	ks    [16]byte
	tail  [31]byte
}

// fastMin is the shortest payload for which the GCM path is used: its
// fixed cost (deriving J0 from a 16-byte nonce, the tag, the tail blocks)
// is about that of ten blocks of the block loop.
const fastMin = 160

func (e *ctrEngine) init(block cipher.Block, salt []byte) {
	e.block = block
	copy(e.salt[:], salt)
	fast, err := cipher.NewGCMWithNonceSize(block, 16)
	if err != nil {
		return
	}
	var h [16]byte
	block.Encrypt(h[:], h[:])
	hh := gfLoad(h[:])
	if hh == (gfElem{}) {
		return // no inverse; probability 2^-128
	}
	hInv := gfInv(hh)
	m := gfMul(hInv, hInv)
	var a [16]byte
	copy(a[:10], e.salt[:10])
	e.k = gfMul(gfLoad(a[:]), m).xor(gfMul(gfElem{lo: 128}, hInv))
	// basis[k] = (bit k of lo)·M. Bit k is the coefficient of x^(127-k),
	// so each entry is x times the one above it.
	var basis [48]gfElem
	basis[47] = gfMul(gfElem{lo: 1 << 47}, m)
	for k := 46; k >= 0; k-- {
		basis[k] = gfMulX(basis[k+1])
	}
	for j := range e.t {
		for v := 1; v < 16; v++ {
			for bit := range 4 {
				if v>>bit&1 == 1 {
					e.t[j][v] = e.t[j][v].xor(basis[44-4*j+bit])
				}
			}
		}
	}
	e.fast = fast
}

// xorKeyStream XORs p with the keystream of packet index pki.
func (e *ctrEngine) xorKeyStream(pki uint32, p []byte) {
	if e.fast == nil || len(p) < fastMin {
		e.blocks(pki, 0, p, p)
		return
	}
	m := (len(p) - 16) &^ 15
	tail := e.tail[:copy(e.tail[:], p[m:])]

	// J0 = B0 - 1 in the last 32 bits; bytes 0-9 are in e.k.
	b10 := uint64(e.salt[10]^byte(pki>>24))<<8 | uint64(e.salt[11]^byte(pki>>16))
	b12 := uint32(e.salt[12]^byte(pki>>8))<<8 | uint32(e.salt[13]^byte(pki))
	v := b10<<32 | uint64(b12<<16-1)
	n := e.k
	for j := range e.t {
		n = n.xor(e.t[j][v>>(44-4*uint(j))&15])
	}
	n.store(e.nonce[:])
	e.fast.Seal(p[:0], e.nonce[:], p[:m], nil)

	e.blocks(pki, m/16, p[m:], tail)
}

// blocks XORs src with the keystream from block number blk on into dst,
// one cipher.Block.Encrypt at a time (hcrypt_SetCtrIV, then
// _crysprFallback_AES_SetCtrStream's counter).
func (e *ctrEngine) blocks(pki uint32, blk int, dst, src []byte) {
	copy(e.ctr[:14], e.salt[:])
	binary.BigEndian.PutUint32(e.ctr[10:], binary.BigEndian.Uint32(e.ctr[10:])^pki)
	for len(src) > 0 {
		binary.BigEndian.PutUint16(e.ctr[14:], uint16(blk))
		e.block.Encrypt(e.ks[:], e.ctr[:])
		n := subtle.XORBytes(dst, src, e.ks[:])
		dst, src = dst[n:], src[n:]
		blk++
	}
}
