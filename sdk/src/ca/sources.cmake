# Certificate authority: user database, CA server, enrollment (issue 6).
list(APPEND SECIP_CORE_SOURCES
  ${CMAKE_CURRENT_LIST_DIR}/userdb.c
  ${CMAKE_CURRENT_LIST_DIR}/userdb_ops.c
  ${CMAKE_CURRENT_LIST_DIR}/throttle.c
  ${CMAKE_CURRENT_LIST_DIR}/crl.c
  ${CMAKE_CURRENT_LIST_DIR}/ca_server.c
  ${CMAKE_CURRENT_LIST_DIR}/ca_ops.c
  ${CMAKE_CURRENT_LIST_DIR}/ca_admin.c
  ${CMAKE_CURRENT_LIST_DIR}/ca_client.c
)
