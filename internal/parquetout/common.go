package parquetout

import (
	"net/netip"
	"time"
)

// RowGroupRows is the largest row group a writer buffers: when it holds
// that many rows it is written out and its buffers are reused. 64 Ki rows
// of the packets table take a few MiB once encoded; engines read a row
// group as one unit of work (DuckDB splits files into row groups across
// its threads).
const RowGroupRows = 64 << 10

// CreatedBy is the created_by string of the files' footer (Parquet
// FileMetaData.created_by).
const CreatedBy = "srtwire (github.com/srtwire/srtwire)"

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
