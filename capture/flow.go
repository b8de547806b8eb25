package capture

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
// same direction look like consecutive packets of one SRT stream: both
// original (not retransmitted) packets to the same destination socket,
// the second one to six dozen sequence numbers on, and header timestamps
// (the sender's µs clock) that moved as far as the capture clock did,
// give or take clockSlack. A flow only needs one such pair to be
// confirmed, so the rule can be strict: a flow that repeats its first 16
// bytes (syslog, a heartbeat) fails the sequence test, syslog with varying
// priorities steps by 256 and keeps its "timestamp" still, and random
// datagrams fail all three.
func consistentData(prev []byte, prevAt time.Time, cur []byte, curAt time.Time) bool {
	var ph, ch packet.Header
	if _, err := ph.Decode(prev); err != nil || ph.Control || ph.Retransmitted {
		return false
	}
	if _, err := ch.Decode(cur); err != nil || ch.Control || ch.Retransmitted || ph.DstSocket != ch.DstSocket {
		return false
	}
	if d := ph.Seq.Distance(ch.Seq); d < 1 || d > maxDataStep {
		return false
	}
	// The sender's clock (µs, wrapping at 2^32) against the capture's.
	dts := int64(int32(ch.Timestamp - ph.Timestamp))
	dt := curAt.Sub(prevAt).Microseconds()
	return dts >= 0 && dts >= dt-clockSlack && dts <= dt+clockSlack
}

const (
	// maxDataStep is how many sequence numbers two data packets of one
	// stream, seen one after the other, may be apart for consistentData
	// (packets lost between them, or not captured).
	maxDataStep = 72
	// clockSlack is how far the header timestamps may drift from the
	// capture clock between two packets (network jitter, sender bursts),
	// in µs.
	clockSlack = 100_000
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
