package capture

import (
	"encoding/binary"
	"net/netip"
)

// linkType is a capture's LINKTYPE_ value (gopacket v1.1.19's
// layers.LinkType is 8 bits wide and cannot hold LINKTYPE_LINUX_SLL2, 276).
type linkType uint32

// Link types the Reader understands.
const (
	linkTypeNull     linkType = 0   // BSD loopback, host byte order family
	linkTypeEthernet linkType = 1   // Ethernet
	linkTypeRawAlt   linkType = 12  // DLT_RAW on some BSDs
	linkTypeRawAlt2  linkType = 14  // DLT_RAW on others
	linkTypeRaw      linkType = 101 // raw IP (LINKTYPE_RAW)
	linkTypeLoop     linkType = 108 // OpenBSD loopback, network byte order family
	linkTypeSLL      linkType = 113 // Linux cooked capture v1 (tcpdump -i any)
	linkTypeIPv4     linkType = 228
	linkTypeIPv6     linkType = 229
	linkTypeSLL2     linkType = 276 // Linux cooked capture v2 (tcpdump >= 4.99 -i any)
)

func supportedLink(lt linkType) bool {
	switch lt {
	case linkTypeNull, linkTypeEthernet, linkTypeRaw, linkTypeLoop, linkTypeSLL, linkTypeIPv4, linkTypeIPv6, linkTypeSLL2, linkTypeRawAlt, linkTypeRawAlt2:
		return true
	}
	return false
}

// udpFrame is what parseFrame finds in one captured frame.
type udpFrame struct {
	src, dst netip.AddrPort
	payload  []byte // the UDP payload present in the capture
	udpLen   int    // the UDP payload length the UDP header claims
	// isUDP is set when the frame holds a UDP header (payload may be cut).
	isUDP bool
	// fragment is set for an IP fragment of a UDP datagram; src and dst
	// then hold the addresses with the ports when they are known (first
	// fragment) or 0.
	fragment bool
	// truncated is set when the capture holds fewer bytes than the IP or
	// UDP headers say (snaplen).
	truncated bool
	// lenUnknown is set when the UDP header gives no length (0, as for an
	// IPv6 jumbogram): the payload is whatever the capture holds.
	lenUnknown bool
}

// parseFrame finds the UDP datagram in a captured frame. It never
// allocates, never panics and never reads past b.
func parseFrame(lt linkType, b []byte, f *udpFrame) {
	*f = udpFrame{}
	var ip []byte
	switch lt {
	case linkTypeEthernet:
		if len(b) < 14 {
			return
		}
		et := binary.BigEndian.Uint16(b[12:])
		b = b[14:]
		for (et == 0x8100 || et == 0x88a8 || et == 0x9100) && len(b) >= 4 { // VLAN tags, QinQ
			et = binary.BigEndian.Uint16(b[2:])
			b = b[4:]
		}
		if et != 0x0800 && et != 0x86DD {
			return
		}
		ip = b
	case linkTypeNull, linkTypeLoop:
		if len(b) < 4 {
			return
		}
		ip = b[4:] // the family word's byte order varies; the IP version nibble decides
	case linkTypeRaw, linkTypeIPv4, linkTypeIPv6, linkTypeRawAlt, linkTypeRawAlt2:
		ip = b
	case linkTypeSLL:
		if len(b) < 16 {
			return
		}
		if et := binary.BigEndian.Uint16(b[14:]); et != 0x0800 && et != 0x86DD {
			return
		}
		ip = b[16:]
	case linkTypeSLL2:
		if len(b) < 20 {
			return
		}
		if et := binary.BigEndian.Uint16(b[0:]); et != 0x0800 && et != 0x86DD {
			return
		}
		ip = b[20:]
	default:
		return
	}
	if len(ip) < 1 {
		return
	}
	switch ip[0] >> 4 {
	case 4:
		parseIPv4(ip, f)
	case 6:
		parseIPv6(ip, f)
	}
}

func parseIPv4(ip []byte, f *udpFrame) {
	if len(ip) < 20 {
		f.truncated = true
		return
	}
	ihl := int(ip[0]&0xF) * 4
	total := int(binary.BigEndian.Uint16(ip[2:]))
	if ihl < 20 || total < ihl {
		return
	}
	if ip[9] != 17 { // not UDP (ICMP errors quoting SRT end here too)
		return
	}
	if len(ip) > total {
		ip = ip[:total] // Ethernet padding
	} else if len(ip) < total {
		f.truncated = true
	}
	src := netip.AddrFrom4([4]byte(ip[12:16]))
	dst := netip.AddrFrom4([4]byte(ip[16:20]))
	flags := binary.BigEndian.Uint16(ip[6:])
	more, offset := flags&0x2000 != 0, flags&0x1FFF
	if len(ip) < ihl {
		f.truncated = true
		return
	}
	if more || offset != 0 {
		f.fragment = true
		f.src, f.dst = netip.AddrPortFrom(src, 0), netip.AddrPortFrom(dst, 0)
		if offset == 0 && len(ip) >= ihl+8 {
			f.src = netip.AddrPortFrom(src, binary.BigEndian.Uint16(ip[ihl:]))
			f.dst = netip.AddrPortFrom(dst, binary.BigEndian.Uint16(ip[ihl+2:]))
		}
		return
	}
	parseUDP(ip[ihl:], src, dst, f)
}

func parseIPv6(ip []byte, f *udpFrame) {
	if len(ip) < 40 {
		f.truncated = true
		return
	}
	plen := int(binary.BigEndian.Uint16(ip[4:]))
	next := ip[6]
	src := netip.AddrFrom16([16]byte(ip[8:24]))
	dst := netip.AddrFrom16([16]byte(ip[24:40]))
	rest := ip[40:]
	if len(rest) > plen && plen != 0 {
		rest = rest[:plen]
	} else if len(rest) < plen {
		f.truncated = true
	}
	// Walk the extension headers, however many: each takes at least 8
	// bytes, so the walk ends with the datagram.
	for {
		switch next {
		case 17:
			parseUDP(rest, src, dst, f)
			return
		case 0, 43, 60: // hop-by-hop, routing, destination options
			if len(rest) < 8 {
				f.truncated = true
				return
			}
			n := 8 + int(rest[1])*8
			if len(rest) < n {
				f.truncated = true
				return
			}
			next, rest = rest[0], rest[n:]
		case 44: // fragment
			if len(rest) < 8 {
				f.truncated = true
				return
			}
			if rest[0] != 17 {
				return
			}
			f.fragment = true
			f.src, f.dst = netip.AddrPortFrom(src, 0), netip.AddrPortFrom(dst, 0)
			if off := binary.BigEndian.Uint16(rest[2:]) &^ 7; off == 0 && len(rest) >= 16 {
				f.src = netip.AddrPortFrom(src, binary.BigEndian.Uint16(rest[8:]))
				f.dst = netip.AddrPortFrom(dst, binary.BigEndian.Uint16(rest[10:]))
			}
			return
		default:
			return
		}
	}
}

func parseUDP(u []byte, src, dst netip.Addr, f *udpFrame) {
	if len(u) < 8 {
		f.truncated = true
		return
	}
	f.isUDP = true
	f.src = netip.AddrPortFrom(src, binary.BigEndian.Uint16(u[0:]))
	f.dst = netip.AddrPortFrom(dst, binary.BigEndian.Uint16(u[2:]))
	ulen := int(binary.BigEndian.Uint16(u[4:]))
	if ulen < 8 {
		ulen = len(u) // 0 = jumbogram or unknown: take what is there
		f.lenUnknown = true
	}
	f.udpLen = ulen - 8
	p := u[8:]
	if len(p) > f.udpLen {
		p = p[:f.udpLen]
	} else if len(p) < f.udpLen {
		f.truncated = true
	}
	f.payload = p[:len(p):len(p)]
}
