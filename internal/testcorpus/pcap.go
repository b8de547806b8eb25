package testcorpus

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"time"
)

// Frame is one UDP datagram read from a pcap file.
type Frame struct {
	// Number is the 1-based record number in the file, the same as
	// Wireshark's frame.number. Records that are not UDP are skipped but
	// still counted.
	Number int
	// Time is the capture timestamp (UTC).
	Time time.Time
	// Src and Dst are the IP addresses and UDP ports.
	Src, Dst netip.AddrPort
	// Payload is the UDP payload, that is the SRT datagram. It is trimmed to
	// the UDP length, so link-layer padding is never included.
	Payload []byte
	// OrigLen is the frame's length on the wire (the record's orig_len),
	// link-layer header included.
	OrigLen int
}

// Link types understood by ReadPcap.
const (
	linkNull     = 0   // BSD loopback: 4-byte address family in host order
	linkEthernet = 1   // EN10MB
	linkRaw      = 101 // raw IPv4 or IPv6
	linkLoop     = 108 // OpenBSD loopback: 4-byte address family, big-endian
	linkSLL      = 113 // Linux cooked capture v1
	linkIPv4     = 228 // raw IPv4
	linkIPv6     = 229 // raw IPv6
	linkSLL2     = 276 // Linux cooked capture v2
)

// Frames reads Dir()/name.pcap with ReadPcap. The parse is cached; each call
// returns fresh copies of the payloads.
func Frames(name string) ([]Frame, error) {
	path := Path(name + ".pcap")
	frames, err := cached("pcap:"+path, func() ([]Frame, error) { return ReadPcap(path) })
	if err != nil {
		return nil, err
	}
	return cloneFrames(frames), nil
}

func cloneFrames(in []Frame) []Frame {
	n := 0
	for _, f := range in {
		n += len(f.Payload)
	}
	buf := make([]byte, 0, n)
	out := make([]Frame, len(in))
	for i, f := range in {
		start := len(buf)
		buf = append(buf, f.Payload...)
		f.Payload = buf[start:len(buf):len(buf)]
		out[i] = f
	}
	return out
}

// ReadPcap reads a classic libpcap file (either byte order, microsecond or
// nanosecond timestamps) and returns its UDP datagrams in file order.
//
// Supported link types: NULL/loopback (0), EN10MB (1, with 802.1Q/QinQ tags),
// RAW (101), LOOP (108), LINUX_SLL (113), IPV4 (228), IPV6 (229) and
// LINUX_SLL2 (276). IPv4 options and the common IPv6 extension headers are
// skipped. Records that are not UDP over IPv4/IPv6, and IP fragments, are
// skipped, but Frame.Number still counts every record. pcapng files are not
// supported.
func ReadPcap(path string) ([]Frame, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	frames, err := parsePcap(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return frames, nil
}

func parsePcap(data []byte) ([]Frame, error) {
	if len(data) < 24 {
		return nil, errors.New("pcap: file shorter than the 24-byte global header")
	}
	var (
		bo   binary.ByteOrder
		nsec bool
	)
	switch m := binary.LittleEndian.Uint32(data); m {
	case 0xa1b2c3d4:
		bo = binary.LittleEndian
	case 0xa1b23c4d:
		bo, nsec = binary.LittleEndian, true
	case 0xd4c3b2a1:
		bo = binary.BigEndian
	case 0x4d3cb2a1:
		bo, nsec = binary.BigEndian, true
	case 0x0a0d0d0a:
		return nil, errors.New("pcap: pcapng files are not supported")
	default:
		return nil, fmt.Errorf("pcap: bad magic number 0x%08x", m)
	}
	// The upper bits of the link-type field may hold FCS information.
	link := bo.Uint32(data[20:]) & 0xffff
	switch link {
	case linkNull, linkEthernet, linkRaw, linkLoop, linkSLL, linkIPv4, linkIPv6, linkSLL2:
	default:
		return nil, fmt.Errorf("pcap: unsupported link type %d", link)
	}

	var frames []Frame
	off := 24
	for number := 1; off < len(data); number++ {
		if len(data)-off < 16 {
			return frames, fmt.Errorf("pcap: record %d: truncated record header", number)
		}
		h := data[off : off+16]
		sec, frac := bo.Uint32(h[0:]), bo.Uint32(h[4:])
		incl, orig := int(bo.Uint32(h[8:])), int(bo.Uint32(h[12:]))
		off += 16
		if incl < 0 || incl > len(data)-off {
			return frames, fmt.Errorf("pcap: record %d: captured length %d exceeds the file", number, incl)
		}
		rec := data[off : off+incl : off+incl]
		off += incl

		ip, ok := linkPayload(link, rec)
		if !ok {
			continue
		}
		src, dst, payload, ok := udpInIP(ip)
		if !ok {
			continue
		}
		ns := int64(frac)
		if !nsec {
			ns *= 1000
		}
		frames = append(frames, Frame{
			Number:  number,
			Time:    time.Unix(int64(sec), ns).UTC(),
			Src:     src,
			Dst:     dst,
			Payload: payload,
			OrigLen: orig,
		})
	}
	return frames, nil
}

// linkPayload strips the link-layer header and returns the IP packet.
func linkPayload(link uint32, b []byte) ([]byte, bool) {
	switch link {
	case linkEthernet:
		if len(b) < 14 {
			return nil, false
		}
		et, p := binary.BigEndian.Uint16(b[12:]), b[14:]
		for et == 0x8100 || et == 0x88a8 || et == 0x9100 { // VLAN tags
			if len(p) < 4 {
				return nil, false
			}
			et, p = binary.BigEndian.Uint16(p[2:]), p[4:]
		}
		return etherTypeIP(et, p)
	case linkNull, linkLoop:
		// The family is in the capturing host's byte order (NULL) or
		// big-endian (LOOP), and AF_INET6 differs between systems, so
		// the IP version nibble decides.
		if len(b) < 4 {
			return nil, false
		}
		return b[4:], true
	case linkRaw, linkIPv4, linkIPv6:
		return b, true
	case linkSLL:
		if len(b) < 16 {
			return nil, false
		}
		return etherTypeIP(binary.BigEndian.Uint16(b[14:]), b[16:])
	case linkSLL2:
		if len(b) < 20 {
			return nil, false
		}
		return etherTypeIP(binary.BigEndian.Uint16(b[0:]), b[20:])
	}
	return nil, false
}

func etherTypeIP(et uint16, p []byte) ([]byte, bool) {
	switch et {
	case 0x0800, 0x86dd:
		return p, true
	}
	return nil, false
}

// udpInIP decodes an IPv4 or IPv6 packet carrying UDP.
func udpInIP(b []byte) (src, dst netip.AddrPort, payload []byte, ok bool) {
	if len(b) < 1 {
		return
	}
	var (
		sa, da netip.Addr
		l4     []byte
	)
	switch b[0] >> 4 {
	case 4:
		if len(b) < 20 {
			return
		}
		ihl := int(b[0]&0x0f) * 4
		total := int(binary.BigEndian.Uint16(b[2:]))
		if ihl < 20 || len(b) < ihl {
			return
		}
		if total >= ihl && total < len(b) {
			b = b[:total] // drop link-layer padding
		}
		if flagsFrag := binary.BigEndian.Uint16(b[6:]); flagsFrag&0x3fff != 0 {
			return // a fragment (MF set or non-zero offset)
		}
		if b[9] != 17 {
			return
		}
		sa = netip.AddrFrom4([4]byte(b[12:16]))
		da = netip.AddrFrom4([4]byte(b[16:20]))
		l4 = b[ihl:]
	case 6:
		if len(b) < 40 {
			return
		}
		plen := int(binary.BigEndian.Uint16(b[4:]))
		if plen > 0 && 40+plen < len(b) {
			b = b[:40+plen]
		}
		sa = netip.AddrFrom16([16]byte(b[8:24]))
		da = netip.AddrFrom16([16]byte(b[24:40]))
		next, p := b[6], b[40:]
	ext:
		for {
			switch next {
			case 17:
				break ext
			case 0, 43, 60: // hop-by-hop, routing, destination options
				if len(p) < 8 {
					return
				}
				n := (int(p[1]) + 1) * 8
				if len(p) < n {
					return
				}
				next, p = p[0], p[n:]
			case 51: // authentication header
				if len(p) < 8 {
					return
				}
				n := (int(p[1]) + 2) * 4
				if len(p) < n {
					return
				}
				next, p = p[0], p[n:]
			case 44: // fragment
				if len(p) < 8 || binary.BigEndian.Uint16(p[2:])&0xfff9 != 0 {
					return // offset != 0 or more fragments: not reassembled
				}
				next, p = p[0], p[8:]
			default:
				return
			}
		}
		l4 = p
	default:
		return
	}
	if len(l4) < 8 {
		return
	}
	ulen := int(binary.BigEndian.Uint16(l4[4:]))
	data := l4[8:]
	if ulen >= 8 && ulen-8 <= len(data) {
		data = data[:ulen-8]
	}
	src = netip.AddrPortFrom(sa, binary.BigEndian.Uint16(l4[0:]))
	dst = netip.AddrPortFrom(da, binary.BigEndian.Uint16(l4[2:]))
	return src, dst, data[:len(data):len(data)], true
}
