//go:build interop

package interop

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/srtwire/srtwire/handshake"
	"github.com/srtwire/srtwire/internal/testcorpus"
	"github.com/srtwire/srtwire/listener"
	"github.com/srtwire/srtwire/packet"
	"github.com/srtwire/srtwire/reject"
)

// decideCase is one combination of the differential matrix: the options of
// a libsrt listener (srt-live-transmit's URI keys, or the C peer's with its
// listen callback) and of a libsrt caller (the C peer).
type decideCase struct {
	name   string
	listen []string // key=value: passphrase, pbkeylen, enforcedencryption, transtype, messageapi, congestion, packetfilter, latency, minversion
	call   []string // the C peer's key=value options
	cb     bool     // the listener is the C peer with its listen callback (cb=1)
}

// matrixPortBase: case i uses port base+2i (libsrt) and base+2i+1
// (srtreject); below the ephemeral range (32768 up), so that no caller
// socket of another case takes one of them.
const matrixPortBase = 30400

func decideMatrix() []decideCase {
	const a, b = "decide-secret-A", "decide-secret-BB"
	pass := func(p string) string { return "passphrase=" + p }
	cs := []decideCase{
		{name: "same passphrase, enforced", listen: []string{pass(a)}, call: []string{pass(a)}},
		{name: "same passphrase, listener not enforced", listen: []string{pass(a), "enforcedencryption=0"}, call: []string{pass(a)}},
		{name: "different passphrase, enforced", listen: []string{pass(a)}, call: []string{pass(b)}},
		{name: "different passphrase, neither enforced", listen: []string{pass(a), "enforcedencryption=0"}, call: []string{pass(b), "enforcedencryption=0"}},
		{name: "different passphrase, caller enforced only", listen: []string{pass(a), "enforcedencryption=0"}, call: []string{pass(b)}},
		{name: "listener passphrase only, enforced", listen: []string{pass(a)}},
		{name: "listener passphrase only, neither enforced", listen: []string{pass(a), "enforcedencryption=0"}, call: []string{"enforcedencryption=0"}},
		{name: "listener passphrase only, caller enforced", listen: []string{pass(a), "enforcedencryption=0"}},
		{name: "caller passphrase only, enforced", call: []string{pass(a)}},
		{name: "caller passphrase only, neither enforced", listen: []string{"enforcedencryption=0"}, call: []string{pass(a), "enforcedencryption=0"}},
		{name: "caller passphrase only, caller enforced", listen: []string{"enforcedencryption=0"}, call: []string{pass(a)}},
	}
	for _, lk := range []int{16, 24, 32} {
		for _, ck := range []int{16, 24, 32} {
			cs = append(cs, decideCase{name: fmt.Sprintf("pbkeylen %d caller, %d listener", ck, lk),
				listen: []string{pass(a), fmt.Sprintf("pbkeylen=%d", lk)}, call: []string{pass(a), fmt.Sprintf("pbkeylen=%d", ck)}})
		}
	}
	cs = append(cs,
		decideCase{name: "messageapi: listener stream API, caller live", listen: []string{"messageapi=0"}},
		decideCase{name: "messageapi: caller file mode, listener live", call: []string{"transtype=file"}},
		decideCase{name: "file mode both sides", listen: []string{"transtype=file"}, call: []string{"transtype=file"}},
		decideCase{name: "congestion: listener file, caller live", listen: []string{"congestion=file"}},
		decideCase{name: "congestion: caller file, listener live stream API", listen: []string{"messageapi=0"}, call: []string{"transtype=file"}},
		decideCase{name: "FEC mismatch cols 4/5", listen: []string{"packetfilter=fec,cols:4,rows:2"}, call: []string{"packetfilter=fec,cols:5,rows:2"}},
		decideCase{name: "FEC same", listen: []string{"packetfilter=fec,cols:4,rows:2"}, call: []string{"packetfilter=fec,cols:4,rows:2"}},
		decideCase{name: "FEC listener only", listen: []string{"packetfilter=fec,cols:4,rows:2"}},
		decideCase{name: "FEC caller only", call: []string{"packetfilter=fec,cols:4,rows:2"}},
		decideCase{name: "FEC compatible, rows from the caller", listen: []string{"packetfilter=fec,cols:4"}, call: []string{"packetfilter=fec,cols:4,rows:2"}},
		decideCase{name: "FEC layout even vs default", listen: []string{"packetfilter=fec,cols:4,layout:even"}, call: []string{"packetfilter=fec,cols:4"}},
		decideCase{name: "FEC arq mismatch", listen: []string{"packetfilter=fec,cols:4,arq:always"}, call: []string{"packetfilter=fec,cols:4,arq:never"}},
	)
	for _, l := range [][2]int{{20, 120}, {120, 20}, {500, 120}, {120, 500}, {20, 500}, {500, 20}, {20, 20}} {
		cs = append(cs, decideCase{name: fmt.Sprintf("latency caller %d, listener %d", l[0], l[1]),
			listen: []string{fmt.Sprintf("latency=%d", l[1])}, call: []string{fmt.Sprintf("latency=%d", l[0])}})
	}
	cs = append(cs,
		decideCase{name: "minversion 1.5.2 > caller's 1.5.1", listen: []string{"minversion=" + strconv.Itoa(0x010502)}},
		decideCase{name: "minversion 1.5.1", listen: []string{"minversion=" + strconv.Itoa(0x010501)}},
		decideCase{name: "minversion 1.3.0", listen: []string{"minversion=" + strconv.Itoa(0x010300)}},
		decideCase{name: "callback rejects with 1403", cb: true, call: []string{"streamid=#!::r=forbidden,u=bob"}},
		decideCase{name: "callback rejects with 2005", cb: true, call: []string{"streamid=#!::r=user2005"}},
		decideCase{name: "callback rejects without a reason", cb: true, call: []string{"streamid=#!::r=noreason"}},
		decideCase{name: "callback accepts", cb: true, call: []string{"streamid=#!::r=live/feed1,u=alice"}},
		decideCase{name: "callback accepts, wrong passphrase", cb: true, listen: []string{pass(a)}, call: []string{pass(b), "streamid=#!::r=ok"}},
		decideCase{name: "callback rejects, passphrase matches", cb: true, listen: []string{pass(a)}, call: []string{pass(a), "streamid=#!::r=forbidden"}},
	)
	return cs
}

func optMap(kvs []string) map[string]string {
	m := map[string]string{}
	for _, kv := range kvs {
		k, v, _ := strings.Cut(kv, "=")
		m[k] = v
	}
	return m
}

// decideConfig is the listener configuration the options give libsrt.
func decideConfig(t *testing.T, c decideCase, cookies *listener.CookieBaker) listener.Config {
	o := optMap(c.listen)
	cfg := listener.LiveConfig(cookies)
	if o["transtype"] == "file" {
		cfg = listener.FileConfig(cookies)
	}
	cfg.Passphrase = o["passphrase"]
	if v, ok := o["pbkeylen"]; ok {
		cfg.PBKeyLen, _ = strconv.Atoi(v)
	}
	if o["enforcedencryption"] == "0" {
		cfg.EnforcedEncryption = false
	}
	if o["messageapi"] == "0" {
		cfg.MessageAPI = false
	}
	if v, ok := o["congestion"]; ok {
		cfg.Congestion = v
	}
	cfg.Filter = o["packetfilter"]
	if v, ok := o["latency"]; ok {
		n, _ := strconv.Atoi(v)
		cfg.SetLatency(uint16(n))
	}
	if v, ok := o["minversion"]; ok {
		n, _ := strconv.Atoi(v)
		cfg.MinVersion = handshake.SRTVersion(n)
	}
	if c.cb {
		cfg.Accept = peerCallback
	}
	if err := cfg.Check(); err != nil {
		t.Fatalf("%s: %v", c.name, err)
	}
	return cfg
}

// peerCallback is the C peer's listen callback (cb=1).
func peerCallback(sid string, _ *listener.Request) (bool, reject.Reason) {
	var r string
	if rest, ok := strings.CutPrefix(sid, "#!::"); ok {
		for _, kv := range strings.Split(rest, ",") {
			if v, ok := strings.CutPrefix(kv, "r="); ok {
				r = v
			}
		}
	}
	switch {
	case strings.HasPrefix(r, "forbidden"):
		return false, reject.Forbidden
	case strings.HasPrefix(r, "user") && len(r) > 4 && r[4] >= '0' && r[4] <= '9':
		n, _ := strconv.Atoi(r[4:])
		return false, reject.Reason(n)
	case r == "noreason":
		return false, listener.NoReason
	}
	return true, 0
}

// srtrejectArgs are the srtreject -libsrt flags for the same listener.
func srtrejectArgs(c decideCase, port int) []string {
	a := []string{"-libsrt", "-listen", fmt.Sprintf("127.0.0.1:%d", port)}
	for k, v := range optMap(c.listen) {
		switch k {
		case "enforcedencryption":
			a = append(a, "-enforced="+map[string]string{"0": "false", "1": "true"}[v])
		case "messageapi":
			a = append(a, "-messageapi="+map[string]string{"0": "false", "1": "true"}[v])
		case "packetfilter":
			a = append(a, "-filter", v)
		default:
			a = append(a, "-"+k, v)
		}
	}
	if c.cb {
		a = append(a, "-rule", "r=forbidden*:1403", "-rule", "r=user2005:2005", "-rule", "r=noreason:0")
	}
	return a
}

// callerOutcome is what the C caller reported: "accept" or the reason.
func callerOutcome(out string) string {
	if r := rejectReason(out); r >= 0 {
		return strconv.Itoa(r)
	}
	if strings.Contains(out, "CONNECTED (caller)") {
		return "accept"
	}
	return "none"
}

func answerText(d listener.Decision) string {
	switch d.Action {
	case listener.ActionReject:
		return fmt.Sprintf("reject %d", d.Reason.Wire())
	case listener.ActionAccept:
		return "accept"
	}
	return d.Action.String()
}

func libsrtAnswerText(p *packet.Packet) string {
	if p.Kind() == packet.KindShutdown {
		return "shutdown"
	}
	if p.Handshake.Type.IsRejection() {
		return fmt.Sprintf("reject %d", int32(p.Handshake.Type))
	}
	if p.Handshake.Type == handshake.Conclusion {
		return "accept"
	}
	return p.Handshake.Type.String()
}

type matrixRow struct {
	name, libsrt, ours, callerLib, callerOurs, why, detail string
	equal                                                  bool
}

// TestDecideMatrix runs each combination twice: a libsrt caller against a
// libsrt listener, captured, whose CONCLUSION is then fed to
// listener.Decide with the same listener configuration (the action, the
// reason, and on acceptance the whole answer, HSRSP and KMRSP included,
// must equal libsrt's but for the timestamp); and the same caller against
// srtreject -libsrt with the same options, whose srt_getrejectreason()
// must report what it reported against libsrt.
func TestDecideMatrix(t *testing.T) {
	requireTools(t)
	begin := time.Now()
	bin := t.TempDir()
	peer := buildPeer(t, bin)
	srtreject := buildSrtreject(t, bin)
	dir := t.TempDir()
	cases := decideMatrix()
	if len(cases) < 40 {
		t.Fatalf("only %d combinations", len(cases))
	}
	rows := make([]matrixRow, len(cases))
	t.Run("cases", func(t *testing.T) {
		for i, c := range cases {
			t.Run(fmt.Sprintf("%02d", i), func(t *testing.T) {
				t.Parallel()
				rows[i] = runMatrixCase(t, c, i, peer, srtreject, dir)
			})
		}
	})
	rows = append(rows, runStaleAndRepeat(t, peer, srtreject)...)

	failed := 0
	var sb strings.Builder
	fmt.Fprintf(&sb, "%-52s | %-11s | %-11s | %-7s | %-7s | %s\n", "combination", "libsrt", "Decide", "caller", "vs ours", "equal")
	for _, r := range rows {
		if !r.equal {
			failed++
			t.Errorf("%s: libsrt %s, Decide %s (%s); caller %s vs %s; %s", r.name, r.libsrt, r.ours, r.why, r.callerLib, r.callerOurs, r.detail)
		}
		fmt.Fprintf(&sb, "%-52s | %-11s | %-11s | %-7s | %-7s | %v\n", r.name, r.libsrt, r.ours, r.callerLib, r.callerOurs, r.equal)
	}
	t.Logf("differential matrix against libsrt %s, %d combinations, %d unequal, in %v:\n%s",
		srtVersion(), len(rows), failed, time.Since(begin).Round(time.Second), sb.String())
}

func runMatrixCase(t *testing.T, c decideCase, i int, peerBin, srtrejectBin, dir string) matrixRow {
	row := matrixRow{name: c.name}
	lport, sport := matrixPortBase+2*i, matrixPortBase+2*i+1
	capt := startCapture(t, dir, fmt.Sprintf("decide%02d", i), lport, sport)

	// libsrt listener.
	var l *proc
	if c.cb {
		l = start(t, "libsrt listener", 20*time.Second, nil, nil, peerBin,
			append([]string{"listen", "127.0.0.1", strconv.Itoa(lport), "cb=1", "deadline=8"}, c.listen...)...)
		l.waitFor(t, "LISTENING", 10*time.Second)
	} else {
		q := strings.Join(append([]string{"mode=listener"}, c.listen...), "&")
		l = start(t, "libsrt listener", 20*time.Second, nil, &syncBuffer{discard: true}, "srt-live-transmit",
			"-a:no", "-t:12", "-loglevel:note", fmt.Sprintf("srt://127.0.0.1:%d?%s", lport, q), "file://con")
		l.waitFor(t, "Media path", 10*time.Second)
	}
	time.Sleep(150 * time.Millisecond)
	callArgs := append([]string{"call", "127.0.0.1", "", "deadline=6", "conntimeo=4000", "count=1", "size=100"}, c.call...)
	runCaller := func(port int) string {
		a := append([]string(nil), callArgs...)
		a[2] = strconv.Itoa(port)
		p := start(t, "caller", 15*time.Second, nil, nil, peerBin, a...)
		p.wait(12 * time.Second)
		return callerOutcome(p.out.String())
	}
	row.callerLib = runCaller(lport)
	l.stop(syscall.SIGTERM, 3*time.Second)

	// srtreject -libsrt with the same options.
	s := start(t, "srtreject", 20*time.Second, nil, nil, srtrejectBin, srtrejectArgs(c, sport)...)
	s.waitFor(t, "listening on", 10*time.Second)
	row.callerOurs = runCaller(sport)
	s.stop(syscall.SIGINT, 3*time.Second)
	path := capt.stop(t)

	// The caller's CONCLUSION to libsrt and libsrt's answer.
	frames, err := testcorpus.ReadPcap(path)
	if err != nil {
		row.detail = "reading the capture: " + err.Error()
		return row
	}
	var req, ans *testcorpus.Frame
	for k := range frames {
		f := &frames[k]
		var p packet.Packet
		if f.Dst.Port() == uint16(lport) && p.Decode(f.Payload) == nil && p.Kind() == packet.KindHandshake &&
			p.DstSocket == 0 && p.Handshake.Type == handshake.Conclusion {
			req = f
			for m := k + 1; m < len(frames); m++ {
				g := &frames[m]
				var q packet.Packet
				if g.Src == f.Dst && g.Dst == f.Src && q.Decode(g.Payload) == nil &&
					(q.Kind() == packet.KindHandshake || q.Kind() == packet.KindShutdown) {
					ans = g
					break
				}
			}
			break
		}
	}
	if req == nil || ans == nil {
		row.detail = "no CONCLUSION and answer in the capture"
		return row
	}
	var want packet.Packet
	_ = want.Decode(ans.Payload)
	row.libsrt = libsrtAnswerText(&want)

	cookies, _ := listener.NewCookieBaker(req.Time.Add(-time.Second), 0, nil)
	cfg := decideConfig(t, c, cookies)
	libID := want.Handshake.SocketID
	cfg.SocketID = func(netip.AddrPort, uint32, uint32) uint32 { return libID }
	cookie := cookies.Cookie(req.Src, req.Time)
	d := listener.Decide(&cfg, setCookie(req.Payload, cookie), req.Src, req.Time, nil)
	row.ours, row.why = answerText(d), d.Why()
	sameAnswer := bytes.Equal(zeroTimestamp(setCookie(ans.Payload, cookie)), zeroTimestamp(d.Answer))
	if !sameAnswer {
		row.detail = fmt.Sprintf("answers differ:\nlibsrt % x\nours   % x", ans.Payload, d.Answer)
	}
	row.equal = row.libsrt == row.ours && sameAnswer && row.callerLib == row.callerOurs && row.callerLib != "none"
	if d.Action == listener.ActionAccept && d.KMRSP {
		row.ours += " km=" + d.KMState.String()
		row.libsrt += " km=" + d.KMState.String()
	}
	return row
}

func setCookie(d []byte, c uint32) []byte {
	d = bytes.Clone(d)
	if len(d) >= packet.HeaderSize+32 {
		binary.BigEndian.PutUint32(d[packet.HeaderSize+28:], c)
	}
	return d
}

func zeroTimestamp(d []byte) []byte {
	d = bytes.Clone(d)
	if len(d) >= 12 {
		binary.BigEndian.PutUint32(d[8:], 0)
	}
	return d
}

// goCaller drives a handshake by hand from a UDP socket, for what a libsrt
// caller cannot be made to send: a stale cookie and a repeated CONCLUSION.
type goCaller struct {
	conn *net.UDPConn
	to   netip.AddrPort
	id   uint32
}

func (g *goCaller) send(t *testing.T, h *handshake.Handshake, ext func(*handshake.Builder)) []byte {
	hdr := packet.Header{Control: true, Type: packet.TypeHandshake, Timestamp: 1000}
	b, _ := hdr.AppendBinary(nil)
	bl := handshake.NewBuilder(b, h)
	if ext != nil {
		ext(&bl)
	}
	b, err := bl.Finish()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := g.conn.WriteToUDPAddrPort(b, g.to); err != nil {
		t.Fatal(err)
	}
	return b
}

// recv returns the next handshake datagram within d, or nil.
func (g *goCaller) recv(d time.Duration) []byte {
	buf := make([]byte, 2048)
	deadline := time.Now().Add(d)
	for {
		g.conn.SetReadDeadline(deadline)
		n, _, err := g.conn.ReadFromUDPAddrPort(buf)
		if err != nil {
			return nil
		}
		var p packet.Packet
		if p.Decode(buf[:n]) == nil && p.Kind() == packet.KindHandshake {
			return bytes.Clone(buf[:n])
		}
	}
}

// handshakeRun is INDUCTION, a CONCLUSION with a stale cookie, the
// CONCLUSION with the right cookie, and that CONCLUSION again.
type handshakeRun struct {
	from               netip.AddrPort
	stale, conclusion  []byte // what was sent
	staleAns, ans, rep []byte // what came back (nil: nothing)
	when               time.Time
}

func runGoCaller(t *testing.T, port int) handshakeRun {
	conn, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	g := &goCaller{conn: conn, to: netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), uint16(port)), id: 0x1A2B3C4D & 0x3FFFFFFF}
	run := handshakeRun{from: conn.LocalAddr().(*net.UDPAddr).AddrPort()}
	ind := handshake.Handshake{Version: 4, Extension: 2, ISN: 424242, MTU: 1500, FlowWindow: 8192, Type: handshake.Induction, SocketID: g.id}
	_ = ind.SetPeerAddr(g.to.Addr())
	g.send(t, &ind, nil)
	a := g.recv(2 * time.Second)
	if a == nil {
		t.Errorf("no INDUCTION answer from port %d", port)
		return run
	}
	cookie := binary.BigEndian.Uint32(a[packet.HeaderSize+28:])
	conc := ind
	conc.Version, conc.Extension, conc.Type = 5, 0, handshake.Conclusion
	hsreq := func(b *handshake.Builder) {
		b.AddHSReq(handshake.ExtHSReq, handshake.HSReq{Version: handshake.MakeSRTVersion(1, 5, 1), Flags: 0xBF, RecvDelay: 120})
	}
	conc.Cookie = cookie ^ 0x5A5A5A5A
	run.stale = g.send(t, &conc, hsreq)
	run.staleAns = g.recv(time.Second)
	conc.Cookie = cookie
	run.when = time.Now()
	run.conclusion = g.send(t, &conc, hsreq)
	run.ans = g.recv(2 * time.Second)
	g.send(t, &conc, hsreq)
	run.rep = g.recv(2 * time.Second)
	return run
}

// runStaleAndRepeat checks a stale cookie (libsrt says nothing) and a
// repeated CONCLUSION (libsrt answers it again, the same) against libsrt,
// Decide and srtreject.
func runStaleAndRepeat(t *testing.T, peerBin, srtrejectBin string) []matrixRow {
	const lport, sport = matrixPortBase + 190, matrixPortBase + 191
	// The C peer keeps listening while it serves the accepted socket
	// (srt-live-transmit closes its listener once it has accepted, and a
	// closed listener answers nothing).
	l := start(t, "libsrt listener", 20*time.Second, nil, nil, peerBin, "listen", "127.0.0.1", strconv.Itoa(lport), "deadline=6")
	l.waitFor(t, "LISTENING", 10*time.Second)
	lib := runGoCaller(t, lport)
	l.stop(syscall.SIGTERM, 3*time.Second)
	s := start(t, "srtreject", 20*time.Second, nil, nil, srtrejectBin, "-libsrt", "-listen", fmt.Sprintf("127.0.0.1:%d", sport))
	s.waitFor(t, "listening on", 10*time.Second)
	ours := runGoCaller(t, sport)
	s.stop(syscall.SIGINT, 3*time.Second)

	text := func(b []byte) string {
		if b == nil {
			return "silent"
		}
		var p packet.Packet
		_ = p.Decode(b)
		return libsrtAnswerText(&p)
	}
	cookies, _ := listener.NewCookieBaker(lib.when.Add(-time.Second), 0, nil)
	cfg := listener.LiveConfig(cookies)
	cfg.Peers = listener.NewPeers(0)
	var libID uint32
	if lib.ans != nil {
		libID = binary.BigEndian.Uint32(lib.ans[packet.HeaderSize+24:])
	}
	cfg.SocketID = func(netip.AddrPort, uint32, uint32) uint32 { return libID }
	cookie := cookies.Cookie(lib.from, lib.when)
	dStale := listener.Decide(&cfg, lib.stale, lib.from, lib.when, nil) // its cookie is wrong for this baker too
	d1 := listener.Decide(&cfg, setCookie(lib.conclusion, cookie), lib.from, lib.when, nil)
	d2 := listener.Decide(&cfg, setCookie(lib.conclusion, cookie), lib.from, lib.when.Add(time.Millisecond), nil)

	stale := matrixRow{name: "stale cookie", libsrt: text(lib.staleAns), ours: dStale.Action.String(), why: dStale.Why(),
		callerLib: text(lib.staleAns), callerOurs: text(ours.staleAns)}
	stale.equal = lib.staleAns == nil && dStale.Action == listener.ActionSilent && ours.staleAns == nil
	repeat := matrixRow{name: "repeated CONCLUSION", libsrt: text(lib.rep), ours: answerText(d2), why: d2.Why(),
		callerLib: text(lib.rep), callerOurs: text(ours.rep)}
	libSame := lib.ans != nil && lib.rep != nil && bytes.Equal(zeroTimestamp(lib.ans), zeroTimestamp(lib.rep))
	oursSame := ours.ans != nil && ours.rep != nil && bytes.Equal(zeroTimestamp(ours.ans), zeroTimestamp(ours.rep))
	decideSame := lib.ans != nil && bytes.Equal(zeroTimestamp(setCookie(lib.ans, cookie)), zeroTimestamp(d1.Answer)) &&
		bytes.Equal(d1.Answer, d2.Answer) && d2.Row == listener.RowRepeat
	repeat.equal = libSame && oursSame && decideSame
	if !repeat.equal {
		repeat.detail = fmt.Sprintf("libsrt answers the repeat alike: %v, srtreject: %v, Decide equal to libsrt and a repeat: %v\nlibsrt % x\nours   % x",
			libSame, oursSame, decideSame, lib.ans, d1.Answer)
	}
	return []matrixRow{stale, repeat}
}
