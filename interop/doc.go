// Package interop holds srtwire's interoperability tests against the real
// libsrt (Debian's libsrt 1.5.1: srt-live-transmit, srt-file-transmit and a
// small C peer built against libsrt's C API) and Wireshark's tshark.
//
// The tests are behind the build tag interop and need root (for tcpdump on
// lo) and these packages:
//
//	apt-get install -y srt-tools libsrt-openssl-dev tshark tcpdump pkg-config gcc
//
// Run them with:
//
//	go test -tags interop ./interop/
//
// Without the tag the package is empty. See README.md for what is compared.
package interop
