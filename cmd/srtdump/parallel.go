package main

import (
	"bufio"
	"io"
	"os"
	"slices"
	"sync"
)

// parallelOK reports whether -j can decode files several at once: not
// when one FILE's output depends on those before it (-count counts over
// all FILEs; -timeseries and -extract write one output for all of them)
// or for standard input.
func (d *dumper) parallelOK(files []string) bool {
	return d.cfg.jobs > 1 && len(files) > 1 && d.cfg.count == 0 && d.series == nil && d.extract == nil && d.html == nil &&
		!slices.Contains(files, "-")
}

// job is one FILE decoded by -j: its standard output and error, held
// until the FILEs before it are written, and what the run sums over
// FILEs.
type job struct {
	out, errs spill
	st        int
	printed   int
	srt       int
	sids      []string
	done      chan struct{}
}

// parallel decodes files with at most cfg.jobs of them in flight (being
// decoded, or decoded and waiting for the ones before it to be written)
// and writes their outputs in the order of files, as the sequential loop
// does; it returns the exit status. d.mu is held, and released while
// waiting, so that a signal writes out the FILEs written so far.
func (d *dumper) parallel(files []string) int {
	jobs := make([]*job, len(files))
	for i := range jobs {
		jobs[i] = &job{done: make(chan struct{})}
	}
	slots := make(chan struct{}, d.cfg.jobs)
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		for i, name := range files {
			select {
			case slots <- struct{}{}:
			case <-stop:
				return
			}
			go d.runJob(jobs[i], name)
		}
	}()
	status := 0
	for i, j := range jobs {
		d.name = files[i]
		// The first FILE not yet written: what it held goes out, and the
		// rest of its output goes straight through.
		err := j.out.pass(d.out)
		d.mu.Unlock()
		<-j.done
		d.mu.Lock()
		if err == nil {
			err = j.out.err
		}
		if err != nil {
			j.errs.Write([]byte("srtdump: " + files[i] + ": -j: " + err.Error() + "\n"))
			j.st = max(j.st, 1)
		}
		if j.errs.len() > 0 {
			d.out.Flush()
			j.errs.writeTo(d.errw)
		}
		<-slots
		status = max(status, j.st)
		d.printed += j.printed
		d.srt += j.srt
		for _, s := range j.sids {
			if len(d.sidsSeen) < 5 && !slices.Contains(d.sidsSeen, s) {
				d.sidsSeen = append(d.sidsSeen, s)
			}
		}
	}
	return status
}

// runJob decodes one FILE with a dumper of its own writing into j.
func (d *dumper) runJob(j *job, name string) {
	defer close(j.done)
	w := bufio.NewWriterSize(&j.out, 64<<10)
	sd := newDumper(d.cfg, w, &j.errs)
	sd.multi, sd.pqWorkers = true, d.pqWorkers
	sd.mu.Lock()
	j.st = sd.openFile(name)
	sd.mu.Unlock()
	w.Flush()
	j.printed, j.srt, j.sids = sd.printed, sd.srt, sd.sidsSeen
}

// spillAt is how much of a FILE's output -j holds in memory; past it the
// output goes to a temporary file (already removed from its directory).
const spillAt = 4 << 20

// spill holds a FILE's output: in memory, then in a temporary file.
type spill struct {
	mu  sync.Mutex
	to  io.Writer // once set (by pass), where writes go
	mem []byte
	f   *os.File
	n   int64
	err error
}

func (s *spill) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return 0, s.err
	}
	s.n += int64(len(p))
	if s.to != nil {
		if _, err := s.to.Write(p); err != nil {
			s.err = err
			return 0, err
		}
		return len(p), nil
	}
	if s.f == nil && len(s.mem)+len(p) <= spillAt {
		s.mem = append(s.mem, p...)
		return len(p), nil
	}
	if s.f == nil {
		f, err := os.CreateTemp("", "srtdump-j-*")
		if err != nil {
			s.err = err
			return 0, err
		}
		os.Remove(f.Name())
		s.f = f
		if _, err := f.Write(s.mem); err != nil {
			s.err = err
			return 0, err
		}
		s.mem = nil
	}
	if _, err := s.f.Write(p); err != nil {
		s.err = err
		return 0, err
	}
	return len(p), nil
}

func (s *spill) len() int64 { return s.n }

// pass writes what s holds to w, and makes later writes go to w.
func (s *spill) pass(w io.Writer) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.writeTo(w); err != nil {
		s.err = err
		return err
	}
	s.to = w
	return nil
}

// writeTo writes what s holds to w, and releases it.
func (s *spill) writeTo(w io.Writer) error {
	if s.f == nil {
		_, err := w.Write(s.mem)
		s.mem = nil
		return err
	}
	defer func() { s.f.Close(); s.f = nil }()
	if s.err != nil {
		return s.err
	}
	if _, err := s.f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	_, err := io.Copy(w, s.f)
	return err
}
