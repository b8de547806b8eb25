package parquetout

import "github.com/srtwire/srtwire/session"

// The rules below decide what srtdump's summary and stats (text and JSON)
// and the connections table say an attempt's latency and encryption are.
// cmd/srtdump calls them too, so that the tables keep equal to
// `srtdump -stats -json`: there is one copy of each rule.

// LatencyKnown reports whether a's latency was seen in a handshake: an
// HSREQ (which sets the SRT version) or an HSRSP (which sets the
// directions' latencies).
func LatencyKnown(a *session.Attempt) bool {
	if a.SRTVersion != 0 {
		return true
	}
	for _, dir := range a.Directions() {
		if dir.LatencyMS.Known {
			return true
		}
	}
	return false
}

// CryptoStatus is a.CryptoStatus, except for an attempt whose initiator's
// CONCLUSION was not seen and that carried no data (an INDUCTION never
// answered, or rejected at once): the capture does not tell whether it
// would have encrypted (an INDUCTION carries no key length), which
// session.Attempt.CryptoStatus calls "none".
func CryptoStatus(a *session.Attempt) session.CryptoStatus {
	if st := a.CryptoStatus(); !(st == session.CryptoNone && a.DataPackets == 0 && !ConclusionSeen(a)) {
		return st
	}
	return session.CryptoUnknown
}

// ConclusionSeen reports whether a CONCLUSION of the attempt was seen, so
// that its Stream ID, congestion control and filter are known (empty or
// the default when it carried none). A session whose handshake was not
// captured, or a caller whose INDUCTION was never answered, has none.
func ConclusionSeen(a *session.Attempt) bool {
	return LatencyKnown(a) || a.StreamID != "" || a.Filter != "" || a.RequestedKeyLen > 0 || a.KMStateSet ||
		a.Outcome == session.OutcomeRejected && a.HandshakeRTT > 0
}
