package main

import (
	"encoding/json"
	"math/rand"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestJSONStrings checks the hand-written JSON string encoder against
// encoding/json on awkward and random strings.
func TestJSONStrings(t *testing.T) {
	cases := []string{"", "plain", `q"uote`, `back\slash`, "nl\nnl", "tab\t", "\x00\x01\x1f", "é €", "\xff\xfe bad utf8", "#!::r=live/feed1,m=publish"}
	rng := rand.New(rand.NewSource(1))
	for i := 0; i < 500; i++ {
		b := make([]byte, rng.Intn(40))
		rng.Read(b)
		cases = append(cases, string(b))
	}
	for _, s := range cases {
		for _, enc := range [][]byte{appendJSONString(nil, s), appendJSONString(nil, []byte(s))} {
			require.True(t, json.Valid(enc), "%q -> %s", s, enc)
			var got string
			require.NoError(t, json.Unmarshal(enc, &got))
			// Each invalid byte becomes U+FFFD, as []rune(s) does.
			assert.Equal(t, []rune(s), []rune(got), "%q", s)
		}
	}
}

func TestAppendUint(t *testing.T) {
	for _, v := range []uint64{0, 1, 9, 10, 11, 99, 100, 101, 999, 1000, 12345, 65535, 1<<31 - 1, 1<<32 - 1, 1<<63 - 1, 1<<64 - 1, 10000000000000000000} {
		assert.Equal(t, strconv.FormatUint(v, 10), string(appendUint([]byte("x"), v))[1:])
	}
	for _, v := range []int64{0, -1, -10, -999, 42, -1 << 63, 1<<63 - 1} {
		assert.Equal(t, strconv.FormatInt(v, 10), string(appendInt(nil, v)))
	}
}

func TestSeqNum(t *testing.T) {
	var c seqNum
	for _, v := range []uint64{0, 0, 1, 2, 9, 10, 11, 99, 100, 99, 98, 99, 100, 1<<31 - 2, 1<<31 - 1, 1 << 31, 5, 5, 6} {
		assert.Equal(t, strconv.FormatUint(v, 10), string(c.append(nil, v)))
	}
	for v := uint64(990); v < 1010; v++ {
		assert.Equal(t, strconv.FormatUint(v, 10), string(c.append([]byte("x"), v))[1:])
	}
}
