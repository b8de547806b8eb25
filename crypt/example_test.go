package crypt_test

import (
	"errors"
	"fmt"
	"math/rand/v2"

	"github.com/srtwire/srtwire/crypt"
	"github.com/srtwire/srtwire/handshake"
	"github.com/srtwire/srtwire/packet"
)

// rnd stands in for crypto/rand.Reader, so that the examples' output does
// not change from run to run. Use crypto/rand.Reader in real code.
func rnd() *rand.ChaCha8 { return rand.NewChaCha8([32]byte{1}) }

// A sender makes a key and its key material; the receiver, knowing the
// passphrase, establishes its key state from it and decrypts a data packet.
func ExampleKeyState() {
	const passphrase = "correct horse battery"
	r := rnd()

	// Sender: a fresh even key, sealed as libsrt's caller puts it in its
	// CONCLUSION handshake (KMREQ).
	keys, _ := crypt.NewKeys(r, 16, handshake.KeyEven)
	km, _ := crypt.SealPassphrase(r, passphrase, keys, handshake.CipherAESCTR)
	sender := crypt.NewKeyState(passphrase, nil)
	if err := sender.Establish(&km); err != nil {
		panic(err)
	}
	hdr := packet.Header{Seq: 747416589, Position: packet.PositionSolo, Key: handshake.KeyEven, MsgNo: 1}
	dgram, _ := hdr.AppendBinary(nil)
	dgram = append(dgram, "SRTCORPUS chunk=000000 size=1316|..."...)
	if _, err := sender.Encrypt(dgram[:packet.HeaderSize], dgram[packet.HeaderSize:]); err != nil {
		panic(err)
	}

	// Receiver.
	receiver := crypt.NewKeyState(passphrase, nil)
	if err := receiver.Establish(&km); err != nil {
		panic(err)
	}
	plain, err := receiver.Decrypt(dgram[:packet.HeaderSize], dgram[packet.HeaderSize:])
	fmt.Println(receiver.Mode(), receiver.KeyLen()*8, receiver.Keys())
	fmt.Printf("%s %v\n", plain, err)
	// Output:
	// AES-CTR 128 even
	// SRTCORPUS chunk=000000 size=1316|... <nil>
}

// In-band key material that changes the session's salt is refused, even
// though it unwraps with the right passphrase; a genuine refresh (the same
// salt and KEK, the current key plus the next one) is taken.
func ExampleKeyState_Refresh() {
	const passphrase = "correct horse battery"
	r := rnd()
	keys, _ := crypt.NewKeys(r, 16, handshake.KeyEven)
	km, _ := crypt.SealPassphrase(r, passphrase, keys, handshake.CipherAESGCM)
	st := crypt.NewKeyState(passphrase, nil)
	if err := st.Establish(&km); err != nil {
		panic(err)
	}

	// The sender pre-announces the odd key with the same salt and KEK.
	kek, _ := crypt.DeriveKEK(passphrase, km.Salt, km.KeyLen)
	next, _ := crypt.NewKeys(r, 16, handshake.KeyOdd)
	refresh, _ := crypt.Seal(kek, km.Salt, crypt.Keys{Even: keys.Even, Odd: next.Odd}, handshake.CipherAESGCM)
	fmt.Println(st.Refresh(&refresh), st.Keys())

	// A forgery with a salt of its own (and the KEK that goes with it).
	salt := make([]byte, crypt.SaltSize)
	forgedKEK, _ := crypt.DeriveKEK(passphrase, salt, 16)
	forged, _ := crypt.Seal(forgedKEK, salt, crypt.Keys{Even: keys.Even, Odd: keys.Even}, handshake.CipherAESCTR)
	err := st.Refresh(&forged)
	fmt.Println(errors.Is(err, crypt.ErrRefused), err)
	// Output:
	// <nil> both
	// true crypt: in-band key material refused: its salt differs from the session's
}

// Checking a passphrase against key material taken from a capture: the
// RFC 3394 integrity check fails for a wrong one.
func ExampleOpenPassphrase() {
	r := rnd()
	keys, _ := crypt.NewKeys(r, 32, handshake.KeyEven)
	sealed, _ := crypt.SealPassphrase(r, "the right passphrase", keys, handshake.CipherAESCTR)
	wire, _ := sealed.AppendBinary(nil) // as it appears in a KMREQ block

	var km handshake.KeyMaterial
	if err := km.Decode(wire); err != nil {
		panic(err)
	}
	_, err := crypt.OpenPassphrase("a wrong passphrase", &km)
	fmt.Println(errors.Is(err, crypt.ErrBadSecret))
	got, err := crypt.OpenPassphrase("the right passphrase", &km)
	fmt.Println(got.Equal(keys), err)
	// Output:
	// true
	// true <nil>
}

// A KEKCache derives a KEK once per passphrase and salt.
func ExampleKEKCache() {
	r := rnd()
	keys, _ := crypt.NewKeys(r, 16, handshake.KeyBoth)
	km, _ := crypt.SealPassphrase(r, "the right passphrase", keys, handshake.CipherAESCTR)

	cache := crypt.NewKEKCache(0)
	for range 1000 { // e.g. a capture's KMREQ retries and KMRSP echoes
		kek, err := cache.DeriveKEK("the right passphrase", km.Salt, km.KeyLen)
		if err != nil {
			panic(err)
		}
		if _, err := crypt.Open(kek, &km); err != nil {
			panic(err)
		}
	}
	fmt.Println(cache.Len())
	// Output: 1
}

// Encrypting a payload with AES-GCM in place: the tag goes into the spare
// capacity after the payload.
func ExamplePayloadCipher() {
	key, salt := make([]byte, 16), make([]byte, crypt.SaltSize)
	c, err := crypt.NewPayloadCipher(handshake.CipherAESGCM, key, salt)
	if err != nil {
		panic(err)
	}
	hdr := packet.Header{Seq: 1, Position: packet.PositionSolo, Key: handshake.KeyEven, MsgNo: 1}
	buf := make([]byte, 0, 1500)
	buf, _ = hdr.AppendBinary(buf)
	buf = append(buf, "hello"...)

	ct, _ := c.Encrypt(buf[:packet.HeaderSize], buf[packet.HeaderSize:])
	fmt.Println(len(ct))

	altered := append([]byte(nil), ct...)
	altered[0] ^= 1
	_, err = c.Decrypt(buf[:packet.HeaderSize], altered)
	fmt.Println(err)

	pt, err := c.Decrypt(buf[:packet.HeaderSize], ct)
	fmt.Printf("%s %v\n", pt, err)
	// Output:
	// 21
	// crypt: GCM authentication failed
	// hello <nil>
}
