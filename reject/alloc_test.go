package reject_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/srtwire/srtwire/reject"
)

// Sinks keep the compiler from dropping the calls under test.
var (
	sinkString string
	sinkReason reject.Reason
	sinkInt32  int32
	sinkInt    int
	sinkBool   bool
	sinkCat    reject.Category
	sinkErr    error
)

// wires holds Handshake Types from every range: known internal, unknown
// internal, known and unassigned SRT_REJX, user-defined.
var wires = []int32{1000, 1010, 1017, 1019, 1403, 2000, 2403, 2410, 2507, 3005}

func TestZeroAllocs(t *testing.T) {
	known := reject.All()
	all := make([]reject.Reason, 0, len(wires))
	for _, w := range wires {
		r, _ := reject.FromWire(w)
		all = append(all, r)
	}
	all = append(all, -5, reject.MaxReason)

	cases := []struct {
		name    string
		reasons []reject.Reason
		f       func(r reject.Reason)
	}{
		{"FromWire", all, func(r reject.Reason) { sinkReason, sinkBool = reject.FromWire(int32(r) + 1000) }},
		{"Wire", all, func(r reject.Reason) { sinkInt32 = r.Wire() }},
		{"Name", all, func(r reject.Reason) { sinkString = r.Name() }},
		{"Text", all, func(r reject.Reason) { sinkString = r.Text() }},
		{"Explain", all, func(r reject.Reason) { sinkString = r.Explain() }},
		{"Since", all, func(r reject.Reason) { sinkString = r.Since() }},
		{"Category", all, func(r reject.Reason) { sinkCat = r.Category() }},
		{"CategoryString", all, func(r reject.Reason) { sinkString = r.Category().String() }},
		{"Known", all, func(r reject.Reason) { sinkBool = r.Known() }},
		{"Valid", all, func(r reject.Reason) { sinkBool = r.Valid() }},
		{"Retryable", all, func(r reject.Reason) { sinkBool = r.Retryable() }},
		{"HTTPStatus", all, func(r reject.Reason) { sinkInt, sinkBool = r.HTTPStatus() }},
		{"Unshifted", all, func(r reject.Reason) { sinkReason, sinkBool = r.Unshifted() }},
		{"LooksUnshifted", all, func(r reject.Reason) { sinkBool = r.LooksUnshifted() }},
		{"String/known", known, func(r reject.Reason) { sinkString = r.String() }},
		{"Error/known", known, func(r reject.Reason) { sinkString = r.Error() }},
		{"GoString/known", known, func(r reject.Reason) { sinkString = r.GoString() }},
		{"Parse/name", known, func(r reject.Reason) { sinkReason, sinkErr = reject.Parse(r.Name()) }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			allocs := testing.AllocsPerRun(100, func() {
				for _, r := range c.reasons {
					c.f(r)
				}
			})
			require.Zero(t, allocs)
		})
	}
}

func BenchmarkFromWire(b *testing.B) {
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		sinkReason, sinkBool = reject.FromWire(wires[i%len(wires)])
		i++
	}
}

func BenchmarkWire(b *testing.B) {
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		sinkInt32 = reject.Reason(wires[i%len(wires)] - 1000).Wire()
		i++
	}
}

// benchLookup decodes a mix of wire values and calls f on each reason.
func benchLookup(b *testing.B, f func(reject.Reason)) {
	b.Helper()
	rs := make([]reject.Reason, len(wires))
	for i, w := range wires {
		rs[i], _ = reject.FromWire(w)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		f(rs[i%len(rs)])
		i++
	}
}

func BenchmarkName(b *testing.B) {
	benchLookup(b, func(r reject.Reason) { sinkString = r.Name() })
}

func BenchmarkText(b *testing.B) {
	benchLookup(b, func(r reject.Reason) { sinkString = r.Text() })
}

func BenchmarkExplain(b *testing.B) {
	benchLookup(b, func(r reject.Reason) { sinkString = r.Explain() })
}

func BenchmarkCategory(b *testing.B) {
	benchLookup(b, func(r reject.Reason) { sinkCat = r.Category() })
}

func BenchmarkKnown(b *testing.B) {
	benchLookup(b, func(r reject.Reason) { sinkBool = r.Known() })
}

func BenchmarkRetryable(b *testing.B) {
	benchLookup(b, func(r reject.Reason) { sinkBool = r.Retryable() })
}

func BenchmarkUnshifted(b *testing.B) {
	benchLookup(b, func(r reject.Reason) { sinkReason, sinkBool = r.Unshifted() })
}

func BenchmarkStringKnown(b *testing.B) {
	known := reject.All()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		sinkString = known[i%len(known)].String()
		i++
	}
}

func BenchmarkErrorKnown(b *testing.B) {
	known := reject.All()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		sinkString = known[i%len(known)].Error()
		i++
	}
}

func BenchmarkParseName(b *testing.B) {
	in := []string{"SRT_REJ_BADSECRET", "forbidden", "SRT_REJX_NOROOM", "Timeout"}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		sinkReason, sinkErr = reject.Parse(in[i%len(in)])
		i++
	}
}

func BenchmarkParseNumber(b *testing.B) {
	in := []string{"10", "1403", "wire:2403", "wire:0x963"}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		sinkReason, sinkErr = reject.Parse(in[i%len(in)])
		i++
	}
}
