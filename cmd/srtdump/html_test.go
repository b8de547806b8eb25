package main

import (
	"bytes"
	"encoding/xml"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/srtwire/srtwire/internal/testcorpus"
)

// TestHTML: -html writes one well-formed page with a section per capture,
// the findings of each and the statistics table, and prints no packet
// lines beside it.
func TestHTML(t *testing.T) {
	page := filepath.Join(t.TempDir(), "report.html")
	st, out, errs := runCmd(t, nil, "-html", page,
		testcorpus.Path("s08_loss_pattern.pcap"), testcorpus.Path("s03_badsecret_noenforce.pcap"))
	require.Equal(t, 0, st, errs)
	assert.Empty(t, out, "-html alone prints no packet lines")
	assert.Contains(t, errs, "wrote "+page)
	b, err := os.ReadFile(page)
	require.NoError(t, err)
	assert.Less(t, len(b), 2<<20)
	s := string(b)
	assert.Equal(t, 2, strings.Count(s, `<section class="capture"`))
	assert.Contains(t, s, "s08_loss_pattern.pcap")
	assert.Contains(t, s, "undecryptable", "s03's finding is on the page")
	assert.Contains(t, s, "data packets (FEC excluded)", "the -stats table")
	assert.NotContains(t, s, "<script src", "self-contained")
	// Well-formed: the page parses as XML from start to end.
	dec := xml.NewDecoder(bytes.NewReader(b))
	dec.Strict, dec.AutoClose, dec.Entity = true, xml.HTMLAutoClose, xml.HTMLEntity
	for {
		_, err := dec.Token()
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
	}
	_, err = os.Stat(page + ".tmp")
	assert.True(t, os.IsNotExist(err), "no temporary file left")
}
