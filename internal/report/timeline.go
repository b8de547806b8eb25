package report

import (
	"strconv"
	"time"

	"github.com/srtwire/srtwire/session"
)

// The timeline of a capture: one row per connection (a caller's retries
// that ended the same way, a session.Group, are one row: a band from the
// first attempt to the last with the count), a bar from its first to its
// last packet coloured by outcome, and its outcome written beside it
// (a rejection with its reason).

// tlRow is one row of the timeline.
type tlRow struct {
	N          int
	Href       string
	Label      string // "#1 127.0.0.1:52151 → 127.0.0.1:41071"
	From, To   time.Time
	Outcome    session.Outcome
	Text       string // "rejected: SRT_REJX_FORBIDDEN ×213"
	Attempts   int
	Errors     int // findings of level error
	Warnings   int
	StreamName string
}

// Timeline geometry.
const (
	tlW      = 1160
	tlLabelW = 300 // the label column
	tlRowH   = 24
	tlTop    = 8
	tlBottom = 40
	tlRight  = 20
)

// outcomeClass is the CSS class of an outcome.
func outcomeClass(o session.Outcome) string {
	switch o {
	case session.OutcomeEstablished:
		return "ok"
	case session.OutcomeRejected:
		return "rej"
	case session.OutcomeNoAnswer:
		return "noans"
	}
	return "inc"
}

// writeTimeline draws the rows over [start, end]; more rows (and their
// attempts) were left out.
func writeTimeline(b *svgBuf, rows []tlRow, start, end time.Time, more, moreAttempts int, loc *time.Location) {
	if !end.After(start) {
		end = start.Add(time.Second)
	}
	// A little room at both ends so that a bar at an edge is seen whole.
	pad := end.Sub(start) / 50
	start, end = start.Add(-pad), end.Add(pad)
	n := len(rows)
	if more > 0 {
		n++
	}
	h := float64(tlTop + n*tlRowH + tlBottom)
	left := float64(tlLabelW)
	plotW := tlW - left - tlRight
	span := end.Sub(start)
	xOf := func(t time.Time) float64 { return left + float64(t.Sub(start))/float64(span)*plotW }
	bottom := h - tlBottom

	b.WriteString(`<svg class="timeline-chart" xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 `)
	b.num(tlW)
	b.WriteByte(' ')
	b.num(h)
	b.WriteString(`" data-rows="` + strconv.Itoa(len(rows)) + `" aria-label="connections over time">`)
	ticks := timeTicks(start, end, plotW, xLabelGap, loc)
	for _, tk := range ticks {
		x := xOf(tk.T)
		b.WriteString(`<line class="grid"`)
		b.attr("x1", x)
		b.attr("y1", tlTop)
		b.attr("x2", x)
		b.attr("y2", bottom)
		b.WriteString("/>")
		if w := textWidth(tk.Label); x-w/2 >= left-20 && x+w/2 <= tlW {
			b.label("tick x", x, bottom+16, "middle", tk.Label)
		}
	}
	b.WriteString(`<line class="axis"`)
	b.attr("x1", left)
	b.attr("y1", bottom)
	b.attr("x2", left+plotW)
	b.attr("y2", bottom)
	b.WriteString("/>")
	b.label("axis-title x", left+plotW/2, h-6, "middle", "time ("+start.In(loc).Format("MST, 2006-01-02")+")")

	for i, r := range rows {
		y := float64(tlTop + i*tlRowH)
		cls := outcomeClass(r.Outcome)
		b.WriteString(`<a href="#` + r.Href + `" class="tl-row ` + cls + `" data-attempts="` + strconv.Itoa(r.Attempts) + `">`)
		b.title(r.Label + ": " + r.Text + ", " + fmtTime(r.From, loc) + " to " + fmtTime(r.To, loc))
		if i%2 == 1 {
			b.WriteString(`<rect class="stripe"`)
			b.attr("x", 0)
			b.attr("y", y)
			b.attr("width", tlW)
			b.attr("height", tlRowH)
			b.WriteString("/>")
		}
		b.label("tl-label", 8, y+16, "", fitText(r.Label, left-16))
		x0, x1 := xOf(r.From), xOf(r.To)
		if x1-x0 < 4 {
			m := (x0 + x1) / 2
			x0, x1 = m-2, m+2
		}
		barCls := "bar"
		if r.Attempts > 1 {
			barCls = "bar storm"
		}
		b.WriteString(`<rect class="` + barCls + `"`)
		b.attr("x", x0)
		b.attr("y", y+5)
		b.attr("width", x1-x0)
		b.attr("height", tlRowH-10)
		b.WriteString(` rx="3"/>`)
		if r.Outcome == session.OutcomeRejected && r.Attempts == 1 {
			// A rejection is an event: a diamond at its end.
			b.WriteString(`<path class="rej-mark" d="M`)
			b.num(x1)
			b.WriteByte(' ')
			b.num(y + 4)
			b.WriteString(`l6 8l-6 8l-6 -8z"/>`)
		}
		text := r.Text
		if r.Errors+r.Warnings > 0 {
			text += " · " + levelCounts(r.Errors, r.Warnings)
		}
		// Beside the bar: right of it if it fits, else inside it, else
		// left of it, else cut to the widest of the three.
		w := textWidth(text)
		right, inside, leftRoom := tlW-tlRight-(x1+10), x1-x0-16, x0-10-left
		switch {
		case w <= right:
			b.label("tl-text "+cls, x1+10, y+16, "", text)
		case w <= inside:
			b.label("tl-text inbar", x0+8, y+16, "", text)
		case w <= leftRoom:
			b.label("tl-text "+cls, x0-10, y+16, "end", text)
		case inside >= right && inside >= leftRoom:
			b.label("tl-text inbar", x0+8, y+16, "", fitText(text, inside))
		case right >= leftRoom:
			b.label("tl-text "+cls, x1+10, y+16, "", fitText(text, right))
		default:
			b.label("tl-text "+cls, x0-10, y+16, "end", fitText(text, leftRoom))
		}
		b.WriteString("</a>")
	}
	if more > 0 {
		y := float64(tlTop + len(rows)*tlRowH)
		b.label("note", 8, y+16, "", "… and "+strconv.Itoa(more)+" more connections ("+strconv.Itoa(moreAttempts)+" attempts), listed in the table below")
	}
	b.WriteString("</svg>")
}

// countText returns "2 errors" (or "" for 0).
func countText(n int, what string) string {
	switch n {
	case 0:
		return ""
	case 1:
		return "1 " + what
	}
	return strconv.Itoa(n) + " " + what + "s"
}

// levelCounts returns "2 errors, 1 warning", leaving out a zero count.
func levelCounts(errors, warnings int) string {
	e, w := countText(errors, "error"), countText(warnings, "warning")
	switch {
	case e == "":
		return w
	case w == "":
		return e
	}
	return e + ", " + w
}
