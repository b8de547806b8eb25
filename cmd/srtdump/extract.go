package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/srtwire/srtwire/session"
)

// extractor is -extract DIR: each direction of each connection, in
// sequence order, decrypted with -passphrase, into a file of its own in
// DIR, named after who sent to whom (.ts for MPEG-TS, .bin otherwise),
// with a one-line report per file on stdout.
type extractor struct {
	dir    string
	gaps   session.GapMode
	cipher bool // -extract-ciphertext
	out    io.Writer
	x      *session.Extractor
	used   map[string]bool            // file names written in this run
	names  map[*session.Stream]string // the file of each open stream
	files  int
	failed bool
}

func newExtractor(dir string, gaps session.GapMode, cipher bool, out io.Writer) (*extractor, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	return &extractor{dir: dir, gaps: gaps, cipher: cipher, out: out, used: map[string]bool{}, names: map[*session.Stream]string{}}, nil
}

// start begins a capture: its frames go to tr and to a new Extractor,
// which takes tr's keys.
func (e *extractor) start(tr *session.Tracker) {
	e.x = session.NewExtractor(tr, e.open)
	e.x.Gaps = e.gaps
	e.x.AllowCiphertext = e.cipher
	e.x.OnDone = e.done
	prev := tr.OnRetire
	tr.OnRetire = func(a *session.Attempt) {
		e.x.Retire(a)
		if prev != nil {
			prev(a)
		}
	}
}

// add takes a frame after the Tracker did (a is what Tracker.Add returned).
func (e *extractor) add(a *session.Attempt, f *session.Frame) { e.x.Add(a, f) }

// finish ends the capture's streams.
func (e *extractor) finish() {
	if err := e.x.Close(); err != nil {
		e.failed = true
	}
	e.x = nil
}

// open creates a stream's file; a name already used in this run (the
// same endpoints in two attempts, or in two captures) gets _2, _3, ...
// before its extension.
func (e *extractor) open(s *session.Stream) (io.Writer, error) {
	name, ext := s.Name(), s.Format.Ext()
	file := name + ext
	for i := 2; e.used[file]; i++ {
		file = name + "_" + strconv.Itoa(i) + ext
	}
	f, err := os.Create(filepath.Join(e.dir, file))
	if err != nil {
		return nil, err // reported in the stream's line
	}
	e.used[file] = true
	e.names[s] = file
	e.files++
	return &extractFile{Writer: bufio.NewWriterSize(f, 256<<10), f: f}, nil
}

// done prints a stream's report line: "FILE: N bytes, ..." (see
// session.ExtractReport.String), with the file name actually used.
func (e *extractor) done(r *session.ExtractReport) {
	line := r.String()
	if file, ok := e.names[r.Stream]; ok {
		line = file + strings.TrimPrefix(line, r.Stream.FileName())
		delete(e.names, r.Stream)
	}
	if !r.Opened && r.Encrypted > 0 && r.Decrypted == 0 && r.Err == nil {
		line += " (-passphrase decrypts it; -extract-ciphertext writes it encrypted)"
	}
	fmt.Fprintln(e.out, line)
	if r.Err != nil {
		e.failed = true
	}
}

// extractFile is a buffered output file; Close flushes and closes it.
type extractFile struct {
	*bufio.Writer
	f *os.File
}

func (w *extractFile) Close() error {
	return errors.Join(w.Flush(), w.f.Close())
}
