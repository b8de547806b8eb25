package report

import (
	"bytes"
	"testing"
	"time"

	"github.com/srtwire/srtwire/internal/testcorpus"
	"github.com/srtwire/srtwire/packet"
	"github.com/srtwire/srtwire/session"
)

// corpusCaptures are the captures the tests build reports of, and the
// passphrases given for them.
var corpusCaptures = []struct {
	name        string
	passphrases []string
}{
	{"s08_loss_pattern", nil},                           // a lossy link
	{"s03_badsecret_noenforce", nil},                    // undecryptable
	{"s02_enc_kmrefresh", []string{"refresh-secret-1"}}, // encrypted, key refreshes
	{"s05_app_reject_1403", nil},                        // a rejection
}

// built is a report of one corpus capture with what the test compares it
// with: the attempts, and every bin the Tracker handed out.
type built struct {
	page     []byte
	attempts []*session.Attempt
	bins     map[*session.Direction][]session.Bin
	frames   int
}

// build feeds a corpus capture to a Tracker, as srtdump does, and writes
// its report.
func build(t testing.TB, name string, passphrases []string, opt *Options) *built {
	t.Helper()
	fs, err := testcorpus.Frames(name)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if opt == nil {
		opt = &Options{Generator: "report test", Location: time.UTC}
	}
	r := New(&buf, opt)
	c := r.Begin(name + ".pcap")
	tr := session.NewTracker()
	tr.Passphrases = passphrases
	out := &built{bins: map[*session.Direction][]session.Bin{}}
	tr.OnBin = func(a *session.Attempt, d *session.Direction, b *session.Bin) {
		out.bins[d] = append(out.bins[d], *b)
	}
	c.Track(tr)
	for _, f := range fs {
		p := new(packet.Packet)
		err := p.Decode(f.Payload)
		sf := session.Frame{Number: f.Number, Time: f.Time, Src: f.Src, Dst: f.Dst, Packet: p, Data: f.Payload, Err: err}
		a := tr.Add(&sf)
		c.Frame(a, &sf)
	}
	out.frames = len(fs)
	if err := c.End(CaptureMeta{Frames: len(fs), SRT: len(fs)}); err != nil {
		t.Fatal(err)
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	out.attempts = tr.Attempts()
	out.page = buf.Bytes()
	return out
}
