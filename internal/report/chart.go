package report

import (
	"bytes"
	"html"
	"math"
	"strconv"
	"time"
)

// The chart writer: a time series as an inline SVG, with a value axis
// from 0 (round ticks, see valueTicks), a time axis (timeTicks), a legend
// that wraps rather than overlaps, and vertical marks for events (key
// refreshes, DROPREQs) and shaded spans (stalls). Colours come from the
// page's CSS classes (s-KEY for a series, m-KEY for a mark), so that the
// charts follow the light, dark and print styles.

// Chart geometry, in SVG user units (px at 100 %).
const (
	chartW       = 560
	chartH       = 224
	chartRight   = 18 // room right of the plot for the last time label
	chartBottom  = 40 // time labels and the axis title
	legendRowH   = 16
	yTickSpacing = 26 // the least room between two value labels
	xLabelGap    = 14 // the least room between two time labels
	barsUpTo     = 90 // more bins than this: bars are drawn as lines
	dotsUpTo     = 40 // up to this many bins, line points get a dot
	hoverUpTo    = 60
	maxMarks     = 30 // marks drawn per chart
)

type seriesKind uint8

const (
	kindLine seriesKind = iota // a line through the bins' centres
	kindArea                   // a line, filled down to 0
	kindBars                   // one bar per bin (side by side with the other bar series)
)

// chartSeries is one series of a chart: one value per bin (NaN where it
// is unknown: no point there).
type chartSeries struct {
	Key, Name string // Key: the CSS class s-KEY and data-series
	Kind      seriesKind
	Vals      []float64
	// Lo and Hi, if set, are drawn as a band behind the line (the min and
	// max within each bin).
	Lo, Hi   []float64
	Unit     string // for the tooltips
	Decimals int
}

// mark is an event at a time, drawn as a vertical line.
type mark struct {
	T          time.Time
	Key, Label string
}

// span is a shaded stretch of time.
type span struct {
	From, To   time.Time
	Key, Label string
}

// refLine is a horizontal reference line. One with InAxis set extends
// the value axis to it; another is drawn only when it falls within.
type refLine struct {
	Y          float64
	Key, Label string
	InAxis     bool
}

// chart is one chart of a time series of N bins of width BinW from T0.
type chart struct {
	Key       string // data-chart
	Title     string // aria-label; the page shows it above the chart
	YTitle    string // the unit of the value axis: "Mbit/s"
	XTitle    string
	T0        time.Time
	BinW      time.Duration
	N         int
	Series    []chartSeries
	Marks     []mark
	MarksMore int // marks not listed in Marks
	Spans     []span
	Refs      []refLine
	Empty     string // shown when every value is 0 or unknown
	Loc       *time.Location
}

// legendItem is one entry of a legend and where it goes.
type legendItem struct {
	Key, Label, Shape string // shape: "line", "box", "mark", "span", "ref"
	X, Y, W           float64
}

// legendLayout places the items left to right from x0, wrapping at
// maxX, one row every legendRowH from y0. Each item is a 14 px swatch, a
// 4 px gap, its label and 14 px of space. It returns the number of rows.
func legendLayout(items []legendItem, x0, maxX, y0 float64) int {
	x, rows := x0, 1
	for i := range items {
		w := 18 + textWidth(items[i].Label)
		if x > x0 && x+w > maxX {
			x = x0
			rows++
		}
		items[i].X, items[i].Y, items[i].W = x, y0+float64(rows-1)*legendRowH, w
		x += w + 14
	}
	if len(items) == 0 {
		return 0
	}
	return rows
}

// svgBuf is a buffer with the helpers of the SVG writers.
type svgBuf struct{ bytes.Buffer }

// num writes v with at most one decimal.
func (b *svgBuf) num(v float64) {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		v = 0
	}
	r := math.Round(v*10) / 10
	if r == math.Trunc(r) {
		b.WriteString(strconv.FormatInt(int64(r), 10))
		return
	}
	b.WriteString(strconv.FormatFloat(r, 'f', 1, 64))
}

// attr writes ` name="v"` for a number.
func (b *svgBuf) attr(name string, v float64) {
	b.WriteByte(' ')
	b.WriteString(name)
	b.WriteString(`="`)
	b.num(v)
	b.WriteByte('"')
}

// text writes s escaped.
func (b *svgBuf) text(s string) { b.WriteString(html.EscapeString(s)) }

// title writes a <title> (the tooltip of its parent).
func (b *svgBuf) title(s string) {
	b.WriteString("<title>")
	b.text(s)
	b.WriteString("</title>")
}

// label writes a <text> element.
func (b *svgBuf) label(class string, x, y float64, anchor, s string) {
	b.WriteString(`<text class="`)
	b.WriteString(class)
	b.WriteByte('"')
	b.attr("x", x)
	b.attr("y", y)
	if anchor != "" {
		b.WriteString(` text-anchor="` + anchor + `"`)
	}
	b.WriteByte('>')
	b.text(s)
	b.WriteString("</text>")
}

// write writes the chart as an <svg> element.
func (c *chart) write(b *svgBuf) {
	loc := c.Loc
	if loc == nil {
		loc = time.UTC
	}
	n := max(c.N, 1)
	spanD := time.Duration(n) * c.BinW
	t1 := c.T0.Add(spanD)

	// The value axis: the largest value of any series (and band).
	hi := 0.0
	for _, s := range c.Series {
		for i, v := range s.Vals {
			if !math.IsNaN(v) && v > hi {
				hi = v
			}
			if s.Hi != nil && i < len(s.Hi) && !math.IsNaN(s.Hi[i]) && s.Hi[i] > hi {
				hi = s.Hi[i]
			}
		}
	}
	empty := hi == 0
	for _, r := range c.Refs {
		if r.InAxis && r.Y > hi {
			hi = r.Y
		}
	}

	// The legend, right of the value axis title.
	var items []legendItem
	for _, s := range c.Series {
		shape := "line"
		if s.Kind == kindBars && c.N <= barsUpTo {
			shape = "box"
		}
		items = append(items, legendItem{Key: s.Key, Label: s.Name, Shape: shape})
	}
	seenMark := map[string]bool{}
	for _, m := range c.Marks {
		if !seenMark[m.Key] {
			seenMark[m.Key] = true
			items = append(items, legendItem{Key: m.Key, Label: markNames[m.Key], Shape: "mark"})
		}
	}
	for _, s := range c.Spans {
		if !seenMark[s.Key] {
			seenMark[s.Key] = true
			items = append(items, legendItem{Key: s.Key, Label: markNames[s.Key], Shape: "span"})
		}
	}
	legendX := 8 + textWidth(c.YTitle) + 18
	rows := legendLayout(items, legendX, chartW-chartRight, 14)
	top := 14 + float64(max(rows, 1)-1)*legendRowH + 16
	plotH := chartH - top - chartBottom
	step, vtop, dec := valueTicks(hi, int(plotH/yTickSpacing))
	nt := int(math.Round(vtop / step))
	// The left margin fits the widest value label.
	lw := 0.0
	for i := 0; i <= nt; i++ {
		lw = max(lw, textWidth(formatValue(float64(i)*step, dec)))
	}
	left := math.Max(10+lw+6, 40)
	plotW := chartW - left - chartRight
	bottom := top + plotH
	xOf := func(t time.Time) float64 { return left + float64(t.Sub(c.T0))/float64(spanD)*plotW }
	yOf := func(v float64) float64 { return bottom - v/vtop*plotH }
	slot := plotW / float64(n)

	b.WriteString(`<svg class="chart" xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 `)
	b.num(chartW)
	b.WriteByte(' ')
	b.num(chartH)
	b.WriteString(`" data-chart="`)
	b.text(c.Key)
	b.WriteString(`" data-bins="`)
	b.WriteString(strconv.Itoa(c.N))
	b.WriteString(`" aria-label="`)
	b.text(c.Title)
	b.WriteString(`">`)

	// Value axis title and legend.
	b.label("axis-title y", 8, 14+4, "", c.YTitle)
	for _, it := range items {
		y := it.Y
		switch it.Shape {
		case "line":
			b.WriteString(`<line class="sw s-` + it.Key + `"`)
			b.attr("x1", it.X)
			b.attr("y1", y)
			b.attr("x2", it.X+14)
			b.attr("y2", y)
			b.WriteString("/>")
		case "box":
			b.WriteString(`<rect class="sw s-` + it.Key + `"`)
			b.attr("x", it.X+2)
			b.attr("y", y-5)
			b.attr("width", 10)
			b.attr("height", 10)
			b.WriteString("/>")
		case "mark":
			b.WriteString(`<path class="mk m-` + it.Key + `" d="M`)
			b.num(it.X + 3)
			b.WriteByte(' ')
			b.num(y - 5)
			b.WriteString("h8l-4 7z")
			b.WriteString(`"/>`)
		case "span":
			b.WriteString(`<rect class="span m-` + it.Key + `"`)
			b.attr("x", it.X)
			b.attr("y", y-6)
			b.attr("width", 14)
			b.attr("height", 12)
			b.WriteString("/>")
		}
		b.WriteString(`<text class="legend"`)
		b.attr("x", it.X+18)
		b.attr("y", y+4)
		b.WriteByte('>')
		b.text(it.Label)
		b.WriteString("</text>")
	}

	// Spans behind everything.
	for _, s := range c.Spans {
		x0, x1 := math.Max(xOf(s.From), left), math.Min(xOf(s.To), left+plotW)
		if x1 <= x0 {
			continue
		}
		b.WriteString(`<rect class="span m-` + s.Key + `"`)
		b.attr("x", x0)
		b.attr("y", top)
		b.attr("width", x1-x0)
		b.attr("height", plotH)
		b.WriteByte('>')
		b.title(s.Label)
		b.WriteString("</rect>")
	}

	// Grid and value labels.
	for i := 0; i <= nt; i++ {
		v := float64(i) * step
		y := yOf(v)
		cls := "grid"
		if i == 0 {
			cls = "axis"
		}
		b.WriteString(`<line class="` + cls + `"`)
		b.attr("x1", left)
		b.attr("y1", y)
		b.attr("x2", left+plotW)
		b.attr("y2", y)
		b.WriteString("/>")
		b.label("tick y", left-6, y+4, "end", formatValue(v, dec))
	}
	b.WriteString(`<line class="axis"`)
	b.attr("x1", left)
	b.attr("y1", top)
	b.attr("x2", left)
	b.attr("y2", bottom)
	b.WriteString("/>")

	// Time ticks and labels; a label that would leave the chart is left
	// out (its tick stays).
	for _, tk := range timeTicks(c.T0, t1, plotW, xLabelGap, loc) {
		x := xOf(tk.T)
		b.WriteString(`<line class="axis"`)
		b.attr("x1", x)
		b.attr("y1", bottom)
		b.attr("x2", x)
		b.attr("y2", bottom+4)
		b.WriteString("/>")
		if w := textWidth(tk.Label); x-w/2 >= 0 && x+w/2 <= chartW {
			b.label("tick x", x, bottom+16, "middle", tk.Label)
		}
	}
	b.label("axis-title x", left+plotW/2, chartH-6, "middle", c.XTitle)

	// Series: bands, then areas and bars, then lines.
	nBars := 0
	for _, s := range c.Series {
		if s.Kind == kindBars && c.N <= barsUpTo {
			nBars++
		}
	}
	barI := 0
	for _, s := range c.Series {
		pts := 0
		for _, v := range s.Vals {
			if !math.IsNaN(v) {
				pts++
			}
		}
		b.WriteString(`<g class="series s-` + s.Key + `" data-series="` + s.Key + `" data-points="` + strconv.Itoa(pts) + `">`)
		if s.Kind == kindBars && c.N <= barsUpTo {
			group := slot * 0.8
			bw := group / float64(nBars)
			for i, v := range s.Vals {
				if math.IsNaN(v) {
					continue
				}
				x := left + float64(i)*slot + (slot-group)/2 + float64(barI)*bw
				y := yOf(v)
				b.WriteString(`<rect class="bar"`)
				b.attr("x", x)
				b.attr("y", y)
				b.attr("width", math.Max(bw-0.6, 0.6))
				b.attr("height", bottom-y)
				b.WriteString("/>")
			}
			barI++
			b.WriteString("</g>")
			continue
		}
		cx := func(i int) float64 { return left + (float64(i)+0.5)*slot }
		if s.Lo != nil && s.Hi != nil {
			c.band(b, s, cx, yOf)
		}
		if s.Kind == kindArea {
			c.area(b, s, cx, yOf, bottom)
		}
		// The line: one coordinate pair per known bin, broken where a bin
		// is unknown.
		b.WriteString(`<path class="line" d="`)
		p := pen{b: b}
		for i, v := range s.Vals {
			if math.IsNaN(v) {
				p.down = false
				continue
			}
			p.to(cx(i), yOf(v))
		}
		b.WriteString(`"/>`)
		if c.N <= dotsUpTo {
			for i, v := range s.Vals {
				if math.IsNaN(v) {
					continue
				}
				b.WriteString(`<circle class="pt"`)
				b.attr("cx", cx(i))
				b.attr("cy", yOf(v))
				b.WriteString(` r="2.5"/>`)
			}
		}
		b.WriteString("</g>")
	}
	if empty && c.Empty != "" {
		b.label("empty", left+plotW/2, top+plotH/2, "middle", c.Empty)
	}

	// Reference lines within the axis.
	for _, r := range c.Refs {
		if r.Y <= 0 || r.Y > vtop {
			continue
		}
		y := yOf(r.Y)
		b.WriteString(`<line class="ref m-` + r.Key + `"`)
		b.attr("x1", left)
		b.attr("y1", y)
		b.attr("x2", left+plotW)
		b.attr("y2", y)
		b.WriteString("/>")
		b.label("ref-label", left+plotW-4, y-4, "end", r.Label)
	}

	// Marks.
	for i, m := range c.Marks {
		if i == maxMarks {
			break
		}
		x := xOf(m.T)
		if x < left || x > left+plotW {
			continue
		}
		// One path: the line down the plot and the triangle on top.
		b.WriteString(`<path class="mark m-` + m.Key + `" d="M`)
		b.num(x)
		b.WriteByte(' ')
		b.num(top)
		b.WriteByte('V')
		b.num(bottom)
		b.WriteByte('M')
		b.num(x - 4)
		b.WriteByte(' ')
		b.num(top - 6)
		b.WriteString(`h8l-4 7z">`)
		b.title(m.Label)
		b.WriteString("</path>")
	}

	// Tooltips: a transparent column per bin with its values.
	if c.N <= hoverUpTo {
		for i := 0; i < c.N; i++ {
			b.WriteString(`<rect class="hover"`)
			b.attr("x", left+float64(i)*slot)
			b.attr("y", top)
			b.attr("width", slot)
			b.attr("height", plotH)
			b.WriteByte('>')
			b.title(c.tooltip(i, loc))
			b.WriteString("</rect>")
		}
	}
	b.WriteString("</svg>")
}

// tooltip says what bin i holds: its time and each series' value.
func (c *chart) tooltip(i int, loc *time.Location) string {
	t := c.T0.Add(time.Duration(i) * c.BinW)
	layout := "15:04:05"
	if c.BinW%time.Second != 0 {
		layout = "15:04:05.000"
	}
	var s []byte
	s = t.In(loc).AppendFormat(s, layout)
	s = append(s, " +"...)
	s = append(s, widthText(c.BinW)...)
	for _, se := range c.Series {
		s = append(s, "\n"...)
		s = append(s, se.Name...)
		s = append(s, ": "...)
		if i >= len(se.Vals) || math.IsNaN(se.Vals[i]) {
			s = append(s, '-')
			continue
		}
		s = strconv.AppendFloat(s, se.Vals[i], 'f', se.Decimals, 64)
		if se.Lo != nil && se.Hi != nil && !math.IsNaN(se.Lo[i]) {
			s = append(s, " ("...)
			s = strconv.AppendFloat(s, se.Lo[i], 'f', se.Decimals, 64)
			s = append(s, '-')
			s = strconv.AppendFloat(s, se.Hi[i], 'f', se.Decimals, 64)
			s = append(s, ')')
		}
		if se.Unit != "" {
			s = append(s, ' ')
			s = append(s, se.Unit...)
		}
	}
	return string(s)
}

// band draws the Lo-Hi band of s, one polygon per run of known bins.
func (c *chart) band(b *svgBuf, s chartSeries, cx func(int) float64, yOf func(float64) float64) {
	for i := 0; i < len(s.Vals); {
		if math.IsNaN(s.Lo[i]) {
			i++
			continue
		}
		j := i
		for j < len(s.Vals) && !math.IsNaN(s.Lo[j]) {
			j++
		}
		b.WriteString(`<path class="band" d="`)
		p := pen{b: b}
		for k := i; k < j; k++ {
			p.to(cx(k), yOf(s.Hi[k]))
		}
		for k := j - 1; k >= i; k-- {
			p.to(cx(k), yOf(s.Lo[k]))
		}
		b.WriteString(`Z"/>`)
		i = j
	}
}

// area fills under the line of s down to the axis, one shape per run of
// known bins.
func (c *chart) area(b *svgBuf, s chartSeries, cx func(int) float64, yOf func(float64) float64, bottom float64) {
	for i := 0; i < len(s.Vals); {
		if math.IsNaN(s.Vals[i]) {
			i++
			continue
		}
		j := i
		for j < len(s.Vals) && !math.IsNaN(s.Vals[j]) {
			j++
		}
		b.WriteString(`<path class="area" d="`)
		p := pen{b: b}
		p.to(cx(i), bottom)
		for k := i; k < j; k++ {
			p.to(cx(k), yOf(s.Vals[k]))
		}
		p.to(cx(j-1), bottom)
		b.WriteString(`Z"/>`)
		i = j
	}
}

// pen writes the coordinates of a path in tenths of a unit: a run starts
// with an absolute M, and each point after it is relative to the one
// before (l), computed from the rounded absolute positions so that no
// rounding error adds up along the run.
type pen struct {
	b    *svgBuf
	x, y int64 // the pen's position, in tenths
	down bool  // within a run
}

func tenths(v float64) int64 { return int64(math.Round(v * 10)) }

// to draws to (x, y), or starts a run there.
func (p *pen) to(x, y float64) {
	nx, ny := tenths(x), tenths(y)
	if !p.down {
		p.b.WriteByte('M')
		p.b.num(float64(nx) / 10)
		p.b.WriteByte(' ')
		p.b.num(float64(ny) / 10)
	} else {
		p.b.WriteByte('l')
		p.b.tenth(nx - p.x)
		if ny-p.y >= 0 {
			p.b.WriteByte(' ')
		}
		p.b.tenth(ny - p.y)
	}
	p.x, p.y, p.down = nx, ny, true
}

// tenth writes v tenths as briefly as SVG allows: "12", "1.2", ".5",
// "-.5".
func (b *svgBuf) tenth(v int64) {
	if v < 0 {
		b.WriteByte('-')
		v = -v
	}
	if q := v / 10; q > 0 || v%10 == 0 {
		b.WriteString(strconv.FormatInt(q, 10))
	}
	if r := v % 10; r != 0 {
		b.WriteByte('.')
		b.WriteByte(byte('0' + r))
	}
}

// markNames are the legend labels of the marks and spans.
var markNames = map[string]string{
	"keyrefresh": "key refresh (KMREQ)",
	"dropreq":    "DROPREQ",
	"stall":      "longest pause",
}
