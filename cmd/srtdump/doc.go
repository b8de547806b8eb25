// Command srtdump decodes SRT (Secure Reliable Transport) traffic in packet
// captures, and explains why connections were refused.
//
// Usage:
//
//	srtdump [flags] [FILE...]
//
// FILE is a pcap or pcapng capture, gzip-compressed or not, or "-" for
// standard input. Several FILEs are decoded one after the other. Flags may
// come before, between or after the FILEs, as tcpdump and tshark take them
// ("srtdump capture.pcap -summary"); "--" ends the flags, so that a FILE
// may start with "-".
//
// With no FILE, srtdump reads standard input when it is not a terminal
// ("tcpdump -i any -U -w - udp | srtdump", "cat f.pcap | srtdump",
// "srtdump < f.pcap"). When standard input is a terminal (or is empty),
// srtdump decodes a small real capture built into the binary (libsrt 1.5.1:
// a caller refused with SRT_REJX_FORBIDDEN) and says so on standard error.
//
// SRT is recognised on any UDP port, without configuration, even when the
// capture starts mid-session: a UDP flow counts as SRT from its first
// datagram that is a well-formed SRT control packet, or once its data
// datagrams fit one SRT data stream. -port forces SRT decoding on a port,
// and -only restricts it to the -port ports. IP fragments of an SRT flow
// are reported, not reassembled.
//
// # Flags
//
//	-json
//		Write JSON Lines instead of text: one object per packet, or, with
//		-summary and -stats, one per connection attempt (or group of retries).
//	-summary
//		Instead of the packets, one row per connection attempt: caller,
//		listener, mode, frame range, Stream ID, packet filter, encryption,
//		latency, outcome (with the rejection reason), handshake round trip,
//		data packets, retransmissions, distinct sequence numbers reported
//		lost, FEC packets, PEERERROR and the codes of the health findings;
//		under the table, each finding's sentence. Retries of one caller host
//		to one listener that ended the same way are one row ("rejected:
//		SRT_REJX_FORBIDDEN ×213") with the times of the first and last.
//	-stats
//		Instead of the packets, a block per connection attempt (grouped as
//		in -summary): the summary's facts, then a table with a column per
//		direction (data packets, original and retransmitted, retransmitted
//		n times, lost, recovered and unrecovered, libsrt's loss count,
//		reordered, late, dropped, FEC, encryption and key refreshes, bit
//		rates at three layers, overhead, ACK, ACKACK and NAK counts, latency,
//		RTT from the ACKs and from ACK to ACKACK, jitter, bandwidth and
//		receive rate), then the findings. Not with -summary.
//	-timeseries FILE
//		Also write FILE: one row per second and direction of each connection
//		(packets, retransmitted, lost, FEC, late, payload Mbit/s, RTT, NAKs),
//		as CSV with a header line, or JSON Lines with -json. Goes with
//		every mode.
//	-extract DIR
//		Instead of the packets, write the payload of each direction of each
//		connection into a file of its own in DIR (created if need be), in
//		sequence order, retransmitted copies dropped, reordering repaired,
//		messages reassembled, decrypted with -passphrase:
//		caller-to-listener_ADDR_PORT_to_ADDR_PORT.ts when the payload is
//		MPEG-TS, .bin otherwise (a name used twice gets _2, _3, ...). One
//		line per file on standard output: bytes, packets, messages, gaps
//		(with their byte offsets), decryption, and for MPEG-TS the sync and
//		continuity checks. An encrypted payload that no passphrase opens is
//		not written; the line says why. Not with -x, -json, -summary or
//		-stats.
//	-extract-gaps fill|skip
//		With -extract, what to write in place of lost packets: skip (the
//		default) concatenates what arrived; fill writes MPEG-TS null
//		packets (zeros in other streams), so that players keep their timing.
//	-extract-ciphertext
//		With -extract, write a payload that cannot be decrypted as it is
//		(encrypted) instead of refusing it.
//	-parquet DIR
//		Instead of the packets, write two Parquet tables per FILE, for
//		DuckDB, Spark, Trino, ClickHouse, pandas or Polars:
//		DIR/packets/NAME.parquet, one row per SRT packet (the -json keys as
//		typed columns), and DIR/connections/NAME.parquet, one row per
//		connection attempt and direction (the -stats -json keys, findings
//		as a list). NAME is the FILE's base name without .pcap, .pcapng,
//		.cap and .gz; two FILEs of the same NAME are refused. Each file is
//		written under a temporary name and renamed when complete; one line
//		per file written on standard error ("srtdump: wrote
//		DIR/packets/NAME.parquet: 149 rows"). The columns are listed in
//		docs/parquet.md. Not with -x, -json, -summary, -stats, -extract or
//		the filters (-rejects, -type, -stream-id, -count).
//	-j N
//		Decode N FILEs at once (default: the number of CPUs). The output is
//		the same as with -j 1, byte for byte, in the order of the FILEs:
//		each FILE's standard output is held in memory until those before
//		it are written, up to 16 MiB (a FILE with more waits for its turn
//		there), and its standard error in memory, then in a temporary
//		file past 4 MiB. At most N + 1 FILEs are in flight (N of them
//		being decoded), so memory stays bounded: 48 MiB of held output
//		for -j 2. With -count, -timeseries, -extract, -html or standard
//		input the FILEs are read one after the other.
//	-rejects
//		Only the HANDSHAKE packets that reject a connection; with -summary,
//		only the rejected attempts.
//	-port PORT
//		Decode every datagram to or from this UDP port as SRT (it is shown
//		with its decode error if it is not). Repeatable, or comma-separated
//		("-port 9000,9001"). Other ports are still searched, unless -only
//		is given.
//	-only
//		With -port: SRT is decoded on the -port ports only, and nothing
//		is recognised elsewhere (a capture that carries other UDP traffic
//		that looks like SRT, or to save the search).
//	-type KINDS
//		Only packets of these kinds, comma-separated, case-insensitive:
//		data, fec, handshake, keepalive, ack, nak, cgwarning, shutdown,
//		ackack, dropreq, peererror, umsg (UMSG_EXT), unknown (a control type
//		libsrt does not define). "fec" is the packets of libsrt's FEC packet
//		filter; "data" does not include them. Frames without an SRT header
//		(IP fragments, datagrams shorter than 16 bytes) never match. An
//		unknown kind is a usage error that lists the valid ones.
//	-stream-id PATTERN
//		Only the connections whose Stream ID matches PATTERN, a glob in
//		which "*" matches any run of characters, "/" included (a Stream ID
//		is not a path: "*" matches "publish:/live/x", "*r=live/*" any
//		Stream ID with "r=live/" in it), "?" any one character, and "\"
//		makes the next character literal ("\*" is a star); every other
//		character, "[" included, stands for itself. Packets are shown from
//		the handshake that carries the Stream ID on; a connection whose
//		handshake is not in the capture has an empty Stream ID, which only
//		"" and "*" match.
//	-count N
//		Stop after N output records, counted over all FILEs: N packet lines
//		(or JSON objects), or, with -summary, N connection attempts. 0, the
//		default, means no limit.
//	-t local|abs|utc|rel|delta
//		The TIME column of the packet lines. local, the default (abs is the
//		same), is the capture time of day in the local time zone with
//		microseconds; the first line of each FILE, and the first line of
//		each new day, starts with the date and ends with the zone ("2026-11-24
//		19:26:30.991349 UTC"). utc is the same in UTC. rel is the seconds
//		since the first SRT packet of the FILE, delta the seconds since the
//		previous line (of the FILE). JSON times are always RFC 3339 in UTC.
//	-progress auto|always|never
//		A progress line on standard error (frames, SRT frames, megabytes,
//		percentage of the file, frames per second), rewritten in place.
//		auto, the default, shows it when standard error is a terminal and
//		the input is a file larger than 16 MiB or a stream.
//	-x
//		Under each packet line, the packet's payload (the CIF of a control
//		packet; every byte of a frame without an SRT header) in hex and
//		ASCII, 16 bytes a line, as tcpdump -X prints it. Offsets count from
//		the start of the datagram, so a payload starts at 0x0010. Not with
//		-json or -summary.
//	-passphrase PASSPHRASE
//		Try PASSPHRASE on every key-material message of the capture (the
//		KMREQ and KMRSP blocks of the handshakes, and the UMSG_EXT KMREQ and
//		KMRSP of each key refresh): the packet line ends with "passphrase
//		ok" ("passphrase #2 ok" with several) or "PASSPHRASE MISMATCH", the
//		JSON has "passphrase":"match" (and "passphrase_no") or "mismatch".
//		Data payloads are decrypted (AES-CTR, and AES-GCM in libsrt 1.5.4's
//		layout) with the keys that the key material wraps, following each
//		key refresh: a data line ends with [decrypted], or with why it was
//		not ([not decrypted: no passphrase given opens its key material]),
//		the JSON has "decrypted":true or false; -x shows the plaintext. The
//		-summary and -stats say which side's key material which passphrase
//		opens ("the caller's KM opened by passphrase #1") and how many data
//		packets decrypted. Repeatable: give the listener's and the caller's;
//		they are numbered #1, #2, ... in the order given.
//	-passphrase-file FILE
//		Read passphrases from FILE, one a line (a line end of \n or \r\n is
//		not part of it; empty lines are skipped), numbered after those of
//		-passphrase.
//	-version
//		Print the version and exit.
//	-h, -help
//		Print the usage with examples on standard output and exit (status
//		0).
//
// A usage error (an unknown flag, a bad value) prints the error and the
// line "run 'srtdump -h' for help" on standard error, and exits with 2.
//
// # Environment
//
// SRT_PASSPHRASE is a passphrase, tried after those of -passphrase and
// -passphrase-file. With it, or with -passphrase-file, no secret needs to
// be on the command line, where ps and the shell history see it. srtdump
// never prints a passphrase, in any output or error: it names them by
// their number. A passphrase outside libsrt's 10 to 80 bytes gets a warning
// (key material of other stacks may still use one).
//
// Filters combine: a packet is shown when it passes all of them. When the
// filters let nothing through although the capture has SRT, srtdump says
// so on standard error (with -stream-id, with a few of the Stream IDs it
// saw).
//
// # Output
//
// The default output is one line per SRT packet:
//
//	FRAME TIME  SRC > DST  TYPE  DETAILS [ts=TIMESTAMP] [!! ERROR (byte OFFSET)]
//
// FRAME is the frame number in the capture (1-based, as Wireshark counts),
// TIME the capture time as -t says (by default the local time of day with
// microseconds, and the date and zone on the first line), SRC and DST the
// UDP endpoints. TYPE is DATA for data packets (FEC packets included, marked
// FEC), the libsrt name of a control packet's type (HANDSHAKE, ACK, NAK,
// UMSG_EXT, ...), CTL_0xNNNN for a control type libsrt does not define, or
// ERROR for a frame that has no SRT header; every DETAILS starts in the same
// column. DETAILS are the decoded fields of the packet's kind (ACK times in
// µs as libsrt sends them, rates with SI prefixes: kpkt/s, kB/s, MB/s;
// HSREQ latencies in ms, receiver's then sender's), for example:
//
//	DATA       seq=747416589 msgno=1 solo key=even len=1316 ts=177140
//	ACK        #1 full ack=2017000974 rtt=100000us var=50000us buf=8190 rate=2 pkt/s bw=1.00 kpkt/s recv=1.57 kB/s ts=175682
//	ACK        light ack=1061932521 ts=58846
//	NAK        lost 2095720817-2095720819 (3 packets) ts=204470
//	KEEPALIVE  ts=1009000
//	HANDSHAKE  CONCLUSION v5 enc=AES-128 ext=HSREQ|KMREQ isn=1250402249 mtu=1500 win=8192 sock=0x24e09326 dst=0x00000000 cookie=0xe8dc20ed peer=127.0.0.1 | HSREQ v1.5.1 latency=120/0ms flags=TSBPDSND|TSBPDRCV|CRYPT|TLPKTDROP|PERIODICNAK|REXMITFLG|FILTERCAP | KMREQ AES-CTR-128 keys=even
//	HANDSHAKE  REJECT SRT_REJX_FORBIDDEN (code 1403, wire 2403) "Resource access forbidden": The user may not access this resource; check the permissions for the u and r keys. Retrying will not help.
//
// A handshake line has the fields of the handshake CIF (version, encryption
// and extension flags, or the HSv4 socket type, ISN, MTU, flow window, the
// sender's socket ID, then the header's destination socket ID, the SYN
// cookie and the Peer IP), then the extension blocks after "|"; a rejection
// names the reason, its code and wire value, libsrt's text, an explanation
// and whether retrying can help (and, for a code that looks sent without
// libsrt's +1000 offset, the code that was most likely meant). ts= is the
// header timestamp (microseconds since the sender's socket started; not
// shown on handshake lines). Strings (Stream IDs, ...) are quoted with Go's
// escapes, so control characters never reach the terminal; one longer than
// libsrt accepts (a Stream ID of more than 512 bytes) is cut to that length
// and marked.
//
// A frame that is SRT but does not decode still gets its line, with "!!",
// the fault and the byte offset of the fault in the datagram. A frame the
// capture cut short (its snaplen) shows what was captured: a data packet
// its length on the wire and the bytes captured ("len=1316 (48 captured)"),
// a handshake cut inside its 48 fixed bytes the fields that were captured
// and, in brackets, where the bytes end and which fields are missing
// ("[truncated at byte 38: no type, sock, cookie, peer]"), never a zero for
// a field that is not there. With several FILEs every line starts with the
// FILE name and a colon.
//
// -json writes one JSON object per line with the same information in fixed
// keys. Every key of every JSON form (packets, -summary, -stats,
// -timeseries), its type, its meaning and its unit are documented in
// docs/srtdump-json.md in the repository. A value the capture does not tell
// (the latency of a session whose handshake was not captured, the RTT of a
// direction without ACKs) is "-" in text and absent from JSON, never 0.
//
// -summary writes a table (with several FILEs, each headed by the FILE
// name):
//
//	#  CALLER           LISTENER         MODE             FRAMES  STREAM ID  FILTER  ENCRYPTION                    LATENCY  OUTCOME      HS RTT   DATA  RETX  LOST (NAK'D)  FEC  PEERERROR  FINDINGS
//	1  127.0.0.1:36368  127.0.0.1:41024  caller-listener  1-35    -          -       AES-128 requested, BADSECRET  120ms    established  4.215ms  10    0     0             0    -          undecryptable
//
//	#1 error undecryptable: The listener 127.0.0.1:41024 cannot decrypt the data: its passphrase differs from that of the caller 127.0.0.1:36368 (KMRSP BADSECRET) and encryption is not enforced, so it accepted the connection; 10 of 10 data packets were sent that it cannot decrypt. Set the same passphrase on both sides (and SRTO_ENFORCEDENCRYPTION, so that a mismatch is refused).
//
// MODE is caller-listener, rendezvous, or "unknown (roles inferred)" for a
// session whose handshake is not in the capture (CALLER is then the data
// sender). FRAMES is the frame range. ENCRYPTION is the negotiated cipher,
// "AES-128 requested" for a caller refused, "AES-128 requested, BADSECRET"
// when the listener could not decrypt the key material, "none", "unknown"
// or "encrypted (no KM seen)". With passphrases a PASSPHRASE column follows
// ("caller #1": passphrase #1 opened the caller's key material, or
// "MISMATCH"). LATENCY is the TSBPD latency, HS RTT the time from the first
// CONCLUSION to its answer. OUTCOME is established, rejected (with the
// reason's name), no answer or incomplete, followed by ×N for a group of N
// retries. DATA counts the data packets of both directions, FEC packets
// excluded (they are in FEC), RETX the retransmissions, LOST (NAK'D) the
// distinct sequence numbers the NAKs reported lost (a number reported again
// counts once), PEERERROR the code of a PEERERROR ("4000 (SRT_EFILE)"),
// FINDINGS the codes of the health findings (rejected, no_answer,
// retry_storm, undecryptable, passphrase_mismatch, peer_error,
// unrecovered_loss, late_packets, latency_low, stall, traffic_after_reject,
// unshifted_reject, peer_ip_family). Under the table come each row's notes,
// prefixed with its number: the span of a group of retries, what the
// passphrases opened, and each finding's level, code and sentence.
//
// -stats writes a block per attempt: a line with the endpoints, mode,
// outcome, frames and start time, a line with the Stream ID, encryption,
// latency, handshake RTT, congestion control, filter and PEERERROR, a
// table with one column per direction ("caller > listener": the data the
// caller sent, and the ACKs and NAKs the listener sent about it), and the
// notes and findings as in -summary (or "no findings"). The figures are
// those of docs/srtdump-json.md ("Statistics"); "-" is unknown.
//
// -summary -json and -stats -json write one JSON object per row.
//
// Standard output is buffered; when the input is a stream (standard input,
// a pipe, a FIFO), what was decoded is written out whenever srtdump waits
// for more input, so srtdump can follow a live tcpdump. On SIGINT (Ctrl-C)
// or SIGTERM, srtdump writes every packet decoded so far (with -summary and
// -stats, the attempts so far), says so on standard error, and exits with
// 130 or 143.
//
// -summary and -stats keep at most 32 768 connection attempts in memory
// (a few KiB each, Stream IDs capped at libsrt's 512 bytes, plus a 64 KiB
// sequence window per active direction from a pool of 1024) and 1024 open
// groups of retries; when a capture has more, the older ones are written
// out as they are forgotten, and the rest at the end, so that memory stays
// bounded whatever the capture. Packet mode keeps no per-connection state
// unless -stream-id or -timeseries needs it.
//
// # Exit status
//
//	0  done (including a capture in which no SRT was found, which is said on
//	   standard error, and -h and -version)
//	1  an input that cannot be read (or a -timeseries FILE, an -extract
//	   file or a -parquet table that cannot be written): a missing file, a directory, a file
//	   that is not a pcap or pcapng capture, or a damaged or truncated
//	   capture. Everything decodable before the damage is printed first,
//	   then the file name and where the damage is on standard error (for a
//	   capture cut short: "the capture is cut short at byte N, after frame
//	   M"); the remaining FILEs are still decoded. An internal error (a bug;
//	   please report it with the capture) also exits with 1.
//	2  bad usage: an unknown flag, or a bad -type, -port, -count,
//	   -stream-id, -t or -progress value, -only without -port, -x with
//	   -json, -summary or -stats, -summary with -stats, -extract with -x,
//	   -json, -summary or -stats, a bad -extract-gaps, -parquet with an
//	   output mode or a filter, two -parquet FILEs of one NAME, -j 0, an empty
//	   passphrase, or a -passphrase-file that cannot be read or holds none
//	130, 143
//	   stopped by SIGINT or SIGTERM, after writing what was decoded
package main
