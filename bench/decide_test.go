package bench

import (
	"crypto/rand"
	"net/netip"
	"testing"
	"time"

	"github.com/srtwire/srtwire/crypt"
	"github.com/srtwire/srtwire/handshake"
	"github.com/srtwire/srtwire/listener"
	"github.com/srtwire/srtwire/packet"
)

// decideInput builds a caller's CONCLUSION (HSREQ and a Stream ID, with
// key material when pass is set) whose cookie cfg accepts.
func decideInput(tb testing.TB, cfg *listener.Config, from netip.AddrPort, now time.Time, pass string) []byte {
	h := handshake.Handshake{Version: 5, ISN: 12345, MTU: 1500, FlowWindow: 8192, Type: handshake.Conclusion,
		SocketID: 0x2345678, Cookie: cfg.Cookies.Cookie(from, now)}
	_ = h.SetPeerAddr(netip.MustParseAddr("127.0.0.1"))
	hdr := packet.Header{Control: true, Type: packet.TypeHandshake, Timestamp: 400}
	b, _ := hdr.AppendBinary(nil)
	bl := handshake.NewBuilder(b, &h)
	bl.AddHSReq(handshake.ExtHSReq, handshake.HSReq{Version: handshake.MakeSRTVersion(1, 5, 1), Flags: 0xBF, RecvDelay: 120})
	bl.AddString(handshake.ExtSID, "#!::r=live/feed1,m=publish,u=alice")
	if pass != "" {
		keys, err := crypt.NewKeys(rand.Reader, 16, handshake.KeyEven)
		if err != nil {
			tb.Fatal(err)
		}
		km, err := crypt.SealPassphrase(rand.Reader, pass, keys, handshake.CipherAESCTR)
		if err != nil {
			tb.Fatal(err)
		}
		bl.AddKM(handshake.ExtKMReq, km)
	}
	out, err := bl.Finish()
	if err != nil {
		tb.Fatal(err)
	}
	return out
}

// BenchmarkDecide measures listener.Decide on a caller's CONCLUSION that
// is accepted: "conclusion" without a passphrase (HSREQ and SID), and
// "passphrase" with key material to open (the KEK comes from the cache, so
// one RFC 3394 unwrap is paid).
func BenchmarkDecide(b *testing.B) {
	now := time.Now()
	from := netip.MustParseAddrPort("127.0.0.1:40000")
	baker, err := listener.NewCookieBaker(now, 0, nil)
	if err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct{ name, pass string }{{"conclusion", ""}, {"passphrase", "a secret of ten or more"}} {
		b.Run(bc.name, func(b *testing.B) {
			cfg := listener.LiveConfig(baker)
			cfg.Passphrase = bc.pass
			cfg.KEKs = crypt.NewKEKCache(0)
			in := decideInput(b, &cfg, from, now, bc.pass)
			out := make([]byte, 0, 1500)
			if d := listener.Decide(&cfg, in, from, now, out); d.Action != listener.ActionAccept {
				b.Fatal(d.Why())
			}
			b.ReportAllocs()
			b.SetBytes(int64(len(in)))
			for b.Loop() {
				listener.Decide(&cfg, in, from, now, out)
			}
		})
	}
}
