package srtfuzz

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
	"time"
)

// Report is what a run found: cases and answers per mutation class, where
// the target answered otherwise than Decide says libsrt 1.5.1 does, and
// the findings.
type Report struct {
	Target        string         `json:"target"`
	Seed          uint64         `json:"seed"`
	Listener      string         `json:"decide_config"`
	Start         time.Time      `json:"start"`
	Elapsed       float64        `json:"elapsed_s"`
	Cases         int            `json:"cases"`
	Skipped       int            `json:"skipped"`
	Sent          int            `json:"datagrams_sent"`
	Received      int            `json:"datagrams_received"`
	Probes        int            `json:"probes"`
	ProbesFailed  int            `json:"probes_failed"`
	Confirmations int            `json:"confirmation_runs"`
	Classes       []*ClassReport `json:"classes"`
	Differences   []*Difference  `json:"differences"`
	Findings      []*Finding     `json:"findings"`
	// Stopped says why the run ended.
	Stopped string `json:"stopped"`
}

// ClassReport counts the cases of one class and the answers they got.
type ClassReport struct {
	Name  string `json:"name"`
	Phase string `json:"phase"`
	Cases int    `json:"cases"`
	// Skipped counts the cases left out by Config.Avoid.
	Skipped int `json:"skipped,omitempty"`
	// Bytes counts the cases with byte-level mutation on top.
	Bytes int `json:"with_byte_mutation"`
	// Answers counts the answers to the CONCLUSION (see Classify).
	Answers map[string]int `json:"answers"`
	// Post counts the answers to the post-handshake packets.
	Post map[string]int `json:"post_answers,omitempty"`
	// Differs counts the cases answered otherwise than Decide says, on the
	// first run and again on the second (Confirmed) or not re-run;
	// Transient those answered as Decide says on the second run.
	Differs   int `json:"differs"`
	Confirmed int `json:"differs_confirmed"`
	Transient int `json:"transient"`
}

// Difference is one way the target answered otherwise than libsrt would,
// by the libsrt check that decides.
type Difference struct {
	Check     string         `json:"libsrt_check"`
	Expected  string         `json:"decide"`
	Answer    string         `json:"answer"`
	Cases     int            `json:"cases"`
	Confirmed int            `json:"confirmed"`
	Classes   map[string]int `json:"classes"`
	Example   uint64         `json:"example_case"`
	Variant   string         `json:"example_variant"`
	Datagram  string         `json:"example_datagram"`
	Hex       string         `json:"example_hex"`
}

// Finding is a crash or a liveness failure, with its reproducer.
type Finding struct {
	N       int       `json:"n"`
	Kind    string    `json:"kind"` // "crash" or "liveness"
	Target  string    `json:"target"`
	Detail  string    `json:"detail"`
	Time    time.Time `json:"time"`
	Class   string    `json:"class"`
	Cases   []uint64  `json:"cases"`
	Variant string    `json:"variant,omitempty"`
	// Window is how many cases ran since the last good probe; Minimized
	// says that replaying them one by one found the one that does it.
	Window    int      `json:"window"`
	Minimized bool     `json:"minimized"`
	Repeats   int      `json:"repeats"`
	Files     []string `json:"files"`
}

// WriteJSON writes the report as one JSON document.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// summary splits answers into the report's columns.
func summary(m map[string]int) (silent, rejected, accepted, other int) {
	for k, v := range m {
		switch {
		case k == AnswerSilent:
			silent += v
		case strings.HasPrefix(k, "reject ") || k == AnswerShutdown:
			rejected += v
		case strings.HasPrefix(k, AnswerAccept):
			accepted += v
		default:
			other += v
		}
	}
	return
}

// sortedCounts renders m as "k n, k n", largest first.
func sortedCounts(m map[string]int) string {
	type kv struct {
		k string
		v int
	}
	var s []kv
	for k, v := range m {
		s = append(s, kv{k, v})
	}
	sort.Slice(s, func(i, j int) bool { return s[i].v > s[j].v || (s[i].v == s[j].v && s[i].k < s[j].k) })
	var parts []string
	for _, e := range s {
		parts = append(parts, fmt.Sprintf("%s %d", e.k, e.v))
	}
	return strings.Join(parts, ", ")
}

// WriteText writes the report for people.
func (r *Report) WriteText(w io.Writer) {
	rate := 0.0
	if r.Elapsed > 0 {
		rate = float64(r.Cases) / r.Elapsed
	}
	target := r.Target
	if ts := strings.Split(target, ","); len(ts) > 2 {
		target = fmt.Sprintf("%s and %d more", ts[0], len(ts)-1)
	}
	fmt.Fprintf(w, "srtfuzz report: target %s, seed %d, %d cases in %.1fs (%.0f/s), %d datagrams sent, %d received\n",
		target, r.Seed, r.Cases, r.Elapsed, rate, r.Sent, r.Received)
	fmt.Fprintf(w, "compared with Decide (libsrt 1.5.1) configured as: %s\n", r.Listener)
	fmt.Fprintf(w, "liveness probes: %d, %d unanswered; %d re-runs to confirm differences; stopped: %s\n",
		r.Probes, r.ProbesFailed, r.Confirmations, r.Stopped)
	if r.Skipped > 0 {
		fmt.Fprintf(w, "%d case(s) left out by -avoid\n", r.Skipped)
	}
	fmt.Fprintln(w)

	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "class\tphase\tcases\t+bytes\tsilent\trejected\taccepted\tother\tdiffers\tconfirmed\ttransient\t")
	var tot ClassReport
	tot.Answers = map[string]int{}
	for _, c := range r.Classes {
		s, rj, a, o := summary(c.Answers)
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t\n", c.Name, shortPhase(c.Phase), c.Cases, c.Bytes, s, rj, a, o, c.Differs, c.Confirmed, c.Transient)
		tot.Cases += c.Cases
		tot.Bytes += c.Bytes
		tot.Differs += c.Differs
		tot.Confirmed += c.Confirmed
		tot.Transient += c.Transient
		for k, v := range c.Answers {
			tot.Answers[k] += v
		}
	}
	s, rj, a, o := summary(tot.Answers)
	fmt.Fprintf(tw, "all\t\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t\n", tot.Cases, tot.Bytes, s, rj, a, o, tot.Differs, tot.Confirmed, tot.Transient)
	tw.Flush()

	fmt.Fprintln(w, "\nanswers per class (to the CONCLUSION; after the handshake for post-handshake classes):")
	for _, c := range r.Classes {
		if c.Cases == 0 {
			continue
		}
		fmt.Fprintf(w, "  %s: %s\n", c.Name, sortedCounts(c.Answers))
		if len(c.Post) > 0 {
			fmt.Fprintf(w, "  %s after the handshake: %s\n", c.Name, sortedCounts(c.Post))
		}
	}

	fmt.Fprintln(w, "\ndifferences from libsrt (what Decide answers), by libsrt check:")
	if len(r.Differences) == 0 {
		fmt.Fprintln(w, "  none")
	}
	for _, d := range r.Differences {
		fmt.Fprintf(w, "  %s\n    Decide: %s; target: %s; %d case(s), %d confirmed, in %s\n    e.g. case %d (%s): %s\n",
			d.Check, d.Expected, d.Answer, d.Cases, d.Confirmed, sortedCounts(d.Classes), d.Example, clip(d.Variant, 160), d.Datagram)
	}

	fmt.Fprintln(w, "\nfindings:")
	if len(r.Findings) == 0 {
		fmt.Fprintln(w, "  none")
	}
	for _, f := range r.Findings {
		how := fmt.Sprintf("%d case(s) since the last good probe", f.Window)
		if f.Minimized {
			how = fmt.Sprintf("one case of the %d since the last good probe, found by replaying them", f.Window)
		}
		fmt.Fprintf(w, "  %d. %s of %s: %s\n     class %s, case(s) %s (%s)\n", f.N, f.Kind, f.Target, f.Detail, f.Class, joinCases(f.Cases), how)
		if f.Variant != "" {
			fmt.Fprintf(w, "     %s\n", clip(f.Variant, 200))
		}
		if f.Repeats > 0 {
			fmt.Fprintf(w, "     seen %d more time(s)\n", f.Repeats)
		}
		fmt.Fprintf(w, "     reproducer: %s\n", strings.Join(f.Files, ", "))
	}
}

func shortPhase(p string) string {
	if p == PhasePost.String() {
		return "post"
	}
	return "conclusion"
}

func joinCases(ns []uint64) string {
	var s []string
	for i, n := range ns {
		if i == 8 {
			s = append(s, fmt.Sprintf("... (%d)", len(ns)))
			break
		}
		s = append(s, fmt.Sprint(n))
	}
	return strings.Join(s, ",")
}
