#!/usr/bin/env bash
# Build the secip packages into build/package/:
#
#   Linux    libsecip0_<v>-1_amd64.deb, libsecip-dev_<v>-1_amd64.deb,
#            secip_<v>-1_amd64.deb          (workflow preset package-linux)
#   Windows  secip-<v>-win64.exe (NSIS), secip-<v>-win64.msi (wixl)
#                                           (workflow preset package-windows)
#
#   scripts/package.sh [linux|windows|all]      (default: all)
#
# The Windows packages are cross-built with mingw-w64 against the
# dependency prefix build/deps-mingw, which scripts/build-windows-deps.sh
# makes (or finds up to date).  The .deb files are checked with lintian
# when it is installed (errors fail the run).  What each package contains:
# installer/README.md.  Tests of the results: tests/install/.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OUT=$REPO/build/package
WHAT=${1:-all}

log() { printf 'package.sh: %s\n' "$*"; }
die() {
  printf 'package.sh: error: %s\n' "$*" >&2
  exit 1
}
need() {
  local tool=$1 hint=$2
  command -v "$tool" >/dev/null 2>&1 || die "'$tool' not found: $hint"
}

case $WHAT in linux | windows | all) ;; *) die "usage: $0 [linux|windows|all]" ;; esac
need cmake "apt-get install cmake"
cd "$REPO"
mkdir -p "$OUT"

package_linux() {
  need dpkg-deb "apt-get install dpkg-dev"
  need dpkg-shlibdeps "apt-get install dpkg-dev"
  rm -f "$OUT"/libsecip0_*.deb "$OUT"/libsecip-dev_*.deb "$OUT"/secip_*.deb
  log "workflow package-linux"
  cmake --workflow --preset package-linux
  local debs
  debs=$(find "$OUT" -maxdepth 1 -name '*.deb' | sort)
  [ "$(printf '%s\n' "$debs" | grep -c .)" -eq 3 ] || die "expected 3 .deb files in $OUT"
  if command -v lintian >/dev/null 2>&1; then
    local lint
    # shellcheck disable=SC2086 # one argument per package file
    lint=$(lintian $debs 2>&1 | grep -v '^running with root' || true)
    [ -z "$lint" ] || printf '%s\n' "$lint"
    if printf '%s\n' "$lint" | grep -q '^E:'; then die "lintian reports errors"; fi
    log "lintian: no errors"
  else
    log "lintian not installed; skipping the check (apt-get install lintian)"
  fi
}

package_windows() {
  need x86_64-w64-mingw32-gcc "scripts/install-deps.sh --windows"
  need makensis "apt-get install nsis"
  need wixl "apt-get install wixl"
  scripts/build-windows-deps.sh
  rm -f "$OUT"/secip-*-win64.exe "$OUT"/secip-*-win64.msi "$OUT"/secip-*-win64.json
  log "workflow package-windows"
  cmake --workflow --preset package-windows
  # The External generator's metadata file is not a deliverable.
  rm -f "$OUT"/secip-*-win64.json
  [ -n "$(find "$OUT" -maxdepth 1 -name 'secip-*-win64.exe')" ] || die "no NSIS installer in $OUT"
  [ -n "$(find "$OUT" -maxdepth 1 -name 'secip-*-win64.msi')" ] || die "no MSI in $OUT"
}

[ "$WHAT" = windows ] || package_linux
[ "$WHAT" = linux ] || package_windows
rm -rf "$OUT/_CPack_Packages"
log "packages in ${OUT#"$REPO"/}:"
find "$OUT" -maxdepth 1 -type f \( -name '*.deb' -o -name '*.exe' -o -name '*.msi' \) -printf '  %f  %s bytes\n' | sort
