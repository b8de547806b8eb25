package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// buildSrtdump builds the command into a temporary directory, once per
// test binary.
var buildSrtdump = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "srtdump-test")
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "srtdump")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		return "", errors.New(string(out))
	}
	return bin, nil
})

// syncBuffer is a bytes.Buffer safe to read while a process writes it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestSignalFlushes (issue 13): srtdump stopped by SIGINT or SIGTERM on a
// slow input writes every frame decoded so far (with -summary, the
// attempts so far) and exits with 130 or 143.
func TestSignalFlushes(t *testing.T) {
	if testing.Short() {
		t.Skip("builds srtdump")
	}
	bin, err := buildSrtdump()
	require.NoError(t, err)
	t.Cleanup(func() { os.RemoveAll(filepath.Dir(bin)) })

	c := newGenCapture()
	for i := 0; i < 4; i++ {
		c.add(genCaller, genListener, induction(uint32(i+1)), 0)
	}
	// start runs srtdump with args, writes the header and the 4 frames to
	// its standard input and keeps the pipe open, as a live tcpdump would.
	start := func(args ...string) (*exec.Cmd, *syncBuffer, *syncBuffer) {
		cmd := exec.Command(bin, args...)
		var out, errb syncBuffer
		cmd.Stdout, cmd.Stderr = &out, &errb
		w, err := cmd.StdinPipe()
		require.NoError(t, err)
		require.NoError(t, cmd.Start())
		_, err = w.Write(c.b)
		require.NoError(t, err)
		t.Cleanup(func() { w.Close(); cmd.Process.Kill(); cmd.Wait() })
		return cmd, &out, &errb
	}
	status := func(cmd *exec.Cmd) int {
		err := cmd.Wait()
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return ee.ExitCode() // -1 when killed by the signal
		}
		require.NoError(t, err)
		return 0
	}

	// Packet mode, to a pipe: the lines come out as the frames are decoded.
	cmd, out, errb := start("-")
	deadline := time.Now().Add(10 * time.Second)
	for strings.Count(out.String(), "\n") < 4 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	require.NoError(t, cmd.Process.Signal(syscall.SIGINT))
	assert.Equal(t, 130, status(cmd), errb.String())
	assert.Equal(t, 4, strings.Count(out.String(), "\n"), out.String())
	assert.Contains(t, errb.String(), "stopped by interrupt")

	// -summary: the table so far is written on SIGTERM; the four retries
	// are one row.
	cmd, out, errb = start("-summary", "-")
	time.Sleep(time.Second)
	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	assert.Equal(t, 143, status(cmd), errb.String())
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	require.Greater(t, len(lines), 2, out.String())
	assert.True(t, strings.HasPrefix(lines[0], "#  CALLER"), lines[0])
	assert.Contains(t, lines[1], " 1-4 ")
	assert.Contains(t, lines[1], "no answer ×4")
	assert.Contains(t, out.String(), "#1 warning retry_storm: 10.0.0.1 tried 4 times")
}
