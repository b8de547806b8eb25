// Package report writes the page of srtdump -html: one self-contained
// HTML file (inline CSS and SVG, no script, no font or anything else
// loaded from the network) with a section per capture, readable in a
// light or dark browser (prefers-color-scheme) and on paper.
//
// A section holds, in this order:
//
//   - a header: the file, the capture's span, its SRT packets and frames,
//     its connections and attempts by outcome, and a health card;
//   - the findings (session.Finding), errors first, one item per kind: the
//     first few quoted in full with their connection, the others listed
//     by number, in session's words ("The listener ... cannot decrypt the
//     data ...: Set the same passphrase on both sides");
//   - a timeline of the connections: a bar per connection (a caller's
//     retries that ended the same way, a session.Group, are one band with
//     the count, "×2000"), coloured by outcome, a rejection with its
//     reason;
//   - with more than one connection, a table of them (as srtdump -summary);
//   - per connection, in detail (the first Options.MaxConnections): the
//     handshake as a ladder between the caller and listener columns
//     (INDUCTION, its answer, CONCLUSION, the answer or the rejection,
//     with what each carried: the HSREQ/HSRSP latency, the key material
//     or its KMRSP state, the Stream ID), the negotiated latency, cipher,
//     Stream ID, congestion, filter and handshake RTT beside it; per
//     direction a sentence and four charts over time (payload bitrate,
//     RTT from the ACKs with its min–max band, packets lost /
//     retransmitted / NAK'd, late packets against the latency) with the
//     in-band key refreshes (KMREQ) and DROPREQs marked and the longest
//     pause shaded; and the statistics table of srtdump -stats (StatRows).
//
// The input is what package session produces: a Tracker's attempts, their
// directions' figures and findings, its one-second bins (Tracker.OnBin),
// and optionally the frames (Capture.Frame) for the handshake packets
// and the event marks. The charts are drawn by the package's own SVG
// writer (chart.go): value axes from 0 with 1-2-5 ticks, time axes with
// round clock steps (ticks.go), legends that wrap, labels that do not
// overlap.
//
// Use, as srtdump does:
//
//	r := report.New(w, &report.Options{Title: "...", Generator: "srtdump v1"})
//	for each capture:
//		c := r.Begin(name)
//		c.Track(tracker)           // after the tracker's own hooks are set
//		for each frame: a := tracker.Add(f); c.Frame(a, f)
//		c.End(report.CaptureMeta{Frames: ..., SRT: ..., Bytes: ...})
//	r.Close()
//
// (Report.AddCapture takes attempts and bins collected already.)
//
// Memory and size are bounded whatever the capture: a Capture keeps the
// groups of retries open in a session.Grouper (at most 256), for each
// live attempt its ladder (at most 10 arrows) and marks (at most 256),
// the time series of at most two directions per connection shown in
// detail (each at most Options.MaxBins points: pairs of bins are merged
// past it), the summaries of the connections shown and of the table rows
// (Options.MaxRows), the timeline rows (Options.MaxTimelineRows) and a
// few findings per kind. Each capture's section is written when it ends
// and then let go. With the defaults a section stays under 2 MB for any
// capture (TestWorstCaseSize; a 16-minute lossy stream with 2931
// attempts makes 0.5 MB, TestReportBounded).
package report
