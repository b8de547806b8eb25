package session

import (
	"fmt"
	"net/netip"
	"time"

	"github.com/srtwire/srtwire/handshake"
	"github.com/srtwire/srtwire/packet"
	"github.com/srtwire/srtwire/reject"
)

// Level says how bad a finding is.
type Level uint8

// Finding levels.
const (
	// LevelInfo: worth knowing, nothing is broken.
	LevelInfo Level = iota
	// LevelWarning: the link works but lost or risked something.
	LevelWarning
	// LevelError: the link did not work, or carried data nobody can use.
	LevelError
)

// String returns "info", "warning" or "error".
func (l Level) String() string {
	switch l {
	case LevelWarning:
		return "warning"
	case LevelError:
		return "error"
	}
	return "info"
}

// Finding codes. Each names one kind of problem; Finding.Text says what
// happened, with the numbers, and what to do.
const (
	CodeRejected           = "rejected"             // the listener (or peer) refused the connection
	CodeNoAnswer           = "no_answer"            // the caller's INDUCTION was never answered
	CodeRetryStorm         = "retry_storm"          // a caller kept retrying with the same result (see Group)
	CodeUndecryptable      = "undecryptable"        // encrypted data nobody (or srtwire) can decrypt
	CodePassphraseMismatch = "passphrase_mismatch"  // the passphrases differ, or none given opens the key material
	CodePeerError          = "peer_error"           // a PEERERROR was sent
	CodeUnrecoveredLoss    = "unrecovered_loss"     // packets lost and never retransmitted
	CodeLatePackets        = "late_packets"         // packets past their TSBPD delivery time
	CodeLatencyLow         = "latency_low"          // latency below 4 × RTT
	CodeStall              = "stall"                // data stopped for a while, then resumed
	CodeTrafficAfterReject = "traffic_after_reject" // packets after the rejection
	CodeUnshiftedReject    = "unshifted_reject"     // a rejection code off by 1000
	CodePeerIPFamily       = "peer_ip_family"       // the Peer IP field's family differs from the transport's
)

// Finding is one health remark about an attempt (or a Group of them).
type Finding struct {
	Level Level
	Code  string
	// Text is one sentence with the numbers, saying what to check or do.
	Text string
}

// Thresholds of the findings.
const (
	// StallThreshold is the shortest pause between two data packets of a
	// direction that is reported as a stall.
	StallThreshold = time.Second
	// LatencyRTTFactor: a latency below this many RTTs leaves too little
	// time for retransmissions (libsrt docs/features/
	// packet-filtering-and-fec.md: "the standard recommended minimum ARQ
	// latency for SRT is estimated as 4 * RTT").
	LatencyRTTFactor = 4
	// RetryStormMin is the number of attempts with the same outcome that
	// makes a Group a retry storm.
	RetryStormMin = 3
)

// role names an endpoint of a: "the caller 10.0.0.1:5000", "the listener
// ..." or, in rendezvous mode and for inferred roles, "peer ..."/"the
// sender ...".
func (a *Attempt) role(ep netip.AddrPort) string {
	switch {
	case a.Mode == ModeRendezvous:
		return "peer " + ep.String()
	case a.RolesInferred && ep == a.Caller:
		return "the sender " + ep.String()
	case a.RolesInferred:
		return "the receiver " + ep.String()
	case ep == a.Caller:
		return "the caller " + ep.String()
	}
	return "the listener " + ep.String()
}

// Findings returns the health findings of the attempt, worst first within
// each kind. Call it after Tracker.Attempts (or in OnRetire), when the
// figures are up to date.
func (a *Attempt) Findings() []Finding {
	var out []Finding
	add := func(l Level, code, format string, args ...any) {
		out = append(out, Finding{Level: l, Code: code, Text: fmt.Sprintf(format, args...)})
	}
	switch a.Outcome {
	case OutcomeRejected:
		r := a.Reason
		extra := ""
		if r == reject.BadSecret || r == reject.Unsecure {
			if req := a.RequestedEncryption(); req != "" {
				extra = " The caller asked for " + req + "."
			} else if r == reject.Unsecure {
				extra = " The caller set no passphrase."
			}
		}
		add(LevelError, CodeRejected, "%s refused the connection from %s: %s (%s, code %d). %s%s",
			cap1(a.role(a.Listener)), a.Caller, r.Name(), r.Text(), int32(r), r.Explain(), extra)
		if r.LooksUnshifted() {
			if want, ok := r.Unshifted(); ok {
				add(LevelWarning, CodeUnshiftedReject, "The rejection code %d on the wire looks like %s (%d) sent without libsrt's +1000 offset, as gosrt and srtgo do; a libsrt caller reads it as %d (%s).",
					r.Wire(), want.Name(), int32(want), int32(r), r.Name())
			}
		}
		if a.AfterReject > 0 {
			why := "the caller did not stop after the rejection"
			if r == reject.Unknown {
				why = "a libsrt 1.5.1 caller takes only codes above 1000 as rejections, so it read the bare 1000 (SRT_REJ_UNKNOWN) as a broken answer; have the listener set a reason (srt_setrejectreason)"
			}
			add(LevelWarning, CodeTrafficAfterReject, "%s followed the rejection at frame %d (the first a %s): %s.",
				plural(a.AfterReject, "packet"), a.RejectFrame, kindName(a.AfterRejectFirst), why)
		}
	case OutcomeNoAnswer:
		n := max(a.Inductions, 1)
		add(LevelError, CodeNoAnswer, "%s never answered the %d INDUCTION handshake(s) %s sent over %s: check that a listener runs on that address and port and that no firewall drops UDP to it.",
			a.Listener, n, a.Caller, a.LastTime.Sub(a.FirstTime).Round(time.Millisecond))
	}
	a.cryptoFindings(add)
	if code, ok := a.PeerError.Get(); ok {
		what := "an error"
		if code == packet.PeerErrorFile {
			what = "SRT_EFILE: its disk write failed in srt_recvfile, so the file transfer failed on that side; check the receiver's disk and path"
		}
		add(LevelError, CodePeerError, "%s sent PEERERROR %d at frame %d (%s).", cap1(a.role(a.PeerErrorFrom)), code, a.PeerErrorFrame, what)
	}
	for _, d := range a.dirs {
		if d != nil {
			a.dirFindings(d, add)
		}
	}
	if a.PeerIPMismatch {
		fam := func(ip netip.Addr) string {
			if ip.Unmap().Is4() {
				return "IPv4"
			}
			return "IPv6"
		}
		tr := fam(a.Listener.Addr())
		add(LevelWarning, CodePeerIPFamily, "The handshake at frame %d names the peer %s, an %s address, while the packets travel over %s: the sender encodes the Peer IP field wrongly (gosrt reverses all 16 bytes of an IPv6 address); libsrt ignores the field, other stacks may not.",
			a.PeerIPFrame, a.PeerIPSeen, fam(a.PeerIPSeen), tr)
	}
	return out
}

type addFunc func(l Level, code, format string, args ...any)

// cryptoFindings adds the findings about passphrases and encryption.
func (a *Attempt) cryptoFindings(add addFunc) {
	failed := a.KMStateSet && (a.KMState == handshake.KMBadSecret || a.KMState == handshake.KMNoSecret)
	encrypted := 0
	for _, d := range a.dirs {
		if d == nil {
			continue
		}
		encrypted += d.Data.Encrypted
		if n := d.Data.Undecryptable.Value; n > 0 {
			why := "its passphrase differs from that of " + a.role(d.From) + " (KMRSP " + a.KMState.String() + ")"
			if a.KMState == handshake.KMNoSecret {
				why = "it has no passphrase (KMRSP NOSECRET)"
			}
			add(LevelError, CodeUndecryptable, "%s cannot decrypt the data: %s and encryption is not enforced, so it accepted the connection; %d of %d data packets were sent that it cannot decrypt. Set the same passphrase on both sides (and SRTO_ENFORCEDENCRYPTION, so that a mismatch is refused).",
				cap1(a.role(d.To)), why, n, d.Data.Packets)
		}
		if n := d.Data.DecryptFailed.Value; n > 0 && a.PassphraseMatch.Value {
			add(LevelWarning, CodeUndecryptable, "%d of %d encrypted data packets from %s did not decrypt with the passphrase given (no key for their KK flags, or AES-GCM authentication failed).",
				n, d.Data.Encrypted, d.From)
		}
	}
	if failed && encrypted == 0 && a.Outcome == OutcomeEstablished {
		add(LevelWarning, CodePassphraseMismatch, "The passphrases differ: %s answered the key material with %s, and accepted the connection because encryption is not enforced; no encrypted data was sent yet.",
			a.role(a.Listener), a.KMState)
	}
	if ok, known := a.PassphraseMatch.Get(); known && !ok {
		add(LevelWarning, CodePassphraseMismatch, "None of the passphrases given opens the key material of this connection (%s): its payload was not decrypted; check the passphrase.",
			a.RequestedEncryption())
	}
	if a.CryptoStatus() == CryptoNoKM {
		lvl := LevelInfo
		if a.PassphraseMatch.Known || a.km != nil {
			lvl = LevelWarning
		}
		add(lvl, CodeUndecryptable, "The data is encrypted (%d packets with KK set) but the capture holds no key material: it started after the handshake, so the payload cannot be decrypted from it; capture from the connection's start, or until a key refresh.",
			encrypted)
	}
}

// dirFindings adds the findings about one direction's traffic.
func (a *Attempt) dirFindings(d *Direction, add addFunc) {
	if n, ok := d.Data.Unrecovered.Get(); ok && n > 0 {
		first := ""
		if len(d.Data.UnrecoveredSeqs) > 0 {
			first = fmt.Sprintf(" (first: %d)", d.Data.UnrecoveredSeqs[0])
		}
		sent := d.Data.Original + d.Data.Lost.Value
		add(LevelWarning, CodeUnrecoveredLoss, "%d of %d packets from %s to %s were lost and never retransmitted in the capture%s; %d other lost packets were recovered. If the capture was taken at the receiver, it never got them: raise the latency, or check the path.",
			n, sent, d.From, d.To, first, d.Data.Recovered.Value)
	}
	if n, ok := d.Data.Late.Get(); ok && n > 0 {
		lat := d.LatencyMS.Value
		add(LevelWarning, CodeLatePackets, "%s from %s arrived up to %.1f ms after their delivery time under the %d ms latency: the receiver's TSBPD drops them; raise SRTO_LATENCY to about %d ms.",
			plural(n, "data packet"), d.From, float64(d.Data.MaxLateUS)/1000, lat, lat+int((d.Data.MaxLateUS+999)/1000))
	}
	if lat, ok := d.LatencyMS.Get(); ok && lat > 0 && d.Data.Packets > 0 {
		rtt, src := 0.0, ""
		switch {
		case d.RTT.Known():
			rtt, src = d.RTT.Mean(), "the receiver's ACKs"
		case d.ACKACKRTT.Known():
			rtt, src = d.ACKACKRTT.Mean(), "ACK to ACKACK"
		case a.HandshakeRTT > 0:
			rtt, src = float64(a.HandshakeRTT.Microseconds()), "the handshake"
		}
		if rtt > 0 && float64(lat)*1000 < LatencyRTTFactor*rtt {
			add(LevelWarning, CodeLatencyLow, "The latency of %d ms for the data from %s is less than %d × the RTT of %.1f ms (from %s): lost packets may not be retransmitted in time; set SRTO_LATENCY to at least %d ms.",
				lat, d.From, LatencyRTTFactor, rtt/1000, src, int(LatencyRTTFactor*rtt/1000+0.999))
		}
	}
	if d.LongestGap >= StallThreshold && d.Data.Packets > 1 {
		add(LevelWarning, CodeStall, "No data from %s to %s for %.1f s (from %s), then it resumed: the source paused, or the path dropped everything for that time.",
			d.From, d.To, d.LongestGap.Seconds(), d.GapStart.UTC().Format("15:04:05.000"))
	}
}

// kindName names a packet kind in capitals, as libsrt's logs do.
func kindName(k packet.Kind) string {
	switch k {
	case packet.KindHandshake:
		return "HANDSHAKE"
	case packet.KindShutdown:
		return "SHUTDOWN"
	case packet.KindKeepalive:
		return "KEEPALIVE"
	case packet.KindData:
		return "data packet"
	}
	return k.String()
}

// plural returns "1 packet" or "n packets".
func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

func cap1(s string) string {
	if s != "" && s[0] >= 'a' && s[0] <= 'z' {
		return string(s[0]-'a'+'A') + s[1:]
	}
	return s
}
