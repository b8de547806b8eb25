package handshake_test

import (
	"encoding/hex"
	"errors"
	"fmt"
	"net/netip"

	"github.com/srtwire/srtwire/handshake"
	"github.com/srtwire/srtwire/packet"
	"github.com/srtwire/srtwire/reject"
)

// Read why a connection was rejected from a captured datagram: the
// listener's answer in s05_app_reject_1403.pcap, frame 4.
func Example_whyRejected() {
	datagram, _ := hex.DecodeString("80000000000000000004a1f41eb20fac" + // 16-byte header
		"000000050000000535cebaff000005dc00002000000009631eb20fac20f6563c0100007f000000000000000000000000")
	var hs handshake.Handshake
	if err := hs.Decode(datagram[16:]); err != nil {
		fmt.Println("bad handshake:", err)
		return
	}
	if r, ok := hs.Type.Reason(); ok {
		fmt.Printf("rejected: %s (code %d, wire %d)\n", r.Name(), int32(r), hs.Type)
		fmt.Println("libsrt says:", r.Text())
		fmt.Println("retry may help:", r.Retryable())
	}
	// Output:
	// rejected: SRT_REJX_FORBIDDEN (code 1403, wire 2403)
	// libsrt says: Resource access forbidden
	// retry may help: false
}

// Build the handshake a listener sends to reject a caller's CONCLUSION:
// the caller's fields echoed, the Handshake Type set to 1000 + reason.
func Example_buildRejection() {
	caller := handshake.Handshake{Version: 5, Extension: uint16(handshake.FlagHSReq), ISN: 902740735,
		MTU: 1500, FlowWindow: 8192, Type: handshake.Conclusion, SocketID: 0x1eb20fac, Cookie: 0x20f6563c}
	_ = caller.SetPeerAddr(netip.MustParseAddr("127.0.0.1"))

	answer := handshake.Rejection(&caller, reject.Forbidden) // no extension blocks, Type 1000 + reason
	cif, _ := answer.AppendBinary(nil)
	fmt.Println(len(cif), "bytes, type", int32(answer.Type), answer.Type)
	// Output: 48 bytes, type 2403 REJECT(SRT_REJX_FORBIDDEN)
}

// Parse a caller's Stream ID and pick the reason to reject it with.
func ExampleParseStreamID() {
	for _, s := range []string{"#!::r=live/feed1,m=publish,u=alice", "#!::r=live/feed1,m=play", "#!::u=bob,x=1"} {
		sid, err := handshake.ParseStreamID(s)
		var r reject.Reason
		if errors.As(err, &r) {
			fmt.Printf("%-36s reject with %s (wire %d)\n", s, r.Name(), handshake.RejectionType(r))
			continue
		}
		fmt.Printf("%-36s accept: user %s, resource %s, mode %s\n", s, sid.User(), sid.Resource(), sid.Mode())
	}
	// Output:
	// #!::r=live/feed1,m=publish,u=alice   accept: user alice, resource live/feed1, mode publish
	// #!::r=live/feed1,m=play              reject with SRT_REJX_BAD_MODE (wire 2405)
	// #!::u=bob,x=1                        reject with SRT_REJX_KEY_NOTSUP (wire 2001)
}

// Walk the extension blocks of a CONCLUSION.
func ExampleHandshake_Extensions() {
	hs := handshake.Handshake{Version: 5, Type: handshake.Conclusion}
	b := handshake.NewBuilder(nil, &hs)
	b.AddHSReq(handshake.ExtHSReq, handshake.HSReq{Version: handshake.MakeSRTVersion(1, 5, 1), Flags: 0xBF, RecvDelay: 120})
	b.AddString(handshake.ExtSID, "#!::r=live/feed1")
	cif, _ := b.Finish()

	_ = hs.Decode(cif)
	it := hs.Extensions()
	for it.Next() {
		switch it.Type() {
		case handshake.ExtHSReq:
			var r handshake.HSReq
			_ = r.Decode(it.Value())
			fmt.Println(it.Type(), "version", r.Version, "latency", r.RecvDelay, "flags", r.Flags)
		case handshake.ExtSID:
			fmt.Printf("%s %q (%d words)\n", it.Type(), handshake.AppendString(nil, it.Value()), it.Words())
		}
	}
	if err := it.Err(); err != nil {
		fmt.Println(err)
	}
	// Output:
	// HSREQ version 1.5.1 latency 120 flags TSBPDSND|TSBPDRCV|CRYPT|TLPKTDROP|PERIODICNAK|REXMITFLG|FILTERCAP
	// SID "#!::r=live/feed1" (4 words)
}

// Build a caller's whole CONCLUSION datagram in one pass into one buffer:
// the 16-byte packet header with packet.Header.AppendBinary, then the CIF
// and its extension blocks with a Builder appending to the same slice.
func ExampleNewBuilder() {
	hdr := packet.Header{Control: true, Type: packet.TypeHandshake, Timestamp: 1200}
	hs := handshake.Handshake{Version: handshake.Version5, ISN: 902740735, MTU: 1500, FlowWindow: 8192,
		Type: handshake.Conclusion, SocketID: 0x1eb20fac, Cookie: 0x20f6563c}
	_ = hs.SetPeerAddr(netip.MustParseAddr("127.0.0.1"))

	buf := make([]byte, 0, 1500) // one buffer, reused for every datagram
	buf, _ = hdr.AppendBinary(buf)
	b := handshake.NewBuilder(buf, &hs)
	b.AddHSReq(handshake.ExtHSReq, handshake.HSReq{Version: handshake.MakeSRTVersion(1, 5, 1),
		Flags: handshake.SRTFlags(0xBF), RecvDelay: 120, SendDelay: 120})
	b.AddString(handshake.ExtSID, "#!::r=live/feed1,m=publish")
	datagram, err := b.Finish() // sets the HSREQ and CONFIG flags in the Extension field
	if err != nil {
		fmt.Println(err)
		return
	}

	var p packet.Packet
	if err := p.Decode(datagram); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(len(datagram), "bytes:", p.Kind(), p.Handshake.Type, p.Handshake.Flags())
	fmt.Println("stream id:", p.Handshake.StreamID())
	// Output:
	// 112 bytes: handshake CONCLUSION HSREQ|CONFIG
	// stream id: #!::r=live/feed1,m=publish
}
