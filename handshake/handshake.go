package handshake

import (
	"encoding/binary"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/srtwire/srtwire/internal/clone"
)

// CIFSize is the size of the fixed part of the handshake CIF, in bytes.
const CIFSize = 48

// Handshake versions (the Version field).
const (
	// Version4 is the UDT-style handshake (HSv4). An HSv5 caller still
	// sends it in its INDUCTION request.
	Version4 = 4
	// Version5 is the SRT handshake (HSv5, SRT >= 1.3.0).
	Version5 = 5
)

// MagicHSv5 is the value an HSv5 listener puts in the Extension field of
// its INDUCTION response (SrtHSRequest::SRT_MAGIC_CODE).
const MagicHSv5 = 0x4A17

// SocketTypeDGRAM is the UDT socket type a caller's HSv4-shaped INDUCTION
// carries in the whole Type word (Encryption 0, Extension 2).
const SocketTypeDGRAM = 2

// ExtFlags is the Extension field of an HSv5 handshake: which families of
// extension blocks follow the fixed part.
type ExtFlags uint16

// Extension field flags (CHandShake::HS_EXT_*).
const (
	// FlagHSReq announces an HSREQ or HSRSP block.
	FlagHSReq ExtFlags = 1
	// FlagKMReq announces a KMREQ or KMRSP block.
	FlagKMReq ExtFlags = 2
	// FlagConfig announces SID, CONGESTION, FILTER and/or GROUP blocks.
	FlagConfig ExtFlags = 4
)

// String returns the set flags joined by "|" ("HSREQ|KMREQ"), "MAGIC" for
// 0x4A17, or "0" when none is set.
func (f ExtFlags) String() string {
	if f == MagicHSv5 {
		return "MAGIC"
	}
	if f == 0 {
		return "0"
	}
	var b strings.Builder
	add := func(s string) {
		if b.Len() > 0 {
			b.WriteByte('|')
		}
		b.WriteString(s)
	}
	if f&FlagHSReq != 0 {
		add("HSREQ")
	}
	if f&FlagKMReq != 0 {
		add("KMREQ")
	}
	if f&FlagConfig != 0 {
		add("CONFIG")
	}
	if rest := f &^ (FlagHSReq | FlagKMReq | FlagConfig); rest != 0 {
		add("0x" + strconv.FormatUint(uint64(rest), 16))
	}
	return b.String()
}

// Handshake is the HANDSHAKE control packet's CIF: the fixed 48-byte part
// and a view of the extension blocks that follow it.
//
// Handshake values are caller-owned: Decode overwrites every field. Ext is a
// view into the decoded input (see the package documentation).
type Handshake struct {
	Version uint32 // 4 (HSv4, and a caller's INDUCTION) or 5 (HSv5)
	// Encryption is the upper 16 bits of the Type word: the advertised
	// PBKEYLEN/8 (0 none, 2 AES-128, 3 AES-192, 4 AES-256).
	Encryption uint16
	// Extension is the lower 16 bits of the Type word: [ExtFlags], the
	// magic 0x4A17 in an INDUCTION response, or (HSv4) the socket type.
	Extension  uint16
	ISN        uint32 // initial packet sequence number (31 bits)
	MTU        uint32 // maximum transmission unit (libsrt's MSS), 1500 by default
	FlowWindow uint32 // maximum flow window size, in packets
	Type       Type   // Handshake Type, including rejections
	SocketID   uint32 // the sender's SRT socket ID (an HSv5 listener's INDUCTION answer echoes the caller's)
	Cookie     uint32 // SYN cookie
	// PeerIP holds the 16 Peer IP bytes exactly as on the wire, that is
	// with every 4-byte group byte-reversed. Use PeerAddr and SetPeerAddr.
	PeerIP [16]byte
	// Ext is the part of the CIF after the fixed 48 bytes: the extension
	// blocks, and any stray trailing bytes. Walk it with Extensions.
	Ext []byte
}

// Decode decodes a handshake CIF (the datagram after its 16-byte header)
// into h, overwriting every field. It returns ErrTruncated when cif is
// shorter than 48 bytes, and ErrExtLength when an extension block claims
// more bytes than are left; in that case the fixed fields and Ext are set,
// and Extensions yields the blocks before the faulty one.
//
// As libsrt does, Decode ignores 1 to 3 stray bytes after the fixed part or
// after the last extension block (see [ExtIter.Trailing]).
func (h *Handshake) Decode(cif []byte) error {
	if len(cif) < CIFSize {
		*h = Handshake{}
		return ErrTruncated
	}
	_ = cif[47]
	h.Version = binary.BigEndian.Uint32(cif[0:])
	h.Encryption = binary.BigEndian.Uint16(cif[4:])
	h.Extension = binary.BigEndian.Uint16(cif[6:])
	h.ISN = binary.BigEndian.Uint32(cif[8:])
	h.MTU = binary.BigEndian.Uint32(cif[12:])
	h.FlowWindow = binary.BigEndian.Uint32(cif[16:])
	h.Type = Type(binary.BigEndian.Uint32(cif[20:]))
	h.SocketID = binary.BigEndian.Uint32(cif[24:])
	h.Cookie = binary.BigEndian.Uint32(cif[28:])
	copy(h.PeerIP[:], cif[32:48])
	h.Ext = cif[CIFSize:len(cif):len(cif)]
	// Check the framing once, with the cursor's rule (blockEnd), so that a
	// lying length is reported here as Extensions reports it. A loop of its
	// own: walking the cursor here cost a CONCLUSION a fifth more.
	for ext := h.Ext; len(ext) >= 4; {
		n := blockEnd(binary.BigEndian.Uint32(ext))
		if n > len(ext) {
			return ErrExtLength
		}
		ext = ext[n:]
	}
	return nil
}

// MarshalSize returns the encoded size of h: 48 bytes plus len(h.Ext).
func (h *Handshake) MarshalSize() int { return CIFSize + len(h.Ext) }

// AppendBinary appends the encoded CIF (fixed part, then Ext as is) to b.
// It implements encoding.BinaryAppender. To build extension blocks, use
// [NewBuilder].
func (h *Handshake) AppendBinary(b []byte) ([]byte, error) {
	b = h.appendFixed(b, len(h.Ext))
	if len(h.Ext) == 0 {
		return b, nil
	}
	return append(b, h.Ext...), nil
}

// appendFixed appends the fixed part of the CIF, growing b once for it
// and extra bytes more: stores at fixed offsets, not an append per field
// (each with its capacity check), which was a third of encoding an
// INDUCTION.
func (h *Handshake) appendFixed(b []byte, extra int) []byte {
	n := len(b)
	b = slices.Grow(b, CIFSize+extra)[:n+CIFSize]
	c := b[n : n+CIFSize]
	binary.BigEndian.PutUint32(c[0:], h.Version)
	binary.BigEndian.PutUint16(c[4:], h.Encryption)
	binary.BigEndian.PutUint16(c[6:], h.Extension)
	binary.BigEndian.PutUint32(c[8:], h.ISN)
	binary.BigEndian.PutUint32(c[12:], h.MTU)
	binary.BigEndian.PutUint32(c[16:], h.FlowWindow)
	binary.BigEndian.PutUint32(c[20:], uint32(h.Type))
	binary.BigEndian.PutUint32(c[24:], h.SocketID)
	binary.BigEndian.PutUint32(c[28:], h.Cookie)
	*(*[16]byte)(c[32:]) = h.PeerIP
	return b
}

// Clone returns a copy of h whose Ext does not alias the decoded input
// (one allocation; nil stays nil and empty stays empty, as for every Clone
// of srtwire).
func (h *Handshake) Clone() Handshake {
	c := *h
	buf := make([]byte, 0, len(h.Ext))
	c.Ext = clone.Into(&buf, h.Ext)
	return c
}

// Flags returns the Extension field as extension flags. It is meaningful
// only for HSv5 messages other than the INDUCTION response (see IsHSv5Magic).
func (h *Handshake) Flags() ExtFlags { return ExtFlags(h.Extension) }

// TypeWord returns the whole 32-bit word at CIF offset 4: in HSv4 the UDT
// socket type (2 = DGRAM), in HSv5 Encryption<<16 | Extension.
func (h *Handshake) TypeWord() uint32 { return uint32(h.Encryption)<<16 | uint32(h.Extension) }

// HasMagic reports whether the Extension field holds the HSv5 magic 0x4A17,
// which an HSv5 listener sends in its INDUCTION response.
func (h *Handshake) HasMagic() bool { return h.Extension == MagicHSv5 }

// KeyLen returns the advertised key length in bytes (PBKEYLEN: 16, 24 or
// 32), or 0 when none is advertised or the value is one libsrt ignores.
func (h *Handshake) KeyLen() int {
	switch h.Encryption {
	case 2, 3, 4:
		return int(h.Encryption) * 8
	}
	return 0
}

// PeerAddr decodes the Peer IP field. libsrt writes each 4-byte group of
// the address byte-reversed; PeerAddr undoes that. When the last three
// groups are zero the address is IPv4 (so 10.0.0.0 and 1.2.3.0 decode
// correctly, and an all-zero field is 0.0.0.0); otherwise it is IPv6,
// including the IPv4-mapped form ::ffff:a.b.c.d that IPv6 sockets send
// (call Unmap to get the IPv4 address).
//
// libsrt fills in the address of the packet's receiver as the sender sees
// it, not the sender's own address.
func (h *Handshake) PeerAddr() netip.Addr {
	var a [16]byte
	for g := 0; g < 16; g += 4 {
		a[g], a[g+1], a[g+2], a[g+3] = h.PeerIP[g+3], h.PeerIP[g+2], h.PeerIP[g+1], h.PeerIP[g]
	}
	if a[4]|a[5]|a[6]|a[7]|a[8]|a[9]|a[10]|a[11]|a[12]|a[13]|a[14]|a[15] == 0 {
		return netip.AddrFrom4([4]byte{a[0], a[1], a[2], a[3]})
	}
	return netip.AddrFrom16(a)
}

// SetPeerAddr encodes addr into the Peer IP field the way libsrt does:
// IPv4 as one reversed word followed by 12 zero bytes, IPv6 (including
// IPv4-mapped addresses) as four reversed words. The zone is dropped. An
// invalid addr zeroes the field and returns ErrBadValue.
func (h *Handshake) SetPeerAddr(addr netip.Addr) error {
	h.PeerIP = [16]byte{}
	if !addr.IsValid() {
		return ErrBadValue
	}
	var a [16]byte
	if addr.Is4() {
		v4 := addr.As4()
		copy(a[:4], v4[:])
	} else {
		a = addr.As16()
	}
	for g := 0; g < 16; g += 4 {
		h.PeerIP[g], h.PeerIP[g+1], h.PeerIP[g+2], h.PeerIP[g+3] = a[g+3], a[g+2], a[g+1], a[g]
	}
	return nil
}
