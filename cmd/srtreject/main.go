// Command srtreject is an SRT listener that rejects every caller, with the
// rejection reason you choose.
//
// It exists so that developers of SRT clients (encoders, players, OBS-style
// apps, gateways) can see how their application handles each rejection
// reason a server may send: a wrong passphrase (SRT_REJ_BADSECRET, 10), an
// unknown stream (SRT_REJX_NOTFOUND, 1404), a full server
// (SRT_REJX_OVERLOAD, 1402), an application's own code (2000 and up), and
// so on. A client that shows "Connecting..." forever, or retries a
// permanent refusal in a tight loop, is easy to spot against it.
//
// srtreject answers a caller's INDUCTION the way libsrt's listener does (an
// HSv5 answer with the 0x4A17 magic, the caller's fields echoed, and a SYN
// cookie derived from the caller's address and port, a random secret and a
// one-minute time step; unlike libsrt, nothing after the 48-byte CIF is
// echoed, so the answer is never more than 64 bytes), then answers its CONCLUSION with a rejection
// handshake: Handshake Type 1000 + reason, the caller's fields echoed, sent
// to the caller's socket ID, exactly as libsrt does when a listen callback
// calls srt_setrejectreason. The caller's srt_getrejectreason() then returns
// the reason (see the exceptions below). Nothing is ever accepted.
//
// Usage:
//
//	srtreject [-listen ADDR] -reject REASON
//	srtreject [-listen ADDR] [-rule KEY=GLOB:REASON]... [-default REASON]
//	srtreject -list
//
// The reason is chosen from the caller's Stream ID:
//
//	-reject REASON          reject every caller with REASON
//	-rule KEY=GLOB:REASON   reject with REASON when the Stream ID key KEY has a
//	                        value matching GLOB (path.Match syntax: * ? [...]);
//	                        KEY * matches the whole Stream ID. Repeatable; the
//	                        first matching rule wins.
//	-default REASON         the reason when no rule matches
//	                        (default SRT_REJX_FALLBACK, 1000)
//
// Stream IDs are read with the access-control syntax "#!::u=alice,r=live/1"
// (keys u, r, h, s, t, m and custom user_* keys). A REASON is a number (the
// code srt_getrejectreason returns: 10, 1403, 2005), a libsrt name
// (SRT_REJ_BADSECRET, SRT_REJX_FORBIDDEN, or just BADSECRET, forbidden), or a
// wire value (wire:2403). Run srtreject -list for every known reason.
//
// Examples:
//
//	srtreject -reject 1403
//	srtreject -listen :9000 -rule 'r=forbidden*:1403' -rule 'u=guest:1401' -default 1404
//	srtreject -rule 'r=live/*:SRT_REJX_OVERLOAD' -rule '*=legacy:2005'
//
// and, from the client side, for example:
//
//	srt-live-transmit udp://:5000 'srt://127.0.0.1:9000?streamid=#!::r=forbidden1,u=bob'
//	ffmpeg -re -i in.ts -f mpegts 'srt://127.0.0.1:9000?streamid=#!::u=guest'
//
// Each rejected attempt is logged as one line on standard output: the time,
// the caller's address and socket ID, its SRT version and Stream ID, and the
// reason's name, code and wire value, with the flag or rule that chose it.
// A caller resends its CONCLUSION until answered; repeats within 10 s are
// answered again but not logged again. A caller that keeps coming back
// (a reconnecting client, or a flood changing its socket ID) is logged at
// most once a second per reason, followed by one line with the count of the
// attempts of that second. The log never slows the listener down: when its
// output cannot keep up (a pipe nobody reads), lines are dropped and their
// number is logged later; it grows by at most about 2.4 MB a minute however
// hostile the traffic. -v logs every other datagram to standard error.
// SIGINT or SIGTERM stops the listener.
//
// What a libsrt 1.5.1 caller reports (checked by the interop tests,
// interop/README.md): every SRT_REJX_* code (1000-1999) and every
// application code (2000 and up) comes back exactly, as does every
// SRT_REJ_* code from 1 to 16. Codes 17 to 999 come back as
// SRT_REJ_UNKNOWN (0), because libsrt collapses internal codes it does not
// know (SRT_REJ_CRYPTO, 17, exists only in AEAD builds of 1.5.2 and later).
// Code 0 (wire 1000) is not taken for a rejection at all by libsrt 1.5.x:
// the caller reports SRT_REJ_ROGUE (4).
//
// -pbkeylen 16|24|32 advertises a key length in the INDUCTION answer, as a
// listener with a passphrase does; the caller's KMREQ is never checked.
// HSv4 callers (SRT before 1.3) get a SHUTDOWN, as libsrt sends them.
//
// # The libsrt mode
//
// With -libsrt, srtreject answers every caller as a libsrt 1.5.1 listener
// configured with the same options would (package listener decides): it
// ignores what libsrt ignores, rejects with the reason libsrt would give
// (a wrong passphrase with SRT_REJ_BADSECRET, a one-sided one with
// SRT_REJ_UNSECURE, a file-mode caller with SRT_REJ_MESSAGEAPI, ...), and
// answers the callers libsrt would accept with libsrt's CONCLUSION answer,
// which it follows at once with a SHUTDOWN: srtreject carries no data.
// -rule and -default act as the listen callback: a matching rule refuses
// with its reason (codes below 1000 count as no reason, as
// srt_setrejectreason ignores them), a caller no rule matches is accepted
// unless -default is given. The options, named as srt-live-transmit's URI
// keys:
//
//	-passphrase S        SRTO_PASSPHRASE (also -passphrase-file F, or the
//	                     SRT_PASSPHRASE environment variable, to keep it out
//	                     of the shell history)
//	-enforced=false      SRTO_ENFORCEDENCRYPTION (default true)
//	-pbkeylen N          SRTO_PBKEYLEN 16, 24, 32
//	-transtype file      SRTO_TRANSTYPE (default live)
//	-messageapi=false    SRTO_MESSAGEAPI (default true; false with file)
//	-congestion file     SRTO_CONGESTION
//	-filter S            SRTO_PACKETFILTER, e.g. fec,cols:4,rows:2
//	-minversion 1.3.0    SRTO_MINVERSION
//	-latency MS          SRTO_LATENCY (both directions; default 120)
//
// Each decision is logged with the libsrt check that made it.
//
// srtreject is built on the srtwire codec (packages handshake, listener,
// packet and reject) and the standard library only.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/srtwire/srtwire/listener"
	"github.com/srtwire/srtwire/reject"
)

type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, " ") }
func (m *multiFlag) Set(s string) error { *m = append(*m, s); return nil }

const usageHead = `srtreject: an SRT listener that rejects every caller with the reason you choose,
to test how SRT client applications handle each rejection reason.

Usage:
  srtreject [-listen ADDR] -reject REASON
  srtreject [-listen ADDR] [-rule KEY=GLOB:REASON]... [-default REASON]
  srtreject -libsrt [-passphrase S] [-enforced=false] [-pbkeylen N] [-transtype file]
            [-messageapi=false] [-congestion C] [-filter F] [-minversion V]
            [-latency MS] [-rule KEY=GLOB:REASON]... [-default REASON]
  srtreject -list

-libsrt answers as a libsrt 1.5.1 listener with those options would: the
same silences, the same rejection reasons, and for the callers libsrt
accepts its CONCLUSION answer followed at once by a SHUTDOWN: srtreject
carries no data. There -rule/-default are the listen callback (no match:
accept, unless -default is given).

REASON: a code (10, 1403, 2005), a libsrt name (SRT_REJ_BADSECRET,
SRT_REJX_FORBIDDEN, forbidden) or a wire value (wire:2403).
Rules match a key of the caller's Stream ID ("#!::u=bob,r=live/1") against
a glob (path.Match); KEY * matches the whole Stream ID; the first match wins.

Flags:
`

const usageTail = `
Examples:
  srtreject -reject 1403
  srtreject -listen :9000 -rule 'r=forbidden*:1403' -rule 'u=guest:1401' -default 1404
  srtreject -rule 'r=live/*:SRT_REJX_OVERLOAD' -rule '*=legacy:2005'

  then, for instance:
  srt-live-transmit udp://:5000 'srt://127.0.0.1:9000?streamid=#!::r=forbidden1,u=bob'

libsrt 1.5.1 callers read back every code exactly except: 0 (reported as
SRT_REJ_ROGUE, 4) and 17-999 (reported as SRT_REJ_UNKNOWN, 0).
`

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("srtreject", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		listen   = fs.String("listen", "127.0.0.1:9000", "UDP `address` to listen on (host:port; :9000 for all interfaces)")
		all      = fs.String("reject", "", "reject every caller with `REASON`")
		def      = fs.String("default", "", "`REASON` when no -rule matches (default SRT_REJX_FALLBACK, 1000)")
		pbkeylen = fs.Int("pbkeylen", 0, "key length in `bytes` (16, 24, 32) to advertise in the INDUCTION answer; 0: none")
		list     = fs.Bool("list", false, "list every known rejection reason and exit")
		verbose  = fs.Bool("v", false, "log every other datagram (INDUCTION, repeats, ignored) to standard error")
		libsrt   = fs.Bool("libsrt", false, "answer as a libsrt 1.5.1 listener with the options below would (accepted callers get a SHUTDOWN: no data)")
		lo       libsrtOptions
		rules    multiFlag
	)
	fs.StringVar(&lo.passphrase, "passphrase", "", "-libsrt: SRTO_PASSPHRASE (or -passphrase-file, or $SRT_PASSPHRASE)")
	fs.StringVar(&lo.passFile, "passphrase-file", "", "-libsrt: read the passphrase from `FILE`")
	fs.BoolVar(&lo.enforced, "enforced", true, "-libsrt: SRTO_ENFORCEDENCRYPTION")
	fs.BoolVar(&lo.messageapi, "messageapi", true, "-libsrt: SRTO_MESSAGEAPI (false: stream API)")
	fs.StringVar(&lo.transtype, "transtype", "live", "-libsrt: SRTO_TRANSTYPE live or file (file: libsrt's file-mode defaults)")
	fs.StringVar(&lo.congestion, "congestion", "", "-libsrt: SRTO_CONGESTION live or file")
	fs.StringVar(&lo.filter, "filter", "", "-libsrt: SRTO_PACKETFILTER, e.g. fec,cols:4,rows:2")
	fs.StringVar(&lo.minversion, "minversion", "", "-libsrt: SRTO_MINVERSION, e.g. 1.3.0")
	fs.IntVar(&lo.latency, "latency", -1, "-libsrt: SRTO_LATENCY in `ms` (default libsrt's, 120 live, 0 file)")
	fs.Var(&rules, "rule", "reject with REASON when Stream ID key KEY matches GLOB; form `KEY=GLOB:REASON`, repeatable")
	fs.Usage = func() {
		fmt.Fprint(stderr, usageHead)
		fs.PrintDefaults()
		fmt.Fprint(stderr, usageTail)
	}
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "srtreject: unexpected argument %q\n", fs.Arg(0))
		fs.Usage()
		return 2
	}
	if *list {
		listReasons(stdout)
		return 0
	}
	switch *pbkeylen {
	case 0, 16, 24, 32:
	default:
		fmt.Fprintf(stderr, "srtreject: -pbkeylen must be 0, 16, 24 or 32\n")
		return 2
	}
	if *libsrt {
		if *all != "" {
			fmt.Fprintln(stderr, "srtreject: -libsrt decides as libsrt: use -rule/-default, not -reject")
			return 2
		}
		if lo.transtype == "file" {
			set := false
			fs.Visit(func(f *flag.Flag) { set = set || f.Name == "messageapi" })
			if !set {
				lo.messageapi = false
			}
		}
	} else if *all == "" && len(rules) == 0 && *def == "" {
		fmt.Fprintln(stderr, "srtreject: say how to reject: -reject REASON, or -rule/-default")
		fs.Usage()
		return 2
	}
	policy, err := newPolicy(*all, rules, *def)
	if err != nil {
		fmt.Fprintln(stderr, "srtreject:", err)
		return 2
	}
	policy.defaultAccepts = *libsrt && *def == ""
	start := time.Now()
	var lib *listener.Config
	var baker *listener.CookieBaker
	if *libsrt {
		if baker, err = listener.NewCookieBaker(start, listener.DefaultCookieStep, nil); err == nil {
			if lo.pbkeylen == 0 {
				lo.pbkeylen = *pbkeylen
			}
			lib, err = libsrtConfig(&lo, policy, len(rules) > 0 || *def != "", baker, start)
		}
		if err != nil {
			fmt.Fprintln(stderr, "srtreject:", err)
			return 2
		}
	}
	addr, err := net.ResolveUDPAddr("udp", *listen)
	if err != nil {
		fmt.Fprintf(stderr, "srtreject: -listen %q: %v\n", *listen, err)
		return 2
	}
	conn, err := net.ListenUDP("udp", addr)
	if err != nil {
		fmt.Fprintln(stderr, "srtreject:", err)
		return 1
	}
	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer cancel()

	srv, err := newServer(policy, *pbkeylen, start)
	if err != nil {
		fmt.Fprintf(stderr, "srtreject: %v\n", err)
		return 1
	}
	what := describePolicy(policy)
	if lib != nil {
		srv.Baker, srv.lib = baker, lib
		what = describeLibsrt(lib, policy)
	}
	fmt.Fprintf(stderr, "srtreject: listening on %s (UDP): %s\n", conn.LocalAddr(), what)
	var vw io.Writer
	if *verbose {
		vw = stderr
	}
	n, err := srv.Serve(ctx, conn, stdout, vw)
	if err != nil {
		fmt.Fprintln(stderr, "srtreject:", err)
		return 1
	}
	fmt.Fprintf(stderr, "srtreject: stopped; %d attempt(s) answered\n", n)
	return 0
}

func describeLibsrt(c *listener.Config, p *policy) string {
	cb := "no listen callback"
	if c.Accept != nil {
		cb = "callback: " + describePolicy(p)
		if p.defaultAccepts {
			cb = strings.Replace(cb, "otherwise "+p.Default.String(), "otherwise accept", 1)
		}
	}
	pass := "no passphrase"
	if c.Passphrase != "" {
		pass = "a passphrase"
	}
	return fmt.Sprintf("as libsrt %v would, with %s, pbkeylen %d, enforced %v, messageapi %v, congestion %q, filter %q, minversion %v, latency %d/%d ms; %s",
		c.Version, pass, c.PBKeyLen, c.EnforcedEncryption, c.MessageAPI, c.Congestion, c.Filter, c.MinVersion, c.RecvLatency, c.PeerLatency, cb)
}

func describePolicy(p *policy) string {
	if p.All != nil {
		return "reject every caller with " + p.All.String()
	}
	var sb strings.Builder
	for _, r := range p.Rules {
		fmt.Fprintf(&sb, "%s=%s -> %s; ", r.Key, r.Glob, r.Reason.String())
	}
	sb.WriteString("otherwise " + p.Default.String())
	return sb.String()
}

func listReasons(w io.Writer) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "CODE\tWIRE\tNAME\tTEXT")
	for _, r := range reject.All() {
		fmt.Fprintf(tw, "%d\t%d\t%s\t%s\n", int32(r), r.Wire(), r.Name(), r.Text())
	}
	fmt.Fprintln(tw, "2000+\t3000+\tSRT_REJC_USERDEFINED\tyour application's own codes")
	tw.Flush()
}
