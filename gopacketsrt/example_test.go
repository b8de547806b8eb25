package gopacketsrt_test

import (
	"encoding/hex"
	"fmt"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"

	"github.com/srtwire/srtwire/gopacketsrt"
)

// A DecodingLayerParser over Ethernet/IPv4/UDP/SRT decodes a listener's
// answer to a caller with the wrong passphrase: a HANDSHAKE whose type, 1010,
// rejects the connection with SRT_REJ_BADSECRET (frame 4 of the corpus
// capture s03_reject_badsecret.pcap).
func ExampleSRT() {
	frame, _ := hex.DecodeString("" +
		"000000000000000000000000" + "0800" + // Ethernet (loopback): dst, src, IPv4
		"4500005c82c240004011b9cc7f0000017f000001" + // IPv4 127.0.0.1 > 127.0.0.1
		"a03dafa60048fe5b" + // UDP 41021 > 44966
		"80000000000000000004b46006bb9a65" + // SRT header: control, HANDSHAKE
		"00000005000000036a4acdb9000005dc00002000000003f2" + // version 5 ... type 1010
		"309764ae12c0e2f70100007f000000000000000000000000")

	// SRT has no well-known port: bind the listener's port once, before
	// decoding. It covers both directions.
	gopacketsrt.RegisterUDPPort(41021)

	var (
		eth     layers.Ethernet
		ip4     layers.IPv4
		ip6     layers.IPv6
		udp     layers.UDP
		srt     gopacketsrt.SRT
		payload gopacket.Payload // the user data of SRT data packets
	)
	parser := gopacket.NewDecodingLayerParser(layers.LayerTypeEthernet, &eth, &ip4, &ip6, &udp, &srt, &payload)
	decoded := make([]gopacket.LayerType, 0, 8)
	if err := parser.DecodeLayers(frame, &decoded); err != nil {
		fmt.Println("error:", err)
		return
	}
	fmt.Println(decoded)

	p := &srt.Packet
	fmt.Printf("%v %v > %v, socket %#x\n", p.Type, udp.SrcPort, udp.DstPort, p.DstSocket)
	if reason, ok := p.Handshake.Type.Reason(); ok {
		fmt.Printf("handshake type %d: rejected, %v (%s)\n", int32(p.Handshake.Type), reason.Name(), reason.Text())
	}
	// Output:
	// [Ethernet IPv4 UDP SRT]
	// HANDSHAKE 41021 > 44966, socket 0x6bb9a65
	// handshake type 1010: rejected, SRT_REJ_BADSECRET (Incorrect passphrase)
}
