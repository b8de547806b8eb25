package session

import "github.com/srtwire/srtwire/packet"

// WindowSize is the number of sequence numbers whose state a direction
// keeps: the most recent 2^16, one byte each (64 KiB). libsrt's receiver
// buffer holds 8192 packets by default (SRTO_RCVBUF, srtcore/socketconfig.h),
// so a retransmission or a reordered packet that arrives more than 2^16
// sequence numbers behind the newest one is long past any use; it is
// counted (Data.TooOld) but changes no per-sequence figure.
const WindowSize = 1 << 16

const windowMask = WindowSize - 1

// startSlack is how far behind the first sequence number of a direction
// its window starts.
const startSlack = 1024

// Slot bits of a seqWindow.
const (
	slotOrig     = 1 << 0 // an original (R = 0) was seen
	slotNAK      = 1 << 1 // a NAK reported the number lost
	slotRexShift = 2      // bits 2-4: retransmissions seen, saturating at 7
	slotRexMask  = 7 << slotRexShift
	slotSeen     = slotOrig | slotRexMask // a data packet of the number was seen
)

// seqWindow is the per-sequence state of one direction: a ring of
// WindowSize slots, slot s&windowMask holding sequence number s for s in
// base..base+WindowSize-1. Windows are pooled by the Tracker (see
// Tracker.MaxWindows), so that their memory is bounded whatever the
// number of connections.
type seqWindow [WindowSize]uint8

// seqState is what a direction knows about its sequence numbers. The
// running counts (lost, recovered, retransmitted n times, NAKed) are kept
// up to date on every packet, so they are exact at any moment; the
// window only remembers which numbers were seen.
type seqState struct {
	w       *seqWindow
	started bool             // base is set
	lost    bool             // the window was taken away and never given back: figures unknown
	base    packet.SeqNumber // oldest number in the window
	hi      packet.SeqNumber // newest data number marked in the window (valid when started)

	seeded       bool // origLo and physHi come from the handshake's ISN, no data seen yet
	origStarted  bool
	origLo       packet.SeqNumber // first original seen
	origHi       packet.SeqNumber // newest original seen
	physHi       packet.SeqNumber // newest data number seen (libsrt's m_iRcvCurrPhySeqNo)
	physStarted  bool
	lostN        int // numbers in origLo..origHi without an original
	recoveredN   int // of those, numbers with a retransmission
	times        [5]int
	nakDistinct  int
	unrecovered  []packet.SeqNumber // numbers that left the window unrecovered (capped)
	unrecMore    bool               // more than MaxUnrecoveredSeqs
	reordered    int
	duplicates   int
	tooOld       int
	rexOutOfWind int
}

// MaxUnrecoveredSeqs caps the list of unrecovered sequence numbers a
// direction reports (Data.UnrecoveredSeqs); the count is exact beyond it.
const MaxUnrecoveredSeqs = 64

func (s *seqState) slot(n packet.SeqNumber) *uint8 { return &s.w[uint32(n)&windowMask] }

// inWindow reports the offset of n from base and whether it is inside the
// window.
func (s *seqState) offset(n packet.SeqNumber) int32 { return s.base.Distance(n) }

// advance makes room for n (offset d >= WindowSize from base): the numbers
// that leave the window are forgotten (their counts are already kept), and
// unrecovered ones are listed.
func (s *seqState) advance(n packet.SeqNumber, orig bool) {
	newBase := n.Add(-(WindowSize - 1))
	shift := s.base.Distance(newBase) // > 0
	// The numbers below an original that moves the window are in the
	// original range even before original() extends it.
	hi := s.origHi
	if orig && s.origStarted && hi.Distance(n) > 0 {
		hi = n.Dec()
	}
	if shift >= WindowSize {
		s.listUnrecovered(s.base, WindowSize, hi)
		clear(s.w[:])
		// Numbers between the old window's end and the new base were
		// never seen at all.
		if s.origStarted {
			skipped := int(shift) - WindowSize
			from := s.base.Add(WindowSize)
			for i := 0; i < skipped && len(s.unrecovered) < MaxUnrecoveredSeqs; i++ {
				s.unrecovered = append(s.unrecovered, from.Add(int32(i)))
			}
			if skipped > 0 && len(s.unrecovered) >= MaxUnrecoveredSeqs {
				s.unrecMore = true
			}
		}
	} else {
		s.listUnrecovered(s.base, int(shift), hi)
		lo := uint32(s.base) & windowMask
		hi := lo + uint32(shift)
		if hi <= WindowSize {
			clear(s.w[lo:hi])
		} else {
			clear(s.w[lo:])
			clear(s.w[:hi-WindowSize])
		}
	}
	s.base = newBase
}

// listUnrecovered appends the numbers among the n from `from` on that are in
// the original range (origLo..hi) and were never seen.
func (s *seqState) listUnrecovered(from packet.SeqNumber, n int, hi packet.SeqNumber) {
	if !s.origStarted {
		return
	}
	for i := 0; i < n; i++ {
		q := from.Add(int32(i))
		if s.origLo.Distance(q) < 0 || q.Distance(hi) < 0 {
			continue
		}
		if *s.slot(q)&slotSeen == 0 {
			if len(s.unrecovered) >= MaxUnrecoveredSeqs {
				s.unrecMore = true
				return
			}
			s.unrecovered = append(s.unrecovered, q)
		}
	}
}

// data records a data packet (not FEC) with sequence number n. It returns
// the libsrt-style loss detected by it: how far n jumps past the newest
// number seen, less one (srtcore/core.cpp, CUDT::processData, the
// "LOSS STATS" count that feeds pktRcvLoss).
func (s *seqState) data(n packet.SeqNumber, rexmit bool) (gap int) {
	if s.seeded {
		s.seeded = false
		if d := s.origLo.Distance(n); d < 0 || d >= WindowSize {
			// The data does not start near the handshake's ISN: start
			// from the first packet instead.
			s.origStarted, s.physStarted = false, false
		}
	}
	if !s.physStarted {
		s.physStarted, s.physHi = true, n
	} else if d := s.physHi.Distance(n); d > 0 {
		gap = int(d) - 1
		s.physHi = n
	}
	if s.w == nil {
		return gap
	}
	if !s.started {
		// A little room behind the first number, for packets reordered
		// at the start of the capture.
		s.started, s.base, s.hi = true, n.Add(-startSlack), n
	}
	d := s.offset(n)
	if d < 0 {
		s.tooOld++
		if rexmit {
			s.rexOutOfWind++
		}
		return gap
	}
	if d >= WindowSize {
		s.advance(n, !rexmit)
	}
	prevHi := s.hi
	if s.hi.Distance(n) > 0 {
		s.hi = n
	}
	p := s.slot(n)
	v := *p
	if !rexmit {
		s.original(n, p, v, prevHi)
		return gap
	}
	k := (v & slotRexMask) >> slotRexShift
	if k < 7 {
		if k >= 1 {
			s.times[min(k, 5)-1]--
		}
		s.times[min(k+1, 5)-1]++
		*p = v&^slotRexMask | (k+1)<<slotRexShift
	}
	if k == 0 && v&slotOrig == 0 && s.inOrigRange(n) {
		s.recoveredN++
	}
	return gap
}

// seed starts the direction at isn, the initial sequence number its
// sender announced in the handshake: its first data packet carries isn,
// and libsrt's receiver counts the numbers before the first packet it gets
// as lost (srtcore/core.cpp: m_iRcvCurrPhySeqNo starts at ISN − 1). The
// original range then starts at isn, with no original seen yet.
func (s *seqState) seed(isn packet.SeqNumber) {
	s.seeded = true
	s.physStarted, s.physHi = true, isn.Dec()
	s.origStarted, s.origLo, s.origHi = true, isn, isn.Dec()
}

func (s *seqState) inOrigRange(n packet.SeqNumber) bool {
	return s.origStarted && s.origLo.Distance(n) >= 0 && n.Distance(s.origHi) >= 0
}

// original records an original packet n whose slot is p (value v);
// prevHi is the newest number marked before it.
func (s *seqState) original(n packet.SeqNumber, p *uint8, v uint8, prevHi packet.SeqNumber) {
	if v&slotOrig != 0 {
		s.duplicates++
		return
	}
	*p = v | slotOrig
	if !s.origStarted {
		s.origStarted, s.origLo, s.origHi = true, n, n
		return
	}
	d := s.origHi.Distance(n)
	if d <= 0 {
		// A reordered original fills a gap counted lost.
		s.reordered++
		if s.origLo.Distance(n) < 0 {
			// Before the first original: the range grows backwards by
			// the numbers in between, each lost unless seen.
			s.extendBack(n)
			return
		}
		s.lostN--
		if v&slotRexMask != 0 {
			s.recoveredN--
		}
		return
	}
	// The range grows from origHi to n: the numbers in between are lost
	// unless an original of them was seen (it cannot have been: they are
	// above origHi) - but a retransmission may have been.
	gap := int(d) - 1
	s.lostN += gap
	// Only numbers up to prevHi can carry a retransmission mark.
	if gap > 0 && s.origHi.Distance(prevHi) > 0 {
		end := prevHi
		if end.Distance(n) <= 0 {
			end = n.Dec()
		}
		for q := s.origHi.Inc(); q.Distance(end) >= 0; q = q.Inc() {
			if s.offset(q) >= 0 && *s.slot(q)&slotRexMask != 0 {
				s.recoveredN++
			}
		}
	}
	s.origHi = n
}

// extendBack lowers origLo to n, counting the numbers between n and the
// old origLo that have no original.
func (s *seqState) extendBack(n packet.SeqNumber) {
	for q := n.Inc(); q != s.origLo; q = q.Inc() {
		if s.offset(q) < 0 {
			s.lostN++
			continue
		}
		v := *s.slot(q)
		if v&slotOrig == 0 {
			s.lostN++
			if v&slotRexMask != 0 {
				s.recoveredN++
			}
		}
	}
	s.origLo = n
}

// nak marks lo..hi as reported lost and returns how many of them no
// earlier NAK had reported. At most budget numbers are looked up in the
// window; the rest count as new.
func (s *seqState) nak(lo, hi packet.SeqNumber, budget *int) int {
	n := lo.Len(hi)
	if s.w == nil || !s.started {
		return n
	}
	fresh := 0
	for i := 0; i < n; i++ {
		if *budget <= 0 {
			return fresh + n - i
		}
		*budget--
		q := lo.Add(int32(i))
		d := s.offset(q)
		if d < 0 || d >= WindowSize {
			fresh++
			continue
		}
		p := s.slot(q)
		if *p&slotNAK == 0 {
			*p |= slotNAK
			fresh++
		}
	}
	return fresh
}

// release gives the window back: every number up to hi is settled, and a
// later window starts after it.
func (s *seqState) release() *seqWindow {
	w := s.w
	if w == nil {
		return nil
	}
	if s.started {
		s.listUnrecovered(s.base, int(s.base.Distance(s.hi))+1, s.origHi)
		s.base = s.hi.Inc()
		s.hi = s.base.Dec()
	}
	clear(w[:])
	s.w = nil
	return w
}

// unrecoveredSeqs returns the unrecovered numbers: those listed when they
// left the window, then those still in it.
func (s *seqState) unrecoveredSeqs() (seqs []packet.SeqNumber, more bool) {
	seqs = append([]packet.SeqNumber(nil), s.unrecovered...)
	more = s.unrecMore
	if s.w == nil || !s.started || !s.origStarted {
		return seqs, more
	}
	for q := s.base; q.Distance(s.origHi) >= 0; q = q.Inc() {
		if s.origLo.Distance(q) < 0 {
			continue
		}
		if *s.slot(q)&slotSeen == 0 {
			if len(seqs) >= MaxUnrecoveredSeqs {
				return seqs, true
			}
			seqs = append(seqs, q)
		}
	}
	return seqs, more
}
