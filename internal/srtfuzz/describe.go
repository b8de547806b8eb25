package srtfuzz

import (
	"fmt"
	"strings"

	"github.com/srtwire/srtwire/handshake"
	"github.com/srtwire/srtwire/listener"
	"github.com/srtwire/srtwire/packet"
)

// Answer names, as the report counts them.
const (
	AnswerSilent      = "silent"
	AnswerInduction   = "induction"
	AnswerAccept      = "accept"
	AnswerShutdown    = "shutdown"
	AnswerUndecodable = "undecodable"
	// AnswerNoInduction: the listener did not answer the case's INDUCTION,
	// so the mutated packet was never sent.
	AnswerNoInduction = "no induction answer"
	// AnswerNoSession: the valid handshake of a post-handshake case was
	// not accepted, so the mutated packets were never sent.
	AnswerNoSession = "no session"
)

// Expected is what Decide says a libsrt 1.5.1 listener answers, in the
// words Classify uses for what the target answered.
func Expected(d *listener.Decision) string {
	switch d.Action {
	case listener.ActionInduction:
		return AnswerInduction
	case listener.ActionReject:
		if d.Shutdown {
			return AnswerShutdown
		}
		return "reject " + d.Reason.Name()
	case listener.ActionAccept:
		if d.KMRSP {
			return AnswerAccept + " KMRSP " + d.KMState.String()
		}
		return AnswerAccept
	}
	return AnswerSilent
}

// Classify names the answer b of a listener to a handshake: "reject
// SRT_REJ_ROGUE", "accept", "accept KMRSP BADSECRET", "induction",
// "shutdown", "undecodable", or the kind of any other packet.
func Classify(b []byte) string {
	var p packet.Packet
	if err := p.Decode(b); err != nil && (p.Kind() != packet.KindHandshake || len(b) < packet.HeaderSize+handshake.CIFSize) {
		// A handshake whose blocks do not walk is still classified by
		// its fixed part (Decode keeps it); anything else is garbage.
		return AnswerUndecodable
	}
	switch p.Kind() {
	case packet.KindHandshake:
		hs := &p.Handshake
		switch {
		case hs.Type.IsRejection():
			r, _ := hs.Type.Reason()
			return "reject " + r.Name()
		case hs.Type == handshake.Induction:
			return AnswerInduction
		case hs.Type == handshake.Conclusion:
			if v, ok := hs.Find(handshake.ExtKMRsp); ok {
				if handshake.IsKMState(v) {
					st, _ := handshake.DecodeKMState(v)
					return AnswerAccept + " KMRSP " + st.String()
				}
				return AnswerAccept + " KMRSP " + handshake.KMSecured.String()
			}
			return AnswerAccept
		}
		return "handshake " + hs.Type.String()
	case packet.KindShutdown:
		return AnswerShutdown
	}
	return p.Kind().String()
}

// ClassifyPost names an answer to a post-handshake packet: the kind, and
// for UMSG_EXT the subtype and KM state.
func ClassifyPost(b []byte) string {
	var p packet.Packet
	if err := p.Decode(b); err != nil {
		return AnswerUndecodable
	}
	switch p.Kind() {
	case packet.KindUserDefined:
		if p.IsKMState() {
			st, _ := p.KMState()
			return "KMRSP " + st.String()
		}
		return "UMSG_EXT " + p.Subtype.String()
	case packet.KindHandshake:
		return Classify(b)
	}
	return p.Kind().String()
}

// Describe summarises a datagram in one line, for logs and reproducers.
func Describe(b []byte) string {
	var p packet.Packet
	err := p.Decode(b)
	if len(b) < packet.HeaderSize {
		return fmt.Sprintf("%d bytes, not SRT", len(b))
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "%d bytes %v", len(b), p.Kind())
	if p.Control {
		fmt.Fprintf(&sb, " to socket 0x%08x", p.DstSocket)
	}
	switch p.Kind() {
	case packet.KindHandshake:
		hs := &p.Handshake
		if len(b) >= packet.HeaderSize+handshake.CIFSize {
			fmt.Fprintf(&sb, " v%d %v type word 0x%04x%04x cookie 0x%08x", hs.Version, hs.Type, hs.Encryption, hs.Extension, hs.Cookie)
			it := hs.Extensions()
			var bl []string
			for it.Next() {
				bl = append(bl, fmt.Sprintf("%v(%d)", it.Type(), it.Words()))
			}
			if len(bl) > 0 {
				sb.WriteString(" blocks " + strings.Join(bl, ","))
			}
			if it.Err() != nil {
				sb.WriteString(" + a block whose length exceeds the datagram")
			} else if n := it.Trailing(); n > 0 {
				fmt.Fprintf(&sb, " + %d stray byte(s)", n)
			}
			return sb.String()
		}
	case packet.KindUserDefined:
		fmt.Fprintf(&sb, " %v, %d-byte CIF", p.Subtype, len(p.CIF))
	case packet.KindNAK:
		fmt.Fprintf(&sb, " %d-byte loss list", len(p.NAK.List))
	case packet.KindDropReq:
		fmt.Fprintf(&sb, " msg %d seq %d..%d", p.DropMsgNo(), p.DropReq.First, p.DropReq.Last)
	case packet.KindACK:
		fmt.Fprintf(&sb, " %v last %d", p.ACK.Variant, p.ACK.LastAckSeq)
	case packet.KindData:
		fmt.Fprintf(&sb, " seq %d", p.Seq)
	}
	if err != nil {
		fmt.Fprintf(&sb, " (%v)", err)
	}
	return sb.String()
}

// Contents lists what a CONCLUSION carries, for -avoid to match: its MSS
// and flow window, and its string blocks as Go-quoted strings (FILTER
// "fec,cols:4"), including what byte-level mutation made of them.
func Contents(b []byte) string {
	var p packet.Packet
	_ = p.Decode(b)
	if p.Kind() != packet.KindHandshake || len(b) < packet.HeaderSize+handshake.CIFSize {
		return ""
	}
	hs := &p.Handshake
	var sb strings.Builder
	fmt.Fprintf(&sb, "MSS %d, flow window %d", hs.MTU, hs.FlowWindow)
	it := hs.Extensions()
	for it.Next() {
		switch t := it.Type(); t {
		case handshake.ExtSID, handshake.ExtCongestion, handshake.ExtFilter:
			fmt.Fprintf(&sb, ", %v %q", t, clip(string(handshake.AppendString(nil, it.Value())), 600))
		default:
			fmt.Fprintf(&sb, ", %v", t)
		}
	}
	return sb.String()
}
