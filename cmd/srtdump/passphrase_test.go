package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/srtwire/srtwire/internal/testcorpus"
)

// TestPassphraseDecrypts (issue 16): with the passphrase, -x shows the
// plaintext of every data packet of s02_enc_aes128 (the corpus generator's
// text), the KM lines say "passphrase ok" and the summary which side's KM
// it opens; with a wrong one the KM lines and the summary say so, and no
// plaintext is shown. s02_enc_kmrefresh decrypts all 420 across the switch
// from the even to the odd key.
func TestPassphraseDecrypts(t *testing.T) {
	p := testcorpus.Path("s02_enc_aes128.pcap")
	st, out, errs := runCmd(t, nil, "-passphrase", "corpus-secret-16", p, "-x")
	require.Equal(t, 0, st, errs)
	assert.Equal(t, 80, strings.Count(out, "[decrypted]"))
	chunks := regexp.MustCompile(`\t0x0010:  [0-9a-f ]{39}  SRTCORPUS chunk=\n\t0x0020:  [0-9a-f ]{39}  (\d{6}) size=1316`).FindAllStringSubmatch(out, -1)
	require.Len(t, chunks, 80)
	for i, c := range chunks {
		assert.Equal(t, fmt.Sprintf("%06d", i), c[1])
	}
	assert.Equal(t, 2, strings.Count(out, "keys=even passphrase ok\n"), "the KMREQ and the KMRSP")

	st, out, errs = runCmd(t, nil, "-passphrase", "corpus-secret-16", p, "-json")
	require.Equal(t, 0, st, errs)
	assert.Equal(t, 80, strings.Count(out, `"payload_len":1316,"decrypted":true}`))
	assert.Equal(t, 2, strings.Count(out, `"key_len":16},"passphrase":"match","passphrase_no":1}`))

	st, out, _ = runCmd(t, nil, "-passphrase", "corpus-secret-16", "-summary", p)
	require.Equal(t, 0, st)
	assert.Contains(t, out, "  AES-128     caller #1  ")
	assert.Contains(t, out, "#1 the caller's KM opened by passphrase #1; 80 data packets decrypted\n")

	// A wrong passphrase: said on the KM lines and in the summary, and no
	// plaintext.
	st, out, _ = runCmd(t, nil, "-passphrase", "wrong-secret-16", p, "-x")
	require.Equal(t, 0, st)
	assert.NotContains(t, out, "SRTCORPUS")
	assert.NotContains(t, out, "[decrypted]")
	assert.Equal(t, 2, strings.Count(out, "keys=even PASSPHRASE MISMATCH\n"))
	assert.Equal(t, 80, strings.Count(out, "[not decrypted: no passphrase given opens its key material]"))
	_, out, _ = runCmd(t, nil, "-passphrase", "wrong-secret-16", "-json", p)
	assert.Equal(t, 2, strings.Count(out, `"passphrase":"mismatch"`))
	assert.Equal(t, 80, strings.Count(out, `"decrypted":false,"decrypt_error":"no passphrase given opens its key material"`))
	_, out, _ = runCmd(t, nil, "-passphrase", "wrong-secret-16", "-summary", p)
	assert.Contains(t, out, "  MISMATCH  ")
	assert.Contains(t, out, "#1 PASSPHRASE MISMATCH: no passphrase given opens the caller's KM; 0 data packets decrypted\n")
	assert.Contains(t, out, "#1 warning passphrase_mismatch: ")
	_, out, _ = runCmd(t, nil, "-passphrase", "wrong-secret-16", "-summary", "-json", p)
	assert.Contains(t, out, `"passphrase":"mismatch","caller_km":"mismatch",`)

	// Key refresh: 420 of 420, the in-band KMREQs and KMRSPs judged too.
	p = testcorpus.Path("s02_enc_kmrefresh.pcap")
	_, out, _ = runCmd(t, nil, "-passphrase", "refresh-secret-1", p, "-x")
	assert.Equal(t, 420, strings.Count(out, "[decrypted]"))
	assert.Equal(t, 420, strings.Count(out, "  SRTCORPUS msg=")) // the C peer's generator
	assert.Equal(t, 6, strings.Count(out, "keys=both passphrase ok ts="))
	_, out, _ = runCmd(t, nil, "-passphrase", "refresh-secret-1", "-stats", "-json", p)
	assert.Contains(t, out, `"encrypted":420,"decrypted":420,"decrypt_failed":0,`)
	assert.Contains(t, out, `"switches":3,"refreshes":3,"answers":3,"refused":0`)
}

// TestPassphraseSources (issue 16): -passphrase is repeatable,
// -passphrase-file gives one a line, SRT_PASSPHRASE one more, numbered in
// that order; no passphrase is ever written to any output or error.
func TestPassphraseSources(t *testing.T) {
	defer func(g func(string) string) { getenv = g }(getenv)
	env := ""
	getenv = func(k string) string {
		if k == "SRT_PASSPHRASE" {
			return env
		}
		return ""
	}
	dir := t.TempDir()
	file := filepath.Join(dir, "pw")
	require.NoError(t, os.WriteFile(file, []byte("first-wrong-one\r\n\nsecond-wrong-1\ncorpus-secret-16\n"), 0o600))
	p := testcorpus.Path("s02_enc_aes128.pcap")
	secrets := []string{"flag-wrong-one", "first-wrong-one", "second-wrong-1", "corpus-secret-16", "refresh-secret-1", "short"}
	noSecret := func(s ...string) {
		t.Helper()
		for _, x := range s {
			for _, pw := range secrets {
				assert.NotContains(t, x, pw)
			}
		}
	}

	// #1 from the flag, #2-#4 from the file: #4 opens it.
	st, out, errs := runCmd(t, nil, "-passphrase", "flag-wrong-one", "-passphrase-file", file, "-summary", p)
	require.Equal(t, 0, st, errs)
	assert.Contains(t, out, "caller #4")
	noSecret(out, errs)
	st, out, errs = runCmd(t, nil, "-passphrase", "flag-wrong-one", "-passphrase-file", file, p)
	require.Equal(t, 0, st, errs)
	assert.Contains(t, out, "keys=even passphrase #4 ok\n")
	noSecret(out, errs)

	// The environment alone, then after the others.
	env = "corpus-secret-16"
	st, out, errs = runCmd(t, nil, "-summary", "-json", p)
	require.Equal(t, 0, st, errs)
	assert.Contains(t, out, `"caller_km":"match","caller_km_passphrase":1,`)
	noSecret(out, errs)
	st, out, errs = runCmd(t, nil, "-passphrase", "refresh-secret-1", "-json", p)
	require.Equal(t, 0, st, errs)
	assert.Contains(t, out, `"passphrase":"match","passphrase_no":2}`)
	noSecret(out, errs)
	env = ""

	// Errors and warnings name the passphrase by its number, never by its
	// value; so do -h and a bad flag next to it.
	st, out, errs = runCmd(t, nil, "-passphrase", "short", p)
	assert.Equal(t, 0, st)
	assert.Contains(t, errs, "passphrase #1 is 5 bytes long; libsrt takes 10 to 80")
	noSecret(out, errs)
	st, out, errs = runCmd(t, nil, "-passphrase", "corpus-secret-16", "-passphrase", "", p)
	assert.Equal(t, 2, st)
	assert.Contains(t, errs, "passphrase #2 is empty")
	noSecret(out, errs)
	st, out, errs = runCmd(t, nil, "-passphrase", "corpus-secret-16", "-bogus", p)
	assert.Equal(t, 2, st)
	noSecret(out, errs)
	st, out, errs = runCmd(t, nil, "-passphrase", "corpus-secret-16", "-h")
	assert.Equal(t, 0, st)
	assert.Contains(t, out, "SRT_PASSPHRASE")
	assert.Contains(t, out, "-passphrase-file")
	noSecret(out, errs)
	st, _, errs = runCmd(t, nil, "-passphrase-file", filepath.Join(dir, "missing"), p)
	assert.Equal(t, 2, st)
	assert.Contains(t, errs, "-passphrase-file: open ")
	empty := filepath.Join(dir, "empty")
	require.NoError(t, os.WriteFile(empty, []byte("\n\n"), 0o600))
	st, _, errs = runCmd(t, nil, "-passphrase-file", empty, p)
	assert.Equal(t, 2, st)
	assert.Contains(t, errs, "holds no passphrase")
}
