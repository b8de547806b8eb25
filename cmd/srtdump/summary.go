package main

import (
	"fmt"
	"path"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/srtwire/srtwire/session"
)

// summary writes -summary: one row (or, with -json, one JSON line) per
// connection attempt of a capture, after the -rejects, -stream-id and
// -count filters.
func (d *dumper) summary(file string, attempts []*session.Attempt) {
	var sel []*session.Attempt
	for _, a := range attempts {
		if d.cfg.rejects && a.Outcome != session.OutcomeRejected {
			continue
		}
		if d.cfg.streamID != "" {
			if ok, _ := path.Match(d.cfg.streamID, a.StreamID); !ok {
				continue
			}
		}
		if d.cfg.count > 0 && len(sel) >= d.cfg.count {
			break
		}
		sel = append(sel, a)
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
// rejected attempt explaining the rejection.
func (d *dumper) summaryTable(file string, sel []*session.Attempt) {
	if len(sel) == 0 {
		return
	}
	if d.multi {
		fmt.Fprintf(d.out, "%s:\n", file)
	}
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
		sid := a.StreamID
		if sid == "" {
			sid = "-"
		}
		rtt := "-"
		if a.HandshakeRTT > 0 {
			rtt = a.HandshakeRTT.Round(time.Microsecond).String()
		}
		lat := "-"
		if a.HandshakeSeen {
			lat = strconv.Itoa(a.LatencyMS) + "ms"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%d-%d\t%s\t%s\t%s\t%s\t%s\t%d\t%d\t%d\n", i+1, a.Caller, a.Listener, a.Mode,
			a.FirstFrame, a.LastFrame, sid, enc, lat, outcome, rtt, a.DataPackets, a.Retransmitted, a.Lost)
	}
	tw.Flush()
	for i, a := range sel {
		if a.Outcome != session.OutcomeRejected {
			continue
		}
		b := fmt.Appendf(nil, "\n#%d %s was refused by %s: ", i+1, a.Caller, a.Listener)
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
