package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"path"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/srtwire/srtwire/handshake"
	"github.com/srtwire/srtwire/packet"
	"github.com/srtwire/srtwire/pcap"
	"github.com/srtwire/srtwire/reject"
)

type dumper struct {
	cfg     *config
	out     *bufio.Writer
	errw    io.Writer
	multi   bool
	printed int
	w       jw
	line    []byte
	addrW   int
	km      handshake.KeyMaterial
	str     []byte // see scratch
}

func newDumper(cfg *config, out *bufio.Writer, errw io.Writer) *dumper {
	return &dumper{cfg: cfg, out: out, errw: errw, line: make([]byte, 0, 4096), addrW: 15, str: make([]byte, 0, 1024)}
}

func (d *dumper) done() bool { return d.cfg.count > 0 && d.printed >= d.cfg.count }

// file decodes one capture and returns the exit status for it.
func (d *dumper) file(name string, in io.Reader, size int64, isFile bool) int {
	r, err := pcap.NewReader(in, &pcap.Options{Ports: d.cfg.ports})
	if err != nil {
		fmt.Fprintf(d.errw, "srtdump: %s: %v\n", name, err)
		return 1
	}
	defer r.Close()
	prog := progress{w: d.errw, start: time.Now(), size: size}
	switch d.cfg.progress {
	case "always":
		prog.on = true
	case "auto":
		prog.on = isTerminal(d.errw) && (size > 16<<20 || (size < 0 && !isFile))
	}
	tr := pcap.NewTracker()
	n := 0
	for r.Next() && !d.done() {
		f := r.Frame()
		a := tr.Add(f)
		if n++; n&1023 == 0 {
			prog.update(r.Stats())
		}
		if d.cfg.summary || !d.match(f, a) {
			continue
		}
		if d.cfg.json {
			d.jsonPacket(name, f)
		} else {
			d.textPacket(name, f)
		}
		d.printed++
		if !isFile {
			d.out.Flush() // a live pipe: show each packet as it arrives
		}
	}
	prog.finish()
	if d.cfg.summary {
		d.printed = 0
		d.summaryOut(name, tr.Attempts())
	}
	st := r.Stats()
	if err := r.Err(); err != nil {
		d.out.Flush()
		fmt.Fprintf(d.errw, "srtdump: %s: %v\n", name, err)
		return 1
	}
	if st.SRT == 0 {
		d.out.Flush()
		hint := " (if SRT runs there, name its port with -port)"
		fmt.Fprintf(d.errw, "srtdump: %s: no SRT traffic found in %d frames%s\n", name, st.Frames, hint)
	}
	return 0
}

func (d *dumper) match(f *pcap.Frame, a *pcap.Attempt) bool {
	p := &f.Packet
	if d.cfg.rejects && !(f.Err == nil && p.Control && p.Type == packet.TypeHandshake && p.Handshake.Type.IsRejection()) {
		return false
	}
	if d.cfg.types != nil && (f.Fragment || len(f.Data) < packet.HeaderSize || !d.cfg.types[kindName(p)]) {
		return false
	}
	if d.cfg.streamID != "" {
		if a == nil {
			return false
		}
		if ok, _ := path.Match(d.cfg.streamID, a.StreamID); !ok {
			return false
		}
	}
	return true
}

// diagnose explains a frame's decode error and where in the datagram it is.
func diagnose(f *pcap.Frame) (string, int) {
	p := &f.Packet
	switch {
	case f.Fragment:
		return f.Err.Error(), 0
	case len(f.Data) < packet.HeaderSize:
		return fmt.Sprintf("packet: %d-byte datagram is shorter than the 16-byte SRT header", len(f.Data)), len(f.Data)
	case errors.Is(f.Err, handshake.ErrExtLength):
		it := p.Handshake.Extensions()
		for it.Next() {
		}
		var e *handshake.ExtError
		if errors.As(it.Detail(), &e) {
			return e.Error(), packet.HeaderSize + e.Offset
		}
	case p.Control && p.Type == packet.TypeHandshake && errors.Is(f.Err, handshake.ErrTruncated):
		return fmt.Sprintf("handshake: CIF of %d bytes is shorter than the fixed 48", len(f.Data)-packet.HeaderSize), len(f.Data)
	case p.Control && p.Type == packet.TypeNAK:
		c := p.NAK.Losses()
		for c.Next() {
		}
		if c.Err() != nil {
			return c.Err().Error(), packet.HeaderSize + c.Offset()
		}
	case errors.Is(f.Err, pcap.ErrSnapTruncated):
		return fmt.Sprintf("%v: %d of %d bytes captured", f.Err, len(f.Data), f.Len), len(f.Data)
	}
	return f.Err.Error(), packet.HeaderSize
}

// ---- JSON Lines ----

func (d *dumper) jsonPacket(file string, f *pcap.Frame) {
	w := &d.w
	w.reset(d.line)
	w.objStart()
	if d.multi {
		w.str("file", file)
	}
	w.int("frame", int64(f.Number))
	w.time("time", f.Time)
	w.key("src")
	w.b = appendAddrJSON(w.b, f.Src)
	w.key("dst")
	w.b = appendAddrJSON(w.b, f.Dst)
	w.int("len", int64(f.Len))
	p := &f.Packet
	if len(f.Data) >= packet.HeaderSize && !f.Fragment {
		w.bool("control", p.Control)
		if p.Control {
			w.str("type", p.Type.String())
			w.int("type_code", int64(p.Type))
			w.int("subtype", int64(p.Subtype))
			w.uint("info", uint64(p.Info))
		} else {
			w.str("type", "DATA")
		}
		w.uint("timestamp", uint64(p.Timestamp))
		w.uint("dst_socket", uint64(p.DstSocket))
		d.jsonBody(f)
	}
	if f.Err != nil {
		msg, off := diagnose(f)
		w.str("error", msg)
		w.int("error_offset", int64(off))
	}
	w.objEnd()
	w.b = append(w.b, '\n')
	d.out.Write(w.b)
	d.line = w.b
}

func appendAddrJSON(b []byte, a netip.AddrPort) []byte {
	b = append(b, '"')
	b = a.AppendTo(b)
	return append(b, '"')
}

func (d *dumper) jsonBody(f *pcap.Frame) {
	w := &d.w
	p := &f.Packet
	if !p.Control {
		w.objKey("data")
		w.uint("seq", uint64(p.Seq))
		w.str("position", p.Position.String())
		w.bool("in_order", p.InOrder)
		w.str("key", p.Key.String())
		w.bool("retransmitted", p.Retransmitted)
		w.uint("msgno", uint64(p.MsgNo))
		w.int("payload_len", int64(len(p.Payload)))
		if p.IsFEC() {
			w.bool("fec", true)
		}
		w.objEnd()
		return
	}
	switch p.Type {
	case packet.TypeHandshake:
		d.jsonHandshake(&p.Handshake)
	case packet.TypeACK:
		if f.Err != nil {
			return
		}
		a := &p.ACK
		w.objKey("ack")
		w.uint("ack_no", uint64(p.Info))
		w.str("variant", a.Variant.String())
		w.uint("last_ack_seq", uint64(a.LastAckSeq))
		if a.Variant >= packet.ACKSmall {
			w.uint("rtt", uint64(a.RTT))
			w.uint("rtt_var", uint64(a.RTTVar))
			w.uint("avail_buf", uint64(a.AvailBuf))
		}
		if a.Variant >= packet.ACKFull24 {
			w.uint("pkt_rate", uint64(a.PktRate))
			w.uint("bandwidth", uint64(a.Bandwidth))
		}
		if a.Variant >= packet.ACKFull {
			w.uint("recv_rate", uint64(a.RecvRate))
		}
		w.objEnd()
	case packet.TypeNAK:
		w.objKey("nak")
		w.arrKey("losses")
		c := p.NAK.Losses()
		for c.Next() {
			lo, hi := c.Range()
			w.arrStart()
			w.elemInt(int64(lo))
			w.elemInt(int64(hi))
			w.arrEnd()
		}
		w.arrEnd()
		w.objEnd()
	case packet.TypeDropReq:
		if f.Err != nil {
			return
		}
		w.objKey("dropreq")
		w.uint("msgno", uint64(p.DropMsgNo()))
		w.uint("first_seq", uint64(p.DropReq.First))
		w.uint("last_seq", uint64(p.DropReq.Last))
		w.objEnd()
	case packet.TypeUserDefined:
		w.objKey("umsg")
		w.str("subtype", p.Subtype.String())
		switch p.Subtype {
		case packet.SubtypeKMReq, packet.SubtypeKMRsp:
			if p.IsKMState() {
				if st, err := p.KMState(); err == nil {
					w.str("km_state", st.String())
				}
			} else if p.KeyMaterial(&d.km) == nil {
				d.jsonKM(&d.km)
			}
		case packet.SubtypeHSReq, packet.SubtypeHSRsp:
			var r handshake.HSReq
			if p.HSReq(&r) == nil {
				d.jsonHSReq(&r)
			}
		}
		w.objEnd()
	}
}

func (d *dumper) jsonKM(k *handshake.KeyMaterial) {
	w := &d.w
	w.objKey("km")
	w.int("kk", int64(k.Keys))
	w.str("cipher", k.Cipher.String())
	w.int("auth", int64(k.Auth))
	w.int("se", int64(k.SE))
	w.int("salt_len", int64(k.SaltLen))
	w.int("key_len", int64(k.KeyLen))
	w.objEnd()
}

func (d *dumper) jsonHSReq(r *handshake.HSReq) {
	w := &d.w
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

func (d *dumper) jsonHandshake(h *handshake.Handshake) {
	w := &d.w
	w.objKey("handshake")
	w.uint("version", uint64(h.Version))
	w.uint("encryption", uint64(h.Encryption))
	w.uint("extension", uint64(h.Extension))
	w.uint("isn", uint64(h.ISN))
	w.uint("mtu", uint64(h.MTU))
	w.uint("flow_window", uint64(h.FlowWindow))
	r, rejected := h.Type.Reason()
	if rejected {
		w.str("type", "REJECT")
	} else {
		w.str("type", h.Type.String())
	}
	w.int("type_code", int64(h.Type))
	w.uint("socket_id", uint64(h.SocketID))
	w.uint("cookie", uint64(h.Cookie))
	w.key("peer_ip")
	w.b = append(w.b, '"')
	w.b = h.PeerAddr().AppendTo(w.b)
	w.b = append(w.b, '"')
	if rejected {
		jsonReject(w, r)
	}
	if len(h.Ext) >= 4 {
		w.arrKey("extensions")
		it := h.Extensions()
		for it.Next() {
			w.objStart()
			w.str("type", it.Type().String())
			w.int("type_code", int64(it.Type()))
			v := it.Value()
			switch it.Type() {
			case handshake.ExtHSReq, handshake.ExtHSRsp:
				var r handshake.HSReq
				if r.Decode(v) == nil {
					d.jsonHSReq(&r)
				}
			case handshake.ExtSID:
				d.str = handshake.AppendString(d.scratch(), v)
				w.bytesStr("stream_id", d.str)
			case handshake.ExtCongestion:
				d.str = handshake.AppendString(d.scratch(), v)
				w.bytesStr("congestion", d.str)
			case handshake.ExtFilter:
				d.str = handshake.AppendString(d.scratch(), v)
				w.bytesStr("filter", d.str)
			case handshake.ExtKMReq, handshake.ExtKMRsp:
				if it.Type() == handshake.ExtKMRsp && len(v) == 4 {
					st, _ := handshake.DecodeKMState(v)
					w.str("km_state", st.String())
				} else if d.km.Decode(v) == nil {
					d.jsonKM(&d.km)
				} else {
					w.int("words", int64(it.Words()))
				}
			case handshake.ExtGroup:
				var g handshake.Group
				if g.Decode(v) == nil {
					w.uint("group_id", uint64(g.ID))
					w.str("group_type", g.Type.String())
					w.uint("group_flags", uint64(g.Flags))
					w.uint("weight", uint64(g.Weight))
				}
			default:
				w.int("words", int64(it.Words()))
			}
			w.objEnd()
		}
		w.arrEnd()
	}
	w.objEnd()
}

// scratch returns an empty buffer for decoding a string extension (at
// most 65535 words; Stream IDs are at most 512 bytes in practice).
func (d *dumper) scratch() []byte { return d.str[:0] }

func jsonReject(w *jw, r reject.Reason) {
	w.objKey("reject")
	w.int("code", int64(r))
	w.int("wire", int64(r.Wire()))
	w.str("name", r.Name())
	w.str("category", r.Category().String())
	w.str("text", r.Text())
	w.bool("retryable", r.Retryable())
	w.objEnd()
}

// ---- text ----

func (d *dumper) textPacket(file string, f *pcap.Frame) {
	b := d.line[:0]
	if d.multi {
		b = append(b, file...)
		b = append(b, ':')
	}
	b = appendPad(b, strconv.Itoa(f.Number), 6, true)
	b = append(b, ' ')
	b = f.Time.UTC().AppendFormat(b, "15:04:05.000000")
	b = append(b, ' ', ' ')
	src, dst := f.Src.String(), f.Dst.String()
	if len(src) > d.addrW {
		d.addrW = len(src)
	}
	if len(dst) > d.addrW {
		d.addrW = len(dst)
	}
	b = appendPad(b, src, d.addrW, true)
	b = append(b, " > "...)
	b = appendPad(b, dst, d.addrW, false)
	b = append(b, ' ', ' ')
	p := &f.Packet
	switch {
	case f.Fragment || len(f.Data) < packet.HeaderSize:
		b = appendPad(b, "ERROR", 11, false)
	case !p.Control:
		b = appendPad(b, "DATA", 11, false)
		b = d.textData(b, p)
	default:
		b = appendPad(b, p.Type.String(), 11, false)
		b = d.textControl(b, f)
	}
	if f.Err != nil {
		msg, off := diagnose(f)
		b = append(b, "  !! "...)
		b = append(b, msg...)
		b = append(b, " (byte "...)
		b = strconv.AppendInt(b, int64(off), 10)
		b = append(b, ')')
	}
	b = append(b, '\n')
	d.out.Write(b)
	d.line = b
}

func appendPad(b []byte, s string, n int, right bool) []byte {
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

func (d *dumper) textData(b []byte, p *packet.Packet) []byte {
	b = appendNum(b, "seq=", uint64(p.Seq))
	b = appendNum(b, " msgno=", uint64(p.MsgNo))
	b = append(b, ' ')
	b = append(b, p.Position.String()...)
	if p.Key != 0 {
		b = append(b, " key="...)
		b = append(b, p.Key.String()...)
	}
	if p.InOrder {
		b = append(b, " in-order"...)
	}
	if p.Retransmitted {
		b = append(b, " RETRANSMITTED"...)
	}
	if p.IsFEC() {
		b = append(b, " FEC"...)
	}
	b = append(b, " len="...)
	b = strconv.AppendInt(b, int64(len(p.Payload)), 10)
	b = append(b, " ts="...)
	return strconv.AppendUint(b, uint64(p.Timestamp), 10)
}

func (d *dumper) textControl(b []byte, f *pcap.Frame) []byte {
	p := &f.Packet
	switch p.Type {
	case packet.TypeHandshake:
		return d.textHandshake(b, &p.Handshake)
	case packet.TypeACK:
		if f.Err != nil {
			return b
		}
		a := &p.ACK
		b = append(b, '#')
		b = strconv.AppendUint(b, uint64(p.Info), 10)
		b = append(b, ' ')
		b = append(b, a.Variant.String()...)
		b = appendNum(b, " ack=", uint64(a.LastAckSeq))
		if a.Variant >= packet.ACKSmall {
			b = appendNum(b, " rtt=", uint64(a.RTT))
			b = appendNum(b, "us var=", uint64(a.RTTVar))
			b = appendNum(b, "us buf=", uint64(a.AvailBuf))
		}
		if a.Variant >= packet.ACKFull24 {
			b = appendNum(b, " rate=", uint64(a.PktRate))
			b = appendNum(b, "pkt/s bw=", uint64(a.Bandwidth))
			b = append(b, "pkt/s"...)
		}
		if a.Variant >= packet.ACKFull {
			b = appendNum(b, " recv=", uint64(a.RecvRate))
			b = append(b, "B/s"...)
		}
	case packet.TypeNAK:
		b = append(b, "lost"...)
		c := p.NAK.Losses()
		n := 0
		for c.Next() {
			lo, hi := c.Range()
			if n > 0 {
				b = append(b, ',')
			}
			b = append(b, ' ')
			b = strconv.AppendUint(b, uint64(lo), 10)
			if c.IsRange() {
				b = append(b, '-')
				b = strconv.AppendUint(b, uint64(hi), 10)
			}
			n += lo.Len(hi)
		}
		b = append(b, " ("...)
		b = strconv.AppendInt(b, int64(n), 10)
		b = append(b, " packet"...)
		if n != 1 {
			b = append(b, 's')
		}
		b = append(b, ')')
	case packet.TypeACKACK:
		b = append(b, '#')
		b = strconv.AppendUint(b, uint64(p.Info), 10)
	case packet.TypeDropReq:
		if f.Err != nil {
			return b
		}
		b = appendNum(b, "msgno=", uint64(p.DropMsgNo()))
		b = appendNum(b, " seq=", uint64(p.DropReq.First))
		b = append(b, '-')
		b = strconv.AppendUint(b, uint64(p.DropReq.Last), 10)
	case packet.TypePeerError:
		b = appendNum(b, "code=", uint64(p.Info))
		if p.Info == packet.PeerErrorFile {
			b = append(b, " (SRT_EFILE: the peer failed to write the file)"...)
		}
	case packet.TypeUserDefined:
		b = append(b, p.Subtype.String()...)
		switch p.Subtype {
		case packet.SubtypeKMReq, packet.SubtypeKMRsp:
			if p.IsKMState() {
				if st, err := p.KMState(); err == nil {
					b = append(b, " state="...)
					b = append(b, st.String()...)
				}
			} else if p.KeyMaterial(&d.km) == nil {
				b = appendKM(b, &d.km)
			}
		case packet.SubtypeHSReq, packet.SubtypeHSRsp:
			var r handshake.HSReq
			if p.HSReq(&r) == nil {
				b = appendHSReq(b, &r)
			}
		}
	}
	b = append(b, " ts="...)
	return strconv.AppendUint(b, uint64(p.Timestamp), 10)
}

func appendKM(b []byte, k *handshake.KeyMaterial) []byte {
	b = append(b, ' ')
	b = append(b, k.Cipher.String()...)
	b = append(b, '-')
	b = strconv.AppendInt(b, int64(k.KeyBits()), 10)
	b = append(b, " keys="...)
	return append(b, k.Keys.String()...)
}

func appendHSReq(b []byte, r *handshake.HSReq) []byte {
	b = append(b, " v"...)
	b = r.Version.AppendTo(b)
	b = appendNum(b, " latency=", uint64(r.RecvDelay))
	b = append(b, '/')
	b = strconv.AppendUint(b, uint64(r.SendDelay), 10)
	b = append(b, "ms flags="...)
	return append(b, r.Flags.String()...)
}

func (d *dumper) textHandshake(b []byte, h *handshake.Handshake) []byte {
	if r, ok := h.Type.Reason(); ok {
		b = append(b, "REJECT "...)
		b = appendReason(b, r)
		return b
	}
	b = append(b, h.Type.String()...)
	b = appendNum(b, " v", uint64(h.Version))
	if h.Version == handshake.Version4 {
		b = appendNum(b, " socktype=", uint64(h.TypeWord()))
	} else {
		if kl := h.KeyLen(); kl > 0 {
			b = append(b, " enc=AES-"...)
			b = strconv.AppendInt(b, int64(kl*8), 10)
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
	b = h.PeerAddr().AppendTo(b)
	it := h.Extensions()
	for it.Next() {
		b = append(b, " | "...)
		b = append(b, it.Type().String()...)
		v := it.Value()
		switch it.Type() {
		case handshake.ExtHSReq, handshake.ExtHSRsp:
			var r handshake.HSReq
			if r.Decode(v) == nil {
				b = appendHSReq(b, &r)
			}
		case handshake.ExtSID, handshake.ExtCongestion, handshake.ExtFilter:
			b = append(b, ' ')
			d.str = handshake.AppendString(d.scratch(), v)
			b = strconv.AppendQuote(b, string(d.str))
		case handshake.ExtKMReq, handshake.ExtKMRsp:
			if it.Type() == handshake.ExtKMRsp && len(v) == 4 {
				st, _ := handshake.DecodeKMState(v)
				b = append(b, " state="...)
				b = append(b, st.String()...)
			} else if d.km.Decode(v) == nil {
				b = appendKM(b, &d.km)
			}
		case handshake.ExtGroup:
			var g handshake.Group
			if g.Decode(v) == nil {
				b = append(b, " id=0x"...)
				b = appendHex32(b, g.ID)
				b = append(b, ' ')
				b = append(b, g.Type.String()...)
			}
		default:
			b = append(b, ' ')
			b = strconv.AppendInt(b, int64(it.Words()), 10)
			b = append(b, " words"...)
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

// ---- summary ----

func (d *dumper) summaryOut(file string, attempts []*pcap.Attempt) {
	var sel []*pcap.Attempt
	for _, a := range attempts {
		if d.cfg.rejects && a.Outcome != pcap.Rejected {
			continue
		}
		if d.cfg.streamID != "" {
			if ok, _ := path.Match(d.cfg.streamID, a.StreamID); !ok {
				continue
			}
		}
		if d.cfg.count > 0 && len(sel) >= d.cfg.count {
			break
		}
		sel = append(sel, a)
	}
	if d.cfg.json {
		for _, a := range sel {
			d.jsonAttempt(file, a)
		}
		return
	}
	if len(sel) == 0 {
		return
	}
	if d.multi {
		fmt.Fprintf(d.out, "%s:\n", file)
	}
	tw := tabwriter.NewWriter(d.out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "#\tCALLER\tLISTENER\tMODE\tFRAMES\tSTREAM ID\tENCRYPTION\tLATENCY\tOUTCOME\tHS RTT\tDATA\tRETX\tLOST")
	for i, a := range sel {
		outcome := a.Outcome.String()
		if a.Outcome == pcap.Rejected {
			outcome = "rejected: " + a.Reason.Name()
		}
		enc := a.Encryption()
		if enc == "" {
			enc = "none"
		}
		if a.KMStateSet {
			enc += " (" + a.KMState.String() + ")"
		}
		sid := a.StreamID
		if sid == "" {
			sid = "-"
		}
		rtt := "-"
		if a.HandshakeRTT > 0 {
			rtt = a.HandshakeRTT.Round(time.Microsecond).String()
		}
		lat := "-"
		if a.HandshakeSeen {
			lat = strconv.Itoa(a.LatencyMS) + "ms"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%d-%d\t%s\t%s\t%s\t%s\t%s\t%d\t%d\t%d\n", i+1, a.Caller, a.Listener, a.Mode,
			a.FirstFrame, a.LastFrame, sid, enc, lat, outcome, rtt, a.DataPackets, a.Retransmitted, a.Lost)
	}
	tw.Flush()
	for i, a := range sel {
		if a.Outcome != pcap.Rejected {
			continue
		}
		b := fmt.Appendf(nil, "\n#%d %s was refused by %s: ", i+1, a.Caller, a.Listener)
		b = appendReason(b, a.Reason)
		b = append(b, '\n')
		d.out.Write(b)
	}
}

func (d *dumper) jsonAttempt(file string, a *pcap.Attempt) {
	w := &d.w
	w.reset(d.line)
	w.objStart()
	if d.multi {
		w.str("file", file)
	}
	w.key("caller")
	w.b = appendAddrJSON(w.b, a.Caller)
	w.key("listener")
	w.b = appendAddrJSON(w.b, a.Listener)
	w.str("mode", a.Mode.String())
	w.int("first_frame", int64(a.FirstFrame))
	w.int("last_frame", int64(a.LastFrame))
	w.str("stream_id", a.StreamID)
	w.str("encryption", a.Encryption())
	if a.KMStateSet {
		w.str("km_state", a.KMState.String())
	}
	w.int("latency_ms", int64(a.LatencyMS))
	w.str("congestion", a.Congestion)
	w.str("filter", a.Filter)
	w.str("outcome", a.Outcome.String())
	if a.Outcome == pcap.Rejected {
		jsonReject(w, a.Reason)
	}
	w.int("handshake_rtt_us", a.HandshakeRTT.Microseconds())
	w.int("data_packets", int64(a.DataPackets))
	w.int("retransmitted", int64(a.Retransmitted))
	w.int("lost", int64(a.Lost))
	w.objEnd()
	w.b = append(w.b, '\n')
	d.out.Write(w.b)
	d.line = w.b
}
