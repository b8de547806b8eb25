#!/usr/bin/env bash
# Regenerates the real-traffic captures in this folder (issue 14): SRT made by
# an implementation other than libsrt, and non-SRT UDP that looks like SRT
# data. Loopback only; needs root (tcpdump -i lo, port 514), Go, and
# apt-get install tcpdump tshark socat bsdutils (logger).
#
#   gosrt_full.pcap        datarhei/gosrt v0.11.0 contrib/client publishing to
#                          contrib/server on 127.0.0.1:46010 for about 5 s
#                          (debug:// source, 100 kbit/s), live mode, no
#                          passphrase: handshake, data, ACK/ACKACK, SHUTDOWN.
#                          Sessions are made (new processes) until BOTH
#                          socket IDs have bit 31 set (libsrt never draws
#                          such IDs; gosrt draws from all 32 bits).
#   gosrt_midsession.pcap  gosrt_full.pcap without its first frames: a capture
#                          that starts mid-session, at the first data packet
#                          25 or more frames after the last handshake frame.
#   gosrt_dataonly.pcap    the data packets of gosrt_midsession.pcap alone (as
#                          a one-way tap would see them): the flow can only
#                          be recognised from its data.
#   syslog5424_514.pcap    logger --rfc5424 to 127.0.0.1:514, 100 messages
#                          from one socket (fixed source port), 50 ms apart
#   syslog5424_5140.pcap   the same to port 5140
#   syslog3164_514.pcap    logger --rfc3164 to 127.0.0.1:514, 100 messages
#   syslog3164_5140.pcap   the same to port 5140
#   syslog5424_mixed_5140.pcap  logger --rfc5424 --prio-prefix to port 5140:
#                          100 messages whose priority changes from one to
#                          the next (13 14 14 12 13 11 14 30 ..., as a
#                          forwarder sends them), from one socket
#   syslog3164_mixed_5140.pcap  the same with --rfc3164
#   heartbeat.pcap         a constant 33-byte datagram from source port 40001
#                          to 127.0.0.1:7777 every 50 ms (socat), 100 times
#
# The syslog and heartbeat datagrams are shaped like SRT data packets (first
# bit 0, a non-zero "destination socket"). Those of a flow repeat their
# first 16 bytes, except in the mixed syslog captures, where the priority
# ("<13>", "<14>", ...) changes the first word (the "sequence number") by a
# multiple of 256 while the third (the "timestamp") stays the same.
#
# The gosrt sources are taken from $SRTWIRE_GOSRT_DIR (default
# ../shared/third_party/gosrt-v0.11.0 relative to the repository root; they
# build offline with -mod=vendor). Tests read only the committed captures.
set -euo pipefail
cd "$(dirname "$0")"
root=$(cd ../.. && pwd)
gosrt=${SRTWIRE_GOSRT_DIR:-$root/../shared/third_party/gosrt-v0.11.0}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

capture() { # $1 out file, $2 BPF filter; sets cap to tcpdump's pid
  tcpdump -i lo --immediate-mode -U -n -s 0 -w "$1" "$2" >/dev/null 2>"$tmp/tcpdump.err" &
  cap=$!
  for _ in $(seq 100); do # until it listens
    grep -qs 'listening on' "$tmp/tcpdump.err" && break
    sleep 0.1
  done
  sleep 0.2
}
stop() { # $1 pid: SIGINT, then wait
  [ "$1" != "$cap" ] || sleep 1 # the last datagrams reach tcpdump
  kill -INT "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}

# --- gosrt ---------------------------------------------------------------
port=46010
(cd "$gosrt" && GOFLAGS=-mod=vendor go build -o "$tmp/server" ./contrib/server &&
  GOFLAGS=-mod=vendor go build -o "$tmp/client" ./contrib/client)

# The socket IDs the two sides announced in their CONCLUSION handshakes.
socket_ids() {
  tshark -r "$1" -d "udp.port==$port,srt" -Y 'srt.hs.reqtype == -1' -T fields -e srt.hs.id 2>/dev/null | sort -u
}
both_high() { # every ID >= 0x80000000, and two of them
  local ids n=0
  ids=$(socket_ids "$1")
  for id in $ids; do
    (( id >= 0x80000000 )) || return 1
    n=$((n + 1))
  done
  [ "$n" -eq 2 ]
}

for try in $(seq 60); do
  capture "$tmp/gosrt.pcap" "udp port $port"
  "$tmp/server" -addr "127.0.0.1:$port" >/dev/null 2>&1 &
  srv=$!
  sleep 0.5
  "$tmp/client" -from "debug://?bitrate=100000" \
    -to "srt://127.0.0.1:$port/?mode=caller&streamid=publish:/live/realtraffic" >/dev/null 2>&1 &
  cli=$!
  sleep 5
  stop $cli
  sleep 0.3
  stop $srv
  sleep 0.5
  stop $cap
  echo "gosrt session $try: socket IDs $(socket_ids "$tmp/gosrt.pcap" | tr '\n' ' ')"
  if both_high "$tmp/gosrt.pcap"; then
    cp "$tmp/gosrt.pcap" gosrt_full.pcap
    break
  fi
  [ "$try" -lt 60 ] || { echo "no session with both socket IDs >= 2^31" >&2; exit 1; }
done
# The mid-session capture starts at the first data packet 25 frames or more
# after the last handshake.
last_hs=$(tshark -r gosrt_full.pcap -d "udp.port==$port,srt" -Y 'srt.iscontrol == 1 && srt.type == 0' \
  -T fields -e frame.number 2>/dev/null | tail -1)
first=$(tshark -r gosrt_full.pcap -d "udp.port==$port,srt" -Y "srt.iscontrol == 0 && frame.number > $((last_hs + 25))" \
  -T fields -e frame.number 2>/dev/null | head -1)
editcap -F pcap gosrt_full.pcap gosrt_midsession.pcap "1-$((first - 1))" # deletes these
tshark -r gosrt_midsession.pcap -d "udp.port==$port,srt" -Y 'srt.iscontrol == 0' -F pcap -w gosrt_dataonly.pcap 2>/dev/null

# --- syslog ----------------------------------------------------------------
syslog() { # $1 out file, $2 port, $3 logger format option, $4 "mixed" or ""
  local sink
  capture "$1" "udp port $2"
  socat -u "UDP-RECV:$2,bind=127.0.0.1" /dev/null &
  sink=$!
  sleep 0.5
  if [ "$4" = mixed ]; then
    # A forwarder's stream: the priority of each message in turn (user,
    # daemon, auth and authpriv facilities, several severities).
    local pris=(13 14 14 12 13 11 14 30 29 38 86 14 13 15 14 12 30 30 27 13)
    for i in $(seq 100); do
      echo "<${pris[(i - 1) % 20]}>realtraffic message $i: service state checked"
      sleep 0.05
    done | logger "$3" --prio-prefix -d -n 127.0.0.1 -P "$2" -t srtwire-test
  else
    for i in $(seq 100); do
      echo "realtraffic message $i: service state checked, nothing to report"
      sleep 0.05
    done | logger "$3" -d -n 127.0.0.1 -P "$2" -t srtwire-test -p user.notice
  fi
  stop $cap
  kill $sink 2>/dev/null || true
  wait $sink 2>/dev/null || true
}
syslog syslog5424_514.pcap 514 --rfc5424 ""
syslog syslog5424_5140.pcap 5140 --rfc5424 ""
syslog syslog3164_514.pcap 514 --rfc3164 ""
syslog syslog3164_5140.pcap 5140 --rfc3164 ""
syslog syslog5424_mixed_5140.pcap 5140 --rfc5424 mixed
syslog syslog3164_mixed_5140.pcap 5140 --rfc3164 mixed

# --- heartbeat ---------------------------------------------------------------
capture heartbeat.pcap "udp port 7777"
socat -u UDP-RECV:7777,bind=127.0.0.1 /dev/null &
sink=$!
sleep 0.5
for i in $(seq 100); do
  printf 'HB1 node=edge-07 state=up load=0\n' # 33 bytes, one datagram each
  sleep 0.05
done | socat -u -b 33 STDIN UDP-SENDTO:127.0.0.1:7777,sourceport=40001
sleep 0.5
stop $cap
kill $sink 2>/dev/null || true
wait $sink 2>/dev/null || true

ls -l ./*.pcap
