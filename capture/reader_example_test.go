package capture_test

import (
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/srtwire/srtwire/capture"
	"github.com/srtwire/srtwire/internal/testcorpus"
	"github.com/srtwire/srtwire/session"
)

// Read a capture, print each SRT packet's kind, and fold the frames into
// connection attempts with a session.Tracker.
func ExampleReader() {
	r, err := capture.Open(filepath.Join(testcorpus.Dir(), "s05_app_reject_1403.pcap"), nil) // nil: SRT on any port
	if err != nil {
		log.Fatal(err)
	}
	defer r.Close()
	tr := session.NewTracker()
	for r.Next() {
		f := r.Frame()
		fmt.Println(f.Number, f.Src, "->", f.Dst, f.Packet.Kind(), f.Packet.Handshake.Type)
		tr.Add(&session.Frame{Number: f.Number, Time: f.Time, Src: f.Src, Dst: f.Dst, Packet: &f.Packet, Data: f.Data, Err: f.Err})
	}
	if err := r.Err(); err != nil {
		log.Fatal(err)
	}
	for _, a := range tr.Attempts() {
		fmt.Println(a.Caller, "called", a.Listener, "asking for", a.StreamID+":", a.Outcome, a.Reason.Name())
	}
	// Output:
	// 1 127.0.0.1:44511 -> 127.0.0.1:41042 handshake INDUCTION
	// 2 127.0.0.1:41042 -> 127.0.0.1:44511 handshake INDUCTION
	// 3 127.0.0.1:44511 -> 127.0.0.1:41042 handshake CONCLUSION
	// 4 127.0.0.1:41042 -> 127.0.0.1:44511 handshake REJECT(SRT_REJX_FORBIDDEN)
	// 127.0.0.1:44511 called 127.0.0.1:41042 asking for #!::r=forbidden,u=bob: rejected SRT_REJX_FORBIDDEN
}

// Read a capture that is already in memory. For a classic pcap capture the
// frames are views into the bytes: nothing is copied.
func ExampleNewReaderBytes() {
	data, err := os.ReadFile(filepath.Join(testcorpus.Dir(), "s05_app_reject_1403.pcap"))
	if err != nil {
		log.Fatal(err)
	}
	r, err := capture.NewReaderBytes(data, nil)
	if err != nil {
		log.Fatal(err)
	}
	for r.Next() {
		f := r.Frame()
		fmt.Println(f.Number, f.Packet.Kind(), len(f.Data), "bytes")
	}
	if err := r.Err(); err != nil {
		log.Fatal(err)
	}
	// Output:
	// 1 handshake 64 bytes
	// 2 handshake 64 bytes
	// 3 handshake 108 bytes
	// 4 handshake 64 bytes
}
