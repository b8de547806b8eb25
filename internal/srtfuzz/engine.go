package srtfuzz

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/srtwire/srtwire/listener"
)

// Config is a fuzzing run.
type Config struct {
	// Targets are the listeners; each worker keeps to one of them (worker
	// i to Targets[i % len(Targets)]), so that a listener that serves one
	// caller at a time (srt-live-transmit) can be run several times over.
	Targets []netip.AddrPort
	Env     *Env
	Seed    uint64
	Classes []*Class
	// Cases and Duration bound the run (0: no bound; at least one must be
	// set).
	Cases    uint64
	Duration time.Duration
	// Rate bounds the datagrams sent per second, over everything.
	Rate float64
	// Workers is how many cases are in flight at once.
	Workers int
	// ProbeEvery runs a liveness probe after every that many cases.
	ProbeEvery int
	// AnswerTimeout is how long a case waits for an answer before counting
	// silence; LivenessTimeout how long a probe waits for the INDUCTION
	// answer before the target is declared dead.
	AnswerTimeout, LivenessTimeout time.Duration
	// Settle bounds how long a case waits, after an accepted handshake,
	// for the listener to stop answering INDUCTIONs before it sends
	// anything else. An application that serves one caller at a time
	// closes its listener once it has taken the connection; srt-live-transmit
	// exits when the connection breaks before it has set its options on it
	// (apps/transmitmedia.cpp SrtCommon::AcceptNewClient). 0: no wait.
	Settle time.Duration
	// Bytes is the share of cases with byte-level mutation on top of
	// their class's.
	Bytes float64
	// Confirm re-runs a case whose answer differs from Decide's once
	// (after a probe, waiting 4 times longer) before counting it.
	Confirm bool
	// OutDir receives the reproducers.
	OutDir      string
	MaxFindings int
	// Process is the target when srtfuzz started it (-exec), else nil;
	// it needs a single target.
	Process *Process
	// Avoid, when set, leaves out the cases whose description (the
	// variant the report and reproducers show) it matches: a way to steer
	// clear of a finding already made.
	Avoid *regexp.Regexp
	// MinMSS, when not 0, raises the MSS of every CONCLUSION to at least
	// MinMSS, and MaxFlowWindow lowers its flow window to at most that
	// (to keep clear of findings already made).
	MinMSS, MaxFlowWindow uint32
	// Log receives progress lines; Verbose adds one per case.
	Log     io.Writer
	Verbose bool
}

// engine is one run.
type engine struct {
	cfg  *Config
	tgts []*tstate
	ctx  context.Context

	mu      sync.Mutex // rep, byClass, diffs, sigs and every tstate's window
	rep     *Report
	byClass map[string]*ClassReport
	diffs   map[diffKey]*Difference
	sigs    map[string]*Finding

	gate    sync.RWMutex // cases hold it for reading; a failure is handled alone
	done    atomic.Uint64
	stopped atomic.Bool
	why     atomic.Value  // string
	stopCh  chan struct{} // closed by stop
}

// tstate is one target of a run.
type tstate struct {
	x       *runner
	checkMu sync.Mutex
	// window holds the cases that ended since the last good probe of
	// this target started.
	window []*Record
	done   uint64 // cases run against it
	// dead is set when the target stopped answering and did not come
	// back: its workers stop.
	dead atomic.Bool
}

type diffKey struct {
	row              listener.Row
	expected, answer string
}

// ErrTargetDown reports a target that does not answer at the start.
var ErrTargetDown = errors.New("srtfuzz: the target does not answer an INDUCTION")

// maxWindow bounds the cases kept for a reproducer.
const maxWindow = 4096

// Run fuzzes the target until a bound is reached, ctx is done, the target
// stays down, or MaxFindings distinct findings were made, and returns the
// report.
func Run(ctx context.Context, cfg *Config) (*Report, error) {
	if cfg.Workers < 1 {
		cfg.Workers = 1
	}
	if cfg.ProbeEvery < 1 {
		cfg.ProbeEvery = 1
	}
	if len(cfg.Classes) == 0 {
		cfg.Classes = Classes()
	}
	if len(cfg.Targets) == 0 {
		return nil, errors.New("srtfuzz: no target")
	}
	if cfg.Process != nil && len(cfg.Targets) != 1 {
		return nil, errors.New("srtfuzz: a started target (Process) needs exactly one target address")
	}
	e := &engine{cfg: cfg, ctx: ctx, stopCh: make(chan struct{}), byClass: map[string]*ClassReport{}, diffs: map[diffKey]*Difference{}, sigs: map[string]*Finding{}}
	lim := newLimiter(cfg.Rate)
	var names []string
	for _, t := range cfg.Targets {
		x, err := newRunner(cfg, t, lim)
		if err != nil {
			return nil, err
		}
		e.tgts = append(e.tgts, &tstate{x: x})
		names = append(names, t.String())
	}
	if cfg.Workers < len(cfg.Targets) {
		cfg.Workers = len(cfg.Targets)
	}
	e.rep = &Report{Target: strings.Join(names, ","), Seed: cfg.Seed, Listener: DescribeConfig(cfg.Env.Listener), Start: time.Now()}
	for _, c := range cfg.Classes {
		cr := &ClassReport{Name: c.Name, Phase: c.Phase.String(), Answers: map[string]int{}}
		if c.Phase == PhasePost {
			cr.Post = map[string]int{}
		}
		e.byClass[c.Name] = cr
		e.rep.Classes = append(e.rep.Classes, cr)
	}
	if cfg.Process != nil && cfg.Process.Exited() {
		if err := cfg.Process.Start(); err != nil {
			return nil, err
		}
	}
	for _, t := range e.tgts {
		if !e.waitUp(t, e.startWait()) {
			return e.rep, fmt.Errorf("%w at %s within %v", ErrTargetDown, t.x.target, e.startWait())
		}
	}

	var end <-chan time.Time
	if cfg.Duration > 0 {
		t := time.NewTimer(cfg.Duration)
		defer t.Stop()
		end = t.C
	}
	jobs := make(chan uint64)
	go func() {
		defer close(jobs)
		for n := uint64(1); cfg.Cases == 0 || n <= cfg.Cases; n++ {
			select {
			case jobs <- n:
			case <-end:
				e.stop("duration reached")
				return
			case <-ctx.Done():
				e.stop("interrupted")
				return
			case <-e.stopCh:
				return
			}
			if e.stopped.Load() {
				return
			}
		}
		e.stop("case count reached")
	}()
	var wg sync.WaitGroup
	for w := 0; w < cfg.Workers; w++ {
		wg.Add(1)
		t := e.tgts[w%len(e.tgts)]
		go func() {
			defer wg.Done()
			for n := range jobs {
				if e.halted() {
					continue
				}
				if t.dead.Load() {
					return
				}
				e.one(t, n)
			}
		}()
	}
	wg.Wait()
	// A last probe of each target: the final cases count too.
	for _, t := range e.tgts {
		if !e.halted() && !t.dead.Load() {
			e.check(t, true)
		}
	}
	e.rep.Elapsed = time.Since(e.rep.Start).Seconds()
	if s, ok := e.why.Load().(string); ok {
		e.rep.Stopped = s
	}
	e.finishDiffs()
	return e.rep, nil
}

// halted reports whether the run stopped for another reason than its
// bounds (a finding limit, a target down, an interruption).
func (e *engine) halted() bool {
	if !e.stopped.Load() {
		return false
	}
	w, _ := e.why.Load().(string)
	return w != "case count reached" && w != "duration reached"
}

func (e *engine) stop(why string) {
	if e.stopped.CompareAndSwap(false, true) {
		e.why.Store(why)
		close(e.stopCh)
	}
}

func (e *engine) logf(format string, a ...any) {
	if e.cfg.Log != nil {
		fmt.Fprintf(e.cfg.Log, "srtfuzz: "+format+"\n", a...)
	}
}

// one runs case n, confirms a difference, and probes when it is time.
func (e *engine) one(t *tstate, n uint64) {
	ctx := context.WithoutCancel(e.ctx) // a started case runs to its end
	e.gate.RLock()
	res := t.x.runCase(ctx, n, false, 1)
	e.gate.RUnlock()
	var res2 *Result
	if e.cfg.Confirm && res.Differs() {
		e.gate.RLock()
		if ok, prec := t.x.probe(ctx, e.cfg.LivenessTimeout, e.procDead); ok {
			e.count(t, prec)
			r2 := t.x.runCase(ctx, n, true, 4)
			res2 = &r2
		}
		e.gate.RUnlock()
	}
	e.account(t, &res, res2)
	if e.cfg.Verbose {
		e.logf("case %d %s: %s -> %s (Decide: %s)", n, res.Class.Name, clip(res.Record.Variant, 120), res.Answer, res.Expected)
	}
	d := e.done.Add(1)
	e.mu.Lock()
	t.done++
	td := t.done
	e.mu.Unlock()
	exited := e.cfg.Process != nil && e.cfg.Process.Exited()
	if td%uint64(e.cfg.ProbeEvery) == 0 || res.Refused || exited || res.Answer == AnswerNoInduction {
		e.check(t, false)
	}
	if d%1000 == 0 {
		e.logf("%d cases", d)
	}
}

// count adds a record's datagrams to the totals and keeps a case's for a
// reproducer.
func (e *engine) count(t *tstate, rec *Record) { e.tally(t, rec, true) }

// tally adds a record's datagrams to the totals and, when keep is set
// and it is a case, keeps it for a reproducer.
func (e *engine) tally(t *tstate, rec *Record, keep bool) {
	if rec == nil {
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, d := range rec.Datagrams {
		if d.Out {
			e.rep.Sent++
		} else {
			e.rep.Received++
		}
	}
	if keep && rec.Class != "probe" {
		t.window = append(t.window, rec)
		if len(t.window) > maxWindow {
			t.window = append(t.window[:0], t.window[len(t.window)-maxWindow:]...)
		}
	}
}

func (e *engine) account(t *tstate, res, res2 *Result) {
	e.tally(t, res.Record, !res.Skipped)
	if res2 != nil {
		e.count(t, res2.Record)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	cr := e.byClass[res.Class.Name]
	if res.Skipped {
		e.rep.Skipped++
		cr.Skipped++
		return
	}
	e.rep.Cases++
	cr.Cases++
	if res.Bytes {
		cr.Bytes++
	}
	cr.Answers[res.Answer]++
	for _, p := range res.Post {
		cr.Post[p]++
	}
	if !res.Differs() {
		return
	}
	confirmed := false
	if res2 != nil {
		e.rep.Confirmations++
		if res2.Answer == res.Expected {
			cr.Transient++
			return
		}
		confirmed = res2.Answer == res.Answer
	}
	cr.Differs++
	k := diffKey{res.Row, res.Expected, res.Answer}
	d := e.diffs[k]
	if d == nil {
		d = &Difference{Check: res.Row.String(), Expected: res.Expected, Answer: res.Answer, Classes: map[string]int{},
			Example: res.Record.N, Variant: res.Record.Variant}
		if b := conclusionOf(res.Record); b != nil {
			d.Datagram, d.Hex = Describe(b), hex.EncodeToString(b)
		}
		e.diffs[k] = d
	}
	d.Cases++
	d.Classes[res.Class.Name]++
	if confirmed {
		d.Confirmed++
		cr.Confirmed++
	}
}

func (e *engine) finishDiffs() {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, d := range e.diffs {
		e.rep.Differences = append(e.rep.Differences, d)
	}
	sort.Slice(e.rep.Differences, func(i, j int) bool {
		a, b := e.rep.Differences[i], e.rep.Differences[j]
		if a.Cases != b.Cases {
			return a.Cases > b.Cases
		}
		return a.Check+a.Expected+a.Answer < b.Check+b.Expected+b.Answer
	})
}

// alive probes the target (and checks the process).
func (e *engine) alive(t *tstate, d time.Duration) bool {
	if p := e.cfg.Process; p != nil && p.Exited() {
		return false
	}
	ok, rec := t.x.probe(context.WithoutCancel(e.ctx), d, e.procDead)
	e.tally(t, rec, false)
	e.mu.Lock()
	e.rep.Probes++
	if !ok {
		e.rep.ProbesFailed++
	}
	e.mu.Unlock()
	if p := e.cfg.Process; p != nil && p.Exited() {
		return false
	}
	return ok
}

// procDead reports whether the target srtfuzz started has exited.
func (e *engine) procDead() bool { return e.cfg.Process != nil && e.cfg.Process.Exited() }

// startWait is how long a target gets to answer at the start (and after a
// restart): a process srtfuzz starts gets ten seconds more.
func (e *engine) startWait() time.Duration {
	if e.cfg.Process != nil {
		return e.cfg.LivenessTimeout + 10*time.Second
	}
	return 2 * e.cfg.LivenessTimeout
}

// waitUp waits up to d for the target to answer.
func (e *engine) waitUp(t *tstate, d time.Duration) bool {
	end := time.Now().Add(d)
	for {
		if e.alive(t, min(time.Until(end), time.Second)) {
			return true
		}
		if time.Now().After(end) || e.ctx.Err() != nil {
			return false
		}
		if p := e.cfg.Process; p != nil && p.Exited() {
			return false
		}
	}
}

// check runs a liveness probe of t; a failure becomes a finding.
func (e *engine) check(t *tstate, final bool) {
	t.checkMu.Lock()
	defer t.checkMu.Unlock()
	started := time.Now()
	if e.alive(t, e.cfg.LivenessTimeout) {
		e.mu.Lock()
		keep := t.window[:0]
		for _, r := range t.window {
			if !r.End.Before(started) {
				keep = append(keep, r)
			}
		}
		t.window = keep
		e.mu.Unlock()
		return
	}
	// Let the cases in flight end, then look again.
	e.gate.Lock()
	defer e.gate.Unlock()
	if e.cfg.Process == nil || !e.cfg.Process.Exited() {
		if e.alive(t, e.cfg.LivenessTimeout) {
			return
		}
	}
	e.finding(t)
	e.mu.Lock()
	t.window = t.window[:0]
	e.mu.Unlock()
	if e.halted() || final {
		return
	}
	if p := e.cfg.Process; p != nil {
		if err := p.Restart(); err != nil || !e.waitUp(t, e.startWait()) {
			e.stop("the target does not come back after a restart")
		}
		return
	}
	if !e.waitUp(t, 2*e.cfg.LivenessTimeout) {
		t.dead.Store(true)
		e.logf("%s stays down: no more cases for it", t.x.target)
		for _, o := range e.tgts {
			if !o.dead.Load() {
				return
			}
		}
		e.stop("every target is down")
	}
}

// finding turns t's window into a finding (called with the gate held: no
// case runs).
func (e *engine) finding(t *tstate) {
	e.mu.Lock()
	win := append([]*Record(nil), t.window...)
	e.mu.Unlock()
	f := &Finding{Kind: "liveness", Time: time.Now(), Window: len(win), Target: t.x.target.String(),
		Detail: fmt.Sprintf("no INDUCTION answer within %v", e.cfg.LivenessTimeout)}
	p := e.cfg.Process
	if p != nil && p.Exited() {
		f.Kind, f.Detail = "crash", "the target "+p.Status()
		if c := p.Crash(); c != "" {
			f.Detail += ": " + c
		}
	}
	e.logf("%s of %s: %s after %d case(s) since the last good probe", f.Kind, t.x.target, f.Detail, len(win))
	culprits := win
	if p != nil && len(win) > 0 {
		if c := e.minimize(t, win); c != nil {
			culprits, f.Minimized = []*Record{c}, true
		}
	}
	for _, r := range culprits {
		f.Cases = append(f.Cases, r.N)
	}
	classes := map[string]bool{}
	for _, r := range culprits {
		classes[r.Class] = true
	}
	if len(culprits) == 1 {
		f.Class, f.Variant = culprits[0].Class, culprits[0].Variant
	} else {
		var cs []string
		for c := range classes {
			cs = append(cs, c)
		}
		sort.Strings(cs)
		f.Class = strings.Join(cs, ",")
		if len(cs) == 0 {
			f.Class = "none"
		}
	}
	sig := f.Kind + "|" + f.Class + "|" + firstWords(f.Detail)
	e.mu.Lock()
	if old := e.sigs[sig]; old != nil && len(culprits) == 1 {
		old.Repeats++
		e.mu.Unlock()
		e.logf("the same as finding %d", old.N)
		return
	}
	f.N = len(e.rep.Findings) + 1
	e.rep.Findings = append(e.rep.Findings, f)
	e.sigs[sig] = f
	n := f.N
	e.mu.Unlock()

	if err := os.MkdirAll(e.cfg.OutDir, 0o755); err == nil {
		base := filepath.Join(e.cfg.OutDir, fmt.Sprintf("finding-%d-%s-%s", n, f.Kind, strings.ReplaceAll(f.Class, ",", "+")))
		if len(base) > 200 {
			base = filepath.Join(e.cfg.OutDir, fmt.Sprintf("finding-%d-%s", n, f.Kind))
		}
		comment := fmt.Sprintf("srtfuzz finding %d: %s: %s\ntarget %s, seed %d, class %s, case(s) %s\nreplay: srtfuzz -replay %s.hex -target %s",
			n, f.Kind, f.Detail, t.x.target, e.cfg.Seed, f.Class, joinCases(f.Cases), filepath.Base(base), t.x.target)
		if files, err := WriteReproducer(base, comment, culprits); err == nil {
			f.Files = files
		} else {
			e.logf("writing the reproducer: %v", err)
		}
	} else {
		e.logf("writing the reproducer: %v", err)
	}
	e.logf("finding %d written: %s", n, strings.Join(f.Files, ", "))
	if e.cfg.MaxFindings > 0 && len(e.rep.Findings) >= e.cfg.MaxFindings {
		e.stop(fmt.Sprintf("%d findings", len(e.rep.Findings)))
	}
}

func firstWords(s string) string {
	if i := strings.Index(s, ":"); i > 0 {
		return s[:i]
	}
	return s
}

// maxMinimize bounds the cases replayed alone to find the culprit.
const maxMinimize = 16

// minimize replays the cases of win one by one against a freshly started
// target, newest first, and returns the one that makes it fail, or nil.
func (e *engine) minimize(t *tstate, win []*Record) *Record {
	p := e.cfg.Process
	for i, tried := len(win)-1, 0; i >= 0 && tried < maxMinimize; i, tried = i-1, tried+1 {
		if err := p.Restart(); err != nil || !e.waitUp(t, e.startWait()) {
			return nil
		}
		ctx := context.WithoutCancel(e.ctx)
		rec, err := t.x.Replay(ctx, win[i], ReplayOptions{Wait: e.cfg.AnswerTimeout})
		if err != nil {
			continue
		}
		e.tally(t, rec, false)
		p.Wait(50 * time.Millisecond)
		if p.Exited() || !e.alive(t, e.cfg.LivenessTimeout) {
			e.logf("case %d (%s) alone does it", win[i].N, win[i].Class)
			return win[i]
		}
	}
	return nil
}

// DescribeConfig says in one line what a listener configuration is.
func DescribeConfig(c *listener.Config) string {
	mode := "live"
	if !c.TSBPD && c.Congestion == "file" {
		mode = "file"
	}
	pass := "no passphrase"
	if c.Passphrase != "" {
		pass = "a passphrase"
	}
	s := fmt.Sprintf("%s mode, %s, pbkeylen %d, enforced encryption %v, message API %v, latency %d/%d ms, min version %v",
		mode, pass, c.PBKeyLen, c.EnforcedEncryption, c.MessageAPI, c.RecvLatency, c.PeerLatency, c.MinVersion)
	if c.Congestion != "" {
		s += ", congestion " + c.Congestion
	}
	if c.Filter != "" {
		s += ", filter " + c.Filter
	}
	return s
}

// conclusionOf returns the CONCLUSION of rec that Decide judged.
func conclusionOf(rec *Record) []byte {
	if rec.Conclusion >= 0 && rec.Conclusion < len(rec.Datagrams) {
		return rec.Datagrams[rec.Conclusion].B
	}
	return nil
}
