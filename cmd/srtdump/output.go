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

// Write appends p to the buffer, sending the buffer on as it fills.
func (o *output) Write(p []byte) (int, error) {
	if len(o.buf) == 0 && len(p) >= cap(o.buf) && o.hold == nil && o.err == nil {
		// As bufio: a large write with nothing buffered goes straight
		// through.
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
