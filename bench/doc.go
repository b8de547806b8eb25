// Package bench holds srtwire's benchmarks of the hot paths (bench_test.go)
// and their published figures (README.md). It has no exported API.
package bench
