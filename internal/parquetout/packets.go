package parquetout

import (
	"errors"
	"fmt"
	"io"
	"net/netip"

	"github.com/srtwire/srtwire/capture"
	"github.com/srtwire/srtwire/handshake"
	"github.com/srtwire/srtwire/packet"
	"github.com/srtwire/srtwire/reject"
)

// PacketRow is one row of the packets table: one SRT frame of a capture,
// the keys of `srtdump -json` (docs/srtdump-json.md) flattened. A JSON key
// inside an object becomes the column OBJECT_KEY (data.seq is data_seq,
// ack.rtt is ack_rtt; handshake.* is hs_*, handshake.reject.* is reject_*),
// and the contents of handshake extension blocks and of UMSG_EXT packets
// share one set of columns (srt_*, km_*, stream_id, ...). A nil pointer is
// a null: the packet has no such part, as the JSON omits the key.
//
// docs/parquet.md lists every column with its type, meaning and unit.
type PacketRow struct {
	File      string  `parquet:"file,dict"`
	Frame     int64   `parquet:"frame"`
	Time      int64   `parquet:"time,timestamp(microsecond:utc)"`
	Src       string  `parquet:"src,dict"`
	Dst       string  `parquet:"dst,dict"`
	Len       int32   `parquet:"len"`
	Control   *bool   `parquet:"control,optional"`
	Kind      *string `parquet:"kind,optional,dict"`
	Type      *string `parquet:"type,optional,dict"`
	TypeCode  *int32  `parquet:"type_code,optional"`
	Subtype   *int32  `parquet:"subtype,optional"`
	Info      *int64  `parquet:"info,optional"`
	Timestamp *int64  `parquet:"timestamp,optional"`
	DstSocket *int64  `parquet:"dst_socket,optional"`

	// data (data and FEC packets)
	DataSeq           *int64  `parquet:"data_seq,optional"`
	DataPosition      *string `parquet:"data_position,optional,dict"`
	DataInOrder       *bool   `parquet:"data_in_order,optional"`
	DataKey           *string `parquet:"data_key,optional,dict"`
	DataRetransmitted *bool   `parquet:"data_retransmitted,optional"`
	DataMsgNo         *int64  `parquet:"data_msgno,optional"`
	DataPayloadLen    *int32  `parquet:"data_payload_len,optional"`
	DataCapturedLen   *int32  `parquet:"data_captured_len,optional"`
	DataFEC           *bool   `parquet:"data_fec,optional"`

	// handshake (HANDSHAKE packets)
	HSVersion     *int64   `parquet:"hs_version,optional"`
	HSEncryption  *int32   `parquet:"hs_encryption,optional"`
	HSExtension   *int32   `parquet:"hs_extension,optional"`
	HSISN         *int64   `parquet:"hs_isn,optional"`
	HSMTU         *int64   `parquet:"hs_mtu,optional"`
	HSFlowWindow  *int64   `parquet:"hs_flow_window,optional"`
	HSType        *string  `parquet:"hs_type,optional,dict"`
	HSTypeCode    *int32   `parquet:"hs_type_code,optional"`
	HSSocketID    *int64   `parquet:"hs_socket_id,optional"`
	HSCookie      *int64   `parquet:"hs_cookie,optional"`
	HSPeerIP      *string  `parquet:"hs_peer_ip,optional,dict"`
	HSExtensions  []string `parquet:"hs_extensions,optional,list" parquet-element:",dict"`
	HSTruncatedAt *int32   `parquet:"hs_truncated_at,optional"`

	// handshake.reject (rejections)
	RejectCode          *int32  `parquet:"reject_code,optional"`
	RejectWire          *int32  `parquet:"reject_wire,optional"`
	RejectName          *string `parquet:"reject_name,optional,dict"`
	RejectCategory      *string `parquet:"reject_category,optional,dict"`
	RejectText          *string `parquet:"reject_text,optional,dict"`
	RejectRetryable     *bool   `parquet:"reject_retryable,optional"`
	RejectUnshiftedCode *int32  `parquet:"reject_unshifted_code,optional"`
	RejectUnshiftedName *string `parquet:"reject_unshifted_name,optional,dict"`

	// umsg (UMSG_EXT packets)
	UmsgSubtype *string `parquet:"umsg_subtype,optional,dict"`

	// SRT options: HSREQ/HSRSP blocks and UMSG_EXT HSREQ/HSRSP
	SRTVersion    *string  `parquet:"srt_version,optional,dict"`
	SRTFlags      *int64   `parquet:"srt_flags,optional"`
	SRTFlagNames  []string `parquet:"srt_flag_names,optional,list" parquet-element:",dict"`
	RcvTSBPDDelay *int32   `parquet:"rcv_tsbpd_delay,optional"`
	SndTSBPDDelay *int32   `parquet:"snd_tsbpd_delay,optional"`

	// key material: KMREQ/KMRSP blocks and UMSG_EXT KMREQ/KMRSP
	KMKK      *int32  `parquet:"km_kk,optional"`
	KMCipher  *string `parquet:"km_cipher,optional,dict"`
	KMAuth    *int32  `parquet:"km_auth,optional"`
	KMSE      *int32  `parquet:"km_se,optional"`
	KMSaltLen *int32  `parquet:"km_salt_len,optional"`
	KMKeyLen  *int32  `parquet:"km_key_len,optional"`
	KMState   *string `parquet:"km_state,optional,dict"`

	// the other extension blocks
	StreamID     *string `parquet:"stream_id,optional,dict"`
	Congestion   *string `parquet:"congestion,optional,dict"`
	Filter       *string `parquet:"filter,optional,dict"`
	ExtTruncated *bool   `parquet:"ext_truncated,optional"`
	GroupID      *int64  `parquet:"group_id,optional"`
	GroupType    *string `parquet:"group_type,optional,dict"`
	GroupFlags   *int32  `parquet:"group_flags,optional"`
	GroupWeight  *int32  `parquet:"group_weight,optional"`

	// ack (ACK packets)
	AckNo         *int64  `parquet:"ack_no,optional"`
	AckVariant    *string `parquet:"ack_variant,optional,dict"`
	AckLastAckSeq *int64  `parquet:"ack_last_ack_seq,optional"`
	AckRTT        *int64  `parquet:"ack_rtt,optional"`
	AckRTTVar     *int64  `parquet:"ack_rtt_var,optional"`
	AckAvailBuf   *int64  `parquet:"ack_avail_buf,optional"`
	AckPktRate    *int64  `parquet:"ack_pkt_rate,optional"`
	AckBandwidth  *int64  `parquet:"ack_bandwidth,optional"`
	AckRecvRate   *int64  `parquet:"ack_recv_rate,optional"`

	// nak (NAK packets)
	NakLosses []LossRange `parquet:"nak_losses,optional,list"`
	NakSeqs   *int64      `parquet:"nak_seqs,optional"`

	// dropreq (DROPREQ packets)
	DropreqMsgNo    *int64 `parquet:"dropreq_msgno,optional"`
	DropreqFirstSeq *int64 `parquet:"dropreq_first_seq,optional"`
	DropreqLastSeq  *int64 `parquet:"dropreq_last_seq,optional"`

	// peer_error (PEERERROR packets)
	PeerErrorCode *int64  `parquet:"peer_error_code,optional"`
	PeerErrorName *string `parquet:"peer_error_name,optional,dict"`

	Error       *string `parquet:"error,optional"`
	ErrorOffset *int32  `parquet:"error_offset,optional"`
}

// LossRange is one entry of a NAK's loss list: the sequence numbers First
// to Last, inclusive (First == Last for a single lost packet).
type LossRange struct {
	First int64 `parquet:"first"`
	Last  int64 `parquet:"last"`
}

// The leaf columns of PacketRow, in schema order (nak_losses has two:
// first and last). TestPacketColumnOrder checks them against the schema.
const (
	cFile = iota
	cFrame
	cTime
	cSrc
	cDst
	cLen
	cControl
	cKind
	cType
	cTypeCode
	cSubtype
	cInfo
	cTimestamp
	cDstSocket
	cDataSeq
	cDataPosition
	cDataInOrder
	cDataKey
	cDataRetransmitted
	cDataMsgNo
	cDataPayloadLen
	cDataCapturedLen
	cDataFEC
	cHSVersion
	cHSEncryption
	cHSExtension
	cHSISN
	cHSMTU
	cHSFlowWindow
	cHSType
	cHSTypeCode
	cHSSocketID
	cHSCookie
	cHSPeerIP
	cHSExtensions
	cHSTruncatedAt
	cRejectCode
	cRejectWire
	cRejectName
	cRejectCategory
	cRejectText
	cRejectRetryable
	cRejectUnshiftedCode
	cRejectUnshiftedName
	cUmsgSubtype
	cSRTVersion
	cSRTFlags
	cSRTFlagNames
	cRcvTSBPDDelay
	cSndTSBPDDelay
	cKMKK
	cKMCipher
	cKMAuth
	cKMSE
	cKMSaltLen
	cKMKeyLen
	cKMState
	cStreamID
	cCongestion
	cFilter
	cExtTruncated
	cGroupID
	cGroupType
	cGroupFlags
	cGroupWeight
	cAckNo
	cAckVariant
	cAckLastAckSeq
	cAckRTT
	cAckRTTVar
	cAckAvailBuf
	cAckPktRate
	cAckBandwidth
	cAckRecvRate
	cNakLossesFirst
	cNakLossesLast
	cNakSeqs
	cDropreqMsgNo
	cDropreqFirstSeq
	cDropreqLastSeq
	cPeerErrorCode
	cPeerErrorName
	cError
	cErrorOffset
	numPacketColumns
)

// PacketWriter writes the packets table of one capture: one row per frame
// given to Write. It is not safe for concurrent use; use one writer per
// capture (and goroutine).
//
// Rows are gathered column by column, typed (a segment of segmentRows
// rows), and encoded into pages by fileWriter rather than parquet-go's
// column writers: with some 80 columns, most of them null in any one row,
// one parquet.Value per cell cost several times the encoding itself.
type PacketWriter struct {
	fw       *fileWriter
	file     string
	seg      *segment // being filled
	spare    *segment // the other one, being encoded (workers > 1)
	done     chan error
	busy     bool // a segment is being encoded in the background
	groupLen int  // rows of the current row group, seg excluded
	rows     int64
	addr     addrNames
	lastSrc  netip.AddrPort // the endpoints of the last frame, and their names
	lastDst  netip.AddrPort
	srcName  string
	dstName  string
	hs       walkScratch
	sbuf     []byte
	hsbuf    [handshake.CIFSize]byte
	exts     []string
	flags    []string
	workers  int
	groupMax int // RowGroupRows; smaller in tests
	err      error
}

// walkScratch receives decoded extension blocks without allocating.
type walkScratch struct {
	hs    handshake.Handshake // a truncated handshake's fields
	hsreq handshake.HSReq
	km    handshake.KeyMaterial
	group handshake.Group
}

// segmentRows is the number of rows gathered before they are encoded (one
// page per column, mostly); RowGroupRows is a multiple of it.
const segmentRows = 8 << 10

// NewPacketWriter returns a writer of the packets table to w. file is the
// value of the file column: the capture's name as the user gave it. Call
// Close to finish the file (w itself is not closed).
func NewPacketWriter(w io.Writer, file string) *PacketWriter {
	pw := &PacketWriter{
		file:     file,
		sbuf:     make([]byte, 0, 1024),
		workers:  1,
		groupMax: RowGroupRows,
	}
	pw.fw = newFileWriter(w, packetTable, 1)
	pw.seg = getSegment(packetTable, segmentRows)
	return pw
}

// SetWorkers sets how many goroutines encode the columns and compress
// their pages: 1 by default, the caller's goroutine, when a segment of
// rows is full. With more, the segments are encoded in the background by
// that many goroutines while the caller fills the next one. A program that
// converts one large capture can give it runtime.GOMAXPROCS(0); one that
// converts several at once (srtdump -j N) gains more from one writer per
// capture and goroutine, each with 1. The file is the same whatever the
// number. Call it before the first Write: after it, it does nothing.
func (pw *PacketWriter) SetWorkers(n int) {
	if pw.err != nil || pw.rows > 0 || pw.seg.rows > 0 {
		return
	}
	pw.workers = max(1, min(n, numPacketColumns))
	old := pw.fw
	old.release()
	pw.fw = newFileWriter(old.w, old.t, pw.workers)
}

// Write adds one frame of a capture as a row: f as capture.Reader hands it
// out, decode error included. f is not kept.
func (pw *PacketWriter) Write(f *capture.Frame) error {
	if pw.err != nil {
		return pw.err
	}
	pw.fill(f)
	if pw.seg.endRow() || pw.groupLen+pw.seg.rows == pw.groupMax {
		return pw.flushSegment(false)
	}
	return nil
}

// Rows returns the number of rows written so far.
func (pw *PacketWriter) Rows() int64 {
	if pw.seg == nil { // closed
		return pw.rows
	}
	return pw.rows + int64(pw.seg.rows)
}

// flushSegment hands the segment to the encoder: in this goroutine with
// one worker, else in the background once the previous segment is done.
// The segment ends its row group when the group is full, or if end.
func (pw *PacketWriter) flushSegment(end bool) error {
	seg := pw.seg
	n := seg.rows
	if n == 0 && (!end || pw.groupLen == 0) {
		return pw.err
	}
	seg.first = int64(pw.groupLen)
	pw.groupLen += n
	pw.rows += int64(n)
	if pw.groupLen >= pw.groupMax || end {
		seg.last = true
		pw.groupLen = 0
	}
	if pw.workers <= 1 {
		if err := pw.fw.encodeSegment(seg, 1); err != nil {
			pw.err = fmt.Errorf("parquetout: packets: %w", err)
		}
	} else {
		if pw.wait() != nil {
			return pw.err
		}
		if pw.spare == nil {
			pw.spare = getSegment(packetTable, segmentRows)
			pw.done = make(chan error, 1)
		}
		pw.seg, pw.spare = pw.spare, seg
		pw.busy = true
		go func() { pw.done <- pw.fw.encodeSegment(seg, pw.workers) }()
	}
	return pw.err
}

// wait waits for the segment being encoded in the background, if any.
func (pw *PacketWriter) wait() error {
	if pw.busy {
		pw.busy = false
		if err := <-pw.done; err != nil && pw.err == nil {
			pw.err = fmt.Errorf("parquetout: packets: %w", err)
		}
	}
	return pw.err
}

// Close writes the rows still buffered and the file's footer. It does not
// close the io.Writer.
func (pw *PacketWriter) Close() error {
	pw.wait()
	if pw.err != nil {
		return pw.err
	}
	if err := pw.flushSegment(true); err != nil {
		return err
	}
	if err := pw.wait(); err != nil {
		return err
	}
	if err := pw.fw.close(); err != nil {
		pw.err = fmt.Errorf("parquetout: packets: %w", err)
		return pw.err
	}
	pw.err = errClosed
	// The writer is done with its buffers: the next one may have them.
	pw.fw.release()
	putSegment(packetTable, pw.seg)
	putSegment(packetTable, pw.spare)
	pw.seg, pw.spare = nil, nil
	return nil
}

var errClosed = errors.New("parquetout: writer closed")

// fill adds the values of f's row to the segment; the columns it does not
// set are null (and so are the lists it does not write). It follows cmd/srtdump's walker
// (walk.go): the same parts of a frame are shown, so that a row holds what
// the frame's -json object holds.
func (pw *PacketWriter) fill(f *capture.Frame) {
	b := pw.seg
	b.str(cFile, pw.file)
	b.i64(cFrame, int64(f.Number))
	b.i64(cTime, micros(f.Time))
	src, dst := pw.endpoints(f.Src, f.Dst)
	b.str(cSrc, src)
	b.str(cDst, dst)
	b.i32(cLen, int32(f.Len))
	if f.Fragment || len(f.Data) < packet.HeaderSize {
		pw.fault(f)
		return
	}
	p := &f.Packet
	kind := p.Kind()
	b.bool(cControl, p.Control)
	b.str(cKind, kind.String())
	if p.Control {
		b.str(cType, p.Type.String())
		b.i32(cTypeCode, int32(p.Type))
		b.i32(cSubtype, int32(p.Subtype))
		b.i64(cInfo, int64(p.Info))
	} else {
		b.str(cType, "DATA")
	}
	b.i64(cTimestamp, int64(p.Timestamp))
	b.i64(cDstSocket, int64(p.DstSocket))

	switch kind {
	case packet.KindData, packet.KindFEC:
		b.i64(cDataSeq, int64(p.Seq))
		b.str(cDataPosition, p.Position.String())
		b.bool(cDataInOrder, p.InOrder)
		b.str(cDataKey, p.Key.String())
		b.bool(cDataRetransmitted, p.Retransmitted)
		b.i64(cDataMsgNo, int64(p.MsgNo))
		// The payload's length on the wire; the length captured too
		// when the capture's snaplen cut it.
		n := len(p.Payload)
		if f.Truncated && f.Len > len(f.Data) {
			n = f.Len - packet.HeaderSize
		}
		b.i32(cDataPayloadLen, int32(n))
		if n != len(p.Payload) {
			b.i32(cDataCapturedLen, int32(len(p.Payload)))
		}
		b.bool(cDataFEC, kind == packet.KindFEC)
	case packet.KindHandshake:
		if cif := f.Data[packet.HeaderSize:]; len(cif) < handshake.CIFSize {
			// A CIF cut short: Decode yields zeros, so the fields there
			// are decoded from a zero-padded copy and only those that
			// were captured whole are set.
			pw.hsbuf = [handshake.CIFSize]byte{}
			copy(pw.hsbuf[:], cif)
			pw.hs.hs.Decode(pw.hsbuf[:])
			pw.hsFields(&pw.hs.hs, len(cif))
			b.i32(cHSTruncatedAt, int32(packet.HeaderSize+len(cif)))
			break
		}
		pw.handshake(&p.Handshake)
	case packet.KindACK:
		if f.Err == nil {
			a := &p.ACK
			b.i64(cAckNo, int64(p.Info))
			b.str(cAckVariant, a.Variant.String())
			b.i64(cAckLastAckSeq, int64(a.LastAckSeq))
			// The fields each variant carries (srtcore/core.cpp,
			// CUDT::sendCtrlAck; srtcore/packet.h ACKD_*).
			if a.Variant >= packet.ACKSmall {
				b.i64(cAckRTT, int64(a.RTT))
				b.i64(cAckRTTVar, int64(a.RTTVar))
				b.i64(cAckAvailBuf, int64(a.AvailBuf))
			}
			if a.Variant >= packet.ACKFull24 {
				b.i64(cAckPktRate, int64(a.PktRate))
				b.i64(cAckBandwidth, int64(a.Bandwidth))
			}
			if a.Variant >= packet.ACKFull {
				b.i64(cAckRecvRate, int64(a.RecvRate))
			}
		}
	case packet.KindNAK:
		c := p.NAK.Losses()
		i := 0
		for ; c.Next(); i++ {
			lo, hi := c.Range()
			b.elemI64(cNakLossesFirst, i, int64(lo))
			b.elemI64(cNakLossesLast, i, int64(hi))
		}
		if i == 0 {
			b.emptyList(cNakLossesFirst)
			b.emptyList(cNakLossesLast)
		}
		b.i64(cNakSeqs, int64(p.NAK.Count()))
	case packet.KindDropReq:
		if f.Err == nil {
			b.i64(cDropreqMsgNo, int64(p.DropMsgNo()))
			b.i64(cDropreqFirstSeq, int64(p.DropReq.First))
			b.i64(cDropreqLastSeq, int64(p.DropReq.Last))
		}
	case packet.KindPeerError:
		b.i64(cPeerErrorCode, int64(p.Info))
		if p.Info == packet.PeerErrorFile {
			b.str(cPeerErrorName, "SRT_EFILE")
		}
	case packet.KindUserDefined:
		b.str(cUmsgSubtype, p.Subtype.String())
		switch p.Subtype {
		case packet.SubtypeKMReq, packet.SubtypeKMRsp:
			if p.IsKMState() {
				if st, err := p.KMState(); err == nil {
					b.str(cKMState, st.String())
				}
			} else if p.KeyMaterial(&pw.hs.km) == nil {
				pw.keyMaterial(&pw.hs.km)
			}
		case packet.SubtypeHSReq, packet.SubtypeHSRsp:
			if p.HSReq(&pw.hs.hsreq) == nil {
				pw.hsreq(&pw.hs.hsreq)
			}
		}
	}
	if f.Err != nil {
		pw.fault(f)
	}
}

// endpoints returns the names of a frame's endpoints: those of the last
// frame, either way round (a connection's packets go both ways), or from
// the cache of names.
func (pw *PacketWriter) endpoints(src, dst netip.AddrPort) (string, string) {
	switch {
	case src == pw.lastSrc && dst == pw.lastDst && pw.srcName != "":
		return pw.srcName, pw.dstName
	case src == pw.lastDst && dst == pw.lastSrc && pw.srcName != "":
		return pw.dstName, pw.srcName
	}
	pw.lastSrc, pw.lastDst = src, dst
	pw.srcName, pw.dstName = pw.addr.name(src), pw.addr.name(dst)
	return pw.srcName, pw.dstName
}

// fault sets the error columns of a frame that did not decode (or was not
// captured whole), as srtdump's diagnose does.
func (pw *PacketWriter) fault(f *capture.Frame) {
	if f.Err == nil {
		return
	}
	msg, off := diagnose(f)
	pw.seg.str(cError, msg)
	pw.seg.i32(cErrorOffset, int32(off))
}

// diagnose explains a frame's error and where in the datagram it is: the
// capture's own faults (an IP fragment, a snaplen cut) here, decode errors
// by packet.Packet.Detail. It is the text of the -json "error" key.
func diagnose(f *capture.Frame) (string, int) {
	switch {
	case errors.Is(f.Err, capture.ErrFragment):
		return f.Err.Error(), 0
	case errors.Is(f.Err, capture.ErrSnapTruncated):
		return fmt.Sprintf("%v: %d of %d bytes captured", f.Err, len(f.Data), f.Len), len(f.Data)
	}
	e := f.Packet.Detail(f.Data, f.Err)
	if f.Truncated && f.Len > len(f.Data) {
		// The decode error is most likely the cut: say both.
		return fmt.Sprintf("%v: %d of %d bytes captured (%v)", capture.ErrSnapTruncated, len(f.Data), f.Len, e), e.Offset
	}
	return e.Error(), e.Offset
}

// handshake sets the hs_* and reject_* columns and those of the extension
// blocks (the first block of each type).
func (pw *PacketWriter) handshake(h *handshake.Handshake) {
	b := pw.seg
	pw.hsFields(h, handshake.CIFSize)
	// The list is there whenever the CIF has room for a block header after
	// its fixed part, even if no block decodes (the -json "extensions").
	if len(h.Ext) < 4 {
		return
	}
	var seen uint32 // block types whose content was taken
	first := func(t handshake.ExtType) bool {
		if t >= 32 || seen&(1<<t) != 0 {
			return false
		}
		seen |= 1 << t
		return true
	}
	s := &pw.hs
	n := 0
	it := h.Extensions()
	for it.Next() {
		t, val := it.Type(), it.Value()
		b.elemStr(cHSExtensions, n, t.String())
		n++
		switch t {
		case handshake.ExtHSReq, handshake.ExtHSRsp:
			if first(handshake.ExtHSReq) && s.hsreq.Decode(val) == nil {
				pw.hsreq(&s.hsreq)
			}
		case handshake.ExtKMReq, handshake.ExtKMRsp:
			if !first(handshake.ExtKMReq) {
				break
			}
			switch {
			case t == handshake.ExtKMRsp && handshake.IsKMState(val):
				st, _ := handshake.DecodeKMState(val)
				b.str(cKMState, st.String())
			case s.km.Decode(val) == nil:
				pw.keyMaterial(&s.km)
			}
		case handshake.ExtSID:
			if first(t) {
				b.str(cStreamID, pw.str(t, val))
			}
		case handshake.ExtCongestion:
			if first(t) {
				b.str(cCongestion, pw.str(t, val))
			}
		case handshake.ExtFilter:
			if first(t) {
				b.str(cFilter, pw.str(t, val))
			}
		case handshake.ExtGroup:
			if first(t) && s.group.Decode(val) == nil {
				g := &s.group
				b.i64(cGroupID, int64(g.ID))
				b.str(cGroupType, g.Type.String())
				b.i32(cGroupFlags, int32(g.Flags))
				b.i32(cGroupWeight, int32(g.Weight))
			}
		}
	}
	if n == 0 {
		b.emptyList(cHSExtensions)
	}
}

// hsFields sets the columns of the fixed fields of h that end within the
// first n bytes of the CIF, and of its rejection reason.
func (pw *PacketWriter) hsFields(h *handshake.Handshake, n int) {
	b := pw.seg
	if n >= 4 {
		b.i64(cHSVersion, int64(h.Version))
	}
	if n >= 8 {
		b.i32(cHSEncryption, int32(h.Encryption))
		b.i32(cHSExtension, int32(h.Extension))
	}
	if n >= 12 {
		b.i64(cHSISN, int64(h.ISN))
	}
	if n >= 16 {
		b.i64(cHSMTU, int64(h.MTU))
	}
	if n >= 20 {
		b.i64(cHSFlowWindow, int64(h.FlowWindow))
	}
	if n < 24 {
		return
	}
	reason, rejected := h.Type.Reason()
	if rejected {
		b.str(cHSType, "REJECT")
	} else {
		b.str(cHSType, h.Type.String())
	}
	b.i32(cHSTypeCode, int32(h.Type))
	if n >= 28 {
		b.i64(cHSSocketID, int64(h.SocketID))
	}
	if n >= 32 {
		b.i64(cHSCookie, int64(h.Cookie))
	}
	if n >= handshake.CIFSize {
		b.str(cHSPeerIP, h.PeerAddr().String())
	}
	if rejected {
		b.i32(cRejectCode, int32(reason))
		b.i32(cRejectWire, reason.Wire())
		b.str(cRejectName, reason.Name())
		b.str(cRejectCategory, categoryName(reason.Category()))
		b.str(cRejectText, reason.Text())
		b.bool(cRejectRetryable, reason.Retryable())
		if u, ok := reason.Unshifted(); ok && reason.LooksUnshifted() {
			b.i32(cRejectUnshiftedCode, int32(u))
			b.str(cRejectUnshiftedName, u.Name())
		}
	}
}

// categoryName names a rejection reason's category as srtdump's JSON
// does: internal, predefined or user.
func categoryName(c reject.Category) string {
	switch c {
	case reject.Internal:
		return "internal"
	case reject.Predefined:
		return "predefined"
	}
	return "user"
}

// str decodes a string extension as handshake.AppendString does, cut to
// what libsrt accepts (t.MaxStringLen: a Stream ID of at most 512 bytes),
// and sets ext_truncated when it was cut.
func (pw *PacketWriter) str(t handshake.ExtType, val []byte) string {
	if limit := t.MaxStringLen(); len(val) > limit {
		val = val[:limit]
		pw.seg.bool(cExtTruncated, true)
	}
	pw.sbuf = handshake.AppendString(pw.sbuf[:0], val)
	return string(pw.sbuf)
}

// hsreq sets the SRT option columns, srt_flag_names included.
func (pw *PacketWriter) hsreq(q *handshake.HSReq) {
	b := pw.seg
	b.str(cSRTVersion, q.Version.String())
	b.i64(cSRTFlags, int64(q.Flags))
	pw.flags = q.Flags.Names(pw.flags[:0])
	for i, name := range pw.flags {
		b.elemStr(cSRTFlagNames, i, name)
	}
	if len(pw.flags) == 0 {
		b.emptyList(cSRTFlagNames)
	}
	b.i32(cRcvTSBPDDelay, int32(q.RecvDelay))
	b.i32(cSndTSBPDDelay, int32(q.SendDelay))
}

// keyMaterial sets the km_* columns.
func (pw *PacketWriter) keyMaterial(k *handshake.KeyMaterial) {
	b := pw.seg
	b.i32(cKMKK, int32(k.Keys))
	b.str(cKMCipher, k.Cipher.String())
	b.i32(cKMAuth, int32(k.Auth))
	b.i32(cKMSE, int32(k.SE))
	b.i32(cKMSaltLen, int32(k.SaltLen))
	b.i32(cKMKeyLen, int32(k.KeyLen))
}
