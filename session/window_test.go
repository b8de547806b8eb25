package session_test

import (
	"net/netip"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/srtwire/srtwire/handshake"
	"github.com/srtwire/srtwire/packet"
	"github.com/srtwire/srtwire/session"
)

// synth feeds a Tracker hand-made packets of one flow.
type synth struct {
	tr       *session.Tracker
	src, dst netip.AddrPort
	now      time.Time
	n        int
	p        packet.Packet
	payload  []byte
	nakBuf   []byte
}

func newSynth(tr *session.Tracker, src, dst string) *synth {
	return &synth{tr: tr, src: netip.MustParseAddrPort(src), dst: netip.MustParseAddrPort(dst),
		now: time.Unix(1.7e9, 0), payload: make([]byte, 1316)}
}

func (s *synth) add(from, to netip.AddrPort) *session.Attempt {
	s.n++
	return s.tr.Add(&session.Frame{Number: s.n, Time: s.now, Src: from, Dst: to, Packet: &s.p})
}

// data sends a data packet with sequence number seq and timestamp ts (µs).
func (s *synth) data(seq packet.SeqNumber, rexmit bool, ts uint32) *session.Attempt {
	s.p = packet.Packet{Header: packet.Header{Seq: seq, MsgNo: 1, Position: packet.PositionSolo, Retransmitted: rexmit, Timestamp: ts, DstSocket: 7}, Payload: s.payload}
	return s.add(s.src, s.dst)
}

// nak reports lo..hi lost, from the receiver.
func (s *synth) nak(lo, hi packet.SeqNumber) {
	s.nakBuf, _ = packet.AppendLossRange(s.nakBuf[:0], lo, hi)
	s.p = packet.Packet{Header: packet.Header{Control: true, Type: packet.TypeNAK, DstSocket: 9}}
	s.p.NAK.List = s.nakBuf
	s.add(s.dst, s.src)
}

// ack sends a full ACK number no with an RTT, from the receiver.
func (s *synth) ack(no uint32, rtt uint32) {
	s.p = packet.Packet{Header: packet.Header{Control: true, Type: packet.TypeACK, Info: no, DstSocket: 9},
		ACK: packet.ACK{Variant: packet.ACKFull, RTT: rtt, RTTVar: rtt / 2, Bandwidth: 5000, PktRate: 1000, RecvRate: 1_300_000}}
	s.add(s.dst, s.src)
}

// ackack answers ACK number no, from the sender.
func (s *synth) ackack(no uint32) {
	s.p = packet.Packet{Header: packet.Header{Control: true, Type: packet.TypeACKACK, Info: no, DstSocket: 7}}
	s.add(s.src, s.dst)
}

// TestStatsConstantMemory: a million data packets across the sequence
// number wrap, with losses, retransmissions (some twice), NAKs and ACKs,
// keep the figures exact and the memory constant.
func TestStatsConstantMemory(t *testing.T) {
	n := 1_000_000
	if testing.Short() {
		n = 200_000
	}
	tr := session.NewTracker()
	s := newSynth(tr, "10.0.0.1:5000", "10.0.0.2:9000")
	start := packet.MaxSeqNumber.Add(-int32(n / 2)) // crosses 2^31-1 → 0
	var wantLost, wantUnrec, wantTwice, wantOnce int
	var pendingRetx []packet.SeqNumber
	base, peak := liveHeap(), uint64(0)
	var ackNo uint32
	for i := range n {
		seq := start.Add(int32(i))
		s.now = s.now.Add(100 * time.Microsecond)
		ts := uint32(i * 100)
		switch {
		case i%1000 == 500: // lost, never retransmitted
			wantLost++
			wantUnrec++
			s.nak(seq, seq)
		case i%100 == 50: // lost, retransmitted after the next packet
			wantLost++
			s.nak(seq, seq)
			pendingRetx = append(pendingRetx, seq)
		default:
			s.data(seq, false, ts)
		}
		if i%100 == 51 {
			for _, q := range pendingRetx {
				if i%10000 == 51 {
					// Retransmitted twice.
					s.data(q, true, uint32(int(ts)-100))
					wantTwice++
					wantOnce-- // counted once below
				}
				s.data(q, true, uint32(int(ts)-100))
				wantOnce++
			}
			pendingRetx = pendingRetx[:0]
		}
		if i%10 == 0 {
			ackNo++
			s.ack(ackNo, 20000)
			s.ackack(ackNo)
		}
		if i%200_000 == 0 {
			peak = max(peak, liveHeap())
		}
	}
	tr.Flush()
	as := tr.Attempts()
	require.Len(t, as, 1)
	d := as[0].Direction(s.src)
	require.NotNil(t, d)
	assert.Equal(t, wantLost, d.Data.Lost.Value)
	assert.Equal(t, wantUnrec, d.Data.Unrecovered.Value)
	assert.Equal(t, wantLost-wantUnrec, d.Data.Recovered.Value)
	assert.Equal(t, wantLost, d.Data.GapLoss)
	assert.Equal(t, [5]int{wantOnce, wantTwice, 0, 0, 0}, d.Data.RetransmittedTimes.Value)
	assert.Len(t, d.Data.UnrecoveredSeqs, session.MaxUnrecoveredSeqs)
	assert.True(t, d.Data.UnrecoveredMore)
	assert.Equal(t, start.Add(500), d.Data.UnrecoveredSeqs[0])
	assert.Equal(t, wantLost, d.Control.NAKDistinct.Value)
	assert.False(t, d.Data.Late.Known, "no handshake, no latency: unknown")
	assert.False(t, d.LatencyMS.Known)
	assert.Equal(t, 0, d.Data.TooOld)
	assert.Equal(t, ackNo, uint32(d.ACKACKRTT.N))
	assert.Equal(t, int64(20000), d.RTT.Max)
	assert.InDelta(t, 0, d.JitterUS.Value, 1, "evenly spaced")
	peak = max(peak, liveHeap())
	grew := int64(peak) - int64(base)
	t.Logf("%d packets: heap grew %.2f MB (one 64 KiB window, one Direction)", n, float64(grew)/(1<<20))
	assert.Less(t, grew, int64(2<<20))
	runtime.KeepAlive(tr)
}

// TestStatsWindowPool: more directions with data than windows. Those that
// find the pool empty have unknown loss figures (not 0); a window idle for
// WindowIdle is taken over.
func TestStatsWindowPool(t *testing.T) {
	tr := session.NewTracker()
	tr.MaxWindows = 8
	base := liveHeap()
	now := time.Unix(1.7e9, 0)
	var ss []*synth
	for i := range 3000 {
		s := newSynth(tr, "10.0.0.1:5000", "10.0.0.2:9000")
		s.src = netip.AddrPortFrom(netip.AddrFrom4([4]byte{10, 1, byte(i >> 8), byte(i)}), 5000)
		s.now = now
		for q := range 10 {
			if q != 4 {
				s.data(packet.SeqNumber(1000+q), false, uint32(q*1000))
			}
		}
		ss = append(ss, s)
	}
	grew := int64(liveHeap()) - int64(base)
	t.Logf("3000 flows, 8 windows: heap grew %.1f MB", float64(grew)/(1<<20))
	assert.Less(t, grew, int64(3000*64<<10/4), "far less than a window per flow")
	as := tr.Attempts()
	require.Len(t, as, 3000)
	for i, a := range as {
		d := a.Direction(a.Caller)
		if i < 8 {
			assert.Equal(t, session.Opt[int]{Value: 1, Known: true}, d.Data.Lost, i)
		} else {
			assert.False(t, d.Data.Lost.Known, "flow %d had no window", i)
			assert.Equal(t, 1, d.Data.GapLoss, "the gap count needs no window")
		}
	}
	// 20 s later a flow gets the window of an idle one; the idle one's
	// figures stay as they were.
	s := ss[2999]
	s.now = now.Add(20 * time.Second)
	s2 := newSynth(tr, "10.9.9.9:5000", "10.0.0.2:9000")
	s2.now = s.now
	s2.data(5, false, 0)
	s2.data(7, false, 2000)
	as = tr.Attempts()
	assert.Equal(t, session.Opt[int]{Value: 1, Known: true}, as[len(as)-1].Direction(s2.src).Data.Lost)
	assert.Equal(t, 1, as[0].Direction(as[0].Caller).Data.Lost.Value)
}

// TestStatsWindowEdges: reordering, duplicates, packets older than the
// window and a jump past it.
func TestStatsWindowEdges(t *testing.T) {
	tr := session.NewTracker()
	s := newSynth(tr, "10.0.0.1:5000", "10.0.0.2:9000")
	for _, q := range []int{100, 101, 103, 102, 104, 104} { // 102 reordered, 104 twice
		s.data(packet.SeqNumber(q), false, 0)
	}
	d := tr.Attempts()[0].Direction(s.src)
	assert.Equal(t, 0, d.Data.Lost.Value, "a reordered original fills its gap")
	assert.Equal(t, 1, d.Data.GapLoss, "libsrt counts the gap when it sees it")
	assert.Equal(t, 1, d.Data.Reordered)
	assert.Equal(t, 1, d.Data.Duplicates)
	// A jump of three windows: everything in between is lost, the list
	// capped.
	s.data(packet.SeqNumber(104+3*session.WindowSize), false, 0)
	d = tr.Attempts()[0].Direction(s.src)
	assert.Equal(t, 3*session.WindowSize-1, d.Data.Lost.Value)
	assert.Equal(t, 3*session.WindowSize-1, d.Data.Unrecovered.Value)
	assert.Len(t, d.Data.UnrecoveredSeqs, session.MaxUnrecoveredSeqs)
	assert.Equal(t, packet.SeqNumber(105), d.Data.UnrecoveredSeqs[0])
	// A retransmission of 102, now far behind the window.
	s.data(102, true, 0)
	d = tr.Attempts()[0].Direction(s.src)
	assert.Equal(t, 1, d.Data.TooOld)
	assert.Equal(t, 3*session.WindowSize-1, d.Data.Lost.Value)
	// A retransmission inside the window recovers.
	s.data(packet.SeqNumber(104+3*session.WindowSize-1), true, 0)
	d = tr.Attempts()[0].Direction(s.src)
	assert.Equal(t, 1, d.Data.Recovered.Value)
	assert.Equal(t, [5]int{1, 0, 0, 0, 0}, d.Data.RetransmittedTimes.Value)
}

// TestStatsFindingsSynthetic: findings no corpus capture shows.
func TestStatsFindingsSynthetic(t *testing.T) {
	// Latency below 4 × RTT: a handshake with 120 ms, ACKs saying 50 ms.
	fs := frames(t, "s08_loss_pattern")
	for i := range fs {
		if fs[i].Packet.Kind() == packet.KindACK && fs[i].Packet.ACK.Variant == packet.ACKFull {
			fs[i].Packet.ACK.RTT = 50_000
		}
	}
	a := trackFrames(fs)[0]
	f := findCode(a.Findings(), session.CodeLatencyLow)
	require.NotNil(t, f)
	assert.Contains(t, f.Text, "120 ms")
	assert.Contains(t, f.Text, "4 × the RTT of 50.0 ms")
	assert.Contains(t, f.Text, "at least 200 ms")

	// A rejection code without the +1000 (gosrt): wire 1403.
	fs = frames(t, "s05_app_reject_1403")
	last := fs[len(fs)-1].Packet
	require.True(t, last.Handshake.Type.IsRejection())
	last.Handshake.Type = handshake.Type(1403)
	a = trackFrames(fs)[0]
	f = findCode(a.Findings(), session.CodeUnshiftedReject)
	require.NotNil(t, f)
	assert.Contains(t, f.Text, "SRT_REJX_FORBIDDEN")

	// A Peer IP of the other family (as gosrt writes IPv6 ones).
	fs = frames(t, "s01_live_plain")
	require.NoError(t, fs[2].Packet.Handshake.SetPeerAddr(netip.MustParseAddr("2001:db8::1")))
	a = trackFrames(fs)[0]
	assert.True(t, a.PeerIPMismatch)
	f = findCode(a.Findings(), session.CodePeerIPFamily)
	require.NotNil(t, f)
	assert.Contains(t, f.Text, "frame 3")
	assert.Contains(t, f.Text, "IPv6 address, while the packets travel over IPv4")
	assert.False(t, track(t, "s01_live_ipv6")[0].PeerIPMismatch, "libsrt's ::1 is fine")
	for _, name := range []string{"s01_live_plain", "s08_loss_pattern", "s07_rendezvous"} {
		assert.False(t, track(t, name)[0].PeerIPMismatch, name)
	}

	// Levels and codes are stable strings.
	assert.Equal(t, "error", session.LevelError.String())
	assert.Equal(t, "warning", session.LevelWarning.String())
	assert.Equal(t, "info", session.LevelInfo.String())
}
