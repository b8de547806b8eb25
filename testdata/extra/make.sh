#!/usr/bin/env bash
# Regenerates the extra captures in this folder with Debian's libsrt 1.5.1
# tools (apt-get install srt-tools tcpdump tshark). Loopback only.
#   sid_km_sll2.pcap    tcpdump -i any (Linux cooked v2): a caller with a
#                       passphrase and a Stream ID (CONCLUSION with HSREQ+SID+KMREQ)
#   sid_km_lo.pcapng    the same session type, captured by dumpcap as pcapng
set -euo pipefail
cd "$(dirname "$0")"
run() { # $1 out file, $2 port, $3 capture command prefix
  local out=$1 port=$2; shift 2
  "$@" &
  local cap=$!
  sleep 1
  timeout 10 srt-live-transmit -a:no -t:4 -loglevel:error \
    "srt://127.0.0.1:$port?mode=listener&passphrase=extra-secret-123&pbkeylen=32" file://con >/dev/null &
  local lis=$!
  sleep 0.5
  (sleep 0.5; for i in $(seq 40); do head -c 1316 /dev/urandom; sleep 0.02; done) | timeout 10 srt-live-transmit -a:no -t:2 -loglevel:error -chunk:1316 file://con \
    "srt://127.0.0.1:$port?mode=caller&passphrase=extra-secret-123&pbkeylen=32&streamid=#!::r=live/extra,m=publish,u=carol" || true
  wait $lis || true
  sleep 0.5
  kill $cap 2>/dev/null || true
  wait $cap 2>/dev/null || true
}
run sid_km_sll2.pcap 42001 tcpdump -i any -U -n -s 0 -w sid_km_sll2.pcap 'udp port 42001'
run sid_km_lo.pcapng 42002 dumpcap -q -i lo -f 'udp port 42002' -w sid_km_lo.pcapng
ls -l
# Wireshark's decode of each, as the oracle for tests:
for f in sid_km_sll2.pcap:42001 sid_km_lo.pcapng:42002; do
  n=${f%%:*}; p=${f##*:}
  tshark -r "$n" -d "udp.port==$p,srt" -T json --no-duplicate-keys | gzip -9 > "${n%.*}.tshark.json.gz"
done
