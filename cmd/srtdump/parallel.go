package main

import (
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
	out     held  // standard output: held in memory, up to holdMax
	errs    spill // standard error: small, never makes the job wait
	st      int
	printed int
	srt     int
	sids    []string
	done    chan struct{}
}

// parallel decodes files with at most cfg.jobs of them being decoded at
// once, and at most cfg.jobs + 1 in flight (being decoded, or decoded and
// waiting for the ones before it to be written: a FILE done before the
// one being written does not keep a core idle; more in flight only held
// more output, and -json -j 2 went from 1.40× to 1.51× -j 1 with one
// instead of two), and writes their outputs in the order of files,
// as the sequential loop does; it returns the exit status. d.mu is held,
// and released while waiting, so that a signal writes out the FILEs
// written so far.
func (d *dumper) parallel(files []string) int {
	jobs := make([]*job, len(files))
	for i := range jobs {
		jobs[i] = &job{done: make(chan struct{})}
	}
	slots := make(chan struct{}, d.cfg.jobs+1) // in flight
	running := make(chan struct{}, d.cfg.jobs)
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		for i, name := range files {
			select {
			case slots <- struct{}{}:
			case <-stop:
				return
			}
			select {
			case running <- struct{}{}:
			case <-stop:
				return
			}
			go func() {
				defer func() { <-running }()
				d.runJob(jobs[i], name)
			}()
		}
	}()
	status := 0
	for i, j := range jobs {
		d.name = files[i]
		// The first FILE not yet written: what it held goes out, and the
		// rest of its output goes straight through.
		err := j.out.pass(d.out, &d.mu)
		d.mu.Unlock()
		// The jobs after this one run meanwhile, each until it holds
		// holdMax of output.
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
	w := newHeldOutput(&j.out)
	defer w.release()
	sd := newDumper(d.cfg, w, &j.errs)
	sd.multi, sd.pqWorkers = true, d.pqWorkers
	sd.mu.Lock()
	j.st = sd.openFile(name)
	sd.mu.Unlock()
	w.Flush()
	j.printed, j.srt, j.sids = sd.printed, sd.srt, sd.sidsSeen
}

// holdMax is how much standard output a FILE decoded by -j holds in memory
// while the FILEs before it are written; a job that reaches it waits until
// its turn. Memory stays bounded (at most (jobs + 1) × holdMax, 48 MiB
// for -j 2) and nothing goes to disk: spilling the held output of large
// outputs (-json of big captures) to a temporary file and reading it back
// cost more than the second core gained.
const holdMax = 16 << 20

// Held output is kept in the pieces output fills (outSize each), reused
// through a free list, rather than in one buffer doubling as it grows
// (whose garbage made the GC run 30 times over 20 files). The pieces come
// from one region reserved for them (reserveChunks: on Linux, asking the
// kernel for huge pages), because first touching 4 KiB pages one at a
// time was most of what holding output cost: -json -j 2 over 20 FILEs
// took 7.7 K page faults and 448 ms of CPU time with heap pieces, 3.6 K
// and 386 ms with the region, as many as when nothing is held. Past the
// region, pieces come from the heap. Memory stays bounded by holdMax: the
// free list holds what was once in use.
//
// The first heapChunks pieces come from the heap all the same: a FILE's
// output of a few KiB touches a page or two of a heap piece, where a huge
// page of the region is cleared whole (2 MiB) at its first write. Over 20
// corpus captures (-j 2, text, 13 ms a run) clearing the region's pages
// was 11 % of the CPU time; a run that holds more than heapChunks pieces
// (512 KiB) goes on in the region.
var chunks struct {
	sync.Mutex
	free   [][]byte
	region []byte // what is left of the reserved region
	made   int    // pieces made
	once   sync.Once
}

// heapChunks is how many pieces come from the heap before the region.
const heapChunks = 8

// chunkRegion is the size of the region reserved for pieces: what -j 4
// can hold at once ((4+1) × holdMax), in virtual memory only until used.
const chunkRegion = 5 * holdMax

func getChunk() []byte {
	chunks.Lock()
	defer chunks.Unlock()
	if n := len(chunks.free); n > 0 {
		c := chunks.free[n-1]
		chunks.free = chunks.free[:n-1]
		return c[:0]
	}
	if chunks.made++; chunks.made > heapChunks {
		chunks.once.Do(func() { chunks.region = reserveChunks(chunkRegion) })
		if len(chunks.region) >= outSize {
			c := chunks.region[:0:outSize]
			chunks.region = chunks.region[outSize:]
			return c
		}
	}
	return make([]byte, 0, outSize)
}

func putChunk(c []byte) {
	chunks.Lock()
	chunks.free = append(chunks.free, c[:0])
	chunks.Unlock()
}

// held holds a FILE's standard output until pass, then writes through.
type held struct {
	mu     sync.Mutex
	turn   sync.Cond   // broadcast by pass
	to     io.Writer   // once set (by pass), where writes go
	toMu   sync.Locker // held while writing to to
	chunks [][]byte    // each from getChunk
	err    error
}

// take is how an output's buffer c reaches h. Before pass it is kept and
// a fresh piece returned for the next, unless it fits in the free end of
// the last piece kept: then it is copied there and c returned, so that the
// small flushes before each read of a pipe do not each cost a piece. After
// pass it is written (with toMu held: a signal may be flushing the same
// output) and c returned. A job that holds holdMax waits here for its turn.
func (h *held) take(c []byte) ([]byte, error) {
	h.mu.Lock()
	for h.to == nil && h.err == nil && len(h.chunks) > 0 && (len(h.chunks)+1)*outSize > holdMax {
		if h.turn.L == nil {
			h.turn.L = &h.mu
		}
		h.turn.Wait()
	}
	if h.err != nil || h.to != nil {
		to, mu, err := h.to, h.toMu, h.err
		h.mu.Unlock()
		if err != nil {
			return c, err
		}
		mu.Lock()
		_, err = to.Write(c)
		mu.Unlock()
		if err != nil {
			h.mu.Lock()
			h.err = err
			h.mu.Unlock()
		}
		return c, err
	}
	defer h.mu.Unlock()
	if n := len(h.chunks); n > 0 {
		if last := h.chunks[n-1]; len(c) <= cap(last)-len(last) {
			h.chunks[n-1] = append(last, c...)
			return c[:0], nil
		}
	}
	h.chunks = append(h.chunks, c)
	return getChunk(), nil
}

// pass writes what h holds to w and makes later writes go to w, each with
// mu locked (pass's own caller holds mu already).
func (h *held) pass(w io.Writer, mu sync.Locker) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	// With w's buffer empty, whole chunks (and the job's 64 KiB writes
	// after them) go to w's writer without a copy into w's buffer.
	f, _ := w.(interface{ Flush() error })
	var err error
	if f != nil {
		err = f.Flush()
	}
	for _, c := range h.chunks {
		if err == nil {
			_, err = w.Write(c)
		}
		putChunk(c)
	}
	h.chunks = nil
	if f != nil && err == nil {
		err = f.Flush()
	}
	if err != nil {
		h.err = err
	}
	h.to, h.toMu = w, mu
	if h.turn.L != nil {
		h.turn.Broadcast()
	}
	return err
}

// spillAt is how much of a FILE's standard error -j holds in memory; past
// it the messages go to a temporary file (already removed from its
// directory). Standard error is not held like standard output: the job
// must never wait on it, as its messages are written once it is done.
const spillAt = 4 << 20

// spill holds a FILE's standard error: in memory, then in a temporary file.
type spill struct {
	mu  sync.Mutex
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
