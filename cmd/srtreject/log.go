package main

import (
	"fmt"
	"io"
	"net/netip"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/srtwire/srtwire/reject"
)

// Bounds of the log. The serving loop never waits for it: events go
// through a queue of logQueue entries to a writer goroutine, and an event
// that finds the queue full is dropped and counted. Repeats are
// aggregated: per caller (address and port) and reason, at most one line
// per logWindow, and a count of the others once the window ends. A line
// is at most about 400 bytes (the Stream ID is quoted up to maxLogSID
// bytes), and at most logBurst lines are written per window whatever the
// number of callers: so the log grows by at most about
// 60 × 400 × logBurst bytes a minute (2.4 MB), however hostile the traffic.
const (
	logQueue  = 1024
	logWindow = time.Second
	logBurst  = 100
	maxLogSID = 128
	maxAggs   = 4096
)

type aggKey struct {
	caller netip.AddrPort
	reason reject.Reason
}

type agg struct {
	last       event // the last event of the window, for the summary line
	suppressed int
	seen       time.Time
}

// eventLog writes rejections (to log) and, when verbose is not nil, the
// other events, without ever blocking the caller of add.
type eventLog struct {
	q       chan event
	log     io.Writer
	verbose io.Writer
	dropped atomic.Int64
	wg      sync.WaitGroup

	// Owned by the writer goroutine.
	aggs        map[aggKey]*agg
	windowLines int
	windowStart time.Time
}

func newEventLog(log, verbose io.Writer) *eventLog {
	l := &eventLog{q: make(chan event, logQueue), log: log, verbose: verbose, aggs: make(map[aggKey]*agg)}
	l.wg.Add(1)
	go l.run()
	return l
}

// add queues ev for logging, or counts it dropped if the queue is full.
func (l *eventLog) add(ev event) {
	select {
	case l.q <- ev:
	default:
		l.dropped.Add(1)
	}
}

// close flushes what is queued and the pending counts, and stops the
// writer. It returns once the writer is done, or after a second if the
// output blocks.
func (l *eventLog) close() {
	close(l.q)
	done := make(chan struct{})
	go func() { l.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(time.Second):
	}
}

func (l *eventLog) run() {
	defer l.wg.Done()
	tick := time.NewTicker(logWindow)
	defer tick.Stop()
	for {
		select {
		case ev, ok := <-l.q:
			if !ok {
				l.flush(time.Now(), true)
				return
			}
			l.write(ev)
		case now := <-tick.C:
			l.flush(now, false)
		}
	}
}

func (l *eventLog) write(ev event) {
	if ev.Kind != evRejected && ev.Kind != evShutdownHSv4 && ev.Kind != evAccepted || ev.Duplicate {
		if l.verbose != nil {
			fmt.Fprintln(l.verbose, formatVerbose(&ev))
		}
		return
	}
	k := aggKey{ev.Caller, ev.Reason}
	a := l.aggs[k]
	if a != nil && ev.Time.Sub(a.seen) < logWindow {
		a.suppressed++
		a.last = ev
		return
	}
	if a == nil {
		if len(l.aggs) >= maxAggs {
			l.flush(ev.Time, true)
		}
		a = &agg{}
		l.aggs[k] = a
	}
	a.seen, a.last = ev.Time, ev
	if ev.Time.Sub(l.windowStart) >= logWindow {
		l.windowStart, l.windowLines = ev.Time, 0
	}
	if l.windowLines >= logBurst {
		a.suppressed++
		return
	}
	l.windowLines++
	fmt.Fprintln(l.log, formatEvent(&ev))
}

// flush writes one summary line per caller whose repeats were suppressed
// in the window that ended, and the count of dropped events; all forgets
// every caller.
func (l *eventLog) flush(now time.Time, all bool) {
	for k, a := range l.aggs {
		if a.suppressed > 0 {
			fmt.Fprintln(l.log, formatRepeats(&a.last, a.suppressed))
			a.suppressed = 0
		}
		if all || now.Sub(a.seen) > 10*logWindow {
			delete(l.aggs, k)
		}
	}
	if n := l.dropped.Swap(0); n > 0 {
		fmt.Fprintf(l.log, "%s srtreject: %d events not logged: the log output was too slow\n", now.Format(logTime), n)
	}
}

const logTime = "2006-01-02T15:04:05.000Z07:00"

// quoteCapped quotes s, cut to max bytes with the full length noted.
func quoteCapped(s string, max int) string {
	if len(s) <= max {
		return strconv.Quote(s)
	}
	return strconv.Quote(s[:max]) + "...(" + strconv.Itoa(len(s)) + " bytes)"
}

// formatEvent returns the line for a rejected (or HSv4) attempt, or "" for
// other events.
func formatEvent(ev *event) string {
	ts := ev.Time.Format(logTime)
	switch ev.Kind {
	case evRejected:
		v := ""
		if ev.SRT != 0 {
			v = " srt=" + ev.SRT.String()
		}
		return fmt.Sprintf("%s caller=%s socket=0x%08x%s sid=%s reject=%s code=%d wire=%d (%s)",
			ts, ev.Caller, ev.SocketID, v, quoteCapped(ev.StreamID, maxLogSID), ev.Reason.Name(), int32(ev.Reason), ev.Reason.Wire(), ev.Why)
	case evShutdownHSv4:
		if ev.Why != "" {
			return fmt.Sprintf("%s caller=%s socket=0x%08x hsv=%d reject=SHUTDOWN code=%d (HSv4 callers get no rejection code; %s)",
				ts, ev.Caller, ev.SocketID, ev.Version, int32(ev.Reason), ev.Why)
		}
		return fmt.Sprintf("%s caller=%s socket=0x%08x hsv=%d reject=SHUTDOWN (HSv4 callers get no rejection code)",
			ts, ev.Caller, ev.SocketID, ev.Version)
	case evAccepted:
		v, km := "", ""
		if ev.SRT != 0 {
			v = " srt=" + ev.SRT.String()
		}
		if ev.KMRSP {
			km = " km=" + ev.KMState.String()
		}
		return fmt.Sprintf("%s caller=%s socket=0x%08x%s sid=%s accept%s, then SHUTDOWN (%s)",
			ts, ev.Caller, ev.SocketID, v, quoteCapped(ev.StreamID, maxLogSID), km, ev.Why)
	}
	return ""
}

// formatRepeats is the line that sums up n suppressed repeats of a caller.
func formatRepeats(last *event, n int) string {
	what := "rejected again with " + last.Reason.Name()
	if last.Kind == evAccepted {
		what = "accepted again"
	}
	if last.Kind == evShutdownHSv4 {
		what = "answered again with SHUTDOWN"
	}
	return fmt.Sprintf("%s caller=%s: %d more attempt(s) %s in the last second (last socket=0x%08x sid=%s)",
		last.Time.Format(logTime), last.Caller, n, what, last.SocketID, quoteCapped(last.StreamID, maxLogSID))
}

func formatVerbose(ev *event) string {
	switch {
	case ev.Kind == evInduced:
		return fmt.Sprintf("srtreject: INDUCTION from %s socket=0x%08x: answered", ev.Caller, ev.SocketID)
	case ev.Duplicate:
		return fmt.Sprintf("srtreject: repeated CONCLUSION from %s socket=0x%08x: rejected again", ev.Caller, ev.SocketID)
	}
	return fmt.Sprintf("srtreject: ignored %d bytes from %s: %s", ev.Size, ev.Caller, ev.Note)
}
