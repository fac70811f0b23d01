# Volume acceptance tests of file transfer (issue 5), label `volume`:
# files_volume_2g (2 GiB disk to disk, SHA-256, peak RSS < 64 MiB) and
# files_hol (1,000 small messages beside a 1 GiB transfer, each within
# 100 ms).  Included from tests/files/CMakeLists.txt.  The RSS bound is
# asserted in unsanitized builds only: scripts/test.sh runs `ctest -L volume`
# in a Release build for it (and the Wine build is unsanitized).
# SECIP_VOLUME_MB=<n> shrinks them for local runs.
add_library(secip_vol_util STATIC vol_util.c)
target_link_libraries(secip_vol_util PUBLIC secip_testutil secip_internal
  PRIVATE secip_warnings)

secip_add_test(NAME files_volume_2g SOURCES test_volume.c
  LIBS secip_vol_util secip_files_util LABELS volume slow TIMEOUT 600)
secip_add_test(NAME files_hol SOURCES test_hol.c
  LIBS secip_vol_util secip_files_util LABELS volume slow TIMEOUT 600)
# Alone on the machine: both move gigabytes through the disk, and
# files_hol's 100 ms bound is about the library, not about another test's
# writeback queued in front of its syncs.
set_tests_properties(files_volume_2g files_hol PROPERTIES RUN_SERIAL TRUE)
