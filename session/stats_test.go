package session_test

import (
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/srtwire/srtwire/internal/testcorpus"
	"github.com/srtwire/srtwire/packet"
	"github.com/srtwire/srtwire/reject"
	"github.com/srtwire/srtwire/session"
)

// rawDir is what the corpus's independent decode (NAME.raw.tsv) says about
// one data direction, counted the way lib-tcpdump-processing's
// get_traffic_stats.py counts a trace.
type rawDir struct {
	data, orig, rexmit, fec                  int
	clear, even, odd                         int
	once, twice, x3, x4, x5                  int
	lost, unrecovered                        int
	ackFull, ackSmall, ackLight, ackack, nak int
	nakSeqs, keepalive, shutdown, peerError  int
	kmreq, kmrsp                             int
	origSeqs, allSeqs                        []int64
	unrecoveredSeqs                          []int64
	payload                                  int64
}

// rawTally tallies a capture's raw decode per data direction, keyed by
// "srcport>dstport" of the data (the control packets about that data
// count under the same key, as session.Direction counts them).
func rawTally(t *testing.T, name string) map[string]*rawDir {
	lines, err := testcorpus.RawLines(name)
	require.NoError(t, err)
	out := map[string]*rawDir{}
	get := func(from, to uint16) *rawDir {
		k := strconv.Itoa(int(from)) + ">" + strconv.Itoa(int(to))
		if out[k] == nil {
			out[k] = &rawDir{}
		}
		return out[k]
	}
	rexmits := map[string]map[int64]int{}
	for _, l := range lines {
		fwd := get(l.SrcPort, l.DstPort) // data direction of the sender
		rev := get(l.DstPort, l.SrcPort) // data direction the sender receives
		switch l.Kind {
		case "DATA":
			if msg, _ := l.Int("msgno"); msg == 0 {
				fwd.fec++
				continue
			}
			fwd.data++
			seq, _ := l.Int("seq")
			n, _ := l.Int("payload")
			fwd.payload += n
			switch kk, _ := l.Int("kk"); kk {
			case 0:
				fwd.clear++
			case 1:
				fwd.even++
			case 2:
				fwd.odd++
			}
			fwd.allSeqs = append(fwd.allSeqs, seq)
			if r, _ := l.Int("r"); r == 1 {
				fwd.rexmit++
				k := strconv.Itoa(int(l.SrcPort))
				if rexmits[k] == nil {
					rexmits[k] = map[int64]int{}
				}
				rexmits[k][seq]++
			} else {
				fwd.orig++
				fwd.origSeqs = append(fwd.origSeqs, seq)
			}
		case "ACK":
			switch l.Fields["kind"] {
			case "light":
				rev.ackLight++
			case "small":
				rev.ackSmall++
			default:
				rev.ackFull++
			}
		case "ACKACK":
			fwd.ackack++
		case "NAK":
			rev.nak++
			rs, ok := l.Lost()
			require.True(t, ok, l.Line)
			for _, r := range rs {
				rev.nakSeqs += int(r.Last-r.First) + 1
			}
		case "KEEPALIVE":
			fwd.keepalive++
		case "SHUTDOWN":
			fwd.shutdown++
		case "PEERERROR":
			fwd.peerError++
		case "EXT":
			switch sub, _ := l.Int("subtype"); sub {
			case 3:
				fwd.kmreq++
			case 4:
				fwd.kmrsp++
			}
		}
	}
	for k, d := range out {
		from, _, _ := strings.Cut(k, ">")
		for _, n := range rexmits[from] {
			switch {
			case n == 1:
				d.once++
			case n == 2:
				d.twice++
			case n == 3:
				d.x3++
			case n == 4:
				d.x4++
			default:
				d.x5++
			}
		}
		// get_traffic_stats.py, generate_rcv_report: lost = sum of the
		// gaps between consecutive distinct original sequence numbers;
		// unrecovered = gaps in the sorted distinct numbers of all data.
		orig := dedup(d.origSeqs)
		for i := 1; i < len(orig); i++ {
			d.lost += int(orig[i] - orig[i-1] - 1)
		}
		all := dedup(d.allSeqs)
		slices.Sort(all)
		for i := 1; i < len(all); i++ {
			for s := all[i-1] + 1; s < all[i]; s++ {
				d.unrecoveredSeqs = append(d.unrecoveredSeqs, s)
			}
		}
		d.unrecovered = len(d.unrecoveredSeqs)
	}
	return out
}

// dedup drops repeated numbers, keeping the first of each (pandas'
// drop_duplicates).
func dedup(s []int64) []int64 {
	seen := map[int64]bool{}
	var out []int64
	for _, v := range s {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}

func dirKey(d *session.Direction) string {
	return strconv.Itoa(int(d.From.Port())) + ">" + strconv.Itoa(int(d.To.Port()))
}

// TestStatsCorpus: every capture's per-direction figures equal what the
// independent decode gives when counted as lib-tcpdump-processing does.
func TestStatsCorpus(t *testing.T) {
	caps, err := testcorpus.Captures()
	require.NoError(t, err)
	for _, c := range caps {
		raw := rawTally(t, c.Name)
		as := track(t, c.Name)
		require.Len(t, as, 1, c.Name)
		seen := 0
		for _, d := range as[0].Directions() {
			w := raw[dirKey(d)]
			require.NotNil(t, w, "%s %s", c.Name, dirKey(d))
			seen++
			msg := c.Name + " " + dirKey(d)
			assert.Equal(t, w.data, d.Data.Packets, msg)
			assert.Equal(t, w.orig, d.Data.Original, msg)
			assert.Equal(t, w.rexmit, d.Data.Retransmitted, msg)
			assert.Equal(t, w.payload, d.Data.PayloadBytes, msg)
			assert.Equal(t, w.fec, d.Data.FEC, msg)
			assert.Equal(t, [5]int{w.once, w.twice, w.x3, w.x4, w.x5}, d.Data.RetransmittedTimes.Value, msg)
			assert.True(t, d.Data.RetransmittedTimes.Known, msg)
			assert.Equal(t, session.Opt[int]{Value: w.lost, Known: true}, d.Data.Lost, msg)
			assert.Equal(t, session.Opt[int]{Value: w.unrecovered, Known: true}, d.Data.Unrecovered, msg)
			assert.Equal(t, w.lost-w.unrecovered, d.Data.Recovered.Value, msg)
			assert.Equal(t, [3]int{w.clear, w.even, w.odd}, [3]int{d.Keys.Clear, d.Keys.Even, d.Keys.Odd}, msg)
			assert.Equal(t, w.ackFull, d.Control.ACKFull, msg)
			assert.Equal(t, w.ackSmall, d.Control.ACKSmall, msg)
			assert.Equal(t, w.ackLight, d.Control.ACKLight, msg)
			assert.Equal(t, w.ackack, d.Control.ACKACK, msg)
			assert.Equal(t, w.nak, d.Control.NAK, msg)
			assert.Equal(t, w.nakSeqs, d.Control.NAKSeqs, msg)
			assert.Equal(t, w.keepalive, d.Control.Keepalive, msg)
			assert.Equal(t, w.shutdown, d.Control.Shutdown, msg)
			assert.Equal(t, w.peerError, d.Control.PeerError, msg)
			assert.Equal(t, w.kmreq, d.Control.KMReq, msg)
			assert.Equal(t, w.kmrsp, d.Control.KMRsp, msg)
			assert.Equal(t, 0, d.Data.TooOld, msg)
			if d.Data.Packets > 1 {
				assert.True(t, d.JitterUS.Known, msg)
				_, ok := d.Rates()
				assert.True(t, ok, msg)
			}
			if d.Control.ACKFull > 1 {
				assert.True(t, d.RTT.Known(), msg)
				assert.Less(t, d.RTT.Max, int64(100_000), "%s: libsrt's initial 100 ms RTT is not a measurement", msg)
			}
			// Nothing in the corpus arrived late (all on loopback).
			if lat, ok := d.LatencyMS.Get(); ok && lat > 0 && d.Data.Packets > 0 {
				assert.Equal(t, session.Opt[int]{Value: 0, Known: true}, d.Data.Late, msg)
			} else {
				assert.False(t, d.Data.Late.Known, "%s: no TSBPD latency, no late count", msg)
			}
		}
		for k, w := range raw {
			if w.data+w.fec > 0 {
				assert.NotNil(t, as[0].Direction(findFrom(as[0], k)), "%s: data direction %s", c.Name, k)
			}
		}
		assert.Positive(t, seen+boolInt(as[0].Outcome == session.OutcomeRejected), c.Name)
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// findFrom returns the endpoint of a whose port starts k ("port>port").
func findFrom(a *session.Attempt, k string) (ep netip.AddrPort) {
	from, _, _ := strings.Cut(k, ">")
	for _, e := range []netip.AddrPort{a.Caller, a.Listener} {
		if strconv.Itoa(int(e.Port())) == from {
			return e
		}
	}
	return
}

// TestStatsLossPattern: s08_loss_pattern, a 200-message transfer through
// a network namespace whose nftables rules dropped packets before the
// capture point, so the capture shows what the listener received.
func TestStatsLossPattern(t *testing.T) {
	a := track(t, "s08_loss_pattern")[0]
	d := a.Direction(a.Caller)
	require.NotNil(t, d)
	assert.Equal(t, 200, d.Data.Packets)
	assert.Equal(t, 175, d.Data.Original)
	assert.Equal(t, 25, d.Data.Retransmitted) // MANIFEST: DATA 200 (R=1: 25)
	assert.Equal(t, [5]int{25, 0, 0, 0, 0}, d.Data.RetransmittedTimes.Value)
	assert.Equal(t, 25, d.Data.Lost.Value)
	assert.Equal(t, 25, d.Data.Recovered.Value)
	assert.Equal(t, 0, d.Data.Unrecovered.Value)
	assert.Empty(t, d.Data.UnrecoveredSeqs)
	assert.Equal(t, 25, d.Data.GapLoss)
	// MANIFEST: NAK=13 (single 7, range 6), ACK full 161, ACKACK 160.
	assert.Equal(t, 13, d.Control.NAK)
	assert.Equal(t, 25, d.Control.NAKSeqs)
	assert.Equal(t, 25, d.Control.NAKDistinct.Value)
	assert.Equal(t, 161, d.Control.ACKFull)
	assert.Equal(t, 160, d.Control.ACKACK)
	assert.Equal(t, 160, d.ACKACKRTT.N)
	assert.Equal(t, 1, d.Control.Shutdown)
	assert.Equal(t, 13, a.NAKReports)
	assert.Equal(t, 25, a.Lost)
	assert.Equal(t, 120, d.LatencyMS.Value)
	assert.Equal(t, session.Opt[int]{Value: 0, Known: true}, d.Data.Late)
	// The listener's log: every one of the 200 messages arrived.
	log := readLog(t, "s08_loss_pattern.listener.log")
	m := regexp.MustCompile(`RECEIVED (\d+) messages, (\d+) bytes`).FindStringSubmatch(log)
	require.NotNil(t, m)
	assert.Equal(t, m[1], strconv.Itoa(d.Data.Original+d.Data.Recovered.Value))
	assert.Equal(t, m[2], strconv.FormatInt(d.Data.OriginalBytes+int64(d.Data.Recovered.Value)*600, 10))
	// MANIFEST: "f18: first seq gap 2095720804->2095720806; f19: NAK single
	// 2095720805; f20: R=1 seq 2095720805".
	fs := frames(t, "s08_loss_pattern")
	tr := session.NewTracker()
	for i := range fs[:18] {
		tr.Add(&fs[i])
	}
	d18 := tr.Attempts()[0].Direction(a.Caller)
	assert.Equal(t, 0, d18.Control.NAK, "frame 19 is the NAK")
	assert.Equal(t, 1, d18.Data.Lost.Value, "after frame 18")
	assert.Equal(t, 1, d18.Data.Unrecovered.Value)
	assert.Equal(t, []packet.SeqNumber{2095720805}, d18.Data.UnrecoveredSeqs)
	tr.Add(&fs[18]) // the NAK: still unrecovered
	d19 := tr.Attempts()[0].Direction(a.Caller)
	assert.Equal(t, []packet.SeqNumber{2095720805}, d19.Data.UnrecoveredSeqs)
	assert.Equal(t, 1, d19.Control.NAKDistinct.Value)
	tr.Add(&fs[19])
	d20 := tr.Attempts()[0].Direction(a.Caller)
	assert.Equal(t, 1, d20.Data.Recovered.Value, "after frame 20")
	assert.Equal(t, 0, d20.Data.Unrecovered.Value)
	assert.Empty(t, d20.Data.UnrecoveredSeqs)

	// Without the first data packet: the handshake's ISN says where the
	// data starts, so the missing first packet is lost (libsrt's receiver
	// counts it so too) and unrecovered.
	var rest []session.Frame
	for _, f := range fs {
		if f.Number != 5 {
			rest = append(rest, f)
		}
	}
	d5 := trackFrames(rest)[0].Direction(a.Caller)
	assert.Equal(t, 26, d5.Data.Lost.Value)
	assert.Equal(t, 26, d5.Data.GapLoss)
	assert.Equal(t, []packet.SeqNumber{2095720800}, d5.Data.UnrecoveredSeqs)

	// Rates and overhead over the data duration.
	r, ok := d.Rates()
	require.True(t, ok)
	secs := d.Duration().Seconds()
	assert.InDelta(t, 120000*8/secs/1e6, r.Payload, 1e-9)
	assert.InDelta(t, float64(120000+200*24)*8/secs/1e6, r.PayloadSRTUDP, 1e-9)
	assert.InDelta(t, 105000*8/secs/1e6, r.OrigPayload, 1e-9)
	assert.InDelta(t, 4.0, d.OverheadPct().Value, 1e-9) // 24 bytes of headers per 600-byte payload
	assert.InDelta(t, 25*100/175.0, d.RetransmittedPct().Value, 1e-9)
	assert.InDelta(t, 25*100/200.0, d.LossPct().Value, 1e-9)
	// No findings: every loss was recovered in time.
	assert.Empty(t, a.Findings())
}

func readLog(t *testing.T, name string) string {
	b, err := os.ReadFile(filepath.Join(testcorpus.Dir(), "logs", name))
	require.NoError(t, err)
	return string(b)
}

// TestStatsFEC: s07_fec's 46 FEC packets count apart from its 64 data
// packets (the caller's log: SENT 64 messages).
func TestStatsFEC(t *testing.T) {
	a := track(t, "s07_fec")[0]
	d := a.Direction(a.Caller)
	assert.Equal(t, 46, d.Data.FEC)
	assert.Equal(t, 46*1320, int(d.Data.FECBytes))
	assert.Equal(t, 64, d.Data.Packets)
	assert.Equal(t, 46, a.FECPackets)
	assert.Equal(t, 110, a.DataPackets) // as before: FEC included
	assert.Contains(t, readLog(t, "s07_fec.caller.log"), "SENT 64 messages")
	assert.Equal(t, 0, d.Data.Lost.Value)
}

// TestStatsPeerError: s09_file_peererror's PEERERROR 4000 from the
// receiving listener (it wrote to /dev/full).
func TestStatsPeerError(t *testing.T) {
	a := track(t, "s09_file_peererror")[0]
	code, ok := a.PeerError.Get()
	require.True(t, ok)
	assert.EqualValues(t, packet.PeerErrorFile, code)
	assert.Equal(t, a.Listener, a.PeerErrorFrom)
	assert.Equal(t, 57, a.PeerErrorFrame) // MANIFEST: f57
	assert.Contains(t, readLog(t, "s09_file_peererror.listener.log"), "failure in write")
	f := findCode(a.Findings(), session.CodePeerError)
	require.NotNil(t, f)
	assert.Equal(t, session.LevelError, f.Level)
	assert.Contains(t, f.Text, "4000")
	assert.Contains(t, f.Text, "disk write failed")
	// File mode: no TSBPD latency, so lateness is unknown (not 0).
	assert.False(t, a.Direction(a.Caller).Data.Late.Known)
	assert.Nil(t, findCode(track(t, "s09_file_transfer")[0].Findings(), session.CodePeerError))
}

func findCode(fs []session.Finding, code string) *session.Finding {
	for i := range fs {
		if fs[i].Code == code {
			return &fs[i]
		}
	}
	return nil
}

// TestStatsBadSecretNoEnforce: the listener accepted a caller with another
// passphrase; every data packet is encrypted with a key it does not have.
func TestStatsBadSecretNoEnforce(t *testing.T) {
	a := track(t, "s03_badsecret_noenforce")[0]
	d := a.Direction(a.Caller)
	assert.Equal(t, 10, d.Data.Encrypted)
	assert.Equal(t, session.Opt[int]{Value: 10, Known: true}, d.Data.Undecryptable)
	assert.Equal(t, session.CryptoFailed, a.CryptoStatus())
	assert.Equal(t, "AES-128", a.RequestedEncryption())
	assert.Equal(t, "AES-128 requested, BADSECRET", a.EncryptionText())
	f := findCode(a.Findings(), session.CodeUndecryptable)
	require.NotNil(t, f)
	assert.Equal(t, session.LevelError, f.Level)
	assert.Contains(t, f.Text, "10 of 10 data packets were sent that it cannot decrypt")
	assert.Contains(t, f.Text, "BADSECRET")
	// libsrt's listener said the same.
	assert.Contains(t, readLog(t, "s03_badsecret_noenforce.listener.log"), "BADSECRET - can't decrypt")

	// With the caller's passphrase, srtwire can decrypt what the listener
	// could not.
	tr := session.NewTracker()
	tr.Passphrases = []string{"wrong-passphrase-1", "caller-secret-BB"}
	fs := frames(t, "s03_badsecret_noenforce")
	for i := range fs {
		tr.Add(&fs[i])
	}
	a = tr.Attempts()[0]
	d = a.Direction(a.Caller)
	assert.Equal(t, session.Opt[bool]{Value: true, Known: true}, a.PassphraseMatch)
	assert.Equal(t, session.Opt[int]{Value: 10, Known: true}, d.Data.Decrypted)
	assert.Equal(t, session.Opt[int]{Value: 0, Known: true}, d.Data.DecryptFailed)
}

// TestStatsDecrypt: with the right passphrase every data packet of the
// encrypted captures decrypts, across s02_enc_kmrefresh's key refreshes;
// with a wrong one none does, and a finding says so.
func TestStatsDecrypt(t *testing.T) {
	for name, pass := range map[string]string{"s02_enc_aes128": "corpus-secret-16", "s02_enc_kmrefresh": "refresh-secret-1"} {
		for _, right := range []bool{true, false} {
			tr := session.NewTracker()
			tr.Passphrases = []string{pass}
			if !right {
				tr.Passphrases = []string{"not-the-passphrase"}
			}
			fs := frames(t, name)
			for i := range fs {
				tr.Add(&fs[i])
			}
			a := tr.Attempts()[0]
			d := a.Direction(a.Caller)
			assert.Equal(t, right, a.PassphraseMatch.Value, name)
			assert.True(t, a.PassphraseMatch.Known, name)
			if right {
				assert.Equal(t, d.Data.Packets, d.Data.Decrypted.Value, name)
				assert.Equal(t, 0, d.Data.DecryptFailed.Value, name)
				assert.Equal(t, 0, d.Keys.Refused, name)
				assert.Nil(t, findCode(a.Findings(), session.CodePassphraseMismatch), name)
			} else {
				assert.Equal(t, 0, d.Data.Decrypted.Value, name)
				assert.Equal(t, d.Data.Packets, d.Data.DecryptFailed.Value, name)
				assert.NotNil(t, findCode(a.Findings(), session.CodePassphraseMismatch), name)
			}
		}
	}
	// s02_enc_kmrefresh: three in-band refreshes, and the data switches
	// key three times (MANIFEST: KK even/odd 259/161, 1 → 2 → 1 ...).
	a := track(t, "s02_enc_kmrefresh")[0]
	d := a.Direction(a.Caller)
	assert.Equal(t, 3, d.Keys.Refreshes)
	assert.Equal(t, 3, d.Keys.Answers)
	assert.Equal(t, 3, d.Keys.Switches)
	assert.Equal(t, [2]int{259, 161}, [2]int{d.Keys.Even, d.Keys.Odd})
	assert.False(t, d.Data.Decrypted.Known, "no passphrase given: unknown, not 0")
	assert.Equal(t, session.Opt[int]{Value: 0, Known: true}, d.Data.Undecryptable)
}

// TestStatsRejections: every rejected capture gets a rejected finding
// naming the reason libsrt's caller reported; s03_reject_badsecret says
// the caller asked for AES-128.
func TestStatsRejections(t *testing.T) {
	caps, err := testcorpus.Captures()
	require.NoError(t, err)
	n := 0
	for _, c := range caps {
		a := track(t, c.Name)[0]
		f := findCode(a.Findings(), session.CodeRejected)
		if a.Outcome != session.OutcomeRejected {
			assert.Nil(t, f, c.Name)
			continue
		}
		n++
		require.NotNil(t, f, c.Name)
		assert.Equal(t, session.LevelError, f.Level)
		assert.Contains(t, f.Text, a.Reason.Name(), c.Name)
		if r, ok := callerReason(t, c.Name); ok && c.Name != "s05_app_reject_noreason" {
			assert.Contains(t, f.Text, "code "+strconv.Itoa(int(r))+")", c.Name)
		}
		assert.Nil(t, findCode(a.Findings(), session.CodeUnshiftedReject), c.Name)
		if c.Name != "s05_app_reject_noreason" {
			assert.Empty(t, a.Directions(), "%s: a rejected attempt carries no traffic but its handshake", c.Name)
		}
	}
	assert.Equal(t, 7, n)
	a := track(t, "s03_reject_badsecret")[0]
	assert.Equal(t, "AES-128", a.RequestedEncryption())
	assert.Equal(t, 16, a.RequestedKeyLen)
	assert.Equal(t, "", a.Encryption())
	assert.Contains(t, findCode(a.Findings(), session.CodeRejected).Text, "asked for AES-128")
	assert.Equal(t, "", track(t, "s03_reject_unsecure_caller_nopass")[0].RequestedEncryption())
	// s05_app_reject_noreason: the caller did not read 1000 as a
	// rejection and sent a SHUTDOWN after it.
	a = track(t, "s05_app_reject_noreason")[0]
	assert.Equal(t, 1, a.AfterReject)
	assert.Equal(t, packet.KindShutdown, a.AfterRejectFirst)
	f := findCode(a.Findings(), session.CodeTrafficAfterReject)
	require.NotNil(t, f)
	assert.Contains(t, f.Text, "1 packet followed the rejection at frame 4 (the first a SHUTDOWN)")
	// The first frame alone: an INDUCTION nobody answered.
	as := trackFrames(frames(t, "s03_reject_badsecret")[:1])
	f = findCode(as[0].Findings(), session.CodeNoAnswer)
	require.NotNil(t, f)
	assert.Contains(t, f.Text, "never answered the 1 INDUCTION")
}

// TestStatsMidSession: a capture that starts after the handshake: the
// roles come from the traffic (the data sender is the caller) whichever
// side's packet comes first, and the encryption is unknown or "encrypted
// (no KM seen)", never "none".
func TestStatsMidSession(t *testing.T) {
	fs := frames(t, "s08_loss_pattern")
	full := trackFrames(fs)[0]
	// Start at the listener's first ACK, so its packet comes first.
	start := -1
	for i, f := range fs {
		if f.Packet.Kind() == packet.KindACK && i > 10 {
			start = i
			break
		}
	}
	require.Positive(t, start)
	require.Equal(t, full.Listener, fs[start].Src)
	for _, from := range []int{start, start + 1, 10} {
		a := trackFrames(fs[from:])[0]
		assert.True(t, a.RolesInferred, from)
		assert.Equal(t, session.ModeUnknown, a.Mode)
		assert.Equal(t, full.Caller, a.Caller, "from frame %d: the data sender", from+1)
		assert.Equal(t, full.Listener, a.Listener)
		d := a.Direction(a.Caller)
		assert.False(t, d.LatencyMS.Known, "no handshake: latency unknown")
		assert.False(t, d.Data.Late.Known, "no latency: late unknown")
		assert.Equal(t, session.CryptoNone, a.CryptoStatus(), "clear data")
		assert.True(t, d.Data.Lost.Known)
	}
	// Encrypted data, handshake not captured.
	as := trackFrames(frames(t, "s02_enc_aes128")[4:])
	a := as[0]
	assert.Equal(t, session.CryptoNoKM, a.CryptoStatus())
	assert.Equal(t, "encrypted (no KM seen)", a.EncryptionText())
	assert.False(t, a.Direction(a.Caller).Data.Undecryptable.Known)
	f := findCode(a.Findings(), session.CodeUndecryptable)
	require.NotNil(t, f)
	assert.Contains(t, f.Text, "80 packets")
	// A flow of nothing but keepalives: no data, no handshake.
	var ka []session.Frame
	for _, f := range frames(t, "s01_live_plain") {
		if f.Packet.Kind() == packet.KindKeepalive {
			ka = append(ka, f)
		}
	}
	require.NotEmpty(t, ka)
	assert.Equal(t, session.CryptoUnknown, trackFrames(ka)[0].CryptoStatus())
	assert.Equal(t, "unknown", trackFrames(ka)[0].EncryptionText())
}

// TestStatsSeries: the per-second bins add up to the totals.
func TestStatsSeries(t *testing.T) {
	fs := frames(t, "s08_loss_pattern")
	tr := session.NewTracker()
	tr.SeriesBins = 2
	var bins []session.Bin
	tr.OnBin = func(a *session.Attempt, d *session.Direction, b *session.Bin) {
		if d.From == a.Caller {
			bins = append(bins, *b)
		}
	}
	for i := range fs {
		tr.Add(&fs[i])
	}
	tr.Flush()
	a := tr.Attempts()[0]
	d := a.Direction(a.Caller)
	require.GreaterOrEqual(t, len(bins), 3) // 2.02 s of data
	var sum session.Bin
	for i, b := range bins {
		assert.Equal(t, time.Second, b.Width)
		assert.Zero(t, b.Start.Nanosecond(), "bins start on whole seconds")
		if i > 0 {
			assert.True(t, b.Start.After(bins[i-1].Start))
		}
		sum.Packets += b.Packets
		sum.Retransmitted += b.Retransmitted
		sum.Lost += b.Lost
		sum.NAKs += b.NAKs
		sum.NAKSeqs += b.NAKSeqs
		sum.PayloadBytes += b.PayloadBytes
		sum.RTT.N += b.RTT.N
	}
	assert.Equal(t, 200, sum.Packets)
	assert.Equal(t, 25, sum.Retransmitted)
	assert.Equal(t, 25, sum.Lost)
	assert.Equal(t, 13, sum.NAKs)
	assert.Equal(t, 25, sum.NAKSeqs)
	assert.Equal(t, int64(120000), sum.PayloadBytes)
	assert.Equal(t, d.RTT.N, sum.RTT.N)
	// In memory: at most 2 bins, merged.
	assert.LessOrEqual(t, len(d.Series), 2)
	assert.Greater(t, d.SeriesWidth, time.Second)
	n := 0
	for _, b := range d.Series {
		n += b.Packets
		assert.Equal(t, d.SeriesWidth, b.Width)
	}
	assert.Equal(t, 200, n)
}

// TestStatsLate: a data packet held back past the latency is late.
func TestStatsLate(t *testing.T) {
	fs := frames(t, "s08_loss_pattern")
	for i := range fs {
		if fs[i].Number == 101 {
			require.Equal(t, packet.KindData, fs[i].Packet.Kind())
			fs[i].Time = fs[i].Time.Add(300 * time.Millisecond)
		}
	}
	a := trackFrames(fs)[0]
	d := a.Direction(a.Caller)
	assert.Equal(t, 1, d.Data.Late.Value)
	assert.InDelta(t, 180, float64(d.Data.MaxLateUS)/1000, 1)
	f := findCode(a.Findings(), session.CodeLatePackets)
	require.NotNil(t, f)
	assert.Contains(t, f.Text, "1 data packet from")
	assert.Contains(t, f.Text, "120 ms latency")
}

// TestStatsRetryStorm: a caller retrying against a listener that refuses
// it with 1403, 213 times (as srt-live-transmit without -a:no does), is
// one group with one retry_storm finding, also when the Tracker retires
// attempts as it goes.
func TestStatsRetryStorm(t *testing.T) {
	base := frames(t, "s05_app_reject_1403")
	var fs []session.Frame
	for i := range 213 {
		for _, f := range base {
			p := *f.Packet
			p.Handshake.SocketID += uint32(i) // a new socket each time
			f.Packet = &p
			f.Time = f.Time.Add(time.Duration(i) * 10 * time.Millisecond)
			fs = append(fs, f)
		}
	}
	for _, max := range []int{0, 16} {
		tr := session.NewTracker()
		tr.MaxAttempts = max
		var g session.Grouper
		tr.OnRetire = func(a *session.Attempt) { g.Add(a) }
		for i := range fs {
			tr.Add(&fs[i])
		}
		for _, a := range tr.Attempts() {
			g.Add(a)
		}
		groups := g.Groups()
		require.Len(t, groups, 1, "MaxAttempts %d", max)
		gr := groups[0]
		assert.Equal(t, 213, gr.Attempts)
		assert.Equal(t, fs[0].Time, gr.FirstTime)
		assert.Equal(t, fs[len(fs)-1].Time, gr.LastTime)
		assert.Equal(t, reject.Forbidden, gr.First.Reason)
		f := findCode(gr.Findings(), session.CodeRetryStorm)
		require.NotNil(t, f)
		assert.Contains(t, f.Text, "tried 213 times")
		assert.Contains(t, f.Text, "SRT_REJX_FORBIDDEN")
		assert.Len(t, gr.Findings(), 2) // rejected, retry_storm
	}
	// A different outcome, listener or Stream ID starts another group;
	// established attempts are never grouped.
	as := []*session.Attempt{track(t, "s05_app_reject_1403")[0], track(t, "s05_app_reject_2005")[0], track(t, "s01_live_plain")[0], track(t, "s01_live_plain")[0]}
	assert.Len(t, session.GroupAttempts(as), 4)
	// The Grouper's bound: the oldest groups are handed to OnEvict.
	var evicted int
	g := session.Grouper{MaxGroups: 2, OnEvict: func(*session.Group) { evicted++ }}
	for _, a := range as {
		g.Add(a)
	}
	assert.Len(t, g.Groups(), 2)
	assert.Equal(t, 2, evicted)
}
