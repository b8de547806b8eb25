package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"time"

	"github.com/srtwire/srtwire/handshake"
	"github.com/srtwire/srtwire/listener"
	"github.com/srtwire/srtwire/packet"
	"github.com/srtwire/srtwire/reject"
)

// EventKind says what the server did with a datagram.
type eventKind uint8

const (
	// Ignored: the datagram was not a handshake the listener answers
	// (not SRT, a stale cookie, a SHUTDOWN, ...).
	evIgnored eventKind = iota
	// Induced: an INDUCTION was answered with a cookie.
	evInduced
	// Rejected: a CONCLUSION was answered with a rejection.
	evRejected
	// ShutdownHSv4: an HSv4 CONCLUSION was answered with a SHUTDOWN,
	// as libsrt does, because HSv4 has no rejection codes.
	evShutdownHSv4
	// Accepted (libsrt mode): a CONCLUSION was accepted, answered, and the
	// connection ended with a SHUTDOWN.
	evAccepted
)

// Event describes what Server.Handle did.
type event struct {
	Kind      eventKind
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
	Size      int    // the datagram's length
	// libsrt mode: the key-material state of an accepted caller, and the
	// SHUTDOWN to send after the answer.
	KMState handshake.KMState
	KMRSP   bool
	after   []byte
}

// server answers SRT callers: INDUCTION with an HSv5 answer and a cookie,
// CONCLUSION with a rejection chosen by policy. Handle is not safe for
// concurrent use (it keeps the table of recent attempts); Serve runs it in
// one goroutine.
type server struct {
	policy *policy
	Baker  *listener.CookieBaker
	// PBKeyLen is the key length (0, 16, 24 or 32) advertised in the
	// Encryption field of the INDUCTION answer.
	PBKeyLen int
	// Start is the listener's start: header timestamps count µs from it.
	Start time.Time

	seen map[attemptKey]time.Time

	// lib, when set, makes the server answer as a libsrt listener with
	// this configuration would (package listener).
	lib *listener.Config
}

type attemptKey struct {
	addr netip.AddrPort
	id   uint32
}

// dupWindow is how long a repeated CONCLUSION of the same caller socket
// counts as a duplicate (libsrt callers resend it every 250 ms).
const dupWindow = 10 * time.Second

// NewServer returns a Server started at start.
func newServer(p *policy, pbkeylen int, start time.Time) (*server, error) {
	b, err := listener.NewCookieBaker(start, listener.DefaultCookieStep, nil)
	if err != nil {
		return nil, err
	}
	return &server{policy: p, Baker: b, PBKeyLen: pbkeylen, Start: start}, nil
}

func (s *server) timestamp(now time.Time) uint32 {
	return uint32(now.Sub(s.Start).Microseconds())
}

// Handle processes one datagram received from from at time now. It appends
// the answer, if any, to out and returns it (nil when nothing is to be sent),
// with an Event saying what happened.
func (s *server) Handle(out, in []byte, from netip.AddrPort, now time.Time) ([]byte, event) {
	ev := event{Time: now, Caller: from}
	if s.lib != nil {
		return s.handleLibsrt(out, in, from, now, ev)
	}
	var p packet.Packet
	if err := p.Decode(in); err != nil {
		ev.Note = "not an SRT packet: " + err.Error()
		return nil, ev
	}
	if k := p.Kind(); k != packet.KindHandshake {
		ev.Note = "not a handshake: " + k.String()
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

// induction answers an INDUCTION as libsrt's listener does (see
// handshake.InductionResponse); the header goes to the caller's socket ID.
func (s *server) induction(out []byte, p *packet.Packet, from netip.AddrPort, now time.Time, ev event) ([]byte, event) {
	ev.Kind = evInduced
	r := packet.Packet{Header: packet.Header{
		Control:   true,
		Type:      packet.TypeHandshake,
		Timestamp: s.timestamp(now),
		DstSocket: p.Handshake.SocketID,
	}}
	r.Handshake = handshake.InductionResponse(&p.Handshake, s.Baker.Cookie(from, now), s.PBKeyLen)
	b, err := r.AppendBinary(out)
	if err != nil { // cannot happen: every field came from a decoded packet
		ev.Kind, ev.Note = evIgnored, "encoding the answer: "+err.Error()
		return nil, ev
	}
	return b, ev
}

// conclusion rejects a CONCLUSION as libsrt does when its listen callback
// refuses a caller (see handshake.Rejection), sent to the caller's socket
// ID. An HSv4 caller gets a SHUTDOWN instead.
func (s *server) conclusion(out []byte, p *packet.Packet, from netip.AddrPort, now time.Time, ev event) ([]byte, event) {
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
		ev.Kind = evShutdownHSv4
		h.Type = packet.TypeShutdown
		r := packet.Packet{Header: h}
		b, _ := r.AppendBinary(out)
		return b, ev
	}
	ev.StreamID = streamID(hs)
	if o, err := hs.SRTOptions(); err == nil {
		ev.SRT = o.Version
	}
	ev.Reason, ev.Why = s.policy.Decide(ev.StreamID)
	ev.Kind = evRejected
	h.Type = packet.TypeHandshake
	r := packet.Packet{Header: h, Handshake: handshake.Rejection(hs, ev.Reason)}
	b, err := r.AppendBinary(out)
	if err != nil {
		ev.Kind, ev.Note = evIgnored, "encoding the answer: "+err.Error()
		return nil, ev
	}
	return b, ev
}

func (s *server) prune(now time.Time) {
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

// Serve answers datagrams on conn until ctx is done. It logs one line per
// rejected attempt to log (repeats aggregated, see eventLog) and, when
// verbose is not nil, a line per other datagram to verbose. Logging never
// blocks the answers: a log that cannot keep up loses lines, and says how
// many. It returns the number of attempts rejected.
func (s *server) Serve(ctx context.Context, conn *net.UDPConn, log, verbose io.Writer) (int, error) {
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	lg := newEventLog(log, verbose)
	defer lg.close()
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
		ev.Size = m
		if reply != nil {
			if _, err := conn.WriteToUDPAddrPort(reply, from); err != nil {
				ev.Note = "answering: " + err.Error()
			}
			if ev.after != nil {
				_, _ = conn.WriteToUDPAddrPort(ev.after, from)
			}
		}
		logged := ev.Kind == evRejected || ev.Kind == evShutdownHSv4 || ev.Kind == evAccepted
		if logged && !ev.Duplicate {
			n++
		}
		if logged || verbose != nil {
			lg.add(ev)
		}
	}
}

// streamID decodes the caller's Stream ID, at most the 512 bytes libsrt
// accepts, so that a hostile 64 KiB one costs no more.
func streamID(hs *handshake.Handshake) string {
	v, ok := hs.Find(handshake.ExtSID)
	if !ok {
		return ""
	}
	return handshake.DecodeString(v[:min(len(v), handshake.ExtSID.MaxStringLen())])
}
