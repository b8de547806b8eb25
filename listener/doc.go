// Package listener decides, without doing any I/O, what a libsrt 1.5.1
// listener answers to each datagram a caller sends it: nothing, an
// INDUCTION answer with a SYN cookie, a rejection with the exact reason
// libsrt would give, or the CONCLUSION answer that accepts the caller
// (HSRSP with the negotiated latencies and flags, KMRSP, CONGESTION and
// FILTER as libsrt writes them, byte for byte but for the random socket ID
// and the timestamp). Decide takes a Config (libsrt's socket options and
// listen callback), the datagram, its source and the time; Decision.Why
// names the libsrt check that decided (see Row).
//
// The checks follow libsrt's srtcore/queue.cpp
// (CRcvQueue::worker_ProcessConnectionRequest), srtcore/core.cpp
// (CUDT::processConnectRequest, runAcceptHook, acceptAndRespond,
// interpretSrtHandshake, processSrtMsg_HSREQ, checkApplyFilterConfig,
// setupCC), srtcore/api.cpp (CUDTUnited::newConnection) and
// srtcore/crypto.cpp (CCryptoControl::processSrtMsg_KMREQ) with haicrypt's
// key-material parsing, as they are in the v1.5.1 tag. Where later
// versions differ, 1.5.1 wins; Config.Version selects the one difference
// that is an option (a callback's refusal without a reason), and the
// others are noted where they apply:
//
//   - A listen callback that refuses without a reason: 1.5.1 sends
//     SRT_REJ_UNKNOWN (wire 1000, which 1.5.1 callers read as ROGUE);
//     1.5.2 and later preset SRT_REJX_FALLBACK (wire 2000).
//   - Key material with a cipher other than AES-CTR: 1.5.1's haicrypt
//     knows no other, so the state is NOSECRET and an enforcing listener
//     rejects with UNSECURE; AEAD builds of 1.5.2 and later accept AES-GCM
//     and report a cipher-mode mismatch as BADCRYPTOMODE (SRT_REJ_CRYPTO).
//   - GROUP blocks are skipped, since Debian's libsrt is built without
//     ENABLE_BONDING (Config.Bonding models a bonding build's checks, but
//     its answer carries no GROUP block).
//   - libsrt 1.5.1 copies a KMREQ block into a 104-byte buffer without a
//     bound (srtcore/crypto.cpp processSrtMsg_KMREQ); a longer one is
//     undefined behaviour there and a NOSECRET state here.
//   - libsrt echoes whatever follows the 48-byte CIF of an INDUCTION; the
//     answer here never carries more than 48 bytes (handshake.InductionResponse).
//
// Decide makes no allocation when the answer fits in the buffer given and
// the Config has no passphrase, no callback and no Peers table. With a
// passphrase the KEK is cached per salt (crypt.KEKCache), so a CONCLUSION
// costs one RFC 3394 unwrap.
//
// The SYN cookies come from a CookieBaker: a keyed hash of the caller's
// address and port and the minute, the current and the previous minute
// accepted, as libsrt's CUDT::bake does; a wrong cookie is ignored.
//
// The package imports only the standard library and srtwire's codec
// packages (crypt, handshake, packet, reject). Decide is safe for concurrent
// use when the Config's callback is; CookieBaker and Peers are safe for
// concurrent use.
package listener
