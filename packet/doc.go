// Package packet decodes and encodes SRT (Secure Reliable Transport)
// datagrams: the common 16-byte header, data packets and every control
// packet with its control information field (CIF).
//
// It follows the wire format of the Haivision reference implementation
// (libsrt 1.5.x) and the IETF draft "The SRT Protocol"
// (draft-sharabayko-srt, editor's copy after -01); where the two disagree
// the package does what libsrt does, so that Encode(Decode(b)) == b for
// every packet libsrt sends.
//
// # Decoding
//
// [Packet.Decode] decodes one UDP payload into a caller-owned [Packet]:
//
//	var p packet.Packet
//	if err := p.Decode(datagram); err != nil { ... }
//	if !p.Control {
//		use(p.Seq, p.MsgNo, p.Payload)
//	}
//
// Every call resets every field of p first. On error the fields decoded
// before the fault stay set: a packet whose header is fine but whose CIF is
// malformed has its [Header] filled in.
//
// [Header.Decode] decodes only the 16-byte header.
//
// # Buffer ownership
//
// Decoding never copies variable-length data. [Packet.Payload], [Packet.CIF],
// [NAK.List], [ACK.Extra], [DropReq.Extra] and the views inside
// [Packet.Handshake] are sub-slices of the input (three-index slices, so an
// append to one of them never overwrites the bytes after it). They are
// valid until the input buffer is reused or modified. Call [Packet.Clone] to
// keep a packet beyond that.
//
// # Encoding
//
// [Packet.AppendBinary] appends the encoded datagram to a buffer and
// [Packet.MarshalSize] says how long it will be. Encoding into a buffer with
// enough capacity does not allocate.
//
// # Allocation and errors
//
// Decode, AppendBinary (into a large enough buffer), the NAK cursor and the
// sequence arithmetic never allocate. Errors are the exported sentinels in
// errors.go (or, for a HANDSHAKE CIF, those of package handshake), returned
// unwrapped so that rejecting garbage costs no allocation either; compare
// them with errors.Is. No input makes the decoder panic or read past the end
// of its input, and no allocation is sized from a length read off the wire.
//
// # Concurrency
//
// A Packet is a plain value: concurrent reads are safe, a Decode must not
// run concurrently with any other use of the same Packet.
package packet
