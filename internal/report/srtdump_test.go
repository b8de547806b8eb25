package report

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/srtwire/srtwire/internal/testcorpus"
)

// TestStatsAgreeWithSrtdump builds cmd/srtdump and checks that its
// -stats tables and StatRows say the same, row for row and figure for
// figure, on every corpus capture: the report's table is srtdump's. It is
// skipped when cmd/srtdump does not build (it is being edited) or with
// -short.
func TestStatsAgreeWithSrtdump(t *testing.T) {
	if testing.Short() {
		t.Skip("builds cmd/srtdump")
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command")
	}
	bin := filepath.Join(t.TempDir(), "srtdump")
	mk := exec.Command(goBin, "build", "-o", bin, "github.com/srtwire/srtwire/cmd/srtdump")
	if out, err := mk.CombinedOutput(); err != nil {
		t.Skipf("cmd/srtdump does not build now: %v\n%s", err, out)
	}
	labels := map[string]int{}
	for i, r := range StatRows {
		if r.Label != "" {
			labels[strings.TrimSpace(r.Label)] = i
		}
	}
	cols := regexp.MustCompile(` {3,}`)
	caps, err := testcorpus.Captures()
	require.NoError(t, err)
	for _, cp := range caps {
		cc := struct {
			name        string
			passphrases []string
		}{name: cp.Name}
		for _, k := range corpusCaptures {
			if k.name == cp.Name {
				cc.passphrases = k.passphrases
			}
		}
		t.Run(cc.name, func(t *testing.T) {
			b := build(t, cc.name, cc.passphrases, nil)
			require.Len(t, b.attempts, 1)
			a := b.attempts[0]
			dirs := a.Directions()
			cmd := exec.Command(bin, "-stats", "-progress", "never", testcorpus.Path(cc.name+".pcap"))
			cmd.Env = append(os.Environ(), "TZ=UTC")
			if len(cc.passphrases) > 0 {
				cmd.Env = append(cmd.Env, "SRT_PASSPHRASE="+cc.passphrases[0])
			}
			out, err := cmd.Output()
			require.NoError(t, err)
			got := map[string][]string{}
			sc := bufio.NewScanner(bytes.NewReader(out))
			for sc.Scan() {
				line := strings.TrimLeft(sc.Text(), " ")
				f := cols.Split(line, -1)
				label := strings.TrimSpace(f[0])
				if _, ok := labels[label]; !ok || len(f) < 2 {
					continue
				}
				got[label] = f[1:]
			}
			if len(dirs) == 0 {
				assert.Empty(t, got, "no table without directions")
				return
			}
			require.Len(t, got, len(labels), "every row of StatRows is in srtdump's table:\n%s", out)
			for label, i := range labels {
				require.Len(t, got[label], len(dirs), label)
				for k, d := range dirs {
					assert.Equal(t, StatRows[i].Value(d), got[label][k], "%s, %s", label, dirName(a, d))
				}
			}
		})
	}
}
