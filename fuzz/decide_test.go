package fuzz

import (
	"encoding/binary"
	"net/netip"
	"testing"
	"time"

	"github.com/srtwire/srtwire/handshake"
	"github.com/srtwire/srtwire/internal/testcorpus"
	"github.com/srtwire/srtwire/listener"
	"github.com/srtwire/srtwire/packet"
	"github.com/srtwire/srtwire/reject"
)

var (
	decideStart = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	decideNow   = decideStart.Add(30 * time.Second)
	decideFrom  = netip.MustParseAddrPort("127.0.0.1:40000")
)

// decideConfig turns the fuzzer's option bits into a listener
// configuration, so that every option's code is reached.
func decideConfig(b *listener.CookieBaker, opts uint16) listener.Config {
	cfg := listener.LiveConfig(b)
	if opts&1 != 0 {
		cfg = listener.FileConfig(b)
	}
	if opts&2 != 0 {
		cfg.Passphrase, cfg.PBKeyLen = "corpus-secret-16", 16
	}
	cfg.EnforcedEncryption = opts&4 == 0
	if opts&8 != 0 {
		cfg.Filter = "fec,cols:4,rows:2"
	}
	if opts&16 != 0 {
		cfg.Accept = func(sid string, _ *listener.Request) (bool, reject.Reason) {
			switch len(sid) % 4 {
			case 0:
				return true, 0
			case 1:
				return false, listener.NoReason
			case 2:
				return false, reject.Forbidden
			}
			return false, 2005
		}
	}
	cfg.Bonding, cfg.GroupsAllowed = opts&32 != 0, opts&64 != 0
	if opts&128 != 0 {
		cfg.MinVersion = handshake.MakeSRTVersion(1, 5, 2)
	}
	if opts&256 != 0 {
		cfg.Version = handshake.MakeSRTVersion(1, 5, 5)
	}
	if opts&512 != 0 {
		cfg.Peers = listener.NewPeers(4)
	}
	cfg.BacklogFull = opts&1024 != 0
	return cfg
}

// FuzzDecide checks Decide on any datagram and configuration: it never
// panics; a Reject carries its reason as 1000 + reason on the wire (or is a
// SHUTDOWN); every datagram libsrt ignores (too short or too long, not for
// the listener, not a HANDSHAKE of 48 bytes, failing CHandShake::valid, a
// wrong cookie) gets silence, and an INDUCTION an induction answer. With
// fixCookie the cookie is made valid, so that the checks after it are
// reached.
func FuzzDecide(f *testing.F) {
	caps, err := testcorpus.Captures()
	if err != nil {
		f.Fatal(err)
	}
	for _, c := range caps {
		frames, err := testcorpus.Frames(c.Name)
		if err != nil {
			f.Fatal(err)
		}
		for _, fr := range frames {
			var p packet.Packet
			if p.Decode(fr.Payload) == nil && p.Kind() == packet.KindHandshake {
				f.Add(fr.Payload, true, uint16(len(fr.Payload)*37))
			}
		}
	}
	f.Add([]byte{}, false, uint16(0))
	baker, err := listener.NewCookieBaker(decideStart, 0, nil)
	if err != nil {
		f.Fatal(err)
	}
	out := make([]byte, 0, 1500)
	f.Fuzz(func(t *testing.T, b []byte, fixCookie bool, opts uint16) {
		if len(b) > maxInput {
			return
		}
		cfg := decideConfig(baker, opts)
		if fixCookie && len(b) >= 48 {
			binary.BigEndian.PutUint32(b[44:], baker.Cookie(decideFrom, decideNow))
		}
		d := listener.Decide(&cfg, b, decideFrom, decideNow, out[:0])
		if d.Why() == "" {
			t.Fatal("no Why")
		}
		switch d.Action {
		case listener.ActionSilent:
			if d.Answer != nil {
				t.Fatal("silent with an answer")
			}
		case listener.ActionReject:
			var p packet.Packet
			if err := p.Decode(d.Answer); err != nil {
				t.Fatalf("the rejection does not decode: %v", err)
			}
			if d.Shutdown {
				if p.Kind() != packet.KindShutdown {
					t.Fatalf("SHUTDOWN expected, got %v", p.Kind())
				}
				break
			}
			if int64(p.Handshake.Type) != int64(reject.WireOffset)+int64(d.Reason) || d.Reason.Wire() != int32(p.Handshake.Type) {
				t.Fatalf("reason %d on the wire as %d", d.Reason, p.Handshake.Type)
			}
			if r, ok := p.Handshake.Type.Reason(); !ok || r != d.Reason {
				t.Fatalf("wire %d reads back as %v, want %v", p.Handshake.Type, r, d.Reason)
			}
		case listener.ActionInduction, listener.ActionAccept:
			var p packet.Packet
			if err := p.Decode(d.Answer); err != nil || p.Kind() != packet.KindHandshake {
				t.Fatalf("the answer does not decode as a handshake: %v", err)
			}
		}

		// What libsrt ignores, written independently of the package.
		ignored := len(b) < 16 || len(b) > 1500-28 ||
			binary.BigEndian.Uint32(b[12:]) != 0 ||
			len(b) < 64 || b[0]&0x80 == 0 || binary.BigEndian.Uint16(b[0:])&0x7FFF != 0
		if !ignored {
			typ := int32(binary.BigEndian.Uint32(b[36:]))
			if typ == 1 {
				if d.Action != listener.ActionInduction {
					t.Fatalf("INDUCTION answered with %v (%s)", d.Action, d.Why())
				}
				return
			}
			ver := int32(binary.BigEndian.Uint32(b[16:]))
			isn := int32(binary.BigEndian.Uint32(b[24:]))
			mss := int32(binary.BigEndian.Uint32(b[28:]))
			fw := int32(binary.BigEndian.Uint32(b[32:]))
			ignored = ver < 4 || isn < 0 || isn == 0x7FFFFFFF || mss < 32 || fw < 2 ||
				!baker.Valid(decideFrom, binary.BigEndian.Uint32(b[44:]), decideNow)
		}
		if ignored && d.Action != listener.ActionSilent {
			t.Fatalf("libsrt ignores this datagram, Decide answers %v (%s)", d.Action, d.Why())
		}
	})
}
