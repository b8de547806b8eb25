package parquetout

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/srtwire/srtwire/capture"
	"github.com/srtwire/srtwire/session"
)

// Table directories of an output directory DIR: DIR/packets/NAME.parquet
// and DIR/connections/NAME.parquet.
const (
	PacketsDir     = "packets"
	ConnectionsDir = "connections"
)

// TableName returns NAME, the name of a capture's two Parquet files: the
// base name of the capture's path without its extensions (.pcap, .pcapng,
// .cap, .gz), so that captures/site1/2026-11-24T19.pcap.gz is
// 2026-11-24T19. "-" (standard input) is "stdin".
//
// Two captures of the same base name in different directories have the
// same NAME: give them different names, or convert them into different
// DIRs.
func TableName(capture string) string {
	if capture == "-" {
		return "stdin"
	}
	name := filepath.Base(capture)
	for {
		ext := strings.ToLower(filepath.Ext(name))
		switch ext {
		case ".gz", ".pcap", ".pcapng", ".cap":
			name = strings.TrimSuffix(name, name[len(name)-len(ext):])
			continue
		}
		break
	}
	if name == "" || name == "." {
		name = "capture"
	}
	return name
}

// Capture writes the two tables of one input capture into an output
// directory: DIR/packets/NAME.parquet and DIR/connections/NAME.parquet.
// Each is written to a temporary file in the same directory
// (.NAME.parquet.tmp, which no *.parquet pattern matches) and renamed into
// place by Close, so that a reader of DIR never sees half a file and an
// interrupted run leaves the previous files as they were.
//
//	out, err := parquetout.Create(dir, parquetout.TableName(path), path)
//	...
//	for r.Next() { out.Packet(r.Frame()) }         // every frame
//	tracker.OnRetire = func(a *session.Attempt) { out.Attempts(a) }
//	...
//	out.Attempts(tracker.Attempts()...)            // after tracker.Flush
//	err = out.Close()
//
// A Capture is used by one goroutine; captures converted in parallel each
// have their own.
type Capture struct {
	Packets     *PacketWriter
	Connections *ConnectionWriter

	files [2]*os.File
	bufs  [2]*bufio.Writer
	final [2]string
	err   error
}

// Create creates the writers of capture file's tables in dir (made if
// needed, with its packets and connections directories). name is NAME
// (see TableName); file is the value of the file column, the capture's
// path as the user gave it.
func Create(dir, name, file string) (*Capture, error) {
	c := &Capture{}
	for i, sub := range [2]string{PacketsDir, ConnectionsDir} {
		d := filepath.Join(dir, sub)
		if err := os.MkdirAll(d, 0o755); err != nil {
			c.abort()
			return nil, fmt.Errorf("parquetout: %w", err)
		}
		c.final[i] = filepath.Join(d, name+".parquet")
		f, err := os.Create(filepath.Join(d, "."+name+".parquet.tmp"))
		if err != nil {
			c.abort()
			return nil, fmt.Errorf("parquetout: %w", err)
		}
		c.files[i] = f
		c.bufs[i] = getBuffer(f)
	}
	c.Packets = NewPacketWriter(c.bufs[0], file)
	c.Connections = NewConnectionWriter(c.bufs[1], file)
	return c, nil
}

// Packet adds one frame to the packets table.
func (c *Capture) Packet(f *capture.Frame) error {
	if c.err != nil {
		return c.err
	}
	c.err = c.Packets.Write(f)
	return c.err
}

// Attempts adds attempts to the connections table.
func (c *Capture) Attempts(a ...*session.Attempt) error {
	if c.err != nil {
		return c.err
	}
	c.err = c.Connections.Write(a...)
	return c.err
}

// Close finishes both files and renames them into place. After an error
// (here or earlier) it removes the temporary files and leaves the final
// names untouched.
func (c *Capture) Close() error {
	if c.err == nil {
		c.err = errors.Join(c.Packets.Close(), c.Connections.Close())
	}
	for i, f := range c.files {
		if c.err == nil {
			c.err = c.bufs[i].Flush()
		}
		if err := f.Close(); c.err == nil && err != nil {
			c.err = fmt.Errorf("parquetout: %w", err)
		}
	}
	if c.err != nil {
		c.abort()
		return c.err
	}
	for i, f := range c.files {
		if err := os.Rename(f.Name(), c.final[i]); err != nil {
			c.err = fmt.Errorf("parquetout: %w", err)
			c.abort()
			return c.err
		}
	}
	c.files = [2]*os.File{}
	for i, b := range c.bufs {
		putBuffer(b)
		c.bufs[i] = nil
	}
	return nil
}

// Abort stops the conversion: the temporary files are removed, the final
// names are left as they were.
func (c *Capture) Abort() {
	if c.err == nil {
		c.err = errors.New("parquetout: aborted")
	}
	c.abort()
}

func (c *Capture) abort() {
	for i, f := range c.files {
		if f != nil {
			f.Close()
			os.Remove(f.Name())
			c.files[i] = nil
		}
	}
}
