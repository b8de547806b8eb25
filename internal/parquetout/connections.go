package parquetout

import (
	"fmt"
	"io"
	"reflect"
	"slices"
	"strings"
	"sync"
	"time"
	"unsafe"

	"github.com/srtwire/srtwire/session"
)

// ConnectionRow is one row of the connections table: one direction of one
// connection attempt (session.Attempt and one of its session.Direction
// values). The columns are the keys of `srtdump -stats -json`
// (docs/srtdump-json.md) flattened: the attempt's keys (those of
// `srtdump -summary -json`) without a prefix, the same in both rows of an
// attempt, and the keys of its entry in "directions" prefixed with dir_
// (an object's keys joined with _: directions[].data.lost is
// dir_data_lost, directions[].rtt_us.avg is dir_rtt_us_avg), then a few
// more fields of package session. An attempt whose directions saw no
// packet other than handshakes (a rejection, an unanswered caller) has one
// row, with direction and every dir_* column null. A nil pointer is a
// null: the JSON omits the key (unknown, never 0).
//
// Unlike srtdump's outputs, retries are not grouped: every attempt is a
// row (GROUP BY does that in SQL), so a group's "attempts" is the number
// of rows.
//
// To add a field of package session: add a column here (its Go type is
// its Parquet type; a pointer makes it nullable), set it in fillAttempt or
// fillDirection, list it in docs/parquet.md (TestColumnsDocumented
// checks that every column is there; TestConnectionsMatchStatsJSON that
// every -stats -json key has its column), and write schema_gen.go anew
// (go test ./internal/parquetout -run TestSchemaGenerated -update).
type ConnectionRow struct {
	File           string  `parquet:"file,dict"`
	Attempt        int32   `parquet:"attempt"`
	DirectionIndex int32   `parquet:"direction_index"`
	Direction      *string `parquet:"direction,optional,dict"`

	// the keys of -summary -json
	Caller              string    `parquet:"caller,dict"`
	Listener            string    `parquet:"listener,dict"`
	Mode                string    `parquet:"mode,dict"`
	Roles               *string   `parquet:"roles,optional,dict"`
	FirstFrame          int64     `parquet:"first_frame"`
	LastFrame           int64     `parquet:"last_frame"`
	FirstTime           int64     `parquet:"first_time,timestamp(microsecond:utc)"`
	LastTime            int64     `parquet:"last_time,timestamp(microsecond:utc)"`
	StreamID            string    `parquet:"stream_id,dict"`
	Truncated           bool      `parquet:"truncated"`
	Encryption          string    `parquet:"encryption,dict"`
	EncryptionState     string    `parquet:"encryption_state,dict"`
	RequestedEncryption *string   `parquet:"requested_encryption,optional,dict"`
	KMState             *string   `parquet:"km_state,optional,dict"`
	LatencyMS           *int32    `parquet:"latency_ms,optional"`
	Congestion          string    `parquet:"congestion,dict"`
	Filter              string    `parquet:"filter,dict"`
	Outcome             string    `parquet:"outcome,dict"`
	RejectCode          *int32    `parquet:"reject_code,optional"`
	RejectWire          *int32    `parquet:"reject_wire,optional"`
	RejectName          *string   `parquet:"reject_name,optional,dict"`
	RejectCategory      *string   `parquet:"reject_category,optional,dict"`
	RejectText          *string   `parquet:"reject_text,optional,dict"`
	RejectRetryable     *bool     `parquet:"reject_retryable,optional"`
	RejectUnshiftedCode *int32    `parquet:"reject_unshifted_code,optional"`
	RejectUnshiftedName *string   `parquet:"reject_unshifted_name,optional,dict"`
	HandshakeRTTUS      *int64    `parquet:"handshake_rtt_us,optional"`
	DataPackets         int64     `parquet:"data_packets"`
	Retransmitted       int64     `parquet:"retransmitted"`
	Lost                int64     `parquet:"lost"`
	NAKReports          int64     `parquet:"nak_reports"`
	FECPackets          int64     `parquet:"fec_packets"`
	PeerError           *int64    `parquet:"peer_error,optional"`
	Decrypted           *int64    `parquet:"decrypted,optional"`
	Findings            []Finding `parquet:"findings,list"`

	// more of session.Attempt
	Reason          string   `parquet:"reason,dict"`
	FindingCodes    []string `parquet:"finding_codes,list" parquet-element:",dict"`
	HandshakeSeen   bool     `parquet:"handshake_seen"`
	SRTVersion      *string  `parquet:"srt_version,optional,dict"`
	KeyLen          int32    `parquet:"key_len"`
	RequestedKeyLen int32    `parquet:"requested_key_len"`
	PassphraseMatch *bool    `parquet:"passphrase_match,optional"`
	PeerErrorFrom   *string  `parquet:"peer_error_from,optional,dict"`
	PeerErrorFrame  *int64   `parquet:"peer_error_frame,optional"`
	Handshakes      int64    `parquet:"handshakes"`
	Inductions      int64    `parquet:"inductions"`
	NAKSeqs         int64    `parquet:"nak_seqs"`
	RejectFrame     *int64   `parquet:"reject_frame,optional"`
	AfterReject     int64    `parquet:"after_reject"`
	AfterRejectKind *string  `parquet:"after_reject_first,optional,dict"`
	PeerIPMismatch  bool     `parquet:"peer_ip_mismatch"`
	PeerIPSeen      *string  `parquet:"peer_ip_seen,optional,dict"`
	PeerIPFrame     *int64   `parquet:"peer_ip_frame,optional"`

	// directions[]
	DirFrom        *string  `parquet:"dir_from,optional,dict"`
	DirTo          *string  `parquet:"dir_to,optional,dict"`
	DirFirstData   *int64   `parquet:"dir_first_data,optional,timestamp(microsecond:utc)"`
	DirLastData    *int64   `parquet:"dir_last_data,optional,timestamp(microsecond:utc)"`
	DirDurationS   *float64 `parquet:"dir_duration_s,optional"`
	DirLongestGapS *float64 `parquet:"dir_longest_gap_s,optional"`
	DirLatencyMS   *int32   `parquet:"dir_latency_ms,optional"`
	DirGapStart    *int64   `parquet:"dir_gap_start,optional,timestamp(microsecond:utc)"`
	DirOverheadPct *float64 `parquet:"dir_overhead_pct,optional"`
	DirRetransPct  *float64 `parquet:"dir_retransmitted_pct,optional"`
	DirLossPct     *float64 `parquet:"dir_loss_pct,optional"`
	DirJitterUS    *float64 `parquet:"dir_jitter_us,optional"`

	// directions[].data
	DirPackets         *int64  `parquet:"dir_data_packets,optional"`
	DirOriginal        *int64  `parquet:"dir_data_original,optional"`
	DirRetransmitted   *int64  `parquet:"dir_data_retransmitted,optional"`
	DirRetrans1        *int64  `parquet:"dir_data_retransmitted_times_1,optional"`
	DirRetrans2        *int64  `parquet:"dir_data_retransmitted_times_2,optional"`
	DirRetrans3        *int64  `parquet:"dir_data_retransmitted_times_3,optional"`
	DirRetrans4        *int64  `parquet:"dir_data_retransmitted_times_4,optional"`
	DirRetrans5        *int64  `parquet:"dir_data_retransmitted_times_5plus,optional"`
	DirPayloadBytes    *int64  `parquet:"dir_data_payload_bytes,optional"`
	DirOriginalBytes   *int64  `parquet:"dir_data_original_bytes,optional"`
	DirLost            *int64  `parquet:"dir_data_lost,optional"`
	DirRecovered       *int64  `parquet:"dir_data_recovered,optional"`
	DirUnrecovered     *int64  `parquet:"dir_data_unrecovered,optional"`
	DirUnrecoveredSeqs []int64 `parquet:"dir_data_unrecovered_seqs,optional,list"`
	DirUnrecoveredMore *bool   `parquet:"dir_data_unrecovered_more,optional"`
	DirGapLoss         *int64  `parquet:"dir_data_gap_loss,optional"`
	DirReordered       *int64  `parquet:"dir_data_reordered,optional"`
	DirDuplicates      *int64  `parquet:"dir_data_duplicates,optional"`
	DirTooOld          *int64  `parquet:"dir_data_too_old,optional"`
	DirLate            *int64  `parquet:"dir_data_late,optional"`
	DirMaxLateUS       *int64  `parquet:"dir_data_max_late_us,optional"`
	DirFEC             *int64  `parquet:"dir_data_fec,optional"`
	DirFECBytes        *int64  `parquet:"dir_data_fec_bytes,optional"`
	DirDropped         *int64  `parquet:"dir_data_dropped,optional"`
	DirEncrypted       *int64  `parquet:"dir_data_encrypted,optional"`
	DirDecrypted       *int64  `parquet:"dir_data_decrypted,optional"`
	DirDecryptFailed   *int64  `parquet:"dir_data_decrypt_failed,optional"`
	DirUndecryptable   *int64  `parquet:"dir_data_undecryptable,optional"`

	// directions[].control
	DirACKFull     *int64 `parquet:"dir_control_ack_full,optional"`
	DirACKSmall    *int64 `parquet:"dir_control_ack_small,optional"`
	DirACKLight    *int64 `parquet:"dir_control_ack_light,optional"`
	DirACKACK      *int64 `parquet:"dir_control_ackack,optional"`
	DirNAK         *int64 `parquet:"dir_control_nak,optional"`
	DirNAKSeqs     *int64 `parquet:"dir_control_nak_seqs,optional"`
	DirNAKDistinct *int64 `parquet:"dir_control_nak_distinct,optional"`
	DirDropReq     *int64 `parquet:"dir_control_dropreq,optional"`
	DirKeepalive   *int64 `parquet:"dir_control_keepalive,optional"`
	DirShutdown    *int64 `parquet:"dir_control_shutdown,optional"`
	DirPeerErrors  *int64 `parquet:"dir_control_peer_errors,optional"`
	DirHandshakes  *int64 `parquet:"dir_control_handshakes,optional"`
	DirKMReq       *int64 `parquet:"dir_control_km_req,optional"`
	DirKMRsp       *int64 `parquet:"dir_control_km_rsp,optional"`
	DirCGWarning   *int64 `parquet:"dir_control_cgwarning,optional"`
	DirOther       *int64 `parquet:"dir_control_other,optional"`

	// directions[].keys
	DirKeyClear     *int64 `parquet:"dir_keys_clear,optional"`
	DirKeyEven      *int64 `parquet:"dir_keys_even,optional"`
	DirKeyOdd       *int64 `parquet:"dir_keys_odd,optional"`
	DirKeySwitches  *int64 `parquet:"dir_keys_switches,optional"`
	DirKeyRefreshes *int64 `parquet:"dir_keys_refreshes,optional"`
	DirKeyAnswers   *int64 `parquet:"dir_keys_answers,optional"`
	DirKeyRefused   *int64 `parquet:"dir_keys_refused,optional"`

	// directions[].rates_mbps
	DirPayloadMbps    *float64 `parquet:"dir_rates_mbps_payload,optional"`
	DirPayloadSRTMbps *float64 `parquet:"dir_rates_mbps_payload_srt,optional"`
	DirPayloadUDPMbps *float64 `parquet:"dir_rates_mbps_payload_srt_udp,optional"`
	DirPayloadIPMbps  *float64 `parquet:"dir_rates_mbps_payload_srt_udp_ip,optional"`
	DirOrigMbps       *float64 `parquet:"dir_rates_mbps_payload_orig,optional"`
	DirOrigSRTMbps    *float64 `parquet:"dir_rates_mbps_payload_srt_orig,optional"`
	DirOrigUDPMbps    *float64 `parquet:"dir_rates_mbps_payload_srt_udp_orig,optional"`
	DirOrigIPMbps     *float64 `parquet:"dir_rates_mbps_payload_srt_udp_ip_orig,optional"`

	// directions[] summaries: min, avg, max, n (null without a measurement)
	DirRTTMin       *int64   `parquet:"dir_rtt_us_min,optional"`
	DirRTTAvg       *float64 `parquet:"dir_rtt_us_avg,optional"`
	DirRTTMax       *int64   `parquet:"dir_rtt_us_max,optional"`
	DirRTTN         *int64   `parquet:"dir_rtt_us_n,optional"`
	DirRTTVarMin    *int64   `parquet:"dir_rtt_var_us_min,optional"`
	DirRTTVarAvg    *float64 `parquet:"dir_rtt_var_us_avg,optional"`
	DirRTTVarMax    *int64   `parquet:"dir_rtt_var_us_max,optional"`
	DirRTTVarN      *int64   `parquet:"dir_rtt_var_us_n,optional"`
	DirACKACKRTTMin *int64   `parquet:"dir_ackack_rtt_us_min,optional"`
	DirACKACKRTTAvg *float64 `parquet:"dir_ackack_rtt_us_avg,optional"`
	DirACKACKRTTMax *int64   `parquet:"dir_ackack_rtt_us_max,optional"`
	DirACKACKRTTN   *int64   `parquet:"dir_ackack_rtt_us_n,optional"`
	DirBandwidthMin *int64   `parquet:"dir_bandwidth_pkts_min,optional"`
	DirBandwidthAvg *float64 `parquet:"dir_bandwidth_pkts_avg,optional"`
	DirBandwidthMax *int64   `parquet:"dir_bandwidth_pkts_max,optional"`
	DirBandwidthN   *int64   `parquet:"dir_bandwidth_pkts_n,optional"`
	DirRecvPktsMin  *int64   `parquet:"dir_recv_rate_pkts_min,optional"`
	DirRecvPktsAvg  *float64 `parquet:"dir_recv_rate_pkts_avg,optional"`
	DirRecvPktsMax  *int64   `parquet:"dir_recv_rate_pkts_max,optional"`
	DirRecvPktsN    *int64   `parquet:"dir_recv_rate_pkts_n,optional"`
	DirRecvBytesMin *int64   `parquet:"dir_recv_rate_bytes_min,optional"`
	DirRecvBytesAvg *float64 `parquet:"dir_recv_rate_bytes_avg,optional"`
	DirRecvBytesMax *int64   `parquet:"dir_recv_rate_bytes_max,optional"`
	DirRecvBytesN   *int64   `parquet:"dir_recv_rate_bytes_n,optional"`
}

// Finding is one element of the findings list column: a health finding
// of the attempt (session.Finding).
type Finding struct {
	Level string `parquet:"level,dict"`
	Code  string `parquet:"code,dict"`
	Text  string `parquet:"text"`
}

// ConnectionWriter writes the connections table of one capture. Attempts
// are numbered (the attempt column) in the order they are written, from
// 1: write them in the order they started, as session.Tracker retires
// them (OnRetire) and then returns the rest (Attempts). It is not safe for
// concurrent use.
//
// Its rows are encoded by fileWriter, as the packets table's are: they are
// ConnectionRow values (AppendConnectionRows), whose fields go into the
// segment's columns by the plan connPlan made once from the struct and its
// columns. parquet-go's generic writer, which wrote the table before, cost
// 4.4 ms, 3.2 MB and 6 400 allocations a capture whatever its size (write
// functions built by reflection for every writer, 155 column writers and
// their buffers): most of the time srtdump -parquet took on a small
// capture.
type ConnectionWriter struct {
	fw       *fileWriter
	seg      *segment
	file     string
	n        int // attempts written
	rows     []ConnectionRow
	written  int64
	groupLen int // rows of the current row group, seg excluded
	err      error
}

// connSegmentRows is the number of connection rows gathered before they
// are encoded.
const connSegmentRows = 1024

// NewConnectionWriter returns a writer of the connections table to w.
// file is the value of the file column. Call Close to finish the file (w
// itself is not closed).
func NewConnectionWriter(w io.Writer, file string) *ConnectionWriter {
	cw := &ConnectionWriter{file: file}
	cw.fw = newFileWriter(w, connTable, 1)
	cw.seg = getSegment(connTable, connSegmentRows)
	return cw
}

// Write adds the rows of attempts: one per direction (Attempt.Directions),
// or one with null dir_* columns for an attempt without any. Call it after
// session.Tracker.Attempts (or in OnRetire), when the figures are final.
// The attempts are not kept.
func (cw *ConnectionWriter) Write(attempts ...*session.Attempt) error {
	if cw.err != nil {
		return cw.err
	}
	for _, a := range attempts {
		cw.n++
		cw.rows = AppendConnectionRows(cw.rows[:0], cw.file, cw.n, a)
		for i := range cw.rows {
			fillConnection(cw.seg, &cw.rows[i])
			if cw.seg.endRow() || cw.groupLen+cw.seg.rows == RowGroupRows {
				if err := cw.flush(false); err != nil {
					return err
				}
			}
		}
		cw.written += int64(len(cw.rows))
	}
	clear(cw.rows)
	return nil
}

// flush encodes the segment's rows; the segment ends its row group when
// the group is full, or if end.
func (cw *ConnectionWriter) flush(end bool) error {
	seg := cw.seg
	if seg.rows == 0 && (!end || cw.groupLen == 0) {
		return cw.err
	}
	seg.first = int64(cw.groupLen)
	cw.groupLen += seg.rows
	if cw.groupLen >= RowGroupRows || end {
		seg.last = true
		cw.groupLen = 0
	}
	if err := cw.fw.encodeSegment(seg, 1); err != nil {
		cw.err = fmt.Errorf("parquetout: connections: %w", err)
	}
	return cw.err
}

// Rows returns the number of rows written so far.
func (cw *ConnectionWriter) Rows() int64 { return cw.written }

// Attempts returns the number of attempts written so far.
func (cw *ConnectionWriter) Attempts() int { return cw.n }

// Close writes the rows still buffered and the file's footer. It does not
// close the io.Writer.
func (cw *ConnectionWriter) Close() error {
	if cw.err != nil {
		return cw.err
	}
	if err := cw.flush(true); err != nil {
		return err
	}
	if err := cw.fw.close(); err != nil {
		cw.err = fmt.Errorf("parquetout: connections: %w", err)
		return cw.err
	}
	cw.err = errClosed
	cw.fw.release()
	putSegment(connTable, cw.seg)
	cw.seg = nil
	return nil
}

// connPlan is made at the first writer, not when the package is
// initialised: a program that writes no table pays nothing.
var connPlan = sync.OnceValue(func() []connField { return planConnections(connColumns) })

// connField says where a field of ConnectionRow goes: its offset in the
// struct, its Go type and its leaf column ([]Finding has one a field of
// Finding, in sub).
type connField struct {
	off  uintptr
	kind connKind
	col  int
	opt  bool       // a list that may be null
	sub  []subField // Finding's fields
}

type subField struct {
	off uintptr
	col int
}

type connKind uint8

const (
	kString connKind = iota
	kStringPtr
	kInt32
	kInt32Ptr
	kInt64
	kInt64Ptr
	kBool
	kBoolPtr
	kFloat64
	kFloat64Ptr
	kStrings
	kInt64s
	kFindings // []Finding
)

// planConnections returns where each field of ConnectionRow goes among
// the leaf columns cols. It panics on a field of a type fillConnection
// does not handle, or without its column: the tests make the plan.
func planConnections(cols []colSpec) []connField {
	t := reflect.TypeFor[ConnectionRow]()
	lookup := func(path ...string) int {
		for i := range cols {
			if slices.Equal(cols[i].path, path) {
				return i
			}
		}
		panic("parquetout: no column " + strings.Join(path, "."))
	}
	kinds := map[reflect.Type]connKind{
		reflect.TypeFor[string]():   kString,
		reflect.TypeFor[*string]():  kStringPtr,
		reflect.TypeFor[int32]():    kInt32,
		reflect.TypeFor[*int32]():   kInt32Ptr,
		reflect.TypeFor[int64]():    kInt64,
		reflect.TypeFor[*int64]():   kInt64Ptr,
		reflect.TypeFor[bool]():     kBool,
		reflect.TypeFor[*bool]():    kBoolPtr,
		reflect.TypeFor[float64]():  kFloat64,
		reflect.TypeFor[*float64](): kFloat64Ptr,
		reflect.TypeFor[[]string](): kStrings,
		reflect.TypeFor[[]int64]():  kInt64s,
	}
	var plan []connField
	for i := range t.NumField() {
		sf := t.Field(i)
		tag := sf.Tag.Get("parquet")
		name, opts, _ := strings.Cut(tag, ",")
		f := connField{off: sf.Offset, opt: strings.Contains(","+opts+",", ",optional,")}
		k, ok := kinds[sf.Type]
		switch {
		case ok && (k == kStrings || k == kInt64s):
			f.kind, f.col = k, lookup(name, "list", "element")
		case ok:
			f.kind, f.col = k, lookup(name)
		case sf.Type == reflect.TypeFor[[]Finding]():
			et := sf.Type.Elem()
			f.kind = kFindings
			for j := range et.NumField() {
				ef := et.Field(j)
				if ef.Type.Kind() != reflect.String {
					panic("parquetout: " + name + "." + ef.Name + ": only string fields in Finding")
				}
				en, _, _ := strings.Cut(ef.Tag.Get("parquet"), ",")
				f.sub = append(f.sub, subField{off: ef.Offset, col: lookup(name, "list", "element", en)})
			}
		default:
			panic("parquetout: field " + sf.Name + ": unsupported type " + sf.Type.String())
		}
		plan = append(plan, f)
	}
	return plan
}

// fillConnection adds row r to the segment, field by field as connPlan
// says: a nil pointer is a null, a nil slice a null list when the list is
// optional (an empty one when it is required), and a non-nil empty slice
// an empty list.
func fillConnection(s *segment, r *ConnectionRow) {
	p := unsafe.Pointer(r)
	plan := connPlan()
	for i := range plan {
		f := &plan[i]
		v := unsafe.Add(p, f.off)
		switch f.kind {
		case kString:
			s.str(f.col, *(*string)(v))
		case kStringPtr:
			if q := *(**string)(v); q != nil {
				s.str(f.col, *q)
			}
		case kInt32:
			s.i32(f.col, *(*int32)(v))
		case kInt32Ptr:
			if q := *(**int32)(v); q != nil {
				s.i32(f.col, *q)
			}
		case kInt64:
			s.i64(f.col, *(*int64)(v))
		case kInt64Ptr:
			if q := *(**int64)(v); q != nil {
				s.i64(f.col, *q)
			}
		case kBool:
			s.bool(f.col, *(*bool)(v))
		case kBoolPtr:
			if q := *(**bool)(v); q != nil {
				s.bool(f.col, *q)
			}
		case kFloat64:
			s.f64(f.col, *(*float64)(v))
		case kFloat64Ptr:
			if q := *(**float64)(v); q != nil {
				s.f64(f.col, *q)
			}
		case kStrings:
			l := *(*[]string)(v)
			if l == nil && f.opt {
				continue
			}
			if len(l) == 0 {
				s.emptyList(f.col)
			}
			for j, x := range l {
				s.elemStr(f.col, j, x)
			}
		case kInt64s:
			l := *(*[]int64)(v)
			if l == nil && f.opt {
				continue
			}
			if len(l) == 0 {
				s.emptyList(f.col)
			}
			for j, x := range l {
				s.elemI64(f.col, j, x)
			}
		case kFindings:
			l := *(*[]Finding)(v)
			if l == nil && f.opt {
				continue
			}
			for _, sub := range f.sub {
				if len(l) == 0 {
					s.emptyList(sub.col)
				}
				for j := range l {
					s.elemStr(sub.col, j, *(*string)(unsafe.Add(unsafe.Pointer(&l[j]), sub.off)))
				}
			}
		}
	}
}

// AppendConnectionRows appends the rows of attempt number n of file to
// rows and returns the extended slice.
func AppendConnectionRows(rows []ConnectionRow, file string, n int, a *session.Attempt) []ConnectionRow {
	var base ConnectionRow
	fillAttempt(&base, file, n, a)
	dirs := a.Directions()
	if len(dirs) == 0 {
		return append(rows, base)
	}
	for i, d := range dirs {
		r := base
		r.DirectionIndex = int32(i)
		fillDirection(&r, a, d)
		rows = append(rows, r)
	}
	return rows
}

func ptr[T any](v T) *T { return &v }

// opt returns the value of o, or nil when it is unknown.
func opt[T, U any](o session.Opt[T], conv func(T) U) *U {
	if !o.Known {
		return nil
	}
	return ptr(conv(o.Value))
}

func i64[T ~int | ~int32 | ~uint32](v T) int64 { return int64(v) }
func same[T any](v T) T                        { return v }

// timeCol returns t as a TIMESTAMP(MICROS) value, or nil for the zero time.
func timeCol(t time.Time) *int64 {
	if t.IsZero() {
		return nil
	}
	return ptr(micros(t))
}

func fillAttempt(r *ConnectionRow, file string, n int, a *session.Attempt) {
	r.File = file
	r.Attempt = int32(n)
	r.Caller = a.Caller.String()
	r.Listener = a.Listener.String()
	r.Mode = a.Mode.String()
	if a.RolesInferred {
		r.Roles = ptr("inferred")
	}
	r.FirstFrame = int64(a.FirstFrame)
	r.LastFrame = int64(a.LastFrame)
	r.FirstTime = micros(a.FirstTime)
	r.LastTime = micros(a.LastTime)
	r.StreamID = a.StreamID
	r.Truncated = a.Truncated
	// encryption and encryption_state as srtdump's summary writes them
	// (cmd/srtdump/summary.go, summaryKeys; CryptoStatus is the one rule both use).
	st := a.CryptoStatus()
	enc := a.Encryption()
	switch {
	case enc != "":
	case st == session.CryptoUnknown || st == session.CryptoNoKM:
		enc = "unknown"
	default:
		enc = "none"
	}
	r.Encryption = enc
	r.EncryptionState = st.String()
	if e := a.RequestedEncryption(); e != "" {
		r.RequestedEncryption = ptr(e)
	}
	if a.KMStateSet {
		r.KMState = ptr(a.KMState.String())
	}
	if a.LatencyKnown() {
		r.LatencyMS = ptr(int32(a.LatencyMS))
	}
	r.Congestion = a.Congestion
	r.Filter = a.Filter
	r.Outcome = a.Outcome.String()
	r.Reason = r.Outcome
	if a.Outcome == session.OutcomeRejected {
		reason := a.Reason
		r.RejectCode = ptr(int32(reason))
		r.RejectWire = ptr(reason.Wire())
		r.RejectName = ptr(reason.Name())
		r.RejectCategory = ptr(categoryName(reason.Category()))
		r.RejectText = ptr(reason.Text())
		r.RejectRetryable = ptr(reason.Retryable())
		r.Reason = reason.Name()
		if u, ok := reason.Unshifted(); ok && reason.LooksUnshifted() {
			r.RejectUnshiftedCode = ptr(int32(u))
			r.RejectUnshiftedName = ptr(u.Name())
		}
	}
	if a.HandshakeRTT > 0 {
		r.HandshakeRTTUS = ptr(a.HandshakeRTT.Microseconds())
	}
	r.DataPackets = int64(a.DataPackets)
	r.Retransmitted = int64(a.Retransmitted)
	r.Lost = int64(a.Lost)
	r.NAKReports = int64(a.NAKReports)
	r.FECPackets = int64(a.FECPackets)
	if code, ok := a.PeerError.Get(); ok {
		r.PeerError = ptr(int64(code))
		r.PeerErrorFrom = ptr(a.PeerErrorFrom.String())
		r.PeerErrorFrame = ptr(int64(a.PeerErrorFrame))
	}
	known, dec := false, 0
	for _, d := range a.Directions() {
		if v, ok := d.Data.Decrypted.Get(); ok {
			known, dec = true, dec+v
		}
	}
	if known {
		r.Decrypted = ptr(int64(dec))
	}
	fs := a.Findings()
	r.Findings = make([]Finding, len(fs))
	r.FindingCodes = make([]string, len(fs))
	for i, f := range fs {
		r.Findings[i] = Finding{Level: f.Level.String(), Code: f.Code, Text: f.Text}
		r.FindingCodes[i] = f.Code
	}

	r.HandshakeSeen = a.HandshakeSeen
	if a.SRTVersion != 0 {
		r.SRTVersion = ptr(a.SRTVersion.String())
	}
	r.KeyLen = int32(a.KeyLen)
	r.RequestedKeyLen = int32(a.RequestedKeyLen)
	r.PassphraseMatch = opt(a.PassphraseMatch, same[bool])
	r.Handshakes = int64(a.Handshakes)
	r.Inductions = int64(a.Inductions)
	r.NAKSeqs = int64(a.NAKSeqs)
	if a.RejectFrame != 0 {
		r.RejectFrame = ptr(int64(a.RejectFrame))
	}
	r.AfterReject = int64(a.AfterReject)
	if a.AfterReject > 0 {
		r.AfterRejectKind = ptr(a.AfterRejectFirst.String())
	}
	r.PeerIPMismatch = a.PeerIPMismatch
	if a.PeerIPMismatch {
		r.PeerIPSeen = ptr(a.PeerIPSeen.String())
		r.PeerIPFrame = ptr(int64(a.PeerIPFrame))
	}
}

// directionName says which way a direction's data goes.
func directionName(a *session.Attempt, d *session.Direction) string {
	if d.From == a.Caller {
		return "caller_to_listener"
	}
	return "listener_to_caller"
}

// summary sets the four columns of a session.Summary (min, avg, max, n),
// or leaves them null when there was no measurement.
func summary(s *session.Summary, lo **int64, avg **float64, hi, n **int64) {
	if !s.Known() {
		return
	}
	*lo, *avg, *hi, *n = ptr(s.Min), ptr(s.Mean()), ptr(s.Max), ptr(int64(s.N))
}

func fillDirection(r *ConnectionRow, a *session.Attempt, d *session.Direction) {
	r.Direction = ptr(directionName(a, d))
	r.DirFrom = ptr(d.From.String())
	r.DirTo = ptr(d.To.String())
	s := &d.Data
	if s.Packets > 0 {
		r.DirFirstData = timeCol(d.FirstData)
		r.DirLastData = timeCol(d.LastData)
		r.DirDurationS = ptr(d.Duration().Seconds())
	}
	if s.Packets > 1 {
		r.DirLongestGapS = ptr(d.LongestGap.Seconds())
		r.DirGapStart = timeCol(d.GapStart)
	}
	r.DirLatencyMS = opt(d.LatencyMS, func(v int) int32 { return int32(v) })
	r.DirOverheadPct = opt(d.OverheadPct(), same[float64])
	r.DirRetransPct = opt(d.RetransmittedPct(), same[float64])
	r.DirLossPct = opt(d.LossPct(), same[float64])
	r.DirJitterUS = opt(d.JitterUS, same[float64])

	r.DirPackets = ptr(int64(s.Packets))
	r.DirOriginal = ptr(int64(s.Original))
	r.DirRetransmitted = ptr(int64(s.Retransmitted))
	if t, ok := s.RetransmittedTimes.Get(); ok {
		r.DirRetrans1 = ptr(int64(t[0]))
		r.DirRetrans2 = ptr(int64(t[1]))
		r.DirRetrans3 = ptr(int64(t[2]))
		r.DirRetrans4 = ptr(int64(t[3]))
		r.DirRetrans5 = ptr(int64(t[4]))
	}
	r.DirPayloadBytes = ptr(s.PayloadBytes)
	r.DirOriginalBytes = ptr(s.OriginalBytes)
	r.DirLost = opt(s.Lost, i64[int])
	r.DirRecovered = opt(s.Recovered, i64[int])
	r.DirUnrecovered = opt(s.Unrecovered, i64[int])
	if s.Unrecovered.Known {
		r.DirUnrecoveredSeqs = make([]int64, len(s.UnrecoveredSeqs))
		for i, q := range s.UnrecoveredSeqs {
			r.DirUnrecoveredSeqs[i] = int64(q)
		}
		r.DirUnrecoveredMore = ptr(s.UnrecoveredMore)
	}
	r.DirGapLoss = ptr(int64(s.GapLoss))
	r.DirReordered = ptr(int64(s.Reordered))
	r.DirDuplicates = ptr(int64(s.Duplicates))
	r.DirTooOld = ptr(int64(s.TooOld))
	r.DirLate = opt(s.Late, i64[int])
	if s.Late.Value > 0 {
		r.DirMaxLateUS = ptr(s.MaxLateUS)
	}
	r.DirFEC = ptr(int64(s.FEC))
	r.DirFECBytes = ptr(s.FECBytes)
	r.DirDropped = ptr(int64(s.Dropped))
	r.DirEncrypted = ptr(int64(s.Encrypted))
	r.DirDecrypted = opt(s.Decrypted, i64[int])
	r.DirDecryptFailed = opt(s.DecryptFailed, i64[int])
	r.DirUndecryptable = opt(s.Undecryptable, i64[int])

	c := &d.Control
	r.DirACKFull = ptr(int64(c.ACKFull))
	r.DirACKSmall = ptr(int64(c.ACKSmall))
	r.DirACKLight = ptr(int64(c.ACKLight))
	r.DirACKACK = ptr(int64(c.ACKACK))
	r.DirNAK = ptr(int64(c.NAK))
	r.DirNAKSeqs = ptr(int64(c.NAKSeqs))
	r.DirNAKDistinct = opt(c.NAKDistinct, i64[int])
	r.DirDropReq = ptr(int64(c.DropReq))
	r.DirKeepalive = ptr(int64(c.Keepalive))
	r.DirShutdown = ptr(int64(c.Shutdown))
	r.DirPeerErrors = ptr(int64(c.PeerError))
	r.DirHandshakes = ptr(int64(c.Handshake))
	r.DirKMReq = ptr(int64(c.KMReq))
	r.DirKMRsp = ptr(int64(c.KMRsp))
	r.DirCGWarning = ptr(int64(c.CGWarning))
	r.DirOther = ptr(int64(c.Other))

	k := &d.Keys
	r.DirKeyClear = ptr(int64(k.Clear))
	r.DirKeyEven = ptr(int64(k.Even))
	r.DirKeyOdd = ptr(int64(k.Odd))
	r.DirKeySwitches = ptr(int64(k.Switches))
	r.DirKeyRefreshes = ptr(int64(k.Refreshes))
	r.DirKeyAnswers = ptr(int64(k.Answers))
	r.DirKeyRefused = ptr(int64(k.Refused))

	if rt, ok := d.Rates(); ok {
		r.DirPayloadMbps = ptr(rt.Payload)
		r.DirPayloadSRTMbps = ptr(rt.PayloadSRT)
		r.DirPayloadUDPMbps = ptr(rt.PayloadSRTUDP)
		r.DirPayloadIPMbps = ptr(rt.PayloadSRTUDPIP)
		r.DirOrigMbps = ptr(rt.OrigPayload)
		r.DirOrigSRTMbps = ptr(rt.OrigPayloadSRT)
		r.DirOrigUDPMbps = ptr(rt.OrigPayloadSRTUDP)
		r.DirOrigIPMbps = ptr(rt.OrigPayloadSRTUDPIP)
	}
	summary(&d.RTT, &r.DirRTTMin, &r.DirRTTAvg, &r.DirRTTMax, &r.DirRTTN)
	summary(&d.RTTVar, &r.DirRTTVarMin, &r.DirRTTVarAvg, &r.DirRTTVarMax, &r.DirRTTVarN)
	summary(&d.ACKACKRTT, &r.DirACKACKRTTMin, &r.DirACKACKRTTAvg, &r.DirACKACKRTTMax, &r.DirACKACKRTTN)
	summary(&d.Bandwidth, &r.DirBandwidthMin, &r.DirBandwidthAvg, &r.DirBandwidthMax, &r.DirBandwidthN)
	summary(&d.RecvRatePkts, &r.DirRecvPktsMin, &r.DirRecvPktsAvg, &r.DirRecvPktsMax, &r.DirRecvPktsN)
	summary(&d.RecvRateBytes, &r.DirRecvBytesMin, &r.DirRecvBytesAvg, &r.DirRecvBytesMax, &r.DirRecvBytesN)
}
