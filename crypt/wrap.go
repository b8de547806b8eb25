package crypt

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/subtle"
	"encoding/binary"
)

// WrapOverhead is the number of bytes RFC 3394 key wrapping adds: the 8-byte
// integrity check value (HAICRYPT_WRAPKEY_SIGN_SZ).
const WrapOverhead = 8

// wrapIV is RFC 3394's default initial value (default_iv in haicrypt/cryspr.c).
const wrapIV = 0xA6A6A6A6A6A6A6A6

// Wrap wraps keys with the AES key kek (16, 24 or 32 bytes) following
// RFC 3394 §2.2.1 with the default initial value A6A6A6A6A6A6A6A6, as
// libsrt's crysprFallback_AES_WrapKey (haicrypt/cryspr.c) and OpenSSL's
// AES_wrap_key do. keys must be a multiple of 8 bytes and at least 16 bytes
// long; two stream encrypting keys are wrapped as one plaintext, the even
// key first. The result is WrapOverhead bytes longer than keys.
func Wrap(kek, keys []byte) ([]byte, error) {
	if len(keys)%8 != 0 || len(keys) < 16 {
		return nil, ErrWrapLength
	}
	b, err := newKEKCipher(kek)
	if err != nil {
		return nil, err
	}
	out := make([]byte, WrapOverhead+len(keys))
	copy(out[WrapOverhead:], keys)
	var blk [16]byte
	a := uint64(wrapIV)
	n := len(keys) / 8
	for j := 0; j < 6; j++ {
		for i := 1; i <= n; i++ {
			r := out[8*i : 8*i+8]
			binary.BigEndian.PutUint64(blk[:8], a)
			copy(blk[8:], r)
			b.Encrypt(blk[:], blk[:])
			a = binary.BigEndian.Uint64(blk[:8]) ^ uint64(n*j+i)
			copy(r, blk[8:])
		}
	}
	binary.BigEndian.PutUint64(out[:8], a)
	return out, nil
}

// Unwrap reverses Wrap (RFC 3394 §2.2.2): it returns the keys that wrapped
// (8 bytes shorter) protects, or ErrBadSecret when the integrity check
// fails, that is when kek is not the key that wrapped them. wrapped must be
// a multiple of 8 bytes and at least 24 bytes long (ErrWrapLength).
func Unwrap(kek, wrapped []byte) ([]byte, error) {
	if len(wrapped)%8 != 0 || len(wrapped) < 24 {
		return nil, ErrWrapLength
	}
	b, err := newKEKCipher(kek)
	if err != nil {
		return nil, err
	}
	out := make([]byte, len(wrapped)-WrapOverhead)
	copy(out, wrapped[WrapOverhead:])
	var blk [16]byte
	a := binary.BigEndian.Uint64(wrapped[:8])
	n := len(out) / 8
	for j := 5; j >= 0; j-- {
		for i := n; i >= 1; i-- {
			r := out[8*i-8 : 8*i]
			binary.BigEndian.PutUint64(blk[:8], a^uint64(n*j+i))
			copy(blk[8:], r)
			b.Decrypt(blk[:], blk[:])
			a = binary.BigEndian.Uint64(blk[:8])
			copy(r, blk[8:])
		}
	}
	binary.BigEndian.PutUint64(blk[:8], a)
	binary.BigEndian.PutUint64(blk[8:], wrapIV)
	if subtle.ConstantTimeCompare(blk[:8], blk[8:]) != 1 {
		clear(out)
		return nil, ErrBadSecret
	}
	return out, nil
}

func newKEKCipher(kek []byte) (cipher.Block, error) {
	if !validKeyLen(len(kek)) {
		return nil, ErrKeyLength
	}
	return aes.NewCipher(kek)
}
