// Command scaling measures how much faster this machine does twice the
// work on two cores than once on one, for three kinds of work: integer
// arithmetic in registers, copying within a 512 KiB working set (the L2
// cache of most cores), and copying through 64 MiB (main memory). It puts
// srtdump -j 2 against -j 1 in context (see bench/README.md): srtdump
// streams its input and, for FILEs not yet written, its held output through
// main memory, so the more of its time goes there, the nearer it comes to
// the last line.
//
//	go run ./bench/scaling [-rounds 7]
package main

import (
	"flag"
	"fmt"
	"os"
	"runtime"
	"slices"
	"sync"
	"time"
)

var sink uint64

// alu is register-only work.
func alu() {
	x := uint64(1)
	for range 100_000_000 {
		x = x*6364136223846793005 + 1442695040888963407
		x ^= x >> 17
	}
	sink += x
}

// copying copies size bytes in 64 KiB pieces until 640 MiB are copied.
func copying(size int) func() {
	return func() {
		src, dst := make([]byte, size), make([]byte, size)
		for range (640 << 20) / size {
			for o := 0; o+64<<10 <= size; o += 64 << 10 {
				copy(dst[o:o+64<<10], src[o:o+64<<10])
			}
		}
	}
}

// timed runs f on n goroutines at once and returns the time it took.
func timed(n int, f func()) time.Duration {
	t := time.Now()
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			f()
		}()
	}
	wg.Wait()
	return time.Since(t)
}

func main() {
	rounds := flag.Int("rounds", 7, "rounds of each measurement (the median is shown)")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: scaling [-rounds N]\n\nPrints the speed-up of two goroutines doing twice the work of one, for\nregister-bound, cache-bound and memory-bound work.")
		flag.PrintDefaults()
	}
	flag.Parse()
	if runtime.GOMAXPROCS(0) < 2 {
		fmt.Fprintln(os.Stderr, "scaling: needs at least 2 cores")
		os.Exit(1)
	}
	kinds := []struct {
		name string
		f    func()
	}{
		{"registers", alu},
		{"256 KiB copy (cache)", copying(256 << 10)},
		{"64 MiB copy (memory)", copying(64 << 20)},
	}
	fmt.Printf("2 cores against 1, twice the work (median of %d rounds; 2.00 is perfect)\n", *rounds)
	for _, k := range kinds {
		var r []float64
		for range *rounds {
			t1 := timed(1, k.f)
			t2 := timed(2, k.f)
			r = append(r, 2*t1.Seconds()/t2.Seconds())
		}
		slices.Sort(r)
		fmt.Printf("  %-22s %.2f×  (%.2f–%.2f)\n", k.name, r[len(r)/2], r[0], r[len(r)-1])
	}
}
