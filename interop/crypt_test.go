//go:build interop

package interop

import (
	"bytes"
	"crypto/rand"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/srtwire/srtwire/capture"
	"github.com/srtwire/srtwire/crypt"
	"github.com/srtwire/srtwire/handshake"
	"github.com/srtwire/srtwire/interop/srtsend"
	"github.com/srtwire/srtwire/packet"
	"github.com/srtwire/srtwire/reject"
)

// The encryption tests (this file and sender_test.go) listen on UDP ports
// of 127.0.0.1 only: 31400-31417 (TestCryptDecryptCaptures, two per
// scenario), 31420-31422 (TestSenderToLibsrt) and 31430-31434
// (TestCryptSealedKMREQ). They are below Linux's ephemeral range
// (32768-60999), so that no caller's source port, picked at random by the
// kernel, can hold one of them when a listener binds it.
const (
	cryptPortBase  = 31400
	senderPortBase = 31420 // TestSenderToLibsrt
	sealPortBase   = 31430 // TestCryptSealedKMREQ
)

// cryptChunk returns message i of size bytes as every sender of these tests
// makes it (testdata/cryptpeer.c, and this file for srt-live-transmit and
// our own sender): byte j is 'a' + (i+j) mod 26, the start overwritten by
// "SRTWIRE chunk=%06d size=%d|" (cut to size).
func cryptChunk(i, size int) []byte {
	b := make([]byte, size)
	for j := range b {
		b[j] = byte('a' + (i+j)%26)
	}
	copy(b, fmt.Sprintf("SRTWIRE chunk=%06d size=%d|", i, size))
	return b
}

// buildCryptPeer compiles testdata/cryptpeer.c against libsrt into dir.
func buildCryptPeer(t *testing.T, dir string) string {
	t.Helper()
	src, err := filepath.Abs("testdata/cryptpeer.c")
	if err != nil {
		t.Fatal(err)
	}
	flags, err := exec.Command("pkg-config", "--cflags", "--libs", "srt").Output()
	if err != nil {
		t.Fatalf("pkg-config --cflags --libs srt: %v (%s)", err, installHint)
	}
	bin := filepath.Join(dir, "cryptpeer")
	args := append([]string{"-O1", "-Wall", "-o", bin, src}, strings.Fields(string(flags))...)
	if out, err := exec.Command("cc", args...).CombinedOutput(); err != nil {
		t.Fatalf("building the C peer: cc %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return bin
}

var cryptDroppedRE = regexp.MustCompile(`(\d+) packets? dropped by kernel`)

// stopCryptCapture stops the capture and fails the test when tcpdump says
// the kernel dropped packets: the capture would then miss some.
func stopCryptCapture(t *testing.T, c *tcpdump) string {
	t.Helper()
	path := c.stop(t)
	if m := cryptDroppedRE.FindStringSubmatch(c.p.err.String()); m == nil {
		t.Logf("tcpdump did not report its drop count:\n%s", c.p.err.String())
	} else if m[1] != "0" {
		t.Errorf("tcpdump: %s packets dropped by kernel: the capture is incomplete", m[1])
	}
	return path
}

// cryptTally is what decryptCapture found.
type cryptTally struct {
	Data          int            // data packets (retransmissions included)
	Rexmit        int            // of which retransmitted (R set)
	Matched       int            // data payloads equal to what the sender was given
	Chunks        int            // distinct messages among them
	KeyLens       map[int]bool   // key lengths of the sessions
	Keys          map[string]int // data packets per key (even, odd)
	Switches      int            // changes of a direction's KK flags between data packets
	HandshakeKMs  int            // KMREQ/KMRSP blocks of handshakes opened
	InBandKMREQ   int            // UMSG_EXT KMREQ packets
	InBandKMRSP   int            // UMSG_EXT KMRSP packets
	Announced     int            // distinct in-band KMREQs (announcements of a new key, or the retirement of the old one)
	KMLog         []string       // one entry per in-band KM: frame, subtype, KK, new or a repeat
	Resealed      int            // distinct KMs that crypt.Seal rebuilt byte for byte
	DataFrom      map[string]int // data packets by sender: caller, listener, peer
	BadSecretSeen bool           // a wrong passphrase gave ErrBadSecret on the first KM
}

func (c cryptTally) keyLens() string {
	var l []string
	for k := range c.KeyLens {
		l = append(l, strconv.Itoa(8*k))
	}
	sort.Strings(l)
	return "AES-" + strings.Join(l, ",")
}

type cryptFlow struct{ src, dst netip.AddrPort }

// decryptCapture reads a capture with capture.Reader (no port hint), opens the
// key material of the handshakes with passphrase (crypt.KeyState, one per
// direction; in HSv5 the initiator's KMREQ keys both directions), follows
// the in-band KMREQ/KMRSP of key refreshes, decrypts every data payload and
// compares it with want(i), message i of the sender: with byMsgNo, i is
// the packet's message number - 1 (libsrt and srtsend number messages
// from 1); otherwise i is the chunk number that the plaintext's prefix
// names (for srt-live-transmit, which may lose a chunk of its input before
// it is connected). Every data packet must be encrypted and decrypt to
// exactly want(i); every message below n must be on the wire. It checks
// as well that a wrong passphrase fails with crypt.ErrBadSecret, and that
// crypt.Seal rebuilds every distinct key-material message byte for byte
// from its keys, salt and KEK.
func decryptCapture(t *testing.T, path, passphrase string, n int, byMsgNo bool, want func(i int) []byte) cryptTally {
	t.Helper()
	r, err := capture.Open(path, nil)
	if err != nil {
		t.Fatalf("capture.Open: %v", err)
	}
	defer r.Close()
	tally := cryptTally{KeyLens: map[int]bool{}, Keys: map[string]int{}, DataFrom: map[string]int{}}
	cache := crypt.NewKEKCache(0)
	states := map[cryptFlow]*crypt.KeyState{}
	state := func(k cryptFlow) *crypt.KeyState {
		s := states[k]
		if s == nil {
			s = crypt.NewKeyState(passphrase, cache)
			states[k] = s
		}
		return s
	}
	lastKK := map[cryptFlow]handshake.KeyFlags{}
	seen := map[int]bool{}
	resealed := map[string]bool{}
	var caller netip.AddrPort // the source of the first INDUCTION request
	name := filepath.Base(path)
	var errs int
	fail := func(format string, args ...any) {
		t.Helper()
		errs++
		if errs <= 20 {
			t.Errorf(name+": "+format, args...)
		}
	}
	reseal := func(frame int, km *handshake.KeyMaterial, raw []byte) {
		if resealed[string(raw)] {
			return
		}
		resealed[string(raw)] = true
		kek, err := cache.DeriveKEK(passphrase, km.Salt, km.KeyLen)
		if err != nil {
			fail("frame %d: DeriveKEK: %v", frame, err)
			return
		}
		keys, err := crypt.Open(kek, km)
		if err != nil {
			fail("frame %d: Open: %v", frame, err)
			return
		}
		again, err := crypt.Seal(kek, km.Salt, keys, km.Cipher)
		if err != nil {
			fail("frame %d: Seal: %v", frame, err)
			return
		}
		b, err := again.AppendBinary(nil)
		if err != nil || !bytes.Equal(b, raw) {
			fail("frame %d: crypt.Seal does not rebuild libsrt's key material (%v):\n got % x\nwant % x", frame, err, b, raw)
			return
		}
		tally.Resealed++
	}
	var km handshake.KeyMaterial
	for r.Next() {
		f := r.Frame()
		p := &f.Packet
		if f.Err != nil {
			fail("frame %d: %v", f.Number, f.Err)
			continue
		}
		fwd := cryptFlow{f.Src, f.Dst}
		rev := cryptFlow{f.Dst, f.Src}
		switch p.Kind() {
		case packet.KindHandshake:
			hs := &p.Handshake
			if hs.Type == handshake.Induction && hs.Version == handshake.Version4 && !caller.IsValid() {
				caller = f.Src
			}
			v, ok := hs.Find(handshake.ExtKMReq)
			if !ok {
				if v, ok = hs.Find(handshake.ExtKMRsp); ok && handshake.IsKMState(v) {
					st, _ := handshake.DecodeKMState(v)
					fail("frame %d: the handshake's KMRSP reports %v", f.Number, st)
					continue
				}
			}
			if !ok {
				continue
			}
			if err := hs.KeyMaterial(&km); err != nil {
				fail("frame %d: handshake key material: %v", f.Number, err)
				continue
			}
			if !tally.BadSecretSeen {
				if _, err := crypt.OpenPassphrase("not-the-passphrase", &km); !errors.Is(err, crypt.ErrBadSecret) {
					fail("frame %d: a wrong passphrase opened the key material: %v", f.Number, err)
				}
				tally.BadSecretSeen = true
			}
			tally.HandshakeKMs++
			for _, k := range []cryptFlow{fwd, rev} {
				if err := state(k).Establish(&km); err != nil {
					fail("frame %d: Establish: %v", f.Number, err)
				}
			}
			reseal(f.Number, &km, v)
		case packet.KindUserDefined:
			var k cryptFlow
			switch p.Subtype {
			case packet.SubtypeKMReq:
				tally.InBandKMREQ++
				k = fwd // the KMREQ goes the way of the data it keys
			case packet.SubtypeKMRsp:
				tally.InBandKMRSP++
				k = rev // the KMRSP echoes it back
				if p.IsKMState() {
					st, _ := p.KMState()
					fail("frame %d: in-band KMRSP reports %v", f.Number, st)
					continue
				}
			default:
				continue
			}
			if err := p.KeyMaterial(&km); err != nil {
				fail("frame %d: in-band key material: %v", f.Number, err)
				continue
			}
			s := state(k)
			before := s.Keys()
			if err := s.Refresh(&km); err != nil {
				fail("frame %d: Refresh (%v, KK=%v): %v", f.Number, p.Subtype, km.Keys, err)
				continue
			}
			what := "repeat"
			if !resealed[string(p.CIF)] {
				what = "new"
				if p.Subtype == packet.SubtypeKMReq {
					tally.Announced++
				}
			}
			tally.KMLog = append(tally.KMLog, fmt.Sprintf("f%d %v KK=%v %s (keys %v->%v)", f.Number, p.Subtype, km.Keys, what, before, s.Keys()))
			reseal(f.Number, &km, p.CIF)
		case packet.KindData:
			tally.Data++
			if p.Retransmitted {
				tally.Rexmit++
			}
			switch {
			case f.Src == caller:
				tally.DataFrom["caller"]++
			case caller.IsValid():
				tally.DataFrom["listener"]++
			default:
				tally.DataFrom["peer"]++
			}
			if p.Key == handshake.KeyNone {
				fail("frame %d: data packet %d is not encrypted", f.Number, p.Seq)
				continue
			}
			s := state(fwd)
			if !s.Established() {
				fail("frame %d: data packet %d before any key material", f.Number, p.Seq)
				continue
			}
			tally.KeyLens[s.KeyLen()] = true
			tally.Keys[p.Key.String()]++
			if kk, ok := lastKK[fwd]; ok && kk != p.Key {
				tally.Switches++
			}
			lastKK[fwd] = p.Key
			if bytes.HasPrefix(p.Payload, []byte("SRTWIRE")) {
				fail("frame %d: data packet %d carries its plaintext although KK=%v", f.Number, p.Seq, p.Key)
				continue
			}
			payload := append([]byte(nil), p.Payload...)
			pt, err := s.Decrypt(f.Data[:packet.HeaderSize], payload)
			if err != nil {
				fail("frame %d: Decrypt seq %d KK %v: %v", f.Number, p.Seq, p.Key, err)
				continue
			}
			i := int(p.MsgNo) - 1
			if !byMsgNo {
				var size int
				if _, err := fmt.Sscanf(string(pt[:min(len(pt), 40)]), "SRTWIRE chunk=%d size=%d|", &i, &size); err != nil {
					i = -1
				}
			}
			var w []byte
			if i >= 0 {
				w = want(i)
			}
			if i < 0 || !bytes.Equal(pt, w) {
				fail("frame %d: seq %d msgno %d (KK %v) decrypts to %q..., want %q... (message %d)",
					f.Number, p.Seq, p.MsgNo, p.Key, pt[:min(len(pt), 40)], w[:min(len(w), 40)], i)
				continue
			}
			tally.Matched++
			seen[i] = true
		}
	}
	if err := r.Err(); err != nil {
		t.Errorf("%s: %v", name, err)
	}
	tally.Chunks = len(seen)
	var missing []int
	for i := 0; i < n; i++ {
		if !seen[i] {
			missing = append(missing, i)
		}
	}
	if len(missing) > 0 {
		t.Errorf("%s: %d of the %d messages sent never decrypted on the wire (first %d)", name, len(missing), n, missing[0])
	}
	if tally.Data == 0 || tally.Matched != tally.Data {
		t.Errorf("%s: %d of %d data payloads match what the sender was given", name, tally.Matched, tally.Data)
	}
	if errs > 20 {
		t.Errorf("%s: ... %d errors in all", name, errs)
	}
	return tally
}

// cryptRun is what a scenario's peers did.
type cryptRun struct {
	sent, size int
	// received and bad are the receiving C peer's counts (libsrt's own
	// decryption checked against the pattern), -1 when the receiver is
	// srt-live-transmit.
	received, bad int
	log           string
	// crashed names the libsrt peer that died of a crash signal, if one
	// did (see cryptCrashSignal); the scenario is then run again.
	crashed string
}

// cryptCrashSignal returns how p died when a crash signal (SIGSEGV, SIGBUS,
// SIGABRT) killed it, and "" otherwise. libsrt 1.5.1 sometimes crashes
// with SIGSEGV at a key switch of a listener that sends with a short
// kmrefreshrate on a busy machine (about 1 run in 12 with 6 at once).
func cryptCrashSignal(ps ...*proc) string {
	for _, p := range ps {
		if p.running() || p.cmd.ProcessState == nil {
			continue
		}
		ws, ok := p.cmd.ProcessState.Sys().(syscall.WaitStatus)
		if ok && ws.Signaled() {
			switch ws.Signal() {
			case syscall.SIGSEGV, syscall.SIGBUS, syscall.SIGABRT:
				return fmt.Sprintf("%s: %v", p.name, p.cmd.ProcessState)
			}
		}
		// timeout(1) reports a child killed by signal N as 128+N when it
		// does not die of the same signal itself.
		switch p.exitCode() {
		case 128 + int(syscall.SIGSEGV), 128 + int(syscall.SIGBUS), 128 + int(syscall.SIGABRT):
			return fmt.Sprintf("%s: exit status %d", p.name, p.exitCode())
		}
	}
	return ""
}

var (
	cryptSentRE = regexp.MustCompile(`SENT (\d+) messages of (\d+) bytes`)
	cryptRecvRE = regexp.MustCompile(`RECEIVED (\d+) messages, \d+ bytes, (\d+) bad`)
)

func cryptAtoi(re *regexp.Regexp, s string, group int) int {
	m := re.FindStringSubmatch(s)
	if m == nil {
		return -1
	}
	n, _ := strconv.Atoi(m[group])
	return n
}

// runCryptPeers runs cryptpeer as listener and caller; args for both
// follow the mode.
func runCryptPeers(t *testing.T, peer string, port int, listenArgs, callArgs []string) cryptRun {
	t.Helper()
	p := strconv.Itoa(port)
	l := start(t, "listener", 30*time.Second, nil, nil, peer,
		append([]string{"listen", "127.0.0.1", p, "deadline=25"}, listenArgs...)...)
	l.waitFor(t, "LISTENING", 10*time.Second)
	c := start(t, "caller", 30*time.Second, nil, nil, peer,
		append([]string{"call", "127.0.0.1", p, "deadline=25", "conntimeo=10000"}, callArgs...)...)
	if !c.wait(28*time.Second) || !l.wait(15*time.Second) {
		t.Fatalf("the C peers did not finish\n%s\n%s", c.output(), l.output())
	}
	r := cryptResult(c.out.String()+l.out.String(),
		fmt.Sprintf("caller exit %d, listener exit %d\n%s%s", c.exitCode(), l.exitCode(), c.output(), l.output()))
	r.crashed = cryptCrashSignal(c, l)
	return r
}

func cryptResult(out, log string) cryptRun {
	return cryptRun{
		sent: cryptAtoi(cryptSentRE, out, 1), size: cryptAtoi(cryptSentRE, out, 2),
		received: cryptAtoi(cryptRecvRE, out, 1), bad: cryptAtoi(cryptRecvRE, out, 2), log: log,
	}
}

// runCryptRendezvous runs two cryptpeers in rendezvous: A (port) sends to
// B (port+1).
func runCryptRendezvous(t *testing.T, peer string, port int, args ...string) cryptRun {
	t.Helper()
	pa, pb := strconv.Itoa(port), strconv.Itoa(port+1)
	b := start(t, "peerB", 30*time.Second, nil, nil, peer,
		append([]string{"rdv", "127.0.0.1", pb, "127.0.0.1", pa, "role=recv", "count=0", "deadline=25"}, args...)...)
	a := start(t, "peerA", 30*time.Second, nil, nil, peer,
		append([]string{"rdv", "127.0.0.1", pa, "127.0.0.1", pb, "role=send", "deadline=25"}, args...)...)
	if !a.wait(28*time.Second) || !b.wait(15*time.Second) {
		t.Fatalf("rendezvous peers did not finish\n%s\n%s", a.output(), b.output())
	}
	r := cryptResult(a.out.String()+b.out.String(), a.output()+b.output())
	r.crashed = cryptCrashSignal(a, b)
	return r
}

// runLiveTransmitCrypt runs srt-live-transmit as caller and as listener,
// both with query on their SRT URIs. The caller reads the chunks from its
// stdin (file://con, -chunk:size: each read is one chunk, one message); the
// listener writes what it receives to its stdout (file://con too:
// srt-live-transmit 1.5.1 writes no regular files, CreateFile is compiled
// out in apps/transmitmedia.cpp). A pipe, unlike the UDP input, loses
// nothing when a busy machine starves srt-live-transmit.
func runLiveTransmitCrypt(t *testing.T, port, chunks, size int, interval time.Duration, query string) cryptRun {
	t.Helper()
	uri := fmt.Sprintf("srt://127.0.0.1:%d?conntimeo=10000&%s&mode=", port, query)
	sink := &syncBuffer{}
	l := start(t, "listener", 40*time.Second, nil, sink, "srt-live-transmit",
		"-a:no", "-t:30", "-loglevel:note", uri+"listener", "file://con")
	l.waitFor(t, "Media path", 10*time.Second)
	time.Sleep(200 * time.Millisecond)
	in, feed, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer feed.Close()
	// -buffering:1: the caller sends each chunk as soon as it has read it
	// (by default it reads 10, blocking, before it sends them).
	c := start(t, "caller", 40*time.Second, in, nil, "srt-live-transmit",
		"-a:no", "-t:30", "-loglevel:note", "-buffering:1", fmt.Sprintf("-chunk:%d", size), "file://con", uri+"caller")
	in.Close()
	// Wait for the caller's "SRT target connected", or for the listener to
	// accept and a little more: with a stdin source the caller may sit in a
	// blocking read of its first chunk before it gets to say it connected,
	// and a chunk it reads while still connecting is lost.
	var accepted time.Time
	for deadline := time.Now().Add(10 * time.Second); !cryptAppSaid(c, "SRT target connected"); time.Sleep(10 * time.Millisecond) {
		if accepted.IsZero() && cryptAppSaid(l, "Accepted SRT source connection") {
			accepted = time.Now()
		}
		if !accepted.IsZero() && time.Since(accepted) > 300*time.Millisecond {
			break
		}
		if time.Now().After(deadline) || !c.running() {
			t.Fatalf("srt-live-transmit did not connect\n%s\n%s", c.output(), l.output())
		}
	}
	// srt-live-transmit reads its stdin only when libsrt reports an event
	// on the SRT socket (srt_epoll_wait in its main loop), and once all is
	// acknowledged the events stop: the last chunk or two may stay in the
	// pipe. A tail of extra chunks pushes the counted ones out; the tail
	// is checked like the rest when it is on the wire, but not required.
	const tail = 10
	for i := 0; i < chunks+tail; i++ {
		// One write of at most PIPE_BUF (4096) bytes is atomic.
		if _, err := feed.Write(cryptChunk(i, size)); err != nil {
			t.Fatalf("feeding srt-live-transmit: %v\n%s", err, c.output())
		}
		time.Sleep(interval)
	}
	time.Sleep(500 * time.Millisecond) // > the 120 ms TSBPD latency
	c.stop(syscall.SIGINT, 10*time.Second)
	if !l.wait(10 * time.Second) {
		t.Errorf("srt-live-transmit listener did not finish\n%s", l.output())
		l.stop(syscall.SIGTERM, 3*time.Second)
	}
	got := []byte(sink.String())
	var all []byte
	for i := 0; i < chunks+tail; i++ {
		all = append(all, cryptChunk(i, size)...)
	}
	r := cryptRun{sent: chunks, size: size, received: -1, bad: -1, log: c.output() + l.err.String(), crashed: cryptCrashSignal(c, l)}
	if r.crashed != "" {
		return r
	}
	// libsrt's own receiver, for the record: it must write whole chunks
	// that were sent, in order; TSBPD may drop late packets on a busy
	// machine, so some may be missing.
	r.received, r.bad = 0, 0
	for k, rest := 0, got; len(rest) > 0; r.received++ {
		for k < chunks+tail && !bytes.HasPrefix(rest, cryptChunk(k, size)) {
			k++
		}
		if k == chunks+tail {
			r.bad++
			break
		}
		rest, k = rest[size:], k+1
	}
	r.received = min(r.received, chunks)
	if len(got) < chunks*size {
		t.Logf("srt-live-transmit listener wrote %d of %d bytes", len(got), chunks*size)
	}
	return r
}

type cryptScenario struct {
	name   string
	ports  int
	pass   string
	keyLen int
	from   string // which side sends the data: caller, listener, peer
	// refresh: the sender refreshes its key; the capture must show
	// in-band KMREQs and a switch of the data packets' key.
	refresh bool
	// byPrefix: the sender may lose input chunks before it is connected
	// (srt-live-transmit), so messages are told by their prefix, not by
	// their message number.
	byPrefix bool
	run      func(t *testing.T, peer, dir string, port int) cryptRun
}

func cryptScenarios() []cryptScenario {
	var s []cryptScenario
	for i, kl := range []int{16, 24, 32} {
		pass := fmt.Sprintf("srtwire-aes%d-secret", 8*kl)
		kls := "pbkeylen=" + strconv.Itoa(kl)
		size := []int{1316, 1000, 777}[i]
		s = append(s, cryptScenario{
			name: fmt.Sprintf("aes%d_caller_sends", 8*kl), pass: pass, keyLen: kl, from: "caller",
			run: func(t *testing.T, peer, dir string, port int) cryptRun {
				return runCryptPeers(t, peer, port,
					[]string{"passphrase=" + pass, kls, "count=0"},
					[]string{"passphrase=" + pass, kls, "count=60", "interval=5", "size=" + strconv.Itoa(size)})
			}})
		// The listener sends; only it has the key length: the caller
		// takes it from the INDUCTION answer.
		s = append(s, cryptScenario{
			name: fmt.Sprintf("aes%d_listener_sends", 8*kl), pass: pass, keyLen: kl, from: "listener",
			run: func(t *testing.T, peer, dir string, port int) cryptRun {
				return runCryptPeers(t, peer, port,
					[]string{"passphrase=" + pass, kls, "role=send", "count=60", "interval=5", "size=" + strconv.Itoa(1316-i*300)},
					[]string{"passphrase=" + pass, "role=recv", "count=0"})
			}})
	}
	s = append(s,
		cryptScenario{name: "rendezvous_aes256", ports: 2, pass: "srtwire-rdv-secret-256", keyLen: 32, from: "peer",
			run: func(t *testing.T, peer, dir string, port int) cryptRun {
				return runCryptRendezvous(t, peer, port, "passphrase=srtwire-rdv-secret-256", "pbkeylen=32",
					"count=60", "interval=5", "size=1200")
			}},
		// Key refresh. libsrt 1.5.1 has no minimum for either option;
		// KMPREANNOUNCE must not exceed (KMREFRESHRATE-1)/2, and setting
		// KMREFRESHRATE sets KMPREANNOUNCE to (KMREFRESHRATE-1)/2 when it is
		// unset or larger (srtcore/socketconfig.cpp), so KMREFRESHRATE goes
		// first (srt-live-transmit applies URI options in the order of its
		// option table, kmrefreshrate before kmpreannounce). The sender announces a new key, in a KMREQ
		// with both keys, REFRESH-PREANNOUNCE packets into a key's period and
		// switches to it after REFRESH packets (hcryptCtx_Tx_ManageKM); the
		// old key's retirement PREANNOUNCE packets later sends nothing new
		// (regenCryptoKm in srtcore/crypto.cpp sends a KM only when it
		// changed), so every in-band KMREQ carries both keys.
		cryptScenario{name: "kmrefresh_live_transmit", pass: "srtwire-refresh-secret", keyLen: 16, from: "caller", refresh: true, byPrefix: true,
			run: func(t *testing.T, peer, dir string, port int) cryptRun {
				return runLiveTransmitCrypt(t, port, 400, 1316, 3*time.Millisecond,
					"passphrase=srtwire-refresh-secret&pbkeylen=16&kmrefreshrate=100&kmpreannounce=25")
			}},
		cryptScenario{name: "kmrefresh_listener_sends", pass: "srtwire-refresh-secret-192", keyLen: 24, from: "listener", refresh: true,
			run: func(t *testing.T, peer, dir string, port int) cryptRun {
				return runCryptPeers(t, peer, port,
					[]string{"passphrase=srtwire-refresh-secret-192", "pbkeylen=24", "kmrefreshrate=64", "kmpreannounce=16",
						"role=send", "count=250", "interval=3", "size=500"},
					[]string{"passphrase=srtwire-refresh-secret-192", "pbkeylen=24", "role=recv", "count=0"})
			}},
	)
	return s
}

// TestCryptDecryptCaptures captures libsrt peers talking encrypted (AES-128,
// -192 and -256, caller to listener and listener to caller, rendezvous, and
// two key refreshes), and decrypts every data payload of the capture with
// package crypt: each must be exactly the message the sender was given.
func TestCryptDecryptCaptures(t *testing.T) {
	requireTools(t)
	begin := time.Now()
	peer := buildCryptPeer(t, t.TempDir())
	t.Logf("libsrt %s (pkg-config)", srtVersion())
	scs := cryptScenarios()
	var mu sync.Mutex
	var lines, crashes []string
	total := 0
	t.Run("scenario", func(t *testing.T) {
		port := cryptPortBase
		for _, sc := range scs {
			sc, p := sc, port
			port += 2
			t.Run(sc.name, func(t *testing.T) {
				t.Parallel()
				dir := t.TempDir()
				ports := []int{p}
				if sc.ports == 2 {
					ports = append(ports, p+1)
				}
				var res cryptRun
				var path string
				for try := 1; ; try++ {
					capt := startCapture(t, dir, fmt.Sprintf("%s_%d", sc.name, try), ports...)
					res = sc.run(t, peer, dir, p)
					path = stopCryptCapture(t, capt)
					if res.crashed == "" {
						break
					}
					if try == 3 {
						t.Fatalf("libsrt crashed 3 times (%s)\n%s", res.crashed, res.log)
					}
					t.Logf("libsrt crashed (%s, try %d): running the scenario again", res.crashed, try)
					mu.Lock()
					crashes = append(crashes, sc.name+": "+res.crashed)
					mu.Unlock()
				}
				if res.sent <= 0 || res.size <= 0 {
					t.Fatalf("the sender sent nothing\n%s", res.log)
				}
				size := res.size
				n := decryptCapture(t, path, sc.pass, res.sent, !sc.byPrefix, func(i int) []byte { return cryptChunk(i, size) })
				if !n.KeyLens[sc.keyLen] || len(n.KeyLens) != 1 {
					t.Errorf("key lengths %v, want %d", n.KeyLens, sc.keyLen)
				}
				if n.DataFrom[sc.from] != n.Data {
					t.Errorf("data packets by sender %v, want all %d from the %s", n.DataFrom, n.Data, sc.from)
				}
				if n.HandshakeKMs == 0 {
					t.Errorf("no key material in the handshake")
				}
				if sc.refresh {
					t.Logf("in-band key material: %s", strings.Join(n.KMLog, ", "))
					if n.Announced < 1 || n.Switches < 1 || n.Keys["even"] == 0 || n.Keys["odd"] == 0 {
						t.Errorf("no key refresh: %d distinct in-band KMREQs, %d switches, keys %v",
							n.Announced, n.Switches, n.Keys)
					}
				} else if n.InBandKMREQ != 0 || n.Switches != 0 {
					t.Errorf("unexpected key refresh: %d in-band KMREQs, %d switches", n.InBandKMREQ, n.Switches)
				}
				// libsrt's own receiver, for the record: what it delivers must be
				// the sender's messages; on a busy machine its TSBPD may deliver
				// fewer than were sent, or none.
				if res.received >= 0 && res.bad != 0 {
					t.Errorf("the libsrt receiver got %d messages, %d not the sender's\n%s", res.received, res.bad, res.log)
				} else if res.received >= 0 && res.received < res.sent {
					t.Logf("the libsrt receiver delivered %d of %d messages\n%s", res.received, res.sent, res.log)
				}
				line := fmt.Sprintf("%-26s %s from the %-8s: %3d/%3d payloads match (%d retransmitted; %d distinct messages, %d required; %d B), keys even=%d odd=%d, handshake KMs %d, in-band KMREQ %d (%d distinct) KMRSP %d, key switches %d, KMs resealed byte for byte %d; libsrt receiver %d msgs, %d bad",
					sc.name, n.keyLens(), sc.from, n.Matched, n.Data, n.Rexmit, n.Chunks, res.sent, size,
					n.Keys["even"], n.Keys["odd"], n.HandshakeKMs, n.InBandKMREQ, n.Announced, n.InBandKMRSP, n.Switches, n.Resealed,
					res.received, res.bad)
				t.Log(line)
				mu.Lock()
				lines = append(lines, line)
				total += n.Matched
				mu.Unlock()
			})
		}
	})
	sort.Strings(lines)
	t.Logf("decrypted captures: %d scenarios, %d payloads matched, in %v\n\t%s",
		len(lines), total, time.Since(begin).Round(time.Millisecond), strings.Join(lines, "\n\t"))
	if len(crashes) > 0 {
		t.Logf("libsrt crashes (scenario run again): %s", strings.Join(crashes, "; "))
	}
}

// cryptLibsrtLogLine matches one line of libsrt's own log, which its threads
// write into srt-live-transmit's stderr, even in the middle of the
// application's own lines.
var cryptLibsrtLogLine = regexp.MustCompile(`\d\d:\d\d:\d\d\.\d{6}/[^\n]*\n`)

// cryptAppSaid reports whether srt-live-transmit wrote s to stderr, once the
// libsrt log lines are cut out of it.
func cryptAppSaid(p *proc, s string) bool {
	return strings.Contains(cryptLibsrtLogLine.ReplaceAllString(p.err.String(), ""), s)
}

// cryptWaitForApp waits until srt-live-transmit wrote s (see cryptAppSaid).
func cryptWaitForApp(t *testing.T, p *proc, s string, d time.Duration) {
	t.Helper()
	for deadline := time.Now().Add(d); !cryptAppSaid(p, s); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%s: no %q after %v\n%s", p.name, s, d, p.output())
		}
	}
}

// startSealListener runs srt-live-transmit as a listener with query.
func startSealListener(t *testing.T, port int, query string) *proc {
	t.Helper()
	uri := fmt.Sprintf("srt://127.0.0.1:%d?mode=listener&%s", port, query)
	l := start(t, "srt-live-transmit", 20*time.Second, nil, &syncBuffer{discard: true}, "srt-live-transmit",
		"-a:no", "-t:15", "-loglevel:note", uri, "file://con")
	l.waitFor(t, "Media path", 10*time.Second)
	time.Sleep(100 * time.Millisecond)
	return l
}

// TestCryptSealedKMREQ sends libsrt's listener (srt-live-transmit) a
// CONCLUSION built by our codec, after a real INDUCTION exchange, whose
// KMREQ crypt.SealPassphrase made. With the listener's passphrase it must
// accept, its KMRSP echoing our key material byte for byte; with another
// passphrase it must reject with SRT_REJ_BADSECRET (wire 1010) when it
// enforces encryption (the default), and answer with the one-word KMRSP
// state BADSECRET when it does not.
func TestCryptSealedKMREQ(t *testing.T) {
	requireTools(t)
	const listenerPass = "srtwire-listener-pass"
	type sealCase struct {
		name     string
		keyLen   int
		pass     string // ours
		noEnf    bool   // enforcedencryption=no on the listener
		rejected bool
		state    handshake.KMState
	}
	cases := []sealCase{
		{name: "aes128_accepted", keyLen: 16, pass: listenerPass, state: handshake.KMSecured},
		{name: "aes192_accepted", keyLen: 24, pass: listenerPass, state: handshake.KMSecured},
		{name: "aes256_accepted", keyLen: 32, pass: listenerPass, state: handshake.KMSecured},
		{name: "wrong_pass_enforced", keyLen: 16, pass: "not-the-listener-pass", rejected: true},
		{name: "wrong_pass_not_enforced", keyLen: 32, pass: "not-the-listener-pass", noEnf: true, state: handshake.KMBadSecret},
	}
	var mu sync.Mutex
	var lines []string
	t.Run("case", func(t *testing.T) {
		for i, tc := range cases {
			tc, port := tc, sealPortBase+i
			t.Run(tc.name, func(t *testing.T) {
				t.Parallel()
				q := fmt.Sprintf("passphrase=%s&pbkeylen=%d", listenerPass, tc.keyLen)
				if tc.noEnf {
					q += "&enforcedencryption=no"
				}
				l := startSealListener(t, port, q)
				keys, err := crypt.NewKeys(rand.Reader, tc.keyLen, handshake.KeyEven)
				if err != nil {
					t.Fatal(err)
				}
				km, err := crypt.SealPassphrase(rand.Reader, tc.pass, keys, handshake.CipherAESCTR)
				if err != nil {
					t.Fatal(err)
				}
				want, err := km.AppendBinary(nil)
				if err != nil {
					t.Fatal(err)
				}
				addr := netip.MustParseAddrPort(fmt.Sprintf("127.0.0.1:%d", port))
				c, err := srtsend.Dial(addr, srtsend.Config{Passphrase: tc.pass, KeyLen: tc.keyLen, KeyMaterial: &km})
				if err == nil {
					// Let srt-live-transmit finish accepting (its
					// ConfigurePost fails on a connection that our
					// SHUTDOWN already broke).
					cryptWaitForApp(t, l, "Accepted SRT source connection", 3*time.Second)
				}
				var line string
				if tc.rejected {
					var re *srtsend.RejectedError
					if !errors.As(err, &re) || re.Reason != reject.BadSecret || re.Reason.Wire() != 1010 {
						t.Fatalf("Dial: %v, want a rejection with SRT_REJ_BADSECRET (1010)\n%s", err, l.output())
					}
					line = fmt.Sprintf("%-24s rejected: %v, wire %d", tc.name, re.Reason.Name(), re.Reason.Wire())
				} else {
					if err != nil {
						t.Fatalf("Dial: %v\n%s", err, l.output())
					}
					resp := c.Response()
					rsp, ok := resp.Find(handshake.ExtKMRsp)
					switch {
					case !ok:
						t.Errorf("the CONCLUSION answer has no KMRSP")
					case tc.state == handshake.KMSecured && !bytes.Equal(rsp, want):
						t.Errorf("the KMRSP does not echo our KMREQ:\n got % x\nwant % x", rsp, want)
					case tc.state != handshake.KMSecured:
						st, err := handshake.DecodeKMState(rsp)
						if !handshake.IsKMState(rsp) || err != nil || st != tc.state {
							t.Errorf("KMRSP % x: state %v (%v), want %v", rsp, st, err, tc.state)
						}
					}
					if c.KMState() != tc.state {
						t.Errorf("KMState %v, want %v", c.KMState(), tc.state)
					}
					if o, err := resp.SRTOptions(); err != nil {
						t.Errorf("no HSRSP: %v", err)
					} else {
						line = fmt.Sprintf("%-24s accepted by libsrt %v: KMRSP %d bytes, state %v, response encryption field %d",
							tc.name, o.Version, len(rsp), c.KMState(), resp.Encryption)
					}
					if err := c.Close(); err != nil {
						t.Errorf("Close: %v", err)
					}
				}
				// What libsrt logged (-loglevel:note).
				if tc.rejected {
					l.waitFor(t, "rsp(REJECT): 1010", 3*time.Second)
					l.stop(syscall.SIGTERM, 3*time.Second)
				} else {
					if tc.state == handshake.KMSecured {
						l.waitFor(t, "KmState: SND=SECURED RCV=SECURED", time.Second)
					} else {
						l.waitFor(t, "BADSECRET", time.Second)
					}
					if !l.wait(5 * time.Second) { // it exits on our SHUTDOWN (-a:no)
						t.Errorf("srt-live-transmit did not end on our SHUTDOWN\n%s", l.output())
					}
				}
				t.Log(line)
				mu.Lock()
				lines = append(lines, line)
				mu.Unlock()
			})
		}
	})
	sort.Strings(lines)
	t.Logf("sealed KMREQ against srt-live-transmit %s:\n\t%s", srtVersion(), strings.Join(lines, "\n\t"))
}
