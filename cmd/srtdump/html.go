package main

import (
	"bufio"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/srtwire/srtwire/capture"
	"github.com/srtwire/srtwire/internal/report"
	"github.com/srtwire/srtwire/session"
)

// htmlOut is the -html report: one page for all FILEs, a section each,
// written to a temporary file and renamed when complete.
type htmlOut struct {
	f    *os.File
	w    *bufio.Writer
	name string
	r    *report.Report
	c    *report.Capture
}

// openHTML starts the report named name over the inputs files.
func (d *dumper) openHTML(name string, files []string) error {
	f, err := os.Create(name + ".tmp")
	if err != nil {
		return err
	}
	h := &htmlOut{f: f, w: bufio.NewWriterSize(f, 64<<10), name: name}
	title := "SRT report"
	if len(files) > 0 {
		s := files
		if len(s) > 3 {
			s = s[:3]
		}
		title += ": " + strings.Join(s, ", ")
		if len(files) > 3 {
			title += fmt.Sprintf(" and %d more", len(files)-3)
		}
	}
	loc := time.Local
	if d.cfg.timeFmt == "utc" {
		loc = time.UTC
	}
	h.r = report.New(h.w, &report.Options{Title: title, Generator: "srtdump " + buildVersion(), Location: loc})
	d.html = h
	return nil
}

// begin starts the section of one capture; tr's hooks are chained.
func (h *htmlOut) begin(name string, tr *session.Tracker, d *dumper) {
	if d.crypt != nil && tr.Passphrases == nil {
		tr.Passphrases, tr.KEKs = d.cfg.passphrases, d.crypt.cache
	}
	h.c = h.r.Begin(name)
	h.c.Track(tr)
}

// end writes the section of the capture begun last.
func (h *htmlOut) end(st capture.Stats, err error) {
	if h.c == nil {
		return
	}
	h.c.End(report.CaptureMeta{Frames: st.Frames, SRT: st.SRT, Errors: st.Errors, Bytes: st.Bytes, Err: err})
	h.c = nil
}

// closeHTML finishes the page and says where it is.
func (d *dumper) closeHTML() error {
	h := d.html
	if h == nil {
		return nil
	}
	d.html = nil
	err := h.r.Close()
	if e := h.w.Flush(); err == nil {
		err = e
	}
	if e := h.f.Close(); err == nil {
		err = e
	}
	if err == nil {
		err = os.Rename(h.name+".tmp", h.name)
	}
	if err != nil {
		os.Remove(h.name + ".tmp")
		return err
	}
	if fi, _ := os.Stat(h.name); fi != nil {
		fmt.Fprintf(d.errw, "srtdump: wrote %s: %d KB\n", h.name, (fi.Size()+1023)/1024)
	}
	return nil
}
