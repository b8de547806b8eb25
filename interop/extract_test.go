//go:build interop

package interop

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/srtwire/srtwire/capture"
	"github.com/srtwire/srtwire/packet"
	"github.com/srtwire/srtwire/session"
)

// Extraction against libsrt (session.Extractor): what srtwire gets back
// from a capture must be byte for byte what libsrt's receiver wrote.
//
//   - ffmpeg (libavformat's srt protocol on libsrt 1.5.1) sends an MPEG-TS
//     test pattern (mpeg2video + mp2) to srt-live-transmit, which writes
//     what it receives to its stdout (file://con: srt-live-transmit 1.5.1
//     writes no regular files); clear, AES-128 and AES-256. The .ts
//     extracted from the capture equals that output and ffprobe reads it
//     without an error.
//   - srt-file-transmit sends a file: the extraction is the file.
//   - srt-live-transmit through the lossy router of stats_test.go, with a
//     30 ms latency so that the receiver drops some packets: captured at
//     the receiver, the extraction equals the receiver's output wherever
//     the receiver did not drop, and each packet it dropped is named in
//     the report (a gap, or a packet that came after its TSBPD time);
//     with Extractor.Receiver it equals the receiver's output.
//
// Ports: 31440-31449 (below the kernel's ephemeral range), and lossPort
// in the namespaces.
const extractPortBase = 31440

// requireFFmpeg fails the test when ffmpeg or ffprobe is missing.
func requireFFmpeg(t *testing.T) {
	t.Helper()
	for _, bin := range []string{"ffmpeg", "ffprobe"} {
		if _, err := exec.LookPath(bin); err != nil {
			t.Fatalf("the extraction tests need %s; install it with: apt-get install -y ffmpeg", bin)
		}
	}
}

// extraction is what an Extractor wrote from a capture.
type extraction struct {
	dir     string
	files   map[string]string // stream file name → path
	reports []*session.ExtractReport
}

// fileWriter is a file an Extractor writes, buffered.
type fileWriter struct {
	*bufio.Writer
	f *os.File
}

func (w fileWriter) Close() error {
	err := w.Flush()
	if cerr := w.f.Close(); err == nil {
		err = cerr
	}
	return err
}

// extractCapture reads a capture with capture.Reader (the port forced, as
// srtdump -port does), feeds a Tracker and an Extractor, and writes each
// stream into dir.
func extractCapture(t *testing.T, path, dir string, port int, pass []string, conf func(*session.Extractor)) *extraction {
	t.Helper()
	r, err := capture.Open(path, &capture.Options{Ports: []uint16{uint16(port)}})
	if err != nil {
		t.Fatalf("capture.Open %s: %v", path, err)
	}
	defer r.Close()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	e := &extraction{dir: dir, files: map[string]string{}}
	tr := session.NewTracker()
	tr.Passphrases = pass
	x := session.NewExtractor(tr, func(s *session.Stream) (io.Writer, error) {
		p := filepath.Join(dir, s.FileName())
		f, err := os.Create(p)
		if err != nil {
			return nil, err
		}
		e.files[s.FileName()] = p
		return fileWriter{bufio.NewWriterSize(f, 256<<10), f}, nil
	})
	x.OnDone = func(r *session.ExtractReport) { e.reports = append(e.reports, r) }
	if conf != nil {
		conf(x)
	}
	tr.OnRetire = x.Retire
	var sf session.Frame
	for r.Next() {
		f := r.Frame()
		sf = session.Frame{Number: f.Number, Time: f.Time, Src: f.Src, Dst: f.Dst, Packet: &f.Packet, Data: f.Data, Err: f.Err}
		x.Add(tr.Add(&sf), &sf)
	}
	if err := r.Err(); err != nil {
		t.Fatalf("reading %s: %v", path, err)
	}
	if err := x.Close(); err != nil {
		t.Fatalf("extracting %s: %v", path, err)
	}
	return e
}

// only returns the one stream that was written, and its bytes.
func (e *extraction) only(t *testing.T) (*session.ExtractReport, []byte) {
	t.Helper()
	var written []*session.ExtractReport
	for _, r := range e.reports {
		if r.Opened {
			written = append(written, r)
		}
	}
	if len(written) != 1 {
		var lines []string
		for _, r := range e.reports {
			lines = append(lines, r.String())
		}
		t.Fatalf("%d streams written, want 1:\n%s", len(written), strings.Join(lines, "\n"))
	}
	b, err := os.ReadFile(e.files[written[0].Stream.FileName()])
	if err != nil {
		t.Fatal(err)
	}
	return written[0], b
}

// diffAt describes where a and b first differ.
func diffAt(a, b []byte) string {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return fmt.Sprintf("first difference at byte %d of %d / %d", i, len(a), len(b))
		}
	}
	return fmt.Sprintf("lengths %d and %d, equal up to the shorter", len(a), len(b))
}

// ffprobeResult is the part of ffprobe's JSON we check.
type ffprobeResult struct {
	Streams []struct {
		CodecType string `json:"codec_type"`
		CodecName string `json:"codec_name"`
	} `json:"streams"`
	Format struct {
		FormatName string `json:"format_name"`
		Duration   string `json:"duration"`
	} `json:"format"`
}

// ffprobe reads a file with ffprobe -v error: it must print no error.
func ffprobe(t *testing.T, path string) (ffprobeResult, string) {
	t.Helper()
	cmd := exec.Command("timeout", "-k", "2", "30", "ffprobe", "-v", "error",
		"-show_entries", "format=format_name,duration:stream=codec_type,codec_name", "-of", "json", path)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil || stderr.Len() > 0 {
		t.Fatalf("ffprobe %s: %v\n%s", path, err, stderr.String())
	}
	var r ffprobeResult
	if err := json.Unmarshal(out, &r); err != nil {
		t.Fatalf("ffprobe %s: %v\n%s", path, err, out)
	}
	var s []string
	for _, st := range r.Streams {
		s = append(s, st.CodecType+":"+st.CodecName)
	}
	return r, fmt.Sprintf("format %s, duration %s s, streams %s", r.Format.FormatName, r.Format.Duration, strings.Join(s, " "))
}

// TestExtractFFmpeg: an MPEG-TS test pattern from ffmpeg to
// srt-live-transmit, clear and encrypted; the extracted .ts is what
// srt-live-transmit wrote, and ffprobe reads it.
func TestExtractFFmpeg(t *testing.T) {
	requireTools(t)
	requireFFmpeg(t)
	for i, c := range []struct {
		name   string
		query  string
		pass   string
		cipher string
	}{
		{name: "clear"},
		{name: "aes128", query: "&passphrase=srtwire-extract-128&pbkeylen=16", pass: "srtwire-extract-128", cipher: "AES-128"},
		{name: "aes256", query: "&passphrase=srtwire-extract-256&pbkeylen=32", pass: "srtwire-extract-256", cipher: "AES-256"},
	} {
		port := extractPortBase + i
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			if d := os.Getenv("SRTWIRE_KEEP"); d != "" {
				dir = filepath.Join(d, c.name) // keep the captures for a look
				os.MkdirAll(dir, 0o755)
			}
			capt := startBufferedCapture(t, dir, "ffmpeg_"+c.name, port)
			sink := &syncBuffer{}
			l := start(t, "srt-live-transmit", 40*time.Second, nil, sink, "srt-live-transmit",
				"-a:no", "-t:30", "-loglevel:note", fmt.Sprintf("srt://:%d?mode=listener%s", port, c.query), "file://con")
			l.waitFor(t, "Media path", 10*time.Second)
			time.Sleep(200 * time.Millisecond)
			// 4 s of colour bars with a moving counter and a 1 kHz tone,
			// in real time (-re), 7 TS packets per SRT packet.
			ff := start(t, "ffmpeg", 40*time.Second, nil, nil, "ffmpeg", "-hide_banner", "-nostdin", "-loglevel", "warning",
				"-re", "-f", "lavfi", "-i", "testsrc=size=320x240:rate=25", "-f", "lavfi", "-i", "sine=frequency=1000:sample_rate=48000",
				"-t", "4", "-c:v", "mpeg2video", "-b:v", "1M", "-c:a", "mp2", "-f", "mpegts",
				fmt.Sprintf("srt://127.0.0.1:%d?mode=caller&pkt_size=1316%s", port, c.query))
			if !ff.wait(30 * time.Second) {
				t.Fatalf("ffmpeg did not finish\n%s", ff.output())
			}
			if ff.exitCode() != 0 {
				t.Fatalf("ffmpeg failed\n%s\n%s", ff.output(), l.output())
			}
			// -a:no: the listener ends when its source disconnects.
			if !l.wait(10 * time.Second) {
				l.stop(syscall.SIGINT, 3*time.Second)
			}
			pcapPath := stopBufferedCapture(t, capt, dir, "ffmpeg_"+c.name)
			received := []byte(sink.String())
			os.WriteFile(filepath.Join(dir, "received.ts"), received, 0o644)
			if len(received) == 0 {
				t.Fatalf("srt-live-transmit wrote nothing\n%s", l.output())
			}
			var pass []string
			if c.pass != "" {
				pass = []string{c.pass}
			}
			e := extractCapture(t, pcapPath, filepath.Join(dir, "out"), port, pass, nil)
			r, got := e.only(t)
			t.Logf("%s", r)
			if r.Stream.Format != session.FormatTS || !strings.HasSuffix(r.Stream.FileName(), ".ts") {
				t.Errorf("format %v (%s), want MPEG-TS", r.Stream.Format, r.Stream.FileName())
			}
			// ffmpeg closes 0.3 ms after its last packet: what the
			// receiver held for its 120 ms latency was never read (libsrt
			// fails srt_recvmsg on a broken socket; srt-live-transmit -a:no
			// stops at the disconnect). The extraction has it, and says
			// where the receiver's output ends: after the last packet due
			// at the SHUTDOWN. srt-live-transmit may not have read the
			// packets that fell due in the last milliseconds before it
			// (it reads when its epoll wakes it), so it may stop a burst
			// (one frame's packets, every 40 ms) earlier: within 250 ms of
			// the stream before that point.
			slack := int64(float64(len(got)) / 4 * 0.25)
			if !bytes.HasPrefix(got, received) {
				t.Errorf("what srt-live-transmit wrote (%d bytes) is not the start of the extraction (%d bytes): %s", len(received), len(got), diffAt(got, received))
			}
			if n := int64(len(received)); n > r.UndeliveredOffset || n < r.UndeliveredOffset-slack {
				t.Errorf("srt-live-transmit wrote %d bytes; the report says the receiver's output ends at byte %d", len(received), r.UndeliveredOffset)
			}
			// As the receiver: what srt-live-transmit wrote, up to that race.
			eR := extractCapture(t, pcapPath, filepath.Join(dir, "receiver"), port, pass, func(x *session.Extractor) { x.Receiver = true })
			rR, gotR := eR.only(t)
			t.Logf("as the receiver: %s", rR)
			if !bytes.HasPrefix(gotR, received) || int64(len(gotR)) != r.UndeliveredOffset {
				t.Errorf("as the receiver, the extraction (%d bytes) is not what srt-live-transmit wrote (%d bytes), up to byte %d: %s", len(gotR), len(received), r.UndeliveredOffset, diffAt(gotR, received))
			}
			t.Logf("srt-live-transmit wrote %d bytes, the extraction %d; the report says the receiver's output ends at byte %d (equal: %v)",
				len(received), len(got), r.UndeliveredOffset, int64(len(received)) == r.UndeliveredOffset)
			if r.GapCount != 0 || r.TS == nil || r.TS.BadSync != 0 || r.TS.CCErrors != 0 {
				t.Errorf("gaps %d, TS %v", r.GapCount, r.TS)
			}
			if c.cipher != "" && (r.Cipher != c.cipher || r.Decrypted != r.Encrypted || r.Encrypted == 0) {
				t.Errorf("cipher %q, %d of %d decrypted", r.Cipher, r.Decrypted, r.Encrypted)
			}
			if c.cipher == "" && r.Encrypted != 0 {
				t.Errorf("%d encrypted packets in a clear stream", r.Encrypted)
			}
			probe, summary := ffprobe(t, e.files[r.Stream.FileName()])
			t.Logf("ffprobe: %s", summary)
			codecs := map[string]string{}
			for _, s := range probe.Streams {
				codecs[s.CodecType] = s.CodecName
			}
			dur, _ := strconv.ParseFloat(probe.Format.Duration, 64)
			if probe.Format.FormatName != "mpegts" || codecs["video"] != "mpeg2video" || codecs["audio"] != "mp2" || dur < 3 || dur > 5 {
				t.Errorf("ffprobe: %s; want mpegts, mpeg2video and mp2, about 4 s", summary)
			}
			// Without the passphrase the extractor refuses, and says why.
			if c.pass != "" {
				e := extractCapture(t, pcapPath, filepath.Join(dir, "nopass"), port, nil, nil)
				if len(e.files) != 0 || len(e.reports) != 1 || !strings.Contains(e.reports[0].Refused, "no passphrase was given") {
					t.Errorf("without the passphrase: %v", e.reports)
				} else {
					t.Logf("without the passphrase: %s", e.reports[0])
				}
			}
		})
	}
}

// TestExtractFileTransfer: srt-file-transmit sends a 3 MB file; the
// extraction is that file.
func TestExtractFileTransfer(t *testing.T) {
	requireTools(t)
	port := extractPortBase + 5
	dir := t.TempDir()
	in, out := filepath.Join(dir, "in"), filepath.Join(dir, "out")
	for _, d := range []string{in, out} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	data := make([]byte, 3<<20+12345)
	if _, err := rand.Read(data); err != nil {
		t.Fatal(err)
	}
	src := filepath.Join(in, "transfer.bin")
	if err := os.WriteFile(src, data, 0o644); err != nil {
		t.Fatal(err)
	}
	capt := startBufferedCapture(t, dir, "file_transfer", port)
	l := start(t, "srt-file-transmit listener", 40*time.Second, nil, nil, "srt-file-transmit", "-loglevel:note",
		fmt.Sprintf("srt://:%d?mode=listener", port), "file://"+out+"/")
	time.Sleep(500 * time.Millisecond)
	// maxbw (bytes/s): at full speed on loopback tcpdump cannot keep up
	// and drops packets.
	c := start(t, "srt-file-transmit caller", 40*time.Second, nil, nil, "srt-file-transmit", "-loglevel:note",
		"file://"+src, fmt.Sprintf("srt://127.0.0.1:%d?mode=caller&maxbw=4000000&streamid=transfer.bin", port))
	if !c.wait(30*time.Second) || c.exitCode() != 0 {
		t.Fatalf("srt-file-transmit caller did not finish\n%s\n%s", c.output(), l.output())
	}
	if !l.wait(10 * time.Second) {
		l.stop(syscall.SIGINT, 3*time.Second)
	}
	pcapPath := stopBufferedCapture(t, capt, dir, "file_transfer")
	if got, err := os.ReadFile(filepath.Join(out, "transfer.bin")); err != nil || !bytes.Equal(got, data) {
		t.Fatalf("srt-file-transmit did not deliver the file (%v, %d bytes)\n%s", err, len(got), l.output())
	}
	e := extractCapture(t, pcapPath, filepath.Join(dir, "x"), port, nil, nil)
	r, got := e.only(t)
	t.Logf("%s", r)
	if !bytes.Equal(got, data) {
		t.Errorf("the extraction (%d bytes) is not the file sent (%d bytes): %s", len(got), len(data), diffAt(got, data))
	}
	if r.MessageAPI || r.Stream.Format != session.FormatBinary || r.Stream.Attempt.StreamID != "transfer.bin" {
		t.Errorf("message API %v, format %v, Stream ID %q", r.MessageAPI, r.Stream.Format, r.Stream.Attempt.StreamID)
	}
}

// startBufferedCapture is startCapture with a 16 MiB capture buffer
// (tcpdump -B), for a transfer at full speed.
func startBufferedCapture(t *testing.T, dir, name string, port int) *proc {
	t.Helper()
	args := []string{"-i", "lo", "--immediate-mode", "-B", "16384", "-U", "-n", "-s", "0", "-Z", "root",
		"-w", filepath.Join(dir, name+".pcap"), fmt.Sprintf("udp port %d", port)}
	p := start(t, "tcpdump", 60*time.Second, nil, nil, "tcpdump", args...)
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(p.err.String(), "listening on") {
		if !p.running() || time.Now().After(deadline) {
			t.Fatalf("tcpdump did not start capturing on lo:\n%s", p.output())
		}
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(300 * time.Millisecond)
	return p
}

// stopBufferedCapture stops it and returns the capture's path; a capture
// that missed packets cannot be compared.
func stopBufferedCapture(t *testing.T, p *proc, dir, name string) string {
	t.Helper()
	time.Sleep(200 * time.Millisecond) // the last datagrams
	p.stop(syscall.SIGINT, 10*time.Second)
	if m := regexp.MustCompile(`(\d+) packets dropped by kernel`).FindStringSubmatch(p.err.String()); m == nil || m[1] != "0" {
		t.Fatalf("tcpdump lost packets (a busy machine?):\n%s", p.err.String())
	}
	return filepath.Join(dir, name+".pcap")
}

// Loss scenario: srt-live-transmit through the lossy router.
const (
	extractLossChunks   = 1000
	extractLossChunk    = 1316
	extractLossEvery    = 4 * time.Millisecond
	extractLossLatency  = 30 // ms: low, so that the receiver gives some holes up
	extractLossChunkFmt = "srtwire extract %06d|"
)

var extractChunkRE = regexp.MustCompile(`^srtwire extract (\d{6})\|`)

// extractChunk is chunk i of the loss scenario.
func extractChunk(i int) []byte {
	b := make([]byte, extractLossChunk)
	for j := range b {
		b[j] = byte('A' + (i*7+j)%26)
	}
	copy(b, fmt.Sprintf(extractLossChunkFmt, i))
	return b
}

// chunkIndexes splits a stream of loss chunks into their numbers; -1 for
// a piece that is not a chunk.
func chunkIndexes(b []byte) []int {
	var out []int
	for len(b) >= extractLossChunk {
		m := extractChunkRE.FindSubmatch(b[:32])
		n := -1
		if m != nil {
			n, _ = strconv.Atoi(string(m[1]))
			if !bytes.Equal(b[:extractLossChunk], extractChunk(n)) {
				n = -1
			}
		}
		out = append(out, n)
		b = b[extractLossChunk:]
	}
	if len(b) > 0 {
		out = append(out, -1)
	}
	return out
}

// chunkSeqs maps the chunk numbers to the sequence numbers that carried
// them, from the data packets of a capture.
func chunkSeqs(t *testing.T, path string) map[int]packet.SeqNumber {
	t.Helper()
	r, err := capture.Open(path, &capture.Options{Ports: []uint16{lossPort}})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	m := map[int]packet.SeqNumber{}
	for r.Next() {
		f := r.Frame()
		if f.Err != nil || f.Packet.Kind() != packet.KindData || len(f.Packet.Payload) < 32 {
			continue
		}
		if s := extractChunkRE.FindSubmatch(f.Packet.Payload[:32]); s != nil {
			n, _ := strconv.Atoi(string(s[1]))
			m[n] = f.Packet.Seq
		}
	}
	return m
}

// named reports whether the report names seq: a gap, or a belated packet.
func named(r *session.ExtractReport, seq packet.SeqNumber) bool {
	in := func(a, b packet.SeqNumber) bool { return !seq.Less(a) && !b.Less(seq) }
	for _, g := range r.Gaps {
		if in(g.First, g.Last) {
			return true
		}
	}
	for _, b := range r.BelatedRanges {
		if in(b.First, b.Last) {
			return true
		}
	}
	return false
}

// TestExtractLoss: a live stream through 5 % random loss plus bursts,
// with a 30 ms latency. Captured before the loss (a0), the extraction is
// every chunk sent; captured at the receiver (b0), it equals what the
// receiver wrote except for the packets the receiver dropped, which the
// report names; as the receiver (Extractor.Receiver) it is what the
// receiver wrote.
func TestExtractLoss(t *testing.T) {
	requireTools(t)
	nsA, _, nsB := setupLossNet(t)
	dir := t.TempDir()
	if d := os.Getenv("SRTWIRE_KEEP"); d != "" {
		dir = d // keep the captures for a look
	}
	capA, capB := filepath.Join(dir, "sender.pcap"), filepath.Join(dir, "receiver.pcap")
	tcpA := startNSCapture(t, nsA, "a0", capA)
	tcpB := startNSCapture(t, nsB, "b0", capB)
	time.Sleep(300 * time.Millisecond)
	sink := &syncBuffer{}
	lat := strconv.Itoa(extractLossLatency)
	listener := start(t, "listener", 40*time.Second, nil, sink, "ip", "netns", "exec", nsB,
		"srt-live-transmit", "-a:no", "-t:30", "-loglevel:note",
		fmt.Sprintf("srt://:%d?mode=listener&latency=%s", lossPort, lat), "file://con")
	listener.waitFor(t, "Media path", 10*time.Second)
	time.Sleep(200 * time.Millisecond)
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	caller := start(t, "caller", 40*time.Second, pr, nil, "ip", "netns", "exec", nsA,
		"srt-live-transmit", "-a:no", "-t:30", "-loglevel:note", "-chunk:"+strconv.Itoa(extractLossChunk),
		"file://con", fmt.Sprintf("srt://10.77.2.2:%d?mode=caller&latency=%s", lossPort, lat))
	pr.Close()
	caller.waitFor(t, "connected", 10*time.Second)
	tick := time.NewTicker(extractLossEvery)
	for i := range extractLossChunks {
		<-tick.C
		if _, err := pw.Write(extractChunk(i)); err != nil {
			t.Fatalf("writing to the caller: %v\n%s", err, caller.output())
		}
	}
	tick.Stop()
	time.Sleep(time.Second)
	pw.Close()
	caller.stop(syscall.SIGINT, 5*time.Second)
	if !listener.wait(5 * time.Second) {
		listener.stop(syscall.SIGINT, 3*time.Second)
	}
	time.Sleep(200 * time.Millisecond)
	tcpA.stop(syscall.SIGINT, 5*time.Second)
	tcpB.stop(syscall.SIGINT, 5*time.Second)
	for _, p := range []*proc{tcpA, tcpB} {
		if m := regexp.MustCompile(`(\d+) packets dropped by kernel`).FindStringSubmatch(p.err.String()); m == nil || m[1] != "0" {
			t.Fatalf("%s lost packets:\n%s", p.name, p.err.String())
		}
	}
	os.WriteFile(filepath.Join(dir, "received.bin"), []byte(sink.String()), 0o644)
	recv := chunkIndexes([]byte(sink.String()))

	// Before the loss: every chunk srt-live-transmit sent, in order.
	eA := extractCapture(t, capA, filepath.Join(dir, "a"), lossPort, nil, nil)
	rA, gotA := eA.only(t)
	sent := chunkIndexes(gotA)
	t.Logf("sender side: %s", rA)
	if rA.GapCount != 0 || len(sent) == 0 {
		t.Fatalf("the sender-side extraction has %d gaps, %d chunks", rA.GapCount, len(sent))
	}
	for k, n := range sent {
		if n != sent[0]+k {
			t.Fatalf("sender side: chunk %d is %d, want %d", k, n, sent[0]+k)
		}
	}

	// At the receiver.
	seqs := chunkSeqs(t, capA)
	eB := extractCapture(t, capB, filepath.Join(dir, "b"), lossPort, nil, nil)
	rB, gotB := eB.only(t)
	t.Logf("receiver side: %s", rB)
	for i, g := range rB.Gaps {
		if i < 5 {
			t.Logf("  gap %s", g)
		}
	}
	ours := chunkIndexes(gotB)
	inRecv := map[int]bool{}
	for _, n := range recv {
		if n < 0 {
			t.Fatalf("the receiver wrote something that is not a chunk")
		}
		inRecv[n] = true
	}
	// The receiver's output is ours less what it dropped: a subsequence,
	// and every chunk we have that it has not is one the report names as
	// belated; every chunk sent that neither has is in a gap.
	k := 0
	extra := 0
	for _, n := range ours {
		if k < len(recv) && n == recv[k] {
			k++
			continue
		}
		extra++
		if !named(rB, seqs[n]) {
			t.Errorf("chunk %d (seq %d) is in the extraction, not in the receiver's output, and the report does not name it", n, seqs[n])
		}
	}
	if k != len(recv) {
		t.Errorf("the receiver's output is not the extraction less its drops: %d of %d chunks matched in order", k, len(recv))
	}
	dropped := 0
	for _, n := range sent {
		if inRecv[n] || n < recv[0] || n > recv[len(recv)-1] {
			continue
		}
		dropped++
		if !named(rB, seqs[n]) {
			t.Errorf("the receiver dropped chunk %d (seq %d) and the report does not name it", n, seqs[n])
		}
	}
	for _, b := range rB.BelatedRanges {
		for n, seq := range seqs {
			if !seq.Less(b.First) && !b.Last.Less(seq) {
				t.Logf("belated seq %d (chunk %d): the receiver wrote it: %v", seq, n, inRecv[n])
			}
		}
	}
	t.Logf("sent %d chunks, the receiver wrote %d (dropped %d), the extraction has %d (%d belated, %d gaps of %d packets)",
		len(sent), len(recv), dropped, len(ours), extra, rB.GapCount, rB.Lost)
	if rB.Recovered == 0 {
		t.Errorf("no retransmission recovered a loss: the loss rules did not work")
	}

	// As the receiver: what libsrt's receiver delivered, as far as the
	// capture's clock can tell. Its TSBPD thread skips a hole when it wakes
	// up at the next packet's delivery time, a little after it: a
	// retransmission that comes in between is delivered by libsrt and
	// given up by us (named as a gap whose packets came too late). So our
	// output is the receiver's less those.
	eR := extractCapture(t, capB, filepath.Join(dir, "r"), lossPort, nil, func(x *session.Extractor) { x.Receiver = true })
	rR, gotR := eR.only(t)
	t.Logf("as the receiver: %s", rR)
	asRecv := chunkIndexes(gotR)
	k, missed := 0, 0
	for _, n := range recv {
		if k < len(asRecv) && asRecv[k] == n {
			k++
			continue
		}
		missed++
		if !named(rR, seqs[n]) {
			t.Errorf("the receiver wrote chunk %d (seq %d); as the receiver we did not, and the report does not name it", n, seqs[n])
		}
	}
	if k != len(asRecv) {
		t.Errorf("as the receiver, the extraction is not the receiver's output less some drops: %d of %d chunks matched in order", k, len(asRecv))
	}
	t.Logf("as the receiver: %d chunks, the receiver's %d less %d given up at the edge of their delivery time (equal: %v)",
		len(asRecv), len(recv), missed, bytes.Equal(gotR, []byte(sink.String())))
}

// TestExtractBigCapture (SRTWIRE_EXTRACT_BIG=1): a 1 GB capture file of
// a live stream, through capture.Reader, a Tracker and an Extractor: the
// peak RSS stays that of a small capture.
func TestExtractBigCapture(t *testing.T) {
	if os.Getenv("SRTWIRE_EXTRACT_BIG") == "" {
		t.Skip("set SRTWIRE_EXTRACT_BIG=1 to extract a 1 GB capture")
	}
	dir := t.TempDir()
	if d := os.Getenv("SRTWIRE_KEEP"); d != "" {
		dir = d // keep the capture, e.g. for /usr/bin/time srtdump -extract
	}
	path := filepath.Join(dir, "big.pcap")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	const size = 1316
	n := (1 << 30) / size
	var hdr [24]byte
	binary.LittleEndian.PutUint32(hdr[0:], 0xa1b2c3d4)
	binary.LittleEndian.PutUint16(hdr[4:], 2)
	binary.LittleEndian.PutUint16(hdr[6:], 4)
	binary.LittleEndian.PutUint32(hdr[16:], 65535)
	binary.LittleEndian.PutUint32(hdr[20:], 1) // Ethernet
	w := bytesWriter{f: f}
	w.write(hdr[:])
	var p packet.Packet
	var srt []byte
	pl := make([]byte, size)
	t0 := time.Now().Add(-time.Hour)
	for i := range n {
		if i%1000 == 999 {
			continue // lost
		}
		p = packet.Packet{Header: packet.Header{Seq: packet.SeqNumber(i + 1000), Position: packet.PositionSolo, MsgNo: packet.MsgNumber(i + 1),
			Timestamp: uint32(i * 500), DstSocket: 77}}
		for j := 0; j < size; j += 64 {
			pl[j] = byte(i + j)
		}
		p.Payload = pl
		srt, _ = p.AppendBinary(srt[:0])
		w.udp(t0.Add(time.Duration(i)*500*time.Microsecond), srt)
	}
	w.flush()
	if err := w.err; err != nil {
		t.Fatal(err)
	}
	f.Close()
	fi, _ := os.Stat(path)
	before := rss()
	start := time.Now()
	e := extractCapture(t, path, filepath.Join(dir, "out"), 40000, nil, nil)
	el := time.Since(start)
	peak := rss()
	if len(e.reports) != 1 || e.reports[0].Packets != n-n/1000 {
		t.Fatalf("reports: %v", e.reports)
	}
	t.Logf("%.2f GB capture: %s", float64(fi.Size())/1e9, e.reports[0])
	t.Logf("extracted in %v (%.0f MB/s); peak RSS %.1f MiB (%.1f MiB before reading the capture)",
		el.Round(time.Millisecond), float64(fi.Size())/1e6/el.Seconds(), float64(peak)/(1<<20), float64(before)/(1<<20))
	if peak > before+64<<20 {
		t.Errorf("the peak RSS grew by %.1f MiB", float64(peak-before)/(1<<20))
	}
}

func rss() int64 {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return ru.Maxrss * 1024
}

// bytesWriter writes pcap records of IPv4/UDP datagrams over Ethernet.
type bytesWriter struct {
	f   *os.File
	buf []byte
	err error
}

func (w *bytesWriter) write(b []byte) {
	w.buf = append(w.buf, b...)
	if len(w.buf) > 1<<20 {
		w.flush()
	}
}

func (w *bytesWriter) flush() {
	if w.err == nil {
		_, w.err = w.f.Write(w.buf)
	}
	w.buf = w.buf[:0]
}

func (w *bytesWriter) udp(at time.Time, payload []byte) {
	n := 14 + 20 + 8 + len(payload)
	var rec [16]byte
	binary.LittleEndian.PutUint32(rec[0:], uint32(at.Unix()))
	binary.LittleEndian.PutUint32(rec[4:], uint32(at.Nanosecond()/1000))
	binary.LittleEndian.PutUint32(rec[8:], uint32(n))
	binary.LittleEndian.PutUint32(rec[12:], uint32(n))
	w.write(rec[:])
	eth := [14]byte{12: 0x08}
	w.write(eth[:])
	ip := [20]byte{0x45, 0, 0, 0, 0, 0, 0x40, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2}
	binary.BigEndian.PutUint16(ip[2:], uint16(20+8+len(payload)))
	var sum uint32
	for i := 0; i < 20; i += 2 {
		sum += uint32(binary.BigEndian.Uint16(ip[i:]))
	}
	for sum > 0xffff {
		sum = sum&0xffff + sum>>16
	}
	binary.BigEndian.PutUint16(ip[10:], ^uint16(sum))
	w.write(ip[:])
	var udp [8]byte
	binary.BigEndian.PutUint16(udp[0:], 50000)
	binary.BigEndian.PutUint16(udp[2:], 40000)
	binary.BigEndian.PutUint16(udp[4:], uint16(8+len(payload)))
	w.write(udp[:])
	w.write(payload)
}
