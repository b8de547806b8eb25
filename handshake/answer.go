package handshake

import "github.com/srtwire/srtwire/reject"

// InductionResponse returns the handshake a libsrt listener sends in answer
// to the caller's INDUCTION req (srtcore/core.cpp, CUDT::processConnectRequest):
// req's fixed fields echoed (the caller's socket ID, ISN, MTU, flow window
// and Peer IP), Version 5, the Encryption field set to the listener's key
// length (keyLen 16, 24 or 32 bytes; 0 advertises none), the Extension
// field set to the HSv5 magic 0x4A17, and the SYN cookie.
//
// Unlike libsrt 1.5.1, which also echoes whatever follows the 48-byte CIF
// up to its MSS, the response carries no extension blocks: a libsrt caller
// reads none, and echoing them would let a spoofer bounce chosen bytes off
// the listener. Send it in a packet whose DstSocket is req.SocketID.
func InductionResponse(req *Handshake, cookie uint32, keyLen int) Handshake {
	r := *req
	r.Ext = nil
	r.Version = Version5
	r.Encryption = uint16(keyLen / 8)
	r.Extension = MagicHSv5
	r.Cookie = cookie
	return r
}

// Rejection returns the handshake a libsrt listener sends to refuse the
// CONCLUSION req with reason r (srtcore/core.cpp, CUDT::processConnectRequest
// after a failed acceptance): req's fixed fields echoed, the caller's
// socket ID included, with Type = 1000 + r and no extension blocks. Send it
// in a packet whose DstSocket is req.SocketID. HSv4 callers (Version < 5)
// know no rejection codes; libsrt sends them a SHUTDOWN instead.
func Rejection(req *Handshake, r reject.Reason) Handshake {
	h := *req
	h.Ext = nil
	h.Type = RejectionType(r)
	return h
}
