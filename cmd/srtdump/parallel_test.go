package main

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestParallelSameOutput (issue 21): -j 2 over the whole corpus writes
// the same bytes as -j 1 (standard output, standard error, exit status)
// in every mode, and the same Parquet files.
func TestParallelSameOutput(t *testing.T) {
	files := corpusFiles(t)
	modes := [][]string{
		nil, {"-json"}, {"-x"}, {"-t", "utc"}, {"-summary"}, {"-summary", "-json"}, {"-stats"}, {"-stats", "-json"},
		{"-rejects", "-summary"}, {"-type", "nak"}, {"-stream-id", "nomatch"},
		{"-passphrase", "corpus-secret-16", "-x"}, {"-passphrase", "corpus-secret-16", "-stats", "-json"},
	}
	for _, m := range modes {
		st1, out1, err1 := runCmd(t, nil, append(append([]string{"-j", "1"}, m...), files...)...)
		st2, out2, err2 := runCmd(t, nil, append(append([]string{"-j", "2"}, m...), files...)...)
		assert.Equal(t, st1, st2, "%v", m)
		assert.True(t, out1 == out2, "%v: stdout differs", m)
		assert.Equal(t, err1, err2, "%v", m)
		assert.NotEmpty(t, out1+err1, "%v", m)
	}

	d1, d2 := t.TempDir(), t.TempDir()
	st1, _, err1 := runCmd(t, nil, append([]string{"-j", "1", "-parquet", d1}, files...)...)
	st2, _, err2 := runCmd(t, nil, append([]string{"-j", "2", "-parquet", d2}, files...)...)
	require.Equal(t, 0, st1, err1)
	require.Equal(t, 0, st2, err2)
	assert.Equal(t, strings.ReplaceAll(err1, d1, "DIR"), strings.ReplaceAll(err2, d2, "DIR"))
	got, err := filepath.Glob(filepath.Join(d1, "*", "*.parquet"))
	require.NoError(t, err)
	require.Len(t, got, 2*len(files))
	for _, p1 := range got {
		rel, _ := filepath.Rel(d1, p1)
		b1, err := os.ReadFile(p1)
		require.NoError(t, err)
		b2, err := os.ReadFile(filepath.Join(d2, rel))
		require.NoError(t, err)
		assert.True(t, string(b1) == string(b2), rel)
	}
}

// TestSpill: a FILE's output held by -j past spillAt goes to a temporary
// file and comes back whole.
func TestSpill(t *testing.T) {
	var s spill
	chunk := []byte(strings.Repeat("0123456789abcdef", 1<<12))
	var want []byte
	for len(want) <= 2*spillAt {
		_, err := s.Write(chunk)
		require.NoError(t, err)
		want = append(want, chunk...)
	}
	require.NotNil(t, s.f)
	var b strings.Builder
	require.NoError(t, s.writeTo(&b))
	assert.True(t, b.String() == string(want))
}

// TestHeld: a FILE's standard output held by -j comes out whole and in
// order when its turn comes, a job past holdMax waits for its turn instead
// of holding more, and writes after the turn go straight through.
func TestHeld(t *testing.T) {
	var h held
	o := newHeldOutput(&h)
	piece := []byte(strings.Repeat("0123456789abcdef", 1<<10)) // 16 KiB
	var want []byte
	for len(want)+len(piece) <= holdMax {
		n, err := o.Write(piece)
		require.NoError(t, err)
		require.Equal(t, len(piece), n)
		want = append(want, piece...)
	}
	require.Equal(t, holdMax-outSize, heldSize(&h), "the last piece is still the output's")
	wrote := make(chan struct{})
	go func() {
		o.Write([]byte("after the turn"))
		o.Flush()
		close(wrote)
	}()
	select {
	case <-wrote:
		t.Fatal("a write past holdMax did not wait")
	case <-time.After(50 * time.Millisecond):
	}
	var b bytes.Buffer
	require.NoError(t, h.pass(&b, new(sync.Mutex)))
	<-wrote
	want = append(want, "after the turn"...)
	assert.True(t, bytes.Equal(b.Bytes(), want), "held output differs")
	o.WriteByte('!')
	o.Flush()
	assert.Equal(t, byte('!'), b.Bytes()[b.Len()-1])
	o.release()
}

// heldSize returns how many bytes h holds.
func heldSize(h *held) int {
	n := 0
	for _, c := range h.chunks {
		n += len(c)
	}
	return n
}

// TestHeldSmallFlushes: the small flushes before each read of a pipe are
// packed into the pieces held, not a piece each.
func TestHeldSmallFlushes(t *testing.T) {
	var h held
	o := newHeldOutput(&h)
	var want []byte
	for i := range 200 { // fewer than the pieces holdMax allows: without packing, no wait either
		s := strings.Repeat(string(rune('a'+i%26)), 1+i%200)
		o.WriteString(s)
		require.NoError(t, o.Flush())
		want = append(want, s...)
	}
	assert.LessOrEqual(t, len(h.chunks), len(want)/outSize+2, "%d bytes held in %d pieces", len(want), len(h.chunks))
	var got bytes.Buffer
	require.NoError(t, h.pass(&got, new(sync.Mutex)))
	assert.True(t, bytes.Equal(got.Bytes(), want))
	o.release()
}

// TestHeldPassNoCopy: pass hands each held piece (a line short of full,
// as lines leave them) to the writer's writer as it is, one write a
// piece, not copied through the output's buffer.
func TestHeldPassNoCopy(t *testing.T) {
	var h held
	o := newHeldOutput(&h)
	var want []byte
	own := make([]byte, 0, 16)
	for i := 0; len(want) < 5*outSize; i++ {
		b := o.startLine(own)
		b = append(b, strings.Repeat(string(rune('a'+i%26)), 300)...)
		b = append(b, '\n')
		want = append(want, b...)
		own = o.endLine(b, own)
	}
	pieces := len(h.chunks)
	require.GreaterOrEqual(t, pieces, 4)
	rec := &recordWriter{}
	w := newOutput(rec)
	require.NoError(t, h.pass(w, new(sync.Mutex)))
	assert.Len(t, rec.sizes, pieces, "one write a held piece")
	for _, n := range rec.sizes {
		assert.Greater(t, n, outSize-lineRoom-1)
	}
	o.Flush()
	w.Flush()
	assert.True(t, bytes.Equal(rec.b.Bytes(), want))
	o.release()
}

// recordWriter keeps what is written and the size of each write.
type recordWriter struct {
	b     bytes.Buffer
	sizes []int
}

func (r *recordWriter) Write(p []byte) (int, error) {
	r.sizes = append(r.sizes, len(p))
	return r.b.Write(p)
}

// TestOutput: output writes what bufio.Writer would, for writes of every
// size around its buffer's, mixed with strings and bytes, and keeps the
// first error.
func TestOutput(t *testing.T) {
	var got, want bytes.Buffer
	o, w := newOutput(&got), bufio.NewWriterSize(&want, outSize)
	for _, n := range []int{0, 1, 7, outSize - 1, outSize, outSize + 1, 3 * outSize, 100, outSize - 100, 2 * outSize} {
		p := bytes.Repeat([]byte{byte('a' + n%26)}, n)
		o.Write(p)
		w.Write(p)
		o.WriteString("s" + string(p[:min(n, 3)]))
		w.WriteString("s" + string(p[:min(n, 3)]))
		o.WriteByte('\n')
		w.WriteByte('\n')
	}
	require.NoError(t, o.Flush())
	require.NoError(t, w.Flush())
	assert.True(t, bytes.Equal(got.Bytes(), want.Bytes()), "%d bytes, want %d", got.Len(), want.Len())

	bad := newOutput(failWriter{})
	_, err := bad.Write(make([]byte, 2*outSize))
	assert.ErrorIs(t, err, os.ErrClosed)
	assert.ErrorIs(t, bad.WriteByte('x'), os.ErrClosed)
	assert.ErrorIs(t, bad.Flush(), os.ErrClosed)
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, os.ErrClosed }

// TestOutputLines: a line built by startLine and endLine comes out as
// Write would put it, whether it was built in the buffer's free end, grew
// past it into memory of its own (kept for the next long line), or was
// left behind by a Flush in between; for a plain and a held output.
func TestOutputLines(t *testing.T) {
	for _, heldOut := range []bool{false, true} {
		var got bytes.Buffer
		var h held
		o := newOutput(&got)
		if heldOut {
			o = newHeldOutput(&h)
			require.NoError(t, h.pass(&got, new(sync.Mutex)))
		}
		var want []byte
		own := make([]byte, 0, 16)
		line := func(s string, flushMid bool) {
			b := o.startLine(own)
			b = append(b, s...)
			if flushMid {
				o.Flush()
			}
			want = append(want, s...)
			own = o.endLine(b, own)
		}
		for i := range 40 {
			line(strings.Repeat(string(rune('a'+i%26)), 1+i*97), false) // up to 3.8 KiB: in place
		}
		line("left behind by a flush\n", true)
		if heldOut {
			// Before the turn too: the flush waits, it does not hand the
			// line's piece over.
			var h2 held
			var got2 bytes.Buffer
			o2 := newHeldOutput(&h2)
			b := o2.startLine(nil)
			b = append(b, "a line"...)
			o2.Flush()
			require.Empty(t, h2.chunks, "the piece the line is in was handed over")
			o2.endLine(b, nil)
			o2.Flush()
			require.NoError(t, h2.pass(&got2, new(sync.Mutex)))
			assert.Equal(t, "a line", got2.String())

			// With bytes buffered before the line, a copy of them is
			// held and the line stays where it is built.
			var h3 held
			var got3 bytes.Buffer
			o3 := newHeldOutput(&h3)
			o3.WriteString("before, ")
			b = o3.startLine(nil)
			b = append(b, "a line"...)
			require.NoError(t, o3.Flush())
			require.Len(t, h3.chunks, 1)
			assert.NotSame(t, &h3.chunks[0][:1][0], &b[:1][0], "the line's piece was handed over")
			o3.endLine(b, nil)
			o3.Flush()
			require.NoError(t, h3.pass(&got3, new(sync.Mutex)))
			assert.Equal(t, "before, a line", got3.String())
			o3.release()
		}
		assert.Equal(t, 16, cap(own), "own is not o's memory")
		long := strings.Repeat("L", 2*outSize) // more than the free end holds
		line(long, false)
		assert.Greater(t, cap(own), lineRoom, "a line that outgrew the room is kept as own")
		line("short, now in own\n", false)
		require.NoError(t, o.Flush())
		assert.True(t, bytes.Equal(got.Bytes(), want), "held %v: %d bytes, want %d", heldOut, got.Len(), len(want))
	}
}

// TestChunksHeapFirst: the first heapChunks pieces of held output come
// from the heap, so that a run that holds a few KiB does not clear a huge
// page of the region; the next one comes from the region (on Linux, where
// it is reserved).
func TestChunksHeapFirst(t *testing.T) {
	chunks.Lock()
	free, made := chunks.free, chunks.made
	chunks.free, chunks.made = nil, 0
	chunks.Unlock()
	defer func() {
		chunks.Lock()
		chunks.free, chunks.made = free, made
		chunks.Unlock()
	}()
	inRegion := func(c []byte) bool {
		chunks.Lock()
		defer chunks.Unlock()
		return len(chunks.region) > 0 && unsafe.SliceData(c[:1]) == (*byte)(unsafe.Add(unsafe.Pointer(unsafe.SliceData(chunks.region)), -outSize))
	}
	for i := range heapChunks {
		c := getChunk()
		require.Equal(t, outSize, cap(c))
		assert.False(t, inRegion(c), "piece %d", i)
	}
	c := getChunk()
	if runtime.GOOS == "linux" {
		assert.True(t, inRegion(c), "piece %d comes from the region", heapChunks)
	}
}
