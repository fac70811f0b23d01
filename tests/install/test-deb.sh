#!/usr/bin/env bash
# Install the secip Debian packages, build consumers against them, purge
# them and check that nothing of them is left.  Needs root and dpkg; the
# packages' dependencies (libbearssl-dev, libjson-c-dev, ...) must be
# installable (they are installed with apt-get when missing).
#
#   tests/install/test-deb.sh [DEB_DIR]     (default build/package)
#
# Checks: lintian reports no error (when lintian is installed); dpkg -i
# works; `pkg-config --cflags --libs secip` answers; a one-file consumer
# built with `cc app.c $(pkg-config --cflags --libs secip)` runs; a CMake
# consumer using find_package(secip) (shared and static) runs; the secip
# program runs; after `dpkg -P` no file or directory the packages listed
# (dpkg -L) outside the shared system directories remains.
#
# The pkg-config consumer also completes a verified (pinned) secure session
# against the installed `secip serve`.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

DEB_DIR=${1:-$REPO/build/package}
PKGS=(libsecip0 libsecip-dev secip)
[ "$(id -u)" -eq 0 ] || die "needs root (dpkg -i / dpkg -P)"
mapfile -t DEBS < <(find "$DEB_DIR" -maxdepth 1 -name '*.deb' \( -name 'libsecip0_*' -o -name 'libsecip-dev_*' -o -name 'secip_*' \) | sort)
[ "${#DEBS[@]}" -eq 3 ] || die "expected 3 secip .deb files in $DEB_DIR, found ${#DEBS[@]}"

if command -v lintian >/dev/null 2>&1; then
  lint=$(lintian "${DEBS[@]}" 2>&1 | grep -v '^running with root' || true)
  if printf '%s\n' "$lint" | grep -q '^E:'; then
    printf '%s\n' "$lint" >&2
    die "lintian reports errors"
  fi
  log "ok: lintian: no errors ($(printf '%s\n' "$lint" | grep -c '^W:' || true) warnings)"
else
  log "lintian not installed: skipped (apt-get install lintian)"
fi

for p in "${PKGS[@]}"; do
  if dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'installed'; then
    log "$p is installed from an earlier run: purging it first"
    dpkg -P "$p" >/dev/null
  fi
done

WORK=$(mktemp -d "${TMPDIR:-/tmp}/secip-deb-test.XXXXXX")
cleanup() {
  rm -rf "$WORK"
  # Leave the machine as we found it even when a check failed.
  dpkg -P "${PKGS[@]}" >/dev/null 2>&1 || true
}
trap cleanup EXIT

if ! dpkg -i "${DEBS[@]}" >"$WORK/dpkg-i.log" 2>&1; then
  # Missing dependencies: let apt bring them, then configure.
  log "dpkg -i needs dependencies; apt-get -f install"
  DEBIAN_FRONTEND=noninteractive apt-get -f install -y -q >>"$WORK/dpkg-i.log" 2>&1 ||
    { cat "$WORK/dpkg-i.log" >&2; die "dpkg -i ${DEBS[*]} failed"; }
fi
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}\n' "$p" | grep -q 'install ok installed' || die "$p is not installed"
done
log "ok: dpkg -i ${DEBS[*]##*/}"

# Everything the packages own, for the purge check.
dpkg -L "${PKGS[@]}" | sort -u >"$WORK/owned.txt"

flags=$(pkg-config --cflags --libs secip) || die "pkg-config --cflags --libs secip failed"
log "ok: pkg-config --cflags --libs secip: $flags"
pkg-config --modversion secip | grep -qx "$(dpkg-query -W -f='${Version}' libsecip-dev | sed 's/-[^-]*$//')" ||
  die "pkg-config version differs from the package version"

# shellcheck disable=SC2046 # word splitting of pkg-config output is intended
run "cc app.c \$(pkg-config --cflags --libs secip)" \
  cc -std=c11 -Wall -Wextra -Werror -o "$WORK/app" "$CONSUMER_SRC/app.c" $(pkg-config --cflags --libs secip)
ldd "$WORK/app" | grep -Eq 'libsecip.so.0 => /(usr/)?lib/' || die "consumer does not use the installed libsecip.so.0"
expect_consumer_ok "run pkg-config consumer" "$WORK/app"
expect_session_ok "pkg-config consumer session" secip "$WORK/app"

run "cmake consumer: configure (find_package(secip))" \
  cmake -S "$CONSUMER_SRC" -B "$WORK/cmake-consumer" -DCMAKE_BUILD_TYPE=Release
grep -q "secip_DIR:PATH=/usr/lib/.*/cmake/secip" "$WORK/cmake-consumer/CMakeCache.txt" ||
  die "find_package(secip) did not use the installed package"
run "cmake consumer: build" cmake --build "$WORK/cmake-consumer"
expect_consumer_ok "run CMake consumer (secip::secip)" "$WORK/cmake-consumer/consumer_shared"
expect_consumer_ok "run CMake consumer (secip::secip_static)" "$WORK/cmake-consumer/consumer_static"
run "secip program runs" secip --help

run "dpkg -P ${PKGS[*]}" dpkg -P "${PKGS[@]}"
left=()
while IFS= read -r path; do
  if [ -z "$path" ] || [ "$path" = "/." ]; then continue; fi
  if [ -e "$path" ] || [ -L "$path" ]; then
    # Directories shared with other packages (/usr/lib/x86_64-linux-gnu, ...)
    # stay; anything still owned by no package is a leftover of ours.
    if [ -d "$path" ] && [ ! -L "$path" ] && dpkg -S "$path" >/dev/null 2>&1; then
      continue
    fi
    left+=("$path")
  fi
done <"$WORK/owned.txt"
[ "${#left[@]}" -eq 0 ] || die "left behind after dpkg -P: ${left[*]}"
for p in "${PKGS[@]}"; do
  if dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'installed\|config-files'; then
    die "$p still known to dpkg after purge"
  fi
done
log "ok: dpkg -P left nothing behind ($(wc -l <"$WORK/owned.txt") paths checked)"
log "PASS"
