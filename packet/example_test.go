package packet_test

import (
	"encoding/hex"
	"fmt"

	"github.com/srtwire/srtwire/packet"
)

func mustHex(s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return b
}

// Decode datagrams into one reused Packet and switch on their kind.
func ExamplePacket_Decode() {
	datagrams := [][]byte{
		// A data packet from a libsrt capture (payload cut short).
		mustHex("4e2a6e05c00000010000050c1e75ff63" + "535254434f525055"),
		// A full ACK.
		mustHex("80020000000000020002ed9d0e0be340" + "7838fe170000006f0000003700001ff500000000000003e800000000"),
		// A NAK reporting a range of three lost packets.
		mustHex("800300000000000000031eb62687b9b4" + "fcea29717cea2973"),
		// A KEEPALIVE with libsrt's 4 padding bytes.
		mustHex("80010000000000000021b39e30be67b1" + "00000000"),
		// Too short to be SRT.
		mustHex("8000"),
	}
	var p packet.Packet
	for _, b := range datagrams {
		if err := p.Decode(b); err != nil {
			fmt.Println("error:", err)
			continue
		}
		if !p.Control {
			fmt.Printf("DATA seq=%d msgno=%d %s payload=%d bytes\n", p.Seq, p.MsgNo, p.Position, len(p.Payload))
			continue
		}
		switch p.Type {
		case packet.TypeACK:
			fmt.Printf("ACK #%d %s: next expected %d, rtt %d µs\n", p.Info, p.ACK.Variant, p.ACK.LastAckSeq, p.ACK.RTT)
		case packet.TypeNAK:
			fmt.Printf("NAK: %d packets lost\n", p.NAK.Count())
		case packet.TypeHandshake:
			fmt.Printf("HANDSHAKE %s\n", p.Handshake.Type)
		default:
			fmt.Printf("%s to socket %#x\n", p.Type, p.DstSocket)
		}
	}
	// Output:
	// DATA seq=1311403525 msgno=1 solo payload=8 bytes
	// ACK #2 full: next expected 2017000983, rtt 111 µs
	// NAK: 3 packets lost
	// KEEPALIVE to socket 0x30be67b1
	// error: srtwire: truncated
}

// Walk the loss list of a NAK without allocating.
func ExampleNAK_Losses() {
	var p packet.Packet
	err := p.Decode(mustHex("80030000000000000000000000000001" +
		"00000064" + // 100
		"800000c8" + "000000d2" + // 200-210
		"0000012c")) // 300
	if err != nil {
		fmt.Println(err)
		return
	}
	c := p.NAK.Losses()
	for c.Next() {
		lo, hi := c.Range()
		if c.IsRange() {
			fmt.Printf("lost %d..%d\n", lo, hi)
		} else {
			fmt.Printf("lost %d\n", lo)
		}
	}
	if err := c.Err(); err != nil {
		fmt.Println(err)
	}
	// Output:
	// lost 100
	// lost 200..210
	// lost 300
}

// Build a NAK from the lost sequence numbers; runs become ranges.
func ExampleAppendLossList() {
	list, err := packet.AppendLossList(nil, 100, 200, 201, 202, 300)
	if err != nil {
		fmt.Println(err)
		return
	}
	p := packet.Packet{
		Header: packet.Header{Control: true, Type: packet.TypeNAK, Timestamp: 1000, DstSocket: 0x2a},
		NAK:    packet.NAK{List: list},
	}
	b, err := p.AppendBinary(nil)
	fmt.Printf("%x %v\n", b[packet.HeaderSize:], err)
	// Output:
	// 00000064800000c8000000ca0000012c <nil>
}

// Build a full ACK the way libsrt sends it every 10 ms.
func ExamplePacket_AppendBinary() {
	p := packet.Packet{
		Header: packet.Header{
			Control:   true,
			Type:      packet.TypeACK,
			Info:      7, // the ACK number, echoed by the peer's ACKACK
			Timestamp: 250000,
			DstSocket: 0x1e75ff63,
		},
		ACK: packet.ACK{
			Variant:    packet.ACKFull, // 28-byte CIF
			LastAckSeq: 1311403640,
			RTT:        100000,
			RTTVar:     50000,
			AvailBuf:   8192,
			PktRate:    1000,
			Bandwidth:  10000,
			RecvRate:   1316000,
		},
	}
	buf := make([]byte, 0, 1500)
	buf, err := p.AppendBinary(buf)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(len(buf), p.MarshalSize())
	fmt.Printf("%x\n%x\n", buf[:packet.HeaderSize], buf[packet.HeaderSize:])
	// Output:
	// 44 44
	// 80020000000000070003d0901e75ff63
	// 4e2a6e78000186a00000c35000002000000003e800002710001414a0
}
