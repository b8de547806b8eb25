package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/srtwire/srtwire/handshake"
	"github.com/srtwire/srtwire/internal/report"
	"github.com/srtwire/srtwire/internal/testcorpus"
)

// writeCapture writes c to a file in a temporary directory.
func writeCapture(t *testing.T, c *genCapture) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "gen.pcap")
	require.NoError(t, os.WriteFile(p, c.b, 0o644))
	return p
}

// jsonLines decodes srtdump -json output.
func jsonLines(t *testing.T, out string) []map[string]any {
	t.Helper()
	var ms []map[string]any
	for _, l := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		var m map[string]any
		require.NoError(t, json.Unmarshal([]byte(l), &m), l)
		ms = append(ms, m)
	}
	return ms
}

// conclusion returns a caller's HSv5 CONCLUSION with an HSREQ block and a
// SID block holding sid.
func conclusion(t *testing.T, sid string) []byte {
	hs := handshake.Handshake{Version: 5, Extension: uint16(handshake.FlagHSReq | handshake.FlagConfig), ISN: 4242, MTU: 1500,
		FlowWindow: 8192, Type: handshake.Conclusion, SocketID: 0x1234, Cookie: 0xc00c1e}
	b := handshake.NewBuilder(nil, &hs)
	b.AddHSReq(handshake.ExtHSReq, handshake.HSReq{Version: handshake.SRTVersion(0x010501), Flags: 0xbf, RecvDelay: 120})
	b.AddRaw(handshake.ExtSID, handshake.AppendEncodedString(nil, sid)) // AddString refuses more than 512 bytes
	cif, err := b.Finish()
	require.NoError(t, err)
	return ctrlPacket(0, 0, 200, 0, cif)
}

// TestTruncatedHandshake (issue 14): a handshake cut inside its fixed 48
// bytes shows the fields that were captured, marks the others, and never
// shows zeros for them.
func TestTruncatedHandshake(t *testing.T) {
	c := newGenCapture()
	hs := conclusion(t, "x")
	c.add(genCaller, genListener, hs, 38) // tcpdump -s 80 on Ethernet: CIF of 22 bytes
	c.add(genCaller, genListener, hs, 60) // CIF of 44 bytes: all but the Peer IP
	c.add(genCaller, genListener, hs[:16+30], 0)
	p := writeCapture(t, c)

	st, out, errs := runCmd(t, nil, "-port", "9000", p)
	require.Equal(t, 0, st, errs)
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	require.Len(t, lines, 3, out)
	assert.Contains(t, lines[0], "HANDSHAKE  ? v5 ext=HSREQ|CONFIG isn=4242 mtu=1500 win=8192 dst=0x00000000 [truncated at byte 38: no type, sock, cookie, peer]  !! pcap: frame truncated by the capture's snaplen: 38 of 88 bytes captured (handshake: CIF of 22 bytes is shorter than the fixed 48) (byte 38)")
	assert.Contains(t, lines[1], "HANDSHAKE  CONCLUSION v5 ext=HSREQ|CONFIG isn=4242 mtu=1500 win=8192 sock=0x00001234 dst=0x00000000 cookie=0x00c00c1e [truncated at byte 60: no peer]  !! pcap: frame truncated")
	assert.Contains(t, lines[2], "HANDSHAKE  CONCLUSION v5 ext=HSREQ|CONFIG isn=4242 mtu=1500 win=8192 sock=0x00001234 dst=0x00000000 [truncated at byte 46: no cookie, peer]  !! handshake: CIF of 30 bytes is shorter than the fixed 48 (byte 46)")
	for _, l := range lines {
		assert.NotContains(t, l, "v0")
		assert.NotContains(t, l, "mtu=0")
		assert.NotContains(t, l, "WAVEAHAND")
	}

	st, out, errs = runCmd(t, nil, "-json", "-port", "9000", p)
	require.Equal(t, 0, st, errs)
	ms := jsonLines(t, out)
	require.Len(t, ms, 3)
	h := ms[0]["handshake"].(map[string]any)
	assert.Equal(t, map[string]any{"version": 5.0, "encryption": 0.0, "extension": 5.0, "isn": 4242.0, "mtu": 1500.0, "flow_window": 8192.0, "truncated_at": 38.0}, h)
	h = ms[1]["handshake"].(map[string]any)
	assert.Equal(t, "CONCLUSION", h["type"])
	assert.EqualValues(t, 0x1234, h["socket_id"])
	assert.EqualValues(t, 0xc00c1e, h["cookie"])
	assert.NotContains(t, h, "peer_ip")
	assert.NotContains(t, h, "extensions")
	assert.EqualValues(t, 60, h["truncated_at"])
	assert.EqualValues(t, 60, ms[1]["error_offset"])
	assert.Contains(t, ms[2]["handshake"], "socket_id")
	assert.NotContains(t, ms[2]["handshake"], "cookie")
}

// TestTruncatedData (issue 14): a data packet cut by the snaplen reports
// its length on the wire and the length captured.
func TestTruncatedData(t *testing.T) {
	c := newGenCapture()
	c.add(genCaller, genListener, dataPacket(100, 1, 1000, 0x1234, 1316), 64)
	c.add(genCaller, genListener, dataPacket(101, 2, 1100, 0x1234, 1316), 0)
	p := writeCapture(t, c)
	st, out, errs := runCmd(t, nil, "-port", "9000", p)
	require.Equal(t, 0, st, errs)
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	require.Len(t, lines, 2)
	assert.Contains(t, lines[0], "seq=100 msgno=1 solo len=1316 (48 captured) ts=1000  !! pcap: frame truncated by the capture's snaplen: 64 of 1332 bytes captured (byte 64)")
	assert.Contains(t, lines[1], "seq=101 msgno=2 solo len=1316 ts=1100")

	_, out, _ = runCmd(t, nil, "-json", "-port", "9000", p)
	ms := jsonLines(t, out)
	d := ms[0]["data"].(map[string]any)
	assert.EqualValues(t, 1316, d["payload_len"])
	assert.EqualValues(t, 48, d["captured_len"])
	d = ms[1]["data"].(map[string]any)
	assert.EqualValues(t, 1316, d["payload_len"])
	assert.NotContains(t, d, "captured_len")
}

// TestRejectJSON (issue 14): the off-by-1000 hint is in the JSON too, as
// "unshifted" inside "reject", only when the wire value looks unshifted;
// the category of a user code is "user", as the schema says.
func TestRejectJSON(t *testing.T) {
	c := newGenCapture()
	c.add(genCaller, genListener, induction(7), 0)
	c.add(genListener, genCaller, ctrlPacket(0, 0, 300, 7, hsCIF(5, 0, 1007, 1500, 8192, 1403, 0x99, 0)), 0) // 1403 on the wire: reason 403
	c.add(netip4("10.0.0.3:40001"), genListener, induction(8), 0)
	c.add(genListener, netip4("10.0.0.3:40001"), ctrlPacket(0, 0, 300, 8, hsCIF(5, 0, 1008, 1500, 8192, 2403, 0x98, 0)), 0) // libsrt's FORBIDDEN
	p := writeCapture(t, c)

	st, out, errs := runCmd(t, nil, "-json", "-rejects", p)
	require.Equal(t, 0, st, errs)
	ms := jsonLines(t, out)
	require.Len(t, ms, 2)
	rj := ms[0]["handshake"].(map[string]any)["reject"].(map[string]any)
	assert.EqualValues(t, 403, rj["code"])
	assert.Equal(t, map[string]any{"code": 1403.0, "name": "SRT_REJX_FORBIDDEN"}, rj["unshifted"])
	rj = ms[1]["handshake"].(map[string]any)["reject"].(map[string]any)
	assert.EqualValues(t, 1403, rj["code"])
	assert.NotContains(t, rj, "unshifted")

	_, out, _ = runCmd(t, nil, "-json", "-summary", p)
	ms = jsonLines(t, out)
	require.Len(t, ms, 2)
	assert.Equal(t, map[string]any{"code": 1403.0, "name": "SRT_REJX_FORBIDDEN"}, ms[0]["reject"].(map[string]any)["unshifted"])
	assert.NotContains(t, ms[1]["reject"], "unshifted")

	_, txt, _ := runCmd(t, nil, "-summary", p)
	assert.Contains(t, txt, "#1 warning unshifted_reject: The rejection code 1403 on the wire looks like SRT_REJX_FORBIDDEN (1403) sent without libsrt's +1000 offset")

	for _, args := range [][]string{{"-json", "-rejects"}, {"-json", "-summary"}} {
		_, out, _ = runCmd(t, nil, append(args, testcorpus.Path("s05_app_reject_2005.pcap"))...)
		assert.Contains(t, out, `"category":"user",`, args)
		assert.NotContains(t, out, "user-defined", args)
	}
}

// TestControlDetails (issue 14): PEERERROR is named in JSON; a light ACK
// has no "#0"; rates are in SI units in text and raw in JSON.
func TestControlDetails(t *testing.T) {
	p := testcorpus.Path("s09_file_peererror.pcap")
	_, out, _ := runCmd(t, nil, "-json", "-type", "peererror", p)
	ms := jsonLines(t, out)
	require.Len(t, ms, 1)
	assert.Equal(t, map[string]any{"code": 4000.0, "name": "SRT_EFILE"}, ms[0]["peer_error"])

	_, out, _ = runCmd(t, nil, "-type", "ack", p)
	assert.Contains(t, out, "ACK        light ack=1061932521 ts=58846\n")
	assert.NotContains(t, out, "#0")
	assert.Contains(t, out, " rate=125 kpkt/s bw=1.00 kpkt/s recv=170 MB/s ")
	_, out, _ = runCmd(t, nil, "-json", "-type", "ack", p)
	assert.Contains(t, out, `"pkt_rate":125000,"bandwidth":1000,"recv_rate":170454546}`)

	for v, want := range map[uint64]string{0: "0 B/s", 999: "999 B/s", 1000: "1.00 kB/s", 1573: "1.57 kB/s", 9995: "10.0 kB/s",
		12345: "12.3 kB/s", 99949: "99.9 kB/s", 99950: "100 kB/s", 999499: "999 kB/s", 999500: "1.00 MB/s",
		3450000: "3.45 MB/s", 431219513: "431 MB/s", 4294967295: "4.29 GB/s"} {
		assert.Equal(t, want, string(report.AppendSI(nil, v, "B/s")), "%d", v)
	}
}

// TestColumns (issue 14): unknown control types fit the TYPE column, and
// every body starts in the same column, empty ones included.
func TestColumns(t *testing.T) {
	c := newGenCapture()
	c.add(genCaller, genListener, dataPacket(100, 1, 1000, 0x1234, 10), 0)
	c.add(genCaller, genListener, ctrlPacket(1, 0, 1100, 0x1234, nil), 0)      // KEEPALIVE
	c.add(genCaller, genListener, ctrlPacket(0x21, 0, 1200, 0x1234, nil), 0)   // unknown
	c.add(genCaller, genListener, ctrlPacket(0x7ffe, 0, 1300, 0x1234, nil), 0) // unknown
	c.add(genCaller, genListener, ctrlPacket(2, 0, 1400, 0x1234, []byte{0, 0}), 0)
	st, out, errs := runCmd(t, nil, "-t", "rel", "-port", "9000", writeCapture(t, c))
	require.Equal(t, 0, st, errs)
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	require.Len(t, lines, 5)
	col := strings.Index(lines[0], "seq=")
	require.Positive(t, col)
	for i, want := range []string{"seq=", "ts=1100", "ts=1200", "ts=1300", "!! packet: ACK CIF"} {
		assert.Equal(t, col, strings.Index(lines[i], want), "line %d: %q", i+1, lines[i])
	}
	assert.Contains(t, lines[1], "KEEPALIVE  ts=1100")
	assert.Contains(t, lines[2], "CTL_0x0021 ts=1200")
	assert.Contains(t, lines[3], "CTL_0x7ffe ts=1300")
}

// TestSummaryRTTPrecision (issue 14): the handshake RTT has a fixed
// precision, µs written as ms with three decimals.
func TestSummaryRTTPrecision(t *testing.T) {
	caps, err := testcorpus.Captures()
	require.NoError(t, err)
	re := regexp.MustCompile(`  (-|[0-9]+\.[0-9]{3}ms)  `)
	for _, c := range caps {
		_, out, _ := runCmd(t, nil, "-summary", testcorpus.Path(c.Name+".pcap"))
		rows := strings.Split(out, "\n")
		require.Greater(t, len(rows), 1)
		assert.Regexp(t, re, rows[1], c.Name)
	}
	_, out, _ := runCmd(t, nil, "-summary", testcorpus.Path("s05_app_reject_1403.pcap"))
	assert.Contains(t, out, "  0.083ms  ")
}

// TestHexDump (issue 14): -x prints the payload under the packet line as
// tcpdump -X does, decrypted with -passphrase.
func TestHexDump(t *testing.T) {
	p := testcorpus.Path("s02_enc_aes128.pcap")
	st, out, errs := runCmd(t, nil, "-x", "-count", "5", "-passphrase", "corpus-secret-16", p)
	require.Equal(t, 0, st, errs)
	lines := strings.Split(out, "\n")
	assert.True(t, strings.HasSuffix(lines[0], "peer=127.0.0.1"), lines[0])
	assert.Equal(t, "\t0x0010:  0000 0004 0000 0002 2c8c ac0d 0000 05dc  ........,.......", lines[1])
	assert.Equal(t, "\t0x0030:  0100 007f 0000 0000 0000 0000 0000 0000  ................", lines[3])
	i := strings.Index(out, "     5 ")
	require.Positive(t, i)
	frame5 := strings.Split(out[i:], "\n")
	assert.True(t, strings.HasSuffix(frame5[0], "len=1316 ts=177140 [decrypted]"), frame5[0])
	assert.Equal(t, "\t0x0010:  5352 5443 4f52 5055 5320 6368 756e 6b3d  SRTCORPUS chunk=", frame5[1])
	assert.Equal(t, 1+83, len(frame5)-1, "1316 bytes: 82 full lines and one of 4") // and the final ""
	assert.Regexp(t, `^\t0x0530:  [0-9a-f]{4} [0-9a-f]{4} {32}[a-z]{4}$`, frame5[83])

	_, out, _ = runCmd(t, nil, "-x", "-count", "5", p)
	assert.NotContains(t, out, "SRTCORPUS")
	assert.NotContains(t, out, "decrypted")
	_, out, _ = runCmd(t, nil, "-x", "-count", "5", "-passphrase", "wrong-secret-16", p)
	assert.Contains(t, out, "len=1316 ts=177140 [not decrypted: no passphrase given opens its key material]")
	assert.Contains(t, out, "KMREQ AES-CTR-128 keys=even PASSPHRASE MISMATCH\n")
	assert.NotContains(t, out, "SRTCORPUS")

	for _, bad := range [][]string{{"-x", "-json"}, {"-x", "-summary"}, {"-x", "-stats"}, {"-passphrase", ""}} {
		st, _, _ := runCmd(t, nil, append(bad, p)...)
		assert.Equal(t, 2, st, "%v", bad)
	}
}

// TestStreamIDEscaped (issue 14): control characters in a Stream ID are
// escaped in every output, -summary included; an overlong one is cut at
// libsrt's 512 bytes and marked.
func TestStreamIDEscaped(t *testing.T) {
	sid := "a\x1b[31mred\tb\u009b"
	c := newGenCapture()
	c.add(genCaller, genListener, induction(0x1234), 0)
	c.add(genCaller, genListener, conclusion(t, sid), 0)
	long := strings.Repeat("L", 700)
	other := netip4("10.0.0.3:40001")
	c.add(other, genListener, induction(0x1235), 0)
	c.add(other, genListener, conclusion(t, long), 0)
	p := writeCapture(t, c)
	for _, args := range [][]string{nil, {"-summary"}, {"-json"}, {"-json", "-summary"}} {
		st, out, errs := runCmd(t, nil, append(args, "-port", "9000", p)...)
		require.Equal(t, 0, st, errs)
		assert.NotContains(t, out, "\x1b", args)
		assert.NotContains(t, out, "\t", args)
		assert.NotContains(t, out, "\u009b", args)
		assert.NotContains(t, out, strings.Repeat("L", 513), args)
		if args == nil || args[0] != "-json" {
			assert.Contains(t, out, `"a\x1b[31mred\tb\u009b"`, args)
			assert.Regexp(t, `[^L]`+strings.Repeat("L", 512)+`"?\.\.\. \(cut at libsrt's limit\)`, out, args)
		} else {
			assert.Contains(t, out, `"a\u001b[31mred\tb\u009b"`, args)
			assert.Contains(t, out, `,"truncated":true`, args)
		}
	}
}
