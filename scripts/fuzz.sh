#!/bin/sh
# scripts/fuzz.sh -- build the libFuzzer targets (tests/fuzz) and run each
# for a bounded time over a scratch copy of its seed corpus.  Fails (exit 1)
# on any crash, leak, timeout, sanitizer report or broken invariant.
#
#   scripts/fuzz.sh [--seconds N] [--build DIR] [--jobs J] [--grow]
#                   [--only TARGET]
#
#   --seconds N  run time per target (default 20)
#   --build DIR  fuzz build directory (default build/fuzz)
#   --grow       afterwards merge the new inputs back into the committed
#                corpus (tests/fuzz/corpus/<target>, minimised with
#                -merge=1); without it the committed corpus is never touched
#   --only T     run only target T (frame, message, json, ...)
#
# Needs clang and libclang-rt-14-dev (Debian: apt-get install clang
# libclang-rt-14-dev).  Prints the executions reached per target.
set -eu

here=$(cd "$(dirname "$0")/.." && pwd)
seconds=20
build="$here/build/fuzz"
grow=0
only=""
while [ $# -gt 0 ]; do
    case "$1" in
    --seconds) seconds=$2; shift 2 ;;
    --build) build=$2; shift 2 ;;
    --grow) grow=1; shift ;;
    --only) only=$2; shift 2 ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    *) echo "fuzz.sh: unknown argument $1" >&2; exit 2 ;;
    esac
done
case "$seconds" in ''|*[!0-9]*) echo "fuzz.sh: --seconds needs a number" >&2; exit 2 ;; esac

san="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined"
CC=${CC:-clang} cmake -S "$here" -B "$build" -DSECIP_BUILD_FUZZ=ON \
    -DSECIP_BUILD_TESTS=ON -DSECIP_BUILD_BENCH=OFF -DSECIP_BUILD_SAMPLES=OFF \
    -DSECIP_BUILD_TOOLS=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    "-DCMAKE_C_FLAGS=$san" >"$build.configure.log" 2>&1 ||
    { cat "$build.configure.log"; exit 1; }

targets=""
for src in "$here"/tests/fuzz/fuzz_*.c; do
    t=$(basename "$src" .c)
    t=${t#fuzz_}
    if [ -z "$only" ] || [ "$only" = "$t" ]; then
        targets="$targets $t"
    fi
done
[ -n "$targets" ] || { echo "fuzz.sh: no target '$only'" >&2; exit 2; }
# shellcheck disable=SC2086
cmake --build "$build" -j2 $(for t in $targets; do printf ' --target fuzz_%s' "$t"; done)

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
work=$(mktemp -d "${TMPDIR:-/tmp}/secip-fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
failed=0
summary=""
for t in $targets; do
    exe="$build/tests/fuzz/fuzz_$t"
    seeds="$here/tests/fuzz/corpus/$t"
    mkdir -p "$work/$t" "$work/$t.art"
    [ -d "$seeds" ] && cp "$seeds"/* "$work/$t/" 2>/dev/null || true
    log="$work/$t.log"
    rc=0
    "$exe" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
        -max_len=65536 -print_final_stats=1 \
        -artifact_prefix="$work/$t.art/" "$work/$t" >"$log" 2>&1 || rc=$?
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    if [ $rc -ne 0 ]; then
        failed=1
        echo "=== fuzz_$t FAILED (exit $rc); log tail:"
        tail -60 "$log"
        mkdir -p "$build/fuzz-artifacts"
        cp "$work/$t.art"/* "$build/fuzz-artifacts/" 2>/dev/null || true
        echo "=== reproducer(s) copied to $build/fuzz-artifacts/"
        summary="$summary
fuzz_$t: FAILED after ${execs:-?} executions"
        continue
    fi
    summary="$summary
fuzz_$t: ok, ${execs:-?} executions in ${seconds}s"
    if [ $grow -eq 1 ]; then
        mkdir -p "$seeds" "$work/$t.min"
        "$exe" -merge=1 -max_len=65536 "$work/$t.min" "$seeds" "$work/$t" \
            >"$work/$t.merge.log" 2>&1
        rm -f "$seeds"/*
        cp "$work/$t.min"/* "$seeds/"
        echo "fuzz_$t: corpus now $(ls "$seeds" | wc -l) files"
    fi
done
echo "--- fuzz summary$summary"
exit $failed
