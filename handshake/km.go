package handshake

import (
	"encoding/binary"
	"strconv"

	"github.com/srtwire/srtwire/internal/clone"
)

// Key-material message constants (haicrypt hcrypt_msg.h).
const (
	// KMSign is the key-material signature, "HAI" as a PnP vendor ID.
	KMSign = 0x2029
	// KMHeaderSize is the size of the key-material header before the salt.
	KMHeaderSize = 16
	// KMMaxSize is the largest key-material message (HCRYPT_MSG_KM_MAX_SZ):
	// a 16-byte salt and two 32-byte keys. libsrt uses the same value as the
	// largest CIF it accepts in a UMSG_EXT HSREQ, HSRSP, KMREQ or KMRSP
	// packet (SRT_CMD_MAXSZ in srtcore/core.h).
	KMMaxSize = 104
	// KMStateSize is the length of the KMRSP that reports a key-material
	// state instead of echoing key material (see IsKMState).
	KMStateSize = 4
	// kmICVSize is the size of the AES key-wrap integrity check value.
	kmICVSize = 8
)

// KeyFlags says which stream encrypting keys (SEK) a message carries or a
// data packet uses: the KK field.
type KeyFlags uint8

// Key flag values. In a data packet's header only KeyNone, KeyEven and
// KeyOdd are valid (libsrt EncryptionKeySpec); KeyBoth appears in
// key-material messages at key refresh.
const (
	KeyNone KeyFlags = 0 // no key: the payload is not encrypted
	KeyEven KeyFlags = 1 // the even key
	KeyOdd  KeyFlags = 2 // the odd key
	KeyBoth KeyFlags = 3 // both keys (a key-material message at key refresh)
)

// String returns "even", "odd", "both" or "none".
func (k KeyFlags) String() string {
	switch k {
	case KeyEven:
		return "even"
	case KeyOdd:
		return "odd"
	case KeyBoth:
		return "both"
	}
	return "none"
}

// Count returns how many keys the flags name (0, 1 or 2).
func (k KeyFlags) Count() int { return int(k&1) + int(k>>1&1) }

// Cipher is the key-material cipher field.
type Cipher uint8

// Cipher values (HCRYPT_CIPHER_*).
const (
	CipherNone   Cipher = 0
	CipherAESECB Cipher = 1 // reserved
	CipherAESCTR Cipher = 2
	CipherAESCBC Cipher = 3 // reserved
	CipherAESGCM Cipher = 4 // libsrt >= 1.5.2 with ENABLE_AEAD_API_PREVIEW
)

var cipherNames = [...]string{"none", "AES-ECB", "AES-CTR", "AES-CBC", "AES-GCM"}

// String returns the cipher's name ("AES-CTR"), or "Cipher(n)".
func (c Cipher) String() string {
	if int(c) < len(cipherNames) {
		return cipherNames[c]
	}
	return "Cipher(" + strconv.Itoa(int(c)) + ")"
}

// KeyMaterial is a decoded key-material (KM) message: the content of a
// KMREQ/KMRSP extension block and the CIF of the UMSG_EXT KMREQ/KMRSP
// subtypes. Salt and WrappedKeys are views into the decoded input.
type KeyMaterial struct {
	Version    uint8    // 1
	PacketType uint8    // 2 (KM)
	Sign       uint16   // KMSign
	Keys       KeyFlags // KK: which keys are wrapped
	KEKI       uint32   // key encrypting key index, 0 = default
	Cipher     Cipher
	Auth       uint8 // 0 none (CTR), 1 AES-GCM
	SE         uint8 // stream encapsulation, 2 = MPEG-TS/SRT
	Resv1      uint8 // the 6 reserved bits of byte 3
	Resv2      uint8
	Resv3      uint16
	SaltLen    int    // salt length in bytes
	KeyLen     int    // length of one key in bytes (16, 24 or 32)
	Salt       []byte // SaltLen bytes
	// WrappedKeys is the RFC 3394 wrap of the key(s): an 8-byte integrity
	// check value followed by the even key, then the odd key.
	WrappedKeys []byte
}

// KMLen returns the exact length of a key-material message with the given
// salt length, key length and key flags: 16 + salt + 8 + n*key.
func KMLen(saltLen, keyLen int, keys KeyFlags) int {
	return KMHeaderSize + saltLen + kmICVSize + keys.Count()*keyLen
}

// Decode decodes a key-material message. Like libsrt's receiver, it
// requires version 1, packet type 2, the 0x2029 signature, KK != 0, a salt
// of at most 16 bytes, a key length of 16, 24 or 32, and a total length of
// exactly KMLen. Errors: ErrTruncated, ErrNotKM, ErrKMKeyFlags, ErrKMLength.
// The header fields decoded before a fault stay set.
func (k *KeyMaterial) Decode(b []byte) error {
	*k = KeyMaterial{}
	if len(b) < KMHeaderSize {
		return ErrTruncated
	}
	k.Version = b[0] >> 4 & 0x7
	k.PacketType = b[0] & 0xF
	k.Sign = binary.BigEndian.Uint16(b[1:])
	k.Resv1 = b[3] >> 2
	k.Keys = KeyFlags(b[3] & 3)
	k.KEKI = binary.BigEndian.Uint32(b[4:])
	k.Cipher = Cipher(b[8])
	k.Auth = b[9]
	k.SE = b[10]
	k.Resv2 = b[11]
	k.Resv3 = binary.BigEndian.Uint16(b[12:])
	k.SaltLen = int(b[14]) * 4
	k.KeyLen = int(b[15]) * 4
	if b[0]&0x80 != 0 || k.Version != 1 || k.PacketType != 2 || k.Sign != KMSign {
		return ErrNotKM
	}
	if k.Keys == 0 {
		return ErrKMKeyFlags
	}
	if k.SaltLen > 16 || (k.KeyLen != 16 && k.KeyLen != 24 && k.KeyLen != 32) {
		return ErrKMLength
	}
	n := KMLen(k.SaltLen, k.KeyLen, k.Keys)
	if len(b) != n {
		if len(b) < n {
			return ErrTruncated
		}
		return ErrKMLength
	}
	k.Salt = b[KMHeaderSize : KMHeaderSize+k.SaltLen : KMHeaderSize+k.SaltLen]
	k.WrappedKeys = b[KMHeaderSize+k.SaltLen : n : n]
	return nil
}

// MarshalSize returns the encoded length: KMLen of the salt, key length and
// key flags (len(Salt) and len(WrappedKeys) are what is written).
func (k *KeyMaterial) MarshalSize() int { return KMHeaderSize + len(k.Salt) + len(k.WrappedKeys) }

// AppendBinary appends the encoded message to b. Version, PacketType and
// Sign are written as 1, 2 and 0x2029 when left zero. It returns
// ErrKMLength when the salt or wrapped keys do not match SaltLen, KeyLen
// and Keys.
func (k *KeyMaterial) AppendBinary(b []byte) ([]byte, error) {
	ver, pt, sign := k.Version, k.PacketType, k.Sign
	if ver == 0 {
		ver = 1
	}
	if pt == 0 {
		pt = 2
	}
	if sign == 0 {
		sign = KMSign
	}
	if len(k.Salt) != k.SaltLen || k.SaltLen%4 != 0 || k.SaltLen > 16 || k.KeyLen%4 != 0 || k.KeyLen > 255*4 ||
		len(k.WrappedKeys) != kmICVSize+k.Keys.Count()*k.KeyLen {
		return b, ErrKMLength
	}
	b = append(b, ver&7<<4|pt&0xF)
	b = binary.BigEndian.AppendUint16(b, sign)
	b = append(b, k.Resv1<<2|uint8(k.Keys&3))
	b = binary.BigEndian.AppendUint32(b, k.KEKI)
	b = append(b, uint8(k.Cipher), k.Auth, k.SE, k.Resv2)
	b = binary.BigEndian.AppendUint16(b, k.Resv3)
	b = append(b, uint8(k.SaltLen/4), uint8(k.KeyLen/4))
	b = append(b, k.Salt...)
	return append(b, k.WrappedKeys...), nil
}

// KeyBits returns the AES key size in bits (128, 192, 256).
func (k *KeyMaterial) KeyBits() int { return k.KeyLen * 8 }

// KMState is the key-material state a KMRSP reports when it carries no key
// material (SRT_KM_S_*).
type KMState uint32

// Key-material states.
const (
	KMUnsecured     KMState = 0 // no encryption on one side
	KMSecuring      KMState = 1
	KMSecured       KMState = 2
	KMNoSecret      KMState = 3 // the peer has no passphrase
	KMBadSecret     KMState = 4 // the passphrases differ
	KMBadCryptoMode KMState = 5 // cipher modes differ (libsrt >= 1.5.2, AEAD builds)
)

var kmStateNames = [...]string{"UNSECURED", "SECURING", "SECURED", "NOSECRET", "BADSECRET", "BADCRYPTOMODE"}

// String returns the state's libsrt name without the SRT_KM_S_ prefix.
func (s KMState) String() string {
	if int(s) < len(kmStateNames) {
		return kmStateNames[s]
	}
	return "KMState(" + strconv.FormatUint(uint64(s), 10) + ")"
}

// DecodeKMState decodes the 4-byte KM state of a failed KMRSP. libsrt on
// little-endian hosts writes it little-endian (BADSECRET = 04 00 00 00),
// while Wireshark reads it big-endian. DecodeKMState reads it little-endian
// and falls back to big-endian when only that reading is a known state.
// It returns ErrTruncated when b is shorter than 4 bytes.
func DecodeKMState(b []byte) (KMState, error) {
	if len(b) < 4 {
		return 0, ErrTruncated
	}
	le := KMState(binary.LittleEndian.Uint32(b))
	if le > KMBadCryptoMode {
		if be := KMState(binary.BigEndian.Uint32(b)); be <= KMBadCryptoMode {
			return be, nil
		}
	}
	return le, nil
}

// IsKMState reports whether the content of a KMRSP extension block, or the
// CIF of a UMSG_EXT KMRSP packet, is a one-word key-material state (libsrt
// answers a KMREQ it cannot use with its SRT_KM_S_* state alone, see
// srtcore/crypto.cpp CCryptoControl::processSrtMsg_KMREQ) rather than the
// echoed key material. This is the one place that rule is written.
func IsKMState(v []byte) bool { return len(v) == KMStateSize }

// AppendKMState appends s as libsrt writes it: little-endian.
func AppendKMState(b []byte, s KMState) []byte { return binary.LittleEndian.AppendUint32(b, uint32(s)) }

// Clone returns a deep copy of k whose Salt and WrappedKeys do not alias
// the decoded input. Like every Clone of srtwire it makes one allocation
// for all the slices; nil slices stay nil and empty ones stay empty.
func (k *KeyMaterial) Clone() KeyMaterial {
	c := *k
	buf := make([]byte, 0, len(k.Salt)+len(k.WrappedKeys))
	c.Salt = clone.Into(&buf, k.Salt)
	c.WrappedKeys = clone.Into(&buf, k.WrappedKeys)
	return c
}
