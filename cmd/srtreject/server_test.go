package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/srtwire/srtwire/handshake"
	"github.com/srtwire/srtwire/internal/testcorpus"
	"github.com/srtwire/srtwire/packet"
	"github.com/srtwire/srtwire/reject"
)

// Offsets in a HANDSHAKE datagram.
const (
	offTimestamp = 8
	offCookie    = packet.HeaderSize + 28
)

func mustPolicy(t *testing.T, all string, rules []string, def string) *policy {
	t.Helper()
	p, err := newPolicy(all, rules, def)
	require.NoError(t, err)
	return p
}

// withoutTimestamp zeroes the header timestamp of a copy of d.
func withoutTimestamp(d []byte) []byte {
	d = bytes.Clone(d)
	copy(d[offTimestamp:offTimestamp+4], []byte{0, 0, 0, 0})
	return d
}

func setCookie(d []byte, c uint32) []byte {
	d = bytes.Clone(d)
	binary.BigEndian.PutUint32(d[offCookie:], c)
	return d
}

// TestInductionLikeLibsrt feeds every caller INDUCTION of the libsrt corpus to
// the server and compares the answer with libsrt's own answer, byte for byte,
// except the timestamp and the cookie, which are the listener's own.
func TestInductionLikeLibsrt(t *testing.T) {
	caps, err := testcorpus.Captures()
	require.NoError(t, err)
	n := 0
	for _, c := range caps {
		frames, err := testcorpus.Frames(c.Name)
		require.NoError(t, err)
		for i := 0; i+1 < len(frames); i++ {
			req, ans := frames[i], frames[i+1]
			var rp, ap packet.Packet
			if rp.Decode(req.Payload) != nil || ap.Decode(ans.Payload) != nil {
				continue
			}
			if !rp.Control || rp.Type != packet.TypeHandshake || rp.Handshake.Type != handshake.Induction ||
				rp.Handshake.Version != handshake.Version4 || ans.Src != req.Dst || ap.Handshake.Type != handshake.Induction {
				continue
			}
			where := fmt.Sprintf("%s frame %d", c.Name, req.Number)
			srv := mustServer(t, mustPolicy(t, "1403", nil, ""), int(ap.Handshake.Encryption)*8)
			now := srv.Start.Add(3 * time.Second)
			out, ev := srv.Handle(nil, req.Payload, req.Src, now)
			require.NotNil(t, out, where)
			assert.Equal(t, evInduced, ev.Kind, where)
			assert.Equal(t, rp.Handshake.SocketID, ev.SocketID, where)

			want := setCookie(ans.Payload, srv.Baker.Cookie(req.Src, now))
			assert.Equal(t, withoutTimestamp(want), withoutTimestamp(out), where)
			assert.Equal(t, uint32(3_000_000), binary.BigEndian.Uint32(out[offTimestamp:]), where)

			// Decoded with our own codec.
			var p packet.Packet
			require.NoError(t, p.Decode(out), where)
			hs := &p.Handshake
			assert.True(t, p.Control, where)
			assert.Equal(t, packet.TypeHandshake, p.Type, where)
			assert.Equal(t, rp.Handshake.SocketID, p.DstSocket, where)
			assert.EqualValues(t, handshake.Version5, hs.Version, where)
			assert.True(t, hs.HasMagic(), where)
			assert.Equal(t, handshake.Induction, hs.Type, where)
			assert.Equal(t, rp.Handshake.ISN, hs.ISN, where)
			assert.Equal(t, rp.Handshake.SocketID, hs.SocketID, "%s: libsrt echoes the caller's socket ID", where)
			assert.Equal(t, rp.Handshake.PeerIP, hs.PeerIP, where)
			assert.True(t, srv.Baker.Valid(req.Src, hs.Cookie, now), where)
			n++
		}
	}
	assert.GreaterOrEqual(t, n, 15, "INDUCTION exchanges in the corpus")
	t.Logf("%d libsrt INDUCTION answers reproduced", n)
}

// TestRejectionLikeLibsrt replays the CONCLUSIONs of the corpus captures in
// which libsrt's listen callback rejected the caller, and compares the answer
// with libsrt's rejection byte for byte, except the timestamp.
func TestRejectionLikeLibsrt(t *testing.T) {
	for _, tc := range []struct {
		capture string
		reason  reject.Reason
	}{
		{"s05_app_reject_1403", reject.Forbidden},
		{"s05_app_reject_2005", 2005},
		{"s05_app_reject_noreason", reject.Unknown}, // a callback that sets no reason
	} {
		frames, err := testcorpus.Frames(tc.capture)
		require.NoError(t, err)
		require.GreaterOrEqual(t, len(frames), 4)
		conc, rej := frames[2], frames[3]

		policy := mustPolicy(t, "", []string{"r=forbidden*:1403", "r=user2005:2005", "r=noreason:0"}, "1")
		srv := mustServer(t, policy, 0)
		now := srv.Start.Add(time.Second)
		cookie := srv.Baker.Cookie(conc.Src, now)
		in := setCookie(conc.Payload, cookie)
		out, ev := srv.Handle(nil, in, conc.Src, now)
		require.NotNil(t, out, tc.capture)
		require.Equal(t, evRejected, ev.Kind, tc.capture)
		assert.Equal(t, tc.reason, ev.Reason, tc.capture)
		assert.False(t, ev.Duplicate)

		// libsrt's rejection echoes the cookie of the conclusion.
		want := setCookie(rej.Payload, cookie)
		assert.Equal(t, withoutTimestamp(want), withoutTimestamp(out), tc.capture)
		assert.Len(t, out, packet.HeaderSize+handshake.CIFSize)

		var cp, p packet.Packet
		require.NoError(t, cp.Decode(in))
		require.NoError(t, p.Decode(out))
		hs := &p.Handshake
		assert.Equal(t, cp.Handshake.SocketID, p.DstSocket, "sent to the caller's socket")
		assert.Equal(t, cp.Handshake.SocketID, hs.SocketID, "the caller's socket ID echoed")
		assert.Equal(t, handshake.RejectionType(tc.reason), hs.Type)
		r, ok := hs.Type.Reason()
		assert.True(t, ok)
		assert.Equal(t, tc.reason, r)
		assert.Empty(t, hs.Ext)
		assert.Equal(t, cp.Handshake.Version, hs.Version)
		assert.Equal(t, cp.Handshake.Encryption, hs.Encryption)
		assert.Equal(t, cp.Handshake.Extension, hs.Extension)
		assert.Equal(t, cp.Handshake.ISN, hs.ISN)
		assert.Equal(t, cp.Handshake.MTU, hs.MTU)
		assert.Equal(t, cp.Handshake.FlowWindow, hs.FlowWindow)
		assert.Equal(t, cp.Handshake.PeerIP, hs.PeerIP)
		assert.Equal(t, cp.Handshake.StreamID(), ev.StreamID)
		assert.Equal(t, "1.5.1", ev.SRT.String())

		line := formatEvent(&ev)
		assert.Contains(t, line, "caller="+conc.Src.String())
		assert.Contains(t, line, "sid=\""+cp.Handshake.StreamID()+"\"")
		assert.Contains(t, line, " reject="+tc.reason.Name())
		assert.Contains(t, line, " wire="+strconv.Itoa(int(tc.reason.Wire())))
	}
}

// handshakeDatagram builds a caller's handshake datagram like libsrt's.
func handshakeDatagram(t *testing.T, typ handshake.Type, version uint32, cookie uint32, sid string) []byte {
	return handshakeFrom(t, 0x1234abcd, typ, version, cookie, sid)
}

func handshakeFrom(t *testing.T, id uint32, typ handshake.Type, version uint32, cookie uint32, sid string) []byte {
	t.Helper()
	hs := handshake.Handshake{
		Version: version, ISN: 12345, MTU: 1500, FlowWindow: 8192,
		Type: typ, SocketID: id, Cookie: cookie,
	}
	require.NoError(t, hs.SetPeerAddr(netip.MustParseAddr("127.0.0.1")))
	if typ == handshake.Induction {
		hs.Extension = handshake.SocketTypeDGRAM
	} else if version == handshake.Version5 {
		b := handshake.NewBuilder(nil, &hs)
		b.AddHSReq(handshake.ExtHSReq, handshake.HSReq{Version: handshake.MakeSRTVersion(1, 5, 3), Flags: 0xbf, RecvDelay: 120})
		if sid != "" {
			b.AddString(handshake.ExtSID, sid)
		}
		cif, err := b.Finish()
		require.NoError(t, err)
		require.NoError(t, hs.Decode(cif))
	}
	p := packet.Packet{Header: packet.Header{Control: true, Type: packet.TypeHandshake, Timestamp: 100}, Handshake: hs}
	out, err := p.AppendBinary(nil)
	require.NoError(t, err)
	return out
}

func mustServer(t *testing.T, p *policy, pbkeylen int) *server {
	t.Helper()
	srv, err := newServer(p, pbkeylen, time.Now())
	require.NoError(t, err)
	return srv
}

func TestHandleOther(t *testing.T) {
	srv := mustServer(t, mustPolicy(t, "1403", nil, ""), 0)
	from := netip.MustParseAddrPort("127.0.0.1:5000")
	now := srv.Start.Add(time.Second)

	// Garbage, data, keep-alives and rejections are ignored.
	for _, in := range [][]byte{
		{1, 2, 3},
		make([]byte, 40), // a data packet
		func() []byte {
			p := packet.Packet{Header: packet.Header{Control: true, Type: packet.TypeShutdown}}
			b, _ := p.AppendBinary(nil)
			return b
		}(),
		handshakeDatagram(t, handshake.RejectionType(reject.Forbidden), 5, 0, ""),
	} {
		out, ev := srv.Handle(nil, in, from, now)
		assert.Nil(t, out)
		assert.Equal(t, evIgnored, ev.Kind)
		assert.NotEmpty(t, ev.Note)
	}

	// A conclusion without a valid cookie is dropped, as libsrt does.
	out, ev := srv.Handle(nil, handshakeDatagram(t, handshake.Conclusion, 5, 42, "#!::u=x"), from, now)
	assert.Nil(t, out)
	assert.Equal(t, evIgnored, ev.Kind)
	assert.Contains(t, ev.Note, "cookie")

	// The advertised key length.
	srv.PBKeyLen = 32
	out, ev = srv.Handle(nil, handshakeDatagram(t, handshake.Induction, 4, 0, ""), from, now)
	require.NotNil(t, out)
	assert.Equal(t, evInduced, ev.Kind)
	var p packet.Packet
	require.NoError(t, p.Decode(out))
	assert.Equal(t, 32, p.Handshake.KeyLen())
	assert.Equal(t, uint16(handshake.MagicHSv5), p.Handshake.Extension)
	cookie := p.Handshake.Cookie

	// The conclusion is rejected, and a repeat is rejected again but
	// flagged as a duplicate.
	conc := handshakeDatagram(t, handshake.Conclusion, 5, cookie, "#!::u=x,r=y")
	out, ev = srv.Handle(nil, conc, from, now)
	require.NotNil(t, out)
	assert.Equal(t, evRejected, ev.Kind)
	assert.False(t, ev.Duplicate)
	assert.Equal(t, "#!::u=x,r=y", ev.StreamID)
	assert.Equal(t, "1.5.3", ev.SRT.String())
	out2, ev := srv.Handle(nil, conc, from, now.Add(250*time.Millisecond))
	assert.Equal(t, withoutTimestamp(out), withoutTimestamp(out2))
	assert.True(t, ev.Duplicate)
	// From another port the cookie is wrong.
	out, _ = srv.Handle(nil, conc, netip.MustParseAddrPort("127.0.0.1:5001"), now)
	assert.Nil(t, out)

	// An HSv4 conclusion gets a SHUTDOWN.
	out, ev = srv.Handle(nil, handshakeDatagram(t, handshake.Conclusion, 4, cookie, ""), from, now)
	require.NotNil(t, out)
	assert.Equal(t, evShutdownHSv4, ev.Kind)
	require.NoError(t, p.Decode(out))
	assert.Equal(t, packet.TypeShutdown, p.Type)
	assert.Equal(t, uint32(0x1234abcd), p.DstSocket)
	assert.Contains(t, formatEvent(&ev), "SHUTDOWN")
}

// syncBuffer is a bytes.Buffer safe for one writer and one reader.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestServe runs the listener on loopback and plays a caller's handshake.
func TestServe(t *testing.T) {
	conn, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	require.NoError(t, err)
	srv := mustServer(t, mustPolicy(t, "", []string{"u=guest:unauthorized"}, "2005"), 0)
	var log, verbose syncBuffer
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int)
	go func() {
		n, err := srv.Serve(ctx, conn, &log, &verbose)
		assert.NoError(t, err)
		done <- n
	}()

	c, err := net.DialUDP("udp", nil, conn.LocalAddr().(*net.UDPAddr))
	require.NoError(t, err)
	defer c.Close()
	require.NoError(t, c.SetDeadline(time.Now().Add(5*time.Second)))
	buf := make([]byte, 1500)
	roundTrip := func(d []byte) *packet.Packet {
		_, err := c.Write(d)
		require.NoError(t, err)
		n, err := c.Read(buf)
		require.NoError(t, err)
		var p packet.Packet
		require.NoError(t, p.Decode(buf[:n]))
		return p.Clone()
	}
	ind := roundTrip(handshakeDatagram(t, handshake.Induction, 4, 0, ""))
	require.Equal(t, handshake.Induction, ind.Handshake.Type)
	for i, tc := range []struct {
		sid  string
		want reject.Reason
	}{{"#!::u=guest", reject.Unauthorized}, {"#!::u=other", 2005}} {
		// Two caller sockets behind one UDP port, so both are logged.
		id := uint32(0x1000 + i)
		rej := roundTrip(handshakeFrom(t, id, handshake.Conclusion, 5, ind.Handshake.Cookie, tc.sid))
		assert.Equal(t, handshake.RejectionType(tc.want), rej.Handshake.Type, tc.sid)
		assert.Equal(t, id, rej.DstSocket)
		// A repeat is answered again, but not logged again.
		rej = roundTrip(handshakeFrom(t, id, handshake.Conclusion, 5, ind.Handshake.Cookie, tc.sid))
		assert.Equal(t, handshake.RejectionType(tc.want), rej.Handshake.Type, tc.sid)
	}
	cancel()
	select {
	case n := <-done:
		assert.Equal(t, 2, n)
	case <-time.After(5 * time.Second):
		t.Fatal("Serve did not stop")
	}
	lines := strings.Split(strings.TrimSpace(log.String()), "\n")
	require.Len(t, lines, 2, log.String())
	assert.Contains(t, lines[0], `sid="#!::u=guest" reject=SRT_REJX_UNAUTHORIZED code=1401 wire=2401 (rule u=guest:unauthorized)`)
	assert.Contains(t, lines[1], `sid="#!::u=other" reject=SRT_REJC_USERDEFINED code=2005 wire=3005 (-default)`)
	assert.Contains(t, verbose.String(), "INDUCTION from")
}

func TestRun(t *testing.T) {
	var out, errb bytes.Buffer
	assert.Equal(t, 0, run([]string{"-h"}, &out, &errb))
	assert.Contains(t, errb.String(), "Examples:")
	assert.Contains(t, errb.String(), "-rule")

	out.Reset()
	assert.Equal(t, 0, run([]string{"-list"}, &out, &errb))
	for _, r := range reject.All() {
		assert.Contains(t, out.String(), r.Name())
	}

	for _, args := range [][]string{
		{},                                    // no policy
		{"-reject", "1403", "-rule", "u=x:1"}, // both
		{"-reject", "nope"},
		{"-rule", "bad"},
		{"-pbkeylen", "8", "-reject", "1"},
		{"-reject", "1", "extra"},
		{"-bogus"},
	} {
		errb.Reset()
		assert.Equal(t, 2, run(args, &out, &errb), "%q", args)
		assert.NotEmpty(t, errb.String(), "%q", args)
	}
	// A bad -listen address is a usage error (2); one that cannot be bound
	// is a run-time failure (1).
	assert.Equal(t, 2, run([]string{"-listen", "127.0.0.1:99999", "-reject", "1"}, &out, &errb))
	assert.Contains(t, errb.String(), "-listen")
	busy, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	require.NoError(t, err)
	defer busy.Close()
	assert.Equal(t, 1, run([]string{"-listen", busy.LocalAddr().String(), "-reject", "1"}, &out, &errb))
}
