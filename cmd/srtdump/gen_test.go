package main

import (
	"encoding/binary"
	"net/netip"
	"time"
)

// genCapture builds a classic pcap (link type 228, raw IPv4) of UDP
// datagrams at test time, one millisecond apart from genStart.
type genCapture struct {
	b   []byte
	n   int
	gap time.Duration // added to the times of the datagrams from now on
}

var genStart = time.Date(2026, 11, 24, 19, 0, 0, 0, time.UTC)

func newGenCapture() *genCapture {
	c := &genCapture{}
	c.b = []byte{0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0}
	c.b = binary.LittleEndian.AppendUint32(c.b, 0)
	c.b = binary.LittleEndian.AppendUint32(c.b, 0)
	c.b = binary.LittleEndian.AppendUint32(c.b, 65535)
	c.b = binary.LittleEndian.AppendUint32(c.b, 228)
	return c
}

// header returns the 24-byte file header.
func (c *genCapture) header() []byte { return c.b[:24] }

// add appends one datagram from src to dst; caplen > 0 cuts the record to
// that many bytes of UDP payload (a snaplen cut).
func (c *genCapture) add(src, dst netip.AddrPort, dg []byte, caplen int) {
	n := 28 + len(dg)
	s, d := src.Addr().As4(), dst.Addr().As4()
	fr := []byte{0x45, 0, byte(n >> 8), byte(n), 0, 0, 0, 0, 64, 17, 0, 0}
	fr = append(fr, s[:]...)
	fr = append(fr, d[:]...)
	fr = binary.BigEndian.AppendUint16(fr, src.Port())
	fr = binary.BigEndian.AppendUint16(fr, dst.Port())
	fr = binary.BigEndian.AppendUint16(fr, uint16(n-20))
	fr = append(fr, 0, 0)
	fr = append(fr, dg...)
	cl := len(fr)
	if caplen > 0 && 28+caplen < cl {
		cl = 28 + caplen
	}
	t := genStart.Add(time.Duration(c.n)*time.Millisecond + c.gap)
	c.n++
	c.b = binary.LittleEndian.AppendUint32(c.b, uint32(t.Unix()))
	c.b = binary.LittleEndian.AppendUint32(c.b, uint32(t.Nanosecond()/1000))
	c.b = binary.LittleEndian.AppendUint32(c.b, uint32(cl))
	c.b = binary.LittleEndian.AppendUint32(c.b, uint32(len(fr)))
	c.b = append(c.b, fr[:cl]...)
}

var (
	genCaller   = netip.MustParseAddrPort("10.0.0.1:40000")
	genListener = netip.MustParseAddrPort("10.0.0.2:9000")
)

// ctrlPacket returns an SRT control packet of type typ with the given info
// word, timestamp, destination socket and CIF.
func ctrlPacket(typ uint16, info, ts, dst uint32, cif []byte) []byte {
	b := binary.BigEndian.AppendUint32(nil, 0x80000000|uint32(typ)<<16)
	b = binary.BigEndian.AppendUint32(b, info)
	b = binary.BigEndian.AppendUint32(b, ts)
	b = binary.BigEndian.AppendUint32(b, dst)
	return append(b, cif...)
}

// hsCIF returns a 48-byte handshake CIF.
func hsCIF(version uint32, typeWord uint32, isn, mtu, fw uint32, hsType int32, sock, cookie uint32) []byte {
	b := binary.BigEndian.AppendUint32(nil, version)
	b = binary.BigEndian.AppendUint32(b, typeWord)
	b = binary.BigEndian.AppendUint32(b, isn)
	b = binary.BigEndian.AppendUint32(b, mtu)
	b = binary.BigEndian.AppendUint32(b, fw)
	b = binary.BigEndian.AppendUint32(b, uint32(hsType))
	b = binary.BigEndian.AppendUint32(b, sock)
	b = binary.BigEndian.AppendUint32(b, cookie)
	return append(b, 1, 0, 0, 10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0) // peer 10.0.0.1, byte-reversed
}

// induction returns a caller's HSv4-shaped INDUCTION from socket sock.
func induction(sock uint32) []byte {
	return ctrlPacket(0, 0, 100, 0, hsCIF(4, 2, 1000+sock, 1500, 8192, 1, sock, 0))
}

// dataPacket returns a data packet (solo, msgno) with a payload of n bytes.
func dataPacket(seq, msgno, ts, dst uint32, n int) []byte {
	b := binary.BigEndian.AppendUint32(nil, seq&0x7FFFFFFF)
	b = binary.BigEndian.AppendUint32(b, 3<<30|msgno)
	b = binary.BigEndian.AppendUint32(b, ts)
	b = binary.BigEndian.AppendUint32(b, dst)
	for i := 0; i < n; i++ {
		b = append(b, byte('A'+i%26))
	}
	return b
}

func netip4(s string) netip.AddrPort { return netip.MustParseAddrPort(s) }
