//go:build interop

package interop

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// installHint is what to install when a tool is missing.
const installHint = "apt-get install -y srt-tools libsrt-openssl-dev tshark tcpdump pkg-config gcc"

func TestMain(m *testing.M) {
	flag.Parse()
	// The peers mostly sleep: run more scenarios at once than there are
	// cores, unless -parallel was given.
	set := false
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == "test.parallel" })
	if !set {
		_ = flag.Set("test.parallel", "4")
	}
	os.Exit(m.Run())
}

// tools maps each external program to the Debian package that provides it.
var tools = []struct{ bin, pkg string }{
	{"timeout", "coreutils"},
	{"srt-live-transmit", "srt-tools"},
	{"srt-file-transmit", "srt-tools"},
	{"tcpdump", "tcpdump"},
	{"tshark", "tshark"},
	{"cc", "gcc"},
	{"pkg-config", "pkg-config"},
}

var (
	toolsOnce sync.Once
	toolsErr  string
)

// requireTools fails the test, with the apt-get line to run, when a program
// or libsrt's development files are missing, or when tcpdump cannot capture.
func requireTools(t *testing.T) {
	t.Helper()
	toolsOnce.Do(func() {
		var missing []string
		pkgs := map[string]bool{}
		for _, tl := range tools {
			if _, err := exec.LookPath(tl.bin); err != nil {
				missing = append(missing, tl.bin)
				pkgs[tl.pkg] = true
			}
		}
		if _, err := exec.LookPath("pkg-config"); err == nil {
			if err := exec.Command("pkg-config", "--exists", "srt").Run(); err != nil {
				missing = append(missing, "libsrt development files (pkg-config srt)")
				pkgs["libsrt-openssl-dev"] = true
			}
		}
		if len(missing) > 0 {
			var ps []string
			for p := range pkgs {
				ps = append(ps, p)
			}
			sort.Strings(ps)
			toolsErr = fmt.Sprintf("interop tests need %s (packages %s); install them with:\n\t%s",
				strings.Join(missing, ", "), strings.Join(ps, " "), installHint)
			return
		}
		if os.Geteuid() != 0 {
			// tcpdump may still work through capabilities; the capture
			// itself reports a clear error otherwise.
			fmt.Fprintln(os.Stderr, "interop: not root; tcpdump needs root or cap_net_raw,cap_net_admin")
		}
	})
	if toolsErr != "" {
		t.Fatal(toolsErr)
	}
}

// buildPeer compiles testdata/peer.c against libsrt into dir.
func buildPeer(t *testing.T, dir string) string {
	t.Helper()
	src, err := filepath.Abs("testdata/peer.c")
	if err != nil {
		t.Fatal(err)
	}
	flags, err := exec.Command("pkg-config", "--cflags", "--libs", "srt").Output()
	if err != nil {
		t.Fatalf("pkg-config --cflags --libs srt: %v (%s)", err, installHint)
	}
	bin := filepath.Join(dir, "peer")
	args := append([]string{"-O1", "-Wall", "-o", bin, src}, strings.Fields(string(flags))...)
	out, err := exec.Command("cc", args...).CombinedOutput()
	if err != nil {
		t.Fatalf("building the C peer: cc %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return bin
}

// buildSrtreject builds cmd/srtreject into dir.
func buildSrtreject(t *testing.T, dir string) string {
	t.Helper()
	bin := filepath.Join(dir, "srtreject")
	cmd := exec.Command("go", "build", "-o", bin, "../cmd/srtreject")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go build ../cmd/srtreject: %v\n%s", err, out)
	}
	return bin
}

// syncBuffer collects a process's output; it is safe for concurrent use.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
	n  int64 // bytes written, also counted when discard is set
	// discard drops the bytes (a media sink) and only counts them.
	discard bool
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.n += int64(len(p))
	if !s.discard {
		s.b.Write(p)
	}
	return len(p), nil
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func (s *syncBuffer) Len() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.n
}

// proc is a program started under timeout(1). It is stopped by signalling
// the timeout process, by PID; timeout passes the signal on to the program.
type proc struct {
	name     string
	cmd      *exec.Cmd
	out, err *syncBuffer
	done     chan struct{}
	waitErr  error
}

// start runs bin with args under `timeout -k 2 limit`. stdin may be nil.
func start(t *testing.T, name string, limit time.Duration, stdin io.Reader, stdout *syncBuffer, bin string, args ...string) *proc {
	t.Helper()
	secs := strconv.Itoa(int(limit.Seconds() + 0.5))
	p := &proc{name: name, out: stdout, err: &syncBuffer{}, done: make(chan struct{})}
	if p.out == nil {
		p.out = &syncBuffer{}
	}
	p.cmd = exec.Command("timeout", append([]string{"-k", "2", secs, bin}, args...)...)
	p.cmd.Stdin = stdin
	// A process group of its own (timeout(1) makes one anyway), so that a
	// stuck program can be killed together with its timeout wrapper.
	p.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	p.cmd.Stdout = p.out
	p.cmd.Stderr = p.err
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("starting %s: %v", name, err)
	}
	go func() {
		p.waitErr = p.cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() { p.stop(syscall.SIGTERM, 3*time.Second) })
	return p
}

func (p *proc) running() bool {
	select {
	case <-p.done:
		return false
	default:
		return true
	}
}

// wait waits up to d for the process to exit and reports whether it did.
func (p *proc) wait(d time.Duration) bool {
	select {
	case <-p.done:
		return true
	case <-time.After(d):
		return false
	}
}

// stop sends sig to the process (its timeout wrapper, which passes it on)
// and waits up to d; then it kills the process group this proc started
// (the wrapper and the program), so that nothing is left behind.
func (p *proc) stop(sig syscall.Signal, d time.Duration) {
	if !p.running() {
		return
	}
	_ = p.cmd.Process.Signal(sig)
	if !p.wait(d) {
		_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
		p.wait(d)
	}
}

// exitCode returns the exit status, or -1 while running.
func (p *proc) exitCode() int {
	if p.running() {
		return -1
	}
	return p.cmd.ProcessState.ExitCode()
}

// output is stdout and stderr, for messages.
func (p *proc) output() string {
	return fmt.Sprintf("--- %s stdout:\n%s--- %s stderr:\n%s", p.name, p.out.String(), p.name, p.err.String())
}

// waitFor waits until the process's stdout or stderr contains s.
func (p *proc) waitFor(t *testing.T, s string, d time.Duration) {
	t.Helper()
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		if strings.Contains(p.out.String(), s) || strings.Contains(p.err.String(), s) {
			return
		}
		if !p.running() {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("%s: no %q after %v\n%s", p.name, s, d, p.output())
}

var rejectedRE = regexp.MustCompile(`REJECTED reason=(-?\d+)`)

// rejectReason returns the reason a peer printed (srt_getrejectreason), or
// -1 when it printed none.
func rejectReason(s string) int {
	m := rejectedRE.FindStringSubmatch(s)
	if m == nil {
		return -1
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// tcpdump is a running tcpdump.
type tcpdump struct {
	path  string
	ports []int
	p     *proc
}

// startCapture starts tcpdump on lo for the given UDP ports, writing to
// dir/name.pcap, and waits until it is capturing.
func startCapture(t *testing.T, dir, name string, ports ...int) *tcpdump {
	t.Helper()
	c := &tcpdump{path: filepath.Join(dir, name+".pcap"), ports: ports}
	var f []string
	for _, p := range ports {
		f = append(f, fmt.Sprintf("udp port %d", p))
	}
	// --immediate-mode: without it, libpcap hands packets over in blocks
	// (or after a 1 s timeout), and the last second of traffic is lost
	// when tcpdump is stopped.
	// -B 8192: the default capture buffer holds about 32 packets on lo
	// and drops libsrt's bursts on a busy machine.
	args := []string{"-i", "lo", "--immediate-mode", "-U", "-n", "-s", "0", "-B", "8192"}
	if os.Geteuid() == 0 {
		// Without -Z root, tcpdump drops to its own user and cannot
		// write into the test's private directory.
		args = append(args, "-Z", "root")
	}
	args = append(args, "-w", c.path, strings.Join(f, " or "))
	c.p = start(t, "tcpdump", 120*time.Second, nil, nil, "tcpdump", args...)
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(c.p.err.String(), "listening on") {
		if !c.p.running() || time.Now().After(deadline) {
			c.p.stop(syscall.SIGINT, time.Second)
			t.Fatalf("tcpdump did not start capturing on lo (it needs root, or cap_net_raw,cap_net_admin):\n%s", c.p.output())
		}
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(300 * time.Millisecond) // let the BPF filter settle
	return c
}

// stop ends the capture with SIGINT, as one stops tcpdump by hand, and
// returns the pcap's path.
func (c *tcpdump) stop(t *testing.T) string {
	t.Helper()
	time.Sleep(200 * time.Millisecond) // the last datagrams
	c.p.stop(syscall.SIGINT, 10*time.Second)
	if _, err := os.Stat(c.path); err != nil {
		t.Fatalf("tcpdump wrote no capture: %v\n%s", err, c.p.output())
	}
	return c.path
}

// runTShark decodes a capture with tshark, forcing SRT on ports, and writes
// the JSON next to it.
func runTShark(t *testing.T, pcapPath string, ports []int) string {
	t.Helper()
	args := []string{"-r", pcapPath}
	for _, p := range ports {
		args = append(args, "-d", fmt.Sprintf("udp.port==%d,srt", p))
	}
	args = append(args, "-T", "json", "--no-duplicate-keys")
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "timeout", append([]string{"-k", "2", "80", "tshark"}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("tshark %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	path := strings.TrimSuffix(pcapPath, ".pcap") + ".tshark.json"
	if err := os.WriteFile(path, out, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

var tsharkVersion = sync.OnceValue(func() string {
	out, err := exec.Command("tshark", "--version").Output()
	if err != nil {
		return "unknown"
	}
	line, _, _ := strings.Cut(string(out), "\n")
	return line
})

// srtVersion returns the libsrt version pkg-config reports.
var srtVersion = sync.OnceValue(func() string {
	out, err := exec.Command("pkg-config", "--modversion", "srt").Output()
	if err != nil {
		return "unknown"
	}
	return strings.TrimSpace(string(out))
})

// parallelism is how many peer processes the encode test runs at once.
func parallelism() int {
	n := 2 * runtime.NumCPU()
	if n < 4 {
		n = 4
	}
	if n > 8 {
		n = 8
	}
	return n
}
