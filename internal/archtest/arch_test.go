package archtest

import (
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/srtwire/srtwire/internal/testcorpus"
)

const module = "github.com/srtwire/srtwire/"

// rules lists, per core package, the module packages it may import; any
// import with a dot in its first element (a third-party module) is refused.
var rules = map[string][]string{
	"reject":    nil,
	"handshake": {"reject"},
	"packet":    {"handshake", "reject"},
}

// forbidden are standard packages the hot-path packages must not use.
var forbidden = map[string][]string{
	"packet": {"reflect", "fmt", "unsafe"},
}

// imports returns the imports of the non-test Go files in dir.
func imports(t *testing.T, dir string) map[string][]string {
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	out := map[string][]string{}
	fset := token.NewFileSet()
	for _, e := range entries {
		name := e.Name()
		if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, filepath.Join(dir, name), nil, parser.ImportsOnly)
		require.NoError(t, err)
		for _, imp := range f.Imports {
			p, err := strconv.Unquote(imp.Path.Value)
			require.NoError(t, err)
			out[name] = append(out[name], p)
		}
	}
	return out
}

func root() string { return filepath.Clean(filepath.Join(testcorpus.Dir(), "..", "..")) }

func TestCorePackagesUseOnlyTheStandardLibrary(t *testing.T) {
	for pkg, allowed := range rules {
		for file, imps := range imports(t, filepath.Join(root(), pkg)) {
			for _, p := range imps {
				switch {
				case strings.HasPrefix(p, module):
					ok := false
					for _, a := range allowed {
						ok = ok || p == module+a
					}
					if !ok {
						t.Errorf("%s/%s imports %s: %s may import only %v from this module", pkg, file, p, pkg, allowed)
					}
				case strings.Contains(strings.Split(p, "/")[0], "."):
					t.Errorf("%s/%s imports %s: only the standard library is allowed", pkg, file, p)
				}
				for _, f := range forbidden[pkg] {
					if p == f {
						t.Errorf("%s/%s imports %s, which the hot path must not use", pkg, file, p)
					}
				}
			}
		}
	}
}

// TestGopacketOnlyInPcap: no other package's non-test code imports
// gopacket (the benchmark helper command bench/repeatpcap excepted).
func TestGopacketOnlyInPcap(t *testing.T) {
	r := root()
	seen := 0
	err := filepath.WalkDir(r, func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(r, path)
		if strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata" {
			return filepath.SkipDir
		}
		for file, imps := range imports(t, path) {
			seen++
			for _, p := range imps {
				if strings.HasPrefix(p, "github.com/google/gopacket") && rel != "pcap" && rel != filepath.Join("bench", "repeatpcap") {
					t.Errorf("%s/%s imports %s: gopacket belongs in package pcap only", rel, file, p)
				}
			}
		}
		return nil
	})
	require.NoError(t, err)
	require.Greater(t, seen, 20, "the walk found the module's files")
}
