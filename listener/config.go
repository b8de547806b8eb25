package listener

import (
	"errors"
	"net/netip"
	"time"

	"github.com/srtwire/srtwire/crypt"
	"github.com/srtwire/srtwire/handshake"
	"github.com/srtwire/srtwire/reject"
)

// Version151 is the libsrt version Decide follows by default: the one
// Debian 12 ships (1.5.1).
const Version151 handshake.SRTVersion = 0x010501

// Config is a libsrt listener's configuration: the socket options that
// take part in accepting a caller (srtcore/socketconfig.h, CSrtConfig) and
// the application's listen callback (srt_listen_callback).
//
// Start from LiveConfig or FileConfig, which hold libsrt's defaults for
// SRTO_TRANSTYPE live and file, then change what the listener sets. The zero
// Config is not libsrt's default: its latencies are 0 and its encryption is
// not enforced.
//
// A Config is read, never written, by Decide: one Config may serve many
// goroutines, as long as its Accept callback and its Peers table (which
// locks itself) allow it.
type Config struct {
	// Cookies bakes and checks the SYN cookies. It is required.
	Cookies *CookieBaker
	// Start is when the listening socket started: the timestamps of the
	// INDUCTION answers and rejections count µs from it, as libsrt's do.
	Start time.Time

	// Passphrase is SRTO_PASSPHRASE; "" for none.
	Passphrase string
	// PBKeyLen is SRTO_PBKEYLEN, the key length in bytes (0, 16, 24, 32)
	// advertised in the INDUCTION and CONCLUSION answers.
	PBKeyLen int
	// EnforcedEncryption is SRTO_ENFORCEDENCRYPTION (libsrt default true):
	// reject callers whose key material cannot be used.
	EnforcedEncryption bool
	// KEKs caches derived KEKs (PBKDF2 costs about a millisecond); nil
	// uses one cache for the whole package.
	KEKs *crypt.KEKCache

	// MessageAPI is SRTO_MESSAGEAPI: true for live (message) mode, false
	// for file/stream mode. A caller whose STREAM flag says otherwise is
	// rejected with MESSAGEAPI.
	MessageAPI bool
	// TSBPD, TLPktDrop and NAKReport are SRTO_TSBPDMODE, SRTO_TLPKTDROP
	// and SRTO_NAKREPORT; they set the flags and latencies of the HSRSP.
	TSBPD, TLPktDrop, NAKReport bool
	// Congestion is SRTO_CONGESTION: "live" (or "") or "file".
	Congestion string
	// Filter is SRTO_PACKETFILTER ("" for none), for example
	// "fec,cols:4,rows:2".
	Filter string
	// MinVersion is SRTO_MINVERSION: callers with an older SRT version are
	// rejected with VERSION. libsrt's default is 1.0.0.
	MinVersion handshake.SRTVersion
	// RecvLatency is SRTO_RCVLATENCY in ms (default 120 in live mode);
	// PeerLatency is SRTO_PEERLATENCY, the latency proposed for the
	// caller's receiver (default 0). SRTO_LATENCY sets both.
	RecvLatency, PeerLatency uint16
	// MSS is SRTO_MSS (1500): the answer carries the smaller of it and the
	// caller's, and datagrams longer than MSS-28 bytes are dropped.
	MSS int
	// FlowWindow is SRTO_FC (25600) and RecvBuffer the receive buffer in
	// packets (8192): the answer's flow window is the smaller of the two.
	FlowWindow, RecvBuffer int
	// Version is the SRT version the listener runs and announces in its
	// HSRSP; it also selects the behaviours that changed after 1.5.1 (see
	// Accept). Zero means Version151.
	Version handshake.SRTVersion

	// Bonding says whether libsrt was built with ENABLE_BONDING. Debian's
	// 1.5.1 is not: GROUP blocks are then skipped like unknown ones.
	Bonding bool
	// GroupsAllowed is SRTO_GROUPCONNECT (only meaningful with Bonding).
	GroupsAllowed bool
	// BacklogFull says that the accept queue holds as many sockets as the
	// backlog of srt_listen allows: new callers get BACKLOG.
	BacklogFull bool
	// Closing says that the listening socket is being closed: every
	// datagram is ignored.
	Closing bool

	// Accept is the listen callback (srt_listen_callback), or nil for none.
	// It gets the caller's Stream ID and request and returns whether to
	// accept it, and if not the reason (srt_setrejectreason). libsrt only
	// takes reasons from 1000 up from a callback; a refusal with a smaller
	// reason (NoReason) is a refusal without a reason, which libsrt 1.5.1
	// puts on the wire as SRT_REJ_UNKNOWN (1000) and 1.5.2 and later as
	// SRT_REJX_FALLBACK (2000).
	Accept func(streamID string, req *Request) (ok bool, r reject.Reason)

	// Peers remembers accepted callers, so that a repeated CONCLUSION
	// gets the same answer again (nil: every CONCLUSION is decided anew).
	Peers *Peers
	// SocketID returns the socket ID of the accepted socket libsrt would
	// create for a caller; nil derives one from the caller's address,
	// socket ID and ISN with the cookie key (the same for a repeat).
	SocketID func(from netip.AddrPort, peerSocket, isn uint32) uint32
}

// NoReason is the reason an Accept callback returns to refuse a caller
// without choosing a reason.
const NoReason = reject.Unknown

// Request is what an Accept callback is told about a caller.
type Request struct {
	From netip.AddrPort
	// Version is the caller's handshake version (4 or 5), the hsversion
	// argument of libsrt's callback.
	Version uint32
	// Handshake is the caller's CONCLUSION, valid during the call only.
	Handshake *handshake.Handshake
}

// LiveConfig returns libsrt's defaults for a live-mode listener
// (SRTO_TRANSTYPE live, srtcore/socketconfig.h).
func LiveConfig(cookies *CookieBaker) Config {
	return Config{
		Cookies:            cookies,
		EnforcedEncryption: true,
		MessageAPI:         true,
		TSBPD:              true,
		TLPktDrop:          true,
		NAKReport:          true,
		Congestion:         "live",
		MinVersion:         handshake.MakeSRTVersion(1, 0, 0),
		RecvLatency:        120,
		MSS:                1500,
		FlowWindow:         25600,
		RecvBuffer:         8192,
		Version:            Version151,
	}
}

// FileConfig returns libsrt's defaults for a file-mode listener
// (SRTO_TRANSTYPE file, srtcore/socketconfig.cpp): no TSBPD, no too-late
// drop, no periodic NAK, latency 0, stream API, the "file" congestion
// controller.
func FileConfig(cookies *CookieBaker) Config {
	c := LiveConfig(cookies)
	c.TSBPD, c.TLPktDrop, c.NAKReport, c.MessageAPI = false, false, false, false
	c.RecvLatency, c.PeerLatency = 0, 0
	c.Congestion = "file"
	return c
}

// SetLatency sets both latencies, as SRTO_LATENCY does.
func (c *Config) SetLatency(ms uint16) { c.RecvLatency, c.PeerLatency = ms, ms }

// Errors of Config.Check.
var (
	ErrNoCookies  = errors.New("listener: Config.Cookies is nil")
	ErrKeyLen     = errors.New("listener: PBKeyLen must be 0, 16, 24 or 32")
	ErrCongestion = errors.New(`listener: Congestion must be "live" or "file"`)
	ErrFilter     = errors.New("listener: Filter is not a valid packet-filter configuration")
	ErrMSS        = errors.New("listener: MSS must be 76 to 1500")
)

// Check reports a configuration libsrt would refuse to set
// (srt_setsockflag): a key length other than 0/16/24/32, a passphrase
// shorter than 10 or longer than 80 bytes, an unknown congestion
// controller, a packet filter that does not parse, an MSS out of range.
func (c *Config) Check() error {
	switch {
	case c.Cookies == nil:
		return ErrNoCookies
	case c.PBKeyLen != 0 && c.PBKeyLen != 16 && c.PBKeyLen != 24 && c.PBKeyLen != 32:
		return ErrKeyLen
	case c.Passphrase != "" && (len(c.Passphrase) < crypt.MinPassphraseLen || len(c.Passphrase) > crypt.MaxPassphraseLen):
		return crypt.ErrPassphraseLength
	case c.Congestion != "" && c.Congestion != "live" && c.Congestion != "file":
		return ErrCongestion
	case c.MSS != 0 && (c.MSS < 76 || c.MSS > 1500):
		return ErrMSS
	}
	if c.Filter != "" {
		var f filterConfig
		if !f.parse(c.Filter) || !f.verifyFEC() {
			return ErrFilter
		}
	}
	return nil
}

func (c *Config) mss() int {
	if c.MSS <= 0 {
		return 1500
	}
	return c.MSS
}

func (c *Config) version() handshake.SRTVersion {
	if c.Version == 0 {
		return Version151
	}
	return c.Version
}

func (c *Config) congestion() string {
	if c.Congestion == "" {
		return "live"
	}
	return c.Congestion
}

// flightCapacity is CSrtConfig::flightCapacity: the smaller of the flow
// window and the receive buffer.
func (c *Config) flightCapacity() uint32 {
	fw, rb := c.FlowWindow, c.RecvBuffer
	if fw <= 0 {
		fw = 25600
	}
	if rb <= 0 {
		rb = 8192
	}
	return uint32(min(fw, rb))
}

var packageKEKs = crypt.NewKEKCache(0)

func (c *Config) keks() *crypt.KEKCache {
	if c.KEKs != nil {
		return c.KEKs
	}
	return packageKEKs
}
