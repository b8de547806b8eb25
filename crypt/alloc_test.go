package crypt

import (
	"testing"

	"github.com/srtwire/srtwire/handshake"
)

// Encrypting and decrypting a payload makes no allocation, on both CTR
// paths, for GCM (given room for the tag), and through a KeyState.
func TestPayloadAllocs(t *testing.T) {
	for _, tc := range []struct {
		name string
		mode handshake.Cipher
		n    int
	}{
		{"ctr_1316", handshake.CipherAESCTR, 1316},
		{"ctr_100", handshake.CipherAESCTR, 100}, // below fastMin: the block loop
		{"gcm_1316", handshake.CipherAESGCM, 1316},
		{"gcm_100", handshake.CipherAESGCM, 100},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sess, km := newSession(t, tc.mode, 16)
			st := NewKeyState(testPass, nil)
			if err := st.Establish(&km); err != nil {
				t.Fatal(err)
			}
			c := st.Cipher(handshake.KeyEven)
			hdr := dataHeader(t, 77, handshake.KeyEven)
			buf := make([]byte, tc.n, tc.n+TagSize)
			ct, err := c.Encrypt(hdr, buf)
			if err != nil {
				t.Fatal(err)
			}
			ct = append([]byte(nil), ct...)
			work := make([]byte, len(ct), len(ct)+TagSize)
			for _, op := range []struct {
				name string
				f    func()
			}{
				{"Encrypt", func() { c.Encrypt(hdr, buf[:tc.n]) }},
				{"Decrypt", func() { copy(work, ct); c.Decrypt(hdr, work) }},
				{"KeyState.Encrypt", func() { st.Encrypt(hdr, buf[:tc.n]) }},
				{"KeyState.Decrypt", func() {
					copy(work, ct)
					if _, err := st.Decrypt(hdr, work); err != nil {
						t.Fatal(err)
					}
				}},
			} {
				if n := testing.AllocsPerRun(100, op.f); n != 0 {
					t.Errorf("%s: %v allocations per call", op.name, n)
				}
			}
			_ = sess
		})
	}
}
