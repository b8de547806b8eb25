package session_test

import (
	"fmt"
	"log"

	"github.com/srtwire/srtwire/internal/testcorpus"
	"github.com/srtwire/srtwire/packet"
	"github.com/srtwire/srtwire/session"
)

// Feed a Tracker the datagrams of a connection, as a program reading a
// socket or a capture would, and ask how the attempt went.
func ExampleTracker() {
	udp, err := testcorpus.Frames("s03_reject_badsecret") // the UDP datagrams of a capture
	if err != nil {
		log.Fatal(err)
	}
	tr := session.NewTracker()
	var p packet.Packet // one Packet, reused: the Tracker keeps no view into it
	for _, d := range udp {
		err := p.Decode(d.Payload)
		tr.Add(&session.Frame{Number: d.Number, Time: d.Time, Src: d.Src, Dst: d.Dst, Packet: &p, Data: d.Payload, Err: err})
	}
	for _, a := range tr.Attempts() {
		fmt.Println(a.Mode, a.Caller, "->", a.Listener, a.Outcome)
		if a.Outcome == session.OutcomeRejected {
			fmt.Println("reason:", a.Reason.Name(), "-", a.Reason.Text())
		}
	}
	// Output:
	// caller-listener 127.0.0.1:44966 -> 127.0.0.1:41021 rejected
	// reason: SRT_REJ_BADSECRET - Incorrect passphrase
}
