#!/bin/sh
# tests/fuzz/run.sh -- run one fuzz target by hand, without a time limit
# by default, growing a scratch corpus seeded from the committed one.
#
#   tests/fuzz/run.sh TARGET [BUILD_DIR] [libFuzzer options...]
#   e.g. tests/fuzz/run.sh cert build/fuzz -max_total_time=3600 -jobs=2
#
# The build directory must hold a fuzz build (scripts/fuzz.sh makes one in
# build/fuzz).  New inputs go to build/fuzz-corpus/TARGET; merge them into
# the committed corpus with scripts/fuzz.sh --grow, or by hand:
#   fuzz_TARGET -merge=1 tests/fuzz/corpus/TARGET build/fuzz-corpus/TARGET
set -eu
here=$(cd "$(dirname "$0")/../.." && pwd)
[ $# -ge 1 ] || { sed -n '2,12p' "$0"; exit 2; }
t=$1
shift
build=${1:-$here/build/fuzz}
[ $# -ge 1 ] && shift
exe="$build/tests/fuzz/fuzz_$t"
[ -x "$exe" ] || { echo "run.sh: $exe not built (run scripts/fuzz.sh first)" >&2; exit 2; }
scratch="$here/build/fuzz-corpus/$t"
mkdir -p "$scratch" "$here/build/fuzz-artifacts"
exec "$exe" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
    -artifact_prefix="$here/build/fuzz-artifacts/" "$@" \
    "$scratch" "$here/tests/fuzz/corpus/$t"
