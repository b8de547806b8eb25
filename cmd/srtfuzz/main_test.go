package main

import (
	"bytes"
	"encoding/json"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func runCLI(args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := run(args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestHelpGoesToStdout(t *testing.T) {
	for _, a := range []string{"-h", "-help", "--help"} {
		code, out, errs := runCLI(a)
		assert.Equal(t, 0, code, a)
		assert.Empty(t, errs)
		for _, s := range []string{"Usage:", "-allow-remote", "loopback", "-replay", "-exec", "-rate", "Safety:"} {
			assert.Contains(t, out, s)
		}
	}
}

func TestUsageErrors(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{nil, "-target HOST:PORT"},
		{[]string{"-target", "10.1.2.3:9000"}, "not a loopback address"},
		{[]string{"-target", "[2001:db8::1]:9000"}, "not a loopback address"},
		{[]string{"-target", "127.0.0.1"}, "want HOST:PORT"},
		{[]string{"-target", "127.0.0.1:0"}, "bad port"},
		{[]string{"-target", "127.0.0.1:9000", "-classes", "bogus"}, "unknown mutation class"},
		{[]string{"-target", "127.0.0.1:9000", "-skip", "ext-types,ext-order,ext-dup,ext-flags,ext-len,stray-cif,stray-ext,sid,km,filter,congestion,group,hsreq,encryption,fixed,umsg-km-long,umsg-kmrsp,umsg-kmreq,umsg-other,ack,nak,dropreq,mss,ctrl"}, "no mutation class"},
		{[]string{"-target", "127.0.0.1:9000", "-rate", "0"}, "-rate"},
		{[]string{"-target", "127.0.0.1:9000", "-bytes", "2"}, "-bytes"},
		{[]string{"-target", "127.0.0.1:9000", "-workers", "0"}, "-workers"},
		{[]string{"-target", "127.0.0.1:9000", "-pbkeylen", "7"}, "configuration"},
		{[]string{"-target", "127.0.0.1:9000", "-passphrase", "short"}, "configuration"},
		{[]string{"-target", "127.0.0.1:9000", "-avoid", "("}, "-avoid"},
		{[]string{"-target", "127.0.0.1:9000,127.0.0.1:9001", "-exec", "true"}, "-exec starts one target"},
		{[]string{"-target", "127.0.0.1:9000", "extra"}, "unexpected argument"},
		{[]string{"-nosuchflag"}, "flag provided but not defined"},
		{[]string{"-replay", "/nonexistent/file.hex"}, "-replay"},
	} {
		code, out, errs := runCLI(c.args...)
		assert.Equal(t, 2, code, "%v", c.args)
		assert.Empty(t, out, "%v", c.args)
		assert.Contains(t, errs, c.want, "%v", c.args)
		assert.Contains(t, errs, "srtfuzz -h", "%v", c.args)
	}
}

func TestList(t *testing.T) {
	code, out, _ := runCLI("-list")
	assert.Equal(t, 0, code)
	for _, s := range []string{"stray-cif", "umsg-km-long", "post-handshake", "conclusion"} {
		assert.Contains(t, out, s)
	}
}

func TestResolve(t *testing.T) {
	a, err := resolve("localhost:9000", false)
	require.NoError(t, err)
	assert.True(t, a.Addr().IsLoopback())
	a, err = resolve(":9000", false)
	require.NoError(t, err)
	assert.Equal(t, "127.0.0.1:9000", a.String())
	a, err = resolve("10.1.2.3:9000", true)
	require.NoError(t, err)
	assert.Equal(t, "10.1.2.3:9000", a.String())
}

// TestAgainstSrtreject builds cmd/srtreject, starts it in its libsrt mode
// (it decides with package listener), and fuzzes it: no finding, and no
// answer that differs from Decide's, since both are the same decision.
func TestAgainstSrtreject(t *testing.T) {
	if testing.Short() {
		t.Skip("builds cmd/srtreject")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "srtreject")
	build := exec.Command("go", "build", "-o", bin, "../srtreject")
	out, err := build.CombinedOutput()
	require.NoError(t, err, "%s", out)
	port := freePort(t)
	srv := exec.Command(bin, "-libsrt", "-listen", "127.0.0.1:"+strconv.Itoa(port))
	srv.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	srvErr, err := os.Create(filepath.Join(dir, "srtreject.err"))
	require.NoError(t, err)
	defer srvErr.Close()
	srv.Stderr = srvErr
	require.NoError(t, srv.Start())
	defer func() {
		_ = srv.Process.Signal(syscall.SIGTERM)
		_ = srv.Wait()
	}()
	report := filepath.Join(dir, "report.json")
	code, text, errs := runCLI("-target", "127.0.0.1:"+strconv.Itoa(port), "-cases", "600", "-rate", "50000",
		"-workers", "4", "-probe-every", "20", "-answer-timeout", "40ms", "-out", filepath.Join(dir, "findings"), "-report", report)
	if code != 0 {
		b, _ := os.ReadFile(srvErr.Name())
		t.Fatalf("exit status %d\n%s\n%s\nsrtreject: %s", code, text, errs, b)
	}
	assert.Contains(t, text, "findings:\n  none")
	assert.Contains(t, text, "differences from libsrt (what Decide answers), by libsrt check:\n  none")
	var rep struct {
		Cases       int
		Findings    []any
		Differences []any
		Classes     []struct {
			Name    string
			Cases   int
			Answers map[string]int
		}
	}
	b, err := os.ReadFile(report)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, &rep))
	assert.Equal(t, 600, rep.Cases)
	assert.Empty(t, rep.Findings)
	assert.Empty(t, rep.Differences)
	assert.Len(t, rep.Classes, 24)
	_, err = os.Stat(filepath.Join(dir, "findings"))
	assert.True(t, os.IsNotExist(err), "no finding, no reproducer directory")
	assert.True(t, srv.ProcessState == nil, "srtreject still runs")

	// A reproducer made by hand replays against it and it survives.
	hex := filepath.Join(dir, "case.hex")
	require.NoError(t, os.WriteFile(hex, []byte("target 127.0.0.1:"+strconv.Itoa(port)+"\ncase 1 x\n"+
		"> 80000000000000000000000000000000"+"00000004"+"00000002"+"00000001"+"000005dc"+"00002000"+"00000001"+"00000002"+"00000000"+strings.Repeat("00", 16)+"\n"), 0o644))
	code, text, errs = runCLI("-replay", hex, "-liveness-timeout", "1s")
	assert.Equal(t, 0, code, "%s %s", text, errs)
	assert.Contains(t, text, "not reproduced")
	assert.Contains(t, text, "INDUCTION")
}

func freePort(t *testing.T) int {
	c, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	require.NoError(t, err)
	p := c.LocalAddr().(*net.UDPAddr).Port
	c.Close()
	return p
}

func TestReplayNeedsATarget(t *testing.T) {
	hex := filepath.Join(t.TempDir(), "x.hex")
	require.NoError(t, os.WriteFile(hex, []byte("case 1 x\n> 80000000\n"), 0o644))
	code, _, errs := runCLI("-replay", hex)
	assert.Equal(t, 2, code)
	assert.True(t, strings.Contains(errs, "names no target"), errs)
}
