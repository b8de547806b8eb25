// Command jobs measures what srtdump -j 2 gains over -j 1 on a set of
// FILEs, and against the machine's own ceiling: two srtdump -j 1
// processes started together, one on each half of the FILEs (every
// other FILE). Each round runs the three, in turn, for each mode; the
// figures are medians over the rounds, and the speed-ups are the medians'
// ratios, process start included (what a user waits for).
//
// -parquet writes into a new directory under a temporary one every time:
// removing the last run's files just before a run makes ext4 scan past
// their inodes, which are recently deleted, to create the new ones
// (recently_deleted), most of the kernel time of small captures and a
// lock the two cores queue on.
//
//	go build -o /tmp/srtdump ./cmd/srtdump
//	go run ./bench/jobs -srtdump /tmp/srtdump -rounds 15 -modes text,-json,-parquet FILE...
package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

func main() {
	bin := flag.String("srtdump", "srtdump", "the srtdump `binary` to run (build it first: go run would time the compiler)")
	rounds := flag.Int("rounds", 15, "rounds of -j 1, -j 2 and two processes, interleaved")
	modes := flag.String("modes", "text,-json,-summary,-stats,-parquet", "comma-separated `modes`: text (no flag) or srtdump's flag")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: go run ./bench/jobs [flags] FILE...\n\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	files := flag.Args()
	if len(files) < 2 {
		flag.Usage()
		os.Exit(2)
	}
	tmp, err := os.MkdirTemp("", "srtdump-jobs-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	defer os.RemoveAll(tmp)
	runs := 0
	args := func(mode string, j int, fs []string) []string {
		var a []string
		switch mode {
		case "text":
		case "-parquet":
			runs++
			a = append(a, "-parquet", filepath.Join(tmp, fmt.Sprint(runs)))
		default:
			a = append(a, strings.Fields(mode)...)
		}
		return append(append(a, "-j", fmt.Sprint(j)), fs...)
	}
	run := func(cmds ...[]string) time.Duration {
		ps := make([]*exec.Cmd, len(cmds))
		t := time.Now()
		for i, a := range cmds {
			ps[i] = exec.Command(*bin, a...)
			if err := ps[i].Start(); err != nil {
				fmt.Fprintln(os.Stderr, err)
				os.Exit(1)
			}
		}
		for _, p := range ps {
			if err := p.Wait(); err != nil {
				fmt.Fprintf(os.Stderr, "%s %s: %v\n", *bin, strings.Join(p.Args[1:], " "), err)
				os.Exit(1)
			}
		}
		return time.Since(t)
	}
	var even, odd []string
	for i, f := range files {
		if i%2 == 0 {
			even = append(even, f)
		} else {
			odd = append(odd, f)
		}
	}
	ms := strings.Split(*modes, ",")
	type times struct{ j1, j2, two []time.Duration }
	res := make([]times, len(ms))
	for r := range *rounds {
		for i, m := range ms {
			res[i].j1 = append(res[i].j1, run(args(m, 1, files)))
			res[i].j2 = append(res[i].j2, run(args(m, 2, files)))
			res[i].two = append(res[i].two, run(args(m, 1, even), args(m, 1, odd)))
		}
		fmt.Fprintf(os.Stderr, "\rround %d/%d", r+1, *rounds)
	}
	fmt.Fprintf(os.Stderr, "\r%*s\r", 20, "")
	fmt.Printf("%d FILEs, %d rounds, medians\n\n", len(files), *rounds)
	fmt.Println("| mode | -j 1 | -j 2 | speed-up | two -j 1 processes | speed-up |")
	fmt.Println("|---|---|---|---|---|---|")
	for i, m := range ms {
		j1, j2, two := median(res[i].j1), median(res[i].j2), median(res[i].two)
		fmt.Printf("| %s | %s | %s | %.2f× | %s | %.2f× |\n", m, ms1(j1), ms1(j2), float64(j1)/float64(j2), ms1(two), float64(j1)/float64(two))
	}
}

func median(d []time.Duration) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[len(s)/2]
}

func ms1(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d)/1e6) }
