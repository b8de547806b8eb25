package handshake

import (
	"go/parser"
	"go/token"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestImports guards the dependency rule of DESIGN.md: the non-test files
// of this package import only the standard library and package reject.
// (Package packet has the same guard for its own rule; together they keep
// the core free of third-party code.)
func TestImports(t *testing.T) {
	entries, err := os.ReadDir(".")
	require.NoError(t, err)
	fset := token.NewFileSet()
	for _, e := range entries {
		name := e.Name()
		if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.ImportsOnly)
		require.NoError(t, err)
		for _, imp := range f.Imports {
			path, err := strconv.Unquote(imp.Path.Value)
			require.NoError(t, err)
			switch {
			case path == "github.com/srtwire/srtwire/reject":
			case strings.Contains(strings.Split(path, "/")[0], "."):
				t.Errorf("%s imports %s: only the standard library is allowed here", name, path)
			case path == "reflect", path == "unsafe":
				t.Errorf("%s imports %s, which the codec must not use", name, path)
			}
		}
	}
}
