package main

import (
	"bufio"
	"fmt"
	"io"
	"path"
	"time"

	"github.com/srtwire/srtwire/packet"
	"github.com/srtwire/srtwire/pcap"
	"github.com/srtwire/srtwire/session"
)

// dumper is the driver: it reads each capture, feeds the frames to a
// session.Tracker, filters them and hands the ones shown to the walker,
// which writes them through the text or the JSON writer.
type dumper struct {
	cfg     *config
	out     *bufio.Writer
	errw    io.Writer
	multi   bool
	printed int

	text *textWriter
	json *jsonWriter
	walk *walker // walks frames for text or json, chosen once

	sf session.Frame // the tracker's view of the current frame, reused

	// -summary: attempts the Tracker retired and that are yet to be
	// printed, the number of rows written for the current capture, and
	// whether its table heading was written.
	retired []*session.Attempt
	rows    int
	headed  bool
}

func newDumper(cfg *config, out *bufio.Writer, errw io.Writer) *dumper {
	d := &dumper{cfg: cfg, out: out, errw: errw, text: newTextWriter(out), json: newJSONWriter(out)}
	if cfg.json {
		d.walk = newWalker(d.json)
	} else {
		d.walk = newWalker(d.text)
	}
	return d
}

func (d *dumper) done() bool { return d.cfg.count > 0 && d.printed >= d.cfg.count }

// file decodes one capture and returns the exit status for it.
func (d *dumper) file(name string, in io.Reader, size int64, isFile bool) int {
	r, err := pcap.NewReader(in, &pcap.Options{Ports: d.cfg.ports})
	if err != nil {
		fmt.Fprintf(d.errw, "srtdump: %s: %v\n", name, err)
		return 1
	}
	defer r.Close()
	d.text.file, d.text.multi = name, d.multi
	d.json.file, d.json.multi = name, d.multi
	prog := progress{w: d.errw, start: time.Now(), size: size}
	switch d.cfg.progress {
	case "always":
		prog.on = true
	case "auto":
		prog.on = isTerminal(d.errw) && (size > 16<<20 || (size < 0 && !isFile))
	}
	// Packet mode tracks connections only for -stream-id: the Tracker's
	// memory is bounded, but it is not needed to print packets.
	var tr *session.Tracker
	if d.cfg.summary || d.cfg.streamID != "" {
		tr = session.NewTracker()
	}
	d.rows, d.headed = 0, false
	if d.cfg.summary {
		// The Tracker keeps at most MaxAttempts attempts; those it retires
		// are printed as they go, so memory stays bounded.
		tr.OnRetire = func(a *session.Attempt) { d.retired = append(d.retired, a) }
	}
	n := 0
	for r.Next() && !d.done() {
		f := r.Frame()
		var a *session.Attempt
		if tr != nil {
			d.sf = session.Frame{Number: f.Number, Time: f.Time, Src: f.Src, Dst: f.Dst, Packet: &f.Packet, Data: f.Data, Err: f.Err}
			a = tr.Add(&d.sf)
			if len(d.retired) > 0 {
				d.summary(name, d.retired)
				clear(d.retired)
				d.retired = d.retired[:0]
			}
		}
		if n++; n&1023 == 0 {
			prog.update(r.Stats())
		}
		if d.cfg.summary || !d.match(f, a) {
			continue
		}
		d.walk.frame(f)
		d.printed++
		if !isFile {
			d.out.Flush() // a live pipe: show each packet as it arrives
		}
	}
	prog.finish()
	if d.cfg.summary {
		d.summary(name, tr.Attempts())
	}
	st := r.Stats()
	if err := r.Err(); err != nil {
		d.out.Flush()
		fmt.Fprintf(d.errw, "srtdump: %s: %v\n", name, err)
		return 1
	}
	if st.SRT == 0 {
		d.out.Flush()
		hint := " (if SRT runs there, name its port with -port)"
		fmt.Fprintf(d.errw, "srtdump: %s: no SRT traffic found in %d frames%s\n", name, st.Frames, hint)
	}
	return 0
}

// match applies the -rejects, -type and -stream-id filters to a frame; a
// is the attempt the tracker put it in (nil for none).
func (d *dumper) match(f *pcap.Frame, a *session.Attempt) bool {
	p := &f.Packet
	if d.cfg.rejects && !(f.Err == nil && p.Kind() == packet.KindHandshake && p.Handshake.Type.IsRejection()) {
		return false
	}
	if d.cfg.types != 0 && (!hasHeader(f) || d.cfg.types&(1<<p.Kind()) == 0) {
		return false
	}
	if d.cfg.streamID != "" {
		if a == nil {
			return false
		}
		if ok, _ := path.Match(d.cfg.streamID, a.StreamID); !ok {
			return false
		}
	}
	return true
}
