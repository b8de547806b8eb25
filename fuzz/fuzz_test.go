package fuzz

import (
	"bytes"
	"errors"
	"math"
	"os"
	"testing"

	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"

	"github.com/srtwire/srtwire/capture"
	"github.com/srtwire/srtwire/handshake"
	"github.com/srtwire/srtwire/internal/testcorpus"
	"github.com/srtwire/srtwire/packet"
	"github.com/srtwire/srtwire/pcap"
	"github.com/srtwire/srtwire/reject"
	"github.com/srtwire/srtwire/session"
)

// maxInput bounds what a target looks at, so memory per exec stays small.
const maxInput = 1 << 16

var packetErrors = []error{
	packet.ErrTruncated, packet.ErrBadLength, packet.ErrNAKDanglingRange, packet.ErrNAKBadRange,
	handshake.ErrTruncated, handshake.ErrExtLength,
}

var handshakeErrors = []error{
	handshake.ErrTruncated, handshake.ErrExtLength, handshake.ErrNotKM, handshake.ErrKMLength,
	handshake.ErrKMKeyFlags,
}

func isOneOf(err error, sentinels []error) bool {
	for _, s := range sentinels {
		if err == s { // hot-path errors are returned unwrapped
			return true
		}
	}
	return false
}

// corpusDatagrams adds every distinct SRT datagram of a few corpus
// captures as seeds.
func corpusDatagrams(f *testing.F, names ...string) [][]byte {
	var out [][]byte
	seen := map[string]bool{}
	for _, name := range names {
		frames, err := testcorpus.Frames(name)
		if err != nil {
			f.Fatal(err)
		}
		for _, fr := range frames {
			key := string(fr.Payload[:min(len(fr.Payload), 48)])
			if seen[key] {
				continue
			}
			seen[key] = true
			out = append(out, fr.Payload)
		}
	}
	return out
}

var seedCaptures = []string{"s03_reject_badsecret", "s02_enc_aes128", "s05_app_reject_2005", "s06_reject_filter",
	"s06_reject_messageapi", "s03_badsecret_noenforce", "s07_rendezvous"}

// FuzzDecode is the whole-datagram decoder. Properties: no panic; errors
// are the exported sentinels, unwrapped; a datagram that decodes re-encodes
// to the same bytes, with MarshalSize equal to the encoded length, and
// decodes again to the same value.
func FuzzDecode(f *testing.F) {
	for _, d := range corpusDatagrams(f, seedCaptures...) {
		f.Add(d)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) > maxInput {
			return
		}
		var p packet.Packet
		err := p.Decode(b)
		if err != nil {
			if !isOneOf(err, packetErrors) {
				t.Fatalf("error %v is not an exported sentinel", err)
			}
			return
		}
		enc, err := p.AppendBinary(nil)
		if err != nil {
			t.Fatalf("re-encode of a decoded packet failed: %v", err)
		}
		if p.MarshalSize() != len(enc) {
			t.Fatalf("MarshalSize %d, encoded %d", p.MarshalSize(), len(enc))
		}
		if !bytes.Equal(enc, b) {
			t.Fatalf("encode(decode(b)) != b\n b=%x\nenc=%x", b, enc)
		}
		var q packet.Packet
		if err := q.Decode(enc); err != nil {
			t.Fatalf("decode of the re-encoding failed: %v", err)
		}
		if q.Header != p.Header {
			t.Fatalf("header changed: %+v != %+v", q.Header, p.Header)
		}
		if p.Control && p.Type == packet.TypeNAK {
			c := p.NAK.Losses()
			for c.Next() {
			}
			if c.Err() != nil {
				t.Fatalf("Decode accepted a NAK its cursor rejects: %v", c.Err())
			}
		}
	})
}

// FuzzHandshake is the handshake CIF with its extension walk and every
// typed block decoder.
func FuzzHandshake(f *testing.F) {
	for _, d := range corpusDatagrams(f, seedCaptures...) {
		if len(d) >= 16 && d[0] == 0x80 && d[1] == 0 {
			f.Add(d[16:])
		}
	}
	f.Fuzz(func(t *testing.T, cif []byte) {
		if len(cif) > maxInput {
			return
		}
		var h handshake.Handshake
		err := h.Decode(cif)
		switch {
		case err == nil:
		case err == handshake.ErrTruncated:
			if len(cif) >= handshake.CIFSize {
				t.Fatal("ErrTruncated for a full CIF")
			}
			return
		case err == handshake.ErrExtLength:
		default:
			t.Fatalf("error %v is not a sentinel", err)
		}
		if h.MarshalSize() != len(cif) {
			t.Fatalf("MarshalSize %d for %d bytes", h.MarshalSize(), len(cif))
		}
		enc, _ := h.AppendBinary(nil)
		if !bytes.Equal(enc, cif) {
			t.Fatalf("encode(decode(cif)) != cif")
		}
		var h2 handshake.Handshake
		if err2 := h2.Decode(enc); err2 != err {
			t.Fatalf("second decode: %v, first %v", err2, err)
		}
		if a := h.PeerAddr(); a.IsValid() {
			var h3 handshake.Handshake
			_ = h3.SetPeerAddr(a)
			if h3.PeerAddr() != a {
				t.Fatalf("PeerAddr round trip: %v -> %v", a, h3.PeerAddr())
			}
		}
		walkBlocks(t, h.Extensions(), err != nil)
		_, _ = h.Type.Reason()
		_ = h.Type.String()
		_ = h.StreamID()
	})
}

func walkBlocks(t *testing.T, it handshake.ExtIter, wantErr bool) {
	total := 0
	for it.Next() {
		v := it.Value()
		total += 4 + len(v)
		if len(v) != 4*it.Words() {
			t.Fatalf("value of %d bytes for %d words", len(v), it.Words())
		}
		var r handshake.HSReq
		if r.Decode(v) == nil {
			out, _ := r.AppendBinary(nil)
			if len(v) >= 12 && !bytes.Equal(out, v[:12]) {
				t.Fatalf("HSREQ round trip")
			}
		}
		var km handshake.KeyMaterial
		if err := km.Decode(v); err == nil {
			out, err := km.AppendBinary(nil)
			if err != nil || !bytes.Equal(out, v) {
				t.Fatalf("KM round trip: %v", err)
			}
		} else if !isOneOf(err, handshakeErrors) {
			t.Fatalf("KM error %v", err)
		}
		_, _ = handshake.DecodeKMState(v)
		var g handshake.Group
		_ = g.Decode(v)
		s := handshake.AppendString(nil, v)
		if len(s) > len(v) {
			t.Fatal("string longer than its block")
		}
	}
	if (it.Err() != nil) != wantErr {
		t.Fatalf("walk error %v, decode error %v", it.Err(), wantErr)
	}
	if it.Err() != nil && it.Detail() == nil {
		t.Fatal("no detail for a walk error")
	}
}

// FuzzExtensions walks arbitrary bytes as extension blocks.
func FuzzExtensions(f *testing.F) {
	for _, d := range corpusDatagrams(f, seedCaptures...) {
		if len(d) > 64 && d[0] == 0x80 && d[1] == 0 {
			f.Add(d[64:])
		}
	}
	f.Add([]byte{0, 5, 0x03, 0x84, 1, 2, 3})
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) > maxInput {
			return
		}
		it := handshake.NewExtIter(b, handshake.CIFSize)
		consumed := 0
		for it.Next() {
			if it.Offset() != handshake.CIFSize+consumed {
				t.Fatalf("offset %d, consumed %d", it.Offset(), consumed)
			}
			consumed += 4 + len(it.Value())
			if consumed > len(b) {
				t.Fatal("walked past the input")
			}
		}
		if it.Err() == nil && consumed+it.Trailing() != len(b) {
			t.Fatalf("consumed %d + trailing %d != %d", consumed, it.Trailing(), len(b))
		}
		if it.Trailing() > 3 {
			t.Fatalf("trailing %d", it.Trailing())
		}
	})
}

// FuzzKeyMaterial is the key-material message decoder.
func FuzzKeyMaterial(f *testing.F) {
	for _, d := range corpusDatagrams(f, "s02_enc_aes128", "s02_enc_kmrefresh") {
		var p packet.Packet
		if p.Decode(d) != nil || !p.Control {
			continue
		}
		if p.Type == packet.TypeUserDefined {
			f.Add(p.CIF)
		}
		if v, ok := p.Handshake.Find(handshake.ExtKMReq); ok {
			f.Add(v)
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) > maxInput {
			return
		}
		var k handshake.KeyMaterial
		err := k.Decode(b)
		if err != nil {
			if !isOneOf(err, handshakeErrors) {
				t.Fatalf("error %v", err)
			}
			return
		}
		if len(b) != handshake.KMLen(k.SaltLen, k.KeyLen, k.Keys) || k.MarshalSize() != len(b) {
			t.Fatalf("length %d, formula %d", len(b), handshake.KMLen(k.SaltLen, k.KeyLen, k.Keys))
		}
		out, err := k.AppendBinary(nil)
		if err != nil || !bytes.Equal(out, b) {
			t.Fatalf("round trip: %v", err)
		}
	})
}

// FuzzStreamID is the Stream ID parser. A Stream ID that parses prints
// back to one that parses to the same pairs; an error carries a reason a
// listener can send.
func FuzzStreamID(f *testing.F) {
	for _, s := range []string{"#!::r=live/feed1,m=publish,u=alice", "#!::u=a,x=1", "#!:{u=a,acme={x=1,y=2}}", "corpus-file.bin",
		"#!::m=play", "#!::t=media", "#!::", "#!::u=a,,", "#!:{u={}"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		id, err := handshake.ParseStreamID(s)
		if err != nil {
			var r reject.Reason
			if !errors.As(err, &r) {
				t.Fatalf("error without a reason: %v", err)
			}
			switch r {
			case reject.KeyNotSup, reject.BadRequest, reject.BadMode, reject.NotSupMedia:
			default:
				t.Fatalf("unexpected reason %v", r)
			}
			return
		}
		back, err := handshake.ParseStreamID(id.String())
		if err != nil {
			t.Fatalf("%q printed as %q, which does not parse: %v", s, id.String(), err)
		}
		if len(back.Params) != len(id.Params) {
			t.Fatalf("pairs changed: %v -> %v", id.Params, back.Params)
		}
		for i := range id.Params {
			if id.Params[i] != back.Params[i] {
				t.Fatalf("pair %d changed: %v -> %v", i, id.Params[i], back.Params[i])
			}
		}
	})
}

// FuzzNAK is the loss-list decoder and cursor: every list the cursor
// accepts re-encodes, entry by entry, to the same bytes.
func FuzzNAK(f *testing.F) {
	for _, d := range corpusDatagrams(f, "s08_loss_pattern", "s07_rendezvous") {
		var p packet.Packet
		if p.Decode(d) == nil && p.Control && p.Type == packet.TypeNAK {
			f.Add(p.NAK.List)
		}
	}
	f.Add([]byte{0x80, 0, 0, 1})                      // dangling range start
	f.Add([]byte{0x80, 0, 0, 9, 0, 0, 0, 1})          // lo > hi
	f.Add([]byte{0x7f, 0xff, 0xff, 0xff, 0, 0, 0, 0}) // wrap
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) > maxInput {
			return
		}
		var n packet.NAK
		err := n.Decode(b)
		c := n.Losses()
		var out []byte
		for c.Next() {
			lo, hi := c.Range()
			if c.IsRange() {
				// Written word by word: AppendLossRange would make a
				// one-packet range a single entry.
				out = binaryAppend(binaryAppend(out, uint32(lo)|0x80000000), uint32(hi))
				if lo.Cmp(hi) > 0 {
					t.Fatal("range with lo > hi accepted")
				}
			} else {
				out = binaryAppend(out, uint32(lo))
			}
		}
		if (err == nil) != (c.Err() == nil) {
			t.Fatalf("Decode error %v, cursor error %v", err, c.Err())
		}
		if err != nil {
			if !isOneOf(err, packetErrors) {
				t.Fatalf("error %v", err)
			}
			return
		}
		if !bytes.Equal(out, b[:len(b)/4*4]) {
			t.Fatalf("re-encoded list differs:\n in=%x\nout=%x", b, out)
		}
	})
}

func binaryAppend(b []byte, v uint32) []byte {
	return append(b, byte(v>>24), byte(v>>16), byte(v>>8), byte(v))
}

// FuzzReject is the wire mapping and the reason parser.
func FuzzReject(f *testing.F) {
	for _, s := range []string{"SRT_REJ_BADSECRET", "badsecret", "1403", "wire:2403", "wire:0x963", "forbidden", "-1", "99999999999"} {
		f.Add(int32(1010), s)
	}
	f.Add(int32(math.MaxInt32), "")
	f.Add(int32(math.MinInt32), "SRT_REJX_")
	f.Fuzz(func(t *testing.T, wire int32, s string) {
		r, ok := reject.FromWire(wire)
		if ok != (wire >= 1000) {
			t.Fatalf("FromWire(%d) ok=%v", wire, ok)
		}
		if ok && r.Wire() != wire {
			t.Fatalf("FromWire(%d).Wire() = %d", wire, r.Wire())
		}
		_ = r.Name()
		_ = r.Text()
		_ = r.Explain()
		_ = r.String()
		_ = r.Category()
		if p, err := reject.Parse(s); err == nil {
			if !p.Valid() {
				t.Fatalf("Parse(%q) = invalid %d", s, p)
			}
			if p.Known() {
				if q, err := reject.Parse(p.Name()); err != nil || q != p {
					t.Fatalf("Parse(Name()) of %d: %v %v", p, q, err)
				}
			}
		}
	})
}

func layerFrames(f *testing.F) {
	for _, name := range []string{"s05_app_reject_1403", "s02_enc_aes128"} {
		frames, err := testcorpus.Frames(name)
		if err != nil {
			f.Fatal(err)
		}
		for i, fr := range frames {
			if i < 8 {
				f.Add(fr.Payload)
			}
		}
	}
}

// FuzzLayer is the gopacket layer, called directly and through a
// DecodingLayerParser with IgnorePanic set, so that a panic is not turned
// into an error.
func FuzzLayer(f *testing.F) {
	layerFrames(f)
	pcap.RegisterUDPPort(41042)
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) > maxInput {
			return
		}
		var s pcap.SRT
		err := s.DecodeFromBytes(b, gopacket.NilDecodeFeedback)
		if err == nil {
			if len(s.LayerContents())+len(s.LayerPayload()) != len(b) {
				t.Fatalf("contents %d + payload %d != %d", len(s.LayerContents()), len(s.LayerPayload()), len(b))
			}
			buf := gopacket.NewSerializeBuffer()
			if err := s.SerializeTo(buf, gopacket.SerializeOptions{}); err != nil {
				t.Fatalf("serialize: %v", err)
			}
			if !bytes.Equal(buf.Bytes(), b) {
				t.Fatalf("serialize(decode(b)) != b")
			}
		} else if !isOneOf(err, packetErrors) {
			t.Fatalf("error %v", err)
		}
		// The same bytes inside Ethernet/IPv4/UDP, through the parser.
		frame := udpFrame(b)
		var (
			eth layers.Ethernet
			ip4 layers.IPv4
			udp layers.UDP
			srt pcap.SRT
			pl  gopacket.Payload
		)
		p := gopacket.NewDecodingLayerParser(layers.LayerTypeEthernet, &eth, &ip4, &udp, &srt, &pl)
		p.IgnorePanic = true
		var decoded []gopacket.LayerType
		_ = p.DecodeLayers(frame, &decoded)
	})
}

// udpFrame wraps a UDP payload for port 41042 in Ethernet and IPv4.
func udpFrame(payload []byte) []byte {
	n := 20 + 8 + len(payload)
	b := []byte{0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 2, 0x08, 0x00,
		0x45, 0, byte(n >> 8), byte(n), 0, 0, 0x40, 0, 64, 17, 0, 0, 127, 0, 0, 1, 127, 0, 0, 1,
		0xa0, 0x00, 0xa0, 0x52, byte((n - 20) >> 8), byte(n - 20), 0, 0}
	return append(b, payload...)
}

// FuzzCapture reads whole (mutated) capture files, pcap and pcapng.
// Properties: no panic, bounded memory, every frame number is one the reader has read,
// every frame's data is no larger than the file, and any error is a
// *capture.Error or a clean open error.
func FuzzCapture(f *testing.F) {
	for _, name := range []string{"s05_app_reject_1403.pcap", "s03_reject_badsecret.pcap"} {
		b, err := os.ReadFile(testcorpus.Path(name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, name := range []string{"../extra/sid_km_lo.pcapng"} {
		b, err := os.ReadFile(testcorpus.Path(name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b[:min(len(b), 4096)])
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) > 1<<20 {
			return
		}
		r, err := capture.NewReader(bytes.NewReader(b), nil)
		if err != nil {
			return
		}
		tr := session.NewTracker()
		for r.Next() {
			fr := r.Frame()
			// A held-back frame may come just before a later one, but no
			// frame number is outside the frames read so far.
			if fr.Number < 1 || fr.Number > r.Stats().Frames {
				t.Fatalf("frame number %d, %d frames read", fr.Number, r.Stats().Frames)
			}
			if len(fr.Data) > len(b) {
				t.Fatal("frame larger than the file")
			}
			tr.Add(&session.Frame{Number: fr.Number, Time: fr.Time, Src: fr.Src, Dst: fr.Dst, Packet: &fr.Packet, Data: fr.Data, Err: fr.Err})
		}
		if err := r.Err(); err != nil {
			var ce *capture.Error
			if !errors.As(err, &ce) {
				t.Fatalf("error %T %v", err, err)
			}
		}
		_ = tr.Attempts()
	})
}
