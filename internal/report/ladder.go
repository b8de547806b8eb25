package report

import (
	"math"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/srtwire/srtwire/handshake"
	"github.com/srtwire/srtwire/session"
)

// The handshake ladder: the HANDSHAKE packets of an attempt between a
// caller (or first peer) column and a listener (second peer) column, one
// arrow per packet (a caller repeating its INDUCTION every 250 ms,
// srtcore/core.cpp CUDT::startConnect, is one arrow "×N"), with what each
// carried: the HSREQ/HSRSP latency, the key material or its state, the
// Stream ID, a rejection's reason. The steps are recorded from the frames
// (Capture.Frame); without them the ladder is drawn from the attempt's
// fields and outcome (synthLadder), and says so.

// maxSteps bounds the arrows recorded per attempt.
const maxSteps = 10

// hsStep is one arrow of the ladder.
type hsStep struct {
	T      time.Time // zero in a ladder made from the attempt's fields
	Right  bool      // from the caller (first peer) to the listener
	Label  string
	Detail string // what the packet carried, after the label
	Class  string // "req", "ans" or "rej"
	Count  int
}

// ladder is the handshake of an attempt.
type ladder struct {
	steps []hsStep
	more  int  // handshake packets not recorded past maxSteps
	synth bool // made from the attempt's fields
}

// add records a handshake packet, folding a repeat of the previous one.
func (l *ladder) add(s hsStep) {
	if n := len(l.steps); n > 0 {
		p := &l.steps[n-1]
		if p.Right == s.Right && p.Label == s.Label && p.Detail == s.Detail {
			p.Count++
			return
		}
	}
	if len(l.steps) == maxSteps {
		l.more++
		return
	}
	s.Count = 1
	l.steps = append(l.steps, s)
}

// hsStepOf describes a HANDSHAKE packet: its type and the extension
// blocks that matter to a person (libsrt srtcore/core.cpp,
// CUDT::createSrtHandshake writes them).
func hsStepOf(h *handshake.Handshake, fromCaller bool) hsStep {
	s := hsStep{Right: fromCaller, Class: "req"}
	if !fromCaller {
		s.Class = "ans"
	}
	var det []string
	switch t := h.Type; {
	case t.IsRejection():
		r, _ := t.Reason()
		s.Label = "REJECT " + r.Name()
		det = append(det, "code "+strconv.Itoa(int(r)))
		s.Class = "rej"
	case t == handshake.Induction:
		s.Label = "INDUCTION"
		if !fromCaller {
			s.Label = "INDUCTION answer"
		}
		det = append(det, "v"+strconv.Itoa(int(h.Version)))
		if !fromCaller && h.Cookie != 0 {
			det = append(det, "cookie")
		}
	case t == handshake.Conclusion:
		s.Label = "CONCLUSION"
	case t == handshake.WaveAHand:
		s.Label = "WAVEAHAND"
	case t == handshake.Agreement:
		s.Label = "AGREEMENT"
	default:
		s.Label = t.String()
	}
	var hs handshake.HSReq
	it := h.Extensions()
	for it.Next() {
		switch it.Type() {
		case handshake.ExtHSReq, handshake.ExtHSRsp:
			name := "HSREQ"
			if it.Type() == handshake.ExtHSRsp {
				name = "HSRSP"
			}
			if hs.Decode(it.Value()) == nil {
				name += " " + strconv.Itoa(int(max(hs.RecvDelay, hs.SendDelay))) + " ms"
			}
			det = append(det, name)
		case handshake.ExtKMReq:
			det = append(det, "KMREQ"+kmCipher(it.Value()))
		case handshake.ExtKMRsp:
			if v := it.Value(); handshake.IsKMState(v) {
				st, _ := handshake.DecodeKMState(v)
				det = append(det, "KMRSP "+st.String())
			} else {
				det = append(det, "KMRSP"+kmCipher(v))
			}
		case handshake.ExtSID:
			det = append(det, "Stream ID")
		case handshake.ExtCongestion:
			det = append(det, "congestion "+h.Congestion())
		case handshake.ExtFilter:
			det = append(det, "filter")
		case handshake.ExtGroup:
			det = append(det, "group")
		}
	}
	s.Detail = strings.Join(det, " · ")
	return s
}

// kmCipher names the cipher of a key-material block: " AES-128", or ""
// when it does not decode.
func kmCipher(b []byte) string {
	var km handshake.KeyMaterial
	if km.Decode(b) != nil {
		return ""
	}
	if n := session.KeyLenName(km.KeyLen); n != "" {
		return " " + n
	}
	return ""
}

// synthLadder draws the handshake from an attempt's fields when its
// packets were not recorded: the exchange libsrt makes (srtcore/core.cpp,
// CUDT::startConnect and CUDT::processConnectResponse for the caller,
// CUDTUnited::newConnection for the listener) as far as the outcome says
// it went.
func synthLadder(a *session.Attempt) ladder {
	l := ladder{synth: true}
	if !a.HandshakeSeen {
		return l
	}
	enc := ""
	if a.RequestedKeyLen > 0 {
		enc = " · KMREQ " + session.KeyLenName(a.RequestedKeyLen)
	}
	sid := ""
	if a.StreamID != "" {
		sid = " · Stream ID"
	}
	lat := ""
	if a.LatencyMS > 0 {
		lat = " · latency " + strconv.Itoa(a.LatencyMS) + " ms"
	}
	answer := func() hsStep {
		s := hsStep{Label: "CONCLUSION", Class: "ans", Count: 1}
		switch {
		case a.Outcome == session.OutcomeRejected:
			s.Label, s.Class = "REJECT "+a.Reason.Name(), "rej"
			s.Detail = "code " + strconv.Itoa(int(a.Reason))
		case a.KMStateSet:
			s.Detail = "HSRSP" + lat + " · KMRSP " + a.KMState.String()
		case a.KeyLen > 0:
			s.Detail = "HSRSP" + lat + " · KMRSP " + session.KeyLenName(a.KeyLen)
		default:
			s.Detail = "HSRSP" + lat
		}
		return s
	}
	if a.Mode == session.ModeRendezvous {
		l.steps = append(l.steps,
			hsStep{Right: true, Label: "WAVEAHAND", Class: "req", Count: 1},
			hsStep{Label: "WAVEAHAND", Class: "ans", Count: 1})
		if a.Outcome == session.OutcomeIncomplete {
			return l
		}
		l.steps = append(l.steps, hsStep{Right: true, Label: "CONCLUSION", Detail: "HSREQ" + enc + sid, Class: "req", Count: 1}, answer())
		if a.Outcome == session.OutcomeEstablished {
			l.steps = append(l.steps, hsStep{Right: true, Label: "AGREEMENT", Class: "req", Count: 1})
		}
		return l
	}
	l.steps = append(l.steps, hsStep{Right: true, Label: "INDUCTION", Class: "req", Count: max(a.Inductions, 1)})
	if a.Outcome == session.OutcomeNoAnswer {
		return l
	}
	l.steps = append(l.steps, hsStep{Label: "INDUCTION answer", Class: "ans", Count: 1})
	if a.Handshakes <= 2 && a.Outcome == session.OutcomeIncomplete {
		return l
	}
	l.steps = append(l.steps, hsStep{Right: true, Label: "CONCLUSION", Detail: "HSREQ" + enc + sid, Class: "req", Count: 1})
	if a.Outcome == session.OutcomeEstablished || a.Outcome == session.OutcomeRejected {
		l.steps = append(l.steps, answer())
	}
	return l
}

// Ladder geometry.
const (
	ladderW     = 560
	ladderLeftX = 150 // the caller's column
	ladderRight = 450 // the listener's column
	ladderTop   = 48
	ladderRowH  = 42
)

// writeLadder draws the ladder as an <svg>. names are the two columns'
// roles and addresses; outcome and class the closing line under them.
func writeLadder(b *svgBuf, l *ladder, names, addrs [2]string, outcome, class string) {
	rows := len(l.steps)
	h := float64(ladderTop + rows*ladderRowH + 40)
	if l.more > 0 {
		h += 16
	}
	b.WriteString(`<svg class="ladder" xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 `)
	b.num(ladderW)
	b.WriteByte(' ')
	b.num(h)
	b.WriteString(`" data-steps="` + strconv.Itoa(rows) + `" aria-label="handshake">`)
	xs := [2]float64{ladderLeftX, ladderRight}
	for i := range 2 {
		b.label("role", xs[i], 16, "middle", names[i])
		addr := fitText(addrs[i], 2*math.Min(xs[i], float64(ladderW)-xs[i])-8)
		b.WriteString(`<text class="addr"`)
		b.attr("x", xs[i])
		b.attr("y", 32)
		b.WriteString(` text-anchor="middle">`)
		b.title(addrs[i])
		b.text(addr)
		b.WriteString("</text>")
		b.WriteString(`<line class="lifeline"`)
		b.attr("x1", xs[i])
		b.attr("y1", 40)
		b.attr("x2", xs[i])
		b.attr("y2", h-34)
		b.WriteString("/>")
	}
	var t0 time.Time
	if len(l.steps) > 0 {
		t0 = l.steps[0].T
	}
	maxLabel := xs[1] - xs[0] - 16
	for i, s := range l.steps {
		y := float64(ladderTop + i*ladderRowH)
		x1, x2 := xs[0], xs[1]
		if !s.Right {
			x1, x2 = x2, x1
		}
		if !s.T.IsZero() {
			b.label("t", 8, y+33, "", "+"+msText(s.T.Sub(t0)))
		}
		lab := s.Label
		if s.Count > 1 {
			lab += " ×" + strconv.Itoa(s.Count)
		}
		full := lab
		if s.Detail != "" {
			full += " · " + s.Detail
		}
		b.WriteString(`<g class="step ` + s.Class + `">`)
		b.title(full)
		b.WriteString(`<text class="msg"`)
		b.attr("x", (xs[0]+xs[1])/2)
		b.attr("y", y+11)
		b.WriteString(` text-anchor="middle"><tspan class="type">`)
		b.text(fitText(lab, maxLabel))
		b.WriteString("</tspan></text>")
		if s.Detail != "" {
			b.WriteString(`<text class="det"`)
			b.attr("x", (xs[0]+xs[1])/2)
			b.attr("y", y+23)
			b.WriteString(` text-anchor="middle">`)
			b.text(fitText(s.Detail, maxLabel))
			b.WriteString("</text>")
		}
		ya, yb := y+28, y+34
		b.WriteString(`<line class="arrow"`)
		b.attr("x1", x1)
		b.attr("y1", ya)
		b.attr("x2", x2)
		b.attr("y2", yb)
		b.WriteString(`/><path class="head" d="M`)
		dir := 1.0
		if x2 < x1 {
			dir = -1
		}
		b.num(x2)
		b.WriteByte(' ')
		b.num(yb)
		b.WriteByte('L')
		b.num(x2 - dir*9)
		b.WriteByte(' ')
		b.num(yb - 4.5)
		b.WriteByte('L')
		b.num(x2 - dir*8)
		b.WriteByte(' ')
		b.num(yb + 4)
		b.WriteString(`Z"/></g>`)
	}
	y := float64(ladderTop + rows*ladderRowH)
	if l.more > 0 {
		b.label("note", (xs[0]+xs[1])/2, y+6, "middle", "… and "+strconv.Itoa(l.more)+" more handshake packets")
		y += 16
	}
	b.WriteString(`<g class="outcome ` + class + `"><rect`)
	b.attr("x", xs[0]-60)
	b.attr("y", y+4)
	b.attr("width", xs[1]-xs[0]+120)
	b.attr("height", 22)
	b.WriteString(` rx="4"/>`)
	b.label("outcome-label", (xs[0]+xs[1])/2, y+19, "middle", fitText(outcome, xs[1]-xs[0]+110))
	b.WriteString("</g></svg>")
}

// msText formats a duration in ms with three decimals ("4.215 ms"), or in
// s beyond ten seconds.
func msText(d time.Duration) string {
	if d >= 10*time.Second {
		return strconv.FormatFloat(d.Seconds(), 'f', 3, 64) + " s"
	}
	return strconv.FormatFloat(float64(d.Microseconds())/1000, 'f', 3, 64) + " ms"
}

// fitText cuts s with "…" to fit in width px of label font.
func fitText(s string, width float64) string {
	if textWidth(s) <= width {
		return s
	}
	r := []rune(s)
	n := max(int(width/charW)-1, 1)
	if n >= len(r) {
		return s
	}
	return string(r[:n]) + "…"
}

// addrText writes an address for the page.
func addrText(a netip.AddrPort) string {
	if !a.IsValid() {
		return "-"
	}
	return a.String()
}
