package session_test

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"math/rand/v2"
	"net/netip"
	"os"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/srtwire/srtwire/internal/testcorpus"
	"github.com/srtwire/srtwire/packet"
	"github.com/srtwire/srtwire/session"
)

// corpusChunk is chunk i of the corpus generators' payloads: size bytes,
// byte j = 'a' + (i+j) mod 26, overwritten at the start by
// "SRTCORPUS <key>=%06d size=%d|"; key is "chunk" for pktsrc (fed to
// srt-live-transmit, or written to the file srt-file-transmit sends) and
// "msg" for the corpus's C peer.
func corpusChunk(key string, i, size int) []byte {
	b := make([]byte, size)
	for j := range b {
		b[j] = byte('a' + (i+j)%26)
	}
	copy(b, fmt.Sprintf("SRTCORPUS %s=%06d size=%d|", key, i, size))
	return b
}

func corpusChunks(key string, n, size int) []byte {
	var b []byte
	for i := range n {
		b = append(b, corpusChunk(key, i, size)...)
	}
	return b
}

// extraction is what an Extractor wrote.
type extraction struct {
	out     map[string]*bytes.Buffer // by Stream.FileName
	reports []*session.ExtractReport
	gaps    []session.Gap // as OnGap saw them
}

// extractFrames feeds a Tracker and an Extractor the frames, as srtdump
// does, and returns what was written.
func extractFrames(t *testing.T, fs []session.Frame, passphrases []string, conf func(*session.Extractor)) *extraction {
	t.Helper()
	tr := session.NewTracker()
	tr.Passphrases = passphrases
	res := &extraction{out: map[string]*bytes.Buffer{}}
	x := session.NewExtractor(tr, func(s *session.Stream) (io.Writer, error) {
		b := new(bytes.Buffer)
		res.out[s.FileName()] = b
		return b, nil
	})
	x.OnDone = func(r *session.ExtractReport) { res.reports = append(res.reports, r) }
	x.OnGap = func(_ *session.Stream, g *session.Gap) { res.gaps = append(res.gaps, *g) }
	if conf != nil {
		conf(x)
	}
	tr.OnRetire = x.Retire
	for i := range fs {
		x.Add(tr.Add(&fs[i]), &fs[i])
	}
	require.NoError(t, x.Close())
	return res
}

// only returns the one report and its output.
func (e *extraction) only(t *testing.T) (*session.ExtractReport, []byte) {
	t.Helper()
	require.Len(t, e.reports, 1)
	r := e.reports[0]
	if !r.Opened {
		return r, nil
	}
	b := e.out[r.Stream.FileName()]
	require.NotNil(t, b, r.Stream.FileName())
	return r, b.Bytes()
}

// firstDiff describes where got and want first differ.
func firstDiff(got, want []byte) string {
	n := min(len(got), len(want))
	for i := range n {
		if got[i] != want[i] {
			return fmt.Sprintf("byte %d: got %q, want %q", i, got[i:min(i+40, len(got))], want[i:min(i+40, len(want))])
		}
	}
	return fmt.Sprintf("lengths %d and %d, equal up to %d", len(got), len(want), n)
}

func assertBytes(t *testing.T, want, got []byte, name string) {
	t.Helper()
	if !bytes.Equal(got, want) {
		t.Fatalf("%s: output differs from the generator's bytes: %s", name, firstDiff(got, want))
	}
}

// TestExtractCorpus: every established corpus capture extracts to exactly
// the bytes its generator sent (the commands are in
// testdata/corpus/logs/NAME.cmd).
func TestExtractCorpus(t *testing.T) {
	cases := []struct {
		name      string
		pass      string
		key       string
		n, size   int
		file      string // the report line starts with this role
		messages  bool
		encrypted bool
	}{
		// pktsrc 100 1316 | srt-live-transmit -chunk:1316
		{name: "s01_live_plain", key: "chunk", n: 100, size: 1316, messages: true},
		{name: "s01_live_ipv6", key: "chunk", n: 60, size: 1316, messages: true},
		// pktsrc 80 1316, passphrase=corpus-secret-16 pbkeylen=16
		{name: "s02_enc_aes128", pass: "corpus-secret-16", key: "chunk", n: 80, size: 1316, messages: true, encrypted: true},
		// srtcorp count=420 size=300, three key refreshes
		{name: "s02_enc_kmrefresh", pass: "refresh-secret-1", key: "msg", n: 420, size: 300, messages: true, encrypted: true},
		// The listener had another passphrase (and did not enforce
		// encryption), so it could not decrypt; the caller's passphrase
		// can.
		{name: "s03_badsecret_noenforce", pass: "caller-secret-BB", key: "msg", n: 10, size: 1316, messages: true, encrypted: true},
		{name: "s04_sid_access", key: "msg", n: 20, size: 1316, messages: true},
		// FEC packets are not payload.
		{name: "s07_fec", key: "msg", n: 64, size: 1000, messages: true},
		// The first packet is NAKed and retransmitted: one duplicate.
		{name: "s07_rendezvous", key: "msg", n: 40, size: 1316, messages: true},
		// 25 packets missing from the capture, all retransmitted.
		{name: "s08_loss_pattern", key: "msg", n: 200, size: 600, messages: true},
		// srt_sendfile of pktsrc 300 1000 (stream mode, PB_FIRST then
		// PB_SUBSEQUENT); the receiver failed to write it, the capture has it.
		{name: "s09_file_peererror", key: "chunk", n: 300, size: 1000},
		// srt-file-transmit of pktsrc 300 1000 (stream mode, PB_SOLO).
		{name: "s09_file_transfer", key: "chunk", n: 300, size: 1000},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var pass []string
			if c.pass != "" {
				pass = []string{c.pass}
			}
			for _, mode := range []session.GapMode{session.GapSkip, session.GapFill} {
				e := extractFrames(t, frames(t, c.name), pass, func(x *session.Extractor) { x.Gaps = mode })
				r, got := e.only(t)
				assertBytes(t, corpusChunks(c.key, c.n, c.size), got, c.name)
				assert.Equal(t, 0, r.GapCount, "gaps: %v", e.gaps)
				assert.Equal(t, int64(0), r.FillBytes)
				assert.Equal(t, session.FormatBinary, r.Stream.Format)
				assert.Equal(t, c.messages, r.MessageAPI)
				if c.messages {
					assert.Equal(t, c.n, r.Messages)
				}
				assert.True(t, strings.HasPrefix(r.Stream.FileName(), "caller-to-listener_") || c.name == "s07_rendezvous", r.Stream.FileName())
				assert.True(t, strings.HasSuffix(r.Stream.FileName(), ".bin"))
				assert.Equal(t, "", r.Refused)
				if c.encrypted {
					assert.Equal(t, r.Encrypted, r.Decrypted)
					assert.Equal(t, "AES-128", r.Cipher)
					assert.Contains(t, r.String(), "decrypted (AES-128)")
				} else {
					assert.Equal(t, 0, r.Encrypted)
					assert.Contains(t, r.String(), ", clear")
				}
				t.Logf("%s: %s", mode, r)
			}
		})
	}
}

// TestExtractReportLine pins the report line of s02_enc_aes128.
func TestExtractReportLine(t *testing.T) {
	e := extractFrames(t, frames(t, "s02_enc_aes128"), []string{"corpus-secret-16"}, nil)
	r, got := e.only(t)
	assert.Len(t, got, 80*1316)
	assert.Equal(t, "caller-to-listener_127.0.0.1_51749_to_127.0.0.1_41011.bin: 105280 bytes, 80 packets, 80 messages, 0 gaps, decrypted (AES-128)", r.String())
}

// TestExtractRefusesCiphertext: without the passphrase (or with a wrong
// one) nothing is written, and the report says why; AllowCiphertext
// writes the payload as it travelled.
func TestExtractRefusesCiphertext(t *testing.T) {
	fs := frames(t, "s02_enc_aes128")
	for _, c := range []struct {
		pass []string
		why  string
	}{
		{nil, "the payload is encrypted (AES-128) and no passphrase was given"},
		{[]string{"not-the-secret"}, "the payload is encrypted (AES-128) and no passphrase given opens its key material (wrong passphrase)"},
	} {
		e := extractFrames(t, fs, c.pass, nil)
		r, got := e.only(t)
		assert.Nil(t, got)
		assert.Empty(t, e.out)
		assert.False(t, r.Opened)
		assert.Equal(t, c.why, r.Refused)
		assert.Equal(t, 80, r.Received)
		assert.Equal(t, 0, r.Decrypted)
		assert.Equal(t, "caller-to-listener_127.0.0.1_51749_to_127.0.0.1_41011: not written: "+c.why+"; 80 packets", r.String())
	}
	// The capture without its handshake: no key material at all.
	var mid []session.Frame
	for _, f := range fs {
		if f.Packet.Kind() != packet.KindHandshake {
			mid = append(mid, f)
		}
	}
	r, _ := extractFrames(t, mid, []string{"corpus-secret-16"}, nil).only(t)
	assert.Contains(t, r.Refused, "the capture holds no key material for it")

	e := extractFrames(t, fs, nil, func(x *session.Extractor) { x.AllowCiphertext = true })
	r, got := e.only(t)
	require.True(t, r.Opened)
	assert.True(t, r.Stream.Ciphertext)
	assert.Len(t, got, 80*1316)
	assert.NotEqual(t, corpusChunks("chunk", 80, 1316), got)
	var want []byte
	for _, f := range fs {
		if f.Packet.Kind() == packet.KindData {
			want = append(want, f.Packet.Payload...)
		}
	}
	assert.Equal(t, want, got, "the ciphertext as captured")
	assert.Contains(t, r.String(), "ciphertext (AES-128, not decrypted)")
}

// nakRanges reads the loss ranges of a capture's NAKs from its raw decode.
func nakRanges(t *testing.T, name string) []session.SeqRange {
	f, err := os.Open(testcorpus.Path(name + ".raw.tsv"))
	require.NoError(t, err)
	defer f.Close()
	re := regexp.MustCompile(`\tNAK\t.*lost=(\d+)(?:-(\d+))?`)
	var out []session.SeqRange
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		m := re.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		lo, _ := strconv.ParseUint(m[1], 10, 32)
		hi := lo
		if m[2] != "" {
			hi, _ = strconv.ParseUint(m[2], 10, 32)
		}
		out = append(out, session.SeqRange{First: packet.SeqNumber(lo), Last: packet.SeqNumber(hi)})
	}
	require.NoError(t, sc.Err())
	return out
}

// TestExtractLossPattern: s08_loss_pattern's capture misses the originals
// the namespace's nftables rules dropped; the 13 NAKs the MANIFEST lists
// name them (7 single packets, 6 ranges of 3), and a retransmission of
// each reached the capture. All 25 are recovered; without the
// retransmissions, the gaps are exactly the NAKed ranges, at the byte
// offsets where the missing messages belong.
func TestExtractLossPattern(t *testing.T) {
	fs := frames(t, "s08_loss_pattern")
	naks := nakRanges(t, "s08_loss_pattern")
	require.Len(t, naks, 13)

	e := extractFrames(t, fs, nil, nil)
	r, got := e.only(t)
	assertBytes(t, corpusChunks("msg", 200, 600), got, "s08")
	assert.Equal(t, 0, r.GapCount)
	assert.Equal(t, 25, r.Recovered)
	assert.Equal(t, 0, r.Duplicates)
	assert.Equal(t, 200, r.Received-0)
	assert.Equal(t, 0, r.Belated, "every retransmission came in time")
	t.Logf("with the retransmissions: %s", r)

	var orig []session.Frame
	for _, f := range fs {
		if !(f.Packet.Kind() == packet.KindData && f.Packet.Retransmitted) {
			orig = append(orig, f)
		}
	}
	isn := packet.SeqNumber(2095720800) // MANIFEST: the ISN of frame 1
	for _, mode := range []session.GapMode{session.GapSkip, session.GapFill} {
		e := extractFrames(t, orig, nil, func(x *session.Extractor) { x.Gaps = mode })
		r, got := e.only(t)
		require.Equal(t, len(naks), r.GapCount, "%v", e.gaps)
		require.Len(t, e.gaps, len(naks))
		var want []byte
		lost := 0
		for i, g := range e.gaps {
			assert.Equal(t, naks[i], session.SeqRange{First: g.First, Last: g.Last}, "gap %d", i)
			assert.Equal(t, g.Packets(), g.Lost)
			assert.Equal(t, 0, g.Dropped)
			// Skip: the messages before it, less those lost; fill: 600
			// zero bytes per lost message.
			at := int64(isn.Distance(g.First)) * 600
			if mode == session.GapSkip {
				at -= int64(lost) * 600
				assert.Equal(t, int64(0), g.Fill)
			} else {
				assert.Equal(t, int64(g.Lost)*600, g.Fill)
			}
			assert.Equal(t, at, g.Offset, "gap %d (%s)", i, &g)
			lost += g.Lost
		}
		assert.Equal(t, 25, lost)
		assert.Equal(t, 25, r.Lost)
		for i := range 200 {
			seq := isn.Add(int32(i))
			missing := false
			for _, n := range naks {
				missing = missing || (!seq.Less(n.First) && !n.Last.Less(seq))
			}
			switch {
			case !missing:
				want = append(want, corpusChunk("msg", i, 600)...)
			case mode == session.GapFill:
				want = append(want, make([]byte, 600)...)
			}
		}
		assertBytes(t, want, got, "s08 without retransmissions, "+mode.String())
		t.Logf("without them (%s): %s", mode, r)
		for _, g := range r.Gaps[:3] {
			t.Logf("  gap %s", g)
		}
	}
}

// --- synthetic streams ---------------------------------------------------

var testcorpusEpoch = time.Date(2026, 11, 24, 19, 0, 0, 0, time.UTC)

func timeMS(n int) time.Duration { return time.Duration(n) * time.Millisecond }

var (
	xsynSrc = netip.MustParseAddrPort("10.0.0.1:5000")
	xsynDst = netip.MustParseAddrPort("10.0.0.2:9000")
)

// xsynth builds the data frames of one direction of a session whose
// handshake is not captured.
type xsynth struct {
	t     *testing.T
	n     int
	start packet.SeqNumber
	fs    []session.Frame
}

// data adds a data packet: seq is relative to start.
func (s *xsynth) data(seq int, pos packet.Position, msgno int, rexmit bool, payload []byte) {
	s.n++
	p := &packet.Packet{Header: packet.Header{Seq: s.start.Add(int32(seq)), Position: pos, MsgNo: packet.MsgNumber(msgno), Retransmitted: rexmit,
		Timestamp: uint32(1000 + 1000*seq), DstSocket: 7}, Payload: payload}
	b, err := p.AppendBinary(nil)
	require.NoError(s.t, err)
	q := new(packet.Packet)
	require.NoError(s.t, q.Decode(b))
	s.fs = append(s.fs, session.Frame{Number: s.n, Time: testcorpusEpoch.Add(timeMS(s.n)), Src: xsynSrc, Dst: xsynDst, Packet: q, Data: b})
}

func payload(i, size int) []byte { return corpusChunk("msg", i, size) }

// TestExtractReorder: reordered packets are put back in order, copies are
// dropped, a hole that nothing fills is reported once the reorder window
// has passed it.
func TestExtractReorder(t *testing.T) {
	s := &xsynth{t: t, start: packet.MaxSeqNumber - 3} // across the wrap
	order := []int{0, 1, 3, 2, 2, 5, 4, 6, 0, 9, 8, 10}
	for _, i := range order {
		s.data(i, packet.PositionSolo, i+1, false, payload(i, 100))
	}
	// 7 never comes.
	for i := 11; i < 11+20; i++ {
		s.data(i, packet.PositionSolo, i+1, false, payload(i, 100))
	}
	e := extractFrames(t, s.fs, nil, func(x *session.Extractor) { x.Window = 16 })
	r, got := e.only(t)
	var want []byte
	for i := range 31 {
		if i != 7 {
			want = append(want, payload(i, 100)...)
		}
	}
	assertBytes(t, want, got, "reordered")
	require.Len(t, e.gaps, 1)
	g := e.gaps[0]
	assert.Equal(t, s.start.Add(7), g.First)
	assert.Equal(t, s.start.Add(7), g.Last)
	assert.Equal(t, int64(700), g.Offset)
	assert.Equal(t, 2, r.Duplicates)
	assert.Equal(t, 3, r.Recovered) // 2, 4, 8
	// A retransmission of 7 after the window: too late.
	s.data(7, packet.PositionSolo, 8, true, payload(7, 100))
	e = extractFrames(t, s.fs, nil, func(x *session.Extractor) { x.Window = 16 })
	r, _ = e.only(t)
	assert.Equal(t, 1, r.TooLate)
	assert.Equal(t, 1, r.Gaps[0].Late)
	// A wide enough window waits for it.
	e = extractFrames(t, s.fs, nil, nil)
	r, got = e.only(t)
	assertBytes(t, append(bytes.Clone(want[:700]), append(payload(7, 100), want[700:]...)...), got, "waited")
	assert.Equal(t, 0, r.GapCount)
}

// TestExtractMessages: in message mode a message is written when it is
// complete; one with a hole is dropped and reported whole.
func TestExtractMessages(t *testing.T) {
	s := &xsynth{t: t, start: 1000}
	seq := 0
	msg := func(no, parts int, skip ...int) {
		for k := range parts {
			pos := packet.PositionMiddle
			switch {
			case parts == 1:
				pos = packet.PositionSolo
			case k == 0:
				pos = packet.PositionFirst
			case k == parts-1:
				pos = packet.PositionLast
			}
			if !slicesContains(skip, k) {
				s.data(seq, pos, no, false, payload(seq, 200))
			}
			seq++
		}
	}
	msg(1, 3)    // 0-2
	msg(2, 4, 2) // 3-6, 5 lost: dropped whole
	msg(3, 1)    // 7
	msg(4, 2)    // 8-9
	msg(5, 3, 0) // 10-12, its first packet lost
	msg(6, 2)    // 13-14
	e := extractFrames(t, s.fs, nil, nil)
	r, got := e.only(t)
	var want []byte
	for _, i := range []int{0, 1, 2, 7, 8, 9, 13, 14} {
		want = append(want, payload(i, 200)...)
	}
	assertBytes(t, want, got, "messages")
	assert.True(t, r.MessageAPI)
	assert.Equal(t, 4, r.Messages)
	require.Len(t, e.gaps, 2, "%v", e.gaps)
	g := e.gaps[0]
	assert.Equal(t, [2]packet.SeqNumber{1003, 1006}, [2]packet.SeqNumber{g.First, g.Last})
	assert.Equal(t, 1, g.Lost)
	assert.Equal(t, 3, g.Dropped)
	assert.Equal(t, int64(600), g.DroppedBytes)
	assert.Equal(t, packet.MsgNumber(2), g.FirstMsg)
	assert.Equal(t, int64(600), g.Offset)
	g = e.gaps[1]
	assert.Equal(t, [2]packet.SeqNumber{1010, 1012}, [2]packet.SeqNumber{g.First, g.Last})
	assert.Equal(t, 1, g.Lost)
	assert.Equal(t, 2, g.Dropped)
	assert.Equal(t, int64(1200), g.Offset)
	assert.Equal(t, "seq 1003-1006 (4 packets: 1 lost, 3 dropped with their message (msg 2)) at byte 600", e.gaps[0].String())

	// Fill: zeros for the dropped bytes and the lost packets.
	e = extractFrames(t, s.fs, nil, func(x *session.Extractor) { x.Gaps = session.GapFill })
	r, got = e.only(t)
	assert.Equal(t, int64(len(want)+800+600), r.Bytes)
	assert.Equal(t, int64(1400), r.FillBytes)
	assert.Len(t, got, len(want)+1400)
}

func slicesContains(s []int, v int) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// tsPayload returns k TS packets of PID pid with continuity counters from
// cc on.
func tsPayload(pid uint16, cc, k int) []byte {
	var b []byte
	for i := range k {
		p := make([]byte, session.TSPacketSize)
		p[0], p[1], p[2], p[3] = session.TSSync, byte(pid>>8), byte(pid), 0x10|byte((cc+i)&15)
		for j := 4; j < len(p); j++ {
			p[j] = byte(i + j)
		}
		b = append(b, p...)
	}
	return b
}

// TestExtractTS: an MPEG-TS stream is told from its sync bytes, a gap is
// filled with null packets (or skipped), and the continuity counters are
// checked per PID, telling errors at the gaps from errors in the stream.
func TestExtractTS(t *testing.T) {
	s := &xsynth{t: t, start: 50}
	cc := 0
	for i := range 30 {
		pl := tsPayload(0x100, cc, 7)
		cc += 7
		if i == 20 {
			pl[3] ^= 0x05 // a CC error at the source
		}
		if i == 25 {
			pl[188] = 0x46 // a bad sync byte
		}
		if i == 10 || i == 11 {
			continue // lost
		}
		s.data(i, packet.PositionSolo, i+1, false, pl)
	}
	for _, mode := range []session.GapMode{session.GapSkip, session.GapFill} {
		e := extractFrames(t, s.fs, nil, func(x *session.Extractor) { x.Gaps = mode })
		r, got := e.only(t)
		assert.Equal(t, session.FormatTS, r.Stream.Format)
		assert.True(t, strings.HasSuffix(r.Stream.FileName(), ".ts"))
		require.NotNil(t, r.TS)
		ts := r.TS
		assert.Equal(t, int64(28*7-1), ts.Packets)
		assert.Equal(t, int64(1), ts.BadSync)
		// The flipped counter and the one after it; the packet after the
		// one with the bad sync byte (which is not checked).
		assert.Equal(t, 3, ts.CCErrors)
		assert.Equal(t, 1, ts.CCAtGaps)
		require.Len(t, ts.PIDs, 1)
		assert.Equal(t, uint16(0x100), ts.PIDs[0].PID)
		require.Len(t, e.gaps, 1)
		g := e.gaps[0]
		assert.Equal(t, int64(10*1316), g.Offset)
		if mode == session.GapFill {
			assert.Equal(t, int64(14), ts.NullFilled)
			assert.Equal(t, int64(14*188), g.Fill)
			assert.Len(t, got, 30*1316)
			for k := range 14 {
				p := got[10*1316+k*188:][:188]
				assert.Equal(t, []byte{0x47, 0x1F, 0xFF, 0x10}, p[:4])
			}
		} else {
			assert.Len(t, got, 28*1316)
		}
		t.Logf("%s: %s", mode, r)
	}
}

func TestTSChecks(t *testing.T) {
	assert.True(t, session.IsTS(tsPayload(1, 0, 7)))
	assert.True(t, session.IsTS(tsPayload(1, 0, 8)[:1456]))
	assert.False(t, session.IsTS(tsPayload(1, 0, 1)[:187]))
	assert.False(t, session.IsTS(corpusChunk("chunk", 0, 1316)))
	b := session.AppendNullTS(nil, 2)
	assert.Len(t, b, 376)
	assert.True(t, session.IsTS(b))
	g, err := session.ParseGapMode("fill")
	assert.NoError(t, err)
	assert.Equal(t, session.GapFill, g)
	_, err = session.ParseGapMode("zero")
	assert.Error(t, err)
}

// delayRetransmissions returns the frames of a capture with every
// retransmission arriving d later, in arrival order.
func delayRetransmissions(fs []session.Frame, d time.Duration) []session.Frame {
	out := slices.Clone(fs)
	for i := range out {
		if out[i].Packet.Kind() == packet.KindData && out[i].Packet.Retransmitted {
			out[i].Time = out[i].Time.Add(d)
		}
	}
	slices.SortStableFunc(out, func(a, b session.Frame) int { return a.Time.Compare(b.Time) })
	return out
}

// TestExtractReceiver: s08_loss_pattern with its retransmissions held
// back 300 ms, past the 120 ms TSBPD latency: libsrt's receiver would
// have skipped the holes when the packets after them fell due, and
// dropped the retransmissions as belated. By default they are written
// and reported as belated; with Receiver they are left out, as the
// receiver did, and each gap counts them as late.
func TestExtractReceiver(t *testing.T) {
	fs := delayRetransmissions(frames(t, "s08_loss_pattern"), 300*time.Millisecond)
	naks := nakRanges(t, "s08_loss_pattern")

	e := extractFrames(t, fs, nil, nil)
	r, got := e.only(t)
	assertBytes(t, corpusChunks("msg", 200, 600), got, "s08, late retransmissions kept")
	assert.Equal(t, 25, r.Belated)
	assert.Equal(t, naks, r.BelatedRanges)
	assert.Equal(t, 0, r.GapCount)
	t.Logf("default: %s", r)

	// On time, nothing is belated, with or without Receiver.
	for _, recv := range []bool{false, true} {
		e := extractFrames(t, frames(t, "s08_loss_pattern"), nil, func(x *session.Extractor) { x.Receiver = recv })
		r, got := e.only(t)
		assertBytes(t, corpusChunks("msg", 200, 600), got, "s08 on time")
		assert.Equal(t, 0, r.Belated)
		assert.Equal(t, 0, r.GapCount)
	}

	e = extractFrames(t, fs, nil, func(x *session.Extractor) { x.Receiver = true })
	r, got = e.only(t)
	assert.Equal(t, 0, r.Belated)
	assert.Equal(t, 25, r.TooLate)
	require.Equal(t, len(naks), r.GapCount)
	var want []byte
	isn := packet.SeqNumber(2095720800)
	for i := range 200 {
		seq := isn.Add(int32(i))
		missing := false
		for _, n := range naks {
			missing = missing || (!seq.Less(n.First) && !n.Last.Less(seq))
		}
		if !missing {
			want = append(want, corpusChunk("msg", i, 600)...)
		}
	}
	assertBytes(t, want, got, "s08 as the receiver")
	for i, g := range r.Gaps {
		assert.Equal(t, naks[i], session.SeqRange{First: g.First, Last: g.Last})
		assert.Equal(t, g.Packets(), g.Lost)
		assert.Equal(t, g.Packets(), g.Late, "%s", g)
	}
	t.Logf("receiver: %s; first gap %s", r, r.Gaps[0])
}

// TestExtractName: the stream names.
func TestExtractName(t *testing.T) {
	r, _ := extractFrames(t, frames(t, "s01_live_ipv6"), nil, nil).only(t)
	assert.Equal(t, "caller-to-listener_0-0-0-0-0-0-0-1_51204_to_0-0-0-0-0-0-0-1_41002.bin", r.Stream.FileName())
}

// maxRSS returns the peak resident set size of the process, in bytes.
func maxRSS() int64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return ru.Maxrss * 1024
}

// countWriter counts the bytes written and remembers a checksum.
type countWriter struct {
	n   int64
	sum uint64
}

func (w *countWriter) Write(p []byte) (int, error) {
	w.n += int64(len(p))
	for _, c := range p[:min(len(p), 8)] {
		w.sum = w.sum*31 + uint64(c)
	}
	return len(p), nil
}

// TestExtractConstantMemory: a long synthetic live stream through a
// Tracker and an Extractor, with loss, reordering and retransmissions
// (some within the reorder window, some after it), keeps its heap
// constant. SRTWIRE_EXTRACT_GB=1 makes it a 1 GB stream; by default it
// is 64 MiB.
func TestExtractConstantMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("long")
	}
	total := int64(64 << 20)
	if v := os.Getenv("SRTWIRE_EXTRACT_GB"); v != "" {
		gb, err := strconv.ParseFloat(v, 64)
		require.NoError(t, err)
		total = int64(gb * (1 << 30))
	}
	const size = 1316
	n := int(total / size)
	tr := session.NewTracker()
	w := new(countWriter)
	var rep *session.ExtractReport
	x := session.NewExtractor(tr, func(*session.Stream) (io.Writer, error) { return w, nil })
	x.Window = 1024
	x.OnDone = func(r *session.ExtractReport) { rep = r }
	tr.OnRetire = x.Retire

	var p packet.Packet
	var buf []byte
	pl := make([]byte, size)
	t0 := testcorpusEpoch
	f := session.Frame{Src: xsynSrc, Dst: xsynDst, Packet: &p}
	send := func(i int, rexmit bool) {
		p = packet.Packet{Header: packet.Header{Seq: packet.SeqNumber(i).Add(1 << 30), Position: packet.PositionSolo,
			MsgNo: packet.MsgNumber(i%(1<<26-1) + 1), Retransmitted: rexmit, Timestamp: uint32(i * 100), DstSocket: 9}}
		for j := 0; j < size; j += 8 {
			pl[j] = byte(i >> (j & 24))
		}
		p.Payload = pl
		buf, _ = p.AppendBinary(buf[:0])
		f.Number++
		f.Time = t0.Add(time.Duration(f.Number) * 100 * time.Microsecond)
		f.Data = buf
		x.Add(tr.Add(&f), &f)
	}
	var ms runtime.MemStats
	var early uint64
	start := time.Now()
	// Every 997th packet is lost, every 1009th retransmitted after the
	// window (too late), every 211th sent after the next one.
	kind := func(i int) int {
		switch {
		case i%997 == 5:
			return 1
		case i%1009 == 7:
			return 2
		case i%211 == 3:
			return 3
		}
		return 0
	}
	lost, late, tooLate := 0, 0, 0
	for i := 0; i < n; i++ {
		switch kind(i) {
		case 0:
			send(i, false)
		case 1:
			lost++
		case 2:
			late++
		}
		if i > 0 && kind(i-1) == 3 {
			send(i-1, false)
		}
		if i >= 2000 && kind(i-2000) == 2 {
			send(i-2000, true)
			tooLate++
		}
		if i == n/10 {
			runtime.GC()
			runtime.ReadMemStats(&ms)
			early = ms.HeapInuse
		}
	}
	runtime.GC()
	runtime.ReadMemStats(&ms)
	require.NoError(t, x.Close())
	el := time.Since(start)
	require.NotNil(t, rep)
	t.Logf("%d packets, %.0f MB written in %v (%.0f MB/s): heap in use %.1f MiB at 10%%, %.1f MiB at the end; peak RSS %.1f MiB",
		n, float64(w.n)/1e6, el.Round(time.Millisecond), float64(w.n)/1e6/el.Seconds(), float64(early)/(1<<20), float64(ms.HeapInuse)/(1<<20), float64(maxRSS())/(1<<20))
	t.Logf("report: %s", rep)
	assert.Equal(t, n-lost-late, rep.Packets)
	assert.Equal(t, lost+late, rep.Lost)
	assert.Equal(t, tooLate, rep.TooLate)
	assert.Less(t, ms.HeapInuse, early+8<<20, "the heap grew")
	assert.Less(t, ms.HeapInuse, uint64(64<<20))
}

// TestExtractMaxHeld: when the streams hold more than MaxHeld bytes back,
// the stream adding a packet gives its oldest hole up.
func TestExtractMaxHeld(t *testing.T) {
	s := &xsynth{t: t, start: 10}
	for i := 0; i < 400; i++ {
		if i != 1 { // 1 comes at the end
			s.data(i, packet.PositionSolo, i+1, false, payload(i, 1000))
		}
	}
	s.data(1, packet.PositionSolo, 2, true, payload(1, 1000))
	e := extractFrames(t, s.fs, nil, func(x *session.Extractor) { x.MaxHeld = 100 << 10 })
	r, got := e.only(t)
	require.Equal(t, 1, r.GapCount)
	assert.Equal(t, int64(1000), r.Gaps[0].Offset)
	assert.Equal(t, 1, r.TooLate)
	all := corpusChunks("msg", 400, 1000)
	assertBytes(t, append(bytes.Clone(all[:1000]), all[2000:]...), got, "max held")
	// The default holds them all.
	r, got = extractFrames(t, s.fs, nil, nil).only(t)
	assert.Equal(t, 0, r.GapCount)
	assertBytes(t, all, got, "held")
}

// Extract the payload of a capture's connections, one file per
// direction, as srtdump -extract does.
func ExampleExtractor() {
	udp, err := testcorpus.Frames("s02_enc_aes128")
	if err != nil {
		panic(err)
	}
	tr := session.NewTracker()
	tr.Passphrases = []string{"corpus-secret-16"} // decrypts the payload
	x := session.NewExtractor(tr, func(s *session.Stream) (io.Writer, error) {
		// A real program creates s.FileName() in its output directory.
		return io.Discard, nil
	})
	x.Gaps = session.GapFill
	x.OnDone = func(r *session.ExtractReport) { fmt.Println(r) }
	tr.OnRetire = x.Retire
	var p packet.Packet
	for _, d := range udp {
		err := p.Decode(d.Payload)
		f := session.Frame{Number: d.Number, Time: d.Time, Src: d.Src, Dst: d.Dst, Packet: &p, Data: d.Payload, Err: err}
		x.Add(tr.Add(&f), &f)
	}
	if err := x.Close(); err != nil {
		panic(err)
	}
	// Output:
	// caller-to-listener_127.0.0.1_51749_to_127.0.0.1_41011.bin: 105280 bytes, 80 packets, 80 messages, 0 gaps, decrypted (AES-128)
}

// TestExtractShutdown: a sender that closes right after its last packet
// (ffmpeg does) leaves the latency's worth of the stream in the
// receiver's buffer, which libsrt never delivers once the socket is
// broken. The report says where the receiver's output ends; Receiver
// ends there too.
func TestExtractShutdown(t *testing.T) {
	fs := slices.Clone(frames(t, "s08_loss_pattern"))
	var last time.Time
	for _, f := range fs {
		if f.Packet.Kind() == packet.KindData {
			last = f.Time
		}
	}
	for i := range fs {
		if fs[i].Packet.Kind() == packet.KindShutdown {
			fs[i].Time = last.Add(time.Millisecond)
		}
	}
	slices.SortStableFunc(fs, func(a, b session.Frame) int { return a.Time.Compare(b.Time) })

	r, got := extractFrames(t, fs, nil, nil).only(t)
	assertBytes(t, corpusChunks("msg", 200, 600), got, "s08, early shutdown")
	assert.True(t, r.ShutdownSeen)
	// Messages every 10 ms, a 120 ms latency.
	assert.True(t, r.Undelivered >= 10 && r.Undelivered <= 13, "undelivered %d", r.Undelivered)
	assert.Equal(t, int64(r.Undelivered)*600, r.UndeliveredBytes)
	assert.Equal(t, r.Bytes-r.UndeliveredBytes, r.UndeliveredOffset)
	assert.Contains(t, r.String(), fmt.Sprintf("%d not yet due at the shutdown (the receiver's output ends at byte %d)", r.Undelivered, r.UndeliveredOffset))
	t.Logf("%s", r)

	rr, gotR := extractFrames(t, fs, nil, func(x *session.Extractor) { x.Receiver = true }).only(t)
	assert.Equal(t, r.UndeliveredOffset, rr.Bytes)
	assertBytes(t, got[:r.UndeliveredOffset], gotR, "as the receiver")
	assert.Equal(t, 200-r.Undelivered, rr.Packets)
	assert.Equal(t, rr.Packets, rr.Messages)

	// On time, the capture's own SHUTDOWN comes 2 s after the last packet.
	r, _ = extractFrames(t, frames(t, "s08_loss_pattern"), nil, nil).only(t)
	assert.True(t, r.ShutdownSeen)
	assert.Equal(t, 0, r.Undelivered)
	assert.Equal(t, r.Bytes, r.UndeliveredOffset)
}

// TestExtractJumps: one packet with a sequence number far ahead (corrupt
// or forged) is left out and changes nothing; a sender that restarts at
// another sequence number is a gap, whose fill stays within the window.
func TestExtractJumps(t *testing.T) {
	s := &xsynth{t: t, start: 100}
	for i := range 10 {
		s.data(i, packet.PositionSolo, i+1, false, payload(i, 100))
	}
	s.data(1<<28, packet.PositionSolo, 77, false, payload(99, 100)) // an outlier
	for i := 10; i < 20; i++ {
		s.data(i, packet.PositionSolo, i+1, false, payload(i, 100))
	}
	r, got := extractFrames(t, s.fs, nil, func(x *session.Extractor) { x.Gaps = session.GapFill }).only(t)
	assertBytes(t, corpusChunks("msg", 20, 100), got, "outlier")
	assert.Equal(t, 1, r.Outliers)
	assert.Equal(t, 0, r.GapCount)
	assert.Contains(t, r.String(), "1 outliers left out")

	// A restart 2^29 numbers on.
	for i := 1 << 29; i < 1<<29+10; i++ {
		s.data(i, packet.PositionSolo, i%1000+1, false, payload(i, 100))
	}
	e := extractFrames(t, s.fs, nil, func(x *session.Extractor) { x.Gaps = session.GapFill; x.Window = 64 })
	r, got = e.only(t)
	assert.Equal(t, 1, r.Outliers)
	require.Equal(t, 1, r.GapCount)
	g := r.Gaps[0]
	assert.Equal(t, 1<<29-20, g.Lost)
	assert.Equal(t, int64(64*100), g.Fill)
	assert.Equal(t, 30, r.Packets)
	assert.Len(t, got, 30*100+64*100)
	// The first packet after the restart waited for the second to
	// confirm the jump.
	assert.Equal(t, payload(1<<29, 100), got[2000+6400:2100+6400])
}

// TestExtractRandom: random loss, reordering, copies, jumps and packet
// boundaries, with small windows: no panic, and what is written is the
// payloads in increasing sequence order, each once.
func TestExtractRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for round := range 200 {
		s := &xsynth{t: t, start: packet.SeqNumber(rng.Uint32N(1 << 31))}
		n := 50 + rng.IntN(300)
		var order []int
		for i := range n {
			switch r := rng.IntN(100); {
			case r < 8: // lost
			case r < 14: // late, by up to 40
				order = append(order, i)
				j := len(order) - 1
				k := max(0, j-rng.IntN(40))
				order[j], order[k] = order[k], order[j]
			case r < 18: // copied
				order = append(order, i, i)
			case r < 19: // a far jump
				order = append(order, i+1<<20+rng.IntN(1<<28))
			default:
				order = append(order, i)
			}
		}
		random := round%2 == 1
		for _, i := range order {
			pos := packet.PositionSolo
			if random {
				pos = packet.Position(rng.IntN(4))
			}
			pl := make([]byte, 8)
			binary.BigEndian.PutUint64(pl, uint64(i))
			s.data(i, pos, i%1000+1, false, pl)
		}
		e := extractFrames(t, s.fs, nil, func(x *session.Extractor) {
			x.Window = 1 << rng.IntN(7)
			x.MaxHeld = int64(rng.IntN(64 << 10))
			x.Gaps = session.GapMode(rng.IntN(2))
		})
		if len(e.reports) == 0 {
			continue
		}
		r, got := e.only(t)
		if x := e.out; len(x) == 0 {
			continue
		}
		last := -1
		for k := 0; k+8 <= len(got); k += 8 {
			v := binary.BigEndian.Uint64(got[k:])
			if v == 0 && r.FillBytes > 0 && k > 0 {
				continue // fill
			}
			if int(v) <= last && !(v == 0 && last < 0) {
				t.Fatalf("round %d: payload %d after %d (%s)", round, v, last, r)
			}
			last = int(v)
		}
	}
}
