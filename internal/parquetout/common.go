package parquetout

import (
	"net/netip"
	"time"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/compress/zstd"
)

// RowGroupRows is the largest row group a writer buffers: when it holds
// that many rows it is written out and its buffers are reused. 64 Ki rows
// of the packets table take a few MiB once encoded; engines read a row
// group as one unit of work (DuckDB splits files into row groups across
// its threads).
const RowGroupRows = 64 << 10

// batchRows is how many rows a writer fills before handing them to
// parquet-go at once (its Write takes a slice; parquet-go itself works in
// chunks of 64 rows).
const batchRows = 256

// CreatedBy is the created_by string of the files' footer (Parquet
// FileMetaData.created_by).
const CreatedBy = "srtwire (github.com/srtwire/srtwire)"

// writerOptions are the options of every file: zstd for every column
// (the column tags name it too; this covers the nested list columns),
// data pages v1 (DataPageHeader rather than DataPageHeaderV2: older Spark,
// Hive and Arrow readers handle only that one well), row groups of
// RowGroupRows, and a fixed created_by so that the bytes do not depend on
// the build.
func writerOptions(extra ...parquet.WriterOption) []parquet.WriterOption {
	return append([]parquet.WriterOption{
		parquet.Compression(zstdCodec),
		parquet.DataPageVersion(1),
		parquet.MaxRowsPerRowGroup(RowGroupRows),
		createdBy(CreatedBy),
	}, extra...)
}

// createdBy sets the footer's created_by string as it is (parquet.CreatedBy
// appends a version and a build).
type createdBy string

func (c createdBy) ConfigureWriter(cfg *parquet.WriterConfig) { cfg.CreatedBy = string(c) }

// zstdCodec is parquet-go's zstd codec at the settings of compress
// (spare.go), which compresses both tables' pages with encoders of its
// own: writerOptions name it for the footer of an empty file
// (schemaFooter) and the tests' reference writers. SpeedFastest
// (zstd level 1): about 8% less CPU per row than the default level for 7%
// larger files on the corpus, and the packets table is written at capture
// speed.
var zstdCodec = &zstd.Codec{Level: zstd.SpeedFastest}

// micros returns t as microseconds since the Unix epoch, UTC: the value of
// a TIMESTAMP(MICROS) column.
func micros(t time.Time) int64 { return t.UnixMicro() }

// addrNames caches the text form of UDP endpoints ("ip:port"), so that a
// packet row does not format (and allocate) its two addresses: a capture
// has few endpoints. The cache is emptied when it grows past maxAddrNames
// (a scan of many hosts), which keeps it bounded.
type addrNames map[netip.AddrPort]string

const maxAddrNames = 4096

func (c *addrNames) name(a netip.AddrPort) string {
	if s, ok := (*c)[a]; ok {
		return s
	}
	if *c == nil || len(*c) >= maxAddrNames {
		*c = make(addrNames, 64)
	}
	s := a.String()
	(*c)[a] = s
	return s
}

// set stores v in the slot and points the optional column *dst at it: the
// slots live beside the rows, so that filling an optional column does not
// allocate.
func set[T any](dst **T, slot *T, v T) {
	*slot = v
	*dst = slot
}
