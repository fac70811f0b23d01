#!/bin/sh
# scripts/fuzz.sh -- build the libFuzzer targets (tests/fuzz) and run each
# for a bounded time (or number of executions) over a scratch copy of its
# seed corpus.  Fails (exit 1) on any crash, leak, timeout, sanitizer
# report or broken invariant.
#
#   scripts/fuzz.sh [--seconds N] [--runs N] [--max-len N] [--build DIR]
#                   [--no-build] [--grow] [--only TARGET] [--seed N]
#
#   --seconds N  run time per target (default 20; with --runs, a time cap
#                only when given explicitly)
#   --runs N     stop each target after N executions (libFuzzer -runs=N)
#   --max-len N  largest input libFuzzer generates (default 65536)
#   --build DIR  fuzz build directory (default build/fuzz)
#   --no-build   run the targets already built in DIR (no cmake step)
#   --grow       afterwards merge the new inputs back into the committed
#                corpus (tests/fuzz/corpus/<target>, minimised with
#                -merge=1); without it the committed corpus is never touched
#   --only T     run only target T (frame, message, json, ...)
#   --seed N     libFuzzer's random seed (default: a new one each run).
#                CI passes a fixed seed so that a red run is reproducible
#                and never a coin toss; long campaigns leave it random to
#                explore (docs/SECURITY.md section 5)
#
# Needs clang and libclang-rt-14-dev (Debian: apt-get install clang
# libclang-rt-14-dev).  Prints per target the executions reached, the
# wall time and the corpus size.
set -eu

here=$(cd "$(dirname "$0")/.." && pwd)
seconds=20
seconds_set=0
runs=0
max_len=65536
build="$here/build/fuzz"
grow=0
nobuild=0
only=""
seed=0
while [ $# -gt 0 ]; do
    case "$1" in
    --seconds) seconds=$2; seconds_set=1; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --max-len) max_len=$2; shift 2 ;;
    --build) build=$2; shift 2 ;;
    --grow) grow=1; shift ;;
    --no-build) nobuild=1; shift ;;
    --only) only=$2; shift 2 ;;
    --seed) seed=$2; shift 2 ;;
    -h|--help) sed -n '2,27p' "$0"; exit 0 ;;
    *) echo "fuzz.sh: unknown argument $1" >&2; exit 2 ;;
    esac
done
for n in "$seconds" "$runs" "$max_len" "$seed"; do
    case "$n" in ''|*[!0-9]*) echo "fuzz.sh: --seconds, --runs, --max-len and --seed need a number" >&2; exit 2 ;; esac
done
# libFuzzer: -max_total_time=0 means no time limit, -runs=-1 no count limit.
limit="-max_total_time=$seconds"
if [ "$runs" -gt 0 ]; then
    [ $seconds_set -eq 1 ] || seconds=0
    limit="-runs=$runs -max_total_time=$seconds"
fi
# libFuzzer: -seed=0 means "pick one".
limit="$limit -seed=$seed"

if [ $nobuild -eq 0 ]; then
    san="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined"
    CC=${CC:-clang} cmake -S "$here" -B "$build" -DSECIP_BUILD_FUZZ=ON \
        -DSECIP_BUILD_TESTS=ON -DSECIP_BUILD_BENCH=OFF -DSECIP_BUILD_SAMPLES=OFF \
        -DSECIP_BUILD_TOOLS=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo \
        "-DCMAKE_C_FLAGS=$san" >"$build.configure.log" 2>&1 ||
        { cat "$build.configure.log"; exit 1; }
fi

targets=""
for src in "$here"/tests/fuzz/fuzz_*.c; do
    t=$(basename "$src" .c)
    t=${t#fuzz_}
    if [ -z "$only" ] || [ "$only" = "$t" ]; then
        targets="$targets $t"
    fi
done
[ -n "$targets" ] || { echo "fuzz.sh: no target '$only'" >&2; exit 2; }
if [ $nobuild -eq 0 ]; then
    # shellcheck disable=SC2046
    cmake --build "$build" -j2 $(for t in $targets; do printf ' --target fuzz_%s' "$t"; done)
fi

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
    start=$(date +%s)
    # shellcheck disable=SC2086
    "$exe" $limit -timeout=10 -rss_limit_mb=2048 \
        -max_len="$max_len" -print_final_stats=1 \
        -artifact_prefix="$work/$t.art/" "$work/$t" >"$log" 2>&1 || rc=$?
    took=$(($(date +%s) - start))
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    if [ $rc -ne 0 ]; then
        failed=1
        echo "=== fuzz_$t FAILED (exit $rc); log tail:"
        tail -60 "$log"
        mkdir -p "$build/fuzz-artifacts"
        cp "$work/$t.art"/* "$build/fuzz-artifacts/" 2>/dev/null || true
        echo "=== reproducer(s) copied to $build/fuzz-artifacts/"
        summary="$summary
fuzz_$t: FAILED after ${execs:-?} executions in ${took}s"
        continue
    fi
    size="corpus $(ls "$work/$t" | wc -l) files"
    if [ $grow -eq 1 ]; then
        mkdir -p "$seeds" "$work/$t.min"
        "$exe" -merge=1 -max_len="$max_len" "$work/$t.min" "$seeds" "$work/$t" \
            >"$work/$t.merge.log" 2>&1
        rm -f "$seeds"/*
        cp "$work/$t.min"/* "$seeds/"
        size="corpus merged to $(ls "$seeds" | wc -l) files, $(du -sk "$seeds" | cut -f1) KiB on disk, $(cat "$seeds"/* | wc -c) bytes"
    fi
    summary="$summary
fuzz_$t: ok, ${execs:-?} executions in ${took}s, $size"
    echo "fuzz_$t: ok, ${execs:-?} executions in ${took}s, $size"
done
echo "--- fuzz summary$summary"
exit $failed
