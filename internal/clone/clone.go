// Package clone holds the one helper behind every Clone method of srtwire:
// copying several slices of a value into one allocation.
package clone

// Into copies s to the end of *buf, which must have room for it, and
// returns the copy as a slice whose capacity ends with it. A nil s stays
// nil and an empty one stays empty (non-nil).
func Into(buf *[]byte, s []byte) []byte {
	if s == nil {
		return nil
	}
	i := len(*buf)
	*buf = append(*buf, s...)
	return (*buf)[i : i+len(s) : i+len(s)]
}
