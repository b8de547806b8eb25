package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/srtwire/srtwire/capture"
	"github.com/srtwire/srtwire/internal/parquetout"
	"github.com/srtwire/srtwire/packet"
	"github.com/srtwire/srtwire/session"
)

// dumper is the driver: it reads each capture, feeds the frames to a
// session.Tracker, filters them and hands the ones shown to the walker,
// which writes them through the text or the JSON writer.
type dumper struct {
	cfg     *config
	out     *output
	errw    io.Writer
	multi   bool
	printed int

	text *textWriter
	json *jsonWriter
	walk *walker // walks frames for text or json, chosen once

	// -summary and -stats: the Grouper that folds retries into one row,
	// the groups it closed that are yet to be printed, the number of rows
	// written for the current capture, and whether its table heading was
	// written. kms holds the passphrases' verdicts on the key material of
	// each attempt not yet printed.
	grouper *session.Grouper
	pending []*session.Group
	rows    int
	headed  bool
	kms     map[*session.Attempt]*kmSides

	series *seriesWriter // -timeseries
	html   *htmlOut      // -html

	// mu is held by the goroutine that decodes, except while it waits
	// for input (see input.Read): a signal handler that takes it knows
	// that no frame is half written. name and tr are the current capture
	// and its Tracker (nil when none).
	mu   sync.Mutex
	name string
	tr   *session.Tracker
	rd   *capture.Reader // the current capture's reader, once it is open
	prog progress        // the current capture's progress line

	crypt     *decryptor // -passphrase, -passphrase-file, SRT_PASSPHRASE
	extract   *extractor // -extract DIR
	pqWorkers int        // -parquet: PacketWriter.SetWorkers

	srt      int      // SRT frames found in all captures so far
	sidsSeen []string // a few Stream IDs that -stream-id did not match
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
	if d.tr != nil {
		d.endAttempts()
		d.tr = nil
	}
	if d.html != nil {
		if d.rd != nil {
			d.html.end(d.rd.Stats(), nil)
		}
		d.closeHTML()
	}
	if d.rd != nil {
		d.prog.finish(d.rd.Stats())
	}
	if d.series != nil {
		d.series.close()
	}
	d.out.Flush()
	fmt.Fprintf(d.errw, "srtdump: %s: stopped by %v; everything decoded so far was written\n", d.name, sig)
}

func newDumper(cfg *config, out *output, errw io.Writer) *dumper {
	d := &dumper{cfg: cfg, out: out, errw: errw, text: newTextWriter(out), json: newJSONWriter(out)}
	if cfg.json {
		d.walk = newWalker(d.json)
	} else {
		d.walk = newWalker(d.text)
	}
	d.text.hexOn = cfg.hex
	switch cfg.timeFmt {
	case "utc":
		d.text.loc = time.UTC
	case "rel":
		d.text.tfmt = timeRel
	case "delta":
		d.text.tfmt = timeDelta
	}
	if len(cfg.passphrases) > 0 {
		// Packet lines show decrypted payloads; the other modes leave
		// decryption to the Tracker and only need the verdicts (decrypting
		// here too would do every payload twice).
		d.crypt = newDecryptor(cfg.passphrases, cfg.printsPackets())
		d.walk.keys = d.crypt
		d.text.nPass = len(cfg.passphrases)
	}
	return d
}

func (d *dumper) done() bool { return d.cfg.count > 0 && d.printed >= d.cfg.count }

// attempts reports whether the output is per attempt (-summary, -stats)
// rather than per packet.
func (d *dumper) attempts() bool { return d.cfg.summary || d.cfg.stats }

// errEmptyStdin is what file returns for an empty standard input read
// because no FILE was given: srtdump then decodes its sample.
const errEmptyStdin = -1

// file decodes one capture and returns the exit status for it.
//
// stream says that src is not a regular file: what was decoded is written
// out before each read that may wait. implicit says that src is standard
// input read because no FILE was given; if it is empty, file says nothing
// and returns errEmptyStdin.
func (d *dumper) file(name string, src io.Reader, size int64, stream, implicit bool) int {
	d.name = name
	in := &input{d: d, r: src, stream: stream}
	r, err := capture.NewReader(in, &capture.Options{Ports: d.cfg.ports, PortsOnly: d.cfg.only})
	if err != nil {
		if implicit && errors.Is(err, capture.ErrEmpty) {
			return errEmptyStdin
		}
		fmt.Fprintf(d.errw, "srtdump: %s: %v\n", name, err)
		return 1
	}
	defer r.Close()
	d.text.file, d.text.multi = name, d.multi
	d.json.setFile(name, d.multi)
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
	// Packet mode tracks connections only for -stream-id and -timeseries:
	// the Tracker's memory is bounded, but it is not needed to print
	// packets.
	var tr *session.Tracker
	if d.attempts() || d.cfg.streamID != "" || d.series != nil || d.extract != nil || d.cfg.parquet != "" || d.html != nil {
		tr = session.NewTracker()
	}
	d.tr, d.rows, d.headed = tr, 0, false
	if d.extract != nil {
		// The Tracker recovers the keys; the Extractor takes them.
		tr.Passphrases = d.cfg.passphrases
		if d.crypt != nil {
			tr.KEKs = d.crypt.cache
		}
	}
	if d.attempts() {
		// The Tracker keeps at most MaxAttempts attempts; those it retires
		// go to the Grouper, whose closed groups are printed as they go,
		// so memory stays bounded.
		d.grouper = &session.Grouper{MaxGroups: maxOpenGroups, OnEvict: func(g *session.Group) { d.pending = append(d.pending, g) }}
		tr.OnRetire = d.addAttempt
		if d.crypt != nil {
			tr.Passphrases, tr.KEKs = d.cfg.passphrases, d.crypt.cache
			d.kms = make(map[*session.Attempt]*kmSides)
		}
	}
	if d.series != nil {
		d.series.start(name, d.multi)
		tr.OnBin = d.series.bin
		onRetire := tr.OnRetire
		tr.OnRetire = func(a *session.Attempt) {
			d.series.retire(a)
			if onRetire != nil {
				onRetire(a)
			}
		}
	}
	var pq *parquetout.Capture
	if d.cfg.parquet != "" {
		var err error
		if pq, err = parquetout.Create(d.cfg.parquet, parquetout.TableName(name), name); err != nil {
			fmt.Fprintf(d.errw, "srtdump: -parquet: %s: %v\n", name, err)
			return 1
		}
		pq.Packets.SetWorkers(d.pqWorkers)
		if d.crypt != nil {
			// As -stats: the figures of decrypted data.
			tr.Passphrases, tr.KEKs = d.cfg.passphrases, d.crypt.cache
		}
		onRetire := tr.OnRetire
		tr.OnRetire = func(a *session.Attempt) {
			pq.Attempts(a) // an error is kept, and returned by Close
			if onRetire != nil {
				onRetire(a)
			}
		}
	}
	if d.extract != nil {
		d.extract.start(tr) // last: it chains tr.OnRetire
	}
	if d.html != nil {
		d.html.begin(name, tr, d)
	}
	n := 0
	// One Frame for the Tracker, a local (Add keeps no pointer to it, so
	// it stays on the stack: a field of d cost a tenth of -stats in write
	// barriers) outside the loop (a literal in it was zeroed and built
	// anew for every frame, 7 % of -stats).
	var sf session.Frame
	for r.Next() && !d.done() {
		f := r.Frame()
		if n == 0 {
			// -t rel, delta; local and utc give the date on the first
			// line of each FILE, so that it reads alone (and -j decodes
			// FILEs independently).
			d.text.t0, d.text.lines, d.text.day = f.Time, 0, 0
		}
		var a *session.Attempt
		if tr != nil {
			sf.Number, sf.Time, sf.Src, sf.Dst = f.Number, f.Time, f.Src, f.Dst
			sf.Packet, sf.Data, sf.Err = &f.Packet, f.Data, f.Err
			a = tr.Add(&sf)
			if d.extract != nil {
				d.extract.add(a, &sf)
			}
			if d.html != nil {
				d.html.c.Frame(a, &sf)
			}
			if len(d.pending) > 0 {
				d.writeGroups(d.pending)
				clear(d.pending)
				d.pending = d.pending[:0]
			}
		}
		if n++; n&1023 == 0 {
			prog.update(r.Stats(), in.n)
		}
		if pq != nil {
			pq.Packet(f) // an error is kept, and returned by Close
			continue
		}
		var plain []byte
		if d.crypt != nil {
			// Every frame: key material may be filtered out.
			var v kmVerdict
			v, d.walk.dec, plain, d.walk.decNote = d.crypt.frame(f)
			if v.seen && a != nil && d.kms != nil {
				d.noteKM(a, v)
			}
		}
		if !d.cfg.printsPackets() || !d.match(f, a) {
			continue
		}
		if d.cfg.hex {
			d.setHex(f, plain)
		}
		d.walk.frame(f)
		d.printed++
	}
	prog.finish(r.Stats())
	if d.extract != nil {
		d.extract.finish()
	}
	if pq != nil {
		tr.Flush()
		pq.Attempts(tr.Attempts()...)
	}
	if tr != nil {
		d.endAttempts()
	}
	if d.html != nil {
		d.html.end(r.Stats(), r.Err())
	}
	d.tr = nil
	pqStatus := 0
	if pq != nil {
		// The tables of what was decoded, even of a damaged capture
		// (said below); nothing, and the previous files left as they
		// were, when they cannot be written.
		rows, conns := pq.Packets.Rows(), pq.Connections.Rows()
		if err := pq.Close(); err != nil {
			fmt.Fprintf(d.errw, "srtdump: -parquet: %s: %v\n", name, err)
			pqStatus = 1
		} else {
			t := parquetout.TableName(name) + ".parquet"
			fmt.Fprintf(d.errw, "srtdump: wrote %s: %d rows\n", filepath.Join(d.cfg.parquet, parquetout.PacketsDir, t), rows)
			fmt.Fprintf(d.errw, "srtdump: wrote %s: %d rows\n", filepath.Join(d.cfg.parquet, parquetout.ConnectionsDir, t), conns)
		}
	}
	st := r.Stats()
	d.srt += st.SRT
	if err := r.Err(); err != nil {
		d.out.Flush()
		var ce *capture.Error
		if errors.As(err, &ce) && errors.Is(err, io.ErrUnexpectedEOF) {
			// The file ends where the reading stopped.
			what := "capture"
			if ce.Compressed {
				what = "gzip'd capture"
			}
			if ce.Frame <= 1 {
				fmt.Fprintf(d.errw, "srtdump: %s: the %s is cut short at byte %d, inside its first frame\n", name, what, in.n)
			} else {
				fmt.Fprintf(d.errw, "srtdump: %s: the %s is cut short at byte %d, after frame %d (frame %d is incomplete)\n", name, what, in.n, ce.Frame-1, ce.Frame)
			}
		} else {
			fmt.Fprintf(d.errw, "srtdump: %s: %v\n", name, err)
		}
		return 1
	}
	if st.SRT == 0 {
		d.out.Flush()
		hint := " (if SRT runs there, name its port with -port)"
		fmt.Fprintf(d.errw, "srtdump: %s: no SRT traffic found in %d frames%s\n", name, st.Frames, hint)
	}
	return pqStatus
}

// setHex gives the text writer what -x dumps under f's line: the payload
// (plain, when it was decrypted) or the CIF, or all the bytes of a frame
// without an SRT header.
func (d *dumper) setHex(f *capture.Frame, plain []byte) {
	t := d.text
	t.hex, t.hexOff = f.Data, 0
	if hasHeader(f) {
		t.hex, t.hexOff = f.Data[packet.HeaderSize:], packet.HeaderSize
	}
	if plain != nil {
		t.hex = plain
	}
}

// match applies the -rejects, -type and -stream-id filters to a frame; a
// is the attempt the tracker put it in (nil for none).
func (d *dumper) match(f *capture.Frame, a *session.Attempt) bool {
	p := &f.Packet
	if d.cfg.rejects && !(f.Err == nil && p.Kind() == packet.KindHandshake && p.Handshake.Type.IsRejection()) {
		return false
	}
	if d.cfg.types != 0 && (!hasHeader(f) || d.cfg.types&(1<<p.Kind()) == 0) {
		return false
	}
	if d.cfg.streamID != "" && (a == nil || !d.sidMatch(a.StreamID)) {
		return false
	}
	return true
}

// sidMatch reports whether sid matches -stream-id, and remembers a few of
// the Stream IDs that did not, for filterReport.
func (d *dumper) sidMatch(sid string) bool {
	if globMatch(d.cfg.streamID, sid) {
		return true
	}
	if len(d.sidsSeen) < 5 && sid != "" && !slices.Contains(d.sidsSeen, sid) {
		d.sidsSeen = append(d.sidsSeen, sid)
	}
	return false
}

// filterReport says on stderr when the filters let nothing through
// although SRT was found, so that an empty output is not a puzzle.
func (d *dumper) filterReport() {
	if d.printed > 0 || d.srt == 0 {
		return
	}
	var fl []string
	if d.cfg.types != 0 {
		fl = append(fl, "-type")
	}
	if d.cfg.rejects {
		fl = append(fl, "-rejects")
	}
	if d.cfg.streamID != "" {
		fl = append(fl, "-stream-id "+strconv.Quote(d.cfg.streamID))
	}
	if len(fl) == 0 {
		return
	}
	what := "packet"
	if d.attempts() {
		what = "connection attempt"
	}
	d.out.Flush()
	fmt.Fprintf(d.errw, "srtdump: no %s matched %s", what, strings.Join(fl, ", "))
	if d.cfg.streamID != "" {
		if len(d.sidsSeen) == 0 {
			fmt.Fprint(d.errw, " (no Stream ID in the capture)")
		} else {
			q := make([]string, len(d.sidsSeen))
			for i, s := range d.sidsSeen {
				q[i] = strconv.Quote(s)
			}
			fmt.Fprintf(d.errw, " (Stream IDs seen: %s)", strings.Join(q, ", "))
		}
	}
	fmt.Fprintln(d.errw)
}

// printsPackets reports whether srtdump writes a line per packet: not with
// -summary, -stats, -extract or -parquet, nor with -html alone.
func (c *config) printsPackets() bool {
	return !c.summary && !c.stats && c.extract == "" && c.parquet == "" &&
		!(c.html != "" && !c.json && !c.hex && c.types == 0 && !c.rejects)
}
