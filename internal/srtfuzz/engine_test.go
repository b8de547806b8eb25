package srtfuzz

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/srtwire/srtwire/capture"
	"github.com/srtwire/srtwire/handshake"
	"github.com/srtwire/srtwire/listener"
	"github.com/srtwire/srtwire/packet"
)

var testStart = time.Now()

// helperEnv makes the test binary a listener that answers as Decide does
// and exits with status 2 on a CONCLUSION with stray bytes (the crash of
// datarhei/gosrt v0.11.0's listener), for the -exec tests.
const helperEnv = "SRTFUZZ_TEST_LISTENER"

func TestMain(m *testing.M) {
	if addr := os.Getenv(helperEnv); addr != "" {
		l, err := serve(addr, true)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(3)
		}
		<-l.done
		fmt.Fprintln(os.Stderr, "panic: runtime error: index out of range [0] with length 2")
		os.Exit(2)
	}
	os.Exit(m.Run())
}

// strayBytes reports whether b is a CONCLUSION with 1-3 bytes after the
// CIF or its last whole block, and an Extension field set: what makes
// datarhei/gosrt v0.11.0's CIFHandshake.Unmarshal index past its input.
func strayBytes(b []byte) bool {
	var p packet.Packet
	_ = p.Decode(b)
	if p.Kind() != packet.KindHandshake || len(b) < packet.HeaderSize+handshake.CIFSize || p.DstSocket != 0 {
		return false
	}
	hs := &p.Handshake
	if hs.Type != handshake.Conclusion || hs.Extension == 0 {
		return false
	}
	it := hs.Extensions()
	for it.Next() {
	}
	return it.Err() == nil && it.Trailing() > 0
}

// testListener is a libsrt listener as Decide models it, on a UDP socket
// of its own; with dies set it goes down (closes its socket) for good on
// a CONCLUSION with stray bytes.
type testListener struct {
	conn *net.UDPConn
	addr netip.AddrPort
	done chan struct{}
	n    atomic.Int64
}

func serve(addr string, dies bool) (*testListener, error) {
	ua, err := net.ResolveUDPAddr("udp", addr)
	if err != nil {
		return nil, err
	}
	c, err := net.ListenUDP("udp", ua)
	if err != nil {
		return nil, err
	}
	b, err := listener.NewCookieBaker(time.Now(), 0, nil)
	if err != nil {
		return nil, err
	}
	cfg := listener.LiveConfig(b)
	cfg.Start = time.Now()
	l := &testListener{conn: c, addr: c.LocalAddr().(*net.UDPAddr).AddrPort(), done: make(chan struct{})}
	go func() {
		defer close(l.done)
		buf := make([]byte, 65536)
		out := make([]byte, 0, 1500)
		for {
			n, from, err := c.ReadFromUDPAddrPort(buf)
			if err != nil {
				return
			}
			l.n.Add(1)
			if dies && strayBytes(buf[:n]) {
				c.Close()
				return
			}
			d := listener.Decide(&cfg, buf[:n], from, time.Now(), out[:0])
			if d.Answer != nil {
				_, _ = c.WriteToUDPAddrPort(d.Answer, from)
			}
		}
	}()
	return l, nil
}

func startListener(t *testing.T, dies bool) *testListener {
	t.Helper()
	l, err := serve("127.0.0.1:0", dies)
	require.NoError(t, err)
	t.Cleanup(func() { l.conn.Close(); <-l.done })
	return l
}

func runConfig(t *testing.T, targets ...netip.AddrPort) *Config {
	b, err := listener.NewCookieBaker(time.Now(), 0, nil)
	require.NoError(t, err)
	cfg := listener.LiveConfig(b)
	env, err := NewEnv(targets[0], &cfg, "", 3)
	require.NoError(t, err)
	return &Config{Targets: targets, Env: env, Seed: 3, Rate: 50000, Workers: 4, ProbeEvery: 10,
		AnswerTimeout: 25 * time.Millisecond, LivenessTimeout: time.Second, Bytes: 0.25, Confirm: true,
		OutDir: t.TempDir(), MaxFindings: 3}
}

// TestRunAgainstDecide: against a listener that answers exactly as Decide
// does, a run of every class finds nothing, differs nowhere, and counts
// every case and answer.
func TestRunAgainstDecide(t *testing.T) {
	l1, l2 := startListener(t, false), startListener(t, false)
	cfg := runConfig(t, l1.addr, l2.addr)
	cfg.Cases = 700
	rep, err := Run(context.Background(), cfg)
	require.NoError(t, err)
	assert.Equal(t, 700, rep.Cases)
	assert.Empty(t, rep.Findings)
	assert.Empty(t, rep.Differences, "%+v", rep.Differences)
	assert.Equal(t, "case count reached", rep.Stopped)
	assert.Zero(t, rep.ProbesFailed)
	assert.GreaterOrEqual(t, rep.Probes, 70)
	total, bytesCases := 0, 0
	for _, c := range rep.Classes {
		assert.NotZero(t, c.Cases, c.Name)
		total += c.Cases
		bytesCases += c.Bytes
		sum := 0
		for _, v := range c.Answers {
			sum += v
		}
		assert.Equal(t, c.Cases, sum, c.Name)
		if c.Phase == PhasePost.String() {
			assert.NotEmpty(t, c.Post, c.Name)
			assert.NotZero(t, c.Answers[AnswerAccept], "%s: the valid handshake is accepted", c.Name)
		}
	}
	assert.Equal(t, 700, total)
	assert.InDelta(t, 175, bytesCases, 60)
	assert.NotZero(t, l1.n.Load())
	assert.NotZero(t, l2.n.Load())
	var text bytes.Buffer
	rep.WriteText(&text)
	for _, s := range []string{"srtfuzz report", "stray-cif", "answers per class", "differences from libsrt", "findings:\n  none"} {
		assert.Contains(t, text.String(), s)
	}
	var js bytes.Buffer
	require.NoError(t, rep.WriteJSON(&js))
	assert.Contains(t, js.String(), `"classes"`)
}

// TestDifferenceReported: told that the target enforces a passphrase it
// does not have, the run lists the answers that differ from Decide's,
// with the libsrt check, confirmed by a second run.
func TestDifferenceReported(t *testing.T) {
	l := startListener(t, false)
	cfg := runConfig(t, l.addr)
	cfg.Env.Listener.Passphrase = "the-wrong-idea"
	env, err := NewEnv(l.addr, cfg.Env.Listener, "", 3)
	require.NoError(t, err)
	cfg.Env, cfg.Cases, cfg.Classes, cfg.Bytes = env, 40, []*Class{ClassByName("stray-ext")}, 0
	rep, err := Run(context.Background(), cfg)
	require.NoError(t, err)
	require.NotEmpty(t, rep.Differences)
	d := rep.Differences[0]
	assert.Equal(t, "reject SRT_REJ_UNSECURE", d.Answer, "%+v", d)
	assert.Equal(t, "accept KMRSP SECURED", d.Expected, "%+v", d)
	assert.Contains(t, d.Check, "row")
	assert.GreaterOrEqual(t, d.Confirmed, 35)
	assert.NotEmpty(t, d.Hex)
	assert.Equal(t, 40, rep.Classes[0].Differs+rep.Classes[0].Transient)
}

// TestRunFindsCrash: a listener that dies on stray bytes is found dead by
// the liveness probe; the reproducer holds the case, reads back from
// both files, and a fresh listener dies of its replay.
func TestRunFindsCrash(t *testing.T) {
	l := startListener(t, true)
	cfg := runConfig(t, l.addr)
	cfg.Workers, cfg.ProbeEvery, cfg.Cases = 1, 1, 200
	cfg.Classes = []*Class{ClassByName("ext-order"), ClassByName("stray-cif"), ClassByName("hsreq")}
	rep, err := Run(context.Background(), cfg)
	require.NoError(t, err)
	require.Len(t, rep.Findings, 1)
	f := rep.Findings[0]
	assert.Equal(t, "liveness", f.Kind)
	assert.Equal(t, 1, f.Window)
	require.Len(t, f.Files, 2)
	assert.Contains(t, rep.Stopped, "down")
	for _, path := range f.Files {
		target, recs, err := ReadReproducer(path)
		require.NoError(t, err, path)
		assert.Equal(t, l.addr, target)
		require.Len(t, recs, 1)
		var sent [][]byte
		for _, d := range recs[0].Datagrams {
			if d.Out {
				sent = append(sent, d.B)
			}
		}
		require.NotEmpty(t, sent)
		assert.True(t, strayBytes(sent[len(sent)-1]), "%s: the last datagram has the stray bytes", path)
	}
	// srtwire's own capture reader takes the pcap.
	rd, err := capture.Open(f.Files[0], nil)
	require.NoError(t, err)
	defer rd.Close()
	n := 0
	for rd.Next() {
		assert.Equal(t, packet.KindHandshake, rd.Frame().Packet.Kind())
		n++
	}
	require.NoError(t, rd.Err())
	assert.GreaterOrEqual(t, n, 3)

	fresh := startListener(t, true)
	_, recs, err := ReadReproducer(f.Files[1])
	require.NoError(t, err)
	rp := NewReplayer(fresh.addr, 0)
	got, err := rp.Replay(context.Background(), recs[0], ReplayOptions{Wait: 50 * time.Millisecond})
	require.NoError(t, err)
	assert.NotEmpty(t, got.Datagrams)
	select {
	case <-fresh.done:
	case <-time.After(2 * time.Second):
		t.Fatal("the replay did not bring the fresh listener down")
	}
	assert.False(t, rp.Probe(context.Background(), 200*time.Millisecond))
}

// TestExecCrashIsMinimized: with the target started by srtfuzz, its exit
// is a crash finding, the cases since the last probe are replayed one by
// one against restarts to find the culprit, and the run goes on.
func TestExecCrashIsMinimized(t *testing.T) {
	addr := freePort(t)
	p := &Process{Command: fmt.Sprintf("%s=%s exec %s -test.run=^$", helperEnv, addr, os.Args[0])}
	require.NoError(t, p.Start())
	defer p.Stop()
	cfg := runConfig(t, addr)
	cfg.Process, cfg.Workers, cfg.ProbeEvery, cfg.Cases, cfg.Bytes = p, 1, 8, 40, 0
	cfg.Classes = []*Class{ClassByName("ext-order"), ClassByName("stray-ext"), ClassByName("sid")}
	rep, err := Run(context.Background(), cfg)
	require.NoError(t, err)
	require.NotEmpty(t, rep.Findings)
	f := rep.Findings[0]
	assert.Equal(t, "crash", f.Kind)
	assert.Contains(t, f.Detail, "exit status 2")
	assert.Contains(t, f.Detail, "panic: runtime error")
	assert.True(t, f.Minimized, "%+v", f)
	assert.Equal(t, "stray-ext", f.Class)
	require.Len(t, f.Cases, 1)
	assert.Equal(t, 40, rep.Cases, "the run goes on after a restart")
	assert.GreaterOrEqual(t, len(rep.Findings[0].Files), 2)
	repeats := 0
	for _, f := range rep.Findings {
		repeats += f.Repeats
	}
	assert.Greater(t, len(rep.Findings)+repeats, 1, "more stray-ext cases crash it again")
	assert.Len(t, rep.Findings, 1, "the same crash is one finding")
}

func freePort(t *testing.T) netip.AddrPort {
	c, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	require.NoError(t, err)
	a := c.LocalAddr().(*net.UDPAddr).AddrPort()
	c.Close()
	return a
}

func TestTargetDownAtStart(t *testing.T) {
	cfg := runConfig(t, freePort(t))
	cfg.LivenessTimeout = 100 * time.Millisecond
	start := time.Now()
	_, err := Run(context.Background(), cfg)
	require.ErrorIs(t, err, ErrTargetDown)
	assert.Less(t, time.Since(start), 3*time.Second)
}

// TestAvoid leaves out the cases it matches, and counts them.
func TestAvoid(t *testing.T) {
	l := startListener(t, true)
	cfg := runConfig(t, l.addr)
	cfg.Cases, cfg.Classes = 60, []*Class{ClassByName("stray-cif"), ClassByName("ext-order")}
	cfg.Avoid = regexp.MustCompile(`stray byte`)
	rep, err := Run(context.Background(), cfg)
	require.NoError(t, err)
	assert.Empty(t, rep.Findings)
	assert.NotZero(t, rep.Skipped)
	assert.Equal(t, 60, rep.Cases+rep.Skipped)
}

func TestLimiter(t *testing.T) {
	l := newLimiter(2000)
	start := time.Now()
	for i := 0; i < 200; i++ {
		require.NoError(t, l.wait(context.Background()))
	}
	assert.GreaterOrEqual(t, time.Since(start), 90*time.Millisecond)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	slow := newLimiter(1)
	_ = slow.wait(context.Background())
	for i := 0; i < 20; i++ {
		_ = slow.wait(ctx)
	}
	assert.Error(t, slow.wait(ctx))
}

func TestHexRoundTrip(t *testing.T) {
	recs := []*Record{{N: 5, Class: "sid", Variant: "SID of 3 bytes", Target: testTarget,
		Local: netip.MustParseAddrPort("127.0.0.1:40000"), Conclusion: -1,
		Datagrams: []Datagram{{Out: true, B: []byte{0x80, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}}, {B: []byte{1, 2, 3}}}}}
	var b bytes.Buffer
	require.NoError(t, WriteHex(&b, "a finding\nsecond line", recs))
	assert.Contains(t, b.String(), "# a finding\n# second line\ntarget 127.0.0.1:9000\n")
	target, got, err := ReadHex(strings.NewReader(b.String()))
	require.NoError(t, err)
	assert.Equal(t, testTarget, target)
	require.Len(t, got, 1)
	assert.Equal(t, uint64(5), got[0].N)
	assert.Equal(t, "sid", got[0].Class)
	assert.Equal(t, recs[0].Datagrams[0].B, got[0].Datagrams[0].B)
	assert.False(t, got[0].Datagrams[1].Out)
	_, _, err = ReadHex(strings.NewReader("case 1 x\n> zz\n"))
	assert.ErrorIs(t, err, ErrReproducer)
	_, _, err = ReadHex(strings.NewReader("hello\n"))
	assert.ErrorIs(t, err, ErrReproducer)

	// IPv6 in the pcap, with its mandatory UDP checksum.
	recs[0].Target, recs[0].Local = netip.MustParseAddrPort("[::1]:9000"), netip.MustParseAddrPort("[::1]:40000")
	path := filepath.Join(t.TempDir(), "x")
	files, err := WriteReproducer(path, "c", recs)
	require.NoError(t, err)
	tg, got, err := ReadReproducer(files[0])
	require.NoError(t, err)
	assert.Equal(t, recs[0].Target, tg)
	assert.Equal(t, recs[0].Datagrams[1].B, got[0].Datagrams[1].B)
}

func TestDescribeAndClassify(t *testing.T) {
	hs := handshake.Handshake{Version: 5, Type: handshake.RejectionType(11), MTU: 1500, FlowWindow: 2}
	p := packet.Packet{Header: packet.Header{Control: true, Type: packet.TypeHandshake}, Handshake: hs}
	b, err := p.AppendBinary(nil)
	require.NoError(t, err)
	assert.Equal(t, "reject SRT_REJ_UNSECURE", Classify(b))
	assert.Contains(t, Describe(b), "REJECT(SRT_REJ_UNSECURE)")
	assert.Equal(t, AnswerUndecodable, Classify([]byte{1, 2}))
	sd := packet.Packet{Header: packet.Header{Control: true, Type: packet.TypeShutdown}}
	b, _ = sd.AppendBinary(nil)
	assert.Equal(t, AnswerShutdown, Classify(b))
	d := listener.Decision{Action: listener.ActionAccept, KMRSP: true, KMState: handshake.KMNoSecret}
	assert.Equal(t, "accept KMRSP NOSECRET", Expected(&d))
}
