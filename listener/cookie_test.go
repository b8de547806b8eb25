package listener_test

import (
	"bytes"
	"net/netip"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/srtwire/srtwire/listener"
)

func TestCookie(t *testing.T) {
	start := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	b, err := listener.NewCookieBaker(start, time.Minute, nil)
	require.NoError(t, err)
	a := netip.MustParseAddrPort("127.0.0.1:40000")
	now := start.Add(90 * time.Second)
	c := b.Cookie(a, now)
	assert.NotZero(t, c)
	assert.Equal(t, c, b.Cookie(a, now.Add(10*time.Second)), "same step, same cookie")
	assert.True(t, b.Valid(a, c, now))
	assert.True(t, b.Valid(a, c, now.Add(time.Minute)), "the next step still accepts it")
	assert.False(t, b.Valid(a, c, now.Add(2*time.Minute)), "two steps later it is stale")
	assert.False(t, b.Valid(netip.MustParseAddrPort("127.0.0.1:40001"), c, now), "another port")
	assert.False(t, b.Valid(netip.MustParseAddrPort("127.0.0.2:40000"), c, now), "another host")
	assert.False(t, b.Valid(a, c+1, now))

	// Two bakers with different keys disagree; the same key agrees.
	key := bytes.Repeat([]byte{7}, 16)
	b1, err := listener.NewCookieBaker(start, 0, bytes.NewReader(key))
	require.NoError(t, err)
	b2, err := listener.NewCookieBaker(start, 0, bytes.NewReader(key))
	require.NoError(t, err)
	assert.Equal(t, b1.Cookie(a, now), b2.Cookie(a, now))
	assert.NotEqual(t, b.Cookie(a, now), b1.Cookie(a, now))

	_, err = listener.NewCookieBaker(start, 0, bytes.NewReader(nil))
	assert.Error(t, err, "no randomness")
}

func TestCookieAllocs(t *testing.T) {
	b, err := listener.NewCookieBaker(time.Now(), 0, nil)
	require.NoError(t, err)
	a := netip.MustParseAddrPort("[::1]:9000")
	now := time.Now()
	c := b.Cookie(a, now)
	n := testing.AllocsPerRun(100, func() {
		if !b.Valid(a, c, now) {
			t.Fatal("invalid")
		}
	})
	assert.Zero(t, n)
}

func BenchmarkCookieValid(b *testing.B) {
	k, _ := listener.NewCookieBaker(time.Now(), 0, nil)
	a := netip.MustParseAddrPort("127.0.0.1:40000")
	now := time.Now()
	c := k.Cookie(a, now)
	b.ReportAllocs()
	for b.Loop() {
		k.Valid(a, c+1, now)
	}
}

// TestSipHashVector checks the SipHash-2-4 core against the reference
// implementation's test vector for a 24-byte message 00 01 ... 17 under
// the key 00 01 ... 0f: entry 24 of the reference implementation's
// vectors_sip64 table (github.com/veorq/SipHash, vectors.h).
func TestSipHashVector(t *testing.T) {
	assert.Equal(t, uint64(0xb8ad50c6f649af94), listener.SipHash24ForTest())
}
