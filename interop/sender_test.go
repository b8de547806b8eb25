//go:build interop

package interop

import (
	"bytes"
	"fmt"
	"net/netip"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/srtwire/srtwire/handshake"
	"github.com/srtwire/srtwire/interop/srtsend"
)

// senderMsgSize is the size of message i in TestSenderToLibsrt: full live
// payloads, partial AES blocks, a single byte.
func senderMsgSize(i int) int { return []int{1316, 1000, 188, 1, 17, 1316, 640, 1315}[i%8] }

// TestSenderToLibsrt sends an encrypted stream with our minimal sender
// (package interop/srtsend: handshake with a KMREQ from crypt, data
// encrypted by crypt, ACKACKs, SHUTDOWN) to libsrt's receiver
// (srt-live-transmit as listener with the passphrase, writing what it
// receives to file://con, its stdout), which must write exactly the
// plaintext we sent, byte for byte. The traffic is captured and decrypted
// by decryptCapture too.
func TestSenderToLibsrt(t *testing.T) {
	requireTools(t)
	const n = 400
	var want []byte
	for i := 0; i < n; i++ {
		want = append(want, cryptChunk(i, senderMsgSize(i))...)
	}
	var mu sync.Mutex
	var lines []string
	t.Run("keylen", func(t *testing.T) {
		for i, kl := range []int{16, 24, 32} {
			port := senderPortBase + i
			name := fmt.Sprintf("aes%d", 8*kl)
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				pass := fmt.Sprintf("srtwire-sender-%s", name)
				dir := t.TempDir()
				capt := startCapture(t, dir, "sender_"+name, port)
				sink := &syncBuffer{}
				l := start(t, "srt-live-transmit", 30*time.Second, nil, sink, "srt-live-transmit",
					"-a:no", "-t:25", "-loglevel:note",
					fmt.Sprintf("srt://127.0.0.1:%d?mode=listener&passphrase=%s&pbkeylen=%d", port, pass, kl), "file://con")
				l.waitFor(t, "Media path", 10*time.Second)
				time.Sleep(100 * time.Millisecond)

				begin := time.Now()
				c, err := srtsend.Dial(netip.MustParseAddrPort(fmt.Sprintf("127.0.0.1:%d", port)),
					srtsend.Config{Passphrase: pass, KeyLen: kl, Interval: 2 * time.Millisecond})
				if err != nil {
					t.Fatalf("Dial: %v\n%s", err, l.output())
				}
				if c.KMState() != handshake.KMSecured {
					t.Fatalf("KM state %v", c.KMState())
				}
				for i := 0; i < n; i++ {
					if err := c.Send(cryptChunk(i, senderMsgSize(i))); err != nil {
						t.Fatalf("Send %d: %v", i, err)
					}
				}
				if err := c.Close(); err != nil {
					t.Errorf("Close: %v", err)
				}
				elapsed := time.Since(begin)
				st := c.Stats()
				if !l.wait(5 * time.Second) { // it exits on our SHUTDOWN (-a:no)
					t.Errorf("srt-live-transmit did not end on our SHUTDOWN\n%s", l.err.String())
					l.stop(syscall.SIGTERM, 3*time.Second)
				}
				path := stopCryptCapture(t, capt)
				if !cryptAppSaid(l, "Accepted SRT source connection") {
					t.Errorf("srt-live-transmit did not accept us\n%s", l.err.String())
				}

				got := []byte(sink.String())
				if !bytes.Equal(got, want) {
					at := 0
					for at < len(got) && at < len(want) && got[at] == want[at] {
						at++
					}
					t.Errorf("srt-live-transmit wrote %d bytes, we sent %d; first difference at byte %d (NAKs %d for %d packets)\n%s",
						len(got), len(want), at, st.NAKs, st.Lost, l.err.String())
				}
				if st.ACKACKs == 0 || st.RTT >= 100*time.Millisecond {
					t.Errorf("ACKs %d, ACKACKs %d, RTT %v: libsrt did not take our ACKACKs", st.ACKs, st.ACKACKs, st.RTT)
				}
				tally := decryptCapture(t, path, pass, n, true, func(i int) []byte { return cryptChunk(i, senderMsgSize(i)) })
				if tally.DataFrom["caller"] != tally.Data || !tally.KeyLens[kl] {
					t.Errorf("capture: data by sender %v, key lengths %v", tally.DataFrom, tally.KeyLens)
				}
				line := fmt.Sprintf("%s: %d messages, %d bytes sent in %v; libsrt wrote %d bytes (identical: %v); ACKs %d, ACKACKs %d, RTT %v, NAKs %d (%d lost); capture: %d/%d payloads decrypt to what we sent, %s",
					name, st.Sent, st.Bytes, elapsed.Round(time.Millisecond), len(got), bytes.Equal(got, want),
					st.ACKs, st.ACKACKs, st.RTT, st.NAKs, st.Lost, tally.Matched, tally.Data, tally.keyLens())
				t.Log(line)
				mu.Lock()
				lines = append(lines, line)
				mu.Unlock()
			})
		}
	})
	sort.Strings(lines)
	t.Logf("our sender to srt-live-transmit %s:\n\t%s", srtVersion(), strings.Join(lines, "\n\t"))
}
