package main

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/srtwire/srtwire/internal/testcorpus"
)

// corpusPayload is the corpus generator's payload: chunk i of size bytes,
// byte j = 'a' + (i+j) mod 26, its start overwritten by
// "SRTCORPUS chunk=%06d size=%d|".
func corpusPayload(chunks, size int) []byte {
	b := make([]byte, 0, chunks*size)
	for i := 0; i < chunks; i++ {
		c := make([]byte, size)
		for j := range c {
			c[j] = byte('a' + (i+j)%26)
		}
		copy(c, fmt.Sprintf("SRTCORPUS chunk=%06d size=%d|", i, size))
		b = append(b, c...)
	}
	return b
}

// TestExtract (issue 18): -extract DIR on s02_enc_aes128 with its
// passphrase writes one file, the generator's bytes, and prints its
// report line; without the passphrase it writes nothing and says why.
func TestExtract(t *testing.T) {
	p := testcorpus.Path("s02_enc_aes128.pcap")
	dir := t.TempDir()
	st, out, errs := runCmd(t, nil, "-extract", dir, p, "-passphrase", "corpus-secret-16")
	require.Equal(t, 0, st, errs)
	ents, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Len(t, ents, 1)
	name := ents[0].Name()
	assert.Regexp(t, `^caller-to-listener_127\.0\.0\.1_\d+_to_127\.0\.0\.1_\d+\.bin$`, name)
	got, err := os.ReadFile(filepath.Join(dir, name))
	require.NoError(t, err)
	assert.True(t, string(corpusPayload(80, 1316)) == string(got), "the generator's bytes")
	assert.Equal(t, name+": 105280 bytes, 80 packets, 80 messages, 0 gaps, decrypted (AES-128)\n", out)

	dir = t.TempDir()
	st, out, errs = runCmd(t, nil, "-extract", dir, p)
	require.Equal(t, 0, st, errs)
	ents, err = os.ReadDir(dir)
	require.NoError(t, err)
	assert.Empty(t, ents)
	assert.Contains(t, out, "not written: the payload is encrypted (AES-128) and no passphrase was given")
	assert.Contains(t, out, "-passphrase decrypts it; -extract-ciphertext writes it encrypted")

	// Usage errors.
	st, _, errs = runCmd(t, nil, "-extract", dir, "-json", p)
	assert.Equal(t, 2, st)
	assert.Contains(t, errs, "-extract writes files")
	st, _, errs = runCmd(t, nil, "-extract-gaps", "fill", p)
	assert.Equal(t, 2, st)
	assert.Contains(t, errs, "go with -extract DIR")
	st, _, errs = runCmd(t, nil, "-extract", dir, "-extract-gaps", "zero", p)
	assert.Equal(t, 2, st)
	assert.Contains(t, errs, "want fill or skip")
}
