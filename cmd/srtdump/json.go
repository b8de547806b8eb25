package main

import (
	"strings"

	"github.com/srtwire/srtwire/capture"
	"github.com/srtwire/srtwire/handshake"
	"github.com/srtwire/srtwire/packet"
	"github.com/srtwire/srtwire/reject"
)

// jsonWriter writes one JSON object per line (-json): per frame, and per
// attempt with -summary. It implements visitor. The keys and their units
// are documented in docs/srtdump-json.md; keys are written in a fixed order.
type jsonWriter struct {
	out   *output
	file  []byte // the capture's name as a JSON string, written when multi
	multi bool
	w     jw
	line  []byte // the buffer w writes into when not out's (see output.startLine)
	exts  bool   // an "extensions" array is open
}

var _ visitor = (*jsonWriter)(nil)

func newJSONWriter(out *output) *jsonWriter {
	return &jsonWriter{out: out, line: make([]byte, 0, 4096)}
}

// setFile sets the capture whose frames are written next, and whether
// lines name it. The name is escaped once here, not on every line (where
// it was 6 % of -json over several FILEs).
func (j *jsonWriter) setFile(name string, multi bool) {
	j.file, j.multi = appendJSONString(j.file[:0], name), multi
}

// start starts a line's object, with the "file" key when several captures
// are read.
func (j *jsonWriter) start() {
	j.w.reset(j.out.startLine(j.line))
	j.w.objStart()
	if j.multi {
		j.w.key("file")
		j.w.b = append(j.w.b, j.file...)
	}
}

// finish ends the line's object and writes the line.
func (j *jsonWriter) finish() {
	w := &j.w
	w.objEnd()
	w.b = append(w.b, '\n')
	j.line = j.out.endLine(w.b, j.line)
}

// begin writes the frame keys. It and data, which most frames go through,
// write their keys as literals (the comma included: a key after the first
// always follows another), which halved the time of -json against the
// generic jw calls.
func (j *jsonWriter) begin(f *capture.Frame, hasHeader bool) {
	j.start()
	w := &j.w
	b := w.b
	if j.multi {
		b = append(b, ',')
	}
	b = append(b, `"frame":`...)
	b = w.frame.append(b, uint64(f.Number))
	b = append(b, `,"time":"`...)
	b = w.tc.append(b, f.Time)
	b = append(b, `","src":"`...)
	b = w.ac.append(b, f.Src)
	b = append(b, `","dst":"`...)
	b = w.ac.append(b, f.Dst)
	b = append(b, `","len":`...)
	b = appendInt(b, int64(f.Len))
	if hasHeader {
		p := &f.Packet
		if p.Control {
			b = append(b, `,"control":true,"kind":"`...)
			b = append(b, p.Kind().String()...)
			b = append(b, `","type":`...)
			b = appendJSONString(b, p.Type.String())
			b = append(b, `,"type_code":`...)
			b = appendInt(b, int64(p.Type))
			b = append(b, `,"subtype":`...)
			b = appendInt(b, int64(p.Subtype))
			b = append(b, `,"info":`...)
			b = appendUint(b, uint64(p.Info))
		} else {
			b = append(b, `,"control":false,"kind":"`...)
			b = append(b, p.Kind().String()...)
			b = append(b, `","type":"DATA"`...)
		}
		b = append(b, `,"timestamp":`...)
		b = appendUint(b, uint64(p.Timestamp))
		b = append(b, `,"dst_socket":`...)
		// A flow's two socket IDs alternate.
		ds := &w.dst[0]
		if ds.ok && ds.v != uint64(p.DstSocket) {
			ds = &w.dst[1]
			if ds.ok && ds.v != uint64(p.DstSocket) {
				w.dst[0], w.dst[1] = w.dst[1], w.dst[0]
			}
		}
		b = ds.append(b, uint64(p.DstSocket))
	}
	w.b = b
	w.more[w.depth] = true
}

func (j *jsonWriter) end(_ bool, fault string, faultOffset int) {
	if fault != "" {
		j.w.str("error", fault)
		j.w.int("error_offset", int64(faultOffset))
	}
	j.finish()
}

func (j *jsonWriter) data(p *packet.Packet, payloadLen int, dec decryptResult, note string) {
	w := &j.w
	b := append(w.b, `,"data":{"seq":`...)
	b = w.seq.append(b, uint64(p.Seq))
	b = append(b, `,"position":"`...)
	b = append(b, p.Position.String()...)
	if p.InOrder {
		b = append(b, `","in_order":true,"key":"`...)
	} else {
		b = append(b, `","in_order":false,"key":"`...)
	}
	b = append(b, p.Key.String()...)
	if p.Retransmitted {
		b = append(b, `","retransmitted":true,"msgno":`...)
	} else {
		b = append(b, `","retransmitted":false,"msgno":`...)
	}
	b = w.msgno.append(b, uint64(p.MsgNo))
	b = append(b, `,"payload_len":`...)
	b = appendInt(b, int64(payloadLen))
	if payloadLen != len(p.Payload) {
		b = append(b, `,"captured_len":`...)
		b = appendInt(b, int64(len(p.Payload)))
	}
	if p.Kind() == packet.KindFEC {
		b = append(b, `,"fec":true`...)
	}
	switch dec {
	case decOK:
		b = append(b, `,"decrypted":true`...)
	case decFailed:
		b = append(b, `,"decrypted":false,"decrypt_error":`...)
		b = appendJSONString(b, strings.TrimPrefix(note, "not decrypted: "))
	}
	w.b = append(b, '}')
}

func (j *jsonWriter) handshake(h *handshake.Handshake) bool {
	w := &j.w
	w.objKey("handshake")
	j.hsFields(h, handshake.CIFSize)
	// The array is there whenever the CIF has room for a block header
	// after the fixed part, even if no block decodes.
	j.exts = len(h.Ext) >= 4
	if j.exts {
		w.arrKey("extensions")
	}
	return true
}

// truncatedHandshake writes the fields that end within the n bytes of the
// CIF captured, and "truncated_at".
func (j *jsonWriter) truncatedHandshake(h *handshake.Handshake, n int) {
	j.w.objKey("handshake")
	j.hsFields(h, n)
	j.w.int("truncated_at", int64(packet.HeaderSize+n))
}

// hsFields writes the fixed fields of h that end within the first n bytes
// of the CIF.
func (j *jsonWriter) hsFields(h *handshake.Handshake, n int) {
	w := &j.w
	if n >= 4 {
		w.uint("version", uint64(h.Version))
	}
	if n >= 8 {
		w.uint("encryption", uint64(h.Encryption))
		w.uint("extension", uint64(h.Extension))
	}
	if n >= 12 {
		w.uint("isn", uint64(h.ISN))
	}
	if n >= 16 {
		w.uint("mtu", uint64(h.MTU))
	}
	if n >= 20 {
		w.uint("flow_window", uint64(h.FlowWindow))
	}
	r, rejected := h.Type.Reason()
	if n >= 24 {
		if rejected {
			w.str("type", "REJECT")
		} else {
			w.str("type", h.Type.String())
		}
		w.int("type_code", int64(h.Type))
	}
	if n >= 28 {
		w.uint("socket_id", uint64(h.SocketID))
	}
	if n >= 32 {
		w.uint("cookie", uint64(h.Cookie))
	}
	if n >= 48 {
		w.key("peer_ip")
		w.b = append(w.b, '"')
		w.b = h.PeerAddr().AppendTo(w.b)
		w.b = append(w.b, '"')
	}
	if n >= 24 && rejected {
		w.reject(r)
	}
}

func (j *jsonWriter) block(t handshake.ExtType) {
	j.w.objStart()
	j.w.str("type", t.String())
	j.w.int("type_code", int64(t))
}

func (j *jsonWriter) blockEnd() { j.w.objEnd() }

func (j *jsonWriter) handshakeEnd() {
	if j.exts {
		j.w.arrEnd()
		j.exts = false
	}
	j.w.objEnd()
}

func (j *jsonWriter) umsg(s packet.Subtype) {
	j.w.objKey("umsg")
	j.w.str("subtype", s.String())
}

func (j *jsonWriter) umsgEnd() { j.w.objEnd() }

func (j *jsonWriter) hsreq(r *handshake.HSReq) {
	w := &j.w
	w.key("srt_version")
	w.b = append(w.b, '"')
	w.b = r.Version.AppendTo(w.b)
	w.b = append(w.b, '"')
	w.uint("flags", uint64(r.Flags))
	w.arrKey("flag_names")
	var names [9]string
	for _, n := range r.Flags.Names(names[:0]) {
		w.elemStr(n)
	}
	w.arrEnd()
	w.uint("rcv_tsbpd_delay", uint64(r.RecvDelay))
	w.uint("snd_tsbpd_delay", uint64(r.SendDelay))
}

func (j *jsonWriter) keyMaterial(k *handshake.KeyMaterial) {
	w := &j.w
	w.objKey("km")
	w.int("kk", int64(k.Keys))
	w.str("cipher", k.Cipher.String())
	w.int("auth", int64(k.Auth))
	w.int("se", int64(k.SE))
	w.int("salt_len", int64(k.SaltLen))
	w.int("key_len", int64(k.KeyLen))
	w.objEnd()
}

// passphrase writes the verdict on the key material just written.
func (j *jsonWriter) passphrase(no int) {
	if no == 0 {
		j.w.str("passphrase", "mismatch")
		return
	}
	j.w.str("passphrase", "match")
	j.w.int("passphrase_no", int64(no))
}

func (j *jsonWriter) kmState(s handshake.KMState) { j.w.str("km_state", s.String()) }
func (j *jsonWriter) str(key string, s []byte, cut bool) {
	j.w.bytesStr(key, s)
	if cut {
		j.w.bool("truncated", true)
	}
}

func (j *jsonWriter) group(g *handshake.Group) {
	w := &j.w
	w.uint("group_id", uint64(g.ID))
	w.str("group_type", g.Type.String())
	w.uint("group_flags", uint64(g.Flags))
	w.uint("weight", uint64(g.Weight))
}

func (j *jsonWriter) words(n int, _ bool) { j.w.int("words", int64(n)) }

func (j *jsonWriter) ack(no uint32, v packet.ACKVariant, last packet.SeqNumber) {
	w := &j.w
	w.objKey("ack")
	w.uint("ack_no", uint64(no))
	w.str("variant", v.String())
	w.uint("last_ack_seq", uint64(last))
}

func (j *jsonWriter) ackField(f *ackField, v uint32) {
	j.w.b = append(j.w.b, f.jkey...) // after "last_ack_seq"
	j.w.b = appendUint(j.w.b, uint64(v))
}
func (j *jsonWriter) ackEnd() { j.w.objEnd() }

func (j *jsonWriter) nak() {
	j.w.objKey("nak")
	j.w.arrKey("losses")
}

func (j *jsonWriter) loss(_ int, lo, hi packet.SeqNumber, _ bool) {
	w := &j.w
	w.arrStart()
	w.elemInt(int64(lo))
	w.elemInt(int64(hi))
	w.arrEnd()
}

func (j *jsonWriter) nakEnd(int) {
	j.w.arrEnd()
	j.w.objEnd()
}

func (j *jsonWriter) dropReq(msgno packet.MsgNumber, first, last packet.SeqNumber) {
	w := &j.w
	w.objKey("dropreq")
	w.uint("msgno", uint64(msgno))
	w.uint("first_seq", uint64(first))
	w.uint("last_seq", uint64(last))
	w.objEnd()
}

// The ACKACK's number is the header's "info".
func (j *jsonWriter) ackack(uint32) {}

// peerError names the PEERERROR's code (also the header's "info").
func (j *jsonWriter) peerError(code uint32) {
	w := &j.w
	w.objKey("peer_error")
	w.uint("code", uint64(code))
	if code == packet.PeerErrorFile {
		w.str("name", "SRT_EFILE")
	}
	w.objEnd()
}

// reject writes a rejection reason as the "reject" object.
func (w *jw) reject(r reject.Reason) {
	w.objKey("reject")
	w.int("code", int64(r))
	w.int("wire", int64(r.Wire()))
	w.str("name", r.Name())
	w.str("category", categoryName(r.Category()))
	w.str("text", r.Text())
	w.bool("retryable", r.Retryable())
	if u, ok := r.Unshifted(); ok && r.LooksUnshifted() {
		w.objKey("unshifted")
		w.int("code", int64(u))
		w.str("name", u.Name())
		w.objEnd()
	}
	w.objEnd()
}

// categoryName is the JSON schema's name of a reason's category:
// internal, predefined or user (the library says "user-defined").
func categoryName(c reject.Category) string {
	switch c {
	case reject.Internal:
		return "internal"
	case reject.Predefined:
		return "predefined"
	}
	return "user"
}
