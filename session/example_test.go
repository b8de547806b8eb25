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

// The statistics of each direction, and the findings, of a capture with
// losses: s08_loss_pattern, 200 messages through a lossy path.
func ExampleAttempt_Directions() {
	udp, err := testcorpus.Frames("s08_loss_pattern")
	if err != nil {
		log.Fatal(err)
	}
	tr := session.NewTracker()
	var p packet.Packet
	for _, d := range udp {
		err := p.Decode(d.Payload)
		tr.Add(&session.Frame{Number: d.Number, Time: d.Time, Src: d.Src, Dst: d.Dst, Packet: &p, Data: d.Payload, Err: err})
	}
	tr.Flush()
	a := tr.Attempts()[0]
	for _, d := range a.Directions() {
		if d.Data.Packets == 0 {
			continue
		}
		fmt.Println(d.From, "->", d.To)
		fmt.Println("data:", d.Data.Packets, "original:", d.Data.Original, "retransmitted:", d.Data.Retransmitted)
		fmt.Println("lost:", d.Data.Lost.Value, "recovered:", d.Data.Recovered.Value, "unrecovered:", d.Data.Unrecovered.Value)
		if late, ok := d.Data.Late.Get(); ok {
			fmt.Println("late:", late, "of the", d.LatencyMS.Value, "ms latency")
		}
		fmt.Println("NAKs:", d.Control.NAK, "numbers NAKed:", d.Control.NAKDistinct.Value, "full ACKs:", d.Control.ACKFull)
		fmt.Printf("overhead: %.1f%%\n", d.OverheadPct().Value)
	}
	fmt.Println("findings:", len(a.Findings()))
	// Output:
	// 127.0.0.1:52151 -> 127.0.0.1:41071
	// data: 200 original: 175 retransmitted: 25
	// lost: 25 recovered: 25 unrecovered: 0
	// late: 0 of the 120 ms latency
	// NAKs: 13 numbers NAKed: 25 full ACKs: 161
	// overhead: 4.0%
	// findings: 0
}

// Findings of a listener that accepted a caller with another passphrase.
func ExampleAttempt_Findings() {
	udp, err := testcorpus.Frames("s03_badsecret_noenforce")
	if err != nil {
		log.Fatal(err)
	}
	tr := session.NewTracker()
	var p packet.Packet
	for _, d := range udp {
		err := p.Decode(d.Payload)
		tr.Add(&session.Frame{Number: d.Number, Time: d.Time, Src: d.Src, Dst: d.Dst, Packet: &p, Data: d.Payload, Err: err})
	}
	for _, f := range tr.Attempts()[0].Findings() {
		fmt.Println(f.Level, f.Code)
	}
	// Output:
	// error undecryptable
}
