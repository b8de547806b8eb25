// Command srtfuzz is a stateful, structure-aware network fuzzer for other
// implementations' SRT listeners.
//
// A blind mutator never gets past a listener's first checks: libsrt drops
// a CONCLUSION whose SYN cookie is not the one it handed out, and one whose
// fixed fields fail CHandShake::valid (srtcore/core.cpp
// CUDT::processConnectRequest). So srtfuzz does the handshake for real.
// Every case comes from a fresh source port and sends an INDUCTION, reads
// the listener's cookie and version, and then either sends one mutated
// CONCLUSION with that cookie, or completes a valid handshake and sends
// mutated packets to the accepted socket. The mutations are made on the
// typed model of the packet and encoded with srtwire's encoder (so a lie
// is exactly the one intended), with byte-level mutation on top for a
// share of the cases. srtfuzz -list names the mutation classes.
//
// Three oracles watch the target:
//
//   - every answer is decoded with srtwire and compared with what package
//     listener's Decide, configured as the target claims to be (the
//     -passphrase, -transtype, ... flags), says a libsrt 1.5.1 listener
//     answers: the report lists each difference with the libsrt check that
//     decides it;
//   - a liveness probe (a fresh, valid INDUCTION must still be answered)
//     after every -probe-every cases;
//   - with -exec, srtfuzz starts the target itself and watches it exit.
//
// A crash or a liveness failure is a finding, written as a reproducer: the
// exact datagrams of the cases since the last good probe (with -exec,
// replayed one by one against a restarted target to find the one that does
// it), as a small pcap and as hex text. srtfuzz -replay FILE sends them
// again, with the cookie the target hands out now.
//
// Usage:
//
//	srtfuzz -target 127.0.0.1:9000 [-duration 60s | -cases N] [flags]
//	srtfuzz -target 127.0.0.1:9000 -exec 'srt-live-transmit srt://:9000 file://con' [flags]
//	srtfuzz -replay FILE [-target ADDR] [-exec CMD]
//	srtfuzz -list
//
// srtfuzz sends at most -rate datagrams a second (500 by default) and only
// to a loopback address unless -allow-remote is given. It is built on the
// srtwire codec (packages listener, handshake, packet and crypt) and the
// standard library only.
//
// Exit status: 0 when there is no finding (with -replay: the target still
// answers), 1 when there is one (with -replay: the target crashed or stopped
// answering), 2 for a usage error, 3 when the run could not start (the
// target does not answer).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"os/signal"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/srtwire/srtwire/handshake"
	"github.com/srtwire/srtwire/internal/srtfuzz"
	"github.com/srtwire/srtwire/listener"
)

const usageHead = `srtfuzz: a stateful, structure-aware fuzzer for SRT listeners.

Usage:
  srtfuzz -target HOST:PORT [-duration 60s | -cases N] [flags]
  srtfuzz -target HOST:PORT -exec 'COMMAND' [flags]
  srtfuzz -replay FILE [-target HOST:PORT] [-exec 'COMMAND']
  srtfuzz -list

Each case sends an INDUCTION from a fresh port, reads the listener's
cookie, then one mutated CONCLUSION, or a valid handshake followed by
mutated packets to the accepted socket. Every answer is compared with what
a libsrt 1.5.1 listener configured as the flags below say would answer; a
liveness probe (a valid INDUCTION) follows every -probe-every cases; with
-exec srtfuzz starts the target and watches it exit. Crashes and liveness
failures are written to -out as reproducers (pcap and hex) that -replay
sends again. The report at the end has the cases and answers per class,
the differences from libsrt, and the findings.

Safety: srtfuzz sends malformed packets that can crash or wedge the
listener it targets. It refuses a target that is not on a loopback address
(127.0.0.0/8, ::1) unless -allow-remote is given, so that a typo cannot aim
it at somebody else's server. Use -allow-remote only for listeners you own
or may test, on a network where the traffic harms no one; -rate still
bounds the datagrams sent per second.

Flags:
`

const usageTail = `
The target's configuration flags (-passphrase ... -latency) only tell
Decide what to expect; srtfuzz does not configure the target. With -exec,
pass the same options to the command.

Examples:
  srt-live-transmit -q 'srt://:9000' file://con >/dev/null &
  srtfuzz -target 127.0.0.1:9000 -duration 60s

  srtfuzz -target 127.0.0.1:9000 -exec './server -addr 127.0.0.1:9000' -cases 5000
  srtfuzz -replay srtfuzz-findings/finding-1-crash-stray-cif.hex
`

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

type options struct {
	target, exec, execLog, replay, out, report, classes, skip, streamID, avoid string
	allowRemote, list, raw, confirm, verbose                                   bool
	seed                                                                       uint64
	cases                                                                      uint64
	duration, answer, liveness, settle                                         time.Duration
	rate, bytes                                                                float64
	workers, probeEvery, maxFindings                                           int
	minMSS, maxFW                                                              uint

	passphrase, passFile, transtype, congestion, filter, minversion string
	enforced, messageapi                                            bool
	pbkeylen, latency                                               int
}

func usageError(stderr io.Writer, format string, a ...any) int {
	fmt.Fprintf(stderr, "srtfuzz: "+format+"\n", a...)
	fmt.Fprintln(stderr, "run srtfuzz -h for the usage")
	return 2
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("srtfuzz", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var o options
	fs.StringVar(&o.target, "target", "", "the listener to fuzz, `HOST:PORT` (loopback only unless -allow-remote); a comma-separated list spreads the workers over several")
	fs.BoolVar(&o.allowRemote, "allow-remote", false, "allow a target that is not on a loopback address (see Safety above)")
	fs.StringVar(&o.exec, "exec", "", "start the target with sh -c `COMMAND`, watch it exit, restart it after a finding")
	fs.StringVar(&o.execLog, "exec-log", "", "with -exec: also write the target's output to `FILE`")
	fs.Uint64Var(&o.seed, "seed", 1, "the run's seed: the same seed sends the same cases")
	fs.Uint64Var(&o.cases, "cases", 0, "stop after `N` cases (0: no limit)")
	fs.DurationVar(&o.duration, "duration", 0, "stop after this long (default 1m when -cases is not given)")
	fs.Float64Var(&o.rate, "rate", 500, "send at most `N` datagrams a second")
	fs.IntVar(&o.workers, "workers", 1, "cases in flight at once, each from its own port (at least one per -target)")
	fs.IntVar(&o.probeEvery, "probe-every", 1, "send a liveness probe after every `N` cases")
	fs.DurationVar(&o.answer, "answer-timeout", 100*time.Millisecond, "how long to wait for an answer before counting silence")
	fs.DurationVar(&o.liveness, "liveness-timeout", 3*time.Second, "how long a liveness probe waits before the target counts as down")
	fs.StringVar(&o.avoid, "avoid", "", "leave out the cases whose description matches `REGEXP` (to steer clear of a finding already made)")
	fs.UintVar(&o.minMSS, "min-mss", 0, "never send a CONCLUSION with an MSS below `N` (to steer clear of a finding already made)")
	fs.UintVar(&o.maxFW, "max-flow-window", 0, "never send a CONCLUSION with a flow window above `N` packets (to steer clear of a finding already made)")
	fs.DurationVar(&o.settle, "settle", 0, "after an accepted handshake, wait up to this long for the listener to stop answering INDUCTIONs before sending more (an application serving one caller at a time, like srt-live-transmit, closes its listener when it takes the connection)")
	fs.StringVar(&o.classes, "classes", "", "run only these mutation classes (`LIST`, comma-separated; see -list)")
	fs.StringVar(&o.skip, "skip", "", "leave these mutation classes out (`LIST`, comma-separated)")
	fs.Float64Var(&o.bytes, "bytes", 0.25, "share of cases with byte-level mutation on top of their class's (0 to 1)")
	fs.BoolVar(&o.confirm, "confirm", true, "run a case whose answer differs from libsrt's a second time before counting it")
	fs.StringVar(&o.out, "out", "srtfuzz-findings", "write the reproducers of findings into `DIR`")
	fs.StringVar(&o.report, "report", "", "also write the report as JSON to `FILE`")
	fs.IntVar(&o.maxFindings, "max-findings", 10, "stop after `N` distinct findings (0: no limit)")
	fs.BoolVar(&o.list, "list", false, "list the mutation classes and exit")
	fs.StringVar(&o.replay, "replay", "", "send the cases of a reproducer (`FILE`, .pcap or .hex) again")
	fs.BoolVar(&o.raw, "raw", false, "with -replay: send the datagrams exactly as recorded (keep the old cookie)")
	fs.BoolVar(&o.verbose, "v", false, "log every case to standard error")
	fs.StringVar(&o.streamID, "streamid", "", "Stream ID of the valid handshakes (\"{case}\" is replaced by the case number)")
	fs.StringVar(&o.passphrase, "passphrase", "", "the target's SRTO_PASSPHRASE (or -passphrase-file, or $SRT_PASSPHRASE)")
	fs.StringVar(&o.passFile, "passphrase-file", "", "read the target's passphrase from `FILE`")
	fs.BoolVar(&o.enforced, "enforced", true, "the target's SRTO_ENFORCEDENCRYPTION")
	fs.IntVar(&o.pbkeylen, "pbkeylen", 0, "the target's SRTO_PBKEYLEN: 0, 16, 24 or 32")
	fs.StringVar(&o.transtype, "transtype", "live", "the target's SRTO_TRANSTYPE: live or file")
	fs.BoolVar(&o.messageapi, "messageapi", true, "the target's SRTO_MESSAGEAPI (default false with -transtype file)")
	fs.StringVar(&o.congestion, "congestion", "", "the target's SRTO_CONGESTION: live or file")
	fs.StringVar(&o.filter, "filter", "", "the target's SRTO_PACKETFILTER, e.g. fec,cols:4,rows:2")
	fs.StringVar(&o.minversion, "minversion", "", "the target's SRTO_MINVERSION, e.g. 1.3.0")
	fs.IntVar(&o.latency, "latency", -1, "the target's SRTO_LATENCY in `ms` (default libsrt's: 120 live, 0 file)")
	usage := func() {
		fs.SetOutput(stdout)
		fmt.Fprint(stdout, usageHead)
		fs.PrintDefaults()
		fmt.Fprint(stdout, usageTail)
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			usage()
			return 0
		}
		return usageError(stderr, "%v", err)
	}
	if fs.NArg() > 0 {
		return usageError(stderr, "unexpected argument %q", fs.Arg(0))
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if o.list {
		listClasses(stdout)
		return 0
	}
	if o.replay != "" {
		return replay(&o, set, stdout, stderr)
	}
	if o.target == "" {
		return usageError(stderr, "say which listener to fuzz: -target HOST:PORT")
	}
	var targets []netip.AddrPort
	for _, t := range strings.Split(o.target, ",") {
		a, err := resolve(strings.TrimSpace(t), o.allowRemote)
		if err != nil {
			return usageError(stderr, "%v", err)
		}
		targets = append(targets, a)
	}
	target := targets[0]
	switch {
	case o.exec != "" && len(targets) > 1:
		return usageError(stderr, "-exec starts one target: give one -target address")
	case o.minMSS > 1<<31 || o.maxFW > 1<<31:
		return usageError(stderr, "-min-mss and -max-flow-window must be below 2^31")
	case o.rate <= 0:
		return usageError(stderr, "-rate must be more than 0 datagrams a second")
	case o.workers < 1 || o.workers > 256:
		return usageError(stderr, "-workers must be 1 to 256")
	case o.probeEvery < 1:
		return usageError(stderr, "-probe-every must be 1 or more")
	case o.bytes < 0 || o.bytes > 1:
		return usageError(stderr, "-bytes must be 0 to 1")
	case o.answer <= 0 || o.liveness <= 0:
		return usageError(stderr, "-answer-timeout and -liveness-timeout must be more than 0")
	case o.settle < 0:
		return usageError(stderr, "-settle must not be negative")
	case o.duration < 0:
		return usageError(stderr, "-duration must not be negative")
	case o.maxFindings < 0:
		return usageError(stderr, "-max-findings must not be negative")
	}
	if o.duration == 0 && o.cases == 0 {
		o.duration = time.Minute
	}
	var avoid *regexp.Regexp
	if o.avoid != "" {
		var err error
		if avoid, err = regexp.Compile(o.avoid); err != nil {
			return usageError(stderr, "-avoid: %v", err)
		}
	}
	classes, err := pickClasses(o.classes, o.skip)
	if err != nil {
		return usageError(stderr, "%v", err)
	}
	if o.transtype == "file" && !set["messageapi"] {
		o.messageapi = false
	}
	cfg, err := listenerConfig(&o)
	if err != nil {
		return usageError(stderr, "%v", err)
	}
	env, err := srtfuzz.NewEnv(target, cfg, o.streamID, o.seed)
	if err != nil {
		fmt.Fprintln(stderr, "srtfuzz:", err)
		return 3
	}
	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer cancel()
	fc := &srtfuzz.Config{Targets: targets, Env: env, MinMSS: uint32(o.minMSS), MaxFlowWindow: uint32(o.maxFW), Avoid: avoid, Seed: o.seed, Classes: classes, Cases: o.cases, Duration: o.duration,
		Rate: o.rate, Workers: o.workers, ProbeEvery: o.probeEvery, AnswerTimeout: o.answer, LivenessTimeout: o.liveness,
		Bytes: o.bytes, Settle: o.settle, Confirm: o.confirm, OutDir: o.out, MaxFindings: o.maxFindings, Log: stderr, Verbose: o.verbose}
	if o.exec != "" {
		p, closeLog, err := startProcess(o.exec, o.execLog)
		if err != nil {
			fmt.Fprintln(stderr, "srtfuzz:", err)
			return 3
		}
		defer closeLog()
		defer p.Stop()
		fc.Process = p
	}
	fmt.Fprintf(stderr, "srtfuzz: fuzzing %s (seed %d, %d classes, at most %.0f datagrams/s); Decide expects: %s\n",
		o.target, o.seed, len(classes), o.rate, srtfuzz.DescribeConfig(cfg))
	rep, err := srtfuzz.Run(ctx, fc)
	if err != nil {
		fmt.Fprintln(stderr, "srtfuzz:", err)
		if fc.Process != nil {
			fmt.Fprintf(stderr, "srtfuzz: the target %s; its last output:\n%s\n", fc.Process.Status(), fc.Process.Tail())
		}
		return 3
	}
	rep.WriteText(stdout)
	if o.report != "" {
		if err := writeJSON(o.report, rep); err != nil {
			fmt.Fprintln(stderr, "srtfuzz:", err)
			return 3
		}
	}
	if len(rep.Findings) > 0 {
		return 1
	}
	return 0
}

func writeJSON(path string, rep *srtfuzz.Report) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := rep.WriteJSON(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func startProcess(cmd, logPath string) (*srtfuzz.Process, func(), error) {
	p := &srtfuzz.Process{Command: cmd}
	closeLog := func() {}
	if logPath != "" {
		f, err := os.Create(logPath)
		if err != nil {
			return nil, nil, err
		}
		p.Log, closeLog = f, func() { f.Close() }
	}
	if err := p.Start(); err != nil {
		closeLog()
		return nil, nil, err
	}
	return p, closeLog, nil
}

// resolve resolves HOST:PORT and refuses an address that is not loopback
// unless remote targets are allowed.
func resolve(s string, allowRemote bool) (netip.AddrPort, error) {
	host, port, err := net.SplitHostPort(s)
	if err != nil {
		return netip.AddrPort{}, fmt.Errorf("-target %q: want HOST:PORT", s)
	}
	if host == "" {
		host = "127.0.0.1"
	}
	pn, err := strconv.ParseUint(port, 10, 16)
	if err != nil || pn == 0 {
		return netip.AddrPort{}, fmt.Errorf("-target %q: bad port", s)
	}
	addr, err := netip.ParseAddr(host)
	if err != nil {
		ips, lerr := net.LookupIP(host)
		if lerr != nil || len(ips) == 0 {
			return netip.AddrPort{}, fmt.Errorf("-target %q: cannot resolve %s", s, host)
		}
		for _, ip := range ips {
			a, _ := netip.AddrFromSlice(ip)
			if !a.Unmap().IsLoopback() && !allowRemote {
				return netip.AddrPort{}, fmt.Errorf("-target %q: %s resolves to %v, which is not a loopback address; srtfuzz fuzzes only this host's listeners unless -allow-remote is given", s, host, a.Unmap())
			}
		}
		addr, _ = netip.AddrFromSlice(ips[0])
	}
	addr = addr.Unmap()
	if !addr.IsLoopback() && !allowRemote {
		return netip.AddrPort{}, fmt.Errorf("-target %q is not a loopback address; srtfuzz fuzzes only this host's listeners unless -allow-remote is given", s)
	}
	return netip.AddrPortFrom(addr, uint16(pn)), nil
}

func pickClasses(only, skip string) ([]*srtfuzz.Class, error) {
	split := func(s string) ([]string, error) {
		var out []string
		for _, n := range strings.Split(s, ",") {
			if n = strings.TrimSpace(n); n == "" {
				continue
			}
			if srtfuzz.ClassByName(n) == nil {
				return nil, fmt.Errorf("unknown mutation class %q (srtfuzz -list names them)", n)
			}
			out = append(out, n)
		}
		return out, nil
	}
	in, err := split(only)
	if err != nil {
		return nil, err
	}
	out, err := split(skip)
	if err != nil {
		return nil, err
	}
	var cs []*srtfuzz.Class
	for _, c := range srtfuzz.Classes() {
		if (len(in) == 0 || contains(in, c.Name)) && !contains(out, c.Name) {
			cs = append(cs, c)
		}
	}
	if len(cs) == 0 {
		return nil, errors.New("-classes and -skip leave no mutation class")
	}
	return cs, nil
}

func contains(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}

func listClasses(w io.Writer) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "CLASS\tPHASE\tWHAT")
	for _, c := range srtfuzz.Classes() {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", c.Name, c.Phase, c.Doc)
	}
	tw.Flush()
	fmt.Fprintln(w, "\nEvery class also runs with byte-level mutation on top (-bytes).")
}

// listenerConfig is the configuration Decide is given: what the target
// claims to be, in srt-live-transmit's option names.
func listenerConfig(o *options) (*listener.Config, error) {
	baker, err := listener.NewCookieBaker(time.Now(), 0, nil)
	if err != nil {
		return nil, err
	}
	var cfg listener.Config
	switch o.transtype {
	case "", "live":
		cfg = listener.LiveConfig(baker)
	case "file":
		cfg = listener.FileConfig(baker)
	default:
		return nil, fmt.Errorf("-transtype must be live or file")
	}
	pass := o.passphrase
	if pass == "" && o.passFile != "" {
		b, err := os.ReadFile(o.passFile)
		if err != nil {
			return nil, fmt.Errorf("-passphrase-file: %w", err)
		}
		pass = strings.TrimRight(string(b), "\r\n")
	}
	if pass == "" {
		pass = os.Getenv("SRT_PASSPHRASE")
	}
	cfg.Passphrase, cfg.PBKeyLen, cfg.EnforcedEncryption, cfg.MessageAPI = pass, o.pbkeylen, o.enforced, o.messageapi
	if o.congestion != "" {
		cfg.Congestion = o.congestion
	}
	cfg.Filter = o.filter
	if cfg.MinVersion, err = handshake.ParseSRTVersion(o.minversion); err != nil {
		return nil, fmt.Errorf("-minversion: %w", err)
	}
	if o.latency >= 0 {
		if o.latency > 65535 {
			return nil, fmt.Errorf("-latency must be 0 to 65535 ms")
		}
		cfg.SetLatency(uint16(o.latency))
	}
	if err := cfg.Check(); err != nil {
		return nil, fmt.Errorf("the target's configuration: %w", err)
	}
	return &cfg, nil
}

// replay sends the cases of a reproducer again and says whether the
// target survived.
func replay(o *options, set map[string]bool, stdout, stderr io.Writer) int {
	fileTarget, recs, err := srtfuzz.ReadReproducer(o.replay)
	if err != nil {
		return usageError(stderr, "-replay %s: %v", o.replay, err)
	}
	ts := fileTarget.String()
	if o.target != "" {
		ts = o.target
	}
	if !fileTarget.IsValid() && o.target == "" {
		return usageError(stderr, "-replay %s names no target: give -target HOST:PORT", o.replay)
	}
	target, err := resolve(ts, o.allowRemote)
	if err != nil {
		return usageError(stderr, "%v", err)
	}
	if o.rate <= 0 {
		return usageError(stderr, "-rate must be more than 0 datagrams a second")
	}
	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer cancel()
	rp := srtfuzz.NewReplayer(target, o.rate)
	var p *srtfuzz.Process
	if o.exec != "" {
		var closeLog func()
		if p, closeLog, err = startProcess(o.exec, o.execLog); err != nil {
			fmt.Fprintln(stderr, "srtfuzz:", err)
			return 3
		}
		defer closeLog()
		defer p.Stop()
	}
	if !waitUp(ctx, rp, p, o.liveness+10*time.Second) {
		fmt.Fprintf(stderr, "srtfuzz: %s does not answer an INDUCTION before the replay\n", target)
		return 3
	}
	fmt.Fprintf(stdout, "srtfuzz: replaying %d case(s) of %s to %s\n", len(recs), o.replay, target)
	for _, rec := range recs {
		got, err := rp.Replay(ctx, rec, srtfuzz.ReplayOptions{Raw: o.raw, Wait: o.answer})
		fmt.Fprintf(stdout, "case %d %s\n", rec.N, rec.Class)
		if got != nil {
			for _, d := range got.Datagrams {
				dir := "  > "
				if !d.Out {
					dir = "  < "
				}
				fmt.Fprintln(stdout, dir+srtfuzz.Describe(d.B))
			}
		}
		if err != nil {
			fmt.Fprintln(stderr, "srtfuzz:", err)
			break
		}
	}
	time.Sleep(100 * time.Millisecond)
	alive := (p == nil || !p.Exited()) && rp.Probe(ctx, o.liveness)
	if p != nil && p.Exited() {
		alive = false
	}
	if alive {
		fmt.Fprintf(stdout, "srtfuzz: %s still answers an INDUCTION: not reproduced\n", target)
		return 0
	}
	if p != nil && p.Exited() {
		detail := p.Status()
		if c := p.Crash(); c != "" {
			detail += ": " + c
		}
		fmt.Fprintf(stdout, "srtfuzz: reproduced: the target %s\n", detail)
	} else {
		fmt.Fprintf(stdout, "srtfuzz: reproduced: %s no longer answers an INDUCTION within %v\n", target, o.liveness)
	}
	return 1
}

func waitUp(ctx context.Context, rp *srtfuzz.Replayer, p *srtfuzz.Process, d time.Duration) bool {
	end := time.Now().Add(d)
	for time.Now().Before(end) && ctx.Err() == nil {
		if p != nil && p.Exited() {
			return false
		}
		if rp.Probe(ctx, time.Second) {
			return true
		}
	}
	return false
}
