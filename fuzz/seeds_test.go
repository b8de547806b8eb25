package fuzz

import (
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/srtwire/srtwire/handshake"
	"github.com/srtwire/srtwire/internal/testcorpus"
	"github.com/srtwire/srtwire/packet"
)

var writeSeeds = flag.Bool("write-seeds", false, "write the seed corpora under testdata/fuzz")

// builtPackets returns encoded packets of every kind, and the malformed
// cases named in the issues.
func builtPackets(t *testing.T) map[string][]byte {
	out := map[string][]byte{}
	enc := func(name string, p *packet.Packet) {
		b, err := p.AppendBinary(nil)
		require.NoError(t, err, name)
		out[name] = b
	}
	data := &packet.Packet{Header: packet.Header{Seq: 1000, Position: packet.PositionSolo, MsgNo: 5, Timestamp: 1, DstSocket: 7}, Payload: make([]byte, 1316)}
	enc("data", data)
	fec := &packet.Packet{Header: packet.Header{Seq: 1000, Position: packet.PositionSolo, MsgNo: 0, DstSocket: 7}, Payload: append([]byte{0xff, 0, 5, 0x28}, make([]byte, 1316)...)}
	enc("fec", fec)
	for _, v := range []packet.ACKVariant{packet.ACKLight, packet.ACKSmall, packet.ACKFull24, packet.ACKFull, packet.ACKFull32} {
		p := &packet.Packet{Header: packet.Header{Control: true, Type: packet.TypeACK, Info: 3, DstSocket: 7},
			ACK: packet.ACK{Variant: v, LastAckSeq: 1001, RTT: 100, RTTVar: 50, AvailBuf: 8000, PktRate: 100, Bandwidth: 5000, RecvRate: 130000, XmRate: 9}}
		if v == packet.ACKLight {
			p.Info = 0
		}
		enc("ack_"+v.String(), p)
	}
	list, err := packet.AppendLossList(nil, 100, 102, 103, 104, 200, 300, 301)
	require.NoError(t, err)
	enc("nak", &packet.Packet{Header: packet.Header{Control: true, Type: packet.TypeNAK, DstSocket: 7}, NAK: packet.NAK{List: list}})
	enc("dropreq", &packet.Packet{Header: packet.Header{Control: true, Type: packet.TypeDropReq, Info: 9, DstSocket: 7}, DropReq: packet.DropReq{First: 10, Last: 12}})
	for _, ty := range []packet.ControlType{packet.TypeKeepalive, packet.TypeShutdown, packet.TypeACKACK, packet.TypeCongestionWarning, packet.TypePeerError, 0x0042} {
		enc("ctrl_"+strconv.Itoa(int(ty)), &packet.Packet{Header: packet.Header{Control: true, Type: ty, Info: 4000, DstSocket: 7}})
	}
	km := &handshake.KeyMaterial{Keys: handshake.KeyBoth, Cipher: handshake.CipherAESCTR, SE: 2, SaltLen: 16, KeyLen: 16, Salt: make([]byte, 16), WrappedKeys: make([]byte, 8+32)}
	kmb, err := km.AppendBinary(nil)
	require.NoError(t, err)
	enc("umsg_kmreq", &packet.Packet{Header: packet.Header{Control: true, Type: packet.TypeUserDefined, Subtype: packet.SubtypeKMReq, DstSocket: 7}, CIF: kmb})
	enc("umsg_kmrsp_state", &packet.Packet{Header: packet.Header{Control: true, Type: packet.TypeUserDefined, Subtype: packet.SubtypeKMRsp, DstSocket: 7}, CIF: handshake.AppendKMState(nil, handshake.KMBadSecret)})
	hs := handshake.Handshake{Version: 5, Encryption: 4, ISN: 1, MTU: 1500, FlowWindow: 8192, Type: handshake.Conclusion, SocketID: 1, Cookie: 2}
	b := handshake.NewBuilder(nil, &hs)
	b.AddHSReq(handshake.ExtHSReq, handshake.HSReq{Version: 0x010501, Flags: 0xBF, RecvDelay: 120})
	b.AddString(handshake.ExtSID, "#!::r=live/feed1,m=publish")
	b.AddString(handshake.ExtCongestion, "file")
	b.AddString(handshake.ExtFilter, "fec,cols:4,rows:2")
	b.AddGroup(handshake.Group{ID: 0x40000001, Type: handshake.GroupBroadcast})
	b.AddKM(handshake.ExtKMReq, *km)
	cif, err := b.Finish()
	require.NoError(t, err)
	hdr := []byte{0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0}
	out["handshake_all_ext"] = append(append([]byte(nil), hdr...), cif...)
	// Malformed: stray trailing bytes (the gosrt crash), a lying extension
	// length, a dangling NAK range, a NAK range with lo > hi.
	out["handshake_stray3"] = append(append([]byte(nil), out["handshake_all_ext"]...), 1, 2, 3)
	lying := append([]byte(nil), out["handshake_all_ext"]...)
	lying[16+48+2], lying[16+48+3] = 0x03, 0x84
	out["handshake_lying_len"] = lying
	nakHdr := []byte{0x80, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 7}
	out["nak_dangling"] = append(append([]byte(nil), nakHdr...), 0x80, 0, 0, 1)
	out["nak_lo_gt_hi"] = append(append([]byte(nil), nakHdr...), 0x80, 0, 0, 9, 0, 0, 0, 1)
	return out
}

func writeSeed(t *testing.T, target string, args ...any) {
	content := "go test fuzz v1\n"
	for _, a := range args {
		switch v := a.(type) {
		case []byte:
			content += fmt.Sprintf("[]byte(%q)\n", v)
		case string:
			content += fmt.Sprintf("string(%q)\n", v)
		case int32:
			content += fmt.Sprintf("int32(%d)\n", v)
		}
	}
	sum := sha256.Sum256([]byte(content))
	dir := filepath.Join("testdata", "fuzz", target)
	require.NoError(t, os.MkdirAll(dir, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "seed-"+hex.EncodeToString(sum[:8])), []byte(content), 0o644))
}

// TestWriteSeeds regenerates the committed seed corpora:
//
//	go test ./fuzz -run TestWriteSeeds -write-seeds
func TestWriteSeeds(t *testing.T) {
	if !*writeSeeds {
		t.Skip("run with -write-seeds to regenerate the seed corpora")
	}
	built := builtPackets(t)
	var real [][]byte
	for _, name := range []string{"s03_reject_badsecret", "s02_enc_kmrefresh", "s05_app_reject_2005", "s06_reject_filter", "s07_fec", "s07_rendezvous", "s08_loss_pattern", "s09_file_transfer", "s09_file_peererror", "s03_badsecret_noenforce"} {
		frames, err := testcorpus.Frames(name)
		require.NoError(t, err)
		kinds := map[string]bool{}
		for _, f := range frames {
			var p packet.Packet
			_ = p.Decode(f.Payload)
			k := fmt.Sprint(p.Control, p.Type, p.Subtype, p.Handshake.Type, p.ACK.Variant, p.IsFEC(), len(p.Handshake.Ext))
			if !kinds[k] {
				kinds[k] = true
				real = append(real, f.Payload)
			}
		}
	}
	all := append([][]byte{}, real...)
	for _, b := range built {
		all = append(all, b)
	}
	for _, d := range all {
		writeSeed(t, "FuzzDecode", d)
		writeSeed(t, "FuzzLayer", d)
		var p packet.Packet
		_ = p.Decode(d)
		if p.Control && p.Type == packet.TypeHandshake && len(d) >= 16 {
			writeSeed(t, "FuzzHandshake", d[16:])
			if len(d) > 64 {
				writeSeed(t, "FuzzExtensions", d[64:])
			}
			if v, ok := p.Handshake.Find(handshake.ExtKMReq); ok {
				writeSeed(t, "FuzzKeyMaterial", v)
			}
		}
		if p.Control && p.Type == packet.TypeUserDefined {
			writeSeed(t, "FuzzKeyMaterial", p.CIF)
		}
		if p.Control && p.Type == packet.TypeNAK && len(d) > 16 {
			writeSeed(t, "FuzzNAK", d[16:])
		}
	}
	for _, s := range []string{"#!::r=live/feed1,m=publish,u=alice", "#!::r=forbidden,u=bob", "#!::u=a,x=1", "#!:{u=a,acme={x=1,y=2}}",
		"corpus-file.bin", "#!::m=play", "#!::t=media", "#!::", "#!::u=a,,", "#!:{u={}"} {
		writeSeed(t, "FuzzStreamID", s)
	}
	for _, c := range []struct {
		w int32
		s string
	}{{1010, "SRT_REJ_BADSECRET"}, {2403, "forbidden"}, {3005, "wire:3005"}, {999, "1403"}, {1019, "SRT_REJX_CONFLICT"}, {-1, "wire:0x963"}} {
		writeSeed(t, "FuzzReject", c.w, c.s)
	}
	for _, name := range []string{"s05_app_reject_1403.pcap", "s03_reject_badsecret.pcap", "s06_reject_filter.pcap"} {
		b, err := os.ReadFile(testcorpus.Path(name))
		require.NoError(t, err)
		writeSeed(t, "FuzzCapture", b)
		writeSeed(t, "FuzzCapture", b[:len(b)-10]) // truncated
	}
	b, err := os.ReadFile(filepath.Join(testcorpus.Dir(), "..", "extra", "sid_km_lo.pcapng"))
	require.NoError(t, err)
	writeSeed(t, "FuzzCapture", b[:4096])
}
