package bench

import (
	"bytes"
	"encoding/binary"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"
	"github.com/google/gopacket/pcapgo"

	"github.com/srtwire/srtwire/capture"
	"github.com/srtwire/srtwire/handshake"
	"github.com/srtwire/srtwire/internal/testcorpus"
	"github.com/srtwire/srtwire/packet"
	"github.com/srtwire/srtwire/pcap"
	"github.com/srtwire/srtwire/reject"
)

// sample is one benchmark input: a whole datagram, and for the layer
// benchmarks the Ethernet frame that carried it.
type sample struct {
	datagram []byte
	frame    []byte
}

// samples are real libsrt 1.5.1 packets from the corpus, except the NAK and
// the DROPREQ, which the corpus has no instance of in the wanted shape.
var samples = map[string]sample{}

// order is the fixed order of the Decode/Encode sub-benchmarks.
var order = []string{"data", "handshake_induction", "handshake_conclusion", "handshake_reject", "ack_full", "ack_light", "nak", "dropreq", "keepalive"}

func load(tb testing.TB) {
	if len(samples) > 0 {
		return
	}
	pick := func(name, file string, frame int) {
		f, err := os.Open(file)
		if err != nil {
			tb.Fatal(err)
		}
		defer f.Close()
		var src interface {
			ReadPacketData() ([]byte, gopacket.CaptureInfo, error)
			LinkType() layers.LinkType
		}
		if r, err := pcapgo.NewReader(f); err == nil {
			src = r
		} else {
			tb.Fatal(err)
		}
		for i := 1; ; i++ {
			data, _, err := src.ReadPacketData()
			if err != nil {
				tb.Fatalf("%s: frame %d not found: %v", file, frame, err)
			}
			if i != frame {
				continue
			}
			var fr = data
			var payload []byte
			switch src.LinkType() {
			case layers.LinkTypeEthernet:
				ihl := int(data[14]&0xF) * 4
				payload = data[14+ihl+8:]
			default: // Linux cooked v2 (the extra capture): re-wrap in Ethernet
				ihl := int(data[20]&0xF) * 4
				payload = data[20+ihl+8:]
				fr = append([]byte{0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 2, 0x08, 0x00}, data[20:]...)
			}
			samples[name] = sample{datagram: payload, frame: fr}
			return
		}
	}
	corpus := func(n string) string { return testcorpus.Path(n + ".pcap") }
	pick("data", corpus("s01_live_plain"), 5)                // 1316-byte payload
	pick("handshake_induction", corpus("s01_live_plain"), 1) // caller's HSv4-shaped INDUCTION
	// A real libsrt CONCLUSION with HSREQ + SID + KMREQ (AES-256), captured
	// by testdata/extra/make.sh.
	pick("handshake_conclusion", filepath.Join(testcorpus.Dir(), "..", "extra", "sid_km_sll2.pcap"), 3)
	pick("handshake_reject", corpus("s05_app_reject_1403"), 4) // 2403
	pick("ack_full", corpus("s01_live_plain"), 17)
	pick("ack_light", corpus("s09_file_peererror"), 127)
	pick("keepalive", corpus("s01_live_plain"), 87)

	// A NAK with 2 singles and 2 ranges, and a DROPREQ, built with our encoder.
	list, _ := packet.AppendLossList(nil, 100, 105, 106, 107, 200, 300, 301, 302, 303)
	nak := &packet.Packet{Header: packet.Header{Control: true, Type: packet.TypeNAK, Timestamp: 1, DstSocket: 7}, NAK: packet.NAK{List: list}}
	drop := &packet.Packet{Header: packet.Header{Control: true, Type: packet.TypeDropReq, Info: 9, Timestamp: 1, DstSocket: 7}, DropReq: packet.DropReq{First: 10, Last: 12}}
	for name, p := range map[string]*packet.Packet{"nak": nak, "dropreq": drop} {
		d, err := p.AppendBinary(nil)
		if err != nil {
			tb.Fatal(err)
		}
		samples[name] = sample{datagram: d}
	}
	checkSamples(tb)
}

func checkSamples(tb testing.TB) {
	var p packet.Packet
	for _, name := range order {
		if err := p.Decode(samples[name].datagram); err != nil {
			tb.Fatalf("%s: %v", name, err)
		}
		// Each sample must be of the kind its name says.
		ok := false
		switch name {
		case "data":
			ok = !p.Control
		case "handshake_induction":
			ok = p.Control && p.Type == packet.TypeHandshake && p.Handshake.Type == handshake.Induction
		case "handshake_conclusion":
			ok = p.Control && p.Type == packet.TypeHandshake && p.Handshake.Type == handshake.Conclusion
		case "handshake_reject":
			ok = p.Control && p.Type == packet.TypeHandshake && p.Handshake.Type.IsRejection()
		case "ack_full":
			ok = p.Control && p.Type == packet.TypeACK && p.ACK.Variant == packet.ACKFull
		case "ack_light":
			ok = p.Control && p.Type == packet.TypeACK && p.ACK.Variant == packet.ACKLight
		case "nak":
			ok = p.Control && p.Type == packet.TypeNAK
		case "dropreq":
			ok = p.Control && p.Type == packet.TypeDropReq
		case "keepalive":
			ok = p.Control && p.Type == packet.TypeKeepalive
		}
		if !ok {
			tb.Fatalf("sample %s is a %v packet", name, p.Type)
		}
	}
	_ = p.Decode(samples["handshake_conclusion"].datagram)
	var seen []handshake.ExtType
	it := p.Handshake.Extensions()
	for it.Next() {
		seen = append(seen, it.Type())
	}
	if len(seen) != 3 || seen[0] != handshake.ExtHSReq || seen[1] != handshake.ExtSID || seen[2] != handshake.ExtKMReq {
		tb.Fatalf("handshake_conclusion blocks: %v", seen)
	}
	_ = p.Decode(samples["data"].datagram)
	if len(p.Payload) != 1316 {
		tb.Fatalf("data payload %d", len(p.Payload))
	}
	_ = p.Decode(samples["nak"].datagram)
	if c := p.NAK.Losses(); true {
		singles, ranges := 0, 0
		for c.Next() {
			if c.IsRange() {
				ranges++
			} else {
				singles++
			}
		}
		if singles < 2 || ranges < 2 {
			tb.Fatalf("nak: %d singles, %d ranges", singles, ranges)
		}
	}
}

// sink keeps results alive.
var sink uint64

// BenchmarkFloor loads the four 32-bit words of a 16-byte data header and
// nothing else: the physical floor every decode is measured against.
func BenchmarkFloor(b *testing.B) {
	load(b)
	d := samples["data"].datagram
	b.ReportAllocs()
	b.SetBytes(16)
	for b.Loop() {
		w0 := binary.BigEndian.Uint32(d[0:])
		w1 := binary.BigEndian.Uint32(d[4:])
		w2 := binary.BigEndian.Uint32(d[8:])
		w3 := binary.BigEndian.Uint32(d[12:])
		sink += uint64(w0 ^ w1 ^ w2 ^ w3)
	}
}

// decodeAs is what a user does with each kind after Decode: the handshake
// conclusion walks its extension blocks and decodes each one, the NAK
// walks its loss list.
type state struct {
	p   packet.Packet
	req handshake.HSReq
	km  handshake.KeyMaterial
	sid []byte
}

func (s *state) decode(name string, d []byte) {
	switch name {
	case "handshake_conclusion":
		s.conclusion(d)
	case "handshake_reject":
		s.reject(d)
	case "nak":
		s.nak(d)
	default:
		s.plain(d)
	}
}

// plain decodes the datagram and nothing else.
func (s *state) plain(d []byte) {
	if err := s.p.Decode(d); err != nil {
		panic(err)
	}
}

// conclusion decodes a CONCLUSION, walks its extension blocks and decodes
// each one.
func (s *state) conclusion(d []byte) {
	s.plain(d)
	it := s.p.Handshake.Extensions()
	for it.Next() {
		switch it.Type() {
		case handshake.ExtHSReq:
			_ = s.req.Decode(it.Value())
		case handshake.ExtSID:
			s.sid = handshake.AppendString(s.sid[:0], it.Value())
		case handshake.ExtKMReq:
			_ = s.km.Decode(it.Value())
		}
	}
}

// reject decodes a rejection and its reason.
func (s *state) reject(d []byte) {
	s.plain(d)
	r, _ := s.p.Handshake.Type.Reason()
	sink += uint64(r)
}

// nak decodes a NAK and walks its loss list.
func (s *state) nak(d []byte) {
	s.plain(d)
	c := s.p.NAK.Losses()
	for c.Next() {
		lo, hi := c.Range()
		sink += uint64(lo) + uint64(hi)
	}
}

// loop runs the benchmark loop for one sample. The kind is chosen once,
// outside the loop, so that the loop measures the decode and not the
// dispatch on the sample's name (which cost a data decode half its time).
func (s *state) loop(b *testing.B, name string, d []byte) {
	switch name {
	case "handshake_conclusion":
		for b.Loop() {
			s.conclusion(d)
		}
	case "handshake_reject":
		for b.Loop() {
			s.reject(d)
		}
	case "nak":
		for b.Loop() {
			s.nak(d)
		}
	default:
		for b.Loop() {
			s.plain(d)
		}
	}
}

// BenchmarkDecode decodes whole datagrams into a reused Packet, as a user
// calls it.
func BenchmarkDecode(b *testing.B) {
	load(b)
	for _, name := range order {
		d := samples[name].datagram
		b.Run(name, func(b *testing.B) {
			s := &state{sid: make([]byte, 0, 512)}
			b.ReportAllocs()
			b.SetBytes(int64(len(d)))
			s.loop(b, name, d)
		})
	}
}

// BenchmarkEncode encodes the same packets into a reused buffer.
func BenchmarkEncode(b *testing.B) {
	load(b)
	for _, name := range order {
		d := samples[name].datagram
		b.Run(name, func(b *testing.B) {
			var p packet.Packet
			if err := p.Decode(d); err != nil {
				b.Fatal(err)
			}
			buf := make([]byte, 0, 2048)
			b.ReportAllocs()
			b.SetBytes(int64(len(d)))
			for b.Loop() {
				buf, _ = p.AppendBinary(buf[:0])
			}
			if !bytes.Equal(buf, d) {
				b.Fatal("encoding differs from the input")
			}
		})
	}
}

// BenchmarkCopyPayload copies the 1316-byte payload of the data sample
// into a reused buffer: the floor of Encode/data, which must copy it
// (Decode/data does not: its payload is a view).
func BenchmarkCopyPayload(b *testing.B) {
	load(b)
	var p packet.Packet
	if err := p.Decode(samples["data"].datagram); err != nil {
		b.Fatal(err)
	}
	buf := make([]byte, 0, 2048)
	b.ReportAllocs()
	b.SetBytes(int64(len(p.Payload)))
	for b.Loop() {
		buf = append(buf[:0], p.Payload...)
	}
}

type layerParser struct {
	eth     layers.Ethernet
	ip4     layers.IPv4
	udp     layers.UDP
	srt     pcap.SRT
	payload gopacket.Payload
	parser  *gopacket.DecodingLayerParser
	decoded []gopacket.LayerType
}

func newLayerParser() *layerParser {
	l := &layerParser{decoded: make([]gopacket.LayerType, 0, 8)}
	l.parser = gopacket.NewDecodingLayerParser(layers.LayerTypeEthernet, &l.eth, &l.ip4, &l.udp, &l.srt, &l.payload)
	l.parser.IgnorePanic = true
	return l
}

var registered bool

func registerPorts() {
	if !registered {
		for _, p := range []uint16{41001, 42001} {
			pcap.RegisterUDPPort(p)
		}
		registered = true
	}
}

// BenchmarkLayer runs gopacket's DecodingLayerParser over
// Ethernet/IPv4/UDP/SRT.
func BenchmarkLayer(b *testing.B) {
	load(b)
	registerPorts()
	for _, name := range []string{"data", "handshake_conclusion"} {
		fr := samples[name].frame
		b.Run(name, func(b *testing.B) {
			l := newLayerParser()
			b.ReportAllocs()
			b.SetBytes(int64(len(fr)))
			for b.Loop() {
				if err := l.parser.DecodeLayers(fr, &l.decoded); err != nil {
					b.Fatal(err)
				}
			}
			if l.decoded[3] != pcap.LayerTypeSRT {
				b.Fatalf("layers %v", l.decoded)
			}
		})
	}
}

// BenchmarkReject: the wire mapping, naming, and parsing user input.
func BenchmarkReject(b *testing.B) {
	b.Run("from_wire", func(b *testing.B) {
		b.ReportAllocs()
		w := int32(2403)
		for b.Loop() {
			r, _ := reject.FromWire(w)
			sink += uint64(r)
		}
	})
	b.Run("name", func(b *testing.B) {
		b.ReportAllocs()
		r := reject.Forbidden
		for b.Loop() {
			sink += uint64(len(r.Name()))
		}
	})
	b.Run("parse", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			r, _ := reject.Parse("SRT_REJX_FORBIDDEN")
			sink += uint64(r)
		}
	})
}

// repeated returns a classic pcap held in memory: the records of a corpus
// capture repeated n times with their timestamps shifted, as
// bench/repeatpcap writes it, so that reading it measures the per-packet
// path rather than setting up a Reader.
func repeated(tb testing.TB, name string, n int) []byte {
	data, err := os.ReadFile(testcorpus.Path(name))
	if err != nil {
		tb.Fatal(err)
	}
	if binary.LittleEndian.Uint32(data) != 0xa1b2c3d4 {
		tb.Fatal("want a little-endian µs pcap")
	}
	recs := data[24:]
	first := binary.LittleEndian.Uint32(recs)
	var last uint32
	for b := recs; len(b) >= 16; b = b[16+binary.LittleEndian.Uint32(b[8:]):] {
		last = binary.LittleEndian.Uint32(b)
	}
	span := last - first + 1
	out := append(make([]byte, 0, 24+n*len(recs)), data[:24]...)
	for i := range n {
		for b := recs; len(b) >= 16; {
			l := 16 + int(binary.LittleEndian.Uint32(b[8:]))
			rec := append(out[len(out):len(out)], b[:l]...)
			binary.LittleEndian.PutUint32(rec, binary.LittleEndian.Uint32(b)+uint32(i)*span)
			out = out[:len(out)+l]
			b = b[l:]
		}
	}
	return out
}

// BenchmarkCapture reads and decodes a capture of small packets held in
// memory (s02_enc_kmrefresh.pcap repeated 30 times: 25 530 SRT packets)
// and reports SRT packets per second. Compare with BenchmarkCaptureWalk.
func BenchmarkCapture(b *testing.B) {
	var br bytes.Reader
	benchReader(b, func(data []byte) (*capture.Reader, error) {
		br.Reset(data)
		return capture.NewReader(&br, nil)
	})
}

// benchReader reads the capture of BenchmarkCapture with a new Reader per
// iteration, made by open, and reports SRT packets per second.
func benchReader(b *testing.B, open func([]byte) (*capture.Reader, error)) {
	data := repeated(b, "s02_enc_kmrefresh.pcap", 30)
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	pkts := 0
	for b.Loop() {
		r, err := open(data)
		if err != nil {
			b.Fatal(err)
		}
		for r.Next() {
			pkts++
		}
	}
	b.ReportMetric(float64(pkts)/b.Elapsed().Seconds(), "pkts/s")
}

// BenchmarkCaptureWalk is the floor for reading captures: it reads the
// same in-memory capture as BenchmarkCapture through an io.Reader in
// 64 KiB chunks (as any reader of a stream must: the bytes are copied
// once) and walks its record headers, touching each record's first UDP
// payload byte, and nothing else.
func BenchmarkCaptureWalk(b *testing.B) {
	data := repeated(b, "s02_enc_kmrefresh.pcap", 30)
	var br bytes.Reader
	buf := make([]byte, 2<<16)
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	recs := 0
	for b.Loop() {
		br.Reset(data)
		start, end := 0, 0
		skip := 24 // the file header
		for {
			if end-start < 16+1<<16 {
				end = copy(buf, buf[start:end])
				start = 0
				n, _ := br.Read(buf[end:])
				end += n
				if end-start < 16 {
					break
				}
			}
			if skip > 0 {
				start += skip
				skip = 0
				continue
			}
			l := 16 + int(binary.LittleEndian.Uint32(buf[start+8:]))
			if l > end-start {
				break
			}
			sink += uint64(buf[start+min(l-1, 16+28)])
			start += l
			recs++
		}
	}
	b.ReportMetric(float64(recs)/b.Elapsed().Seconds(), "pkts/s")
}

// BenchmarkCaptureBytes reads the capture of BenchmarkCapture with
// capture.NewReaderBytes, the Reader for a capture already in memory, whose
// frames are views into it. Compare with BenchmarkCaptureWalkBytes.
func BenchmarkCaptureBytes(b *testing.B) {
	benchReader(b, func(data []byte) (*capture.Reader, error) { return capture.NewReaderBytes(data, nil) })
}

// BenchmarkCaptureWalkBytes is the floor for BenchmarkCaptureBytes: it
// walks the record headers of the same capture in memory, touching each
// record's first UDP payload byte (and the cache lines ahead), and copies
// nothing.
func BenchmarkCaptureWalkBytes(b *testing.B) {
	data := repeated(b, "s02_enc_kmrefresh.pcap", 30)
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	recs := 0
	for b.Loop() {
		ahead := 0
		for off := 24; off+16 <= len(data); {
			l := 16 + int(binary.LittleEndian.Uint32(data[off+8:]))
			if l > len(data)-off {
				break
			}
			sink += uint64(data[off+min(l-1, 16+28)])
			off += l
			recs++
			// Touch every cache line 4 KiB ahead, as the Reader does:
			// without it the walk waits on one cache miss after another
			// and is no floor (it varied 0.5-12 ms).
			for lim := min(off+4096, len(data)); ahead < lim; ahead += 64 {
				sink += uint64(data[ahead])
			}
		}
	}
	b.ReportMetric(float64(recs)/b.Elapsed().Seconds(), "pkts/s")
}

// BenchmarkCapturePcapng reads the capture of BenchmarkCapture written as
// pcapng (by gopacket's pcapgo.NgWriter: enhanced packet blocks, one
// interface), through an io.Reader, with a new Reader per iteration.
func BenchmarkCapturePcapng(b *testing.B) {
	ng := toPcapng(b, repeated(b, "s02_enc_kmrefresh.pcap", 30))
	var br bytes.Reader
	b.ReportAllocs()
	b.SetBytes(int64(len(ng)))
	pkts := 0
	for b.Loop() {
		br.Reset(ng)
		r, err := capture.NewReader(&br, nil)
		if err != nil {
			b.Fatal(err)
		}
		for r.Next() {
			pkts++
		}
	}
	b.ReportMetric(float64(pkts)/b.Elapsed().Seconds(), "pkts/s")
}

// toPcapng rewrites a classic capture as pcapng.
func toPcapng(b *testing.B, classic []byte) []byte {
	r, err := pcapgo.NewReader(bytes.NewReader(classic))
	if err != nil {
		b.Fatal(err)
	}
	var out bytes.Buffer
	w, err := pcapgo.NewNgWriter(&out, r.LinkType())
	if err != nil {
		b.Fatal(err)
	}
	for {
		data, ci, err := r.ReadPacketData()
		if err != nil {
			break
		}
		if err := w.WritePacket(ci, data); err != nil {
			b.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	return out.Bytes()
}
