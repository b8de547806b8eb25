// Command repeatpcap writes a large pcap made by repeating a capture N
// times, shifting the timestamps so the result is one long capture. It is
// used to compare srtdump's speed with tshark's (see bench/README.md):
//
//	go run ./bench/repeatpcap -n 30 testdata/corpus/s02_enc_kmrefresh.pcap > /tmp/big.pcap
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/google/gopacket"
	"github.com/google/gopacket/pcapgo"
)

func main() {
	n := flag.Int("n", 30, "how many times to repeat the capture")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: repeatpcap [-n N] FILE.pcap > OUT.pcap")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() != 1 || *n < 1 {
		flag.Usage()
		os.Exit(2)
	}
	if err := repeat(flag.Arg(0), *n, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "repeatpcap:", err)
		os.Exit(1)
	}
}

func repeat(path string, n int, out io.Writer) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	r, err := pcapgo.NewReader(f)
	if err != nil {
		return err
	}
	var frames [][]byte
	var cis []gopacket.CaptureInfo
	for {
		data, ci, err := r.ReadPacketData()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		frames, cis = append(frames, data), append(cis, ci)
	}
	if len(frames) == 0 {
		return fmt.Errorf("%s: no frames", path)
	}
	bw := bufio.NewWriter(out)
	w := pcapgo.NewWriter(bw)
	if err := w.WriteFileHeader(r.Snaplen(), r.LinkType()); err != nil {
		return err
	}
	span := cis[len(cis)-1].Timestamp.Sub(cis[0].Timestamp) + time.Millisecond
	for i := 0; i < n; i++ {
		for j, data := range frames {
			ci := cis[j]
			ci.Timestamp = ci.Timestamp.Add(time.Duration(i) * span)
			if err := w.WritePacket(ci, data); err != nil {
				return err
			}
		}
	}
	return bw.Flush()
}
