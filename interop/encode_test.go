//go:build interop

package interop

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/srtwire/srtwire/reject"
	"github.com/srtwire/srtwire/session"
)

// libsrtReads returns the reason a libsrt 1.5.1 caller reports
// (srt_getrejectreason) when the listener rejects it with r:
//
//   - wire 1000 (r = 0, SRT_REJ_UNKNOWN) is not taken for a rejection: the
//     1.5.1 caller checks for Handshake Type > 1000, parses the answer as a
//     broken conclusion and reports SRT_REJ_ROGUE (4);
//   - internal codes from SRT_REJ_E_SIZE (17 in Debian's default build,
//     which has no SRT_REJ_CRYPTO) to 999 are collapsed to SRT_REJ_UNKNOWN
//     (0) by RejectReasonForURQ;
//   - every other code, 1-16 and 1000 upwards, comes back as it was sent.
func libsrtReads(r reject.Reason) int {
	switch {
	case r == reject.Unknown:
		return int(reject.Rogue)
	case r >= 17 && r < 1000:
		return int(reject.Unknown)
	}
	return int(r)
}

// encodeCase is one caller of the encode test.
type encodeCase struct {
	reason reject.Reason
	sid    string // the caller's Stream ID
	port   int
	how    string // how srtreject chose the reason
}

// TestEncodeAgreement runs cmd/srtreject against libsrt's caller (the C
// peer) for every SRT_REJ_* and SRT_REJX_* code and for application codes,
// and checks that srt_getrejectreason() reports the code srtreject sent
// (with libsrt 1.5.1's documented exceptions, see libsrtReads). The traffic
// is captured and checked against tshark too, and the Tracker must read
// every rejection back.
func TestEncodeAgreement(t *testing.T) {
	requireTools(t)
	begin := time.Now()
	bin := t.TempDir()
	peer := buildPeer(t, bin)
	srtreject := buildSrtreject(t, bin)
	dir := t.TempDir()
	const rulesPort, allPort = 47201, 47202

	// Every known code, unassigned ones on both sides of the ranges, and
	// application codes up to the largest the wire can carry.
	codes := reject.All()
	codes = append(codes, 19, 999, 1410, 1999, 2000, 2005, 3999, 65535, reject.MaxReason)

	var cases []encodeCase
	args := []string{"-listen", fmt.Sprintf("127.0.0.1:%d", rulesPort), "-default", "SRT_REJX_NOTFOUND"}
	for i, r := range codes {
		// Give known reasons by name half of the time, to exercise
		// reject.Parse through the rules too.
		text := strconv.Itoa(int(r))
		if r.Known() && i%2 == 0 {
			text = r.Name()
		}
		args = append(args, "-rule", fmt.Sprintf("r=code%d:%s", int32(r), text))
		cases = append(cases, encodeCase{r, fmt.Sprintf("#!::r=code%d,u=interop", int32(r)), rulesPort, "rule"})
	}
	cases = append(cases,
		encodeCase{reject.NotFound, "#!::r=nomatch", rulesPort, "-default"},
		encodeCase{reject.NotFound, "", rulesPort, "-default, no Stream ID"},
		encodeCase{reject.Forbidden, "#!::u=anyone", allPort, "-reject"},
		encodeCase{reject.Forbidden, "", allPort, "-reject, no Stream ID"},
	)

	capt := startCapture(t, dir, "srtreject", rulesPort, allPort)
	srvLog := &syncBuffer{}
	srv := start(t, "srtreject", 240*time.Second, nil, srvLog, srtreject, args...)
	srv.waitFor(t, "listening on", 10*time.Second)
	all := start(t, "srtreject -reject", 240*time.Second, nil, nil, srtreject,
		"-listen", fmt.Sprintf("127.0.0.1:%d", allPort), "-reject", "forbidden")
	all.waitFor(t, "listening on", 10*time.Second)

	// The callers, a few at a time.
	got := make([]int, len(cases))
	outs := make([]string, len(cases))
	sem := make(chan struct{}, parallelism())
	var wg sync.WaitGroup
	for i, c := range cases {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			a := []string{"call", "127.0.0.1", strconv.Itoa(c.port), "deadline=15", "conntimeo=10000", "count=1"}
			if c.sid != "" {
				a = append(a, "streamid="+c.sid)
			}
			p := start(t, "caller", 20*time.Second, nil, nil, peer, a...)
			p.wait(19 * time.Second)
			got[i], outs[i] = rejectReason(p.out.String()), p.output()
		}()
	}
	wg.Wait()
	time.Sleep(100 * time.Millisecond)
	srv.stop(syscall.SIGINT, 5*time.Second)
	all.stop(syscall.SIGTERM, 5*time.Second)
	path := capt.stop(t)

	// What libsrt read back.
	var exact, exceptions []string
	for i, c := range cases {
		want := libsrtReads(c.reason)
		if got[i] != want {
			t.Errorf("srtreject %s %v (wire %d, %s): libsrt reported %d, want %d\n%s",
				c.how, c.reason.String(), c.reason.Wire(), c.sid, got[i], want, outs[i])
			continue
		}
		if want == int(c.reason) {
			exact = append(exact, strconv.Itoa(int(c.reason)))
		} else {
			exceptions = append(exceptions, fmt.Sprintf("%d->%d", int32(c.reason), want))
		}
	}

	// srtreject's log: one line per attempt, with the reason.
	lines := strings.Split(strings.TrimSpace(srvLog.String()), "\n")
	logged := map[string]bool{}
	for _, l := range lines {
		logged[l[strings.Index(l, " sid=")+1:]] = true
	}
	rulesCases := 0
	for _, c := range cases {
		if c.port != rulesPort {
			continue
		}
		rulesCases++
		key := fmt.Sprintf("sid=%q reject=%s code=%d wire=%d", c.sid, c.reason.Name(), int32(c.reason), c.reason.Wire())
		found := false
		for l := range logged {
			found = found || strings.HasPrefix(l, key)
		}
		if !found {
			t.Errorf("srtreject logged no line %q", key)
		}
	}
	if len(lines) != rulesCases {
		t.Errorf("srtreject logged %d lines for %d attempts:\n%s", len(lines), rulesCases, srvLog.String())
	}

	// The capture: every packet agrees with tshark, and the Tracker reads
	// every attempt's rejection back.
	n, attempts := decodeCapture(t, path, []int{rulesPort, allPort})
	wantBySID := map[string][]reject.Reason{}
	for _, c := range cases {
		wantBySID[fmt.Sprint(c.port, c.sid)] = append(wantBySID[fmt.Sprint(c.port, c.sid)], c.reason)
	}
	rejected := 0
	for _, a := range attempts {
		if a.Outcome != session.OutcomeRejected {
			t.Errorf("attempt from %v (%q): %v, want rejected", a.Caller, a.StreamID, a.Outcome)
			continue
		}
		key := fmt.Sprint(a.Listener.Port(), a.StreamID)
		ws := wantBySID[key]
		if len(ws) == 0 || ws[0] != a.Reason {
			t.Errorf("attempt %q on port %d: the wire says %v, want %v", a.StreamID, a.Listener.Port(), a.Reason.String(), ws)
			continue
		}
		wantBySID[key] = ws[1:]
		rejected++
	}
	if rejected != len(cases) {
		t.Errorf("the Tracker found %d rejected attempts, want %d", rejected, len(cases))
	}
	sort.Strings(exceptions)
	t.Logf("encode agreement: %d callers, %d codes read back exactly by libsrt %s: %s",
		len(cases), len(exact), srtVersion(), strings.Join(exact, " "))
	t.Logf("libsrt 1.5.1 exceptions (sent->read): %s", strings.Join(exceptions, " "))
	t.Logf("capture: %d SRT packets, %d fields compared with tshark, %d with the raw bytes; %d rejections tracked; in %v",
		n.Packets, n.TShark, n.Raw, rejected, time.Since(begin).Round(time.Millisecond))
}
