package parquetout

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/parquet-go/parquet-go"
	"github.com/stretchr/testify/require"

	"github.com/srtwire/srtwire/session"
)

func writeConnections(tb testing.TB, attempts []*session.Attempt, file string) []byte {
	tb.Helper()
	var out bytes.Buffer
	w := NewConnectionWriter(&out, file)
	require.NoError(tb, w.Write(attempts...))
	require.NoError(tb, w.Close())
	return out.Bytes()
}

// TestConnectionsCorpus writes every corpus capture's connections table,
// reads it back, and checks every row: equal to what was written, one row
// per direction (or one for an attempt without), and the figures those of
// package session.
func TestConnectionsCorpus(t *testing.T) {
	var rows, attempts, dirs int
	for _, c := range corpus(t) {
		t.Run(c.Name, func(t *testing.T) {
			as := track(t, readCapture(t, c.Name))
			got := readRows[ConnectionRow](t, writeConnections(t, as, c.Name))
			var want []ConnectionRow
			for i, a := range as {
				want = AppendConnectionRows(want, c.Name, i+1, a)
			}
			require.Len(t, got, len(want))
			for i := range want {
				require.Equal(t, normalizeRow(want[i]), normalizeRow(got[i]), "row %d", i)
			}
			k := 0
			for i, a := range as {
				ds := a.Directions()
				n := max(len(ds), 1)
				for j := range n {
					r := &got[k]
					k++
					msg := fmt.Sprintf("attempt %d row %d", i+1, j)
					require.Equal(t, int32(i+1), r.Attempt, msg)
					require.Equal(t, int32(j), r.DirectionIndex, msg)
					require.Equal(t, a.Outcome.String(), r.Outcome, msg)
					require.Equal(t, int64(a.DataPackets), r.DataPackets, msg)
					require.Equal(t, a.FirstTime.UnixMicro(), r.FirstTime, msg)
					require.Len(t, r.Findings, len(a.Findings()), msg)
					if len(ds) == 0 {
						require.Nil(t, r.Direction, msg)
						require.Nil(t, r.DirPackets, msg)
						continue
					}
					d := ds[j]
					dirs++
					require.Equal(t, d.From.String(), *r.DirFrom, msg)
					require.Equal(t, d.To.String(), *r.DirTo, msg)
					require.Equal(t, int64(d.Data.Packets), *r.DirPackets, msg)
					require.Equal(t, int64(d.Data.Retransmitted), *r.DirRetransmitted, msg)
					require.Equal(t, int64(d.Data.GapLoss), *r.DirGapLoss, msg)
					require.Equal(t, int64(d.Data.FEC), *r.DirFEC, msg)
					require.Equal(t, int64(d.Control.NAK), *r.DirNAK, msg)
					require.Equal(t, int64(d.Control.ACKFull), *r.DirACKFull, msg)
					if lost, ok := d.Data.Lost.Get(); ok {
						require.Equal(t, int64(lost), *r.DirLost, msg)
					} else {
						require.Nil(t, r.DirLost, msg)
					}
					if d.RTT.Known() {
						require.Equal(t, d.RTT.Mean(), *r.DirRTTAvg, msg)
					} else {
						require.Nil(t, r.DirRTTAvg, msg)
					}
				}
				attempts++
			}
			require.Equal(t, len(got), k)
			rows += len(got)
		})
	}
	t.Logf("%d rows: %d attempts, %d directions", rows, attempts, dirs)
}

// normalizeRow makes a written row comparable with one read back: an
// empty list reads back as an empty slice.
func normalizeRow(r ConnectionRow) ConnectionRow {
	r.Findings = nonNil(r.Findings)
	r.FindingCodes = nonNil(r.FindingCodes)
	if r.DirUnrecoveredSeqs != nil || r.DirUnrecovered == nil {
		r.DirUnrecoveredSeqs = nonNil(r.DirUnrecoveredSeqs)
	}
	return r
}

// nonJSONColumns are the connection columns that srtdump's -stats -json
// does not have (more of package session, and the row's place).
var nonJSONColumns = map[string]bool{
	"file": true, "attempt": true, "direction_index": true, "direction": true, "reason": true,
	"finding_codes": true, "handshake_seen": true, "srt_version": true, "key_len": true,
	"requested_key_len": true, "passphrase_match": true, "peer_error_from": true, "peer_error_frame": true,
	"handshakes": true, "inductions": true, "nak_seqs": true, "reject_frame": true, "after_reject": true,
	"after_reject_first": true, "peer_ip_mismatch": true, "peer_ip_seen": true, "peer_ip_frame": true,
	"dir_gap_start": true,
}

// TestConnectionsMatchStatsJSON compares every row with the `srtdump
// -stats -json` object of its attempt, key by key: the object's keys and
// those of its direction, flattened by the rules of docs/parquet.md, must
// be exactly the row's non-null columns (nonJSONColumns aside), with the
// same values (floats as srtdump rounds them).
func TestConnectionsMatchStatsJSON(t *testing.T) {
	if testing.Short() {
		t.Skip("builds cmd/srtdump")
	}
	total := 0
	for _, c := range corpus(t) {
		t.Run(c.Name, func(t *testing.T) {
			rows := readRows[ConnectionRow](t, writeConnections(t, track(t, readCapture(t, c.Name)), c.Name))
			lines := srtdumpLines(t, "-stats", "-json", capturePath(c.Name))
			attempt := 1
			for _, line := range lines {
				var obj map[string]any
				d := json.NewDecoder(strings.NewReader(line))
				d.UseNumber()
				require.NoError(t, d.Decode(&obj))
				group := int(scalar(obj["attempts"]).(int64))
				var mine []ConnectionRow
				for _, r := range rows {
					if int(r.Attempt) == attempt {
						mine = append(mine, r)
					}
				}
				require.NotEmpty(t, mine, "attempt %d", attempt)
				dirs, _ := obj["directions"].([]any)
				if len(dirs) == 0 {
					require.Len(t, mine, 1, "attempt %d", attempt)
				} else {
					require.Len(t, mine, len(dirs), "attempt %d", attempt)
				}
				for i, r := range mine {
					want := flattenStats(obj, nil)
					if len(dirs) > 0 {
						want = flattenStats(obj, dirs[i].(map[string]any))
					}
					got := map[string]any{}
					for k, v := range normalize(columnsOf(r)) {
						if !nonJSONColumns[k] {
							got[k] = roundLike(k, v)
						}
					}
					if group > 1 {
						// A group of retries: the figures of its first
						// attempt, the end of its last.
						for _, k := range []string{"last_frame", "last_time", "findings"} {
							delete(want, k)
							delete(got, k)
						}
					}
					require.Equal(t, want, got, "attempt %d row %d: %s", attempt, i, line)
				}
				attempt += group
				total += group
			}
			require.Equal(t, attempt-1, int(rows[len(rows)-1].Attempt), "every attempt")
		})
	}
	t.Logf("%d attempts equal their -stats -json objects", total)
}

// flattenStats flattens a -stats -json object and one of its directions
// (nil for none) by the rules of docs/parquet.md.
func flattenStats(obj map[string]any, dir map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range obj {
		switch k {
		case "attempts", "directions":
		case "reject":
			for rk, rv := range v.(map[string]any) {
				if rk == "unshifted" {
					for uk, uv := range rv.(map[string]any) {
						out["reject_unshifted_"+uk] = scalar(uv)
					}
					continue
				}
				out["reject_"+rk] = scalar(rv)
			}
		case "findings":
			fs := []Finding{}
			for _, f := range v.([]any) {
				m := f.(map[string]any)
				fs = append(fs, Finding{Level: m["level"].(string), Code: m["code"].(string), Text: m["text"].(string)})
			}
			out[k] = fs
		default:
			out[k] = scalar(v)
		}
	}
	if _, ok := out["truncated"]; !ok {
		out["truncated"] = false
	}
	var walk func(prefix string, m map[string]any)
	walk = func(prefix string, m map[string]any) {
		for k, v := range m {
			if k == "5+" {
				k = "5plus"
			}
			switch v := v.(type) {
			case map[string]any:
				walk(prefix+k+"_", v)
			case []any:
				seqs := []int64{}
				for _, e := range v {
					seqs = append(seqs, scalar(e).(int64))
				}
				out[prefix+k] = seqs
			default:
				out[prefix+k] = scalar(v)
			}
		}
	}
	if dir != nil {
		walk("dir_", dir)
		if _, ok := out["dir_data_unrecovered"]; ok {
			if _, ok := out["dir_data_unrecovered_more"]; !ok {
				out["dir_data_unrecovered_more"] = false
			}
		}
	}
	return out
}

// roundLike rounds a float column as srtdump writes its key: percentages
// to 3 decimals, means and jitter to 1, the rest to 6.
func roundLike(k string, v any) any {
	f, ok := v.(float64)
	if !ok {
		return v
	}
	prec := 6
	switch {
	case strings.HasSuffix(k, "_pct"):
		prec = 3
	case strings.HasSuffix(k, "_avg"), k == "dir_jitter_us":
		prec = 1
	}
	n, _ := strconv.ParseFloat(strconv.FormatFloat(f, 'f', prec, 64), 64)
	return n
}

// genericConnections writes rows as parquet-go's generic writer does: the
// reference for ConnectionWriter's own encoding.
func genericConnections(tb testing.TB, rows []ConnectionRow) []byte {
	tb.Helper()
	var out bytes.Buffer
	w := parquet.NewGenericWriter[ConnectionRow](&out, writerOptions()...)
	_, err := w.Write(rows)
	require.NoError(tb, err)
	require.NoError(tb, w.Close())
	return out.Bytes()
}

// TestConnectionsLikeGenericWriter checks ConnectionWriter's encoding
// against parquet-go's generic writer, which wrote the table before: for
// every corpus capture, and for all of them together, repeated past a page
// of pageRows rows, the file has the same schema, reads back (with
// parquet-go) the very rows the generic writer's file reads back as, null
// lists apart from empty ones, and its statistics and indexes say what its
// pages hold (checkStatistics), DOUBLE columns' too.
func TestConnectionsLikeGenericWriter(t *testing.T) {
	var all []*session.Attempt
	check := func(t *testing.T, file []byte, want []ConnectionRow) {
		t.Helper()
		ref := genericConnections(t, want)
		f, err := parquet.OpenFile(bytes.NewReader(file), int64(len(file)))
		require.NoError(t, err)
		g, err := parquet.OpenFile(bytes.NewReader(ref), int64(len(ref)))
		require.NoError(t, err)
		require.Equal(t, g.Schema().String(), f.Schema().String())
		require.Equal(t, g.Metadata().Schema, f.Metadata().Schema)
		require.Equal(t, g.Metadata().ColumnOrders, f.Metadata().ColumnOrders)
		require.Equal(t, int64(len(want)), f.NumRows())
		got, exp := readRows[ConnectionRow](t, file), readRows[ConnectionRow](t, ref)
		require.Len(t, got, len(exp))
		for i := range exp {
			require.Equal(t, exp[i], got[i], "row %d", i) // the first row that differs
		}
		checkStatistics(t, file)
	}
	for _, c := range corpus(t) {
		as := track(t, readCapture(t, c.Name))
		all = append(all, as...)
		t.Run(c.Name, func(t *testing.T) {
			var want []ConnectionRow
			for i, a := range as {
				want = AppendConnectionRows(want, c.Name, i+1, a)
			}
			check(t, writeConnections(t, as, c.Name), want)
		})
	}
	t.Run("all, past a page", func(t *testing.T) {
		var out bytes.Buffer
		w := NewConnectionWriter(&out, "all")
		var want []ConnectionRow
		for len(want) <= pageRows+100 {
			for _, a := range all {
				require.NoError(t, w.Write(a))
				want = AppendConnectionRows(want, "all", w.Attempts(), a)
			}
		}
		require.NoError(t, w.Close())
		require.Equal(t, int64(len(want)), w.Rows())
		check(t, out.Bytes(), want)
	})
}
