# The Windows backend of the platform layer: IOCP, Win32 threads and files.
# Included by sdk/CMakeLists.txt when building for Windows.
set(SPL_BACKEND_SOURCES
  ${CMAKE_CURRENT_LIST_DIR}/win_addr.c
  ${CMAKE_CURRENT_LIST_DIR}/win_conn.c
  ${CMAKE_CURRENT_LIST_DIR}/win_error.c
  ${CMAKE_CURRENT_LIST_DIR}/win_file.c
  ${CMAKE_CURRENT_LIST_DIR}/win_loop.c
  ${CMAKE_CURRENT_LIST_DIR}/win_proc.c
  ${CMAKE_CURRENT_LIST_DIR}/win_tcp.c
  ${CMAKE_CURRENT_LIST_DIR}/win_term.c
  ${CMAKE_CURRENT_LIST_DIR}/win_text.c
  ${CMAKE_CURRENT_LIST_DIR}/win_thread.c
  ${CMAKE_CURRENT_LIST_DIR}/win_time.c
)
# ws2_32: Winsock (AcceptEx/ConnectEx are loaded at run time through
# WSAIoctl, so mswsock is not linked); advapi32: tokens and ACLs for
# owner-only files; bcrypt: BCryptGenRandom; psapi: GetProcessMemoryInfo.
set(SPL_BACKEND_LIBS ws2_32 advapi32 bcrypt psapi)
