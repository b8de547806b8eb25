//go:build duckdb

package parquetout

// The DuckDB check: an independent Parquet reader runs the SQL examples of
// docs/examples over the tables of every corpus capture together. Run it
// with
//
//	npm install --prefix "$DIR" @duckdb/node-api
//	SRTWIRE_DUCKDB_DIR="$DIR" go test -tags duckdb -run TestDuckDB ./internal/parquetout
//
// It is skipped, with a message saying why, when node or the npm package
// is missing (and fails instead when SRTWIRE_DUCKDB_REQUIRED is set).

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/srtwire/srtwire/capture"
	"github.com/srtwire/srtwire/packet"
	"github.com/srtwire/srtwire/session"
)

// duckdbNode returns the node binary and the folder holding
// node_modules/@duckdb/node-api, or skips the test (fails it when
// SRTWIRE_DUCKDB_REQUIRED is set, as CI does, so that a missing install
// cannot pass for a check).
func duckdbNode(t *testing.T) (node, dir string) {
	skip := t.Skipf
	if os.Getenv("SRTWIRE_DUCKDB_REQUIRED") != "" {
		skip = t.Fatalf
	}
	node, err := exec.LookPath("node")
	if err != nil {
		skip("DuckDB check skipped: node is not installed (apt-get install nodejs)")
	}
	dir = os.Getenv("SRTWIRE_DUCKDB_DIR")
	if dir == "" {
		skip("DuckDB check skipped: set SRTWIRE_DUCKDB_DIR to a folder where `npm install --prefix DIR @duckdb/node-api` ran")
	}
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "@duckdb", "node-api", "package.json")); err != nil {
		skip("DuckDB check skipped: no @duckdb/node-api in %s/node_modules (npm install --prefix %s @duckdb/node-api)", dir, dir)
	}
	return node, dir
}

// corpusCounts is what the codec and package session say of the corpus.
type corpusCounts struct {
	types      map[string]int64 // packets per type ("" for no header)
	rejections map[string]int64 // rejected attempts per reason name
	// directions: "file|attempt|direction" -> data + FEC packets
	directions map[string]int64
	// links: "hour|sender|receiver" -> originals, retransmitted, NAK seqs
	links map[string][3]int64
}

// convertCorpus writes both tables of every corpus capture into dir, as
// srtdump -parquet does, and counts what the codec says.
func convertCorpus(t *testing.T, dir string) *corpusCounts {
	cc := &corpusCounts{types: map[string]int64{}, rejections: map[string]int64{},
		directions: map[string]int64{}, links: map[string][3]int64{}}
	for _, c := range corpus(t) {
		path := capturePath(c.Name)
		out, err := Create(dir, TableName(path), path)
		require.NoError(t, err)
		r, err := capture.Open(path, nil)
		require.NoError(t, err)
		tr := session.NewTracker()
		var attempts []*session.Attempt
		tr.OnRetire = func(a *session.Attempt) {
			attempts = append(attempts, a)
			require.NoError(t, out.Attempts(a))
		}
		for r.Next() {
			f := r.Frame()
			require.NoError(t, out.Packet(f))
			tr.Add(&session.Frame{Number: f.Number, Time: f.Time, Src: f.Src, Dst: f.Dst, Packet: &f.Packet, Data: f.Data, Err: f.Err})
			typ := ""
			if !f.Fragment && len(f.Data) >= packet.HeaderSize {
				p := &f.Packet
				typ = "DATA"
				if p.Control {
					typ = p.Type.String()
				}
				hour := f.Time.UTC().Truncate(time.Hour).Format(time.RFC3339)
				switch p.Kind() {
				case packet.KindData:
					k := hour + "|" + f.Src.String() + "|" + f.Dst.String()
					l := cc.links[k]
					if p.Retransmitted {
						l[1]++
					} else {
						l[0]++
					}
					cc.links[k] = l
				case packet.KindNAK:
					k := hour + "|" + f.Dst.String() + "|" + f.Src.String()
					l := cc.links[k]
					l[2] += int64(p.NAK.Count())
					cc.links[k] = l
				}
			}
			cc.types[typ]++
		}
		require.NoError(t, r.Err())
		r.Close()
		tr.Flush()
		rest := tr.Attempts()
		require.NoError(t, out.Attempts(rest...))
		require.NoError(t, out.Close())
		for i, a := range append(attempts, rest...) {
			if a.Outcome == session.OutcomeRejected {
				cc.rejections[a.Reason.Name()]++
			}
			for _, d := range a.Directions() {
				if n := d.Data.Packets + d.Data.FEC; n > 0 {
					cc.directions[fmt.Sprintf("%s|%d|%s", path, i+1, directionName(a, d))] = int64(n)
				}
			}
		}
	}
	// A link that only sent NAKs (no data in that hour) is not a row of
	// the example, which starts from the data packets.
	for k, l := range cc.links {
		if l[0]+l[1] == 0 {
			delete(cc.links, k)
		}
	}
	return cc
}

func TestDuckDB(t *testing.T) {
	node, npmDir := duckdbNode(t)
	dir := t.TempDir()
	cc := convertCorpus(t, dir)

	cmd := exec.Command(node, filepath.Join("testdata", "duckdb_check.mjs"), dir, filepath.Join(moduleRoot(), "docs", "examples"))
	cmd.Env = append(os.Environ(), "SRTWIRE_DUCKDB_DIR="+npmDir)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	raw, err := cmd.Output()
	require.NoError(t, err, "node duckdb_check.mjs: %s", stderr.String())
	var res map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(raw, &res))
	var version string
	require.NoError(t, json.Unmarshal(res["duckdb"], &version))
	t.Logf("DuckDB %s", version)
	if testing.Verbose() {
		t.Logf("results: %s", raw)
	}
	rows := func(name string) []map[string]any {
		var out []map[string]any
		require.NoError(t, json.Unmarshal(res[name], &out), name)
		return out
	}
	num := func(v any) int64 {
		switch v := v.(type) {
		case string:
			n, err := strconv.ParseInt(v, 10, 64)
			require.NoError(t, err)
			return n
		case float64:
			return int64(v)
		case nil:
			return 0
		}
		t.Fatalf("not a number: %#v", v)
		return 0
	}
	str := func(v any) string {
		s, _ := v.(string)
		return s
	}

	// Packet counts per type equal the codec's.
	got := map[string]int64{}
	for _, r := range rows("packets_per_type.sql") {
		got[str(r["type"])] = num(r["packets"])
	}
	assert.Equal(t, cc.types, got, "packets per type")
	var total int64
	for _, n := range got {
		total += n
	}
	t.Logf("packets per type: %d packets, %d types", total, len(got))

	// Rejections by reason equal the summaries'.
	got = map[string]int64{}
	for _, r := range rows("rejections_by_reason.sql") {
		got[str(r["reason"])] = num(r["attempts"])
	}
	assert.Equal(t, cc.rejections, got, "rejections by reason")
	require.NotEmpty(t, got)

	// The join of packets to connections finds each direction's packets.
	got = map[string]int64{}
	for _, r := range rows("packets_to_connections.sql") {
		k := fmt.Sprintf("%s|%d|%s", str(r["file"]), num(r["attempt"]), str(r["direction"]))
		got[k] = num(r["packets"])
		assert.Equal(t, num(r["stats_packets"]), num(r["packets"]), k)
	}
	assert.Equal(t, cc.directions, got, "packets joined to connections")
	require.NotEmpty(t, got)

	// Loss per link per hour.
	gotLinks := map[string][3]int64{}
	for _, r := range rows("loss_per_link_per_hour.sql") {
		h, err := time.Parse("2006-01-02 15:04:05", str(r["hour"]))
		require.NoError(t, err, "hour %v", r["hour"])
		k := h.Format(time.RFC3339) + "|" + str(r["sender"]) + "|" + str(r["receiver"])
		gotLinks[k] = [3]int64{num(r["originals"]), num(r["retransmitted"]), num(r["reported_lost"])}
	}
	assert.Equal(t, cc.links, gotLinks, "loss per link per hour")

	// The types DuckDB read.
	types := map[string]string{}
	for _, r := range rows("schema") {
		types[str(r["column_name"])] = str(r["column_type"])
	}
	for col, want := range map[string]string{
		"time":           "TIMESTAMP WITH TIME ZONE",
		"first_time":     "TIMESTAMP WITH TIME ZONE",
		"frame":          "BIGINT",
		"len":            "INTEGER",
		"kind":           "VARCHAR",
		"data_seq":       "BIGINT",
		"data_fec":       "BOOLEAN",
		"hs_extensions":  "VARCHAR[]",
		"nak_losses":     `STRUCT("first" BIGINT, "last" BIGINT)[]`,
		"findings":       `STRUCT("level" VARCHAR, code VARCHAR, "text" VARCHAR)[]`,
		"dir_rtt_us_avg": "DOUBLE",
	} {
		assert.Equal(t, want, types[col], col)
	}
	t.Logf("%d rejection reasons, %d directions joined, %d links×hours", len(cc.rejections), len(cc.directions), len(gotLinks))
}
