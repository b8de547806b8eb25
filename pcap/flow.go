package pcap

import (
	"github.com/srtwire/srtwire/packet"
)

// flowState is what the Reader remembers about a UDP flow.
type flowState struct {
	confirmed bool
	// The last data-shaped datagram seen on an unconfirmed flow, kept
	// until the flow is confirmed or another one replaces it: its header
	// always, the whole datagram (copied into pending) when pendingKept.
	pendingValid bool
	pendingKept  bool
	head         [packet.HeaderSize]byte
	pending      []byte
	pendingInfo  frameInfo // its Data lives in pending
}

// consistentData reports whether two data-shaped datagrams sent in the same
// direction look like consecutive packets of one SRT stream: the same
// destination socket and sequence numbers within 4096 of each other.
func consistentData(prev, cur []byte) bool {
	var ph, ch packet.Header
	if _, err := ph.Decode(prev); err != nil || ph.Control {
		return false
	}
	if _, err := ch.Decode(cur); err != nil || ch.Control || ph.DstSocket != ch.DstSocket {
		return false
	}
	d := ph.Seq.Distance(ch.Seq)
	return d >= -maxDataStep && d <= maxDataStep
}

// maxDataStep is how far apart the sequence numbers of two data packets
// of one stream may be for consistentData.
const maxDataStep = 4096
