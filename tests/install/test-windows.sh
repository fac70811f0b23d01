#!/usr/bin/env bash
# Test the Windows packages under Wine:
#   NSIS  silent install (/S /D=) into a chosen directory; files, uninstall
#         registration and Start-menu shortcut present; the installed
#         secip.exe runs; a consumer configured with the mingw toolchain
#         against the installed directory (find_package(secip): shared and
#         static; and pkg-config) builds and runs under Wine; Uninstall.exe /S
#         leaves the directory empty and unregisters; a silent install without
#         /D= lands in C:\Program Files\secip.
#   MSI   msiexec /i ... /qn installs (INSTALLDIR=...), secip.exe runs,
#         msiexec /x ... /qn removes every file.
#
#   tests/install/test-windows.sh [PACKAGE_DIR]     (default build/package)
#
# Environment: SECIP_WINE_PREFIX (default build/install-test-wineprefix;
# created on first use, ~12 s), SECIP_WINDOWS_DEPS (default
# build/deps-mingw, from scripts/build-windows-deps.sh).
#
# The shared-library consumer also completes a verified (pinned) secure
# session against the installed secip.exe serve, both under Wine.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

PKG_DIR=${1:-$REPO/build/package}
export SECIP_WINE_PREFIX=${SECIP_WINE_PREFIX:-$REPO/build/install-test-wineprefix}
DEPS=${SECIP_WINDOWS_DEPS:-$REPO/build/deps-mingw}
SETUP=$(find "$PKG_DIR" -maxdepth 1 -name 'secip-*-win64.exe' | sort | tail -n 1)
MSI=$(find "$PKG_DIR" -maxdepth 1 -name 'secip-*-win64.msi' | sort | tail -n 1)
[ -n "$SETUP" ] || die "no secip-*-win64.exe in $PKG_DIR"
[ -n "$MSI" ] || die "no secip-*-win64.msi in $PKG_DIR"
command -v x86_64-w64-mingw32-gcc >/dev/null || die "x86_64-w64-mingw32-gcc not found"

eval "$("$REPO/scripts/wine-env.sh" env)"
WINE=$SECIP_WINE64
run "wine prefix $WINEPREFIX up" "$REPO/scripts/wine-env.sh" start
DRIVE_C=$WINEPREFIX/drive_c

WORK=$(mktemp -d "${TMPDIR:-/tmp}/secip-win-test.XXXXXX")
# Stop the prefix's wineserver at the end: nothing of the test lingers.
trap 'rm -rf "$WORK"; "$REPO/scripts/wine-env.sh" stop' EXIT

# wine PROGRAM ARGS...: run a Windows program with detached stdin (Wine's
# helpers must not hold our pipes).
wine() { "$WINE" "$@" </dev/null; }

# wait_gone DIR SECONDS: wait until DIR is absent or empty.
wait_gone() {
  local dir=$1 i
  for ((i = 0; i < $2 * 5; i++)); do
    if [ ! -d "$dir" ] || [ -z "$(ls -A "$dir")" ]; then return 0; fi
    sleep 0.2
  done
  return 1
}

reg_has_uninstall_key() {
  wine reg query 'HKLM\Software\Microsoft\Windows\CurrentVersion\Uninstall\secip' >/dev/null 2>&1
}

# ---- NSIS -------------------------------------------------------------------

DEST_WIN='C:\secip-test'
DEST=$DRIVE_C/secip-test
rm -rf "$DEST" "$DRIVE_C/Program Files/secip"
if reg_has_uninstall_key; then die "an earlier secip install is registered in $WINEPREFIX"; fi

# /D= must be the last argument.
run "NSIS silent install into $DEST_WIN" wine "$SETUP" /S "/D=$DEST_WIN"
for f in bin/libsecip.dll bin/secip.exe lib/libsecip.dll.a lib/libsecip_static.a \
  include/secip/secip.h lib/cmake/secip/secipConfig.cmake lib/pkgconfig/secip.pc \
  share/doc/secip/README.md share/doc/secip/LICENSE Uninstall.exe; do
  [ -f "$DEST/$f" ] || die "installed tree lacks $f"
done
log "ok: installed files present"
reg_has_uninstall_key || die "no Uninstall\\secip registry key after install"
log "ok: uninstaller registered (HKLM\\...\\Uninstall\\secip)"
lnk=$(find "$DRIVE_C" -path '*Start Menu/Programs/*' -name 'secip README.lnk' | head -n 1)
[ -n "$lnk" ] || die "no Start-menu shortcut 'secip README'"
log "ok: Start-menu shortcut ${lnk#"$DRIVE_C"/}"

run "installed secip.exe runs" wine "$DEST_WIN\\bin\\secip.exe" --help

TOOLCHAIN=$REPO/cmake/toolchain-mingw64.cmake
run "mingw consumer: configure against $DEST_WIN" \
  cmake -S "$CONSUMER_SRC" -B "$WORK/consumer" -DCMAKE_TOOLCHAIN_FILE="$TOOLCHAIN" \
  -DSECIP_WINDOWS_DEPS="$DEPS" -DSECIP_WINE_PREFIX="$WINEPREFIX" \
  -DCMAKE_BUILD_TYPE=Release -Dsecip_DIR="$DEST/lib/cmake/secip"
run "mingw consumer: build" cmake --build "$WORK/consumer"
[ -f "$WORK/consumer/libsecip.dll" ] || die "the secip DLL was not copied beside consumer_shared.exe"
expect_consumer_ok "consumer_shared.exe (secip::secip) under Wine" wine "$WORK/consumer/consumer_shared.exe"
expect_consumer_ok "consumer_static.exe (secip::secip_static) under Wine" wine "$WORK/consumer/consumer_static.exe"
# The installed samples build with the mingw toolchain against the SDK.
run "mingw samples: configure against $DEST_WIN" \
  cmake -S "$DEST/share/secip/samples" -B "$WORK/samples" \
  -DCMAKE_TOOLCHAIN_FILE="$TOOLCHAIN" -DSECIP_WINDOWS_DEPS="$DEPS" \
  -DSECIP_WINE_PREFIX="$WINEPREFIX" -DCMAKE_BUILD_TYPE=Release \
  -Dsecip_DIR="$DEST/lib/cmake/secip"
run "mingw samples: build" cmake --build "$WORK/samples"
for prog in echo/echo_server echo/echo_client file_transfer/file_transfer; do
  [ -f "$WORK/samples/$prog.exe" ] || die "mingw samples: $prog.exe was not built"
done
win_secip() { wine "$DEST_WIN\\bin\\secip.exe" "$@"; }
win_consumer() { wine "$WORK/consumer/consumer_shared.exe" "$@"; }
expect_session_ok "consumer_shared.exe session under Wine" win_secip win_consumer

# pkg-config against the installed tree (relocatable prefix).
pcflags=$(PKG_CONFIG_LIBDIR=$DEST/lib/pkgconfig pkg-config --cflags --libs secip) ||
  die "pkg-config secip (Windows tree) failed"
log "ok: pkg-config --cflags --libs secip (Windows tree): $pcflags"
mkdir -p "$WORK/pc"
# shellcheck disable=SC2086 # word splitting of pkg-config output is intended
run "x86_64-w64-mingw32-gcc app.c \$(pkg-config --cflags --libs secip)" \
  x86_64-w64-mingw32-gcc -std=c11 -Wall -Wextra -Werror -static-libgcc \
  -o "$WORK/pc/app.exe" "$CONSUMER_SRC/app.c" $pcflags
cp "$DEST/bin/libsecip.dll" "$WORK/pc/"
expect_consumer_ok "pkg-config consumer app.exe under Wine" wine "$WORK/pc/app.exe"
pcstatic=$(PKG_CONFIG_LIBDIR=$DEST/lib/pkgconfig pkg-config --static --cflags --libs secip-static)
# shellcheck disable=SC2086
run "x86_64-w64-mingw32-gcc app.c \$(pkg-config --static --cflags --libs secip-static)" \
  x86_64-w64-mingw32-gcc -std=c11 -Wall -Wextra -Werror -static-libgcc \
  -o "$WORK/pc/app_static.exe" "$CONSUMER_SRC/app.c" $pcstatic
expect_consumer_ok "static pkg-config consumer under Wine" wine "$WORK/pc/app_static.exe"

# Uninstall.exe /S copies itself to a temporary file and returns at once.
run "Uninstall.exe /S" wine "$DEST_WIN\\Uninstall.exe" /S
wait_gone "$DEST" 60 || die "uninstaller left files in $DEST: $(cd "$DEST" && find . -mindepth 1 | head)"
log "ok: uninstaller left $DEST_WIN empty"
for ((i = 0; i < 50; i++)); do reg_has_uninstall_key || break; sleep 0.2; done
if reg_has_uninstall_key; then die "Uninstall\\secip registry key still present"; fi
log "ok: uninstaller unregistered"

PF="$DRIVE_C/Program Files/secip"
run "NSIS silent install, default directory" wine "$SETUP" /S
[ -f "$PF/bin/libsecip.dll" ] || die "default install did not land in C:\\Program Files\\secip"
log "ok: default directory is C:\\Program Files\\secip"
run "Uninstall.exe /S (default directory)" wine 'C:\Program Files\secip\Uninstall.exe' /S
wait_gone "$PF" 60 || die "uninstaller left files in $PF"
rmdir "$DEST" "$PF" 2>/dev/null || true

# ---- MSI --------------------------------------------------------------------

# shellcheck disable=SC1003 # a Windows path ending in a backslash
MSI_WIN='C:\secip-msi\'
MSI_DEST=$DRIVE_C/secip-msi
rm -rf "$MSI_DEST"
cp "$MSI" "$DRIVE_C/secip-test.msi"
run "msiexec /i secip.msi /qn INSTALLDIR=$MSI_WIN" \
  wine msiexec /i 'C:\secip-test.msi' /qn "INSTALLDIR=$MSI_WIN"
for f in bin/libsecip.dll bin/secip.exe include/secip/secip.h lib/cmake/secip/secipConfig.cmake \
  share/doc/secip/README.md; do
  [ -f "$MSI_DEST/$f" ] || die "MSI install lacks $f"
done
log "ok: MSI installed files present"
run "MSI-installed secip.exe runs" wine 'C:\secip-msi\bin\secip.exe' --help
# Wine's msiexec does not remember a custom INSTALLDIR (Windows does): give
# it again, or /x looks for the files in the default directory.
run "msiexec /x secip.msi /qn" wine msiexec /x 'C:\secip-test.msi' /qn "INSTALLDIR=$MSI_WIN"
left=$(find "$MSI_DEST" -type f 2>/dev/null | head -n 5 || true)
[ -z "$left" ] || die "msiexec /x left files: $left"
log "ok: MSI uninstall removed every file"
rm -rf "$MSI_DEST" "$DRIVE_C/secip-test.msi"
log "PASS"
