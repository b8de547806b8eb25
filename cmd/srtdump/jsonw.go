package main

import (
	"math"
	"net/netip"
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
func (w *jw) elemInt(v int64)  { w.sep(); w.b = strconv.AppendInt(w.b, v, 10) }
func (w *jw) elemStr(v string) { w.sep(); w.b = appendJSONString(w.b, v) }
func (w *jw) str(k, v string)  { w.key(k); w.b = appendJSONString(w.b, v) }
func (w *jw) bytesStr(k string, v []byte) {
	w.key(k)
	w.b = appendJSONString(w.b, v)
}
func (w *jw) int(k string, v int64)   { w.key(k); w.b = strconv.AppendInt(w.b, v, 10) }
func (w *jw) uint(k string, v uint64) { w.key(k); w.b = strconv.AppendUint(w.b, v, 10) }
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
	w.b = a.AppendTo(w.b)
	w.b = append(w.b, '"')
}

func (w *jw) time(k string, t time.Time) {
	w.key(k)
	w.b = append(w.b, '"')
	w.b = t.UTC().AppendFormat(w.b, "2006-01-02T15:04:05.000000Z07:00")
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
