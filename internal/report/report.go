package report

import (
	"errors"
	"io"
	"net/netip"
	"strconv"
	"time"

	"github.com/srtwire/srtwire/packet"
	"github.com/srtwire/srtwire/session"
)

// Options tune a Report. The zero value is good.
type Options struct {
	// Title is the page's title; "SRT capture report" by default.
	Title string
	// Generator names the program in the footer ("srtdump v1.2.0").
	Generator string
	// Location is the time zone of the times shown; UTC by default.
	Location *time.Location
	// MaxBins bounds the points of a direction's time series: past it,
	// pairs of bins are merged (the bin width doubles). 0 means
	// DefaultMaxBins.
	MaxBins int
	// MaxConnections bounds the connections of a capture shown in detail
	// (handshake, charts, statistics), in the order they started; the
	// others are rows of the connections table. 0 means
	// DefaultMaxConnections.
	MaxConnections int
	// MaxRows bounds the rows of a capture's connections table, and
	// MaxTimelineRows those of its timeline; the rest are counted. 0
	// means the defaults.
	MaxRows, MaxTimelineRows int
	// FindingsPerCode bounds the findings of one kind (code and level)
	// quoted in full at the top of a capture; the other connections with
	// it are listed by number (at most maxRefs) and counted. 0 means
	// DefaultFindingsPerCode.
	FindingsPerCode int
}

// Defaults of Options. With them a capture's section stays under about
// 1 MB whatever the capture (see TestReportBounded).
const (
	DefaultMaxBins         = 240
	DefaultMaxConnections  = 12
	DefaultMaxRows         = 500
	DefaultMaxTimelineRows = 40
	DefaultFindingsPerCode = 3
)

// maxMarksKept bounds the event marks (key refreshes, DROPREQs)
// recorded per attempt.
const maxMarksKept = 256

// maxOpenGroups bounds the groups of retries a Capture keeps open (see
// session.Grouper); each holds its first and newest attempt.
const maxOpenGroups = 256

// CaptureMeta is what the capture reader knows of a capture: srtdump
// fills it in from capture.Reader.Stats.
type CaptureMeta struct {
	// Frames counts the frames read, of any kind; SRT the SRT frames
	// (0: the frames given to Capture.Frame); Errors those that did not
	// decode; Bytes the bytes of capture read.
	Frames, SRT, Errors int
	Bytes               int64
	// First and Last are the times of the first and the last frame; zero:
	// those of the frames given to Capture.Frame, or else of the attempts.
	First, Last time.Time
	// Err says why the reading stopped early (a capture cut short), if it
	// did; the page says it under the header.
	Err error
}

// Report writes one self-contained HTML page (inline CSS and SVG, no
// script, no external resource) with a section per capture. Each capture
// is written when it ends (Capture.End): the Report keeps only the
// capture being read, and of it only per-connection summaries and binned
// time series, within the bounds of Options.
//
// Use: r := New(w, opts); for each capture, c := r.Begin(name),
// c.Track(tracker) before the first frame, c.Frame(attempt, frame) for
// each frame after Tracker.Add, c.End(meta) at the end; then r.Close().
// AddCapture does the same for attempts and series already collected.
type Report struct {
	w        io.Writer
	opt      Options
	headed   bool
	closed   bool
	captures int
	err      error
}

// New returns a Report writing to w. opt may be nil.
func New(w io.Writer, opt *Options) *Report {
	r := &Report{w: w}
	if opt != nil {
		r.opt = *opt
	}
	o := &r.opt
	if o.Title == "" {
		o.Title = "SRT capture report"
	}
	if o.Location == nil {
		o.Location = time.UTC
	}
	if o.MaxBins <= 0 {
		o.MaxBins = DefaultMaxBins
	}
	if o.MaxConnections <= 0 {
		o.MaxConnections = DefaultMaxConnections
	}
	if o.MaxRows <= 0 {
		o.MaxRows = DefaultMaxRows
	}
	if o.MaxTimelineRows <= 0 {
		o.MaxTimelineRows = DefaultMaxTimelineRows
	}
	if o.FindingsPerCode <= 0 {
		o.FindingsPerCode = DefaultFindingsPerCode
	}
	return r
}

func (r *Report) write(b []byte) {
	if r.err != nil {
		return
	}
	_, r.err = r.w.Write(b)
}

// Close writes the end of the page (and its head, if no capture was
// added) and returns the first write error.
func (r *Report) Close() error {
	if r.closed {
		return r.err
	}
	r.closed = true
	var b svgBuf
	if !r.headed {
		r.writeHead(&b)
		b.WriteString(`<p class="none">No capture was read.</p>`)
	}
	r.writeFoot(&b)
	r.write(b.Bytes())
	return r.err
}

// Capture collects one capture's connections for the page. It is fed by
// the goroutine that feeds the Tracker.
type Capture struct {
	r    *Report
	name string
	id   string // "cap-1"
	tr   *session.Tracker

	grouper *session.Grouper
	att     map[*session.Attempt]*attState
	series  map[*session.Direction]*series
	nSeries int // series kept (in att's directions and in conns)

	conns    []*conn // shown in detail
	rows     []*conn // table rows only
	rowsMore int     // groups beyond MaxRows
	tl       []tlRow
	tlMore   int
	tlMoreN  int // attempts of the rows beyond MaxTimelineRows

	// kinds are the findings by code and level, in the order they were
	// first seen; byLevel counts every finding by level.
	kinds   []*findingKind
	byKind  map[string]*findingKind
	byLevel [3]int

	attempts int
	outcomes [4]int // attempts by session.Outcome
	groups   int

	frames            int
	first, last       time.Time // of the frames
	attFirst, attLast time.Time // of the attempts
	ended             bool
}

// attState is what Frame recorded of a live attempt.
type attState struct {
	lad       ladder
	marks     []markRec
	marksMore int
}

// markRec is an event of an attempt: a KMREQ or DROPREQ sent by from.
type markRec struct {
	t    time.Time
	from netip.AddrPort
	key  string
}

// maxRefs bounds the connections listed by number under a kind of
// finding.
const maxRefs = 40

// findingKind is one kind of finding (a code at a level) over the
// connections of a capture: the first few quoted, the others referred to.
type findingKind struct {
	level  session.Level
	code   string
	conns  int // connections with it
	lastN  int
	quoted []connFinding
	refs   []connFinding // Text not kept
}

// connFinding is a finding with the connection it is about.
type connFinding struct {
	f        session.Finding
	n        int
	href     string
	who      string
	detailed bool
}

// Begin starts a capture; End writes its section. Captures are read one
// after the other: end one before beginning the next.
func (r *Report) Begin(name string) *Capture {
	r.captures++
	c := &Capture{
		r:      r,
		name:   name,
		id:     "cap-" + strconv.Itoa(r.captures),
		att:    make(map[*session.Attempt]*attState),
		series: make(map[*session.Direction]*series),
		byKind: make(map[string]*findingKind),
	}
	c.grouper = &session.Grouper{MaxGroups: maxOpenGroups, OnEvict: c.finalize}
	return c
}

// Track hooks the capture to tr: tr.OnBin and tr.OnRetire are chained
// (the hooks set before keep working), and End takes the attempts left
// from tr. Call it before the first frame, after setting tr's other
// hooks.
func (c *Capture) Track(tr *session.Tracker) {
	c.tr = tr
	prevBin, prevRetire := tr.OnBin, tr.OnRetire
	tr.OnBin = func(a *session.Attempt, d *session.Direction, b *session.Bin) {
		c.Bin(a, d, b)
		if prevBin != nil {
			prevBin(a, d, b)
		}
	}
	tr.OnRetire = func(a *session.Attempt) {
		c.Attempt(a)
		if prevRetire != nil {
			prevRetire(a)
		}
	}
}

// Frame takes a frame after Tracker.Add gave it to attempt a (nil for
// none). It records the handshake packets (the ladder) and the events
// marked on the charts (in-band KMREQ key refreshes, DROPREQs), and
// counts the frames and their span. It keeps no slice of f. Calling it
// is optional: without it the ladder is drawn from the attempt's fields
// and the charts have no marks.
func (c *Capture) Frame(a *session.Attempt, f *session.Frame) {
	c.frames++
	if c.first.IsZero() || f.Time.Before(c.first) {
		c.first = f.Time
	}
	if f.Time.After(c.last) {
		c.last = f.Time
	}
	if a == nil || f.Err != nil || f.Packet == nil {
		return
	}
	p := f.Packet
	switch p.Kind() {
	case packet.KindHandshake:
		st := c.state(a)
		s := hsStepOf(&p.Handshake, f.Src == a.Caller)
		s.T = f.Time
		st.lad.add(s)
	case packet.KindUserDefined:
		if p.Subtype == packet.SubtypeKMReq {
			c.mark(a, f, "keyrefresh")
		}
	case packet.KindDropReq:
		c.mark(a, f, "dropreq")
	}
}

func (c *Capture) state(a *session.Attempt) *attState {
	st := c.att[a]
	if st == nil {
		st = &attState{}
		c.att[a] = st
	}
	return st
}

func (c *Capture) mark(a *session.Attempt, f *session.Frame, key string) {
	st := c.state(a)
	if len(st.marks) == maxMarksKept {
		st.marksMore++
		return
	}
	st.marks = append(st.marks, markRec{t: f.Time, from: f.Src, key: key})
}

// Bin takes a closed bin of direction d of attempt a (Tracker.OnBin's
// signature; Track sets it). Series are kept for the directions that can
// still be shown in detail, at most two per connection shown.
func (c *Capture) Bin(a *session.Attempt, d *session.Direction, b *session.Bin) {
	s := c.series[d]
	if s == nil {
		if len(c.conns) >= c.r.opt.MaxConnections || c.nSeries >= 2*c.r.opt.MaxConnections {
			return
		}
		s = newSeries(c.r.opt.MaxBins)
		c.series[d] = s
		c.nSeries++
	}
	s.add(b)
}

// Attempt takes a settled attempt: one the Tracker retired (Track hands
// them over from OnRetire) or, at the end, one of Tracker.Attempts (End
// takes them when Track was called). Attempts come in the order they
// started, each once. Retries that ended the same way are grouped into
// one connection (session.Grouper).
func (c *Capture) Attempt(a *session.Attempt) {
	c.attempts++
	if int(a.Outcome) < len(c.outcomes) {
		c.outcomes[a.Outcome]++
	}
	if c.attFirst.IsZero() || a.FirstTime.Before(c.attFirst) {
		c.attFirst = a.FirstTime
	}
	if a.LastTime.After(c.attLast) {
		c.attLast = a.LastTime
	}
	if g := c.grouper.Add(a); g.First != a {
		c.drop(a) // a group shows its first attempt's figures
	}
}

// drop forgets what was kept of a.
func (c *Capture) drop(a *session.Attempt) {
	delete(c.att, a)
	for _, d := range a.Directions() {
		if _, ok := c.series[d]; ok {
			delete(c.series, d)
			c.nSeries--
		}
	}
}

// finalize summarises a closed group: its row in the timeline and the
// table, its findings and, while there is room, its detailed section.
func (c *Capture) finalize(g *session.Group) {
	a := g.First
	c.groups++
	n := c.groups
	href := c.id + "-conn-" + strconv.Itoa(n)
	fs := g.Findings()
	var lv [3]int
	for _, f := range fs {
		if int(f.Level) < len(lv) {
			lv[f.Level]++
			c.byLevel[f.Level]++
		}
	}
	who := "#" + strconv.Itoa(n) + " " + addrText(a.Caller) + " → " + addrText(a.Listener)
	detailed := len(c.conns) < c.r.opt.MaxConnections
	for _, f := range fs {
		key := f.Code + "/" + f.Level.String()
		k := c.byKind[key]
		if k == nil {
			k = &findingKind{level: f.Level, code: f.Code}
			c.byKind[key] = k
			c.kinds = append(c.kinds, k)
		}
		if k.lastN != n {
			k.conns++
			k.lastN = n
		}
		cf := connFinding{f: f, n: n, href: href, who: who, detailed: detailed}
		switch {
		case len(k.quoted) < c.r.opt.FindingsPerCode:
			k.quoted = append(k.quoted, cf)
		case len(k.refs) < maxRefs && (len(k.refs) == 0 || k.refs[len(k.refs)-1].n != n):
			cf.f.Text = ""
			k.refs = append(k.refs, cf)
		}
	}
	if len(c.tl) < c.r.opt.MaxTimelineRows {
		c.tl = append(c.tl, tlRow{N: n, Href: href, Label: who, From: g.FirstTime, To: g.LastTime, Outcome: a.Outcome,
			Text: outcomeText(a, g.Attempts), Attempts: g.Attempts, Errors: lv[session.LevelError], Warnings: lv[session.LevelWarning]})
	} else {
		c.tlMore++
		c.tlMoreN += g.Attempts
	}
	if !detailed && len(c.conns)+len(c.rows) >= c.r.opt.MaxRows {
		c.rowsMore++
		c.drop(a)
		return
	}
	cn := c.summarize(g, n, href, fs, detailed)
	if detailed {
		c.conns = append(c.conns, cn)
	} else {
		c.rows = append(c.rows, cn)
	}
	// The series moved to cn (or were not wanted); the attempt's state
	// is no longer needed.
	delete(c.att, a)
	for _, d := range a.Directions() {
		if _, ok := c.series[d]; ok {
			delete(c.series, d)
			if !detailed {
				c.nSeries--
			}
		}
	}
}

// conn is the summary of one connection (a group of attempts) for the
// page: the figures of its first attempt, formatted.
type conn struct {
	n          int
	href       string
	detailed   bool
	caller     string
	listener   string
	names      [2]string
	mode       string
	outcome    session.Outcome
	outcomeTxt string
	reason     string // "SRT_REJX_FORBIDDEN (1403): Resource access forbidden"
	sid        string
	sidCut     bool
	enc        string
	encState   session.CryptoStatus
	reqEnc     string
	latency    string
	hsRTT      string
	congestion string
	filter     string
	version    string
	peerError  string
	passphrase string
	firstFrame int
	lastFrame  int
	from, to   time.Time
	attempts   int
	data       int // data packets (FEC excluded)
	retx, lost int
	fec        int
	findings   []session.Finding
	lad        ladder
	dirs       []dirSummary
}

// dirSummary is one direction of a connection shown in detail.
type dirSummary struct {
	name      string // "caller > listener", as srtdump -stats heads its column
	from, to  string
	cells     []string // one per StatRows entry ("" for a separator)
	sentence  string
	ser       *series
	latencyMS session.Opt[int]
	lateKnown bool
	avgMbps   float64 // the payload rate over the data's duration (Rates)
	// firstData and lastData are the times of the first and the last
	// data packet, gap the mean time between two.
	firstData, lastData time.Time
	gap                 time.Duration
	data                int
	marks               []mark
	marksMore           int
	stall               *span
}

// summarize makes the conn of a group.
func (c *Capture) summarize(g *session.Group, n int, href string, fs []session.Finding, detailed bool) *conn {
	a := g.First
	cn := &conn{
		n: n, href: href, detailed: detailed,
		caller: addrText(a.Caller), listener: addrText(a.Listener), names: sideNames(a),
		mode: ModeText(a), outcome: a.Outcome, outcomeTxt: outcomeText(a, g.Attempts),
		sid: DisplayString(a.StreamID), sidCut: a.Truncated,
		enc: a.EncryptionText(), encState: a.CryptoStatus(), reqEnc: a.RequestedEncryption(),
		congestion: a.Congestion, filter: DisplayString(a.Filter),
		firstFrame: a.FirstFrame, lastFrame: g.Last.LastFrame, from: g.FirstTime, to: g.LastTime,
		attempts: g.Attempts, data: a.DataPackets - a.FECPackets, retx: a.Retransmitted, lost: a.Lost, fec: a.FECPackets,
		findings: fs,
	}
	if a.Outcome == session.OutcomeRejected {
		cn.reason = a.Reason.String() + ": " + a.Reason.Text()
	}
	if a.LatencyKnown() {
		cn.latency = strconv.Itoa(a.LatencyMS) + " ms"
	}
	if a.HandshakeRTT > 0 {
		cn.hsRTT = strconv.FormatFloat(float64(a.HandshakeRTT.Microseconds())/1000, 'f', 3, 64) + " ms"
	}
	if a.SRTVersion != 0 {
		cn.version = a.SRTVersion.String()
	}
	if code, ok := a.PeerError.Get(); ok {
		cn.peerError = PeerErrorText(code) + " from " + addrText(a.PeerErrorFrom) + ", frame " + strconv.Itoa(a.PeerErrorFrame)
	}
	if m, ok := a.PassphraseMatch.Get(); ok {
		if m {
			cn.passphrase = "a passphrase given opens the key material"
		} else {
			cn.passphrase = "none of the passphrases given opens the key material"
		}
	}
	if !detailed {
		return cn
	}
	st := c.att[a]
	if st != nil && len(st.lad.steps) > 0 {
		cn.lad = st.lad
	} else {
		cn.lad = synthLadder(a)
	}
	for _, d := range a.Directions() {
		ds := dirSummary{name: dirName(a, d), from: addrText(d.From), to: addrText(d.To),
			latencyMS: d.LatencyMS, lateKnown: d.Data.Late.Known, data: d.Data.Packets}
		ds.cells = make([]string, len(StatRows))
		for i, r := range StatRows {
			if r.Value != nil {
				ds.cells[i] = r.Value(d)
			}
		}
		ds.sentence = dirSentence(d)
		if r, ok := d.Rates(); ok {
			ds.avgMbps = r.Payload
		}
		ds.firstData, ds.lastData = d.FirstData, d.LastData
		if d.Data.Packets > 1 {
			ds.gap = d.Duration() / time.Duration(d.Data.Packets-1)
		}
		ds.ser = c.series[d]
		if st != nil {
			for _, m := range st.marks {
				if m.from != d.From {
					continue
				}
				ds.marks = append(ds.marks, mark{T: m.t, Key: m.key, Label: markLabel(m.key, m.t, c.r.opt.Location)})
			}
			ds.marksMore = st.marksMore
		}
		if d.Data.Packets > 1 && d.LongestGap >= session.StallThreshold {
			ds.stall = &span{From: d.GapStart, To: d.GapStart.Add(d.LongestGap), Key: "stall",
				Label: "no data for " + strconv.FormatFloat(d.LongestGap.Seconds(), 'f', 3, 64) + " s from " + fmtTime(d.GapStart, c.r.opt.Location)}
		}
		cn.dirs = append(cn.dirs, ds)
	}
	return cn
}

// markLabel is a mark's tooltip: what and when (the legend says more).
func markLabel(key string, t time.Time, loc *time.Location) string {
	what := map[string]string{
		"keyrefresh": "KMREQ (key refresh) ",
		"dropreq":    "DROPREQ ",
	}[key]
	return what + t.In(loc).Format("15:04:05.000000")
}

// dirSentence sums a direction up in a sentence, with the figures of the
// statistics table.
func dirSentence(d *session.Direction) string {
	dt := &d.Data
	if dt.Packets == 0 {
		s := "No data packets in this direction"
		if c := d.Control; c.KMReq+c.KMRsp+c.Keepalive+c.Shutdown > 0 {
			s += " (control packets only)"
		}
		return s + "."
	}
	s := itoa(dt.Packets) + " data packets (" + itoa(dt.Original) + " original, " + itoa(dt.Retransmitted) + " retransmitted)"
	if r, ok := d.Rates(); ok {
		s += " at " + mbps(r.Payload) + " over " + strconv.FormatFloat(d.Duration().Seconds(), 'f', 3, 64) + " s"
	}
	s += "."
	if lost, ok := dt.Lost.Get(); ok {
		switch {
		case lost == 0:
			s += " Nothing lost."
		default:
			s += " " + itoa(lost) + " lost" + paren(pct(d.LossPct()))
			if rec, ok := dt.Recovered.Get(); ok {
				un := dt.Unrecovered.Value
				switch {
				case un == 0:
					s += ", all recovered by retransmission."
				default:
					s += ": " + itoa(rec) + " recovered, " + itoa(un) + " never retransmitted."
				}
			} else {
				s += "."
			}
		}
	}
	if late, ok := dt.Late.Get(); ok && late > 0 {
		s += " " + itoa(late) + " arrived too late for the latency."
	}
	if v, ok := dt.Undecryptable.Get(); ok && v > 0 {
		s += " " + itoa(v) + " could not be decrypted by the receiver."
	}
	if d.RTT.Known() {
		s += " RTT " + strconv.FormatFloat(d.RTT.Mean()/1000, 'f', 3, 64) + " ms on average."
	}
	return s
}

// End ends the capture: the attempts left in the tracker (when Track was
// called) are taken, every group is closed and the capture's section is
// written. It returns the first write error of the Report.
func (c *Capture) End(meta CaptureMeta) error {
	r := c.r
	if c.ended {
		return r.err
	}
	c.ended = true
	if c.tr != nil {
		c.tr.Flush()
		for _, a := range c.tr.Attempts() {
			c.Attempt(a)
		}
	}
	for _, g := range c.grouper.Groups() {
		c.finalize(g)
	}
	var b svgBuf
	if !r.headed {
		r.writeHead(&b)
	}
	c.writeSection(&b, meta)
	r.write(b.Bytes())
	// What the section needed is written: let it go.
	c.conns, c.rows, c.tl, c.kinds, c.byKind, c.att, c.series = nil, nil, nil, nil, nil, nil, nil
	return r.err
}

// AddCapture adds a capture whose attempts (settled: after
// Tracker.Flush and Tracker.Attempts, in the order they started) and
// time series (the bins of each direction, in time order: from
// Tracker.OnBin or Direction.Series) were collected already. The ladders
// are drawn from the attempts' fields.
func (r *Report) AddCapture(name string, meta CaptureMeta, attempts []*session.Attempt, series map[*session.Direction][]session.Bin) error {
	if r.closed {
		return errors.New("report: AddCapture after Close")
	}
	c := r.Begin(name)
	for _, a := range attempts {
		for _, d := range a.Directions() {
			bins := series[d]
			for i := range bins {
				c.Bin(a, d, &bins[i])
			}
		}
	}
	for _, a := range attempts {
		c.Attempt(a)
	}
	return c.End(meta)
}
