package srtfuzz

import (
	"context"
	"encoding/binary"
	"errors"
	"math/rand/v2"
	"net"
	"net/netip"
	"os"
	"regexp"
	"slices"
	"syscall"
	"time"

	"github.com/srtwire/srtwire/handshake"
	"github.com/srtwire/srtwire/listener"
	"github.com/srtwire/srtwire/packet"
)

// Datagram is one datagram of a case, as sent or received.
type Datagram struct {
	Out bool // sent by srtfuzz (false: received from the target)
	T   time.Time
	B   []byte
}

// Record is everything one case (or one liveness probe) put on the wire.
type Record struct {
	N       uint64
	Class   string
	Variant string
	// Retry marks the second run of a case whose answer differed from
	// libsrt's, or a replay.
	Retry     bool
	Local     netip.AddrPort
	Target    netip.AddrPort
	Start     time.Time
	End       time.Time
	Datagrams []Datagram
	// Conclusion is the index in Datagrams of the CONCLUSION Decide
	// judged, -1 when none was sent.
	Conclusion int
}

// Result is what a case found out.
type Result struct {
	Record *Record
	Class  *Class
	Bytes  bool // byte-level mutation on top of the class's
	// Answer is what the target answered to the CONCLUSION (see Classify),
	// AnswerSilent, or AnswerNoInduction.
	Answer string
	// Expected is what Decide says libsrt answers, and Row its check.
	Expected string
	Row      listener.Row
	// Post are the distinct answers to the post-handshake packets
	// (AnswerSilent when none, AnswerNoSession when the handshake failed).
	Post []string
	// Refused is set when the kernel reported the target's port closed
	// (an ICMP port unreachable).
	Refused bool
	// Skipped is set when the case matched Config.Avoid and was not sent.
	Skipped bool
	Err     error
}

// Differs reports whether the target answered otherwise than Decide.
func (r *Result) Differs() bool {
	return r.Answer != AnswerNoInduction && r.Expected != "" && r.Answer != r.Expected
}

// runner runs cases against one target.
type runner struct {
	target  netip.AddrPort
	env     *Env
	lim     *limiter
	seed    uint64
	classes []*Class
	bytes   float64 // share of cases with byte-level mutation
	// answer is how long to wait for an answer before calling it silence.
	answer time.Duration
	// oracle is the target's claimed configuration with srtfuzz's own
	// cookie baker (Decide must find the cookie valid).
	oracle *listener.Config
	settle time.Duration
	minMSS uint32
	maxFW  uint32
	avoid  *regexp.Regexp
}

func newRunner(cfg *Config, target netip.AddrPort, lim *limiter) (*runner, error) {
	o := *cfg.Env.Listener
	baker, err := listener.NewCookieBaker(time.Now(), 0, nil)
	if err != nil {
		return nil, err
	}
	o.Cookies, o.Start, o.Peers = baker, time.Now(), nil
	return &runner{target: target, env: cfg.Env, lim: lim, seed: cfg.Seed, classes: cfg.Classes, bytes: cfg.Bytes,
		answer: cfg.AnswerTimeout, oracle: &o, settle: cfg.Settle, minMSS: cfg.MinMSS, maxFW: cfg.MaxFlowWindow, avoid: cfg.Avoid}, nil
}

// Plan returns the class of case n and whether it adds byte-level
// mutation, and the generator the rest of the case draws from: a case is
// a function of the seed and its number.
func Plan(seed, n uint64, classes []*Class, bytes float64) (*Class, bool, *rand.Rand) {
	r := rand.New(rand.NewPCG(seed, n))
	c := classes[r.IntN(len(classes))]
	return c, r.Float64() < bytes, r
}

// conn is a case's socket: a fresh source port, connected to the target.
type conn struct {
	c     *net.UDPConn
	rec   *Record
	lim   *limiter
	start time.Time
	buf   []byte
}

func (x *runner) dial() (*conn, error) {
	c, err := net.DialUDP("udp", nil, net.UDPAddrFromAddrPort(x.target))
	if err != nil {
		return nil, err
	}
	now := time.Now()
	local := c.LocalAddr().(*net.UDPAddr).AddrPort()
	return &conn{c: c, lim: x.lim, start: now, buf: make([]byte, 65536),
		rec: &Record{Local: netip.AddrPortFrom(local.Addr().Unmap(), local.Port()), Target: x.target, Start: now, Conclusion: -1}}, nil
}

func (c *conn) close() {
	c.rec.End = time.Now()
	c.c.Close()
}

func (c *conn) ts() uint32 { return uint32(time.Since(c.start).Microseconds()) }

func (c *conn) send(ctx context.Context, b []byte) error {
	if err := c.lim.wait(ctx); err != nil {
		return err
	}
	c.rec.Datagrams = append(c.rec.Datagrams, Datagram{Out: true, T: time.Now(), B: b})
	_, err := c.c.Write(b)
	if isRefused(err) {
		return nil // a later read reports it
	}
	return err
}

// recv returns the next datagram from the target within d, nil on
// timeout. refused is set when the target's port is closed.
func (c *conn) recv(ctx context.Context, d time.Duration) (b []byte, refused bool, err error) {
	deadline := time.Now().Add(d)
	if dl, ok := ctx.Deadline(); ok && dl.Before(deadline) {
		deadline = dl
	}
	_ = c.c.SetReadDeadline(deadline)
	n, err := c.c.Read(c.buf)
	if err != nil {
		var ne net.Error
		switch {
		case errors.As(err, &ne) && ne.Timeout():
			return nil, false, nil
		case isRefused(err):
			// The kernel may report the ICMP error at once: wait out
			// the rest of the time, as for silence.
			time.Sleep(time.Until(deadline))
			return nil, true, nil
		}
		return nil, false, err
	}
	b = append([]byte(nil), c.buf[:n]...)
	c.rec.Datagrams = append(c.rec.Datagrams, Datagram{T: time.Now(), B: b})
	return b, false, nil
}

// lateFactor is how many times the answer timeout a case waits when
// Decide says an answer is due.
const lateFactor = 4

// answer returns the target's answer to a CONCLUSION within d, skipping
// late answers to the case's INDUCTIONs (it resends them until one is
// answered) unless wantInduction says the CONCLUSION was itself turned
// into an INDUCTION.
func (c *conn) answer(ctx context.Context, d time.Duration, wantInduction bool) (b []byte, refused bool, err error) {
	end := time.Now().Add(d)
	for time.Now().Before(end) {
		b, ref, err := c.recv(ctx, time.Until(end))
		refused = refused || ref
		if b == nil || err != nil {
			return nil, refused, err
		}
		var p packet.Packet
		if !wantInduction && p.Decode(b) == nil && p.Kind() == packet.KindHandshake && p.Handshake.Type == handshake.Induction {
			continue
		}
		return b, refused, nil
	}
	return nil, refused, nil
}

// drain records what else arrives within d.
func (c *conn) drain(ctx context.Context, d time.Duration) (got [][]byte, refused bool) {
	end := time.Now().Add(d)
	for time.Now().Before(end) {
		b, ref, err := c.recv(ctx, time.Until(end))
		refused = refused || ref
		if b == nil || err != nil {
			return got, refused
		}
		got = append(got, b)
	}
	return got, refused
}

func isRefused(err error) bool {
	var se *os.SyscallError
	return err != nil && errors.As(err, &se) && errors.Is(se.Err, syscall.ECONNREFUSED)
}

// induction sends c's INDUCTION until the target answers it (tries times,
// waiting wait each time) and returns the answer's CIF.
func (c *conn) induction(ctx context.Context, caller Caller, tries int, wait time.Duration) (hs handshake.Handshake, ok, refused bool, err error) {
	for t := 0; t < tries && ctx.Err() == nil; t++ {
		if err := c.send(ctx, Induction(caller, c.rec.Target.Addr(), c.ts())); err != nil {
			return hs, false, refused, err
		}
		end := time.Now().Add(wait)
		for time.Now().Before(end) {
			b, ref, err := c.recv(ctx, time.Until(end))
			refused = refused || ref
			if err != nil {
				return hs, false, refused, err
			}
			if b == nil {
				break
			}
			var p packet.Packet
			if p.Decode(b) == nil && p.Kind() == packet.KindHandshake && p.Handshake.Type == handshake.Induction {
				return p.Handshake, true, refused, nil
			}
		}
	}
	return hs, false, refused, ctx.Err()
}

// inductionWait is how often a case resends its INDUCTION (at most; the
// answer timeout when it is shorter), for about a second: a listener that
// is being re-created (srt-live-transmit closes its listener while it
// serves a caller) gets that long.
const inductionWait = 10 * time.Millisecond

// conclusion builds the CONCLUSION of case n from the model: the base a
// libsrt caller configured like the target sends, the class's mutation,
// byte-level mutation when withBytes (conclusion classes only), and the
// -min-mss/-max-flow-window bounds. It is a function of the seed, n and
// the cookie (and the timestamp ts).
func (x *runner) conclusion(r *rand.Rand, cls *Class, withBytes bool, caller Caller, cookie, ts uint32, n uint64) (Conclusion, []byte, string) {
	m := x.env.Base(r, caller, cookie, n)
	m.Header.Timestamp = ts
	variant := "valid handshake"
	if cls.Mutate != nil {
		variant = cls.Mutate(r, &m, x.env)
	}
	b := m.Encode(nil, nil)
	if withBytes && cls.Phase == PhaseConclusion {
		var bv string
		b, bv = MutateBytes(r, b, conclusionMin, conclusionKeep)
		variant += "; bytes: " + bv
	}
	if x.minMSS > 0 || x.maxFW > 0 {
		b = clampFields(b, x.minMSS, x.maxFW)
	}
	return m, b, variant
}

// runCase runs case n. scale multiplies the answer timeout (a retry waits
// longer).
func (x *runner) runCase(ctx context.Context, n uint64, retry bool, scale int) Result {
	cls, withBytes, r := Plan(x.seed, n, x.classes, x.bytes)
	res := Result{Class: cls, Bytes: withBytes}
	c, err := x.dial()
	if err != nil {
		res.Err = err
		res.Answer = AnswerNoInduction
		res.Record = &Record{N: n, Class: cls.Name, Target: x.target, Start: time.Now(), End: time.Now(), Conclusion: -1}
		return res
	}
	defer c.close()
	c.rec.N, c.rec.Class, c.rec.Retry = n, cls.Name, retry
	res.Record = c.rec
	caller := newCaller(r)

	iw := min(x.answer, inductionWait)
	ans, ok, refused, err := c.induction(ctx, caller, max(2, int(time.Second/iw)), iw)
	res.Refused = refused
	if !ok {
		res.Answer, res.Err = AnswerNoInduction, err
		return res
	}
	m, b, variant := x.conclusion(r, cls, withBytes, caller, ans.Cookie, c.ts(), n)
	if x.avoid != nil && cls.Phase == PhaseConclusion && x.avoid.MatchString(variant+"; sent: "+Contents(b)) {
		c.rec.Variant, res.Skipped = variant, true
		return res
	}

	// What libsrt would answer: Decide on the same datagram, with the
	// target's cookie replaced by one srtfuzz's baker finds valid.
	now := time.Now()
	d := listener.Decide(x.oracle, oracleDatagram(b, ans.Cookie, x.oracle.Cookies.Cookie(c.rec.Local, now)), c.rec.Local, now, make([]byte, 0, 1500))
	res.Expected, res.Row = Expected(&d), d.Row

	c.rec.Conclusion = len(c.rec.Datagrams)
	if err := c.send(ctx, b); err != nil {
		res.Err = err
	}
	wait := time.Duration(scale) * x.answer
	if res.Expected != AnswerSilent && scale == 1 {
		// An answer is due: a late one is still the answer (a loaded
		// listener, or one re-created a moment ago).
		wait *= lateFactor
	}
	got, ref, err := c.answer(ctx, wait, m.HS.Type == handshake.Induction)
	res.Refused = res.Refused || ref
	if err != nil {
		res.Err = err
	}
	res.Answer = AnswerSilent
	var peer uint32
	var mss int
	if got != nil {
		res.Answer = Classify(got)
		var p packet.Packet
		if p.Decode(got) == nil && p.Kind() == packet.KindHandshake && p.Handshake.Type == handshake.Conclusion {
			peer, mss = p.Handshake.SocketID, int(min(m.HS.MTU, p.Handshake.MTU))
		}
		c.drain(ctx, linger)
	}
	accepted := peer != 0 || (got != nil && res.Answer == AnswerAccept)
	if accepted && x.settle > 0 {
		x.settleDown(ctx)
	}

	if cls.Phase == PhasePost {
		if !accepted {
			res.Post = []string{AnswerNoSession}
		} else {
			s := Session{Peer: peer, Caller: caller, MSS: mss, Timestamp: c.ts()}
			pkts, pv := cls.Post(r, &s, x.env)
			variant += "; " + pv
			if x.avoid != nil && x.avoid.MatchString(variant) {
				pkts, res.Skipped = nil, true
			}
			if withBytes {
				variant += "; bytes:"
				for i := range pkts {
					if i == len(pkts)-1 || r.IntN(2) == 0 {
						var bv string
						pkts[i], bv = MutateBytes(r, pkts[i], packet.HeaderSize, postKeep)
						variant += " " + bv
					}
				}
			}
			for _, p := range pkts {
				if err := c.send(ctx, p); err != nil {
					res.Err = err
					break
				}
			}
			answers, ref := c.drain(ctx, time.Duration(scale)*x.answer)
			res.Refused = res.Refused || ref
			res.Post = postAnswers(answers)
		}
	}
	if accepted {
		// Close the connection as a caller does, so that the listener
		// frees it (and srt-live-transmit listens again).
		s := Session{Peer: peer, Timestamp: c.ts()}
		_ = c.send(ctx, s.control(packet.TypeShutdown, 0, 0, make([]byte, 4)))
	}
	c.rec.Variant = variant
	return res
}

// clampFields raises the MSS field of a CONCLUSION to at least minMSS and
// lowers its flow window to at most maxFW (0: no bound).
func clampFields(b []byte, minMSS, maxFW uint32) []byte {
	const mss, fw = packet.HeaderSize + 12, packet.HeaderSize + 16
	if minMSS > 0 && len(b) >= mss+4 && binary.BigEndian.Uint32(b[mss:]) < minMSS {
		binary.BigEndian.PutUint32(b[mss:], minMSS)
	}
	if maxFW > 0 && len(b) >= fw+4 && binary.BigEndian.Uint32(b[fw:]) > maxFW {
		binary.BigEndian.PutUint32(b[fw:], maxFW)
	}
	return b
}

// settleDown waits until the listener no longer answers an INDUCTION, or
// the settle time is over: an application that serves one caller at a
// time closes its listener once it has taken the connection
// (srt-live-transmit: apps/transmitmedia.cpp SrtCommon::AcceptNewClient),
// and then it has set its options on the connection too. Ten
// INDUCTIONs in a row must go unanswered, so that an answer that is
// merely late is not taken for a closed listener.
func (x *runner) settleDown(ctx context.Context) {
	end := time.Now().Add(x.settle)
	c, err := x.dial()
	if err != nil {
		time.Sleep(x.settle)
		return
	}
	defer c.c.Close()
	caller := newCaller(rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 2)))
	misses := 0
	for time.Now().Before(end) && ctx.Err() == nil {
		_, ok, _, _ := c.induction(ctx, caller, 1, max(time.Millisecond, min(settleStep, time.Until(end))))
		if ok {
			misses = 0
			time.Sleep(settleStep / 2)
			continue
		}
		if misses++; misses == settleMisses {
			return
		}
	}
}

// settleStep is how long settleDown waits for each INDUCTION answer, and
// settleMisses how many must be missing in a row.
const (
	settleStep   = 10 * time.Millisecond
	settleMisses = 10
)

// linger is how long a case keeps reading after the answer, for what a
// listener sends next (srtreject's SHUTDOWN after an accepted CONCLUSION).
const linger = 2 * time.Millisecond

// postAnswers returns the distinct kinds of the answers, sorted.
func postAnswers(answers [][]byte) []string {
	var out []string
	for _, b := range answers {
		k := ClassifyPost(b)
		if !slices.Contains(out, k) {
			out = append(out, k)
		}
	}
	if len(out) == 0 {
		return []string{AnswerSilent}
	}
	slices.Sort(out)
	return out
}

// oracleDatagram returns b with the cookie field set to ours when it holds
// the target's (a copy; b itself is what the target gets).
func oracleDatagram(b []byte, theirs, ours uint32) []byte {
	const off = packet.HeaderSize + 28
	if len(b) < off+4 || binary.BigEndian.Uint32(b[off:]) != theirs {
		return b
	}
	o := append([]byte(nil), b...)
	binary.BigEndian.PutUint32(o[off:], ours)
	return o
}

// probe reports whether the target answers a valid INDUCTION from a fresh
// port within d (resending it every 10 ms, or every answer timeout when
// that is longer). It gives up early once dead (may be nil) says so.
func (x *runner) probe(ctx context.Context, d time.Duration, dead func() bool) (bool, *Record) {
	c, err := x.dial()
	if err != nil {
		return false, nil
	}
	defer c.close()
	c.rec.Class, c.rec.Variant = "probe", "liveness probe"
	caller := newCaller(rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 1)))
	wait := min(d, max(x.answer, inductionWait))
	for end := time.Now().Add(d); time.Now().Before(end); {
		if _, ok, _, _ := c.induction(ctx, caller, 1, min(wait, max(time.Millisecond, time.Until(end)))); ok {
			return true, c.rec
		}
		if ctx.Err() != nil || (dead != nil && dead()) {
			break
		}
	}
	return false, c.rec
}
