package pcap

import (
	"io"

	"github.com/srtwire/srtwire/capture"
)

// The capture reader moved to package capture, which does not import
// gopacket; these are its names, kept for code written against this
// package. They are the same types and values: a *pcap.Reader is a
// *capture.Reader, errors.Is(err, pcap.ErrEmpty) matches capture.ErrEmpty.

// Reader reads a capture's SRT frames.
//
// Deprecated: Use [capture.Reader], the same type.
type Reader = capture.Reader

// Frame is one SRT datagram found in a capture.
//
// Deprecated: Use [capture.Frame], the same type.
type Frame = capture.Frame

// Options control which UDP datagrams a Reader takes for SRT.
//
// Deprecated: Use [capture.Options], the same type.
type Options = capture.Options

// Stats counts what a Reader has seen so far.
//
// Deprecated: Use [capture.Stats], the same type.
type Stats = capture.Stats

// CaptureError reports a capture file that is corrupt or cut short.
//
// Deprecated: Use [capture.Error], the same type.
type CaptureError = capture.Error

// Errors reported by Reader.
//
// Deprecated: Use capture's, the same values.
var (
	ErrNotCapture    = capture.ErrNotCapture
	ErrEmpty         = capture.ErrEmpty
	ErrLinkType      = capture.ErrLinkType
	ErrSnapTruncated = capture.ErrSnapTruncated
	ErrFragment      = capture.ErrFragment
	ErrBadBlock      = capture.ErrBadBlock
)

// Open opens a capture file for reading.
//
// Deprecated: Use [capture.Open].
func Open(path string, opts *Options) (*Reader, error) { return capture.Open(path, opts) }

// NewReader returns a Reader for a capture read from in.
//
// Deprecated: Use [capture.NewReader].
func NewReader(in io.Reader, opts *Options) (*Reader, error) { return capture.NewReader(in, opts) }

// NewReaderBytes returns a Reader for a capture held in memory.
//
// Deprecated: Use [capture.NewReaderBytes].
func NewReaderBytes(data []byte, opts *Options) (*Reader, error) {
	return capture.NewReaderBytes(data, opts)
}
