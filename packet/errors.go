package packet

import (
	"errors"

	"github.com/srtwire/srtwire/handshake"
)

// Sentinel errors. They are returned unwrapped; compare with errors.Is.
// A malformed HANDSHAKE CIF is reported with the sentinels of package
// handshake instead (handshake.ErrExtLength, ...). Error texts start with
// "packet: ", except ErrTruncated, which package handshake defines for both.
var (
	// ErrTruncated reports input shorter than the fixed part being decoded:
	// a datagram shorter than the 16-byte header, an ACK CIF shorter than
	// 4 bytes, a DROPREQ CIF shorter than 8 bytes, an FEC payload shorter
	// than its 4-byte header, and (from package handshake) a handshake CIF
	// shorter than 48 bytes or a short extension. It is the same value as
	// handshake.ErrTruncated: one errors.Is test covers both packages.
	ErrTruncated = handshake.ErrTruncated

	// ErrBadLength reports a CIF whose length is not valid for its type
	// (for example a KMRSP failure word that is not exactly 4 bytes).
	ErrBadLength = errors.New("packet: bad CIF length")

	// ErrNAKDanglingRange reports a loss list whose range-start word (bit
	// 31 set) is the last word of the list or is followed by another
	// range-start word, so the range has no end. libsrt breaks the
	// connection when it receives one.
	ErrNAKDanglingRange = errors.New("packet: NAK range start without an end")

	// ErrNAKBadRange reports a loss-list range whose first sequence number
	// comes after its last one (in wrap-aware order). libsrt breaks the
	// connection when it receives one.
	ErrNAKBadRange = errors.New("packet: NAK range with first after last")

	// ErrFieldRange reports a field value that does not fit its wire width
	// (a sequence number of 2^31 or more, a message number of 2^26 or more,
	// a control type above 0x7FFF, a Position or key flag above 3, an
	// unknown ACK variant). Only encoders return it.
	ErrFieldRange = errors.New("packet: field value out of range")

	// ErrWrongType reports an accessor used on a packet of another kind,
	// for example KeyMaterial on a data packet.
	ErrWrongType = errors.New("packet: wrong packet type for this accessor")

	// ErrNotFEC reports FEC called on a data packet that is not an FEC
	// packet (see Packet.IsFEC).
	ErrNotFEC = errors.New("packet: not an FEC packet")
)
