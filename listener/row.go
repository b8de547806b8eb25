package listener

import "strconv"

// Row names the check of a libsrt 1.5.1 listener that decided: the rows
// are numbered in the order libsrt makes the checks, and each names the
// libsrt function that makes it. RowChannel and RowAddressed come before
// the listener sees the datagram at all.
type Row uint8

// The checks, in libsrt's order.
const (
	RowNone             Row = iota
	RowChannel              // channel.cpp CChannel::recvfrom: shorter than 16 bytes, or longer than the receive buffer (MSG_TRUNC)
	RowAddressed            // queue.cpp worker_ProcessConnectionRequest: destination socket ID not 0, not for the listener
	RowClosing              // 1 processConnectRequest: listener closing
	RowNotHandshake         // 2 processConnectRequest: CIF shorter than 48 bytes, or not a HANDSHAKE
	RowInduction            // 3 processConnectRequest: INDUCTION answered with a cookie
	RowInvalid              // 4 processConnectRequest: CHandShake::valid() fails
	RowCookie               // 5 processConnectRequest: cookie neither this minute's nor the last's
	RowVersion              // 6 processConnectRequest: handshake version not 4 or 5
	RowSocketType           // 7 processConnectRequest: HSv4 with a socket type other than DGRAM
	RowRepeat               // 8 newConnection: a known caller gets its answer again
	RowBacklog              // 9 newConnection: backlog full
	RowResource             // 10 newConnection: allocation failure (never decided here)
	RowHookConfig           // 11 runAcceptHook: SID length 0 or over 512, or a GROUP while groups are off
	RowCallback             // 12 runAcceptHook: the listen callback refused
	RowHSv4MinVersion       // 13 interpretSrtHandshake: HSv4 caller, minimum version 1.3.0 or more
	RowNoExtensions         // 14 interpretSrtHandshake: HSv5 without extensions or flags, or a bad HSREQ block
	RowHSReqRogue           // 15 processSrtMsg_HSREQ: HSv5 caller with an SRT version below 1.3.0
	RowMinVersion           // 16 processSrtMsg_HSREQ: SRT version below SRTO_MINVERSION
	RowMessageAPI           // 17 processSrtMsg_HSREQ: STREAM flag disagrees with SRTO_MESSAGEAPI
	RowNoSecretEnforced     // 18 interpretSrtHandshake: KMREQ flag, no passphrase, encryption enforced
	RowNoKMBlock            // 19 interpretSrtHandshake: KMREQ flag but the walk hits a broken block first
	RowCryptoMode           // 20 interpretSrtHandshake: KM state BADCRYPTOMODE (AEAD builds from 1.5.2 only)
	RowKMFailed             // 21 interpretSrtHandshake: key material unusable, encryption enforced
	RowPeerNoKM             // 22 interpretSrtHandshake: passphrase set, caller sent no key material, encryption enforced
	RowConfigRogue          // 23 interpretSrtHandshake: a second CONGESTION block, a short GROUP block
	RowConfigLength         // 24 interpretSrtHandshake: SID, CONGESTION or FILTER length 0 or too long
	RowCongestion           // 25 interpretSrtHandshake: congestion controllers differ
	RowFilter               // 26 interpretSrtHandshake, checkApplyFilterConfig: a second FILTER, a bad or incompatible one
	RowGroup                // 27 interpretGroup: group type unknown, groups off (ENABLE_BONDING builds)
	RowSetup                // 28 setupCC: the packet filter cannot be created
	RowAccept               // accepted: acceptAndRespond sends the CONCLUSION answer
	rowCount
)

var rowText = [rowCount]string{
	RowNone:             "none",
	RowChannel:          "channel.cpp CChannel::recvfrom: datagram shorter than 16 bytes or longer than the receive buffer",
	RowAddressed:        "queue.cpp CRcvQueue::worker_ProcessConnectionRequest: destination socket ID is not 0",
	RowClosing:          "row 1 CUDT::processConnectRequest: the listener is closing",
	RowNotHandshake:     "row 2 CUDT::processConnectRequest: not a HANDSHAKE of at least 48 bytes",
	RowInduction:        "row 3 CUDT::processConnectRequest: INDUCTION answered with a cookie",
	RowInvalid:          "row 4 CHandShake::valid: version < 4, ISN out of range, MSS < 32 or flow window < 2",
	RowCookie:           "row 5 CUDT::processConnectRequest: cookie not baked for this caller this minute or the last",
	RowVersion:          "row 6 CUDT::processConnectRequest: handshake version is not 4 or 5",
	RowSocketType:       "row 7 CUDT::processConnectRequest: HSv4 socket type is not DGRAM",
	RowRepeat:           "row 8 CUDTUnited::newConnection: known caller, its answer is sent again",
	RowBacklog:          "row 9 CUDTUnited::newConnection: the backlog is full",
	RowResource:         "row 10 CUDTUnited::newConnection: allocation failure",
	RowHookConfig:       "row 11 CUDT::runAcceptHook: SID length 0 or over 512 bytes, or a GROUP while groups are off",
	RowCallback:         "row 12 CUDT::runAcceptHook: the listen callback refused the caller",
	RowHSv4MinVersion:   "row 13 CUDT::interpretSrtHandshake: HSv4 caller while SRTO_MINVERSION >= 1.3.0",
	RowNoExtensions:     "row 14 CUDT::interpretSrtHandshake: HSv5 without extensions, without flags, or with a broken HSREQ",
	RowHSReqRogue:       "row 15 CUDT::processSrtMsg_HSREQ: HSv5 caller announcing SRT older than 1.3.0",
	RowMinVersion:       "row 16 CUDT::processSrtMsg_HSREQ: caller's SRT version below SRTO_MINVERSION",
	RowMessageAPI:       "row 17 CUDT::processSrtMsg_HSREQ: the STREAM flag disagrees with SRTO_MESSAGEAPI",
	RowNoSecretEnforced: "row 18 CUDT::interpretSrtHandshake: caller sends key material, listener has no passphrase, encryption enforced",
	RowNoKMBlock:        "row 19 CUDT::interpretSrtHandshake: KMREQ flag set but no KMREQ block before a broken one",
	RowCryptoMode:       "row 20 CUDT::interpretSrtHandshake: KM state BADCRYPTOMODE",
	RowKMFailed:         "row 21 CUDT::interpretSrtHandshake, CCryptoControl::processSrtMsg_KMREQ: key material unusable, encryption enforced",
	RowPeerNoKM:         "row 22 CUDT::interpretSrtHandshake: listener has a passphrase, caller sent no key material, encryption enforced",
	RowConfigRogue:      "row 23 CUDT::interpretSrtHandshake: a second CONGESTION block or a short GROUP block",
	RowConfigLength:     "row 24 CUDT::interpretSrtHandshake: SID, CONGESTION or FILTER block empty or too long",
	RowCongestion:       "row 25 CUDT::interpretSrtHandshake: congestion controllers differ",
	RowFilter:           "row 26 CUDT::checkApplyFilterConfig: a second, unparsable or incompatible FILTER",
	RowGroup:            "row 27 CUDT::interpretGroup: group type unknown or groups not allowed",
	RowSetup:            "row 28 CUDT::setupCC: the packet filter cannot be created",
	RowAccept:           "row 29 CUDT::acceptAndRespond: accepted, CONCLUSION answered",
}

// String returns what the check is, with its row number and the libsrt
// function that makes it. It does not allocate.
func (r Row) String() string {
	if r < rowCount {
		return rowText[r]
	}
	return "Row(" + strconv.Itoa(int(r)) + ")"
}

// Number returns the row's position in libsrt's order of checks (1-28;
// 29 for RowAccept), 0 for RowChannel and RowAddressed.
func (r Row) Number() int {
	switch {
	case r >= RowClosing && r <= RowAccept:
		return int(r-RowClosing) + 1
	}
	return 0
}
