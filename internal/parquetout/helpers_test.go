package parquetout

import (
	"bytes"
	"encoding/binary"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/parquet-go/parquet-go"
	"github.com/stretchr/testify/require"

	"github.com/srtwire/srtwire/capture"
	"github.com/srtwire/srtwire/internal/testcorpus"
	"github.com/srtwire/srtwire/session"
)

// moduleRoot is the directory of the main module's go.mod.
func moduleRoot() string { return filepath.Clean(filepath.Join(testcorpus.Dir(), "..", "..")) }

func corpus(tb testing.TB) []testcorpus.Capture {
	tb.Helper()
	caps, err := testcorpus.Captures()
	require.NoError(tb, err)
	require.NotEmpty(tb, caps)
	return caps
}

func capturePath(name string) string { return testcorpus.Path(name + ".pcap") }

// eachFrame calls fn for every frame capture.Reader hands out for data.
func eachFrame(tb testing.TB, data []byte, fn func(f *capture.Frame)) {
	tb.Helper()
	r, err := capture.NewReader(bytes.NewReader(data), nil)
	require.NoError(tb, err)
	for r.Next() {
		fn(r.Frame())
	}
	require.NoError(tb, r.Err())
}

// writePackets writes the packets table of a capture held in data.
func writePackets(tb testing.TB, data []byte, file string) []byte {
	return writePacketsWith(tb, data, file, RowGroupRows, 1)
}

// writePacketsWith is writePackets with row groups of at most groupMax
// rows, encoded by workers goroutines.
func writePacketsWith(tb testing.TB, data []byte, file string, groupMax, workers int) []byte {
	tb.Helper()
	var out bytes.Buffer
	w := NewPacketWriter(&out, file)
	w.groupMax = groupMax
	w.SetWorkers(workers)
	eachFrame(tb, data, func(f *capture.Frame) { require.NoError(tb, w.Write(f)) })
	require.NoError(tb, w.Close())
	return out.Bytes()
}

// track folds a capture into attempts as srtdump does (every frame, in
// order; retired attempts first).
func track(tb testing.TB, data []byte) []*session.Attempt {
	tb.Helper()
	tr := session.NewTracker()
	var all []*session.Attempt
	tr.OnRetire = func(a *session.Attempt) { all = append(all, a) }
	eachFrame(tb, data, func(f *capture.Frame) {
		sf := session.Frame{Number: f.Number, Time: f.Time, Src: f.Src, Dst: f.Dst, Packet: &f.Packet, Data: f.Data, Err: f.Err}
		tr.Add(&sf)
	})
	tr.Flush()
	return append(all, tr.Attempts()...)
}

func readRows[T any](tb testing.TB, file []byte) []T {
	tb.Helper()
	rows, err := parquet.Read[T](bytes.NewReader(file), int64(len(file)))
	require.NoError(tb, err)
	return rows
}

func readCapture(tb testing.TB, name string) []byte {
	tb.Helper()
	data, err := os.ReadFile(capturePath(name))
	require.NoError(tb, err)
	return data
}

// repeated returns the classic little-endian µs capture name repeated n
// times, its timestamps shifted so that the result is one long capture
// (as bench/bench_test.go and bench/repeatpcap do).
func repeated(tb testing.TB, name string, n int) []byte {
	tb.Helper()
	data := readCapture(tb, name)
	require.Equal(tb, uint32(0xa1b2c3d4), binary.LittleEndian.Uint32(data), "a little-endian µs pcap")
	recs := data[24:]
	first := binary.LittleEndian.Uint32(recs)
	var last uint32
	for b := recs; len(b) >= 16; b = b[16+binary.LittleEndian.Uint32(b[8:]):] {
		last = binary.LittleEndian.Uint32(b)
	}
	span := last - first + 1
	out := append(make([]byte, 0, 24+n*len(recs)), data[:24]...)
	for i := range n {
		for b := recs; len(b) >= 16; {
			l := 16 + int(binary.LittleEndian.Uint32(b[8:]))
			rec := append(out[len(out):len(out)], b[:l]...)
			binary.LittleEndian.PutUint32(rec, binary.LittleEndian.Uint32(b)+uint32(i)*span)
			out = out[:len(out)+l]
			b = b[l:]
		}
	}
	return out
}

// columnsOf returns the values of a row struct by column name (the first
// element of each field's parquet tag), with nil pointers left out and
// pointers dereferenced.
func columnsOf(row any) map[string]any {
	out := map[string]any{}
	v := reflect.ValueOf(row)
	t := v.Type()
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("parquet"), ",")
		f := v.Field(i)
		if f.Kind() == reflect.Pointer {
			if f.IsNil() {
				continue
			}
			f = f.Elem()
		}
		out[name] = f.Interface()
	}
	return out
}

var (
	srtdumpOnce sync.Once
	srtdumpBin  string
	srtdumpErr  error
	srtdumpOut  []byte
)

// srtdump builds cmd/srtdump once per test binary and returns its path.
// It skips the test when the command does not build (a work tree where it
// is being edited; go vet ./... fails on a committed one).
func srtdump(tb testing.TB) string {
	tb.Helper()
	srtdumpOnce.Do(func() {
		dir, err := os.MkdirTemp("", "parquetout-srtdump")
		if err != nil {
			srtdumpErr = err
			return
		}
		srtdumpBin = filepath.Join(dir, "srtdump")
		cmd := exec.Command("go", "build", "-o", srtdumpBin, "./cmd/srtdump")
		cmd.Dir = moduleRoot()
		srtdumpOut, srtdumpErr = cmd.CombinedOutput()
	})
	if srtdumpErr != nil {
		tb.Skipf("cmd/srtdump does not build here, so its output cannot be compared: %v\n%s", srtdumpErr, srtdumpOut)
	}
	return srtdumpBin
}

// srtdumpLines runs srtdump with args and returns its output lines.
func srtdumpLines(tb testing.TB, args ...string) []string {
	tb.Helper()
	cmd := exec.Command(srtdump(tb), args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	require.NoError(tb, err, "srtdump %v: %s", args, stderr.String())
	lines := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
	if len(lines) == 1 && lines[0] == "" {
		return nil
	}
	return lines
}

func TestMain(m *testing.M) {
	code := m.Run()
	if srtdumpBin != "" {
		os.RemoveAll(filepath.Dir(srtdumpBin))
	}
	os.Exit(code)
}
