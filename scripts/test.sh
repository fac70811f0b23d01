#!/usr/bin/env bash
# THE test command for secip: every configuration CI checks, in order,
# stopping at the first failure.
#
#   1. test-linux    Debug build with ASan + UBSan, all tests
#   2. windows-deps  BearSSL + json-c for Windows (cached in build/deps-mingw)
#   3. test-windows  mingw-w64 cross build, all tests under Wine
#   4. tsan          ThreadSanitizer build and tests
#   5. memcheck      the suite under valgrind memcheck (scripts/memcheck.sh)
#   6. fuzz          every libFuzzer target, 10 s each from its corpus
#                    (scripts/fuzz.sh, fixed seed so a failure reproduces;
#                    any crash, leak or timeout fails)
#   7. bench-smoke   every benchmark and peer, tiny sizes, one round
#                    (keeps them building and running; asserts no speed)
#   7b. volume       the file-transfer volume tests (ctest -L volume: 2 GiB
#                    disk to disk, 1 GiB beside small messages) in the
#                    bench stage's Release build, where, unsanitized, their
#                    peak-RSS bound is asserted
#   8. package       .deb, NSIS and MSI packages (scripts/package.sh)
#   9. install       install each package, build consumers against it,
#                    uninstall (tests/install/run.sh)
#
# Stages 1, 3 and 4 are CMake workflow presets (CMakePresets.json) and the
# others are scripts, so any one can be rerun by hand on its own.  Each
# stage's output is also kept in build/test-logs/<stage>.log.  Exits
# non-zero when a stage fails.  Environment: SECIP_WINE_PREFIX overrides the Wine prefix
# (default build/wine-prefix, shared by all cross build trees).
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$REPO"

LOGS=$REPO/build/test-logs
mkdir -p "$LOGS"
T_START=$SECONDS
SUMMARY=()
CURRENT=""
WINE_STARTED=0

say() { printf '\n==== test.sh: %s\n' "$*"; }

finish() {
  local rc=$?
  if [ "$WINE_STARTED" -eq 1 ]; then
    scripts/wine-env.sh stop || true
  fi
  printf '\n==== test.sh summary\n'
  local line
  for line in "${SUMMARY[@]}"; do printf '  %s\n' "$line"; done
  if [ "$rc" -eq 0 ]; then
    printf '==== test.sh: ALL STAGES PASSED in %ds\n' $((SECONDS - T_START))
  else
    printf '==== test.sh: FAILED in stage %s (exit %d) after %ds; log: %s\n' \
      "${CURRENT:-?}" "$rc" $((SECONDS - T_START)) "$LOGS/${CURRENT:-?}.log"
  fi
  exit "$rc"
}
trap finish EXIT

# stage NAME COMMAND...: run one stage, record its time.
stage() {
  local name=$1
  shift
  CURRENT=$name
  say "stage $name: $*"
  local t0=$SECONDS log=$LOGS/$name.log
  # pipefail: the stage's own exit status survives the tee.
  "$@" 2>&1 | tee "$log"
  local ctest_line
  ctest_line=$(grep -E '^[0-9]+% tests passed' "$log" | tail -n 1 || true)
  SUMMARY+=("$(printf '%-13s passed  %4ds  %s' "$name" $((SECONDS - t0)) "$ctest_line")")
  CURRENT=""
}

# gcc 12's ASan and TSan runtimes cannot map their shadow memory when the
# kernel uses more ASLR entropy than they expect (vm.mmap_rnd_bits > 28 on
# recent kernels); the sanitizer stages then run without ASLR.
no_aslr=()
rnd_bits=$(cat /proc/sys/vm/mmap_rnd_bits 2>/dev/null || echo 28)
if [ "$rnd_bits" -gt 28 ] && setarch "$(uname -m)" -R true >/dev/null 2>&1; then
  no_aslr=(setarch "$(uname -m)" -R)
  say "vm.mmap_rnd_bits=$rnd_bits: sanitizer stages run without ASLR"
fi


stage test-linux "${no_aslr[@]}" cmake --workflow --preset test-linux
stage windows-deps scripts/build-windows-deps.sh
# Start Wine before CTest with detached I/O (see scripts/wine-env.sh); the
# test-windows CTest fixture does the same, this only takes the prefix
# creation out of the test timings.
# (Set before the stage: stages run in a pipeline, i.e. a subshell.)
WINE_STARTED=1
stage wine-start scripts/wine-env.sh start
stage test-windows cmake --workflow --preset test-windows
stage tsan "${no_aslr[@]}" cmake --workflow --preset tsan
stage memcheck scripts/memcheck.sh
stage fuzz scripts/fuzz.sh --seconds 10 --seed 20261126
stage bench-smoke bench/run.sh --smoke
# The Release tree of bench/run.sh, with its tests enabled.
volume_tests() {
  local b=$REPO/build/bench
  cmake -S "$REPO" -B "$b" -DCMAKE_BUILD_TYPE=Release -DSECIP_BUILD_TESTS=ON \
    >/dev/null
  cmake --build "$b" -j 2 --target test_files_volume_2g test_files_hol
  ctest --test-dir "$b" -L volume --output-on-failure
}
stage volume volume_tests
stage package scripts/package.sh
stage install tests/install/run.sh
