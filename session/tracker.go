package session

import (
	"errors"
	"net/netip"
	"time"

	"github.com/srtwire/srtwire/crypt"
	"github.com/srtwire/srtwire/handshake"
	"github.com/srtwire/srtwire/internal/flow"
	"github.com/srtwire/srtwire/packet"
	"github.com/srtwire/srtwire/reject"
)

// Mode is how an SRT connection is set up.
type Mode uint8

// Connection modes.
const (
	// ModeCallerListener: a caller's INDUCTION to a listener.
	ModeCallerListener Mode = iota
	// ModeRendezvous: two peers exchanging WAVEAHAND.
	ModeRendezvous
	// ModeUnknown: the capture starts after the handshake.
	ModeUnknown
)

// String returns "caller-listener", "rendezvous" or "unknown".
func (m Mode) String() string {
	switch m {
	case ModeCallerListener:
		return "caller-listener"
	case ModeRendezvous:
		return "rendezvous"
	}
	return "unknown"
}

// Outcome is how a connection attempt ended, as far as the capture shows.
type Outcome uint8

// Outcomes.
const (
	// OutcomeIncomplete: the capture ends mid-handshake.
	OutcomeIncomplete Outcome = iota
	// OutcomeEstablished: the handshake completed (or, for a capture that starts
	// mid-session, data flowed).
	OutcomeEstablished
	// OutcomeRejected: a peer answered with a rejection; see Attempt.Reason.
	OutcomeRejected
	// OutcomeNoAnswer: the caller's INDUCTION was never answered.
	OutcomeNoAnswer
)

// String returns "incomplete", "established", "rejected" or "no answer".
func (o Outcome) String() string {
	switch o {
	case OutcomeEstablished:
		return "established"
	case OutcomeRejected:
		return "rejected"
	case OutcomeNoAnswer:
		return "no answer"
	}
	return "incomplete"
}

// Attempt is one SRT connection attempt: a caller's INDUCTION (or a
// rendezvous WAVEAHAND pair) and everything that follows between the same
// two UDP endpoints.
type Attempt struct {
	Mode Mode
	// Caller is the endpoint that started the attempt; Listener the one it
	// called. In rendezvous mode Caller is the peer whose WAVEAHAND came
	// first; for a capture that starts mid-session, the sender of the first
	// packet seen.
	Caller, Listener netip.AddrPort
	// HandshakeSeen is false for a session whose handshake is not in the
	// capture.
	HandshakeSeen bool

	FirstFrame, LastFrame int
	FirstTime, LastTime   time.Time

	StreamID string // from the caller's SID block, at most 512 bytes (libsrt's limit)
	// Truncated is set when a string block (SID, CONGESTION, FILTER) was
	// longer than libsrt accepts and was cut to that length.
	Truncated  bool
	Congestion string // "live" unless a CONGESTION block says otherwise
	Filter     string // the packet-filter configuration the listener answered with (or the caller asked for)
	// KeyLen is the negotiated AES key length in bytes (16, 24, 32): set
	// when the responder echoed the key material. 0 means no encryption.
	KeyLen int
	// KMState is the key-material state a one-word KMRSP reported
	// (BADSECRET, NOSECRET, ...); KMStateSet says whether there was one.
	KMState    handshake.KMState
	KMStateSet bool
	// LatencyMS is the TSBPD latency in milliseconds: the larger of the two
	// delays in the responder's HSRSP, or else the initiator's HSREQ.
	LatencyMS  int
	SRTVersion handshake.SRTVersion // the initiator's SRT version

	Outcome Outcome
	Reason  reject.Reason // the rejection reason when Outcome is OutcomeRejected

	// HandshakeRTT is the time from the initiator's first CONCLUSION to the
	// first answer to it (the responder's CONCLUSION or a rejection).
	HandshakeRTT time.Duration

	DataPackets   int // data packets, FEC packets and retransmissions included
	Retransmitted int // data packets with the R flag
	// Lost is the number of distinct sequence numbers the NAKs reported
	// lost, over both directions (a number reported again counts once;
	// numbers of directions the Tracker kept no window for count once per
	// report). NAKReports counts the NAKs, NAKSeqs the numbers they carry
	// summed over the reports.
	Lost       int
	NAKReports int
	NAKSeqs    int
	// FECPackets counts the packets of the "fec" packet filter (see
	// packet.Packet.IsFEC), which DataPackets also counts.
	FECPackets int

	// RolesInferred is set for a session whose handshake is not in the
	// capture (ModeUnknown): Caller is then the endpoint that sent the
	// data (the more data packets, or else the one that did not send
	// ACKs), Listener the one that acknowledged it. It is a guess; the
	// true caller may be either.
	RolesInferred bool
	// RequestedKeyLen is the AES key length in bytes the initiator asked
	// for: the key length of its KMREQ (handshake or in-band), or else the
	// PBKEYLEN its CONCLUSION advertised. It is set also when the listener
	// refused the connection or could not decrypt the key material.
	RequestedKeyLen int
	// PassphraseMatch says whether one of Tracker.Passphrases opened the
	// connection's key material; unknown without passphrases or key
	// material.
	PassphraseMatch Opt[bool]
	// PeerError is the error code of the first PEERERROR (4000, SRT_EFILE,
	// is the only one libsrt sends: a disk write failed in srt_recvfile);
	// PeerErrorFrom is who sent it and PeerErrorFrame where.
	PeerError      Opt[uint32]
	PeerErrorFrom  netip.AddrPort
	PeerErrorFrame int
	// Handshakes counts the HANDSHAKE packets of the attempt; Inductions
	// those the caller sent as INDUCTION requests (a caller repeats it
	// every 250 ms until answered, srtcore/core.cpp, CUDT::startConnect).
	Handshakes, Inductions int
	// RejectFrame is the frame of the rejection; AfterReject counts the
	// frames of the attempt that followed it, AfterRejectFirst the kind of
	// the first of them.
	RejectFrame      int
	AfterReject      int
	AfterRejectFirst packet.Kind
	// PeerIPMismatch is set when a handshake's Peer IP field holds an
	// address of another family than the UDP transport's (gosrt, for
	// one, reverses all 16 bytes of an IPv6 address); PeerIPSeen is that
	// address and PeerIPFrame its frame.
	PeerIPMismatch bool
	PeerIPSeen     netip.Addr
	PeerIPFrame    int

	dirs [2]*Direction // dirs[0] from Caller, dirs[1] from Listener

	key           flow.Key
	current       bool // the attempt byFlow holds for key
	callerSocket  uint32
	conclusionAt  time.Time
	answered      bool
	inductionResp bool
	hsrspSeen     bool
	kkSeen        bool // a data packet with KK != 0 was seen
	kmSeen        bool // key material (handshake or in-band) was seen
	kmFrom        netip.AddrPort
	kmOutcome     int8                     // 0 unknown, 1 echoed (the peer has the keys), 2 a failure state
	km            *handshake.KeyMaterial   // the handshake's KMREQ, kept with Tracker.Passphrases
	pass          string                   // the passphrase that opened km
	latency       [2]Opt[int]              // per direction, from the HSRSP
	isn           [2]Opt[packet.SeqNumber] // per direction, from the sender's CONCLUSION
}

// Encryption names the negotiated cipher: "AES-128", "AES-192",
// "AES-256", or "" for none.
func (a *Attempt) Encryption() string {
	switch a.KeyLen {
	case 16:
		return "AES-128"
	case 24:
		return "AES-192"
	case 32:
		return "AES-256"
	}
	return ""
}

// KeyLenName names an AES key length in bytes: "AES-128", "AES-192",
// "AES-256", or "" for 0 and other values.
func KeyLenName(n int) string {
	switch n {
	case 16:
		return "AES-128"
	case 24:
		return "AES-192"
	case 32:
		return "AES-256"
	}
	return ""
}

// RequestedEncryption names the cipher the initiator asked for (see
// RequestedKeyLen), or "" when it asked for none or it is unknown.
func (a *Attempt) RequestedEncryption() string { return KeyLenName(a.RequestedKeyLen) }

// CryptoStatus is what the capture tells about an attempt's payload
// encryption.
type CryptoStatus uint8

// Encryption states.
const (
	// CryptoUnknown: no handshake and no data packet was seen.
	CryptoUnknown CryptoStatus = iota
	// CryptoNone: the handshake carried no key material and the data
	// (if any) was clear.
	CryptoNone
	// CryptoNegotiated: the responder echoed the key material (KeyLen).
	CryptoNegotiated
	// CryptoFailed: the responder answered the key material with a state
	// (BADSECRET, NOSECRET; see KMState): it cannot decrypt what the
	// initiator encrypts.
	CryptoFailed
	// CryptoNoKM: data packets are encrypted (KK != 0) but no key material
	// was seen (a capture that starts after the handshake).
	CryptoNoKM
)

// String returns "unknown", "none", "negotiated", "failed" or
// "encrypted (no KM seen)".
func (c CryptoStatus) String() string {
	switch c {
	case CryptoNone:
		return "none"
	case CryptoNegotiated:
		return "negotiated"
	case CryptoFailed:
		return "failed"
	case CryptoNoKM:
		return "encrypted (no KM seen)"
	}
	return "unknown"
}

// CryptoStatus says what is known of the attempt's encryption.
func (a *Attempt) CryptoStatus() CryptoStatus {
	switch {
	case a.KeyLen > 0:
		return CryptoNegotiated
	case a.KMStateSet && a.KMState != handshake.KMSecured:
		return CryptoFailed
	case a.kkSeen && !a.kmSeen:
		return CryptoNoKM
	case a.DataPackets > 0 || a.ConclusionSeen():
		// An attempt that got no further than INDUCTION does not tell
		// whether it would have encrypted (an INDUCTION carries no key
		// length): unknown, not none.
		return CryptoNone
	}
	return CryptoUnknown
}

// LatencyKnown reports whether a's latency was seen in a handshake: an
// HSREQ (which sets the SRT version) or an HSRSP (which sets the
// directions' latencies). LatencyMS is 0 and meaningless otherwise.
func (a *Attempt) LatencyKnown() bool {
	if a.SRTVersion != 0 {
		return true
	}
	for _, d := range a.dirs {
		if d != nil && d.LatencyMS.Known {
			return true
		}
	}
	return false
}

// ConclusionSeen reports whether a CONCLUSION of the attempt was seen, so
// that its Stream ID, congestion control and filter are known (empty or
// the default when it carried none). A session whose handshake was not
// captured, or a caller whose INDUCTION was never answered, has none.
func (a *Attempt) ConclusionSeen() bool {
	return a.LatencyKnown() || a.StreamID != "" || a.Filter != "" || a.RequestedKeyLen > 0 || a.KMStateSet ||
		a.Outcome == OutcomeRejected && a.HandshakeRTT > 0
}

// EncryptionText describes the encryption in a few words: "AES-128",
// "AES-128 requested, BADSECRET", "none", "unknown" or "encrypted (no KM
// seen)".
func (a *Attempt) EncryptionText() string {
	switch st := a.CryptoStatus(); st {
	case CryptoNegotiated:
		return a.Encryption()
	case CryptoFailed:
		if r := a.RequestedEncryption(); r != "" {
			return r + " requested, " + a.KMState.String()
		}
		return "none (" + a.KMState.String() + ")"
	case CryptoNone:
		if r := a.RequestedEncryption(); r != "" && a.Outcome != OutcomeEstablished {
			return r + " requested"
		}
		return "none"
	default:
		return st.String()
	}
}

// Directions returns the attempt's directions that saw packets other than
// handshakes, the one from Caller first.
func (a *Attempt) Directions() []*Direction {
	var out []*Direction
	for _, d := range a.dirs {
		if d != nil {
			out = append(out, d)
		}
	}
	return out
}

// Direction returns the direction whose data from sends, or nil.
func (a *Attempt) Direction(from netip.AddrPort) *Direction {
	for _, d := range a.dirs {
		if d != nil && d.From == from {
			return d
		}
	}
	return nil
}

// Frame is one SRT datagram as the Tracker sees it: when and between which
// UDP endpoints it travelled, and what it decoded to. A capture reader
// (capture.Reader), a live socket or a test fills one in; the Tracker keeps
// none of its slices.
type Frame struct {
	// Number is the frame's position in its source (1-based, as Wireshark
	// counts in a capture); the Tracker reports attempts' frame ranges in
	// it. 0 is allowed when the source has no numbering.
	Number   int
	Time     time.Time
	Src, Dst netip.AddrPort
	// Packet is the decoded datagram; when Err is set, what was decoded
	// before the fault. It must not be nil.
	Packet *packet.Packet
	// Data is the datagram as received (or captured).
	Data []byte
	// Err is the decode error, or another reason the datagram is not
	// usable (a capture's snaplen cut, an IP fragment), or nil.
	Err error
}

// Tracker folds a capture's SRT frames into connection attempts and their
// statistics. Feed it every frame with Add, in capture order, then call
// Flush and Attempts.
//
// A Tracker is not safe for concurrent use: one goroutine feeds it.
//
// Memory is bounded whatever the input:
//   - an Attempt takes at most about 1.3 KiB (its strings are capped at
//     libsrt's limits: Stream ID 512 bytes, FILTER 64, CONGESTION 16), plus
//     1.6 KiB for each of its two Directions, made when the direction
//     carries a packet other than a handshake. The Tracker keeps at most
//     MaxAttempts attempts: with the default, under 48 MiB for a flood of
//     handshakes and under 160 MiB (140 MiB measured) when every attempt
//     carries packets both ways. When a new attempt would pass the bound,
//     the older half is retired: settled, handed to OnRetire if it is set
//     (a streaming summary prints them there), and forgotten;
//   - the per-sequence state of a direction is a window of the WindowSize
//     newest sequence numbers, 64 KiB, lent from a pool of at most
//     MaxWindows (64 MiB with the default); a direction that finds the pool
//     empty takes the window of one idle for WindowIdle of capture time, or
//     goes without (its loss figures are then unknown, never 0);
//   - the per-second time series is handed to OnBin as it goes; in memory
//     each direction keeps at most SeriesBins bins (none by default),
//     merging pairs of bins beyond that;
//   - with Passphrases, an attempt keeps its handshake key material (under
//     200 bytes) and each encrypted direction a crypt.KeyState.
type Tracker struct {
	// MaxAttempts bounds the attempts kept; 0 means DefaultMaxAttempts.
	MaxAttempts int
	// OnRetire, if set, receives each attempt the Tracker forgets to stay
	// within MaxAttempts, in the order they started. Attempts returns only
	// the attempts not retired.
	OnRetire func(*Attempt)
	// MaxWindows bounds the sequence windows lent to directions at once;
	// 0 means DefaultMaxWindows.
	MaxWindows int
	// SeriesBins is how many bins of its time series each direction keeps
	// in Direction.Series (0: none). Past it, pairs of bins are merged and
	// the bin width doubles.
	SeriesBins int
	// OnBin, if set, receives every closed one-second bin of every
	// direction, in time order per direction (see Bin and Flush). The bin
	// is only valid during the call.
	OnBin func(a *Attempt, d *Direction, b *Bin)
	// Passphrases, if set, are tried on every key-material message: the
	// one that opens it decrypts the data packets (counted as
	// DataStats.Decrypted and DecryptFailed; the payloads passed in are
	// not modified) and Attempt.PassphraseMatch says whether one did.
	Passphrases []string
	// KEKs caches the key derivations (PBKDF2) of Passphrases; nil means a
	// cache of the Tracker's own.
	KEKs *crypt.KEKCache

	attempts []*Attempt
	byFlow   map[flow.Key]*Attempt
	km       handshake.KeyMaterial
	retired  int
	pool     []*seqWindow
	lent     int
	holders  []*Direction
	scratch  []byte
	last     *Attempt // the attempt of the previous frame, and its flow
	lastKey  flow.Key
}

// DefaultMaxWindows is the number of sequence windows a Tracker lends at
// once by default (64 MiB).
const DefaultMaxWindows = 1024

// WindowIdle is how long, in capture time, a direction must have seen no
// packet before its sequence window may be taken for another one.
const WindowIdle = 10 * time.Second

// DefaultMaxAttempts is the number of attempts a Tracker keeps by default.
const DefaultMaxAttempts = 1 << 15

// NewTracker returns an empty Tracker.
func NewTracker() *Tracker { return &Tracker{byFlow: make(map[flow.Key]*Attempt)} }

// Retired returns how many attempts were retired to stay within
// MaxAttempts.
func (t *Tracker) Retired() int { return t.retired }

// add records a new attempt, retiring the older half of the kept ones
// first if the bound is reached.
func (t *Tracker) add(key flow.Key, a *Attempt) {
	limit := t.MaxAttempts
	if limit <= 0 {
		limit = DefaultMaxAttempts
	}
	if len(t.attempts) >= limit {
		n := max(1, len(t.attempts)/2)
		for _, old := range t.attempts[:n] {
			t.finish(old)
			if t.OnRetire != nil {
				t.OnRetire(old)
			}
		}
		t.retired += n
		rest := copy(t.attempts, t.attempts[n:])
		clear(t.attempts[rest:])
		t.attempts = t.attempts[:rest]
		// A fresh map for the kept attempts: deleting half the entries of
		// a map leaves it full of tombstones that make every lookup probe
		// further (a flood of new flows was 4x slower).
		byFlow := make(map[flow.Key]*Attempt, 2*len(t.attempts))
		for _, kept := range t.attempts {
			if kept.current {
				byFlow[kept.key] = kept
			}
		}
		t.byFlow = byFlow
	}
	if prev := t.byFlow[key]; prev != nil {
		prev.current = false // a later attempt takes over the flow
	}
	a.key, a.current = key, true
	t.last = nil
	t.attempts = append(t.attempts, a)
	t.byFlow[key] = a
}

// Add folds one frame into the attempt it belongs to and returns that
// attempt (nil for a frame that belongs to none: an undecodable frame of a
// flow with no attempt yet). Frames that did not decode are counted in the
// attempt's frame range only. The attempt is updated by later frames.
func (t *Tracker) Add(f *Frame) *Attempt {
	var key flow.Key
	var a *Attempt
	same := t.last != nil && (f.Src == t.lastKey.A && f.Dst == t.lastKey.B || f.Src == t.lastKey.B && f.Dst == t.lastKey.A)
	if same {
		// Most frames belong to the flow of the frame before: comparing
		// the endpoints is cheaper than ordering them into a key.
		key, a = t.lastKey, t.last
	} else {
		key = flow.MakeKey(f.Src, f.Dst)
		a = t.byFlow[key]
	}
	p := f.Packet
	kind := p.Kind()
	if f.Err == nil && kind == packet.KindHandshake {
		if a2 := t.handshake(a, key, f); a2 != nil {
			a = a2
		}
	}
	if a == nil {
		if f.Err != nil {
			return nil
		}
		// A session whose handshake is not in the capture.
		a = &Attempt{Mode: ModeUnknown, Caller: f.Src, Listener: f.Dst, FirstFrame: f.Number, FirstTime: f.Time,
			Outcome: OutcomeEstablished, Congestion: "live", RolesInferred: true}
		t.add(key, a)
	}
	a.LastFrame, a.LastTime = f.Number, f.Time
	// Stored only when they change: the key holds pointers, and storing
	// it for every frame was a seventh of Add.
	if a != t.last {
		t.last = a
	}
	if !same {
		t.lastKey = key
	}
	if f.Err != nil {
		return a
	}
	if a.Outcome == OutcomeRejected && f.Number != a.RejectFrame && !(kind == packet.KindHandshake && p.Handshake.Type.IsRejection()) {
		if a.AfterReject == 0 {
			a.AfterRejectFirst = kind
		}
		a.AfterReject++
	}
	if kind == packet.KindHandshake {
		a.Handshakes++
		return a
	}
	now := f.Time.UnixMicro()
	switch kind {
	case packet.KindData, packet.KindFEC:
		a.DataPackets++
		if p.Retransmitted {
			a.Retransmitted++
		}
		if a.Outcome == OutcomeIncomplete && a.Mode == ModeRendezvous && a.HandshakeSeen {
			a.Outcome = OutcomeEstablished
		}
		d := t.dir(a, f.Src, f.Dst, now)
		t.tick(a, d, now)
		if kind == packet.KindFEC {
			a.FECPackets++
			d.Data.FEC++
			d.Data.FECBytes += int64(len(p.Payload))
			d.bin.FEC++
			return a
		}
		t.window(d, now)
		d.dataPacket(p, now, f.Time)
		if p.Key != handshake.KeyNone {
			a.kkSeen = true
			t.decrypt(a, d, f)
			if a.kmOutcome == 2 && d.From == a.kmFrom {
				d.Data.Undecryptable.Known = true
				d.Data.Undecryptable.Value++
			}
		}
	case packet.KindACK:
		d := t.dir(a, f.Dst, f.Src, now)
		t.tick(a, d, now)
		d.ack(p, now)
	case packet.KindNAK:
		d := t.dir(a, f.Dst, f.Src, now)
		t.tick(a, d, now)
		before := d.seq.nakDistinct
		d.nak(p)
		if d.noWin || d.seq.w == nil {
			a.Lost += p.NAK.Count()
		} else {
			a.Lost += d.seq.nakDistinct - before
		}
		a.NAKReports++
		a.NAKSeqs += p.NAK.Count()
	case packet.KindACKACK:
		d := t.dir(a, f.Src, f.Dst, now)
		d.ackack(p, now)
	case packet.KindDropReq:
		t.dir(a, f.Src, f.Dst, now).dropReq(p)
	case packet.KindKeepalive:
		t.dir(a, f.Src, f.Dst, now).Control.Keepalive++
	case packet.KindShutdown:
		t.dir(a, f.Src, f.Dst, now).Control.Shutdown++
	case packet.KindCGWarning:
		t.dir(a, f.Src, f.Dst, now).Control.CGWarning++
	case packet.KindPeerError:
		t.dir(a, f.Src, f.Dst, now).Control.PeerError++
		if !a.PeerError.Known {
			a.PeerError = known(p.Info)
			a.PeerErrorFrom, a.PeerErrorFrame = f.Src, f.Number
		}
	case packet.KindUserDefined:
		t.userDefined(a, f, now)
	default:
		t.dir(a, f.Src, f.Dst, now).Control.Other++
	}
	return a
}

// dir returns the direction of a whose data from sends to to, making it
// if needed.
func (t *Tracker) dir(a *Attempt, from, to netip.AddrPort, now int64) *Direction {
	i := 0
	if from != a.Caller {
		i = 1
	}
	d := a.dirs[i]
	if d == nil {
		d = &Direction{From: from, To: to, holderIndex: -1}
		d.LatencyMS = a.latency[i]
		if isn, ok := a.isn[i].Get(); ok {
			d.seq.seed(isn)
		}
		a.dirs[i] = d
	}
	d.lastTime = now
	return d
}

// window lends d a sequence window if it has none (see MaxWindows).
func (t *Tracker) window(d *Direction, now int64) {
	if d.seq.w != nil || d.noWin {
		return
	}
	limit := t.MaxWindows
	if limit <= 0 {
		limit = DefaultMaxWindows
	}
	var w *seqWindow
	switch {
	case len(t.pool) > 0:
		w = t.pool[len(t.pool)-1]
		t.pool = t.pool[:len(t.pool)-1]
	case t.lent < limit:
		w = new(seqWindow)
		t.lent++
	default:
		// Take the window of the direction idle the longest, if it has
		// been idle long enough.
		best := -1
		for i, h := range t.holders {
			if best < 0 || h.lastTime < t.holders[best].lastTime {
				best = i
			}
		}
		if best < 0 || now-t.holders[best].lastTime < WindowIdle.Microseconds() {
			if d.seq.started {
				d.seq.lost = true
			}
			d.noWin = true
			return
		}
		h := t.holders[best]
		h.refresh()
		w = h.seq.release()
		t.dropHolder(h)
	}
	d.seq.w = w
	d.holderIndex = len(t.holders)
	t.holders = append(t.holders, d)
}

// dropHolder removes d from the window holders.
func (t *Tracker) dropHolder(d *Direction) {
	i := d.holderIndex
	if i < 0 {
		return
	}
	last := len(t.holders) - 1
	t.holders[i] = t.holders[last]
	t.holders[i].holderIndex = i
	t.holders[last] = nil
	t.holders = t.holders[:last]
	d.holderIndex = -1
}

// finish settles an attempt that is retired: its open bins are closed, its
// figures refreshed and its windows returned to the pool.
func (t *Tracker) finish(a *Attempt) {
	settle(a)
	for _, d := range a.dirs {
		if d == nil {
			continue
		}
		t.closeBin(a, d)
		if d.seq.w != nil {
			refreshDir(a, d)
			t.pool = append(t.pool, d.seq.release())
			t.dropHolder(d)
		} else {
			refreshDir(a, d)
		}
	}
}

// userDefined handles a UMSG_EXT packet: in-band key material.
func (t *Tracker) userDefined(a *Attempt, f *Frame, now int64) {
	p := f.Packet
	d := t.dir(a, f.Src, f.Dst, now)
	switch p.Subtype {
	case packet.SubtypeKMReq:
		d.Control.KMReq++
		d.Keys.Refreshes++
		if p.KeyMaterial(&t.km) == nil {
			a.kmSeen = true
			if a.RequestedKeyLen == 0 {
				a.RequestedKeyLen = t.km.KeyLen
			}
			t.refreshKeys(a, d, &t.km)
		}
	case packet.SubtypeKMRsp:
		d.Control.KMRsp++
		// The answer is about the keys of the other direction.
		other := t.dir(a, f.Dst, f.Src, now)
		other.Keys.Answers++
		if p.IsKMState() {
			if st, err := p.KMState(); err == nil && st != handshake.KMSecured {
				a.kmFrom, a.kmOutcome = f.Dst, 2
				if !other.Data.Undecryptable.Known {
					other.Data.Undecryptable = known(0)
				}
			}
		} else if p.KeyMaterial(&t.km) == nil {
			a.kmSeen = true
			if a.KeyLen == 0 && !a.KMStateSet {
				a.KeyLen = t.km.KeyLen
			}
			t.refreshKeys(a, other, &t.km)
		}
	default:
		d.Control.Other++
	}
}

// kekCache returns the KEK cache, making the Tracker's own.
func (t *Tracker) kekCache() *crypt.KEKCache {
	if t.KEKs == nil {
		t.KEKs = crypt.NewKEKCache(0)
	}
	return t.KEKs
}

// passphraseFor returns the passphrase among Passphrases that opens km.
func (t *Tracker) passphraseFor(km *handshake.KeyMaterial) (string, bool) {
	for _, pw := range t.Passphrases {
		kek, err := t.kekCache().DeriveKEK(pw, km.Salt, km.KeyLen)
		if err != nil {
			continue
		}
		if _, err := crypt.Open(kek, km); err == nil {
			return pw, true
		}
	}
	return "", false
}

// handshakeKM records the key material of the initiator's CONCLUSION.
func (t *Tracker) handshakeKM(a *Attempt, f *Frame, km *handshake.KeyMaterial) {
	a.kmSeen = true
	a.kmFrom = f.Src
	a.RequestedKeyLen = km.KeyLen
	if len(t.Passphrases) == 0 || a.km != nil {
		return
	}
	pw, ok := t.passphraseFor(km)
	a.PassphraseMatch = known(ok)
	if ok {
		c := km.Clone()
		a.km, a.pass = &c, pw
	}
}

// keyState returns d's key state, establishing it from the handshake's key
// material; nil when there is none to use.
func (t *Tracker) keyState(a *Attempt, d *Direction) *crypt.KeyState {
	if d.keys != nil {
		return d.keys
	}
	if a.km == nil {
		return nil
	}
	ks := crypt.NewKeyState(a.pass, t.kekCache())
	if ks.Establish(a.km) != nil {
		return nil
	}
	d.keys = ks
	return ks
}

// refreshKeys applies in-band key material to d's key state.
func (t *Tracker) refreshKeys(a *Attempt, d *Direction, km *handshake.KeyMaterial) {
	if len(t.Passphrases) == 0 {
		return
	}
	ks := t.keyState(a, d)
	if ks == nil {
		pw, ok := t.passphraseFor(km)
		if !a.PassphraseMatch.Value {
			a.PassphraseMatch = known(ok)
		}
		if !ok {
			return
		}
		ks = crypt.NewKeyState(pw, t.kekCache())
		d.keys = ks
	}
	if err := ks.Refresh(km); err != nil && errors.Is(err, crypt.ErrRefused) {
		d.Keys.Refused++
	}
}

// decrypt decrypts a copy of an encrypted data packet's payload with the
// direction's keys, when Passphrases are set.
func (t *Tracker) decrypt(a *Attempt, d *Direction, f *Frame) {
	if len(t.Passphrases) == 0 {
		return
	}
	if !d.Data.Decrypted.Known {
		d.Data.Decrypted, d.Data.DecryptFailed = known(0), known(0)
	}
	ks := t.keyState(a, d)
	pl := f.Packet.Payload
	if ks == nil || !ks.Established() || len(f.Data) < packet.HeaderSize || len(pl) > crypt.MaxPayloadSize {
		d.Data.DecryptFailed.Value++
		return
	}
	if t.scratch == nil {
		t.scratch = make([]byte, crypt.MaxPayloadSize)
	}
	n := copy(t.scratch, pl)
	if _, err := ks.Decrypt(f.Data[:packet.HeaderSize], t.scratch[:n]); err != nil {
		d.Data.DecryptFailed.Value++
		return
	}
	d.Data.Decrypted.Value++
}

// handshake updates (or starts) the attempt a handshake belongs to and
// returns it.
func (t *Tracker) handshake(a *Attempt, key flow.Key, f *Frame) *Attempt {
	hs := &f.Packet.Handshake
	switch {
	case hs.Type == handshake.Induction && f.Packet.DstSocket == 0:
		// A caller's INDUCTION: a new attempt unless it repeats the current one.
		if a == nil || a.Mode != ModeCallerListener || a.callerSocket != hs.SocketID || a.Caller != f.Src {
			a = t.start(key, f, ModeCallerListener)
			a.callerSocket = hs.SocketID
		}
	case hs.Type == handshake.WaveAHand:
		if a == nil || a.Mode != ModeRendezvous || a.answered {
			a = t.start(key, f, ModeRendezvous)
		}
	case a == nil:
		// A handshake whose start we missed.
		a = t.start(key, f, ModeCallerListener)
		if hs.Type == handshake.Conclusion && f.Packet.DstSocket == 0 {
			a.callerSocket = hs.SocketID
		} else {
			a.Caller, a.Listener = f.Dst, f.Src
		}
	}
	if hs.Type == handshake.Induction && f.Packet.DstSocket == 0 && f.Src == a.Caller {
		a.Inductions++
	}
	if !a.PeerIPMismatch && hs.Version >= handshake.Version4 {
		// The Peer IP field is the address of the packet's receiver, as
		// its sender knows it (srtcore/core.cpp, CUDT::startConnect and
		// CUDT::acceptAndRespond).
		if ip := hs.PeerAddr(); ip.IsValid() && !ip.IsUnspecified() && ip.Unmap().Is4() != f.Dst.Addr().Unmap().Is4() {
			a.PeerIPMismatch, a.PeerIPSeen, a.PeerIPFrame = true, ip, f.Number
		}
	}
	switch {
	case hs.Type == handshake.Induction && f.Src != a.Caller:
		a.inductionResp = true
	case hs.Type.IsRejection():
		if a.Outcome != OutcomeRejected {
			a.RejectFrame = f.Number
		}
		a.Outcome = OutcomeRejected
		a.Reason, _ = hs.Type.Reason()
		t.answer(a, f)
	case hs.Type == handshake.Conclusion || hs.Type == handshake.Agreement:
		if hs.Type == handshake.Conclusion {
			// The sender's first data packet will carry its ISN (in
			// caller-listener mode the listener echoes the caller's).
			i := 0
			if f.Src != a.Caller {
				i = 1
			}
			a.isn[i] = known(packet.SeqNumber(hs.ISN & uint32(packet.MaxSeqNumber)))
		}
		t.extensions(a, f)
		if hs.Type == handshake.Agreement {
			a.Outcome = OutcomeEstablished
			t.answer(a, f)
		}
	}
	return a
}

func (t *Tracker) start(key flow.Key, f *Frame, m Mode) *Attempt {
	a := &Attempt{Mode: m, Caller: f.Src, Listener: f.Dst, HandshakeSeen: true, FirstFrame: f.Number,
		FirstTime: f.Time, Congestion: "live"}
	t.add(key, a)
	return a
}

func (t *Tracker) answer(a *Attempt, f *Frame) {
	if !a.answered && !a.conclusionAt.IsZero() {
		a.HandshakeRTT = f.Time.Sub(a.conclusionAt)
	}
	a.answered = true
}

// extensions reads what a CONCLUSION carries. In rendezvous mode the
// initiator (the side sending HSREQ) may be either peer.
func (t *Tracker) extensions(a *Attempt, f *Frame) {
	it := f.Packet.Handshake.Extensions()
	isReq, isRsp := false, false
	for it.Next() {
		v := it.Value()
		switch it.Type() {
		case handshake.ExtHSReq:
			isReq = true
			var r handshake.HSReq
			if r.Decode(v) == nil {
				a.SRTVersion = r.Version
				if !a.hsrspSeen {
					a.LatencyMS = int(max(r.RecvDelay, r.SendDelay))
				}
			}
		case handshake.ExtHSRsp:
			isRsp = true
			var r handshake.HSReq
			if r.Decode(v) == nil {
				a.hsrspSeen = true
				a.LatencyMS = int(max(r.RecvDelay, r.SendDelay))
				// The responder's receiver delay is the latency of the
				// data sent to it, its sender delay that of the data it
				// sends (srtcore/core.cpp, CUDT::processSrtMsg_HSRSP).
				to, from := 0, 1
				if f.Src == a.Caller {
					to, from = 1, 0
				}
				a.latency[to] = known(int(r.RecvDelay))
				a.latency[from] = known(int(r.SendDelay))
				for i, d := range a.dirs {
					if d != nil {
						d.LatencyMS = a.latency[i]
					}
				}
			}
		case handshake.ExtKMReq:
			if t.km.Decode(v) == nil {
				t.handshakeKM(a, f, &t.km)
			}
		case handshake.ExtSID, handshake.ExtCongestion, handshake.ExtFilter:
			t.str(a, it.Type(), v)
		case handshake.ExtKMRsp:
			a.kmSeen = true
			a.kmFrom = f.Dst
			if handshake.IsKMState(v) {
				a.KMState, _ = handshake.DecodeKMState(v)
				a.KMStateSet = true
				a.KeyLen = 0
				a.kmOutcome = 1
				if a.KMState != handshake.KMSecured {
					a.kmOutcome = 2
				}
			} else if t.km.Decode(v) == nil {
				a.KeyLen = t.km.KeyLen
				a.kmOutcome = 1
			}
		}
	}
	if isReq && a.RequestedKeyLen == 0 {
		// No KMREQ: what the Type word's encryption field advertised
		// (PBKEYLEN/8).
		if e := int(f.Packet.Handshake.Encryption); e >= 2 && e <= 4 {
			a.RequestedKeyLen = 8 * e
		}
	}
	if isReq && a.conclusionAt.IsZero() {
		a.conclusionAt = f.Time
	}
	if isRsp && a.Outcome != OutcomeRejected {
		a.Outcome = OutcomeEstablished
		t.answer(a, f)
	}
}

// str sets the string field of a for the block type typ from its value v,
// decoding at most the length libsrt accepts (so a hostile 64 KiB Stream ID
// costs 512 bytes).
func (t *Tracker) str(a *Attempt, typ handshake.ExtType, v []byte) {
	if limit := typ.MaxStringLen(); len(v) > limit {
		v = v[:limit]
		a.Truncated = true
	}
	s := handshake.DecodeString(v)
	switch typ {
	case handshake.ExtSID:
		a.StreamID = s
	case handshake.ExtCongestion:
		a.Congestion = s
	case handshake.ExtFilter:
		a.Filter = s
	}
}

// settle fixes the outcome of an attempt that will see no more frames:
// OutcomeNoAnswer for a caller whose INDUCTION was never answered. For a
// session whose handshake was not captured it infers the roles.
func settle(a *Attempt) {
	if a.Outcome == OutcomeIncomplete && a.Mode == ModeCallerListener && !a.inductionResp && !a.answered && a.conclusionAt.IsZero() {
		a.Outcome = OutcomeNoAnswer
	}
	if a.Mode == ModeUnknown && a.RolesInferred {
		// Caller: the data sender (the more data packets); with no data,
		// the side that did not acknowledge.
		c, l := a.dirs[0], a.dirs[1]
		swap := false
		if packetsOf(l) != packetsOf(c) {
			swap = packetsOf(l) > packetsOf(c)
		} else {
			// ACKs counted in a direction were sent by its To, the
			// receiver: swap when the Caller acknowledged.
			swap = acksIn(l) > acksIn(c)
		}
		if swap {
			a.Caller, a.Listener = a.Listener, a.Caller
			a.dirs[0], a.dirs[1] = a.dirs[1], a.dirs[0]
			a.latency[0], a.latency[1] = a.latency[1], a.latency[0]
		}
	}
	for _, d := range a.dirs {
		if d != nil {
			refreshDir(a, d)
		}
	}
}

// packetsOf returns the data packets of d (FEC included), 0 for nil.
func packetsOf(d *Direction) int {
	if d == nil {
		return 0
	}
	return d.Data.Packets + d.Data.FEC
}

// acksIn returns the ACKs counted in d (sent by d.To), 0 for nil.
func acksIn(d *Direction) int {
	if d == nil {
		return 0
	}
	return d.Control.ACKFull + d.Control.ACKSmall + d.Control.ACKLight
}

// refreshDir brings d's derived figures up to date.
func refreshDir(a *Attempt, d *Direction) {
	d.refresh()
	if a.kmOutcome != 0 && d.From == a.kmFrom && !d.Data.Undecryptable.Known {
		d.Data.Undecryptable = known(0)
	}
}

// Attempts returns the attempts kept so far (see MaxAttempts), in the
// order they started, with the outcome of unfinished ones settled:
// OutcomeNoAnswer for a caller whose INDUCTION was never answered,
// OutcomeIncomplete otherwise. It also brings every direction's figures
// up to date (which costs a scan of each sequence window), so call it
// when the input ends rather than after every frame. Call Flush first for
// the last bins of the time series.
func (t *Tracker) Attempts() []*Attempt {
	for _, a := range t.attempts {
		settle(a)
	}
	return t.attempts
}
