package main

import (
	"bytes"
	"io"
	"runtime"
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
