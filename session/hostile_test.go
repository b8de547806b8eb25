package session_test

import (
	"encoding/binary"
	"net/netip"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/srtwire/srtwire/handshake"
	"github.com/srtwire/srtwire/packet"
	"github.com/srtwire/srtwire/session"
)

func liveHeap() uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// handshakeDatagram builds a caller's handshake datagram.
func handshakeDatagram(t testing.TB, typ handshake.Type, sock uint32, sid string) []byte {
	hs := handshake.Handshake{Version: 5, Type: typ, SocketID: sock, MTU: 1500, FlowWindow: 8192, Cookie: 7}
	hdr := packet.Header{Control: true, Type: packet.TypeHandshake}
	b, err := hdr.AppendBinary(nil)
	require.NoError(t, err)
	bl := handshake.NewBuilder(b, &hs)
	if sid != "" {
		bl.AddRaw(handshake.ExtSID, []byte(sid)) // AddRaw: past libsrt's 512-byte limit, as an attacker would
	}
	b, err = bl.Finish()
	require.NoError(t, err)
	return b
}

// TestHostileInductionFlood: a million INDUCTIONs from fresh sockets keep
// the Tracker within its attempt bound; retired attempts reach OnRetire.
func TestHostileInductionFlood(t *testing.T) {
	n := 1_000_000
	if testing.Short() {
		n = 100_000
	}
	tr := session.NewTracker()
	retired := 0
	tr.OnRetire = func(a *session.Attempt) {
		retired++
		assert.Equal(t, session.OutcomeNoAnswer, a.Outcome)
	}
	dg := handshakeDatagram(t, handshake.Induction, 1, "")
	var p packet.Packet
	require.NoError(t, p.Decode(dg))
	base := liveHeap()
	peak := base
	dst := netip.MustParseAddrPort("10.1.0.1:9000")
	now := time.Unix(1e9, 0)
	for i := range n {
		binary.BigEndian.PutUint32(dg[16+24:], uint32(i)) // a fresh socket ID
		p.Handshake.SocketID = uint32(i)
		src := netip.AddrPortFrom(netip.AddrFrom4([4]byte{10, 0, byte(i >> 16), byte(i >> 8)}), uint16(1024+i%60000))
		tr.Add(&session.Frame{Number: i + 1, Time: now, Src: src, Dst: dst, Packet: &p, Data: dg})
		if i%100_000 == 0 {
			peak = max(peak, liveHeap())
		}
	}
	kept := len(tr.Attempts())
	assert.LessOrEqual(t, kept, session.DefaultMaxAttempts)
	assert.Equal(t, n, kept+retired)
	assert.Equal(t, retired, tr.Retired())
	peak = max(peak, liveHeap())
	grew := int64(peak) - int64(base)
	t.Logf("%d INDUCTIONs: %d kept, %d retired, heap grew %.1f MB", n, kept, retired, float64(grew)/(1<<20))
	assert.Less(t, grew, int64(48<<20))
}

// TestHostileLongStreamIDs: CONCLUSIONs with 60 KB Stream IDs cost the
// Tracker 512 bytes each, marked truncated.
func TestHostileLongStreamIDs(t *testing.T) {
	long := strings.Repeat("abcd", 15000)
	tr := session.NewTracker()
	dg := handshakeDatagram(t, handshake.Conclusion, 5, long)
	var p packet.Packet
	require.NoError(t, p.Decode(dg))
	base := liveHeap()
	dst := netip.MustParseAddrPort("10.1.0.1:9000")
	for i := range 20000 {
		src := netip.AddrPortFrom(netip.AddrFrom4([4]byte{10, 0, byte(i >> 8), byte(i)}), 5000)
		tr.Add(&session.Frame{Number: i + 1, Time: time.Unix(1e9, 0), Src: src, Dst: dst, Packet: &p, Data: dg})
	}
	as := tr.Attempts()
	require.Len(t, as, 20000)
	for _, a := range as[:10] {
		assert.Len(t, a.StreamID, 512)
		assert.True(t, a.Truncated)
	}
	grew := int64(liveHeap()) - int64(base)
	t.Logf("20000 CONCLUSIONs with 60 KB Stream IDs: heap grew %.1f MB", float64(grew)/(1<<20))
	assert.Less(t, grew, int64(40<<20))
	runtime.KeepAlive(tr)
}

// TestHostileTwoWayFlood: keepalives both ways from many fresh
// sockets (every attempt with two directions) stay within the documented
// bound.
func TestHostileTwoWayFlood(t *testing.T) {
	n := 300_000 // nine times MaxAttempts: retirement runs many times
	if testing.Short() {
		n = 100_000
	}
	tr := session.NewTracker()
	p := packet.Packet{Header: packet.Header{Control: true, Type: packet.TypeKeepalive}}
	dst := netip.MustParseAddrPort("10.1.0.1:9000")
	now := time.Unix(1e9, 0)
	base := liveHeap()
	peak := base
	for i := range n {
		src := netip.AddrPortFrom(netip.AddrFrom4([4]byte{10, 0, byte(i >> 16), byte(i >> 8)}), uint16(1024+i%60000))
		tr.Add(&session.Frame{Number: 2*i + 1, Time: now, Src: src, Dst: dst, Packet: &p})
		tr.Add(&session.Frame{Number: 2*i + 2, Time: now, Src: dst, Dst: src, Packet: &p})
		if i%100_000 == 0 {
			peak = max(peak, liveHeap())
		}
	}
	peak = max(peak, liveHeap())
	grew := int64(peak) - int64(base)
	t.Logf("%d two-way flows: %d kept, heap grew %.1f MB", n, len(tr.Attempts()), float64(grew)/(1<<20))
	assert.Less(t, grew, int64(160<<20))
	runtime.KeepAlive(tr)
}

// BenchmarkTrackerData measures Add for data packets of one connection
// (the -stats hot path).
func BenchmarkTrackerData(b *testing.B) {
	tr := session.NewTracker()
	p := packet.Packet{Header: packet.Header{MsgNo: 1, Position: packet.PositionSolo, DstSocket: 7}, Payload: make([]byte, 1316)}
	f := session.Frame{Src: netip.MustParseAddrPort("10.0.0.1:5000"), Dst: netip.MustParseAddrPort("10.0.0.2:9000"), Packet: &p}
	now := time.Unix(1.7e9, 0)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		p.Seq = packet.SeqNumber(i)
		p.Timestamp = uint32(i * 100)
		f.Time = now.Add(time.Duration(i) * 100 * time.Microsecond)
		tr.Add(&f)
	}
}
