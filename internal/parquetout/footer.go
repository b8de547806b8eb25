package parquetout

import (
	"github.com/parquet-go/parquet-go/format"
)

// The footer of a file (FileMetaData) and its page indexes (ColumnIndex,
// OffsetIndex) in Thrift's compact protocol, written field by field as
// appendPageHeader writes page headers: the same bytes as parquet-go's
// thrift.Marshal writes for the fields fileWriter sets
// (TestFooterLikeThrift), without its reflection, which cost close to half
// of the time of a small table (the connections table of a capture: 154
// columns of a few rows).

// table is what the files of one table share: their leaf columns, and
// their schema and column orders as the footer has them (generated from
// the row type by TestSchemaGenerated into schema_gen.go).
type table struct {
	specs        []colSpec
	schemaThrift string            // FileMetaData.schema: the list of SchemaElement, compact protocol
	ordersThrift string            // FileMetaData.column_orders: the list of ColumnOrder
	chunks       freeList[[]chunk] // spare column chunks of its writers
	segments     freeList[*segment]
	meta         freeList[columnMeta]
}

var (
	packetTable = &table{specs: packetColumns, schemaThrift: packetSchemaThrift, ordersThrift: packetOrdersThrift}
	connTable   = &table{specs: connColumns, schemaThrift: connSchemaThrift, ordersThrift: connOrdersThrift}
)

// appendFileMetaData appends the footer of a file of table t with rows
// rows in groups.
func appendFileMetaData(b []byte, t *table, rows int64, groups []format.RowGroup) []byte {
	var s compactStruct
	b = s.i32(b, 1, 2) // version
	b = s.field(b, 2, compactList)
	b = append(b, t.schemaThrift...)
	b = s.i64(b, 3, rows)
	b = s.list(b, 4, compactStructType, len(groups))
	for i := range groups {
		b = appendRowGroup(b, &groups[i])
	}
	b = s.binary(b, 6, []byte(CreatedBy))
	b = s.field(b, 7, compactList)
	b = append(b, t.ordersThrift...)
	return append(b, 0)
}

func appendRowGroup(b []byte, rg *format.RowGroup) []byte {
	var s compactStruct
	b = s.list(b, 1, compactStructType, len(rg.Columns))
	for i := range rg.Columns {
		b = appendColumnChunk(b, &rg.Columns[i])
	}
	b = s.i64(b, 2, rg.TotalByteSize)
	b = s.i64(b, 3, rg.NumRows)
	if rg.FileOffset != 0 {
		b = s.i64(b, 5, rg.FileOffset)
	}
	if rg.TotalCompressedSize != 0 {
		b = s.i64(b, 6, rg.TotalCompressedSize)
	}
	b = s.i16(b, 7, rg.Ordinal)
	return append(b, 0)
}

func appendColumnChunk(b []byte, cc *format.ColumnChunk) []byte {
	var s compactStruct
	b = s.i64(b, 2, cc.FileOffset)
	b = s.begin(b, 3)
	b = appendColumnMetaData(b, &cc.MetaData)
	if cc.OffsetIndexOffset != 0 {
		b = s.i64(b, 4, cc.OffsetIndexOffset)
	}
	if cc.OffsetIndexLength != 0 {
		b = s.i32(b, 5, cc.OffsetIndexLength)
	}
	if cc.ColumnIndexOffset != 0 {
		b = s.i64(b, 6, cc.ColumnIndexOffset)
	}
	if cc.ColumnIndexLength != 0 {
		b = s.i32(b, 7, cc.ColumnIndexLength)
	}
	return append(b, 0)
}

func appendColumnMetaData(b []byte, md *format.ColumnMetaData) []byte {
	var s compactStruct
	b = s.i32(b, 1, int32(md.Type))
	b = s.list(b, 2, compactI32, len(md.Encoding))
	for _, e := range md.Encoding {
		b = appendZigzag(b, int64(e))
	}
	b = s.list(b, 3, compactBinary, len(md.PathInSchema))
	for _, p := range md.PathInSchema {
		b = appendBinary(b, p)
	}
	b = s.i32(b, 4, int32(md.Codec))
	b = s.i64(b, 5, md.NumValues)
	b = s.i64(b, 6, md.TotalUncompressedSize)
	b = s.i64(b, 7, md.TotalCompressedSize)
	b = s.i64(b, 9, md.DataPageOffset)
	if md.DictionaryPageOffset != 0 {
		b = s.i64(b, 11, md.DictionaryPageOffset)
	}
	b = s.begin(b, 12)
	b = appendStatistics(b, &md.Statistics)
	if len(md.EncodingStats) > 0 {
		b = s.list(b, 13, compactStructType, len(md.EncodingStats))
		for _, e := range md.EncodingStats {
			var f compactStruct
			b = f.i32(b, 1, int32(e.PageType))
			b = f.i32(b, 2, int32(e.Encoding))
			b = f.i32(b, 3, e.Count)
			b = append(b, 0)
		}
	}
	return append(b, 0)
}

// appendStatistics appends a page's or a column chunk's statistics.
func appendStatistics(b []byte, st *format.Statistics) []byte {
	var s compactStruct
	b = s.i64(b, 3, st.NullCount)
	// An empty bound (every value is "") is a bound: written when it is
	// set, as thrift.Marshal writes a non-nil slice.
	if st.MaxValue != nil {
		b = s.binary(b, 5, st.MaxValue)
	}
	if st.MinValue != nil {
		b = s.binary(b, 6, st.MinValue)
	}
	return append(b, 0)
}

// appendColumnIndex appends a column chunk's column index.
func appendColumnIndex(b []byte, ci *format.ColumnIndex) []byte {
	var s compactStruct
	// A list of booleans: element type 2, as parquet-go writes it (the
	// specification's BOOLEAN_FALSE; readers take 1 or 2), a byte each.
	b = s.list(b, 1, compactFalse, len(ci.NullPages))
	for _, n := range ci.NullPages {
		if n {
			b = append(b, 1)
		} else {
			b = append(b, 0)
		}
	}
	b = s.list(b, 2, compactBinary, len(ci.MinValues))
	for _, v := range ci.MinValues {
		b = appendBinary(b, v)
	}
	b = s.list(b, 3, compactBinary, len(ci.MaxValues))
	for _, v := range ci.MaxValues {
		b = appendBinary(b, v)
	}
	b = s.i32(b, 4, int32(ci.BoundaryOrder))
	b = s.list(b, 5, compactI64, len(ci.NullCounts))
	for _, n := range ci.NullCounts {
		b = appendZigzag(b, n)
	}
	return append(b, 0)
}

// appendOffsetIndex appends a column chunk's offset index.
func appendOffsetIndex(b []byte, oi *format.OffsetIndex) []byte {
	var s compactStruct
	b = s.list(b, 1, compactStructType, len(oi.PageLocations))
	for _, p := range oi.PageLocations {
		var f compactStruct
		b = f.i64(b, 1, p.Offset)
		b = f.i32(b, 2, p.CompressedPageSize)
		b = f.i64(b, 3, p.FirstRowIndex)
		b = append(b, 0)
	}
	return append(b, 0)
}
