package capture_test

import (
	"bytes"
	"fmt"
	"net/netip"
	"path/filepath"
	"sort"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/srtwire/srtwire/capture"
	"github.com/srtwire/srtwire/handshake"
	"github.com/srtwire/srtwire/internal/testcorpus"
	"github.com/srtwire/srtwire/packet"
	"github.com/srtwire/srtwire/session"
)

// The captures of testdata/realtraffic (issue 14) were made on loopback by
// testdata/realtraffic/make.sh: SRT from datarhei/gosrt, whose socket IDs
// use all 32 bits, and syslog and heartbeat flows shaped like SRT data.
// These tests read only the committed files.

func realTrafficPath(name string) string {
	return filepath.Join(testcorpus.Dir(), "..", "realtraffic", name)
}

// gosrtPort is the port of contrib/server in the gosrt captures.
const gosrtPort = 46010

// realFrame is a frame the Reader handed out, kept past Next.
type realFrame struct {
	number   int
	src, dst netip.AddrPort
	packet   packet.Packet // cloned
	data     []byte
	err      error
}

// readRealTraffic reads a capture with opts and keeps every frame handed
// out, feeding each to a session.Tracker as srtdump -summary does.
func readRealTraffic(t *testing.T, name string, opts *capture.Options) ([]realFrame, capture.Stats, []*session.Attempt) {
	t.Helper()
	r, err := capture.Open(realTrafficPath(name), opts)
	require.NoError(t, err)
	defer r.Close()
	tr := session.NewTracker()
	var out []realFrame
	for r.Next() {
		f := r.Frame()
		tr.Add(&session.Frame{Number: f.Number, Time: f.Time, Src: f.Src, Dst: f.Dst, Packet: &f.Packet, Data: f.Data, Err: f.Err})
		out = append(out, realFrame{
			number: f.Number, src: f.Src, dst: f.Dst,
			packet: *f.Packet.Clone(), data: append([]byte(nil), f.Data...), err: f.Err,
		})
	}
	require.NoError(t, r.Err(), name)
	return out, r.Stats(), tr.Attempts()
}

// missingExtra compares the frame numbers handed out with the expected
// ones: those not handed out and those handed out that should not be, at
// most 10 of each for the message, and a one-line summary.
func missingExtra(want, got []int) (missing, extra []int, summary string) {
	in := map[int]bool{}
	for _, n := range got {
		in[n] = true
	}
	exp := map[int]bool{}
	for _, n := range want {
		exp[n] = true
		if !in[n] {
			missing = append(missing, n)
		}
	}
	for _, n := range got {
		if !exp[n] {
			extra = append(extra, n)
		}
	}
	first := func(ns []int) []int { return ns[:min(len(ns), 10)] }
	summary = fmt.Sprintf("%d of %d frames missing (first: %v), %d extra (first: %v)",
		len(missing), len(want), first(missing), len(extra), first(extra))
	return missing, extra, summary
}

func frameNumbers(fs []realFrame) []int {
	nums := make([]int, len(fs))
	for i, f := range fs {
		nums[i] = f.number
	}
	return nums
}

// TestRealTrafficGosrt: every SRT frame of a gosrt session whose two socket
// IDs both have bit 31 set is found without Options.Ports, from the start of
// the session, from its middle, and from its data packets alone.
func TestRealTrafficGosrt(t *testing.T) {
	for _, tc := range []struct {
		name      string
		handshake bool // the capture holds the handshake
		control   bool // and control packets at all
	}{
		{"gosrt_full.pcap", true, true},
		{"gosrt_midsession.pcap", false, true},
		{"gosrt_dataonly.pcap", false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// Ground truth, by two independent readers: every UDP frame on
			// the SRT port.
			udp, err := testcorpus.ReadPcap(realTrafficPath(tc.name))
			require.NoError(t, err)
			var want []int
			for _, f := range udp {
				if f.Src.Port() == gosrtPort || f.Dst.Port() == gosrtPort {
					want = append(want, f.Number)
				}
			}
			require.Greater(t, len(want), 50, "the capture holds a session")
			forced, _, _ := readRealTraffic(t, tc.name, &capture.Options{Ports: []uint16{gosrtPort}, PortsOnly: true})
			require.Equal(t, want, frameNumbers(forced), "Options.Ports sees every UDP frame on the port")

			got, st, attempts := readRealTraffic(t, tc.name, nil)
			missing, extra, summary := missingExtra(want, frameNumbers(got))
			require.True(t, len(missing) == 0 && len(extra) == 0, "without Options.Ports: %s", summary)
			require.True(t, sort.IntsAreSorted(frameNumbers(got)), "frames in capture order")
			assert.Equal(t, len(want), st.SRT)
			assert.Zero(t, st.Errors)
			assert.Zero(t, st.Dropped)
			assert.Equal(t, len(udp), st.Frames)

			// Both socket IDs have bit 31 set: libsrt never draws such an
			// ID, gosrt does. The check keeps the capture proving that.
			dst := map[uint32]int{} // destination socket ID -> frames
			var hsIDs []uint32      // SocketID of the CONCLUSION handshakes
			data, control := 0, 0
			for _, f := range got {
				require.NoError(t, f.err, "frame %d", f.number)
				var p packet.Packet
				require.NoError(t, p.Decode(f.data), "frame %d", f.number)
				require.Equal(t, p.Header, f.packet.Header, "frame %d", f.number)
				if p.Control {
					control++
				} else {
					data++
				}
				if p.Control && p.Type == packet.TypeHandshake {
					if p.Handshake.Type == handshake.Conclusion {
						hsIDs = append(hsIDs, p.Handshake.SocketID)
					}
					if p.DstSocket == 0 { // a caller's first handshakes
						continue
					}
				}
				dst[p.DstSocket]++
			}
			sides := 2
			if !tc.control {
				sides = 1 // data flows one way: only the listener's ID is seen
			}
			require.Len(t, dst, sides, "one socket ID per side: %v", dst)
			for id := range dst {
				assert.NotZero(t, id&(1<<31), "socket ID %#08x has bit 31 set", id)
			}
			assert.Greater(t, data, 20, "data packets")
			if tc.handshake {
				require.Len(t, hsIDs, 2, "a CONCLUSION from each side")
				assert.NotEqual(t, hsIDs[0], hsIDs[1])
				for _, id := range hsIDs {
					assert.Contains(t, dst, id, "the handshake's socket ID %#08x is the other side's destination", id)
				}
			} else {
				assert.Empty(t, hsIDs)
				assert.False(t, got[0].packet.Control, "the capture starts with a data packet")
			}
			if !tc.control {
				assert.Zero(t, control)
			}

			// The Tracker sees one established session between the two
			// endpoints.
			require.Len(t, attempts, 1)
			a := attempts[0]
			assert.Equal(t, session.OutcomeEstablished, a.Outcome)
			assert.Equal(t, tc.handshake, a.HandshakeSeen)
			assert.Equal(t, data, a.DataPackets)
			assert.Equal(t, want[0], a.FirstFrame)
			assert.Equal(t, want[len(want)-1], a.LastFrame)
			if tc.handshake {
				assert.Equal(t, session.ModeCallerListener, a.Mode)
				assert.Equal(t, "publish:/live/realtraffic", a.StreamID)
				assert.Equal(t, uint16(gosrtPort), a.Listener.Port())
			}
		})
	}
}

// TestRealTrafficNotSRT: syslog (RFC 5424 and RFC 3164, to port 514 and to
// 5140) and a constant heartbeat, each from one fixed source port, look like
// SRT data packets datagram by datagram and repeat their first 16 bytes:
// none of their frames may be taken for SRT. In the mixed syslog captures
// the priority of the messages changes, and with it the first header word
// (the "sequence number"), by multiples of 256.
func TestRealTrafficNotSRT(t *testing.T) {
	for _, tc := range []struct {
		name  string
		mixed bool // the priority, and so the first word, changes
		// knownFalsePositive marks a capture the recogniser still takes
		// for SRT (issue 14): the test is skipped with the frames claimed,
		// and fails once none is, so that the mark is dropped and the
		// capture guards against a regression.
		knownFalsePositive bool
	}{
		{name: "syslog5424_514.pcap"},
		{name: "syslog5424_5140.pcap"},
		{name: "syslog3164_514.pcap"},
		{name: "syslog3164_5140.pcap"},
		{name: "heartbeat.pcap"},
		{name: "syslog5424_mixed_5140.pcap", mixed: true},
		{name: "syslog3164_mixed_5140.pcap", mixed: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			udp, err := testcorpus.ReadPcap(realTrafficPath(tc.name))
			require.NoError(t, err)
			require.Greater(t, len(udp), 20)
			// What makes the capture a test: one flow, every datagram
			// shaped like SRT data, and the "sequence number" repeating
			// (or, in the mixed captures, changing by small steps).
			changes := 0
			for i, f := range udp {
				require.Equal(t, udp[0].Src, f.Src, "frame %d: one source endpoint", f.Number)
				require.Equal(t, udp[0].Dst, f.Dst, "frame %d: one destination", f.Number)
				require.Equal(t, packet.ConfidenceMaybe, packet.Recognize(f.Payload), "frame %d is shaped like SRT data", f.Number)
				if !tc.mixed {
					require.Equal(t, udp[0].Payload[:packet.HeaderSize], f.Payload[:packet.HeaderSize], "frame %d repeats the first 16 bytes", f.Number)
				} else if i > 0 && !bytes.Equal(udp[i-1].Payload[:4], f.Payload[:4]) {
					changes++
				}
			}
			if tc.mixed {
				require.Greater(t, changes, len(udp)/2, "the first word changes from frame to frame")
			}

			got, st, attempts := readRealTraffic(t, tc.name, nil)
			assert.Equal(t, len(udp), st.Frames)
			assert.Greater(t, st.Frames, 20)
			claimed := frameNumbers(got)
			if tc.knownFalsePositive {
				if len(claimed) > 0 {
					t.Skipf("known false positive (issue 14): %d of %d frames taken for SRT, from frame %d on",
						len(claimed), len(udp), claimed[0])
				}
				t.Errorf("no frame is taken for SRT any more: drop knownFalsePositive for %s", tc.name)
			}
			assert.True(t, len(claimed) == 0, "%d of %d frames taken for SRT (first: %v)",
				len(claimed), len(udp), claimed[:min(len(claimed), 10)])
			assert.Zero(t, st.SRT)
			assert.Zero(t, len(attempts), "the Tracker sees no SRT connection")
		})
	}
}
