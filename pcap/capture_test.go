package pcap_test

import (
	"bytes"
	"errors"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/srtwire/srtwire/capture"
	"github.com/srtwire/srtwire/internal/testcorpus"
	"github.com/srtwire/srtwire/pcap"
)

// TestReaderNamesAreCaptures: code written against the reader's old home
// still works, with capture's types and values: the same frames through
// pcap.Open, pcap.NewReader and pcap.NewReaderBytes as through capture,
// and pcap's errors match capture's.
func TestReaderNamesAreCaptures(t *testing.T) {
	path := testcorpus.Path("s05_app_reject_1403.pcap")
	numbers := func(r *capture.Reader) []int {
		var n []int
		for r.Next() {
			n = append(n, r.Frame().Number)
		}
		require.NoError(t, r.Err())
		return n
	}
	cr, err := capture.Open(path, nil)
	require.NoError(t, err)
	defer cr.Close()
	want := numbers(cr)
	require.NotEmpty(t, want)

	var pr *pcap.Reader
	pr, err = pcap.Open(path, &pcap.Options{})
	require.NoError(t, err)
	defer pr.Close()
	assert.Equal(t, want, numbers(pr))

	data, err := os.ReadFile(path)
	require.NoError(t, err)
	pr, err = pcap.NewReader(bytes.NewReader(data), nil)
	require.NoError(t, err)
	assert.Equal(t, want, numbers(pr))
	pr, err = pcap.NewReaderBytes(data, nil)
	require.NoError(t, err)
	assert.Equal(t, want, numbers(pr))

	_, err = pcap.NewReader(bytes.NewReader(nil), nil)
	assert.ErrorIs(t, err, capture.ErrEmpty)
	assert.ErrorIs(t, err, pcap.ErrEmpty)
	_, err = capture.NewReader(bytes.NewReader([]byte("not a capture")), nil)
	assert.ErrorIs(t, err, pcap.ErrNotCapture)

	pr, err = pcap.NewReaderBytes(data[:len(data)-3], nil)
	require.NoError(t, err)
	for pr.Next() {
	}
	var ce *pcap.CaptureError
	require.True(t, errors.As(pr.Err(), &ce), "%v", pr.Err())
	var st pcap.Stats = pr.Stats()
	assert.Equal(t, len(want)-1, st.SRT)
}
