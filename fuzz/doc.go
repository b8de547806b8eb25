// Package fuzz holds srtwire's fuzz targets (in fuzz_test.go) and their
// seed corpora (testdata/fuzz/FuzzXxx). It has no exported API; see
// README.md for how to run the targets.
package fuzz
