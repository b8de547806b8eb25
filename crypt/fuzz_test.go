package crypt

import (
	"bytes"
	"errors"
	"testing"

	"github.com/srtwire/srtwire/handshake"
	"github.com/srtwire/srtwire/packet"
)

// fixedKEK is the KEK the fuzz targets' sessions are sealed with.
var fixedKEK = bytes.Repeat([]byte{0x42}, 16)

// fuzzState returns an established CTR or GCM state holding both keys,
// built without PBKDF2.
func fuzzState(t testing.TB, mode handshake.Cipher) *KeyState {
	salt := bytes.Repeat([]byte{0x17}, SaltSize)
	keys := Keys{Even: bytes.Repeat([]byte{1}, 16), Odd: bytes.Repeat([]byte{2}, 16)}
	km, err := Seal(fixedKEK, salt, keys, mode)
	if err != nil {
		t.Fatal(err)
	}
	c := NewKEKCache(1)
	// Put the KEK in the cache under the passphrase "fuzz", so that
	// Establish finds it instead of running PBKDF2.
	id := kekID{passphrase: "fuzz", keyLen: 16}
	id.saltLen = uint8(copy(id.salt[:], pbkdf2Salt(salt)))
	e := &kekEntry{id: id, done: make(chan struct{}), kek: fixedKEK}
	close(e.done)
	c.entries[id] = c.lru.PushFront(e)
	st := NewKeyState("fuzz", c)
	if err := st.Establish(&km); err != nil {
		t.Fatal(err)
	}
	return st
}

// FuzzUnwrap: Unwrap never panics and, when the integrity check passes,
// Wrap gives the input back; key material decoded from the same bytes
// never panics Open or KeyState.Refresh, and a refused refresh leaves the
// state as it was.
func FuzzUnwrap(f *testing.F) {
	f.Add(unhex(f, "b6bf5f0cdd25e85823fd847ab2b67f79"), unhex(f, "F8B6121BF20362408032608DED0B8E4B297E80174E8968F1"))
	f.Add(unhex(f, "000102030405060708090A0B0C0D0E0F"), unhex(f, "1FA68B0A8112B447AEF34BD8FB5A7B829D3E862371D2CFE5"))
	for _, mode := range []handshake.Cipher{handshake.CipherAESCTR, handshake.CipherAESGCM} {
		for _, keys := range []Keys{{Even: make([]byte, 16)}, {Even: make([]byte, 16), Odd: make([]byte, 16)}, {Odd: make([]byte, 32)}} {
			km, _ := Seal(fixedKEK, bytes.Repeat([]byte{0x17}, SaltSize), keys, mode)
			raw, _ := km.AppendBinary(nil)
			f.Add(fixedKEK, raw)
		}
	}
	// libsrt's own key material, with its KEK.
	for name, pass := range map[string]string{"s02_enc_aes128": passAES128, "s02_enc_kmrefresh": passRefresh} {
		for _, ev := range captureEvents(f, name) {
			if ev.km != nil {
				kek, err := DeriveKEK(pass, ev.km.km.Salt, ev.km.km.KeyLen)
				if err != nil {
					f.Fatal(err)
				}
				f.Add(kek, ev.km.raw)
			}
		}
	}
	states := []*KeyState{fuzzState(f, handshake.CipherAESCTR), fuzzState(f, handshake.CipherAESGCM)}
	f.Fuzz(func(t *testing.T, kek, data []byte) {
		if plain, err := Unwrap(kek, data); err == nil {
			again, err := Wrap(kek, plain)
			if err != nil || !bytes.Equal(again, data) {
				t.Fatalf("Wrap(Unwrap(x)) = %x, %v; want %x", again, err, data)
			}
		} else if plain != nil {
			t.Fatal("keys returned with an error")
		}
		var km handshake.KeyMaterial
		if km.Decode(data) != nil {
			return
		}
		if keys, err := Open(kek, &km); err == nil && keys.Flags() != km.Keys {
			t.Fatalf("Open returned keys %v for KK %v", keys.Flags(), km.Keys)
		}
		for _, proto := range states {
			st := *proto
			before := snap(&st)
			err := st.Refresh(&km)
			if err != nil && snap(&st) != before {
				t.Fatalf("Refresh failed with %v but changed the state", err)
			}
			if err == nil && st.Keys() != handshake.KeyBoth {
				t.Fatalf("a refresh dropped a key: %v", st.Keys())
			}
		}
	})
}

// FuzzDecrypt: decrypting any datagram never panics, and a payload that
// decrypts (any CTR payload, a GCM payload whose tag matches) encrypts back
// to the original bytes.
func FuzzDecrypt(f *testing.F) {
	states := []*KeyState{fuzzState(f, handshake.CipherAESCTR), fuzzState(f, handshake.CipherAESGCM)}
	for i, st := range states {
		for _, kk := range []handshake.KeyFlags{0, 1, 2, 3} {
			hdr := dataHeader(f, 747416589, kk)
			payload := bytes.Repeat([]byte("SRTCORPUS "), 20)
			ct, _ := st.Encrypt(hdr, payload)
			f.Add(uint8(i), append(hdr, ct...))
		}
	}
	f.Add(uint8(0), []byte{0x80, 2, 0, 0})
	f.Fuzz(func(t *testing.T, which uint8, dgram []byte) {
		st := states[int(which)%len(states)]
		if len(dgram) < packet.HeaderSize {
			if _, err := st.Decrypt(dgram, nil); !errors.Is(err, packet.ErrTruncated) {
				t.Fatalf("short header: %v", err)
			}
			return
		}
		hdr := dgram[:packet.HeaderSize]
		orig := bytes.Clone(dgram[packet.HeaderSize:])
		payload := bytes.Clone(orig)
		pt, err := st.Decrypt(hdr, payload)
		if err != nil {
			return
		}
		kk := handshake.KeyFlags(hdr[4] >> 3 & 3)
		if kk == handshake.KeyNone {
			if !bytes.Equal(pt, orig) {
				t.Fatal("a clear payload was modified")
			}
			return
		}
		buf := make([]byte, len(pt), len(pt)+TagSize)
		copy(buf, pt)
		ct, err := st.Encrypt(hdr, buf)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(ct, orig) {
			t.Fatal("Encrypt(Decrypt(x)) != x")
		}
	})
}

// FuzzSealOpen: Seal, encode, decode and Open give the keys back for key
// lengths 16, 24 and 32, one key or two, CTR or GCM, any KEK and salt; and
// another KEK fails the integrity check.
func FuzzSealOpen(f *testing.F) {
	f.Add(uint8(0), uint8(0), false, []byte("kek"), []byte("salt salt salt s"), []byte("key"))
	f.Add(uint8(1), uint8(2), true, bytes.Repeat([]byte{7}, 24), []byte{}, bytes.Repeat([]byte{9}, 48))
	f.Add(uint8(2), uint8(1), false, bytes.Repeat([]byte{1}, 32), []byte("12345678"), bytes.Repeat([]byte{3}, 64))
	f.Fuzz(func(t *testing.T, keySel, which uint8, gcm bool, kekSeed, salt, keySeed []byte) {
		keyLen := []int{16, 24, 32}[keySel%3]
		kek := make([]byte, []int{16, 24, 32}[len(kekSeed)%3])
		copy(kek, kekSeed)
		if len(salt) > SaltSize {
			salt = salt[:SaltSize]
		}
		salt = salt[:len(salt)&^3]
		material := make([]byte, 2*keyLen)
		copy(material, keySeed)
		var keys Keys
		switch which % 3 {
		case 0:
			keys.Even = material[:keyLen]
		case 1:
			keys.Odd = material[keyLen:]
		case 2:
			keys.Even, keys.Odd = material[:keyLen], material[keyLen:]
		}
		mode := handshake.CipherAESCTR
		if gcm {
			mode = handshake.CipherAESGCM
		}
		km, err := Seal(kek, salt, keys, mode)
		if err != nil {
			t.Fatal(err)
		}
		raw, err := km.AppendBinary(nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(raw) != handshake.KMLen(len(salt), keyLen, keys.Flags()) || raw[0] != 0x12 {
			t.Fatalf("encoded length %d, byte 0 %#x", len(raw), raw[0])
		}
		var back handshake.KeyMaterial
		if err := back.Decode(raw); err != nil {
			t.Fatal(err)
		}
		if err := checkKM(&back); err != nil {
			t.Fatalf("libsrt would refuse Seal's output: %v", err)
		}
		got, err := Open(kek, &back)
		if err != nil || !got.Equal(keys) {
			t.Fatalf("Open = %x/%x, %v; want %x/%x", got.Even, got.Odd, err, keys.Even, keys.Odd)
		}
		kek[len(kek)-1] ^= 1
		if _, err := Open(kek, &back); !errors.Is(err, ErrBadSecret) {
			t.Fatalf("another KEK: %v", err)
		}
	})
}
