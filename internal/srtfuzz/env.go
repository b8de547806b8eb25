package srtfuzz

import (
	"math/rand/v2"
	"net/netip"
	"strconv"
	"strings"

	"github.com/srtwire/srtwire/crypt"
	"github.com/srtwire/srtwire/handshake"
	"github.com/srtwire/srtwire/listener"
	"github.com/srtwire/srtwire/packet"
)

// Env is what the mutators know about a run: the target's address and the
// configuration it claims (the one Decide is given), with the key material
// a valid caller of that target sends.
type Env struct {
	Target netip.AddrPort
	// Listener is the target's claimed configuration.
	Listener *listener.Config
	// StreamID is the Stream ID of the valid handshakes ("" for none);
	// "{case}" in it is replaced by the case number.
	StreamID string

	// The run's salt and the KEK derived from the passphrase (or, without
	// one, from a made-up passphrase), so that a case seals key material
	// with one RFC 3394 wrap instead of a PBKDF2 derivation.
	salt   []byte
	kek    map[int][]byte // by key length
	keyLen int
}

// fakePassphrase seals the key material of cases against a target without
// a passphrase.
const fakePassphrase = "srtfuzz-not-the-passphrase"

// NewEnv prepares the key material of a run: the salt comes from seed, so
// that a run is reproducible.
func NewEnv(target netip.AddrPort, cfg *listener.Config, streamID string, seed uint64) (*Env, error) {
	e := &Env{Target: target, Listener: cfg, StreamID: streamID, kek: map[int][]byte{}}
	r := rand.New(rand.NewPCG(seed, 0x5a17))
	e.salt = make([]byte, crypt.SaltSize)
	for i := range e.salt {
		e.salt[i] = byte(r.Uint32())
	}
	e.keyLen = cfg.PBKeyLen
	if e.keyLen == 0 {
		e.keyLen = 16
	}
	pass := cfg.Passphrase
	if pass == "" {
		pass = fakePassphrase
	}
	for _, n := range []int{16, 24, 32} {
		k, err := crypt.DeriveKEK(pass, e.salt, n)
		if err != nil {
			return nil, err
		}
		e.kek[n] = k
	}
	return e, nil
}

// seal returns key material for keys of keyLen bytes, sealed with the
// run's KEK, as a libsrt caller with the target's passphrase builds it.
func (e *Env) seal(r *rand.Rand, keyLen int, which handshake.KeyFlags, c handshake.Cipher) handshake.KeyMaterial {
	keys, err := crypt.NewKeys(rngReader{r}, keyLen, which)
	if err == nil {
		var km handshake.KeyMaterial
		if km, err = crypt.Seal(e.kek[keyLen], e.salt, keys, c); err == nil {
			return km
		}
	}
	// Unreachable with the lengths and ciphers the mutators pass.
	return handshake.KeyMaterial{}
}

// kmValue encodes key material.
func kmValue(km handshake.KeyMaterial) []byte {
	b, _ := km.AppendBinary(nil)
	return b
}

// streamID returns the Stream ID of case n's valid handshake.
func (e *Env) streamID(n uint64) string {
	return strings.ReplaceAll(e.StreamID, "{case}", strconv.FormatUint(n, 10))
}

// hsreq is the HSREQ a libsrt 1.5.1 caller configured like the target
// sends (srtcore/core.cpp CUDT::fillSrtHandshake_HSREQ).
func (e *Env) hsreq() handshake.HSReq {
	cfg := e.Listener
	f := handshake.FlagCrypt | handshake.FlagRexmit | handshake.FlagFilterCap
	if cfg.TSBPD {
		f |= handshake.FlagTSBPDSnd | handshake.FlagTSBPDRcv
	}
	if cfg.TLPktDrop {
		f |= handshake.FlagTLPktDrop
	}
	if cfg.NAKReport {
		f |= handshake.FlagPeriodicNAK
	}
	if !cfg.MessageAPI {
		f |= handshake.FlagStream
	}
	r := handshake.HSReq{Version: listener.Version151, Flags: f}
	if cfg.TSBPD {
		r.RecvDelay, r.SendDelay = cfg.RecvLatency, cfg.PeerLatency
	}
	return r
}

// Base returns the CONCLUSION a libsrt 1.5.1 caller configured like the
// target sends (srtcore/core.cpp CUDT::createSrtHandshake): HSv5, HSREQ,
// KMREQ when the target has a passphrase, SID, CONGESTION and FILTER when
// the target's configuration needs them. r draws the key material.
func (e *Env) Base(r *rand.Rand, c Caller, cookie uint32, n uint64) Conclusion {
	m := Conclusion{
		Header: packet.Header{Control: true, Type: packet.TypeHandshake},
		HS: handshake.Handshake{Version: handshake.Version5, ISN: c.ISN, MTU: 1500, FlowWindow: 8192,
			Type: handshake.Conclusion, SocketID: c.SocketID, Cookie: cookie},
	}
	_ = m.HS.SetPeerAddr(e.Target.Addr())
	m.Blocks = append(m.Blocks, Block{Type: handshake.ExtHSReq, Value: hsreqValue(e.hsreq())})
	if e.Listener.Passphrase != "" {
		m.HS.Encryption = uint16(e.keyLen / 8)
		m.Blocks = append(m.Blocks, Block{Type: handshake.ExtKMReq,
			Value: kmValue(e.seal(r, e.keyLen, handshake.KeyEven, handshake.CipherAESCTR))})
	}
	if sid := e.streamID(n); sid != "" {
		m.Blocks = append(m.Blocks, Block{Type: handshake.ExtSID, Value: stringValue(sid)})
	}
	if e.Listener.Congestion == "file" {
		m.Blocks = append(m.Blocks, Block{Type: handshake.ExtCongestion, Value: stringValue("file")})
	}
	if e.Listener.Filter != "" {
		m.Blocks = append(m.Blocks, Block{Type: handshake.ExtFilter, Value: stringValue(e.Listener.Filter)})
	}
	return m
}

// rngReader reads bytes from a math/rand source, for reproducible keys.
type rngReader struct{ r *rand.Rand }

func (g rngReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(g.r.Uint32())
	}
	return len(p), nil
}

// newKeys draws stream encrypting keys from r.
func newKeys(r *rand.Rand, keyLen int, which handshake.KeyFlags) (crypt.Keys, error) {
	return crypt.NewKeys(rngReader{r}, keyLen, which)
}

// seal is crypt.Seal.
var seal = crypt.Seal
