package packet

import (
	"encoding/binary"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type lossEntry struct {
	lo, hi  SeqNumber
	isRange bool
}

func walk(t *testing.T, n *NAK) ([]lossEntry, error) {
	t.Helper()
	var got []lossEntry
	c := n.Losses()
	for c.Next() {
		lo, hi := c.Range()
		got = append(got, lossEntry{lo, hi, c.IsRange()})
	}
	return got, c.Err()
}

func TestNAKGolden(t *testing.T) {
	var p Packet
	require.NoError(t, p.Decode(goldenNAKSingle))
	got, err := walk(t, &p.NAK)
	require.NoError(t, err)
	assert.Equal(t, []lossEntry{{2095720805, 2095720805, false}}, got)
	assert.Equal(t, 1, p.NAK.Count())

	require.NoError(t, p.Decode(goldenNAKRange))
	got, err = walk(t, &p.NAK)
	require.NoError(t, err)
	assert.Equal(t, []lossEntry{{2095720817, 2095720819, true}}, got)
	assert.Equal(t, 3, p.NAK.Count())
	out, err := p.AppendBinary(nil)
	require.NoError(t, err)
	assert.Equal(t, goldenNAKRange, out)
}

func TestNAKLists(t *testing.T) {
	tests := []struct {
		name    string
		list    []byte
		want    []lossEntry
		wantErr error
		errOff  int
	}{
		{name: "empty", list: []byte{}},
		{
			name: "singles and ranges",
			list: hx("00000064 800000c8 000000d2 0000012c 80000190 00000191"),
			want: []lossEntry{{100, 100, false}, {200, 210, true}, {300, 300, false}, {400, 401, true}},
		},
		{
			name: "range lo == hi is accepted",
			list: hx("80000005 00000005"),
			want: []lossEntry{{5, 5, true}},
		},
		{
			name: "range across the wrap",
			list: hx("fffffffe 00000001"),
			want: []lossEntry{{MaxSeqNumber - 1, 1, true}},
		},
		{
			name: "trailing partial word is ignored, as libsrt does",
			list: hx("00000007 0102"),
			want: []lossEntry{{7, 7, false}},
		},
		{
			name:    "dangling range start at the end",
			list:    hx("00000001 80000005"),
			want:    []lossEntry{{1, 1, false}},
			wantErr: ErrNAKDanglingRange,
			errOff:  4,
		},
		{
			name:    "dangling range start before a partial word",
			list:    hx("80000005 0000"),
			wantErr: ErrNAKDanglingRange,
		},
		{
			name:    "range start followed by a range start",
			list:    hx("80000005 80000009 0000000a"),
			wantErr: ErrNAKDanglingRange,
		},
		{
			name:    "lo after hi",
			list:    hx("00000002 8000000a 00000005 00000001"),
			want:    []lossEntry{{2, 2, false}},
			wantErr: ErrNAKBadRange,
			errOff:  4,
		},
		{
			name:    "lo after hi across the wrap",
			list:    hx("80000001 7fffffff"),
			wantErr: ErrNAKBadRange,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var n NAK
			err := n.Decode(tt.list)
			assert.ErrorIs(t, err, tt.wantErr)
			assert.Equal(t, tt.list, n.List, "List stays set")
			got, err := walk(t, &n)
			assert.Equal(t, tt.want, got)
			assert.ErrorIs(t, err, tt.wantErr)
			if tt.wantErr != nil {
				c := n.Losses()
				for c.Next() {
				}
				assert.Equal(t, tt.errOff, c.Offset())
				assert.False(t, c.Next(), "Next stays false after an error")
			}
			out, err := n.AppendBinary(nil)
			assert.ErrorIs(t, err, tt.wantErr)
			if tt.wantErr == nil {
				assert.Equal(t, string(tt.list), string(out))
				assert.Equal(t, len(tt.list), n.MarshalSize())
			} else {
				assert.Empty(t, out)
			}
		})
	}
}

func TestNAKCursorOffset(t *testing.T) {
	n := NAK{List: hx("00000064 800000c8 000000d2 0000012c")}
	c := n.Losses()
	var offs []int
	for c.Next() {
		offs = append(offs, c.Offset())
	}
	assert.Equal(t, []int{0, 4, 12}, offs)
	assert.Equal(t, 1+11+1, n.Count())
}

func TestAppendLossList(t *testing.T) {
	tests := []struct {
		name string
		seqs []SeqNumber
		want []byte
	}{
		{"none", nil, nil},
		{"one", []SeqNumber{7}, hx("00000007")},
		{"two consecutive become a range, as libsrt does", []SeqNumber{7, 8}, hx("80000007 00000008")},
		{"mixed", []SeqNumber{1, 3, 4, 5, 9, 11, 12}, hx("00000001 80000003 00000005 00000009 8000000b 0000000c")},
		{"run across the wrap", []SeqNumber{MaxSeqNumber - 1, MaxSeqNumber, 0, 1, 5}, hx("fffffffe 00000001 00000005")},
		{"duplicates are not a run", []SeqNumber{4, 4}, hx("00000004 00000004")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := AppendLossList(nil, tt.seqs...)
			require.NoError(t, err)
			assert.Equal(t, tt.want, out)
			// It decodes back to the same numbers.
			n := NAK{List: out}
			var back []SeqNumber
			c := n.Losses()
			for c.Next() {
				lo, hi := c.Range()
				for s := lo; ; s = s.Inc() {
					back = append(back, s)
					if s == hi {
						break
					}
				}
			}
			require.NoError(t, c.Err())
			assert.Equal(t, len(tt.seqs), len(back))
			if len(tt.seqs) > 0 {
				assert.Equal(t, tt.seqs, back)
			}
		})
	}
	out, err := AppendLossList([]byte{1}, 5, MaxSeqNumber+1)
	assert.ErrorIs(t, err, ErrFieldRange)
	assert.Equal(t, []byte{1}, out)
}

func TestAppendLossRange(t *testing.T) {
	out, err := AppendLossRange(nil, 5, 5)
	require.NoError(t, err)
	assert.Equal(t, hx("00000005"), out)
	out, err = AppendLossRange(out, 10, 20)
	require.NoError(t, err)
	assert.Equal(t, hx("00000005 8000000a 00000014"), out)
	out, err = AppendLossRange(out, MaxSeqNumber, 2)
	require.NoError(t, err)
	assert.Equal(t, hx("00000005 8000000a 00000014 ffffffff 00000002"), out)

	_, err = AppendLossRange(nil, 20, 10)
	assert.ErrorIs(t, err, ErrNAKBadRange)
	_, err = AppendLossRange(nil, MaxSeqNumber+1, 10)
	assert.ErrorIs(t, err, ErrFieldRange)
	_, err = AppendLossRange(nil, 1, MaxSeqNumber+1)
	assert.ErrorIs(t, err, ErrFieldRange)
}

// TestNAKValidateAgreesWithCursor checks Decode's two-words-at-a-time
// validation against the cursor's one-entry-at-a-time walk on every list
// of up to 6 words drawn from singles, range starts and edge values, with
// 0-3 stray bytes after them: both must find the same fault, or none.
func TestNAKValidateAgreesWithCursor(t *testing.T) {
	words := []uint32{0, 5, 7, 0x7fffffff, rangeBit | 3, rangeBit | 6, rangeBit | 0x7ffffff0, rangeBit}
	n := 0
	var rec func(b []byte, depth int)
	rec = func(b []byte, depth int) {
		for extra := 0; extra < 4; extra++ {
			list := append(append([]byte{}, b...), make([]byte, extra)...)
			c := (&NAK{List: list}).Losses()
			for c.Next() {
			}
			if got := validateLossList(list); got != c.Err() {
				t.Fatalf("%x: Decode says %v, the cursor %v", list, got, c.Err())
			}
			n++
		}
		if depth > 0 {
			for _, w := range words {
				rec(binary.BigEndian.AppendUint32(append([]byte{}, b...), w), depth-1)
			}
		}
	}
	rec(nil, 6)
	require.Greater(t, n, 1<<20)
}
