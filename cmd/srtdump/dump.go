package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path"
	"sync"
	"syscall"
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

	// mu is held by the goroutine that decodes, except while it waits
	// for input (see input.Read): a signal handler that takes it knows
	// that no frame is half written. name and tr are the current capture
	// and its Tracker (nil when none).
	mu   sync.Mutex
	name string
	tr   *session.Tracker
	rd   *pcap.Reader // the current capture's reader, once it is open
	prog progress     // the current capture's progress line

	crypt *decryptor // -x -passphrase
}

// input is a capture being read. It releases the dumper's lock while it
// waits for the underlying reader, and, for a stream (a pipe, a terminal,
// a FIFO), first writes out what was decoded so far, so that srtdump can
// follow a live tcpdump without a write per packet.
type input struct {
	d      *dumper
	r      io.Reader
	stream bool
	n      int64 // bytes read so far
}

func (in *input) Read(p []byte) (int, error) {
	d := in.d
	if in.stream {
		d.out.Flush()
	}
	if d.rd != nil {
		d.prog.update(d.rd.Stats(), in.n)
	}
	d.mu.Unlock()
	n, err := in.r.Read(p)
	d.mu.Lock()
	in.n += int64(n)
	return n, err
}

// onSignal waits for SIGINT or SIGTERM; then it writes out every frame
// decoded so far (and, with -summary, the attempts so far) and exits with
// 128 + the signal number (130, 143). If the output is stuck (a full pipe
// nobody reads), it exits after two seconds without it. It returns when
// done is closed.
func (d *dumper) onSignal(sigs <-chan os.Signal, done <-chan struct{}, exit func(int)) {
	var sig os.Signal
	select {
	case sig = <-sigs:
	case <-done:
		return
	}
	code := 130
	if sig == syscall.SIGTERM {
		code = 143
	}
	locked := make(chan struct{})
	go func() {
		d.mu.Lock()
		close(locked)
	}()
	select {
	case <-locked:
		d.interrupted(sig)
	case <-time.After(2 * time.Second):
	}
	exit(code)
}

// interrupted finishes the output when srtdump is stopped by a signal. d.mu
// is held.
func (d *dumper) interrupted(sig os.Signal) {
	if d.tr != nil && d.cfg.summary {
		d.summary(d.name, d.tr.Attempts())
		d.tr = nil
	}
	if d.rd != nil {
		d.prog.finish(d.rd.Stats())
	}
	d.out.Flush()
	fmt.Fprintf(d.errw, "srtdump: %s: stopped by %v; everything decoded so far was written\n", d.name, sig)
}

func newDumper(cfg *config, out *bufio.Writer, errw io.Writer) *dumper {
	d := &dumper{cfg: cfg, out: out, errw: errw, text: newTextWriter(out), json: newJSONWriter(out)}
	if cfg.json {
		d.walk = newWalker(d.json)
	} else {
		d.walk = newWalker(d.text)
	}
	d.text.hexOn = cfg.hex
	if cfg.passphrase != "" {
		d.crypt = newDecryptor(cfg.passphrase)
	}
	return d
}

func (d *dumper) done() bool { return d.cfg.count > 0 && d.printed >= d.cfg.count }

// file decodes one capture and returns the exit status for it.
//
// stream says that src is not a regular file: what was decoded is written
// out before each read that may wait.
func (d *dumper) file(name string, src io.Reader, size int64, stream bool) int {
	d.name = name
	in := &input{d: d, r: src, stream: stream}
	r, err := pcap.NewReader(in, &pcap.Options{Ports: d.cfg.ports})
	if err != nil {
		fmt.Fprintf(d.errw, "srtdump: %s: %v\n", name, err)
		return 1
	}
	defer r.Close()
	d.text.file, d.text.multi = name, d.multi
	d.json.file, d.json.multi = name, d.multi
	now := time.Now()
	d.prog = progress{w: d.errw, name: name, start: now, last: now, size: size, line: d.prog.line}
	prog := &d.prog
	switch d.cfg.progress {
	case "always":
		prog.on = true
	case "auto":
		prog.on = isTerminal(d.errw) && (size > 16<<20 || (size < 0 && stream))
	}
	d.rd = r
	defer func() { d.rd = nil }()
	// Packet mode tracks connections only for -stream-id: the Tracker's
	// memory is bounded, but it is not needed to print packets.
	var tr *session.Tracker
	if d.cfg.summary || d.cfg.streamID != "" {
		tr = session.NewTracker()
	}
	d.tr, d.rows, d.headed = tr, 0, false
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
			prog.update(r.Stats(), in.n)
		}
		var plain []byte
		var note string
		if d.crypt != nil {
			plain, note = d.crypt.frame(f) // every frame: key material may be filtered out
		}
		if d.cfg.summary || !d.match(f, a) {
			continue
		}
		if d.cfg.hex {
			d.setHex(f, plain, note)
		}
		d.walk.frame(f)
		d.printed++
	}
	prog.finish(r.Stats())
	if d.cfg.summary {
		d.summary(name, tr.Attempts())
	}
	d.tr = nil
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

// setHex gives the text writer what -x dumps under f's line: the payload
// (plain, when it was decrypted) or the CIF, or all the bytes of a frame
// without an SRT header; note says whether the payload was decrypted.
func (d *dumper) setHex(f *pcap.Frame, plain []byte, note string) {
	t := d.text
	t.hex, t.hexOff, t.hexNote = f.Data, 0, note
	if hasHeader(f) {
		t.hex, t.hexOff = f.Data[packet.HeaderSize:], packet.HeaderSize
	}
	if plain != nil {
		t.hex = plain
	}
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
