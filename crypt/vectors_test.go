package crypt

import (
	"bytes"
	"encoding/hex"
	"errors"
	"strings"
	"testing"

	"github.com/srtwire/srtwire/handshake"
)

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.NewReplacer(" ", "", "\n", "", "\t", "").Replace(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// libsrt test/test_cryspr.cpp, pbkdf2_tv: tv1 has libsrt's parameters (an
// 8-byte salt, 2048 iterations) and goes through DeriveKEK; tv2 and tv3
// (other iteration counts and salt lengths) exercise the PBKDF2 primitive.
func TestPBKDF2LibsrtVectors(t *testing.T) {
	const kek1 = "b6bf5f0cdd25e85823fd847ab2b67f79 90abca6ef002f1ad 1959cf18ac91533d"
	for _, tv := range []struct {
		name, pass, salt string
		iter, keyLen     int
		want             string
	}{
		{"tv1.128", "000000000000", "00000000", 2048, 16, kek1[:32]},
		{"tv1.192", "000000000000", "00000000", 2048, 24, kek1[:49]},
		{"tv1.256", "000000000000", "00000000", 2048, 32, kek1},
		{"tv2.1", "password", "salt", 1, 20, "0c60c80f961f0e71f3a9b524af6012062fe037a6"},
		{"tv2.20", "password", "salt", 2, 20, "ea6c014dc72d6f8ccd1ed92ace1d41f0d8de8957"},
		{"tv2.4096", "password", "salt", 4096, 20, "4b007901b765489abead49d926f721d065a429c1"},
		{"tv3.0", "passwordPASSWORDpassword", "saltSALTsaltSALTsaltSALTsaltSALTsalt", 4096, 25,
			"3d2eec4fe41c849b80c8d83662c0e44a8b291a964cf2f07038"},
	} {
		t.Run(tv.name, func(t *testing.T) {
			want := unhex(t, tv.want)
			var got []byte
			var err error
			if tv.iter == PBKDF2Iterations {
				got, err = DeriveKEK(tv.pass, []byte(tv.salt), tv.keyLen)
			} else {
				got, err = pbkdf2SHA1(tv.pass, []byte(tv.salt), tv.iter, tv.keyLen)
			}
			if err != nil || !bytes.Equal(got, want) {
				t.Fatalf("got %x, %v; want %x", got, err, want)
			}
		})
	}
}

// DeriveKEK reads only the last 8 bytes of a longer salt (hcryptCtx_GenSecret).
func TestDeriveKEKUsesLastEightSaltBytes(t *testing.T) {
	want, err := DeriveKEK("000000000000", []byte("00000000"), 16)
	if err != nil {
		t.Fatal(err)
	}
	got, err := DeriveKEK("000000000000", []byte("XXXXXXXX00000000"), 16)
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("got %x, %v; want %x", got, err, want)
	}
	if _, err := DeriveKEK("000000000000", nil, 20); !errors.Is(err, ErrKeyLength) {
		t.Fatalf("key length 20: %v", err)
	}
}

// libsrt test/test_cryspr.cpp, UTV_cryspr_km_wrap: zero keys wrapped with
// the tv1 KEKs.
func TestKeyWrapLibsrtVectors(t *testing.T) {
	const kek = "b6bf5f0cdd25e85823fd847ab2b67f7990abca6ef002f1ad1959cf18ac91533d"
	for _, tv := range []struct {
		name   string
		keyLen int
		wrap   string
	}{
		{"tv1.128", 16, "F8B6121BF2036240 8032608DED0B8E4B 297E80174E8968F1"},
		{"tv1.192", 24, "C1A6589EC0526D37 843CBD3B02DD793F E6142D81694B8E07 264FCD86D66A7062"},
		{"tv1.256", 32, "94BE9CA67A272056 EDEAA08F71B1F185 F6C567F4A9C21E78 4936A5AE60D01C30 68274F66565A55AA"},
	} {
		t.Run(tv.name, func(t *testing.T) {
			k := unhex(t, kek)[:tv.keyLen]
			sek := make([]byte, tv.keyLen)
			want := unhex(t, tv.wrap)
			got, err := Wrap(k, sek)
			if err != nil || !bytes.Equal(got, want) {
				t.Fatalf("Wrap = %X, %v; want %X", got, err, want)
			}
			plain, err := Unwrap(k, want)
			if err != nil || !bytes.Equal(plain, sek) {
				t.Fatalf("Unwrap = %X, %v", plain, err)
			}
		})
	}
}

// RFC 3394 §4.1-4.6.
func TestKeyWrapRFC3394Vectors(t *testing.T) {
	const kek = "000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F"
	const data = "00112233445566778899AABBCCDDEEFF000102030405060708090A0B0C0D0E0F"
	for _, tv := range []struct {
		name            string
		kekLen, dataLen int
		wrap            string
	}{
		{"4.1", 16, 16, "1FA68B0A8112B447 AEF34BD8FB5A7B82 9D3E862371D2CFE5"},
		{"4.2", 24, 16, "96778B25AE6CA435 F92B5B97C050AED2 468AB8A17AD84E5D"},
		{"4.3", 32, 16, "64E8C3F9CE0F5BA2 63E9777905818A2A 93C8191E7D6E8AE7"},
		{"4.4", 24, 24, "031D33264E15D332 68F24EC260743EDC E1C6C7DDEE725A93 6BA814915C6762D2"},
		{"4.5", 32, 24, "A8F9BC1612C68B3F F6E6F4FBE30E71E4 769C8B80A32CB895 8CD5D17D6B254DA1"},
		{"4.6", 32, 32, "28C9F404C4B810F4 CBCCB35CFB87F826 3F5786E2D80ED326 CBC7F0E71A99F43B FB988B9B7A02DD21"},
	} {
		t.Run(tv.name, func(t *testing.T) {
			k, d, want := unhex(t, kek)[:tv.kekLen], unhex(t, data)[:tv.dataLen], unhex(t, tv.wrap)
			got, err := Wrap(k, d)
			if err != nil || !bytes.Equal(got, want) {
				t.Fatalf("Wrap = %X, %v; want %X", got, err, want)
			}
			plain, err := Unwrap(k, want)
			if err != nil || !bytes.Equal(plain, d) {
				t.Fatalf("Unwrap = %X, %v", plain, err)
			}
			// Any changed bit, and any other KEK, fails the integrity check.
			for i := range want {
				bad := bytes.Clone(want)
				bad[i] ^= 0x10
				if p, err := Unwrap(k, bad); !errors.Is(err, ErrBadSecret) || p != nil {
					t.Fatalf("byte %d altered: %X, %v", i, p, err)
				}
			}
			other := bytes.Clone(k)
			other[0] ^= 1
			if _, err := Unwrap(other, want); !errors.Is(err, ErrBadSecret) {
				t.Fatalf("other KEK: %v", err)
			}
		})
	}
}

func TestWrapLengths(t *testing.T) {
	k := make([]byte, 16)
	for _, n := range []int{0, 8, 12, 17} {
		if _, err := Wrap(k, make([]byte, n)); !errors.Is(err, ErrWrapLength) {
			t.Errorf("Wrap(%d bytes) = %v", n, err)
		}
	}
	for _, n := range []int{0, 8, 16, 25} {
		if _, err := Unwrap(k, make([]byte, n)); !errors.Is(err, ErrWrapLength) {
			t.Errorf("Unwrap(%d bytes) = %v", n, err)
		}
	}
	for _, n := range []int{0, 15, 20, 33} {
		if _, err := Wrap(make([]byte, n), make([]byte, 16)); !errors.Is(err, ErrKeyLength) {
			t.Errorf("Wrap with a %d-byte KEK = %v", n, err)
		}
		if _, err := Unwrap(make([]byte, n), make([]byte, 24)); !errors.Is(err, ErrKeyLength) {
			t.Errorf("Unwrap with a %d-byte KEK = %v", n, err)
		}
	}
}

// libsrt test/test_cryspr.cpp, UTV_cryspr_aes_ctr: a zero key and a zero IV
// (a zero salt and packet index 0) over 24 ASCII '0' bytes.
func TestAESCTRLibsrtVectors(t *testing.T) {
	for _, tv := range []struct {
		name   string
		keyLen int
		cipher string
	}{
		{"tv1.128", 16, "56D97BE4DFBA1C0BB87CCA69FA041B1E68D2CCFECA4E0051"},
		{"tv1.192", 24, "9AD059A29C8F6293D8C4995EF9003BE7FD0382BAF743C77B"},
		{"tv1.256", 32, "ECA5F0489270B9B99D789224A2B410B7633FBACBF7750689"},
	} {
		t.Run(tv.name, func(t *testing.T) {
			c, err := NewPayloadCipher(handshake.CipherAESCTR, make([]byte, tv.keyLen), make([]byte, SaltSize))
			if err != nil {
				t.Fatal(err)
			}
			hdr := make([]byte, 16)
			plain := []byte(strings.Repeat("0", 24))
			want := unhex(t, tv.cipher)
			got, err := c.Encrypt(hdr, bytes.Clone(plain))
			if err != nil || !bytes.Equal(got, want) {
				t.Fatalf("Encrypt = %X, %v; want %X", got, err, want)
			}
			back, err := c.Decrypt(hdr, got)
			if err != nil || !bytes.Equal(back, plain) {
				t.Fatalf("Decrypt = %q, %v", back, err)
			}
		})
	}
}
