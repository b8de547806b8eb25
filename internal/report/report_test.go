package report

import (
	"bytes"
	"fmt"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/html"

	"github.com/srtwire/srtwire/internal/testcorpus"
	"github.com/srtwire/srtwire/session"
)

// TestCorpusReports builds the report of every corpus capture and checks
// the page against the session figures: well-formed, the header, every
// finding, the timeline, the ladder, the stats table number for number,
// and every chart's axes and points.
func TestCorpusReports(t *testing.T) {
	caps, err := testcorpus.Captures()
	require.NoError(t, err)
	for _, cp := range caps {
		cc := struct {
			name        string
			passphrases []string
		}{name: cp.Name}
		for _, k := range corpusCaptures {
			if k.name == cp.Name {
				cc.passphrases = k.passphrases
			}
		}
		t.Run(cc.name, func(t *testing.T) {
			b := build(t, cc.name, cc.passphrases, nil)
			doc := parsePage(t, b.page)
			require.NotEmpty(t, b.attempts)
			groups := session.GroupAttempts(b.attempts)

			caps := sel(doc, "section", "capture")
			require.Len(t, caps, 1)
			cp := caps[0]
			assert.Equal(t, cc.name+".pcap", attr(cp, "data-file"))
			assert.Equal(t, "cap-1", attr(cp, "id"))
			require.NotNil(t, byID(doc, "report-header"))
			require.NotNil(t, byID(doc, "report-footer"))

			// The header: span, packets, connections.
			first, last := b.attempts[0].FirstTime, b.attempts[0].LastTime
			for _, a := range b.attempts {
				first = minTime(first, a.FirstTime)
				last = maxTime(last, a.LastTime)
			}
			spanCard := text(byID(doc, "cap-1-span"))
			assert.Contains(t, spanCard, fmtTime(first, time.UTC))
			assert.Contains(t, spanCard, fmtTime(last, time.UTC))
			assert.Equal(t, strconv.Itoa(b.frames), text(sel(byID(doc, "cap-1-packets"), "div", "v")[0]))
			assert.Equal(t, strconv.Itoa(len(groups)), text(sel(byID(doc, "cap-1-connections"), "div", "v")[0]))

			// Every finding appears, with its code and text, and the health
			// card counts the errors.
			fl := sel(byID(doc, "cap-1-findings"), "li", "finding")
			nf, errs := 0, 0
			for _, g := range groups {
				for _, f := range g.Findings() {
					nf++
					if f.Level == session.LevelError {
						errs++
					}
					found := false
					for _, li := range fl {
						if attr(li, "data-code") != f.Code || !hasClass(li, "level-"+f.Level.String()) {
							continue
						}
						for _, q := range sel(li, "div", "fq") {
							found = found || text(children(q, "p")[0]) == f.Text
						}
					}
					assert.True(t, found, "finding %s: %s", f.Code, f.Text)
				}
			}
			assert.Len(t, sel(byID(doc, "cap-1-findings"), "div", "fq"), nf)
			health := text(sel(byID(doc, "cap-1-health"), "div", "v")[0])
			if errs > 0 {
				assert.Equal(t, countText(errs, "error"), health)
			} else if nf == 0 {
				assert.Equal(t, "OK", health)
				assert.Len(t, sel(byID(doc, "cap-1-findings"), "p", "none"), 1)
			}

			// The timeline: a row per connection, a rejection with its reason.
			tl := byID(doc, "cap-1-timeline")
			require.NotNil(t, tl)
			rows := sel(tl, "a", "tl-row")
			require.Len(t, rows, len(groups))
			for i, g := range groups {
				assert.Equal(t, "#cap-1-conn-"+strconv.Itoa(i+1), attr(rows[i], "href"))
				assert.Equal(t, strconv.Itoa(g.Attempts), attr(rows[i], "data-attempts"))
				if g.First.Outcome == session.OutcomeRejected {
					assert.True(t, hasClass(rows[i], "rej"))
					assert.Contains(t, text(rows[i]), g.First.Reason.Name())
				}
			}
			checkTimeAxis(t, sel(tl, "svg", "timeline-chart")[0])

			for i, g := range groups {
				a := g.First
				sec := byID(doc, "cap-1-conn-"+strconv.Itoa(i+1))
				require.NotNil(t, sec)
				checkLadder(t, sec, a)
				checkNegotiated(t, sec, a)
				checkStats(t, sec, a)
				checkCharts(t, sec, a, b.bins)
			}
		})
	}
}

// checkLadder: the ladder has the handshake's arrows, the first from the
// caller, the last the answer (a rejection names its reason).
func checkLadder(t *testing.T, sec *html.Node, a *session.Attempt) {
	t.Helper()
	lads := sel(sec, "svg", "ladder")
	require.Len(t, lads, 1)
	steps := sel(lads[0], "g", "step")
	assert.Equal(t, strconv.Itoa(len(steps)), attr(lads[0], "data-steps"))
	require.GreaterOrEqual(t, len(steps), 4, "INDUCTION (WAVEAHAND), its answer, CONCLUSION and the answer")
	if a.Mode == session.ModeRendezvous {
		assert.Contains(t, text(steps[0]), "WAVEAHAND")
	} else {
		assert.Contains(t, text(steps[0]), "INDUCTION")
	}
	assert.True(t, hasClass(steps[0], "req"))
	lastStep := steps[len(steps)-1]
	switch a.Outcome {
	case session.OutcomeRejected:
		assert.True(t, hasClass(lastStep, "rej"))
		assert.Contains(t, text(lastStep), "REJECT "+a.Reason.Name())
		assert.Contains(t, text(lastStep), "code "+strconv.Itoa(int(a.Reason)))
	case session.OutcomeEstablished:
		if a.Mode == session.ModeRendezvous {
			// Either peer may answer with the HSRSP; AGREEMENT ends it.
			assert.Contains(t, text(lastStep), "AGREEMENT")
			assert.Contains(t, text(lads[0]), "HSRSP "+strconv.Itoa(a.LatencyMS)+" ms")
			break
		}
		assert.True(t, hasClass(lastStep, "ans"))
		assert.Contains(t, text(lastStep), "CONCLUSION")
		assert.Contains(t, text(lastStep), "HSRSP "+strconv.Itoa(a.LatencyMS)+" ms")
		if a.KMStateSet {
			assert.Contains(t, text(lastStep), "KMRSP "+a.KMState.String())
		} else if a.KeyLen > 0 {
			assert.Contains(t, text(lastStep), "KMRSP "+a.Encryption())
		}
	}
	assert.Contains(t, text(lads[0]), a.Caller.String())
	assert.Contains(t, text(lads[0]), a.Listener.String())
}

// checkNegotiated: latency, cipher and Stream ID beside the ladder.
func checkNegotiated(t *testing.T, sec *html.Node, a *session.Attempt) {
	t.Helper()
	dl := sel(sec, "dl", "negotiated")
	require.Len(t, dl, 1)
	got := map[string]string{}
	for _, div := range children(dl[0], "div") {
		got[text(children(div, "dt")[0])] = text(children(div, "dd")[0])
	}
	assert.Equal(t, strconv.Itoa(a.LatencyMS)+" ms", got["latency"])
	assert.Contains(t, got["encryption"], a.EncryptionText())
	sid := a.StreamID
	if sid == "" {
		sid = "-"
	}
	assert.Equal(t, sid, got["Stream ID"])
	assert.Equal(t, a.Congestion, got["congestion"])
	if a.Outcome == session.OutcomeRejected {
		assert.Contains(t, got["outcome"], a.Reason.String())
	}
}

// wantCells are the stats table's values for d, written here from the
// session figures independently of StatRows.
func wantCells(d *session.Direction) map[string]string {
	dt, c := &d.Data, &d.Control
	opt := func(o session.Opt[int]) string {
		if o.Known {
			return fmt.Sprint(o.Value)
		}
		return "-"
	}
	withPct := func(n int, p session.Opt[float64]) string {
		if p.Known {
			return fmt.Sprintf("%d (%.2f %%)", n, p.Value)
		}
		return fmt.Sprint(n)
	}
	ms := func(s session.Summary) string {
		if s.N == 0 {
			return "-"
		}
		return fmt.Sprintf("%.3f / %.3f / %.3f ms", float64(s.Min)/1000, float64(s.Sum)/float64(s.N)/1000, float64(s.Max)/1000)
	}
	si := func(v int64) string {
		if v < 1000 {
			return fmt.Sprint(v)
		}
		f, p := float64(v)/1000, "k"
		if f >= 999.5 {
			f, p = f/1000, "M"
		}
		switch {
		case f < 9.995:
			return fmt.Sprintf("%.2f %s", f, p)
		case f < 99.95:
			return fmt.Sprintf("%.1f %s", f, p)
		}
		return fmt.Sprintf("%.0f %s", f, p)
	}
	rate := func(s session.Summary) string {
		if s.N == 0 {
			return "-"
		}
		return si(s.Min) + " / " + si(int64(float64(s.Sum)/float64(s.N)+0.5)) + " / " + si(s.Max) + " pkt/s"
	}
	w := map[string]string{
		"data packets (FEC excluded)":        fmt.Sprint(dt.Packets),
		"original":                           fmt.Sprint(dt.Original),
		"retransmitted":                      withPct(dt.Retransmitted, d.RetransmittedPct()),
		"seqs sent 1/2/3/4/5+ more times":    "-",
		"lost (no original seen)":            "-",
		"recovered":                          opt(dt.Recovered),
		"unrecovered":                        opt(dt.Unrecovered),
		"lost as libsrt counts (pktRcvLoss)": fmt.Sprint(dt.GapLoss),
		"reordered / duplicates / too old":   fmt.Sprintf("%d / %d / %d", dt.Reordered, dt.Duplicates, dt.TooOld),
		"late (past TSBPD delivery)":         opt(dt.Late),
		"dropped (DROPREQ)":                  fmt.Sprint(dt.Dropped),
		"FEC packets":                        fmt.Sprint(dt.FEC),
		"encrypted / decrypted":              fmt.Sprint(dt.Encrypted) + " / " + opt(dt.Decrypted),
		"undecryptable by the receiver":      opt(dt.Undecryptable),
		"key switches / refreshes / answers": fmt.Sprintf("%d / %d / %d", d.Keys.Switches, d.Keys.Refreshes, d.Keys.Answers),
		"payload rate":                       "-",
		"with SRT / +UDP headers":            "-",
		"originals only":                     "-",
		"header overhead (originals)":        "-",
		"duration (first to last data)":      "-",
		"longest pause in data":              "-",
		"ACKs full / small / light":          fmt.Sprintf("%d / %d / %d", c.ACKFull, c.ACKSmall, c.ACKLight),
		"ACKACKs":                            fmt.Sprint(c.ACKACK),
		"NAKs: reports / seqs / distinct":    fmt.Sprintf("%d / %d / %s", c.NAK, c.NAKSeqs, opt(c.NAKDistinct)),
		"keepalive / shutdown":               fmt.Sprintf("%d / %d", c.Keepalive, c.Shutdown),
		"latency (receiver's TSBPD)":         "-",
		"RTT, ACK field (min/avg/max)":       ms(d.RTT),
		"RTT, ACK to ACKACK":                 ms(d.ACKACKRTT),
		"jitter (RFC 3550)":                  "-",
		"bandwidth (ACK, min/avg/max)":       rate(d.Bandwidth),
		"receive rate (ACK)":                 rate(d.RecvRatePkts),
	}
	if t, ok := dt.RetransmittedTimes.Get(); ok {
		w["seqs sent 1/2/3/4/5+ more times"] = fmt.Sprintf("%d / %d / %d / %d / %d", t[0], t[1], t[2], t[3], t[4])
	}
	if dt.Lost.Known {
		w["lost (no original seen)"] = withPct(dt.Lost.Value, d.LossPct())
	}
	if len(dt.UnrecoveredSeqs) > 0 {
		var q []string
		for i, s := range dt.UnrecoveredSeqs {
			if i == 5 {
				q = append(q, "...")
				break
			}
			q = append(q, fmt.Sprint(uint32(s)))
		}
		w["unrecovered"] += " (" + strings.Join(q, ", ") + ")"
	}
	if dt.Late.Value > 0 {
		w["late (past TSBPD delivery)"] += fmt.Sprintf(" (up to %.1f ms)", float64(dt.MaxLateUS)/1000)
	}
	if r, ok := d.Rates(); ok {
		w["payload rate"] = fmt.Sprintf("%.3f Mbit/s", r.Payload)
		w["with SRT / +UDP headers"] = fmt.Sprintf("%.3f / %.3f Mbit/s", r.PayloadSRT, r.PayloadSRTUDP)
		w["originals only"] = fmt.Sprintf("%.3f Mbit/s", r.OrigPayload)
	}
	if o := d.OverheadPct(); o.Known {
		w["header overhead (originals)"] = fmt.Sprintf("%.2f %%", o.Value)
	}
	if dt.Packets > 0 {
		w["duration (first to last data)"] = fmt.Sprintf("%.3f s", d.LastData.Sub(d.FirstData).Seconds())
	}
	if dt.Packets > 1 {
		w["longest pause in data"] = fmt.Sprintf("%.3f s", d.LongestGap.Seconds())
	}
	if d.LatencyMS.Known {
		w["latency (receiver's TSBPD)"] = fmt.Sprintf("%d ms", d.LatencyMS.Value)
	}
	if d.JitterUS.Known {
		w["jitter (RFC 3550)"] = fmt.Sprintf("%.3f ms", d.JitterUS.Value/1000)
	}
	return w
}

// checkStats: a column per direction, and every value equals the session
// figure.
func checkStats(t *testing.T, sec *html.Node, a *session.Attempt) {
	t.Helper()
	dirs := a.Directions()
	tables := sel(sec, "table", "stats")
	if len(dirs) == 0 {
		assert.Empty(t, tables)
		return
	}
	groups := 1
	for _, r := range StatRows {
		if r.Label == "" {
			groups++
		}
	}
	require.Len(t, tables, groups, "the table in its groups of rows")
	rows := 0
	for _, table := range tables {
		var cols []string
		for _, h := range sel(table, "th", "") {
			if attr(h, "data-dir") != "" {
				cols = append(cols, text(h))
			}
		}
		require.Len(t, cols, len(dirs))
		for i, d := range dirs {
			assert.True(t, strings.HasPrefix(cols[i], dirName(a, d)), cols[i])
			assert.Contains(t, cols[i], d.From.String()+" → "+d.To.String())
		}
	}
	for _, tr := range sel(sec, "tr", "") {
		ri := attr(tr, "data-row")
		if ri == "" || hasClass(tr, "sep") {
			continue
		}
		rows++
		label := text(children(tr, "th")[0])
		tds := children(tr, "td")
		require.Len(t, tds, len(dirs), label)
		for i, d := range dirs {
			want, ok := wantCells(d)[label]
			require.True(t, ok, "row %q has no expectation", label)
			assert.Equal(t, want, text(tds[i]), "%s, %s", label, dirName(a, d))
		}
	}
	n := 0
	for _, r := range StatRows {
		if r.Label != "" {
			n++
		}
	}
	assert.Equal(t, n, rows, "every StatRows row is in the table")
	assert.Len(t, wantCells(dirs[0]), n, "every row has an expectation")
}

// checkCharts: each direction with data has its four charts (late only
// with a latency), each with its axis titles and tick labels, and as many
// points per series as its time series has bins: one per second from the
// direction's first bin to its last (a second without packets is a zero
// bin), RTT only where ACKs carried one.
func checkCharts(t *testing.T, sec *html.Node, a *session.Attempt, bins map[*session.Direction][]session.Bin) {
	t.Helper()
	for _, d := range a.Directions() {
		var div *html.Node
		for _, n := range sel(sec, "div", "direction") {
			if attr(n, "data-from") == d.From.String() {
				div = n
			}
		}
		require.NotNil(t, div, "direction %s", d.From)
		assert.Equal(t, dirSentence(d), text(sel(div, "p", "dir-summary")[0]))
		charts := sel(div, "svg", "chart")
		bs := bins[d]
		if d.Data.Packets == 0 {
			assert.Empty(t, charts)
			continue
		}
		require.NotEmpty(t, bs)
		n := int(bs[len(bs)-1].Start.Sub(bs[0].Start)/time.Second) + 1
		rttBins := map[int64]bool{}
		for _, b := range bs {
			if b.RTT.N > 0 {
				rttBins[b.Start.Unix()] = true
			}
		}
		want := []string{"bitrate", "rtt", "loss"}
		if d.Data.Late.Known {
			want = append(want, "late")
		}
		var got []string
		for _, c := range charts {
			key := attr(c, "data-chart")
			got = append(got, key)
			assert.Equal(t, strconv.Itoa(n), attr(c, "data-bins"), key)
			xt := sel(c, "text", "axis-title", "x")
			yt := sel(c, "text", "axis-title", "y")
			require.Len(t, xt, 1, key)
			require.Len(t, yt, 1, key)
			assert.Contains(t, text(xt[0]), "time (UTC, ")
			assert.Contains(t, text(xt[0]), "1 s bins")
			assert.Equal(t, map[string]string{"bitrate": "Mbit/s", "rtt": "ms", "loss": "packets", "late": "packets"}[key], text(yt[0]))
			assert.GreaterOrEqual(t, len(sel(c, "text", "tick", "y")), 2, key)
			assert.GreaterOrEqual(t, len(sel(c, "text", "tick", "x")), 1, key)
			checkTimeAxis(t, c)
			for _, g := range sel(c, "g", "series") {
				pts := seriesPoints(g)
				assert.Equal(t, attr(g, "data-points"), strconv.Itoa(pts), "%s %s", key, attr(g, "data-series"))
				if key == "rtt" {
					assert.Equal(t, len(rttBins), pts, "rtt points: bins with an RTT")
				} else {
					assert.Equal(t, n, pts, "%s %s: one point per bin", key, attr(g, "data-series"))
				}
			}
			// Tooltips: one per bin.
			assert.Len(t, sel(c, "rect", "hover"), n, key)
			// Marks: every in-band KMREQ of this sender.
			assert.Len(t, sel(c, "path", "mark", "m-keyrefresh"), d.Keys.Refreshes, key)
		}
		assert.Equal(t, want, got)
	}
}

// seriesPoints counts a series' points: the coordinate pairs of its line,
// or its bars.
func seriesPoints(g *html.Node) int {
	if bars := sel(g, "rect", "bar"); len(bars) > 0 {
		return len(bars)
	}
	n := 0
	for _, p := range sel(g, "path", "line") {
		d := attr(p, "d")
		n += strings.Count(d, "M") + strings.Count(d, "L") + strings.Count(d, "l")
	}
	return n
}

// checkTimeAxis: the time labels of an SVG do not overlap and stay in it.
func checkTimeAxis(t *testing.T, svg *html.Node) {
	t.Helper()
	vb := strings.Fields(attr(svg, "viewBox") + attr(svg, "viewbox"))
	require.Len(t, vb, 4)
	w, _ := strconv.ParseFloat(vb[2], 64)
	prevEnd := math.Inf(-1)
	labels := sel(svg, "text", "tick", "x")
	for _, l := range labels {
		x, err := strconv.ParseFloat(attr(l, "x"), 64)
		require.NoError(t, err)
		lw := textWidth(text(l))
		assert.GreaterOrEqual(t, x-lw/2, prevEnd, "label %q overlaps the one before", text(l))
		assert.GreaterOrEqual(t, x-lw/2, 0.0)
		assert.LessOrEqual(t, x+lw/2, w)
		prevEnd = x + lw/2
	}
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// TestSelfContained: nothing on the page loads from elsewhere or runs;
// the styles cover dark mode and print.
func TestSelfContained(t *testing.T) {
	b := build(t, "s02_enc_kmrefresh", []string{"refresh-secret-1"}, nil)
	p := string(b.page)
	for _, bad := range []string{"<script", "<link", "<img", "<iframe", "src=", "url(", "@import", "@font-face"} {
		assert.NotContains(t, p, bad)
	}
	assert.Equal(t, strings.Count(p, "http"), strings.Count(p, `xmlns="http://www.w3.org/2000/svg"`), "the only URLs are SVG namespaces")
	assert.Contains(t, p, "@media (prefers-color-scheme:dark)")
	assert.Contains(t, p, "@media print")
	assert.Contains(t, p, `<meta name="color-scheme" content="light dark"/>`)
}

// TestSeveralCaptures: one page, a section per capture, ids unique.
func TestSeveralCaptures(t *testing.T) {
	var buf bytes.Buffer
	r := New(&buf, &Options{Title: "SRT report: two captures"})
	for _, cc := range corpusCaptures[:2] {
		one := build(t, cc.name, cc.passphrases, nil)
		require.NoError(t, r.AddCapture(cc.name+".pcap", CaptureMeta{Frames: one.frames}, one.attempts, one.bins))
	}
	require.NoError(t, r.Close())
	doc := parsePage(t, buf.Bytes())
	caps := sel(doc, "section", "capture")
	require.Len(t, caps, 2)
	assert.Equal(t, "cap-2", attr(caps[1], "id"))
	seen := map[string]bool{}
	for _, e := range all(doc, func(n *html.Node) bool { return attr(n, "id") != "" }) {
		assert.False(t, seen[attr(e, "id")], "id %s twice", attr(e, "id"))
		seen[attr(e, "id")] = true
	}
	assert.Equal(t, 1, strings.Count(buf.String(), "<style>"), "one head")
	assert.Equal(t, 1, strings.Count(buf.String(), "</html>"))
	// AddCapture has no frames: the ladder is drawn from the attempt.
	assert.Contains(t, text(caps[0]), "drawn from the attempt's outcome")
	assert.Len(t, sel(caps[0], "svg", "chart"), 4)
}

// TestSynthLadder: without the frames, the ladder follows the outcome.
func TestSynthLadder(t *testing.T) {
	b := build(t, "s05_app_reject_1403", nil, nil)
	l := synthLadder(b.attempts[0])
	require.Len(t, l.steps, 4)
	assert.Equal(t, "INDUCTION", l.steps[0].Label)
	assert.Equal(t, "REJECT SRT_REJX_FORBIDDEN", l.steps[3].Label)
	assert.False(t, l.steps[3].Right)
	b = build(t, "s03_badsecret_noenforce", nil, nil)
	l = synthLadder(b.attempts[0])
	require.Len(t, l.steps, 4)
	assert.Equal(t, "HSRSP · latency 120 ms · KMRSP BADSECRET", l.steps[3].Detail)
}

// TestEmptyReport: a page without captures is still a page.
func TestEmptyReport(t *testing.T) {
	var buf bytes.Buffer
	require.NoError(t, New(&buf, nil).Close())
	doc := parsePage(t, buf.Bytes())
	assert.Contains(t, text(doc), "No capture was read.")
}

// TestSeriesGrid: a second without a bin is a zero slot (RTT unknown);
// past the bound, pairs of slots merge, the width doubles and the sums
// stay.
func TestSeriesGrid(t *testing.T) {
	t0 := time.Date(2026, 11, 24, 19, 0, 0, 0, time.UTC)
	bin := func(sec int, pkts int, rtt bool) *session.Bin {
		b := &session.Bin{Start: t0.Add(time.Duration(sec) * time.Second), Width: time.Second, Packets: pkts, PayloadBytes: int64(pkts) * 1316}
		if rtt {
			b.RTT = session.Summary{N: 2, Min: 100, Max: 300, Sum: 400}
		}
		return b
	}
	s := newSeries(8)
	s.add(bin(0, 10, true))
	s.add(bin(1, 10, false))
	s.add(bin(5, 30, true))
	require.Len(t, s.bins, 6)
	assert.Equal(t, time.Second, s.width)
	assert.Equal(t, []float64{10, 10, 0, 0, 0, 30}, s.values(func(b *slotBin) float64 { return float64(b.packets) }))
	r := s.values(rttMS)
	assert.InDelta(t, 0.2, r[0], 1e-9)
	for _, i := range []int{1, 2, 3, 4} {
		assert.True(t, math.IsNaN(r[i]), "slot %d has no RTT", i)
	}
	s.add(bin(8, 40, true)) // slot 8: past 8 slots, merge
	assert.Equal(t, 2*time.Second, s.width)
	require.Len(t, s.bins, 5)
	assert.Equal(t, []float64{20, 0, 30, 0, 40}, s.values(func(b *slotBin) float64 { return float64(b.packets) }))
	assert.Equal(t, 2, s.bins[0].rtt.N, "the first pair's RTT: the first bin's")
	assert.Equal(t, int64(300), s.bins[0].rtt.Max)
	for i := 9; i < 40; i++ {
		s.add(bin(i, 1, false))
	}
	assert.LessOrEqual(t, len(s.bins), 8)
	total := 0
	for _, b := range s.bins {
		total += b.packets
	}
	assert.Equal(t, 10+10+30+40+31, total, "merging keeps every packet")
	// The rates of the edge slots count the time the data covered.
	s = newSeries(8)
	s.add(bin(0, 10, false))
	s.add(bin(1, 10, false))
	first, last := t0.Add(500*time.Millisecond), t0.Add(1500*time.Millisecond)
	rates := s.rates(first, last, 0)
	assert.InDelta(t, 10*1316*8/0.5/1e6, rates[0], 1e-9)
	assert.InDelta(t, 10*1316*8/0.5/1e6, rates[1], 1e-9)
}

// TestNoHandshake: a capture that starts after the handshake: the roles
// are the Tracker's guess, the ladder says the handshake is missing, and
// the rest of the page is there.
func TestNoHandshake(t *testing.T) {
	fs := decoded(t, "s08_loss_pattern")[4:]
	var buf bytes.Buffer
	r := New(&buf, nil)
	c := r.Begin("cut.pcap")
	tr := session.NewTracker()
	c.Track(tr)
	for i := range fs {
		c.Frame(tr.Add(&fs[i]), &fs[i])
	}
	require.NoError(t, c.End(CaptureMeta{}))
	require.NoError(t, r.Close())
	doc := parsePage(t, buf.Bytes())
	conn := byID(doc, "cap-1-conn-1")
	require.NotNil(t, conn)
	assert.Contains(t, text(conn), "The handshake is not in the capture")
	assert.Contains(t, text(conn), "sender > receiver")
	assert.Contains(t, text(conn), "unknown (roles inferred)")
	assert.Len(t, sel(conn, "svg", "chart"), 3, "no latency: no late chart")
	assert.Contains(t, text(conn), "Late packets are not counted")
}

func TestBytesText(t *testing.T) {
	for n, want := range map[int64]string{0: "0 B", 999: "999 B", 1000: "1 KB", 45_400: "45 KB", 999_499: "999 KB",
		1_000_000: "1.0 MB", 169_000_000: "169.0 MB", 1_073_741_824: "1.07 GB"} {
		assert.Equal(t, want, bytesText(n), "%d", n)
	}
}
