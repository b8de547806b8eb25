package reject

import "strconv"

// Category is the range a [Reason] belongs to.
type Category uint8

// The three ranges of rejection codes.
const (
	// Internal is libsrt's own reasons, 0–999 (SRT_REJ_*, SRT_REJC_INTERNAL).
	Internal Category = iota
	// Predefined is the application reasons libsrt predefines, 1000–1999
	// (SRT_REJX_*, SRT_REJC_PREDEFINED).
	Predefined
	// UserDefined is the reasons an application defines, 2000 and up
	// (SRT_REJC_USERDEFINED).
	UserDefined
)

// String returns "internal", "predefined" or "user-defined", and
// "Category(N)" for any other value.
func (c Category) String() string {
	switch c {
	case Internal:
		return "internal"
	case Predefined:
		return "predefined"
	case UserDefined:
		return "user-defined"
	}
	return "Category(" + strconv.Itoa(int(c)) + ")"
}

// Base returns the first code of c: 0, 1000 or 2000 (libsrt's SRT_REJC_*
// values). It returns -1 for a value that is not one of the three categories.
func (c Category) Base() Reason {
	switch c {
	case Internal:
		return CategoryInternalBase
	case Predefined:
		return CategoryPredefinedBase
	case UserDefined:
		return CategoryUserBase
	}
	return -1
}
