package crypt

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"encoding/binary"
	"errors"
	"math/rand/v2"
	"testing"

	"github.com/srtwire/srtwire/handshake"
	"github.com/srtwire/srtwire/packet"
)

// refCTR is libsrt's AES-CTR written out plainly: hcrypt_SetCtrIV, then
// the standard library's CTR mode (whose 128-bit counter agrees with
// libsrt's 16-bit one for payloads shorter than 1 MiB).
func refCTR(key, salt []byte, pki uint32, p []byte) {
	var iv [16]byte
	binary.BigEndian.PutUint32(iv[10:], pki)
	for i := 0; i < 14 && i < len(salt); i++ {
		iv[i] ^= salt[i]
	}
	b, err := aes.NewCipher(key)
	if err != nil {
		panic(err)
	}
	cipher.NewCTR(b, iv[:]).XORKeyStream(p, p)
}

// refGCM is libsrt 1.5.4's AES-GCM layout written out plainly: the nonce of
// hcrypt_SetGcmIV and the header with the R flag cleared as additional data.
func refGCM(key, salt, hdr []byte) (aead cipher.AEAD, nonce, aad []byte) {
	nonce = make([]byte, 12)
	copy(nonce[8:], hdr[:4])
	for i := range nonce {
		nonce[i] ^= salt[i]
	}
	aad = bytes.Clone(hdr[:16])
	aad[4] &^= 0x04
	b, _ := aes.NewCipher(key)
	aead, _ = cipher.NewGCM(b)
	return aead, nonce, aad
}

func randBytes(r *rand.Rand, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// The CTR engine (both its GCM-driven path and its block-by-block path)
// produces exactly the keystream of cipher.NewCTR with libsrt's counter
// block, for every key length, every length up to 1600 bytes, and random
// salts and packet indices.
func TestCTRMatchesReference(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	lengths := []int{MaxPayloadSize, 65535, 4096, 1456, 1316, 1315, 1317, 188 * 7}
	for n := 0; n <= 1600; n++ {
		lengths = append(lengths, n)
	}
	for _, keyLen := range []int{16, 24, 32} {
		for _, saltLen := range []int{16, 12, 0} {
			key, salt := randBytes(r, keyLen), randBytes(r, saltLen)
			fast, err := NewPayloadCipher(handshake.CipherAESCTR, key, salt)
			if err != nil {
				t.Fatal(err)
			}
			if fast.ctr.fast == nil {
				t.Fatal("the GCM-driven path is not in use")
			}
			slow, _ := NewPayloadCipher(handshake.CipherAESCTR, key, salt)
			slow.ctr.fast = nil
			for i, n := range lengths {
				pki := r.Uint32() & 0x7FFFFFFF
				switch i % 7 {
				case 0:
					pki = 0
				case 1:
					pki = 0x7FFFFFFF
				case 2:
					pki &= 0x0000FFFF // bytes 12-13 of the counter block vary alone
				}
				plain := randBytes(r, n)
				want := bytes.Clone(plain)
				refCTR(key, salt, pki, want)
				hdr := make([]byte, 16)
				binary.BigEndian.PutUint32(hdr, pki)
				for _, c := range []*PayloadCipher{fast, slow} {
					got, err := c.Encrypt(hdr, bytes.Clone(plain))
					if err != nil || !bytes.Equal(got, want) {
						t.Fatalf("key %d salt %d len %d pki %#x fast %v: wrong keystream (%v)", keyLen, saltLen, n, pki, c == fast, err)
					}
					back, err := c.Decrypt(hdr, got)
					if err != nil || !bytes.Equal(back, plain) {
						t.Fatalf("len %d: Decrypt(Encrypt) != plaintext", n)
					}
				}
			}
		}
	}
}

// The counter block takes only the sequence-number word from the header;
// the rest of the header does not change the keystream.
func TestCTRReadsOnlyTheSequenceNumber(t *testing.T) {
	c, _ := NewPayloadCipher(handshake.CipherAESCTR, make([]byte, 16), make([]byte, 16))
	h1 := []byte{0, 0, 0, 42, 0xC0, 0, 0, 1, 0, 0, 0, 9, 1, 2, 3, 4}
	h2 := []byte{0, 0, 0, 42, 0xD4, 1, 2, 3, 9, 9, 9, 9, 5, 6, 7, 8}
	a, _ := c.Encrypt(h1, make([]byte, 100))
	b, _ := c.Encrypt(h2, make([]byte, 100))
	if !bytes.Equal(a, b) {
		t.Fatal("keystream depends on more than the sequence number")
	}
}

func TestGCMLayout(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, keyLen := range []int{16, 24, 32} {
		key, salt := randBytes(r, keyLen), randBytes(r, 16)
		c, err := NewPayloadCipher(handshake.CipherAESGCM, key, salt)
		if err != nil {
			t.Fatal(err)
		}
		if c.Overhead() != TagSize || c.Mode() != handshake.CipherAESGCM {
			t.Fatal("Overhead, Mode")
		}
		for _, n := range []int{0, 1, 15, 16, 17, 188, 1316, 1456} {
			hdr := dataHeader(t, r.Uint32()&0x7FFFFFFF, handshake.KeyOdd)
			plain := randBytes(r, n)
			aead, nonce, aad := refGCM(key, salt, hdr)
			want := aead.Seal(nil, nonce, plain, aad)

			buf := make([]byte, n, n+TagSize)
			copy(buf, plain)
			got, err := c.Encrypt(hdr, buf)
			if err != nil || !bytes.Equal(got, want) || &got[0:1][0] != &buf[0:1][0] {
				t.Fatalf("len %d: Encrypt = %x, %v; want %x in place", n, got, err, want)
			}
			// Retransmitted: the R flag is not authenticated.
			rx := bytes.Clone(hdr)
			rx[4] |= 0x04
			pt, err := c.Decrypt(rx, bytes.Clone(want))
			if err != nil || !bytes.Equal(pt, plain) {
				t.Fatalf("len %d: Decrypt with R set = %v", n, err)
			}
			// Every other header bit and every payload bit is.
			for i := 0; i < 16*8; i++ {
				if i == 4*8+5 { // the R bit (0x04 of byte 4)
					continue
				}
				bad := bytes.Clone(hdr)
				bad[i/8] ^= 0x80 >> (i % 8)
				if bad[0]&0x80 != 0 {
					continue // a control header is refused before GCM
				}
				if _, err := c.Decrypt(bad, bytes.Clone(want)); !errors.Is(err, ErrAuth) {
					t.Fatalf("header bit %d flipped: %v", i, err)
				}
			}
			for i := range want {
				bad := bytes.Clone(want)
				bad[i] ^= 1
				if _, err := c.Decrypt(hdr, bad); !errors.Is(err, ErrAuth) {
					t.Fatalf("payload byte %d flipped: %v", i, err)
				}
			}
		}
	}
}

// Without room for the tag, Encrypt returns a new slice and leaves the
// payload alone.
func TestGCMEncryptWithoutCapacity(t *testing.T) {
	c, _ := NewPayloadCipher(handshake.CipherAESGCM, make([]byte, 16), make([]byte, 16))
	hdr := dataHeader(t, 5, handshake.KeyEven)
	buf := []byte("0123456789")
	out, err := c.Encrypt(hdr, buf[:10:10])
	if err != nil || len(out) != 10+TagSize || string(buf) != "0123456789" {
		t.Fatalf("%x %v %q", out, err, buf)
	}
	pt, err := c.Decrypt(hdr, out)
	if err != nil || string(pt) != "0123456789" {
		t.Fatal(pt, err)
	}
}

func TestPayloadCipherErrors(t *testing.T) {
	for _, tc := range []struct {
		mode      handshake.Cipher
		key, salt int
		want      error
	}{
		{handshake.CipherAESCTR, 15, 16, ErrKeyLength},
		{handshake.CipherAESCTR, 16, 17, ErrSaltLength},
		{handshake.CipherAESCTR, 16, 20, ErrSaltLength},
		{handshake.CipherAESCBC, 16, 16, ErrUnsupported},
		{handshake.CipherNone, 16, 16, ErrUnsupported},
	} {
		if _, err := NewPayloadCipher(tc.mode, make([]byte, tc.key), make([]byte, tc.salt)); !errors.Is(err, tc.want) {
			t.Errorf("%v key %d salt %d: %v, want %v", tc.mode, tc.key, tc.salt, err, tc.want)
		}
	}
	for _, mode := range []handshake.Cipher{handshake.CipherAESCTR, handshake.CipherAESGCM} {
		c, _ := NewPayloadCipher(mode, make([]byte, 16), make([]byte, 16))
		hdr := dataHeader(t, 1, handshake.KeyEven)
		ctl := bytes.Clone(hdr)
		ctl[0] |= 0x80
		for _, tc := range []struct {
			name         string
			hdr, payload []byte
			want         error
		}{
			{"short header", hdr[:4], make([]byte, 20), packet.ErrTruncated},
			{"control header", ctl, make([]byte, 20), packet.ErrWrongType},
			{"too long", hdr, make([]byte, MaxPayloadSize+1), ErrTooLong},
		} {
			if _, err := c.Decrypt(tc.hdr, tc.payload); !errors.Is(err, tc.want) {
				t.Errorf("%v Decrypt %s: %v", mode, tc.name, err)
			}
			if _, err := c.Encrypt(tc.hdr, tc.payload); !errors.Is(err, tc.want) {
				t.Errorf("%v Encrypt %s: %v", mode, tc.name, err)
			}
		}
		if mode == handshake.CipherAESGCM {
			if _, err := c.Decrypt(hdr, make([]byte, TagSize-1)); !errors.Is(err, packet.ErrTruncated) {
				t.Errorf("payload shorter than the tag: %v", err)
			}
		} else if c.Overhead() != 0 {
			t.Error("CTR overhead")
		}
	}
}

func TestGF128(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for i := 0; i < 20; i++ {
		x := gfElem{r.Uint64(), r.Uint64()}
		y := gfElem{r.Uint64(), r.Uint64()}
		if gfMul(x, gfOne) != x || gfMul(x, y) != gfMul(y, x) {
			t.Fatal("identity or commutativity")
		}
		if gfMul(x, gfInv(x)) != gfOne {
			t.Fatal("inverse")
		}
	}
	// GHASH of one block with H = x (the element 0x40 00..): multiplying by
	// x shifts right by one bit, reducing by R.
	x := gfElem{hi: 1 << 62}
	if got := gfMul(gfElem{lo: 1}, x); got != (gfElem{hi: 0xE1 << 56}) {
		t.Fatalf("reduction: %x", got)
	}
}
