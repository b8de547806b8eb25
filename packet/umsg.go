package packet

import "github.com/srtwire/srtwire/handshake"

// UMSG_EXT (TypeUserDefined) packets keep their CIF as a raw view in
// Packet.CIF; the accessors below decode it according to the Subtype.

// HSReq decodes the CIF of a UMSG_EXT HSREQ or HSRSP packet (the HSv4
// handshake extension) into r. It returns ErrWrongType for any other
// packet, ErrBadLength when the CIF is longer than handshake.KMMaxSize (libsrt's SRT_CMD_MAXSZ), and the
// errors of handshake.HSReq.Decode (which accepts 8 bytes or more).
func (p *Packet) HSReq(r *handshake.HSReq) error {
	if !p.Control || p.Type != TypeUserDefined || (p.Subtype != SubtypeHSReq && p.Subtype != SubtypeHSRsp) {
		*r = handshake.HSReq{}
		return ErrWrongType
	}
	if len(p.CIF) > handshake.KMMaxSize {
		*r = handshake.HSReq{}
		return ErrBadLength
	}
	return r.Decode(p.CIF)
}

// KeyMaterial decodes the CIF of a UMSG_EXT KMREQ or KMRSP packet that
// carries key material (the HSv4 key exchange, and the HSv5 in-band key
// refresh) into k. Salt and WrappedKeys of k are views into the decoded
// input. It returns ErrWrongType for any other packet, and the errors of
// handshake.KeyMaterial.Decode; a KMRSP that reports a state instead of
// echoing the key material (see IsKMState) gives handshake.ErrKMState, as
// handshake.Handshake.KeyMaterial does for the same block.
func (p *Packet) KeyMaterial(k *handshake.KeyMaterial) error {
	if !p.Control || p.Type != TypeUserDefined || (p.Subtype != SubtypeKMReq && p.Subtype != SubtypeKMRsp) {
		*k = handshake.KeyMaterial{}
		return ErrWrongType
	}
	if p.Subtype == SubtypeKMRsp && handshake.IsKMState(p.CIF) {
		*k = handshake.KeyMaterial{}
		return handshake.ErrKMState
	}
	return k.Decode(p.CIF)
}

// IsKMState reports whether p is a UMSG_EXT KMRSP that reports a
// key-material state rather than echoing the key material (the rule of
// handshake.IsKMState).
func (p *Packet) IsKMState() bool {
	return p.Control && p.Type == TypeUserDefined && p.Subtype == SubtypeKMRsp && handshake.IsKMState(p.CIF)
}

// KMState returns the key-material state of a UMSG_EXT KMRSP whose CIF is
// the 4-byte failure word (libsrt writes it little-endian; see
// handshake.DecodeKMState). It returns ErrWrongType for a packet that is
// not a KMRSP and ErrBadLength when the CIF is not a state (see IsKMState).
func (p *Packet) KMState() (handshake.KMState, error) {
	if !p.Control || p.Type != TypeUserDefined || p.Subtype != SubtypeKMRsp {
		return 0, ErrWrongType
	}
	if !handshake.IsKMState(p.CIF) {
		return 0, ErrBadLength
	}
	return handshake.DecodeKMState(p.CIF)
}
