// Package handshake decodes and encodes the SRT handshake: the 48-byte
// handshake CIF, the Handshake Type (including rejection codes), the HSv5
// extension blocks (HSREQ/HSRSP, KMREQ/KMRSP, SID, CONGESTION, FILTER,
// GROUP), the key-material message and the Stream ID access-control syntax.
//
// The package follows libsrt's wire format, quirks included (srtcore/handshake.h
// and srtcore/core.cpp of Haivision/srt): the Peer IP field and the string extensions are
// byte-reversed in every 32-bit word, the one-word KMRSP error state is
// little-endian, and the key-material message is a raw byte stream.
//
// # Buffer ownership
//
// Decode methods fill caller-owned values and never copy variable-length
// parts: [Handshake.Ext], [ExtIter.Value], [KeyMaterial.Salt] and
// [KeyMaterial.WrappedKeys] are views into the input, valid until the input
// is reused. Copy them (or call [Handshake.Clone]) to keep them.
//
// # Errors
//
// Every decode error is, or wraps, one of the exported sentinel errors
// (ErrTruncated, ErrExtLength, ...), so callers can use errors.Is. Sentinels
// are returned unwrapped on hot paths, so malformed input costs no
// allocation. Decoding never panics and never reads past its input.
package handshake
