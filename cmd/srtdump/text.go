package main

import (
	"bufio"
	"strconv"

	"github.com/srtwire/srtwire/handshake"
	"github.com/srtwire/srtwire/packet"
	"github.com/srtwire/srtwire/pcap"
	"github.com/srtwire/srtwire/reject"
)

// textWriter writes one line per frame (the default output). It implements
// visitor.
//
//	frame time  src > dst  TYPE  body [ts=timestamp] [!! error (byte offset)]
type textWriter struct {
	out   *bufio.Writer
	file  string // the capture's name, shown when multi
	multi bool
	b     []byte      // the line being written
	num   []byte      // scratch: the frame number
	src   []byte      // scratch: the source address
	dst   []byte      // scratch: the destination address
	addrW int         // address column width (grows with the widest address seen)
	kind  packet.Kind // the current frame's kind
	ts    uint32      // the current frame's timestamp
}

var _ visitor = (*textWriter)(nil)

func newTextWriter(out *bufio.Writer) *textWriter {
	return &textWriter{out: out, b: make([]byte, 0, 4096), num: make([]byte, 0, 20),
		src: make([]byte, 0, 64), dst: make([]byte, 0, 64), addrW: 15}
}

func (t *textWriter) begin(f *pcap.Frame, hasHeader bool) {
	b := t.b[:0]
	if t.multi {
		b = append(b, t.file...)
		b = append(b, ':')
	}
	t.num = strconv.AppendInt(t.num[:0], int64(f.Number), 10)
	b = appendPad(b, t.num, 6, true)
	b = append(b, ' ')
	b = f.Time.UTC().AppendFormat(b, "15:04:05.000000")
	b = append(b, ' ', ' ')
	t.src, t.dst = f.Src.AppendTo(t.src[:0]), f.Dst.AppendTo(t.dst[:0])
	t.addrW = max(t.addrW, len(t.src), len(t.dst))
	b = appendPad(b, t.src, t.addrW, true)
	b = append(b, " > "...)
	b = appendPad(b, t.dst, t.addrW, false)
	b = append(b, ' ', ' ')
	p := &f.Packet
	t.kind, t.ts = p.Kind(), p.Timestamp
	switch {
	case !hasHeader:
		b = appendPad(b, "ERROR", 11, false)
	case !p.Control:
		b = appendPad(b, "DATA", 11, false)
	default:
		b = appendPad(b, p.Type.String(), 11, false)
	}
	t.b = b
}

func (t *textWriter) end(bodyShown bool, fault string, faultOffset int) {
	b := t.b
	// A handshake line is long enough without the timestamp.
	if bodyShown && t.kind != packet.KindHandshake {
		b = append(b, " ts="...)
		b = strconv.AppendUint(b, uint64(t.ts), 10)
	}
	if fault != "" {
		b = append(b, "  !! "...)
		b = append(b, fault...)
		b = append(b, " (byte "...)
		b = strconv.AppendInt(b, int64(faultOffset), 10)
		b = append(b, ')')
	}
	b = append(b, '\n')
	t.out.Write(b)
	t.b = b
}

func (t *textWriter) data(p *packet.Packet) {
	b := appendNum(t.b, "seq=", uint64(p.Seq))
	b = appendNum(b, " msgno=", uint64(p.MsgNo))
	b = append(b, ' ')
	b = append(b, p.Position.String()...)
	if p.Key != handshake.KeyNone {
		b = append(b, " key="...)
		b = append(b, p.Key.String()...)
	}
	if p.InOrder {
		b = append(b, " in-order"...)
	}
	if p.Retransmitted {
		b = append(b, " RETRANSMITTED"...)
	}
	if p.Kind() == packet.KindFEC {
		b = append(b, " FEC"...)
	}
	b = append(b, " len="...)
	t.b = strconv.AppendInt(b, int64(len(p.Payload)), 10)
}

func (t *textWriter) handshake(h *handshake.Handshake) bool {
	b := t.b
	if r, ok := h.Type.Reason(); ok {
		b = append(b, "REJECT "...)
		t.b = appendReason(b, r)
		return false
	}
	b = append(b, h.Type.String()...)
	b = appendNum(b, " v", uint64(h.Version))
	if h.Version == handshake.Version4 {
		b = appendNum(b, " socktype=", uint64(h.TypeWord()))
	} else {
		if kl := h.KeyLen(); kl > 0 {
			b = appendNum(b, " enc=AES-", uint64(kl*8))
		}
		b = append(b, " ext="...)
		b = append(b, h.Flags().String()...)
	}
	b = appendNum(b, " isn=", uint64(h.ISN))
	b = append(b, " sock=0x"...)
	b = appendHex32(b, h.SocketID)
	b = append(b, " cookie=0x"...)
	b = appendHex32(b, h.Cookie)
	b = append(b, " peer="...)
	t.b = h.PeerAddr().AppendTo(b)
	return true
}

func (t *textWriter) block(ty handshake.ExtType) {
	t.b = append(t.b, " | "...)
	t.b = append(t.b, ty.String()...)
}

func (t *textWriter) blockEnd()             {}
func (t *textWriter) handshakeEnd()         {}
func (t *textWriter) umsg(s packet.Subtype) { t.b = append(t.b, s.String()...) }
func (t *textWriter) umsgEnd()              {}

func (t *textWriter) hsreq(r *handshake.HSReq) {
	b := append(t.b, " v"...)
	b = r.Version.AppendTo(b)
	b = appendNum(b, " latency=", uint64(r.RecvDelay))
	b = appendNum(b, "/", uint64(r.SendDelay))
	b = append(b, "ms flags="...)
	t.b = appendSRTFlags(b, r.Flags)
}

func (t *textWriter) keyMaterial(k *handshake.KeyMaterial) {
	b := append(t.b, ' ')
	b = append(b, k.Cipher.String()...)
	b = appendNum(b, "-", uint64(k.KeyBits()))
	b = append(b, " keys="...)
	t.b = append(b, k.Keys.String()...)
}

func (t *textWriter) kmState(s handshake.KMState) {
	t.b = append(t.b, " state="...)
	t.b = append(t.b, s.String()...)
}

func (t *textWriter) str(_ string, s []byte) {
	t.b = append(t.b, ' ')
	t.b = strconv.AppendQuote(t.b, string(s))
}

func (t *textWriter) group(g *handshake.Group) {
	b := append(t.b, " id=0x"...)
	b = appendHex32(b, g.ID)
	b = append(b, ' ')
	t.b = append(b, g.Type.String()...)
}

func (t *textWriter) words(n int, known bool) {
	if !known {
		t.b = appendNum(t.b, " ", uint64(n))
		t.b = append(t.b, " words"...)
	}
}

func (t *textWriter) ack(no uint32, v packet.ACKVariant, last packet.SeqNumber) {
	b := appendNum(t.b, "#", uint64(no))
	b = append(b, ' ')
	b = append(b, v.String()...)
	t.b = appendNum(b, " ack=", uint64(last))
}

// ackField writes " label=value" and the unit.
func (t *textWriter) ackField(f *ackField, v uint32) {
	t.b = append(t.b, ' ')
	t.b = append(t.b, f.label...)
	t.b = appendNum(t.b, "=", uint64(v))
	t.b = append(t.b, f.unit...)
}

func (t *textWriter) ackEnd() {}

func (t *textWriter) nak() { t.b = append(t.b, "lost"...) }

func (t *textWriter) loss(i int, lo, hi packet.SeqNumber, isRange bool) {
	if i > 0 {
		t.b = append(t.b, ',')
	}
	t.b = appendNum(t.b, " ", uint64(lo))
	if isRange {
		t.b = appendNum(t.b, "-", uint64(hi))
	}
}

func (t *textWriter) nakEnd(count int) {
	b := appendNum(t.b, " (", uint64(count))
	b = append(b, " packet"...)
	if count != 1 {
		b = append(b, 's')
	}
	t.b = append(b, ')')
}

func (t *textWriter) dropReq(msgno packet.MsgNumber, first, last packet.SeqNumber) {
	b := appendNum(t.b, "msgno=", uint64(msgno))
	b = appendNum(b, " seq=", uint64(first))
	t.b = appendNum(b, "-", uint64(last))
}

func (t *textWriter) ackack(no uint32) { t.b = appendNum(t.b, "#", uint64(no)) }

func (t *textWriter) peerError(code uint32) {
	t.b = appendNum(t.b, "code=", uint64(code))
	if code == packet.PeerErrorFile {
		t.b = append(t.b, " (SRT_EFILE: the peer failed to write the file)"...)
	}
}

// appendPad appends s padded with spaces to n bytes: on the left when
// right (right-aligned), on the right otherwise.
func appendPad[S string | []byte](b []byte, s S, n int, right bool) []byte {
	if right {
		for i := len(s); i < n; i++ {
			b = append(b, ' ')
		}
	}
	b = append(b, s...)
	if !right {
		for i := len(s); i < n; i++ {
			b = append(b, ' ')
		}
	}
	return b
}

// appendNum appends label and then v in decimal.
func appendNum(b []byte, label string, v uint64) []byte {
	b = append(b, label...)
	return strconv.AppendUint(b, v, 10)
}

func appendHex32(b []byte, v uint32) []byte {
	for s := 28; s >= 0; s -= 4 {
		b = append(b, hexDigits[v>>uint(s)&0xF])
	}
	return b
}

// appendSRTFlags appends f as handshake.SRTFlags.String spells it (the set
// flags joined by "|", or "0"), without allocating.
func appendSRTFlags(b []byte, f handshake.SRTFlags) []byte {
	if f == 0 {
		return append(b, '0')
	}
	var names [9]string
	for i, n := range f.Names(names[:0]) {
		if i > 0 {
			b = append(b, '|')
		}
		b = append(b, n...)
	}
	return b
}

// appendReason spells a rejection out: name, code, wire value, libsrt's
// text, our explanation, and whether retrying can help.
func appendReason(b []byte, r reject.Reason) []byte {
	b = append(b, r.Name()...)
	b = append(b, " (code "...)
	b = strconv.AppendInt(b, int64(r), 10)
	b = append(b, ", wire "...)
	b = strconv.AppendInt(b, int64(r.Wire()), 10)
	b = append(b, ") "...)
	b = strconv.AppendQuote(b, r.Text())
	b = append(b, ": "...)
	b = append(b, r.Explain()...)
	if r.Retryable() {
		b = append(b, " Retrying may help."...)
	} else {
		b = append(b, " Retrying will not help."...)
	}
	if u, ok := r.Unshifted(); ok && r.LooksUnshifted() {
		b = append(b, " (This looks like "...)
		b = append(b, u.Name()...)
		b = append(b, " sent without the +1000 wire offset, as some non-libsrt stacks do.)"...)
	}
	return b
}
