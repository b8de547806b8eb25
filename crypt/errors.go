package crypt

import "errors"

// Sentinel errors. They are returned unwrapped; compare with errors.Is.
// Malformed input that packages packet and handshake already name is
// reported with their sentinels: packet.ErrTruncated (a header shorter than
// 16 bytes, a GCM payload shorter than its tag), packet.ErrWrongType (a
// control packet's header given to a decryptor), handshake.ErrKMKeyFlags
// and handshake.ErrKMLength (key material that names no key, or whose
// wrapped keys do not match its key length).
var (
	// ErrBadSecret reports that the RFC 3394 integrity check failed when
	// unwrapping keys: the passphrase (or KEK) is not the one the key
	// material was sealed with, or the wrapped keys were altered. It is
	// how libsrt detects a wrong passphrase (hcryptCtx_Rx_ParseKM returns
	// -2, and the peer answers with the KM state BADSECRET).
	ErrBadSecret = errors.New("crypt: key unwrap failed: wrong passphrase or KEK")

	// ErrKeyLength reports a stream or key encrypting key that is not 16,
	// 24 or 32 bytes long.
	ErrKeyLength = errors.New("crypt: key length must be 16, 24 or 32 bytes")

	// ErrWrapLength reports input to Wrap or Unwrap whose length is not a
	// multiple of 8 bytes, or is shorter than RFC 3394 allows (16 bytes to
	// wrap, 24 to unwrap).
	ErrWrapLength = errors.New("crypt: bad key wrap length")

	// ErrSaltLength reports a salt longer than 16 bytes or whose length is
	// not a multiple of 4 (the key material stores it as SLen/4).
	ErrSaltLength = errors.New("crypt: salt must be a multiple of 4 bytes, at most 16")

	// ErrUnsupported reports key material or a cipher choice libsrt would
	// not accept: a cipher other than AES-CTR (2) or AES-GCM (4), an
	// authentication field that does not match it (0 for CTR, 1 for GCM),
	// or a stream encapsulation other than 2 (MPEG-TS/SRT).
	ErrUnsupported = errors.New("crypt: unsupported cipher, authentication or stream encapsulation")

	// ErrNoKey reports a data packet whose KK flags name a key that is not
	// held: no key material has been accepted yet, the peer switched to a
	// key that was never announced, or KK = 3, which names no single key.
	ErrNoKey = errors.New("crypt: no key for the packet's key flags")

	// ErrAuth reports an AES-GCM payload whose authentication tag does not
	// match: the payload or its header was altered, or the key is wrong.
	ErrAuth = errors.New("crypt: GCM authentication failed")

	// ErrTooLong reports a payload longer than MaxPayloadSize.
	ErrTooLong = errors.New("crypt: payload too long")

	// ErrPassphraseLength reports a passphrase that libsrt would refuse to
	// set (SRTO_PASSPHRASE takes 10 to 80 bytes).
	ErrPassphraseLength = errors.New("crypt: passphrase must be 10 to 80 bytes")

	// ErrRefused reports in-band key material (a UMSG_EXT KMREQ or KMRSP)
	// that KeyState.Refresh refused although it unwrapped. Every refusal
	// error below matches it with errors.Is.
	ErrRefused = errors.New("crypt: in-band key material refused")

	// ErrSaltChanged reports in-band key material whose salt differs from
	// the session's. libsrt's sender keeps the salt at every key refresh
	// (hcryptCtx_Tx_Refresh).
	ErrSaltChanged error = &refusal{"crypt: in-band key material refused: its salt differs from the session's"}

	// ErrModeChanged reports in-band key material whose cipher,
	// authentication, stream encapsulation, key length or KEK index
	// differs from the session's (a downgrade from AES-GCM to AES-CTR, for
	// example).
	ErrModeChanged error = &refusal{"crypt: in-band key material refused: its cipher or key length differs from the session's"}

	// ErrKeyDropped reports in-band key material that does not carry a key
	// the session holds, with new key bytes for the other one. libsrt's
	// sender announces a new key together with the current one (KK = 3).
	ErrKeyDropped error = &refusal{"crypt: in-band key material refused: it drops a key the session holds"}

	// ErrKeyInUse reports in-band key material that replaces the key of
	// the newest data packet decrypted (or encrypted). libsrt's sender
	// only ever replaces the key that is not in use.
	ErrKeyInUse error = &refusal{"crypt: in-band key material refused: it replaces the key in use"}
)

// refusal is the type of the errors that match ErrRefused.
type refusal struct{ msg string }

func (e *refusal) Error() string { return e.msg }

// Is makes every refusal match ErrRefused.
func (e *refusal) Is(target error) bool { return target == ErrRefused }
