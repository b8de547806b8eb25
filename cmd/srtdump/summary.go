package main

import (
	"fmt"
	"strconv"
	"text/tabwriter"
	"unicode"
	"unicode/utf8"

	"github.com/srtwire/srtwire/session"
)

// summary writes -summary for attempts of a capture: one row (or, with
// -json, one JSON line) per attempt that passes the -rejects and -stream-id
// filters, until -count attempts were written over all captures. It is
// called for each batch of attempts the Tracker retires, as they are
// retired, and for the attempts left at the end of the capture; a text
// batch is a table of its own, followed by its rejection paragraphs.
func (d *dumper) summary(file string, attempts []*session.Attempt) {
	var sel []*session.Attempt
	for _, a := range attempts {
		if d.done() {
			break
		}
		if d.cfg.rejects && a.Outcome != session.OutcomeRejected {
			continue
		}
		if d.cfg.streamID != "" && !d.sidMatch(a.StreamID) {
			continue
		}
		sel = append(sel, a)
		d.printed++
	}
	if d.cfg.json {
		for _, a := range sel {
			d.json.attempt(a)
		}
		return
	}
	d.summaryTable(file, sel)
}

// summaryTable writes the attempts as a table, then one paragraph per
// rejected attempt explaining the rejection. Rows are numbered on from
// the capture's previous table.
func (d *dumper) summaryTable(file string, sel []*session.Attempt) {
	if len(sel) == 0 {
		return
	}
	if d.multi && !d.headed {
		fmt.Fprintf(d.out, "%s:\n", file)
	}
	if d.headed {
		d.out.WriteByte('\n')
	}
	d.headed = true
	first := d.rows + 1
	d.rows += len(sel)
	tw := tabwriter.NewWriter(d.out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "#\tCALLER\tLISTENER\tMODE\tFRAMES\tSTREAM ID\tENCRYPTION\tLATENCY\tOUTCOME\tHS RTT\tDATA\tRETX\tLOST")
	for i, a := range sel {
		outcome := a.Outcome.String()
		if a.Outcome == session.OutcomeRejected {
			outcome = "rejected: " + a.Reason.Name()
		}
		enc := a.Encryption()
		if enc == "" {
			enc = "none"
		}
		if a.KMStateSet {
			enc += " (" + a.KMState.String() + ")"
		}
		sid := "-"
		if a.StreamID != "" {
			sid = displayString(a.StreamID)
		}
		if a.Truncated {
			sid += "... (cut at libsrt's limit)"
		}
		rtt := "-"
		if a.HandshakeRTT > 0 {
			rtt = strconv.FormatFloat(float64(a.HandshakeRTT.Microseconds())/1000, 'f', 3, 64) + "ms"
		}
		lat := "-"
		if a.HandshakeSeen {
			lat = strconv.Itoa(a.LatencyMS) + "ms"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%d-%d\t%s\t%s\t%s\t%s\t%s\t%d\t%d\t%d\n", first+i, a.Caller, a.Listener, a.Mode,
			a.FirstFrame, a.LastFrame, sid, enc, lat, outcome, rtt, a.DataPackets, a.Retransmitted, a.Lost)
	}
	tw.Flush()
	for i, a := range sel {
		if a.Outcome != session.OutcomeRejected {
			continue
		}
		b := fmt.Appendf(nil, "\n#%d %s was refused by %s: ", first+i, a.Caller, a.Listener)
		b = appendReason(b, a.Reason)
		b = append(b, '\n')
		d.out.Write(b)
	}
}

// attempt writes one attempt as a JSON line (-summary -json).
func (j *jsonWriter) attempt(a *session.Attempt) {
	j.start()
	w := &j.w
	w.addr("caller", a.Caller)
	w.addr("listener", a.Listener)
	w.str("mode", a.Mode.String())
	w.int("first_frame", int64(a.FirstFrame))
	w.int("last_frame", int64(a.LastFrame))
	w.str("stream_id", a.StreamID)
	if a.Truncated {
		w.bool("truncated", true)
	}
	w.str("encryption", a.Encryption())
	if a.KMStateSet {
		w.str("km_state", a.KMState.String())
	}
	w.int("latency_ms", int64(a.LatencyMS))
	w.str("congestion", a.Congestion)
	w.str("filter", a.Filter)
	w.str("outcome", a.Outcome.String())
	if a.Outcome == session.OutcomeRejected {
		w.reject(a.Reason)
	}
	w.int("handshake_rtt_us", a.HandshakeRTT.Microseconds())
	w.int("data_packets", int64(a.DataPackets))
	w.int("retransmitted", int64(a.Retransmitted))
	w.int("lost", int64(a.Lost))
	j.finish()
}

// displayString returns s for the text output: as it is when it is valid
// UTF-8 of printable characters other than '"' and '\\', and quoted with
// Go's escapes otherwise, so that no control character reaches the
// terminal and a tab cannot break the table.
func displayString(s string) string {
	if !utf8.ValidString(s) {
		return strconv.Quote(s)
	}
	for _, r := range s {
		if !unicode.IsPrint(r) || r == '"' || r == '\\' {
			return strconv.Quote(s)
		}
	}
	return s
}
