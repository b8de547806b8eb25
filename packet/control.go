package packet

import "strconv"

// ControlType is the 15-bit type of a control packet.
type ControlType uint16

// Control types (libsrt UDTMessageType).
const (
	TypeHandshake         ControlType = 0x0000 // connection handshake (package handshake)
	TypeKeepalive         ControlType = 0x0001 // keep-alive, no CIF
	TypeACK               ControlType = 0x0002 // acknowledgement
	TypeNAK               ControlType = 0x0003 // negative acknowledgement (loss report)
	TypeCongestionWarning ControlType = 0x0004 // congestion warning, no CIF
	TypeShutdown          ControlType = 0x0005 // shutdown, no CIF
	TypeACKACK            ControlType = 0x0006 // acknowledgement of an ACK, no CIF
	TypeDropReq           ControlType = 0x0007 // message drop request
	TypePeerError         ControlType = 0x0008 // peer error, code in Info
	TypeUserDefined       ControlType = 0x7FFF // UMSG_EXT: the Subtype says what follows
)

var controlTypeNames = [...]string{
	"HANDSHAKE", "KEEPALIVE", "ACK", "NAK", "CGWARNING", "SHUTDOWN", "ACKACK", "DROPREQ", "PEERERROR",
}

// String returns the libsrt-style name ("HANDSHAKE", "ACK", "NAK",
// "UMSG_EXT", ...) or "ControlType(9)" for a type libsrt does not know.
func (t ControlType) String() string {
	if int(t) < len(controlTypeNames) {
		return controlTypeNames[t]
	}
	if t == TypeUserDefined {
		return "UMSG_EXT"
	}
	return "ControlType(" + strconv.Itoa(int(t)) + ")"
}

// IsEmpty reports whether packets of type t carry no information in their
// CIF: KEEPALIVE, CGWARNING, SHUTDOWN, ACKACK and PEERERROR. libsrt sends
// them with a 4-byte all-zero CIF.
func (t ControlType) IsEmpty() bool {
	switch t {
	case TypeKeepalive, TypeCongestionWarning, TypeShutdown, TypeACKACK, TypePeerError:
		return true
	}
	return false
}

// Subtype is the 16-bit subtype ("extended type") of a control packet. It
// is 0 for every control type except UMSG_EXT (TypeUserDefined).
type Subtype uint16

// UMSG_EXT subtypes (libsrt SRT_CMD_*).
const (
	SubtypeHSReq Subtype = 1 // HSv4 HSREQ: handshake.HSReq
	SubtypeHSRsp Subtype = 2 // HSv4 HSRSP: handshake.HSReq
	SubtypeKMReq Subtype = 3 // key-material request (HSv4, and HSv5 key refresh)
	SubtypeKMRsp Subtype = 4 // key-material response, or a 4-byte KM state
)

var subtypeNames = [...]string{"NONE", "HSREQ", "HSRSP", "KMREQ", "KMRSP"}

// String returns "HSREQ", "HSRSP", "KMREQ", "KMRSP", "NONE" for 0, or
// "Subtype(n)".
func (s Subtype) String() string {
	if int(s) < len(subtypeNames) {
		return subtypeNames[s]
	}
	return "Subtype(" + strconv.Itoa(int(s)) + ")"
}
