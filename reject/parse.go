package reject

import (
	"errors"
	"strconv"
	"strings"
)

// Errors that [Parse] wraps in a [*ParseError].
var (
	// ErrSyntax means the text is neither a reason name nor a number.
	ErrSyntax = errors.New("reject: not a rejection reason name or number")
	// ErrRange means the number is negative or above MaxReason.
	ErrRange = errors.New("reject: rejection reason out of range")
	// ErrNotRejection means a "wire:" value is below 1000, so it is a
	// Handshake Type that does not reject.
	ErrNotRejection = errors.New("reject: handshake type below 1000 is not a rejection")
)

// ParseError is the error [Parse] returns. Err is [ErrSyntax], [ErrRange] or
// [ErrNotRejection].
type ParseError struct {
	Input string // the text given to Parse
	Err   error  // why it failed
}

// Error returns `reject: parsing "INPUT": ` followed by Err's message.
func (e *ParseError) Error() string {
	return "reject: parsing " + strconv.Quote(e.Input) + ": " + strings.TrimPrefix(e.Err.Error(), "reject: ")
}

// Unwrap returns Err, so errors.Is(err, reject.ErrSyntax) works.
func (e *ParseError) Unwrap() error { return e.Err }

// Parse reads a reason as a person would type it. Surrounding space is
// ignored and names are case-insensitive. It accepts:
//
//   - a libsrt name: "SRT_REJ_BADSECRET", "SRT_REJX_FORBIDDEN";
//   - the name without its prefix, with or without underscores:
//     "BADSECRET", "badsecret", "bad_request", "badrequest";
//   - the Go constant name, optionally qualified: "BadSecret",
//     "reject.UnsupportedVersion", "Gateway";
//   - an API code in decimal: "10", "1403", "2005", also unassigned ones;
//   - a Handshake Type as seen on the wire, in decimal or 0x hex:
//     "wire:2403", "wire:0x963" (both give [Forbidden]).
//
// A bare name that is both an SRT_REJ and an SRT_REJX suffix, which only
// "VERSION" is, means the SRT_REJ code ([Version], 8); write
// "SRT_REJX_VERSION" or "UnsupportedVersion" for 1505. The placeholder names
// that [Reason.Name] returns for unknown codes are not accepted; use the
// number.
func Parse(s string) (Reason, error) {
	s = strings.TrimSpace(s)
	if r, isNumber, err := parseNumber(s); isNumber {
		if err != nil {
			return 0, &ParseError{Input: s, Err: err}
		}
		return r, nil
	}
	if r, ok := parseName(s); ok {
		return r, nil
	}
	return 0, &ParseError{Input: s, Err: ErrSyntax}
}

// parseNumber handles decimal codes and "wire:" values. isNumber is false
// when s is neither, so it should be tried as a name.
func parseNumber(s string) (r Reason, isNumber bool, err error) {
	if len(s) > 5 && strings.EqualFold(s[:5], "wire:") {
		v := strings.TrimSpace(s[5:])
		var n int64
		var perr error
		if len(v) > 2 && v[0] == '0' && (v[1] == 'x' || v[1] == 'X') {
			var u uint64
			u, perr = strconv.ParseUint(v[2:], 16, 32)
			n = int64(int32(uint32(u))) // the field is a signed 32-bit word
		} else {
			n, perr = strconv.ParseInt(v, 10, 32)
		}
		if perr != nil {
			return 0, true, numError(perr)
		}
		r, isRej := FromWire(int32(n))
		if !isRej {
			return 0, true, ErrNotRejection
		}
		return r, true, nil
	}
	if s == "" || !(s[0] >= '0' && s[0] <= '9' || s[0] == '-' || s[0] == '+') {
		return 0, false, nil
	}
	n, perr := strconv.ParseInt(s, 10, 32)
	if perr != nil {
		return 0, true, numError(perr)
	}
	r = Reason(n)
	if !r.Valid() {
		return 0, true, ErrRange
	}
	return r, true, nil
}

func numError(err error) error {
	if errors.Is(err, strconv.ErrRange) {
		return ErrRange
	}
	return ErrSyntax
}

// parseName matches s against the libsrt and Go names of the known reasons.
func parseName(s string) (Reason, bool) {
	lo, hi := 0, len(table) // the part of table to search
	switch {
	case hasPrefixFold(s, "SRT_REJX_"):
		s, lo = s[len("SRT_REJX_"):], int(index[Fallback]-1)
	case hasPrefixFold(s, "SRT_REJ_"):
		s, hi = s[len("SRT_REJ_"):], int(index[Fallback]-1)
	case hasPrefixFold(s, "reject."):
		s = s[len("reject."):]
	}
	// Normalise into a stack buffer: upper case, no '_' or '-'. No name is
	// longer than the buffer.
	var buf [32]byte
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '_' || c == '-':
			continue
		case c >= 'a' && c <= 'z':
			c -= 'a' - 'A'
		case c >= 'A' && c <= 'Z' || c >= '0' && c <= '9':
		default:
			return 0, false
		}
		if n == len(buf) {
			return 0, false
		}
		buf[n] = c
		n++
	}
	key := buf[:n]
	if n == 0 {
		return 0, false
	}
	for i := lo; i < hi; i++ {
		e := &table[i]
		if equalNorm(key, e.name[suffixStart(e.code):]) || equalNorm(key, e.goName) {
			return e.code, true
		}
	}
	return 0, false
}

// suffixStart is the length of e.name's "SRT_REJ_" or "SRT_REJX_" prefix.
func suffixStart(r Reason) int {
	if r >= CategoryPredefinedBase {
		return len("SRT_REJX_")
	}
	return len("SRT_REJ_")
}

// equalNorm reports whether key (already normalised) equals name with
// underscores dropped and letters upper-cased.
func equalNorm(key []byte, name string) bool {
	j := 0
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c == '_' {
			continue
		}
		if c >= 'a' && c <= 'z' {
			c -= 'a' - 'A'
		}
		if j == len(key) || key[j] != c {
			return false
		}
		j++
	}
	return j == len(key)
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}
