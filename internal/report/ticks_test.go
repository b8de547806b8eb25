package report

import (
	"bytes"
	"math"
	"math/rand/v2"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// mantissa returns m of v = m × 10^k, 1 <= m < 10.
func mantissa(v float64) float64 {
	m := v / math.Pow(10, math.Floor(math.Log10(v)+1e-9))
	return math.Round(m*1e6) / 1e6
}

func TestNiceStep(t *testing.T) {
	for _, c := range []struct{ raw, want float64 }{
		{0.7, 1}, {1, 1}, {1.01, 2}, {2, 2}, {2.5, 5}, {4.99, 5}, {5.01, 10}, {9, 10},
		{0.013, 0.02}, {0.0031, 0.005}, {130, 200}, {499, 500}, {1e6 + 1, 2e6},
	} {
		assert.InDelta(t, c.want, niceStep(c.raw), c.want*1e-9, "niceStep(%v)", c.raw)
	}
	assert.Equal(t, 1.0, niceStep(0))
	assert.Equal(t, 1.0, niceStep(math.NaN()))
}

// TestValueTicks: for values over twelve orders of magnitude and any
// room, the step is 1, 2 or 5 × 10^k, the axis covers the largest value
// with less than one step to spare, there are no more intervals than
// allowed, and the labels are distinct and exact at their decimals.
func TestValueTicks(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 20000; i++ {
		hi := math.Pow(10, rng.Float64()*12-6) * (1 + rng.Float64())
		maxTicks := 1 + rng.IntN(10)
		step, top, dec := valueTicks(hi, maxTicks)
		m := mantissa(step)
		require.Contains(t, []float64{1, 2, 5}, m, "step %v for hi %v", step, hi)
		n := math.Round(top / step)
		require.InDelta(t, n*step, top, step*1e-9, "top is a multiple of the step")
		require.GreaterOrEqual(t, top, hi*(1-1e-12), "hi %v step %v top %v", hi, step, top)
		require.Less(t, top-step, hi, "hi %v step %v top %v: a step too many", hi, step, top)
		require.LessOrEqual(t, int(n), maxTicks, "hi %v, %d ticks allowed", hi, maxTicks)
		// The smallest 1-2-5 step is used: the next smaller one needs
		// too many intervals.
		var smaller float64
		switch m {
		case 1:
			smaller = step / 2
		case 2:
			smaller = step / 2
		case 5:
			smaller = step * 2 / 5
		}
		if math.Ceil(hi/smaller-1e-9) <= float64(maxTicks) {
			t.Fatalf("hi %v, %d ticks: step %v, but %v fits", hi, maxTicks, step, smaller)
		}
		seen := map[string]bool{}
		for k := 0; k <= int(n); k++ {
			v := float64(k) * step
			l := formatValue(v, dec)
			require.False(t, seen[l], "label %q twice (hi %v step %v)", l, hi, step)
			seen[l] = true
			back, err := strconv.ParseFloat(l, 64)
			require.NoError(t, err)
			require.InDelta(t, v, back, step*1e-6, "label %q for %v", l, v)
		}
	}
	step, top, dec := valueTicks(0, 5)
	assert.Equal(t, [3]float64{0.2, 1, 1}, [3]float64{step, top, float64(dec)}, "an all-zero series gets 0 to 1")
	step, top, _ = valueTicks(0.475, 4)
	assert.Equal(t, [2]float64{0.2, 0.6}, [2]float64{step, math.Round(top*1e9) / 1e9})
	step, top, _ = valueTicks(12, 6)
	assert.Equal(t, [2]float64{2, 12}, [2]float64{step, top})
	step, top, _ = valueTicks(12.5, 3)
	assert.Equal(t, [2]float64{5, 15}, [2]float64{step, top})
}

// TestTimeTicks: for spans from microseconds to weeks and any width, the
// step is one of timeSteps, the ticks lie within the span, are multiples
// of the step on the wall clock, and their labels (centred on them) keep
// xLabelGap between each other, are distinct and show the tick's time.
func TestTimeTicks(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	zones := []*time.Location{time.UTC, time.FixedZone("UTC+5:30", 5*3600+1800), time.FixedZone("UTC-3", -3*3600)}
	base := time.Date(2026, 11, 24, 19, 27, 37, 525615000, time.UTC)
	for i := 0; i < 5000; i++ {
		loc := zones[rng.IntN(len(zones))]
		span := time.Duration(math.Pow(10, 3+rng.Float64()*12)) // 1 µs to 11 days
		start := base.Add(time.Duration(rng.Int64N(int64(24 * time.Hour))))
		end := start.Add(span)
		width := 100 + rng.Float64()*1100
		ticks := timeTicks(start, end, width, xLabelGap, loc)
		if len(ticks) == 0 {
			continue // a span shorter than any step fits no tick
		}
		var step time.Duration
		if len(ticks) > 1 {
			step = ticks[1].T.Sub(ticks[0].T)
			found := false
			for _, s := range timeSteps {
				found = found || s == step
			}
			require.True(t, found, "step %v", step)
			require.GreaterOrEqual(t, float64(step)/float64(span)*width, textWidth(ticks[0].Label)+xLabelGap,
				"labels %q of step %v over %v in %.0f px touch", ticks[0].Label, step, span, width)
		}
		seen := map[string]bool{}
		for k, tk := range ticks {
			require.False(t, tk.T.Before(start) || tk.T.After(end), "tick %v outside [%v, %v]", tk.T, start, end)
			if k > 0 {
				require.Equal(t, step, tk.T.Sub(ticks[k-1].T), "even steps")
			}
			if step > 0 {
				_, off := tk.T.In(loc).Zone()
				wall := tk.T.UnixNano() + int64(off)*1e9
				require.Zero(t, mod(wall, int64(step)), "tick %v is not a multiple of %v in %v", tk.T, step, loc)
			}
			require.False(t, seen[tk.Label], "label %q twice (step %v)", tk.Label, step)
			seen[tk.Label] = true
			if step > 0 {
				require.Equal(t, tk.T.In(loc).Format(timeLayout(step)), tk.Label)
			}
		}
	}
	// The corpus case: 3 one-second bins over 500 px: half seconds (over
	// 480 px their labels would touch: whole seconds).
	t0 := time.Date(2026, 11, 24, 19, 27, 37, 0, time.UTC)
	ticks := timeTicks(t0, t0.Add(3*time.Second), 500, xLabelGap, time.UTC)
	var labels []string
	for _, tk := range ticks {
		labels = append(labels, tk.Label)
	}
	assert.Equal(t, []string{"19:27:37.0", "19:27:37.5", "19:27:38.0", "19:27:38.5", "19:27:39.0", "19:27:39.5", "19:27:40.0"}, labels)
	assert.Len(t, timeTicks(t0, t0.Add(3*time.Second), 480, xLabelGap, time.UTC), 4)
	// An hour over 480 px: every 10 minutes, on the hour of the zone.
	t0 = time.Date(2026, 11, 24, 19, 3, 0, 0, time.UTC)
	ticks = timeTicks(t0, t0.Add(time.Hour), 480, xLabelGap, time.FixedZone("UTC+5:30", 5*3600+1800))
	require.NotEmpty(t, ticks)
	assert.Equal(t, "00:40", ticks[0].Label)
	assert.Equal(t, 10*time.Minute, ticks[1].T.Sub(ticks[0].T))
}

// TestLegendLayout: items never overlap and stay within the width; a row
// wraps only when the next item does not fit.
func TestLegendLayout(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for i := 0; i < 2000; i++ {
		var items []legendItem
		for k := 0; k < 1+rng.IntN(7); k++ {
			items = append(items, legendItem{Label: strings.Repeat("x", 1+rng.IntN(30))})
		}
		x0, maxX := 20+rng.Float64()*80, 300+rng.Float64()*300
		rows := legendLayout(items, x0, maxX, 14)
		for k, a := range items {
			if a.X > x0 {
				require.LessOrEqual(t, a.X+a.W, maxX, "item %d leaves the chart", k)
			}
			for _, b := range items[:k] {
				if a.Y == b.Y {
					require.False(t, a.X < b.X+b.W && b.X < a.X+a.W, "items overlap")
				}
			}
			if k > 0 && a.Y > items[k-1].Y {
				p := items[k-1]
				require.Greater(t, p.X+p.W+14+a.W, maxX, "wrapped although it fitted")
			}
		}
		require.Equal(t, rows, int((items[len(items)-1].Y-14)/legendRowH)+1)
	}
}

// TestChartLayout draws charts of every size of series, with long
// legends and marks, and checks in the SVG that the time labels keep
// apart, that the value labels keep yTickSpacing apart, that the legend
// stays above the plot and that each series has one point per bin.
func TestChartLayout(t *testing.T) {
	t0 := time.Date(2026, 11, 24, 19, 27, 37, 0, time.UTC)
	for _, n := range []int{1, 2, 3, 7, 40, 41, 90, 91, 120, 121, 300} {
		for _, width := range []time.Duration{time.Second, 8 * time.Second, 64 * time.Second} {
			vals := make([]float64, n)
			for i := range vals {
				vals[i] = math.Abs(math.Sin(float64(i))) * 12.5
			}
			c := chart{Key: "loss", Title: "t", YTitle: "packets", XTitle: "time", T0: t0, BinW: width, N: n, Loc: time.UTC,
				Series: []chartSeries{
					{Key: "lost", Name: "lost (gaps)", Kind: kindBars, Vals: vals},
					{Key: "retx", Name: "retransmitted packets, a long name", Kind: kindBars, Vals: vals},
					{Key: "nak", Name: "NAK'd", Kind: kindBars, Vals: vals},
				},
				Marks: []mark{{T: t0.Add(width / 2), Key: "keyrefresh", Label: "k"}, {T: t0.Add(width), Key: "dropreq", Label: "d"}},
				Spans: []span{{From: t0, To: t0.Add(width), Key: "stall", Label: "s"}},
			}
			var b svgBuf
			c.write(&b)
			doc := parsePage(t, wrapSVG(b.Bytes()))
			svg := sel(doc, "svg", "chart")[0]
			checkTimeAxis(t, svg)
			ys := sel(svg, "text", "tick", "y")
			require.GreaterOrEqual(t, len(ys), 2)
			var plotTop float64
			for k, y := range ys {
				v, _ := strconv.ParseFloat(attr(y, "y"), 64)
				if k > 0 {
					p, _ := strconv.ParseFloat(attr(ys[k-1], "y"), 64)
					require.GreaterOrEqual(t, p-v, float64(yTickSpacing)-0.5, "value labels too close")
				}
				plotTop = v - 4
			}
			for _, l := range sel(svg, "text", "legend") {
				y, _ := strconv.ParseFloat(attr(l, "y"), 64)
				x, _ := strconv.ParseFloat(attr(l, "x"), 64)
				require.Less(t, y, plotTop-4, "legend over the plot")
				require.LessOrEqual(t, x+textWidth(text(l)), float64(chartW))
			}
			for _, g := range sel(svg, "g", "series") {
				require.Equal(t, n, seriesPoints(g), "n=%d", n)
			}
			require.Len(t, sel(svg, "text", "axis-title", "y"), 1)
			require.Len(t, sel(svg, "text", "axis-title", "x"), 1)
		}
	}
}

// wrapSVG makes an SVG fragment a page for parsePage.
func wrapSVG(svg []byte) []byte {
	var b bytes.Buffer
	b.WriteString("<!DOCTYPE html><html><head><title>t</title></head><body>")
	b.Write(svg)
	b.WriteString("</body></html>")
	return b.Bytes()
}

// TestRTTGaps: an RTT series with bins without ACKs breaks its line
// there and counts only the known points.
func TestRTTGaps(t *testing.T) {
	t0 := time.Date(2026, 11, 24, 19, 27, 37, 0, time.UTC)
	nan := math.NaN()
	vals := []float64{1, nan, 2, 3, nan, nan, 1}
	c := chart{Key: "rtt", YTitle: "ms", T0: t0, BinW: time.Second, N: len(vals), Loc: time.UTC,
		Series: []chartSeries{{Key: "rtt", Name: "RTT", Kind: kindLine, Vals: vals, Lo: vals, Hi: vals}}}
	var b svgBuf
	c.write(&b)
	doc := parsePage(t, wrapSVG(b.Bytes()))
	g := sel(doc, "g", "series")[0]
	assert.Equal(t, 4, seriesPoints(g))
	assert.Equal(t, "4", attr(g, "data-points"))
	d := attr(sel(g, "path", "line")[0], "d")
	assert.Equal(t, 3, strings.Count(d, "M"), "three runs: %s", d)
	assert.Len(t, sel(g, "path", "band"), 3)
}

// TestPen: a path written with relative steps comes back, parsed, to the
// absolute points rounded to a tenth: no rounding error adds up.
func TestPen(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	num := regexp.MustCompile(`-?(\d+\.?\d*|\.\d+)`)
	for i := 0; i < 200; i++ {
		var b svgBuf
		p := pen{b: &b}
		var xs, ys []float64
		for k := 0; k < 1+rng.IntN(400); k++ {
			x, y := rng.Float64()*560, rng.Float64()*224
			xs, ys = append(xs, x), append(ys, y)
			p.to(x, y)
		}
		d := b.String()
		require.Equal(t, byte('M'), d[0])
		require.Equal(t, len(xs)-1, strings.Count(d, "l"), d)
		vals := num.FindAllString(d, -1)
		require.Len(t, vals, 2*len(xs), d)
		var x, y float64
		for k := range xs {
			dx, _ := strconv.ParseFloat(vals[2*k], 64)
			dy, _ := strconv.ParseFloat(vals[2*k+1], 64)
			x, y = x+dx, y+dy
			require.InDelta(t, math.Round(xs[k]*10)/10, x, 1e-6, "point %d of %s", k, d)
			require.InDelta(t, math.Round(ys[k]*10)/10, y, 1e-6, "point %d", k)
		}
	}
}
