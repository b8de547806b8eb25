package capture_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/srtwire/srtwire/capture"
	"github.com/srtwire/srtwire/internal/testcorpus"
)

// frameRecord is what a test compares of one Frame.
type frameRecord struct {
	capture.Frame
	data   []byte
	offset int64
}

func collect(t testing.TB, r *capture.Reader) ([]frameRecord, capture.Stats, string) {
	t.Helper()
	var out []frameRecord
	for r.Next() {
		f := *r.Frame()
		rec := frameRecord{Frame: f, data: bytes.Clone(f.Data), offset: f.Offset}
		rec.Frame.Data, rec.Frame.Packet = nil, *f.Packet.Clone()
		rec.Frame.Packet.Payload, rec.Frame.Packet.Handshake.Ext, rec.Frame.Packet.CIF = nil, nil, nil
		rec.Frame.Packet.ACK.Extra, rec.Frame.Packet.NAK.List, rec.Frame.Packet.DropReq.Extra = nil, nil, nil
		out = append(out, rec)
	}
	msg := ""
	if err := r.Err(); err != nil {
		msg = err.Error()
	}
	return out, r.Stats(), msg
}

// TestReaderBytesSameAsStream reads every capture of testdata, whole and
// cut at many points, gzipped and not, with NewReaderBytes and with
// NewReader: the frames (every field, the bytes, the offsets), the
// statistics and the final error must be the same.
func TestReaderBytesSameAsStream(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(testcorpus.Dir(), "..", "*", "*.pcap*"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	checked := 0
	for _, file := range files {
		whole, err := os.ReadFile(file)
		require.NoError(t, err)
		cuts := []int{len(whole)}
		for _, c := range []int{0, 3, 24, 25, 40, len(whole) / 3, len(whole) / 2, len(whole) - 1, len(whole) - 17} {
			if c >= 0 && c < len(whole) {
				cuts = append(cuts, c)
			}
		}
		for _, cut := range cuts {
			in := whole[:cut]
			rs, errS := capture.NewReader(bytes.NewReader(in), nil)
			rb, errB := capture.NewReaderBytes(in, nil)
			if errS != nil || errB != nil {
				require.Equal(t, errS, errB, "%s cut at %d", file, cut)
				continue
			}
			fs, ss, es := collect(t, rs)
			fb, sb, eb := collect(t, rb)
			require.Equal(t, es, eb, "%s cut at %d: error", file, cut)
			require.Equal(t, ss, sb, "%s cut at %d: stats", file, cut)
			require.Equal(t, len(fs), len(fb), "%s cut at %d: frames", file, cut)
			for i := range fs {
				require.Equal(t, fs[i], fb[i], "%s cut at %d: frame %d", file, cut, fs[i].Number)
			}
			checked += len(fs)
		}
	}
	t.Logf("%d files, %d frames compared", len(files), checked)
	require.Greater(t, checked, 10000)
}

// TestReaderBytesZeroCopy checks that a classic capture's frames are views
// into the caller's bytes.
func TestReaderBytesZeroCopy(t *testing.T) {
	whole, err := os.ReadFile(testcorpus.Path("s01_live_plain.pcap"))
	require.NoError(t, err)
	r, err := capture.NewReaderBytes(whole, nil)
	require.NoError(t, err)
	require.True(t, r.Next())
	d := r.Frame().Data
	off := int(r.Frame().Offset)
	// The datagram lies inside the record that starts at Offset.
	inside := false
	for i := off; i+len(d) <= len(whole); i++ {
		if &whole[i] == &d[0] {
			inside = true
			break
		}
	}
	require.True(t, inside, "frame data is not a view into the input")
}
