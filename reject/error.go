package reject

import (
	"errors"
	"strconv"
)

// ErrRejected matches every [Reason] under errors.Is, so
// errors.Is(err, ErrRejected) tells whether err is a rejection of any kind.
var ErrRejected = errors.New("reject: connection rejected")

// Error returns "reject: connection rejected: " followed by [Reason.String],
// ": " and [Reason.Text], for example
// "reject: connection rejected: SRT_REJ_BADSECRET (10): Incorrect passphrase".
// It does not allocate for known codes.
//
// Because Reason is an error, errors.Is(err, reject.BadSecret) and
// errors.As(err, &r) work on wrapped errors. Note that fmt's %v and %s print
// this Error form; call [Reason.String] or [Reason.Name] for the short forms.
func (r Reason) Error() string {
	if e := find(r); e != nil {
		return e.err
	}
	return errorPrefix + describe(r).name + " (" + strconv.Itoa(int(r)) + "): " + describe(r).text
}

// Is reports whether target is [ErrRejected]. Equality with another Reason
// is handled by errors.Is itself.
func (r Reason) Is(target error) bool { return target == ErrRejected }

const errorPrefix = "reject: connection rejected: "
