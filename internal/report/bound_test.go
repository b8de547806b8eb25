package report

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/srtwire/srtwire/internal/testcorpus"
	"github.com/srtwire/srtwire/packet"
	"github.com/srtwire/srtwire/session"
)

// decoded returns the frames of a corpus capture, decoded.
func decoded(t testing.TB, name string) []session.Frame {
	t.Helper()
	fs, err := testcorpus.Frames(name)
	require.NoError(t, err)
	out := make([]session.Frame, len(fs))
	for i, f := range fs {
		p := new(packet.Packet)
		err := p.Decode(f.Payload)
		out[i] = session.Frame{Number: f.Number, Time: f.Time, Src: f.Src, Dst: f.Dst, Packet: p, Data: f.Payload, Err: err}
	}
	return out
}

// replayer feeds shifted copies of corpus frames to a Tracker and a
// Capture, in time order.
type replayer struct {
	tr  *session.Tracker
	c   *Capture
	n   int
	now time.Time // the time of the last frame fed
}

func (r *replayer) feed(f *session.Frame) {
	r.n++
	f.Number = r.n
	r.now = f.Time
	a := r.tr.Add(f)
	r.c.Frame(a, f)
}

// port returns a with port p.
func port(a netip.AddrPort, p uint16) netip.AddrPort { return netip.AddrPortFrom(a.Addr(), p) }

// replay feeds frames once, from time at, with the caller's endpoint
// replaced by caller (and the other side's kept).
func (r *replayer) replay(frames []session.Frame, at time.Time, caller netip.AddrPort) {
	orig := frames[0].Src
	d := at.Sub(frames[0].Time)
	for i := range frames {
		f := frames[i]
		if f.Src == orig {
			f.Src = caller
		}
		if f.Dst == orig {
			f.Dst = caller
		}
		f.Time = f.Time.Add(d)
		r.feed(&f)
	}
}

// shiftNAK adds k to every sequence number in a NAK loss list.
func shiftNAK(list []byte, k uint32) []byte {
	out := make([]byte, len(list))
	for i := 0; i+4 <= len(list); i += 4 {
		w := binary.BigEndian.Uint32(list[i:])
		flag := w & 0x80000000
		binary.BigEndian.PutUint32(out[i:], flag|((w&0x7FFFFFFF)+k)&0x7FFFFFFF)
	}
	return out
}

// TestReportBounded writes the report of a large synthetic capture, the
// kind a 1 GB capture gives: a long lossy connection (s08_loss_pattern's
// traffic replayed for 16 minutes with its sequence numbers moved on),
// thirty short connections, a retry storm of 2000 refused attempts and
// 900 refused callers from distinct hosts. The page stays under 2 MB,
// the time series are binned to at most MaxBins points, the lists are cut
// at their bounds and say what they left out, and the report keeps at
// most two series per connection shown.
func TestReportBounded(t *testing.T) {
	s08 := decoded(t, "s08_loss_pattern")
	s05 := decoded(t, "s05_app_reject_1403")
	var buf bytes.Buffer
	r := New(&buf, &Options{Location: time.UTC})
	c := r.Begin("synthetic.pcap")
	tr := session.NewTracker()
	c.Track(tr)
	rp := &replayer{tr: tr, c: c}

	// The long connection: the handshake once, then the traffic again
	// and again.
	hs := 0
	for hs < len(s08) && s08[hs].Packet.Kind() == packet.KindHandshake {
		hs++
	}
	require.Equal(t, 4, hs)
	var body []session.Frame
	lo, hi := uint32(1<<31), uint32(0)
	for _, f := range s08[hs:] {
		if f.Packet.Kind() == packet.KindShutdown {
			continue
		}
		if f.Packet.Kind() == packet.KindData {
			lo, hi = min(lo, uint32(f.Packet.Seq)), max(hi, uint32(f.Packet.Seq))
		}
		body = append(body, f)
	}
	seqSpan := hi - lo + 1
	cycle := body[len(body)-1].Time.Sub(body[0].Time) + 300*time.Millisecond
	start := s08[0].Time
	for i := 0; i < hs; i++ {
		f := s08[i]
		rp.feed(&f)
	}
	const cycles = 400
	for k := 0; k < cycles; k++ {
		shift := uint32(k) * seqSpan
		dt := time.Duration(k) * cycle
		for _, f := range body {
			p := *f.Packet
			switch p.Kind() {
			case packet.KindData:
				p.Seq = packet.SeqNumber((uint32(p.Seq) + shift) & 0x7FFFFFFF)
			case packet.KindACK:
				p.ACK.LastAckSeq = packet.SeqNumber((uint32(p.ACK.LastAckSeq) + shift) & 0x7FFFFFFF)
			case packet.KindNAK:
				p.NAK.List = shiftNAK(p.NAK.List, shift)
			}
			p.Timestamp += uint32(dt.Microseconds())
			g := f
			g.Packet = &p
			g.Time = f.Time.Add(dt)
			rp.feed(&g)
		}
	}
	long := rp.now.Sub(start)
	require.Greater(t, long, 15*time.Minute)

	// Thirty short connections, one after the other.
	at := rp.now.Add(time.Second)
	for i := 0; i < 30; i++ {
		rp.replay(s08, at, port(s08[0].Src, uint16(30000+i)))
		at = rp.now.Add(100 * time.Millisecond)
	}
	// A retry storm: one caller host refused 2000 times.
	for i := 0; i < 2000; i++ {
		rp.replay(s05, at, port(s05[0].Src, uint16(20000+i)))
		at = rp.now.Add(10 * time.Millisecond)
	}
	// 900 refused callers, each from its own host.
	for i := 0; i < 900; i++ {
		host := netip.AddrFrom4([4]byte{10, 0, byte(i / 250), byte(1 + i%250)})
		rp.replay(s05, at, netip.AddrPortFrom(host, 40000))
		at = rp.now.Add(10 * time.Millisecond)
	}
	require.NoError(t, c.End(CaptureMeta{Frames: rp.n, SRT: rp.n, Bytes: int64(rp.n) * 700}))
	require.NoError(t, r.Close())

	page := buf.Bytes()
	if dir := os.Getenv("SRTWIRE_REPORT_DIR"); dir != "" {
		require.NoError(t, os.WriteFile(filepath.Join(dir, "synthetic.html"), page, 0o644))
	}
	t.Logf("%d frames, %d attempts, %d connections: page %d bytes", rp.n, c.attempts, c.groups, len(page))
	assert.Less(t, len(page), 2<<20, "the page is under 2 MB")
	assert.Equal(t, 1+30+2000+900, c.attempts)
	assert.Equal(t, 1+30+1+900, c.groups)
	assert.LessOrEqual(t, c.nSeries, 2*DefaultMaxConnections, "series kept")

	doc := parsePage(t, page)
	assert.Len(t, sel(doc, "section", "connection"), DefaultMaxConnections)
	assert.Len(t, sel(doc, "a", "tl-row"), DefaultMaxTimelineRows)
	tl := text(byID(doc, "cap-1-timeline"))
	assert.True(t, strings.Contains(tl, fmt.Sprintf("… and %d more connections", c.groups-DefaultMaxTimelineRows)), "timeline: more rows counted")
	ov := byID(doc, "cap-1-overview")
	require.NotNil(t, ov)
	assert.Len(t, children(sel(ov, "tbody", "")[0], "tr"), DefaultMaxRows)
	assert.True(t, strings.Contains(text(ov), fmt.Sprintf("… and %d more connections", c.groups-DefaultMaxRows)), "table: more rows counted")
	// The findings: one item per kind, errors first: the 901 refused
	// connections (three quoted, the next listed by number, the rest
	// counted), then the retry storm.
	fl := sel(byID(doc, "cap-1-findings"), "li", "finding")
	require.Len(t, fl, 2)
	assert.Equal(t, "rejected", attr(fl[0], "data-code"))
	assert.Equal(t, "901", attr(fl[0], "data-conns"))
	assert.Len(t, sel(fl[0], "div", "fq"), DefaultFindingsPerCode)
	also := text(sel(fl[0], "p", "also")[0])
	assert.True(t, strings.HasPrefix(also, "Also in #35, #36, "), also)
	assert.True(t, strings.HasSuffix(also, fmt.Sprintf(" and %d more.", 901-DefaultFindingsPerCode-maxRefs)), also)
	assert.Equal(t, "retry_storm", attr(fl[1], "data-code"))
	assert.True(t, hasClass(fl[1], "level-warning"))

	// The retry storm is one row with its count.
	var storm bool
	for _, row := range sel(doc, "a", "tl-row") {
		if attr(row, "data-attempts") == "2000" {
			storm = true
			assert.Contains(t, text(row), "rejected: SRT_REJX_FORBIDDEN ×2000")
		}
	}
	assert.True(t, storm, "the retry storm is in the timeline")

	// The long connection: binned to at most MaxBins points per series.
	conn1 := byID(doc, "cap-1-conn-1")
	charts := sel(conn1, "svg", "chart")
	require.Len(t, charts, 4)
	for _, ch := range charts {
		n, err := strconv.Atoi(attr(ch, "data-bins"))
		require.NoError(t, err)
		assert.LessOrEqual(t, n, DefaultMaxBins)
		assert.Greater(t, n, DefaultMaxBins/2)
		for _, g := range sel(ch, "g", "series") {
			if attr(ch, "data-chart") != "rtt" {
				assert.Equal(t, n, seriesPoints(g))
			}
		}
		assert.Contains(t, text(sel(ch, "text", "axis-title", "x")[0]), "4 s bins")
		checkTimeAxis(t, ch)
	}
	// The bins add up: the loss chart's bars sum to the direction's
	// gap loss.
	a := tr.Attempts()[0]
	d := a.Directions()[0]
	assert.Equal(t, cycles*25, d.Data.GapLoss)
	assert.True(t, strings.Contains(text(conn1), "10000 lost"), "the long connection's losses are summed up")
}

// TestFrameAllocs: the per-frame hook allocates nothing for the frames
// that make most of a capture (data, ACK, ACKACK, NAK).
func TestFrameAllocs(t *testing.T) {
	fs := decoded(t, "s08_loss_pattern")
	r := New(&bytes.Buffer{}, nil)
	c := r.Begin("x")
	tr := session.NewTracker()
	c.Track(tr)
	var as []*session.Attempt
	for i := range fs {
		as = append(as, tr.Add(&fs[i]))
		c.Frame(as[i], &fs[i])
	}
	for i := range fs {
		switch fs[i].Packet.Kind() {
		case packet.KindData, packet.KindACK, packet.KindACKACK, packet.KindNAK:
			n := testing.AllocsPerRun(100, func() { c.Frame(as[i], &fs[i]) })
			require.Zero(t, n, "frame %d (%v)", fs[i].Number, fs[i].Packet.Kind())
		}
	}
}

func BenchmarkFrame(b *testing.B) {
	fs := decoded(b, "s08_loss_pattern")
	r := New(&bytes.Buffer{}, nil)
	c := r.Begin("x")
	tr := session.NewTracker()
	as := make([]*session.Attempt, len(fs))
	for i := range fs {
		as[i] = tr.Add(&fs[i])
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		k := 4 + i%(len(fs)-4)
		c.Frame(as[k], &fs[k])
	}
}

// TestWorstCaseSize renders a capture section with every list at its
// bound and every entry at its largest: MaxConnections connections in
// detail, each with two directions of MaxBins bins and the most marks,
// the longest Stream ID and a full ladder; MaxRows table rows,
// MaxTimelineRows timeline rows, and every finding code quoted
// FindingsPerCode times with maxRefs references. The section, whatever
// the capture, stays under 2 MB.
func TestWorstCaseSize(t *testing.T) {
	var out bytes.Buffer
	r := New(&out, nil)
	c := r.Begin("worst.pcap")
	t0 := time.Date(2026, 11, 24, 19, 0, 0, 0, time.UTC)
	sid := strings.Repeat("#!::r=live/feed-long-name,u=somebody&", 14)[:512]
	text := strings.Repeat("A long finding text with numbers 1234567 and addresses [2001:db8::1234]:65535. ", 6)
	codes := []string{session.CodeRejected, session.CodeNoAnswer, session.CodeRetryStorm, session.CodeUndecryptable,
		session.CodePassphraseMismatch, session.CodePeerError, session.CodeUnrecoveredLoss, session.CodeLatePackets,
		session.CodeLatencyLow, session.CodeStall, session.CodeTrafficAfterReject, session.CodeUnshiftedReject, session.CodePeerIPFamily}
	var fs []session.Finding
	for _, code := range codes {
		fs = append(fs, session.Finding{Level: session.LevelError, Code: code, Text: text})
	}
	addr := "[2001:db8:1234:5678:9abc:def0:1234:5678]:65535"
	mk := func(n int, detailed bool) *conn {
		cn := &conn{n: n, href: c.id + "-conn-" + strconv.Itoa(n), detailed: detailed, caller: addr, listener: addr,
			names: [2]string{"caller", "listener"}, mode: "caller-listener (roles inferred)", outcomeTxt: "rejected: SRT_REJC_USERDEFINED ×123456",
			reason: "SRT_REJC_USERDEFINED (2999): Application-defined rejection reason", sid: sid, enc: "AES-256 requested, BADSECRET",
			latency: "8000 ms", hsRTT: "1234.567 ms", congestion: "live", filter: "fec,cols:10,rows:10,arq:onreq,layout:staircase",
			version: "1.5.1", peerError: "4000 (SRT_EFILE) from " + addr + ", frame 123456789", from: t0, to: t0.Add(time.Hour),
			attempts: 123456, data: 123456789, retx: 12345678, lost: 1234567, findings: fs}
		if !detailed {
			return cn
		}
		for i := 0; i < maxSteps; i++ {
			cn.lad.steps = append(cn.lad.steps, hsStep{T: t0.Add(time.Duration(i) * time.Millisecond), Right: i%2 == 0,
				Label: "CONCLUSION", Detail: "HSREQ 8000 ms · KMREQ AES-256 · Stream ID · congestion live · filter · group", Class: "req", Count: 99})
		}
		cn.lad.more = 123456
		for k := 0; k < 2; k++ {
			s := newSeries(DefaultMaxBins)
			for i := 0; i < 4*DefaultMaxBins; i++ {
				s.add(&session.Bin{Start: t0.Add(time.Duration(i) * time.Second), Width: time.Second, Packets: 12345, Retransmitted: 1234,
					Lost: 123 + i%7, Late: 12 + i%5, NAKs: 100, NAKSeqs: 1234 + i%11, PayloadBytes: 12345678 + int64(i%13)*1000,
					RTT: session.Summary{N: 10, Min: 12345, Max: 98765, Sum: 10 * 54321}})
			}
			ds := dirSummary{name: "caller > listener", from: addr, to: addr, ser: s, latencyMS: session.Opt[int]{Value: 8000, Known: true},
				lateKnown: true, data: 123456789, avgMbps: 98.765, firstData: t0, lastData: t0.Add(4 * DefaultMaxBins * time.Second), gap: time.Millisecond,
				stall:    &span{From: t0.Add(time.Minute), To: t0.Add(2 * time.Minute), Key: "stall", Label: text},
				sentence: text + text, marksMore: 1}
			ds.cells = make([]string, len(StatRows))
			for i := range ds.cells {
				ds.cells[i] = "123456789 / 123456789 / 123456789 (99.99 %)"
			}
			for i := 0; i < maxMarksKept; i++ {
				ds.marks = append(ds.marks, mark{T: t0.Add(time.Duration(i) * 10 * time.Second), Key: "dropreq", Label: markLabel("dropreq", t0, time.UTC)})
			}
			cn.dirs = append(cn.dirs, ds)
		}
		return cn
	}
	for n := 1; n <= DefaultMaxRows; n++ {
		cn := mk(n, n <= DefaultMaxConnections)
		if cn.detailed {
			c.conns = append(c.conns, cn)
		} else {
			c.rows = append(c.rows, cn)
		}
		if n <= DefaultMaxTimelineRows {
			c.tl = append(c.tl, tlRow{N: n, Href: cn.href, Label: "#" + strconv.Itoa(n) + " " + addr + " → " + addr, From: t0, To: t0.Add(time.Hour),
				Outcome: session.OutcomeRejected, Text: cn.outcomeTxt, Attempts: 123456, Errors: 13, Warnings: 13})
		}
	}
	c.rowsMore, c.tlMore, c.tlMoreN, c.groups, c.attempts = 123456, 123456, 1234567, 123456+DefaultMaxRows, 12345678
	c.attFirst, c.attLast = t0, t0.Add(time.Hour)
	for _, f := range fs {
		k := &findingKind{level: f.Level, code: f.Code, conns: 123456}
		for i := 0; i < DefaultFindingsPerCode; i++ {
			k.quoted = append(k.quoted, connFinding{f: f, n: 123456, href: "x", who: "#123456 " + addr + " → " + addr, detailed: true})
		}
		for i := 0; i < maxRefs; i++ {
			k.refs = append(k.refs, connFinding{n: 123456 + i, href: "cap-1-conn-123456", detailed: true})
		}
		c.kinds = append(c.kinds, k)
		c.byLevel[f.Level] += 123456
	}
	var b svgBuf
	c.writeSection(&b, CaptureMeta{Frames: 1 << 30, SRT: 1 << 30, Errors: 1 << 20, Bytes: 1 << 40, Err: fmt.Errorf("%s", text)})
	var one svgBuf
	c.writeConn(&one, c.conns[0])
	t.Logf("worst section %d bytes, of which a detailed connection %d", b.Len(), one.Len())
	if dir := os.Getenv("SRTWIRE_REPORT_DIR"); dir != "" {
		os.WriteFile(filepath.Join(dir, "worst-conn.html"), one.Bytes(), 0o644)
	}
	assert.Less(t, b.Len(), 2<<20, "under 2 MB")
	var page bytes.Buffer
	page.WriteString("<!DOCTYPE html><html><head><title>t</title></head><body>")
	page.Write(b.Bytes())
	page.WriteString("</body></html>")
	parsePage(t, page.Bytes())
}
