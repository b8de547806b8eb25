package handshake

import (
	"encoding/binary"
	"math/bits"
)

// AppendString decodes the content of a string extension (SID, CONGESTION,
// FILTER) and appends the string to dst: every 4-byte group is reversed
// back, and trailing NUL padding is dropped. A final group of 1-3 bytes
// (which libsrt never sends) is reversed as a short group. It does not
// allocate when dst has room.
func AppendString(dst, value []byte) []byte {
	start := len(dst)
	n := len(value)
	if cap(dst)-start < n {
		dst = append(dst[:cap(dst)], make([]byte, start+n-cap(dst))...)[:start]
	}
	out := dst[start : start+n]
	i := 0
	// Two groups at a time: reversing the bytes of 8 and swapping the
	// halves back reverses each 4-byte group in place.
	for ; i+8 <= n; i += 8 {
		x := binary.LittleEndian.Uint64(value[i:])
		binary.LittleEndian.PutUint64(out[i:], bits.RotateLeft64(bits.ReverseBytes64(x), 32))
	}
	for ; i+4 <= n; i += 4 {
		// Reversing a word is reading it big-endian and writing it little-endian.
		binary.LittleEndian.PutUint32(out[i:], binary.BigEndian.Uint32(value[i:]))
	}
	for j := i; j < n; j++ { // a short final group, which libsrt never sends
		out[j] = value[n-1-(j-i)]
	}
	for n > 0 && out[n-1] == 0 {
		n--
	}
	return dst[:start+n]
}

// DecodeString returns the string held by a string extension's content.
// It allocates the result; use AppendString to avoid that.
func DecodeString(value []byte) string {
	var buf [512]byte
	return string(AppendString(buf[:0], value))
}

// StringWords returns the number of 32-bit words a string of n bytes takes
// in a string extension (NUL-padded to a whole word; none added when n is
// already a multiple of 4).
func StringWords(n int) int { return (n + 3) / 4 }

// AppendEncodedString appends s encoded as libsrt does for string
// extensions: NUL-padded to a multiple of 4 bytes, every 4-byte group
// byte-reversed. It does not add the block header (see Builder.AddString).
func AppendEncodedString(dst []byte, s string) []byte {
	i := 0
	for ; i+4 <= len(s); i += 4 {
		dst = append(dst, s[i+3], s[i+2], s[i+1], s[i])
	}
	if r := len(s) - i; r > 0 {
		var g [4]byte
		copy(g[:], s[i:])
		dst = append(dst, g[3], g[2], g[1], g[0])
	}
	return dst
}

// AppendStreamID appends the Stream ID carried by h's first SID block to dst
// and reports whether there was one.
func (h *Handshake) AppendStreamID(dst []byte) ([]byte, bool) { return h.appendStr(dst, ExtSID) }

// AppendCongestion appends the congestion controller name of h's first
// CONGESTION block to dst and reports whether there was one.
func (h *Handshake) AppendCongestion(dst []byte) ([]byte, bool) {
	return h.appendStr(dst, ExtCongestion)
}

// AppendFilter appends the packet-filter configuration of h's first FILTER
// block to dst and reports whether there was one.
func (h *Handshake) AppendFilter(dst []byte) ([]byte, bool) { return h.appendStr(dst, ExtFilter) }

func (h *Handshake) appendStr(dst []byte, t ExtType) ([]byte, bool) {
	v, ok := h.Find(t)
	if !ok {
		return dst, false
	}
	return AppendString(dst, v), true
}

// StreamID returns the Stream ID carried by h, or "" when there is none.
// It allocates; AppendStreamID does not.
func (h *Handshake) StreamID() string { return h.str(ExtSID) }

// Congestion returns the congestion controller name carried by h, or ""
// (which means libsrt's default, "live").
func (h *Handshake) Congestion() string { return h.str(ExtCongestion) }

// Filter returns the packet-filter configuration carried by h, or "".
func (h *Handshake) Filter() string { return h.str(ExtFilter) }

func (h *Handshake) str(t ExtType) string {
	v, ok := h.Find(t)
	if !ok {
		return ""
	}
	return DecodeString(v)
}
