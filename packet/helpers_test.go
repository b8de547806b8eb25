package packet

import (
	"encoding/hex"
	"strings"
)

// hx decodes hex, ignoring spaces, newlines and '|' separators.
func hx(s string) []byte {
	s = strings.NewReplacer(" ", "", "\n", "", "\t", "", "|", "").Replace(s)
	b, err := hex.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return b
}

// Golden datagrams taken from the libsrt 1.5.1 captures in
// testdata/corpus (capture name and frame number in each comment). Data
// payloads are cut short; the header is what matters here.
var (
	// s09_file_transfer #5: data, seq 1311403525, PB_SOLO, msgno 1.
	goldenData = hx("4e2a6e05 c0000001 0000050c 1e75ff63 | 535254434f5250555320")
	// s09_file_peererror #5: data, PB_FIRST, O=1.
	goldenDataFirst = hx("3f4bcd77 a0000001 00000768 342119fc | 535254434f52")
	// s08_loss_pattern #20: data, R=1 retransmission of seq 2095720805.
	goldenDataRexmit = hx("7cea2965 c4000006 0000cc5b 03b09030 | 53525443")
	// s02_enc_kmrefresh #264: data encrypted with the odd key.
	goldenDataOdd = hx("4a87a04a d0000082 000a35e9 2205a53f | a4c377139b9a4d80")
	// s07_fec #13: FEC row packet (msgno 0, solo, index -1).
	goldenFEC = hx("4a0800e9 c0000000 000007fd 036fc9d9 | ff000000 00000000")
	// s09_file_transfer #128: light ACK.
	goldenACKLight = hx("80020000 00000000 000078c0 24218f1d | 4e2a6e77")
	// s09_file_transfer #218: small ACK, ACK number 3.
	goldenACKSmall = hx("80020000 00000003 00007bf4 24218f1d | 4e2a6ed4 000000cb 00000060 00001f62")
	// s01_live_plain #17: full ACK, ACK number 2.
	goldenACKFull = hx("80020000 00000002 0002ed9d 0e0be340 | 7838fe17 0000006f 00000037 00001ff5 00000000 000003e8 00000000")
	// s01_live_plain #16: ACKACK for ACK 1, 4-byte zero CIF.
	goldenACKACK = hx("80060000 00000001 0002b1f6 30be67b1 | 00000000")
	// s01_live_plain #87: KEEPALIVE.
	goldenKeepalive = hx("80010000 00000000 0021b39e 30be67b1 | 00000000")
	// s01_live_plain #149: SHUTDOWN (ts 7002021).
	goldenShutdown = hx("80050000 00000000 006ad7a5 30be67b1 | 00000000")
	// s08_loss_pattern #19: NAK, single loss 2095720805.
	goldenNAKSingle = hx("80030000 00000000 0000f253 2687b9b4 | 7cea2965")
	// s08_loss_pattern #52: NAK, range 2095720817-2095720819.
	goldenNAKRange = hx("80030000 00000000 00031eb6 2687b9b4 | fcea2971 7cea2973")
	// s09_file_peererror #57: PEERERROR 4000.
	goldenPeerError = hx("80080000 00000fa0 00003411 1227aa0f | 00000000")
	// s02_enc_kmrefresh #198: UMSG_EXT KMREQ with both keys (72-byte CIF).
	goldenKMReq = hx(`ffff0003 00000000 0007a327 2205a53f |
		12202903 00000000 02000200 00000404
		db6cec55b3a63a738c478e73b8378d31
		c3ae20ad9ffe84a55d43246f3b81f321fcf81663bf92d485a1d638531516d25294de2cf8f919de31`)
	// s01_live_plain #1: caller's INDUCTION (HSv4-shaped).
	goldenInduction = hx(`80000000 00000000 000000f6 00000000 |
		00000004 00000002 7838fe0d 000005dc 00002000 00000001 0e0be340 00000000
		0100007f 00000000 00000000 00000000`)
	// s01_live_plain #3: CONCLUSION with an HSREQ block.
	goldenConclusion = hx(`80000000 00000000 00000294 00000000 |
		00000005 00000001 7838fe0d 000005dc 00002000 ffffffff 0e0be340 51c15c41
		0100007f 00000000 00000000 00000000 | 00010003 00010501 000000bf 00780000`)
)

// goldens lists every golden datagram by name.
var goldens = []struct {
	name string
	b    []byte
}{
	{"data", goldenData},
	{"data-first", goldenDataFirst},
	{"data-rexmit", goldenDataRexmit},
	{"data-odd", goldenDataOdd},
	{"fec", goldenFEC},
	{"ack-light", goldenACKLight},
	{"ack-small", goldenACKSmall},
	{"ack-full", goldenACKFull},
	{"ackack", goldenACKACK},
	{"keepalive", goldenKeepalive},
	{"shutdown", goldenShutdown},
	{"nak-single", goldenNAKSingle},
	{"nak-range", goldenNAKRange},
	{"peererror", goldenPeerError},
	{"kmreq", goldenKMReq},
	{"induction", goldenInduction},
	{"conclusion", goldenConclusion},
}
