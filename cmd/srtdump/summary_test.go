package main

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/srtwire/srtwire/capture"
	"github.com/srtwire/srtwire/internal/testcorpus"
	"github.com/srtwire/srtwire/session"
)

// stormCapture returns a capture of n attempts of one caller host, each from
// a new port (as srt-live-transmit reconnects with a new socket, about every
// 10 ms), that the listener rejects with SRT_REJX_FORBIDDEN, and one
// established attempt of another caller in the middle.
func stormCapture(n int) []byte {
	c := newGenCapture()
	for i := 0; i < n; i++ {
		caller := netip.AddrPortFrom(genCaller.Addr(), uint16(40000+i))
		sock := uint32(100 + i)
		c.add(caller, genListener, induction(sock), 0)
		c.add(genListener, caller, ctrlPacket(0, 0, 300, sock, hsCIF(5, 0, 1000+sock, 1500, 8192, 2403, 0x99, 0)), 0)
		if i == n/2 {
			other := netip4("10.0.0.9:5000")
			c.add(other, genListener, dataPacket(1, 1, 1000, 0x42, 100), 0)
			c.add(other, genListener, dataPacket(2, 2, 2000, 0x42, 100), 0)
		}
	}
	return c.b
}

// TestRetryStorm (issue 17): 213 attempts of one caller rejected alike are
// one row, ×213, with the first and last time; in JSON one object with
// "attempts", "first_time" and "last_time", and a retry_storm finding.
func TestRetryStorm(t *testing.T) {
	b := stormCapture(213)
	st, out, errs := runCmd(t, b, "-summary", "-")
	require.Equal(t, 0, st, errs)
	rows := regexp.MustCompile(`(?m)^\d+  `).FindAllString(out, -1)
	require.Len(t, rows, 2, "the storm and the other connection:\n%s", out)
	lines := strings.Split(out, "\n")
	assert.Contains(t, lines[1], "rejected: SRT_REJX_FORBIDDEN ×213")
	assert.Contains(t, lines[1], " 1-428 ")
	assert.Contains(t, lines[1], "rejected,retry_storm")
	assert.Contains(t, out, "#1 213 attempts from 10.0.0.1:40000 to 10.0.0.2:9000, the first at 2026-11-24 19:00:00.000000 UTC, the last ending at 2026-11-24 19:00:00.427000 UTC\n")
	assert.Contains(t, out, "#1 warning retry_storm: 10.0.0.1 tried 213 times in 427ms")
	assert.Equal(t, 1, strings.Count(out, "error rejected:"), "one footnote, not 213")

	st, out, errs = runCmd(t, b, "-summary", "-json", "-")
	require.Equal(t, 0, st, errs)
	ms := jsonLines(t, out)
	require.Len(t, ms, 2)
	storm := ms[0]
	assert.EqualValues(t, 213, storm["attempts"])
	assert.Equal(t, "2026-11-24T19:00:00.000000Z", storm["first_time"])
	assert.Equal(t, "2026-11-24T19:00:00.427000Z", storm["last_time"])
	assert.EqualValues(t, 1, storm["first_frame"])
	assert.EqualValues(t, 428, storm["last_frame"])
	var codes []string
	for _, f := range storm["findings"].([]any) {
		codes = append(codes, f.(map[string]any)["code"].(string))
	}
	assert.Equal(t, []string{"rejected", "retry_storm"}, codes)
	assert.Equal(t, "unknown", storm["encryption"], "rejected before a CONCLUSION: unknown")
	assert.NotContains(t, storm, "stream_id")
	assert.EqualValues(t, 1, ms[1]["attempts"])
	assert.Equal(t, "inferred", ms[1]["roles"])

	// -stats groups alike; -count counts rows.
	st, out, _ = runCmd(t, b, "-stats", "-json", "-count", "1", "-")
	require.Equal(t, 0, st)
	require.Len(t, jsonLines(t, out), 1)
	assert.Contains(t, out, `"attempts":213,`)
	assert.Contains(t, out, `"directions":[]`)
}

// TestSummaryDoneWhen (issue 17): the findings are in the row, at a glance.
func TestSummaryDoneWhen(t *testing.T) {
	row := func(name string, args ...string) (string, string) {
		st, out, errs := runCmd(t, nil, append(args, "-summary", testcorpus.Path(name+".pcap"))...)
		require.Equal(t, 0, st, errs)
		return strings.Split(out, "\n")[1], out
	}
	r, out := row("s03_badsecret_noenforce")
	assert.Regexp(t, `AES-128 requested, BADSECRET .* established .* undecryptable$`, r)
	assert.Contains(t, out, "#1 error undecryptable: The listener 127.0.0.1:41024 cannot decrypt the data")

	r, out = row("s09_file_peererror")
	assert.Regexp(t, `  4000 \(SRT_EFILE\)  peer_error$`, r)
	assert.Contains(t, out, "#1 error peer_error: The listener 127.0.0.1:41083 sent PEERERROR 4000 at frame 57")

	r, _ = row("s03_reject_badsecret")
	assert.Regexp(t, `  AES-128 requested  .*rejected: SRT_REJ_BADSECRET`, r)
	_, out, _ = runCmd(t, nil, "-summary", "-json", testcorpus.Path("s03_reject_badsecret.pcap"))
	assert.Contains(t, out, `"requested_encryption":"AES-128",`)

	r, _ = row("s07_fec")
	assert.Regexp(t, `  fec,arq:onreq,cols:4,layout:staircase,rows:2  .*  64    0     0             46   -`, r, "DATA without the 46 FEC packets")
	assert.Contains(t, strings.Split(out, "\n")[0], "", r)

	// LOST counts the distinct numbers NAKed; the heading says so.
	r, out = row("s08_loss_pattern")
	assert.Contains(t, out, "LOST (NAK'D)")
	assert.Regexp(t, `  200   25    25 `, r)
}

// TestStatsLossPattern (issue 17): -stats on s08_loss_pattern.pcap against
// its MANIFEST: 200 data packets of which 25 retransmitted (R = 1), 13
// NAKs naming 25 sequence numbers, 161 full ACKs, 160 ACKACKs, and the
// receiver's log: all 200 messages received (nothing unrecovered).
func TestStatsLossPattern(t *testing.T) {
	st, out, errs := runCmd(t, nil, "-stats", "-json", testcorpus.Path("s08_loss_pattern.pcap"))
	require.Equal(t, 0, st, errs)
	var m struct {
		Directions []struct {
			From string
			Data struct {
				Packets, Original, Retransmitted, Lost, Recovered, Unrecovered int
				RetransmittedTimes                                             map[string]int `json:"retransmitted_times"`
				GapLoss                                                        int            `json:"gap_loss"`
			}
			Control struct {
				ACKFull int `json:"ack_full"`
				ACKACK  int `json:"ackack"`
				NAK     int `json:"nak"`
				NAKSeqs int `json:"nak_seqs"`
			}
		}
		Findings []any
	}
	require.NoError(t, json.Unmarshal([]byte(out), &m))
	require.Len(t, m.Directions, 1)
	d := m.Directions[0]
	assert.Equal(t, "127.0.0.1:52151", d.From)
	assert.Equal(t, 200, d.Data.Packets)
	assert.Equal(t, 175, d.Data.Original)
	assert.Equal(t, 25, d.Data.Retransmitted)
	assert.Equal(t, 25, d.Data.RetransmittedTimes["1"])
	assert.Equal(t, 25, d.Data.Lost)
	assert.Equal(t, 25, d.Data.Recovered)
	assert.Equal(t, 0, d.Data.Unrecovered)
	assert.Equal(t, 25, d.Data.GapLoss)
	assert.Equal(t, 161, d.Control.ACKFull)
	assert.Equal(t, 160, d.Control.ACKACK)
	assert.Equal(t, 13, d.Control.NAK)
	assert.Equal(t, 25, d.Control.NAKSeqs)
	assert.Empty(t, m.Findings)

	st, out, _ = runCmd(t, nil, "-stats", testcorpus.Path("s08_loss_pattern.pcap"))
	require.Equal(t, 0, st)
	for _, want := range []string{
		"    data packets (FEC excluded)            200\n",
		"      retransmitted                        25 (14.29 %)\n",
		"      lost (no original seen)              25 (12.50 %)\n",
		"        recovered                          25\n",
		"    NAKs: reports / seqs / distinct        13 / 25 / 25\n",
		"\n    no findings\n",
	} {
		assert.Contains(t, out, want)
	}
	for _, l := range strings.Split(out, "\n") {
		assert.Equal(t, strings.TrimRight(l, " "), l, "trailing spaces")
	}
}

// trackerRun feeds a capture to a session.Tracker as srtdump does and
// returns its attempts, by first frame, and its bins.
func trackerRun(t *testing.T, path string, pass []string) (map[int]*session.Attempt, map[string]*session.Bin) {
	r, err := capture.Open(path, nil)
	require.NoError(t, err)
	defer r.Close()
	tr := session.NewTracker()
	tr.Passphrases = pass
	bins := map[string]*session.Bin{}
	tr.OnBin = func(_ *session.Attempt, d *session.Direction, b *session.Bin) {
		c := *b
		bins[b.Start.UTC().Format(time.RFC3339)+" "+d.From.String()+" "+d.To.String()] = &c
	}
	for r.Next() {
		f := r.Frame()
		tr.Add(&session.Frame{Number: f.Number, Time: f.Time, Src: f.Src, Dst: f.Dst, Packet: &f.Packet, Data: f.Data, Err: f.Err})
	}
	tr.Flush()
	out := map[int]*session.Attempt{}
	for _, a := range tr.Attempts() {
		out[a.FirstFrame] = a
	}
	return out, bins
}

// TestUnknownNeverZero (issue 17): over every corpus capture (and the real
// traffic captures, mid-session ones included) and every JSON mode, a
// value the Tracker does not know is absent, never 0; one it knows is
// there.
func TestUnknownNeverZero(t *testing.T) {
	caps, err := testcorpus.Captures()
	require.NoError(t, err)
	var paths []string
	for _, c := range caps {
		paths = append(paths, testcorpus.Path(c.Name+".pcap"))
	}
	real, _ := filepath.Glob(filepath.Join(testcorpus.Dir(), "..", "realtraffic", "gosrt_*.pcap"))
	require.NotEmpty(t, real)
	paths = append(paths, real...)
	passes := [][]string{nil, {"corpus-secret-16", "refresh-secret-1"}}
	checked := map[string]int{}
	for _, p := range paths {
		for _, pass := range passes {
			atts, bins := trackerRun(t, p, pass)
			var pf []string
			for _, pw := range pass {
				pf = append(pf, "-passphrase", pw)
			}
			ts := filepath.Join(t.TempDir(), "ts.jsonl")
			for _, mode := range [][]string{{"-summary"}, {"-stats", "-timeseries", ts}} {
				args := append(append(append([]string{"-json"}, mode...), pf...), p)
				st, out, errs := runCmd(t, nil, args...)
				require.Equal(t, 0, st, errs)
				for _, m := range jsonLines(t, out) {
					a := atts[int(m["first_frame"].(float64))]
					require.NotNil(t, a, "%s: no attempt starts at frame %v", p, m["first_frame"])
					name := fmt.Sprintf("%s %v #%d", filepath.Base(p), mode[0], a.FirstFrame)
					has := func(obj map[string]any, key string, known bool) {
						t.Helper()
						_, ok := obj[key]
						assert.Equal(t, known, ok, "%s: %q present = %v, known = %v (%v)", name, key, ok, known, obj[key])
						checked[key]++
					}
					has(m, "latency_ms", a.SRTVersion != 0 || anyDir(a, func(d *session.Direction) bool { return d.LatencyMS.Known }))
					has(m, "handshake_rtt_us", a.HandshakeRTT > 0)
					has(m, "peer_error", a.PeerError.Known)
					has(m, "roles", a.RolesInferred)
					has(m, "requested_encryption", a.RequestedKeyLen > 0)
					has(m, "decrypted", anyDir(a, func(d *session.Direction) bool { return d.Data.Decrypted.Known }))
					st := a.CryptoStatus()
					if m["encryption"] == "unknown" {
						assert.True(t, st == session.CryptoUnknown || st == session.CryptoNoKM || a.DataPackets == 0 && !a.ConclusionSeen(), name)
					} else {
						assert.NotEqual(t, session.CryptoUnknown, st, name)
					}
					if a.RolesInferred {
						for _, k := range []string{"latency_ms", "handshake_rtt_us", "stream_id", "congestion", "filter"} {
							assert.NotContains(t, m, k, name)
						}
					} else {
						for _, k := range []string{"stream_id", "congestion", "filter"} {
							has(m, k, a.HandshakeSeen)
						}
					}
					dirs, _ := m["directions"].([]any)
					if mode[0] == "-stats" {
						require.Len(t, dirs, len(a.Directions()), name)
					}
					for i, x := range dirs {
						dm := x.(map[string]any)
						d := a.Directions()[i]
						require.Equal(t, d.From.String(), dm["from"], name)
						data := dm["data"].(map[string]any)
						ctl := dm["control"].(map[string]any)
						has(dm, "latency_ms", d.LatencyMS.Known)
						has(dm, "duration_s", d.Data.Packets > 0)
						_, rok := d.Rates()
						has(dm, "rates_mbps", rok)
						has(dm, "overhead_pct", d.OverheadPct().Known)
						has(dm, "retransmitted_pct", d.RetransmittedPct().Known)
						has(dm, "loss_pct", d.LossPct().Known)
						has(dm, "rtt_us", d.RTT.Known())
						has(dm, "rtt_var_us", d.RTTVar.Known())
						has(dm, "ackack_rtt_us", d.ACKACKRTT.Known())
						has(dm, "bandwidth_pkts", d.Bandwidth.Known())
						has(dm, "recv_rate_pkts", d.RecvRatePkts.Known())
						has(dm, "jitter_us", d.JitterUS.Known)
						has(data, "retransmitted_times", d.Data.RetransmittedTimes.Known)
						has(data, "lost", d.Data.Lost.Known)
						has(data, "recovered", d.Data.Recovered.Known)
						has(data, "unrecovered", d.Data.Unrecovered.Known)
						has(data, "unrecovered_seqs", d.Data.Unrecovered.Known)
						has(data, "late", d.Data.Late.Known)
						has(data, "decrypted", d.Data.Decrypted.Known)
						has(data, "decrypt_failed", d.Data.DecryptFailed.Known)
						has(data, "undecryptable", d.Data.Undecryptable.Known)
						has(ctl, "nak_distinct", d.Control.NAKDistinct.Known)
					}
				}
				if mode[0] != "-stats" {
					continue
				}
				b, err := os.ReadFile(ts)
				require.NoError(t, err)
				if len(b) == 0 {
					continue
				}
				for _, m := range jsonLines(t, string(b)) {
					bin := bins[m["time"].(string)+" "+m["from"].(string)+" "+m["to"].(string)]
					known := bin != nil && bin.RTT.Known() // a row of zeros fills a second without a bin
					_, ok := m["rtt_us"]
					assert.Equal(t, known, ok, "%s -timeseries %v", filepath.Base(p), m)
					checked["timeseries rtt_us"]++
				}
			}
		}
	}
	t.Logf("keys checked: %v", checked)
	assert.Positive(t, checked["timeseries rtt_us"])
}

func anyDir(a *session.Attempt, f func(*session.Direction) bool) bool {
	for _, d := range a.Directions() {
		if f(d) {
			return true
		}
	}
	return false
}

// TestTimeseries (issue 17): -timeseries writes one CSV row per second and
// direction, a pause as rows of zeros, the RTT cell empty when no ACK
// said it; with -json, the same as JSON Lines; with several FILEs, a file
// column.
func TestTimeseries(t *testing.T) {
	c := newGenCapture()
	for i := 0; i < 10; i++ { // 10 packets in the first second
		c.add(genCaller, genListener, dataPacket(uint32(100+i), uint32(1+i), uint32(1000*i), 0x42, 1000), 0)
	}
	c.gap = 3 * time.Second // nothing for three seconds
	c.add(genCaller, genListener, dataPacket(110, 11, 3_100_000, 0x42, 1000), 0)
	c.add(genCaller, genListener, dataPacket(113, 14, 3_110_000, 0x42, 1000), 0) // 111 and 112 lost
	p := writeCapture(t, c)
	ts := filepath.Join(t.TempDir(), "ts.csv")
	st, _, errs := runCmd(t, nil, "-summary", "-timeseries", ts, p)
	require.Equal(t, 0, st, errs)
	b, err := os.ReadFile(ts)
	require.NoError(t, err)
	assert.Equal(t, "time,from,to,packets,retransmitted,lost,fec,late,payload_mbps,rtt_us,naks,nak_seqs\n"+
		"2026-11-24T19:00:00Z,10.0.0.1:40000,10.0.0.2:9000,10,0,0,0,0,0.080,,0,0\n"+
		"2026-11-24T19:00:01Z,10.0.0.1:40000,10.0.0.2:9000,0,0,0,0,0,0.000,,0,0\n"+
		"2026-11-24T19:00:02Z,10.0.0.1:40000,10.0.0.2:9000,0,0,0,0,0,0.000,,0,0\n"+
		"2026-11-24T19:00:03Z,10.0.0.1:40000,10.0.0.2:9000,2,0,2,0,0,0.016,,0,0\n", string(b))

	// JSON Lines, and the file column with two FILEs; packet mode too.
	st, _, errs = runCmd(t, nil, "-json", "-timeseries", ts, p, p)
	require.Equal(t, 0, st, errs)
	b, err = os.ReadFile(ts)
	require.NoError(t, err)
	ms := jsonLines(t, string(b))
	require.Len(t, ms, 8)
	assert.Equal(t, map[string]any{"file": p, "time": "2026-11-24T19:00:03Z", "from": "10.0.0.1:40000", "to": "10.0.0.2:9000",
		"packets": 2.0, "retransmitted": 0.0, "lost": 2.0, "fec": 0.0, "late": 0.0, "payload_mbps": 0.016, "naks": 0.0, "nak_seqs": 0.0}, ms[3])

	// s08: the RTT of the receiver's ACKs, the NAKs and the losses per second.
	st, _, _ = runCmd(t, nil, "-timeseries", ts, "-stats", testcorpus.Path("s08_loss_pattern.pcap"))
	require.Equal(t, 0, st)
	b, _ = os.ReadFile(ts)
	assert.Contains(t, string(b), "2026-11-24T19:27:38Z,127.0.0.1:52151,127.0.0.1:41071,98,12,12,0,0,0.470,36,6,12\n")

	st, _, errs = runCmd(t, nil, "-timeseries", filepath.Join(t.TempDir(), "no", "such", "dir"), p)
	assert.Equal(t, 1, st)
	assert.Contains(t, errs, "-timeseries: open ")
}
