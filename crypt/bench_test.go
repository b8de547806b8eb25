package crypt

import (
	"testing"

	"github.com/srtwire/srtwire/handshake"
)

func benchCipher(b *testing.B, mode handshake.Cipher, n int, slow bool) (c *PayloadCipher, hdr, ct []byte) {
	c, err := NewPayloadCipher(mode, make([]byte, 16), make([]byte, 16))
	if err != nil {
		b.Fatal(err)
	}
	if slow {
		c.ctr.fast = nil
	}
	hdr = dataHeader(b, 747416589, handshake.KeyEven)
	ct, err = c.Encrypt(hdr, make([]byte, n, n+TagSize))
	if err != nil {
		b.Fatal(err)
	}
	return c, hdr, append([]byte(nil), ct...)
}

// BenchmarkDecrypt decrypts one live-mode payload (7 MPEG-TS packets) in
// place. GCM decrypts a fresh copy of the ciphertext each time, since
// decryption overwrites it; the copy is part of the figure. ctr_1316_blockloop
// is the fallback path (FIPS 140-only mode).
func BenchmarkDecrypt(b *testing.B) {
	for _, bc := range []struct {
		name string
		mode handshake.Cipher
		n    int
		slow bool
	}{
		{"ctr_1316", handshake.CipherAESCTR, 1316, false},
		{"ctr_188", handshake.CipherAESCTR, 188, false},
		{"ctr_1316_blockloop", handshake.CipherAESCTR, 1316, true},
		{"gcm_1316", handshake.CipherAESGCM, 1316, false},
	} {
		b.Run(bc.name, func(b *testing.B) {
			c, hdr, ct := benchCipher(b, bc.mode, bc.n, bc.slow)
			work := make([]byte, len(ct))
			copy(work, ct)
			b.SetBytes(int64(bc.n))
			b.ReportAllocs()
			for b.Loop() {
				if bc.mode == handshake.CipherAESGCM {
					copy(work, ct)
				}
				if _, err := c.Decrypt(hdr, work); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkEncrypt(b *testing.B) {
	for _, bc := range []struct {
		name string
		mode handshake.Cipher
	}{
		{"ctr_1316", handshake.CipherAESCTR},
		{"gcm_1316", handshake.CipherAESGCM},
	} {
		b.Run(bc.name, func(b *testing.B) {
			c, hdr, _ := benchCipher(b, bc.mode, 1316, false)
			buf := make([]byte, 1316, 1316+TagSize)
			b.SetBytes(1316)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := c.Encrypt(hdr, buf[:1316]); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkKeyStateDecrypt is BenchmarkDecrypt/ctr_1316 through the key
// selection of a KeyState.
func BenchmarkKeyStateDecrypt(b *testing.B) {
	_, km := newSession(b, handshake.CipherAESCTR, 16)
	st := NewKeyState(testPass, nil)
	if err := st.Establish(&km); err != nil {
		b.Fatal(err)
	}
	hdr := dataHeader(b, 1, handshake.KeyEven)
	buf := make([]byte, 1316)
	b.SetBytes(1316)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := st.Decrypt(hdr, buf); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkUnwrap unwraps two AES-128 keys (a key-refresh message).
func BenchmarkUnwrap(b *testing.B) {
	kek := make([]byte, 16)
	wrapped, err := Wrap(kek, make([]byte, 32))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Unwrap(kek, wrapped); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDeriveKEK is one PBKDF2-HMAC-SHA1 derivation, 2048 iterations,
// 16 bytes; BenchmarkKEKCacheHit the same from a KEKCache.
func BenchmarkDeriveKEK(b *testing.B) {
	salt := make([]byte, 16)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := DeriveKEK("corpus-secret-16", salt, 16); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkKEKCacheHit(b *testing.B) {
	c := NewKEKCache(0)
	salt := make([]byte, 16)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.kek("corpus-secret-16", salt, 16); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkNewPayloadCipher is the cost of taking a new key into use (for
// CTR it includes the tables of the GCM-driven keystream).
func BenchmarkNewPayloadCipher(b *testing.B) {
	for _, mode := range []handshake.Cipher{handshake.CipherAESCTR, handshake.CipherAESGCM} {
		b.Run(mode.String(), func(b *testing.B) {
			key, salt := make([]byte, 16), make([]byte, 16)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := NewPayloadCipher(mode, key, salt); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
