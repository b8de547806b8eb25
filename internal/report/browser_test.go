//go:build browser

package report

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/html"

	"github.com/srtwire/srtwire/session"
)

// The browser test: the reports of the corpus captures opened in a real
// Chromium (apt-get install -y chromium), headless. Run it with
//
//	go test -tags browser -run Browser ./internal/report/
//
// SRTWIRE_CHROMIUM names the browser (default: chromium, chromium-browser
// or google-chrome on PATH). With SRTWIRE_REPORT_SHOTS=DIR the screenshots
// are kept in DIR (docs/report-s08.png is the light one of
// s08_loss_pattern).

func chromium(t *testing.T) string {
	if p := os.Getenv("SRTWIRE_CHROMIUM"); p != "" {
		return p
	}
	for _, n := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(n); err == nil {
			return p
		}
	}
	t.Fatal("no Chromium: apt-get install -y chromium (or set SRTWIRE_CHROMIUM)")
	return ""
}

// runBrowser runs the browser headless on a page with more arguments and
// returns its standard output.
func runBrowser(t *testing.T, bin, page string, args ...string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	all := append([]string{"--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run",
		"--disable-extensions", "--disable-dev-shm-usage", "--user-data-dir=" + t.TempDir()}, args...)
	cmd := exec.CommandContext(ctx, bin, append(all, "file://"+page)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	require.NoError(t, err, "%s %v\n%s", bin, args, stderr.String())
	return out
}

// inkStats counts the pixels of a screenshot unlike the page background
// (the top-left pixel), and those of a few of the page's colours.
type inkStats struct {
	bg                    [3]int
	ink, red, green, blue int
	total                 int
}

func ink(img image.Image) inkStats {
	b := img.Bounds()
	rgb := func(x, y int) [3]int {
		r, g, bl, _ := img.At(x, y).RGBA()
		return [3]int{int(r >> 8), int(g >> 8), int(bl >> 8)}
	}
	s := inkStats{bg: rgb(b.Min.X+2, b.Min.Y+2), total: b.Dx() * b.Dy()}
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			c := rgb(x, y)
			d := abs(c[0]-s.bg[0]) + abs(c[1]-s.bg[1]) + abs(c[2]-s.bg[2])
			if d > 30 {
				s.ink++
			}
			r, g, bl := c[0], c[1], c[2]
			switch {
			case r > 150 && r > g+80 && r > bl+80:
				s.red++
			case g > r+40 && g > bl+20:
				s.green++
			case bl > r+60 && bl > g+20:
				s.blue++
			}
		}
	}
	return s
}

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}

func lum(c [3]int) int { return (299*c[0] + 587*c[1] + 114*c[2]) / 1000 }

func TestBrowser(t *testing.T) {
	bin := chromium(t)
	dir := t.TempDir()
	shots := os.Getenv("SRTWIRE_REPORT_SHOTS")
	for _, cc := range corpusCaptures {
		t.Run(cc.name, func(t *testing.T) {
			b := build(t, cc.name, cc.passphrases, nil)
			a := b.attempts[0]
			page := filepath.Join(dir, cc.name+".html")
			require.NoError(t, os.WriteFile(page, b.page, 0o644))

			// Screenshots, light and dark: not blank, the page's colours.
			for _, scheme := range []string{"light", "dark"} {
				png1 := filepath.Join(dir, cc.name+"-"+scheme+".png")
				args := []string{"--screenshot=" + png1, "--window-size=1280,2000"}
				if scheme == "dark" {
					args = append(args, "--force-dark-mode")
				}
				runBrowser(t, bin, page, args...)
				f, err := os.Open(png1)
				require.NoError(t, err)
				img, err := png.Decode(f)
				f.Close()
				require.NoError(t, err)
				require.Equal(t, image.Rect(0, 0, 1280, 2000), img.Bounds())
				s := ink(img)
				t.Logf("%s: background %v, %d of %d pixels inked, red %d, green %d, blue %d", scheme, s.bg, s.ink, s.total, s.red, s.green, s.blue)
				// A blank page inks nothing; the cards (white on the light
				// grey page) do not count.
				assert.Greater(t, s.ink, s.total/20, "%s screenshot nearly blank", scheme)
				if scheme == "dark" {
					assert.Less(t, lum(s.bg), 60, "prefers-color-scheme: dark gives a dark page")
				} else {
					assert.Greater(t, lum(s.bg), 200)
				}
				switch a.Outcome {
				case session.OutcomeRejected:
					assert.Greater(t, s.red, 1000, "a rejection shows in red")
				case session.OutcomeEstablished:
					assert.Greater(t, s.green, 1000, "an established connection shows in green")
					assert.Greater(t, s.blue, 2000, "the bitrate chart is drawn")
				}
				if len(a.Findings()) > 0 && a.Findings()[0].Level == session.LevelError {
					assert.Greater(t, s.red, 1000, "an error shows in red")
				}
				if shots != "" {
					data, err := os.ReadFile(png1)
					require.NoError(t, err)
					require.NoError(t, os.WriteFile(filepath.Join(shots, filepath.Base(png1)), data, 0o644))
				}
			}

			// The DOM as the browser built it: the sections and charts.
			dom := runBrowser(t, bin, page, "--dump-dom")
			doc, err := html.Parse(bytes.NewReader(dom))
			require.NoError(t, err)
			require.NotNil(t, byID(doc, "report-header"))
			require.NotNil(t, byID(doc, "report-footer"))
			cp := byID(doc, "cap-1")
			require.NotNil(t, cp)
			assert.True(t, hasClass(cp, "capture"))
			assert.Len(t, sel(cp, "header", "capture-header"), 1)
			for _, id := range []string{"cap-1-span", "cap-1-packets", "cap-1-connections", "cap-1-health"} {
				assert.NotNil(t, byID(doc, id), id)
			}
			fs := byID(doc, "cap-1-findings")
			require.NotNil(t, fs)
			if n := len(a.Findings()); n > 0 {
				assert.NotEmpty(t, sel(fs, "li", "finding"))
				for _, f := range a.Findings() {
					assert.NotEmpty(t, sel(fs, "li", "level-"+f.Level.String()), f.Code)
				}
			} else {
				assert.Len(t, sel(fs, "p", "ok"), 1)
			}
			tl := byID(doc, "cap-1-timeline")
			require.NotNil(t, tl)
			assert.Len(t, sel(tl, "svg", "timeline-chart"), 1)
			assert.Len(t, sel(tl, "a", "tl-row"), 1)
			conn := byID(doc, "cap-1-conn-1")
			require.NotNil(t, conn)
			assert.True(t, hasClass(conn, "connection"))
			lad := sel(conn, "svg", "ladder")
			require.Len(t, lad, 1)
			assert.Len(t, sel(lad[0], "g", "step"), 4)
			if a.Outcome == session.OutcomeEstablished {
				var charts []string
				for _, c := range sel(conn, "svg", "chart") {
					charts = append(charts, attr(c, "data-chart"))
				}
				assert.Equal(t, []string{"bitrate", "rtt", "loss", "late"}, charts)
				assert.NotEmpty(t, sel(conn, "table", "stats"))
				d := a.Directions()[0]
				marks := sel(sel(conn, "svg", "chart")[0], "path", "mark", "m-keyrefresh")
				assert.Len(t, marks, d.Keys.Refreshes, "key refreshes marked")
			} else {
				assert.Empty(t, sel(conn, "svg", "chart"))
				assert.Contains(t, text(conn), "REJECT "+a.Reason.Name())
			}
		})
	}

	// Print: a PDF comes out.
	page := filepath.Join(dir, corpusCaptures[0].name+".html")
	pdf := filepath.Join(dir, "report.pdf")
	runBrowser(t, bin, page, "--no-pdf-header-footer", "--print-to-pdf="+pdf)
	data, err := os.ReadFile(pdf)
	require.NoError(t, err)
	assert.True(t, bytes.HasPrefix(data, []byte("%PDF")), "a PDF")
	assert.Greater(t, len(data), 20000, "a PDF of %s bytes", strconv.Itoa(len(data)))
}
