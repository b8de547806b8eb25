package listener_test

import (
	"bytes"
	"encoding/binary"
	"net/netip"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/srtwire/srtwire/handshake"
	"github.com/srtwire/srtwire/internal/testcorpus"
	"github.com/srtwire/srtwire/listener"
	"github.com/srtwire/srtwire/packet"
	"github.com/srtwire/srtwire/reject"
)

// peerCallback is the listen callback of the corpus' C peer (cb=1): r=forbidden*
// refuses with 1403, r=userNNNN with NNNN (libsrt ignores codes below 1000,
// so those refuse without a reason), r=noreason without a reason, anything
// else is accepted.
func peerCallback(sid string, _ *listener.Request) (bool, reject.Reason) {
	var r string
	if rest, ok := strings.CutPrefix(sid, "#!::"); ok {
		for _, kv := range strings.Split(rest, ",") {
			if v, ok := strings.CutPrefix(kv, "r="); ok {
				r = v
			}
		}
	}
	switch {
	case strings.HasPrefix(r, "forbidden"):
		return false, reject.Forbidden
	case strings.HasPrefix(r, "user") && len(r) > 4 && r[4] >= '0' && r[4] <= '9':
		n, _ := strconv.Atoi(strings.TrimLeftFunc(r[4:], func(c rune) bool { return c < '0' || c > '9' }))
		return false, reject.Reason(n)
	case r == "noreason":
		return false, listener.NoReason
	}
	return true, 0
}

// corpusListener is the listener configuration each capture's
// logs/NAME.cmd shows.
var corpusListener = map[string]func(c *listener.Config){
	"s01_live_plain":    func(*listener.Config) {},
	"s01_live_ipv6":     func(*listener.Config) {},
	"s02_enc_aes128":    func(c *listener.Config) { c.Passphrase, c.PBKeyLen = "corpus-secret-16", 16 },
	"s02_enc_kmrefresh": func(c *listener.Config) { c.Passphrase, c.PBKeyLen = "refresh-secret-1", 16 },
	"s03_badsecret_noenforce": func(c *listener.Config) {
		c.Passphrase, c.EnforcedEncryption = "listener-secret-A", false
	},
	"s03_reject_badsecret":              func(c *listener.Config) { c.Passphrase = "listener-secret-A" },
	"s03_reject_unsecure_caller_nopass": func(c *listener.Config) { c.Passphrase = "listener-secret-A" },
	"s04_sid_access":                    func(*listener.Config) {},
	"s05_app_reject_1403":               func(c *listener.Config) { c.Accept = peerCallback },
	"s05_app_reject_2005":               func(c *listener.Config) { c.Accept = peerCallback },
	"s05_app_reject_noreason":           func(c *listener.Config) { c.Accept = peerCallback },
	"s06_reject_filter":                 func(c *listener.Config) { c.Filter = "fec,cols:4,rows:2" },
	"s06_reject_messageapi":             func(*listener.Config) {},
	"s07_fec":                           func(c *listener.Config) { c.Filter = "fec,cols:4,rows:2" },
	"s08_loss_pattern":                  func(*listener.Config) {},
	"s09_file_transfer":                 nil, // file mode, below
	"s09_file_peererror":                nil,
}

// exchange is a caller's CONCLUSION and the listener's answer in a capture.
type exchange struct {
	req, ans testcorpus.Frame
}

// conclusions finds the first CONCLUSION each caller sent to the listener
// (destination socket 0) and the listener's handshake answer to it.
func conclusions(t *testing.T, name string) []exchange {
	frames, err := testcorpus.Frames(name)
	require.NoError(t, err)
	var out []exchange
	seen := map[netip.AddrPort]bool{}
	for i, f := range frames {
		var p packet.Packet
		if p.Decode(f.Payload) != nil || p.Kind() != packet.KindHandshake || p.DstSocket != 0 ||
			p.Handshake.Type != handshake.Conclusion || seen[f.Src] {
			continue
		}
		for _, g := range frames[i+1:] {
			var q packet.Packet
			if g.Src == f.Dst && g.Dst == f.Src && q.Decode(g.Payload) == nil && q.Kind() == packet.KindHandshake {
				out = append(out, exchange{f, g})
				seen[f.Src] = true
				break
			}
		}
	}
	return out
}

// TestCorpusDecisions feeds the caller's CONCLUSION of every caller-listener
// capture to Decide, with the listener configuration of the capture, and
// compares the answer with libsrt's byte for byte, except the header
// timestamp and the cookie (the listener's own) and, when libsrt made a new
// socket, its socket ID (taken from libsrt's answer).
func TestCorpusDecisions(t *testing.T) {
	caps, err := testcorpus.Captures()
	require.NoError(t, err)
	checked := 0
	for _, cp := range caps {
		setup, known := corpusListener[cp.Name]
		if !known {
			continue
		}
		t.Run(cp.Name, func(t *testing.T) {
			xs := conclusions(t, cp.Name)
			require.NotEmpty(t, xs)
			for _, x := range xs {
				var want packet.Packet
				require.NoError(t, want.Decode(x.ans.Payload))
				baker, err := listener.NewCookieBaker(x.req.Time.Add(-time.Second), 0, nil)
				require.NoError(t, err)
				cfg := listener.LiveConfig(baker)
				if setup == nil {
					cfg = listener.FileConfig(baker)
				} else {
					setup(&cfg)
				}
				require.NoError(t, cfg.Check())
				libID := want.Handshake.SocketID
				cfg.SocketID = func(netip.AddrPort, uint32, uint32) uint32 { return libID }
				cookie := baker.Cookie(x.req.Src, x.req.Time)
				in := withCookie(x.req.Payload, cookie)
				d := listener.Decide(&cfg, in, x.req.Src, x.req.Time, nil)

				switch {
				case want.Handshake.Type == handshake.Conclusion:
					assert.Equal(t, listener.ActionAccept, d.Action, d.Why())
				default:
					r, ok := want.Handshake.Type.Reason()
					require.True(t, ok)
					assert.Equal(t, listener.ActionReject, d.Action, d.Why())
					assert.Equal(t, r, d.Reason, d.Why())
				}
				wantBytes := withCookie(x.ans.Payload, cookie)
				assert.Equal(t, zeroTS(wantBytes), zeroTS(d.Answer), "%s frame %d: %s", cp.Name, x.req.Number, d.Why())
				t.Logf("frame %d: %v %d (%s)", x.req.Number, d.Action, int32(d.Reason), d.Why())
				checked++
			}
		})
	}
	assert.GreaterOrEqual(t, checked, 15)
}

func withCookie(d []byte, c uint32) []byte {
	d = bytes.Clone(d)
	binary.BigEndian.PutUint32(d[packet.HeaderSize+28:], c)
	return d
}

func zeroTS(d []byte) []byte {
	if len(d) < 16 {
		return d
	}
	d = bytes.Clone(d)
	binary.BigEndian.PutUint32(d[8:], 0)
	return d
}
