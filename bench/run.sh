#!/bin/sh
# bench/run.sh -- build secip in Release and run its benchmarks with their
# default sizes.  Usage: bench/run.sh [extra echo_bench args...]
# (Minimal for now: the platform echo benchmark; more benchmarks join it.)
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
build="$root/build/bench"
jobs=$(nproc 2>/dev/null || echo 2)

cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release
cmake --build "$build" -j "$jobs" --target echo_bench

"$build/bench/platform/echo_bench" "$@"
