package listener

import (
	"math"
	"strings"
)

// maxFilterParams bounds the parameters of a filter configuration: a
// FILTER block holds at most 64 bytes, so at most 16 "k:v" pairs, and the
// merge adds the three defaults.
const maxFilterParams = 40

type kv struct{ k, v string }

// filterConfig is libsrt's SrtFilterConfig: a type and a key-ordered map of
// parameters (srtcore/common.cpp SrtParseConfig), without allocation.
type filterConfig struct {
	typ string
	n   int
	p   [maxFilterParams]kv
}

// set sets k to v, keeping the keys sorted as std::map does.
func (f *filterConfig) set(k, v string) bool {
	i := 0
	for i < f.n && f.p[i].k < k {
		i++
	}
	if i < f.n && f.p[i].k == k {
		f.p[i].v = v
		return true
	}
	if f.n == maxFilterParams {
		return false
	}
	copy(f.p[i+1:f.n+1], f.p[i:f.n])
	f.p[i] = kv{k, v}
	f.n++
	return true
}

func (f *filterConfig) get(k string) (string, bool) {
	for i := 0; i < f.n; i++ {
		if f.p[i].k == k {
			return f.p[i].v, true
		}
	}
	return "", false
}

// parse is ParseFilterConfig (srtcore/packetfilter.cpp): SrtParseConfig
// splits at ',' into the type and "key:value" parts, each of exactly two
// ':'-separated fields, an empty value being left out; then the type must
// be a registered filter, and libsrt has one, "fec". libsrt 1.5.1 indexes
// an empty split for an empty string (undefined behaviour); here it fails.
func (f *filterConfig) parse(s string) bool {
	*f = filterConfig{}
	if s == "" {
		return false
	}
	typ, rest, more := strings.Cut(s, ",")
	f.typ = typ
	for more {
		var part string
		part, rest, more = strings.Cut(rest, ",")
		k, v, ok := strings.Cut(part, ":")
		if !ok || strings.IndexByte(v, ':') >= 0 {
			return false // Split gives 1 or more than 2 fields (an empty part gives none)
		}
		if v != "" && !f.set(k, v) {
			return false
		}
	}
	return f.typ == "fec"
}

// correct is PacketFilter::correctConfig: a "type" parameter, if any,
// must name a known filter or be "adaptive".
func (f *filterConfig) correct() bool {
	t, ok := f.get("type")
	return !ok || t == "adaptive" || t == "fec"
}

// fecDefaults is FECFilterBuiltin::defaultConfig, parsed.
var fecDefaults = [...]kv{{"arq", "onreq"}, {"layout", "staircase"}, {"rows", "1"}}

// compat is CheckFilterCompat (srtcore/packetfilter.cpp) for a listener:
// each side gets the other's keys it lacks, then the defaults; every key
// either side named must then have the same value on both. The agent's
// configuration, completed, becomes the one the listener uses.
func compat(agent *filterConfig, peer filterConfig) bool {
	var keys [2 * maxFilterParams]string
	nk := 0
	addKey := func(k string) {
		for _, x := range keys[:nk] {
			if x == k {
				return
			}
		}
		keys[nk] = k
		nk++
	}
	for i := 0; i < agent.n; i++ {
		addKey(agent.p[i].k)
		if _, ok := peer.get(agent.p[i].k); !ok {
			peer.set(agent.p[i].k, agent.p[i].v)
		}
	}
	for i := 0; i < peer.n; i++ {
		addKey(peer.p[i].k)
		if _, ok := agent.get(peer.p[i].k); !ok {
			agent.set(peer.p[i].k, peer.p[i].v)
		}
	}
	for _, d := range fecDefaults {
		if _, ok := agent.get(d.k); !ok {
			agent.set(d.k, d.v)
		}
		if _, ok := peer.get(d.k); !ok {
			peer.set(d.k, d.v)
		}
	}
	for _, k := range keys[:nk] {
		a, _ := agent.get(k)
		p, _ := peer.get(k)
		if a != p {
			return false
		}
	}
	return true
}

// appendTo writes the configuration as checkApplyFilterConfig does:
// the type, then ",key:value" in key order.
func (f *filterConfig) appendTo(b []byte) []byte {
	b = append(b, f.typ...)
	for i := 0; i < f.n; i++ {
		b = append(b, ',')
		b = append(b, f.p[i].k...)
		b = append(b, ':')
		b = append(b, f.p[i].v...)
	}
	return b
}

// verifyFEC is what creating the FEC filter checks (srtcore/fec.cpp,
// FECFilterBuiltin::verifyConfig and its constructor): layout even or
// staircase, cols given and at least 2, rows not 0 or -1, arq never, onreq
// or always, and no other parameter.
func (f *filterConfig) verifyFEC() bool {
	if l, _ := f.get("layout"); l != "" && l != "even" && l != "staircase" {
		return false
	}
	cols, _ := f.get("cols")
	if cols == "" || atoi(cols) < 2 {
		return false
	}
	if rows, _ := f.get("rows"); rows != "" {
		if r := atoi(rows); r >= -1 && r < 1 {
			return false
		}
	}
	if a, _ := f.get("arq"); a != "" && a != "never" && a != "onreq" && a != "always" {
		return false
	}
	for i := 0; i < f.n; i++ {
		switch f.p[i].k {
		case "cols", "rows", "layout", "arq":
		default:
			return false
		}
	}
	return true
}

// atoi is C's atoi as glibc has it: strtol (leading space, a sign, digits,
// saturating at the long range) converted to int.
func atoi(s string) int32 {
	i := 0
	for i < len(s) && (s[i] == ' ' || s[i] >= '\t' && s[i] <= '\r') {
		i++
	}
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	var n uint64
	sat := false
	for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		if n > (math.MaxInt64-9)/10 {
			sat = true
			continue
		}
		n = n*10 + uint64(s[i]-'0')
	}
	var v int64
	switch {
	case sat && neg:
		v = math.MinInt64
	case sat:
		v = math.MaxInt64
	case neg:
		v = -int64(n)
	default:
		v = int64(n)
	}
	return int32(v)
}
