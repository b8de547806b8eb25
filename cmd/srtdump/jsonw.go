package main

import (
	"math"
	"math/bits"
	"net/netip"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"
)

// jw appends JSON to a byte slice without reflection or allocation. Keys
// are written in the order the caller writes them, which is what keeps the
// output's key order stable.
type jw struct {
	b     []byte
	depth int
	more  [16]bool // whether the current object/array at each depth has a member

	tc timeCache
	ac addrCache
	// Numbers of the packet lines that repeat or count up.
	frame, seq, msgno seqNum
	dst               [2]seqNum
}

// timeCache formats times as RFC 3339 in UTC with microseconds, keeping
// the part up to the seconds of the last second formatted: the frames of
// a capture come many to a second, and time.Time.AppendFormat was a third
// of -json's time.
type timeCache struct {
	sec    int64
	valid  bool
	n      int
	prefix [32]byte // "2006-01-02T15:04:05."
}

func (c *timeCache) append(b []byte, t time.Time) []byte {
	sec := t.Unix()
	if !c.valid || sec != c.sec {
		p := time.Unix(sec, 0).UTC().AppendFormat(c.prefix[:0], "2006-01-02T15:04:05.")
		if len(p) > len(c.prefix) { // a year past 9999
			return t.UTC().AppendFormat(b, "2006-01-02T15:04:05.000000Z07:00")
		}
		c.sec, c.valid, c.n = sec, true, len(p)
	}
	b = append(b, c.prefix[:c.n]...)
	return appendMicros(b, t.Nanosecond()/1000, true)
}

// appendMicros appends us (0 to 999999) as 6 digits, and "Z" when z.
func appendMicros(b []byte, us int, z bool) []byte {
	var d [7]byte
	for i := 4; i >= 0; i -= 2 {
		r := us % 100 * 2
		d[i], d[i+1] = digits2[r], digits2[r+1]
		us /= 100
	}
	if !z {
		return append(b, d[:6]...)
	}
	d[6] = 'Z'
	return append(b, d[:]...)
}

// addrCache remembers the text of the last few addresses formatted: a
// capture's frames go between few endpoints, and
// netip.AddrPort.AppendTo was a tenth of -json's time.
type addrCache struct {
	next int
	e    [4]struct {
		a netip.AddrPort
		n int
		s [56]byte // "[ffff:...:ffff%zone]:65535" of a usual length
	}
}

func (c *addrCache) append(b []byte, a netip.AddrPort) []byte {
	for i := range c.e {
		if e := &c.e[i]; e.n > 0 && e.a == a {
			return append(b, e.s[:e.n]...)
		}
	}
	start := len(b)
	b = a.AppendTo(b)
	if n := len(b) - start; n <= len(c.e[0].s) {
		e := &c.e[c.next]
		c.next = (c.next + 1) % len(c.e)
		e.a, e.n = a, n
		copy(e.s[:], b[start:])
	}
	return b
}

func (w *jw) reset(b []byte) { w.b, w.depth, w.more = b[:0], 0, [16]bool{} }

func (w *jw) sep() {
	if w.more[w.depth] {
		w.b = append(w.b, ',')
	}
	w.more[w.depth] = true
}

func (w *jw) open(c byte) {
	w.b = append(w.b, c)
	if w.depth < len(w.more)-1 {
		w.depth++
	}
	w.more[w.depth] = false
}

func (w *jw) close(c byte) {
	w.b = append(w.b, c)
	if w.depth > 0 {
		w.depth--
	}
}

// key writes "k": (with a comma before it when needed).
func (w *jw) key(k string) {
	w.sep()
	w.b = append(w.b, '"')
	w.b = append(w.b, k...)
	w.b = append(w.b, '"', ':')
	w.more[w.depth] = true
}

func (w *jw) objStart()        { w.sep(); w.open('{') }
func (w *jw) objKey(k string)  { w.key(k); w.open('{') }
func (w *jw) objEnd()          { w.close('}') }
func (w *jw) arrKey(k string)  { w.key(k); w.open('[') }
func (w *jw) arrStart()        { w.sep(); w.open('[') }
func (w *jw) arrEnd()          { w.close(']') }
func (w *jw) elemInt(v int64)  { w.sep(); w.b = appendInt(w.b, v) }
func (w *jw) elemStr(v string) { w.sep(); w.b = appendJSONString(w.b, v) }
func (w *jw) str(k, v string)  { w.key(k); w.b = appendJSONString(w.b, v) }
func (w *jw) bytesStr(k string, v []byte) {
	w.key(k)
	w.b = appendJSONString(w.b, v)
}
func (w *jw) int(k string, v int64)   { w.key(k); w.b = appendInt(w.b, v) }
func (w *jw) uint(k string, v uint64) { w.key(k); w.b = appendUint(w.b, v) }
func (w *jw) bool(k string, v bool)   { w.key(k); w.b = strconv.AppendBool(w.b, v) }

// float writes v with prec decimals; a NaN or an infinity, which JSON
// cannot hold, is not written at all.
func (w *jw) float(k string, v float64, prec int) {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return
	}
	w.key(k)
	w.b = strconv.AppendFloat(w.b, v, 'f', prec, 64)
}

// addr writes "k":"ip:port".
func (w *jw) addr(k string, a netip.AddrPort) {
	w.key(k)
	w.b = append(w.b, '"')
	w.b = w.ac.append(w.b, a)
	w.b = append(w.b, '"')
}

func (w *jw) time(k string, t time.Time) {
	w.key(k)
	w.b = append(w.b, '"')
	w.b = w.tc.append(w.b, t)
	w.b = append(w.b, '"')
}

const hexDigits = "0123456789abcdef"

// appendJSONString appends s as a JSON string. Invalid UTF-8 becomes
// U+FFFD; control characters are escaped: C0, DEL and C1, so that none
// reaches a terminal, and U+2028 and U+2029, which JavaScript takes for
// line ends.
func appendJSONString[S string | []byte](b []byte, s S) []byte {
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < 0x7f {
			b = append(b, c)
			i++
			continue
		}
		if c < utf8.RuneSelf {
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			continue
		}
		var r [utf8.UTFMax]byte
		n := copy(r[:], s[i:])
		rn, size := utf8.DecodeRune(r[:n])
		switch {
		case rn == utf8.RuneError && size == 1:
			b = append(b, '\\', 'u', 'f', 'f', 'f', 'd')
		case rn >= 0x80 && rn <= 0x9f || rn == 0x2028 || rn == 0x2029:
			b = append(b, '\\', 'u', hexDigits[rn>>12], hexDigits[rn>>8&0xF], hexDigits[rn>>4&0xF], hexDigits[rn&0xF])
		default:
			b = append(b, r[:size]...)
		}
		i += size
	}
	return append(b, '"')
}

// digits2 holds the two-digit decimals 00 to 99.
const digits2 = "00010203040506070809" +
	"10111213141516171819" +
	"20212223242526272829" +
	"30313233343536373839" +
	"40414243444546474849" +
	"50515253545556575859" +
	"60616263646566676869" +
	"70717273747576777879" +
	"80818283848586878889" +
	"90919293949596979899"

// appendUint appends v in decimal, writing the digits in place (where
// strconv.AppendUint formats into a buffer of its own and copies it): the
// numbers of a packet line were a third of -json's time.
func appendUint(b []byte, v uint64) []byte {
	if v < 100 {
		if v < 10 {
			return append(b, byte('0'+v))
		}
		return append(b, digits2[v*2], digits2[v*2+1])
	}
	if v > 1<<32-1 {
		return strconv.AppendUint(b, v, 10)
	}
	u := uint32(v)                  // the fields of the wire format: 32-bit divisions are cheaper
	n := bits.Len32(u) * 1233 >> 12 // about log10(u)
	if u >= uint32(pow10[n]) {
		n++
	}
	l := len(b)
	if cap(b)-l < 10 {
		b = slices.Grow(b, 10)
	}
	b = b[:l+n]
	d := b[l:]
	i := n
	// Four digits a round: the two halves do not wait on each other.
	for u >= 10000 {
		q := u / 10000
		r := u - q*10000
		hi, lo := r/100*2, r%100*2
		i -= 4
		d[i], d[i+1], d[i+2], d[i+3] = digits2[hi], digits2[hi+1], digits2[lo], digits2[lo+1]
		u = q
	}
	if u >= 100 {
		q := u / 100
		r := (u - q*100) * 2
		i -= 2
		d[i], d[i+1] = digits2[r], digits2[r+1]
		u = q
	}
	if u >= 10 {
		d[i-2], d[i-1] = digits2[u*2], digits2[u*2+1]
	} else {
		d[i-1] = byte('0' + u)
	}
	return b
}

// pow10[i] is 10^i.
var pow10 = [20]uint64{1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19}

// appendInt appends v in decimal.
func appendInt(b []byte, v int64) []byte {
	if v < 0 {
		return appendUint(append(b, '-'), uint64(-v))
	}
	return appendUint(b, uint64(v))
}

// seqNum writes a number that usually repeats or grows by one from one
// line to the next (the frame number, a data packet's sequence and message
// numbers): it keeps the last one's digits and increments them in place,
// which costs less than formatting.
type seqNum struct {
	v  uint64
	n  int
	ok bool
	d  [20]byte
}

func (c *seqNum) append(b []byte, v uint64) []byte {
	switch {
	case c.ok && v == c.v:
	case c.ok && v == c.v+1 && c.inc():
		c.v = v
	default:
		c.n = len(appendUint(c.d[:0], v))
		c.v, c.ok = v, true
	}
	return append(b, c.d[:c.n]...)
}

// inc adds one to the digits; it reports false when that needs one more
// digit (999 + 1).
func (c *seqNum) inc() bool {
	for i := c.n - 1; i >= 0; i-- {
		if c.d[i] != '9' {
			c.d[i]++
			return true
		}
		c.d[i] = '0'
	}
	c.ok = false
	return false
}
