package reject

import "strconv"

// Reason is an SRT rejection reason, the API code libsrt's
// srt_getrejectreason returns (10, 1403, 2005), not the value on the wire:
// use [FromWire] and [Reason.Wire] to convert.
//
// The zero value is [Unknown] (SRT_REJ_UNKNOWN).
type Reason int32

// SRT_REJ_* codes, libsrt's own reasons (srt.h, enum SRT_REJECT_REASON).
const (
	Unknown    Reason = 0  // SRT_REJ_UNKNOWN: unknown or erroneous
	System     Reason = 1  // SRT_REJ_SYSTEM: error in system calls
	Peer       Reason = 2  // SRT_REJ_PEER: peer rejected connection
	Resource   Reason = 3  // SRT_REJ_RESOURCE: resource allocation failure
	Rogue      Reason = 4  // SRT_REJ_ROGUE: rogue peer or incorrect parameters
	Backlog    Reason = 5  // SRT_REJ_BACKLOG: listener's backlog exceeded
	IPE        Reason = 6  // SRT_REJ_IPE: internal program error
	Close      Reason = 7  // SRT_REJ_CLOSE: socket is being closed
	Version    Reason = 8  // SRT_REJ_VERSION: peer version too old
	RdvCookie  Reason = 9  // SRT_REJ_RDVCOOKIE: rendezvous-mode cookie collision
	BadSecret  Reason = 10 // SRT_REJ_BADSECRET: incorrect passphrase
	Unsecure   Reason = 11 // SRT_REJ_UNSECURE: password required or unexpected
	MessageAPI Reason = 12 // SRT_REJ_MESSAGEAPI: MessageAPI/StreamAPI collision
	Congestion Reason = 13 // SRT_REJ_CONGESTION: congestion controller type collision
	Filter     Reason = 14 // SRT_REJ_FILTER: packet filter settings error
	Group      Reason = 15 // SRT_REJ_GROUP: group settings collision (SRT 1.4.2)
	Timeout    Reason = 16 // SRT_REJ_TIMEOUT: connection timeout (SRT 1.4.2)
	// Crypto is SRT_REJ_CRYPTO, a crypto mode mismatch (SRT 1.5.2). A default
	// libsrt master build (without ENABLE_AEAD_API_PREVIEW) does not define it
	// and reads a received 1017 as SRT_REJ_UNKNOWN.
	Crypto Reason = 17
	// Config is SRT_REJ_CONFIG, an invalid configuration. It exists only on
	// libsrt's dev branch.
	Config Reason = 18
)

// SRT_REJX_* codes, the predefined application reasons of libsrt's
// access_control.h. Codes 1400–1599 follow the HTTP status codes 400–599.
const (
	Fallback           Reason = 1000 // SRT_REJX_FALLBACK: the application gave no specific reason
	KeyNotSup          Reason = 1001 // SRT_REJX_KEY_NOTSUP: unsupported Stream ID key
	FilePath           Reason = 1002 // SRT_REJX_FILEPATH: incorrect resource path
	HostNotFound       Reason = 1003 // SRT_REJX_HOSTNOTFOUND: unrecognized host under the h key
	BadRequest         Reason = 1400 // SRT_REJX_BAD_REQUEST: HTTP 400
	Unauthorized       Reason = 1401 // SRT_REJX_UNAUTHORIZED: HTTP 401
	Overload           Reason = 1402 // SRT_REJX_OVERLOAD: HTTP 402, server overloaded or quota exhausted
	Forbidden          Reason = 1403 // SRT_REJX_FORBIDDEN: HTTP 403
	NotFound           Reason = 1404 // SRT_REJX_NOTFOUND: HTTP 404
	BadMode            Reason = 1405 // SRT_REJX_BAD_MODE: HTTP 405, m key not allowed
	Unacceptable       Reason = 1406 // SRT_REJX_UNACCEPTABLE: HTTP 406
	Conflict           Reason = 1409 // SRT_REJX_CONFLICT: HTTP 409 (gosrt wrongly uses 1407)
	NotSupMedia        Reason = 1415 // SRT_REJX_NOTSUP_MEDIA: HTTP 415, t key not supported
	Locked             Reason = 1423 // SRT_REJX_LOCKED: HTTP 423
	FailedDepend       Reason = 1424 // SRT_REJX_FAILED_DEPEND: HTTP 424, dependent session expired
	ISE                Reason = 1500 // SRT_REJX_ISE: HTTP 500, internal server error
	Unimplemented      Reason = 1501 // SRT_REJX_UNIMPLEMENTED: HTTP 501
	Gateway            Reason = 1502 // SRT_REJX_GW: HTTP 502, gateway target rejected
	Down               Reason = 1503 // SRT_REJX_DOWN: HTTP 503, down for maintenance
	UnsupportedVersion Reason = 1505 // SRT_REJX_VERSION: HTTP 505, unsupported version
	NoRoom             Reason = 1507 // SRT_REJX_NOROOM: HTTP 507, storage capacity exceeded
)

// First codes of the three categories (libsrt's SRT_REJC_INTERNAL,
// SRT_REJC_PREDEFINED and SRT_REJC_USERDEFINED).
const (
	CategoryInternalBase   Reason = 0    // SRT_REJC_INTERNAL
	CategoryPredefinedBase Reason = 1000 // SRT_REJC_PREDEFINED
	CategoryUserBase       Reason = 2000 // SRT_REJC_USERDEFINED
)

// Known reports whether r is an assigned code: SRT_REJ_* 0–18 (17 and 18
// included although not every libsrt build has them) or one of the 21
// SRT_REJX_* codes.
func (r Reason) Known() bool { return find(r) != nil }

// Valid reports whether r can be sent: 0 ≤ r ≤ [MaxReason]. Every Reason that
// [FromWire] returns is valid.
func (r Reason) Valid() bool { return r >= 0 && r <= MaxReason }

// Category returns the range r falls in. Negative values count as
// [Internal], as libsrt's SRT_REJC_VALUE would place them; they are not
// [Reason.Valid].
func (r Reason) Category() Category {
	switch {
	case r >= CategoryUserBase:
		return UserDefined
	case r >= CategoryPredefinedBase:
		return Predefined
	}
	return Internal
}

// Name returns libsrt's identifier for r, such as "SRT_REJ_BADSECRET" or
// "SRT_REJX_FORBIDDEN". A code without an identifier gets a constant that
// names its range, so Name never allocates but is not unique for such codes:
//
//	"SRT_REJ_UNASSIGNED"   an internal code 19–999 that no known libsrt assigns
//	"SRT_REJX_UNASSIGNED"  an unassigned code in the SRT_REJX range 1000–1999
//	"SRT_REJC_USERDEFINED" an application's own code, 2000 and up
//	"SRT_REJ_INVALID"      a negative value
//
// Use [Reason.String] for a form that includes the number.
func (r Reason) Name() string { return describe(r).name }

// Text returns libsrt's short description of r: srt_rejectreason_str (libsrt
// master) for SRT_REJ_* codes, with the dev-branch texts for 17 and 18, and
// srt_rejectreasonx_str (libsrt dev) for SRT_REJX_* codes. Unknown codes get
// the text libsrt would give them: "Unknown or erroneous" for unassigned
// internal and negative codes, "Undefined extended rejection code" for
// unassigned SRT_REJX codes, and "Application-defined rejection reason" for
// user codes.
func (r Reason) Text() string { return describe(r).text }

// Explain returns one line in plain words: what the rejection means and what
// to check. Unknown codes get a line about their range.
func (r Reason) Explain() string { return describe(r).explain }

// Since returns the SRT version that introduced r, as the libsrt
// documentation gives it ("1.3.4", "1.4.2", "1.5.2"), "dev" for [Config],
// which exists only on libsrt's dev branch, and "" for unknown codes.
func (r Reason) Since() string { return describe(r).since }

// Retryable reports whether trying the same connection again later, with
// nothing changed, can succeed. It is true for transient conditions:
// [System], [Backlog], [Close], [RdvCookie] (a new attempt makes new
// cookies), [Timeout], [Overload], [Conflict], [Locked], [ISE], [Gateway] and
// [Down]. It is false for configuration and policy mismatches that need a
// change on one side (for example [BadSecret], [Unsecure], [MessageAPI],
// [Congestion], [Filter], [Version], [Unauthorized], [Forbidden]), for
// [Resource] (in practice mostly a listener callback refusing the caller),
// for [Unknown] and [Fallback], and for every unknown code.
func (r Reason) Retryable() bool { return describe(r).retry }

// HTTPStatus returns the HTTP status code that r adopts: r − 1000 for any
// code in 1400–1599, assigned or not (1403 → 403). ok is false outside that
// range.
func (r Reason) HTTPStatus() (status int, ok bool) {
	if r >= 1400 && r <= 1599 {
		return int(r - 1000), true
	}
	return 0, false
}

// String returns Name followed by the code in parentheses:
// "SRT_REJ_BADSECRET (10)", "SRT_REJX_UNASSIGNED (1410)",
// "SRT_REJC_USERDEFINED (2005)". It does not allocate for known codes.
//
// Because Reason is also an error, fmt's %v and %s print [Reason.Error],
// not String; call String explicitly for this form.
func (r Reason) String() string {
	if e := find(r); e != nil {
		return e.str
	}
	return describe(r).name + " (" + strconv.Itoa(int(r)) + ")"
}

// GoString returns the Go expression for r, such as "reject.BadSecret" or
// "reject.Reason(2005)"; fmt uses it for %#v.
func (r Reason) GoString() string {
	if e := find(r); e != nil {
		return e.gostr
	}
	return "reject.Reason(" + strconv.Itoa(int(r)) + ")"
}

// All returns every known reason in ascending order: the SRT_REJ_* codes
// 0–18, then the 21 SRT_REJX_* codes. Each call returns a new slice.
func All() []Reason {
	out := make([]Reason, len(table))
	for i := range table {
		out[i] = table[i].code
	}
	return out
}
