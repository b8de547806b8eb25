package crypt

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/srtwire/srtwire/handshake"
	"github.com/srtwire/srtwire/internal/testcorpus"
	"github.com/srtwire/srtwire/packet"
)

// The passphrases of the corpus captures (testdata/corpus/logs/NAME.cmd).
const (
	passAES128  = "corpus-secret-16" // s02_enc_aes128
	passRefresh = "refresh-secret-1" // s02_enc_kmrefresh
	passCaller  = "caller-secret-BB" // s03_*: the caller
	passListen  = "listener-secret-A"
	passExtra   = "extra-secret-123" // testdata/extra, AES-256
)

// kmSource says where a key-material message of a capture came from.
type kmSource int

const (
	kmHandshake kmSource = iota // a KMREQ or KMRSP block of a CONCLUSION
	kmInBand                    // a UMSG_EXT KMREQ or KMRSP
)

// kmFrame is one key-material message of a capture.
type kmFrame struct {
	frame  int
	source kmSource
	rsp    bool   // KMRSP rather than KMREQ
	raw    []byte // the message bytes
	km     handshake.KeyMaterial
}

// dataFrame is one data packet of a capture.
type dataFrame struct {
	frame   int
	hdr     packet.Header
	dgram   []byte // the whole datagram (a fresh copy)
	payload []byte // dgram[16:]
}

// event is a capture's key material and data packets in capture order.
type event struct {
	km   *kmFrame
	data *dataFrame
}

func loadEvents(t testing.TB, frames []testcorpus.Frame) []event {
	t.Helper()
	var evs []event
	for _, f := range frames {
		var p packet.Packet
		if err := p.Decode(f.Payload); err != nil {
			continue
		}
		switch {
		case !p.Control:
			evs = append(evs, event{data: &dataFrame{frame: f.Number, hdr: p.Header, dgram: f.Payload, payload: f.Payload[packet.HeaderSize:]}})
		case p.Type == packet.TypeHandshake:
			var km handshake.KeyMaterial
			if err := p.Handshake.KeyMaterial(&km); err != nil {
				continue
			}
			kf := &kmFrame{frame: f.Number, source: kmHandshake, km: km.Clone()}
			kf.raw, _ = kf.km.AppendBinary(nil)
			for it := p.Handshake.Extensions(); it.Next(); {
				kf.rsp = kf.rsp || it.Type() == handshake.ExtKMRsp
			}
			evs = append(evs, event{km: kf})
		case p.Type == packet.TypeUserDefined && (p.Subtype == packet.SubtypeKMReq || p.Subtype == packet.SubtypeKMRsp) && !p.IsKMState():
			var km handshake.KeyMaterial
			if err := p.KeyMaterial(&km); err != nil {
				t.Fatalf("frame %d: %v", f.Number, err)
			}
			kf := &kmFrame{frame: f.Number, source: kmInBand, rsp: p.Subtype == packet.SubtypeKMRsp, raw: bytes.Clone(p.CIF), km: km.Clone()}
			evs = append(evs, event{km: kf})
		}
	}
	return evs
}

func captureEvents(t testing.TB, name string) []event {
	t.Helper()
	frames, err := testcorpus.Frames(name)
	if err != nil {
		t.Fatal(err)
	}
	return loadEvents(t, frames)
}

// checkChunk checks a decrypted payload against the corpus generators'
// text: chunk i of SIZE bytes has byte j = 'a' + (i+j) mod 26, overwritten
// at the start by "SRTCORPUS chunk=%06d size=%d|" (srt-live-transmit fed by
// pktsrc) or "SRTCORPUS msg=%06d size=%d|" (the corpus's C peer). It
// returns the chunk number.
func checkChunk(t *testing.T, frame int, pt []byte) int {
	t.Helper()
	s := string(pt)
	bar := strings.IndexByte(s, '|')
	var key string
	var i, size int
	if bar < 0 || !strings.HasPrefix(s, "SRTCORPUS ") {
		t.Fatalf("frame %d: not corpus text: %q", frame, pt[:min(len(pt), 40)])
	}
	fields := strings.Fields(s[len("SRTCORPUS "):bar])
	if len(fields) != 2 {
		t.Fatalf("frame %d: bad prefix %q", frame, s[:bar+1])
	}
	key, num, _ := strings.Cut(fields[0], "=")
	i, err1 := strconv.Atoi(num)
	size, err2 := strconv.Atoi(strings.TrimPrefix(fields[1], "size="))
	if err1 != nil || err2 != nil || (key != "chunk" && key != "msg") {
		t.Fatalf("frame %d: bad prefix %q", frame, s[:bar+1])
	}
	prefix := fmt.Sprintf("SRTCORPUS %s=%06d size=%d|", key, i, size)
	if !strings.HasPrefix(s, prefix) || len(pt) != size {
		t.Fatalf("frame %d: prefix %q, length %d", frame, s[:bar+1], len(pt))
	}
	for j := len(prefix); j < len(pt); j++ {
		if want := byte('a' + (i+j)%26); pt[j] != want {
			t.Fatalf("frame %d (chunk %d): byte %d is %q, want %q", frame, i, j, pt[j], want)
		}
	}
	return i
}

// decryptCapture feeds a KeyState with a capture's key material in capture
// order (handshake KMs through Establish, in-band ones through Refresh) and
// decrypts every data packet. It returns the number of data packets
// decrypted with the even and the odd key.
func decryptCapture(t *testing.T, name, passphrase string, cache *KEKCache) (even, odd int) {
	t.Helper()
	s := NewKeyState(passphrase, cache)
	seen := map[int]bool{}
	for _, ev := range captureEvents(t, name) {
		if km := ev.km; km != nil {
			var err error
			if km.source == kmHandshake {
				err = s.Establish(&km.km)
			} else {
				err = s.Refresh(&km.km)
			}
			if err != nil {
				t.Fatalf("%s frame %d: key material refused: %v", name, km.frame, err)
			}
			continue
		}
		d := ev.data
		pt, err := s.Decrypt(d.dgram[:packet.HeaderSize], d.payload)
		if err != nil {
			t.Fatalf("%s frame %d (kk=%v): %v", name, d.frame, d.hdr.Key, err)
		}
		i := checkChunk(t, d.frame, pt)
		if seen[i] && !d.hdr.Retransmitted {
			t.Fatalf("%s frame %d: chunk %d twice", name, d.frame, i)
		}
		seen[i] = true
		switch d.hdr.Key {
		case handshake.KeyEven:
			even++
		case handshake.KeyOdd:
			odd++
		default:
			t.Fatalf("%s frame %d: clear data packet", name, d.frame)
		}
	}
	return even, odd
}

// s02_enc_aes128: srt-live-transmit, AES-128, 80 data packets of 1316 bytes.
func TestCorpusAES128(t *testing.T) {
	even, odd := decryptCapture(t, "s02_enc_aes128", passAES128, nil)
	if even != 80 || odd != 0 {
		t.Fatalf("decrypted %d even + %d odd packets, want 80 + 0", even, odd)
	}
	t.Logf("s02_enc_aes128: %d/80 data payloads decrypted and checked", even+odd)
}

// s02_enc_kmrefresh: the C peer with kmrefreshrate=128 and
// kmpreannounce=32, 420 packets of 300 bytes; three in-band two-key KMREQs
// (and their KMRSP echoes) announce the keys it switches to (KK 1 → 2 → 1 → 2).
func TestCorpusKeyRefresh(t *testing.T) {
	even, odd := decryptCapture(t, "s02_enc_kmrefresh", passRefresh, NewKEKCache(0))
	// MANIFEST.md: KK none/even/odd: 0/259/161.
	if even != 259 || odd != 161 {
		t.Fatalf("decrypted %d even + %d odd packets, want 259 + 161", even, odd)
	}
	t.Logf("s02_enc_kmrefresh: %d/420 data payloads decrypted and checked", even+odd)

	var inBand, switches int
	var last handshake.KeyFlags
	for _, ev := range captureEvents(t, "s02_enc_kmrefresh") {
		if ev.km != nil && ev.km.source == kmInBand {
			inBand++
			if ev.km.km.Keys != handshake.KeyBoth {
				t.Errorf("frame %d: in-band KM carries %v", ev.km.frame, ev.km.km.Keys)
			}
		}
		if ev.data != nil {
			if last != 0 && ev.data.hdr.Key != last {
				switches++
			}
			last = ev.data.hdr.Key
		}
	}
	if inBand != 6 || switches != 3 {
		t.Fatalf("%d in-band KMs and %d key switches, want 6 and 3", inBand, switches)
	}
}

// s03_badsecret_noenforce: the passphrases differ and encryption is not
// enforced, so the caller's data flows, encrypted with its own key.
func TestCorpusBadSecretNoEnforce(t *testing.T) {
	even, odd := decryptCapture(t, "s03_badsecret_noenforce", passCaller, nil)
	if even+odd != 10 {
		t.Fatalf("decrypted %d packets, want 10", even+odd)
	}
}

// The listener's passphrase fails the integrity check on the caller's key
// material, as it did for libsrt (KMRSP state BADSECRET, or the rejection
// SRT_REJ_BADSECRET); the caller's own passphrase opens it.
func TestCorpusWrongPassphrase(t *testing.T) {
	for _, name := range []string{"s03_reject_badsecret", "s03_badsecret_noenforce", "s02_enc_aes128"} {
		t.Run(name, func(t *testing.T) {
			right := map[string]string{"s02_enc_aes128": passAES128}[name]
			if right == "" {
				right = passCaller
			}
			var km *kmFrame
			for _, ev := range captureEvents(t, name) {
				if ev.km != nil && !ev.km.rsp {
					km = ev.km
					break
				}
			}
			if km == nil {
				t.Fatal("no KMREQ")
			}
			for _, pass := range []string{passListen, right + "x", right[:len(right)-1], ""} {
				keys, err := OpenPassphrase(pass, &km.km)
				if !errors.Is(err, ErrBadSecret) || keys.Flags() != 0 {
					t.Errorf("passphrase %q: %v, %v", pass, keys.Flags(), err)
				}
				s := NewKeyState(pass, nil)
				if err := s.Establish(&km.km); !errors.Is(err, ErrBadSecret) || s.Established() {
					t.Errorf("Establish with %q: %v", pass, err)
				}
			}
			if _, err := OpenPassphrase(right, &km.km); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// A wrong passphrase never yields plaintext: without key material the
// state has no key, so the data packets are refused, not garbled.
func TestCorpusWrongPassphraseDecryptsNothing(t *testing.T) {
	s := NewKeyState(passListen, nil)
	n := 0
	for _, ev := range captureEvents(t, "s03_badsecret_noenforce") {
		if ev.km != nil {
			if err := s.Establish(&ev.km.km); !errors.Is(err, ErrBadSecret) {
				t.Fatalf("frame %d: %v", ev.km.frame, err)
			}
			continue
		}
		before := bytes.Clone(ev.data.payload)
		if _, err := s.Decrypt(ev.data.dgram, ev.data.payload); !errors.Is(err, ErrNoKey) {
			t.Fatalf("frame %d: %v", ev.data.frame, err)
		}
		if !bytes.Equal(before, ev.data.payload) {
			t.Fatalf("frame %d: payload modified", ev.data.frame)
		}
		n++
	}
	if n != 10 {
		t.Fatalf("%d data packets", n)
	}
}

// Sealing the keys a capture's key material carries, with its salt and
// KEK, gives back the message libsrt wrote, byte for byte: Seal writes every
// field as libsrt does (hcryptCtx_Tx_AsmKM). The extra captures use AES-256.
func TestCorpusSealReproducesLibsrt(t *testing.T) {
	type capture struct {
		name, pass string
		frames     func() ([]testcorpus.Frame, error)
	}
	extra := func(file string) func() ([]testcorpus.Frame, error) {
		return func() ([]testcorpus.Frame, error) {
			return testcorpus.ReadPcap(testcorpus.Path("../extra/" + file))
		}
	}
	corpus := func(name string) func() ([]testcorpus.Frame, error) {
		return func() ([]testcorpus.Frame, error) { return testcorpus.Frames(name) }
	}
	cache := NewKEKCache(4)
	total := 0
	for _, c := range []capture{
		{"s02_enc_aes128", passAES128, corpus("s02_enc_aes128")},
		{"s02_enc_kmrefresh", passRefresh, corpus("s02_enc_kmrefresh")},
		{"s03_reject_badsecret", passCaller, corpus("s03_reject_badsecret")},
		{"sid_km_sll2", passExtra, extra("sid_km_sll2.pcap")},
	} {
		frames, err := c.frames()
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, ev := range loadEvents(t, frames) {
			km := ev.km
			if km == nil {
				continue
			}
			if km.km.Cipher != handshake.CipherAESCTR || km.km.SE != 2 || km.km.SaltLen != SaltSize {
				t.Errorf("%s frame %d: cipher %v SE %d salt %d", c.name, km.frame, km.km.Cipher, km.km.SE, km.km.SaltLen)
			}
			kek, err := cache.DeriveKEK(c.pass, km.km.Salt, km.km.KeyLen)
			if err != nil {
				t.Fatal(err)
			}
			keys, err := Open(kek, &km.km)
			if err != nil {
				t.Fatalf("%s frame %d: %v", c.name, km.frame, err)
			}
			again, err := Seal(kek, km.km.Salt, keys, km.km.Cipher)
			if err != nil {
				t.Fatal(err)
			}
			raw, err := again.AppendBinary(nil)
			if err != nil || !bytes.Equal(raw, km.raw) {
				t.Fatalf("%s frame %d: Seal gives\n%x\nlibsrt wrote\n%x", c.name, km.frame, raw, km.raw)
			}
			n++
		}
		if n == 0 {
			t.Errorf("%s: no key material", c.name)
		}
		total += n
	}
	// One PBKDF2 per capture: every key-material message of a capture
	// shares its salt.
	if cache.Len() != 4 {
		t.Errorf("cache holds %d KEKs, want 4", cache.Len())
	}
	t.Logf("%d key-material messages re-sealed byte for byte", total)
}
