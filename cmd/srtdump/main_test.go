package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/srtwire/srtwire/internal/testcorpus"
	"github.com/srtwire/srtwire/packet"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// TestMain fixes the local time zone, so that the default time format
// (local time) gives the same golden output everywhere.
func TestMain(m *testing.M) {
	time.Local = time.UTC
	os.Unsetenv("SRT_PASSPHRASE") // the tests give their passphrases
	os.Exit(m.Run())
}

func runCmd(t *testing.T, stdin []byte, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	st := run(args, bytes.NewReader(stdin), &out, &errb)
	return st, out.String(), errb.String()
}

func goldenDir() string { return filepath.Join(testcorpus.Dir(), "..", "golden") }

// TestGolden compares the three output modes on several corpus captures
// with reviewed golden files. Regenerate with: go test ./cmd/srtdump -update
func TestGolden(t *testing.T) {
	modes := map[string][]string{
		"txt":          nil,
		"jsonl":        {"-json"},
		"summary.txt":  {"-summary"},
		"summary.json": {"-summary", "-json"},
		"stats.txt":    {"-stats"},
		"stats.json":   {"-stats", "-json"},
	}
	for _, name := range []string{"s05_app_reject_1403", "s03_badsecret_noenforce", "s06_reject_filter", "s07_rendezvous", "s07_fec", "s09_file_peererror", "s02_enc_kmrefresh"} {
		for ext, flags := range modes {
			args := append(append([]string{}, flags...), testcorpus.Path(name+".pcap"))
			st, out, errs := runCmd(t, nil, args...)
			require.Equal(t, 0, st, "%s %v: %s", name, flags, errs)
			path := filepath.Join(goldenDir(), name+"."+ext)
			if *update {
				require.NoError(t, os.WriteFile(path, []byte(out), 0o644))
				continue
			}
			want, err := os.ReadFile(path)
			require.NoError(t, err, "missing golden file; run go test ./cmd/srtdump -update")
			assert.Equal(t, string(want), out, "%s: output differs from %s", name, path)
		}
	}
	// Options of the packet lines, on one capture each.
	for golden, args := range map[string][]string{
		"s02_enc_aes128.x.txt":               {"-x", "-count", "6", "-passphrase", "corpus-secret-16", "-t", "delta"},
		"s09_file_peererror.rel.txt":         {"-t", "rel", "-type", "ack,peererror,shutdown"},
		"s02_enc_kmrefresh.pass.txt":         {"-passphrase", "wrong-secret-1", "-passphrase", "refresh-secret-1", "-type", "handshake,umsg"},
		"s02_enc_kmrefresh.pass.summary.txt": {"-summary", "-passphrase", "wrong-secret-1", "-passphrase", "refresh-secret-1"},
		"s02_enc_kmrefresh.pass.stats.json":  {"-stats", "-json", "-passphrase", "refresh-secret-1"},
		"s08_loss_pattern.stats.txt":         {"-stats"},
		"s08_loss_pattern.timeseries.csv":    {"-summary", "-timeseries", "TS"},
	} {
		name := golden[:strings.IndexByte(golden, '.')]
		ts := ""
		if i := slices.Index(args, "TS"); i >= 0 {
			ts = filepath.Join(t.TempDir(), "ts")
			args = slices.Clone(args)
			args[i] = ts
		}
		st, out, errs := runCmd(t, nil, append(args, testcorpus.Path(name+".pcap"))...)
		require.Equal(t, 0, st, "%s: %s", golden, errs)
		if ts != "" {
			b, err := os.ReadFile(ts)
			require.NoError(t, err)
			out = string(b)
		}
		path := filepath.Join(goldenDir(), golden)
		if *update {
			require.NoError(t, os.WriteFile(path, []byte(out), 0o644))
			continue
		}
		want, err := os.ReadFile(path)
		require.NoError(t, err, "missing golden file; run go test ./cmd/srtdump -update")
		assert.Equal(t, string(want), out, "output differs from %s", path)
	}
}

func atoi(t *testing.T, s string) int64 {
	if i := strings.IndexByte(s, '('); i >= 0 {
		s = s[:i]
	}
	v, err := strconv.ParseInt(s, 0, 64)
	require.NoError(t, err, s)
	return v
}

// TestJSONAgainstRawDecode checks every JSON line of every corpus capture
// against the independent raw decode, field by field.
func TestJSONAgainstRawDecode(t *testing.T) {
	caps, err := testcorpus.Captures()
	require.NoError(t, err)
	fields := 0
	for _, c := range caps {
		raw, err := testcorpus.Raw(c.Name)
		require.NoError(t, err)
		st, out, errs := runCmd(t, nil, "-json", testcorpus.Path(c.Name+".pcap"))
		require.Equal(t, 0, st, errs)
		sc := bufio.NewScanner(strings.NewReader(out))
		sc.Buffer(nil, 1<<20)
		lines := 0
		for sc.Scan() {
			lines++
			var m map[string]any
			require.NoError(t, json.Unmarshal(sc.Bytes(), &m), sc.Text())
			frame := int(m["frame"].(float64))
			r, ok := raw[frame]
			require.True(t, ok, "%s: frame %d not in raw decode", c.Name, frame)
			require.NotContains(t, m, "error", "%s#%d", c.Name, frame)
			eq := func(want int64, got any, what string) {
				t.Helper()
				require.NotNil(t, got, "%s#%d: %s missing", c.Name, frame, what)
				assert.Equal(t, float64(want), got, "%s#%d: %s", c.Name, frame, what)
				fields++
			}
			f := r.Fields
			assert.Equal(t, strconv.Itoa(int(r.SrcPort)), strings.Split(m["src"].(string), ":")[len(strings.Split(m["src"].(string), ":"))-1])
			eq(atoi(t, f["ts"]), m["timestamp"], "timestamp")
			eq(atoi(t, f["dst"]), m["dst_socket"], "dst_socket")
			switch r.Kind {
			case "DATA":
				assert.Equal(t, "DATA", m["type"])
				d := m["data"].(map[string]any)
				eq(atoi(t, f["seq"]), d["seq"], "seq")
				eq(atoi(t, f["msgno"]), d["msgno"], "msgno")
				eq(atoi(t, f["payload"]), d["payload_len"], "payload_len")
				pb := map[string]string{"PB_SOLO": "solo", "PB_FIRST": "first", "PB_LAST": "last", "PB_SUBSEQUENT": "middle"}[f["pb"]]
				assert.Equal(t, pb, d["position"], "%s#%d pb %s", c.Name, frame, f["pb"])
				assert.Equal(t, f["o"] == "1", d["in_order"])
				assert.Equal(t, f["r"] == "1", d["retransmitted"])
				assert.Equal(t, map[string]string{"0": "none", "1": "even", "2": "odd"}[f["kk"]], d["key"])
				fields += 4
			case "HANDSHAKE":
				h := m["handshake"].(map[string]any)
				eq(atoi(t, f["ver"]), h["version"], "version")
				eq(atoi(t, f["isn"]), h["isn"], "isn")
				eq(atoi(t, f["type"]), h["type_code"], "hs type")
				eq(atoi(t, f["sockid"]), h["socket_id"], "socket_id")
				eq(atoi(t, f["cookie"]), h["cookie"], "cookie")
				assert.Equal(t, f["peerip"], h["peer_ip"])
				exts, _ := h["extensions"].([]any)
				require.Len(t, exts, len(r.Exts), "%s#%d", c.Name, frame)
				for i, e := range exts {
					em := e.(map[string]any)
					assert.Equal(t, r.Exts[i].Name, em["type"])
					if r.Exts[i].Str != "" {
						s := em["stream_id"]
						if s == nil {
							s = em["congestion"]
						}
						if s == nil {
							s = em["filter"]
						}
						assert.Equal(t, r.Exts[i].Str, s)
					}
					if st, ok := r.Exts[i].Fields["kmstate(le)"]; ok {
						assert.Equal(t, map[string]string{"4": "BADSECRET", "3": "NOSECRET", "0": "UNSECURED"}[st], em["km_state"])
					}
					if kl, ok := r.Exts[i].Fields["keylen"]; ok {
						eq(atoi(t, kl), em["km"].(map[string]any)["key_len"], "key_len")
					}
					fields++
				}
				if rj, ok := h["reject"].(map[string]any); ok {
					eq(atoi(t, f["type"]), rj["wire"], "reject wire")
				}
			case "ACK":
				a := m["ack"].(map[string]any)
				eq(atoi(t, f["ackno"]), a["ack_no"], "ack_no")
				eq(atoi(t, f["lastack"]), a["last_ack_seq"], "last_ack_seq")
				assert.Equal(t, f["kind"], a["variant"])
				if f["kind"] == "full" {
					eq(atoi(t, f["rtt"]), a["rtt"], "rtt")
					eq(atoi(t, f["rttvar"]), a["rtt_var"], "rtt_var")
					eq(atoi(t, f["bufavail"]), a["avail_buf"], "avail_buf")
					eq(atoi(t, f["pktrate"]), a["pkt_rate"], "pkt_rate")
					eq(atoi(t, f["bw"]), a["bandwidth"], "bandwidth")
					eq(atoi(t, f["rcvrate"]), a["recv_rate"], "recv_rate")
				}
			case "ACKACK":
				eq(atoi(t, f["ackno"]), m["info"], "ackack number")
			case "NAK":
				ranges, ok := r.Lost()
				require.True(t, ok)
				losses := m["nak"].(map[string]any)["losses"].([]any)
				require.Len(t, losses, len(ranges))
				for i, l := range losses {
					pair := l.([]any)
					eq(int64(ranges[i].First), pair[0], "nak lo")
					eq(int64(ranges[i].Last), pair[1], "nak hi")
				}
			case "PEERERROR", "KEEPALIVE", "SHUTDOWN":
				eq(atoi(t, f["tsi"]), m["info"], "info")
				assert.Equal(t, r.Kind, m["type"])
			case "EXT":
				u := m["umsg"].(map[string]any)
				assert.Contains(t, f["subtype"], u["subtype"].(string))
			default:
				t.Errorf("%s#%d: kind %s not checked", c.Name, frame, r.Kind)
			}
		}
		assert.Equal(t, len(raw), lines, c.Name)
	}
	t.Logf("%d fields compared", fields)
}

// TestSummaryJSON checks -summary -json of every capture: one attempt each,
// with the outcome the peers' own logs report.
func TestSummaryJSON(t *testing.T) {
	caps, err := testcorpus.Captures()
	require.NoError(t, err)
	for _, c := range caps {
		st, out, _ := runCmd(t, nil, "-summary", "-json", testcorpus.Path(c.Name+".pcap"))
		require.Equal(t, 0, st)
		var m map[string]any
		require.NoError(t, json.Unmarshal([]byte(out), &m), c.Name)
		for _, k := range []string{"caller", "listener", "mode", "first_frame", "last_frame", "stream_id", "encryption", "latency_ms", "congestion", "filter", "outcome", "handshake_rtt_us", "data_packets", "retransmitted", "lost"} {
			assert.Contains(t, m, k, c.Name)
		}
		logs, _ := filepath.Glob(filepath.Join(testcorpus.Dir(), "logs", c.Name+".*.log"))
		var all string
		for _, l := range logs {
			b, _ := os.ReadFile(l)
			all += string(b)
		}
		if strings.Contains(all, "REJECTED reason=") {
			assert.Equal(t, "rejected", m["outcome"], c.Name)
			rj := m["reject"].(map[string]any)
			if c.Name != "s05_app_reject_noreason" { // libsrt 1.5.1 reads a bare 1000 as ROGUE
				assert.Contains(t, all, "REJECTED reason="+strconv.Itoa(int(rj["code"].(float64)))+" ", c.Name)
			}
		} else {
			assert.Equal(t, "established", m["outcome"], c.Name)
		}
	}
}

func TestNoArgumentsShowsSample(t *testing.T) {
	st, out, errs := runCmd(t, nil)
	assert.Equal(t, 0, st)
	assert.Contains(t, errs, "built-in sample")
	assert.Contains(t, out, "REJECT SRT_REJX_FORBIDDEN (code 1403, wire 2403)")
	assert.Contains(t, out, "Retrying will not help")
}

// TestUsageAndVersion (issue 14): -h writes the usage to stdout and exits
// 0; a usage error writes the error and one line pointing at -h to
// stderr, and exits 2.
func TestUsageAndVersion(t *testing.T) {
	for _, h := range []string{"-h", "-help", "--help"} {
		st, out, errs := runCmd(t, nil, h)
		assert.Equal(t, 0, st)
		assert.Empty(t, errs)
		for _, f := range []string{"-json", "-summary", "-rejects", "-port", "-only", "-type", "-stream-id", "-count", "-t ", "-x", "-passphrase", "-progress", "-version", "Examples:", "Exit status"} {
			assert.Contains(t, out, f)
		}
		assert.True(t, strings.HasPrefix(out, "srtdump decodes SRT traffic"), out)
	}
	st, out, _ := runCmd(t, nil, "-version")
	assert.Equal(t, 0, st)
	assert.True(t, strings.HasPrefix(out, "srtdump "))
	for _, bad := range [][]string{{"-nosuchflag"}, {"-type", "bogus"}, {"-port", "70000"}, {"-count", "-1"}, {"-stream-id", `a\`},
		{"-progress", "maybe"}, {"-t", "gmt"}, {"-only"}, {"-count"}, {"x.pcap", "-json", "-nosuchflag"}} {
		st, out, errs := runCmd(t, nil, bad...)
		assert.Equal(t, 2, st, "%v", bad)
		assert.Empty(t, out, "%v", bad)
		lines := strings.Split(strings.TrimSuffix(errs, "\n"), "\n")
		require.Len(t, lines, 2, "%v: %s", bad, errs)
		assert.True(t, strings.HasPrefix(lines[0], "srtdump: "), "%v: %s", bad, errs)
		assert.Equal(t, "run 'srtdump -h' for help", lines[1], "%v", bad)
	}
	_, _, errs := runCmd(t, nil, "-nosuchflag")
	assert.Equal(t, "srtdump: flag provided but not defined: -nosuchflag\nrun 'srtdump -h' for help\n", errs)
}

func TestFilters(t *testing.T) {
	p := testcorpus.Path("s08_loss_pattern.pcap")
	_, out, _ := runCmd(t, nil, "-type", "nak", p)
	assert.Equal(t, 13, strings.Count(out, "\n"))
	_, out, _ = runCmd(t, nil, "-count", "7", p)
	assert.Equal(t, 7, strings.Count(out, "\n"))
	_, out, _ = runCmd(t, nil, "-rejects", p)
	assert.Empty(t, out)
	_, out, _ = runCmd(t, nil, "-rejects", testcorpus.Path("s03_reject_badsecret.pcap"))
	assert.Equal(t, 1, strings.Count(out, "\n"))
	assert.Contains(t, out, "SRT_REJ_BADSECRET")
	_, out, _ = runCmd(t, nil, "-rejects", "-summary", "-json", p, testcorpus.Path("s03_reject_badsecret.pcap"))
	assert.Equal(t, 1, strings.Count(out, "\n"))
	assert.Contains(t, out, `"file":`)
	_, out, _ = runCmd(t, nil, "-stream-id", "#!::r=live/*", testcorpus.Path("s04_sid_access.pcap"))
	assert.Greater(t, strings.Count(out, "\n"), 20)
	_, out, _ = runCmd(t, nil, "-stream-id", "nomatch", testcorpus.Path("s04_sid_access.pcap"))
	assert.Empty(t, out)
	_, out, _ = runCmd(t, nil, "-port", "41071", "-type", "data", p)
	assert.Equal(t, 200, strings.Count(out, "\n"))
}

func TestBadInput(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty.pcap")
	require.NoError(t, os.WriteFile(empty, nil, 0o644))
	junk := filepath.Join(dir, "junk.pcap")
	require.NoError(t, os.WriteFile(junk, []byte("GET / HTTP/1.1\r\nHost: example\r\n\r\n"), 0o644))
	whole, err := os.ReadFile(testcorpus.Path("s03_reject_badsecret.pcap"))
	require.NoError(t, err)
	cut := filepath.Join(dir, "cut.pcap")
	require.NoError(t, os.WriteFile(cut, whole[:len(whole)-30], 0o644))

	st, _, errs := runCmd(t, nil, empty)
	assert.Equal(t, 1, st)
	assert.Contains(t, errs, "empty.pcap: pcap: empty input")

	st, _, errs = runCmd(t, nil, junk)
	assert.Equal(t, 1, st)
	assert.Contains(t, errs, "not a pcap or pcapng capture")

	st, out, errs := runCmd(t, nil, cut)
	assert.Equal(t, 1, st)
	assert.Equal(t, 3, strings.Count(out, "\n"), "the frames before the damage are printed")
	assert.Contains(t, errs, fmt.Sprintf("cut.pcap: the capture is cut short at byte %d, after frame 3 (frame 4 is incomplete)\n", len(whole)-30))

	st, _, errs = runCmd(t, nil, filepath.Join(dir, "missing.pcap"))
	assert.Equal(t, 1, st)
	assert.Contains(t, errs, "missing.pcap")

	// stdin, and several files at once (one of them bad).
	st, out, _ = runCmd(t, whole, "-")
	assert.Equal(t, 0, st)
	assert.Equal(t, 4, strings.Count(out, "\n"))
	st, out, _ = runCmd(t, nil, "-summary", "-json", testcorpus.Path("s03_reject_badsecret.pcap"), junk, testcorpus.Path("s05_app_reject_2005.pcap"))
	assert.Equal(t, 1, st)
	assert.Equal(t, 2, strings.Count(out, "\n"))
	assert.Contains(t, out, `"code":2005`)
}

func TestNoSRT(t *testing.T) {
	// A valid pcap with no frames at all: srtdump says it found no SRT.
	dir := t.TempDir()
	hdr := []byte{0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4, 0, 1, 0, 0, 0}
	p := filepath.Join(dir, "nosrt.pcap")
	require.NoError(t, os.WriteFile(p, hdr, 0o644))
	st, out, errs := runCmd(t, nil, p)
	assert.Equal(t, 0, st)
	assert.Empty(t, out)
	assert.Contains(t, errs, "no SRT traffic found in 0 frames")
}

func TestMalformedFrameLine(t *testing.T) {
	// A handshake whose SID block claims 900 words: the frame is still one
	// JSON line, with the fixed fields, the error and its offset.
	rc, err := os.ReadFile(testcorpus.Path("s05_app_reject_1403.pcap"))
	require.NoError(t, err)
	b := append([]byte(nil), rc...)
	// Frame 3 starts after the 24-byte file header and two records.
	off := 24
	for i := 0; i < 2; i++ {
		n := int(b[off+8]) | int(b[off+9])<<8
		off += 16 + n
	}
	frame := b[off+16:]
	udp := frame[14+20+8:]
	sidHdr := 16 + 48 + 4 + 12 // header, CIF, HSREQ block
	udp[sidHdr+2], udp[sidHdr+3] = 0x03, 0x84
	p := filepath.Join(t.TempDir(), "bad.pcap")
	require.NoError(t, os.WriteFile(p, b, 0o644))
	st, out, _ := runCmd(t, nil, "-json", p)
	assert.Equal(t, 0, st)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	require.Len(t, lines, 4)
	var m map[string]any
	require.NoError(t, json.Unmarshal([]byte(lines[2]), &m))
	assert.Equal(t, "handshake: extension 2 (SID): length 900 words exceeds the 24 bytes left", m["error"])
	assert.EqualValues(t, 80, m["error_offset"])
	assert.Equal(t, "CONCLUSION", m["handshake"].(map[string]any)["type"])
	_, txt, _ := runCmd(t, nil, p)
	assert.Contains(t, txt, "!! handshake: extension 2 (SID)")
}

func TestProgressLine(t *testing.T) {
	// Three copies of an 851-frame capture, concatenated as records.
	b, err := os.ReadFile(testcorpus.Path("s02_enc_kmrefresh.pcap"))
	require.NoError(t, err)
	big := append([]byte(nil), b...)
	for i := 0; i < 2; i++ {
		big = append(big, b[24:]...)
	}
	defer func(d time.Duration) { progressEvery = d }(progressEvery)
	progressEvery = 0
	st, out, errs := runCmd(t, big, "-progress", "always", "-summary", "-")
	require.Equal(t, 0, st, errs)
	assert.Contains(t, errs, "\rsrtdump: 1024 frames, 1024 SRT")
	assert.Contains(t, errs, "frames/s")
	assert.Contains(t, errs, "\rsrtdump: stdin: 2553 frames, 2553 SRT, 0.6 MB in ")
	assert.True(t, strings.HasSuffix(errs, "\n"), errs)
	assert.Contains(t, out, "established")
	// auto: stderr is not a terminal here, so no progress line.
	_, _, errs = runCmd(t, big, "-summary", "-")
	assert.NotContains(t, errs, "frames/s")
}

// TestProgressCountsAllFrames (issue 13, 14): the progress line counts
// every frame and byte read, so it is not silent on a capture without SRT,
// and -progress always writes a final line even on a small file.
func TestProgressCountsAllFrames(t *testing.T) {
	c := newGenCapture()
	dns := netip.MustParseAddrPort("10.0.0.53:53")
	for i := 0; i < 3000; i++ {
		q := []byte{byte(i >> 8), byte(i), 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0, 0, 1, 0, 1}
		c.add(genCaller, dns, q, 0)
	}
	defer func(d time.Duration) { progressEvery = d }(progressEvery)
	progressEvery = 0
	st, out, errs := runCmd(t, c.b, "-progress", "always", "-")
	require.Equal(t, 0, st, errs)
	assert.Empty(t, out)
	assert.Regexp(t, `\rsrtdump: [1-9][0-9]* frames, 0 SRT, 0\.[0-9] MB, [0-9]+ frames/s`, errs, "a live line before the end")
	assert.Contains(t, errs, "srtdump: stdin: 3000 frames, 0 SRT, 0.2 MB in ")
	assert.Contains(t, errs, "no SRT traffic found in 3000 frames")

	progressEvery = time.Hour
	st, _, errs = runCmd(t, nil, "-progress", "always", testcorpus.Path("s05_app_reject_1403.pcap"))
	require.Equal(t, 0, st, errs)
	assert.Regexp(t, `^srtdump: .*s05_app_reject_1403.pcap: 4 frames, 4 SRT, 0\.0 MB in [0-9.]+ s\n$`, errs)
	_, _, errs = runCmd(t, nil, "-progress", "never", testcorpus.Path("s05_app_reject_1403.pcap"))
	assert.Empty(t, errs)
}

// TestJSONKind: every JSON line has a "kind", right after "control", equal
// to packet.Kind of the frame's datagram decoded on its own (from the
// corpus reader's bytes, not srtdump's).
func TestJSONKind(t *testing.T) {
	caps, err := testcorpus.Captures()
	require.NoError(t, err)
	kinds := map[string]int{}
	for _, c := range caps {
		frames, err := testcorpus.Frames(c.Name)
		require.NoError(t, err)
		byNumber := map[int][]byte{}
		for _, f := range frames {
			byNumber[f.Number] = f.Payload
		}
		st, out, errs := runCmd(t, nil, "-json", testcorpus.Path(c.Name+".pcap"))
		require.Equal(t, 0, st, errs)
		for _, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
			var m struct {
				Frame int
				Kind  string
			}
			require.NoError(t, json.Unmarshal([]byte(line), &m), line)
			dg, ok := byNumber[m.Frame]
			require.True(t, ok, "%s#%d: frame not in the capture", c.Name, m.Frame)
			var p packet.Packet
			require.NoError(t, p.Decode(dg), "%s#%d", c.Name, m.Frame)
			want := p.Kind().String()
			assert.Equal(t, want, m.Kind, "%s#%d", c.Name, m.Frame)
			assert.Contains(t, line, `,"control":`+strconv.FormatBool(p.Control)+`,"kind":"`+want+`","type":`, "%s#%d: kind not right after control", c.Name, m.Frame)
			kinds[m.Kind]++
		}
	}
	// The corpus has every common kind, FEC included.
	for _, k := range []string{"data", "fec", "handshake", "keepalive", "ack", "nak", "shutdown", "ackack", "peererror", "umsg"} {
		assert.Positive(t, kinds[k], "no %q line in the corpus", k)
	}
}

// TestTypeFilter: -type takes packet.Kind names; FEC packets are their own
// kind, no longer "data".
func TestTypeFilter(t *testing.T) {
	p := testcorpus.Path("s07_fec.pcap")
	count := func(args ...string) int {
		t.Helper()
		st, out, errs := runCmd(t, nil, append(args, p)...)
		require.Equal(t, 0, st, errs)
		return strings.Count(out, "\n")
	}
	data, fec, both := count("-type", "data"), count("-type", "fec"), count("-type", "DATA, fec")
	assert.Positive(t, data)
	assert.Positive(t, fec)
	assert.Equal(t, data+fec, both)
	_, out, _ := runCmd(t, nil, "-json", "-type", "fec", p)
	assert.Equal(t, fec, strings.Count(out, `"kind":"fec"`))
	assert.Equal(t, fec, strings.Count(out, `"fec":true`))
}

// TestUnknownTypeIsUsageError: an unknown -type value is a usage error
// (status 2, nothing decoded) whose message lists every valid kind.
func TestUnknownTypeIsUsageError(t *testing.T) {
	for _, arg := range []string{"bogus", "nak,bogus", "HANDSHAKE,", "Kind(3)"} {
		st, out, errs := runCmd(t, nil, "-type", arg, testcorpus.Path("s07_fec.pcap"))
		assert.Equal(t, 2, st, arg)
		assert.Empty(t, out, arg)
		assert.Contains(t, errs, "srtdump: -type: unknown kind", arg)
		var names []string
		for _, k := range packet.Kinds() {
			names = append(names, k.String())
		}
		assert.Contains(t, errs, "(want "+strings.Join(names, ", ")+")", arg)
	}
	assert.Len(t, packet.Kinds(), 13)
}

// TestJSONKeysDocumented: every key srtdump writes, in packets and in
// attempts, is documented in docs/srtdump-json.md.
func TestJSONKeysDocumented(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join(testcorpus.Dir(), "..", "..", "docs", "srtdump-json.md"))
	require.NoError(t, err)
	caps, err := testcorpus.Captures()
	require.NoError(t, err)
	keys := map[string]bool{}
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, e := range v {
				keys[k] = true
				walk(e)
			}
		case []any:
			for _, e := range v {
				walk(e)
			}
		}
	}
	ts := filepath.Join(t.TempDir(), "ts.jsonl")
	for _, c := range caps {
		pass := []string{"-passphrase", "corpus-secret-16", "-passphrase", "refresh-secret-1"}
		for _, args := range [][]string{{"-json"}, {"-json", "-summary"}, {"-json", "-stats", "-timeseries", ts}, append([]string{"-json"}, pass...), append([]string{"-json", "-stats"}, pass...)} {
			// Two files, so that "file" is written too.
			p := testcorpus.Path(c.Name + ".pcap")
			st, out, errs := runCmd(t, nil, append(args, p, p)...)
			require.Equal(t, 0, st, errs)
			if slices.Contains(args, "-timeseries") {
				b, err := os.ReadFile(ts)
				require.NoError(t, err)
				out += string(b)
			}
			for _, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
				var m map[string]any
				require.NoError(t, json.Unmarshal([]byte(line), &m), line)
				walk(m)
			}
		}
	}
	require.Greater(t, len(keys), 150)
	for k := range keys {
		assert.Contains(t, string(doc), "`"+k+"`", "key %q is not documented", k)
	}
}

// rawPcap builds a classic pcap (link type 228, raw IPv4) of UDP datagrams
// from 127.0.0.1:40000 to 127.0.0.2:9000, each record cut to caplen[i]
// bytes of UDP payload when caplen[i] > 0.
func rawPcap(dgs [][]byte, caplen []int) []byte {
	le := func(b []byte, v ...uint32) []byte {
		for _, x := range v {
			b = append(b, byte(x), byte(x>>8), byte(x>>16), byte(x>>24))
		}
		return b
	}
	out := le([]byte{0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0}, 0, 0, 65535, 228)
	for i, d := range dgs {
		n := 28 + len(d)
		fr := []byte{0x45, 0, byte(n >> 8), byte(n), 0, 0, 0, 0, 64, 17, 0, 0, 127, 0, 0, 1, 127, 0, 0, 2,
			0x9c, 0x40, 0x23, 0x28, byte((n - 20) >> 8), byte(n - 20), 0, 0}
		fr = append(fr, d...)
		cl := len(fr)
		if caplen[i] > 0 {
			cl = 28 + caplen[i]
		}
		out = le(out, uint32(1700000000+i), 0, uint32(cl), uint32(len(fr)))
		out = append(out, fr[:cl]...)
	}
	return out
}

// TestFaults: frames that are SRT but do not decode, or were not captured
// whole, are one line each with the fault and its byte offset, and what
// decoded before it.
func TestFaults(t *testing.T) {
	ctrl := func(typ uint16, info uint32, cif ...byte) []byte {
		b := []byte{0x80 | byte(typ>>8), byte(typ), 0, 0, byte(info >> 24), byte(info >> 16), byte(info >> 8), byte(info), 0, 0, 3, 0xe8, 0, 0, 0x12, 0x34}
		return append(b, cif...)
	}
	nak := ctrl(3, 0, 0, 0, 0, 1, 0x80, 0, 0, 3, 0, 0, 0, 7)
	dgs := [][]byte{
		ctrl(2, 1, 0, 0),            // ACK with a 2-byte CIF
		ctrl(3, 0, 0x80, 0, 0, 5),   // NAK range without an end
		ctrl(7, 3, 0, 0, 0, 1),      // DROPREQ with a 4-byte CIF
		{0x80, 0, 0, 0, 0, 0, 0, 0}, // shorter than the header
		nak,                         // a good NAK, cut by the snaplen
	}
	p := filepath.Join(t.TempDir(), "faults.pcap")
	require.NoError(t, os.WriteFile(p, rawPcap(dgs, []int{0, 0, 0, 0, 20}), 0o644))

	st, out, errs := runCmd(t, nil, "-port", "9000", p)
	require.Equal(t, 0, st, errs)
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	require.Len(t, lines, 5, out)
	for i, want := range []string{
		"ACK        !! packet: ACK CIF of 2 bytes is shorter than the 4-byte acknowledged sequence number (byte 18)",
		"NAK        lost (0 packets) ts=1000  !! packet: NAK range start without an end (byte 16)",
		"DROPREQ    !! packet: DROPREQ CIF of 4 bytes is shorter than its 8-byte sequence range (byte 20)",
		"ERROR      !! packet: 8-byte datagram is shorter than the 16-byte SRT header (byte 8)",
		"NAK        lost 1 (1 packet) ts=1000  !! pcap: frame truncated by the capture's snaplen: 20 of 28 bytes captured (byte 20)",
	} {
		assert.True(t, strings.HasSuffix(lines[i], want), "line %d:\n got %s\nwant ...%s", i+1, lines[i], want)
	}

	st, out, errs = runCmd(t, nil, "-json", "-port", "9000", p)
	require.Equal(t, 0, st, errs)
	lines = strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	require.Len(t, lines, 5, out)
	var ms []map[string]any
	for _, l := range lines {
		var m map[string]any
		require.NoError(t, json.Unmarshal([]byte(l), &m), l)
		ms = append(ms, m)
	}
	assert.Equal(t, "ack", ms[0]["kind"])
	assert.NotContains(t, ms[0], "ack", "an ACK CIF that did not decode has no ack object")
	assert.EqualValues(t, 18, ms[0]["error_offset"])
	assert.Equal(t, map[string]any{"losses": []any{}}, ms[1]["nak"])
	assert.Equal(t, "packet: NAK range start without an end", ms[1]["error"])
	assert.NotContains(t, ms[2], "dropreq")
	assert.NotContains(t, ms[3], "control", "no header: no header keys")
	assert.NotContains(t, ms[3], "kind")
	assert.EqualValues(t, 8, ms[3]["error_offset"])
	assert.Equal(t, map[string]any{"losses": []any{[]any{1.0, 1.0}}}, ms[4]["nak"])
	assert.EqualValues(t, 28, ms[4]["len"])
	assert.EqualValues(t, 20, ms[4]["error_offset"])
}
