package main

import (
	"bytes"
	"errors"
	"net/netip"

	"github.com/srtwire/srtwire/capture"
	"github.com/srtwire/srtwire/crypt"
	"github.com/srtwire/srtwire/handshake"
	"github.com/srtwire/srtwire/packet"
)

// decryptor holds the passphrases (-passphrase, -passphrase-file,
// SRT_PASSPHRASE): it says which of them opens each key-material message
// (a verdict), and, in packet mode, decrypts the data payloads with one
// crypt.KeyState per direction of each UDP flow, fed with the key material
// the capture shows (the handshake's KMREQ, which in HSv5 sets both
// directions, and the in-band UMSG_EXT KMREQs of a key refresh).
//
// The passphrases are never written anywhere: srtdump names them by their
// number, #1 for the first given.
type decryptor struct {
	pass  []string
	cache *crypt.KEKCache
	data  bool                           // decrypt data payloads (packet mode); otherwise verdicts only
	dirs  map[[2]netip.AddrPort]*dirKeys // by (sender, receiver) of the data
	km    handshake.KeyMaterial
	buf   []byte // the plaintext of the current payload

	// The last verdict, by the key material it was given for: a KM message
	// is judged by frame and again by the walker that writes it.
	lastSalt, lastWrapped []byte
	lastNo                int
	lastSet               bool
}

// dirKeys is the key state of one direction and the number of the
// passphrase it was made with.
type dirKeys struct {
	ks *crypt.KeyState
	no int
}

// maxKeyStates bounds the directions kept; the table is cleared when full.
const maxKeyStates = 4096

// decryptResult says what became of a data packet's payload.
type decryptResult uint8

const (
	decNotTried decryptResult = iota // clear, or no passphrase given
	decOK                            // decrypted
	decFailed                        // encrypted, and not decrypted (see the note)
)

func newDecryptor(pass []string, data bool) *decryptor {
	return &decryptor{pass: pass, data: data, cache: crypt.NewKEKCache(0),
		dirs: make(map[[2]netip.AddrPort]*dirKeys), buf: make([]byte, 0, 2048)}
}

// open returns the number (1-based) of the first passphrase that opens
// km, or 0 when none does.
func (x *decryptor) open(km *handshake.KeyMaterial) int {
	if x.lastSet && bytes.Equal(km.Salt, x.lastSalt) && bytes.Equal(km.WrappedKeys, x.lastWrapped) {
		return x.lastNo
	}
	no := 0
	for i, pw := range x.pass {
		kek, err := x.cache.DeriveKEK(pw, km.Salt, km.KeyLen)
		if err != nil {
			continue
		}
		if _, err := crypt.Open(kek, km); err == nil {
			no = i + 1
			break
		}
	}
	x.lastSalt = append(x.lastSalt[:0], km.Salt...)
	x.lastWrapped = append(x.lastWrapped[:0], km.WrappedKeys...)
	x.lastNo, x.lastSet = no, true
	return no
}

// state returns the key state of the direction from → to made with
// passphrase no, replacing one made with another passphrase. For no = 0
// (no passphrase opened the direction's key material) it records that,
// and returns nil.
func (x *decryptor) state(from, to netip.AddrPort, no int) *crypt.KeyState {
	k := [2]netip.AddrPort{from, to}
	s := x.dirs[k]
	if s == nil || s.no != no {
		if s == nil && len(x.dirs) >= maxKeyStates {
			clear(x.dirs)
		}
		s = &dirKeys{no: no}
		if no > 0 {
			s.ks = crypt.NewKeyState(x.pass[no-1], x.cache)
		}
		x.dirs[k] = s
	}
	return s.ks
}

// kmVerdict is the verdict on the key material of a frame: the sender, whether
// it is a KMREQ (new keys announced) or a KMRSP (the echo), and the number
// of the passphrase that opens it (0: none).
type kmVerdict struct {
	seen bool
	from netip.AddrPort
	req  bool
	no   int
}

// frame takes in the key material of f, or decrypts its payload. It
// returns the verdict on f's key material, if it has any, and for an
// encrypted data packet what became of it: the plaintext (valid until the
// next call), or why there is none.
func (x *decryptor) frame(f *capture.Frame) (v kmVerdict, res decryptResult, plain []byte, note string) {
	p := &f.Packet
	if f.Err != nil && !(p.Kind() == packet.KindData && errors.Is(f.Err, capture.ErrSnapTruncated)) {
		return
	}
	switch p.Kind() {
	case packet.KindHandshake:
		if p.Handshake.Type != handshake.Conclusion || p.Handshake.KeyMaterial(&x.km) != nil {
			return
		}
		no := x.open(&x.km)
		// The KMREQ is the initiator's; the responder's CONCLUSION echoes it
		// in its KMRSP.
		v = kmVerdict{seen: true, from: f.Src, req: !x.hasKMRsp(p), no: no}
		if !x.data {
			return
		}
		// In HSv5 the responder uses the initiator's keys for its own
		// direction too; its KMRSP echoes them.
		for _, ks := range [2]*crypt.KeyState{x.state(f.Src, f.Dst, no), x.state(f.Dst, f.Src, no)} {
			if ks != nil {
				ks.Establish(&x.km)
			}
		}
	case packet.KindUserDefined:
		if p.Subtype != packet.SubtypeKMReq && p.Subtype != packet.SubtypeKMRsp || p.KeyMaterial(&x.km) != nil {
			return
		}
		no := x.open(&x.km)
		v = kmVerdict{seen: true, from: f.Src, req: p.Subtype == packet.SubtypeKMReq, no: no}
		if !x.data {
			return
		}
		from, to := f.Src, f.Dst
		if p.Subtype == packet.SubtypeKMRsp { // the echo of the data sender's KMREQ
			from, to = to, from
		}
		if s := x.dirs[[2]netip.AddrPort{from, to}]; s != nil && s.ks != nil && s.ks.Established() {
			s.ks.Refresh(&x.km) // a refusal (a forged refresh) leaves the state as it was
		} else if ks := x.state(from, to, no); ks != nil {
			ks.Refresh(&x.km)
		}
	case packet.KindData:
		if p.Key == handshake.KeyNone || !x.data {
			return
		}
		if f.Truncated {
			return v, decFailed, nil, "not decrypted: payload cut short by the capture"
		}
		s := x.dirs[[2]netip.AddrPort{f.Src, f.Dst}]
		switch {
		case s == nil:
			return v, decFailed, nil, "not decrypted: no key material seen"
		case s.ks == nil:
			return v, decFailed, nil, "not decrypted: no passphrase given opens its key material"
		}
		x.buf = append(x.buf[:0], p.Payload...)
		pt, err := s.ks.Decrypt(f.Data[:packet.HeaderSize], x.buf)
		switch {
		case errors.Is(err, crypt.ErrNoKey):
			return v, decFailed, nil, "not decrypted: no key for its KK flags"
		case err != nil:
			return v, decFailed, nil, "not decrypted: " + err.Error()
		}
		return v, decOK, pt, "decrypted"
	}
	return
}

// hasKMRsp reports whether p, a CONCLUSION, carries a KMRSP block: the
// responder's answer, whose key material echoes the initiator's.
func (x *decryptor) hasKMRsp(p *packet.Packet) bool {
	it := p.Handshake.Extensions()
	for it.Next() {
		if it.Type() == handshake.ExtKMRsp {
			return true
		}
	}
	return false
}
