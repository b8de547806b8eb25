package parquetout

import (
	"bytes"
	"encoding/binary"
	"math"
	"slices"

	"github.com/parquet-go/parquet-go/format"
)

// colSpec describes one leaf column of a schema whose leaf columns are
// either flat (required or optional) or in a LIST (required or optional)
// of required elements (a list of structs has a leaf column a field): its
// path, its Parquet type and levels (Parquet's Dremel encoding,
// https://parquet.apache.org/docs/file-format/nestedencoding/), and
// whether its values are dictionary-encoded. schema_gen.go has those of
// the two tables.
type colSpec struct {
	path   []string
	kind   format.Type
	maxDef byte
	maxRep byte
	dict   bool
	list   bool
}

// segment gathers the values of consecutive rows (part of a row group)
// column by column, typed: the rows' values are not parquet.Values, and a
// null costs nothing. A flat column has its present values in order, and
// each row a bit mask of the flat columns it set (their definition
// levels: the encoder makes them bytes, column by column; a mask stays in
// a register while the row is filled, where a byte a column and row cost
// a cache miss every so often); a list column appends its levels (a null
// list, an empty list or its elements: a row that writes none has a null
// list, and a bit) and its elements' values.
//
// Every flat column, required ones too, has a bit, so that a row that sets
// a column twice keeps the last value, as a row of a struct would.
type segment struct {
	cols  [maxColumns]segCol // an array: the column constants need no bounds check
	rows  int                // rows in the segment
	max   int                // rows it holds at most
	first int64              // the row group's row index of the segment's first row
	last  bool               // whether the segment ends its row group
	mask  rowMask            // the flat columns the current row set
	masks []rowMask          // the flat columns each row set: their definition levels
	any   rowMask            // the flat columns a row set
	all   rowMask            // the flat columns every row set
	extra int                // the size of its strings and list elements
}

// maxColumns is the number of leaf columns a segment holds at most: those
// of the connections table (the packets table has fewer).
const maxColumns = 192

// rowMask has bit c set for each flat column c that a row set.
type rowMask [(maxColumns + 63) / 64]uint64

func (m *rowMask) or(o rowMask) {
	for i := range m {
		m[i] |= o[i]
	}
}

func (m *rowMask) and(o rowMask) {
	for i := range m {
		m[i] &= o[i]
	}
}

func (m *rowMask) has(c int) bool { return m[c>>6]&(1<<(c&63)) != 0 }

// flatDef returns the definition levels of flat column c (0 or 1 a row)
// in dst, or, when every row has the same level, one of the shared slices
// zeros and ones (and all true).
func (s *segment) flatDef(c int, dst []byte) (def []byte, all bool) {
	switch {
	case !s.any.has(c):
		return zeros[:s.rows], true
	case s.all.has(c):
		return ones[:s.rows], true
	}
	w, sh := c>>6, uint(c&63)
	dst = slices.Grow(dst[:0], s.rows)[:s.rows]
	ms := s.masks[:s.rows]
	r := 0
	for ; r+8 <= len(ms); r += 8 {
		// Eight rows' levels in one store.
		m := ms[r : r+8 : r+8]
		v := m[0][w]>>sh&1 | (m[1][w]>>sh&1)<<8 | (m[2][w]>>sh&1)<<16 | (m[3][w]>>sh&1)<<24 |
			(m[4][w]>>sh&1)<<32 | (m[5][w]>>sh&1)<<40 | (m[6][w]>>sh&1)<<48 | (m[7][w]>>sh&1)<<56
		binary.LittleEndian.PutUint64(dst[r:], v)
	}
	for ; r < len(ms); r++ {
		dst[r] = byte(ms[r][w]>>sh) & 1
	}
	return dst, false
}

var ones = bytes.Repeat([]byte{1}, segmentRows)

var zeros = make([]byte, segmentRows)

type segCol struct {
	def  []byte  // flat: one per row (0 or 1); list: one per level
	rep  []byte  // list: one per level
	num  []int64 // INT64, INT32, BOOLEAN (0 or 1) and DOUBLE (math.Float64bits) values
	str  []string
	list bool
	def1 byte // a list's definition level of an element (2, or 1 for a required list)
}

func newSegment(specs []colSpec, rows int) *segment {
	if len(specs) > maxColumns {
		panic("parquetout: a segment holds at most maxColumns columns")
	}
	s := &segment{max: rows}
	for i, sp := range specs {
		c := &s.cols[i]
		c.list = sp.list
		if sp.list {
			c.def1 = sp.maxDef
			c.def = make([]byte, 0, 2*rows)
			c.rep = make([]byte, 0, 2*rows)
		}
	}
	s.masks = make([]rowMask, rows)
	return s
}

// present marks flat column c as set in the current row and reports
// whether it was not set yet (its value is to be appended rather than
// replaced).
func (s *segment) present(c int) bool {
	w, bit := c>>6, uint64(1)<<(c&63)
	if s.mask[w]&bit != 0 {
		return false
	}
	s.mask[w] |= bit
	return true
}

func (s *segment) i64(c int, v int64) {
	col := &s.cols[c]
	if s.present(c) {
		col.num = append(col.num, v)
	} else {
		col.num[len(col.num)-1] = v
	}
}

func (s *segment) i32(c int, v int32) { s.i64(c, int64(v)) }

func (s *segment) f64(c int, v float64) { s.i64(c, int64(math.Float64bits(v))) }

func (s *segment) bool(c int, v bool) {
	var b int64
	if v {
		b = 1
	}
	s.i64(c, b)
}

func (s *segment) str(c int, v string) {
	col := &s.cols[c]
	s.extra += len(v)
	if s.present(c) {
		col.str = append(col.str, v)
	} else {
		col.str[len(col.str)-1] = v
	}
}

// emptyList adds an empty list to the list column c in the current row;
// a row that adds none has a null list (an empty one if the list is
// required).
func (s *segment) emptyList(c int) {
	col := &s.cols[c]
	s.present(c)
	col.def = append(col.def, col.def1-1)
	col.rep = append(col.rep, 0)
}

// elemStr and elemI64 add element i of the list column c in the current
// row (i = 0 starts the row's list).
func (s *segment) elemStr(c, i int, v string) {
	col := &s.cols[c]
	if i == 0 {
		s.present(c)
	}
	col.def = append(col.def, col.def1)
	col.rep = append(col.rep, byte(min(i, 1)))
	col.str = append(col.str, v)
	s.extra += 18 + len(v)
}

func (s *segment) elemI64(c, i int, v int64) {
	col := &s.cols[c]
	if i == 0 {
		s.present(c)
	}
	s.extra += 10
	col.def = append(col.def, col.def1)
	col.rep = append(col.rep, byte(min(i, 1)))
	col.num = append(col.num, v)
}

// listLevels returns the levels of list column c, a row at a time: a null
// list (0, 0) for a row that wrote none, the levels it appended for the
// others; in def and rep, or shared slices of zeros when no row wrote one.
func (s *segment) listLevels(c int, def, rep []byte) ([]byte, []byte) {
	if !s.any.has(c) {
		return zeros[:s.rows], zeros[:s.rows]
	}
	col := &s.cols[c]
	def, rep = def[:0], rep[:0]
	j := 0
	for r := range s.rows {
		if !s.masks[r].has(c) {
			def, rep = append(def, 0), append(rep, 0)
			continue
		}
		k := j + 1
		for k < len(col.rep) && col.rep[k] != 0 {
			k++
		}
		def, rep = append(def, col.def[j:k]...), append(rep, col.rep[j:k]...)
		j = k
	}
	return def, rep
}

// endRow ends the current row and reports whether the segment is full:
// it has max rows, or segmentExtraBytes of strings and list elements.
func (s *segment) endRow() bool {
	s.masks[s.rows] = s.mask
	s.any.or(s.mask)
	if s.rows == 0 {
		s.all = s.mask
	} else {
		s.all.and(s.mask)
	}
	s.mask = rowMask{}
	s.rows++
	return s.rows == s.max || s.extra >= segmentExtraBytes
}

// segmentExtraBytes bounds the memory of a segment's values beyond the
// fixed-size ones of flat columns (at most 8 bytes a column and row):
// strings and the elements of lists, of which a row may have hundreds (a
// NAK's loss list). The segment ends at the row that passes it. A
// variable for the tests.
var segmentExtraBytes = 4 << 20

// reset empties the segment: the flat columns' rows are nulls again, the
// values are dropped (and the strings released).
func (s *segment) reset() {
	for i := range s.cols {
		c := &s.cols[i]
		if c.list {
			c.def, c.rep = c.def[:0], c.rep[:0]
		}
		clear(c.str)
		c.num, c.str = c.num[:0], c.str[:0]
	}
	s.rows, s.first, s.last, s.any, s.all, s.extra = 0, 0, false, rowMask{}, rowMask{}, 0
}
