package main

import (
	"errors"
	"unicode/utf8"
)

// globMatch reports whether s matches the -stream-id pattern: '*' matches
// any run of characters, '/' included (a Stream ID is not a path: "*"
// matches "publish:/live/x"), '?' any one character, and '\' makes the
// character after it literal. Every other character matches itself. The
// pattern must be valid (see checkGlob). It does not allocate.
func globMatch(pattern, s string) bool {
	// The classic iterative matcher: on a mismatch, go back to the last
	// '*' and let it swallow one more character.
	p, i := 0, 0
	starP, starI := -1, 0
	for i < len(s) {
		if p < len(pattern) {
			switch c := pattern[p]; c {
			case '*':
				starP, starI = p, i
				p++
				continue
			case '?':
				_, n := utf8.DecodeRuneInString(s[i:])
				p, i = p+1, i+n
				continue
			default:
				q := p
				if c == '\\' {
					q++
				}
				if s[i] == pattern[q] {
					p, i = q+1, i+1
					continue
				}
			}
		}
		if starP < 0 {
			return false
		}
		_, n := utf8.DecodeRuneInString(s[starI:])
		starI += n
		p, i = starP+1, starI
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}

// checkGlob reports a pattern globMatch cannot use: one that ends with a
// lone '\'.
func checkGlob(pattern string) error {
	for i := 0; i < len(pattern); i++ {
		if pattern[i] == '\\' {
			if i == len(pattern)-1 {
				return errors.New(`it ends with a lone \ (write \\ for a backslash)`)
			}
			i++
		}
	}
	return nil
}
