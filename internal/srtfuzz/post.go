package srtfuzz

import (
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/srtwire/srtwire/handshake"
	"github.com/srtwire/srtwire/packet"
)

// Session is an accepted connection a PhasePost case sends to.
type Session struct {
	// Peer is the listener's socket ID for the connection (the SocketID
	// of its CONCLUSION answer): the DstSocket of every packet sent.
	Peer uint32
	// Caller is the case's own socket ID and ISN. A libsrt listener uses
	// the caller's ISN for both directions (srtcore/core.cpp
	// CUDT::acceptAndRespond), so the listener's sending window starts at
	// ISN too: it has sent nothing yet.
	Caller Caller
	// MSS is the negotiated MSS (the smaller of the two).
	MSS int
	// Timestamp is the header timestamp of the packets (µs since the
	// case started).
	Timestamp uint32
}

func (s *Session) isn() packet.SeqNumber { return packet.SeqNumber(s.Caller.ISN & 0x7FFFFFFF) }

// control encodes a control packet to the peer. Fields out of range for
// the encoder are written as they are.
func (s *Session) control(t packet.ControlType, sub packet.Subtype, info uint32, cif []byte) []byte {
	h := packet.Header{Control: true, Type: t, Subtype: sub, Info: info, Timestamp: s.Timestamp, DstSocket: s.Peer}
	b, err := h.AppendBinary(make([]byte, 0, packet.HeaderSize+len(cif)))
	if err != nil {
		b = appendRawHeader(b[:0], &h)
	}
	return append(b, cif...)
}

// data encodes a data packet of seq with payload to the peer.
func (s *Session) data(seq packet.SeqNumber, msg packet.MsgNumber, key handshake.KeyFlags, payload []byte) []byte {
	p := packet.Packet{Header: packet.Header{Seq: seq, Position: packet.PositionSolo, MsgNo: msg, Key: key,
		Timestamp: s.Timestamp, DstSocket: s.Peer}, Payload: payload}
	b, err := p.AppendBinary(nil)
	if err != nil {
		// KK or other fields out of range: write the words by hand.
		b = binary.BigEndian.AppendUint32(nil, uint32(seq)&0x7FFFFFFF)
		b = binary.BigEndian.AppendUint32(b, 3<<30|uint32(key&3)<<27|uint32(msg)&0x03FFFFFF)
		b = binary.BigEndian.AppendUint32(b, s.Timestamp)
		b = binary.BigEndian.AppendUint32(b, s.Peer)
		b = append(b, payload...)
	}
	return b
}

// umsg encodes a UMSG_EXT packet of subtype sub.
func (s *Session) umsg(sub packet.Subtype, cif []byte) []byte {
	return s.control(packet.TypeUserDefined, sub, 0, cif)
}

func postKMLong(r *rand.Rand, s *Session, e *Env) ([][]byte, string) {
	sub := pick(r, packet.SubtypeKMReq, packet.SubtypeKMReq, packet.SubtypeKMRsp)
	n := pick(r, 105, 108, 112, 128, 200, 256, 400, 512, 1000, 1024, 1300, 1400)
	if r.IntN(3) == 0 {
		n = 105 + r.IntN(1296)
	}
	var cif []byte
	if r.IntN(3) != 0 {
		// Key material whose header is valid, then more.
		cif = kmValue(e.seal(r, pick(r, 16, 24, 32), pick(r, handshake.KeyEven, handshake.KeyBoth), handshake.CipherAESCTR))
	}
	cif = append(cif, randBytes(r, max(0, n-len(cif)))...)[:n]
	return [][]byte{s.umsg(sub, cif)}, fmt.Sprintf("UMSG_EXT %v of %d bytes", sub, n)
}

func postKMRsp(r *rand.Rand, s *Session, e *Env) ([][]byte, string) {
	var cif []byte
	var what string
	switch r.IntN(4) {
	case 0:
		st := handshake.KMState(pick(r, 0, 1, 2, 3, 4, 5, 6, 0xFF, r.Uint32()))
		cif = handshake.AppendKMState(nil, st)
		what = fmt.Sprintf("state %d", st)
	case 1:
		cif = kmValue(e.seal(r, pick(r, 16, 24, 32), pick(r, handshake.KeyEven, handshake.KeyOdd, handshake.KeyBoth),
			pick(r, handshake.CipherAESCTR, handshake.CipherAESGCM)))
		what = fmt.Sprintf("key material of %d bytes", len(cif))
	case 2:
		cif = randBytes(r, r.IntN(105))
		what = fmt.Sprintf("%d random bytes", len(cif))
	default:
		cif = nil
		what = "an empty CIF"
	}
	pkts := [][]byte{s.umsg(packet.SubtypeKMRsp, cif)}
	if r.IntN(3) == 0 {
		pkts = append(pkts, pkts[0], pkts[0])
		what += ", three times"
	}
	return pkts, "unrequested UMSG_EXT KMRSP: " + what
}

func postKMReq(r *rand.Rand, s *Session, e *Env) ([][]byte, string) {
	klen, kk, cipher := e.keyLen, handshake.KeyBoth, handshake.CipherAESCTR
	salt, kek := e.salt, e.kek[e.keyLen]
	var what []string
	switch r.IntN(6) {
	case 0:
		kk = pick(r, handshake.KeyEven, handshake.KeyOdd)
		what = append(what, "one key only ("+kk.String()+")")
	case 1:
		cipher = handshake.CipherAESGCM
		what = append(what, "cipher AES-GCM")
	case 2:
		klen = pick(r, 16, 24, 32)
		kek = e.kek[klen]
		what = append(what, fmt.Sprintf("key length %d", klen))
	case 3:
		salt = randBytes(r, 16)
		what = append(what, "another salt")
	case 4:
		kek = randBytes(r, klen)
		what = append(what, "another KEK")
	default:
		what = append(what, "a refresh")
	}
	var cif []byte
	if keys, err := newKeys(r, klen, kk); err == nil {
		if km, err := seal(kek, salt, keys, cipher); err == nil {
			cif = kmValue(km)
		}
	}
	if r.IntN(4) == 0 && len(cif) > 16 {
		cif[r.IntN(len(cif))] ^= byte(1 + r.IntN(255))
		what = append(what, "one byte changed")
	}
	pkts := [][]byte{s.umsg(packet.SubtypeKMReq, cif)}
	if r.IntN(3) == 0 {
		pkts = append(pkts, pkts[0])
		what = append(what, "twice")
	}
	return pkts, "in-band KMREQ: " + strings.Join(what, ", ")
}

func postUMSGOther(r *rand.Rand, s *Session, e *Env) ([][]byte, string) {
	sub := pick(r, packet.SubtypeHSReq, packet.SubtypeHSRsp, 0, 5, 6, 7, 8, 9, 15, 16, 0x7FFF, 0xFFFF, packet.Subtype(r.Uint32()))
	var cif []byte
	switch r.IntN(3) {
	case 0:
		h := e.hsreq()
		h.Version = pick(r, h.Version, handshake.MakeSRTVersion(1, 2, 0), 0)
		cif = hsreqValue(h)
	case 1:
		cif = randBytes(r, r.IntN(105))
	default:
		cif = randBytes(r, r.IntN(1401))
	}
	return [][]byte{s.umsg(sub, cif)}, fmt.Sprintf("UMSG_EXT %v with %d bytes", sub, len(cif))
}

// aheadOffsets are distances past the listener's sending window (it has
// sent nothing: everything after ISN is ahead), around libsrt's
// wrap-aware comparison threshold of 2^30 (srtcore/common.h CSeqNo).
var aheadOffsets = []int32{1, 2, 100, 8192, 25600, 1 << 20, 1<<30 - 1, 1 << 30, 1<<30 + 1, 1<<31 - 1, -1, -2, -(1 << 30)}

func postACK(r *rand.Rand, s *Session, e *Env) ([][]byte, string) {
	isn := s.isn()
	var pkts [][]byte
	var what []string
	for k := 1 + r.IntN(4); k > 0; k-- {
		if r.IntN(6) == 0 {
			n := pick(r, 0, 1, r.Uint32())
			pkts = append(pkts, s.control(packet.TypeACKACK, 0, n, make([]byte, 4)))
			what = append(what, fmt.Sprintf("ACKACK %d", n))
			continue
		}
		off := pick(r, aheadOffsets...)
		a := packet.ACK{Variant: pick(r, packet.ACKLight, packet.ACKSmall, packet.ACKFull24, packet.ACKFull, packet.ACKFull32),
			LastAckSeq: isn.Add(off), RTT: pick(r, 0, 1, r.Uint32()), RTTVar: r.Uint32(), AvailBuf: pick(r, 0, 1, 0xFFFFFFFF, r.Uint32()),
			PktRate: r.Uint32(), Bandwidth: pick(r, 0, r.Uint32()), RecvRate: r.Uint32(), XmRate: r.Uint32()}
		cif, _ := a.AppendBinary(nil)
		desc := fmt.Sprintf("%v ACK ISN%+d", a.Variant, off)
		switch r.IntN(5) {
		case 0:
			cif[0] |= 0x80 // bit 31 set: libsrt ignores it
			desc += " bit31"
		case 1:
			cif = append(cif, randBytes(r, 1+r.IntN(8))...)
			desc += " +extra"
		case 2:
			cif = cif[:r.IntN(4)]
			desc = fmt.Sprintf("ACK of %d bytes", len(cif))
		}
		num := pick(r, 0, 1, 2, r.Uint32())
		if a.Variant == packet.ACKLight {
			num = 0
		}
		pkts = append(pkts, s.control(packet.TypeACK, 0, num, cif))
		what = append(what, desc)
	}
	return pkts, strings.Join(what, "; ")
}

// lossWord is a loss-list word.
func lossWord(b []byte, seq packet.SeqNumber, rangeStart bool) []byte {
	v := uint32(seq) & 0x7FFFFFFF
	if rangeStart {
		v |= 1 << 31
	}
	return binary.BigEndian.AppendUint32(b, v)
}

func postNAK(r *rand.Rand, s *Session, e *Env) ([][]byte, string) {
	isn := s.isn()
	var list []byte
	var what string
	switch r.IntN(7) {
	case 0:
		hi := isn.Add(int32(1 + r.IntN(1000)))
		list = lossWord(lossWord(nil, hi, true), isn, false)
		what = "reversed range"
	case 1:
		n := pick(r, 50, 100, 200, 340, 350, 366)
		for i := 0; i < n; i++ {
			if r.IntN(3) == 0 && i+1 < n {
				lo := isn.Add(int32(r.Uint32N(1 << 31)))
				list = lossWord(lossWord(list, lo, true), lo.Add(int32(1+r.IntN(1<<20))), false)
				i++
			} else {
				list = lossWord(list, isn.Add(int32(r.Uint32N(1<<31))), false)
			}
		}
		what = fmt.Sprintf("huge: %d words", len(list)/4)
	case 2:
		list = lossWord(lossWord(nil, isn, false), isn.Add(5), true)
		what = "dangling range start at the end"
	case 3:
		list = lossWord(lossWord(lossWord(nil, isn, true), isn.Add(5), true), isn.Add(9), false)
		what = "range start after range start"
	case 4:
		list = lossWord(lossWord(nil, isn, true), isn.Add(int32(pick(r, 1<<30-1, 1<<30, 1<<31-1))), false)
		what = "range covering 2^30"
	case 5:
		for k := 1 + r.IntN(8); k > 0; k-- {
			list = lossWord(list, isn.Add(pick(r, aheadOffsets...)), false)
		}
		what = fmt.Sprintf("%d singles outside the window", len(list)/4)
	default:
		list = randBytes(r, pick(r, 0, 1, 2, 3, 5, 6, 7))
		what = fmt.Sprintf("%d-byte list", len(list))
	}
	if r.IntN(5) == 0 {
		list = append(list, randBytes(r, 1+r.IntN(3))...)
		what += " + stray bytes"
	}
	return [][]byte{s.control(packet.TypeNAK, 0, 0, list)}, "NAK " + what
}

func postDropReq(r *rand.Rand, s *Session, e *Env) ([][]byte, string) {
	isn := s.isn()
	var pkts [][]byte
	k := r.IntN(6)
	for i := 0; i < k; i++ {
		pkts = append(pkts, s.data(isn.Add(int32(i)), packet.MsgNumber(1+i), handshake.KeyNone, randBytes(r, 16+r.IntN(200))))
	}
	first, last := isn, isn.Add(int32(max(1, k)))
	var what string
	switch r.IntN(5) {
	case 0:
		first, last = last.Add(int32(r.IntN(100))), first
		what = "reversed"
	case 1:
		first = isn.Add(pick(r, aheadOffsets...))
		last = first.Add(int32(r.IntN(10)))
		what = "outside the window"
	case 2:
		last = isn.Add(int32(pick(r, 1<<30-1, 1<<30, 1<<31-1, 1<<20)))
		what = "huge range"
	case 3:
		first, last = isn.Add(-int32(1+r.IntN(1000))), isn.Add(-1)
		what = "before the ISN"
	default:
		what = "in the window"
	}
	cif := binary.BigEndian.AppendUint32(nil, uint32(first))
	cif = binary.BigEndian.AppendUint32(cif, uint32(last))
	if r.IntN(5) == 0 {
		cif = cif[:r.IntN(8)]
		what += fmt.Sprintf(", %d-byte CIF", len(cif))
	} else if r.IntN(5) == 0 {
		cif = append(cif, randBytes(r, 4*(1+r.IntN(4)))...)
		what += ", extra words"
	}
	msg := pick(r, 0, 1, uint32(k), 0x03FFFFFF, r.Uint32())
	pkts = append(pkts, s.control(packet.TypeDropReq, 0, msg, cif))
	return pkts, fmt.Sprintf("%d data packet(s), DROPREQ msg %d %s", k, msg, what)
}

func tweakMSS(r *rand.Rand, m *Conclusion, e *Env) string {
	m.HS.MTU = uint32(pick(r, 32, 33, 44, 45, 60, 64, 75, 76, 32+r.IntN(45)))
	return fmt.Sprintf("MSS %d", m.HS.MTU)
}

func postMSS(r *rand.Rand, s *Session, e *Env) ([][]byte, string) {
	isn := s.isn()
	var pkts [][]byte
	n := 1 + r.IntN(3)
	for i := 0; i < n; i++ {
		pkts = append(pkts, s.data(isn.Add(int32(i)), packet.MsgNumber(1+i), handshake.KeyNone, randBytes(r, pick(r, 1, 16, 100, 1316))))
	}
	list, _ := packet.AppendLossRange(nil, isn, isn.Add(int32(n)))
	pkts = append(pkts, s.control(packet.TypeNAK, 0, 0, list), s.control(packet.TypeKeepalive, 0, 0, make([]byte, 4)))
	return pkts, fmt.Sprintf("MSS %d: %d data packets, a NAK, a keepalive", s.MSS, n)
}

func postCtrl(r *rand.Rand, s *Session, e *Env) ([][]byte, string) {
	switch r.IntN(5) {
	case 0:
		t := packet.ControlType(pick(r, 9, 10, 0x10, 0x100, 0x7FFE, 9+r.IntN(0x7FF5)))
		cif := randBytes(r, r.IntN(200))
		return [][]byte{s.control(t, packet.Subtype(r.Uint32()), r.Uint32(), cif)}, fmt.Sprintf("control type 0x%04x, %d bytes", uint16(t), len(cif))
	case 1:
		t := pick(r, packet.TypeKeepalive, packet.TypeCongestionWarning, packet.TypeACKACK, packet.TypePeerError)
		cif := randBytes(r, pick(r, 0, 1, 3, 8, 100, 1400))
		return [][]byte{s.control(t, packet.Subtype(pick(r, 0, 1, 0xFFFF)), pick(r, 0, 4000, r.Uint32()), cif)},
			fmt.Sprintf("%v with %d bytes", t, len(cif))
	case 2:
		// A CONCLUSION to the accepted socket, with strange blocks.
		m := e.Base(r, s.Caller, 0, 0)
		m.Header.DstSocket, m.Header.Timestamp = s.Peer, s.Timestamp
		what := mutExtTypes(r, &m, e)
		return [][]byte{m.Encode(nil, nil)}, "CONCLUSION to the accepted socket, " + what
	case 3:
		seq := s.isn().Add(pick(r, aheadOffsets...))
		key := handshake.KeyFlags(pick(r, 1, 2, 3))
		return [][]byte{s.data(seq, packet.MsgNumber(1+r.IntN(1000)), key, randBytes(r, pick(r, 0, 1, 16, 1316, 1456)))},
			fmt.Sprintf("data with KK %d outside the window", key)
	default:
		cif := randBytes(r, pick(r, 0, 4, 100))
		return [][]byte{s.control(packet.TypeShutdown, 0, r.Uint32(), cif)}, fmt.Sprintf("SHUTDOWN with %d bytes", len(cif))
	}
}
