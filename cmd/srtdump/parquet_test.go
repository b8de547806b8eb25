package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/parquet-go/parquet-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/srtwire/srtwire/internal/parquetout"
	"github.com/srtwire/srtwire/internal/testcorpus"
)

// parquetRows returns the number of rows of a Parquet file.
func parquetRows(t *testing.T, path string) int64 {
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	fi, err := f.Stat()
	require.NoError(t, err)
	pf, err := parquet.OpenFile(f, fi.Size())
	require.NoError(t, err)
	return pf.NumRows()
}

// TestParquet (issue 21): -parquet DIR writes both tables of every corpus
// capture, says so on stderr with the rows, has one packets row per
// -json line and one connections row per attempt and direction of
// -stats -json; two FILEs of the same NAME are refused.
func TestParquet(t *testing.T) {
	files := corpusFiles(t)
	dir := t.TempDir()
	st, out, errs := runCmd(t, nil, append([]string{"-parquet", dir}, files...)...)
	require.Equal(t, 0, st, errs)
	assert.Empty(t, out)
	lines := strings.Split(strings.TrimSuffix(errs, "\n"), "\n")
	require.Len(t, lines, 2*len(files), errs)
	for i, file := range files {
		name := parquetout.TableName(file) + ".parquet"
		pk := filepath.Join(dir, parquetout.PacketsDir, name)
		cn := filepath.Join(dir, parquetout.ConnectionsDir, name)
		np, nc := parquetRows(t, pk), parquetRows(t, cn)
		assert.Equal(t, "srtdump: wrote "+pk+": "+strconv.FormatInt(np, 10)+" rows", lines[2*i])
		assert.Equal(t, "srtdump: wrote "+cn+": "+strconv.FormatInt(nc, 10)+" rows", lines[2*i+1])

		_, js, _ := runCmd(t, nil, "-json", file)
		assert.Equal(t, int64(strings.Count(js, "\n")), np, file)
		_, stats, _ := runCmd(t, nil, "-stats", "-json", file)
		var want int64 // a row per direction, or one for an attempt without data
		for _, l := range strings.Split(strings.TrimSpace(stats), "\n") {
			want += int64(max(1, strings.Count(l, `{"from":`)))
		}
		assert.Equal(t, want, nc, file)
	}
	// Nothing left under a temporary name.
	tmp, _ := filepath.Glob(filepath.Join(dir, "*", ".*.tmp"))
	assert.Empty(t, tmp)

	// Two captures of one NAME.
	other := filepath.Join(t.TempDir(), filepath.Base(files[0]))
	b, err := os.ReadFile(files[0])
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(other, b, 0o644))
	st, _, errs = runCmd(t, nil, "-parquet", t.TempDir(), files[0], other)
	assert.Equal(t, 2, st)
	assert.Contains(t, errs, "would both write "+parquetout.TableName(other)+".parquet")

	st, _, errs = runCmd(t, nil, "-parquet", dir, "-summary", files[0])
	assert.Equal(t, 2, st)
	assert.Contains(t, errs, "-parquet writes tables")
}

// corpusFiles returns the corpus captures, in the order of their names.
func corpusFiles(t *testing.T) []string {
	files, err := filepath.Glob(filepath.Join(testcorpus.Dir(), "*.pcap*"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	return files
}
