package handshake_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/srtwire/srtwire/handshake"
)

// walk decodes a CIF and every block in it: the work a stack does per
// received CONCLUSION.
func walk(hs *handshake.Handshake, cif []byte, sid []byte) ([]byte, error) {
	if err := hs.Decode(cif); err != nil {
		return sid, err
	}
	var (
		r  handshake.HSReq
		km handshake.KeyMaterial
	)
	it := hs.Extensions()
	for it.Next() {
		switch it.Type() {
		case handshake.ExtHSReq, handshake.ExtHSRsp:
			_ = r.Decode(it.Value())
		case handshake.ExtKMReq, handshake.ExtKMRsp:
			_ = km.Decode(it.Value())
		case handshake.ExtSID:
			sid = handshake.AppendString(sid[:0], it.Value())
		}
	}
	return sid, it.Err()
}

func TestZeroAllocs(t *testing.T) {
	cif := conclusion(t)
	var hs handshake.Handshake
	sid := make([]byte, 0, 512)
	buf := make([]byte, 0, 1500)
	lying := append(append([]byte(nil), cif[:48]...), 0, 5, 0xFF, 0xFF)

	cases := map[string]func(){
		"decode+walk": func() { sid, _ = walk(&hs, cif, sid) },
		"peer addr":   func() { _ = hs.PeerAddr() },
		"stream id":   func() { sid, _ = hs.AppendStreamID(sid[:0]) },
		"encode":      func() { buf, _ = hs.AppendBinary(buf[:0]) },
		"builder": func() {
			b := handshake.NewBuilder(buf[:0], &hs)
			b.AddHSReq(handshake.ExtHSReq, handshake.HSReq{Version: 0x010501, Flags: 0xBF, RecvDelay: 120})
			b.AddString(handshake.ExtSID, "#!::r=live/feed1,m=publish")
			b.AddKMState(handshake.KMBadSecret)
			buf, _ = b.Finish()
		},
		"km state":  func() { _, _ = handshake.DecodeKMState(cif[len(cif)-4:]) },
		"type name": func() { _ = handshake.Type(1010).String() },
		"garbage":   func() { _ = hs.Decode(cif[:47]) },
		"lying ext": func() { _ = hs.Decode(lying) },
	}
	require.NoError(t, hs.Decode(cif))
	for name, f := range cases {
		f()
		if n := testing.AllocsPerRun(200, f); n != 0 {
			t.Errorf("%s: %v allocs per run, want 0", name, n)
		}
	}
}

func BenchmarkDecodeConclusion(b *testing.B) {
	cif := conclusion(b)
	var hs handshake.Handshake
	sid := make([]byte, 0, 512)
	b.ReportAllocs()
	b.SetBytes(int64(len(cif)))
	for b.Loop() {
		sid, _ = walk(&hs, cif, sid)
	}
}

func BenchmarkEncodeConclusion(b *testing.B) {
	cif := conclusion(b)
	var hs handshake.Handshake
	_ = hs.Decode(cif)
	buf := make([]byte, 0, 1500)
	b.ReportAllocs()
	b.SetBytes(int64(len(cif)))
	for b.Loop() {
		buf, _ = hs.AppendBinary(buf[:0])
	}
}
