package main

import (
	"bufio"
	"math"
	"os"
	"strconv"
	"time"

	"github.com/srtwire/srtwire/session"
)

// seriesWriter writes -timeseries FILE: one row per second and direction
// of each attempt, as CSV or (with -json) JSON Lines, fed by the Tracker's
// OnBin. The columns are documented in docs/srtdump-json.md ("Time
// series").
//
// The Tracker makes no bin for a second in which a direction saw no
// packet; the writer fills such seconds between two bins of a direction
// with rows of zeros (up to maxFill of them per pause), so that a stall
// shows as zeros rather than as a line drawn over it.
type seriesWriter struct {
	f      *os.File
	out    *bufio.Writer
	json   bool
	headed bool
	multi  bool
	file   string
	b      []byte
	w      jw
	last   map[*session.Direction]int64 // the Unix second of each direction's last row
	err    error
}

// maxFill bounds the rows of zeros written for one pause of a direction.
const maxFill = 3600

// seriesColumns are the CSV columns, after "file" when several FILEs are
// read.
const seriesColumns = "time,from,to,packets,retransmitted,lost,fec,late,payload_mbps,rtt_us,naks,nak_seqs"

func newSeriesWriter(f *os.File, json bool) *seriesWriter {
	return &seriesWriter{f: f, out: bufio.NewWriterSize(f, 64<<10), json: json, last: make(map[*session.Direction]int64)}
}

// start begins a capture.
func (s *seriesWriter) start(file string, multi bool) {
	s.file, s.multi = file, multi
	clear(s.last)
	if !s.json && !s.headed {
		if multi {
			s.out.WriteString("file,")
		}
		s.out.WriteString(seriesColumns + "\n")
	}
	s.headed = true
}

// retire forgets the directions of an attempt the Tracker retired.
func (s *seriesWriter) retire(a *session.Attempt) {
	for _, d := range a.Directions() {
		delete(s.last, d)
	}
}

// bin writes a closed one-second bin of d, after the rows of zeros of the
// seconds since d's previous bin.
func (s *seriesWriter) bin(_ *session.Attempt, d *session.Direction, b *session.Bin) {
	sec := b.Start.Unix()
	if prev, ok := s.last[d]; ok && sec > prev+1 {
		var zero session.Bin
		for t := prev + 1; t < sec && t <= prev+maxFill; t++ {
			zero.Start = time.Unix(t, 0)
			s.row(d, &zero)
		}
	}
	s.last[d] = sec
	s.row(d, b)
}

// row writes one row.
func (s *seriesWriter) row(d *session.Direction, b *session.Bin) {
	mbps := 0.0
	if b.PayloadBytes > 0 {
		mbps = float64(b.PayloadBytes) * 8 / 1e6 / math.Max(b.Width.Seconds(), 1)
	}
	if s.json {
		w := &s.w
		w.reset(s.b)
		w.objStart()
		if s.multi {
			w.str("file", s.file)
		}
		w.key("time")
		w.b = append(w.b, '"')
		w.b = b.Start.UTC().AppendFormat(w.b, time.RFC3339)
		w.b = append(w.b, '"')
		w.addr("from", d.From)
		w.addr("to", d.To)
		w.int("packets", int64(b.Packets))
		w.int("retransmitted", int64(b.Retransmitted))
		w.int("lost", int64(b.Lost))
		w.int("fec", int64(b.FEC))
		w.int("late", int64(b.Late))
		w.float("payload_mbps", mbps, 3)
		if b.RTT.Known() {
			w.int("rtt_us", int64(math.Round(b.RTT.Mean())))
		}
		w.int("naks", int64(b.NAKs))
		w.int("nak_seqs", int64(b.NAKSeqs))
		w.objEnd()
		w.b = append(w.b, '\n')
		s.b = w.b
		s.write(w.b)
		return
	}
	r := s.b[:0]
	if s.multi {
		r = appendCSV(r, s.file)
		r = append(r, ',')
	}
	r = b.Start.UTC().AppendFormat(r, time.RFC3339)
	r = append(r, ',')
	r = d.From.AppendTo(r)
	r = append(r, ',')
	r = d.To.AppendTo(r)
	for _, v := range [...]int{b.Packets, b.Retransmitted, b.Lost, b.FEC, b.Late} {
		r = append(r, ',')
		r = strconv.AppendInt(r, int64(v), 10)
	}
	r = append(r, ',')
	r = strconv.AppendFloat(r, mbps, 'f', 3, 64)
	r = append(r, ',')
	if b.RTT.Known() {
		r = strconv.AppendInt(r, int64(math.Round(b.RTT.Mean())), 10)
	}
	r = append(r, ',')
	r = strconv.AppendInt(r, int64(b.NAKs), 10)
	r = append(r, ',')
	r = strconv.AppendInt(r, int64(b.NAKSeqs), 10)
	r = append(r, '\n')
	s.b = r
	s.write(r)
}

func (s *seriesWriter) write(b []byte) {
	if s.err == nil {
		_, s.err = s.out.Write(b)
	}
}

// close writes out what is buffered and closes the file.
func (s *seriesWriter) close() error {
	if err := s.out.Flush(); s.err == nil {
		s.err = err
	}
	if err := s.f.Close(); s.err == nil {
		s.err = err
	}
	return s.err
}

// appendCSV appends s as a CSV field, quoted when it holds a comma, a
// quote or a line end (RFC 4180).
func appendCSV(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c == ',' || c == '"' || c == '\n' || c == '\r' {
			b = append(b, '"')
			for j := 0; j < len(s); j++ {
				if s[j] == '"' {
					b = append(b, '"')
				}
				b = append(b, s[j])
			}
			return append(b, '"')
		}
	}
	return append(b, s...)
}
