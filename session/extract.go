package session

import (
	"cmp"
	"fmt"
	"io"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/srtwire/srtwire/handshake"
	"github.com/srtwire/srtwire/packet"
)

// DefaultReorderWindow is the reorder window of an Extractor by default,
// in packets: libsrt's receiver buffer (SRTO_RCVBUF, DEF_BUFFER_SIZE = 8192
// packets in srtcore/socketconfig.h). A packet more than this many
// sequence numbers ahead of a missing one gives the missing one up.
const DefaultReorderWindow = 8192

// DefaultMaxHeld bounds the bytes all the streams of an Extractor hold
// back, by default (64 MiB).
const DefaultMaxHeld = 64 << 20

// MaxGaps is the number of gaps (and of belated ranges) an ExtractReport
// keeps; the counts are exact beyond it, and Extractor.OnGap sees every
// gap.
const MaxGaps = 256

// GapMode says what an Extractor writes in place of the packets it does
// not have.
type GapMode uint8

// Gap modes.
const (
	// GapSkip writes nothing: the payloads on both sides of a gap are
	// concatenated.
	GapSkip GapMode = iota
	// GapFill keeps the stream's layout: in an MPEG-TS stream, null
	// packets (PID 0x1FFF) for the TS packets lost, so that a player
	// keeps its timing and a demultiplexer drops them; in any other
	// stream, zero bytes. Their length is that of the packets a broken
	// message dropped, plus, for each lost packet, the payload length of
	// the packet written before the gap (after it, at the start).
	GapFill
)

// String returns "skip" or "fill".
func (m GapMode) String() string {
	if m == GapFill {
		return "fill"
	}
	return "skip"
}

// ParseGapMode parses "skip" or "fill".
func ParseGapMode(s string) (GapMode, error) {
	switch s {
	case "skip":
		return GapSkip, nil
	case "fill":
		return GapFill, nil
	}
	return 0, fmt.Errorf("gap mode %q: want fill or skip", s)
}

// Stream is one direction of a connection that an Extractor writes out.
type Stream struct {
	Attempt   *Attempt
	Direction *Direction
	// Format is what the payload looks like, from its first bytes
	// written (see IsTS); always FormatBinary for ciphertext.
	Format Format
	// Ciphertext is set when the payload is written as it travelled,
	// encrypted (Extractor.AllowCiphertext).
	Ciphertext bool
}

// Name names the stream for a person: who sent to whom, and both
// endpoints, "caller-to-listener_127.0.0.1_44511_to_127.0.0.1_41042"
// (also "listener-to-caller_...", "rendezvous_..." and, for a session
// whose handshake is not in the capture, "inferred-caller-to-listener_..."
// and "inferred-listener-to-caller_..."). An IPv6 address is written
// out in its eight groups joined by '-' (::1 is 0-0-0-0-0-0-0-1), since
// file systems dislike ':'. Names repeat when two attempts use the same
// endpoints. For a session whose handshake is not in the capture, the
// roles are the Tracker's guess when the stream was opened.
func (s *Stream) Name() string {
	a, d := s.Attempt, s.Direction
	role := "caller-to-listener"
	if d.From != a.Caller {
		role = "listener-to-caller"
	}
	switch a.Mode {
	case ModeRendezvous:
		role = "rendezvous"
	case ModeUnknown:
		role = "inferred-" + role
	}
	return role + "_" + addrName(d.From) + "_to_" + addrName(d.To)
}

// FileName returns Name with the extension of the format: ".ts" for
// MPEG-TS, ".bin" otherwise.
func (s *Stream) FileName() string { return s.Name() + s.Format.Ext() }

func addrName(ap netip.AddrPort) string {
	a := ap.Addr().Unmap()
	var b []byte
	if a.Is4() {
		b = a.AppendTo(b)
	} else {
		// The eight groups, without the "::" shorthand, joined by '-'
		// (file systems dislike ':'): ::1 is 0-0-0-0-0-0-0-1.
		x := a.As16()
		for i := 0; i < 16; i += 2 {
			if i > 0 {
				b = append(b, '-')
			}
			b = strconv.AppendUint(b, uint64(x[i])<<8|uint64(x[i+1]), 16)
		}
		if z := a.Zone(); z != "" {
			b = append(b, '%')
			b = append(b, z...)
		}
	}
	b = append(b, '_')
	b = strconv.AppendUint(b, uint64(ap.Port()), 10)
	return strings.ReplaceAll(string(b), "%", "-")
}

// Gap is a run of sequence numbers whose payload an Extractor did not
// write: packets the capture does not hold (lost before the capture point,
// or given up on, see Extractor), packets it could not decrypt, and in
// message mode the packets of every message with a hole, which is
// dropped whole, as libsrt's receiver does (a message is read only from
// PB_FIRST to PB_LAST complete, CRcvBufferNew::readMessage in
// srtcore/buffer_rcv.cpp; packet boundaries PP in srtcore/packet.h).
type Gap struct {
	// First and Last are the gap's sequence numbers, inclusive; for a
	// broken message, from its first packet to its last.
	First, Last packet.SeqNumber
	// Lost counts the numbers of which the capture holds no usable copy,
	// Undecryptable those whose packet could not be decrypted, Dropped
	// the packets that were captured but not written because their
	// message had a hole (DroppedBytes their payload bytes).
	Lost, Undecryptable, Dropped int
	DroppedBytes                 int64
	// Late counts packets of the gap that came after the Extractor had
	// given their place up (a retransmission after the reorder window, or
	// with Extractor.Receiver after libsrt's receiver would have dropped
	// the hole). It grows after OnGap saw the gap.
	Late int
	// FirstMsg and LastMsg are the message numbers of the broken
	// messages (0 when none was seen).
	FirstMsg, LastMsg packet.MsgNumber
	// Offset is the byte offset in the output where the gap falls: the
	// bytes written before it. Fill is the number of bytes written in its
	// place (GapFill), from Offset on: at most the reorder window's worth.
	Offset int64
	Fill   int64
	// Time is the capture time when the gap was found.
	Time time.Time
}

// Packets returns the number of sequence numbers of the gap.
func (g *Gap) Packets() int { return g.First.Len(g.Last) }

// String describes the gap in one line: "seq 2095720805-2095720807 (3
// packets: 2 lost, 1 dropped with its message) at byte 3000, 1800 bytes
// filled".
func (g *Gap) String() string { return string(g.AppendText(nil)) }

// AppendText appends String's text to b.
func (g *Gap) AppendText(b []byte) []byte {
	b = append(b, "seq "...)
	b = strconv.AppendUint(b, uint64(g.First), 10)
	if g.Last != g.First {
		b = append(b, '-')
		b = strconv.AppendUint(b, uint64(g.Last), 10)
	}
	n := g.Packets()
	b = append(b, " ("...)
	b = strconv.AppendInt(b, int64(n), 10)
	b = append(b, " packet"...)
	if n != 1 {
		b = append(b, 's')
	}
	sep := ": "
	part := func(v int, what string) {
		if v > 0 {
			b = append(b, sep...)
			b = strconv.AppendInt(b, int64(v), 10)
			b = append(b, what...)
			sep = ", "
		}
	}
	part(g.Lost, " lost")
	part(g.Undecryptable, " undecryptable")
	if g.Dropped > 0 {
		part(g.Dropped, " dropped with their message")
		if g.FirstMsg != 0 {
			b = append(b, " (msg "...)
			b = strconv.AppendUint(b, uint64(g.FirstMsg), 10)
			if g.LastMsg != g.FirstMsg {
				b = append(b, '-')
				b = strconv.AppendUint(b, uint64(g.LastMsg), 10)
			}
			b = append(b, ')')
		}
	}
	part(g.Late, " came too late")
	b = append(b, ") at byte "...)
	b = strconv.AppendInt(b, g.Offset, 10)
	if g.Fill > 0 {
		b = append(b, ", "...)
		b = strconv.AppendInt(b, g.Fill, 10)
		b = append(b, " bytes filled"...)
	}
	return b
}

// SeqRange is a run of sequence numbers, inclusive.
type SeqRange struct{ First, Last packet.SeqNumber }

// ExtractReport is what an Extractor did with one direction.
type ExtractReport struct {
	Stream *Stream
	// Opened is set when Extractor.Open gave a writer.
	Opened bool
	// Bytes counts the bytes written, FillBytes those of them written in
	// place of gaps (GapFill).
	Bytes, FillBytes int64
	// Packets counts the payloads written; Messages the messages
	// written when MessageAPI is set (the packets from PB_FIRST to
	// PB_LAST, or a PB_SOLO packet). FirstSeq and LastSeq are the
	// sequence numbers of the first and the last payload written.
	Packets, Messages int
	MessageAPI        bool
	FirstSeq, LastSeq packet.SeqNumber
	// Received counts the data packets of the direction (FEC packets not
	// included), copies included; Undecodable those that were not usable
	// (cut short by the capture, malformed).
	Received, Undecodable int
	// Duplicates counts the copies dropped: retransmissions (or repeats)
	// of packets already written or held.
	Duplicates int
	// Recovered counts the packets that filled a hole: they came after a
	// later sequence number (retransmissions, reordered packets) and were
	// written in their place.
	Recovered int
	// TooLate counts the packets that came after their place was given
	// up (see Gap.Late).
	TooLate int
	// Outliers counts the packets left out because their sequence
	// number was more than the reorder window ahead of the stream and no
	// second packet near it confirmed a jump (a corrupt or forged
	// number). A confirmed jump (a sender that restarted) is a Gap.
	Outliers int
	// Belated counts the packets written that libsrt's live receiver
	// would have dropped: they filled a hole after the TSBPD delivery
	// time of a later packet already received, when the receiver's
	// TSBPD thread skips the hole (CUDT::tsbpd, CUDT::processData
	// "BELATED" in srtcore/core.cpp). BelatedRanges lists them (at most
	// MaxGaps ranges). Only without Extractor.Receiver, which leaves them
	// out. The thread skips a hole when it runs, at that time or later
	// (on a busy machine tens of ms later), so the receiver may have
	// delivered some of them; every packet it dropped as belated is
	// among them.
	Belated       int
	BelatedRanges []SeqRange
	// Undelivered counts the payloads written (UndeliveredBytes their
	// bytes) that libsrt's live receiver never delivered: their TSBPD time
	// had not come when the connection shut down (ShutdownSeen: a
	// SHUTDOWN was captured), and srt_recvmsg fails on a broken socket
	// except for what is due (CUDT::receiveMessage in srtcore/core.cpp).
	// A sender that closes right after its last packet (ffmpeg does)
	// leaves the latency's worth of the stream undelivered. The
	// receiver's output ends at UndeliveredOffset. With
	// Extractor.Receiver they are not written. UndeliveredOffset is
	// Bytes when all were delivered.
	Undelivered       int
	UndeliveredBytes  int64
	UndeliveredOffset int64
	ShutdownSeen      bool
	// GapCount counts the gaps; Gaps keeps the first MaxGaps, GapsMore is
	// set when there were more. Lost, Undecryptable and Dropped sum the
	// gaps' figures. PartialMessages counts the messages longer than the
	// reorder window that a hole broke after their start was written.
	GapCount                     int
	Gaps                         []*Gap
	GapsMore                     bool
	Lost, Undecryptable, Dropped int
	PartialMessages              int
	// Encrypted counts the data packets with KK ≠ 0, Decrypted those
	// decrypted. Cipher names the cipher ("AES-128", ...).
	Encrypted, Decrypted int
	Cipher               string
	// Refused says why nothing was written, when nothing was: the
	// payload is encrypted and cannot be decrypted (no passphrase, a
	// wrong one, no key material in the capture), or Open declined the
	// stream. It is "" when something was written.
	Refused string
	// TS is the MPEG-TS check, for FormatTS.
	TS *TSReport
	// Err is the first error of Open or of the writer; nothing more was
	// written after it.
	Err error
}

// String returns the report as one line, for srtdump -extract:
//
//	caller-to-listener_127.0.0.1_41464_to_127.0.0.1_41001.bin: 131600 bytes, 100 packets, 100 messages, 0 gaps, clear
//	...ts: 1504800 bytes, 1143 packets, 1143 messages, 2 gaps (3 lost, 3948 bytes filled), 21 recovered, decrypted (AES-128); TS: 8001 TS packets, PIDs ..., 0 bad sync, 0 CC errors (+2 at gaps [0x0100:1 0x0101:1])
//	...bin: not written: the payload is encrypted (AES-128) and no passphrase was given; 80 packets
func (r *ExtractReport) String() string { return string(r.AppendText(nil)) }

// AppendText appends String's text to b.
func (r *ExtractReport) AppendText(b []byte) []byte {
	if r.Opened {
		b = append(b, r.Stream.FileName()...)
	} else {
		b = append(b, r.Stream.Name()...)
	}
	b = append(b, ": "...)
	if !r.Opened {
		b = append(b, "not written: "...)
		if r.Refused != "" {
			b = append(b, r.Refused...)
		} else if r.Err != nil {
			b = append(b, r.Err.Error()...)
		} else {
			b = append(b, "no payload"...)
		}
		b = append(b, "; "...)
		b = strconv.AppendInt(b, int64(r.Received), 10)
		b = append(b, " packets"...)
		return b
	}
	num := func(v int64, what string) {
		b = append(b, ", "...)
		b = strconv.AppendInt(b, v, 10)
		b = append(b, what...)
	}
	b = strconv.AppendInt(b, r.Bytes, 10)
	b = append(b, " bytes"...)
	num(int64(r.Packets), " packets")
	if r.MessageAPI {
		num(int64(r.Messages), " messages")
	}
	num(int64(r.GapCount), " gaps")
	if r.GapCount == 1 {
		b = b[:len(b)-1]
	}
	if r.GapCount > 0 {
		b = append(b, " ("...)
		sep := ""
		part := func(v int64, what string) {
			if v > 0 {
				b = append(b, sep...)
				b = strconv.AppendInt(b, v, 10)
				b = append(b, what...)
				sep = ", "
			}
		}
		part(int64(r.Lost), " lost")
		part(int64(r.Undecryptable), " undecryptable")
		part(int64(r.Dropped), " dropped with their messages")
		part(r.FillBytes, " bytes filled")
		b = append(b, ')')
	}
	if r.Duplicates > 0 {
		num(int64(r.Duplicates), " duplicates dropped")
	}
	if r.Recovered > 0 {
		num(int64(r.Recovered), " recovered")
	}
	if r.TooLate > 0 {
		num(int64(r.TooLate), " too late")
	}
	if r.Belated > 0 {
		num(int64(r.Belated), " belated (libsrt's receiver dropped them)")
	}
	if r.Undelivered > 0 {
		num(int64(r.Undelivered), " not yet due at the shutdown (the receiver's output ends at byte ")
		b = strconv.AppendInt(b, r.UndeliveredOffset, 10)
		b = append(b, ')')
	}
	if r.Undecodable > 0 {
		num(int64(r.Undecodable), " undecodable")
	}
	if r.Outliers > 0 {
		num(int64(r.Outliers), " outliers left out")
	}
	switch {
	case r.Stream.Ciphertext:
		b = append(b, ", ciphertext ("...)
		b = append(b, cmp.Or(r.Cipher, "encrypted")...)
		b = append(b, ", not decrypted)"...)
	case r.Encrypted > 0:
		b = append(b, ", decrypted ("...)
		b = append(b, cmp.Or(r.Cipher, "encrypted")...)
		b = append(b, ')')
	default:
		b = append(b, ", clear"...)
	}
	if r.Err != nil {
		b = append(b, ", error: "...)
		b = append(b, r.Err.Error()...)
	}
	if r.TS != nil {
		b = append(b, "; TS: "...)
		b = r.TS.AppendText(b)
	}
	return b
}

// Extractor writes the payload of each direction of each connection to
// its own io.Writer, in sequence order, as the receiving application would
// have read it:
//
//   - retransmitted (and repeated) copies are dropped;
//   - reordering is repaired within a reorder window of Window packets:
//     a missing packet is waited for until a packet Window sequence numbers
//     after it arrives (or the buffers fill, see MaxHeld, or the input
//     ends), then given up and reported as a Gap, with the byte offset in
//     the output where it falls;
//   - encrypted payloads are decrypted with the keys the Tracker recovered
//     (set Tracker.Passphrases). Without them the Extractor refuses to
//     write ciphertext and says why (ExtractReport.Refused), unless
//     AllowCiphertext;
//   - in message mode (the handshake's HSREQ without SRT_OPT_STREAM, which
//     live mode is, or, with no handshake captured, a direction that sends
//     PB_LAST packets) messages are reassembled from their PB_FIRST,
//     PB_SUBSEQUENT and PB_LAST packets (srtcore/packet.h), and a message
//     with a hole is dropped and reported whole; in stream mode (file
//     transfers) packet boundaries mean nothing;
//   - with Receiver, in live mode, it writes what libsrt's receiver would
//     have delivered instead (see Receiver).
//
// Feed it the frames the Tracker is fed, in the same order, each with
// the attempt Tracker.Add returned for it; call Retire for the attempts
// the Tracker retires (in Tracker.OnRetire), and Close at the end. Each
// stream's writer is opened lazily, by Open, when its first bytes are
// ready, so that Open knows the Format; it is closed (when it is an
// io.Closer) when the stream ends, and OnDone gets the stream's report.
//
// Memory is bounded: a stream that receives in order holds nothing back,
// except that a live stream (TSBPD) holds its output until it is due, as
// the receiver does: the latency's worth of packets; a stream waiting for
// a missing packet holds the packets after it, at most Window of them;
// a message being assembled holds its packets, at most Window of them (a
// longer message is written as it comes, and a hole after its start
// breaks it only from the hole on). All the streams together hold at
// most MaxHeld bytes: past it, the stream that adds a packet writes what
// it holds back and gives up its oldest hole. Each stream also keeps its
// report, with at most MaxGaps gaps, and pooled buffers are reused
// (1 GB of a live stream with loss and reordering runs in a 2.5 MiB
// heap). Streams live until Retire or Close.
//
// An Extractor is not safe for concurrent use; feed it from the
// goroutine that feeds the Tracker.
type Extractor struct {
	// Open returns the writer of a stream's payload; it is called once
	// per stream, when its first bytes are ready. Returning a nil writer
	// and a nil error leaves the stream out; an error is reported
	// (ExtractReport.Err) and the stream is left out.
	Open func(s *Stream) (io.Writer, error)
	// Gaps says what is written in place of a gap (GapSkip by default).
	Gaps GapMode
	// AllowCiphertext makes a stream whose payload cannot be decrypted
	// be written as it travelled, encrypted, instead of refused.
	AllowCiphertext bool
	// Window is the reorder window in packets, rounded up to a power of
	// 2; 0 means DefaultReorderWindow.
	Window int
	// MaxHeld bounds the bytes all streams hold back together; 0 means
	// DefaultMaxHeld.
	MaxHeld int64
	// Receiver writes, for a live stream (TSBPD latency and too-late
	// packet drop negotiated), what libsrt's receiver would have
	// delivered: a hole is given up as soon as the packet after it falls
	// due (its TSBPD time: the sender's start, as the handshake tells it,
	// plus its timestamp plus the latency, CUDT::tsbpd in
	// srtcore/core.cpp), and a packet that fills it later is dropped as
	// libsrt drops it (counted in TooLate and Gap.Late); and at the
	// connection's SHUTDOWN what is not due yet is left out, as the
	// receiving application never reads it (ExtractReport.Undelivered).
	// Captured at the receiver, the output is then what srt-live-transmit
	// wrote, except that libsrt's TSBPD thread may skip a hole later than
	// the delivery time (when it gets to run), delivering a retransmission
	// that Receiver gave up: the output is the receiver's less such
	// packets, each in a Gap with Late > 0; and the application may not
	// have read the packets that fell due in the last milliseconds before
	// the SHUTDOWN (srt-live-transmit stopped one 40 ms burst early in 2
	// of 9 runs on a busy 2-core machine). Without Receiver the
	// Extractor keeps everything the capture has and reports, as Belated
	// and Undelivered, what the receiver would have dropped.
	Receiver bool
	// OnGap, if set, sees every gap when it is found (before the bytes
	// after it are written).
	OnGap func(s *Stream, g *Gap)
	// OnDone, if set, receives the report of each stream when it ends
	// (Retire or Close), after its writer was closed.
	OnDone func(r *ExtractReport)

	t       *Tracker
	streams map[*Direction]*xstream
	atts    map[*Attempt]*xattempt
	last    *xstream
	nextID  int
	free    []*xpkt
	slots   [][]*xpkt
	held    int64
	err     error
	hs      handshake.HSReq
}

// NewExtractor returns an Extractor that takes the keys of the streams
// from t (see Tracker.Passphrases) and opens their writers with open.
// Set its other fields before the first Add.
func NewExtractor(t *Tracker, open func(s *Stream) (io.Writer, error)) *Extractor {
	return &Extractor{Open: open, t: t, streams: make(map[*Direction]*xstream), atts: make(map[*Attempt]*xattempt)}
}

// xattempt is what an Extractor knows of an attempt from its handshake.
type xattempt struct {
	reqFlags, rspFlags handshake.SRTFlags
	reqSeen, rspSeen   bool
	// base is the TSBPD time base of the data each endpoint sends: the
	// arrival of its CONCLUSION with HSREQ or HSRSP less its timestamp
	// (m_tsRcvPeerStartTime, CUDT::processSrtMsg_HSREQ and
	// processSrtMsg_HSRSP in srtcore/core.cpp).
	base [2]struct {
		from netip.AddrPort
		us   int64
		set  bool
	}
}

// xpkt is a data packet a stream holds: its place, its payload
// (plaintext) and its TSBPD delivery time.
type xpkt struct {
	seq   packet.SeqNumber
	pos   packet.Position
	msgno packet.MsgNumber
	bad   bool  // undecryptable: written as a gap
	held  bool  // counted in Extractor.held
	due   int64 // TSBPD delivery time, µs; 0 when unknown
	b     []byte
}

const maxFree = 4096

func (x *Extractor) get(n int) *xpkt {
	var p *xpkt
	if k := len(x.free); k > 0 {
		p = x.free[k-1]
		x.free = x.free[:k-1]
	} else {
		p = new(xpkt)
	}
	if cap(p.b) < n {
		p.b = make([]byte, 0, max(n, 1500))
	}
	p.b = p.b[:0]
	return p
}

func (x *Extractor) put(p *xpkt) {
	x.unhold(p)
	if len(x.free) < maxFree {
		*p = xpkt{b: p.b[:0]}
		x.free = append(x.free, p)
	}
}

func (x *Extractor) hold(p *xpkt) {
	if !p.held {
		p.held = true
		x.held += int64(cap(p.b))
	}
}

func (x *Extractor) unhold(p *xpkt) {
	if p.held {
		p.held = false
		x.held -= int64(cap(p.b))
	}
}

func (x *Extractor) window() int {
	w := x.Window
	if w <= 0 {
		w = DefaultReorderWindow
	}
	n := 16
	for n < w && n < 1<<24 {
		n <<= 1
	}
	return n
}

func (x *Extractor) maxHeld() int64 {
	if x.MaxHeld > 0 {
		return x.MaxHeld
	}
	return DefaultMaxHeld
}

// getSlots returns an empty reorder ring of n slots.
func (x *Extractor) getSlots(n int) []*xpkt {
	x.held += int64(n) * 8
	if k := len(x.slots); k > 0 && len(x.slots[k-1]) == n {
		s := x.slots[k-1]
		x.slots = x.slots[:k-1]
		return s
	}
	return make([]*xpkt, n)
}

func (x *Extractor) putSlots(s []*xpkt) {
	x.held -= int64(len(s)) * 8
	if len(x.slots) < 16 {
		x.slots = append(x.slots, s)
	}
}

// Add takes the next frame, with the attempt the Tracker's Add returned
// for it (nil: the frame is ignored). Call it after Tracker.Add, so that
// the keys of a key refresh in the frame are known. Add keeps no slice of
// f.
func (x *Extractor) Add(a *Attempt, f *Frame) {
	if a == nil || f == nil || f.Packet == nil {
		return
	}
	p := f.Packet
	switch p.Kind() {
	case packet.KindHandshake:
		if f.Err == nil && p.Handshake.Type == handshake.Conclusion {
			x.handshake(a, f)
		}
		return
	case packet.KindShutdown:
		// Either side's SHUTDOWN ends the connection for both directions.
		for _, d := range a.dirs {
			if s := x.streams[d]; d != nil && s != nil {
				s.now = f.Time.UnixMicro()
				s.shutdown(s.now)
			}
		}
		return
	case packet.KindData:
	default:
		return
	}
	s := x.last
	if s == nil || s.a != a || s.s.Direction.From != f.Src {
		d := a.Direction(f.Src)
		if d == nil {
			return
		}
		s = x.streams[d]
		if s == nil {
			s = x.newStream(a, d)
		}
		x.last = s
	}
	s.packet(f)
}

// handshake records the SRT flags and the TSBPD base a CONCLUSION
// carries.
func (x *Extractor) handshake(a *Attempt, f *Frame) {
	it := f.Packet.Handshake.Extensions()
	for it.Next() {
		typ := it.Type()
		if typ != handshake.ExtHSReq && typ != handshake.ExtHSRsp {
			continue
		}
		if x.hs.Decode(it.Value()) != nil {
			continue
		}
		xa := x.atts[a]
		if xa == nil {
			xa = new(xattempt)
			x.atts[a] = xa
		}
		if typ == handshake.ExtHSReq {
			xa.reqFlags, xa.reqSeen = x.hs.Flags, true
		} else {
			xa.rspFlags, xa.rspSeen = x.hs.Flags, true
		}
		for i := range xa.base {
			b := &xa.base[i]
			if b.set && b.from != f.Src {
				continue
			}
			if !b.set {
				b.from, b.set = f.Src, true
				b.us = f.Time.UnixMicro() - int64(f.Packet.Timestamp)
			}
			break
		}
	}
}

// Retire ends the streams of a, an attempt the Tracker retired (call it
// from Tracker.OnRetire): their writers are closed and OnDone gets their
// reports.
func (x *Extractor) Retire(a *Attempt) {
	for _, d := range a.dirs {
		if d == nil {
			continue
		}
		if s := x.streams[d]; s != nil {
			x.end(s)
		}
	}
	delete(x.atts, a)
}

// Close ends every stream, in the order they started (see Retire), and
// returns the first error of Open or of a writer.
func (x *Extractor) Close() error {
	all := make([]*xstream, 0, len(x.streams))
	for _, s := range x.streams {
		all = append(all, s)
	}
	slices.SortFunc(all, func(a, b *xstream) int { return a.id - b.id })
	for _, s := range all {
		x.end(s)
	}
	clear(x.atts)
	return x.err
}

func (x *Extractor) end(s *xstream) {
	s.finish()
	delete(x.streams, s.s.Direction)
	if x.last == s {
		x.last = nil
	}
	if x.OnDone != nil {
		x.OnDone(&s.r)
	}
}

// recentGap is a run of sequence numbers a stream gave up, remembered to
// tell a late retransmission from a duplicate.
type recentGap struct {
	lo, hi packet.SeqNumber
	g      *Gap
}

// xstream is the extraction state of one direction.
type xstream struct {
	x   *Extractor
	a   *Attempt
	s   Stream
	r   ExtractReport
	id  int
	now int64 // capture time of the current frame, µs

	w         io.Writer // nil after a write error
	out       io.Writer // the writer Open returned
	opened    bool      // Open was called
	cipher    bool      // the payload is written encrypted
	refusal   string
	keyed     bool // a payload was decrypted
	isnIndex  int
	tsbpd     bool
	latencyUS int64
	baseUS    int64
	baseSet   bool
	tsStarted bool
	tsLast    uint32
	tsExt     int64
	sawLast   bool
	dq        []outItem // output waiting for its TSBPD time, from dqHead on
	dqHead    int
	shut      bool            // the connection was shut down
	shutAt    int64           // when, µs
	offSet    bool            // UndeliveredOffset is set
	stopped   bool            // with Receiver, after the shutdown: nothing more is written
	apiSeen   bool            // messageAPI was true at a delivery
	lastPos   packet.Position // of the last packet delivered
	tsc       *tsChecker
	lastLen   int
	fill      []byte
	gap       *Gap
	recent    [32]recentGap
	nrecent   int

	// the sequencer: payloads are written in order from next on; later
	// ones wait in slots (a ring of win entries indexed by sequence
	// number).
	win     int
	started bool
	next    packet.SeqNumber
	hiSeen  packet.SeqNumber
	slots   []*xpkt
	npend   int
	first   packet.SeqNumber // the first waiting packet, when firstOK
	firstOK bool
	jump    *xpkt // a packet more than the window ahead, until confirmed

	// the message being assembled (message API)
	parts     []*xpkt
	msgOpen   bool
	streaming bool // the message is longer than the window: written as it comes
	msgFirst  packet.SeqNumber
	msgNo     packet.MsgNumber
}

func (x *Extractor) newStream(a *Attempt, d *Direction) *xstream {
	s := &xstream{x: x, a: a, id: x.nextID, win: x.window()}
	x.nextID++
	s.s = Stream{Attempt: a, Direction: d}
	s.r.Stream = &s.s
	if d.From != a.Caller {
		s.isnIndex = 1
	}
	// TSBPD with too-late packet drop, as the handshake negotiated it
	// (SRT_OPT_TLPKTDROP, CUDT::processSrtMsg_HSREQ in srtcore/core.cpp).
	if lat, ok := d.LatencyMS.Get(); ok && lat > 0 {
		if xa := x.atts[a]; xa != nil && (xa.reqFlags|xa.rspFlags)&handshake.FlagTLPktDrop != 0 {
			s.tsbpd, s.latencyUS = true, int64(lat)*1000
			for _, b := range xa.base {
				if b.set && b.from == d.From {
					s.baseUS, s.baseSet = b.us, true
				}
			}
		}
	}
	x.streams[d] = s
	return s
}

// messageAPI reports whether the stream honours message boundaries.
func (s *xstream) messageAPI() bool {
	if xa := s.x.atts[s.a]; xa != nil && xa.reqSeen {
		return xa.reqFlags&handshake.FlagStream == 0
	}
	return s.sawLast
}

// packet takes in a data packet of the stream.
func (s *xstream) packet(f *Frame) {
	x, p := s.x, f.Packet
	s.r.Received++
	if f.Err != nil || len(f.Data) < packet.HeaderSize {
		s.r.Undecodable++
		return
	}
	s.now = f.Time.UnixMicro()
	if s.stopped {
		return
	}
	if s.tsbpd {
		s.flush(s.now)
	}
	if p.Position == packet.PositionLast {
		s.sawLast = true
	}
	q := x.get(len(p.Payload))
	q.seq, q.pos, q.msgno = p.Seq, p.Position, p.MsgNo
	q.b = append(q.b, p.Payload...)
	if s.tsbpd {
		q.due = s.due(p.Timestamp)
	}
	if p.Key != handshake.KeyNone {
		s.r.Encrypted++
		s.decrypt(q, f)
	}
	s.arrive(q)
}

// decrypt decrypts q's payload with the direction's keys, or marks it
// undecryptable (and says why), or lets it through as ciphertext.
func (s *xstream) decrypt(q *xpkt, f *Frame) {
	d := s.s.Direction
	if s.r.Cipher == "" {
		kl := s.a.KeyLen
		if d.keys != nil && d.keys.KeyLen() > 0 {
			kl = d.keys.KeyLen()
		}
		s.r.Cipher = KeyLenName(cmp.Or(kl, s.a.RequestedKeyLen))
	}
	if s.cipher {
		return
	}
	if ks := d.keys; ks != nil && ks.Established() {
		pt, err := ks.Decrypt(f.Data[:packet.HeaderSize], q.b)
		if err == nil {
			q.b = pt
			s.r.Decrypted++
			s.keyed = true
			return
		}
		q.bad = true
		if s.refusal == "" {
			s.refusal = "the payload could not be decrypted: " + err.Error()
		}
		return
	}
	if s.x.AllowCiphertext && !s.keyed && !s.opened {
		s.cipher, s.s.Ciphertext = true, true
		return
	}
	q.bad = true
	if s.refusal == "" {
		s.refusal = s.why()
	}
}

// why says why a stream's payload cannot be decrypted.
func (s *xstream) why() string {
	what := "the payload is encrypted"
	if s.r.Cipher != "" {
		what += " (" + s.r.Cipher + ")"
	}
	a := s.a
	switch {
	case s.x.t == nil || len(s.x.t.Passphrases) == 0:
		return what + " and no passphrase was given"
	case a.PassphraseMatch.Known && !a.PassphraseMatch.Value:
		return what + " and no passphrase given opens its key material (wrong passphrase)"
	case !a.kmSeen:
		return what + " and the capture holds no key material for it (it starts after the handshake, and no key refresh followed)"
	}
	return what + " and its keys could not be recovered from the key material"
}

// due returns the TSBPD delivery time of a packet with timestamp ts, µs.
func (s *xstream) due(ts uint32) int64 {
	if !s.tsStarted {
		s.tsStarted, s.tsLast, s.tsExt = true, ts, int64(ts)
	} else if d := int32(ts - s.tsLast); d > 0 {
		s.tsLast, s.tsExt = ts, s.tsExt+int64(d)
	} else {
		return s.baseUS + s.tsExt + int64(d) + s.latencyUS
	}
	if !s.baseSet {
		s.baseUS, s.baseSet = s.now-s.tsExt, true
	}
	return s.baseUS + s.tsExt + s.latencyUS
}

func (s *xstream) slot(n packet.SeqNumber) *xpkt {
	if s.slots == nil {
		return nil
	}
	q := s.slots[int(uint32(n))&(s.win-1)]
	if q != nil && q.seq != n {
		return nil
	}
	return q
}

func (s *xstream) store(q *xpkt) {
	if s.slots == nil {
		s.slots = s.x.getSlots(s.win)
	}
	s.slots[int(uint32(q.seq))&(s.win-1)] = q
	if s.npend == 0 {
		s.first, s.firstOK = q.seq, true
	} else if s.firstOK && q.seq.Less(s.first) {
		s.first = q.seq
	}
	s.npend++
	s.x.hold(q)
}

func (s *xstream) take(n packet.SeqNumber) *xpkt {
	q := s.slot(n)
	if q == nil {
		return nil
	}
	s.slots[int(uint32(n))&(s.win-1)] = nil
	s.npend--
	if s.firstOK && s.first == n {
		s.firstOK = false
	}
	s.x.unhold(q)
	if s.npend == 0 {
		s.x.putSlots(s.slots)
		s.slots = nil
	}
	return q
}

// firstPending returns the first packet waiting (npend > 0).
func (s *xstream) firstPending() *xpkt {
	if !s.firstOK {
		for n := s.next.Inc(); ; n = n.Inc() {
			if s.slot(n) != nil {
				s.first, s.firstOK = n, true
				break
			}
		}
	}
	return s.slot(s.first)
}

// after returns the first packet waiting after n, or nil.
func (s *xstream) after(n packet.SeqNumber) *xpkt {
	if s.npend == 0 {
		return nil
	}
	for m := n.Inc(); !s.hiSeen.Less(m); m = m.Inc() {
		if q := s.slot(m); q != nil {
			return q
		}
	}
	return nil
}

// arrive places a packet in sequence order.
func (s *xstream) arrive(q *xpkt) {
	x := s.x
	if !s.started {
		s.started = true
		s.next, s.hiSeen = q.seq, q.seq
		// The sender's first packet carries the ISN of its CONCLUSION:
		// packets before the first one captured were lost.
		if isn, ok := s.a.isn[s.isnIndex].Get(); ok {
			if d := isn.Distance(q.seq); d > 0 && int(d) < s.win {
				s.next = isn
			}
		}
	}
	if x.Receiver && s.tsbpd {
		s.expire()
	}
	d := s.next.Distance(q.seq)
	if d < 0 {
		s.behind(q)
		return
	}
	if int(d) >= s.win {
		// More than the window ahead: a discontinuity (the sender
		// restarted) when a second packet confirms it, else an outlier (a
		// corrupt or forged sequence number), which must not make the
		// stream give up its window. libsrt's receiver drops a packet
		// beyond its buffer (CUDT::processData in srtcore/core.cpp).
		c := s.jump
		if c == nil || !near(c.seq, q.seq, s.win) {
			if c != nil {
				s.r.Outliers++
				x.put(c)
			}
			s.jump = q
			return
		}
		s.jump = nil
		hi := q.seq
		if hi.Less(c.seq) {
			hi, c, q = c.seq, q, c
		}
		s.giveUpTo(hi.Add(int32(1 - s.win)))
		s.arrive(c)
		s.arrive(q)
		return
	}
	if d > 0 && s.slot(q.seq) != nil {
		s.r.Duplicates++
		x.put(q)
		return
	}
	if q.seq.Less(s.hiSeen) {
		s.r.Recovered++
		if s.tsbpd && !q.bad {
			// libsrt's receiver skipped the hole when the packet after it
			// fell due (CUDT::tsbpd): it drops this one as belated.
			if n := s.after(q.seq); n != nil && n.due != 0 && n.due < s.now {
				s.belated(q.seq)
			}
		}
	} else {
		s.hiSeen = q.seq
	}
	if d == 0 {
		s.deliver(q)
		s.next = s.next.Inc()
		s.drain()
	} else {
		s.store(q)
		if x.held > x.maxHeld() {
			s.giveUpTo(s.firstPending().seq)
		}
	}
}

// near reports whether a and b are less than win apart.
func near(a, b packet.SeqNumber, win int) bool {
	d := a.Distance(b)
	return d > -int32(win) && d < int32(win)
}

// behind handles a packet before next: a copy of one written, or one
// whose place was given up.
func (s *xstream) behind(q *xpkt) {
	defer s.x.put(q)
	for i := range min(s.nrecent, len(s.recent)) {
		r := &s.recent[i]
		if !q.seq.Less(r.lo) && !r.hi.Less(q.seq) {
			s.r.TooLate++
			r.g.Late++
			return
		}
	}
	s.r.Duplicates++
}

// belated records a packet written that libsrt's receiver dropped.
func (s *xstream) belated(n packet.SeqNumber) {
	s.r.Belated++
	rs := s.r.BelatedRanges
	if k := len(rs); k > 0 && rs[k-1].Last.Inc() == n {
		rs[k-1].Last = n
		return
	}
	if len(rs) < MaxGaps {
		s.r.BelatedRanges = append(rs, SeqRange{n, n})
	}
}

// expire gives up, as libsrt's live receiver does, every hole followed by
// a packet whose TSBPD time has come (CUDT::tsbpd → rcvDropTooLateUpTo in
// srtcore/core.cpp).
func (s *xstream) expire() {
	for s.npend > 0 {
		q := s.firstPending()
		if q.due == 0 || q.due > s.now {
			return
		}
		s.giveUpTo(q.seq)
	}
}

// giveUpTo writes or gives up everything before target, then what
// follows in order.
func (s *xstream) giveUpTo(target packet.SeqNumber) {
	for s.next.Less(target) {
		if q := s.take(s.next); q != nil {
			s.deliver(q)
			s.next = s.next.Inc()
			continue
		}
		n := s.next.Distance(target)
		if s.npend > 0 {
			for m := int32(1); m < n; m++ {
				if s.slot(s.next.Add(m)) != nil {
					n = m
					break
				}
			}
		}
		s.hole(s.next, int(n), false)
		s.next = s.next.Add(n)
	}
	s.drain()
}

// drain writes the packets waiting from next on.
func (s *xstream) drain() {
	for s.npend > 0 {
		q := s.take(s.next)
		if q == nil {
			return
		}
		s.deliver(q)
		s.next = s.next.Inc()
	}
}

// deliver hands the packet at next to the assembler.
func (s *xstream) deliver(q *xpkt) {
	if q.bad {
		s.hole(q.seq, 1, true)
		s.x.put(q)
		return
	}
	if !s.messageAPI() {
		s.lastPos = q.pos
		s.endGap(q)
		s.emit(q)
		return
	}
	if !s.apiSeen {
		// Without the handshake, message mode shows with the first
		// PB_LAST packet: the message it ends began in stream mode and
		// is being written as it comes.
		s.apiSeen = true
		if s.r.Packets > 0 && (s.lastPos == packet.PositionFirst || s.lastPos == packet.PositionMiddle) {
			s.msgOpen, s.streaming = true, true
		}
	}
	s.lastPos = q.pos
	switch q.pos {
	case packet.PositionSolo:
		if s.msgOpen {
			s.incomplete()
		}
		s.endGap(q)
		s.emit(q)
		s.r.Messages++
	case packet.PositionFirst:
		if s.msgOpen {
			s.incomplete()
		}
		s.endGap(q)
		s.msgOpen, s.streaming, s.msgFirst, s.msgNo = true, false, q.seq, q.msgno
		s.addPart(q)
	default:
		if !s.msgOpen {
			// The message started in a gap, or before the capture.
			g := s.openGap(q.seq)
			g.Last = q.seq
			s.dropped(g, q)
			s.x.put(q)
			return
		}
		last := q.pos == packet.PositionLast
		s.addPart(q) // q may be released
		if last {
			if !s.streaming {
				for _, p := range s.parts {
					s.emit(p)
				}
			}
			clear(s.parts)
			s.parts = s.parts[:0]
			s.msgOpen = false
			s.r.Messages++
		}
	}
}

// addPart adds a packet to the message being assembled.
func (s *xstream) addPart(q *xpkt) {
	if s.streaming {
		s.emit(q)
		return
	}
	s.x.hold(q)
	s.parts = append(s.parts, q)
	if len(s.parts) >= s.win {
		// Longer than libsrt's receiver could hold: written as it comes.
		s.streaming = true
		for _, p := range s.parts {
			s.emit(p)
		}
		clear(s.parts)
		s.parts = s.parts[:0]
	}
}

// dropped counts a packet left out with its broken message.
func (s *xstream) dropped(g *Gap, q *xpkt) {
	g.Dropped++
	g.DroppedBytes += int64(len(q.b))
	if q.msgno != 0 {
		if g.FirstMsg == 0 {
			g.FirstMsg = q.msgno
		}
		g.LastMsg = q.msgno
	}
	if g.Last.Less(q.seq) {
		g.Last = q.seq
	}
}

// breakMessage drops the message being assembled into the gap g.
func (s *xstream) breakMessage(g *Gap) {
	if s.streaming {
		s.r.PartialMessages++
	} else {
		if s.msgFirst.Less(g.First) {
			g.First = s.msgFirst
		}
		if s.msgNo != 0 {
			g.FirstMsg = s.msgNo
			g.LastMsg = s.msgNo
		}
		for _, p := range s.parts {
			s.dropped(g, p)
			s.x.put(p)
		}
	}
	clear(s.parts)
	s.parts = s.parts[:0]
	s.msgOpen, s.streaming = false, false
}

// incomplete drops a message whose PB_LAST never came although no
// sequence number is missing (a new message started).
func (s *xstream) incomplete() {
	g := s.openGap(s.msgFirst)
	s.breakMessage(g)
}

// openGap returns the gap being built, starting one at n.
func (s *xstream) openGap(n packet.SeqNumber) *Gap {
	if s.gap == nil {
		s.gap = &Gap{First: n, Last: n, Offset: s.r.Bytes, Time: time.UnixMicro(s.now)}
	}
	return s.gap
}

// hole gives up n sequence numbers from first on: missing from the
// capture, or (bad) undecryptable.
func (s *xstream) hole(first packet.SeqNumber, n int, bad bool) {
	g := s.openGap(first)
	if last := first.Add(int32(n - 1)); g.Last.Less(last) {
		g.Last = last
	}
	if bad {
		g.Undecryptable += n
	} else {
		g.Lost += n
		s.recent[s.nrecent%len(s.recent)] = recentGap{lo: first, hi: first.Add(int32(n - 1)), g: g}
		s.nrecent++
	}
	if s.msgOpen && s.messageAPI() {
		s.breakMessage(g)
	}
}

// endGap ends the gap being built, before next (nil at the end) is
// written: its fill is written and it is reported.
func (s *xstream) endGap(next *xpkt) {
	g := s.gap
	if g == nil {
		return
	}
	s.gap = nil
	if next != nil {
		s.open(next.b)
	}
	var fill int64
	if s.x.Gaps == GapFill && s.w != nil {
		est := s.lastLen
		if est == 0 && next != nil {
			est = len(next.b)
		}
		// At most the window's worth: a longer run is a discontinuity
		// (the sender restarted), which no player wants bridged.
		fill = g.DroppedBytes + int64(min(g.Lost+g.Undecryptable, s.win))*int64(est)
		if s.s.Format == FormatTS {
			k := (fill + TSPacketSize/2) / TSPacketSize
			if k == 0 && g.Packets() > 0 {
				k = 1
			}
			s.tsc.rep.NullFilled += k
			fill = k * TSPacketSize
		}
		g.Fill = fill
		s.r.Bytes += fill
		s.r.FillBytes += fill
	}
	if s.w != nil {
		s.output(outItem{fill: fill, gap: true})
	}
	s.r.GapCount++
	s.r.Lost += g.Lost
	s.r.Undecryptable += g.Undecryptable
	s.r.Dropped += g.Dropped
	if len(s.r.Gaps) < MaxGaps {
		s.r.Gaps = append(s.r.Gaps, g)
	} else {
		s.r.GapsMore = true
	}
	if s.x.OnGap != nil {
		s.x.OnGap(&s.s, g)
	}
}

// writeFill writes n bytes of null TS packets or zeros and returns how
// many it wrote.
func (s *xstream) writeFill(n int64) int64 {
	const chunk = 64 * TSPacketSize
	if s.fill == nil {
		if s.s.Format == FormatTS {
			s.fill = AppendNullTS(make([]byte, 0, chunk), 64)
		} else {
			s.fill = make([]byte, chunk)
		}
	}
	var done int64
	for done < n && s.w != nil {
		k := min(n-done, chunk)
		m, err := s.w.Write(s.fill[:k])
		done += int64(m)
		if err != nil {
			s.fail(err)
		}
	}
	return done
}

// open opens the stream's writer, the format told by first, the first
// bytes to be written.
func (s *xstream) open(first []byte) {
	if s.opened {
		return
	}
	s.opened = true
	s.s.Format = FormatBinary
	if !s.cipher {
		s.s.Format = DetectFormat(first)
	}
	if s.x.Open == nil {
		s.r.Refused = "no writer"
		return
	}
	w, err := s.x.Open(&s.s)
	switch {
	case err != nil:
		s.r.Err = err
		if s.x.err == nil {
			s.x.err = err
		}
	case w == nil:
		s.r.Refused = "left out"
	default:
		s.w, s.out, s.r.Opened = w, w, true
		if s.s.Format == FormatTS {
			s.tsc = newTSChecker()
		}
	}
}

// emit writes a payload, or queues it until it is due (see outItem).
// It takes q over.
func (s *xstream) emit(q *xpkt) {
	s.open(q.b)
	if s.w == nil {
		s.x.put(q)
		return
	}
	if s.r.Packets == 0 {
		s.r.FirstSeq = q.seq
	}
	s.r.Packets++
	s.r.LastSeq = q.seq
	s.lastLen = len(q.b)
	if s.shut && q.due > s.shutAt {
		// Written after the shutdown, from behind a hole: the receiver
		// never delivered it.
		s.r.Undelivered++
		s.r.UndeliveredBytes += int64(len(q.b))
		if !s.offSet {
			s.r.UndeliveredOffset, s.offSet = s.r.Bytes, true
		}
	}
	s.r.Bytes += int64(len(q.b))
	s.output(outItem{q: q, due: q.due})
}

// outItem is a piece of output: a payload, or the fill and the mark of a
// gap. A live stream (TSBPD) queues its output until it is due, as
// libsrt's receiver holds a packet until its TSBPD time (CUDT::tsbpd in
// srtcore/core.cpp): what is not due when the connection shuts down is
// what the receiving application never read (see
// ExtractReport.Undelivered). The queue holds at most the latency's worth
// of packets.
type outItem struct {
	q    *xpkt // the payload, or nil
	fill int64
	gap  bool
	due  int64
}

func (s *xstream) output(it outItem) {
	if !s.tsbpd {
		s.write(it)
		return
	}
	if it.q != nil {
		s.x.hold(it.q)
	}
	s.dq = append(s.dq, it)
	if s.x.held > s.x.maxHeld() {
		s.flush(1<<63 - 1)
	}
}

// flush writes the queued output due at now.
func (s *xstream) flush(now int64) {
	for s.dqHead < len(s.dq) {
		it := s.dq[s.dqHead]
		if it.q != nil && it.due > now {
			break
		}
		s.dq[s.dqHead] = outItem{}
		s.dqHead++
		s.write(it)
	}
	if s.dqHead == len(s.dq) {
		s.dq, s.dqHead = s.dq[:0], 0
	} else if s.dqHead > 1024 && s.dqHead > len(s.dq)/2 {
		n := copy(s.dq, s.dq[s.dqHead:])
		clear(s.dq[n:])
		s.dq, s.dqHead = s.dq[:n], 0
	}
}

// write writes a piece of output to the writer.
func (s *xstream) write(it outItem) {
	if it.gap && s.tsc != nil {
		s.tsc.gap()
	}
	if it.fill > 0 && s.w != nil {
		s.writeFill(it.fill)
	}
	if q := it.q; q != nil {
		if s.w != nil {
			n, err := s.w.Write(q.b)
			if s.tsc != nil {
				s.tsc.write(q.b[:n])
			}
			if err != nil {
				s.fail(err)
			}
		}
		s.x.put(q)
	}
}

// shutdown: the connection was shut down at now (a SHUTDOWN was seen).
// libsrt's receiver delivers no more: srt_recvmsg fails once the socket is
// broken, except for what is due already (CUDT::receiveMessage in
// srtcore/core.cpp). What is not due is undelivered: counted as it is
// written, or, with Receiver, not written, and the stream takes no more
// packets.
func (s *xstream) shutdown(now int64) {
	if !s.tsbpd || s.shut {
		return
	}
	s.shut, s.shutAt = true, now
	s.r.ShutdownSeen = true
	if s.x.Receiver {
		s.now = now
		s.expire()
	}
	s.flush(now)
	var bytes int64
	for _, it := range s.dq[s.dqHead:] {
		bytes += it.fill
		if it.q != nil {
			s.r.Undelivered++
			s.r.UndeliveredBytes += int64(len(it.q.b))
			bytes += int64(len(it.q.b))
		}
	}
	if s.dqHead < len(s.dq) {
		s.r.UndeliveredOffset, s.offSet = s.r.Bytes-bytes, true
	}
	if !s.x.Receiver {
		return
	}
	for i, it := range s.dq[s.dqHead:] {
		if q := it.q; q != nil {
			s.r.Packets--
			if s.messageAPI() && (q.pos == packet.PositionSolo || q.pos == packet.PositionLast) {
				s.r.Messages--
			}
			s.x.put(q)
		}
		s.r.FillBytes -= it.fill
		s.dq[s.dqHead+i] = outItem{}
	}
	s.r.Bytes -= bytes
	s.dq, s.dqHead = s.dq[:0], 0
	// What waits behind a hole is not due either (expire delivered the
	// rest).
	for s.npend > 0 {
		q := s.firstPending()
		s.take(q.seq)
		if !q.bad {
			s.r.Undelivered++
			s.r.UndeliveredBytes += int64(len(q.b))
		}
		s.x.put(q)
	}
	for _, p := range s.parts {
		s.x.put(p)
	}
	clear(s.parts)
	s.parts, s.msgOpen = s.parts[:0], false
	if !s.offSet {
		s.r.UndeliveredOffset, s.offSet = s.r.Bytes, true
	}
	s.stopped = true
}

func (s *xstream) fail(err error) {
	if s.r.Err == nil {
		s.r.Err = err
	}
	if s.x.err == nil {
		s.x.err = err
	}
	s.w = nil
}

// finish writes or gives up everything held, closes the writer and
// completes the report.
func (s *xstream) finish() {
	if s.jump != nil {
		s.r.Outliers++
		s.x.put(s.jump)
		s.jump = nil
	}
	if s.npend > 0 {
		s.giveUpTo(s.hiSeen.Inc())
	}
	if s.msgOpen {
		if s.streaming {
			s.r.PartialMessages++
			s.msgOpen = false
		} else {
			// The capture ends inside a message.
			s.incomplete()
		}
	}
	s.endGap(nil)
	s.flush(1<<63 - 1)
	if s.shut && !s.offSet {
		s.r.UndeliveredOffset = s.r.Bytes
	}
	s.r.MessageAPI = s.messageAPI()
	if s.tsc != nil {
		s.r.TS = s.tsc.report()
	}
	if !s.r.Opened && s.r.Refused == "" {
		s.r.Refused = s.refusal
	}
	if s.refusal != "" && s.r.Opened && s.r.Undecryptable == 0 {
		s.refusal = ""
	}
	// The writer is closed even after a write error.
	if c, ok := s.out.(io.Closer); ok {
		if err := c.Close(); err != nil {
			s.fail(err)
		}
	}
	s.w, s.out = nil, nil
}
