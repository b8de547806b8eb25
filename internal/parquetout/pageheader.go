package parquetout

import (
	"encoding/binary"

	"github.com/parquet-go/parquet-go/format"
)

// appendPageHeader appends h in Thrift's compact protocol, the encoding of
// a page header (https://github.com/apache/thrift/blob/master/doc/specs/thrift-compact-protocol.md):
// what thrift.Marshal writes for the fields fileWriter sets, without its
// reflection and allocations, which cost a few percent of a file's CPU
// time.
func appendPageHeader(b []byte, h *format.PageHeader) []byte {
	var e compactStruct
	b = e.i32(b, 1, int32(h.Type))
	b = e.i32(b, 2, h.UncompressedPageSize)
	b = e.i32(b, 3, h.CompressedPageSize)
	b = e.i32(b, 4, h.CRC)
	if d, ok := h.DataPageHeader.Get(); ok {
		b = e.begin(b, 5)
		var f compactStruct
		b = f.i32(b, 1, d.NumValues)
		b = f.i32(b, 2, int32(d.Encoding))
		b = f.i32(b, 3, int32(d.DefinitionLevelEncoding))
		b = f.i32(b, 4, int32(d.RepetitionLevelEncoding))
		b = f.begin(b, 5)
		b = appendStatistics(b, &d.Statistics)
		b = append(b, 0) // end of DataPageHeader
	}
	if d, ok := h.DictionaryPageHeader.Get(); ok {
		b = e.begin(b, 7)
		var f compactStruct
		b = f.i32(b, 1, d.NumValues)
		b = f.i32(b, 2, int32(d.Encoding))
		b = append(b, 0) // end of DictionaryPageHeader
	}
	return append(b, 0)
}

// compactStruct writes the field headers of one struct: each has the
// difference of its id from the previous field's (fields in increasing
// order, less than 16 apart).
type compactStruct struct{ last int16 }

const (
	compactFalse      = 2
	compactI16        = 4
	compactI32        = 5
	compactI64        = 6
	compactBinary     = 8
	compactList       = 9
	compactStructType = 12
)

func (s *compactStruct) field(b []byte, id int16, typ byte) []byte {
	b = append(b, byte(id-s.last)<<4|typ)
	s.last = id
	return b
}

func (s *compactStruct) i16(b []byte, id int16, v int16) []byte {
	return appendZigzag(s.field(b, id, compactI16), int64(v))
}

func (s *compactStruct) i32(b []byte, id int16, v int32) []byte {
	return appendZigzag(s.field(b, id, compactI32), int64(v))
}

func (s *compactStruct) i64(b []byte, id int16, v int64) []byte {
	return appendZigzag(s.field(b, id, compactI64), v)
}

// appendZigzag appends v as a zigzag varint, the compact protocol's
// integers (an i32's zigzag of 32 bits is the same number).
func appendZigzag(b []byte, v int64) []byte {
	return binary.AppendUvarint(b, uint64(v<<1^v>>63))
}

// list starts a list field of n elements of type elem (its elements
// follow).
func (s *compactStruct) list(b []byte, id int16, elem byte, n int) []byte {
	b = s.field(b, id, compactList)
	if n < 15 {
		return append(b, byte(n)<<4|elem)
	}
	return binary.AppendUvarint(append(b, 0xf0|elem), uint64(n))
}

func (s *compactStruct) binary(b []byte, id int16, v []byte) []byte {
	return appendBinary(s.field(b, id, compactBinary), v)
}

// appendBinary appends a binary (or string) value: its length, then its
// bytes.
func appendBinary[T []byte | string](b []byte, v T) []byte {
	return append(binary.AppendUvarint(b, uint64(len(v))), v...)
}

// begin starts a struct field (its fields follow, then a 0).
func (s *compactStruct) begin(b []byte, id int16) []byte {
	return s.field(b, id, compactStructType)
}
