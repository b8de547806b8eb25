package parquetout

import (
	"sync"
	"unsafe"

	"github.com/parquet-go/parquet-go"
)

// columnBatch gathers the values of a batch of rows column by column,
// with their repetition and definition levels (Parquet's Dremel encoding,
// https://parquet.apache.org/docs/file-format/nestedencoding/), for a
// schema whose leaf columns are either flat (required or optional) or an
// optional LIST of required elements.
//
// A flat column holds one value per row of the batch, at the row's index;
// the zero parquet.Value has definition level 0, a null, so a row sets
// only the columns it has and the others stay null. A column that a batch
// set is zeroed again after the batch is written (a memclr), so that
// neither the rows' nulls nor the batch's reset cost a store per absent
// value. List columns are appended to: every row writes a null list, an
// empty list or its elements.
type columnBatch struct {
	vals  [][]parquet.Value
	def   []int  // the definition level of a present value of each column
	list  []bool // whether the column is a list
	dirty []bool // whether a flat column was set in this batch
	set   []int  // the flat columns set in this batch
	rows  int    // rows in the batch
	cap   int
}

func (b *columnBatch) init(s *parquet.Schema, rows int) {
	cols := s.Columns()
	b.cap = rows
	b.vals = make([][]parquet.Value, len(cols))
	b.def = make([]int, len(cols))
	b.list = make([]bool, len(cols))
	b.dirty = make([]bool, len(cols))
	for i, path := range cols {
		leaf, ok := s.Lookup(path...)
		if !ok {
			panic("parquetout: no column " + path[0])
		}
		b.def[i] = leaf.MaxDefinitionLevel
		b.list[i] = leaf.MaxRepetitionLevel > 0
		if b.list[i] {
			b.vals[i] = make([]parquet.Value, 0, 2*rows)
		} else {
			b.vals[i] = make([]parquet.Value, rows)
		}
	}
}

// put sets the value of flat column c in the current row.
func (b *columnBatch) put(c int, v parquet.Value) {
	b.vals[c][b.rows] = v.Level(0, b.def[c], c)
	if !b.dirty[c] {
		b.dirty[c] = true
		b.set = append(b.set, c)
	}
}

func (b *columnBatch) i64(c int, v int64)    { b.put(c, parquet.Int64Value(v)) }
func (b *columnBatch) i32(c int, v int32)    { b.put(c, parquet.Int32Value(v)) }
func (b *columnBatch) f64(c int, v float64)  { b.put(c, parquet.DoubleValue(v)) }
func (b *columnBatch) bool(c int, v bool)    { b.put(c, parquet.BooleanValue(v)) }
func (b *columnBatch) str(c int, s string)   { b.put(c, strValue(s)) }
func (b *columnBatch) bytes(c int, s []byte) { b.put(c, parquet.ByteArrayValue(s)) }

// strValue returns a BYTE_ARRAY value viewing s's bytes: parquet-go copies
// them when the batch is written, and strings are immutable, so no copy is
// made here.
func strValue(s string) parquet.Value {
	return parquet.ByteArrayValue(unsafe.Slice(unsafe.StringData(s), len(s)))
}

// nullList adds a null list to the list column c; emptyList an empty one.
func (b *columnBatch) nullList(c int) {
	b.vals[c] = append(b.vals[c], parquet.Value{})
}

func (b *columnBatch) emptyList(c int) {
	b.vals[c] = append(b.vals[c], parquet.NullValue().Level(0, b.def[c]-1, c))
}

// elemStr and elemI64 add element i of the list column c in the current
// row (i = 0 starts the row's list).
func (b *columnBatch) elemStr(c, i int, s string) {
	b.vals[c] = append(b.vals[c], strValue(s).Level(min(i, 1), b.def[c], c))
}

func (b *columnBatch) elemI64(c, i int, x int64) {
	b.vals[c] = append(b.vals[c], parquet.Int64Value(x).Level(min(i, 1), b.def[c], c))
}

// endRow ends the current row and reports whether the batch is full.
func (b *columnBatch) endRow() bool {
	b.rows++
	return b.rows == b.cap
}

// writeTo hands every column's values to its writer and empties the
// batch. The columns are independent (each ColumnWriter has its own
// buffers, pages and dictionary; parquet-go's page and compression buffers
// are pools), so they are split among workers goroutines; the file is the
// same whatever the split.
func (b *columnBatch) writeTo(cws []*parquet.ColumnWriter, workers int) error {
	err := eachColumn(len(cws), workers, func(c int) error {
		v := b.vals[c]
		if !b.list[c] {
			v = v[:b.rows]
		}
		_, err := cws[c].WriteRowValues(v)
		return err
	})
	b.reset()
	return err
}

// flushColumns encodes (and compresses) the values every column writer
// still buffers into a page, workers columns at a time, so that the
// writer's own flush of the row group has only the pages to write out.
func flushColumns(cws []*parquet.ColumnWriter, workers int) error {
	return eachColumn(len(cws), workers, func(c int) error { return cws[c].Flush() })
}

// eachColumn calls fn for the columns 0 to n-1, in workers goroutines
// (column c in goroutine c % workers; one goroutine: in order, here). It
// returns the error of the lowest column that failed.
func eachColumn(n, workers int, fn func(c int) error) error {
	if workers <= 1 {
		for c := range n {
			if err := fn(c); err != nil {
				return err
			}
		}
		return nil
	}
	errs := make([]error, n)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for c := w; c < n; c += workers {
				errs[c] = fn(c)
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// reset empties the batch: the flat columns it set are nulls again, the
// lists are empty (and drop their references to the rows' strings).
func (b *columnBatch) reset() {
	for _, c := range b.set {
		clear(b.vals[c][:b.rows])
		b.dirty[c] = false
	}
	b.set = b.set[:0]
	for c, isList := range b.list {
		if isList {
			clear(b.vals[c])
			b.vals[c] = b.vals[c][:0]
		}
	}
	b.rows = 0
}
