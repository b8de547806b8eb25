package main

import (
	"bytes"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/srtwire/srtwire/internal/report"
	"github.com/srtwire/srtwire/session"
)

// -stats: per connection attempt (a group of retries counts as one) and
// direction, the statistics of session.Direction and the findings.

// statsBlock writes one -stats text block: a heading line with the
// attempt's summary, a table with a column per direction, and the notes
// (findings, retries, passphrases).
func (d *dumper) statsBlock(n int, g *session.Group) {
	a := g.First
	if d.multi && !d.headed {
		fmt.Fprintf(d.out, "%s:\n", d.name)
	}
	if d.headed {
		d.out.WriteByte('\n')
	}
	d.headed = true
	var b []byte
	b = fmt.Appendf(b, "#%d  %s > %s  %s  %s  frames %d-%d  from %s\n", n, a.Caller, a.Listener, report.ModeText(a), outcomeText(g),
		a.FirstFrame, g.Last.LastFrame, fmtTime(g.FirstTime))
	b = append(b, "    "...)
	if a.StreamID != "" {
		b = fmt.Appendf(b, "stream ID %s  ", report.DisplayString(a.StreamID))
	}
	b = fmt.Appendf(b, "encryption %s", a.EncryptionText())
	if a.LatencyKnown() {
		b = fmt.Appendf(b, "  latency %d ms", a.LatencyMS)
	}
	if a.HandshakeRTT > 0 {
		b = fmt.Appendf(b, "  handshake RTT %.3f ms", float64(a.HandshakeRTT.Microseconds())/1000)
	}
	if a.ConclusionSeen() {
		b = fmt.Appendf(b, "  congestion %s", a.Congestion)
	}
	if a.Filter != "" {
		b = fmt.Appendf(b, "  filter %s", report.DisplayString(a.Filter))
	}
	if code, ok := a.PeerError.Get(); ok {
		b = fmt.Appendf(b, "  PEERERROR %s", report.PeerErrorText(code))
	}
	b = append(b, '\n')
	d.out.Write(b)

	if dirs := a.Directions(); len(dirs) > 0 {
		d.out.WriteByte('\n')
		var buf bytes.Buffer
		tw := tabwriter.NewWriter(&buf, 0, 0, 3, ' ', 0)
		names := sideNames(a)
		fmt.Fprint(tw, "    ")
		for _, dir := range dirs {
			from, to := names[0], names[1]
			if dir.From != a.Caller {
				from, to = to, from
			}
			fmt.Fprintf(tw, "\t%s > %s", strings.TrimPrefix(from, "the "), strings.TrimPrefix(to, "the "))
		}
		fmt.Fprint(tw, "\n")
		for _, r := range report.StatRows { // one table for -stats and the -html report
			if r.Label == "" {
				fmt.Fprint(tw, strings.Repeat("\t", len(dirs))+"\n")
				continue
			}
			fmt.Fprintf(tw, "    %s", r.Label)
			for _, dir := range dirs {
				fmt.Fprintf(tw, "\t%s", r.Value(dir))
			}
			fmt.Fprint(tw, "\n")
		}
		tw.Flush()
		for _, l := range bytes.SplitAfter(buf.Bytes(), []byte("\n")) {
			if t := bytes.TrimRight(l, " \n"); len(t) > 0 || len(l) > 0 {
				d.out.Write(t)
				if len(l) > 0 && l[len(l)-1] == '\n' {
					d.out.WriteByte('\n')
				}
			}
		}
	}
	fs := g.Findings()
	b = appendNotes(b[:0], "    ", g, fs, d.kms[a], len(d.cfg.passphrases) > 0)
	if len(fs) == 0 {
		if len(b) == 0 {
			b = append(b, '\n')
		}
		b = append(b, "    no findings\n"...)
	}
	d.out.Write(b)
}

// stats writes one group as a -stats -json line: the summary keys, the
// directions and the findings.
func (j *jsonWriter) stats(g *session.Group, k *kmSides, nPass int) {
	j.start()
	j.summaryKeys(g, k, nPass)
	w := &j.w
	w.arrKey("directions")
	for _, d := range g.First.Directions() {
		w.objStart()
		j.direction(d)
		w.objEnd()
	}
	w.arrEnd()
	w.findings(g.Findings())
	j.finish()
}

// direction writes the keys of one direction (docs/srtdump-json.md, "Stats").
// Unknown figures are omitted.
func (j *jsonWriter) direction(d *session.Direction) {
	w := &j.w
	w.addr("from", d.From)
	w.addr("to", d.To)
	if d.Data.Packets > 0 {
		w.time("first_data", d.FirstData)
		w.time("last_data", d.LastData)
		w.float("duration_s", d.Duration().Seconds(), 6)
	}
	if d.Data.Packets > 1 {
		w.float("longest_gap_s", d.LongestGap.Seconds(), 6)
	}
	if v, ok := d.LatencyMS.Get(); ok {
		w.int("latency_ms", int64(v))
	}

	dt := &d.Data
	w.objKey("data")
	w.int("packets", int64(dt.Packets))
	w.int("original", int64(dt.Original))
	w.int("retransmitted", int64(dt.Retransmitted))
	if t, ok := dt.RetransmittedTimes.Get(); ok {
		w.objKey("retransmitted_times")
		for i, k := range [5]string{"1", "2", "3", "4", "5+"} {
			w.int(k, int64(t[i]))
		}
		w.objEnd()
	}
	w.int("payload_bytes", dt.PayloadBytes)
	w.int("original_bytes", dt.OriginalBytes)
	optKey(w, "lost", dt.Lost)
	optKey(w, "recovered", dt.Recovered)
	optKey(w, "unrecovered", dt.Unrecovered)
	if dt.Unrecovered.Known {
		w.arrKey("unrecovered_seqs")
		for _, s := range dt.UnrecoveredSeqs {
			w.elemInt(int64(s))
		}
		w.arrEnd()
		if dt.UnrecoveredMore {
			w.bool("unrecovered_more", true)
		}
	}
	w.int("gap_loss", int64(dt.GapLoss))
	w.int("reordered", int64(dt.Reordered))
	w.int("duplicates", int64(dt.Duplicates))
	w.int("too_old", int64(dt.TooOld))
	optKey(w, "late", dt.Late)
	if dt.Late.Value > 0 {
		w.int("max_late_us", dt.MaxLateUS)
	}
	w.int("fec", int64(dt.FEC))
	w.int("fec_bytes", dt.FECBytes)
	w.int("dropped", int64(dt.Dropped))
	w.int("encrypted", int64(dt.Encrypted))
	optKey(w, "decrypted", dt.Decrypted)
	optKey(w, "decrypt_failed", dt.DecryptFailed)
	optKey(w, "undecryptable", dt.Undecryptable)
	w.objEnd()

	c := &d.Control
	w.objKey("control")
	w.int("ack_full", int64(c.ACKFull))
	w.int("ack_small", int64(c.ACKSmall))
	w.int("ack_light", int64(c.ACKLight))
	w.int("ackack", int64(c.ACKACK))
	w.int("nak", int64(c.NAK))
	w.int("nak_seqs", int64(c.NAKSeqs))
	optKey(w, "nak_distinct", c.NAKDistinct)
	w.int("dropreq", int64(c.DropReq))
	w.int("keepalive", int64(c.Keepalive))
	w.int("shutdown", int64(c.Shutdown))
	w.int("peer_errors", int64(c.PeerError))
	w.int("handshakes", int64(c.Handshake))
	w.int("km_req", int64(c.KMReq))
	w.int("km_rsp", int64(c.KMRsp))
	w.int("cgwarning", int64(c.CGWarning))
	w.int("other", int64(c.Other))
	w.objEnd()

	k := &d.Keys
	w.objKey("keys")
	w.int("clear", int64(k.Clear))
	w.int("even", int64(k.Even))
	w.int("odd", int64(k.Odd))
	w.int("switches", int64(k.Switches))
	w.int("refreshes", int64(k.Refreshes))
	w.int("answers", int64(k.Answers))
	w.int("refused", int64(k.Refused))
	w.objEnd()

	if r, ok := d.Rates(); ok {
		w.objKey("rates_mbps")
		w.float("payload", r.Payload, 6)
		w.float("payload_srt", r.PayloadSRT, 6)
		w.float("payload_srt_udp", r.PayloadSRTUDP, 6)
		w.float("payload_srt_udp_ip", r.PayloadSRTUDPIP, 6)
		w.float("payload_orig", r.OrigPayload, 6)
		w.float("payload_srt_orig", r.OrigPayloadSRT, 6)
		w.float("payload_srt_udp_orig", r.OrigPayloadSRTUDP, 6)
		w.float("payload_srt_udp_ip_orig", r.OrigPayloadSRTUDPIP, 6)
		w.objEnd()
	}
	optFloat(w, "overhead_pct", d.OverheadPct(), 3)
	optFloat(w, "retransmitted_pct", d.RetransmittedPct(), 3)
	optFloat(w, "loss_pct", d.LossPct(), 3)
	summaryKey(w, "rtt_us", d.RTT)
	summaryKey(w, "rtt_var_us", d.RTTVar)
	summaryKey(w, "ackack_rtt_us", d.ACKACKRTT)
	if v, ok := d.JitterUS.Get(); ok {
		w.float("jitter_us", v, 1)
	}
	summaryKey(w, "bandwidth_pkts", d.Bandwidth)
	summaryKey(w, "recv_rate_pkts", d.RecvRatePkts)
	summaryKey(w, "recv_rate_bytes", d.RecvRateBytes)
}

func optKey(w *jw, k string, o session.Opt[int]) {
	if v, ok := o.Get(); ok {
		w.int(k, int64(v))
	}
}

func optFloat(w *jw, k string, o session.Opt[float64], prec int) {
	if v, ok := o.Get(); ok {
		w.float(k, v, prec)
	}
}

// summaryKey writes a summary as {"min":..,"avg":..,"max":..,"n":..}, or
// nothing when there was no measurement.
func summaryKey(w *jw, k string, s session.Summary) {
	if !s.Known() {
		return
	}
	w.objKey(k)
	w.int("min", s.Min)
	w.float("avg", s.Mean(), 1)
	w.int("max", s.Max)
	w.int("n", int64(s.N))
	w.objEnd()
}
