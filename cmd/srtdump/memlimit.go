package main

import (
	"os"
	"runtime/debug"
)

// memoryLimit is the soft limit srtdump gives the Go runtime unless
// GOMEMLIMIT says otherwise. srtdump's own structures are bounded (see
// the package documentation), but the garbage collector lets the heap grow
// to twice what is live before it collects; with a limit it collects
// sooner, so even a hostile capture keeps the process well under 128 MiB.
// It is a soft limit: a capture that needs more still gets it.
const memoryLimit = 96 << 20

func init() {
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(memoryLimit)
	}
}
