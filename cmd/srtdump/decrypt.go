package main

import (
	"errors"
	"net/netip"

	"github.com/srtwire/srtwire/crypt"
	"github.com/srtwire/srtwire/handshake"
	"github.com/srtwire/srtwire/packet"
	"github.com/srtwire/srtwire/pcap"
)

// decryptor decrypts data payloads for -x when -passphrase is given: it
// keeps one crypt.KeyState per direction of each UDP flow, fed with the key
// material the capture shows (the handshake's KMREQ, which in HSv5 sets
// both directions, and the in-band UMSG_EXT KMREQs of a key refresh).
type decryptor struct {
	pass  string
	cache *crypt.KEKCache
	dirs  map[[2]netip.AddrPort]*crypt.KeyState // by (sender, receiver) of the data
	km    handshake.KeyMaterial
	buf   []byte // the plaintext of the current payload
}

// maxKeyStates bounds the directions kept; the table is cleared when full.
const maxKeyStates = 4096

func newDecryptor(pass string) *decryptor {
	return &decryptor{pass: pass, cache: crypt.NewKEKCache(0), dirs: make(map[[2]netip.AddrPort]*crypt.KeyState), buf: make([]byte, 0, 2048)}
}

func (x *decryptor) state(from, to netip.AddrPort) *crypt.KeyState {
	k := [2]netip.AddrPort{from, to}
	s := x.dirs[k]
	if s == nil {
		if len(x.dirs) >= maxKeyStates {
			clear(x.dirs)
		}
		s = crypt.NewKeyState(x.pass, x.cache)
		x.dirs[k] = s
	}
	return s
}

// frame takes in the key material of f, or decrypts its payload. For an
// encrypted data packet it returns the plaintext (valid until the next
// call) or why there is none; note is "" for anything else.
func (x *decryptor) frame(f *pcap.Frame) (plain []byte, note string) {
	p := &f.Packet
	if f.Err != nil && !(p.Kind() == packet.KindData && errors.Is(f.Err, pcap.ErrSnapTruncated)) {
		return nil, ""
	}
	switch p.Kind() {
	case packet.KindHandshake:
		if p.Handshake.Type != handshake.Conclusion || p.Handshake.KeyMaterial(&x.km) != nil {
			return nil, ""
		}
		// In HSv5 the responder uses the initiator's keys for its own
		// direction too; its KMRSP echoes them.
		x.state(f.Src, f.Dst).Establish(&x.km)
		x.state(f.Dst, f.Src).Establish(&x.km)
	case packet.KindUserDefined:
		if p.Subtype != packet.SubtypeKMReq && p.Subtype != packet.SubtypeKMRsp || p.KeyMaterial(&x.km) != nil {
			return nil, ""
		}
		from, to := f.Src, f.Dst
		if p.Subtype == packet.SubtypeKMRsp { // the echo of the data sender's KMREQ
			from, to = to, from
		}
		x.state(from, to).Refresh(&x.km)
	case packet.KindData:
		if p.Key == handshake.KeyNone {
			return nil, ""
		}
		if f.Truncated {
			return nil, "not decrypted: payload cut short by the capture"
		}
		s := x.dirs[[2]netip.AddrPort{f.Src, f.Dst}]
		if s == nil {
			return nil, "not decrypted: no key material seen"
		}
		x.buf = append(x.buf[:0], p.Payload...)
		pt, err := s.Decrypt(f.Data[:packet.HeaderSize], x.buf)
		switch {
		case errors.Is(err, crypt.ErrNoKey):
			return nil, "not decrypted: no key (wrong passphrase, or key material not in the capture)"
		case err != nil:
			return nil, "not decrypted: " + err.Error()
		}
		return pt, "decrypted"
	}
	return nil, ""
}
