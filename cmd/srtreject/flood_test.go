package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/srtwire/srtwire/handshake"
	"github.com/srtwire/srtwire/packet"
	"github.com/srtwire/srtwire/reject"
)

// hostileConclusion is a CONCLUSION with the given cookie and a Stream ID
// block of sidLen bytes (past libsrt's 512-byte limit when sidLen is).
func hostileConclusion(t *testing.T, id, cookie uint32, sidLen int) []byte {
	hs := handshake.Handshake{Version: 5, ISN: 1, MTU: 1500, FlowWindow: 8192, Type: handshake.Conclusion, SocketID: id, Cookie: cookie}
	hdr := packet.Header{Control: true, Type: packet.TypeHandshake}
	b, err := hdr.AppendBinary(make([]byte, 0, 16+48+sidLen+32))
	require.NoError(t, err)
	bl := handshake.NewBuilder(b, &hs)
	bl.AddHSReq(handshake.ExtHSReq, handshake.HSReq{Version: handshake.MakeSRTVersion(1, 5, 3), Flags: 0xbf, RecvDelay: 120})
	bl.AddRaw(handshake.ExtSID, bytes.Repeat([]byte("evil"), sidLen/4))
	b, err = bl.Finish()
	require.NoError(t, err)
	return b
}

// countingWriter counts what is written to it.
type countingWriter struct {
	mu    sync.Mutex
	n     int
	lines int
}

func (w *countingWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.n += len(p)
	w.lines += bytes.Count(p, []byte{'\n'})
	return len(p), nil
}

func (w *countingWriter) get() (int, int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.n, w.lines
}

func startServer(t *testing.T, log, verbose io.Writer) (*net.UDPConn, *server, func()) {
	conn, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	require.NoError(t, err)
	srv := mustServer(t, mustPolicy(t, "1403", nil, ""), 0)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_, err := srv.Serve(ctx, conn, log, verbose)
		assert.NoError(t, err)
	}()
	return conn, srv, func() {
		cancel()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Error("Serve did not stop")
		}
	}
}

// flood sends CONCLUSIONs with a valid cookie and a fresh socket ID each
// from one source port (which defeats the duplicate suppression), for at
// most d or n datagrams.
func flood(t *testing.T, srvAddr *net.UDPAddr, n int, d time.Duration, sidLen int) int {
	c, err := net.DialUDP("udp", nil, srvAddr)
	require.NoError(t, err)
	defer c.Close()
	require.NoError(t, c.SetDeadline(time.Now().Add(5*time.Second)))
	_, err = c.Write(handshakeDatagram(t, handshake.Induction, 4, 0, ""))
	require.NoError(t, err)
	buf := make([]byte, 1500)
	m, err := c.Read(buf)
	require.NoError(t, err)
	var p packet.Packet
	require.NoError(t, p.Decode(buf[:m]))
	cookie := p.Handshake.Cookie
	dg := hostileConclusion(t, 1, cookie, sidLen)
	end := time.Now().Add(d)
	sent := 0
	for ; sent < n && time.Now().Before(end); sent++ {
		dg[16+24], dg[16+25], dg[16+26], dg[16+27] = byte(sent>>24), byte(sent>>16), byte(sent>>8), byte(sent)
		if _, err := c.Write(dg); err != nil {
			break
		}
		if sent%64 == 0 {
			time.Sleep(time.Millisecond) // bounded rate: ~64 datagrams per ms
		}
	}
	return sent
}

// handshakeOnce plays a valid caller, retrying as libsrt does (every
// 250 ms; here 100 ms) since a flood may overflow the socket buffer.
func handshakeOnce(t *testing.T, srvAddr *net.UDPAddr) (reject.Reason, bool) {
	c, err := net.DialUDP("udp", nil, srvAddr)
	require.NoError(t, err)
	defer c.Close()
	buf := make([]byte, 1500)
	ask := func(d []byte) *packet.Packet {
		for range 30 {
			_, err := c.Write(d)
			require.NoError(t, err)
			require.NoError(t, c.SetReadDeadline(time.Now().Add(100*time.Millisecond)))
			m, err := c.Read(buf)
			if err != nil {
				continue
			}
			var p packet.Packet
			if p.Decode(buf[:m]) == nil && p.Kind() == packet.KindHandshake {
				return p.Clone()
			}
		}
		return nil
	}
	ind := ask(handshakeDatagram(t, handshake.Induction, 4, 0, ""))
	if ind == nil {
		return 0, false
	}
	rej := ask(handshakeFrom(t, 0x77, handshake.Conclusion, 5, ind.Handshake.Cookie, "#!::r=valid"))
	if rej == nil {
		return 0, false
	}
	return rej.Handshake.Type.Reason()
}

// TestFloodWithBlockedLog: with the log going to a pipe nobody reads, a
// flood of CONCLUSIONs with 60 KB Stream IDs does not stop the listener
// from answering a valid caller.
func TestFloodWithBlockedLog(t *testing.T) {
	pr, pw := io.Pipe()
	defer pr.Close()
	conn, _, stop := startServer(t, pw, pw)
	defer stop()
	defer pw.Close()
	addr := conn.LocalAddr().(*net.UDPAddr)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		sent := flood(t, addr, 20000, 2*time.Second, 60000)
		t.Logf("flood: %d CONCLUSIONs of 60 KB", sent)
	}()
	time.Sleep(200 * time.Millisecond) // the pipe and the queue are full by now
	r, ok := handshakeOnce(t, addr)
	require.True(t, ok, "a valid caller got no answer during the flood")
	assert.Equal(t, reject.Forbidden, r)
	wg.Wait()
	r, ok = handshakeOnce(t, addr)
	require.True(t, ok, "a valid caller got no answer after the flood")
	assert.Equal(t, reject.Forbidden, r)
}

// TestFloodLogBound: the same flood, logged to a writer that keeps up,
// yields a few aggregated lines per second, not one per datagram.
func TestFloodLogBound(t *testing.T) {
	var w countingWriter
	conn, _, stop := startServer(t, &w, nil)
	sent := flood(t, conn.LocalAddr().(*net.UDPAddr), 20000, 2*time.Second, 60000)
	time.Sleep(1100 * time.Millisecond) // the last window's summary
	stop()
	n, lines := w.get()
	t.Logf("%d CONCLUSIONs from one port in <= 2 s: %d log lines, %d bytes", sent, lines, n)
	require.Greater(t, sent, 1000)
	// One line and one summary per second of flood (3 windows at most),
	// each line at most ~400 bytes with the Stream ID capped.
	assert.LessOrEqual(t, lines, 8)
	assert.LessOrEqual(t, n, 8*400)
}

// TestInductionAnswerSize: whatever an INDUCTION carries after its 48-byte
// CIF, the answer is the 16-byte header and the 48-byte CIF.
func TestInductionAnswerSize(t *testing.T) {
	srv := mustServer(t, mustPolicy(t, "1403", nil, ""), 0)
	for _, extra := range []int{0, 4, 100, 1500, 65000} {
		// A well-framed block of the attacker's bytes, so the INDUCTION
		// decodes and is answered.
		req := handshakeDatagram(t, handshake.Induction, 4, 0, "")
		if extra > 0 {
			words := extra/4 - 1
			req = append(req, 0x77, 0x77, byte(words>>8), byte(words))
			req = append(req, bytes.Repeat([]byte{0xAB}, 4*words)...)
		}
		out, ev := srv.Handle(nil, req, netip.MustParseAddrPort("127.0.0.1:5000"), time.Now())
		require.Equal(t, evInduced, ev.Kind, "extra %d", extra)
		assert.Len(t, out, 64, "an INDUCTION with %d extra bytes", extra)
		assert.NotContains(t, string(out), "\xAB\xAB")
	}
}
