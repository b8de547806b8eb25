package report

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/srtwire/srtwire/packet"
	"github.com/srtwire/srtwire/session"
)

// The formatting of the statistics, the same for srtdump -stats.
//
// StatRows is the table srtdump -stats prints for each direction of an
// attempt, row for row: the same labels, in the same order, and each
// value formatted the same way from the same session figure
// (cmd/srtdump/stats.go, statRows, holds the same table). The rules:
//
//   - a count is a decimal integer; a figure the capture cannot tell
//     (session.Opt with Known false, a Summary with N == 0) is "-",
//     never 0;
//   - a percentage has two decimals and " %": "14.29 %", and follows its
//     count in parentheses: "25 (14.29 %)";
//   - a rate in Mbit/s has three decimals: "0.475 Mbit/s";
//   - a duration in seconds has three decimals: "2.021 s";
//   - a µs summary is shown in ms, three decimals, min / avg / max:
//     "0.024 / 0.038 / 0.060 ms"; jitter the same, alone;
//   - a packet-rate summary uses SI prefixes (appendSI): "1.00 k / 1.00 k
//     / 1.00 k pkt/s";
//   - several counts in one row are joined by " / " in the order of the
//     label.
//
// TestStatsAgreeWithSrtdump builds cmd/srtdump and compares its -stats
// tables with these rows on corpus captures; srtdump can use StatRows
// itself to make the two one table.

// StatRow is one line of a statistics table: its label and its value for
// a direction. A row with an empty Label (and a nil Value) separates two
// groups of rows.
type StatRow struct {
	Label string
	Value func(d *session.Direction) string
}

// StatRows are the rows of the statistics table, in the order of
// srtdump -stats (docs/srtdump-json.md defines each figure). A label's
// leading spaces (two per level) say how it is indented under the row
// above.
var StatRows = []StatRow{
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
	si := func(v int64) string { return strings.TrimSuffix(string(AppendSI(nil, uint64(max(v, 0)), "")), " ") }
	return si(s.Min) + " / " + si(int64(s.Mean()+0.5)) + " / " + si(s.Max) + " " + unit
}

func mbps(v float64) string { return strconv.FormatFloat(v, 'f', 3, 64) + " Mbit/s" }

// AppendSI appends v with an SI prefix and three significant digits
// ("1.00 k", "12.3 M", "999 ") and then unit, as srtdump's text output
// writes rates.
func AppendSI(b []byte, v uint64, unit string) []byte {
	if v < 1000 {
		b = strconv.AppendUint(b, v, 10)
		b = append(b, ' ')
		return append(b, unit...)
	}
	f := float64(v) / 1000
	i := 0
	for f >= 999.5 && i < 3 {
		f /= 1000
		i++
	}
	prec := 0
	switch {
	case f < 9.995:
		prec = 2
	case f < 99.95:
		prec = 1
	}
	b = strconv.AppendFloat(b, f, 'f', prec, 64)
	b = append(b, ' ', "kMGT"[i])
	return append(b, unit...)
}

// The heading of an attempt, as srtdump -stats and -summary write it.
// ModeText is the mode, and whether the roles were inferred.
func ModeText(a *session.Attempt) string {
	if a.RolesInferred {
		return a.Mode.String() + " (roles inferred)"
	}
	return a.Mode.String()
}

// outcomeText is the outcome with the number of attempts of a group:
// "rejected: SRT_REJX_FORBIDDEN ×213".
func outcomeText(a *session.Attempt, attempts int) string {
	s := a.Outcome.String()
	if a.Outcome == session.OutcomeRejected {
		s = "rejected: " + a.Reason.Name()
	}
	if attempts > 1 {
		s += " ×" + strconv.Itoa(attempts)
	}
	return s
}

// PeerErrorText names a PEERERROR code: "4000 (SRT_EFILE)".
func PeerErrorText(code uint32) string {
	s := strconv.FormatUint(uint64(code), 10)
	if code == packet.PeerErrorFile {
		s += " (SRT_EFILE)"
	}
	return s
}

// sideNames names the two sides of an attempt as the findings do.
func sideNames(a *session.Attempt) [2]string {
	switch {
	case a.Mode == session.ModeRendezvous:
		return [2]string{"first peer", "second peer"}
	case a.RolesInferred:
		return [2]string{"sender", "receiver"}
	}
	return [2]string{"caller", "listener"}
}

// dirName names a direction of a: "caller > listener".
func dirName(a *session.Attempt, d *session.Direction) string {
	n := sideNames(a)
	if d.From != a.Caller {
		return n[1] + " > " + n[0]
	}
	return n[0] + " > " + n[1]
}

// DisplayString returns s as it is when it is valid UTF-8 of printable
// characters other than '"' and '\\', and quoted with Go's escapes
// otherwise (as srtdump shows Stream IDs).
func DisplayString(s string) string {
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

// fmtTime formats a time as srtdump's text does: with the date and zone,
// to the microsecond.
func fmtTime(t time.Time, loc *time.Location) string {
	return t.In(loc).Format("2006-01-02 15:04:05.000000 MST")
}

// fmtDuration formats a span for a person: "850 ms", "2.08 s", "3 min
// 12 s", "2 h 05 min".
func fmtDuration(d time.Duration) string {
	switch {
	case d < 10*time.Millisecond:
		return strconv.FormatFloat(float64(d.Microseconds())/1000, 'f', 3, 64) + " ms"
	case d < time.Second:
		return strconv.FormatFloat(float64(d.Microseconds())/1000, 'f', 1, 64) + " ms"
	case d < time.Minute:
		return strconv.FormatFloat(d.Seconds(), 'f', 2, 64) + " s"
	case d < time.Hour:
		s := int(d.Round(time.Second).Seconds())
		return fmt.Sprintf("%d min %02d s", s/60, s%60)
	}
	m := int(d.Round(time.Minute).Minutes())
	return fmt.Sprintf("%d h %02d min", m/60, m%60)
}

// widthText formats a bin width: "1 s", "8 s", "4 min", else as
// fmtDuration.
func widthText(w time.Duration) string {
	switch {
	case w >= time.Minute && w%time.Minute == 0:
		return strconv.Itoa(int(w/time.Minute)) + " min"
	case w >= time.Second && w%time.Second == 0:
		return strconv.Itoa(int(w/time.Second)) + " s"
	}
	return fmtDuration(w)
}
