package parquetout

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"io"
	"math"
	"math/bits"
	"slices"
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/parquet-go/parquet-go/encoding/rle"
	"github.com/parquet-go/parquet-go/encoding/thrift"
	"github.com/parquet-go/parquet-go/format"
)

// fileWriter writes a Parquet file from segments of typed column values
// (segment), encoding the pages itself: parquet-go's column writers take
// one parquet.Value per cell, which for a table of some 80 mostly null
// columns cost several times more than the encoding proper. It encodes
// the footer and the page indexes itself too (footer.go), with the
// schema elements and column orders parquet-go writes for the row type
// (schema_gen.go, made from parquet.SchemaOf by a test). Of parquet-go it
// links only the format's types and the RLE/bit-packed hybrid of the
// levels and dictionary indexes; pages are compressed with
// klauspost/compress's zstd, the encoder parquet-go's codec uses.
//
// The file has the layout parquet-go's writer gives the same options
// (writerOptions, in the tests): data pages v1, PLAIN values or RLE_DICTIONARY indexes
// with a PLAIN dictionary page per column chunk, every page compressed
// with zstd, page and column chunk statistics (min, max and null count),
// a column index and an offset index per column chunk. It differs in
// details a reader does not depend on: where pages end (a page holds
// pageRows rows, or fewer when its values reach pageValueBytes or the row
// group ends), the column index's boundary order (UNORDERED), min and max
// values not truncated, no level histograms. A row group is one or more
// segments, its pages buffered compressed until the row group ends (the
// dictionary page comes first) and then written out.
type fileWriter struct {
	w       io.Writer
	off     int64
	t       *table
	specs   []colSpec // t's
	chunks  []chunk
	scratch []*encScratch
	groups  []format.RowGroup
	colIdx  [][]format.ColumnIndex
	offIdx  [][]format.OffsetIndex
	rows    int64 // rows of the current row group
	err     error
}

// pageValueBytes is the size of the values of a BYTE_ARRAY or list
// column (as encoded, before compression) past which a page ends.
const pageValueBytes = 1 << 20

func newFileWriter(w io.Writer, t *table, workers int) *fileWriter {
	fw := &fileWriter{w: w, t: t, specs: t.specs, chunks: getChunks(&t.chunks, len(t.specs))}
	for i := range fw.chunks {
		fw.chunks[i].resetPage()
	}
	for range max(1, workers) {
		fw.scratch = append(fw.scratch, getScratch())
	}
	return fw
}

// chunk is the column chunk of one column in the current row group.
type chunk struct {
	buf        []byte // the data pages: headers and compressed bodies
	pages      []format.PageLocation
	ci         format.ColumnIndex
	numValues  int64
	nulls      int64
	uncomp     int64 // the data pages' headers and uncompressed bodies
	dataPages  int32
	has        bool // whether a value was seen (min and max are set)
	minI, maxI int64
	minS, maxS []byte // BYTE_ARRAY without dictionary

	// The dictionary of a dictionary-encoded column.
	dict     map[string]int32
	dictVals []string
	recent   [4]recentString
	next     int
	stamp    []uint32 // the page that last used each entry
	gen      uint32

	// The open page: the levels and values of rows not in a page yet.
	pdef, prep   []byte
	pSame        bool // every definition level is pSameDef (pdef is empty)
	pSameDef     byte
	pvals        []byte  // PLAIN values but booleans
	pidx         []int32 // dictionary indexes
	pbits        []byte  // booleans, one a byte
	pFirst       int64   // the row group's index of the page's first row
	pRows        int
	pLevels      int
	pNvals       int
	pBytes       int // BYTE_ARRAY and list values' size
	pHas         bool
	pMinI, pMaxI int64
	pMinS, pMaxS []byte
	pMinD, pMaxD int32 // dictionary indexes of the page's min and max

	// Set when the row group ends.
	dictPage   []byte // header and compressed dictionary page
	dictUncomp int64
}

// encScratch holds one encoding goroutine's buffers.
type encScratch struct {
	body, lvl, vals, comp, def, rep []byte
}

// encodeSegment encodes every column of seg into pages, with workers
// goroutines (the columns are independent: the bytes are the same whatever
// the number), writes the row group out if seg ends it, and resets seg.
func (fw *fileWriter) encodeSegment(seg *segment, workers int) error {
	if fw.err != nil {
		seg.reset()
		return fw.err
	}
	workers = max(1, min(workers, len(fw.scratch), len(fw.specs)))
	if workers == 1 {
		for c := range fw.specs {
			fw.encodeColumn(c, seg, fw.scratch[0])
		}
	} else {
		var next atomic.Int32
		var wg sync.WaitGroup
		for w := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					c := int(next.Add(1) - 1)
					if c >= len(fw.specs) {
						return
					}
					fw.encodeColumn(c, seg, fw.scratch[w])
				}
			}()
		}
		wg.Wait()
	}
	fw.rows += int64(seg.rows)
	last := seg.last
	seg.reset()
	if last {
		fw.err = fw.writeGroup()
	}
	return fw.err
}

// encodeColumn adds column c of seg to the open page of its chunk,
// finishing a page when it holds pageRows rows or pageValueBytes of
// values (and the last one, and the chunk, if seg ends the row group).
func (fw *fileWriter) encodeColumn(c int, seg *segment, sc *encScratch) {
	sp, col, ch := &fw.specs[c], &seg.cols[c], &fw.chunks[c]
	fixed := !sp.list && (sp.dict || sp.kind != format.ByteArray)
	n := seg.rows // levels
	valDef := byte(1)
	var def, rep []byte
	same := false // every level of def is def[0]
	if sp.list {
		def, rep = seg.listLevels(c, sc.def, sc.rep)
		if seg.any.has(c) {
			sc.def, sc.rep = def, rep
		} else {
			same = true
		}
		n, valDef = len(def), sp.maxDef
	} else if def, same = seg.flatDef(c, sc.def); !same {
		sc.def = def
	}
	lv, vi, row := 0, 0, 0
	for lv < n {
		if ch.pRows == 0 {
			ch.pFirst = seg.first + int64(row)
		}
		lv0, vi0, row0 := lv, vi, row
		if fixed {
			// Flat, fixed-size values: as many rows as the page takes.
			k := min(pageRows-ch.pRows, n-lv)
			lv += k
			row += k
			switch {
			case !same:
				vi += bytes.Count(def[lv0:lv], one)
			case def[0] == 1:
				vi += k
			}
		} else {
			for lv < n && ch.pRows+row-row0 < pageRows && ch.pBytes < pageValueBytes {
				// One row: its levels and values.
				for {
					if def[lv] == valDef {
						ch.pBytes += valueSize(sp, col, vi)
						vi++
					}
					lv++
					if !sp.list || lv == n || rep[lv] == 0 {
						break
					}
				}
				row++
			}
		}
		ch.add(sp, col, def, rep, same, lv0, lv, vi0, vi, row-row0)
		if ch.pRows >= pageRows || ch.pBytes >= pageValueBytes {
			ch.finishPage(sp, sc)
		}
	}
	if seg.last {
		if ch.pRows > 0 {
			ch.finishPage(sp, sc)
		}
		fw.endChunk(ch, sp, sc)
	}
}

var one = []byte{1}

// littleEndian is whether the machine stores integers as PLAIN does.
var littleEndian = binary.NativeEndian.Uint16([]byte{1, 0}) == 1

// pageRows is the number of rows of a page, at most (of a flat column
// of fixed-size values, exactly, but for the last of a row group).
const pageRows = 32 << 10

func valueSize(sp *colSpec, col *segCol, i int) int {
	switch {
	case sp.dict:
		return 4
	case sp.kind == format.ByteArray:
		return 4 + len(col.str[i])
	case sp.kind == format.Int64, sp.kind == format.Double:
		return 8
	}
	return 4
}

// bounds folds the non-empty values v into the open page's minimum and
// maximum.
func (ch *chunk) bounds(v []int64) {
	lo, hi := v[0], v[0]
	if ch.pHas {
		lo, hi = ch.pMinI, ch.pMaxI
	}
	for _, x := range v {
		lo, hi = min(lo, x), max(hi, x)
	}
	ch.pMinI, ch.pMaxI, ch.pHas = lo, hi, true
}

// fbounds folds the non-empty DOUBLE values v (math.Float64bits) into
// the open page's minimum and maximum, kept as bits. NaN is left out, as
// the format asks of statistics; a page of NaN only has none.
func (ch *chunk) fbounds(v []int64) {
	for _, x := range v {
		f := math.Float64frombits(uint64(x))
		switch {
		case f != f: // NaN
		case !ch.pHas:
			ch.pMinI, ch.pMaxI, ch.pHas = x, x, true
		default:
			if f < math.Float64frombits(uint64(ch.pMinI)) {
				ch.pMinI = x
			}
			if f > math.Float64frombits(uint64(ch.pMaxI)) {
				ch.pMaxI = x
			}
		}
	}
}

// add appends the levels lv0 to lv1 of def and rep (rows rows) and the values vi0
// to vi1 of col to the open page, and keeps the page's statistics.
//
// While every level of the page is the same (a column null or set in
// every row so far) they are only counted: such a page's levels are one
// RLE run.
func (ch *chunk) add(sp *colSpec, col *segCol, def, rep []byte, same bool, lv0, lv1, vi0, vi1, rows int) {
	if sp.maxRep > 0 {
		ch.prep = append(ch.prep, rep[lv0:lv1]...)
	}
	if sp.maxDef > 0 && lv1 > lv0 {
		switch {
		case ch.pSame && same && (ch.pLevels == 0 || def[0] == ch.pSameDef):
			ch.pSameDef = def[0]
		default:
			if ch.pSame {
				// Mixed levels from here on: write those counted.
				ch.pSame = false
				for range ch.pLevels {
					ch.pdef = append(ch.pdef, ch.pSameDef)
				}
			}
			ch.pdef = append(ch.pdef, def[lv0:lv1]...)
		}
	}
	ch.pLevels += lv1 - lv0
	ch.pRows += rows
	ch.pNvals += vi1 - vi0
	if vi0 == vi1 {
		return
	}
	switch {
	case sp.dict:
		for _, s := range col.str[vi0:vi1] {
			i := ch.lookup(s)
			ch.pidx = append(ch.pidx, i)
			if ch.stamp[i] != ch.gen {
				ch.stamp[i] = ch.gen
				if ch.pMinD < 0 || s < ch.dictVals[ch.pMinD] {
					ch.pMinD = i
				}
				if ch.pMaxD < 0 || s > ch.dictVals[ch.pMaxD] {
					ch.pMaxD = i
				}
			}
		}
	case sp.kind == format.Int64, sp.kind == format.Double:
		v := col.num[vi0:vi1]
		if sp.kind == format.Double {
			ch.fbounds(v)
		} else {
			ch.bounds(v)
		}
		if littleEndian {
			// PLAIN is little-endian: the values' bytes as they are.
			ch.pvals = append(ch.pvals, unsafe.Slice((*byte)(unsafe.Pointer(&v[0])), 8*len(v))...)
		} else {
			for _, x := range v {
				ch.pvals = binary.LittleEndian.AppendUint64(ch.pvals, uint64(x))
			}
		}
	case sp.kind == format.Int32:
		v := col.num[vi0:vi1]
		ch.bounds(v)
		n := len(ch.pvals)
		ch.pvals = slices.Grow(ch.pvals, 4*len(v))[:n+4*len(v)]
		out := ch.pvals[n:]
		for i, x := range v {
			binary.LittleEndian.PutUint32(out[4*i:], uint32(x))
		}
	case sp.kind == format.Boolean:
		v := col.num[vi0:vi1]
		ch.bounds(v)
		for _, x := range v {
			ch.pbits = append(ch.pbits, byte(x))
		}
	default: // BYTE_ARRAY, PLAIN
		for _, s := range col.str[vi0:vi1] {
			if !ch.pHas || s < string(ch.pMinS) {
				ch.pMinS = []byte(s)
			}
			if !ch.pHas || s > string(ch.pMaxS) {
				ch.pMaxS = []byte(s)
			}
			ch.pHas = true
			ch.pvals = binary.LittleEndian.AppendUint32(ch.pvals, uint32(len(s)))
			ch.pvals = append(ch.pvals, s...)
		}
	}
}

// finishPage encodes the open page as a data page of ch and empties it.
func (ch *chunk) finishPage(sp *colSpec, sc *encScratch) {
	body := sc.body[:0]
	if sp.maxRep > 0 {
		body = sc.appendLevels(body, ch.prep, sp.maxRep)
	}
	switch {
	case sp.maxDef == 0:
	case ch.pSame:
		// One RLE run: its length, then the level in a byte (a bit width
		// of at most 8).
		run := binary.AppendUvarint(nil, uint64(ch.pLevels)<<1)
		body = binary.LittleEndian.AppendUint32(body, uint32(len(run)+1))
		body = append(body, run...)
		body = append(body, ch.pSameDef)
	default:
		body = sc.appendLevels(body, ch.pdef, sp.maxDef)
	}
	nulls := ch.pLevels - ch.pNvals
	var minV, maxV []byte // plain, no length prefix
	enc := format.Plain
	switch {
	case sp.dict:
		enc = format.RLEDictionary
		var err error
		sc.vals, err = (&rle.DictionaryEncoding{}).EncodeInt32(sc.vals, ch.pidx)
		if err != nil {
			panic(err) // only for negative indexes
		}
		body = append(body, sc.vals...)
		if ch.pMinD >= 0 {
			minV, maxV = []byte(ch.dictVals[ch.pMinD]), []byte(ch.dictVals[ch.pMaxD])
		}
	case sp.kind == format.Boolean:
		v := ch.pbits
		for i := 0; i < len(v); i += 8 {
			var b byte
			for j, x := range v[i:min(i+8, len(v))] {
				b |= x << j
			}
			body = append(body, b)
		}
		if ch.pHas {
			minV, maxV = plainBounds(sp.kind, ch.pMinI, ch.pMaxI)
		}
	default:
		body = append(body, ch.pvals...)
		switch {
		case !ch.pHas:
		case sp.kind == format.ByteArray:
			minV, maxV = ch.pMinS, ch.pMaxS
		default:
			minV, maxV = plainBounds(sp.kind, ch.pMinI, ch.pMaxI)
		}
	}
	if ch.pHas && sp.kind != format.ByteArray {
		ch.minmax(sp, ch.pMinI, ch.pMaxI)
	}
	if ch.pHas && sp.kind == format.ByteArray && !sp.dict {
		if !ch.has || string(minV) < string(ch.minS) {
			ch.minS = minV
		}
		if !ch.has || string(maxV) > string(ch.maxS) {
			ch.maxS = maxV
		}
		ch.has = true
	}
	sc.body = body
	stats := format.Statistics{NullCount: int64(nulls), MinValue: minV, MaxValue: maxV}
	hdr := format.PageHeader{
		Type:                 format.DataPage,
		UncompressedPageSize: int32(len(body)),
		DataPageHeader: thrift.New(format.DataPageHeader{
			NumValues:               int32(ch.pLevels),
			Encoding:                enc,
			DefinitionLevelEncoding: format.RLE,
			RepetitionLevelEncoding: format.RLE,
			Statistics:              stats,
		}),
	}
	h := ch.compressPage(&hdr, body, sc)
	ch.pages = append(ch.pages, format.PageLocation{
		Offset:             int64(len(ch.buf)) - int64(h),
		CompressedPageSize: int32(h),
		FirstRowIndex:      ch.pFirst,
	})
	ch.ci.NullPages = append(ch.ci.NullPages, ch.pNvals == 0)
	switch {
	case minV == nil && ch.pNvals > 0 && sp.kind == format.Double:
		// Values, all NaN: the column index of a page that is not null
		// needs bounds, and NaN is the only one (its statistics have
		// none).
		minV = binary.LittleEndian.AppendUint64(nil, math.Float64bits(math.NaN()))
		maxV = minV
	case minV == nil:
		minV, maxV = []byte{}, []byte{}
	}
	ch.ci.MinValues = append(ch.ci.MinValues, minV)
	ch.ci.MaxValues = append(ch.ci.MaxValues, maxV)
	ch.ci.NullCounts = append(ch.ci.NullCounts, int64(nulls))
	ch.numValues += int64(ch.pLevels)
	ch.nulls += int64(nulls)
	ch.dataPages++
	ch.resetPage()
}

// resetPage empties the open page.
func (ch *chunk) resetPage() {
	ch.pdef, ch.prep, ch.pvals, ch.pidx, ch.pbits = ch.pdef[:0], ch.prep[:0], ch.pvals[:0], ch.pidx[:0], ch.pbits[:0]
	ch.pRows, ch.pLevels, ch.pNvals, ch.pBytes = 0, 0, 0, 0
	ch.pSame, ch.pSameDef = true, 0
	ch.pHas, ch.pMinI, ch.pMaxI, ch.pMinS, ch.pMaxS = false, 0, 0, nil, nil
	ch.pMinD, ch.pMaxD = -1, -1
	ch.gen++
}

// compressPage compresses body, sets hdr's sizes and checksum and appends
// the page (header and compressed body) to ch.buf. It returns the page's
// size.
func (ch *chunk) compressPage(hdr *format.PageHeader, body []byte, sc *encScratch) int {
	comp := compress(sc.comp, body)
	sc.comp = comp
	hdr.CompressedPageSize = int32(len(comp))
	hdr.CRC = int32(crc32.ChecksumIEEE(comp))
	n := len(ch.buf)
	ch.buf = appendPageHeader(ch.buf, hdr)
	h := len(ch.buf) - n
	ch.buf = append(ch.buf, comp...)
	ch.uncomp += int64(h + len(body))
	return h + len(comp)
}

// appendLevels appends levels as a data page v1 has them: their length,
// then the RLE/bit-packed hybrid encoding of bit width bits.Len(max).
func (sc *encScratch) appendLevels(dst []byte, levels []byte, maxLevel byte) []byte {
	var err error
	sc.lvl, err = (&rle.Encoding{BitWidth: bits.Len8(maxLevel)}).EncodeLevels(sc.lvl, levels)
	if err != nil {
		panic(err) // levels within the bit width always encode
	}
	dst = binary.LittleEndian.AppendUint32(dst, uint32(len(sc.lvl)))
	return append(dst, sc.lvl...)
}

func (ch *chunk) minmax(sp *colSpec, lo, hi int64) {
	switch {
	case !ch.has:
		ch.minI, ch.maxI, ch.has = lo, hi, true
	case sp.kind == format.Double:
		if math.Float64frombits(uint64(lo)) < math.Float64frombits(uint64(ch.minI)) {
			ch.minI = lo
		}
		if math.Float64frombits(uint64(hi)) > math.Float64frombits(uint64(ch.maxI)) {
			ch.maxI = hi
		}
	default:
		ch.minI, ch.maxI = min(ch.minI, lo), max(ch.maxI, hi)
	}
}

// plainBounds returns the PLAIN bytes of the minimum lo and maximum hi
// of a column of fixed-size values (as segCol.num holds them), for
// statistics: a DOUBLE zero minimum as -0.0 and zero maximum as +0.0, as
// the format asks (a reader cannot tell which zero the values had).
func plainBounds(kind format.Type, lo, hi int64) (minV, maxV []byte) {
	switch kind {
	case format.Boolean:
		return []byte{byte(lo)}, []byte{byte(hi)}
	case format.Int32:
		return binary.LittleEndian.AppendUint32(nil, uint32(lo)), binary.LittleEndian.AppendUint32(nil, uint32(hi))
	case format.Double:
		if math.Float64frombits(uint64(lo)) == 0 {
			lo = int64(math.Float64bits(math.Copysign(0, -1)))
		}
		if math.Float64frombits(uint64(hi)) == 0 {
			hi = 0
		}
	}
	return binary.LittleEndian.AppendUint64(nil, uint64(lo)), binary.LittleEndian.AppendUint64(nil, uint64(hi))
}

// lookup returns the dictionary index of s, adding it. The strings last
// looked up are checked first by address: the values of an enumeration
// column are mostly a few constant strings (kind: data, ack, ackack...),
// and those of the endpoint columns the writer's cached names.
func (ch *chunk) lookup(s string) int32 {
	p := unsafe.StringData(s)
	for k := range ch.recent {
		if r := &ch.recent[k]; r.p == p && r.n == len(s) && p != nil {
			return r.i
		}
	}
	i, ok := ch.dict[s]
	if !ok {
		if ch.dict == nil {
			ch.dict = make(map[string]int32)
		}
		i = int32(len(ch.dictVals))
		ch.dict[s] = i
		ch.dictVals = append(ch.dictVals, s)
		ch.stamp = append(ch.stamp, 0)
	}
	ch.recent[ch.next] = recentString{p, len(s), i}
	ch.next = (ch.next + 1) % len(ch.recent)
	return i
}

// recentString is a string looked up in a dictionary by address: p and n
// are its bytes (which the dictionary keeps alive), i its index.
type recentString struct {
	p *byte
	n int
	i int32
}

// endChunk encodes the dictionary page of a dictionary-encoded chunk at
// the end of its row group.
func (fw *fileWriter) endChunk(ch *chunk, sp *colSpec, sc *encScratch) {
	ch.dictPage = ch.dictPage[:0]
	ch.dictUncomp = 0
	if !sp.dict {
		return
	}
	body := sc.body[:0]
	for _, s := range ch.dictVals {
		body = binary.LittleEndian.AppendUint32(body, uint32(len(s)))
		body = append(body, s...)
	}
	sc.body = body
	hdr := format.PageHeader{
		Type:                 format.DictionaryPage,
		UncompressedPageSize: int32(len(body)),
		DictionaryPageHeader: thrift.New(format.DictionaryPageHeader{
			NumValues: int32(len(ch.dictVals)),
			Encoding:  format.Plain,
		}),
	}
	// compressPage appends to buf: build the dictionary page there, then
	// move it.
	data, uncomp := ch.buf, ch.uncomp
	ch.buf, ch.uncomp = ch.dictPage, 0
	ch.compressPage(&hdr, body, sc)
	ch.dictPage, ch.dictUncomp = ch.buf, ch.uncomp
	ch.buf, ch.uncomp = data, uncomp
	for i, s := range ch.dictVals {
		if i == 0 || s < string(ch.minS) {
			ch.minS = []byte(s)
		}
		if i == 0 || s > string(ch.maxS) {
			ch.maxS = []byte(s)
		}
	}
	ch.has = len(ch.dictVals) > 0
}

func (fw *fileWriter) write(b []byte) error {
	if fw.off == 0 {
		if _, err := io.WriteString(fw.w, "PAR1"); err != nil {
			return err
		}
		fw.off = 4
	}
	n, err := fw.w.Write(b)
	fw.off += int64(n)
	return err
}

// writeGroup writes out the row group's column chunks, in schema order,
// and keeps their metadata for the footer.
func (fw *fileWriter) writeGroup() error {
	if fw.rows == 0 {
		return nil
	}
	if len(fw.groups) == 32767 {
		return errors.New("too many row groups")
	}
	if err := fw.write(nil); err != nil { // the magic
		return err
	}
	m := getColumnMeta(fw.t, len(fw.specs))
	rg := format.RowGroup{
		NumRows:    fw.rows,
		FileOffset: fw.off,
		Ordinal:    int16(len(fw.groups)),
		Columns:    m.chunks,
	}
	cis, ois := m.colIdx, m.offIdx
	for c := range fw.specs {
		sp, ch := &fw.specs[c], &fw.chunks[c]
		start := fw.off
		if err := fw.write(ch.dictPage); err != nil {
			return err
		}
		data := fw.off
		if err := fw.write(ch.buf); err != nil {
			return err
		}
		for i := range ch.pages {
			ch.pages[i].Offset += data
		}
		md := format.ColumnMetaData{
			Type:                  sp.kind,
			PathInSchema:          sp.path,
			Codec:                 format.Zstd,
			NumValues:             ch.numValues,
			TotalUncompressedSize: ch.uncomp + ch.dictUncomp,
			TotalCompressedSize:   fw.off - start,
			DataPageOffset:        data,
			Statistics:            format.Statistics{NullCount: ch.nulls},
		}
		md.Encoding = append(md.Encoding, format.Plain)
		if sp.maxDef > 0 || sp.maxRep > 0 {
			md.Encoding = append(md.Encoding, format.RLE)
		}
		if sp.dict {
			md.Encoding = append(md.Encoding, format.RLEDictionary)
			md.DictionaryPageOffset = start
			md.EncodingStats = []format.PageEncodingStats{
				{PageType: format.DataPage, Encoding: format.RLEDictionary, Count: ch.dataPages},
				{PageType: format.DictionaryPage, Encoding: format.Plain, Count: 1},
			}
		} else {
			md.EncodingStats = []format.PageEncodingStats{{PageType: format.DataPage, Encoding: format.Plain, Count: ch.dataPages}}
		}
		switch {
		case !ch.has:
		case sp.kind == format.ByteArray:
			md.Statistics.MinValue, md.Statistics.MaxValue = ch.minS, ch.maxS
		default:
			md.Statistics.MinValue, md.Statistics.MaxValue = plainBounds(sp.kind, ch.minI, ch.maxI)
		}
		rg.Columns[c].MetaData = md
		rg.TotalByteSize += md.TotalUncompressedSize
		rg.TotalCompressedSize += md.TotalCompressedSize
		ch.ci.BoundaryOrder = format.Unordered
		cis[c] = ch.ci
		ois[c] = format.OffsetIndex{PageLocations: ch.pages}
		ch.reset()
	}
	fw.groups = append(fw.groups, rg)
	fw.colIdx = append(fw.colIdx, cis)
	fw.offIdx = append(fw.offIdx, ois)
	fw.rows = 0
	return nil
}

// reset empties the chunk for the next row group (the metadata it handed
// out are its own: new slices).
func (ch *chunk) reset() {
	ch.buf = ch.buf[:0]
	ch.pages = nil
	ch.ci = format.ColumnIndex{}
	ch.numValues, ch.nulls, ch.uncomp, ch.dataPages = 0, 0, 0, 0
	ch.has, ch.minI, ch.maxI, ch.minS, ch.maxS = false, 0, 0, nil, nil
	if len(ch.dictVals) > 4096 {
		ch.dict, ch.stamp = nil, nil // let a large dictionary go
	} else {
		clear(ch.dict)
		ch.stamp = ch.stamp[:0]
	}
	clear(ch.dictVals)
	ch.dictVals = ch.dictVals[:0]
	ch.recent, ch.next = [len(ch.recent)]recentString{}, 0
}

// release gives fw's buffers back for the next writer; fw is not used
// again.
func (fw *fileWriter) release() {
	if fw.chunks != nil {
		putChunks(&fw.t.chunks, fw.chunks)
	}
	for g := range fw.groups {
		putColumnMeta(fw.t, columnMeta{fw.groups[g].Columns, fw.colIdx[g], fw.offIdx[g]})
	}
	fw.groups, fw.colIdx, fw.offIdx = nil, nil, nil
	for _, sc := range fw.scratch {
		putScratch(sc)
	}
	fw.chunks, fw.scratch = nil, nil
}

// close writes the page indexes and the footer.
func (fw *fileWriter) close() error {
	if fw.err != nil {
		return fw.err
	}
	if err := fw.write(nil); err != nil {
		return err
	}
	var b []byte
	enc := func(b []byte) (int64, int32, error) {
		off := fw.off
		return off, int32(len(b)), fw.write(b)
	}
	var err error
	for g := range fw.groups {
		for c := range fw.groups[g].Columns {
			cc := &fw.groups[g].Columns[c]
			b = appendColumnIndex(b[:0], &fw.colIdx[g][c])
			if cc.ColumnIndexOffset, cc.ColumnIndexLength, err = enc(b); err != nil {
				return err
			}
		}
	}
	for g := range fw.groups {
		for c := range fw.groups[g].Columns {
			cc := &fw.groups[g].Columns[c]
			b = appendOffsetIndex(b[:0], &fw.offIdx[g][c])
			if cc.OffsetIndexOffset, cc.OffsetIndexLength, err = enc(b); err != nil {
				return err
			}
		}
	}
	var rows int64
	for _, rg := range fw.groups {
		rows += rg.NumRows
	}
	b = appendFileMetaData(b[:0], fw.t, rows, fw.groups)
	b = binary.LittleEndian.AppendUint32(b, uint32(len(b)))
	b = append(b, "PAR1"...)
	return fw.write(b)
}
