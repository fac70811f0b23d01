# Secure sessions: TLS over the platform layer, clients and servers (issue 4).
list(APPEND SECIP_CORE_SOURCES
  ${CMAKE_CURRENT_LIST_DIR}/tls_pump.c
  ${CMAKE_CURRENT_LIST_DIR}/tls_profile.c
  ${CMAKE_CURRENT_LIST_DIR}/x509_rec.c
  ${CMAKE_CURRENT_LIST_DIR}/loopset.c
  ${CMAKE_CURRENT_LIST_DIR}/session.c
  ${CMAKE_CURRENT_LIST_DIR}/session_loop.c
  ${CMAKE_CURRENT_LIST_DIR}/session_queue.c
  ${CMAKE_CURRENT_LIST_DIR}/client.c
  ${CMAKE_CURRENT_LIST_DIR}/server.c
  ${CMAKE_CURRENT_LIST_DIR}/server_run.c
  ${CMAKE_CURRENT_LIST_DIR}/server_crl.c
)
# File transfer over sessions (issue 5): receiving on the loop thread,
# sending from application threads.
list(APPEND SECIP_CORE_SOURCES
  ${CMAKE_CURRENT_LIST_DIR}/file_recv.c
  ${CMAKE_CURRENT_LIST_DIR}/file_send.c
  ${CMAKE_CURRENT_LIST_DIR}/file_jobs.c
)
