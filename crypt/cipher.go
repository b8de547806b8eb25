package crypt

import (
	"crypto/aes"
	"crypto/cipher"
	"encoding/binary"

	"github.com/srtwire/srtwire/handshake"
	"github.com/srtwire/srtwire/packet"
)

const (
	// TagSize is the length of the AES-GCM authentication tag that follows
	// the ciphertext inside a data packet's payload (HAICRYPT_AUTHTAG_MAX).
	TagSize = 16

	// MaxPayloadSize is the longest payload a PayloadCipher takes: more
	// than any UDP datagram carries, and short enough that the 16-bit
	// block counter of libsrt's AES-CTR never wraps.
	MaxPayloadSize = 1 << 16
)

// rexmitBit is the R (retransmitted) flag in byte 4 of a data header.
const rexmitBit = 0x04

// PayloadCipher encrypts and decrypts the payloads of data packets with one
// stream encrypting key, in place, as libsrt does (crysprFallback_MsEncrypt
// and crysprFallback_MsDecrypt in haicrypt/cryspr.c).
//
// AES-CTR (handshake.CipherAESCTR) XORs the payload with the AES keystream
// of these 16-byte counter blocks (hcrypt_SetCtrIV in haicrypt/hcrypt.h);
// the length does not change:
//
//	  0   1   2   3   4   5   6   7   8   9  10  11  12  13  14  15
//	+---+---+---+---+---+---+---+---+---+---+---+---+---+---+---+---+
//	|                   0                   |sequence number|  ctr  |
//	+---+---+---+---+---+---+---+---+---+---+---+---+---+---+---+---+
//	|                     XOR salt[0:14]                    |       |
//	+---+---+---+---+---+---+---+---+---+---+---+---+---+---+---+---+
//
// where the sequence number is the header's first 4 bytes as on the wire
// (hcryptMsg_SRT_GetPki in haicrypt/hcrypt_xpt_srt.c) and ctr the block
// number, big-endian, from 0.
//
// AES-GCM (handshake.CipherAESGCM) follows the layout of libsrt 1.5.4 and
// later: the 12-byte nonce is (8 zero bytes, the sequence number) XOR
// salt[0:12] (hcrypt_SetGcmIV); the additional data is the 16-byte header
// as on the wire with the R (retransmitted) flag cleared, since a
// retransmission resends the stored ciphertext with R set
// (CUDT::handleSocketPacketReception in srtcore/core.cpp); the 16-byte tag
// follows the ciphertext inside the payload, so the payload grows by
// TagSize. libsrt 1.5.2 and 1.5.3 used another layout, which this package
// does not implement.
//
// The header passed to Encrypt and Decrypt is the data packet's 16-byte
// header as on the wire (the first 16 bytes of the datagram); only its
// first word (CTR) or all of it (GCM) is read, never written.
//
// Encrypt and Decrypt make no allocation (Encrypt with GCM needs TagSize
// bytes of spare capacity after the payload for that).
//
// A PayloadCipher keeps scratch buffers for that, so it is not safe for
// concurrent use: use one per goroutine (NewPayloadCipher is cheap next to
// the key exchange that yields its key).
type PayloadCipher struct {
	mode  handshake.Cipher
	gcm   cipher.AEAD // mode GCM: AES-GCM with 12-byte nonces
	ctr   ctrEngine   // mode CTR
	salt  [SaltSize]byte
	nonce [12]byte
	aad   [packet.HeaderSize]byte
}

// NewPayloadCipher returns the cipher for the data packets of a session
// whose key material names the cipher mode (handshake.CipherAESCTR or
// handshake.CipherAESGCM, else ErrUnsupported) and the salt, with the
// stream encrypting key key (16, 24 or 32 bytes, else ErrKeyLength). It
// copies key and salt.
func NewPayloadCipher(mode handshake.Cipher, key, salt []byte) (*PayloadCipher, error) {
	if !validKeyLen(len(key)) {
		return nil, ErrKeyLength
	}
	if len(salt)%4 != 0 || len(salt) > SaltSize {
		return nil, ErrSaltLength
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	c := &PayloadCipher{mode: mode}
	copy(c.salt[:], salt)
	switch mode {
	case handshake.CipherAESCTR:
		c.ctr.init(block, c.salt[:])
	case handshake.CipherAESGCM:
		if c.gcm, err = cipher.NewGCM(block); err != nil {
			return nil, err
		}
	default:
		return nil, ErrUnsupported
	}
	return c, nil
}

// Mode returns the cipher mode (handshake.CipherAESCTR or CipherAESGCM).
func (c *PayloadCipher) Mode() handshake.Cipher { return c.mode }

// Overhead returns how many bytes encryption adds to a payload: TagSize
// for AES-GCM, 0 for AES-CTR.
func (c *PayloadCipher) Overhead() int {
	if c.mode == handshake.CipherAESGCM {
		return TagSize
	}
	return 0
}

// Decrypt decrypts payload, the payload of the data packet whose header is
// hdr, in place and returns the plaintext: payload itself for AES-CTR, and
// payload without its last TagSize bytes for AES-GCM.
//
// Errors: packet.ErrTruncated when hdr is shorter than 16 bytes or a GCM
// payload is shorter than its tag, packet.ErrWrongType when hdr is a
// control packet's, ErrTooLong, and ErrAuth when the GCM tag does not
// match. After ErrAuth the payload's bytes are unspecified (Go's GCM
// clears them). AES-CTR cannot detect a wrong key; the key material's
// integrity check (ErrBadSecret) is what catches a wrong passphrase.
func (c *PayloadCipher) Decrypt(hdr, payload []byte) ([]byte, error) {
	pki, err := c.check(hdr, payload)
	if err != nil {
		return nil, err
	}
	if c.mode == handshake.CipherAESCTR {
		c.ctr.xorKeyStream(pki, payload)
		return payload, nil
	}
	if len(payload) < TagSize {
		return nil, packet.ErrTruncated
	}
	c.setGCM(pki, hdr)
	out, err := c.gcm.Open(payload[:0], c.nonce[:], payload, c.aad[:])
	if err != nil {
		return nil, ErrAuth
	}
	return out, nil
}

// Encrypt encrypts payload, the payload of the data packet whose header is
// hdr, in place and returns the ciphertext: payload itself for AES-CTR, and
// payload extended by the TagSize-byte tag for AES-GCM. The tag is written
// into payload's spare capacity when it has TagSize bytes of it; otherwise
// Encrypt returns a new slice (and allocates), leaving payload unchanged.
// The header must carry the sequence number and, for GCM, every other field
// as it will be sent (KK included); its R flag is ignored.
//
// Errors: packet.ErrTruncated, packet.ErrWrongType and ErrTooLong, as for
// Decrypt.
func (c *PayloadCipher) Encrypt(hdr, payload []byte) ([]byte, error) {
	pki, err := c.check(hdr, payload)
	if err != nil {
		return nil, err
	}
	if c.mode == handshake.CipherAESCTR {
		c.ctr.xorKeyStream(pki, payload)
		return payload, nil
	}
	c.setGCM(pki, hdr)
	return c.gcm.Seal(payload[:0], c.nonce[:], payload, c.aad[:]), nil
}

// check validates the arguments of Encrypt and Decrypt and returns the
// packet index: the header's first word, which is the sequence number.
func (c *PayloadCipher) check(hdr, payload []byte) (uint32, error) {
	if len(hdr) < packet.HeaderSize {
		return 0, packet.ErrTruncated
	}
	if hdr[0]&0x80 != 0 {
		return 0, packet.ErrWrongType
	}
	if len(payload) > MaxPayloadSize {
		return 0, ErrTooLong
	}
	// hcryptMsg_SRT_GetPki (haicrypt/hcrypt_xpt_srt.c): the first header
	// word, in network order.
	return binary.BigEndian.Uint32(hdr), nil
}

// setGCM fills c.nonce and c.aad for the packet (hcrypt_SetGcmIV, and the
// header words in network order as crysprFallback_MsDecrypt passes them).
func (c *PayloadCipher) setGCM(pki uint32, hdr []byte) {
	copy(c.nonce[:], c.salt[:12])
	binary.BigEndian.PutUint32(c.nonce[8:], binary.BigEndian.Uint32(c.salt[8:12])^pki)
	copy(c.aad[:], hdr[:packet.HeaderSize])
	c.aad[4] &^= rexmitBit
}
