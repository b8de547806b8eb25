package main

import (
	"strconv"
	"time"

	"github.com/srtwire/srtwire/capture"
	"github.com/srtwire/srtwire/handshake"
	"github.com/srtwire/srtwire/internal/report"
	"github.com/srtwire/srtwire/packet"
	"github.com/srtwire/srtwire/reject"
)

// textWriter writes one line per frame (the default output). It implements
// visitor.
//
//	frame time  src > dst  TYPE  body [ts=timestamp] [!! error (byte offset)]
type textWriter struct {
	out   *output
	file  string // the capture's name, shown when multi
	multi bool
	b     []byte      // the line being written
	own   []byte      // where lines are written when not in out's buffer (see output.startLine)
	num   []byte      // scratch: the frame number
	src   []byte      // scratch: the source address
	dst   []byte      // scratch: the destination address
	addrW int         // address column width (grows with the widest address seen)
	kind  packet.Kind // the current frame's kind
	ts    uint32      // the current frame's timestamp
	dstID uint32      // the current frame's destination socket ID
	body  int         // where the current line's body starts in b

	// -x: the bytes to dump under the line, and the offset of hex[0] in
	// the datagram. Set by the dumper before each frame.
	hexOn  bool
	hex    []byte
	hexOff int
	// decNote is "decrypted", or why an encrypted payload was not, when
	// passphrases were given; "" when there is nothing to say. nPass is
	// the number of passphrases.
	decNote string
	nPass   int

	// -t: the time format, the zone of absolute times, the time of the
	// current capture's first SRT frame (rel), the previous line's time
	// (delta) and the date of the previous line (local, utc).
	tfmt  timeFormat
	loc   *time.Location
	t0    time.Time
	prev  time.Time
	day   int
	lines int // lines written for the current capture (delta)

	// tsec and tprefix: the second of the last local time written and its
	// "15:04:05." (time formatting was a fifth of the text output's time).
	tsec    int64
	tvalid  bool
	tprefix []byte
	ac      addrCache
	// si remembers the last value written of each ACK rate field and its
	// text (appendSI formats a float).
	si [len(ackFields)]struct {
		v uint32
		s []byte
	}
}

// timeFormat is a -t value.
type timeFormat uint8

const (
	timeLocal timeFormat = iota // time of day in loc, the date on the first line and when it changes
	timeRel                     // seconds since t0
	timeDelta                   // seconds since the previous line
)

var _ visitor = (*textWriter)(nil)

func newTextWriter(out *output) *textWriter {
	return &textWriter{out: out, own: make([]byte, 0, 4096), num: make([]byte, 0, 20), tprefix: make([]byte, 0, 16),
		src: make([]byte, 0, 64), dst: make([]byte, 0, 64), addrW: 15, loc: time.Local}
}

func (t *textWriter) begin(f *capture.Frame, hasHeader bool) {
	b := t.out.startLine(t.own)
	if t.multi {
		b = append(b, t.file...)
		b = append(b, ':')
	}
	t.num = appendInt(t.num[:0], int64(f.Number))
	b = appendPad(b, t.num, 6, true)
	b = append(b, ' ')
	b = t.appendTime(b, f.Time)
	b = append(b, ' ', ' ')
	t.src, t.dst = t.ac.append(t.src[:0], f.Src), t.ac.append(t.dst[:0], f.Dst)
	t.addrW = max(t.addrW, len(t.src), len(t.dst))
	b = appendPad(b, t.src, t.addrW, true)
	b = append(b, " > "...)
	b = appendPad(b, t.dst, t.addrW, false)
	b = append(b, ' ', ' ')
	p := &f.Packet
	t.kind, t.ts, t.dstID = p.Kind(), p.Timestamp, p.DstSocket
	b = appendType(b, hasHeader, p)
	t.b, t.body = b, len(b)
}

// appendTime appends the TIME column in the -t format.
func (t *textWriter) appendTime(b []byte, ts time.Time) []byte {
	switch t.tfmt {
	case timeRel:
		return appendSeconds(b, ts.Sub(t.t0))
	case timeDelta:
		d := time.Duration(0)
		if t.lines > 0 {
			d = ts.Sub(t.prev)
		}
		t.prev = ts
		t.lines++
		return appendSeconds(b, d)
	}
	sec := ts.Unix()
	if t.tvalid && sec == t.tsec {
		b = append(b, t.tprefix...)
		return appendMicros(b, ts.Nanosecond()/1000, false)
	}
	lt := ts.In(t.loc)
	t.tsec, t.tvalid = sec, true
	t.tprefix = lt.AppendFormat(t.tprefix[:0], "15:04:05.")
	y, m, dd := lt.Date()
	if day := y*10000 + int(m)*100 + dd; day != t.day {
		// The first line, and the first of a new day, say which day it is
		// and in which zone.
		t.day = day
		return lt.AppendFormat(b, "2006-01-02 15:04:05.000000 MST")
	}
	return lt.AppendFormat(b, "15:04:05.000000")
}

// appendSeconds appends d in seconds with microseconds, right-aligned in
// the 15 columns of a time of day.
func appendSeconds(b []byte, d time.Duration) []byte {
	var num [32]byte
	n := strconv.AppendFloat(num[:0], d.Seconds(), 'f', 6, 64)
	return appendPad(b, n, 15, true)
}

// typeWidth is the width of the TYPE column, the separating space
// included: the longest name (HANDSHAKE, KEEPALIVE, ...) is 9 bytes, an
// unknown type (CTL_0x0021) 10.
const typeWidth = 11

// appendType appends the TYPE column: DATA, the control type's name,
// CTL_0xNNNN for a type libsrt does not define, or ERROR for a frame
// without an SRT header; padded to typeWidth.
func appendType(b []byte, hasHeader bool, p *packet.Packet) []byte {
	start := len(b)
	switch {
	case !hasHeader:
		b = append(b, "ERROR"...)
	case !p.Control:
		b = append(b, "DATA"...)
	case p.Kind() == packet.KindUnknown:
		b = append(b, "CTL_0x"...)
		v := uint16(p.Type)
		for s := 12; s >= 0; s -= 4 {
			b = append(b, hexDigits[v>>uint(s)&0xF])
		}
	default:
		b = append(b, p.Type.String()...)
	}
	if len(b)-start > typeWidth-1 {
		b = b[:start+typeWidth-1]
	}
	for len(b)-start < typeWidth {
		b = append(b, ' ')
	}
	return b
}

// sep appends the space between two items of the body, none before the
// first, so that every body starts in the same column.
func (t *textWriter) sep(b []byte) []byte {
	if len(b) > t.body {
		b = append(b, ' ')
	}
	return b
}

func (t *textWriter) end(bodyShown bool, fault string, faultOffset int) {
	b := t.b
	// A handshake line is long enough without the timestamp.
	if bodyShown && t.kind != packet.KindHandshake {
		b = append(t.sep(b), "ts="...)
		b = appendUint(b, uint64(t.ts))
	}
	if fault != "" {
		if len(b) > t.body {
			b = append(b, ' ')
		}
		b = append(t.sep(b), "!! "...)
		b = append(b, fault...)
		b = append(b, " (byte "...)
		b = strconv.AppendInt(b, int64(faultOffset), 10)
		b = append(b, ')')
	}
	if t.decNote != "" {
		b = append(t.sep(b), '[')
		b = append(b, t.decNote...)
		b = append(b, ']')
		t.decNote = ""
	}
	b = append(b, '\n')
	if t.hexOn {
		b = appendHexDump(b, t.hex, t.hexOff)
	}
	t.own = t.out.endLine(b, t.own)
	t.b = nil
}

// appendHexDump appends data as tcpdump -X does: 16 bytes a line, in
// groups of two, then the bytes as ASCII ('.' for anything else), each
// line indented by a tab and headed by the offset of its first byte (off
// is the offset of data[0]).
func appendHexDump(b []byte, data []byte, off int) []byte {
	for i := 0; i < len(data); i += 16 {
		line := data[i:min(i+16, len(data))]
		b = append(b, "\t0x"...)
		o := uint32(off + i)
		for s := 12; s >= 0; s -= 4 {
			b = append(b, hexDigits[o>>uint(s)&0xF])
		}
		b = append(b, ": "...)
		for j := 0; j < 16; j++ {
			if j%2 == 0 {
				b = append(b, ' ')
			}
			if j < len(line) {
				b = append(b, hexDigits[line[j]>>4], hexDigits[line[j]&0xF])
			} else {
				b = append(b, ' ', ' ')
			}
		}
		b = append(b, ' ', ' ')
		for _, c := range line {
			if c < 0x20 || c > 0x7e {
				c = '.'
			}
			b = append(b, c)
		}
		b = append(b, '\n')
	}
	return b
}

func (t *textWriter) data(p *packet.Packet, payloadLen int, _ decryptResult, note string) {
	t.decNote = note
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
	b = appendNum(b, " len=", uint64(payloadLen))
	if payloadLen != len(p.Payload) {
		b = appendNum(b, " (", uint64(len(p.Payload)))
		b = append(b, " captured)"...)
	}
	t.b = b
}

func (t *textWriter) handshake(h *handshake.Handshake) bool {
	b := t.b
	if r, ok := h.Type.Reason(); ok {
		b = append(b, "REJECT "...)
		t.b = appendReason(b, r)
		return false
	}
	b = append(b, h.Type.String()...)
	t.b = t.hsFields(b, h, handshake.CIFSize)
	return true
}

// truncatedHandshake writes the fields of the first n bytes of the CIF,
// then what is missing and where the bytes end.
func (t *textWriter) truncatedHandshake(h *handshake.Handshake, n int) {
	b := t.b
	if n >= 24 {
		if r, ok := h.Type.Reason(); ok {
			b = append(b, "REJECT "...)
			b = append(b, r.Name()...)
		} else {
			b = append(b, h.Type.String()...)
		}
	} else {
		b = append(b, '?')
	}
	b = t.hsFields(b, h, n)
	b = appendNum(b, " [truncated at byte ", uint64(packet.HeaderSize+n))
	b = append(b, ": no "...)
	first := true
	for _, f := range hsFieldNames {
		if f.end > n {
			if !first {
				b = append(b, ", "...)
			}
			first = false
			b = append(b, f.name...)
		}
	}
	t.b = append(b, ']')
}

// hsFieldNames are the text names of the fixed handshake fields, and the
// CIF byte at which each ends.
var hsFieldNames = [...]struct {
	name string
	end  int
}{{"version", 4}, {"ext", 8}, {"isn", 12}, {"mtu", 16}, {"win", 20}, {"type", 24}, {"sock", 28}, {"cookie", 32}, {"peer", 48}}

// hsFields writes the fixed fields of h that end within the first n bytes
// of the CIF, and the header's destination socket.
func (t *textWriter) hsFields(b []byte, h *handshake.Handshake, n int) []byte {
	if n >= 4 {
		b = appendNum(b, " v", uint64(h.Version))
	}
	if n >= 8 {
		if h.Version == handshake.Version4 {
			b = appendNum(b, " socktype=", uint64(h.TypeWord()))
		} else {
			if kl := h.KeyLen(); kl > 0 {
				b = appendNum(b, " enc=AES-", uint64(kl*8))
			}
			b = append(b, " ext="...)
			b = append(b, h.Flags().String()...)
		}
	}
	if n >= 12 {
		b = appendNum(b, " isn=", uint64(h.ISN))
	}
	if n >= 16 {
		b = appendNum(b, " mtu=", uint64(h.MTU))
	}
	if n >= 20 {
		b = appendNum(b, " win=", uint64(h.FlowWindow))
	}
	if n >= 28 {
		b = append(b, " sock=0x"...)
		b = appendHex32(b, h.SocketID)
	}
	b = append(b, " dst=0x"...)
	b = appendHex32(b, t.dstID)
	if n >= 32 {
		b = append(b, " cookie=0x"...)
		b = appendHex32(b, h.Cookie)
	}
	if n >= 48 {
		b = append(b, " peer="...)
		b = h.PeerAddr().AppendTo(b)
	}
	return b
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

// passphrase writes the verdict on the key material: "passphrase ok" (with
// the passphrase's number when several were given) or "PASSPHRASE
// MISMATCH".
func (t *textWriter) passphrase(no int) {
	switch {
	case no == 0:
		t.b = append(t.b, " PASSPHRASE MISMATCH"...)
	case t.nPass > 1:
		t.b = appendNum(t.b, " passphrase #", uint64(no))
		t.b = append(t.b, " ok"...)
	default:
		t.b = append(t.b, " passphrase ok"...)
	}
}

func (t *textWriter) kmState(s handshake.KMState) {
	t.b = append(t.b, " state="...)
	t.b = append(t.b, s.String()...)
}

func (t *textWriter) str(_ string, s []byte, cut bool) {
	t.b = append(t.b, ' ')
	t.b = strconv.AppendQuote(t.b, string(s))
	if cut {
		t.b = append(t.b, "... (cut at libsrt's limit)"...)
	}
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
	b := t.b
	// A light ACK has no number (libsrt sends 0 and expects no ACKACK).
	if v != packet.ACKLight || no != 0 {
		b = appendNum(b, "#", uint64(no))
		b = append(b, ' ')
	}
	b = append(b, v.String()...)
	t.b = appendNum(b, " ack=", uint64(last))
}

// ackField writes " label=value" and the unit; rates in SI units (kB/s,
// MB/s, kpkt/s, ...).
func (t *textWriter) ackField(f *ackField, v uint32) {
	t.b = append(t.b, ' ')
	t.b = append(t.b, f.label...)
	t.b = append(t.b, '=')
	switch f.unit {
	case "B/s", "pkt/s":
		c := &t.si[f.idx]
		if c.s == nil || c.v != v {
			c.v, c.s = v, report.AppendSI(c.s[:0], uint64(v), f.unit)
		}
		t.b = append(t.b, c.s...)
	default:
		t.b = appendUint(t.b, uint64(v))
		t.b = append(t.b, f.unit...)
	}
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
	return appendUint(b, v)
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
