package pcap

import (
	"time"

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

// consistentData reports whether two data-shaped datagrams sent in the
// same direction look like packets of one SRT stream: the same destination
// socket, sequence numbers that differ (forward, or backward for a
// retransmission) by at most maxDataStep, and header timestamps that move
// with the capture clock. A flow that repeats its first 16 bytes (syslog,
// a constant heartbeat) fails the sequence test; one whose "timestamps"
// jump fails the clock test.
func consistentData(prev []byte, prevAt time.Time, cur []byte, curAt time.Time) bool {
	var ph, ch packet.Header
	if _, err := ph.Decode(prev); err != nil || ph.Control {
		return false
	}
	if _, err := ch.Decode(cur); err != nil || ch.Control || ph.DstSocket != ch.DstSocket {
		return false
	}
	d := ph.Seq.Distance(ch.Seq)
	if d == 0 || d > maxDataStep || d < -maxDataStep || d < 0 && !ch.Retransmitted {
		return false
	}
	// The sender's clock (µs, wrapping at 2^32) against the capture's.
	dts := int64(int32(ch.Timestamp - ph.Timestamp))
	dt := curAt.Sub(prevAt).Microseconds()
	return dts >= -clockSlack && dts <= dt+clockSlack
}

const (
	// maxDataStep is how far apart the sequence numbers of two data
	// packets of one stream may be for consistentData.
	maxDataStep = 4096
	// clockSlack is how far the header timestamps may run ahead of the
	// capture clock, or back (reordering), in µs.
	clockSlack = 1_000_000
)

// wellKnownPort reports the ports of protocols that are not SRT and whose
// datagrams can look like SRT data (DNS, NTP, NetBIOS, SNMP, syslog, mDNS,
// SSDP, ...): a flow on one of them becomes SRT only by a control packet.
func wellKnownPort(p uint16) bool {
	switch p {
	case 53, 67, 68, 69, 123, 137, 138, 161, 162, 443, 500, 514, 520, 1812, 1813, 1900, 4500, 5060, 5353, 5355:
		return true
	}
	return false
}
