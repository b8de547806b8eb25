package crypt

import (
	"bytes"
	"crypto/subtle"
	"io"

	"github.com/srtwire/srtwire/handshake"
)

// SaltSize is the salt length libsrt's sender uses (HAICRYPT_SALT_SZ).
const SaltSize = 16

// Keys holds the stream encrypting keys (SEKs) of one key-material
// message: the even key, the odd key or both, each 16, 24 or 32 bytes long.
// A nil slice means the key is absent.
type Keys struct {
	Even []byte
	Odd  []byte
}

// Flags returns the key flags (KK) that name the keys present.
func (k Keys) Flags() handshake.KeyFlags {
	var f handshake.KeyFlags
	if k.Even != nil {
		f |= handshake.KeyEven
	}
	if k.Odd != nil {
		f |= handshake.KeyOdd
	}
	return f
}

// Equal reports whether k and o hold the same keys, in constant time for
// keys of equal length.
func (k Keys) Equal(o Keys) bool {
	return sameKey(k.Even, o.Even) && sameKey(k.Odd, o.Odd)
}

func sameKey(a, b []byte) bool {
	return (a == nil) == (b == nil) && subtle.ConstantTimeCompare(a, b) == 1
}

// keyLen returns the length of the keys, or 0 when there is none or they
// differ in length or are not 16, 24 or 32 bytes.
func (k Keys) keyLen() int {
	n := len(k.Even)
	if k.Even == nil {
		n = len(k.Odd)
	} else if k.Odd != nil && len(k.Odd) != n {
		return 0
	}
	if k.Flags() == 0 || !validKeyLen(n) {
		return 0
	}
	return n
}

// NewKeys returns fresh stream encrypting keys of keyLen bytes (16, 24 or
// 32) read from rand: the even key, the odd key or both, as which says. Use
// crypto/rand.Reader unless reproducible keys are wanted (tests).
func NewKeys(rand io.Reader, keyLen int, which handshake.KeyFlags) (Keys, error) {
	if !validKeyLen(keyLen) {
		return Keys{}, ErrKeyLength
	}
	if which == 0 || which > handshake.KeyBoth {
		return Keys{}, handshake.ErrKMKeyFlags
	}
	buf := make([]byte, which.Count()*keyLen)
	if _, err := io.ReadFull(rand, buf); err != nil {
		return Keys{}, err
	}
	var k Keys
	if which&handshake.KeyEven != 0 {
		k.Even, buf = buf[:keyLen:keyLen], buf[keyLen:]
	}
	if which&handshake.KeyOdd != 0 {
		k.Odd = buf[:keyLen:keyLen]
	}
	return k, nil
}

// Open unwraps the stream encrypting keys of km with the key encrypting key
// kek (see DeriveKEK and KEKCache). It returns ErrBadSecret when kek is not
// the one km was sealed with, which for a passphrase-derived KEK means the
// passphrase is wrong. It checks only what unwrapping needs: the key flags
// (handshake.ErrKMKeyFlags), the key length (ErrKeyLength) and the length
// of the wrapped keys (handshake.ErrKMLength); KeyState also checks the
// cipher. The keys are fresh memory, not views into km.
func Open(kek []byte, km *handshake.KeyMaterial) (Keys, error) {
	n := km.Keys.Count()
	if km.Keys == 0 || km.Keys > handshake.KeyBoth {
		return Keys{}, handshake.ErrKMKeyFlags
	}
	if !validKeyLen(km.KeyLen) {
		return Keys{}, ErrKeyLength
	}
	if len(km.WrappedKeys) != WrapOverhead+n*km.KeyLen {
		return Keys{}, handshake.ErrKMLength
	}
	plain, err := Unwrap(kek, km.WrappedKeys)
	if err != nil {
		return Keys{}, err
	}
	l := km.KeyLen
	var k Keys
	// The even key comes first when both are present (hcryptCtx_Tx_AsmKM).
	if km.Keys&handshake.KeyEven != 0 {
		k.Even, plain = plain[:l:l], plain[l:]
	}
	if km.Keys&handshake.KeyOdd != 0 {
		k.Odd = plain[:l:l]
	}
	return k, nil
}

// OpenPassphrase derives the KEK of km from passphrase (without a cache;
// see KEKCache) and opens km with it.
func OpenPassphrase(passphrase string, km *handshake.KeyMaterial) (Keys, error) {
	if !validKeyLen(km.KeyLen) {
		return Keys{}, ErrKeyLength
	}
	kek, err := DeriveKEK(passphrase, km.Salt, km.KeyLen)
	if err != nil {
		return Keys{}, err
	}
	return Open(kek, km)
}

// Seal builds the key-material message that carries keys, wrapped with kek,
// with the given salt and cipher (handshake.CipherAESCTR or
// handshake.CipherAESGCM), field for field as libsrt's hcryptCtx_Tx_AsmKM
// (haicrypt/hcrypt_ctx_tx.c) writes it: version 1, packet type 2 (KM), sign
// 0x2029, KK naming the keys, KEKI 0, the cipher, auth 0 for CTR or 1 for
// GCM, SE 2 (MPEG-TS/SRT), the salt and key lengths, the salt, and the
// RFC 3394 wrap of the even key followed by the odd key. libsrt uses a
// 16-byte salt (SaltSize); salt may also be shorter, in steps of 4 bytes
// (ErrSaltLength).
//
// Since RFC 3394 is deterministic, sealing the keys that Open returned
// with the same KEK and salt reproduces the original message byte for byte.
// The Salt and WrappedKeys of the result are fresh memory.
func Seal(kek, salt []byte, keys Keys, c handshake.Cipher) (handshake.KeyMaterial, error) {
	var auth uint8
	switch c {
	case handshake.CipherAESCTR:
	case handshake.CipherAESGCM:
		auth = 1
	default:
		return handshake.KeyMaterial{}, ErrUnsupported
	}
	if len(salt)%4 != 0 || len(salt) > SaltSize {
		return handshake.KeyMaterial{}, ErrSaltLength
	}
	if keys.Flags() == 0 {
		return handshake.KeyMaterial{}, handshake.ErrKMKeyFlags
	}
	n := keys.keyLen()
	if n == 0 {
		return handshake.KeyMaterial{}, ErrKeyLength
	}
	wrapped, err := Wrap(kek, append(bytes.Clone(keys.Even), keys.Odd...))
	if err != nil {
		return handshake.KeyMaterial{}, err
	}
	return handshake.KeyMaterial{
		Version:     1,
		PacketType:  2,
		Sign:        handshake.KMSign,
		Keys:        keys.Flags(),
		Cipher:      c,
		Auth:        auth,
		SE:          2,
		SaltLen:     len(salt),
		KeyLen:      n,
		Salt:        bytes.Clone(salt),
		WrappedKeys: wrapped,
	}, nil
}

// SealPassphrase seals keys as Seal does, with a fresh 16-byte salt read
// from rand and the KEK derived from passphrase and that salt, as a libsrt
// sender does at the start of a connection (hcryptCtx_Tx_Rekey). The
// passphrase must be 10 to 80 bytes long, as libsrt requires
// (ErrPassphraseLength). For a key refresh, which keeps the salt, use Seal
// with the session's salt and KEK.
func SealPassphrase(rand io.Reader, passphrase string, keys Keys, c handshake.Cipher) (handshake.KeyMaterial, error) {
	if len(passphrase) < MinPassphraseLen || len(passphrase) > MaxPassphraseLen {
		return handshake.KeyMaterial{}, ErrPassphraseLength
	}
	n := keys.keyLen()
	if n == 0 {
		if keys.Flags() == 0 {
			return handshake.KeyMaterial{}, handshake.ErrKMKeyFlags
		}
		return handshake.KeyMaterial{}, ErrKeyLength
	}
	salt := make([]byte, SaltSize)
	if _, err := io.ReadFull(rand, salt); err != nil {
		return handshake.KeyMaterial{}, err
	}
	kek, err := DeriveKEK(passphrase, salt, n)
	if err != nil {
		return handshake.KeyMaterial{}, err
	}
	return Seal(kek, salt, keys, c)
}
