package session

import (
	"fmt"
	"net/netip"
	"time"

	"github.com/srtwire/srtwire/reject"
)

// Group is a run of attempts from one caller host to one listener that
// ended the same way: a caller retrying against a listener that refuses
// it (srt-live-transmit reconnects every few milliseconds unless run with
// -a:no) becomes one Group rather than hundreds of rows. An established
// attempt is always a Group of its own.
type Group struct {
	// First and Last are the first and the newest attempt of the group;
	// the figures of a one-attempt group are First's.
	First, Last *Attempt
	// Attempts counts the attempts.
	Attempts int
	// FirstTime is when the first attempt started, LastTime when the last
	// one saw its last frame.
	FirstTime, LastTime time.Time
}

// groupKey is what the attempts of a Group share.
type groupKey struct {
	caller   netip.Addr
	listener netip.AddrPort
	outcome  Outcome
	reason   reject.Reason
	sid      string
}

func keyOf(a *Attempt) groupKey {
	return groupKey{caller: a.Caller.Addr(), listener: a.Listener, outcome: a.Outcome, reason: a.Reason, sid: a.StreamID}
}

// Grouper groups attempts as they come, for a streaming summary: feed it
// the attempts in the order they started (those OnRetire hands over, then
// those Tracker.Attempts returns). It keeps at most MaxGroups groups open;
// beyond that the oldest is handed to OnEvict (if set) and forgotten.
type Grouper struct {
	// MaxGroups bounds the open groups; 0 means DefaultMaxGroups.
	MaxGroups int
	// OnEvict, if set, receives each group closed to stay within
	// MaxGroups, oldest first. Groups returns only the open ones.
	OnEvict func(*Group)

	open   map[groupKey]*Group
	groups []*Group // open and evicted-but-not-compacted, in order of their first attempt
	head   int
}

// DefaultMaxGroups is the number of groups a Grouper keeps open by default.
const DefaultMaxGroups = 1 << 15

// Add adds an attempt and returns its group.
func (g *Grouper) Add(a *Attempt) *Group {
	if g.open == nil {
		g.open = make(map[groupKey]*Group)
	}
	groupable := a.Outcome != OutcomeEstablished
	k := keyOf(a)
	if groupable {
		if gr := g.open[k]; gr != nil {
			gr.Attempts++
			gr.Last = a
			if a.LastTime.After(gr.LastTime) {
				gr.LastTime = a.LastTime
			}
			return gr
		}
	}
	gr := &Group{First: a, Last: a, Attempts: 1, FirstTime: a.FirstTime, LastTime: a.LastTime}
	limit := g.MaxGroups
	if limit <= 0 {
		limit = DefaultMaxGroups
	}
	for len(g.groups)-g.head >= limit {
		old := g.groups[g.head]
		g.groups[g.head] = nil
		g.head++
		if ok := keyOf(old.First); g.open[ok] == old {
			delete(g.open, ok)
		}
		if g.OnEvict != nil {
			g.OnEvict(old)
		}
	}
	if g.head > len(g.groups)/2 {
		n := copy(g.groups, g.groups[g.head:])
		clear(g.groups[n:])
		g.groups, g.head = g.groups[:n], 0
	}
	g.groups = append(g.groups, gr)
	if groupable {
		g.open[k] = gr
	}
	return gr
}

// Groups returns the open groups in the order of their first attempt.
func (g *Grouper) Groups() []*Group { return g.groups[g.head:] }

// GroupAttempts groups attempts (in the order they started) into runs of
// the same caller host, listener, outcome, reason and Stream ID.
func GroupAttempts(attempts []*Attempt) []*Group {
	var g Grouper
	g.MaxGroups = len(attempts) + 1
	for _, a := range attempts {
		g.Add(a)
	}
	return g.Groups()
}

// Findings returns the findings of the group's first attempt and, when
// the group holds RetryStormMin attempts or more, a retry_storm finding.
func (g *Group) Findings() []Finding {
	out := g.First.Findings()
	if g.Attempts < RetryStormMin {
		return out
	}
	a := g.First
	span := g.LastTime.Sub(g.FirstTime)
	rate := ""
	if s := span.Seconds(); s > 0 {
		rate = fmt.Sprintf(" (%.0f a second)", float64(g.Attempts)/s)
	}
	what := a.Outcome.String()
	advice := "check why the listener does not answer before the caller retries"
	if a.Outcome == OutcomeRejected {
		what = "rejected with " + a.Reason.Name()
		if a.Reason.Retryable() {
			advice = "the reason may clear by itself, but retrying this fast only loads the listener"
		} else {
			advice = "retrying cannot cure this reason: fix the caller's settings, or stop it (srt-live-transmit reconnects unless run with -a:no)"
		}
	}
	out = append(out, Finding{Level: LevelWarning, Code: CodeRetryStorm, Text: fmt.Sprintf(
		"%s tried %d times in %s%s to connect to %s and was %s each time: %s.",
		a.Caller.Addr(), g.Attempts, span.Round(time.Millisecond), rate, a.Listener, what, advice)})
	return out
}
