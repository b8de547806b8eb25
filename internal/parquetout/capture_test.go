package parquetout

import (
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/srtwire/srtwire/capture"
	"github.com/srtwire/srtwire/session"
)

func TestTableName(t *testing.T) {
	for in, want := range map[string]string{
		"capture.pcap":                         "capture",
		"/archive/site1/2026-11-24T19.pcap.gz": "2026-11-24T19",
		"x.PCAPNG":                             "x",
		"a.b.cap":                              "a.b",
		"noext":                                "noext",
		"-":                                    "stdin",
		".pcap":                                "capture",
	} {
		assert.Equal(t, want, TableName(in), in)
	}
}

// TestCapture converts a corpus capture into a directory as srtdump
// -parquet does and reads both files back.
func TestCapture(t *testing.T) {
	dir := t.TempDir()
	path := capturePath("s02_enc_kmrefresh")
	out, err := Create(dir, TableName(path), path)
	require.NoError(t, err)
	r, err := capture.Open(path, nil)
	require.NoError(t, err)
	defer r.Close()
	tr := session.NewTracker()
	tr.OnRetire = func(a *session.Attempt) { require.NoError(t, out.Attempts(a)) }
	for r.Next() {
		f := r.Frame()
		require.NoError(t, out.Packet(f))
		tr.Add(&session.Frame{Number: f.Number, Time: f.Time, Src: f.Src, Dst: f.Dst, Packet: &f.Packet, Data: f.Data, Err: f.Err})
	}
	require.NoError(t, r.Err())
	// Nothing is visible before Close.
	matches, _ := filepath.Glob(filepath.Join(dir, "*", "*.parquet"))
	require.Empty(t, matches)
	tr.Flush()
	require.NoError(t, out.Attempts(tr.Attempts()...))
	require.NoError(t, out.Close())

	pk, err := os.ReadFile(filepath.Join(dir, PacketsDir, "s02_enc_kmrefresh.parquet"))
	require.NoError(t, err)
	cn, err := os.ReadFile(filepath.Join(dir, ConnectionsDir, "s02_enc_kmrefresh.parquet"))
	require.NoError(t, err)
	prows := readRows[PacketRow](t, pk)
	crows := readRows[ConnectionRow](t, cn)
	assert.Len(t, prows, 851)
	assert.Equal(t, path, prows[0].File)
	require.NotEmpty(t, crows)
	assert.Equal(t, path, crows[0].File)
	entries, err := os.ReadDir(filepath.Join(dir, PacketsDir))
	require.NoError(t, err)
	assert.Len(t, entries, 1, "no temporary file left")
}

func TestCaptureAbort(t *testing.T) {
	dir := t.TempDir()
	out, err := Create(dir, "x", "x.pcap")
	require.NoError(t, err)
	out.Abort()
	require.Error(t, out.Close())
	for _, sub := range []string{PacketsDir, ConnectionsDir} {
		entries, err := os.ReadDir(filepath.Join(dir, sub))
		require.NoError(t, err)
		assert.Empty(t, entries, sub)
	}
}

// TestOnlySrtdumpImports: parquet-go is imported by this package alone,
// and this package by cmd/srtdump alone (non-test code), so that the codec
// packages and every other command stay free of it.
func TestOnlySrtdumpImports(t *testing.T) {
	root := moduleRoot()
	fset := token.NewFileSet()
	seen := 0
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path != root && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata") {
				return filepath.SkipDir
			}
			if _, err := os.Stat(filepath.Join(path, "go.mod")); err == nil && path != root {
				return filepath.SkipDir // a nested module
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		seen++
		rel, _ := filepath.Rel(root, filepath.Dir(path))
		rel = filepath.ToSlash(rel)
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			switch {
			case strings.HasPrefix(p, "github.com/parquet-go/") && rel != "internal/parquetout":
				t.Errorf("%s imports %s: only internal/parquetout may", path, p)
			case p == "github.com/srtwire/srtwire/internal/parquetout" && rel != "cmd/srtdump":
				t.Errorf("%s imports %s: only cmd/srtdump may", path, p)
			}
		}
		return nil
	})
	require.NoError(t, err)
	require.Greater(t, seen, 20)
}

// TestColumnsDocumented: every column of both tables is listed in
// docs/parquet.md, in the first cell of a table row ("| `name` | ...").
func TestColumnsDocumented(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join(moduleRoot(), "docs", "parquet.md"))
	require.NoError(t, err)
	listed := map[string]bool{}
	name := regexp.MustCompile("`([a-z0-9_]+)`")
	for _, line := range strings.Split(string(doc), "\n") {
		if cells := strings.Split(line, "|"); len(cells) > 2 && cells[0] == "" {
			for _, m := range name.FindAllStringSubmatch(cells[1], -1) {
				listed[m[1]] = true
			}
		}
	}
	for table, row := range map[string]any{"packets": PacketRow{}, "connections": ConnectionRow{}} {
		for col := range columnsOfAll(row) {
			assert.True(t, listed[col], "%s column %s is not in docs/parquet.md", table, col)
		}
	}
}

// BenchmarkCaptureSmall converts a small corpus capture (851 packets,
// 196 KB) as srtdump -parquet does, files included: what one of many
// small captures costs, most of it fixed per capture.
func BenchmarkCaptureSmall(b *testing.B) {
	path := capturePath("s02_enc_kmrefresh")
	data, err := os.ReadFile(path)
	require.NoError(b, err)
	dir := b.TempDir()
	b.ReportAllocs()
	for b.Loop() {
		out, err := Create(dir, "x", path)
		if err != nil {
			b.Fatal(err)
		}
		r, err := capture.NewReaderBytes(data, nil)
		if err != nil {
			b.Fatal(err)
		}
		tr := session.NewTracker()
		for r.Next() {
			f := r.Frame()
			if err := out.Packet(f); err != nil {
				b.Fatal(err)
			}
			tr.Add(&session.Frame{Number: f.Number, Time: f.Time, Src: f.Src, Dst: f.Dst, Packet: &f.Packet, Data: f.Data, Err: f.Err})
		}
		tr.Flush()
		if err := out.Attempts(tr.Attempts()...); err != nil {
			b.Fatal(err)
		}
		if err := out.Close(); err != nil {
			b.Fatal(err)
		}
	}
}
