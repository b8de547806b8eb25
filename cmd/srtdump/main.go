package main

import (
	"bytes"
	_ "embed"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/srtwire/srtwire/capture"
	"github.com/srtwire/srtwire/crypt"
	"github.com/srtwire/srtwire/internal/parquetout"
	"github.com/srtwire/srtwire/packet"
	"github.com/srtwire/srtwire/session"
)

//go:embed sample.pcap
var sample []byte

// sampleName says what the embedded capture is.
const sampleName = "s05_app_reject_1403.pcap (libsrt 1.5.1: a caller refused with SRT_REJX_FORBIDDEN)"

// version is set at build time with -ldflags "-X main.version=..."; it
// falls back to the module version.
var version = ""

type portList []uint16

func (p *portList) String() string {
	var s []string
	for _, v := range *p {
		s = append(s, strconv.Itoa(int(v)))
	}
	return strings.Join(s, ",")
}

func (p *portList) Set(v string) error {
	for _, f := range strings.Split(v, ",") {
		n, err := strconv.ParseUint(strings.TrimSpace(f), 10, 16)
		if err != nil || n == 0 {
			return fmt.Errorf("%q is not a UDP port (1-65535)", f)
		}
		*p = append(*p, uint16(n))
	}
	return nil
}

// passList is the -passphrase flag: repeatable. Its String never shows
// the passphrases (the flag package prints a default with it).
type passList []string

func (p *passList) String() string { return "" }

func (p *passList) Set(v string) error {
	*p = append(*p, v)
	return nil
}

type config struct {
	json, summary, rejects, showVersion bool
	ports                               portList
	types                               uint32 // bit k set: show packets of packet.Kind k; 0: every kind
	streamID                            string
	count                               int
	progress                            string
	only                                bool   // -only: SRT on the -port ports only
	timeFmt                             string // -t: local, utc, rel or delta
	hex                                 bool   // -x
	stats                               bool   // -stats
	timeseries                          string // -timeseries FILE
	html                                string // -html FILE
	// passphrases are those of -passphrase, then the lines of
	// -passphrase-file, then SRT_PASSPHRASE; srtdump names them by their
	// number here, from 1, and never writes them.
	passphrases passList
	passFile    string
	// -extract DIR, -extract-gaps fill|skip, -extract-ciphertext
	extract       string
	extractGaps   string
	extractCipher bool
	// -parquet DIR
	parquet string
	// -j N: how many FILEs are decoded at once
	jobs int
}

// getenv reads the environment (tests replace it).
var getenv = os.Getenv

// readPassphrases appends the passphrases of the file name, one a line
// (the line end, \n or \r\n, is not part of it; empty lines are
// skipped), and returns how many it read. Errors never quote the file's
// content.
func readPassphrases(list *passList, name string) (int, error) {
	b, err := os.ReadFile(name)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, l := range strings.Split(string(b), "\n") {
		l = strings.TrimSuffix(l, "\r")
		if l == "" {
			continue
		}
		*list = append(*list, l)
		n++
	}
	return n, nil
}

// kindNames returns the -type values, the names of packet.Kinds, joined
// with ", ".
func kindNames() string {
	var s []string
	for _, k := range packet.Kinds() {
		s = append(s, k.String())
	}
	return strings.Join(s, ", ")
}

// parseTypes parses the -type list into a set of packet kinds.
func parseTypes(list string) (uint32, error) {
	var set uint32
	for _, t := range strings.Split(list, ",") {
		t = strings.ToLower(strings.TrimSpace(t))
		k, ok := packet.ParseKind(t)
		if !ok {
			return 0, fmt.Errorf("unknown kind %q (want %s)", t, kindNames())
		}
		set |= 1 << k
	}
	return set, nil
}

// writeUsage writes the -h text.
func writeUsage(w io.Writer, fs *flag.FlagSet) {
	fmt.Fprintf(w, `srtdump decodes SRT traffic in pcap/pcapng captures and explains rejections.

Usage:
  srtdump [flags] [FILE...]   FILE: .pcap, .pcapng, gzip'd either, or - for stdin.
                              Flags may come before or after the FILEs; -- ends them.
  srtdump [flags]             read stdin when it is a pipe or a file; on a terminal,
                              decode the built-in sample capture (a rejected caller)

Examples:
  srtdump capture.pcapng                     one line per SRT packet
  srtdump capture.pcap.gz -summary           one row per connection attempt, with its findings
  srtdump -stats capture.pcap                per connection and direction: loss, retransmissions,
                                             rates, RTT, and what went wrong
  srtdump -stats -timeseries ts.csv cap.pcap the same, and one CSV row per second and direction
  srtdump -rejects -summary *.pcap           only the refused connections, and why
  srtdump -passphrase-file pw -x cap.pcap    check the passphrases against the key material,
                                             and show the decrypted payloads
  srtdump -json -type handshake,nak cap.pcap JSON Lines, handshakes and NAKs only
  srtdump -port 9000 -only capture.pcap      SRT on UDP port 9000, and only there
  srtdump -stream-id '*live/*' cap.pcap      only connections whose Stream ID matches
  srtdump -count 20 -type data cap.pcap      the first 20 data packets
  srtdump -t rel -x -count 3 cap.pcap        relative times, payloads in hex and ASCII
  srtdump -progress always huge.pcap.gz      a progress line on stderr even when piped
  tcpdump -i any -U -w - udp | srtdump       decode live from tcpdump (lines appear as packets arrive)

Flags:
`)
	fs.SetOutput(w)
	fs.PrintDefaults()
	fs.SetOutput(io.Discard)
	fmt.Fprintf(w, `
Environment:
  SRT_PASSPHRASE  a passphrase, tried after those of -passphrase and -passphrase-file.
                  With it, or -passphrase-file, no secret appears on the command line
                  (where ps and the shell history see it). srtdump never prints a
                  passphrase: it names them #1, #2, ... in the order given.

Exit status: 0 done; 1 unreadable or damaged input (everything before the damage
is printed first); 2 bad usage; 130 and 143 stopped by SIGINT and SIGTERM (what
was decoded is written first).
`)
}

// splitArgs separates the flags (with their values) from the FILEs, which
// may be mixed in any order, as tcpdump and tshark take them. "--" ends
// the flags; "-" is a FILE (standard input).
func splitArgs(fs *flag.FlagSet, args []string) (flags, files []string) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			return flags, append(files, args[i+1:]...)
		case a == "-" || !strings.HasPrefix(a, "-"):
			files = append(files, a)
			continue
		}
		flags = append(flags, a)
		name := strings.TrimPrefix(strings.TrimPrefix(a, "-"), "-")
		if strings.Contains(name, "=") {
			continue
		}
		f := fs.Lookup(name)
		if f == nil {
			continue // fs.Parse reports it
		}
		if b, ok := f.Value.(interface{ IsBoolFlag() bool }); ok && b.IsBoolFlag() {
			continue
		}
		if i+1 < len(args) {
			i++
			flags = append(flags, args[i])
		}
	}
	return flags, files
}

func main() {
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	os.Exit(runWith(os.Args[1:], os.Stdin, os.Stdout, os.Stderr, sigs, os.Exit))
}

// run is main without the process and its signals: it returns the exit
// status.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	return runWith(args, stdin, stdout, stderr, nil, nil)
}

// runWith is run that also handles the signals received on sigs (when not
// nil) by finishing the output and calling exit (see dumper.onSignal).
func runWith(args []string, stdin io.Reader, stdout, stderr io.Writer, sigs <-chan os.Signal, exit func(int)) (status int) {
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(stderr, "srtdump: internal error: %v (please report it with the capture)\n", r)
			status = 1
		}
	}()
	fs := flag.NewFlagSet("srtdump", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	var cfg config
	var types string
	fs.BoolVar(&cfg.json, "json", false, "write JSON Lines (one object per packet, or per attempt with -summary and -stats)")
	fs.BoolVar(&cfg.summary, "summary", false, "one row per connection attempt (retries of a caller that ended the same way\nare one row, ×N): caller, listener, Stream ID, encryption, latency, outcome,\npacket counts and the health findings, each explained under the table")
	fs.BoolVar(&cfg.rejects, "rejects", false, "only rejecting handshakes (with -summary: only rejected attempts)")
	fs.Var(&cfg.ports, "port", "force SRT decoding on this UDP `port` (repeatable, or comma-separated);\nwithout -only, SRT is still recognised on any other port")
	fs.BoolVar(&cfg.only, "only", false, "with -port: SRT only on the -port ports, nowhere else")
	fs.StringVar(&types, "type", "", "only these packet `kinds`, comma-separated: "+kindNames())
	fs.StringVar(&cfg.streamID, "stream-id", "", "only connections whose Stream ID matches this `pattern`: * matches any run of\ncharacters, / included, ? one character, \\ quotes the next one (e.g. '*r=live/*');\npackets are shown from the handshake that carries it")
	fs.IntVar(&cfg.count, "count", 0, "stop after `N` output records over all FILEs: N packets, or N rows with\n-summary or -stats; 0 = all")
	fs.StringVar(&cfg.timeFmt, "t", "local", "the `format` of packet times: local (absolute, local time zone, the date and\nzone on the first line; abs is the same), utc (the same in UTC), rel (seconds\nsince the first SRT packet of the FILE), delta (seconds since the previous line)")
	fs.BoolVar(&cfg.hex, "x", false, "under each packet line, its payload (a control packet's CIF) in hex and ASCII,\nas tcpdump -X does; offsets count from the start of the datagram")
	fs.Var(&cfg.passphrases, "passphrase", "try this `passphrase` on every key-material message (the line says passphrase ok\nor PASSPHRASE MISMATCH), decrypt the data payloads with it (-x shows them), and\nsay in -summary and -stats which side's key material it opens; repeatable (the\nlistener's and the caller's): they are numbered #1, #2, ... in the order given.\nA passphrase on the command line is seen by ps and kept in the shell history:\nprefer -passphrase-file or SRT_PASSPHRASE")
	fs.StringVar(&cfg.passFile, "passphrase-file", "", "read passphrases from `FILE`, one a line, numbered after those of -passphrase\n(see also SRT_PASSPHRASE below)")
	fs.StringVar(&cfg.progress, "progress", "auto", "progress line on stderr: auto (large files, stderr a terminal), always, never")
	fs.BoolVar(&cfg.stats, "stats", false, "instead of the packets, per connection attempt and direction the statistics\n(data, retransmissions, loss, rates, RTT, ...) and the health findings")
	fs.StringVar(&cfg.html, "html", "", "write a report to `FILE`: one self-contained HTML page (no network) with a\nsection per capture: findings, a timeline of attempts, handshake ladders,\ncharts per direction and the -stats tables; alone, no packet lines are printed")
	fs.StringVar(&cfg.timeseries, "timeseries", "", "also write a time series to `FILE`: one CSV row (JSON Lines with -json) per\nsecond and direction of each connection")
	fs.StringVar(&cfg.extract, "extract", "", "instead of the packets, write the payload of each direction of each connection\ninto a file in `DIR`, in sequence order, retransmissions removed, decrypted\nwith -passphrase: caller-to-listener_ADDR_PORT_to_ADDR_PORT.ts for MPEG-TS,\n.bin otherwise; one line per file on stdout (bytes, packets, gaps, decryption,\nMPEG-TS checks)")
	fs.StringVar(&cfg.extractGaps, "extract-gaps", "skip", "with -extract, what to `write` in place of lost packets: fill (MPEG-TS null\npackets, so that players keep their timing; zeros in other streams) or skip")
	fs.BoolVar(&cfg.extractCipher, "extract-ciphertext", false, "with -extract, write a payload that cannot be decrypted as it is (encrypted)\ninstead of refusing it")
	fs.StringVar(&cfg.parquet, "parquet", "", "instead of the packets, write two Parquet tables per FILE into `DIR`:\nDIR/packets/NAME.parquet (one row per SRT packet) and\nDIR/connections/NAME.parquet (one row per attempt and direction), NAME the\nFILE's base name without .pcap, .pcapng, .cap, .gz (see docs/parquet.md); one\nline per file written on stderr")
	fs.IntVar(&cfg.jobs, "j", runtime.NumCPU(), "decode `N` FILEs at once; the output is the same as with -j 1, in the order\nof the FILEs")
	fs.BoolVar(&cfg.showVersion, "version", false, "print the version and exit")
	bad := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "srtdump: "+format+"\n", a...)
		fmt.Fprintln(stderr, "run 'srtdump -h' for help")
		return 2
	}
	flags, files := splitArgs(fs, args)
	if err := fs.Parse(flags); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			writeUsage(stdout, fs)
			return 0
		}
		return bad("%v", err)
	}
	if cfg.showVersion {
		fmt.Fprintln(stdout, "srtdump", buildVersion())
		return 0
	}
	if types != "" {
		var err error
		if cfg.types, err = parseTypes(types); err != nil {
			return bad("-type: %v", err)
		}
	}
	if cfg.streamID != "" {
		if err := checkGlob(cfg.streamID); err != nil {
			return bad("-stream-id: bad pattern %q: %v", cfg.streamID, err)
		}
	}
	if cfg.count < 0 {
		return bad("-count must be >= 0")
	}
	if cfg.only && len(cfg.ports) == 0 {
		return bad("-only needs the ports, given with -port")
	}
	if cfg.hex && (cfg.json || cfg.summary || cfg.stats) {
		return bad("-x goes with the packet lines, not with -json, -summary or -stats")
	}
	if cfg.passFile != "" {
		n, err := readPassphrases(&cfg.passphrases, cfg.passFile)
		if err != nil {
			return bad("-passphrase-file: %v", err)
		}
		if n == 0 {
			return bad("-passphrase-file: %s holds no passphrase (one a line)", cfg.passFile)
		}
	}
	if env := getenv("SRT_PASSPHRASE"); env != "" {
		cfg.passphrases = append(cfg.passphrases, env)
	}
	for i, pw := range cfg.passphrases {
		if pw == "" {
			return bad("-passphrase: passphrase #%d is empty", i+1)
		}
		if len(pw) < crypt.MinPassphraseLen || len(pw) > crypt.MaxPassphraseLen {
			// Not an error: key material made by other stacks may use one.
			fmt.Fprintf(stderr, "srtdump: warning: passphrase #%d is %d bytes long; libsrt takes %d to %d\n", i+1, len(pw), crypt.MinPassphraseLen, crypt.MaxPassphraseLen)
		}
	}
	if cfg.extract != "" && (cfg.hex || cfg.json || cfg.summary || cfg.stats) {
		return bad("-extract writes files and one line per file, not with -x, -json, -summary or -stats")
	}
	if cfg.extract == "" && (cfg.extractGaps != "skip" || cfg.extractCipher) {
		return bad("-extract-gaps and -extract-ciphertext go with -extract DIR")
	}
	if _, err := session.ParseGapMode(cfg.extractGaps); err != nil {
		return bad("-extract-gaps: want fill or skip, not %q", cfg.extractGaps)
	}
	if cfg.parquet != "" {
		if cfg.hex || cfg.json || cfg.summary || cfg.stats || cfg.extract != "" {
			return bad("-parquet writes tables, not with -x, -json, -summary, -stats or -extract")
		}
		if cfg.rejects || cfg.types != 0 || cfg.streamID != "" || cfg.count != 0 {
			return bad("-parquet writes every packet and attempt: filter in the query, not with -rejects, -type, -stream-id or -count")
		}
		seen := map[string]string{}
		for _, name := range files {
			t := parquetout.TableName(name)
			if prev, ok := seen[t]; ok {
				return bad("-parquet: %s and %s would both write %s.parquet: rename one, or convert them into different DIRs", prev, name, t)
			}
			seen[t] = name
		}
	}
	if cfg.jobs < 1 {
		return bad("-j: want a number of FILEs of 1 or more, not %d", cfg.jobs)
	}
	if len(files) > 1 {
		scaleMemoryLimit(min(cfg.jobs, len(files)))
	}
	if cfg.summary && cfg.stats {
		return bad("-summary and -stats: choose one (-stats has the summary's figures too)")
	}
	switch cfg.timeFmt {
	case "abs":
		cfg.timeFmt = "local"
	case "local", "utc", "rel", "delta":
	default:
		return bad("-t: want local (or abs), utc, rel or delta, not %q", cfg.timeFmt)
	}
	switch cfg.progress {
	case "auto", "always", "never":
	default:
		return bad("-progress: want auto, always or never, not %q", cfg.progress)
	}

	out := newOutput(stdout)
	d := newDumper(&cfg, out, stderr)
	d.pqWorkers = 1
	if len(files) <= 1 {
		// One capture: its columns are encoded in parallel instead.
		d.pqWorkers = runtime.GOMAXPROCS(0)
	}
	if cfg.extract != "" {
		gaps, _ := session.ParseGapMode(cfg.extractGaps)
		x, err := newExtractor(cfg.extract, gaps, cfg.extractCipher, out)
		if err != nil {
			fmt.Fprintf(stderr, "srtdump: -extract: %v\n", err)
			return 1
		}
		d.extract = x
		defer func() {
			if status == 0 && x.failed {
				status = 1
			}
		}()
	}
	if cfg.timeseries != "" {
		f, err := os.Create(cfg.timeseries)
		if err != nil {
			fmt.Fprintf(stderr, "srtdump: -timeseries: %v\n", err)
			return 1
		}
		d.series = newSeriesWriter(f, cfg.json)
		defer func() {
			if err := d.series.close(); err != nil {
				fmt.Fprintf(stderr, "srtdump: -timeseries: %v\n", err)
				if status == 0 {
					status = 1
				}
			}
		}()
	}
	if cfg.html != "" {
		if err := d.openHTML(cfg.html, files); err != nil {
			fmt.Fprintf(stderr, "srtdump: -html: %v\n", err)
			return 1
		}
		defer func() {
			if err := d.closeHTML(); err != nil {
				fmt.Fprintf(stderr, "srtdump: -html: %v\n", err)
				if status == 0 {
					status = 1
				}
			}
		}()
	}
	d.mu.Lock()
	defer func() {
		out.Flush()
		d.mu.Unlock()
	}()
	if sigs != nil {
		done := make(chan struct{})
		defer close(done)
		go d.onSignal(sigs, done, exit)
	}

	if len(files) == 0 {
		// A pipe or a file on standard input is a capture; a terminal, or
		// nothing at all, gets the sample.
		st := errEmptyStdin
		if !isTerminalReader(stdin) {
			st = d.file("stdin", stdin, -1, true, true)
		}
		if st == errEmptyStdin {
			fmt.Fprintf(stderr, "srtdump: no capture given; decoding the built-in sample %s\n", sampleName)
			fmt.Fprintln(stderr, "srtdump: run 'srtdump -h' for usage")
			st = d.file("sample", bytes.NewReader(sample), int64(len(sample)), false, false)
		}
		d.filterReport()
		return st
	}
	d.multi = len(files) > 1
	if d.parallelOK(files) {
		status = d.parallel(files)
		d.filterReport()
		return status
	}
	status = 0
	for _, name := range files {
		var st int
		if name == "-" {
			st = d.file("stdin", stdin, -1, true, false)
		} else {
			st = d.openFile(name)
		}
		if st > status {
			status = st
		}
		if d.done() {
			break
		}
	}
	d.filterReport()
	return status
}

// openFile decodes the capture file name and returns the exit status for
// it.
func (d *dumper) openFile(name string) int {
	f, err := os.Open(name)
	if err != nil {
		fmt.Fprintf(d.errw, "srtdump: %v\n", err)
		return 1
	}
	defer f.Close()
	var size int64 = -1
	stream := true
	if fi, err := f.Stat(); err == nil {
		if fi.IsDir() {
			fmt.Fprintf(d.errw, "srtdump: %s: is a directory, not a capture (give the files in it, e.g. %s)\n", name, filepath.Join(name, "*.pcap"))
			return 1
		}
		if fi.Mode().IsRegular() {
			size, stream = fi.Size(), false
		}
	}
	return d.file(name, f, size, stream, false)
}

func buildVersion() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "devel"
}

// isTerminal reports whether w is a character device (a terminal).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && isCharDevice(f)
}

// isTerminalReader reports whether r is a character device: a terminal
// (or /dev/null), which srtdump does not read a capture from unless told
// to with "-".
func isTerminalReader(r io.Reader) bool {
	f, ok := r.(*os.File)
	return ok && isCharDevice(f)
}

func isCharDevice(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// progressEvery is the shortest time between two progress lines.
var progressEvery = 250 * time.Millisecond

// progress writes a progress line on stderr, rewritten in place at most
// every progressEvery, and a final line. It counts every frame and byte of
// the capture read (capture.Stats), not only SRT frames, so that it is not
// silent on a long capture with little or no SRT.
type progress struct {
	w     io.Writer
	on    bool
	name  string
	start time.Time
	last  time.Time
	size  int64 // the file's size; -1 when unknown (a stream)
	shown int   // the length of the line in place; 0 when there is none
	line  []byte
}

// update rewrites the line in place; raw is the number of bytes of the
// file read (compressed, for a gzip'd capture).
func (p *progress) update(s capture.Stats, raw int64) {
	if !p.on {
		return
	}
	now := time.Now()
	if now.Sub(p.last) < progressEvery {
		return
	}
	p.last = now
	rate := 0.0
	if el := now.Sub(p.start).Seconds(); el > 0 {
		rate = float64(s.Frames) / el
	}
	b := append(p.line[:0], '\r')
	b = fmt.Appendf(b, "srtdump: %d frames, %d SRT, %.1f MB", s.Frames, s.SRT, float64(s.Bytes)/1e6)
	if p.size > 0 {
		b = fmt.Appendf(b, " (%d%%)", min(raw*100/p.size, 100))
	}
	b = fmt.Appendf(b, ", %.0f frames/s", rate)
	b = p.pad(b, 1)
	p.w.Write(b)
	p.line = b
}

// pad pads the line in b, which starts at b[from:], with spaces to cover
// the line in place, and remembers its length.
func (p *progress) pad(b []byte, from int) []byte {
	n := len(b) - from
	for i := n; i < p.shown; i++ {
		b = append(b, ' ')
	}
	p.shown = n
	return b
}

// finish replaces the line in place with a final one, which is written
// even when no line was shown (a small file).
func (p *progress) finish(s capture.Stats) {
	if !p.on {
		return
	}
	b := p.line[:0]
	if p.shown > 0 {
		b = append(b, '\r')
	}
	from := len(b)
	b = fmt.Appendf(b, "srtdump: %s: %d frames, %d SRT, %.1f MB in %.2f s", p.name, s.Frames, s.SRT, float64(s.Bytes)/1e6, time.Since(p.start).Seconds())
	b = append(p.pad(b, from), '\n')
	p.w.Write(b)
	p.line, p.on = b, false
}
