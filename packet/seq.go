package packet

// SeqNumber is a 31-bit packet sequence number (0 to 2^31-1), the
// sequence number of data packets and of ACK, NAK and DROPREQ fields. Its
// arithmetic is wrap-aware and matches libsrt's CSeqNo (common.h): numbers
// wrap from 2^31-1 to 0, and two numbers compare by the shorter way around
// the circle, with a threshold of 2^30-1.
type SeqNumber uint32

// Sequence-number limits.
const (
	// MaxSeqNumber is the largest sequence number; the one after it is 0.
	MaxSeqNumber SeqNumber = 0x7FFFFFFF
	// seqThreshold is CSeqNo::m_iSeqNoTH: differences at or above it are
	// taken the other way around the circle.
	seqThreshold = 0x3FFFFFFF
)

// Valid reports whether s fits in 31 bits.
func (s SeqNumber) Valid() bool { return s <= MaxSeqNumber }

// Cmp compares s and t wrap-aware and returns -1 if s comes before t, 0 if
// they are equal and +1 if s comes after t. It is the sign of libsrt's
// CSeqNo::seqcmp(s, t).
func (s SeqNumber) Cmp(t SeqNumber) int {
	d := int32(s) - int32(t)
	if abs32(d) >= seqThreshold {
		d = -d
	}
	switch {
	case d < 0:
		return -1
	case d > 0:
		return 1
	}
	return 0
}

// Less reports whether s comes before t (wrap-aware).
func (s SeqNumber) Less(t SeqNumber) bool { return s.Cmp(t) < 0 }

// Distance returns the number of steps from s forward to t: positive when
// t comes after s, negative when it comes before. It is libsrt's
// CSeqNo::seqoff(s, t).
func (s SeqNumber) Distance(t SeqNumber) int32 {
	a, b := int32(s), int32(t)
	if abs32(a-b) < seqThreshold {
		return b - a
	}
	if a < b {
		return b - a - int32(MaxSeqNumber) - 1
	}
	return b - a + int32(MaxSeqNumber) + 1
}

// Len returns how many sequence numbers the inclusive range s..t holds,
// going forward from s (so across the wrap when t < s). It is libsrt's
// CSeqNo::seqlen(s, t).
func (s SeqNumber) Len(t SeqNumber) int {
	if s <= t {
		return int(t) - int(s) + 1
	}
	return int(t) - int(s) + int(MaxSeqNumber) + 2
}

// Inc returns the sequence number after s (MaxSeqNumber + 1 wraps to 0).
func (s SeqNumber) Inc() SeqNumber { return (s + 1) & MaxSeqNumber }

// Dec returns the sequence number before s (0 - 1 wraps to MaxSeqNumber).
func (s SeqNumber) Dec() SeqNumber { return (s - 1) & MaxSeqNumber }

// Add returns s moved forward by n (backward when n is negative), modulo
// 2^31, like libsrt's CSeqNo::incseq and decseq.
func (s SeqNumber) Add(n int32) SeqNumber { return (s + SeqNumber(n)) & MaxSeqNumber }

func abs32(v int32) int32 {
	if v < 0 {
		return -v
	}
	return v
}

// MsgNumber is a 26-bit message number (1 to 2^26-1; 0 means "no message",
// used by FEC packets and DROPREQ). Its arithmetic matches libsrt's MsgNo
// (RollNumber<25, 1> in packet.h): incrementing 2^26-1 gives 1, not 0.
type MsgNumber uint32

// Message-number limits.
const (
	// MaxMsgNumber is the largest message number; the one after it is 1.
	MaxMsgNumber MsgNumber = 0x03FFFFFF
	// MsgNumberControl (0) marks packets that belong to no message: FEC
	// control packets and DROPREQs that drop by sequence range only
	// (libsrt's SRT_MSGNO_CONTROL).
	MsgNumberControl MsgNumber = 0

	msgNoSpan = uint32(MaxMsgNumber) // values in use: 1..MaxMsgNumber
	msgNoHalf = int32(msgNoSpan / 2) // RollNumber::HALF
)

// Valid reports whether m fits in 26 bits.
func (m MsgNumber) Valid() bool { return m <= MaxMsgNumber }

// Inc returns the message number after m (MaxMsgNumber wraps to 1).
func (m MsgNumber) Inc() MsgNumber {
	m++
	if m > MaxMsgNumber {
		m = 1
	}
	return m
}

// Add returns m moved forward by n (backward when n is negative) in the
// ring 1..MaxMsgNumber. m = 0 is treated as the number before 1.
func (m MsgNumber) Add(n int32) MsgNumber {
	v := (int64(m&MaxMsgNumber) - 1 + int64(n)) % int64(msgNoSpan)
	if v < 0 {
		v += int64(msgNoSpan)
	}
	return MsgNumber(v + 1)
}

// Less reports whether m comes before t, wrap-aware, as libsrt's
// RollNumber::operator< decides it.
func (m MsgNumber) Less(t MsgNumber) bool {
	d := int32(m) - int32(t)
	if d < -msgNoHalf {
		return false
	}
	if d > msgNoHalf {
		return true
	}
	return d < 0
}

// Cmp returns -1 if m comes before t, 0 if they are equal, +1 otherwise.
func (m MsgNumber) Cmp(t MsgNumber) int {
	switch {
	case m == t:
		return 0
	case m.Less(t):
		return -1
	}
	return 1
}

// Distance returns the number of steps from m forward to t: positive when t
// comes after m. It is libsrt's RollNumber difference t - m.
func (m MsgNumber) Distance(t MsgNumber) int32 {
	left, right := uint32(t), uint32(m)
	if left < right {
		if int32(right-left) >= msgNoHalf {
			left += msgNoSpan
		}
	} else if int32(left-right) >= msgNoHalf {
		right += msgNoSpan
	}
	return int32(left - right)
}
