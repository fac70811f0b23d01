# Files over secure sessions (issue 5): the session integration, hostile
# file frames, and resuming after a lost connection.
add_library(secip_fs_util STATIC fs_util.c)
target_link_libraries(secip_fs_util PUBLIC secip_files_util
  PRIVATE secip_warnings)

secip_add_test(NAME files_session SOURCES test_session.c
  LIBS secip_fs_util LABELS net TIMEOUT 120)
secip_add_test(NAME files_resume SOURCES test_resume.c
  LIBS secip_fs_util LABELS net TIMEOUT 120)
secip_add_test(NAME files_wire_hostile SOURCES test_wire_hostile.c
  LIBS secip_fs_util LABELS net TIMEOUT 120)
