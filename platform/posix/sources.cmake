# The POSIX (epoll) backend of the platform layer.  Linux-specific calls are
# used (epoll, eventfd, accept4, getrandom), so this backend targets Linux.
set(SPL_BACKEND_SOURCES
  ${CMAKE_CURRENT_LIST_DIR}/posix_addr.c
  ${CMAKE_CURRENT_LIST_DIR}/posix_connect.c
  ${CMAKE_CURRENT_LIST_DIR}/posix_error.c
  ${CMAKE_CURRENT_LIST_DIR}/posix_file.c
  ${CMAKE_CURRENT_LIST_DIR}/posix_loop.c
  ${CMAKE_CURRENT_LIST_DIR}/posix_proc.c
  ${CMAKE_CURRENT_LIST_DIR}/posix_tcp.c
  ${CMAKE_CURRENT_LIST_DIR}/posix_term.c
  ${CMAKE_CURRENT_LIST_DIR}/posix_thread.c
  ${CMAKE_CURRENT_LIST_DIR}/posix_time.c
)
set(THREADS_PREFER_PTHREAD_FLAG ON)
find_package(Threads REQUIRED)
set(SPL_BACKEND_LIBS Threads::Threads)
