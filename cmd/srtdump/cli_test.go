package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/srtwire/srtwire/internal/testcorpus"
)

// TestFlagsAnywhere (issue 14): flags are taken before and after the
// FILEs, as tcpdump and tshark take them; "--" ends them.
func TestFlagsAnywhere(t *testing.T) {
	p := testcorpus.Path("s05_app_reject_1403.pcap")
	st, out, errs := runCmd(t, nil, p, "-summary")
	require.Equal(t, 0, st, errs)
	assert.Empty(t, errs)
	assert.True(t, strings.HasPrefix(out, "#  CALLER"), out)

	st, out, errs = runCmd(t, nil, "-json", "-count", "1", p, "-type", "handshake", "-rejects")
	require.Equal(t, 0, st, errs)
	assert.Equal(t, 1, strings.Count(out, "\n"))
	assert.Contains(t, out, `"frame":4,`)

	st, out, _ = runCmd(t, nil, "-stream-id=*forbidden*", p, "-count=2")
	require.Equal(t, 0, st)
	assert.Equal(t, 2, strings.Count(out, "\n"))

	// After "--" everything is a FILE, even a name that starts with "-".
	dir := t.TempDir()
	b, err := os.ReadFile(p)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "-summary"), b, 0o644))
	t.Chdir(dir)
	st, out, errs = runCmd(t, nil, "-json", "--", "-summary")
	require.Equal(t, 0, st, errs)
	assert.Equal(t, 4, strings.Count(out, `"frame":`), "the file named -summary, as packets")
	st, _, errs = runCmd(t, nil, "--", "-json")
	assert.Equal(t, 1, st)
	assert.Contains(t, errs, "open -json: no such file")
}

// TestStdinWithoutDash (issue 14): with no FILE, standard input is read
// when it is not a terminal (cat f.pcap | srtdump); an empty one, or a
// terminal, gets the built-in sample.
func TestStdinWithoutDash(t *testing.T) {
	b, err := os.ReadFile(testcorpus.Path("s03_reject_badsecret.pcap"))
	require.NoError(t, err)
	st, out, errs := runCmd(t, b)
	require.Equal(t, 0, st, errs)
	assert.Empty(t, errs)
	assert.Equal(t, 4, strings.Count(out, "\n"))
	assert.Contains(t, out, "SRT_REJ_BADSECRET")
	assert.NotContains(t, out, "SRT_REJX_FORBIDDEN")

	st, out, errs = runCmd(t, b, "-summary", "-json")
	require.Equal(t, 0, st, errs)
	assert.Contains(t, out, `"name":"SRT_REJ_BADSECRET"`)

	st, _, errs = runCmd(t, []byte("not a capture"))
	assert.Equal(t, 1, st)
	assert.Contains(t, errs, "stdin: pcap: not a pcap or pcapng capture")

	// A file as standard input (srtdump < f.pcap) is read too.
	f, err := os.Open(testcorpus.Path("s03_reject_badsecret.pcap"))
	require.NoError(t, err)
	defer f.Close()
	var outb, errb strings.Builder
	st = run(nil, f, &outb, &errb)
	require.Equal(t, 0, st, errb.String())
	assert.Contains(t, outb.String(), "SRT_REJ_BADSECRET")
}

// TestDirectoryAndCutFile (issue 14): a directory is said to be one; a
// capture cut short says where and after which frame.
func TestDirectoryAndCutFile(t *testing.T) {
	dir := t.TempDir()
	st, out, errs := runCmd(t, nil, dir)
	assert.Equal(t, 1, st)
	assert.Empty(t, out)
	assert.Equal(t, "srtdump: "+dir+": is a directory, not a capture (give the files in it, e.g. "+filepath.Join(dir, "*.pcap")+")\n", errs)

	b, err := os.ReadFile(testcorpus.Path("s05_app_reject_1403.pcap"))
	require.NoError(t, err)
	rec1 := 24 + 16 + int(b[24+8]) | int(b[24+9])<<8
	for _, n := range []int{500, rec1 + 10, 30} { // inside frame 4's data; inside frame 2's record header; inside frame 1
		p := filepath.Join(dir, "cut.pcap")
		require.NoError(t, os.WriteFile(p, b[:n], 0o644))
		st, _, errs = runCmd(t, nil, p)
		assert.Equal(t, 1, st)
		assert.NotContains(t, errs, "unexpected EOF")
		assert.Contains(t, errs, "cut.pcap: the capture is cut short at byte ")
	}
	assert.Contains(t, errs, "cut.pcap: the capture is cut short at byte 30, inside its first frame\n")
	require.NoError(t, os.WriteFile(filepath.Join(dir, "cut.pcap"), b[:rec1+10], 0o644))
	_, _, errs = runCmd(t, nil, filepath.Join(dir, "cut.pcap"))
	assert.Contains(t, errs, fmt.Sprintf("the capture is cut short at byte %d, after frame 1 (frame 2 is incomplete)\n", rec1+10))
}

// TestCountIsGlobal (issue 14): -count is the number of output records
// over all FILEs: packets, or attempts with -summary.
func TestCountIsGlobal(t *testing.T) {
	a, b := testcorpus.Path("s05_app_reject_1403.pcap"), testcorpus.Path("s03_reject_badsecret.pcap")
	_, out, _ := runCmd(t, nil, "-count", "6", a, b)
	assert.Equal(t, 6, strings.Count(out, "\n"))
	_, out, _ = runCmd(t, nil, "-summary", "-json", "-count", "1", a, b)
	assert.Equal(t, 1, strings.Count(out, "\n"), out)
	_, out, _ = runCmd(t, nil, "-summary", "-json", "-count", "2", a, b, a)
	assert.Equal(t, 2, strings.Count(out, "\n"), out)
	assert.Contains(t, out, "BADSECRET")
}

// TestOnly (issue 14): -only restricts SRT to the -port ports.
func TestOnly(t *testing.T) {
	p := testcorpus.Path("s08_loss_pattern.pcap")
	_, all, _ := runCmd(t, nil, p)
	_, out, _ := runCmd(t, nil, "-port", "41071", "-only", p)
	assert.Equal(t, all, out)
	st, out, errs := runCmd(t, nil, "-port", "9999", "-only", p)
	assert.Equal(t, 0, st)
	assert.Empty(t, out)
	assert.Contains(t, errs, "no SRT traffic found")
	_, out, _ = runCmd(t, nil, "-port", "9999", p)
	assert.Equal(t, all, out, "without -only, other ports are still searched")
}

// TestStreamIDGlob (issue 14): in -stream-id, '*' matches anything, '/'
// included; a filter that matches nothing says so.
func TestStreamIDGlob(t *testing.T) {
	for _, c := range []struct {
		pattern, s string
		want       bool
	}{
		{"*", "publish:/live/x", true},
		{"*", "", true},
		{"", "", true},
		{"", "x", false},
		{"#!::r=live/*", "#!::r=live/feed1/hd,m=publish", true},
		{"#!::r=live/*", "#!::r=vod/feed1", false},
		{"*live/*", "#!::r=live/x", true},
		{"a*b*c", "aXXbYYbZZc", true},
		{"a*b*c", "aXXbYYbZZ", false},
		{"?", "é", true},
		{"??", "é", false},
		{"a?c", "a/c", true},
		{`\*`, "*", true},
		{`\*`, "x", false},
		{`a\?`, "a?", true},
		{`\\`, `\`, true},
		{"[abc]", "[abc]", true},
		{"*x", strings.Repeat("a", 400) + "x", true},
		{"*a*a*a*a*b", strings.Repeat("a", 200), false},
	} {
		assert.Equal(t, c.want, globMatch(c.pattern, c.s), "%q %q", c.pattern, c.s)
	}
	assert.Error(t, checkGlob(`abc\`))
	assert.NoError(t, checkGlob(`abc\\`))

	p := testcorpus.Path("s04_sid_access.pcap")
	_, all, _ := runCmd(t, nil, p)
	_, out, errs := runCmd(t, nil, "-stream-id", "*", p)
	assert.Equal(t, all, out)
	assert.Empty(t, errs)
	// Packets are shown from the handshake that carries the Stream ID.
	_, out, _ = runCmd(t, nil, "-stream-id", "*/feed1,*", p)
	assert.Equal(t, strings.Count(all, "\n")-2, strings.Count(out, "\n"))
	assert.True(t, strings.HasPrefix(out, "     3 "), out)
	_, out, errs = runCmd(t, nil, "-stream-id", "nomatch", p)
	assert.Empty(t, out)
	assert.Equal(t, `srtdump: no packet matched -stream-id "nomatch" (Stream IDs seen: "#!::r=live/feed1,m=publish,u=alice")`+"\n", errs)
	_, out, errs = runCmd(t, nil, "-summary", "-stream-id", "nomatch", p)
	assert.Empty(t, out)
	assert.Contains(t, errs, "srtdump: no connection attempt matched -stream-id")
	_, _, errs = runCmd(t, nil, "-type", "nak", testcorpus.Path("s05_app_reject_1403.pcap"))
	assert.Equal(t, "srtdump: no packet matched -type\n", errs)
}

// TestTimeFormats (issue 14): -t local (the default: local time, date and
// zone on the first line), utc, rel and delta.
func TestTimeFormats(t *testing.T) {
	p := testcorpus.Path("s05_app_reject_1403.pcap")
	times := func(args ...string) []string {
		t.Helper()
		st, out, errs := runCmd(t, nil, append(args, p)...)
		require.Equal(t, 0, st, errs)
		var ts []string
		for _, l := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
			i := strings.Index(l, "  127.0.0.1")
			require.Positive(t, i, l)
			ts = append(ts, l[7:i])
		}
		return ts
	}
	want := []string{"2026-11-24 19:26:30.991349 UTC", "19:26:30.991472", "19:26:30.991553", "19:26:30.991636"}
	assert.Equal(t, want, times())
	assert.Equal(t, want, times("-t", "utc"))
	assert.Equal(t, want, times("-t", "abs"))
	assert.Equal(t, []string{"       0.000000", "       0.000123", "       0.000204", "       0.000287"}, times("-t", "rel"))
	assert.Equal(t, []string{"       0.000000", "       0.000123", "       0.000081", "       0.000083"}, times("-t", "delta"))

	defer func(l *time.Location) { time.Local = l }(time.Local)
	time.Local = time.FixedZone("XST", 5*3600+30*60)
	assert.Equal(t, []string{"2026-11-25 00:56:30.991349 XST", "00:56:30.991472", "00:56:30.991553", "00:56:30.991636"}, times())
	assert.Equal(t, want, times("-t", "utc"))
	time.Local = time.FixedZone("", -3*3600)
	assert.Equal(t, "2026-11-24 16:26:30.991349 -0300", times()[0])

	// JSON times stay RFC 3339 in UTC.
	_, out, _ := runCmd(t, nil, "-json", "-t", "rel", p)
	assert.Contains(t, out, `"time":"2026-11-24T19:26:30.991349Z"`)
}
