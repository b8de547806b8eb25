package session

import (
	"bytes"
	"slices"
	"strconv"
)

// MPEG transport stream (ISO/IEC 13818-1 §2.4.3): 188-byte packets, each
// starting with the sync byte 0x47. SRT live senders (srt-live-transmit,
// ffmpeg's srt protocol) put 7 of them in a 1316-byte payload
// (SRT_LIVE_DEF_PLSIZE in srtcore/srt.h), so a payload holds whole packets.
const (
	// TSPacketSize is the length of an MPEG-TS packet.
	TSPacketSize = 188
	// TSSync is the sync byte every MPEG-TS packet starts with.
	TSSync = 0x47
	// TSNullPID is the PID of null packets, which carry nothing and which
	// a demultiplexer discards (ISO/IEC 13818-1 table 2-3).
	TSNullPID = 0x1FFF
)

// Format is what a direction's payload looks like.
type Format uint8

// Payload formats.
const (
	// FormatUnknown: nothing was written (the direction carried no
	// payload that could be written).
	FormatUnknown Format = iota
	// FormatTS: an MPEG transport stream (see IsTS).
	FormatTS
	// FormatBinary: anything else (a file transfer, a stream that is not
	// MPEG-TS, ciphertext).
	FormatBinary
)

// String returns "unknown", "MPEG-TS" or "binary".
func (f Format) String() string {
	switch f {
	case FormatTS:
		return "MPEG-TS"
	case FormatBinary:
		return "binary"
	}
	return "unknown"
}

// Ext returns the file name extension for the format: ".ts" for MPEG-TS,
// ".bin" otherwise.
func (f Format) Ext() string {
	if f == FormatTS {
		return ".ts"
	}
	return ".bin"
}

// IsTS reports whether b looks like the start of an MPEG transport stream:
// at least one whole 188-byte packet, and the sync byte 0x47 at every
// multiple of 188 bytes within b. A payload of an SRT live stream carrying
// MPEG-TS holds whole packets (7 in 1316 bytes), so its first payload
// decides; a file transfer of a .ts file passes too, since its payloads
// (1456 bytes) start on a packet boundary at the start of the file.
func IsTS(b []byte) bool {
	if len(b) < TSPacketSize {
		return false
	}
	for i := 0; i < len(b); i += TSPacketSize {
		if b[i] != TSSync {
			return false
		}
	}
	return true
}

// DetectFormat returns FormatTS when IsTS(b), else FormatBinary.
func DetectFormat(b []byte) Format {
	if IsTS(b) {
		return FormatTS
	}
	return FormatBinary
}

// nullTS is an MPEG-TS null packet: PID 0x1FFF, payload only, continuity
// counter 0 (a decoder ignores the counter of null packets), stuffed with
// 0xFF.
var nullTS = func() [TSPacketSize]byte {
	var p [TSPacketSize]byte
	for i := range p {
		p[i] = 0xFF
	}
	p[0], p[1], p[2], p[3] = TSSync, 0x1F, 0xFF, 0x10
	return p
}()

// AppendNullTS appends n MPEG-TS null packets (PID 0x1FFF) to b.
func AppendNullTS(b []byte, n int) []byte {
	for range n {
		b = append(b, nullTS[:]...)
	}
	return b
}

// TSReport is the sanity check of an extracted MPEG transport stream: what
// a broadcast engineer looks at first (the first priority of ETSI TR 101
// 290: sync, continuity counters, PIDs).
type TSReport struct {
	// Packets counts the 188-byte packets of the payload (the null
	// packets written for gaps not included).
	Packets int64
	// BadSync counts the packets whose first byte is not 0x47. After
	// three in a row the checker hunts for the next 0x47 and Skipped
	// counts the bytes it passed over.
	BadSync int64
	Skipped int64
	// TransportErrors counts the packets with the transport_error_indicator
	// set: the sender's source already knew them to be damaged.
	TransportErrors int64
	// CCErrors counts continuity-counter errors (ISO/IEC 13818-1
	// §2.4.3.3: the 4-bit counter of a PID must go up by one with every
	// packet carrying payload; one duplicate is allowed, and a
	// discontinuity_indicator resets it) that no gap explains: the
	// stream was broken before SRT carried it (at the encoder or the
	// sender's source). CCAtGaps counts those on the first packet of a PID
	// after a gap in the extraction, which the gap explains.
	CCErrors, CCAtGaps int
	// Cut counts the TS packets cut short by a gap (only when payloads do
	// not hold whole TS packets).
	Cut int
	// NullFilled counts the null packets written in place of gaps
	// (GapFill).
	NullFilled int64
	// PIDs lists the PIDs seen, in order, with their figures.
	PIDs []PIDStats
}

// PIDStats is what the TS check saw of one PID.
type PIDStats struct {
	PID     uint16
	Packets int64
	// CCErrors and CCAtGaps: see TSReport.
	CCErrors, CCAtGaps int
}

// String returns the report in one line: "6580 TS packets, PIDs
// 0x0000 0x0011 0x0100 0x0101 0x1000, 0 bad sync, 0 CC errors (2 at gaps:
// 0x0100:1 0x0101:1)", with the transport errors, skipped bytes, cut and
// null packets when there were any.
func (r *TSReport) String() string { return string(r.AppendText(nil)) }

// AppendText appends String's text to b.
func (r *TSReport) AppendText(b []byte) []byte {
	b = strconv.AppendInt(b, r.Packets, 10)
	b = append(b, " TS packets, PIDs"...)
	if len(r.PIDs) == 0 {
		b = append(b, " none"...)
	}
	for i, p := range r.PIDs {
		if i == 16 {
			b = append(b, " ..."...)
			break
		}
		b = append(b, ' ')
		b = appendPID(b, p.PID)
	}
	b = append(b, ", "...)
	b = strconv.AppendInt(b, r.BadSync, 10)
	b = append(b, " bad sync"...)
	if r.Skipped > 0 {
		b = append(b, " ("...)
		b = strconv.AppendInt(b, r.Skipped, 10)
		b = append(b, " bytes skipped to resync)"...)
	}
	if r.TransportErrors > 0 {
		b = append(b, ", "...)
		b = strconv.AppendInt(b, r.TransportErrors, 10)
		b = append(b, " with transport_error_indicator"...)
	}
	b = append(b, ", "...)
	b = strconv.AppendInt(b, int64(r.CCErrors), 10)
	b = append(b, " CC errors"...)
	b = r.appendPIDCounts(b, func(p *PIDStats) int { return p.CCErrors })
	if r.CCAtGaps > 0 {
		b = append(b, " (+"...)
		b = strconv.AppendInt(b, int64(r.CCAtGaps), 10)
		b = append(b, " at gaps"...)
		b = r.appendPIDCounts(b, func(p *PIDStats) int { return p.CCAtGaps })
		b = append(b, ')')
	}
	if r.Cut > 0 {
		b = append(b, ", "...)
		b = strconv.AppendInt(b, int64(r.Cut), 10)
		b = append(b, " cut by gaps"...)
	}
	if r.NullFilled > 0 {
		b = append(b, ", "...)
		b = strconv.AppendInt(b, r.NullFilled, 10)
		b = append(b, " null packets filled in"...)
	}
	return b
}

// appendPIDCounts appends " [0x0100:2 0x0101:1]" for the PIDs whose count
// is not 0 (at most 8 of them).
func (r *TSReport) appendPIDCounts(b []byte, count func(*PIDStats) int) []byte {
	n := 0
	for i := range r.PIDs {
		c := count(&r.PIDs[i])
		if c == 0 {
			continue
		}
		if n == 0 {
			b = append(b, " ["...)
		} else {
			b = append(b, ' ')
		}
		if n == 8 {
			b = append(b, "..."...)
			break
		}
		b = appendPID(b, r.PIDs[i].PID)
		b = append(b, ':')
		b = strconv.AppendInt(b, int64(c), 10)
		n++
	}
	if n > 0 {
		b = append(b, ']')
	}
	return b
}

func appendPID(b []byte, pid uint16) []byte {
	const hex = "0123456789abcdef"
	return append(b, '0', 'x', hex[pid>>12&15], hex[pid>>8&15], hex[pid>>4&15], hex[pid&15])
}

// pidState is the continuity state of one PID.
type pidState struct {
	stats    PIDStats
	cc       int8 // the last continuity counter; -1 before the first packet
	dupOK    bool // the next packet may repeat the counter (one duplicate allowed)
	afterGap bool // a gap came since the PID's last packet
}

// tsChecker checks a transport stream written in pieces of any length.
// Its memory is bounded: 188 bytes of a packet cut across pieces and one
// small record per PID (8192 PIDs at most).
type tsChecker struct {
	rep     TSReport
	part    [TSPacketSize]byte
	n       int // bytes of a packet in part
	hunting bool
	badRun  int
	pids    map[uint16]*pidState
}

func newTSChecker() *tsChecker { return &tsChecker{pids: make(map[uint16]*pidState)} }

// write checks the next bytes of the stream.
func (c *tsChecker) write(b []byte) {
	for len(b) > 0 {
		if c.hunting {
			i := bytes.IndexByte(b, TSSync)
			if i < 0 {
				c.rep.Skipped += int64(len(b))
				return
			}
			c.rep.Skipped += int64(i)
			b = b[i:]
			c.hunting = false
		}
		if c.n == 0 && len(b) >= TSPacketSize {
			c.packet(b[:TSPacketSize])
			b = b[TSPacketSize:]
			continue
		}
		k := copy(c.part[c.n:], b)
		c.n += k
		b = b[k:]
		if c.n == TSPacketSize {
			c.n = 0
			c.packet(c.part[:])
		}
	}
}

// gap tells the checker that bytes are missing before the next write: a
// packet cut by it is dropped, and each PID's next counter is not held
// against the stream.
func (c *tsChecker) gap() {
	if c.n > 0 {
		c.rep.Cut++
		c.n = 0
	}
	for _, p := range c.pids {
		p.afterGap = true
	}
}

// packet checks one 188-byte packet.
func (c *tsChecker) packet(p []byte) {
	if p[0] != TSSync {
		c.rep.BadSync++
		if c.badRun++; c.badRun >= 3 {
			c.hunting, c.badRun = true, 0
		}
		return
	}
	c.badRun = 0
	c.rep.Packets++
	if p[1]&0x80 != 0 {
		c.rep.TransportErrors++
	}
	pid := uint16(p[1]&0x1F)<<8 | uint16(p[2])
	st := c.pids[pid]
	if st == nil {
		st = &pidState{stats: PIDStats{PID: pid}, cc: -1}
		c.pids[pid] = st
	}
	st.stats.Packets++
	if pid == TSNullPID {
		return // the counter of null packets is undefined
	}
	afc := p[3] >> 4 & 3
	cc := int8(p[3] & 15)
	hasPayload := afc&1 != 0
	// discontinuity_indicator: the first flag of a non-empty adaptation
	// field (ISO/IEC 13818-1 §2.4.3.5).
	disc := afc&2 != 0 && p[4] > 0 && p[5]&0x80 != 0
	ok := true
	switch {
	case st.cc < 0 || disc:
	case hasPayload && cc == (st.cc+1)&15:
		st.dupOK = true
	case hasPayload && cc == st.cc && st.dupOK:
		st.dupOK = false // a duplicate packet, allowed once
	case !hasPayload && cc == st.cc:
		// No payload: the counter does not move.
	default:
		ok = false
	}
	if !ok {
		if st.afterGap {
			st.stats.CCAtGaps++
			c.rep.CCAtGaps++
		} else {
			st.stats.CCErrors++
			c.rep.CCErrors++
		}
	}
	st.cc, st.afterGap = cc, false
}

// report returns the report, with the PIDs sorted.
func (c *tsChecker) report() *TSReport {
	r := c.rep
	r.PIDs = make([]PIDStats, 0, len(c.pids))
	for _, p := range c.pids {
		r.PIDs = append(r.PIDs, p.stats)
	}
	slices.SortFunc(r.PIDs, func(a, b PIDStats) int { return int(a.PID) - int(b.PID) })
	return &r
}
