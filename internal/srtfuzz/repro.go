package srtfuzz

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/srtwire/srtwire/handshake"
	"github.com/srtwire/srtwire/packet"
)

// A reproducer is the exact datagrams of one or more cases, both ways, as a
// classic pcap (LINKTYPE_RAW: IPv4 or IPv6, then UDP) that Wireshark and
// srtdump read, and as a hex text file that a person can read and edit.
// Each case has a source port of its own in the pcap and a "case" line in
// the text.

// ErrReproducer reports a reproducer file that cannot be read.
var ErrReproducer = errors.New("srtfuzz: not a reproducer (pcap or srtfuzz hex)")

const (
	pcapMagic   = 0xa1b2c3d4
	linkTypeRaw = 101
)

// WritePcap writes the datagrams of recs to w.
func WritePcap(w io.Writer, recs []*Record) error {
	var hdr [24]byte
	binary.LittleEndian.PutUint32(hdr[0:], pcapMagic)
	binary.LittleEndian.PutUint16(hdr[4:], 2)
	binary.LittleEndian.PutUint16(hdr[6:], 4)
	binary.LittleEndian.PutUint32(hdr[16:], 65535)
	binary.LittleEndian.PutUint32(hdr[20:], linkTypeRaw)
	if _, err := w.Write(hdr[:]); err != nil {
		return err
	}
	for _, rec := range recs {
		for _, d := range rec.Datagrams {
			src, dst := rec.Local, rec.Target
			if !d.Out {
				src, dst = dst, src
			}
			frame := ipUDP(src, dst, d.B)
			var rh [16]byte
			us := d.T.UnixMicro()
			binary.LittleEndian.PutUint32(rh[0:], uint32(us/1e6))
			binary.LittleEndian.PutUint32(rh[4:], uint32(us%1e6))
			binary.LittleEndian.PutUint32(rh[8:], uint32(len(frame)))
			binary.LittleEndian.PutUint32(rh[12:], uint32(len(frame)))
			if _, err := w.Write(rh[:]); err != nil {
				return err
			}
			if _, err := w.Write(frame); err != nil {
				return err
			}
		}
	}
	return nil
}

// ipUDP builds an IPv4 or IPv6 packet carrying payload in UDP.
func ipUDP(src, dst netip.AddrPort, payload []byte) []byte {
	udp := make([]byte, 8, 8+len(payload))
	binary.BigEndian.PutUint16(udp[0:], src.Port())
	binary.BigEndian.PutUint16(udp[2:], dst.Port())
	binary.BigEndian.PutUint16(udp[4:], uint16(8+len(payload)))
	udp = append(udp, payload...)
	if src.Addr().Is4() && dst.Addr().Is4() {
		ip := make([]byte, 20, 20+len(udp))
		ip[0], ip[8], ip[9] = 0x45, 64, 17
		binary.BigEndian.PutUint16(ip[2:], uint16(20+len(udp)))
		s, d := src.Addr().As4(), dst.Addr().As4()
		copy(ip[12:], s[:])
		copy(ip[16:], d[:])
		binary.BigEndian.PutUint16(ip[10:], ^sum16(0, ip))
		return append(ip, udp...) // UDP checksum 0: none, allowed over IPv4
	}
	ip := make([]byte, 40, 40+len(udp))
	ip[0] = 0x60
	binary.BigEndian.PutUint16(ip[4:], uint16(len(udp)))
	ip[6], ip[7] = 17, 64
	s, d := src.Addr().As16(), dst.Addr().As16()
	copy(ip[8:], s[:])
	copy(ip[24:], d[:])
	// The UDP checksum is mandatory over IPv6: pseudo-header, then UDP.
	var ph [40]byte
	copy(ph[0:], s[:])
	copy(ph[16:], d[:])
	binary.BigEndian.PutUint32(ph[32:], uint32(len(udp)))
	ph[39] = 17
	c := ^sum16(sum16(0, ph[:]), udp)
	if c == 0 {
		c = 0xFFFF
	}
	binary.BigEndian.PutUint16(udp[6:], c)
	return append(ip, udp...)
}

// sum16 adds b to the ones' complement sum acc (RFC 1071).
func sum16(acc uint16, b []byte) uint16 {
	s := uint32(acc)
	for i := 0; i+1 < len(b); i += 2 {
		s += uint32(b[i])<<8 | uint32(b[i+1])
	}
	if len(b)%2 == 1 {
		s += uint32(b[len(b)-1]) << 8
	}
	for s > 0xFFFF {
		s = s&0xFFFF + s>>16
	}
	return uint16(s)
}

// ReadPcap reads a reproducer pcap: the target is the destination of the
// first datagram, and each other address is a case.
func ReadPcap(r io.Reader) (target netip.AddrPort, recs []*Record, err error) {
	var hdr [24]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return target, nil, ErrReproducer
	}
	bo := binary.ByteOrder(binary.LittleEndian)
	switch binary.LittleEndian.Uint32(hdr[:]) {
	case pcapMagic, 0xa1b23c4d:
	case 0xd4c3b2a1, 0x4d3cb2a1:
		bo = binary.BigEndian
	default:
		return target, nil, ErrReproducer
	}
	if lt := bo.Uint32(hdr[20:]); lt != linkTypeRaw {
		return target, nil, fmt.Errorf("%w: link type %d, want %d (raw IP)", ErrReproducer, lt, linkTypeRaw)
	}
	byLocal := map[netip.AddrPort]*Record{}
	for {
		var rh [16]byte
		if _, err := io.ReadFull(r, rh[:]); err != nil {
			if err == io.EOF {
				break
			}
			return target, nil, fmt.Errorf("%w: %v", ErrReproducer, err)
		}
		n := bo.Uint32(rh[8:])
		if n > 1<<20 {
			return target, nil, ErrReproducer
		}
		frame := make([]byte, n)
		if _, err := io.ReadFull(r, frame); err != nil {
			return target, nil, fmt.Errorf("%w: %v", ErrReproducer, err)
		}
		src, dst, payload, ok := parseIPUDP(frame)
		if !ok {
			continue
		}
		t := time.Unix(int64(bo.Uint32(rh[0:])), int64(bo.Uint32(rh[4:]))*1000)
		if !target.IsValid() {
			target = dst
		}
		out := dst == target
		local := src
		if !out {
			local = dst
		}
		rec := byLocal[local]
		if rec == nil {
			rec = &Record{N: uint64(len(recs) + 1), Local: local, Target: target, Start: t, Conclusion: -1}
			byLocal[local] = rec
			recs = append(recs, rec)
		}
		rec.Datagrams = append(rec.Datagrams, Datagram{Out: out, T: t, B: payload})
		rec.End = t
	}
	if len(recs) == 0 {
		return target, nil, fmt.Errorf("%w: no datagrams", ErrReproducer)
	}
	return target, recs, nil
}

func parseIPUDP(f []byte) (src, dst netip.AddrPort, payload []byte, ok bool) {
	if len(f) < 1 {
		return
	}
	var s, d netip.Addr
	var udp []byte
	switch f[0] >> 4 {
	case 4:
		ihl := int(f[0]&0xF) * 4
		if len(f) < ihl+8 || f[9] != 17 {
			return
		}
		s, d = netip.AddrFrom4([4]byte(f[12:16])), netip.AddrFrom4([4]byte(f[16:20]))
		udp = f[ihl:]
	case 6:
		if len(f) < 48 || f[6] != 17 {
			return
		}
		s, d = netip.AddrFrom16([16]byte(f[8:24])), netip.AddrFrom16([16]byte(f[24:40]))
		udp = f[40:]
	default:
		return
	}
	n := int(binary.BigEndian.Uint16(udp[4:]))
	if n < 8 || n > len(udp) {
		n = len(udp)
	}
	return netip.AddrPortFrom(s, binary.BigEndian.Uint16(udp[0:])), netip.AddrPortFrom(d, binary.BigEndian.Uint16(udp[2:])),
		udp[8:n], true
}

// WriteHex writes recs as text: comment lines (#) with what the finding
// is, "target ADDR", then for each case a "case N CLASS" line followed by
// one line per datagram, "> HEX" sent by srtfuzz and "< HEX" received,
// each with a comment line describing it.
func WriteHex(w io.Writer, comment string, recs []*Record) error {
	bw := bufio.NewWriter(w)
	for _, l := range strings.Split(strings.TrimRight(comment, "\n"), "\n") {
		fmt.Fprintf(bw, "# %s\n", l)
	}
	if len(recs) > 0 {
		fmt.Fprintf(bw, "target %s\n", recs[0].Target)
	}
	for _, rec := range recs {
		cls := rec.Class
		if cls == "" {
			cls = "-"
		}
		fmt.Fprintf(bw, "\ncase %d %s\n", rec.N, cls)
		if rec.Variant != "" {
			fmt.Fprintf(bw, "# %s\n", rec.Variant)
		}
		for _, d := range rec.Datagrams {
			dir := ">"
			if !d.Out {
				dir = "<"
			}
			fmt.Fprintf(bw, "# %s %s\n%s %s\n", dir, Describe(d.B), dir, hex.EncodeToString(d.B))
		}
	}
	return bw.Flush()
}

// ReadHex reads what WriteHex wrote.
func ReadHex(r io.Reader) (target netip.AddrPort, recs []*Record, err error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 1<<16), 1<<22)
	line := 0
	for sc.Scan() {
		line++
		l := strings.TrimSpace(sc.Text())
		if l == "" || l[0] == '#' {
			continue
		}
		f := strings.Fields(l)
		switch f[0] {
		case "target":
			if len(f) < 2 {
				return target, nil, fmt.Errorf("%w: line %d: target without an address", ErrReproducer, line)
			}
			if target, err = netip.ParseAddrPort(f[1]); err != nil {
				return target, nil, fmt.Errorf("%w: line %d: %v", ErrReproducer, line, err)
			}
		case "case":
			rec := &Record{N: uint64(len(recs) + 1), Target: target, Conclusion: -1}
			if len(f) > 1 {
				if n, err := strconv.ParseUint(f[1], 10, 64); err == nil {
					rec.N = n
				}
			}
			if len(f) > 2 && f[2] != "-" {
				rec.Class = f[2]
			}
			recs = append(recs, rec)
		case ">", "<":
			if len(f) < 2 {
				return target, nil, fmt.Errorf("%w: line %d: no hex after %s", ErrReproducer, line, f[0])
			}
			b, err := hex.DecodeString(strings.Join(f[1:], ""))
			if err != nil {
				return target, nil, fmt.Errorf("%w: line %d: %v", ErrReproducer, line, err)
			}
			if len(recs) == 0 {
				recs = append(recs, &Record{N: 1, Target: target, Conclusion: -1})
			}
			rec := recs[len(recs)-1]
			rec.Datagrams = append(rec.Datagrams, Datagram{Out: f[0] == ">", B: b})
		default:
			return target, nil, fmt.Errorf("%w: line %d: %q", ErrReproducer, line, clip(l, 40))
		}
	}
	if err := sc.Err(); err != nil {
		return target, nil, err
	}
	if len(recs) == 0 {
		return target, nil, fmt.Errorf("%w: no case", ErrReproducer)
	}
	return target, recs, nil
}

// ReadReproducer reads a pcap or hex reproducer file.
func ReadReproducer(path string) (netip.AddrPort, []*Record, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return netip.AddrPort{}, nil, err
	}
	if len(b) >= 4 {
		switch binary.LittleEndian.Uint32(b) {
		case pcapMagic, 0xa1b23c4d, 0xd4c3b2a1, 0x4d3cb2a1:
			return ReadPcap(bytes.NewReader(b))
		}
	}
	return ReadHex(bytes.NewReader(b))
}

// WriteReproducer writes recs as base.pcap and base.hex and returns the
// two paths.
func WriteReproducer(base, comment string, recs []*Record) ([]string, error) {
	var paths []string
	f, err := os.Create(base + ".pcap")
	if err != nil {
		return nil, err
	}
	err = WritePcap(f, recs)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, err
	}
	paths = append(paths, f.Name())
	h, err := os.Create(base + ".hex")
	if err != nil {
		return paths, err
	}
	err = WriteHex(h, comment, recs)
	if cerr := h.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return paths, err
	}
	return append(paths, h.Name()), nil
}

// ReplayOptions say how Replay sends a case again.
type ReplayOptions struct {
	// Raw sends the datagrams exactly as recorded. Otherwise the cookie of
	// a CONCLUSION is replaced by the one the target hands out now, and
	// the destination socket ID of the packets sent to the accepted
	// socket by the new socket's.
	Raw bool
	// Wait is how long to wait for each answer.
	Wait time.Duration
}

// Replay sends the datagrams srtfuzz sent in rec again, from a fresh port,
// and returns what went out and came back.
func (x *runner) Replay(ctx context.Context, rec *Record, o ReplayOptions) (*Record, error) {
	c, err := x.dial()
	if err != nil {
		return nil, err
	}
	defer c.close()
	c.rec.N, c.rec.Class, c.rec.Variant, c.rec.Retry = rec.N, rec.Class, rec.Variant, true
	// What the target answered then: the cookie, the accepted socket.
	var oldCookie, oldPeer uint32
	for _, d := range rec.Datagrams {
		var p packet.Packet
		if d.Out || p.Decode(d.B) != nil || p.Kind() != packet.KindHandshake {
			continue
		}
		switch {
		case p.Handshake.Type == handshake.Induction && oldCookie == 0:
			oldCookie = p.Handshake.Cookie
		case p.Handshake.Type == handshake.Conclusion && oldPeer == 0:
			oldPeer = p.Handshake.SocketID
		}
	}
	var newCookie, newPeer uint32
	for _, d := range rec.Datagrams {
		if !d.Out {
			continue
		}
		b := append([]byte(nil), d.B...)
		var p packet.Packet
		err := p.Decode(b)
		isHS := len(b) >= packet.HeaderSize+handshake.CIFSize && p.Control && p.Type == packet.TypeHandshake
		if !o.Raw {
			switch {
			case isHS && p.DstSocket == 0 && p.Handshake.Type != handshake.Induction && newCookie != 0 &&
				binary.BigEndian.Uint32(b[packet.HeaderSize+28:]) == oldCookie:
				binary.BigEndian.PutUint32(b[packet.HeaderSize+28:], newCookie)
			case len(b) >= packet.HeaderSize && oldPeer != 0 && newPeer != 0 && binary.BigEndian.Uint32(b[12:]) == oldPeer:
				binary.BigEndian.PutUint32(b[12:], newPeer)
			}
		}
		if err := c.send(ctx, b); err != nil {
			return c.rec, err
		}
		got, _ := c.drain(ctx, o.Wait)
		for _, a := range got {
			var q packet.Packet
			if q.Decode(a) != nil || q.Kind() != packet.KindHandshake {
				continue
			}
			switch {
			case err == nil && isHS && p.Handshake.Type == handshake.Induction && q.Handshake.Type == handshake.Induction:
				newCookie = q.Handshake.Cookie
			case q.Handshake.Type == handshake.Conclusion && newPeer == 0:
				newPeer = q.Handshake.SocketID
			}
		}
	}
	return c.rec, nil
}

// Replayer sends reproducers to a target again.
type Replayer struct{ x *runner }

// NewReplayer returns a Replayer for target, sending at most rate
// datagrams a second (0: no limit).
func NewReplayer(target netip.AddrPort, rate float64) *Replayer {
	return &Replayer{x: &runner{target: target, lim: newLimiter(rate)}}
}

// Replay sends rec's datagrams again from a fresh port (see ReplayOptions)
// and returns what went out and came back.
func (r *Replayer) Replay(ctx context.Context, rec *Record, o ReplayOptions) (*Record, error) {
	return r.x.Replay(ctx, rec, o)
}

// Probe reports whether the target answers a valid INDUCTION within d.
func (r *Replayer) Probe(ctx context.Context, d time.Duration) bool {
	ok, _ := r.x.probe(ctx, d, nil)
	return ok
}
