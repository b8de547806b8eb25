package capture

import (
	"encoding/binary"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func dataHead(seq, ts, dst uint32, rexmit bool) []byte {
	b := make([]byte, 20)
	binary.BigEndian.PutUint32(b[0:], seq)
	w1 := uint32(0xC0000001)
	if rexmit {
		w1 |= 0x04000000
	}
	binary.BigEndian.PutUint32(b[4:], w1)
	binary.BigEndian.PutUint32(b[8:], ts)
	binary.BigEndian.PutUint32(b[12:], dst)
	return b
}

func TestConsistentData(t *testing.T) {
	t0 := time.Unix(1e9, 0)
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
	cases := []struct {
		name        string
		prev, cur   []byte
		prevT, cur2 time.Time
		want        bool
	}{
		{"next packet, 10 ms later", dataHead(100, 5000, 9, false), dataHead(101, 15000, 9, false), at(0), at(10), true},
		{"a few packets on, timestamps wrap", dataHead(0x7FFFFFFF, 0xFFFFFF00, 9, false), dataHead(3, 0x100, 9, false), at(0), at(1), true},
		{"a retransmission does not confirm", dataHead(200, 9000, 9, false), dataHead(150, 9500, 9, true), at(0), at(1), false},
		{"five packets lost in between", dataHead(100, 5000, 9, false), dataHead(106, 65000, 9, false), at(0), at(60), true},
		{"syslog priority 13 -> 14: a step of 256, a still clock", dataHead(0x3c31333e, 0x32362d31, 7, false), dataHead(0x3c31343e, 0x32362d31, 7, false), at(0), at(50), false},
		{"a still clock while 150 ms pass", dataHead(100, 5000, 9, false), dataHead(101, 5000, 9, false), at(0), at(150), false},
		{"the same first 16 bytes (syslog, heartbeat)", dataHead(0x3c33343e, 0x20323032, 0x362d3131, false), dataHead(0x3c33343e, 0x20323032, 0x362d3131, false), at(0), at(1000), false},
		{"backward without the R flag", dataHead(200, 9000, 9, false), dataHead(150, 9500, 9, false), at(0), at(1), false},
		{"sequence jump", dataHead(100, 0, 9, false), dataHead(100+5000, 10, 9, false), at(0), at(1), false},
		{"other socket", dataHead(100, 0, 9, false), dataHead(101, 10, 8, false), at(0), at(1), false},
		{"timestamp 5 s ahead of a 10 ms gap", dataHead(100, 0, 9, false), dataHead(101, 5_000_000, 9, false), at(0), at(10), false},
		{"timestamp 300 ms ahead", dataHead(100, 0, 9, false), dataHead(101, 310_000, 9, false), at(0), at(10), false},
		{"timestamp far back", dataHead(100, 5_000_000, 9, false), dataHead(101, 0, 9, false), at(0), at(10), false},
	}
	for _, c := range cases {
		assert.Equal(t, c.want, consistentData(c.prev, c.prevT, c.cur, c.cur2), c.name)
	}
}

// TestSyslogNotClaimed: RFC 3164 and RFC 5424 messages from a fixed port,
// to 514 and to another port, and a constant heartbeat, are not SRT.
func TestSyslogNotClaimed(t *testing.T) {
	msgs := map[string]func(i int) []byte{
		"rfc3164": func(i int) []byte {
			return []byte("<34>Oct 11 22:14:15 mymachine su: 'su root' failed for lonvick on /dev/pts/" + string(rune('0'+i%10)))
		},
		"rfc5424": func(i int) []byte {
			return []byte("<165>1 2026-12-01T20:14:15.003Z host app 1234 ID47 - message number " + string(rune('0'+i%10)))
		},
		"heartbeat": func(int) []byte { return []byte("HEARTBEAT srtwire-test 0000000001") },
	}
	for name, msg := range msgs {
		for _, port := range []uint16{514, 5140} {
			g := &genPcap{n: 200, rec: func(i int, b []byte) []byte {
				b = ipv4UDP(b, 3, msg(i))
				binary.BigEndian.PutUint16(b[16+20+2:], port) // destination port
				return b
			}}
			r, err := NewReader(g, nil)
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for r.Next() {
				n++
			}
			assert.Zero(t, n, "%s to port %d", name, port)
			assert.Equal(t, 200, r.Stats().Frames)
		}
	}
}
