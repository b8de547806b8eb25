package report

import (
	"math"
	"time"

	"github.com/srtwire/srtwire/session"
)

// series is the time series of one direction on a regular grid: slot i
// covers [t0 + i·width, t0 + (i+1)·width). The Tracker's one-second bins
// (session.Bin, from Tracker.OnBin) are added in time order; a second
// without a bin (the direction saw no packet) is a zero slot, as
// srtdump -timeseries writes a row of zeros for it. When a bin falls past
// maxBins slots, pairs of slots are merged and the width doubles, so a
// series never holds more than maxBins slots (and the page no more than
// maxBins points per line).
type series struct {
	t0    time.Time
	width time.Duration
	bins  []slotBin
	max   int
}

// slotBin is what one slot holds: the sums of the bins that fell in it.
type slotBin struct {
	packets, retx, lost, late, fec int
	naks, nakSeqs                  int
	payload                        int64
	rtt                            session.Summary // µs
}

func (s *slotBin) add(b *session.Bin) {
	s.packets += b.Packets
	s.retx += b.Retransmitted
	s.lost += b.Lost
	s.late += b.Late
	s.fec += b.FEC
	s.naks += b.NAKs
	s.nakSeqs += b.NAKSeqs
	s.payload += b.PayloadBytes
	s.mergeRTT(b.RTT)
}

func (s *slotBin) mergeRTT(o session.Summary) {
	if o.N == 0 {
		return
	}
	if s.rtt.N == 0 || o.Min < s.rtt.Min {
		s.rtt.Min = o.Min
	}
	if s.rtt.N == 0 || o.Max > s.rtt.Max {
		s.rtt.Max = o.Max
	}
	s.rtt.N += o.N
	s.rtt.Sum += o.Sum
	s.rtt.Last = o.Last
}

func (s *slotBin) merge(o *slotBin) {
	s.packets += o.packets
	s.retx += o.retx
	s.lost += o.lost
	s.late += o.late
	s.fec += o.fec
	s.naks += o.naks
	s.nakSeqs += o.nakSeqs
	s.payload += o.payload
	s.mergeRTT(o.rtt)
}

func newSeries(maxBins int) *series { return &series{max: max(maxBins, 2)} }

// add adds a bin of the Tracker (bins come in time order).
func (s *series) add(b *session.Bin) {
	w := b.Width
	if w <= 0 {
		w = time.Second
	}
	if s.bins == nil {
		s.t0, s.width = b.Start, w
	}
	if b.Start.Before(s.t0) {
		return // out of order: not from a Tracker
	}
	i := int(b.Start.Sub(s.t0) / s.width)
	for i >= s.max {
		s.halve()
		i = int(b.Start.Sub(s.t0) / s.width)
	}
	for len(s.bins) <= i {
		s.bins = append(s.bins, slotBin{})
	}
	s.bins[i].add(b)
}

// halve merges pairs of slots.
func (s *series) halve() {
	m := 0
	for i := 0; i < len(s.bins); i += 2 {
		x := s.bins[i]
		if i+1 < len(s.bins) {
			x.merge(&s.bins[i+1])
		}
		s.bins[m] = x
		m++
	}
	clear(s.bins[m:])
	s.bins = s.bins[:m]
	s.width *= 2
}

// values returns one value per slot.
func (s *series) values(f func(b *slotBin) float64) []float64 {
	out := make([]float64, len(s.bins))
	for i := range s.bins {
		out[i] = f(&s.bins[i])
	}
	return out
}

// rates returns the payload rate of each slot in Mbit/s: its payload over
// its width, as session.Bin.PayloadMbps and srtdump -timeseries compute
// it, except in the first and the last slot, which the data may fill in
// part: there over the time from first to last (the direction's first
// and last data packet) that the slot covers, plus gap (the mean time
// between two packets, so that a slot holding one packet near its edge
// does not make a spike). A short capture would otherwise show a stream
// ramping up and down that never did.
func (s *series) rates(first, last time.Time, gap time.Duration) []float64 {
	out := make([]float64, len(s.bins))
	for i := range s.bins {
		w := s.width
		if (i == 0 || i == len(s.bins)-1) && !first.IsZero() {
			start := s.t0.Add(time.Duration(i) * s.width)
			lo, hi := maxT(start, first), minT(start.Add(s.width), last)
			if cov := hi.Sub(lo) + gap; cov > 0 && cov < w {
				w = cov
			}
		}
		out[i] = float64(s.bins[i].payload) * 8 / w.Seconds() / 1e6
	}
	return out
}

func maxT(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func minT(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// rttMS returns a slot's mean RTT in ms, NaN without ACKs.
func rttMS(b *slotBin) float64 {
	if b.rtt.N == 0 {
		return math.NaN()
	}
	return b.rtt.Mean() / 1000
}
