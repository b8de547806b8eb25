package main

import "io"

// output is srtdump's buffered standard output: what bufio.Writer does,
// and one thing it cannot. A FILE decoded by -j (see held) hands each
// full buffer over to be held, and takes a fresh one, instead of copying
// it: copying the output of every FILE but the one being written into
// held memory was a quarter of the CPU time of -json -j 2 (memmove went
// from 10 % to 17 % of the profile).
type output struct {
	buf  []byte
	w    io.Writer // where a full buffer is written, when hold is nil
	hold *held     // where a full buffer is handed over
	line *byte     // where the line startLine began lies in buf, if it does
	err  error
}

// outSize is the size of output's buffer; held's pieces are this size too.
const outSize = 64 << 10

// newOutput returns an output that writes to w in pieces of outSize.
func newOutput(w io.Writer) *output {
	return &output{buf: make([]byte, 0, outSize), w: w}
}

// newHeldOutput returns an output whose pieces are handed to h.
func newHeldOutput(h *held) *output {
	return &output{buf: getChunk(), hold: h}
}

// lineRoom is how much of the buffer's free end a line may be built in.
const lineRoom = 8 << 10

// startLine returns an empty slice to build the next line in: the free end
// of o's buffer (flushed first when less than lineRoom is free), so that
// endLine need not copy the line (the copy was 2.6 % of -json); or own,
// emptied, once own has grown past lineRoom (a longer line went there
// before; it is kept for the long lines). Nothing else may be written to
// o until endLine.
func (o *output) startLine(own []byte) []byte {
	o.line = nil
	if cap(own) > lineRoom {
		return own[:0]
	}
	if cap(o.buf)-len(o.buf) < lineRoom {
		o.Flush()
	}
	if o.err != nil || cap(o.buf)-len(o.buf) < lineRoom {
		return own[:0]
	}
	n := len(o.buf)
	o.line = &o.buf[:n+1][n]
	return o.buf[n:n]
}

// endLine writes the line b that startLine began, and returns the buffer
// to pass to the next startLine: own, or b when b is the writer's own
// memory (own, or a new array that appending b past its room allocated).
func (o *output) endLine(b, own []byte) []byte {
	start := o.line
	o.line = nil
	n := len(o.buf)
	if start != nil && len(b) > 0 && len(b) <= cap(o.buf)-n && &o.buf[:n+1][n] == &b[:1][0] {
		o.buf = o.buf[:n+len(b)] // built in place
		return own
	}
	o.Write(b)
	if start != nil && (len(b) == 0 || &b[:1][0] == start) {
		return own // o's memory, left behind by a Flush
	}
	return b
}

// Write appends p to the buffer, sending the buffer on as it fills.
func (o *output) Write(p []byte) (int, error) {
	if len(o.buf) == 0 && len(p) >= cap(o.buf)/2 && o.hold == nil && o.err == nil {
		// A large write with nothing buffered goes straight through: as
		// bufio does for one of the buffer's size, and here from half
		// of it, because held pieces (see held.pass) are handed over a
		// line short of full and copying each into the buffer was 1.3 %
		// of text -j 2.
		n, err := o.w.Write(p)
		if err != nil {
			o.err = err
		}
		return n, err
	}
	return bufferAll(o, p)
}

// WriteString is Write for a string.
func (o *output) WriteString(s string) (int, error) { return bufferAll(o, s) }

// bufferAll copies p into o's buffer, sending the buffer on as it fills.
func bufferAll[T string | []byte](o *output, p T) (int, error) {
	n := 0
	for len(p) > 0 {
		if o.err != nil {
			return n, o.err
		}
		c := copy(o.buf[len(o.buf):cap(o.buf)], p)
		o.buf = o.buf[:len(o.buf)+c]
		n += c
		p = p[c:]
		if len(p) > 0 {
			o.Flush()
		}
	}
	return n, o.err
}

// WriteByte appends c.
func (o *output) WriteByte(c byte) error {
	if len(o.buf) == cap(o.buf) {
		o.Flush()
	}
	if o.err != nil {
		return o.err
	}
	o.buf = append(o.buf, c)
	return nil
}

// Flush sends on what is buffered and returns the first error met.
func (o *output) Flush() error {
	if o.err != nil || len(o.buf) == 0 {
		return o.err
	}
	if o.hold != nil {
		if o.line != nil {
			// A line is being built in the buffer's free end: handing
			// the buffer over would hand the line with it, so a copy of
			// what is buffered goes instead (nothing flushes in the
			// middle of a line today; this keeps it right if something
			// does).
			c, err := o.hold.take(append(getChunk(), o.buf...))
			putChunk(c)
			o.buf, o.err = o.buf[:0], err
			return err
		}
		o.buf, o.err = o.hold.take(o.buf)
		o.buf = o.buf[:0]
		return o.err
	}
	n, err := o.w.Write(o.buf)
	if err == nil && n < len(o.buf) {
		err = io.ErrShortWrite
	}
	if err != nil {
		o.err = err
		return err
	}
	o.buf = o.buf[:0]
	return nil
}

// release gives a held output's buffer back once it is flushed.
func (o *output) release() {
	if o.hold != nil && o.buf != nil {
		putChunk(o.buf)
		o.buf = nil
	}
}
