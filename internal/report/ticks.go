package report

import (
	"math"
	"strconv"
	"time"
)

// Ticks: round values for the axes of the charts.
//
// A value axis starts at 0 and ends at the first round value at or above
// the largest value; its ticks are multiples of a step of 1, 2 or 5 times
// a power of ten, as many as fit the axis with a label's height between
// two of them. A time axis takes its step from a list of round durations
// (1-2-5 from a microsecond to half a second, then 1, 2, 5, 10, 15, 30 s,
// the same in minutes, 1, 2, 3, 6, 12 h and days) and uses the smallest step whose labels do
// not touch.

// charW is the width in px of one character of the charts' 11 px labels,
// a little wider than the widest digit of a sans-serif font, so that a
// label never takes more room than the layout gave it.
const charW = 6.7

// textWidth estimates the width in px of s in the charts' label font.
func textWidth(s string) float64 {
	n := 0
	for range s {
		n++
	}
	return float64(n) * charW
}

// niceStep returns the smallest step of 1, 2 or 5 × 10^k that is at least
// raw (raw > 0).
func niceStep(raw float64) float64 {
	if raw <= 0 || math.IsNaN(raw) || math.IsInf(raw, 0) {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range [...]float64{1, 2, 5, 10} {
		if s := m * p; s >= raw*(1-1e-9) {
			return s
		}
	}
	return 10 * p
}

// valueTicks returns the ticks of a value axis from 0 that shows values up
// to hi, with at most maxTicks intervals (at least 1): the step, the top of
// the axis (a multiple of the step, >= hi) and the decimals its labels
// need. hi <= 0 (or NaN) gives the axis 0 to 1.
func valueTicks(hi float64, maxTicks int) (step, top float64, decimals int) {
	if !(hi > 0) || math.IsInf(hi, 0) {
		hi = 1
	}
	maxTicks = max(maxTicks, 1)
	step = niceStep(hi / float64(maxTicks))
	n := math.Ceil(hi/step - 1e-9)
	for n > float64(maxTicks) {
		step = niceStep(step * 1.0001)
		n = math.Ceil(hi/step - 1e-9)
	}
	top = n * step
	if step < 1 {
		decimals = int(math.Ceil(-math.Log10(step) - 1e-9))
	}
	return step, top, decimals
}

// formatValue formats a tick value with the given decimals.
func formatValue(v float64, decimals int) string {
	if math.Abs(v) < 1e-12 {
		v = 0
	}
	return strconv.FormatFloat(v, 'f', decimals, 64)
}

// timeSteps are the candidate steps of a time axis.
var timeSteps = []time.Duration{
	time.Microsecond, 2 * time.Microsecond, 5 * time.Microsecond,
	10 * time.Microsecond, 20 * time.Microsecond, 50 * time.Microsecond,
	100 * time.Microsecond, 200 * time.Microsecond, 500 * time.Microsecond,
	time.Millisecond, 2 * time.Millisecond, 5 * time.Millisecond,
	10 * time.Millisecond, 20 * time.Millisecond, 50 * time.Millisecond,
	100 * time.Millisecond, 200 * time.Millisecond, 500 * time.Millisecond,
	time.Second, 2 * time.Second, 5 * time.Second, 10 * time.Second, 15 * time.Second, 30 * time.Second,
	time.Minute, 2 * time.Minute, 5 * time.Minute, 10 * time.Minute, 15 * time.Minute, 30 * time.Minute,
	time.Hour, 2 * time.Hour, 3 * time.Hour, 6 * time.Hour, 12 * time.Hour,
	24 * time.Hour, 48 * time.Hour, 7 * 24 * time.Hour,
}

// timeLayout is the label format for ticks of the step: as many decimals
// of the second as the step needs below a second, seconds below a minute,
// minutes below an hour, the date and the time below a day (a span of
// hours may cross midnight), the date beyond.
func timeLayout(step time.Duration) string {
	switch {
	case step < time.Millisecond:
		return "15:04:05.000000"
	case step < 100*time.Millisecond:
		return "15:04:05.000"
	case step < time.Second:
		return "15:04:05.0"
	case step < time.Minute:
		return "15:04:05"
	case step < time.Hour:
		return "15:04"
	case step < 24*time.Hour:
		return "01-02 15:04"
	}
	return "01-02"
}

// timeTick is one tick of a time axis.
type timeTick struct {
	T     time.Time
	Label string
}

// timeTicks returns the ticks of a time axis from start to end drawn over
// width px: multiples of the smallest step of timeSteps (in loc's wall
// clock) whose labels, centred on their ticks, leave gap px between each
// other. Every tick lies within [start, end].
func timeTicks(start, end time.Time, width, gap float64, loc *time.Location) []timeTick {
	span := end.Sub(start)
	if span <= 0 || width <= 0 {
		return nil
	}
	pxPerNs := width / float64(span)
	for _, step := range timeSteps {
		layout := timeLayout(step)
		// Every label of a layout has the same number of characters.
		w := textWidth(layout)
		if float64(step)*pxPerNs < w+gap {
			continue
		}
		return stepTicks(start, end, step, layout, loc)
	}
	// Longer than the longest step allows: the two ends.
	last := timeSteps[len(timeSteps)-1]
	return stepTicks(start, end, last*time.Duration(math.Ceil(float64(span)/float64(last))), timeLayout(last), loc)
}

// stepTicks returns the multiples of step (counted in loc's wall clock,
// so that hours fall on the hour of the zone) within [start, end].
func stepTicks(start, end time.Time, step time.Duration, layout string, loc *time.Location) []timeTick {
	_, off := start.In(loc).Zone()
	shift := time.Duration(off) * time.Second
	// Wall-clock nanoseconds since the epoch.
	wall := start.Add(shift).UnixNano()
	s := int64(step)
	first := wall - mod(wall, s)
	if first < wall {
		first += s
	}
	var out []timeTick
	for t := time.Unix(0, first).Add(-shift); !t.After(end); t = t.Add(step) {
		out = append(out, timeTick{T: t, Label: t.In(loc).Format(layout)})
		if len(out) > 1000 {
			break
		}
	}
	return out
}

func mod(a, b int64) int64 {
	m := a % b
	if m < 0 {
		m += b
	}
	return m
}
