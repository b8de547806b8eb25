// Package listener decides, without doing any I/O, what a libsrt listener
// answers to an incoming handshake. Today it holds the SYN-cookie baker
// (CookieBaker); the libsrt-exact accept/reject decision comes next.
//
// The package imports only the standard library and srtwire's codec
// packages. Its types say in their documentation whether they are safe for
// concurrent use.
package listener
