package session

import (
	"math"
	"net/netip"
	"time"

	"github.com/srtwire/srtwire/crypt"
	"github.com/srtwire/srtwire/handshake"
	"github.com/srtwire/srtwire/packet"
)

// Opt is a value that may be unknown. Known is false when the capture does
// not tell (a connection whose handshake was not captured has no known
// latency; a direction the Tracker kept no sequence window for has no
// known loss figures). An unknown value is never reported as 0: writers
// omit it (JSON) or print "-" (text).
type Opt[T any] struct {
	Value T
	Known bool
}

// Get returns the value and whether it is known.
func (o Opt[T]) Get() (T, bool) { return o.Value, o.Known }

func known[T any](v T) Opt[T] { return Opt[T]{Value: v, Known: true} }

// Summary is the minimum, maximum and mean of a series of measurements
// (µs, packets/s or bytes/s, as its field says). N == 0 means there was
// none: the figures are unknown, not 0.
type Summary struct {
	N        int
	Min, Max int64
	Sum      int64
	Last     int64 // the newest measurement
}

// Add adds one measurement.
func (s *Summary) Add(v int64) {
	if s.N == 0 || v < s.Min {
		s.Min = v
	}
	if s.N == 0 || v > s.Max {
		s.Max = v
	}
	s.N++
	s.Sum += v
	s.Last = v
}

// Mean returns the mean, or 0 when N == 0.
func (s *Summary) Mean() float64 {
	if s.N == 0 {
		return 0
	}
	return float64(s.Sum) / float64(s.N)
}

// Known reports whether there was at least one measurement.
func (s *Summary) Known() bool { return s.N > 0 }

// Direction holds the statistics of one direction of an attempt: the data
// packets From sent to To, and the control packets about them.
//
// Which packets count where:
//   - data packets (Data) and ACKACK, DROPREQ are those From sent;
//   - ACK and NAK (Control, RTT, Bandwidth, ...) are those To sent about
//     this data: the feedback travels the other way;
//   - KEEPALIVE, SHUTDOWN, PEERERROR and in-band key material (UMSG_EXT),
//     which belong to no data direction, count in the direction of their
//     sender (From).
//
// The figures are those of the packets in the capture. A capture taken at
// the receiver's host sees what the receiver saw (the packets lost on the
// way are missing from it); one taken at the sender's host sees everything
// sent, including packets lost later. The definitions follow
// lib-tcpdump-processing's receiver report (scripts/get_traffic_stats.py)
// and libsrt's counters (docs/API/statistics.md, srtcore/core.cpp).
type Direction struct {
	From, To netip.AddrPort

	// FirstData and LastData are the capture times of the first and last
	// data packet (FEC packets not included); zero when there was none.
	FirstData, LastData time.Time
	// LatencyMS is the TSBPD latency negotiated for this direction: the
	// receiver's delay (HSRSP), in ms. Unknown without a handshake.
	LatencyMS Opt[int]

	Data    DataStats
	Control ControlStats
	Keys    KeyStats

	// RTT and RTTVar are the RTT and RTT variance fields of the ACKs To
	// sent (full and small ACKs carry them), in µs: the receiver's own
	// estimate (srtcore/core.cpp, CUDT::sendCtrlAck).
	RTT, RTTVar Summary
	// ACKACKRTT is the time, in µs, from an ACK that To sent to the ACKACK
	// From sent for it, as the capture saw the pair. Captured at the
	// receiver (the ACK's sender) it approaches the RTT libsrt measures the
	// same way (CUDT::processCtrlAckAck); captured at the sender it is only
	// the sender's turnaround time.
	ACKACKRTT Summary
	// Bandwidth is the estimated link capacity of full ACKs (packets/s),
	// RecvRatePkts and RecvRateBytes their receiving rates (packets/s and
	// bytes/s): the receiver's estimates (CUDT::sendCtrlAck).
	Bandwidth, RecvRatePkts, RecvRateBytes Summary
	// JitterUS is the RFC 3550 interarrival jitter (§6.4.1, A.8) of the
	// original data packets, in µs, with the SRT header timestamp as the
	// sending clock and the capture time as the arrival clock.
	// Retransmissions are left out: their timestamp is the original's.
	JitterUS Opt[float64]
	// LongestGap is the longest time between two consecutive data packets
	// of this direction, and GapStart when it began.
	LongestGap time.Duration
	GapStart   time.Time

	// Series holds the per-second bins kept in memory (see
	// Tracker.SeriesBins); nil unless the Tracker keeps them.
	Series []Bin
	// SeriesWidth is the width of each bin of Series: 1 s, doubled every
	// time the series reached its cap and pairs of bins were merged.
	SeriesWidth time.Duration

	seq   seqState
	noWin bool // the Tracker's windows were all in use when this direction needed one
	// lateness: TSBPD base and timestamp unwrapping
	tsStarted bool
	tsLast    uint32
	tsExt     int64 // unwrapped timestamp of tsLast, µs
	baseUS    int64 // arrival − timestamp of the first data packet, µs
	lateMaxUS int64 // largest arrival − (base + timestamp), µs
	lastData  int64 // capture time of the last data packet, µs since the epoch
	// jitter
	jitPrevArr, jitPrevTS int64
	jitStarted            bool
	jitter                float64
	lastKK                handshake.KeyFlags
	pendingACK            [16]pendingACK
	pendingN              int
	bin                   Bin
	binOpen               bool
	keys                  *crypt.KeyState
	lastTime              int64
	holderIndex           int // index in the Tracker's window holders, -1 if none
}

type pendingACK struct {
	no uint32
	at int64
}

// DataStats counts a direction's data packets. The per-sequence figures
// (Lost, Recovered, Unrecovered, RetransmittedTimes, Reordered,
// Duplicates, TooOld) come from a window of the WindowSize newest sequence
// numbers; they are unknown when the Tracker had no window to give this
// direction (see Tracker.MaxWindows).
type DataStats struct {
	// Packets counts data packets, FEC packets not included; Original
	// those with R = 0, Retransmitted those with R = 1. libsrt's receiver
	// counts them as pktRecv (which also counts FEC packets) and
	// pktRcvRetrans, its sender as pktSent (FEC included) and pktRetrans
	// (srtcore/core.cpp, CUDT::processData and CUDT::packData).
	Packets, Original, Retransmitted int
	// PayloadBytes and OriginalBytes sum the payloads of all data packets
	// and of the originals.
	PayloadBytes, OriginalBytes int64
	// RetransmittedTimes[i] counts the sequence numbers retransmitted i+1
	// times (the last entry: 5 or more), as lib-tcpdump-processing groups
	// them.
	RetransmittedTimes Opt[[5]int]
	// Lost counts the sequence numbers between the first and the newest
	// original that no original (R = 0) carried: lib-tcpdump-processing's
	// "original DATA packets lost" (gaps in the originals' sequence
	// numbers, duplicates removed; a reordered original that arrives late
	// fills its gap). Recovered counts those a retransmission carried,
	// Unrecovered those nothing carried, the packets the receiver never
	// got (Lost = Recovered + Unrecovered). Captured at the sender, Lost
	// counts what is missing from the capture.
	Lost, Recovered, Unrecovered Opt[int]
	// UnrecoveredSeqs lists the first MaxUnrecoveredSeqs unrecovered
	// sequence numbers; UnrecoveredMore is set when there were more.
	UnrecoveredSeqs []packet.SeqNumber
	UnrecoveredMore bool
	// GapLoss is libsrt's receiver loss count (pktRcvLoss): for every data
	// packet whose sequence number jumps past the newest seen, the numbers
	// jumped over (srtcore/core.cpp, CUDT::processData). Unlike Lost it is
	// counted when the gap is seen: a reordered packet that fills it later
	// is not taken back. It needs no window and is always known.
	GapLoss int
	// Reordered counts originals that arrived after a newer original;
	// Duplicates originals seen twice; TooOld data packets more than
	// WindowSize numbers behind the newest.
	Reordered, Duplicates, TooOld int
	// Late counts data packets that arrived later than TSBPD would have
	// delivered them: after the first data packet's arrival plus the
	// difference of their timestamps plus the negotiated latency. The
	// receiver's TSBPD would have dropped them (the TLPKTDROP of
	// srtcore/buffer_rcv.cpp). Known when the latency is known and not 0
	// (live mode). MaxLateUS is by how much the latest of them was late.
	Late      Opt[int]
	MaxLateUS int64
	// FEC counts the packets of the "fec" packet filter (packet.IsFEC),
	// FECBytes their payload bytes; they count in no other field.
	FEC      int
	FECBytes int64
	// Dropped counts the sequence numbers of the DROPREQs From sent: the
	// packets the sender gave up on (srtcore/core.cpp,
	// CUDT::processCtrlDropReq).
	Dropped int
	// Encrypted counts the data packets with KK ≠ 0.
	Encrypted int
	// Undecryptable counts the encrypted data packets that To could not
	// decrypt, as its key-material answer says: all of them after a KMRSP
	// with the state BADSECRET or NOSECRET (libsrt counts them as
	// pktRcvUndecrypt and drops them). Known when the key-material
	// exchange of this direction was seen.
	Undecryptable Opt[int]
	// Decrypted and DecryptFailed count the encrypted data packets srtwire
	// decrypted with one of Tracker.Passphrases, and those it could not
	// (no passphrase opened the key material, no key material was seen,
	// or AES-GCM authentication failed). Known when passphrases were given.
	Decrypted, DecryptFailed Opt[int]
}

// ControlStats counts the control packets of a direction (see Direction
// for which side sent which).
type ControlStats struct {
	// ACKFull, ACKSmall and ACKLight count To's ACKs by variant (full
	// includes the 24- and 32-byte forms).
	ACKFull, ACKSmall, ACKLight int
	// ACKACK counts From's ACKACKs.
	ACKACK int
	// NAK counts To's loss reports; NAKSeqs the sequence numbers they
	// carry, summed over the reports (a number reported twice counts
	// twice); NAKDistinct the distinct numbers reported (known with a
	// window; numbers outside it count as distinct).
	NAK, NAKSeqs int
	NAKDistinct  Opt[int]
	// DropReq counts From's DROPREQs.
	DropReq int
	// Keepalive, Shutdown, PeerError and Handshake count the packets of
	// those kinds From sent; KMReq and KMRsp its in-band key-material
	// messages (UMSG_EXT), CGWarning its congestion warnings, Other the
	// control packets of types libsrt does not define.
	Keepalive, Shutdown, PeerError, Handshake int
	KMReq, KMRsp, CGWarning, Other            int
}

// KeyStats counts a direction's key events.
type KeyStats struct {
	// Clear, Even and Odd count the data packets by their KK flags
	// (handshake.KeyNone, KeyEven, KeyOdd).
	Clear, Even, Odd int
	// Switches counts the changes of key in the originals (KK even → odd
	// or back): libsrt's sender switches after a key refresh
	// (haicrypt/hcrypt_ctx_tx.c, hcryptCtx_Tx_Switch).
	Switches int
	// Refreshes counts the in-band KMREQs From sent (a new key
	// announced), Answers the KMRSPs To sent back.
	Refreshes, Answers int
	// Refused counts in-band key material that srtwire's key state
	// refused (see crypt.KeyState.Refresh); it needs Tracker.Passphrases.
	Refused int
}

// Duration returns the time from the first to the last data packet.
func (d *Direction) Duration() time.Duration { return d.LastData.Sub(d.FirstData) }

// Rates are the bit rates of a direction in Mbit/s over its data duration
// (first to last data packet), as lib-tcpdump-processing reports them:
// payload only, payload + 16-byte SRT header, payload + SRT + 8-byte UDP
// header, and that plus the IP header (20 bytes for IPv4, 40 for IPv6);
// each for all data packets and for the originals only.
type Rates struct {
	Payload, PayloadSRT, PayloadSRTUDP, PayloadSRTUDPIP                 float64
	OrigPayload, OrigPayloadSRT, OrigPayloadSRTUDP, OrigPayloadSRTUDPIP float64
}

// Rates returns the direction's rates; ok is false when the data lasted no
// time (fewer than two data packets).
func (d *Direction) Rates() (r Rates, ok bool) {
	secs := d.Duration().Seconds()
	if secs <= 0 {
		return r, false
	}
	ip := 20
	if d.From.Addr().Is6() && !d.From.Addr().Is4In6() {
		ip = 40
	}
	mbps := func(payload int64, n int, hdr int) float64 {
		return float64(payload+int64(n)*int64(hdr)) * 8 / secs / 1e6
	}
	n, o := d.Data.Packets, d.Data.Original
	r = Rates{
		Payload: mbps(d.Data.PayloadBytes, n, 0), PayloadSRT: mbps(d.Data.PayloadBytes, n, 16),
		PayloadSRTUDP: mbps(d.Data.PayloadBytes, n, 24), PayloadSRTUDPIP: mbps(d.Data.PayloadBytes, n, 24+ip),
		OrigPayload: mbps(d.Data.OriginalBytes, o, 0), OrigPayloadSRT: mbps(d.Data.OriginalBytes, o, 16),
		OrigPayloadSRTUDP: mbps(d.Data.OriginalBytes, o, 24), OrigPayloadSRTUDPIP: mbps(d.Data.OriginalBytes, o, 24+ip),
	}
	return r, true
}

// OverheadPct returns the UDP and SRT headers of the original data packets
// as a percentage of their payload (lib-tcpdump-processing's "UDP+SRT
// headers over SRT payload (orig)"); unknown without original payload.
func (d *Direction) OverheadPct() Opt[float64] {
	if d.Data.OriginalBytes == 0 {
		return Opt[float64]{}
	}
	return known(float64(24*d.Data.Original) * 100 / float64(d.Data.OriginalBytes))
}

// RetransmittedPct returns retransmitted packets as a percentage of
// original ones; unknown without originals.
func (d *Direction) RetransmittedPct() Opt[float64] {
	if d.Data.Original == 0 {
		return Opt[float64]{}
	}
	return known(float64(d.Data.Retransmitted) * 100 / float64(d.Data.Original))
}

// LossPct returns Lost as a percentage of the originals sent (received
// plus lost), as lib-tcpdump-processing does; unknown when Lost is.
func (d *Direction) LossPct() Opt[float64] {
	lost, ok := d.Data.Lost.Get()
	if !ok || d.Data.Original+lost == 0 {
		return Opt[float64]{}
	}
	return known(float64(lost) * 100 / float64(d.Data.Original+lost))
}

// refresh copies the running per-sequence counts into Data and Control.
func (d *Direction) refresh() {
	s := &d.seq
	if d.noWin || s.lost || !s.started {
		if d.noWin || s.lost {
			d.Data.Lost, d.Data.Recovered, d.Data.Unrecovered = Opt[int]{}, Opt[int]{}, Opt[int]{}
			d.Data.RetransmittedTimes = Opt[[5]int]{}
			d.Control.NAKDistinct = Opt[int]{}
			return
		}
	}
	d.Data.Lost = known(s.lostN)
	d.Data.Recovered = known(s.recoveredN)
	d.Data.Unrecovered = known(s.lostN - s.recoveredN)
	d.Data.RetransmittedTimes = known(s.times)
	d.Data.Reordered, d.Data.Duplicates, d.Data.TooOld = s.reordered, s.duplicates, s.tooOld
	d.Control.NAKDistinct = known(s.nakDistinct)
	d.Data.UnrecoveredSeqs, d.Data.UnrecoveredMore = s.unrecoveredSeqs()
	if d.jitStarted && d.Data.Original > 1 {
		d.JitterUS = known(d.jitter)
	}
}

// timestamp unwraps a header timestamp (32-bit µs, wraps every ~71.6 min)
// against the previous one.
func (d *Direction) timestamp(ts uint32) int64 {
	if !d.tsStarted {
		d.tsStarted, d.tsLast, d.tsExt = true, ts, int64(ts)
		return d.tsExt
	}
	ext := d.tsExt + int64(int32(ts-d.tsLast))
	if ext > d.tsExt {
		d.tsLast, d.tsExt = ts, ext
	}
	return ext
}

// dataPacket records a data packet (not FEC) that arrived at now (µs).
func (d *Direction) dataPacket(p *packet.Packet, now int64, t time.Time) {
	n := len(p.Payload)
	d.Data.Packets++
	d.Data.PayloadBytes += int64(n)
	if d.FirstData.IsZero() {
		d.FirstData = t
	} else if gap := now - d.lastData; gap > d.LongestGap.Microseconds() {
		d.LongestGap = time.Duration(gap) * time.Microsecond
		d.GapStart = time.UnixMicro(d.lastData)
	}
	d.LastData, d.lastData = t, now
	if p.Retransmitted {
		d.Data.Retransmitted++
	} else {
		d.Data.Original++
		d.Data.OriginalBytes += int64(n)
	}
	switch p.Key {
	case handshake.KeyNone:
		d.Keys.Clear++
	case handshake.KeyEven:
		d.Keys.Even++
	case handshake.KeyOdd:
		d.Keys.Odd++
	}
	if p.Key != handshake.KeyNone {
		d.Data.Encrypted++
		if !p.Retransmitted {
			if d.lastKK != handshake.KeyNone && d.lastKK != p.Key {
				d.Keys.Switches++
			}
			d.lastKK = p.Key
		}
	}
	gap := d.seq.data(p.Seq, p.Retransmitted)
	d.Data.GapLoss += gap
	d.bin.Lost += gap

	ts := d.timestamp(p.Timestamp)
	if d.Data.Packets == 1 {
		d.baseUS = now - ts
	}
	if lat, ok := d.LatencyMS.Get(); ok && lat > 0 {
		if !d.Data.Late.Known {
			d.Data.Late = known(0)
		}
		if over := now - (d.baseUS + ts) - int64(lat)*1000; over > 0 {
			d.Data.Late.Value++
			d.Data.MaxLateUS = max(d.Data.MaxLateUS, over)
			d.bin.Late++
		}
	}
	if !p.Retransmitted {
		if d.jitStarted {
			// RFC 3550 A.8: J += (|D| - J) / 16.
			dd := float64((now - d.jitPrevArr) - (ts - d.jitPrevTS))
			d.jitter += (math.Abs(dd) - d.jitter) / 16
		}
		d.jitStarted, d.jitPrevArr, d.jitPrevTS = true, now, ts
	}
	d.bin.Packets++
	d.bin.PayloadBytes += int64(n)
	if p.Retransmitted {
		d.bin.Retransmitted++
	}
}

// ack records an ACK that To sent about this direction at now (µs).
func (d *Direction) ack(p *packet.Packet, now int64) {
	a := &p.ACK
	switch a.Variant {
	case packet.ACKLight:
		d.Control.ACKLight++
		return
	case packet.ACKSmall:
		d.Control.ACKSmall++
	default:
		d.Control.ACKFull++
		d.Bandwidth.Add(int64(a.Bandwidth))
		d.RecvRatePkts.Add(int64(a.PktRate))
		if a.Variant >= packet.ACKFull {
			d.RecvRateBytes.Add(int64(a.RecvRate))
		}
	}
	// Before its first measurement libsrt reports its initial estimate
	// (INITIAL_RTT 100 ms, INITIAL_RTTVAR 50 ms, srtcore/core.h), and its
	// own sender ignores such ACKs (CUDT::processCtrlAck): so do we.
	if a.RTT != initialRTT || a.RTTVar != initialRTTVar {
		d.RTT.Add(int64(a.RTT))
		d.RTTVar.Add(int64(a.RTTVar))
		d.bin.RTT.Add(int64(a.RTT))
	}
	if p.Info != 0 {
		d.pendingACK[d.pendingN%len(d.pendingACK)] = pendingACK{no: p.Info, at: now}
		d.pendingN++
	}
}

// ackack records an ACKACK From sent at now (µs), pairing it with the ACK
// of the same number.
func (d *Direction) ackack(p *packet.Packet, now int64) {
	d.Control.ACKACK++
	n := min(d.pendingN, len(d.pendingACK))
	for i := 1; i <= n; i++ {
		e := &d.pendingACK[(d.pendingN-i)%len(d.pendingACK)]
		if e.no == p.Info && e.at != 0 {
			d.ACKACKRTT.Add(now - e.at)
			e.at = 0
			return
		}
	}
}

// libsrt's initial RTT estimate, in µs (srtcore/core.h).
const (
	initialRTT    = 100_000
	initialRTTVar = initialRTT / 2
)

// nakBudget bounds the window lookups one NAK costs.
const nakBudget = WindowSize

// nak records a loss report To sent about this direction.
func (d *Direction) nak(p *packet.Packet) {
	d.Control.NAK++
	d.bin.NAKs++
	budget := nakBudget
	c := p.NAK.Losses()
	for c.Next() {
		lo, hi := c.Range()
		n := lo.Len(hi)
		d.Control.NAKSeqs += n
		d.bin.NAKSeqs += n
		d.seq.nakDistinct += d.seq.nak(lo, hi, &budget)
	}
}

// dropReq records a DROPREQ From sent.
func (d *Direction) dropReq(p *packet.Packet) {
	d.Control.DropReq++
	if p.DropReq.First.Distance(p.DropReq.Last) >= 0 {
		d.Data.Dropped += p.DropReq.First.Len(p.DropReq.Last)
	}
}
