// Package reject names every SRT connection rejection reason and maps it to
// and from the wire.
//
// A [Reason] is the API code that libsrt's srt_getrejectreason returns: 0–999
// are libsrt's own SRT_REJ_* codes (category [Internal]), 1000–1999 the
// SRT_REJX_* codes of access_control.h (category [Predefined]), and 2000 and up
// codes an application defines itself (category [UserDefined]).
//
// On the wire a rejection travels as the Handshake Type of a HANDSHAKE packet:
// Handshake Type = 1000 + reason ([WireOffset], libsrt's URQ_FAILURE_TYPES).
// [FromWire] and [Reason.Wire] are the only two places where that offset is
// applied. Decoding never fails and never loses the number: an internal code
// no libsrt knows (wire 1019 → 19), an unassigned SRT_REJX code
// (wire 2410 → 1410) and any user code (wire 3005 → 2005) come back as a
// Reason whose [Reason.Known] is false and whose [Reason.Name] and
// [Reason.Text] say which range it fell into.
//
// Besides its libsrt name and text, every reason knows a one-line explanation
// in plain words ([Reason.Explain]), the SRT version that introduced it
// ([Reason.Since]), its HTTP status when it is in the 1400–1599 subrange
// ([Reason.HTTPStatus]) and whether retrying can help ([Reason.Retryable]).
//
// Reason implements error, so errors.Is(err, reject.BadSecret) and
// errors.As(err, &r) work, and errors.Is(err, [ErrRejected]) matches any reason.
//
// Some other stacks (datarhei/gosrt, zsiec/srtgo) put SRT_REJX codes on the
// wire without the +1000, for example 1403 instead of 2403 for FORBIDDEN;
// [Reason.LooksUnshifted] and [Reason.Unshifted] detect and undo that.
//
// FromWire, Wire and every lookup (Name, Text, Explain, Since, Category,
// HTTPStatus, Retryable, Known, and String and Error for known codes) run
// without allocating.
package reject
