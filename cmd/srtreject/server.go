package main

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"strconv"
	"time"

	"github.com/srtwire/srtwire/handshake"
	"github.com/srtwire/srtwire/packet"
	"github.com/srtwire/srtwire/reject"
)

// Baker makes SYN cookies the way libsrt's CUDT::bake does: a hash of the
// peer's address and port, a secret, and a time step counted from the
// listener's start, so that a cookie is valid for the current step and the
// one before it. libsrt hashes "host:port:minutes" with MD5 and an
// unpredictable start time; Baker uses HMAC-SHA256 with a random secret.
type Baker struct {
	secret [32]byte
	start  time.Time
	step   time.Duration
}

// NewBaker returns a Baker with a random secret and the given time step
// (libsrt uses one minute).
func NewBaker(start time.Time, step time.Duration) *Baker {
	b := &Baker{start: start, step: step}
	if _, err := rand.Read(b.secret[:]); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return b
}

func (b *Baker) bake(addr netip.AddrPort, step int64) uint32 {
	m := hmac.New(sha256.New, b.secret[:])
	var buf [64]byte
	t := addr.AppendTo(buf[:0])
	t = append(t, ':')
	t = strconv.AppendInt(t, step, 10)
	m.Write(t)
	c := binary.BigEndian.Uint32(m.Sum(nil))
	if c == 0 { // libsrt callers treat 0 as "no cookie"
		c = 1
	}
	return c
}

func (b *Baker) stepAt(now time.Time) int64 { return int64(now.Sub(b.start) / b.step) }

// Cookie returns the cookie for addr at time now.
func (b *Baker) Cookie(addr netip.AddrPort, now time.Time) uint32 {
	return b.bake(addr, b.stepAt(now))
}

// Valid reports whether cookie was baked for addr in the current time step
// or the one before, as libsrt accepts it (bake with correction 0 and -1).
func (b *Baker) Valid(addr netip.AddrPort, cookie uint32, now time.Time) bool {
	s := b.stepAt(now)
	return cookie == b.bake(addr, s) || cookie == b.bake(addr, s-1)
}

// EventKind says what the server did with a datagram.
type EventKind uint8

const (
	// Ignored: the datagram was not a handshake the listener answers
	// (not SRT, a stale cookie, a SHUTDOWN, ...).
	Ignored EventKind = iota
	// Induced: an INDUCTION was answered with a cookie.
	Induced
	// Rejected: a CONCLUSION was answered with a rejection.
	Rejected
	// ShutdownHSv4: an HSv4 CONCLUSION was answered with a SHUTDOWN,
	// as libsrt does, because HSv4 has no rejection codes.
	ShutdownHSv4
)

// Event describes what Server.Handle did.
type Event struct {
	Kind      EventKind
	Time      time.Time
	Caller    netip.AddrPort
	SocketID  uint32 // the caller's socket ID
	Version   uint32 // handshake version of the caller's message
	SRT       handshake.SRTVersion
	StreamID  string
	Reason    reject.Reason
	Why       string // which flag or rule chose Reason
	Note      string // why a datagram was ignored
	Duplicate bool   // a repeat of a CONCLUSION already logged
}

// Server answers SRT callers: INDUCTION with an HSv5 answer and a cookie,
// CONCLUSION with a rejection chosen by Policy.
type Server struct {
	Policy *Policy
	Baker  *Baker
	// PBKeyLen is the key length (0, 16, 24 or 32) advertised in the
	// Encryption field of the INDUCTION answer.
	PBKeyLen int
	// Start is the listener's start: header timestamps count µs from it.
	Start time.Time

	seen map[attemptKey]time.Time
}

type attemptKey struct {
	addr netip.AddrPort
	id   uint32
}

// dupWindow is how long a repeated CONCLUSION of the same caller socket
// counts as a duplicate (libsrt callers resend it every 250 ms).
const dupWindow = 10 * time.Second

// NewServer returns a Server started at start.
func NewServer(p *Policy, pbkeylen int, start time.Time) *Server {
	return &Server{Policy: p, Baker: NewBaker(start, time.Minute), PBKeyLen: pbkeylen, Start: start}
}

func (s *Server) timestamp(now time.Time) uint32 {
	return uint32(now.Sub(s.Start).Microseconds())
}

// Handle processes one datagram received from from at time now. It appends
// the answer, if any, to out and returns it (nil when nothing is to be sent),
// with an Event saying what happened.
func (s *Server) Handle(out, in []byte, from netip.AddrPort, now time.Time) ([]byte, Event) {
	ev := Event{Time: now, Caller: from}
	var p packet.Packet
	if err := p.Decode(in); err != nil {
		ev.Note = "not an SRT packet: " + err.Error()
		return nil, ev
	}
	if !p.Control || p.Type != packet.TypeHandshake {
		ev.Note = "not a handshake: " + describe(&p)
		return nil, ev
	}
	hs := &p.Handshake
	ev.SocketID = hs.SocketID
	ev.Version = hs.Version
	if hs.Type == handshake.Induction {
		return s.induction(out, &p, from, now, ev)
	}
	if hs.Type.IsRejection() {
		ev.Note = "a rejection sent to a listener"
		return nil, ev
	}
	// Like libsrt, any other handshake with a valid cookie is a conclusion
	// request; without one it is dropped.
	if !s.Baker.Valid(from, hs.Cookie, now) {
		ev.Note = fmt.Sprintf("%v with a wrong or expired cookie 0x%08x", hs.Type, hs.Cookie)
		return nil, ev
	}
	return s.conclusion(out, &p, from, now, ev)
}

func describe(p *packet.Packet) string {
	if !p.Control {
		return "data"
	}
	return p.Type.String()
}

// induction answers an INDUCTION as libsrt's listener does: the request is
// echoed (the caller's socket ID, ISN, MTU, flow window and Peer IP, and
// anything after the 48 bytes) with Version 5, the Type word set to
// Encryption<<16 | 0x4A17, and a cookie; the header goes to the caller's
// socket ID.
func (s *Server) induction(out []byte, p *packet.Packet, from netip.AddrPort, now time.Time, ev Event) ([]byte, Event) {
	ev.Kind = Induced
	r := packet.Packet{Header: packet.Header{
		Control:   true,
		Type:      packet.TypeHandshake,
		Timestamp: s.timestamp(now),
		DstSocket: p.Handshake.SocketID,
	}}
	r.Handshake = p.Handshake
	r.Handshake.Version = handshake.Version5
	r.Handshake.Encryption = uint16(s.PBKeyLen / 8)
	r.Handshake.Extension = handshake.MagicHSv5
	r.Handshake.Cookie = s.Baker.Cookie(from, now)
	b, err := r.AppendBinary(out)
	if err != nil { // cannot happen: every field came from a decoded packet
		ev.Kind, ev.Note = Ignored, "encoding the answer: "+err.Error()
		return nil, ev
	}
	return b, ev
}

// conclusion rejects a CONCLUSION as libsrt does when its listen callback
// refuses a caller: a 48-byte handshake that echoes the caller's fixed
// fields (its socket ID included) with Handshake Type 1000 + reason, sent to
// the caller's socket ID. An HSv4 caller gets a SHUTDOWN instead.
func (s *Server) conclusion(out []byte, p *packet.Packet, from netip.AddrPort, now time.Time, ev Event) ([]byte, Event) {
	hs := &p.Handshake
	k := attemptKey{from, hs.SocketID}
	if t, ok := s.seen[k]; ok && now.Sub(t) < dupWindow {
		ev.Duplicate = true
	} else {
		if s.seen == nil || len(s.seen) > 4096 {
			s.prune(now)
		}
		s.seen[k] = now
	}
	h := packet.Header{
		Control:   true,
		Timestamp: s.timestamp(now),
		DstSocket: hs.SocketID,
	}
	if hs.Version < handshake.Version5 {
		ev.Kind = ShutdownHSv4
		h.Type = packet.TypeShutdown
		r := packet.Packet{Header: h}
		b, _ := r.AppendBinary(out)
		return b, ev
	}
	ev.StreamID = hs.StreamID()
	if o, ok := hs.SRTOptions(); ok {
		ev.SRT = o.Version
	}
	ev.Reason, ev.Why = s.Policy.Decide(ev.StreamID)
	ev.Kind = Rejected
	h.Type = packet.TypeHandshake
	r := packet.Packet{Header: h, Handshake: *hs}
	r.Handshake.Ext = nil
	r.Handshake.Type = handshake.RejectionType(ev.Reason)
	b, err := r.AppendBinary(out)
	if err != nil {
		ev.Kind, ev.Note = Ignored, "encoding the answer: "+err.Error()
		return nil, ev
	}
	return b, ev
}

func (s *Server) prune(now time.Time) {
	if s.seen == nil {
		s.seen = make(map[attemptKey]time.Time)
		return
	}
	for k, t := range s.seen {
		if now.Sub(t) >= dupWindow {
			delete(s.seen, k)
		}
	}
	if len(s.seen) > 4096 { // a flood: forget everything rather than grow
		clear(s.seen)
	}
}

// FormatEvent returns the summary line for a rejected (or HSv4) attempt,
// or "" for other events.
func FormatEvent(ev *Event) string {
	ts := ev.Time.Format("2006-01-02T15:04:05.000Z07:00")
	switch ev.Kind {
	case Rejected:
		v := ""
		if ev.SRT != 0 {
			v = " srt=" + ev.SRT.String()
		}
		return fmt.Sprintf("%s caller=%s socket=0x%08x%s sid=%q reject=%s code=%d wire=%d (%s)",
			ts, ev.Caller, ev.SocketID, v, ev.StreamID, ev.Reason.Name(), int32(ev.Reason), ev.Reason.Wire(), ev.Why)
	case ShutdownHSv4:
		return fmt.Sprintf("%s caller=%s socket=0x%08x hsv=%d reject=SHUTDOWN (HSv4 callers get no rejection code)",
			ts, ev.Caller, ev.SocketID, ev.Version)
	}
	return ""
}

// Serve answers datagrams on conn until ctx is done. It writes one summary
// line per attempt to log, and, when verbose is not nil, a line per other
// datagram to verbose. It returns the number of attempts rejected.
func (s *Server) Serve(ctx context.Context, conn *net.UDPConn, log, verbose io.Writer) (int, error) {
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	buf := make([]byte, 64*1024)
	out := make([]byte, 0, 1500)
	n := 0
	for {
		m, from, err := conn.ReadFromUDPAddrPort(buf)
		if err != nil {
			if ctx.Err() != nil || errors.Is(err, net.ErrClosed) {
				return n, nil
			}
			return n, err
		}
		now := time.Now()
		reply, ev := s.Handle(out[:0], buf[:m], from, now)
		if reply != nil {
			if _, err := conn.WriteToUDPAddrPort(reply, from); err != nil && verbose != nil {
				fmt.Fprintf(verbose, "srtreject: answering %s: %v\n", from, err)
			}
		}
		switch {
		case (ev.Kind == Rejected || ev.Kind == ShutdownHSv4) && !ev.Duplicate:
			n++
			fmt.Fprintln(log, FormatEvent(&ev))
		case verbose == nil:
		case ev.Kind == Induced:
			fmt.Fprintf(verbose, "srtreject: INDUCTION from %s socket=0x%08x: answered\n", from, ev.SocketID)
		case ev.Duplicate:
			fmt.Fprintf(verbose, "srtreject: repeated CONCLUSION from %s socket=0x%08x: rejected again\n", from, ev.SocketID)
		default:
			fmt.Fprintf(verbose, "srtreject: ignored %d bytes from %s: %s\n", m, from, ev.Note)
		}
	}
}
