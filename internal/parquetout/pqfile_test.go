package parquetout

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"math"
	"strings"
	"testing"

	"github.com/parquet-go/parquet-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestPacketsStatistics checks what fileWriter says of the pages it
// writes against what parquet-go reads in them: every page's bounds, null
// count and first row in the column and offset indexes and its header,
// and every column chunk's statistics, for row groups of one page (2048
// rows), of two pages (pageRows and the rest), and with segments cut short
// by their strings' size, with one and two workers.
func TestPacketsStatistics(t *testing.T) {
	for _, tc := range []struct {
		name       string
		reps       int
		groupMax   int
		extraBytes int
	}{
		{"small groups", 6, 2048, 0},
		{"two pages", 45, RowGroupRows, 0},
		{"segments cut by their strings", 45, RowGroupRows, 5000},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.extraBytes > 0 {
				defer func(n int) { segmentExtraBytes = n }(segmentExtraBytes)
				segmentExtraBytes = tc.extraBytes
			}
			data := repeated(t, "s02_enc_kmrefresh", tc.reps)
			write := func(workers int) []byte { return writePacketsWith(t, data, "x", tc.groupMax, workers) }
			file := write(1)
			require.True(t, bytes.Equal(file, write(2)), "the same bytes with two workers")
			checkStatistics(t, file)
			if tc.extraBytes > 0 {
				// The same rows as with whole segments.
				segmentExtraBytes = 4 << 20
				assert.Equal(t, readRows[PacketRow](t, write(1)), readRows[PacketRow](t, file))
			}
		})
	}
}

func checkStatistics(t *testing.T, file []byte) {
	f, err := parquet.OpenFile(bytes.NewReader(file), int64(len(file)))
	require.NoError(t, err)
	md := f.Metadata()
	twoPages := false
	for g, rg := range f.RowGroups() {
		for c, cc := range rg.ColumnChunks() {
			meta := md.RowGroups[g].Columns[c].MetaData
			path := meta.PathInSchema
			typ := cc.Type()
			ci, err := cc.ColumnIndex()
			require.NoError(t, err)
			oi, err := cc.OffsetIndex()
			require.NoError(t, err)
			pages := cc.Pages()
			var nulls, values, rows int64
			var lo, hi parquet.Value
			has := false
			i := 0
			for ; ; i++ {
				p, err := pages.ReadPage()
				if errors.Is(err, io.EOF) {
					break
				}
				require.NoError(t, err, path)
				require.Less(t, i, ci.NumPages(), path)
				assert.Equal(t, rows, oi.FirstRowIndex(i), "%v page %d", path, i)
				assert.Equal(t, p.NumNulls(), ci.NullCount(i), "%v page %d", path, i)
				pmin, pmax, ok := p.Bounds()
				assert.Equal(t, !ok, ci.NullPage(i), "%v page %d", path, i)
				if ok {
					assert.Zero(t, typ.Compare(pmin, ci.MinValue(i)), "%v page %d: min %v, index %v", path, i, pmin, ci.MinValue(i))
					assert.Zero(t, typ.Compare(pmax, ci.MaxValue(i)), "%v page %d: max %v, index %v", path, i, pmax, ci.MaxValue(i))
					if !has || typ.Compare(pmin, lo) < 0 {
						lo = pmin.Clone()
					}
					if !has || typ.Compare(pmax, hi) > 0 {
						hi = pmax.Clone()
					}
					has = true
				}
				nulls += p.NumNulls()
				values += p.NumValues()
				rows += p.NumRows()
				parquet.Release(p)
			}
			pages.Close()
			if i > 1 {
				twoPages = true
			}
			assert.Equal(t, ci.NumPages(), i, path)
			assert.Equal(t, rg.NumRows(), rows, path)
			assert.Equal(t, values, meta.NumValues, path)
			assert.Equal(t, nulls, meta.Statistics.NullCount, path)
			if has {
				assert.Zero(t, typ.Compare(lo, typ.Kind().Value(meta.Statistics.MinValue)), "%v: min %v", path, lo)
				assert.Zero(t, typ.Compare(hi, typ.Kind().Value(meta.Statistics.MaxValue)), "%v: max %v", path, hi)
			} else {
				assert.Empty(t, meta.Statistics.MinValue, path)
				assert.Empty(t, meta.Statistics.MaxValue, path)
			}
		}
	}
	if md.RowGroups[0].NumRows > pageRows {
		assert.True(t, twoPages, "a row group of more than pageRows rows has pages of pageRows")
	}
}

// TestDoubleStatistics checks the rules for DOUBLE bounds that
// checkStatistics cannot see (parquet-go compares -0 and +0 as equal, and
// the corpus has no NaN): NaN is left out of the bounds, a page of NaN
// only has NaN bounds in its column index and none in the chunk's
// statistics, a zero minimum is -0 and a zero maximum +0.
func TestDoubleStatistics(t *testing.T) {
	var rows []ConnectionRow
	for _, c := range corpus(t)[:4] {
		for i, a := range track(t, readCapture(t, c.Name)) {
			rows = AppendConnectionRows(rows, c.Name, i+1, a)
		}
	}
	require.Greater(t, len(rows), 3)
	nan, negZero := math.NaN(), math.Copysign(0, -1)
	for i := range rows {
		r := &rows[i]
		r.DirJitterUS = ptr(nan)                           // NaN only
		r.DirLossPct = ptr([]float64{0, nan, 2.5}[i%3])    // a zero, NaN, a value
		r.DirOverheadPct = ptr([]float64{0, negZero}[i%2]) // zeros
	}
	file := connectionFile(t, rows)
	f, err := parquet.OpenFile(bytes.NewReader(file), int64(len(file)))
	require.NoError(t, err)
	bits := func(b []byte) uint64 {
		require.Len(t, b, 8)
		return binary.LittleEndian.Uint64(b)
	}
	for c, cc := range f.RowGroups()[0].ColumnChunks() {
		meta := f.Metadata().RowGroups[0].Columns[c].MetaData
		ci, err := cc.ColumnIndex()
		require.NoError(t, err)
		st := meta.Statistics
		switch strings.Join(meta.PathInSchema, ".") {
		case "dir_jitter_us":
			assert.Empty(t, st.MinValue)
			assert.Empty(t, st.MaxValue)
			assert.False(t, ci.NullPage(0))
			assert.True(t, math.IsNaN(ci.MinValue(0).Double()))
			assert.True(t, math.IsNaN(ci.MaxValue(0).Double()))
		case "dir_loss_pct":
			assert.Equal(t, math.Float64bits(negZero), bits(st.MinValue), "min")
			assert.Equal(t, math.Float64bits(2.5), bits(st.MaxValue), "max")
			assert.Equal(t, math.Float64bits(negZero), math.Float64bits(ci.MinValue(0).Double()))
		case "dir_overhead_pct":
			assert.Equal(t, math.Float64bits(negZero), bits(st.MinValue), "min")
			assert.Equal(t, uint64(0), bits(st.MaxValue), "max")
			assert.Equal(t, uint64(0), math.Float64bits(ci.MaxValue(0).Double()))
		}
	}
	got := readRows[ConnectionRow](t, file)
	require.Len(t, got, len(rows))
	assert.True(t, math.IsNaN(*got[0].DirJitterUS))
	assert.Equal(t, 2.5, *got[2].DirLossPct)
}
