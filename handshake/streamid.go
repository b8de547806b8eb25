package handshake

import (
	"strings"

	"github.com/srtwire/srtwire/reject"
)

// MaxStreamIDLen is the longest Stream ID libsrt accepts (SRTO_STREAMID).
const MaxStreamIDLen = 512

// KeyValue is one key=value pair of a structured Stream ID.
type KeyValue struct {
	Key, Value string
}

// StreamID is a parsed Stream ID. A Stream ID that does not start with
// "#!" is free-form: Structured is false and Params is empty. The
// access-control form "#!::k=v,k=v" (and the nested "#!:{k=v,...}") yields
// Structured = true and the pairs in Params, in order.
//
// The standard keys are u (user), r (resource), h (host), s (session), t
// (type: stream, file, auth) and m (mode: request, publish, bidirectional).
// Every other single-letter key is reserved; custom keys (user_*,
// companyname_*) are kept as they are.
type StreamID struct {
	Raw        string // the Stream ID as parsed
	Structured bool   // it uses the "#!" access-control syntax
	Nested     bool   // it uses the "#!:{...}" form
	Params     []KeyValue
}

// StreamIDError reports a Stream ID a listener should refuse, with the
// rejection reason to answer with. It unwraps to both ErrStreamIDSyntax
// (for syntax faults) and its reject.Reason, so
//
//	var r reject.Reason
//	if errors.As(err, &r) { ... reject with r ... }
//
// works on errors returned by ParseStreamID.
type StreamIDError struct {
	Reason reject.Reason // KeyNotSup, BadRequest, BadMode or NotSupMedia
	Key    string        // the key at fault, if any
	Msg    string
}

// Error returns "handshake: Stream ID: " and what is wrong, with the key
// when one is at fault.
func (e *StreamIDError) Error() string {
	s := "handshake: Stream ID: " + e.Msg
	if e.Key != "" {
		s += " (key " + e.Key + ")"
	}
	return s + " [" + e.Reason.Name() + "]"
}

// Unwrap returns the rejection reason and, for syntax faults,
// ErrStreamIDSyntax.
func (e *StreamIDError) Unwrap() []error {
	if e.Reason == reject.BadRequest {
		return []error{ErrStreamIDSyntax, e.Reason}
	}
	return []error{e.Reason}
}

func sidErr(r reject.Reason, key, msg string) error {
	return &StreamIDError{Reason: r, Key: key, Msg: msg}
}

// ParseStreamID parses a Stream ID and checks it against the access-control
// rules of libsrt's documentation. On failure it returns the StreamID parsed
// so far and a *StreamIDError carrying the reason a listener should reject
// with:
//   - BadRequest: malformed syntax (no "=", empty or repeated key, an
//     unknown "#!" syntax, unbalanced braces, over 512 bytes);
//   - KeyNotSup: a reserved single-letter key other than u, r, h, s, t, m;
//   - BadMode: m is not request, publish or bidirectional;
//   - NotSupMedia: t is not stream, file or auth.
//
// A listener can do access control in three lines:
//
//	sid, err := handshake.ParseStreamID(hs.StreamID())
//	var r reject.Reason
//	if errors.As(err, &r) { /* answer with handshake.RejectionType(r) */ }
func ParseStreamID(s string) (StreamID, error) {
	id := StreamID{Raw: s}
	if len(s) > MaxStreamIDLen {
		return id, sidErr(reject.BadRequest, "", "longer than 512 bytes")
	}
	if !strings.HasPrefix(s, "#!") {
		return id, nil
	}
	id.Structured = true
	var body string
	switch {
	case strings.HasPrefix(s, "#!::"):
		body = s[4:]
	case strings.HasPrefix(s, "#!:{"):
		if !strings.HasSuffix(s, "}") {
			return id, sidErr(reject.BadRequest, "", "nested block not closed by }")
		}
		id.Nested = true
		body = s[4 : len(s)-1]
	default:
		return id, sidErr(reject.BadRequest, "", "unknown syntax after #! (want #!:: or #!:{)")
	}
	if body == "" {
		return id, sidErr(reject.BadRequest, "", "no key=value pairs")
	}
	for body != "" {
		item, rest, err := nextItem(body, id.Nested)
		if err != nil {
			return id, err
		}
		body = rest
		k, v, ok := strings.Cut(item, "=")
		if !ok {
			return id, sidErr(reject.BadRequest, "", "pair without '=': "+quote(item))
		}
		if k == "" {
			return id, sidErr(reject.BadRequest, "", "empty key")
		}
		if _, dup := id.Get(k); dup {
			return id, sidErr(reject.BadRequest, k, "repeated key")
		}
		id.Params = append(id.Params, KeyValue{k, v})
		if err := checkKey(k, v); err != nil {
			return id, err
		}
	}
	return id, nil
}

// nextItem splits off the next comma-separated item; in the nested form a
// value may itself be a {...} block containing commas.
func nextItem(body string, nested bool) (item, rest string, err error) {
	depth := 0
	for i := 0; i < len(body); i++ {
		switch body[i] {
		case '{':
			if !nested {
				continue
			}
			depth++
		case '}':
			if !nested {
				continue
			}
			depth--
			if depth < 0 {
				return "", "", sidErr(reject.BadRequest, "", "unbalanced }")
			}
		case ',':
			if depth == 0 {
				if i == 0 {
					return "", "", sidErr(reject.BadRequest, "", "empty pair")
				}
				if i == len(body)-1 {
					return "", "", sidErr(reject.BadRequest, "", "trailing comma")
				}
				return body[:i], body[i+1:], nil
			}
		}
	}
	if depth != 0 {
		return "", "", sidErr(reject.BadRequest, "", "unbalanced {")
	}
	return body, "", nil
}

func quote(s string) string {
	if len(s) > 32 {
		s = s[:32] + "..."
	}
	return `"` + s + `"`
}

func checkKey(k, v string) error {
	if len(k) != 1 {
		return nil // custom key: user_*, companyname_*, ...
	}
	switch k {
	case "u", "r", "h", "s":
		return nil
	case "m":
		switch v {
		case "request", "publish", "bidirectional":
			return nil
		}
		return sidErr(reject.BadMode, k, "mode "+quote(v)+" is not request, publish or bidirectional")
	case "t":
		switch v {
		case "stream", "file", "auth":
			return nil
		}
		return sidErr(reject.NotSupMedia, k, "type "+quote(v)+" is not stream, file or auth")
	}
	return sidErr(reject.KeyNotSup, k, "reserved single-letter key")
}

// Get returns the value of key and whether it is present.
func (id *StreamID) Get(key string) (string, bool) {
	for _, p := range id.Params {
		if p.Key == key {
			return p.Value, true
		}
	}
	return "", false
}

// Set sets key to value, replacing an existing pair or appending a new one,
// and marks id as structured.
func (id *StreamID) Set(key, value string) {
	id.Structured = true
	for i := range id.Params {
		if id.Params[i].Key == key {
			id.Params[i].Value = value
			return
		}
	}
	id.Params = append(id.Params, KeyValue{key, value})
}

// User returns the u key (the user or authorization name).
func (id *StreamID) User() string { v, _ := id.Get("u"); return v }

// Resource returns the r key (the resource name).
func (id *StreamID) Resource() string { v, _ := id.Get("r"); return v }

// Host returns the h key.
func (id *StreamID) Host() string { v, _ := id.Get("h"); return v }

// Session returns the s key (a one-shot session ID).
func (id *StreamID) Session() string { v, _ := id.Get("s"); return v }

// Type returns the t key, or "stream", its default.
func (id *StreamID) Type() string {
	if v, ok := id.Get("t"); ok {
		return v
	}
	return "stream"
}

// Mode returns the m key, or "request", its default.
func (id *StreamID) Mode() string {
	if v, ok := id.Get("m"); ok {
		return v
	}
	return "request"
}

// String returns the Stream ID in wire form: Raw for a free-form ID,
// otherwise "#!::" (or "#!:{...}" when Nested) and the pairs in order.
func (id StreamID) String() string {
	if !id.Structured {
		return id.Raw
	}
	var b strings.Builder
	if id.Nested {
		b.WriteString("#!:{")
	} else {
		b.WriteString("#!::")
	}
	for i, p := range id.Params {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(p.Key)
		b.WriteByte('=')
		b.WriteString(p.Value)
	}
	if id.Nested {
		b.WriteByte('}')
	}
	return b.String()
}
