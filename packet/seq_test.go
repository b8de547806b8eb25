package packet

import (
	"math/rand"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Reference formulas, transcribed from libsrt's CSeqNo (common.h) in plain
// int32 arithmetic, to check SeqNumber against.
const (
	refSeqTH  = int32(0x3FFFFFFF)
	refSeqMax = int32(0x7FFFFFFF)
)

func refAbs(v int32) int32 {
	if v < 0 {
		return -v
	}
	return v
}

func refSeqcmp(a, b int32) int32 {
	if refAbs(a-b) < refSeqTH {
		return a - b
	}
	return b - a
}

func refSeqoff(a, b int32) int32 {
	if refAbs(a-b) < refSeqTH {
		return b - a
	}
	if a < b {
		return b - a - refSeqMax - 1
	}
	return b - a + refSeqMax + 1
}

// refSeqlen is computed in 64 bits: libsrt's int32 overflows for the
// full circle (0..2^31-1), which holds 2^31 numbers.
func refSeqlen(a, b int32) int64 {
	if a <= b {
		return int64(b) - int64(a) + 1
	}
	return int64(b) - int64(a) + int64(refSeqMax) + 2
}

func refIncseq(s, inc int32) int32 {
	if refSeqMax-s >= inc {
		return s + inc
	}
	return s - refSeqMax + inc - 1
}

func refDecseq(s, dec int32) int32 {
	if s < dec {
		return refSeqMax - (dec - s) + 1
	}
	return s - dec
}

func sign(v int32) int {
	switch {
	case v < 0:
		return -1
	case v > 0:
		return 1
	}
	return 0
}

func TestSeqNumberEdges(t *testing.T) {
	assert.Equal(t, SeqNumber(0), MaxSeqNumber.Inc())
	assert.Equal(t, MaxSeqNumber, SeqNumber(0).Dec())
	assert.Equal(t, SeqNumber(4), MaxSeqNumber.Add(5))
	assert.Equal(t, MaxSeqNumber-4, SeqNumber(0).Add(-5))
	assert.True(t, MaxSeqNumber.Less(0), "2^31-1 comes before 0 across the wrap")
	assert.False(t, SeqNumber(0).Less(MaxSeqNumber))
	assert.Equal(t, int32(1), MaxSeqNumber.Distance(0))
	assert.Equal(t, int32(-1), SeqNumber(0).Distance(MaxSeqNumber))
	assert.Equal(t, 2, MaxSeqNumber.Len(0))
	assert.Equal(t, 1, SeqNumber(7).Len(7))
	assert.Equal(t, 0, SeqNumber(7).Cmp(7))
	assert.True(t, MaxSeqNumber.Valid())
	assert.False(t, (MaxSeqNumber + 1).Valid())

	// At the threshold libsrt takes the other way around.
	assert.Equal(t, -1, SeqNumber(0x3FFFFFFF).Cmp(0))
	assert.Equal(t, 1, SeqNumber(0x3FFFFFFE).Cmp(0))
	assert.Equal(t, int32(-0x3FFFFFFF), SeqNumber(0).Distance(0x40000001))
}

func TestSeqNumberMatchesLibsrt(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	vals := []int32{0, 1, 2, refSeqTH - 1, refSeqTH, refSeqTH + 1, refSeqMax - 1, refSeqMax, 0x40000000, 0x40000001}
	for i := 0; i < 2000; i++ {
		vals = append(vals, rng.Int31())
	}
	for i, a := range vals {
		for j := 0; j < 30; j++ {
			b := vals[(i*31+j*7)%len(vals)]
			if j%3 == 0 { // near neighbours, across the wrap too
				b = refIncseq(a, rng.Int31n(2000))
			}
			sa, sb := SeqNumber(a), SeqNumber(b)
			require.Equal(t, sign(refSeqcmp(a, b)), sa.Cmp(sb), "cmp %d %d", a, b)
			require.Equal(t, refSeqcmp(a, b) < 0, sa.Less(sb))
			require.Equal(t, refSeqoff(a, b), sa.Distance(sb), "off %d %d", a, b)
			require.Equal(t, int(refSeqlen(a, b)), sa.Len(sb), "len %d %d", a, b)
		}
		n := rng.Int31()
		require.Equal(t, SeqNumber(refIncseq(a, n)), SeqNumber(a).Add(n), "inc %d %d", a, n)
		require.Equal(t, SeqNumber(refDecseq(a, n)), SeqNumber(a).Add(-n), "dec %d %d", a, n)
	}
}

func TestMsgNumber(t *testing.T) {
	assert.Equal(t, MsgNumber(1), MaxMsgNumber.Inc(), "message numbers wrap to 1, not 0")
	assert.Equal(t, MsgNumber(2), MsgNumber(1).Inc())
	assert.Equal(t, MsgNumber(1), MsgNumber(0).Inc())
	assert.Equal(t, MsgNumber(3), MaxMsgNumber.Add(3))
	assert.Equal(t, MaxMsgNumber, MsgNumber(1).Add(-1))
	assert.Equal(t, MsgNumber(5), MsgNumber(5).Add(int32(MaxMsgNumber)), "a full turn")
	assert.True(t, MaxMsgNumber.Less(1))
	assert.False(t, MsgNumber(1).Less(MaxMsgNumber))
	assert.Equal(t, -1, MaxMsgNumber.Cmp(2))
	assert.Equal(t, 1, MsgNumber(2).Cmp(MaxMsgNumber))
	assert.Equal(t, 0, MsgNumber(9).Cmp(9))
	assert.Equal(t, int32(1), MaxMsgNumber.Distance(1))
	assert.Equal(t, int32(-1), MsgNumber(1).Distance(MaxMsgNumber))
	assert.Equal(t, int32(10), MsgNumber(5).Distance(15))
	assert.True(t, MaxMsgNumber.Valid())
	assert.False(t, (MaxMsgNumber + 1).Valid())

	rng := rand.New(rand.NewSource(2))
	for i := 0; i < 5000; i++ {
		m := MsgNumber(rng.Int31n(int32(MaxMsgNumber))) + 1
		n := rng.Int31n(1 << 24)
		f := m.Add(n)
		require.True(t, f >= 1 && f <= MaxMsgNumber)
		require.Equal(t, n, m.Distance(f), "m=%d n=%d", m, n)
		require.Equal(t, -n, f.Distance(m))
		require.Equal(t, m, f.Add(-n))
		if n != 0 {
			require.True(t, m.Less(f), "m=%d f=%d", m, f)
			require.False(t, f.Less(m))
		}
		// Inc agrees with Add(1).
		require.Equal(t, m.Add(1), m.Inc())
	}
}
