# Cross-compile secip for 64-bit Windows with mingw-w64 on Linux, and run
# the resulting .exe files (tests, samples) under Wine through CTest.
#
#   cmake -S . -B build/test-windows \
#         -DCMAKE_TOOLCHAIN_FILE=cmake/toolchain-mingw64.cmake
#
# Cache variables:
#   SECIP_WINDOWS_DEPS  prefix holding the cross-built BearSSL and json-c
#                       (scripts/build-windows-deps.sh); default
#                       <repo>/build/deps-mingw.
#   SECIP_WINE_PREFIX   Wine prefix the tests run in; default
#                       $ENV{SECIP_WINE_PREFIX} or <repo>/build/wine-prefix.
#                       Creating one costs ~12 s and ~700 MB, so every build
#                       tree shares it.
#   SECIP_WINE64        the wine64 loader (Debian keeps it off PATH, under
#                       /usr/lib/wine); empty disables running tests.
#   SECIP_WINESERVER    the matching wineserver.
#
# This file is read again for every try_compile; keep it free of side
# effects other than setting variables.

set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR x86_64)

set(SECIP_MINGW_TRIPLET x86_64-w64-mingw32)
set(CMAKE_C_COMPILER ${SECIP_MINGW_TRIPLET}-gcc)
set(CMAKE_CXX_COMPILER ${SECIP_MINGW_TRIPLET}-g++)
set(CMAKE_RC_COMPILER ${SECIP_MINGW_TRIPLET}-windres)

get_filename_component(_secip_repo "${CMAKE_CURRENT_LIST_DIR}/.." ABSOLUTE)

set(SECIP_WINDOWS_DEPS "${_secip_repo}/build/deps-mingw" CACHE PATH
  "Prefix with the Windows builds of BearSSL and json-c (scripts/build-windows-deps.sh)")
if(DEFINED ENV{SECIP_WINE_PREFIX} AND NOT "$ENV{SECIP_WINE_PREFIX}" STREQUAL "")
  set(_secip_wine_prefix "$ENV{SECIP_WINE_PREFIX}")
else()
  set(_secip_wine_prefix "${_secip_repo}/build/wine-prefix")
endif()
set(SECIP_WINE_PREFIX "${_secip_wine_prefix}" CACHE PATH
  "Wine prefix used to run the cross-built tests")
# try_compile projects get their own cache; hand them the same values.
list(APPEND CMAKE_TRY_COMPILE_PLATFORM_VARIABLES SECIP_WINDOWS_DEPS SECIP_WINE_PREFIX)

# Headers, libraries and CMake packages come only from the mingw sysroot and
# the dependency prefix, never from the Linux host.  Programs (wine, windres
# helpers, ...) are host programs, so they are never re-rooted.
set(CMAKE_FIND_ROOT_PATH "/usr/${SECIP_MINGW_TRIPLET}" "${SECIP_WINDOWS_DEPS}")
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# The Windows dependency prefix only has static archives.
set(BearSSL_USE_STATIC ON)

# Link libgcc statically so the .exe and .dll files import only system DLLs
# (KERNEL32, msvcrt, ADVAPI32, ws2_32, ...) and run under Wine or on a bare
# Windows without any mingw runtime DLL beside them.
set(CMAKE_EXE_LINKER_FLAGS_INIT "-static-libgcc")
set(CMAKE_SHARED_LINKER_FLAGS_INIT "-static-libgcc")
set(CMAKE_MODULE_LINKER_FLAGS_INIT "-static-libgcc")

# Wine.  Debian installs the 64-bit loader as /usr/lib/wine/wine64, off PATH.
set(_secip_wine_dirs
  /usr/lib/wine /usr/lib64/wine /usr/lib/x86_64-linux-gnu/wine
  /opt/wine-stable/bin /opt/wine-devel/bin /opt/wine-staging/bin)
find_program(SECIP_WINE64 NAMES wine64 wine PATHS ${_secip_wine_dirs}
  DOC "Wine 64-bit loader used to run cross-built tests")
if(SECIP_WINE64)
  get_filename_component(_secip_wine_dir "${SECIP_WINE64}" DIRECTORY)
  find_program(SECIP_WINESERVER NAMES wineserver64 wineserver
    PATHS "${_secip_wine_dir}" NO_DEFAULT_PATH
    DOC "wineserver matching SECIP_WINE64")
  find_program(SECIP_WINESERVER NAMES wineserver64 wineserver
    PATHS ${_secip_wine_dirs})
  # WINEDLLOVERRIDES keeps prefix creation from looking for Mono and Gecko.
  set(CMAKE_CROSSCOMPILING_EMULATOR
    env WINEDEBUG=-all "WINEPREFIX=${SECIP_WINE_PREFIX}"
    "WINEDLLOVERRIDES=mscoree,mshtml=" "${SECIP_WINE64}")
endif()
