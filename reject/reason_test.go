package reject_test

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/srtwire/srtwire/reject"
)

// row is one reason as libsrt defines it, copied by hand from its sources.
type row struct {
	r     reject.Reason
	code  int32
	wire  int32
	name  string
	since string
	text  string
}

// spec61 is libsrt's SRT_REJ_* (srtcore/srt.h), with the texts of
// srt_rejectreason_str (srtcore/common.cpp).
var spec61 = []row{
	{reject.Unknown, 0, 1000, "SRT_REJ_UNKNOWN", "1.3.4", "Unknown or erroneous"},
	{reject.System, 1, 1001, "SRT_REJ_SYSTEM", "1.3.4", "Error in system calls"},
	{reject.Peer, 2, 1002, "SRT_REJ_PEER", "1.3.4", "Peer rejected connection"},
	{reject.Resource, 3, 1003, "SRT_REJ_RESOURCE", "1.3.4", "Resource allocation failure"},
	{reject.Rogue, 4, 1004, "SRT_REJ_ROGUE", "1.3.4", "Rogue peer or incorrect parameters"},
	{reject.Backlog, 5, 1005, "SRT_REJ_BACKLOG", "1.3.4", "Listener's backlog exceeded"},
	{reject.IPE, 6, 1006, "SRT_REJ_IPE", "1.3.4", "Internal Program Error"},
	{reject.Close, 7, 1007, "SRT_REJ_CLOSE", "1.3.4", "Socket is being closed"},
	{reject.Version, 8, 1008, "SRT_REJ_VERSION", "1.3.4", "Peer version too old"},
	{reject.RdvCookie, 9, 1009, "SRT_REJ_RDVCOOKIE", "1.3.4", "Rendezvous-mode cookie collision"},
	{reject.BadSecret, 10, 1010, "SRT_REJ_BADSECRET", "1.3.4", "Incorrect passphrase"},
	{reject.Unsecure, 11, 1011, "SRT_REJ_UNSECURE", "1.3.4", "Password required or unexpected"},
	{reject.MessageAPI, 12, 1012, "SRT_REJ_MESSAGEAPI", "1.3.4", "MessageAPI/StreamAPI collision"},
	{reject.Congestion, 13, 1013, "SRT_REJ_CONGESTION", "1.3.4", "Congestion controller type collision"},
	{reject.Filter, 14, 1014, "SRT_REJ_FILTER", "1.3.4", "Packet Filter settings error"},
	{reject.Group, 15, 1015, "SRT_REJ_GROUP", "1.4.2", "Group settings collision"},
	{reject.Timeout, 16, 1016, "SRT_REJ_TIMEOUT", "1.4.2", "Connection timeout"},
	{reject.Crypto, 17, 1017, "SRT_REJ_CRYPTO", "1.5.2", "Crypto mode"},
	{reject.Config, 18, 1018, "SRT_REJ_CONFIG", "dev", "Invalid configuration"},
}

// spec62 is libsrt's SRT_REJX_* (srtcore/access_control.h), texts of the dev
// srt_rejectreasonx_str. 1404 and 1501 are missing there; their texts are ours.
var spec62 = []row{
	{reject.Fallback, 1000, 2000, "SRT_REJX_FALLBACK", "1.4.2", "Default fallback reason"},
	{reject.KeyNotSup, 1001, 2001, "SRT_REJX_KEY_NOTSUP", "1.4.2", "Unsupported streamid key"},
	{reject.FilePath, 1002, 2002, "SRT_REJX_FILEPATH", "1.4.2", "Incorrect resource path"},
	{reject.HostNotFound, 1003, 2003, "SRT_REJX_HOSTNOTFOUND", "1.4.2", "Unrecognized host under h key"},
	{reject.BadRequest, 1400, 2400, "SRT_REJX_BAD_REQUEST", "1.4.2", "Bad request"},
	{reject.Unauthorized, 1401, 2401, "SRT_REJX_UNAUTHORIZED", "1.4.2", "Unauthorized"},
	{reject.Overload, 1402, 2402, "SRT_REJX_OVERLOAD", "1.4.2", "Server overloaded or underpaid"},
	{reject.Forbidden, 1403, 2403, "SRT_REJX_FORBIDDEN", "1.4.2", "Resource access forbidden"},
	{reject.NotFound, 1404, 2404, "SRT_REJX_NOTFOUND", "1.4.2", "Resource not found"},
	{reject.BadMode, 1405, 2405, "SRT_REJX_BAD_MODE", "1.4.2", "Bad mode specified with m key"},
	{reject.Unacceptable, 1406, 2406, "SRT_REJX_UNACCEPTABLE", "1.4.2", "Unacceptable parameters for specified resource"},
	{reject.Conflict, 1409, 2409, "SRT_REJX_CONFLICT", "1.4.2", "Access conflict for a locked resource"},
	{reject.NotSupMedia, 1415, 2415, "SRT_REJX_NOTSUP_MEDIA", "1.4.2", "Unsupported media type specified with t key"},
	{reject.Locked, 1423, 2423, "SRT_REJX_LOCKED", "1.4.2", "Resource locked for any access"},
	{reject.FailedDepend, 1424, 2424, "SRT_REJX_FAILED_DEPEND", "1.4.2", "Dependent session id expired"},
	{reject.ISE, 1500, 2500, "SRT_REJX_ISE", "1.4.2", "Internal server error"},
	{reject.Unimplemented, 1501, 2501, "SRT_REJX_UNIMPLEMENTED", "1.4.2", "Requested feature not implemented"},
	{reject.Gateway, 1502, 2502, "SRT_REJX_GW", "1.4.2", "Gateway target rejected connection"},
	{reject.Down, 1503, 2503, "SRT_REJX_DOWN", "1.4.2", "Service is down for maintenance"},
	{reject.UnsupportedVersion, 1505, 2505, "SRT_REJX_VERSION", "1.4.2", "Unsupported version for the request"},
	{reject.NoRoom, 1507, 2507, "SRT_REJX_NOROOM", "1.4.2", "Storage capacity exceeded"},
}

func checkRow(t *testing.T, w row, cat reject.Category) {
	t.Helper()
	r := w.r
	assert.Equal(t, w.code, int32(r), "constant value")
	assert.True(t, r.Known())
	assert.True(t, r.Valid())
	assert.Equal(t, w.name, r.Name())
	assert.Equal(t, w.wire, r.Wire())
	assert.Equal(t, w.text, r.Text())
	assert.Equal(t, w.since, r.Since())
	assert.Equal(t, cat, r.Category())
	assert.Equal(t, fmt.Sprintf("%s (%d)", w.name, w.code), r.String())
	assert.Equal(t, "reject: connection rejected: "+r.String()+": "+w.text, r.Error())
	assert.NotEmpty(t, r.Explain())
	assert.NotContains(t, r.Explain(), "\n")

	got, ok := reject.FromWire(w.wire)
	require.True(t, ok)
	assert.Equal(t, r, got)

	// Every accepted spelling parses back.
	for _, s := range []string{
		w.name,
		strings.ToLower(w.name),
		fmt.Sprint(w.code),
		fmt.Sprintf("wire:%d", w.wire),
		fmt.Sprintf("wire:0x%08X", w.wire),
		strings.TrimPrefix(r.GoString(), "reject."),
		r.GoString(),
	} {
		p, err := reject.Parse(s)
		if assert.NoError(t, err, s) {
			assert.Equal(t, r, p, s)
		}
	}
}

func TestLibsrtRejectReasons(t *testing.T) {
	for _, w := range spec61 {
		t.Run(w.name, func(t *testing.T) {
			checkRow(t, w, reject.Internal)
			_, ok := w.r.HTTPStatus()
			assert.False(t, ok)
			p, err := reject.Parse(strings.TrimPrefix(w.name, "SRT_REJ_"))
			require.NoError(t, err)
			assert.Equal(t, w.r, p)
		})
	}
}

func TestLibsrtRejectXReasons(t *testing.T) {
	for _, w := range spec62 {
		t.Run(w.name, func(t *testing.T) {
			checkRow(t, w, reject.Predefined)
			st, ok := w.r.HTTPStatus()
			if w.code >= 1400 {
				assert.True(t, ok)
				assert.Equal(t, int(w.code-1000), st)
			} else {
				assert.False(t, ok)
			}
			suffix := strings.TrimPrefix(w.name, "SRT_REJX_")
			if suffix != "VERSION" { // bare VERSION is SRT_REJ_VERSION
				p, err := reject.Parse(suffix)
				require.NoError(t, err)
				assert.Equal(t, w.r, p)
			}
		})
	}
}

func TestAll(t *testing.T) {
	all := reject.All()
	require.Len(t, all, len(spec61)+len(spec62))
	for i, w := range append(append([]row{}, spec61...), spec62...) {
		assert.Equal(t, w.r, all[i])
	}
	all[0] = 12345 // a copy: changing it must not change the package
	assert.Equal(t, reject.Unknown, reject.All()[0])

	// Known is true exactly for the table, over the whole assigned area.
	known := map[reject.Reason]bool{}
	for _, r := range reject.All() {
		known[r] = true
	}
	for r := reject.Reason(-10); r < 4000; r++ {
		assert.Equal(t, known[r], r.Known(), "%d", r)
	}
	names := map[string]bool{}
	for _, r := range reject.All() {
		assert.False(t, names[r.Name()], "duplicate name %s", r.Name())
		names[r.Name()] = true
	}
}

func TestFromWireBoundaries(t *testing.T) {
	tests := []struct {
		wire  int32
		ok    bool
		want  reject.Reason
		known bool
		cat   reject.Category
		name  string
	}{
		{math.MinInt32, false, 0, false, reject.Internal, ""},
		{-3, false, 0, false, reject.Internal, ""}, // URQ_DONE
		{-2, false, 0, false, reject.Internal, ""}, // URQ_AGREEMENT
		{-1, false, 0, false, reject.Internal, ""}, // URQ_CONCLUSION
		{0, false, 0, false, reject.Internal, ""},  // URQ_WAVEAHAND
		{1, false, 0, false, reject.Internal, ""},  // URQ_INDUCTION
		{999, false, 0, false, reject.Internal, ""},
		{1000, true, reject.Unknown, true, reject.Internal, "SRT_REJ_UNKNOWN"},
		{1002, true, reject.Peer, true, reject.Internal, "SRT_REJ_PEER"},   // URQ_ERROR_REJECT
		{1004, true, reject.Rogue, true, reject.Internal, "SRT_REJ_ROGUE"}, // URQ_ERROR_INVALID
		{1017, true, reject.Crypto, true, reject.Internal, "SRT_REJ_CRYPTO"},
		{1018, true, reject.Config, true, reject.Internal, "SRT_REJ_CONFIG"},
		{1019, true, 19, false, reject.Internal, "SRT_REJ_UNASSIGNED"},
		{1403, true, 403, false, reject.Internal, "SRT_REJ_UNASSIGNED"}, // gosrt's FORBIDDEN
		{1999, true, 999, false, reject.Internal, "SRT_REJ_UNASSIGNED"},
		{2000, true, reject.Fallback, true, reject.Predefined, "SRT_REJX_FALLBACK"},
		{2004, true, 1004, false, reject.Predefined, "SRT_REJX_UNASSIGNED"},
		{2410, true, 1410, false, reject.Predefined, "SRT_REJX_UNASSIGNED"},
		{2507, true, reject.NoRoom, true, reject.Predefined, "SRT_REJX_NOROOM"},
		{2508, true, 1508, false, reject.Predefined, "SRT_REJX_UNASSIGNED"},
		{2999, true, 1999, false, reject.Predefined, "SRT_REJX_UNASSIGNED"},
		{3000, true, 2000, false, reject.UserDefined, "SRT_REJC_USERDEFINED"},
		{3005, true, 2005, false, reject.UserDefined, "SRT_REJC_USERDEFINED"},
		{math.MaxInt32, true, reject.MaxReason, false, reject.UserDefined, "SRT_REJC_USERDEFINED"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.wire), func(t *testing.T) {
			r, ok := reject.FromWire(tt.wire)
			require.Equal(t, tt.ok, ok)
			assert.Equal(t, tt.want, r)
			if !ok {
				return
			}
			assert.True(t, r.Valid())
			assert.Equal(t, tt.known, r.Known())
			assert.Equal(t, tt.cat, r.Category())
			assert.Equal(t, tt.name, r.Name())
			assert.Equal(t, tt.wire, r.Wire(), "round trip")
		})
	}
}

func TestWireOverflow(t *testing.T) {
	assert.Equal(t, reject.Reason(math.MaxInt32-1000), reject.MaxReason)
	assert.Equal(t, int32(math.MaxInt32), reject.MaxReason.Wire())
	assert.True(t, reject.MaxReason.Valid())
	for _, r := range []reject.Reason{reject.MaxReason + 1, math.MaxInt32, -1, -1000, -1001, math.MinInt32} {
		assert.False(t, r.Valid(), "%d", r)
		assert.Equal(t, int32(1000), r.Wire(), "%d: invalid reasons go out as SRT_REJ_UNKNOWN", r)
	}
}

func TestRoundTrip(t *testing.T) {
	for r := reject.Reason(0); r < 4000; r++ {
		w := r.Wire()
		require.Equal(t, int32(r)+1000, w)
		got, ok := reject.FromWire(w)
		require.True(t, ok)
		require.Equal(t, r, got)
		p, err := reject.Parse(fmt.Sprint(int32(r)))
		require.NoError(t, err)
		require.Equal(t, r, p)
		p, err = reject.Parse(fmt.Sprintf("wire:%d", w))
		require.NoError(t, err)
		require.Equal(t, r, p)
	}
}

func TestCategory(t *testing.T) {
	tests := []struct {
		r    reject.Reason
		want reject.Category
	}{
		{math.MinInt32, reject.Internal}, {-1, reject.Internal},
		{0, reject.Internal}, {18, reject.Internal}, {999, reject.Internal},
		{1000, reject.Predefined}, {1999, reject.Predefined},
		{2000, reject.UserDefined}, {2999, reject.UserDefined}, {3000, reject.UserDefined},
		{math.MaxInt32, reject.UserDefined},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, tt.r.Category(), "%d", tt.r)
	}
	assert.Equal(t, "internal", reject.Internal.String())
	assert.Equal(t, "predefined", reject.Predefined.String())
	assert.Equal(t, "user-defined", reject.UserDefined.String())
	assert.Equal(t, "Category(7)", reject.Category(7).String())

	assert.Equal(t, reject.Reason(0), reject.Internal.Base())
	assert.Equal(t, reject.Reason(1000), reject.Predefined.Base())
	assert.Equal(t, reject.Reason(2000), reject.UserDefined.Base())
	assert.Equal(t, reject.Reason(-1), reject.Category(7).Base())
	assert.Equal(t, reject.CategoryInternalBase, reject.Internal.Base())
	assert.Equal(t, reject.CategoryPredefinedBase, reject.Predefined.Base())
	assert.Equal(t, reject.CategoryUserBase, reject.UserDefined.Base())
	assert.Equal(t, 1000, reject.WireOffset)
}

func TestUnknownCodes(t *testing.T) {
	tests := []struct {
		r          reject.Reason
		name, text string
		str, gostr string
	}{
		{19, "SRT_REJ_UNASSIGNED", "Unknown or erroneous", "SRT_REJ_UNASSIGNED (19)", "reject.Reason(19)"},
		{999, "SRT_REJ_UNASSIGNED", "Unknown or erroneous", "SRT_REJ_UNASSIGNED (999)", "reject.Reason(999)"},
		{1004, "SRT_REJX_UNASSIGNED", "Undefined extended rejection code", "SRT_REJX_UNASSIGNED (1004)", "reject.Reason(1004)"},
		{1410, "SRT_REJX_UNASSIGNED", "Undefined extended rejection code", "SRT_REJX_UNASSIGNED (1410)", "reject.Reason(1410)"},
		{1999, "SRT_REJX_UNASSIGNED", "Undefined extended rejection code", "SRT_REJX_UNASSIGNED (1999)", "reject.Reason(1999)"},
		{2000, "SRT_REJC_USERDEFINED", "Application-defined rejection reason", "SRT_REJC_USERDEFINED (2000)", "reject.Reason(2000)"},
		{2005, "SRT_REJC_USERDEFINED", "Application-defined rejection reason", "SRT_REJC_USERDEFINED (2005)", "reject.Reason(2005)"},
		{-5, "SRT_REJ_INVALID", "Unknown or erroneous", "SRT_REJ_INVALID (-5)", "reject.Reason(-5)"},
	}
	for _, tt := range tests {
		t.Run(tt.str, func(t *testing.T) {
			assert.False(t, tt.r.Known())
			assert.Equal(t, tt.name, tt.r.Name())
			assert.Equal(t, tt.text, tt.r.Text())
			assert.Equal(t, tt.str, tt.r.String())
			assert.Equal(t, tt.gostr, tt.r.GoString())
			assert.Equal(t, "reject: connection rejected: "+tt.str+": "+tt.text, tt.r.Error())
			assert.NotEmpty(t, tt.r.Explain())
			assert.Empty(t, tt.r.Since())
			assert.False(t, tt.r.Retryable())
		})
	}
}

func TestFormatting(t *testing.T) {
	r := reject.Forbidden
	assert.Equal(t, "SRT_REJX_FORBIDDEN (1403)", r.String())
	assert.Equal(t, "1403", fmt.Sprintf("%d", r))
	assert.Equal(t, "reject.Forbidden", fmt.Sprintf("%#v", r))
	// fmt prefers Error over String for %v and %s.
	assert.Equal(t, r.Error(), fmt.Sprintf("%v", r))
	assert.Equal(t, "reject: connection rejected: SRT_REJX_FORBIDDEN (1403): Resource access forbidden", r.Error())
}

func TestHTTPStatus(t *testing.T) {
	tests := []struct {
		r      reject.Reason
		status int
		ok     bool
	}{
		{403, 0, false}, {1003, 0, false}, {1399, 0, false},
		{1400, 400, true}, {1403, 403, true}, {1409, 409, true},
		{1410, 410, true}, // unassigned, still in the HTTP subrange
		{1507, 507, true}, {1599, 599, true},
		{1600, 0, false}, {2403, 0, false}, {-1, 0, false},
	}
	for _, tt := range tests {
		st, ok := tt.r.HTTPStatus()
		assert.Equal(t, tt.ok, ok, "%d", tt.r)
		assert.Equal(t, tt.status, st, "%d", tt.r)
	}
}

func TestRetryable(t *testing.T) {
	yes := []reject.Reason{
		reject.System, reject.Backlog, reject.Close, reject.RdvCookie, reject.Timeout,
		reject.Overload, reject.Conflict, reject.Locked, reject.ISE, reject.Gateway, reject.Down,
	}
	isYes := map[reject.Reason]bool{}
	for _, r := range yes {
		isYes[r] = true
	}
	for _, r := range reject.All() {
		assert.Equal(t, isYes[r], r.Retryable(), "%v", r.Name())
	}
	// The ones the issue names explicitly.
	for _, r := range []reject.Reason{
		reject.BadSecret, reject.Unsecure, reject.MessageAPI, reject.Congestion,
		reject.Filter, reject.Version, reject.Unauthorized, reject.Forbidden,
	} {
		assert.False(t, r.Retryable(), r.Name())
	}
}

func TestUnshifted(t *testing.T) {
	// gosrt sends FORBIDDEN as Handshake Type 1403.
	r, ok := reject.FromWire(1403)
	require.True(t, ok)
	assert.Equal(t, reject.Reason(403), r)
	assert.False(t, r.Known())
	assert.True(t, r.LooksUnshifted())
	got, ok := r.Unshifted()
	assert.True(t, ok)
	assert.Equal(t, reject.Forbidden, got)

	// gosrt's CONFLICT is 1407 (libsrt: 1409) and goes out as 1407.
	r, _ = reject.FromWire(1407)
	got, ok = r.Unshifted()
	assert.True(t, ok)
	assert.Equal(t, reject.Conflict, got)

	// Every REJX code in the HTTP range is detected in its unshifted form.
	for _, x := range reject.All() {
		if x < 1400 {
			continue
		}
		got, ok := (x - 1000).Unshifted()
		assert.True(t, ok, x.Name())
		assert.Equal(t, x, got)
	}

	for _, r := range []reject.Reason{
		0, 3, reject.BadSecret, 399, 400 - 1, 408, 410, 504, 599, 600,
		reject.Forbidden, reject.Fallback, 2403, -597,
	} {
		assert.False(t, r.LooksUnshifted(), "%d", r)
		got, ok := r.Unshifted()
		assert.False(t, ok, "%d", r)
		assert.Equal(t, r, got, "%d", r)
	}
}

func TestParse(t *testing.T) {
	good := []struct {
		in   string
		want reject.Reason
	}{
		{"SRT_REJ_BADSECRET", reject.BadSecret},
		{"srt_rej_badsecret", reject.BadSecret},
		{"BADSECRET", reject.BadSecret},
		{"badsecret", reject.BadSecret},
		{"BadSecret", reject.BadSecret},
		{"bad-secret", reject.BadSecret},
		{"reject.BadSecret", reject.BadSecret},
		{"  badsecret\n", reject.BadSecret},
		{"10", reject.BadSecret},
		{"1403", reject.Forbidden},
		{"+1403", reject.Forbidden},
		{"wire:2403", reject.Forbidden},
		{"WIRE: 2403", reject.Forbidden},
		{"wire:0x963", reject.Forbidden},
		{"wire:0x00000963", reject.Forbidden},
		{"wire:1010", reject.BadSecret},
		{"wire:3005", 2005},
		{"SRT_REJX_FORBIDDEN", reject.Forbidden},
		{"forbidden", reject.Forbidden},
		{"SRT_REJX_BAD_REQUEST", reject.BadRequest},
		{"bad_request", reject.BadRequest},
		{"badrequest", reject.BadRequest},
		{"KEY_NOTSUP", reject.KeyNotSup},
		{"keynotsup", reject.KeyNotSup},
		{"notsup_media", reject.NotSupMedia},
		{"SRT_REJX_GW", reject.Gateway},
		{"gw", reject.Gateway},
		{"Gateway", reject.Gateway},
		{"VERSION", reject.Version},
		{"SRT_REJ_VERSION", reject.Version},
		{"SRT_REJX_VERSION", reject.UnsupportedVersion},
		{"UnsupportedVersion", reject.UnsupportedVersion},
		{"0", reject.Unknown},
		{"unknown", reject.Unknown},
		{"19", 19},
		{"1410", 1410},
		{"2005", 2005},
		{"2147482647", reject.MaxReason},
		{"wire:2147483647", reject.MaxReason},
	}
	for _, tt := range good {
		got, err := reject.Parse(tt.in)
		if assert.NoError(t, err, "%q", tt.in) {
			assert.Equal(t, tt.want, got, "%q", tt.in)
		}
	}

	bad := []struct {
		in   string
		want error
	}{
		{"", reject.ErrSyntax},
		{"   ", reject.ErrSyntax},
		{"nope", reject.ErrSyntax},
		{"SRT_REJ_", reject.ErrSyntax},
		{"SRT_REJ_FORBIDDEN", reject.ErrSyntax},  // FORBIDDEN is an SRT_REJX name
		{"SRT_REJX_BADSECRET", reject.ErrSyntax}, // BADSECRET is an SRT_REJ name
		{"SRT_REJ_UNASSIGNED", reject.ErrSyntax},
		{"SRT_REJ_BADSECRET!", reject.ErrSyntax},
		{"bad secret", reject.ErrSyntax},
		{strings.Repeat("A", 40), reject.ErrSyntax},
		{"10x", reject.ErrSyntax},
		{"0x3f3", reject.ErrSyntax},
		{"-", reject.ErrSyntax},
		{"1e3", reject.ErrSyntax},
		{"wire:", reject.ErrSyntax},
		{"wire:abc", reject.ErrSyntax},
		{"wire:0x", reject.ErrSyntax},
		{"-1", reject.ErrRange},
		{"2147482648", reject.ErrRange}, // MaxReason+1: no wire form
		{"2147483648", reject.ErrRange},
		{"99999999999", reject.ErrRange},
		{"wire:2147483648", reject.ErrRange},
		{"wire:0x100000000", reject.ErrRange},
		{"wire:999", reject.ErrNotRejection},
		{"wire:1", reject.ErrNotRejection},
		{"wire:-1", reject.ErrNotRejection},
		{"wire:0xFFFFFFFF", reject.ErrNotRejection},
	}
	for _, tt := range bad {
		_, err := reject.Parse(tt.in)
		require.Error(t, err, "%q", tt.in)
		assert.ErrorIs(t, err, tt.want, "%q", tt.in)
		var pe *reject.ParseError
		require.ErrorAs(t, err, &pe)
		assert.Equal(t, strings.TrimSpace(tt.in), pe.Input)
	}

	_, err := reject.Parse("nope")
	assert.EqualError(t, err, `reject: parsing "nope": not a rejection reason name or number`)
	_, err = reject.Parse("wire:999")
	assert.EqualError(t, err, `reject: parsing "wire:999": handshake type below 1000 is not a rejection`)
}

func TestErrors(t *testing.T) {
	var err error = reject.BadSecret
	wrapped := fmt.Errorf("connect 10.0.0.1:9000: %w", err)

	assert.ErrorIs(t, wrapped, reject.BadSecret)
	assert.NotErrorIs(t, wrapped, reject.Forbidden)
	assert.ErrorIs(t, wrapped, reject.ErrRejected)
	assert.ErrorIs(t, reject.Reason(2005), reject.ErrRejected)
	assert.NotErrorIs(t, errors.New("other"), reject.ErrRejected)
	assert.NotErrorIs(t, reject.BadSecret, reject.ErrSyntax)

	var r reject.Reason
	require.ErrorAs(t, wrapped, &r)
	assert.Equal(t, reject.BadSecret, r)
	assert.False(t, r.Retryable())

	assert.Equal(t,
		"connect 10.0.0.1:9000: reject: connection rejected: SRT_REJ_BADSECRET (10): Incorrect passphrase",
		wrapped.Error())
}
