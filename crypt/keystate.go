package crypt

import (
	"bytes"
	"encoding/binary"

	"github.com/srtwire/srtwire/handshake"
	"github.com/srtwire/srtwire/packet"
)

// KeyState is the encryption state of one direction of an SRT connection:
// the session's salt, cipher and key length, its even and odd stream
// encrypting keys, and a PayloadCipher for each. It is what libsrt keeps in
// the two contexts of a HaiCrypt session (haicrypt/hcrypt_ctx_rx.c).
//
// Feed it the key material of its direction:
//
//   - Establish with the KMREQ of a CONCLUSION handshake (or the KMRSP that
//     echoes it). In HSv5 the responder clones the initiator's keys for its
//     own sending direction, so the handshake KMREQ establishes both
//     directions' states.
//   - Refresh with the in-band UMSG_EXT KMREQs (and their KMRSP echoes)
//     that announce new keys, a key refresh. A state that has no session
//     yet (a capture that starts after the handshake) is established by
//     the first one.
//
// Decrypt then picks the key by the data packet's KK flags (1 even, 2 odd),
// so it follows the sender's switch from one key to the other.
//
// # Forged key refresh
//
// Refresh accepts key material only if it unwraps with the session's KEK
// and keeps the session's salt, cipher, authentication, stream
// encapsulation, key length and KEK index, as libsrt's own sender always
// does (hcryptCtx_Tx_Refresh keeps the salt and configuration and makes a
// new key for the context not in use; hcryptCtx_Tx_AsmKM announces it
// together with the current key). It also refuses material that would drop
// a key the session holds, or replace the key of the newest data packet
// seen. A forged or replayed refresh, the attack of CVE-2026-55868, which
// downgrades a session by removing a key or changing its salt or cipher,
// is therefore refused with an error matching ErrRefused, and the state is
// left as it was. libsrt's receiver (hcryptCtx_Rx_ParseKM) would re-derive
// the KEK for a new salt and take the new cipher.
//
// A KeyState is not safe for concurrent use.
type KeyState struct {
	passphrase string
	cache      *KEKCache

	established bool
	kek         []byte // owned by the cache: never modified
	mode        handshake.Cipher
	auth, se    uint8
	keki        uint32
	keyLen      int
	salt        [SaltSize]byte
	saltLen     int
	keys        [2][]byte         // even, odd; nil when absent
	ciphers     [2]*PayloadCipher // even, odd

	inUse  handshake.KeyFlags // KK of the newest packet seen; KeyNone before the first
	newest packet.SeqNumber   // its sequence number
}

// NewKeyState returns an empty state that derives KEKs from passphrase,
// through cache when it is not nil.
func NewKeyState(passphrase string, cache *KEKCache) *KeyState {
	return &KeyState{passphrase: passphrase, cache: cache}
}

// Established reports whether the state holds a session (key material was
// accepted since it was made or Reset).
func (s *KeyState) Established() bool { return s.established }

// Reset forgets the session; the passphrase and cache stay.
func (s *KeyState) Reset() {
	*s = KeyState{passphrase: s.passphrase, cache: s.cache}
}

// Mode returns the session's cipher (handshake.CipherNone before one is
// established).
func (s *KeyState) Mode() handshake.Cipher { return s.mode }

// KeyLen returns the length of the session's keys in bytes (0 before one
// is established).
func (s *KeyState) KeyLen() int { return s.keyLen }

// Salt returns a copy of the session's salt.
func (s *KeyState) Salt() []byte { return bytes.Clone(s.salt[:s.saltLen]) }

// Keys returns which keys the state holds.
func (s *KeyState) Keys() handshake.KeyFlags {
	return Keys{Even: s.keys[0], Odd: s.keys[1]}.Flags()
}

// InUse returns the key flags of the newest data packet (by sequence
// number) that Decrypt or Encrypt processed since the session was
// established, or handshake.KeyNone.
func (s *KeyState) InUse() handshake.KeyFlags { return s.inUse }

// Cipher returns the payload cipher of the even or odd key, or nil when the
// state does not hold that key. The state owns it: do not modify it.
func (s *KeyState) Cipher(k handshake.KeyFlags) *PayloadCipher {
	if k != handshake.KeyEven && k != handshake.KeyOdd {
		return nil
	}
	return s.ciphers[k-1]
}

// Establish starts a session from the key material of a handshake: it
// derives the KEK from the passphrase and km's salt, unwraps the keys, and
// replaces the whole state with km's salt, cipher and keys. Key material
// of the session that carries only keys the state holds (the KMRSP echoing
// the KMREQ, a repeated CONCLUSION after a key refresh) changes nothing.
//
// Errors: ErrUnsupported when libsrt would refuse km (its cipher, auth or
// SE), ErrSaltLength, and those of Open: ErrBadSecret for a wrong
// passphrase, handshake.ErrKMKeyFlags, ErrKeyLength, handshake.ErrKMLength.
// On error the state is unchanged.
func (s *KeyState) Establish(km *handshake.KeyMaterial) error {
	if err := checkKM(km); err != nil {
		return err
	}
	kek, err := s.cache.kek(s.passphrase, km.Salt, km.KeyLen)
	if err != nil {
		return err
	}
	keys, err := Open(kek, km)
	if err != nil {
		return err
	}
	if s.established && s.sameSession(km) && !s.changes(keys)[0] && !s.changes(keys)[1] {
		return nil
	}
	var ciphers [2]*PayloadCipher
	for i, k := range [2][]byte{keys.Even, keys.Odd} {
		if k != nil {
			if ciphers[i], err = NewPayloadCipher(km.Cipher, k, km.Salt); err != nil {
				return err
			}
		}
	}
	var salt [SaltSize]byte
	*s = KeyState{
		passphrase:  s.passphrase,
		cache:       s.cache,
		established: true,
		kek:         kek,
		mode:        km.Cipher,
		auth:        km.Auth,
		se:          km.SE,
		keki:        km.KEKI,
		keyLen:      km.KeyLen,
		saltLen:     copy(salt[:], km.Salt),
		salt:        salt,
		keys:        [2][]byte{keys.Even, keys.Odd},
		ciphers:     ciphers,
	}
	return nil
}

// Refresh applies in-band key material (the CIF of a UMSG_EXT KMREQ or
// KMRSP, see packet.Packet.KeyMaterial) to an established session: it
// unwraps km with the session's KEK and takes the new key it announces.
// Material that carries only keys the session already holds (a KMREQ
// retry, the KMRSP echo) changes nothing. A state with no session is
// established by km instead (see Establish).
//
// Refresh refuses, with an error matching ErrRefused and the state
// unchanged, material that changes the salt (ErrSaltChanged), the cipher,
// authentication, stream encapsulation, key length or KEK index
// (ErrModeChanged), that drops a key the session holds while changing the
// other (ErrKeyDropped), or that replaces the key in use (ErrKeyInUse, see
// InUse). See the type's documentation for why. Other errors are those of
// Establish; ErrBadSecret means km was not wrapped with the session's KEK.
func (s *KeyState) Refresh(km *handshake.KeyMaterial) error {
	if !s.established {
		return s.Establish(km)
	}
	if len(km.Salt) != s.saltLen || !bytes.Equal(km.Salt, s.salt[:s.saltLen]) {
		return ErrSaltChanged
	}
	if !s.sameSession(km) {
		return ErrModeChanged
	}
	keys, err := Open(s.kek, km)
	if err != nil {
		return err
	}
	next := [2][]byte{keys.Even, keys.Odd}
	changed := s.changes(keys)
	if !changed[0] && !changed[1] {
		return nil
	}
	for i, k := range next {
		if k == nil && s.keys[i] != nil {
			return ErrKeyDropped
		}
	}
	if s.inUse != handshake.KeyNone && changed[s.inUse-1] {
		return ErrKeyInUse
	}
	var ciphers [2]*PayloadCipher
	for i, k := range next {
		if changed[i] {
			if ciphers[i], err = NewPayloadCipher(s.mode, k, km.Salt); err != nil {
				return err
			}
		}
	}
	for i := range next {
		if changed[i] {
			s.keys[i], s.ciphers[i] = next[i], ciphers[i]
		}
	}
	return nil
}

// changes reports, for the even and the odd key, whether keys carries it
// with bytes other than the state's.
func (s *KeyState) changes(keys Keys) [2]bool {
	return [2]bool{
		keys.Even != nil && !sameKey(keys.Even, s.keys[0]),
		keys.Odd != nil && !sameKey(keys.Odd, s.keys[1]),
	}
}

// sameSession reports whether km's header fields match the session's.
func (s *KeyState) sameSession(km *handshake.KeyMaterial) bool {
	return km.Cipher == s.mode && km.Auth == s.auth && km.SE == s.se &&
		km.KeyLen == s.keyLen && km.KEKI == s.keki &&
		bytes.Equal(km.Salt, s.salt[:s.saltLen])
}

// checkKM applies the checks of hcryptCtx_Rx_ParseKM that Open does not.
func checkKM(km *handshake.KeyMaterial) error {
	switch {
	case km.Cipher == handshake.CipherAESCTR && km.Auth == 0:
	case km.Cipher == handshake.CipherAESGCM && km.Auth == 1:
	default:
		return ErrUnsupported
	}
	if km.SE != 2 {
		return ErrUnsupported
	}
	if len(km.Salt)%4 != 0 || len(km.Salt) > SaltSize {
		return ErrSaltLength
	}
	return nil
}

// Decrypt decrypts the payload of the data packet whose 16-byte header (as
// on the wire) is hdr, in place, with the key its KK flags name, and
// returns the plaintext (see PayloadCipher.Decrypt). A packet with KK = 0
// is not encrypted: its payload is returned as it is, as libsrt delivers it
// (CCryptoControl::decrypt in srtcore/crypto.cpp); check the header's key
// flags to refuse clear packets.
//
// Errors: ErrNoKey when the state lacks the key (or KK = 3), and those of
// PayloadCipher.Decrypt (packet.ErrTruncated, packet.ErrWrongType,
// ErrTooLong, ErrAuth). It does not allocate.
func (s *KeyState) Decrypt(hdr, payload []byte) ([]byte, error) {
	c, kk, err := s.cipherFor(hdr)
	if c == nil {
		if err != nil {
			return nil, err
		}
		return payload, nil
	}
	out, err := c.Decrypt(hdr, payload)
	if err == nil {
		s.note(hdr, kk)
	}
	return out, err
}

// Encrypt encrypts the payload of the data packet whose header is hdr, in
// place, with the key its KK flags name (see PayloadCipher.Encrypt); KK = 0
// leaves the payload clear. Errors are those of Decrypt.
func (s *KeyState) Encrypt(hdr, payload []byte) ([]byte, error) {
	c, kk, err := s.cipherFor(hdr)
	if c == nil {
		if err != nil {
			return nil, err
		}
		return payload, nil
	}
	out, err := c.Encrypt(hdr, payload)
	if err == nil {
		s.note(hdr, kk)
	}
	return out, err
}

// cipherFor returns the cipher for the packet with header hdr: nil and a nil
// error for a clear packet, nil and an error when there is none.
func (s *KeyState) cipherFor(hdr []byte) (*PayloadCipher, handshake.KeyFlags, error) {
	if len(hdr) < packet.HeaderSize {
		return nil, 0, packet.ErrTruncated
	}
	if hdr[0]&0x80 != 0 {
		return nil, 0, packet.ErrWrongType
	}
	kk := handshake.KeyFlags(hdr[4] >> 3 & 3)
	switch kk {
	case handshake.KeyNone:
		return nil, kk, nil
	case handshake.KeyEven, handshake.KeyOdd:
		if c := s.ciphers[kk-1]; c != nil {
			return c, kk, nil
		}
	}
	return nil, kk, ErrNoKey
}

// note records kk as the key in use if hdr's packet is the newest yet.
func (s *KeyState) note(hdr []byte, kk handshake.KeyFlags) {
	seq := packet.SeqNumber(binary.BigEndian.Uint32(hdr) & uint32(packet.MaxSeqNumber))
	if s.inUse == handshake.KeyNone || s.newest.Less(seq) {
		s.inUse, s.newest = kk, seq
	}
}
