package listener

import (
	"encoding/binary"
	"math/bits"
	"net/netip"
	"slices"
	"strconv"
	"time"

	"github.com/srtwire/srtwire/crypt"
	"github.com/srtwire/srtwire/handshake"
	"github.com/srtwire/srtwire/packet"
	"github.com/srtwire/srtwire/reject"
)

// Action is what the listener does with a datagram.
type Action uint8

// Actions.
const (
	// ActionSilent: nothing is sent back.
	ActionSilent Action = iota
	// ActionInduction: the INDUCTION is answered with a cookie.
	ActionInduction
	// ActionReject: the caller is refused. The answer is a handshake whose
	// Handshake Type is 1000 + Reason, or a SHUTDOWN for an HSv4 caller
	// (Decision.Shutdown).
	ActionReject
	// ActionAccept: the caller is accepted; the answer is the CONCLUSION
	// response with HSRSP and the other blocks.
	ActionAccept
)

// String returns "silent", "induction", "reject" or "accept", or "Action(n)".
func (a Action) String() string {
	switch a {
	case ActionSilent:
		return "silent"
	case ActionInduction:
		return "induction"
	case ActionReject:
		return "reject"
	case ActionAccept:
		return "accept"
	}
	return "Action(" + strconv.Itoa(int(a)) + ")"
}

// Decision is what a libsrt listener does with one datagram.
type Decision struct {
	Action Action
	// Reason is the rejection reason of ActionReject. For ActionSilent it
	// is the reason libsrt records internally (ROGUE for a malformed
	// datagram, RDVCOOKIE for a wrong cookie, CLOSE when closing), which
	// no caller ever sees.
	Reason reject.Reason
	// Row is the check that decided.
	Row Row
	// Answer is the datagram to send back (the out buffer given to Decide,
	// with the answer appended), nil for ActionSilent.
	Answer []byte
	// Shutdown is set when the rejection answer is a SHUTDOWN packet
	// (libsrt's answer to an HSv4 caller).
	Shutdown bool
	// KMState is the key-material state of an accepted caller that sent
	// key material or met a passphrase: KMSecured when the KMRSP echoes
	// the caller's key material, otherwise the state the one-word KMRSP
	// carries (the connection is up, but the data cannot be decrypted).
	KMState handshake.KMState
	// KMRSP says whether the answer carries a KMRSP block.
	KMRSP bool
	// Bare is set when libsrt accepts without having read an HSREQ (the
	// HSREQ flag was clear, or the blocks held none): its answer then has
	// no extension block at all (createSrtHandshake "BLOCKING extensions").
	Bare bool
}

// Why returns the check that decided, with its row and the libsrt
// function, for logs. It does not allocate.
func (d Decision) Why() string { return d.Row.String() }

// Max sizes.
const (
	maxSID        = 512 // CSrtConfig::MAX_SID_LENGTH
	maxCongestion = 16  // CSrtConfig::MAX_CONG_LENGTH
	maxFilter     = 64  // CSrtConfig::MAX_PFILTER_LENGTH
	hsVersionSRT1 = 5
	hsVersionUDT4 = 4
	udtDGRAM      = 2
	srtHSv5       = 0x010300 // SRT_VERSION_FEAT_HSv5
)

// Decide decides what a libsrt 1.5.1 listener configured as cfg does with
// the UDP datagram b that arrived from from at time now, and appends the
// answer, if any, to out (Decision.Answer). It makes no allocation when out
// has room for the answer (1500 bytes always do), cfg has no passphrase and
// no Accept callback, and cfg.Peers is nil.
//
// The checks and their order are libsrt's (srtcore/queue.cpp,
// srtcore/core.cpp CUDT::processConnectRequest, srtcore/api.cpp
// CUDTUnited::newConnection, CUDT::runAcceptHook, CUDT::acceptAndRespond,
// CUDT::interpretSrtHandshake, CUDT::processSrtMsg_HSREQ,
// srtcore/crypto.cpp CCryptoControl::processSrtMsg_KMREQ, CUDT::setupCC);
// see Row for each.
func Decide(cfg *Config, b []byte, from netip.AddrPort, now time.Time, out []byte) Decision {
	if len(b) < packet.HeaderSize || len(b) > cfg.mss()-28 {
		return silent(RowChannel, reject.Rogue)
	}
	if binary.BigEndian.Uint32(b[12:16]) != 0 {
		return silent(RowAddressed, reject.Unknown)
	}
	if cfg.Closing {
		return silent(RowClosing, reject.Close)
	}
	w0 := binary.BigEndian.Uint32(b[0:4])
	cif := b[packet.HeaderSize:]
	// CPacket::isControl(UMSG_HANDSHAKE): the F bit and the 15-bit type;
	// the subtype half-word is not looked at.
	if len(cif) < handshake.CIFSize || w0&0x80000000 == 0 || (w0>>16)&0x7FFF != 0 {
		return silent(RowNotHandshake, reject.Rogue)
	}
	// The fixed part, as CHandShake::load_from reads it; the blocks are
	// walked by the checks that need them, as libsrt does.
	hs := handshake.Handshake{
		Version:    binary.BigEndian.Uint32(cif[0:]),
		Encryption: binary.BigEndian.Uint16(cif[4:]),
		Extension:  binary.BigEndian.Uint16(cif[6:]),
		ISN:        binary.BigEndian.Uint32(cif[8:]),
		MTU:        binary.BigEndian.Uint32(cif[12:]),
		FlowWindow: binary.BigEndian.Uint32(cif[16:]),
		Type:       handshake.Type(binary.BigEndian.Uint32(cif[20:])),
		SocketID:   binary.BigEndian.Uint32(cif[24:]),
		Cookie:     binary.BigEndian.Uint32(cif[28:]),
		Ext:        cif[handshake.CIFSize:len(cif):len(cif)],
	}
	copy(hs.PeerIP[:], cif[32:48])
	return decide(cfg, &hs, binary.BigEndian.Uint32(b[8:12]), from, now, out)
}

// DecideHandshake is Decide for a HANDSHAKE packet already decoded: hdr
// is its header and hs its CIF (hs.Ext all the bytes after the fixed 48,
// as handshake.Handshake.Decode leaves it even on ErrExtLength). The
// datagram-level checks (length, destination socket ID, packet type) are
// the caller's to make; use Decide when in doubt.
func DecideHandshake(cfg *Config, hdr *packet.Header, hs *handshake.Handshake, from netip.AddrPort, now time.Time, out []byte) Decision {
	if hdr.DstSocket != 0 {
		return silent(RowAddressed, reject.Unknown)
	}
	if cfg.Closing {
		return silent(RowClosing, reject.Close)
	}
	if !hdr.Control || hdr.Type != packet.TypeHandshake {
		return silent(RowNotHandshake, reject.Rogue)
	}
	return decide(cfg, hs, hdr.Timestamp, from, now, out)
}

func silent(r Row, why reject.Reason) Decision {
	return Decision{Action: ActionSilent, Row: r, Reason: why}
}

func (cfg *Config) timestamp(now time.Time) uint32 {
	if cfg.Start.IsZero() {
		return 0
	}
	return uint32(now.Sub(cfg.Start).Microseconds())
}

// appendHeader appends a control packet header.
func appendHeader(b []byte, typ uint32, ts, dst uint32) []byte {
	n := len(b)
	b = slices.Grow(b, packet.HeaderSize)[:n+packet.HeaderSize]
	h := b[n : n+packet.HeaderSize]
	binary.BigEndian.PutUint32(h[0:], 0x80000000|typ<<16)
	binary.BigEndian.PutUint32(h[4:], 0)
	binary.BigEndian.PutUint32(h[8:], ts)
	binary.BigEndian.PutUint32(h[12:], dst)
	return b
}

// appendHandshake appends a HANDSHAKE packet to b: the header and h's CIF
// (its 48 fixed bytes, then h.Ext, which every answer has nil), growing b
// once for them and room bytes of extension blocks more.
func appendHandshake(b []byte, ts, dst uint32, h *handshake.Handshake, room int) []byte {
	b = slices.Grow(b, packet.HeaderSize+handshake.CIFSize+room)
	b = appendHeader(b, uint32(packet.TypeHandshake), ts, dst)
	b, _ = h.AppendBinary(b) // a Handshake's AppendBinary does not fail
	return b
}

func decide(cfg *Config, hs *handshake.Handshake, pktTS uint32, from netip.AddrPort, now time.Time, out []byte) Decision {
	// Row 3: INDUCTION, before any other check.
	if hs.Type == handshake.Induction {
		r := handshake.InductionResponse(hs, cfg.Cookies.Cookie(from, now), cfg.PBKeyLen)
		out = appendHandshake(out, cfg.timestamp(now), hs.SocketID, &r, 0)
		return Decision{Action: ActionInduction, Row: RowInduction, Answer: out}
	}
	// Row 4: CHandShake::valid, on the signed fields.
	if int32(hs.Version) < hsVersionUDT4 || int32(hs.ISN) < 0 || hs.ISN >= 0x7FFFFFFF ||
		int32(hs.MTU) < 32 || int32(hs.FlowWindow) < 2 {
		return silent(RowInvalid, reject.Rogue)
	}
	// Row 5: the cookie, this period's or the last's.
	if !cfg.Cookies.Valid(from, hs.Cookie, now) {
		return silent(RowCookie, reject.RdvCookie)
	}
	// Rows 6 and 7: answered with the caller's handshake echoed (48
	// bytes) even for HSv4.
	switch {
	case hs.Version == hsVersionSRT1:
	case hs.Version == hsVersionUDT4:
		if hs.TypeWord() != udtDGRAM {
			return rejectEcho(cfg, hs, now, out, RowSocketType, reject.Rogue, false)
		}
	default:
		return rejectEcho(cfg, hs, now, out, RowVersion, reject.Version, false)
	}
	// Row 8: a caller already accepted gets its answer again.
	key := peerKey{from, hs.SocketID, hs.ISN}
	if cfg.Peers != nil {
		if ans, quiet, ok := cfg.Peers.lookup(key, out); ok {
			if quiet {
				return silent(RowRepeat, reject.IPE)
			}
			return Decision{Action: ActionAccept, Row: RowRepeat, Answer: ans}
		}
	}
	// Row 9.
	if cfg.BacklogFull {
		return rejectEcho(cfg, hs, now, out, RowBacklog, reject.Backlog, true)
	}
	// Rows 11 and 12: the listen callback.
	if cfg.Accept != nil {
		if d, done := runAcceptHook(cfg, hs, from, now, out); done {
			return d
		}
	}
	return acceptAndRespond(cfg, hs, pktTS, from, now, out, key)
}

// rejectEcho answers with the caller's handshake echoed and Handshake
// Type 1000 + r, as processConnectRequest does for a rejection decided
// before acceptAndRespond rewrote the handshake: 48 bytes, to the
// caller's socket ID. With v4shutdown, an HSv4 caller gets a SHUTDOWN
// instead (the newConnection failure path).
func rejectEcho(cfg *Config, hs *handshake.Handshake, now time.Time, out []byte, row Row, r reject.Reason, v4shutdown bool) Decision {
	if v4shutdown && hs.Version < hsVersionSRT1 {
		return shutdown(cfg, now, out, row, r)
	}
	h := handshake.Rejection(hs, r)
	out = appendHandshake(out, cfg.timestamp(now), hs.SocketID, &h, 0)
	return Decision{Action: ActionReject, Row: row, Reason: r, Answer: out}
}

// shutdown is processConnectRequest's answer to a refused HSv4 caller: a
// SHUTDOWN whose destination is the listening socket's peer ID, which is
// never set, so 0.
func shutdown(cfg *Config, now time.Time, out []byte, row Row, r reject.Reason) Decision {
	out = appendHeader(out, uint32(packet.TypeShutdown), cfg.timestamp(now), 0)
	out = append(out, 0, 0, 0, 0)
	return Decision{Action: ActionReject, Row: row, Reason: r, Answer: out, Shutdown: true}
}

// runAcceptHook is CUDT::runAcceptHook: it finds the Stream ID (and, in
// bonding builds, a GROUP) among the CONFIG blocks, then calls the
// callback.
func runAcceptHook(cfg *Config, hs *handshake.Handshake, from netip.AddrPort, now time.Time, out []byte) (Decision, bool) {
	var sid [maxSID]byte
	n := 0
	group := false
	if len(hs.Ext) > 4 && handshake.ExtFlags(hs.Extension)&handshake.FlagConfig != 0 {
		it := hs.Extensions()
		for it.Next() {
			switch it.Type() {
			case handshake.ExtSID:
				v := it.Value()
				if len(v) == 0 || len(v) > maxSID {
					return rejectEcho(cfg, hs, now, out, RowHookConfig, reject.Unknown, true), true
				}
				n = cString(sid[:0], v)
			case handshake.ExtGroup:
				group = true
			}
		}
	}
	if cfg.Bonding && group && !cfg.GroupsAllowed {
		return rejectEcho(cfg, hs, now, out, RowHookConfig, reject.Unknown, true), true
	}
	hc := *hs // a copy, so that hs does not escape through the callback
	req := Request{From: from, Version: hs.Version, Handshake: &hc}
	ok, r := cfg.Accept(string(sid[:n]), &req)
	if ok {
		return Decision{}, false
	}
	if r < reject.Fallback { // srt_setrejectreason refuses codes below 1000
		r = reject.Unknown // libsrt 1.5.1: m_RejectReason stays SRT_REJ_UNKNOWN
		if cfg.version() >= handshake.MakeSRTVersion(1, 5, 2) {
			r = reject.Fallback // preset before the hook since 1.5.2
		}
	}
	return rejectEcho(cfg, hs, now, out, RowCallback, r, true), true
}

// cString decodes a string block as libsrt does: every word byte-reversed
// back (ItoHLA after the CIF's ntohl), then read as a C string, up to the
// first NUL. It writes into dst's capacity and returns the length.
func cString(dst []byte, v []byte) int {
	dst = dst[:cap(dst)]
	n := 0
	for i := 0; i+4 <= len(v) && n+4 <= len(dst); i += 4 {
		dst[n], dst[n+1], dst[n+2], dst[n+3] = v[i+3], v[i+2], v[i+1], v[i]
		n += 4
	}
	for i := 0; i < n; i++ {
		if dst[i] == 0 {
			return i
		}
	}
	return n
}

// conn is what the accepted socket learns from the caller's handshake.
type conn struct {
	hsreq       bool // an HSREQ (or HSRSP) was processed: m_tsRcvPeerStartTime set
	peerFlags   handshake.SRTFlags
	peerVersion handshake.SRTVersion
	tsbpdDelay  uint16 // m_iTsbPdDelay_ms
	peerDelay   uint16 // m_iPeerTsbPdDelay_ms
	peerTsbPd   bool
	peerRexmit  bool

	km      []byte // the KMREQ content to echo
	kmWords int    // *pw_len: 0 none, 1 a state, else the echo's words
	kmState handshake.KMState

	filter  [128]byte
	nfilter int // the listener's filter configuration after the handshake
}

// newSocketID is the socket ID of the accepted socket.
func (cfg *Config) newSocketID(from netip.AddrPort, hs *handshake.Handshake) uint32 {
	if cfg.SocketID != nil {
		return cfg.SocketID(from, hs.SocketID, hs.ISN)
	}
	// A keyed mix (splitmix64's finaliser) of the caller's address, port,
	// socket ID and ISN: unpredictable without the cookie key, stable for a
	// repeat, below 2^30 as libsrt's socket IDs are.
	a := from.Addr().As16()
	x := cfg.Cookies.k0 ^ binary.LittleEndian.Uint64(a[:8]) ^ bits.RotateLeft64(binary.LittleEndian.Uint64(a[8:]), 17)
	x ^= cfg.Cookies.k1 ^ uint64(from.Port())<<48 ^ uint64(hs.SocketID)<<16 ^ uint64(hs.ISN)<<32
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	id := uint32(x) & 0x3FFFFFFF
	if id == 0 {
		id = 1
	}
	return id
}

// rewrite is CUDT::rewriteHandshakeData: the handshake as the accepted
// socket answers (and rejects) it.
func rewrite(cfg *Config, hs *handshake.Handshake, from netip.AddrPort, id uint32) handshake.Handshake {
	r := *hs
	r.Ext = nil
	r.Type = handshake.Conclusion
	r.MTU = uint32(min(cfg.mss(), int(int32(hs.MTU))))
	r.FlowWindow = cfg.flightCapacity()
	r.SocketID = id
	_ = r.SetPeerAddr(from.Addr())
	return r
}

func acceptAndRespond(cfg *Config, hs *handshake.Handshake, pktTS uint32, from netip.AddrPort, now time.Time, out []byte, key peerKey) Decision {
	id := cfg.newSocketID(from, hs)
	rh := rewrite(cfg, hs, from, id)
	refuse := func(row Row, r reject.Reason) Decision {
		if hs.Version < hsVersionSRT1 {
			return shutdown(cfg, now, out, row, r)
		}
		h := rh
		h.Type = handshake.RejectionType(r)
		h.Encryption, h.Extension = hs.Encryption, hs.Extension // the Type word is not rewritten
		o := appendHandshake(out, cfg.timestamp(now), hs.SocketID, &h, 0)
		return Decision{Action: ActionReject, Row: row, Reason: r, Answer: o}
	}
	var c conn
	c.tsbpdDelay, c.peerDelay = cfg.RecvLatency, cfg.PeerLatency
	if row, r, ok := interpretSrtHandshake(cfg, hs, pktTS, &c); !ok {
		return refuse(row, r)
	}
	// setupCC: the congestion controller is the listener's own (checked
	// when set); the packet filter is created from the final
	// configuration.
	if c.nfilter > 0 {
		var f filterConfig
		if !f.parse(string(c.filter[:c.nfilter])) || !f.verifyFEC() {
			return refuse(RowSetup, reject.Filter)
		}
	}
	d := respond(cfg, hs, &rh, &c, out)
	if cfg.Peers != nil {
		// craftKmResponse, for a repeat, fails when the answer had a KMREQ
		// flag but neither key material nor a NOSECRET/BADSECRET state:
		// libsrt then sends nothing.
		quiet := d.KMRSP && c.kmWords == 0
		cfg.Peers.add(key, d.Answer[len(out):], quiet)
	}
	return d
}

// respond builds the CONCLUSION answer (createSrtHandshake with
// SRT_CMD_HSRSP and SRT_CMD_KMRSP).
func respond(cfg *Config, hs *handshake.Handshake, rh *handshake.Handshake, c *conn, out []byte) Decision {
	d := Decision{Action: ActionAccept, Row: RowAccept}
	h := *rh
	if hs.Version < hsVersionSRT1 {
		h.Encryption, h.Extension = 0, udtDGRAM
		d.Answer = appendHandshake(out, 0, hs.SocketID, &h, 0)
		return d
	}
	h.Encryption, h.Extension = uint16(cfg.PBKeyLen/8), 0
	if !c.hsreq {
		// "Attempting to craft HSRSP without received HSREQ. BLOCKING
		// extensions."
		d.Bare = true
		d.Answer = appendHandshake(out, 0, hs.SocketID, &h, 0)
		return d
	}
	flags := handshake.FlagHSReq
	filterCapable := c.peerFlags&handshake.FlagFilterCap != 0
	haveFilter := filterCapable && c.nfilter > 0
	cong := cfg.congestion()
	haveCong := cong != "live"
	if haveFilter || haveCong {
		flags |= handshake.FlagConfig
	}
	haveKM := cfg.Passphrase != "" || c.kmWords > 0
	if haveKM {
		flags |= handshake.FlagKMReq
	}
	h.Extension = uint16(flags)
	// The blocks' room: HSRSP, the two strings, the KMRSP.
	room := 16 + 4 + len(cong) + 3 + 4 + c.nfilter + 3 + 4 + 4*max(1, c.kmWords)
	out = appendHandshake(out, 0, hs.SocketID, &h, room)

	// HSRSP: fillSrtHandshake_HSRSP.
	rf := handshake.FlagCrypt | handshake.FlagFilterCap // SrtVersionCapabilities
	var lat uint32
	if cfg.TSBPD {
		rf |= handshake.FlagTSBPDRcv
		lat = uint32(c.tsbpdDelay) << 16
	}
	if c.peerTsbPd {
		rf |= handshake.FlagTSBPDSnd
		lat |= uint32(c.peerDelay)
	}
	if cfg.TLPktDrop {
		rf |= handshake.FlagTLPktDrop
	}
	if cfg.NAKReport {
		rf |= handshake.FlagPeriodicNAK
		if c.peerVersion <= 0x010007 {
			rf &^= handshake.FlagTLPktDrop
		}
	}
	if c.peerRexmit {
		rf |= handshake.FlagRexmit
	}
	out = binary.BigEndian.AppendUint32(out, uint32(handshake.ExtHSRsp)<<16|3)
	out = binary.BigEndian.AppendUint32(out, uint32(cfg.version()))
	out = binary.BigEndian.AppendUint32(out, uint32(rf))
	out = binary.BigEndian.AppendUint32(out, lat)
	if haveCong {
		out = appendStringBlock(out, handshake.ExtCongestion, cong)
	}
	if haveFilter {
		out = appendStringBlockBytes(out, handshake.ExtFilter, c.filter[:c.nfilter])
	}
	if haveKM {
		d.KMRSP = true
		switch {
		case c.kmWords == 0: // fillHsExtKMRSP: passphrase set, no KMREQ
			out = binary.BigEndian.AppendUint32(out, uint32(handshake.ExtKMRsp)<<16|1)
			out = handshake.AppendKMState(out, handshake.KMUnsecured)
			d.KMState = handshake.KMUnsecured
		case c.kmWords == 1:
			out = binary.BigEndian.AppendUint32(out, uint32(handshake.ExtKMRsp)<<16|1)
			out = handshake.AppendKMState(out, c.kmState)
			d.KMState = c.kmState
		default:
			out = binary.BigEndian.AppendUint32(out, uint32(handshake.ExtKMRsp)<<16|uint32(c.kmWords))
			out = append(out, c.km[:4*c.kmWords]...)
			d.KMState = handshake.KMSecured
		}
	}
	d.Answer = out
	return d
}

// appendStringBlock is fillHsExtConfigString.
func appendStringBlock(b []byte, t handshake.ExtType, s string) []byte {
	w := (len(s) + 3) / 4
	b = binary.BigEndian.AppendUint32(b, uint32(t)<<16|uint32(w))
	return handshake.AppendEncodedString(b, s)
}

func appendStringBlockBytes(b []byte, t handshake.ExtType, s []byte) []byte {
	w := (len(s) + 3) / 4
	b = binary.BigEndian.AppendUint32(b, uint32(t)<<16|uint32(w))
	for i := 0; i < w; i++ {
		var g [4]byte
		copy(g[:], s[4*i:min(len(s), 4*i+4)])
		b = append(b, g[3], g[2], g[1], g[0])
	}
	return b
}

// walk is libsrt's FindExtensionBlock loop over the blocks after the
// fixed part, counted in whole words: it calls f for each block and
// reports how the walk ended: clean (the last block ended the words) or
// broken (SRT_CMD_NONE: no whole word, or a block longer than what is
// left). f returns false to stop early.
func walk(ext []byte, f func(t handshake.ExtType, v []byte) bool) (broken bool) {
	words := len(ext) / 4
	p := 0
	for {
		if words == 0 {
			return true
		}
		w := binary.BigEndian.Uint32(ext[p:])
		size := int(w & 0xFFFF)
		if size+1 > words {
			return true
		}
		if !f(handshake.ExtType(w>>16), ext[p+4:p+4+4*size]) {
			return false
		}
		words -= size + 1
		p += 4 * (size + 1)
		if words == 0 {
			return false // next == NULL: the scan stops without SRT_CMD_NONE
		}
	}
}

// interpretSrtHandshake is CUDT::interpretSrtHandshake for a listener
// (with processSrtMsg_HSREQ and processSrtMsg_KMREQ), returning the row
// and reason of a rejection.
func interpretSrtHandshake(cfg *Config, hs *handshake.Handshake, pktTS uint32, c *conn) (Row, reject.Reason, bool) {
	if hs.Version < hsVersionSRT1 {
		if cfg.MinVersion >= srtHSv5 {
			return RowHSv4MinVersion, reject.Version, false
		}
		c.nfilter = copy(c.filter[:], cfg.Filter)
		return 0, 0, true
	}
	if len(hs.Ext) == 0 {
		return RowNoExtensions, reject.Rogue, false
	}
	flags := handshake.ExtFlags(hs.Extension)
	if flags == 0 {
		return RowNoExtensions, reject.Rogue, false
	}

	// HSREQ: the first HSREQ or HSRSP block.
	if flags&handshake.FlagHSReq != 0 {
		var row Row
		var rr reject.Reason
		found := false
		broken := walk(hs.Ext, func(t handshake.ExtType, v []byte) bool {
			switch t {
			case handshake.ExtHSReq:
				found = true
				if len(v) < handshake.HSReqSize {
					row, rr = RowNoExtensions, reject.Rogue
					return false
				}
				row, rr = processHSReq(cfg, v, c)
				return false
			case handshake.ExtHSRsp:
				found = true
				if len(v) < handshake.HSReqSize {
					row, rr = RowNoExtensions, reject.Rogue
					return false
				}
				row, rr = processHSRsp(cfg, v, c)
				return false
			}
			return true
		})
		if found && row != 0 {
			return row, rr, false
		}
		if !found && broken {
			return RowNoExtensions, reject.Rogue, false
		}
	}

	// KMREQ.
	encrypted := false
	if flags&handshake.FlagKMReq != 0 {
		if cfg.Passphrase == "" && cfg.EnforcedEncryption {
			return RowNoSecretEnforced, reject.Unsecure, false
		}
		var row Row
		var rr reject.Reason
		found := false
		broken := walk(hs.Ext, func(t handshake.ExtType, v []byte) bool {
			switch t {
			case handshake.ExtKMReq:
				found = true
				processKMReq(cfg, v, c)
				if c.kmWords == 1 && cfg.EnforcedEncryption {
					row, rr = RowKMFailed, reject.Unsecure
					if c.kmState == handshake.KMBadSecret {
						rr = reject.BadSecret
					}
				}
				encrypted = true
				return false
			case handshake.ExtKMRsp:
				// processSrtMsg_KMRSP on a listener that sent no KMREQ:
				// it fails (-1) unless the listener has a passphrase and
				// the block carries key material.
				found = true
				if cfg.EnforcedEncryption && (cfg.Passphrase == "" || handshake.IsKMState(v)) {
					row, rr = RowKMFailed, reject.Unsecure
				}
				encrypted = true
				return false
			}
			return true
		})
		if row != 0 {
			return row, rr, false
		}
		if !found && broken {
			return RowNoKMBlock, reject.Rogue, false
		}
	}

	// CONFIG: SID, CONGESTION, FILTER (and GROUP in bonding builds).
	haveCong, haveFilter := false, false
	cong := cfg.congestion()
	c.nfilter = copy(c.filter[:], cfg.Filter)
	if flags&handshake.FlagConfig != 0 {
		var row Row
		var rr reject.Reason
		walk(hs.Ext, func(t handshake.ExtType, v []byte) bool {
			switch t {
			case handshake.ExtSID:
				if len(v) == 0 || len(v) > maxSID {
					row, rr = RowConfigLength, reject.Unknown
					return false
				}
			case handshake.ExtCongestion:
				if haveCong {
					row, rr = RowConfigRogue, reject.Rogue
					return false
				}
				if len(v) == 0 || len(v) > maxCongestion {
					row, rr = RowConfigLength, reject.Unknown
					return false
				}
				haveCong = true
				var s [maxCongestion]byte
				n := cString(s[:0], v)
				if string(s[:n]) != cong {
					row, rr = RowCongestion, reject.Congestion
					return false
				}
			case handshake.ExtFilter:
				if haveFilter {
					row, rr = RowFilter, reject.Filter
					return false
				}
				if len(v) == 0 || len(v) > maxFilter {
					row, rr = RowConfigLength, reject.Unknown
					return false
				}
				haveFilter = true
				var s [maxFilter]byte
				n := cString(s[:0], v)
				if !checkApplyFilterConfig(cfg, s[:n], c) {
					row, rr = RowFilter, reject.Filter
					return false
				}
			case handshake.ExtGroup:
				if !cfg.Bonding {
					return true
				}
				if len(v) < 8 {
					row, rr = RowConfigRogue, reject.Rogue
					return false
				}
				if !cfg.GroupsAllowed || v[4] >= 3 {
					row, rr = RowGroup, reject.Group
					return false
				}
				if binary.BigEndian.Uint32(v)&handshake.GroupMask == 0 {
					row, rr = RowGroup, reject.Rogue
					return false
				}
			}
			return true
		})
		if row != 0 {
			return row, rr, false
		}
	}

	// Post-checks.
	if !encrypted && cfg.Passphrase != "" {
		if cfg.EnforcedEncryption {
			return RowPeerNoKM, reject.Unsecure, false
		}
		// libsrt returns here, before the congestion post-check.
		return 0, 0, true
	}
	if cong != "live" && !haveCong {
		return RowCongestion, reject.Congestion, false
	}
	return 0, 0, true
}

// processHSReq is CUDT::processSrtMsg_HSREQ for an HSv5 block of at least
// 12 bytes.
func processHSReq(cfg *Config, v []byte, c *conn) (Row, reject.Reason) {
	c.hsreq = true
	c.peerVersion = handshake.SRTVersion(binary.BigEndian.Uint32(v[0:]))
	c.peerFlags = handshake.SRTFlags(binary.BigEndian.Uint32(v[4:]))
	lat := binary.BigEndian.Uint32(v[8:])
	if c.peerVersion < srtHSv5 {
		return RowHSReqRogue, reject.Rogue
	}
	if c.peerVersion < cfg.MinVersion {
		return RowMinVersion, reject.Version
	}
	c.peerRexmit = c.peerFlags&handshake.FlagRexmit != 0
	peerMessageAPI := c.peerFlags&handshake.FlagStream == 0
	if peerMessageAPI != cfg.MessageAPI {
		return RowMessageAPI, reject.MessageAPI
	}
	if c.peerFlags&handshake.FlagTSBPDSnd != 0 && cfg.TSBPD {
		c.tsbpdDelay = max(c.tsbpdDelay, uint16(lat))
	}
	if c.peerFlags&handshake.FlagTSBPDRcv != 0 {
		c.peerTsbPd = true
		c.peerDelay = max(c.peerDelay, uint16(lat>>16))
	}
	return 0, 0
}

// processHSRsp is CUDT::processSrtMsg_HSRSP, which libsrt runs when a
// caller sends an HSRSP block instead of an HSREQ.
func processHSRsp(cfg *Config, v []byte, c *conn) (Row, reject.Reason) {
	c.hsreq = true
	c.peerVersion = handshake.SRTVersion(binary.BigEndian.Uint32(v[0:]))
	c.peerFlags = handshake.SRTFlags(binary.BigEndian.Uint32(v[4:]))
	lat := binary.BigEndian.Uint32(v[8:])
	if c.peerVersion < cfg.MinVersion {
		return RowMinVersion, reject.Version
	}
	if c.peerFlags&handshake.FlagTSBPDRcv != 0 {
		c.peerTsbPd = true
		c.peerDelay = uint16(lat >> 16)
	}
	if c.peerFlags&handshake.FlagTSBPDSnd != 0 && cfg.TSBPD {
		c.tsbpdDelay = uint16(lat)
	}
	c.peerRexmit = c.peerFlags&handshake.FlagRexmit != 0
	return 0, 0
}

// processKMReq is CCryptoControl::processSrtMsg_KMREQ with haicrypt's
// HaiCrypt_Rx_Process, hcryptMsg_SRT_ParseMsg and hcryptCtx_Rx_ParseKM
// (libsrt 1.5.1): it sets the KMRSP to send (the echo, or one state word).
func processKMReq(cfg *Config, v []byte, c *conn) {
	fail := func(s handshake.KMState) { c.kmWords, c.kmState = 1, s }
	if len(v) <= handshake.KMHeaderSize {
		fail(handshake.KMBadSecret)
		return
	}
	sekLen := int(v[15]) * 4
	if sekLen == 0 {
		fail(handshake.KMBadSecret)
		return
	}
	if cfg.Passphrase == "" {
		fail(handshake.KMNoSecret)
		return
	}
	// hcryptMsg_SRT_ParseMsg: not V=1, PT=2, sign 0x2029 is taken for a
	// media message, which fails; then SE must be 2 and KK not 0.
	if v[0]>>4 != 1 || v[0]&0xF != 2 || uint16(v[1])<<8|uint16(v[2]) != handshake.KMSign ||
		v[10] != 2 || v[3]&3 == 0 {
		fail(handshake.KMNoSecret)
		return
	}
	// hcryptCtx_Rx_ParseKM: lengths, AES-CTR without authentication
	// (1.5.1 knows no other cipher), SE.
	saltLen := int(v[14]) * 4
	if saltLen > 16 || (sekLen != 16 && sekLen != 24 && sekLen != 32) {
		fail(handshake.KMNoSecret)
		return
	}
	keys := 1
	if v[3]&3 == 3 {
		keys = 2
	}
	if len(v) != handshake.KMHeaderSize+saltLen+keys*sekLen+crypt.WrapOverhead ||
		v[8] != byte(handshake.CipherAESCTR) || v[9] != 0 {
		fail(handshake.KMNoSecret)
		return
	}
	salt := v[16 : 16+saltLen]
	kek, err := cfg.keks().DeriveKEK(cfg.Passphrase, salt, sekLen)
	if err != nil {
		fail(handshake.KMNoSecret)
		return
	}
	if _, err := crypt.Unwrap(kek, v[16+saltLen:]); err != nil {
		if err == crypt.ErrBadSecret {
			fail(handshake.KMBadSecret)
		} else {
			fail(handshake.KMNoSecret)
		}
		return
	}
	c.km, c.kmWords, c.kmState = v, len(v)/4, handshake.KMSecured
}

// checkApplyFilterConfig is CUDT::checkApplyFilterConfig for a listener:
// the caller's configuration must parse; a listener without its own takes
// it as it is; otherwise both must be of one type and compatible, and the
// listener's, completed, is used.
func checkApplyFilterConfig(cfg *Config, peer []byte, c *conn) bool {
	var pc filterConfig
	if !pc.parse(string(peer)) || !pc.correct() {
		return false
	}
	if cfg.Filter == "" {
		c.nfilter = copy(c.filter[:], peer)
		return true
	}
	var mine filterConfig
	if !mine.parse(cfg.Filter) || mine.typ != pc.typ || !compat(&mine, pc) {
		return false
	}
	var buf [128]byte
	s := mine.appendTo(buf[:0])
	if len(s) <= maxFilter { // StringStorage::set refuses longer strings
		c.nfilter = copy(c.filter[:], s)
	}
	return true
}
