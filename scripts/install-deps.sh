#!/usr/bin/env bash
# Install the packages needed to build and test secip (Debian 12, Ubuntu
# 22.04 and later).
#
#   scripts/install-deps.sh            Linux build, tests, sanitizers, fuzzing,
#                                      API reference (doxygen), packaging
#                                      checks (lintian), benchmark peers
#                                      (OpenSSL, ZeroMQ) and charts (gnuplot)
#   scripts/install-deps.sh --windows  + mingw-w64 cross compiler, Wine, NSIS,
#                                      wixl (MSI) and dpkg-dev (apt-get source)
#
# Idempotent: packages already installed are skipped, and apt-get runs
# (update once, then install) only when something is missing.  Uses sudo
# only when not root.  Never prompts.
set -euo pipefail

log() { printf 'install-deps: %s\n' "$*"; }
die() {
  printf 'install-deps: error: %s\n' "$*" >&2
  exit 1
}

windows=0
for arg in "$@"; do
  case $arg in
    --windows) windows=1 ;;
    -h | --help)
      awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"
      exit 0
      ;;
    *) die "unknown argument '$arg' (usage: $0 [--windows])" ;;
  esac
done

command -v apt-get >/dev/null 2>&1 || die "apt-get not found: this script supports Debian and Ubuntu only"

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || die "not root and sudo is not installed"
  SUDO=(sudo)
fi

packages=(
  build-essential cmake ninja-build pkg-config
  libbearssl-dev libjson-c-dev
  openssl clang libclang-rt-14-dev valgrind
  doxygen lintian
  libssl-dev libzmq3-dev gnuplot-nox
)
if [ "$windows" -eq 1 ]; then
  packages+=(gcc-mingw-w64-x86-64 wine64 nsis wixl dpkg-dev)
fi

installed() {
  [ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null)" = installed ]
}

missing=()
for pkg in "${packages[@]}"; do
  installed "$pkg" || missing+=("$pkg")
done

if [ "${#missing[@]}" -eq 0 ]; then
  log "all ${#packages[@]} packages already installed"
  exit 0
fi

log "installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq ||
  die "apt-get update failed"
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
  -o Dpkg::Options::=--force-confdef \
  -o Dpkg::Options::=--force-confold "${missing[@]}" ||
  die "apt-get install failed for: ${missing[*]}"

still=()
for pkg in "${missing[@]}"; do
  installed "$pkg" || still+=("$pkg")
done
[ "${#still[@]}" -eq 0 ] || die "still not installed after apt-get: ${still[*]}"
log "done"
