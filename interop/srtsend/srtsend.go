// Package srtsend is a minimal SRT live-mode sender built from srtwire's codec
// (packages handshake, packet and crypt), for the interop tests: it proves
// that a stream encrypted by srtwire reaches a real libsrt receiver intact.
// It is not an SRT implementation and is not meant for production use.
//
// What it does:
//
//   - the HSv5 caller handshake (srtcore/core.cpp, CUDT::startConnect and
//     CUDT::processConnectResponse): an INDUCTION, then a CONCLUSION with the
//     listener's SYN cookie, an HSREQ with the option flags libsrt 1.5.1
//     sends, an optional Stream ID and, with a passphrase, a KMREQ sealed by
//     crypt.SealPassphrase (one even AES-CTR key). Each request is repeated
//     every 250 ms until the listener answers, as libsrt does;
//   - it checks the listener's answer: a rejection (Handshake Type 1000 +
//     reason) is returned as a *RejectedError, and the KMRSP is compared with
//     the KMREQ it must echo (Conn.KMState);
//   - one message per data packet (position solo), with sequence numbers from
//     the ISN, message numbers from 1, timestamps in microseconds since the
//     handshake started (the time base libsrt's receiver takes from the
//     CONCLUSION for TSBPD), the payload encrypted in place with crypt;
//     Send paces packets at Config.Interval;
//   - it answers every full ACK with an ACKACK carrying the ACK's number, so
//     the receiver can measure the RTT;
//   - Close waits until the receiver has acknowledged every packet and its
//     TSBPD latency has passed, then sends a SHUTDOWN.
//
// What it does NOT do: no retransmission (NAKs are counted and ignored, so a
// lost packet stays lost), no congestion control, no flow-window or receiver
// buffer limit, no bandwidth limit or pacing beyond a fixed interval, no key
// refresh (the even key is used for the whole connection), no AES-GCM
// (libsrt 1.5.1 has none), no messages spanning several packets, no
// rendezvous or listener side, no receiving of data, no KEEPALIVE of its own,
// no drift or RTT estimation, no handling of the listener's own key material
// or its UMSG_EXT messages. A connection that stays idle for five seconds is
// dropped by libsrt (its peer idle timeout), so keep sending.
//
// A Conn is safe for use by one sending goroutine; it runs one goroutine of
// its own to read the receiver's control packets.
package srtsend

import (
	"bytes"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/srtwire/srtwire/crypt"
	"github.com/srtwire/srtwire/handshake"
	"github.com/srtwire/srtwire/packet"
	"github.com/srtwire/srtwire/reject"
)

// Version is the SRT version the sender announces in its HSREQ.
var Version = handshake.MakeSRTVersion(1, 5, 1)

// Flags are the SRT option flags of the HSREQ: those a libsrt 1.5.1 caller in
// live mode sends (TSBPDSND, TSBPDRCV, CRYPT, TLPKTDROP, NAKREPORT, REXMITFLG,
// FILTERCAP). The responder requires an HSv5 version (>= 1.3.0) and the
// message API (no STREAM flag), CUDT::processSrtMsg_HSREQ.
const Flags = handshake.FlagTSBPDSnd | handshake.FlagTSBPDRcv | handshake.FlagCrypt |
	handshake.FlagTLPktDrop | handshake.FlagPeriodicNAK | handshake.FlagRexmit | handshake.FlagFilterCap

// MaxPayload is the largest message Send takes: what fits in a 1500-byte
// MTU after the IPv4, UDP and SRT headers. libsrt's own live senders stop at
// 1316 bytes (SRTO_PAYLOADSIZE), and so does srt-live-transmit's default
// chunk; stay at or below that for a libsrt receiver.
const MaxPayload = 1456

// Config configures Dial.
type Config struct {
	// Passphrase enables encryption (10 to 80 bytes); empty sends clear.
	Passphrase string
	// KeyLen is the AES key length in bytes: 16, 24 or 32 (default 16).
	KeyLen int
	// Latency is the TSBPD latency proposed to the receiver (default
	// 120 ms, libsrt's); the receiver uses the larger of it and its own.
	Latency time.Duration
	// StreamID, if set, goes into an SID extension.
	StreamID string
	// Interval is the least time between two data packets sent by Send.
	Interval time.Duration
	// Timeout bounds the handshake (default 3 s).
	Timeout time.Duration
	// Rand is the source of the keys, salt, ISN and socket ID (default
	// crypto/rand.Reader).
	Rand io.Reader
	// KeyMaterial, if set, is sent in the KMREQ instead of fresh key
	// material sealed from Passphrase. It is used only with a Passphrase,
	// which must open it (the data are encrypted with its even key).
	// For tests that seal their own.
	KeyMaterial *handshake.KeyMaterial
}

// RejectedError reports a listener that refused the CONCLUSION.
type RejectedError struct {
	Reason reject.Reason
}

// Error says the listener rejected the connection, with the reason and its wire value.
func (e *RejectedError) Error() string {
	return fmt.Sprintf("srtsend: the listener rejected the connection: %v (wire %d)", e.Reason.String(), e.Reason.Wire())
}

// Unwrap returns the reason, so that errors.Is(err, reject.BadSecret) works.
func (e *RejectedError) Unwrap() error { return e.Reason }

// Errors.
var (
	ErrTimeout = errors.New("srtsend: no answer from the listener")
	ErrClosed  = errors.New("srtsend: connection closed")
	// ErrNotSecured is returned by Send when the listener did not take the
	// key material (see Conn.KMState): libsrt without enforced encryption
	// accepts such a connection but cannot decrypt.
	ErrNotSecured = errors.New("srtsend: the listener did not accept the key material")
	ErrTooLong    = errors.New("srtsend: message longer than MaxPayload")
)

// Stats counts what a Conn did.
type Stats struct {
	Sent        int              // data packets sent
	Bytes       int64            // payload bytes sent
	ACKs        int              // ACKs received (all variants)
	ACKACKs     int              // ACKACKs sent
	NAKs        int              // NAKs received (and ignored)
	Lost        int              // sequence numbers the NAKs reported
	LastACK     packet.SeqNumber // the newest ACK's acknowledged sequence number
	RTT         time.Duration    // the RTT the newest full ACK reported (libsrt starts at 100 ms; ACKACKs bring it down)
	PeerLatency time.Duration    // the latency the listener's HSRSP announced
}

// Conn is a connected sender.
type Conn struct {
	conn     *net.UDPConn
	start    time.Time
	cfg      Config
	ownID    uint32
	peerID   uint32
	isn      packet.SeqNumber
	next     packet.SeqNumber
	msgno    packet.MsgNumber
	keys     *crypt.KeyState
	km       []byte // the KMREQ sent, encoded
	resp     handshake.Handshake
	kmState  handshake.KMState
	lastSend time.Time
	buf      []byte

	mu       sync.Mutex
	stats    Stats
	acked    chan struct{} // signalled on every ACK
	closed   atomic.Bool
	peerGone atomic.Bool
	done     chan struct{}
}

// Dial connects to the SRT listener at addr as an HSv5 caller.
func Dial(addr netip.AddrPort, cfg Config) (*Conn, error) {
	if cfg.KeyLen == 0 {
		cfg.KeyLen = 16
	}
	if cfg.Latency == 0 {
		cfg.Latency = 120 * time.Millisecond
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = 3 * time.Second
	}
	if cfg.Rand == nil {
		cfg.Rand = rand.Reader
	}
	var ids [8]byte
	if _, err := io.ReadFull(cfg.Rand, ids[:]); err != nil {
		return nil, err
	}
	c := &Conn{
		cfg:   cfg,
		start: time.Now(),
		// libsrt's socket IDs stay below the group bit (2^30).
		ownID: binary.BigEndian.Uint32(ids[:4])&(handshake.GroupMask-1) | 1,
		isn:   packet.SeqNumber(binary.BigEndian.Uint32(ids[4:]) & uint32(packet.MaxSeqNumber)),
		msgno: 1,
		buf:   make([]byte, 0, 2048),
		acked: make(chan struct{}, 1),
		done:  make(chan struct{}),
	}
	c.next = c.isn
	conn, err := net.DialUDP("udp", nil, net.UDPAddrFromAddrPort(addr))
	if err != nil {
		return nil, err
	}
	c.conn = conn
	if err := c.handshake(addr); err != nil {
		conn.Close()
		return nil, err
	}
	go c.readLoop()
	return c, nil
}

func (c *Conn) timestamp() uint32 { return uint32(time.Since(c.start).Microseconds()) }

// exchange sends req every 250 ms until a handshake addressed to our socket
// arrives, and decodes it into resp (whose views point into rbuf).
func (c *Conn) exchange(req []byte, rbuf []byte, resp *packet.Packet, deadline time.Time) error {
	for {
		if _, err := c.conn.Write(req); err != nil {
			return err
		}
		resend := time.Now().Add(250 * time.Millisecond)
		if resend.After(deadline) {
			resend = deadline
		}
		for {
			_ = c.conn.SetReadDeadline(resend)
			n, err := c.conn.Read(rbuf)
			if err != nil {
				var ne net.Error
				if errors.As(err, &ne) && ne.Timeout() {
					break
				}
				return err
			}
			if resp.Decode(rbuf[:n]) == nil && resp.Kind() == packet.KindHandshake && resp.DstSocket == c.ownID {
				_ = c.conn.SetReadDeadline(time.Time{})
				return nil
			}
		}
		if !time.Now().Before(deadline) {
			return ErrTimeout
		}
	}
}

func (c *Conn) handshake(addr netip.AddrPort) error {
	deadline := time.Now().Add(c.cfg.Timeout)
	hs := handshake.Handshake{
		Version:    handshake.Version4,
		Extension:  handshake.SocketTypeDGRAM,
		ISN:        uint32(c.isn),
		MTU:        1500,
		FlowWindow: 8192,
		Type:       handshake.Induction,
		SocketID:   c.ownID,
	}
	if err := hs.SetPeerAddr(addr.Addr()); err != nil {
		return err
	}
	p := packet.Packet{Header: packet.Header{Control: true, Type: packet.TypeHandshake, Timestamp: c.timestamp()}, Handshake: hs}
	req, err := p.AppendBinary(nil)
	if err != nil {
		return err
	}
	rbuf := make([]byte, 1500)
	var resp packet.Packet
	if err := c.exchange(req, rbuf, &resp, deadline); err != nil {
		return err
	}
	if resp.Handshake.Type != handshake.Induction || !resp.Handshake.HasMagic() {
		return fmt.Errorf("srtsend: INDUCTION answered with %v (version %d, extension 0x%x), want an HSv5 INDUCTION",
			resp.Handshake.Type, resp.Handshake.Version, resp.Handshake.Extension)
	}

	// The CONCLUSION.
	hs.Version = handshake.Version5
	hs.Extension = 0
	hs.Type = handshake.Conclusion
	hs.Cookie = resp.Handshake.Cookie
	var km handshake.KeyMaterial
	if c.cfg.Passphrase != "" {
		hs.Encryption = uint16(c.cfg.KeyLen / 8)
		if c.cfg.KeyMaterial != nil {
			km = *c.cfg.KeyMaterial
		} else {
			keys, err := crypt.NewKeys(c.cfg.Rand, c.cfg.KeyLen, handshake.KeyEven)
			if err != nil {
				return err
			}
			if km, err = crypt.SealPassphrase(c.cfg.Rand, c.cfg.Passphrase, keys, handshake.CipherAESCTR); err != nil {
				return err
			}
		}
		c.keys = crypt.NewKeyState(c.cfg.Passphrase, nil)
		if err := c.keys.Establish(&km); err != nil {
			return fmt.Errorf("srtsend: our own key material: %w", err)
		}
		if c.km, err = km.AppendBinary(nil); err != nil {
			return err
		}
	}
	lat := uint16(c.cfg.Latency.Milliseconds())
	b := handshake.NewBuilder(nil, &hs)
	b.AddHSReq(handshake.ExtHSReq, handshake.HSReq{Version: Version, Flags: Flags, RecvDelay: lat, SendDelay: lat})
	if c.km != nil {
		b.AddKM(handshake.ExtKMReq, km)
	}
	if c.cfg.StreamID != "" {
		b.AddString(handshake.ExtSID, c.cfg.StreamID)
	}
	cif, err := b.Finish()
	if err != nil {
		return err
	}
	if err := hs.Decode(cif); err != nil {
		return err
	}
	p = packet.Packet{Header: packet.Header{Control: true, Type: packet.TypeHandshake, Timestamp: c.timestamp()}, Handshake: hs}
	if req, err = p.AppendBinary(req[:0]); err != nil {
		return err
	}
	for {
		if err := c.exchange(req, rbuf, &resp, deadline); err != nil {
			return err
		}
		if resp.Handshake.Type != handshake.Induction { // a late repeat of the INDUCTION answer
			break
		}
	}
	r := &resp.Handshake
	if reason, ok := r.Type.Reason(); ok {
		return &RejectedError{Reason: reason}
	}
	if r.Type != handshake.Conclusion {
		return fmt.Errorf("srtsend: CONCLUSION answered with %v", r.Type)
	}
	c.resp = r.Clone()
	c.peerID = r.SocketID
	if o, err := r.SRTOptions(); err == nil {
		c.stats.PeerLatency = time.Duration(max(o.RecvDelay, o.SendDelay)) * time.Millisecond
	}
	c.kmState = handshake.KMUnsecured
	if c.km != nil {
		v, ok := r.Find(handshake.ExtKMRsp)
		switch {
		case !ok:
			c.kmState = handshake.KMNoSecret
		case handshake.IsKMState(v):
			c.kmState, _ = handshake.DecodeKMState(v)
		case bytes.Equal(v, c.km):
			c.kmState = handshake.KMSecured
		default:
			return fmt.Errorf("srtsend: the KMRSP does not echo our KMREQ:\n got % x\nwant % x", v, c.km)
		}
	}
	return nil
}

// Response returns the listener's CONCLUSION answer.
func (c *Conn) Response() *handshake.Handshake { return &c.resp }

// KMREQ returns the key material sent in the CONCLUSION, encoded (nil
// without a passphrase).
func (c *Conn) KMREQ() []byte { return c.km }

// KMState says what the listener did with the key material: KMSecured when
// its KMRSP echoed the KMREQ byte for byte, the state its one-word KMRSP
// reported (KMBadSecret for a wrong passphrase, when the listener does not
// enforce encryption), KMNoSecret when it sent no KMRSP, and KMUnsecured
// without a passphrase.
func (c *Conn) KMState() handshake.KMState { return c.kmState }

// PeerSocketID returns the listener's socket ID.
func (c *Conn) PeerSocketID() uint32 { return c.peerID }

// ISN returns the initial sequence number.
func (c *Conn) ISN() packet.SeqNumber { return c.isn }

// Stats returns the counters so far.
func (c *Conn) Stats() Stats {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.stats
}

// Send sends msg as one data packet, encrypted when the connection is,
// after waiting for Config.Interval since the previous one.
func (c *Conn) Send(msg []byte) error {
	if c.closed.Load() || c.peerGone.Load() {
		return ErrClosed
	}
	if len(msg) > MaxPayload {
		return ErrTooLong
	}
	if c.km != nil && c.kmState != handshake.KMSecured {
		return ErrNotSecured
	}
	if c.cfg.Interval > 0 && !c.lastSend.IsZero() {
		if d := time.Until(c.lastSend.Add(c.cfg.Interval)); d > 0 {
			time.Sleep(d)
		}
	}
	h := packet.Header{
		Seq:       c.next,
		Position:  packet.PositionSolo,
		MsgNo:     c.msgno,
		Timestamp: c.timestamp(),
		DstSocket: c.peerID,
	}
	if c.keys != nil {
		h.Key = handshake.KeyEven
	}
	b, err := h.AppendBinary(c.buf[:0])
	if err != nil {
		return err
	}
	b = append(b, msg...)
	if c.keys != nil {
		if _, err := c.keys.Encrypt(b[:packet.HeaderSize], b[packet.HeaderSize:]); err != nil {
			return err
		}
	}
	c.lastSend = time.Now()
	if _, err := c.conn.Write(b); err != nil {
		return err
	}
	c.next = c.next.Inc()
	c.msgno = c.msgno.Inc()
	c.mu.Lock()
	c.stats.Sent++
	c.stats.Bytes += int64(len(msg))
	c.mu.Unlock()
	return nil
}

// readLoop handles the receiver's control packets until the socket closes.
func (c *Conn) readLoop() {
	defer close(c.done)
	buf := make([]byte, 1500)
	out := make([]byte, 0, 64)
	var p packet.Packet
	for {
		n, err := c.conn.Read(buf)
		if err != nil {
			return
		}
		if p.Decode(buf[:n]) != nil || p.DstSocket != c.ownID {
			continue
		}
		switch p.Kind() {
		case packet.KindACK:
			c.mu.Lock()
			c.stats.ACKs++
			c.stats.LastACK = p.ACK.LastAckSeq
			if p.ACK.Variant >= packet.ACKSmall {
				c.stats.RTT = time.Duration(p.ACK.RTT) * time.Microsecond
			}
			c.mu.Unlock()
			if p.ACK.Variant != packet.ACKLight && p.Info != 0 {
				a := packet.Packet{Header: packet.Header{Control: true, Type: packet.TypeACKACK, Info: p.Info,
					Timestamp: c.timestamp(), DstSocket: c.peerID}}
				if out, err = a.AppendBinary(out[:0]); err == nil {
					if _, err := c.conn.Write(out); err == nil {
						c.mu.Lock()
						c.stats.ACKACKs++
						c.mu.Unlock()
					}
				}
			}
			select {
			case c.acked <- struct{}{}:
			default:
			}
		case packet.KindNAK:
			c.mu.Lock()
			c.stats.NAKs++
			c.stats.Lost += p.NAK.Count()
			c.mu.Unlock()
		case packet.KindShutdown:
			c.peerGone.Store(true)
		}
	}
}

// Close waits (up to two seconds) until the receiver has acknowledged every
// packet sent, then for its TSBPD latency (so that it delivers the last
// ones before the connection ends), then sends a SHUTDOWN and closes the
// socket.
func (c *Conn) Close() error {
	if c.closed.Swap(true) {
		return ErrClosed
	}
	deadline := time.After(2 * time.Second)
wait:
	for !c.peerGone.Load() {
		c.mu.Lock()
		all := c.stats.Sent == 0 || c.stats.LastACK == c.next
		c.mu.Unlock()
		if all {
			break
		}
		select {
		case <-c.acked:
		case <-deadline:
			break wait
		}
	}
	if c.stats.Sent > 0 {
		lat := max(c.cfg.Latency, c.stats.PeerLatency)
		time.Sleep(lat + lat/2 + 50*time.Millisecond)
	}
	p := packet.Packet{Header: packet.Header{Control: true, Type: packet.TypeShutdown, Timestamp: c.timestamp(), DstSocket: c.peerID}}
	b, err := p.AppendBinary(nil)
	if err == nil {
		_, err = c.conn.Write(b)
	}
	cerr := c.conn.Close()
	<-c.done
	if err != nil {
		return err
	}
	return cerr
}
