package gopacketsrt

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/gopacket/gopacket"

	"github.com/srtwire/srtwire/internal/layertest"
	"github.com/srtwire/srtwire/internal/testcorpus"
	"github.com/srtwire/srtwire/packet"
)

// TestCorpus decodes every SRT datagram of srtwire's libsrt capture
// corpus, in a frame of layertest.Frame, through a DecodingLayerParser of
// this gopacket and compares the SRT layer with the codec's decode, then
// serializes the frame back.
func TestCorpus(t *testing.T) {
	tableRegister()
	caps, err := testcorpus.Captures()
	if err != nil || len(caps) == 0 {
		t.Fatalf("corpus: %v", err)
	}
	total := 0
	s := newTableStack()
	for _, c := range caps {
		frames, err := testcorpus.Frames(c.Name)
		if err != nil {
			t.Fatal(err)
		}
		for _, cf := range frames {
			if !c.IsSRT(cf) {
				continue
			}
			v6 := cf.Src.Addr().Is6() && !cf.Src.Addr().Is4In6()
			frame := layertest.Frame(cf.Payload, v6)
			if err := s.parser.DecodeLayers(frame, &s.decoded); err != nil {
				t.Fatalf("%s frame %d: %v", c.Name, cf.Number, err)
			}
			var want packet.Packet
			if err := want.Decode(cf.Payload); err != nil {
				t.Fatalf("%s frame %d: %v", c.Name, cf.Number, err)
			}
			got, err := s.srt.Packet.AppendBinary(nil)
			if err != nil || want.Kind() != s.srt.Packet.Kind() || !bytes.Equal(got, cf.Payload) {
				t.Fatalf("%s frame %d: the SRT layer differs from packet.Decode (%v)", c.Name, cf.Number, err)
			}
			buf := gopacket.NewSerializeBuffer()
			if err := gopacket.SerializeLayers(buf, gopacket.SerializeOptions{}, s.serializable()...); err != nil || !bytes.Equal(buf.Bytes(), frame) {
				t.Fatalf("%s frame %d: the re-serialized frame differs (%v)", c.Name, cf.Number, err)
			}
			total++
		}
	}
	if total < 1000 {
		t.Fatalf("%d frames", total)
	}
	t.Logf("%d corpus datagrams", total)
}

// TestSharedFilesAlike: this module's layer_test.go and pcap's
// layer_table_test.go are the same tests (only the package, the gopacket
// import path and the opening comment differ), so that both layers are held
// to one table the same way.
func TestSharedFilesAlike(t *testing.T) {
	mine, err := os.ReadFile("layer_test.go")
	if err != nil {
		t.Fatal(err)
	}
	theirs, err := os.ReadFile(filepath.Join("..", "pcap", "layer_table_test.go"))
	if err != nil {
		t.Skipf("no ../pcap/layer_table_test.go (not in srtwire's repository): %v", err)
	}
	norm := func(b []byte) string {
		b = regexp.MustCompile(`(?s)^package \w+\n\n(// [^\n]*\n)*\n`).ReplaceAll(b, nil)
		b = bytes.ReplaceAll(b, []byte("github.com/google/gopacket"), []byte("GOPACKET"))
		b = bytes.ReplaceAll(b, []byte("github.com/gopacket/gopacket"), []byte("GOPACKET"))
		return string(b)
	}
	if norm(mine) != norm(theirs) {
		t.Fatal("gopacketsrt/layer_test.go and pcap/layer_table_test.go differ beyond their package, gopacket import and opening comment: keep them alike")
	}
}
