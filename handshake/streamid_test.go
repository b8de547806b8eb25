package handshake_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/srtwire/srtwire/handshake"
	"github.com/srtwire/srtwire/reject"
)

func TestParseStreamIDValid(t *testing.T) {
	id, err := handshake.ParseStreamID("#!::r=live/feed1,m=publish,u=alice")
	require.NoError(t, err)
	assert.True(t, id.Structured)
	assert.Equal(t, "alice", id.User())
	assert.Equal(t, "live/feed1", id.Resource())
	assert.Equal(t, "publish", id.Mode())
	assert.Equal(t, "stream", id.Type(), "default")
	assert.Equal(t, "#!::r=live/feed1,m=publish,u=alice", id.String())

	id, err = handshake.ParseStreamID("#!::u=johnny,t=file,m=publish,r=results.csv,user_tag=x=y")
	require.NoError(t, err)
	assert.Equal(t, "file", id.Type())
	v, ok := id.Get("user_tag")
	assert.True(t, ok)
	assert.Equal(t, "x=y", v, "only the first = splits")

	id, err = handshake.ParseStreamID("corpus-file.bin")
	require.NoError(t, err)
	assert.False(t, id.Structured)
	assert.Empty(t, id.Params)
	assert.Equal(t, "corpus-file.bin", id.String())
	assert.Equal(t, "request", id.Mode())

	id, err = handshake.ParseStreamID("#!:{u=admin,r=bluesbrothers1_hi,acme_opts={a=1,b=2}}")
	require.NoError(t, err)
	assert.True(t, id.Nested)
	v, _ = id.Get("acme_opts")
	assert.Equal(t, "{a=1,b=2}", v)
	assert.Equal(t, "#!:{u=admin,r=bluesbrothers1_hi,acme_opts={a=1,b=2}}", id.String())
}

func TestParseStreamIDRejects(t *testing.T) {
	cases := []struct {
		sid    string
		reason reject.Reason
		syntax bool
	}{
		{"#!::u=a,x=1", reject.KeyNotSup, false},
		{"#!::m=play", reject.BadMode, false},
		{"#!::t=media", reject.NotSupMedia, false},
		{"#!::u", reject.BadRequest, true},
		{"#!::", reject.BadRequest, true},
		{"#!::u=a,,r=b", reject.BadRequest, true},
		{"#!::u=a,", reject.BadRequest, true},
		{"#!::u=a,u=b", reject.BadRequest, true},
		{"#!::=a", reject.BadRequest, true},
		{"#!;u=a", reject.BadRequest, true},
		{"#!:{u=a", reject.BadRequest, true},
		{"#!:{u={a}", reject.BadRequest, true},
		{"#!:{u=a}}", reject.BadRequest, true},
		{"#!::r=" + strings.Repeat("x", 600), reject.BadRequest, true},
	}
	for _, c := range cases {
		_, err := handshake.ParseStreamID(c.sid)
		require.Error(t, err, c.sid)
		var r reject.Reason
		require.True(t, errors.As(err, &r), c.sid)
		assert.Equal(t, c.reason, r, c.sid)
		assert.True(t, errors.Is(err, c.reason), c.sid)
		assert.Equal(t, c.syntax, errors.Is(err, handshake.ErrStreamIDSyntax), c.sid)
		var se *handshake.StreamIDError
		require.ErrorAs(t, err, &se)
		assert.Contains(t, err.Error(), r.Name())
	}
}

func TestStreamIDBuild(t *testing.T) {
	var id handshake.StreamID
	id.Set("r", "live/feed1")
	id.Set("m", "publish")
	id.Set("r", "live/feed2")
	assert.Equal(t, "#!::r=live/feed2,m=publish", id.String())
	back, err := handshake.ParseStreamID(id.String())
	require.NoError(t, err)
	assert.Equal(t, id.Params, back.Params)
}

// TestStreamIDCorpus parses the Stream IDs the corpus captures carry.
func TestStreamIDCorpus(t *testing.T) {
	n := 0
	for _, c := range corpusHandshakes(t) {
		var hs handshake.Handshake
		require.NoError(t, hs.Decode(c.pkt[16:]))
		s := hs.StreamID()
		if s == "" {
			continue
		}
		n++
		_, err := handshake.ParseStreamID(s)
		assert.NoError(t, err, "%v: %q", c, s)
	}
	assert.Positive(t, n)
}
