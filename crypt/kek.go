package crypt

import (
	"container/list"
	"crypto/pbkdf2"
	"crypto/sha1"
	"sync"
	"sync/atomic"
)

// Key derivation parameters (haicrypt.h).
const (
	// PBKDF2Iterations is HAICRYPT_PBKDF2_ITER_CNT.
	PBKDF2Iterations = 2048
	// PBKDF2SaltLen is HAICRYPT_PBKDF2_SALT_LEN: how many bytes of the
	// key-material salt (its last ones) feed PBKDF2.
	PBKDF2SaltLen = 8
	// MinPassphraseLen and MaxPassphraseLen bound the passphrases libsrt
	// accepts (srtcore/socketconfig.cpp, HAICRYPT_PWD_MAX_SZ).
	MinPassphraseLen = 10
	MaxPassphraseLen = 80
)

// DeriveKEK derives the key encrypting key (KEK) that wraps the stream
// encrypting keys of a key-material message whose salt is salt and whose
// keys are keyLen bytes long, as libsrt's hcryptCtx_GenSecret
// (haicrypt/hcrypt_sa.c) does:
//
//	KEK = PBKDF2-HMAC-SHA1(passphrase, last 8 bytes of salt, 2048, keyLen)
//
// (the whole salt when it is shorter than 8 bytes). keyLen must be 16, 24 or
// 32, otherwise DeriveKEK returns ErrKeyLength. It does not check the
// passphrase's length, so that key material made by peers with other rules
// can be opened; libsrt itself takes 10 to 80 bytes.
//
// One derivation costs about a millisecond; KEKCache remembers them.
func DeriveKEK(passphrase string, salt []byte, keyLen int) ([]byte, error) {
	if !validKeyLen(keyLen) {
		return nil, ErrKeyLength
	}
	return pbkdf2SHA1(passphrase, pbkdf2Salt(salt), PBKDF2Iterations, keyLen)
}

// pbkdf2SHA1 is libsrt's km_pbkdf2 (PKCS5_PBKDF2_HMAC_SHA1 in
// haicrypt/cryspr-openssl.c).
func pbkdf2SHA1(passphrase string, salt []byte, iter, keyLen int) ([]byte, error) {
	return pbkdf2.Key(sha1.New, passphrase, salt, iter, keyLen)
}

// pbkdf2Salt returns the part of a key-material salt that feeds PBKDF2:
// &salt[salt_len - min(salt_len, 8)] in hcryptCtx_GenSecret.
func pbkdf2Salt(salt []byte) []byte {
	if len(salt) > PBKDF2SaltLen {
		return salt[len(salt)-PBKDF2SaltLen:]
	}
	return salt
}

func validKeyLen(n int) bool { return n == 16 || n == 24 || n == 32 }

// DefaultKEKCacheSize is the capacity of a KEKCache made with a size of 0
// or less.
const DefaultKEKCacheSize = 64

// KEKCache remembers derived KEKs, keyed by passphrase, the 8 salt bytes
// that PBKDF2 reads and the key length, so that a capture or a server that
// meets the same key material many times (every key refresh keeps the
// salt, every KMRSP echoes a KMREQ) pays for PBKDF2 once per session.
//
// The cache holds at most its capacity of entries and evicts the least
// recently used one beyond that. It keeps the passphrases and KEKs in
// memory for as long as they are cached.
//
// A KEKCache is safe for concurrent use. Concurrent requests for the same
// missing entry wait for one derivation. A nil *KEKCache is valid and
// caches nothing.
type KEKCache struct {
	mu      sync.Mutex
	size    int
	entries map[kekID]*list.Element // of *kekEntry
	lru     list.List               // front = most recently used
	derived atomic.Int64            // PBKDF2 runs, for tests
}

type kekID struct {
	passphrase string
	salt       [PBKDF2SaltLen]byte
	saltLen    uint8
	keyLen     uint8
}

type kekEntry struct {
	id   kekID
	done chan struct{} // closed when kek and err are set
	kek  []byte
	err  error
}

// NewKEKCache returns an empty cache that holds at most size KEKs
// (DefaultKEKCacheSize if size <= 0).
func NewKEKCache(size int) *KEKCache {
	if size <= 0 {
		size = DefaultKEKCacheSize
	}
	return &KEKCache{size: size, entries: make(map[kekID]*list.Element)}
}

// DeriveKEK returns DeriveKEK(passphrase, salt, keyLen), from the cache when
// it has been derived before. The result is a fresh copy that the caller
// may modify.
func (c *KEKCache) DeriveKEK(passphrase string, salt []byte, keyLen int) ([]byte, error) {
	kek, err := c.kek(passphrase, salt, keyLen)
	if err != nil || c == nil {
		return kek, err
	}
	return append([]byte(nil), kek...), nil
}

// Len returns the number of cached KEKs.
func (c *KEKCache) Len() int {
	if c == nil {
		return 0
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.lru.Len()
}

// kek is DeriveKEK without the copy: the result belongs to the cache and must not be
// modified.
func (c *KEKCache) kek(passphrase string, salt []byte, keyLen int) ([]byte, error) {
	if c == nil || !validKeyLen(keyLen) {
		return DeriveKEK(passphrase, salt, keyLen)
	}
	id := kekID{passphrase: passphrase, keyLen: uint8(keyLen)}
	id.saltLen = uint8(copy(id.salt[:], pbkdf2Salt(salt)))

	c.mu.Lock()
	if el, ok := c.entries[id]; ok {
		c.lru.MoveToFront(el)
		e := el.Value.(*kekEntry)
		c.mu.Unlock()
		<-e.done
		return e.kek, e.err
	}
	e := &kekEntry{id: id, done: make(chan struct{})}
	c.entries[id] = c.lru.PushFront(e)
	for c.lru.Len() > c.size {
		c.remove(c.lru.Back())
	}
	c.mu.Unlock()

	e.kek, e.err = DeriveKEK(passphrase, salt, keyLen)
	c.derived.Add(1)
	close(e.done)
	if e.err != nil {
		c.mu.Lock()
		if el, ok := c.entries[id]; ok && el.Value == e {
			c.remove(el)
		}
		c.mu.Unlock()
	}
	return e.kek, e.err
}

// remove drops el from the cache; c.mu must be held.
func (c *KEKCache) remove(el *list.Element) {
	delete(c.entries, el.Value.(*kekEntry).id)
	c.lru.Remove(el)
}
