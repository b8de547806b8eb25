package parquetout

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/klauspost/compress/zstd"
	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/format"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/srtwire/srtwire/capture"
	"github.com/srtwire/srtwire/handshake"
	"github.com/srtwire/srtwire/packet"
)

func TestPacketColumnOrder(t *testing.T) {
	cols := packetSchema.Columns()
	require.Len(t, cols, numPacketColumns)
	for c, want := range map[int]string{
		cFile: "file", cTime: "time", cLen: "len", cDstSocket: "dst_socket", cDataSeq: "data_seq",
		cDataFEC: "data_fec", cHSVersion: "hs_version", cHSExtensions: "hs_extensions", cRejectCode: "reject_code",
		cRejectRetryable: "reject_retryable", cUmsgSubtype: "umsg_subtype", cSRTFlagNames: "srt_flag_names",
		cKMState: "km_state", cGroupWeight: "group_weight", cAckNo: "ack_no", cAckRecvRate: "ack_recv_rate",
		cNakLossesFirst: "nak_losses", cNakLossesLast: "nak_losses", cNakSeqs: "nak_seqs",
		cDropreqLastSeq: "dropreq_last_seq", cErrorOffset: "error_offset",
	} {
		assert.Equal(t, want, cols[c][0], "column %d", c)
	}
	assert.Equal(t, []string{"nak_losses", "list", "element", "first"}, cols[cNakLossesFirst])
	assert.Equal(t, []string{"nak_losses", "list", "element", "last"}, cols[cNakLossesLast])
	// Every flat column's position: the names in struct order.
	var names []string
	for _, c := range cols {
		if len(names) == 0 || names[len(names)-1] != c[0] {
			names = append(names, c[0])
		}
	}
	var fields []string
	for name := range columnsOfAll(PacketRow{}) {
		fields = append(fields, name)
	}
	assert.Equal(t, fields, names)
}

// columnsOfAll lists a row struct's column names in field order.
func columnsOfAll(row any) func(func(string) bool) {
	return func(yield func(string) bool) {
		for _, f := range parquet.SchemaOf(row).Fields() {
			if !yield(f.Name()) {
				return
			}
		}
	}
}

// TestPacketsCorpus writes every corpus capture's packets table, reads it
// back with parquet-go's reader, and compares every row with what the
// codec says of the same frame.
func TestPacketsCorpus(t *testing.T) {
	total := 0
	for _, c := range corpus(t) {
		t.Run(c.Name, func(t *testing.T) {
			data := readCapture(t, c.Name)
			file := writePackets(t, data, c.Name+".pcap")
			rows := readRows[PacketRow](t, file)
			i := 0
			eachFrame(t, data, func(f *capture.Frame) {
				require.Less(t, i, len(rows))
				checkPacketRow(t, &rows[i], f, c.Name+".pcap")
				i++
			})
			require.Equal(t, i, len(rows), "one row per frame")
			total += len(rows)
		})
	}
	t.Logf("%d rows checked", total)
}

func checkPacketRow(t *testing.T, r *PacketRow, f *capture.Frame, file string) {
	t.Helper()
	msg := fmt.Sprintf("frame %d", f.Number)
	require.Equal(t, file, r.File, msg)
	require.Equal(t, int64(f.Number), r.Frame, msg)
	require.Equal(t, f.Time.UnixMicro(), r.Time, msg)
	require.Equal(t, f.Src.String(), r.Src, msg)
	require.Equal(t, f.Dst.String(), r.Dst, msg)
	require.Equal(t, int32(f.Len), r.Len, msg)
	if f.Fragment || len(f.Data) < packet.HeaderSize {
		require.Nil(t, r.Kind, msg)
		require.NotNil(t, r.Error, msg)
		return
	}
	p := &f.Packet
	require.Equal(t, p.Control, *r.Control, msg)
	require.Equal(t, p.Kind().String(), *r.Kind, msg)
	require.Equal(t, int64(p.Timestamp), *r.Timestamp, msg)
	require.Equal(t, int64(p.DstSocket), *r.DstSocket, msg)
	if f.Err != nil {
		require.NotNil(t, r.Error, msg)
		require.NotNil(t, r.ErrorOffset, msg)
	} else {
		require.Nil(t, r.Error, msg)
	}
	if !p.Control {
		require.Equal(t, "DATA", *r.Type, msg)
		require.Nil(t, r.TypeCode, msg)
		require.Equal(t, int64(p.Seq), *r.DataSeq, msg)
		require.Equal(t, int64(p.MsgNo), *r.DataMsgNo, msg)
		require.Equal(t, p.Position.String(), *r.DataPosition, msg)
		require.Equal(t, p.Key.String(), *r.DataKey, msg)
		require.Equal(t, p.InOrder, *r.DataInOrder, msg)
		require.Equal(t, p.Retransmitted, *r.DataRetransmitted, msg)
		require.Equal(t, int32(len(p.Payload)), *r.DataPayloadLen, msg)
		require.Equal(t, p.IsFEC(), *r.DataFEC, msg)
		require.Nil(t, r.HSType, msg)
		require.Nil(t, r.AckNo, msg)
		return
	}
	require.Nil(t, r.DataSeq, msg)
	require.Equal(t, p.Type.String(), *r.Type, msg)
	require.Equal(t, int32(p.Type), *r.TypeCode, msg)
	require.Equal(t, int32(p.Subtype), *r.Subtype, msg)
	require.Equal(t, int64(p.Info), *r.Info, msg)
	switch p.Kind() {
	case packet.KindHandshake:
		if len(f.Data) < packet.HeaderSize+handshake.CIFSize {
			require.Equal(t, int32(len(f.Data)), *r.HSTruncatedAt, msg)
			return
		}
		h := &p.Handshake
		require.Equal(t, int64(h.Version), *r.HSVersion, msg)
		require.Equal(t, int32(h.Encryption), *r.HSEncryption, msg)
		require.Equal(t, int32(h.Extension), *r.HSExtension, msg)
		require.Equal(t, int64(h.ISN), *r.HSISN, msg)
		require.Equal(t, int64(h.MTU), *r.HSMTU, msg)
		require.Equal(t, int64(h.FlowWindow), *r.HSFlowWindow, msg)
		require.Equal(t, int32(h.Type), *r.HSTypeCode, msg)
		require.Equal(t, int64(h.SocketID), *r.HSSocketID, msg)
		require.Equal(t, int64(h.Cookie), *r.HSCookie, msg)
		require.Equal(t, h.PeerAddr().String(), *r.HSPeerIP, msg)
		if reason, ok := h.Type.Reason(); ok {
			require.Equal(t, "REJECT", *r.HSType, msg)
			require.Equal(t, int32(reason), *r.RejectCode, msg)
			require.Equal(t, reason.Wire(), *r.RejectWire, msg)
			require.Equal(t, reason.Name(), *r.RejectName, msg)
			require.Equal(t, categoryName(reason.Category()), *r.RejectCategory, msg)
			require.Equal(t, reason.Text(), *r.RejectText, msg)
			require.Equal(t, reason.Retryable(), *r.RejectRetryable, msg)
		} else {
			require.Equal(t, h.Type.String(), *r.HSType, msg)
			require.Nil(t, r.RejectCode, msg)
		}
		if sid := h.StreamID(); sid != "" {
			require.Equal(t, sid, *r.StreamID, msg)
		}
		if q, err := h.SRTOptions(); err == nil {
			require.Equal(t, q.Version.String(), *r.SRTVersion, msg)
			require.Equal(t, int64(q.Flags), *r.SRTFlags, msg)
			require.Equal(t, q.Flags.Names(nil), r.SRTFlagNames, msg)
			require.Equal(t, int32(q.RecvDelay), *r.RcvTSBPDDelay, msg)
			require.Equal(t, int32(q.SendDelay), *r.SndTSBPDDelay, msg)
		}
		var km handshake.KeyMaterial
		if h.KeyMaterial(&km) == nil {
			require.Equal(t, int32(km.KeyLen), *r.KMKeyLen, msg)
			require.Equal(t, km.Cipher.String(), *r.KMCipher, msg)
		}
		if st, err := h.KMState(); err == nil {
			require.Equal(t, st.String(), *r.KMState, msg)
		}
		var types []string
		for it := h.Extensions(); it.Next(); {
			types = append(types, it.Type().String())
		}
		if len(h.Ext) >= 4 {
			require.Equal(t, nonNil(types), r.HSExtensions, msg)
		}
	case packet.KindACK:
		a := &p.ACK
		require.Equal(t, int64(p.Info), *r.AckNo, msg)
		require.Equal(t, a.Variant.String(), *r.AckVariant, msg)
		require.Equal(t, int64(a.LastAckSeq), *r.AckLastAckSeq, msg)
		if a.Variant >= packet.ACKSmall {
			require.Equal(t, int64(a.RTT), *r.AckRTT, msg)
			require.Equal(t, int64(a.RTTVar), *r.AckRTTVar, msg)
			require.Equal(t, int64(a.AvailBuf), *r.AckAvailBuf, msg)
		} else {
			require.Nil(t, r.AckRTT, msg)
		}
		if a.Variant >= packet.ACKFull24 {
			require.Equal(t, int64(a.PktRate), *r.AckPktRate, msg)
			require.Equal(t, int64(a.Bandwidth), *r.AckBandwidth, msg)
		}
		if a.Variant >= packet.ACKFull {
			require.Equal(t, int64(a.RecvRate), *r.AckRecvRate, msg)
		} else {
			require.Nil(t, r.AckRecvRate, msg)
		}
	case packet.KindNAK:
		var want []LossRange
		for c := p.NAK.Losses(); c.Next(); {
			lo, hi := c.Range()
			want = append(want, LossRange{int64(lo), int64(hi)})
		}
		require.Equal(t, nonNil(want), r.NakLosses, msg)
		require.Equal(t, int64(p.NAK.Count()), *r.NakSeqs, msg)
	case packet.KindDropReq:
		require.Equal(t, int64(p.DropReq.First), *r.DropreqFirstSeq, msg)
		require.Equal(t, int64(p.DropReq.Last), *r.DropreqLastSeq, msg)
		require.Equal(t, int64(p.DropMsgNo()), *r.DropreqMsgNo, msg)
	case packet.KindUserDefined:
		require.Equal(t, p.Subtype.String(), *r.UmsgSubtype, msg)
		var km handshake.KeyMaterial
		if p.KeyMaterial(&km) == nil {
			require.Equal(t, int32(km.KeyLen), *r.KMKeyLen, msg)
			require.Equal(t, int32(km.Keys), *r.KMKK, msg)
		}
	}
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// TestPacketsMatchJSON compares every row with the `srtdump -json` object
// of the same frame, key by key: the JSON keys flattened by the rules of
// docs/parquet.md must be exactly the row's non-null columns, with the
// same values.
func TestPacketsMatchJSON(t *testing.T) {
	if testing.Short() {
		t.Skip("builds cmd/srtdump")
	}
	total := 0
	for _, c := range corpus(t) {
		t.Run(c.Name, func(t *testing.T) {
			path := capturePath(c.Name)
			rows := readRows[PacketRow](t, writePackets(t, readCapture(t, c.Name), path))
			lines := srtdumpLines(t, "-json", path)
			require.Len(t, lines, len(rows))
			for i, line := range lines {
				var obj map[string]any
				d := json.NewDecoder(strings.NewReader(line))
				d.UseNumber()
				require.NoError(t, d.Decode(&obj))
				want := flattenJSON(obj)
				want["file"] = path
				got := normalize(columnsOf(rows[i]))
				require.Equal(t, want, got, "frame %d: %s", rows[i].Frame, line)
			}
			total += len(rows)
		})
	}
	t.Logf("%d rows equal their -json objects", total)
}

// flattenJSON applies the flattening rules of docs/parquet.md to a packet
// object of srtdump -json. Numbers become int64 (floats are not used),
// arrays of strings []string.
func flattenJSON(obj map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range obj {
		switch k {
		case "data":
			for dk, dv := range v.(map[string]any) {
				out["data_"+dk] = scalar(dv)
			}
			if _, ok := out["data_fec"]; !ok {
				out["data_fec"] = false
			}
		case "handshake":
			for hk, hv := range v.(map[string]any) {
				switch hk {
				case "reject":
					for rk, rv := range hv.(map[string]any) {
						if rk == "unshifted" {
							for uk, uv := range rv.(map[string]any) {
								out["reject_unshifted_"+uk] = scalar(uv)
							}
							continue
						}
						out["reject_"+rk] = scalar(rv)
					}
				case "extensions":
					types := []string{}
					seen := map[string]bool{}
					for _, e := range hv.([]any) {
						blk := e.(map[string]any)
						typ := blk["type"].(string)
						types = append(types, typ)
						group := typ
						switch typ {
						case "HSRSP":
							group = "HSREQ"
						case "KMRSP":
							group = "KMREQ"
						}
						if seen[group] {
							continue
						}
						seen[group] = true
						for bk, bv := range blk {
							switch bk {
							case "type", "type_code", "words":
							default:
								flattenContent(out, bk, bv)
							}
						}
					}
					out["hs_extensions"] = types
				default:
					out["hs_"+hk] = scalar(hv)
				}
			}
		case "ack":
			for ak, av := range v.(map[string]any) {
				if !strings.HasPrefix(ak, "ack_") {
					ak = "ack_" + ak
				}
				out[ak] = scalar(av)
			}
		case "nak":
			losses := []LossRange{}
			var n int64
			for _, l := range v.(map[string]any)["losses"].([]any) {
				pair := l.([]any)
				lo, hi := scalar(pair[0]).(int64), scalar(pair[1]).(int64)
				losses = append(losses, LossRange{lo, hi})
				n += int64(packet.SeqNumber(lo).Distance(packet.SeqNumber(hi))) + 1
			}
			out["nak_losses"] = losses
			out["nak_seqs"] = n
		case "peer_error":
			for pk, pv := range v.(map[string]any) {
				out["peer_error_"+pk] = scalar(pv)
			}
		case "dropreq":
			for dk, dv := range v.(map[string]any) {
				out["dropreq_"+dk] = scalar(dv)
			}
		case "umsg":
			for uk, uv := range v.(map[string]any) {
				if uk == "subtype" {
					out["umsg_subtype"] = uv
					continue
				}
				flattenContent(out, uk, uv)
			}
		default:
			out[k] = scalar(v)
		}
	}
	return out
}

// flattenContent flattens a key of an extension block or UMSG_EXT body.
func flattenContent(out map[string]any, k string, v any) {
	switch k {
	case "flags":
		out["srt_flags"] = scalar(v)
	case "flag_names":
		out["srt_flag_names"] = scalar(v)
	case "weight":
		out["group_weight"] = scalar(v)
	case "truncated":
		out["ext_truncated"] = v
	case "km":
		for kk, kv := range v.(map[string]any) {
			out["km_"+kk] = scalar(kv)
		}
	default:
		out[k] = scalar(v)
	}
}

func scalar(v any) any {
	switch v := v.(type) {
	case json.Number:
		if n, err := v.Int64(); err == nil {
			return n
		}
		f, err := v.Float64()
		if err != nil {
			panic(err)
		}
		return f
	case []any:
		s := []string{}
		for _, e := range v {
			s = append(s, e.(string))
		}
		return s
	}
	return v
}

// normalize turns a row's columns into flattenJSON's types, and the time
// column into srtdump's text form.
func normalize(cols map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range cols {
		switch v := v.(type) {
		case int32:
			out[k] = int64(v)
		case []string:
			if v == nil {
				continue // a null list
			}
			out[k] = v
		case []LossRange:
			if v == nil {
				continue
			}
			out[k] = v
		case []int64:
			if v == nil {
				continue
			}
			out[k] = v
		case []Finding:
			out[k] = nonNil(v)
		default:
			out[k] = v
		}
	}
	for _, k := range []string{"time", "first_time", "last_time", "dir_first_data", "dir_last_data"} {
		if t, ok := out[k].(int64); ok {
			out[k] = time.UnixMicro(t).UTC().Format("2006-01-02T15:04:05.000000Z")
		}
	}
	return out
}

// TestPacketsDeterministic: the same capture gives the same bytes.
func TestPacketsDeterministic(t *testing.T) {
	data := readCapture(t, "s02_enc_kmrefresh")
	a := writePackets(t, data, "x")
	b := writePackets(t, data, "x")
	require.True(t, bytes.Equal(a, b))
}

// TestPacketsReusedBuffers: a writer that takes the buffers another one
// gave back (segments, column chunks, dictionaries, encoders, grown by
// other captures and another row group size) writes the same bytes as one
// with new buffers, and the buffers are indeed taken back.
func TestPacketsReusedBuffers(t *testing.T) {
	packetTable.segments, packetTable.chunks, spareScratch, spareEncoders = freeList[*segment]{}, freeList[[]chunk]{}, freeList[*encScratch]{}, freeList[*zstd.Encoder]{}
	data := readCapture(t, "s02_enc_kmrefresh")
	fresh := writePackets(t, data, "x")
	require.Equal(t, 1, len(packetTable.chunks.items))
	require.Equal(t, 1, len(packetTable.segments.items))
	for _, c := range corpus(t) {
		writePackets(t, readCapture(t, c.Name), c.Name)
	}
	writePacketsWith(t, repeated(t, "s02_enc_kmrefresh", 10), "y", 2048, 2)
	require.Equal(t, 1, len(packetTable.chunks.items), "one set of chunks, reused by every writer")
	require.Equal(t, 2, len(packetTable.segments.items), "the two segments of the writer with two workers")
	again := writePackets(t, data, "x")
	require.True(t, bytes.Equal(fresh, again), "a writer with reused buffers wrote other bytes")
}

// TestPacketsFileLayout checks the file's metadata: row groups written as
// they fill (of 2048 rows here, RowGroupRows otherwise), zstd for every
// column chunk, dictionary encoding for the enumerations,
// TIMESTAMP(MICROS, UTC) for time; and that the columns encoded by two
// goroutines give the same bytes.
func TestPacketsFileLayout(t *testing.T) {
	data := repeated(t, "s02_enc_kmrefresh", 6) // 5106 rows: three row groups
	write := func(workers int) []byte { return writePacketsWith(t, data, "x", 2048, workers) }
	file := write(1)
	require.True(t, bytes.Equal(file, write(2)), "the same bytes with two workers")
	f, err := parquet.OpenFile(bytes.NewReader(file), int64(len(file)))
	require.NoError(t, err)
	md := f.Metadata()
	require.Equal(t, int64(5106), md.NumRows)
	require.Len(t, md.RowGroups, 3)
	assert.Equal(t, int64(2048), md.RowGroups[0].NumRows)
	assert.Equal(t, int64(5106-4096), md.RowGroups[2].NumRows)
	assert.Equal(t, CreatedBy, md.CreatedBy)
	for _, rg := range md.RowGroups {
		for _, cc := range rg.Columns {
			path := strings.Join(cc.MetaData.PathInSchema, ".")
			assert.Equal(t, format.Zstd, cc.MetaData.Codec, path)
			switch path {
			case "kind", "type", "file", "src", "dst", "data_position", "data_key", "ack_variant", "hs_type", "reject_name":
				assert.NotNil(t, cc.MetaData.DictionaryPageOffset, path)
				assert.Contains(t, cc.MetaData.Encoding, format.RLEDictionary, path)
			}
		}
	}
	tcol, ok := f.Schema().Lookup("time")
	require.True(t, ok)
	lt := tcol.Node.Type().LogicalType()
	ts, ok := lt.Value.(*format.TimestampType)
	require.True(t, ok, "%v", lt)
	assert.True(t, ts.IsAdjustedToUTC)
	assert.Equal(t, "TIMESTAMP(isAdjustedToUTC=true,unit=MICROS)", lt.String())
	rows := readRows[PacketRow](t, file)
	require.Len(t, rows, 5106)
	assert.Equal(t, int64(5106), rows[len(rows)-1].Frame)
}

// BenchmarkPacketWriter writes the packets table of a 102 120-packet
// capture held in memory (s02_enc_kmrefresh.pcap repeated 120 times, as
// bench/repeatpcap writes it: one full row group and part of a second),
// capture reading and decoding included, and reports rows per second.
func BenchmarkPacketWriter(b *testing.B) {
	data := repeated(b, "s02_enc_kmrefresh", 120)
	for _, w := range []int{1, 2} {
		b.Run(fmt.Sprintf("workers=%d", w), func(b *testing.B) { benchmarkPacketWriter(b, data, w) })
	}
}

func benchmarkPacketWriter(b *testing.B, data []byte, workers int) {
	var out bytes.Buffer
	rows := 0
	b.ReportAllocs()
	cpu0 := cpuTime()
	for b.Loop() {
		out.Reset()
		w := NewPacketWriter(&out, "bench.pcap")
		w.SetWorkers(workers)
		r, err := capture.NewReader(bytes.NewReader(data), nil)
		if err != nil {
			b.Fatal(err)
		}
		for r.Next() {
			if err := w.Write(r.Frame()); err != nil {
				b.Fatal(err)
			}
			rows++
		}
		if err := w.Close(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(rows)/b.Elapsed().Seconds(), "rows/s")
	// CPU time per row (user + system, all threads): what a busy machine
	// does not distort as much as the wall time.
	b.ReportMetric(float64((cpuTime()-cpu0).Nanoseconds())/float64(rows), "cpu-ns/row")
	b.ReportMetric(float64(out.Len()), "file-bytes")
}

// cpuTime returns the CPU time the process used so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// TestCompressAsCodec: compress, which keeps its own encoders, gives the
// bytes parquet-go's zstd codec gives, on pages
// of real rows and on edge sizes, and they decode back.
func TestCompressAsCodec(t *testing.T) {
	data := repeated(t, "s02_enc_kmrefresh", 3)
	inputs := [][]byte{nil, {0}, bytes.Repeat([]byte{7}, 1<<20), data[:4096], data}
	for i, in := range inputs {
		want, err := zstdCodec.Encode(nil, in)
		require.NoError(t, err)
		got := compress(nil, in)
		require.True(t, bytes.Equal(got, want), "input %d (%d bytes): %d bytes, codec %d", i, len(in), len(got), len(want))
		back, err := zstdCodec.Decode(nil, got)
		require.NoError(t, err)
		require.True(t, bytes.Equal(back, in), "input %d does not decode back", i)
	}
}

// BenchmarkConnectionWriter writes the connections table of one capture
// (s02_enc_kmrefresh), from a new writer to its footer: a fixed cost of
// every capture srtdump -parquet converts.
func BenchmarkConnectionWriter(b *testing.B) {
	attempts := track(b, readCapture(b, "s02_enc_kmrefresh"))
	b.ReportAllocs()
	for b.Loop() {
		cw := NewConnectionWriter(io.Discard, "s02_enc_kmrefresh.pcap")
		if err := cw.Write(attempts...); err != nil {
			b.Fatal(err)
		}
		if err := cw.Close(); err != nil {
			b.Fatal(err)
		}
	}
}
