package packet

import (
	"errors"
	"strconv"

	"github.com/srtwire/srtwire/handshake"
)

// DecodeError explains a decode failure: which part of the datagram was
// malformed and at which byte. Build one with Packet.Detail after Decode
// failed; the hot path returns only the sentinel, which Unwrap yields.
type DecodeError struct {
	// Field names the malformed part: "header", "ACK CIF", "NAK loss list",
	// "DROPREQ CIF", "handshake CIF", "handshake extension", ...
	Field string
	// Offset is the byte offset in the datagram (header included) where
	// the fault is: the start of the malformed block or entry, or the end
	// of the input for a datagram cut short.
	Offset int
	// Err is the sentinel Decode returned (ErrTruncated, ErrNAKBadRange,
	// handshake.ErrExtLength, ...).
	Err error

	msg string
}

// Error returns a sentence naming the field and the fault, for example
// "handshake: extension 2 (SID): length 900 words exceeds the 24 bytes left".
func (e *DecodeError) Error() string { return e.msg }

// Unwrap returns the sentinel.
func (e *DecodeError) Unwrap() error { return e.Err }

// Detail explains err, the error Decode returned for the datagram b into
// p, as a *DecodeError with the field and byte offset of the fault. It
// returns nil when err is nil. It allocates: call it for diagnostics, not
// on the hot path.
func (p *Packet) Detail(b []byte, err error) *DecodeError {
	if err == nil {
		return nil
	}
	e := &DecodeError{Err: err, Offset: HeaderSize, msg: err.Error()}
	switch {
	case len(b) < HeaderSize:
		e.Field, e.Offset = "header", len(b)
		e.msg = "packet: " + strconv.Itoa(len(b)) + "-byte datagram is shorter than the 16-byte SRT header"
	case !p.Control:
		e.Field = "FEC header"
	case p.Type == TypeHandshake && errors.Is(err, handshake.ErrExtLength):
		e.Field = "handshake extension"
		it := p.Handshake.Extensions()
		for it.Next() {
		}
		var xe *handshake.ExtError
		if errors.As(it.Detail(), &xe) {
			e.Offset, e.msg = HeaderSize+xe.Offset, xe.Error()
		}
	case p.Type == TypeHandshake && errors.Is(err, handshake.ErrTruncated):
		e.Field, e.Offset = "handshake CIF", len(b)
		e.msg = "handshake: CIF of " + strconv.Itoa(len(b)-HeaderSize) + " bytes is shorter than the fixed 48"
	case p.Type == TypeHandshake:
		e.Field = "handshake CIF"
	case p.Type == TypeNAK:
		e.Field = "NAK loss list"
		c := p.NAK.Losses()
		for c.Next() {
		}
		if c.Err() != nil {
			e.Offset = HeaderSize + c.Offset()
		}
	case p.Type == TypeACK:
		e.Field, e.Offset = "ACK CIF", len(b)
		e.msg = "packet: ACK CIF of " + strconv.Itoa(len(b)-HeaderSize) + " bytes is shorter than the 4-byte acknowledged sequence number"
	case p.Type == TypeDropReq:
		e.Field, e.Offset = "DROPREQ CIF", len(b)
		e.msg = "packet: DROPREQ CIF of " + strconv.Itoa(len(b)-HeaderSize) + " bytes is shorter than its 8-byte sequence range"
	default:
		e.Field = p.Type.String() + " CIF"
	}
	return e
}
