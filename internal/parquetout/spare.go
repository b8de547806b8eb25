package parquetout

import (
	"bufio"
	"io"
	"sync"

	"github.com/parquet-go/parquet-go/format"

	"github.com/klauspost/compress/zstd"
)

// Buffers kept from one packets writer for the next. A writer allocated
// its segments, its column chunks' buffers and its zstd encoders anew for
// every capture: over many captures (srtdump -parquet FILE...) that was
// nearly all it allocated (508 MB for 20 captures of 5.9 MB each, 25 MB a
// capture) and the 20 collections that came with it, each of which also
// scanned gopacket's 5 MB of tables (srtdump no longer links gopacket).
// Close gives them back; the next writer takes them. What is kept is
// bounded: at most spareMax of each, and no buffer larger than
// spareBufMax.
const (
	spareMax    = 8
	spareBufMax = 4 << 20
)

// freeList is a bounded stack of spare T. It is not a sync.Pool, which
// drops what it holds at every other collection: a writer's buffers are
// taken back when it is closed, a few times a second at most.
type freeList[T any] struct {
	mu    sync.Mutex
	items []T
}

func (l *freeList[T]) get() (v T, ok bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if n := len(l.items); n > 0 {
		v, l.items[n-1] = l.items[n-1], v
		l.items = l.items[:n-1]
		return v, true
	}
	return v, false
}

func (l *freeList[T]) put(v T) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.items) < spareMax {
		l.items = append(l.items, v)
	}
}

var (
	spareScratch  freeList[*encScratch]
	spareBuffers  freeList[*bufio.Writer]
	spareEncoders freeList[*zstd.Encoder]
)

// getSegment returns an empty segment of table t for rows rows.
func getSegment(t *table, rows int) *segment {
	if s, ok := t.segments.get(); ok && s.max == rows {
		return s
	}
	return newSegment(t.specs, rows)
}

// putSegment keeps s, which encodeSegment has emptied, for the next writer.
func putSegment(t *table, s *segment) {
	if s == nil || s.rows != 0 {
		return
	}
	for i := range s.cols {
		c := &s.cols[i]
		if cap(c.num)*8 > spareBufMax || cap(c.str)*16 > spareBufMax || cap(c.def) > spareBufMax || cap(c.rep) > spareBufMax {
			return
		}
	}
	t.segments.put(s)
}

// getBuffer returns a buffered writer to w, of 256 KiB: fileWriter
// writes a row group at a time, column chunk by column chunk.
func getBuffer(w io.Writer) *bufio.Writer {
	if b, ok := spareBuffers.get(); ok {
		b.Reset(w)
		return b
	}
	return bufio.NewWriterSize(w, 256<<10)
}

// putBuffer keeps b, whose file is written (or abandoned), for the next
// file.
func putBuffer(b *bufio.Writer) {
	b.Reset(nil)
	spareBuffers.put(b)
}

// getColumnMeta returns the metadata of n columns, zero, for a row group
// (the footer's ColumnChunk, and the page indexes').
func getColumnMeta(t *table, n int) columnMeta {
	if m, ok := t.meta.get(); ok && len(m.chunks) == n {
		return m
	}
	return columnMeta{make([]format.ColumnChunk, n), make([]format.ColumnIndex, n), make([]format.OffsetIndex, n)}
}

// putColumnMeta keeps m, whose file is written, for the next row group
// (its own slices let go: a row group's chunks keep none of them).
func putColumnMeta(t *table, m columnMeta) {
	clear(m.chunks)
	clear(m.colIdx)
	clear(m.offIdx)
	t.meta.put(m)
}

// columnMeta is what the footer keeps of a row group's columns.
type columnMeta struct {
	chunks []format.ColumnChunk
	colIdx []format.ColumnIndex
	offIdx []format.OffsetIndex
}

// getChunks returns n empty column chunks.
func getChunks(spare *freeList[[]chunk], n int) []chunk {
	if cs, ok := spare.get(); ok && len(cs) == n {
		return cs
	}
	return make([]chunk, n)
}

// putChunks keeps cs, whose file is written, for the next writer: each
// chunk zeroed but for its buffers' backing arrays (emptied), those that
// grew past spareBufMax let go.
func putChunks(spare *freeList[[]chunk], cs []chunk) {
	for i := range cs {
		cs[i].recycle()
	}
	spare.put(cs)
}

// recycle empties ch as a new chunk is, keeping its buffers.
func (ch *chunk) recycle() {
	keep := func(b []byte) []byte {
		if cap(b) > spareBufMax {
			return nil
		}
		return b[:0]
	}
	// chunk.reset has emptied the dictionary at the end of the last row
	// group; what is left to bound is the capacity it grew to.
	clear(ch.dictVals[:cap(ch.dictVals)])
	dict, vals, stamp := ch.dict, ch.dictVals[:0], ch.stamp[:0]
	if cap(ch.dictVals)*16 > spareBufMax || cap(ch.stamp)*4 > spareBufMax {
		dict, vals, stamp = nil, nil, nil
	}
	clear(dict)
	pidx := ch.pidx[:0]
	if cap(pidx)*4 > spareBufMax {
		pidx = nil
	}
	*ch = chunk{
		buf: keep(ch.buf), pdef: keep(ch.pdef), prep: keep(ch.prep), pvals: keep(ch.pvals), pbits: keep(ch.pbits),
		pidx: pidx, dict: dict, dictVals: vals, stamp: stamp,
	}
}

func getScratch() *encScratch {
	if sc, ok := spareScratch.get(); ok {
		return sc
	}
	return new(encScratch)
}

func putScratch(sc *encScratch) {
	for _, b := range [...][]byte{sc.body, sc.lvl, sc.vals, sc.comp, sc.def, sc.rep} {
		if cap(b) > spareBufMax {
			return
		}
	}
	spareScratch.put(sc)
}

// compress appends the zstd frame of src to dst[:0], with an encoder set
// as parquet-go's zstd codec at SpeedFastest sets its own (the bytes are
// the same), but kept in spareEncoders: the codec's sync.Pool dropped its
// encoders at collections, and each new one allocated its history.
func compress(dst, src []byte) []byte {
	e, ok := spareEncoders.get()
	if !ok {
		var err error
		e, err = zstd.NewWriter(nil,
			zstd.WithEncoderConcurrency(1),
			zstd.WithEncoderLevel(zstd.SpeedFastest),
			zstd.WithZeroFrames(true),
			zstd.WithEncoderCRC(false),
		)
		if err != nil {
			panic(err) // the options are constant and valid
		}
	}
	dst = e.EncodeAll(src, dst[:0])
	spareEncoders.put(e)
	return dst
}
