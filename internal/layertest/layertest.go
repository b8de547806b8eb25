// Package layertest is the one test table of the two gopacket SRT
// layers of srtwire: pcap.SRT (github.com/google/gopacket) and
// gopacketsrt.SRT (github.com/gopacket/gopacket, a module of its own).
// Both layers must decode, report and serialize every case the same way.
//
// A Case is an SRT datagram (a UDP payload) with what its layer must show:
// the decoded fields (Want), the error of a malformed datagram and whether
// the decoder reports it as truncated, and how gopacket sees the layer
// (Contents, Payload, next layer). Frame wraps a datagram in Ethernet,
// IPv4 or IPv6 and UDP, built here byte by byte, so that both tests decode
// the same frames without trusting either gopacket's serializer.
//
// The package uses the standard library and srtwire's codec packages only.
package layertest

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"

	"github.com/srtwire/srtwire/handshake"
	"github.com/srtwire/srtwire/packet"
	"github.com/srtwire/srtwire/reject"
)

// LayerTypeNumber is the gopacket layer number both SRT layers register.
const LayerTypeNumber = 1880

// Port is the UDP port the frames of Frame use for SRT (the listener's):
// register it with RegisterUDPPort before decoding them.
const Port = 40999

// PeerPort is the other end's UDP port.
const PeerPort = 51000

// Want holds the fields a decoded datagram must have. Only the fields of
// the datagram's kind are checked (see Check).
type Want struct {
	Control   bool
	Kind      packet.Kind
	Type      packet.ControlType
	Subtype   packet.Subtype
	Info      uint32
	Timestamp uint32
	DstSocket uint32

	// data and FEC packets
	Seq           packet.SeqNumber
	MsgNo         packet.MsgNumber
	Position      packet.Position
	Retransmitted bool
	Payload       []byte

	// handshakes
	HSVersion  uint32
	HSType     handshake.Type
	SocketID   uint32
	StreamID   string
	Latency    uint16 // the HSREQ/HSRSP receiver delay, ms
	Reason     reject.Reason
	Extensions []handshake.ExtType

	// ACK
	ACKVariant packet.ACKVariant
	LastAckSeq packet.SeqNumber
	RTT        uint32

	// NAK: the sequence numbers reported lost
	Lost int
}

// Case is one datagram of the table.
type Case struct {
	Name     string
	Datagram []byte
	// Err is the error DecodeFromBytes returns, unwrapped (compare with
	// ==), or nil. The layer's fields then hold what was decoded before
	// the fault, and Want is not checked.
	Err error
	// Truncated says whether DecodeFromBytes calls SetTruncated on its
	// feedback.
	Truncated bool
	Want      Want
}

// Valid reports whether the datagram decodes.
func (c *Case) Valid() bool { return c.Err == nil }

// ContentsLen is the length of the layer's Contents: the whole datagram
// for a control packet (and for a datagram that does not decode), the
// 16-byte header for a data packet.
func (c *Case) ContentsLen() int {
	if c.Err != nil || c.Want.Control {
		return len(c.Datagram)
	}
	return packet.HeaderSize
}

// NextIsPayload reports whether the layer's next layer is gopacket's
// Payload (a data packet) rather than LayerTypeZero (a control packet: the
// chain ends with SRT).
func (c *Case) NextIsPayload() bool { return c.Err == nil && !c.Want.Control }

// HasPayloadLayer reports whether gopacket's decoders add a Payload layer
// after SRT: a data packet that carries user data.
func (c *Case) HasPayloadLayer() bool { return c.NextIsPayload() && len(c.Want.Payload) > 0 }

// Check compares a decoded packet with the case's Want and returns an
// error naming the first difference.
func (c *Case) Check(p *packet.Packet) error {
	w := &c.Want
	diff := func(field string, got, want any) error {
		return fmt.Errorf("%s: %s = %v, want %v", c.Name, field, got, want)
	}
	switch {
	case p.Control != w.Control:
		return diff("Control", p.Control, w.Control)
	case p.Kind() != w.Kind:
		return diff("Kind", p.Kind(), w.Kind)
	case p.Timestamp != w.Timestamp:
		return diff("Timestamp", p.Timestamp, w.Timestamp)
	case p.DstSocket != w.DstSocket:
		return diff("DstSocket", p.DstSocket, w.DstSocket)
	}
	if !p.Control {
		switch {
		case p.Seq != w.Seq:
			return diff("Seq", p.Seq, w.Seq)
		case p.MsgNo != w.MsgNo:
			return diff("MsgNo", p.MsgNo, w.MsgNo)
		case p.Position != w.Position:
			return diff("Position", p.Position, w.Position)
		case p.Retransmitted != w.Retransmitted:
			return diff("Retransmitted", p.Retransmitted, w.Retransmitted)
		case string(p.Payload) != string(w.Payload):
			return diff("Payload", p.Payload, w.Payload)
		}
		return nil
	}
	switch {
	case p.Type != w.Type:
		return diff("Type", p.Type, w.Type)
	case p.Subtype != w.Subtype:
		return diff("Subtype", p.Subtype, w.Subtype)
	case p.Info != w.Info:
		return diff("Info", p.Info, w.Info)
	}
	switch p.Kind() {
	case packet.KindHandshake:
		h := &p.Handshake
		switch {
		case h.Version != w.HSVersion:
			return diff("Handshake.Version", h.Version, w.HSVersion)
		case h.Type != w.HSType:
			return diff("Handshake.Type", h.Type, w.HSType)
		case h.SocketID != w.SocketID:
			return diff("Handshake.SocketID", h.SocketID, w.SocketID)
		case h.StreamID() != w.StreamID:
			return diff("StreamID", h.StreamID(), w.StreamID)
		}
		if r, ok := h.Type.Reason(); ok != (w.HSType.IsRejection()) || (ok && r != w.Reason) {
			return diff("reason", r, w.Reason)
		}
		var exts []handshake.ExtType
		for it := h.Extensions(); it.Next(); {
			exts = append(exts, it.Type())
		}
		if fmt.Sprint(exts) != fmt.Sprint(w.Extensions) {
			return diff("extensions", exts, w.Extensions)
		}
		if q, err := h.SRTOptions(); err == nil && q.RecvDelay != w.Latency {
			return diff("HSREQ latency", q.RecvDelay, w.Latency)
		}
	case packet.KindACK:
		switch {
		case p.ACK.Variant != w.ACKVariant:
			return diff("ACK.Variant", p.ACK.Variant, w.ACKVariant)
		case p.ACK.LastAckSeq != w.LastAckSeq:
			return diff("ACK.LastAckSeq", p.ACK.LastAckSeq, w.LastAckSeq)
		case p.ACK.RTT != w.RTT:
			return diff("ACK.RTT", p.ACK.RTT, w.RTT)
		}
	case packet.KindNAK:
		if p.NAK.Count() != w.Lost {
			return diff("NAK.Count", p.NAK.Count(), w.Lost)
		}
	}
	return nil
}

// Cases returns the table: one datagram of each kind (data, FEC,
// handshakes of several types with extension blocks, a rejection, ACK
// variants, NAK, ACKACK, KEEPALIVE, SHUTDOWN, UMSG_EXT), then malformed
// ones. Every call returns fresh slices.
func Cases() []Case {
	var cases []Case
	add := func(c Case) { cases = append(cases, c) }

	data := func(name string, h packet.Header, payload []byte) {
		p := packet.Packet{Header: h, Payload: payload}
		add(Case{Name: name, Datagram: must(p.AppendBinary(nil)), Want: Want{
			Kind: packet.KindData, Timestamp: h.Timestamp, DstSocket: h.DstSocket, Seq: h.Seq, MsgNo: h.MsgNo,
			Position: h.Position, Retransmitted: h.Retransmitted, Payload: payload,
		}})
	}
	ts := packet.Header{Seq: 1000, Position: packet.PositionSolo, InOrder: false, MsgNo: 5, Timestamp: 123456, DstSocket: 0x1234567}
	data("data", ts, []byte("srtwire: one table for both gopackets"))
	retx := ts
	retx.Seq, retx.Retransmitted, retx.Position, retx.MsgNo = 999, true, packet.PositionFirst, 4
	data("data retransmitted", retx, make([]byte, 1316))
	empty := ts
	empty.Seq = 1001
	data("data without payload", empty, []byte{})

	fec := packet.Header{Seq: 1010, Position: packet.PositionSolo, MsgNo: 0, Timestamp: 123999, DstSocket: 0x1234567}
	fecPayload := append(packet.AppendFECHeader(nil, packet.FECHeader{Index: -1, LengthXor: 1316}), make([]byte, 16)...)
	p := packet.Packet{Header: fec, Payload: fecPayload}
	add(Case{Name: "FEC", Datagram: must(p.AppendBinary(nil)), Want: Want{
		Kind: packet.KindFEC, Timestamp: fec.Timestamp, DstSocket: fec.DstSocket, Seq: fec.Seq, Position: packet.PositionSolo,
		Payload: fecPayload,
	}})

	control := func(name string, p packet.Packet, w Want) {
		p.Control = true
		w.Control, w.Type, w.Subtype, w.Info = true, p.Type, p.Subtype, p.Info
		w.Timestamp, w.DstSocket = p.Timestamp, p.DstSocket
		add(Case{Name: name, Datagram: must(p.AppendBinary(nil)), Want: w})
	}

	// Handshakes: a caller's INDUCTION, the listener's CONCLUSION answer
	// with HSRSP, the caller's CONCLUSION with HSREQ and SID, a rejection.
	ind := handshake.Handshake{Version: 4, Extension: 2, ISN: 1000, MTU: 1500, FlowWindow: 8192,
		Type: handshake.Induction, SocketID: 0x1111, Cookie: 0}
	control("handshake INDUCTION", hsPacket(ind, nil), Want{Kind: packet.KindHandshake, HSVersion: 4,
		HSType: handshake.Induction, SocketID: 0x1111})
	req := handshake.HSReq{Version: handshake.MakeSRTVersion(1, 5, 1),
		Flags: handshake.FlagTSBPDSnd | handshake.FlagTSBPDRcv | handshake.FlagCrypt | handshake.FlagTLPktDrop |
			handshake.FlagPeriodicNAK | handshake.FlagRexmit | handshake.FlagFilterCap,
		RecvDelay: 120, SendDelay: 0}
	conc := handshake.Handshake{Version: 5, ISN: 1000, MTU: 1500, FlowWindow: 8192,
		Type: handshake.Conclusion, SocketID: 0x1111, Cookie: 0xC00C1E}
	conc.SetPeerAddr(netip.MustParseAddr("192.0.2.1"))
	hp := hsPacket(conc, func(b *handshake.Builder) {
		b.AddHSReq(handshake.ExtHSReq, req)
		b.AddString(handshake.ExtSID, "#!::r=live/feed1,m=publish,u=alice")
	})
	hp.DstSocket = 0
	control("handshake CONCLUSION", hp, Want{Kind: packet.KindHandshake, HSVersion: 5, HSType: handshake.Conclusion,
		SocketID: 0x1111, StreamID: "#!::r=live/feed1,m=publish,u=alice", Latency: 120,
		Extensions: []handshake.ExtType{handshake.ExtHSReq, handshake.ExtSID}})
	rsp := conc
	rsp.SocketID = 0x2222
	hp = hsPacket(rsp, func(b *handshake.Builder) { b.AddHSReq(handshake.ExtHSRsp, req) })
	hp.DstSocket = 0x1111
	control("handshake CONCLUSION answer", hp, Want{Kind: packet.KindHandshake, HSVersion: 5,
		HSType: handshake.Conclusion, SocketID: 0x2222, Latency: 120, Extensions: []handshake.ExtType{handshake.ExtHSRsp}})
	rej := conc
	rej.Type = handshake.RejectionType(reject.Forbidden)
	rej.SocketID = 0x2222
	hp = hsPacket(rej, nil)
	hp.DstSocket = 0x1111
	control("handshake REJECT", hp, Want{Kind: packet.KindHandshake, HSVersion: 5, HSType: rej.Type,
		SocketID: 0x2222, Reason: reject.Forbidden})

	ack := packet.Packet{Header: packet.Header{Type: packet.TypeACK, Info: 7, Timestamp: 200000, DstSocket: 0x1111},
		ACK: packet.ACK{Variant: packet.ACKFull, LastAckSeq: 1011, RTT: 2500, RTTVar: 1250, AvailBuf: 8000,
			PktRate: 1000, Bandwidth: 50000, RecvRate: 1316000}}
	control("ACK full", ack, Want{Kind: packet.KindACK, ACKVariant: packet.ACKFull, LastAckSeq: 1011, RTT: 2500})
	light := packet.Packet{Header: packet.Header{Type: packet.TypeACK, Timestamp: 200100, DstSocket: 0x1111},
		ACK: packet.ACK{Variant: packet.ACKLight, LastAckSeq: 1075}}
	control("ACK light", light, Want{Kind: packet.KindACK, ACKVariant: packet.ACKLight, LastAckSeq: 1075})
	list := must(packet.AppendLossRange(nil, 1020, 1024))
	list = must(packet.AppendLossRange(list, 1030, 1030))
	nak := packet.Packet{Header: packet.Header{Type: packet.TypeNAK, Timestamp: 200200, DstSocket: 0x1111},
		NAK: packet.NAK{List: list}}
	control("NAK", nak, Want{Kind: packet.KindNAK, Lost: 6})
	control("ACKACK", packet.Packet{Header: packet.Header{Type: packet.TypeACKACK, Info: 7, Timestamp: 200300, DstSocket: 0x2222}},
		Want{Kind: packet.KindACKACK})
	control("KEEPALIVE", packet.Packet{Header: packet.Header{Type: packet.TypeKeepalive, Timestamp: 300000, DstSocket: 0x2222}},
		Want{Kind: packet.KindKeepalive})
	control("SHUTDOWN", packet.Packet{Header: packet.Header{Type: packet.TypeShutdown, Timestamp: 400000, DstSocket: 0x2222}},
		Want{Kind: packet.KindShutdown})
	control("PEERERROR", packet.Packet{Header: packet.Header{Type: packet.TypePeerError, Info: packet.PeerErrorFile,
		Timestamp: 400100, DstSocket: 0x2222}}, Want{Kind: packet.KindPeerError})
	kmState := handshake.AppendKMState(nil, handshake.KMBadSecret)
	control("UMSG_EXT KMRSP", packet.Packet{Header: packet.Header{Type: packet.TypeUserDefined, Subtype: packet.SubtypeKMRsp,
		Timestamp: 400200, DstSocket: 0x2222}, CIF: kmState}, Want{Kind: packet.KindUserDefined})

	// Malformed datagrams: the decoder's sentinel error, unwrapped.
	byName := func(name string) []byte {
		for _, c := range cases {
			if c.Name == name {
				return clone(c.Datagram)
			}
		}
		panic("layertest: no case " + name)
	}
	conclusion := byName("handshake CONCLUSION")
	add(Case{Name: "header cut", Datagram: conclusion[:10], Err: packet.ErrTruncated, Truncated: true})
	add(Case{Name: "empty", Datagram: []byte{}, Err: packet.ErrTruncated, Truncated: true})
	add(Case{Name: "handshake CIF cut", Datagram: clone(conclusion[:packet.HeaderSize+20]), Err: handshake.ErrTruncated, Truncated: true})
	long := clone(conclusion)
	ext := packet.HeaderSize + handshake.CIFSize
	long[ext+2], long[ext+3] = 0xFF, 0xFF // the first block claims 65535 words
	add(Case{Name: "extension too long", Datagram: long, Err: handshake.ErrExtLength})
	// A NAK whose only entry starts a range (bit 31 set) and has no end.
	dangling := append(byName("NAK")[:packet.HeaderSize], 0x80, 0, 0x03, 0xFC)
	add(Case{Name: "NAK range without end", Datagram: dangling, Err: packet.ErrNAKDanglingRange})
	add(Case{Name: "ACK CIF cut", Datagram: byName("ACK full")[:packet.HeaderSize+2], Err: packet.ErrTruncated, Truncated: true})
	return cases
}

// hsPacket returns a HANDSHAKE packet whose CIF is h with the blocks add
// writes (none when add is nil).
func hsPacket(h handshake.Handshake, add func(b *handshake.Builder)) packet.Packet {
	b := handshake.NewBuilder(nil, &h)
	if add != nil {
		add(&b)
	}
	cif := must(b.Finish())
	var p packet.Packet
	p.Control, p.Type, p.Timestamp, p.DstSocket = true, packet.TypeHandshake, 100000, 0
	if err := p.Handshake.Decode(cif); err != nil {
		panic(err)
	}
	return p
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func clone(b []byte) []byte { return append([]byte(nil), b...) }

// Frame returns an Ethernet frame carrying dgram in UDP over IPv4 (v6
// false) or IPv6, from PeerPort to Port, with valid lengths and
// checksums, padded to Ethernet's minimum frame size.
func Frame(dgram []byte, v6 bool) []byte {
	var src, dst netip.Addr
	if v6 {
		src, dst = netip.MustParseAddr("2001:db8::1"), netip.MustParseAddr("2001:db8::2")
	} else {
		src, dst = netip.MustParseAddr("192.0.2.1"), netip.MustParseAddr("192.0.2.2")
	}
	udpLen := 8 + len(dgram)
	udp := make([]byte, 8, udpLen)
	binary.BigEndian.PutUint16(udp[0:], PeerPort)
	binary.BigEndian.PutUint16(udp[2:], Port)
	binary.BigEndian.PutUint16(udp[4:], uint16(udpLen))
	udp = append(udp, dgram...)
	// The UDP checksum over the pseudo-header (RFC 768, RFC 8200 §8.1).
	var sum uint32
	add := func(b []byte) {
		for i := 0; i+1 < len(b); i += 2 {
			sum += uint32(binary.BigEndian.Uint16(b[i:]))
		}
		if len(b)%2 == 1 {
			sum += uint32(b[len(b)-1]) << 8
		}
	}
	add(src.AsSlice())
	add(dst.AsSlice())
	sum += 17 + uint32(udpLen)
	add(udp)
	for sum > 0xFFFF {
		sum = sum>>16 + sum&0xFFFF
	}
	ck := ^uint16(sum)
	if ck == 0 {
		ck = 0xFFFF
	}
	binary.BigEndian.PutUint16(udp[6:], ck)

	eth := []byte{0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1, 0x08, 0x00}
	if v6 {
		eth[12], eth[13] = 0x86, 0xDD
		ip := make([]byte, 40)
		ip[0] = 0x60
		binary.BigEndian.PutUint16(ip[4:], uint16(udpLen))
		ip[6], ip[7] = 17, 64
		copy(ip[8:], src.AsSlice())
		copy(ip[24:], dst.AsSlice())
		return pad(append(append(eth, ip...), udp...))
	}
	ip := make([]byte, 20)
	ip[0] = 0x45
	binary.BigEndian.PutUint16(ip[2:], uint16(20+udpLen))
	ip[6] = 0x40 // don't fragment
	ip[8], ip[9] = 64, 17
	copy(ip[12:], src.AsSlice())
	copy(ip[16:], dst.AsSlice())
	sum = 0
	add(ip)
	for sum > 0xFFFF {
		sum = sum>>16 + sum&0xFFFF
	}
	binary.BigEndian.PutUint16(ip[10:], ^uint16(sum))
	return pad(append(append(eth, ip...), udp...))
}

// pad pads an Ethernet frame with zeros to the 60-byte minimum (64 with
// the FCS, IEEE 802.3), as senders do and as gopacket's Ethernet layer
// serializes it.
func pad(frame []byte) []byte {
	for len(frame) < 60 {
		frame = append(frame, 0)
	}
	return frame
}

// Find returns the case called name; it panics when there is none.
func Find(name string) Case {
	for _, c := range Cases() {
		if c.Name == name {
			return c
		}
	}
	panic(errors.New("layertest: no case " + name))
}
