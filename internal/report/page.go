package report

import (
	"html"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/srtwire/srtwire/session"
)

// The page is well-formed XML as well as HTML (void elements are closed,
// attributes have values), so that an XML parser can check it. Its parts
// carry ids and classes that tests (and people's
// scripts) can find:
//
//	header#report-header                      the page's title
//	section.capture#cap-N[data-file]          one per capture
//	  header.capture-header                   file, span, packets, connections
//	    .cards .card#cap-N-{span,packets,connections,health}
//	  section.findings#cap-N-findings         li.finding.level-{error,warning,info}[data-code]
//	  section.timeline#cap-N-timeline         svg.timeline-chart, a.tl-row per connection
//	  section.overview#cap-N-overview         table.conns (with more than one connection)
//	  section.connection#cap-N-conn-M         one per connection shown in detail
//	    .handshake svg.ladder, dl.negotiated
//	    .direction#cap-N-conn-M-dK            svg.chart[data-chart=bitrate|rtt|loss|late]
//	    table.stats                           tr[data-row=i]: StatRows[i] (a table per group
//	                                          of rows: StatRows' separators split them)
//	footer#report-footer

// esc escapes s for HTML text and attribute values.
func esc(s string) string { return html.EscapeString(s) }

func (b *svgBuf) h(s string) { b.WriteString(esc(s)) }

func (b *svgBuf) s(parts ...string) {
	for _, p := range parts {
		b.WriteString(p)
	}
}

// groupInt writes n with thin spaces between groups of three digits:
// "1 234 567".
func groupInt(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var out []byte
	for i := range len(s) {
		if i > 0 && (len(s)-i)%3 == 0 {
			out = append(out, "\u202f"...)
		}
		out = append(out, s[i])
	}
	if neg {
		return "-" + string(out)
	}
	return string(out)
}

func (r *Report) writeHead(b *svgBuf) {
	r.headed = true
	b.s(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8"/>
<meta name="viewport" content="width=device-width, initial-scale=1"/>
<meta name="color-scheme" content="light dark"/>
`)
	if r.opt.Generator != "" {
		b.s(`<meta name="generator" content="`, esc(r.opt.Generator), "\"/>\n")
	}
	b.s("<title>", esc(r.opt.Title), "</title>\n<style>", css, "</style>\n</head>\n<body>\n")
	b.s(`<header id="report-header"><div class="brand">srtwire</div><h1>`, esc(r.opt.Title), "</h1></header>\n<main>\n")
}

func (r *Report) writeFoot(b *svgBuf) {
	b.s("</main>\n<footer id=\"report-footer\"><p>")
	if r.opt.Generator != "" {
		b.s("Written by ", esc(r.opt.Generator), ". ")
	}
	b.s(`The figures are those of <code>srtdump -stats</code>, from the packets in the capture: a capture taken at the receiver does not see what was lost before it, one taken at the sender sees everything sent. Times are `, esc(r.opt.Location.String()), `. This page loads nothing from the network.</p></footer>
</body>
</html>
`)
}

// span returns the capture's span: the meta's, else the frames', else the
// attempts'.
func (c *Capture) span(meta CaptureMeta) (time.Time, time.Time) {
	switch {
	case !meta.First.IsZero():
		return meta.First, meta.Last
	case c.frames > 0:
		return c.first, c.last
	}
	return c.attFirst, c.attLast
}

func (c *Capture) writeSection(b *svgBuf, meta CaptureMeta) {
	loc := c.r.opt.Location
	b.s(`<section class="capture" id="`, c.id, `" data-file="`, esc(c.name), "\">\n")
	// Header.
	first, last := c.span(meta)
	b.s(`<header class="capture-header"><p class="kicker">Capture `, c.id[4:], `</p><h2 class="file">`, esc(c.name), "</h2>\n<div class=\"cards\">\n")
	b.s(`<div class="card" id="`, c.id, `-span"><div class="k">Capture span</div>`)
	if first.IsZero() {
		b.s(`<div class="v">-</div><div class="s">no SRT packet</div></div>`)
	} else {
		b.s(`<div class="v">`, esc(fmtDuration(last.Sub(first))), `</div><div class="s">`, esc(fmtTime(first, loc)), "<br/>to ", esc(fmtTime(last, loc)), "</div></div>\n")
	}
	srt := meta.SRT
	if srt == 0 {
		srt = c.frames
	}
	b.s(`<div class="card" id="`, c.id, `-packets"><div class="k">SRT packets</div><div class="v">`, groupInt(int64(srt)), `</div><div class="s">`)
	var sub []string
	if meta.Frames > 0 {
		sub = append(sub, groupInt(int64(meta.Frames))+" frames read")
	}
	if meta.Errors > 0 {
		sub = append(sub, groupInt(int64(meta.Errors))+" undecodable")
	}
	if meta.Bytes > 0 {
		sub = append(sub, bytesText(meta.Bytes)+" of capture")
	}
	b.h(strings.Join(sub, " · "))
	b.s("</div></div>\n")
	b.s(`<div class="card" id="`, c.id, `-connections"><div class="k">Connections</div><div class="v">`, groupInt(int64(c.groups)), `</div><div class="s">`)
	b.h(c.attemptsText())
	b.s("</div></div>\n")
	e, w := c.byLevel[session.LevelError], c.byLevel[session.LevelWarning]
	hc, hv, hs := "health-ok", "OK", "no problems found"
	switch {
	case e > 0:
		hc, hv = "health-err", countText(e, "error")
	case w > 0:
		hc, hv = "health-warn", countText(w, "warning")
	}
	if e+w > 0 {
		hs = strings.Join(c.problemCodes(), ", ")
		if e > 0 && w > 0 {
			hs = countText(w, "warning") + " · " + hs
		}
	}
	b.s(`<div class="card `, hc, `" id="`, c.id, `-health"><div class="k">Health</div><div class="v">`, esc(hv), `</div><div class="s">`, esc(hs), "</div></div>\n</div>\n")
	if meta.Err != nil {
		b.s(`<p class="read-error">The capture could not be read to its end: `, esc(meta.Err.Error()), ". The figures are those of the part read.</p>\n")
	}
	b.s("</header>\n")

	c.writeFindings(b)
	if c.groups > 0 {
		b.s(`<section class="timeline" id="`, c.id, "-timeline\"><h3>Connections over time</h3>\n")
		writeTimeline(b, c.tl, c.attFirst, c.attLast, c.tlMore, c.tlMoreN, loc)
		b.s("\n</section>\n")
	}
	if c.groups > 1 {
		c.writeOverview(b)
	}
	for _, cn := range c.conns {
		c.writeConn(b, cn)
	}
	if c.groups > len(c.conns) && len(c.conns) > 0 {
		b.s(`<p class="note">The first `, strconv.Itoa(len(c.conns)), " connections are shown in detail; the table above lists the others.</p>\n")
	}
	b.s("</section>\n")
}

// problemCodes returns the codes of the error and warning findings, each
// once, worst first.
func (c *Capture) problemCodes() []string {
	var codes []string
	for _, lv := range []session.Level{session.LevelError, session.LevelWarning} {
		for _, k := range c.kinds {
			if k.level == lv && !slices.Contains(codes, k.code) {
				codes = append(codes, k.code)
			}
		}
	}
	return codes
}

// attemptsText says how many attempts the connections hold and how they
// ended: "215 attempts: 1 established, 214 rejected".
func (c *Capture) attemptsText() string {
	if c.attempts == 0 {
		return "no connection attempt"
	}
	s := countText(c.attempts, "attempt") + ": "
	var parts []string
	for _, o := range []session.Outcome{session.OutcomeEstablished, session.OutcomeRejected, session.OutcomeNoAnswer, session.OutcomeIncomplete} {
		if n := c.outcomes[o]; n > 0 {
			parts = append(parts, groupInt(int64(n))+" "+o.String())
		}
	}
	return s + strings.Join(parts, ", ")
}

// writeFindings lists the capture's findings, errors first, one item per
// kind: the first few quoted in full with their connection, the other
// connections with the same finding listed by number.
func (c *Capture) writeFindings(b *svgBuf) {
	b.s(`<section class="findings" id="`, c.id, "-findings\"><h3>Findings</h3>\n")
	ks := slices.Clone(c.kinds)
	sort.SliceStable(ks, func(i, j int) bool { return ks[i].level > ks[j].level })
	if len(ks) == 0 {
		if c.groups == 0 {
			b.s(`<p class="none">No SRT connection in this capture.</p>`)
		} else {
			b.s(`<p class="none ok"><span class="check">✓</span> No problems found: `, esc(c.noFindingsText()), "</p>")
		}
		b.s("\n</section>\n")
		return
	}
	ref := func(f connFinding, text string) {
		if f.detailed {
			b.s(`<a class="conn-ref" href="#`, f.href, `">`, esc(text), `</a>`)
		} else {
			b.s(`<span class="conn-ref">`, esc(text), `</span>`)
		}
	}
	b.s("<ol class=\"finding-list\">\n")
	for _, k := range ks {
		lv := k.level.String()
		b.s(`<li class="finding level-`, lv, `" data-code="`, esc(k.code), `" data-conns="`, strconv.Itoa(k.conns), `"><span class="badge">`, lv, `</span><div class="ftext">`)
		if k.conns > 1 {
			b.s(`<div class="fcount"><span class="code">`, esc(k.code), `</span> in `, groupInt(int64(k.conns)), " connections</div>")
		}
		for _, f := range k.quoted {
			b.s(`<div class="fq"><div class="fhead">`)
			ref(f, f.who)
			b.s(` <span class="code">`, esc(f.f.Code), `</span></div><p>`, esc(f.f.Text), "</p></div>")
		}
		if more := k.conns - len(k.quoted); more > 0 && len(k.refs) > 0 {
			b.s(`<p class="also">Also in `)
			for i, f := range k.refs {
				if i > 0 {
					b.s(", ")
				}
				ref(f, "#"+strconv.Itoa(f.n))
			}
			if rest := more - len(k.refs); rest > 0 {
				b.s(" and ", groupInt(int64(rest)), " more")
			}
			b.s(".</p>")
		}
		b.s("</div></li>\n")
	}
	b.s("</ol>\n</section>\n")
}

// noFindingsText says what went right when nothing went wrong.
func (c *Capture) noFindingsText() string {
	s := "every connection was established"
	if c.outcomes[session.OutcomeEstablished] != c.attempts {
		s = "no connection needs attention"
	}
	lost := 0
	for _, cn := range c.conns {
		lost += cn.lost
	}
	if lost > 0 {
		s += "; the " + groupInt(int64(lost)) + " packets reported lost were retransmitted in time"
	}
	return s + "."
}

// writeOverview writes the table of every connection (within MaxRows).
func (c *Capture) writeOverview(b *svgBuf) {
	tall := ""
	if len(c.conns)+len(c.rows) > 16 {
		tall = " tall"
	}
	b.s(`<section class="overview" id="`, c.id, "-overview\"><h3>All connections</h3>\n<div class=\"scroll", tall, "\"><table class=\"conns\"><thead><tr>")
	for _, h := range []string{"#", "caller", "listener", "mode", "outcome", "Stream ID", "encryption", "latency", "data", "retx", "lost (NAK'd)", "findings"} {
		b.s("<th scope=\"col\">", esc(h), "</th>")
	}
	b.s("</tr></thead><tbody>\n")
	row := func(cn *conn) {
		b.s(`<tr class="oc-`, outcomeClass(cn.outcome), `"><td>`)
		if cn.detailed {
			b.s(`<a href="#`, cn.href, `">#`, strconv.Itoa(cn.n), `</a>`)
		} else {
			b.s("#", strconv.Itoa(cn.n))
		}
		sid := cn.sid
		if sid == "" {
			sid = "-"
		}
		lat := cn.latency
		if lat == "" {
			lat = "-"
		}
		var codes []string
		for _, f := range cn.findings {
			if !slices.Contains(codes, f.Code) {
				codes = append(codes, f.Code)
			}
		}
		fc := strings.Join(codes, ", ")
		if fc == "" {
			fc = "-"
		}
		b.s("</td><td>", esc(cn.caller), "</td><td>", esc(cn.listener), "</td><td>", esc(cn.mode), `</td><td class="oc">`, esc(cn.outcomeTxt),
			`</td><td class="sid">`, esc(fitText(sid, 48*charW)), "</td><td>", esc(cn.enc), "</td><td>", esc(lat), `</td><td class="num">`, strconv.Itoa(cn.data),
			`</td><td class="num">`, strconv.Itoa(cn.retx), `</td><td class="num">`, strconv.Itoa(cn.lost), "</td><td>", esc(fc), "</td></tr>\n")
	}
	for _, cn := range c.conns {
		row(cn)
	}
	for _, cn := range c.rows {
		row(cn)
	}
	b.s("</tbody></table></div>\n")
	if c.rowsMore > 0 {
		b.s(`<p class="note">… and `, strconv.Itoa(c.rowsMore), " more connections, counted in the header above.</p>\n")
	}
	b.s("</section>\n")
}

// writeConn writes the section of a connection shown in detail.
func (c *Capture) writeConn(b *svgBuf, cn *conn) {
	loc := c.r.opt.Location
	oc := outcomeClass(cn.outcome)
	b.s(`<section class="connection oc-`, oc, `" id="`, cn.href, `" data-outcome="`, esc(cn.outcome.String()), "\">\n")
	b.s(`<header class="conn-header"><h3><span class="num">#`, strconv.Itoa(cn.n), `</span> <span class="who">`,
		esc(cn.names[0]), " <b>", esc(cn.caller), "</b> → ", esc(cn.names[1]), " <b>", esc(cn.listener), `</b></span> <span class="pill `, oc, `">`, esc(cn.outcomeTxt), "</span></h3>\n")
	b.s(`<p class="conn-sub">`, esc(cn.mode), " · frames ", strconv.Itoa(cn.firstFrame), "–", strconv.Itoa(cn.lastFrame), " · ", esc(fmtTime(cn.from, loc)),
		" to ", esc(fmtTime(cn.to, loc)), " (", esc(fmtDuration(cn.to.Sub(cn.from))), ")")
	if cn.attempts > 1 {
		b.s(" · ", strconv.Itoa(cn.attempts), " attempts that ended the same way; the figures are the first one's")
	}
	b.s("</p></header>\n")
	if len(cn.findings) > 0 {
		b.s("<ul class=\"conn-findings\">\n")
		for _, f := range cn.findings {
			lv := f.Level.String()
			b.s(`<li class="level-`, lv, `"><span class="badge">`, lv, `</span> <span class="code">`, esc(f.Code), "</span> ", esc(f.Text), "</li>\n")
		}
		b.s("</ul>\n")
	}

	// Handshake.
	b.s("<div class=\"handshake\">\n<figure class=\"ladder-fig\"><figcaption>Handshake")
	if cn.lad.synth {
		b.s(` <span class="muted">(drawn from the attempt's outcome: the handshake packets were not recorded)</span>`)
	}
	b.s("</figcaption>\n")
	if len(cn.lad.steps) == 0 {
		b.s(`<p class="none">The handshake is not in the capture: it started before the capture did.</p>`)
	} else {
		writeLadder(b, &cn.lad, cn.names, [2]string{cn.caller, cn.listener}, cn.outcomeTxt, oc)
	}
	b.s("</figure>\n<dl class=\"negotiated\">\n")
	dd := func(k, v string) {
		if v == "" {
			v = "-"
		}
		b.s("<div><dt>", esc(k), "</dt><dd>", esc(v), "</dd></div>\n")
	}
	outcome := cn.outcome.String()
	if cn.reason != "" {
		outcome = "rejected: " + cn.reason
	}
	dd("outcome", outcome)
	dd("latency", cn.latency)
	enc := cn.enc
	if cn.reqEnc != "" && !strings.Contains(enc, cn.reqEnc) {
		enc += " (" + cn.reqEnc + " requested)"
	}
	dd("encryption", enc)
	if cn.passphrase != "" {
		dd("passphrase", cn.passphrase)
	}
	sid := cn.sid
	if cn.sidCut {
		sid += "… (cut at libsrt's 512 bytes)"
	}
	dd("Stream ID", sid)
	dd("congestion", cn.congestion)
	if cn.filter != "" {
		dd("packet filter", cn.filter)
	}
	dd("SRT version", cn.version)
	dd("handshake RTT", cn.hsRTT)
	if cn.peerError != "" {
		dd("PEERERROR", cn.peerError)
	}
	b.s("</dl>\n</div>\n")

	// Directions.
	for i, d := range cn.dirs {
		c.writeDirection(b, cn, i, &d)
	}
	if len(cn.dirs) > 0 {
		// The table in its groups of rows (data; rates and times; ACKs
		// and NAKs; latency and RTT), side by side when there is room.
		b.s("<details class=\"stats-wrap\" open=\"\"><summary>Statistics <span class=\"muted\">(as <code>srtdump -stats</code> prints them)</span></summary>\n<div class=\"stats-grid\">\n")
		head := func() {
			b.s("<div class=\"scroll\"><table class=\"stats\"><thead><tr><th scope=\"col\"></th>")
			for i, d := range cn.dirs {
				b.s(`<th scope="col" data-dir="`, strconv.Itoa(i), `">`, esc(d.name), `<div class="addr">`, esc(d.from), " → ", esc(d.to), "</div></th>")
			}
			b.s("</tr></thead>\n<tbody>\n")
		}
		head()
		for i, r := range StatRows {
			if r.Label == "" {
				b.s("</tbody></table></div>\n")
				head()
				continue
			}
			lvl := (len(r.Label) - len(strings.TrimLeft(r.Label, " "))) / 2
			b.s(`<tr data-row="`, strconv.Itoa(i), `" class="lvl`, strconv.Itoa(lvl), `"><th scope="row">`, esc(strings.TrimSpace(r.Label)), "</th>")
			for _, d := range cn.dirs {
				cls := ""
				if d.cells[i] == "-" {
					cls = ` class="unknown"`
				}
				b.s("<td", cls, ">", esc(d.cells[i]), "</td>")
			}
			b.s("</tr>\n")
		}
		b.s("</tbody></table></div>\n</div></details>\n")
	} else if cn.outcome == session.OutcomeEstablished {
		b.s("<p class=\"none\">No packet beyond the handshake.</p>\n")
	}
	b.s("</section>\n")
}

// writeDirection writes a direction's summary and charts.
func (c *Capture) writeDirection(b *svgBuf, cn *conn, i int, d *dirSummary) {
	loc := c.r.opt.Location
	b.s(`<div class="direction" id="`, cn.href, "-d", strconv.Itoa(i+1), `" data-from="`, esc(d.from), `" data-to="`, esc(d.to), "\">\n")
	b.s("<h4>", esc(strings.Replace(d.name, " > ", " → ", 1)), ` <span class="addr">`, esc(d.from), " → ", esc(d.to), "</span></h4>\n")
	b.s(`<p class="dir-summary">`, esc(d.sentence), "</p>\n")
	s := d.ser
	switch {
	case d.data == 0:
		b.s("</div>\n")
		return
	case s == nil || len(s.bins) == 0:
		b.s(`<p class="note">No time series for this direction: the report keeps them for the first `, strconv.Itoa(c.r.opt.MaxConnections), " connections only.</p>\n</div>\n")
		return
	}
	binText := widthText(s.width) + " bins"
	xt := "time (" + s.t0.In(loc).Format("MST, 2006-01-02") + ") · " + binText
	var spans []span
	if d.stall != nil {
		spans = append(spans, *d.stall)
	}
	base := chart{T0: s.t0, BinW: s.width, N: len(s.bins), XTitle: xt, Marks: d.marks, MarksMore: d.marksMore, Loc: loc}
	var charts []struct {
		title, note string
		ch          chart
	}
	add := func(title, note string, ch chart) {
		charts = append(charts, struct {
			title, note string
			ch          chart
		}{title, note, ch})
	}

	ch := base
	ch.Key, ch.Title, ch.YTitle, ch.Spans = "bitrate", "Payload bitrate", "Mbit/s", spans
	ch.Series = []chartSeries{{Key: "rate", Name: "payload", Kind: kindArea, Vals: s.rates(d.firstData, d.lastData, d.gap), Unit: "Mbit/s", Decimals: 3}}
	ch.Empty = "no payload"
	if d.avgMbps > 0 {
		ch.Refs = []refLine{{Y: d.avgMbps, Key: "avg", Label: "average " + mbps(d.avgMbps), InAxis: true}}
	}
	add("Payload bitrate", "per bin, retransmissions included; the edge bins over the time the data covered", ch)

	ch = base
	ch.Key, ch.Title, ch.YTitle = "rtt", "RTT from ACKs", "ms"
	lo := s.values(func(x *slotBin) float64 {
		if x.rtt.N == 0 {
			return math.NaN()
		}
		return float64(x.rtt.Min) / 1000
	})
	hi := s.values(func(x *slotBin) float64 {
		if x.rtt.N == 0 {
			return math.NaN()
		}
		return float64(x.rtt.Max) / 1000
	})
	ch.Series = []chartSeries{{Key: "rtt", Name: "RTT (mean; band: min–max)", Kind: kindLine, Vals: s.values(rttMS), Lo: lo, Hi: hi, Unit: "ms", Decimals: 3}}
	ch.Empty = "no ACK with an RTT"
	if v, ok := d.latencyMS.Get(); ok && v > 0 {
		ch.Refs = []refLine{{Y: float64(v) / session.LatencyRTTFactor, Key: "lat", Label: "latency ÷ " + strconv.Itoa(session.LatencyRTTFactor)}}
	}
	add("RTT", "the receiver's RTT estimate in its ACKs", ch)

	ch = base
	ch.Key, ch.Title, ch.YTitle = "loss", "Lost, retransmitted and NAK'd packets", "packets"
	ch.Series = []chartSeries{
		{Key: "lost", Name: "lost (gaps)", Kind: kindBars, Vals: s.values(func(x *slotBin) float64 { return float64(x.lost) })},
		{Key: "retx", Name: "retransmitted", Kind: kindBars, Vals: s.values(func(x *slotBin) float64 { return float64(x.retx) })},
		{Key: "nak", Name: "NAK'd", Kind: kindBars, Vals: s.values(func(x *slotBin) float64 { return float64(x.nakSeqs) })},
	}
	ch.Empty = "no loss, no retransmission"
	add("Loss and repair", "sequence numbers skipped (libsrt's pktRcvLoss), retransmissions sent, numbers the receiver's NAKs reported", ch)

	lat := "latency unknown"
	if v, ok := d.latencyMS.Get(); ok {
		lat = "latency " + strconv.Itoa(v) + " ms"
	}
	if d.lateKnown {
		ch = base
		ch.Key, ch.Title, ch.YTitle = "late", "Late packets", "packets"
		ch.Series = []chartSeries{{Key: "late", Name: "late (past TSBPD)", Kind: kindBars, Vals: s.values(func(x *slotBin) float64 { return float64(x.late) })}}
		ch.Empty = "no late packet (" + lat + ")"
		add("Late packets, against the "+lat, "packets that arrived after the receiver would have played them out", ch)
	}

	b.s("<div class=\"charts\">\n")
	for _, x := range charts {
		b.s(`<figure class="chart-fig"><figcaption>`, esc(x.title), ` <span class="muted">`, esc(x.note), "</span></figcaption>\n")
		x.ch.write(b)
		b.s("</figure>\n")
	}
	b.s("</div>\n")
	if !d.lateKnown {
		b.s(`<p class="note">Late packets are not counted: `, esc(lat), " (the handshake did not negotiate TSBPD).</p>\n")
	}
	if d.marksMore > 0 || len(d.marks) > maxMarks {
		b.s(`<p class="note">Only the first `, strconv.Itoa(min(len(d.marks), maxMarks)), " key refreshes and DROPREQs are marked.</p>\n")
	}
	b.s("</div>\n")
}

// bytesText formats a size: "850 B", "45 KB", "169.0 MB", "1.07 GB".
func bytesText(n int64) string {
	switch {
	case n < 1000:
		return strconv.FormatInt(n, 10) + " B"
	case n < 1e6:
		return strconv.FormatInt((n+500)/1000, 10) + " KB"
	case n < 1e9:
		return strconv.FormatFloat(float64(n)/1e6, 'f', 1, 64) + " MB"
	}
	return strconv.FormatFloat(float64(n)/1e9, 'f', 2, 64) + " GB"
}
