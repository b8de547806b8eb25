package parquetout

import (
	"bytes"
	"errors"
	"io"
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
