package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/srtwire/srtwire/reject"
)

func TestParseRule(t *testing.T) {
	for _, tc := range []struct {
		in     string
		key    string
		glob   string
		reason reject.Reason
	}{
		{"r=forbidden*:1403", "r", "forbidden*", reject.Forbidden},
		{"u=guest:1401", "u", "guest", reject.Unauthorized},
		{"u=guest:SRT_REJX_UNAUTHORIZED", "u", "guest", reject.Unauthorized},
		{"u=guest:unauthorized", "u", "guest", reject.Unauthorized},
		{"r=live/*:badsecret", "r", "live/*", reject.BadSecret},
		{"r=x:wire:2403", "r", "x", reject.Forbidden},     // the reason may hold a ':'
		{"r=a:b:1403", "r", "a:b", reject.Forbidden},      // and so may the glob
		{"r=a:10:2005", "r", "a:10", reject.Reason(2005)}, // "10:2005" is no reason
		{"*=legacy:2005", "*", "legacy", reject.Reason(2005)},
		{"user_x=[ab]?:0", "user_x", "[ab]?", reject.Unknown},
		{"r=:1404", "r", "", reject.NotFound},
	} {
		r, err := parseRule(tc.in)
		require.NoError(t, err, tc.in)
		assert.Equal(t, rule{Key: tc.key, Glob: tc.glob, Reason: tc.reason, Text: tc.in}, r, tc.in)
	}
	for _, bad := range []string{
		"", "nokey", "=x:1403", "r=x", "r=x:", "r=x:notareason", "r=x:-1", "r=x:99999999999",
		"r=[:1403", "a,b=x:1403",
	} {
		_, err := parseRule(bad)
		assert.Error(t, err, "%q", bad)
	}
	// The reason's own error is kept.
	_, err := parseRule("r=x:notareason")
	assert.ErrorIs(t, err, reject.ErrSyntax)
}

func TestPolicy(t *testing.T) {
	p, err := newPolicy("", []string{"r=forbidden*:1403", "u=guest:1401", "r=*:1402", "*=plain*:2005"}, "1404")
	require.NoError(t, err)
	for _, tc := range []struct {
		sid    string
		reason reject.Reason
		why    string
	}{
		{"#!::r=forbidden,u=bob", reject.Forbidden, "rule r=forbidden*:1403"},
		{"#!::u=guest,r=forbidden2", reject.Forbidden, "rule r=forbidden*:1403"}, // first rule first
		{"#!::u=guest", reject.Unauthorized, "rule u=guest:1401"},
		{"#!::u=guests", reject.NotFound, "-default"},
		{"#!::r=live", reject.Overload, "rule r=*:1402"},
		{"#!::r=live/feed", reject.NotFound, "-default"}, // * does not cross '/'
		{"#!:{r=forbidden1,u=x}", reject.Forbidden, "rule r=forbidden*:1403"},
		{"plain text id", reject.Reason(2005), "rule *=plain*:2005"},
		{"#!::u=guest,bad", reject.Unauthorized, "rule u=guest:1401"}, // pairs before a syntax fault count
		{"", reject.NotFound, "-default"},
	} {
		r, why := p.Decide(tc.sid)
		assert.Equal(t, tc.reason, r, tc.sid)
		assert.Equal(t, tc.why, why, tc.sid)
	}

	p, err = newPolicy("forbidden", nil, "")
	require.NoError(t, err)
	r, why := p.Decide("#!::u=anyone")
	assert.Equal(t, reject.Forbidden, r)
	assert.Equal(t, "-reject", why)

	p, err = newPolicy("", []string{"u=x:1"}, "")
	require.NoError(t, err)
	r, _ = p.Decide("#!::u=y")
	assert.Equal(t, reject.Fallback, r, "the default default")

	_, err = newPolicy("1403", []string{"u=x:1"}, "")
	assert.Error(t, err)
	_, err = newPolicy("1403", nil, "1404")
	assert.Error(t, err)
	_, err = newPolicy("nope", nil, "")
	assert.Error(t, err)
	_, err = newPolicy("", nil, "nope")
	assert.Error(t, err)
	_, err = newPolicy("", []string{"bad"}, "")
	assert.Error(t, err)
}
