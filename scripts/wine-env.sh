#!/usr/bin/env bash
# Run cross-built secip programs under Wine without the CTest pipe trap.
#
#   scripts/wine-env.sh start          start a persistent wineserver and boot
#                                      the prefix (creates it, ~12 s, once)
#   scripts/wine-env.sh stop           stop the prefix's wineserver
#   scripts/wine-env.sh run PROG ARGS  run a Windows program in the prefix
#   scripts/wine-env.sh env            print the variables (for eval)
#
# Why "start" matters: when a Wine launch itself starts the wineserver,
# Wine's background processes inherit the caller's stdout/stderr.  Under
# CTest that pipe then never closes, so every test waits 3-4 s or, with a
# persistent server, forever.  "start" launches the server and boots the
# prefix with all I/O detached, so later launches only connect to it.
# The CTest fixture test `wine_start` (cmake/SecipWine.cmake) and
# scripts/test.sh both call it.
#
# Environment: SECIP_WINE_PREFIX (default <repo>/build/wine-prefix),
# SECIP_WINE64 and SECIP_WINESERVER (default: found under /usr/lib/wine and
# friends, then on PATH).
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

die() {
  printf 'wine-env: error: %s\n' "$*" >&2
  exit 1
}

find_wine_tool() {
  local name dir
  for name in "$@"; do
    for dir in /usr/lib/wine /usr/lib64/wine /usr/lib/x86_64-linux-gnu/wine \
      /opt/wine-stable/bin /opt/wine-devel/bin /opt/wine-staging/bin; do
      if [ -x "$dir/$name" ]; then
        printf '%s\n' "$dir/$name"
        return 0
      fi
    done
    if command -v "$name" >/dev/null 2>&1; then
      command -v "$name"
      return 0
    fi
  done
  return 1
}

WINE64=${SECIP_WINE64:-$(find_wine_tool wine64 wine || true)}
[ -n "$WINE64" ] || die "wine64 not found; run scripts/install-deps.sh --windows"
if [ -z "${SECIP_WINESERVER:-}" ]; then
  # Prefer the wineserver installed beside the loader.
  dir=$(dirname "$WINE64")
  if [ -x "$dir/wineserver64" ]; then
    SECIP_WINESERVER=$dir/wineserver64
  elif [ -x "$dir/wineserver" ]; then
    SECIP_WINESERVER=$dir/wineserver
  else
    SECIP_WINESERVER=$(find_wine_tool wineserver64 wineserver || true)
  fi
fi
WINESERVER=$SECIP_WINESERVER
[ -n "$WINESERVER" ] || die "wineserver not found; run scripts/install-deps.sh --windows"

export WINEPREFIX=${SECIP_WINE_PREFIX:-$REPO/build/wine-prefix}
export WINEDEBUG=-all
export WINEDLLOVERRIDES='mscoree,mshtml='
unset DISPLAY WAYLAND_DISPLAY

start() {
  # The directory must exist before the server starts: a wineserver started
  # for a missing prefix exits at once, and the boot below would then start a
  # short-lived one itself.
  mkdir -p "$WINEPREFIX"
  # Serialise: two starts racing on a fresh prefix would both create it.
  exec 8>"$WINEPREFIX.lock"
  flock 8
  local t0=$SECONDS
  # With a wineserver already running for this prefix this fails (rc 2) and
  # changes nothing.
  # 8>&-: the server and Wine's services outlive this script and must not
  # hold the lock (or any pipe) open.
  "$WINESERVER" -p </dev/null >/dev/null 2>&1 8>&- || true
  if ! "$WINE64" cmd /c exit </dev/null >/dev/null 2>&1 8>&-; then
    die "wine could not boot the prefix $WINEPREFIX (rerun with WINEDEBUG unset to see why)"
  fi
  printf 'wine-env: wineserver running for %s (%ds)\n' "$WINEPREFIX" $((SECONDS - t0))
}

stop() {
  [ -d "$WINEPREFIX" ] || return 0
  # Fails when no server is running, which is fine.
  "$WINESERVER" -k </dev/null >/dev/null 2>&1 || true
}

case ${1:-} in
  start) start ;;
  stop) stop ;;
  run)
    shift
    [ $# -gt 0 ] || die "usage: $0 run PROGRAM [ARGS...]"
    exec "$WINE64" "$@"
    ;;
  env)
    printf 'export WINEPREFIX=%q WINEDEBUG=%q WINEDLLOVERRIDES=%q SECIP_WINE64=%q SECIP_WINESERVER=%q\n' \
      "$WINEPREFIX" "$WINEDEBUG" "$WINEDLLOVERRIDES" "$WINE64" "$WINESERVER"
    ;;
  *) die "usage: $0 start|stop|run PROGRAM [ARGS...]|env" ;;
esac
