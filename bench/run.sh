#!/usr/bin/env bash
# bench/run.sh -- build secip in Release and run every benchmark workload for
# secip and its peers (issue 8), side by side, interleaved round by round
# (A B C A B C ...), then print median/min/max and the ratio secip/peer.
#
# Usage: bench/run.sh [--report] [--smoke] [--rounds N]
#   --smoke    tiny sizes, one round (CI: keeps everything building/running)
#   --rounds N rounds per contender (default 3)
#   --report   also regenerate docs/BENCHMARKS.md and docs/bench/*.png
# Also runs, first, the platform echo benchmark and the crypto benchmark
# (bench/platform, bench/crypto) as before.
# Every receiver verifies count + checksum; a failed check fails the run.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build="$root/build/bench"
jobs=$(nproc 2>/dev/null || echo 2)
report=0 smoke=0 rounds=3
while [ $# -gt 0 ]; do
  case "$1" in
    --report) report=1 ;;
    --smoke) smoke=1; rounds=1 ;;
    --rounds) rounds="$2"; shift ;;
    *) echo "usage: bench/run.sh [--report] [--smoke] [--rounds N]" >&2; exit 2 ;;
  esac
  shift
done

# Sizes.  Full sizes are the issue's, except handshakes (a fixed count,
# converted to a rate per server-CPU second).
if [ "$smoke" -eq 1 ]; then
  BULK_MIB=16 MSG_COUNT=10000 LAT_COUNT=1000 HS_COUNT=20 IDLE_SESSIONS=100
  FILE_MIB=16
else
  BULK_MIB=${BULK_MIB:-2048} MSG_COUNT=${MSG_COUNT:-1000000}
  LAT_COUNT=${LAT_COUNT:-100000} HS_COUNT=${HS_COUNT:-500}
  IDLE_SESSIONS=${IDLE_SESSIONS:-10000} FILE_MIB=${FILE_MIB:-2048}
fi

t_start=$(date +%s)
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" -j "$jobs" --target echo_bench crypto_bench \
  session_bench file_bench tcp_peer bearssl_peer
have() { [ -x "$build/bench/$1" ]; }
# Optional peers: built when OpenSSL / libzmq were found at configure time.
cmake --build "$build" -j "$jobs" --target ossl_peer 2>/dev/null || true
cmake --build "$build" -j "$jobs" --target zmq_peer 2>/dev/null || true

# What ran before this script covered the session workloads.
if [ "$smoke" -eq 1 ]; then
  "$build/bench/platform/echo_bench" --smoke
  "$build/bench/crypto/crypto_bench" --keys 1 --seconds 0.2
else
  "$build/bench/platform/echo_bench"
fi

# One RSA-2048 key and self-signed certificate shared by every contender.
keys="$build/bench-keys"
mkdir -p "$keys"
if [ ! -s "$keys/key.pem" ] || [ ! -s "$keys/cert.pem" ]; then
  openssl req -x509 -newkey rsa:2048 -nodes -keyout "$keys/key.pem" \
    -out "$keys/cert.pem" -days 3650 -subj /CN=127.0.0.1 \
    -addext subjectAltName=IP:127.0.0.1 2>/dev/null
fi
K="--key $keys/key.pem --cert $keys/cert.pem"

S=bench/session/session_bench T=bench/peers/tcp_peer O=bench/peers/ossl_peer
B=bench/peers/bearssl_peer Z=bench/peers/zmq_peer
F=bench/session/file_bench
# workload | binary (relative to the build dir) | arguments
rows=(
  "bulk|$S|--workload bulk --mib $BULK_MIB"
  "bulk|$T|--workload bulk --mib $BULK_MIB"
  "bulk|$O|--workload bulk --mib $BULK_MIB --tls 12"
  "bulk|$O|--workload bulk --mib $BULK_MIB --tls 13"
  "bulk|$B|--workload bulk --mib $BULK_MIB"
  "msg|$S|--workload msg --count $MSG_COUNT"
  "msg|$O|--workload msg --count $MSG_COUNT"
  "msg|$T|--workload msg --count $MSG_COUNT"
  "msg|$Z|--workload msg --count $MSG_COUNT"
  "lat|$S|--workload lat --count $LAT_COUNT"
  "lat|$O|--workload lat --count $LAT_COUNT"
  "lat|$T|--workload lat --count $LAT_COUNT"
  "hs|$S|--workload hs --count $HS_COUNT"
  "hs|$O|--workload hs --count $HS_COUNT"
  "hs|$B|--workload hs --count $HS_COUNT"
  "hs|$B|--workload sign"
  "idle|$S|--workload idle --sessions $IDLE_SESSIONS"
  "idle|$O|--workload idle --sessions $IDLE_SESSIONS"
  "file|$F|--workload file --mib $FILE_MIB"
  "file|$F|--workload file_tmpfs --mib $FILE_MIB"
)

out="$build/bench-results"
mkdir -p "$out"
res="$out/results.tsv"   # round metric impl value
cmds="$out/commands.tsv" # metric impl command
: >"$res"
: >"$cmds"
ulimit -n 20000 2>/dev/null || true
for r in $(seq 1 "$rounds"); do
  for w in bulk msg lat hs idle file; do
    for row in "${rows[@]}"; do
      IFS='|' read -r rw bin args <<<"$row"
      [ "$rw" = "$w" ] || continue
      if ! have "${bin#bench/}"; then
        echo "skip (not built): $bin" >&2
        continue
      fi
      echo "== round $r: $bin $args" >&2
      line=$(cd "$build" && ./$bin $args $K) || {
        echo "FAILED: $bin $args" >&2
        exit 1
      }
      echo "$line" | while read -r tag metric impl value; do
        [ "$tag" = RESULT ] || continue
        printf '%s\t%s\t%s\t%s\n' "$r" "$metric" "$impl" "$value" >>"$res"
        if [ "$r" -eq 1 ]; then
          printf '%s\t%s\t./%s %s %s\n' "$metric" "$impl" "$bin" \
            "$args" "--key KEY --cert CERT" >>"$cmds"
        fi
      done
    done
  done
done

# Summary: metric impl median min max n ratio(secip/impl median).
summary="$out/summary.tsv"
sort -t$'\t' -k2,2 -k3,3 -k4,4g "$res" | awk -F'\t' '
  function flush() {
    if (n == 0) return
    med = (n % 2) ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
    printf "%s\t%s\t%.3f\t%.3f\t%.3f\t%d\n", m, i, med, v[1], v[n], n
  }
  { if ($2 != m || $3 != i) { flush(); m = $2; i = $3; n = 0 }
    v[++n] = $4 }
  END { flush() }' | awk -F'\t' '
  { key[NR] = $0; met[NR] = $1; imp[NR] = $2; med[NR] = $3
    if ($2 == "secip") s[$1] = $3 }
  END { for (k = 1; k <= NR; k++) {
          r = (met[k] in s && med[k] != 0) ? sprintf("%.3f", s[met[k]] / med[k]) : "-"
          print key[k] "\t" r } }' >"$summary"

printf '\n%-24s %-11s %14s %14s %14s %3s %9s\n' metric impl median min max n \
  secip/it
while IFS=$'\t' read -r m i med mn mx n ratio; do
  printf '%-24s %-11s %14s %14s %14s %3s %9s\n' "$m" "$i" "$med" "$mn" "$mx" \
    "$n" "$ratio"
done <"$summary"

elapsed=$(($(date +%s) - t_start))
echo "bench: $rounds round(s), ${elapsed}s; raw results in $res"
if [ "$report" -eq 1 ]; then
  BULK_MIB=$BULK_MIB MSG_COUNT=$MSG_COUNT LAT_COUNT=$LAT_COUNT \
    HS_COUNT=$HS_COUNT IDLE_SESSIONS=$IDLE_SESSIONS FILE_MIB=$FILE_MIB ROUNDS=$rounds \
    ELAPSED=$elapsed SMOKE=$smoke \
    "$root/bench/report/make_report.sh" "$summary" "$cmds" "$root"
fi
