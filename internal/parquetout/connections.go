package parquetout

import (
	"fmt"
	"io"
	"time"

	"github.com/parquet-go/parquet-go"

	"github.com/srtwire/srtwire/session"
)

// ConnectionRow is one row of the connections table: one direction of one
// connection attempt (session.Attempt and one of its session.Direction
// values). The columns without a prefix are the attempt's, the same on
// both rows of an attempt: the keys of `srtdump -summary -json`
// (docs/srtdump-json.md) and the rest of session.Attempt. The dir_*
// columns are the direction's statistics; an attempt whose directions saw
// no packet other than handshakes (a rejection, an unanswered caller) has
// one row, with direction and every dir_* column null. A nil pointer is a
// null: unknown, never 0.
//
// To add a field of package session: add a column here (its Go type is
// its Parquet type; a pointer makes it nullable), set it in fillAttempt or
// fillDirection, and list it in docs/parquet.md (TestColumnsDocumented
// checks that every column is there).
type ConnectionRow struct {
	File           string  `parquet:"file,dict"`
	Attempt        int32   `parquet:"attempt"`
	DirectionIndex int32   `parquet:"direction_index"`
	Direction      *string `parquet:"direction,optional,dict"`
	Src            *string `parquet:"src,optional,dict"`
	Dst            *string `parquet:"dst,optional,dict"`

	// the summary keys
	Caller              string  `parquet:"caller,dict"`
	Listener            string  `parquet:"listener,dict"`
	Mode                string  `parquet:"mode,dict"`
	FirstFrame          int64   `parquet:"first_frame"`
	LastFrame           int64   `parquet:"last_frame"`
	StreamID            string  `parquet:"stream_id,dict"`
	Encryption          string  `parquet:"encryption,dict"`
	KMState             *string `parquet:"km_state,optional,dict"`
	LatencyMS           int32   `parquet:"latency_ms"`
	Congestion          string  `parquet:"congestion,dict"`
	Filter              string  `parquet:"filter,dict"`
	Outcome             string  `parquet:"outcome,dict"`
	RejectCode          *int32  `parquet:"reject_code,optional"`
	RejectWire          *int32  `parquet:"reject_wire,optional"`
	RejectName          *string `parquet:"reject_name,optional,dict"`
	RejectCategory      *string `parquet:"reject_category,optional,dict"`
	RejectText          *string `parquet:"reject_text,optional,dict"`
	RejectRetryable     *bool   `parquet:"reject_retryable,optional"`
	RejectUnshiftedCode *int32  `parquet:"reject_unshifted_code,optional"`
	RejectUnshiftedName *string `parquet:"reject_unshifted_name,optional,dict"`
	// reason: the reject_name of a rejection, else the outcome; for
	// GROUP BY reason.
	Reason         string `parquet:"reason,dict"`
	HandshakeRTTUS int64  `parquet:"handshake_rtt_us"`
	DataPackets    int64  `parquet:"data_packets"`
	Retransmitted  int64  `parquet:"retransmitted"`
	Lost           int64  `parquet:"lost"`

	// the rest of session.Attempt
	FirstTime           int64     `parquet:"first_time,timestamp(microsecond:utc)"`
	LastTime            int64     `parquet:"last_time,timestamp(microsecond:utc)"`
	HandshakeSeen       bool      `parquet:"handshake_seen"`
	RolesInferred       bool      `parquet:"roles_inferred"`
	SRTVersion          *string   `parquet:"srt_version,optional,dict"`
	Truncated           bool      `parquet:"truncated"`
	KeyLen              int32     `parquet:"key_len"`
	RequestedKeyLen     int32     `parquet:"requested_key_len"`
	RequestedEncryption string    `parquet:"requested_encryption,dict"`
	EncryptionText      string    `parquet:"encryption_text,dict"`
	CryptoStatus        string    `parquet:"crypto_status,dict"`
	PassphraseMatch     *bool     `parquet:"passphrase_match,optional"`
	PeerError           *int64    `parquet:"peer_error,optional"`
	PeerErrorFrom       *string   `parquet:"peer_error_from,optional,dict"`
	PeerErrorFrame      *int64    `parquet:"peer_error_frame,optional"`
	Handshakes          int64     `parquet:"handshakes"`
	Inductions          int64     `parquet:"inductions"`
	RejectFrame         *int64    `parquet:"reject_frame,optional"`
	AfterReject         int64     `parquet:"after_reject"`
	AfterRejectFirst    *string   `parquet:"after_reject_first,optional,dict"`
	PeerIPMismatch      bool      `parquet:"peer_ip_mismatch"`
	PeerIPSeen          *string   `parquet:"peer_ip_seen,optional,dict"`
	PeerIPFrame         *int64    `parquet:"peer_ip_frame,optional"`
	NAKReports          int64     `parquet:"nak_reports"`
	NAKSeqs             int64     `parquet:"nak_seqs"`
	FECPackets          int64     `parquet:"fec_packets"`
	Findings            []Finding `parquet:"findings,list"`
	FindingCodes        []string  `parquet:"finding_codes,list" parquet-element:",dict"`

	// session.Direction
	DirFirstData  *int64 `parquet:"dir_first_data,optional,timestamp(microsecond:utc)"`
	DirLastData   *int64 `parquet:"dir_last_data,optional,timestamp(microsecond:utc)"`
	DirDurationUS *int64 `parquet:"dir_duration_us,optional"`
	DirLatencyMS  *int32 `parquet:"dir_latency_ms,optional"`

	// session.DataStats
	DirPackets         *int64  `parquet:"dir_packets,optional"`
	DirOriginal        *int64  `parquet:"dir_original,optional"`
	DirRetransmitted   *int64  `parquet:"dir_retransmitted,optional"`
	DirPayloadBytes    *int64  `parquet:"dir_payload_bytes,optional"`
	DirOriginalBytes   *int64  `parquet:"dir_original_bytes,optional"`
	DirRetransmitted1  *int64  `parquet:"dir_retransmitted_1x,optional"`
	DirRetransmitted2  *int64  `parquet:"dir_retransmitted_2x,optional"`
	DirRetransmitted3  *int64  `parquet:"dir_retransmitted_3x,optional"`
	DirRetransmitted4  *int64  `parquet:"dir_retransmitted_4x,optional"`
	DirRetransmitted5  *int64  `parquet:"dir_retransmitted_5x_or_more,optional"`
	DirLost            *int64  `parquet:"dir_lost,optional"`
	DirRecovered       *int64  `parquet:"dir_recovered,optional"`
	DirUnrecovered     *int64  `parquet:"dir_unrecovered,optional"`
	DirUnrecoveredSeqs []int64 `parquet:"dir_unrecovered_seqs,optional,list"`
	DirUnrecoveredMore *bool   `parquet:"dir_unrecovered_more,optional"`
	DirGapLoss         *int64  `parquet:"dir_gap_loss,optional"`
	DirReordered       *int64  `parquet:"dir_reordered,optional"`
	DirDuplicates      *int64  `parquet:"dir_duplicates,optional"`
	DirTooOld          *int64  `parquet:"dir_too_old,optional"`
	DirLate            *int64  `parquet:"dir_late,optional"`
	DirMaxLateUS       *int64  `parquet:"dir_max_late_us,optional"`
	DirFEC             *int64  `parquet:"dir_fec,optional"`
	DirFECBytes        *int64  `parquet:"dir_fec_bytes,optional"`
	DirDropped         *int64  `parquet:"dir_dropped,optional"`
	DirEncrypted       *int64  `parquet:"dir_encrypted,optional"`
	DirUndecryptable   *int64  `parquet:"dir_undecryptable,optional"`
	DirDecrypted       *int64  `parquet:"dir_decrypted,optional"`
	DirDecryptFailed   *int64  `parquet:"dir_decrypt_failed,optional"`

	// session.ControlStats
	DirACKFull     *int64 `parquet:"dir_ack_full,optional"`
	DirACKSmall    *int64 `parquet:"dir_ack_small,optional"`
	DirACKLight    *int64 `parquet:"dir_ack_light,optional"`
	DirACKACK      *int64 `parquet:"dir_ackack,optional"`
	DirNAK         *int64 `parquet:"dir_nak,optional"`
	DirNAKSeqs     *int64 `parquet:"dir_nak_seqs,optional"`
	DirNAKDistinct *int64 `parquet:"dir_nak_distinct,optional"`
	DirDropReq     *int64 `parquet:"dir_dropreq,optional"`
	DirKeepalive   *int64 `parquet:"dir_keepalive,optional"`
	DirShutdown    *int64 `parquet:"dir_shutdown,optional"`
	DirPeerError   *int64 `parquet:"dir_peererror,optional"`
	DirHandshake   *int64 `parquet:"dir_handshake,optional"`
	DirKMReq       *int64 `parquet:"dir_kmreq,optional"`
	DirKMRsp       *int64 `parquet:"dir_kmrsp,optional"`
	DirCGWarning   *int64 `parquet:"dir_cgwarning,optional"`
	DirOther       *int64 `parquet:"dir_other,optional"`

	// session.KeyStats
	DirKeyClear     *int64 `parquet:"dir_key_clear,optional"`
	DirKeyEven      *int64 `parquet:"dir_key_even,optional"`
	DirKeyOdd       *int64 `parquet:"dir_key_odd,optional"`
	DirKeySwitches  *int64 `parquet:"dir_key_switches,optional"`
	DirKeyRefreshes *int64 `parquet:"dir_key_refreshes,optional"`
	DirKeyAnswers   *int64 `parquet:"dir_key_answers,optional"`
	DirKeyRefused   *int64 `parquet:"dir_key_refused,optional"`

	// session.Summary figures: _n measurements (0: the others are null)
	DirRTTN            *int64   `parquet:"dir_rtt_n,optional"`
	DirRTTMinUS        *int64   `parquet:"dir_rtt_min_us,optional"`
	DirRTTMaxUS        *int64   `parquet:"dir_rtt_max_us,optional"`
	DirRTTMeanUS       *float64 `parquet:"dir_rtt_mean_us,optional"`
	DirRTTLastUS       *int64   `parquet:"dir_rtt_last_us,optional"`
	DirRTTVarN         *int64   `parquet:"dir_rtt_var_n,optional"`
	DirRTTVarMinUS     *int64   `parquet:"dir_rtt_var_min_us,optional"`
	DirRTTVarMaxUS     *int64   `parquet:"dir_rtt_var_max_us,optional"`
	DirRTTVarMeanUS    *float64 `parquet:"dir_rtt_var_mean_us,optional"`
	DirRTTVarLastUS    *int64   `parquet:"dir_rtt_var_last_us,optional"`
	DirACKACKRTTN      *int64   `parquet:"dir_ackack_rtt_n,optional"`
	DirACKACKRTTMinUS  *int64   `parquet:"dir_ackack_rtt_min_us,optional"`
	DirACKACKRTTMaxUS  *int64   `parquet:"dir_ackack_rtt_max_us,optional"`
	DirACKACKRTTMeanUS *float64 `parquet:"dir_ackack_rtt_mean_us,optional"`
	DirACKACKRTTLastUS *int64   `parquet:"dir_ackack_rtt_last_us,optional"`
	DirBandwidthN      *int64   `parquet:"dir_bandwidth_n,optional"`
	DirBandwidthMin    *int64   `parquet:"dir_bandwidth_min_pkts,optional"`
	DirBandwidthMax    *int64   `parquet:"dir_bandwidth_max_pkts,optional"`
	DirBandwidthMean   *float64 `parquet:"dir_bandwidth_mean_pkts,optional"`
	DirBandwidthLast   *int64   `parquet:"dir_bandwidth_last_pkts,optional"`
	DirRecvPktsN       *int64   `parquet:"dir_recv_rate_n,optional"`
	DirRecvPktsMin     *int64   `parquet:"dir_recv_rate_min_pkts,optional"`
	DirRecvPktsMax     *int64   `parquet:"dir_recv_rate_max_pkts,optional"`
	DirRecvPktsMean    *float64 `parquet:"dir_recv_rate_mean_pkts,optional"`
	DirRecvPktsLast    *int64   `parquet:"dir_recv_rate_last_pkts,optional"`
	DirRecvBytesMin    *int64   `parquet:"dir_recv_rate_min_bytes,optional"`
	DirRecvBytesMax    *int64   `parquet:"dir_recv_rate_max_bytes,optional"`
	DirRecvBytesMean   *float64 `parquet:"dir_recv_rate_mean_bytes,optional"`
	DirRecvBytesLast   *int64   `parquet:"dir_recv_rate_last_bytes,optional"`

	DirJitterUS     *float64 `parquet:"dir_jitter_us,optional"`
	DirLongestGapUS *int64   `parquet:"dir_longest_gap_us,optional"`
	DirGapStart     *int64   `parquet:"dir_gap_start,optional,timestamp(microsecond:utc)"`

	// derived figures of session.Direction
	DirLossPct          *float64 `parquet:"dir_loss_pct,optional"`
	DirRetransmittedPct *float64 `parquet:"dir_retransmitted_pct,optional"`
	DirOverheadPct      *float64 `parquet:"dir_overhead_pct,optional"`
	DirPayloadMbps      *float64 `parquet:"dir_payload_mbps,optional"`
	DirPayloadSRTMbps   *float64 `parquet:"dir_payload_srt_mbps,optional"`
	DirPayloadUDPMbps   *float64 `parquet:"dir_payload_srt_udp_mbps,optional"`
	DirPayloadIPMbps    *float64 `parquet:"dir_payload_srt_udp_ip_mbps,optional"`
	DirOrigMbps         *float64 `parquet:"dir_orig_payload_mbps,optional"`
	DirOrigSRTMbps      *float64 `parquet:"dir_orig_payload_srt_mbps,optional"`
	DirOrigUDPMbps      *float64 `parquet:"dir_orig_payload_srt_udp_mbps,optional"`
	DirOrigIPMbps       *float64 `parquet:"dir_orig_payload_srt_udp_ip_mbps,optional"`
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
type ConnectionWriter struct {
	w       *parquet.GenericWriter[ConnectionRow]
	file    string
	n       int // attempts written
	rows    []ConnectionRow
	written int64
	err     error
}

// NewConnectionWriter returns a writer of the connections table to w.
// file is the value of the file column. Call Close to finish the file (w
// itself is not closed).
func NewConnectionWriter(w io.Writer, file string) *ConnectionWriter {
	return &ConnectionWriter{
		w:    parquet.NewGenericWriter[ConnectionRow](w, writerOptions()...),
		file: file,
	}
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
		if _, err := cw.w.Write(cw.rows); err != nil {
			cw.err = fmt.Errorf("parquetout: connections: %w", err)
			return cw.err
		}
		cw.written += int64(len(cw.rows))
	}
	clear(cw.rows)
	return nil
}

// Rows returns the number of rows written so far.
func (cw *ConnectionWriter) Rows() int64 { return cw.written }

// Attempts returns the number of attempts written so far.
func (cw *ConnectionWriter) Attempts() int { return cw.n }

// Close writes the file's footer. It does not close the io.Writer.
func (cw *ConnectionWriter) Close() error {
	if cw.err != nil {
		return cw.err
	}
	if err := cw.w.Close(); err != nil {
		cw.err = fmt.Errorf("parquetout: connections: %w", err)
		return cw.err
	}
	cw.err = errClosed
	return nil
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
	r.FirstFrame = int64(a.FirstFrame)
	r.LastFrame = int64(a.LastFrame)
	r.StreamID = a.StreamID
	r.Encryption = a.Encryption()
	if a.KMStateSet {
		r.KMState = ptr(a.KMState.String())
	}
	r.LatencyMS = int32(a.LatencyMS)
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
	r.HandshakeRTTUS = a.HandshakeRTT.Microseconds()
	r.DataPackets = int64(a.DataPackets)
	r.Retransmitted = int64(a.Retransmitted)
	r.Lost = int64(a.Lost)

	r.FirstTime = micros(a.FirstTime)
	r.LastTime = micros(a.LastTime)
	r.HandshakeSeen = a.HandshakeSeen
	r.RolesInferred = a.RolesInferred
	if a.SRTVersion != 0 {
		r.SRTVersion = ptr(a.SRTVersion.String())
	}
	r.Truncated = a.Truncated
	r.KeyLen = int32(a.KeyLen)
	r.RequestedKeyLen = int32(a.RequestedKeyLen)
	r.RequestedEncryption = a.RequestedEncryption()
	r.EncryptionText = a.EncryptionText()
	r.CryptoStatus = a.CryptoStatus().String()
	r.PassphraseMatch = opt(a.PassphraseMatch, same[bool])
	if a.PeerError.Known {
		r.PeerError = ptr(int64(a.PeerError.Value))
		r.PeerErrorFrom = ptr(a.PeerErrorFrom.String())
		r.PeerErrorFrame = ptr(int64(a.PeerErrorFrame))
	}
	r.Handshakes = int64(a.Handshakes)
	r.Inductions = int64(a.Inductions)
	if a.RejectFrame != 0 {
		r.RejectFrame = ptr(int64(a.RejectFrame))
	}
	r.AfterReject = int64(a.AfterReject)
	if a.AfterReject > 0 {
		r.AfterRejectFirst = ptr(a.AfterRejectFirst.String())
	}
	r.PeerIPMismatch = a.PeerIPMismatch
	if a.PeerIPMismatch {
		r.PeerIPSeen = ptr(a.PeerIPSeen.String())
		r.PeerIPFrame = ptr(int64(a.PeerIPFrame))
	}
	r.NAKReports = int64(a.NAKReports)
	r.NAKSeqs = int64(a.NAKSeqs)
	r.FECPackets = int64(a.FECPackets)
	fs := a.Findings()
	r.Findings = make([]Finding, len(fs))
	r.FindingCodes = make([]string, len(fs))
	for i, f := range fs {
		r.Findings[i] = Finding{Level: f.Level.String(), Code: f.Code, Text: f.Text}
		r.FindingCodes[i] = f.Code
	}
}

// directionName says which way a direction's data goes.
func directionName(a *session.Attempt, d *session.Direction) string {
	if d.From == a.Caller {
		return "caller_to_listener"
	}
	return "listener_to_caller"
}

// summary sets the five columns of a session.Summary: its count, and the
// minimum, maximum, mean and newest value when there was one.
func summary(s *session.Summary, n, lo, hi **int64, mean **float64, last **int64) {
	if n != nil {
		*n = ptr(int64(s.N))
	}
	if !s.Known() {
		return
	}
	*lo, *hi, *mean, *last = ptr(s.Min), ptr(s.Max), ptr(s.Mean()), ptr(s.Last)
}

func fillDirection(r *ConnectionRow, a *session.Attempt, d *session.Direction) {
	r.Direction = ptr(directionName(a, d))
	r.Src = ptr(d.From.String())
	r.Dst = ptr(d.To.String())
	r.DirFirstData = timeCol(d.FirstData)
	r.DirLastData = timeCol(d.LastData)
	r.DirDurationUS = ptr(d.Duration().Microseconds())
	r.DirLatencyMS = opt(d.LatencyMS, func(v int) int32 { return int32(v) })

	s := &d.Data
	r.DirPackets = ptr(int64(s.Packets))
	r.DirOriginal = ptr(int64(s.Original))
	r.DirRetransmitted = ptr(int64(s.Retransmitted))
	r.DirPayloadBytes = ptr(s.PayloadBytes)
	r.DirOriginalBytes = ptr(s.OriginalBytes)
	if t, ok := s.RetransmittedTimes.Get(); ok {
		r.DirRetransmitted1 = ptr(int64(t[0]))
		r.DirRetransmitted2 = ptr(int64(t[1]))
		r.DirRetransmitted3 = ptr(int64(t[2]))
		r.DirRetransmitted4 = ptr(int64(t[3]))
		r.DirRetransmitted5 = ptr(int64(t[4]))
	}
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
	if s.Late.Known {
		r.DirMaxLateUS = ptr(s.MaxLateUS)
	}
	r.DirFEC = ptr(int64(s.FEC))
	r.DirFECBytes = ptr(s.FECBytes)
	r.DirDropped = ptr(int64(s.Dropped))
	r.DirEncrypted = ptr(int64(s.Encrypted))
	r.DirUndecryptable = opt(s.Undecryptable, i64[int])
	r.DirDecrypted = opt(s.Decrypted, i64[int])
	r.DirDecryptFailed = opt(s.DecryptFailed, i64[int])

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
	r.DirPeerError = ptr(int64(c.PeerError))
	r.DirHandshake = ptr(int64(c.Handshake))
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

	summary(&d.RTT, &r.DirRTTN, &r.DirRTTMinUS, &r.DirRTTMaxUS, &r.DirRTTMeanUS, &r.DirRTTLastUS)
	summary(&d.RTTVar, &r.DirRTTVarN, &r.DirRTTVarMinUS, &r.DirRTTVarMaxUS, &r.DirRTTVarMeanUS, &r.DirRTTVarLastUS)
	summary(&d.ACKACKRTT, &r.DirACKACKRTTN, &r.DirACKACKRTTMinUS, &r.DirACKACKRTTMaxUS, &r.DirACKACKRTTMeanUS, &r.DirACKACKRTTLastUS)
	summary(&d.Bandwidth, &r.DirBandwidthN, &r.DirBandwidthMin, &r.DirBandwidthMax, &r.DirBandwidthMean, &r.DirBandwidthLast)
	summary(&d.RecvRatePkts, &r.DirRecvPktsN, &r.DirRecvPktsMin, &r.DirRecvPktsMax, &r.DirRecvPktsMean, &r.DirRecvPktsLast)
	summary(&d.RecvRateBytes, nil, &r.DirRecvBytesMin, &r.DirRecvBytesMax, &r.DirRecvBytesMean, &r.DirRecvBytesLast)

	r.DirJitterUS = opt(d.JitterUS, same[float64])
	if d.LongestGap > 0 {
		r.DirLongestGapUS = ptr(d.LongestGap.Microseconds())
		r.DirGapStart = timeCol(d.GapStart)
	}

	r.DirLossPct = opt(d.LossPct(), same[float64])
	r.DirRetransmittedPct = opt(d.RetransmittedPct(), same[float64])
	r.DirOverheadPct = opt(d.OverheadPct(), same[float64])
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
}
