package main

import (
	"fmt"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/srtwire/srtwire/internal/report"
	"github.com/srtwire/srtwire/session"
)

// maxOpenGroups bounds the groups of attempts (retry storms) that -summary
// and -stats keep open: a group can take more attempts until it is closed,
// oldest first, and printed. Each keeps its first and newest attempt, a few
// KiB.
const maxOpenGroups = 1024

// kmSides is what the passphrases opened of an attempt's key material, per
// side (0 the caller, 1 the listener): the number of the first passphrase
// that opened a KMREQ the side sent (0: none did), and how many of its
// KMREQs none opened.
type kmSides struct {
	opened [2]int
	failed [2]int
}

// noteKM records the verdict on a frame's key material for its attempt.
// Only the KMREQs count: a KMRSP echoes the other side's key material.
func (d *dumper) noteKM(a *session.Attempt, v kmVerdict) {
	if !v.req {
		return
	}
	k := d.kms[a]
	if k == nil {
		k = &kmSides{}
		d.kms[a] = k
	}
	side := 0
	if v.from != a.Caller {
		side = 1
	}
	switch {
	case v.no == 0:
		k.failed[side]++
	case k.opened[side] == 0:
		k.opened[side] = v.no
	}
}

// addAttempt takes an attempt the Tracker retired or, at the end, kept: one
// that passes the -rejects and -stream-id filters goes to its group.
func (d *dumper) addAttempt(a *session.Attempt) {
	if d.cfg.rejects && a.Outcome != session.OutcomeRejected || d.cfg.streamID != "" && !d.sidMatch(a.StreamID) {
		delete(d.kms, a)
		return
	}
	if g := d.grouper.Add(a); g.First != a {
		delete(d.kms, a) // a group shows its first attempt's figures
	}
}

// endAttempts writes what is left of the current capture's attempts when
// it ends (or srtdump is stopped): the groups still open.
func (d *dumper) endAttempts() {
	d.tr.Flush()
	if !d.attempts() {
		d.tr.Attempts() // the last bins of -timeseries
		return
	}
	for _, a := range d.tr.Attempts() {
		d.addAttempt(a)
	}
	gs := append(d.pending, d.grouper.Groups()...)
	d.writeGroups(gs)
	clear(d.pending)
	d.pending = d.pending[:0]
	clear(d.kms)
	d.grouper = nil
}

// writeGroups writes -summary or -stats for groups of a capture, in the
// order of their first attempt, until -count rows were written over all
// captures. It is called for each batch the Grouper closes, as they are
// closed, and for the groups left at the end; a text summary batch is a
// table of its own, followed by its notes.
func (d *dumper) writeGroups(gs []*session.Group) {
	var sel []*session.Group
	for _, g := range gs {
		if d.done() {
			break
		}
		sel = append(sel, g)
		d.printed++
	}
	first := d.rows + 1
	d.rows += len(sel)
	for i, g := range sel {
		switch {
		case d.cfg.json && d.cfg.stats:
			d.json.stats(g, d.kms[g.First], len(d.cfg.passphrases))
		case d.cfg.json:
			d.json.summary(g, d.kms[g.First], len(d.cfg.passphrases))
		case d.cfg.stats:
			d.statsBlock(first+i, g)
		}
	}
	if !d.cfg.json && !d.cfg.stats {
		d.summaryTable(sel, first)
	}
	for _, g := range sel {
		delete(d.kms, g.First)
	}
}

// outcomeText is the OUTCOME column, with the number of attempts of a
// group: "rejected: SRT_REJX_FORBIDDEN ×213".
func outcomeText(g *session.Group) string {
	a := g.First
	s := a.Outcome.String()
	if a.Outcome == session.OutcomeRejected {
		s = "rejected: " + a.Reason.Name()
	}
	if g.Attempts > 1 {
		s += " ×" + strconv.Itoa(g.Attempts)
	}
	return s
}

// findingCodes is the FINDINGS column: the codes of fs, each once, or "-".
func findingCodes(fs []session.Finding) string {
	var codes []string
	for _, f := range fs {
		dup := false
		for _, c := range codes {
			dup = dup || c == f.Code
		}
		if !dup {
			codes = append(codes, f.Code)
		}
	}
	if len(codes) == 0 {
		return "-"
	}
	return strings.Join(codes, ",")
}

// sideNames names the two sides of an attempt as the findings do.
func sideNames(a *session.Attempt) [2]string {
	switch {
	case a.Mode == session.ModeRendezvous:
		return [2]string{"the first peer", "the second peer"}
	case a.RolesInferred:
		return [2]string{"the sender", "the receiver"}
	}
	return [2]string{"the caller", "the listener"}
}

// passColumn is the PASSPHRASE column: which passphrase opened each side's
// key material ("caller #1"), "MISMATCH", or "-" without key material.
func passColumn(a *session.Attempt, k *kmSides) string {
	if k == nil {
		return "-"
	}
	names := sideNames(a)
	var parts []string
	for side := range 2 {
		who := strings.TrimPrefix(names[side], "the ")
		switch {
		case k.opened[side] > 0:
			parts = append(parts, who+" #"+strconv.Itoa(k.opened[side]))
		case k.failed[side] > 0:
			parts = append(parts, who+" MISMATCH")
		}
	}
	if k.opened == [2]int{} {
		return "MISMATCH"
	}
	return strings.Join(parts, ", ")
}

// passSentence says which side's key material the passphrases open, or
// that none does: "the caller's KM opened by passphrase #1".
func passSentence(a *session.Attempt, k *kmSides) string {
	names := sideNames(a)
	var parts []string
	for side := range 2 {
		switch {
		case k.opened[side] > 0:
			s := names[side] + "'s KM opened by passphrase #" + strconv.Itoa(k.opened[side])
			if n := k.failed[side]; n > 0 {
				s += fmt.Sprintf(" (%d of its KM messages opened by none)", n)
			}
			parts = append(parts, s)
		case k.failed[side] > 0:
			parts = append(parts, "PASSPHRASE MISMATCH: no passphrase given opens "+names[side]+"'s KM")
		}
	}
	s := strings.Join(parts, "; ")
	if n, ok := decrypted(a); ok {
		s += fmt.Sprintf("; %d data packets decrypted", n)
	}
	return s
}

// decrypted returns the data packets of a that were decrypted with the
// passphrases, when passphrases were given.
func decrypted(a *session.Attempt) (int, bool) {
	n, known := 0, false
	for _, dir := range a.Directions() {
		if v, ok := dir.Data.Decrypted.Get(); ok {
			n += v
			known = true
		}
	}
	return n, known
}

// summaryTable writes groups as a table, then the notes of each row: its
// findings, the times of a group of retries and what the passphrases
// opened. Rows are numbered on from the capture's previous table.
func (d *dumper) summaryTable(sel []*session.Group, first int) {
	if len(sel) == 0 {
		return
	}
	if d.multi && !d.headed {
		fmt.Fprintf(d.out, "%s:\n", d.name)
	}
	if d.headed {
		d.out.WriteByte('\n')
	}
	d.headed = true
	pass := len(d.cfg.passphrases) > 0
	tw := tabwriter.NewWriter(d.out, 0, 0, 2, ' ', 0)
	head := "#\tCALLER\tLISTENER\tMODE\tFRAMES\tSTREAM ID\tFILTER\tENCRYPTION\t"
	if pass {
		head += "PASSPHRASE\t"
	}
	fmt.Fprintln(tw, head+"LATENCY\tOUTCOME\tHS RTT\tDATA\tRETX\tLOST (NAK'D)\tFEC\tPEERERROR\tFINDINGS")
	findings := make([][]session.Finding, len(sel))
	for i, g := range sel {
		a := g.First
		findings[i] = g.Findings()
		sid := "-"
		if a.StreamID != "" {
			sid = report.DisplayString(a.StreamID)
		}
		if a.Truncated {
			sid += "... (cut at libsrt's limit)"
		}
		rtt := "-"
		if a.HandshakeRTT > 0 {
			rtt = strconv.FormatFloat(float64(a.HandshakeRTT.Microseconds())/1000, 'f', 3, 64) + "ms"
		}
		lat := "-"
		if a.LatencyKnown() {
			lat = strconv.Itoa(a.LatencyMS) + "ms"
		}
		pe := "-"
		if code, ok := a.PeerError.Get(); ok {
			pe = report.PeerErrorText(code)
		}
		filter := "-"
		if a.Filter != "" {
			filter = report.DisplayString(a.Filter)
		}
		row := fmt.Sprintf("%d\t%s\t%s\t%s\t%d-%d\t%s\t%s\t%s\t", first+i, a.Caller, a.Listener, report.ModeText(a),
			a.FirstFrame, g.Last.LastFrame, sid, filter, a.EncryptionText())
		if pass {
			row += passColumn(a, d.kms[a]) + "\t"
		}
		fmt.Fprintf(tw, "%s%s\t%s\t%s\t%d\t%d\t%d\t%d\t%s\t%s\n", row, lat, outcomeText(g), rtt,
			a.DataPackets-a.FECPackets, a.Retransmitted, a.Lost, a.FECPackets, pe, findingCodes(findings[i]))
	}
	tw.Flush()
	for i, g := range sel {
		d.out.Write(appendNotes(nil, "#"+strconv.Itoa(first+i)+" ", g, findings[i], d.kms[g.First], pass))
	}
}

// appendNotes appends the lines under a summary table (and in a -stats
// block) for a row: the span of a group of retries, what the passphrases
// opened, then one line per finding ("error rejected: ..."); each line
// starts with prefix ("#1 " for row 1), and a blank line comes first.
func appendNotes(b []byte, prefix string, g *session.Group, fs []session.Finding, k *kmSides, pass bool) []byte {
	blank := false
	line := func() {
		if !blank {
			b = append(b, '\n')
			blank = true
		}
		b = append(b, prefix...)
	}
	if g.Attempts > 1 {
		line()
		b = fmt.Appendf(b, "%d attempts from %s to %s, the first at %s, the last ending at %s\n",
			g.Attempts, g.First.Caller, g.First.Listener, fmtTime(g.FirstTime), fmtTime(g.LastTime))
	}
	if pass && k != nil {
		line()
		b = append(b, passSentence(g.First, k)...)
		b = append(b, '\n')
	}
	for _, f := range fs {
		line()
		b = append(b, f.Level.String()...)
		b = append(b, ' ')
		b = append(b, f.Code...)
		b = append(b, ": "...)
		b = append(b, f.Text...)
		b = append(b, '\n')
	}
	return b
}

// fmtTime formats a time of the text summary: in the local zone, with the
// date and zone, to the microsecond.
func fmtTime(t time.Time) string {
	return t.In(time.Local).Format("2006-01-02 15:04:05.000000 MST")
}

// summaryKeys writes the keys of a group that -summary -json and -stats
// -json share, the findings excepted.
func (j *jsonWriter) summaryKeys(g *session.Group, k *kmSides, nPass int) {
	a := g.First
	w := &j.w
	w.addr("caller", a.Caller)
	w.addr("listener", a.Listener)
	w.str("mode", a.Mode.String())
	if a.RolesInferred {
		w.str("roles", "inferred")
	}
	w.int("first_frame", int64(a.FirstFrame))
	w.int("last_frame", int64(g.Last.LastFrame))
	w.int("attempts", int64(g.Attempts))
	w.time("first_time", g.FirstTime)
	w.time("last_time", g.LastTime)
	hs := a.ConclusionSeen()
	if hs {
		w.str("stream_id", a.StreamID)
	}
	if a.Truncated {
		w.bool("truncated", true)
	}
	enc := a.Encryption()
	st := a.CryptoStatus()
	switch {
	case enc != "":
	case st == session.CryptoUnknown || st == session.CryptoNoKM:
		enc = "unknown"
	default:
		enc = "none"
	}
	w.str("encryption", enc)
	w.str("encryption_state", st.String())
	if r := a.RequestedEncryption(); r != "" {
		w.str("requested_encryption", r)
	}
	if a.KMStateSet {
		w.str("km_state", a.KMState.String())
	}
	if nPass > 0 && k != nil {
		if k.opened != [2]int{} {
			w.str("passphrase", "match")
		} else {
			w.str("passphrase", "mismatch")
		}
		for side, key := range [2]string{"caller_km", "listener_km"} {
			switch {
			case k.opened[side] > 0:
				w.str(key, "match")
				w.int(key+"_passphrase", int64(k.opened[side]))
			case k.failed[side] > 0:
				w.str(key, "mismatch")
			}
		}
	}
	if a.LatencyKnown() {
		w.int("latency_ms", int64(a.LatencyMS))
	}
	if hs {
		w.str("congestion", a.Congestion)
		w.str("filter", a.Filter)
	}
	w.str("outcome", a.Outcome.String())
	if a.Outcome == session.OutcomeRejected {
		w.reject(a.Reason)
	}
	if a.HandshakeRTT > 0 {
		w.int("handshake_rtt_us", a.HandshakeRTT.Microseconds())
	}
	w.int("data_packets", int64(a.DataPackets))
	w.int("retransmitted", int64(a.Retransmitted))
	w.int("lost", int64(a.Lost))
	w.int("nak_reports", int64(a.NAKReports))
	w.int("fec_packets", int64(a.FECPackets))
	if code, ok := a.PeerError.Get(); ok {
		w.uint("peer_error", uint64(code))
	}
	if n, ok := decrypted(a); ok {
		w.int("decrypted", int64(n))
	}
}

// findings writes the "findings" array.
func (w *jw) findings(fs []session.Finding) {
	w.arrKey("findings")
	for _, f := range fs {
		w.objStart()
		w.str("level", f.Level.String())
		w.str("code", f.Code)
		w.str("text", f.Text)
		w.objEnd()
	}
	w.arrEnd()
}

// summary writes one group as a JSON line (-summary -json).
func (j *jsonWriter) summary(g *session.Group, k *kmSides, nPass int) {
	j.start()
	j.summaryKeys(g, k, nPass)
	j.w.findings(g.Findings())
	j.finish()
}
