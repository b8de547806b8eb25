package parquetout

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
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
					require.Equal(t, d.From.String(), *r.Src, msg)
					require.Equal(t, d.To.String(), *r.Dst, msg)
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
						require.Equal(t, d.RTT.Mean(), *r.DirRTTMeanUS, msg)
					} else {
						require.Nil(t, r.DirRTTMeanUS, msg)
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

// TestConnectionsMatchSummaryJSON compares the attempt columns with the
// `srtdump -summary -json` object of every attempt, key by key.
func TestConnectionsMatchSummaryJSON(t *testing.T) {
	if testing.Short() {
		t.Skip("builds cmd/srtdump")
	}
	total := 0
	for _, c := range corpus(t) {
		t.Run(c.Name, func(t *testing.T) {
			rows := readRows[ConnectionRow](t, writeConnections(t, track(t, readCapture(t, c.Name)), c.Name))
			lines := srtdumpLines(t, "-summary", "-json", capturePath(c.Name))
			var first []ConnectionRow
			for _, r := range rows {
				if r.DirectionIndex == 0 {
					first = append(first, r)
				}
			}
			require.Len(t, first, len(lines))
			for i, line := range lines {
				var obj map[string]any
				d := json.NewDecoder(strings.NewReader(line))
				d.UseNumber()
				require.NoError(t, d.Decode(&obj))
				want := map[string]any{}
				for k, v := range obj {
					if k == "reject" {
						for rk, rv := range v.(map[string]any) {
							if rk == "unshifted" {
								for uk, uv := range rv.(map[string]any) {
									want["reject_unshifted_"+uk] = scalar(uv)
								}
								continue
							}
							want["reject_"+rk] = scalar(rv)
						}
						continue
					}
					want[k] = scalar(v)
				}
				if _, ok := want["truncated"]; !ok {
					want["truncated"] = false
				}
				cols := normalize(columnsOf(first[i]))
				got := map[string]any{}
				for k := range want {
					got[k] = cols[k]
				}
				assert.Equal(t, want, got, "attempt %d: %s", i+1, line)
				for k, v := range cols {
					if strings.HasPrefix(k, "reject_") && k != "reject_frame" {
						assert.Contains(t, want, k, "attempt %d: %s = %v", i+1, k, v)
					}
				}
			}
			total += len(lines)
		})
	}
	t.Logf("%d attempts equal their -summary -json objects", total)
}
