package session

import (
	"net/netip"
	"time"

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
	Lost          int // sequence numbers reported lost by NAKs, counted per report

	key           flow.Key
	callerSocket  uint32
	conclusionAt  time.Time
	answered      bool
	inductionResp bool
	hsrspSeen     bool
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

// Frame is one SRT datagram as the Tracker sees it: when and between which
// UDP endpoints it travelled, and what it decoded to. A capture reader
// (pcap.Reader), a live socket or a test fills one in; the Tracker keeps
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

// Tracker folds a capture's SRT frames into connection attempts. Feed it
// every frame with Add, in capture order, then call Attempts.
//
// A Tracker is not safe for concurrent use: one goroutine feeds it.
//
// Memory is bounded whatever the input: an Attempt takes at most about
// 1 KiB (its strings are capped at libsrt's limits: Stream ID 512 bytes,
// FILTER 64, CONGESTION 16), and the Tracker keeps at most MaxAttempts of
// them (32 MiB with the default). When a new attempt would pass the bound,
// the older half is retired: settled, handed to OnRetire if it is set (a
// streaming summary prints them there), and forgotten.
type Tracker struct {
	// MaxAttempts bounds the attempts kept; 0 means DefaultMaxAttempts.
	MaxAttempts int
	// OnRetire, if set, receives each attempt the Tracker forgets to stay
	// within MaxAttempts, in the order they started. Attempts returns only
	// the attempts not retired.
	OnRetire func(*Attempt)

	attempts []*Attempt
	byFlow   map[flow.Key]*Attempt
	km       handshake.KeyMaterial
	retired  int
}

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
			settle(old)
			if t.byFlow[old.key] == old {
				delete(t.byFlow, old.key)
			}
			if t.OnRetire != nil {
				t.OnRetire(old)
			}
		}
		t.retired += n
		rest := copy(t.attempts, t.attempts[n:])
		clear(t.attempts[rest:])
		t.attempts = t.attempts[:rest]
	}
	a.key = key
	t.attempts = append(t.attempts, a)
	t.byFlow[key] = a
}

// Add folds one frame into the attempt it belongs to and returns that
// attempt (nil for a frame that belongs to none: an undecodable frame of a
// flow with no attempt yet). Frames that did not decode are counted in the
// attempt's frame range only. The attempt is updated by later frames.
func (t *Tracker) Add(f *Frame) *Attempt {
	key := flow.MakeKey(f.Src, f.Dst)
	a := t.byFlow[key]
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
		a = &Attempt{Mode: ModeUnknown, Caller: f.Src, Listener: f.Dst, FirstFrame: f.Number, FirstTime: f.Time, Outcome: OutcomeEstablished, Congestion: "live"}
		t.add(key, a)
	}
	a.LastFrame, a.LastTime = f.Number, f.Time
	if f.Err != nil {
		return a
	}
	if kind == packet.KindData || kind == packet.KindFEC {
		a.DataPackets++
		if p.Retransmitted {
			a.Retransmitted++
		}
		if a.Outcome == OutcomeIncomplete && a.Mode == ModeRendezvous && a.HandshakeSeen {
			a.Outcome = OutcomeEstablished
		}
		return a
	}
	if kind == packet.KindNAK {
		a.Lost += p.NAK.Count()
	}
	return a
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
	switch {
	case hs.Type == handshake.Induction && f.Src != a.Caller:
		a.inductionResp = true
	case hs.Type.IsRejection():
		a.Outcome = OutcomeRejected
		a.Reason, _ = hs.Type.Reason()
		t.answer(a, f)
	case hs.Type == handshake.Conclusion || hs.Type == handshake.Agreement:
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
			}
		case handshake.ExtSID, handshake.ExtCongestion, handshake.ExtFilter:
			t.str(a, it.Type(), v)
		case handshake.ExtKMRsp:
			if handshake.IsKMState(v) {
				a.KMState, _ = handshake.DecodeKMState(v)
				a.KMStateSet = true
				a.KeyLen = 0
			} else if t.km.Decode(v) == nil {
				a.KeyLen = t.km.KeyLen
			}
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
// OutcomeNoAnswer for a caller whose INDUCTION was never answered.
func settle(a *Attempt) {
	if a.Outcome == OutcomeIncomplete && a.Mode == ModeCallerListener && !a.inductionResp && !a.answered && a.conclusionAt.IsZero() {
		a.Outcome = OutcomeNoAnswer
	}
}

// Attempts returns the attempts kept so far (see MaxAttempts), in the
// order they started, with the outcome of unfinished ones settled:
// OutcomeNoAnswer for a caller whose INDUCTION was never answered,
// OutcomeIncomplete otherwise.
func (t *Tracker) Attempts() []*Attempt {
	for _, a := range t.attempts {
		settle(a)
	}
	return t.attempts
}
