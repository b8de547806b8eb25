package main

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/srtwire/srtwire/internal/parquetout"
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
	b = fmt.Appendf(b, "#%d  %s > %s  %s  %s  frames %d-%d  from %s\n", n, a.Caller, a.Listener, modeText(a), outcomeText(g),
		a.FirstFrame, g.Last.LastFrame, fmtTime(g.FirstTime))
	b = append(b, "    "...)
	if a.StreamID != "" {
		b = fmt.Appendf(b, "stream ID %s  ", displayString(a.StreamID))
	}
	b = fmt.Appendf(b, "encryption %s", encryptionText(a))
	if parquetout.LatencyKnown(a) {
		b = fmt.Appendf(b, "  latency %d ms", a.LatencyMS)
	}
	if a.HandshakeRTT > 0 {
		b = fmt.Appendf(b, "  handshake RTT %.3f ms", float64(a.HandshakeRTT.Microseconds())/1000)
	}
	if parquetout.ConclusionSeen(a) {
		b = fmt.Appendf(b, "  congestion %s", a.Congestion)
	}
	if a.Filter != "" {
		b = fmt.Appendf(b, "  filter %s", displayString(a.Filter))
	}
	if code, ok := a.PeerError.Get(); ok {
		b = fmt.Appendf(b, "  PEERERROR %s", peerErrorText(code))
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
		for _, r := range statRows {
			if r.label == "" {
				fmt.Fprint(tw, strings.Repeat("\t", len(dirs))+"\n")
				continue
			}
			fmt.Fprintf(tw, "    %s", r.label)
			for _, dir := range dirs {
				fmt.Fprintf(tw, "\t%s", r.value(dir))
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

// statRow is one line of a -stats table: its label and its value for a
// direction ("-" when unknown).
type statRow struct {
	label string
	value func(d *session.Direction) string
}

func itoa(n int) string { return strconv.Itoa(n) }

// paren returns " (s)", or "" when s is "-" (unknown).
func paren(s string) string {
	if s == "-" {
		return ""
	}
	return " (" + s + ")"
}

func optInt(o session.Opt[int]) string {
	if v, ok := o.Get(); ok {
		return itoa(v)
	}
	return "-"
}

// pct formats a percentage with two decimals.
func pct(o session.Opt[float64]) string {
	if v, ok := o.Get(); ok {
		return strconv.FormatFloat(v, 'f', 2, 64) + " %"
	}
	return "-"
}

// usSummary formats a summary of µs as milliseconds: "0.090 / 0.130 /
// 0.400 ms" (min / avg / max).
func usSummary(s session.Summary) string {
	if !s.Known() {
		return "-"
	}
	ms := func(v float64) string { return strconv.FormatFloat(v/1000, 'f', 3, 64) }
	return ms(float64(s.Min)) + " / " + ms(s.Mean()) + " / " + ms(float64(s.Max)) + " ms"
}

// rateSummary formats a summary of a rate: "1.00 k / 1.20 k / 2.00 k pkt/s".
func rateSummary(s session.Summary, unit string) string {
	if !s.Known() {
		return "-"
	}
	si := func(v int64) string { return strings.TrimSuffix(string(appendSI(nil, uint64(max(v, 0)), "")), " ") }
	return si(s.Min) + " / " + si(int64(s.Mean()+0.5)) + " / " + si(s.Max) + " " + unit
}

func mbps(v float64) string { return strconv.FormatFloat(v, 'f', 3, 64) + " Mbit/s" }

// statRows are the lines of a -stats table, in the order of the JSON
// object (docs/srtdump-json.md defines each figure).
var statRows = []statRow{
	{"data packets (FEC excluded)", func(d *session.Direction) string { return itoa(d.Data.Packets) }},
	{"  original", func(d *session.Direction) string { return itoa(d.Data.Original) }},
	{"  retransmitted", func(d *session.Direction) string {
		return itoa(d.Data.Retransmitted) + paren(pct(d.RetransmittedPct()))
	}},
	{"    seqs sent 1/2/3/4/5+ more times", func(d *session.Direction) string {
		t, ok := d.Data.RetransmittedTimes.Get()
		if !ok {
			return "-"
		}
		return fmt.Sprintf("%d / %d / %d / %d / %d", t[0], t[1], t[2], t[3], t[4])
	}},
	{"  lost (no original seen)", func(d *session.Direction) string {
		if v, ok := d.Data.Lost.Get(); ok {
			return itoa(v) + paren(pct(d.LossPct()))
		}
		return "-"
	}},
	{"    recovered", func(d *session.Direction) string { return optInt(d.Data.Recovered) }},
	{"    unrecovered", func(d *session.Direction) string {
		s := optInt(d.Data.Unrecovered)
		if seqs := d.Data.UnrecoveredSeqs; len(seqs) > 0 {
			var q []string
			for i, v := range seqs {
				if i == 5 {
					q = append(q, "...")
					break
				}
				q = append(q, strconv.FormatUint(uint64(v), 10))
			}
			s += " (" + strings.Join(q, ", ") + ")"
		}
		return s
	}},
	{"  lost as libsrt counts (pktRcvLoss)", func(d *session.Direction) string { return itoa(d.Data.GapLoss) }},
	{"  reordered / duplicates / too old", func(d *session.Direction) string {
		return fmt.Sprintf("%d / %d / %d", d.Data.Reordered, d.Data.Duplicates, d.Data.TooOld)
	}},
	{"  late (past TSBPD delivery)", func(d *session.Direction) string {
		s := optInt(d.Data.Late)
		if d.Data.Late.Value > 0 {
			s += fmt.Sprintf(" (up to %.1f ms)", float64(d.Data.MaxLateUS)/1000)
		}
		return s
	}},
	{"  dropped (DROPREQ)", func(d *session.Direction) string { return itoa(d.Data.Dropped) }},
	{"FEC packets", func(d *session.Direction) string { return itoa(d.Data.FEC) }},
	{"encrypted / decrypted", func(d *session.Direction) string {
		return itoa(d.Data.Encrypted) + " / " + optInt(d.Data.Decrypted)
	}},
	{"  undecryptable by the receiver", func(d *session.Direction) string { return optInt(d.Data.Undecryptable) }},
	{"  key switches / refreshes / answers", func(d *session.Direction) string {
		return fmt.Sprintf("%d / %d / %d", d.Keys.Switches, d.Keys.Refreshes, d.Keys.Answers)
	}},
	{"", nil},
	{"payload rate", func(d *session.Direction) string {
		if r, ok := d.Rates(); ok {
			return mbps(r.Payload)
		}
		return "-"
	}},
	{"  with SRT / +UDP headers", func(d *session.Direction) string {
		if r, ok := d.Rates(); ok {
			return strconv.FormatFloat(r.PayloadSRT, 'f', 3, 64) + " / " + mbps(r.PayloadSRTUDP)
		}
		return "-"
	}},
	{"  originals only", func(d *session.Direction) string {
		if r, ok := d.Rates(); ok {
			return mbps(r.OrigPayload)
		}
		return "-"
	}},
	{"  header overhead (originals)", func(d *session.Direction) string { return pct(d.OverheadPct()) }},
	{"duration (first to last data)", func(d *session.Direction) string {
		if d.Data.Packets == 0 {
			return "-"
		}
		return strconv.FormatFloat(d.Duration().Seconds(), 'f', 3, 64) + " s"
	}},
	{"longest pause in data", func(d *session.Direction) string {
		if d.Data.Packets < 2 {
			return "-"
		}
		return strconv.FormatFloat(d.LongestGap.Seconds(), 'f', 3, 64) + " s"
	}},
	{"", nil},
	{"ACKs full / small / light", func(d *session.Direction) string {
		return fmt.Sprintf("%d / %d / %d", d.Control.ACKFull, d.Control.ACKSmall, d.Control.ACKLight)
	}},
	{"ACKACKs", func(d *session.Direction) string { return itoa(d.Control.ACKACK) }},
	{"NAKs: reports / seqs / distinct", func(d *session.Direction) string {
		return fmt.Sprintf("%d / %d / %s", d.Control.NAK, d.Control.NAKSeqs, optInt(d.Control.NAKDistinct))
	}},
	{"keepalive / shutdown", func(d *session.Direction) string {
		return fmt.Sprintf("%d / %d", d.Control.Keepalive, d.Control.Shutdown)
	}},
	{"", nil},
	{"latency (receiver's TSBPD)", func(d *session.Direction) string {
		if v, ok := d.LatencyMS.Get(); ok {
			return itoa(v) + " ms"
		}
		return "-"
	}},
	{"RTT, ACK field (min/avg/max)", func(d *session.Direction) string { return usSummary(d.RTT) }},
	{"RTT, ACK to ACKACK", func(d *session.Direction) string { return usSummary(d.ACKACKRTT) }},
	{"jitter (RFC 3550)", func(d *session.Direction) string {
		if v, ok := d.JitterUS.Get(); ok {
			return strconv.FormatFloat(v/1000, 'f', 3, 64) + " ms"
		}
		return "-"
	}},
	{"bandwidth (ACK, min/avg/max)", func(d *session.Direction) string { return rateSummary(d.Bandwidth, "pkt/s") }},
	{"receive rate (ACK)", func(d *session.Direction) string { return rateSummary(d.RecvRatePkts, "pkt/s") }},
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
