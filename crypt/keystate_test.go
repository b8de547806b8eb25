package crypt

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"testing"

	"github.com/srtwire/srtwire/handshake"
	"github.com/srtwire/srtwire/packet"
)

const testPass = "test-passphrase-1"

// seeded returns a deterministic source of "random" bytes.
func seeded(seed byte) *rand.ChaCha8 {
	var s [32]byte
	s[0] = seed
	return rand.NewChaCha8(s)
}

// dataHeader returns the 16-byte header of a data packet.
func dataHeader(t testing.TB, seq uint32, kk handshake.KeyFlags) []byte {
	t.Helper()
	h := packet.Header{Seq: packet.SeqNumber(seq), Position: packet.PositionSolo, Key: kk, MsgNo: 1, Timestamp: 1234, DstSocket: 0x2697c31d}
	b, err := h.AppendBinary(nil)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// session is a sender's view of a session: its salt, KEK and keys.
type session struct {
	salt, kek []byte
	mode      handshake.Cipher
	even, odd [][]byte // every key made, by generation
	rnd       *rand.ChaCha8
}

func newSession(t testing.TB, mode handshake.Cipher, keyLen int) (*session, handshake.KeyMaterial) {
	t.Helper()
	s := &session{mode: mode, rnd: seeded(byte(mode) + byte(keyLen))}
	keys, err := NewKeys(s.rnd, keyLen, handshake.KeyEven)
	if err != nil {
		t.Fatal(err)
	}
	km, err := SealPassphrase(s.rnd, testPass, keys, mode)
	if err != nil {
		t.Fatal(err)
	}
	s.salt = km.Salt
	if s.kek, err = DeriveKEK(testPass, s.salt, keyLen); err != nil {
		t.Fatal(err)
	}
	s.even = append(s.even, keys.Even)
	return s, km
}

// newKey makes a fresh key of the session's length.
func (s *session) newKey(t testing.TB) []byte {
	k, err := NewKeys(s.rnd, len(s.kek), handshake.KeyEven)
	if err != nil {
		t.Fatal(err)
	}
	return k.Even
}

// seal wraps keys with the session's KEK and salt.
func (s *session) seal(t testing.TB, keys Keys) *handshake.KeyMaterial {
	t.Helper()
	km, err := Seal(s.kek, s.salt, keys, s.mode)
	if err != nil {
		t.Fatal(err)
	}
	return &km
}

// snapshot captures everything observable about a KeyState.
type snapshot struct {
	established bool
	mode        handshake.Cipher
	keyLen      int
	salt        string
	keys        handshake.KeyFlags
	even, odd   string
	ciphers     [2]*PayloadCipher
	inUse       handshake.KeyFlags
}

func snap(s *KeyState) snapshot {
	return snapshot{s.Established(), s.Mode(), s.KeyLen(), string(s.Salt()), s.Keys(),
		string(s.keys[0]), string(s.keys[1]), [2]*PayloadCipher{s.Cipher(handshake.KeyEven), s.Cipher(handshake.KeyOdd)}, s.InUse()}
}

// roundTrip encrypts a payload with key under the session's salt and checks
// that st decrypts it, with the header's KK naming kk.
func roundTrip(t *testing.T, st *KeyState, sess *session, key []byte, seq uint32, kk handshake.KeyFlags) error {
	t.Helper()
	ok, err := tryRoundTrip(t, st, sess, key, seq, kk)
	if err == nil && !ok {
		t.Fatalf("seq %d kk %v: decrypted to garbage", seq, kk)
	}
	return err
}

// tryRoundTrip is roundTrip reporting a wrong plaintext instead of failing.
func tryRoundTrip(t *testing.T, st *KeyState, sess *session, key []byte, seq uint32, kk handshake.KeyFlags) (bool, error) {
	t.Helper()
	c, err := NewPayloadCipher(sess.mode, key, sess.salt)
	if err != nil {
		t.Fatal(err)
	}
	hdr := dataHeader(t, seq, kk)
	plain := bytes.Repeat([]byte("SRT payload "), 30)
	ct, err := c.Encrypt(hdr, append(bytes.Clone(plain), make([]byte, TagSize)...)[:len(plain)])
	if err != nil {
		t.Fatal(err)
	}
	pt, err := st.Decrypt(hdr, ct)
	if err != nil {
		return false, err
	}
	return bytes.Equal(pt, plain), nil
}

func TestKeyStateRefreshFollowsTheSwitch(t *testing.T) {
	for _, mode := range []handshake.Cipher{handshake.CipherAESCTR, handshake.CipherAESGCM} {
		t.Run(mode.String(), func(t *testing.T) {
			sess, km := newSession(t, mode, 16)
			st := NewKeyState(testPass, nil)
			if err := st.Establish(&km); err != nil {
				t.Fatal(err)
			}
			// The KMRSP echo of the handshake changes nothing.
			before := snap(st)
			if err := st.Establish(&km); err != nil || snap(st) != before {
				t.Fatalf("echo: %v, state changed: %v", err, snap(st) != before)
			}
			e1 := sess.even[0]
			seq := uint32(1000)
			must := func(key []byte, kk handshake.KeyFlags) {
				t.Helper()
				if err := roundTrip(t, st, sess, key, seq, kk); err != nil {
					t.Fatalf("seq %d: %v", seq, err)
				}
				seq++
			}
			must(e1, handshake.KeyEven)
			if err := roundTrip(t, st, sess, e1, seq, handshake.KeyOdd); !errors.Is(err, ErrNoKey) {
				t.Fatalf("odd key before its announcement: %v", err)
			}
			// Pre-announce O1 with E1; switch; pre-announce E2 with O1; switch.
			o1 := sess.newKey(t)
			if err := st.Refresh(sess.seal(t, Keys{Even: e1, Odd: o1})); err != nil {
				t.Fatal(err)
			}
			if st.Keys() != handshake.KeyBoth || st.InUse() != handshake.KeyEven {
				t.Fatalf("keys %v in use %v", st.Keys(), st.InUse())
			}
			must(e1, handshake.KeyEven)
			must(o1, handshake.KeyOdd)
			if st.InUse() != handshake.KeyOdd {
				t.Fatalf("in use %v", st.InUse())
			}
			// A late retransmission with the old key still decrypts and does
			// not move the key in use back.
			if err := roundTrip(t, st, sess, e1, seq-2, handshake.KeyEven); err != nil || st.InUse() != handshake.KeyOdd {
				t.Fatalf("late even packet: %v, in use %v", err, st.InUse())
			}
			e2 := sess.newKey(t)
			km2 := sess.seal(t, Keys{Even: e2, Odd: o1})
			if err := st.Refresh(km2); err != nil {
				t.Fatal(err)
			}
			// Its retry and KMRSP echo change nothing.
			before = snap(st)
			if err := st.Refresh(km2); err != nil || snap(st) != before {
				t.Fatalf("retry: %v", err)
			}
			must(o1, handshake.KeyOdd)
			// Handshake key material that carries only held keys (a
			// repeated CONCLUSION) changes nothing.
			before = snap(st)
			if err := st.Establish(sess.seal(t, Keys{Odd: o1})); err != nil || snap(st) != before {
				t.Fatalf("repeated handshake KM with a held key: %v", err)
			}
			must(e2, handshake.KeyEven)
			// CTR has no tag: the retired key yields garbage; GCM refuses.
			if ok, err := tryRoundTrip(t, st, sess, e1, seq, handshake.KeyEven); ok || (mode == handshake.CipherAESGCM) != errors.Is(err, ErrAuth) {
				t.Fatalf("the retired even key: %v, %v", ok, err)
			}
		})
	}
}

// Forged in-band key material is refused and leaves the state as it was.
func TestKeyStateRefusesForgedRefresh(t *testing.T) {
	sess, km := newSession(t, handshake.CipherAESGCM, 16)
	st := NewKeyState(testPass, nil)
	if err := st.Establish(&km); err != nil {
		t.Fatal(err)
	}
	e1, o1 := sess.even[0], sess.newKey(t)
	if err := st.Refresh(sess.seal(t, Keys{Even: e1, Odd: o1})); err != nil {
		t.Fatal(err)
	}
	if err := roundTrip(t, st, sess, e1, 500, handshake.KeyEven); err != nil {
		t.Fatal(err)
	}
	newSalt := bytes.Repeat([]byte{0x5a}, SaltSize)
	kekNewSalt, err := DeriveKEK(testPass, newSalt, 16)
	if err != nil {
		t.Fatal(err)
	}
	otherKEK, err := DeriveKEK("another-passphrase", sess.salt, 16)
	if err != nil {
		t.Fatal(err)
	}
	x1, x2 := sess.newKey(t), sess.newKey(t)
	sealWith := func(kek, salt []byte, keys Keys, mode handshake.Cipher) *handshake.KeyMaterial {
		km, err := Seal(kek, salt, keys, mode)
		if err != nil {
			t.Fatal(err)
		}
		return &km
	}
	key24 := append(bytes.Clone(x1), x2[:8]...)
	kek24, err := DeriveKEK(testPass, sess.salt, 24)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		km   *handshake.KeyMaterial
		want error
	}{
		{"new salt, valid for it", sealWith(kekNewSalt, newSalt, Keys{Even: e1, Odd: x1}, sess.mode), ErrSaltChanged},
		{"shorter salt", sealWith(sess.kek, sess.salt[:12], Keys{Even: e1, Odd: x1}, sess.mode), ErrSaltChanged},
		{"another KEK", sealWith(otherKEK, sess.salt, Keys{Even: e1, Odd: x1}, sess.mode), ErrBadSecret},
		{"downgrade to CTR", sealWith(sess.kek, sess.salt, Keys{Even: e1, Odd: x1}, handshake.CipherAESCTR), ErrModeChanged},
		{"AES-192 keys", sealWith(kek24, sess.salt, Keys{Even: key24}, sess.mode), ErrModeChanged},
		{"drops the odd key", sess.seal(t, Keys{Even: x1}), ErrKeyDropped},
		{"drops the even key", sess.seal(t, Keys{Odd: x1}), ErrKeyDropped},
		{"replaces the key in use", sess.seal(t, Keys{Even: x1, Odd: o1}), ErrKeyInUse},
		{"replaces both keys", sess.seal(t, Keys{Even: x1, Odd: x2}), ErrKeyInUse},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := snap(st)
			err := st.Refresh(tc.km)
			if !errors.Is(err, tc.want) {
				t.Fatalf("Refresh = %v, want %v", err, tc.want)
			}
			if errors.Is(tc.want, ErrRefused) != errors.Is(err, ErrRefused) {
				t.Fatalf("%v matches ErrRefused: %v", err, errors.Is(err, ErrRefused))
			}
			if snap(st) != before {
				t.Fatal("state changed")
			}
			// Both keys still work, and the even key stays in use.
			if err := roundTrip(t, st, sess, o1, 499, handshake.KeyOdd); err != nil {
				t.Fatal(err)
			}
			if err := roundTrip(t, st, sess, e1, 500, handshake.KeyEven); err != nil || st.InUse() != handshake.KeyEven {
				t.Fatal(err, st.InUse())
			}
		})
	}
	// A one-key message that only repeats a held key (the handshake KM,
	// replayed) is harmless and accepted.
	before := snap(st)
	if err := st.Refresh(&km); err != nil || snap(st) != before {
		t.Fatalf("replayed handshake KM: %v", err)
	}
	// A real refresh is accepted once the odd key is in use: the even one
	// may be replaced then.
	if err := roundTrip(t, st, sess, o1, 501, handshake.KeyOdd); err != nil {
		t.Fatal(err)
	}
	if err := st.Refresh(sess.seal(t, Keys{Even: x1, Odd: o1})); err != nil {
		t.Fatal(err)
	}
	if err := roundTrip(t, st, sess, x1, 502, handshake.KeyEven); err != nil {
		t.Fatal(err)
	}
}

// A state with no session takes the first in-band key material (a capture
// that starts after the handshake); a handshake starts a new session.
func TestKeyStateEstablish(t *testing.T) {
	sess, km := newSession(t, handshake.CipherAESCTR, 32)
	st := NewKeyState(testPass, NewKEKCache(1))
	if err := st.Refresh(&km); err != nil || !st.Established() || st.KeyLen() != 32 || st.Mode() != handshake.CipherAESCTR {
		t.Fatalf("Refresh on an empty state: %v", err)
	}
	if !bytes.Equal(st.Salt(), sess.salt) {
		t.Fatal("salt")
	}
	other, km2 := newSession(t, handshake.CipherAESGCM, 16)
	if err := st.Establish(&km2); err != nil || st.Mode() != handshake.CipherAESGCM || st.KeyLen() != 16 {
		t.Fatalf("new handshake: %v", err)
	}
	if err := roundTrip(t, st, other, other.even[0], 7, handshake.KeyEven); err != nil {
		t.Fatal(err)
	}
	before := snap(st)
	for _, bad := range []handshake.KeyMaterial{
		func() handshake.KeyMaterial { k := km; k.Cipher = handshake.CipherAESCBC; return k }(),
		func() handshake.KeyMaterial { k := km; k.Auth = 1; return k }(),
		func() handshake.KeyMaterial { k := km; k.SE = 1; return k }(),
		func() handshake.KeyMaterial { k := km2; k.Cipher, k.Auth = handshake.CipherAESCTR, 1; return k }(),
	} {
		if err := st.Establish(&bad); !errors.Is(err, ErrUnsupported) || snap(st) != before {
			t.Errorf("cipher %v auth %d SE %d: %v", bad.Cipher, bad.Auth, bad.SE, err)
		}
	}
	st.Reset()
	if st.Established() || st.Keys() != 0 || st.Cipher(handshake.KeyEven) != nil {
		t.Fatal("Reset")
	}
	if err := st.Establish(&km); err != nil {
		t.Fatal("Establish after Reset:", err)
	}
}

func TestKeyStateDecryptErrors(t *testing.T) {
	sess, km := newSession(t, handshake.CipherAESCTR, 16)
	st := NewKeyState(testPass, nil)
	payload := []byte("clear text")
	if _, err := st.Decrypt(dataHeader(t, 1, handshake.KeyEven), payload); !errors.Is(err, ErrNoKey) {
		t.Fatalf("before any key material: %v", err)
	}
	if err := st.Establish(&km); err != nil {
		t.Fatal(err)
	}
	if pt, err := st.Decrypt(dataHeader(t, 1, handshake.KeyNone), payload); err != nil || string(pt) != "clear text" {
		t.Fatalf("clear packet: %q, %v", pt, err)
	}
	if pt, err := st.Encrypt(dataHeader(t, 1, handshake.KeyNone), payload); err != nil || string(pt) != "clear text" {
		t.Fatalf("clear packet: %q, %v", pt, err)
	}
	for _, tc := range []struct {
		name string
		hdr  []byte
		want error
	}{
		{"KK=3", dataHeader(t, 1, handshake.KeyBoth), ErrNoKey},
		{"odd key not held", dataHeader(t, 1, handshake.KeyOdd), ErrNoKey},
		{"short header", dataHeader(t, 1, handshake.KeyEven)[:15], packet.ErrTruncated},
		{"control packet", []byte{0x80, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, packet.ErrWrongType},
	} {
		if _, err := st.Decrypt(tc.hdr, payload); !errors.Is(err, tc.want) {
			t.Errorf("Decrypt %s: %v, want %v", tc.name, err, tc.want)
		}
		if _, err := st.Encrypt(tc.hdr, payload); !errors.Is(err, tc.want) {
			t.Errorf("Encrypt %s: %v, want %v", tc.name, err, tc.want)
		}
	}
	if string(payload) != "clear text" {
		t.Fatal("payload modified by a failed call")
	}
	if st.Cipher(handshake.KeyBoth) != nil || st.Cipher(handshake.KeyEven) == nil {
		t.Fatal("Cipher")
	}
	_ = sess
}
