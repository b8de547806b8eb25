package crypt

import (
	"bytes"
	"errors"
	"sync"
	"testing"
)

func TestKEKCache(t *testing.T) {
	c := NewKEKCache(2)
	salt := bytes.Repeat([]byte{1}, 16)
	want, err := DeriveKEK("p-1234567890", salt, 16)
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		got, err := c.DeriveKEK("p-1234567890", salt, 16)
		if err != nil || !bytes.Equal(got, want) {
			t.Fatal(got, err)
		}
		got[0] ^= 0xFF // the caller's copy
	}
	// Only the last 8 salt bytes are part of the key.
	salt2 := append(bytes.Repeat([]byte{9}, 8), salt[8:]...)
	if got, _ := c.DeriveKEK("p-1234567890", salt2, 16); !bytes.Equal(got, want) {
		t.Fatal("a salt with the same last 8 bytes gives another KEK")
	}
	if c.derived.Load() != 1 || c.Len() != 1 {
		t.Fatalf("%d derivations, %d entries, want 1 and 1", c.derived.Load(), c.Len())
	}
	// Key length and passphrase are part of the key; the capacity bounds it,
	// evicting the least recently used entry.
	c.DeriveKEK("p-1234567890", salt, 32)
	c.DeriveKEK("p-1234567890", salt, 16) // now the most recent
	c.DeriveKEK("other-passphrase", salt, 16)
	if c.Len() != 2 || c.derived.Load() != 3 {
		t.Fatalf("%d entries, %d derivations", c.Len(), c.derived.Load())
	}
	c.DeriveKEK("p-1234567890", salt, 16)
	if c.derived.Load() != 3 {
		t.Fatal("the most recently used entry was evicted")
	}
	c.DeriveKEK("p-1234567890", salt, 32)
	if c.derived.Load() != 4 {
		t.Fatal("the evicted entry was still cached")
	}
	// Errors are returned and not cached.
	if _, err := c.DeriveKEK("x", salt, 17); !errors.Is(err, ErrKeyLength) {
		t.Fatal(err)
	}
	// A nil cache derives every time.
	var nilCache *KEKCache
	if got, err := nilCache.DeriveKEK("p-1234567890", salt, 16); err != nil || !bytes.Equal(got, want) || nilCache.Len() != 0 {
		t.Fatal("nil cache")
	}
	if NewKEKCache(0).size != DefaultKEKCacheSize {
		t.Fatal("default size")
	}
}

// Concurrent requests share one derivation per key (run with -race).
func TestKEKCacheConcurrent(t *testing.T) {
	c := NewKEKCache(8)
	var wg sync.WaitGroup
	results := make([][]byte, 32)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			salt := []byte{byte(i % 4), 0, 0, 0, 0, 0, 0, 0}
			k, err := c.DeriveKEK("concurrent-pass", salt, 16)
			if err != nil {
				t.Error(err)
			}
			results[i] = k
		}()
	}
	wg.Wait()
	if n := c.derived.Load(); n != 4 {
		t.Fatalf("%d derivations for 4 keys", n)
	}
	for i := range results {
		if !bytes.Equal(results[i], results[i%4]) {
			t.Fatal("different KEKs for one key")
		}
	}
}
