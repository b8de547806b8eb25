package session_test

import (
	"bufio"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/srtwire/srtwire/internal/testcorpus"
	"github.com/srtwire/srtwire/packet"
	"github.com/srtwire/srtwire/reject"
	"github.com/srtwire/srtwire/session"
)

// manifestCounts reads "DATA (R=1)" per capture from MANIFEST.md's table.
func manifestCounts(t *testing.T) map[string][2]int {
	f, err := os.Open(testcorpus.Path("MANIFEST.md"))
	require.NoError(t, err)
	defer f.Close()
	re := regexp.MustCompile(`^\| (s\d\d_\w+)\.pcap \|[^|]*\|[^|]*\| \d+ \| (\d+) \((\d+)\) \|`)
	out := map[string][2]int{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if m := re.FindStringSubmatch(sc.Text()); m != nil {
			d, _ := strconv.Atoi(m[2])
			r, _ := strconv.Atoi(m[3])
			out[m[1]] = [2]int{d, r}
		}
	}
	require.NotEmpty(t, out)
	return out
}

// callerReason reads what libsrt's srt_getrejectreason() told the caller.
func callerReason(t *testing.T, name string) (reject.Reason, bool) {
	b, err := os.ReadFile(filepath.Join(testcorpus.Dir(), "logs", name+".caller.log"))
	if err != nil {
		return 0, false
	}
	m := regexp.MustCompile(`REJECTED reason=(\d+)`).FindSubmatch(b)
	if m == nil {
		return 0, false
	}
	n, _ := strconv.Atoi(string(m[1]))
	return reject.Reason(n), true
}

// frames decodes the UDP frames of a corpus capture into session frames.
func frames(t *testing.T, name string) []session.Frame {
	fs, err := testcorpus.Frames(name)
	require.NoError(t, err)
	out := make([]session.Frame, len(fs))
	for i, f := range fs {
		p := new(packet.Packet)
		err := p.Decode(f.Payload)
		out[i] = session.Frame{Number: f.Number, Time: f.Time, Src: f.Src, Dst: f.Dst, Packet: p, Data: f.Payload, Err: err}
	}
	return out
}

func trackFrames(fs []session.Frame) []*session.Attempt {
	tr := session.NewTracker()
	for i := range fs {
		tr.Add(&fs[i])
	}
	return tr.Attempts()
}

func track(t *testing.T, name string) []*session.Attempt { return trackFrames(frames(t, name)) }

func TestTrackerCorpus(t *testing.T) {
	type want struct {
		outcome    session.Outcome
		mode       session.Mode
		reason     reject.Reason
		sid        string
		enc        string
		congestion string
		filter     string
		kmState    string
	}
	cases := map[string]want{
		"s01_live_ipv6":                     {outcome: session.OutcomeEstablished},
		"s01_live_plain":                    {outcome: session.OutcomeEstablished},
		"s02_enc_aes128":                    {outcome: session.OutcomeEstablished, enc: "AES-128"},
		"s02_enc_kmrefresh":                 {outcome: session.OutcomeEstablished, enc: "AES-128"},
		"s03_badsecret_noenforce":           {outcome: session.OutcomeEstablished, kmState: "BADSECRET"},
		"s03_reject_badsecret":              {outcome: session.OutcomeRejected, reason: reject.BadSecret},
		"s03_reject_unsecure_caller_nopass": {outcome: session.OutcomeRejected, reason: reject.Unsecure},
		"s04_sid_access":                    {outcome: session.OutcomeEstablished, sid: "#!::r=live/feed1,m=publish,u=alice"},
		"s05_app_reject_1403":               {outcome: session.OutcomeRejected, reason: reject.Forbidden, sid: "#!::r=forbidden,u=bob"},
		"s05_app_reject_2005":               {outcome: session.OutcomeRejected, reason: 2005, sid: "#!::r=user2005"},
		"s05_app_reject_noreason":           {outcome: session.OutcomeRejected, reason: reject.Unknown, sid: "#!::r=noreason"},
		"s06_reject_filter":                 {outcome: session.OutcomeRejected, reason: reject.Filter, filter: "fec,cols:5,rows:2"},
		"s06_reject_messageapi":             {outcome: session.OutcomeRejected, reason: reject.MessageAPI, congestion: "file"},
		"s07_fec":                           {outcome: session.OutcomeEstablished, filter: "fec,arq:onreq,cols:4,layout:staircase,rows:2"},
		"s07_rendezvous":                    {outcome: session.OutcomeEstablished, mode: session.ModeRendezvous},
		"s08_loss_pattern":                  {outcome: session.OutcomeEstablished},
		"s09_file_peererror":                {outcome: session.OutcomeEstablished, congestion: "file"},
		"s09_file_transfer":                 {outcome: session.OutcomeEstablished, congestion: "file", sid: "corpus-file.bin"},
	}
	counts := manifestCounts(t)
	caps, err := testcorpus.Captures()
	require.NoError(t, err)
	require.Len(t, cases, len(caps), "every capture has expectations")
	for _, c := range caps {
		w, ok := cases[c.Name]
		require.True(t, ok, c.Name)
		as := track(t, c.Name)
		require.Len(t, as, 1, c.Name)
		a := as[0]
		assert.Equal(t, w.outcome, a.Outcome, c.Name)
		assert.Equal(t, w.mode, a.Mode, c.Name)
		assert.True(t, a.HandshakeSeen, c.Name)
		if w.outcome == session.OutcomeRejected {
			assert.Equal(t, w.reason, a.Reason, c.Name)
			// What libsrt's srt_getrejectreason() reported to the caller.
			if got, ok := callerReason(t, c.Name); ok && c.Name != "s05_app_reject_noreason" {
				assert.Equal(t, got, a.Reason, "%s: libsrt caller saw %d", c.Name, got)
			}
			assert.Positive(t, a.HandshakeRTT, c.Name)
		}
		if w.congestion == "" {
			w.congestion = "live"
		}
		assert.Equal(t, w.sid, a.StreamID, c.Name)
		assert.Equal(t, w.enc, a.Encryption(), c.Name)
		assert.Equal(t, w.congestion, a.Congestion, c.Name)
		assert.Equal(t, w.filter, a.Filter, c.Name)
		if w.kmState != "" {
			assert.True(t, a.KMStateSet, c.Name)
			assert.Equal(t, w.kmState, a.KMState.String(), c.Name)
		}
		if cnt, ok := counts[c.Name]; ok {
			assert.Equal(t, cnt[0], a.DataPackets, "%s data packets (MANIFEST)", c.Name)
			assert.Equal(t, cnt[1], a.Retransmitted, "%s retransmitted (MANIFEST)", c.Name)
		}
		assert.Equal(t, 1, a.FirstFrame, c.Name)
		if w.outcome == session.OutcomeEstablished && a.Mode == session.ModeCallerListener {
			wantLatency := 120 // live default
			if w.congestion == "file" {
				wantLatency = 0 // file mode: no TSBPD
			}
			assert.Equal(t, wantLatency, a.LatencyMS, c.Name)
			assert.Equal(t, "1.5.1", a.SRTVersion.String(), c.Name)
		}
	}
}

// TestTrackerLoss: s08's NAKs report 25 lost packets (13 NAKs, some ranges),
// and libsrt retransmitted each.
func TestTrackerLoss(t *testing.T) {
	a := track(t, "s08_loss_pattern")[0]
	raw, err := testcorpus.RawLines("s08_loss_pattern")
	require.NoError(t, err)
	lost := 0
	for _, l := range raw {
		ranges, _ := l.Lost()
		for _, r := range ranges {
			lost += int(r.Last-r.First) + 1
		}
	}
	assert.Positive(t, lost)
	assert.Equal(t, lost, a.Lost)
	assert.Equal(t, 1, track(t, "s07_rendezvous")[0].Lost)
}

func TestTrackerMidSession(t *testing.T) {
	as := trackFrames(frames(t, "s01_live_plain")[10:])
	require.Len(t, as, 1)
	assert.Equal(t, session.ModeUnknown, as[0].Mode)
	assert.False(t, as[0].HandshakeSeen)
	assert.Equal(t, session.OutcomeEstablished, as[0].Outcome)
	assert.Positive(t, as[0].DataPackets)
}

func TestTrackerNoAnswerAndIncomplete(t *testing.T) {
	fs := frames(t, "s03_reject_badsecret")
	for n, want := range map[int]session.Outcome{1: session.OutcomeNoAnswer, 2: session.OutcomeIncomplete, 3: session.OutcomeIncomplete, 4: session.OutcomeRejected} {
		as := trackFrames(fs[:n])
		require.Len(t, as, 1)
		assert.Equal(t, want, as[0].Outcome, "first %d frames", n)
		assert.Equal(t, want.String(), as[0].Outcome.String())
	}
}
