package capture

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"time"

	"github.com/srtwire/srtwire/internal/flow"
	"github.com/srtwire/srtwire/packet"
)

// Errors reported by Reader. A Frame's Err is one of them or an error from
// package packet or handshake; Reader.Err returns a *Error wrapping
// one of them or an I/O error.
var (
	// ErrNotCapture reports input that is neither pcap nor pcapng (nor
	// either of them gzip-compressed).
	ErrNotCapture = errors.New("pcap: not a pcap or pcapng capture")
	// ErrEmpty reports an empty input.
	ErrEmpty = errors.New("pcap: empty input")
	// ErrLinkType reports a capture whose link type the Reader cannot parse.
	ErrLinkType = errors.New("pcap: unsupported link type")
	// ErrSnapTruncated marks a frame the capture cut short (snaplen): the
	// datagram on the wire was longer than what was saved.
	ErrSnapTruncated = errors.New("pcap: frame truncated by the capture's snaplen")
	// ErrFragment marks an IP fragment of an SRT flow. The Reader does not
	// reassemble fragments; SRT never sends datagrams larger than the MTU.
	ErrFragment = errors.New("pcap: IP fragment (not reassembled)")
)

// Error reports a capture file that is corrupt or cut short. Every
// frame before it was delivered.
type Error struct {
	Frame int // the 1-based number of the frame that could not be read
	// Offset is the byte offset of that frame's record in the capture (for
	// pcapng, of the block that could not be read).
	Offset int64
	// Compressed is set when the capture was gzip-compressed: Offset then
	// counts bytes of the decompressed data.
	Compressed bool
	Err        error
}

// Error says where the capture is damaged (frame and byte offset) and why.
func (e *Error) Error() string {
	where := "byte offset"
	if e.Compressed {
		where = "decompressed byte offset"
	}
	return fmt.Sprintf("pcap: capture damaged at frame %d, %s %d: %v", e.Frame, where, e.Offset, e.Err)
}

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }

// Options control which UDP datagrams a Reader takes for SRT.
type Options struct {
	// Ports forces SRT decoding on these UDP ports (source or
	// destination): every datagram on them is handed out, decoded or with
	// its decode error.
	Ports []uint16
	// PortsOnly turns the heuristic off: only datagrams on Ports are SRT.
	PortsOnly bool
}

// Frame is one SRT datagram found in a capture.
//
// Data and the views inside Packet point into the Reader's buffer: they are
// valid until the next call to Next. Use Packet.Clone or copy Data to keep
// them.
type Frame struct {
	Number    int       // 1-based frame number in the capture, as Wireshark counts
	Time      time.Time // capture time
	Src, Dst  netip.AddrPort
	Offset    int64  // byte offset of the frame's record in the capture
	Data      []byte // the UDP payload as captured: the SRT datagram
	Len       int    // the UDP payload length on the wire (> len(Data) when truncated)
	Truncated bool   // the capture cut the datagram short (snaplen)
	Fragment  bool   // an IP fragment of an SRT flow; Data is empty
	// Packet is the decoded datagram. When Err is set it holds what was
	// decoded before the fault.
	Packet packet.Packet
	// Err is nil, or why the datagram did not decode: a sentinel of
	// package packet or handshake, ErrSnapTruncated or ErrFragment.
	Err error
}

// Stats counts what a Reader has seen so far.
type Stats struct {
	Frames    int   // frames read from the capture, of any kind
	SRT       int   // SRT frames handed out
	Errors    int   // of which did not decode
	Bytes     int64 // bytes of capture consumed (decompressed, when gzip)
	Fragments int   // IP fragments of SRT flows
	// Dropped counts data datagrams held back on a flow not yet confirmed
	// as SRT that could not be handed out once it was: longer than 2 KiB,
	// or over the 8 MiB that all held-back datagrams may take together.
	Dropped int
}

// Reader reads a pcap or pcapng capture and hands out its SRT frames in
// capture order. Memory use is constant: the Reader keeps one frame buffer
// and a bounded table of UDP flows.
//
// Without Options.Ports, SRT is recognised on any UDP port: a flow (a pair
// of UDP endpoints) becomes SRT at its first datagram that passes
// packet.Recognize as a control packet (handshake, ACK, keep-alive, ...), or
// when two data-shaped datagrams in a row fit one SRT stream. Captures that
// start mid-session are therefore decoded from their first SRT frame: the
// first data datagram of a flow is held back until the flow is confirmed
// and then delivered just before the frame that confirmed it.
//
//	r, err := capture.Open("capture.pcapng", nil)
//	if err != nil { ... }
//	defer r.Close()
//	for r.Next() {
//		f := r.Frame()
//		fmt.Println(f.Number, f.Src, "->", f.Dst, f.Packet.Kind())
//	}
//	if err := r.Err(); err != nil { ... }
//
// A Reader is not safe for concurrent use: one goroutine calls Next and
// reads the Frame.
type Reader struct {
	ng         *ngReader      // pcapng
	cls        *classicReader // classic pcap
	rec        record         // the current record
	br         *bufio.Reader
	cnt        *countingReader
	closer     io.Closer
	compressed bool

	forced    [1024]uint64 // bitset of forced ports
	anyForced bool
	portsOnly bool

	flows    map[flow.Key]*flowState
	held     int // bytes held back by unconfirmed flows (see hold)
	lastKey  flow.Key
	lastFlow *flowState // the state of lastKey, or nil
	srtHosts map[[2]netip.Addr]struct{}
	udp      udpFrame
	frame    Frame
	stash    frameInfo // a frame to hand out after the current one
	stashed  bool
	stats    Stats
	err      error
	done     bool
}

// maxFlows bounds the flow table; when it fills up it is cleared.
const maxFlows = 1 << 16

// maxSnaplen bounds the frame buffer whatever a capture header claims.
const maxSnaplen = 256 << 10

// Open opens a capture file for reading. Close the Reader when done.
func Open(path string, opts *Options) (*Reader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	r, err := NewReader(f, opts)
	if err != nil {
		f.Close()
		return nil, err
	}
	r.closer = f
	return r, nil
}

// NewReader returns a Reader for a pcap or pcapng capture read from in,
// gzip-compressed or not. opts may be nil.
func NewReader(in io.Reader, opts *Options) (*Reader, error) {
	return newReader(in, opts, nil)
}

// newReader is NewReader; whole, when not nil, is the entire input in
// memory (in reads it), a classic capture to be read in place.
func newReader(in io.Reader, opts *Options, whole []byte) (*Reader, error) {
	r := &Reader{
		flows:    make(map[flow.Key]*flowState),
		srtHosts: make(map[[2]netip.Addr]struct{}),
	}
	if opts != nil {
		for _, p := range opts.Ports {
			r.forced[p/64] |= 1 << (p % 64)
			r.anyForced = true
		}
		r.portsOnly = opts.PortsOnly
	}
	r.cnt = &countingReader{r: in}
	bufSize := 64 << 10
	if whole != nil {
		bufSize = 64 // only the headers are read through it
	}
	r.br = bufio.NewReaderSize(r.cnt, bufSize)
	magic, err := r.br.Peek(4)
	if len(magic) == 0 {
		return nil, ErrEmpty
	}
	if len(magic) >= 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		gz, err := gzip.NewReader(r.br)
		if err != nil {
			return nil, fmt.Errorf("pcap: bad gzip data: %w", err)
		}
		r.compressed = true
		r.cnt = &countingReader{r: gz}
		r.br = bufio.NewReaderSize(r.cnt, 64<<10)
		magic, err = r.br.Peek(4)
		if len(magic) == 0 {
			return nil, ErrEmpty
		}
	}
	if err != nil && len(magic) < 4 {
		return nil, ErrNotCapture
	}
	switch m := binary.LittleEndian.Uint32(magic); {
	case isClassic(m):
		hdr, err := r.br.Peek(24)
		if err != nil {
			return nil, fmt.Errorf("%w: pcap header cut short", ErrNotCapture)
		}
		var bo binary.ByteOrder = binary.LittleEndian
		if m == 0xd4c3b2a1 || m == 0x4d3cb2a1 {
			bo = binary.BigEndian
		}
		// One link type for every record; the upper bits carry FCS flags.
		r.rec.link = linkType(bo.Uint32(hdr[20:]) & 0x0FFFFFFF)
		if v := bo.Uint16(hdr[4:]); v != 2 {
			return nil, fmt.Errorf("%w: pcap version %d.%d", ErrNotCapture, v, bo.Uint16(hdr[6:]))
		}
		if !supportedLink(r.rec.link) {
			return nil, fmt.Errorf("%w %d", ErrLinkType, r.rec.link)
		}
		if whole != nil {
			r.cls = newClassicBytes(whole)
		} else {
			r.cls = newClassicReader(r.br, hdr)
			r.br.Discard(24)
			r.cls.consumed = 24
		}
	case m == 0x0a0d0d0a:
		ng, err := newNgReader(r.br)
		if err != nil {
			return nil, fmt.Errorf("%w: pcapng: %w", ErrNotCapture, err)
		}
		r.ng = ng
	default:
		return nil, ErrNotCapture
	}
	return r, nil
}

// NewReaderBytes returns a Reader for a capture held in memory, gzipped
// or not. For a classic pcap capture the frames are views into data (the
// Reader copies nothing and allocates no read buffers): the way to read a
// capture that is already in memory, an embedded sample, a download, a
// buffer a fuzzer made (about a tenth faster than NewReader over a
// bytes.Reader, whose one copy streams well). data must not change while
// the Reader is in use; as with
// NewReader, a Frame is valid until the next call to Next.
//
// pcapng and gzipped captures are read through a bytes.Reader, as
// NewReader would read them.
func NewReaderBytes(data []byte, opts *Options) (*Reader, error) {
	var whole []byte
	if len(data) >= 4 && isClassic(binary.LittleEndian.Uint32(data)) {
		whole = data
	}
	return newReader(bytes.NewReader(data), opts, whole)
}

// isClassic reports whether m, a file's first word read little-endian, is
// one of the four magic numbers of classic pcap (µs or ns, either byte
// order).
func isClassic(m uint32) bool {
	switch m {
	case 0xa1b2c3d4, 0xd4c3b2a1, 0xa1b23c4d, 0x4d3cb2a1:
		return true
	}
	return false
}

// Close closes the file opened by Open. It does nothing for a Reader made
// by NewReader.
func (r *Reader) Close() error {
	if r.closer != nil {
		return r.closer.Close()
	}
	return nil
}

// Next advances to the next SRT frame and reports whether there is one. At
// the end of the capture, or at damage, it returns false: Err tells which.
func (r *Reader) Next() bool {
	if r.stashed {
		r.stashed = false
		r.emit(&r.stash)
		r.stash = frameInfo{}
		return true
	}
	if r.done {
		return false
	}
	for {
		offset := r.offset()
		var data []byte
		var err error
		if r.cls != nil {
			data, err = r.cls.next(&r.rec)
		} else {
			data, err = r.ng.next(&r.rec)
			offset = r.ng.start
		}
		if err != nil {
			r.done = true
			if err == io.EOF && r.ng == nil && r.offset() > offset {
				err = io.ErrUnexpectedEOF // a record header without its data
			}
			if err != io.EOF {
				r.err = &Error{Frame: r.stats.Frames + 1, Offset: offset, Compressed: r.compressed, Err: err}
			}
			return false
		}
		r.stats.Frames++
		parseFrame(r.rec.link, data, &r.udp)
		if r.fastPath(offset) || r.take(offset) {
			return true
		}
	}
}

// fastPath hands out the frame just parsed when it belongs to the same
// confirmed flow as the frame before it, the common case, without building
// a flow key.
func (r *Reader) fastPath(offset int64) bool {
	u := &r.udp
	fs := r.lastFlow
	if fs == nil || !fs.confirmed || !u.isUDP || u.fragment || !(u.src == r.lastKey.A && u.dst == r.lastKey.B || u.src == r.lastKey.B && u.dst == r.lastKey.A) {
		return false
	}
	f := &r.frame
	f.Number, f.Time, f.Src, f.Dst, f.Offset = r.stats.Frames, r.rec.time, u.src, u.dst, offset
	f.Data, f.Len, f.Fragment = u.payload, u.udpLen, false
	f.Truncated = u.truncated || u.lenUnknown && r.rec.capLen < r.rec.origLen
	r.decode()
	return true
}

func (r *Reader) offset() int64 {
	if r.cls != nil {
		return r.cls.consumed
	}
	if r.ng != nil {
		return r.ng.pos
	}
	return r.cnt.n - int64(r.br.Buffered())
}

func (r *Reader) isForced(p uint16) bool { return r.forced[p/64]&(1<<(p%64)) != 0 }

// take decides whether the frame just parsed is SRT, and prepares it (and
// possibly a held-back one before it) for handing out.
func (r *Reader) take(offset int64) bool {
	u, ci := &r.udp, &r.rec
	if u.fragment {
		if !r.fragmentOfSRT(u) {
			return false
		}
		r.frame = Frame{Number: r.stats.Frames, Time: ci.time, Src: u.src, Dst: u.dst, Offset: offset, Fragment: true, Err: ErrFragment}
		r.stats.SRT++
		r.stats.Errors++
		r.stats.Fragments++
		return true
	}
	if !u.isUDP {
		return false
	}
	cur := frameInfo{number: r.stats.Frames, time: ci.time, src: u.src, dst: u.dst, offset: offset,
		data: u.payload, len: u.udpLen, truncated: u.truncated || u.lenUnknown && ci.capLen < ci.origLen}
	// A complete UDP datagram is not truncated, whatever the record's
	// original length claims (a lying 4 GB one, or trailer bytes the capture
	// did not keep).
	if r.anyForced && (r.isForced(u.src.Port()) || r.isForced(u.dst.Port())) {
		r.confirm(flow.MakeKey(u.src, u.dst), u)
		r.emit(&cur)
		return true
	}
	if r.portsOnly {
		return false
	}
	key := flow.MakeKey(u.src, u.dst)
	fs := r.flow(key)
	if fs != nil && fs.confirmed {
		r.emit(&cur)
		return true
	}
	switch packet.Recognize(u.payload) {
	case packet.ConfidenceSure:
		fs = r.confirm(key, u)
	case packet.ConfidenceMaybe:
		if fs == nil {
			fs = r.newFlow(key)
		}
		if wellKnownPort(u.src.Port()) || wellKnownPort(u.dst.Port()) {
			return false // data alone never makes these flows SRT
		}
		if fs.pendingValid && fs.pendingInfo.src == u.src && consistentData(fs.head[:], fs.pendingInfo.time, u.payload, cur.time) {
			fs = r.confirm(key, u)
			break
		}
		// Hold this one back until the flow proves to be SRT.
		r.hold(fs, &cur)
		return false
	default:
		return false
	}
	if fs.pendingValid && fs.pendingKept {
		held := fs.pendingInfo
		held.data = fs.pending
		r.release(fs)
		r.stash, r.stashed = cur, true
		r.emit(&held)
		return true
	}
	if fs.pendingValid { // held back as a header only: it cannot be handed out
		r.release(fs)
		r.stats.Dropped++
	}
	r.emit(&cur)
	return true
}

// Bounds on what unconfirmed flows hold: a held-back datagram is copied
// only when it is at most maxHeldDatagram bytes (SRT sends datagrams of at
// most the MTU) and the copies of all flows stay within maxHeldBytes;
// otherwise only its 16-byte header is kept, for the consistency check,
// and the datagram is counted in Stats.Dropped if its flow is confirmed.
const (
	maxHeldDatagram = 2048
	maxHeldBytes    = 8 << 20
)

// hold keeps the data-shaped frame cur on the unconfirmed flow fs.
func (r *Reader) hold(fs *flowState, cur *frameInfo) {
	p := cur.data
	fs.pendingValid = true
	fs.pendingInfo = *cur
	fs.pendingInfo.data = nil
	fs.head = [packet.HeaderSize]byte(p[:packet.HeaderSize])
	if len(p) <= maxHeldDatagram && (cap(fs.pending) >= len(p) || r.held+len(p) <= maxHeldBytes) {
		if cap(fs.pending) < len(p) {
			r.held += len(p) - cap(fs.pending)
			fs.pending = make([]byte, 0, len(p))
		}
		fs.pending = append(fs.pending[:0], p...)
		fs.pendingKept = true
		return
	}
	fs.pendingKept = false
}

// release forgets what fs holds back.
func (r *Reader) release(fs *flowState) {
	r.held -= cap(fs.pending)
	fs.pending, fs.pendingValid, fs.pendingKept = nil, false, false
}

// frameInfo is what the Reader knows of a frame before decoding it: the
// Frame without its Packet, small enough to copy and to keep for a
// held-back frame.
type frameInfo struct {
	number    int
	time      time.Time
	src, dst  netip.AddrPort
	offset    int64
	data      []byte
	len       int
	truncated bool
}

// emit makes fi the current frame and decodes it. The fields are set one
// by one so that the Packet is not copied (Decode resets it).
func (r *Reader) emit(fi *frameInfo) {
	f := &r.frame
	f.Number, f.Time, f.Src, f.Dst, f.Offset = fi.number, fi.time, fi.src, fi.dst, fi.offset
	f.Data, f.Len, f.Truncated, f.Fragment = fi.data, fi.len, fi.truncated, false
	r.decode()
}

// decode decodes the current frame's datagram and counts it.
func (r *Reader) decode() {
	f := &r.frame
	r.stats.SRT++
	f.Err = f.Packet.Decode(f.Data)
	if f.Err == nil && f.Truncated {
		f.Err = ErrSnapTruncated
	}
	if f.Err != nil {
		r.stats.Errors++
	}
}

func (r *Reader) newFlow(key flow.Key) *flowState {
	if len(r.flows) >= maxFlows {
		clear(r.flows)
		r.held = 0
		r.lastFlow = nil
	}
	fs := &flowState{}
	r.flows[key] = fs
	r.lastKey, r.lastFlow = key, fs
	return fs
}

// flow returns the state of the flow key, or nil. The flow of the previous
// frame is remembered: most frames belong to the same flow as the one
// before them, and comparing two keys is cheaper than hashing one.
func (r *Reader) flow(key flow.Key) *flowState {
	if r.lastFlow != nil && key == r.lastKey {
		return r.lastFlow
	}
	fs := r.flows[key]
	if fs != nil {
		r.lastKey, r.lastFlow = key, fs
	}
	return fs
}

func (r *Reader) confirm(key flow.Key, u *udpFrame) *flowState {
	fs := r.flow(key)
	if fs == nil {
		fs = r.newFlow(key)
	}
	if !fs.confirmed {
		fs.confirmed = true
		if len(r.srtHosts) >= maxFlows {
			clear(r.srtHosts)
		}
		r.srtHosts[hostPair(u.src.Addr(), u.dst.Addr())] = struct{}{}
	}
	return fs
}

func hostPair(a, b netip.Addr) [2]netip.Addr {
	if b.Less(a) {
		a, b = b, a
	}
	return [2]netip.Addr{a, b}
}

func (r *Reader) fragmentOfSRT(u *udpFrame) bool {
	if u.src.Port() != 0 || u.dst.Port() != 0 {
		if r.anyForced && (r.isForced(u.src.Port()) || r.isForced(u.dst.Port())) {
			return true
		}
		if fs := r.flow(flow.MakeKey(u.src, u.dst)); fs != nil && fs.confirmed {
			return true
		}
		return false
	}
	_, ok := r.srtHosts[hostPair(u.src.Addr(), u.dst.Addr())]
	return ok
}

// Frame returns the current frame. It is valid until the next call to Next.
func (r *Reader) Frame() *Frame { return &r.frame }

// Err returns the error that stopped the Reader: nil at the normal end of
// the capture, or a *Error for a damaged or truncated file.
func (r *Reader) Err() error { return r.err }

// Stats returns counts of what has been read so far.
func (r *Reader) Stats() Stats {
	s := r.stats
	s.Bytes = r.offset()
	return s
}

// Compressed reports whether the capture is gzip-compressed.
func (r *Reader) Compressed() bool { return r.compressed }

// Format returns "pcap" or "pcapng".
func (r *Reader) Format() string {
	if r.ng != nil {
		return "pcapng"
	}
	return "pcap"
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}
