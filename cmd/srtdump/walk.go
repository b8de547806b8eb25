package main

import (
	"errors"
	"fmt"

	"github.com/srtwire/srtwire/capture"
	"github.com/srtwire/srtwire/handshake"
	"github.com/srtwire/srtwire/packet"
)

// visitor receives the parts of one frame, in wire order, from a walker.
// The text and JSON writers implement it; the walker decides which parts a
// frame has and decodes them, the visitor only writes them. Adding a
// structure (an extension block type, an ACK field, a UMSG_EXT subtype) is
// an edit in this file plus, when it needs a new method, one method per
// writer.
//
// Pointer arguments point into the frame or into the walker's scratch
// values: they are valid only during the call.
type visitor interface {
	// begin starts a frame: capture facts (number, time, addresses, length)
	// and, when hasHeader, the common 16-byte header of f.Packet.
	begin(f *capture.Frame, hasHeader bool)
	// end finishes the frame. bodyShown is false when the body was not
	// visited (no header, or an ACK or DROPREQ whose CIF did not decode);
	// fault is the decode error ("" for none) and faultOffset its byte
	// offset in the datagram.
	end(bodyShown bool, fault string, faultOffset int)

	// data is the body of a data or FEC packet; payloadLen is the length
	// of its payload on the wire, larger than len(p.Payload) when the
	// capture cut the datagram short. dec says whether the payload was
	// decrypted with a passphrase given (decNotTried for a clear packet, or
	// without passphrases), note why not.
	data(p *packet.Packet, payloadLen int, dec decryptResult, note string)

	// handshake is the fixed part of a HANDSHAKE CIF. It reports whether
	// the extension blocks should be visited; each one is a block call,
	// its content (one of the content methods below, or none when it did
	// not decode) and blockEnd. handshakeEnd follows in every case.
	handshake(h *handshake.Handshake) (blocks bool)
	// truncatedHandshake replaces handshake for a CIF cut short inside its
	// fixed 48 bytes: h holds the fields of the first n bytes, which is
	// all there is; the others are zero and must not be shown as values.
	// handshakeEnd follows.
	truncatedHandshake(h *handshake.Handshake, n int)
	block(t handshake.ExtType)
	blockEnd()
	handshakeEnd()

	// umsg is a UMSG_EXT packet; its content follows, then umsgEnd.
	umsg(s packet.Subtype)
	umsgEnd()

	// Contents of an extension block or of a UMSG_EXT CIF.
	hsreq(r *handshake.HSReq)             // HSREQ, HSRSP
	keyMaterial(k *handshake.KeyMaterial) // KMREQ, KMRSP echoing key material
	// passphrase follows keyMaterial when passphrases were given: no is the
	// number (from 1) of the one that opens it, 0 for none.
	passphrase(no int)
	kmState(s handshake.KMState) // KMRSP reporting a state (handshake.IsKMState)
	// str is a SID, CONGESTION or FILTER string; key is its JSON key. cut
	// is set when the block was longer than libsrt accepts (a Stream ID of
	// more than 512 bytes) and s is what libsrt would read of it.
	str(key string, s []byte, cut bool)
	group(g *handshake.Group) // GROUP
	// words is a block whose content is not shown: of a type srtdump does
	// not know (known false), or a key-material block that did not decode.
	words(n int, known bool)

	// ack is an ACK: its number (the header's Info), variant and
	// acknowledged sequence number; the variant's other fields follow as
	// ackField calls, then ackEnd.
	ack(no uint32, v packet.ACKVariant, last packet.SeqNumber)
	ackField(f *ackField, v uint32)
	ackEnd()

	// nak is a NAK: each loss-list entry follows as a loss call (i counts
	// from 0; isRange says whether the entry was encoded as a range), then
	// nakEnd with the number of sequence numbers reported lost.
	nak()
	loss(i int, lo, hi packet.SeqNumber, isRange bool)
	nakEnd(count int)

	dropReq(msgno packet.MsgNumber, first, last packet.SeqNumber)
	ackack(no uint32)      // the number of the ACK acknowledged (Info)
	peerError(code uint32) // the error code (Info)
}

// ackField is one ACK field after the acknowledged sequence number: its
// JSON key (jkey: as written, after a comma), its text label and unit, and
// the first variant that carries it.
type ackField struct {
	jkey, label, unit string
	since             packet.ACKVariant
	get               func(*packet.ACK) uint32
	idx               int // the index in ackFields
}

// ackFields are the ACK fields srtdump shows, in wire order (libsrt
// srtcore/core.cpp, CUDT::sendCtrlAck; the units are those of
// srtcore/packet.h ACKD_* and of the values libsrt writes there).
// XMRATE (ACKFull32, sent to 1.0.2 peers only) is not shown.
var ackFields = [...]ackField{
	{`,"rtt":`, "rtt", "us", packet.ACKSmall, func(a *packet.ACK) uint32 { return a.RTT }, 0},
	{`,"rtt_var":`, "var", "us", packet.ACKSmall, func(a *packet.ACK) uint32 { return a.RTTVar }, 1},
	{`,"avail_buf":`, "buf", "", packet.ACKSmall, func(a *packet.ACK) uint32 { return a.AvailBuf }, 2},
	{`,"pkt_rate":`, "rate", "pkt/s", packet.ACKFull24, func(a *packet.ACK) uint32 { return a.PktRate }, 3},
	{`,"bandwidth":`, "bw", "pkt/s", packet.ACKFull24, func(a *packet.ACK) uint32 { return a.Bandwidth }, 4},
	{`,"recv_rate":`, "recv", "B/s", packet.ACKFull, func(a *packet.ACK) uint32 { return a.RecvRate }, 5},
}

// walker walks frames for a visitor. Its scratch values receive the
// decoded blocks, so that nothing is allocated per frame.
type walker struct {
	v     visitor
	hs    handshake.Handshake // a truncated handshake's fields
	hsbuf [handshake.CIFSize]byte
	hsreq handshake.HSReq
	km    handshake.KeyMaterial
	group handshake.Group
	sbuf  []byte // a decoded string extension

	// keys judges key material against the passphrases; nil without.
	keys *decryptor
	// dec and decNote: what became of the current data packet's payload,
	// set by the dumper before each frame.
	dec     decryptResult
	decNote string
}

func newWalker(v visitor) *walker { return &walker{v: v, sbuf: make([]byte, 0, 1024)} }

// hasHeader reports whether f's datagram has a decodable 16-byte header.
func hasHeader(f *capture.Frame) bool { return !f.Fragment && len(f.Data) >= packet.HeaderSize }

// frame walks one frame.
func (w *walker) frame(f *capture.Frame) {
	v := w.v
	ok := hasHeader(f)
	v.begin(f, ok)
	shown := ok && w.body(f, &f.Packet, f.Err)
	if f.Err == nil {
		v.end(shown, "", 0)
		return
	}
	msg, off := diagnose(f)
	v.end(shown, msg, off)
}

// body visits the body of p, f's packet, by kind, and reports whether it
// did.
func (w *walker) body(f *capture.Frame, p *packet.Packet, err error) bool {
	v := w.v
	switch p.Kind() {
	case packet.KindData, packet.KindFEC:
		n := len(p.Payload)
		if f.Truncated && f.Len > len(f.Data) {
			n = f.Len - packet.HeaderSize
		}
		v.data(p, n, w.dec, w.decNote)
	case packet.KindHandshake:
		if cif := f.Data[packet.HeaderSize:]; len(cif) < handshake.CIFSize {
			// Decode yields zeros for a CIF cut short: decode the fields
			// that are there from a zero-padded copy.
			w.hsbuf = [handshake.CIFSize]byte{}
			copy(w.hsbuf[:], cif)
			w.hs.Decode(w.hsbuf[:])
			v.truncatedHandshake(&w.hs, len(cif))
			v.handshakeEnd()
			break
		}
		w.handshake(&p.Handshake)
	case packet.KindACK:
		if err != nil {
			return false
		}
		a := &p.ACK
		v.ack(p.Info, a.Variant, a.LastAckSeq)
		for i := range ackFields {
			if f := &ackFields[i]; a.Variant >= f.since {
				v.ackField(f, f.get(a))
			}
		}
		v.ackEnd()
	case packet.KindNAK:
		v.nak()
		c := p.NAK.Losses()
		for i := 0; c.Next(); i++ {
			lo, hi := c.Range()
			v.loss(i, lo, hi, c.IsRange())
		}
		v.nakEnd(p.NAK.Count())
	case packet.KindACKACK:
		v.ackack(p.Info)
	case packet.KindDropReq:
		if err != nil {
			return false
		}
		v.dropReq(p.DropMsgNo(), p.DropReq.First, p.DropReq.Last)
	case packet.KindPeerError:
		v.peerError(p.Info)
	case packet.KindUserDefined:
		w.umsg(p)
	}
	// KEEPALIVE, CGWARNING, SHUTDOWN and unknown types: nothing beyond
	// the header.
	return true
}

// handshake visits a HANDSHAKE CIF and its extension blocks.
func (w *walker) handshake(h *handshake.Handshake) {
	v := w.v
	if v.handshake(h) {
		it := h.Extensions()
		for it.Next() {
			t, val := it.Type(), it.Value()
			v.block(t)
			switch t {
			case handshake.ExtHSReq, handshake.ExtHSRsp:
				if w.hsreq.Decode(val) == nil {
					v.hsreq(&w.hsreq)
				}
			case handshake.ExtKMReq, handshake.ExtKMRsp:
				switch {
				case t == handshake.ExtKMRsp && handshake.IsKMState(val):
					st, _ := handshake.DecodeKMState(val)
					v.kmState(st)
				case w.km.Decode(val) == nil:
					w.keyMaterial()
				default:
					v.words(it.Words(), true)
				}
			case handshake.ExtSID:
				w.str("stream_id", t, val)
			case handshake.ExtCongestion:
				w.str("congestion", t, val)
			case handshake.ExtFilter:
				w.str("filter", t, val)
			case handshake.ExtGroup:
				if w.group.Decode(val) == nil {
					v.group(&w.group)
				}
			default:
				v.words(it.Words(), false)
			}
			v.blockEnd()
		}
	}
	v.handshakeEnd()
}

// str visits the string held by a string extension's content, cut to
// what libsrt accepts (so that a hostile 64 KiB Stream ID does not make a
// 64 KiB line).
func (w *walker) str(key string, t handshake.ExtType, val []byte) {
	cut := false
	if limit := t.MaxStringLen(); len(val) > limit {
		val, cut = val[:limit], true
	}
	w.sbuf = handshake.AppendString(w.sbuf[:0], val)
	w.v.str(key, w.sbuf, cut)
}

// umsg visits a UMSG_EXT packet: the HSv4 handshake extensions and the
// key-material exchange (HSv4, and HSv5 key refresh).
func (w *walker) umsg(p *packet.Packet) {
	v := w.v
	v.umsg(p.Subtype)
	switch p.Subtype {
	case packet.SubtypeKMReq, packet.SubtypeKMRsp:
		if p.IsKMState() {
			if st, err := p.KMState(); err == nil {
				v.kmState(st)
			}
		} else if p.KeyMaterial(&w.km) == nil {
			w.keyMaterial()
		}
	case packet.SubtypeHSReq, packet.SubtypeHSRsp:
		if p.HSReq(&w.hsreq) == nil {
			v.hsreq(&w.hsreq)
		}
	}
	v.umsgEnd()
}

// keyMaterial visits w.km and the passphrase's verdict on it.
func (w *walker) keyMaterial() {
	w.v.keyMaterial(&w.km)
	if w.keys != nil {
		w.v.passphrase(w.keys.open(&w.km))
	}
}

// diagnose explains a frame's error and where in the datagram it is. The
// capture's own faults (an IP fragment, a snaplen cut) are explained here;
// decode errors by packet.Packet.Detail.
func diagnose(f *capture.Frame) (string, int) {
	switch {
	case errors.Is(f.Err, capture.ErrFragment):
		return f.Err.Error(), 0
	case errors.Is(f.Err, capture.ErrSnapTruncated):
		return fmt.Sprintf("%v: %d of %d bytes captured", f.Err, len(f.Data), f.Len), len(f.Data)
	}
	e := f.Packet.Detail(f.Data, f.Err)
	if f.Truncated && f.Len > len(f.Data) {
		// The decode error is most likely the cut: say both.
		return fmt.Sprintf("%v: %d of %d bytes captured (%v)", capture.ErrSnapTruncated, len(f.Data), f.Len, e), e.Offset
	}
	return e.Error(), e.Offset
}
