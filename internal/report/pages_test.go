package report

import (
	"os"
	"path/filepath"
	"testing"
)

// TestWritePages writes the corpus reports to $SRTWIRE_REPORT_DIR, to be
// looked at: go test -run WritePages ./internal/report/ with the variable
// set.
func TestWritePages(t *testing.T) {
	dir := os.Getenv("SRTWIRE_REPORT_DIR")
	if dir == "" {
		t.Skip()
	}
	for _, c := range corpusCaptures {
		b := build(t, c.name, c.passphrases, nil)
		if err := os.WriteFile(filepath.Join(dir, c.name+".html"), b.page, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
