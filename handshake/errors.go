package handshake

import (
	"errors"
	"fmt"
)

// Sentinel errors returned by the decoders and encoders of this package.
// Compare with errors.Is. Every error text of srtwire starts with the name
// of the package that defines it ("handshake: ..."), except ErrTruncated,
// which package packet shares (packet.ErrTruncated is the same value) and
// which reads "srtwire: truncated".
var (
	// ErrTruncated reports input shorter than the fixed size of what is
	// being decoded (48 bytes for the handshake CIF, 12 for HSREQ, ...).
	// It is the same value as packet.ErrTruncated, so one errors.Is test
	// matches a short datagram, a short CIF and a short extension alike.
	ErrTruncated = errors.New("srtwire: truncated")
	// ErrNotFound reports that the extension block asked for is not in the
	// handshake (see Handshake.SRTOptions and Handshake.KeyMaterial).
	ErrNotFound = errors.New("handshake: no such extension block")
	// ErrKMState reports a KMRSP that carries a one-word key-material state
	// (see IsKMState) where key material was asked for.
	ErrKMState = errors.New("handshake: KMRSP reports a key-material state, not key material")
	// ErrExtLength reports an extension block whose declared content does
	// not fit in the bytes that are left after its 4-byte header.
	ErrExtLength = errors.New("handshake: extension length exceeds the bytes left")
	// ErrNotKM reports a key-material message whose version, packet type
	// or signature is not SRT's (byte 0 must be 0x12, bytes 1-2 0x2029).
	ErrNotKM = errors.New("handshake: not a key-material message")
	// ErrKMLength reports a key-material message whose length does not
	// match 16 + SLen + 8 + n*KLen, or whose SLen/KLen are out of range.
	ErrKMLength = errors.New("handshake: key-material length mismatch")
	// ErrKMKeyFlags reports a key-material message with KK = 0 (no key).
	ErrKMKeyFlags = errors.New("handshake: key-material message carries no key")
	// ErrStringTooLong reports a string extension longer than libsrt
	// accepts (SID 512, CONGESTION 16, FILTER 64 bytes, padding included).
	ErrStringTooLong = errors.New("handshake: string extension too long")
	// ErrEmptyString reports an empty string extension, which libsrt rejects.
	ErrEmptyString = errors.New("handshake: empty string extension")
	// ErrBadValue reports a field value the encoder cannot represent (an
	// extension longer than 65535 words, a Peer IP that is not valid...).
	ErrBadValue = errors.New("handshake: value out of range")
	// ErrStreamIDSyntax reports a structured Stream ID ("#!...") that does
	// not follow the access-control syntax.
	ErrStreamIDSyntax = errors.New("handshake: bad Stream ID syntax")
)

// ExtError describes a malformed extension block in detail. It is returned
// by [ExtIter.Detail], never on the hot path. It wraps the sentinel that
// [ExtIter.Err] returns.
type ExtError struct {
	Index  int     // 1-based index of the faulty block
	Type   ExtType // type read from the block header
	Words  int     // declared length in 32-bit words
	Left   int     // bytes left after the block header
	Offset int     // CIF offset of the block header
	Err    error   // the sentinel
}

// Error returns "handshake: extension N (TYPE): length W words exceeds the B bytes left".
func (e *ExtError) Error() string {
	return fmt.Sprintf("handshake: extension %d (%s): length %d words exceeds the %d bytes left",
		e.Index, e.Type, e.Words, e.Left)
}

// Unwrap returns the sentinel error.
func (e *ExtError) Unwrap() error { return e.Err }
