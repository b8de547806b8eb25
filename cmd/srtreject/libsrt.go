package main

import (
	"fmt"
	"net/netip"
	"os"
	"strings"
	"time"

	"github.com/srtwire/srtwire/handshake"
	"github.com/srtwire/srtwire/listener"
	"github.com/srtwire/srtwire/packet"
	"github.com/srtwire/srtwire/reject"
)

// libsrtOptions are the flags of the libsrt mode: the socket options of a
// libsrt listener (srt-live-transmit's URI keys of the same names).
type libsrtOptions struct {
	passphrase, passFile string
	enforced             bool
	pbkeylen             int
	messageapi           bool
	transtype            string
	congestion           string
	filter               string
	minversion           string
	latency              int
}

// libsrtConfig builds the listener configuration; the passphrase comes
// from -passphrase, -passphrase-file or SRT_PASSPHRASE, in that order.
func libsrtConfig(o *libsrtOptions, p *policy, hasPolicy bool, cookies *listener.CookieBaker, start time.Time) (*listener.Config, error) {
	cfg := listener.LiveConfig(cookies)
	switch o.transtype {
	case "", "live":
	case "file":
		cfg = listener.FileConfig(cookies)
	default:
		return nil, fmt.Errorf("-transtype must be live or file")
	}
	cfg.Start = start
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
	cfg.Passphrase = pass
	cfg.PBKeyLen = o.pbkeylen
	cfg.EnforcedEncryption = o.enforced
	cfg.MessageAPI = o.messageapi
	if o.congestion != "" {
		cfg.Congestion = o.congestion
	}
	cfg.Filter = o.filter
	v, err := handshake.ParseSRTVersion(o.minversion)
	if err != nil {
		return nil, fmt.Errorf("-minversion: %w", err)
	}
	cfg.MinVersion = v
	if o.latency >= 0 {
		if o.latency > 65535 {
			return nil, fmt.Errorf("-latency must be 0 to 65535 ms")
		}
		cfg.SetLatency(uint16(o.latency))
	}
	if hasPolicy {
		cfg.Accept = func(sid string, _ *listener.Request) (bool, reject.Reason) {
			r, why := p.Decide(sid)
			if why == "-default" && p.defaultAccepts {
				return true, 0
			}
			return false, r
		}
	}
	cfg.Peers = listener.NewPeers(0)
	if err := cfg.Check(); err != nil {
		return nil, err
	}
	return &cfg, nil
}

// handleLibsrt answers a datagram as the libsrt listener s.lib would, and
// ends an accepted connection at once with a SHUTDOWN from the new socket:
// srtreject carries no data.
func (s *server) handleLibsrt(out, in []byte, from netip.AddrPort, now time.Time, ev event) ([]byte, event) {
	d := listener.Decide(s.lib, in, from, now, out)
	ev.Why = d.Why()
	ev.Reason = d.Reason
	var p packet.Packet
	if len(in) >= packet.HeaderSize+handshake.CIFSize && p.Decode(in) == nil && p.Kind() == packet.KindHandshake {
		ev.SocketID, ev.Version = p.Handshake.SocketID, p.Handshake.Version
		if o, err := p.Handshake.SRTOptions(); err == nil {
			ev.SRT = o.Version
		}
		if d.Action == listener.ActionReject || d.Action == listener.ActionAccept {
			ev.StreamID = streamID(&p.Handshake)
		}
	}
	switch d.Action {
	case listener.ActionSilent:
		ev.Note = "ignored as libsrt does: " + d.Why()
		return nil, ev
	case listener.ActionInduction:
		ev.Kind = evInduced
		return d.Answer, ev
	case listener.ActionReject:
		ev.Kind = evRejected
		if d.Shutdown {
			ev.Kind = evShutdownHSv4
		}
	case listener.ActionAccept:
		ev.Kind = evAccepted
		ev.Duplicate = d.Row == listener.RowRepeat
		ev.KMState, ev.KMRSP = d.KMState, d.KMRSP
		// The SHUTDOWN that ends it, from the accepted socket to the caller.
		var a packet.Packet
		if a.Decode(d.Answer) == nil {
			sd := packet.Packet{Header: packet.Header{Control: true, Type: packet.TypeShutdown, DstSocket: a.DstSocket}}
			ev.after, _ = sd.AppendBinary(nil)
		}
	}
	return d.Answer, ev
}
