package handshake

import (
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"
)

// SRTVersion is an SRT library version as carried in HSREQ/HSRSP:
// major<<16 | minor<<8 | patch (1.5.1 = 0x010501).
type SRTVersion uint32

// MakeSRTVersion returns the SRTVersion for major.minor.patch.
func MakeSRTVersion(major, minor, patch uint8) SRTVersion {
	return SRTVersion(uint32(major)<<16 | uint32(minor)<<8 | uint32(patch))
}

// Major returns the major version number.
func (v SRTVersion) Major() int { return int(v>>16) & 0xFF }

// Minor returns the minor version number.
func (v SRTVersion) Minor() int { return int(v>>8) & 0xFF }

// Patch returns the patch version number.
func (v SRTVersion) Patch() int { return int(v) & 0xFF }

// AppendTo appends "major.minor.patch" to b.
func (v SRTVersion) AppendTo(b []byte) []byte {
	b = strconv.AppendInt(b, int64(v.Major()), 10)
	b = append(b, '.')
	b = strconv.AppendInt(b, int64(v.Minor()), 10)
	b = append(b, '.')
	return strconv.AppendInt(b, int64(v.Patch()), 10)
}

// String returns "major.minor.patch".
func (v SRTVersion) String() string {
	var buf [16]byte
	return string(v.AppendTo(buf[:0]))
}

// SRTFlags are the SRT option flags of an HSREQ/HSRSP (libsrt SrtOptions).
type SRTFlags uint32

// SRT option flags.
const (
	FlagTSBPDSnd    SRTFlags = 0x01 // SRT_OPT_TSBPDSND: the sender uses timestamp-based delivery
	FlagTSBPDRcv    SRTFlags = 0x02 // SRT_OPT_TSBPDRCV: the receiver uses timestamp-based delivery
	FlagCrypt       SRTFlags = 0x04 // SRT_OPT_HAICRYPT: encryption capability (always set)
	FlagTLPktDrop   SRTFlags = 0x08 // SRT_OPT_TLPKTDROP: too-late packet drop
	FlagPeriodicNAK SRTFlags = 0x10 // SRT_OPT_NAKREPORT: periodic NAK reports
	FlagRexmit      SRTFlags = 0x20 // SRT_OPT_REXMITFLG: the data header's R bit is in use
	FlagStream      SRTFlags = 0x40 // SRT_OPT_STREAM: stream (buffer) API rather than message API
	FlagFilterCap   SRTFlags = 0x80 // SRT_OPT_FILTERCAP: packet-filter capability (always set)
)

var srtFlagNames = [8]string{"TSBPDSND", "TSBPDRCV", "CRYPT", "TLPKTDROP", "PERIODICNAK", "REXMITFLG", "STREAM", "FILTERCAP"}

// Names appends the names of the set flags to dst, in bit order, and
// returns it. Bits above 7 are named "0x..." by their value.
func (f SRTFlags) Names(dst []string) []string {
	for i := 0; i < 8; i++ {
		if f&(1<<i) != 0 {
			dst = append(dst, srtFlagNames[i])
		}
	}
	if rest := f &^ 0xFF; rest != 0 {
		dst = append(dst, "0x"+strconv.FormatUint(uint64(rest), 16))
	}
	return dst
}

// String returns the set flags joined by "|", or "0".
func (f SRTFlags) String() string {
	if f == 0 {
		return "0"
	}
	var arr [9]string
	return strings.Join(f.Names(arr[:0]), "|")
}

// HSReq is the content of an HSREQ or HSRSP extension block, and the CIF of
// the UMSG_EXT subtypes HSREQ/HSRSP used by HSv4 peers.
type HSReq struct {
	Version SRTVersion
	Flags   SRTFlags
	// RecvDelay is the receiver TSBPD delay in ms (the upper 16 bits of the
	// third word). HSv4 leaves it 0.
	RecvDelay uint16
	// SendDelay is the sender TSBPD delay in ms (the lower 16 bits). In
	// HSv4 it is the only latency.
	SendDelay uint16
}

// HSReqSize is the encoded size of an HSREQ/HSRSP block's content.
const HSReqSize = 12

// Decode decodes an HSREQ/HSRSP content into r. It needs at least 8 bytes
// (libsrt's SRT_CMD_HSREQ_MINSZ over UMSG_EXT); with fewer than 12 the
// delays are 0. Extra words are ignored, as libsrt does. HSv5 requires 12
// bytes in a handshake extension: check len(b) yourself to enforce that.
func (r *HSReq) Decode(b []byte) error {
	*r = HSReq{}
	if len(b) < 8 {
		return ErrTruncated
	}
	r.Version = SRTVersion(binary.BigEndian.Uint32(b[0:]))
	r.Flags = SRTFlags(binary.BigEndian.Uint32(b[4:]))
	if len(b) >= 12 {
		r.RecvDelay = binary.BigEndian.Uint16(b[8:])
		r.SendDelay = binary.BigEndian.Uint16(b[10:])
	}
	return nil
}

// MarshalSize returns HSReqSize.
func (r *HSReq) MarshalSize() int { return HSReqSize }

// AppendBinary appends the 12-byte encoding of r to b.
func (r *HSReq) AppendBinary(b []byte) ([]byte, error) {
	b = binary.BigEndian.AppendUint32(b, uint32(r.Version))
	b = binary.BigEndian.AppendUint32(b, uint32(r.Flags))
	b = binary.BigEndian.AppendUint16(b, r.RecvDelay)
	return binary.BigEndian.AppendUint16(b, r.SendDelay), nil
}

// ParseSRTVersion reads an SRT version as SRTVersion.String writes it
// ("1.5.1"), or as a number in any base strconv accepts (0x010501). An
// empty string is 1.0.0, the lowest version libsrt compares against.
func ParseSRTVersion(s string) (SRTVersion, error) {
	if s == "" {
		return MakeSRTVersion(1, 0, 0), nil
	}
	if p := strings.Split(s, "."); len(p) == 3 {
		var v [3]uint8
		for i, x := range p {
			n, err := strconv.ParseUint(x, 10, 8)
			if err != nil {
				return 0, fmt.Errorf("%w: SRT version %q: want major.minor.patch", ErrBadValue, s)
			}
			v[i] = uint8(n)
		}
		return MakeSRTVersion(v[0], v[1], v[2]), nil
	}
	n, err := strconv.ParseUint(s, 0, 32)
	if err != nil {
		return 0, fmt.Errorf("%w: SRT version %q: want major.minor.patch or a number", ErrBadValue, s)
	}
	return SRTVersion(n), nil
}
