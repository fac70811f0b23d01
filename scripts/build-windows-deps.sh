#!/usr/bin/env bash
# Cross-build the Windows (x86_64, mingw-w64) static libraries secip needs,
# BearSSL and json-c, from Debian's source packages.
#
#   scripts/build-windows-deps.sh [PREFIX]      (default: <repo>/build/deps-mingw)
#
# The result is PREFIX/{include,lib} plus json-c's CMake package, which
# cmake/toolchain-mingw64.cmake finds through SECIP_WINDOWS_DEPS.  A stamp
# file marks a complete prefix; a second run with the same recipe and
# compiler returns at once without touching the network.  Sources are
# fetched with `apt-get source` into build/deps-work/ (never into the git
# tree); a deb-src entry mirroring the configured Debian/Ubuntu archive is
# added when apt has none.  Needs: mingw-w64 gcc, cmake, dpkg-dev, flock
# (scripts/install-deps.sh --windows installs them).
set -euo pipefail

# Bump when the way the libraries are built changes, to force a rebuild.
readonly RECIPE=1
readonly TRIPLET=x86_64-w64-mingw32
readonly PACKAGES=(bearssl json-c)

log() { printf 'build-windows-deps: %s\n' "$*"; }
die() {
  printf 'build-windows-deps: error: %s\n' "$*" >&2
  exit 1
}
as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PREFIX=${1:-$REPO/build/deps-mingw}
case $PREFIX in /*) ;; *) PREFIX=$PWD/$PREFIX ;; esac
PREFIX=${PREFIX%/}
[ -n "$PREFIX" ] || die "refusing to use / as the prefix"
JOBS=$(nproc 2>/dev/null || echo 2)
CC=$TRIPLET-gcc
AR=$TRIPLET-ar
STAMP=$PREFIX/.secip-deps-stamp
# One work directory per prefix, so different prefixes can build at once.
WORK=$REPO/build/deps-work/$(basename "$PREFIX")-$(printf '%s' "$PREFIX" | cksum | cut -d' ' -f1)

for tool in "$CC" "$AR" cmake apt-get apt-cache dpkg-source flock cksum; do
  command -v "$tool" >/dev/null 2>&1 ||
    die "'$tool' not found; run scripts/install-deps.sh --windows first"
done

# The stamp's first lines identify what a complete prefix was built with.
stamp_key() {
  printf 'recipe=%s\ncc=%s\n' "$RECIPE" "$("$CC" -dumpfullversion 2>/dev/null || "$CC" -dumpversion)"
}

prefix_complete() {
  [ -f "$STAMP" ] &&
    [ "$(head -n 2 "$STAMP")" = "$(stamp_key)" ] &&
    [ -f "$PREFIX/include/bearssl.h" ] &&
    [ -f "$PREFIX/lib/libbearssl.a" ] &&
    [ -f "$PREFIX/include/json-c/json.h" ] &&
    [ -f "$PREFIX/lib/libjson-c.a" ] &&
    [ -f "$PREFIX/lib/cmake/json-c/json-c-config.cmake" ]
}

if prefix_complete; then
  log "up to date: $PREFIX ($(tail -n +3 "$STAMP" | tr '\n' ' '))"
  exit 0
fi

mkdir -p "$WORK"
exec 9>"$WORK.lock"
flock 9 # another run for the same prefix may be building it right now
if prefix_complete; then
  log "up to date: $PREFIX (built by a concurrent run)"
  exit 0
fi
if [ -e "$PREFIX" ] && [ ! -f "$STAMP" ] && [ -n "$(ls -A "$PREFIX" 2>/dev/null)" ]; then
  die "$PREFIX exists, is not empty and was not made by this script; remove it or pick another prefix"
fi

# ---- sources -------------------------------------------------------------

have_source_index() {
  apt-cache showsrc "${PACKAGES[0]}" 2>/dev/null | grep -q "^Package: ${PACKAGES[0]}\$"
}

deb_src_configured() {
  grep -Eqs '^[[:space:]]*deb-src[[:space:]]' /etc/apt/sources.list /etc/apt/sources.list.d/*.list ||
    grep -Eqis '^Types:.*deb-src' /etc/apt/sources.list.d/*.sources
}

# Mirror every enabled Debian/Ubuntu archive entry as deb-src, in the same
# format it is written in (deb822 .sources or one-line .list).
add_deb_src() {
  local sources list
  sources=$(awk 'BEGIN { RS = ""; FS = "\n" }
    {
      types = ""; uris = ""; enabled = 1; out = ""
      for (i = 1; i <= NF; i++) {
        line = $i
        if (line ~ /^[[:space:]]*#/) continue
        if (tolower(line) ~ /^types:/) { types = line; continue }
        if (tolower(line) ~ /^uris:/) uris = line
        if (tolower(line) ~ /^enabled:[[:space:]]*no/) enabled = 0
        out = out line "\n"
      }
      if (enabled && types ~ /[[:space:]]deb([[:space:]]|$)/ && uris ~ /(debian|ubuntu)/)
        printf "Types: deb-src\n%s\n", out
    }' /dev/null /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
  list=$(sed -nE 's/^[[:space:]]*deb[[:space:]]+(.*(debian|ubuntu).*)$/deb-src \1/p' \
    /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null || true)
  [ -n "$sources$list" ] ||
    die "apt has no deb-src entry and no Debian/Ubuntu archive entry to mirror; add a deb-src line for your release"
  if [ -n "$sources" ]; then
    log "adding /etc/apt/sources.list.d/secip-deb-src.sources"
    printf '# Added by secip scripts/build-windows-deps.sh (apt-get source).\n%s\n' "$sources" |
      as_root tee /etc/apt/sources.list.d/secip-deb-src.sources >/dev/null
  fi
  if [ -n "$list" ]; then
    log "adding /etc/apt/sources.list.d/secip-deb-src.list"
    printf '# Added by secip scripts/build-windows-deps.sh (apt-get source).\n%s\n' "$list" |
      as_root tee /etc/apt/sources.list.d/secip-deb-src.list >/dev/null
  fi
}

if ! have_source_index; then
  deb_src_configured || add_deb_src
  log "apt-get update (source indexes)"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq ||
    die "apt-get update failed"
  have_source_index ||
    die "apt still knows no source package '${PACKAGES[0]}' after adding deb-src; check /etc/apt/sources.list.d"
fi

rm -rf "$WORK"
mkdir -p "$WORK/src"
log "fetching sources of ${PACKAGES[*]} into $WORK/src"
# As root, apt's _apt sandbox user cannot write into the work directory.
sandbox=()
[ "$(id -u)" -ne 0 ] || sandbox=(-o APT::Sandbox::User=root)
(cd "$WORK/src" && apt-get source "${sandbox[@]}" --download-only -qq "${PACKAGES[@]}") ||
  die "apt-get source --download-only ${PACKAGES[*]} failed"

declare -A VERSION
for pkg in "${PACKAGES[@]}"; do
  dsc=$(find "$WORK/src" -maxdepth 1 -name "${pkg}_*.dsc" | sort | tail -n 1)
  [ -n "$dsc" ] || die "no .dsc for $pkg was downloaded"
  VERSION[$pkg]=$(sed -n 's/^Version: //p' "$dsc" | head -n 1)
  dpkg-source -x "$dsc" "$WORK/src/$pkg" >"$WORK/$pkg-unpack.log" 2>&1 ||
    die "dpkg-source -x $dsc failed; see $WORK/$pkg-unpack.log"
done

# Everything is installed under STAGE first and moved into PREFIX only when
# complete, so PREFIX never holds a half-built set.
STAGE=$WORK/stage
STAGE_PREFIX=$STAGE$PREFIX
mkdir -p "$STAGE_PREFIX/include" "$STAGE_PREFIX/lib"

# ---- json-c: its own CMake build -----------------------------------------

log "building json-c ${VERSION[json-c]}"
if ! {
  cmake -S "$WORK/src/json-c" -B "$WORK/json-c-build" \
    -Wno-dev -DCMAKE_TOOLCHAIN_FILE="$REPO/cmake/toolchain-mingw64.cmake" \
    -DSECIP_WINDOWS_DEPS="$STAGE_PREFIX" \
    -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_INSTALL_PREFIX="$PREFIX" \
    -DBUILD_SHARED_LIBS=OFF -DBUILD_STATIC_LIBS=ON -DBUILD_TESTING=OFF \
    -DBUILD_APPS=OFF -DDISABLE_WERROR=ON -DDISABLE_EXTRA_LIBS=ON &&
    cmake --build "$WORK/json-c-build" -j "$JOBS" &&
    DESTDIR=$STAGE cmake --install "$WORK/json-c-build"
} >"$WORK/json-c-build.log" 2>&1; then
  tail -n 40 "$WORK/json-c-build.log" >&2
  die "json-c build failed; full log: $WORK/json-c-build.log"
fi

# ---- BearSSL: no build system we can reuse; compile src/**/*.c -----------

# -DBR_RDRAND=0: otherwise br_prng_seeder_system() picks RDRAND whenever the
# CPU has it and never uses the Windows system RNG.
log "building BearSSL ${VERSION[bearssl]}"
BSSL=$WORK/src/bearssl
OBJ=$WORK/bearssl-obj
mkdir -p "$OBJ"
# shellcheck disable=SC2016 # the sh -c script expands its own arguments
if ! (cd "$BSSL" && find src -name '*.c' -print0 | sort -z |
  xargs -0 -P "$JOBS" -I{} sh -c \
    'mkdir -p "$0/$(dirname "$1")" && exec "$2" -O2 -DBR_RDRAND=0 -Iinc -Isrc -c "$1" -o "$0/${1%.c}.o"' \
    "$OBJ" {} "$CC") >"$WORK/bearssl-build.log" 2>&1; then
  tail -n 40 "$WORK/bearssl-build.log" >&2
  die "BearSSL build failed; full log: $WORK/bearssl-build.log"
fi
nobj=$(find "$OBJ" -name '*.o' | wc -l)
[ "$nobj" -gt 100 ] || die "BearSSL: only $nobj objects were built; the source layout is unexpected"
(cd "$OBJ" && find . -name '*.o' | sort | xargs "$AR" rcs "$STAGE_PREFIX/lib/libbearssl.a") ||
  die "BearSSL: $AR failed"
cp "$BSSL"/inc/*.h "$STAGE_PREFIX/include/"

for pkg in "${PACKAGES[@]}"; do
  mkdir -p "$STAGE_PREFIX/share/doc/$pkg"
  for f in LICENSE.txt COPYING debian/copyright; do
    [ -f "$WORK/src/$pkg/$f" ] && cp "$WORK/src/$pkg/$f" "$STAGE_PREFIX/share/doc/$pkg/"
  done
done

# ---- install -------------------------------------------------------------

if [ -e "$PREFIX" ]; then
  rm -rf "$PREFIX" # only reached for an empty prefix or one made by us
fi
mkdir -p "$(dirname "$PREFIX")"
mv "$STAGE_PREFIX" "$PREFIX"
{
  stamp_key
  for pkg in "${PACKAGES[@]}"; do printf '%s=%s\n' "$pkg" "${VERSION[$pkg]}"; done
} >"$STAMP"
prefix_complete || die "internal error: $PREFIX is incomplete after the build"
rm -rf "$STAGE"
log "done: $PREFIX (bearssl ${VERSION[bearssl]}, json-c ${VERSION[json-c]})"
