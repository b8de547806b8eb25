package testcorpus

import (
	"bufio"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
)

// RawLine is one line of NAME.raw.tsv, the corpus's independent decode:
//
//	frame<TAB>sport>dport<TAB>KIND<TAB>key=value ... [| EXT(Nw) key=value ... ["string"]]...
//
// For example:
//
//	3	44966>41021	HANDSHAKE	ts=2705 ... type=-1(CONCLUSION) ... | HSREQ(3w) v=1.5.1 flags=0xbf lat_rcv=120 lat_snd=0 | SID(4w) "#!::r=user2005"
//	5	36368>41024	DATA	seq=2108894070 pb=PB_SOLO o=0 kk=1 r=0 msgno=1 ts=8869 dst=0x27042b43 payload=1316 head=...w..
//
// Values are kept exactly as written ("type" is "-1(CONCLUSION)", "dst" is
// "0x27042b43"); use Int for their numbers. The DATA key "head" (a printable
// rendering of the first payload bytes, which may contain spaces, '|' or
// '"') always runs to the end of the line.
type RawLine struct {
	// Frame is the pcap frame number (1-based).
	Frame int
	// SrcPort and DstPort are the UDP ports.
	SrcPort, DstPort uint16
	// Kind is the packet kind: HANDSHAKE, DATA, ACK, ACKACK, NAK,
	// KEEPALIVE, SHUTDOWN, PEERERROR, DROPREQ, EXT ...
	Kind string
	// Fields holds the key=value pairs of the main part, e.g. "ts", "dst",
	// "ver", "type", "peerip" (HANDSHAKE); "seq", "pb", "o", "kk", "r",
	// "msgno", "payload", "head" (DATA); "ackno", "kind", "lastack" (ACK);
	// "lost" (NAK); "tsi", "cif" (KEEPALIVE, SHUTDOWN, PEERERROR);
	// "subtype", "cif" (EXT).
	Fields map[string]string
	// Exts are the handshake extension blocks, in wire order.
	Exts []RawExt
	// Line is the whole line, for messages.
	Line string
}

// RawExt is one handshake extension block of a RawLine, such as
// `HSREQ(3w) v=1.5.1 flags=0xbf lat_rcv=120 lat_snd=0`,
// `KMRSP(1w) kmstate(le)=4` or `SID(9w) "#!::r=live/feed1,m=publish,u=alice"`.
//
// Beware: in KMREQ/KMRSP the value of "km[0..3]" is hex without a 0x prefix
// ("12202901").
type RawExt struct {
	// Name is the block name: HSREQ, HSRSP, KMREQ, KMRSP, SID, CONGESTION,
	// FILTER, GROUP ...
	Name string
	// Words is the block length in 32-bit words, from "(3w)"; -1 if absent.
	Words int
	// Fields holds the key=value pairs of the block.
	Fields map[string]string
	// Str is the quoted string of SID, CONGESTION and FILTER, without the
	// quotes (already un-reversed: it reads as the application wrote it).
	Str string
}

// LossRange is an inclusive range of lost sequence numbers (First == Last for
// a single loss).
type LossRange struct{ First, Last uint32 }

// Raw reads Dir()/name.raw.tsv, keyed by frame number. The parse is cached;
// the returned map is a fresh copy, but the RawLine values share their maps.
func Raw(name string) (map[int]RawLine, error) {
	lines, err := RawLines(name)
	if err != nil {
		return nil, err
	}
	m := make(map[int]RawLine, len(lines))
	for _, l := range lines {
		m[l.Frame] = l
	}
	return m, nil
}

// RawLines reads Dir()/name.raw.tsv in file (frame) order.
func RawLines(name string) ([]RawLine, error) {
	path := Path(name + ".raw.tsv")
	lines, err := cached("raw:"+path, func() ([]RawLine, error) { return ReadRaw(path) })
	if err != nil {
		return nil, err
	}
	return append([]RawLine(nil), lines...), nil
}

// ReadRaw parses a raw.tsv file at any path. Duplicate frame numbers are an
// error.
func ReadRaw(path string) ([]RawLine, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var lines []RawLine
	seen := map[int]bool{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), 16*1024*1024)
	for n := 1; sc.Scan(); n++ {
		text := strings.TrimRight(sc.Text(), "\r")
		if strings.TrimSpace(text) == "" {
			continue
		}
		l, err := ParseRawLine(text)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, n, err)
		}
		if seen[l.Frame] {
			return nil, fmt.Errorf("%s:%d: frame %d appears twice", path, n, l.Frame)
		}
		seen[l.Frame] = true
		lines = append(lines, l)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return lines, nil
}

// ParseRawLine parses one raw.tsv line (see RawLine).
func ParseRawLine(line string) (RawLine, error) {
	cols := strings.SplitN(line, "\t", 4)
	if len(cols) < 3 {
		return RawLine{}, fmt.Errorf("raw line: want at least 3 tab-separated columns: %q", line)
	}
	l := RawLine{Kind: cols[2], Line: line, Fields: map[string]string{}}
	fr, err := strconv.Atoi(cols[0])
	if err != nil || fr < 1 {
		return RawLine{}, fmt.Errorf("raw line: bad frame number %q", cols[0])
	}
	l.Frame = fr
	sp, dp, ok := strings.Cut(cols[1], ">")
	if !ok {
		return RawLine{}, fmt.Errorf("raw line: want sport>dport, got %q", cols[1])
	}
	s, err1 := strconv.ParseUint(sp, 10, 16)
	d, err2 := strconv.ParseUint(dp, 10, 16)
	if err1 != nil || err2 != nil {
		return RawLine{}, fmt.Errorf("raw line: bad ports %q", cols[1])
	}
	l.SrcPort, l.DstPort = uint16(s), uint16(d)
	if len(cols) == 4 {
		if err := parseRawRest(cols[3], &l); err != nil {
			return RawLine{}, fmt.Errorf("raw line %d: %w", fr, err)
		}
	}
	return l, nil
}

// parseRawRest parses the key=value part of a line, with its " | EXT" blocks.
func parseRawRest(s string, l *RawLine) error {
	fields := l.Fields
	var ext *RawExt
	for i := 0; i < len(s); {
		if s[i] == ' ' {
			i++
			continue
		}
		// Block separator: a lone '|'.
		if s[i] == '|' && (i+1 == len(s) || s[i+1] == ' ') {
			i++
			for i < len(s) && s[i] == ' ' {
				i++
			}
			tok, next := rawToken(s, i)
			if tok == "" {
				return fmt.Errorf("empty extension block at offset %d", i)
			}
			l.Exts = append(l.Exts, parseExtHeader(tok))
			ext = &l.Exts[len(l.Exts)-1]
			fields = ext.Fields
			i = next
			continue
		}
		// Quoted string: ends at a '"' followed by the end or by " | ".
		if s[i] == '"' {
			if ext == nil {
				return fmt.Errorf("quoted string outside an extension block at offset %d", i)
			}
			j := i + 1
			for {
				k := strings.IndexByte(s[j:], '"')
				if k < 0 {
					return fmt.Errorf("unterminated string at offset %d", i)
				}
				j += k
				if j+1 == len(s) || strings.HasPrefix(s[j+1:], " | ") {
					break
				}
				j++
			}
			ext.Str = s[i+1 : j]
			i = j + 1
			continue
		}
		// "head=" is the printable payload head; it runs to the end of the line.
		if ext == nil && strings.HasPrefix(s[i:], "head=") {
			fields["head"] = s[i+len("head="):]
			return nil
		}
		tok, next := rawToken(s, i)
		k, v, ok := strings.Cut(tok, "=")
		if !ok || k == "" {
			return fmt.Errorf("want key=value, got %q", tok)
		}
		fields[k] = v
		i = next
	}
	return nil
}

// rawToken returns the token starting at s[i], which ends at a space outside
// parentheses, and the index after it.
func rawToken(s string, i int) (string, int) {
	depth := 0
	j := i
	for ; j < len(s); j++ {
		switch s[j] {
		case '(':
			depth++
		case ')':
			if depth > 0 {
				depth--
			}
		case ' ':
			if depth == 0 {
				return s[i:j], j
			}
		}
	}
	return s[i:j], j
}

// parseExtHeader parses "NAME(Nw)".
func parseExtHeader(tok string) RawExt {
	e := RawExt{Name: tok, Words: -1, Fields: map[string]string{}}
	if i := strings.IndexByte(tok, '('); i > 0 && strings.HasSuffix(tok, "w)") {
		if n, err := strconv.Atoi(tok[i+1 : len(tok)-2]); err == nil {
			e.Name, e.Words = tok[:i], n
		}
	}
	return e
}

// Int returns the number at the start of Fields[key]; see ParseInt.
func (l RawLine) Int(key string) (int64, bool) {
	v, ok := l.Fields[key]
	if !ok {
		return 0, false
	}
	return ParseInt(v)
}

// Uint is Int for non-negative values, as uint64.
func (l RawLine) Uint(key string) (uint64, bool) {
	v, ok := l.Fields[key]
	if !ok {
		return 0, false
	}
	return ParseUint(v)
}

// Ext returns the first extension block called name (HSREQ, SID ...).
func (l RawLine) Ext(name string) (RawExt, bool) {
	for _, e := range l.Exts {
		if e.Name == name {
			return e, true
		}
	}
	return RawExt{}, false
}

// Lost parses the NAK loss list in Fields["lost"]: comma-separated entries,
// each "N" or "A-B". ok is false if the key is missing or malformed.
func (l RawLine) Lost() (ranges []LossRange, ok bool) {
	v, found := l.Fields["lost"]
	if !found || v == "" {
		return nil, false
	}
	for _, item := range strings.Split(v, ",") {
		r, ok := parseLossRange(item)
		if !ok {
			return nil, false
		}
		ranges = append(ranges, r)
	}
	return ranges, true
}

func parseLossRange(s string) (LossRange, bool) {
	a, b, isRange := strings.Cut(strings.TrimSpace(s), "-")
	first, err := strconv.ParseUint(a, 10, 32)
	if err != nil {
		return LossRange{}, false
	}
	last := first
	if isRange {
		if last, err = strconv.ParseUint(b, 10, 32); err != nil {
			return LossRange{}, false
		}
	}
	return LossRange{uint32(first), uint32(last)}, true
}

// Int returns the number at the start of Fields[key]; see ParseInt.
func (e RawExt) Int(key string) (int64, bool) {
	v, ok := e.Fields[key]
	if !ok {
		return 0, false
	}
	return ParseInt(v)
}

// ParseInt parses a decimal ("1316", "-1"), hexadecimal ("0x4a17", "-0x1")
// or "N(...)" ("-1(CONCLUSION)", "1010(REJECT:SRT_REJ_BADSECRET(10))",
// "3(KMREQ)") number. Anything else after the number makes ok false.
func ParseInt(s string) (int64, bool) {
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	}
	u, ok := ParseUint(s)
	switch {
	case !ok:
		return 0, false
	case neg && u == 1<<63:
		return math.MinInt64, true
	case neg && u < 1<<63:
		return -int64(u), true
	case !neg && u <= math.MaxInt64:
		return int64(u), true
	}
	return 0, false
}

// ParseUint is ParseInt for non-negative numbers.
func ParseUint(s string) (uint64, bool) {
	if i := strings.IndexByte(s, '('); i > 0 && strings.HasSuffix(s, ")") {
		s = s[:i]
	}
	base := 10
	if len(s) > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') {
		s, base = s[2:], 16
	}
	if s == "" || s[0] == '+' || s[0] == '-' {
		return 0, false
	}
	u, err := strconv.ParseUint(s, base, 64)
	return u, err == nil
}
