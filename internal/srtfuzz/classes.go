package srtfuzz

import (
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/srtwire/srtwire/handshake"
)

// Phase says what a case of a class sends after the INDUCTION.
type Phase uint8

const (
	// PhaseConclusion: one mutated CONCLUSION with the listener's cookie.
	PhaseConclusion Phase = iota
	// PhasePost: a valid handshake (possibly with a changed field, see
	// Class.Tweak), then mutated packets to the accepted socket.
	PhasePost
)

func (p Phase) String() string {
	if p == PhasePost {
		return "post-handshake"
	}
	return "conclusion"
}

// Class is a family of mutations.
type Class struct {
	Name  string
	Phase Phase
	Doc   string
	// Mutate changes the CONCLUSION of a PhaseConclusion case, or (Tweak)
	// the valid CONCLUSION of a PhasePost case; it returns what it did.
	Mutate func(r *rand.Rand, m *Conclusion, e *Env) string
	// Post builds the packets a PhasePost case sends to the accepted
	// socket, and says what they are.
	Post func(r *rand.Rand, s *Session, e *Env) ([][]byte, string)
}

// Classes returns every mutation class, in the order of the report.
func Classes() []*Class { return classes }

// ClassByName returns the class called name, or nil.
func ClassByName(name string) *Class {
	for _, c := range classes {
		if c.Name == name {
			return c
		}
	}
	return nil
}

var classes = []*Class{
	{Name: "ext-types", Doc: "extension blocks retyped or added with types a caller never sends (0, HSRSP, KMRSP, 9 and up)", Mutate: mutExtTypes},
	{Name: "ext-order", Doc: "the caller's extension blocks in another order", Mutate: mutExtOrder},
	{Name: "ext-dup", Doc: "an extension block repeated (HSREQ, KMREQ, SID, CONGESTION, FILTER)", Mutate: mutExtDup},
	{Name: "ext-flags", Doc: "an Extension field that disagrees with the blocks", Mutate: mutExtFlags},
	{Name: "ext-len", Doc: "a block length that lies: longer than the rest, zero, odd, off by one", Mutate: mutExtLen},
	{Name: "stray-cif", Doc: "1-3 stray bytes right after the 48-byte CIF, Extension field set", Mutate: mutStrayCIF},
	{Name: "stray-ext", Doc: "1-3 stray bytes after the last extension block", Mutate: mutStrayExt},
	{Name: "sid", Doc: "Stream IDs of 0, 512, 513, 4000 bytes and other lengths and contents", Mutate: mutSID},
	{Name: "km", Doc: "key material with every SLen/KLen/KK/cipher/auth/SE variant, total length 4-1400", Mutate: mutKM},
	{Name: "filter", Doc: "FILTER (packet filter) strings, valid and not", Mutate: mutFilter},
	{Name: "congestion", Doc: "CONGESTION strings, valid and not", Mutate: mutCongestion},
	{Name: "group", Doc: "GROUP blocks with types 3 and up, short and long blocks", Mutate: mutGroup},
	{Name: "hsreq", Doc: "HSREQ flags, SRT versions below 1.3.0 and beyond, latencies", Mutate: mutHSReq},
	{Name: "encryption", Doc: "the Encryption field 1, 5, 7 and other values", Mutate: mutEncryption},
	{Name: "fixed", Doc: "the fixed CIF fields: versions, MSS, flow window, ISN, handshake type, socket ID, cookie, Peer IP", Mutate: mutFixed},

	{Name: "umsg-km-long", Phase: PhasePost, Doc: "UMSG_EXT KMREQ/KMRSP longer than 104 bytes (libsrt's SRT_CMD_MAXSZ)", Post: postKMLong},
	{Name: "umsg-kmrsp", Phase: PhasePost, Doc: "a UMSG_EXT KMRSP never requested: states, echoes, odd lengths", Post: postKMRsp},
	{Name: "umsg-kmreq", Phase: PhasePost, Doc: "in-band key refreshes that drop keys or change salt, cipher, key length or KEK", Post: postKMReq},
	{Name: "umsg-other", Phase: PhasePost, Doc: "UMSG_EXT HSREQ/HSRSP after an HSv5 handshake, unknown subtypes", Post: postUMSGOther},
	{Name: "ack", Phase: PhasePost, Doc: "ACKs past the window, of every length, ACKACKs with unknown numbers", Post: postACK},
	{Name: "nak", Phase: PhasePost, Doc: "NAK loss lists reversed, huge, dangling, outside the window", Post: postNAK},
	{Name: "dropreq", Phase: PhasePost, Doc: "DROPREQ reversed, outside the window, huge, short", Post: postDropReq},
	{Name: "mss", Phase: PhasePost, Doc: "a handshake with an MSS of 32-76 bytes, then data and control packets", Mutate: tweakMSS, Post: postMSS},
	{Name: "ctrl", Phase: PhasePost, Doc: "unknown control types, odd CIFs on empty types, handshakes and data to the accepted socket", Post: postCtrl},
}

func pick[T any](r *rand.Rand, xs ...T) T { return xs[r.IntN(len(xs))] }

// randBytes returns n bytes from r.
func randBytes(r *rand.Rand, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// callerTypes are the block types a libsrt caller sends.
var callerTypes = []handshake.ExtType{handshake.ExtHSReq, handshake.ExtKMReq, handshake.ExtSID,
	handshake.ExtCongestion, handshake.ExtFilter, handshake.ExtGroup}

// IsCallerType reports whether t is a block type a caller sends.
func IsCallerType(t handshake.ExtType) bool {
	for _, c := range callerTypes {
		if t == c {
			return true
		}
	}
	return false
}

// strangeType draws a block type no caller sends.
func strangeType(r *rand.Rand) handshake.ExtType {
	switch r.IntN(6) {
	case 0:
		return 0
	case 1:
		return pick(r, handshake.ExtHSRsp, handshake.ExtKMRsp)
	case 2:
		return handshake.ExtType(9 + r.IntN(7))
	case 3:
		return pick[handshake.ExtType](r, 0x7FFF, 0x8000, 0xFFFF, 0x0100, 0x0101)
	default:
		for {
			if t := handshake.ExtType(r.Uint32()); !IsCallerType(t) {
				return t
			}
		}
	}
}

// ensureBlocks adds a SID (and a CONGESTION) so that m has at least n
// blocks to reorder or lie about.
func ensureBlocks(m *Conclusion, n int) {
	if len(m.Blocks) < n && m.Index(handshake.ExtSID) < 0 {
		m.Blocks = append(m.Blocks, Block{Type: handshake.ExtSID, Value: stringValue("#!::r=srtfuzz,m=publish")})
	}
	if len(m.Blocks) < n && m.Index(handshake.ExtCongestion) < 0 {
		m.Blocks = append(m.Blocks, Block{Type: handshake.ExtCongestion, Value: stringValue("live")})
	}
}

func mutExtTypes(r *rand.Rand, m *Conclusion, e *Env) string {
	switch r.IntN(3) {
	case 0:
		i := r.IntN(len(m.Blocks))
		old := m.Blocks[i].Type
		m.Blocks[i].Type = strangeType(r)
		return fmt.Sprintf("block %d %v retyped %v", i+1, old, m.Blocks[i].Type)
	case 1:
		k := 1 + r.IntN(4)
		for j := 0; j < k; j++ {
			m.Insert(r.IntN(len(m.Blocks)+1), Block{Type: strangeType(r), Value: randBytes(r, 4*r.IntN(17))})
		}
		return fmt.Sprintf("%d blocks of strange types added", k)
	default:
		for i := range m.Blocks {
			m.Blocks[i].Type = strangeType(r)
		}
		return fmt.Sprintf("all %d blocks retyped", len(m.Blocks))
	}
}

func mutExtOrder(r *rand.Rand, m *Conclusion, e *Env) string {
	ensureBlocks(m, 3)
	before := typeList(m.Blocks)
	for typeList(m.Blocks) == before {
		r.Shuffle(len(m.Blocks), func(i, j int) { m.Blocks[i], m.Blocks[j] = m.Blocks[j], m.Blocks[i] })
	}
	return "order " + typeList(m.Blocks)
}

func typeList(bs []Block) string {
	var s []string
	for _, b := range bs {
		s = append(s, b.Type.String())
	}
	return strings.Join(s, ",")
}

func mutExtDup(r *rand.Rand, m *Conclusion, e *Env) string {
	var blk Block
	switch r.IntN(4) {
	case 0: // the same block again
		blk = m.Blocks[r.IntN(len(m.Blocks))]
		blk.Value = append([]byte(nil), blk.Value...)
	case 1: // a second HSREQ that says something else
		h := e.hsreq()
		h.Version = pick(r, handshake.MakeSRTVersion(1, 2, 0), handshake.MakeSRTVersion(1, 4, 4), handshake.SRTVersion(r.Uint32()))
		h.Flags ^= handshake.SRTFlags(1 << r.IntN(8))
		blk = Block{Type: handshake.ExtHSReq, Value: hsreqValue(h)}
	case 2: // a second string block
		t := pick(r, handshake.ExtSID, handshake.ExtCongestion, handshake.ExtFilter)
		s := map[handshake.ExtType][]string{
			handshake.ExtSID:        {"#!::r=second", "x", strings.Repeat("s", 512)},
			handshake.ExtCongestion: {"live", "file", "bogus"},
			handshake.ExtFilter:     {"fec", "fec,cols:4,rows:2", "fec,cols:1,rows:1,layout:staircase"},
		}[t]
		blk = Block{Type: t, Value: stringValue(pick(r, s...))}
	default: // a second KMREQ
		blk = Block{Type: handshake.ExtKMReq, Value: kmValue(e.seal(r, pick(r, 16, 24, 32), handshake.KeyEven, handshake.CipherAESCTR))}
	}
	k := 1 + r.IntN(3)
	if m.Index(blk.Type) < 0 {
		k++ // none yet: two make the duplicate
	}
	for j := 0; j < k; j++ {
		m.Insert(r.IntN(len(m.Blocks)+1), blk)
	}
	return fmt.Sprintf("%v %d time(s) more", blk.Type, k)
}

// honestFlags is the Extension field the Builder writes for blocks.
func honestFlags(bs []Block) uint16 {
	var f handshake.ExtFlags
	for _, b := range bs {
		f |= b.Type.Flag()
	}
	return uint16(f)
}

func mutExtFlags(r *rand.Rand, m *Conclusion, e *Env) string {
	if r.IntN(3) == 0 {
		ensureBlocks(m, 2)
	}
	honest := honestFlags(m.Blocks)
	for {
		var f uint16
		switch r.IntN(4) {
		case 0:
			f = uint16(r.IntN(8)) // every subset of HSREQ|KMREQ|CONFIG
		case 1:
			f = pick[uint16](r, 0, handshake.MagicHSv5, 0xFFFF, 0x8000, 0x0008)
		case 2:
			f = honest ^ uint16(1<<r.IntN(16))
		default:
			f = uint16(r.Uint32())
		}
		if f != honest {
			m.SetFlags, m.Flags = true, f
			return fmt.Sprintf("Extension 0x%04x for blocks %s (0x%04x)", f, typeList(m.Blocks), honest)
		}
	}
}

func mutExtLen(r *rand.Rand, m *Conclusion, e *Env) string {
	ensureBlocks(m, 2)
	i := r.IntN(len(m.Blocks))
	b := &m.Blocks[i]
	rest := 0 // words after this block's header
	for j := i; j < len(m.Blocks); j++ {
		rest += m.Blocks[j].honestWords()
		if j > i {
			rest++ // the header of a later block
		}
	}
	w := b.honestWords()
	var what string
	switch r.IntN(5) {
	case 0:
		b.Words, what = rest+1+r.IntN(3), "longer than the rest"
	case 1:
		b.Words, what = pick(r, 0xFFFF, 0x8000, rest+256), "far longer than the rest"
	case 2:
		b.Words, what = 0, "zero"
	case 3:
		if w > 1 {
			b.Words, what = w-1, "one word short"
		} else {
			b.Words, what = w+1, "one word long"
		}
	default:
		b.Words, what = 2*r.IntN(max(1, w))+1, "odd"
	}
	if b.Words == w {
		b.Words, what = w+1, "one word long"
	}
	b.Lie = true
	return fmt.Sprintf("block %d %v length %d words (%s; content %d)", i+1, b.Type, b.Words, what, w)
}

func mutStrayCIF(r *rand.Rand, m *Conclusion, e *Env) string {
	m.Blocks = nil
	m.SetFlags = true
	m.Flags = pick(r, uint16(handshake.FlagHSReq), uint16(handshake.FlagHSReq|handshake.FlagConfig),
		uint16(handshake.FlagHSReq|handshake.FlagKMReq|handshake.FlagConfig), uint16(1+r.IntN(0xFFFF)))
	if m.Flags == 0 {
		m.Flags = 1
	}
	m.Tail = randBytes(r, 1+r.IntN(3))
	return fmt.Sprintf("%d stray byte(s) after the CIF, Extension 0x%04x", len(m.Tail), m.Flags)
}

func mutStrayExt(r *rand.Rand, m *Conclusion, e *Env) string {
	if r.IntN(2) == 0 {
		ensureBlocks(m, 2)
	}
	m.Tail = randBytes(r, 1+r.IntN(3))
	return fmt.Sprintf("%d stray byte(s) after %s", len(m.Tail), typeList(m.Blocks))
}

// sidLengths are the Stream ID lengths the sid class tries: the edges of
// libsrt's 512-byte limit (srtcore/socketconfig.h MAX_SID_LENGTH) and far
// beyond one datagram.
var sidLengths = []int{0, 1, 2, 3, 4, 5, 508, 511, 512, 513, 514, 516, 517, 600, 1000, 1400, 4000}

func mutSID(r *rand.Rand, m *Conclusion, e *Env) string {
	n := pick(r, sidLengths...)
	if r.IntN(4) == 0 {
		n = r.IntN(700)
	}
	var s string
	kind := r.IntN(5)
	switch kind {
	case 0:
		s = fitString("#!::r=live/srtfuzz,m=publish,u=", n, 'a')
	case 1:
		s = fitString("#!:{r=a,m=request,t=", n, 'z')
	case 2:
		s = string(randBytes(r, n))
	case 3:
		s = fitString("#!::ü=ø,ŝ=", n, 'é')
	default:
		s = strings.Repeat("x", n)
	}
	if len(s) > n {
		s = s[:n]
	}
	blk := Block{Type: handshake.ExtSID, Value: stringValue(s)}
	if i := m.Index(handshake.ExtSID); i >= 0 {
		m.Blocks[i] = blk
	} else {
		m.Insert(r.IntN(len(m.Blocks)+1), blk)
	}
	return fmt.Sprintf("SID of %d bytes (%d words)", len(s), blk.honestWords())
}

// fitString returns prefix padded with fill (or cut) to n bytes.
func fitString(prefix string, n int, fill rune) string {
	var b strings.Builder
	b.WriteString(prefix)
	for b.Len() < n {
		b.WriteRune(fill)
	}
	s := b.String()
	if len(s) > n {
		s = s[:n]
	}
	return s
}

// KMSpec is what the km class writes into the key-material header; the
// tests read it back.
type KMSpec struct {
	Type                   handshake.ExtType
	Version, PT            uint8
	Sign                   uint16
	KK                     uint8
	KEKI                   uint32
	Cipher, Auth, SE       uint8
	SLen, KLen             int // in bytes, as written (SLen/4, KLen/4)
	Len                    int // total length of the message before padding
	FieldsChanged, Resized bool
}

// kmHeader writes s into the 16-byte key-material header at b
// (haicrypt/hcrypt_msg.h: HCRYPT_MSG_KM_OFS_*).
func (s *KMSpec) kmHeader(b []byte) {
	b[0] = s.Version<<4 | s.PT&0xF
	binary.BigEndian.PutUint16(b[1:], s.Sign)
	b[3] = b[3]&^3 | s.KK&3
	binary.BigEndian.PutUint32(b[4:], s.KEKI)
	b[8], b[9], b[10] = s.Cipher, s.Auth, s.SE
	b[14], b[15] = byte(s.SLen/4), byte(s.KLen/4)
}

// kmLengths are total key-material lengths the km class tries, around the
// valid ones (40, 48, 56, 64, 72, 88, 104) and libsrt's 104-byte buffer.
var kmLengths = []int{4, 8, 12, 15, 16, 17, 20, 24, 28, 32, 40, 44, 48, 56, 64, 72, 80, 88, 96, 100, 104, 105, 108, 112, 128, 200, 256, 512, 1024, 1400}

func kmVariant(r *rand.Rand, e *Env) (KMSpec, []byte) {
	klen := pick(r, 16, 24, 32)
	kk := pick(r, handshake.KeyEven, handshake.KeyOdd, handshake.KeyBoth)
	cipher := pick(r, handshake.CipherAESCTR, handshake.CipherAESGCM)
	v := kmValue(e.seal(r, klen, kk, cipher))
	s := KMSpec{Type: handshake.ExtKMReq, Version: 1, PT: 2, Sign: handshake.KMSign, KK: uint8(kk),
		Cipher: uint8(cipher), Auth: v[9], SE: v[10], SLen: 16, KLen: klen, Len: len(v)}
	if r.IntN(8) == 0 {
		s.Type = handshake.ExtKMRsp
	}
	if r.IntN(3) != 0 {
		s.FieldsChanged = true
		for k := 1 + r.IntN(3); k > 0; k-- {
			switch r.IntN(9) {
			case 0:
				s.SLen = 4 * pick(r, 0, 1, 2, 3, 5, 8, 15, 63)
			case 1:
				s.KLen = 4 * pick(r, 0, 1, 2, 4, 5, 6, 7, 8, 9, 16, 63)
			case 2:
				s.KK = uint8(r.IntN(4))
			case 3:
				s.Cipher = uint8(pick(r, 0, 1, 2, 3, 4, 5, 255))
			case 4:
				s.Auth = uint8(pick(r, 0, 1, 2, 255))
			case 5:
				s.SE = uint8(pick(r, 0, 1, 2, 3, 255))
			case 6:
				s.Version, s.PT = uint8(r.IntN(16)), uint8(r.IntN(16))
			case 7:
				s.Sign = uint16(r.Uint32())
			default:
				s.KEKI = pick(r, 1, 0xFFFFFFFF, r.Uint32())
			}
		}
		s.kmHeader(v)
	}
	if r.IntN(2) == 0 {
		s.Resized = true
		s.Len = pick(r, kmLengths...)
		if r.IntN(4) == 0 {
			s.Len = 4 + r.IntN(1397)
		}
		if s.Len <= len(v) {
			v = v[:s.Len]
		} else {
			v = append(v, randBytes(r, s.Len-len(v))...)
		}
	}
	return s, v
}

func mutKM(r *rand.Rand, m *Conclusion, e *Env) string {
	s, v := kmVariant(r, e)
	blk := Block{Type: s.Type, Value: v}
	if i := m.Index(handshake.ExtKMReq); i >= 0 {
		m.Blocks[i] = blk
	} else {
		m.Insert(r.IntN(len(m.Blocks)+1), blk)
	}
	if r.IntN(2) == 0 {
		m.HS.Encryption = uint16(s.KLen / 8)
	}
	return fmt.Sprintf("%v %d bytes: v%d pt%d sign 0x%04x kk %d keki %d cipher %d auth %d se %d slen %d klen %d",
		s.Type, s.Len, s.Version, s.PT, s.Sign, s.KK, s.KEKI, s.Cipher, s.Auth, s.SE, s.SLen, s.KLen)
}

// filterStrings are packet-filter configurations: libsrt's built-in "fec"
// with good, bad and absurd parameters (srtcore/fec.cpp FECFilterBuiltin
// and srtcore/packetfilter.cpp ParseFilterConfig).
var filterStrings = []string{
	"fec", "fec,cols:4,rows:2", "fec,cols:10", "fec,cols:0", "fec,cols:0,rows:0", "fec,cols:-1",
	"fec,cols:4,rows:-4", "fec,cols:1,rows:1", "fec,cols:99999999999,rows:1", "fec,cols:4,rows:2,layout:staircase",
	"fec,cols:4,layout:even", "fec,cols:4,layout:bogus", "fec,cols:4,arq:always", "fec,cols:4,arq:never",
	"fec,cols:4,arq:onreq", "fec,cols:4,arq:bogus", "fec,cols:", "fec,:", ":", ",", ",,,,", "fec,,",
	"fec,cols:4,cols:5", "fec,cols:4,rows:2,rows:3", "unknown", "fec,unknownkey:1", "FEC,cols:4",
	"fec,cols:4,rows:2,layout:staircase,arq:onreq,extra:1", "fec,cols:4\x00rows:2",
	"fec,cols:65536,rows:65536", "fec,cols:2147483647,rows:2147483647", "fec,cols:4,rows:2 ",
}

func mutFilter(r *rand.Rand, m *Conclusion, e *Env) string {
	var s string
	switch r.IntN(8) {
	case 0, 1:
		s = fitString("fec,cols:4,rows:2,layout:staircase,arq:", pick(r, 60, 63, 64, 65, 68, 100, 300), '9')
	case 2, 3:
		s = string(randBytes(r, 1+r.IntN(70)))
	case 4:
		// A NUL first: the block is not empty, the C string is.
		s = "\x00" + pick(r, "", "fec", "fec,cols:4,rows:2", string(randBytes(r, r.IntN(8))))
	default:
		s = pick(r, filterStrings...)
	}
	blk := Block{Type: handshake.ExtFilter, Value: stringValue(s)}
	if i := m.Index(handshake.ExtFilter); i >= 0 {
		m.Blocks[i] = blk
	} else {
		m.Insert(r.IntN(len(m.Blocks)+1), blk)
	}
	return fmt.Sprintf("FILTER %q", clip(s, 48))
}

func mutCongestion(r *rand.Rand, m *Conclusion, e *Env) string {
	s := pick(r, "live", "file", "LIVE", "flow", "file\x00x", "lived", "l", "filefilefilefile",
		"filefilefilefilef", strings.Repeat("c", 40), string(randBytes(r, 1+r.IntN(24))))
	blk := Block{Type: handshake.ExtCongestion, Value: stringValue(s)}
	if r.IntN(8) == 0 {
		blk.Value = nil // a zero-length block
	}
	if i := m.Index(handshake.ExtCongestion); i >= 0 {
		m.Blocks[i] = blk
	} else {
		m.Insert(r.IntN(len(m.Blocks)+1), blk)
	}
	return fmt.Sprintf("CONGESTION %q (%d words)", clip(s, 48), blk.honestWords())
}

func mutGroup(r *rand.Rand, m *Conclusion, e *Env) string {
	g := handshake.Group{ID: r.Uint32() | handshake.GroupMask, Type: handshake.GroupType(3 + r.IntN(253)),
		Flags: uint8(pick(r, 0, 1, 0xFF, r.IntN(256))), Weight: uint16(r.Uint32())}
	if r.IntN(3) == 0 {
		g.Type = pick(r, handshake.GroupBalancing, handshake.GroupMulticast, 5, 0xFF)
	}
	if r.IntN(4) == 0 {
		g.ID &^= handshake.GroupMask
	}
	v := groupValue(g)
	what := "GROUP"
	switch r.IntN(4) {
	case 0:
		v, what = v[:4], "short GROUP (1 word)"
	case 1:
		v, what = append(v, randBytes(r, 4*(1+r.IntN(6)))...), "long GROUP"
	}
	m.Insert(r.IntN(len(m.Blocks)+1), Block{Type: handshake.ExtGroup, Value: v})
	if r.IntN(2) == 0 {
		m.Insert(r.IntN(len(m.Blocks)+1), Block{Type: handshake.ExtGroup, Value: groupValue(g)})
		what += " twice"
	}
	return fmt.Sprintf("%s type %d id 0x%08x flags 0x%02x weight %d", what, g.Type, g.ID, g.Flags, g.Weight)
}

// oldVersions are SRT versions below 1.3.0, the first with HSv5 (libsrt
// rejects an HSv5 caller announcing one: srtcore/core.cpp
// CUDT::processSrtMsg_HSREQ).
var oldVersions = []handshake.SRTVersion{0, 1, 0x000100, handshake.MakeSRTVersion(1, 0, 0), handshake.MakeSRTVersion(1, 0, 7),
	handshake.MakeSRTVersion(1, 1, 0), handshake.MakeSRTVersion(1, 2, 0), handshake.MakeSRTVersion(1, 2, 3), 0x0102FF}

func mutHSReq(r *rand.Rand, m *Conclusion, e *Env) string {
	h := e.hsreq()
	var what []string
	switch r.IntN(3) {
	case 0, 1:
		h.Version = pick(r, oldVersions...)
		if r.IntN(3) == 0 {
			h.Version = handshake.SRTVersion(r.Uint32N(0x010300))
		}
		what = append(what, "version "+h.Version.String())
	default:
		h.Version = pick(r, handshake.MakeSRTVersion(1, 3, 0), handshake.MakeSRTVersion(1, 9, 9),
			handshake.MakeSRTVersion(2, 0, 0), 0xFFFFFF, 0xFFFFFFFF, handshake.SRTVersion(r.Uint32()))
		what = append(what, "version "+h.Version.String())
	}
	if r.IntN(2) == 0 {
		h.Flags = pick(r, 0, 0xFFFFFFFF, handshake.SRTFlags(r.Uint32()), h.Flags^handshake.FlagStream,
			h.Flags&^handshake.FlagCrypt, h.Flags^handshake.SRTFlags(1<<r.IntN(32)))
		what = append(what, "flags "+h.Flags.String())
	}
	if r.IntN(3) == 0 {
		h.RecvDelay, h.SendDelay = uint16(pick(r, 0, 0xFFFF, r.IntN(0x10000))), uint16(pick(r, 0, 0xFFFF, r.IntN(0x10000)))
		what = append(what, fmt.Sprintf("delays %d/%d", h.RecvDelay, h.SendDelay))
	}
	i := m.Index(handshake.ExtHSReq)
	m.Blocks[i].Value = hsreqValue(h)
	return "HSREQ " + strings.Join(what, ", ")
}

func mutEncryption(r *rand.Rand, m *Conclusion, e *Env) string {
	for old := m.HS.Encryption; m.HS.Encryption == old; {
		m.HS.Encryption = pick[uint16](r, 1, 5, 7, 1, 5, 7, 6, 8, 0xFF, 0xFFFF, 0, 2, 3, 4)
	}
	what := ""
	if r.IntN(2) == 0 && m.Index(handshake.ExtKMReq) < 0 {
		m.Blocks = append(m.Blocks, Block{Type: handshake.ExtKMReq,
			Value: kmValue(e.seal(r, pick(r, 16, 24, 32), handshake.KeyEven, handshake.CipherAESCTR))})
		what = " with a KMREQ"
	}
	return fmt.Sprintf("Encryption %d%s", m.HS.Encryption, what)
}

func mutFixed(r *rand.Rand, m *Conclusion, e *Env) string {
	switch r.IntN(9) {
	case 0:
		m.HS.Version = pick[uint32](r, 0, 1, 2, 3, 4, 6, 7, 0xFFFFFFFF)
		return fmt.Sprintf("version %d", m.HS.Version)
	case 1:
		m.HS.MTU = pick[uint32](r, 0, 1, 31, 32, 33, 75, 76, 77, 1501, 9000, 65535, 0x80000000, 0xFFFFFFFF)
		return fmt.Sprintf("MSS %d", m.HS.MTU)
	case 2:
		m.HS.FlowWindow = pick[uint32](r, 0, 1, 2, 3, 25600, 0x7FFFFFFF, 0xFFFFFFFF)
		return fmt.Sprintf("flow window %d", m.HS.FlowWindow)
	case 3:
		m.HS.ISN = pick[uint32](r, 0, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 0x80000000|r.Uint32())
		return fmt.Sprintf("ISN 0x%08x", m.HS.ISN)
	case 4:
		m.HS.Type = pick(r, handshake.WaveAHand, handshake.Agreement, handshake.Done, handshake.Induction, 2, -4,
			1000, 1001, 1004, 1010, 1017, 2000, 2403, 0x7FFFFFFF, -0x80000000, handshake.Type(r.Uint32()))
		return "handshake type " + m.HS.Type.String()
	case 5:
		m.HS.SocketID = pick[uint32](r, 0, 0xFFFFFFFF, 0x40000000, 0x80000000)
		return fmt.Sprintf("socket ID 0x%08x", m.HS.SocketID)
	case 6:
		m.HS.Cookie += pick[uint32](r, 1, 0xFFFFFFFF, 0x80000000)
		return "a wrong cookie"
	case 7:
		copy(m.HS.PeerIP[:], randBytes(r, 16))
		return "random Peer IP"
	default:
		// An HSv4 conclusion, or HSv5 with an HSv4 type word.
		m.HS.Version = pick[uint32](r, 4, 5)
		m.HS.Encryption, m.HS.Extension = 0, pick[uint16](r, 0, 1, 2, 3, 0xFFFF)
		if m.HS.Version == 5 && m.HS.Extension == honestFlags(m.Blocks) {
			m.HS.Version = 4 // an HSv4 caller with HSv5 blocks
		}
		m.SetFlags, m.Flags = true, m.HS.Extension
		if m.HS.Version == 4 && r.IntN(2) == 0 {
			m.Blocks = nil
		}
		return fmt.Sprintf("version %d, type word 0x%08x, %d blocks", m.HS.Version, m.HS.Extension, len(m.Blocks))
	}
}

func clip(s string, n int) string {
	if len(s) > n {
		return s[:n] + "..."
	}
	return s
}
