//go:build interop

package interop

// srtfuzz against real listeners:
//
//   - datarhei/gosrt v0.11.0's contrib/server, built from the directory in
//     SRTWIRE_GOSRT_DIR: srtfuzz finds the stray-bytes crash (a CONCLUSION
//     with 1-3 bytes after the 48-byte CIF or the last block; gosrt's
//     packet.CIFHandshake.Unmarshal reads a block header past them) and its
//     reproducer crashes a fresh server;
//   - srt-live-transmit (libsrt 1.5.1) with -exec: srtfuzz finds two
//     crashes, a CONCLUSION whose MSS leaves no room for the answer
//     (SIGABRT) and a FILTER string that starts with a NUL byte (SIGSEGV),
//     minimizes each to one case, and the reproducer crashes a fresh
//     srt-live-transmit;
//   - srt-live-transmit, sixteen of them, and srtreject -libsrt: a bounded
//     run of 20 000 cases or more finds no crash and no liveness failure, and
//     its report says where libsrt answers otherwise than listener.Decide.
//
// Ports: 31500-31515 (srt-live-transmit), 31520-31523 (gosrt), 31525
// (srtreject), 31526-31529 (the crashes); all on 127.0.0.1.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/srtwire/srtwire/handshake"
	"github.com/srtwire/srtwire/internal/srtfuzz"
	"github.com/srtwire/srtwire/packet"
)

// fzProc is a process a test started in a process group of its own; it is
// stopped by its PID.
type fzProc struct {
	name     string
	cmd      *exec.Cmd
	out, err *fzBuffer
	done     chan struct{}
}

type fzBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *fzBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *fzBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// fzStart runs bin under timeout(1), as the other interop tests do.
func fzStart(t *testing.T, name string, limit time.Duration, bin string, args ...string) *fzProc {
	t.Helper()
	p := &fzProc{name: name, out: &fzBuffer{}, err: &fzBuffer{}, done: make(chan struct{})}
	secs := strconv.Itoa(int(limit.Seconds() + 0.5))
	p.cmd = exec.Command("timeout", append([]string{"-k", "2", secs, bin}, args...)...)
	p.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	p.cmd.Stdout, p.cmd.Stderr = p.out, p.err
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("starting %s: %v", name, err)
	}
	go func() { _ = p.cmd.Wait(); close(p.done) }()
	t.Cleanup(func() { p.stop() })
	return p
}

func (p *fzProc) running() bool {
	select {
	case <-p.done:
		return false
	default:
		return true
	}
}

func (p *fzProc) wait(d time.Duration) bool {
	select {
	case <-p.done:
		return true
	case <-time.After(d):
		return false
	}
}

func (p *fzProc) stop() {
	if !p.running() {
		return
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	if !p.wait(3 * time.Second) {
		_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
		p.wait(3 * time.Second)
	}
}

// fzRun runs srtfuzz to its end and returns its exit status and output.
func fzRun(t *testing.T, limit time.Duration, bin string, args ...string) (int, string, string) {
	t.Helper()
	p := fzStart(t, "srtfuzz", limit, bin, args...)
	if !p.wait(limit + 5*time.Second) {
		t.Fatalf("srtfuzz %s did not end within %v", strings.Join(args, " "), limit)
	}
	return p.cmd.ProcessState.ExitCode(), p.out.String(), p.err.String()
}

// fzBuild builds a command of this module into dir.
func fzBuild(t *testing.T, dir, pkg string) string {
	t.Helper()
	bin := filepath.Join(dir, filepath.Base(pkg))
	cmd := exec.Command("go", "build", "-o", bin, pkg)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build %s: %v\n%s", pkg, err, out)
	}
	return bin
}

// fzGosrt builds datarhei/gosrt v0.11.0's contrib/server from its vendored
// source (read-only: the binary goes to dir) and returns its path.
func fzGosrt(t *testing.T, dir string) string {
	t.Helper()
	src := os.Getenv("SRTWIRE_GOSRT_DIR")
	if src == "" {
		t.Fatal("set SRTWIRE_GOSRT_DIR to a checkout of datarhei/gosrt v0.11.0 (it builds offline with its vendor folder); .ci/run sets it")
	}
	src, _ = filepath.Abs(src)
	if _, err := os.Stat(filepath.Join(src, "contrib", "server")); err != nil {
		t.Fatalf("datarhei/gosrt v0.11.0 not found at %s (set SRTWIRE_GOSRT_DIR to its checkout): %v", src, err)
	}
	bin := filepath.Join(dir, "gosrt-server")
	cmd := exec.Command("go", "build", "-o", bin, "./contrib/server")
	cmd.Dir = src
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=vendor", "GOWORK=off", "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building gosrt's contrib/server in %s: %v\n%s", src, err, out)
	}
	return bin
}

// fzRequireLibsrt fails the test, with the package to install, when
// srt-live-transmit is missing.
func fzRequireLibsrt(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("srt-live-transmit"); err != nil {
		t.Fatal("srt-live-transmit (libsrt 1.5.1) is missing: apt-get install -y srt-tools")
	}
}

// fzReport is the part of srtfuzz's JSON report the tests read.
type fzReport struct {
	Cases        int `json:"cases"`
	Skipped      int `json:"skipped"`
	Probes       int `json:"probes"`
	ProbesFailed int `json:"probes_failed"`
	Classes      []struct {
		Name    string         `json:"name"`
		Cases   int            `json:"cases"`
		Answers map[string]int `json:"answers"`
	} `json:"classes"`
	Differences []struct {
		Check    string `json:"libsrt_check"`
		Expected string `json:"decide"`
		Answer   string `json:"answer"`
		Cases    int    `json:"cases"`
	} `json:"differences"`
	Findings []struct {
		Kind      string    `json:"kind"`
		Detail    string    `json:"detail"`
		Class     string    `json:"class"`
		Time      time.Time `json:"time"`
		Minimized bool      `json:"minimized"`
		Files     []string  `json:"files"`
	} `json:"findings"`
	Start   time.Time `json:"start"`
	Stopped string    `json:"stopped"`
}

func fzReadReport(t *testing.T, path string) *fzReport {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading the report: %v", err)
	}
	var r fzReport
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatalf("the report %s: %v", path, err)
	}
	return &r
}

// hasStrayBytes reports whether a reproducer's cases end with a CONCLUSION
// carrying 1-3 bytes after the CIF or after its last whole block.
func hasStrayBytes(t *testing.T, path string) bool {
	t.Helper()
	_, recs, err := srtfuzz.ReadReproducer(path)
	if err != nil {
		t.Fatalf("reading the reproducer %s: %v", path, err)
	}
	for _, rec := range recs {
		for _, d := range rec.Datagrams {
			var p packet.Packet
			_ = p.Decode(d.B)
			if !d.Out || p.Kind() != packet.KindHandshake || p.Handshake.Type != handshake.Conclusion || len(d.B) < 64 {
				continue
			}
			it := p.Handshake.Extensions()
			for it.Next() {
			}
			if it.Err() == nil && it.Trailing() > 0 && p.Handshake.Extension != 0 {
				return true
			}
		}
	}
	return false
}

// TestSrtfuzzGosrtStrayBytes: srtfuzz -target -duration 60s finds the crash
// of datarhei/gosrt v0.11.0's listener within the minute, writes the
// reproducer, and the reproducer (hex and pcap) crashes a fresh server.
func TestSrtfuzzGosrtStrayBytes(t *testing.T) {
	dir := t.TempDir()
	fuzz := fzBuild(t, dir, "../cmd/srtfuzz")
	server := fzGosrt(t, dir)

	srv := fzStart(t, "gosrt", 120*time.Second, server, "-addr", "127.0.0.1:31520")
	out := filepath.Join(dir, "findings")
	report := filepath.Join(dir, "report.json")
	start := time.Now()
	code, stdout, stderr := fzRun(t, 90*time.Second, fuzz, "-target", "127.0.0.1:31520", "-duration", "60s",
		"-out", out, "-report", report)
	t.Logf("srtfuzz against gosrt (exit %d):\n%s\n%s", code, stdout, stderr)
	if code != 1 {
		t.Fatalf("srtfuzz exit status %d, want 1 (a finding)", code)
	}
	r := fzReadReport(t, report)
	if len(r.Findings) == 0 {
		t.Fatal("no finding")
	}
	f := r.Findings[0]
	if f.Time.Sub(start) > 60*time.Second {
		t.Errorf("the finding came after %v", f.Time.Sub(start))
	}
	if !strings.Contains(stdout, "findings:\n  1. "+f.Kind) {
		t.Errorf("the report does not print the finding")
	}
	if len(f.Files) != 2 {
		t.Fatalf("reproducer files %v, want a .pcap and a .hex", f.Files)
	}
	for _, path := range f.Files {
		if !hasStrayBytes(t, path) {
			t.Errorf("%s holds no CONCLUSION with stray bytes", path)
		}
	}
	if !srv.wait(5 * time.Second) {
		t.Fatal("gosrt still runs after the finding")
	}
	if e := srv.err.String(); !strings.Contains(e, "panic: runtime error: index out of range") || !strings.Contains(e, "CIFHandshake).Unmarshal") {
		t.Errorf("gosrt did not die of the stray-bytes panic:\n%s", e)
	}

	// The reproducer crashes a fresh server, from either file.
	for i, path := range f.Files {
		port := strconv.Itoa(31521 + i)
		fresh := fzStart(t, "gosrt", 60*time.Second, server, "-addr", "127.0.0.1:"+port)
		code, stdout, stderr := fzRun(t, 30*time.Second, fuzz, "-replay", path, "-target", "127.0.0.1:"+port)
		t.Logf("replay of %s (exit %d):\n%s%s", filepath.Base(path), code, stdout, stderr)
		if code != 1 || !strings.Contains(stdout, "reproduced") {
			t.Errorf("the replay of %s: exit %d, want 1 and \"reproduced\"", path, code)
		}
		if !fresh.wait(5 * time.Second) {
			t.Errorf("the fresh gosrt still runs after the replay of %s", path)
		} else if !strings.Contains(fresh.err.String(), "CIFHandshake).Unmarshal") {
			t.Errorf("the fresh gosrt ended otherwise:\n%s", fresh.err.String())
		}
	}
}

// TestSrtfuzzLibsrtCrashes: with -exec, srtfuzz finds two crashes of
// libsrt 1.5.1's listener, narrows each down to one case by replaying the
// cases since the last probe against restarts, and the reproducer kills a
// fresh srt-live-transmit with the same signal:
//
//   - mss: a CONCLUSION whose MSS leaves no room for the answer
//     (srtcore/core.cpp CUDT::acceptAndRespond builds it in a buffer of
//     m_iMaxSRTPayloadSize = MSS - 44 bytes and writes the 48-byte CIF and
//     the HSRSP into it): "malloc(): corrupted top size", SIGABRT;
//   - filter: a FILTER block whose string starts with a NUL byte (the block
//     is not empty, its C string is; srtcore/core.cpp
//     CUDT::interpretSrtHandshake, checkApplyFilterConfig): SIGSEGV. The
//     FILTER "fec,cols:65536,rows:65536" (srtcore/fec.cpp allocates
//     cols x rows) is left out: it eats memory instead.
func TestSrtfuzzLibsrtCrashes(t *testing.T) {
	fzRequireLibsrt(t)
	dir := t.TempDir()
	fuzz := fzBuild(t, dir, "../cmd/srtfuzz")
	for i, c := range []struct {
		class string
		sig   syscall.Signal
		name  string
	}{{"mss", syscall.SIGABRT, "SIGABRT"}, {"filter", syscall.SIGSEGV, "SIGSEGV"}} {
		t.Run(c.class, func(t *testing.T) {
			port, fresh := 31526+2*i, 31527+2*i
			report := filepath.Join(dir, c.class+".json")
			code, stdout, stderr := fzRun(t, 120*time.Second, fuzz, "-target", fmt.Sprintf("127.0.0.1:%d", port),
				"-exec", fmt.Sprintf("exec srt-live-transmit -q srt://:%d file://con >/dev/null", port), "-classes", c.class,
				"-cases", "200", "-max-findings", "1", "-settle", "3s", "-liveness-timeout", "5s",
				"-avoid", "cols:(65536|99999999999|2147483647)", "-out", filepath.Join(dir, c.class), "-report", report)
			t.Logf("srtfuzz -classes %s against srt-live-transmit (exit %d):\n%s\n%s", c.class, code, stdout, stderr)
			if code != 1 {
				t.Fatalf("exit status %d, want 1 (a finding)", code)
			}
			r := fzReadReport(t, report)
			if len(r.Findings) != 1 {
				t.Fatalf("%d findings, want 1", len(r.Findings))
			}
			f := r.Findings[0]
			if f.Kind != "crash" || !strings.Contains(f.Detail, c.name) || !f.Minimized || f.Class != c.class {
				t.Errorf("finding %+v, want a crash by %s minimized to one %s case", f, c.name, c.class)
			}
			p := fzStart(t, "srt-live-transmit", 60*time.Second, "srt-live-transmit", fmt.Sprintf("srt://:%d", fresh), "file://con")
			code, stdout, stderr = fzRun(t, 30*time.Second, fuzz, "-replay", f.Files[1], "-target", fmt.Sprintf("127.0.0.1:%d", fresh))
			t.Logf("replay (exit %d):\n%s%s", code, stdout, stderr)
			if code != 1 || !p.wait(5*time.Second) {
				t.Fatalf("the replay did not bring a fresh srt-live-transmit down (exit %d)", code)
			}
			// timeout(1) passes a child's death by a signal on: it kills
			// itself with the same signal, or exits with 128 + the signal.
			if ws, ok := p.cmd.ProcessState.Sys().(syscall.WaitStatus); !ok ||
				!(ws.Signaled() && ws.Signal() == c.sig || ws.ExitStatus() == 128+int(c.sig)) {
				t.Errorf("srt-live-transmit ended with %v, want %s; stderr:\n%s", p.cmd.ProcessState, c.name, p.err.String())
			}
		})
	}
}

// libsrtSteering keeps a bounded run clear of the libsrt 1.5.1 and
// srt-live-transmit findings already made, so that a crash or a liveness
// failure in it is news:
//
//   - -min-mss 300: the heap overflow of a tiny MSS (TestSrtfuzzLibsrtCrashes):
//     the answer must fit in MSS - 44 bytes, and with KMRSP, FILTER and
//     CONGESTION blocks it takes up to about 240;
//   - -max-flow-window 25600: libsrt sizes its sender's loss list from the
//     caller's flow window (srtcore/core.cpp CUDT::acceptAndRespond,
//     prepareConnectionObjects: new CSndLossList(m_iFlowWindowSize * 2)),
//     about 24 bytes a packet: 2^28 is gigabytes, and the listener stalls;
//   - -avoid FILTER "\x00...": a FILTER string that starts with a NUL byte
//     makes libsrt 1.5.1 crash (SIGSEGV, TestSrtfuzzLibsrtCrashes);
//     "fec,cols:65536,rows:65536" makes it allocate without bound
//     (srtcore/fec.cpp FECFilterBuiltin);
//   - -skip ack,nak,dropreq,mss: an ACK past the sending window, a NAK of
//     packets never sent or a DROPREQ with a short CIF make libsrt break the
//     connection without telling the application (srtcore/core.cpp
//     CUDT::processCtrlAck sets m_bBroken, no epoll event), so
//     srt-live-transmit, which serves one caller at a time, keeps its
//     listener closed for about ten seconds;
//   - -settle 3s: srt-live-transmit exits when a connection breaks before it
//     has set its options on it (apps/transmitmedia.cpp
//     SrtCommon::AcceptNewClient, "ConfigurePost: Connection was broken"),
//     so srtfuzz waits until it has taken the connection (it closes its
//     listener then) before sending anything else.
var libsrtSteering = []string{"-min-mss", "300", "-max-flow-window", "25600",
	"-avoid", `FILTER "\\x00|cols:(65536|99999999999|2147483647)`, "-skip", "ack,nak,dropreq,mss", "-settle", "3s"}

// TestSrtfuzzLibsrtBounded: 20 000 cases against srt-live-transmit find no
// crash and no liveness failure; the report lists where libsrt answered
// otherwise than Decide. srt-live-transmit serves one caller at a time
// (it closes its listener while it serves one), so sixteen of them share
// the run, a worker each.
//
// srt-live-transmit also exits, with an error message, when it cannot
// listen again after a caller: its new listener's srt_bind races the
// teardown of the old connection's UDP multiplexer ("srt_bind: Connection
// setup failure: unable to create/configure SRT socket", the port still
// bound). That is the application's loop, not a crash, so each one runs
// under a shell loop that starts it again and records the exit; a death by
// a signal ends the loop and fails the test.
func TestSrtfuzzLibsrtBounded(t *testing.T) {
	fzRequireLibsrt(t)
	dir := t.TempDir()
	fuzz := fzBuild(t, dir, "../cmd/srtfuzz")
	var targets []string
	var procs []*fzProc
	for i := 0; i < 16; i++ {
		port := 31500 + i
		loop := fmt.Sprintf(`while :; do srt-live-transmit -q srt://:%d file://con >/dev/null; s=$?; echo "srt-live-transmit exit status $s" >&2; if [ $s -ge 128 ]; then exit $s; fi; done`, port)
		procs = append(procs, fzStart(t, "srt-live-transmit", 400*time.Second, "sh", "-c", loop))
		targets = append(targets, fmt.Sprintf("127.0.0.1:%d", port))
	}
	report := filepath.Join(dir, "report.json")
	args := append([]string{"-target", strings.Join(targets, ","), "-cases", "20300", "-workers", "16",
		"-rate", "20000", "-probe-every", "20", "-answer-timeout", "50ms", "-liveness-timeout", "5s",
		"-out", filepath.Join(dir, "findings"), "-report", report}, libsrtSteering...)
	code, stdout, stderr := fzRun(t, 300*time.Second, fuzz, args...)
	t.Logf("srtfuzz against srt-live-transmit (exit %d):\n%s\n%s", code, stdout, stderr)
	r := fzReadReport(t, report)
	if code != 0 || len(r.Findings) > 0 {
		t.Errorf("exit status %d, %d finding(s); want none", code, len(r.Findings))
	}
	if r.Cases < 20000 {
		t.Errorf("%d cases, want 20 000 or more", r.Cases)
	}
	for i, p := range procs {
		e := p.err.String()
		if !p.running() {
			t.Errorf("srt-live-transmit on port %d died: %v\n%s", 31500+i, p.cmd.ProcessState, fzTail(e, 2000))
		}
		if n := strings.Count(e, "srt-live-transmit exit status"); n > 0 {
			var why []string
			for _, l := range strings.Split(e, "\n") {
				if strings.HasPrefix(l, "ERROR:") {
					why = append(why, l)
				}
			}
			t.Logf("srt-live-transmit on port %d exited %d time(s) and was started again: %s", 31500+i, n, strings.Join(why, "; "))
		}
	}
	if !strings.Contains(stdout, "differences from libsrt (what Decide answers), by libsrt check:") {
		t.Error("the report has no differences section")
	}
	for _, d := range r.Differences {
		t.Logf("libsrt differs from Decide: %s: Decide %q, libsrt %q, %d case(s)", d.Check, d.Expected, d.Answer, d.Cases)
	}
}

// TestSrtfuzzSrtrejectBounded: 20 000 cases against srtreject -libsrt find
// no crash, no liveness failure, and no difference from Decide, which
// srtreject decides with.
func TestSrtfuzzSrtrejectBounded(t *testing.T) {
	dir := t.TempDir()
	fuzz := fzBuild(t, dir, "../cmd/srtfuzz")
	rej := fzBuild(t, dir, "../cmd/srtreject")
	srv := fzStart(t, "srtreject", 300*time.Second, rej, "-libsrt", "-listen", "127.0.0.1:31525")
	report := filepath.Join(dir, "report.json")
	code, stdout, stderr := fzRun(t, 240*time.Second, fuzz, "-target", "127.0.0.1:31525", "-cases", "20000",
		"-workers", "16", "-rate", "50000", "-probe-every", "50", "-answer-timeout", "50ms",
		"-out", filepath.Join(dir, "findings"), "-report", report)
	t.Logf("srtfuzz against srtreject -libsrt (exit %d):\n%s\n%s", code, stdout, stderr)
	r := fzReadReport(t, report)
	if code != 0 || len(r.Findings) > 0 || r.Cases != 20000 {
		t.Errorf("exit status %d, %d finding(s), %d cases; want 0, none, 20000", code, len(r.Findings), r.Cases)
	}
	if !srv.running() {
		t.Errorf("srtreject ended: %v\n%s", srv.cmd.ProcessState, fzTail(srv.err.String(), 2000))
	}
	if len(r.Differences) > 0 {
		t.Errorf("srtreject decides with Decide, yet %d difference(s): %+v", len(r.Differences), r.Differences)
	}
}

func fzTail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}
