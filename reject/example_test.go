package reject_test

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/srtwire/srtwire/reject"
)

// Decode the Handshake Type of a HANDSHAKE packet into a readable reason.
func ExampleFromWire() {
	// The Handshake Type field, CIF bytes 36..39, as read off the wire.
	field := []byte{0x00, 0x00, 0x09, 0x63}
	handshakeType := int32(binary.BigEndian.Uint32(field))

	r, ok := reject.FromWire(handshakeType)
	if !ok {
		fmt.Println("not a rejection")
		return
	}
	fmt.Println(handshakeType, "->", r.String())
	fmt.Println("category:", r.Category())
	fmt.Println("text:", r.Text())
	fmt.Println("explain:", r.Explain())
	status, _ := r.HTTPStatus()
	fmt.Println("http:", status, "retry:", r.Retryable())
	// Output:
	// 2403 -> SRT_REJX_FORBIDDEN (1403)
	// category: predefined
	// text: Resource access forbidden
	// explain: The user may not access this resource; check the permissions for the u and r keys.
	// http: 403 retry: false
}

// Unknown codes keep their number and say which range they are in.
func ExampleFromWire_unknown() {
	for _, wire := range []int32{-1, 1019, 2410, 3005} {
		r, ok := reject.FromWire(wire)
		if !ok {
			fmt.Println(wire, "is not a rejection")
			continue
		}
		fmt.Printf("%d -> %s, %s, known=%t\n", wire, r.String(), r.Category(), r.Known())
	}
	// Output:
	// -1 is not a rejection
	// 1019 -> SRT_REJ_UNASSIGNED (19), internal, known=false
	// 2410 -> SRT_REJX_UNASSIGNED (1410), predefined, known=false
	// 3005 -> SRT_REJC_USERDEFINED (2005), user-defined, known=false
}

// Reject a connection: put r.Wire() in the Handshake Type field of the
// answering HANDSHAKE.
func ExampleReason_Wire() {
	r := reject.Forbidden
	field := binary.BigEndian.AppendUint32(nil, uint32(r.Wire()))
	fmt.Printf("%s -> Handshake Type %d (% x)\n", r.Name(), r.Wire(), field)
	// Output:
	// SRT_REJX_FORBIDDEN -> Handshake Type 2403 (00 00 09 63)
}

// A Reason is an error: match it with errors.Is and errors.As.
func ExampleReason_errorsIs() {
	connect := func() error {
		return fmt.Errorf("connect 192.0.2.1:9000: %w", reject.BadSecret)
	}
	err := connect()
	fmt.Println(err)
	if errors.Is(err, reject.BadSecret) {
		fmt.Println("check SRTO_PASSPHRASE")
	}
	var r reject.Reason
	if errors.As(err, &r) {
		fmt.Println(r.Name(), "retryable:", r.Retryable())
	}
	fmt.Println(errors.Is(err, reject.ErrRejected))
	// Output:
	// connect 192.0.2.1:9000: reject: connection rejected: SRT_REJ_BADSECRET (10): Incorrect passphrase
	// check SRTO_PASSPHRASE
	// SRT_REJ_BADSECRET retryable: false
	// true
}

// datarhei/gosrt and zsiec/srtgo send SRT_REJX codes without the +1000.
func ExampleReason_Unshifted() {
	r, _ := reject.FromWire(1403) // what gosrt sends for FORBIDDEN
	fmt.Println(r.String(), r.LooksUnshifted())
	if meant, ok := r.Unshifted(); ok {
		fmt.Println("probably meant", meant.String())
	}
	// Output:
	// SRT_REJ_UNASSIGNED (403) true
	// probably meant SRT_REJX_FORBIDDEN (1403)
}

func ExampleParse() {
	for _, s := range []string{"SRT_REJ_BADSECRET", "forbidden", "1403", "wire:2403", "2005", "nope"} {
		r, err := reject.Parse(s)
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Printf("%-17s -> %s\n", s, r.String())
	}
	// Output:
	// SRT_REJ_BADSECRET -> SRT_REJ_BADSECRET (10)
	// forbidden         -> SRT_REJX_FORBIDDEN (1403)
	// 1403              -> SRT_REJX_FORBIDDEN (1403)
	// wire:2403         -> SRT_REJX_FORBIDDEN (1403)
	// 2005              -> SRT_REJC_USERDEFINED (2005)
	// reject: parsing "nope": not a rejection reason name or number
}
