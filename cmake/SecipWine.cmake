# Running the cross-built Windows tests under Wine (see
# cmake/toolchain-mingw64.cmake and scripts/wine-env.sh).
#
# When the build is a Windows cross build with a Wine emulator and testing is
# on, this sets SECIP_WINE_FIXTURE and adds the CTest fixture test
# `wine_start` (FIXTURES_SETUP wine).  It starts a persistent wineserver and
# boots the prefix with detached I/O; without it the first test's Wine launch
# starts the server, whose children keep CTest's output pipe open (each test
# then waits seconds, or forever).  Every test that runs a Windows program
# must require the fixture:
#
#   secip_require_wine(<test>...)   # no-op on native builds
#
# (tests/CMakeLists.txt's secip_add_test does it already.)  The server is
# left running after CTest so later runs start instantly; stop it with
# `scripts/wine-env.sh stop` (scripts/test.sh does).

set(SECIP_WINE_FIXTURE OFF)
if(CMAKE_CROSSCOMPILING AND WIN32 AND SECIP_WINE64 AND BUILD_TESTING)
  set(SECIP_WINE_FIXTURE ON)
  add_test(NAME wine_start
    COMMAND ${CMAKE_COMMAND} -E env
      "SECIP_WINE_PREFIX=${SECIP_WINE_PREFIX}"
      "SECIP_WINE64=${SECIP_WINE64}"
      "SECIP_WINESERVER=${SECIP_WINESERVER}"
      bash "${PROJECT_SOURCE_DIR}/scripts/wine-env.sh" start)
  # Creating a fresh prefix takes ~12 s on 2 cores; allow for slow machines.
  set_tests_properties(wine_start PROPERTIES
    FIXTURES_SETUP wine
    TIMEOUT 300
    LABELS "windows;fixture")
elseif(CMAKE_CROSSCOMPILING AND WIN32 AND BUILD_TESTING)
  message(WARNING "No wine64 found (SECIP_WINE64): the Windows tests are built "
    "but CTest cannot run them.  Install wine64 or set SECIP_WINE64.")
endif()

function(secip_require_wine)
  if(SECIP_WINE_FIXTURE)
    set_tests_properties(${ARGN} PROPERTIES FIXTURES_REQUIRED wine)
  endif()
endfunction()
