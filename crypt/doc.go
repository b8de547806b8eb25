// Package crypt implements SRT payload encryption as libsrt's haicrypt
// does it: the key encrypting key (KEK) derived from a passphrase, the
// RFC 3394 wrap of the stream encrypting keys (SEKs) in a key-material
// message, AES-CTR and AES-GCM encryption of data payloads in place, and
// the per-direction key state that follows a key refresh.
//
// It uses the standard library only, and the types of packages handshake
// (the key-material message, handshake.KeyMaterial) and packet (the data
// header).
//
// # Keys
//
// The KEK is PBKDF2-HMAC-SHA1 of the passphrase, with the last 8 bytes of
// the key material's salt, 2048 iterations and the SEK's length
// (hcryptCtx_GenSecret in haicrypt/hcrypt_sa.c): DeriveKEK. A derivation
// takes about a millisecond; KEKCache remembers them, keyed by passphrase,
// those 8 salt bytes and the key length, and holds at most its capacity
// (DefaultKEKCacheSize, 64, unless chosen) of them, evicting the least
// recently used. Every key refresh keeps the salt, so a session pays for
// PBKDF2 once.
//
// The key material carries the SEKs wrapped with the KEK by RFC 3394 with
// the default initial value A6A6A6A6A6A6A6A6 (crysprFallback_AES_WrapKey
// and crysprFallback_AES_UnwrapKey in haicrypt/cryspr.c): Wrap and Unwrap.
// Two keys (KK = 3) are wrapped as one plaintext, even key first
// (hcryptCtx_Tx_AsmKM in haicrypt/hcrypt_ctx_tx.c). A failed integrity check
// is how libsrt detects a wrong passphrase (hcryptCtx_Rx_ParseKM in
// haicrypt/hcrypt_ctx_rx.c); here it is ErrBadSecret, and no key is
// returned. Open unwraps a handshake.KeyMaterial; Seal and SealPassphrase
// build one with the field values libsrt writes (version 1, packet type 2,
// sign 0x2029, KEKI 0, SE 2, auth 1 for GCM and 0 for CTR, a 16-byte salt),
// so that libsrt accepts it: sealing the keys of a message libsrt wrote, with
// its salt and KEK, reproduces that message byte for byte.
//
// # Payloads
//
// A PayloadCipher holds one SEK (its cipher.Block and cipher.AEAD are made
// once) and encrypts or decrypts one data payload in place, given the
// packet's 16-byte header as on the wire, without allocating:
//
//   - AES-CTR (cipher 2): the counter block is salt[0:14] XOR (10 zero bytes,
//     the header's first word, the sequence number, as on the wire), then a
//     16-bit block counter from 0 (hcrypt_SetCtrIV in haicrypt/hcrypt.h).
//     Only the sequence number feeds it. The length does not change.
//   - AES-GCM (cipher 4, auth 1), in libsrt 1.5.4's layout: the 12-byte nonce
//     is salt[0:12] XOR (8 zero bytes, the header's first word)
//     (hcrypt_SetGcmIV); the additional data is the 16-byte header as on the
//     wire (crysprFallback_MsEncrypt and crysprFallback_MsDecrypt in
//     haicrypt/cryspr.c) with the R (retransmitted) flag cleared, as libsrt's
//     receiver clears it before decrypting
//     (CUDT::handleSocketPacketReception in srtcore/core.cpp); the 16-byte
//     tag follows the ciphertext inside the payload. libsrt 1.5.2 and 1.5.3
//     used another layout, selected by the peer's version in libsrt 1.5.4
//     (use_gcm_153); it is not implemented.
//
// AES-GCM is verified against an independent implementation only (the
// Python cryptography package's AESGCM, in the test behind the build tag
// interop), on vectors built by the layout above: libsrt builds with
// AES-GCM (ENABLE_AEAD_API_PREVIEW) were not available to make captures.
// AES-CTR is verified on real libsrt captures and on libsrt's own test
// vectors (test/test_cryspr.cpp).
//
// cipher.NewCTR allocates, so the AES-CTR keystream is made from the
// standard library's AES-GCM assembly instead, with nonces computed so that
// GCM's counter runs over libsrt's counter blocks; see ctrEngine in ctr.go.
//
// # Key state and key refresh
//
// A KeyState is one direction of a connection: the session's salt, cipher
// and keys. Establish takes the key material of a handshake (KMREQ, or the
// KMRSP echoing it), Refresh the in-band UMSG_EXT KMREQs and KMRSPs of a key
// refresh (hcryptCtx_Tx_ManageKM: the sender announces a new key together
// with the current one, switches the data packets' KK flags to it, then
// retires the old one). Decrypt picks the key by the packet's KK flags
// (1 even, 2 odd) and so follows the switch; a packet whose key is not held
// gets ErrNoKey, never garbage.
//
// Refresh accepts in-band key material only if it unwraps with the session's
// KEK and keeps the session's salt, cipher and key length, and if it neither
// drops a key the session holds nor replaces the key in use. A forged or
// replayed refresh (CVE-2026-55868: a key-material message that removes a
// key, or changes the salt or cipher, to downgrade a session) is refused with
// an error matching ErrRefused, and the state stays as it was.
//
// # Concurrency
//
// DeriveKEK, Wrap, Unwrap, Open, OpenPassphrase, Seal, SealPassphrase and
// NewKeys keep no state and are safe for concurrent use. A KEKCache is safe
// for concurrent use. A PayloadCipher keeps scratch buffers (that is how it
// avoids allocating) and a KeyState keeps the session, so neither is safe for
// concurrent use: give each goroutine its own.
//
// # Errors
//
// Errors are the exported sentinels, returned unwrapped; compare them with
// errors.Is. Where packages packet and handshake already name a fault, their
// sentinels are used (packet.ErrTruncated, packet.ErrWrongType,
// handshake.ErrKMKeyFlags, handshake.ErrKMLength).
package crypt
