package main

import (
	"bytes"
	"encoding/binary"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/srtwire/srtwire/handshake"
	"github.com/srtwire/srtwire/internal/testcorpus"
	"github.com/srtwire/srtwire/listener"
	"github.com/srtwire/srtwire/packet"
)

func libsrtServer(t *testing.T, o libsrtOptions, rules []string, def string) *server {
	t.Helper()
	p := mustPolicy(t, "", rules, def)
	p.defaultAccepts = def == ""
	srv := mustServer(t, p, 0)
	if o.latency == 0 {
		o.latency = -1
	}
	cfg, err := libsrtConfig(&o, p, len(rules) > 0 || def != "", srv.Baker, srv.Start)
	require.NoError(t, err)
	srv.lib = cfg
	return srv
}

// TestLibsrtMode feeds corpus CONCLUSIONs to the libsrt mode: the decision
// is libsrt's, and an accepted caller also gets a SHUTDOWN.
func TestLibsrtMode(t *testing.T) {
	cases := []struct {
		capture string
		opts    libsrtOptions
		rules   []string
		kind    eventKind
		code    int32
	}{
		{"s03_reject_badsecret", libsrtOptions{passphrase: "listener-secret-A", enforced: true, messageapi: true}, nil, evRejected, 10},
		{"s03_reject_unsecure_caller_nopass", libsrtOptions{passphrase: "listener-secret-A", enforced: true, messageapi: true}, nil, evRejected, 11},
		{"s06_reject_messageapi", libsrtOptions{enforced: true, messageapi: true}, nil, evRejected, 12},
		{"s05_app_reject_1403", libsrtOptions{enforced: true, messageapi: true}, []string{"r=forbidden*:1403"}, evRejected, 1403},
		{"s02_enc_aes128", libsrtOptions{passphrase: "corpus-secret-16", pbkeylen: 16, enforced: true, messageapi: true}, nil, evAccepted, 0},
	}
	for _, c := range cases {
		t.Run(c.capture, func(t *testing.T) {
			frames, err := testcorpus.Frames(c.capture)
			require.NoError(t, err)
			srv := libsrtServer(t, c.opts, c.rules, "")
			now := srv.Start.Add(time.Second)
			for _, f := range frames {
				var p packet.Packet
				if p.Decode(f.Payload) != nil || p.Kind() != packet.KindHandshake || p.DstSocket != 0 || p.Handshake.Type != handshake.Conclusion {
					continue
				}
				in := bytes.Clone(f.Payload)
				binary.BigEndian.PutUint32(in[offCookie:], srv.Baker.Cookie(f.Src, now))
				out, ev := srv.Handle(nil, in, f.Src, now)
				require.NotNil(t, out, ev.Why)
				assert.Equal(t, c.kind, ev.Kind, ev.Why)
				assert.NotEmpty(t, ev.Why)
				if c.kind == evRejected {
					assert.Equal(t, c.code, int32(ev.Reason), ev.Why)
				} else {
					var sd packet.Packet
					require.NoError(t, sd.Decode(ev.after))
					assert.Equal(t, packet.KindShutdown, sd.Kind())
					assert.Equal(t, p.Handshake.SocketID, sd.DstSocket)
				}
				line := formatEvent(&ev)
				assert.Contains(t, line, "row")
				return
			}
			t.Fatal("no CONCLUSION in the capture")
		})
	}
}

func TestLibsrtFlags(t *testing.T) {
	var out, errb bytes.Buffer
	assert.Equal(t, 0, run([]string{"-h"}, &out, &errb))
	assert.Contains(t, errb.String(), "carries no data")
	assert.Contains(t, errb.String(), "-passphrase-file")
	errb.Reset()
	assert.Equal(t, 2, run([]string{"-libsrt", "-reject", "1403"}, &out, &errb))
	assert.Equal(t, 2, run([]string{"-libsrt", "-pbkeylen", "20", "-listen", "127.0.0.1:0"}, &out, &errb))
	assert.Equal(t, 2, run([]string{"-libsrt", "-minversion", "x.y", "-listen", "127.0.0.1:0"}, &out, &errb))
	assert.Equal(t, 2, run([]string{"-libsrt", "-filter", "fec,cols:1", "-listen", "127.0.0.1:0"}, &out, &errb))

	t.Setenv("SRT_PASSPHRASE", "from-the-environment")
	p := mustPolicy(t, "", nil, "")
	b, _ := listener.NewCookieBaker(time.Now(), 0, nil)
	cfg, err := libsrtConfig(&libsrtOptions{latency: -1, enforced: true}, p, false, b, time.Now())
	require.NoError(t, err)
	assert.Equal(t, "from-the-environment", cfg.Passphrase)
	assert.True(t, strings.Contains(describeLibsrt(cfg, p), "a passphrase"))
	v, err := handshake.ParseSRTVersion("1.3.0")
	require.NoError(t, err)
	assert.Equal(t, handshake.SRTVersion(0x010300), v)
}
