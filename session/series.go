package session

import "time"

// Bin is one second (or, in a merged Direction.Series, a few seconds) of
// a direction: the data packets From sent and the feedback To sent about
// them, by capture time. Rates follow from PayloadBytes and Width.
type Bin struct {
	// Start is the start of the bin (a whole second of capture time for a
	// 1-second bin), Width its length.
	Start time.Time
	Width time.Duration
	// Packets counts data packets (FEC not included), Retransmitted those
	// with R = 1, FEC the FEC packets, Late those past their TSBPD time
	// (see DataStats.Late).
	Packets, Retransmitted, FEC, Late int
	// Lost is the loss libsrt's receiver would count in the bin
	// (DataStats.GapLoss): the sequence numbers jumped over by the data
	// packets of the bin.
	Lost int
	// PayloadBytes sums the payloads of the bin's data packets.
	PayloadBytes int64
	// NAKs counts To's loss reports, NAKSeqs the sequence numbers they
	// carry.
	NAKs, NAKSeqs int
	// RTT summarises the RTT field of To's ACKs in the bin (µs).
	RTT Summary
}

// PayloadMbps returns the payload rate of the bin in Mbit/s.
func (b *Bin) PayloadMbps() float64 {
	if b.Width <= 0 {
		return 0
	}
	return float64(b.PayloadBytes) * 8 / b.Width.Seconds() / 1e6
}

func (b *Bin) merge(o *Bin) {
	b.Packets += o.Packets
	b.Retransmitted += o.Retransmitted
	b.FEC += o.FEC
	b.Late += o.Late
	b.Lost += o.Lost
	b.PayloadBytes += o.PayloadBytes
	b.NAKs += o.NAKs
	b.NAKSeqs += o.NAKSeqs
	if o.RTT.N > 0 {
		if b.RTT.N == 0 || o.RTT.Min < b.RTT.Min {
			b.RTT.Min = o.RTT.Min
		}
		if b.RTT.N == 0 || o.RTT.Max > b.RTT.Max {
			b.RTT.Max = o.RTT.Max
		}
		b.RTT.N += o.RTT.N
		b.RTT.Sum += o.RTT.Sum
		b.RTT.Last = o.RTT.Last
	}
}

const usPerSec = 1_000_000

// tick moves the direction's open bin to the second of now (µs), closing
// the open one if it is of an earlier second. Seconds in which the
// direction saw no packet get no bin.
func (t *Tracker) tick(a *Attempt, d *Direction, now int64) {
	sec := now - now%usPerSec
	if now < 0 && now%usPerSec != 0 {
		sec -= usPerSec
	}
	if d.binOpen {
		if d.bin.Start.UnixMicro() == sec {
			return
		}
		t.closeBin(a, d)
	}
	d.bin = Bin{Start: time.UnixMicro(sec), Width: time.Second}
	d.binOpen = true
}

// closeBin hands the open bin to OnBin and to the series kept in memory.
func (t *Tracker) closeBin(a *Attempt, d *Direction) {
	if !d.binOpen {
		return
	}
	d.binOpen = false
	b := d.bin
	if t.OnBin != nil {
		t.OnBin(a, d, &b)
	}
	if t.SeriesBins <= 0 {
		return
	}
	if d.SeriesWidth == 0 {
		d.SeriesWidth = time.Second
	}
	if n := len(d.Series); n > 0 {
		last := &d.Series[n-1]
		if b.Start.Before(last.Start.Add(last.Width)) {
			last.merge(&b)
			return
		}
	}
	b.Width = d.SeriesWidth
	d.Series = append(d.Series, b)
	if len(d.Series) > t.SeriesBins {
		// Merge pairs: the series keeps its span with half the bins.
		m := 0
		for i := 0; i < len(d.Series); i += 2 {
			x := d.Series[i]
			x.Width = 2 * d.SeriesWidth
			if i+1 < len(d.Series) {
				x.merge(&d.Series[i+1])
			}
			d.Series[m] = x
			m++
		}
		clear(d.Series[m:])
		d.Series = d.Series[:m]
		d.SeriesWidth *= 2
	}
}

// Flush closes the open one-second bin of every direction kept, handing
// it to OnBin (and to Direction.Series). Call it when the input ends, before
// the last Attempts; a later frame of the same second opens a new bin.
func (t *Tracker) Flush() {
	for _, a := range t.attempts {
		for _, d := range a.dirs {
			if d != nil {
				t.closeBin(a, d)
			}
		}
	}
}
