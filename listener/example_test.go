package listener_test

import (
	"net"
	"time"

	"github.com/srtwire/srtwire/listener"
)

// A UDP loop that answers every caller as a libsrt listener with these
// options would. It accepts nobody for real: an accepted caller gets the
// CONCLUSION answer, and the data that follows is the application's.
func Example() {
	conn, _ := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 0})
	defer conn.Close()
	cookies, _ := listener.NewCookieBaker(time.Now(), 0, nil)
	cfg := listener.LiveConfig(cookies)
	cfg.Passphrase, cfg.PBKeyLen = "a secret of ten or more", 16
	conn.SetReadDeadline(time.Now().Add(10 * time.Millisecond)) // so that the example ends
	buf, out := make([]byte, 1500), make([]byte, 0, 1500)
	for {
		n, from, err := conn.ReadFromUDPAddrPort(buf)
		if err != nil {
			return
		}
		if d := listener.Decide(&cfg, buf[:n], from, time.Now(), out[:0]); d.Answer != nil {
			conn.WriteToUDPAddrPort(d.Answer, from)
		}
	}
}
