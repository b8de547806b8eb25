// Package parquetout writes what srtwire decodes from a capture as Parquet
// tables, for query engines that read Parquet directly (DuckDB, Spark,
// Trino, ClickHouse, pandas/pyarrow, Polars):
//
//   - packets: one row per SRT packet (PacketWriter), the keys of
//     `srtdump -json` flattened into typed columns, plus the capture's file
//     name and frame number; no payload;
//   - connections: one row per connection attempt and direction
//     (ConnectionWriter), the keys of `srtdump -stats -json` flattened (the
//     summary keys and the per-direction statistics of package session),
//     with the attempt's findings as a list column.
//
// Every column (name, Parquet type, meaning, unit) is listed in
// docs/parquet.md; the Go row types PacketRow and ConnectionRow are the
// schemas. Capture writes both tables of one input capture to
// DIR/packets/NAME.parquet and DIR/connections/NAME.parquet, so that an
// archive is converted one file at a time, incrementally and in parallel
// (writers share nothing: one per goroutine).
//
// The files follow the Parquet format specification
// (https://parquet.apache.org/docs/file-format/): timestamps are INT64
// TIMESTAMP(MICROS, isAdjustedToUTC=true); enumerations (kind, type,
// outcome, ...) are dictionary-encoded UTF-8 strings; integers are signed
// INT32 or INT64 (the 32-bit unsigned fields of the wire format are INT64,
// which every engine reads without an unsigned type); a value the packet
// or the capture does not have is null, never 0. Every column is
// compressed with zstd. Data pages are version 1, the form every reader
// accepts.
//
// Memory is bounded: rows are buffered in row groups of at most
// RowGroupRows rows, each written out (and its buffers reused) as soon as
// it is full; a writer holds one row group, a few MiB, whatever the size of
// the capture (the packets table: the row group's pages compressed, each
// column's open page, and two segments of at most 8 Ki rows being filled
// and encoded). The output is deterministic: the same input gives the
// same bytes, whatever the number of goroutines that encode it.
//
// This package is the only user of github.com/parquet-go/parquet-go in
// srtwire, and only cmd/srtdump imports it: the codec packages stay
// standard-library only. It writes the files itself (fileWriter) and
// links only parquet-go's format types and level encoding: the package
// proper, with its readers, codecs and dependencies (protobuf among them),
// cost every srtdump run 5 ms of start-up. The tests read every file back
// with parquet-go and compare the footers with its Thrift encoder.
package parquetout
