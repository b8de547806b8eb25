package archtest

import (
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/srtwire/srtwire/internal/testcorpus"
)

const module = "github.com/srtwire/srtwire/"

// rules lists, per library package, the module packages its non-test code
// may import. The arrows point down this list only:
//
//	reject ← handshake ← packet ← crypt ← listener, session
//	packet ← capture ← pcap (with gopacket)
//
// internal/clone (the helper behind every Clone) and internal/flow (a UDP
// flow's key) are open to all of them.
// Any import whose first path element has a dot (a third-party module) is
// refused, except where thirdParty allows it.
var rules = map[string][]string{
	"reject":           nil,
	"handshake":        {"reject"},
	"packet":           {"handshake", "reject"},
	"crypt":            {"handshake", "packet"},
	"listener":         {"crypt", "handshake", "packet", "reject"},
	"session":          {"crypt", "handshake", "packet", "reject"},
	"capture":          {"packet"},
	"pcap":             {"packet", "capture"},
	"internal/report":  {"session", "packet", "handshake", "reject", "crypt"},
	"internal/srtfuzz": {"crypt", "handshake", "listener", "packet", "reject"},
	"internal/clone":   nil,
	"internal/flow":    nil,
}

// openInternal are the internal helpers every library package may use.
var openInternal = []string{"internal/clone", "internal/flow"}

// thirdParty lists the only third-party imports allowed, per package.
var thirdParty = map[string][]string{
	"pcap": {"github.com/google/gopacket"},
}

// forbidden are standard packages the hot-path packages must not use.
var forbidden = map[string][]string{
	"packet": {"reflect", "fmt", "unsafe"},
}

// check returns one message per import of file in pkg that breaks the
// rules.
func check(pkg, file string, imps []string) []string {
	var bad []string
	for _, p := range imps {
		switch {
		case strings.HasPrefix(p, module):
			dep := strings.TrimPrefix(p, module)
			if !slices.Contains(openInternal, dep) && !slices.Contains(rules[pkg], dep) {
				bad = append(bad, pkg+"/"+file+" imports "+p+": "+pkg+" may import only "+strings.Join(rules[pkg], ", ")+" from this module")
			}
		case strings.Contains(strings.Split(p, "/")[0], "."):
			ok := false
			for _, tp := range thirdParty[pkg] {
				ok = ok || p == tp || strings.HasPrefix(p, tp+"/")
			}
			if !ok {
				bad = append(bad, pkg+"/"+file+" imports "+p+": only the standard library is allowed")
			}
		}
		if slices.Contains(forbidden[pkg], p) {
			bad = append(bad, pkg+"/"+file+" imports "+p+", which the hot path must not use")
		}
	}
	return bad
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
		out[name] = []string{}
		for _, imp := range f.Imports {
			p, err := strconv.Unquote(imp.Path.Value)
			require.NoError(t, err)
			out[name] = append(out[name], p)
		}
	}
	return out
}

func root() string { return filepath.Clean(filepath.Join(testcorpus.Dir(), "..", "..")) }

func TestLibraryPackagesFollowTheLayering(t *testing.T) {
	for pkg := range rules {
		dir := filepath.Join(root(), filepath.FromSlash(pkg))
		if _, err := os.Stat(dir); os.IsNotExist(err) {
			continue // a package that has not been written yet
		}
		files := imports(t, dir)
		require.NotEmpty(t, files, pkg)
		for file, imps := range files {
			for _, msg := range check(pkg, file, imps) {
				t.Error(msg)
			}
		}
	}
}

// TestGuardCatchesWrongArrows: the rules refuse an upward or sideways
// import, a third-party module outside pcap, and fmt in packet.
func TestGuardCatchesWrongArrows(t *testing.T) {
	assert.NotEmpty(t, check("handshake", "x.go", []string{module + "packet"}), "handshake must not import packet")
	assert.NotEmpty(t, check("packet", "x.go", []string{module + "session"}), "packet must not import session")
	assert.NotEmpty(t, check("session", "x.go", []string{module + "pcap"}), "session must not import pcap")
	assert.NotEmpty(t, check("session", "x.go", []string{"github.com/google/gopacket"}), "gopacket only in pcap")
	assert.NotEmpty(t, check("pcap", "x.go", []string{module + "session"}), "pcap must not import session")
	assert.NotEmpty(t, check("packet", "x.go", []string{"fmt"}))
	assert.NotEmpty(t, check("reject", "x.go", []string{"github.com/stretchr/testify/assert"}))
	assert.Empty(t, check("session", "x.go", []string{module + "packet", module + "handshake", module + "internal/clone", "net/netip"}))
	assert.Empty(t, check("pcap", "x.go", []string{module + "packet", "github.com/google/gopacket/layers"}))
	assert.NotEmpty(t, check("capture", "x.go", []string{"github.com/google/gopacket/pcapgo"}), "capture is stdlib only")
	assert.NotEmpty(t, check("capture", "x.go", []string{module + "pcap"}), "capture must not import pcap")
}

// TestSrtdumpDoesNotLinkGopacket: nothing srtdump imports, directly or
// not, is gopacket, whose layer tables took half of srtdump's start (8 of
// 19 ms) and 5 MB that every garbage collection scanned; nor the package
// proper of parquet-go (internal/parquetout links its format types and
// level encoding only), whose initialisation and dependencies (protobuf,
// brotli, lz4, net/http among them) took 5 ms of every start.
func TestSrtdumpDoesNotLinkGopacket(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command on PATH")
	}
	cmd := exec.Command(goTool, "list", "-deps", "./cmd/srtdump")
	cmd.Dir = root()
	out, err := cmd.Output()
	require.NoError(t, err)
	deps := strings.Fields(string(out))
	require.Contains(t, deps, module+"capture")
	require.Contains(t, deps, module+"internal/parquetout")
	for _, p := range deps {
		if strings.HasPrefix(p, "github.com/google/gopacket") || p == module+"pcap" ||
			p == "github.com/parquet-go/parquet-go" || strings.HasPrefix(p, "google.golang.org/protobuf") {
			t.Errorf("srtdump links %s", p)
		}
	}
}

// TestGopacketOnlyInPcap: no other package's non-test code imports
// gopacket (the benchmark helper command bench/repeatpcap excepted), or
// package pcap, which would bring gopacket with it.
func TestGopacketOnlyInPcap(t *testing.T) {
	r := root()
	seen := 0
	err := filepath.WalkDir(r, func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(r, path)
		if strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata" || rel == "gopacketsrt" {
			return filepath.SkipDir // gopacketsrt: the nested module for the gopacket fork
		}
		for file, imps := range imports(t, path) {
			seen++
			for _, p := range imps {
				if strings.HasPrefix(p, "github.com/google/gopacket") && rel != "pcap" && rel != filepath.Join("bench", "repeatpcap") {
					t.Errorf("%s/%s imports %s: gopacket belongs in package pcap only", rel, file, p)
				}
				if p == module+"pcap" {
					t.Errorf("%s/%s imports %s, and with it gopacket: read captures with package capture", rel, file, p)
				}
			}
		}
		return nil
	})
	require.NoError(t, err)
	require.Greater(t, seen, 20, "the walk found the module's files")
}

// TestParquetOnlyInSrtdump: parquet-go is imported by internal/parquetout
// alone, and internal/parquetout by cmd/srtdump alone, so the library
// packages never pull in a Parquet dependency.
func TestParquetOnlyInSrtdump(t *testing.T) {
	r := root()
	err := filepath.WalkDir(r, func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(r, path)
		if strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata" || rel == "gopacketsrt" {
			return filepath.SkipDir
		}
		for file, imps := range imports(t, path) {
			for _, p := range imps {
				if strings.HasPrefix(p, "github.com/parquet-go/") && rel != filepath.Join("internal", "parquetout") {
					t.Errorf("%s/%s imports %s: Parquet belongs in internal/parquetout only", rel, file, p)
				}
				if p == module+"internal/parquetout" && rel != filepath.Join("cmd", "srtdump") {
					t.Errorf("%s/%s imports %s: only cmd/srtdump may", rel, file, p)
				}
			}
		}
		return nil
	})
	require.NoError(t, err)
}
