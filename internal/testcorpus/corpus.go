// Package testcorpus gives tests access to the libsrt packet-capture corpus in
// <module root>/testdata/corpus.
//
// For every capture NAME listed in ports.tsv the corpus holds:
//
//   - NAME.pcap: the capture (classic libpcap), read by [ReadPcap] / [Frames];
//   - NAME.raw.tsv: an independent decode, one line per SRT packet, read by [Raw];
//   - NAME.tshark.json.gz: the Wireshark 4.0 decode (the oracle), read by [TShark].
//
// The package uses the standard library only. Parsed files are cached for the
// life of the process, so several tests of one package can ask for the same
// capture cheaply. Values returned by this package share maps with the cache
// and must be treated as read-only, except byte slices (Frame.Payload,
// TSharkPacket.UDPPayload), which are fresh copies on every call.
package testcorpus

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// Dir returns the absolute path of <module root>/testdata/corpus.
//
// The module root is found from the location of this source file (through
// runtime.Caller), so Dir works from the tests of any package. When the
// binary was built with -trimpath, it falls back to searching upwards from
// the working directory for go.mod.
func Dir() string { return dirOnce() }

var dirOnce = sync.OnceValue(func() string {
	var starts []string
	if _, file, _, ok := runtime.Caller(0); ok && filepath.IsAbs(file) {
		starts = append(starts, filepath.Dir(file))
	}
	if wd, err := os.Getwd(); err == nil {
		starts = append(starts, wd)
	}
	for _, start := range starts {
		if root, ok := findModuleRoot(start); ok {
			return filepath.Join(root, "testdata", "corpus")
		}
	}
	// Best guess: this file lives in <root>/internal/testcorpus.
	if len(starts) > 0 {
		return filepath.Clean(filepath.Join(starts[0], "..", "..", "testdata", "corpus"))
	}
	return filepath.Join("testdata", "corpus")
})

// findModuleRoot walks up from dir to the first directory holding go.mod.
func findModuleRoot(dir string) (string, bool) {
	for {
		if fi, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil && !fi.IsDir() {
			return dir, true
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", false
		}
		dir = parent
	}
}

// Path returns the absolute path of a file in the corpus directory, for
// example Path("s01_live_plain.pcap").
func Path(file string) string { return filepath.Join(Dir(), file) }

// Capture is one capture of the corpus: its name (the file stem, for example
// "s01_live_plain") and the UDP port(s) on which SRT decoding was forced.
type Capture struct {
	Name  string
	Ports []uint16
}

// HasPort reports whether p is one of the capture's SRT ports.
func (c Capture) HasPort(p uint16) bool {
	for _, q := range c.Ports {
		if q == p {
			return true
		}
	}
	return false
}

// IsSRT reports whether a frame belongs to the capture's SRT traffic, that is
// whether its source or destination port is one of c.Ports.
func (c Capture) IsSRT(f Frame) bool {
	return c.HasPort(f.Src.Port()) || c.HasPort(f.Dst.Port())
}

// Captures returns the captures listed in ports.tsv (NAME<TAB>port [port...]),
// sorted by name.
func Captures() ([]Capture, error) {
	caps, err := cached("ports.tsv", func() ([]Capture, error) {
		return readPorts(Path("ports.tsv"))
	})
	if err != nil {
		return nil, err
	}
	out := make([]Capture, len(caps))
	for i, c := range caps {
		out[i] = Capture{Name: c.Name, Ports: append([]uint16(nil), c.Ports...)}
	}
	return out, nil
}

// CaptureByName returns the capture called name from ports.tsv.
func CaptureByName(name string) (Capture, error) {
	caps, err := Captures()
	if err != nil {
		return Capture{}, err
	}
	for _, c := range caps {
		if c.Name == name {
			return c, nil
		}
	}
	return Capture{}, fmt.Errorf("testcorpus: capture %q is not listed in ports.tsv", name)
}

func readPorts(path string) ([]Capture, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var caps []Capture
	seen := map[string]bool{}
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		words := strings.Fields(line)
		if len(words) < 2 {
			return nil, fmt.Errorf("%s:%d: want NAME<TAB>port [port...], got %q", path, n, line)
		}
		c := Capture{Name: words[0]}
		if seen[c.Name] {
			return nil, fmt.Errorf("%s:%d: capture %q listed twice", path, n, c.Name)
		}
		seen[c.Name] = true
		for _, w := range words[1:] {
			p, err := strconv.ParseUint(w, 10, 16)
			if err != nil || p == 0 {
				return nil, fmt.Errorf("%s:%d: bad port %q", path, n, w)
			}
			c.Ports = append(c.Ports, uint16(p))
		}
		caps = append(caps, c)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	sort.Slice(caps, func(i, j int) bool { return caps[i].Name < caps[j].Name })
	return caps, nil
}

// cacheEntry holds one parsed file; once makes concurrent first calls parse
// the file a single time.
type cacheEntry struct {
	once sync.Once
	v    any
	err  error
}

var cache sync.Map // key string -> *cacheEntry

// cached returns load()'s result for key, calling load at most once per
// process (errors are cached too: the corpus files are read-only).
func cached[T any](key string, load func() (T, error)) (T, error) {
	e, _ := cache.LoadOrStore(key, new(cacheEntry))
	ce := e.(*cacheEntry)
	ce.once.Do(func() { ce.v, ce.err = load() })
	if ce.err != nil {
		var zero T
		return zero, ce.err
	}
	return ce.v.(T), nil
}
