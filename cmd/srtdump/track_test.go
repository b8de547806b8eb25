package main

import (
	"bytes"
	"fmt"
	"io"
	"net/netip"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestPacketModeDoesNotTrack (issue 13): packet mode does not feed the
// session Tracker unless -stream-id needs it, so INDUCTIONs from ever new
// sockets cost nothing per frame. Each would otherwise be a new attempt.
func TestPacketModeDoesNotTrack(t *testing.T) {
	const n = 20000
	c := newGenCapture()
	for i := 0; i < n; i++ {
		c.add(genCaller, genListener, induction(uint32(i+1)), 0)
	}
	mallocs := func(args ...string) uint64 {
		var m0, m1 runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&m0)
		st := run(append(args, "-"), bytes.NewReader(c.b), io.Discard, io.Discard)
		runtime.ReadMemStats(&m1)
		require.Equal(t, 0, st)
		return m1.Mallocs - m0.Mallocs
	}
	got := mallocs("-json")
	assert.Less(t, got, uint64(n/20), "packet mode allocates per frame: %d allocations for %d frames", got, n)
	// -stream-id needs the Tracker: every INDUCTION is an attempt.
	assert.Greater(t, mallocs("-json", "-stream-id", "x"), uint64(n))

	// Every frame is still printed.
	st, out, _ := runCmd(t, c.b, "-json", "-")
	require.Equal(t, 0, st)
	assert.Equal(t, n, strings.Count(out, "\n"))
}

// eofProbe is an input that records how much output had been written when
// the input ran out.
type eofProbe struct {
	r       io.Reader
	out     *bytes.Buffer
	atEOF   int
	reached bool
}

func (p *eofProbe) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	if err == io.EOF && !p.reached {
		p.reached, p.atEOF = true, p.out.Len()
	}
	return n, err
}

// TestSummaryStreams (issue 13): -summary prints the attempts the Tracker
// retires (past session.DefaultMaxAttempts) as they are retired, then the
// rest at the end: every attempt is printed once, in order, and output
// starts before the input ends. Each attempt comes from another caller
// host, so that none is grouped with another (see TestRetryStorm).
func TestSummaryStreams(t *testing.T) {
	const n = 40000 // more than session.DefaultMaxAttempts
	c := newGenCapture()
	for i := 0; i < n; i++ {
		c.add(genHost(i), genListener, induction(uint32(i+1)), 0)
	}
	for _, mode := range [][]string{{"-json"}, nil} {
		var out bytes.Buffer
		probe := &eofProbe{r: bytes.NewReader(c.b), out: &out}
		st := run(append(append([]string{"-summary"}, mode...), "-"), probe, &out, io.Discard)
		require.Equal(t, 0, st)
		assert.Positive(t, probe.atEOF, "%v: nothing printed before the end of the input", mode)
		lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
		want := 1
		for _, l := range lines {
			if mode != nil {
				// {"caller":...,"first_frame":N,...}
				i := strings.Index(l, `"first_frame":`)
				require.Positive(t, i, l)
				rest := l[i+len(`"first_frame":`):]
				assert.True(t, strings.HasPrefix(rest, strconv.Itoa(want)+","), "line %d: %s", want, l)
				assert.Contains(t, l, `"outcome":"no answer"`)
				want++
				continue
			}
			if l == "" || strings.HasPrefix(l, "#") {
				continue // a table heading, or the blank line between tables
			}
			f := strings.Fields(l)
			require.Equal(t, strconv.Itoa(want), f[0], l)
			assert.Equal(t, fmt.Sprintf("%d-%d", want, want), f[4], l)
			want++
		}
		assert.Equal(t, n+1, want, "%v: every attempt printed once", mode)
	}
	// -count: the first N attempts, even when they were retired.
	st, out, _ := runCmd(t, c.b, "-summary", "-json", "-count", "3", "-")
	require.Equal(t, 0, st)
	assert.Equal(t, 3, strings.Count(out, "\n"))
	assert.Contains(t, out, `"first_frame":3,`)
}

// genHost returns caller i's endpoint, on a host of its own.
func genHost(i int) netip.AddrPort {
	return netip.AddrPortFrom(netip.AddrFrom4([4]byte{10, byte(i >> 16), byte(i >> 8), byte(i)}), 40000)
}

// TestSummaryStreamsStorm: a flood of retries from one caller is one
// group, and -summary keeps bounded memory over it.
func TestSummaryStreamsStorm(t *testing.T) {
	const n = 100000
	c := newGenCapture()
	for i := 0; i < n; i++ {
		c.add(netip.AddrPortFrom(genCaller.Addr(), uint16(1024+i%60000)), genListener, induction(uint32(i+1)), 0)
	}
	st, out, _ := runCmd(t, c.b, "-summary", "-json", "-")
	require.Equal(t, 0, st)
	require.Equal(t, 1, strings.Count(out, "\n"), out)
	assert.Contains(t, out, `"attempts":100000,`)
	assert.Contains(t, out, `"code":"retry_storm"`)
}
