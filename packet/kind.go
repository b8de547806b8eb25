package packet

import "strconv"

// Kind says what a datagram is, in one value: data, FEC, or one of the
// control types. Use it instead of testing Control and Type together:
// Type is 0 (TypeHandshake) in every data packet.
type Kind uint8

// Packet kinds. KindUnknown, the zero value, is a control packet of a type
// libsrt does not define.
const (
	KindUnknown     Kind = iota // a control type libsrt does not define
	KindData                    // a data packet carrying payload
	KindFEC                     // a data packet of the "fec" packet filter (see Packet.IsFEC)
	KindHandshake               // HANDSHAKE
	KindKeepalive               // KEEPALIVE
	KindACK                     // ACK (any variant)
	KindNAK                     // NAK (loss report)
	KindCGWarning               // CGWARNING (congestion warning)
	KindShutdown                // SHUTDOWN
	KindACKACK                  // ACKACK
	KindDropReq                 // DROPREQ (message drop request)
	KindPeerError               // PEERERROR
	KindUserDefined             // UMSG_EXT (HSv4 HSREQ/HSRSP, KMREQ/KMRSP: see Subtype)
	numKinds
)

var kindNames = [numKinds]string{"unknown", "data", "fec", "handshake", "keepalive", "ack", "nak",
	"cgwarning", "shutdown", "ackack", "dropreq", "peererror", "umsg"}

// String returns the kind's lower-case name ("data", "fec", "handshake",
// "ack", "umsg", "unknown", ...), as srtdump's -type flag and its JSON
// "kind" key spell it, or "Kind(n)" for a value out of range.
func (k Kind) String() string {
	if k < numKinds {
		return kindNames[k]
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// Kinds returns every Kind in order, KindUnknown last.
func Kinds() []Kind {
	ks := make([]Kind, 0, numKinds)
	for k := KindData; k < numKinds; k++ {
		ks = append(ks, k)
	}
	return append(ks, KindUnknown)
}

// ParseKind returns the Kind whose String is s.
func ParseKind(s string) (Kind, bool) {
	for k, n := range kindNames {
		if n == s {
			return Kind(k), true
		}
	}
	return 0, false
}

// controlKinds maps the control types 0-8 to their kinds.
var controlKinds = [...]Kind{KindHandshake, KindKeepalive, KindACK, KindNAK, KindCGWarning, KindShutdown,
	KindACKACK, KindDropReq, KindPeerError}

// Kind returns what p is. It does not allocate.
func (p *Packet) Kind() Kind {
	switch {
	case !p.Control:
		if p.IsFEC() {
			return KindFEC
		}
		return KindData
	case int(p.Type) < len(controlKinds):
		return controlKinds[p.Type]
	case p.Type == TypeUserDefined:
		return KindUserDefined
	}
	return KindUnknown
}
