#!/usr/bin/env bash
# Install a native secip build into a temporary prefix, as
# `cmake --install <build> --prefix /usr/local` would, and build consumers
# against it:
#   - pkg-config: cc app.c $(pkg-config --cflags --libs secip), and the
#     static library through secip-static.pc (--static);
#   - CMake: find_package(secip) with secip::secip and secip::secip_static.
# Every consumer must run and print "consumer: ok".  Needs no root.
#
#   tests/install/test-prefix.sh [BUILD_DIR]   (default build/h9-prefix,
#                                               configured and built here)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

BUILD=${1:-$REPO/build/h9-prefix}
if [ ! -f "$BUILD/CMakeCache.txt" ]; then
  run "configure $BUILD" cmake -S "$REPO" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release \
    -DBUILD_TESTING=OFF -DSECIP_BUILD_BENCH=OFF -DSECIP_BUILD_SAMPLES=OFF
fi
run "build $BUILD" cmake --build "$BUILD" -j "$(nproc)"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/secip-prefix-test.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
PREFIX=$WORK/prefix
run "cmake --install --prefix $PREFIX" cmake --install "$BUILD" --prefix "$PREFIX"

PCDIR=$(dirname "$(find "$PREFIX" -name secip.pc | head -n 1)")
[ -f "$PCDIR/secip.pc" ] || die "no secip.pc installed under $PREFIX"
export PKG_CONFIG_PATH=$PCDIR
flags=$(pkg-config --cflags --libs secip) || die "pkg-config --cflags --libs secip failed"
log "pkg-config --cflags --libs secip: $flags"
case $flags in *"-I$PREFIX/include"*) ;; *) die "cflags do not point into $PREFIX" ;; esac
LIBDIR=$(pkg-config --variable=libdir secip)
[ -e "$LIBDIR/libsecip.so" ] || die "libdir $LIBDIR has no libsecip.so"

# shellcheck disable=SC2046 # word splitting of pkg-config output is intended
run "cc app.c \$(pkg-config --cflags --libs secip)" \
  cc -std=c11 -Wall -Wextra -Werror -o "$WORK/app_pc" "$CONSUMER_SRC/app.c" $(pkg-config --cflags --libs secip)
expect_consumer_ok "run pkg-config consumer (shared)" env LD_LIBRARY_PATH="$LIBDIR" "$WORK/app_pc"
# shellcheck disable=SC2046
run "cc app.c \$(pkg-config --static --cflags --libs secip-static)" \
  cc -std=c11 -Wall -Wextra -Werror -o "$WORK/app_pc_static" "$CONSUMER_SRC/app.c" $(pkg-config --static --cflags --libs secip-static)
if ldd "$WORK/app_pc_static" | grep -q libsecip; then die "static consumer still needs libsecip.so"; fi
expect_consumer_ok "run pkg-config consumer (static)" "$WORK/app_pc_static"

run "cmake consumer: configure" cmake -S "$CONSUMER_SRC" -B "$WORK/cmake-consumer" \
  -DCMAKE_PREFIX_PATH="$PREFIX" -DCMAKE_BUILD_TYPE=Release
run "cmake consumer: build" cmake --build "$WORK/cmake-consumer"
# The installed library carries no RUNPATH; CMake's build-tree RPATH points
# into the prefix, so the shared consumer runs as is.
expect_consumer_ok "run CMake consumer (secip::secip)" "$WORK/cmake-consumer/consumer_shared"
expect_consumer_ok "run CMake consumer (secip::secip_static)" "$WORK/cmake-consumer/consumer_static"
# The installed samples build on their own against the installed SDK.
run "installed samples: configure" cmake -S "$PREFIX/share/secip/samples" \
  -B "$WORK/samples" -DCMAKE_PREFIX_PATH="$PREFIX" -DCMAKE_BUILD_TYPE=Release
run "installed samples: build" cmake --build "$WORK/samples"
for prog in echo/echo_server echo/echo_client file_transfer/file_transfer; do
  [ -x "$WORK/samples/$prog" ] || die "installed samples: $prog was not built"
done
if [ -d "$PREFIX/bin" ] && [ -x "$PREFIX/bin/secip" ]; then
  run "installed secip program runs" "$PREFIX/bin/secip" --help
fi
log "PASS"
