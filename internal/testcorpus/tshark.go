package testcorpus

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"
)

// TSharkPacket is one frame of NAME.tshark.json.gz, the Wireshark 4.0.17
// decode made with `tshark -T json --no-duplicate-keys`.
//
// With --no-duplicate-keys a field that occurs more than once in a layer is a
// JSON array of strings (srt.hs.blocktype, srt.hs.blocklen, srt.addinfo, and
// srt.hs.version = ["5", "0x00010501"] in a conclusion); otherwise it is a
// string. Sub-trees are objects: "srt.hs.extfield_tree", "srt.hs.srtflags_tree",
// the payload of a data packet under "data" ("data.data", "data.len"), and
// each expert item under a key equal to its own message text
// ("Loss sequence: 2095720805": {"_ws.expert": {...}}). Str, All, Uint and
// Int search all of these in document order.
type TSharkPacket struct {
	// Frame is frame.number (1-based, the same as Frame.Number).
	Frame int
	// Time is frame.time_epoch (UTC).
	Time time.Time
	// SrcPort and DstPort are udp.srcport and udp.dstport (0 if absent).
	SrcPort, DstPort uint16
	// UDPPayload is udp.payload decoded from colon-separated hex; nil if
	// tshark did not emit it (compare with the pcap bytes then).
	UDPPayload []byte
	// SRT is the "srt" layer as decoded by encoding/json (strings, []any,
	// map[string]any); nil if the frame has no srt layer.
	SRT map[string]any
	// Expert holds every _ws.expert.message under the srt layer, in
	// document order, e.g. "Loss sequence: 2095720805",
	// "Loss sequence range: 2095720817-2095720819", "Ext Type value is 7".
	Expert []string

	fields []tsField // the srt layer flattened in document order
}

type tsField struct{ key, val string }

// TShark reads Dir()/name.tshark.json.gz. The parse is cached; each call
// returns fresh copies of the UDP payloads, but the SRT maps are the cached
// ones, common to all callers, and must not be modified.
func TShark(name string) ([]TSharkPacket, error) {
	path := Path(name + ".tshark.json.gz")
	pkts, err := cached("tshark:"+path, func() ([]TSharkPacket, error) { return ReadTShark(path) })
	if err != nil {
		return nil, err
	}
	out := make([]TSharkPacket, len(pkts))
	for i, p := range pkts {
		if p.UDPPayload != nil {
			p.UDPPayload = bytes.Clone(p.UDPPayload)
		}
		out[i] = p
	}
	return out, nil
}

// ReadTShark reads a `tshark -T json` file at any path; a name ending in .gz
// is gunzipped.
func ReadTShark(path string) ([]TSharkPacket, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var r io.Reader = bufio.NewReaderSize(f, 64*1024)
	if strings.HasSuffix(path, ".gz") {
		zr, err := gzip.NewReader(r)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		defer zr.Close()
		r = zr
	}
	pkts, err := decodeTShark(r)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return pkts, nil
}

func decodeTShark(r io.Reader) ([]TSharkPacket, error) {
	dec := json.NewDecoder(r)
	if tok, err := dec.Token(); err != nil {
		return nil, err
	} else if tok != json.Delim('[') {
		return nil, fmt.Errorf("tshark json: want a top-level array, got %v", tok)
	}
	var pkts []TSharkPacket
	for dec.More() {
		var doc struct {
			Source struct {
				Layers struct {
					Frame json.RawMessage `json:"frame"`
					UDP   json.RawMessage `json:"udp"`
					SRT   json.RawMessage `json:"srt"`
				} `json:"layers"`
			} `json:"_source"`
		}
		if err := dec.Decode(&doc); err != nil {
			return nil, fmt.Errorf("tshark json: packet %d: %w", len(pkts)+1, err)
		}
		l := doc.Source.Layers
		p, err := tsharkPacket(l.Frame, l.UDP, l.SRT)
		if err != nil {
			return nil, fmt.Errorf("tshark json: packet %d: %w", len(pkts)+1, err)
		}
		pkts = append(pkts, p)
	}
	if _, err := dec.Token(); err != nil { // the closing ']'
		return nil, err
	}
	return pkts, nil
}

func tsharkPacket(frameRaw, udpRaw, srtRaw json.RawMessage) (TSharkPacket, error) {
	var p TSharkPacket
	var frame struct {
		Number string `json:"frame.number"`
		Epoch  string `json:"frame.time_epoch"`
	}
	if err := json.Unmarshal(firstObject(frameRaw), &frame); err != nil {
		return p, fmt.Errorf("frame layer: %w", err)
	}
	n, err := strconv.Atoi(frame.Number)
	if err != nil {
		return p, fmt.Errorf("frame.number %q: %w", frame.Number, err)
	}
	p.Frame = n
	if frame.Epoch != "" {
		if p.Time, err = parseEpoch(frame.Epoch); err != nil {
			return p, fmt.Errorf("frame %d: %w", n, err)
		}
	}

	if raw := firstObject(udpRaw); raw != nil {
		var udp struct {
			Src     string `json:"udp.srcport"`
			Dst     string `json:"udp.dstport"`
			Payload string `json:"udp.payload"`
		}
		if err := json.Unmarshal(raw, &udp); err != nil {
			return p, fmt.Errorf("frame %d: udp layer: %w", n, err)
		}
		sp, _ := strconv.ParseUint(udp.Src, 10, 16)
		dp, _ := strconv.ParseUint(udp.Dst, 10, 16)
		p.SrcPort, p.DstPort = uint16(sp), uint16(dp)
		if udp.Payload != "" {
			if p.UDPPayload, err = decodeHex(udp.Payload); err != nil {
				return p, fmt.Errorf("frame %d: udp.payload: %w", n, err)
			}
		}
	}

	if raw := firstObject(srtRaw); raw != nil {
		if err := json.Unmarshal(raw, &p.SRT); err != nil {
			return p, fmt.Errorf("frame %d: srt layer: %w", n, err)
		}
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		if err := flattenJSON(dec, "", &p.fields); err != nil {
			return p, fmt.Errorf("frame %d: srt layer: %w", n, err)
		}
		for _, f := range p.fields {
			if f.key == "_ws.expert.message" {
				p.Expert = append(p.Expert, f.val)
			}
		}
	}
	return p, nil
}

// firstObject returns raw, or its first element if it is an array (a layer
// that occurs twice in a frame); nil if raw is empty or null.
func firstObject(raw json.RawMessage) json.RawMessage {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	if raw[0] == '[' {
		var arr []json.RawMessage
		if json.Unmarshal(raw, &arr) != nil || len(arr) == 0 {
			return nil
		}
		return firstObject(arr[0])
	}
	return raw
}

// flattenJSON reads one JSON value and appends its scalars, in document
// order, as (key, value) pairs; array elements take the array's key.
func flattenJSON(dec *json.Decoder, key string, out *[]tsField) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return err
				}
				k, _ := kt.(string)
				if err := flattenJSON(dec, k, out); err != nil {
					return err
				}
			}
		case '[':
			for dec.More() {
				if err := flattenJSON(dec, key, out); err != nil {
					return err
				}
			}
		}
		_, err := dec.Token() // the closing delimiter
		return err
	case string:
		*out = append(*out, tsField{key, t})
	case json.Number:
		*out = append(*out, tsField{key, t.String()})
	case bool:
		*out = append(*out, tsField{key, strconv.FormatBool(t)})
	}
	return nil
}

// flattenAny is flattenJSON for an already decoded value (map keys sorted).
func flattenAny(key string, v any, out *[]tsField) {
	switch t := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(t))
		for k := range t {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			flattenAny(k, t[k], out)
		}
	case []any:
		for _, e := range t {
			flattenAny(key, e, out)
		}
	case string:
		*out = append(*out, tsField{key, t})
	case json.Number:
		*out = append(*out, tsField{key, t.String()})
	case float64:
		*out = append(*out, tsField{key, strconv.FormatFloat(t, 'f', -1, 64)})
	case bool:
		*out = append(*out, tsField{key, strconv.FormatBool(t)})
	}
}

// flat returns the srt layer flattened; for a TSharkPacket built by hand
// (without ReadTShark) it is computed from SRT with keys in sorted order.
func (p TSharkPacket) flat() []tsField {
	if p.fields != nil || p.SRT == nil {
		return p.fields
	}
	var out []tsField
	flattenAny("", p.SRT, &out)
	return out
}

// Str returns the first value of the field key anywhere in the srt layer,
// nested trees included (e.g. "srt.hs.extfield.hsreq" under
// "srt.hs.extfield_tree", "data.len" under "data"). For an array field it is
// the first element ("5" for srt.hs.version in a conclusion).
func (p TSharkPacket) Str(key string) (string, bool) {
	for _, f := range p.flat() {
		if f.key == key {
			return f.val, true
		}
	}
	return "", false
}

// All returns every value of the field key anywhere in the srt layer, in
// document order, with arrays expanded (srt.hs.blocktype = ["0x0001",
// "0x0003"]). It is nil if the field is absent.
func (p TSharkPacket) All(key string) []string {
	var out []string
	for _, f := range p.flat() {
		if f.key == key {
			out = append(out, f.val)
		}
	}
	return out
}

// Uint returns Str(key) parsed as a decimal or 0x-hex unsigned number.
func (p TSharkPacket) Uint(key string) (uint64, bool) {
	s, ok := p.Str(key)
	if !ok {
		return 0, false
	}
	return ParseUint(s)
}

// Int returns Str(key) parsed as a signed decimal or 0x-hex number
// (srt.hs.reqtype is "-1" for a conclusion).
func (p TSharkPacket) Int(key string) (int64, bool) {
	s, ok := p.Str(key)
	if !ok {
		return 0, false
	}
	return ParseInt(s)
}

// Bytes returns Str(key) decoded from hex bytes such as "12:20:29:01"
// (srt.km.msg, data.data).
func (p TSharkPacket) Bytes(key string) ([]byte, bool) {
	s, ok := p.Str(key)
	if !ok {
		return nil, false
	}
	b, err := decodeHex(s)
	return b, err == nil
}

// Loss returns the NAK loss list that Wireshark shows only as expert text
// ("Loss sequence: N", "Loss sequence range: A-B"), in order.
func (p TSharkPacket) Loss() []LossRange {
	var out []LossRange
	for _, m := range p.Expert {
		var v string
		switch {
		case strings.HasPrefix(m, "Loss sequence range: "):
			v = strings.TrimPrefix(m, "Loss sequence range: ")
		case strings.HasPrefix(m, "Loss sequence: "):
			v = strings.TrimPrefix(m, "Loss sequence: ")
		default:
			continue
		}
		if r, ok := parseLossRange(v); ok {
			out = append(out, r)
		}
	}
	return out
}

// decodeHex decodes "80:00:0a" or "80000a".
func decodeHex(s string) ([]byte, error) {
	return hex.DecodeString(strings.ReplaceAll(s, ":", ""))
}

// parseEpoch parses "1795548355.789977000" exactly (no float rounding).
func parseEpoch(s string) (time.Time, error) {
	secStr, fracStr, _ := strings.Cut(s, ".")
	sec, err := strconv.ParseInt(secStr, 10, 64)
	if err != nil {
		return time.Time{}, fmt.Errorf("bad time %q", s)
	}
	var ns int64
	if fracStr != "" {
		if len(fracStr) > 9 {
			fracStr = fracStr[:9]
		}
		fracStr += strings.Repeat("0", 9-len(fracStr))
		if ns, err = strconv.ParseInt(fracStr, 10, 64); err != nil {
			return time.Time{}, fmt.Errorf("bad time %q", s)
		}
	}
	return time.Unix(sec, ns).UTC(), nil
}
