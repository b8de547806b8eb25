package parquetout

import (
	"math"
	"testing"

	"github.com/parquet-go/parquet-go/encoding/thrift"
	"github.com/parquet-go/parquet-go/format"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestAppendPageHeader: parquet-go's Thrift decoder reads back what
// appendPageHeader writes, and it is the bytes thrift.Marshal writes.
func TestAppendPageHeader(t *testing.T) {
	for _, h := range []format.PageHeader{
		{
			Type: format.DataPage, UncompressedPageSize: 262254, CompressedPageSize: 320, CRC: -123456789,
			DataPageHeader: thrift.New(format.DataPageHeader{
				NumValues: 32768, Encoding: format.Plain, DefinitionLevelEncoding: format.RLE, RepetitionLevelEncoding: format.RLE,
				Statistics: format.Statistics{NullCount: 1000, MinValue: []byte{1, 2, 3}, MaxValue: []byte("max")},
			}),
		},
		{
			Type: format.DataPage, UncompressedPageSize: 6, CompressedPageSize: 15, CRC: math.MaxInt32,
			DataPageHeader: thrift.New(format.DataPageHeader{
				NumValues: 65536, Encoding: format.RLEDictionary, DefinitionLevelEncoding: format.RLE, RepetitionLevelEncoding: format.RLE,
				Statistics: format.Statistics{NullCount: 65536},
			}),
		},
		{
			Type: format.DataPage, CRC: math.MinInt32,
			DataPageHeader: thrift.New(format.DataPageHeader{
				Statistics: format.Statistics{MinValue: make([]byte, 300), MaxValue: []byte{0xff}},
			}),
		},
		{
			// Every value of the page "": empty bounds are bounds.
			Type: format.DataPage, UncompressedPageSize: 9, CompressedPageSize: 18, CRC: 1,
			DataPageHeader: thrift.New(format.DataPageHeader{
				NumValues: 4, Encoding: format.RLEDictionary, DefinitionLevelEncoding: format.RLE, RepetitionLevelEncoding: format.RLE,
				Statistics: format.Statistics{NullCount: 1, MinValue: []byte{}, MaxValue: []byte{}},
			}),
		},
		{
			Type: format.DictionaryPage, UncompressedPageSize: 49, CompressedPageSize: 58, CRC: 7,
			DictionaryPageHeader: thrift.New(format.DictionaryPageHeader{NumValues: 6, Encoding: format.Plain}),
		},
	} {
		b := appendPageHeader(nil, &h)
		var got format.PageHeader
		require.NoError(t, thrift.Unmarshal(new(thrift.CompactProtocol), b, &got))
		assert.Equal(t, h, got)
		want, err := thrift.Marshal(new(thrift.CompactProtocol), &h)
		require.NoError(t, err)
		assert.Equal(t, want, b)
	}
}
